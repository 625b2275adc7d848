/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for ofl_csum.c.
 *
 * Frame origin: the captured frames shared with test_ofl_parse.c live in
 * ofl_frames.h (see there for the set-up).  The "*_partial" vectors below
 * come from the same capture session, but for them TX checksum offload was
 * left ON, so each holds what Linux hands a driver for CHECKSUM_PARTIAL:
 * the un-complemented pseudo-header sum (with length) in the TCP/UDP
 * checksum field.  The full checksums quoted for them were computed with an
 * independent Python implementation, written into a copy of the frame, and
 * confirmed "correct" by tshark.
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
#include "ofl_csum.h"
#include "ofl_parse.h"
#include "ofl_frames.h"

/*
 * IPv4 TCP SYN 10.0.0.1:45130 -> 10.0.0.2:8082, TX checksum offload on:
 * field (offset 50) holds 0x1431 = pseudo-header sum with length 40.  Full
 * checksum 0x2f10.
 */
static const uint8_t syn_partial[74] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0xbe, 0xd1, 0x40, 0x00, 0x40, 0x06,
	0x67, 0xe8, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0xb0, 0x4a,
	0x1f, 0x92, 0xcc, 0x3f, 0x02, 0x59, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
	0xfa, 0xf0, 0x14, 0x31, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
	0x08, 0x0a, 0x92, 0x0f, 0xd9, 0x74, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03,
	0x03, 0x0a,
};
/* IPv4 UDP 40002 -> 9997 "csum", offload on: 0x1420 in the field; full
 * checksum 0x4fa3 (offset 40). */
static const uint8_t udp4_partial[46] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0xa6, 0x21, 0x40, 0x00, 0x40, 0x11,
	0x80, 0xa9, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x9c, 0x42,
	0x27, 0x0d, 0x00, 0x0c, 0x14, 0x20, 0x63, 0x73, 0x75, 0x6d,
};
/* IPv6 UDP 40003 -> 9996 "partial6", offload on: 0xf92e in the field;
 * full checksum 0x8b03 (offset 60). */
static const uint8_t udp6_partial[70] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
	0x86, 0xdd, 0x60, 0x02, 0xb6, 0xbb, 0x00, 0x10, 0x11, 0x40, 0xfd, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00,
	0x00, 0x0a, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x43, 0x27, 0x0c, 0x00, 0x10,
	0xf9, 0x2e, 0x70, 0x61, 0x72, 0x74, 0x69, 0x61, 0x6c, 0x36,
};

/* Straightforward RFC 1071 reference: big-endian words, one at a time. */
static uint32_t
ref_sum(const uint8_t *b, size_t n, uint32_t sum)
{
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	}
	if (n & 1) {
		s += (uint32_t)b[n - 1] << 8;
	}
	while (s >> 16) {
		s = (s & 0xFFFF) + (s >> 16);
	}
	return (uint32_t)s;
}

/* RFC 1071 section 3 worked example. */
static void
test_rfc1071_example(void **state)
{
	static const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03,
				      0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(ofl_csum_partial(b, 8, 0), 0xddf2);
	assert_int_equal(ofl_csum_fold(ofl_csum_partial(b, 8, 0)), 0x220d);
	/* Sum of the data plus its checksum folds to 0. */
	assert_int_equal(ofl_csum_fold(ofl_csum_partial(b, 8, 0x220d)), 0);
	assert_int_equal(ofl_csum_partial(NULL, 0, 0x1234), 0x1234);
	assert_int_equal(ofl_csum_partial(b, 0, 0), 0);
	assert_int_equal(ofl_csum_fold(0), 0xffff);
	assert_int_equal(ofl_csum_fold(0x1ffff), 0xfffe);
	assert_int_equal(ofl_csum_fold(0xffffffff), 0);
}

/*
 * IPv4 header from the Wikipedia article "Internet checksum" / "IPv4
 * header checksum" example: 4500 0073 0000 4000 4011 [b861] c0a8 0001
 * c0a8 00c7.
 */
