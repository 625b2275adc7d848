/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for ofl_parse.c.
 *
 * Frame origin: unless a comment says otherwise, every vector is a frame
 * captured in the tshark session described in ofl_frames.h (which holds
 * the frames shared with test_ofl_csum.c; frag_last below is from the same
 * session).  "Derived" vectors are edited copies; the edit is written next
 * to them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sn_wire.h"
#include "ofl_parse.h"
#include "ofl_frames.h"

/*
 * Last fragment of the frag_first datagram (ofl_frames.h) (offset 1440, M
 * clear), whole frame; same capture session.
 */
static const uint8_t frag_last[238] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
	0x86, 0xdd, 0x60, 0x04, 0x53, 0x27, 0x00, 0xb8, 0x00, 0x40, 0xfd, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00,
	0x00, 0x0a, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x2c, 0x00, 0x01, 0x04, 0x00, 0x00,
	0x00, 0x00, 0x11, 0x00, 0x05, 0xa0, 0x8f, 0x82, 0x81, 0x46, 0x28, 0x2f,
	0x36, 0x3d, 0x44, 0x4b, 0x52, 0x59, 0x60, 0x67, 0x6e, 0x75, 0x7c, 0x83,
	0x8a, 0x91, 0x98, 0x9f, 0xa6, 0xad, 0xb4, 0xbb, 0xc2, 0xc9, 0xd0, 0xd7,
	0xde, 0xe5, 0xec, 0xf3, 0xfa, 0x01, 0x08, 0x0f, 0x16, 0x1d, 0x24, 0x2b,
	0x32, 0x39, 0x40, 0x47, 0x4e, 0x55, 0x5c, 0x63, 0x6a, 0x71, 0x78, 0x7f,
	0x86, 0x8d, 0x94, 0x9b, 0xa2, 0xa9, 0xb0, 0xb7, 0xbe, 0xc5, 0xcc, 0xd3,
	0xda, 0xe1, 0xe8, 0xef, 0xf6, 0xfd, 0x04, 0x0b, 0x12, 0x19, 0x20, 0x27,
	0x2e, 0x35, 0x3c, 0x43, 0x4a, 0x51, 0x58, 0x5f, 0x66, 0x6d, 0x74, 0x7b,
	0x82, 0x89, 0x90, 0x97, 0x9e, 0xa5, 0xac, 0xb3, 0xba, 0xc1, 0xc8, 0xcf,
	0xd6, 0xdd, 0xe4, 0xeb, 0xf2, 0xf9, 0x00, 0x07, 0x0e, 0x15, 0x1c, 0x23,
	0x2a, 0x31, 0x38, 0x3f, 0x46, 0x4d, 0x54, 0x5b, 0x62, 0x69, 0x70, 0x77,
	0x7e, 0x85, 0x8c, 0x93, 0x9a, 0xa1, 0xa8, 0xaf, 0xb6, 0xbd, 0xc4, 0xcb,
	0xd2, 0xd9, 0xe0, 0xe7, 0xee, 0xf5, 0xfc, 0x03, 0x0a, 0x11, 0x18, 0x1f,
	0x26, 0x2d, 0x34, 0x3b, 0x42, 0x49, 0x50, 0x57, 0x5e, 0x65, 0x6c, 0x73,
	0x7a, 0x81, 0x88, 0x8f, 0x96, 0x9d, 0xa4, 0xab, 0xb2, 0xb9,
};

static void
test_null_args(void **state)
{
	struct ofl_pkt p;
	uint8_t b[1] = { 0 };

	(void)state;
	assert_int_equal(ofl_parse(NULL, 10, &p), -EINVAL);
	assert_int_equal(ofl_parse(b, 1, NULL), -EINVAL);
	memset(&p, 0xA5, sizeof(p));
	assert_int_equal(ofl_parse(b, 0, &p), 0);
	assert_int_equal(p.flags, OFL_F_TRUNCATED);
	assert_int_equal(p.l3_type, OFL_L3_NONE);
	assert_int_equal(p.l2_len, 0);
	assert_false(ofl_is_dhcp_server(NULL));
	assert_false(ofl_is_dhcp6_server(NULL));
	assert_false(ofl_is_icmp6_ra_or_redirect(NULL));
}

static void
test_arp(void **state)
{
	static const uint8_t sha[6] = { 2, 0, 0, 0, 0, 0x0a };
	static const uint8_t spa[4] = { 10, 0, 0, 1 };
	static const uint8_t tpa[4] = { 10, 0, 0, 2 };
	struct ofl_pkt p;

	(void)state;
	parse_ok(arp, sizeof(arp), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK);
	assert_int_equal(p.ethertype, OFL_ETH_P_ARP);
	assert_int_equal(p.l3_type, OFL_L3_ARP);
	assert_int_equal(p.l3_off, 14);
	assert_int_equal(p.l3_len, 28);
	assert_int_equal(p.arp_op, 1);
	assert_memory_equal(p.arp_sha, sha, 6);
	assert_memory_equal(p.src_ip, spa, 4);
	assert_memory_equal(p.dst_ip, tpa, 4);
	assert_memory_equal(p.src_mac, sha, 6);
	assert_memory_equal(p.dst_mac, "\xff\xff\xff\xff\xff\xff", 6);
	assert_int_equal(p.l4_proto, 0);
}

