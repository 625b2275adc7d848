/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_filter.c - libpcap-compiled filters run by rte_bpf.  See
 * cap_filter.h.
 *
 * rte_bpf_convert() is an experimental DPDK API (22.11), hence
 * ALLOW_EXPERIMENTAL_API for this file only.
 *
 * Two defects of DPDK 22.11 change what a libpcap program selects, so the
 * converted eBPF program is repaired before loading (cap_bpf_fixup(); the
 * differential test against pcap_offline_filter() in
 * tests/integration/test_cap_engine.c found both):
 *   1. rte_bpf_convert() gives indirect loads `ldb [x + k]` and
 *      `ld [x + k]` the wrong index register (A instead of X): it takes
 *      the register from the BPF_X bit of the opcode, which for loads is
 *      the size bit BPF_H, so only `ldh [x + k]` comes out right.  Every
 *      `tcp[13]`, `tcp[tcpflags]`, `udp[8:4]` ... read the wrong byte.
 *      Fix: every BPF_LD | BPF_IND gets src_reg = R7 (the converter's X).
 *   2. The x86-64 JIT encodes `jset r, #imm` with a one-byte immediate
 *      when imm fits in 8 bits, but x86 TEST has no imm8 form: the code
 *      after it is garbage (e.g. `ether multicast`, `tcp[tcpflags] &
 *      tcp-syn != 0` return random values).  Fix: such a jset becomes
 *      `mov r8, #imm; jset r, r8` (R8 is the converter's scratch
 *      register, dead between classic instructions), with every jump
 *      offset recomputed.  Harmless for the interpreter.
 */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <rte_bpf.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "cap_filter.h"
#include "cap_frame.h"

struct cap_filter {
	struct rte_bpf *bpf;        /* loaded eBPF program, or NULL: run
				     * libpcap's bpf_filter() instead */
	uint64_t (*jit)(void *ctx); /* its JIT entry, or NULL */
	struct bpf_program prog;    /* classic program (libpcap) */
	uint32_t snaplen;           /* libpcap fallback: bytes it sees */
	char *expr;                 /* the expression, malloc'd */
};

/* The converter's registers (lib/bpf/bpf_convert.c: A = R0, X = R7,
 * scratch = R8). */
#define CAP_BPF_REG_A EBPF_REG_0
#define CAP_BPF_REG_X EBPF_REG_7
#define CAP_BPF_REG_TMP EBPF_REG_8

/* A jset with an immediate the x86 JIT mis-encodes (see above). */
static bool
cap_bpf_small_jset(const struct ebpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_JSET | BPF_K) &&
	       in->imm >= INT8_MIN && in->imm <= INT8_MAX;
}

/* A jump with a pc-relative offset (not call, not exit). */
static bool
cap_bpf_is_jump(const struct ebpf_insn *in)
{
	return BPF_CLASS(in->code) == BPF_JMP &&
	       BPF_OP(in->code) != EBPF_CALL && BPF_OP(in->code) != EBPF_EXIT;
}

/*
 * Repair a converted program (see the top of this file).  Returns a new
 * instruction array (malloc'd) in *out and its length in *out_n, or
 * -ENOMEM / -EINVAL (a jump out of the program).
 */
