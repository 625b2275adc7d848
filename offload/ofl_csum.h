/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofl_csum.h - Internet checksum (RFC 1071) helpers for the offload path.
 *
 * Conventions:
 *   - A "partial sum" (uint32_t) is an un-complemented ones'-complement sum
 *     of big-endian 16-bit words.  Partial sums can be added together with
 *     plain '+' a few times (each is <= 0xFFFF) and fed back as the @sum
 *     argument of ofl_csum_partial(); ofl_csum_fold() handles any 32-bit
 *     value.
 *   - A checksum (uint16_t) is the folded, complemented value in host
 *     order, ready to be stored with sn_put_be16() into the header field.
 *   - Nothing here keeps state, allocates, or reads outside the ranges the
 *     caller names.  Buffers may be unaligned.
 */
#ifndef OFL_CSUM_H
#define OFL_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofl_parse.h"

/**
 * Add @len bytes at @buf to the partial sum @sum.
 *
 * Bytes are taken as big-endian 16-bit words starting at buf[0]; an odd
 * last byte is padded with a zero byte (RFC 1071).  When a checksum is
 * computed over several pieces, every piece but the last must have an even
 * length.  @buf is borrowed and may be unaligned; NULL is allowed only with
 * len 0.
 *
 * @return the new partial sum, in 0..0xFFFF (0 only if @sum and every word
 *         were 0).
 */
uint32_t
ofl_csum_partial(const void *buf, size_t len, uint32_t sum);

/**
 * Fold a partial sum to 16 bits and complement it: the value to store in a
 * checksum field.  A received header whose sum (checksum field included)
 * folds to 0 here is intact.
 */
uint16_t
ofl_csum_fold(uint32_t sum);

/**
 * IPv4 header checksum for the @hlen-byte header at @ip, computed as if the
 * checksum field (bytes 10-11) were zero.  @ip is borrowed.
 * @return the checksum, or 0 when @ip is NULL or @hlen < 20.
 */
uint16_t
ofl_csum_ip4_hdr(const uint8_t *ip, size_t hlen);

/**
 * True when the @hlen-byte IPv4 header at @ip (checksum field included)
 * sums correctly.  False for NULL or @hlen < 20.
 */
bool
ofl_csum_ip4_hdr_ok(const uint8_t *ip, size_t hlen);

/**
 * Partial sum of the IPv4 pseudo-header (RFC 793/768): source, destination,
 * zero, protocol, and @l4_len (the TCP/UDP length).  With @l4_len 0 this is
 * the pseudo-header "without length" that LSO guests store, un-complemented,
 * in the TCP checksum field (Linux netvsc: ~csum_tcpudp_magic(s, d, 0, 6,
 * 0)).  Adding the length later gives the same result:
 *   fold(pseudo4(s, d, p, 0) + n) == fold(pseudo4(s, d, p, n)).
 * @src/@dst point at 4 bytes in network order (borrowed).
 */
uint32_t
ofl_csum_pseudo4(const uint8_t *src, const uint8_t *dst, uint8_t proto,
		 uint32_t l4_len);

/**
 * Partial sum of the IPv6 pseudo-header (RFC 8200 8.1): source,
 * destination, 32-bit upper-layer length, 3 zero bytes, next header.
 * @l4_len 0 gives the pseudo-header without length (Linux netvsc LSOv6:
 * ~csum_ipv6_magic(s, d, 0, 6, 0)).  @src/@dst point at 16 bytes.
 */
uint32_t
ofl_csum_pseudo6(const uint8_t *src, const uint8_t *dst, uint8_t proto,
		 uint32_t l4_len);

/**
 * RFC 1624 incremental update (equation 3: HC' = ~(~HC + ~m + m')) of the
 * checksum @csum after a 16-bit field changes from @old_val to @new_val
 * (all host order).  Works for the IPv4 header checksum and for TCP/UDP
 * checksums (fields they cover, pseudo-header fields included).  UDP
 * callers must still map a 0 result to 0xFFFF, and must not update a UDP
 * checksum of 0 (no checksum).
 */