static void
test_ip4_hdr_known(void **state)
{
	static const uint8_t wiki[20] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};
	uint8_t h[24];

	(void)state;
	assert_int_equal(ofl_csum_ip4_hdr(wiki, 20), 0xb861);
	assert_true(ofl_csum_ip4_hdr_ok(wiki, 20));
	memcpy(h, wiki, 20);
	h[8] = 0x3f; /* TTL changed, checksum not */
	assert_false(ofl_csum_ip4_hdr_ok(h, 20));
	assert_int_equal(ofl_csum_ip4_hdr(syn + 14, 20), 0xfd09);
	assert_int_equal(ofl_csum_ip4_hdr(igmp + 14, 24), 0xf9f8);
	assert_true(ofl_csum_ip4_hdr_ok(igmp + 14, 24));
	assert_int_equal(ofl_csum_ip4_hdr(dhcp + 14, 20), 0x8033);
	assert_int_equal(ofl_csum_ip4_hdr(qinq + 22, 20), 0x9b67);
	assert_int_equal(ofl_csum_ip4_hdr(NULL, 20), 0);
	assert_int_equal(ofl_csum_ip4_hdr(wiki, 19), 0);
	assert_false(ofl_csum_ip4_hdr_ok(NULL, 20));
	assert_false(ofl_csum_ip4_hdr_ok(wiki, 12));
}

struct known {
	const char *name; /* vector name */
	const uint8_t *f; /* captured frame */
	size_t n; /* its length */
	size_t l4_csum; /* offset of the TCP/UDP checksum field */
	uint16_t l4_val; /* captured TCP/UDP checksum */
	size_t ip_csum; /* offset of the IPv4 checksum, 0 for IPv6 */
	uint16_t ip_val; /* captured IPv4 header checksum */
};

static const struct known known[] = {
	{ "syn", syn, sizeof(syn), 50, 0xce85, 24, 0xfd09 },
	{ "psh", psh, sizeof(psh), 50, 0xe655, 24, 0xfd0a },
	{ "vlan", vlan, sizeof(vlan), 44, 0x6368, 28, 0x9b76 },
	{ "qinq", qinq, sizeof(qinq), 48, 0x5aa0, 32, 0x9b67 },
	{ "dhcp", dhcp, sizeof(dhcp), 40, 0xf34f, 24, 0x8033 },
	{ "syn6", syn6, sizeof(syn6), 70, 0xa888, 0, 0 },
	{ "udp6", udp6, sizeof(udp6), 60, 0x671c, 0, 0 },
	{ "dhcp6", dhcp6, sizeof(dhcp6), 60, 0xd566, 0, 0 },
};

/* Zero the captured checksums, recompute them, compare with the capture. */
static void
check_known_fill(const struct known *k, size_t shift)
{
	struct ofl_csum_verdict v;
	uint8_t *buf, *f;
	struct ofl_pkt p;
	unsigned int what = OFL_CSUM_L4;

	buf = malloc(k->n + shift);
	assert_non_null(buf);
	f = buf + shift; /* unaligned for shift 1..7 */
	memcpy(f, k->f, k->n);
	assert_int_equal(sn_get_be16(f + k->l4_csum), k->l4_val);
	parse_ok(f, k->n, &p);

	assert_int_equal(ofl_csum_verify(f, k->n, &p, &v), 0);
	assert_int_equal(v.l4, OFL_CSUM_GOOD);
	assert_int_equal(v.l4_proto, p.l4_proto);
	assert_int_equal(v.ip4, k->ip_csum ? OFL_CSUM_GOOD : OFL_CSUM_NONE);

	sn_put_be16(f + k->l4_csum, 0);
	if (k->ip_csum) {
		assert_int_equal(sn_get_be16(f + k->ip_csum), k->ip_val);
		sn_put_be16(f + k->ip_csum, 0);
		what |= OFL_CSUM_IP4;
	}
	assert_int_equal(ofl_csum_verify(f, k->n, &p, &v), 0);
	assert_int_equal(v.ip4, k->ip_csum ? OFL_CSUM_BAD : OFL_CSUM_NONE);
	/* UDP checksum 0 is "none", TCP 0 is simply wrong. */
	assert_int_equal(v.l4, p.l4_proto == OFL_IPPROTO_UDP ? OFL_CSUM_NONE :
							      OFL_CSUM_BAD);

	assert_int_equal(ofl_csum_fill(f, k->n, &p, what), 0);
	if (memcmp(f, k->f, k->n) != 0) {
		print_error("%s (shift %zu): l4 %#x want %#x\n", k->name,
			    shift, sn_get_be16(f + k->l4_csum), k->l4_val);
	}
	assert_memory_equal(f, k->f, k->n);
	free(buf);
}

