/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vmb_pkt.c - VMBus channel packet codec: vectors, round trips for
 * every encoder, and every malformed class the decoder rejects.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vmb_pkt.h"
#include "vmb_ring.h"
#include "vmb_test_util.h"

/*
 * Host -> guest RX transfer-page packet with 2 ranges, built from the
 * layout in Linux include/linux/hyperv.h (struct
 * vmtransfer_page_packet_header) and what Linux netvsc_receive()
 * (drivers/net/hyperv/netvsc.c) accepts: type 7, offset8 = 3 + 2 = 5,
 * len8 = 5 + 16 / 8 = 7, COMPLETION_REQUESTED, xfer_pageset_id 0xCAFE
 * (NETVSC_RECEIVE_BUFFER_ID), sender_owns 0, ranges {0x62c @ 0x7000},
 * {0x4e @ 0x7700}; payload NVSP SEND_RNDIS_PKT (107), channel_type 0,
 * section index 0xffffffff, size 0.  Not a capture: values are chosen.
 */
static const uint8_t xfer_pkt[56] = {
	0x07, 0x00, 0x05, 0x00, 0x07, 0x00, 0x01, 0x00,
	0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xfe, 0xca, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x2c, 0x06, 0x00, 0x00, 0x00, 0x70, 0x00, 0x00,
	0x4e, 0x00, 0x00, 0x00, 0x00, 0x77, 0x00, 0x00,
	0x6b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
};

/* Build a packet from an encoded header and payload (as the ring would). */
static size_t
assemble(uint8_t *out, const uint8_t *hdr, size_t hlen, const void *pl,
	 size_t plen)
{
	size_t total = hlen + plen, padded = (total + 7) & ~(size_t)7;

	memcpy(out, hdr, hlen);
	if (plen > 0) {
		memcpy(out + hlen, pl, plen);
	}
	memset(out + total, 0, padded - total);
	return padded;
}

/* Write a descriptor into p. */
static void
put_desc(uint8_t *p, uint16_t type, uint16_t off8, uint16_t len8,
	 uint16_t flags, uint64_t tid)
{
	sn_put_le16(p + 0, type);
	sn_put_le16(p + 2, off8);
	sn_put_le16(p + 4, len8);
	sn_put_le16(p + 6, flags);
	sn_put_le64(p + 8, tid);
}

/* --- vectors -------------------------------------------------------------- */

static void
test_nvsp_init_vector(void **state)
{
	struct vmb_pkt p;
	uint8_t hdr[16];

	(void)state;
	assert_int_equal(vmb_pkt_decode(nvsp_init_pkt, sizeof(nvsp_init_pkt),
					&p),
			 0);
	assert_int_equal(p.type, VMB_PKT_DATA_INBAND);
	assert_int_equal(p.offset8, 2);
	assert_int_equal(p.len8, 7);
	assert_int_equal(p.flags, VMB_PKT_FLAG_COMPLETION_REQUESTED);
	assert_true(p.trans_id == 0xffff88810a2b3c40ull);
	assert_ptr_equal(p.payload, nvsp_init_pkt + 16);
	assert_int_equal(p.payload_len, 40);
	assert_int_equal(sn_get_le32(p.payload), 1);
	assert_int_equal(sn_get_le32(p.payload + 4), 0x00060001);
	assert_int_equal(sn_get_le32(p.payload + 8), 0x00060001);
	assert_null(p.ranges);
	assert_int_equal(p.range_cnt, 0);

	/* The encoder produces the same descriptor bytes. */
	assert_int_equal(vmb_pkt_enc_inband(hdr, sizeof(hdr),
					    VMB_PKT_FLAG_COMPLETION_REQUESTED,
					    0xffff88810a2b3c40ull, 40),
			 16);
	assert_memory_equal(hdr, nvsp_init_pkt, 16);
}

