/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_pkt.c - VMBus channel packet codec.
 *
 * Layouts: Linux include/linux/hyperv.h (vmpacket_descriptor,
 * vmtransfer_page_packet_header, vmbus_channel_packet_page_buffer /
 * hv_mpb_array), OpenVMM vmbus_ring (parse_packet, gparange.rs).
 * GPA range rules (byte_count > 0, byte_offset < 4096, PFN array inside the
 * header) follow OpenVMM's validate_gpa_ranges.
 */
#include <errno.h>
#include <string.h>

#include "vmb_pkt.h"

/* Largest offset8 / len8 value. */
#define LEN8_MAX 0xffffu

/* --- decode --------------------------------------------------------------- */

static int
decode_xfer(const uint8_t *p, struct vmb_pkt *out)
{
	uint32_t hlen = (uint32_t)out->offset8 * 8;

	if (hlen < VMB_XFER_RANGES_OFF) {
		return -EBADMSG;
	}
	out->xfer_pageset_id = sn_get_le16(p + VMB_PKT_DESC_SIZE);
	out->sender_owns = p[VMB_PKT_DESC_SIZE + 2];
	out->range_cnt = sn_get_le32(p + VMB_PKT_DESC_SIZE + 4);
	out->ranges = p + VMB_XFER_RANGES_OFF;
	out->ranges_len = hlen - VMB_XFER_RANGES_OFF;
	/* Lenient: offset8 may exceed 3 + range_cnt, never fall short. */
	if ((uint64_t)out->range_cnt * sizeof(struct vmb_xfer_range) >
	    out->ranges_len) {
		return -EBADMSG;
	}
	return 0;
}

static int
decode_gpa(const uint8_t *p, struct vmb_pkt *out)
{
	struct vmb_gpa_iter it;
	struct vmb_gpa_range g;
	uint32_t hlen = (uint32_t)out->offset8 * 8;
	int rc;

	if (hlen < VMB_GPA_RANGES_OFF) {
		return -EBADMSG;
	}
	out->range_cnt = sn_get_le32(p + VMB_PKT_DESC_SIZE + 4);
	out->ranges = p + VMB_GPA_RANGES_OFF;
	out->ranges_len = hlen - VMB_GPA_RANGES_OFF;
	if (out->range_cnt == 0 || out->range_cnt > VMB_GPA_MAX_RANGES) {
		return -EBADMSG;
	}
	/* Walk once so callers get a packet whose ranges are all valid. */
	vmb_gpa_iter_init(&it, out);
	while ((rc = vmb_gpa_range_next(&it, &g)) == 1) {
		;
	}
	return rc;
}

