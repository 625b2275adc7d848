/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp_host_data.c - the data path of the host (netvsp) protocol engine
 * (see nvsp_host.h for the contract, nvsp_host.c for the control side).
 *
 * Guest TX: a SEND_RNDIS_PKT names a send-buffer section and/or GPA-direct
 * ranges; their bytes are gathered into one RNDIS byte stream (pieces, no
 * copy), its messages walked: each PACKET header is copied out and
 * validated and its frame handed to ops->tx_frame() as fragments; control
 * messages go to the RNDIS device, their replies to the control queue.
 * The request is completed once, with the first failure.
 *
 * RX: nvsp_host_rx_frame() writes an RNDIS PACKET (header, PPIs, frame)
 * into a free data slot of the receive buffer and adds the slot to the
 * pending batch; a full batch, or nvsp_host_rx_flush(), sends it as one
 * transfer-page packet (channel type 0) with one range per frame.
 *
 * Facts from the same sources as nvsp_host.c (microsoft/openvmm netvsp,
 * Linux drivers/net/hyperv/, wire-facts.md sections 3-5, 8 and 9).
 *
 * Deviations and limits, written down where they matter:
 *  - A frame tx_frame() refuses is completed with SUCCESS (the switch's
 *    drop, counted tx-dropped); malformed guest input gets FAIL.
 *  - A control reply that finds the control queue full is dropped and the
 *    request completed with FAIL (ctl-dropped): reading the G->H ring must
 *    not stop for it, since the guest's completions that free control
 *    slots arrive on that ring.
 */
#include <errno.h>
#include <string.h>

#include "nvsp.h"
#include "nvsp_host.h"
#include "nvsp_host_priv.h"
#include "nvsp_rxbuf.h"
#include "rndis_msg.h"
#include "rndis_ppi.h"
#include "sn_wire.h"
#include "vmb_pkt.h"

/* Bytes of RNDIS data one SEND_RNDIS_PKT may describe. */
#define MAX_STREAM		(256u << 10)
/* RNDIS messages walked per SEND_RNDIS_PKT (Linux batches <= 8). */
#define MAX_MSGS_PER_PKT	64u
/* Control messages handled per SEND_RNDIS_PKT (Linux sends 1). */
#define MAX_CTL_PER_PKT		8u
/* RNDIS PACKET header bytes (type .. reserved). */
#define RNDIS_PKT_HDR		((uint32_t)sizeof(struct rndis_wire_packet))
/* Largest TX frame with an LSO request (64 KiB super-packet + headers). */
#define TX_LSO_FRAME_MAX	(65536u + ETH_HDR_LEN + VLAN_TAG_LEN)
/* Largest contiguous piece asked of ops->gpa() at once. */
#define GPA_RUN_MAX		(1u << 20)

/*
 * The TX helpers below return a verdict: 0 when all went well, else
 * VERDICT(e), e being the counter to charge (and the packet FAILs).
 */
#define VERDICT(e)		((int)(e) + 1)
#define VERDICT_ERR(v)		((enum nvsp_host_err)((v) - 1))

/* --- guest TX: gathering the RNDIS byte stream --------------------------- */

/* Append a piece to the stream; false when over a cap. */
static bool
stream_add(struct nvsp_host *h, const uint8_t *ptr, uint32_t len)
{
	if (h->nchunks >= MAX_CHUNKS || len > MAX_STREAM - h->stream_len) {
		return false;
	}
	h->chunks[h->nchunks].p = ptr;
	h->chunks[h->nchunks].len = len;
	h->nchunks++;
	h->stream_len += len;
	return true;
}

/*
 * Map the GPA ranges of p into stream pieces (runs of consecutive PFNs
 * become one piece).  Returns 0 or a verdict.
 */
