# tlbimport: trace.dat (libtracecmd + libtraceevent) or tracefs text -> trace DB.
IMPORT_SRCS := collector/import/tlbimport.c collector/import/reader.c collector/import/datfile.c \
               collector/import/datcheck.c collector/import/textfile.c collector/import/mapper.c
IMPORT_PKG_CFLAGS := $(shell pkg-config --cflags libtracecmd libtraceevent 2>/dev/null)
IMPORT_PKG_LIBS := $(shell pkg-config --libs libtracecmd libtraceevent 2>/dev/null || echo -ltracecmd -ltraceevent)
$(OBJ)/collector/import/%.o: CPPFLAGS += $(IMPORT_PKG_CFLAGS)
$(call tlb_program,tlbimport,$(IMPORT_SRCS),$(IMPORT_PKG_LIBS))

# make fuzz: a libFuzzer target over the reader and the mapper (clang), run for FUZZ_SECONDS.
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_IMPORT_SRCS := collector/import/fuzz_import.c collector/import/reader.c collector/import/datfile.c \
                    collector/import/datcheck.c collector/import/textfile.c collector/import/mapper.c common/hcall.c common/util.c
$(FUZZ_DIR)/fuzz_tlbimport: $(FUZZ_IMPORT_SRCS) $(wildcard collector/import/*.h common/*.h)
	$(call msg,FUZZ,$@)mkdir -p $(@D) && clang -std=c11 -g -O1 -D_GNU_SOURCE -Icommon $(IMPORT_PKG_CFLAGS) \
	  -fsanitize=fuzzer,address,undefined -o $@ $(FUZZ_IMPORT_SRCS) $(IMPORT_PKG_LIBS) -lm
fuzz: $(FUZZ_DIR)/fuzz_tlbimport
	$(Q)mkdir -p $(FUZZ_DIR)/corpus-import && cp -n samples/tracedat/*.dat samples/tracedat/*.txt $(FUZZ_DIR)/corpus-import/ 2>/dev/null; \
	  $(FUZZ_DIR)/fuzz_tlbimport -max_total_time=$(FUZZ_SECONDS) -max_len=262144 $(FUZZ_DIR)/corpus-import

# The mapper's KVM rules, event by event (tests/t4006-import-kvm-rules.sh).
$(call tlb_test_program,import_mapper_test,collector/import/mapper_test.c collector/import/mapper.c,)
$(OBJ)/collector/import/mapper_test.o: CPPFLAGS += -Itests
