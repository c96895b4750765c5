#!/usr/bin/env bash
# powernv/hcall-offset.sh HOST.db GUEST.db - the clock relation of a nested capture, from
# the hcalls both sides saw.
#
# Owns one fact: an hcall that kvm_hv hands to the VMM (QEMU) is recorded twice, by
# tlbcollect --guest inside the guest (powerpc:hcall_entry, just before the sc) and by
# tlbcollect on the host (kvm_hv:kvm_hcall_enter, just after the exit). The console's
# H_GET_TERM_CHAR (0x54) and H_PUT_TERM_CHAR (0x58) always go that way (QEMU's spapr-vty
# serves them; POWER8's real-mode handlers never do), so the guest's sequence of them is
# a contiguous run of the host's. Both clocks count the one timebase (a KVM guest's is the
# host's plus a constant tb_offset), so the rate is 1 and host_ns = guest_ns + offset.
# Prints "offset NS spread NS pairs N": offset = the smallest difference, over the matched
# pairs, between the host's guest_exit for the hcall and the guest's record, less 1 ns (the
# guest's record comes before that exit: every guest hcall then falls inside a run of its
# vcpu on the host); spread = largest - smallest difference (the alignment's uncertainty). Exit 0, 1 when no run of the host's matches the
# guest's (or fewer than 4 pairs), 2 on bad usage.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: powernv/hcall-offset.sh HOST.db GUEST.db" >&2; exit 2; }
for f in "$1" "$2"; do [ -f "$f" ] || { echo "powernv/hcall-offset.sh: no such DB $f" >&2; exit 2; }; done
sel="select e.ts, e.a0 from event e join event_kind k on k.id = e.kind
     where k.name = 'hcall' and e.a0 in (84, 88) order by e.ts, e.rowid"
# On the host, the time that counts is the vcpu's exit for the hcall (the last guest_exit
# of its vcpu before the kvm_hcall_enter record): the guest made the call before it.
hsel="select coalesce((select max(x.ts) from event x where x.kind = (select id from event_kind
                 where name = 'guest_exit') and x.vcpu = e.vcpu and x.vm = e.vm and x.ts <= e.ts), e.ts), e.a0
      from event e join event_kind k on k.id = e.kind
      where k.name = 'hcall' and e.a0 in (84, 88) order by e.ts, e.rowid"
# host lines first, then "--", then the guest's: one awk, no SQL from the data
{ sqlite3 -separator ' ' "$1" "$hsel"; echo --; sqlite3 -separator ' ' "$2" "$sel"; } | awk '
	$0 == "--" { g = 1; next }
	!g { nh++; hts[nh] = $1; hop[nh] = $2; next }
	{ ng++; gts[ng] = $1; gop[ng] = $2 }
	END {
		if (ng < 4) { print "powernv/hcall-offset.sh: only " ng + 0 " console hcalls in the guest capture" > "/dev/stderr"; exit 1 }
		best = -1
		for (j = 0; j + ng <= nh; j++) {
			lo = ""; hi = ""
			for (i = 1; i <= ng; i++) {
				if (hop[j + i] != gop[i]) break
				d = hts[j + i] - gts[i]
				if (lo == "" || d < lo) lo = d
				if (hi == "" || d > hi) hi = d
			}
			if (i <= ng) continue
			if (best < 0 || hi - lo < bspread) { best = j; bspread = hi - lo; blo = lo }
		}
		if (best < 0) { print "powernv/hcall-offset.sh: no run of the host console hcalls (" nh ") matches the guest ones (" ng ")" > "/dev/stderr"; exit 1 }
		printf "offset %.0f spread %.0f pairs %d\n", blo - 1, bspread, ng
	}'