static int
cap_bpf_fixup(const struct ebpf_insn *in, uint32_t n, struct ebpf_insn **out,
	      uint32_t *out_n)
{
	struct ebpf_insn *o;
	uint32_t *map, i, k = 0, extra = 0;

	for (i = 0; i < n; i++) {
		extra += cap_bpf_small_jset(&in[i]);
	}
	o = calloc(n + extra, sizeof(*o));
	map = calloc(n + 1, sizeof(*map));
	if (o == NULL || map == NULL) {
		free(o);
		free(map);
		return -ENOMEM;
	}
	/* map[i]: where old instruction i (or its prefix) starts. */
	for (i = 0; i < n; i++) {
		map[i] = k;
		k += cap_bpf_small_jset(&in[i]) ? 2 : 1;
	}
	map[n] = k;
	for (i = 0, k = 0; i < n; i++) {
		struct ebpf_insn cur = in[i];

		if (BPF_CLASS(cur.code) == BPF_LD &&
		    BPF_MODE(cur.code) == BPF_IND) {
			cur.src_reg = CAP_BPF_REG_X;
		}
		if (cap_bpf_small_jset(&cur)) {
			struct ebpf_insn mov = {
				.code = EBPF_ALU64 | EBPF_MOV | BPF_K,
				.dst_reg = CAP_BPF_REG_TMP,
				.imm = cur.imm, /* sign-extended like jset #k */
			};

			o[k++] = mov;
			cur.code = BPF_JMP | BPF_JSET | BPF_X;
			cur.src_reg = CAP_BPF_REG_TMP;
			cur.imm = 0;
		}
		if (cap_bpf_is_jump(&in[i])) {
			int64_t target = (int64_t)i + 1 + in[i].off;

			if (target < 0 || target > (int64_t)n) {
				free(o);
				free(map);
				return -EINVAL;
			}
			cur.off = (int16_t)((int64_t)map[target] - (k + 1));
		}
		o[k++] = cur;
	}
	free(map);
	*out = o;
	*out_n = k;
	return 0;
}

/* True if a classic program jumps backwards (libpcap's protochain). */
static bool
cap_classic_loops(const struct bpf_program *prog)
{
	u_int i;

	for (i = 0; i < prog->bf_len; i++) {
		const struct bpf_insn *in = &prog->bf_insns[i];

		if (in->code == (BPF_JMP | BPF_JA) &&
		    (uint64_t)i + 1 + in->k >= prog->bf_len) {
			return true; /* k "negative": a loop */
		}
	}
	return false;
}

/* Copy a message into err[0 .. errlen), always NUL-terminated. */
static void
cap_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (err != NULL && errlen > 0) {
		snprintf(err, errlen, fmt, arg);
	}
}

