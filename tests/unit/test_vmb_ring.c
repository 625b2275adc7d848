/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vmb_ring.c - VMBus ring buffer: layout, wrap-around, fill rules,
 * signalling decisions, corrupt rings, batch reads, and a two-thread
 * producer/consumer run.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vmb_pkt.h"
#include "vmb_ring.h"
#include "vmb_test_util.h"

/* A ring in plain memory: control page + npages data pages. */
struct tring {
	uint8_t *mem;		/* control page then data */
	size_t total;		/* bytes */
	struct vmb_ring wr;	/* writer's view */
	struct vmb_ring rd;	/* reader's view */
};

static void
tring_open(struct tring *t, unsigned int npages)
{
	t->total = (size_t)(npages + 1) * VMB_PAGE_SIZE;
	t->mem = aligned_alloc(VMB_PAGE_SIZE, t->total);
	assert_non_null(t->mem);
	memset(t->mem, 0x5a, t->total);
	assert_int_equal(vmb_ring_init(&t->wr, t->mem, t->total), 0);
	vmb_ring_ctl_init(&t->wr, VMB_RING_FEAT_PENDING_SEND_SZ);
	assert_int_equal(vmb_ring_init(&t->rd, t->mem, t->total), 0);
}

static void
tring_close(struct tring *t)
{
	free(t->mem);
	t->mem = NULL;
}

static struct vmb_ring_ctl *
tctl(struct tring *t)
{
	return (struct vmb_ring_ctl *)(void *)t->mem;
}

static uint8_t *
tdata(struct tring *t)
{
	return t->mem + VMB_PAGE_SIZE;
}

/* Place both indices at idx and make the reader re-read them. */
static void
tring_set_idx(struct tring *t, uint32_t idx)
{
	tctl(t)->write_index = idx;
	tctl(t)->read_index = idx;
	assert_int_equal(vmb_ring_init(&t->rd, t->mem, t->total), 0);
}

static void
fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed * 131u + i * 7u + 1u);
	}
}

/* Write an inband packet with payload p[0..plen). */
static int
write_inband(struct vmb_ring *r, uint64_t tid, const void *p, size_t plen,
	     bool *sig)
{
	uint8_t hdr[16];
	struct vmb_iov iov[2];
	int hl;

	hl = vmb_pkt_enc_inband(hdr, sizeof(hdr), 0, tid, plen);
	assert_int_equal(hl, 16);
	iov[0].base = hdr;
	iov[0].len = (size_t)hl;
	iov[1].base = p;
	iov[1].len = plen;
	return vmb_ring_write(r, iov, 2, sig);
}

/* Write raw bytes as one "packet" (the ring does not parse). */
static int
write_raw(struct vmb_ring *r, const void *p, size_t len)
{
	struct vmb_iov iov = { .base = p, .len = len };
	bool sig;

	return vmb_ring_write(r, &iov, 1, &sig);
}

/* Ring space an inband packet with plen payload bytes occupies. */
static uint32_t
inband_space(size_t plen)
{
	return (uint32_t)vmb_ring_pkt_space(16 + plen);
}

/* --- setup ---------------------------------------------------------------- */

