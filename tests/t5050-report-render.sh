#!/usr/bin/env bash
# t5050: render a report's index.html in headless Chromium (Debian's chromium, installed
# by scripts/install-deps.sh check) to a screenshot; a counted skip when chromium cannot
# be installed. The screenshot is kept in $TLB_SHOT_DIR when set, for a human to judge.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed"
if ! command -v chromium > /dev/null 2>&1 || ! command -v python3 > /dev/null 2>&1; then
	"$ROOT/scripts/install-deps.sh" check > "$T/install.log" 2>&1 ||
		skip_all "chromium cannot be installed: $(tail -1 "$T/install.log")"
fi
need_cmd python3 || skip_all "python3 is not installed and install-deps did not install it"
need_cmd chromium || skip_all "chromium is not installed and install-deps did not install it"
FIX=$ROOT/analysis/testdata
db=$T/two.db
sqlite3 "$db" < "$ROOT/schemas/trace-v1.sql" && sqlite3 "$db" < "$FIX/two-vms-results.sql"
sqlite3 "$db" "UPDATE meta SET value = '12' WHERE key = 'lost_events';"
check_exit "5050.1 report" 0 tlb tlbreport -o "$T/r" --format none "$db"

shot() {	# shot PNG URL HEIGHT
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run \
		--user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" --hide-scrollbars \
		--window-size=1100,"$3" --screenshot="$1" "$2" > "$T/chrome.log" 2>&1
}
shot "$T/report.png" "file://$T/r/index.html" 4200
ok_if "5050.2 chromium wrote a screenshot" test -s "$T/report.png"
# A page whose images failed would render as text only: the rendered page must be
# mostly drawing. Count the distinct colours of the screenshot (plots bring many).
ok_if "5050.3 the screenshot is a whole PNG with the page drawn" python3 - "$T/report.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, t = struct.unpack(">I4s", data[pos:pos + 8])
    if t == b"IHDR": ihdr = data[pos + 8:pos + 8 + n]
    if t == b"IDAT": idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
w, h, depth, ctype = struct.unpack(">IIBB", ihdr[:10])
assert (w, h) == (1100, 4200), (w, h)
raw = zlib.decompress(idat)
bpp = {2: 3, 6: 4}[ctype]
stride = w * bpp + 1
# sample unfiltered rows only roughly: count distinct byte triples in the raw stream
colours = set(raw[i:i + 3] for i in range(0, min(len(raw), stride * h), 997))
assert len(colours) > 40, "only %d distinct samples: a blank page?" % len(colours)
PY
# The plots the page shows must have loaded: an <img> that fails has naturalWidth 0.
# Chromium's --dump-dom runs no script of ours, so check what it parsed instead:
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run \
	--user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" --dump-dom "file://$T/r/index.html" \
	> "$T/dom.html" 2> "$T/chrome.log"
check_grep "5050.4 chromium parsed the page: the red flag is there" 'class="alert">Incomplete capture: 12 events were lost' "$T/dom.html"
check_eq "5050.5 chromium saw one image per plot" "$(ls "$T/r/plots/"*.svg | wc -l)" \
	"$(grep -o '<img src="plots/[a-z_]*\.svg"' "$T/dom.html" | sort -u | wc -l)"
# The five-policy capture (tracked, optimal, an unsafe old) and its comparison with the
# two-VM one: the verdict block and the comparison page render too.
db5=$T/five.db
sqlite3 "$db5" < "$ROOT/schemas/trace-v1.sql" && sqlite3 "$db5" < "$FIX/five-policies.sql"
check_exit "5050.6 report of five policies beside the two-VM capture" 0 \
	tlb tlbreport -o "$T/r5" --format none "$db5" "$db"
shot "$T/five.png" "file://$T/r5/five/index.html" 4200
ok_if "5050.7 chromium wrote its screenshot" test -s "$T/five.png"
shot "$T/compare.png" "file://$T/r5/index.html" 2400
ok_if "5050.8 ... and the comparison's" test -s "$T/compare.png"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run \
	--user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" --dump-dom "file://$T/r5/five/index.html" \
	> "$T/dom5.html" 2> "$T/chrome.log"
check_grep "5050.9 chromium parsed the verdict" 'class="verdict"><b>modern is the cheapest safe policy</b>' "$T/dom5.html"
if [ -n "${TLB_SHOT_DIR:-}" ]; then
	mkdir -p "$TLB_SHOT_DIR" && cp "$T/report.png" "$T/five.png" "$T/compare.png" "$TLB_SHOT_DIR/"
	cp -r "$T/r5" "$TLB_SHOT_DIR/report"
fi
