/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vmb_chanmsg.c - VMBus channel management message codec tests.
 *
 * Vector sources:
 * - Layouts and sizes: Linux include/linux/hyperv.h (vmbus_channel_* structs).
 * - INITIATE_CONTACT: what Linux drivers/hv/connection.c
 *   vmbus_negotiate_version() sends for VERSION_WIN10_V5_3: memset 0,
 *   msg_sint = VMBUS_MESSAGE_SINT (2), msg_vtl = 0 (ordinary guest),
 *   target_vcpu = VP of VMBUS_CONNECT_CPU (0), monitor pages = their GPAs
 *   (the two GPAs here are illustrative page addresses).
 * - OPENCHANNEL: drivers/hv/channel.c __vmbus_open() for netvsc with the
 *   default ring_size 128: VMBUS_RING_SIZE(128 * 4096) = 129 pages per
 *   direction, so downstream_ringbuffer_pageoffset = 129, openid =
 *   child_relid, userdata zero (netvsc passes none), gpadl 0xE1E10 (the
 *   first handle Linux hands out: next_gpadl_handle starts at 0xE1E10).
 * - GPADL_HEADER/BODY: drivers/hv/channel.c create_gpadl_header(): one
 *   range, byte_offset 0, byte_count = size, range_buflen = 8 + 8 * pages,
 *   26 PFNs in the header, 28 per body, body msgnumber left 0 (kzalloc,
 *   never set).  PFN values are illustrative.
 * - OFFERCHANNEL: layout of vmbus_channel_offer_channel with the netvsc
 *   interface GUID (Linux HV_NIC_GUID, wire order as Linux guid_t stores
 *   it); instance GUID, relid, monitor and connection id illustrative.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "vmb_chanmsg.h"

/* Independent little-endian writers (do not reuse the codec's helpers). */
static void
t_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
t_le32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
	}
}

static void
t_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
	}
}

static const uint8_t netvsc_guid[16] = VMB_CHANMSG_GUID_NETVSC_BYTES;

#define GPADL_LINUX_FIRST 0xE1E10u
#define NETVSC_RELID 14u

/* ---------------------------------------------------------------- */
/* Sizes, constants, names                                          */
/* ---------------------------------------------------------------- */

static void
test_sizes_match_linux(void **state)
{
	static const size_t want[18] = {
		0, 196, 12, 8, 8, 148, 20, 12, 20, 16, 20, 16, 12, 12, 40, 16,
		8, 8
	};
	uint32_t t;

	(void)state;
	for (t = 0; t < 18; t++) {
		assert_int_equal(vmb_chanmsg_min_size(t), want[t]);
	}
	assert_int_equal(vmb_chanmsg_min_size(18), 0);
	assert_int_equal(vmb_chanmsg_min_size(0xffffffffu), 0);
	/* The offer without the header is 188 bytes (OpenVMM OfferChannel). */
	assert_int_equal(sizeof(struct vmb_msg_offer_channel) -
			 sizeof(struct vmb_msg_hdr), 188);
	assert_int_equal(VMB_GPADL_HEADER_MAX_PFNS, 26);
	assert_int_equal(VMB_GPADL_BODY_MAX_PFNS, 28);
	assert_int_equal(VMB_GPADL_MAX_PFNS, 8190);
}

static void
test_version_constants(void **state)
{
	(void)state;
	assert_int_equal(VMB_MSG_VERSION_WS2008, 0x0000000D);
	assert_int_equal(VMB_MSG_VERSION_WIN7, 0x00010001);
	assert_int_equal(VMB_MSG_VERSION_WIN8, 0x00020004);
	assert_int_equal(VMB_MSG_VERSION_WIN8_1, 0x00030000);
	assert_int_equal(VMB_MSG_VERSION_WIN10, 0x00040000);
	assert_int_equal(VMB_MSG_VERSION_WIN10_V4_1, 0x00040001);
	assert_int_equal(VMB_MSG_VERSION_WIN10_V5, 0x00050000);
	assert_int_equal(VMB_MSG_VERSION_WIN10_V5_1, 0x00050001);
	assert_int_equal(VMB_MSG_VERSION_WIN10_V5_2, 0x00050002);
	assert_int_equal(VMB_MSG_VERSION_WIN10_V5_3, 0x00050003);
	assert_int_equal(VMB_MSG_VERSION_WIN10_V6_0, 0x00060000);
	assert_int_equal(VMB_MSG_VERSION_MAJOR(VMB_MSG_VERSION_WIN10_V5_3), 5);
	assert_int_equal(VMB_MSG_VERSION_MINOR(VMB_MSG_VERSION_WIN10_V5_3), 3);
}

static void
test_type_names(void **state)
{
	(void)state;
	assert_string_equal(vmb_chanmsg_type_name(0), "INVALID");
	assert_string_equal(vmb_chanmsg_type_name(1), "OFFERCHANNEL");
	assert_string_equal(vmb_chanmsg_type_name(8), "GPADL_HEADER");
	assert_string_equal(vmb_chanmsg_type_name(9), "GPADL_BODY");
	assert_string_equal(vmb_chanmsg_type_name(14), "INITIATE_CONTACT");
	assert_string_equal(vmb_chanmsg_type_name(17), "UNLOAD_RESPONSE");
	assert_string_equal(vmb_chanmsg_type_name(22), "MODIFYCHANNEL");
	assert_string_equal(vmb_chanmsg_type_name(24),
			    "MODIFYCHANNEL_RESPONSE");
	assert_string_equal(vmb_chanmsg_type_name(25), "UNKNOWN");
	assert_string_equal(vmb_chanmsg_type_name(0xffffffffu), "UNKNOWN");
}

/* ---------------------------------------------------------------- */
/* GUIDs                                                            */
/* ---------------------------------------------------------------- */

static void
test_guid_netvsc(void **state)
{
	/* Linux HV_NIC_GUID: GUID_INIT(0xf8615163, 0xdf3e, 0x46c5, 0x91,
	 * 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e), stored LE. */
	static const uint8_t want[16] = {
		0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46,
		0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e
	};
	uint8_t g[16];
	char s[40];

	(void)state;
	assert_int_equal(vmb_chanmsg_guid_parse(VMB_CHANMSG_GUID_NETVSC_STR, g),
			 0);
	assert_memory_equal(g, want, 16);
	assert_memory_equal(netvsc_guid, want, 16);
	assert_int_equal(vmb_chanmsg_guid_format(g, s, sizeof(s)), 36);
	assert_string_equal(s, "f8615163-df3e-46c5-913f-f2d2f965ed0e");

	/* Upper case parses to the same bytes; format is lower case. */
	memset(g, 0, sizeof(g));
	assert_int_equal(vmb_chanmsg_guid_parse(
		"F8615163-DF3E-46C5-913F-F2D2F965ED0E", g), 0);
	assert_memory_equal(g, want, 16);

	/* Mixed-endian placement is visible with a counting GUID. */
	assert_int_equal(vmb_chanmsg_guid_parse(
		"00112233-4455-6677-8899-aabbccddeeff", g), 0);
	{
		static const uint8_t cnt[16] = {
			0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66,
			0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
		};
		assert_memory_equal(g, cnt, 16);
	}
	assert_int_equal(vmb_chanmsg_guid_format(g, s, 37), 36);
	assert_string_equal(s, "00112233-4455-6677-8899-aabbccddeeff");
}

