/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rndis_ppi.h - RNDIS per-packet info (PPI): iterate, parse, encode, and
 * accessors for the u32 values (checksum, LSO, VLAN, hash, RSC packet id).
 *
 * A PPI area is the byte range a PACKET message points at with
 * per_pkt_info_offset / per_pkt_info_len (see rndis_msg.h).  It holds a
 * chain of elements { u32 size; u32 type; u32 ppi_offset; value... } laid
 * back to back; each element's size includes its 12-byte header.
 *
 * The peer is hostile: every element is bounds-checked against the area,
 * size 0 and size < 12 are errors (they would loop or overlap), and the
 * chain is capped at RNDIS_PPI_MAX elements.  Nothing here writes to the
 * input; results borrow pointers into the caller's buffer.
 */
#ifndef SN_RNDIS_PPI_H
#define SN_RNDIS_PPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rndis_wire.h"

/* Most elements one PPI area may hold; the 33rd is -ERANGE. */
#define RNDIS_PPI_MAX 32u

/* One validated element, as returned by rndis_ppi_next(). */
struct rndis_ppi {
	uint32_t type;		/* raw wire type, internal bit included */
	uint32_t id;		/* type & RNDIS_PPI_ID_MASK */
	bool internal;		/* type bit 31 (RNDIS_PPI_INTERNAL) */
	uint32_t size;		/* element size incl. 12-byte header */
	uint32_t value_off;	/* ppi_offset: value offset in element */
	const uint8_t *value;	/* borrowed: element + value_off */
	uint32_t value_len;	/* size - value_off, >= 1 */
};

/* Cursor over a PPI area.  Initialise with rndis_ppi_iter_init(). */
struct rndis_ppi_iter {
	const uint8_t *area;	/* borrowed: start of the PPI area */
	uint32_t len;		/* bytes in the area */
	uint32_t off;		/* next element's offset in the area */
	uint32_t count;		/* elements returned so far */
	int err;		/* sticky error, 0 while healthy */
};

/*
 * Start iterating over the PPI area [area, area + len).  The iterator
 * borrows area; the caller keeps it alive and unchanged (copy guest
 * memory first).  area may be NULL only when len is 0.
 * Returns 0, or -EINVAL (NULL iterator, NULL area with len > 0, len above
 * UINT32_MAX).
 */
int rndis_ppi_iter_init(struct rndis_ppi_iter *it, const void *area,
			size_t len);

/*
 * Validate and return the next element in *out (pointers borrow the
 * area).  Checks: at least 12 bytes left, 12 <= size <= bytes left,
 * 12 <= ppi_offset < size, at most RNDIS_PPI_MAX elements.
 * Returns 1 with *out filled, 0 at the end of the area, -EBADMSG for a
 * malformed element (size 0 or < 12, element past the area, value outside
 * the element, trailing bytes shorter than a header), -ERANGE when the
 * chain exceeds RNDIS_PPI_MAX, -EINVAL for NULL arguments.  Errors are
 * sticky: later calls return the same error.
 */
int rndis_ppi_next(struct rndis_ppi_iter *it, struct rndis_ppi *out);

/* Bits of rndis_ppi_set.present. */
#define RNDIS_PPIF_CSUM		(1u << 0)	/* csum valid */
#define RNDIS_PPIF_LSO		(1u << 1)	/* lso valid (v1 or v2) */
#define RNDIS_PPIF_VLAN		(1u << 2)	/* vlan valid */
#define RNDIS_PPIF_HASH_VALUE	(1u << 3)	/* hash_value valid */
#define RNDIS_PPIF_HASH_INFO	(1u << 4)	/* hash_info valid */
#define RNDIS_PPIF_PKTINFO_ID	(1u << 5)	/* pktinfo_* valid */
#define RNDIS_PPIF_ALL		0x3Fu

/*
 * The PPIs a netvsc data path uses, decoded to plain values.  The same
 * struct describes what rndis_ppi_set_encode() writes.  Fields whose
 * present bit is clear are meaningless (parse leaves them 0).
 */
