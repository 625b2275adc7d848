/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp_wire.h - NVSP (network VSP protocol) wire layouts and constants.
 *
 * NVSP messages are the payload of the VMBus packets on a netvsc channel.
 * Every message starts with a little-endian u32 message type; the body
 * follows.  Each wire struct below describes one whole message, header
 * included, so the offset comments are from the start of the NVSP message.
 *
 * Sources: Linux drivers/net/hyperv/hyperv_net.h (guest view),
 * microsoft/openvmm vm/devices/net/netvsp/src/protocol.rs (host view),
 * DPDK drivers/net/netvsc/hn_nvs.h.  These structs are for documentation,
 * offsets and size asserts only: the codec (nvsp.c) never casts a peer
 * buffer to them, it reads fields with sn_get_le*() at these offsets.
 *
 * Message sizes: a v1..v6 sender pads every message to the size of the
 * legacy union, 28 bytes (NVSP_MSG_SIZE_V1); from v6.1 on the union grew
 * (v6 PacketDirect messages) to 40 bytes (NVSP_MSG_SIZE_V61).  Linux always
 * sends 40, except its RX completions (SEND_RNDIS_PKT_COMPLETE), which are
 * 8 bytes; DPDK pads its requests to 40; FreeBSD pads to at least 32.
 * A receiver must accept any message that covers the fields it reads.
 */
#ifndef NVSP_WIRE_H
#define NVSP_WIRE_H

#include <stdint.h>

#include "sn_wire.h"

/* Protocol versions: (major << 16) | minor.  V1 is the odd one out. */
#define NVSP_PROTOCOL_VERSION_1		0x00000002u
#define NVSP_PROTOCOL_VERSION_2		0x00030002u
#define NVSP_PROTOCOL_VERSION_4		0x00040000u
#define NVSP_PROTOCOL_VERSION_5		0x00050000u
#define NVSP_PROTOCOL_VERSION_6		0x00060000u
#define NVSP_PROTOCOL_VERSION_61	0x00060001u
/* "No version" marker (Linux NVSP_INVALID_PROTOCOL_VERSION). */
#define NVSP_PROTOCOL_VERSION_INVALID	0xFFFFFFFFu

#define NVSP_VERSION_MAJOR(v)		((uint32_t)(v) >> 16)
#define NVSP_VERSION_MINOR(v)		((uint32_t)(v) & 0xFFFFu)

/* NDIS versions carried by SEND_NDIS_VER (Linux: 6.1 if NVSP <= 4). */
#define NVSP_NDIS_VERSION_6_1		0x00060001u
#define NVSP_NDIS_VERSION_6_30		0x0006001Eu
#define NVSP_NDIS_VERSION_MAJOR(v)	((uint32_t)(v) >> 16)
#define NVSP_NDIS_VERSION_MINOR(v)	((uint32_t)(v) & 0xFFFFu)

/* Message sizes senders pad to (see the file comment). */
#define NVSP_MSG_SIZE_V1		28u
#define NVSP_MSG_SIZE_V61		40u

/* Message types (u32 at offset 0). */
#define NVSP_MSG_TYPE_NONE			0u
#define NVSP_MSG_TYPE_INIT			1u
#define NVSP_MSG_TYPE_INIT_COMPLETE		2u
#define NVSP_MSG1_TYPE_SEND_NDIS_VER		100u
#define NVSP_MSG1_TYPE_SEND_RECV_BUF		101u
#define NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE	102u
#define NVSP_MSG1_TYPE_REVOKE_RECV_BUF		103u
#define NVSP_MSG1_TYPE_SEND_SEND_BUF		104u
#define NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE	105u
#define NVSP_MSG1_TYPE_REVOKE_SEND_BUF		106u
#define NVSP_MSG1_TYPE_SEND_RNDIS_PKT		107u
#define NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE	108u
/* 109..124: v2 chimney / VMQ messages, deprecated, not decoded. */
#define NVSP_MSG2_TYPE_SEND_NDIS_CONFIG		125u
/* 126, 127: v2 chimney handle messages, not decoded. */
#define NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION	128u
#define NVSP_MSG4_TYPE_SWITCH_DATA_PATH		129u
/* 130: UPLINK_CONNECT_STATE, deprecated, not decoded. */
#define NVSP_MSG5_TYPE_OID_QUERY_EX		131u
#define NVSP_MSG5_TYPE_OID_QUERY_EX_COMP	132u
/* Request (G->H) and its completion (H->G) share this type. */
#define NVSP_MSG5_TYPE_SUBCHANNEL		133u
#define NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE	134u
/* 135, 136: v6 PacketDirect (PD_API, PD_POST_BATCH), not decoded. */

