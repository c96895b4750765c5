# tlbreplay - top-level build.
#
#   make            build every program into build/bin (installs missing Debian packages as root)
#   make demo       the main job on the bundled samples: generate -> replay -> report
#   make check      ASan+UBSan build, then every test; last line "N passed, N failed, N skipped"
#   make bench      benchmarks against the ceilings they measure in the same run
#
# Each part adds its programs from its own PART/build.mk with $(call tlb_program,...).
# Output goes to $(BUILD) (build/ by default; make check uses build/asan). V=1 shows commands.

BUILD    ?= build
BIN      := $(BUILD)/bin
OBJ      := $(BUILD)/obj
GEN      := $(BUILD)/gen
SAN      ?= 0
V        ?= 0

CC       ?= cc
CPPFLAGS += -Icommon -I$(GEN) -D_GNU_SOURCE
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -Wall -Wextra -Werror -MMD -MP -pthread
LDLIBS   += $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3) -lm -pthread
TLB_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)

ifeq ($(SAN),1)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-6s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.DEFAULT_GOAL := all
.PHONY: all deps demo check bench clean fuzz cross-ppc64el check-pseries install test-programs

PROGRAMS :=
LIBCOMMON := $(BUILD)/libtlbcommon.a

# $(call tlb_program,NAME,SOURCES,EXTRA_LDLIBS): build/bin/NAME from SOURCES + libtlbcommon.
define tlb_program_body
PROGRAMS += $(BIN)/$(1)
$(BIN)/$(1): $(patsubst %.c,$(OBJ)/%.o,$(2)) $(LIBCOMMON)
	$$(call msg,LINK,$$@)mkdir -p $$(@D) && $$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(LIBCOMMON) $(3) $$(LDLIBS)
endef
tlb_program = $(eval $(call tlb_program_body,$(1),$(2),$(3)))

$(OBJ)/%.o: %.c | $(BUILD)/.deps-ok
	$(call msg,CC,$<)mkdir -p $(@D) && $(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The schema, compiled into every producer so that they create exactly schemas/trace-v1.sql.
$(GEN)/schema_v1.c: schemas/trace-v1.sql
	$(call msg,GEN,$@)mkdir -p $(@D) && awk 'BEGIN { print "const char tlb_schema_v1_sql[] =" } \
	  { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); printf "\"%s\\n\"\n", $$0 } END { print ";" }' $< > $@

$(OBJ)/gen/schema_v1.o: $(GEN)/schema_v1.c
	$(call msg,CC,$<)mkdir -p $(@D) && $(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The version string lives in one generated file, rewritten only when `git describe`
# changes, so that a commit relinks the programs instead of leaving them with an old one.
$(GEN)/version.c: FORCE
	$(Q)mkdir -p $(@D); v='const char tlb_version[] = "$(TLB_VERSION)";'; \
	  [ -f $@ ] && [ "$$(cat $@)" = "$$v" ] || echo "$$v" > $@
FORCE:
.PHONY: FORCE

$(OBJ)/gen/version.o: $(GEN)/version.c
	$(call msg,CC,$<)mkdir -p $(@D) && $(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

COMMON_SRCS := $(wildcard common/*.c)
$(LIBCOMMON): $(patsubst %.c,$(OBJ)/%.o,$(COMMON_SRCS)) $(OBJ)/gen/schema_v1.o $(OBJ)/gen/version.o
	$(call msg,AR,$@)rm -f $@ && ar rcs $@ $^

# C test programs (tests/*.c and each part's), built into $(BUILD)/test.
TEST_PROGRAMS :=
define tlb_test_program_body
TEST_PROGRAMS += $(BUILD)/test/$(1)
$(BUILD)/test/$(1): $(patsubst %.c,$(OBJ)/%.o,$(2)) $(LIBCOMMON)
	$$(call msg,LINK,$$@)mkdir -p $$(@D) && $$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(LIBCOMMON) $(3) $$(LDLIBS)
endef
tlb_test_program = $(eval $(call tlb_test_program_body,$(1),$(2),$(3)))
# Each part's programs, tests and extra targets.
include $(sort $(wildcard */build.mk */*/build.mk))

all: deps $(PROGRAMS)

# Installs what is missing (as root; otherwise says what to install) once per build dir.
# The part makefiles ask pkg-config and clang for flags while they are read, so the
# packages must be there before that: the stamp is an included makefile, and when make
# has to create it, it installs the packages, then starts again and reads every flag
# afresh (a fresh machine's first `make demo` works; no second run needed).
deps: $(BUILD)/.deps-ok
$(BUILD)/.deps-ok: scripts/install-deps.sh $(wildcard scripts/deps/*.list)
	$(Q)scripts/install-deps.sh build
	$(Q)mkdir -p $(@D) && echo '# the packages of scripts/deps/build.list are installed' > $@
ifeq ($(filter clean,$(MAKECMDGOALS)),)
include $(BUILD)/.deps-ok
endif

demo: all
	$(Q)scripts/demo.sh $(BIN)

# Tests run against the sanitizer build; the normal build must also compile cleanly.
# The tests' own packages (check.list: python3, chromium, file) come first: a fresh
# machine has none of them, and a test only installs what it alone needs.
check:
	$(Q)scripts/install-deps.sh build
	$(Q)scripts/install-deps.sh check || echo "check: the tests that need scripts/deps/check.list will skip" >&2
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all test-programs
	$(Q)TLB_BIN=$(CURDIR)/build/asan/bin TLB_TESTBIN=$(CURDIR)/build/asan/test \
	  TLB_RELEASE_BIN=$(CURDIR)/build/bin tests/run

bench: all test-programs
	$(Q)TLB_BIN=$(CURDIR)/$(BIN) TLB_TESTBIN=$(CURDIR)/$(BUILD)/test bench/run

test-programs: $(TEST_PROGRAMS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin && install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
PREFIX ?= /usr/local

clean:
	rm -rf build

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
