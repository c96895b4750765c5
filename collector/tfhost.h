/* SPDX-License-Identifier: MIT */
/*
 * tfhost - tlbcollect's host mode on a kernel without BTF: the programs of
 * tlbcollect_tf.bpf.c, told where each field of each trace record is by
 * tracefs `format` files, and told which process each existing thread is in.
 *
 * Interface (in this order):
 *   tfh_open()      open the skeleton and fill its field offsets from tracefs;
 *                   NULL with the reason in @err when the formats cannot be read
 *   (the caller sets rodata, switches programs off, loads)
 *   tfh_prefill()   after load: every thread of /proc into map tid_tgid, so that
 *                   a thread older than the capture has a process at its switch-in
 *   TFH_MODE        what meta bpf_mode says of this mode
 */
#ifndef TLBC_TFHOST_H
#define TLBC_TFHOST_H

#include <stddef.h>

struct tlbcollect_tf_bpf;

#define TFH_MODE "tracepoint programs reading the trace record at offsets from tracefs " \
		 "events/*/*/format (no kernel BTF, no CO-RE); thread->process from " \
		 "task:task_newtask and /proc"

struct tlbcollect_tf_bpf *tfh_open(const char *tracefs, char *err, size_t errlen);
int tfh_prefill(struct tlbcollect_tf_bpf *s);

#endif
