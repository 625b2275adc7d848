/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_chanmsg.h - VMBus channel management messages: decode, encode,
 * GPADL split/reassembly, GUID text helpers.
 *
 * Pure codec: no I/O, no allocation, no global mutable state.  Wire layout
 * in vmb_chanmsg_wire.h.  Every function returns 0 / a positive length or
 * -errno: -EINVAL bad argument, -EBADMSG malformed message, -EMSGSIZE
 * message too short or output buffer too small, -ENOTSUP unknown type,
 * -ERANGE value beyond what this codec accepts.
 *
 * The peer is hostile: decode copies every field out with the sn_get_*
 * helpers and validates the copy.  Pointers left in a decoded message
 * borrow the caller's buffer; pass a private copy (not memory the guest can
 * still write) if you will read through them after decoding.
 */
#ifndef VMB_CHANMSG_H
#define VMB_CHANMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmb_chanmsg_wire.h"

/* ---- GUIDs ---- */

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" without the NUL. */
#define VMB_CHANMSG_GUID_STRLEN 36

/* netvsc interface type f8615163-df3e-46c5-913f-f2d2f965ed0e. */
#define VMB_CHANMSG_GUID_NETVSC_STR "f8615163-df3e-46c5-913f-f2d2f965ed0e"
#define VMB_CHANMSG_GUID_NETVSC_BYTES \
	{ 0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46, \
	  0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e }

/*
 * Parse a GUID in canonical text form into Windows wire order: Data1
 * (first 8 hex digits) as LE u32, Data2 and Data3 as LE u16, the last 8
 * bytes as written.  Exactly 36 characters, hex digits of either case and
 * dashes at 8, 13, 18, 23; no braces, nothing after.  s is a NUL-terminated
 * string (borrowed).  Returns 0 or -EINVAL (NULL, bad length or character).
 */
int
vmb_chanmsg_guid_parse(const char *s, uint8_t out[VMB_MSG_GUID_SIZE]);

/*
 * Format wire-order GUID g as lowercase canonical text plus NUL into buf
 * (cap bytes, >= 37).  Returns 36, -EINVAL (NULL) or -EMSGSIZE.
 */
int
vmb_chanmsg_guid_format(const uint8_t g[VMB_MSG_GUID_SIZE], char *buf,
			size_t cap);

/* ---- Decoded messages (host order) ---- */

/* OFFERCHANNEL. */
struct vmb_chanmsg_offer {
	uint8_t if_type[VMB_MSG_GUID_SIZE];	/* type GUID, wire order */
	uint8_t if_instance[VMB_MSG_GUID_SIZE];	/* instance GUID */
	uint64_t reserved1;	/* unused, kept for exact round trips */
	uint64_t reserved2;	/* unused, kept for exact round trips */
	uint16_t chn_flags;	/* VMB_MSG_OFFER_F_* */
	uint16_t mmio_megabytes;	/* MMIO space, MiB */
	uint8_t user_def[VMB_MSG_USER_DEFINED_BYTES];	/* device data */
	uint16_t sub_channel_index;	/* 0 primary, 1..n subchannel */
	uint16_t reserved3;	/* kept for exact round trips */
	uint32_t child_relid;	/* channel id */
	uint8_t monitorid;	/* monitor page bit index */
	uint8_t monitor_flags;	/* VMB_MSG_OFFER_MONITOR_ALLOCATED, raw */
	uint16_t interrupt_flags;	/* VMB_MSG_OFFER_DEDICATED_..., raw */
	uint32_t connection_id;	/* id the guest signals */
};

/* Pipe mode of a named-pipe offer: user_def bytes 0..3 as LE u32. */
static inline uint32_t
vmb_chanmsg_offer_pipe_mode(const struct vmb_chanmsg_offer *o)
{
	return sn_get_le32(o->user_def);
}

static inline bool
vmb_chanmsg_offer_monitor_allocated(const struct vmb_chanmsg_offer *o)
{
	return (o->monitor_flags & VMB_MSG_OFFER_MONITOR_ALLOCATED) != 0;
}

static inline bool
vmb_chanmsg_offer_dedicated_interrupt(const struct vmb_chanmsg_offer *o)
{
	return (o->interrupt_flags & VMB_MSG_OFFER_DEDICATED_INTERRUPT) != 0;
}

/* RESCIND_CHANNELOFFER, CLOSECHANNEL, RELID_RELEASED. */
struct vmb_chanmsg_relid {
	uint32_t child_relid;	/* channel id */
};