uint16_t
ofl_csum_update16(uint16_t csum, uint16_t old_val, uint16_t new_val);

/** As ofl_csum_update16() for a 32-bit field (e.g. an IPv4 address). */
uint16_t
ofl_csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val);

/* What ofl_csum_fill() computes. */
#define OFL_CSUM_IP4 0x1u /**< IPv4 header checksum */
#define OFL_CSUM_TCP 0x2u /**< TCP checksum (IPv4 or IPv6) */
#define OFL_CSUM_UDP 0x4u /**< UDP checksum (IPv4 or IPv6) */
#define OFL_CSUM_L4 (OFL_CSUM_TCP | OFL_CSUM_UDP) /**< whichever is there */

/**
 * Compute and store checksums in a TX-offloaded frame, as a NIC would.
 *
 * The checksum fields' previous contents are ignored (guests leave a
 * pseudo-header sum there, with or without the length).  Each checksum is
 * computed from the bytes in @frame; only the addresses, ports and lengths
 * are taken from @p, which must be the ofl_parse() result for this frame.
 * TCP/UDP use the pseudo-header with the L4 length p->l4_len; a UDP
 * checksum that computes to 0 is stored as 0xFFFF.
 *
 * @what: OFL_CSUM_* bits.  With OFL_CSUM_L4 the layer the frame carries is
 * filled; asking for exactly one of TCP/UDP on a frame carrying the other
 * is -ENOTSUP.
 *
 * Nothing is written unless every requested checksum can be written.
 * @frame is borrowed and modified in place (only checksum fields); the
 * caller must own it (not guest-writable memory).
 *
 * @return 0; -EINVAL for NULL args, @what 0 or unknown bits, or @p not
 *         consistent with @len; -ENOTSUP when the frame does not carry the
 *         requested layer (IPv4 checksum on IPv6, TCP on UDP, ...) or has
 *         an IPv6 routing header with segments left (pseudo-header needs
 *         the final destination; not done); -EBADMSG when the frame cannot
 *         be checksummed as is: header not parsed (L3_OK/L4_OK missing),
 *         truncated, an IP fragment, or an IP length field of 0 (an LSO
 *         super-packet: segment it first).
 */
int
ofl_csum_fill(uint8_t *frame, size_t len, const struct ofl_pkt *p,
	      unsigned int what);

/** Per-layer result of ofl_csum_verify(). */
enum ofl_csum_state {
	OFL_CSUM_NONE = 0, /**< not checked (layer absent or not checkable) */
	OFL_CSUM_GOOD, /**< checksum verified correct */
	OFL_CSUM_BAD, /**< checksum verified wrong */
};

/** RX checksum verdict, one state per layer. */
struct ofl_csum_verdict {
	uint8_t ip4; /**< enum ofl_csum_state: IPv4 header checksum */
	uint8_t l4; /**< enum ofl_csum_state: TCP or UDP checksum */
	uint8_t l4_proto; /**< OFL_IPPROTO_TCP/UDP when l4 != NONE, else 0 */
};

/**
 * Verify the checksums of a received frame, as a NIC would for RX checksum
 * info (RNDIS TCPIP_CHKSUM_PKTINFO receive bits).
 *
 * ip4: GOOD/BAD for IPv4 with L3_OK, else NONE.
 * l4: GOOD/BAD for TCP and UDP with L4_OK; NONE when the frame is an IP
 * fragment, truncated, has an IP length field of 0, has an IPv6 routing
 * header with segments left, or is UDP with checksum 0 (no checksum; the
 * guest stack decides whether to accept that).  ICMP is not verified.
 *
 * @frame is borrowed, read-only; @p must be its ofl_parse() result.
 * @return 0 (verdict written); -EINVAL for NULL args or @p not consistent
 *         with @len.
 */
int
ofl_csum_verify(const uint8_t *frame, size_t len, const struct ofl_pkt *p,
		struct ofl_csum_verdict *v);

#endif /* OFL_CSUM_H */