static void
test_init_args(void **state)
{
	struct vmb_ring r;
	uint8_t *mem = aligned_alloc(VMB_PAGE_SIZE, 3 * VMB_PAGE_SIZE);

	(void)state;
	assert_non_null(mem);
	assert_int_equal(vmb_ring_init(NULL, mem, 2 * VMB_PAGE_SIZE), -EINVAL);
	assert_int_equal(vmb_ring_init(&r, NULL, 2 * VMB_PAGE_SIZE), -EINVAL);
	assert_int_equal(vmb_ring_init(&r, mem, VMB_PAGE_SIZE), -EINVAL);
	assert_int_equal(vmb_ring_init(&r, mem, 0), -EINVAL);
	assert_int_equal(vmb_ring_init(&r, mem, 2 * VMB_PAGE_SIZE + 8),
			 -EINVAL);
	assert_int_equal(vmb_ring_init(&r, mem + 4, 2 * VMB_PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(vmb_ring_init(&r, mem, 3 * VMB_PAGE_SIZE), 0);
	assert_ptr_equal(r.ctl, mem);
	assert_ptr_equal(r.data, mem + VMB_PAGE_SIZE);
	assert_int_equal(r.size, 2 * VMB_PAGE_SIZE);

	assert_int_equal(vmb_ring_init_split(&r, mem, NULL, VMB_PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(vmb_ring_init_split(&r, NULL, mem, VMB_PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(vmb_ring_init_split(&r, mem, mem + 4096, 0), -EINVAL);
	assert_int_equal(vmb_ring_init_split(&r, mem, mem + 4096, 100),
			 -EINVAL);
	assert_int_equal(vmb_ring_init_split(&r, mem, mem + 4096,
					     (size_t)VMB_RING_MAX_DATA_SIZE +
						     VMB_PAGE_SIZE),
			 -EINVAL);
	/* Data anywhere, even unaligned: only the control page needs 8. */
	assert_int_equal(vmb_ring_init_split(&r, mem, mem + 4097,
					     VMB_PAGE_SIZE),
			 0);
	assert_ptr_equal(r.data, mem + 4097);
	assert_int_equal(r.size, VMB_PAGE_SIZE);
	free(mem);
}

static void
test_ctl_init(void **state)
{
	struct tring t;
	uint8_t *c;
	size_t i;

	(void)state;
	tring_open(&t, 1);
	c = t.mem;
	for (i = 0; i < VMB_PAGE_SIZE; i++) {
		if (i >= 64 && i < 68) {
			continue;
		}
		assert_int_equal(c[i], 0);
	}
	assert_int_equal(sn_get_le32(c + 64), VMB_RING_FEAT_PENDING_SEND_SZ);
	/* Data area untouched. */
	assert_int_equal(tdata(&t)[0], 0x5a);
	assert_int_equal(vmb_ring_bytes_used(&t.rd), 0);
	assert_int_equal(vmb_ring_write_space(&t.wr), 4096 - 8);
	tring_close(&t);
}

/* --- basic and byte-exact ------------------------------------------------- */

/*
 * nvsp_init_pkt (vmb_test_util.h) as the ring writes it: the packet
 * followed by the trailer (write offset << 32), here at write offset 0x100.
 */
static void
test_nvsp_init_vector(void **state)
{
	static const uint8_t trailer[8] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	};
	struct tring t;
	uint8_t hdr[16], payload[40], buf[128];
	struct vmb_iov iov[2];
	size_t len = 0;
	bool sig = false;

	(void)state;
	tring_open(&t, 1);
	tring_set_idx(&t, 0x100);
	memset(payload, 0, sizeof(payload));
	sn_put_le32(payload + 0, 1);
	sn_put_le32(payload + 4, 0x00060001);
	sn_put_le32(payload + 8, 0x00060001);
	assert_int_equal(vmb_pkt_enc_inband(hdr, sizeof(hdr),
					    VMB_PKT_FLAG_COMPLETION_REQUESTED,
					    0xffff88810a2b3c40ull, 40),
			 16);
	iov[0].base = hdr;
	iov[0].len = 16;
	iov[1].base = payload;
	iov[1].len = 40;
	assert_int_equal(vmb_ring_write(&t.wr, iov, 2, &sig), 0);
	assert_true(sig);
	assert_memory_equal(tdata(&t) + 0x100, nvsp_init_pkt, 56);
	assert_memory_equal(tdata(&t) + 0x100 + 56, trailer, 8);
	/* Untouched beyond the trailer. */
	assert_int_equal(tdata(&t)[0x100 + 64], 0x5a);
	assert_int_equal(tctl(&t)->write_index, 0x100 + 64);
	assert_int_equal(tctl(&t)->read_index, 0x100);
	assert_int_equal(vmb_ring_bytes_used(&t.rd), 64);

	assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 56);
	assert_memory_equal(buf, nvsp_init_pkt, 56);
	/* Not published yet. */
	assert_int_equal(tctl(&t)->read_index, 0x100);
	assert_int_equal(vmb_ring_read_avail(&t.rd), 0);
	assert_false(vmb_ring_read_commit(&t.rd));
	assert_int_equal(tctl(&t)->read_index, 0x100 + 64);
	assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len),
			 -EAGAIN);
	tring_close(&t);
}

static void
test_write_args(void **state)
{
	struct tring t;
	uint8_t b[64] = { 0 };
	struct vmb_iov iov[2] = { { b, 8 }, { b, 7 } };
	bool sig;

	(void)state;
	tring_open(&t, 1);
	assert_int_equal(vmb_ring_write(NULL, iov, 2, &sig), -EINVAL);
	assert_int_equal(vmb_ring_write(&t.wr, NULL, 1, &sig), -EINVAL);
	/* 15 bytes: shorter than a descriptor. */
	assert_int_equal(vmb_ring_write(&t.wr, iov, 2, &sig), -EINVAL);
	assert_int_equal(vmb_ring_write(&t.wr, iov, 0, &sig), -EINVAL);
	iov[1].base = NULL;
	iov[1].len = 8;
	assert_int_equal(vmb_ring_write(&t.wr, iov, 2, &sig), -EINVAL);
	/* Zero-length NULL segments are fine. */
	iov[1].len = 0;
	iov[0].len = 16;
	assert_int_equal(vmb_ring_write(&t.wr, iov, 2, NULL), 0);
	assert_int_equal(tctl(&t)->write_index, 24);
	tring_close(&t);
}

/* --- wrap-around ---------------------------------------------------------- */

/*
 * Check the ring bytes of one inband packet written at start: descriptor,
 * payload, zero pad, trailer, all modulo the data size.
 */
static void
check_ring_bytes(struct tring *t, uint32_t start, const uint8_t *payload,
		 size_t plen, uint64_t tid)
{
	uint32_t size = t->wr.size;
	size_t total = 16 + plen, padded = (total + 7) & ~(size_t)7;
	uint8_t lin[16 + 512 + 16];
	size_t i;

	for (i = 0; i < padded + 8; i++) {
		lin[i] = tdata(t)[(start + i) % size];
	}
	assert_int_equal(sn_get_le16(lin + 0), VMB_PKT_DATA_INBAND);
	assert_int_equal(sn_get_le16(lin + 2), 2);
	assert_int_equal(sn_get_le16(lin + 4), padded / 8);
	assert_int_equal(sn_get_le16(lin + 6), 0);
	assert_true(sn_get_le64(lin + 8) == tid);
	assert_memory_equal(lin + 16, payload, plen);
	for (i = total; i < padded; i++) {
		assert_int_equal(lin[i], 0);
	}
	assert_true(sn_get_le64(lin + padded) == (uint64_t)start << 32);
}

static void
test_wrap_every_alignment(void **state)
{
	static const size_t plens[] = { 0, 1, 7, 8, 9, 13, 40, 100, 250, 500 };
	struct tring t;
	uint8_t payload[512], buf[1024];
	uint32_t size, start, k, expect_w;
	size_t i, len;
	bool sig;

	(void)state;
	tring_open(&t, 1);
	size = t.wr.size;
	for (i = 0; i < SN_ARRAY_SIZE(plens); i++) {
		/* Start 0..72 slots before the end, plus exactly at 0. */
		for (k = 0; k <= 72; k++) {
			uint64_t tid = ((uint64_t)i << 40) | k;

			start = k == 0 ? 0 : size - k * 8;
			tring_set_idx(&t, start);
			memset(tdata(&t), 0xee, size);
			fill_pattern(payload, plens[i], k);
			sig = false;
			assert_int_equal(write_inband(&t.wr, tid, payload,
						      plens[i], &sig),
					 0);
			assert_true(sig);
			expect_w = (start + inband_space(plens[i])) % size;
			assert_int_equal(tctl(&t)->write_index, expect_w);
			check_ring_bytes(&t, start, payload, plens[i], tid);

			len = 0;
			assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf),
						       &len),
					 0);
			assert_int_equal(len, inband_space(plens[i]) - 8);
			assert_int_equal(sn_get_le16(buf), VMB_PKT_DATA_INBAND);
			assert_true(sn_get_le64(buf + 8) == tid);
			assert_memory_equal(buf + 16, payload, plens[i]);
			assert_false(vmb_ring_read_commit(&t.rd));
			assert_int_equal(tctl(&t)->read_index, expect_w);
			assert_int_equal(vmb_ring_bytes_used(&t.rd), 0);
		}
	}
	tring_close(&t);
}

