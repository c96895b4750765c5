#!/usr/bin/env bash
# t5080: hostile trace DBs (issue 9 items 1, 4, 8). Every string a DB holds is data:
# a replay_run policy or machine the program does not know is refused (exit 2, naming
# the run id); any other text (VM names, meta values, the trace's path) reaches gnuplot
# only as inert text, summary.md Markdown-escaped, index.html HTML-escaped, CSV quoted
# (RFC 4180), the terminal without control sequences. Each payload would create a file
# $T/pwned-N if it ran; the tests check that none exists, and that the outputs hold the
# escaped text. Then: triggers, views and virtual tables on the tables read are refused
# by name; counts that are not non-negative integers, and sums or spans that overflow
# int64, are exit 2 naming the row.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
need_cmd gnuplot || skip_all "gnuplot is not installed (scripts/install-deps.sh build)"
FIX=$ROOT/analysis/testdata
base=$T/base.db
sqlite3 "$base" < "$ROOT/schemas/trace-v1.sql" && sqlite3 "$base" < "$FIX/two-vms-results.sql"
# hostile NAME SQL: a copy of the base DB changed by SQL
hostile() { cp "$base" "$T/$1.db" && sqlite3 "$T/$1.db" "$2"; }
# report NAME: tlbreport on $T/NAME.db into $T/r-NAME, from inside $T (a payload's cwd)
report() { (cd "$T" && "$TLB_BIN/tlbreport" -o "r-$1" "${@:2}" "$1.db"); }
no_pwned() { [ -z "$(ls -A "$T" | grep '^pwned-')" ]; }

# 5080.1: a machine name that closes a gnuplot string and calls system()
hostile m1 "UPDATE replay_run SET machine = 'x\"; system(\"touch $T/pwned-1\"); print \"' WHERE id = 1;"
check_exit "5080.1.1 machine with a gnuplot string break: exit 2" 2 report m1
check_grep "5080.1.2 ... naming the run id" "replay_run id 1: unknown machine 'x\"; system\(" "$ERR"
ok_if "5080.1.3 ... and the payload did not run" no_pwned
ok_if "5080.1.4 ... and nothing was written" test ! -e "$T/r-m1"

# 5080.2: backquotes (gnuplot substitutes them inside double quotes) in a policy
hostile p1 "UPDATE replay_run SET policy = '\`touch $T/pwned-2\`' WHERE id = 2;"
check_exit "5080.2.1 policy with backquotes: exit 2" 2 report p1
check_grep "5080.2.2 ... naming the run id" 'replay_run id 2: unknown policy' "$ERR"
ok_if "5080.2.3 ... the payload did not run" no_pwned

# 5080.3: a newline that would end an inline data block, in a policy name
hostile p2 "UPDATE replay_run SET policy = 'old' || char(10) || 'EOD' || char(10) ||
  'system(\"touch $T/pwned-3\")' || char(10) || '\$d << EOD' WHERE id = 1;"
check_exit "5080.3.1 policy with a newline and EOD: exit 2" 2 report p2
check_grep "5080.3.2 ... the message shows the newline as '?'" "unknown policy 'old\?EOD\?system" "$ERR"
ok_if "5080.3.3 ... the payload did not run" no_pwned

# 5080.4: VM names are shown, so they must arrive as data: string break, backquotes,
# newline + EOD, gnuplot macro, HTML and Markdown markup, in one DB.
hostile v1 "UPDATE vm SET name = 'a\"; system(\"touch $T/pwned-4\"); print \"' WHERE id = 1;
  UPDATE vm SET name = '\`touch pwned-5\`' || char(10) || 'EOD' || char(10) ||
   'system(\"touch pwned-6\")' || char(10) || '@x <script>alert(1)</script> [l](javascript:x) *b* | c'
   WHERE id = 2;"
check_exit "5080.4.1 hostile VM names: the report is made (exit 0)" 0 report v1 --format none
ok_if "5080.4.2 ... no payload ran (string break, backquotes, newline + EOD)" no_pwned
ok_if "5080.4.3 ... no gnuplot script holds a quote, backquote or '@' from a name" \
	bash -c "! grep -l -e 'touch $T/pwned-4\"' -e '\`touch' -e '@x' '$T/r-v1/plots/'*.gp"
