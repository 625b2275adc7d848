/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rndis_msg.c - RNDIS control and PACKET message codec.  See rndis_msg.h.
 *
 * Every field is read with sn_get_le32() at its offsetof() in the wire
 * structs of rndis_wire.h, into a local copy that is then validated.
 * Variable areas are checked with sn_range_ok() against the part of the
 * message after byte 8 (offsets are relative to byte 8).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "rndis_msg.h"

/* Read / write the u32 field f of wire struct st in message m. */
#define GET(m, st, f)	sn_get_le32((m) + offsetof(struct st, f))
#define PUT(m, st, f, v) sn_put_le32((m) + offsetof(struct st, f), (v))

/* Fixed lengths (smallest msg_len) per message type. */
#define LEN_PACKET	((uint32_t)sizeof(struct rndis_wire_packet))
#define LEN_INIT	((uint32_t)sizeof(struct rndis_wire_init_req))
#define LEN_INIT_C	((uint32_t)sizeof(struct rndis_wire_init_cmplt))
#define LEN_REQ_ID	((uint32_t)sizeof(struct rndis_wire_req_id))
#define LEN_OID_REQ	((uint32_t)sizeof(struct rndis_wire_oid_req))
#define LEN_INFO_C	((uint32_t)sizeof(struct rndis_wire_info_cmplt))
#define LEN_STATUS_C	((uint32_t)sizeof(struct rndis_wire_status_cmplt))
#define LEN_RESET	((uint32_t)sizeof(struct rndis_wire_reset_req))
#define LEN_RESET_C	((uint32_t)sizeof(struct rndis_wire_reset_cmplt))
#define LEN_INDICATE	((uint32_t)sizeof(struct rndis_wire_indicate))

uint32_t
rndis_msg_min_len(uint32_t type)
{
	switch (type) {
	case RNDIS_MSG_PACKET:
		return LEN_PACKET;
	case RNDIS_MSG_INIT:
		return LEN_INIT;
	case RNDIS_MSG_INIT_CMPLT:
		return LEN_INIT_C;
	case RNDIS_MSG_HALT:
	case RNDIS_MSG_KEEPALIVE:
		return LEN_REQ_ID;
	case RNDIS_MSG_QUERY:
	case RNDIS_MSG_SET:
	case RNDIS_MSG_SET_EX:
		return LEN_OID_REQ;
	case RNDIS_MSG_QUERY_CMPLT:
	case RNDIS_MSG_SET_EX_CMPLT:
		return LEN_INFO_C;
	case RNDIS_MSG_SET_CMPLT:
	case RNDIS_MSG_KEEPALIVE_CMPLT:
		return LEN_STATUS_C;
	case RNDIS_MSG_RESET:
		return LEN_RESET;
	case RNDIS_MSG_RESET_CMPLT:
		return LEN_RESET_C;
	case RNDIS_MSG_INDICATE:
		return LEN_INDICATE;
	default:
		return 0;
	}
}

/*
 * An optional area [off, off + n) (offsets from byte 8) of a message of
 * msg_len bytes: empty areas are always fine; others must start at or
 * after min_off (past the fixed fields) and end inside the message.
 */
static int
area_ok(uint32_t msg_len, uint32_t min_off, uint32_t off, uint32_t n)
{
	if (n == 0) {
		return 1;
	}
	return off >= min_off &&
	       sn_range_ok(off, n, msg_len - RNDIS_HDR_LEN);
}

/* Borrowed pointer to an area already checked with area_ok(). */
static const uint8_t *
area_ptr(const uint8_t *m, uint32_t off, uint32_t n)
{
	return n == 0 ? NULL : m + RNDIS_HDR_LEN + off;
}

/* True when two non-empty areas share a byte. */
static int
area_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	if (alen == 0 || blen == 0) {
		return 0;
	}
	return (uint64_t)a < (uint64_t)b + blen &&
	       (uint64_t)b < (uint64_t)a + alen;
}

static int
decode_oid_req(const uint8_t *m, uint32_t mlen, struct rndis_oid_req *r)
{
	r->req_id = GET(m, rndis_wire_oid_req, req_id);
	r->oid = GET(m, rndis_wire_oid_req, oid);
	r->info_len = GET(m, rndis_wire_oid_req, info_buflen);
	r->info_off = GET(m, rndis_wire_oid_req, info_buf_offset);
	r->dev_vc_handle = GET(m, rndis_wire_oid_req, dev_vc_handle);
	if (!area_ok(mlen, LEN_OID_REQ - RNDIS_HDR_LEN, r->info_off,
		     r->info_len)) {
		return -EBADMSG;
	}
	r->info = area_ptr(m, r->info_off, r->info_len);
	return 0;
}

