/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rndis_wire.h - RNDIS message and per-packet-info wire definitions.
 *
 * Every RNDIS message starts with { u32 type; u32 msg_len } and msg_len
 * counts those 8 bytes.  EVERY offset carried inside a message (data,
 * per-packet info, OOB, information buffer, status buffer) is relative to
 * byte 8, the first byte after msg_len; RNDIS_HDR_LEN names that base.
 * All fields are little-endian u32 unless a comment says otherwise.
 *
 * The structs below include the 8-byte common header so that their sizes
 * match the message sizes quoted by the specs (INITIALIZE = 24 bytes, ...).
 * They document the layout and give offsetof() positions to the codec; the
 * codec never casts a peer buffer to them.
 *
 * Sources: docs wire-facts section 5; Linux drivers/net/hyperv/hyperv_net.h
 * (rndis_*_request/complete, rndis_packet, rndis_per_packet_info,
 * ndis_tcp_ip_checksum_info, ndis_tcp_lso_info, ndis_pkt_8021q_info,
 * rndis_pktinfo_id); DPDK drivers/net/netvsc/ndis.h, rndis.h (value masks);
 * microsoft/openvmm vm/devices/net/netvsp/src/rndisprot.rs (SET_EX).
 */
#ifndef SN_RNDIS_WIRE_H
#define SN_RNDIS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "sn_wire.h"

/* Size of the common header; base of every offset inside a message. */
#define RNDIS_HDR_LEN			8u

/* Protocol version (the only one in use). */
#define RNDIS_MAJOR_VERSION		1u
#define RNDIS_MINOR_VERSION		0u

/*
 * Message types.  A completion is the request type with bit 31 set.
 */
#define RNDIS_MSG_CMPLT			0x80000000u
#define RNDIS_MSG_PACKET		0x00000001u
#define RNDIS_MSG_INIT			0x00000002u
#define RNDIS_MSG_HALT			0x00000003u
#define RNDIS_MSG_QUERY			0x00000004u
#define RNDIS_MSG_SET			0x00000005u
#define RNDIS_MSG_RESET			0x00000006u
#define RNDIS_MSG_INDICATE		0x00000007u
#define RNDIS_MSG_KEEPALIVE		0x00000008u
#define RNDIS_MSG_SET_EX		0x00000009u
#define RNDIS_MSG_INIT_CMPLT		0x80000002u
#define RNDIS_MSG_QUERY_CMPLT		0x80000004u
#define RNDIS_MSG_SET_CMPLT		0x80000005u
#define RNDIS_MSG_RESET_CMPLT		0x80000006u
#define RNDIS_MSG_KEEPALIVE_CMPLT	0x80000008u
#define RNDIS_MSG_SET_EX_CMPLT		0x80000009u

/* INIT cmplt device flags and medium. */
#define RNDIS_DF_CONNECTIONLESS		0x00000001u
#define RNDIS_DF_CONNECTION_ORIENTED	0x00000002u
#define RNDIS_MEDIUM_802_3		0x00000000u

/* OID_GEN_MEDIA_CONNECT_STATUS values. */
#define RNDIS_MEDIA_STATE_CONNECTED	0u
#define RNDIS_MEDIA_STATE_DISCONNECTED	1u

/*
 * Status codes (NDIS_STATUS values).
 */
#define RNDIS_STATUS_SUCCESS			0x00000000u
#define RNDIS_STATUS_PENDING			0x00000103u
#define RNDIS_STATUS_MEDIA_CONNECT		0x4001000Bu
#define RNDIS_STATUS_MEDIA_DISCONNECT		0x4001000Cu
#define RNDIS_STATUS_LINK_SPEED_CHANGE		0x40010013u
#define RNDIS_STATUS_NETWORK_CHANGE		0x40010018u
#define RNDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG 0x40020006u
#define RNDIS_STATUS_BUFFER_OVERFLOW		0x80000005u
#define RNDIS_STATUS_FAILURE			0xC0000001u
#define RNDIS_STATUS_RESOURCES			0xC000009Au
#define RNDIS_STATUS_NOT_SUPPORTED		0xC00000BBu
#define RNDIS_STATUS_BAD_VERSION		0xC0010004u
#define RNDIS_STATUS_INVALID_PACKET		0xC001000Fu
#define RNDIS_STATUS_INVALID_LENGTH		0xC0010014u
#define RNDIS_STATUS_INVALID_DATA		0xC0010015u
#define RNDIS_STATUS_BUFFER_TOO_SHORT		0xC0010016u
#define RNDIS_STATUS_INVALID_OID		0xC0010017u