/* Two packets back to back across the end, with a split iov of odd sizes. */
static void
test_wrap_multi_segment(void **state)
{
	struct tring t;
	uint8_t hdr[16], a[5], b[3], c[11], buf[64];
	struct vmb_iov iov[4];
	uint32_t start;
	size_t len;

	(void)state;
	tring_open(&t, 1);
	for (start = t.wr.size - 48; start < t.wr.size; start += 8) {
		tring_set_idx(&t, start);
		fill_pattern(a, sizeof(a), 1);
		fill_pattern(b, sizeof(b), 2);
		fill_pattern(c, sizeof(c), 3);
		assert_int_equal(vmb_pkt_enc_inband(hdr, 16, 1, 77, 19), 16);
		iov[0] = (struct vmb_iov){ hdr, 16 };
		iov[1] = (struct vmb_iov){ a, sizeof(a) };
		iov[2] = (struct vmb_iov){ b, sizeof(b) };
		iov[3] = (struct vmb_iov){ c, sizeof(c) };
		assert_int_equal(vmb_ring_write(&t.wr, iov, 4, NULL), 0);
		assert_int_equal(vmb_ring_write(&t.wr, iov, 4, NULL), 0);
		assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len),
				 0);
		assert_int_equal(len, 40);
		assert_memory_equal(buf + 16, a, 5);
		assert_memory_equal(buf + 21, b, 3);
		assert_memory_equal(buf + 24, c, 11);
		assert_int_equal(buf[35], 0);
		assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len),
				 0);
		assert_memory_equal(buf + 24, c, 11);
		assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len),
				 -EAGAIN);
		vmb_ring_read_commit(&t.rd);
		assert_int_equal(tctl(&t)->read_index,
				 (start + 96) % t.wr.size);
	}
	tring_close(&t);
}

/* --- fill rules ----------------------------------------------------------- */

