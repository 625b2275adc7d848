/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vsw_fdb.c - MAC learning table (vswitch/vsw_fdb.c).
 *
 * Also the drop-reason names of vswitch/vsw_drop.h (pure, no EAL).
 *
 * No wire vectors here: the FDB is host-internal state.  Expected values
 * come from the semantics in vsw_fdb.h (live for t <= now < t + age, limit
 * counts occupied slots, static entries never age or move).  The churn
 * tests compare every answer against a trivially correct reference model
 * (an array indexed by key number) under a deterministic PRNG.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vsw_drop.h"
#include "vsw_fdb.h"

#define T_AGE 1000u /* test lifetime, in abstract ticks */

/* Deterministic xorshift64* PRNG. */
static uint64_t
t_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* Locally administered unicast MAC 02:5e:<id big-endian 32 bits>. */
static void
t_mac(uint32_t id, uint8_t mac[VSW_ETH_ALEN])
{
	mac[0] = 0x02;
	mac[1] = 0x5e;
	mac[2] = (uint8_t)(id >> 24);
	mac[3] = (uint8_t)(id >> 16);
	mac[4] = (uint8_t)(id >> 8);
	mac[5] = (uint8_t)id;
}

static struct vsw_fdb *
t_fdb(uint32_t max, uint64_t age, uint32_t batch, uint64_t seed)
{
	struct vsw_fdb_cfg cfg = {
		.max_entries = max,
		.age = age,
		.age_batch = batch,
		.seed = seed,
	};
	struct vsw_fdb *fdb = vsw_fdb_create(&cfg);

	assert_non_null(fdb);
	return fdb;
}

static void
test_create_defaults(void **state)
{
	struct vsw_fdb_cfg bad = {
		.max_entries = VSW_FDB_MAX_ENTRIES_LIMIT + 1,
	};
	struct vsw_fdb_stats st;
	struct vsw_fdb *fdb;

	(void)state;
	fdb = vsw_fdb_create(NULL);
	assert_non_null(fdb);
	assert_int_equal(vsw_fdb_max_entries(fdb), 65536);
	assert_true(vsw_fdb_get_age(fdb) == 300ull * 1000000000ull);
	assert_int_equal(vsw_fdb_count(fdb), 0);
	/* 65,536 entries -> 131,072 slots of 24 bytes plus a header. */
	assert_true(vsw_fdb_memsize(NULL) > 131072u * 24u);
	assert_true(vsw_fdb_memsize(NULL) < 131072u * 24u + 4096u);
	vsw_fdb_stats_read(fdb, &st);
	assert_true(st.entries == 0 && st.learned == 0 && st.aged == 0);
	vsw_fdb_destroy(fdb);

	assert_int_equal(vsw_fdb_memsize(&bad), 0);
	errno = 0;
	assert_null(vsw_fdb_create(&bad));
	assert_int_equal(errno, EINVAL);
	vsw_fdb_destroy(NULL);

	/* set_age(0) restores the default. */
	fdb = t_fdb(8, 5, 0, 1);
	assert_true(vsw_fdb_get_age(fdb) == 5);
	vsw_fdb_set_age(fdb, 0);
	assert_true(vsw_fdb_get_age(fdb) == VSW_FDB_DEFAULT_AGE);
	vsw_fdb_destroy(fdb);
}

