#!/usr/bin/env python3
"""options-table.py - the suite's command-line options, read from each program's --help.

  options-table.py BINDIR help       every (program, short, long, arg, text) as TSV
  options-table.py BINDIR readme     the README's "Options" section, made from --help
  options-table.py BINDIR check README.md
                                     compares the README's tables with --help and checks
                                     that a short letter means one long option everywhere;
                                     prints one line per difference, exits 1 if any

An option line of --help is `  -x, --long ARG   text` or `      --long ARG   text`
(two or more spaces before the text). The README keeps one table per program under
"## Options", rows `| `-x, --long ARG` | what | default |`.
"""
import re
import subprocess
import sys

PROGRAMS = ["tlbcollect", "tlbimport", "tlbmerge", "tlbgen", "tlbreplay", "tlbreport"]
HELP_LINE = re.compile(r"^ {2,8}(?:-([A-Za-z0-9]), )?--([a-z0-9][a-z0-9-]*)((?: [A-Za-z0-9=|,._\[\]<>-]+)?)(?: {2,}(.*))?$")
ROW = re.compile(r"^\| `(?:-([A-Za-z0-9]), )?--([a-z0-9][a-z0-9-]*)([^`]*)` \| (.*) \|$")


def help_options(bindir, prog):
    out = subprocess.run([f"{bindir}/{prog}", "--help"], capture_output=True, text=True,
                         timeout=30)
    opts = []
    in_options = False
    text_col = None
    for line in out.stdout.splitlines():
        if line.strip().upper().startswith("OPTIONS") or line.strip().endswith("options:"):
            in_options = True
        m = HELP_LINE.match(line)
        if m:
            short, long_, arg, text = m.group(1), m.group(2), m.group(3).strip(), m.group(4) or ""
            opts.append((short or "", long_, arg, text.strip()))
            text_col = line.index(text) if text else len(line)
        elif opts and text_col and line.strip() and not line.strip().startswith("-") \
                and len(line) - len(line.lstrip(" ")) >= min(text_col, 16):
            # a help text that goes on under its column (a long option's text starts
            # further right than the lines that continue it)
            s_, l_, a_, t_ = opts[-1]
            opts[-1] = (s_, l_, a_, t_ + " " + line.strip())
        else:
            text_col = None
    # the same long option listed twice (e.g. in two sections) counts once
    seen, uniq = set(), []
    for o in opts:
        if o[1] not in seen:
            seen.add(o[1])
            uniq.append(o)
    return uniq


def readme_options(path):
    tables, prog = {}, None
    in_section = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("## "):
                in_section = line.strip() == "## Options"
                prog = None
                continue
            if not in_section:
                continue
            m = re.match(r"^### `?(tlb[a-z]+)`?", line)
            if m:
                prog = m.group(1)
                tables[prog] = []
                continue
            m = ROW.match(line)
            if m and prog:
                tables[prog].append((m.group(1) or "", m.group(2), m.group(3).strip(), m.group(4)))
    return tables


def md_escape(s):
    return s.replace("|", "\\|")


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    bindir, mode = sys.argv[1], sys.argv[2]
    helps = {p: help_options(bindir, p) for p in PROGRAMS}
    if mode == "help":
        for p in PROGRAMS:
            for s, l, a, t in helps[p]:
                print(f"{p}\t{s}\t{l}\t{a}\t{t}")
        return 0
    if mode == "readme":
        print("## Options\n")
        print("One meaning per letter across the suite (`-o` is always `--output`, `-f` always")
        print("`--force`, `-p` always `--pid`); `--format` has no short letter. Made from each")
        print("program's `--help` by `scripts/options-table.py build/bin readme`; a test keeps them equal.\n")
        for p in PROGRAMS:
            print(f"### {p}\n")
            rows = []
            for s, l, a, t in helps[p]:
                opt = (f"-{s}, " if s else "") + f"--{l}" + (f" {a}" if a else "")
                # a help text aligned in two columns (what, then the default) keeps them apart
                parts = re.split(r" {2,}", t, maxsplit=1)
                rows.append((opt, parts[0], parts[1] if len(parts) > 1 else ""))
            if any(d for _, _, d in rows):
                print("| option | what | default |")
                print("|---|---|---|")
                for opt, what, default in rows:
                    print(f"| `{md_escape(opt)}` | {md_escape(what)} | {md_escape(default)} |")
            else:
                print("| option | what |")
                print("|---|---|")
                for opt, what, _ in rows:
                    print(f"| `{md_escape(opt)}` | {md_escape(what)} |")
            print()
        return 0
    if mode == "check":
        problems = []
        tables = readme_options(sys.argv[3])
        letters = {}
        for p in PROGRAMS:
            if not helps[p]:
                problems.append(f"{p}: --help lists no options")
            for s, l, a, t in helps[p]:
                if s:
                    letters.setdefault(s, set()).add((l, p))
            h = {(s, l, a) for s, l, a, t in helps[p]}
            r = {(s, l, a.replace("\\|", "|")) for s, l, a, t in tables.get(p, [])}
            if p not in tables:
                problems.append(f"{p}: no table in the README's Options section")
                continue
            for s, l, a in sorted(h - r):
                problems.append(f"{p}: --help has {'-' + s + ', ' if s else ''}--{l} {a}, the README does not")
            for s, l, a in sorted(r - h):
                problems.append(f"{p}: the README has {'-' + s + ', ' if s else ''}--{l} {a}, --help does not")
        for s, uses in sorted(letters.items()):
            longs = {l for l, p in uses}
            if len(longs) > 1:
                problems.append(f"-{s} means " + " and ".join(
                    f"--{l} ({', '.join(sorted(q for m, q in uses if m == l))})" for l in sorted(longs)))
        for line in problems:
            print(line)
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