/*
 * OIDs carried by QUERY / SET.
 */
#define RNDIS_OID_GEN_SUPPORTED_LIST		0x00010101u
#define RNDIS_OID_GEN_HARDWARE_STATUS		0x00010102u
#define RNDIS_OID_GEN_MEDIA_SUPPORTED		0x00010103u
#define RNDIS_OID_GEN_MEDIA_IN_USE		0x00010104u
#define RNDIS_OID_GEN_MAXIMUM_LOOKAHEAD		0x00010105u
#define RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE	0x00010106u
#define RNDIS_OID_GEN_LINK_SPEED		0x00010107u /* 100 bps units */
#define RNDIS_OID_GEN_CURRENT_PACKET_FILTER	0x0001010Eu
#define RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE	0x00010111u
#define RNDIS_OID_GEN_MAC_OPTIONS		0x00010113u
#define RNDIS_OID_GEN_MEDIA_CONNECT_STATUS	0x00010114u /* 0 = up */
#define RNDIS_OID_GEN_MAXIMUM_SEND_PACKETS	0x00010115u
#define RNDIS_OID_GEN_NETWORK_LAYER_ADDRESSES	0x00010118u
#define RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES 0x00010203u
#define RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS	0x00010204u
#define RNDIS_OID_GEN_MAX_LINK_SPEED		0x00010206u
#define RNDIS_OID_GEN_LINK_STATE		0x00010207u
#define RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER	0x0001021Bu
#define RNDIS_OID_GEN_FRIENDLY_NAME		0x00020216u
#define RNDIS_OID_802_3_PERMANENT_ADDRESS	0x01010101u
#define RNDIS_OID_802_3_CURRENT_ADDRESS		0x01010102u
#define RNDIS_OID_802_3_MULTICAST_LIST		0x01010103u
#define RNDIS_OID_802_3_MAXIMUM_LIST_SIZE	0x01010104u
#define RNDIS_OID_OFFLOAD_ENCAPSULATION		0x0101010Au
#define RNDIS_OID_TCP_OFFLOAD_CURRENT_CONFIG	0xFC01020Bu
#define RNDIS_OID_TCP_OFFLOAD_PARAMETERS	0xFC01020Cu
#define RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES 0xFC01020Du

/*
 * OID_GEN_CURRENT_PACKET_FILTER bits.  Linux sets DIRECTED | ALL_MULTICAST |
 * BROADCAST (0x0D) on open and 0 on close.
 */
#define RNDIS_FILTER_NONE		0x00000000u
#define RNDIS_FILTER_DIRECTED		0x00000001u
#define RNDIS_FILTER_MULTICAST		0x00000002u
#define RNDIS_FILTER_ALL_MULTICAST	0x00000004u
#define RNDIS_FILTER_BROADCAST		0x00000008u
#define RNDIS_FILTER_PROMISCUOUS	0x00000020u

/*
 * Per-packet-info types.  The u32 type field carries the type number in
 * bits 0..30 and the "internal" flag in bit 31.
 */
#define RNDIS_PPI_INTERNAL		0x80000000u
#define RNDIS_PPI_ID_MASK		0x7FFFFFFFu
#define RNDIS_PPI_CSUM			0u	/* TCPIP_CHKSUM_PKTINFO */
#define RNDIS_PPI_IPSEC			1u	/* IPSEC_PKTINFO */
#define RNDIS_PPI_LSO			2u	/* TCP_LARGESEND_PKTINFO */
#define RNDIS_PPI_CLASSIFY		3u	/* CLASSIFICATION_HANDLE */
#define RNDIS_PPI_SG_LIST		5u	/* SG_LIST_PKTINFO */
#define RNDIS_PPI_VLAN			6u	/* IEEE_8021Q_INFO */
#define RNDIS_PPI_ORIGINAL		7u	/* ORIGINAL_PKTINFO */
#define RNDIS_PPI_HASH_VALUE		8u	/* NBL_HASH_VALUE: RSS hash */
#define RNDIS_PPI_HASH_INFO		9u	/* NBL_HASH_INFO: func|type */
#define RNDIS_PPI_PAD			11u	/* SHORT_PKT_PADINFO */
/* Internal type numbers (used with RNDIS_PPI_INTERNAL). */
#define RNDIS_PKTINFO_ID		1u	/* RSC fragment id */
/* Full on-wire type value of the RSC packet-id PPI. */
#define RNDIS_PPI_TYPE_PKTINFO_ID	(RNDIS_PPI_INTERNAL | RNDIS_PKTINFO_ID)