static void
test_xfer_vector(void **state)
{
	static const struct vmb_xfer_range rr[2] = {
		{ 0x62c, 0x7000 },
		{ 0x4e, 0x7700 },
	};
	struct vmb_pkt p;
	uint32_t cnt, off;
	uint8_t hdr[64];

	(void)state;
	assert_int_equal(vmb_pkt_decode(xfer_pkt, sizeof(xfer_pkt), &p), 0);
	assert_int_equal(p.type, VMB_PKT_DATA_USING_XFER_PAGES);
	assert_int_equal(p.offset8, 5);
	assert_int_equal(p.len8, 7);
	assert_int_equal(p.flags, 1);
	assert_true(p.trans_id == 0x2a);
	assert_int_equal(p.xfer_pageset_id, 0xcafe);
	assert_int_equal(p.sender_owns, 0);
	assert_int_equal(p.range_cnt, 2);
	assert_ptr_equal(p.ranges, xfer_pkt + 24);
	assert_int_equal(p.ranges_len, 16);
	assert_ptr_equal(p.payload, xfer_pkt + 40);
	assert_int_equal(p.payload_len, 16);
	assert_int_equal(sn_get_le32(p.payload), 107);
	assert_int_equal(sn_get_le32(p.payload + 8), 0xffffffffu);
	assert_int_equal(vmb_pkt_xfer_range(&p, 0, &cnt, &off), 0);
	assert_int_equal(cnt, 0x62c);
	assert_int_equal(off, 0x7000);
	assert_int_equal(vmb_pkt_xfer_range(&p, 1, &cnt, &off), 0);
	assert_int_equal(cnt, 0x4e);
	assert_int_equal(off, 0x7700);
	assert_int_equal(vmb_pkt_xfer_range(&p, 2, &cnt, &off), -ERANGE);
	assert_int_equal(vmb_pkt_xfer_range(&p, 0xffffffffu, &cnt, &off),
			 -ERANGE);
	assert_int_equal(vmb_pkt_xfer_range(NULL, 0, &cnt, &off), -EINVAL);
	assert_int_equal(vmb_pkt_xfer_range(&p, 0, NULL, &off), -EINVAL);

	/* Encoder reproduces the header bytes. */
	assert_int_equal(vmb_pkt_enc_xfer(hdr, sizeof(hdr), 1, 0x2a, 0xcafe, 0,
					  rr, 2, 16),
			 40);
	assert_memory_equal(hdr, xfer_pkt, 40);
}

/* --- round trips ---------------------------------------------------------- */

static void
test_roundtrip_inband_comp(void **state)
{
	static const size_t plens[] = { 0, 1, 7, 8, 9, 40, 1000, 65535 };
	uint8_t hdr[16], *pl, *pkt;
	struct vmb_pkt p;
	size_t i, n;

	(void)state;
	pl = malloc(70000);
	pkt = malloc(70000);
	assert_non_null(pl);
	assert_non_null(pkt);
	for (i = 0; i < 70000; i++) {
		pl[i] = (uint8_t)(i * 13);
	}
	for (i = 0; i < SN_ARRAY_SIZE(plens); i++) {
		assert_int_equal(vmb_pkt_enc_inband(hdr, 16, 0,
						    0x1122334455667788ull,
						    plens[i]),
				 16);
		n = assemble(pkt, hdr, 16, pl, plens[i]);
		assert_int_equal(vmb_pkt_decode(pkt, n, &p), 0);
		assert_int_equal(p.type, VMB_PKT_DATA_INBAND);
		assert_int_equal(p.offset8, 2);
		assert_int_equal(p.len8, (16 + plens[i] + 7) / 8);
		assert_int_equal(p.flags, 0);
		assert_true(p.trans_id == 0x1122334455667788ull);
		assert_int_equal(p.payload_len, n - 16);
		assert_memory_equal(p.payload, pl, plens[i]);

		assert_int_equal(vmb_pkt_enc_comp(hdr, 16, 77, plens[i]), 16);
		n = assemble(pkt, hdr, 16, pl, plens[i]);
		assert_int_equal(vmb_pkt_decode(pkt, n, &p), 0);
		assert_int_equal(p.type, VMB_PKT_COMP);
		assert_int_equal(p.flags, 0);
		assert_true(p.trans_id == 77);
		assert_memory_equal(p.payload, pl, plens[i]);
	}
	/* Largest payload: len8 = 0xffff exactly. */
	assert_int_equal(vmb_pkt_enc_inband(hdr, 16, 0, 0, 0xffff * 8 - 16),
			 16);
	assert_int_equal(sn_get_le16(hdr + 4), 0xffff);
	assert_int_equal(vmb_pkt_enc_inband(hdr, 16, 0, 0, 0xffff * 8 - 15),
			 -ERANGE);
	free(pl);
	free(pkt);
}

