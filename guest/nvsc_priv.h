/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsc_priv.h - the device state shared by nvsc_dev.c (control) and
 * nvsc_data.c (data path).  Not part of the API.
 */
#ifndef NVSC_PRIV_H
#define NVSC_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "nvsc_dev.h"
#include "nvsc_msg.h"

/*
 * Transaction ids we put on G->H packets: tag (bits 56..63), generation
 * (32..55, bumped each time the slot is reused, so a stale or duplicated
 * completion is recognised), slot index (0..31).
 */
#define NVSC_TID_TAG_SHIFT 56
#define NVSC_TID_GEN_SHIFT 32
#define NVSC_TID_GEN_MASK 0xFFFFFFu
#define NVSC_TID_NVSP 1u	/* NVSP control request (INIT, buffers) */
#define NVSC_TID_CTRL 2u	/* RNDIS control request, index = slot */
#define NVSC_TID_SEC 3u		/* data in a send section, index = it */
#define NVSC_TID_BNC 4u		/* GPA-direct data, index = bounce */

static inline uint64_t
nvsc_tid(uint32_t tag, uint32_t gen, uint32_t idx)
{
	return ((uint64_t)tag << NVSC_TID_TAG_SHIFT) |
	       ((uint64_t)(gen & NVSC_TID_GEN_MASK) << NVSC_TID_GEN_SHIFT) |
	       idx;
}

/* RNDIS control request slots (one page each, GPA-direct). */
#define NVSC_CTRL_SLOTS 4u
/* Largest control answer kept (Linux: rndis_message + RNDIS_EXT_LEN). */
#define NVSC_CTRL_RESP_MAX (4096u + 64u)
/* Largest control request we build (RSS SET is 28 + 592). */
#define NVSC_CTRL_REQ_MAX 1024u
/* Pages per bounce slot: a 64 KiB frame plus the RNDIS header. */
#define NVSC_BOUNCE_PAGES 17u
/* GPA ranges per packet Linux uses at most (MAX_PAGE_BUFFER_COUNT). */
#define NVSC_GPA_RANGES_MAX 32u
/* Private copy of one received RNDIS message. */
#define NVSC_RX_COPY_MAX (NVSC_RX_MAX_FRAME + 4096u)
/* RSC fragments per coalesced packet (Linux NVSP_RSC_MAX). */
#define NVSC_RSC_MAX 562u
/* Write space we ask for when blocked (any packet we write fits). */
#define NVSC_PENDING_SEND_BYTES 1024u
/* Ring packets handled per nvsc_poll() call by default. */
#define NVSC_POLL_BUDGET 64u

/* A reusable slot (control page, bounce area). */
struct nvsc_slot {
	/** Generation of the current / last use (in the tid). */
	uint32_t gen;
	/** In flight: waiting for the host's completion. */
	bool busy;
};

/* The NVSP control completion being waited for. */
struct nvsc_nvsp_wait {
	/** Message type expected (INIT_COMPLETE, ...). */
	uint32_t type;
	/** A request is outstanding. */
	bool waiting;
	/** The completion arrived; msg holds it. */
	bool done;
	/** Decoded completion. */
	struct nvsp_msg msg;
};

/* The RNDIS control answer being waited for. */
struct nvsc_rndis_wait {
	/** Request id of the outstanding request. */
	uint32_t req_id;
	/** A request is outstanding. */
	bool waiting;
	/** The answer arrived (resp / len valid). */
	bool done;
	/** The answer was larger than resp (Linux: BUFFER_OVERFLOW). */
	bool overflow;
	/** Answer length. */
	uint32_t len;
	/** Private copy of the answer. */
	uint8_t resp[NVSC_CTRL_RESP_MAX];
};

/* One queued RX completion. */
struct nvsc_rxcomp {
	/** trans_id of the transfer-page packet. */
	uint64_t tid;
	/** NVSP_STAT_SUCCESS or NVSP_STAT_FAIL. */
	uint32_t status;
};

struct nvsc_dev {
	/** Transport (copied). */
	struct nvsc_xport xp;
	/** Transport context owned by the device (freed at detach). */
	void *xp_owned;
	/** Options with defaults resolved. */
	struct nvsc_cfg cfg;
	/** Rings and eventfds; valid while chan_open. */
	struct nvsc_chan_io io;
	/** The channel is open. */
	bool chan_open;
	/** A ring is corrupt: the device is unusable. */
	bool dead;
	/** We set interrupt_mask = 1 on the H->G ring. */
	bool masked;
	/** TX found the G->H ring full since the last successful write. */
	bool tx_blocked;
	/** We set pending_send_sz on the G->H ring. */
	bool pending_set;

	/** Learned facts, returned by nvsc_dev_info(). */
	struct nvsc_info info;
	/** TX offloads granted. */
	struct nvsc_offload ofl;

	/** Receive buffer (guest memory). */
	struct gvmb_alloc rbuf;
	/** Receive buffer bytes. */
	uint32_t rbuf_len;
	/** Its GPADL handle; 0 = none. */
	uint32_t rbuf_gpadl;
	/** SEND_RECV_BUF completed with slots: REVOKE_RECV_BUF owed. */
	bool rbuf_announced;