static void
test_exactly_full_refused(void **state)
{
	struct tring t;
	uint8_t payload[4096], *snap;
	uint32_t space;
	bool sig;

	(void)state;
	memset(payload, 0x11, sizeof(payload));
	snap = malloc(2 * VMB_PAGE_SIZE);
	assert_non_null(snap);
	tring_open(&t, 1);

	/* Empty ring: 4096 free, 4088 usable; 4096 can never fit. */
	assert_int_equal(write_inband(&t.wr, 1, payload, 4096 - 16 - 8, &sig),
			 -EINVAL);
	assert_int_equal(write_inband(&t.wr, 1, payload, 4096 - 16 - 16, &sig),
			 0);
	assert_int_equal(vmb_ring_bytes_used(&t.rd), 4088);
	assert_int_equal(vmb_ring_write_space(&t.wr), 0);
	assert_int_equal(write_inband(&t.wr, 1, payload, 0, &sig), -EAGAIN);

	/* Partly filled, starting mid-ring so the checks also wrap. */
	tring_set_idx(&t, 2048);
	assert_int_equal(write_inband(&t.wr, 2, payload, 1000 - 24, &sig), 0);
	space = vmb_ring_write_space(&t.wr);
	assert_int_equal(space, 4096 - 1000 - 8);
	/* Packet taking exactly the free bytes: refused, ring untouched. */
	memcpy(snap, t.mem, 2 * VMB_PAGE_SIZE);
	assert_int_equal(inband_space(space + 8 - 24), space + 8);
	assert_int_equal(write_inband(&t.wr, 3, payload, space + 8 - 24, &sig),
			 -EAGAIN);
	assert_memory_equal(snap, t.mem, 2 * VMB_PAGE_SIZE);
	/* One slot (8 bytes) less: accepted, and the ring is now "full". */
	assert_int_equal(write_inband(&t.wr, 3, payload, space - 24, &sig), 0);
	assert_false(sig);
	assert_int_equal(vmb_ring_write_space(&t.wr), 0);
	assert_int_equal(vmb_ring_bytes_used(&t.rd), 4088);
	assert_int_equal(tctl(&t)->write_index, 2048 - 8);
	tring_close(&t);
	free(snap);
}

/* --- corrupt rings -------------------------------------------------------- */

static void
test_corrupt_indices(void **state)
{
	static const uint32_t bad[] = { 4, 12, 4095, 4096, 4104, 0xfffffff8 };
	struct tring t;
	uint8_t payload[8] = { 0 }, buf[64], *snap;
	size_t i, len;
	bool sig;

	(void)state;
	snap = malloc(2 * VMB_PAGE_SIZE);
	assert_non_null(snap);
	tring_open(&t, 1);
	for (i = 0; i < SN_ARRAY_SIZE(bad); i++) {
		/* Corrupt write_index. */
		tring_set_idx(&t, 0);
		tctl(&t)->write_index = bad[i];
		memcpy(snap, t.mem, 2 * VMB_PAGE_SIZE);
		assert_int_equal(write_inband(&t.wr, 1, payload, 8, &sig),
				 -EBADMSG);
		assert_memory_equal(snap, t.mem, 2 * VMB_PAGE_SIZE);
		assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len),
				 -EBADMSG);
		assert_int_equal(vmb_ring_skip(&t.rd), -EBADMSG);
		assert_int_equal(vmb_ring_write_space(&t.wr), 0);
		assert_int_equal(vmb_ring_bytes_used(&t.rd), 0);
		assert_int_equal(vmb_ring_read_avail(&t.rd), 0);

		/* Corrupt read_index: writer refuses, fresh reader too. */
		tring_set_idx(&t, 0);
		tctl(&t)->read_index = bad[i];
		assert_int_equal(write_inband(&t.wr, 1, payload, 8, &sig),
				 -EBADMSG);
		assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len),
				 -EBADMSG);
		assert_int_equal(vmb_ring_write_space(&t.wr), 0);
		assert_int_equal(vmb_ring_set_pending_send(&t.wr, 64), 0);
		vmb_ring_clear_pending_send(&t.wr);
	}
	/* Fewer than descriptor + trailer bytes available. */
	tring_set_idx(&t, 0);
	tctl(&t)->write_index = 16;
	assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len),
			 -EBADMSG);
	/* A reader that already synced keeps its own cursor. */
	tring_set_idx(&t, 0);
	assert_int_equal(write_inband(&t.wr, 1, payload, 8, &sig), 0);
	assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len), 0);
	tctl(&t)->read_index = 12;	/* peer scribbles on our index */
	assert_false(vmb_ring_read_commit(&t.rd));
	assert_int_equal(tctl(&t)->read_index, 32);
	tring_close(&t);
	free(snap);
}

/* Write a descriptor claiming (type, off8, len8, flags) plus body bytes. */
static void
put_raw_desc(struct tring *t, uint16_t type, uint16_t off8, uint16_t len8,
	     uint16_t flags, size_t body)
{
	uint8_t raw[256];

	memset(raw, 0, sizeof(raw));
	sn_put_le16(raw + 0, type);
	sn_put_le16(raw + 2, off8);
	sn_put_le16(raw + 4, len8);
	sn_put_le16(raw + 6, flags);
	assert_true(body <= sizeof(raw));
	tring_set_idx(t, t->wr.size - 8);	/* descriptor wraps too */
	assert_int_equal(write_raw(&t->wr, raw, body), 0);
}

static void
expect_bad_desc(struct tring *t)
{
	uint8_t buf[256];
	size_t len = 0;

	assert_int_equal(vmb_ring_peek(&t->rd, buf, sizeof(buf), &len),
			 -EBADMSG);
	assert_int_equal(t->rd.rd_cursor, t->wr.size - 8);
	assert_int_equal(vmb_ring_skip(&t->rd), -EBADMSG);
	assert_int_equal(t->rd.rd_cursor, t->wr.size - 8);
	assert_false(vmb_ring_read_commit(&t->rd));
	assert_int_equal(tctl(t)->read_index, t->wr.size - 8);
}

