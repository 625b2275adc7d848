/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp_host.h - the host (netvsp) protocol engine of one synthetic NIC.
 *
 * One engine per vNIC.  A poll lcore drives it: nvsp_host_poll() reads the
 * guest's G->H ring (NVSP negotiation, buffers, guest TX, RNDIS control,
 * the guest's RX completions) and writes completions and control replies
 * into the H->G ring; nvsp_host_rx_frame() / nvsp_host_rx_flush() deliver
 * frames to the guest in transfer-page batches.  It behaves like Hyper-V's
 * host / OpenVMM netvsp so that an unmodified Linux netvsc guest works
 * (wire-facts sections 3, 4, 5, 8, 9).
 *
 * Pure: no syscalls, no DPDK, no allocation after nvsp_host_create(), no
 * locks.  Guest memory and the switch are reached through struct
 * nvsp_host_ops; rings through the vmb_ring codec.  Everything the guest
 * controls is copied before it is validated, every guest-controlled loop
 * is capped, and a malformed input becomes a FAIL status plus a named
 * counter (enum nvsp_host_err), never a crash or a hang.
 *
 * Receive-buffer layout (decision, see also nvsp_host.c): OpenVMM's
 * sub-allocation scheme.  Slot size = align64(256 + mtu + 14 + 4 + 36):
 * a 256-byte reservation for the RNDIS PACKET header and its per-packet
 * info (we write at most 44 + 5 * 16 = 124 bytes there), room for the
 * largest frame (mtu + Ethernet header + an in-frame 802.1Q tag), and the
 * last 36 bytes left unused (OpenVMM: newer Windows netvsc writes past
 * the end of a sub-allocation).  The RNDIS header starts at the slot start
 * and the frame follows its PPIs (data_offset = 36 + PPI bytes, the layout
 * Linux itself uses for TX); the transfer-page range and msg_len cover
 * exactly header + PPIs + frame.  The slot size comes from cfg.mtu (the
 * port's maximum) so it does not depend on the order in which the guest
 * sends NDIS config and its receive buffer.  Slots 0..15 are reserved for
 * control replies and indications.
 *
 * Subchannels: per-channel state (rings, completion queue, RX batch,
 * signalling) lives in struct nvsp_chan in nvsp_host_priv.h, separate from
 * the per-device state (buffers, RNDIS device, slot allocator); today a
 * SUBCHANNEL request is answered with num_allocated 0.
 */
#ifndef NVSP_HOST_H
#define NVSP_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvsp_rndis_dev.h"
#include "vmb_ring.h"

/* Defaults and limits of struct nvsp_host_cfg. */
#define NVSP_HOST_MTU_DEFAULT		1500u
#define NVSP_HOST_MTU_MIN		576u
#define NVSP_HOST_MTU_MAX		9000u
#define NVSP_HOST_LINK_SPEED_DEFAULT	UINT64_C(10000000000)	/* 10 Gb/s */
/* Ranges per transfer-page packet (Linux accepts 375 without RSC). */
#define NVSP_HOST_RX_BATCH_MAX		375u
/* Send-buffer section size we choose (OpenVMM's). */
#define NVSP_HOST_SEND_SECTION_SIZE	6144u
/* Receive slots reserved for control replies and indications. */
#define NVSP_HOST_CTL_SLOTS		16u
/* Completions waiting for H->G ring space before reading stops. */
#define NVSP_HOST_COMPLETION_QUEUE	1024u
/* Control replies waiting for a control slot or ring space. */
#define NVSP_HOST_CTL_QUEUE		32u
/* Minimum spacing of link state indications (Linux ignores faster flaps). */
#define NVSP_HOST_LINK_SPACING_NS	UINT64_C(2000000000)
/* Receive buffer bytes we carve into slots (Linux sends <= 31 MiB). */
#define NVSP_HOST_RECV_BUF_MAX		(32u << 20)

/* One piece of a frame in host-addressable memory. */
struct nvsp_frag {
	const uint8_t *addr;	/* first byte; borrowed */
	uint32_t len;		/* bytes at addr, > 0 */
};

/* struct nvsp_pktmeta.flags */
#define NVSP_META_VLAN		0x01u	/* vlan_tci valid (tag not in frame) */
#define NVSP_META_CSUM_TX	0x02u	/* TX: csum holds the guest request */
#define NVSP_META_LSO		0x04u	/* TX: lso holds the LSO request */
#define NVSP_META_CSUM_RX	0x08u	/* RX: csum holds the result to send */
#define NVSP_META_HASH		0x10u	/* hash_value / hash_info valid */

/*
 * Per-frame metadata, host order, built from / into RNDIS per-packet
 * info.  The raw PPI values keep their wire bit layouts (rndis_wire.h
 * RNDIS_TXCSUM_*, RNDIS_RXCSUM_*, RNDIS_LSO_*, RNDIS_HASH_*); decode them
 * with the rndis_ppi.h accessors.
 */
struct nvsp_pktmeta {
	uint32_t flags;		/* NVSP_META_* */
	uint16_t vlan_tci;	/* 802.1Q TCI: PCP << 13 | DEI << 12 | VID */
	uint32_t csum;		/* checksum PPI value (TX request/RX result) */
	uint32_t lso;		/* LSO PPI value, v1 or v2 (rndis_lso_is_v2) */
	uint32_t hash_value;	/* RSS hash */
	uint32_t hash_info;	/* RNDIS_HASH_FUNC_* | RNDIS_HASH_<type> */
};

/* Log levels for nvsp_host_ops.log (syslog numbering). */
#define NVSP_LOG_ERR		3
#define NVSP_LOG_WARNING	4
#define NVSP_LOG_INFO		6
#define NVSP_LOG_DEBUG		7

/*
 * What the engine needs from its owner.  Every call happens on the thread
 * that calls nvsp_host_poll/rx_frame/rx_flush, never re-entrantly.
 */
struct nvsp_host_ops {
	/*
	 * A frame the guest sent: frame_len bytes in frags[0..nfrags) (each
	 * len > 0, sum = frame_len), metadata m.  frags point into guest
	 * memory and are valid only during the call: the callee copies
	 * (the guest may rewrite them at any time).  Borrowed, all of it.
	 * Returns 0 when taken, negative when dropped (the engine counts
	 * it as tx-dropped and still completes the guest's packet with
	 * SUCCESS: a switch-side drop is not the guest's fault).
	 */
	int (*tx_frame)(void *ctx, const struct nvsp_frag *frags,
			unsigned int nfrags, uint32_t frame_len,
			const struct nvsp_pktmeta *m);
	/*
	 * Host mapping of the GPADL the guest created with handle gpadl:
	 * one contiguous range of *len bytes, or NULL (unknown handle,
	 * not contiguous).  Takes a reference the engine returns with
	 * gpadl_put() when the buffer is revoked or the engine destroyed;
	 * the mapping must stay valid until then.
	 */
	uint8_t *(*gpadl_get)(void *ctx, uint32_t gpadl, size_t *len);
	/* Drop the reference gpadl_get() took. */
	void (*gpadl_put)(void *ctx, uint32_t gpadl);
	/*
	 * Host pointer to the len guest-physical bytes at gpa, or NULL when
	 * any of them is outside guest RAM.  Valid until the engine returns
	 * from the current call.  len <= 4096 * 2^20.
	 */
	const uint8_t *(*gpa)(void *ctx, uint64_t gpa, uint32_t len);
	/*
	 * Interrupt the guest (its channel interrupt).  Called at most once
	 * per nvsp_host_poll() / nvsp_host_rx_flush(), and only when the
	 * ring rules say so: a write found the H->G ring empty with the
	 * guest's interrupts unmasked, or a read moved the G->H ring's
	 * free space across the guest's pending_send_sz.
	 */
	void (*signal_guest)(void *ctx);
	/*
	 * Optional (may be NULL).  Rate limited by the engine (the 1st,
	 * 2nd, 4th, 8th ... event of a kind); level NVSP_LOG_*.
	 */
	void (*log)(void *ctx, int level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
};

/* Engine configuration, copied by nvsp_host_create(). */
struct nvsp_host_cfg {
	uint8_t mac[6];			/* the vNIC's MAC address */
	uint32_t mtu;			/* payload MTU, 576..9000; 0 = 1500 */
	uint64_t link_speed;		/* bps; 0 = 10 Gb/s */
	bool link_up;			/* initial link state */
	const char *friendly_name;	/* UTF-8, borrowed; NULL = default */
	uint32_t max_rx_batch;		/* RX frames per packet, 0 = 375 */
};

/*
 * Error and drop counters, by name.  X(symbol, "short-name", "what").
 * Suggested mapping of nvsp_host_rx_frame() errors to the switch's drop
 * reasons (vswitch/vsw_drop.h): -ENETDOWN -> LINK_DOWN ("link-down"),
 * -EPERM -> FILTER ("packet-filter"), -ENOBUFS -> NO_RXBUF ("no-rxbuf"),
 * -EMSGSIZE -> MTU ("mtu"), -EINVAL -> RUNT ("runt"); frames
 * nvsp_host_rx_flush() reports dropped -> RING_FULL ("ring-full").
 */
#define NVSP_HOST_ERRORS(X)						\
	X(BAD_VMBUS_PKT, "bad-vmbus-pkt",				\
	  "malformed, oversized or unexpected VMBus packet")		\
	X(BAD_NVSP, "bad-nvsp",						\
	  "malformed, unknown or out-of-sequence NVSP message")		\
	X(UNSUPPORTED_VERSION, "unsupported-version",			\
	  "NVSP INIT offering no version we accept")			\
	X(BAD_RNDIS, "bad-rndis", "malformed RNDIS message")		\
	X(BAD_SECTION, "bad-section",					\
	  "send-buffer section index or size out of range")		\
	X(BAD_GPA, "bad-gpa",						\
	  "GPA range outside guest RAM or too fragmented")		\
	X(BAD_COMPLETION_ID, "bad-completion-id",			\
	  "guest completion for an unknown or finished transaction")	\
	X(BAD_FRAME, "bad-frame", "guest frame too short or too long")	\
	X(RING_CORRUPT, "ring-corrupt",					\
	  "guest ring indices or descriptors corrupt")			\
	X(NOT_READY, "not-ready",					\
	  "frame while RNDIS, buffers or link not ready")		\
	X(FILTERED, "filtered", "RX frame rejected by the packet filter") \
	X(MTU, "mtu", "RX frame longer than the guest MTU")		\
	X(NO_RXBUF, "no-rxbuf", "RX frame: no free receive slot")	\
	X(RING_FULL, "ring-full", "RX frame dropped: H->G ring full")	\
	X(TX_DROPPED, "tx-dropped", "guest frame refused by tx_frame")	\
	X(TX_LINK_DOWN, "tx-link-down", "guest frame while link down")	\
	X(COMPLETION_BACKLOG, "completion-backlog",			\
	  "completion queued: H->G ring full")				\
	X(BACKLOG_STALL, "backlog-stall",				\
	  "G->H reading paused: completion queue full")		\
	X(CTL_BACKLOG, "ctl-backlog",					\
	  "control reply delayed: no control slot or ring space")	\
	X(CTL_DROPPED, "ctl-dropped",					\
	  "control request failed: control reply queue full")

enum nvsp_host_err {
#define NVSP_HOST_ERR_ENUM_(sym, name, desc) NVSP_HOST_ERR_##sym,
	NVSP_HOST_ERRORS(NVSP_HOST_ERR_ENUM_)
#undef NVSP_HOST_ERR_ENUM_
	NVSP_HOST_ERR_MAX
};

/* Short name of a counter ("bad-rndis"), "unknown" if out of range. */
const char *
nvsp_host_err_name(enum nvsp_host_err e);

/* One-line description of a counter, "unknown" if out of range. */
const char *
nvsp_host_err_desc(enum nvsp_host_err e);

/* Counters, monotonic since create. */
struct nvsp_host_stats {
	uint64_t tx_packets;		/* guest frames taken by tx_frame */
	uint64_t tx_bytes;		/* their bytes */
	uint64_t tx_rndis_pkts;		/* SEND_RNDIS_PKT messages completed */
	uint64_t rx_packets;		/* frames delivered to the guest */
	uint64_t rx_bytes;		/* their bytes */
	uint64_t rx_batches;		/* data transfer-page packets written */
	uint64_t rx_completions;	/* guest completions that freed slots */
	uint64_t ctl_msgs;		/* RNDIS control messages received */
	uint64_t ctl_replies;		/* control packets written (replies,
					 * indications) */
	uint64_t link_indications;	/* media connect/disconnect sent */
	uint64_t completions;		/* VMBus completions written */
	uint64_t signals;		/* signal_guest() calls */
	uint64_t err[NVSP_HOST_ERR_MAX]; /* by enum nvsp_host_err */
};

/* A snapshot of the negotiated state (nvsp_host_get_info()). */
struct nvsp_host_info {
	uint32_t nvsp_version;		/* NVSP_PROTOCOL_VERSION_*, 0 = none */
	uint32_t ndis_major;		/* from SEND_NDIS_VER, 0 = none */
	uint32_t ndis_minor;		/* from SEND_NDIS_VER */
	uint64_t ndis_caps;		/* SEND_NDIS_CONFIG capabilities */
	uint32_t mtu;			/* effective payload MTU */
	uint32_t packet_filter;		/* RNDIS_FILTER_* */
	enum nvsp_rndis_state rndis_state; /* RNDIS device state */
	bool link_up;			/* current link state */
	bool rx_ready;			/* nvsp_host_rx_ready() */
	bool recv_buf;			/* receive buffer mapped */
	bool send_buf;			/* send buffer mapped */
	uint32_t recv_slot_size;	/* sub-allocation size, bytes */
	uint32_t recv_slots;		/* slots, control ones included */
	uint32_t recv_slots_free;	/* free data slots */
	uint32_t recv_slots_in_flight;	/* slots owned by the guest */
	uint32_t send_sections;		/* send-buffer sections */
	uint32_t completions_queued;	/* completions waiting for ring space */
	uint32_t ctl_queued;		/* control replies waiting */
	struct ndis_offload_config offload; /* offloads the guest enabled */
	bool rss_enabled;		/* guest set RSS parameters */
};

struct nvsp_host;

/*
 * Create an engine.  cfg and ops are copied (the friendly name too);
 * g2h (the host reads it) and h2g (the host writes it) are borrowed and
 * must outlive the engine; their control pages are initialised by their
 * owner, not here.  ops->tx_frame, gpadl_get, gpadl_put, gpa and
 * signal_guest are required.  ctx is passed to every op.
 * Returns an owned pointer (nvsp_host_destroy()) or NULL (bad argument:
 * mtu outside 576..9000, max_rx_batch > 375; or out of memory).
 */
struct nvsp_host *
nvsp_host_create(const struct nvsp_host_cfg *cfg, struct vmb_ring *g2h,
		 struct vmb_ring *h2g, const struct nvsp_host_ops *ops,
		 void *ctx);

/*
 * Release h: returns every GPADL reference it holds (gpadl_put), frees
 * its memory.  Frames still queued are dropped silently.  NULL: no-op.
 */
void
nvsp_host_destroy(struct nvsp_host *h);

/*
 * Read and handle up to budget G->H packets (each counts, whatever it
 * was), write completions and control replies, send a link indication
 * that is due (now_ns paces them), and signal the guest at most once.
 * Reading stops early while the completion queue is full (already-read
 * packets are always finished); it never stops for control replies, whose
 * slots the guest frees with completions on this very ring.  Returns the number of
 * packets handled (0 = idle), or -EPIPE once the G->H ring was found
 * corrupt (the channel must be closed; the error is sticky).
 */
int
nvsp_host_poll(struct nvsp_host *h, unsigned int budget, uint64_t now_ns);

/*
 * Queue one frame for the guest: len bytes in frags[0..nfrags) (borrowed
 * for the call; copied into a receive slot), metadata m (may be NULL:
 * NVSP_META_VLAN / CSUM_RX / HASH select the PPIs written).  The frame
 * joins the pending transfer-page batch, which is written automatically
 * when it reaches max_rx_batch frames; call nvsp_host_rx_flush() after a
 * burst.  Returns 0, or (nothing queued, counter incremented):
 *   -ENETDOWN  not ready: RNDIS not initialized, no receive buffer, or
 *              link down;
 *   -EPERM     the guest's packet filter excludes the destination
 *              (filter 0 excludes everything);
 *   -ENOBUFS   no free receive slot;
 *   -EMSGSIZE  len > mtu + 14 (+ 4 when the frame carries an 802.1Q /
 *              802.1ad tag);
 *   -EINVAL    NULL h, frags NULL with nfrags > 0, frags not summing to
 *              len, or len < 14 (no Ethernet header).
 * When the automatic flush finds the ring full, that batch is dropped
 * (counted ring-full); this frame was still queued: 0.
 */
int
nvsp_host_rx_frame(struct nvsp_host *h, const struct nvsp_frag *frags,
		   unsigned int nfrags, uint32_t len,
		   const struct nvsp_pktmeta *m);

/*
 * Write the pending transfer-page packet (channel type 0, trans_id = the
 * batch id, one range {byte_count, byte_offset in the receive buffer} per
 * frame) and signal the guest if the ring rules say so (also for an
 * earlier automatic flush).  Never blocks: when the H->G ring has no room
 * the batch is dropped and its slots freed.  Returns the number of frames
 * dropped (0 when written or nothing pending).
 */
int
nvsp_host_rx_flush(struct nvsp_host *h);

/*
 * Set the link state.  A change is indicated to the guest
 * (INDICATE_STATUS MEDIA_CONNECT / MEDIA_DISCONNECT through a control
 * slot) now if the last indication is at least 2 s old, else by a later
 * nvsp_host_poll() (see nvsp_host_next_deadline()).  Flaps faster than
 * that collapse into the final state.  While down, RX frames get
 * -ENETDOWN and guest frames are dropped (tx-link-down).
 */
void
nvsp_host_set_link(struct nvsp_host *h, bool up, uint64_t now_ns);

/*
 * Accept unicast frames for any MAC, not only the vNIC's own (the port
 * allows MAC spoofing: the switch delivers frames for the MACs it learned
 * behind the port, and the guest may use several).  Default off.
 */
void
nvsp_host_set_rx_any_unicast(struct nvsp_host *h, bool on);

/* True when nvsp_host_rx_frame() can deliver (modulo filter and slots). */
bool
nvsp_host_rx_ready(const struct nvsp_host *h);

/*
 * Time (ns, the clock of now_ns) when nvsp_host_poll() should run again
 * for a pending link indication, or 0 when nothing is pending.  A
 * sleeping poller uses it as its timeout.
 */
uint64_t
nvsp_host_next_deadline(const struct nvsp_host *h);

/*
 * Sleep support.  nvsp_host_disarm(): mask the guest's kicks while the
 * poller is busy (interrupt_mask = 1 on the G->H ring).
 * nvsp_host_arm(): unmask them before sleeping; returns true when work
 * is already waiting (data in the G->H ring, or queued completions /
 * control replies that the ring now has room for): poll again instead of
 * sleeping.
 */
void
nvsp_host_disarm(struct nvsp_host *h);
bool
nvsp_host_arm(struct nvsp_host *h);

/* Copy the counters into *out. */
void
nvsp_host_get_stats(const struct nvsp_host *h, struct nvsp_host_stats *out);

/* Fill *out with the negotiated state. */
void
nvsp_host_get_info(const struct nvsp_host *h, struct nvsp_host_info *out);

#endif /* NVSP_HOST_H */
