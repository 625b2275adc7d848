/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp.h - NVSP message codec: decode a peer's NVSP message into a host-order
 * struct, encode a struct into wire bytes.  Pure: no I/O, no allocation, no
 * global mutable state.  Wire layouts and constants are in nvsp_wire.h.
 *
 * Error convention: 0 or a positive length on success, otherwise -errno:
 *   -EINVAL   bad argument (NULL pointer, value the encoder cannot express)
 *   -EMSGSIZE buffer shorter than the fixed fields of the message type, or
 *             encode output buffer too small
 *   -EBADMSG  the message's own counts/offsets are inconsistent with its
 *             length or exceed the protocol caps
 *   -ENOTSUP  message type this codec does not know
 *   -ERANGE   encode: a count above its protocol cap
 */
#ifndef NVSP_H
#define NVSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvsp_wire.h"

/*
 * Most receive-buffer sections a decoded SEND_RECV_BUF_COMPLETE may carry.
 * Hosts send exactly one (Linux rejects anything else); the protocol
 * describes at most a large and a small section.
 */
#define NVSP_RBUF_SECTIONS_MAX	2u

/* One receive-buffer section, host order. */
struct nvsp_rbuf_section {
	uint32_t offset;		/* section start in the receive buffer */
	uint32_t sub_alloc_size;	/* slot size in bytes */
	uint32_t num_sub_allocs;	/* number of slots */
	uint32_t end_offset;		/* section end in the receive buffer */
};

/* INIT (1). */
struct nvsp_init {
	uint32_t min_ver;		/* lowest NVSP version accepted */
	uint32_t max_ver;		/* highest NVSP version accepted */
};

/* INIT_COMPLETE (2). */
struct nvsp_init_comp {
	uint32_t negotiated_ver;	/* deprecated field, informational */
	uint32_t max_mdl_chain_len;	/* max MDL chain length */
	uint32_t status;		/* NVSP_STAT_* */
};

/* SEND_NDIS_VER (100). */
struct nvsp_ndis_ver {
	uint32_t major;			/* NDIS major version */
	uint32_t minor;			/* NDIS minor version */
};

/* SEND_RECV_BUF (101) and SEND_SEND_BUF (104). */
struct nvsp_send_buf {
	uint32_t gpadl;			/* GPADL handle of the buffer */
	uint16_t id;			/* buffer id */
};

/* SEND_RECV_BUF_COMPLETE (102). */
struct nvsp_recv_buf_comp {
	uint32_t status;		/* NVSP_STAT_* */
	uint32_t num_sections;		/* valid entries in sections[] */
	/* Sections copied out of the message (no pointer into it). */
	struct nvsp_rbuf_section sections[NVSP_RBUF_SECTIONS_MAX];
};

/* REVOKE_RECV_BUF (103) and REVOKE_SEND_BUF (106). */
struct nvsp_revoke_buf {
	uint16_t id;			/* buffer id being revoked */
};

/* SEND_SEND_BUF_COMPLETE (105). */
struct nvsp_send_buf_comp {
	uint32_t status;		/* NVSP_STAT_* */
	uint32_t section_size;		/* send-buffer section size */
};

/* SEND_RNDIS_PKT (107). */
struct nvsp_rndis_pkt {
	uint32_t channel_type;		/* NVSP_CHANNEL_TYPE_* */
	uint32_t section_index;		/* section or NVSP_SECTION_INDEX_NONE */
	uint32_t section_size;		/* bytes used in the section */
};

/* SEND_RNDIS_PKT_COMPLETE (108). */
struct nvsp_rndis_pkt_comp {
	uint32_t status;		/* NVSP_STAT_* */
};

/* SEND_NDIS_CONFIG (125). */
struct nvsp_ndis_config {
	uint32_t mtu;			/* frame size: guest MTU + 14 */
	uint64_t capabilities;		/* NVSP_NDIS_CAP_* bits */
};

/* SEND_VF_ASSOCIATION (128). */
struct nvsp_vf_assoc {
	uint32_t allocated;		/* 1 = VF present */
	uint32_t serial;		/* VF serial number */
};

