/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsc_dev.h - a netvsc VSC (the guest side of a Hyper-V synthetic NIC) in
 * user space, behaving on the wire like the Linux guest driver
 * (drivers/net/hyperv: netvsc.c, rndis_filter.c, netvsc_drv.c).
 *
 * Layers: nvsc_msg.h builds the exact messages (pure); this file's device
 * runs the init / teardown sequences and the control requests
 * (nvsc_dev.c); the data path moves frames (nvsc_data.c).  The VMBus
 * transport is the vmbus-user client (gvmb_client.h), reached through a
 * small ops table (struct nvsc_xport) so tests can substitute a fake host.
 *
 * Threading: one thread per device; no function here may be called
 * concurrently on the same device.  Nothing blocks without a timeout
 * (cfg timeout_ms, default 5 s); the data path (nvsc_tx*, nvsc_poll,
 * nvsc_arm) never blocks and makes no syscall except the kick eventfd
 * write when the ring rules require a signal.
 *
 * Returns: 0 / a count, or -errno: -ETIMEDOUT (the host did not answer in
 * time), -EPROTO (it answered with a failure or out of protocol),
 * -EBADMSG (an answer failed a check Linux makes), -EAGAIN (no room now),
 * -EMSGSIZE (frame too large), -ENOMEM, -EINVAL, -ENOTCONN (device not
 * usable any more: ring corrupt or detached), or the transport's -errno.
 */
#ifndef NVSC_DEV_H
#define NVSC_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gvmb_client.h"
#include "vmb_ring.h"

/* Default timeout of every control wait. */
#define NVSC_TIMEOUT_MS_DEFAULT 5000
/* Default bounce slots for frames larger than a send section. */
#define NVSC_BOUNCE_SLOTS_DEFAULT 16u
/* Largest frame nvsc_tx() takes (an LSO super-packet). */
#define NVSC_TX_MAX_FRAME 65536u
/* Largest frame nvsc_poll() delivers (RSC reassembly included). */
#define NVSC_RX_MAX_FRAME 65536u
/* Burst size used by the helpers and the tools. */
#define NVSC_BURST 32u

struct nvsc_dev;

/* Attach options; zero-initialise for the Linux defaults. */
struct nvsc_cfg {
	/** Data pages per ring direction; 0 = 128 (512 KiB, Linux). */
	uint32_t ring_pages;
	/** MTU announced in NDIS config (sent as mtu + 14); 0 = 1500. */
	uint32_t mtu;
	/** Receive buffer bytes; 0 = 16 MiB (15 MiB max for NVSP <= 2). */
	uint32_t recv_buf_size;
	/** Send buffer bytes; 0 = 170 * 6144. */
	uint32_t send_buf_size;
	/** Highest NVSP version tried (NVSP_PROTOCOL_VERSION_*); 0 = 6.1. */
	uint32_t max_nvsp_ver;
	/** Control wait timeout in ms; 0 = NVSC_TIMEOUT_MS_DEFAULT. */
	int timeout_ms;
	/** Bounce slots (68 KiB each); 0 = NVSC_BOUNCE_SLOTS_DEFAULT. */
	uint32_t bounce_slots;
	/**
	 * Skip the two SET RECEIVE_SCALE_PARAMETERS.  Linux itself only
	 * sends them once subchannels exist (num_chn > 1); by default this
	 * library sends them with one channel too, to exercise the host.
	 */
	bool no_rss;
	/** Ask the host for RSC (LRO) when it offers it (Linux: ethtool). */
	bool lro;
};

