/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_ring.c - one direction of a VMBus ring buffer.
 *
 * Semantics follow Linux drivers/hv/ring_buffer.c, DPDK
 * drivers/bus/vmbus/vmbus_bufring.c and OpenVMM vmbus_ring (wire-facts.md
 * section 1).  Written from those descriptions, not copied.
 *
 * The signalling contract
 * -----------------------
 * Shared words: write_index (W, writer only), read_index (R, reader only),
 * interrupt_mask (M, reader only), pending_send_sz (P, writer only),
 * feature_bits (F, owner at setup).  Every access is an __atomic builtin on
 * the 32-bit word; packet bytes are plain memcpy, ordered by the index
 * accesses below.  The empty ring is W == R; the ring is never filled
 * exactly (a write needs free > packet bytes), so full and empty differ.
 *
 * 1. Publication.  The writer copies the packet, then stores W with
 *    RELEASE.  The reader loads W with ACQUIRE before copying a packet out.
 *    The reader stores R with RELEASE after it finished copying; the writer
 *    loads R with ACQUIRE before it overwrites the freed bytes.
 *
 * 2. Reader wake-up (writer -> reader signal).  The reader promises: while
 *    draining it may set M = 1; it drains until empty, then clears M,
 *    issues a full barrier and re-checks W (vmb_ring_unmask).  The writer,
 *    after storing W, issues a full barrier, then signals only if M == 0
 *    and R == the W it started from (the ring was empty, so the reader may
 *    be asleep).  The two full barriers form a Dekker pair: either the
 *    writer sees M == 0 and signals, or the reader's re-check sees the new
 *    W.  Windows hosts treat other signals as possible abuse, so the writer
 *    never signals a non-empty ring.
 *
 * 3. Writer wake-up (reader -> writer signal).  A blocked writer stores P
 *    (bytes of write space it needs), issues a full barrier and re-checks
 *    the space (vmb_ring_set_pending_send).  The reader, after storing R,
 *    issues a full barrier, reads F and P, and signals only if F has
 *    PENDING_SEND_SZ, P & ~7 != 0 (some writers store size - 1) and this
 *    commit moved the write space from < P to >= P.  Again a Dekker pair:
 *    either the reader sees P or the writer's re-check sees the new R.
 *    Write space = free bytes - 8, the largest packet+trailer that fits.
 *
 * 4. Trust.  Each side re-reads and validates the peer's index on every
 *    use (multiple of 8, < size) and fails with -EBADMSG otherwise.  The
 *    reader keeps its cursor and last published R privately, and copies
 *    the descriptor out of the ring before validating it.
 */
#include <errno.h>
#include <string.h>

#include "vmb_ring.h"

/* --- shared word access --------------------------------------------------- */

static inline uint32_t
ctl_load(const uint32_t *p, int order)
{
	uint32_t v = __atomic_load_n(p, order);

	return SN_BIG_ENDIAN ? sn_bswap32(v) : v;
}

static inline void
ctl_store(uint32_t *p, uint32_t v, int order)
{
	__atomic_store_n(p, SN_BIG_ENDIAN ? sn_bswap32(v) : v, order);
}

static inline void
full_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* A ring index from the shared page is usable. */
static inline bool
idx_ok(const struct vmb_ring *r, uint32_t idx)
{
	return idx < r->size && (idx & 7) == 0;
}

/* Bytes written but not read, for valid indices w (write) and rd (read). */
static inline uint32_t
ring_used(const struct vmb_ring *r, uint32_t w, uint32_t rd)
{
	return w >= rd ? w - rd : r->size - rd + w;
}

/* Write space for valid indices: free bytes minus the never-fill 8. */
static inline uint32_t
ring_space(const struct vmb_ring *r, uint32_t w, uint32_t rd)
{
	return r->size - ring_used(r, w, rd) - VMB_RING_TRAILER_SIZE;
}

static inline uint32_t
idx_add(const struct vmb_ring *r, uint32_t idx, uint32_t n)
{
	uint64_t v = (uint64_t)idx + n;

	return (uint32_t)(v >= r->size ? v - r->size : v);
}

/* Copy n <= size bytes into the data area at off, wrapping; returns end. */
static uint32_t
copy_to_ring(struct vmb_ring *r, uint32_t off, const void *src, uint32_t n)
{
	uint32_t first = SN_MIN(n, r->size - off);

	memcpy(r->data + off, src, first);
	if (n > first) {
		memcpy(r->data, (const uint8_t *)src + first, n - first);
	}
	return idx_add(r, off, n);
}

