/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rndis_ppi.c - RNDIS per-packet-info codec tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "rndis_ppi.h"
#include "rndis_test_util.h"

/* A well-formed 16-byte element { 16, type, 12, value }. */
#define ELEM(type, value) LE32(16), LE32(type), LE32(12), LE32(value)

/*
 * The PPI area of a Linux netvsc_xmit() LSO packet on a multi-queue
 * device (drivers/net/hyperv/netvsc_drv.c): NBL_HASH_VALUE first (hash !=
 * 0 and real_num_tx_queues > 1), then IEEE_8021Q_INFO (vid 100, prio 3,
 * cfi 1), then TCP_LARGESEND_PKTINFO with lso_v2_transmit.type = 1,
 * ip_version = IPv4 (0), tcp_header_offset 34, mss 1448; each element
 * built by init_ppi_data(): size 16, ppi_offset 12.
 */
static const uint8_t linux_lso_ppis[] = {
	ELEM(RNDIS_PPI_HASH_VALUE, 0x9E3779B9),
	ELEM(RNDIS_PPI_VLAN, 0x0000064B),
	ELEM(RNDIS_PPI_LSO, 0x422005A8),
};

/*
 * RSC fragment id as the host sends it and Linux rndis_filter_receive_data()
 * reads it: internal type 1 (type field 0x80000001), struct
 * rndis_pktinfo_id { ver 1, flag SUBALLOC | 1ST_FRAG, pkt_id 0x1234 }.
 */
static const uint8_t host_pktinfo_id[] = {
	LE32(16), LE32(0x80000001), LE32(12), 0x01, 0x03, 0x34, 0x12,
};

static void
test_iterate_linux_lso(void **state)
{
	static const uint32_t types[] = { 8, 6, 2 };
	struct rndis_ppi_iter it;
	struct rndis_ppi p;
	int i;

	(void)state;
	assert_int_equal(rndis_ppi_iter_init(&it, linux_lso_ppis,
					     sizeof(linux_lso_ppis)), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rndis_ppi_next(&it, &p), 1);
		assert_int_equal(p.type, types[i]);
		assert_int_equal(p.id, types[i]);
		assert_false(p.internal);
		assert_int_equal(p.size, 16);
		assert_int_equal(p.value_off, 12);
		assert_int_equal(p.value_len, 4);
		assert_ptr_equal(p.value, linux_lso_ppis + 16 * i + 12);
	}
	assert_int_equal(rndis_ppi_next(&it, &p), 0);
	assert_int_equal(rndis_ppi_next(&it, &p), 0);
}

static void
test_parse_linux_lso(void **state)
{
	struct rndis_ppi_set s;

	(void)state;
	assert_int_equal(rndis_ppi_parse(linux_lso_ppis,
					 sizeof(linux_lso_ppis), &s), 3);
	assert_int_equal(s.present, RNDIS_PPIF_HASH_VALUE | RNDIS_PPIF_VLAN |
			 RNDIS_PPIF_LSO);
	assert_int_equal(s.hash_value, 0x9E3779B9u);
	assert_int_equal(rndis_vlan_info_vid(s.vlan), 100);
	assert_int_equal(rndis_vlan_info_prio(s.vlan), 3);
	assert_int_equal(rndis_vlan_info_dei(s.vlan), 1);
	assert_true(rndis_lso_is_v2(s.lso));
	assert_false(rndis_lso_v2_is_ipv6(s.lso));
	assert_int_equal(rndis_lso_mss(s.lso), 1448);
	assert_int_equal(rndis_lso_thoff(s.lso), 34);
	assert_int_equal(s.n_elems, 3);
	assert_int_equal(s.n_unknown, 0);
}

static void
test_pktinfo_id(void **state)
{
	struct rndis_ppi_set s;
	struct rndis_ppi_iter it;
	struct rndis_ppi p;
	uint8_t buf[32];

	(void)state;
	assert_int_equal(rndis_ppi_iter_init(&it, host_pktinfo_id,
					     sizeof(host_pktinfo_id)), 0);
	assert_int_equal(rndis_ppi_next(&it, &p), 1);
	assert_true(p.internal);
	assert_int_equal(p.id, RNDIS_PKTINFO_ID);
	assert_string_equal(rndis_ppi_type_name(p.type), "PKTINFO_ID");

	assert_int_equal(rndis_ppi_parse(host_pktinfo_id,
					 sizeof(host_pktinfo_id), &s), 1);
	assert_int_equal(s.present, RNDIS_PPIF_PKTINFO_ID);
	assert_int_equal(s.pktinfo_ver, RNDIS_PKTINFO_ID_V1);
	assert_int_equal(s.pktinfo_flags,
			 RNDIS_PKTINFO_SUBALLOC | RNDIS_PKTINFO_1ST_FRAG);
	assert_int_equal(s.pktinfo_id, 0x1234);

	assert_int_equal(rndis_ppi_set_encode(buf, sizeof(buf), &s), 16);
	assert_memory_equal(buf, host_pktinfo_id, sizeof(host_pktinfo_id));
}