check_grep "5080.4.4 ... the scripts show the names as inert text" \
	'^"a\?\? system\.\.\.\?\)\? print \?" 91500 45440$' "$T/r-v1/plots/vm_cycles.gp"
check_grep "5080.4.5 ... index.html escapes the string break" \
	"a&quot;; system\(&quot;touch $T/pwned-4&quot;\); print &quot;" "$T/r-v1/index.html"
check_grep "5080.4.6 ... index.html escapes markup and backquotes" \
	'&#96;touch .*&#xfffd;EOD&#xfffd;.*@x &lt;script&gt;alert\(1\)&lt;/script&gt;' "$T/r-v1/index.html"
ok_if "5080.4.7 ... index.html has no live <script>" bash -c "! grep -q '<script' '$T/r-v1/index.html'"
check_grep "5080.4.8 ... summary.md backslash-escapes the Markdown" \
	'\\`touch .*\\@x \\<script\\>alert\\\(1\\\)\\</script\\> \\\[l\\\]\\\(javascript:x\\\) \\\*b\\\* \\\| c' \
	"$T/r-v1/summary.md"
ok_if "5080.4.9 ... summary.md keeps the name on one line" \
	bash -c "! grep -q '^EOD' '$T/r-v1/summary.md'"

# 5080.5: control sequences in meta values (OSC title, colours) never reach the terminal
hostile t1 "UPDATE meta SET value = 'p7' || char(27) || ']0;owned' || char(7) || char(27) || '[31mred'
  WHERE key = 'host';
  INSERT INTO meta VALUES ('tracepoints_absent', 'kvm_hv' || char(27) || '[2J' || char(10) || 'x');"
check_exit "5080.5.1 escape sequences in meta: exit 0" 0 report t1
cp "$OUT" "$T/t1.out"
ok_if "5080.5.2 ... stdout holds no ESC or BEL byte" bash -c "! grep -q \$'[\\x1b\\x07]' '$T/t1.out'"
check_grep "5080.5.3 ... the absent sources are shown with '?' instead" 'sources absent: kvm_hv\?\[2J\?x' "$T/t1.out"
ok_if "5080.5.4 ... index.html holds no ESC byte" bash -c "! grep -q \$'\\x1b' '$T/r-t1/index.html'"
ok_if "5080.5.5 ... summary.md holds no ESC byte" bash -c "! grep -q \$'\\x1b' '$T/r-t1/summary.md'"
hostile t2 "UPDATE replay_run SET policy = 'x' || char(27) || ']0;owned' || char(7) WHERE id = 1;"
check_exit "5080.5.6 an escape sequence in a policy: exit 2" 2 report t2
cp "$ERR" "$T/t2.err"
ok_if "5080.5.7 ... stderr holds no ESC or BEL byte" bash -c "! grep -q \$'[\\x1b\\x07]' '$T/t2.err'"

# 5080.6: the trace's own path (a file name is hostile too): quotes, backquotes, comma
weird="we\"ird,\`touch pwned-7\`.db"
cp "$base" "$T/$weird"
check_exit "5080.6.1 a trace path with quotes, backquotes and a comma: exit 0" 0 \
	bash -c 'cd "$1" && exec "$2" -o r-path --format csv "$3"' sh "$T" "$TLB_BIN/tlbreport" "$T/$weird"
check_grep "5080.6.2 ... the CSV quotes the path field (RFC 4180: quotes doubled)" \
	"^\"$T/we\"\"ird,\`touch pwned-7\`\.db\",old,1,power7," "$OUT"
ok_if "5080.6.3 ... no payload ran" no_pwned
check_grep "5080.6.4 ... the gnuplot header shows it inert" \
	"from $T/we\?ird,\?touch pwned-7\?\.db\.\$" "$T/r-path/plots/vm_cycles.gp"