static void
test_roundtrip_xfer(void **state)
{
	static const uint32_t counts[] = { 0, 1, 2, 375, 562 };
	struct vmb_xfer_range rr[562];
	uint8_t hdr[VMB_XFER_HDR_LEN(562)], pkt[VMB_XFER_HDR_LEN(562) + 64];
	uint8_t pl[28];
	struct vmb_pkt p;
	uint32_t i, j, cnt, off;
	size_t n;
	int hl;

	(void)state;
	memset(pl, 0xa5, sizeof(pl));
	for (i = 0; i < SN_ARRAY_SIZE(rr); i++) {
		rr[i].byte_count = 60 + i;
		rr[i].byte_offset = i * 1792u + 0x10000u;
	}
	for (j = 0; j < SN_ARRAY_SIZE(counts); j++) {
		hl = vmb_pkt_enc_xfer(hdr, sizeof(hdr), 1, 1000 + j, 0xcafe, 1,
				      rr, counts[j], sizeof(pl));
		assert_int_equal(hl, 24 + 8 * counts[j]);
		assert_int_equal(sn_get_le16(hdr + 2), 3 + counts[j]);
		assert_int_equal(sn_get_le16(hdr + 4),
				 3 + counts[j] + (28 + 7) / 8);
		n = assemble(pkt, hdr, (size_t)hl, pl, sizeof(pl));
		assert_int_equal(vmb_pkt_decode(pkt, n, &p), 0);
		assert_int_equal(p.type, VMB_PKT_DATA_USING_XFER_PAGES);
		assert_true(p.trans_id == 1000 + j);
		assert_int_equal(p.xfer_pageset_id, 0xcafe);
		assert_int_equal(p.sender_owns, 1);
		assert_int_equal(p.range_cnt, counts[j]);
		assert_int_equal(p.payload_len, 32);
		assert_memory_equal(p.payload, pl, sizeof(pl));
		for (i = 0; i < counts[j]; i++) {
			assert_int_equal(vmb_pkt_xfer_range(&p, i, &cnt, &off),
					 0);
			assert_int_equal(cnt, 60 + i);
			assert_int_equal(off, i * 1792u + 0x10000u);
		}
		assert_int_equal(vmb_pkt_xfer_range(&p, counts[j], &cnt, &off),
				 -ERANGE);
	}
}

static void
test_roundtrip_gpa(void **state)
{
	/* One PFN per range, as Linux netvsc sends (hv_page_buffer). */
	static const uint64_t pa[1] = { 0x123456789ull };
	static const uint64_t pb[3] = { 0x1000, 0x2000, 0xfffffffffffffull };
	static const uint64_t pc[2] = { 7, 8 };
	const struct vmb_gpa_buf rg[3] = {
		{ 0x100, 0x40, pa },		/* 1 page */
		{ 8192, 1, pb },		/* 1 + 8192 -> 3 pages */
		{ 2, 4095, pc },		/* straddles: 2 pages */
	};
	static const uint32_t npfn[3] = { 1, 3, 2 };
	const uint64_t *pfns[3] = { pa, pb, pc };
	uint8_t hdr[256], pkt[320], pl[16];
	struct vmb_gpa_iter it;
	struct vmb_gpa_range g;
	struct vmb_pkt p;
	uint32_t i, k;
	size_t n;
	int hl;

	(void)state;
	memset(pl, 0x3c, sizeof(pl));
	/* 24 + (8 + 8) + (8 + 24) + (8 + 16) = 96. */
	assert_int_equal(vmb_pkt_gpa_hdr_len(rg, 3), 96);
	hl = vmb_pkt_enc_gpa(hdr, sizeof(hdr), 1, 0xabcdef, rg, 3, sizeof(pl));
	assert_int_equal(hl, 96);
	assert_int_equal(sn_get_le16(hdr + 0), 9);
	assert_int_equal(sn_get_le16(hdr + 2), 12);
	assert_int_equal(sn_get_le16(hdr + 4), 14);
	assert_int_equal(sn_get_le32(hdr + 16), 0);
	assert_int_equal(sn_get_le32(hdr + 20), 3);
	n = assemble(pkt, hdr, (size_t)hl, pl, sizeof(pl));
	assert_int_equal(vmb_pkt_decode(pkt, n, &p), 0);
	assert_int_equal(p.type, VMB_PKT_DATA_USING_GPA_DIRECT);
	assert_int_equal(p.range_cnt, 3);
	assert_int_equal(p.ranges_len, 72);
	assert_memory_equal(p.payload, pl, sizeof(pl));

	assert_int_equal(vmb_gpa_iter_init(&it, &p), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(vmb_gpa_range_next(&it, &g), 1);
		assert_int_equal(g.byte_count, rg[i].byte_count);
		assert_int_equal(g.byte_offset, rg[i].byte_offset);
		assert_int_equal(g.pfn_count, npfn[i]);
		for (k = 0; k < npfn[i]; k++) {
			assert_true(vmb_gpa_range_pfn(&g, k) == pfns[i][k]);
		}
	}
	assert_int_equal(vmb_gpa_range_next(&it, &g), 0);
	assert_int_equal(vmb_gpa_range_next(&it, &g), 0);

	/* Single-page single-range, the common netvsc shape. */
	hl = vmb_pkt_enc_gpa(hdr, sizeof(hdr), 1, 5, rg, 1, 0);
	assert_int_equal(hl, 40);
	assert_int_equal(sn_get_le16(hdr + 4), 5);
	assert_int_equal(vmb_pkt_decode(hdr, 40, &p), 0);
	assert_int_equal(p.payload_len, 0);
}