/* Copy n <= size bytes out of the data area at off, wrapping. */
static void
copy_from_ring(const struct vmb_ring *r, uint32_t off, void *dst, uint32_t n)
{
	uint32_t first = SN_MIN(n, r->size - off);

	memcpy(dst, r->data + off, first);
	if (n > first) {
		memcpy((uint8_t *)dst + first, r->data, n - first);
	}
}

/* --- setup ---------------------------------------------------------------- */

int
vmb_ring_init_split(struct vmb_ring *r, void *ctl, void *data,
		    size_t data_size)
{
	if (r == NULL || ctl == NULL || data == NULL) {
		return -EINVAL;
	}
	if ((uintptr_t)ctl % 8 != 0) {
		return -EINVAL;
	}
	if (data_size == 0 || data_size % VMB_PAGE_SIZE != 0 ||
	    data_size > VMB_RING_MAX_DATA_SIZE) {
		return -EINVAL;
	}
	memset(r, 0, sizeof(*r));
	r->ctl = ctl;
	r->data = data;
	r->size = (uint32_t)data_size;
	return 0;
}

int
vmb_ring_init(struct vmb_ring *r, void *base, size_t total_len)
{
	if (base == NULL || total_len <= VMB_PAGE_SIZE) {
		return -EINVAL;
	}
	return vmb_ring_init_split(r, base, (uint8_t *)base + VMB_PAGE_SIZE,
				   total_len - VMB_PAGE_SIZE);
}

void
vmb_ring_ctl_init(struct vmb_ring *r, uint32_t feature_bits)
{
	struct vmb_ring_ctl *c = r->ctl;

	memset(c->reserved1, 0, sizeof(c->reserved1));
	memset(c->reserved2, 0, sizeof(c->reserved2));
	ctl_store(&c->write_index, 0, __ATOMIC_RELAXED);
	ctl_store(&c->read_index, 0, __ATOMIC_RELAXED);
	ctl_store(&c->interrupt_mask, 0, __ATOMIC_RELAXED);
	ctl_store(&c->pending_send_sz, 0, __ATOMIC_RELAXED);
	ctl_store(&c->feature_bits, feature_bits, __ATOMIC_RELAXED);
	full_barrier();
	r->rd_start = 0;
	r->rd_cursor = 0;
	r->rd_synced = true;
}

/* --- writer --------------------------------------------------------------- */

int
vmb_ring_write(struct vmb_ring *r, const struct vmb_iov *iov,
	       unsigned int iovcnt, bool *need_signal)
{
	static const uint8_t zeros[8];
	uint64_t total = 0, need;
	uint32_t w, rd, off, trailer_idx;
	uint8_t trailer[VMB_RING_TRAILER_SIZE];
	unsigned int i;

	if (r == NULL || (iov == NULL && iovcnt > 0)) {
		return -EINVAL;
	}
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].base == NULL && iov[i].len > 0) {
			return -EINVAL;
		}
		if (iov[i].len > r->size) {
			return -EINVAL;
		}
		total += iov[i].len;
		if (total > r->size) {
			return -EINVAL;
		}
	}
	if (total < VMB_PKT_DESC_SIZE) {
		return -EINVAL;
	}
	need = vmb_ring_pkt_space(total);
	if (need > r->size - VMB_RING_TRAILER_SIZE) {
		return -EINVAL;	/* could never fit */
	}

	w = ctl_load(&r->ctl->write_index, __ATOMIC_RELAXED);
	/* Pairs with the reader's RELEASE store in vmb_ring_read_commit. */
	rd = ctl_load(&r->ctl->read_index, __ATOMIC_ACQUIRE);
	if (!idx_ok(r, w) || !idx_ok(r, rd)) {
		return -EBADMSG;
	}
	if (need > ring_space(r, w, rd)) {
		return -EAGAIN;
	}

	off = w;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].len > 0) {
			off = copy_to_ring(r, off, iov[i].base,
					   (uint32_t)iov[i].len);
		}
	}
	off = copy_to_ring(r, off, zeros,
			   (uint32_t)(need - total - VMB_RING_TRAILER_SIZE));
	sn_put_le64(trailer, (uint64_t)w << VMB_RING_TRAILER_SHIFT);
	trailer_idx = copy_to_ring(r, off, trailer, sizeof(trailer));

	/* Pairs with the reader's ACQUIRE load of write_index. */
	ctl_store(&r->ctl->write_index, trailer_idx, __ATOMIC_RELEASE);

	/* Dekker pair with vmb_ring_unmask: store W / fence / load M, R. */
	full_barrier();
	if (need_signal != NULL) {
		*need_signal =
			ctl_load(&r->ctl->interrupt_mask,
				 __ATOMIC_RELAXED) == 0 &&
			ctl_load(&r->ctl->read_index, __ATOMIC_RELAXED) == w;
	}
	return 0;
}