/* OPENCHANNEL. */
struct vmb_chanmsg_open {
	uint32_t child_relid;	/* channel to open */
	uint32_t openid;	/* echoed in OPENCHANNEL_RESULT */
	uint32_t ringbuffer_gpadlhandle;	/* GPADL holding both rings */
	uint32_t target_vp;	/* VP for H->G interrupts */
	uint32_t downstream_ringbuffer_pageoffset;	/* H->G ring page */
	uint8_t userdata[VMB_MSG_USER_DEFINED_BYTES];	/* to the VSP */
};

/* OPENCHANNEL_RESULT. */
struct vmb_chanmsg_open_result {
	uint32_t child_relid;	/* channel */
	uint32_t openid;	/* from OPENCHANNEL */
	uint32_t status;	/* 0 = success */
};

/*
 * GPADL_HEADER.  The range buffer (range_buflen bytes, u64 words) starts
 * here and continues in GPADL_BODY messages.  Decode validates every range
 * whose words are in this message and that the announced counts can be
 * consistent; vmb_gpadl_asm completes the check across bodies.
 */
struct vmb_chanmsg_gpadl_header {
	uint32_t child_relid;	/* owning channel */
	uint32_t gpadl;	/* handle */
	uint16_t range_buflen;	/* bytes in the whole range buffer */
	uint16_t rangecount;	/* ranges in the range buffer */
	const uint8_t *range_buf;	/* borrowed: LE u64 words here */
	uint32_t nwords;	/* u64 words of the range buffer in this msg */
	uint32_t words_left;	/* words still to come in GPADL_BODY msgs */
	uint32_t npfn_here;	/* PFNs among nwords (not range heads) */
	uint32_t npfn_total;	/* PFNs of the whole GPADL */
};

/* GPADL_BODY. */
struct vmb_chanmsg_gpadl_body {
	uint32_t msgnumber;	/* raw; 0 from Linux/FreeBSD */
	uint32_t gpadl;	/* handle */
	const uint8_t *words;	/* borrowed: LE u64 words (PFNs) */
	uint32_t nwords;	/* (len - 16) / 8, >= 1 */
};

/* GPADL_CREATED. */
struct vmb_chanmsg_gpadl_created {
	uint32_t child_relid;	/* owning channel */
	uint32_t gpadl;	/* handle */
	uint32_t creation_status;	/* 0 = ok */
};

/* GPADL_TEARDOWN. */
struct vmb_chanmsg_gpadl_teardown {
	uint32_t child_relid;	/* owning channel */
	uint32_t gpadl;	/* handle */
};

/* GPADL_TORNDOWN. */
struct vmb_chanmsg_gpadl_torndown {
	uint32_t gpadl;	/* handle */
};

/* INITIATE_CONTACT. */
struct vmb_chanmsg_initiate_contact {
	uint32_t version;	/* vmbus_version_requested */
	uint32_t target_vcpu;	/* VP the host answers on */
	uint64_t interrupt_page;	/* < 5.0 GPA; >= 5.0 target info */
	uint64_t monitor_page1;	/* GPA, parent->child monitor page */
	uint64_t monitor_page2;	/* GPA, child->parent monitor page */
};

/* Target info (interrupt_page for version >= 5.0) accessors. */
static inline uint8_t
vmb_chanmsg_ti_sint(uint64_t ti)
{
	return (uint8_t)((ti & VMB_MSG_TI_SINT_MASK) >> VMB_MSG_TI_SINT_SHIFT);
}

static inline uint8_t
vmb_chanmsg_ti_vtl(uint64_t ti)
{
	return (uint8_t)((ti & VMB_MSG_TI_VTL_MASK) >> VMB_MSG_TI_VTL_SHIFT);
}

static inline uint32_t
vmb_chanmsg_ti_features(uint64_t ti)
{
	return (uint32_t)((ti & VMB_MSG_TI_FEATURES_MASK) >>
			  VMB_MSG_TI_FEATURES_SHIFT);
}

static inline uint64_t
vmb_chanmsg_ti_make(uint8_t sint, uint8_t vtl, uint32_t features)
{
	return ((uint64_t)sint << VMB_MSG_TI_SINT_SHIFT) |
	       ((uint64_t)vtl << VMB_MSG_TI_VTL_SHIFT) |
	       ((uint64_t)features << VMB_MSG_TI_FEATURES_SHIFT);
}

/* VERSION_RESPONSE. */
struct vmb_chanmsg_version_response {
	uint8_t version_supported;	/* 1 = accepted */
	uint8_t connection_state;	/* VMB_MSG_CONN_STATE_* */
	uint32_t msg_conn_id;	/* connection id for later messages */
};

