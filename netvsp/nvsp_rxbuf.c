/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp_rxbuf.c - receive-buffer slot allocator (see nvsp_rxbuf.h).
 *
 * Free slots sit on two LIFO stacks (control, data): the most recently
 * freed slot is reused first, which keeps the guest pages it touches warm.
 * Slots of a batch are chained through next[]; the first slot's tag[]
 * holds the batch generation that forms the high half of the id.
 */
#include <errno.h>
#include <stdlib.h>

#include "nvsp_rxbuf.h"

/* Largest allocator nvsp_rxbuf_create() accepts (ids keep 32-bit slots). */
#define NVSP_RXBUF_MAX_SLOTS	(1u << 24)

enum nvsp_slot_state {
	SLOT_FREE = 0,		/* on a free stack */
	SLOT_PENDING,		/* allocated, in a batch being built */
	SLOT_IN_FLIGHT,		/* owned by the guest */
};

struct nvsp_rxbuf {
	uint32_t max_slots;	/* array capacity */
	uint32_t nslots;	/* configured slots, 0 = no buffer */
	uint32_t nctl;		/* slots [0, nctl) are control slots */
	uint32_t n_ctl_free;	/* entries on ctl_stack */
	uint32_t n_data_free;	/* entries on data_stack */
	uint32_t in_flight;	/* slots IN_FLIGHT */
	uint32_t batches;	/* batches IN_FLIGHT */
	uint32_t next_gen;	/* generation of the next commit, never 0 */
	uint8_t *state;		/* [max_slots] enum nvsp_slot_state */
	uint32_t *next;		/* [max_slots] chain link */
	uint32_t *tag;		/* [max_slots] generation of a batch head */
	uint32_t *data_stack;	/* [max_slots] free data slots */
	uint32_t ctl_stack[NVSP_RXBUF_CTL_MAX]; /* free control slots */
};

struct nvsp_rxbuf *
nvsp_rxbuf_create(uint32_t max_slots)
{
	struct nvsp_rxbuf *rb;

	if (max_slots == 0 || max_slots > NVSP_RXBUF_MAX_SLOTS) {
		return NULL;
	}
	rb = calloc(1, sizeof(*rb));
	if (rb == NULL) {
		return NULL;
	}
	rb->max_slots = max_slots;
	rb->next_gen = 1;
	rb->state = calloc(max_slots, sizeof(*rb->state));
	if (rb->state == NULL) {
		goto fail;
	}
	rb->next = calloc(max_slots, sizeof(*rb->next));
	if (rb->next == NULL) {
		goto fail;
	}
	rb->tag = calloc(max_slots, sizeof(*rb->tag));
	if (rb->tag == NULL) {
		goto fail;
	}
	rb->data_stack = calloc(max_slots, sizeof(*rb->data_stack));
	if (rb->data_stack == NULL) {
		goto fail;
	}
	return rb;
fail:
	nvsp_rxbuf_destroy(rb);
	return NULL;
}

void
nvsp_rxbuf_destroy(struct nvsp_rxbuf *rb)
{
	if (rb == NULL) {
		return;
	}
	free(rb->data_stack);
	free(rb->tag);
	free(rb->next);
	free(rb->state);
	free(rb);
}

void
nvsp_rxbuf_reset(struct nvsp_rxbuf *rb)
{
	rb->nslots = 0;
	rb->nctl = 0;
	rb->n_ctl_free = 0;
	rb->n_data_free = 0;
	rb->in_flight = 0;
	rb->batches = 0;
}

int
nvsp_rxbuf_configure(struct nvsp_rxbuf *rb, uint32_t nslots, uint32_t nctl)
{
	uint32_t i;

	if (rb == NULL || nctl > NVSP_RXBUF_CTL_MAX || nctl >= nslots ||
	    nslots > rb->max_slots) {
		return -EINVAL;
	}
	nvsp_rxbuf_reset(rb);
	rb->nslots = nslots;
	rb->nctl = nctl;
	for (i = 0; i < nslots; i++) {
		rb->state[i] = SLOT_FREE;
		rb->next[i] = NVSP_RXBUF_NONE;
		rb->tag[i] = 0;
	}
	/* Push in reverse so the lowest slot is handed out first. */
	for (i = nctl; i > 0; i--) {
		rb->ctl_stack[rb->n_ctl_free++] = i - 1;
	}
	for (i = nslots; i > nctl; i--) {
		rb->data_stack[rb->n_data_free++] = i - 1;
	}
	return 0;
}

