/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto_guest.c - a hostile / protocol test guest for synthnetd.
 *
 * Connects to a running synthnetd over vmbus-user as VM --vm, opens the
 * first netvsc channel offered to it and drives NVSP + RNDIS through the
 * rings itself, checking the host's answers byte by byte.  It does not use
 * the guest netvsc library (guest/nvsc_*) on purpose: a bug there must not
 * hide a host bug.  Requests are built with the codecs (nvsp_encode,
 * vmb_pkt_enc_*, rndis_encode_*, ndis_*_encode); answers are checked on
 * the raw little-endian bytes at their wire offsets (wire-facts.md
 * sections 1, 3, 4, 5), not through the decoders the host also uses.
 *
 * Output: one "ok - ..." or "not ok - ..." line per check, "# " lines for
 * diagnostics.  Exit status 0 only when every check of the case passed,
 * 1 when one failed, 2 on a usage error.  Every wait is bounded: PG_WAIT_MS
 * per answer, and a watchdog alarm per case.
 *
 * Cases (see usage()):
 *   unsupported-version  NVSP INITs the host must refuse, never silently
 *   linux-sequence       the Linux netvsc attach/detach order, every answer
 *   malformed            hostile inputs: FAIL where the protocol has one,
 *                        and the channel keeps working afterwards
 *   attach-detach N      N x connect, init, teardown, disconnect
 *   abrupt-detach N      N x attach, then leave without the teardown
 *                        (three rude ways), then one clean round
 * Optional --ctl-socket: the malformed case also reads the host's error
 * counters with "synthctl adapter stats VM --json" and checks they moved.
 *
 * Layout: output, options, ring I/O and the answer store, request helpers,
 * protocol steps, the cases, main.  The file is long because it is a
 * complete independent guest; each function is one protocol step.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gvmb_client.h"
#include "ndis_obj.h"
#include "nvsp.h"
#include "rndis_msg.h"
#include "rndis_ppi.h"
#include "sn_wire.h"
#include "vmb_chanmsg.h"
#include "vmb_pkt.h"
#include "vmb_ring.h"
#include "vmb_user.h"

/* Guest RAM: rings, 16 MiB receive buffer, 1 MiB send buffer, scratch. */
#define PG_RAM_SIZE		(64u << 20)
/* Receive buffer as Linux: 16 MiB, transfer page set id 0xCAFE. */
#define PG_RECV_BUF_SIZE	(16u << 20)
#define PG_RECV_BUF_ID		0xCAFEu
/* Send buffer as Linux: 170 sections of 6144 bytes, id 0. */
#define PG_SEND_BUF_SIZE	(170u * 6144u)
#define PG_SEND_BUF_ID		0u
/* Pages for RNDIS control messages sent GPA-direct (as Linux does). */
#define PG_CTL_PAGES		4u
/*
 * Longest sleep on the interrupt eventfd.  Data found in the ring after
 * such a sleep without an interrupt is a missed signal (the host must
 * signal a write into an empty ring whose interrupt_mask is 0).
 */
#define PG_INTR_TICK_MS		500
/* Pages for GPA-direct data frames. */
#define PG_DATA_PAGES		2u
/* Guest MTU; NDIS config carries it + 14. */
#define PG_MTU			1500u
#define PG_ETH_HLEN		14u
/* RNDIS INITIALIZE max_transfer_size Linux sends. */
#define PG_RNDIS_MAX_XFER	0x4000u
/* NDIS config capabilities Linux sends at NVSP 6.1: 802.1q, SR-IOV,
 * teaming, RSC (drivers/net/hyperv/netvsc.c negotiate_nvsp_ver()). */
#define PG_NDIS_CAPS_V61	(NVSP_NDIS_CAP_IEEE8021Q | \
				 NVSP_NDIS_CAP_SRIOV | \
				 NVSP_NDIS_CAP_TEAMING | NVSP_NDIS_CAP_RSC)
/* Every answer must come within this. */
#define PG_WAIT_MS		3000
/* Largest host packet copied out of the H->G ring. */
#define PG_PKT_MAX		16384u
/* Bytes of one RNDIS control reply kept. */
#define PG_RMSG_MAX		4096u
/* Bytes of one NVSP completion payload kept. */
#define PG_COMP_MAX		64u
/* Completions / replies that may wait to be claimed. */
#define PG_QUEUE		32u
/* GPA ranges per packet we ever build. */
#define PG_GPA_MAX		8u
/* Ranges of a host transfer-page packet we walk (562 with RSC). */
#define PG_XFER_RANGES_MAX	562u
/* First transaction id ("PG" in the top bytes, easy to spot). */
#define PG_TID_BASE		UINT64_C(0x5047000000000001)
/* Control protocol magic (ctl/snctl_proto.h SNCTL_MAGIC). */
#define PG_SNCTL_MAGIC		"SNCTL1\n"
/* Linux's smallest MTU: receive sub-allocation and send section floor. */
#define PG_NETVSC_MTU_MIN	68u
/* ndis_recv_scale_cap as Linux sizes it in its query (18 + padding). */
#define PG_RSS_CAPS_QUERY_LEN	20u
/* Linux's RSS indirection table size. */
#define PG_RSS_ITAB		128u
/* Microsoft's RSS verification key (wire-facts section 7). */
static const uint8_t pg_rss_key[NDIS_RSS_KEY_SIZE] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* ---- output ------------------------------------------------------------- */

/* Checks passed and failed so far. */
static unsigned int pg_passed;
static unsigned int pg_failed;

/* Print one check line; returns cond. */
static bool __attribute__((format(printf, 2, 3)))
pg_check(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (cond) {
		pg_passed++;
	} else {
		pg_failed++;
	}
	return cond;
}

/* Print a diagnostic line ("# ..."). */
static void __attribute__((format(printf, 1, 2)))
pg_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Hex dump of up to 64 bytes as a diagnostic. */
static void
pg_hexdump(const char *label, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	char line[64 * 3 + 1];
	size_t i, n = SN_MIN(len, (size_t)64);

	for (i = 0; i < n; i++) {
		snprintf(line + i * 3, 4, "%02x ", p[i]);
	}
	line[n * 3] = '\0';
	pg_diag("%s (%zu bytes): %s%s", label, len, line, len > n ? "..." : "");
}

static int64_t
pg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Watchdog: the case must end by itself; never hang the caller. */
static void
pg_watchdog(int sig)
{
	static const char msg[] = "not ok - watchdog: case did not finish "
				  "in time (a wait is unbounded?)\n";
	ssize_t rc;

	(void)sig;
	rc = write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	(void)rc;
	_exit(1);
}

/* ---- options ------------------------------------------------------------ */

/* Command line. */
struct pg_opts {
	const char *socket;		/* vmbus-user socket path */
	const char *vm;			/* VM name to connect as */
	const char *casename;		/* case to run */
	const char *nic;		/* nic_name to pick, NULL = first */
	const char *ctl_socket;		/* synthnetd control socket, optional */
	unsigned int count;		/* attach-detach iterations */
	bool have_mac;			/* expect_mac given */
	uint8_t expect_mac[6];		/* --expect-mac */
};

/* ---- guest state -------------------------------------------------------- */

/* An NVSP completion (VMBus COMP packet) not yet claimed. */
struct pg_comp {
	bool used;			/* slot holds a completion */
	uint64_t tid;			/* its trans_id */
	uint32_t len;			/* payload bytes as received */
	uint8_t msg[PG_COMP_MAX];	/* first payload bytes */
};

/* An RNDIS control reply (from a transfer-page packet) not yet claimed. */
struct pg_rmsg {
	bool used;			/* slot holds a reply */
	uint32_t type;			/* RNDIS message type */
	uint32_t req_id;		/* request id it answers */
	uint32_t len;			/* bytes kept in msg (<= msg_len) */
	uint8_t msg[PG_RMSG_MAX];	/* the message, copied out */
};

/* One connection to the host with its netvsc channel. */
struct pg {
	const struct pg_opts *o;	/* options; borrowed */
	struct gvmb_ram *ram;		/* guest RAM; owned */
	struct gvmb_conn *conn;		/* connection; owned */
	struct gvmb_chan *ch;		/* open channel; owned */
	uint32_t relid;			/* its relid */
	struct gvmb_alloc rbuf;		/* receive buffer pages */
	struct gvmb_alloc sbuf;		/* send buffer pages */
	struct gvmb_alloc ctl;		/* RNDIS control message pages */
	struct gvmb_alloc data;		/* GPA-direct data frame pages */
	uint32_t rbuf_gpadl;		/* receive buffer GPADL, 0 = none */
	uint32_t sbuf_gpadl;		/* send buffer GPADL, 0 = none */
	uint32_t rbuf_end;		/* end of the announced section */
	uint32_t section_size;		/* send section size from the host */
	uint32_t nsections;		/* send sections */
	uint64_t next_tid;		/* next trans_id we use */
	uint32_t next_req;		/* last RNDIS request id used */
	uint8_t mac[6];			/* MAC the host reported */
	bool have_mac;			/* mac is valid */
	struct pg_comp comps[PG_QUEUE];	/* completions not yet claimed */
	struct pg_rmsg rmsgs[PG_QUEUE];	/* RNDIS replies not yet claimed */
	uint64_t last_xfer_tid;		/* trans_id of the last host xfer */
	bool have_xfer_tid;		/* last_xfer_tid is valid */
	uint32_t n_ind;			/* INDICATE_STATUS received */
	uint32_t n_data;		/* data frames received */
	uint32_t n_inband;		/* inband NVSP messages received */
	uint32_t n_bad;			/* malformed host packets */
	uint32_t n_lost;		/* answers dropped: store full */
	uint32_t n_intr;		/* interrupts received */
	uint32_t n_missed_intr;		/* packets that came unsignalled */
	bool dead;			/* the channel is unusable */
	uint8_t pkt[PG_PKT_MAX];	/* private copy of one host packet */
};

/* ---- ring I/O ----------------------------------------------------------- */

/*
 * Write one packet {hdr, payload} into the G->H ring and kick the host if
 * the ring rules say so.  Waits (bounded) while the ring is full.
 * Returns 0 or -errno (the channel is then marked dead).
 */
static int
pg_write(struct pg *g, const void *hdr, size_t hlen, const void *pl,
	 size_t plen)
{
	struct vmb_iov iov[2] = {
		{ .base = hdr, .len = hlen },
		{ .base = plen > 0 ? pl : NULL, .len = plen },
	};
	int64_t deadline = pg_now_ms() + PG_WAIT_MS;
	bool sig = false;
	int rc;

	if (g->dead || g->ch == NULL) {
		return -EPIPE;
	}
	for (;;) {
		rc = vmb_ring_write(&g->ch->tx, iov, 2, &sig);
		if (rc == 0) {
			if (sig) {
				(void)gvmb_chan_kick(g->ch);
			}
			return 0;
		}
		if (rc != -EAGAIN || pg_now_ms() > deadline) {
			pg_diag("G->H ring write failed: %s", strerror(-rc));
			g->dead = true;
			return rc;
		}
		usleep(1000);
	}
}

/* Complete a host transfer-page packet as Linux does: 8-byte NVSP. */
static void
pg_send_rx_comp(struct pg *g, uint64_t tid, uint32_t status)
{
	uint8_t hdr[VMB_PKT_DESC_SIZE];
	uint8_t msg[8];
	int hl;

	sn_put_le32(msg, NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE);
	sn_put_le32(msg + 4, status);
	hl = vmb_pkt_enc_comp(hdr, sizeof(hdr), tid, sizeof(msg));
	if (hl > 0) {
		(void)pg_write(g, hdr, (size_t)hl, msg, sizeof(msg));
	}
}

/* Keep a completion until someone claims it. */
static void
pg_on_comp(struct pg *g, const struct vmb_pkt *p)
{
	unsigned int i;

	if (p->flags != 0) {
		g->n_bad++;
		pg_diag("host completion %#" PRIx64 " has flags %#x "
			"(must be 0)", p->trans_id, p->flags);
	}
	for (i = 0; i < PG_QUEUE; i++) {
		struct pg_comp *c = &g->comps[i];

		if (!c->used) {
			c->used = true;
			c->tid = p->trans_id;
			c->len = p->payload_len;
			memset(c->msg, 0, sizeof(c->msg));
			memcpy(c->msg, p->payload,
			       SN_MIN(p->payload_len, PG_COMP_MAX));
			return;
		}
	}
	g->n_lost++;
	pg_diag("completion %#" PRIx64 " dropped: store full", p->trans_id);
}