/* Encode, write through a ring across its end, peek, decode. */
static void
test_through_ring(void **state)
{
	static const uint64_t pf[2] = { 0x42, 0x43 };
	const struct vmb_gpa_buf rg[1] = { { 5000, 100, pf } };
	uint8_t *mem, hdr[64], pl[30], buf[256];
	struct vmb_ring w, r;
	struct vmb_iov iov[2];
	struct vmb_gpa_iter it;
	struct vmb_gpa_range g;
	struct vmb_pkt p;
	size_t len;
	int hl;

	(void)state;
	mem = aligned_alloc(4096, 2 * 4096);
	assert_non_null(mem);
	assert_int_equal(vmb_ring_init(&w, mem, 2 * 4096), 0);
	vmb_ring_ctl_init(&w, VMB_RING_FEAT_PENDING_SEND_SZ);
	sn_put_le32(mem + 0, 4096 - 32);
	sn_put_le32(mem + 4, 4096 - 32);
	assert_int_equal(vmb_ring_init(&r, mem, 2 * 4096), 0);
	memset(pl, 0x77, sizeof(pl));
	hl = vmb_pkt_enc_gpa(hdr, sizeof(hdr), 1, 99, rg, 1, sizeof(pl));
	assert_int_equal(hl, 48);
	iov[0] = (struct vmb_iov){ hdr, (size_t)hl };
	iov[1] = (struct vmb_iov){ pl, sizeof(pl) };
	assert_int_equal(vmb_ring_write(&w, iov, 2, NULL), 0);
	assert_int_equal(vmb_ring_peek(&r, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 80);
	assert_int_equal(vmb_pkt_decode(buf, len, &p), 0);
	assert_true(p.trans_id == 99);
	assert_memory_equal(p.payload, pl, sizeof(pl));
	assert_int_equal(vmb_gpa_iter_init(&it, &p), 0);
	assert_int_equal(vmb_gpa_range_next(&it, &g), 1);
	assert_int_equal(g.pfn_count, 2);
	assert_true(vmb_gpa_range_pfn(&g, 1) == 0x43);
	free(mem);
}

/* --- encoder errors ------------------------------------------------------- */

static void
test_encoder_errors(void **state)
{
	static const uint64_t pf[4] = { 1, 2, 3, 4 };
	struct vmb_gpa_buf rg[VMB_GPA_MAX_RANGES + 1];
	struct vmb_xfer_range xr[2] = { { 1, 2 }, { 3, 4 } };
	uint8_t hdr[64];
	uint32_t i;

	(void)state;
	assert_int_equal(vmb_pkt_enc_inband(hdr, 16, 2, 0, 0), -EINVAL);
	assert_int_equal(vmb_pkt_enc_inband(hdr, 16, 0x8000, 0, 0), -EINVAL);
	assert_int_equal(vmb_pkt_enc_inband(NULL, 16, 0, 0, 0), -EINVAL);
	assert_int_equal(vmb_pkt_enc_inband(hdr, 15, 0, 0, 0), -EMSGSIZE);
	assert_int_equal(vmb_pkt_enc_inband(hdr, 16, 0, 0, (size_t)-1),
			 -ERANGE);
	assert_int_equal(vmb_pkt_enc_comp(hdr, 8, 0, 0), -EMSGSIZE);
	assert_int_equal(vmb_pkt_enc_xfer(hdr, 39, 1, 0, 0xcafe, 0, xr, 2, 0),
			 -EMSGSIZE);
	assert_int_equal(vmb_pkt_enc_xfer(hdr, 40, 1, 0, 0xcafe, 0, NULL, 2, 0),
			 -EINVAL);
	assert_int_equal(vmb_pkt_enc_xfer(hdr, 40, 4, 0, 0xcafe, 0, xr, 2, 0),
			 -EINVAL);
	/* offset8 would exceed 0xffff. */
	assert_int_equal(vmb_pkt_enc_xfer(hdr, 64, 1, 0, 0xcafe, 0, xr,
					  0xfffd, 0),
			 -ERANGE);
	/* offset8 fits, len8 does not. */
	assert_int_equal(vmb_pkt_enc_xfer(hdr, 64, 1, 0, 0xcafe, 0, xr,
					  0xfffc, 8),
			 -ERANGE);

	for (i = 0; i < SN_ARRAY_SIZE(rg); i++) {
		rg[i] = (struct vmb_gpa_buf){ 4096, 0, pf };
	}
	assert_int_equal(vmb_pkt_gpa_hdr_len(rg, 0), -EINVAL);
	assert_int_equal(vmb_pkt_gpa_hdr_len(NULL, 1), -EINVAL);
	assert_int_equal(vmb_pkt_gpa_hdr_len(rg, VMB_GPA_MAX_RANGES),
			 24 + 16 * VMB_GPA_MAX_RANGES);
	assert_int_equal(vmb_pkt_gpa_hdr_len(rg, VMB_GPA_MAX_RANGES + 1),
			 -EINVAL);
	rg[1].byte_count = 0;
	assert_int_equal(vmb_pkt_gpa_hdr_len(rg, 2), -EINVAL);
	rg[1] = (struct vmb_gpa_buf){ 1, 4096, pf };
	assert_int_equal(vmb_pkt_gpa_hdr_len(rg, 2), -EINVAL);
	rg[1] = (struct vmb_gpa_buf){ 1, 0, NULL };
	assert_int_equal(vmb_pkt_gpa_hdr_len(rg, 2), -EINVAL);
	/* A 1 GiB range needs 262144 PFNs: header too long. */
	rg[1] = (struct vmb_gpa_buf){ 0x40000000u, 0, pf };
	assert_int_equal(vmb_pkt_gpa_hdr_len(rg, 2), -ERANGE);
	rg[1] = (struct vmb_gpa_buf){ 4096, 0, pf };
	assert_int_equal(vmb_pkt_enc_gpa(hdr, 55, 1, 0, rg, 2, 0), -EMSGSIZE);
	assert_int_equal(vmb_pkt_enc_gpa(hdr, 56, 1, 0, rg, 2, 0), 56);
	assert_int_equal(vmb_pkt_enc_gpa(hdr, 56, 2, 0, rg, 2, 0), -EINVAL);
}

/* --- decoder: malformed --------------------------------------------------- */

static void
test_decode_malformed_desc(void **state)
{
	uint8_t pkt[64];
	struct vmb_pkt p;

	(void)state;
	memset(pkt, 0, sizeof(pkt));
	assert_int_equal(vmb_pkt_decode(NULL, 16, &p), -EINVAL);
	assert_int_equal(vmb_pkt_decode(pkt, 16, NULL), -EINVAL);

	put_desc(pkt, 6, 2, 4, 0, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), 0);
	assert_int_equal(vmb_pkt_decode(pkt, 64, &p), 0);	/* extra ok */
	assert_int_equal(vmb_pkt_decode(pkt, 31, &p), -EMSGSIZE);
	assert_int_equal(vmb_pkt_decode(pkt, 15, &p), -EMSGSIZE);
	assert_int_equal(vmb_pkt_decode(pkt, 0, &p), -EMSGSIZE);

	put_desc(pkt, 6, 1, 4, 0, 1);		/* offset8 < 2 */
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), -EBADMSG);
	put_desc(pkt, 6, 0, 0, 0, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), -EBADMSG);
	put_desc(pkt, 6, 4, 3, 0, 1);		/* len8 < offset8 */
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), -EBADMSG);
	put_desc(pkt, 0, 2, 4, 0, 1);		/* unknown types */
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), -EBADMSG);
	put_desc(pkt, 0xe, 2, 4, 0, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), -EBADMSG);
	put_desc(pkt, 0x106, 2, 4, 0, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), -EBADMSG);
	put_desc(pkt, 6, 2, 4, 2, 1);		/* flag bits beyond bit 0 */
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), -EBADMSG);
	put_desc(pkt, 6, 2, 4, 0xfffe, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), -EBADMSG);
	put_desc(pkt, 6, 2, 0xffff, 0, 1);	/* len8 beyond the buffer */
	assert_int_equal(vmb_pkt_decode(pkt, 64, &p), -EMSGSIZE);

	/* Known but unsupported: common fields filled, -ENOTSUP. */
	put_desc(pkt, VMB_PKT_DATA_USING_GPADL, 3, 4, 1, 0x55);
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), -ENOTSUP);
	assert_int_equal(p.type, VMB_PKT_DATA_USING_GPADL);
	assert_true(p.trans_id == 0x55);
	assert_int_equal(p.payload_len, 8);
	assert_ptr_equal(p.payload, pkt + 24);
	put_desc(pkt, VMB_PKT_CANCEL_REQUEST, 2, 2, 0, 0);
	assert_int_equal(vmb_pkt_decode(pkt, 16, &p), -ENOTSUP);
}

