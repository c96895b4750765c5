#!/usr/bin/env bash
# t7101-slurm-scripts-usage: what deploy/slurm/*.sbatch refuse before anything reaches
# Slurm (no cluster needed): each with exit 2 and the reason, and no list written for a
# refused replay.sbatch input. The list a valid call writes is checked with a stand-in
# sbatch on PATH that prints its arguments instead of submitting.
. "$(dirname "$0")/lib.sh"
SB=$ROOT/deploy/slurm
cd "$T" || exit 1
check_exit "7101.1 capture.sbatch outside a Slurm job" 2 env -u SLURM_JOB_ID "$SB/capture.sbatch" "$T" 5
check_grep "7101.2 ... says to submit it" "not in a Slurm job" "$ERR"
check_exit "7101.3 capture.sbatch with a bad duration" 2 env SLURM_JOB_ID=1 "$SB/capture.sbatch" "$T" 5s
check_grep "7101.4 ... names it" "SECONDS must be a whole number, not '5s'" "$ERR"
check_exit "7101.5 capture.sbatch into a missing directory" 2 env SLURM_JOB_ID=1 "$SB/capture.sbatch" "$T/none" 5
check_exit "7101.6 capture.sbatch without arguments" 2 "$SB/capture.sbatch"

mkdir -p caps
for i in 2 1 3; do : > "caps/c$i.db"; done
: > "caps/not-a-capture.txt"
check_exit "7101.7 replay.sbatch without captures" 2 "$SB/replay.sbatch"
check_exit "7101.8 replay.sbatch with a missing capture" 2 "$SB/replay.sbatch" "$T/none.db"
check_grep "7101.9 ... names it" "cannot read $T/none.db: no such capture or directory" "$ERR"
check_exit "7101.10 a bad machine list" 2 "$SB/replay.sbatch" -m 'power8;rm' caps
check_exit "7101.11 an empty directory" 2 sh -c 'mkdir -p "$1/empty" && "$2/replay.sbatch" "$1/empty"' _ "$T" "$SB"
check_grep "7101.12 ... says there is no capture" "no capture \(\*\.db\)" "$ERR"
mkdir -p nl && : > "nl/a
b.db"
check_exit "7101.13 a capture name with a line break is refused" 2 env TLB_REPLAY_LIST="$T/nl.list" "$SB/replay.sbatch" "$T/nl"
check_exit "7101.14 replay.sbatch inside a job" 2 env SLURM_JOB_ID=5 "$SB/replay.sbatch" caps
check_exit "7101.15 --throttle 0" 2 "$SB/replay.sbatch" --throttle 0 caps

# A stand-in sbatch: what would be submitted.
mkdir -p fakebin
printf '#!/bin/sh\nfor a in "$@"; do printf "[%%s]" "$a"; done; echo\n' > fakebin/sbatch
chmod +x fakebin/sbatch
check_exit "7101.16 a valid call submits" 0 env PATH="$T/fakebin:$PATH" TLB_REPLAY_LIST="$T/ok.list" \
	"$SB/replay.sbatch" -m power8,power9-hash --per-setting --throttle 4 -p batch caps "$T/caps/c2.db" -- -c tlbie=400
check_eq "7101.17 the list: the directory's *.db sorted, then the file given" \
	"$(printf '%s\n' "$T/caps/c1.db" "$T/caps/c2.db" "$T/caps/c3.db" "$T/caps/c2.db")" "$(cat "$T/ok.list")"
check_eq "7101.18 sbatch: 4 captures x 2 machines, throttled, its options, then the task's arguments" \
	"[--parsable][--array=0-7%4][-p][batch][$SB/replay.sbatch][--task][$T/ok.list][power8,power9-hash][1][--][-c][tlbie=400]" \
	"$(cat "$OUT")"
check_eq "7101.19 the refused calls left no list behind" "ok.list" "$(cd "$T" && ls -- *.list* 2>&1 | paste -sd' ')"