/* Every PPI value in use is one u32 (pktinfo id: u8, u8, u16). */
#define RNDIS_PPI_VALUE_LEN		4u
/* Bytes of one PPI element as Linux/DPDK/Windows lay it out: 12 + 4. */
#define RNDIS_PPI_ELEM_LEN		16u

/* rndis_pktinfo_id.flag bits and version. */
#define RNDIS_PKTINFO_ID_V1		1u
#define RNDIS_PKTINFO_SUBALLOC		0x01u
#define RNDIS_PKTINFO_1ST_FRAG		0x02u
#define RNDIS_PKTINFO_LAST_FRAG		0x04u

/*
 * TX checksum PPI value (guest asks host to fill checksums).
 */
#define RNDIS_TXCSUM_IPV4		0x00000001u
#define RNDIS_TXCSUM_IPV6		0x00000002u
#define RNDIS_TXCSUM_TCP		0x00000004u
#define RNDIS_TXCSUM_UDP		0x00000008u
#define RNDIS_TXCSUM_IP_HDR		0x00000010u
#define RNDIS_TXCSUM_THOFF_MASK		0x03FF0000u	/* from L2 start */
#define RNDIS_TXCSUM_THOFF_SHIFT	16

/*
 * RX checksum PPI value (host tells guest what it verified).
 */
#define RNDIS_RXCSUM_TCP_FAILED		0x00000001u
#define RNDIS_RXCSUM_UDP_FAILED		0x00000002u
#define RNDIS_RXCSUM_IP_FAILED		0x00000004u
#define RNDIS_RXCSUM_TCP_OK		0x00000008u
#define RNDIS_RXCSUM_UDP_OK		0x00000010u
#define RNDIS_RXCSUM_IP_OK		0x00000020u
#define RNDIS_RXCSUM_LOOPBACK		0x00000040u
#define RNDIS_RXCSUM_TCP_VALUE_INVALID	0x00000080u
#define RNDIS_RXCSUM_IP_VALUE_INVALID	0x00000100u

/*
 * LSO PPI value.  LSOv1 and LSOv2 share mss and tcp header offset; bit 30
 * tells them apart.  Bit 31 is ip_version for LSOv2 and reserved for LSOv1.
 */
#define RNDIS_LSO_MSS_MASK		0x000FFFFFu
#define RNDIS_LSO_THOFF_MASK		0x3FF00000u
#define RNDIS_LSO_THOFF_SHIFT		20
#define RNDIS_LSO_V2			0x40000000u	/* type: 1 = LSOv2 */
#define RNDIS_LSO_V2_IPV6		0x80000000u	/* ip_version 1 = v6 */
#define RNDIS_LSO_MSS_MAX		RNDIS_LSO_MSS_MASK
#define RNDIS_LSO_THOFF_MAX		0x3FFu

/*
 * 802.1Q PPI value (ndis_pkt_8021q_info): not the wire TCI layout.
 */
#define RNDIS_VLAN_PRIO_MASK		0x00000007u
#define RNDIS_VLAN_DEI			0x00000008u	/* CFI */
#define RNDIS_VLAN_VID_MASK		0x0000FFF0u
#define RNDIS_VLAN_VID_SHIFT		4

/*
 * Hash info PPI value: hash function in bits 0..7, hash types above.
 */
#define RNDIS_HASH_FUNC_MASK		0x000000FFu
#define RNDIS_HASH_TYPE_MASK		0x00FFFF00u
#define RNDIS_HASH_FUNC_TOEPLITZ	0x00000001u
#define RNDIS_HASH_IPV4			0x00000100u
#define RNDIS_HASH_TCP_IPV4		0x00000200u
#define RNDIS_HASH_IPV6			0x00000400u
#define RNDIS_HASH_IPV6_EX		0x00000800u
#define RNDIS_HASH_TCP_IPV6		0x00001000u
#define RNDIS_HASH_TCP_IPV6_EX		0x00002000u
#define RNDIS_HASH_UDP_IPV4		0x00004000u
#define RNDIS_HASH_UDP_IPV6		0x00008000u
#define RNDIS_HASH_UDP_IPV6_EX		0x00010000u

/*
 * Wire structs.  Offsets in comments are from the start of the message;
 * the same field's "RNDIS offset" is that minus RNDIS_HDR_LEN.
 */

