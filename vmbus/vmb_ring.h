/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_ring.h - one direction of a VMBus ring buffer.
 *
 * A ring is a 4096-byte control page (struct vmb_ring_ctl) plus a data area
 * of N * 4096 bytes, shared by one writer and one reader that may live in
 * different processes.  Each side has its own struct vmb_ring describing
 * the same memory; the struct holds only pointers and the reader's private
 * cursor, so it is cheap and never shared.
 *
 * One side only ever writes (vmb_ring_write & co.), the other only ever
 * reads (vmb_ring_peek & co.).  Neither side trusts the peer: indices read
 * from the shared page are validated on every use, and packets are copied
 * out of the ring before they are looked at.  The signalling contract is
 * written down at the top of vmb_ring.c.
 *
 * No locking: one writer thread and one reader thread per ring.
 */
#ifndef VMB_RING_H
#define VMB_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmb_wire.h"

/* Largest data area accepted (indices are u32; keeps sums below 2^32). */
#define VMB_RING_MAX_DATA_SIZE 0x80000000u

/* One segment of a packet to write. */
struct vmb_iov {
	/** Bytes to copy; may be NULL only when len is 0. Borrowed. */
	const void *base;
	/** Number of bytes. */
	size_t len;
};

/* One side's view of one ring direction. */
struct vmb_ring {
	/** Shared control page. Borrowed; outlives the ring. */
	struct vmb_ring_ctl *ctl;
	/** Shared data area, size bytes. Borrowed; outlives the ring. */
	uint8_t *data;
	/** Data area size in bytes: multiple of 4096, > 0. */
	uint32_t size;
	/** Reader: read_index as last published by this reader. */
	uint32_t rd_start;
	/** Reader: private cursor, end of the packets peeked so far. */
	uint32_t rd_cursor;
	/** Reader: rd_start/rd_cursor were loaded from the shared page. */
	bool rd_synced;
};

/*
 * Bytes of ring space a packet of len bytes (descriptor, headers, payload)
 * occupies: len rounded up to 8, plus the 8-byte trailer.  This is the
 * unit of vmb_ring_write_space() and vmb_ring_set_pending_send().
 */
static inline uint64_t
vmb_ring_pkt_space(uint64_t len)
{
	return ((len + 7) & ~(uint64_t)7) + VMB_RING_TRAILER_SIZE;
}

/*
 * Describe a ring laid out contiguously: base = control page, followed by
 * total_len - 4096 bytes of data.  total_len must be a multiple of 4096 and
 * at least 8192; base must be 8-byte aligned.  Borrows base.  Does not touch
 * the shared memory (see vmb_ring_ctl_init for the owner).
 * Returns 0 or -EINVAL.
 */
int
vmb_ring_init(struct vmb_ring *r, void *base, size_t total_len);

/*
 * Same, with the control page and the data area given separately (e.g.
 * data pages double-mapped elsewhere).  ctl must be 8-byte aligned;
 * data_size a non-zero multiple of 4096 up to VMB_RING_MAX_DATA_SIZE.
 * Returns 0 or -EINVAL.
 */
int
vmb_ring_init_split(struct vmb_ring *r, void *ctl, void *data,
		    size_t data_size);

/*
 * Owner side (the one that allocated the ring memory): put a fresh control
 * page in its initial state: indices 0, interrupts unmasked, no pending
 * send, the whole page zeroed except feature_bits.  Pass
 * VMB_RING_FEAT_PENDING_SEND_SZ as Linux does.  Also resets r's private
 * reader cursor.  Only call while the peer is not using the ring.
 */
void
vmb_ring_ctl_init(struct vmb_ring *r, uint32_t feature_bits);

/* --- writer side ---------------------------------------------------------- */

/*
 * Write one packet: the concatenation of iov[0..iovcnt), zero padding to a
 * multiple of 8, then the trailer.  Borrows iov only for the call.  The
 * caller builds the descriptor (vmb_pkt_enc_*); the ring does not parse it.
 * Handles wrap-around anywhere.  The ring is never filled exactly: the
 * packet is written only if vmb_ring_pkt_space(total) <=
 * vmb_ring_write_space().
 *
 * On 0, *need_signal (if not NULL) is set to whether the reader must be
 * signalled (interrupts unmasked and the ring was empty before this
 * write); it is set, not OR-ed.
 * Returns 0, -EAGAIN (no room now; ring untouched), -EINVAL (bad argument,
 * total < 16 bytes, or a packet that could never fit this ring) or
 * -EBADMSG (corrupt index in the shared page; ring untouched).
 */
