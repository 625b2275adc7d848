/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_fdb.h - MAC learning table (forwarding database) of one switch.
 *
 * Maps (MAC, VLAN id) to a port id.  Pure C: no DPDK, no I/O, no locks, and
 * no allocation after creation.  Time is whatever monotonic u64 the caller
 * passes as `now`; ages and the default (300 s) are in the same unit, which
 * the switch uses as nanoseconds.
 *
 * Threading: a table belongs to the lcore that serves its switch; every
 * function except vsw_fdb_stats_read() must be called from that lcore (or
 * while no lcore serves the switch).  vsw_fdb_stats_read() may be called
 * from any thread (single-writer counters, see vsw_stat.h).
 *
 * Semantics:
 * - An entry learned or refreshed at time t is live for t <= now < t + age
 *   and expired from now >= t + age.  Lookups and iteration are exact: they
 *   never return an expired entry, whether or not vsw_fdb_age() has
 *   reclaimed its slot yet.  Static entries never expire.
 * - At most max_entries entries (dynamic + static, live + expired but not
 *   yet reclaimed) occupy the table.  When it is full, learning a NEW key
 *   fails (-ENOSPC, counted in learn_full); existing keys still refresh and
 *   move.  Reclaiming expired slots is the job of vsw_fdb_age(), which does
 *   bounded work per call; call it periodically (the switch does every
 *   1 ms).
 * - Implementation: open addressing, linear probing with backward-shift
 *   deletion (no tombstones), capacity >= 2 * max_entries, and a hard probe
 *   bound VSW_FDB_MAX_PROBE.  A key whose probe window is full cannot be
 *   learned (-ENOSPC, counted in learn_collide); the frame is flooded, which
 *   is what an unknown destination gets anyway.  The hash is seeded so a
 *   guest cannot choose colliding MACs without knowing the seed.
 */
#ifndef VSW_FDB_H
#define VSW_FDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes in a MAC address. */
#define VSW_ETH_ALEN 6
/* Largest VLAN id an FDB key holds (12 bits); 0 means untagged.  (Not
 * VSW_VLAN_ID_MAX of vsw_policy_cfg.h, the largest valid 802.1Q id.) */
#define VSW_FDB_VLAN_MAX 4095

/* Default entry limit. */
#define VSW_FDB_DEFAULT_MAX_ENTRIES 65536u
/* Largest accepted entry limit. */
#define VSW_FDB_MAX_ENTRIES_LIMIT (1u << 22)
/* Default age, in caller time units (nanoseconds: 300 s). */
#define VSW_FDB_DEFAULT_AGE (300ull * 1000000000ull)
/* Age value meaning "entries never expire". */
#define VSW_FDB_AGE_NEVER UINT64_MAX
/* Default number of slots vsw_fdb_age() examines per call. */
#define VSW_FDB_DEFAULT_AGE_BATCH 1024u
/* Longest probe sequence (slots) of a lookup or insertion. */
#define VSW_FDB_MAX_PROBE 32u

/* Opaque table. */
struct vsw_fdb;

/* Creation parameters.  A zeroed struct (or NULL) selects every default. */
struct vsw_fdb_cfg {
	uint32_t max_entries; /* entry limit; 0 = default 65,536 */
	uint32_t age_batch;   /* slots examined per vsw_fdb_age(); 0 = 1024 */
	uint64_t age;         /* entry lifetime; 0 = default, AGE_NEVER */
	uint64_t seed;        /* hash seed (use a random value); 0 = fixed */
};

/*
 * Counters.  `entries` and `static_entries` are gauges; everything else
 * only grows.
 */
struct vsw_fdb_stats {
	uint64_t entries;         /* occupied slots (incl. expired unreaped) */
	uint64_t static_entries;  /* of which static */
	uint64_t learned;         /* new entries created by learning */
	uint64_t moves;           /* learned key seen on a different port */
	uint64_t learn_full;      /* new key refused: table at max_entries */
	uint64_t learn_collide;   /* new key refused: probe window full */
	uint64_t static_conflict; /* learning tried to move a static entry */
	uint64_t aged;            /* expired entries reclaimed */
	uint64_t flushed;         /* entries removed by flush_port/del */
};

/* One entry, as reported by vsw_fdb_next(). */
struct vsw_fdb_entry {
	uint8_t mac[VSW_ETH_ALEN]; /* station MAC address */
	uint16_t vlan;             /* VLAN id, 0..4095 */
	uint16_t port;             /* port id the station is behind */
	bool is_static;            /* configured, never ages */
	uint64_t age;              /* now - last refresh (0 if now < it) */
};

/* Positive results of vsw_fdb_learn(). */
enum vsw_fdb_learn_result {
	VSW_FDB_REFRESHED = 0, /* key known on this port; timestamp renewed */
	VSW_FDB_ADDED = 1,     /* new entry (or an expired one re-learned) */
	VSW_FDB_MOVED = 2,     /* key moved from another port to this one */
};

