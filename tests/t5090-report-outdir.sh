#!/usr/bin/env bash
# t5090: where tlbreport writes (issue 9 item 2). The report is built in a private
# directory and moved into place; nothing is written through a planted link; an existing
# directory that is someone else's, or not empty and not an earlier report of ours, is
# refused; --force removes only the files our manifest lists; no parent is created.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
need_cmd gnuplot || skip_all "gnuplot is not installed (scripts/install-deps.sh build)"
FIX=$ROOT/analysis/testdata
db=$T/two.db
sqlite3 "$db" < "$ROOT/schemas/trace-v1.sql" && sqlite3 "$db" < "$FIX/two-vms-results.sql"
rep() { tlb tlbreport -q "$@" "$db"; }
echo "precious" > "$T/victim"
victim_ok() { [ "$(cat "$T/victim")" = precious ] && [ ! -L "$T/victim" ]; }
no_tmp() { [ -z "$(ls -A "$1" | grep '^\.tlbreport-')" ]; }

# 5090.1: a fresh directory
check_exit "5090.1.1 a new directory: exit 0" 0 rep -o "$T/r"
ok_if "5090.1.2 ... holds index.html, summary.md, plots/" test -f "$T/r/index.html" -a -f "$T/r/summary.md" -a -d "$T/r/plots"
check_grep "5090.1.3 ... and our manifest listing what we wrote" '^f plots/vm_cycles\.svg$' "$T/r/.tlbreport-manifest"
check_grep "5090.1.4 ... directories too" '^d plots$' "$T/r/.tlbreport-manifest"
ok_if "5090.1.5 ... no private directory left beside it" no_tmp "$T"
check_eq "5090.1.6 ... mode follows the umask (0755 under 022)" "755" \
	"$(umask 022; rm -rf "$T/r022"; tlb tlbreport -q -o "$T/r022" "$db"; stat -c %a "$T/r022")"

# 5090.2: again without --force: refused, the earlier report intact
before=$(md5sum < "$T/r/index.html")
check_exit "5090.2.1 an earlier report without -f: exit 1" 1 rep -o "$T/r"
check_grep "5090.2.2 ... saying use -f" 'an earlier report is there \(use -f, --force to replace it\)' "$ERR"
check_eq "5090.2.3 ... and leaving it as it was" "$before" "$(md5sum < "$T/r/index.html")"

# 5090.3: --force replaces only what our manifest lists, and never writes through a link
echo "mine" > "$T/r/notes.txt"
rm "$T/r/plots/vm_cycles.png" && ln -s "$T/victim" "$T/r/plots/vm_cycles.png"
ln -sf "$T/victim" "$T/r/summary.md"
check_exit "5090.3.1 -f over an earlier report with planted links: exit 0" 0 rep -f -o "$T/r"
ok_if "5090.3.2 ... the link targets were not written" victim_ok
ok_if "5090.3.3 ... the links were replaced by our files" test -f "$T/r/plots/vm_cycles.png" -a ! -L "$T/r/plots/vm_cycles.png" -a ! -L "$T/r/summary.md"
check_eq "5090.3.4 ... a file we did not write is kept" "mine" "$(cat "$T/r/notes.txt")"
ok_if "5090.3.5 ... and not listed in the new manifest" bash -c "! grep -q notes.txt '$T/r/.tlbreport-manifest'"
check_exit "5090.3.6 -f again: exit 0" 0 rep -f -o "$T/r"

# 5090.4: a manifest that names files outside the report is not obeyed
printf 'tlbreport-manifest 1\nf ../victim\nf %s\nf plots/../../victim\nd ..\n' "$T/victim" > "$T/r/.tlbreport-manifest"
check_exit "5090.4.1 -f with a manifest naming ../victim and an absolute path: refused (exit 1)" 1 rep -f -o "$T/r"
check_grep "5090.4.2 ... since files it does not list are in the way" 'something else is there \(not replaced\)' "$ERR"
ok_if "5090.4.3 ... the victim is still there" victim_ok
ok_if "5090.4.4 ... no private directory left" no_tmp "$T"