/* Every known type through encode -> parse, in the documented order. */
static void
test_set_roundtrip(void **state)
{
	static const uint32_t order[] = {
		RNDIS_PPI_HASH_VALUE, RNDIS_PPI_VLAN, RNDIS_PPI_LSO,
		RNDIS_PPI_CSUM, RNDIS_PPI_HASH_INFO,
		RNDIS_PPI_TYPE_PKTINFO_ID,
	};
	struct rndis_ppi_set in, out;
	uint8_t buf[128];
	size_t i;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.present = RNDIS_PPIF_ALL;
	in.csum = RNDIS_RXCSUM_TCP_OK | RNDIS_RXCSUM_IP_OK;
	in.lso = rndis_lso_v2_make(1440, 54, true);
	in.vlan = rndis_vlan_info_make(5, 0, 4094);
	in.hash_value = 0xDEADBEEF;
	in.hash_info = RNDIS_HASH_FUNC_TOEPLITZ | RNDIS_HASH_TCP_IPV4;
	in.pktinfo_ver = 1;
	in.pktinfo_flags = RNDIS_PKTINFO_SUBALLOC | RNDIS_PKTINFO_LAST_FRAG;
	in.pktinfo_id = 0xBEEF;

	assert_int_equal(rndis_ppi_set_len(&in), 96);
	assert_int_equal(rndis_ppi_set_encode(buf, sizeof(buf), &in), 96);
	for (i = 0; i < SN_ARRAY_SIZE(order); i++) {
		assert_int_equal(rd32(buf + 16 * i), 16);
		assert_int_equal(rd32(buf + 16 * i + 4), order[i]);
		assert_int_equal(rd32(buf + 16 * i + 8), 12);
	}
	assert_int_equal(rd32(buf + 12), 0xDEADBEEF);

	assert_int_equal(rndis_ppi_parse(buf, 96, &out), 6);
	assert_int_equal(out.present, RNDIS_PPIF_ALL);
	assert_int_equal(out.csum, in.csum);
	assert_int_equal(out.lso, in.lso);
	assert_int_equal(out.vlan, in.vlan);
	assert_int_equal(out.hash_value, in.hash_value);
	assert_int_equal(out.hash_info, in.hash_info);
	assert_int_equal(out.pktinfo_ver, in.pktinfo_ver);
	assert_int_equal(out.pktinfo_flags, in.pktinfo_flags);
	assert_int_equal(out.pktinfo_id, in.pktinfo_id);
	assert_true(rndis_csum_rx_has(out.csum, RNDIS_RXCSUM_TCP_OK));
	assert_true(rndis_csum_rx_has(out.csum, RNDIS_RXCSUM_TCP_OK |
				      RNDIS_RXCSUM_IP_OK));
	assert_false(rndis_csum_rx_has(out.csum, RNDIS_RXCSUM_UDP_OK));
	assert_int_equal(rndis_hash_info_func(out.hash_info),
			 RNDIS_HASH_FUNC_TOEPLITZ);
	assert_int_equal(rndis_hash_info_type(out.hash_info),
			 RNDIS_HASH_TCP_IPV4);

	/* Room checks and empty sets. */
	assert_int_equal(rndis_ppi_set_encode(buf, 95, &in), -EMSGSIZE);
	assert_int_equal(rndis_ppi_set_encode(buf, 0, NULL), 0);
	assert_int_equal(rndis_ppi_set_len(NULL), 0);
	in.present = 1u << 9;
	assert_int_equal(rndis_ppi_set_encode(buf, sizeof(buf), &in),
			 -EINVAL);
}

