/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp_rndis_dev.h - the RNDIS device a netvsp host presents to a guest.
 *
 * A pure state machine: it takes one RNDIS control message (already copied
 * out of guest memory into a private buffer) and writes the reply message
 * into a caller buffer.  It knows nothing of rings, slots or VMBus; the
 * host engine (nvsp_host.c) carries requests in and replies out.
 *
 * What it implements (wire-facts sections 5-7, OpenVMM netvsp behaviour):
 *  - INITIALIZE -> INIT_CMPLT (RNDIS 1.0, connectionless, 802.3, 8 packets
 *    per message, max transfer 0xEFFFFFFF, 8-byte alignment);
 *  - QUERY of every OID in nvsp_rndis_dev_supported_oids(); unknown OIDs
 *    get RNDIS_STATUS_NOT_SUPPORTED, never silence;
 *  - SET of the packet filter, offload parameters (masked to what the
 *    backend can do, then a TASK_OFFLOAD_CURRENT_CONFIG indication like
 *    OpenVMM sends; Linux ignores it, Windows expects it), offload
 *    encapsulation, RSS parameters (validated, one queue), multicast list,
 *    network layer addresses and RNDIS config parameters (accepted);
 *  - HALT (no reply; the device stops indicating), RESET, KEEPALIVE;
 *    SET_EX answered NOT_SUPPORTED; an unknown message type answered with
 *    an INDICATE_STATUS carrying RNDIS_STATUS_INVALID_DATA.
 *
 * The struct is public so the host can embed it (no allocation), but its
 * members are only changed through these functions.
 */
#ifndef NVSP_RNDIS_DEV_H
#define NVSP_RNDIS_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ndis_obj.h"
#include "rndis_msg.h"

/* Multicast addresses the device filters on (OID_802_3_MAXIMUM_LIST_SIZE). */
#define NVSP_RNDIS_MCAST_MAX		32u
/* UTF-16 code units of the friendly name, terminating NUL excluded. */
#define NVSP_RNDIS_NAME_MAX		255u
/* Largest reply nvsp_rndis_dev_handle() writes; size reply buffers so. */
#define NVSP_RNDIS_REPLY_MAX		640u
/* LSOv2 limits we advertise (OpenVMM values). */
#define NVSP_RNDIS_LSO_MAX_SIZE		62780u
#define NVSP_RNDIS_LSO_MIN_SEGS		2u
/* RSS: receive queues we have (no subchannels yet) and table size. */
#define NVSP_RNDIS_RSS_QUEUES		1u
#define NVSP_RNDIS_RSS_TABLE		128u

/* Device state. */
enum nvsp_rndis_state {
	NVSP_RNDIS_UNINITIALIZED = 0,	/* no INITIALIZE yet */
	NVSP_RNDIS_INITIALIZED,		/* INITIALIZE answered: operational */
	NVSP_RNDIS_HALTED,		/* HALT received: silent until INIT */
};

/* Configuration, copied by nvsp_rndis_dev_init(). */
struct nvsp_rndis_cfg {
	uint8_t mac[6];			/* permanent = current address */
	uint32_t mtu;			/* payload MTU (no Ethernet header) */
	uint64_t link_speed;		/* bits per second */
	bool link_up;			/* initial media state */
	const char *friendly_name;	/* UTF-8, borrowed; NULL = default */
	struct ndis_offload_config caps; /* what the backend can offload */
};

/* Counters (monotonic). */
struct nvsp_rndis_stats {
	uint64_t msgs;			/* control messages handled */
	uint64_t queries;		/* QUERY messages */
	uint64_t sets;			/* SET messages */
	uint64_t unknown_oid;		/* QUERY/SET of an OID we lack */
	uint64_t failed_oid;		/* QUERY/SET answered with an error */
	uint64_t bad_msgs;		/* malformed or unknown messages */
	uint64_t indications;		/* INDICATE_STATUS built */
};

/* The device.  Embed it; change it only through the functions below. */
struct nvsp_rndis_dev {
	enum nvsp_rndis_state state;	/* see enum */
	uint8_t mac[6];			/* our address */
	uint32_t mtu;			/* payload MTU reported to the guest */
	uint64_t link_speed;		/* bits per second */
	bool link_up;			/* current media state */
	bool guest_link_up;		/* media state last told the guest */
	uint32_t ndis_major;		/* NDIS version from NVSP, 0: unknown */
	uint32_t ndis_minor;		/* NDIS minor version */
	uint32_t guest_max_xfer;	/* INITIALIZE max_xfer_size */
	uint32_t filter;		/* RNDIS_FILTER_*, 0: receive off */
	uint32_t n_mcast;		/* entries in mcast */
	bool any_unicast;		/* DIRECTED accepts every unicast
					 * MAC (MAC spoofing allowed) */
	uint8_t mcast[NVSP_RNDIS_MCAST_MAX][6]; /* multicast list */
	struct ndis_offload_config caps; /* backend capabilities */
	struct ndis_offload_config cur;	/* currently enabled offloads */
	uint8_t offload_rev;		/* NDIS_OFFLOAD revision guest uses */
	bool offload_ind_pending;	/* owe a TASK_OFFLOAD_CURRENT_CONFIG */
	bool rss_enabled;		/* RSS parameters set, not disabled */
	uint16_t rss_entries;		/* table entries fixed at first set */
	uint32_t rss_hash_info;		/* NDIS_HASH_* of the last set */
	uint8_t rss_key[NDIS_RSS_KEY_SIZE]; /* Toeplitz key */
	uint32_t rss_itab[NDIS_RSS_ITAB_MAX_ENTRIES]; /* indirection table */
	uint32_t name_len;		/* UTF-16 units in name (no NUL) */
	uint16_t name[NVSP_RNDIS_NAME_MAX + 1]; /* friendly name + NUL */
	struct nvsp_rndis_stats stats;	/* counters */
};

