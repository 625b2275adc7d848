/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_toeplitz.c - Toeplitz RSS hash: Microsoft verification vectors
 * through both implementations, randomized reference-vs-fast equivalence,
 * tuple layout and bad arguments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sn_wire.h"
#include "vmq_toeplitz.h"

/*
 * Verification key and vectors from the Microsoft RSS specification
 * ("Verifying the RSS Hash Calculation", learn.microsoft.com), as recorded
 * in /work/shared/reference/wire-facts.md section 7.  Also the default key
 * of many NIC drivers (e.g. DPDK rss_intel_key).
 */
static const uint8_t ms_key[VMQ_TOEPLITZ_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct tz_vec {
	int af;			/* AF_INET or AF_INET6 */
	const char *src;	/* source address, text */
	uint16_t sport;		/* source port */
	const char *dst;	/* destination address, text */
	uint16_t dport;		/* destination port */
	uint32_t h_ip;		/* expected hash, addresses only */
	uint32_t h_ports;	/* expected hash, addresses + ports */
};

static const struct tz_vec ms_vecs[] = {
	{ AF_INET, "66.9.149.187", 2794, "161.142.100.80", 1766,
	  0x323e8fc2, 0x51ccc178 },
	{ AF_INET, "199.92.111.2", 14230, "65.69.140.83", 4739,
	  0xd718262a, 0xc626b0ea },
	{ AF_INET, "24.19.198.95", 12898, "12.22.207.184", 38024,
	  0xd2d0a5de, 0x5c2b394a },
	{ AF_INET, "38.27.205.30", 48228, "209.142.163.6", 2217,
	  0x82989176, 0xafc7327f },
	{ AF_INET, "153.39.163.191", 44251, "202.188.127.2", 1303,
	  0x5d1809c5, 0x10e828a2 },
	{ AF_INET6, "3ffe:2501:200:1fff::7", 2794, "3ffe:2501:200:3::1", 1766,
	  0x2cc18cd5, 0x40207d3d },
	{ AF_INET6, "3ffe:501:8::260:97ff:fe40:efab", 14230, "ff02::1", 4739,
	  0x0f0c461c, 0xdde51bbf },
	{ AF_INET6, "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251,
	  "fe80::200:f8ff:fe21:67cf", 38024,
	  0x4b61e985, 0x02d1feef },
};

static struct vmq_toeplitz_ctx *
ctx_new(const uint8_t *key)
{
	struct vmq_toeplitz_ctx *ctx = malloc(sizeof(*ctx));

	assert_non_null(ctx);
	assert_int_equal(vmq_toeplitz_init(ctx, key, VMQ_TOEPLITZ_KEY_LEN), 0);
	return ctx;
}

/* All 16 vectors through the reference, the fast path and the helpers. */
static void
test_ms_vectors(void **state)
{
	struct vmq_toeplitz_ctx *ctx = ctx_new(ms_key);
	uint8_t in[VMQ_TOEPLITZ_MAX_INPUT];
	uint8_t s[16], d[16];
	size_t i, n, np;
	int checked = 0;

	(void)state;
	for (i = 0; i < SN_ARRAY_SIZE(ms_vecs); i++) {
		const struct tz_vec *v = &ms_vecs[i];

		assert_int_equal(inet_pton(v->af, v->src, s), 1);
		assert_int_equal(inet_pton(v->af, v->dst, d), 1);
		if (v->af == AF_INET) {
			n = vmq_toeplitz_tuple_v4(in, s, d);
			assert_int_equal(n, 8);
			assert_int_equal(vmq_toeplitz_hash_v4(ctx, s, d),
					 v->h_ip);
			assert_int_equal(vmq_toeplitz_hash_v4_ports(ctx, s, d,
					 v->sport, v->dport), v->h_ports);
		} else {
			n = vmq_toeplitz_tuple_v6(in, s, d);
			assert_int_equal(n, 32);
			assert_int_equal(vmq_toeplitz_hash_v6(ctx, s, d),
					 v->h_ip);
			assert_int_equal(vmq_toeplitz_hash_v6_ports(ctx, s, d,
					 v->sport, v->dport), v->h_ports);
		}
		assert_int_equal(vmq_toeplitz_hash(ms_key, in, n), v->h_ip);
		assert_int_equal(vmq_toeplitz_hash_fast(ctx, in, n), v->h_ip);
		checked++;

		if (v->af == AF_INET) {
			np = vmq_toeplitz_tuple_v4_ports(in, s, d, v->sport,
							 v->dport);
			assert_int_equal(np, 12);
		} else {
			np = vmq_toeplitz_tuple_v6_ports(in, s, d, v->sport,
							 v->dport);
			assert_int_equal(np, 36);
		}
		assert_int_equal(vmq_toeplitz_hash(ms_key, in, np),
				 v->h_ports);
		assert_int_equal(vmq_toeplitz_hash_fast(ctx, in, np),
				 v->h_ports);
		checked++;
	}
	assert_int_equal(checked, 16);
	free(ctx);
}

/* The tuple is src, dst, sport, dport, all big-endian. */
static void
test_tuple_layout(void **state)
{
	static const uint8_t exp4[12] = {
		66, 9, 149, 187, 161, 142, 100, 80,
		0x0a, 0xea, 0x06, 0xe6,	/* 2794, 1766 */
	};
	uint8_t s[16], d[16], out[36];
	size_t i;

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "66.9.149.187", s), 1);
	assert_int_equal(inet_pton(AF_INET, "161.142.100.80", d), 1);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(vmq_toeplitz_tuple_v4_ports(out, s, d, 2794, 1766),
			 12);
	assert_memory_equal(out, exp4, sizeof(exp4));
	assert_int_equal(out[12], 0xee);	/* nothing written past 12 */

	assert_int_equal(inet_pton(AF_INET6, "ff02::1", s), 1);
	assert_int_equal(inet_pton(AF_INET6, "fe80::2", d), 1);
	assert_int_equal(vmq_toeplitz_tuple_v6_ports(out, s, d, 0x1234,
						     0xabcd), 36);
	assert_int_equal(out[0], 0xff);
	assert_int_equal(out[1], 0x02);
	for (i = 2; i < 15; i++) {
		assert_int_equal(out[i], 0);
	}
	assert_int_equal(out[15], 0x01);
	assert_int_equal(out[16], 0xfe);
	assert_int_equal(out[31], 0x02);
	assert_int_equal(out[32], 0x12);
	assert_int_equal(out[33], 0x34);
	assert_int_equal(out[34], 0xab);
	assert_int_equal(out[35], 0xcd);
}

