/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rndis_test_util.h - little-endian byte helpers shared by the RNDIS unit
 * tests (test_rndis_msg.c, test_rndis_ppi.c).
 */
#ifndef RNDIS_TEST_UTIL_H
#define RNDIS_TEST_UTIL_H

#include <stdint.h>

/* One little-endian u32 as four initializer bytes. */
#define LE32(x) \
	(uint8_t)((uint32_t)(x) & 0xFF), \
	(uint8_t)(((uint32_t)(x) >> 8) & 0xFF), \
	(uint8_t)(((uint32_t)(x) >> 16) & 0xFF), \
	(uint8_t)(((uint32_t)(x) >> 24) & 0xFF)

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#endif /* RNDIS_TEST_UTIL_H */
