/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofl_parse.h - bounded L2/L3/L4 header parser for Ethernet frames.
 *
 * The virtual switch uses the result to apply guest TX offloads (checksum
 * fill-in, segmentation), to build RX checksum info, to pick RSS tuples and
 * to run the DHCP and router-advertisement guards.  The parser is pure: it
 * reads one contiguous byte buffer, never reads past its length, keeps no
 * state and allocates nothing.
 *
 * Supported: Ethernet II; up to two VLAN tags (802.1Q 0x8100, 802.1ad
 * 0x88A8); ARP (Ethernet/IPv4); IPv4 with options and fragments; IPv6 with
 * the extension headers hop-by-hop (0), routing (43), fragment (44),
 * destination options (60) and AH (51), at most OFL_IP6_EXT_MAX of them;
 * TCP (options included), UDP, ICMP and ICMPv6.
 *
 * Not done (callers must not rely on it): IPv4 option contents, IPv6 option
 * contents (the jumbo payload option included), TCP option contents,
 * tunnels, 802.3/LLC frames (reported as l3_type OFL_L3_OTHER).
 *
 * Ownership: ofl_parse() borrows the frame for the duration of the call and
 * copies every field it reports (addresses, ports, ...) into struct
 * ofl_pkt; nothing in the result points into the frame.  The offsets in the
 * result describe the frame as it was during the call.  If the frame lives
 * in memory the guest can still write (shared TX buffers), copy the headers
 * into private memory first, then parse and use that copy.
 */
#ifndef OFL_PARSE_H
#define OFL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ethertypes (host order). */
#define OFL_ETH_P_IPV4 0x0800 /**< IPv4 */
#define OFL_ETH_P_ARP 0x0806 /**< ARP */
#define OFL_ETH_P_8021Q 0x8100 /**< 802.1Q customer VLAN tag */
#define OFL_ETH_P_8021AD 0x88A8 /**< 802.1ad service VLAN tag (QinQ) */
#define OFL_ETH_P_IPV6 0x86DD /**< IPv6 */

/* IP protocol / IPv6 next-header numbers used by the parser. */
#define OFL_IPPROTO_HOPOPTS 0 /**< IPv6 hop-by-hop options */
#define OFL_IPPROTO_ICMP 1 /**< ICMP (IPv4) */
#define OFL_IPPROTO_TCP 6 /**< TCP */
#define OFL_IPPROTO_UDP 17 /**< UDP */
#define OFL_IPPROTO_ROUTING 43 /**< IPv6 routing header */
#define OFL_IPPROTO_FRAGMENT 44 /**< IPv6 fragment header */
#define OFL_IPPROTO_ESP 50 /**< IPsec ESP (opaque, ends the chain) */
#define OFL_IPPROTO_AH 51 /**< IPsec authentication header */
#define OFL_IPPROTO_ICMPV6 58 /**< ICMPv6 */
#define OFL_IPPROTO_NONE 59 /**< IPv6 no next header */
#define OFL_IPPROTO_DSTOPTS 60 /**< IPv6 destination options */

/* ICMPv6 types the router guard looks for. */
#define OFL_ICMP6_ROUTER_ADVERT 134 /**< router advertisement */
#define OFL_ICMP6_REDIRECT 137 /**< redirect */

/* DHCP ports. */
#define OFL_PORT_DHCP4_SERVER 67 /**< DHCPv4 server / relay */
#define OFL_PORT_DHCP4_CLIENT 68 /**< DHCPv4 client */
#define OFL_PORT_DHCP6_CLIENT 546 /**< DHCPv6 client */
#define OFL_PORT_DHCP6_SERVER 547 /**< DHCPv6 server / relay agent */

/* Longest IPv6 extension header chain walked; longer chains are BAD_L3. */
#define OFL_IP6_EXT_MAX 8

/* Maximum number of VLAN tags parsed; a third tag is BAD_L2. */
#define OFL_VLAN_MAX 2

/* TCP header flag bits (byte 13 of the TCP header). */
#define OFL_TCP_FIN 0x01 /**< FIN */
#define OFL_TCP_SYN 0x02 /**< SYN */
#define OFL_TCP_RST 0x04 /**< RST */
#define OFL_TCP_PSH 0x08 /**< PSH */
#define OFL_TCP_ACK 0x10 /**< ACK */
#define OFL_TCP_URG 0x20 /**< URG */
#define OFL_TCP_ECE 0x40 /**< ECN echo */
#define OFL_TCP_CWR 0x80 /**< congestion window reduced */