/* xorshift32 with a fixed seed: reproducible, no libc rand state. */
static uint32_t
rng_next(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static void
test_random_equivalence(void **state)
{
	struct vmq_toeplitz_ctx *ctx = malloc(sizeof(*ctx));
	uint8_t key[VMQ_TOEPLITZ_KEY_LEN];
	uint8_t in[VMQ_TOEPLITZ_MAX_INPUT];
	uint32_t seed = 0x5eed1234u;
	uint32_t ref, fast;
	int k, it, nonzero = 0;
	size_t i, len;

	(void)state;
	assert_non_null(ctx);
	for (k = 0; k < 16; k++) {
		for (i = 0; i < sizeof(key); i++) {
			key[i] = (uint8_t)rng_next(&seed);
		}
		assert_int_equal(vmq_toeplitz_init(ctx, key, sizeof(key)), 0);
		assert_memory_equal(ctx->key, key, sizeof(key));
		for (it = 0; it < 200; it++) {
			len = rng_next(&seed) % (VMQ_TOEPLITZ_MAX_INPUT + 1);
			for (i = 0; i < len; i++) {
				in[i] = (uint8_t)rng_next(&seed);
			}
			ref = vmq_toeplitz_hash(key, in, len);
			fast = vmq_toeplitz_hash_fast(ctx, in, len);
			assert_int_equal(ref, fast);
			nonzero += ref != 0;
		}
		/* Every single-bit input of the longest length, too. */
		for (i = 0; i < VMQ_TOEPLITZ_MAX_INPUT * 8; i++) {
			memset(in, 0, sizeof(in));
			in[i / 8] = (uint8_t)(0x80u >> (i % 8));
			assert_int_equal(vmq_toeplitz_hash(key, in, sizeof(in)),
				vmq_toeplitz_hash_fast(ctx, in, sizeof(in)));
		}
	}
	/* The comparison is not vacuous. */
	assert_true(nonzero > 3000);
	free(ctx);
}

/* Known single-bit values of the Microsoft key: bit 0 -> key[0..3]. */
static void
test_single_bit_windows(void **state)
{
	uint8_t in[VMQ_TOEPLITZ_MAX_INPUT] = { 0 };

	(void)state;
	in[0] = 0x80;
	assert_int_equal(vmq_toeplitz_hash(ms_key, in, 1), 0x6d5a56da);
	in[0] = 0x40;	/* window shifted left by one bit */
	assert_int_equal(vmq_toeplitz_hash(ms_key, in, 1), 0xdab4adb4);
	in[0] = 0;
	in[35] = 0x01;	/* last input bit: key bits 287..318 */
	assert_int_equal(vmq_toeplitz_hash(ms_key, in, 36),
			 (uint32_t)(((uint64_t)0x3bbeac01fau >> 1) &
				    0xffffffffu));
	assert_int_equal(vmq_toeplitz_hash(ms_key, in, 0), 0);
}

static void
test_bad_args(void **state)
{
	struct vmq_toeplitz_ctx *ctx = ctx_new(ms_key);
	struct vmq_toeplitz_ctx *ctx2 = malloc(sizeof(*ctx2));
	uint8_t in[VMQ_TOEPLITZ_MAX_INPUT + 1];
	uint8_t a[16] = { 1 }, out[36];

	(void)state;
	assert_non_null(ctx2);
	memset(in, 0xff, sizeof(in));
	/* Sanity: the all-ones 36-byte input hashes to nonzero. */
	assert_int_not_equal(vmq_toeplitz_hash(ms_key, in, 36), 0);
	assert_int_equal(vmq_toeplitz_hash(ms_key, in, 37), 0);
	assert_int_equal(vmq_toeplitz_hash_fast(ctx, in, 37), 0);
	assert_int_equal(vmq_toeplitz_hash(NULL, in, 8), 0);
	assert_int_equal(vmq_toeplitz_hash(ms_key, NULL, 8), 0);
	assert_int_equal(vmq_toeplitz_hash(ms_key, NULL, 0), 0);
	assert_int_equal(vmq_toeplitz_hash_fast(NULL, in, 8), 0);
	assert_int_equal(vmq_toeplitz_hash_fast(ctx, NULL, 8), 0);

	memset(ctx2, 0x5a, sizeof(*ctx2));
	assert_int_equal(vmq_toeplitz_init(ctx2, ms_key, 39), -EINVAL);
	assert_int_equal(vmq_toeplitz_init(ctx2, ms_key, 41), -EINVAL);
	assert_int_equal(vmq_toeplitz_init(ctx2, ms_key, 0), -EINVAL);
	assert_int_equal(vmq_toeplitz_init(ctx2, NULL, 40), -EINVAL);
	assert_int_equal(vmq_toeplitz_init(NULL, ms_key, 40), -EINVAL);
	assert_int_equal(ctx2->key[0], 0x5a);	/* untouched on failure */

	assert_int_equal(vmq_toeplitz_tuple_v4(NULL, a, a), 0);
	assert_int_equal(vmq_toeplitz_tuple_v4(out, NULL, a), 0);
	assert_int_equal(vmq_toeplitz_tuple_v4_ports(out, a, NULL, 1, 2), 0);
	assert_int_equal(vmq_toeplitz_tuple_v6(out, NULL, a), 0);
	assert_int_equal(vmq_toeplitz_tuple_v6_ports(NULL, a, a, 1, 2), 0);
	assert_int_equal(vmq_toeplitz_hash_v4(ctx, NULL, a), 0);
	assert_int_equal(vmq_toeplitz_hash_v4_ports(NULL, a, a, 1, 2), 0);
	assert_int_equal(vmq_toeplitz_hash_v6(ctx, a, NULL), 0);
	assert_int_equal(vmq_toeplitz_hash_v6_ports(NULL, a, a, 1, 2), 0);
	free(ctx2);
	free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ms_vectors),
		cmocka_unit_test(test_tuple_layout),
		cmocka_unit_test(test_random_equivalence),
		cmocka_unit_test(test_single_bit_windows),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
