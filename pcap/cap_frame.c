/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_frame.c - wire-frame copies of mbufs.  See cap_frame.h.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_mbuf.h>

#include "cap_frame.h"

/* Most segments a clone may have (caplen <= 262144, buffers >= 2 KiB). */
#define CAP_CLONE_SEGS_MAX 128u

/* Copy [off, off + len) of m's bytes (no tag) into dst; 0 if outside. */
static uint32_t
cap_mbuf_copy(const struct rte_mbuf *m, uint32_t off, uint32_t len,
	      uint8_t *dst)
{
	const void *p;

	if (len == 0) {
		return 0;
	}
	/* Returns a pointer into m when contiguous, else copies into dst. */
	p = rte_pktmbuf_read(m, off, len, dst);
	if (p == NULL) {
		return 0;
	}
	if (p != dst) {
		memcpy(dst, p, len);
	}
	return len;
}

uint32_t
cap_frame_copy(const struct rte_mbuf *m, uint32_t off, uint32_t len,
	       void *dst)
{
	uint8_t tag[RTE_VLAN_HLEN];
	uint8_t *d = dst;
	uint32_t flen = cap_frame_len(m), done = 0, n;

	if (off > flen || len > flen - off) {
		return 0;
	}
	if (!cap_frame_meta_vlan(m)) {
		return cap_mbuf_copy(m, off, len, d);
	}
	/* Wire frame: m[0, 12) tag m[12, pkt_len). */
	if (off < CAP_FRAME_TAG_OFF && done < len) {
		n = RTE_MIN(len - done, CAP_FRAME_TAG_OFF - off);
		(void)cap_mbuf_copy(m, off, n, d);
		done += n;
		off += n;
	}
	if (off < CAP_FRAME_TAG_OFF + RTE_VLAN_HLEN && done < len) {
		uint32_t toff = off - CAP_FRAME_TAG_OFF;

		tag[0] = (uint8_t)(RTE_ETHER_TYPE_VLAN >> 8);
		tag[1] = (uint8_t)RTE_ETHER_TYPE_VLAN;
		tag[2] = (uint8_t)(m->vlan_tci >> 8);
		tag[3] = (uint8_t)m->vlan_tci;
		n = RTE_MIN(len - done, RTE_VLAN_HLEN - toff);
		memcpy(d + done, tag + toff, n);
		done += n;
		off += n;
	}
	if (done < len) {
		(void)cap_mbuf_copy(m, off - RTE_VLAN_HLEN, len - done,
				    d + done);
	}
	return len;
}

struct rte_mbuf *
cap_frame_clone(struct rte_mempool *mp, const struct rte_mbuf *m,
		uint32_t caplen)
{
	struct rte_mbuf *segs[CAP_CLONE_SEGS_MAX];
	uint32_t room, nseg, off = 0, i;

	caplen = RTE_MIN(caplen, cap_frame_len(m));
	room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	nseg = caplen == 0 ? 1 : (caplen + room - 1) / room;
	if (nseg > CAP_CLONE_SEGS_MAX) {
		nseg = CAP_CLONE_SEGS_MAX;
		caplen = nseg * room;
	}
	if (rte_pktmbuf_alloc_bulk(mp, segs, nseg) != 0) {
		return NULL;
	}
	for (i = 0; i < nseg; i++) {
		uint32_t n = RTE_MIN(room, caplen - off);

		(void)cap_frame_copy(m, off, n,
				     rte_pktmbuf_mtod(segs[i], uint8_t *));
		segs[i]->data_len = (uint16_t)n;
		segs[i]->next = i + 1 < nseg ? segs[i + 1] : NULL;
		off += n;
	}
	segs[0]->nb_segs = (uint16_t)nseg;
	segs[0]->pkt_len = caplen;
	return segs[0];
}
