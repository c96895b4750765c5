#!/usr/bin/env bash
# t0003: what the shared writer (common/tracewriter) guarantees every producer (issue 9
# items 5, 6, 12): trace DBs are 0600 whatever the umask; of two writers into one path
# without --force one fails and the other's file stands whole; a temporary file left by
# a killed writer is removed by the next run into that path, and nothing else is.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed"

mode() { stat -c %a "$1"; }
# a pid that is certainly not running: a child that has exited
dead_pid() { sh -c 'echo $$'; }

# Modes.
(umask 000; tlb tlbgen --scenario per-thread -o "$T/u0.db" -q)
check_eq "t0003.1 tlbgen under umask 000: 0600" "600" "$(mode "$T/u0.db")"
echo old > "$T/f.db"; chmod 0644 "$T/f.db"
(umask 022; tlb tlbgen --scenario per-thread -o "$T/f.db" -q -f)
check_eq "t0003.2 --force over a 0644 file: 0600" "600" "$(mode "$T/f.db")"

# Two writers into one path, no --force: one exit 0, one exit 1 saying why, the file whole.
mkdir "$T/race"
"$TLB_BIN/tlbgen" -q -o "$T/race/x.db" --events 200000 --seed 1 > /dev/null 2> "$T/race1.err" & p1=$!
"$TLB_BIN/tlbgen" -q -o "$T/race/x.db" --events 200000 --seed 2 > /dev/null 2> "$T/race2.err" & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check_eq "t0003.3 two writers, no --force: one succeeds, one fails (exit 1)" "0 1" \
	"$(printf '%s\n' "$r1" "$r2" | sort | tr '\n' ' ' | sed 's/ $//')"
check_grep "t0003.4 the loser says the file appeared meanwhile" \
	'^tlbgen: .*x\.db: cannot create: the file appeared while this run wrote it' <(cat "$T/race1.err" "$T/race2.err")
winner=$([ "$r1" = 0 ] && echo 1 || echo 2)
check_eq "t0003.5 the file is the winner's, complete" "$winner 200000" \
	"$(sqlite3 "$T/race/x.db" "SELECT (SELECT value FROM meta WHERE key = 'gen_seed'), count(*) FROM event" | tr '|' ' ')"
check_eq "t0003.6 no temporary left" "x.db" "$(ls -A "$T/race")"
"$TLB_BIN/tlbgen" -q -f -o "$T/race/y.db" --events 100000 --seed 1 & p1=$!
"$TLB_BIN/tlbgen" -q -f -o "$T/race/y.db" --events 100000 --seed 2 & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check_eq "t0003.7 two writers with --force: both succeed, the last one replaces" "0 0" "$r1 $r2"

# A writer killed by SIGKILL leaves PATH.tmp-PID; the next run into PATH removes it.
mkdir "$T/kill"
"$TLB_BIN/tlbgen" -q -o "$T/kill/k.db" --events 100000000 > /dev/null 2>&1 & pid=$!
for _ in $(seq 200); do [ -e "$T/kill/k.db.tmp-$pid" ] && break; sleep 0.05; done
sleep 0.3
kill -KILL "$pid"; wait "$pid" 2> /dev/null
check_eq "t0003.8 SIGKILL leaves the temporary file" "k.db.tmp-$pid" "$(ls -A "$T/kill")"
ok_if "t0003.9 the next run succeeds" tlb tlbgen --scenario per-thread -o "$T/kill/k.db" -q
check_grep "t0003.10 and says what it removed" "removed .*k\.db\.tmp-$pid: a temporary file left by an earlier run \(process $pid is gone\)" "$ERR"
check_eq "t0003.11 only the new file is left" "k.db" "$(ls -A "$T/kill")"

# What the cleanup leaves alone: other names, live writers, links, files not ours, not SQLite.
mkdir "$T/keep"
d=$(dead_pid)
cp "$T/u0.db" "$T/keep/z.db.tmp-$d"			# ours, dead: removed
echo "not sqlite" > "$T/keep/z.db.tmp-$((d + 1))"	# not a SQLite file (dead or not): kept
cp "$T/u0.db" "$T/keep/z.db.tmp-$$"			# a live process (this shell): kept
echo victim > "$T/victim"
ln -s "$T/victim" "$T/keep/z.db.tmp-$((d + 2))"		# a link: kept, victim untouched
cp "$T/u0.db" "$T/keep/z.db.tmp-0"			# pid 0: not a writer's name
cp "$T/u0.db" "$T/keep/z.db.tmp-12a"			# not digits
cp "$T/u0.db" "$T/keep/zz.db.tmp-$d"			# another output's temporary
mkdir "$T/keep/z.db.tmp-$((d + 3))"			# a directory
: > "$T/keep/z.db.tmp-$((d + 4))"			# empty (killed before SQLite wrote): removed
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	cp "$T/u0.db" "$T/keep/z.db.tmp-$((d + 5))"; chown nobody "$T/keep/z.db.tmp-$((d + 5))"
	other=1
else
	other=0
fi
ok_if "t0003.12 a run into z.db" tlb tlbgen --scenario per-thread -o "$T/keep/z.db" -q
want="z.db z.db.tmp-$$ z.db.tmp-$((d + 1)) z.db.tmp-$((d + 2)) z.db.tmp-$((d + 3)) z.db.tmp-0 z.db.tmp-12a zz.db.tmp-$d"
[ $other = 1 ] && want="$want z.db.tmp-$((d + 5))"
check_eq "t0003.13 removed only the dead writer's SQLite and empty temporaries" \
	"$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ')" "$(ls -A "$T/keep" | sort | tr '\n' ' ')"
check_eq "t0003.14 the link's target is untouched" "victim" "$(cat "$T/victim")"
check_eq "t0003.15 both removals were reported" "2" "$(grep -c '^tlbgen: removed ' "$ERR")"
if [ $other = 1 ]; then
	ok_if "t0003.16 a file of another user is kept" test -e "$T/keep/z.db.tmp-$((d + 5))"
else
	skip "t0003.16 a file of another user is kept" "not root, or no user nobody"
fi