static void
test_known_frames(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < SN_ARRAY_SIZE(known); i++) {
		check_known_fill(&known[i], 0);
	}
}

static void
test_unaligned_frames(void **state)
{
	size_t i, shift;

	(void)state;
	for (shift = 1; shift < 8; shift++) {
		for (i = 0; i < SN_ARRAY_SIZE(known); i++) {
			check_known_fill(&known[i], shift);
		}
	}
}

/* ICMP, ICMPv6 and IGMP checksums: plain partial sums and pseudo6. */
static void
test_icmp_known(void **state)
{
	uint8_t f[160];
	uint32_t s;

	(void)state;
	/* ICMPv4 echo: no pseudo-header; 64 bytes at 34, field at 36. */
	memcpy(f, echo, sizeof(echo));
	sn_put_be16(f + 36, 0);
	assert_int_equal(ofl_csum_fold(ofl_csum_partial(f + 34, 64, 0)),
			 0x0a3f);
	assert_int_equal(ofl_csum_fold(ofl_csum_partial(echo + 34, 64, 0)), 0);
	/* IGMPv3: 16 bytes at 38, field at 40. */
	memcpy(f, igmp, sizeof(igmp));
	sn_put_be16(f + 40, 0);
	assert_int_equal(ofl_csum_fold(ofl_csum_partial(f + 38, 16, 0)),
			 0xe8f9);
	/* ICMPv6 RA: pseudo-header, 88 bytes at 54, field at 56. */
	memcpy(f, ra, sizeof(ra));
	sn_put_be16(f + 56, 0);
	s = ofl_csum_pseudo6(ra + 22, ra + 38, OFL_IPPROTO_ICMPV6, 88);
	assert_int_equal(ofl_csum_fold(ofl_csum_partial(f + 54, 88, s)),
			 0x4e57);
	/* MLDv2: ICMPv6 after an 8-byte hop-by-hop header; 48 bytes at 62. */
	memcpy(f, mld, sizeof(mld));
	sn_put_be16(f + 64, 0);
	s = ofl_csum_pseudo6(mld + 22, mld + 38, OFL_IPPROTO_ICMPV6, 48);
	assert_int_equal(ofl_csum_fold(ofl_csum_partial(f + 62, 48, s)),
			 0x6dde);
}

