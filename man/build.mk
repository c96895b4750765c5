# man/build.mk - the manual pages: man/NAME.1.scd (scdoc source, written by hand to
# the suite's option table) -> $(BUILD)/man/NAME.1 (troff), installed by `make install`.
#
#   make man           every page; `man -l build/man/tlbreplay.1` reads one
#
# tests/t7001-man-options checks every option line of each program's --help against
# its page, so a page cannot drift from the program it documents.

MAN_SRCS  := $(sort $(wildcard man/*.scd))
MAN_PAGES := $(patsubst man/%.scd,$(BUILD)/man/%,$(MAN_SRCS))
PREFIX    ?= /usr/local
MANDIR    ?= $(PREFIX)/share/man

.PHONY: man install-man
man: $(MAN_PAGES)

# scdoc comes with the packaging tools (scripts/deps/deb.list).
$(BUILD)/.deb-deps-ok: scripts/install-deps.sh scripts/deps/deb.list
	$(Q)scripts/install-deps.sh deb
	$(Q)mkdir -p $(@D) && touch $@

$(BUILD)/man/%: man/%.scd | $(BUILD)/.deb-deps-ok
	$(call msg,SCDOC,$@)mkdir -p $(@D) && scdoc < $< > $@.tmp && mv $@.tmp $@

install: install-man
install-man: man
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