/*
 * Bytes of memory a table with this configuration needs (header + slots,
 * 64-byte alignment suffices).  Returns 0 if cfg is invalid (max_entries
 * above VSW_FDB_MAX_ENTRIES_LIMIT).  cfg may be NULL.
 */
size_t
vsw_fdb_memsize(const struct vsw_fdb_cfg *cfg);

/*
 * Build a table in caller memory (e.g. NUMA-local hugepage memory).
 * mem: at least vsw_fdb_memsize(cfg) bytes, 8-byte aligned; need not be
 * zeroed.  The table lives inside mem and the caller keeps ownership:
 * release mem itself when done, never call vsw_fdb_destroy() on it.
 * Returns the table (== mem) or NULL if mem/len/cfg are invalid.
 */
struct vsw_fdb *
vsw_fdb_init(void *mem, size_t len, const struct vsw_fdb_cfg *cfg);

/*
 * Allocate (malloc) and build a table.  cfg may be NULL.  Returns an owned
 * table to release with vsw_fdb_destroy(), or NULL with errno set (EINVAL,
 * ENOMEM).
 */
struct vsw_fdb *
vsw_fdb_create(const struct vsw_fdb_cfg *cfg);

/* Free a table from vsw_fdb_create().  NULL is a no-op. */
void
vsw_fdb_destroy(struct vsw_fdb *fdb);

/*
 * Learn that `mac` on `vlan` was seen as a source on `port` at `now`.
 * mac is borrowed (6 bytes).  Only unicast, non-zero MACs are learnable.
 * Returns a vsw_fdb_learn_result (>= 0), or:
 *   -EINVAL  NULL argument, multicast/broadcast/zero MAC, vlan > 4095
 *   -ENOSPC  new key and the table is full or the probe window is full
 *   -EPERM   the key has a static entry on another port (not moved)
 */
int
vsw_fdb_learn(struct vsw_fdb *fdb, const uint8_t *mac, uint16_t vlan,
	      uint16_t port, uint64_t now);

/*
 * Port behind (mac, vlan) at time `now`.  mac is borrowed.
 * Returns the port id (>= 0), or -ENOENT if unknown or expired, -EINVAL for
 * bad arguments.
 */
int
vsw_fdb_lookup(const struct vsw_fdb *fdb, const uint8_t *mac, uint16_t vlan,
	       uint64_t now);

/*
 * Add or replace a static entry (never ages, never moved by learning).
 * Returns 0, -EINVAL (as for learn), -ENOSPC (table/probe window full).
 */
int
vsw_fdb_add_static(struct vsw_fdb *fdb, const uint8_t *mac, uint16_t vlan,
		   uint16_t port, uint64_t now);

/* Remove one entry (static or not).  Returns 0, -ENOENT or -EINVAL. */
int
vsw_fdb_del(struct vsw_fdb *fdb, const uint8_t *mac, uint16_t vlan);

/*
 * Remove every entry (static included) that points to `port`, e.g. when
 * the port leaves the switch.  Scans the whole table.  Returns the number
 * of entries removed.
 */
uint32_t
vsw_fdb_flush_port(struct vsw_fdb *fdb, uint16_t port);

/* Remove every entry.  Returns the number removed. */
uint32_t
vsw_fdb_flush_all(struct vsw_fdb *fdb);

/*
 * Incremental aging: examine at most age_batch slots, continuing where the
 * previous call stopped, and reclaim the expired entries among them.
 * A full sweep takes capacity / age_batch calls (capacity = 2 *
 * max_entries rounded up to a power of two).  Returns entries reclaimed.
 */
uint32_t
vsw_fdb_age(struct vsw_fdb *fdb, uint64_t now);

/* Change the entry lifetime (0 = default, VSW_FDB_AGE_NEVER).  Takes effect
 * at once for every dynamic entry. */
void
vsw_fdb_set_age(struct vsw_fdb *fdb, uint64_t age);

/* Current entry lifetime. */
uint64_t
vsw_fdb_get_age(const struct vsw_fdb *fdb);

/*
 * Iterate live entries ("fdb show").  Start with *cursor = 0; each call
 * fills *out with the next live entry at `now` and returns true, or returns
 * false at the end.  Order is table order (unsorted).  The table must not
 * be modified during an iteration (learn/age/del/flush); if it is, entries
 * may be skipped or repeated but nothing unsafe happens.
 */
bool
vsw_fdb_next(const struct vsw_fdb *fdb, uint32_t *cursor, uint64_t now,
	     struct vsw_fdb_entry *out);

/* Occupied entries (dynamic + static, including expired not reclaimed). */
uint32_t
vsw_fdb_count(const struct vsw_fdb *fdb);

/* Configured entry limit. */
uint32_t
vsw_fdb_max_entries(const struct vsw_fdb *fdb);

/* Copy the counters; callable from any thread. */
void
vsw_fdb_stats_read(const struct vsw_fdb *fdb, struct vsw_fdb_stats *out);

#endif /* VSW_FDB_H */
