#!/usr/bin/env bash
# t7002-make-install: `make install DESTDIR=D PREFIX=P` puts the programs in D/P/bin, the
# man pages in D/P/share/man/man1, the docs in D/P/share/doc/tlbreplay and the fleet
# scripts in D/P/share/tlbreplay, and nothing anywhere else; the installed pages open
# with man and the installed programs run from there.
. "$(dirname "$0")/lib.sh"
need_cmd scdoc || { need_root && "$ROOT/scripts/install-deps.sh" deb > /dev/null 2>&1; } ||
	skip_all "no scdoc to build the man pages (scripts/install-deps.sh deb)"
need_cmd man || skip_all "no man"
stage=$T/stage
ok_if "7002.1 make install DESTDIR=... PREFIX=/opt/tlb" make -C "$ROOT" --no-print-directory install DESTDIR="$stage" PREFIX=/opt/tlb
expected="opt/tlb/bin/tlbcollect
opt/tlb/bin/tlbgen
opt/tlb/bin/tlbimport
opt/tlb/bin/tlbmerge
opt/tlb/bin/tlbreplay
opt/tlb/bin/tlbreport
opt/tlb/share/doc/tlbreplay/README.collector.md
opt/tlb/share/doc/tlbreplay/README.fleet.md
opt/tlb/share/doc/tlbreplay/README.md
opt/tlb/share/man/man1/tlbcollect.1
opt/tlb/share/man/man1/tlbgen.1
opt/tlb/share/man/man1/tlbimport.1
opt/tlb/share/man/man1/tlbmerge.1
opt/tlb/share/man/man1/tlbreplay.1
opt/tlb/share/man/man1/tlbreport.1
opt/tlb/share/tlbreplay/fleet-db.sh
opt/tlb/share/tlbreplay/slurm/capture.sbatch
opt/tlb/share/tlbreplay/slurm/replay.sbatch"
check_eq "7002.2 exactly these files, under DESTDIR/PREFIX" "$expected" \
	"$(cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)"
check_eq "7002.3 programs and scripts executable, pages and docs not" "" \
	"$(cd "$stage/opt/tlb" && for f in bin/* share/tlbreplay/fleet-db.sh share/tlbreplay/slurm/*; do [ -x "$f" ] || echo "$f"; done;
	   for f in share/man/man1/* share/doc/tlbreplay/*; do [ -x "$f" ] && echo "$f"; done)"
check_eq "7002.4 man finds every page in the staged MANPATH" \
	"$(for p in tlbcollect tlbgen tlbimport tlbmerge tlbreplay tlbreport; do echo "$stage/opt/tlb/share/man/man1/$p.1"; done)" \
	"$(for p in tlbcollect tlbgen tlbimport tlbmerge tlbreplay tlbreport; do MANPATH=$stage/opt/tlb/share/man man -w "$p" 2>&1; done)"
check_exit "7002.5 an installed program runs" 0 "$stage/opt/tlb/bin/tlbreplay" --version
