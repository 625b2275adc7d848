/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_stat.h - single-writer 64-bit counters.
 *
 * Every vswitch counter has exactly one writer: the lcore that serves the
 * switch.  The control thread only reads.  A writer therefore needs no
 * read-modify-write atomic: it loads its own value and stores the sum.  The
 * relaxed atomic store pairs with the relaxed atomic load in vsw_stat_read(),
 * which guarantees the reader never sees a torn (half-written) value on any
 * architecture; on x86-64 both compile to plain aligned moves.  Readers get
 * no ordering between different counters (a snapshot may be slightly
 * inconsistent, e.g. packets updated but not yet bytes); that is accepted.
 *
 * Pure C, no DPDK.
 */
#ifndef VSW_STAT_H
#define VSW_STAT_H

#include <stdint.h>

/* Add v to a counter.  Writer side: only the owning lcore may call this. */
static inline void
vsw_stat_add(uint64_t *ctr, uint64_t v)
{
	uint64_t cur = __atomic_load_n(ctr, __ATOMIC_RELAXED);

	/* Pairs with the relaxed load in vsw_stat_read(). */
	__atomic_store_n(ctr, cur + v, __ATOMIC_RELAXED);
}

/* Overwrite a counter (gauges such as "entries").  Writer side only. */
static inline void
vsw_stat_set(uint64_t *ctr, uint64_t v)
{
	/* Pairs with the relaxed load in vsw_stat_read(). */
	__atomic_store_n(ctr, v, __ATOMIC_RELAXED);
}

/* Read a counter from any thread. */
static inline uint64_t
vsw_stat_read(const uint64_t *ctr)
{
	/* Pairs with the relaxed store in vsw_stat_add()/vsw_stat_set(). */
	return __atomic_load_n(ctr, __ATOMIC_RELAXED);
}

#endif /* VSW_STAT_H */
