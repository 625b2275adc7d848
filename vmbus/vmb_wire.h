/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_wire.h - VMBus ring buffer and channel packet wire layout.
 *
 * Sources: Linux include/linux/hyperv.h (struct hv_ring_buffer,
 * vmpacket_descriptor, vmtransfer_page_packet_header,
 * vmbus_channel_packet_page_buffer), DPDK drivers/bus/vmbus/
 * rte_vmbus_reg.h, OpenVMM vm/devices/vmbus/vmbus_ring.  See
 * wire-facts.md section 1.
 *
 * Everything is little-endian.  These structs document the layout and
 * carry the size/offset assertions; codecs read and write peer bytes with
 * sn_get_le* / sn_put_le*, never by dereferencing a cast pointer.  The one
 * exception is struct vmb_ring_ctl, whose 32-bit indices are accessed with
 * __atomic builtins (see vmb_ring.c).
 */
#ifndef VMB_WIRE_H
#define VMB_WIRE_H

#include <stdint.h>

#include "sn_wire.h"

/* VMBus page size: the ring control page and the data area granularity. */
#define VMB_PAGE_SIZE 4096u
#define VMB_PAGE_SHIFT 12

/*
 * Ring control page (one per direction), 4096 bytes, followed by the data
 * area.  Natural alignment, no packing needed.
 */
struct vmb_ring_ctl {
	/** 0: byte offset of the next write; written by the writer only. */
	uint32_t write_index;
	/** 4: byte offset of the next read; written by the reader only. */
	uint32_t read_index;
	/** 8: reader: 1 = do not signal me on empty -> non-empty. */
	uint32_t interrupt_mask;
	/** 12: writer: blocked, signal me when this many bytes are free. */
	uint32_t pending_send_sz;
	/** 16: reserved, zero. */
	uint32_t reserved1[12];
	/** 64: feature bits (VMB_RING_FEAT_*), set by the ring's owner. */
	uint32_t feature_bits;
	/** 68: rest of the page, reserved. */
	uint8_t reserved2[VMB_PAGE_SIZE - 68];
};
SN_WIRE_SIZE(struct vmb_ring_ctl, 4096);
SN_WIRE_OFFSET(struct vmb_ring_ctl, write_index, 0);
SN_WIRE_OFFSET(struct vmb_ring_ctl, read_index, 4);
SN_WIRE_OFFSET(struct vmb_ring_ctl, interrupt_mask, 8);
SN_WIRE_OFFSET(struct vmb_ring_ctl, pending_send_sz, 12);
SN_WIRE_OFFSET(struct vmb_ring_ctl, feature_bits, 64);

/* feature_bits: pending_send_sz flow control is honoured. */
#define VMB_RING_FEAT_PENDING_SEND_SZ 0x00000001u

/* Every packet in the data area is followed by this trailer. */
#define VMB_RING_TRAILER_SIZE 8u
/* Trailer value: ((uint64_t)packet start offset) << 32. */
#define VMB_RING_TRAILER_SHIFT 32

/*
 * Packet descriptor (struct vmpacket_descriptor), at the start of every
 * packet.  Lengths are in 8-byte units.
 */
struct vmb_pkt_desc {
	/** 0: packet type, VMB_PKT_*. */
	uint16_t type;
	/** 2: header length / 8: payload starts at offset8 * 8 (>= 2). */
	uint16_t offset8;
	/** 4: whole packet length / 8, trailer excluded (>= offset8). */
	uint16_t len8;
	/** 6: VMB_PKT_FLAG_*. */
	uint16_t flags;
	/** 8: transaction id, echoed by the completion. */
	uint64_t trans_id;
};
SN_WIRE_SIZE(struct vmb_pkt_desc, 16);
SN_WIRE_OFFSET(struct vmb_pkt_desc, offset8, 2);
SN_WIRE_OFFSET(struct vmb_pkt_desc, len8, 4);
SN_WIRE_OFFSET(struct vmb_pkt_desc, flags, 6);
SN_WIRE_OFFSET(struct vmb_pkt_desc, trans_id, 8);

#define VMB_PKT_DESC_SIZE 16u
/* Smallest legal offset8: the descriptor alone. */
#define VMB_PKT_MIN_OFFSET8 2u

