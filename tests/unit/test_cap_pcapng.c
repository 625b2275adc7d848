/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cap_pcapng.c - the pure pcapng block encoder (pcap/cap_pcapng.h).
 *
 * Vector origin: every expected block below was written by hand from the
 * pcapng specification (IETF draft-ietf-opsawg-pcapng-02: section 3.1
 * general block structure, 3.5 options, 4.1 SHB, 4.2 IDB, 4.3 EPB, 4.6
 * ISB), field by field as annotated, in little-endian section byte order.
 * The same bytes were then concatenated into one file (SHB, the IDB twice
 * so that interface 1 exists, EPB, ISB) and read with `tshark -r FILE -V`
 * and `capinfos` (Wireshark 4.0.17), which decoded the section (os
 * "Linux", application "synthnet"), the interface name, description,
 * filter string and nanosecond resolution, the timestamp 2023-11-14
 * 22:13:20.123456789 UTC, 5 of 60 bytes captured, direction "Inbound",
 * the comment "mtu" and one statistics entry, without complaint.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "cap_pcapng.h"
#include "ofl_frames.h"
#include "sn_wire.h"

/* 2023-11-14T22:13:20.123456789Z in ns: high 0x17979cfe, low 0x3d85cd15. */
#define TS1 1700000000123456789ull
/* One second later, rounded: 1700000001000000000. */
#define TS2 1700000001000000000ull

/* SHB, shb_os "Linux", shb_userappl "synthnet" (56 bytes). */
static const uint8_t shb_vec[56] = {
	0x0a, 0x0d, 0x0d, 0x0a, /* block type SHB */
	0x38, 0x00, 0x00, 0x00, /* block total length 56 */
	0x4d, 0x3c, 0x2b, 0x1a, /* byte-order magic 0x1A2B3C4D */
	0x01, 0x00, 0x00, 0x00, /* major 1, minor 0 */
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* length -1 */
	0x03, 0x00, 0x05, 0x00, /* shb_os, 5 bytes */
	'L', 'i', 'n', 'u', 'x', 0x00, 0x00, 0x00, /* + 3 padding */
	0x04, 0x00, 0x08, 0x00, /* shb_userappl, 8 bytes */
	's', 'y', 'n', 't', 'h', 'n', 'e', 't',
	0x00, 0x00, 0x00, 0x00, /* opt_endofopt */
	0x38, 0x00, 0x00, 0x00, /* block total length 56 */
};

/*
 * IDB, LINKTYPE_ETHERNET, snaplen 262144, if_name "lab/vm1/eth0",
 * if_description "netvsc", if_tsresol 9, if_filter "icmp" (72 bytes).
 */
static const uint8_t idb_vec[72] = {
	0x01, 0x00, 0x00, 0x00, /* block type IDB */
	0x48, 0x00, 0x00, 0x00, /* block total length 72 */
	0x01, 0x00, 0x00, 0x00, /* link type 1, reserved 0 */
	0x00, 0x00, 0x04, 0x00, /* snaplen 0x00040000 */
	0x02, 0x00, 0x0c, 0x00, /* if_name, 12 bytes */
	'l', 'a', 'b', '/', 'v', 'm', '1', '/', 'e', 't', 'h', '0',
	0x03, 0x00, 0x06, 0x00, /* if_description, 6 bytes */
	'n', 'e', 't', 'v', 's', 'c', 0x00, 0x00,
	0x09, 0x00, 0x01, 0x00, /* if_tsresol, 1 byte */
	0x09, 0x00, 0x00, 0x00, /* 10^-9 s */
	0x0b, 0x00, 0x05, 0x00, /* if_filter, 5 bytes */
	0x00, 'i', 'c', 'm', 'p', 0x00, 0x00, 0x00, /* type 0: string */
	0x00, 0x00, 0x00, 0x00, /* opt_endofopt */
	0x48, 0x00, 0x00, 0x00, /* block total length 72 */
};

/*
 * EPB, interface 1, TS1, 5 of 60 bytes captured, epb_flags inbound,
 * opt_comment "mtu" (60 bytes).
 */