/* What the device learned during attach.  See nvsc_dev_info(). */
struct nvsc_info {
	/** Permanent MAC address (802_3_PERMANENT_ADDRESS). */
	uint8_t mac[6];
	/** MTU in use: cfg mtu clamped to the host's MAXIMUM_FRAME_SIZE. */
	uint32_t mtu;
	/** MAXIMUM_FRAME_SIZE answer; 0 when the query failed. */
	uint32_t host_max_frame;
	/** Link state (MEDIA_CONNECT_STATUS, then indications). */
	bool link_up;
	/** Link speed in units of 100 bps; 0 when unknown. */
	uint32_t link_speed;
	/** Negotiated NVSP version (NVSP_PROTOCOL_VERSION_*). */
	uint32_t nvsp_ver;
	/** NDIS version announced (0x00060001 or 0x0006001E). */
	uint32_t ndis_ver;
	/** RNDIS INITIALIZE: max packets per message, alignment bytes. */
	uint32_t rndis_max_pkt;
	/** RNDIS packet alignment in bytes (1 << pkt_alignment_factor). */
	uint32_t rndis_align;
	/** Receive buffer: slot size and count (SEND_RECV_BUF_COMPLETE). */
	uint32_t recv_sub_size;
	/** Receive buffer slot count. */
	uint32_t recv_sub_count;
	/** Send buffer section size (host's choice) and count. */
	uint32_t send_sec_size;
	/** Send buffer section count. */
	uint32_t send_sec_count;
	/** TX offloads granted, NVSC_OFL_* (nvsc_msg.h). */
	uint32_t offloads;
	/** Largest LSO super-packet. */
	uint32_t gso_max;
	/** RSS: host's receive queues (0 when not queried/failed). */
	uint32_t rss_queues;
	/** RSS: indirection table entries used for SET. */
	uint32_t rss_entries;
	/** Status of the second (real) RSS SET: 0, or -errno. */
	int rss_status;
	/** Friendly name (UCS-2 from the host, ASCII here); "" if none. */
	char friendly_name[128];
};

/*
 * Counters, one X-macro list so names and fields cannot drift.
 * X(field, "name").
 */
#define NVSC_STATS(X) \
	X(tx_packets, "tx-packets") \
	X(tx_bytes, "tx-bytes") \
	X(tx_section, "tx-section") \
	X(tx_batched, "tx-batched") \
	X(tx_gpa, "tx-gpa-direct") \
	X(tx_busy_section, "tx-busy-no-section") \
	X(tx_busy_bounce, "tx-busy-no-bounce") \
	X(tx_busy_ring, "tx-busy-ring-full") \
	X(tx_too_big, "tx-too-big") \
	X(tx_bad_meta, "tx-bad-offload-request") \
	X(tx_sw_csum, "tx-software-checksum") \
	X(tx_comp, "tx-completions") \
	X(tx_comp_fail, "tx-completion-failure") \
	X(comp_unknown, "completion-unknown-id") \
	X(comp_bad, "completion-malformed") \
	X(ctrl_comp_unexpected, "control-completion-unexpected") \
	X(rx_packets, "rx-packets") \
	X(rx_bytes, "rx-bytes") \
	X(rx_xfer, "rx-transfer-page-packets") \
	X(rx_rsc_frags, "rx-rsc-fragments") \
	X(rx_drop_pageset, "rx-drop-bad-pageset") \
	X(rx_drop_nvsp, "rx-drop-bad-nvsp") \
	X(rx_drop_range, "rx-drop-bad-range") \
	X(rx_drop_rndis, "rx-drop-bad-rndis") \
	X(rx_drop_ppi, "rx-drop-bad-ppi") \
	X(rx_drop_too_big, "rx-drop-too-big") \
	X(rx_drop_rsc, "rx-drop-rsc") \
	X(rx_drop_no_cb, "rx-drop-no-receiver") \
	X(rx_drop_type, "rx-drop-unhandled-rndis") \
	X(rx_comp_sent, "rx-completions-sent") \
	X(rx_comp_busy, "rx-completion-ring-full") \
	X(rx_comp_overflow, "rx-completion-queue-overflow") \
	X(ctrl_resp, "control-responses") \
	X(ctrl_unmatched, "control-response-unmatched") \
	X(indicate, "status-indications") \
	X(link_changes, "link-changes") \
	X(inband, "host-inband-messages") \
	X(pkt_unknown, "ring-packet-unhandled") \
	X(pkt_oversize, "ring-packet-oversize") \
	X(kicks, "kicks") \
	X(polls_empty, "polls-empty")

