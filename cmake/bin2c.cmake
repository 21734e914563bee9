# cmake -DIN=file -DOUT=file.c -DSYMBOL=name -P bin2c.cmake
# Writes a C file defining `const uint8_t SYMBOL[]` and `const uint64_t SYMBOL_size`.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n    " bytes "${bytes}")
file(WRITE "${OUT}"
  "/* Generated from ${IN} by cmake/bin2c.cmake: do not edit. */\n"
  "#include <stdint.h>\n\n"
  "const uint8_t ${SYMBOL}[] __attribute__((aligned(16))) = {\n    ${bytes}\n};\n"
  "const uint64_t ${SYMBOL}_size = ${size};\n")