static void
test_ipv4_tcp_syn(void **state)
{
	static const uint8_t a[4] = { 10, 0, 0, 1 };
	static const uint8_t b[4] = { 10, 0, 0, 2 };
	struct ofl_pkt p;

	(void)state;
	parse_ok(syn, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK);
	assert_int_equal(p.l2_len, 14);
	assert_int_equal(p.vlan_count, 0);
	assert_int_equal(p.ethertype, OFL_ETH_P_IPV4);
	assert_int_equal(p.l3_type, OFL_L3_IPV4);
	assert_int_equal(p.l3_off, 14);
	assert_int_equal(p.l3_len, 60);
	assert_int_equal(p.l3_hdr_len, 20);
	assert_int_equal(p.l4_proto, OFL_IPPROTO_TCP);
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.l4_len, 40);
	assert_int_equal(p.l4_hdr_len, 40);
	assert_int_equal(p.payload_off, 74);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.sport, 54000);
	assert_int_equal(p.dport, 8080);
	assert_int_equal(p.tcp_flags, OFL_TCP_SYN);
	assert_int_equal(p.ip_ttl, 64);
	assert_int_equal(p.ip_tos, 0);
	assert_int_equal(p.frag_id, 0x29b0);
	assert_int_equal(p.frag_off, 0);
	assert_memory_equal(p.src_ip, a, 4);
	assert_memory_equal(p.dst_ip, b, 4);
	assert_memory_equal(p.dst_mac, "\x02\x00\x00\x00\x00\x0b", 6);
}

static void
test_ipv4_tcp_data(void **state)
{
	struct ofl_pkt p;

	(void)state;
	parse_ok(psh, sizeof(psh), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK);
	assert_int_equal(p.l3_len, 57);
	assert_int_equal(p.l4_len, 37);
	assert_int_equal(p.l4_hdr_len, 32);
	assert_int_equal(p.payload_off, 66);
	assert_int_equal(p.payload_len, 5);
	assert_memory_equal(psh + p.payload_off, "hello", 5);
	assert_int_equal(p.tcp_flags, OFL_TCP_PSH | OFL_TCP_ACK);
}

static void
test_ipv4_options(void **state)
{
	struct ofl_pkt p;

	(void)state;
	parse_ok(igmp, sizeof(igmp), &p);
	assert_int_equal(p.flags,
			 OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_IP_OPTIONS);
	assert_int_equal(p.l3_hdr_len, 24);
	assert_int_equal(p.l3_len, 40);
	assert_int_equal(p.l4_proto, 2); /* IGMP: not parsed */
	assert_int_equal(p.l4_off, 38);
	assert_int_equal(p.l4_len, 16);
	assert_int_equal(p.l4_hdr_len, 0);
	assert_int_equal(p.payload_off, 38);
	assert_int_equal(p.payload_len, 16);
	assert_int_equal(p.ip_ttl, 1);
	assert_int_equal(p.ip_tos, 0xc0);
	assert_memory_equal(p.dst_ip, "\xe0\x00\x00\x16", 4);
}

static void
test_vlan_udp(void **state)
{
	struct ofl_pkt p;

	(void)state;
	parse_ok(vlan, sizeof(vlan), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_VLAN | OFL_F_L3_OK |
					  OFL_F_L4_OK);
	assert_int_equal(p.vlan_count, 1);
	assert_int_equal(p.vlan_tpid, OFL_ETH_P_8021Q);
	assert_int_equal(p.vlan_tci, 0xa064);
	assert_int_equal(p.vlan_id, 100);
	assert_int_equal(p.vlan_prio, 5);
	assert_int_equal(p.vlan_dei, 0);
	assert_int_equal(p.vlan_inner_tci, 0);
	assert_int_equal(p.l2_len, 18);
	assert_int_equal(p.ethertype, OFL_ETH_P_IPV4);
	assert_int_equal(p.l3_off, 18);
	assert_int_equal(p.l4_proto, OFL_IPPROTO_UDP);
	assert_int_equal(p.l4_off, 38);
	assert_int_equal(p.l4_len, 12);
	assert_int_equal(p.l4_hdr_len, 8);
	assert_int_equal(p.sport, 40100);
	assert_int_equal(p.dport, 5100);
	assert_int_equal(p.payload_off, 46);
	assert_int_equal(p.payload_len, 4);
	assert_memory_equal(vlan + p.payload_off, "vlan", 4);
}