int
vmb_pkt_decode(const void *pkt, size_t len, struct vmb_pkt *out)
{
	const uint8_t *p = pkt;

	if (pkt == NULL || out == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (len < VMB_PKT_DESC_SIZE) {
		return -EMSGSIZE;
	}
	out->type = sn_get_le16(p + 0);
	out->offset8 = sn_get_le16(p + 2);
	out->len8 = sn_get_le16(p + 4);
	out->flags = sn_get_le16(p + 6);
	out->trans_id = sn_get_le64(p + 8);
	if (!vmb_pkt_type_known(out->type) ||
	    (out->flags & ~VMB_PKT_FLAGS_VALID) != 0 ||
	    out->offset8 < VMB_PKT_MIN_OFFSET8 || out->len8 < out->offset8) {
		return -EBADMSG;
	}
	if ((size_t)out->len8 * 8 > len) {
		return -EMSGSIZE;
	}
	out->payload = p + (size_t)out->offset8 * 8;
	out->payload_len = ((uint32_t)out->len8 - out->offset8) * 8;

	switch (out->type) {
	case VMB_PKT_DATA_INBAND:
	case VMB_PKT_COMP:
		return 0;
	case VMB_PKT_DATA_USING_XFER_PAGES:
		return decode_xfer(p, out);
	case VMB_PKT_DATA_USING_GPA_DIRECT:
		return decode_gpa(p, out);
	default:
		return -ENOTSUP;
	}
}

int
vmb_pkt_xfer_range(const struct vmb_pkt *p, uint32_t i, uint32_t *count,
		   uint32_t *offset)
{
	const uint8_t *r;

	if (p == NULL || count == NULL || offset == NULL ||
	    p->type != VMB_PKT_DATA_USING_XFER_PAGES || p->ranges == NULL) {
		return -EINVAL;
	}
	if (i >= p->range_cnt ||
	    !sn_range_ok((uint64_t)i * sizeof(struct vmb_xfer_range),
			 sizeof(struct vmb_xfer_range), p->ranges_len)) {
		return -ERANGE;
	}
	r = p->ranges + (size_t)i * sizeof(struct vmb_xfer_range);
	*count = sn_get_le32(r);
	*offset = sn_get_le32(r + 4);
	return 0;
}

int
vmb_gpa_iter_init(struct vmb_gpa_iter *it, const struct vmb_pkt *p)
{
	if (it == NULL || p == NULL ||
	    p->type != VMB_PKT_DATA_USING_GPA_DIRECT || p->ranges == NULL) {
		return -EINVAL;
	}
	it->pos = p->ranges;
	it->left = p->ranges_len;
	it->remaining = SN_MIN(p->range_cnt, VMB_GPA_MAX_RANGES);
	return 0;
}

int
vmb_gpa_range_next(struct vmb_gpa_iter *it, struct vmb_gpa_range *out)
{
	uint32_t bc, bo;
	uint64_t npfn;

	if (it == NULL || out == NULL) {
		return -EINVAL;
	}
	if (it->remaining == 0) {
		return 0;
	}
	if (it->left < sizeof(struct vmb_gpa_range_hdr)) {
		goto bad;
	}
	bc = sn_get_le32(it->pos);
	bo = sn_get_le32(it->pos + 4);
	if (bc == 0 || bo >= VMB_PAGE_SIZE) {
		goto bad;
	}
	npfn = ((uint64_t)bo + bc + VMB_PAGE_SIZE - 1) / VMB_PAGE_SIZE;
	if (npfn > (it->left - sizeof(struct vmb_gpa_range_hdr)) / 8) {
		goto bad;
	}
	out->byte_count = bc;
	out->byte_offset = bo;
	out->pfn_count = (uint32_t)npfn;
	out->pfns = it->pos + sizeof(struct vmb_gpa_range_hdr);
	it->pos += sizeof(struct vmb_gpa_range_hdr) + npfn * 8;
	it->left -= (uint32_t)(sizeof(struct vmb_gpa_range_hdr) + npfn * 8);
	it->remaining--;
	return 1;
bad:
	it->remaining = 0;
	it->left = 0;
	return -EBADMSG;
}

/* --- encode --------------------------------------------------------------- */

/*
 * Check sizes and write the descriptor for a header of hlen bytes
 * (multiple of 8) followed by payload_len bytes.
 */
static int
put_desc(void *buf, size_t buflen, uint16_t type, size_t hlen,
	 uint16_t flags, uint64_t trans_id, size_t payload_len)
{
	uint8_t *p = buf;
	uint64_t len8;

	if (buf == NULL || (flags & ~VMB_PKT_FLAGS_VALID) != 0) {
		return -EINVAL;
	}
	if (hlen / 8 > LEN8_MAX || payload_len > (size_t)LEN8_MAX * 8) {
		return -ERANGE;
	}
	len8 = (hlen + (uint64_t)payload_len + 7) / 8;
	if (len8 > LEN8_MAX) {
		return -ERANGE;
	}
	if (buflen < hlen) {
		return -EMSGSIZE;
	}
	sn_put_le16(p + 0, type);
	sn_put_le16(p + 2, (uint16_t)(hlen / 8));
	sn_put_le16(p + 4, (uint16_t)len8);
	sn_put_le16(p + 6, flags);
	sn_put_le64(p + 8, trans_id);
	return (int)hlen;
}

int
vmb_pkt_enc_inband(void *buf, size_t buflen, uint16_t flags,
		   uint64_t trans_id, size_t payload_len)
{
	return put_desc(buf, buflen, VMB_PKT_DATA_INBAND, VMB_PKT_DESC_SIZE,
			flags, trans_id, payload_len);
}

int
vmb_pkt_enc_comp(void *buf, size_t buflen, uint64_t trans_id,
		 size_t payload_len)
{
	return put_desc(buf, buflen, VMB_PKT_COMP, VMB_PKT_DESC_SIZE, 0,
			trans_id, payload_len);
}

int
vmb_pkt_enc_xfer(void *buf, size_t buflen, uint16_t flags, uint64_t trans_id,
		 uint16_t pageset_id, uint8_t sender_owns,
		 const struct vmb_xfer_range *ranges, uint32_t n,
		 size_t payload_len)
{
	uint8_t *p = buf;
	uint32_t i;
	int rc;

	if (ranges == NULL && n > 0) {
		return -EINVAL;
	}
	if (n > LEN8_MAX) {
		return -ERANGE;
	}
	rc = put_desc(buf, buflen, VMB_PKT_DATA_USING_XFER_PAGES,
		      VMB_XFER_HDR_LEN(n), flags, trans_id, payload_len);
	if (rc < 0) {
		return rc;
	}
	sn_put_le16(p + VMB_PKT_DESC_SIZE, pageset_id);
	p[VMB_PKT_DESC_SIZE + 2] = sender_owns;
	p[VMB_PKT_DESC_SIZE + 3] = 0;
	sn_put_le32(p + VMB_PKT_DESC_SIZE + 4, n);
	for (i = 0; i < n; i++) {
		uint8_t *r = p + VMB_XFER_HDR_LEN(i);

		sn_put_le32(r, ranges[i].byte_count);
		sn_put_le32(r + 4, ranges[i].byte_offset);
	}
	return rc;
}

/* PFNs needed by a valid range. */
static inline uint32_t
gpa_pfn_count(const struct vmb_gpa_buf *g)
{
	return (uint32_t)(((uint64_t)g->byte_offset + g->byte_count +
			   VMB_PAGE_SIZE - 1) / VMB_PAGE_SIZE);
}

int
vmb_pkt_gpa_hdr_len(const struct vmb_gpa_buf *ranges, uint32_t n)
{
	uint64_t hlen = VMB_GPA_RANGES_OFF;
	uint32_t i;

	if (ranges == NULL || n == 0 || n > VMB_GPA_MAX_RANGES) {
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		const struct vmb_gpa_buf *g = &ranges[i];

		if (g->byte_count == 0 || g->byte_offset >= VMB_PAGE_SIZE ||
		    g->pfn == NULL) {
			return -EINVAL;
		}
		hlen += sizeof(struct vmb_gpa_range_hdr) +
			(uint64_t)gpa_pfn_count(g) * 8;
		if (hlen / 8 > LEN8_MAX) {
			return -ERANGE;
		}
	}
	return (int)hlen;
}

int
vmb_pkt_enc_gpa(void *buf, size_t buflen, uint16_t flags, uint64_t trans_id,
		const struct vmb_gpa_buf *ranges, uint32_t n,
		size_t payload_len)
{
	uint8_t *p = buf;
	uint32_t i, j, npfn;
	int hlen, rc;

	hlen = vmb_pkt_gpa_hdr_len(ranges, n);
	if (hlen < 0) {
		return hlen;
	}
	rc = put_desc(buf, buflen, VMB_PKT_DATA_USING_GPA_DIRECT,
		      (size_t)hlen, flags, trans_id, payload_len);
	if (rc < 0) {
		return rc;
	}
	sn_put_le32(p + VMB_PKT_DESC_SIZE, 0);
	sn_put_le32(p + VMB_PKT_DESC_SIZE + 4, n);
	p += VMB_GPA_RANGES_OFF;
	for (i = 0; i < n; i++) {
		sn_put_le32(p, ranges[i].byte_count);
		sn_put_le32(p + 4, ranges[i].byte_offset);
		p += sizeof(struct vmb_gpa_range_hdr);
		npfn = gpa_pfn_count(&ranges[i]);
		for (j = 0; j < npfn; j++) {
			sn_put_le64(p, ranges[i].pfn[j]);
			p += 8;
		}
	}
	return rc;
}