/* SWITCH_DATA_PATH (129). */
struct nvsp_switch_dp {
	uint32_t active_datapath;	/* NVSP_DATAPATH_* */
};

/* OID_QUERY_EX (131). */
struct nvsp_oid_query_ex {
	uint8_t hdr_type;		/* NDIS object header type */
	uint8_t hdr_revision;		/* NDIS object header revision */
	uint16_t hdr_size;		/* NDIS object header size */
	uint32_t oid;			/* OID queried */
};

/* OID_QUERY_EX_COMP (132). */
struct nvsp_oid_query_ex_comp {
	uint32_t status;		/* NDIS status */
	uint32_t bytes;			/* bytes written or needed */
};

/*
 * SUBCHANNEL (133) has two shapes with one type and one layout: the
 * request (G->H) and its completion (H->G).  struct nvsp_msg holds both
 * as union members with the same layout (two uint32_t), so C11's common
 * initial sequence rule lets the caller read whichever view fits the
 * direction: a host reads .subchan_req, a guest .subchan_comp.  The
 * encoder writes the same bytes from either view.
 */
struct nvsp_subchan_req {
	uint32_t op;			/* NVSP_SUBCHANNEL_OP_* */
	uint32_t num_subchannels;	/* subchannels requested */
};

struct nvsp_subchan_comp {
	uint32_t status;		/* NVSP_STAT_* */
	uint32_t num_allocated;		/* subchannels actually allocated */
};

/* SEND_INDIRECTION_TABLE (134). */
struct nvsp_send_table {
	uint32_t count;			/* valid entries in entries[] */
	/*
	 * Table offset from the start of the NVSP message.  Decode: as
	 * received.  Encode: 0 selects NVSP_SEND_TABLE_OFFSET_DEFAULT.
	 */
	uint32_t offset;
	/* Entries (channel numbers) copied out of the message. */
	uint32_t entries[NVSP_SEND_TABLE_SIZE];
};

/* A decoded NVSP message, host order.  The member used follows type. */
struct nvsp_msg {
	uint32_t type;			/* NVSP_MSG*_TYPE_* */
	union {
		struct nvsp_init init;			/* 1 */
		struct nvsp_init_comp init_comp;	/* 2 */
		struct nvsp_ndis_ver ndis_ver;		/* 100 */
		struct nvsp_send_buf recv_buf;		/* 101 */
		struct nvsp_recv_buf_comp recv_buf_comp; /* 102 */
		struct nvsp_revoke_buf revoke_recv_buf;	/* 103 */
		struct nvsp_send_buf send_buf;		/* 104 */
		struct nvsp_send_buf_comp send_buf_comp; /* 105 */
		struct nvsp_revoke_buf revoke_send_buf;	/* 106 */
		struct nvsp_rndis_pkt rndis_pkt;	/* 107 */
		struct nvsp_rndis_pkt_comp rndis_pkt_comp; /* 108 */
		struct nvsp_ndis_config ndis_config;	/* 125 */
		struct nvsp_vf_assoc vf_assoc;		/* 128 */
		struct nvsp_switch_dp switch_dp;	/* 129 */
		struct nvsp_oid_query_ex oid_query_ex;	/* 131 */
		struct nvsp_oid_query_ex_comp oid_query_ex_comp; /* 132 */
		struct nvsp_subchan_req subchan_req;	/* 133, request */
		struct nvsp_subchan_comp subchan_comp;	/* 133, completion */
		struct nvsp_send_table send_table;	/* 134 */
	};
};

/* --- versions --- */

/* True if v is one of the six NVSP versions (V1, V2, V4, V5, V6, V61). */
bool
nvsp_version_supported(uint32_t v);

/*
 * Short name of a known version ("1", "2", "4", "5", "6", "6.1"), or
 * "unknown".  Returns a static string.
 */
const char *
nvsp_version_name(uint32_t v);

/*
 * Write "major.minor" (e.g. "6.1", "0.2" for V1) of any version value into
 * buf (cap bytes, NUL-terminated).  Returns the length written, -EINVAL if
 * buf is NULL, -EMSGSIZE if it does not fit (buf then holds a truncated,
 * terminated string when cap > 0).
 */
int
nvsp_version_format(uint32_t v, char *buf, size_t cap);