static const uint8_t epb_vec[60] = {
	0x06, 0x00, 0x00, 0x00, /* block type EPB */
	0x3c, 0x00, 0x00, 0x00, /* block total length 60 */
	0x01, 0x00, 0x00, 0x00, /* interface id 1 */
	0xfe, 0x9c, 0x97, 0x17, /* timestamp high */
	0x15, 0xcd, 0x85, 0x3d, /* timestamp low */
	0x05, 0x00, 0x00, 0x00, /* captured length 5 */
	0x3c, 0x00, 0x00, 0x00, /* original length 60 */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x00, 0x00, 0x00, /* data + pad */
	0x02, 0x00, 0x04, 0x00, /* epb_flags, 4 bytes */
	0x01, 0x00, 0x00, 0x00, /* direction inbound */
	0x01, 0x00, 0x03, 0x00, /* opt_comment, 3 bytes */
	'm', 't', 'u', 0x00,
	0x00, 0x00, 0x00, 0x00, /* opt_endofopt */
	0x3c, 0x00, 0x00, 0x00, /* block total length 60 */
};

/*
 * ISB, interface 0, at TS2: isb_starttime TS1, isb_endtime TS2,
 * isb_ifrecv 1000, isb_ifdrop 3, isb_filteraccept 997, isb_usrdeliv 990
 * (100 bytes).
 */
static const uint8_t isb_vec[100] = {
	0x05, 0x00, 0x00, 0x00, /* block type ISB */
	0x64, 0x00, 0x00, 0x00, /* block total length 100 */
	0x00, 0x00, 0x00, 0x00, /* interface id 0 */
	0xfe, 0x9c, 0x97, 0x17, /* timestamp high */
	0x00, 0xca, 0xc4, 0x71, /* timestamp low */
	0x02, 0x00, 0x08, 0x00, /* isb_starttime: high, low */
	0xfe, 0x9c, 0x97, 0x17, 0x15, 0xcd, 0x85, 0x3d,
	0x03, 0x00, 0x08, 0x00, /* isb_endtime */
	0xfe, 0x9c, 0x97, 0x17, 0x00, 0xca, 0xc4, 0x71,
	0x04, 0x00, 0x08, 0x00, /* isb_ifrecv 1000 */
	0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x08, 0x00, /* isb_ifdrop 3 */
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x08, 0x00, /* isb_filteraccept 997 */
	0xe5, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x08, 0x00, /* isb_usrdeliv 990 */
	0xde, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, /* opt_endofopt */
	0x64, 0x00, 0x00, 0x00, /* block total length 100 */
};

static const uint8_t five[5] = { 1, 2, 3, 4, 5 };

static const struct cap_pcapng_idb idb_cfg = {
	.linktype = CAP_PCAPNG_LINKTYPE_ETHERNET,
	.snaplen = 262144,
	.tsresol = CAP_PCAPNG_TSRESOL_NS,
	.name = "lab/vm1/eth0",
	.desc = "netvsc",
	.filter = "icmp",
};

/*
 * Walk the options of a block (starting at off) and check the layout
 * rules: each option starts 4-aligned, its padding is zero, the list
 * ends with opt_endofopt exactly before the trailing length.  Returns the
 * number of options before opt_endofopt (0 if the block has none).
 */
static unsigned int
check_options(const uint8_t *b, size_t blen, size_t off)
{
	unsigned int n = 0;

	if (off == blen - 4) {
		return 0; /* no options at all */
	}
	for (;;) {
		uint16_t code, len;
		size_t padded, i;

		assert_int_equal(off % 4, 0);
		assert_true(off + 4 <= blen - 4);
		code = sn_get_le16(b + off);
		len = sn_get_le16(b + off + 2);
		if (code == CAP_PCAPNG_OPT_END) {
			assert_int_equal(len, 0);
			assert_int_equal(off + 4, blen - 4);
			return n;
		}
		padded = SN_ALIGN_UP((size_t)len, (size_t)4);
		assert_true(off + 4 + padded <= blen - 4);
		for (i = len; i < padded; i++) {
			assert_int_equal(b[off + 4 + i], 0);
		}
		off += 4 + padded;
		n++;
	}
}