static int
decode_info_cmplt(const uint8_t *m, uint32_t mlen, struct rndis_info_cmplt *c)
{
	c->req_id = GET(m, rndis_wire_info_cmplt, req_id);
	c->status = GET(m, rndis_wire_info_cmplt, status);
	c->info_len = GET(m, rndis_wire_info_cmplt, info_buflen);
	c->info_off = GET(m, rndis_wire_info_cmplt, info_buf_offset);
	if (!area_ok(mlen, LEN_INFO_C - RNDIS_HDR_LEN, c->info_off,
		     c->info_len)) {
		return -EBADMSG;
	}
	c->info = area_ptr(m, c->info_off, c->info_len);
	return 0;
}

static int
decode_indicate(const uint8_t *m, uint32_t mlen, struct rndis_indicate *s)
{
	s->status = GET(m, rndis_wire_indicate, status);
	s->buf_len = GET(m, rndis_wire_indicate, status_buflen);
	s->buf_off = GET(m, rndis_wire_indicate, status_buf_offset);
	if (!area_ok(mlen, LEN_INDICATE - RNDIS_HDR_LEN, s->buf_off,
		     s->buf_len)) {
		return -EBADMSG;
	}
	s->buf = area_ptr(m, s->buf_off, s->buf_len);
	return 0;
}

static int
decode_packet(const uint8_t *m, uint32_t mlen, struct rndis_packet *p)
{
	const uint32_t min = RNDIS_PACKET_OFFSET_MIN;

	p->data_off = GET(m, rndis_wire_packet, data_offset);
	p->data_len = GET(m, rndis_wire_packet, data_len);
	p->oob_off = GET(m, rndis_wire_packet, oob_data_offset);
	p->oob_len = GET(m, rndis_wire_packet, oob_data_len);
	p->oob_count = GET(m, rndis_wire_packet, num_oob_data_elements);
	p->ppi_off = GET(m, rndis_wire_packet, per_pkt_info_offset);
	p->ppi_len = GET(m, rndis_wire_packet, per_pkt_info_len);
	p->vc_handle = GET(m, rndis_wire_packet, vc_handle);
	p->reserved = GET(m, rndis_wire_packet, reserved);

	if (!area_ok(mlen, min, p->data_off, p->data_len) ||
	    !area_ok(mlen, min, p->oob_off, p->oob_len) ||
	    !area_ok(mlen, min, p->ppi_off, p->ppi_len)) {
		return -EBADMSG;
	}
	if (area_overlap(p->data_off, p->data_len, p->ppi_off, p->ppi_len) ||
	    area_overlap(p->data_off, p->data_len, p->oob_off, p->oob_len) ||
	    area_overlap(p->ppi_off, p->ppi_len, p->oob_off, p->oob_len)) {
		return -EBADMSG;
	}
	p->data = area_ptr(m, p->data_off, p->data_len);
	p->oob = area_ptr(m, p->oob_off, p->oob_len);
	p->ppi = area_ptr(m, p->ppi_off, p->ppi_len);
	return 0;
}

