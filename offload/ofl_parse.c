/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofl_parse.c - bounded L2/L3/L4 header parser (see ofl_parse.h).
 *
 * Every read goes through span() or sn_range_ok() first.  Two ends matter
 * while parsing inside an IP datagram:
 *   - len: the end of the buffer.  A header past it is TRUNCATED.
 *   - end: the end of the datagram as its length field claims (may lie
 *     beyond len).  A header past it contradicts the length field: BAD.
 * The only loops are the VLAN loop (OFL_VLAN_MAX) and the IPv6 extension
 * chain (OFL_IP6_EXT_MAX); both are capped by constants, not by the peer.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sn_wire.h"
#include "ofl_parse.h"

#define ETH_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define ARP_ETH_IP4_LEN 28
#define IP4_HDR_MIN 20
#define IP6_HDR_LEN 40
#define TCP_HDR_MIN 20
#define UDP_HDR_LEN 8
#define ICMP_HDR_MIN 4

#define IP4_MF 0x2000
#define IP4_FRAG_MASK 0x1FFF
#define IP6_FRAG_OFF_MASK 0xFFF8
#define IP6_FRAG_MF 0x0001

enum span_res {
	SPAN_OK, /* inside the datagram and the buffer */
	SPAN_SHORT, /* inside the datagram, past the buffer */
	SPAN_BAD, /* past the end the length field claims */
};

/* Where [off, off + n) lies relative to the claimed end and the buffer. */
static enum span_res
span(size_t off, size_t n, size_t end, size_t len)
{
	if (!sn_range_ok(off, n, end)) {
		return SPAN_BAD;
	}
	if (!sn_range_ok(off, n, len)) {
		return SPAN_SHORT;
	}
	return SPAN_OK;
}

/* Record a failed span: returns true when the caller must stop. */
static bool
span_fail(struct ofl_pkt *p, enum span_res r, uint32_t bad_flag)
{
	if (r == SPAN_OK) {
		return false;
	}
	p->flags |= (r == SPAN_BAD) ? bad_flag : OFL_F_TRUNCATED;
	return true;
}

static uint32_t
min_u32(size_t a, size_t b)
{
	return (uint32_t)(a < b ? a : b);
}

/* Payload = everything after the L4 header that is inside the buffer. */
static void
set_payload(struct ofl_pkt *p)
{
	p->payload_off = p->l4_off + p->l4_hdr_len;
	p->payload_len = p->l4_len - p->l4_hdr_len;
}

static void
parse_tcp(const uint8_t *f, size_t len, size_t end, struct ofl_pkt *p)
{
	size_t off = p->l4_off;
	uint32_t hlen;

	if (span_fail(p, span(off, TCP_HDR_MIN, end, len), OFL_F_BAD_L4)) {
		return;
	}
	p->sport = sn_get_be16(f + off);
	p->dport = sn_get_be16(f + off + 2);
	p->tcp_flags = f[off + 13];
	hlen = (uint32_t)(f[off + 12] >> 4) * 4;
	if (hlen < TCP_HDR_MIN) {
		p->flags |= OFL_F_BAD_L4;
		return;
	}
	if (span_fail(p, span(off, hlen, end, len), OFL_F_BAD_L4)) {
		return;
	}
	p->l4_hdr_len = hlen;
	set_payload(p);
	p->flags |= OFL_F_L4_OK;
}

static void
parse_udp(const uint8_t *f, size_t len, size_t end, struct ofl_pkt *p)
{
	size_t off = p->l4_off;
	uint32_t ulen;

	if (span_fail(p, span(off, UDP_HDR_LEN, end, len), OFL_F_BAD_L4)) {
		return;
	}
	p->sport = sn_get_be16(f + off);
	p->dport = sn_get_be16(f + off + 2);
	ulen = sn_get_be16(f + off + 4);
	if (ulen < UDP_HDR_LEN) {
		p->flags |= OFL_F_BAD_L4;
		return;
	}
	/*
	 * The UDP length covers the whole datagram, so a first fragment is
	 * shorter than it.  Otherwise it must fit in the IP payload; shorter
	 * is legal (the rest is ignored, as Linux does).
	 */
	if (!(p->flags & OFL_F_FRAGMENT)) {
		if (!sn_range_ok(off, ulen, end)) {
			p->flags |= OFL_F_BAD_L4;
			return;
		}
		p->l4_len = min_u32(ulen, len - off);
	}
	p->l4_hdr_len = UDP_HDR_LEN;
	set_payload(p);
	p->flags |= OFL_F_L4_OK;
}