/* What Linux leaves for a TX-offloaded frame, and what fill makes of it. */
static void
test_partial_frames(void **state)
{
	static const struct {
		const uint8_t *f; /* captured CHECKSUM_PARTIAL frame */
		size_t n; /* its length */
		size_t off; /* checksum field offset */
		uint16_t seed; /* value Linux left in the field */
		uint16_t full; /* checksum after fill */
	} v[] = {
		{ syn_partial, sizeof(syn_partial), 50, 0x1431, 0x2f10 },
		{ udp4_partial, sizeof(udp4_partial), 40, 0x1420, 0x4fa3 },
		{ udp6_partial, sizeof(udp6_partial), 60, 0xf92e, 0x8b03 },
	};
	struct ofl_csum_verdict vd;
	const uint8_t *ip;
	struct ofl_pkt p;
	uint8_t f[128];
	uint32_t ps;
	size_t i;

	(void)state;
	for (i = 0; i < SN_ARRAY_SIZE(v); i++) {
		memcpy(f, v[i].f, v[i].n);
		parse_ok(f, v[i].n, &p);
		ip = f + p.l3_off;
		assert_int_equal(sn_get_be16(f + v[i].off), v[i].seed);
		/* The seed is the un-complemented pseudo-header sum. */
		if (p.l3_type == OFL_L3_IPV4) {
			ps = ofl_csum_pseudo4(ip + 12, ip + 16, p.l4_proto,
					      p.l4_len);
		} else {
			ps = ofl_csum_pseudo6(ip + 8, ip + 24, p.l4_proto,
					      p.l4_len);
		}
		assert_int_equal((uint16_t)~ofl_csum_fold(ps), v[i].seed);
		assert_int_equal(ofl_csum_verify(f, v[i].n, &p, &vd), 0);
		assert_int_equal(vd.l4, OFL_CSUM_BAD);
		assert_int_equal(ofl_csum_fill(f, v[i].n, &p, OFL_CSUM_L4), 0);
		assert_int_equal(sn_get_be16(f + v[i].off), v[i].full);
		assert_int_equal(ofl_csum_verify(f, v[i].n, &p, &vd), 0);
		assert_int_equal(vd.l4, OFL_CSUM_GOOD);
		/* Only the checksum field changed. */
		sn_put_be16(f + v[i].off, v[i].seed);
		assert_memory_equal(f, v[i].f, v[i].n);
	}
}

/*
 * Pseudo-header without length (LSO, wire-facts.md section 5) vs with:
 * Linux LSO puts ~csum_tcpudp_magic(s, d, 0, TCP, 0) in the field, i.e.
 * the folded sum without length; adding the length gives the seed Linux
 * uses for plain checksum offload (0x1431 in syn_partial).
 */
static void
test_pseudo_len_relation(void **state)
{
	const uint8_t *s4 = syn_partial + 26, *d4 = syn_partial + 30;
	const uint8_t *s6 = syn6 + 22, *d6 = syn6 + 38;
	uint32_t n0, nl, len;
	uint8_t f[sizeof(syn_partial)];
	struct ofl_pkt p;

	(void)state;
	n0 = ofl_csum_pseudo4(s4, d4, OFL_IPPROTO_TCP, 0);
	assert_int_equal((uint16_t)~ofl_csum_fold(n0), 0x1409);
	nl = ofl_csum_pseudo4(s4, d4, OFL_IPPROTO_TCP, 40);
	assert_int_equal((uint16_t)~ofl_csum_fold(nl), 0x1431);
	for (len = 0; len < 70000; len += 997) {
		assert_int_equal(
			ofl_csum_fold(ofl_csum_pseudo4(s4, d4, 6, 0) + len),
			ofl_csum_fold(ofl_csum_pseudo4(s4, d4, 6, len)));
		assert_int_equal(
			ofl_csum_fold(ofl_csum_pseudo6(s6, d6, 6, 0) +
				      (len >> 16) + (len & 0xffff)),
			ofl_csum_fold(ofl_csum_pseudo6(s6, d6, 6, len)));
	}
	/* An LSO-style seed in the field makes no difference to fill. */
	memcpy(f, syn_partial, sizeof(f));
	sn_put_be16(f + 50, 0x1409);
	parse_ok(f, sizeof(f), &p);
	assert_int_equal(ofl_csum_fill(f, sizeof(f), &p, OFL_CSUM_TCP), 0);
	assert_int_equal(sn_get_be16(f + 50), 0x2f10);
}

/*
 * Derived: udp6 with its first payload word raised by the checksum value,
 * so the data sums to 0xffff and the computed checksum is 0: must be sent
 * as 0xffff (RFC 768, RFC 8200 8.1).
 */
