/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ndis_wire.h - NDIS objects carried in RNDIS OID info buffers:
 * NDIS_OBJECT_HEADER, NDIS_OFFLOAD, NDIS_OFFLOAD_PARAMETERS,
 * NDIS_RECEIVE_SCALE_CAPABILITIES, NDIS_RECEIVE_SCALE_PARAMETERS.
 *
 * All little-endian.  Layouts checked against Linux
 * drivers/net/hyperv/hyperv_net.h (struct ndis_offload, ndis_offload_params,
 * ndis_recv_scale_cap, ndis_recv_scale_param), FreeBSD/DPDK ndis.h and
 * OpenVMM netvsp rndisprot.rs.  These structs document the layout and give
 * offsets to the codec (ndis_obj.c); the codec never casts a peer buffer to
 * them, it copies fields out with sn_get_le*() at these offsets.
 *
 * Independent of the OID numbers and of the RNDIS message framing.
 */
#ifndef NDIS_WIRE_H
#define NDIS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "sn_wire.h"

/* --- NDIS_OBJECT_HEADER ------------------------------------------------ */

#define NDIS_OBJTYPE_DEFAULT		0x80	/* NDIS_OFFLOAD_PARAMETERS */
#define NDIS_OBJTYPE_RSS_CAPS		0x88	/* RECEIVE_SCALE_CAPABILITIES */
#define NDIS_OBJTYPE_RSS_PARAMS		0x89	/* RECEIVE_SCALE_PARAMETERS */
#define NDIS_OBJTYPE_OFFLOAD		0xA7	/* NDIS_OFFLOAD */
#define NDIS_OBJTYPE_OFFLOAD_ENCAP	0xA8	/* NDIS_OFFLOAD_ENCAPSULATION */

struct ndis_obj_hdr_wire {
	uint8_t type;		/* 0: NDIS_OBJTYPE_* */
	uint8_t revision;	/* 1: object revision, >= 1 */
	uint16_t size;		/* 2: object size in bytes, header included */
};
SN_WIRE_SIZE(struct ndis_obj_hdr_wire, 4);
SN_WIRE_OFFSET(struct ndis_obj_hdr_wire, size, 2);

/* --- NDIS_OFFLOAD (hardware capabilities / current config) ------------ */

#define NDIS_OFFLOAD_REV_1	1	/* NDIS 6.0 */
#define NDIS_OFFLOAD_REV_2	2	/* NDIS 6.1: + IPsecv2 */
#define NDIS_OFFLOAD_REV_3	3	/* NDIS 6.30: + RSC, encap (GRE) */
#define NDIS_OFFLOAD_SIZE_REV_1	112
#define NDIS_OFFLOAD_SIZE_REV_2	144
#define NDIS_OFFLOAD_SIZE_REV_3	156

/* Encapsulation field values (masks). */
#define NDIS_ENCAP_NONE		0x0000
#define NDIS_ENCAP_NULL		0x0001
#define NDIS_ENCAP_IEEE_802_3	0x0002
#define NDIS_ENCAP_IEEE_802_3_P_AND_Q		0x0004
#define NDIS_ENCAP_IEEE_802_3_P_AND_Q_IN_OOB	0x0008
#define NDIS_ENCAP_IEEE_LLC_SNAP_ROUTED		0x0010

/*
 * Checksum flags (ip4_tx/rx_flags, ip6_tx/rx_flags).  NDIS defines 2-bit
 * fields whose value 1 means "supported"; these are those values in place.
 */
#define NDIS_CSUM4_IP_OPTIONS	0x001	/* IPv4 options supported */
#define NDIS_CSUM4_TCP_OPTIONS	0x004	/* TCP options supported */
#define NDIS_CSUM4_TCP		0x010	/* TCP checksum */
#define NDIS_CSUM4_UDP		0x040	/* UDP checksum */
#define NDIS_CSUM4_IP		0x100	/* IPv4 header checksum */
#define NDIS_CSUM6_IP_EXT_HDRS	0x001	/* IPv6 extension headers */
#define NDIS_CSUM6_TCP_OPTIONS	0x004	/* TCP options supported */
#define NDIS_CSUM6_TCP		0x010	/* TCP checksum */
#define NDIS_CSUM6_UDP		0x040	/* UDP checksum */
/* LSOv2 ip6_opts. */
#define NDIS_LSOV2_6_IP_EXT_HDRS	0x001
#define NDIS_LSOV2_6_TCP_OPTIONS	0x004