static void
test_init_caller_memory(void **state)
{
	struct vsw_fdb_cfg cfg = { .max_entries = 16, .age = T_AGE };
	size_t need = vsw_fdb_memsize(&cfg);
	uint64_t *mem;
	struct vsw_fdb *fdb;
	uint8_t mac[VSW_ETH_ALEN];

	(void)state;
	/* 16 entries -> the 64-slot minimum. */
	assert_true(need > 64u * 24u && need < 64u * 24u + 4096u);
	mem = malloc(need + 16);
	assert_non_null(mem);
	memset(mem, 0xa5, need + 16); /* init must not need zeroed memory */
	assert_null(vsw_fdb_init(NULL, need, &cfg));
	assert_null(vsw_fdb_init(mem, need - 1, &cfg));
	assert_null(vsw_fdb_init((char *)mem + 4, need, &cfg));
	fdb = vsw_fdb_init(mem, need, &cfg);
	assert_ptr_equal(fdb, mem);
	assert_int_equal(vsw_fdb_count(fdb), 0);
	t_mac(7, mac);
	assert_int_equal(vsw_fdb_lookup(fdb, mac, 0, 0), -ENOENT);
	assert_int_equal(vsw_fdb_learn(fdb, mac, 0, 3, 0), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_lookup(fdb, mac, 0, 1), 3);
	free(mem);
}

static void
test_learn_lookup_move(void **state)
{
	struct vsw_fdb *fdb = t_fdb(0, T_AGE, 0, 42);
	uint8_t a[VSW_ETH_ALEN], b[VSW_ETH_ALEN];
	struct vsw_fdb_stats st;

	(void)state;
	t_mac(1, a);
	t_mac(2, b);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, 0), -ENOENT);
	assert_int_equal(vsw_fdb_learn(fdb, a, 0, 1, 10), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_learn(fdb, b, 0, 2, 10), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, 11), 1);
	assert_int_equal(vsw_fdb_lookup(fdb, b, 0, 11), 2);
	assert_int_equal(vsw_fdb_count(fdb), 2);

	/* Same port again: refresh. */
	assert_int_equal(vsw_fdb_learn(fdb, a, 0, 1, 20), VSW_FDB_REFRESHED);
	/* Station moved (VM migrated to another port). */
	assert_int_equal(vsw_fdb_learn(fdb, a, 0, 7, 30), VSW_FDB_MOVED);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, 31), 7);
	assert_int_equal(vsw_fdb_count(fdb), 2);

	/* The VLAN is part of the key. */
	assert_int_equal(vsw_fdb_lookup(fdb, a, 5, 31), -ENOENT);
	assert_int_equal(vsw_fdb_learn(fdb, a, 5, 9, 31), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_learn(fdb, a, 4095, 10, 31), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 5, 32), 9);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 4095, 32), 10);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, 32), 7);
	/* Port ids use the full 16 bits. */
	assert_int_equal(vsw_fdb_learn(fdb, b, 9, 65535, 33), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_lookup(fdb, b, 9, 33), 65535);

	vsw_fdb_stats_read(fdb, &st);
	assert_int_equal(st.entries, 5);
	assert_int_equal(st.learned, 5);
	assert_int_equal(st.moves, 1);
	assert_int_equal(st.learn_full, 0);
	vsw_fdb_destroy(fdb);
}

static void
test_invalid_args(void **state)
{
	static const uint8_t bcast[VSW_ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	static const uint8_t mcast[VSW_ETH_ALEN] = {
		0x01, 0x00, 0x5e, 0x00, 0x00, 0x01
	};
	static const uint8_t v6mc[VSW_ETH_ALEN] = {
		0x33, 0x33, 0x00, 0x00, 0x00, 0x01
	};
	static const uint8_t zero[VSW_ETH_ALEN];
	struct vsw_fdb *fdb = t_fdb(0, T_AGE, 0, 1);
	uint8_t a[VSW_ETH_ALEN];

	(void)state;
	t_mac(1, a);
	assert_int_equal(vsw_fdb_learn(fdb, bcast, 0, 1, 0), -EINVAL);
	assert_int_equal(vsw_fdb_learn(fdb, mcast, 0, 1, 0), -EINVAL);
	assert_int_equal(vsw_fdb_learn(fdb, v6mc, 0, 1, 0), -EINVAL);
	assert_int_equal(vsw_fdb_learn(fdb, zero, 0, 1, 0), -EINVAL);
	assert_int_equal(vsw_fdb_learn(fdb, a, 4096, 1, 0), -EINVAL);
	assert_int_equal(vsw_fdb_learn(fdb, NULL, 0, 1, 0), -EINVAL);
	assert_int_equal(vsw_fdb_learn(NULL, a, 0, 1, 0), -EINVAL);
	assert_int_equal(vsw_fdb_lookup(fdb, bcast, 0, 0), -EINVAL);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 4096, 0), -EINVAL);
	assert_int_equal(vsw_fdb_lookup(NULL, a, 0, 0), -EINVAL);
	assert_int_equal(vsw_fdb_add_static(fdb, mcast, 0, 1, 0), -EINVAL);
	assert_int_equal(vsw_fdb_del(fdb, zero, 0), -EINVAL);
	assert_int_equal(vsw_fdb_del(fdb, a, 0), -ENOENT);
	assert_int_equal(vsw_fdb_count(fdb), 0);
	assert_int_equal(vsw_fdb_flush_port(NULL, 1), 0);
	assert_int_equal(vsw_fdb_age(NULL, 1), 0);
	assert_int_equal(vsw_fdb_count(NULL), 0);
	vsw_fdb_destroy(fdb);
}

