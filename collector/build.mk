# collector/build.mk - tlbcollect, the libbpf CO-RE collector (the libbpf-tools way).
#
#   vmlinux.h     generated from the build machine's BTF into $(GEN) with bpftool
#   *.bpf.o       clang -g -O2 -target bpf -D__TARGET_ARCH_$(TLBC_ARCH), BTF kept, DWARF stripped
#   *.skel.h      bpftool gen skeleton, embedded in the binary (nothing to install beside it)
#   tlbcollect    user side: libbpf (pkg-config libbpf) + libtlbcommon + pthread
#
# Variables (all overridable on the command line):
#   ARCH          BPF target arch: x86, powerpc, arm64, or a `uname -m` name
#                 (x86_64, ppc64le, aarch64); default: this machine's. Others are refused.
#   VMLINUX_BTF   BTF the host programs are compiled against   /sys/kernel/btf/vmlinux
#   CLANG, LLVM_STRIP, BPFTOOL, PKG_CONFIG                      the tools
#   STATIC=1      link libbpf and its libraries statically (pkg-config --static)
#   TLBC_LIBBPF   the libbpf link flags outright, e.g. "-lbpf -lelf -lz -lzstd" when no
#                 pkg-config for the target is at hand
#
# Cross build for a pseries guest (what `make cross-ppc64el` should pass):
#   make BUILD=build/ppc64el ARCH=powerpc CC=powerpc64le-linux-gnu-gcc STATIC=1 \
#        PKG_CONFIG=powerpc64le-linux-gnu-pkg-config LDFLAGS=-static build/ppc64el/bin/tlbcollect
# The BPF objects do not depend on the target C compiler: both are little-endian
# BPF; the guest object needs no BTF at all, and the host object is relocated
# (CO-RE) against whatever kernel runs it.

TLBC_UNAME  := $(shell uname -m)
ARCH        ?= $(TLBC_UNAME)
TLBC_ARCH   := $(strip $(patsubst x86_64,x86,$(patsubst i%86,x86,$(patsubst ppc64le,powerpc,\
               $(patsubst aarch64,arm64,$(ARCH))))))
TLBC_ARCH   := $(filter x86 powerpc arm64,$(TLBC_ARCH))
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
CLANG       ?= clang
LLVM_STRIP  ?= llvm-strip
BPFTOOL     ?= bpftool
PKG_CONFIG  ?= pkg-config
TLBC_LIBBPF ?= $(shell $(PKG_CONFIG) $(if $(filter 1,$(STATIC)),--static) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
# System include dirs of clang for the BPF target (asm/types.h lives in the multiarch dir).
TLBC_BPF_SYS := $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
		  sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
TLBC_BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(TLBC_ARCH) -Wall -Werror \
		   -I$(GEN) -Icollector $(TLBC_BPF_SYS)

TLBC_SRCS := collector/tlbcollect.c collector/sink.c collector/rotate.c collector/writeguard.c collector/tpsource.c collector/tfhost.c \
	     collector/kflush.c collector/kfscan.c
$(call tlb_program,tlbcollect,$(TLBC_SRCS),$(TLBC_LIBBPF) -lpthread)

# Test programs of the collector (tests t3xxx, bench b30).
$(call tlb_test_program,collect-workload,collector/test/workload.c,-lpthread)
$(call tlb_test_program,collect-sqlite-ceiling,collector/test/sqlite_ceiling.c,)
$(call tlb_test_program,collect-kfscan,collector/test/kfscan_main.c collector/kfscan.c,)

.PHONY: tlbc-arch-check
tlbc-arch-check:
	$(Q)if [ -z "$(TLBC_ARCH)" ]; then \
	  echo "collector: cannot build BPF for ARCH=$(ARCH): supported are x86 (x86_64), powerpc (ppc64le), arm64 (aarch64)" >&2; \
	  exit 2; fi

$(GEN)/vmlinux.h: | tlbc-arch-check $(BUILD)/.deps-ok
	$(call msg,GEN,$@)mkdir -p $(@D) && $(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(GEN)/collector/%.bpf.o: collector/%.bpf.c collector/tlbcollect.h collector/vcpuname.bpf.h collector/record.bpf.h collector/tfoffsets.h $(GEN)/vmlinux.h | tlbc-arch-check
	$(call msg,BPF,$@)mkdir -p $(@D) && $(CLANG) $(TLBC_BPF_CFLAGS) -c $< -o $@.tmp && \
	  $(LLVM_STRIP) -g $@.tmp -o $@ && rm -f $@.tmp

$(GEN)/%.skel.h: $(GEN)/collector/%.bpf.o
	$(call msg,GENSKEL,$@)$(BPFTOOL) gen skeleton $< name $(subst .skel.h,,$(notdir $@))_bpf > $@.tmp && mv $@.tmp $@

$(OBJ)/collector/tlbcollect.o: $(GEN)/tlbcollect.skel.h $(GEN)/tlbcollect_guest.skel.h $(GEN)/tlbcollect_tf.skel.h
$(OBJ)/collector/tfhost.o: $(GEN)/tlbcollect_tf.skel.h

# Keep the BPF objects (bpftool prog/obj inspection) rather than deleting them as intermediates.
.SECONDARY: $(GEN)/collector/tlbcollect.bpf.o $(GEN)/collector/tlbcollect_guest.bpf.o $(GEN)/collector/tlbcollect_tf.bpf.o
