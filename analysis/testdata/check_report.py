#!/usr/bin/env python3
"""check_report.py DIR - check what tlbreport wrote into DIR (tests t5xxx).

Prints one line per problem and exits 1 if any:
  - every href/src of DIR/index.html that is a local file exists (relative to DIR);
  - every plots/*.png is a whole PNG (signature, IHDR first, IEND last, CRCs right,
    non-zero size), every plots/*.svg parses as XML with an <svg> root and draws
    something, every .png/.svg has its .gp script beside it;
  - with --expect NAME,... those plots exist.
Written for the tests; independent of tlbreport's code.
"""
import re
import struct
import sys
import zlib
import xml.etree.ElementTree as ET
from pathlib import Path


def png_problems(p):
    data = p.read_bytes()
    if len(data) < 60 or data[:8] != b"\x89PNG\r\n\x1a\n":
        return ["%s: not a PNG (bad signature or too short)" % p]
    pos, chunks = 8, []
    while pos + 8 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            return ["%s: truncated chunk %r" % (p, ctype)]
        if zlib.crc32(ctype + body) & 0xffffffff != struct.unpack(">I", crc)[0]:
            return ["%s: bad CRC in chunk %r" % (p, ctype)]
        chunks.append((ctype, body))
        pos += 12 + length
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        return ["%s: chunks do not run IHDR..IEND" % p]
    w, h = struct.unpack(">II", chunks[0][1][:8])
    if w < 100 or h < 100:
        return ["%s: image only %dx%d" % (p, w, h)]
    idat = b"".join(b for t, b in chunks if t == b"IDAT")
    if len(zlib.decompress(idat)) == 0:
        return ["%s: no pixel data" % p]
    return []


def svg_problems(p):
    try:
        root = ET.parse(p).getroot()
    except ET.ParseError as e:
        return ["%s: not XML: %s" % (p, e)]
    if not root.tag.endswith("svg"):
        return ["%s: root is <%s>, not <svg>" % (p, root.tag)]
    drawn = [e for e in root.iter() if e.tag.split("}")[-1] in ("path", "rect", "line", "polyline", "text")]
    if len(drawn) < 10:
        return ["%s: draws almost nothing (%d elements)" % (p, len(drawn))]
    return []


def main():
    args = sys.argv[1:]
    expect = []
    if len(args) >= 2 and args[0] == "--expect":
        expect = args[1].split(",")
        args = args[2:]
    d = Path(args[0])
    problems = []
    html = (d / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:href|src)="([^"]+)"', html)
    if not refs:
        problems.append("index.html references nothing")
    for ref in refs:
        if ref.startswith("#") or re.match(r"^[a-z]+:", ref):
            if re.match(r"^(https?|ftp):", ref):
                problems.append("index.html needs the network: %s" % ref)
            continue
        if not (d / ref).is_file():
            problems.append("index.html references a missing file: %s" % ref)
    plots = d / "plots"
    for p in sorted(plots.glob("*.png")):
        problems += png_problems(p)
    for p in sorted(plots.glob("*.svg")):
        problems += svg_problems(p)
    for p in sorted(list(plots.glob("*.png")) + list(plots.glob("*.svg"))):
        if not p.with_suffix(".gp").is_file():
            problems.append("%s has no script beside it" % p)
    for name in expect:
        for ext in ("png", "svg", "gp"):
            if not (plots / ("%s.%s" % (name, ext))).is_file():
                problems.append("missing plots/%s.%s" % (name, ext))
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
