/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp_host_priv.h - internals shared by the two halves of the host
 * (netvsp) protocol engine: nvsp_host.c (NVSP negotiation, buffers,
 * completions, control replies, poll) and nvsp_host_data.c (guest TX, RX
 * batches).  Not part of the API: users include nvsp_host.h only.
 *
 * Everything here runs on the engine's poll lcore, inside a call on the
 * engine; nothing is thread-safe on its own.
 */
#ifndef NVSP_HOST_PRIV_H
#define NVSP_HOST_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvsp.h"
#include "nvsp_host.h"
#include "nvsp_rxbuf.h"
#include "nvsp_rndis_dev.h"
#include "rndis_ppi.h"
#include "vmb_pkt.h"

/* Largest G->H packet copied out of the ring (descriptor .. payload). */
#define PKT_BUF_SIZE		16384u
/* Pieces (section + GPA page runs) one SEND_RNDIS_PKT may gather. */
#define MAX_CHUNKS		256u
/* Largest control message copied whole (RSS parameters: ~620 bytes). */
#define CTL_MSG_MAX		4096u
/* Largest PPI area copied (RNDIS_PPI_MAX elements of 16 bytes). */
#define PPI_AREA_MAX		(RNDIS_PPI_MAX * RNDIS_PPI_ELEM_LEN)
/* Receive slot: header reservation and the unused tail (OpenVMM). */
#define RX_HDR_SPACE		256u
#define RX_FOOTER		36u
/* Ethernet header, 802.1Q tag. */
#define ETH_HDR_LEN		14u
#define VLAN_TAG_LEN		4u

/* A completion waiting for H->G ring space (nvsp_host.c only). */
struct nvsp_comp;

/* A control reply waiting for a control slot or ring space. */
struct nvsp_ctl {
	uint32_t len;			/* bytes in msg */
	bool delayed;			/* already counted as ctl-backlog */
	uint8_t msg[NVSP_RNDIS_REPLY_MAX]; /* RNDIS message */
};

/* One contiguous piece of a gathered RNDIS byte stream. */
struct nvsp_tx_chunk {
	const uint8_t *p;		/* host pointer into guest memory */
	uint32_t len;			/* bytes */
};

/*
 * Per-channel state.  A subchannel will be one more of these sharing the
 * device state of struct nvsp_host.
 */
struct nvsp_chan {
	struct nvsp_host *h;		/* owning device */
	struct vmb_ring *g2h;		/* guest -> host, we read; borrowed */
	struct vmb_ring *h2g;		/* host -> guest, we write; borrowed */
	struct nvsp_comp *cq;		/* [NVSP_HOST_COMPLETION_QUEUE] */
	uint32_t cq_head;		/* oldest queued completion */
	uint32_t cq_count;		/* queued completions */
	struct nvsp_rxbuf_batch rxb;	/* slots of the pending RX batch */
	uint32_t rx_n;			/* frames in the pending batch */
	uint64_t rx_bytes;		/* their frame bytes */
	struct vmb_xfer_range rx_ranges[NVSP_HOST_RX_BATCH_MAX]; /* ranges */
	bool sig_pending;		/* a write owes the guest a signal */
	bool send_pending;		/* we set pending_send_sz on h2g */
	uint8_t xfer_hdr[VMB_XFER_HDR_LEN(NVSP_HOST_RX_BATCH_MAX)]; /* enc */
	uint8_t pkt[PKT_BUF_SIZE];	/* private copy of one G->H packet */
};