/* Status codes (INIT_COMPLETE, *_BUF_COMPLETE, RNDIS_PKT_COMPLETE, ...). */
#define NVSP_STAT_NONE			0u
#define NVSP_STAT_SUCCESS		1u
#define NVSP_STAT_FAIL			2u
#define NVSP_STAT_PROTOCOL_TOO_NEW	3u
#define NVSP_STAT_PROTOCOL_TOO_OLD	4u
#define NVSP_STAT_INVALID_RNDIS_PKT	5u
#define NVSP_STAT_BUSY			6u
#define NVSP_STAT_PROTOCOL_UNSUPPORTED	7u

/*
 * SEND_NDIS_CONFIG capability bits (u64).  Linux sets IEEE8021Q from v2,
 * SRIOV and TEAMING from v5 (teaming is needed for link-speed updates),
 * RSC from v6.1 (netvsc.c negotiate_nvsp_ver()).
 */
#define NVSP_NDIS_CAP_VMQ		(UINT64_C(1) << 0)
#define NVSP_NDIS_CAP_CHIMNEY		(UINT64_C(1) << 1)
#define NVSP_NDIS_CAP_SRIOV		(UINT64_C(1) << 2)
#define NVSP_NDIS_CAP_IEEE8021Q		(UINT64_C(1) << 3)
#define NVSP_NDIS_CAP_CORRELATION_ID	(UINT64_C(1) << 4)
#define NVSP_NDIS_CAP_TEAMING		(UINT64_C(1) << 5)
#define NVSP_NDIS_CAP_VSUBNET_ID	(UINT64_C(1) << 6)
#define NVSP_NDIS_CAP_RSC		(UINT64_C(1) << 7)
/* All bits defined so far; the other 56 are reserved. */
#define NVSP_NDIS_CAP_KNOWN		UINT64_C(0xFF)

/* SEND_RNDIS_PKT channel_type. */
#define NVSP_CHANNEL_TYPE_DATA		0u
#define NVSP_CHANNEL_TYPE_CONTROL	1u

/* SEND_RNDIS_PKT send_buf_section_index: no send-buffer section used. */
#define NVSP_SECTION_INDEX_NONE		0xFFFFFFFFu

/* Buffer ids Linux/DPDK/FreeBSD guests use (DPDK: 0xface for send). */
#define NVSP_RECV_BUF_ID		0xCAFEu
#define NVSP_SEND_BUF_ID		0x0000u

/* SWITCH_DATA_PATH active_datapath. */
#define NVSP_DATAPATH_SYNTHETIC		0u
#define NVSP_DATAPATH_VF		1u

/* SUBCHANNEL request op. */
#define NVSP_SUBCHANNEL_OP_NONE		0u
#define NVSP_SUBCHANNEL_OP_ALLOCATE	1u

/*
 * Send indirection table: always 16 entries on the wire (Windows host
 * C_ASSERT, Linux VRSS_SEND_TAB_SIZE; Linux drops any other count).
 */
#define NVSP_SEND_TABLE_SIZE		16u

/* --- wire structs (offsets from the start of the NVSP message) --- */

/* Common header. */
struct nvsp_wire_hdr {
	uint32_t msg_type;		/* 0: NVSP_MSG*_TYPE_* */
};
SN_WIRE_SIZE(struct nvsp_wire_hdr, 4);

/* INIT (1), G->H, completion requested.  Guests set min == max. */
struct nvsp_wire_init {
	uint32_t msg_type;		/* 0: NVSP_MSG_TYPE_INIT */
	uint32_t min_protocol_ver;	/* 4: lowest version accepted */
	uint32_t max_protocol_ver;	/* 8: highest version accepted */
};
SN_WIRE_SIZE(struct nvsp_wire_init, 12);
SN_WIRE_OFFSET(struct nvsp_wire_init, max_protocol_ver, 8);

/* INIT_COMPLETE (2), H->G in a completion packet. */
struct nvsp_wire_init_complete {
	uint32_t msg_type;		/* 0: NVSP_MSG_TYPE_INIT_COMPLETE */
	uint32_t negotiated_ver;	/* 4: deprecated, hosts send 0 or v */
	uint32_t max_mdl_chain_len;	/* 8: max MDL chain length */
	uint32_t status;		/* 12: NVSP_STAT_* */
};
SN_WIRE_SIZE(struct nvsp_wire_init_complete, 16);
SN_WIRE_OFFSET(struct nvsp_wire_init_complete, status, 12);