/* One RNDIS control message the host put into receive-buffer bytes. */
static void
pg_on_rndis_ctl(struct pg *g, const uint8_t *shared, uint32_t cnt)
{
	uint8_t m[PG_RMSG_MAX];
	uint32_t n = SN_MIN(cnt, PG_RMSG_MAX);
	uint32_t type, mlen;
	unsigned int i;

	memcpy(m, shared, n);		/* copy out, then look */
	if (n < RNDIS_HDR_LEN + 4) {
		g->n_bad++;
		pg_diag("control range of %u bytes: too short", cnt);
		return;
	}
	type = sn_get_le32(m);
	mlen = sn_get_le32(m + 4);
	if (mlen < RNDIS_HDR_LEN + 4 || mlen > cnt) {
		g->n_bad++;
		pg_diag("RNDIS %#x msg_len %u outside its range of %u bytes",
			type, mlen, cnt);
		return;
	}
	if (type == RNDIS_MSG_INDICATE) {
		uint32_t st = sn_get_le32(m + 8);

		g->n_ind++;
		pg_diag("INDICATE_STATUS %#x (%s), %u bytes", st,
			rndis_status_name(st), mlen);
		return;
	}
	if ((type & RNDIS_MSG_CMPLT) == 0) {
		g->n_bad++;
		pg_diag("host sent RNDIS request type %#x", type);
		return;
	}
	for (i = 0; i < PG_QUEUE; i++) {
		struct pg_rmsg *r = &g->rmsgs[i];

		if (!r->used) {
			r->used = true;
			r->type = type;
			r->req_id = sn_get_le32(m + 8);
			r->len = SN_MIN(mlen, PG_RMSG_MAX);
			memcpy(r->msg, m, r->len);
			return;
		}
	}
	g->n_lost++;
	pg_diag("RNDIS reply %#x dropped: store full", type);
}

/* One RNDIS data range: must be a PACKET inside its range. */
static void
pg_on_rndis_data(struct pg *g, const uint8_t *shared, uint32_t cnt)
{
	uint8_t h[8];

	g->n_data++;
	if (cnt < sizeof(h)) {
		g->n_bad++;
		return;
	}
	memcpy(h, shared, sizeof(h));
	if (sn_get_le32(h) != RNDIS_MSG_PACKET || sn_get_le32(h + 4) > cnt) {
		g->n_bad++;
		pg_hexdump("bad data range", h, sizeof(h));
	}
}

/*
 * A host transfer-page packet: NVSP SEND_RNDIS_PKT over ranges of our
 * receive buffer.  Check it, take the messages out, complete it.
 */
static void
pg_on_xfer(struct pg *g, const struct vmb_pkt *p)
{
	uint32_t i, cnt, off, type, chtype, n;

	if (p->xfer_pageset_id != PG_RECV_BUF_ID) {
		g->n_bad++;
		pg_diag("transfer page set %#x, ours is %#x",
			p->xfer_pageset_id, PG_RECV_BUF_ID);
	}
	if ((p->flags & VMB_PKT_FLAG_COMPLETION_REQUESTED) == 0) {
		g->n_bad++;
		pg_diag("transfer-page packet without COMPLETION_REQUESTED");
	}
	type = p->payload_len >= 8 ? sn_get_le32(p->payload) : 0;
	chtype = p->payload_len >= 8 ? sn_get_le32(p->payload + 4) : ~0u;
	if (type != NVSP_MSG1_TYPE_SEND_RNDIS_PKT ||
	    chtype > NVSP_CHANNEL_TYPE_CONTROL) {
		g->n_bad++;
		pg_hexdump("transfer-page NVSP payload", p->payload,
			   p->payload_len);
	}
	n = SN_MIN(p->range_cnt, PG_XFER_RANGES_MAX);
	if (n == 0 || n != p->range_cnt) {
		g->n_bad++;
		pg_diag("transfer-page packet with %u ranges", p->range_cnt);
	}
	for (i = 0; i < n && type == NVSP_MSG1_TYPE_SEND_RNDIS_PKT; i++) {
		if (vmb_pkt_xfer_range(p, i, &cnt, &off) != 0) {
			break;
		}
		if (g->rbuf.ptr == NULL ||
		    !sn_range_ok(off, cnt, g->rbuf_end)) {
			g->n_bad++;
			pg_diag("range %u: [%#x, +%u) outside the receive "
				"section (end %#x)", i, off, cnt, g->rbuf_end);
			continue;
		}
		if (chtype == NVSP_CHANNEL_TYPE_CONTROL) {
			pg_on_rndis_ctl(g, (uint8_t *)g->rbuf.ptr + off, cnt);
		} else {
			pg_on_rndis_data(g, (uint8_t *)g->rbuf.ptr + off, cnt);
		}
	}
	g->last_xfer_tid = p->trans_id;
	g->have_xfer_tid = true;
	pg_send_rx_comp(g, p->trans_id, NVSP_STAT_SUCCESS);
}

/* Dispatch one packet copied out of the H->G ring (len bytes in pkt). */
static void
pg_handle(struct pg *g, size_t len)
{
	struct vmb_pkt p;
	int rc;

	rc = vmb_pkt_decode(g->pkt, len, &p);
	if (rc != 0) {
		g->n_bad++;
		pg_diag("host packet does not decode: %s", strerror(-rc));
		pg_hexdump("packet", g->pkt, len);
		return;
	}
	switch (p.type) {
	case VMB_PKT_COMP:
		pg_on_comp(g, &p);
		break;
	case VMB_PKT_DATA_USING_XFER_PAGES:
		pg_on_xfer(g, &p);
		break;
	case VMB_PKT_DATA_INBAND:
		/* H->G NVSP (indirection table, VF association): noted.
		 * Linux ignores COMPLETION_REQUESTED on these. */
		g->n_inband++;
		pg_diag("inband NVSP type %u from host",
			p.payload_len >= 4 ? sn_get_le32(p.payload) : 0);
		break;
	default:
		g->n_bad++;
		pg_diag("host packet type %u unexpected", p.type);
		break;
	}
}

/*
 * Read and handle one host packet, waiting up to timeout_ms for it.  We
 * sleep on the interrupt eventfd as a real guest does (interrupt_mask
 * stays 0), but at most PG_INTR_TICK_MS at a time: a packet found after
 * a sleep that no interrupt ended is counted as a missed signal instead
 * of hanging.  Returns 1 (handled), 0 (nothing came) or -1 (the ring is
 * unusable).
 */
static int
pg_pump(struct pg *g, int timeout_ms)
{
	int64_t deadline = pg_now_ms() + timeout_ms;
	bool slept_unsignalled = false;
	struct pollfd pfd;
	int64_t left;
	size_t len = 0;
	int rc;

	if (g->dead || g->ch == NULL) {
		return -1;
	}
	for (;;) {
		rc = vmb_ring_peek(&g->ch->rx, g->pkt, sizeof(g->pkt), &len);
		if (rc == 0) {
			if (slept_unsignalled) {
				g->n_missed_intr++;
				pg_diag("host packet found after %d ms without "
					"an interrupt (missed signal)",
					PG_INTR_TICK_MS);
			}
			if (vmb_ring_read_commit(&g->ch->rx)) {
				(void)gvmb_chan_kick(g->ch);
			}
			pg_handle(g, len);
			return 1;
		}
		if (rc == -EMSGSIZE && vmb_ring_skip(&g->ch->rx) == 0) {
			g->n_bad++;
			pg_diag("host packet of %zu bytes skipped", len);
			(void)vmb_ring_read_commit(&g->ch->rx);
			return 1;
		}
		if (rc != -EAGAIN) {
			pg_diag("H->G ring unreadable: %s", strerror(-rc));
			g->dead = true;
			return -1;
		}
		left = deadline - pg_now_ms();
		if (left <= 0) {
			return 0;
		}
		pfd.fd = g->ch->intr_fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		rc = poll(&pfd, 1, (int)SN_MIN(left, (int64_t)PG_INTR_TICK_MS));
		if (rc > 0) {
			g->n_intr++;
			slept_unsignalled = false;
			(void)vmb_user_drain(g->ch->intr_fd);
		} else if (rc == 0 && left >= PG_INTR_TICK_MS) {
			slept_unsignalled = true;
		}
	}
}

/*
 * Claim the completion of tid, waiting up to timeout_ms.  Copies up to
 * cap payload bytes into out.  Returns the payload length, -ETIMEDOUT or
 * -EPIPE.
 */
static int
pg_take_comp(struct pg *g, uint64_t tid, int timeout_ms, uint8_t *out,
	     size_t cap)
{
	int64_t deadline = pg_now_ms() + timeout_ms;
	unsigned int i;

	memset(out, 0, cap);
	for (;;) {
		for (i = 0; i < PG_QUEUE; i++) {
			struct pg_comp *c = &g->comps[i];

			if (c->used && c->tid == tid) {
				c->used = false;
				memcpy(out, c->msg,
				       SN_MIN(cap, sizeof(c->msg)));
				return (int)c->len;
			}
		}
		if (pg_now_ms() >= deadline) {
			return -ETIMEDOUT;
		}
		if (pg_pump(g, (int)(deadline - pg_now_ms())) < 0) {
			return -EPIPE;
		}
	}
}

/*
 * Claim the RNDIS reply to req_id, waiting up to timeout_ms; copies it
 * into out (cap bytes).  Returns the bytes kept, -ETIMEDOUT or -EPIPE.
 */
static int
pg_take_rmsg(struct pg *g, uint32_t req_id, int timeout_ms, uint8_t *out,
	     size_t cap)
{
	int64_t deadline = pg_now_ms() + timeout_ms;
	unsigned int i;

	memset(out, 0, cap);
	for (;;) {
		for (i = 0; i < PG_QUEUE; i++) {
			struct pg_rmsg *r = &g->rmsgs[i];

			if (r->used && r->req_id == req_id) {
				r->used = false;
				memcpy(out, r->msg,
				       SN_MIN(cap, (size_t)r->len));
				return (int)SN_MIN(cap, (size_t)r->len);
			}
		}
		if (pg_now_ms() >= deadline) {
			return -ETIMEDOUT;
		}
		if (pg_pump(g, (int)(deadline - pg_now_ms())) < 0) {
			return -EPIPE;
		}
	}
}

/* Forget and report every unclaimed answer; returns how many there were. */
static unsigned int
pg_stray(struct pg *g)
{
	unsigned int i, n = 0;

	for (i = 0; i < PG_QUEUE; i++) {
		if (g->comps[i].used) {
			n++;
			pg_diag("unexpected completion trans_id %#" PRIx64,
				g->comps[i].tid);
			pg_hexdump("  payload", g->comps[i].msg,
				   SN_MIN(g->comps[i].len, PG_COMP_MAX));
			g->comps[i].used = false;
		}
		if (g->rmsgs[i].used) {
			n++;
			pg_diag("unexpected RNDIS %#x req_id %u",
				g->rmsgs[i].type, g->rmsgs[i].req_id);
			g->rmsgs[i].used = false;
		}
	}
	return n;
}

/* ---- request helpers ---------------------------------------------------- */

/* Send raw NVSP bytes inband; returns the trans_id used, 0 on failure. */
static uint64_t
pg_send_inband(struct pg *g, const void *msg, size_t len, uint16_t flags)
{
	uint8_t hdr[VMB_PKT_DESC_SIZE];
	uint64_t tid = g->next_tid++;
	int hl;

	hl = vmb_pkt_enc_inband(hdr, sizeof(hdr), flags, tid, len);
	if (hl < 0 || pg_write(g, hdr, (size_t)hl, msg, len) != 0) {
		return 0;
	}
	return tid;
}

/*
 * A hand-made VMBus packet, for what the encoders refuse to build:
 * descriptor {type, offset8 = (16 + xlen) / 8, len8, COMPLETION_REQUESTED},
 * xlen (multiple of 8) type-header bytes x, then payload pl.  Returns the
 * trans_id, 0 on failure.
 */
static uint64_t
pg_send_crafted(struct pg *g, uint16_t type, const void *x, uint32_t xlen,
		const void *pl, uint32_t plen)
{
	uint8_t buf[512];
	uint64_t tid = g->next_tid++;
	uint32_t hl = VMB_PKT_DESC_SIZE + xlen;

	if (xlen % 8 != 0 || !sn_range_ok(hl, plen, sizeof(buf))) {
		return 0;
	}
	sn_put_le16(buf, type);
	sn_put_le16(buf + 2, (uint16_t)(hl / 8));
	sn_put_le16(buf + 4, (uint16_t)((hl + plen + 7) / 8));
	sn_put_le16(buf + 6, VMB_PKT_FLAG_COMPLETION_REQUESTED);
	sn_put_le64(buf + 8, tid);
	if (xlen > 0) {
		memcpy(buf + VMB_PKT_DESC_SIZE, x, xlen);
	}
	if (plen > 0) {
		memcpy(buf + hl, pl, plen);
	}
	return pg_write(g, buf, hl + plen, NULL, 0) == 0 ? tid : 0;
}

/* Encode m as Linux does (40 bytes) and send it inband. */
static uint64_t
pg_send_nvsp(struct pg *g, const struct nvsp_msg *m, bool comp)
{
	uint8_t buf[NVSP_MSG_SIZE_V61];
	int len;

	len = nvsp_encode(m, buf, sizeof(buf), NVSP_MSG_SIZE_V61);
	if (len < 0) {
		pg_diag("nvsp_encode type %u: %s", m->type, strerror(-len));
		return 0;
	}
	return pg_send_inband(g, buf, (size_t)len,
			      comp ? VMB_PKT_FLAG_COMPLETION_REQUESTED : 0);
}

/*
 * Send SEND_RNDIS_PKT {chtype, idx, size} with COMPLETION_REQUESTED:
 * inband when n is 0, else GPA-direct with ranges r[0..n).  Returns the
 * trans_id, 0 on failure.
 */