static void
test_guid_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"f8615163-df3e-46c5-913f-f2d2f965ed0",		/* 35 */
		"f8615163-df3e-46c5-913f-f2d2f965ed0e0",	/* 37 */
		"f8615163-df3e-46c5-913f-f2d2f965ed0e ",	/* trailing */
		"{f8615163-df3e-46c5-913f-f2d2f965ed0e}",	/* braces */
		"f8615163df3e-46c5-913f-f2d2f965ed0e0",	/* dash moved */
		"f8615163-df3e-46c5-913f+f2d2f965ed0e",	/* not a dash */
		"f8615163-df3e-46c5-913f-f2d2f965ed0g",	/* not hex */
		"f8615163-df3e-46c5-913f-f2d2f965-d0e",	/* dash in hex */
		" 8615163-df3e-46c5-913f-f2d2f965ed0e",	/* space */
		"f8615163-df3e-46c5-913f-f2d2f965ed0\n",
	};
	uint8_t g[16], keep[16];
	char s[40];
	size_t i;

	(void)state;
	memset(g, 0xa5, sizeof(g));
	memcpy(keep, g, sizeof(g));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vmb_chanmsg_guid_parse(bad[i], g), -EINVAL);
		/* Output untouched on failure. */
		assert_memory_equal(g, keep, 16);
	}
	assert_int_equal(vmb_chanmsg_guid_parse(NULL, g), -EINVAL);
	assert_int_equal(vmb_chanmsg_guid_parse(VMB_CHANMSG_GUID_NETVSC_STR,
						NULL), -EINVAL);
	assert_int_equal(vmb_chanmsg_guid_format(netvsc_guid, s, 36),
			 -EMSGSIZE);
	assert_int_equal(vmb_chanmsg_guid_format(netvsc_guid, NULL, 40),
			 -EINVAL);
	assert_int_equal(vmb_chanmsg_guid_format(NULL, s, 40), -EINVAL);
}

/* ---------------------------------------------------------------- */
/* Byte-exact vectors                                               */
/* ---------------------------------------------------------------- */

/* Linux vmbus_negotiate_version(VERSION_WIN10_V5_3), see file header. */
static const uint8_t vec_initiate_contact[40] = {
	0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* type 14 */
	0x03, 0x00, 0x05, 0x00,				/* 0x00050003 */
	0x00, 0x00, 0x00, 0x00,				/* target_vcpu */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* sint 2 */
	0x00, 0x60, 0x45, 0x23, 0x01, 0x00, 0x00, 0x00,	/* monitor 1 */
	0x00, 0x70, 0x45, 0x23, 0x01, 0x00, 0x00, 0x00,	/* monitor 2 */
};

static void
test_vector_initiate_contact(void **state)
{
	struct vmb_chanmsg m, d;
	uint8_t buf[64];

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_INITIATE_CONTACT;
	m.u.initiate.version = VMB_MSG_VERSION_WIN10_V5_3;
	m.u.initiate.target_vcpu = 0;
	m.u.initiate.interrupt_page = vmb_chanmsg_ti_make(VMB_MSG_SINT, 0, 0);
	m.u.initiate.monitor_page1 = 0x123456000ull;
	m.u.initiate.monitor_page2 = 0x123457000ull;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(vmb_chanmsg_encode(&m, buf, sizeof(buf)), 40);
	assert_memory_equal(buf, vec_initiate_contact, 40);

	assert_int_equal(vmb_chanmsg_decode(vec_initiate_contact, 40, &d), 0);
	assert_int_equal(d.type, VMB_MSG_INITIATE_CONTACT);
	assert_int_equal(d.u.initiate.version, 0x00050003);
	assert_int_equal(d.u.initiate.target_vcpu, 0);
	assert_int_equal(vmb_chanmsg_ti_sint(d.u.initiate.interrupt_page), 2);
	assert_int_equal(vmb_chanmsg_ti_vtl(d.u.initiate.interrupt_page), 0);
	assert_int_equal(vmb_chanmsg_ti_features(d.u.initiate.interrupt_page),
			 0);
	assert_true(d.u.initiate.monitor_page1 == 0x123456000ull);
	assert_true(d.u.initiate.monitor_page2 == 0x123457000ull);
	assert_null(d.ext);
	assert_int_equal(d.ext_len, 0);

	/* Target info packing: sint byte 0, vtl byte 1, features 4..7. */
	assert_true(vmb_chanmsg_ti_make(2, 1,
		VMB_MSG_FEATURE_CONFIDENTIAL_CHANNELS) ==
		0x0000001000000102ull);
}

static void
build_offer_vector(uint8_t v[196], uint16_t sub_channel_index)
{
	static const uint8_t inst[16] = {
		0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
	};

	memset(v, 0, 196);
	v[0] = 0x01;			/* OFFERCHANNEL */
	memcpy(v + 8, netvsc_guid, 16);	/* if_type */
	memcpy(v + 24, inst, 16);	/* if_instance */
	/* 40 reserved1, 48 reserved2, 56 chn_flags, 58 mmio: 0 */
	/* 60..179 user_def: 0 */
	t_le16(v + 180, sub_channel_index);
	/* 182 reserved3: 0 */
	t_le32(v + 184, NETVSC_RELID + sub_channel_index);	/* relid */
	v[188] = 0x01;			/* monitorid */
	v[189] = 0x01;			/* monitor_allocated */
	t_le16(v + 190, 0x0000);		/* not dedicated */
	t_le32(v + 192, 0x0000200e);	/* connection_id */
}

static void
test_vector_offer_netvsc(void **state)
{
	uint8_t v[196], buf[256];
	struct vmb_chanmsg d;
	char s[40];

	(void)state;
	build_offer_vector(v, 0);
	assert_int_equal(vmb_chanmsg_decode(v, sizeof(v), &d), 0);
	assert_int_equal(d.type, VMB_MSG_OFFERCHANNEL);
	assert_memory_equal(d.u.offer.if_type, netvsc_guid, 16);
	assert_int_equal(vmb_chanmsg_guid_format(d.u.offer.if_type, s,
						 sizeof(s)), 36);
	assert_string_equal(s, VMB_CHANMSG_GUID_NETVSC_STR);
	assert_int_equal(vmb_chanmsg_guid_format(d.u.offer.if_instance, s,
						 sizeof(s)), 36);
	assert_string_equal(s, "00112233-4455-6677-8899-aabbccddeeff");
	assert_int_equal(d.u.offer.sub_channel_index, 0);
	assert_int_equal(d.u.offer.child_relid, 14);
	assert_int_equal(d.u.offer.monitorid, 1);
	assert_true(vmb_chanmsg_offer_monitor_allocated(&d.u.offer));
	assert_false(vmb_chanmsg_offer_dedicated_interrupt(&d.u.offer));
	assert_int_equal(d.u.offer.connection_id, 0x200e);
	assert_int_equal(d.u.offer.chn_flags, 0);
	assert_int_equal(d.ext_len, 0);

	/* Re-encode byte for byte. */
	assert_int_equal(vmb_chanmsg_encode(&d, buf, sizeof(buf)), 196);
	assert_memory_equal(buf, v, 196);

	/* A subchannel: same type GUID, sub_channel_index 1 at byte 180. */
	build_offer_vector(v, 1);
	assert_int_equal(vmb_chanmsg_decode(v, sizeof(v), &d), 0);
	assert_int_equal(d.u.offer.sub_channel_index, 1);
	assert_int_equal(d.u.offer.child_relid, 15);
	assert_memory_equal(d.u.offer.if_type, netvsc_guid, 16);

	/* Flag bits read through masks. */
	v[189] = 0xfe;			/* reserved bits only */
	t_le16(v + 190, 0x0001);
	assert_int_equal(vmb_chanmsg_decode(v, sizeof(v), &d), 0);
	assert_false(vmb_chanmsg_offer_monitor_allocated(&d.u.offer));
	assert_true(vmb_chanmsg_offer_dedicated_interrupt(&d.u.offer));
	assert_int_equal(d.u.offer.monitor_flags, 0xfe);

	/* Pipe mode lives in user_def[0..3]. */
	t_le16(v + 56, VMB_MSG_OFFER_F_NAMED_PIPE_MODE);
	t_le32(v + 60, VMB_MSG_PIPE_TYPE_MESSAGE);
	assert_int_equal(vmb_chanmsg_decode(v, sizeof(v), &d), 0);
	assert_int_equal(d.u.offer.chn_flags, 0x10);
	assert_int_equal(vmb_chanmsg_offer_pipe_mode(&d.u.offer), 4);
}