/* Decode the body of a message whose type and length are known good. */
static int
decode_body(const uint8_t *m, uint32_t mlen, struct rndis_msg *out)
{
	switch (out->type) {
	case RNDIS_MSG_PACKET:
		return decode_packet(m, mlen, &out->u.packet);
	case RNDIS_MSG_INIT:
		out->u.init_req.req_id = GET(m, rndis_wire_init_req, req_id);
		out->u.init_req.major = GET(m, rndis_wire_init_req, major);
		out->u.init_req.minor = GET(m, rndis_wire_init_req, minor);
		out->u.init_req.max_xfer_size =
			GET(m, rndis_wire_init_req, max_xfer_size);
		return 0;
	case RNDIS_MSG_INIT_CMPLT: {
		struct rndis_init_cmplt *c = &out->u.init_cmplt;

		c->req_id = GET(m, rndis_wire_init_cmplt, req_id);
		c->status = GET(m, rndis_wire_init_cmplt, status);
		c->major = GET(m, rndis_wire_init_cmplt, major);
		c->minor = GET(m, rndis_wire_init_cmplt, minor);
		c->dev_flags = GET(m, rndis_wire_init_cmplt, dev_flags);
		c->medium = GET(m, rndis_wire_init_cmplt, medium);
		c->max_pkt_per_msg =
			GET(m, rndis_wire_init_cmplt, max_pkt_per_msg);
		c->max_xfer_size = GET(m, rndis_wire_init_cmplt, max_xfer_size);
		c->pkt_align_factor =
			GET(m, rndis_wire_init_cmplt, pkt_align_factor);
		c->af_list_offset =
			GET(m, rndis_wire_init_cmplt, af_list_offset);
		c->af_list_size = GET(m, rndis_wire_init_cmplt, af_list_size);
		return 0;
	}
	case RNDIS_MSG_HALT:
	case RNDIS_MSG_KEEPALIVE:
		out->u.req.req_id = GET(m, rndis_wire_req_id, req_id);
		return 0;
	case RNDIS_MSG_QUERY:
	case RNDIS_MSG_SET:
	case RNDIS_MSG_SET_EX:
		return decode_oid_req(m, mlen, &out->u.oid_req);
	case RNDIS_MSG_QUERY_CMPLT:
	case RNDIS_MSG_SET_EX_CMPLT:
		return decode_info_cmplt(m, mlen, &out->u.info_cmplt);
	case RNDIS_MSG_SET_CMPLT:
	case RNDIS_MSG_KEEPALIVE_CMPLT:
		out->u.cmplt.req_id = GET(m, rndis_wire_status_cmplt, req_id);
		out->u.cmplt.status = GET(m, rndis_wire_status_cmplt, status);
		return 0;
	case RNDIS_MSG_RESET:
		out->u.reset_req.reserved =
			GET(m, rndis_wire_reset_req, reserved);
		return 0;
	case RNDIS_MSG_RESET_CMPLT:
		out->u.reset_cmplt.status =
			GET(m, rndis_wire_reset_cmplt, status);
		out->u.reset_cmplt.addressing_reset =
			GET(m, rndis_wire_reset_cmplt, addressing_reset);
		return 0;
	case RNDIS_MSG_INDICATE:
		return decode_indicate(m, mlen, &out->u.indicate);
	default:
		return -ENOTSUP;
	}
}