static uint64_t
pg_send_rndis_pkt(struct pg *g, uint32_t chtype, uint32_t idx, uint32_t size,
		  const struct vmb_gpa_buf *r, uint32_t n)
{
	uint8_t msg[NVSP_MSG_SIZE_V61];
	uint8_t hdr[VMB_GPA_RANGES_OFF + PG_GPA_MAX * 24];
	struct nvsp_msg m;
	uint64_t tid;
	int len, hl;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	m.rndis_pkt.channel_type = chtype;
	m.rndis_pkt.section_index = idx;
	m.rndis_pkt.section_size = size;
	if (n == 0) {
		return pg_send_nvsp(g, &m, true);
	}
	len = nvsp_encode(&m, msg, sizeof(msg), NVSP_MSG_SIZE_V61);
	tid = g->next_tid++;
	hl = vmb_pkt_enc_gpa(hdr, sizeof(hdr),
			     VMB_PKT_FLAG_COMPLETION_REQUESTED, tid, r, n,
			     len > 0 ? (size_t)len : 0);
	if (len < 0 || hl < 0) {
		pg_diag("GPA-direct encode failed: %d %d", len, hl);
		return 0;
	}
	if (pg_write(g, hdr, (size_t)hl, msg, (size_t)len) != 0) {
		return 0;
	}
	return tid;
}

/*
 * Copy msg into the control pages at off and describe it as Linux's
 * rndis_filter_send_request() does: one range per page touched.
 * pfns must hold PG_GPA_MAX entries.  Returns the number of ranges.
 */
static uint32_t
pg_ctl_place(struct pg *g, const void *msg, uint32_t len, uint32_t off,
	     struct vmb_gpa_buf *r, uint64_t *pfns)
{
	uint32_t n = 0, pos = 0;

	if (g->ctl.ptr == NULL ||
	    !sn_range_ok(off, len, (uint64_t)PG_CTL_PAGES * VMB_PAGE_SIZE)) {
		return 0;
	}
	memcpy((uint8_t *)g->ctl.ptr + off, msg, len);
	while (pos < len && n < PG_GPA_MAX) {
		uint32_t at = off + pos;
		uint32_t po = at % VMB_PAGE_SIZE;
		uint32_t k = SN_MIN(VMB_PAGE_SIZE - po, len - pos);

		pfns[n] = g->ctl.pfn[at / VMB_PAGE_SIZE];
		r[n].byte_count = k;
		r[n].byte_offset = po;
		r[n].pfn = &pfns[n];
		n++;
		pos += k;
	}
	return n;
}

/* Send an RNDIS control message GPA-direct from control-page offset off. */
static uint64_t
pg_rndis_send(struct pg *g, const void *msg, uint32_t len, uint32_t off)
{
	struct vmb_gpa_buf r[PG_GPA_MAX];
	uint64_t pfns[PG_GPA_MAX];
	uint32_t n;

	n = pg_ctl_place(g, msg, len, off, r, pfns);
	if (n == 0) {
		return 0;
	}
	return pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_CONTROL,
				 NVSP_SECTION_INDEX_NONE, 0, r, n);
}

/*
 * Wait for the SEND_RNDIS_PKT_COMPLETE of tid.  Returns its status, -1
 * when none came in time or it is malformed (diagnosed).  The 8 bytes
 * {108, status} must be followed by zeros only.
 */
static int
pg_pkt_status(struct pg *g, uint64_t tid)
{
	uint8_t c[PG_COMP_MAX] = { 0 };
	int len;
	uint32_t i;

	if (tid == 0) {
		return -1;
	}
	len = pg_take_comp(g, tid, PG_WAIT_MS, c, sizeof(c));
	if (len < 0) {
		pg_diag("no completion for trans_id %#" PRIx64 " in %d ms",
			tid, PG_WAIT_MS);
		return -1;
	}
	if (len < 8 ||
	    sn_get_le32(c) != NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE) {
		pg_hexdump("completion is not SEND_RNDIS_PKT_COMPLETE", c,
			   (size_t)SN_MIN(len, (int)PG_COMP_MAX));
		return -1;
	}
	for (i = 8; i < (uint32_t)SN_MIN(len, (int)PG_COMP_MAX); i++) {
		if (c[i] != 0) {
			pg_hexdump("completion reserved bytes not zero", c,
				   (size_t)SN_MIN(len, (int)PG_COMP_MAX));
			return -1;
		}
	}
	return (int)sn_get_le32(c + 4);
}

/* Name of an NVSP status or "none" for -1 (no / bad completion). */
static const char *
pg_st(int st)
{
	return st < 0 ? "no valid completion" : nvsp_status_name((uint32_t)st);
}

/*
 * Send an RNDIS control message (request id req_id) from control-page
 * offset off; check its NVSP completion is SUCCESS and that a reply of
 * type rtype arrives.  The reply goes to out (cap bytes).  Returns the
 * reply length, or -1 (the failed check is printed).
 */
static int
pg_rndis_call(struct pg *g, const char *what, const void *msg, uint32_t len,
	      uint32_t off, uint32_t req_id, uint32_t rtype, uint8_t *out,
	      size_t cap)
{
	uint64_t tid;
	int st, rl;

	tid = pg_rndis_send(g, msg, len, off);
	st = pg_pkt_status(g, tid);
	if (!pg_check(st == NVSP_STAT_SUCCESS, "%s: SEND_RNDIS_PKT "
		      "completed with %s", what, pg_st(st))) {
		return -1;
	}
	rl = pg_take_rmsg(g, req_id, PG_WAIT_MS, out, cap);
	if (!pg_check(rl >= 16 && sn_get_le32(out) == rtype,
		      "%s: reply %s arrived (req_id %u)", what,
		      rndis_msg_type_name(rtype), req_id)) {
		if (rl > 0) {
			pg_hexdump("reply", out, (size_t)rl);
		}
		return -1;
	}
	return rl;
}

/*
 * QUERY oid (info[0..ilen) in the request, as Linux sends for some OIDs)
 * and check the QUERY_CMPLT: type, msg_len, req_id, status == want, info
 * buffer inside the message.  The info bytes go to val (cap).  Returns the
 * info length or -1.
 */
static int
pg_query(struct pg *g, uint32_t oid, const void *info, uint32_t ilen,
	 uint32_t want, uint8_t *val, size_t cap)
{
	uint8_t msg[512], rep[PG_RMSG_MAX];
	uint32_t req = ++g->next_req;
	uint32_t mlen, st, ioff, il;
	char what[96];
	int len, rl;

	snprintf(what, sizeof(what), "QUERY %s", rndis_oid_name(oid));
	len = rndis_encode_query(msg, sizeof(msg), req, oid, info, ilen);
	if (len < 0) {
		pg_check(false, "%s: encode", what);
		return -1;
	}
	rl = pg_rndis_call(g, what, msg, (uint32_t)len, 0, req,
			   RNDIS_MSG_QUERY_CMPLT, rep, sizeof(rep));
	if (rl < 0) {
		return -1;
	}
	mlen = sn_get_le32(rep + 4);
	st = sn_get_le32(rep + 12);
	il = rl >= 24 ? sn_get_le32(rep + 16) : 0;
	ioff = rl >= 24 ? sn_get_le32(rep + 20) : 0;
	if (!pg_check(rl >= 24 && mlen == (uint32_t)rl && st == want &&
		      (il == 0 || (ioff >= 16 &&
				   sn_range_ok((uint64_t)ioff + 8, il, mlen))),
		      "%s: QUERY_CMPLT status %#x (%s, want %s), info %u "
		      "bytes at %u, msg_len %u", what, st,
		      rndis_status_name(st), rndis_status_name(want), il,
		      ioff, mlen)) {
		pg_hexdump("QUERY_CMPLT", rep, (size_t)rl);
		return -1;
	}
	if (il > 0) {
		memcpy(val, rep + 8 + ioff, SN_MIN((size_t)il, cap));
	}
	return (int)il;
}

/*
 * SET oid to info[0..ilen) (message at control-page offset off) and check
 * the SET_CMPLT byte for byte: {0x80000005, 16, req_id, want}.  Returns
 * true when it matched.
 */
static bool
pg_set(struct pg *g, uint32_t oid, const char *label, const void *info,
       uint32_t ilen, uint32_t off, uint32_t want)
{
	uint8_t msg[1024], rep[PG_RMSG_MAX], exp[16];
	uint32_t req = ++g->next_req;
	char what[128];
	int len, rl;

	snprintf(what, sizeof(what), "SET %s%s", rndis_oid_name(oid), label);
	len = rndis_encode_set(msg, sizeof(msg), req, oid, info, ilen);
	if (len < 0) {
		return pg_check(false, "%s: encode", what);
	}
	rl = pg_rndis_call(g, what, msg, (uint32_t)len, off, req,
			   RNDIS_MSG_SET_CMPLT, rep, sizeof(rep));
	if (rl < 0) {
		return false;
	}
	sn_put_le32(exp, RNDIS_MSG_SET_CMPLT);
	sn_put_le32(exp + 4, 16);
	sn_put_le32(exp + 8, req);
	sn_put_le32(exp + 12, want);
	if (!pg_check(rl == 16 && memcmp(rep, exp, 16) == 0,
		      "%s: SET_CMPLT is {0x80000005, 16, %u, %#x (%s)}", what,
		      req, want, rndis_status_name(want))) {
		pg_hexdump("got", rep, (size_t)rl);
		pg_hexdump("want", exp, sizeof(exp));
		return false;
	}
	return true;
}

/*
 * KEEPALIVE round trip used as a barrier: the host handles the G->H ring
 * in order, so every answer to what we sent before has arrived when the
 * KEEPALIVE_CMPLT has.  Checks the channel is alive (NVSP SUCCESS, reply
 * {0x80000008, 16, req_id, 0} byte for byte) and that nothing unexpected
 * arrived since the last barrier.
 */
static bool
pg_sync(struct pg *g, const char *after)
{
	uint8_t msg[16], rep[PG_RMSG_MAX], exp[16];
	uint32_t req = ++g->next_req;
	uint64_t tid;
	int len, st, rl;
	unsigned int stray;

	len = rndis_encode_keepalive(msg, sizeof(msg), req);
	tid = len > 0 ? pg_rndis_send(g, msg, (uint32_t)len, 0) : 0;
	st = pg_pkt_status(g, tid);
	rl = st == NVSP_STAT_SUCCESS ?
	     pg_take_rmsg(g, req, PG_WAIT_MS, rep, sizeof(rep)) : -1;
	sn_put_le32(exp, RNDIS_MSG_KEEPALIVE_CMPLT);
	sn_put_le32(exp + 4, 16);
	sn_put_le32(exp + 8, req);
	sn_put_le32(exp + 12, RNDIS_STATUS_SUCCESS);
	stray = pg_stray(g);
	if (!pg_check(st == NVSP_STAT_SUCCESS && rl == 16 &&
		      memcmp(rep, exp, 16) == 0 && stray == 0,
		      "after %s: KEEPALIVE completed %s, KEEPALIVE_CMPLT "
		      "SUCCESS, %u unexpected answers", after, pg_st(st),
		      stray)) {
		if (rl > 0) {
			pg_hexdump("KEEPALIVE reply", rep, (size_t)rl);
		}
		return false;
	}
	return true;
}

/* ---- protocol steps ----------------------------------------------------- */

/* Pick the netvsc offer (matching --nic if given). */
static const struct gvmb_offer *
pg_find_offer(struct pg *g)
{
	static const uint8_t netvsc[VMB_MSG_GUID_SIZE] =
		VMB_CHANMSG_GUID_NETVSC_BYTES;
	const struct gvmb_offer *offers;
	unsigned int i, n = 0;

	offers = gvmb_offers(g->conn, &n);
	for (i = 0; i < n; i++) {
		const struct gvmb_offer *o = &offers[i];

		pg_diag("offer relid %u nic \"%s\" sub %u", o->relid,
			o->nic_name, o->sub_channel_index);
		if (memcmp(o->if_type, netvsc, sizeof(netvsc)) != 0 ||
		    o->sub_channel_index != 0 || o->rescinded) {
			continue;
		}
		if (g->o->nic == NULL || strcmp(o->nic_name, g->o->nic) == 0) {
			return o;
		}
	}
	return NULL;
}

/* Connect as the VM, get the offers, open the netvsc channel. */
static int
pg_open(struct pg *g, const struct pg_opts *o)
{
	struct gvmb_opts go;
	const struct gvmb_offer *off;
	int rc, n;

	memset(g, 0, sizeof(*g));
	g->o = o;
	g->next_tid = PG_TID_BASE;
	rc = gvmb_ram_create(PG_RAM_SIZE, &g->ram);
	if (!pg_check(rc == 0, "guest RAM of %u MiB created",
		      PG_RAM_SIZE >> 20)) {
		return -1;
	}
	memset(&go, 0, sizeof(go));
	go.timeout_ms = PG_WAIT_MS;
	rc = gvmb_connect(o->socket, g->ram, o->vm, &go, &g->conn);
	if (!pg_check(rc == 0, "connect to %s as VM \"%s\" (%s)", o->socket,
		      o->vm, rc == 0 ? "ok" : strerror(-rc))) {
		return -1;
	}
	n = gvmb_request_offers(g->conn);
	off = n > 0 ? pg_find_offer(g) : NULL;
	if (!pg_check(off != NULL, "netvsc offer received (%d offers)", n)) {
		return -1;
	}
	g->relid = off->relid;
	rc = gvmb_chan_open(g->conn, g->relid, NULL, &g->ch);
	if (!pg_check(rc == 0, "channel relid %u opened (%s)", g->relid,
		      rc == 0 ? "ok" : strerror(-rc))) {
		g->ch = NULL;
		return -1;
	}
	if (gvmb_ram_alloc(g->ram, PG_CTL_PAGES * VMB_PAGE_SIZE,
			   &g->ctl) != 0 ||
	    gvmb_ram_alloc(g->ram, PG_DATA_PAGES * VMB_PAGE_SIZE,
			   &g->data) != 0) {
		pg_check(false, "scratch pages allocated");
		return -1;
	}
	return 0;
}