/* Common frame checks: type, both lengths, 4-byte multiple. */
static void
check_frame(const uint8_t *b, int blen, uint32_t type)
{
	assert_true(blen > 0);
	assert_int_equal(blen % 4, 0);
	assert_int_equal(sn_get_le32(b), type);
	assert_int_equal(sn_get_le32(b + 4), (uint32_t)blen);
	assert_int_equal(sn_get_le32(b + blen - 4), (uint32_t)blen);
	assert_int_equal(cap_pcapng_block_len(b, (size_t)blen), blen);
}

static void
test_shb_vector(void **state)
{
	const struct cap_pcapng_shb shb = { NULL, "Linux", "synthnet" };
	uint8_t buf[128];

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(cap_pcapng_shb(buf, sizeof(buf), &shb),
			 (int)sizeof(shb_vec));
	assert_memory_equal(buf, shb_vec, sizeof(shb_vec));
	assert_int_equal(buf[sizeof(shb_vec)], 0xee); /* nothing past it */
	check_frame(buf, sizeof(shb_vec), CAP_PCAPNG_BT_SHB);
	assert_int_equal(check_options(buf, sizeof(shb_vec), 24), 2);
}

static void
test_shb_minimal(void **state)
{
	const struct cap_pcapng_shb empty = { "", NULL, "" };
	uint8_t buf[128], buf2[128];

	(void)state;
	/* No options: 28 bytes, no opt_endofopt. */
	assert_int_equal(cap_pcapng_shb(buf, sizeof(buf), NULL), 28);
	check_frame(buf, 28, CAP_PCAPNG_BT_SHB);
	assert_int_equal(sn_get_le32(buf + 8), CAP_PCAPNG_MAGIC);
	assert_int_equal(sn_get_le64(buf + 16), UINT64_MAX);
	assert_int_equal(check_options(buf, 28, 24), 0);
	/* "" is the same as NULL. */
	assert_int_equal(cap_pcapng_shb(buf2, sizeof(buf2), &empty), 28);
	assert_memory_equal(buf, buf2, 28);
	/* With all three options. */
	{
		const struct cap_pcapng_shb all = { "x86_64", "Linux 6.1",
						    "synthnetd 0.1.0" };
		int n = cap_pcapng_shb(buf, sizeof(buf), &all);

		/* 28 + (4+8) + (4+12) + (4+16) + 4 */
		assert_int_equal(n, 80);
		check_frame(buf, n, CAP_PCAPNG_BT_SHB);
		assert_int_equal(check_options(buf, (size_t)n, 24), 3);
		assert_int_equal(sn_get_le16(buf + 24),
				 CAP_PCAPNG_SHB_HARDWARE);
		assert_memory_equal(buf + 28, "x86_64\0\0", 8);
	}
}

static void
test_idb_vector(void **state)
{
	uint8_t buf[128];
	int n;

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	n = cap_pcapng_idb(buf, sizeof(buf), &idb_cfg);
	assert_int_equal(n, (int)sizeof(idb_vec));
	assert_memory_equal(buf, idb_vec, sizeof(idb_vec));
	assert_int_equal(buf[n], 0xee);
	check_frame(buf, n, CAP_PCAPNG_BT_IDB);
	assert_int_equal(check_options(buf, (size_t)n, 16), 4);
}

static void
test_idb_minimal(void **state)
{
	const struct cap_pcapng_idb bare = {
		.linktype = CAP_PCAPNG_LINKTYPE_ETHERNET,
		.snaplen = 96,
	};
	static const uint8_t expect[20] = {
		0x01, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, /* IDB, 20 */
		0x01, 0x00, 0x00, 0x00, /* link type 1, reserved */
		0x60, 0x00, 0x00, 0x00, /* snaplen 96 */
		0x14, 0x00, 0x00, 0x00,
	};
	uint8_t buf[32];

	(void)state;
	assert_int_equal(cap_pcapng_idb(buf, sizeof(buf), &bare), 20);
	assert_memory_equal(buf, expect, sizeof(expect));
	assert_int_equal(cap_pcapng_idb(buf, sizeof(buf), NULL), -EINVAL);
}

