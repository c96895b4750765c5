# tlbimport: trace.dat (libtracecmd + libtraceevent) or tracefs text -> trace DB.
IMPORT_SRCS := collector/import/tlbimport.c collector/import/reader.c collector/import/datfile.c \
               collector/import/datcheck.c collector/import/textfile.c collector/import/mapper.c
IMPORT_PKG_CFLAGS := $(shell pkg-config --cflags libtracecmd libtraceevent 2>/dev/null)
IMPORT_PKG_LIBS := $(shell pkg-config --libs libtracecmd libtraceevent 2>/dev/null || echo -ltracecmd -ltraceevent)
$(OBJ)/collector/import/%.o: CPPFLAGS += $(IMPORT_PKG_CFLAGS)
$(call tlb_program,tlbimport,$(IMPORT_SRCS),$(IMPORT_PKG_LIBS))

# make fuzz: fuzz/build.mk (the importer's targets: collector/import/fuzz_import.c, fuzz/).

# The mapper's KVM rules, event by event (tests/t4006-import-kvm-rules.sh).
$(call tlb_test_program,import_mapper_test,collector/import/mapper_test.c collector/import/mapper.c,)
$(OBJ)/collector/import/mapper_test.o: CPPFLAGS += -Itests
