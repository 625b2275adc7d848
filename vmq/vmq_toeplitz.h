/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmq_toeplitz.h - Toeplitz RSS hash (Microsoft RSS specification).
 *
 * The hash is defined over a 40-byte secret key and an input of at most
 * 36 bytes in network order (IPv4: src, dst [, sport, dport] = 8 or 12
 * bytes; IPv6: src, dst [, sport, dport] = 32 or 36 bytes).  For every
 * input bit, most significant bit of the first byte first, the 32-bit
 * window of the key that starts at that bit position is XORed into the
 * result when the bit is set.  36 bytes is the longest input for which a
 * full 32-bit window still exists in a 40-byte key.
 *
 * Two implementations with identical results:
 *  - vmq_toeplitz_hash(): bitwise reference, no set-up, slow.
 *  - vmq_toeplitz_ctx + vmq_toeplitz_hash_fast(): one 256-entry table per
 *    input byte position, precomputed once per key by vmq_toeplitz_init();
 *    a hash is then one lookup and one XOR per input byte.
 *
 * No allocation, no global state: the caller owns the context (about
 * 36 KiB; do not put it on a small stack).  A context is read-only after
 * vmq_toeplitz_init() and may be shared between lcores.
 */
#ifndef VMQ_TOEPLITZ_H
#define VMQ_TOEPLITZ_H

#include <stddef.h>
#include <stdint.h>

/* Secret key length the RSS specification (and Hyper-V vRSS) uses. */
#define VMQ_TOEPLITZ_KEY_LEN 40
/* Longest input a 40-byte key can hash: 40 - 4 bytes. */
#define VMQ_TOEPLITZ_MAX_INPUT 36

/* Input lengths of the standard tuples. */
#define VMQ_TOEPLITZ_V4_LEN 8		/* IPv4 src, dst */
#define VMQ_TOEPLITZ_V4_PORTS_LEN 12	/* IPv4 src, dst, sport, dport */
#define VMQ_TOEPLITZ_V6_LEN 32		/* IPv6 src, dst */
#define VMQ_TOEPLITZ_V6_PORTS_LEN 36	/* IPv6 src, dst, sport, dport */

/* Per-key precomputed tables for the fast variant. */
struct vmq_toeplitz_ctx {
	/*
	 * tbl[i][b]: contribution of byte value b at input position i, i.e.
	 * the XOR of the key windows at bit positions 8*i + j for every bit j
	 * set in b (bit 7 = j 0).
	 */
	uint32_t tbl[VMQ_TOEPLITZ_MAX_INPUT][256];
	/* Copy of the key the tables were built from. */
	uint8_t key[VMQ_TOEPLITZ_KEY_LEN];
};

/*
 * Reference hash: borrows key (40 bytes) and input (len bytes), keeps
 * nothing.  Returns the hash, or 0 when key is NULL, input is NULL with
 * len > 0, or len > VMQ_TOEPLITZ_MAX_INPUT (0 is also a legitimate hash
 * value, e.g. for an empty input; callers validate lengths beforehand).
 */
uint32_t
vmq_toeplitz_hash(const uint8_t key[VMQ_TOEPLITZ_KEY_LEN],
		  const uint8_t *input, size_t len);

/*
 * Build the lookup tables of ctx from key (keylen must be 40).  Borrows
 * key (copied into ctx).  Returns 0, or -EINVAL on a NULL pointer or a
 * key length other than VMQ_TOEPLITZ_KEY_LEN (ctx is left untouched).
 */
int
vmq_toeplitz_init(struct vmq_toeplitz_ctx *ctx, const uint8_t *key,
		  size_t keylen);

/*
 * Fast hash with a context from vmq_toeplitz_init(); borrows ctx and
 * input.  Same result and same bad-argument behaviour (returns 0) as
 * vmq_toeplitz_hash().
 */
uint32_t
vmq_toeplitz_hash_fast(const struct vmq_toeplitz_ctx *ctx,
		       const uint8_t *input, size_t len);

/*
 * Tuple builders: write the hash input in network order into out and
 * return its length (8, 12, 32 or 36).  Addresses are byte arrays already
 * in network order (as they appear in the IP header); ports are host-order
 * integers (as read with sn_get_be16()).  Return 0 when a pointer is NULL.
 */
size_t
vmq_toeplitz_tuple_v4(uint8_t out[VMQ_TOEPLITZ_V4_PORTS_LEN],
		      const uint8_t src[4], const uint8_t dst[4]);
size_t
vmq_toeplitz_tuple_v4_ports(uint8_t out[VMQ_TOEPLITZ_V4_PORTS_LEN],
			    const uint8_t src[4], const uint8_t dst[4],
			    uint16_t sport, uint16_t dport);
size_t
vmq_toeplitz_tuple_v6(uint8_t out[VMQ_TOEPLITZ_V6_PORTS_LEN],
		      const uint8_t src[16], const uint8_t dst[16]);
size_t
vmq_toeplitz_tuple_v6_ports(uint8_t out[VMQ_TOEPLITZ_V6_PORTS_LEN],
			    const uint8_t src[16], const uint8_t dst[16],
			    uint16_t sport, uint16_t dport);

/*
 * Convenience: build the tuple and hash it with ctx (fast variant).
 * Borrows everything.  Return 0 on a NULL pointer.
 */
uint32_t
vmq_toeplitz_hash_v4(const struct vmq_toeplitz_ctx *ctx,
		     const uint8_t src[4], const uint8_t dst[4]);
uint32_t
vmq_toeplitz_hash_v4_ports(const struct vmq_toeplitz_ctx *ctx,
			   const uint8_t src[4], const uint8_t dst[4],
			   uint16_t sport, uint16_t dport);
uint32_t
vmq_toeplitz_hash_v6(const struct vmq_toeplitz_ctx *ctx,
		     const uint8_t src[16], const uint8_t dst[16]);
uint32_t
vmq_toeplitz_hash_v6_ports(const struct vmq_toeplitz_ctx *ctx,
			   const uint8_t src[16], const uint8_t dst[16],
			   uint16_t sport, uint16_t dport);

#endif /* VMQ_TOEPLITZ_H */
