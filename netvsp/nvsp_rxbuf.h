/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp_rxbuf.h - receive-buffer slot allocator of the host (netvsp) side.
 *
 * The guest's receive buffer is cut into nslots equal slots ("sub
 * allocations").  Slots [0, nctl) are reserved for RNDIS control replies
 * and status indications, so data traffic can never starve them; slots
 * [nctl, nslots) carry received frames.
 *
 * Slots travel to the guest in batches: one VMBus transfer-page packet
 * names one batch (one range per slot).  A batch's transaction id encodes
 * its first slot and a generation number:
 *
 *	trans_id = (uint64_t)generation << 32 | first_slot
 *
 * The guest echoes the id in its completion; nvsp_rxbuf_complete() finds
 * the batch from the id alone (no table search), checks the generation so
 * stale and duplicate ids are refused, and frees every slot of the chain.
 *
 * Life of a slot: FREE --alloc--> PENDING (in a batch being built)
 * --commit--> IN_FLIGHT (owned by the guest) --complete--> FREE.  A batch
 * that could not be sent is aborted (PENDING -> FREE).
 *
 * Every array is allocated by nvsp_rxbuf_create() for max_slots; nothing
 * allocates afterwards.  Not thread safe: one poll thread owns it.
 */
#ifndef NVSP_RXBUF_H
#define NVSP_RXBUF_H

#include <stdbool.h>
#include <stdint.h>

/* End of a slot chain / "no slot". */
#define NVSP_RXBUF_NONE		UINT32_MAX

/* Most control slots nvsp_rxbuf_configure() accepts. */
#define NVSP_RXBUF_CTL_MAX	64u

struct nvsp_rxbuf;

/*
 * A batch under construction: a chain of PENDING slots.  Plain value owned
 * by the caller; initialise with nvsp_rxbuf_batch_init().
 */
struct nvsp_rxbuf_batch {
	uint32_t head;		/* first slot, NVSP_RXBUF_NONE when empty */
	uint32_t tail;		/* last slot, NVSP_RXBUF_NONE when empty */
	uint32_t count;		/* slots in the chain */
};

/* Occupancy counters (see nvsp_rxbuf_counts()). */
struct nvsp_rxbuf_counts {
	uint32_t nslots;	/* configured slots, 0 = no buffer */
	uint32_t nctl;		/* of which reserved for control */
	uint32_t free_ctl;	/* control slots FREE */
	uint32_t free_data;	/* data slots FREE */
	uint32_t in_flight;	/* slots owned by the guest */
	uint32_t batches;	/* batches owned by the guest */
};

/*
 * Allocate an allocator able to manage up to max_slots slots (1 ..
 * 2^24).  Returns an owned pointer (release with nvsp_rxbuf_destroy()) or
 * NULL (bad argument or out of memory).  Starts unconfigured (0 slots).
 */
struct nvsp_rxbuf *
nvsp_rxbuf_create(uint32_t max_slots);

/* Release rb and its arrays.  NULL is a no-op. */
void
nvsp_rxbuf_destroy(struct nvsp_rxbuf *rb);

/*
 * Start managing nslots slots, the first nctl of them control slots.
 * Every slot becomes FREE; batches in flight are forgotten (their ids
 * will be refused).  Requires nctl <= NVSP_RXBUF_CTL_MAX, nctl < nslots
 * <= max_slots.  Returns 0 or -EINVAL (rb unchanged).
 */
int
nvsp_rxbuf_configure(struct nvsp_rxbuf *rb, uint32_t nslots, uint32_t nctl);

/* Forget the buffer: 0 slots, nothing in flight. */
void
nvsp_rxbuf_reset(struct nvsp_rxbuf *rb);

/*
 * Take a FREE control / data slot; it becomes PENDING and must be added to
 * a batch or given back with nvsp_rxbuf_free_pending().  Returns 0 with
 * *slot set, or -ENOBUFS.
 */
int
nvsp_rxbuf_alloc_ctl(struct nvsp_rxbuf *rb, uint32_t *slot);
int
nvsp_rxbuf_alloc_data(struct nvsp_rxbuf *rb, uint32_t *slot);

/* Give a PENDING slot that is in no batch back.  Other slots: ignored. */
void
nvsp_rxbuf_free_pending(struct nvsp_rxbuf *rb, uint32_t slot);

/* Empty batch. */
static inline void
nvsp_rxbuf_batch_init(struct nvsp_rxbuf_batch *b)
{
	b->head = NVSP_RXBUF_NONE;
	b->tail = NVSP_RXBUF_NONE;
	b->count = 0;
}

/* Append a PENDING slot (from alloc) to batch b. */
void
nvsp_rxbuf_batch_add(struct nvsp_rxbuf *rb, struct nvsp_rxbuf_batch *b,
		     uint32_t slot);

/*
 * Transaction id nvsp_rxbuf_batch_commit() will give the non-empty batch b
 * if it is committed next.  Use it to build the packet before committing.
 */
uint64_t
nvsp_rxbuf_batch_id(const struct nvsp_rxbuf *rb,
		    const struct nvsp_rxbuf_batch *b);

/*
 * The packet naming b is in the ring: its slots become IN_FLIGHT under the
 * id nvsp_rxbuf_batch_id() returned.  b is emptied.  Returns that id.
 */
uint64_t
nvsp_rxbuf_batch_commit(struct nvsp_rxbuf *rb, struct nvsp_rxbuf_batch *b);

/* The batch was not sent: every slot of b becomes FREE; b is emptied. */
void
nvsp_rxbuf_batch_abort(struct nvsp_rxbuf *rb, struct nvsp_rxbuf_batch *b);

/*
 * The guest completed trans_id: free every slot of that batch.  Returns
 * the number of slots freed (> 0), or -ENOENT when the id names no batch
 * in flight (unknown, stale generation, or already completed).
 */
int
nvsp_rxbuf_complete(struct nvsp_rxbuf *rb, uint64_t trans_id);

/* Fill *c with the current occupancy. */
void
nvsp_rxbuf_counts(const struct nvsp_rxbuf *rb, struct nvsp_rxbuf_counts *c);

#endif /* NVSP_RXBUF_H */
