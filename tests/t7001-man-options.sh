#!/usr/bin/env bash
# t7001-man-options: every program has a man page (man/NAME.1.scd, rendered here by
# scdoc and man), and the option lines of its --help and of its page agree both ways:
# each "  -x, --long ARG" or "      --long ARG" line of --help has a line starting with
# exactly "-x, --long" (or "--long", with no short letter) in the page's OPTIONS, and
# each option the page documents is in --help. The pages are written to the suite's
# option table (COMMON letters), so a program or a page that drifts fails here.
. "$(dirname "$0")/lib.sh"
need_cmd man || skip_all "no man (scripts/install-deps.sh deb)"
if ! need_cmd scdoc; then
	if need_root && "$ROOT/scripts/install-deps.sh" deb > "$T/deps.log" 2>&1; then :; else
		skip_all "no scdoc (scripts/install-deps.sh deb): $(tail -1 "$T/deps.log" 2>/dev/null)"
	fi
fi

# options_of FILE: "-x, --long" or "--long", one per line, from the option lines of a
# --help text or of a rendered page (both indent them; text lines do not start with -).
options_of() {
	sed -nE 's/^ +((-[A-Za-z0-9], )?--[a-z0-9][a-z0-9-]*)([ =[].*)?$/\1/p' "$1" | LC_ALL=C sort -u
}

n=0
for p in tlbcollect tlbimport tlbmerge tlbgen tlbreplay tlbreport; do
	n=$((n + 1))
	src=$ROOT/man/$p.1.scd
	if [ ! -f "$src" ]; then not_ok "7001.$n.1 $p: man/$p.1.scd exists"; continue; fi
	ok_if "7001.$n.1 $p: scdoc renders man/$p.1.scd" sh -c 'scdoc < "$1" > "$2"' _ "$src" "$T/$p.1"
	MANWIDTH=200 man -l "$T/$p.1" 2> "$T/$p.manerr" | col -bx > "$T/$p.man.txt"
	check_eq "7001.$n.2 $p: man renders the page without warnings" "" "$(cat "$T/$p.manerr")"
	check_grep "7001.$n.3 $p: page names the program" "^ +$p - " "$T/$p.man.txt"
	if [ ! -x "$TLB_BIN/$p" ]; then
		skip "7001.$n.4 $p: --help options in the page" "no $TLB_BIN/$p"
		skip "7001.$n.5 $p: page options in --help" "no $TLB_BIN/$p"
		continue
	fi
	"$TLB_BIN/$p" --help > "$T/$p.help" 2>&1
	options_of "$T/$p.help" > "$T/$p.help.opts"
	# Only the OPTIONS-like sections of the page (up to EXIT STATUS): EXAMPLES are not options.
	sed -n '/^OPTIONS/,/^EXIT STATUS/p' "$T/$p.man.txt" > "$T/$p.man.opts.txt"
	options_of "$T/$p.man.opts.txt" > "$T/$p.man.opts"
	[ -s "$T/$p.help.opts" ] || not_ok "7001.$n.0 $p: --help lists options" "no option lines in: $(head -c 300 "$T/$p.help")"
	check_eq "7001.$n.4 $p: every --help option is in the page (as -x, --long)" "" \
		"$(comm -23 "$T/$p.help.opts" "$T/$p.man.opts" | paste -sd' ')"
	check_eq "7001.$n.5 $p: every option of the page is in --help" "" \
		"$(comm -13 "$T/$p.help.opts" "$T/$p.man.opts" | paste -sd' ')"
done

# The matcher itself, on lines of both shapes (a matcher that finds nothing passes above).
printf '  -o, --output FILE   x\n      --format FMT   y\n  text --not-this\n    -P, --policy=LIST z\n' > "$T/shape"
check_eq "7001.7 option lines of both shapes are read" "--format|-P, --policy|-o, --output" \
	"$(options_of "$T/shape" | paste -sd'|')"