static int
stream_add_gpa(struct nvsp_host *h, const struct vmb_pkt *p)
{
	struct vmb_gpa_range r;
	struct vmb_gpa_iter it;
	int rc;

	if (vmb_gpa_iter_init(&it, p) != 0) {
		return VERDICT(NVSP_HOST_ERR_BAD_VMBUS_PKT);
	}
	while ((rc = vmb_gpa_range_next(&it, &r)) == 1) {
		uint32_t off = r.byte_offset, left = r.byte_count, i = 0;

		while (left > 0 && i < r.pfn_count) {
			uint64_t pfn = vmb_gpa_range_pfn(&r, i);
			uint32_t n = SN_MIN(VMB_PAGE_SIZE - off, left);
			const uint8_t *ptr;

			if (pfn > (UINT64_MAX >> VMB_PAGE_SHIFT) - 1) {
				return VERDICT(NVSP_HOST_ERR_BAD_GPA);
			}
			while (n < left && i + 1 < r.pfn_count &&
			       vmb_gpa_range_pfn(&r, i + 1) ==
			       vmb_gpa_range_pfn(&r, i) + 1 &&
			       n < GPA_RUN_MAX) {
				i++;
				n += SN_MIN(VMB_PAGE_SIZE, left - n);
			}
			ptr = h->ops.gpa(h->ctx, (pfn << VMB_PAGE_SHIFT) + off,
					 n);
			if (ptr == NULL || !stream_add(h, ptr, n)) {
				return VERDICT(NVSP_HOST_ERR_BAD_GPA);
			}
			left -= n;
			off = 0;
			i++;
		}
	}
	return rc == 0 ? 0 : VERDICT(NVSP_HOST_ERR_BAD_VMBUS_PKT);
}

/* Copy stream bytes [off, off + len) into dst; false if out of range. */
static bool
stream_copy(const struct nvsp_host *h, uint32_t off, uint32_t len,
	    uint8_t *dst)
{
	uint32_t i, pos = 0;

	if (!sn_range_ok(off, len, h->stream_len)) {
		return false;
	}
	for (i = 0; i < h->nchunks && len > 0; i++) {
		const struct nvsp_tx_chunk *c = &h->chunks[i];

		if (off < pos + c->len) {
			uint32_t in = off - pos;
			uint32_t n = SN_MIN(c->len - in, len);

			memcpy(dst, c->p + in, n);
			dst += n;
			off += n;
			len -= n;
		}
		pos += c->len;
	}
	return len == 0;
}

/* Fragments covering stream bytes [off, off + len); returns the count. */
static uint32_t
stream_frags(struct nvsp_host *h, uint32_t off, uint32_t len)
{
	uint32_t i, pos = 0, n = 0;

	for (i = 0; i < h->nchunks && len > 0; i++) {
		const struct nvsp_tx_chunk *c = &h->chunks[i];

		if (off < pos + c->len) {
			uint32_t in = off - pos;
			uint32_t k = SN_MIN(c->len - in, len);

			h->frags[n].addr = c->p + in;
			h->frags[n].len = k;
			n++;
			off += k;
			len -= k;
		}
		pos += c->len;
	}
	return n;
}

/* --- guest TX: one RNDIS PACKET ------------------------------------------ */

/* The PPIs a guest frame carries, as metadata for tx_frame. */
static void
meta_from_ppis(const struct rndis_ppi_set *s, struct nvsp_pktmeta *m)
{
	memset(m, 0, sizeof(*m));
	if (s->present & RNDIS_PPIF_CSUM) {
		m->flags |= NVSP_META_CSUM_TX;
		m->csum = s->csum;
	}
	if (s->present & RNDIS_PPIF_LSO) {
		m->flags |= NVSP_META_LSO;
		m->lso = s->lso;
	}
	if (s->present & RNDIS_PPIF_VLAN) {
		m->flags |= NVSP_META_VLAN;
		m->vlan_tci = rndis_vlan_info_to_tci(s->vlan);
	}
}

/*
 * Hand the PACKET at stream offset mo (mlen bytes, mlen >= 8) to
 * tx_frame.  Returns 0 (taken, or dropped by the switch / link) or a
 * verdict (the guest's packet FAILs).
 */
