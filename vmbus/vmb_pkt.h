/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_pkt.h - VMBus channel packet codec (descriptor + type headers).
 *
 * Decoding works on a private copy of one packet, as returned by
 * vmb_ring_peek() (len8 * 8 bytes, trailer excluded).  Encoders produce
 * only the header bytes (descriptor plus the type header); the caller then
 * writes {header, payload} as two vmb_iov segments with vmb_ring_write(),
 * which pads to 8 and appends the trailer.
 *
 * Pure codec: no I/O, no allocation, no global state.
 */
#ifndef VMB_PKT_H
#define VMB_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "vmb_wire.h"

/* Hard cap on GPA-direct ranges per packet (Linux netvsc sends <= 32). */
#define VMB_GPA_MAX_RANGES 256u

/* A decoded packet.  Pointers borrow the buffer given to vmb_pkt_decode. */
struct vmb_pkt {
	/** Packet type, VMB_PKT_*. */
	uint16_t type;
	/** Descriptor flags (only VMB_PKT_FLAG_COMPLETION_REQUESTED). */
	uint16_t flags;
	/** Header length / 8 (payload offset / 8). */
	uint16_t offset8;
	/** Packet length / 8, trailer excluded. */
	uint16_t len8;
	/** Transaction id. */
	uint64_t trans_id;
	/** Payload: bytes offset8 * 8 .. len8 * 8 (may include pad). */
	const uint8_t *payload;
	/** Payload length in bytes, multiple of 8. */
	uint32_t payload_len;
	/** Types 7 and 9: number of ranges the sender declared. */
	uint32_t range_cnt;
	/** Types 7 and 9: first range (packet offset 24); else NULL. */
	const uint8_t *ranges;
	/** Types 7 and 9: bytes from ranges to the payload. */
	uint32_t ranges_len;
	/** Type 7: transfer page set id. */
	uint16_t xfer_pageset_id;
	/** Type 7: sender_owns_set byte. */
	uint8_t sender_owns;
};

/*
 * Decode the packet in pkt[0..len).  len must be at least len8 * 8 (extra
 * bytes are ignored).  Checks: offset8 >= 2, len8 >= offset8, flags only
 * bit 0, type 1..0xd; type 7: header holds the 8-byte transfer-page header
 * and range_cnt ranges fit before the payload; type 9: 1..256 ranges, each
 * valid and inside the header (see vmb_gpa_range_next).
 * Fills *out (pointers borrow pkt).  Types 6 and 11 carry payload only.
 * Returns 0, -EINVAL (NULL argument), -EMSGSIZE (len < 16 or < len8 * 8),
 * -EBADMSG (malformed), -ENOTSUP (defined type other than 6, 7, 9, 11:
 * the common fields and payload are filled, the type header is not).
 */
int
vmb_pkt_decode(const void *pkt, size_t len, struct vmb_pkt *out);

/*
 * Transfer-page range i of a decoded type-7 packet.  Ranges were checked
 * to lie inside the packet; byte_offset/count are the peer's values and
 * must still be checked against the transfer page set by the caller.
 * Returns 0, -EINVAL (not a type-7 packet, NULL argument) or -ERANGE
 * (i >= range_cnt).
 */
int
vmb_pkt_xfer_range(const struct vmb_pkt *p, uint32_t i, uint32_t *count,
		   uint32_t *offset);

/* Iterator over the ranges of a decoded GPA-direct (type 9) packet. */
struct vmb_gpa_iter {
	/** Next range header; borrows the packet buffer. */
	const uint8_t *pos;
	/** Bytes left in the range area. */
	uint32_t left;
	/** Ranges still to yield. */
	uint32_t remaining;
};

/* One GPA range.  pfns borrows the packet buffer. */
struct vmb_gpa_range {
	/** Bytes described, > 0. */
	uint32_t byte_count;
	/** Offset into the first page, < 4096. */
	uint32_t byte_offset;
	/** ceil((byte_offset + byte_count) / 4096) PFNs at pfns. */
	uint32_t pfn_count;
	/** pfn_count little-endian u64 PFNs; read with vmb_gpa_range_pfn. */
	const uint8_t *pfns;
};

/* PFN i (< pfn_count) of a GPA range. */
static inline uint64_t
vmb_gpa_range_pfn(const struct vmb_gpa_range *g, uint32_t i)
{
	return sn_get_le64(g->pfns + (size_t)i * 8);
}

/*
 * Start iterating the ranges of p (type 9).  Returns 0 or -EINVAL (NULL,
 * not a GPA-direct packet).
 */
int
vmb_gpa_iter_init(struct vmb_gpa_iter *it, const struct vmb_pkt *p);

/*
 * Yield the next range into *out.  Stops after range_cnt ranges (capped at
 * VMB_GPA_MAX_RANGES).  Returns 1 when *out was filled, 0 at the end,
 * -EBADMSG when the range is malformed (zero byte_count, byte_offset >=
 * 4096, header or PFN array overflowing the range area), -EINVAL on NULL.
 * After -EBADMSG the iterator stays at the end.
 */
int
vmb_gpa_range_next(struct vmb_gpa_iter *it, struct vmb_gpa_range *out);

/* --- encoders ----------------------------------------------------------
 * Each writes the header into buf[0..buflen) and returns its length
 * (offset8 * 8), or -EINVAL (bad argument or flag bits other than bit 0),
 * -EMSGSIZE (buf too small), -ERANGE (offset8 or len8 exceeds 0xffff).
 * len8 = ceil((header + payload_len) / 8).  The caller then writes
 * {buf[0..ret), payload[0..payload_len)} with vmb_ring_write().
 */

/* Inband data (type 6): 16-byte header, offset8 = 2. */
int
vmb_pkt_enc_inband(void *buf, size_t buflen, uint16_t flags,
		   uint64_t trans_id, size_t payload_len);

/* Completion (type 0xb): 16-byte header, flags 0, offset8 = 2. */
int
vmb_pkt_enc_comp(void *buf, size_t buflen, uint64_t trans_id,
		 size_t payload_len);

/*
 * Transfer-page data (type 7): header of VMB_XFER_HDR_LEN(n) bytes with
 * ranges[0..n) (host-order input, written little-endian), offset8 = 3 + n.
 * n may be 0..0xfffc (netvsc: up to 375, 562 with RSC).
 */
int
vmb_pkt_enc_xfer(void *buf, size_t buflen, uint16_t flags, uint64_t trans_id,
		 uint16_t pageset_id, uint8_t sender_owns,
		 const struct vmb_xfer_range *ranges, uint32_t n,
		 size_t payload_len);

/* One GPA range to encode.  pfn borrows the caller's array. */
struct vmb_gpa_buf {
	/** Bytes described, > 0. */
	uint32_t byte_count;
	/** Offset into the first page, < 4096. */
	uint32_t byte_offset;
	/** ceil((byte_offset + byte_count) / 4096) host-order PFNs. */
	const uint64_t *pfn;
};

/*
 * Header length of a GPA-direct packet with ranges[0..n), or -EINVAL (n 0
 * or > VMB_GPA_MAX_RANGES, a zero byte_count, byte_offset >= 4096, NULL)
 * or -ERANGE (header longer than 0xffff * 8).
 */
int
vmb_pkt_gpa_hdr_len(const struct vmb_gpa_buf *ranges, uint32_t n);

/* GPA-direct data (type 9): ranges with their PFN arrays. */
int
vmb_pkt_enc_gpa(void *buf, size_t buflen, uint16_t flags, uint64_t trans_id,
		const struct vmb_gpa_buf *ranges, uint32_t n,
		size_t payload_len);

#endif /* VMB_PKT_H */
