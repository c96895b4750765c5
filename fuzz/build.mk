# fuzz/build.mk - make fuzz: a libFuzzer target per parser, each run FUZZ_SECONDS (default 60).
#
#   fuzz_tlbimport        tlbimport's readers: trace.dat (datcheck + libtracecmd) and tracefs
#                         text, through the real mapper (collector/import/fuzz_import.c)
#   fuzz_tracedb          the trace DB reader (common/tracedb) + a tiny replay-like consumer
#   fuzz_opts_tlbcollect  option parsing of tlbcollect, tlbimport, tlbmerge, tlbgen,
#   fuzz_opts_tlbimport   tlbreplay, tlbreport (their own parse functions, argv spelled
#   fuzz_opts_tlbmerge    by the input)
#   fuzz_opts_tlbgen
#   fuzz_opts_tlbreplay
#   fuzz_opts_tlbreport
#   fuzz_textparse        tlbgen --mix, tlbreplay --option/--cost/--machine, tlbreport's
#                         params JSON and costs, hcall names, the number parsers
#
# fuzz/run.sh runs each in turn and prints, per target, executions and findings (crash
# inputs are kept in $(BUILD)/fuzz/findings/). `make fuzz FUZZ_SECONDS=10` for a short run.
# Built with clang, -fsanitize=fuzzer,address,undefined; not part of `make all`.
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_CC := clang
FUZZ_CFLAGS := -std=c11 -g -O1 -D_GNU_SOURCE -Icommon -I$(GEN) -Icollector -Icollector/import \
	       -Icollector/merge -Igenerator -Ireplay -Ianalysis -Itests \
	       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -pthread
FUZZ_COMMON := common/tracedb.c common/pscan.c common/tracewriter.c common/util.c common/hcall.c common/model.c \
	       $(GEN)/schema_v1.c $(GEN)/version.c
FUZZ_IMPORT := collector/import/reader.c collector/import/datfile.c collector/import/datcheck.c \
	       collector/import/textfile.c collector/import/mapper.c
# replay/build.mk is read after this file: its REPLAY_SRCS is not known yet here
FUZZ_REPLAY := $(filter-out replay/tlbreplay.c replay/test_%.c replay/bench_%.c,$(wildcard replay/*.c))
FUZZ_TARGETS := fuzz_tlbimport fuzz_tracedb fuzz_opts_tlbcollect fuzz_opts_tlbimport \
		fuzz_opts_tlbmerge fuzz_opts_tlbgen fuzz_opts_tlbreplay fuzz_opts_tlbreport fuzz_textparse
FUZZ_HDRS := $(wildcard fuzz/*.h common/*.h collector/*.h collector/import/*.h collector/merge/*.h)

define fuzz_link
	$(call msg,FUZZ,$@)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) $(2) -o $@ $(1) $(3) -lm
endef

$(FUZZ_DIR)/fuzz_tlbimport: collector/import/fuzz_import.c $(FUZZ_IMPORT) $(FUZZ_COMMON) $(FUZZ_HDRS)
	$(call fuzz_link,$(filter %.c,$^),$(IMPORT_PKG_CFLAGS),$(IMPORT_PKG_LIBS) -lsqlite3)
$(FUZZ_DIR)/fuzz_tracedb: fuzz/fuzz_tracedb.c $(FUZZ_COMMON) $(FUZZ_HDRS)
	$(call fuzz_link,$(filter %.c,$^),,-lsqlite3)
$(FUZZ_DIR)/fuzz_opts_tlbcollect: fuzz/fuzz_opts_tlbcollect.c $(filter-out collector/tlbcollect.c,$(TLBC_SRCS)) \
		$(FUZZ_COMMON) $(FUZZ_HDRS) collector/tlbcollect.c $(GEN)/tlbcollect.skel.h $(GEN)/tlbcollect_guest.skel.h \
		$(GEN)/tlbcollect_tf.skel.h
	$(call fuzz_link,$(filter-out collector/tlbcollect.c,$(filter %.c,$^)),,$(TLBC_LIBBPF) -lsqlite3 -lpthread)
$(FUZZ_DIR)/fuzz_opts_tlbimport: fuzz/fuzz_opts_tlbimport.c $(FUZZ_IMPORT) $(FUZZ_COMMON) $(FUZZ_HDRS) \
		collector/import/tlbimport.c
	$(call fuzz_link,$(filter-out collector/import/tlbimport.c,$(filter %.c,$^)),$(IMPORT_PKG_CFLAGS),$(IMPORT_PKG_LIBS) -lsqlite3)
$(FUZZ_DIR)/fuzz_opts_tlbmerge: fuzz/fuzz_opts_tlbmerge.c collector/merge/placement.c collector/merge/clockfit.c \
		$(FUZZ_COMMON) $(FUZZ_HDRS) collector/merge/tlbmerge.c
	$(call fuzz_link,$(filter-out collector/merge/tlbmerge.c,$(filter %.c,$^)),,-lsqlite3)
$(FUZZ_DIR)/fuzz_opts_tlbgen: fuzz/fuzz_opts_tlbgen.c generator/scenario.c generator/workload.c \
		generator/prng.c $(FUZZ_COMMON) $(FUZZ_HDRS) generator/tlbgen.c
	$(call fuzz_link,$(filter-out generator/tlbgen.c,$(filter %.c,$^)),,-lsqlite3)
$(FUZZ_DIR)/fuzz_opts_tlbreplay: fuzz/fuzz_opts_tlbreplay.c $(FUZZ_REPLAY) \
		$(FUZZ_COMMON) $(FUZZ_HDRS) replay/tlbreplay.c
	$(call fuzz_link,$(filter-out replay/tlbreplay.c,$(filter %.c,$^)),,-lsqlite3)
$(FUZZ_DIR)/fuzz_opts_tlbreport: fuzz/fuzz_opts_tlbreport.c $(filter-out analysis/tlbreport.c,$(TLBREPORT_SRCS)) \
		$(GEN)/replay_model_doc.c $(FUZZ_COMMON) $(FUZZ_HDRS) analysis/tlbreport.c
	$(call fuzz_link,$(filter-out analysis/tlbreport.c,$(filter %.c,$^)),,-lsqlite3)
$(FUZZ_DIR)/fuzz_textparse: fuzz/fuzz_textparse.c generator/workload.c generator/prng.c replay/options.c \
		replay/machine.c analysis/jsonscan.c analysis/costmodel.c $(FUZZ_COMMON) $(FUZZ_HDRS)
	$(call fuzz_link,$(filter %.c,$^),,-lsqlite3)

fuzz-build: $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))
fuzz: $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS)) $(BIN)/tlbgen
	$(Q)FUZZ_DIR=$(FUZZ_DIR) FUZZ_SECONDS=$(FUZZ_SECONDS) TLB_BIN=$(BIN) fuzz/run.sh $(FUZZ_TARGETS)
.PHONY: fuzz-build