/* Free everything local and disconnect (the host sees a disconnect). */
static void
pg_close(struct pg *g)
{
	if (g->ram != NULL) {
		gvmb_ram_free(g->ram, &g->rbuf);
		gvmb_ram_free(g->ram, &g->sbuf);
		gvmb_ram_free(g->ram, &g->ctl);
		gvmb_ram_free(g->ram, &g->data);
	}
	gvmb_disconnect(g->conn);	/* frees a channel still open */
	g->conn = NULL;
	g->ch = NULL;
	gvmb_ram_destroy(g->ram);
	g->ram = NULL;
}

/*
 * NVSP INIT {min, max} (completion requested, 40 bytes as Linux).  Checks
 * an INIT_COMPLETE (>= 28 bytes) arrives within PG_WAIT_MS.  Returns its
 * status or -1.
 */
static int
pg_nvsp_init(struct pg *g, uint32_t min, uint32_t max)
{
	uint8_t c[PG_COMP_MAX] = { 0 };
	struct nvsp_msg m;
	uint64_t tid;
	int len;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG_TYPE_INIT;
	m.init.min_ver = min;
	m.init.max_ver = max;
	tid = pg_send_nvsp(g, &m, true);
	len = tid != 0 ? pg_take_comp(g, tid, PG_WAIT_MS, c, sizeof(c)) :
	      -EPIPE;
	if (!pg_check(len >= (int)NVSP_MSG_SIZE_V1 &&
		      sn_get_le32(c) == NVSP_MSG_TYPE_INIT_COMPLETE,
		      "INIT min %#010x max %#010x: INIT_COMPLETE (>= 28 bytes) "
		      "within %d ms", min, max, PG_WAIT_MS)) {
		if (len > 0) {
			pg_hexdump("completion", c, (size_t)SN_MIN(len, 64));
		} else {
			pg_diag("no completion: %s", strerror(-len));
		}
		return -1;
	}
	return (int)sn_get_le32(c + 12);
}

/* SEND_NDIS_CONFIG (mtu + 14, Linux 6.1 capabilities) and NDIS 6.30. */
static bool
pg_ndis_setup(struct pg *g)
{
	struct nvsp_msg m;
	uint64_t t1, t2;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG2_TYPE_SEND_NDIS_CONFIG;
	m.ndis_config.mtu = PG_MTU + PG_ETH_HLEN;
	m.ndis_config.capabilities = PG_NDIS_CAPS_V61;
	t1 = pg_send_nvsp(g, &m, false);
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_NDIS_VER;
	m.ndis_ver.major = 6;
	m.ndis_ver.minor = 30;
	t2 = pg_send_nvsp(g, &m, false);
	return pg_check(t1 != 0 && t2 != 0,
			"SEND_NDIS_CONFIG mtu %u caps %#x and SEND_NDIS_VER "
			"6.30 sent (no completion requested)",
			PG_MTU + PG_ETH_HLEN, (unsigned int)PG_NDIS_CAPS_V61);
}

/*
 * Receive buffer: 16 MiB GPADL, SEND_RECV_BUF id 0xCAFE, and the checks
 * Linux makes on SEND_RECV_BUF_COMPLETE (netvsc_init_buf()): status
 * SUCCESS, exactly 1 section at offset 0, sub_alloc_size >= 68,
 * size * count within the buffer.
 */
static bool
pg_recv_buf(struct pg *g)
{
	uint8_t c[PG_COMP_MAX] = { 0 };
	struct nvsp_msg m;
	uint32_t st, nsec, off, sub, cnt, end;
	uint64_t tid;
	int rc, len;

	rc = gvmb_ram_alloc(g->ram, PG_RECV_BUF_SIZE, &g->rbuf);
	if (rc == 0) {
		rc = gvmb_gpadl_create(g->conn, g->relid, &g->rbuf,
				       &g->rbuf_gpadl);
	}
	if (!pg_check(rc == 0, "receive buffer GPADL of %u MiB created (%s)",
		      PG_RECV_BUF_SIZE >> 20, rc == 0 ? "ok" : strerror(-rc))) {
		g->rbuf_gpadl = 0;
		return false;
	}
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RECV_BUF;
	m.recv_buf.gpadl = g->rbuf_gpadl;
	m.recv_buf.id = PG_RECV_BUF_ID;
	tid = pg_send_nvsp(g, &m, true);
	len = tid != 0 ? pg_take_comp(g, tid, PG_WAIT_MS, c, sizeof(c)) : -1;
	st = sn_get_le32(c + 4);
	nsec = sn_get_le32(c + 8);
	off = sn_get_le32(c + 12);
	sub = sn_get_le32(c + 16);
	cnt = sn_get_le32(c + 20);
	end = sn_get_le32(c + 24);
	if (!pg_check(len >= (int)NVSP_MSG_SIZE_V1 &&
		      sn_get_le32(c) == NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE &&
		      st == NVSP_STAT_SUCCESS && nsec == 1 && off == 0 &&
		      sub >= PG_NETVSC_MTU_MIN && cnt > 0 &&
		      (uint64_t)sub * cnt <= PG_RECV_BUF_SIZE &&
		      end <= PG_RECV_BUF_SIZE && end >= (uint64_t)sub * cnt,
		      "SEND_RECV_BUF: status %s, %u section(s), offset %u, "
		      "%u slots of %u bytes, end %u", nvsp_status_name(st),
		      nsec, off, cnt, sub, end)) {
		if (len > 0) {
			pg_hexdump("SEND_RECV_BUF_COMPLETE", c,
				   (size_t)SN_MIN(len, 64));
		}
		return false;
	}
	g->rbuf_end = end;
	return true;
}

/* Send buffer: ~1 MiB GPADL, SEND_SEND_BUF id 0, section size check. */
static bool
pg_send_buf(struct pg *g)
{
	uint8_t c[PG_COMP_MAX] = { 0 };
	struct nvsp_msg m;
	uint32_t st, ss;
	uint64_t tid;
	int rc, len;

	rc = gvmb_ram_alloc(g->ram, PG_SEND_BUF_SIZE, &g->sbuf);
	if (rc == 0) {
		rc = gvmb_gpadl_create(g->conn, g->relid, &g->sbuf,
				       &g->sbuf_gpadl);
	}
	if (!pg_check(rc == 0, "send buffer GPADL of %u bytes created (%s)",
		      PG_SEND_BUF_SIZE, rc == 0 ? "ok" : strerror(-rc))) {
		g->sbuf_gpadl = 0;
		return false;
	}
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_SEND_BUF;
	m.send_buf.gpadl = g->sbuf_gpadl;
	m.send_buf.id = PG_SEND_BUF_ID;
	tid = pg_send_nvsp(g, &m, true);
	len = tid != 0 ? pg_take_comp(g, tid, PG_WAIT_MS, c, sizeof(c)) : -1;
	st = sn_get_le32(c + 4);
	ss = sn_get_le32(c + 8);
	if (!pg_check(len >= 12 &&
		      sn_get_le32(c) == NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE &&
		      st == NVSP_STAT_SUCCESS && ss >= PG_NETVSC_MTU_MIN &&
		      ss <= PG_SEND_BUF_SIZE,
		      "SEND_SEND_BUF: status %s, section size %u",
		      nvsp_status_name(st), ss)) {
		if (len > 0) {
			pg_hexdump("SEND_SEND_BUF_COMPLETE", c,
				   (size_t)SN_MIN(len, 64));
		}
		return false;
	}
	g->section_size = ss;
	g->nsections = PG_SEND_BUF_SIZE / ss;
	return true;
}

/*
 * RNDIS INITIALIZE 1.0, max transfer 0x4000, and the INIT_CMPLT checked
 * field by field (52 bytes: req_id, SUCCESS, 1.0, connectionless,
 * 802.3, >= 1 packet per message, alignment factor <= 12).
 */
static bool
pg_rndis_init(struct pg *g)
{
	struct rndis_init_req rq = {
		.req_id = ++g->next_req,
		.major = RNDIS_MAJOR_VERSION,
		.minor = RNDIS_MINOR_VERSION,
		.max_xfer_size = PG_RNDIS_MAX_XFER,
	};
	uint8_t msg[64], rep[PG_RMSG_MAX];
	int len, rl;

	len = rndis_encode_init_req(msg, sizeof(msg), &rq);
	rl = len > 0 ? pg_rndis_call(g, "RNDIS INITIALIZE", msg, (uint32_t)len,
				     0, rq.req_id, RNDIS_MSG_INIT_CMPLT, rep,
				     sizeof(rep)) : -1;
	if (rl < 0) {
		return false;
	}
	if (!pg_check(rl == 52 && sn_get_le32(rep + 4) == 52 &&
		      sn_get_le32(rep + 8) == rq.req_id &&
		      sn_get_le32(rep + 12) == RNDIS_STATUS_SUCCESS &&
		      sn_get_le32(rep + 16) == 1 &&
		      sn_get_le32(rep + 20) == 0 &&
		      sn_get_le32(rep + 24) == RNDIS_DF_CONNECTIONLESS &&
		      sn_get_le32(rep + 28) == RNDIS_MEDIUM_802_3 &&
		      sn_get_le32(rep + 32) >= 1 && sn_get_le32(rep + 36) > 0 &&
		      sn_get_le32(rep + 40) <= 12,
		      "RNDIS INIT_CMPLT: 52 bytes, req_id %u, status %#x, "
		      "version %u.%u, flags %#x, medium %u, %u pkts/msg, "
		      "max xfer %#x, align 2^%u", sn_get_le32(rep + 8),
		      sn_get_le32(rep + 12), sn_get_le32(rep + 16),
		      sn_get_le32(rep + 20), sn_get_le32(rep + 24),
		      sn_get_le32(rep + 28), sn_get_le32(rep + 32),
		      sn_get_le32(rep + 36), sn_get_le32(rep + 40))) {
		pg_hexdump("INIT_CMPLT", rep, (size_t)rl);
		return false;
	}
	return true;
}

/* SET CURRENT_PACKET_FILTER to f. */
static bool
pg_filter(struct pg *g, uint32_t f)
{
	uint8_t v[4];
	char label[32];

	sn_put_le32(v, f);
	snprintf(label, sizeof(label), " %#x", f);
	return pg_set(g, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, label, v, 4, 0,
		      RNDIS_STATUS_SUCCESS);
}

/*
 * The short attach (what attach-detach and malformed use): INIT 6.1,
 * NDIS config and version, receive and send buffers, RNDIS INITIALIZE,
 * packet filter 0x0D.
 */
static bool
pg_attach(struct pg *g)
{
	int st = pg_nvsp_init(g, NVSP_PROTOCOL_VERSION_61,
			      NVSP_PROTOCOL_VERSION_61);

	if (!pg_check(st == NVSP_STAT_SUCCESS, "INIT 6.1 accepted (%s)",
		      pg_st(st))) {
		return false;
	}
	return pg_ndis_setup(g) && pg_recv_buf(g) && pg_send_buf(g) &&
	       pg_rndis_init(g) &&
	       pg_filter(g, RNDIS_FILTER_DIRECTED | RNDIS_FILTER_ALL_MULTICAST |
			 RNDIS_FILTER_BROADCAST);
}

/*
 * The Linux detach (rndis_filter_device_remove(), netvsc_device_remove()):
 * RNDIS HALT (completed, no reply), REVOKE_RECV_BUF 0xCAFE, REVOKE_SEND_BUF
 * 0 (no completions requested), CLOSECHANNEL + ring GPADL teardown, then
 * the buffer GPADL teardowns; each teardown must be answered.
 */
