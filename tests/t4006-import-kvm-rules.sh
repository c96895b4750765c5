#!/usr/bin/env bash
# t4006-import-kvm-rules: the mapper's host-side KVM rules (kvm_hv:kvmppc_run_core,
# kvm_guest_enter/exit, kvm_hcall_enter/exit, kvm_page_fault_enter, kvm:kvm_exit), fed
# event by event by a C test program: no machine here fires kvm_hv or kvm events.
. "$(dirname "$0")/lib.sh"
prog=$TLB_TESTBIN/import_mapper_test
[ -x "$prog" ] || skip_all "no $prog (make test-programs)"
"$prog"
