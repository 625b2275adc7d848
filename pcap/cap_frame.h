/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_frame.h - the bytes a capture records for an mbuf: the Ethernet
 * frame as the wire (or the guest) carries it.
 *
 * VLAN convention (the same as the switch's FDB key and the netvsc port's
 * transmit path): a frame whose mbuf has RTE_MBUF_F_RX_VLAN or
 * RTE_MBUF_F_TX_VLAN set carries its 802.1Q tag as metadata (vlan_tci) and
 * its bytes are untagged.  Netvsc ports receive the tag in the RNDIS
 * per-packet info and deliver it the same way.  The "wire frame" of such an
 * mbuf is its bytes with the tag (TPID 0x8100, vlan_tci) inserted after the
 * two MAC addresses, 4 bytes longer than pkt_len.  Captures write that
 * frame and BPF filters see it, so `vlan 10` means what it means on a wire.
 * Any other mbuf's wire frame is its bytes as they are.  (A QinQ outer tag
 * in metadata, RTE_MBUF_F_RX_QINQ, is not restored: no port produces it.)
 *
 * Lcore-safe: no allocation except from the given mempool, no locks, no
 * system calls.
 */
#ifndef CAP_FRAME_H
#define CAP_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

/* Offset of the restored tag: after destination and source MAC. */
#define CAP_FRAME_TAG_OFF (2 * RTE_ETHER_ADDR_LEN)

/* True if m's 802.1Q tag is in metadata and must be restored. */
static inline bool
cap_frame_meta_vlan(const struct rte_mbuf *m)
{
	return (m->ol_flags & (RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_TX_VLAN)) != 0 &&
	       m->pkt_len >= CAP_FRAME_TAG_OFF;
}

/* Length of m's wire frame. */
static inline uint32_t
cap_frame_len(const struct rte_mbuf *m)
{
	return m->pkt_len + (cap_frame_meta_vlan(m) ? RTE_VLAN_HLEN : 0);
}

/*
 * Copy bytes [off, off + len) of m's wire frame into dst (any chain).
 * Returns len, or 0 (nothing copied) if the range is not inside the
 * frame.  m is only read.
 */
uint32_t
cap_frame_copy(const struct rte_mbuf *m, uint32_t off, uint32_t len,
	       void *dst);

/*
 * A new mbuf (a chain if caplen exceeds one buffer of mp) holding the
 * first caplen bytes of m's wire frame (fewer if the frame is shorter),
 * or NULL if mp has too few free mbufs.  No metadata is copied: the
 * result has no offload flags.  m is only read (it may be shared).
 */
struct rte_mbuf *
cap_frame_clone(struct rte_mempool *mp, const struct rte_mbuf *m,
		uint32_t caplen);

#endif /* CAP_FRAME_H */
