# replay/: the engine and tlbreplay (issue 2, items 2 and 3), and the scan ceiling of its bench.
REPLAY_SRCS := replay/tlbreplay.c replay/engine.c replay/store.c replay/output.c \
	replay/machine.c replay/options.c replay/policy.c replay/policy_old.c \
	replay/policy_new.c replay/policy_modern.c replay/policy_tracked.c replay/policy_optimal.c \
	replay/mincut.c replay/timeline.c replay/policy_radix.c \
	replay/stale.c replay/needmask.c replay/idmap.c replay/acc.c \
	replay/filter.c replay/inputcheck.c replay/bucket.c \
	replay/traceset.c replay/resume.c replay/jobs.c \
	replay/settings.c replay/multirun.c replay/multiout.c
$(call tlb_program,tlbreplay,$(REPLAY_SRCS),)
$(call tlb_test_program,replay_bench_scan,replay/bench_scan.c,)
$(call tlb_test_program,replay_units,replay/test_units.c replay/machine.c replay/options.c \
	replay/stale.c replay/needmask.c replay/idmap.c replay/mincut.c \
	replay/bucket.c replay/filter.c,)
$(call tlb_test_program,replay_brute,replay/test_brute.c,)