static void
parse_icmp(const uint8_t *f, size_t len, size_t end, struct ofl_pkt *p)
{
	size_t off = p->l4_off;

	if (span_fail(p, span(off, ICMP_HDR_MIN, end, len), OFL_F_BAD_L4)) {
		return;
	}
	p->icmp_type = f[off];
	p->icmp_code = f[off + 1];
	p->l4_hdr_len = ICMP_HDR_MIN;
	set_payload(p);
	p->flags |= OFL_F_L4_OK;
}

/* L4 dispatch; p->l4_off, l4_len and l4_proto are set. */
static void
parse_l4(const uint8_t *f, size_t len, size_t end, struct ofl_pkt *p)
{
	p->payload_off = p->l4_off;
	p->payload_len = p->l4_len;
	if (p->flags & OFL_F_FRAG_LATER) {
		return;
	}
	switch (p->l4_proto) {
	case OFL_IPPROTO_TCP:
		parse_tcp(f, len, end, p);
		break;
	case OFL_IPPROTO_UDP:
		parse_udp(f, len, end, p);
		break;
	case OFL_IPPROTO_ICMP:
		if (p->l3_type == OFL_L3_IPV4) {
			parse_icmp(f, len, end, p);
		}
		break;
	case OFL_IPPROTO_ICMPV6:
		if (p->l3_type == OFL_L3_IPV6) {
			parse_icmp(f, len, end, p);
		}
		break;
	default:
		break;
	}
}

/*
 * Datagram extent from the IP length field: sets l3_len and returns the
 * claimed end (may exceed len).  claimed == 0 means "take the buffer"
 * (LSO super-packets carry a zero length, see wire-facts.md section 5).
 */
static size_t
ip_extent(size_t len, size_t claimed, struct ofl_pkt *p)
{
	size_t off = p->l3_off;
	size_t end;

	if (claimed == 0) {
		p->flags |= OFL_F_LEN_ZERO;
		end = len;
	} else {
		end = off + claimed;
	}
	if (end > len) {
		p->flags |= OFL_F_TRUNCATED;
		p->l3_len = (uint32_t)(len - off);
	} else {
		p->l3_len = (uint32_t)(end - off);
		if (end < len) {
			p->flags |= OFL_F_L2_PAD;
		}
	}
	return end;
}

static void
parse_ipv4(const uint8_t *f, size_t len, struct ofl_pkt *p)
{
	size_t off = p->l3_off;
	uint32_t ihl;
	uint16_t tot, frag;
	size_t end;

	if (!sn_range_ok(off, IP4_HDR_MIN, len)) {
		p->flags |= OFL_F_TRUNCATED;
		return;
	}
	ihl = (uint32_t)(f[off] & 0x0F) * 4;
	if ((f[off] >> 4) != 4 || ihl < IP4_HDR_MIN) {
		p->flags |= OFL_F_BAD_L3;
		return;
	}
	tot = sn_get_be16(f + off + 2);
	if (tot != 0 && tot < ihl) {
		p->flags |= OFL_F_BAD_L3;
		return;
	}
	if (!sn_range_ok(off, ihl, len)) {
		p->flags |= OFL_F_TRUNCATED;
		return;
	}
	if (ihl > IP4_HDR_MIN) {
		p->flags |= OFL_F_IP_OPTIONS;
	}
	p->ip_tos = f[off + 1];
	p->frag_id = sn_get_be16(f + off + 4);
	frag = sn_get_be16(f + off + 6);
	p->ip_ttl = f[off + 8];
	p->l4_proto = f[off + 9];
	memcpy(p->src_ip, f + off + 12, 4);
	memcpy(p->dst_ip, f + off + 16, 4);
	p->frag_off = (uint16_t)((frag & IP4_FRAG_MASK) * 8);
	if (frag & (IP4_MF | IP4_FRAG_MASK)) {
		p->flags |= OFL_F_FRAGMENT;
	}
	if (frag & IP4_FRAG_MASK) {
		p->flags |= OFL_F_FRAG_LATER;
	}
	end = ip_extent(len, tot, p);
	p->l3_hdr_len = ihl;
	p->l4_off = (uint32_t)(off + ihl);
	p->l4_len = p->l3_len - ihl;
	p->flags |= OFL_F_L3_OK;
	parse_l4(f, len, end, p);
}

static bool
ip6_is_ext(uint8_t nh)
{
	return nh == OFL_IPPROTO_HOPOPTS || nh == OFL_IPPROTO_ROUTING ||
	       nh == OFL_IPPROTO_FRAGMENT || nh == OFL_IPPROTO_DSTOPTS ||
	       nh == OFL_IPPROTO_AH;
}

/*
 * Walk the IPv6 extension chain starting at offset offp, next header nhp.
 * Returns false (flags set) when the chain is bad, cut or too long; on
 * success offp and nhp name the upper-layer header.
 */
