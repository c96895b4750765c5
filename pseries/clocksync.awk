#!/usr/bin/awk -f
# pseries/clocksync.awk - the guest/host clock relation from the console, against tlbmerge's.
#
# Owns the arithmetic of the harness's clock check. Input: pseries/run.sh's console.log,
# whose lines read "HOST_NS text"; the guest's pseries/clocksync wrote "harness: sync I
# GUEST_NS" lines in two batches (before and after the checked window). For each line
# d = HOST_NS - GUEST_NS = (host - guest clock offset) + delivery latency >= the offset,
# so the least d of a batch is that batch's best estimate. Variables (-v):
#   gcs, hcs   clock_start_ns of the guest and the host DB (their ts = mono - clock_start)
#   off, rate  tlbmerge's relation host_ts = off + rate * guest_ts
#   mid        a guest CLOCK_MONOTONIC instant to compare at (the window's middle)
# Output lines "key value": sync_lines, sync_offset_ns (least d), sync_spread_ns (largest
# minus least d: the latency scale), sync_drift_ns (least d of the second batch minus the
# first's), sync_span_ns, merge_error_ns (tlbmerge's host time for mid minus the sync's),
# tolerance_ns (the larger of 5 ms and twice the spread), sync_merge_offset_ns (what
# tlbmerge --offset takes for rate 1: the host ts at guest ts 0).
/ harness: sync [0-9]+ [0-9]+/ {
	for (i = 2; i <= NF; i++)
		if ($i == "sync")
			break
	host = $1 + 0
	sub(/\r$/, "", $(i + 2))
	guest = $(i + 2) + 0
	idx = $(i + 1) + 0
	d = host - guest
	n++
	if (idx == 0)
		batch++
	if (!(batch in best) || d < best[batch]) { best[batch] = d; at[batch] = guest }
	if (n == 1 || d < lo) lo = d
	if (n == 1 || d > hi) hi = d
}
END {
	if (n == 0) {
		print "clocksync.awk: no sync lines in the console" > "/dev/stderr"
		exit 1
	}
	printf "sync_lines %d\nsync_batches %d\nsync_offset_ns %.0f\nsync_spread_ns %.0f\n", n, batch, lo, hi - lo
	if (batch >= 2)
		printf "sync_drift_ns %.0f\nsync_span_ns %.0f\n", best[batch] - best[1], at[batch] - at[1]
	if (off != "" && rate != "" && gcs != "" && hcs != "" && mid != "") {
		merged = off + rate * (mid - gcs)	# host ts tlbmerge gives the guest instant mid
		synced = mid + lo - hcs			# host ts the console sync gives it
		tol = 2 * (hi - lo)
		if (tol < 5000000)
			tol = 5000000
		printf "merge_error_ns %.0f\ntolerance_ns %.0f\n", merged - synced, tol
	}
	if (gcs != "" && hcs != "") {
		# tlbmerge --offset for rate 1: host ts at guest ts 0
		printf "sync_merge_offset_ns %.0f\n", lo + gcs - hcs
	}
}