/*
 * What Linux netvsc (rndis_netdev_set_hwcaps) requires before it turns an
 * offload on.  Exported so tests and the host can check their objects.
 */
#define NDIS_LINUX_TCP4_CSUM_REQ (NDIS_CSUM4_TCP | NDIS_CSUM4_TCP_OPTIONS)
#define NDIS_LINUX_TCP6_CSUM_REQ \
	(NDIS_CSUM6_TCP | NDIS_CSUM6_TCP_OPTIONS | NDIS_CSUM6_IP_EXT_HDRS)
#define NDIS_LINUX_LSO6_OPTS_REQ \
	(NDIS_LSOV2_6_IP_EXT_HDRS | NDIS_LSOV2_6_TCP_OPTIONS)

struct ndis_csum_offload_wire {
	uint32_t ip4_tx_encap;	/* 0 (obj 4): NDIS_ENCAP_* */
	uint32_t ip4_tx_flags;	/* 4 (obj 8): NDIS_CSUM4_* */
	uint32_t ip4_rx_encap;	/* 8 (obj 12) */
	uint32_t ip4_rx_flags;	/* 12 (obj 16) */
	uint32_t ip6_tx_encap;	/* 16 (obj 20) */
	uint32_t ip6_tx_flags;	/* 20 (obj 24): NDIS_CSUM6_* */
	uint32_t ip6_rx_encap;	/* 24 (obj 28) */
	uint32_t ip6_rx_flags;	/* 28 (obj 32) */
};
SN_WIRE_SIZE(struct ndis_csum_offload_wire, 32);

struct ndis_lsov1_offload_wire {
	uint32_t encap;		/* 0 (obj 36): NDIS_ENCAP_* */
	uint32_t max_size;	/* 4 (obj 40): max offload size, bytes */
	uint32_t min_segs;	/* 8 (obj 44): min segment count */
	uint32_t opts;		/* 12 (obj 48): TCP/IP options flags */
};
SN_WIRE_SIZE(struct ndis_lsov1_offload_wire, 16);

struct ndis_ipsecv1_offload_wire {
	uint32_t encap;		/* 0 (obj 52) */
	uint32_t ah_esp;	/* 4 (obj 56) */
	uint32_t xport_tun;	/* 8 (obj 60) */
	uint32_t ip4_opts;	/* 12 (obj 64) */
	uint32_t flags;		/* 16 (obj 68) */
	uint32_t ip4_ah;	/* 20 (obj 72) */
	uint32_t ip4_esp;	/* 24 (obj 76) */
};
SN_WIRE_SIZE(struct ndis_ipsecv1_offload_wire, 28);

struct ndis_lsov2_offload_wire {
	uint32_t ip4_encap;	/* 0 (obj 80): NDIS_ENCAP_* */
	uint32_t ip4_max_size;	/* 4 (obj 84): max offload size, bytes */
	uint32_t ip4_min_segs;	/* 8 (obj 88): min segment count */
	uint32_t ip6_encap;	/* 12 (obj 92) */
	uint32_t ip6_max_size;	/* 16 (obj 96) */
	uint32_t ip6_min_segs;	/* 20 (obj 100) */
	uint32_t ip6_opts;	/* 24 (obj 104): NDIS_LSOV2_6_* */
};
SN_WIRE_SIZE(struct ndis_lsov2_offload_wire, 28);