/*
 * Result flags, one list so that names (counters, CLI, tests) and bits
 * cannot drift apart.  X(NAME, "name", description).
 *
 * The *_OK bits say how far the parser got: L2_OK means the Ethernet header
 * and its VLAN tags are complete; L3_OK that the IPv4 header with its
 * options, the IPv6 header with its whole extension chain, or the ARP body
 * is complete and sane (l4_off and l4_proto are then valid); L4_OK that the
 * TCP header with its options, the UDP header, or the ICMP type/code/checksum
 * is complete and sane.  TRUNCATED can be set together with L3_OK when the
 * IP header is whole but the datagram it announces runs past the buffer.
 */
#define OFL_FLAG_LIST(X) \
	X(L2_OK, "l2_ok", "Ethernet header and VLAN tags complete") \
	X(VLAN, "vlan", "at least one VLAN tag") \
	X(QINQ, "qinq", "two VLAN tags") \
	X(L3_OK, "l3_ok", "L3 header (options, extension chain) complete") \
	X(L4_OK, "l4_ok", "L4 header complete") \
	X(TRUNCATED, "truncated", "buffer ends before a header or " \
	  "the datagram ends") \
	X(BAD_L2, "bad_l2", "more than two VLAN tags") \
	X(BAD_L3, "bad_l3", "malformed ARP/IPv4/IPv6 header or chain") \
	X(BAD_L4, "bad_l4", "malformed TCP/UDP header") \
	X(FRAGMENT, "fragment", "IP fragment (MF set or offset non-zero)") \
	X(FRAG_LATER, "frag_later", "non-first fragment: no L4 header") \
	X(IP_OPTIONS, "ip_options", "IPv4 header with options (IHL > 5)") \
	X(IP6_EXT, "ip6_ext", "IPv6 extension headers present") \
	X(IP6_EXT_LIMIT, "ip6_ext_limit", "IPv6 chain longer than " \
	  "OFL_IP6_EXT_MAX") \
	X(IP6_RH, "ip6_rh", "IPv6 routing header with segments left") \
	X(LEN_ZERO, "len_zero", "IP length field 0: extent taken " \
	  "from the buffer (LSO)") \
	X(L2_PAD, "l2_pad", "bytes after the end of the L3 packet")

/** Bit numbers of the result flags. */
enum ofl_flag_bit {
#define OFL_X_BIT(name, str, desc) OFL_FB_##name,
	OFL_FLAG_LIST(OFL_X_BIT)
#undef OFL_X_BIT
	OFL_FB_COUNT /**< number of flags */
};

/** Result flag masks: OFL_F_L2_OK, OFL_F_TRUNCATED, ... */
enum ofl_flag {
#define OFL_X_MASK(name, str, desc) OFL_F_##name = 1u << OFL_FB_##name,
	OFL_FLAG_LIST(OFL_X_MASK)
#undef OFL_X_MASK
};

_Static_assert(OFL_FB_COUNT <= 31, "ofl flags must fit in 31 bits");

/** What the ethertype (after VLAN tags) announced. */
enum ofl_l3_type {
	OFL_L3_NONE = 0, /**< L2 not parsed (frame too short / bad tags) */
	OFL_L3_IPV4, /**< ethertype 0x0800 */
	OFL_L3_IPV6, /**< ethertype 0x86DD */
	OFL_L3_ARP, /**< ethertype 0x0806 */
	OFL_L3_OTHER, /**< anything else, 802.3 length fields included */
};

/**
 * Parse result.  Every field is a copy in host byte order; fields of layers
 * the parser did not reach are zero.  Offsets and lengths are in bytes from
 * the first byte of the frame.
 */