static void
test_qinq_udp(void **state)
{
	struct ofl_pkt p;

	(void)state;
	parse_ok(qinq, sizeof(qinq), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_VLAN | OFL_F_QINQ |
					  OFL_F_L3_OK | OFL_F_L4_OK);
	assert_int_equal(p.vlan_count, 2);
	assert_int_equal(p.vlan_tpid, OFL_ETH_P_8021AD);
	assert_int_equal(p.vlan_id, 200);
	assert_int_equal(p.vlan_prio, 3);
	assert_int_equal(p.vlan_inner_tci, 300);
	assert_int_equal(p.l2_len, 22);
	assert_int_equal(p.ethertype, OFL_ETH_P_IPV4);
	assert_int_equal(p.l4_off, 42);
	assert_int_equal(p.sport, 40200);
	assert_int_equal(p.dport, 5200);
	assert_memory_equal(qinq + p.payload_off, "qinq", 4);
}

static void
test_third_vlan_tag(void **state)
{
	uint8_t f[sizeof(qinq)];
	struct ofl_pkt p;

	(void)state;
	/* Derived: the inner tag's ethertype 0x0800 made another 0x8100. */
	memcpy(f, qinq, sizeof(f));
	sn_put_be16(f + 20, OFL_ETH_P_8021Q);
	parse_ok(f, sizeof(f), &p);
	assert_int_equal(p.flags, OFL_F_BAD_L2 | OFL_F_VLAN | OFL_F_QINQ);
	assert_int_equal(p.l3_type, OFL_L3_NONE);
}

static void
test_ipv6_tcp_syn(void **state)
{
	static const uint8_t a[16] = { 0xfd, [15] = 1 };
	static const uint8_t b[16] = { 0xfd, [15] = 2 };
	struct ofl_pkt p;

	(void)state;
	parse_ok(syn6, sizeof(syn6), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK);
	assert_int_equal(p.ethertype, OFL_ETH_P_IPV6);
	assert_int_equal(p.l3_type, OFL_L3_IPV6);
	assert_int_equal(p.l3_len, 80);
	assert_int_equal(p.l3_hdr_len, 40);
	assert_int_equal(p.l4_off, 54);
	assert_int_equal(p.l4_len, 40);
	assert_int_equal(p.l4_hdr_len, 40);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.ip6_flow, 0x515a);
	assert_int_equal(p.ip_ttl, 64);
	assert_int_equal(p.ip6_ext_count, 0);
	assert_int_equal(p.sport, 34208);
	assert_int_equal(p.dport, 8081);
	assert_int_equal(p.tcp_flags, OFL_TCP_SYN);
	assert_memory_equal(p.src_ip, a, 16);
	assert_memory_equal(p.dst_ip, b, 16);
}

static void
test_ipv6_udp(void **state)
{
	struct ofl_pkt p;

	(void)state;
	parse_ok(udp6, sizeof(udp6), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK);
	assert_int_equal(p.l4_proto, OFL_IPPROTO_UDP);
	assert_int_equal(p.l4_len, 11);
	assert_int_equal(p.payload_len, 3);
	assert_memory_equal(udp6 + p.payload_off, "ofl", 3);
	assert_int_equal(p.sport, 40001);
	assert_int_equal(p.dport, 9999);
	assert_false(ofl_is_dhcp6_server(&p));
}

static void
test_ipv6_hbh_frag_first(void **state)
{
	struct ofl_pkt p;

	(void)state;
	parse_ok(frag_first, sizeof(frag_first), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK |
					  OFL_F_TRUNCATED | OFL_F_FRAGMENT |
					  OFL_F_IP6_EXT);
	assert_int_equal(p.ip6_ext_count, 2);
	assert_int_equal(p.frag_id, 0x8f828146);
	assert_int_equal(p.frag_off, 0);
	assert_int_equal(p.l3_len, 96 - 14);
	assert_int_equal(p.l3_hdr_len, 56);
	assert_int_equal(p.l4_proto, OFL_IPPROTO_UDP);
	assert_int_equal(p.l4_off, 70);
	/* UDP length 1608 spans all fragments: l4_len is what is here. */
	assert_int_equal(p.l4_len, 26);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 9998);
	assert_int_equal(p.payload_off, 78);
	assert_int_equal(p.payload_len, 18);
}

static void
test_ipv6_hbh_frag_last(void **state)
{
	struct ofl_pkt p;

	(void)state;
	parse_ok(frag_last, sizeof(frag_last), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK |
					  OFL_F_FRAGMENT | OFL_F_FRAG_LATER |
					  OFL_F_IP6_EXT);
	assert_int_equal(p.ip6_ext_count, 2);
	assert_int_equal(p.frag_off, 1440);
	assert_int_equal(p.frag_id, 0x8f828146);
	assert_int_equal(p.l4_proto, OFL_IPPROTO_UDP);
	assert_int_equal(p.l4_off, 70);
	assert_int_equal(p.l4_len, 168);
	assert_int_equal(p.l4_hdr_len, 0);
	assert_int_equal(p.payload_off, 70);
	assert_int_equal(p.payload_len, 168);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.dport, 0);
}