static void
test_aging_exact(void **state)
{
	struct vsw_fdb *fdb = t_fdb(0, T_AGE, 0, 3);
	uint8_t a[VSW_ETH_ALEN], b[VSW_ETH_ALEN];
	struct vsw_fdb_stats st;

	(void)state;
	t_mac(1, a);
	t_mac(2, b);
	assert_int_equal(vsw_fdb_learn(fdb, a, 0, 1, 100), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_learn(fdb, b, 0, 2, 100), VSW_FDB_ADDED);
	/* Live for 100 <= now < 1100. */
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, 1099), 1);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, 1100), -ENOENT);
	/* Exact even before aging reclaims the slot. */
	assert_int_equal(vsw_fdb_count(fdb), 2);
	/* A refresh at 1050 extends b to 2050. */
	assert_int_equal(vsw_fdb_learn(fdb, b, 0, 2, 1050),
			 VSW_FDB_REFRESHED);
	assert_int_equal(vsw_fdb_lookup(fdb, b, 0, 2049), 2);
	assert_int_equal(vsw_fdb_lookup(fdb, b, 0, 2050), -ENOENT);
	/* A clock that goes backwards does not kill an entry. */
	assert_int_equal(vsw_fdb_lookup(fdb, b, 0, 0), 2);

	vsw_fdb_destroy(fdb);

	/*
	 * Reclaiming: a 16-entry table has 64 slots, so one call with the
	 * default batch (1024) sweeps all of it.  At 1099 nothing goes, at
	 * 1100 exactly a.
	 */
	fdb = t_fdb(16, T_AGE, 0, 3);
	assert_int_equal(vsw_fdb_learn(fdb, a, 0, 1, 100), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_learn(fdb, b, 0, 2, 600), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_age(fdb, 1099), 0);
	assert_int_equal(vsw_fdb_count(fdb), 2);
	assert_int_equal(vsw_fdb_age(fdb, 1100), 1);
	assert_int_equal(vsw_fdb_count(fdb), 1);
	assert_int_equal(vsw_fdb_lookup(fdb, b, 0, 1100), 2);
	assert_int_equal(vsw_fdb_age(fdb, 1600), 1);
	assert_int_equal(vsw_fdb_count(fdb), 0);
	vsw_fdb_stats_read(fdb, &st);
	assert_int_equal(st.aged, 2);

	/* Re-learning an expired, unreclaimed entry counts as new. */
	assert_int_equal(vsw_fdb_learn(fdb, a, 0, 1, 2000), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_learn(fdb, a, 0, 4, 3000), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, 3000), 4);
	vsw_fdb_stats_read(fdb, &st);
	assert_int_equal(st.moves, 0);
	assert_int_equal(st.learned, 4);

	/* AGE_NEVER: nothing expires, age() is a no-op. */
	vsw_fdb_set_age(fdb, VSW_FDB_AGE_NEVER);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, UINT64_MAX), 4);
	assert_int_equal(vsw_fdb_age(fdb, UINT64_MAX), 0);
	/* Shortening the age applies to existing entries at once. */
	vsw_fdb_set_age(fdb, 10);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, 3009), 4);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, 3010), -ENOENT);
	vsw_fdb_destroy(fdb);
}