static void
test_decode_malformed_xfer(void **state)
{
	uint8_t pkt[64];
	struct vmb_pkt p;

	(void)state;
	memset(pkt, 0, sizeof(pkt));
	/* offset8 2: no room for the transfer-page header. */
	put_desc(pkt, 7, 2, 4, 1, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), -EBADMSG);
	/* 2 ranges declared, offset8 4 leaves room for 1. */
	put_desc(pkt, 7, 4, 6, 1, 1);
	sn_put_le32(pkt + 20, 2);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), -EBADMSG);
	/* Huge count must not wrap the size computation. */
	sn_put_le32(pkt + 20, 0xffffffffu);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), -EBADMSG);
	sn_put_le32(pkt + 20, 0x20000000u);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), -EBADMSG);
	/* Lenient: fewer ranges than the header has room for is fine. */
	sn_put_le32(pkt + 20, 0);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), 0);
	assert_int_equal(p.range_cnt, 0);
	assert_int_equal(p.ranges_len, 8);
	sn_put_le32(pkt + 20, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), 0);
	assert_int_equal(p.range_cnt, 1);
	assert_int_equal(p.payload_len, 16);
	/* xfer_range on a non-xfer packet. */
	put_desc(pkt, 6, 2, 4, 0, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 32, &p), 0);
	{
		uint32_t c, o;

		assert_int_equal(vmb_pkt_xfer_range(&p, 0, &c, &o), -EINVAL);
	}
}

