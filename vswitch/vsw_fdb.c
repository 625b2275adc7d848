/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_fdb.c - MAC learning table: open addressing, linear probing,
 * backward-shift deletion, bounded probe window.  See vsw_fdb.h.
 *
 * Invariant (what makes lookups stop at the first empty slot): for every
 * entry stored at slot p whose home slot is h, every slot in [h, p) (mod
 * capacity) is occupied, and p - h < VSW_FDB_MAX_PROBE.  Insertion keeps it
 * by taking the first empty slot within the window; deletion keeps it by
 * shifting later entries of the cluster back into the hole when the hole
 * lies between their home and their slot.  No tombstones, so the table
 * never degrades under churn.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vsw_fdb.h"
#include "vsw_stat.h"

/* Bit set in every stored key, so an all-zero key means "empty slot". */
#define FDB_KEY_VALID (1ull << 63)
#define FDB_KEY_VLAN_SHIFT 48
#define FDB_KEY_MAC_MASK ((1ull << 48) - 1)
/* vsw_fdb_slot.flags: configured entry, never ages or moves. */
#define FDB_SLOT_STATIC 0x01u
/* "No slot" index. */
#define FDB_NONE UINT32_MAX
/* Smallest table; must exceed VSW_FDB_MAX_PROBE so a window never wraps
 * onto itself. */
#define FDB_MIN_CAPACITY 64u

_Static_assert(FDB_MIN_CAPACITY > VSW_FDB_MAX_PROBE,
	       "probe window must be smaller than the table");

/* One table slot (24 bytes). */
struct vsw_fdb_slot {
	uint64_t key;       /* FDB_KEY_VALID | vlan << 48 | mac; 0 = empty */
	uint64_t last_seen; /* time of the last learn/refresh */
	uint32_t home;      /* hash & mask: the slot probing starts at */
	uint16_t port;      /* port id the station is behind */
	uint8_t flags;      /* FDB_SLOT_* */
	uint8_t pad;        /* unused, zero */
};

/* The table: a header followed by the slot array, in one block. */
struct vsw_fdb {
	uint32_t mask;              /* capacity - 1 (capacity a power of 2) */
	uint32_t max_entries;       /* entry limit */
	uint32_t age_batch;         /* slots examined per vsw_fdb_age() */
	uint32_t age_cursor;        /* next slot vsw_fdb_age() examines */
	uint64_t age;               /* entry lifetime, VSW_FDB_AGE_NEVER */
	uint64_t seed_a;            /* hash key, mixed in before round 1 */
	uint64_t seed_b;            /* hash key, mixed in before round 2 */
	struct vsw_fdb_stats stats; /* counters (single writer) */
	struct vsw_fdb_slot slots[]; /* mask + 1 slots */
};

/* splitmix64 step: derives the two hash keys from the caller's seed. */
static uint64_t
fdb_splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Home slot of a key: a keyed variant of the murmur3 64-bit finalizer. */
static inline uint32_t
fdb_home(const struct vsw_fdb *fdb, uint64_t key)
{
	uint64_t h = key ^ fdb->seed_a;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h ^= fdb->seed_b;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h & fdb->mask;
}

/* Build a key; -EINVAL for NULL, vlan > 4095, group or all-zero MAC. */
static inline int
fdb_key(const uint8_t *mac, uint16_t vlan, uint64_t *key)
{
	uint64_t m = 0;
	unsigned int i;

	if (mac == NULL || vlan > VSW_FDB_VLAN_MAX || (mac[0] & 0x01) != 0) {
		return -EINVAL;
	}
	for (i = 0; i < VSW_ETH_ALEN; i++) {
		m = (m << 8) | mac[i];
	}
	if (m == 0) {
		return -EINVAL;
	}
	*key = FDB_KEY_VALID | ((uint64_t)vlan << FDB_KEY_VLAN_SHIFT) | m;
	return 0;
}

static inline bool
fdb_expired(const struct vsw_fdb *fdb, const struct vsw_fdb_slot *s,
	    uint64_t now)
{
	if ((s->flags & FDB_SLOT_STATIC) != 0 ||
	    fdb->age == VSW_FDB_AGE_NEVER) {
		return false;
	}
	/* A clock that went backwards makes an entry young, not dead. */
	return now >= s->last_seen && now - s->last_seen >= fdb->age;
}

/*
 * Slot index holding key, or FDB_NONE.  When absent, *empty receives the
 * first empty slot of the probe window (where the key belongs), or
 * FDB_NONE if the window is full.
 */