/* Any decoded channel message. */
struct vmb_chanmsg {
	uint32_t type;	/* enum vmb_msg_type, 1..17 */
	union {
		struct vmb_chanmsg_offer offer;	/* 1 */
		struct vmb_chanmsg_relid rescind;	/* 2 */
		struct vmb_chanmsg_open open;	/* 5 */
		struct vmb_chanmsg_open_result open_result;	/* 6 */
		struct vmb_chanmsg_relid close;	/* 7 */
		struct vmb_chanmsg_gpadl_header gpadl_header;	/* 8 */
		struct vmb_chanmsg_gpadl_body gpadl_body;	/* 9 */
		struct vmb_chanmsg_gpadl_created gpadl_created;	/* 10 */
		struct vmb_chanmsg_gpadl_teardown gpadl_teardown;	/* 11 */
		struct vmb_chanmsg_gpadl_torndown gpadl_torndown;	/* 12 */
		struct vmb_chanmsg_relid relid_released;	/* 13 */
		struct vmb_chanmsg_initiate_contact initiate;	/* 14 */
		struct vmb_chanmsg_version_response version_response;	/* 15 */
	} u;	/* member by type number; types 3, 4, 16, 17 have none */
	/*
	 * Bytes after the part this codec understands (newer-version fields
	 * such as OpenVMM's OpenChannel2 or InitiateContact2 tail), borrowed
	 * from the decoded buffer.  NULL/0 when none.  Encode appends them.
	 */
	const uint8_t *ext;
	size_t ext_len;	/* bytes at ext */
};

/* Read u64 word i of a borrowed LE word array (range_buf, words). */
static inline uint64_t
vmb_chanmsg_word(const uint8_t *words, uint32_t i)
{
	return sn_get_le64(words + (size_t)i * 8);
}

/* Name of a message type for logs ("OFFERCHANNEL"); "UNKNOWN" if none. */
const char *
vmb_chanmsg_type_name(uint32_t type);

/*
 * Fixed size of a message type (the bytes decode requires), e.g. 196 for
 * OFFERCHANNEL, 20 for GPADL_HEADER; 0 for types outside 1..17.
 */
size_t
vmb_chanmsg_min_size(uint32_t type);

/*
 * Decode one channel message of len bytes at buf into *out.  Longer
 * messages are accepted; the extra bytes are reported in out->ext.
 * out borrows buf (range_buf, words, ext) for as long as buf lives.
 * Returns 0, -EINVAL (NULL), -EMSGSIZE (shorter than the type needs),
 * -ENOTSUP (type outside 1..17), -EBADMSG (inconsistent GPADL counts),
 * -ERANGE (GPADL rangecount above VMB_GPADL_MAX_RANGES).  *out is
 * undefined on failure.
 */
int
vmb_chanmsg_decode(const void *buf, size_t len, struct vmb_chanmsg *out);

/*
 * Encode *m into buf (cap bytes).  Writes the fixed part, for GPADL types
 * the borrowed words (GPADL_HEADER range_buf/nwords, GPADL_BODY
 * words/nwords), then m->ext.  Header padding is written as 0.  Does not
 * enforce VMB_MSG_MAX_SIZE (the transport does).  Returns the length,
 * -EINVAL (NULL, NULL words with a count, nwords beyond range_buflen),
 * -ENOTSUP (type outside 1..17) or -EMSGSIZE (cap too small).
 */
int
vmb_chanmsg_encode(const struct vmb_chanmsg *m, void *buf, size_t cap);

/* ---- GPADL split (sender side) ---- */

/* Largest PFN count of a single-range GPADL (u16 range_buflen). */
#define VMB_GPADL_MAX_PFNS \
	((UINT16_MAX - sizeof(struct vmb_msg_gpa_range)) / sizeof(uint64_t))

/* A single-range GPADL to send (what Linux, FreeBSD and DPDK send). */
struct vmb_gpadl_desc {
	uint32_t child_relid;	/* owning channel */
	uint32_t gpadl;	/* handle */
	uint32_t byte_offset;	/* data offset in the first page, < 4096 */
	uint32_t byte_count;	/* bytes described, > 0 */
	const uint64_t *pfn;	/* borrowed, host order */
	uint32_t npfn;	/* == ceil((byte_offset + byte_count) / 4096) */
};

/*
 * Number of messages (1 GPADL_HEADER + GPADL_BODYs) for npfn PFNs, split
 * like Linux create_gpadl_header(): 26 in the header, 28 per body.
 * 0 when npfn is 0 or above VMB_GPADL_MAX_PFNS.
 */
uint32_t
vmb_gpadl_msg_count(uint32_t npfn);