/* Start a GPA-direct packet: descriptor with offset8, range_cnt. */
static void
gpa_pkt(uint8_t *pkt, uint16_t off8, uint16_t len8, uint32_t cnt)
{
	memset(pkt, 0, 256);
	put_desc(pkt, 9, off8, len8, 1, 1);
	sn_put_le32(pkt + 16, 0xdeadbeef);	/* reserved: garbage allowed */
	sn_put_le32(pkt + 20, cnt);
}

static void
put_range(uint8_t *at, uint32_t count, uint32_t off)
{
	sn_put_le32(at, count);
	sn_put_le32(at + 4, off);
}

static void
test_decode_malformed_gpa(void **state)
{
	uint8_t pkt[256];
	struct vmb_pkt p;

	(void)state;
	/* Control: one range, one PFN, offset8 = 5. */
	gpa_pkt(pkt, 5, 6, 1);
	put_range(pkt + 24, 100, 0);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), 0);
	assert_int_equal(p.range_cnt, 1);

	/* Header too short for the GPA header. */
	gpa_pkt(pkt, 2, 6, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), -EBADMSG);
	/* offset8 3: GPA header but no room for a range header. */
	gpa_pkt(pkt, 3, 6, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), -EBADMSG);
	/* Range header but no room for its PFN. */
	gpa_pkt(pkt, 4, 6, 1);
	put_range(pkt + 24, 100, 0);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), -EBADMSG);
	/* Zero ranges, too many ranges. */
	gpa_pkt(pkt, 5, 6, 0);
	put_range(pkt + 24, 100, 0);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), -EBADMSG);
	gpa_pkt(pkt, 5, 6, VMB_GPA_MAX_RANGES + 1);
	put_range(pkt + 24, 100, 0);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), -EBADMSG);
	gpa_pkt(pkt, 5, 6, 0xffffffffu);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), -EBADMSG);
	/* Zero-length range. */
	gpa_pkt(pkt, 5, 6, 1);
	put_range(pkt + 24, 0, 0);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), -EBADMSG);
	/* Offset outside the first page (room for its 2 PFNs). */
	gpa_pkt(pkt, 7, 8, 1);
	put_range(pkt + 24, 1, 4096);
	assert_int_equal(vmb_pkt_decode(pkt, 64, &p), -EBADMSG);
	gpa_pkt(pkt, 7, 8, 1);
	put_range(pkt + 24, 1, 0xffffffffu);
	assert_int_equal(vmb_pkt_decode(pkt, 64, &p), -EBADMSG);
	/* PFN array overflows: 1 + 8192 bytes needs 3 PFNs, 2 present. */
	gpa_pkt(pkt, 6, 7, 1);
	put_range(pkt + 24, 8192, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 56, &p), -EBADMSG);
	gpa_pkt(pkt, 7, 8, 1);
	put_range(pkt + 24, 8192, 1);
	assert_int_equal(vmb_pkt_decode(pkt, 64, &p), 0);
	/* Huge byte_count: PFN count must not wrap. */
	gpa_pkt(pkt, 7, 8, 1);
	put_range(pkt + 24, 0xffffffffu, 4095);
	assert_int_equal(vmb_pkt_decode(pkt, 64, &p), -EBADMSG);
	/* Two ranges declared, only one fits in the header. */
	gpa_pkt(pkt, 5, 6, 2);
	put_range(pkt + 24, 100, 0);
	assert_int_equal(vmb_pkt_decode(pkt, 48, &p), -EBADMSG);
	/* Second range's PFN array runs into the payload. */
	gpa_pkt(pkt, 7, 12, 2);
	put_range(pkt + 24, 100, 0);
	put_range(pkt + 40, 4097, 0);	/* needs 2 PFNs, 1 slot left */
	assert_int_equal(vmb_pkt_decode(pkt, 96, &p), -EBADMSG);
	/* One more 8-byte unit of header and both fit. */
	gpa_pkt(pkt, 8, 12, 2);
	put_range(pkt + 24, 100, 0);
	put_range(pkt + 40, 4097, 0);
	assert_int_equal(vmb_pkt_decode(pkt, 96, &p), 0);
	assert_int_equal(p.payload_len, 32);
}

