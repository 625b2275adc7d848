/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rndis_msg.h - RNDIS control and PACKET message codec.
 *
 * Decoding copies every header field out of the caller's buffer (never a
 * struct cast), validates the copy, and exposes variable parts (info
 * buffer, status buffer, frame data, PPI area) as pointer + length
 * BORROWED from the caller's buffer: they stay valid only as long as that
 * buffer does.  If the buffer is guest-shared memory, copy the message out
 * first: the guest could rewrite it between validation and use.
 *
 * Offsets inside a message are relative to byte 8 (RNDIS_HDR_LEN); the
 * decoded structs keep them in that form, as read from the wire.
 *
 * Encoders write a complete message into a caller buffer, using the
 * canonical layout (Linux/Windows): info buffer right after the fixed
 * fields, and return the message length.  No function allocates, logs or
 * keeps state.
 */
#ifndef SN_RNDIS_MSG_H
#define SN_RNDIS_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "rndis_wire.h"
#include "rndis_ppi.h"

/* Canonical info / status buffer offsets (relative to byte 8). */
#define RNDIS_OID_REQ_INFO_OFFSET	20u	/* QUERY/SET/SET_EX request */
#define RNDIS_INFO_CMPLT_INFO_OFFSET	16u	/* QUERY/SET_EX completion */
#define RNDIS_INDICATE_BUF_OFFSET	12u	/* INDICATE_STATUS */
/* Canonical PPI offset of a PACKET (Linux TX), relative to byte 8. */
#define RNDIS_PACKET_PPI_OFFSET		RNDIS_PACKET_OFFSET_MIN

/* OpenVMM INIT completion defaults (wire-facts section 5). */
#define RNDIS_INIT_DEF_MAX_PKT_PER_MSG	8u
#define RNDIS_INIT_DEF_MAX_XFER_SIZE	0xEFFFFFFFu
#define RNDIS_INIT_DEF_ALIGN_FACTOR	3u	/* 8-byte alignment */

/* INITIALIZE request. */
struct rndis_init_req {
	uint32_t req_id;	/* request id */
	uint32_t major;		/* RNDIS major version (1) */
	uint32_t minor;		/* RNDIS minor version (0) */
	uint32_t max_xfer_size;	/* guest's largest message */
};

/* INITIALIZE completion. */
struct rndis_init_cmplt {
	uint32_t req_id;	/* from the request */
	uint32_t status;	/* RNDIS_STATUS_* */
	uint32_t major;		/* version */
	uint32_t minor;		/* version */
	uint32_t dev_flags;	/* RNDIS_DF_* */
	uint32_t medium;	/* RNDIS_MEDIUM_802_3 */
	uint32_t max_pkt_per_msg; /* PACKETs per batch */
	uint32_t max_xfer_size;	/* largest message */
	uint32_t pkt_align_factor; /* log2 of batch alignment */
	uint32_t af_list_offset; /* raw, not validated (call managers) */
	uint32_t af_list_size;	/* raw, not validated (call managers) */
};

/* HALT and KEEPALIVE requests. */
struct rndis_req {
	uint32_t req_id;	/* request id */
};

/* QUERY, SET and SET_EX requests. */
struct rndis_oid_req {
	uint32_t req_id;	/* request id */
	uint32_t oid;		/* RNDIS_OID_* */
	uint32_t info_off;	/* info_buf_offset as on the wire (from 8) */
	uint32_t info_len;	/* info_buflen */
	uint32_t dev_vc_handle;	/* 0 for connectionless */
	const uint8_t *info;	/* borrowed; NULL when info_len is 0 */
};

/* QUERY and SET_EX completions. */
struct rndis_info_cmplt {
	uint32_t req_id;	/* from the request */
	uint32_t status;	/* RNDIS_STATUS_* */
	uint32_t info_off;	/* info_buf_offset as on the wire (from 8) */
	uint32_t info_len;	/* info_buflen */
	const uint8_t *info;	/* borrowed; NULL when info_len is 0 */
};

/* SET and KEEPALIVE completions. */
struct rndis_status_cmplt {
	uint32_t req_id;	/* from the request */
	uint32_t status;	/* RNDIS_STATUS_* */
};

/* RESET request. */
struct rndis_reset_req {
	uint32_t reserved;	/* 0 */
};

/* RESET completion. */
struct rndis_reset_cmplt {
	uint32_t status;	/* RNDIS_STATUS_* */
	uint32_t addressing_reset; /* 1: guest must restore its filters */
};

/* INDICATE_STATUS. */
struct rndis_indicate {
	uint32_t status;	/* RNDIS_STATUS_MEDIA_CONNECT, ... */
	uint32_t buf_off;	/* status_buf_offset as on the wire (from 8) */
	uint32_t buf_len;	/* status_buflen */
	const uint8_t *buf;	/* borrowed; NULL when buf_len is 0 */
};