/*
 * Write message `part` (0 = GPADL_HEADER, k >= 1 = k-th GPADL_BODY) of the
 * split of *d into buf (cap bytes).  Bodies carry msgnumber 0, as Linux
 * sends.  Borrows d and d->pfn.  Returns the length, -EINVAL (NULL,
 * npfn inconsistent with offset/count, offset >= 4096, count 0, part
 * beyond vmb_gpadl_msg_count()), -ERANGE (npfn > VMB_GPADL_MAX_PFNS) or
 * -EMSGSIZE.
 */
int
vmb_gpadl_encode_part(const struct vmb_gpadl_desc *d, uint32_t part,
		      void *buf, size_t cap);

/* ---- GPADL reassembly (receiver side) ---- */

/* Most ranges one GPADL may have here (guests send one). */
#define VMB_GPADL_MAX_RANGES 16

/* One reassembled range. */
struct vmb_gpadl_range {
	uint32_t byte_count;	/* bytes described */
	uint32_t byte_offset;	/* offset in the first page, < 4096 */
	uint32_t pfn_index;	/* its first PFN in vmb_gpadl_asm.pfn */
	uint32_t npfn;	/* its PFN count */
};

enum vmb_gpadl_asm_state {
	VMB_GPADL_ASM_IDLE = 0,	/* initialised, no header yet */
	VMB_GPADL_ASM_COLLECTING,	/* header seen, bodies owed */
	VMB_GPADL_ASM_COMPLETE,	/* every word received and valid */
	VMB_GPADL_ASM_FAILED,	/* a message was rejected; re-init */
};

/*
 * Reassembly state of one GPADL.  Caller-owned; fields are readable (the
 * PFNs are pfn[0..npfn), ranges range[0..nranges)) but only the functions
 * below write them.
 */
struct vmb_gpadl_asm {
	uint64_t *pfn;	/* borrowed caller storage, host-order PFNs */
	uint32_t pfn_cap;	/* entries at pfn */
	uint32_t state;	/* enum vmb_gpadl_asm_state */
	uint32_t child_relid;	/* from the header */
	uint32_t gpadl;	/* from the header */
	uint32_t rangecount;	/* announced ranges */
	uint32_t nranges;	/* ranges whose header word was seen */
	uint32_t total_words;	/* range_buflen / 8 */
	uint32_t words_seen;	/* words consumed so far */
	uint32_t range_pfn_left;	/* PFNs owed to the current range */
	uint32_t npfn;	/* PFNs stored so far */
	uint32_t npfn_total;	/* PFNs of the whole GPADL */
	uint32_t nbodies;	/* GPADL_BODY messages accepted */
	struct vmb_gpadl_range range[VMB_GPADL_MAX_RANGES];	/* ranges */
};

/*
 * Reset *a to IDLE with PFN storage pfn[pfn_cap] (borrowed for the life of
 * *a; pfn may be NULL if pfn_cap is 0).
 */
void
vmb_gpadl_asm_init(struct vmb_gpadl_asm *a, uint64_t *pfn, uint32_t pfn_cap);

/*
 * Start reassembly from a decoded GPADL_HEADER (borrowed; its range_buf is
 * read again and re-validated).  Returns 1 when the header held the whole
 * GPADL, 0 when bodies must follow, -EINVAL (NULL, state not IDLE),
 * -ERANGE (more PFNs than pfn_cap, too many ranges) or -EBADMSG.  Any
 * negative return except -EINVAL leaves the state FAILED.
 */
int
vmb_gpadl_asm_header(struct vmb_gpadl_asm *a,
		     const struct vmb_chanmsg_gpadl_header *h);

/*
 * Add a decoded GPADL_BODY (borrowed).  The gpadl handle must match;
 * msgnumber must be 0 (what Linux/FreeBSD send) or exactly the body's
 * 1-based sequence number; the words must not exceed what the header
 * announced.  Returns 1 when complete, 0 when more bodies must follow,
 * -EINVAL (NULL) or -EBADMSG (no header yet, already complete or failed,
 * wrong handle, out of sequence, overflow, bad range).  -EBADMSG turns a
 * COLLECTING state into FAILED; other states are left as they were.
 */
int
vmb_gpadl_asm_body(struct vmb_gpadl_asm *a,
		   const struct vmb_chanmsg_gpadl_body *b);

/* True when every word arrived and the ranges are consistent. */
static inline bool
vmb_gpadl_asm_complete(const struct vmb_gpadl_asm *a)
{
	return a->state == VMB_GPADL_ASM_COMPLETE;
}

#endif /* VMB_CHANMSG_H */