static void
test_epb_vector(void **state)
{
	const struct cap_pcapng_epb epb = {
		.if_id = 1,
		.ts = TS1,
		.orig_len = 60,
		.flags = CAP_PCAPNG_DIR_IN,
		.comment = "mtu",
	};
	const struct cap_pcapng_seg seg = { five, sizeof(five) };
	uint8_t buf[128];
	int n;

	(void)state;
	assert_int_equal(cap_pcapng_epb_size(5, 1, "mtu"),
			 (int)sizeof(epb_vec));
	memset(buf, 0xee, sizeof(buf));
	n = cap_pcapng_epb(buf, sizeof(buf), &epb, &seg, 1);
	assert_int_equal(n, (int)sizeof(epb_vec));
	assert_memory_equal(buf, epb_vec, sizeof(epb_vec));
	assert_int_equal(buf[n], 0xee);
	check_frame(buf, n, CAP_PCAPNG_BT_EPB);
	assert_int_equal(check_options(buf, (size_t)n, 36), 2);
}

/*
 * The 42-byte ARP request of ofl_frames.h (captured with tshark on veth)
 * as an outbound EPB without comment: 2 bytes of padding after the data,
 * then epb_flags 2.
 */
static void
test_epb_arp_padding(void **state)
{
	const struct cap_pcapng_epb epb = {
		.if_id = 0,
		.ts = TS1,
		.orig_len = sizeof(arp),
		.flags = CAP_PCAPNG_DIR_OUT,
	};
	const struct cap_pcapng_seg seg = { arp, sizeof(arp) };
	uint8_t buf[256];
	int n;

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	n = cap_pcapng_epb(buf, sizeof(buf), &epb, &seg, 1);
	/* 32 fixed + 44 data + 8 flags + 4 end */
	assert_int_equal(n, 88);
	check_frame(buf, n, CAP_PCAPNG_BT_EPB);
	assert_int_equal(sn_get_le32(buf + 20), 42);
	assert_int_equal(sn_get_le32(buf + 24), 42);
	assert_memory_equal(buf + 28, arp, sizeof(arp));
	assert_int_equal(buf[70], 0);
	assert_int_equal(buf[71], 0);
	assert_int_equal(sn_get_le16(buf + 72), CAP_PCAPNG_EPB_FLAGS);
	assert_int_equal(sn_get_le16(buf + 74), 4);
	assert_int_equal(sn_get_le32(buf + 76), CAP_PCAPNG_DIR_OUT);
	assert_int_equal(check_options(buf, (size_t)n, 72), 1);

	/* No flags, no comment: no options at all, not even the end. */
	{
		struct cap_pcapng_epb bare = epb;

		bare.flags = 0;
		n = cap_pcapng_epb(buf, sizeof(buf), &bare, &seg, 1);
		assert_int_equal(n, 76);
		assert_int_equal(cap_pcapng_epb_size(42, 0, NULL), 76);
		check_frame(buf, n, CAP_PCAPNG_BT_EPB);
		assert_int_equal(check_options(buf, (size_t)n, 72), 0);
	}
}

/* Scattered data (an mbuf chain) encodes exactly like contiguous data. */
static void
test_epb_segments(void **state)
{
	const struct cap_pcapng_epb epb = {
		.if_id = 2,
		.ts = TS2,
		.orig_len = sizeof(echo),
		.flags = CAP_PCAPNG_DIR_IN,
		.comment = "same-port",
	};
	const struct cap_pcapng_seg one = { echo, sizeof(echo) };
	const struct cap_pcapng_seg three[4] = {
		{ echo, 13 },
		{ echo + 13, 0 },
		{ echo + 13, 1 },
		{ echo + 14, sizeof(echo) - 14 },
	};
	uint8_t a[256], b[256];
	int na, nb;

	(void)state;
	memset(a, 0x11, sizeof(a));
	memset(b, 0x22, sizeof(b));
	na = cap_pcapng_epb(a, sizeof(a), &epb, &one, 1);
	nb = cap_pcapng_epb(b, sizeof(b), &epb, three, 4);
	assert_true(na > 0);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, (size_t)na);
	assert_memory_equal(a + 28, echo, sizeof(echo));
	/* Zero segments: an empty packet is still a valid block. */
	{
		struct cap_pcapng_epb e = epb;

		e.orig_len = 0;
		e.comment = NULL;
		e.flags = 0;
		assert_int_equal(cap_pcapng_epb(a, sizeof(a), &e, NULL, 0),
				 32);
		check_frame(a, 32, CAP_PCAPNG_BT_EPB);
	}
}

