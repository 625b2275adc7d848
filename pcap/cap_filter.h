/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_filter.h - capture filters: tcpdump's filter language, compiled by
 * libpcap, run on the poll lcore by DPDK's BPF engine.
 *
 * The expression is compiled exactly as tcpdump compiles it for an
 * Ethernet interface (pcap_open_dead(DLT_EN10MB, snaplen), pcap_compile()
 * with optimisation on and an unknown netmask), so it selects the same
 * frames.  The classic BPF program is converted to eBPF (rte_bpf_convert),
 * repaired for two DPDK 22.11 defects (see cap_filter.c), loaded
 * (rte_bpf_load) and run JIT-compiled when the architecture has a JIT,
 * else interpreted.  Converted programs take an rte_mbuf as their
 * context (RTE_BPF_ARG_PTR_MBUF): packet loads read the mbuf's data
 * through rte_pktmbuf_read() semantics (any chain) and "len" is pkt_len.
 *
 * The few programs rte_bpf cannot run (libpcap's `protochain` loops
 * backwards, which eBPF verifiers refuse) run in libpcap's own
 * interpreter, bpf_filter(), on a stack copy of the first snaplen bytes
 * (at most CAP_FILTER_LINEAR_MAX) -- what libpcap itself does when the
 * kernel refuses a program.  Either way the verdict is libpcap's.
 *
 * The program sees the wire frame (cap_frame.h): for a frame whose VLAN tag
 * is in metadata, cap_filter_match() runs it on a read-only view with the
 * tag restored, built on the stack (a private copy of the first
 * CAP_FILTER_VIEW_HEAD bytes plus the rest of the original segments),
 * without copying the frame.
 *
 * Threading: create/destroy on the control thread; match on any lcore,
 * concurrently (the filter is immutable once created).
 */
#ifndef CAP_FILTER_H
#define CAP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

/* Bytes of a VLAN-restored frame copied into the view's first segment. */
#define CAP_FILTER_VIEW_HEAD 128u
/* Most bytes the libpcap fallback looks at (a stack copy). */
#define CAP_FILTER_LINEAR_MAX 9216u

struct cap_filter;
struct bpf_program;

/*
 * Compile expr for Ethernet frames captured with snaplen.  On success
 * stores the filter in *out and returns 0.  Errors (err gets a message,
 * NUL-terminated, if errlen > 0):
 *   -EBADMSG  libpcap rejected the expression; err is libpcap's own text
 *             (pcap_geterr()), verbatim;
 *   -EINVAL   NULL/empty expr or out;  -ENOMEM.
 */
int
cap_filter_create(const char *expr, uint32_t snaplen, struct cap_filter **out,
		  char *err, size_t errlen);

/* Free a filter.  NULL is a no-op. */
void
cap_filter_destroy(struct cap_filter *f);

/* Does m's wire frame match?  m is only read. */
bool
cap_filter_match(const struct cap_filter *f, const struct rte_mbuf *m);

/* cap_filter_match() through the interpreter, never the JIT (tests). */
bool
cap_filter_match_interp(const struct cap_filter *f, const struct rte_mbuf *m);

/* The classic BPF program libpcap produced (borrowed; for tests). */
const struct bpf_program *
cap_filter_program(const struct cap_filter *f);

/* True if the filter runs JIT-compiled. */
bool
cap_filter_jitted(const struct cap_filter *f);

/* "rte_bpf-jit", "rte_bpf" (interpreted), "libpcap" (fallback). */
const char *
cap_filter_runner(const struct cap_filter *f);

/* The expression (borrowed, NUL-terminated). */
const char *
cap_filter_expr(const struct cap_filter *f);

#endif /* CAP_FILTER_H */