struct ofl_pkt {
	uint32_t flags; /**< OFL_F_* */
	uint8_t dst_mac[6]; /**< Ethernet destination */
	uint8_t src_mac[6]; /**< Ethernet source */
	uint16_t ethertype; /**< ethertype after the VLAN tags */
	uint16_t l2_len; /**< 14 + 4 per VLAN tag */
	uint8_t vlan_count; /**< VLAN tags parsed, 0..OFL_VLAN_MAX */
	uint8_t vlan_prio; /**< outer tag priority (PCP, 0..7) */
	uint8_t vlan_dei; /**< outer tag drop eligible bit (0/1) */
	uint8_t l3_type; /**< enum ofl_l3_type */
	uint16_t vlan_tpid; /**< outer tag TPID (0x8100 or 0x88A8) */
	uint16_t vlan_id; /**< outer tag VLAN id (0..4095) */
	uint16_t vlan_tci; /**< outer tag TCI as on the wire */
	uint16_t vlan_inner_tci; /**< second tag TCI (QinQ), else 0 */
	uint32_t l3_off; /**< start of the L3 header (== l2_len) */
	uint32_t l3_len; /**< L3 packet bytes inside the buffer (IP:
			  *   min(header length field, buffer); ARP: 28) */
	uint32_t l3_hdr_len; /**< IPv4 IHL*4; IPv6 40 + extension
			      *   headers; ARP 28 */
	uint32_t l4_off; /**< start of the L4 header (valid with L3_OK) */
	uint32_t l4_len; /**< L4 bytes inside the buffer, up to the
			  *   datagram end; UDP (not fragmented): up to
			  *   the end its length field gives */
	uint32_t l4_hdr_len; /**< TCP data offset*4; UDP 8; ICMP 4 */
	uint32_t payload_off; /**< first byte after the L4 header (or l4_off
			       *   when the L4 header is not parsed) */
	uint32_t payload_len; /**< payload bytes inside the buffer */
	uint8_t l4_proto; /**< IP protocol after the IPv6 chain; valid with
			   *   L3_OK */
	uint8_t ip_ttl; /**< IPv4 TTL / IPv6 hop limit */
	uint8_t ip_tos; /**< IPv4 TOS / IPv6 traffic class */
	uint8_t ip6_ext_count; /**< IPv6 extension headers walked */
	uint32_t ip6_flow; /**< IPv6 flow label (20 bits) */
	uint32_t frag_id; /**< IPv4 identification / IPv6 fragment id */
	uint16_t frag_off; /**< fragment offset in bytes */
	uint16_t arp_op; /**< ARP operation (1 request, 2 reply) */
	uint8_t src_ip[16]; /**< IPv4 (first 4 bytes) / IPv6 source;
			     *   ARP sender protocol address */
	uint8_t dst_ip[16]; /**< IPv4 / IPv6 destination; ARP target
			     *   protocol address */
	uint8_t arp_sha[6]; /**< ARP sender hardware address */
	uint8_t tcp_flags; /**< TCP flag byte (OFL_TCP_*) */
	uint8_t icmp_type; /**< ICMP / ICMPv6 type */
	uint8_t icmp_code; /**< ICMP / ICMPv6 code */
	uint16_t sport; /**< TCP/UDP source port */
	uint16_t dport; /**< TCP/UDP destination port */
};

/**
 * Parse the headers of one Ethernet frame.
 *
 * @param frame  first byte of the Ethernet header; borrowed, read-only,
 *               never read past frame[len - 1].  May be unaligned.
 * @param len    bytes available (frames longer than 4 GiB are treated as
 *               4 GiB long).
 * @param out    filled in completely (zeroed first) on return 0.
 * @return 0 for every frame, including truncated and malformed ones: the
 *         flags say how far the parse got and what was wrong.  -EINVAL
 *         only when frame or out is NULL.
 */
int
ofl_parse(const uint8_t *frame, size_t len, struct ofl_pkt *out);

/**
 * Name of flag bit @p bit ("l2_ok", "truncated", ...), NULL when out of
 * range.  The string is static.
 */
const char *
ofl_flag_name(unsigned int bit);

/**
 * True for an IPv4 UDP datagram from a DHCP server to a client (source port
 * 67, destination port 68) whose UDP header was parsed (L4_OK).  Replies
 * from a relay agent to a client look the same and match too.
 */
bool
ofl_is_dhcp_server(const struct ofl_pkt *p);

/**
 * True for an IPv6 UDP datagram sent from the DHCPv6 server/relay port
 * (source port 547) with L4_OK, whatever the destination port (546 toward
 * clients, 547 toward relays).
 */
bool
ofl_is_dhcp6_server(const struct ofl_pkt *p);

/**
 * True for an ICMPv6 router advertisement (134) or redirect (137) whose
 * ICMPv6 header was parsed (L4_OK).
 *
 * A guard should also drop IPv6 frames whose upper-layer header cannot be
 * found (L3_OK missing, or FRAGMENT set without FRAG_LATER and without
 * L4_OK): RFC 7113 shows RAs hidden behind long extension chains and
 * fragments.  Non-first fragments (FRAG_LATER) carry no ICMPv6 header.
 */
bool
ofl_is_icmp6_ra_or_redirect(const struct ofl_pkt *p);

#endif /* OFL_PARSE_H */
