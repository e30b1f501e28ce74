#!/usr/bin/env python3
"""Crafts a hostile object: sets the value of symbol NAME in a 64-bit
little-endian ELF file to VALUE (st_value, the offset in its section).
Usage: patch_symbol.py IN OUT NAME VALUE"""
import struct
import sys

src, dst, name, value = sys.argv[1], sys.argv[2], sys.argv[3].encode(), int(sys.argv[4], 0)
elf = bytearray(open(src, "rb").read())
shoff, = struct.unpack_from("<Q", elf, 0x28)
shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
patched = 0
for sh_name, sh_type, _, _, offset, size, link, _, _, entsize in sections:
    if sh_type != 2:  # SHT_SYMTAB
        continue
    strtab = sections[link][4]
    for at in range(offset, offset + size, entsize):
        st_name, = struct.unpack_from("<I", elf, at)
        end = elf.index(b"\0", strtab + st_name)
        if bytes(elf[strtab + st_name:end]) == name:
            struct.pack_into("<Q", elf, at + 8, value)
            patched += 1
if not patched:
    sys.exit(f"no symbol {name.decode()} in {src}")
open(dst, "wb").write(elf)