static void
test_element_encode(void **state)
{
	static const uint8_t vlan[] = { ELEM(RNDIS_PPI_VLAN, 0x643) };
	static const uint8_t two[] = {
		LE32(16), LE32(RNDIS_PPI_PAD), LE32(12), 0xAB, 0xCD, 0, 0,
	};
	uint8_t val[4] = { LE32(0x643) };
	uint8_t pad[2] = { 0xAB, 0xCD };
	uint8_t buf[32];

	(void)state;
	assert_int_equal(rndis_ppi_encode(buf, sizeof(buf), RNDIS_PPI_VLAN,
					  val, 4), 16);
	assert_memory_equal(buf, vlan, sizeof(vlan));
	/* A 2-byte value is padded to a 4-byte multiple with zeros. */
	memset(buf, 0xEE, sizeof(buf));
	assert_int_equal(rndis_ppi_encode(buf, sizeof(buf), RNDIS_PPI_PAD,
					  pad, 2), 16);
	assert_memory_equal(buf, two, sizeof(two));
	assert_int_equal(buf[16], 0xEE);
	/* Errors. */
	assert_int_equal(rndis_ppi_encode(buf, 15, RNDIS_PPI_VLAN, val, 4),
			 -EMSGSIZE);
	assert_int_equal(rndis_ppi_encode(buf, sizeof(buf), 0, val, 0),
			 -EINVAL);
	assert_int_equal(rndis_ppi_encode(buf, sizeof(buf), 0, NULL, 4),
			 -EINVAL);
	assert_int_equal(rndis_ppi_encode(NULL, sizeof(buf), 0, val, 4),
			 -EINVAL);
	assert_int_equal(rndis_ppi_encode(buf, sizeof(buf), 0, val,
					  0xFFFFFFF0u), -ERANGE);
}

static void
test_value_helpers(void **state)
{
	uint32_t v;

	(void)state;
	/* TX checksum: Linux IPv4/TCP, thoff 34 -> 0x00220005. */
	v = rndis_csum_tx_make(RNDIS_TXCSUM_IPV4 | RNDIS_TXCSUM_TCP, 34);
	assert_int_equal(v, 0x00220005);
	v = rndis_csum_tx_make(RNDIS_TXCSUM_IPV6 | RNDIS_TXCSUM_UDP, 54);
	assert_int_equal(v, 0x0036000A);
	assert_true(rndis_csum_tx_is_ipv6(v));
	assert_true(rndis_csum_tx_udp(v));
	/* thoff is 10 bits: 0x400 wraps to 0, flags cannot leak into it. */
	assert_int_equal(rndis_csum_tx_make(RNDIS_TXCSUM_IP_HDR, 0x400),
			 RNDIS_TXCSUM_IP_HDR);
	assert_int_equal(rndis_csum_tx_make(0xFFFFFFFFu, 0) &
			 RNDIS_TXCSUM_THOFF_MASK, 0);

	/* LSOv2 (DPDK NDIS_LSO2_INFO_MAKEIPV4 / MAKEIPV6 layout). */
	assert_int_equal(rndis_lso_v2_make(1448, 34, false), 0x422005A8);
	assert_int_equal(rndis_lso_v2_make(1428, 54, true), 0xC3600594);
	assert_true(rndis_lso_v2_is_ipv6(0xC3600594));
	/* LSOv1: type bit clear. */
	v = rndis_lso_v1_make(1460, 34);
	assert_int_equal(v, 0x022005B4);
	assert_false(rndis_lso_is_v2(v));
	assert_int_equal(rndis_lso_mss(v), 1460);
	assert_int_equal(rndis_lso_thoff(v), 34);
	assert_int_equal(rndis_lso_mss(rndis_lso_v2_make(0x1FFFFF, 0, 0)),
			 0xFFFFF);

	/* VLAN info (DPDK NDIS_VLAN_INFO_MAKE layout) and TCI mapping. */
	assert_int_equal(rndis_vlan_info_make(3, 0, 100), 0x643);
	assert_int_equal(rndis_vlan_info_make(7, 1, 4095), 0xFFFF);
	assert_int_equal(rndis_vlan_info_make(8, 0, 4096), 0);
	assert_int_equal(rndis_vlan_info_to_tci(0x643), 0x6064);
	assert_int_equal(rndis_vlan_info_from_tci(0x6064), 0x643);
	assert_int_equal(rndis_vlan_info_to_tci(0x64B), 0x7064);
	assert_int_equal(rndis_vlan_info_from_tci(0xFFFF), 0xFFFF);

	assert_int_equal(rndis_hash_info_func(0x00000701), 1);
	assert_int_equal(rndis_hash_info_type(0x00000701), 0x700);
}

/* One element of a 64-byte area with header fields set as given. */
static size_t
one_elem(uint8_t *area, uint32_t size, uint32_t type, uint32_t voff)
{
	memset(area, 0, 64);
	wr32(area, size);
	wr32(area + 4, type);
	wr32(area + 8, voff);
	return 16;
}