static void
test_ipv4_fragments(void **state)
{
	uint8_t f[sizeof(syn)];
	struct ofl_pkt p;

	(void)state;
	/* Derived: syn with MF set (a first fragment): L4 still parsed. */
	memcpy(f, syn, sizeof(f));
	sn_put_be16(f + 20, 0x2000);
	parse_ok(f, sizeof(f), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK |
					  OFL_F_FRAGMENT);
	assert_int_equal(p.sport, 54000);
	/* Derived: fragment offset 4 (32 bytes): no L4 header here. */
	sn_put_be16(f + 20, 0x0004);
	parse_ok(f, sizeof(f), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK |
					  OFL_F_FRAGMENT | OFL_F_FRAG_LATER);
	assert_int_equal(p.frag_off, 32);
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.payload_off, 34);
	assert_int_equal(p.payload_len, 40);
	assert_int_equal(p.sport, 0);
	/* Derived: DF only (0x4000) is not a fragment. */
	sn_put_be16(f + 20, 0x4000);
	parse_ok(f, sizeof(f), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK);
}

static void
test_ipv6_ra_and_guard(void **state)
{
	uint8_t f[sizeof(ra)];
	struct ofl_pkt p;

	(void)state;
	parse_ok(ra, sizeof(ra), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK);
	assert_int_equal(p.l4_proto, OFL_IPPROTO_ICMPV6);
	assert_int_equal(p.icmp_type, OFL_ICMP6_ROUTER_ADVERT);
	assert_int_equal(p.icmp_code, 0);
	assert_int_equal(p.ip_ttl, 255);
	assert_int_equal(p.l4_off, 54);
	assert_int_equal(p.l4_len, 88);
	assert_int_equal(p.l4_hdr_len, 4);
	assert_int_equal(p.payload_len, 84);
	assert_memory_equal(p.dst_ip, "\xff\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\x01",
			    16);
	assert_true(ofl_is_icmp6_ra_or_redirect(&p));
	assert_false(ofl_is_dhcp6_server(&p));

	/* Derived: type byte set to 137 (redirect) and 135 (NS). */
	memcpy(f, ra, sizeof(f));
	f[54] = 137;
	parse_ok(f, sizeof(f), &p);
	assert_true(ofl_is_icmp6_ra_or_redirect(&p));
	f[54] = 135;
	parse_ok(f, sizeof(f), &p);
	assert_false(ofl_is_icmp6_ra_or_redirect(&p));

	/* RA cut before its ICMPv6 header: not recognised, L4_OK clear. */
	parse_ok(ra, 56, &p);
	assert_false(ofl_is_icmp6_ra_or_redirect(&p));
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK |
					  OFL_F_TRUNCATED);

	/* MLDv2 behind a hop-by-hop header. */
	parse_ok(mld, sizeof(mld), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK |
					  OFL_F_IP6_EXT);
	assert_int_equal(p.ip6_ext_count, 1);
	assert_int_equal(p.l3_hdr_len, 48);
	assert_int_equal(p.l4_proto, OFL_IPPROTO_ICMPV6);
	assert_int_equal(p.icmp_type, 143);
	assert_false(ofl_is_icmp6_ra_or_redirect(&p));
}

static void
test_icmp_echo(void **state)
{
	struct ofl_pkt p;

	(void)state;
	parse_ok(echo, sizeof(echo), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK);
	assert_int_equal(p.l4_proto, OFL_IPPROTO_ICMP);
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(p.icmp_code, 0);
	assert_int_equal(p.l4_len, 64);
	assert_false(ofl_is_icmp6_ra_or_redirect(&p));
}

static void
test_dhcp_guards(void **state)
{
	uint8_t f[sizeof(dhcp)];
	struct ofl_pkt p;

	(void)state;
	parse_ok(dhcp, sizeof(dhcp), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK);
	assert_int_equal(p.sport, 67);
	assert_int_equal(p.dport, 68);
	assert_int_equal(p.l4_len, 308);
	assert_int_equal(p.payload_len, 300);
	assert_memory_equal(p.dst_ip, "\x0a\x00\x00\x67", 4);
	assert_true(ofl_is_dhcp_server(&p));
	assert_false(ofl_is_dhcp6_server(&p));

	/* Derived: ports swapped (client -> server) is not a server reply. */
	memcpy(f, dhcp, sizeof(f));
	sn_put_be16(f + 34, 68);
	sn_put_be16(f + 36, 67);
	parse_ok(f, sizeof(f), &p);
	assert_false(ofl_is_dhcp_server(&p));

	/* The offer cut inside its UDP header is not matched. */
	parse_ok(dhcp, 40, &p);
	assert_false(ofl_is_dhcp_server(&p));

	parse_ok(dhcp6, sizeof(dhcp6), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK);
	assert_int_equal(p.sport, 547);
	assert_int_equal(p.dport, 546);
	assert_int_equal(p.l4_len, 102);
	assert_true(ofl_is_dhcp6_server(&p));
	assert_false(ofl_is_dhcp_server(&p));
}