static int
tx_packet(struct nvsp_host *h, uint32_t mo, uint32_t mlen)
{
	uint8_t hdr[sizeof(struct rndis_wire_packet)];
	uint32_t doff, dlen, poff, plen, max;
	struct rndis_ppi_set ppis;
	struct nvsp_pktmeta meta;
	uint32_t nfrags;

	if (h->rndis.state != NVSP_RNDIS_INITIALIZED) {
		return VERDICT(NVSP_HOST_ERR_NOT_READY);
	}
	if (mlen < RNDIS_PKT_HDR || !stream_copy(h, mo, RNDIS_PKT_HDR, hdr)) {
		return VERDICT(NVSP_HOST_ERR_BAD_RNDIS);
	}
	/* Offsets count from byte 8; validate the private copy. */
	doff = sn_get_le32(hdr + offsetof(struct rndis_wire_packet,
					  data_offset));
	dlen = sn_get_le32(hdr + offsetof(struct rndis_wire_packet,
					  data_len));
	poff = sn_get_le32(hdr + offsetof(struct rndis_wire_packet,
					  per_pkt_info_offset));
	plen = sn_get_le32(hdr + offsetof(struct rndis_wire_packet,
					  per_pkt_info_len));
	if (doff < RNDIS_PACKET_OFFSET_MIN ||
	    !sn_range_ok((uint64_t)RNDIS_HDR_LEN + doff, dlen, mlen)) {
		return VERDICT(NVSP_HOST_ERR_BAD_RNDIS);
	}
	memset(&ppis, 0, sizeof(ppis));
	if (plen > 0) {
		if (poff < RNDIS_PACKET_OFFSET_MIN || plen > PPI_AREA_MAX ||
		    !sn_range_ok((uint64_t)RNDIS_HDR_LEN + poff, plen, mlen) ||
		    (poff < doff + dlen && doff < poff + plen) ||
		    !stream_copy(h, mo + RNDIS_HDR_LEN + poff, plen, h->ppi) ||
		    rndis_ppi_parse(h->ppi, plen, &ppis) < 0) {
			return VERDICT(NVSP_HOST_ERR_BAD_RNDIS);
		}
	}
	meta_from_ppis(&ppis, &meta);
	max = (meta.flags & NVSP_META_LSO) ? TX_LSO_FRAME_MAX :
	      h->mtu + ETH_HDR_LEN + VLAN_TAG_LEN;
	if (dlen < ETH_HDR_LEN || dlen > max) {
		return VERDICT(NVSP_HOST_ERR_BAD_FRAME);
	}
	if (!h->rndis.link_up) {
		nvsp_host_count_err(h, NVSP_HOST_ERR_TX_LINK_DOWN);
		return 0;
	}
	nfrags = stream_frags(h, mo + RNDIS_HDR_LEN + doff, dlen);
	if (h->ops.tx_frame(h->ctx, h->frags, nfrags, dlen, &meta) < 0) {
		nvsp_host_count_err(h, NVSP_HOST_ERR_TX_DROPPED);
		return 0;
	}
	h->stats.tx_packets++;
	h->stats.tx_bytes += dlen;
	return 0;
}

/*
 * Hand the control message at stream offset mo to the RNDIS device and
 * queue its reply.  Returns 0 or a verdict.
 */
static int
tx_control(struct nvsp_host *h, uint32_t mo, uint32_t mlen)
{
	/* Too long to copy whole: the device sees it truncated and
	 * answers INVALID_DATA when it can read the request id. */
	uint32_t n = SN_MIN(mlen, CTL_MSG_MAX);
	struct nvsp_ctl *e;
	size_t rlen = 0;
	int rc;

	h->stats.ctl_msgs++;
	if (!stream_copy(h, mo, n, h->ctl_msg)) {
		return VERDICT(NVSP_HOST_ERR_BAD_RNDIS);
	}
	e = nvsp_host_ctlq_tail(h);
	if (e == NULL) {
		return VERDICT(NVSP_HOST_ERR_CTL_DROPPED);
	}
	rc = nvsp_rndis_dev_handle(&h->rndis, h->ctl_msg, n, e->msg,
				   sizeof(e->msg), &rlen);
	if (rlen > 0) {
		nvsp_host_ctlq_push(h, e, (uint32_t)rlen);
	}
	return rc < 0 ? VERDICT(NVSP_HOST_ERR_BAD_RNDIS) : 0;
}

/*
 * Walk the RNDIS messages of the gathered stream (several may be batched
 * back to back, each msg_len covering its padding).  Returns the first
 * verdict, 0 when every message was fine.
 */