static void
test_malformed_elements(void **state)
{
	struct rndis_ppi_iter it;
	struct rndis_ppi_set s;
	struct rndis_ppi p;
	uint8_t a[64];
	size_t n;

	(void)state;
	/* size 0 (would loop forever in a naive walker). */
	n = one_elem(a, 0, RNDIS_PPI_VLAN, 12);
	assert_int_equal(rndis_ppi_parse(a, n, &s), -EBADMSG);
	/* size smaller than the 12-byte header. */
	n = one_elem(a, 8, RNDIS_PPI_VLAN, 12);
	assert_int_equal(rndis_ppi_parse(a, n, &s), -EBADMSG);
	n = one_elem(a, 11, RNDIS_PPI_VLAN, 12);
	assert_int_equal(rndis_ppi_parse(a, n, &s), -EBADMSG);
	/* ppi_offset inside the header, at the end, past the element. */
	n = one_elem(a, 16, RNDIS_PPI_VLAN, 8);
	assert_int_equal(rndis_ppi_parse(a, n, &s), -EBADMSG);
	n = one_elem(a, 16, RNDIS_PPI_VLAN, 16);
	assert_int_equal(rndis_ppi_parse(a, n, &s), -EBADMSG);
	/* (an empty value is malformed even on a type parse would skip) */
	n = one_elem(a, 16, 30, 16);
	assert_int_equal(rndis_ppi_parse(a, n, &s), -EBADMSG);
	assert_int_equal(rndis_ppi_iter_init(&it, a, n), 0);
	assert_int_equal(rndis_ppi_next(&it, &p), -EBADMSG);
	n = one_elem(a, 16, 30, 15);
	assert_int_equal(rndis_ppi_parse(a, n, &s), 1);
	n = one_elem(a, 16, RNDIS_PPI_VLAN, 0xFFFFFFFFu);
	assert_int_equal(rndis_ppi_parse(a, n, &s), -EBADMSG);
	/* Element extending past the area (by 1 and by a lot). */
	n = one_elem(a, 17, RNDIS_PPI_VLAN, 12);
	assert_int_equal(rndis_ppi_parse(a, n, &s), -EBADMSG);
	n = one_elem(a, 0xFFFFFFF0u, RNDIS_PPI_VLAN, 12);
	assert_int_equal(rndis_ppi_parse(a, n, &s), -EBADMSG);
	/* Area shorter than one header. */
	n = one_elem(a, 16, RNDIS_PPI_VLAN, 12);
	assert_int_equal(rndis_ppi_parse(a, 11, &s), -EBADMSG);
	/* A good element followed by 4 stray bytes. */
	assert_int_equal(rndis_ppi_parse(a, 20, &s), -EBADMSG);
	/* Value of a known type shorter than 4 bytes. */
	n = one_elem(a, 14, RNDIS_PPI_VLAN, 12);
	assert_int_equal(rndis_ppi_parse(a, 14, &s), -EBADMSG);
	/* ...is fine for the iterator, which does not know value sizes. */
	assert_int_equal(rndis_ppi_iter_init(&it, a, 14), 0);
	assert_int_equal(rndis_ppi_next(&it, &p), 1);
	assert_int_equal(p.value_len, 2);
	/* The same short value on an unknown type is skipped. */
	n = one_elem(a, 14, 30, 12);
	assert_int_equal(rndis_ppi_parse(a, 14, &s), 1);
	assert_int_equal(s.n_unknown, 1);
	assert_int_equal(s.present, 0);

	/* Errors are sticky. */
	n = one_elem(a, 0, RNDIS_PPI_VLAN, 12);
	assert_int_equal(rndis_ppi_iter_init(&it, a, n), 0);
	assert_int_equal(rndis_ppi_next(&it, &p), -EBADMSG);
	assert_int_equal(rndis_ppi_next(&it, &p), -EBADMSG);

	/* Arguments. */
	assert_int_equal(rndis_ppi_iter_init(&it, NULL, 4), -EINVAL);
	assert_int_equal(rndis_ppi_iter_init(NULL, a, 4), -EINVAL);
	assert_int_equal(rndis_ppi_next(NULL, &p), -EINVAL);
	assert_int_equal(rndis_ppi_parse(a, 16, NULL), -EINVAL);
	assert_int_equal(rndis_ppi_parse(NULL, 0, &s), 0);
	assert_int_equal(s.present, 0);
}