# 5080.6b: text inside params (vcores, option names) is DB text too
cat > "$T/j1.sql" <<'SQL'
UPDATE replay_run SET params = replace(params, '"vcores":"per-T"',
  '"vcores":"<img src=x onerror=alert(1)>\"\u0060"');
UPDATE replay_run SET params = replace(params, '"options":{}', '"options":{"*x* [a](b) `id`":1}');
SQL
cp "$base" "$T/j1.db" && sqlite3 "$T/j1.db" < "$T/j1.sql"
check_exit "5080.6b.1 markup in params vcores and option names: exit 0" 0 report j1 --format none
check_grep "5080.6b.2 ... HTML escapes the vcores" 'vcores &lt;img src=x onerror=alert\(1\)&gt;&quot;\?' "$T/r-j1/index.html"
check_grep "5080.6b.3 ... Markdown escapes the option name" '^\| options \| \\\*x\\\* \\\[a\\\]\\\(b\\\) \\`id\\`=1 \|$' "$T/r-j1/summary.md"
ok_if "5080.6b.4 ... and neither reaches a gnuplot script" bash -c "! grep -l -e 'onerror' -e '\[a\]' '$T/r-j1/plots/'*.gp"

hostile j2 "UPDATE replay_run SET params = replace(params, '\"vcores\":\"per-T\"',
  '\"vcores\":\"' || replace(hex(zeroblob(2000)), '0', 'v') || '\"');"
check_exit "5080.6b.5 a 4000-character vcores string: reported (cut), exit 0" 0 report j2 --format none
check_grep "5080.6b.6 ... shown cut to 47 characters" '^\| vcores \| v{47} \|$' "$T/r-j2/summary.md"

# 5080.7: known names are accepted, the new ones and the legacy oracle included
hostile k1 "UPDATE replay_run SET policy = 'tracked' WHERE id = 1; UPDATE replay_run SET policy = 'optimal', machine = 'power9-hash' WHERE id = 2;"
check_exit "5080.7.1 tracked and optimal on power9-hash: refused only for mixing machines? no: exit 0" 0 \
	report k1 -m power9-hash --format none
hostile k2 "UPDATE replay_run SET policy = 'oracle' WHERE id = 1;"
check_exit "5080.7.2 legacy oracle: exit 0" 0 report k2 --format none

# 5080.8: code in the schema: triggers, views, virtual tables on the tables read
hostile s1 "CREATE TRIGGER evil AFTER UPDATE ON replay_total BEGIN SELECT 1; END;"
check_exit "5080.8.1 a trigger on replay_total: exit 2" 2 report s1
check_grep "5080.8.2 ... naming it" "refused: trigger 'evil' on table 'replay_total'" "$ERR"
hostile s2 "ALTER TABLE meta RENAME TO meta_t; CREATE VIEW meta AS WITH RECURSIVE r(key, value) AS
  (SELECT key, value FROM meta_t UNION ALL SELECT key, value FROM r) SELECT key, value FROM r;"
check_exit "5080.8.3 meta as an endless recursive view: exit 2 (at once)" 2 timeout 20 \
	"$TLB_BIN/tlbreport" -o "$T/r-s2" "$T/s2.db"
check_grep "5080.8.4 ... naming it" "refused: 'meta' is a view, not a table" "$ERR"
hostile s3 "CREATE TABLE h2 AS SELECT * FROM replay_hazard; DROP TABLE replay_hazard;
  CREATE VIEW REPLAY_HAZARD AS SELECT * FROM h2;"
check_exit "5080.8.5 a view named like replay_hazard (other case): exit 2" 2 report s3
check_grep "5080.8.6 ... naming it" "refused: 'REPLAY_HAZARD' is a view" "$ERR"
hostile s4 "CREATE TRIGGER t_ins BEFORE INSERT ON vm BEGIN SELECT RAISE(IGNORE); END;"
check_exit "5080.8.7 a trigger on vm: exit 2" 2 report s4
hostile s5 "CREATE TABLE s5t(x); CREATE TRIGGER t_other AFTER INSERT ON s5t BEGIN SELECT 1; END;"
check_exit "5080.8.8 a trigger on a table not read: accepted" 0 report s5 --format none
if sqlite3 "$T/fts.db" "CREATE VIRTUAL TABLE t USING fts5(x);" 2> /dev/null; then
	hostile s6 "DROP TABLE replay_series; CREATE VIRTUAL TABLE replay_series USING fts5(run, vm);"
	check_exit "5080.8.9 a virtual table named replay_series: exit 2" 2 report s6