static int
tx_walk(struct nvsp_host *h)
{
	uint32_t off = 0, nmsg = 0, nctl = 0;
	const int bad = VERDICT(NVSP_HOST_ERR_BAD_RNDIS);
	int first = 0, rc;

	while (h->stream_len - off >= RNDIS_HDR_LEN) {
		uint8_t w[RNDIS_HDR_LEN];
		uint32_t type, mlen;

		if (nmsg == MAX_MSGS_PER_PKT) {
			return first ? first : bad;
		}
		(void)stream_copy(h, off, RNDIS_HDR_LEN, w);
		type = sn_get_le32(w);
		mlen = sn_get_le32(w + 4);
		if (mlen < RNDIS_HDR_LEN || mlen > h->stream_len - off) {
			return first ? first : bad;
		}
		if (type == RNDIS_MSG_PACKET) {
			rc = tx_packet(h, off, mlen);
		} else if (++nctl > MAX_CTL_PER_PKT) {
			rc = bad;
		} else {
			rc = tx_control(h, off, mlen);
		}
		if (rc != 0 && first == 0) {
			first = rc;
		}
		off += mlen;
		nmsg++;
	}
	/* Fewer than 8 trailing bytes: alignment padding, ignored. */
	if (nmsg == 0 && first == 0) {
		return bad;
	}
	return first;
}

/* SEND_RNDIS_PKT: gather section and/or GPA ranges, walk, complete once. */
void
nvsp_host_tx_rndis_pkt(struct nvsp_chan *ch, const struct vmb_pkt *p,
		       const struct nvsp_msg *m)
{
	struct nvsp_host *h = ch->h;
	const struct nvsp_rndis_pkt *r = &m->rndis_pkt;
	int rc = 0;

	h->nchunks = 0;
	h->stream_len = 0;
	if (r->channel_type > NVSP_CHANNEL_TYPE_CONTROL) {
		rc = VERDICT(NVSP_HOST_ERR_BAD_NVSP);
	} else if (r->section_index != NVSP_SECTION_INDEX_NONE) {
		if (!h->sbuf_ok || r->section_index >= h->nsections ||
		    r->section_size > NVSP_HOST_SEND_SECTION_SIZE ||
		    r->section_size == 0) {
			rc = VERDICT(NVSP_HOST_ERR_BAD_SECTION);
		} else {
			(void)stream_add(h, h->sbuf + (size_t)r->section_index *
					 NVSP_HOST_SEND_SECTION_SIZE,
					 r->section_size);
		}
	}
	if (rc == 0 && p->type == VMB_PKT_DATA_USING_GPA_DIRECT) {
		rc = stream_add_gpa(h, p);
	}
	if (rc == 0) {
		rc = tx_walk(h);
	}
	h->stats.tx_rndis_pkts++;
	if (rc != 0) {
		nvsp_host_count_err(h, VERDICT_ERR(rc));
	}
	nvsp_host_complete_status(ch, p->trans_id, m->type,
				  rc == 0 ? NVSP_STAT_SUCCESS : NVSP_STAT_FAIL);
	/* Replies go out now (after the completion): frees queue room. */
	nvsp_host_ctl_flush(h);
}

/* --- RX ------------------------------------------------------------------ */

bool
nvsp_host_rx_ready(const struct nvsp_host *h)
{
	return h != NULL && h->rbuf_ok && h->rndis.link_up &&
	       h->rndis.state == NVSP_RNDIS_INITIALIZED;
}

/* Write the pending data batch; returns the frames dropped. */
static int
rx_flush_chan(struct nvsp_chan *ch)
{
	struct nvsp_host *h = ch->h;
	uint32_t n = ch->rx_n;
	uint64_t id;

	if (n == 0) {
		return 0;
	}
	id = nvsp_rxbuf_batch_id(h->rb, &ch->rxb);
	if (nvsp_host_write_xfer(ch, id, NVSP_CHANNEL_TYPE_DATA, ch->rx_ranges,
				 n) == 0) {
		nvsp_rxbuf_batch_commit(h->rb, &ch->rxb);
		h->stats.rx_packets += n;
		h->stats.rx_bytes += ch->rx_bytes;
		h->stats.rx_batches++;
		n = 0;
	} else {
		nvsp_rxbuf_batch_abort(h->rb, &ch->rxb);
		h->stats.err[NVSP_HOST_ERR_RING_FULL] += n - 1;
		nvsp_host_count_err(h, NVSP_HOST_ERR_RING_FULL);
	}
	ch->rx_n = 0;
	ch->rx_bytes = 0;
	return (int)n;
}

/* Copy the first n (<= len) bytes of a fragment list into dst. */
static void
frags_peek(const struct nvsp_frag *frags, unsigned int nfrags, uint8_t *dst,
	   uint32_t n)
{
	unsigned int i;

	for (i = 0; i < nfrags && n > 0; i++) {
		uint32_t k = SN_MIN(frags[i].len, n);

		memcpy(dst, frags[i].addr, k);
		dst += k;
		n -= k;
	}
}