struct ndis_offload_wire {
	struct ndis_obj_hdr_wire hdr;		/* 0: {0xA7, rev, size} */
	struct ndis_csum_offload_wire csum;	/* 4 */
	struct ndis_lsov1_offload_wire lsov1;	/* 36 */
	struct ndis_ipsecv1_offload_wire ipsecv1; /* 52 */
	struct ndis_lsov2_offload_wire lsov2;	/* 80 */
	uint32_t flags;				/* 108: end of rev 1 */
	uint8_t ipsecv2[32];			/* 112: rev >= 2, opaque */
	uint8_t rsc_ip4;			/* 144: rev >= 3, bool */
	uint8_t rsc_ip6;			/* 145: rev >= 3, bool */
	uint8_t rsvd_146[2];			/* 146: padding */
	uint32_t encap_gre_flags;		/* 148: rev >= 3 */
	uint32_t encap_gre_max_hdr;		/* 152: rev >= 3 */
};
SN_WIRE_SIZE(struct ndis_offload_wire, NDIS_OFFLOAD_SIZE_REV_3);
SN_WIRE_OFFSET(struct ndis_offload_wire, csum, 4);
SN_WIRE_OFFSET(struct ndis_offload_wire, lsov1, 36);
SN_WIRE_OFFSET(struct ndis_offload_wire, ipsecv1, 52);
SN_WIRE_OFFSET(struct ndis_offload_wire, lsov2, 80);
SN_WIRE_OFFSET(struct ndis_offload_wire, flags, 108);
SN_WIRE_OFFSET(struct ndis_offload_wire, ipsecv2, NDIS_OFFLOAD_SIZE_REV_1);
SN_WIRE_OFFSET(struct ndis_offload_wire, rsc_ip4, NDIS_OFFLOAD_SIZE_REV_2);
SN_WIRE_OFFSET(struct ndis_offload_wire, rsc_ip6, 145);
SN_WIRE_OFFSET(struct ndis_offload_wire, encap_gre_flags, 148);

/* --- NDIS_OFFLOAD_PARAMETERS (SET OID_TCP_OFFLOAD_PARAMETERS) --------- */

#define NDIS_OFFLOAD_PARAMS_REV_1	1	/* through flags */
#define NDIS_OFFLOAD_PARAMS_REV_2	2	/* + ipsecv2 */
#define NDIS_OFFLOAD_PARAMS_REV_3	3	/* + rsc, encap */
/* Sizes each revision nominally ends at. */
#define NDIS_OFFLOAD_PARAMS_SIZE_REV_1	20
#define NDIS_OFFLOAD_PARAMS_SIZE_REV_2	22	/* Linux NVSP<=4 size */
#define NDIS_OFFLOAD_PARAMS_SIZE_REV_3	26	/* through encap_types */
#define NDIS_OFFLOAD_PARAMS_SIZE_FULL	28	/* with tail padding */

/* Checksum fields (ip4_csum ... udp6_csum). */
#define NDIS_OFFLOAD_PARAM_NO_CHANGE	0
#define NDIS_OFFLOAD_PARAM_OFF		1	/* TX and RX disabled */
#define NDIS_OFFLOAD_PARAM_TX		2	/* TX on, RX off */
#define NDIS_OFFLOAD_PARAM_RX		3	/* RX on, TX off */
#define NDIS_OFFLOAD_PARAM_TX_RX	4	/* TX and RX on */
/* LSOv1, LSOv2 and RSC fields. */
#define NDIS_OFFLOAD_SET_NO_CHANGE	0
#define NDIS_OFFLOAD_SET_OFF		1
#define NDIS_OFFLOAD_SET_ON		2