else
	skip "5080.8.9 a virtual table named replay_series" "this sqlite3 has no fts5"
fi

# 5080.9: types and overflow (item 8)
hostile o1 "UPDATE replay_total SET cycles = 'abc' WHERE run = 2 AND vm = 2;"
check_exit "5080.9.1 a count that is text: exit 2" 2 report o1
check_grep "5080.9.2 ... naming the rowid and the column" 'replay_total rowid [0-9]+ \(run 2\): cycles is not a non-negative integer' "$ERR"
hostile o2 "UPDATE replay_total SET tlbie = -5 WHERE run = 1 AND vm = 1;"
check_exit "5080.9.3 a negative count: exit 2" 2 report o2
hostile o3 "DELETE FROM replay_total WHERE vm = -1;
  UPDATE replay_total SET cycles = 4611686018427387904 * 1 + 4611686018427387903 WHERE run = 1;"
check_exit "5080.9.4 per-VM cycles whose sum overflows int64: exit 2" 2 report o3
check_grep "5080.9.5 ... saying so, naming the run" 'replay_total of run 1: the sum over its VMs overflows' "$ERR"
hostile o4 "INSERT INTO replay_hazard VALUES (1, 9223372036854775807, 1, 0, 0, -9);"
check_exit "5080.9.6 a hazard whose stale span overflows int64: exit 2" 2 report o4
check_grep "5080.9.7 ... naming the rowid" 'replay_hazard rowid 3 \(run 1\): ts - marked_ts overflows' "$ERR"
hostile o5 "INSERT INTO replay_hazard VALUES (1, 'x', 1, 0, 0, 5);"
check_exit "5080.9.8 a hazard with a text ts: exit 2 naming the rowid" 2 report o5
check_grep "5080.9.9 ... naming the rowid" 'replay_hazard rowid 3 \(run 1\)' "$ERR"
hostile o6 "DELETE FROM replay_series WHERE vm = -1;
  INSERT INTO replay_series VALUES (1,1,0,0,0,0,0,0,0,0,0,0,9223372036854775807,0),
   (1,2,0,0,0,0,0,0,0,0,0,0,9223372036854775807,0);"
check_exit "5080.9.10 per-VM series whose bucket sum overflows: exit 2" 2 report o6
check_grep "5080.9.11 ... naming the row" 'replay_series rowid [0-9]+ \(run 1\): the sum over the VMs overflows' "$ERR"
hostile o7 "UPDATE replay_series SET bucket_ns = -1 WHERE run = 2 AND bucket_ns = 0;"
check_exit "5080.9.12 a negative bucket: exit 2" 2 report o7
hostile o8 "UPDATE replay_run SET bucket_ns = 'wide' WHERE id = 2;"
check_exit "5080.9.13 a bucket width that is text: exit 2" 2 report o8
check_grep "5080.9.14 ... naming the run" 'replay_run id 2: bucket_ns is not' "$ERR"
hostile o9 "ALTER TABLE replay_total DROP COLUMN tlbie;"
check_exit "5080.9.15 replay_total without a column: exit 2 (bad input, not a failed run)" 2 report o9
check_grep "5080.9.16 ... naming what is missing" 'cannot read replay_total: no such column: tlbie' "$ERR"
ok_if "5080.9.17 no hostile DB left a report or a private directory behind" \
	bash -c "cd '$T' && ! ls -d r-m1 r-p1 r-p2 r-t2 r-s1 r-s2 r-s3 r-o1 r-o3 r-o4 .tlbreport-* 2>/dev/null | grep -q ."