/* PPIs for a received frame from its metadata. */
static void
ppis_from_meta(const struct nvsp_pktmeta *m, struct rndis_ppi_set *s)
{
	memset(s, 0, sizeof(*s));
	if (m == NULL) {
		return;
	}
	if (m->flags & NVSP_META_VLAN) {
		s->present |= RNDIS_PPIF_VLAN;
		s->vlan = rndis_vlan_info_from_tci(m->vlan_tci);
	}
	if (m->flags & NVSP_META_CSUM_RX) {
		s->present |= RNDIS_PPIF_CSUM;
		s->csum = m->csum;
	}
	if (m->flags & NVSP_META_HASH) {
		s->present |= RNDIS_PPIF_HASH_VALUE | RNDIS_PPIF_HASH_INFO;
		s->hash_value = m->hash_value;
		s->hash_info = m->hash_info;
	}
}

int
nvsp_host_rx_frame(struct nvsp_host *h, const struct nvsp_frag *frags,
		   unsigned int nfrags, uint32_t len,
		   const struct nvsp_pktmeta *m)
{
	uint8_t eth[ETH_HDR_LEN];
	struct rndis_ppi_set ppis;
	struct nvsp_chan *ch;
	uint64_t sum = 0;
	uint32_t slot, max, ethertype;
	unsigned int i;
	uint8_t *dst;
	int hl;

	if (h == NULL || (frags == NULL && nfrags > 0)) {
		return -EINVAL;
	}
	for (i = 0; i < nfrags; i++) {
		sum += frags[i].len;
	}
	if (sum != len || len < ETH_HDR_LEN) {
		return -EINVAL;
	}
	ch = &h->chan;
	if (!nvsp_host_rx_ready(h)) {
		nvsp_host_count_err(h, NVSP_HOST_ERR_NOT_READY);
		return -ENETDOWN;
	}
	frags_peek(frags, nfrags, eth, ETH_HDR_LEN);
	ethertype = sn_get_be16(eth + 12);
	max = h->mtu + ETH_HDR_LEN +
	      (ethertype == 0x8100 || ethertype == 0x88A8 ? VLAN_TAG_LEN : 0);
	if (len > max) {
		nvsp_host_count_err(h, NVSP_HOST_ERR_MTU);
		return -EMSGSIZE;
	}
	if (!nvsp_rndis_dev_rx_accept(&h->rndis, eth)) {
		nvsp_host_count_err(h, NVSP_HOST_ERR_FILTERED);
		return -EPERM;
	}
	if (nvsp_rxbuf_alloc_data(h->rb, &slot) != 0) {
		nvsp_host_count_err(h, NVSP_HOST_ERR_NO_RXBUF);
		return -ENOBUFS;
	}
	ppis_from_meta(m, &ppis);
	dst = nvsp_host_slot_addr(h, slot);
	hl = rndis_packet_encode_hdr(dst, RX_HDR_SPACE, &ppis, len);
	if (hl < 0 || (uint64_t)hl + len > h->slot_size - RX_FOOTER) {
		nvsp_rxbuf_free_pending(h->rb, slot);	/* cannot happen */
		nvsp_host_count_err(h, NVSP_HOST_ERR_MTU);
		return -EMSGSIZE;
	}
	dst += hl;
	for (i = 0; i < nfrags; i++) {
		memcpy(dst, frags[i].addr, frags[i].len);
		dst += frags[i].len;
	}
	nvsp_rxbuf_batch_add(h->rb, &ch->rxb, slot);
	ch->rx_ranges[ch->rx_n].byte_count = (uint32_t)hl + len;
	ch->rx_ranges[ch->rx_n].byte_offset = slot * h->slot_size;
	ch->rx_n++;
	ch->rx_bytes += len;
	if (ch->rx_n >= h->max_rx_batch) {
		(void)rx_flush_chan(ch);
	}
	return 0;
}

int
nvsp_host_rx_flush(struct nvsp_host *h)
{
	int dropped;

	if (h == NULL) {
		return 0;
	}
	dropped = rx_flush_chan(&h->chan);
	nvsp_host_signal_if_owed(&h->chan);
	return dropped;
}