struct rndis_ppi_set {
	uint32_t present;	/* RNDIS_PPIF_* bits */
	uint32_t csum;		/* TX (G->H) or RX (H->G) checksum value */
	uint32_t lso;		/* LSO value; rndis_lso_is_v2() tells v1/v2 */
	uint32_t vlan;		/* 802.1Q info value (not a TCI) */
	uint32_t hash_value;	/* RSS hash */
	uint32_t hash_info;	/* RNDIS_HASH_FUNC_* | RNDIS_HASH_<type> */
	uint8_t pktinfo_ver;	/* RSC packet id: version (1) */
	uint8_t pktinfo_flags;	/* RSC packet id: RNDIS_PKTINFO_* flags */
	uint16_t pktinfo_id;	/* RSC packet id: id */
	uint32_t n_elems;	/* elements walked by parse */
	uint32_t n_unknown;	/* elements parse skipped (other types) */
};

/*
 * Walk a whole PPI area with rndis_ppi_next() and collect the known types
 * into *out (zeroed first).  Known: CSUM, LSO, VLAN, HASH_VALUE, HASH_INFO
 * (non-internal) and PKTINFO_ID (internal 1); others are counted in
 * n_unknown and skipped.  A known element must carry at least 4 value
 * bytes (only the first 4 are read).
 * Duplicates: a second element of a known type is an error (-EBADMSG),
 * so a guest cannot make two readers disagree about which one counts.
 * Returns the number of elements walked (>= 0), or the iterator's error,
 * or -EBADMSG for a short value / duplicate, -EINVAL for NULL arguments.
 */
int rndis_ppi_parse(const void *area, size_t len, struct rndis_ppi_set *out);

/*
 * Encode one element { size, type, 12, value } into buf.  size is 12 +
 * val_len rounded up to 4; pad bytes are zero.  val_len must be >= 1 (an
 * element without a value is malformed, see rndis_ppi_next()).  Returns
 * bytes written, -EMSGSIZE if cap is too small, -EINVAL for NULL buf / val
 * or val_len 0, -ERANGE if the size would exceed INT_MAX.
 */
int rndis_ppi_encode(void *buf, size_t cap, uint32_t type, const void *val,
		     uint32_t val_len);

/*
 * Bytes rndis_ppi_set_encode() would write for set (16 per present bit;
 * 0 for NULL or an empty set).
 */
uint32_t rndis_ppi_set_len(const struct rndis_ppi_set *set);

/*
 * Encode every present PPI of set in Linux netvsc_xmit() order: hash
 * value, VLAN, LSO, checksum, then hash info and packet id.  set may be
 * NULL (writes nothing).  Returns bytes written (rndis_ppi_set_len()),
 * -EMSGSIZE if cap is too small, -EINVAL for NULL buf with a non-empty set
 * or unknown present bits.
 */
int rndis_ppi_set_encode(void *buf, size_t cap,
			 const struct rndis_ppi_set *set);

/* Short name of a PPI type ("CSUM", "VLAN", "PKTINFO_ID", ...), or
 * "UNKNOWN".  Never NULL; static storage. */
const char *rndis_ppi_type_name(uint32_t type);

/*
 * Value accessors.  All take / return the u32 host-order value.
 */

/* TX checksum value: flags is RNDIS_TXCSUM_IPV4 | _TCP ... ; thoff is the
 * TCP/UDP header offset from the L2 start (10 bits, masked). */
static inline uint32_t
rndis_csum_tx_make(uint32_t flags, uint32_t thoff)
{
	return (flags & ~RNDIS_TXCSUM_THOFF_MASK) |
	       ((thoff << RNDIS_TXCSUM_THOFF_SHIFT) & RNDIS_TXCSUM_THOFF_MASK);
}

/* TX checksum: is the frame IPv4. */
static inline bool
rndis_csum_tx_is_ipv4(uint32_t v)
{
	return (v & RNDIS_TXCSUM_IPV4) != 0;
}

/* TX checksum: is the frame IPv6. */
static inline bool
rndis_csum_tx_is_ipv6(uint32_t v)
{
	return (v & RNDIS_TXCSUM_IPV6) != 0;
}

/* TX checksum: fill the TCP checksum. */
static inline bool
rndis_csum_tx_tcp(uint32_t v)
{
	return (v & RNDIS_TXCSUM_TCP) != 0;
}

/* TX checksum: fill the UDP checksum. */
static inline bool
rndis_csum_tx_udp(uint32_t v)
{
	return (v & RNDIS_TXCSUM_UDP) != 0;
}

/* TX checksum: fill the IPv4 header checksum. */
static inline bool
rndis_csum_tx_ip(uint32_t v)
{
	return (v & RNDIS_TXCSUM_IP_HDR) != 0;
}

/* TX checksum: transport header offset from the L2 start. */
static inline uint32_t
rndis_csum_tx_thoff(uint32_t v)
{
	return (v & RNDIS_TXCSUM_THOFF_MASK) >> RNDIS_TXCSUM_THOFF_SHIFT;
}

