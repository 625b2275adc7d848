/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sn_wire.h - helpers shared by every wire codec.
 *
 * Everything on the wire (VMBus, NVSP, RNDIS, NDIS) is little-endian.  The
 * codecs never cast a guest buffer to a struct pointer and dereference it:
 * they copy bytes out (memcpy) and convert with these helpers, so unaligned
 * buffers and big-endian hosts are both handled.  Network-order (big-endian)
 * helpers are for packet headers (offload/).
 */
#ifndef SN_WIRE_H
#define SN_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SN_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
/* Assert the size of a wire struct next to its definition. */
#define SN_WIRE_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), #type " must be " #size " bytes")
/* Assert the offset of a key field of a wire struct. */
#define SN_WIRE_OFFSET(type, field, off) \
	_Static_assert(offsetof(type, field) == (off), \
		       #type "." #field " must be at offset " #off)

#define SN_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SN_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define SN_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SN_MAX(a, b) ((a) > (b) ? (a) : (b))

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define SN_BIG_ENDIAN 1
#else
#define SN_BIG_ENDIAN 0
#endif

static inline uint16_t
sn_bswap16(uint16_t v)
{
	return __builtin_bswap16(v);
}

static inline uint32_t
sn_bswap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static inline uint64_t
sn_bswap64(uint64_t v)
{
	return __builtin_bswap64(v);
}

/* Little-endian loads/stores from/to possibly unaligned byte buffers. */
static inline uint16_t
sn_get_le16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return SN_BIG_ENDIAN ? sn_bswap16(v) : v;
}

static inline uint32_t
sn_get_le32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return SN_BIG_ENDIAN ? sn_bswap32(v) : v;
}

static inline uint64_t
sn_get_le64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return SN_BIG_ENDIAN ? sn_bswap64(v) : v;
}

static inline void
sn_put_le16(void *p, uint16_t v)
{
	v = SN_BIG_ENDIAN ? sn_bswap16(v) : v;
	memcpy(p, &v, sizeof(v));
}

static inline void
sn_put_le32(void *p, uint32_t v)
{
	v = SN_BIG_ENDIAN ? sn_bswap32(v) : v;
	memcpy(p, &v, sizeof(v));
}

static inline void
sn_put_le64(void *p, uint64_t v)
{
	v = SN_BIG_ENDIAN ? sn_bswap64(v) : v;
	memcpy(p, &v, sizeof(v));
}

/* Network-order (big-endian) loads/stores, for packet headers. */
static inline uint16_t
sn_get_be16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return SN_BIG_ENDIAN ? v : sn_bswap16(v);
}

static inline uint32_t
sn_get_be32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return SN_BIG_ENDIAN ? v : sn_bswap32(v);
}

static inline void
sn_put_be16(void *p, uint16_t v)
{
	v = SN_BIG_ENDIAN ? v : sn_bswap16(v);
	memcpy(p, &v, sizeof(v));
}

static inline void
sn_put_be32(void *p, uint32_t v)
{
	v = SN_BIG_ENDIAN ? v : sn_bswap32(v);
	memcpy(p, &v, sizeof(v));
}

/*
 * Bounds check that cannot overflow: true when [off, off + n) lies inside a
 * buffer of len bytes.  Use this for every peer-supplied offset/length pair.
 */
static inline int
sn_range_ok(uint64_t off, uint64_t n, uint64_t len)
{
	return off <= len && n <= len - off;
}

#endif /* SN_WIRE_H */