static void
test_vector_openchannel(void **state)
{
	uint8_t v[148], buf[160];
	struct vmb_chanmsg m, d;

	(void)state;
	memset(v, 0, sizeof(v));
	v[0] = 0x05;					/* OPENCHANNEL */
	v[8] = 0x0e;					/* child_relid 14 */
	v[12] = 0x0e;					/* openid 14 */
	v[16] = 0x10; v[17] = 0x1e; v[18] = 0x0e;	/* gpadl 0xE1E10 */
	/* 20: target_vp 0 */
	v[24] = 0x81;					/* 129 pages */
	/* 28..147: userdata 0 */

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_OPENCHANNEL;
	m.u.open.child_relid = NETVSC_RELID;
	m.u.open.openid = NETVSC_RELID;
	m.u.open.ringbuffer_gpadlhandle = GPADL_LINUX_FIRST;
	m.u.open.target_vp = 0;
	m.u.open.downstream_ringbuffer_pageoffset = 129;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(vmb_chanmsg_encode(&m, buf, sizeof(buf)), 148);
	assert_memory_equal(buf, v, sizeof(v));

	assert_int_equal(vmb_chanmsg_decode(v, sizeof(v), &d), 0);
	assert_int_equal(d.type, VMB_MSG_OPENCHANNEL);
	assert_int_equal(d.u.open.child_relid, 14);
	assert_int_equal(d.u.open.openid, 14);
	assert_int_equal(d.u.open.ringbuffer_gpadlhandle, 0xE1E10);
	assert_int_equal(d.u.open.target_vp, 0);
	assert_int_equal(d.u.open.downstream_ringbuffer_pageoffset, 129);
	assert_int_equal(d.ext_len, 0);
}

/* PFN i of the illustrative GPADLs. */
static uint64_t
t_pfn(uint32_t i)
{
	return 0x123400ull + i;
}

/* Expected GPADL_HEADER bytes (Linux create_gpadl_header, one range). */
static size_t
build_gpadl_header_vector(uint8_t *v, uint32_t npages, uint32_t nhere)
{
	uint32_t i;

	memset(v, 0, 28);
	v[0] = 0x08;					/* GPADL_HEADER */
	t_le32(v + 8, NETVSC_RELID);
	t_le32(v + 12, GPADL_LINUX_FIRST);
	t_le16(v + 16, (uint16_t)(8 + 8 * npages));	/* range_buflen */
	t_le16(v + 18, 1);				/* rangecount */
	t_le32(v + 20, npages * 4096);			/* byte_count */
	t_le32(v + 24, 0);				/* byte_offset */
	for (i = 0; i < nhere; i++) {
		t_le64(v + 28 + 8 * i, t_pfn(i));
	}
	return 28 + 8 * (size_t)nhere;
}

static size_t
build_gpadl_body_vector(uint8_t *v, uint32_t first, uint32_t n)
{
	uint32_t i;

	memset(v, 0, 16);
	v[0] = 0x09;					/* GPADL_BODY */
	t_le32(v + 8, 0);				/* msgnumber 0 */
	t_le32(v + 12, GPADL_LINUX_FIRST);
	for (i = 0; i < n; i++) {
		t_le64(v + 16 + 8 * i, t_pfn(first + i));
	}
	return 16 + 8 * (size_t)n;
}

static void
fill_pfns(uint64_t *pfn, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		pfn[i] = t_pfn(i);
	}
}

static void
test_vector_gpadl_26_pfns(void **state)
{
	uint64_t pfn[26], got[26];
	struct vmb_gpadl_desc d = {
		.child_relid = NETVSC_RELID, .gpadl = GPADL_LINUX_FIRST,
		.byte_offset = 0, .byte_count = 26 * 4096, .pfn = pfn,
		.npfn = 26,
	};
	uint8_t want[240], buf[240];
	struct vmb_chanmsg m;
	struct vmb_gpadl_asm a;

	(void)state;
	fill_pfns(pfn, 26);
	assert_int_equal(vmb_gpadl_msg_count(26), 1);
	assert_int_equal(build_gpadl_header_vector(want, 26, 26), 236);
	assert_int_equal(vmb_gpadl_encode_part(&d, 0, buf, sizeof(buf)), 236);
	assert_memory_equal(buf, want, 236);
	assert_int_equal(vmb_gpadl_encode_part(&d, 1, buf, sizeof(buf)),
			 -EINVAL);

	assert_int_equal(vmb_chanmsg_decode(want, 236, &m), 0);
	assert_int_equal(m.type, VMB_MSG_GPADL_HEADER);
	assert_int_equal(m.u.gpadl_header.child_relid, 14);
	assert_int_equal(m.u.gpadl_header.gpadl, 0xE1E10);
	assert_int_equal(m.u.gpadl_header.range_buflen, 216);
	assert_int_equal(m.u.gpadl_header.rangecount, 1);
	assert_int_equal(m.u.gpadl_header.nwords, 27);
	assert_int_equal(m.u.gpadl_header.words_left, 0);
	assert_int_equal(m.u.gpadl_header.npfn_here, 26);
	assert_int_equal(m.u.gpadl_header.npfn_total, 26);
	assert_ptr_equal(m.u.gpadl_header.range_buf, want + 20);
	assert_true(vmb_chanmsg_word(m.u.gpadl_header.range_buf, 0) ==
		    26ull * 4096);
	assert_true(vmb_chanmsg_word(m.u.gpadl_header.range_buf, 26) ==
		    t_pfn(25));
	assert_int_equal(m.ext_len, 0);

	vmb_gpadl_asm_init(&a, got, 26);
	assert_int_equal(vmb_gpadl_asm_header(&a, &m.u.gpadl_header), 1);
	assert_true(vmb_gpadl_asm_complete(&a));
	assert_int_equal(a.npfn, 26);
	assert_memory_equal(got, pfn, sizeof(pfn));
	assert_int_equal(a.nranges, 1);
	assert_int_equal(a.range[0].byte_count, 26 * 4096);
	assert_int_equal(a.range[0].npfn, 26);

	/* Generic encode of the decoded message reproduces the bytes. */
	assert_int_equal(vmb_chanmsg_encode(&m, buf, sizeof(buf)), 236);
	assert_memory_equal(buf, want, 236);
}

static void
test_vector_gpadl_header_body(void **state)
{
	uint64_t pfn[30], got[30];
	struct vmb_gpadl_desc d = {
		.child_relid = NETVSC_RELID, .gpadl = GPADL_LINUX_FIRST,
		.byte_offset = 0, .byte_count = 30 * 4096, .pfn = pfn,
		.npfn = 30,
	};
	uint8_t want_h[240], want_b[240], buf[240];
	struct vmb_chanmsg mh, mb;
	struct vmb_gpadl_asm a;

	(void)state;
	fill_pfns(pfn, 30);
	assert_int_equal(vmb_gpadl_msg_count(30), 2);
	assert_int_equal(build_gpadl_header_vector(want_h, 30, 26), 236);
	assert_int_equal(build_gpadl_body_vector(want_b, 26, 4), 48);

	assert_int_equal(vmb_gpadl_encode_part(&d, 0, buf, sizeof(buf)), 236);
	assert_memory_equal(buf, want_h, 236);
	/* range_buflen covers the whole GPADL: 8 + 30 * 8 = 248. */
	assert_int_equal(buf[16], 0xf8);
	assert_int_equal(buf[17], 0x00);
	assert_int_equal(vmb_gpadl_encode_part(&d, 1, buf, sizeof(buf)), 48);
	assert_memory_equal(buf, want_b, 48);

	assert_int_equal(vmb_chanmsg_decode(want_h, 236, &mh), 0);
	assert_int_equal(mh.u.gpadl_header.nwords, 27);
	assert_int_equal(mh.u.gpadl_header.words_left, 4);
	assert_int_equal(mh.u.gpadl_header.npfn_here, 26);
	assert_int_equal(mh.u.gpadl_header.npfn_total, 30);

	assert_int_equal(vmb_chanmsg_decode(want_b, 48, &mb), 0);
	assert_int_equal(mb.type, VMB_MSG_GPADL_BODY);
	assert_int_equal(mb.u.gpadl_body.msgnumber, 0);
	assert_int_equal(mb.u.gpadl_body.gpadl, 0xE1E10);
	assert_int_equal(mb.u.gpadl_body.nwords, 4);
	assert_true(vmb_chanmsg_word(mb.u.gpadl_body.words, 3) == t_pfn(29));

	vmb_gpadl_asm_init(&a, got, 30);
	assert_int_equal(vmb_gpadl_asm_header(&a, &mh.u.gpadl_header), 0);
	assert_int_equal(a.state, VMB_GPADL_ASM_COLLECTING);
	assert_int_equal(vmb_gpadl_asm_body(&a, &mb.u.gpadl_body), 1);
	assert_true(vmb_gpadl_asm_complete(&a));
	assert_int_equal(a.npfn, 30);
	assert_int_equal(a.nbodies, 1);
	assert_memory_equal(got, pfn, sizeof(pfn));

	/* Round trip of the body through the generic codec. */
	assert_int_equal(vmb_chanmsg_encode(&mb, buf, sizeof(buf)), 48);
	assert_memory_equal(buf, want_b, 48);
}