static void
test_aging_incremental_bounded(void **state)
{
	/* 32 entries -> 64 slots; 8 slot examinations per call. */
	struct vsw_fdb *fdb = t_fdb(32, T_AGE, 8, 5);
	uint8_t mac[VSW_ETH_ALEN];
	uint32_t i, calls, total = 0, learned = 0;

	(void)state;
	for (i = 0; i < 20; i++) {
		t_mac(i, mac);
		if (vsw_fdb_learn(fdb, mac, 0, 1, 0) == VSW_FDB_ADDED) {
			learned++;
		}
	}
	assert_int_equal(learned, 20);
	/* A whole sweep while everything is live removes nothing. */
	for (calls = 0; calls < 8; calls++) {
		assert_int_equal(vsw_fdb_age(fdb, T_AGE - 1), 0);
	}
	assert_int_equal(vsw_fdb_count(fdb), 20);
	/*
	 * Everything expired: each call examines at most 8 slots, so removes
	 * at most 8; 64 slots plus one re-examination per removal is at most
	 * (64 + 20) / 8 -> 11 calls.
	 */
	for (calls = 0; calls < 11; calls++) {
		uint32_t r = vsw_fdb_age(fdb, T_AGE);

		assert_true(r <= 8);
		total += r;
	}
	assert_int_equal(total, 20);
	assert_int_equal(vsw_fdb_count(fdb), 0);
	vsw_fdb_destroy(fdb);
}

static void
test_limit(void **state)
{
	struct vsw_fdb *fdb = t_fdb(8, T_AGE, 0, 11);
	uint8_t mac[VSW_ETH_ALEN];
	struct vsw_fdb_stats st;
	uint32_t i;

	(void)state;
	for (i = 0; i < 8; i++) {
		t_mac(i, mac);
		assert_int_equal(vsw_fdb_learn(fdb, mac, 0, 1, 0),
				 VSW_FDB_ADDED);
	}
	t_mac(100, mac);
	assert_int_equal(vsw_fdb_learn(fdb, mac, 0, 1, 0), -ENOSPC);
	assert_int_equal(vsw_fdb_learn(fdb, mac, 0, 1, 1), -ENOSPC);
	assert_int_equal(vsw_fdb_lookup(fdb, mac, 0, 1), -ENOENT);
	assert_int_equal(vsw_fdb_add_static(fdb, mac, 0, 1, 1), -ENOSPC);
	vsw_fdb_stats_read(fdb, &st);
	assert_int_equal(st.learn_full, 2);
	assert_int_equal(st.learn_collide, 0);
	assert_int_equal(st.entries, 8);

	/* Existing entries still refresh and move when full. */
	t_mac(3, mac);
	assert_int_equal(vsw_fdb_learn(fdb, mac, 0, 1, 500),
			 VSW_FDB_REFRESHED);
	t_mac(4, mac);
	assert_int_equal(vsw_fdb_learn(fdb, mac, 0, 2, 500), VSW_FDB_MOVED);
	/* An expired-but-unreclaimed key may be re-learned in place. */
	t_mac(5, mac);
	assert_int_equal(vsw_fdb_learn(fdb, mac, 0, 1, T_AGE + 1),
			 VSW_FDB_ADDED);
	/* A new key must wait for aging to free a slot. */
	t_mac(100, mac);
	assert_int_equal(vsw_fdb_learn(fdb, mac, 0, 1, T_AGE + 1), -ENOSPC);
	/* 0,1,2,6,7 expire at T_AGE; 3,4 live to 1500, 5 to 2001. */
	assert_int_equal(vsw_fdb_age(fdb, T_AGE + 1), 5);
	assert_int_equal(vsw_fdb_count(fdb), 3);
	assert_int_equal(vsw_fdb_learn(fdb, mac, 0, 1, T_AGE + 1),
			 VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_lookup(fdb, mac, 0, T_AGE + 2), 1);
	vsw_fdb_destroy(fdb);
}