/*
 * Expected flags of a prefix of n bytes: OR of the flags of every stage
 * reached (n >= at), plus TRUNCATED while n < full.
 */
struct stage {
	size_t at; /* prefix length from which these flags appear */
	uint32_t flags; /* flags added at that length */
};

struct sweep {
	const char *name; /* vector name for failure messages */
	const uint8_t *frame; /* full frame */
	size_t full; /* its length */
	struct stage st[6]; /* stages, at == 0 ends the list */
};

static void
check_invariants(const struct ofl_pkt *p, size_t n)
{
	if (p->flags & OFL_F_L2_OK) {
		assert_true(p->l2_len <= n);
	}
	assert_true(p->l3_off + (size_t)p->l3_len <= n);
	assert_true(p->l4_off + (size_t)p->l4_len <= n);
	assert_true(p->payload_off + (size_t)p->payload_len <= n);
	if (p->flags & OFL_F_L4_OK) {
		assert_true(p->l4_off + (size_t)p->l4_hdr_len <= n);
		assert_int_equal(p->payload_off, p->l4_off + p->l4_hdr_len);
	}
}

static void
run_sweep(const struct sweep *s)
{
	struct ofl_pkt p;
	uint32_t want;
	uint8_t *b;
	size_t n, i;

	for (n = 0; n <= s->full; n++) {
		/* Exactly n bytes on the heap so ASan sees any over-read. */
		b = malloc(n ? n : 1);
		assert_non_null(b);
		memcpy(b, s->frame, n);
		parse_ok(b, n, &p);
		want = n < s->full ? OFL_F_TRUNCATED : 0;
		for (i = 0; i < SN_ARRAY_SIZE(s->st) && s->st[i].at; i++) {
			if (n >= s->st[i].at) {
				want |= s->st[i].flags;
			}
		}
		if (p.flags != want) {
			print_error("%s: %zu bytes: flags %#x want %#x\n",
				    s->name, n, p.flags, want);
		}
		assert_int_equal(p.flags, want);
		check_invariants(&p, n);
		free(b);
	}
}

static void
test_truncation_sweep(void **state)
{
	const uint32_t l2 = OFL_F_L2_OK, l3 = OFL_F_L3_OK, l4 = OFL_F_L4_OK;
	const struct sweep sw[] = {
		{ "arp", arp, sizeof(arp), { { 14, l2 }, { 42, l3 } } },
		{ "syn", syn, sizeof(syn),
		  { { 14, l2 }, { 34, l3 }, { 74, l4 } } },
		{ "igmp", igmp, sizeof(igmp),
		  { { 14, l2 }, { 38, l3 | OFL_F_IP_OPTIONS } } },
		{ "qinq", qinq, sizeof(qinq),
		  { { 18, OFL_F_VLAN },
		    { 22, l2 | OFL_F_QINQ },
		    { 42, l3 },
		    { 50, l4 } } },
		{ "syn6", syn6, sizeof(syn6),
		  { { 14, l2 }, { 54, l3 }, { 94, l4 } } },
		{ "ra", ra, sizeof(ra),
		  { { 14, l2 }, { 54, l3 }, { 58, l4 } } },
		{ "dhcp6", dhcp6, sizeof(dhcp6),
		  { { 14, l2 }, { 54, l3 }, { 62, l4 } } },
		{ "frag_last", frag_last, sizeof(frag_last),
		  { { 14, l2 },
		    { 62, OFL_F_IP6_EXT },
		    { 70, l3 | OFL_F_FRAGMENT | OFL_F_FRAG_LATER } } },
		{ "mld", mld, sizeof(mld),
		  { { 14, l2 }, { 62, OFL_F_IP6_EXT | l3 }, { 66, l4 } } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < SN_ARRAY_SIZE(sw); i++) {
		run_sweep(&sw[i]);
	}
}

static void
test_ipv4_malformed(void **state)
{
	uint8_t f[sizeof(syn) + 16];
	struct ofl_pkt p;

	(void)state;
	/* Derived from syn: IHL 4 and IHL 0. */
	memcpy(f, syn, sizeof(syn));
	f[14] = 0x44;
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_BAD_L3);
	f[14] = 0x40;
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_BAD_L3);
	/* Version 6 in an IPv4 ethertype. */
	f[14] = 0x65;
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_BAD_L3);

	/* IHL 15 (60 bytes) with a 60-byte datagram: no room for TCP. */
	memcpy(f, syn, sizeof(syn));
	f[14] = 0x4f;
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK |
					  OFL_F_IP_OPTIONS | OFL_F_BAD_L4);

	/* Total length 1500 > buffer: header fine, datagram truncated. */
	memcpy(f, syn, sizeof(syn));
	sn_put_be16(f + 16, 1500);
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK |
					  OFL_F_TRUNCATED);
	assert_int_equal(p.l3_len, 60);
	assert_int_equal(p.l4_len, 40);

	/* Total length 19 < IHL. */
	sn_put_be16(f + 16, 19);
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_BAD_L3);

	/* Total length 40 cuts the 40-byte TCP header: bad, rest is pad. */
	sn_put_be16(f + 16, 40);
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_BAD_L4 |
					  OFL_F_L2_PAD);
	assert_int_equal(p.l3_len, 40);

	/* Total length 0 (LSO convention): extent from the buffer. */
	sn_put_be16(f + 16, 0);
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK |
					  OFL_F_LEN_ZERO);
	assert_int_equal(p.l3_len, 60);
	assert_int_equal(p.l4_len, 40);

	/* TCP data offset 4 and 0. */
	memcpy(f, syn, sizeof(syn));
	f[46] = 0x40;
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_BAD_L4);
	f[46] = 0x00;
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_BAD_L4);
	/* TCP data offset 15 (60 bytes) in a 40-byte segment. */
	f[46] = 0xf0;
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_BAD_L4);

	/* Ethernet padding after the datagram. */
	memcpy(f, syn, sizeof(syn));
	memset(f + sizeof(syn), 0, 16);
	parse_ok(f, sizeof(f), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK |
					  OFL_F_L2_PAD);
	assert_int_equal(p.l3_len, 60);
	assert_int_equal(p.l4_len, 40);
}