int
rndis_decode(const void *buf, size_t len, struct rndis_msg *out)
{
	const uint8_t *m = buf;
	uint32_t mlen, min;
	int rc;

	if (buf == NULL || out == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (len < RNDIS_HDR_LEN) {
		return -EMSGSIZE;
	}
	out->type = GET(m, rndis_wire_hdr, type);
	out->len = mlen = GET(m, rndis_wire_hdr, msg_len);
	if (mlen < RNDIS_HDR_LEN || mlen > INT_MAX) {
		return -EBADMSG;
	}
	if (mlen > len) {
		return -EMSGSIZE;
	}
	min = rndis_msg_min_len(out->type);
	if (min == 0) {
		return -ENOTSUP;
	}
	if (mlen < min) {
		return -EBADMSG;
	}
	rc = decode_body(m, mlen, out);
	if (rc < 0) {
		return rc;
	}
	return (int)mlen;
}

int
rndis_iter_init(struct rndis_iter *it, const void *buf, size_t len,
		uint32_t max_msgs)
{
	if (it == NULL || (buf == NULL && len != 0) || max_msgs == 0) {
		return -EINVAL;
	}
	it->buf = buf;
	it->len = len;
	it->off = 0;
	it->count = 0;
	it->max = max_msgs;
	it->err = 0;
	return 0;
}

int
rndis_iter_next(struct rndis_iter *it, struct rndis_msg *out)
{
	int rc;

	if (it == NULL || out == NULL) {
		return -EINVAL;
	}
	if (it->err != 0) {
		return it->err;
	}
	if (it->off >= it->len) {
		return 0;
	}
	if (it->count >= it->max) {
		it->err = -ERANGE;
		return it->err;
	}
	rc = rndis_decode(it->buf + it->off, it->len - it->off, out);
	if (rc == -ENOTSUP) {
		/* Framing is sound (decode checked msg_len): skippable. */
		it->off += out->len;
		it->count++;
		return rc;
	}
	if (rc < 0) {
		it->err = rc;
		return rc;
	}
	it->off += (size_t)rc;
	it->count++;
	return 1;
}

int
rndis_next(const void *buf, size_t len, size_t *off, struct rndis_msg *out)
{
	int rc;

	if (off == NULL || out == NULL || (buf == NULL && len != 0) ||
	    *off > len) {
		return -EINVAL;
	}
	if (*off == len) {
		return 0;
	}
	rc = rndis_decode((const uint8_t *)buf + *off, len - *off, out);
	if (rc == -ENOTSUP) {
		*off += out->len;
		return rc;
	}
	if (rc < 0) {
		return rc;
	}
	*off += (size_t)rc;
	return 1;
}

/*
 * Encoders.
 */

/* Common argument / room checks for a message of total bytes. */
static int
enc_check(const void *buf, size_t cap, uint64_t total)
{
	if (buf == NULL) {
		return -EINVAL;
	}
	if (total > INT_MAX) {
		return -ERANGE;
	}
	if (total > cap) {
		return -EMSGSIZE;
	}
	return 0;
}

/* Write the common header. */
static void
put_hdr(uint8_t *m, uint32_t type, uint32_t len)
{
	PUT(m, rndis_wire_hdr, type, type);
	PUT(m, rndis_wire_hdr, msg_len, len);
}

int
rndis_encode_init_req(void *buf, size_t cap, const struct rndis_init_req *r)
{
	uint8_t *m = buf;
	int rc;

	if (r == NULL) {
		return -EINVAL;
	}
	rc = enc_check(buf, cap, LEN_INIT);
	if (rc < 0) {
		return rc;
	}
	put_hdr(m, RNDIS_MSG_INIT, LEN_INIT);
	PUT(m, rndis_wire_init_req, req_id, r->req_id);
	PUT(m, rndis_wire_init_req, major, r->major);
	PUT(m, rndis_wire_init_req, minor, r->minor);
	PUT(m, rndis_wire_init_req, max_xfer_size, r->max_xfer_size);
	return (int)LEN_INIT;
}

void
rndis_init_cmplt_defaults(struct rndis_init_cmplt *c, uint32_t req_id,
			  uint32_t status)
{
	if (c == NULL) {
		return;
	}
	memset(c, 0, sizeof(*c));
	c->req_id = req_id;
	c->status = status;
	c->major = RNDIS_MAJOR_VERSION;
	c->minor = RNDIS_MINOR_VERSION;
	c->dev_flags = RNDIS_DF_CONNECTIONLESS;
	c->medium = RNDIS_MEDIUM_802_3;
	c->max_pkt_per_msg = RNDIS_INIT_DEF_MAX_PKT_PER_MSG;
	c->max_xfer_size = RNDIS_INIT_DEF_MAX_XFER_SIZE;
	c->pkt_align_factor = RNDIS_INIT_DEF_ALIGN_FACTOR;
}

int
rndis_encode_init_cmplt(void *buf, size_t cap,
			const struct rndis_init_cmplt *c)
{
	uint8_t *m = buf;
	int rc;

	if (c == NULL) {
		return -EINVAL;
	}
	rc = enc_check(buf, cap, LEN_INIT_C);
	if (rc < 0) {
		return rc;
	}
	put_hdr(m, RNDIS_MSG_INIT_CMPLT, LEN_INIT_C);
	PUT(m, rndis_wire_init_cmplt, req_id, c->req_id);
	PUT(m, rndis_wire_init_cmplt, status, c->status);
	PUT(m, rndis_wire_init_cmplt, major, c->major);
	PUT(m, rndis_wire_init_cmplt, minor, c->minor);
	PUT(m, rndis_wire_init_cmplt, dev_flags, c->dev_flags);
	PUT(m, rndis_wire_init_cmplt, medium, c->medium);
	PUT(m, rndis_wire_init_cmplt, max_pkt_per_msg, c->max_pkt_per_msg);
	PUT(m, rndis_wire_init_cmplt, max_xfer_size, c->max_xfer_size);
	PUT(m, rndis_wire_init_cmplt, pkt_align_factor, c->pkt_align_factor);
	PUT(m, rndis_wire_init_cmplt, af_list_offset, c->af_list_offset);
	PUT(m, rndis_wire_init_cmplt, af_list_size, c->af_list_size);
	return (int)LEN_INIT_C;
}

/* RESET and RESET_C reuse the 12- and 16-byte writers below. */
SN_STATIC_ASSERT(offsetof(struct rndis_wire_reset_req, reserved) ==
		 offsetof(struct rndis_wire_req_id, req_id),
		 "RESET.reserved sits where req_id does");
SN_STATIC_ASSERT(offsetof(struct rndis_wire_reset_cmplt, status) ==
		 offsetof(struct rndis_wire_status_cmplt, req_id) &&
		 offsetof(struct rndis_wire_reset_cmplt, addressing_reset) ==
		 offsetof(struct rndis_wire_status_cmplt, status) &&
		 sizeof(struct rndis_wire_reset_cmplt) == LEN_STATUS_C,
		 "RESET_C fields sit where req_id / status do");

/* Any 12-byte { type, len, u32 } message (HALT, KEEPALIVE, RESET). */
static int
enc_u32_msg(void *buf, size_t cap, uint32_t type, uint32_t v)
{
	uint8_t *m = buf;
	int rc;

	rc = enc_check(buf, cap, LEN_REQ_ID);
	if (rc < 0) {
		return rc;
	}
	put_hdr(m, type, LEN_REQ_ID);
	PUT(m, rndis_wire_req_id, req_id, v);
	return (int)LEN_REQ_ID;
}

/* Any 16-byte { type, len, u32, u32 } message (completions, RESET_C). */
static int
enc_2u32_msg(void *buf, size_t cap, uint32_t type, uint32_t a, uint32_t b)
{
	uint8_t *m = buf;
	int rc;

	rc = enc_check(buf, cap, LEN_STATUS_C);
	if (rc < 0) {
		return rc;
	}
	put_hdr(m, type, LEN_STATUS_C);
	PUT(m, rndis_wire_status_cmplt, req_id, a);
	PUT(m, rndis_wire_status_cmplt, status, b);
	return (int)LEN_STATUS_C;
}

int
rndis_encode_halt(void *buf, size_t cap, uint32_t req_id)
{
	return enc_u32_msg(buf, cap, RNDIS_MSG_HALT, req_id);
}

int
rndis_encode_keepalive(void *buf, size_t cap, uint32_t req_id)
{
	return enc_u32_msg(buf, cap, RNDIS_MSG_KEEPALIVE, req_id);
}

int
rndis_encode_reset(void *buf, size_t cap)
{
	return enc_u32_msg(buf, cap, RNDIS_MSG_RESET, 0);
}

int
rndis_encode_set_cmplt(void *buf, size_t cap, uint32_t req_id,
		       uint32_t status)
{
	return enc_2u32_msg(buf, cap, RNDIS_MSG_SET_CMPLT, req_id, status);
}

int
rndis_encode_keepalive_cmplt(void *buf, size_t cap, uint32_t req_id,
			     uint32_t status)
{
	return enc_2u32_msg(buf, cap, RNDIS_MSG_KEEPALIVE_CMPLT, req_id,
			    status);
}

int
rndis_encode_reset_cmplt(void *buf, size_t cap, uint32_t status,
			 uint32_t addressing_reset)
{
	return enc_2u32_msg(buf, cap, RNDIS_MSG_RESET_CMPLT, status,
			    addressing_reset);
}

/*
 * Message of fixed bytes followed by an n-byte area copied from src.
 * The area is moved first so that a source inside buf is read before
 * the fixed fields are written.  Returns the total or -errno.
 */
static int
enc_with_area(void *buf, size_t cap, uint32_t fixed, const void *src,
	      uint32_t n)
{
	uint64_t total = (uint64_t)fixed + n;
	int rc;

	if (src == NULL && n != 0) {
		return -EINVAL;
	}
	rc = enc_check(buf, cap, total);
	if (rc < 0) {
		return rc;
	}
	if (n != 0) {
		memmove((uint8_t *)buf + fixed, src, n);
	}
	return (int)total;
}

/* QUERY / SET / SET_EX request. */
static int
enc_oid_req(void *buf, size_t cap, uint32_t type, uint32_t req_id,
	    uint32_t oid, uint32_t vc, const void *info, uint32_t info_len)
{
	uint8_t *m = buf;
	int total;

	total = enc_with_area(buf, cap, LEN_OID_REQ, info, info_len);
	if (total < 0) {
		return total;
	}
	put_hdr(m, type, (uint32_t)total);
	PUT(m, rndis_wire_oid_req, req_id, req_id);
	PUT(m, rndis_wire_oid_req, oid, oid);
	PUT(m, rndis_wire_oid_req, info_buflen, info_len);
	PUT(m, rndis_wire_oid_req, info_buf_offset, RNDIS_OID_REQ_INFO_OFFSET);
	PUT(m, rndis_wire_oid_req, dev_vc_handle, vc);
	return total;
}

int
rndis_encode_query(void *buf, size_t cap, uint32_t req_id, uint32_t oid,
		   const void *info, uint32_t info_len)
{
	return enc_oid_req(buf, cap, RNDIS_MSG_QUERY, req_id, oid, 0, info,
			   info_len);
}

int
rndis_encode_set(void *buf, size_t cap, uint32_t req_id, uint32_t oid,
		 const void *info, uint32_t info_len)
{
	return enc_oid_req(buf, cap, RNDIS_MSG_SET, req_id, oid, 0, info,
			   info_len);
}

int
rndis_encode_set_ex(void *buf, size_t cap, uint32_t req_id, uint32_t oid,
		    const void *info, uint32_t info_len)
{
	return enc_oid_req(buf, cap, RNDIS_MSG_SET_EX, req_id, oid, 0, info,
			   info_len);
}

/* QUERY / SET_EX completion. */
static int
enc_info_cmplt(void *buf, size_t cap, uint32_t type, uint32_t req_id,
	       uint32_t status, const void *info, uint32_t info_len)
{
	uint8_t *m = buf;
	int total;

	total = enc_with_area(buf, cap, LEN_INFO_C, info, info_len);
	if (total < 0) {
		return total;
	}
	put_hdr(m, type, (uint32_t)total);
	PUT(m, rndis_wire_info_cmplt, req_id, req_id);
	PUT(m, rndis_wire_info_cmplt, status, status);
	PUT(m, rndis_wire_info_cmplt, info_buflen, info_len);
	PUT(m, rndis_wire_info_cmplt, info_buf_offset,
	    RNDIS_INFO_CMPLT_INFO_OFFSET);
	return total;
}

int
rndis_encode_query_cmplt(void *buf, size_t cap, uint32_t req_id,
			 uint32_t status, const void *info, uint32_t info_len)
{
	return enc_info_cmplt(buf, cap, RNDIS_MSG_QUERY_CMPLT, req_id, status,
			      info, info_len);
}

int
rndis_encode_set_ex_cmplt(void *buf, size_t cap, uint32_t req_id,
			  uint32_t status, const void *info,
			  uint32_t info_len)
{
	return enc_info_cmplt(buf, cap, RNDIS_MSG_SET_EX_CMPLT, req_id,
			      status, info, info_len);
}

int
rndis_encode_indicate(void *buf, size_t cap, uint32_t status,
		      const void *sbuf, uint32_t sbuf_len)
{
	uint8_t *m = buf;
	int total;

	total = enc_with_area(buf, cap, LEN_INDICATE, sbuf, sbuf_len);
	if (total < 0) {
		return total;
	}
	put_hdr(m, RNDIS_MSG_INDICATE, (uint32_t)total);
	PUT(m, rndis_wire_indicate, status, status);
	PUT(m, rndis_wire_indicate, status_buflen, sbuf_len);
	PUT(m, rndis_wire_indicate, status_buf_offset,
	    sbuf_len != 0 ? RNDIS_INDICATE_BUF_OFFSET : 0);
	return total;
}

/* Write the 44-byte PACKET header from p (offsets taken as given). */
static void
put_packet_hdr(uint8_t *m, uint32_t msg_len, const struct rndis_packet *p)
{
	put_hdr(m, RNDIS_MSG_PACKET, msg_len);
	PUT(m, rndis_wire_packet, data_offset, p->data_off);
	PUT(m, rndis_wire_packet, data_len, p->data_len);
	PUT(m, rndis_wire_packet, oob_data_offset, p->oob_off);
	PUT(m, rndis_wire_packet, oob_data_len, p->oob_len);
	PUT(m, rndis_wire_packet, num_oob_data_elements, p->oob_count);
	PUT(m, rndis_wire_packet, per_pkt_info_offset, p->ppi_off);
	PUT(m, rndis_wire_packet, per_pkt_info_len, p->ppi_len);
	PUT(m, rndis_wire_packet, vc_handle, p->vc_handle);
	PUT(m, rndis_wire_packet, reserved, p->reserved);
}

int
rndis_packet_encode_hdr(void *buf, size_t cap,
			const struct rndis_ppi_set *ppis, uint32_t data_len)
{
	struct rndis_packet p;
	uint8_t *m = buf;
	uint32_t ppi_len, hdr;
	int rc;

	if (buf == NULL) {
		return -EINVAL;
	}
	ppi_len = rndis_ppi_set_len(ppis);
	hdr = LEN_PACKET + ppi_len;
	if ((uint64_t)hdr + data_len > UINT32_MAX) {
		return -ERANGE;
	}
	if (hdr > cap) {
		return -EMSGSIZE;
	}
	rc = rndis_ppi_set_encode(m + LEN_PACKET, cap - LEN_PACKET, ppis);
	if (rc < 0) {
		return rc;
	}
	memset(&p, 0, sizeof(p));
	p.ppi_off = RNDIS_PACKET_PPI_OFFSET;
	p.ppi_len = ppi_len;
	p.data_off = RNDIS_PACKET_PPI_OFFSET + ppi_len;
	p.data_len = data_len;
	put_packet_hdr(m, hdr + data_len, &p);
	return (int)hdr;
}

int
rndis_packet_add_padding(void *buf, uint32_t pad)
{
	uint8_t *m = buf;
	uint64_t len;

	if (buf == NULL) {
		return -EINVAL;
	}
	len = (uint64_t)GET(m, rndis_wire_hdr, msg_len) + pad;
	if (len > INT_MAX) {
		return -ERANGE;
	}
	PUT(m, rndis_wire_hdr, msg_len, (uint32_t)len);
	return (int)len;
}

/* Whole PACKET in canonical layout: header, PPI, OOB, data. */
static int
enc_packet(void *buf, size_t cap, const struct rndis_packet *in)
{
	struct rndis_packet p = *in;
	uint8_t *m = buf;
	uint64_t total;
	uint32_t off;
	int rc;

	if ((p.ppi == NULL && p.ppi_len != 0) ||
	    (p.oob == NULL && p.oob_len != 0) ||
	    (p.data == NULL && p.data_len != 0)) {
		return -EINVAL;
	}
	total = (uint64_t)LEN_PACKET + p.ppi_len + p.oob_len + p.data_len;
	rc = enc_check(buf, cap, total);
	if (rc < 0) {
		return rc;
	}
	off = RNDIS_PACKET_OFFSET_MIN;
	p.ppi_off = off;
	off += p.ppi_len;
	p.oob_off = p.oob_len != 0 ? off : 0;
	off += p.oob_len;
	p.data_off = off;
	if (p.ppi_len != 0) {
		memmove(m + RNDIS_HDR_LEN + p.ppi_off, p.ppi, p.ppi_len);
	}
	if (p.oob_len != 0) {
		memmove(m + RNDIS_HDR_LEN + p.oob_off, p.oob, p.oob_len);
	}
	if (p.data_len != 0) {
		memmove(m + RNDIS_HDR_LEN + p.data_off, p.data, p.data_len);
	}
	put_packet_hdr(m, (uint32_t)total, &p);
	return (int)total;
}

int
rndis_encode(void *buf, size_t cap, const struct rndis_msg *msg)
{
	const struct rndis_oid_req *q;
	const struct rndis_info_cmplt *ic;

	if (msg == NULL) {
		return -EINVAL;
	}
	switch (msg->type) {
	case RNDIS_MSG_PACKET:
		return enc_packet(buf, cap, &msg->u.packet);
	case RNDIS_MSG_INIT:
		return rndis_encode_init_req(buf, cap, &msg->u.init_req);
	case RNDIS_MSG_INIT_CMPLT:
		return rndis_encode_init_cmplt(buf, cap, &msg->u.init_cmplt);
	case RNDIS_MSG_HALT:
	case RNDIS_MSG_KEEPALIVE:
		return enc_u32_msg(buf, cap, msg->type, msg->u.req.req_id);
	case RNDIS_MSG_QUERY:
	case RNDIS_MSG_SET:
	case RNDIS_MSG_SET_EX:
		q = &msg->u.oid_req;
		return enc_oid_req(buf, cap, msg->type, q->req_id, q->oid,
				   q->dev_vc_handle, q->info, q->info_len);
	case RNDIS_MSG_QUERY_CMPLT:
	case RNDIS_MSG_SET_EX_CMPLT:
		ic = &msg->u.info_cmplt;
		return enc_info_cmplt(buf, cap, msg->type, ic->req_id,
				      ic->status, ic->info, ic->info_len);
	case RNDIS_MSG_SET_CMPLT:
	case RNDIS_MSG_KEEPALIVE_CMPLT:
		return enc_2u32_msg(buf, cap, msg->type, msg->u.cmplt.req_id,
				    msg->u.cmplt.status);
	case RNDIS_MSG_RESET:
		return enc_u32_msg(buf, cap, msg->type,
				   msg->u.reset_req.reserved);
	case RNDIS_MSG_RESET_CMPLT:
		return enc_2u32_msg(buf, cap, msg->type,
				    msg->u.reset_cmplt.status,
				    msg->u.reset_cmplt.addressing_reset);
	case RNDIS_MSG_INDICATE:
		return rndis_encode_indicate(buf, cap, msg->u.indicate.status,
					     msg->u.indicate.buf,
					     msg->u.indicate.buf_len);
	default:
		return -ENOTSUP;
	}
}

/*
 * Name tables for logs.
 */

struct name_ent {
	uint32_t val;		/* code */
	const char *name;	/* its name without the RNDIS_ prefix */
};

#define NAME(x) { RNDIS_##x, #x }

static const struct name_ent msg_names[] = {
	NAME(MSG_PACKET), NAME(MSG_INIT), NAME(MSG_HALT), NAME(MSG_QUERY),
	NAME(MSG_SET), NAME(MSG_RESET), NAME(MSG_INDICATE),
	NAME(MSG_KEEPALIVE), NAME(MSG_SET_EX), NAME(MSG_INIT_CMPLT),
	NAME(MSG_QUERY_CMPLT), NAME(MSG_SET_CMPLT), NAME(MSG_RESET_CMPLT),
	NAME(MSG_KEEPALIVE_CMPLT), NAME(MSG_SET_EX_CMPLT),
};

static const struct name_ent status_names[] = {
	NAME(STATUS_SUCCESS), NAME(STATUS_PENDING),
	NAME(STATUS_MEDIA_CONNECT), NAME(STATUS_MEDIA_DISCONNECT),
	NAME(STATUS_LINK_SPEED_CHANGE), NAME(STATUS_NETWORK_CHANGE),
	NAME(STATUS_TASK_OFFLOAD_CURRENT_CONFIG),
	NAME(STATUS_BUFFER_OVERFLOW), NAME(STATUS_FAILURE),
	NAME(STATUS_RESOURCES), NAME(STATUS_NOT_SUPPORTED),
	NAME(STATUS_BAD_VERSION), NAME(STATUS_INVALID_PACKET),
	NAME(STATUS_INVALID_LENGTH), NAME(STATUS_INVALID_DATA),
	NAME(STATUS_BUFFER_TOO_SHORT), NAME(STATUS_INVALID_OID),
};

static const struct name_ent oid_names[] = {
	NAME(OID_GEN_SUPPORTED_LIST), NAME(OID_GEN_HARDWARE_STATUS),
	NAME(OID_GEN_MEDIA_SUPPORTED), NAME(OID_GEN_MEDIA_IN_USE),
	NAME(OID_GEN_MAXIMUM_LOOKAHEAD), NAME(OID_GEN_MAXIMUM_FRAME_SIZE),
	NAME(OID_GEN_LINK_SPEED), NAME(OID_GEN_CURRENT_PACKET_FILTER),
	NAME(OID_GEN_MAXIMUM_TOTAL_SIZE), NAME(OID_GEN_MAC_OPTIONS),
	NAME(OID_GEN_MEDIA_CONNECT_STATUS),
	NAME(OID_GEN_MAXIMUM_SEND_PACKETS),
	NAME(OID_GEN_NETWORK_LAYER_ADDRESSES),
	NAME(OID_GEN_RECEIVE_SCALE_CAPABILITIES),
	NAME(OID_GEN_RECEIVE_SCALE_PARAMETERS), NAME(OID_GEN_MAX_LINK_SPEED),
	NAME(OID_GEN_LINK_STATE), NAME(OID_GEN_RNDIS_CONFIG_PARAMETER),
	NAME(OID_GEN_FRIENDLY_NAME), NAME(OID_802_3_PERMANENT_ADDRESS),
	NAME(OID_802_3_CURRENT_ADDRESS), NAME(OID_802_3_MULTICAST_LIST),
	NAME(OID_802_3_MAXIMUM_LIST_SIZE), NAME(OID_OFFLOAD_ENCAPSULATION),
	NAME(OID_TCP_OFFLOAD_CURRENT_CONFIG),
	NAME(OID_TCP_OFFLOAD_PARAMETERS),
	NAME(OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES),
};

#undef NAME

static const char *
name_find(const struct name_ent *tab, size_t n, uint32_t val)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (tab[i].val == val) {
			return tab[i].name;
		}
	}
	return "UNKNOWN";
}

const char *
rndis_msg_type_name(uint32_t type)
{
	return name_find(msg_names, SN_ARRAY_SIZE(msg_names), type);
}

const char *
rndis_status_name(uint32_t status)
{
	return name_find(status_names, SN_ARRAY_SIZE(status_names), status);
}

const char *
rndis_oid_name(uint32_t oid)
{
	return name_find(oid_names, SN_ARRAY_SIZE(oid_names), oid);
}
