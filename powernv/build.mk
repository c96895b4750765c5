# powernv/build.mk - an emulated POWER KVM host (QEMU powernv8/powernv9, kvm_hv): the VMM
# and the host-side check.
#
#   make powernv-cross   build/ppc64el/powernv/vmm (static ppc64el, the VMM), .../memout (the
#                        results back through guest memory) and
#                        build/powernv/kmod/ (kvm.ko, kvm-hv.ko from the kernel deb that
#                        pseries/deps.sh downloads), plus `make cross-ppc64el` (tlbcollect)
#   make check-powernv   boots powernv8 and powernv9, runs the VMM while tlbcollect records
#                        on the emulated host, checks the DB against the VMM's log
#                        (powernv/check.sh); then the nested run: a real Linux pseries guest
#                        under that kvm_hv, tlbcollect on both sides, merged and replayed
#                        (powernv/nested.sh, checked by tests/t6330-powernv-nested.sh)
#   make check-nested    only the nested run and its checks
# Paths do not follow BUILD: one cache for every build dir, like pseries/.

PN_OUT := build/ppc64el/powernv
PN_KMOD := build/powernv/kmod
# (included before pseries/build.mk: its variables are only used in recipes here)

$(PN_OUT)/vmm: powernv/vmm.c build/pseries/.deps-ok
	$(call msg,XCC,$@)mkdir -p $(@D) && $(PS_CC) $(PS_CFLAGS) $(PS_LDFLAGS) -o $@ $< -lpthread

$(PN_OUT)/memout: powernv/memout.c build/pseries/.deps-ok
	$(call msg,XCC,$@)mkdir -p $(@D) && $(PS_CC) $(PS_CFLAGS) $(PS_LDFLAGS) -o $@ $<

$(PN_KMOD)/.ok: build/pseries/.deps-ok
	$(call msg,DEB,$(PN_KMOD))rm -rf $(@D) && mkdir -p $(@D) && \
	  dpkg-deb --fsys-tarfile $$(ls $(PS_CACHE)/debs/linux-image-6.1.0-*-powerpc64le_*_ppc64el.deb | sort -V | tail -1) | \
	  tar -x -C $(@D) --wildcards '*/kernel/arch/powerpc/kvm/kvm.ko' '*/kernel/arch/powerpc/kvm/kvm-hv.ko' && touch $@

.PHONY: powernv-cross check-powernv check-nested
powernv-cross: cross-ppc64el $(PN_OUT)/vmm $(PN_OUT)/memout $(PN_KMOD)/.ok

check-powernv: powernv-cross
	$(Q)$(MAKE) --no-print-directory $(filter $(BIN)/tlbreplay,$(PROGRAMS))
	$(Q)TLB_BIN=$(CURDIR)/$(BIN) powernv/check.sh
	$(Q)$(MAKE) --no-print-directory check-nested

# the test prints TAP; a failed check makes the target fail
check-nested: powernv-cross
	$(Q)$(MAKE) --no-print-directory $(filter $(BIN)/tlbreplay $(BIN)/tlbmerge,$(PROGRAMS))
	$(Q)mkdir -p $(dir $(PN_NESTED_LOG)) && TLB_BIN=$(CURDIR)/$(BIN) TLB_RELEASE_BIN=$(CURDIR)/$(BIN) bash tests/t6330-powernv-nested.sh | tee $(PN_NESTED_LOG) && \
	  ! grep -q '^not ok' $(PN_NESTED_LOG)
PN_NESTED_LOG := build/nested/check.tap
