/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_map.h - host-side views of a vmbus-user guest's RAM (a memfd).
 *
 * Three kinds of mapping, all MAP_SHARED on the guest's memfd:
 *  - struct vmb_map: the whole RAM, mapped once, to translate a guest
 *    physical address (GPA = memfd offset) into a host pointer with a
 *    bounds check (vmb_map_gpa).
 *  - struct vmb_map_region: the pages of a GPADL (a PFN list in any order)
 *    mapped into ONE contiguous host virtual range: a PROT_NONE
 *    reservation, then one MAP_FIXED mapping per run of consecutive PFNs.
 *    Reference counted (atomic): the last vmb_map_region_put() unmaps it,
 *    so a channel engine holding a GPADL keeps it mapped after the guest
 *    tore the GPADL down.
 *  - struct vmb_map_ring: one ring of a ring GPADL (control page + data
 *    pages) with the data pages mapped twice back to back, so a packet
 *    that wraps around the end is contiguous in host memory.  Feed ctl,
 *    data and data_size to vmb_ring_init_split().
 *
 * The memfd must be sealed against shrinking (F_SEAL_SHRINK): otherwise the
 * guest could truncate it and make every host access SIGBUS.
 *
 * Regions and rings hold their own mappings; they stay valid after the
 * struct vmb_map they were made from is released.  Constructors return a
 * pointer or NULL with errno set.
 */
#ifndef VMB_MAP_H
#define VMB_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmb_wire.h"

/* Largest guest RAM accepted (1 TiB): keeps PFN arithmetic far from 2^64. */
#define VMB_MAP_MAX_RAM (1ull << 40)

/* Whole guest RAM.  Opaque. */
struct vmb_map;

/* Contiguous mapping of a PFN list.  Opaque. */
struct vmb_map_region;

/* One ring of a ring GPADL, data pages mapped twice. */
struct vmb_map_ring {
	/** Control page (shared with the guest). */
	struct vmb_ring_ctl *ctl;
	/** Data area: data[0..2 * data_size) valid, second half aliases. */
	uint8_t *data;
	/** Data area size in bytes (pages - 1) * 4096. */
	uint32_t data_size;
	/** Private: start of the reservation, NULL when not mapped. */
	void *base;
	/** Private: bytes reserved at base. */
	size_t len;
	/** Private: number of MAP_FIXED mappings made. */
	uint32_t runs;
};

/*
 * Map the first ram_size bytes of memfd (borrowed: the map dup()s it).
 * Checks: ram_size a non-zero page multiple <= VMB_MAP_MAX_RAM, memfd a
 * regular file of at least ram_size bytes with F_SEAL_SHRINK set.
 * Returns the map (reference count 1) or NULL with errno EINVAL (bad
 * ram_size, not a regular file), ERANGE (file smaller than ram_size),
 * EPERM (not sealed against shrinking), or mmap/dup's errno.
 */
struct vmb_map *
vmb_map_create(int memfd, uint64_t ram_size);

/* Take a reference (thread-safe).  Returns m. */
struct vmb_map *
vmb_map_ref(struct vmb_map *m);

/* Drop a reference; the last one unmaps and closes.  NULL is a no-op. */
void
vmb_map_unref(struct vmb_map *m);

/* Guest RAM size in bytes. */
uint64_t
vmb_map_ram_size(const struct vmb_map *m);

/* Host address of GPA 0 (the whole RAM is mapped contiguously). */
void *
vmb_map_base(const struct vmb_map *m);

/*
 * Host pointer to guest bytes [gpa, gpa + len), or NULL when any of them
 * lies beyond the RAM (overflow-safe).  The memory is shared with the
 * guest: copy out before validating.  len 0 is valid for gpa <= size.
 */
void *
vmb_map_gpa(const struct vmb_map *m, uint64_t gpa, uint64_t len);

/* True when pfn names a page of the RAM. */
bool
vmb_map_pfn_ok(const struct vmb_map *m, uint64_t pfn);

/*
 * Number of mmap() calls (runs of consecutive PFNs) that mapping
 * pfn[0..npfn) contiguously needs; 0 when npfn is 0.
 */
uint32_t
vmb_map_count_runs(const uint64_t *pfn, uint32_t npfn);

/*
 * Map guest pages pfn[0..npfn) (borrowed; checked against the RAM) into one
 * contiguous host range of npfn * 4096 bytes.  The region does not keep a
 * reference on m.  Returns the region (reference count 1) or NULL with
 * errno EINVAL (NULL, npfn 0) or ERANGE (a PFN beyond the RAM) or mmap's
 * errno.
 */
struct vmb_map_region *
vmb_map_region_create(struct vmb_map *m, const uint64_t *pfn, uint32_t npfn);

/* Take a reference (thread-safe).  Returns r. */
struct vmb_map_region *
vmb_map_region_get(struct vmb_map_region *r);

/* Drop a reference; the last one unmaps.  NULL is a no-op.  Thread-safe. */
void
vmb_map_region_put(struct vmb_map_region *r);

/* Host address of the region's first page. */
void *
vmb_map_region_base(const struct vmb_map_region *r);

/* Bytes mapped: npfn * 4096. */
size_t
vmb_map_region_len(const struct vmb_map_region *r);

/* mmap() runs the region uses (for per-connection accounting). */
uint32_t
vmb_map_region_runs(const struct vmb_map_region *r);

/*
 * Map one ring: pfn[0] is the control page, pfn[1..npfn) the data pages
 * (npfn >= 2), data mapped twice back to back.  Fills *ring.  Returns 0,
 * -EINVAL (NULL, npfn < 2, data too large for a ring), -ERANGE (a PFN
 * beyond the RAM) or -errno of mmap.  *ring is zeroed on failure.
 */
int
vmb_map_ring_create(struct vmb_map *m, const uint64_t *pfn, uint32_t npfn,
		    struct vmb_map_ring *ring);

/* Unmap a ring made by vmb_map_ring_create; zeroes it.  Idempotent. */
void
vmb_map_ring_destroy(struct vmb_map_ring *ring);

#endif /* VMB_MAP_H */