static void
test_flush_port(void **state)
{
	struct vsw_fdb *fdb = t_fdb(256, T_AGE, 0, 99);
	uint8_t mac[VSW_ETH_ALEN];
	struct vsw_fdb_stats st;
	uint32_t i, on2 = 0;

	(void)state;
	for (i = 0; i < 200; i++) {
		t_mac(i * 7919u, mac);
		assert_int_equal(vsw_fdb_learn(fdb, mac, (uint16_t)(i % 3),
					       (uint16_t)(i % 4), 0),
				 VSW_FDB_ADDED);
		on2 += (i % 4) == 2;
	}
	assert_int_equal(vsw_fdb_flush_port(fdb, 2), on2);
	assert_int_equal(vsw_fdb_count(fdb), 200 - on2);
	for (i = 0; i < 200; i++) {
		int want = (i % 4) == 2 ? -ENOENT : (int)(i % 4);

		t_mac(i * 7919u, mac);
		assert_int_equal(vsw_fdb_lookup(fdb, mac, (uint16_t)(i % 3),
						1),
				 want);
	}
	assert_int_equal(vsw_fdb_flush_port(fdb, 2), 0);
	assert_int_equal(vsw_fdb_flush_port(fdb, 9), 0);
	vsw_fdb_stats_read(fdb, &st);
	assert_int_equal(st.flushed, on2);
	assert_int_equal(vsw_fdb_flush_all(fdb), 200 - on2);
	assert_int_equal(vsw_fdb_count(fdb), 0);
	t_mac(0, mac);
	assert_int_equal(vsw_fdb_lookup(fdb, mac, 0, 1), -ENOENT);
	vsw_fdb_destroy(fdb);
}

static void
test_static(void **state)
{
	struct vsw_fdb *fdb = t_fdb(0, T_AGE, 0, 4);
	uint8_t a[VSW_ETH_ALEN], b[VSW_ETH_ALEN];
	struct vsw_fdb_entry e;
	struct vsw_fdb_stats st;
	uint32_t cur = 0;

	(void)state;
	t_mac(1, a);
	t_mac(2, b);
	assert_int_equal(vsw_fdb_add_static(fdb, a, 0, 3, 0), 0);
	assert_int_equal(vsw_fdb_learn(fdb, a, 0, 3, 5), VSW_FDB_REFRESHED);
	assert_int_equal(vsw_fdb_learn(fdb, a, 0, 4, 5), -EPERM);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, 5), 3);
	/* Never ages. */
	assert_int_equal(vsw_fdb_age(fdb, 100 * T_AGE), 0);
	assert_int_equal(vsw_fdb_lookup(fdb, a, 0, 100 * T_AGE), 3);
	/* Converting a learned entry to static. */
	assert_int_equal(vsw_fdb_learn(fdb, b, 0, 1, 0), VSW_FDB_ADDED);
	assert_int_equal(vsw_fdb_add_static(fdb, b, 0, 2, 10), 0);
	assert_int_equal(vsw_fdb_lookup(fdb, b, 0, 10 * T_AGE), 2);
	vsw_fdb_stats_read(fdb, &st);
	assert_int_equal(st.static_entries, 2);
	assert_int_equal(st.static_conflict, 1);
	assert_int_equal(st.entries, 2);

	assert_true(vsw_fdb_next(fdb, &cur, 10 * T_AGE, &e));
	assert_true(e.is_static);
	assert_true(vsw_fdb_next(fdb, &cur, 10 * T_AGE, &e));
	assert_true(e.is_static);
	assert_false(vsw_fdb_next(fdb, &cur, 10 * T_AGE, &e));

	assert_int_equal(vsw_fdb_del(fdb, b, 0), 0);
	assert_int_equal(vsw_fdb_lookup(fdb, b, 0, 0), -ENOENT);
	/* Port removal removes static entries too. */
	assert_int_equal(vsw_fdb_flush_port(fdb, 3), 1);
	vsw_fdb_stats_read(fdb, &st);
	assert_int_equal(st.static_entries, 0);
	assert_int_equal(st.entries, 0);
	vsw_fdb_destroy(fdb);
}

