/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_map.c - host-side mappings of a vmbus-user guest's RAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmb_map.h"
#include "vmb_ring.h"

struct vmb_map {
	/** Reference count (atomic). */
	uint32_t refcnt;
	/** Our dup of the guest's memfd. */
	int fd;
	/** Whole RAM, MAP_SHARED. */
	uint8_t *base;
	/** RAM bytes. */
	uint64_t size;
};

struct vmb_map_region {
	/** Reference count (atomic). */
	uint32_t refcnt;
	/** Mapped runs (mmap calls). */
	uint32_t runs;
	/** Start of the contiguous range. */
	uint8_t *base;
	/** Bytes in the range. */
	size_t len;
};

struct vmb_map *
vmb_map_create(int memfd, uint64_t ram_size)
{
	struct vmb_map *m;
	struct stat st;
	int seals;
	int err;

	if (ram_size == 0 || ram_size % VMB_PAGE_SIZE != 0 ||
	    ram_size > VMB_MAP_MAX_RAM || (uint64_t)(size_t)ram_size !=
	    ram_size) {
		errno = EINVAL;
		return NULL;
	}
	if (fstat(memfd, &st) < 0) {
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return NULL;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size < ram_size) {
		errno = ERANGE;
		return NULL;
	}
	seals = fcntl(memfd, F_GET_SEALS);
	if (seals < 0 || (seals & F_SEAL_SHRINK) == 0) {
		errno = EPERM;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		return NULL;
	}
	m->fd = fcntl(memfd, F_DUPFD_CLOEXEC, 0);
	if (m->fd < 0) {
		goto fail_free;
	}
	m->base = mmap(NULL, (size_t)ram_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, m->fd, 0);
	if (m->base == MAP_FAILED) {
		goto fail_close;
	}
	m->size = ram_size;
	m->refcnt = 1;
	return m;

fail_close:
	err = errno;
	close(m->fd);
	errno = err;
fail_free:
	err = errno;
	free(m);
	errno = err;
	return NULL;
}

struct vmb_map *
vmb_map_ref(struct vmb_map *m)
{
	/* Pairs with the ACQ_REL decrement in vmb_map_unref. */
	__atomic_add_fetch(&m->refcnt, 1, __ATOMIC_RELAXED);
	return m;
}

void
vmb_map_unref(struct vmb_map *m)
{
	if (m == NULL) {
		return;
	}
	if (__atomic_sub_fetch(&m->refcnt, 1, __ATOMIC_ACQ_REL) != 0) {
		return;
	}
	munmap(m->base, (size_t)m->size);
	close(m->fd);
	free(m);
}

uint64_t
vmb_map_ram_size(const struct vmb_map *m)
{
	return m->size;
}

void *
vmb_map_base(const struct vmb_map *m)
{
	return m->base;
}

void *
vmb_map_gpa(const struct vmb_map *m, uint64_t gpa, uint64_t len)
{
	if (m == NULL || !sn_range_ok(gpa, len, m->size)) {
		return NULL;
	}
	return m->base + gpa;
}

bool
vmb_map_pfn_ok(const struct vmb_map *m, uint64_t pfn)
{
	return pfn < (m->size >> VMB_PAGE_SHIFT);
}

uint32_t
vmb_map_count_runs(const uint64_t *pfn, uint32_t npfn)
{
	uint32_t runs = 0;
	uint32_t i;

	for (i = 0; i < npfn; i++) {
		if (i == 0 || pfn[i] != pfn[i - 1] + 1) {
			runs++;
		}
	}
	return runs;
}

/*
 * Map pfn[0..npfn) at dst (inside a reservation) with MAP_FIXED, one mmap
 * per run of consecutive PFNs.  PFNs must have been checked.  Returns the
 * number of runs or -errno.
 */
static int
map_pages_at(const struct vmb_map *m, uint8_t *dst, const uint64_t *pfn,
	     uint32_t npfn)
{
	uint32_t i = 0;
	int runs = 0;

	while (i < npfn) {
		uint32_t j = i + 1;
		void *p;

		while (j < npfn && pfn[j] == pfn[j - 1] + 1) {
			j++;
		}
		p = mmap(dst + (size_t)i * VMB_PAGE_SIZE,
			 (size_t)(j - i) * VMB_PAGE_SIZE,
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 m->fd, (off_t)(pfn[i] << VMB_PAGE_SHIFT));
		if (p == MAP_FAILED) {
			return -errno;
		}
		runs++;
		i = j;
	}
	return runs;
}