/* Common header of every message. */
struct rndis_wire_hdr {
	uint32_t type;		/* 0: RNDIS_MSG_* */
	uint32_t msg_len;	/* 4: whole message incl. these 8 bytes */
};
SN_WIRE_SIZE(struct rndis_wire_hdr, 8);

/* INITIALIZE request (G->H). */
struct rndis_wire_init_req {
	uint32_t type;		/* 0: RNDIS_MSG_INIT */
	uint32_t msg_len;	/* 4: 24 */
	uint32_t req_id;	/* 8: echoed by the completion */
	uint32_t major;		/* 12: RNDIS_MAJOR_VERSION */
	uint32_t minor;		/* 16: RNDIS_MINOR_VERSION */
	uint32_t max_xfer_size;	/* 20: guest's max message (Linux 0x4000) */
};
SN_WIRE_SIZE(struct rndis_wire_init_req, 24);
SN_WIRE_OFFSET(struct rndis_wire_init_req, max_xfer_size, 20);

/* INITIALIZE completion (H->G). */
struct rndis_wire_init_cmplt {
	uint32_t type;		/* 0: RNDIS_MSG_INIT_CMPLT */
	uint32_t msg_len;	/* 4: 52 */
	uint32_t req_id;	/* 8: from the request */
	uint32_t status;	/* 12: RNDIS_STATUS_* */
	uint32_t major;		/* 16: version */
	uint32_t minor;		/* 20: version */
	uint32_t dev_flags;	/* 24: RNDIS_DF_CONNECTIONLESS */
	uint32_t medium;	/* 28: RNDIS_MEDIUM_802_3 */
	uint32_t max_pkt_per_msg; /* 32: PACKETs per batch the host takes */
	uint32_t max_xfer_size;	/* 36: largest message the host takes */
	uint32_t pkt_align_factor; /* 40: log2 of batch padding */
	uint32_t af_list_offset; /* 44: call managers only, 0 */
	uint32_t af_list_size;	/* 48: call managers only, 0 */
};
SN_WIRE_SIZE(struct rndis_wire_init_cmplt, 52);
SN_WIRE_OFFSET(struct rndis_wire_init_cmplt, pkt_align_factor, 40);

/* HALT request (G->H, no completion) and KEEPALIVE request (either way). */
struct rndis_wire_req_id {
	uint32_t type;		/* 0: RNDIS_MSG_HALT or RNDIS_MSG_KEEPALIVE */
	uint32_t msg_len;	/* 4: 12 */
	uint32_t req_id;	/* 8: request id */
};
SN_WIRE_SIZE(struct rndis_wire_req_id, 12);

/* QUERY, SET and SET_EX requests (G->H); the info buffer follows. */
struct rndis_wire_oid_req {
	uint32_t type;		/* 0: RNDIS_MSG_QUERY / _SET / _SET_EX */
	uint32_t msg_len;	/* 4: 28 + info_buflen */
	uint32_t req_id;	/* 8: request id */
	uint32_t oid;		/* 12: RNDIS_OID_* */
	uint32_t info_buflen;	/* 16: bytes of info buffer */
	uint32_t info_buf_offset; /* 20: from byte 8; Linux: 20 */
	uint32_t dev_vc_handle;	/* 24: 0 (connectionless) */
};
SN_WIRE_SIZE(struct rndis_wire_oid_req, 28);
SN_WIRE_OFFSET(struct rndis_wire_oid_req, info_buf_offset, 20);

/* QUERY and SET_EX completions (H->G); the info buffer follows. */
struct rndis_wire_info_cmplt {
	uint32_t type;		/* 0: RNDIS_MSG_QUERY_CMPLT / _SET_EX_CMPLT */
	uint32_t msg_len;	/* 4: 24 + info_buflen */
	uint32_t req_id;	/* 8: from the request */
	uint32_t status;	/* 12: RNDIS_STATUS_* */
	uint32_t info_buflen;	/* 16: bytes of info buffer */
	uint32_t info_buf_offset; /* 20: from byte 8; canonical 16 */
};
SN_WIRE_SIZE(struct rndis_wire_info_cmplt, 24);
SN_WIRE_OFFSET(struct rndis_wire_info_cmplt, info_buf_offset, 20);

