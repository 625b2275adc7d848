/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_chanmsg.c - VMBus channel management message codec.
 *
 * Layout facts: Linux include/linux/hyperv.h, GPADL split: Linux
 * drivers/hv/channel.c create_gpadl_header().  See vmb_chanmsg.h for the
 * contract of every function.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "vmb_chanmsg.h"

/* Field access by wire struct offset: p is a byte pointer to message start. */
#define VMB_RD8(p, type, field) ((p)[offsetof(type, field)])
#define VMB_RD16(p, type, field) sn_get_le16((p) + offsetof(type, field))
#define VMB_RD32(p, type, field) sn_get_le32((p) + offsetof(type, field))
#define VMB_RD64(p, type, field) sn_get_le64((p) + offsetof(type, field))
#define VMB_WR8(p, type, field, v) ((p)[offsetof(type, field)] = (uint8_t)(v))
#define VMB_WR16(p, type, field, v) \
	sn_put_le16((p) + offsetof(type, field), (v))
#define VMB_WR32(p, type, field, v) \
	sn_put_le32((p) + offsetof(type, field), (v))
#define VMB_WR64(p, type, field, v) \
	sn_put_le64((p) + offsetof(type, field), (v))

/* ---- Type table ---- */

static const char *const vmb_msg_type_names[VMB_MSG_TYPE_COUNT] = {
#define VMB_MSG_TYPE_NAME_(name, val) [val] = #name,
	VMB_MSG_TYPES(VMB_MSG_TYPE_NAME_)
#undef VMB_MSG_TYPE_NAME_
};

/* Bytes decode requires per supported type (0 = unsupported). */
static const uint16_t vmb_msg_fixed_size[VMB_MSG_TYPE_MAX_SUPPORTED + 1] = {
	[VMB_MSG_OFFERCHANNEL] = sizeof(struct vmb_msg_offer_channel),
	[VMB_MSG_RESCIND_CHANNELOFFER] = sizeof(struct vmb_msg_rescind_offer),
	[VMB_MSG_REQUESTOFFERS] = sizeof(struct vmb_msg_hdr),
	[VMB_MSG_ALLOFFERS_DELIVERED] = sizeof(struct vmb_msg_hdr),
	[VMB_MSG_OPENCHANNEL] = sizeof(struct vmb_msg_open_channel),
	[VMB_MSG_OPENCHANNEL_RESULT] = sizeof(struct vmb_msg_open_result),
	[VMB_MSG_CLOSECHANNEL] = sizeof(struct vmb_msg_close_channel),
	[VMB_MSG_GPADL_HEADER] = sizeof(struct vmb_msg_gpadl_header),
	[VMB_MSG_GPADL_BODY] = sizeof(struct vmb_msg_gpadl_body),
	[VMB_MSG_GPADL_CREATED] = sizeof(struct vmb_msg_gpadl_created),
	[VMB_MSG_GPADL_TEARDOWN] = sizeof(struct vmb_msg_gpadl_teardown),
	[VMB_MSG_GPADL_TORNDOWN] = sizeof(struct vmb_msg_gpadl_torndown),
	[VMB_MSG_RELID_RELEASED] = sizeof(struct vmb_msg_relid_released),
	[VMB_MSG_INITIATE_CONTACT] = sizeof(struct vmb_msg_initiate_contact),
	[VMB_MSG_VERSION_RESPONSE] = sizeof(struct vmb_msg_version_response),
	[VMB_MSG_UNLOAD] = sizeof(struct vmb_msg_hdr),
	[VMB_MSG_UNLOAD_RESPONSE] = sizeof(struct vmb_msg_hdr),
};

const char *
vmb_chanmsg_type_name(uint32_t type)
{
	if (type >= VMB_MSG_TYPE_COUNT || vmb_msg_type_names[type] == NULL) {
		return "UNKNOWN";
	}
	return vmb_msg_type_names[type];
}

size_t
vmb_chanmsg_min_size(uint32_t type)
{
	if (type > VMB_MSG_TYPE_MAX_SUPPORTED) {
		return 0;
	}
	return vmb_msg_fixed_size[type];
}

/* ---- GUIDs ---- */