/*
 * Initialise dev from cfg (state UNINITIALIZED, filter 0, current offloads
 * all off).  The friendly name is converted to UTF-16LE here (invalid
 * UTF-8 becomes U+FFFD; cut at NVSP_RNDIS_NAME_MAX units).  Borrows cfg
 * for the call.  Returns 0 or -EINVAL (NULL argument, mtu 0).
 */
int
nvsp_rndis_dev_init(struct nvsp_rndis_dev *dev,
		    const struct nvsp_rndis_cfg *cfg);

/* NDIS version the guest announced over NVSP (selects OID sets). */
void
nvsp_rndis_dev_set_ndis_version(struct nvsp_rndis_dev *dev, uint32_t major,
				uint32_t minor);

/* Payload MTU to report (MAXIMUM_FRAME_SIZE; TOTAL_SIZE = mtu + 14). */
void
nvsp_rndis_dev_set_mtu(struct nvsp_rndis_dev *dev, uint32_t mtu);

/* Current media state; see nvsp_rndis_dev_link_indication(). */
void
nvsp_rndis_dev_set_link(struct nvsp_rndis_dev *dev, bool up);

/*
 * Handle the control message msg[0, len) (a private copy; borrowed for the
 * call) and write the reply message into reply[0, cap) (cap >=
 * NVSP_RNDIS_REPLY_MAX is always enough).  *reply_len is set to the reply
 * length, 0 when the message has no reply (HALT).
 *
 * Returns 0 for a well-formed message (the reply may still carry an RNDIS
 * error status, e.g. NOT_SUPPORTED for an unknown OID), -EBADMSG for a
 * malformed message, -ENOTSUP for an unknown message type (for both a
 * reply with an error status is still written when the request id can be
 * read), -EINVAL (NULL argument) or -EMSGSIZE (cap too small; nothing
 * written).  PACKET messages are data, not control: -EINVAL.
 */
int
nvsp_rndis_dev_handle(struct nvsp_rndis_dev *dev, const void *msg,
		      size_t len, void *reply, size_t cap, size_t *reply_len);

/*
 * If a SET of the offload parameters left a TASK_OFFLOAD_CURRENT_CONFIG
 * indication owed, write it into reply (cap bytes) and clear the debt.
 * Returns its length, 0 when nothing is owed or the device is not
 * INITIALIZED, -EMSGSIZE when cap is too small (debt kept).
 */
int
nvsp_rndis_dev_offload_indication(struct nvsp_rndis_dev *dev, void *reply,
				  size_t cap);

/*
 * If the media state differs from what the guest was last told (by a
 * MEDIA_CONNECT_STATUS answer or an earlier indication) and the device is
 * INITIALIZED, write INDICATE_STATUS MEDIA_CONNECT / MEDIA_DISCONNECT into
 * reply and record the guest as told.  The caller paces these (>= 2 s).
 * Returns its length, 0 when nothing is owed, -EMSGSIZE.
 */
int
nvsp_rndis_dev_link_indication(struct nvsp_rndis_dev *dev, void *reply,
			       size_t cap);

/* True when a link indication is owed (see above). */
bool
nvsp_rndis_dev_link_pending(const struct nvsp_rndis_dev *dev);

/*
 * Packet filter check for a frame whose destination MAC is dst (6 bytes):
 * PROMISCUOUS accepts all; broadcast needs BROADCAST; other group
 * addresses need ALL_MULTICAST, or MULTICAST and a list entry; unicast
 * needs DIRECTED and our address.  Filter 0 rejects everything.
 */
bool
nvsp_rndis_dev_rx_accept(const struct nvsp_rndis_dev *dev,
			 const uint8_t *dst);

/*
 * OIDs GEN_SUPPORTED_LIST reports; *n receives the count.  Returns a
 * pointer to static storage.
 */
const uint32_t *
nvsp_rndis_dev_supported_oids(uint32_t *n);

/* Name of a state ("uninitialized", "initialized", "halted"). */
const char *
nvsp_rndis_state_name(enum nvsp_rndis_state s);

#endif /* NVSP_RNDIS_DEV_H */