static void
test_udp_zero_becomes_ffff(void **state)
{
	struct ofl_csum_verdict v;
	uint8_t f[sizeof(udp6)];
	struct ofl_pkt p;
	uint32_t w;

	(void)state;
	memcpy(f, udp6, sizeof(f));
	w = sn_get_be16(f + 62) + 0x671c; /* "of" + captured checksum */
	w = (w & 0xffff) + (w >> 16);
	sn_put_be16(f + 62, (uint16_t)w);
	sn_put_be16(f + 60, 0);
	parse_ok(f, sizeof(f), &p);
	assert_int_equal(ofl_csum_fill(f, sizeof(f), &p, OFL_CSUM_UDP), 0);
	assert_int_equal(sn_get_be16(f + 60), 0xffff);
	assert_int_equal(ofl_csum_verify(f, sizeof(f), &p, &v), 0);
	assert_int_equal(v.l4, OFL_CSUM_GOOD);

	/* IPv4 UDP with checksum 0 (not computed): verify says NONE. */
	memcpy(f, vlan, sizeof(vlan));
	sn_put_be16(f + 44, 0);
	parse_ok(f, sizeof(vlan), &p);
	assert_int_equal(ofl_csum_verify(f, sizeof(vlan), &p, &v), 0);
	assert_int_equal(v.ip4, OFL_CSUM_GOOD);
	assert_int_equal(v.l4, OFL_CSUM_NONE);
	assert_int_equal(v.l4_proto, 0);
}

static void
test_verify_good_bad(void **state)
{
	struct ofl_csum_verdict v;
	uint8_t f[sizeof(dhcp)];
	struct ofl_pkt p;

	(void)state;
	/* One payload bit flipped: L4 bad, IP still good. */
	memcpy(f, dhcp, sizeof(dhcp));
	f[300] ^= 0x01;
	parse_ok(f, sizeof(dhcp), &p);
	assert_int_equal(ofl_csum_verify(f, sizeof(dhcp), &p, &v), 0);
	assert_int_equal(v.ip4, OFL_CSUM_GOOD);
	assert_int_equal(v.l4, OFL_CSUM_BAD);
	assert_int_equal(v.l4_proto, OFL_IPPROTO_UDP);
	/* TTL changed: IP bad, UDP good (TTL is not in the pseudo-header). */
	memcpy(f, dhcp, sizeof(dhcp));
	f[22]--;
	parse_ok(f, sizeof(dhcp), &p);
	assert_int_equal(ofl_csum_verify(f, sizeof(dhcp), &p, &v), 0);
	assert_int_equal(v.ip4, OFL_CSUM_BAD);
	assert_int_equal(v.l4, OFL_CSUM_GOOD);
	/* Destination address changed: both bad. */
	memcpy(f, dhcp, sizeof(dhcp));
	f[33] ^= 0x80;
	parse_ok(f, sizeof(dhcp), &p);
	assert_int_equal(ofl_csum_verify(f, sizeof(dhcp), &p, &v), 0);
	assert_int_equal(v.ip4, OFL_CSUM_BAD);
	assert_int_equal(v.l4, OFL_CSUM_BAD);

	/* IPv6 TCP, a flipped byte in the options. */
	memcpy(f, syn6, sizeof(syn6));
	f[80] ^= 0x10;
	parse_ok(f, sizeof(syn6), &p);
	assert_int_equal(ofl_csum_verify(f, sizeof(syn6), &p, &v), 0);
	assert_int_equal(v.ip4, OFL_CSUM_NONE);
	assert_int_equal(v.l4, OFL_CSUM_BAD);

	/* Not checkable: ARP, ICMP, a truncated frame, a fragment. */
	parse_ok(arp, sizeof(arp), &p);
	assert_int_equal(ofl_csum_verify(arp, sizeof(arp), &p, &v), 0);
	assert_int_equal(v.ip4, OFL_CSUM_NONE);
	assert_int_equal(v.l4, OFL_CSUM_NONE);
	parse_ok(echo, sizeof(echo), &p);
	assert_int_equal(ofl_csum_verify(echo, sizeof(echo), &p, &v), 0);
	assert_int_equal(v.ip4, OFL_CSUM_GOOD);
	assert_int_equal(v.l4, OFL_CSUM_NONE);
	parse_ok(dhcp, 100, &p);
	assert_int_equal(ofl_csum_verify(dhcp, 100, &p, &v), 0);
	assert_int_equal(v.ip4, OFL_CSUM_GOOD);
	assert_int_equal(v.l4, OFL_CSUM_NONE);
	parse_ok(frag_first, sizeof(frag_first), &p);
	assert_int_equal(ofl_csum_verify(frag_first, sizeof(frag_first), &p,
					 &v),
			 0);
	assert_int_equal(v.l4, OFL_CSUM_NONE);
	/* IHL 4: no L3, nothing verified. */
	memcpy(f, syn, sizeof(syn));
	f[14] = 0x44;
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(ofl_csum_verify(f, sizeof(syn), &p, &v), 0);
	assert_int_equal(v.ip4, OFL_CSUM_NONE);
	assert_int_equal(v.l4, OFL_CSUM_NONE);
}