static int
vmb_hex_nibble(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/*
 * Text byte i (0..15, in the order the digits are written) lands at this
 * wire offset: Data1/Data2/Data3 are stored little-endian.
 */
static const uint8_t vmb_guid_wire_pos[VMB_MSG_GUID_SIZE] = {
	3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15
};

static int
vmb_guid_is_dash_pos(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

int
vmb_chanmsg_guid_parse(const char *s, uint8_t out[VMB_MSG_GUID_SIZE])
{
	uint8_t tmp[VMB_MSG_GUID_SIZE];
	size_t i, nib = 0;

	if (s == NULL || out == NULL) {
		return -EINVAL;
	}
	if (strnlen(s, VMB_CHANMSG_GUID_STRLEN + 1) !=
	    VMB_CHANMSG_GUID_STRLEN) {
		return -EINVAL;
	}
	for (i = 0; i < VMB_CHANMSG_GUID_STRLEN; i++) {
		int v;

		if (vmb_guid_is_dash_pos(i)) {
			if (s[i] != '-') {
				return -EINVAL;
			}
			continue;
		}
		v = vmb_hex_nibble(s[i]);
		if (v < 0) {
			return -EINVAL;
		}
		if ((nib & 1) == 0) {
			tmp[nib / 2] = (uint8_t)(v << 4);
		} else {
			tmp[nib / 2] |= (uint8_t)v;
		}
		nib++;
	}
	for (i = 0; i < VMB_MSG_GUID_SIZE; i++) {
		out[vmb_guid_wire_pos[i]] = tmp[i];
	}
	return 0;
}

int
vmb_chanmsg_guid_format(const uint8_t g[VMB_MSG_GUID_SIZE], char *buf,
			size_t cap)
{
	uint8_t t[VMB_MSG_GUID_SIZE];
	size_t i;
	int n;

	if (g == NULL || buf == NULL) {
		return -EINVAL;
	}
	if (cap < VMB_CHANMSG_GUID_STRLEN + 1) {
		return -EMSGSIZE;
	}
	for (i = 0; i < VMB_MSG_GUID_SIZE; i++) {
		t[i] = g[vmb_guid_wire_pos[i]];
	}
	n = snprintf(buf, cap,
		     "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		     "%02x%02x%02x%02x%02x%02x",
		     t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8],
		     t[9], t[10], t[11], t[12], t[13], t[14], t[15]);
	if (n != VMB_CHANMSG_GUID_STRLEN) {
		return -EINVAL;
	}
	return n;
}

/* ---- GPADL range-buffer walk (shared by decode and reassembly) ---- */

/*
 * Check the announced counts and arm *a for words.  The range buffer is
 * range_buflen / 8 words: rangecount range headers plus the PFNs.  Every
 * range needs its header word and at least one PFN.
 */
static int
vmb_gpadl_begin(struct vmb_gpadl_asm *a, uint32_t child_relid,
		uint32_t gpadl, uint16_t range_buflen, uint16_t rangecount)
{
	uint32_t total;

	if (rangecount == 0) {
		return -EBADMSG;
	}
	if (rangecount > VMB_GPADL_MAX_RANGES) {
		return -ERANGE;
	}
	if (range_buflen % sizeof(uint64_t) != 0) {
		return -EBADMSG;
	}
	total = range_buflen / sizeof(uint64_t);
	if (total < 2u * rangecount) {
		return -EBADMSG;
	}
	if (total - rangecount > a->pfn_cap) {
		return -ERANGE;
	}
	a->child_relid = child_relid;
	a->gpadl = gpadl;
	a->rangecount = rangecount;
	a->nranges = 0;
	a->total_words = total;
	a->words_seen = 0;
	a->range_pfn_left = 0;
	a->npfn = 0;
	a->npfn_total = total - rangecount;
	a->nbodies = 0;
	a->state = VMB_GPADL_ASM_COLLECTING;
	return 0;
}

/*
 * Consume a range header word.  remaining = words after it.  A range's PFN
 * count must leave room for the ranges still to come (2 words each), and
 * the last range must use up the buffer exactly.
 */
static int
vmb_gpadl_range_word(struct vmb_gpadl_asm *a, uint64_t v, uint32_t remaining)
{
	uint32_t byte_count = (uint32_t)v;
	uint32_t byte_offset = (uint32_t)(v >> 32);
	uint32_t after;
	uint64_t np;
	struct vmb_gpadl_range *r;

	if (a->nranges >= a->rangecount) {
		return -EBADMSG;
	}
	if (byte_count == 0 || byte_offset >= VMB_GPADL_PAGE_SIZE) {
		return -EBADMSG;
	}
	/* 64-bit: offset + count cannot wrap. */
	np = ((uint64_t)byte_offset + byte_count + VMB_GPADL_PAGE_SIZE - 1) >>
	     VMB_GPADL_PAGE_SHIFT;
	after = a->rangecount - a->nranges - 1;
	if (after == 0) {
		if (np != remaining) {
			return -EBADMSG;
		}
	} else if (np > remaining || remaining - np < 2ull * after) {
		return -EBADMSG;
	}
	r = &a->range[a->nranges];
	r->byte_count = byte_count;
	r->byte_offset = byte_offset;
	r->pfn_index = a->npfn;
	r->npfn = (uint32_t)np;
	a->nranges++;
	a->range_pfn_left = (uint32_t)np;
	return 0;
}

/*
 * Feed n LE words.  Stores PFNs when a->pfn is set.  Returns 1 when the
 * buffer is complete, 0 when more words are owed, -EBADMSG.
 */
static int
vmb_gpadl_feed(struct vmb_gpadl_asm *a, const uint8_t *words, uint32_t n)
{
	uint32_t i;
	int rc;

	if (a->state != VMB_GPADL_ASM_COLLECTING) {
		return -EBADMSG;
	}
	/* Bounds the loop: at most range_buflen / 8 <= 8191 words overall. */
	if (n > a->total_words - a->words_seen) {
		return -EBADMSG;
	}
	for (i = 0; i < n; i++) {
		uint64_t v = vmb_chanmsg_word(words, i);

		if (a->range_pfn_left == 0) {
			rc = vmb_gpadl_range_word(a, v,
				a->total_words - a->words_seen - 1);
			if (rc < 0) {
				return rc;
			}
		} else {
			if (a->npfn >= a->pfn_cap) {
				return -EBADMSG;
			}
			if (a->pfn != NULL) {
				a->pfn[a->npfn] = v;
			}
			a->npfn++;
			a->range_pfn_left--;
		}
		a->words_seen++;
	}
	if (a->words_seen == a->total_words) {
		a->state = VMB_GPADL_ASM_COMPLETE;
		return 1;
	}
	return 0;
}

/* ---- Decode ---- */

static void
vmb_decode_offer(const uint8_t *p, struct vmb_chanmsg_offer *o)
{
	typedef struct vmb_msg_offer_channel oc_t;

	memcpy(o->if_type, p + offsetof(oc_t, offer.if_type),
	       sizeof(o->if_type));
	memcpy(o->if_instance, p + offsetof(oc_t, offer.if_instance),
	       sizeof(o->if_instance));
	o->reserved1 = VMB_RD64(p, oc_t, offer.reserved1);
	o->reserved2 = VMB_RD64(p, oc_t, offer.reserved2);
	o->chn_flags = VMB_RD16(p, oc_t, offer.chn_flags);
	o->mmio_megabytes = VMB_RD16(p, oc_t, offer.mmio_megabytes);
	memcpy(o->user_def, p + offsetof(oc_t, offer.user_def),
	       sizeof(o->user_def));
	o->sub_channel_index = VMB_RD16(p, oc_t, offer.sub_channel_index);
	o->reserved3 = VMB_RD16(p, oc_t, offer.reserved3);
	o->child_relid = VMB_RD32(p, oc_t, child_relid);
	o->monitorid = VMB_RD8(p, oc_t, monitorid);
	o->monitor_flags = VMB_RD8(p, oc_t, monitor_flags);
	o->interrupt_flags = VMB_RD16(p, oc_t, interrupt_flags);
	o->connection_id = VMB_RD32(p, oc_t, connection_id);
}

static void
vmb_decode_open(const uint8_t *p, struct vmb_chanmsg_open *o)
{
	typedef struct vmb_msg_open_channel op_t;

	o->child_relid = VMB_RD32(p, op_t, child_relid);
	o->openid = VMB_RD32(p, op_t, openid);
	o->ringbuffer_gpadlhandle = VMB_RD32(p, op_t, ringbuffer_gpadlhandle);
	o->target_vp = VMB_RD32(p, op_t, target_vp);
	o->downstream_ringbuffer_pageoffset =
		VMB_RD32(p, op_t, downstream_ringbuffer_pageoffset);
	memcpy(o->userdata, p + offsetof(op_t, userdata), sizeof(o->userdata));
}

static void
vmb_decode_initiate(const uint8_t *p, struct vmb_chanmsg_initiate_contact *c)
{
	typedef struct vmb_msg_initiate_contact ic_t;

	c->version = VMB_RD32(p, ic_t, vmbus_version_requested);
	c->target_vcpu = VMB_RD32(p, ic_t, target_vcpu);
	c->interrupt_page = VMB_RD64(p, ic_t, interrupt_page);
	c->monitor_page1 = VMB_RD64(p, ic_t, monitor_page1);
	c->monitor_page2 = VMB_RD64(p, ic_t, monitor_page2);
}

/* Returns bytes consumed (fixed part + range words) or -errno. */
static int
vmb_decode_gpadl_header(const uint8_t *p, size_t len,
			struct vmb_chanmsg_gpadl_header *h)
{
	typedef struct vmb_msg_gpadl_header gh_t;
	struct vmb_gpadl_asm walk;
	size_t avail;
	int rc;

	h->child_relid = VMB_RD32(p, gh_t, child_relid);
	h->gpadl = VMB_RD32(p, gh_t, gpadl);
	h->range_buflen = VMB_RD16(p, gh_t, range_buflen);
	h->rangecount = VMB_RD16(p, gh_t, rangecount);

	/* Validate only: no PFN storage, no cap. */
	vmb_gpadl_asm_init(&walk, NULL, 0);
	walk.pfn_cap = UINT32_MAX;
	rc = vmb_gpadl_begin(&walk, h->child_relid, h->gpadl, h->range_buflen,
			     h->rangecount);
	if (rc < 0) {
		return rc;
	}
	avail = (len - sizeof(gh_t)) / sizeof(uint64_t);
	h->nwords = (uint32_t)SN_MIN(avail, (size_t)walk.total_words);
	/* The header must carry at least the first range's header word. */
	if (h->nwords == 0) {
		return -EMSGSIZE;
	}
	h->range_buf = p + sizeof(gh_t);
	rc = vmb_gpadl_feed(&walk, h->range_buf, h->nwords);
	if (rc < 0) {
		return rc;
	}
	h->words_left = walk.total_words - h->nwords;
	h->npfn_here = walk.npfn;
	h->npfn_total = walk.npfn_total;
	return (int)(sizeof(gh_t) + (size_t)h->nwords * sizeof(uint64_t));
}

/* Returns bytes consumed or -errno. */
static int
vmb_decode_gpadl_body(const uint8_t *p, size_t len,
		      struct vmb_chanmsg_gpadl_body *b)
{
	typedef struct vmb_msg_gpadl_body gb_t;
	size_t rem = len - sizeof(gb_t);

	b->msgnumber = VMB_RD32(p, gb_t, msgnumber);
	b->gpadl = VMB_RD32(p, gb_t, gpadl);
	if (rem % sizeof(uint64_t) != 0 || rem == 0) {
		return -EBADMSG;
	}
	/* Channel messages are small; refuse anything absurd. */
	if (rem / sizeof(uint64_t) > UINT16_MAX) {
		return -EBADMSG;
	}
	b->nwords = (uint32_t)(rem / sizeof(uint64_t));
	b->words = p + sizeof(gb_t);
	return (int)len;
}

/* Fixed-size types made of a few scalars after the header. */
static void
vmb_decode_small(const uint8_t *p, uint32_t type, struct vmb_chanmsg *out)
{
	typedef struct vmb_msg_open_result or_t;
	typedef struct vmb_msg_gpadl_created gc_t;
	typedef struct vmb_msg_gpadl_teardown gt_t;
	typedef struct vmb_msg_version_response vr_t;

	switch (type) {
	case VMB_MSG_RESCIND_CHANNELOFFER:
		out->u.rescind.child_relid =
			VMB_RD32(p, struct vmb_msg_rescind_offer, child_relid);
		break;
	case VMB_MSG_OPENCHANNEL_RESULT:
		out->u.open_result.child_relid = VMB_RD32(p, or_t, child_relid);
		out->u.open_result.openid = VMB_RD32(p, or_t, openid);
		out->u.open_result.status = VMB_RD32(p, or_t, status);
		break;
	case VMB_MSG_CLOSECHANNEL:
		out->u.close.child_relid =
			VMB_RD32(p, struct vmb_msg_close_channel, child_relid);
		break;
	case VMB_MSG_GPADL_CREATED:
		out->u.gpadl_created.child_relid =
			VMB_RD32(p, gc_t, child_relid);
		out->u.gpadl_created.gpadl = VMB_RD32(p, gc_t, gpadl);
		out->u.gpadl_created.creation_status =
			VMB_RD32(p, gc_t, creation_status);
		break;
	case VMB_MSG_GPADL_TEARDOWN:
		out->u.gpadl_teardown.child_relid =
			VMB_RD32(p, gt_t, child_relid);
		out->u.gpadl_teardown.gpadl = VMB_RD32(p, gt_t, gpadl);
		break;
	case VMB_MSG_GPADL_TORNDOWN:
		out->u.gpadl_torndown.gpadl =
			VMB_RD32(p, struct vmb_msg_gpadl_torndown, gpadl);
		break;
	case VMB_MSG_RELID_RELEASED:
		out->u.relid_released.child_relid =
			VMB_RD32(p, struct vmb_msg_relid_released, child_relid);
		break;
	case VMB_MSG_VERSION_RESPONSE:
		out->u.version_response.version_supported =
			VMB_RD8(p, vr_t, version_supported);
		out->u.version_response.connection_state =
			VMB_RD8(p, vr_t, connection_state);
		out->u.version_response.msg_conn_id =
			VMB_RD32(p, vr_t, msg_conn_id);
		break;
	default:
		/* REQUESTOFFERS, ALLOFFERS_DELIVERED, UNLOAD(_RESPONSE). */
		break;
	}
}

int
vmb_chanmsg_decode(const void *buf, size_t len, struct vmb_chanmsg *out)
{
	const uint8_t *p = buf;
	uint32_t type;
	size_t used;
	int rc = 0;

	if (buf == NULL || out == NULL) {
		return -EINVAL;
	}
	if (len < sizeof(struct vmb_msg_hdr)) {
		return -EMSGSIZE;
	}
	type = VMB_RD32(p, struct vmb_msg_hdr, msgtype);
	used = vmb_chanmsg_min_size(type);
	if (used == 0) {
		return -ENOTSUP;
	}
	if (len < used) {
		return -EMSGSIZE;
	}
	memset(out, 0, sizeof(*out));
	out->type = type;

	switch (type) {
	case VMB_MSG_OFFERCHANNEL:
		vmb_decode_offer(p, &out->u.offer);
		break;
	case VMB_MSG_OPENCHANNEL:
		vmb_decode_open(p, &out->u.open);
		break;
	case VMB_MSG_INITIATE_CONTACT:
		vmb_decode_initiate(p, &out->u.initiate);
		break;
	case VMB_MSG_GPADL_HEADER:
		rc = vmb_decode_gpadl_header(p, len, &out->u.gpadl_header);
		break;
	case VMB_MSG_GPADL_BODY:
		rc = vmb_decode_gpadl_body(p, len, &out->u.gpadl_body);
		break;
	default:
		vmb_decode_small(p, type, out);
		break;
	}
	if (rc < 0) {
		return rc;
	}
	if (rc > 0) {
		used = (size_t)rc;
	}
	if (len > used) {
		out->ext = p + used;
		out->ext_len = len - used;
	}
	return 0;
}

/* ---- Encode ---- */

static void
vmb_encode_offer(uint8_t *p, const struct vmb_chanmsg_offer *o)
{
	typedef struct vmb_msg_offer_channel oc_t;

	memcpy(p + offsetof(oc_t, offer.if_type), o->if_type,
	       sizeof(o->if_type));
	memcpy(p + offsetof(oc_t, offer.if_instance), o->if_instance,
	       sizeof(o->if_instance));
	VMB_WR64(p, oc_t, offer.reserved1, o->reserved1);
	VMB_WR64(p, oc_t, offer.reserved2, o->reserved2);
	VMB_WR16(p, oc_t, offer.chn_flags, o->chn_flags);
	VMB_WR16(p, oc_t, offer.mmio_megabytes, o->mmio_megabytes);
	memcpy(p + offsetof(oc_t, offer.user_def), o->user_def,
	       sizeof(o->user_def));
	VMB_WR16(p, oc_t, offer.sub_channel_index, o->sub_channel_index);
	VMB_WR16(p, oc_t, offer.reserved3, o->reserved3);
	VMB_WR32(p, oc_t, child_relid, o->child_relid);
	VMB_WR8(p, oc_t, monitorid, o->monitorid);
	VMB_WR8(p, oc_t, monitor_flags, o->monitor_flags);
	VMB_WR16(p, oc_t, interrupt_flags, o->interrupt_flags);
	VMB_WR32(p, oc_t, connection_id, o->connection_id);
}

static void
vmb_encode_open(uint8_t *p, const struct vmb_chanmsg_open *o)
{
	typedef struct vmb_msg_open_channel op_t;

	VMB_WR32(p, op_t, child_relid, o->child_relid);
	VMB_WR32(p, op_t, openid, o->openid);
	VMB_WR32(p, op_t, ringbuffer_gpadlhandle, o->ringbuffer_gpadlhandle);
	VMB_WR32(p, op_t, target_vp, o->target_vp);
	VMB_WR32(p, op_t, downstream_ringbuffer_pageoffset,
		 o->downstream_ringbuffer_pageoffset);
	memcpy(p + offsetof(op_t, userdata), o->userdata, sizeof(o->userdata));
}

static void
vmb_encode_initiate(uint8_t *p, const struct vmb_chanmsg_initiate_contact *c)
{
	typedef struct vmb_msg_initiate_contact ic_t;

	VMB_WR32(p, ic_t, vmbus_version_requested, c->version);
	VMB_WR32(p, ic_t, target_vcpu, c->target_vcpu);
	VMB_WR64(p, ic_t, interrupt_page, c->interrupt_page);
	VMB_WR64(p, ic_t, monitor_page1, c->monitor_page1);
	VMB_WR64(p, ic_t, monitor_page2, c->monitor_page2);
}

/*
 * Variable part of GPADL messages: the borrowed words and their count.
 * Returns 0 or -EINVAL.
 */
static int
vmb_encode_words_of(const struct vmb_chanmsg *m, const uint8_t **words,
		    uint32_t *nwords)
{
	*words = NULL;
	*nwords = 0;
	if (m->type == VMB_MSG_GPADL_HEADER) {
		const struct vmb_chanmsg_gpadl_header *h = &m->u.gpadl_header;

		if (h->nwords > h->range_buflen / sizeof(uint64_t)) {
			return -EINVAL;
		}
		*words = h->range_buf;
		*nwords = h->nwords;
	} else if (m->type == VMB_MSG_GPADL_BODY) {
		*words = m->u.gpadl_body.words;
		*nwords = m->u.gpadl_body.nwords;
	}
	if (*nwords > 0 && *words == NULL) {
		return -EINVAL;
	}
	return 0;
}

/* Fixed part of the GPADL messages (the words are copied by the caller). */
static void
vmb_encode_gpadl_fixed(uint8_t *p, const struct vmb_chanmsg *m)
{
	typedef struct vmb_msg_gpadl_header gh_t;
	typedef struct vmb_msg_gpadl_body gb_t;
	typedef struct vmb_msg_gpadl_created gc_t;
	typedef struct vmb_msg_gpadl_teardown gt_t;
	const struct vmb_chanmsg_gpadl_header *h = &m->u.gpadl_header;

	switch (m->type) {
	case VMB_MSG_GPADL_HEADER:
		VMB_WR32(p, gh_t, child_relid, h->child_relid);
		VMB_WR32(p, gh_t, gpadl, h->gpadl);
		VMB_WR16(p, gh_t, range_buflen, h->range_buflen);
		VMB_WR16(p, gh_t, rangecount, h->rangecount);
		break;
	case VMB_MSG_GPADL_BODY:
		VMB_WR32(p, gb_t, msgnumber, m->u.gpadl_body.msgnumber);
		VMB_WR32(p, gb_t, gpadl, m->u.gpadl_body.gpadl);
		break;
	case VMB_MSG_GPADL_CREATED:
		VMB_WR32(p, gc_t, child_relid, m->u.gpadl_created.child_relid);
		VMB_WR32(p, gc_t, gpadl, m->u.gpadl_created.gpadl);
		VMB_WR32(p, gc_t, creation_status,
			 m->u.gpadl_created.creation_status);
		break;
	case VMB_MSG_GPADL_TEARDOWN:
		VMB_WR32(p, gt_t, child_relid, m->u.gpadl_teardown.child_relid);
		VMB_WR32(p, gt_t, gpadl, m->u.gpadl_teardown.gpadl);
		break;
	case VMB_MSG_GPADL_TORNDOWN:
		VMB_WR32(p, struct vmb_msg_gpadl_torndown, gpadl,
			 m->u.gpadl_torndown.gpadl);
		break;
	default:
		break;
	}
}

static void
vmb_encode_fixed(uint8_t *p, const struct vmb_chanmsg *m)
{
	typedef struct vmb_msg_open_result or_t;
	typedef struct vmb_msg_version_response vr_t;

	switch (m->type) {
	case VMB_MSG_OFFERCHANNEL:
		vmb_encode_offer(p, &m->u.offer);
		break;
	case VMB_MSG_OPENCHANNEL:
		vmb_encode_open(p, &m->u.open);
		break;
	case VMB_MSG_INITIATE_CONTACT:
		vmb_encode_initiate(p, &m->u.initiate);
		break;
	case VMB_MSG_RESCIND_CHANNELOFFER:
		VMB_WR32(p, struct vmb_msg_rescind_offer, child_relid,
			 m->u.rescind.child_relid);
		break;
	case VMB_MSG_OPENCHANNEL_RESULT:
		VMB_WR32(p, or_t, child_relid, m->u.open_result.child_relid);
		VMB_WR32(p, or_t, openid, m->u.open_result.openid);
		VMB_WR32(p, or_t, status, m->u.open_result.status);
		break;
	case VMB_MSG_CLOSECHANNEL:
		VMB_WR32(p, struct vmb_msg_close_channel, child_relid,
			 m->u.close.child_relid);
		break;
	case VMB_MSG_RELID_RELEASED:
		VMB_WR32(p, struct vmb_msg_relid_released, child_relid,
			 m->u.relid_released.child_relid);
		break;
	case VMB_MSG_VERSION_RESPONSE:
		VMB_WR8(p, vr_t, version_supported,
			m->u.version_response.version_supported);
		VMB_WR8(p, vr_t, connection_state,
			m->u.version_response.connection_state);
		VMB_WR32(p, vr_t, msg_conn_id,
			 m->u.version_response.msg_conn_id);
		break;
	default:
		/* GPADL types; header-only types have nothing more. */
		vmb_encode_gpadl_fixed(p, m);
		break;
	}
}

int
vmb_chanmsg_encode(const struct vmb_chanmsg *m, void *buf, size_t cap)
{
	uint8_t *p = buf;
	const uint8_t *words;
	uint32_t nwords;
	uint64_t need;
	size_t fixed;
	int rc;

	if (m == NULL || buf == NULL) {
		return -EINVAL;
	}
	fixed = vmb_chanmsg_min_size(m->type);
	if (fixed == 0) {
		return -ENOTSUP;
	}
	if (m->ext_len > 0 && m->ext == NULL) {
		return -EINVAL;
	}
	rc = vmb_encode_words_of(m, &words, &nwords);
	if (rc < 0) {
		return rc;
	}
	need = (uint64_t)fixed + (uint64_t)nwords * sizeof(uint64_t);
	if (m->ext_len > INT_MAX || need + m->ext_len > INT_MAX ||
	    need + m->ext_len > cap) {
		return -EMSGSIZE;
	}
	memset(p, 0, fixed);
	VMB_WR32(p, struct vmb_msg_hdr, msgtype, m->type);
	vmb_encode_fixed(p, m);
	if (nwords > 0) {
		memcpy(p + fixed, words, (size_t)nwords * sizeof(uint64_t));
	}
	if (m->ext_len > 0) {
		memcpy(p + need, m->ext, m->ext_len);
	}
	return (int)(need + m->ext_len);
}

/* ---- GPADL split ---- */

uint32_t
vmb_gpadl_msg_count(uint32_t npfn)
{
	uint32_t rest;

	if (npfn == 0 || npfn > VMB_GPADL_MAX_PFNS) {
		return 0;
	}
	if (npfn <= VMB_GPADL_HEADER_MAX_PFNS) {
		return 1;
	}
	rest = npfn - VMB_GPADL_HEADER_MAX_PFNS;
	return 1 + (rest + VMB_GPADL_BODY_MAX_PFNS - 1) /
		   VMB_GPADL_BODY_MAX_PFNS;
}

static int
vmb_gpadl_desc_check(const struct vmb_gpadl_desc *d)
{
	uint64_t np;

	if (d->pfn == NULL || d->npfn == 0) {
		return -EINVAL;
	}
	if (d->npfn > VMB_GPADL_MAX_PFNS) {
		return -ERANGE;
	}
	if (d->byte_count == 0 || d->byte_offset >= VMB_GPADL_PAGE_SIZE) {
		return -EINVAL;
	}
	np = ((uint64_t)d->byte_offset + d->byte_count +
	      VMB_GPADL_PAGE_SIZE - 1) >> VMB_GPADL_PAGE_SHIFT;
	if (np != d->npfn) {
		return -EINVAL;
	}
	return 0;
}

static void
vmb_put_pfns(uint8_t *dst, const uint64_t *pfn, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		sn_put_le64(dst + (size_t)i * sizeof(uint64_t), pfn[i]);
	}
}