/* Every comment length 0..12, with and without flags, is aligned. */
static void
test_option_alignment(void **state)
{
	char comment[16];
	uint8_t buf[256];
	unsigned int clen, caplen;
	int flags;

	(void)state;
	for (caplen = 0; caplen <= 5; caplen++) {
		for (clen = 0; clen <= 12; clen++) {
			for (flags = 0; flags <= 1; flags++) {
				struct cap_pcapng_epb epb = {
					.if_id = 0,
					.ts = TS1,
					.orig_len = 64,
					.flags = flags ? CAP_PCAPNG_DIR_OUT :
							 0,
					.comment = comment,
				};
				struct cap_pcapng_seg seg = { five, caplen };
				unsigned int opts = (clen != 0) +
						    (unsigned int)flags;
				size_t data_end;
				int n;

				memset(comment, 'c', clen);
				comment[clen] = '\0';
				memset(buf, 0xee, sizeof(buf));
				n = cap_pcapng_epb(buf, sizeof(buf), &epb,
						   &seg, 1);
				assert_int_equal(
					n, cap_pcapng_epb_size(caplen, flags,
							       comment));
				check_frame(buf, n, CAP_PCAPNG_BT_EPB);
				data_end = 28 + SN_ALIGN_UP(caplen, 4u);
				assert_int_equal(
					check_options(buf, (size_t)n,
						      data_end),
					opts);
				assert_int_equal(
					(size_t)n,
					data_end + (flags ? 8 : 0) +
						(clen != 0 ?
							 4 + SN_ALIGN_UP(clen,
									 4u) :
							 0) +
						(opts != 0 ? 4 : 0) + 4);
				assert_int_equal(buf[n], 0xee);
			}
		}
	}
}

/* Comments longer than CAP_PCAPNG_COMMENT_MAX are cut, UTF-8 safely. */
static void
test_comment_truncated(void **state)
{
	char longc[CAP_PCAPNG_COMMENT_MAX + 50];
	struct cap_pcapng_epb epb = {
		.if_id = 0,
		.ts = 1,
		.orig_len = 5,
		.comment = longc,
	};
	const struct cap_pcapng_seg seg = { five, 5 };
	uint8_t buf[1024];
	size_t copt;
	int n;

	(void)state;
	memset(longc, 'x', sizeof(longc) - 1);
	longc[sizeof(longc) - 1] = '\0';
	n = cap_pcapng_epb(buf, sizeof(buf), &epb, &seg, 1);
	/* 32 + 8 data + (4 + 256) comment + 4 end */
	assert_int_equal(n, 32 + 8 + 4 + CAP_PCAPNG_COMMENT_MAX + 4);
	copt = 28 + 8;
	assert_int_equal(sn_get_le16(buf + copt), CAP_PCAPNG_OPT_COMMENT);
	assert_int_equal(sn_get_le16(buf + copt + 2), CAP_PCAPNG_COMMENT_MAX);
	check_frame(buf, n, CAP_PCAPNG_BT_EPB);

	/* 255 ASCII bytes then "é" (0xC3 0xA9) straddling the limit: the
	 * whole character goes, 255 bytes stay. */
	memset(longc, 'y', CAP_PCAPNG_COMMENT_MAX - 1);
	longc[CAP_PCAPNG_COMMENT_MAX - 1] = (char)0xc3;
	longc[CAP_PCAPNG_COMMENT_MAX] = (char)0xa9;
	longc[CAP_PCAPNG_COMMENT_MAX + 1] = '\0';
	assert_int_equal(cap_pcapng_str_len(longc, CAP_PCAPNG_COMMENT_MAX),
			 CAP_PCAPNG_COMMENT_MAX - 1);
	n = cap_pcapng_epb(buf, sizeof(buf), &epb, &seg, 1);
	assert_int_equal(sn_get_le16(buf + copt + 2),
			 CAP_PCAPNG_COMMENT_MAX - 1);
	assert_int_equal(buf[copt + 4 + CAP_PCAPNG_COMMENT_MAX - 1], 0);
	assert_int_equal(n, cap_pcapng_epb_size(5, 0, longc));
	check_frame(buf, n, CAP_PCAPNG_BT_EPB);

	/* A 3-byte character (U+20AC, E2 82 AC) cut after 1 or 2 bytes. */
	assert_int_equal(cap_pcapng_str_len("ab\xe2\x82\xac", 3), 2);
	assert_int_equal(cap_pcapng_str_len("ab\xe2\x82\xac", 4), 2);
	assert_int_equal(cap_pcapng_str_len("ab\xe2\x82\xac", 5), 5);
	assert_int_equal(cap_pcapng_str_len("abc", 3), 3);
	assert_int_equal(cap_pcapng_str_len("abcd", 3), 3);
	assert_int_equal(cap_pcapng_str_len(NULL, 3), 0);
	/* Exactly the limit is kept whole. */
	memset(longc, 'z', CAP_PCAPNG_COMMENT_MAX);
	longc[CAP_PCAPNG_COMMENT_MAX] = '\0';
	assert_int_equal(cap_pcapng_str_len(longc, CAP_PCAPNG_COMMENT_MAX),
			 CAP_PCAPNG_COMMENT_MAX);
}