/* The netvsc ring GPADL Linux builds: 2 x 129 pages. */
static void
test_gpadl_netvsc_ring_258(void **state)
{
	enum { NP = 258 };
	static uint64_t pfn[NP], got[NP];
	struct vmb_gpadl_desc d = {
		.child_relid = NETVSC_RELID, .gpadl = GPADL_LINUX_FIRST,
		.byte_offset = 0, .byte_count = NP * 4096, .pfn = pfn,
		.npfn = NP,
	};
	uint8_t buf[VMB_MSG_MAX_SIZE];
	struct vmb_chanmsg m;
	struct vmb_gpadl_asm a;
	uint32_t k, n;
	int len, rc = -1;

	(void)state;
	fill_pfns(pfn, NP);
	n = vmb_gpadl_msg_count(NP);
	assert_int_equal(n, 10);	/* 26 + 8 * 28 + 8 */
	vmb_gpadl_asm_init(&a, got, NP);
	for (k = 0; k < n; k++) {
		len = vmb_gpadl_encode_part(&d, k, buf, sizeof(buf));
		if (k == 0) {
			assert_int_equal(len, 236);
		} else if (k < n - 1) {
			assert_int_equal(len, 240);
		} else {
			assert_int_equal(len, 16 + 8 * 8);
		}
		assert_int_equal(vmb_chanmsg_decode(buf, (size_t)len, &m), 0);
		if (k == 0) {
			assert_int_equal(m.u.gpadl_header.npfn_total, NP);
			assert_int_equal(m.u.gpadl_header.words_left, NP - 26);
			rc = vmb_gpadl_asm_header(&a, &m.u.gpadl_header);
		} else {
			rc = vmb_gpadl_asm_body(&a, &m.u.gpadl_body);
		}
		assert_int_equal(rc, k == n - 1 ? 1 : 0);
	}
	assert_true(vmb_gpadl_asm_complete(&a));
	assert_int_equal(a.npfn, NP);
	assert_memory_equal(got, pfn, sizeof(pfn));
}

static void
test_gpadl_msg_count(void **state)
{
	(void)state;
	assert_int_equal(vmb_gpadl_msg_count(0), 0);
	assert_int_equal(vmb_gpadl_msg_count(1), 1);
	assert_int_equal(vmb_gpadl_msg_count(26), 1);
	assert_int_equal(vmb_gpadl_msg_count(27), 2);
	assert_int_equal(vmb_gpadl_msg_count(54), 2);
	assert_int_equal(vmb_gpadl_msg_count(55), 3);
	assert_int_equal(vmb_gpadl_msg_count(8190), 293);
	assert_int_equal(vmb_gpadl_msg_count(8191), 0);
	assert_int_equal(vmb_gpadl_msg_count(UINT32_MAX), 0);
}

/* ---------------------------------------------------------------- */
/* Round trip of every type                                         */
/* ---------------------------------------------------------------- */

static uint8_t rt_words[3 * 8];

/* Fill *m with distinctive values for type t. */
static void
make_msg(uint32_t t, struct vmb_chanmsg *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->type = t;
	switch (t) {
	case VMB_MSG_OFFERCHANNEL:
		memcpy(m->u.offer.if_type, netvsc_guid, 16);
		for (i = 0; i < 16; i++) {
			m->u.offer.if_instance[i] = (uint8_t)(0xa0 + i);
		}
		m->u.offer.reserved1 = 0x1111111111111111ull;
		m->u.offer.reserved2 = 0x2222222222222222ull;
		m->u.offer.chn_flags = 0x2011;
		m->u.offer.mmio_megabytes = 0x3344;
		for (i = 0; i < sizeof(m->u.offer.user_def); i++) {
			m->u.offer.user_def[i] = (uint8_t)i;
		}
		m->u.offer.sub_channel_index = 7;
		m->u.offer.reserved3 = 0x5566;
		m->u.offer.child_relid = 0x01020304;
		m->u.offer.monitorid = 0x42;
		m->u.offer.monitor_flags = 0x01;
		m->u.offer.interrupt_flags = 0x0001;
		m->u.offer.connection_id = 0x0a0b0c0d;
		break;
	case VMB_MSG_RESCIND_CHANNELOFFER:
		m->u.rescind.child_relid = 0x11;
		break;
	case VMB_MSG_OPENCHANNEL:
		m->u.open.child_relid = 0x21;
		m->u.open.openid = 0x22;
		m->u.open.ringbuffer_gpadlhandle = 0x23;
		m->u.open.target_vp = 0x24;
		m->u.open.downstream_ringbuffer_pageoffset = 0x25;
		for (i = 0; i < sizeof(m->u.open.userdata); i++) {
			m->u.open.userdata[i] = (uint8_t)(0xff - i);
		}
		break;
	case VMB_MSG_OPENCHANNEL_RESULT:
		m->u.open_result.child_relid = 0x31;
		m->u.open_result.openid = 0x32;
		m->u.open_result.status = 0xc0000001;
		break;
	case VMB_MSG_CLOSECHANNEL:
		m->u.close.child_relid = 0x41;
		break;
	case VMB_MSG_GPADL_HEADER:
		/* One range, 2 pages at offset 0x10: 1 + 2 words. */
		t_le32(rt_words, 0x1ff0);
		t_le32(rt_words + 4, 0x10);
		t_le64(rt_words + 8, 0xabc);
		t_le64(rt_words + 16, 0xabd);
		m->u.gpadl_header.child_relid = 0x51;
		m->u.gpadl_header.gpadl = 0x52;
		m->u.gpadl_header.range_buflen = 24;
		m->u.gpadl_header.rangecount = 1;
		m->u.gpadl_header.range_buf = rt_words;
		m->u.gpadl_header.nwords = 3;
		break;
	case VMB_MSG_GPADL_BODY:
		t_le64(rt_words, 0x777);
		t_le64(rt_words + 8, 0x778);
		m->u.gpadl_body.msgnumber = 3;
		m->u.gpadl_body.gpadl = 0x62;
		m->u.gpadl_body.words = rt_words;
		m->u.gpadl_body.nwords = 2;
		break;
	case VMB_MSG_GPADL_CREATED:
		m->u.gpadl_created.child_relid = 0x71;
		m->u.gpadl_created.gpadl = 0x72;
		m->u.gpadl_created.creation_status = 0x73;
		break;
	case VMB_MSG_GPADL_TEARDOWN:
		m->u.gpadl_teardown.child_relid = 0x81;
		m->u.gpadl_teardown.gpadl = 0x82;
		break;
	case VMB_MSG_GPADL_TORNDOWN:
		m->u.gpadl_torndown.gpadl = 0x92;
		break;
	case VMB_MSG_RELID_RELEASED:
		m->u.relid_released.child_relid = 0xa1;
		break;
	case VMB_MSG_INITIATE_CONTACT:
		m->u.initiate.version = VMB_MSG_VERSION_WIN10_V6_0;
		m->u.initiate.target_vcpu = 3;
		m->u.initiate.interrupt_page = vmb_chanmsg_ti_make(2, 1, 0x10);
		m->u.initiate.monitor_page1 = 0xfedcba9876543000ull;
		m->u.initiate.monitor_page2 = 0x0123456789abc000ull;
		break;
	case VMB_MSG_VERSION_RESPONSE:
		m->u.version_response.version_supported = 1;
		m->u.version_response.connection_state = 2;
		m->u.version_response.msg_conn_id = VMB_MSG_CONNECTION_ID_4;
		break;
	default:
		break;
	}
}