static bool
pg_detach(struct pg *g, bool halt)
{
	uint8_t msg[16];
	struct nvsp_msg m;
	uint64_t t1, t2;
	bool ok = true;
	int rc, st, len;

	if (g->conn == NULL) {
		return false;
	}
	if (halt && g->ch != NULL) {
		len = rndis_encode_halt(msg, sizeof(msg), ++g->next_req);
		st = pg_pkt_status(g, len > 0 ?
				   pg_rndis_send(g, msg, (uint32_t)len, 0) : 0);
		ok &= pg_check(st == NVSP_STAT_SUCCESS,
			       "RNDIS HALT: SEND_RNDIS_PKT completed with %s",
			       pg_st(st));
	}
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_REVOKE_RECV_BUF;
	m.revoke_recv_buf.id = PG_RECV_BUF_ID;
	t1 = g->rbuf_gpadl != 0 && g->ch != NULL ? pg_send_nvsp(g, &m, false) :
	     1;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_REVOKE_SEND_BUF;
	m.revoke_send_buf.id = PG_SEND_BUF_ID;
	t2 = g->sbuf_gpadl != 0 && g->ch != NULL ? pg_send_nvsp(g, &m, false) :
	     1;
	ok &= pg_check(t1 != 0 && t2 != 0,
		       "REVOKE_RECV_BUF 0xcafe and REVOKE_SEND_BUF 0 sent");
	/* Drain what is still due (e.g. indications) before closing. */
	while (pg_pump(g, 50) > 0) {
	}
	ok &= pg_check(pg_stray(g) == 0,
		       "no unexpected answers before the channel is closed");
	if (g->ch != NULL) {
		rc = gvmb_chan_close(g->ch);
		g->ch = NULL;
		ok &= pg_check(rc == 0, "CLOSECHANNEL + ring GPADL teardown "
			       "answered (%s)", rc == 0 ? "ok" : strerror(-rc));
	}
	if (g->rbuf_gpadl != 0) {
		rc = gvmb_gpadl_teardown(g->conn, g->relid, g->rbuf_gpadl);
		ok &= pg_check(rc == 0, "receive buffer GPADL_TORNDOWN (%s)",
			       rc == 0 ? "ok" : strerror(-rc));
		g->rbuf_gpadl = 0;
	}
	if (g->sbuf_gpadl != 0) {
		rc = gvmb_gpadl_teardown(g->conn, g->relid, g->sbuf_gpadl);
		ok &= pg_check(rc == 0, "send buffer GPADL_TORNDOWN (%s)",
			       rc == 0 ? "ok" : strerror(-rc));
		g->sbuf_gpadl = 0;
	}
	return ok;
}

/* Final per-connection checks: every host packet was well-formed. */
static void
pg_final(struct pg *g)
{
	pg_check(g->n_bad == 0 && g->n_lost == 0,
		 "host sent only well-formed packets (%u malformed, %u "
		 "unclaimed answers dropped)", g->n_bad, g->n_lost);
	pg_check(g->n_missed_intr == 0, "host signalled its writes into our "
		 "empty ring (%u interrupts, %u packets unsignalled)",
		 g->n_intr, g->n_missed_intr);
	pg_diag("host sent %u indications, %u data frames, %u inband "
		"messages", g->n_ind, g->n_data, g->n_inband);
}

/* ---- control socket (optional counters) --------------------------------- */

/*
 * Run "synthctl adapter stats VM --json" over the control socket (the
 * SNCTL1 protocol, ctl/snctl_proto.h) into body (cap bytes, NUL-
 * terminated).  Returns 0, or -errno.  Bounded by PG_WAIT_MS.
 */
static int
pg_ctl_stats(const char *path, const char *vm, char *body, size_t cap)
{
	const char *argv[] = { "adapter", "stats", vm };
	int64_t deadline = pg_now_ms() + PG_WAIT_MS;
	struct sockaddr_un sa;
	uint8_t req[512];
	size_t n, got = 0;
	unsigned int i;
	int fd, rc = 0;

	if (cap < 8) {
		return -EINVAL;
	}
	memcpy(req, PG_SNCTL_MAGIC, 7);
	sn_put_le32(req + 7, 1);	/* flags: JSON */
	sn_put_le32(req + 11, SN_ARRAY_SIZE(argv));
	n = 15;
	for (i = 0; i < SN_ARRAY_SIZE(argv); i++) {
		size_t l = strlen(argv[i]) + 1;

		if (l > sizeof(req) - n) {
			return -EINVAL;
		}
		memcpy(req + n, argv[i], l);
		n += l;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    send(fd, req, n, MSG_NOSIGNAL) != (ssize_t)n) {
		rc = -errno;
		close(fd);
		return rc;
	}
	(void)shutdown(fd, SHUT_WR);
	/* Response: u32 status, then the body until EOF. */
	while (got < cap - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - pg_now_ms();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		r = read(fd, body + got, cap - 1 - got);
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0) {
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	body[got] = '\0';
	if (rc == 0 && got < 4) {
		return -EPROTO;
	}
	if (rc == 0 && sn_get_le32(body) != 0) {
		pg_diag("synthctl adapter stats: status %u: %s",
			sn_get_le32(body), body + 4);
		return -EREMOTEIO;
	}
	if (rc == 0) {
		memmove(body, body + 4, got - 4 + 1);
	}
	return rc;
}

/* Sum of every "name": number in the JSON body (-1 when absent). */
static int64_t
pg_json_counter(const char *body, const char *name)
{
	char key[80];
	const char *p = body;
	int64_t sum = -1;

	snprintf(key, sizeof(key), "\"%s\"", name);
	while ((p = strstr(p, key)) != NULL) {
		p += strlen(key);
		while (*p == ' ' || *p == ':' || *p == '\t') {
			p++;
		}
		if (*p >= '0' && *p <= '9') {
			sum = (sum < 0 ? 0 : sum) + strtoll(p, NULL, 10);
		}
	}
	return sum;
}

/* Counters the malformed case moves (nvsp_host.h NVSP_HOST_ERRORS). */
static const char *const pg_counters[] = {
	"bad-vmbus-pkt", "bad-nvsp", "bad-rndis", "bad-section", "bad-gpa",
	"bad-completion-id",
};
#define PG_NCOUNTERS SN_ARRAY_SIZE(pg_counters)

/* Read the counters; false (diagnosed) when they cannot be read. */
static bool
pg_read_counters(const struct pg_opts *o, int64_t *v)
{
	static char body[1 << 16];
	unsigned int i;
	int rc;

	rc = pg_ctl_stats(o->ctl_socket, o->vm, body, sizeof(body));
	if (rc != 0) {
		pg_diag("cannot read counters from %s: %s", o->ctl_socket,
			strerror(-rc));
		return false;
	}
	for (i = 0; i < PG_NCOUNTERS; i++) {
		v[i] = pg_json_counter(body, pg_counters[i]);
	}
	return true;
}

/* ---- case: unsupported-version ------------------------------------------ */

static int
pg_case_unsupported_version(const struct pg_opts *o)
{
	static const uint32_t bad[][2] = {
		{ 0x00070000u, 0x00070000u },	/* newer than any we know */
		{ 0x00000001u, 0x00000001u },	/* older than V1 */
		/* min > max */
		{ NVSP_PROTOCOL_VERSION_61, NVSP_PROTOCOL_VERSION_1 },
		{ 0x00060002u, 0x00060002u },	/* between known versions */
		{ 0xFFFFFFFFu, 0xFFFFFFFFu },	/* all ones */
	};
	struct pg *g = calloc(1, sizeof(*g));
	unsigned int i;
	int st;

	if (g == NULL || pg_open(g, o) != 0) {
		goto out;
	}
	for (i = 0; i < SN_ARRAY_SIZE(bad); i++) {
		st = pg_nvsp_init(g, bad[i][0], bad[i][1]);
		pg_check(st >= 0 && st != NVSP_STAT_SUCCESS,
			 "INIT min %#010x max %#010x refused: status %s",
			 bad[i][0], bad[i][1], pg_st(st));
	}
	st = pg_nvsp_init(g, NVSP_PROTOCOL_VERSION_61,
			  NVSP_PROTOCOL_VERSION_61);
	pg_check(st == NVSP_STAT_SUCCESS,
		 "INIT 6.1 after the refusals accepted: status %s", pg_st(st));
	/* The channel really works: a full attach on the same channel. */
	if (st == NVSP_STAT_SUCCESS && pg_ndis_setup(g) && pg_recv_buf(g) &&
	    pg_send_buf(g) && pg_rndis_init(g)) {
		pg_sync(g, "the refused INITs");
	}
	pg_detach(g, true);
	pg_final(g);
out:
	if (g != NULL) {
		pg_close(g);
		free(g);
	}
	return 0;
}

/* ---- case: linux-sequence ----------------------------------------------- */

/* QUERY TCP_OFFLOAD_HARDWARE_CAPABILITIES with Linux's NDIS_OFFLOAD
 * header (rev 3, 156 bytes for NVSP >= 5) and check the object. */
static bool
pg_query_hwcaps(struct pg *g)
{
	uint8_t info[NDIS_OFFLOAD_SIZE_REV_3], val[PG_RMSG_MAX];
	struct ndis_obj_hdr h = {
		.type = NDIS_OBJTYPE_OFFLOAD,
		.revision = NDIS_OFFLOAD_REV_3,
		.size = NDIS_OFFLOAD_SIZE_REV_3,
	};
	uint16_t size;
	int il;

	memset(info, 0, sizeof(info));
	(void)ndis_obj_hdr_encode(&h, info, sizeof(info));
	il = pg_query(g, RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, info,
		      sizeof(info), RNDIS_STATUS_SUCCESS, val, sizeof(val));
	if (il < 0) {
		return false;
	}
	size = il >= 4 ? sn_get_le16(val + 2) : 0;
	return pg_check(il >= NDIS_OFFLOAD_SIZE_REV_1 &&
			val[0] == NDIS_OBJTYPE_OFFLOAD && val[1] >= 1 &&
			size >= NDIS_OFFLOAD_SIZE_REV_1 && size <= (uint32_t)il,
			"HW capabilities: NDIS_OFFLOAD type %#x rev %u size %u "
			"in %d bytes; ip4 tx csum flags %#x, lsov2 ip4 encap "
			"%#x", val[0], val[1], size, il,
			il >= 12 ? sn_get_le32(val + 8) : 0,
			il >= 84 ? sn_get_le32(val + 80) : 0);
}

/* SET TCP_OFFLOAD_PARAMETERS as Linux at NVSP >= 5 (rev 3, 28 bytes). */
static bool
pg_set_offload(struct pg *g)
{
	struct ndis_offload_params p;
	uint8_t info[NDIS_OFFLOAD_PARAMS_SIZE_FULL];
	int len;

	memset(&p, 0, sizeof(p));
	p.revision = NDIS_OFFLOAD_PARAMS_REV_3;
	p.size = NDIS_OFFLOAD_PARAMS_SIZE_FULL;
	p.ip4_csum = NDIS_OFFLOAD_PARAM_OFF;
	p.tcp4_csum = NDIS_OFFLOAD_PARAM_TX_RX;
	p.udp4_csum = NDIS_OFFLOAD_PARAM_TX_RX;
	p.tcp6_csum = NDIS_OFFLOAD_PARAM_TX_RX;
	p.udp6_csum = NDIS_OFFLOAD_PARAM_TX_RX;
	p.lsov2_ip4 = NDIS_OFFLOAD_SET_ON;
	p.lsov2_ip6 = NDIS_OFFLOAD_SET_ON;
	len = ndis_offload_params_encode(&p, info, sizeof(info));
	if (len < 0) {
		return pg_check(false, "offload parameters encode");
	}
	return pg_set(g, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, "", info,
		      (uint32_t)len, 0, RNDIS_STATUS_SUCCESS);
}

/* QUERY RECEIVE_SCALE_CAPABILITIES with Linux's header {0x88, 2, 20}. */
static bool
pg_query_rss_caps(struct pg *g)
{
	uint8_t info[PG_RSS_CAPS_QUERY_LEN], val[PG_RMSG_MAX];
	struct ndis_obj_hdr h = {
		.type = NDIS_OBJTYPE_RSS_CAPS,
		.revision = NDIS_RSS_CAPS_REV_2,
		.size = PG_RSS_CAPS_QUERY_LEN,
	};
	uint16_t size;
	int il;

	memset(info, 0, sizeof(info));
	(void)ndis_obj_hdr_encode(&h, info, sizeof(info));
	il = pg_query(g, RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES, info,
		      sizeof(info), RNDIS_STATUS_SUCCESS, val, sizeof(val));
	if (il < 0) {
		return false;
	}
	size = il >= 4 ? sn_get_le16(val + 2) : 0;
	return pg_check(il >= NDIS_RSS_CAPS_SIZE_REV_1 &&
			val[0] == NDIS_OBJTYPE_RSS_CAPS && val[1] >= 1 &&
			size >= NDIS_RSS_CAPS_SIZE_REV_1 &&
			size <= (uint32_t)il &&
			sn_get_le32(val + 12) >= 1,
			"RSS capabilities: type %#x rev %u size %u, flags %#x, "
			"%u queues, %u table entries", val[0], val[1], size,
			il >= 8 ? sn_get_le32(val + 4) : 0,
			il >= 16 ? sn_get_le32(val + 12) : 0,
			il >= 18 ? sn_get_le16(val + 16) : 0);
}

/*
 * SET RECEIVE_SCALE_PARAMETERS as Linux (rndis_set_rss_param_msg()):
 * 128 entries, the key after the table, hash info 0x1701.  The message
 * (620 bytes) is placed across a page boundary to make the host gather
 * two GPA ranges (wire-facts 9.2).
 */
static bool
pg_set_rss(struct pg *g, uint16_t flags, const char *label)
{
	struct ndis_rss_params p;
	uint8_t info[NDIS_RSS_PARAMS_LEN(PG_RSS_ITAB)];
	int len;

	memset(&p, 0, sizeof(p));
	p.revision = NDIS_RSS_PARAMS_REV_2;
	p.flags = flags;
	p.hash_info = NDIS_HASH_FUNC_TOEPLITZ | 0x1700u;
	p.n_entries = PG_RSS_ITAB;
	memcpy(p.key, pg_rss_key, sizeof(p.key));
	len = ndis_rss_params_encode(&p, info, sizeof(info));
	if (len < 0) {
		return pg_check(false, "RSS parameters encode");
	}
	return pg_set(g, RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS, label, info,
		      (uint32_t)len, VMB_PAGE_SIZE - 300, RNDIS_STATUS_SUCCESS);
}

/* The RNDIS queries and sets of Linux rndis_filter_device_add(). */
static void
pg_linux_rndis(struct pg *g)
{
	uint8_t val[PG_RMSG_MAX];
	char name[128];
	int il, i;

	il = pg_query(g, RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0,
		      RNDIS_STATUS_SUCCESS, val, sizeof(val));
	pg_check(il == 4 && sn_get_le32(val) == PG_MTU,
		 "MAXIMUM_FRAME_SIZE is %u (want 4 bytes = %u)",
		 il >= 4 ? sn_get_le32(val) : 0, PG_MTU);

	il = pg_query(g, RNDIS_OID_802_3_PERMANENT_ADDRESS, NULL, 0,
		      RNDIS_STATUS_SUCCESS, val, sizeof(val));
	if (il == 6) {
		memcpy(g->mac, val, 6);
		g->have_mac = true;
	}
	pg_check(il == 6 && (val[0] & 1) == 0 &&
		 (!g->o->have_mac || memcmp(val, g->o->expect_mac, 6) == 0),
		 "PERMANENT_ADDRESS %02x:%02x:%02x:%02x:%02x:%02x: 6 bytes, "
		 "unicast%s", val[0], val[1], val[2], val[3], val[4], val[5],
		 g->o->have_mac ? ", equals --expect-mac" : "");

	il = pg_query(g, RNDIS_OID_GEN_FRIENDLY_NAME, NULL, 0,
		      RNDIS_STATUS_SUCCESS, val, sizeof(val));
	for (i = 0; il > 0 && i < il / 2 && i < (int)sizeof(name) - 1; i++) {
		uint16_t u = sn_get_le16(val + 2 * i);

		name[i] = u >= 0x20 && u < 0x7f ? (char)u : (u == 0 ? 0 : '?');
	}
	name[i] = '\0';
	pg_check(il >= 2 && il % 2 == 0 && sn_get_le16(val + il - 2) == 0,
		 "FRIENDLY_NAME \"%s\": UTF-16LE, NUL-terminated (%d bytes)",
		 name, il);

	pg_query_hwcaps(g);
	pg_set_offload(g);

	il = pg_query(g, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0,
		      RNDIS_STATUS_SUCCESS, val, sizeof(val));
	pg_check(il == 4 && sn_get_le32(val) == RNDIS_MEDIA_STATE_CONNECTED,
		 "MEDIA_CONNECT_STATUS is %u (0 = connected)",
		 il >= 4 ? sn_get_le32(val) : 0xFFFFFFFFu);

	il = pg_query(g, RNDIS_OID_GEN_LINK_SPEED, NULL, 0,
		      RNDIS_STATUS_SUCCESS, val, sizeof(val));
	pg_check(il == 4 && sn_get_le32(val) > 0,
		 "LINK_SPEED is %u x 100 bps", il >= 4 ? sn_get_le32(val) : 0);

	pg_query_rss_caps(g);
	pg_set_rss(g, NDIS_RSS_FLAG_DISABLE_RSS, " (DISABLE_RSS)");
	pg_set_rss(g, 0, " (128 entries, Toeplitz)");
}

static int
pg_case_linux_sequence(const struct pg_opts *o)
{
	struct pg *g = calloc(1, sizeof(*g));
	int st;

	if (g == NULL || pg_open(g, o) != 0) {
		goto out;
	}
	st = pg_nvsp_init(g, NVSP_PROTOCOL_VERSION_61,
			  NVSP_PROTOCOL_VERSION_61);
	if (!pg_check(st == NVSP_STAT_SUCCESS, "INIT 6.1: status %s",
		      pg_st(st))) {
		goto detach;
	}
	if (!pg_ndis_setup(g) || !pg_recv_buf(g) || !pg_send_buf(g) ||
	    !pg_rndis_init(g)) {
		goto detach;
	}
	pg_linux_rndis(g);
	pg_filter(g, RNDIS_FILTER_DIRECTED | RNDIS_FILTER_ALL_MULTICAST |
		  RNDIS_FILTER_BROADCAST);
	pg_sync(g, "the Linux attach sequence");
	pg_filter(g, RNDIS_FILTER_NONE);
detach:
	pg_detach(g, true);
	pg_final(g);
out:
	if (g != NULL) {
		pg_close(g);
		free(g);
	}
	return 0;
}

/* ---- case: malformed ---------------------------------------------------- */

/*
 * Check tid was completed with SEND_RNDIS_PKT_COMPLETE FAIL.  A request
 * the host must not have processed would show up as an unexpected reply
 * at the caller's next barrier (pg_sync).
 */
static bool
pg_expect_fail(struct pg *g, uint64_t tid, const char *what)
{
	int st = pg_pkt_status(g, tid);

	return pg_check(st == NVSP_STAT_FAIL, "%s: completed with %s "
			"(want FAIL)", what, pg_st(st));
}

/* A KEEPALIVE request in buf (12 bytes); returns its req_id. */
static uint32_t
pg_keepalive(struct pg *g, uint8_t *buf)
{
	uint32_t req = ++g->next_req;

	(void)rndis_encode_keepalive(buf, 12, req);
	return req;
}

/*
 * A PACKET with a 60-byte broadcast frame after ppi[0..plen) (raw PPI
 * bytes, may be malformed).  Returns msg_len.
 */
static uint32_t
pg_build_packet(const struct pg *g, uint8_t *buf, const uint8_t *ppi,
		uint32_t plen)
{
	uint32_t doff = RNDIS_PACKET_OFFSET_MIN + plen, flen = 60;
	uint32_t mlen = RNDIS_HDR_LEN + doff + flen;
	uint8_t *f;

	memset(buf, 0, mlen);
	sn_put_le32(buf, RNDIS_MSG_PACKET);
	sn_put_le32(buf + 4, mlen);
	sn_put_le32(buf + 8, doff);
	sn_put_le32(buf + 12, flen);
	sn_put_le32(buf + 28, plen > 0 ? RNDIS_PACKET_OFFSET_MIN : 0);
	sn_put_le32(buf + 32, plen);
	if (plen > 0) {
		memcpy(buf + RNDIS_HDR_LEN + RNDIS_PACKET_OFFSET_MIN, ppi,
		       plen);
	}
	f = buf + RNDIS_HDR_LEN + doff;
	memset(f, 0xff, 6);			/* broadcast */
	if (g->have_mac) {
		memcpy(f + 6, g->mac, 6);
	} else {
		memcpy(f + 6, "\x02\x50\x47\x00\x00\x01", 6);
	}
	sn_put_be16(f + 12, 0x88B5);		/* local experimental */
	memcpy(f + 14, "synthnet proto_guest", 20);
	return mlen;
}

/* Bad send-buffer sections: index beyond the buffer, size > section. */
static void
pg_mal_sections(struct pg *g)
{
	uint8_t *sec0 = g->sbuf.ptr;
	char what[96];
	uint32_t idx[2] = { g->nsections, 0xFFFFFFFEu };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(what, sizeof(what), "SEND_RNDIS_PKT section index %#x "
			 "(buffer has %u)", idx[i], g->nsections);
		pg_expect_fail(g, pg_send_rndis_pkt(g,
						    NVSP_CHANNEL_TYPE_CONTROL,
						    idx[i], 12, NULL, 0), what);
	}
	/* A valid KEEPALIVE in section 0 that must not be answered. */
	(void)pg_keepalive(g, sec0);
	snprintf(what, sizeof(what), "SEND_RNDIS_PKT section 0 size %u "
		 "(section size %u)", g->section_size + 1, g->section_size);
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_CONTROL, 0,
					    g->section_size + 1, NULL, 0),
		       what);
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_CONTROL, 0,
					    0xFFFFFFFFu - 1, NULL, 0),
		       "SEND_RNDIS_PKT section 0 size 0xfffffffe");
	pg_sync(g, "bad send-buffer sections");
}