# 5090.5: directories that are not ours
mkdir "$T/foreign" && ln -s "$T/victim" "$T/foreign/index.html"
check_exit "5090.5.1 a non-empty directory without our manifest: exit 1" 1 rep -o "$T/foreign"
check_grep "5090.5.2 ... saying so" 'is not empty and holds no report of ours' "$ERR"
check_exit "5090.5.3 ... even with -f" 1 rep -f -o "$T/foreign"
ok_if "5090.5.4 ... the victim is untouched" victim_ok
ln -s "$T/r" "$T/link"
check_exit "5090.5.5 a symbolic link to a report directory: exit 1" 1 rep -f -o "$T/link"
check_grep "5090.5.6 ... saying it is a link" 'is a symbolic link; refusing to write through it' "$ERR"
check_exit "5090.5.7 an existing file: exit 1" 1 rep -o "$T/victim"
ok_if "5090.5.8 ... the victim is untouched" victim_ok
mkdir "$T/empty"
check_exit "5090.5.9 an empty directory of ours: accepted" 0 rep -o "$T/empty"
ok_if "5090.5.10 ... the report is in it" test -f "$T/empty/index.html"
if need_root && id nobody > /dev/null 2>&1; then
	# The issue's case: another user plants r/index.html -> victim in a world-writable dir.
	mkdir -m 1777 "$T/pub" && mkdir "$T/pub/r" && ln -s "$T/victim" "$T/pub/r/index.html"
	chown -R -h nobody "$T/pub/r"
	check_exit "5090.6.1 a directory of another user with a planted link: exit 1" 1 rep -o "$T/pub/r"
	check_grep "5090.6.2 ... saying whose it is" 'belongs to uid [0-9]+, not to you' "$ERR"
	check_exit "5090.6.3 ... even with -f" 1 rep -f -o "$T/pub/r"
	cp "$T/r/.tlbreport-manifest" "$T/pub/r/" && chown -h nobody "$T/pub/r/.tlbreport-manifest"
	check_exit "5090.6.4 ... even holding a copy of our manifest" 1 rep -f -o "$T/pub/r"
	ok_if "5090.6.5 ... the victim is untouched" victim_ok
	ok_if "5090.6.6 ... no private directory left in the public dir" no_tmp "$T/pub"
else
	skip "5090.6 another user's directory" "needs root and user nobody"
fi

# 5090.7: parents are not created
check_exit "5090.7.1 -o a/b/c with a/b missing: exit 1" 1 rep -o "$T/a/b/c"
check_grep "5090.7.2 ... saying the parent does not exist" "cannot create $T/a/b/c: its parent directory $T/a/b does not exist" "$ERR"
ok_if "5090.7.3 ... and creating nothing" test ! -e "$T/a"

# 5090.8: compare mode builds every capture in the private directory too
cp "$db" "$T/second.db"
check_exit "5090.8.1 two captures into a new directory: exit 0" 0 tlb tlbreport -q -o "$T/cmp" "$db" "$T/second.db"
check_grep "5090.8.2 ... the manifest lists each capture's files" '^f second/plots/vm_cycles\.svg$' "$T/cmp/.tlbreport-manifest"
ok_if "5090.8.3 ... no private directory left" no_tmp "$T"
check_exit "5090.8.4 ... and -f replaces it" 0 tlb tlbreport -q -f -o "$T/cmp" "$db" "$T/second.db"

# 5090.9: gnuplot runs inside the private directory (mode 0700), never in the target
cat > "$T/fakeplot" <<EOF
#!/bin/sh
# records where it runs and the mode of the directory above, then draws empty files
printf '%s %s\n' "\$(pwd)" "\$(stat -c %a ..)" >> "$T/plot-cwd"
name=\${1%.gp}; : > "\$name.png"; : > "\$name.svg"
EOF
chmod +x "$T/fakeplot"
TLB_GNUPLOT=$T/fakeplot check_exit "5090.9.1 a recording gnuplot: exit 0" 0 rep -o "$T/r9"
ok_if "5090.9.2 every gnuplot ran in $T/.tlbreport-XXXXXX/plots, a 0700 directory" \
	bash -c "[ -s '$T/plot-cwd' ] && ! grep -qv '^$T/\.tlbreport-[A-Za-z0-9]\{6\}/plots 700\$' '$T/plot-cwd'"
ok_if "5090.9.3 ... and its files are in the report" test -e "$T/r9/plots/vm_cycles.png"

# 5090.10: killed while plotting (SIGTERM): nothing left behind, neither report nor private dir
printf '#!/bin/sh\nexec sleep 30\n' > "$T/slowplot" && chmod +x "$T/slowplot"
mkdir "$T/k" && cp "$db" "$T/k/t.db"
(cd "$T/k" && TLB_GNUPLOT=$T/slowplot exec "$TLB_BIN/tlbreport" -q -o rk t.db > "$T/k.out" 2> "$T/k.err") &
kpid=$!
for _ in $(seq 50); do ls -A "$T/k" | grep -q '^\.tlbreport-' && break; sleep 0.1; done
sleep 0.5
kill -TERM "$kpid"
wait "$kpid"; krc=$?
check_eq "5090.10.1 SIGTERM while gnuplot runs: exit 143" 143 "$krc"
check_grep "5090.10.2 ... saying so" 'interrupted by signal 15: nothing written' "$T/k.err"
check_eq "5090.10.3 ... leaving only the trace" "t.db" "$(ls -A "$T/k")"