/* Counters of one device (plain uint64_t; read with nvsc_dev_stats()). */
struct nvsc_stats {
#define NVSC_STAT_FIELD_(f, s) uint64_t f;
	NVSC_STATS(NVSC_STAT_FIELD_)
#undef NVSC_STAT_FIELD_
};

/* Number of counters in struct nvsc_stats. */
#define NVSC_STAT_COUNT (sizeof(struct nvsc_stats) / sizeof(uint64_t))

/* Name of counter i ("tx-packets"), NULL when out of range. */
const char *
nvsc_stat_name(unsigned int i);

/* Value of counter i of s, 0 when out of range. */
uint64_t
nvsc_stat_value(const struct nvsc_stats *s, unsigned int i);

/* --- transport ---------------------------------------------------------- */

/* The two rings and two eventfds of an open channel (borrowed views). */
struct nvsc_chan_io {
	/** G->H ring: the guest writes it.  Borrowed. */
	struct vmb_ring *tx;
	/** H->G ring: the guest reads it.  Borrowed. */
	struct vmb_ring *rx;
	/** Eventfd signalling the host (one 8-byte write). */
	int kick_fd;
	/** Eventfd the host signals; non-blocking. */
	int intr_fd;
};

/*
 * What the device needs from a VMBus transport.  Every member must bound
 * its waits.  nvsc_dev_attach() uses gvmb_client; tests plug a fake host.
 */
struct nvsc_xport {
	/** Passed to every member. */
	void *ctx;
	/** Zeroed, page-aligned, physically contiguous guest memory. */
	int (*mem_alloc)(void *ctx, size_t bytes, struct gvmb_alloc *out);
	/** Free what mem_alloc returned (zeroes *a). */
	void (*mem_free)(void *ctx, struct gvmb_alloc *a);
	/** GPADL over a whole allocation (borrowed). */
	int (*gpadl_create)(void *ctx, const struct gvmb_alloc *a,
			    uint32_t *gpadl);
	/** Tear a GPADL down. */
	int (*gpadl_teardown)(void *ctx, uint32_t gpadl);
	/** Open the channel with ring_pages data pages per direction. */
	int (*chan_open)(void *ctx, uint32_t ring_pages,
			 struct nvsc_chan_io *io);
	/** Close the channel (io views become invalid). */
	int (*chan_close)(void *ctx);
	/**
	 * Optional: true when the host side of the channel is gone
	 * (rescinded, unloaded); detach then skips the protocol teardown.
	 */
	bool (*chan_gone)(void *ctx);
};

/* --- device ------------------------------------------------------------- */

/*
 * Attach to the netvsc channel of offer (borrowed) over conn, allocating
 * from ram (the RAM conn was created with; borrowed): open the channel,
 * negotiate NVSP (6.1, 6, 5, 4, 2, 1), NDIS config and version, receive
 * and send buffers, then the RNDIS sequence (INITIALIZE, MAXIMUM_FRAME_SIZE,
 * PERMANENT_ADDRESS, FRIENDLY_NAME, offload capabilities and parameters,
 * MEDIA_CONNECT_STATUS, LINK_SPEED (v5+), RSS capabilities and two RSS
 * SETs), in Linux's order.  conn, ram and offer must outlive the device.
 * *devp owned by the caller (nvsc_dev_detach).  The packet filter is 0:
 * call nvsc_dev_open() to receive.  On failure everything is released.
 */
int
nvsc_dev_attach(struct gvmb_conn *conn, struct gvmb_ram *ram,
		const struct gvmb_offer *offer, const struct nvsc_cfg *cfg,
		struct nvsc_dev **devp);

/* Same over any transport (xp copied; xp->ctx borrowed). */
int
nvsc_dev_attach_xport(const struct nvsc_xport *xp, const struct nvsc_cfg *cfg,
		      struct nvsc_dev **devp);

