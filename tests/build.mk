# Test programs of the shared modules (common/).
$(call tlb_test_program,tracedb_test,tests/tracedb_test.c)
$(OBJ)/tests/%.o: CPPFLAGS += -Itests
$(call tlb_test_program,pscan_test,tests/pscan_test.c)