/* Captured vs original length and the snaplen ceiling. */
static void
test_snaplen(void **state)
{
	static uint8_t big[CAP_PCAPNG_SNAPLEN_MAX + 1];
	static uint8_t out[CAP_PCAPNG_SNAPLEN_MAX + 64];
	struct cap_pcapng_epb epb = { .orig_len = 4 };
	struct cap_pcapng_seg seg = { five, 5 };
	int n;

	(void)state;
	/* Snapped: 5 of 1514 bytes. */
	epb.orig_len = 1514;
	n = cap_pcapng_epb(out, sizeof(out), &epb, &seg, 1);
	assert_int_equal(n, 40);
	assert_int_equal(sn_get_le32(out + 20), 5);
	assert_int_equal(sn_get_le32(out + 24), 1514);
	/* More captured than the frame had: refused. */
	epb.orig_len = 4;
	assert_int_equal(cap_pcapng_epb(out, sizeof(out), &epb, &seg, 1),
			 -EINVAL);
	/* The ceiling itself is fine, one more is not. */
	seg.data = big;
	seg.len = CAP_PCAPNG_SNAPLEN_MAX;
	epb.orig_len = UINT32_MAX;
	n = cap_pcapng_epb(out, sizeof(out), &epb, &seg, 1);
	assert_int_equal(n, 32 + (int)CAP_PCAPNG_SNAPLEN_MAX);
	check_frame(out, n, CAP_PCAPNG_BT_EPB);
	seg.len = CAP_PCAPNG_SNAPLEN_MAX + 1;
	assert_int_equal(cap_pcapng_epb(out, sizeof(out), &epb, &seg, 1),
			 -ERANGE);
	assert_int_equal(cap_pcapng_epb_size(CAP_PCAPNG_SNAPLEN_MAX + 1, 0,
					     NULL),
			 -ERANGE);
}