/* SET CURRENT_PACKET_FILTER 0x0D (directed, all-multicast, broadcast). */
int
nvsc_dev_open(struct nvsc_dev *dev);

/* SET CURRENT_PACKET_FILTER 0 (only if open, as Linux). */
/*
 * Receive every frame the host delivers (RNDIS filter PROMISCUOUS), as
 * Linux netvsc does when the netdev goes promiscuous.  Remembered and
 * applied at nvsc_dev_open() when the device is not open.  0 or -errno.
 */
int
nvsc_dev_set_promisc(struct nvsc_dev *dev, bool on);

int
nvsc_dev_close(struct nvsc_dev *dev);

/*
 * Tear down like Linux and free everything: close if open, RNDIS HALT,
 * wait (bounded) for outstanding completions, REVOKE_RECV_BUF,
 * REVOKE_SEND_BUF, close the channel, tear the buffer GPADLs down, free
 * guest memory.  Returns 0 or the first error (the device is freed
 * anyway).  NULL is a no-op.
 */
int
nvsc_dev_detach(struct nvsc_dev *dev);

/*
 * The host is gone (connection lost, offer rescinded): make the next
 * nvsc_dev_detach() local only (no filter, HALT or revokes, no waits).
 */
void
nvsc_dev_abandon(struct nvsc_dev *dev);

/* Copy what the device learned into *info. */
void
nvsc_dev_info(const struct nvsc_dev *dev, struct nvsc_info *info);

/* Copy the counters into *st. */
void
nvsc_dev_stats(const struct nvsc_dev *dev, struct nvsc_stats *st);

/* Current link state (indications are applied by nvsc_poll()). */
bool
nvsc_dev_link_up(const struct nvsc_dev *dev);

/* The MAC address (6 bytes, borrowed from the device). */
const uint8_t *
nvsc_dev_mac(const struct nvsc_dev *dev);

/* --- data path (nvsc_data.c) -------------------------------------------- */

/* TX request flags. */
#define NVSC_TX_VLAN 0x1u	/* send vlan_tci as an 802.1Q PPI */
#define NVSC_TX_CSUM 0x2u	/* ask for the TCP/UDP checksum */
#define NVSC_TX_LSO 0x4u	/* TCP segmentation with mss */

/* Per-frame TX metadata. */
struct nvsc_txmeta {
	/** NVSC_TX_* */
	uint32_t flags;
	/** 802.1Q TCI (PCP, DEI, VID) with NVSC_TX_VLAN. */
	uint16_t vlan_tci;
	/** TCP MSS with NVSC_TX_LSO. */
	uint16_t mss;
};

/* One frame of a TX burst. */
struct nvsc_txbuf {
	/** Ethernet frame without FCS; borrowed for the call. */
	const void *data;
	/** Frame length. */
	uint32_t len;
	/** Metadata or NULL. */
	const struct nvsc_txmeta *meta;
};

/*
 * Send one frame: into a free send-buffer section (RNDIS PACKET + PPIs +
 * frame, as Linux netvsc_xmit()), or GPA-direct from a bounce slot when it
 * does not fit a section.  With NVSC_TX_CSUM the library parses the copy,
 * seeds the pseudo-header sum and sends a checksum PPI when the host
 * granted that offload, else computes the checksum in software.  With
 * NVSC_TX_LSO (TCP only, offload granted) it prepares the headers as
 * Linux does (IPv4 total length 0, checksum 0, TCP pseudo-header seed).
 * frame is copied; never kept.
 * Returns 0, -EAGAIN (no section / bounce slot / ring room: poll for
 * completions and retry; nothing was sent), -EMSGSIZE (larger than the
 * MTU + 18 without LSO, or than NVSC_TX_MAX_FRAME), -EINVAL (bad meta:
 * offload on a frame that does not carry TCP/UDP, LSO not granted),
 * -ENOTCONN.
 */
int
nvsc_tx(struct nvsc_dev *dev, const void *frame, uint32_t len,
	const struct nvsc_txmeta *meta);