struct ndis_offload_params_wire {
	struct ndis_obj_hdr_wire hdr;	/* 0: {0x80, rev, size} */
	uint8_t ip4_csum;		/* 4: NDIS_OFFLOAD_PARAM_* */
	uint8_t tcp4_csum;		/* 5 */
	uint8_t udp4_csum;		/* 6 */
	uint8_t tcp6_csum;		/* 7 */
	uint8_t udp6_csum;		/* 8 */
	uint8_t lsov1;			/* 9: NDIS_OFFLOAD_SET_* */
	uint8_t ipsecv1;		/* 10 */
	uint8_t lsov2_ip4;		/* 11: NDIS_OFFLOAD_SET_* */
	uint8_t lsov2_ip6;		/* 12: NDIS_OFFLOAD_SET_* */
	uint8_t tcp_conn_ip4;		/* 13 */
	uint8_t tcp_conn_ip6;		/* 14 */
	uint8_t rsvd_15;		/* 15: padding */
	uint32_t flags;			/* 16: end of rev 1 (20) */
	uint8_t ipsecv2;		/* 20: rev >= 2 */
	uint8_t ipsecv2_ip4;		/* 21: end of rev 2 (22) */
	uint8_t rsc_ip4;		/* 22: rev >= 3, NDIS_OFFLOAD_SET_* */
	uint8_t rsc_ip6;		/* 23: rev >= 3, NDIS_OFFLOAD_SET_* */
	uint8_t encap;			/* 24: rev >= 3 */
	uint8_t encap_types;		/* 25: end of rev 3 (26) */
	uint8_t rsvd_26[2];		/* 26: padding, Linux sends 28 */
};
SN_WIRE_SIZE(struct ndis_offload_params_wire, NDIS_OFFLOAD_PARAMS_SIZE_FULL);
SN_WIRE_OFFSET(struct ndis_offload_params_wire, ip4_csum, 4);
SN_WIRE_OFFSET(struct ndis_offload_params_wire, lsov2_ip6, 12);
SN_WIRE_OFFSET(struct ndis_offload_params_wire, flags, 16);
SN_WIRE_OFFSET(struct ndis_offload_params_wire, ipsecv2, 20);
SN_WIRE_OFFSET(struct ndis_offload_params_wire, rsc_ip4, 22);
SN_WIRE_OFFSET(struct ndis_offload_params_wire, encap_types, 25);

/* --- NDIS_RECEIVE_SCALE_CAPABILITIES ---------------------------------- */

#define NDIS_RSS_CAPS_REV_1		1
#define NDIS_RSS_CAPS_REV_2		2
#define NDIS_RSS_CAPS_SIZE_REV_1	16	/* through num_queues */
#define NDIS_RSS_CAPS_SIZE_REV_2	18	/* + num_itab_entries */

/* caps_flags. */
#define NDIS_RSS_CAPS_HASH_FUNC_TOEPLITZ	0x00000001
#define NDIS_RSS_CAPS_HASH_TCP_IPV4		0x00000100
#define NDIS_RSS_CAPS_HASH_TCP_IPV6		0x00000200
#define NDIS_RSS_CAPS_HASH_TCP_IPV6_EX		0x00000400
#define NDIS_RSS_CAPS_HASH_UDP_IPV4		0x00000800
#define NDIS_RSS_CAPS_HASH_UDP_IPV6		0x00001000
#define NDIS_RSS_CAPS_HASH_UDP_IPV6_EX		0x00002000
#define NDIS_RSS_CAPS_MSI			0x01000000
#define NDIS_RSS_CAPS_CLASSIFICATION_AT_ISR	0x02000000
#define NDIS_RSS_CAPS_CLASSIFICATION_AT_DPC	0x04000000
#define NDIS_RSS_CAPS_USING_MSI_X		0x08000000
#define NDIS_RSS_CAPS_RSS_AVAILABLE_ON_PORTS	0x10000000
#define NDIS_RSS_CAPS_SUPPORTS_MSI_X		0x20000000

struct ndis_rss_caps_wire {
	struct ndis_obj_hdr_wire hdr;	/* 0: {0x88, 2, 18} */
	uint32_t caps_flags;		/* 4: NDIS_RSS_CAPS_* */
	uint32_t num_int_msgs;		/* 8: interrupt messages */
	uint32_t num_queues;		/* 12: receive queues (channels) */
	uint16_t num_itab_entries;	/* 16: indirection table entries */
} __attribute__((packed));
SN_WIRE_SIZE(struct ndis_rss_caps_wire, NDIS_RSS_CAPS_SIZE_REV_2);
SN_WIRE_OFFSET(struct ndis_rss_caps_wire, num_queues, 12);
SN_WIRE_OFFSET(struct ndis_rss_caps_wire, num_itab_entries, 16);

/* --- NDIS_RECEIVE_SCALE_PARAMETERS ------------------------------------ */

#define NDIS_RSS_PARAMS_REV_1		1	/* byte-sized CPU table */
#define NDIS_RSS_PARAMS_REV_2		2	/* what Linux sends */
#define NDIS_RSS_PARAMS_REV_3		3	/* + default processor */
#define NDIS_RSS_PARAMS_SIZE_REV_2	40
#define NDIS_RSS_PARAMS_SIZE_REV_3	44

