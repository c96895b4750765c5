# tlbmerge: host trace + guest traces -> one trace, guest events placed on host threads.
MERGE_SRCS := collector/merge/tlbmerge.c collector/merge/placement.c collector/merge/clockfit.c
$(call tlb_program,tlbmerge,$(MERGE_SRCS),)