struct nvsp_host {
	struct nvsp_host_ops ops;	/* owner's callbacks */
	void *ctx;			/* their context */
	uint32_t cfg_mtu;		/* port MTU: slot size, upper clamp */
	uint32_t max_rx_batch;		/* frames per RX packet */
	uint32_t version;		/* negotiated NVSP version, 0 = none */
	uint32_t msg_size;		/* NVSP size we pad to (28 / 40) */
	uint32_t mtu;			/* effective payload MTU */
	uint64_t ndis_caps;		/* SEND_NDIS_CONFIG capabilities */
	bool broken;			/* G->H ring corrupt: channel dead */
	/* Receive buffer. */
	bool rbuf_ok;			/* mapped and announced */
	uint32_t rbuf_gpadl;		/* its GPADL (we hold a reference) */
	uint16_t rbuf_id;		/* transfer page set id (0xCAFE) */
	uint8_t *rbuf;			/* host mapping */
	size_t rbuf_len;		/* mapping length */
	uint32_t slot_size;		/* bytes per slot */
	uint32_t nslots;		/* slots announced */
	struct nvsp_rxbuf *rb;		/* slot allocator; owned */
	/* Send buffer. */
	bool sbuf_ok;			/* mapped and announced */
	uint32_t sbuf_gpadl;		/* its GPADL (we hold a reference) */
	uint16_t sbuf_id;		/* buffer id */
	const uint8_t *sbuf;		/* host mapping */
	uint32_t nsections;		/* send sections (6144 bytes each) */
	/* RNDIS device and its reply queue. */
	struct nvsp_rndis_dev rndis;	/* the device */
	struct nvsp_ctl *ctlq;		/* [NVSP_HOST_CTL_QUEUE]; owned */
	uint32_t ctlq_head;		/* oldest queued reply */
	uint32_t ctlq_count;		/* queued replies */
	/* Link indications. */
	bool link_sent_once;		/* an indication was ever sent */
	uint64_t last_link_ns;		/* when the last one was queued */
	/* Scratch for one SEND_RNDIS_PKT. */
	struct nvsp_tx_chunk chunks[MAX_CHUNKS]; /* gathered pieces */
	uint32_t nchunks;		/* pieces in chunks */
	uint32_t stream_len;		/* their total bytes */
	struct nvsp_frag frags[MAX_CHUNKS]; /* frame fragments for tx_frame */
	uint8_t ppi[PPI_AREA_MAX];	/* copied PPI area */
	uint8_t ctl_msg[CTL_MSG_MAX];	/* copied control message */
	struct nvsp_host_stats stats;	/* counters */
	struct nvsp_chan chan;		/* the primary channel */
};

/* --- nvsp_host.c --------------------------------------------------------- */

/* Count one event of kind e (e < NVSP_HOST_ERR_MAX); rate-limited log. */
void nvsp_host_count_err(struct nvsp_host *h, enum nvsp_host_err e);

/*
 * Complete request type req_type under trans_id with status, in the
 * completion type the protocol defines for it; queued when the H->G ring
 * has no room.  Copies what it queues.
 */
void nvsp_host_complete_status(struct nvsp_chan *ch, uint64_t trans_id,
			       uint32_t req_type, uint32_t status);

/*
 * Write one transfer-page packet carrying SEND_RNDIS_PKT (channel_type)
 * with ranges[0, n) of the receive buffer (borrowed for the call), under
 * trans_id.  Returns 0, -EAGAIN (no ring room) or another -errno.
 */
int nvsp_host_write_xfer(struct nvsp_chan *ch, uint64_t trans_id,
			 uint32_t channel_type,
			 const struct vmb_xfer_range *ranges, uint32_t n);

/* Send queued control replies while control slots and ring room last. */
void nvsp_host_ctl_flush(struct nvsp_host *h);

/* --- nvsp_host_data.c ---------------------------------------------------- */

/*
 * SEND_RNDIS_PKT m carried by p: gather, walk, complete once, then flush
 * control replies.  p and m are borrowed for the call.
 */
void nvsp_host_tx_rndis_pkt(struct nvsp_chan *ch, const struct vmb_pkt *p,
			    const struct nvsp_msg *m);

/* --- small shared helpers ------------------------------------------------ */

/* Signal the guest if a write or read since the last signal owes one. */
static inline void
nvsp_host_signal_if_owed(struct nvsp_chan *ch)
{
	if (ch->sig_pending) {
		ch->sig_pending = false;
		ch->h->stats.signals++;
		ch->h->ops.signal_guest(ch->h->ctx);
	}
}

/* Next free control-queue entry, or NULL when the queue is full. */
static inline struct nvsp_ctl *
nvsp_host_ctlq_tail(struct nvsp_host *h)
{
	struct nvsp_ctl *e;

	if (h->ctlq_count >= NVSP_HOST_CTL_QUEUE) {
		return NULL;
	}
	e = &h->ctlq[(h->ctlq_head + h->ctlq_count) % NVSP_HOST_CTL_QUEUE];
	e->len = 0;
	e->delayed = false;
	return e;
}

/* Commit the entry nvsp_host_ctlq_tail() returned, holding len bytes. */
static inline void
nvsp_host_ctlq_push(struct nvsp_host *h, struct nvsp_ctl *e, uint32_t len)
{
	e->len = len;
	h->ctlq_count++;
}

/* Host address of receive slot s. */
static inline uint8_t *
nvsp_host_slot_addr(const struct nvsp_host *h, uint32_t s)
{
	return h->rbuf + (size_t)s * h->slot_size;
}

#endif /* NVSP_HOST_PRIV_H */