static void
test_corrupt_descriptors(void **state)
{
	struct tring t;
	uint8_t buf[256];
	size_t len;

	(void)state;
	tring_open(&t, 1);
	/* Control: a sane raw descriptor is accepted. */
	put_raw_desc(&t, 6, 2, 4, 1, 32);
	assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 32);

	put_raw_desc(&t, 6, 1, 4, 0, 32);	/* offset8 < 2 */
	expect_bad_desc(&t);
	put_raw_desc(&t, 6, 0, 4, 0, 32);
	expect_bad_desc(&t);
	put_raw_desc(&t, 6, 4, 3, 0, 32);	/* len8 < offset8 */
	expect_bad_desc(&t);
	put_raw_desc(&t, 0, 2, 4, 0, 32);	/* unknown types */
	expect_bad_desc(&t);
	put_raw_desc(&t, 0xe, 2, 4, 0, 32);
	expect_bad_desc(&t);
	put_raw_desc(&t, 0xffff, 2, 4, 0, 32);
	expect_bad_desc(&t);
	put_raw_desc(&t, 6, 2, 4, 2, 32);	/* flag bits beyond bit 0 */
	expect_bad_desc(&t);
	put_raw_desc(&t, 6, 2, 4, 0x8001, 32);
	expect_bad_desc(&t);
	put_raw_desc(&t, 6, 2, 5, 0, 32);	/* len8 beyond available */
	expect_bad_desc(&t);
	put_raw_desc(&t, 6, 2, 0xffff, 0, 32);
	expect_bad_desc(&t);
	/* Exactly what is there (len8 * 8 + 8 == available): fine. */
	put_raw_desc(&t, 0xd, 2, 4, 0, 32);
	assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len), 0);
	tring_close(&t);
}

/* --- reader: batches, sizes, skip ----------------------------------------- */

static void
test_batch_peek_single_commit(void **state)
{
	struct tring t;
	uint8_t payload[200], buf[256];
	uint32_t w_after;
	size_t len;
	int i;

	(void)state;
	tring_open(&t, 1);
	tring_set_idx(&t, 4096 - 200);
	for (i = 0; i < 5; i++) {
		fill_pattern(payload, 20u + (unsigned)i * 30u, (uint32_t)i);
		assert_int_equal(write_inband(&t.wr, 100u + (unsigned)i,
					      payload, 20u + (unsigned)i * 30u,
					      NULL),
				 0);
	}
	w_after = tctl(&t)->write_index;
	for (i = 0; i < 5; i++) {
		assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len),
				 0);
		fill_pattern(payload, 20u + (unsigned)i * 30u, (uint32_t)i);
		assert_true(sn_get_le64(buf + 8) == 100u + (unsigned)i);
		assert_memory_equal(buf + 16, payload,
				    20u + (unsigned)i * 30u);
		assert_int_equal(tctl(&t)->read_index, 4096 - 200);
	}
	assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len), -EAGAIN);
	assert_int_equal(vmb_ring_read_avail(&t.rd), 0);
	assert_int_equal(vmb_ring_bytes_used(&t.rd), (4096 + w_after - 3896) %
							     4096);

	/* Abort returns to the last commit. */
	vmb_ring_read_abort(&t.rd);
	assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len), 0);
	assert_true(sn_get_le64(buf + 8) == 100);
	assert_int_equal(vmb_ring_skip(&t.rd), 0);
	assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len), 0);
	assert_true(sn_get_le64(buf + 8) == 102);
	/* Commit part of the batch. */
	vmb_ring_read_commit(&t.rd);
	assert_int_equal(tctl(&t)->read_index, t.rd.rd_cursor);
	assert_false(vmb_ring_read_commit(&t.rd));	/* nothing new */
	while (vmb_ring_skip(&t.rd) == 0) {
		;
	}
	vmb_ring_read_commit(&t.rd);
	assert_int_equal(tctl(&t)->read_index, w_after);
	assert_int_equal(vmb_ring_bytes_used(&t.rd), 0);
	tring_close(&t);
}

static void
test_peek_msgsize_and_skip(void **state)
{
	struct tring t;
	uint8_t payload[100], buf[128];
	size_t len;

	(void)state;
	tring_open(&t, 1);
	fill_pattern(payload, sizeof(payload), 9);
	assert_int_equal(write_inband(&t.wr, 1, payload, 100, NULL), 0);
	assert_int_equal(write_inband(&t.wr, 2, payload, 10, NULL), 0);

	len = 0;
	assert_int_equal(vmb_ring_peek(&t.rd, NULL, 0, &len), -EMSGSIZE);
	assert_int_equal(len, 120);
	len = 0;
	assert_int_equal(vmb_ring_peek(&t.rd, buf, 119, &len), -EMSGSIZE);
	assert_int_equal(len, 120);
	assert_int_equal(vmb_ring_read_avail(&t.rd), 128 + 40);
	/* Retry with enough room gives the same packet. */
	assert_int_equal(vmb_ring_peek(&t.rd, buf, 120, &len), 0);
	assert_true(sn_get_le64(buf + 8) == 1);
	vmb_ring_read_abort(&t.rd);
	/* Or skip it. */
	assert_int_equal(vmb_ring_skip(&t.rd), 0);
	assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 32);
	assert_true(sn_get_le64(buf + 8) == 2);
	assert_int_equal(vmb_ring_skip(&t.rd), -EAGAIN);
	assert_int_equal(vmb_ring_peek(NULL, buf, 1, &len), -EINVAL);
	assert_int_equal(vmb_ring_peek(&t.rd, NULL, 1, &len), -EINVAL);
	assert_int_equal(vmb_ring_peek(&t.rd, buf, 1, NULL), -EINVAL);
	assert_int_equal(vmb_ring_skip(NULL), -EINVAL);
	tring_close(&t);
}