int
cap_filter_create(const char *expr, uint32_t snaplen, struct cap_filter **out,
		  char *err, size_t errlen)
{
	struct rte_bpf_prm *prm;
	struct ebpf_insn *fixed = NULL;
	struct rte_bpf_jit jit;
	uint32_t n_fixed;
	struct cap_filter *f;
	pcap_t *pc;
	int rc;

	if (expr == NULL || expr[0] == '\0' || out == NULL) {
		cap_err(err, errlen, "%s", "empty filter expression");
		return -EINVAL;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		return -ENOMEM;
	}
	f->expr = strdup(expr);
	pc = pcap_open_dead(DLT_EN10MB, (int)snaplen);
	if (f->expr == NULL || pc == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if (pcap_compile(pc, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		cap_err(err, errlen, "%s", pcap_geterr(pc));
		pcap_close(pc);
		rc = -EBADMSG;
		goto fail;
	}
	pcap_close(pc);
	f->snaplen = RTE_MIN(snaplen, (uint32_t)CAP_FILTER_LINEAR_MAX);
	/* rte_bpf rejects what it cannot convert (backward jumps: only
	 * `protochain` makes them) or verify; those run in libpcap. */
	if (cap_classic_loops(&f->prog)) {
		goto done;
	}
	prm = rte_bpf_convert(&f->prog);
	if (prm == NULL) {
		goto done;
	}
	rc = cap_bpf_fixup(prm->ins, prm->nb_ins, &fixed, &n_fixed);
	if (rc != 0) {
		rte_free(prm);
		if (rc == -ENOMEM) {
			goto fail_prog;
		}
		goto done;
	}
	prm->ins = fixed;
	prm->nb_ins = n_fixed;
	f->bpf = rte_bpf_load(prm); /* copies the instructions */
	rte_free(prm);
	free(fixed);
	if (f->bpf != NULL && rte_bpf_get_jit(f->bpf, &jit) == 0 &&
	    jit.func != NULL) {
		f->jit = jit.func;
	}
done:
	*out = f;
	return 0;

fail_prog:
	pcap_freecode(&f->prog);
fail:
	free(f->expr);
	free(f);
	return rc;
}

void
cap_filter_destroy(struct cap_filter *f)
{
	if (f == NULL) {
		return;
	}
	rte_bpf_destroy(f->bpf);
	pcap_freecode(&f->prog);
	free(f->expr);
	free(f);
}

/* Run the program on a (possibly fake) mbuf. */
static inline uint64_t
cap_filter_run(const struct cap_filter *f, const struct rte_mbuf *m)
{
	void *ctx = (void *)(uintptr_t)m; /* the program only reads it */

	return f->jit != NULL ? f->jit(ctx) : rte_bpf_exec(f->bpf, ctx);
}

/*
 * Run the program on m's wire frame when the tag is in metadata: a
 * two-segment view, head = the first CAP_FILTER_VIEW_HEAD bytes of the
 * wire frame (tag restored) in a stack buffer, then the rest of m's own
 * segments.  Packet loads only use buf_addr, data_off, data_len, pkt_len
 * and next (rte_pktmbuf_read()), which the view sets.
 */
static bool
cap_filter_match_tagged(const struct cap_filter *f, const struct rte_mbuf *m)
{
	struct rte_mbuf view[2];
	uint8_t head[CAP_FILTER_VIEW_HEAD];
	uint32_t flen = cap_frame_len(m);
	uint32_t hlen = RTE_MIN(flen, CAP_FILTER_VIEW_HEAD);
	const struct rte_mbuf *seg = m;
	uint32_t src;

	memset(view, 0, sizeof(view));
	(void)cap_frame_copy(m, 0, hlen, head);
	view[0].buf_addr = head;
	view[0].data_off = 0;
	view[0].data_len = (uint16_t)hlen;
	view[0].pkt_len = flen;
	view[0].nb_segs = 1;
	view[0].next = NULL;
	if (hlen < flen) {
		/* Wire offset hlen is offset hlen - 4 of m's bytes. */
		src = hlen - RTE_VLAN_HLEN;
		while (seg != NULL && src >= seg->data_len) {
			src -= seg->data_len;
			seg = seg->next;
		}
		if (seg == NULL) {
			return false; /* pkt_len and the chain disagree */
		}
		view[1].buf_addr = seg->buf_addr;
		view[1].data_off = (uint16_t)(seg->data_off + src);
		view[1].data_len = (uint16_t)(seg->data_len - src);
		view[1].pkt_len = flen - hlen;
		view[1].nb_segs = 1;
		view[1].next = seg->next;
		view[0].next = &view[1];
		view[0].nb_segs = 2;
	}
	return cap_filter_run(f, &view[0]) != 0;
}

/*
 * libpcap's own interpreter on a linear copy of the first snaplen bytes
 * (at most CAP_FILTER_LINEAR_MAX) of the wire frame: what tcpdump does
 * when the kernel cannot take a program.
 */
static bool
cap_filter_match_pcap(const struct cap_filter *f, const struct rte_mbuf *m)
{
	uint8_t buf[CAP_FILTER_LINEAR_MAX];
	uint32_t flen = cap_frame_len(m);
	uint32_t n = RTE_MIN(flen, f->snaplen);

	(void)cap_frame_copy(m, 0, n, buf);
	return bpf_filter(f->prog.bf_insns, buf, flen, n) != 0;
}

bool
cap_filter_match(const struct cap_filter *f, const struct rte_mbuf *m)
{
	if (unlikely(f->bpf == NULL)) {
		return cap_filter_match_pcap(f, m);
	}
	if (unlikely(cap_frame_meta_vlan(m))) {
		return cap_filter_match_tagged(f, m);
	}
	return cap_filter_run(f, m) != 0;
}

bool
cap_filter_match_interp(const struct cap_filter *f, const struct rte_mbuf *m)
{
	struct cap_filter tmp = *f;

	tmp.jit = NULL;
	return cap_filter_match(&tmp, m);
}

const struct bpf_program *
cap_filter_program(const struct cap_filter *f)
{
	return f != NULL ? &f->prog : NULL;
}

bool
cap_filter_jitted(const struct cap_filter *f)
{
	return f != NULL && f->jit != NULL;
}

const char *
cap_filter_runner(const struct cap_filter *f)
{
	if (f == NULL) {
		return "none";
	}
	if (f->bpf == NULL) {
		return "libpcap";
	}
	return f->jit != NULL ? "rte_bpf-jit" : "rte_bpf";
}

const char *
cap_filter_expr(const struct cap_filter *f)
{
	return f != NULL ? f->expr : NULL;
}
