/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmq_toeplitz.c - Toeplitz RSS hash, reference and table-driven.
 */
#include <errno.h>
#include <string.h>

#include "sn_wire.h"
#include "vmq_toeplitz.h"

/* Number of key bits. */
#define VMQ_KEY_BITS (VMQ_TOEPLITZ_KEY_LEN * 8)

/*
 * The 32 key bits starting at bit position pos (bit 0 = MSB of key[0]).
 * pos + 31 must be < VMQ_KEY_BITS, which holds for every bit of an input
 * of at most VMQ_TOEPLITZ_MAX_INPUT bytes.
 */
static uint32_t
vmq_key_window(const uint8_t *key, unsigned int pos)
{
	uint32_t w = 0;
	unsigned int k;

	for (k = 0; k < 32; k++) {
		unsigned int idx = pos + k;

		w = (w << 1) | ((key[idx / 8] >> (7 - idx % 8)) & 1u);
	}
	return w;
}

uint32_t
vmq_toeplitz_hash(const uint8_t key[VMQ_TOEPLITZ_KEY_LEN],
		  const uint8_t *input, size_t len)
{
	uint32_t hash = 0;
	size_t i;
	unsigned int j;

	if (key == NULL || (input == NULL && len > 0) ||
	    len > VMQ_TOEPLITZ_MAX_INPUT) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		for (j = 0; j < 8; j++) {
			if (input[i] & (0x80u >> j)) {
				hash ^= vmq_key_window(key,
						       (unsigned int)i * 8 + j);
			}
		}
	}
	return hash;
}

int
vmq_toeplitz_init(struct vmq_toeplitz_ctx *ctx, const uint8_t *key,
		  size_t keylen)
{
	uint32_t w[8];
	unsigned int i, j, b;

	if (ctx == NULL || key == NULL || keylen != VMQ_TOEPLITZ_KEY_LEN) {
		return -EINVAL;
	}
	memcpy(ctx->key, key, VMQ_TOEPLITZ_KEY_LEN);
	for (i = 0; i < VMQ_TOEPLITZ_MAX_INPUT; i++) {
		/* w[j]: window for bit j of byte i, j 0 = MSB. */
		for (j = 0; j < 8; j++) {
			w[j] = vmq_key_window(ctx->key, i * 8 + j);
		}
		ctx->tbl[i][0] = 0;
		for (b = 1; b < 256; b++) {
			/* Lowest set bit p of b is input bit j = 7 - p. */
			unsigned int p = (unsigned int)__builtin_ctz(b);

			ctx->tbl[i][b] = ctx->tbl[i][b & (b - 1)] ^ w[7 - p];
		}
	}
	return 0;
}

uint32_t
vmq_toeplitz_hash_fast(const struct vmq_toeplitz_ctx *ctx,
		       const uint8_t *input, size_t len)
{
	uint32_t hash = 0;
	size_t i;

	if (ctx == NULL || (input == NULL && len > 0) ||
	    len > VMQ_TOEPLITZ_MAX_INPUT) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		hash ^= ctx->tbl[i][input[i]];
	}
	return hash;
}

size_t
vmq_toeplitz_tuple_v4(uint8_t out[VMQ_TOEPLITZ_V4_PORTS_LEN],
		      const uint8_t src[4], const uint8_t dst[4])
{
	if (out == NULL || src == NULL || dst == NULL) {
		return 0;
	}
	memcpy(out, src, 4);
	memcpy(out + 4, dst, 4);
	return VMQ_TOEPLITZ_V4_LEN;
}

size_t
vmq_toeplitz_tuple_v4_ports(uint8_t out[VMQ_TOEPLITZ_V4_PORTS_LEN],
			    const uint8_t src[4], const uint8_t dst[4],
			    uint16_t sport, uint16_t dport)
{
	if (vmq_toeplitz_tuple_v4(out, src, dst) == 0) {
		return 0;
	}
	sn_put_be16(out + 8, sport);
	sn_put_be16(out + 10, dport);
	return VMQ_TOEPLITZ_V4_PORTS_LEN;
}

size_t
vmq_toeplitz_tuple_v6(uint8_t out[VMQ_TOEPLITZ_V6_PORTS_LEN],
		      const uint8_t src[16], const uint8_t dst[16])
{
	if (out == NULL || src == NULL || dst == NULL) {
		return 0;
	}
	memcpy(out, src, 16);
	memcpy(out + 16, dst, 16);
	return VMQ_TOEPLITZ_V6_LEN;
}

size_t
vmq_toeplitz_tuple_v6_ports(uint8_t out[VMQ_TOEPLITZ_V6_PORTS_LEN],
			    const uint8_t src[16], const uint8_t dst[16],
			    uint16_t sport, uint16_t dport)
{
	if (vmq_toeplitz_tuple_v6(out, src, dst) == 0) {
		return 0;
	}
	sn_put_be16(out + 32, sport);
	sn_put_be16(out + 34, dport);
	return VMQ_TOEPLITZ_V6_PORTS_LEN;
}

uint32_t
vmq_toeplitz_hash_v4(const struct vmq_toeplitz_ctx *ctx,
		     const uint8_t src[4], const uint8_t dst[4])
{
	uint8_t in[VMQ_TOEPLITZ_V4_PORTS_LEN];
	size_t n = vmq_toeplitz_tuple_v4(in, src, dst);

	return n == 0 ? 0 : vmq_toeplitz_hash_fast(ctx, in, n);
}

uint32_t
vmq_toeplitz_hash_v4_ports(const struct vmq_toeplitz_ctx *ctx,
			   const uint8_t src[4], const uint8_t dst[4],
			   uint16_t sport, uint16_t dport)
{
	uint8_t in[VMQ_TOEPLITZ_V4_PORTS_LEN];
	size_t n = vmq_toeplitz_tuple_v4_ports(in, src, dst, sport, dport);

	return n == 0 ? 0 : vmq_toeplitz_hash_fast(ctx, in, n);
}

uint32_t
vmq_toeplitz_hash_v6(const struct vmq_toeplitz_ctx *ctx,
		     const uint8_t src[16], const uint8_t dst[16])
{
	uint8_t in[VMQ_TOEPLITZ_V6_PORTS_LEN];
	size_t n = vmq_toeplitz_tuple_v6(in, src, dst);

	return n == 0 ? 0 : vmq_toeplitz_hash_fast(ctx, in, n);
}

uint32_t
vmq_toeplitz_hash_v6_ports(const struct vmq_toeplitz_ctx *ctx,
			   const uint8_t src[16], const uint8_t dst[16],
			   uint16_t sport, uint16_t dport)
{
	uint8_t in[VMQ_TOEPLITZ_V6_PORTS_LEN];
	size_t n = vmq_toeplitz_tuple_v6_ports(in, src, dst, sport, dport);

	return n == 0 ? 0 : vmq_toeplitz_hash_fast(ctx, in, n);
}