static void
test_udp_malformed(void **state)
{
	uint8_t f[sizeof(vlan) + 10];
	struct ofl_pkt p;

	(void)state;
	/* Derived from vlan (UDP length field at offset 42). */
	memcpy(f, vlan, sizeof(vlan));
	sn_put_be16(f + 42, 7);
	parse_ok(f, sizeof(vlan), &p);
	assert_int_equal(p.flags & (OFL_F_BAD_L4 | OFL_F_L4_OK), OFL_F_BAD_L4);
	sn_put_be16(f + 42, 13); /* IP payload is 12 */
	parse_ok(f, sizeof(vlan), &p);
	assert_int_equal(p.flags & (OFL_F_BAD_L4 | OFL_F_L4_OK), OFL_F_BAD_L4);
	/* UDP length 10 < IP payload 12: legal, UDP length wins. */
	sn_put_be16(f + 42, 10);
	parse_ok(f, sizeof(vlan), &p);
	assert_int_equal(p.flags & (OFL_F_BAD_L4 | OFL_F_L4_OK), OFL_F_L4_OK);
	assert_int_equal(p.l4_len, 10);
	assert_int_equal(p.payload_len, 2);
	/* Ethernet padding after a tagged UDP frame. */
	memcpy(f, vlan, sizeof(vlan));
	memset(f + sizeof(vlan), 0, 10);
	parse_ok(f, sizeof(f), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_VLAN | OFL_F_L3_OK |
					  OFL_F_L4_OK | OFL_F_L2_PAD);
	assert_int_equal(p.l3_len, 32);
	assert_int_equal(p.l4_len, 12);
}

/*
 * Derived IPv6 frames: udp6's Ethernet + IPv6 header, first next header
 * nh, then ext (extension headers, their next-header bytes set by the
 * caller), then udp6's UDP datagram; payload length fixed up.
 */
static size_t
make_udp6(uint8_t *buf, size_t cap, uint8_t nh, const uint8_t *ext,
	  size_t ext_len)
{
	size_t udp_len = sizeof(udp6) - 54;

	assert_true(54 + ext_len + udp_len <= cap);
	memcpy(buf, udp6, 54);
	buf[20] = nh;
	memcpy(buf + 54, ext, ext_len);
	memcpy(buf + 54 + ext_len, udp6 + 54, udp_len);
	sn_put_be16(buf + 18, (uint16_t)(ext_len + udp_len));
	return 54 + ext_len + udp_len;
}

/* n destination-options headers (8 bytes, PadN) chained, last -> UDP. */
static size_t
dstopts_chain(uint8_t *ext, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint8_t *h = ext + i * 8;

		h[0] = i + 1 < n ? OFL_IPPROTO_DSTOPTS : OFL_IPPROTO_UDP;
		h[1] = 0;
		h[2] = 1; /* PadN, 4 bytes */
		h[3] = 4;
		memset(h + 4, 0, 4);
	}
	return (size_t)n * 8;
}