/*
 * Send up to n frames, batching several RNDIS PACKETs per send section
 * (at most the host's max_pkt_per_msg, each padded to its alignment) as
 * Linux does under xmit_more.  Frames too large for a section go alone,
 * GPA-direct.  Returns the number of frames sent (a prefix of bufs); when
 * it is < n, *err (if not NULL) gets the error of frame [ret] (-EAGAIN:
 * retry it later).
 */
unsigned int
nvsc_tx_burst(struct nvsc_dev *dev, const struct nvsc_txbuf *bufs,
	      unsigned int n, int *err);

/* RX metadata flags. */
#define NVSC_RX_VLAN 0x1u	/* vlan_tci valid */
#define NVSC_RX_CSUM 0x2u	/* csum_info valid (RNDIS_RXCSUM_* bits) */
#define NVSC_RX_HASH 0x4u	/* hash valid */
#define NVSC_RX_RSC 0x8u	/* coalesced from rsc_frags fragments */

/* Per-frame RX metadata. */
struct nvsc_rxmeta {
	/** NVSC_RX_* */
	uint32_t flags;
	/** 802.1Q TCI (the tag is not in the frame). */
	uint16_t vlan_tci;
	/** RSC fragments coalesced (with NVSC_RX_RSC). */
	uint16_t rsc_frags;
	/** RX checksum info (RNDIS_RXCSUM_*). */
	uint32_t csum_info;
	/** RSS hash value. */
	uint32_t hash;
};

/*
 * Receive callback: frame (len bytes) and meta are borrowed for the call
 * only (a private copy: the host cannot change them under the callee).
 * It may transmit (nvsc_tx, nvsc_tx_burst) but must not poll or call the
 * control functions (nvsc_dev_open/close/detach) of the same device.
 */
typedef void (*nvsc_rx_cb)(void *arg, const uint8_t *frame, uint32_t len,
			   const struct nvsc_rxmeta *meta);

/*
 * Default receiver, used by nvsc_poll() with cb NULL and while a control
 * request waits.  Frames with no receiver are dropped and counted.
 */
void
nvsc_dev_set_rx(struct nvsc_dev *dev, nvsc_rx_cb cb, void *arg);

/*
 * Drain the H->G ring: up to budget packets (0 = 64).  Completions free
 * send sections; transfer-page packets deliver frames to cb (or the
 * default receiver) and queue their RX completion; control answers and
 * link indications update the device.  Then writes queued RX completions
 * (kept queued if the G->H ring is full) and publishes the read index
 * (signalling the host when its pending_send_sz asks for it).  Masks
 * interrupts while polling (see nvsc_arm()).
 * Returns the number of ring packets handled (0: nothing to do), or
 * -ENOTCONN when the ring is corrupt.
 */
int
nvsc_poll(struct nvsc_dev *dev, nvsc_rx_cb cb, void *arg, unsigned int budget);

/* The eventfd the host signals (borrowed; for poll()). */
int
nvsc_wait_fd(const struct nvsc_dev *dev);

/*
 * Prepare to sleep: unmask the host's interrupts and, when TX is blocked
 * or RX completions are queued, ask the host (pending_send_sz) to signal
 * once the G->H ring has room.  Returns true when there is work already
 * (data pending, or room back): do not sleep, poll again.
 */
bool
nvsc_arm(struct nvsc_dev *dev);

/* Consume the wait fd's counter after poll() reported it readable. */
void
nvsc_intr_ack(struct nvsc_dev *dev);

/*
 * Convenience: arm, sleep on the wait fd up to timeout_ms, ack.  Returns
 * 1 (work may be pending), 0 (timeout) or -errno.
 */
int
nvsc_wait(struct nvsc_dev *dev, int timeout_ms);

/* Send-buffer sections, bounce slots and control slots in flight. */
unsigned int
nvsc_tx_inflight(const struct nvsc_dev *dev);

#endif /* NVSC_DEV_H */