static void
test_iteration(void **state)
{
	struct vsw_fdb *fdb = t_fdb(0, T_AGE, 0, 77);
	uint8_t mac[VSW_ETH_ALEN];
	struct vsw_fdb_entry e;
	bool seen[6] = { false };
	uint32_t cur = 0, n = 0, i;

	(void)state;
	/* Key i: vlan i, port 10 + i, learned at 100 * i. */
	for (i = 0; i < 6; i++) {
		t_mac(0x1000 + i, mac);
		assert_int_equal(vsw_fdb_learn(fdb, mac, (uint16_t)i,
					       (uint16_t)(10 + i), 100 * i),
				 VSW_FDB_ADDED);
	}
	/* At 1050, key 0 (learned at 0) is expired and must be skipped. */
	while (vsw_fdb_next(fdb, &cur, 1050, &e)) {
		uint32_t k;

		assert_int_equal(e.mac[0], 0x02);
		assert_int_equal(e.mac[1], 0x5e);
		assert_int_equal(e.mac[2], 0);
		assert_int_equal(e.mac[3], 0);
		assert_int_equal(e.mac[4], 0x10);
		k = e.mac[5];
		assert_true(k >= 1 && k < 6);
		assert_false(seen[k]);
		seen[k] = true;
		assert_int_equal(e.vlan, k);
		assert_int_equal(e.port, 10 + k);
		assert_false(e.is_static);
		assert_true(e.age == 1050 - 100 * k);
		n++;
	}
	assert_int_equal(n, 5);
	assert_false(seen[0]);
	/* The end is sticky. */
	assert_false(vsw_fdb_next(fdb, &cur, 1050, &e));
	cur = 0;
	assert_false(vsw_fdb_next(NULL, &cur, 0, &e));
	assert_false(vsw_fdb_next(fdb, NULL, 0, &e));
	vsw_fdb_destroy(fdb);
}

/* Reference model for the churn tests: one record per key number. */
struct t_model {
	bool in;            /* learned and not deleted/flushed */
	uint16_t port;      /* port it was learned on */
	uint64_t last_seen; /* last learn/refresh */
};

static bool
t_live(const struct t_model *m, uint64_t now, uint64_t age)
{
	return m->in && now - m->last_seen < age;
}

/* Iterate the table and compare the live set with the model. */
static void
t_check_iter(struct vsw_fdb *fdb, const struct t_model *model,
	     uint32_t nkeys, uint64_t now, uint64_t age, uint8_t *seen)
{
	struct vsw_fdb_entry e;
	uint32_t cur = 0, n = 0, live = 0, k;

	memset(seen, 0, nkeys);
	while (vsw_fdb_next(fdb, &cur, now, &e)) {
		k = ((uint32_t)e.mac[2] << 24) | ((uint32_t)e.mac[3] << 16) |
		    ((uint32_t)e.mac[4] << 8) | e.mac[5];
		assert_true(k < nkeys);
		assert_false(seen[k]);
		seen[k] = 1;
		assert_true(t_live(&model[k], now, age));
		assert_int_equal(e.port, model[k].port);
		assert_int_equal(e.vlan, k % 3);
		assert_true(e.age == now - model[k].last_seen);
		n++;
	}
	for (k = 0; k < nkeys; k++) {
		live += t_live(&model[k], now, age);
	}
	assert_int_equal(n, live);
	assert_true(vsw_fdb_count(fdb) >= live);
	assert_true(vsw_fdb_count(fdb) <= vsw_fdb_max_entries(fdb));
}