/* flags. */
#define NDIS_RSS_FLAG_BASE_CPU_UNCHANGED	0x0001
#define NDIS_RSS_FLAG_HASH_INFO_UNCHANGED	0x0002
#define NDIS_RSS_FLAG_ITABLE_UNCHANGED		0x0004
#define NDIS_RSS_FLAG_HASH_KEY_UNCHANGED	0x0008
#define NDIS_RSS_FLAG_DISABLE_RSS		0x0010
#define NDIS_RSS_FLAG_DEFAULT_PROC_UNCHANGED	0x0020

/* hash_info: function in the low byte, hash types above. */
#define NDIS_HASH_FUNC_MASK		0x000000FF
#define NDIS_HASH_FUNC_TOEPLITZ		0x00000001
#define NDIS_HASH_TYPE_MASK		0x00FFFF00
#define NDIS_HASH_IPV4			0x00000100
#define NDIS_HASH_TCP_IPV4		0x00000200
#define NDIS_HASH_IPV6			0x00000400
#define NDIS_HASH_IPV6_EX		0x00000800
#define NDIS_HASH_TCP_IPV6		0x00001000
#define NDIS_HASH_TCP_IPV6_EX		0x00002000
#define NDIS_HASH_UDP_IPV4		0x00004000
#define NDIS_HASH_UDP_IPV6		0x00008000
#define NDIS_HASH_UDP_IPV6_EX		0x00010000

static inline uint32_t
ndis_hash_func(uint32_t hash_info)
{
	return hash_info & NDIS_HASH_FUNC_MASK;
}

static inline uint32_t
ndis_hash_types(uint32_t hash_info)
{
	return hash_info & NDIS_HASH_TYPE_MASK;
}

/* Linux rndis_set_rss_param_msg(): Toeplitz over IPv4/6 with/without TCP. */
#define NDIS_HASH_INFO_LINUX						\
	(NDIS_HASH_FUNC_TOEPLITZ | NDIS_HASH_IPV4 | NDIS_HASH_TCP_IPV4 |\
	 NDIS_HASH_IPV6 | NDIS_HASH_TCP_IPV6)	/* 0x1701 */

/* Limits (revision 2): 128 u32 entries, 40-byte Toeplitz key. */
#define NDIS_RSS_ITAB_MAX_ENTRIES	128
#define NDIS_RSS_ITAB_ENTRY_SIZE	4
#define NDIS_RSS_ITAB_MAX_SIZE \
	(NDIS_RSS_ITAB_MAX_ENTRIES * NDIS_RSS_ITAB_ENTRY_SIZE)
#define NDIS_RSS_KEY_SIZE		40

struct ndis_rss_params_wire {
	struct ndis_obj_hdr_wire hdr;	/* 0: {0x89, 2, 40} */
	uint16_t flags;			/* 4: NDIS_RSS_FLAG_* */
	uint16_t base_cpu;		/* 6: unused by Hyper-V */
	uint32_t hash_info;		/* 8: NDIS_HASH_* */
	uint16_t itab_size;		/* 12: table size in bytes */
	uint16_t rsvd_14;		/* 14: padding */
	uint32_t itab_offset;		/* 16: from object start */
	uint16_t key_size;		/* 20: key size in bytes */
	uint16_t rsvd_22;		/* 22: padding */
	uint32_t key_offset;		/* 24: from object start */
	uint32_t proc_masks_offset;	/* 28: unused, 0 */
	uint32_t num_proc_masks;	/* 32: unused, 0 */
	uint32_t proc_masks_entry_size;	/* 36: unused, 0 */
};
SN_WIRE_SIZE(struct ndis_rss_params_wire, NDIS_RSS_PARAMS_SIZE_REV_2);
SN_WIRE_OFFSET(struct ndis_rss_params_wire, hash_info, 8);
SN_WIRE_OFFSET(struct ndis_rss_params_wire, itab_size, 12);
SN_WIRE_OFFSET(struct ndis_rss_params_wire, itab_offset, 16);
SN_WIRE_OFFSET(struct ndis_rss_params_wire, key_size, 20);
SN_WIRE_OFFSET(struct ndis_rss_params_wire, key_offset, 24);
SN_WIRE_OFFSET(struct ndis_rss_params_wire, proc_masks_entry_size, 36);

#endif /* NDIS_WIRE_H */