/* One byte short: -EMSGSIZE and the buffer untouched. */
static void
test_buffer_too_small(void **state)
{
	const struct cap_pcapng_shb shb = { NULL, "Linux", "synthnet" };
	const struct cap_pcapng_epb epb = {
		.if_id = 1, .ts = TS1, .orig_len = 60,
		.flags = CAP_PCAPNG_DIR_IN, .comment = "mtu",
	};
	const struct cap_pcapng_seg seg = { five, 5 };
	struct cap_pcapng_isb isb = { .present = 0x7f };
	uint8_t buf[128], ref[128];

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	memcpy(ref, buf, sizeof(ref));
	assert_int_equal(cap_pcapng_shb(buf, sizeof(shb_vec) - 1, &shb),
			 -EMSGSIZE);
	assert_int_equal(cap_pcapng_idb(buf, sizeof(idb_vec) - 1, &idb_cfg),
			 -EMSGSIZE);
	assert_int_equal(cap_pcapng_epb(buf, sizeof(epb_vec) - 1, &epb, &seg,
					1),
			 -EMSGSIZE);
	assert_int_equal(cap_pcapng_isb(buf, 24 + 7 * 12 + 4 - 1, &isb),
			 -EMSGSIZE);
	assert_int_equal(cap_pcapng_shb(buf, 0, NULL), -EMSGSIZE);
	assert_memory_equal(buf, ref, sizeof(buf));
}

static void
test_bad_args(void **state)
{
	const struct cap_pcapng_epb epb = { .orig_len = 5 };
	const struct cap_pcapng_seg nullseg = { NULL, 3 };
	struct cap_pcapng_isb isb = { .present = 0x80 };
	uint8_t buf[64];

	(void)state;
	assert_int_equal(cap_pcapng_shb(NULL, 64, NULL), -EINVAL);
	assert_int_equal(cap_pcapng_idb(NULL, 64, &idb_cfg), -EINVAL);
	assert_int_equal(cap_pcapng_epb(buf, sizeof(buf), NULL, NULL, 0),
			 -EINVAL);
	assert_int_equal(cap_pcapng_epb(buf, sizeof(buf), &epb, NULL, 1),
			 -EINVAL);
	assert_int_equal(cap_pcapng_epb(buf, sizeof(buf), &epb, &nullseg, 1),
			 -EINVAL);
	assert_int_equal(cap_pcapng_isb(buf, sizeof(buf), &isb), -EINVAL);
	assert_int_equal(cap_pcapng_isb(buf, sizeof(buf), NULL), -EINVAL);
	assert_int_equal(cap_pcapng_block_len(NULL, 12), -EINVAL);
}

static void
test_isb_vector(void **state)
{
	const struct cap_pcapng_isb isb = {
		.if_id = 0,
		.ts = TS2,
		.present = CAP_PCAPNG_ISB_HAS_STARTTIME |
			   CAP_PCAPNG_ISB_HAS_ENDTIME |
			   CAP_PCAPNG_ISB_HAS_IFRECV |
			   CAP_PCAPNG_ISB_HAS_IFDROP |
			   CAP_PCAPNG_ISB_HAS_FILTERACCEPT |
			   CAP_PCAPNG_ISB_HAS_USRDELIV,
		.starttime = TS1,
		.endtime = TS2,
		.ifrecv = 1000,
		.ifdrop = 3,
		.filteraccept = 997,
		.osdrop = 12345, /* not present: not written */
		.usrdeliv = 990,
	};
	struct cap_pcapng_isb bare = { .if_id = 7, .ts = TS1 };
	uint8_t buf[160];
	int n;

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	n = cap_pcapng_isb(buf, sizeof(buf), &isb);
	assert_int_equal(n, (int)sizeof(isb_vec));
	assert_memory_equal(buf, isb_vec, sizeof(isb_vec));
	assert_int_equal(buf[n], 0xee);
	check_frame(buf, n, CAP_PCAPNG_BT_ISB);
	assert_int_equal(check_options(buf, (size_t)n, 20), 6);
	/* No options: 24 bytes. */
	n = cap_pcapng_isb(buf, sizeof(buf), &bare);
	assert_int_equal(n, 24);
	check_frame(buf, n, CAP_PCAPNG_BT_ISB);
	assert_int_equal(sn_get_le32(buf + 8), 7);
	/* All seven. */
	bare.present = 0x7f;
	n = cap_pcapng_isb(buf, sizeof(buf), &bare);
	assert_int_equal(n, 24 + 7 * 12 + 4);
	assert_int_equal(check_options(buf, (size_t)n, 20), 7);
}