uint32_t
vmb_ring_write_space(const struct vmb_ring *r)
{
	uint32_t w = ctl_load(&r->ctl->write_index, __ATOMIC_RELAXED);
	uint32_t rd = ctl_load(&r->ctl->read_index, __ATOMIC_ACQUIRE);

	if (!idx_ok(r, w) || !idx_ok(r, rd)) {
		return 0;
	}
	return ring_space(r, w, rd);
}

int
vmb_ring_set_pending_send(struct vmb_ring *r, uint32_t bytes)
{
	uint32_t p;

	if (r == NULL || bytes == 0 ||
	    bytes > r->size - VMB_RING_TRAILER_SIZE) {
		return -EINVAL;
	}
	p = (bytes + 7) & ~(uint32_t)7;
	ctl_store(&r->ctl->pending_send_sz, p, __ATOMIC_RELAXED);
	/* Dekker pair with vmb_ring_read_commit: store P / fence / load R. */
	full_barrier();
	return vmb_ring_write_space(r) >= p ? 1 : 0;
}

void
vmb_ring_clear_pending_send(struct vmb_ring *r)
{
	ctl_store(&r->ctl->pending_send_sz, 0, __ATOMIC_RELAXED);
}

/* --- reader --------------------------------------------------------------- */

/* Load the reader's position from the shared page once. */
static int
rd_sync(struct vmb_ring *r)
{
	uint32_t rd;

	if (r->rd_synced) {
		return 0;
	}
	rd = ctl_load(&r->ctl->read_index, __ATOMIC_RELAXED);
	if (!idx_ok(r, rd)) {
		return -EBADMSG;
	}
	r->rd_start = rd;
	r->rd_cursor = rd;
	r->rd_synced = true;
	return 0;
}

/*
 * Validate the next packet at the cursor from a private copy of its
 * descriptor (left in desc).  On 0, *len = len8 * 8.
 */
static int
rd_next(struct vmb_ring *r, uint8_t desc[VMB_PKT_DESC_SIZE], uint32_t *len)
{
	uint32_t w, avail;
	uint16_t type, off8, len8, flags;
	int rc;

	rc = rd_sync(r);
	if (rc < 0) {
		return rc;
	}
	/* Pairs with the writer's RELEASE store of write_index. */
	w = ctl_load(&r->ctl->write_index, __ATOMIC_ACQUIRE);
	if (!idx_ok(r, w)) {
		return -EBADMSG;
	}
	avail = ring_used(r, w, r->rd_cursor);
	if (avail == 0) {
		return -EAGAIN;
	}
	if (avail < VMB_PKT_DESC_SIZE + VMB_RING_TRAILER_SIZE) {
		return -EBADMSG;
	}
	copy_from_ring(r, r->rd_cursor, desc, VMB_PKT_DESC_SIZE);
	type = sn_get_le16(desc + 0);
	off8 = sn_get_le16(desc + 2);
	len8 = sn_get_le16(desc + 4);
	flags = sn_get_le16(desc + 6);
	if (!vmb_pkt_type_known(type) || (flags & ~VMB_PKT_FLAGS_VALID) != 0) {
		return -EBADMSG;
	}
	if (off8 < VMB_PKT_MIN_OFFSET8 || len8 < off8) {
		return -EBADMSG;
	}
	if ((uint32_t)len8 * 8 > avail - VMB_RING_TRAILER_SIZE) {
		return -EBADMSG;
	}
	*len = (uint32_t)len8 * 8;
	return 0;
}