/* Spot-check that each type's fields sit at the Linux offsets. */
static void
check_wire_fields(uint32_t t, const uint8_t *b)
{
	switch (t) {
	case VMB_MSG_OFFERCHANNEL:
		assert_int_equal(b[48 + 8], 0x11);	/* chn_flags lo */
		assert_int_equal(b[180], 7);		/* sub_channel */
		assert_int_equal(b[184], 0x04);		/* child_relid */
		assert_int_equal(b[188], 0x42);		/* monitorid */
		assert_int_equal(b[189], 0x01);
		assert_int_equal(b[190], 0x01);
		assert_int_equal(b[192], 0x0d);		/* connection */
		break;
	case VMB_MSG_OPENCHANNEL:
		assert_int_equal(b[24], 0x25);
		assert_int_equal(b[28], 0xff);		/* userdata[0] */
		assert_int_equal(b[147], 0xff - 119);
		break;
	case VMB_MSG_OPENCHANNEL_RESULT:
		assert_int_equal(b[19], 0xc0);		/* status hi */
		break;
	case VMB_MSG_GPADL_HEADER:
		assert_int_equal(b[16], 24);		/* range_buflen */
		assert_int_equal(b[18], 1);		/* rangecount */
		assert_int_equal(b[20], 0xf0);		/* byte_count */
		assert_int_equal(b[24], 0x10);		/* byte_offset */
		break;
	case VMB_MSG_GPADL_BODY:
		assert_int_equal(b[8], 3);		/* msgnumber */
		assert_int_equal(b[12], 0x62);		/* gpadl */
		break;
	case VMB_MSG_GPADL_CREATED:
		assert_int_equal(b[16], 0x73);
		break;
	case VMB_MSG_INITIATE_CONTACT:
		assert_int_equal(b[10], 6);		/* major 6 */
		assert_int_equal(b[12], 3);		/* target_vcpu */
		assert_int_equal(b[16], 2);		/* sint */
		assert_int_equal(b[17], 1);		/* vtl */
		assert_int_equal(b[20], 0x10);		/* features */
		break;
	case VMB_MSG_VERSION_RESPONSE:
		assert_int_equal(b[8], 1);
		assert_int_equal(b[9], 2);
		assert_int_equal(b[12], 4);
		break;
	default:
		break;
	}
}

static void
test_roundtrip_every_type(void **state)
{
	static const uint8_t tail[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t b1[320], b2[320];
	struct vmb_chanmsg m, d;
	uint32_t t;
	int n1, n2;

	(void)state;
	for (t = 1; t <= VMB_MSG_TYPE_MAX_SUPPORTED; t++) {
		size_t want = vmb_chanmsg_min_size(t);

		if (t == VMB_MSG_GPADL_HEADER || t == VMB_MSG_GPADL_BODY) {
			want += t == VMB_MSG_GPADL_HEADER ? 24 : 16;
		}
		make_msg(t, &m);
		n1 = vmb_chanmsg_encode(&m, b1, sizeof(b1));
		assert_int_equal(n1, (int)want);
		assert_int_equal(b1[0], t);
		assert_int_equal(b1[4] | b1[5] | b1[6] | b1[7], 0);
		check_wire_fields(t, b1);

		assert_int_equal(vmb_chanmsg_decode(b1, (size_t)n1, &d), 0);
		assert_int_equal(d.type, t);
		assert_int_equal(d.ext_len, 0);
		n2 = vmb_chanmsg_encode(&d, b2, sizeof(b2));
		assert_int_equal(n2, n1);
		assert_memory_equal(b1, b2, (size_t)n1);

		/* With an extension tail (GPADL_BODY has no tail). */
		if (t == VMB_MSG_GPADL_BODY) {
			continue;
		}
		m.ext = tail;
		m.ext_len = sizeof(tail);
		n1 = vmb_chanmsg_encode(&m, b1, sizeof(b1));
		assert_int_equal(n1, (int)want + 8);
		assert_memory_equal(b1 + want, tail, 8);
		assert_int_equal(vmb_chanmsg_decode(b1, (size_t)n1, &d), 0);
		assert_int_equal(d.ext_len, 8);
		assert_ptr_equal(d.ext, b1 + want);
		n2 = vmb_chanmsg_encode(&d, b2, sizeof(b2));
		assert_int_equal(n2, n1);
		assert_memory_equal(b1, b2, (size_t)n1);
	}
}

static void
test_decoded_field_values(void **state)
{
	uint8_t b[320];
	struct vmb_chanmsg m, d;
	int n;

	(void)state;
	make_msg(VMB_MSG_OPENCHANNEL_RESULT, &m);
	n = vmb_chanmsg_encode(&m, b, sizeof(b));
	assert_int_equal(vmb_chanmsg_decode(b, (size_t)n, &d), 0);
	assert_int_equal(d.u.open_result.child_relid, 0x31);
	assert_int_equal(d.u.open_result.openid, 0x32);
	assert_int_equal(d.u.open_result.status, 0xc0000001);

	make_msg(VMB_MSG_GPADL_TEARDOWN, &m);
	n = vmb_chanmsg_encode(&m, b, sizeof(b));
	assert_int_equal(n, 16);
	assert_int_equal(vmb_chanmsg_decode(b, (size_t)n, &d), 0);
	assert_int_equal(d.u.gpadl_teardown.child_relid, 0x81);
	assert_int_equal(d.u.gpadl_teardown.gpadl, 0x82);

	make_msg(VMB_MSG_GPADL_TORNDOWN, &m);
	n = vmb_chanmsg_encode(&m, b, sizeof(b));
	assert_int_equal(n, 12);
	assert_int_equal(vmb_chanmsg_decode(b, (size_t)n, &d), 0);
	assert_int_equal(d.u.gpadl_torndown.gpadl, 0x92);

	make_msg(VMB_MSG_VERSION_RESPONSE, &m);
	n = vmb_chanmsg_encode(&m, b, sizeof(b));
	assert_int_equal(vmb_chanmsg_decode(b, (size_t)n, &d), 0);
	assert_int_equal(d.u.version_response.version_supported, 1);
	assert_int_equal(d.u.version_response.connection_state, 2);
	assert_int_equal(d.u.version_response.msg_conn_id, 4);

	make_msg(VMB_MSG_RESCIND_CHANNELOFFER, &m);
	n = vmb_chanmsg_encode(&m, b, sizeof(b));
	assert_int_equal(vmb_chanmsg_decode(b, (size_t)n, &d), 0);
	assert_int_equal(d.u.rescind.child_relid, 0x11);

	make_msg(VMB_MSG_UNLOAD, &m);
	n = vmb_chanmsg_encode(&m, b, sizeof(b));
	assert_int_equal(n, 8);
	assert_int_equal(vmb_chanmsg_decode(b, (size_t)n, &d), 0);
	assert_int_equal(d.type, VMB_MSG_UNLOAD);

	/* OpenVMM OpenChannel2 tail: u32 connection_id, u16, u16. */
	make_msg(VMB_MSG_OPENCHANNEL, &m);
	n = vmb_chanmsg_encode(&m, b, sizeof(b));
	t_le32(b + n, 0x12345);
	t_le16(b + n + 4, 7);
	t_le16(b + n + 6, 1);
	assert_int_equal(vmb_chanmsg_decode(b, (size_t)n + 8, &d), 0);
	assert_int_equal(d.u.open.downstream_ringbuffer_pageoffset, 0x25);
	assert_int_equal(d.ext_len, 8);
	assert_int_equal(d.ext[0], 0x45);
	assert_int_equal(d.ext[6], 1);
}

/* ---------------------------------------------------------------- */
/* Malformed input                                                  */
/* ---------------------------------------------------------------- */

static void
test_short_every_type(void **state)
{
	uint8_t b[320];
	struct vmb_chanmsg m, d;
	uint32_t t;
	size_t len;
	int n;

	(void)state;
	for (t = 1; t <= VMB_MSG_TYPE_MAX_SUPPORTED; t++) {
		make_msg(t, &m);
		n = vmb_chanmsg_encode(&m, b, sizeof(b));
		assert_true(n > 0);
		for (len = 0; len < vmb_chanmsg_min_size(t); len++) {
			assert_int_equal(vmb_chanmsg_decode(b, len, &d),
					 -EMSGSIZE);
		}
	}
	/* GPADL_HEADER without even the first range header word. */
	make_msg(VMB_MSG_GPADL_HEADER, &m);
	n = vmb_chanmsg_encode(&m, b, sizeof(b));
	for (len = 20; len < 28; len++) {
		assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EMSGSIZE);
	}
	/* Header-only: 28 bytes (range header, no PFN yet) is fine. */
	assert_int_equal(vmb_chanmsg_decode(b, 28, &d), 0);
	assert_int_equal(d.u.gpadl_header.nwords, 1);
	assert_int_equal(d.u.gpadl_header.npfn_here, 0);
	assert_int_equal(d.u.gpadl_header.words_left, 2);
}