static bool
parse_ip6_chain(const uint8_t *f, size_t len, size_t end, size_t *offp,
		uint8_t *nhp, struct ofl_pkt *p)
{
	size_t off = *offp;
	uint8_t nh = *nhp;
	unsigned int n;
	size_t hlen;
	uint16_t fo;

	for (n = 0; ip6_is_ext(nh); n++) {
		if (n == OFL_IP6_EXT_MAX) {
			p->flags |= OFL_F_BAD_L3 | OFL_F_IP6_EXT_LIMIT;
			return false;
		}
		/* RFC 8200 4.1: hop-by-hop only right after the header. */
		if (nh == OFL_IPPROTO_HOPOPTS && n != 0) {
			p->flags |= OFL_F_BAD_L3;
			return false;
		}
		/* Every extension header is at least 8 bytes. */
		if (span_fail(p, span(off, 8, end, len), OFL_F_BAD_L3)) {
			return false;
		}
		if (nh == OFL_IPPROTO_FRAGMENT) {
			hlen = 8;
		} else if (nh == OFL_IPPROTO_AH) {
			hlen = ((size_t)f[off + 1] + 2) * 4;
		} else {
			hlen = ((size_t)f[off + 1] + 1) * 8;
		}
		if (span_fail(p, span(off, hlen, end, len), OFL_F_BAD_L3)) {
			return false;
		}
		p->flags |= OFL_F_IP6_EXT;
		p->ip6_ext_count = (uint8_t)(n + 1);
		if (nh == OFL_IPPROTO_ROUTING && f[off + 3] != 0) {
			p->flags |= OFL_F_IP6_RH;
		}
		if (nh == OFL_IPPROTO_FRAGMENT) {
			fo = sn_get_be16(f + off + 2);
			p->frag_id = sn_get_be32(f + off + 4);
			p->frag_off = fo & IP6_FRAG_OFF_MASK;
			if (fo & (IP6_FRAG_OFF_MASK | IP6_FRAG_MF)) {
				p->flags |= OFL_F_FRAGMENT;
			}
			if (fo & IP6_FRAG_OFF_MASK) {
				/* The rest is payload of a later fragment. */
				p->flags |= OFL_F_FRAG_LATER;
				nh = f[off];
				off += hlen;
				break;
			}
		}
		nh = f[off];
		off += hlen;
	}
	*offp = off;
	*nhp = nh;
	return true;
}

static void
parse_ipv6(const uint8_t *f, size_t len, struct ofl_pkt *p)
{
	size_t off = p->l3_off;
	size_t end, l4;
	uint32_t vtf;
	uint16_t plen;
	uint8_t nh;

	if (!sn_range_ok(off, IP6_HDR_LEN, len)) {
		p->flags |= OFL_F_TRUNCATED;
		return;
	}
	vtf = sn_get_be32(f + off);
	if ((vtf >> 28) != 6) {
		p->flags |= OFL_F_BAD_L3;
		return;
	}
	p->ip_tos = (uint8_t)(vtf >> 20);
	p->ip6_flow = vtf & 0x000FFFFF;
	plen = sn_get_be16(f + off + 4);
	nh = f[off + 6];
	p->ip_ttl = f[off + 7];
	memcpy(p->src_ip, f + off + 8, 16);
	memcpy(p->dst_ip, f + off + 24, 16);
	end = ip_extent(len, plen == 0 ? 0 : (size_t)plen + IP6_HDR_LEN, p);
	l4 = off + IP6_HDR_LEN;
	if (!parse_ip6_chain(f, len, end, &l4, &nh, p)) {
		return;
	}
	p->l4_proto = nh;
	p->l3_hdr_len = (uint32_t)(l4 - off);
	p->l4_off = (uint32_t)l4;
	p->l4_len = p->l3_len - p->l3_hdr_len;
	p->flags |= OFL_F_L3_OK;
	parse_l4(f, len, end, p);
}

static void
parse_arp(const uint8_t *f, size_t len, struct ofl_pkt *p)
{
	size_t off = p->l3_off;

	if (!sn_range_ok(off, 8, len)) {
		p->flags |= OFL_F_TRUNCATED;
		return;
	}
	p->arp_op = sn_get_be16(f + off + 6);
	/* Only Ethernet/IPv4 ARP (htype 1, ptype 0x0800, 6, 4) is sane here. */
	if (sn_get_be16(f + off) != 1 ||
	    sn_get_be16(f + off + 2) != OFL_ETH_P_IPV4 || f[off + 4] != 6 ||
	    f[off + 5] != 4) {
		p->flags |= OFL_F_BAD_L3;
		return;
	}
	if (!sn_range_ok(off, ARP_ETH_IP4_LEN, len)) {
		p->flags |= OFL_F_TRUNCATED;
		return;
	}
	memcpy(p->arp_sha, f + off + 8, 6);
	memcpy(p->src_ip, f + off + 14, 4);
	memcpy(p->dst_ip, f + off + 24, 4);
	p->l3_len = ARP_ETH_IP4_LEN;
	p->l3_hdr_len = ARP_ETH_IP4_LEN;
	if (len - off > ARP_ETH_IP4_LEN) {
		p->flags |= OFL_F_L2_PAD;
	}
	p->flags |= OFL_F_L3_OK;
}

