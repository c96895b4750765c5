# pseries/build.mk - real POWER guests under QEMU: the cross build and the pseries check.
#
#   make cross-ppc64el    static ppc64el binaries for a busybox guest, in build/ppc64el:
#                           build/ppc64el/bin/tlbcollect   (collector/, cross-built by a
#                                                           recursive make with ARCH/STATIC/CC)
#                           build/ppc64el/pseries/hcallcount  (this part's BPF witness)
#                           build/ppc64el/pseries/workload    (fork/mmap/munmap load)
#                           build/ppc64el/pseries/clocksync   (guest clock on the console)
#   make check-pseries    boots Debian's ppc64el 6.1 kernel as a 4-vcpu POWER8 pseries guest
#                         (hash MMU), records it from inside (tlbcollect --guest) and from the
#                         host (tlbcollect on QEMU's vcpu threads), merges, checks, replays.
#
# Downloads (kernel, busybox, ppc64el library debs) are cached in build/pseries by
# pseries/deps.sh; these paths do not follow BUILD, so every build dir shares one cache.

PS_CACHE   := build/pseries
PS_X       := build/ppc64el
PS_XOUT    := $(PS_X)/pseries
PS_SYSROOT := $(PS_CACHE)/sysroot
PS_TRIPLE  := powerpc64le-linux-gnu
PS_CC      := $(PS_TRIPLE)-gcc
PS_LIBDIR  := $(PS_SYSROOT)/usr/lib/$(PS_TRIPLE)
PS_CFLAGS  := -std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
              -I$(PS_SYSROOT)/usr/include -I$(PS_XOUT) -Ipseries
PS_LDFLAGS := -static -L$(PS_LIBDIR)
PS_BPFLIBS := -lbpf -lelf -lz
PS_BPFCFLAGS := -g -O2 -target bpfel -D__TARGET_ARCH_powerpc \
              -I$(PS_SYSROOT)/usr/include -I/usr/$(PS_TRIPLE)/include -Ipseries

$(PS_CACHE)/.deps-ok: pseries/deps.sh scripts/deps/pseries.list
	$(call msg,DEPS,pseries)pseries/deps.sh $(PS_CACHE) && touch $@

$(PS_XOUT)/hcallcount.bpf.o: pseries/hcallcount.bpf.c pseries/hcallcount.h $(PS_CACHE)/.deps-ok
	$(call msg,BPF,$@)mkdir -p $(@D) && clang $(PS_BPFCFLAGS) -c -o $@ $< && llvm-strip -g $@

$(PS_XOUT)/hcallcount.skel.h: $(PS_XOUT)/hcallcount.bpf.o pseries/build.mk
	$(call msg,GEN,$@)bpftool gen skeleton $< name hcallcount_bpf > $@.tmp && mv $@.tmp $@

$(PS_XOUT)/hcallcount: pseries/hcallcount.c pseries/hcallcount.h $(PS_XOUT)/hcallcount.skel.h
	$(call msg,XCC,$@)$(PS_CC) $(PS_CFLAGS) $(PS_LDFLAGS) -o $@ $< $(PS_BPFLIBS)

$(PS_XOUT)/workload: pseries/workload.c $(PS_CACHE)/.deps-ok
	$(call msg,XCC,$@)mkdir -p $(@D) && $(PS_CC) $(PS_CFLAGS) $(PS_LDFLAGS) -o $@ $<

$(PS_XOUT)/clocksync: pseries/clocksync.c $(PS_CACHE)/.deps-ok
	$(call msg,XCC,$@)mkdir -p $(@D) && $(PS_CC) $(PS_CFLAGS) $(PS_LDFLAGS) -o $@ $<

# tlbcollect for ppc64el: the whole tree's make with the cross compiler into $(PS_X), the
# way collector/build.mk documents it (ARCH=powerpc for the BPF target, STATIC=1), with
# pkg-config pointed at the ppc64el sysroot. CPPFLAGS and LDFLAGS go through the
# environment: on the command line they would replace the top Makefile's own +=.
PS_XMAKE = CPPFLAGS='-I$(CURDIR)/$(PS_SYSROOT)/usr/include' LDFLAGS='-static' \
	PKG_CONFIG_LIBDIR=$(CURDIR)/$(PS_LIBDIR)/pkgconfig PKG_CONFIG_SYSROOT_DIR=$(CURDIR)/$(PS_SYSROOT) \
	$(MAKE) --no-print-directory BUILD=$(PS_X) ARCH=powerpc STATIC=1 CC=$(PS_CC)

.PHONY: cross-ppc64el-tlbcollect
cross-ppc64el-tlbcollect: $(PS_CACHE)/.deps-ok
	@if [ -f collector/build.mk ] && grep -q tlbcollect collector/build.mk; then \
	  $(PS_XMAKE) $(PS_X)/bin/tlbcollect; \
	else echo "  SKIP   tlbcollect for ppc64el: collector/build.mk does not build it yet"; fi

cross-ppc64el: $(PS_XOUT)/hcallcount $(PS_XOUT)/workload $(PS_XOUT)/clocksync cross-ppc64el-tlbcollect

# The host programs are named in the recipe, not as prerequisites: parts included after
# this file (replay/) have not added theirs to PROGRAMS yet when this line is read.
check-pseries: cross-ppc64el $(BUILD)/test/hcallcmp $(BUILD)/test/linestamp
	$(Q)$(MAKE) --no-print-directory $(filter $(BIN)/tlbcollect $(BIN)/tlbmerge $(BIN)/tlbreplay,$(PROGRAMS))
	$(Q)TLB_BIN=$(CURDIR)/$(BIN) TLB_TESTBIN=$(CURDIR)/$(BUILD)/test pseries/check.sh

# The judge of the counts, a host program with the one hcall table (build/test/hcallcmp).
$(call tlb_test_program,hcallcmp,pseries/hcallcmp.c)
# The host's half of the clock check: console lines stamped with CLOCK_MONOTONIC.
$(call tlb_test_program,linestamp,pseries/linestamp.c)