static void
test_block_len(void **state)
{
	uint8_t buf[64];

	(void)state;
	memcpy(buf, epb_vec, sizeof(epb_vec));
	assert_int_equal(cap_pcapng_block_len(buf, sizeof(epb_vec)), 60);
	assert_int_equal(cap_pcapng_block_len(buf, sizeof(buf)), 60);
	/* Any prefix is incomplete. */
	assert_int_equal(cap_pcapng_block_len(buf, 59), -EMSGSIZE);
	assert_int_equal(cap_pcapng_block_len(buf, 7), -EMSGSIZE);
	/* Trailing length disagrees. */
	buf[56] = 0x40;
	assert_int_equal(cap_pcapng_block_len(buf, 60), -EBADMSG);
	/* Not a multiple of 4 / too short. */
	sn_put_le32(buf + 4, 61);
	assert_int_equal(cap_pcapng_block_len(buf, 64), -EBADMSG);
	sn_put_le32(buf + 4, 8);
	assert_int_equal(cap_pcapng_block_len(buf, 64), -EBADMSG);
	sn_put_le32(buf + 4, 0x80000000u);
	assert_int_equal(cap_pcapng_block_len(buf, 64), -EBADMSG);
}

/* A whole file: SHB, IDB, EPB, ISB walk cleanly block by block. */
static void
test_file_sequence(void **state)
{
	const struct cap_pcapng_shb shb = { NULL, "Linux", "synthnet" };
	const struct cap_pcapng_epb epb = {
		.if_id = 1, .ts = TS1, .orig_len = 60,
		.flags = CAP_PCAPNG_DIR_IN, .comment = "mtu",
	};
	const struct cap_pcapng_seg seg = { five, 5 };
	const uint32_t types[] = { CAP_PCAPNG_BT_SHB, CAP_PCAPNG_BT_IDB,
				   CAP_PCAPNG_BT_IDB, CAP_PCAPNG_BT_EPB,
				   CAP_PCAPNG_BT_ISB };
	struct cap_pcapng_isb isb = { .if_id = 1, .ts = TS2, .present = 0x7f };
	uint8_t file[512];
	size_t off = 0;
	unsigned int i = 0;
	int n;

	(void)state;
	n = cap_pcapng_shb(file + off, sizeof(file) - off, &shb);
	off += (size_t)n;
	n = cap_pcapng_idb(file + off, sizeof(file) - off, &idb_cfg);
	off += (size_t)n;
	n = cap_pcapng_idb(file + off, sizeof(file) - off, &idb_cfg);
	off += (size_t)n;
	n = cap_pcapng_epb(file + off, sizeof(file) - off, &epb, &seg, 1);
	off += (size_t)n;
	n = cap_pcapng_isb(file + off, sizeof(file) - off, &isb);
	off += (size_t)n;
	assert_int_equal(off, 56 + 72 + 72 + 60 + 112);
	for (n = 0; off > 0 && (size_t)n < off; i++) {
		int blen = cap_pcapng_block_len(file + n, off - (size_t)n);

		assert_true(blen > 0);
		assert_true(i < SN_ARRAY_SIZE(types));
		assert_int_equal(sn_get_le32(file + n), types[i]);
		n += blen;
	}
	assert_int_equal(i, SN_ARRAY_SIZE(types));
	assert_int_equal((size_t)n, off);
	assert_memory_equal(file + 56 + 144, epb_vec, sizeof(epb_vec));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shb_vector),
		cmocka_unit_test(test_shb_minimal),
		cmocka_unit_test(test_idb_vector),
		cmocka_unit_test(test_idb_minimal),
		cmocka_unit_test(test_epb_vector),
		cmocka_unit_test(test_epb_arp_padding),
		cmocka_unit_test(test_epb_segments),
		cmocka_unit_test(test_option_alignment),
		cmocka_unit_test(test_comment_truncated),
		cmocka_unit_test(test_snaplen),
		cmocka_unit_test(test_buffer_too_small),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_isb_vector),
		cmocka_unit_test(test_block_len),
		cmocka_unit_test(test_file_sequence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