static void
test_ipv6_ext_chain(void **state)
{
	uint8_t ext[256], f[512];
	struct ofl_pkt p;
	size_t el, n;

	(void)state;
	/* Exactly OFL_IP6_EXT_MAX headers: fine. */
	el = dstopts_chain(ext, OFL_IP6_EXT_MAX);
	n = make_udp6(f, sizeof(f), OFL_IPPROTO_DSTOPTS, ext, el);
	parse_ok(f, n, &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK |
					  OFL_F_IP6_EXT);
	assert_int_equal(p.ip6_ext_count, OFL_IP6_EXT_MAX);
	assert_int_equal(p.l4_off, 54 + el);
	assert_int_equal(p.dport, 9999);

	/* One more than the cap: refused. */
	el = dstopts_chain(ext, OFL_IP6_EXT_MAX + 1);
	n = make_udp6(f, sizeof(f), OFL_IPPROTO_DSTOPTS, ext, el);
	parse_ok(f, n, &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_IP6_EXT |
					  OFL_F_BAD_L3 | OFL_F_IP6_EXT_LIMIT);
	assert_int_equal(p.ip6_ext_count, OFL_IP6_EXT_MAX);

	/* A "loop": 30 headers each naming the next as itself. */
	el = dstopts_chain(ext, 30);
	n = make_udp6(f, sizeof(f), OFL_IPPROTO_DSTOPTS, ext, el);
	parse_ok(f, n, &p);
	assert_true(p.flags & OFL_F_IP6_EXT_LIMIT);
	assert_false(p.flags & OFL_F_L3_OK);

	/* Huge hop-by-hop length (255 -> 2048 bytes) inside the claim. */
	el = dstopts_chain(ext, 1);
	ext[0] = OFL_IPPROTO_UDP;
	ext[1] = 255;
	n = make_udp6(f, sizeof(f), OFL_IPPROTO_HOPOPTS, ext, el);
	parse_ok(f, n, &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_BAD_L3);
	/* Same, payload length claims 0xffff: the buffer ends first. */
	sn_put_be16(f + 18, 0xffff);
	parse_ok(f, n, &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_TRUNCATED);

	/* Hop-by-hop after another extension header. */
	el = dstopts_chain(ext, 2);
	ext[0] = OFL_IPPROTO_HOPOPTS;
	n = make_udp6(f, sizeof(f), OFL_IPPROTO_DSTOPTS, ext, el);
	parse_ok(f, n, &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_IP6_EXT | OFL_F_BAD_L3);
}

static void
test_ipv6_ext_headers(void **state)
{
	uint8_t ext[256], f[512];
	struct ofl_pkt p;
	size_t el, n;

	(void)state;
	/* AH with a payload-length byte pointing far past the packet. */
	el = dstopts_chain(ext, 1);
	ext[1] = 200;
	n = make_udp6(f, sizeof(f), OFL_IPPROTO_AH, ext, el);
	parse_ok(f, n, &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_BAD_L3);
	/* AH of 12 bytes ((1 + 2) * 4), well formed. */
	memset(ext, 0, 12);
	ext[0] = OFL_IPPROTO_UDP;
	ext[1] = 1;
	n = make_udp6(f, sizeof(f), OFL_IPPROTO_AH, ext, 12);
	parse_ok(f, n, &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK |
					  OFL_F_IP6_EXT);
	assert_int_equal(p.l4_off, 54 + 12);

	/* Routing header type 2, segments left 1: flagged. */
	memset(ext, 0, 24);
	ext[0] = OFL_IPPROTO_UDP;
	ext[1] = 2;
	ext[2] = 2;
	ext[3] = 1;
	ext[8] = 0xfd;
	n = make_udp6(f, sizeof(f), OFL_IPPROTO_ROUTING, ext, 24);
	parse_ok(f, n, &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK |
					  OFL_F_IP6_EXT | OFL_F_IP6_RH);
	/* Segments left 0: not flagged. */
	f[54 + 3] = 0;
	parse_ok(f, n, &p);
	assert_false(p.flags & OFL_F_IP6_RH);

	/* Atomic fragment (offset 0, M clear): not a fragment. */
	memset(ext, 0, 8);
	ext[0] = OFL_IPPROTO_UDP;
	n = make_udp6(f, sizeof(f), OFL_IPPROTO_FRAGMENT, ext, 8);
	parse_ok(f, n, &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK |
					  OFL_F_IP6_EXT);

	/* Version 4 in an IPv6 ethertype. */
	memcpy(f, udp6, sizeof(udp6));
	f[14] = 0x40;
	parse_ok(f, sizeof(udp6), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_BAD_L3);

	/* Payload length 0 (LSOv6 convention): extent from the buffer. */
	memcpy(f, syn6, sizeof(syn6));
	sn_put_be16(f + 18, 0);
	parse_ok(f, sizeof(syn6), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L4_OK |
					  OFL_F_LEN_ZERO);
	assert_int_equal(p.l4_len, 40);

	/* ICMPv4 protocol number inside IPv6 is not parsed as ICMP. */
	memcpy(f, ra, sizeof(ra));
	f[20] = OFL_IPPROTO_ICMP;
	parse_ok(f, sizeof(ra), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK);
	assert_false(ofl_is_icmp6_ra_or_redirect(&p));
}