/* Send a GPA-direct packet with header bytes x and NVSP nv: want FAIL. */
static void
pg_gpa_crafted(struct pg *g, const uint8_t *x, uint32_t xlen,
	       const uint8_t *nv, const char *what)
{
	pg_expect_fail(g, pg_send_crafted(g, VMB_PKT_DATA_USING_GPA_DIRECT, x,
					  xlen, nv, NVSP_MSG_SIZE_V61), what);
}

/*
 * GPA-direct packets whose range list is malformed while the NVSP
 * SEND_RNDIS_PKT they carry is intact: the protocol's answer is still
 * SEND_RNDIS_PKT_COMPLETE FAIL (a Linux guest waits for that id).
 */
static void
pg_mal_gpa_headers(struct pg *g)
{
	uint8_t nv[NVSP_MSG_SIZE_V61], x[48];
	struct nvsp_msg m;
	uint64_t pfn = g->ctl.pfn[0];
	uint8_t ka[12];

	(void)pg_keepalive(g, ka);
	memcpy(g->ctl.ptr, ka, sizeof(ka));
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	m.rndis_pkt.channel_type = NVSP_CHANNEL_TYPE_CONTROL;
	m.rndis_pkt.section_index = NVSP_SECTION_INDEX_NONE;
	(void)nvsp_encode(&m, nv, sizeof(nv), NVSP_MSG_SIZE_V61);

	memset(x, 0, sizeof(x));
	pg_gpa_crafted(g, x, 8, nv, "GPA-direct packet with range_count 0");
	sn_put_le32(x + 4, 1);
	sn_put_le32(x + 8, 0);			/* byte_count 0 */
	sn_put_le32(x + 12, 0);
	sn_put_le64(x + 16, pfn);
	pg_gpa_crafted(g, x, 24, nv, "GPA-direct range with byte_count 0");
	sn_put_le32(x + 8, 12);
	sn_put_le32(x + 12, VMB_PAGE_SIZE);	/* byte_offset 4096 */
	sn_put_le64(x + 24, pfn + 1);
	pg_gpa_crafted(g, x, 32, nv, "GPA-direct range with byte_offset 4096");
	sn_put_le32(x + 4, 3);			/* 3 declared, 1 there */
	sn_put_le32(x + 12, 0);
	pg_gpa_crafted(g, x, 24, nv,
		       "GPA-direct range_count 3 with 1 range in the header");
	sn_put_le32(x + 4, 1);
	sn_put_le32(x + 8, 2 * VMB_PAGE_SIZE);	/* 2 pages, 1 PFN */
	pg_gpa_crafted(g, x, 24, nv,
		       "GPA-direct range of 2 pages with 1 PFN in the header");
}

/* GPA-direct ranges naming pages outside guest RAM. */
static void
pg_mal_gpa(struct pg *g)
{
	uint64_t ram_pages = PG_RAM_SIZE / VMB_PAGE_SIZE;
	uint64_t pfn[2];
	struct vmb_gpa_buf r;
	uint8_t *last;
	char what[96];

	pfn[0] = ram_pages;
	r = (struct vmb_gpa_buf){ .byte_count = 12, .byte_offset = 0,
				  .pfn = pfn };
	snprintf(what, sizeof(what), "GPA-direct PFN %#" PRIx64 " (first "
		 "page past RAM)", pfn[0]);
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_CONTROL,
					    NVSP_SECTION_INDEX_NONE, 0, &r, 1),
		       what);
	pfn[0] = UINT64_C(0x000FFFFFFFFFFFFF);
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_CONTROL,
					    NVSP_SECTION_INDEX_NONE, 0, &r, 1),
		       "GPA-direct PFN 0xfffffffffffff");
	pfn[0] = UINT64_MAX;
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_CONTROL,
					    NVSP_SECTION_INDEX_NONE, 0, &r, 1),
		       "GPA-direct PFN 0xffffffffffffffff (address overflow)");
	/* A range starting in the last page and running past the end,
	 * with the first 8 bytes of a KEEPALIVE in that last page. */
	last = gvmb_ram_gpa(g->ram, (ram_pages - 1) * VMB_PAGE_SIZE,
			    VMB_PAGE_SIZE);
	if (last != NULL) {
		uint8_t ka[12];

		(void)pg_keepalive(g, ka);
		memcpy(last + VMB_PAGE_SIZE - 8, ka, 8);
	}
	pfn[0] = ram_pages - 1;
	pfn[1] = ram_pages;
	r = (struct vmb_gpa_buf){ .byte_count = 16,
				  .byte_offset = VMB_PAGE_SIZE - 8,
				  .pfn = pfn };
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_CONTROL,
					    NVSP_SECTION_INDEX_NONE, 0, &r, 1),
		       "GPA-direct range from the last RAM page into the next");
	pg_mal_gpa_headers(g);
	pg_sync(g, "GPA ranges outside guest RAM or malformed");
}