int
vmb_gpadl_encode_part(const struct vmb_gpadl_desc *d, uint32_t part,
		      void *buf, size_t cap)
{
	typedef struct vmb_msg_gpadl_header gh_t;
	typedef struct vmb_msg_gpadl_body gb_t;
	uint8_t *p = buf;
	uint32_t first, n;
	size_t len;
	int rc;

	if (d == NULL || buf == NULL) {
		return -EINVAL;
	}
	rc = vmb_gpadl_desc_check(d);
	if (rc < 0) {
		return rc;
	}
	if (part >= vmb_gpadl_msg_count(d->npfn)) {
		return -EINVAL;
	}
	if (part == 0) {
		n = SN_MIN(d->npfn, (uint32_t)VMB_GPADL_HEADER_MAX_PFNS);
		len = sizeof(gh_t) + sizeof(struct vmb_msg_gpa_range) +
		      (size_t)n * sizeof(uint64_t);
		if (len > cap) {
			return -EMSGSIZE;
		}
		memset(p, 0, sizeof(gh_t));
		VMB_WR32(p, gh_t, hdr.msgtype, VMB_MSG_GPADL_HEADER);
		VMB_WR32(p, gh_t, child_relid, d->child_relid);
		VMB_WR32(p, gh_t, gpadl, d->gpadl);
		VMB_WR16(p, gh_t, range_buflen,
			 (uint16_t)(sizeof(struct vmb_msg_gpa_range) +
				    (size_t)d->npfn * sizeof(uint64_t)));
		VMB_WR16(p, gh_t, rangecount, 1);
		sn_put_le32(p + sizeof(gh_t), d->byte_count);
		sn_put_le32(p + sizeof(gh_t) + 4, d->byte_offset);
		vmb_put_pfns(p + sizeof(gh_t) +
			     sizeof(struct vmb_msg_gpa_range), d->pfn, n);
		return (int)len;
	}
	first = VMB_GPADL_HEADER_MAX_PFNS +
		(part - 1) * VMB_GPADL_BODY_MAX_PFNS;
	n = SN_MIN(d->npfn - first, (uint32_t)VMB_GPADL_BODY_MAX_PFNS);
	len = sizeof(gb_t) + (size_t)n * sizeof(uint64_t);
	if (len > cap) {
		return -EMSGSIZE;
	}
	memset(p, 0, sizeof(gb_t));
	VMB_WR32(p, gb_t, hdr.msgtype, VMB_MSG_GPADL_BODY);
	VMB_WR32(p, gb_t, msgnumber, 0);
	VMB_WR32(p, gb_t, gpadl, d->gpadl);
	vmb_put_pfns(p + sizeof(gb_t), d->pfn + first, n);
	return (int)len;
}