/* PACKET. */
struct rndis_packet {
	uint32_t data_off;	/* data_offset (from byte 8) */
	uint32_t data_len;	/* frame bytes */
	uint32_t oob_off;	/* oob_data_offset (from byte 8) */
	uint32_t oob_len;	/* oob_data_len */
	uint32_t oob_count;	/* num_oob_data_elements, raw */
	uint32_t ppi_off;	/* per_pkt_info_offset (from byte 8) */
	uint32_t ppi_len;	/* per_pkt_info_len */
	uint32_t vc_handle;	/* 0 for connectionless */
	uint32_t reserved;	/* 0 */
	const uint8_t *data;	/* borrowed; NULL when data_len is 0 */
	const uint8_t *oob;	/* borrowed; NULL when oob_len is 0 */
	const uint8_t *ppi;	/* borrowed PPI area; NULL when ppi_len 0 */
};

/* One decoded message; type selects the union member. */
struct rndis_msg {
	uint32_t type;		/* RNDIS_MSG_* */
	uint32_t len;		/* msg_len, header included */
	union {
		struct rndis_init_req init_req;	/* INIT */
		struct rndis_init_cmplt init_cmplt; /* INIT_CMPLT */
		struct rndis_req req;		/* HALT, KEEPALIVE */
		struct rndis_oid_req oid_req;	/* QUERY, SET, SET_EX */
		struct rndis_info_cmplt info_cmplt; /* QUERY_C, SET_EX_C */
		struct rndis_status_cmplt cmplt; /* SET_C, KEEPALIVE_C */
		struct rndis_reset_req reset_req; /* RESET */
		struct rndis_reset_cmplt reset_cmplt; /* RESET_CMPLT */
		struct rndis_indicate indicate;	/* INDICATE */
		struct rndis_packet packet;	/* PACKET */
	} u;			/* body, by type */
};

/*
 * Fixed length of a message type (the smallest valid msg_len), or 0 for a
 * type this codec does not know.
 */
uint32_t rndis_msg_min_len(uint32_t type);

/*
 * Decode the one message at the start of buf (len bytes; trailing bytes
 * after msg_len are ignored).  Checks: len >= 8, 8 <= msg_len <= len,
 * msg_len >= the type's fixed length, msg_len <= INT_MAX; the info /
 * status buffer (when its length is non-zero) starts at or after the
 * fixed fields and ends inside msg_len; PACKET data / OOB / PPI areas
 * (when non-empty) start at or after byte 44 (offset >= 36), end inside
 * msg_len and do not overlap one another.  Offsets of empty areas are not
 * checked.  The PPI chain itself is not walked: use rndis_ppi_parse() on
 * out->u.packet.ppi.
 * On success fills *out (borrowing buf) and returns msg_len (> 0).
 * Errors: -EINVAL NULL argument; -EMSGSIZE len < 8 or msg_len > len;
 * -EBADMSG msg_len < 8, > INT_MAX or below the type's fixed length, or a
 * bad offset / length / overlap;
 * -ENOTSUP unknown type (out->type and out->len are still filled, so a
 * caller may skip it by msg_len).
 */
int rndis_decode(const void *buf, size_t len, struct rndis_msg *out);

/*
 * Cursor over several messages batched back to back in one buffer (each
 * msg_len already includes its alignment padding).
 */
struct rndis_iter {
	const uint8_t *buf;	/* borrowed batch */
	size_t len;		/* batch bytes */
	size_t off;		/* offset of the next message */
	uint32_t count;		/* messages returned so far */
	uint32_t max;		/* cap on count */
	int err;		/* sticky error, 0 while healthy */
};

/*
 * Start walking [buf, buf + len), allowing at most max_msgs messages
 * (e.g. the max_pkt_per_msg the host announced).  Borrows buf.
 * Returns 0, or -EINVAL (NULL it, NULL buf with len > 0, max_msgs 0).
 */
int rndis_iter_init(struct rndis_iter *it, const void *buf, size_t len,
		    uint32_t max_msgs);

/*
 * Decode the next message into *out with rndis_decode().
 * Returns 1 with *out filled, 0 when the batch is exactly used up, or a
 * negative error: anything rndis_decode() returns (a truncated last
 * message, or trailing bytes shorter than a header, is -EMSGSIZE), or
 * -ERANGE when the batch holds more than max_msgs messages.  -ENOTSUP
 * (unknown type) advances past the message so the caller may continue;
 * every other error is sticky.
 */
int rndis_iter_next(struct rndis_iter *it, struct rndis_msg *out);

/*
 * Convenience form of the iterator: decode the message at *off in
 * [buf, buf + len) and advance *off by its msg_len.  Returns as
 * rndis_iter_next() (1, 0 at the end, negative error); the caller caps
 * the number of calls.  *off is left unchanged on error except -ENOTSUP.
 */
int rndis_next(const void *buf, size_t len, size_t *off,
	       struct rndis_msg *out);

/*
 * Encoders.  Each writes one whole message at buf (cap bytes available)
 * and returns its length, or -EINVAL (NULL buf, NULL info with a non-zero
 * length), -EMSGSIZE (cap too small), -ERANGE (message longer than
 * INT_MAX).  Info / status buffers are copied in (memmove: they may
 * overlap buf).
 */

