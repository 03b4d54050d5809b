/*
 * The C functions of a trap's frames. wasm2c names the C function for wasm
 * function N `w2c_f<N>` (the name section is taken out before it translates:
 * wasm_rewrite.c) and makes it static, so dladdr cannot see it; the shared
 * object's own symbol table (.symtab, which the runtime never strips) has
 * it with its size. Read only after a trap, so it costs nothing on the
 * normal path. names.c turns the symbols into wasm functions.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_internal.h"

typedef struct image_s {
  const uint8_t *p;
  size_t len;
} image_t;

/* A pointer to n bytes at off, or NULL when they are not all in the file. */
static const void *at(const image_t *im, uint64_t off, uint64_t n) {
  if (off > im->len || n > im->len - off)
    return NULL;
  return im->p + off;
}

static const Elf64_Shdr *section(const image_t *im, const Elf64_Ehdr *eh,
                                 uint32_t i) {
  if (i >= eh->e_shnum || eh->e_shentsize != sizeof(Elf64_Shdr))
    return NULL;
  return at(im, eh->e_shoff + (uint64_t)i * sizeof(Elf64_Shdr),
            sizeof(Elf64_Shdr));
}

/* The symbol table and its strings, or false when there is none. */
static bool find_symtab(const image_t *im, const Elf64_Sym **syms,
                        uint64_t *nsyms, const char **names,
                        uint64_t *names_len) {
  const Elf64_Ehdr *eh = at(im, 0, sizeof *eh);
  if (eh == NULL || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
      eh->e_ident[EI_CLASS] != ELFCLASS64)
    return false;
  for (uint32_t i = 0; i < eh->e_shnum; i++) {
    const Elf64_Shdr *sh = section(im, eh, i), *str;
    if (sh == NULL || sh->sh_type != SHT_SYMTAB ||
        (str = section(im, eh, sh->sh_link)) == NULL)
      continue;
    *syms = at(im, sh->sh_offset, sh->sh_size);
    *names = at(im, str->sh_offset, str->sh_size);
    if (*syms == NULL || *names == NULL || str->sh_size == 0)
      continue;
    *nsyms = sh->sh_size / sizeof **syms;
    *names_len = str->sh_size;
    return true;
  }
  return false;
}

/* The function symbol containing off into buf ("" for none). */
static void lookup(const Elf64_Sym *syms, uint64_t nsyms, const char *names,
                   uint64_t names_len, uint64_t off, char *buf) {
  buf[0] = '\0';
  for (uint64_t j = 0; j < nsyms; j++) {
    const Elf64_Sym *s = &syms[j];
    const char *name;
    if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_name >= names_len ||
        off < s->st_value || off - s->st_value >= s->st_size)
      continue;
    name = names + s->st_name;
    /* A name must end inside the string table. */
    if (strnlen(name, names_len - s->st_name) == names_len - s->st_name)
      continue;
    snprintf(buf, WT__SYM_SIZE, "%s", name);
    return;
  }
}

bool wt__so_symbols(const char *so_path, uintptr_t base, const uintptr_t *pcs,
                    int n, char (*syms)[WT__SYM_SIZE]) {
  struct stat st;
  image_t im;
  bool found = false;
  void *map;
  int fd = open(so_path, O_RDONLY | O_CLOEXEC);
  for (int i = 0; i < n; i++)
    syms[i][0] = '\0';
  if (fd < 0)
    return false;
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map != MAP_FAILED) {
      const Elf64_Sym *table;
      const char *names;
      uint64_t nsyms, names_len;
      im.p = map;
      im.len = (size_t)st.st_size;
      found = find_symtab(&im, &table, &nsyms, &names, &names_len);
      for (int i = 0; found && i < n; i++)
        if (pcs[i] >= base)
          lookup(table, nsyms, names, names_len, pcs[i] - base, syms[i]);
      munmap(map, im.len);
    }
  }
  close(fd);
  return found;
}