/* ---- GPADL reassembly ---- */

void
vmb_gpadl_asm_init(struct vmb_gpadl_asm *a, uint64_t *pfn, uint32_t pfn_cap)
{
	if (a == NULL) {
		return;
	}
	memset(a, 0, sizeof(*a));
	a->pfn = pfn;
	a->pfn_cap = pfn == NULL ? 0 : pfn_cap;
	a->state = VMB_GPADL_ASM_IDLE;
}

int
vmb_gpadl_asm_header(struct vmb_gpadl_asm *a,
		     const struct vmb_chanmsg_gpadl_header *h)
{
	int rc;

	if (a == NULL || h == NULL || a->state != VMB_GPADL_ASM_IDLE) {
		return -EINVAL;
	}
	if (h->nwords > 0 && h->range_buf == NULL) {
		return -EINVAL;
	}
	rc = vmb_gpadl_begin(a, h->child_relid, h->gpadl, h->range_buflen,
			     h->rangecount);
	if (rc == 0 && h->nwords == 0) {
		rc = -EBADMSG;
	}
	if (rc == 0) {
		rc = vmb_gpadl_feed(a, h->range_buf, h->nwords);
	}
	if (rc < 0) {
		a->state = VMB_GPADL_ASM_FAILED;
	}
	return rc;
}

int
vmb_gpadl_asm_body(struct vmb_gpadl_asm *a,
		   const struct vmb_chanmsg_gpadl_body *b)
{
	int rc;

	if (a == NULL || b == NULL) {
		return -EINVAL;
	}
	if (b->nwords > 0 && b->words == NULL) {
		return -EINVAL;
	}
	if (a->state != VMB_GPADL_ASM_COLLECTING) {
		return -EBADMSG;
	}
	if (b->gpadl != a->gpadl || b->nwords == 0 ||
	    (b->msgnumber != 0 && b->msgnumber != a->nbodies + 1)) {
		a->state = VMB_GPADL_ASM_FAILED;
		return -EBADMSG;
	}
	rc = vmb_gpadl_feed(a, b->words, b->nwords);
	if (rc < 0) {
		a->state = VMB_GPADL_ASM_FAILED;
		return rc;
	}
	a->nbodies++;
	return rc;
}