/*
 * Size a sender pads messages to under version v: NVSP_MSG_SIZE_V61 from
 * v6.1 on, NVSP_MSG_SIZE_V1 below.  Use as nvsp_encode()'s min_size.
 */
size_t
nvsp_msg_size(uint32_t v);

/* --- names --- */

/* Name of a message type ("INIT", "SEND_RNDIS_PKT", ...) or "unknown". */
const char *
nvsp_msg_type_name(uint32_t type);

/* Name of an NVSP status ("SUCCESS", "FAIL", ...) or "unknown". */
const char *
nvsp_status_name(uint32_t status);

/* --- codec --- */

/*
 * Read the message type (u32 at offset 0).  Borrows buf for the call.
 * Returns 0, -EINVAL on NULL arguments, -EMSGSIZE if len < 4.
 */
int
nvsp_msg_type(const void *buf, size_t len, uint32_t *type);

/*
 * Minimum length nvsp_decode() needs for a message of this type (header
 * plus the fixed fields it reads; variable parts not counted), or 0 if the
 * type is unknown.
 */
size_t
nvsp_min_len(uint32_t type);

/*
 * Decode the NVSP message in buf[0, len) into *out (host order).  buf is
 * borrowed for the call only: every field, array elements included, is
 * copied into *out, which holds no pointer into buf.  Extra trailing bytes
 * (padding to 28/40) are ignored.
 *
 * SEND_RECV_BUF_COMPLETE: num_sections > NVSP_RBUF_SECTIONS_MAX, or
 * sections extending past len, give -EBADMSG.
 * SEND_INDIRECTION_TABLE: count > NVSP_SEND_TABLE_SIZE, offset below
 * NVSP_SEND_TABLE_OFFSET_MIN, or a table extending past len give -EBADMSG.
 * SUBCHANNEL: see struct nvsp_subchan_req.
 *
 * Returns 0, -EINVAL (NULL argument), -EMSGSIZE (len below
 * nvsp_min_len(type), or below 4), -ENOTSUP (unknown type), -EBADMSG.
 * On any error after the argument check, *out is all zero.
 */
int
nvsp_decode(const void *buf, size_t len, struct nvsp_msg *out);

/*
 * Encode *m into buf (cap bytes): the message's natural length (fixed
 * fields, plus sections or table for the variable types), zero-padded up to
 * min_size.  Pass nvsp_msg_size(version) as min_size to match what real
 * senders put on the wire, or 0 for the bare message (e.g. the 8-byte RX
 * completion Linux sends).  Reserved fields are written as zero.  m and
 * buf are borrowed for the call.
 *
 * SEND_INDIRECTION_TABLE: the table goes at m->send_table.offset (0 =
 * NVSP_SEND_TABLE_OFFSET_DEFAULT), the gap before it zero-filled.
 *
 * Host senders: Linux netvsc_send_completion() checks completion lengths
 * with fall-through cases, so it drops an INIT_COMPLETE or
 * SEND_RECV_BUF_COMPLETE shorter than 28 bytes.  Always pass a min_size of
 * at least NVSP_MSG_SIZE_V1 for host-to-guest messages.
 *
 * Returns the number of bytes written, -EINVAL (NULL argument, table
 * offset below the minimum), -ERANGE (num_sections or count above its
 * cap), -ENOTSUP (unknown type), -EMSGSIZE (cap too small).
 */
int
nvsp_encode(const struct nvsp_msg *m, void *buf, size_t cap, size_t min_size);

/* --- accessors --- */

/*
 * Section i of a decoded SEND_RECV_BUF_COMPLETE, or NULL if m is not one
 * or i >= num_sections.  Returns a pointer into *m.
 */
const struct nvsp_rbuf_section *
nvsp_rbuf_section(const struct nvsp_msg *m, uint32_t i);

/*
 * Entry i of a decoded SEND_INDIRECTION_TABLE into *entry.  Returns 0,
 * -EINVAL if m or entry is NULL or m is not that type, -ERANGE if
 * i >= count.
 */
int
nvsp_send_table_entry(const struct nvsp_msg *m, uint32_t i, uint32_t *entry);

#endif /* NVSP_H */