/* Packet types (enum vmbus_packet_type). */
#define VMB_PKT_SYNCH 0x1
#define VMB_PKT_ADD_XFER_PAGESET 0x2
#define VMB_PKT_RM_XFER_PAGESET 0x3
#define VMB_PKT_ESTABLISH_GPADL 0x4
#define VMB_PKT_TEARDOWN_GPADL 0x5
#define VMB_PKT_DATA_INBAND 0x6
#define VMB_PKT_DATA_USING_XFER_PAGES 0x7
#define VMB_PKT_DATA_USING_GPADL 0x8
#define VMB_PKT_DATA_USING_GPA_DIRECT 0x9
#define VMB_PKT_CANCEL_REQUEST 0xa
#define VMB_PKT_COMP 0xb
#define VMB_PKT_DATA_USING_ADDITIONAL_PKT 0xc
#define VMB_PKT_ADDITIONAL_DATA 0xd
/* Lowest and highest defined type. */
#define VMB_PKT_TYPE_MIN VMB_PKT_SYNCH
#define VMB_PKT_TYPE_MAX VMB_PKT_ADDITIONAL_DATA

/* Descriptor flags: the only defined bit. */
#define VMB_PKT_FLAG_COMPLETION_REQUESTED 0x0001u
#define VMB_PKT_FLAGS_VALID VMB_PKT_FLAG_COMPLETION_REQUESTED

/* True when type is one of the defined packet types 1..0xd. */
static inline int
vmb_pkt_type_known(uint16_t type)
{
	return type >= VMB_PKT_TYPE_MIN && type <= VMB_PKT_TYPE_MAX;
}

/*
 * Transfer-page packet (type 7) header, following the descriptor
 * (struct vmtransfer_page_packet_header minus its descriptor).
 * range_cnt ranges follow at packet offset 24; offset8 = 3 + range_cnt.
 */
struct vmb_xfer_page_hdr {
	/** 0 (packet 16): transfer page set id (0xCAFE = netvsc RX buffer). */
	uint16_t xfer_pageset_id;
	/** 2 (packet 18): sender owns the set (unused by netvsc). */
	uint8_t sender_owns_set;
	/** 3 (packet 19): reserved, may hold garbage. */
	uint8_t reserved;
	/** 4 (packet 20): number of vmb_xfer_range entries that follow. */
	uint32_t range_cnt;
};
SN_WIRE_SIZE(struct vmb_xfer_page_hdr, 8);
SN_WIRE_OFFSET(struct vmb_xfer_page_hdr, sender_owns_set, 2);
SN_WIRE_OFFSET(struct vmb_xfer_page_hdr, range_cnt, 4);

/* One transfer-page range (struct vmtransfer_page_range). */
struct vmb_xfer_range {
	/** 0: bytes in this range. */
	uint32_t byte_count;
	/** 4: offset from the start of the transfer page set. */
	uint32_t byte_offset;
};
SN_WIRE_SIZE(struct vmb_xfer_range, 8);
SN_WIRE_OFFSET(struct vmb_xfer_range, byte_offset, 4);

/* Packet offset of the first transfer-page range. */
#define VMB_XFER_RANGES_OFF \
	(VMB_PKT_DESC_SIZE + sizeof(struct vmb_xfer_page_hdr))
/* Header length of a transfer-page packet with n ranges. */
#define VMB_XFER_HDR_LEN(n) \
	(VMB_XFER_RANGES_OFF + (size_t)(n) * sizeof(struct vmb_xfer_range))

/*
 * GPA-direct packet (type 9) header, following the descriptor.  Ranges
 * follow at packet offset 24, each a vmb_gpa_range_hdr then
 * ceil((byte_offset + byte_count) / 4096) little-endian u64 PFNs.
 */
struct vmb_gpa_direct_hdr {
	/** 0 (packet 16): reserved, may hold garbage. */
	uint32_t reserved;
	/** 4 (packet 20): number of ranges that follow. */
	uint32_t range_cnt;
};
SN_WIRE_SIZE(struct vmb_gpa_direct_hdr, 8);
SN_WIRE_OFFSET(struct vmb_gpa_direct_hdr, range_cnt, 4);

/* Head of one GPA range (struct gpa_range / hv_mpb_array). */
struct vmb_gpa_range_hdr {
	/** 0: bytes described by this range (> 0). */
	uint32_t byte_count;
	/** 4: offset into the first page (< 4096). */
	uint32_t byte_offset;
	/* 8: uint64_t pfn[] follows. */
};
SN_WIRE_SIZE(struct vmb_gpa_range_hdr, 8);
SN_WIRE_OFFSET(struct vmb_gpa_range_hdr, byte_offset, 4);

/* Packet offset of the first GPA range. */
#define VMB_GPA_RANGES_OFF \
	(VMB_PKT_DESC_SIZE + sizeof(struct vmb_gpa_direct_hdr))

#endif /* VMB_WIRE_H */