int
nvsp_rxbuf_alloc_ctl(struct nvsp_rxbuf *rb, uint32_t *slot)
{
	uint32_t s;

	if (rb->n_ctl_free == 0) {
		return -ENOBUFS;
	}
	s = rb->ctl_stack[--rb->n_ctl_free];
	rb->state[s] = SLOT_PENDING;
	rb->next[s] = NVSP_RXBUF_NONE;
	*slot = s;
	return 0;
}

int
nvsp_rxbuf_alloc_data(struct nvsp_rxbuf *rb, uint32_t *slot)
{
	uint32_t s;

	if (rb->n_data_free == 0) {
		return -ENOBUFS;
	}
	s = rb->data_stack[--rb->n_data_free];
	rb->state[s] = SLOT_PENDING;
	rb->next[s] = NVSP_RXBUF_NONE;
	*slot = s;
	return 0;
}

/* Put slot s (not FREE) back on its stack. */
static void
push_free(struct nvsp_rxbuf *rb, uint32_t s)
{
	rb->state[s] = SLOT_FREE;
	rb->next[s] = NVSP_RXBUF_NONE;
	rb->tag[s] = 0;
	if (s < rb->nctl) {
		rb->ctl_stack[rb->n_ctl_free++] = s;
	} else {
		rb->data_stack[rb->n_data_free++] = s;
	}
}

void
nvsp_rxbuf_free_pending(struct nvsp_rxbuf *rb, uint32_t slot)
{
	if (slot < rb->nslots && rb->state[slot] == SLOT_PENDING) {
		push_free(rb, slot);
	}
}

void
nvsp_rxbuf_batch_add(struct nvsp_rxbuf *rb, struct nvsp_rxbuf_batch *b,
		     uint32_t slot)
{
	rb->next[slot] = NVSP_RXBUF_NONE;
	if (b->count == 0) {
		b->head = slot;
	} else {
		rb->next[b->tail] = slot;
	}
	b->tail = slot;
	b->count++;
}

uint64_t
nvsp_rxbuf_batch_id(const struct nvsp_rxbuf *rb,
		    const struct nvsp_rxbuf_batch *b)
{
	return ((uint64_t)rb->next_gen << 32) | b->head;
}

uint64_t
nvsp_rxbuf_batch_commit(struct nvsp_rxbuf *rb, struct nvsp_rxbuf_batch *b)
{
	uint64_t id = nvsp_rxbuf_batch_id(rb, b);
	uint32_t s = b->head;
	uint32_t n = 0;

	/* The chain was built by us; the cap only guards against bugs. */
	while (s != NVSP_RXBUF_NONE && n < b->count) {
		rb->state[s] = SLOT_IN_FLIGHT;
		s = rb->next[s];
		n++;
	}
	rb->tag[b->head] = rb->next_gen;
	rb->next_gen++;
	if (rb->next_gen == 0) {
		rb->next_gen = 1;
	}
	rb->in_flight += n;
	rb->batches++;
	nvsp_rxbuf_batch_init(b);
	return id;
}

void
nvsp_rxbuf_batch_abort(struct nvsp_rxbuf *rb, struct nvsp_rxbuf_batch *b)
{
	uint32_t s = b->head;
	uint32_t n = 0;

	while (s != NVSP_RXBUF_NONE && n < b->count) {
		uint32_t nx = rb->next[s];

		push_free(rb, s);
		s = nx;
		n++;
	}
	nvsp_rxbuf_batch_init(b);
}

int
nvsp_rxbuf_complete(struct nvsp_rxbuf *rb, uint64_t trans_id)
{
	uint32_t head = (uint32_t)trans_id;
	uint32_t gen = (uint32_t)(trans_id >> 32);
	uint32_t s, n = 0;

	if (gen == 0 || head >= rb->nslots ||
	    rb->state[head] != SLOT_IN_FLIGHT || rb->tag[head] != gen) {
		return -ENOENT;
	}
	s = head;
	/* Cap: a chain never holds more than the configured slots. */
	while (s != NVSP_RXBUF_NONE && n < rb->nslots &&
	       rb->state[s] == SLOT_IN_FLIGHT) {
		uint32_t nx = rb->next[s];

		push_free(rb, s);
		s = nx;
		n++;
	}
	rb->in_flight -= n;
	rb->batches--;
	return (int)n;
}

void
nvsp_rxbuf_counts(const struct nvsp_rxbuf *rb, struct nvsp_rxbuf_counts *c)
{
	c->nslots = rb->nslots;
	c->nctl = rb->nctl;
	c->free_ctl = rb->n_ctl_free;
	c->free_data = rb->n_data_free;
	c->in_flight = rb->in_flight;
	c->batches = rb->batches;
}