int
vmb_ring_write(struct vmb_ring *r, const struct vmb_iov *iov,
	       unsigned int iovcnt, bool *need_signal);

/*
 * Largest vmb_ring_pkt_space() value that vmb_ring_write() accepts right
 * now (free bytes minus the 8 that keep the ring from filling exactly).
 * 0 when the shared indices are corrupt.
 */
uint32_t
vmb_ring_write_space(const struct vmb_ring *r);

/*
 * Writer is blocked: ask the reader to signal once at least bytes of
 * write space (vmb_ring_pkt_space units; rounded up to 8) are free.
 * Issues the full barrier and re-checks the space afterwards, closing the
 * race with a reader that just made room.
 * Returns 1 when the room is already there (clear it and retry now), 0 when
 * the caller should wait for the signal, -EINVAL when bytes is 0 or larger
 * than the ring can ever offer (size - 8).
 */
int
vmb_ring_set_pending_send(struct vmb_ring *r, uint32_t bytes);

/* Writer is no longer blocked: pending_send_sz = 0. */
void
vmb_ring_clear_pending_send(struct vmb_ring *r);

/* --- reader side ---------------------------------------------------------- */

/*
 * Copy the next unread packet (descriptor .. padded payload, trailer
 * excluded, i.e. len8 * 8 bytes) into buf and advance the private cursor;
 * nothing is published until vmb_ring_read_commit().  Successive peeks walk
 * a batch.  The descriptor is validated from a private copy (offset8 >= 2,
 * len8 >= offset8, len8 * 8 + 8 <= bytes available, flags only bit 0,
 * type 1..0xd), and that validated copy is what lands in buf[0..16).
 * buf may be NULL when buflen is 0 (size query).  *pktlen must not be NULL.
 *
 * Returns 0 (*pktlen = bytes copied), -EAGAIN (nothing to read),
 * -EMSGSIZE (buflen too small: *pktlen = bytes needed; cursor not moved, so
 * retry with a larger buffer or vmb_ring_skip()), -EBADMSG (corrupt ring
 * or descriptor: the channel is unusable), -EINVAL (bad argument).
 */
int
vmb_ring_peek(struct vmb_ring *r, void *buf, size_t buflen, size_t *pktlen);

/*
 * Step the private cursor over the next packet without copying it (same
 * validation as vmb_ring_peek).  Returns 0, -EAGAIN, -EBADMSG or -EINVAL.
 */
int
vmb_ring_skip(struct vmb_ring *r);

/*
 * Publish the private cursor as read_index (release).  Returns true when
 * the writer must be signalled: feature bit PENDING_SEND_SZ set,
 * pending_send_sz & ~7 != 0, and this commit moved the write space from
 * below pending_send_sz to at least pending_send_sz.  Returns false when
 * nothing was peeked since the last commit.
 */
bool
vmb_ring_read_commit(struct vmb_ring *r);

/* Forget the packets peeked since the last commit (they will be read again). */
void
vmb_ring_read_abort(struct vmb_ring *r);

/* Reader: interrupt_mask = 1 (do not signal me while I drain). */
void
vmb_ring_mask(struct vmb_ring *r);

/*
 * Reader: interrupt_mask = 0, full barrier, then re-check.  Returns true
 * when data is pending after the reader's cursor: the caller must keep
 * draining (it will not get a signal for that data).
 */
bool
vmb_ring_unmask(struct vmb_ring *r);

/* --- stats ---------------------------------------------------------------- */

/* Bytes between read_index and write_index in the shared page; 0 if corrupt. */
uint32_t
vmb_ring_bytes_used(const struct vmb_ring *r);

/*
 * Reader: bytes not yet peeked (between the private cursor and
 * write_index); 0 if corrupt.
 */
uint32_t
vmb_ring_read_avail(const struct vmb_ring *r);

#endif /* VMB_RING_H */