static void
test_value_offset_and_padding(void **state)
{
	/* A 24-byte element whose value sits at offset 16 (not 12). */
	static const uint8_t wide[] = {
		LE32(24), LE32(RNDIS_PPI_CSUM), LE32(16), LE32(0xFFFFFFFF),
		LE32(0x00000028), LE32(0),
	};
	struct rndis_ppi_set s;

	(void)state;
	assert_int_equal(rndis_ppi_parse(wide, sizeof(wide), &s), 1);
	assert_int_equal(s.present, RNDIS_PPIF_CSUM);
	assert_int_equal(s.csum, RNDIS_RXCSUM_TCP_OK | RNDIS_RXCSUM_IP_OK);
}

/* A chain of exactly RNDIS_PPI_MAX elements passes; one more is -ERANGE. */
static void
test_chain_cap(void **state)
{
	uint8_t big[(RNDIS_PPI_MAX + 1) * 16];
	struct rndis_ppi_iter it;
	struct rndis_ppi_set s;
	struct rndis_ppi p;
	uint32_t i;

	(void)state;
	for (i = 0; i < RNDIS_PPI_MAX + 1; i++) {
		wr32(big + 16 * i, 16);
		wr32(big + 16 * i + 4, 30 + i);	/* unknown types */
		wr32(big + 16 * i + 8, 12);
		wr32(big + 16 * i + 12, i);
	}
	assert_int_equal(rndis_ppi_parse(big, 16 * RNDIS_PPI_MAX, &s),
			 (int)RNDIS_PPI_MAX);
	assert_int_equal(s.n_unknown, RNDIS_PPI_MAX);
	assert_int_equal(rndis_ppi_parse(big, sizeof(big), &s), -ERANGE);

	assert_int_equal(rndis_ppi_iter_init(&it, big, sizeof(big)), 0);
	for (i = 0; i < RNDIS_PPI_MAX; i++) {
		assert_int_equal(rndis_ppi_next(&it, &p), 1);
		assert_int_equal(rd32(p.value), i);
	}
	assert_int_equal(rndis_ppi_next(&it, &p), -ERANGE);
	assert_int_equal(rndis_ppi_next(&it, &p), -ERANGE);
}

static void
test_duplicates_and_unknown(void **state)
{
	static const uint8_t dup_vlan[] = {
		ELEM(RNDIS_PPI_VLAN, 0x10), ELEM(RNDIS_PPI_VLAN, 0x20),
	};
	static const uint8_t dup_pktid[] = {
		ELEM(0x80000001u, 0x00010101), ELEM(0x80000001u, 0x00020101),
	};
	/* Internal bit on a public number, and unknown public types. */
	static const uint8_t mixed[] = {
		ELEM(0x80000006u, 0x643), ELEM(RNDIS_PPI_ORIGINAL, 1),
		ELEM(RNDIS_PPI_VLAN, 0x643), ELEM(RNDIS_PPI_SG_LIST, 2),
	};
	struct rndis_ppi_set s;

	(void)state;
	assert_int_equal(rndis_ppi_parse(dup_vlan, sizeof(dup_vlan), &s),
			 -EBADMSG);
	assert_int_equal(rndis_ppi_parse(dup_pktid, sizeof(dup_pktid), &s),
			 -EBADMSG);
	assert_int_equal(rndis_ppi_parse(mixed, sizeof(mixed), &s), 4);
	assert_int_equal(s.present, RNDIS_PPIF_VLAN);
	assert_int_equal(s.n_unknown, 3);
	assert_int_equal(s.vlan, 0x643);
}

static void
test_type_names(void **state)
{
	(void)state;
	assert_string_equal(rndis_ppi_type_name(RNDIS_PPI_CSUM), "CSUM");
	assert_string_equal(rndis_ppi_type_name(RNDIS_PPI_VLAN), "VLAN");
	assert_string_equal(rndis_ppi_type_name(RNDIS_PPI_HASH_INFO),
			    "HASH_INFO");
	assert_string_equal(rndis_ppi_type_name(4), "UNKNOWN");
	assert_string_equal(rndis_ppi_type_name(0x80000006u), "UNKNOWN");
	assert_string_equal(rndis_ppi_type_name(0xFFFFFFFFu), "UNKNOWN");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iterate_linux_lso),
		cmocka_unit_test(test_parse_linux_lso),
		cmocka_unit_test(test_pktinfo_id),
		cmocka_unit_test(test_set_roundtrip),
		cmocka_unit_test(test_element_encode),
		cmocka_unit_test(test_value_helpers),
		cmocka_unit_test(test_malformed_elements),
		cmocka_unit_test(test_value_offset_and_padding),
		cmocka_unit_test(test_chain_cap),
		cmocka_unit_test(test_duplicates_and_unknown),
		cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