/* --- signalling ----------------------------------------------------------- */

static void
test_signal_on_write(void **state)
{
	struct tring t;
	uint8_t payload[8] = { 0 }, buf[64];
	size_t len;
	bool sig;

	(void)state;
	tring_open(&t, 1);
	/* Empty, unmasked: signal. */
	sig = false;
	assert_int_equal(write_inband(&t.wr, 1, payload, 8, &sig), 0);
	assert_true(sig);
	/* Non-empty, unmasked: no signal. */
	sig = true;
	assert_int_equal(write_inband(&t.wr, 2, payload, 8, &sig), 0);
	assert_false(sig);
	/* Non-empty, masked: no signal. */
	vmb_ring_mask(&t.rd);
	assert_int_equal(tctl(&t)->interrupt_mask, 1);
	sig = true;
	assert_int_equal(write_inband(&t.wr, 3, payload, 8, &sig), 0);
	assert_false(sig);
	/* Drain; empty but masked: no signal. */
	while (vmb_ring_peek(&t.rd, buf, sizeof(buf), &len) == 0) {
		;
	}
	vmb_ring_read_commit(&t.rd);
	sig = true;
	assert_int_equal(write_inband(&t.wr, 4, payload, 8, &sig), 0);
	assert_false(sig);
	/* Unmask with data pending: reader must keep draining. */
	assert_true(vmb_ring_unmask(&t.rd));
	assert_int_equal(tctl(&t)->interrupt_mask, 0);
	assert_int_equal(vmb_ring_peek(&t.rd, buf, sizeof(buf), &len), 0);
	/* Peeked but not committed: nothing left after the cursor. */
	assert_false(vmb_ring_unmask(&t.rd));
	/* Not yet committed: from the writer's side the ring is not empty. */
	sig = true;
	assert_int_equal(write_inband(&t.wr, 5, payload, 8, &sig), 0);
	assert_false(sig);
	assert_true(vmb_ring_unmask(&t.rd));
	while (vmb_ring_peek(&t.rd, buf, sizeof(buf), &len) == 0) {
		;
	}
	vmb_ring_read_commit(&t.rd);
	assert_false(vmb_ring_unmask(&t.rd));
	/* Empty, unmasked again: signal. */
	sig = false;
	assert_int_equal(write_inband(&t.wr, 6, payload, 8, &sig), 0);
	assert_true(sig);
	/* A reader that never synced compares with read_index. */
	assert_int_equal(vmb_ring_init(&t.rd, t.mem, t.total), 0);
	assert_true(vmb_ring_unmask(&t.rd));
	tring_close(&t);
}

/*
 * Fill a 1-page ring with n packets of 1000 ring bytes each (payload 976),
 * starting at start; returns the write space left.
 */
static uint32_t
fill_1000(struct tring *t, uint32_t start, int n)
{
	uint8_t payload[976];
	int i;

	memset(payload, 0x33, sizeof(payload));
	tring_set_idx(t, start);
	for (i = 0; i < n; i++) {
		assert_int_equal(write_inband(&t->wr, (uint64_t)i, payload,
					      976, NULL),
				 0);
	}
	return vmb_ring_write_space(&t->wr);
}