static void
test_fill_bad_args(void **state)
{
	struct ofl_csum_verdict v;
	uint8_t f[sizeof(dhcp)];
	struct ofl_pkt p;

	(void)state;
	memcpy(f, vlan, sizeof(vlan));
	parse_ok(f, sizeof(vlan), &p);
	assert_int_equal(ofl_csum_fill(NULL, sizeof(vlan), &p, OFL_CSUM_L4),
			 -EINVAL);
	assert_int_equal(ofl_csum_fill(f, sizeof(vlan), NULL, OFL_CSUM_L4),
			 -EINVAL);
	assert_int_equal(ofl_csum_fill(f, sizeof(vlan), &p, 0), -EINVAL);
	assert_int_equal(ofl_csum_fill(f, sizeof(vlan), &p, 0x8), -EINVAL);
	/* TCP asked, UDP present: refused, and the IP checksum untouched. */
	sn_put_be16(f + 28, 0);
	assert_int_equal(ofl_csum_fill(f, sizeof(vlan), &p,
				       OFL_CSUM_IP4 | OFL_CSUM_TCP),
			 -ENOTSUP);
	assert_int_equal(sn_get_be16(f + 28), 0);
	assert_int_equal(ofl_csum_fill(f, sizeof(vlan), &p, OFL_CSUM_IP4), 0);
	assert_memory_equal(f, vlan, sizeof(vlan));
	/* p describes more bytes than the buffer has. */
	assert_int_equal(ofl_csum_fill(f, 40, &p, OFL_CSUM_L4), -EINVAL);
	assert_int_equal(ofl_csum_fill(f, 40, &p, OFL_CSUM_IP4), 0);
	assert_int_equal(ofl_csum_fill(f, 30, &p, OFL_CSUM_IP4), -EINVAL);
	assert_int_equal(ofl_csum_verify(f, 40, &p, &v), -EINVAL);
	assert_int_equal(ofl_csum_verify(NULL, 40, &p, &v), -EINVAL);
	assert_int_equal(ofl_csum_verify(f, 40, NULL, &v), -EINVAL);
	assert_int_equal(ofl_csum_verify(f, 40, &p, NULL), -EINVAL);
}