int
vmb_ring_peek(struct vmb_ring *r, void *buf, size_t buflen, size_t *pktlen)
{
	uint8_t desc[VMB_PKT_DESC_SIZE];
	uint32_t len;
	int rc;

	if (r == NULL || pktlen == NULL || (buf == NULL && buflen > 0)) {
		return -EINVAL;
	}
	rc = rd_next(r, desc, &len);
	if (rc < 0) {
		return rc;
	}
	*pktlen = len;
	if (buflen < len) {
		return -EMSGSIZE;
	}
	copy_from_ring(r, r->rd_cursor, buf, len);
	/* The peer may have changed it meanwhile: keep the validated copy. */
	memcpy(buf, desc, sizeof(desc));
	r->rd_cursor = idx_add(r, r->rd_cursor, len + VMB_RING_TRAILER_SIZE);
	return 0;
}

int
vmb_ring_skip(struct vmb_ring *r)
{
	uint8_t desc[VMB_PKT_DESC_SIZE];
	uint32_t len;
	int rc;

	if (r == NULL) {
		return -EINVAL;
	}
	rc = rd_next(r, desc, &len);
	if (rc < 0) {
		return rc;
	}
	r->rd_cursor = idx_add(r, r->rd_cursor, len + VMB_RING_TRAILER_SIZE);
	return 0;
}

bool
vmb_ring_read_commit(struct vmb_ring *r)
{
	uint32_t old_rd, w, pend;

	if (!r->rd_synced || r->rd_cursor == r->rd_start) {
		return false;
	}
	old_rd = r->rd_start;
	/* Pairs with the writer's ACQUIRE load of read_index. */
	ctl_store(&r->ctl->read_index, r->rd_cursor, __ATOMIC_RELEASE);
	r->rd_start = r->rd_cursor;

	/* Dekker pair with vmb_ring_set_pending_send: store R/fence/load P. */
	full_barrier();
	if ((ctl_load(&r->ctl->feature_bits, __ATOMIC_RELAXED) &
	     VMB_RING_FEAT_PENDING_SEND_SZ) == 0) {
		return false;
	}
	pend = ctl_load(&r->ctl->pending_send_sz, __ATOMIC_RELAXED) &
	       ~(uint32_t)7;
	if (pend == 0) {
		return false;
	}
	w = ctl_load(&r->ctl->write_index, __ATOMIC_RELAXED);
	if (!idx_ok(r, w)) {
		return false;
	}
	return ring_space(r, w, old_rd) < pend &&
	       ring_space(r, w, r->rd_cursor) >= pend;
}

void
vmb_ring_read_abort(struct vmb_ring *r)
{
	r->rd_cursor = r->rd_start;
}

void
vmb_ring_mask(struct vmb_ring *r)
{
	ctl_store(&r->ctl->interrupt_mask, 1, __ATOMIC_RELAXED);
}

bool
vmb_ring_unmask(struct vmb_ring *r)
{
	uint32_t w, pos;

	ctl_store(&r->ctl->interrupt_mask, 0, __ATOMIC_RELAXED);
	/* Dekker pair with vmb_ring_write: store M / fence / load W. */
	full_barrier();
	w = ctl_load(&r->ctl->write_index, __ATOMIC_ACQUIRE);
	pos = r->rd_synced ? r->rd_cursor :
			     ctl_load(&r->ctl->read_index, __ATOMIC_RELAXED);
	return w != pos;
}

/* --- stats ---------------------------------------------------------------- */

uint32_t
vmb_ring_bytes_used(const struct vmb_ring *r)
{
	uint32_t w = ctl_load(&r->ctl->write_index, __ATOMIC_RELAXED);
	uint32_t rd = ctl_load(&r->ctl->read_index, __ATOMIC_RELAXED);

	if (!idx_ok(r, w) || !idx_ok(r, rd)) {
		return 0;
	}
	return ring_used(r, w, rd);
}

uint32_t
vmb_ring_read_avail(const struct vmb_ring *r)
{
	uint32_t w = ctl_load(&r->ctl->write_index, __ATOMIC_ACQUIRE);
	uint32_t pos = r->rd_synced ?
			       r->rd_cursor :
			       ctl_load(&r->ctl->read_index, __ATOMIC_RELAXED);

	if (!idx_ok(r, w) || !idx_ok(r, pos)) {
		return 0;
	}
	return ring_used(r, w, pos);
}