static void
test_unknown_type(void **state)
{
	static const uint32_t types[] = { 0, 18, 19, 21, 22, 24, 25, 0x100,
					   0x80000001u, 0xffffffffu };
	uint8_t b[256];
	struct vmb_chanmsg d;
	size_t i;

	(void)state;
	memset(b, 0, sizeof(b));
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		t_le32(b, types[i]);
		assert_int_equal(vmb_chanmsg_decode(b, sizeof(b), &d),
				 -ENOTSUP);
		assert_int_equal(vmb_chanmsg_decode(b, 8, &d), -ENOTSUP);
	}
	assert_int_equal(vmb_chanmsg_decode(NULL, 8, &d), -EINVAL);
	assert_int_equal(vmb_chanmsg_decode(b, 8, NULL), -EINVAL);
}

/* Hand-built GPADL_HEADER: fixed part + words. */
static size_t
gh(uint8_t *b, uint16_t buflen, uint16_t count, const uint64_t *w,
   uint32_t nw)
{
	uint32_t i;

	memset(b, 0, 20);
	b[0] = 0x08;
	t_le32(b + 8, NETVSC_RELID);
	t_le32(b + 12, 0x99);
	t_le16(b + 16, buflen);
	t_le16(b + 18, count);
	for (i = 0; i < nw; i++) {
		t_le64(b + 20 + 8 * i, w[i]);
	}
	return 20 + 8 * (size_t)nw;
}

/* Range header word: byte_count low, byte_offset high. */
static uint64_t
rw(uint32_t byte_count, uint32_t byte_offset)
{
	return (uint64_t)byte_count | ((uint64_t)byte_offset << 32);
}

static void
test_gpadl_header_malformed(void **state)
{
	uint64_t w[40];
	uint8_t b[400];
	struct vmb_chanmsg d;
	size_t len;

	(void)state;
	w[0] = rw(4096, 0);
	w[1] = 0x1000;

	/* Baseline: one range of one page is valid. */
	len = gh(b, 16, 1, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), 0);
	assert_int_equal(d.u.gpadl_header.npfn_total, 1);

	/* rangecount 0. */
	len = gh(b, 16, 0, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	/* rangecount above the cap. */
	len = gh(b, 8 * 40, VMB_GPADL_MAX_RANGES + 1, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -ERANGE);
	len = gh(b, 0xfff8, 0xffff, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -ERANGE);
	/* rangecount too large for range_buflen (2 ranges need 4 words). */
	len = gh(b, 24, 2, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	/* range_buflen 0, and not a multiple of 8. */
	len = gh(b, 0, 1, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	len = gh(b, 17, 1, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	/* range_buflen says 2 PFNs, byte_count says 1 page. */
	len = gh(b, 24, 1, w, 3);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	/* range_buflen says 1 PFN, byte_count says 2 pages. */
	w[0] = rw(4097, 0);
	len = gh(b, 16, 1, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	/* byte_offset pushes the range into a second page: 2 PFNs needed. */
	w[0] = rw(4096, 1);
	len = gh(b, 16, 1, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	len = gh(b, 24, 1, w, 3);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), 0);
	/* byte_count 0. */
	w[0] = rw(0, 0);
	len = gh(b, 16, 1, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	/* byte_offset beyond the first page, even with a matching count. */
	w[0] = rw(4096, 4096);
	len = gh(b, 16, 1, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	len = gh(b, 24, 1, w, 3);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	w[0] = rw(4096, 4095);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	t_le64(b + 20, rw(4096, 4095));
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), 0);
	/*
	 * Inconsistency caught at the header although the rest of the range
	 * buffer would come in bodies: range_buflen announces 30 PFNs, the
	 * range needs 26 pages; only 27 words are in this message.
	 */
	w[0] = rw(26 * 4096, 0);
	len = gh(b, 8 + 30 * 8, 1, w, 27);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	w[0] = rw(30 * 4096, 0);
	len = gh(b, 8 + 30 * 8, 1, w, 27);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), 0);
	assert_int_equal(d.u.gpadl_header.words_left, 4);
	/* First of two ranges leaves 1 word for the second (needs 2). */
	w[0] = rw(2 * 4096, 0);
	w[1] = 1;
	w[2] = 2;
	len = gh(b, 32, 2, w, 3);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	len = gh(b, 40, 2, w, 3);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), 0);
	assert_int_equal(d.u.gpadl_header.words_left, 2);
	/* PFN count overflowing 32 bits: 0xffffffff + 0xfff bytes. */
	w[0] = rw(0xffffffffu, 0xfff);
	len = gh(b, 0xfff8, 1, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	/* Largest range_buflen with a matching count: valid, mostly owed. */
	w[0] = rw(8190u * 4096, 0);
	len = gh(b, 0xfff8, 1, w, 2);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), 0);
	assert_int_equal(d.u.gpadl_header.npfn_total, 8190);
	assert_int_equal(d.u.gpadl_header.words_left, 8191 - 2);

	/* Two ranges, the first eating the second's words. */
	w[0] = rw(2 * 4096, 0);
	w[1] = 1;
	w[2] = 2;
	w[3] = rw(4096, 0);
	len = gh(b, 32, 2, w, 4);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);
	/* Two ranges, valid: 1 page + 2 pages (offset 0x800). */
	w[0] = rw(4096, 0);
	w[1] = 0x10;
	w[2] = rw(4096, 0x800);
	w[3] = 0x20;
	w[4] = 0x21;
	len = gh(b, 40, 2, w, 5);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), 0);
	assert_int_equal(d.u.gpadl_header.npfn_here, 3);
	assert_int_equal(d.u.gpadl_header.npfn_total, 3);
	/* Same, but the second range claims 3 pages. */
	w[2] = rw(2 * 4096 + 1, 0);
	len = gh(b, 40, 2, w, 5);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), -EBADMSG);

	/* A longer message than the range buffer: the rest is ext. */
	w[0] = rw(4096, 0);
	w[1] = 0x1000;
	w[2] = 0xdeadbeef;
	len = gh(b, 16, 1, w, 3);
	assert_int_equal(vmb_chanmsg_decode(b, len, &d), 0);
	assert_int_equal(d.u.gpadl_header.nwords, 2);
	assert_int_equal(d.ext_len, 8);
	assert_ptr_equal(d.ext, b + 36);
}