/* Ethernet header and up to OFL_VLAN_MAX tags; false when L2 is unusable. */
static bool
parse_eth(const uint8_t *f, size_t len, struct ofl_pkt *p)
{
	size_t off = ETH_HDR_LEN;
	uint16_t type, tci;
	unsigned int n;

	if (len < ETH_HDR_LEN) {
		p->flags |= OFL_F_TRUNCATED;
		return false;
	}
	memcpy(p->dst_mac, f, 6);
	memcpy(p->src_mac, f + 6, 6);
	type = sn_get_be16(f + 12);
	for (n = 0; type == OFL_ETH_P_8021Q || type == OFL_ETH_P_8021AD; n++) {
		if (n == OFL_VLAN_MAX) {
			p->flags |= OFL_F_BAD_L2;
			return false;
		}
		if (!sn_range_ok(off, VLAN_TAG_LEN, len)) {
			p->flags |= OFL_F_TRUNCATED;
			return false;
		}
		tci = sn_get_be16(f + off);
		if (n == 0) {
			p->vlan_tpid = type;
			p->vlan_tci = tci;
			p->vlan_id = tci & 0x0FFF;
			p->vlan_prio = (uint8_t)(tci >> 13);
			p->vlan_dei = (uint8_t)((tci >> 12) & 1);
			p->flags |= OFL_F_VLAN;
		} else {
			p->vlan_inner_tci = tci;
			p->flags |= OFL_F_QINQ;
		}
		p->vlan_count = (uint8_t)(n + 1);
		type = sn_get_be16(f + off + 2);
		off += VLAN_TAG_LEN;
	}
	p->ethertype = type;
	p->l2_len = (uint16_t)off;
	p->l3_off = (uint32_t)off;
	p->l4_off = (uint32_t)off;
	p->payload_off = (uint32_t)off;
	p->flags |= OFL_F_L2_OK;
	return true;
}

int
ofl_parse(const uint8_t *frame, size_t len, struct ofl_pkt *out)
{
	if (frame == NULL || out == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (len > UINT32_MAX) {
		len = UINT32_MAX;
	}
	if (!parse_eth(frame, len, out)) {
		return 0;
	}
	switch (out->ethertype) {
	case OFL_ETH_P_IPV4:
		out->l3_type = OFL_L3_IPV4;
		parse_ipv4(frame, len, out);
		break;
	case OFL_ETH_P_IPV6:
		out->l3_type = OFL_L3_IPV6;
		parse_ipv6(frame, len, out);
		break;
	case OFL_ETH_P_ARP:
		out->l3_type = OFL_L3_ARP;
		parse_arp(frame, len, out);
		break;
	default:
		out->l3_type = OFL_L3_OTHER;
		break;
	}
	return 0;
}

static const char *const ofl_flag_names[] = {
#define OFL_X_NAME(name, str, desc) str,
	OFL_FLAG_LIST(OFL_X_NAME)
#undef OFL_X_NAME
};

const char *
ofl_flag_name(unsigned int bit)
{
	if (bit >= SN_ARRAY_SIZE(ofl_flag_names)) {
		return NULL;
	}
	return ofl_flag_names[bit];
}

bool
ofl_is_dhcp_server(const struct ofl_pkt *p)
{
	return p != NULL && (p->flags & OFL_F_L4_OK) &&
	       p->l3_type == OFL_L3_IPV4 && p->l4_proto == OFL_IPPROTO_UDP &&
	       p->sport == OFL_PORT_DHCP4_SERVER &&
	       p->dport == OFL_PORT_DHCP4_CLIENT;
}

bool
ofl_is_dhcp6_server(const struct ofl_pkt *p)
{
	return p != NULL && (p->flags & OFL_F_L4_OK) &&
	       p->l3_type == OFL_L3_IPV6 && p->l4_proto == OFL_IPPROTO_UDP &&
	       p->sport == OFL_PORT_DHCP6_SERVER;
}

bool
ofl_is_icmp6_ra_or_redirect(const struct ofl_pkt *p)
{
	return p != NULL && (p->flags & OFL_F_L4_OK) &&
	       p->l3_type == OFL_L3_IPV6 &&
	       p->l4_proto == OFL_IPPROTO_ICMPV6 &&
	       (p->icmp_type == OFL_ICMP6_ROUTER_ADVERT ||
		p->icmp_type == OFL_ICMP6_REDIRECT);
}