static void
test_arp_and_other(void **state)
{
	uint8_t f[sizeof(arp) + 18];
	struct ofl_pkt p;

	(void)state;
	/* Derived: hardware address length 8 is not Ethernet ARP. */
	memcpy(f, arp, sizeof(arp));
	f[18] = 8;
	parse_ok(f, sizeof(arp), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_BAD_L3);
	assert_int_equal(p.arp_op, 1);
	/* Padded to 60 bytes as a NIC would send it. */
	memcpy(f, arp, sizeof(arp));
	memset(f + sizeof(arp), 0, 18);
	parse_ok(f, sizeof(f), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK | OFL_F_L3_OK | OFL_F_L2_PAD);
	/* LLDP ethertype: L2 only. */
	sn_put_be16(f + 12, 0x88cc);
	parse_ok(f, sizeof(f), &p);
	assert_int_equal(p.flags, OFL_F_L2_OK);
	assert_int_equal(p.l3_type, OFL_L3_OTHER);
	assert_int_equal(p.ethertype, 0x88cc);
	assert_int_equal(p.l3_off, 14);
}

static void
test_flag_names(void **state)
{
	unsigned int i, j;

	(void)state;
	assert_string_equal(ofl_flag_name(OFL_FB_L2_OK), "l2_ok");
	assert_string_equal(ofl_flag_name(OFL_FB_TRUNCATED), "truncated");
	assert_string_equal(ofl_flag_name(OFL_FB_L2_PAD), "l2_pad");
	assert_null(ofl_flag_name(OFL_FB_COUNT));
	assert_int_equal(OFL_F_L2_OK, 1);
	for (i = 0; i < OFL_FB_COUNT; i++) {
		assert_non_null(ofl_flag_name(i));
		for (j = 0; j < i; j++) {
			assert_string_not_equal(ofl_flag_name(i),
						ofl_flag_name(j));
		}
	}
}

/* Random byte flips and cuts of the real frames (fixed seed). */
static void
test_mutation_fuzz(void **state)
{
	static const struct {
		const uint8_t *f; /* frame */
		size_t n; /* its length */
	} base[] = {
		{ syn, sizeof(syn) }, { qinq, sizeof(qinq) },
		{ syn6, sizeof(syn6) }, { ra, sizeof(ra) },
		{ mld, sizeof(mld) }, { frag_last, sizeof(frag_last) },
		{ dhcp6, sizeof(dhcp6) }, { arp, sizeof(arp) },
	};
	uint32_t seed = 0x0f1c5eed;
	struct ofl_pkt p;
	unsigned int it, k;
	uint8_t *b;
	size_t i, n;

	(void)state;
	for (it = 0; it < 20000; it++) {
		i = xorshift32(&seed) % SN_ARRAY_SIZE(base);
		n = base[i].n - xorshift32(&seed) % (base[i].n / 4 + 1);
		b = malloc(n ? n : 1);
		assert_non_null(b);
		memcpy(b, base[i].f, n);
		for (k = xorshift32(&seed) % 4; k > 0 && n > 0; k--) {
			/* Bias flips toward the headers. */
			b[xorshift32(&seed) % (n < 80 ? n : 80)] =
				(uint8_t)xorshift32(&seed);
		}
		parse_ok(b, n, &p);
		check_invariants(&p, n);
		free(b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_ipv4_tcp_syn),
		cmocka_unit_test(test_ipv4_tcp_data),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_vlan_udp),
		cmocka_unit_test(test_qinq_udp),
		cmocka_unit_test(test_third_vlan_tag),
		cmocka_unit_test(test_ipv6_tcp_syn),
		cmocka_unit_test(test_ipv6_udp),
		cmocka_unit_test(test_ipv6_hbh_frag_first),
		cmocka_unit_test(test_ipv6_hbh_frag_last),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv6_ra_and_guard),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_dhcp_guards),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_ipv4_malformed),
		cmocka_unit_test(test_udp_malformed),
		cmocka_unit_test(test_ipv6_ext_chain),
		cmocka_unit_test(test_ipv6_ext_headers),
		cmocka_unit_test(test_arp_and_other),
		cmocka_unit_test(test_flag_names),
		cmocka_unit_test(test_mutation_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