static void
test_gpadl_body_malformed(void **state)
{
	uint8_t b[64];
	struct vmb_chanmsg d;

	(void)state;
	memset(b, 0, sizeof(b));
	b[0] = 0x09;
	assert_int_equal(vmb_chanmsg_decode(b, 15, &d), -EMSGSIZE);
	/* No PFN at all. */
	assert_int_equal(vmb_chanmsg_decode(b, 16, &d), -EBADMSG);
	/* Partial PFN. */
	assert_int_equal(vmb_chanmsg_decode(b, 20, &d), -EBADMSG);
	assert_int_equal(vmb_chanmsg_decode(b, 23, &d), -EBADMSG);
	assert_int_equal(vmb_chanmsg_decode(b, 24, &d), 0);
	assert_int_equal(d.u.gpadl_body.nwords, 1);
	assert_int_equal(vmb_chanmsg_decode(b, 64, &d), 0);
	assert_int_equal(d.u.gpadl_body.nwords, 6);
	assert_null(d.ext);
}

/* Build header + bodies of a 30-page GPADL and decode them. */
struct gp30 {
	uint64_t pfn[30];	/* sent PFNs */
	uint8_t hb[240];	/* header bytes */
	uint8_t bb[240];	/* body bytes */
	struct vmb_chanmsg h;	/* decoded header */
	struct vmb_chanmsg b;	/* decoded body (4 PFNs) */
};

static void
gp30_make(struct gp30 *g)
{
	struct vmb_gpadl_desc d = {
		.child_relid = NETVSC_RELID, .gpadl = GPADL_LINUX_FIRST,
		.byte_offset = 0, .byte_count = 30 * 4096, .pfn = g->pfn,
		.npfn = 30,
	};
	int n;

	fill_pfns(g->pfn, 30);
	n = vmb_gpadl_encode_part(&d, 0, g->hb, sizeof(g->hb));
	assert_int_equal(vmb_chanmsg_decode(g->hb, (size_t)n, &g->h), 0);
	n = vmb_gpadl_encode_part(&d, 1, g->bb, sizeof(g->bb));
	assert_int_equal(vmb_chanmsg_decode(g->bb, (size_t)n, &g->b), 0);
}

static void
test_asm_errors(void **state)
{
	struct gp30 g;
	struct vmb_gpadl_asm a;
	struct vmb_chanmsg_gpadl_body body;
	uint64_t got[30];

	(void)state;
	gp30_make(&g);

	/* BODY before any HEADER. */
	vmb_gpadl_asm_init(&a, got, 30);
	assert_int_equal(vmb_gpadl_asm_body(&a, &g.b.u.gpadl_body), -EBADMSG);
	assert_int_equal(a.state, VMB_GPADL_ASM_IDLE);

	/* Wrong gpadl handle. */
	vmb_gpadl_asm_init(&a, got, 30);
	assert_int_equal(vmb_gpadl_asm_header(&a, &g.h.u.gpadl_header), 0);
	body = g.b.u.gpadl_body;
	body.gpadl++;
	assert_int_equal(vmb_gpadl_asm_body(&a, &body), -EBADMSG);
	assert_int_equal(a.state, VMB_GPADL_ASM_FAILED);
	/* Failed is sticky. */
	assert_int_equal(vmb_gpadl_asm_body(&a, &g.b.u.gpadl_body), -EBADMSG);

	/* Out of order: a nonzero msgnumber must be the sequence number. */
	vmb_gpadl_asm_init(&a, got, 30);
	assert_int_equal(vmb_gpadl_asm_header(&a, &g.h.u.gpadl_header), 0);
	body = g.b.u.gpadl_body;
	body.msgnumber = 2;
	assert_int_equal(vmb_gpadl_asm_body(&a, &body), -EBADMSG);
	vmb_gpadl_asm_init(&a, got, 30);
	assert_int_equal(vmb_gpadl_asm_header(&a, &g.h.u.gpadl_header), 0);
	body.msgnumber = 1;
	assert_int_equal(vmb_gpadl_asm_body(&a, &body), 1);

	/* More PFNs than announced: 5 words when 4 are owed. */
	{
		uint8_t w[40];
		int i;

		for (i = 0; i < 5; i++) {
			t_le64(w + 8 * i, 0x5000 + i);
		}
		memset(got, 0xee, sizeof(got));
		vmb_gpadl_asm_init(&a, got, 30);
		assert_int_equal(vmb_gpadl_asm_header(&a,
			&g.h.u.gpadl_header), 0);
		body = g.b.u.gpadl_body;
		body.words = w;
		body.nwords = 5;
		assert_int_equal(vmb_gpadl_asm_body(&a, &body), -EBADMSG);
		assert_int_equal(a.state, VMB_GPADL_ASM_FAILED);
		/* Rejected before storing anything. */
		assert_true(got[26] == 0xeeeeeeeeeeeeeeeeull);
		assert_int_equal(a.npfn, 26);
	}

	/* Split across two bodies, then one body too many. */
	vmb_gpadl_asm_init(&a, got, 30);
	assert_int_equal(vmb_gpadl_asm_header(&a, &g.h.u.gpadl_header), 0);
	body = g.b.u.gpadl_body;
	body.nwords = 3;
	assert_int_equal(vmb_gpadl_asm_body(&a, &body), 0);
	body.words += 3 * 8;
	body.nwords = 1;
	assert_int_equal(vmb_gpadl_asm_body(&a, &body), 1);
	assert_int_equal(a.nbodies, 2);
	assert_true(got[29] == t_pfn(29));
	assert_int_equal(vmb_gpadl_asm_body(&a, &body), -EBADMSG);
	assert_int_equal(a.state, VMB_GPADL_ASM_COMPLETE);

	/* Empty body. */
	vmb_gpadl_asm_init(&a, got, 30);
	assert_int_equal(vmb_gpadl_asm_header(&a, &g.h.u.gpadl_header), 0);
	body = g.b.u.gpadl_body;
	body.nwords = 0;
	assert_int_equal(vmb_gpadl_asm_body(&a, &body), -EBADMSG);

	/* GPADL larger than the caller's PFN storage. */
	vmb_gpadl_asm_init(&a, got, 29);
	assert_int_equal(vmb_gpadl_asm_header(&a, &g.h.u.gpadl_header),
			 -ERANGE);
	assert_int_equal(a.state, VMB_GPADL_ASM_FAILED);

	/* Header twice / NULL arguments. */
	vmb_gpadl_asm_init(&a, got, 30);
	assert_int_equal(vmb_gpadl_asm_header(&a, &g.h.u.gpadl_header), 0);
	assert_int_equal(vmb_gpadl_asm_header(&a, &g.h.u.gpadl_header),
			 -EINVAL);
	assert_int_equal(vmb_gpadl_asm_header(NULL, &g.h.u.gpadl_header),
			 -EINVAL);
	assert_int_equal(vmb_gpadl_asm_body(&a, NULL), -EINVAL);
}