static bool
read_one_commit(struct tring *t)
{
	uint8_t buf[1024];
	size_t len;

	assert_int_equal(vmb_ring_peek(&t->rd, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 992);
	return vmb_ring_read_commit(&t->rd);
}

static void
test_signal_pending_send(void **state)
{
	struct tring t;
	uint32_t space;

	(void)state;
	tring_open(&t, 1);

	/* 4 x 1000 in 4096: space 88.  Need 1000: one read crosses. */
	space = fill_1000(&t, 3000, 4);
	assert_int_equal(space, 88);
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 1000), 0);
	assert_int_equal(tctl(&t)->pending_send_sz, 1000);
	assert_true(read_one_commit(&t));	/* 88 -> 1088 */
	assert_false(read_one_commit(&t));	/* 1088 -> 2088: no re-signal */
	vmb_ring_clear_pending_send(&t.wr);
	assert_int_equal(tctl(&t)->pending_send_sz, 0);

	/* Need 2000: first read does not cross, second does. */
	fill_1000(&t, 0, 4);
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 2000), 0);
	assert_false(read_one_commit(&t));	/* 88 -> 1088 */
	assert_true(read_one_commit(&t));	/* 1088 -> 2088 */
	vmb_ring_clear_pending_send(&t.wr);

	/* Crossing exactly at the boundary (new space == pending). */
	fill_1000(&t, 8, 4);
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 1088), 0);
	assert_true(read_one_commit(&t));
	/* One byte more than what becomes free: no signal. */
	fill_1000(&t, 8, 4);
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 1089), 0);
	assert_int_equal(tctl(&t)->pending_send_sz, 1096);	/* rounded up */
	assert_false(read_one_commit(&t));

	/* Batch: two packets in one commit crossing 2000 signals once. */
	fill_1000(&t, 0, 4);
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 2000), 0);
	assert_int_equal(vmb_ring_skip(&t.rd), 0);
	assert_int_equal(vmb_ring_skip(&t.rd), 0);
	assert_true(vmb_ring_read_commit(&t.rd));

	/* Writer was not blocked (space already >= pending): no signal. */
	fill_1000(&t, 0, 2);
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 1000), 1);
	assert_false(read_one_commit(&t));
	vmb_ring_clear_pending_send(&t.wr);

	/* Space already exactly at pending (88 == 88): no transition. */
	fill_1000(&t, 0, 4);
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 88), 1);
	assert_false(read_one_commit(&t));
	/* One unit above: 88 < 96 -> 1088 is a transition. */
	fill_1000(&t, 0, 4);
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 96), 0);
	assert_true(read_one_commit(&t));
	vmb_ring_clear_pending_send(&t.wr);

	/* pending_send_sz 0: no signal. */
	fill_1000(&t, 0, 4);
	assert_false(read_one_commit(&t));

	/* Feature bit off: no signal even when crossing. */
	fill_1000(&t, 0, 4);
	tctl(&t)->feature_bits = 0;
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 1000), 0);
	assert_false(read_one_commit(&t));
	tctl(&t)->feature_bits = VMB_RING_FEAT_PENDING_SEND_SZ;
	vmb_ring_clear_pending_send(&t.wr);

	/*
	 * Low 3 bits masked: a writer that stored 1088 + 7 (size - 1 style)
	 * is woken when 1088 become free; unmasked it would not be.
	 */
	fill_1000(&t, 0, 4);
	tctl(&t)->pending_send_sz = 1088 + 7;
	assert_true(read_one_commit(&t));
	/* Only low bits set (e.g. 7): masks to 0, no signal. */
	fill_1000(&t, 0, 4);
	tctl(&t)->pending_send_sz = 7;
	assert_false(read_one_commit(&t));
	tctl(&t)->pending_send_sz = 0;

	/* Argument checks. */
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 0), -EINVAL);
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 4089), -EINVAL);
	assert_int_equal(vmb_ring_set_pending_send(NULL, 8), -EINVAL);
	tring_set_idx(&t, 0);
	assert_int_equal(vmb_ring_set_pending_send(&t.wr, 4088), 1);
	tring_close(&t);
}

/* --- two threads ---------------------------------------------------------- */

#define PC_PACKETS 100000u
#define PC_TIMEOUT_NS 5000000000ll

/* Shared between the two test threads (stands for the two processes). */
struct pc_ctx {
	struct tring t;
	/* Doorbells: incremented by the signalling side. */
	unsigned int rd_bell;	/* writer -> reader */
	unsigned int wr_bell;	/* reader -> writer */
	/* Wake-ups that never came (waited PC_TIMEOUT_NS). */
	unsigned int missed;
	/* Order/content/return-code failures seen by either thread. */
	unsigned int errors;
	/* Signals the producer raised (ring went empty -> non-empty). */
	unsigned int signals_rd;
	/* Signals the consumer raised (pending_send_sz crossed). */
	unsigned int signals_wr;
};

static void
pc_fail(struct pc_ctx *c)
{
	__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELEASE);
}