/* SET and KEEPALIVE completions. */
struct rndis_wire_status_cmplt {
	uint32_t type;		/* 0: RNDIS_MSG_SET_CMPLT / _KEEPALIVE_CMPLT */
	uint32_t msg_len;	/* 4: 16 */
	uint32_t req_id;	/* 8: from the request */
	uint32_t status;	/* 12: RNDIS_STATUS_* */
};
SN_WIRE_SIZE(struct rndis_wire_status_cmplt, 16);

/* RESET request: no request id. */
struct rndis_wire_reset_req {
	uint32_t type;		/* 0: RNDIS_MSG_RESET */
	uint32_t msg_len;	/* 4: 12 */
	uint32_t reserved;	/* 8: 0 */
};
SN_WIRE_SIZE(struct rndis_wire_reset_req, 12);

/* RESET completion: no request id. */
struct rndis_wire_reset_cmplt {
	uint32_t type;		/* 0: RNDIS_MSG_RESET_CMPLT */
	uint32_t msg_len;	/* 4: 16 */
	uint32_t status;	/* 8: RNDIS_STATUS_* */
	uint32_t addressing_reset; /* 12: 1 = guest must re-send filters */
};
SN_WIRE_SIZE(struct rndis_wire_reset_cmplt, 16);

/* INDICATE_STATUS (H->G); the optional status buffer follows. */
struct rndis_wire_indicate {
	uint32_t type;		/* 0: RNDIS_MSG_INDICATE */
	uint32_t msg_len;	/* 4: 20 + status_buflen */
	uint32_t status;	/* 8: RNDIS_STATUS_MEDIA_CONNECT, ... */
	uint32_t status_buflen;	/* 12: bytes of status buffer */
	uint32_t status_buf_offset; /* 16: from byte 8; canonical 12 */
};
SN_WIRE_SIZE(struct rndis_wire_indicate, 20);

/* Status buffer of an INDICATE_STATUS signalling a malformed message. */
struct rndis_wire_diag_info {
	uint32_t diag_status;	/* 0: RNDIS_STATUS_* */
	uint32_t error_offset;	/* 4: offending byte in the bad message */
};
SN_WIRE_SIZE(struct rndis_wire_diag_info, 8);

/* PACKET (data, both ways). */
struct rndis_wire_packet {
	uint32_t type;		/* 0: RNDIS_MSG_PACKET */
	uint32_t msg_len;	/* 4: 44 + PPIs + data (+ batch padding) */
	uint32_t data_offset;	/* 8: from byte 8; Linux 36 + PPI bytes */
	uint32_t data_len;	/* 12: frame bytes */
	uint32_t oob_data_offset; /* 16: from byte 8; unused, 0 */
	uint32_t oob_data_len;	/* 20: unused, 0 */
	uint32_t num_oob_data_elements; /* 24: unused, 0 */
	uint32_t per_pkt_info_offset; /* 28: from byte 8; Linux 36 */
	uint32_t per_pkt_info_len; /* 32: bytes of PPI area */
	uint32_t vc_handle;	/* 36: 0 (connectionless) */
	uint32_t reserved;	/* 40: 0 */
};
SN_WIRE_SIZE(struct rndis_wire_packet, 44);
SN_WIRE_OFFSET(struct rndis_wire_packet, data_offset, 8);
SN_WIRE_OFFSET(struct rndis_wire_packet, per_pkt_info_offset, 28);

/* Smallest offset (from byte 8) that does not overlap the PACKET header. */
#define RNDIS_PACKET_OFFSET_MIN \
	((uint32_t)(sizeof(struct rndis_wire_packet) - RNDIS_HDR_LEN))

/* One per-packet-info element header; the value sits at ppi_offset. */
struct rndis_wire_ppi {
	uint32_t size;		/* 0: whole element incl. this header */
	uint32_t type;		/* 4: RNDIS_PPI_* | RNDIS_PPI_INTERNAL */
	uint32_t ppi_offset;	/* 8: value offset from element start (12) */
};
SN_WIRE_SIZE(struct rndis_wire_ppi, 12);

/* Value of the RNDIS_PPI_TYPE_PKTINFO_ID element (RSC over VMBus). */
struct rndis_wire_pktinfo_id {
	uint8_t ver;		/* 0: RNDIS_PKTINFO_ID_V1 */
	uint8_t flag;		/* 1: RNDIS_PKTINFO_SUBALLOC | ... */
	uint16_t pkt_id;	/* 2: packet id, LE */
};
SN_WIRE_SIZE(struct rndis_wire_pktinfo_id, 4);

#endif /* SN_RNDIS_WIRE_H */