/* Two ranges whose second range header arrives in a body. */
static void
test_asm_multi_range_across_body(void **state)
{
	uint64_t w[40];
	uint8_t hb[400], bb[400];
	uint64_t got[40];
	struct vmb_chanmsg h, b;
	struct vmb_gpadl_asm a;
	uint32_t i;
	size_t len;

	(void)state;
	/* Range A: 25 pages; range B: 3 pages at offset 0x100. */
	w[0] = rw(25 * 4096, 0);
	for (i = 0; i < 25; i++) {
		w[1 + i] = 0xa000 + i;
	}
	w[26] = rw(2 * 4096 + 0x100, 0x100);
	w[27] = 0xb000;
	w[28] = 0xb001;
	w[29] = 0xb002;
	/* Header carries words 0..25 (A complete), body carries 26..29. */
	len = gh(hb, 30 * 8, 2, w, 26);
	assert_int_equal(vmb_chanmsg_decode(hb, len, &h), 0);
	assert_int_equal(h.u.gpadl_header.npfn_here, 25);
	assert_int_equal(h.u.gpadl_header.npfn_total, 28);
	assert_int_equal(h.u.gpadl_header.words_left, 4);

	memset(bb, 0, 16);
	bb[0] = 0x09;
	t_le32(bb + 12, 0x99);
	for (i = 0; i < 4; i++) {
		t_le64(bb + 16 + 8 * i, w[26 + i]);
	}
	assert_int_equal(vmb_chanmsg_decode(bb, 48, &b), 0);

	vmb_gpadl_asm_init(&a, got, 40);
	assert_int_equal(vmb_gpadl_asm_header(&a, &h.u.gpadl_header), 0);
	assert_int_equal(vmb_gpadl_asm_body(&a, &b.u.gpadl_body), 1);
	assert_int_equal(a.nranges, 2);
	assert_int_equal(a.range[0].npfn, 25);
	assert_int_equal(a.range[0].pfn_index, 0);
	assert_int_equal(a.range[1].byte_offset, 0x100);
	assert_int_equal(a.range[1].byte_count, 0x2100);
	assert_int_equal(a.range[1].npfn, 3);
	assert_int_equal(a.range[1].pfn_index, 25);
	assert_int_equal(a.npfn, 28);
	assert_true(got[24] == 0xa018);
	assert_true(got[25] == 0xb000);
	assert_true(got[27] == 0xb002);

	/* Second range header in the body inconsistent with the buffer. */
	t_le64(bb + 16, rw(3 * 4096 + 1, 0));	/* wants 4 PFNs, 3 left */
	assert_int_equal(vmb_chanmsg_decode(bb, 48, &b), 0);
	vmb_gpadl_asm_init(&a, got, 40);
	assert_int_equal(vmb_gpadl_asm_header(&a, &h.u.gpadl_header), 0);
	assert_int_equal(vmb_gpadl_asm_body(&a, &b.u.gpadl_body), -EBADMSG);
	assert_int_equal(a.state, VMB_GPADL_ASM_FAILED);
}

static void
test_encode_errors(void **state)
{
	uint8_t b[320];
	struct vmb_chanmsg m;
	uint32_t t;
	int n;

	(void)state;
	for (t = 1; t <= VMB_MSG_TYPE_MAX_SUPPORTED; t++) {
		make_msg(t, &m);
		n = vmb_chanmsg_encode(&m, b, sizeof(b));
		assert_true(n >= 8);
		assert_int_equal(vmb_chanmsg_encode(&m, b, (size_t)n - 1),
				 -EMSGSIZE);
		assert_int_equal(vmb_chanmsg_encode(&m, b, (size_t)n), n);
	}
	make_msg(VMB_MSG_OFFERCHANNEL, &m);
	assert_int_equal(vmb_chanmsg_encode(NULL, b, sizeof(b)), -EINVAL);
	assert_int_equal(vmb_chanmsg_encode(&m, NULL, sizeof(b)), -EINVAL);
	m.ext_len = 4;
	assert_int_equal(vmb_chanmsg_encode(&m, b, sizeof(b)), -EINVAL);
	m.type = 0;
	assert_int_equal(vmb_chanmsg_encode(&m, b, sizeof(b)), -ENOTSUP);
	m.type = 18;
	assert_int_equal(vmb_chanmsg_encode(&m, b, sizeof(b)), -ENOTSUP);

	make_msg(VMB_MSG_GPADL_HEADER, &m);
	m.u.gpadl_header.nwords = 4;	/* range_buflen 24 = 3 words */
	assert_int_equal(vmb_chanmsg_encode(&m, b, sizeof(b)), -EINVAL);
	m.u.gpadl_header.nwords = 3;
	m.u.gpadl_header.range_buf = NULL;
	assert_int_equal(vmb_chanmsg_encode(&m, b, sizeof(b)), -EINVAL);
	make_msg(VMB_MSG_GPADL_BODY, &m);
	m.u.gpadl_body.words = NULL;
	assert_int_equal(vmb_chanmsg_encode(&m, b, sizeof(b)), -EINVAL);
}

static void
test_gpadl_encode_part_errors(void **state)
{
	uint64_t pfn[30];
	struct vmb_gpadl_desc d = {
		.child_relid = 1, .gpadl = 2, .byte_offset = 0,
		.byte_count = 30 * 4096, .pfn = pfn, .npfn = 30,
	};
	struct vmb_gpadl_desc e;
	uint8_t b[240];
	struct vmb_chanmsg m;

	(void)state;
	fill_pfns(pfn, 30);
	assert_int_equal(vmb_gpadl_encode_part(NULL, 0, b, sizeof(b)),
			 -EINVAL);
	assert_int_equal(vmb_gpadl_encode_part(&d, 0, NULL, sizeof(b)),
			 -EINVAL);
	assert_int_equal(vmb_gpadl_encode_part(&d, 2, b, sizeof(b)), -EINVAL);
	assert_int_equal(vmb_gpadl_encode_part(&d, 0, b, 235), -EMSGSIZE);
	assert_int_equal(vmb_gpadl_encode_part(&d, 1, b, 47), -EMSGSIZE);
	e = d;
	e.npfn = 29;
	assert_int_equal(vmb_gpadl_encode_part(&e, 0, b, sizeof(b)), -EINVAL);
	e = d;
	e.byte_offset = 4096;
	assert_int_equal(vmb_gpadl_encode_part(&e, 0, b, sizeof(b)), -EINVAL);
	e = d;
	e.byte_count = 0;
	assert_int_equal(vmb_gpadl_encode_part(&e, 0, b, sizeof(b)), -EINVAL);
	e = d;
	e.pfn = NULL;
	assert_int_equal(vmb_gpadl_encode_part(&e, 0, b, sizeof(b)), -EINVAL);
	e = d;
	e.npfn = 8191;
	e.byte_count = 8191u * 4096;
	assert_int_equal(vmb_gpadl_encode_part(&e, 0, b, sizeof(b)), -ERANGE);

	/* An unaligned single range: offset 0x10, 1 page + 1 byte -> 2 PFNs. */
	e = d;
	e.byte_offset = 0x10;
	e.byte_count = 4097;
	e.npfn = 2;
	assert_int_equal(vmb_gpadl_encode_part(&e, 0, b, sizeof(b)), 44);
	assert_int_equal(vmb_chanmsg_decode(b, 44, &m), 0);
	assert_int_equal(m.u.gpadl_header.npfn_total, 2);
	assert_int_equal(m.u.gpadl_header.range_buflen, 24);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_match_linux),
		cmocka_unit_test(test_version_constants),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_guid_netvsc),
		cmocka_unit_test(test_guid_malformed),
		cmocka_unit_test(test_vector_initiate_contact),
		cmocka_unit_test(test_vector_offer_netvsc),
		cmocka_unit_test(test_vector_openchannel),
		cmocka_unit_test(test_vector_gpadl_26_pfns),
		cmocka_unit_test(test_vector_gpadl_header_body),
		cmocka_unit_test(test_gpadl_netvsc_ring_258),
		cmocka_unit_test(test_gpadl_msg_count),
		cmocka_unit_test(test_roundtrip_every_type),
		cmocka_unit_test(test_decoded_field_values),
		cmocka_unit_test(test_short_every_type),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_gpadl_header_malformed),
		cmocka_unit_test(test_gpadl_body_malformed),
		cmocka_unit_test(test_asm_errors),
		cmocka_unit_test(test_asm_multi_range_across_body),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_gpadl_encode_part_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