static void
test_gpa_iter(void **state)
{
	uint8_t *area;
	struct vmb_gpa_iter it;
	struct vmb_gpa_range g;
	struct vmb_pkt p;
	uint32_t i, n;

	(void)state;
	/* pfn_count = ceil((offset + count) / 4096). */
	{
		static const struct {
			uint32_t count, off, npfn;
		} c[] = {
			{ 1, 0, 1 },	 { 4096, 0, 1 }, { 4097, 0, 2 },
			{ 1, 4095, 1 },	 { 2, 4095, 2 }, { 4096, 1, 2 },
			{ 8192, 4095, 3 },
		};
		uint8_t pkt[256];

		for (i = 0; i < SN_ARRAY_SIZE(c); i++) {
			gpa_pkt(pkt, 8, 8, 1);
			put_range(pkt + 24, c[i].count, c[i].off);
			assert_int_equal(vmb_pkt_decode(pkt, 64, &p), 0);
			assert_int_equal(vmb_gpa_iter_init(&it, &p), 0);
			assert_int_equal(vmb_gpa_range_next(&it, &g), 1);
			assert_int_equal(g.pfn_count, c[i].npfn);
			assert_ptr_equal(g.pfns, pkt + 32);
		}
	}

	/*
	 * Hard cap: a hand-made vmb_pkt claiming 300 ranges over room for
	 * 300 yields only VMB_GPA_MAX_RANGES.
	 */
	area = calloc(300, 16);
	assert_non_null(area);
	for (i = 0; i < 300; i++) {
		put_range(area + i * 16, 10, 0);
		sn_put_le64(area + i * 16 + 8, i);
	}
	memset(&p, 0, sizeof(p));
	p.type = VMB_PKT_DATA_USING_GPA_DIRECT;
	p.range_cnt = 300;
	p.ranges = area;
	p.ranges_len = 300 * 16;
	assert_int_equal(vmb_gpa_iter_init(&it, &p), 0);
	n = 0;
	while (vmb_gpa_range_next(&it, &g) == 1) {
		assert_true(vmb_gpa_range_pfn(&g, 0) == n);
		n++;
	}
	assert_int_equal(n, VMB_GPA_MAX_RANGES);

	/*
	 * decode() itself refuses more than VMB_GPA_MAX_RANGES ranges even
	 * when they all fit in the header, and accepts exactly the cap.
	 */
	{
		size_t hl = 24 + 257 * 16, n = hl + 8;
		uint8_t *pkt = calloc(1, n);

		assert_non_null(pkt);
		put_desc(pkt, 9, (uint16_t)(hl / 8), (uint16_t)(n / 8), 1, 1);
		memcpy(pkt + 24, area, 257 * 16);
		sn_put_le32(pkt + 20, 257);
		assert_int_equal(vmb_pkt_decode(pkt, n, &p), -EBADMSG);
		sn_put_le32(pkt + 20, 256);
		assert_int_equal(vmb_pkt_decode(pkt, n, &p), 0);
		assert_int_equal(p.range_cnt, 256);
		free(pkt);
	}
	memset(&p, 0, sizeof(p));
	p.type = VMB_PKT_DATA_USING_GPA_DIRECT;
	p.ranges = area;
	p.ranges_len = 300 * 16;

	/* After an error the iterator stays finished. */
	put_range(area + 16, 0, 0);
	p.range_cnt = 3;
	assert_int_equal(vmb_gpa_iter_init(&it, &p), 0);
	assert_int_equal(vmb_gpa_range_next(&it, &g), 1);
	assert_int_equal(vmb_gpa_range_next(&it, &g), -EBADMSG);
	assert_int_equal(vmb_gpa_range_next(&it, &g), 0);

	/* Argument checks. */
	assert_int_equal(vmb_gpa_iter_init(NULL, &p), -EINVAL);
	assert_int_equal(vmb_gpa_iter_init(&it, NULL), -EINVAL);
	assert_int_equal(vmb_gpa_range_next(NULL, &g), -EINVAL);
	assert_int_equal(vmb_gpa_range_next(&it, NULL), -EINVAL);
	p.type = VMB_PKT_DATA_INBAND;
	assert_int_equal(vmb_gpa_iter_init(&it, &p), -EINVAL);
	free(area);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nvsp_init_vector),
		cmocka_unit_test(test_xfer_vector),
		cmocka_unit_test(test_roundtrip_inband_comp),
		cmocka_unit_test(test_roundtrip_xfer),
		cmocka_unit_test(test_roundtrip_gpa),
		cmocka_unit_test(test_through_ring),
		cmocka_unit_test(test_encoder_errors),
		cmocka_unit_test(test_decode_malformed_desc),
		cmocka_unit_test(test_decode_malformed_xfer),
		cmocka_unit_test(test_decode_malformed_gpa),
		cmocka_unit_test(test_gpa_iter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
