/* SPDX-License-Identifier: MIT */
/*
 * vcpuname.bpf.h - which threads are vcpus, for every BPF object of the collector.
 *
 * QEMU names a vcpu thread "CPU N/KVM" (KVM) or "CPU N/TCG" (emulation); both the CO-RE
 * host programs (tlbcollect.bpf.c) and the BTF-free ones (tlbcollect_tf.bpf.c) decide by
 * this one rule, so that the two modes record the same threads.
 */
#ifndef TLBC_VCPUNAME_BPF_H
#define TLBC_VCPUNAME_BPF_H

/* N of a thread named "CPU N/KVM" or "CPU N/TCG", else -1; *tcg says the flavour. */
static __always_inline int vcpu_of_name(const char *c, __u32 *tcg)
{
	int id = 0, i, ndig = 0;

	if (c[0] != 'C' || c[1] != 'P' || c[2] != 'U' || c[3] != ' ')
		return -1;
#pragma unroll
	for (i = 4; i < 9; i++) {
		if (c[i] < '0' || c[i] > '9')
			break;
		id = id * 10 + (c[i] - '0');
		ndig++;
	}
	if (ndig == 0 || ndig > 4 || i + 4 >= TC_COMM_LEN)
		return -1;
	if (c[i] != '/' || c[i + 4] != '\0')
		return -1;
	if (c[i + 1] == 'K' && c[i + 2] == 'V' && c[i + 3] == 'M')
		*tcg = 0;
	else if (c[i + 1] == 'T' && c[i + 2] == 'C' && c[i + 3] == 'G')
		*tcg = TC_F_TCG;
	else
		return -1;
	return id;
}

#endif
