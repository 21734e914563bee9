#!/usr/bin/env python3
"""Checks that every code block in a doc that follows a marker line
    <!-- file: PATH -->
is exactly the text of PATH (relative to the source root), so a tutorial shows the code the
build compiles and the tests run. Usage: doc_snippets.py ROOT DOC..."""
import pathlib
import re
import sys

MARK = re.compile(r"<!-- file: (\S+) -->")


def blocks(text):
    """(path, code) for each marked fenced block."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = MARK.search(line)
        if not m:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].lstrip().startswith("```"):
            j += 1
        if j == len(lines):
            yield m.group(1), None
            continue
        indent = len(lines[j]) - len(lines[j].lstrip())
        k = j + 1
        code = []
        while k < len(lines) and not lines[k].lstrip().startswith("```"):
            code.append(lines[k][indent:] if lines[k].strip() else "")
            k += 1
        yield m.group(1), "\n".join(code) + "\n"


def main():
    root = pathlib.Path(sys.argv[1])
    bad = checked = 0
    for doc in sys.argv[2:]:
        for path, code in blocks(pathlib.Path(doc).read_text(encoding="utf-8")):
            checked += 1
            real = (root / path).read_text(encoding="utf-8")
            if code != real:
                bad += 1
                print(f"{doc}: the block marked {path} differs from the file")
    print(f"doc_snippets: {checked} block(s) checked, {bad} different")
    return 1 if bad or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