/* SEND_NDIS_VER (100), G->H, no completion. */
struct nvsp_wire_ndis_ver {
	uint32_t msg_type;		/* 0: NVSP_MSG1_TYPE_SEND_NDIS_VER */
	uint32_t ndis_major;		/* 4: NDIS major (6) */
	uint32_t ndis_minor;		/* 8: NDIS minor (1 or 30) */
};
SN_WIRE_SIZE(struct nvsp_wire_ndis_ver, 12);
SN_WIRE_OFFSET(struct nvsp_wire_ndis_ver, ndis_minor, 8);

/*
 * SEND_RECV_BUF (101) and SEND_SEND_BUF (104), G->H, completion requested.
 * Linux declares only gpadl + id (6 bytes, packed); OpenVMM and DPDK
 * name the following u16 reserved.
 */
struct nvsp_wire_send_buf {
	uint32_t msg_type;		/* 0: 101 or 104 */
	uint32_t gpadl_handle;		/* 4: GPADL naming the buffer */
	uint16_t id;			/* 8: buffer id (0xCAFE rx, 0 tx) */
	uint16_t reserved;		/* 10: zero */
};
SN_WIRE_SIZE(struct nvsp_wire_send_buf, 12);
SN_WIRE_OFFSET(struct nvsp_wire_send_buf, id, 8);

/* One receive-buffer section in SEND_RECV_BUF_COMPLETE. */
struct nvsp_wire_rbuf_section {
	uint32_t offset;		/* 0: section start in the buffer */
	uint32_t sub_alloc_size;	/* 4: slot size in bytes */
	uint32_t num_sub_allocs;	/* 8: number of slots */
	uint32_t end_offset;		/* 12: section end in the buffer */
};
SN_WIRE_SIZE(struct nvsp_wire_rbuf_section, 16);
SN_WIRE_OFFSET(struct nvsp_wire_rbuf_section, end_offset, 12);

/*
 * SEND_RECV_BUF_COMPLETE (102), H->G in a completion.  num_sections
 * sections follow at offset 12 (every host sends exactly one).
 */
struct nvsp_wire_recv_buf_complete {
	uint32_t msg_type;		/* 0: 102 */
	uint32_t status;		/* 4: NVSP_STAT_* */
	uint32_t num_sections;		/* 8: sections that follow */
	struct nvsp_wire_rbuf_section sections[1]; /* 12: first section */
};
SN_WIRE_SIZE(struct nvsp_wire_recv_buf_complete, 28);
SN_WIRE_OFFSET(struct nvsp_wire_recv_buf_complete, sections, 12);

/* REVOKE_RECV_BUF (103) and REVOKE_SEND_BUF (106), G->H. */
struct nvsp_wire_revoke_buf {
	uint32_t msg_type;		/* 0: 103 or 106 */
	uint16_t id;			/* 4: id given in SEND_*_BUF */
} __attribute__((packed));
SN_WIRE_SIZE(struct nvsp_wire_revoke_buf, 6);
SN_WIRE_OFFSET(struct nvsp_wire_revoke_buf, id, 4);

/* SEND_SEND_BUF_COMPLETE (105), H->G in a completion. */
struct nvsp_wire_send_buf_complete {
	uint32_t msg_type;		/* 0: 105 */
	uint32_t status;		/* 4: NVSP_STAT_* */
	uint32_t section_size;		/* 8: host-chosen section size */
};
SN_WIRE_SIZE(struct nvsp_wire_send_buf_complete, 12);
SN_WIRE_OFFSET(struct nvsp_wire_send_buf_complete, section_size, 8);

/* SEND_RNDIS_PKT (107), both directions; the RNDIS data rides along. */
struct nvsp_wire_rndis_pkt {
	uint32_t msg_type;		/* 0: 107 */
	uint32_t channel_type;		/* 4: NVSP_CHANNEL_TYPE_* */
	uint32_t section_index;		/* 8: send-buffer section or NONE */
	uint32_t section_size;		/* 12: bytes used in that section */
};
SN_WIRE_SIZE(struct nvsp_wire_rndis_pkt, 16);
SN_WIRE_OFFSET(struct nvsp_wire_rndis_pkt, section_size, 12);