/* RX checksum: true when every bit of flags (RNDIS_RXCSUM_*) is set. */
static inline bool
rndis_csum_rx_has(uint32_t v, uint32_t flags)
{
	return (v & flags) == flags;
}

/* LSOv2 value; ipv6 selects the ip_version bit.  mss / thoff masked. */
static inline uint32_t
rndis_lso_v2_make(uint32_t mss, uint32_t thoff, bool ipv6)
{
	return (mss & RNDIS_LSO_MSS_MASK) |
	       ((thoff << RNDIS_LSO_THOFF_SHIFT) & RNDIS_LSO_THOFF_MASK) |
	       RNDIS_LSO_V2 | (ipv6 ? RNDIS_LSO_V2_IPV6 : 0);
}

/* LSOv1 value (type bit clear, IPv4 only). */
static inline uint32_t
rndis_lso_v1_make(uint32_t mss, uint32_t thoff)
{
	return (mss & RNDIS_LSO_MSS_MASK) |
	       ((thoff << RNDIS_LSO_THOFF_SHIFT) & RNDIS_LSO_THOFF_MASK);
}

/* LSO: true for LSOv2, false for LSOv1. */
static inline bool
rndis_lso_is_v2(uint32_t v)
{
	return (v & RNDIS_LSO_V2) != 0;
}

/* LSOv2: true when the frame is IPv6 (meaningless for LSOv1). */
static inline bool
rndis_lso_v2_is_ipv6(uint32_t v)
{
	return (v & RNDIS_LSO_V2_IPV6) != 0;
}

/* LSO: maximum segment size. */
static inline uint32_t
rndis_lso_mss(uint32_t v)
{
	return v & RNDIS_LSO_MSS_MASK;
}

/* LSO: TCP header offset from the L2 start. */
static inline uint32_t
rndis_lso_thoff(uint32_t v)
{
	return (v & RNDIS_LSO_THOFF_MASK) >> RNDIS_LSO_THOFF_SHIFT;
}

/* 802.1Q info value from priority (3 bits), DEI/CFI (1 bit), VLAN id. */
static inline uint32_t
rndis_vlan_info_make(uint32_t prio, uint32_t dei, uint32_t vid)
{
	return (prio & RNDIS_VLAN_PRIO_MASK) | (dei ? RNDIS_VLAN_DEI : 0) |
	       ((vid << RNDIS_VLAN_VID_SHIFT) & RNDIS_VLAN_VID_MASK);
}

/* 802.1Q info: priority (PCP). */
static inline uint32_t
rndis_vlan_info_prio(uint32_t v)
{
	return v & RNDIS_VLAN_PRIO_MASK;
}

/* 802.1Q info: DEI / CFI bit as 0 or 1. */
static inline uint32_t
rndis_vlan_info_dei(uint32_t v)
{
	return (v & RNDIS_VLAN_DEI) ? 1u : 0u;
}

/* 802.1Q info: VLAN id. */
static inline uint32_t
rndis_vlan_info_vid(uint32_t v)
{
	return (v & RNDIS_VLAN_VID_MASK) >> RNDIS_VLAN_VID_SHIFT;
}

/* 802.1Q info -> wire TCI (PCP << 13 | DEI << 12 | VID). */
static inline uint16_t
rndis_vlan_info_to_tci(uint32_t v)
{
	return (uint16_t)((rndis_vlan_info_prio(v) << 13) |
			  (rndis_vlan_info_dei(v) << 12) |
			  rndis_vlan_info_vid(v));
}

/* Wire TCI -> 802.1Q info value. */
static inline uint32_t
rndis_vlan_info_from_tci(uint16_t tci)
{
	return rndis_vlan_info_make((uint32_t)tci >> 13,
				    ((uint32_t)tci >> 12) & 1u,
				    (uint32_t)tci & 0xFFFu);
}

/* Hash info: hash function (RNDIS_HASH_FUNC_TOEPLITZ). */
static inline uint32_t
rndis_hash_info_func(uint32_t v)
{
	return v & RNDIS_HASH_FUNC_MASK;
}

/* Hash info: hash type bits (RNDIS_HASH_TCP_IPV4, ...). */
static inline uint32_t
rndis_hash_info_type(uint32_t v)
{
	return v & RNDIS_HASH_TYPE_MASK;
}

#endif /* SN_RNDIS_PPI_H */