/* INITIALIZE request; major / minor / max_xfer_size from m. */
int rndis_encode_init_req(void *buf, size_t cap,
			  const struct rndis_init_req *m);

/* Fill *m with the OpenVMM INIT completion defaults (1.0,
 * connectionless, 802.3, 8 per batch, 0xEFFFFFFF, alignment 2^3). */
void rndis_init_cmplt_defaults(struct rndis_init_cmplt *m, uint32_t req_id,
			       uint32_t status);

/* INITIALIZE completion (52 bytes), every field from m. */
int rndis_encode_init_cmplt(void *buf, size_t cap,
			    const struct rndis_init_cmplt *m);

/* HALT request (12 bytes). */
int rndis_encode_halt(void *buf, size_t cap, uint32_t req_id);

/* KEEPALIVE request (12 bytes). */
int rndis_encode_keepalive(void *buf, size_t cap, uint32_t req_id);

/* QUERY request: info buffer (may be empty) at offset 20, vc handle 0. */
int rndis_encode_query(void *buf, size_t cap, uint32_t req_id, uint32_t oid,
		       const void *info, uint32_t info_len);

/* SET request: as QUERY. */
int rndis_encode_set(void *buf, size_t cap, uint32_t req_id, uint32_t oid,
		     const void *info, uint32_t info_len);

/* SET_EX request: as QUERY. */
int rndis_encode_set_ex(void *buf, size_t cap, uint32_t req_id, uint32_t oid,
			const void *info, uint32_t info_len);

/* QUERY completion: info buffer at offset 16 (offset 16 also when empty). */
int rndis_encode_query_cmplt(void *buf, size_t cap, uint32_t req_id,
			     uint32_t status, const void *info,
			     uint32_t info_len);

/* SET_EX completion: as QUERY completion. */
int rndis_encode_set_ex_cmplt(void *buf, size_t cap, uint32_t req_id,
			      uint32_t status, const void *info,
			      uint32_t info_len);

/* SET completion (16 bytes). */
int rndis_encode_set_cmplt(void *buf, size_t cap, uint32_t req_id,
			   uint32_t status);

/* KEEPALIVE completion (16 bytes). */
int rndis_encode_keepalive_cmplt(void *buf, size_t cap, uint32_t req_id,
				 uint32_t status);

/* RESET request (12 bytes, reserved 0). */
int rndis_encode_reset(void *buf, size_t cap);

/* RESET completion (16 bytes). */
int rndis_encode_reset_cmplt(void *buf, size_t cap, uint32_t status,
			     uint32_t addressing_reset);

/* INDICATE_STATUS: status buffer at offset 12 when sbuf_len > 0; with no
 * buffer both status_buflen and status_buf_offset are 0. */
int rndis_encode_indicate(void *buf, size_t cap, uint32_t status,
			  const void *sbuf, uint32_t sbuf_len);

/*
 * PACKET header + PPIs, laid out like Linux netvsc_xmit(): the 44-byte
 * header, per_pkt_info_offset = 36, the PPIs of ppis (may be NULL) in
 * rndis_ppi_set_encode() order, data_offset = 36 + PPI bytes, msg_len =
 * header length + data_len, OOB fields 0.  The caller puts data_len frame
 * bytes right after the returned length (and adds batch padding to
 * msg_len with rndis_packet_add_padding() if it batches).
 * Returns the header length (44 + PPI bytes), or -EINVAL, -EMSGSIZE,
 * -ERANGE (msg_len would not fit in u32).
 */
int rndis_packet_encode_hdr(void *buf, size_t cap,
			    const struct rndis_ppi_set *ppis,
			    uint32_t data_len);

/*
 * Grow the msg_len of the message at buf (at least 8 bytes, written by
 * this codec) by pad bytes, for batching with alignment.  The caller
 * writes the pad bytes.  Returns the new msg_len, -EINVAL, or -ERANGE.
 */
int rndis_packet_add_padding(void *buf, uint32_t pad);

/*
 * Encode any decoded message back to canonical form (round trips):
 * control messages as the per-type encoders; PACKET as header, PPI bytes
 * (m->u.packet.ppi, copied raw), OOB bytes, then data, with offsets 36,
 * 36 + ppi_len, 36 + ppi_len + oob_len (OOB offset 0 when empty).
 * Uses every field except the wire offsets and msg->len.  For PACKET the
 * source areas must not overlap buf.
 * Returns the message length, or -EINVAL / -EMSGSIZE / -ERANGE, -ENOTSUP
 * for an unknown type.
 */
int rndis_encode(void *buf, size_t cap, const struct rndis_msg *msg);

/* Names for logs; never NULL, static storage, "UNKNOWN" when unknown. */
const char *rndis_msg_type_name(uint32_t type);
const char *rndis_status_name(uint32_t status);
const char *rndis_oid_name(uint32_t oid);

#endif /* SN_RNDIS_MSG_H */