static void
test_fill_refused(void **state)
{
	uint8_t f[sizeof(dhcp)];
	struct ofl_pkt p;

	(void)state;
	/* IPv4 header checksum on IPv6; L4 on ICMP; on ARP. */
	memcpy(f, syn6, sizeof(syn6));
	parse_ok(f, sizeof(syn6), &p);
	assert_int_equal(ofl_csum_fill(f, sizeof(syn6), &p, OFL_CSUM_IP4),
			 -ENOTSUP);
	assert_int_equal(ofl_csum_fill(f, sizeof(syn6), &p, OFL_CSUM_UDP),
			 -ENOTSUP);
	memcpy(f, echo, sizeof(echo));
	parse_ok(f, sizeof(echo), &p);
	assert_int_equal(ofl_csum_fill(f, sizeof(echo), &p, OFL_CSUM_L4),
			 -ENOTSUP);
	memcpy(f, arp, sizeof(arp));
	parse_ok(f, sizeof(arp), &p);
	assert_int_equal(ofl_csum_fill(f, sizeof(arp), &p, OFL_CSUM_IP4),
			 -ENOTSUP);

	/* Truncated, fragment, length 0 (LSO), bad header: -EBADMSG. */
	memcpy(f, dhcp, sizeof(dhcp));
	parse_ok(f, 100, &p);
	assert_int_equal(ofl_csum_fill(f, 100, &p, OFL_CSUM_L4), -EBADMSG);
	memcpy(f, frag_first, sizeof(frag_first));
	parse_ok(f, sizeof(frag_first), &p);
	assert_int_equal(ofl_csum_fill(f, sizeof(frag_first), &p,
				       OFL_CSUM_L4),
			 -EBADMSG);
	memcpy(f, syn, sizeof(syn));
	sn_put_be16(f + 16, 0);
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(ofl_csum_fill(f, sizeof(syn), &p, OFL_CSUM_TCP),
			 -EBADMSG);
	memcpy(f, syn, sizeof(syn));
	f[46] = 0x40; /* data offset 4 */
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(ofl_csum_fill(f, sizeof(syn), &p, OFL_CSUM_TCP),
			 -EBADMSG);
	f[14] = 0x44; /* IHL 4 */
	parse_ok(f, sizeof(syn), &p);
	assert_int_equal(ofl_csum_fill(f, sizeof(syn), &p, OFL_CSUM_IP4),
			 -EBADMSG);
	/* Nothing was written by any failing call. */
	assert_int_equal(f[14], 0x44);
	assert_memory_equal(f + 15, syn + 15, 31);
	assert_memory_equal(f + 47, syn + 47, sizeof(syn) - 47);
}

/* RFC 1624 incremental updates against full recomputation. */
static void
test_incremental_update(void **state)
{
	struct ofl_csum_verdict v;
	uint8_t f[sizeof(syn)];
	uint16_t ip_c, tcp_c, old16;
	uint32_t old_ip, new_ip;
	struct ofl_pkt p;

	(void)state;
	/* RFC 1624 section 4: m 0x5555 -> 0x3285 with HC 0xdd2f gives 0. */
	assert_int_equal(ofl_csum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);

	memcpy(f, syn, sizeof(f));
	parse_ok(f, sizeof(f), &p);
	/* TTL 64 -> 63 (word TTL|proto). */
	old16 = sn_get_be16(f + 22);
	f[22]--;
	ip_c = ofl_csum_update16(sn_get_be16(f + 24), old16,
				 sn_get_be16(f + 22));
	assert_int_equal(ip_c, ofl_csum_ip4_hdr(f + 14, 20));
	sn_put_be16(f + 24, ip_c);
	/* Source address 10.0.0.1 -> 192.168.77.9 (NAT): IP and TCP. */
	old_ip = sn_get_be32(f + 26);
	new_ip = 0xc0a84d09;
	sn_put_be32(f + 26, new_ip);
	ip_c = ofl_csum_update32(sn_get_be16(f + 24), old_ip, new_ip);
	tcp_c = ofl_csum_update32(sn_get_be16(f + 50), old_ip, new_ip);
	sn_put_be16(f + 24, ip_c);
	sn_put_be16(f + 50, tcp_c);
	assert_int_equal(ofl_csum_verify(f, sizeof(f), &p, &v), 0);
	assert_int_equal(v.ip4, OFL_CSUM_GOOD);
	assert_int_equal(v.l4, OFL_CSUM_GOOD);
	assert_int_equal(ofl_csum_fill(f, sizeof(f), &p,
				       OFL_CSUM_IP4 | OFL_CSUM_TCP),
			 0);
	assert_int_equal(sn_get_be16(f + 24), ip_c);
	assert_int_equal(sn_get_be16(f + 50), tcp_c);
	/* Port rewrite 54000 -> 1024 on the TCP checksum. */
	old16 = sn_get_be16(f + 34);
	sn_put_be16(f + 34, 1024);
	tcp_c = ofl_csum_update16(sn_get_be16(f + 50), old16, 1024);
	assert_int_equal(ofl_csum_fill(f, sizeof(f), &p, OFL_CSUM_TCP), 0);
	assert_int_equal(sn_get_be16(f + 50), tcp_c);
}

