/*
 * Naming the wasm function a trap happened in. wasm2c names the C function
 * for a wasm function `w2c_<name>` (from the module's name section, else
 * `w2c_f<index>`) and makes it static, so dladdr cannot see it; the shared
 * object's own symbol table (.symtab, which the runtime never strips) has it
 * with its size. Read only after a trap, so it costs nothing on the normal
 * path.
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

/*
 * The wasm name behind a C symbol: `w2c_<name>` for a function, or
 * `Z_guestZ_<export>` for an export's entry point into which the compiler
 * inlined the function. Compiler clones and split parts (foo.cold,
 * foo.part.0) belong to their function; wasm2c never puts '.' in a name.
 * Other symbols (wasm-rt, inlined helpers) are not wasm functions.
 */
static bool wasm_name(const char *sym, char *buf, size_t size) {
  size_t skip = strncmp(sym, "w2c_", 4) == 0        ? 4
                : strncmp(sym, "Z_guestZ_", 9) == 0 ? 9
                                                    : 0;
  if (skip == 0)
    return false;
  snprintf(buf, size, "%.*s", (int)strcspn(sym + skip, "."), sym + skip);
  return buf[0] != '\0';
}

static bool lookup(const image_t *im, uint64_t off, char *buf, size_t size) {
  const Elf64_Ehdr *eh = at(im, 0, sizeof *eh);
  if (eh == NULL || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
      eh->e_ident[EI_CLASS] != ELFCLASS64)
    return false;
  for (uint32_t i = 0; i < eh->e_shnum; i++) {
    const Elf64_Shdr *sh = section(im, eh, i), *str;
    const Elf64_Sym *syms;
    const char *names;
    if (sh == NULL || sh->sh_type != SHT_SYMTAB ||
        (str = section(im, eh, sh->sh_link)) == NULL)
      continue;
    syms = at(im, sh->sh_offset, sh->sh_size);
    names = at(im, str->sh_offset, str->sh_size);
    if (syms == NULL || names == NULL || str->sh_size == 0)
      continue;
    for (uint64_t j = 0; j < sh->sh_size / sizeof *syms; j++) {
      const Elf64_Sym *s = &syms[j];
      const char *name;
      if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_name >= str->sh_size ||
          off < s->st_value || off - s->st_value >= s->st_size)
        continue;
      name = names + s->st_name;
      /* The string table ends with a NUL (checked below with strnlen). */
      if (strnlen(name, str->sh_size - s->st_name) == str->sh_size - s->st_name)
        continue;
      return wasm_name(name, buf, size);
    }
  }
  return false;
}

bool wt__wasm_function_at(const char *so_path, uintptr_t base, uintptr_t pc,
                          char *buf, size_t size) {
  struct stat st;
  image_t im;
  bool found = false;
  void *map;
  int fd = open(so_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  if (fstat(fd, &st) == 0 && st.st_size > 0 && pc >= base) {
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map != MAP_FAILED) {
      im.p = map;
      im.len = (size_t)st.st_size;
      found = lookup(&im, pc - base, buf, size);
      munmap(map, im.len);
    }
  }
  close(fd);
  return found;
}