/* RNDIS msg_len larger than the bytes the packet carries. */
static void
pg_mal_msglen(struct pg *g)
{
	static const uint32_t lens[] = { 64, 0x1000, 0xFFFFFFF8u };
	struct vmb_gpa_buf r[PG_GPA_MAX];
	uint64_t pfns[PG_GPA_MAX];
	uint8_t ka[12];
	char what[96];
	unsigned int i;
	uint32_t n;

	for (i = 0; i < SN_ARRAY_SIZE(lens); i++) {
		(void)pg_keepalive(g, ka);
		sn_put_le32(ka + 4, lens[i]);
		n = pg_ctl_place(g, ka, sizeof(ka), 0, r, pfns);
		snprintf(what, sizeof(what), "KEEPALIVE msg_len %#x in a "
			 "12-byte GPA range", lens[i]);
		pg_expect_fail(g, pg_send_rndis_pkt(g,
						    NVSP_CHANNEL_TYPE_CONTROL,
						    NVSP_SECTION_INDEX_NONE, 0,
						    r, n), what);
	}
	/* Same through a send section: msg_len beyond section_size. */
	(void)pg_keepalive(g, g->sbuf.ptr);
	sn_put_le32((uint8_t *)g->sbuf.ptr + 4, 4096);
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_CONTROL, 0, 12,
					    NULL, 0),
		       "KEEPALIVE msg_len 4096 in section 0 of size 12");
	pg_sync(g, "RNDIS msg_len beyond the data");
}

/* Malformed per-packet info on a data PACKET in send section 1. */
static void
pg_mal_ppi(struct pg *g)
{
	uint8_t ppi[32];
	uint8_t *sec1 = (uint8_t *)g->sbuf.ptr + g->section_size;
	uint32_t mlen;

	/* Size 0: a naive walker never advances. */
	memset(ppi, 0, sizeof(ppi));
	sn_put_le32(ppi, 0);
	sn_put_le32(ppi + 4, RNDIS_PPI_VLAN);
	sn_put_le32(ppi + 8, 12);
	mlen = pg_build_packet(g, sec1, ppi, 16);
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA, 1, mlen,
					    NULL, 0),
		       "PACKET with a PPI of size 0");
	/* Loop: element 1 at 16 has size 0xFFFFFFF0, 16 + size wraps to 0. */
	(void)rndis_ppi_encode(ppi, 16, RNDIS_PPI_VLAN, "\x05\x00\x00\x00", 4);
	sn_put_le32(ppi + 16, 0xFFFFFFF0u);
	sn_put_le32(ppi + 20, RNDIS_PPI_HASH_VALUE);
	sn_put_le32(ppi + 24, 12);
	sn_put_le32(ppi + 28, 0);
	mlen = pg_build_packet(g, sec1, ppi, 32);
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA, 1, mlen,
					    NULL, 0),
		       "PACKET with a PPI chain that loops (size wraps to "
		       "element 0)");
	/* Size 4 (< 12-byte header): next element overlaps this one. */
	sn_put_le32(ppi + 16, 4);
	mlen = pg_build_packet(g, sec1, ppi, 32);
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA, 1, mlen,
					    NULL, 0),
		       "PACKET with a PPI of size 4 (overlapping elements)");
	pg_sync(g, "malformed per-packet info");
}

/* Malformed data PACKETs in send section 1, a bad channel type. */
static void
pg_mal_packet(struct pg *g)
{
	uint8_t *sec1 = (uint8_t *)g->sbuf.ptr + g->section_size;
	uint8_t nv[NVSP_MSG_SIZE_V61];
	struct nvsp_msg m;
	uint32_t mlen;
	char what[96];

	mlen = pg_build_packet(g, sec1, NULL, 0);
	sn_put_le32(sec1 + 8, mlen);		/* data_offset past the end */
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA, 1, mlen,
					    NULL, 0),
		       "PACKET data_offset beyond msg_len");
	mlen = pg_build_packet(g, sec1, NULL, 0);
	sn_put_le32(sec1 + 12, 0xFFFFFFF0u);		/* data_len wraps */
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA, 1, mlen,
					    NULL, 0),
		       "PACKET data_len 0xfffffff0");
	mlen = pg_build_packet(g, sec1, NULL, 0);
	sn_put_le32(sec1 + 8, 20);			/* data inside header */
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA, 1, mlen,
					    NULL, 0),
		       "PACKET data_offset 20 (inside the 44-byte header)");
	mlen = pg_build_packet(g, sec1, NULL, 0);
	sn_put_le32(sec1 + 12, 10);			/* runt frame */
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA, 1, mlen,
					    NULL, 0),
		       "PACKET with a 10-byte frame (no Ethernet header)");
	/* 1600-byte frame, no LSO: longer than MTU + 14 + 4. */
	mlen = pg_build_packet(g, sec1, NULL, 0) - 60 + 1600;
	sn_put_le32(sec1 + 4, mlen);
	sn_put_le32(sec1 + 12, 1600);
	snprintf(what, sizeof(what), "PACKET with a 1600-byte frame (MTU %u, "
		 "no LSO)", PG_MTU);
	pg_expect_fail(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA, 1, mlen,
					    NULL, 0), what);
	mlen = pg_build_packet(g, sec1, NULL, 0);
	pg_expect_fail(g, pg_send_rndis_pkt(g, 7, 1, mlen, NULL, 0),
		       "SEND_RNDIS_PKT channel_type 7");
	/* A valid SEND_RNDIS_PKT in a VMBus packet type netvsc never uses. */
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	m.rndis_pkt.channel_type = NVSP_CHANNEL_TYPE_DATA;
	m.rndis_pkt.section_index = 1;
	m.rndis_pkt.section_size = mlen;
	(void)nvsp_encode(&m, nv, sizeof(nv), NVSP_MSG_SIZE_V61);
	{
		uint8_t c[PG_COMP_MAX] = { 0 };
		uint64_t tid = pg_send_crafted(g, VMB_PKT_DATA_USING_GPADL,
					       NULL, 0, nv, sizeof(nv));
		int len = tid != 0 ? pg_take_comp(g, tid, PG_WAIT_MS, c,
						  sizeof(c)) : -1;

		pg_check(len >= 8 && sn_get_le32(c + 4) != NVSP_STAT_SUCCESS,
			 "VMBus packet type 8 (DATA_USING_GPADL) with "
			 "COMPLETION_REQUESTED: completed, not SUCCESS "
			 "(type %u status %u)", sn_get_le32(c),
			 sn_get_le32(c + 4));
	}
	pg_sync(g, "malformed data PACKETs");
}

/* Unknown and truncated NVSP messages. */
static void
pg_mal_nvsp(struct pg *g)
{
	uint8_t m[NVSP_MSG_SIZE_V61], c[PG_COMP_MAX] = { 0 };
	uint64_t tid;
	int len;

	memset(m, 0, sizeof(m));
	sn_put_le32(m, 0x7777);
	tid = pg_send_inband(g, m, sizeof(m),
			     VMB_PKT_FLAG_COMPLETION_REQUESTED);
	len = pg_take_comp(g, tid, PG_WAIT_MS, c, sizeof(c));
	pg_check(len >= 8 && sn_get_le32(c + 4) != NVSP_STAT_SUCCESS,
		 "unknown NVSP type 0x7777 with COMPLETION_REQUESTED: "
		 "completed, not SUCCESS (type %u status %u)",
		 sn_get_le32(c), sn_get_le32(c + 4));
	(void)pg_send_inband(g, m, sizeof(m), 0);	/* no answer wanted */
	pg_sync(g, "unknown NVSP type 0x7777 (with and without completion)");

	/* A guest sending a host-to-guest type. */
	sn_put_le32(m, NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE);
	sn_put_le32(m + 4, NVSP_STAT_SUCCESS);
	tid = pg_send_inband(g, m, sizeof(m),
			     VMB_PKT_FLAG_COMPLETION_REQUESTED);
	len = pg_take_comp(g, tid, PG_WAIT_MS, c, sizeof(c));
	pg_check(len >= 8 && sn_get_le32(c + 4) != NVSP_STAT_SUCCESS,
		 "H->G type SEND_RNDIS_PKT_COMPLETE sent by the guest: "
		 "completed, not SUCCESS");

	/* Truncated SEND_RNDIS_PKT: type and channel type only. */
	memset(m, 0, sizeof(m));
	sn_put_le32(m, NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
	sn_put_le32(m + 4, NVSP_CHANNEL_TYPE_CONTROL);
	pg_expect_fail(g, pg_send_inband(g, m, 8,
					 VMB_PKT_FLAG_COMPLETION_REQUESTED),
		       "SEND_RNDIS_PKT truncated to 8 bytes");
	pg_expect_fail(g, pg_send_inband(g, m, 4,
					 VMB_PKT_FLAG_COMPLETION_REQUESTED),
		       "SEND_RNDIS_PKT truncated to 4 bytes (padded to 8)");
	/* No NVSP header at all. */
	tid = pg_send_inband(g, NULL, 0, VMB_PKT_FLAG_COMPLETION_REQUESTED);
	len = pg_take_comp(g, tid, PG_WAIT_MS, c, sizeof(c));
	pg_check(len < 8 || sn_get_le32(c + 4) != NVSP_STAT_SUCCESS,
		 "inband packet with an empty payload: %s",
		 len < 0 ? "not completed" : "completed, not SUCCESS");
	pg_sync(g, "truncated NVSP messages");
}

/* RNDIS-level refusals and bogus RX completions. */
static void
pg_mal_rndis(struct pg *g)
{
	uint8_t val[64];
	uint8_t c[8];
	uint8_t hdr[VMB_PKT_DESC_SIZE];
	int il, hl;

	il = pg_query(g, 0x00FFFF01u, NULL, 0, RNDIS_STATUS_NOT_SUPPORTED, val,
		      sizeof(val));
	pg_check(il == 0, "QUERY of unknown OID 0x00ffff01: NOT_SUPPORTED "
		 "with an empty info buffer (%d bytes)", il);

	/* Completions for transactions the host never started or finished. */
	sn_put_le32(c, NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE);
	sn_put_le32(c + 4, NVSP_STAT_SUCCESS);
	hl = vmb_pkt_enc_comp(hdr, sizeof(hdr), UINT64_C(0x0BADC0DE0BADC0DE),
			      sizeof(c));
	pg_check(hl > 0 && pg_write(g, hdr, (size_t)hl, c, sizeof(c)) == 0,
		 "RX completion with unknown trans_id 0x0badc0de0badc0de sent");
	if (g->have_xfer_tid) {
		hl = vmb_pkt_enc_comp(hdr, sizeof(hdr), g->last_xfer_tid,
				      sizeof(c));
		pg_check(hl > 0 && pg_write(g, hdr, (size_t)hl, c,
					    sizeof(c)) == 0,
			 "second RX completion of finished trans_id %#" PRIx64
			 " sent", g->last_xfer_tid);
	}
	pg_sync(g, "bogus RX completions (must be ignored)");
}

/*
 * Gathering that must work (wire-facts 9.2, 9.3): a control message whose
 * RNDIS header straddles two non-adjacent pages, a frame in three
 * scattered pieces, and a PACKET header in a send section with the frame
 * in a GPA range.
 */
static void
pg_mal_gather_ok(struct pg *g)
{
	uint8_t *ctl = g->ctl.ptr, *sec3;
	uint8_t ka[12], rep[PG_RMSG_MAX], pkt[128];
	struct vmb_gpa_buf r[3];
	uint64_t pfn[3];
	uint32_t req, mlen;
	int st, rl;

	req = pg_keepalive(g, ka);
	memcpy(ctl + VMB_PAGE_SIZE - 6, ka, 6);		/* page 0 tail */
	memcpy(ctl + 2 * VMB_PAGE_SIZE, ka + 6, 6);	/* page 2 head */
	pfn[0] = g->ctl.pfn[0];
	pfn[1] = g->ctl.pfn[2];
	r[0] = (struct vmb_gpa_buf){ 6, VMB_PAGE_SIZE - 6, &pfn[0] };
	r[1] = (struct vmb_gpa_buf){ 6, 0, &pfn[1] };
	st = pg_pkt_status(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_CONTROL,
						NVSP_SECTION_INDEX_NONE, 0,
						r, 2));
	rl = st == NVSP_STAT_SUCCESS ?
	     pg_take_rmsg(g, req, PG_WAIT_MS, rep, sizeof(rep)) : -1;
	pg_check(st == NVSP_STAT_SUCCESS && rl == 16 &&
		 sn_get_le32(rep) == RNDIS_MSG_KEEPALIVE_CMPLT &&
		 sn_get_le32(rep + 8) == req && sn_get_le32(rep + 12) == 0,
		 "KEEPALIVE split 6+6 bytes over two non-adjacent pages: "
		 "completed %s, answered SUCCESS", pg_st(st));

	/* A frame in 3 pieces: 50 | 30 | 24 bytes on pages 0, 2, 1. */
	mlen = pg_build_packet(g, pkt, NULL, 0);
	memcpy(ctl + VMB_PAGE_SIZE - 50, pkt, 50);
	memcpy(ctl + 2 * VMB_PAGE_SIZE + 100, pkt + 50, 30);
	memcpy(ctl + VMB_PAGE_SIZE + 8, pkt + 80, mlen - 80);
	pfn[0] = g->ctl.pfn[0];
	pfn[1] = g->ctl.pfn[2];
	pfn[2] = g->ctl.pfn[1];
	r[0] = (struct vmb_gpa_buf){ 50, VMB_PAGE_SIZE - 50, &pfn[0] };
	r[1] = (struct vmb_gpa_buf){ 30, 100, &pfn[1] };
	r[2] = (struct vmb_gpa_buf){ mlen - 80, 8, &pfn[2] };
	st = pg_pkt_status(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA,
						NVSP_SECTION_INDEX_NONE, 0,
						r, 3));
	pg_check(st == NVSP_STAT_SUCCESS, "data PACKET in 3 scattered GPA "
		 "ranges: completed with %s", pg_st(st));

	/* Header (44 bytes) in section 3, frame in a GPA range. */
	sec3 = (uint8_t *)g->sbuf.ptr + 3 * g->section_size;
	mlen = pg_build_packet(g, pkt, NULL, 0);
	memcpy(sec3, pkt, 44);
	memcpy(g->data.ptr, pkt + 44, mlen - 44);
	r[0] = (struct vmb_gpa_buf){ mlen - 44, 0, g->data.pfn };
	st = pg_pkt_status(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA, 3,
						44, r, 1));
	pg_check(st == NVSP_STAT_SUCCESS, "data PACKET header in section 3, "
		 "frame in a GPA range: completed with %s", pg_st(st));
}

