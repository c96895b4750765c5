#!/usr/bin/awk -f
# pseries/tracecounts.awk - hcall counts from a tracefs `trace` text, in one time window.
#
# Owns reading the guest's own reference: powerpc:hcall_entry / hcall_exit lines of a
# tracefs instance with trace_clock=mono ("... [CPU] FLAGS SECS.USECS: hcall_entry:
# opcode=N" and "hcall_exit: opcode=N retval=R"), counted when START <= ts <= STOP
# (CLOCK_MONOTONIC ns; ts has microsecond resolution). Output, in hcallcount's format:
#   entry 0xOPCODE COUNT            exit 0xOPCODE RC COUNT
# plus "lines N" (hcall lines in the whole file), "first_ns/last_ns" of the window's, and
# "nested 0xOPCODE N": calls of OPCODE during which another hcall entered on the same cpu
# (an interrupt's H_XIRR / H_EOI / H_IPI) inside the window.
# USAGE: awk -v start=NS -v stop=NS -f pseries/tracecounts.awk trace.txt
BEGIN { if (start == "" || stop == "") { print "tracecounts.awk: need -v start=NS -v stop=NS" > "/dev/stderr"; exit 2 } }
/ hcall_(entry|exit): / {
	for (i = 2; i <= NF; i++)
		if ($i == "hcall_entry:" || $i == "hcall_exit:")
			break
	if (i > NF)
		next
	lines++
	cpu = ""
	for (j = 1; j < i; j++)
		if ($j ~ /^\[[0-9]+\]$/)
			cpu = $j
	ts = $(i - 1)
	sub(/:$/, "", ts)
	split(ts, p, ".")
	ns = p[1] * 1000000000 + p[2] * 1000
	op = $(i + 1)
	sub(/^opcode=/, "", op)
	# hcalls nest: an interrupt between a call's entry and exit makes its own calls
	# (entries before a cpu's first traced exit may have had their exit before hcall_exit
	# was enabled: tracking starts at that first exit)
	if ($i == "hcall_entry:") {
		if (cpu in tracking) {
			d = depth[cpu]
			if (d > 0 && !marked[cpu, d] && ns >= start && ns <= stop) {
				nested[stack[cpu, d]]++	# once per interrupted call
				marked[cpu, d] = 1
			}
			stack[cpu, ++depth[cpu]] = op
			marked[cpu, depth[cpu]] = 0
		}
	} else if (!(cpu in tracking)) {
		tracking[cpu] = 1
		depth[cpu] = 0
	} else {
		for (d = depth[cpu]; d > 0 && stack[cpu, d] != op; d--)
			;
		if (d > 0)
			depth[cpu] = d - 1
	}
	if (ns < start || ns > stop)
		next
	if ($i == "hcall_entry:") {
		entry[op]++
	} else {
		rc = $(i + 2)
		sub(/^retval=/, "", rc)
		exit_[op " " rc]++
	}
	if (first == "" || ns < first) first = ns
	if (ns > last) last = ns
}
END {
	for (op in entry)
		printf "entry 0x%x %d\n", op, entry[op]
	for (k in exit_) {
		split(k, q, " ")
		printf "exit 0x%x %d %d\n", q[1], q[2], exit_[k]
	}
	for (op in nested)
		printf "nested 0x%x %d\n", op, nested[op]
	printf "lines %d\nfirst_ns %.0f\nlast_ns %.0f\n", lines, first, last
}