static bool
pc_failed(struct pc_ctx *c)
{
	return __atomic_load_n(&c->errors, __ATOMIC_ACQUIRE) != 0;
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Wait until *bell != seen; count a miss on timeout. */
static void
wait_bell(struct pc_ctx *c, unsigned int *bell, unsigned int seen)
{
	long long t0 = now_ns();

	while (__atomic_load_n(bell, __ATOMIC_ACQUIRE) == seen) {
		if (now_ns() - t0 > PC_TIMEOUT_NS) {
			__atomic_fetch_add(&c->missed, 1, __ATOMIC_RELAXED);
			return;
		}
		sched_yield();
	}
}

static uint32_t
pc_len(uint32_t seq)
{
	/* 8 .. ~3000 bytes, deterministic, mixing small and large. */
	uint32_t x = seq * 2654435761u;

	return 8 + (x >> 8) % ((x & 0x10) ? 3000 : 120);
}

static void *
pc_producer(void *arg)
{
	struct pc_ctx *c = arg;
	uint8_t hdr[16], payload[3200];
	struct vmb_iov iov[2];
	uint32_t seq, plen, i;
	unsigned int seen;
	bool sig;
	int rc;

	for (seq = 0; seq < PC_PACKETS; seq++) {
		plen = pc_len(seq);
		sn_put_le32(payload, seq);
		sn_put_le32(payload + 4, plen);
		for (i = 8; i < plen; i++) {
			payload[i] = (uint8_t)(seq + i);
		}
		vmb_pkt_enc_inband(hdr, sizeof(hdr), 0, seq, plen);
		iov[0] = (struct vmb_iov){ hdr, 16 };
		iov[1] = (struct vmb_iov){ payload, plen };
		for (;;) {
			rc = vmb_ring_write(&c->t.wr, iov, 2, &sig);
			if (rc == 0) {
				break;
			}
			if (rc != -EAGAIN) {
				pc_fail(c);
				return NULL;
			}
			if (pc_failed(c)) {
				return NULL;	/* consumer gave up */
			}
			seen = __atomic_load_n(&c->wr_bell, __ATOMIC_ACQUIRE);
			rc = vmb_ring_set_pending_send(
				&c->t.wr,
				(uint32_t)vmb_ring_pkt_space(16 + plen));
			if (rc == 0) {
				wait_bell(c, &c->wr_bell, seen);
			}
			vmb_ring_clear_pending_send(&c->t.wr);
		}
		if (sig) {
			c->signals_rd++;
			__atomic_fetch_add(&c->rd_bell, 1, __ATOMIC_RELEASE);
		}
	}
	return NULL;
}

static void *
pc_consumer(void *arg)
{
	struct pc_ctx *c = arg;
	uint8_t buf[4096];
	struct vmb_pkt p;
	uint32_t expect = 0, plen, i;
	unsigned int seen;
	size_t len;
	int rc;

	while (expect < PC_PACKETS && !pc_failed(c)) {
		seen = __atomic_load_n(&c->rd_bell, __ATOMIC_ACQUIRE);
		vmb_ring_mask(&c->t.rd);
		while ((rc = vmb_ring_peek(&c->t.rd, buf, sizeof(buf),
					   &len)) == 0) {
			if (vmb_pkt_decode(buf, len, &p) != 0 ||
			    p.trans_id != expect ||
			    sn_get_le32(p.payload) != expect) {
				pc_fail(c);
				return NULL;
			}
			plen = sn_get_le32(p.payload + 4);
			if (plen != pc_len(expect) || p.payload_len < plen ||
			    p.payload_len >= plen + 8) {
				pc_fail(c);
				return NULL;
			}
			for (i = 8; i < plen; i++) {
				if (p.payload[i] != (uint8_t)(expect + i)) {
					pc_fail(c);
					return NULL;
				}
			}
			expect++;
			/* Commit every few packets: batches of varying size. */
			if ((expect & 3) == 0 &&
			    vmb_ring_read_commit(&c->t.rd)) {
				c->signals_wr++;
				__atomic_fetch_add(&c->wr_bell, 1,
						   __ATOMIC_RELEASE);
			}
		}
		if (rc != -EAGAIN) {
			pc_fail(c);
			return NULL;
		}
		if (vmb_ring_read_commit(&c->t.rd)) {
			c->signals_wr++;
			__atomic_fetch_add(&c->wr_bell, 1, __ATOMIC_RELEASE);
		}
		if (vmb_ring_unmask(&c->t.rd)) {
			continue;	/* data arrived: drain again */
		}
		if (expect < PC_PACKETS) {
			wait_bell(c, &c->rd_bell, seen);
		}
	}
	return NULL;
}

static void
test_two_threads(void **state)
{
	struct pc_ctx *c = calloc(1, sizeof(*c));
	pthread_t prod, cons;

	(void)state;
	assert_non_null(c);
	tring_open(&c->t, 4);	/* 16 KiB: forces wraps and full rings */
	assert_int_equal(pthread_create(&cons, NULL, pc_consumer, c), 0);
	assert_int_equal(pthread_create(&prod, NULL, pc_producer, c), 0);
	assert_int_equal(pthread_join(prod, NULL), 0);
	assert_int_equal(pthread_join(cons, NULL), 0);
	assert_int_equal(c->errors, 0);
	assert_int_equal(c->missed, 0);
	assert_int_equal(vmb_ring_bytes_used(&c->t.rd), 0);
	/* Both directions of signalling were exercised. */
	assert_true(c->signals_rd > 0);
	assert_true(c->signals_wr > 0);
	tring_close(&c->t);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_args),
		cmocka_unit_test(test_ctl_init),
		cmocka_unit_test(test_nvsp_init_vector),
		cmocka_unit_test(test_write_args),
		cmocka_unit_test(test_wrap_every_alignment),
		cmocka_unit_test(test_wrap_multi_segment),
		cmocka_unit_test(test_exactly_full_refused),
		cmocka_unit_test(test_corrupt_indices),
		cmocka_unit_test(test_corrupt_descriptors),
		cmocka_unit_test(test_batch_peek_single_commit),
		cmocka_unit_test(test_peek_msgsize_and_skip),
		cmocka_unit_test(test_signal_on_write),
		cmocka_unit_test(test_signal_pending_send),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