static int
check_pfns(const struct vmb_map *m, const uint64_t *pfn, uint32_t npfn)
{
	uint32_t i;

	for (i = 0; i < npfn; i++) {
		if (!vmb_map_pfn_ok(m, pfn[i])) {
			return -ERANGE;
		}
	}
	return 0;
}

/* Reserve len bytes of address space, inaccessible.  NULL on failure. */
static uint8_t *
reserve(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

struct vmb_map_region *
vmb_map_region_create(struct vmb_map *m, const uint64_t *pfn, uint32_t npfn)
{
	struct vmb_map_region *r;
	int rc;

	if (m == NULL || pfn == NULL || npfn == 0) {
		errno = EINVAL;
		return NULL;
	}
	rc = check_pfns(m, pfn, npfn);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		return NULL;
	}
	r->len = (size_t)npfn * VMB_PAGE_SIZE;
	r->base = reserve(r->len);
	if (r->base == NULL) {
		rc = -errno;
		goto fail;
	}
	rc = map_pages_at(m, r->base, pfn, npfn);
	if (rc < 0) {
		munmap(r->base, r->len);
		goto fail;
	}
	r->runs = (uint32_t)rc;
	r->refcnt = 1;
	return r;

fail:
	free(r);
	errno = -rc;
	return NULL;
}

struct vmb_map_region *
vmb_map_region_get(struct vmb_map_region *r)
{
	/* Pairs with the ACQ_REL decrement in vmb_map_region_put. */
	__atomic_add_fetch(&r->refcnt, 1, __ATOMIC_RELAXED);
	return r;
}

void
vmb_map_region_put(struct vmb_map_region *r)
{
	if (r == NULL) {
		return;
	}
	if (__atomic_sub_fetch(&r->refcnt, 1, __ATOMIC_ACQ_REL) != 0) {
		return;
	}
	munmap(r->base, r->len);
	free(r);
}

void *
vmb_map_region_base(const struct vmb_map_region *r)
{
	return r->base;
}

size_t
vmb_map_region_len(const struct vmb_map_region *r)
{
	return r->len;
}

uint32_t
vmb_map_region_runs(const struct vmb_map_region *r)
{
	return r->runs;
}

int
vmb_map_ring_create(struct vmb_map *m, const uint64_t *pfn, uint32_t npfn,
		    struct vmb_map_ring *ring)
{
	uint32_t ndata;
	size_t data_len;
	uint8_t *base;
	int rc1;
	int rc2;
	int rc3;

	if (ring == NULL) {
		return -EINVAL;
	}
	memset(ring, 0, sizeof(*ring));
	if (m == NULL || pfn == NULL || npfn < 2) {
		return -EINVAL;
	}
	ndata = npfn - 1;
	if ((uint64_t)ndata * VMB_PAGE_SIZE > VMB_RING_MAX_DATA_SIZE) {
		return -EINVAL;
	}
	if (check_pfns(m, pfn, npfn) < 0) {
		return -ERANGE;
	}
	data_len = (size_t)ndata * VMB_PAGE_SIZE;
	/* [control page][data][data again] */
	base = reserve(VMB_PAGE_SIZE + 2 * data_len);
	if (base == NULL) {
		return -errno;
	}
	rc1 = map_pages_at(m, base, pfn, 1);
	rc2 = rc1 < 0 ? rc1 : map_pages_at(m, base + VMB_PAGE_SIZE, pfn + 1,
					   ndata);
	rc3 = rc2 < 0 ? rc2 : map_pages_at(m, base + VMB_PAGE_SIZE + data_len,
					   pfn + 1, ndata);
	if (rc3 < 0) {
		munmap(base, VMB_PAGE_SIZE + 2 * data_len);
		return rc3;
	}
	ring->ctl = (struct vmb_ring_ctl *)(void *)base;
	ring->data = base + VMB_PAGE_SIZE;
	ring->data_size = (uint32_t)data_len;
	ring->base = base;
	ring->len = VMB_PAGE_SIZE + 2 * data_len;
	ring->runs = (uint32_t)(rc1 + rc2 + rc3);
	return 0;
}

void
vmb_map_ring_destroy(struct vmb_map_ring *ring)
{
	if (ring == NULL) {
		return;
	}
	if (ring->base != NULL) {
		munmap(ring->base, ring->len);
	}
	memset(ring, 0, sizeof(*ring));
}