	/** Send buffer (guest memory). */
	struct gvmb_alloc sbuf;
	/** Send buffer bytes. */
	uint32_t sbuf_len;
	/** Its GPADL handle; 0 = none. */
	uint32_t sbuf_gpadl;
	/** SEND_SEND_BUF completed with sections: REVOKE_SEND_BUF owed. */
	bool sbuf_announced;
	/** Section size and count. */
	uint32_t sec_size;
	/** Number of sections. */
	uint32_t sec_count;
	/** Bitmap of busy sections (1 = in flight). */
	uint64_t *sec_map;
	/** Generation per section. */
	uint32_t *sec_gen;
	/** Where the next free-section search starts. */
	uint32_t sec_hint;
	/** Sections in flight. */
	uint32_t sec_busy;

	/** RNDIS control pages, NVSC_CTRL_SLOTS pages. */
	struct gvmb_alloc ctrl_mem;
	/** Their slots. */
	struct nvsc_slot ctrl[NVSC_CTRL_SLOTS];
	/** Bounce area, bnc_n * NVSC_BOUNCE_PAGES pages. */
	struct gvmb_alloc bnc_mem;
	/** Bounce slots. */
	struct nvsc_slot *bnc;
	/** Number of bounce slots. */
	uint32_t bnc_n;
	/** Bounce slots in flight. */
	uint32_t bnc_busy;

	/** Last RNDIS request id (Linux: atomic_inc_return, first is 1). */
	uint32_t req_id;
	/** Generation for NVSP control request tids. */
	uint32_t nvsp_seq;
	/** RNDIS INITIALIZE succeeded: HALT owed at detach. */
	bool rndis_up;
	/** NVSP control wait. */
	struct nvsc_nvsp_wait nw;
	/** RNDIS control wait. */
	struct nvsc_rndis_wait rw;
	/** Packet filter in force. */
	uint32_t filter;
	/** nvsc_dev_open() done. */
	bool opened;
	bool promisc;			/* filter adds PROMISCUOUS */
	/** Host's max RNDIS packets per message (batching). */
	uint32_t max_pkt;
	/** Host's packet alignment in bytes (batching). */
	uint32_t pkt_align;
	/** Send indirection table from the host. */
	uint32_t send_table[NVSP_SEND_TABLE_SIZE];

	/** Private copy of the H->G packet being handled. */
	uint8_t *pkt;
	/** Its size (the H->G ring's data size: any packet fits). */
	size_t pkt_cap;
	/** Private copy of one received RNDIS message. */
	uint8_t *rx_copy;
	/** RSC reassembly buffer (NVSC_RX_MAX_FRAME). */
	uint8_t *rsc_buf;
	/** RSC: bytes and fragments collected. */
	uint32_t rsc_len;
	/** RSC fragments collected. */
	uint32_t rsc_cnt;
	/** RSC: metadata of the first fragment. */
	struct nvsc_rxmeta rsc_meta;
	/** RX completions not yet written (ring full). */
	struct nvsc_rxcomp *rxq;
	/** rxq capacity, head index and count. */
	uint32_t rxq_cap;
	/** Index of the oldest queued completion. */
	uint32_t rxq_head;
	/** Queued completions. */
	uint32_t rxq_n;

	/** Receiver used while waiting and by nvsc_poll(cb NULL). */
	nvsc_rx_cb def_cb;
	/** Its argument. */
	void *def_arg;

	/** Counters. */
	struct nvsc_stats st;
};

/* --- nvsc_data.c, used by nvsc_dev.c ------------------------------------ */

/*
 * Write one packet {hdr, payload} to the G->H ring and kick the host when
 * the ring rules say so.  Returns 0, -EAGAIN (no room), -ENOTCONN.
 */
int
nvsc_ring_send(struct nvsc_dev *dev, const void *hdr, size_t hlen,
	       const void *payload, size_t plen);

/* Inband packet with a 40-byte (or 8-byte) NVSP payload. */
int
nvsc_send_inband(struct nvsc_dev *dev, const void *msg, size_t len,
		 uint64_t tid, uint16_t flags);

/*
 * GPA-direct packet (completion requested) carrying msg, with one range
 * per page of [gpa, gpa + bytes) (gpa page-aligned), as Linux page
 * buffers.  Returns as nvsc_ring_send(), -EMSGSIZE past 32 pages.
 */
int
nvsc_send_gpa(struct nvsc_dev *dev, uint64_t gpa, uint32_t bytes,
	      const void *msg, size_t len, uint64_t tid);

/* Size the RX completion queue (after the receive buffer is known). */
int
nvsc_rxq_init(struct nvsc_dev *dev, uint32_t cap);

/* Write queued RX completions.  Returns 0, -EAGAIN (some left), -ENOTCONN. */
int
nvsc_rxq_flush(struct nvsc_dev *dev);

#endif /* NVSC_PRIV_H */