/* One learn against the model. */
static void
t_churn_learn(struct vsw_fdb *fdb, struct t_model *m, const uint8_t *mac,
	      uint16_t vlan, uint16_t port, uint64_t now, uint64_t age)
{
	struct vsw_fdb_stats before, after;
	int r;

	vsw_fdb_stats_read(fdb, &before);
	r = vsw_fdb_learn(fdb, mac, vlan, port, now);
	vsw_fdb_stats_read(fdb, &after);
	if (t_live(m, now, age)) {
		assert_int_equal(r, m->port == port ? VSW_FDB_REFRESHED
						    : VSW_FDB_MOVED);
	} else if (r == -ENOSPC) {
		/* Either the limit or the probe window, and counted. */
		assert_true((before.entries >= vsw_fdb_max_entries(fdb) &&
			     after.learn_full == before.learn_full + 1) ||
			    after.learn_collide == before.learn_collide + 1);
		m->in = false;
		return;
	} else {
		assert_int_equal(r, VSW_FDB_ADDED);
	}
	m->in = true;
	m->port = port;
	m->last_seen = now;
}

/*
 * Random learn/lookup/del/flush/age/time-advance against the model.
 * nkeys > max_entries keeps the table at its limit most of the time.
 */
static void
t_churn(uint32_t max, uint32_t nkeys, uint32_t ops, uint32_t batch,
	uint64_t seed)
{
	struct vsw_fdb *fdb = t_fdb(max, T_AGE, batch, seed);
	struct t_model *model = calloc(nkeys, sizeof(*model));
	uint8_t *seen = malloc(nkeys);
	uint64_t rng = seed | 1, now = 1;
	uint8_t mac[VSW_ETH_ALEN];
	uint32_t i, adds = 0;

	assert_non_null(model);
	assert_non_null(seen);
	for (i = 0; i < ops; i++) {
		uint64_t r = t_rand(&rng);
		uint32_t k = (uint32_t)(r >> 32) % nkeys;
		uint16_t port = (uint16_t)((r >> 8) % 6);
		uint16_t vlan = (uint16_t)(k % 3);
		uint32_t op = (uint32_t)(r % 100);
		struct t_model *m = &model[k];
		int got;

		t_mac(k, mac);
		if (op < 45) {
			t_churn_learn(fdb, m, mac, vlan, port, now, T_AGE);
			adds++;
		} else if (op < 80) {
			got = vsw_fdb_lookup(fdb, mac, vlan, now);
			assert_int_equal(got, t_live(m, now, T_AGE) ? m->port
								   : -ENOENT);
		} else if (op < 88) {
			got = vsw_fdb_del(fdb, mac, vlan);
			if (t_live(m, now, T_AGE)) {
				assert_int_equal(got, 0);
			} else if (!m->in) {
				assert_int_equal(got, -ENOENT);
			}
			m->in = false;
		} else if (op < 89) {
			uint32_t j, live = 0;

			for (j = 0; j < nkeys; j++) {
				if (t_live(&model[j], now, T_AGE) &&
				    model[j].port == port) {
					live++;
				}
			}
			assert_true(vsw_fdb_flush_port(fdb, port) >= live);
			for (j = 0; j < nkeys; j++) {
				if (model[j].port == port) {
					model[j].in = false;
				}
			}
		} else if (op < 97) {
			(void)vsw_fdb_age(fdb, now);
		} else {
			now += (r >> 16) % (T_AGE / 4);
		}
		if (i % 4096 == 0) {
			t_check_iter(fdb, model, nkeys, now, T_AGE, seen);
		}
	}
	t_check_iter(fdb, model, nkeys, now, T_AGE, seen);
	/* Everything expires; repeated aging reclaims every slot. */
	now += T_AGE;
	for (i = 0; i < 1u << 16 && vsw_fdb_count(fdb) != 0; i++) {
		(void)vsw_fdb_age(fdb, now);
	}
	assert_int_equal(vsw_fdb_count(fdb), 0);
	assert_true(adds > ops / 3);
	free(seen);
	free(model);
	vsw_fdb_destroy(fdb);
}