/* After everything: data frames still go through, both paths. */
static void
pg_mal_data_ok(struct pg *g)
{
	uint8_t *sec2 = (uint8_t *)g->sbuf.ptr + 2 * g->section_size;
	struct vmb_gpa_buf r;
	uint32_t mlen;
	int st;

	mlen = pg_build_packet(g, sec2, NULL, 0);
	st = pg_pkt_status(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA, 2,
						mlen, NULL, 0));
	pg_check(st == NVSP_STAT_SUCCESS, "data frame via send section 2: "
		 "completed with %s", pg_st(st));
	mlen = pg_build_packet(g, g->data.ptr, NULL, 0);
	r = (struct vmb_gpa_buf){ .byte_count = mlen, .byte_offset = 0,
				  .pfn = g->data.pfn };
	st = pg_pkt_status(g, pg_send_rndis_pkt(g, NVSP_CHANNEL_TYPE_DATA,
						NVSP_SECTION_INDEX_NONE, 0,
						&r, 1));
	pg_check(st == NVSP_STAT_SUCCESS, "data frame via GPA-direct: "
		 "completed with %s", pg_st(st));
	pg_mal_gather_ok(g);
	pg_sync(g, "the data frames");
}

/* Counters before/after: each class must have been counted. */
static void
pg_mal_counters(const struct pg_opts *o, const int64_t *before)
{
	int64_t after[PG_NCOUNTERS];
	unsigned int i;

	if (!pg_read_counters(o, after)) {
		pg_check(false, "counters readable over %s", o->ctl_socket);
		return;
	}
	for (i = 0; i < PG_NCOUNTERS; i++) {
		if (before[i] < 0 || after[i] < 0) {
			pg_diag("counter %s not in 'adapter stats': not "
				"checked", pg_counters[i]);
			continue;
		}
		pg_check(after[i] > before[i], "counter %s moved (%" PRId64
			 " -> %" PRId64 ")", pg_counters[i], before[i],
			 after[i]);
	}
}

static int
pg_case_malformed(const struct pg_opts *o)
{
	struct pg *g = calloc(1, sizeof(*g));
	int64_t before[PG_NCOUNTERS];
	bool have_counters = false;
	uint8_t val[8];

	if (g == NULL || pg_open(g, o) != 0) {
		goto out;
	}
	if (!pg_attach(g)) {
		goto detach;
	}
	/* Our MAC, for the source of the data frames. */
	if (pg_query(g, RNDIS_OID_802_3_PERMANENT_ADDRESS, NULL, 0,
		     RNDIS_STATUS_SUCCESS, val, sizeof(val)) == 6) {
		memcpy(g->mac, val, 6);
		g->have_mac = true;
	}
	if (!pg_sync(g, "a correct attach")) {
		goto detach;
	}
	if (o->ctl_socket != NULL) {
		have_counters = pg_read_counters(o, before);
	}
	pg_mal_sections(g);
	pg_mal_gpa(g);
	pg_mal_msglen(g);
	pg_mal_ppi(g);
	pg_mal_packet(g);
	pg_mal_nvsp(g);
	pg_mal_rndis(g);
	pg_mal_data_ok(g);
	if (have_counters) {
		pg_mal_counters(o, before);
	}
detach:
	pg_detach(g, true);
	pg_final(g);
out:
	if (g != NULL) {
		pg_close(g);
		free(g);
	}
	return 0;
}

/* ---- case: attach-detach ------------------------------------------------ */

static int
pg_case_attach_detach(const struct pg_opts *o)
{
	struct pg *g = calloc(1, sizeof(*g));
	unsigned int i, fails_before;

	if (g == NULL) {
		pg_check(false, "memory");
		return 0;
	}
	for (i = 1; i <= o->count; i++) {
		fails_before = pg_failed;
		pg_diag("attach-detach round %u of %u", i, o->count);
		if (pg_open(g, o) == 0) {
			if (pg_attach(g)) {
				pg_sync(g, "attach");
			}
			pg_detach(g, true);
			pg_final(g);
		}
		pg_close(g);
		pg_check(pg_failed == fails_before,
			 "attach-detach round %u of %u", i, o->count);
	}
	free(g);
	return 0;
}

/* ---- case: abrupt-detach ------------------------------------------------ */

/*
 * One rough exit after a full attach; kind 0: disconnect with everything
 * open; 1: tear the buffer GPADLs down under the open channel (the host
 * must answer and keep its own mapping), keep talking, disconnect; 2:
 * CLOSECHANNEL without HALT or revoke, disconnect without the buffer
 * teardowns.
 */
static void
pg_abrupt_round(struct pg *g, unsigned int kind)
{
	uint8_t ka[12], rep[PG_RMSG_MAX];
	uint32_t req;
	uint64_t tid;
	int rc, st, rl;

	if (kind == 1) {
		rc = gvmb_gpadl_teardown(g->conn, g->relid, g->rbuf_gpadl);
		pg_check(rc == 0, "receive buffer GPADL_TORNDOWN while in use "
			 "(%s)", rc == 0 ? "ok" : strerror(-rc));
		rc = gvmb_gpadl_teardown(g->conn, g->relid, g->sbuf_gpadl);
		pg_check(rc == 0, "send buffer GPADL_TORNDOWN while in use "
			 "(%s)", rc == 0 ? "ok" : strerror(-rc));
		g->rbuf_gpadl = 0;
		g->sbuf_gpadl = 0;
		/* Whatever the host answers now, it must not crash. */
		req = pg_keepalive(g, ka);
		tid = pg_rndis_send(g, ka, sizeof(ka), 0);
		st = pg_pkt_status(g, tid);
		rl = pg_take_rmsg(g, req, 200, rep, sizeof(rep));
		pg_diag("KEEPALIVE after the buffer teardowns: %s, reply %s",
			pg_st(st), rl > 0 ? "came" : "none");
		while (pg_pump(g, 50) > 0) {
		}
		(void)pg_stray(g);
	} else if (kind == 2) {
		rc = gvmb_chan_close(g->ch);
		g->ch = NULL;
		pg_check(rc == 0, "CLOSECHANNEL without HALT or revoke "
			 "answered (%s)", rc == 0 ? "ok" : strerror(-rc));
	}
}

static int
pg_case_abrupt(const struct pg_opts *o)
{
	static const char *const kinds[] = {
		"disconnect with everything open",
		"buffer GPADLs torn down under the open channel",
		"CLOSECHANNEL without HALT/revoke, no buffer teardown",
	};
	struct pg *g = calloc(1, sizeof(*g));
	unsigned int i, fails_before;

	if (g == NULL) {
		pg_check(false, "memory");
		return 0;
	}
	for (i = 0; i < o->count; i++) {
		fails_before = pg_failed;
		pg_diag("abrupt round %u of %u: %s", i + 1, o->count,
			kinds[i % 3]);
		if (pg_open(g, o) == 0 && pg_attach(g) &&
		    pg_sync(g, "attach")) {
			pg_abrupt_round(g, i % 3);
		}
		pg_close(g);
		pg_check(pg_failed == fails_before,
			 "abrupt round %u of %u (%s)", i + 1, o->count,
			 kinds[i % 3]);
	}
	/* The host must have recovered: one clean Linux-style round. */
	fails_before = pg_failed;
	if (pg_open(g, o) == 0) {
		if (pg_attach(g)) {
			pg_sync(g, "the abrupt rounds");
		}
		pg_detach(g, true);
		pg_final(g);
	}
	pg_close(g);
	pg_check(pg_failed == fails_before, "clean attach-detach after the "
		 "abrupt rounds");
	free(g);
	return 0;
}

/* ---- main --------------------------------------------------------------- */

static void
pg_usage(FILE *f)
{
	fprintf(f,
		"usage: proto_guest --socket PATH --vm NAME --case CASE [N]\n"
		"         [--count N] [--expect-mac MAC] [--nic NAME]\n"
		"         [--ctl-socket PATH]\n"
		"cases:\n"
		"  unsupported-version  INITs the host must refuse, loudly\n"
		"  linux-sequence       the Linux netvsc attach and detach\n"
		"  malformed            hostile inputs; FAIL and keep working\n"
		"  attach-detach [N]    N x connect, init, teardown,\n"
		"                       disconnect (N or --count, default 10)\n"
		"  abrupt-detach [N]    N x attach then leave rudely\n"
		"                       (disconnect, GPADL teardown in use,\n"
		"                       close without revoke), then a clean\n"
		"                       round\n"
		"--expect-mac MAC   PERMANENT_ADDRESS must equal it\n"
		"--nic NAME         use the offer with this NIC name\n"
		"--ctl-socket PATH  malformed: also check that the host's\n"
		"                   error counters moved (synthctl stats)\n"
		"Prints one \"ok - ...\" / \"not ok - ...\" line per check;\n"
		"exit 0 only if every check passed, 2 on a usage error.\n");
}

static bool
pg_parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6) {
		return false;
	}
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff) {
			return false;
		}
		mac[i] = (uint8_t)b[i];
	}
	return true;
}

static bool
pg_parse_count(const char *s, unsigned int *n)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 100000) {
		return false;
	}
	*n = (unsigned int)v;
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "vm", required_argument, NULL, 'v' },
		{ "case", required_argument, NULL, 'c' },
		{ "count", required_argument, NULL, 'n' },
		{ "expect-mac", required_argument, NULL, 'm' },
		{ "nic", required_argument, NULL, 'i' },
		{ "ctl-socket", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pg_opts o;
	unsigned int budget;
	int opt;

	memset(&o, 0, sizeof(o));
	o.count = 10;
	while ((opt = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			o.socket = optarg;
			break;
		case 'v':
			o.vm = optarg;
			break;
		case 'c':
			o.casename = optarg;
			break;
		case 'n':
			if (!pg_parse_count(optarg, &o.count)) {
				fprintf(stderr, "bad --count %s\n", optarg);
				return 2;
			}
			break;
		case 'm':
			if (!pg_parse_mac(optarg, o.expect_mac)) {
				fprintf(stderr, "bad --expect-mac %s\n",
					optarg);
				return 2;
			}
			o.have_mac = true;
			break;
		case 'i':
			o.nic = optarg;
			break;
		case 'C':
			o.ctl_socket = optarg;
			break;
		case 'h':
			pg_usage(stdout);
			return 0;
		default:
			pg_usage(stderr);
			return 2;
		}
	}
	if (optind < argc && o.casename != NULL &&
	    (strcmp(o.casename, "attach-detach") == 0 ||
	     strcmp(o.casename, "abrupt-detach") == 0)) {
		if (!pg_parse_count(argv[optind], &o.count)) {
			fprintf(stderr, "bad count %s\n", argv[optind]);
			return 2;
		}
		optind++;
	}
	if (optind != argc || o.socket == NULL || o.vm == NULL ||
	    o.casename == NULL) {
		pg_usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Generous, but finite: every wait inside is PG_WAIT_MS. */
	budget = strcmp(o.casename, "attach-detach") == 0 ||
		 strcmp(o.casename, "abrupt-detach") == 0 ?
		 60 + 20 * SN_MIN(o.count, 10000u) : 180;
	signal(SIGALRM, pg_watchdog);
	alarm(budget);

	if (strcmp(o.casename, "unsupported-version") == 0) {
		pg_case_unsupported_version(&o);
	} else if (strcmp(o.casename, "linux-sequence") == 0) {
		pg_case_linux_sequence(&o);
	} else if (strcmp(o.casename, "malformed") == 0) {
		pg_case_malformed(&o);
	} else if (strcmp(o.casename, "attach-detach") == 0) {
		pg_case_attach_detach(&o);
	} else if (strcmp(o.casename, "abrupt-detach") == 0) {
		pg_case_abrupt(&o);
	} else {
		fprintf(stderr, "unknown case %s\n", o.casename);
		pg_usage(stderr);
		return 2;
	}
	alarm(0);
	printf("# %s: %u passed, %u failed\n", o.casename, pg_passed,
	       pg_failed);
	return pg_failed == 0 && pg_passed > 0 ? 0 : 1;
}
