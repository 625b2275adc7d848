/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_chanmsg_wire.h - VMBus channel management messages, wire layout.
 *
 * Channel management messages travel as SynIC message payloads (at most
 * VMB_MSG_MAX_SIZE bytes), not through the channel rings.  Every message
 * starts with vmb_msg_hdr.  All fields are little-endian.
 *
 * Layouts follow Linux include/linux/hyperv.h (vmbus_channel_* structs);
 * sizes and offsets are asserted below.  Sizes include the 8-byte header
 * (Linux's own sizeof() values).  OpenVMM vm/devices/vmbus/vmbus_core/src/
 * protocol.rs names the same structs without the header (e.g. its
 * OfferChannel is 188 bytes = vmb_msg_offer_channel minus the header).
 *
 * These structs document the layout and provide offsets (offsetof) for the
 * codec; the codec never casts a peer buffer to them.  Bit fields on the wire
 * are expressed as masks.
 */
#ifndef VMB_CHANMSG_WIRE_H
#define VMB_CHANMSG_WIRE_H

#include <stdint.h>

#include "sn_wire.h"

/* Largest SynIC message payload (Linux HV_MESSAGE_PAYLOAD_BYTE_COUNT). */
#define VMB_MSG_MAX_SIZE 240

/* GUIDs are 16 bytes in Windows (mixed-endian) wire order. */
#define VMB_MSG_GUID_SIZE 16

/*
 * Message types (Linux enum vmbus_channel_message_type).  1..17 are the
 * types this codec decodes.  18..24 are named for logs only (Linux calls
 * 18..20 CHANNELMSG_18..20; the names used here are OpenVMM's).
 * X(name, value)
 */
#define VMB_MSG_TYPES(X) \
	X(INVALID, 0) \
	X(OFFERCHANNEL, 1) \
	X(RESCIND_CHANNELOFFER, 2) \
	X(REQUESTOFFERS, 3) \
	X(ALLOFFERS_DELIVERED, 4) \
	X(OPENCHANNEL, 5) \
	X(OPENCHANNEL_RESULT, 6) \
	X(CLOSECHANNEL, 7) \
	X(GPADL_HEADER, 8) \
	X(GPADL_BODY, 9) \
	X(GPADL_CREATED, 10) \
	X(GPADL_TEARDOWN, 11) \
	X(GPADL_TORNDOWN, 12) \
	X(RELID_RELEASED, 13) \
	X(INITIATE_CONTACT, 14) \
	X(VERSION_RESPONSE, 15) \
	X(UNLOAD, 16) \
	X(UNLOAD_RESPONSE, 17) \
	X(OPEN_RESERVED_CHANNEL, 18) \
	X(CLOSE_RESERVED_CHANNEL, 19) \
	X(CLOSE_RESERVED_RESPONSE, 20) \
	X(TL_CONNECT_REQUEST, 21) \
	X(MODIFYCHANNEL, 22) \
	X(TL_CONNECT_RESULT, 23) \
	X(MODIFYCHANNEL_RESPONSE, 24)

enum vmb_msg_type {
#define VMB_MSG_TYPE_ENUM_(name, val) VMB_MSG_##name = (val),
	VMB_MSG_TYPES(VMB_MSG_TYPE_ENUM_)
#undef VMB_MSG_TYPE_ENUM_
	VMB_MSG_TYPE_COUNT	/* one past the highest named type */
};

/* Highest message type the codec decodes/encodes. */
#define VMB_MSG_TYPE_MAX_SUPPORTED VMB_MSG_UNLOAD_RESPONSE

/*
 * VMBus protocol versions, u32 = major << 16 | minor (Linux hyperv.h
 * VERSION_*).  Linux no longer negotiates WS2008/WIN7.  Linux names 5.3
 * VERSION_WIN_IRON too and 6.0 VERSION_WIN10_V6_0 / VERSION_WIN_COPPER.
 */
#define VMB_MSG_MAKE_VERSION(maj, min) \
	((((uint32_t)(maj)) << 16) | (uint32_t)(min))
#define VMB_MSG_VERSION_MAJOR(v) ((uint16_t)((v) >> 16))
#define VMB_MSG_VERSION_MINOR(v) ((uint16_t)((v) & 0xffff))
#define VMB_MSG_VERSION_WS2008		VMB_MSG_MAKE_VERSION(0, 13)
#define VMB_MSG_VERSION_WIN7		VMB_MSG_MAKE_VERSION(1, 1)
#define VMB_MSG_VERSION_WIN8		VMB_MSG_MAKE_VERSION(2, 4)
#define VMB_MSG_VERSION_WIN8_1		VMB_MSG_MAKE_VERSION(3, 0)
#define VMB_MSG_VERSION_WIN10		VMB_MSG_MAKE_VERSION(4, 0)
#define VMB_MSG_VERSION_WIN10_V4_1	VMB_MSG_MAKE_VERSION(4, 1)
#define VMB_MSG_VERSION_WIN10_V5	VMB_MSG_MAKE_VERSION(5, 0)
#define VMB_MSG_VERSION_WIN10_V5_1	VMB_MSG_MAKE_VERSION(5, 1)
#define VMB_MSG_VERSION_WIN10_V5_2	VMB_MSG_MAKE_VERSION(5, 2)
#define VMB_MSG_VERSION_WIN10_V5_3	VMB_MSG_MAKE_VERSION(5, 3)
#define VMB_MSG_VERSION_WIN10_V6_0	VMB_MSG_MAKE_VERSION(6, 0)

/*
 * SynIC plumbing constants (Linux drivers/hv/hyperv_vmbus.h).  From 5.0 on,
 * INITIATE_CONTACT goes to connection id 4 and later messages to the
 * msg_conn_id of VERSION_RESPONSE; before 5.0 everything uses id 1.
 */
#define VMB_MSG_CONNECTION_ID		1
#define VMB_MSG_CONNECTION_ID_4		4
#define VMB_MSG_SINT			2

/* Common header of every channel message (vmbus_channel_message_header). */
struct vmb_msg_hdr {
	uint32_t msgtype;	/* 0: enum vmb_msg_type */
	uint32_t padding;	/* 4: 0 */
};
SN_WIRE_SIZE(struct vmb_msg_hdr, 8);

/* ---- OFFERCHANNEL (H->G) ---- */

/* chn_flags (Linux "Server Flags"; 0x2/0x4 were TRANSFER_PAGES/GPADLS). */
#define VMB_MSG_OFFER_F_ENUMERATE_DEVICE_INTERFACE	0x0001
#define VMB_MSG_OFFER_F_CONFIDENTIAL_RING_BUFFER	0x0002
#define VMB_MSG_OFFER_F_CONFIDENTIAL_EXTERNAL_MEMORY	0x0004
#define VMB_MSG_OFFER_F_NAMED_PIPE_MODE			0x0010
#define VMB_MSG_OFFER_F_LOOPBACK			0x0100
#define VMB_MSG_OFFER_F_PARENT				0x0200
#define VMB_MSG_OFFER_F_REQUEST_MONITORED_NOTIFICATION	0x0400
#define VMB_MSG_OFFER_F_TLNPI_PROVIDER			0x2000

/* user_def: 120 bytes; pipe offers put a u32 pipe_mode in bytes 0..3. */
#define VMB_MSG_USER_DEFINED_BYTES	120
#define VMB_MSG_PIPE_USER_DEFINED_BYTES	116
#define VMB_MSG_PIPE_TYPE_BYTE		0x00000000
#define VMB_MSG_PIPE_TYPE_MESSAGE	0x00000004

/* monitor_flags byte: bit 0 monitor_allocated, bits 1..7 reserved. */
#define VMB_MSG_OFFER_MONITOR_ALLOCATED		0x01
/* interrupt_flags u16: bit 0 is_dedicated_interrupt, 1..15 reserved. */
#define VMB_MSG_OFFER_DEDICATED_INTERRUPT	0x0001

/* The offer proper (vmbus_channel_offer). */
struct vmb_msg_offer {
	uint8_t if_type[16];	/* 0: interface type GUID (wire order) */
	uint8_t if_instance[16];	/* 16: instance GUID (wire order) */
	uint64_t reserved1;	/* 32: unused */
	uint64_t reserved2;	/* 40: unused */
	uint16_t chn_flags;	/* 48: VMB_MSG_OFFER_F_* */
	uint16_t mmio_megabytes;	/* 50: MMIO space, MiB */
	uint8_t user_def[VMB_MSG_USER_DEFINED_BYTES];	/* 52: dev data */
	uint16_t sub_channel_index;	/* 172: 0 primary, 1..n subchannel */
	uint16_t reserved3;	/* 174: OpenVMM: mmio_megabytes_optional */
};
SN_WIRE_SIZE(struct vmb_msg_offer, 176);
SN_WIRE_OFFSET(struct vmb_msg_offer, chn_flags, 48);
SN_WIRE_OFFSET(struct vmb_msg_offer, user_def, 52);
SN_WIRE_OFFSET(struct vmb_msg_offer, sub_channel_index, 172);

/* vmbus_channel_offer_channel: packed, 196 bytes (188 without header). */
struct vmb_msg_offer_channel {
	struct vmb_msg_hdr hdr;	/* 0: type 1 */
	struct vmb_msg_offer offer;	/* 8: see above */
	uint32_t child_relid;	/* 184: channel id */
	uint8_t monitorid;	/* 188: monitor page bit index */
	uint8_t monitor_flags;	/* 189: VMB_MSG_OFFER_MONITOR_ALLOCATED */
	uint16_t interrupt_flags;	/* 190: VMB_MSG_OFFER_DEDICATED_* */
	uint32_t connection_id;	/* 192: id the guest signals (win7+) */
} __attribute__((packed));
SN_WIRE_SIZE(struct vmb_msg_offer_channel, 196);
SN_WIRE_OFFSET(struct vmb_msg_offer_channel, offer, 8);
SN_WIRE_OFFSET(struct vmb_msg_offer_channel, child_relid, 184);
SN_WIRE_OFFSET(struct vmb_msg_offer_channel, monitorid, 188);
SN_WIRE_OFFSET(struct vmb_msg_offer_channel, monitor_flags, 189);
SN_WIRE_OFFSET(struct vmb_msg_offer_channel, interrupt_flags, 190);
SN_WIRE_OFFSET(struct vmb_msg_offer_channel, connection_id, 192);

/* ---- Messages carrying only a relid ---- */

/* RESCIND_CHANNELOFFER (H->G): vmbus_channel_rescind_offer. */
struct vmb_msg_rescind_offer {
	struct vmb_msg_hdr hdr;	/* 0: type 2 */
	uint32_t child_relid;	/* 8: channel being rescinded */
};
SN_WIRE_SIZE(struct vmb_msg_rescind_offer, 12);

/* CLOSECHANNEL (G->H): vmbus_channel_close_channel. */
struct vmb_msg_close_channel {
	struct vmb_msg_hdr hdr;	/* 0: type 7 */
	uint32_t child_relid;	/* 8: channel to close */
};
SN_WIRE_SIZE(struct vmb_msg_close_channel, 12);

/* RELID_RELEASED (G->H): vmbus_channel_relid_released. */
struct vmb_msg_relid_released {
	struct vmb_msg_hdr hdr;	/* 0: type 13 */
	uint32_t child_relid;	/* 8: relid the guest no longer uses */
};
SN_WIRE_SIZE(struct vmb_msg_relid_released, 12);

/* ---- OPENCHANNEL (G->H) / OPENCHANNEL_RESULT (H->G) ---- */

/*
 * vmbus_channel_open_channel.  The ring GPADL's pages
 * [0, downstream_ringbuffer_pageoffset) are the G->H ring, the rest the
 * H->G ring.  OpenVMM's OpenChannel2 (6.0 feature flags) appends
 * u32 connection_id, u16 event_flag, u16 flags: a decoder exposes them as
 * trailing bytes.
 */
struct vmb_msg_open_channel {
	struct vmb_msg_hdr hdr;	/* 0: type 5 */
	uint32_t child_relid;	/* 8: channel to open */
	uint32_t openid;	/* 12: echoed by the result (Linux: relid) */
	uint32_t ringbuffer_gpadlhandle;	/* 16: GPADL of both rings */
	uint32_t target_vp;	/* 20: VP for H->G interrupts */
	uint32_t downstream_ringbuffer_pageoffset;	/* 24: H->G ring */
	uint8_t userdata[VMB_MSG_USER_DEFINED_BYTES];	/* 28: to VSP */
};
SN_WIRE_SIZE(struct vmb_msg_open_channel, 148);
SN_WIRE_OFFSET(struct vmb_msg_open_channel, downstream_ringbuffer_pageoffset,
	       24);
SN_WIRE_OFFSET(struct vmb_msg_open_channel, userdata, 28);

/* vmbus_channel_open_result. */
struct vmb_msg_open_result {
	struct vmb_msg_hdr hdr;	/* 0: type 6 */
	uint32_t child_relid;	/* 8: channel */
	uint32_t openid;	/* 12: from OPENCHANNEL */
	uint32_t status;	/* 16: 0 = success */
};
SN_WIRE_SIZE(struct vmb_msg_open_result, 20);

/* ---- GPADLs ---- */

/* GPADL page size (Hyper-V pages are always 4 KiB). */
#define VMB_GPADL_PAGE_SHIFT	12
#define VMB_GPADL_PAGE_SIZE	(1u << VMB_GPADL_PAGE_SHIFT)

/*
 * One range inside the GPADL range buffer (Linux struct gpa_range):
 * {u32 byte_count; u32 byte_offset; u64 pfn[ceil((byte_offset +
 * byte_count) / 4096)]}.  The range buffer is range_buflen bytes of u64
 * words holding rangecount such ranges back to back; it starts in
 * GPADL_HEADER and continues in GPADL_BODY messages.
 */
struct vmb_msg_gpa_range {
	uint32_t byte_count;	/* 0: bytes described */
	uint32_t byte_offset;	/* 4: data offset in the first page */
};
SN_WIRE_SIZE(struct vmb_msg_gpa_range, 8);

/* GPADL_HEADER (G->H): vmbus_channel_gpadl_header; ranges follow. */
struct vmb_msg_gpadl_header {
	struct vmb_msg_hdr hdr;	/* 0: type 8 */
	uint32_t child_relid;	/* 8: owning channel */
	uint32_t gpadl;	/* 12: guest-chosen handle */
	uint16_t range_buflen;	/* 16: bytes of the WHOLE range buffer */
	uint16_t rangecount;	/* 18: ranges in it */
};
SN_WIRE_SIZE(struct vmb_msg_gpadl_header, 20);
SN_WIRE_OFFSET(struct vmb_msg_gpadl_header, gpadl, 12);
SN_WIRE_OFFSET(struct vmb_msg_gpadl_header, range_buflen, 16);
SN_WIRE_OFFSET(struct vmb_msg_gpadl_header, rangecount, 18);

/*
 * GPADL_BODY (G->H): vmbus_channel_gpadl_body; u64 words follow, the
 * continuation of the range buffer.  Linux and FreeBSD leave msgnumber 0
 * (never set); OpenVMM calls the field reserved.
 */
struct vmb_msg_gpadl_body {
	struct vmb_msg_hdr hdr;	/* 0: type 9 */
	uint32_t msgnumber;	/* 8: sequence number, 0 in practice */
	uint32_t gpadl;	/* 12: handle from GPADL_HEADER */
};
SN_WIRE_SIZE(struct vmb_msg_gpadl_body, 16);

/*
 * Split used by Linux create_gpadl_header(): (240 - 20 - 8) / 8 = 26 PFNs
 * in the header (one range), (240 - 16) / 8 = 28 in each body.
 */
#define VMB_GPADL_HEADER_MAX_PFNS \
	((VMB_MSG_MAX_SIZE - sizeof(struct vmb_msg_gpadl_header) - \
	  sizeof(struct vmb_msg_gpa_range)) / sizeof(uint64_t))
#define VMB_GPADL_BODY_MAX_PFNS \
	((VMB_MSG_MAX_SIZE - sizeof(struct vmb_msg_gpadl_body)) / \
	 sizeof(uint64_t))
SN_STATIC_ASSERT(VMB_GPADL_HEADER_MAX_PFNS == 26, "26 PFNs in a header");
SN_STATIC_ASSERT(VMB_GPADL_BODY_MAX_PFNS == 28, "28 PFNs in a body");

/* GPADL_CREATED (H->G): vmbus_channel_gpadl_created. */
struct vmb_msg_gpadl_created {
	struct vmb_msg_hdr hdr;	/* 0: type 10 */
	uint32_t child_relid;	/* 8: owning channel */
	uint32_t gpadl;	/* 12: handle */
	uint32_t creation_status;	/* 16: 0 = ok (NTSTATUS otherwise) */
};
SN_WIRE_SIZE(struct vmb_msg_gpadl_created, 20);

/* GPADL_TEARDOWN (G->H): vmbus_channel_gpadl_teardown. */
struct vmb_msg_gpadl_teardown {
	struct vmb_msg_hdr hdr;	/* 0: type 11 */
	uint32_t child_relid;	/* 8: owning channel */
	uint32_t gpadl;	/* 12: handle */
};
SN_WIRE_SIZE(struct vmb_msg_gpadl_teardown, 16);

/* GPADL_TORNDOWN (H->G): vmbus_channel_gpadl_torndown. */
struct vmb_msg_gpadl_torndown {
	struct vmb_msg_hdr hdr;	/* 0: type 12 */
	uint32_t gpadl;	/* 8: handle */
};
SN_WIRE_SIZE(struct vmb_msg_gpadl_torndown, 12);

/* ---- Connection setup ---- */

/*
 * interrupt_page union of INITIATE_CONTACT, read as a LE u64.  Before 5.0:
 * GPA of the interrupt page.  From 5.0: target info, byte 0 msg_sint,
 * byte 1 msg_vtl, bytes 2..3 reserved, bytes 4..7 feature_flags (6.0).
 */
#define VMB_MSG_TI_SINT_MASK		0x00000000000000ffull
#define VMB_MSG_TI_SINT_SHIFT		0
#define VMB_MSG_TI_VTL_MASK		0x000000000000ff00ull
#define VMB_MSG_TI_VTL_SHIFT		8
#define VMB_MSG_TI_FEATURES_MASK	0xffffffff00000000ull
#define VMB_MSG_TI_FEATURES_SHIFT	32
/* feature_flags bits (Linux VMBUS_FEATURE_FLAG_*, OpenVMM FeatureFlags). */
#define VMB_MSG_FEATURE_CONFIDENTIAL_CHANNELS	0x10

/* INITIATE_CONTACT (G->H): vmbus_channel_initiate_contact. */
struct vmb_msg_initiate_contact {
	struct vmb_msg_hdr hdr;	/* 0: type 14 */
	uint32_t vmbus_version_requested;	/* 8: VMB_MSG_VERSION_* */
	uint32_t target_vcpu;	/* 12: VP the host answers on */
	uint64_t interrupt_page;	/* 16: GPA or target info, see above */
	uint64_t monitor_page1;	/* 24: GPA, parent->child monitor page */
	uint64_t monitor_page2;	/* 32: GPA, child->parent monitor page */
};
SN_WIRE_SIZE(struct vmb_msg_initiate_contact, 40);
SN_WIRE_OFFSET(struct vmb_msg_initiate_contact, interrupt_page, 16);
SN_WIRE_OFFSET(struct vmb_msg_initiate_contact, monitor_page2, 32);

/* connection_state of VERSION_RESPONSE (OpenVMM ConnectionState). */
#define VMB_MSG_CONN_STATE_SUCCESSFUL		0
#define VMB_MSG_CONN_STATE_FAILED_LOW_RESOURCES	1
#define VMB_MSG_CONN_STATE_FAILED_UNKNOWN	2

/*
 * VERSION_RESPONSE (H->G): vmbus_channel_version_response.  OpenVMM's
 * VersionResponse2 (6.0) appends u32 supported_features: trailing bytes.
 */
struct vmb_msg_version_response {
	struct vmb_msg_hdr hdr;	/* 0: type 15 */
	uint8_t version_supported;	/* 8: 1 = version accepted */
	uint8_t connection_state;	/* 9: VMB_MSG_CONN_STATE_* */
	uint16_t padding;	/* 10: 0 */
	uint32_t msg_conn_id;	/* 12: connection id for later messages */
};
SN_WIRE_SIZE(struct vmb_msg_version_response, 16);
SN_WIRE_OFFSET(struct vmb_msg_version_response, msg_conn_id, 12);

/*
 * REQUESTOFFERS, ALLOFFERS_DELIVERED, UNLOAD, UNLOAD_RESPONSE: header
 * only (struct vmb_msg_hdr, 8 bytes).
 */

#endif /* VMB_CHANMSG_WIRE_H */