static uint32_t
fdb_find(const struct vsw_fdb *fdb, uint64_t key, uint32_t *home,
	 uint32_t *empty)
{
	uint32_t i = fdb_home(fdb, key);
	uint32_t d;

	*home = i;
	*empty = FDB_NONE;
	for (d = 0; d < VSW_FDB_MAX_PROBE; d++) {
		const struct vsw_fdb_slot *s = &fdb->slots[i];

		if (s->key == key) {
			return i;
		}
		if (s->key == 0) {
			*empty = i;
			return FDB_NONE;
		}
		i = (i + 1) & fdb->mask;
	}
	return FDB_NONE;
}

/* Fill an empty slot. */
static void
fdb_insert_at(struct vsw_fdb *fdb, uint32_t idx, uint64_t key, uint32_t home,
	      uint16_t port, uint8_t flags, uint64_t now)
{
	struct vsw_fdb_slot *s = &fdb->slots[idx];

	s->key = key;
	s->last_seen = now;
	s->home = home;
	s->port = port;
	s->flags = flags;
	s->pad = 0;
	vsw_stat_add(&fdb->stats.entries, 1);
	if ((flags & FDB_SLOT_STATIC) != 0) {
		vsw_stat_add(&fdb->stats.static_entries, 1);
	}
}

/*
 * Empty slot `hole` and restore the probing invariant by moving later
 * entries of the cluster back.  An entry at j (home h) may fill the hole
 * iff the hole lies in [h, j), i.e. its displacement j - h is at least the
 * distance j - hole.  Once j - hole reaches VSW_FDB_MAX_PROBE no further
 * entry can qualify (every displacement is below the window), so the walk
 * is bounded by the window after the last move.
 */
static void
fdb_remove_at(struct vsw_fdb *fdb, uint32_t hole)
{
	const uint32_t mask = fdb->mask;
	uint32_t j = hole;
	uint32_t n;

	if ((fdb->slots[hole].flags & FDB_SLOT_STATIC) != 0) {
		vsw_stat_add(&fdb->stats.static_entries, (uint64_t)-1);
	}
	vsw_stat_add(&fdb->stats.entries, (uint64_t)-1);
	for (n = 0; n < mask; n++) {
		const struct vsw_fdb_slot *s;
		uint32_t gap;

		j = (j + 1) & mask;
		s = &fdb->slots[j];
		if (s->key == 0) {
			break;
		}
		gap = (j - hole) & mask;
		if (gap >= VSW_FDB_MAX_PROBE) {
			break;
		}
		if (((j - s->home) & mask) >= gap) {
			fdb->slots[hole] = *s;
			hole = j;
		}
	}
	memset(&fdb->slots[hole], 0, sizeof(fdb->slots[hole]));
}

/* Apply defaults; false if the configuration is invalid. */
static bool
fdb_cfg_resolve(const struct vsw_fdb_cfg *in, struct vsw_fdb_cfg *out)
{
	static const struct vsw_fdb_cfg zero;

	*out = in != NULL ? *in : zero;
	if (out->max_entries == 0) {
		out->max_entries = VSW_FDB_DEFAULT_MAX_ENTRIES;
	}
	if (out->max_entries > VSW_FDB_MAX_ENTRIES_LIMIT) {
		return false;
	}
	if (out->age_batch == 0) {
		out->age_batch = VSW_FDB_DEFAULT_AGE_BATCH;
	}
	if (out->age == 0) {
		out->age = VSW_FDB_DEFAULT_AGE;
	}
	return true;
}

/* Slots for a limit: a power of two >= 2 * max (load factor <= 0.5). */
static uint32_t
fdb_capacity(uint32_t max_entries)
{
	uint32_t cap = FDB_MIN_CAPACITY;

	while (cap < 2 * max_entries) {
		cap <<= 1;
	}
	return cap;
}

size_t
vsw_fdb_memsize(const struct vsw_fdb_cfg *cfg)
{
	struct vsw_fdb_cfg c;

	if (!fdb_cfg_resolve(cfg, &c)) {
		return 0;
	}
	return sizeof(struct vsw_fdb) +
	       (size_t)fdb_capacity(c.max_entries) *
		       sizeof(struct vsw_fdb_slot);
}

struct vsw_fdb *
vsw_fdb_init(void *mem, size_t len, const struct vsw_fdb_cfg *cfg)
{
	struct vsw_fdb_cfg c;
	struct vsw_fdb *fdb = mem;
	size_t need = vsw_fdb_memsize(cfg);
	uint64_t state;

	if (mem == NULL || ((uintptr_t)mem & 7) != 0 || need == 0 ||
	    len < need || !fdb_cfg_resolve(cfg, &c)) {
		return NULL;
	}
	memset(mem, 0, need);
	fdb->mask = fdb_capacity(c.max_entries) - 1;
	fdb->max_entries = c.max_entries;
	fdb->age_batch = c.age_batch;
	fdb->age = c.age;
	state = c.seed;
	fdb->seed_a = fdb_splitmix(&state);
	fdb->seed_b = fdb_splitmix(&state);
	return fdb;
}