/* SEND_RNDIS_PKT_COMPLETE (108), both directions, in a completion. */
struct nvsp_wire_rndis_pkt_complete {
	uint32_t msg_type;		/* 0: 108 */
	uint32_t status;		/* 4: NVSP_STAT_* */
};
SN_WIRE_SIZE(struct nvsp_wire_rndis_pkt_complete, 8);

/*
 * SEND_NDIS_CONFIG (125), G->H, v2+, no completion.  The u64 sits at
 * offset 12, so the struct is packed.
 */
struct nvsp_wire_ndis_config {
	uint32_t msg_type;		/* 0: 125 */
	uint32_t mtu;			/* 4: guest MTU + 14 */
	uint32_t reserved;		/* 8: zero */
	uint64_t capabilities;		/* 12: NVSP_NDIS_CAP_* */
} __attribute__((packed));
SN_WIRE_SIZE(struct nvsp_wire_ndis_config, 20);
SN_WIRE_OFFSET(struct nvsp_wire_ndis_config, capabilities, 12);

/* SEND_VF_ASSOCIATION (128), H->G inband. */
struct nvsp_wire_vf_assoc {
	uint32_t msg_type;		/* 0: 128 */
	uint32_t allocated;		/* 4: 1 = VF present, serial valid */
	uint32_t serial;		/* 8: VF serial number */
};
SN_WIRE_SIZE(struct nvsp_wire_vf_assoc, 12);

/* SWITCH_DATA_PATH (129), G->H. */
struct nvsp_wire_switch_dp {
	uint32_t msg_type;		/* 0: 129 */
	uint32_t active_datapath;	/* 4: NVSP_DATAPATH_* */
};
SN_WIRE_SIZE(struct nvsp_wire_switch_dp, 8);

/* OID_QUERY_EX (131): NDIS object header then the OID (OpenVMM). */
struct nvsp_wire_oid_query_ex {
	uint32_t msg_type;		/* 0: 131 */
	uint8_t hdr_type;		/* 4: NDIS object header type */
	uint8_t hdr_revision;		/* 5: NDIS object header revision */
	uint16_t hdr_size;		/* 6: NDIS object header size */
	uint32_t oid;			/* 8: OID queried */
};
SN_WIRE_SIZE(struct nvsp_wire_oid_query_ex, 12);
SN_WIRE_OFFSET(struct nvsp_wire_oid_query_ex, oid, 8);

/* OID_QUERY_EX_COMP (132). */
struct nvsp_wire_oid_query_ex_comp {
	uint32_t msg_type;		/* 0: 132 */
	uint32_t status;		/* 4: NDIS status */
	uint32_t bytes;			/* 8: bytes written or needed */
};
SN_WIRE_SIZE(struct nvsp_wire_oid_query_ex_comp, 12);

/*
 * SUBCHANNEL (133).  Request (G->H): op, num_subchannels.  Completion
 * (H->G, same type, in a completion packet): status, num_allocated.
 */
struct nvsp_wire_subchannel {
	uint32_t msg_type;		/* 0: 133 */
	uint32_t op_or_status;		/* 4: request op / completion status */
	uint32_t num_subchannels;	/* 8: requested / allocated */
};
SN_WIRE_SIZE(struct nvsp_wire_subchannel, 12);

/*
 * SEND_INDIRECTION_TABLE (134), H->G inband, v5+.  count u32 entries
 * (channel numbers) start at table_offset bytes from the start of the NVSP
 * message.  OpenVMM sends offset 12 (table right after this struct, 76
 * bytes in all); Windows hosts put the table after a full 40-byte message.
 * Linux at NVSP <= 6 ignores the offset and uses 40 whenever the message
 * is >= 104 bytes (a Windows host bug), so a sender using offset 12 must
 * not pad this message to 104 bytes or more.
 */
struct nvsp_wire_send_table {
	uint32_t msg_type;		/* 0: 134 */
	uint32_t count;			/* 4: entries (16) */
	uint32_t table_offset;		/* 8: from start of NVSP message */
};
SN_WIRE_SIZE(struct nvsp_wire_send_table, 12);
SN_WIRE_OFFSET(struct nvsp_wire_send_table, table_offset, 8);

/* Smallest table offset that does not overlap the fields above. */
#define NVSP_SEND_TABLE_OFFSET_MIN	12u
/* Offset OpenVMM uses (table right after the fixed fields). */
#define NVSP_SEND_TABLE_OFFSET_DEFAULT	12u

#endif /* NVSP_WIRE_H */
