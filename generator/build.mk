# tlbgen: trace generator (named problem scenarios and a parametric workload).
$(call tlb_program,tlbgen,generator/tlbgen.c generator/scenario.c generator/workload.c generator/prng.c)
# The ceiling of bench/b20-gen.sh: a bare prepared-insert loop into the same schema.
$(call tlb_test_program,bench_insert,generator/bench_insert.c)
# Unit checks of the PRNG and the option parsing helpers.
$(call tlb_test_program,prng_test,generator/prng_test.c generator/prng.c)
$(OBJ)/generator/%.o: CPPFLAGS += -Igenerator -Itests