struct vsw_fdb *
vsw_fdb_create(const struct vsw_fdb_cfg *cfg)
{
	size_t need = vsw_fdb_memsize(cfg);
	void *mem;

	if (need == 0) {
		errno = EINVAL;
		return NULL;
	}
	/* aligned_alloc wants a multiple of the alignment. */
	need = (need + 63) & ~(size_t)63;
	mem = aligned_alloc(64, need);
	if (mem == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	return vsw_fdb_init(mem, need, cfg);
}

void
vsw_fdb_destroy(struct vsw_fdb *fdb)
{
	free(fdb);
}

int
vsw_fdb_learn(struct vsw_fdb *fdb, const uint8_t *mac, uint16_t vlan,
	      uint16_t port, uint64_t now)
{
	struct vsw_fdb_slot *s;
	uint32_t idx, home, empty;
	uint64_t key;

	if (fdb == NULL || fdb_key(mac, vlan, &key) != 0) {
		return -EINVAL;
	}
	idx = fdb_find(fdb, key, &home, &empty);
	if (idx == FDB_NONE) {
		if (fdb->stats.entries >= fdb->max_entries) {
			vsw_stat_add(&fdb->stats.learn_full, 1);
			return -ENOSPC;
		}
		if (empty == FDB_NONE) {
			vsw_stat_add(&fdb->stats.learn_collide, 1);
			return -ENOSPC;
		}
		fdb_insert_at(fdb, empty, key, home, port, 0, now);
		vsw_stat_add(&fdb->stats.learned, 1);
		return VSW_FDB_ADDED;
	}
	s = &fdb->slots[idx];
	if ((s->flags & FDB_SLOT_STATIC) != 0) {
		if (s->port == port) {
			return VSW_FDB_REFRESHED;
		}
		vsw_stat_add(&fdb->stats.static_conflict, 1);
		return -EPERM;
	}
	if (fdb_expired(fdb, s, now)) {
		/* Dead but not reclaimed yet: this is a new station. */
		s->port = port;
		s->last_seen = now;
		vsw_stat_add(&fdb->stats.learned, 1);
		return VSW_FDB_ADDED;
	}
	s->last_seen = now;
	if (s->port != port) {
		s->port = port;
		vsw_stat_add(&fdb->stats.moves, 1);
		return VSW_FDB_MOVED;
	}
	return VSW_FDB_REFRESHED;
}

int
vsw_fdb_lookup(const struct vsw_fdb *fdb, const uint8_t *mac, uint16_t vlan,
	       uint64_t now)
{
	uint32_t idx, home, empty;
	uint64_t key;

	if (fdb == NULL || fdb_key(mac, vlan, &key) != 0) {
		return -EINVAL;
	}
	idx = fdb_find(fdb, key, &home, &empty);
	if (idx == FDB_NONE || fdb_expired(fdb, &fdb->slots[idx], now)) {
		return -ENOENT;
	}
	return fdb->slots[idx].port;
}

int
vsw_fdb_add_static(struct vsw_fdb *fdb, const uint8_t *mac, uint16_t vlan,
		   uint16_t port, uint64_t now)
{
	struct vsw_fdb_slot *s;
	uint32_t idx, home, empty;
	uint64_t key;

	if (fdb == NULL || fdb_key(mac, vlan, &key) != 0) {
		return -EINVAL;
	}
	idx = fdb_find(fdb, key, &home, &empty);
	if (idx == FDB_NONE) {
		if (fdb->stats.entries >= fdb->max_entries ||
		    empty == FDB_NONE) {
			return -ENOSPC;
		}
		fdb_insert_at(fdb, empty, key, home, port, FDB_SLOT_STATIC,
			      now);
		return 0;
	}
	s = &fdb->slots[idx];
	if ((s->flags & FDB_SLOT_STATIC) == 0) {
		s->flags |= FDB_SLOT_STATIC;
		vsw_stat_add(&fdb->stats.static_entries, 1);
	}
	s->port = port;
	s->last_seen = now;
	return 0;
}

int
vsw_fdb_del(struct vsw_fdb *fdb, const uint8_t *mac, uint16_t vlan)
{
	uint32_t idx, home, empty;
	uint64_t key;

	if (fdb == NULL || fdb_key(mac, vlan, &key) != 0) {
		return -EINVAL;
	}
	idx = fdb_find(fdb, key, &home, &empty);
	if (idx == FDB_NONE) {
		return -ENOENT;
	}
	fdb_remove_at(fdb, idx);
	vsw_stat_add(&fdb->stats.flushed, 1);
	return 0;
}

uint32_t
vsw_fdb_flush_port(struct vsw_fdb *fdb, uint16_t port)
{
	uint32_t removed = 0;
	uint32_t i = 0;

	if (fdb == NULL) {
		return 0;
	}
	/*
	 * A removal shifts entries only into slots at or after i (in probe
	 * order), so re-examining slot i after a removal visits every entry.
	 */
	while (i <= fdb->mask) {
		const struct vsw_fdb_slot *s = &fdb->slots[i];

		if (s->key != 0 && s->port == port) {
			fdb_remove_at(fdb, i);
			removed++;
			continue;
		}
		i++;
	}
	vsw_stat_add(&fdb->stats.flushed, removed);
	return removed;
}

uint32_t
vsw_fdb_flush_all(struct vsw_fdb *fdb)
{
	uint32_t removed;

	if (fdb == NULL) {
		return 0;
	}
	removed = (uint32_t)fdb->stats.entries;
	memset(fdb->slots, 0,
	       ((size_t)fdb->mask + 1) * sizeof(struct vsw_fdb_slot));
	vsw_stat_set(&fdb->stats.entries, 0);
	vsw_stat_set(&fdb->stats.static_entries, 0);
	vsw_stat_add(&fdb->stats.flushed, removed);
	return removed;
}

uint32_t
vsw_fdb_age(struct vsw_fdb *fdb, uint64_t now)
{
	uint32_t budget, cur, removed = 0;

	if (fdb == NULL || fdb->age == VSW_FDB_AGE_NEVER) {
		return 0;
	}
	cur = fdb->age_cursor;
	for (budget = fdb->age_batch; budget > 0; budget--) {
		const struct vsw_fdb_slot *s = &fdb->slots[cur];

		if (s->key != 0 && fdb_expired(fdb, s, now)) {
			/* Re-examine cur: a later entry may shift into it. */
			fdb_remove_at(fdb, cur);
			removed++;
			continue;
		}
		cur = (cur + 1) & fdb->mask;
	}
	fdb->age_cursor = cur;
	vsw_stat_add(&fdb->stats.aged, removed);
	return removed;
}

void
vsw_fdb_set_age(struct vsw_fdb *fdb, uint64_t age)
{
	if (fdb != NULL) {
		fdb->age = age != 0 ? age : VSW_FDB_DEFAULT_AGE;
	}
}

uint64_t
vsw_fdb_get_age(const struct vsw_fdb *fdb)
{
	return fdb != NULL ? fdb->age : 0;
}

bool
vsw_fdb_next(const struct vsw_fdb *fdb, uint32_t *cursor, uint64_t now,
	     struct vsw_fdb_entry *out)
{
	uint32_t i;

	if (fdb == NULL || cursor == NULL || out == NULL) {
		return false;
	}
	for (i = *cursor; i <= fdb->mask; i++) {
		const struct vsw_fdb_slot *s = &fdb->slots[i];
		uint64_t mac;
		unsigned int b;

		if (s->key == 0 || fdb_expired(fdb, s, now)) {
			continue;
		}
		mac = s->key & FDB_KEY_MAC_MASK;
		for (b = 0; b < VSW_ETH_ALEN; b++) {
			out->mac[b] =
				(uint8_t)(mac >> (8 * (VSW_ETH_ALEN - 1 - b)));
		}
		out->vlan = (uint16_t)((s->key >> FDB_KEY_VLAN_SHIFT) &
				       VSW_FDB_VLAN_MAX);
		out->port = s->port;
		out->is_static = (s->flags & FDB_SLOT_STATIC) != 0;
		out->age = now >= s->last_seen ? now - s->last_seen : 0;
		*cursor = i + 1;
		return true;
	}
	*cursor = i;
	return false;
}

uint32_t
vsw_fdb_count(const struct vsw_fdb *fdb)
{
	return fdb != NULL ? (uint32_t)fdb->stats.entries : 0;
}

uint32_t
vsw_fdb_max_entries(const struct vsw_fdb *fdb)
{
	return fdb != NULL ? fdb->max_entries : 0;
}

void
vsw_fdb_stats_read(const struct vsw_fdb *fdb, struct vsw_fdb_stats *out)
{
	const struct vsw_fdb_stats *s;

	if (fdb == NULL || out == NULL) {
		return;
	}
	s = &fdb->stats;
	out->entries = vsw_stat_read(&s->entries);
	out->static_entries = vsw_stat_read(&s->static_entries);
	out->learned = vsw_stat_read(&s->learned);
	out->moves = vsw_stat_read(&s->moves);
	out->learn_full = vsw_stat_read(&s->learn_full);
	out->learn_collide = vsw_stat_read(&s->learn_collide);
	out->static_conflict = vsw_stat_read(&s->static_conflict);
	out->aged = vsw_stat_read(&s->aged);
	out->flushed = vsw_stat_read(&s->flushed);
}
