#!/usr/bin/env python3
"""Every function a userlib header declares must be named in the reference page.

usage: api_docs.py HEADER_DIR REFERENCE.md

Reads each HEADER_DIR/*.h, drops comments, and collects the names declared as functions
(a type, then `name(`; calls inside inline bodies are preceded by `return`, `=` or `(`
and are skipped). Each must appear in REFERENCE.md as `name` or `name(...)` inside
backquotes. Prints what is missing and exits 1, or prints a count and exits 0.
"""
import os
import re
import sys

DECL = re.compile(r"(?:^|[\s*])(?P<type>[A-Za-z_]\w*)[\s*]+(?P<name>exo_\w+)\s*\(", re.M)


def declared(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    names = set()
    for m in DECL.finditer(text):
        if m.group("type") not in ("return", "else", "case"):
            names.add(m.group("name"))
    return names


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    hdir, ref = sys.argv[1], sys.argv[2]
    doc = open(ref, encoding="utf-8").read()
    quoted = set(re.findall(r"`[^`]*?\b(exo_\w+)", doc))
    missing, total = [], 0
    for h in sorted(os.listdir(hdir)):
        if not h.endswith(".h"):
            continue
        for name in sorted(declared(os.path.join(hdir, h))):
            total += 1
            if name not in quoted:
                missing.append(f"{h}: {name}")
    if missing:
        print(f"api_docs: {len(missing)} of {total} functions are not in {ref}:")
        for m in missing:
            print("  " + m)
        sys.exit(1)
    print(f"api_docs: all {total} functions of {hdir} are in {ref}")


if __name__ == "__main__":
    main()