/* Tiny table: 64 slots, long clusters, wrap-around at the table end. */
static void
test_churn_small(void **state)
{
	(void)state;
	t_churn(32, 96, 300000, 8, 0x1234);
	t_churn(32, 40, 300000, 3, 0xfeed);
}

/* Default-sized table driven past its limit. */
static void
test_churn_large(void **state)
{
	struct vsw_fdb_stats st;
	struct vsw_fdb *fdb;
	uint8_t mac[VSW_ETH_ALEN];
	uint32_t i, ok = 0;

	(void)state;
	t_churn(4096, 6000, 400000, 256, 0xabcdef);

	/* Fill 65,536 entries: at load 0.5 no probe window overflows. */
	fdb = t_fdb(0, T_AGE, 0, 0x5eed);
	for (i = 0; i < 70000; i++) {
		t_mac(i * 2654435761u, mac);
		if (vsw_fdb_learn(fdb, mac, 0, (uint16_t)(i & 0xff), 0) ==
		    VSW_FDB_ADDED) {
			ok++;
		}
	}
	vsw_fdb_stats_read(fdb, &st);
	assert_int_equal(ok, 65536);
	assert_int_equal(st.learn_full, 70000 - 65536);
	assert_int_equal(st.learn_collide, 0);
	for (i = 0; i < 65536; i++) {
		t_mac(i * 2654435761u, mac);
		assert_int_equal(vsw_fdb_lookup(fdb, mac, 0, 1),
				 (int)(i & 0xff));
	}
	assert_int_equal(vsw_fdb_flush_port(fdb, 0), 256);
	assert_int_equal(vsw_fdb_count(fdb), 65536 - 256);
	vsw_fdb_destroy(fdb);
}

/* vsw_drop.h: names are unique, round-trip, and stable for scripts. */
static void
test_drop_names(void **state)
{
	int r, q;

	(void)state;
	for (r = 0; r < VSW_DROP_MAX; r++) {
		const char *n = vsw_drop_name((enum vsw_drop_reason)r);

		assert_non_null(n);
		assert_true(strlen(n) > 0);
		assert_int_equal(vsw_drop_from_name(n), r);
		assert_string_not_equal(vsw_drop_desc((enum vsw_drop_reason)r),
					"unknown");
		for (q = 0; q < r; q++) {
			assert_string_not_equal(
				n, vsw_drop_name((enum vsw_drop_reason)q));
		}
	}
	assert_string_equal(vsw_drop_name(VSW_DROP_LOOP), "same-port");
	assert_string_equal(vsw_drop_name(VSW_DROP_FILTER), "packet-filter");
	assert_string_equal(vsw_drop_name(VSW_DROP_SPOOF), "mac-spoofing");
	assert_int_equal(vsw_drop_from_name("mtu"), VSW_DROP_MTU);
	assert_int_equal(vsw_drop_from_name("no-rxbuf"), VSW_DROP_NO_RXBUF);
	assert_string_equal(vsw_drop_name(VSW_DROP_MAX), "unknown");
	assert_string_equal(vsw_drop_name((enum vsw_drop_reason)-1),
			    "unknown");
	assert_int_equal(vsw_drop_from_name("MTU"), -ENOENT);
	assert_int_equal(vsw_drop_from_name(""), -ENOENT);
	assert_int_equal(vsw_drop_from_name(NULL), -EINVAL);
	assert_int_equal(VSW_DROP_MAX, 17);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_defaults),
		cmocka_unit_test(test_init_caller_memory),
		cmocka_unit_test(test_learn_lookup_move),
		cmocka_unit_test(test_invalid_args),
		cmocka_unit_test(test_aging_exact),
		cmocka_unit_test(test_aging_incremental_bounded),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_flush_port),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_iteration),
		cmocka_unit_test(test_churn_small),
		cmocka_unit_test(test_churn_large),
		cmocka_unit_test(test_drop_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