/* Odd lengths and offsets 0..7, exhaustively for short buffers. */
static void
test_odd_and_unaligned(void **state)
{
	uint8_t buf[80];
	size_t off, n, i;
	uint32_t seed = 0x1071;

	(void)state;
	for (i = 0; i < sizeof(buf); i++) {
		buf[i] = (uint8_t)xorshift32(&seed);
	}
	for (off = 0; off < 8; off++) {
		for (n = 0; n + off <= 72; n++) {
			assert_int_equal(ofl_csum_partial(buf + off, n, 0),
					 ref_sum(buf + off, n, 0));
			assert_int_equal(ofl_csum_partial(buf + off, n, 0xabcd),
					 ref_sum(buf + off, n, 0xabcd));
		}
	}
	/* Real odd-length segments: psh (TCP 37 bytes), udp6 (UDP 11). */
	check_known_fill(&known[1], 3);
	check_known_fill(&known[6], 5);
	/* One odd byte is the high half of its word. */
	buf[0] = 0xab;
	assert_int_equal(ofl_csum_partial(buf, 1, 0), 0xab00);
}

/* Randomised: fast path vs the reference, fixed seed. */
static void
test_random_vs_reference(void **state)
{
	enum { MAXLEN = 4096 };
	uint32_t seed = 0xc0ffee01, sum;
	uint8_t *buf;
	size_t i, n, off, cut;
	unsigned int it;

	(void)state;
	buf = malloc(MAXLEN + 8);
	assert_non_null(buf);
	for (it = 0; it < 3000; it++) {
		off = xorshift32(&seed) % 8;
		n = xorshift32(&seed) % (it < 100 ? 64 : MAXLEN);
		sum = xorshift32(&seed);
		for (i = 0; i < n; i++) {
			/* Some runs all-0xff to stress carries. */
			buf[off + i] = it % 7 == 0 ? 0xff :
						     (uint8_t)xorshift32(&seed);
		}
		assert_int_equal(ofl_csum_partial(buf + off, n, sum),
				 ref_sum(buf + off, n, sum));
		/* Chaining at an even cut equals one pass. */
		cut = n ? (xorshift32(&seed) % n) & ~(size_t)1 : 0;
		assert_int_equal(
			ofl_csum_partial(buf + off + cut, n - cut,
					 ofl_csum_partial(buf + off, cut, sum)),
			ofl_csum_partial(buf + off, n, sum));
	}
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_ip4_hdr_known),
		cmocka_unit_test(test_known_frames),
		cmocka_unit_test(test_unaligned_frames),
		cmocka_unit_test(test_icmp_known),
		cmocka_unit_test(test_partial_frames),
		cmocka_unit_test(test_pseudo_len_relation),
		cmocka_unit_test(test_udp_zero_becomes_ffff),
		cmocka_unit_test(test_verify_good_bad),
		cmocka_unit_test(test_fill_bad_args),
		cmocka_unit_test(test_fill_refused),
		cmocka_unit_test(test_incremental_update),
		cmocka_unit_test(test_odd_and_unaligned),
		cmocka_unit_test(test_random_vs_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
