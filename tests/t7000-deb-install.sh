#!/usr/bin/env bash
# t7000-deb-install: `make deb` builds the amd64 packages (dpkg-buildpackage, reusing the
# release build) and the ppc64el tlbcollect (dpkg-deb around the static cross build);
# the amd64 ones install with dpkg -i, every installed program answers --version and
# --help, `man -w` finds every page, the fleet scripts are in place, and dpkg -r removes
# it all again. The ppc64el collector runs (under qemu-user) in a root holding nothing
# but its own package: static, as its empty Depends says.
. "$(dirname "$0")/lib.sh"
need_root || skip_all "dpkg -i needs root"
"$ROOT/scripts/install-deps.sh" deb > "$T/deps.log" 2>&1 ||
	skip_all "the packaging tools cannot be installed (scripts/install-deps.sh deb): $(tail -1 "$T/deps.log")"
need_cmd dpkg-buildpackage || skip_all "no dpkg-buildpackage after scripts/install-deps.sh deb"
PROGS="tlbcollect tlbimport tlbmerge tlbgen tlbreplay tlbreport"
for pkg in tlbreplay tlbcollect; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$st" = installed ] && skip_all "package $pkg is already installed here: this test would remove it"
done

installed=0
cleanup() {
	[ "$installed" = 1 ] && dpkg -r tlbreplay tlbcollect > /dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# --- 7000.1-3: make deb-amd64 (the release build is what `make` made: reused)
version=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)
t0=$(date +%s)
# noautodbgsym: the -dbgsym packages are not installed here; leaving them out saves time.
ok_if "7000.1 make deb-amd64" env DEB_BUILD_OPTIONS=noautodbgsym make -C "$ROOT" --no-print-directory deb-amd64
echo "# make deb-amd64 took $(( $(date +%s) - t0 )) s"
deb_r=$ROOT/build/deb/tlbreplay_${version}_amd64.deb deb_c=$ROOT/build/deb/tlbcollect_${version}_amd64.deb
ok_if "7000.2 both packages built" test -s "$deb_r" -a -s "$deb_c"
check_eq "7000.3 every program in exactly one package" "$(printf '%s\n' $PROGS | sort)" \
	"$( (dpkg-deb -c "$deb_r"; dpkg-deb -c "$deb_c") 2>/dev/null | awk '{print $6}' | sed -n 's|^\./usr/bin/\(.\)|\1|p' | sort)"

# --- 7000.4-: dpkg -i, run, man -w, remove
ok_if "7000.4 dpkg -i" dpkg -i "$deb_r" "$deb_c"
installed=1
n=4
for p in $PROGS; do
	n=$((n + 1))
	check_exit "7000.$n $p --help from /usr/bin" 0 "/usr/bin/$p" --help
	check_grep "7000.$n.1 $p --help names it" "$p" "$OUT"
	check_exit "7000.$n.2 $p --version" 0 "/usr/bin/$p" --version
	check_grep "7000.$n.3 $p --version says \"$p VERSION\"" "^$p [^ ]+$" "$OUT"
	check_eq "7000.$n.4 man -w $p" "/usr/share/man/man1/$p.1.gz" "$(man -w "$p" 2>&1)"
done
check_eq "7000.11 fleet scripts installed" "/usr/share/tlbreplay/fleet-db.sh /usr/share/tlbreplay/slurm/capture.sbatch /usr/share/tlbreplay/slurm/replay.sbatch" \
	"$(ls /usr/share/tlbreplay/fleet-db.sh /usr/share/tlbreplay/slurm/* 2>&1 | paste -sd' ')"
ok_if "7000.12 README installed" test -s /usr/share/doc/tlbreplay/README.md.gz
# The installed programs work, not only print help: generate and replay a scenario.
check_exit "7000.13 installed tlbgen + tlbreplay run a scenario" 0 \
	sh -c '/usr/bin/tlbgen -q --scenario hlocal-paging -o "$1" && /usr/bin/tlbreplay --format csv "$1"' _ "$T/s.db"
ok_if "7000.14 dpkg -r" dpkg -r tlbreplay tlbcollect
installed=0
check_eq "7000.15 programs and pages gone" "" \
	"$(for p in $PROGS; do [ -e /usr/bin/$p ] && echo /usr/bin/$p; [ -e /usr/share/man/man1/$p.1.gz ] && echo $p.1.gz; done)"

# --- 7000.16-20: the ppc64el collector (needs the cross build: make cross-ppc64el)
if [ ! -x "$ROOT/build/ppc64el/bin/tlbcollect" ]; then
	skip_all "no build/ppc64el/bin/tlbcollect (make cross-ppc64el, which downloads the ppc64el libraries)" "7000.16-20 ppc64el package"
fi
ok_if "7000.16 make deb-ppc64el" make -C "$ROOT" --no-print-directory deb-ppc64el
deb_p=$ROOT/build/deb/tlbcollect_${version}_ppc64el.deb
check_eq "7000.17 Architecture ppc64el, no Depends, no Pre-Depends" "ppc64el||" \
	"$(dpkg-deb -f "$deb_p" Architecture)|$(dpkg-deb -f "$deb_p" Depends)|$(dpkg-deb -f "$deb_p" Pre-Depends)"
dpkg-deb -f "$deb_p" Built-Using > "$T/sbu" 2>&1
check_grep "7000.18 Built-Using names the static libraries" "libbpf .*elfutils .*zlib .*sqlite3" "$T/sbu"
mkdir -p "$T/power"
dpkg-deb -x "$deb_p" "$T/power"
qemu=$(command -v qemu-ppc64le-static || command -v qemu-ppc64le || true)
if [ -z "$qemu" ]; then
	skip "7000.19 ppc64el tlbcollect runs with nothing but its package" "no qemu-ppc64le (qemu-user-static)"
else
	# -L: the ELF interpreter and shared libraries would be looked up in the package's own
	# root, which holds none: a dynamic binary cannot start there.
	check_exit "7000.19 ppc64el tlbcollect --version runs with nothing but its package" 0 \
		"$qemu" -L "$T/power" "$T/power/usr/bin/tlbcollect" --version
	check_grep "7000.20 it says its name and version" "^tlbcollect [^ ]+$" "$OUT"
fi
