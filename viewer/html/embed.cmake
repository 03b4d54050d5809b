# Turns the HTML report's page files into C arrays (cmake -P), so the
# report needs nothing beside the binary:
#   cmake -DOUT=html_assets.c -DHTML=report.html -DCSS=report.css
#         -DJS=report.js -P embed.cmake
# Each file F.EXT becomes `const unsigned char wt__html_F_EXT[]` (with a
# NUL after its bytes, not counted) and `const size_t wt__html_F_EXT_len`.
set(text "/* Generated from viewer/html/ by embed.cmake: do not edit. */\n")
string(APPEND text "#include <stddef.h>\n")
foreach(in ${HTML} ${CSS} ${JS})
  get_filename_component(name ${in} NAME)
  string(MAKE_C_IDENTIFIER "wt__html_${name}" id)
  file(READ ${in} hex HEX)
  string(LENGTH "${hex}" n)
  math(EXPR len "${n} / 2")
  # 32 bytes a line keeps the generated file readable by tools.
  string(REGEX REPLACE "(................................................................)"
         "\\1\n" hex "${hex}")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  # string(APPEND), not a list: the text holds semicolons.
  string(APPEND text "extern const unsigned char ${id}[];\n"
                     "extern const size_t ${id}_len;\n"
                     "const unsigned char ${id}[] = {\n${bytes}0x00};\n"
                     "const size_t ${id}_len = ${len};\n")
endforeach()
file(WRITE ${OUT}.tmp "${text}")
file(RENAME ${OUT}.tmp ${OUT})
