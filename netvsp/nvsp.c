/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp.c - NVSP message codec.  See nvsp.h for the contract.
 *
 * The peer is hostile: every field is read with sn_get_le*() at a fixed
 * offset after the length covering it has been checked, counts are capped
 * before any loop, and offsets are checked with sn_range_ok().  Nothing is
 * ever read through a struct pointer cast onto the peer's buffer.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "nvsp.h"

/* The two SUBCHANNEL views must stay layout-identical (see nvsp.h). */
SN_STATIC_ASSERT(sizeof(struct nvsp_subchan_req) ==
		 sizeof(struct nvsp_subchan_comp),
		 "subchannel views differ in size");
SN_STATIC_ASSERT(offsetof(struct nvsp_subchan_req, num_subchannels) ==
		 offsetof(struct nvsp_subchan_comp, num_allocated),
		 "subchannel views differ in layout");
SN_STATIC_ASSERT(NVSP_SEND_TABLE_OFFSET_MIN ==
		 sizeof(struct nvsp_wire_send_table),
		 "table must not overlap the fixed fields");

/* Field offset inside a wire struct. */
#define NVSP_OFF(type, field) offsetof(struct type, field)

/* Per-type facts: name, bytes decode needs, bytes encode writes (fixed). */
struct nvsp_type_info {
	uint32_t type;		/* NVSP_MSG*_TYPE_* */
	const char *name;	/* printable name */
	uint16_t min_len;	/* fields decode reads, header included */
	uint16_t fixed_len;	/* fixed part encode writes */
};

static const struct nvsp_type_info nvsp_types[] = {
	{ NVSP_MSG_TYPE_INIT, "INIT",
	  sizeof(struct nvsp_wire_init), sizeof(struct nvsp_wire_init) },
	{ NVSP_MSG_TYPE_INIT_COMPLETE, "INIT_COMPLETE",
	  sizeof(struct nvsp_wire_init_complete),
	  sizeof(struct nvsp_wire_init_complete) },
	{ NVSP_MSG1_TYPE_SEND_NDIS_VER, "SEND_NDIS_VER",
	  sizeof(struct nvsp_wire_ndis_ver),
	  sizeof(struct nvsp_wire_ndis_ver) },
	/* Decode does not read the trailing reserved u16. */
	{ NVSP_MSG1_TYPE_SEND_RECV_BUF, "SEND_RECV_BUF",
	  NVSP_OFF(nvsp_wire_send_buf, reserved),
	  sizeof(struct nvsp_wire_send_buf) },
	/* Sections are the variable part. */
	{ NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE, "SEND_RECV_BUF_COMPLETE",
	  NVSP_OFF(nvsp_wire_recv_buf_complete, sections),
	  NVSP_OFF(nvsp_wire_recv_buf_complete, sections) },
	{ NVSP_MSG1_TYPE_REVOKE_RECV_BUF, "REVOKE_RECV_BUF",
	  sizeof(struct nvsp_wire_revoke_buf),
	  sizeof(struct nvsp_wire_revoke_buf) },
	{ NVSP_MSG1_TYPE_SEND_SEND_BUF, "SEND_SEND_BUF",
	  NVSP_OFF(nvsp_wire_send_buf, reserved),
	  sizeof(struct nvsp_wire_send_buf) },
	{ NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE, "SEND_SEND_BUF_COMPLETE",
	  sizeof(struct nvsp_wire_send_buf_complete),
	  sizeof(struct nvsp_wire_send_buf_complete) },
	{ NVSP_MSG1_TYPE_REVOKE_SEND_BUF, "REVOKE_SEND_BUF",
	  sizeof(struct nvsp_wire_revoke_buf),
	  sizeof(struct nvsp_wire_revoke_buf) },
	{ NVSP_MSG1_TYPE_SEND_RNDIS_PKT, "SEND_RNDIS_PKT",
	  sizeof(struct nvsp_wire_rndis_pkt),
	  sizeof(struct nvsp_wire_rndis_pkt) },
	{ NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE, "SEND_RNDIS_PKT_COMPLETE",
	  sizeof(struct nvsp_wire_rndis_pkt_complete),
	  sizeof(struct nvsp_wire_rndis_pkt_complete) },
	{ NVSP_MSG2_TYPE_SEND_NDIS_CONFIG, "SEND_NDIS_CONFIG",
	  sizeof(struct nvsp_wire_ndis_config),
	  sizeof(struct nvsp_wire_ndis_config) },
	{ NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION, "SEND_VF_ASSOCIATION",
	  sizeof(struct nvsp_wire_vf_assoc),
	  sizeof(struct nvsp_wire_vf_assoc) },
	{ NVSP_MSG4_TYPE_SWITCH_DATA_PATH, "SWITCH_DATA_PATH",
	  sizeof(struct nvsp_wire_switch_dp),
	  sizeof(struct nvsp_wire_switch_dp) },
	{ NVSP_MSG5_TYPE_OID_QUERY_EX, "OID_QUERY_EX",
	  sizeof(struct nvsp_wire_oid_query_ex),
	  sizeof(struct nvsp_wire_oid_query_ex) },
	{ NVSP_MSG5_TYPE_OID_QUERY_EX_COMP, "OID_QUERY_EX_COMP",
	  sizeof(struct nvsp_wire_oid_query_ex_comp),
	  sizeof(struct nvsp_wire_oid_query_ex_comp) },
	{ NVSP_MSG5_TYPE_SUBCHANNEL, "SUBCHANNEL",
	  sizeof(struct nvsp_wire_subchannel),
	  sizeof(struct nvsp_wire_subchannel) },
	/* The table is the variable part. */
	{ NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE, "SEND_INDIRECTION_TABLE",
	  sizeof(struct nvsp_wire_send_table),
	  sizeof(struct nvsp_wire_send_table) },
};

static const struct nvsp_type_info *
nvsp_type_lookup(uint32_t type)
{
	size_t i;

	for (i = 0; i < SN_ARRAY_SIZE(nvsp_types); i++) {
		if (nvsp_types[i].type == type) {
			return &nvsp_types[i];
		}
	}
	return NULL;
}

/* Known versions, oldest first, with their short names. */
static const struct {
	uint32_t version;	/* NVSP_PROTOCOL_VERSION_* */
	const char *name;	/* short name */
} nvsp_versions[] = {
	{ NVSP_PROTOCOL_VERSION_1, "1" },
	{ NVSP_PROTOCOL_VERSION_2, "2" },
	{ NVSP_PROTOCOL_VERSION_4, "4" },
	{ NVSP_PROTOCOL_VERSION_5, "5" },
	{ NVSP_PROTOCOL_VERSION_6, "6" },
	{ NVSP_PROTOCOL_VERSION_61, "6.1" },
};

/* Status names indexed by NVSP_STAT_* value. */
static const char *const nvsp_status_names[] = {
	[NVSP_STAT_NONE] = "NONE",
	[NVSP_STAT_SUCCESS] = "SUCCESS",
	[NVSP_STAT_FAIL] = "FAIL",
	[NVSP_STAT_PROTOCOL_TOO_NEW] = "PROTOCOL_TOO_NEW",
	[NVSP_STAT_PROTOCOL_TOO_OLD] = "PROTOCOL_TOO_OLD",
	[NVSP_STAT_INVALID_RNDIS_PKT] = "INVALID_RNDIS_PKT",
	[NVSP_STAT_BUSY] = "BUSY",
	[NVSP_STAT_PROTOCOL_UNSUPPORTED] = "PROTOCOL_UNSUPPORTED",
};

bool
nvsp_version_supported(uint32_t v)
{
	size_t i;

	for (i = 0; i < SN_ARRAY_SIZE(nvsp_versions); i++) {
		if (nvsp_versions[i].version == v) {
			return true;
		}
	}
	return false;
}

const char *
nvsp_version_name(uint32_t v)
{
	size_t i;

	for (i = 0; i < SN_ARRAY_SIZE(nvsp_versions); i++) {
		if (nvsp_versions[i].version == v) {
			return nvsp_versions[i].name;
		}
	}
	return "unknown";
}

int
nvsp_version_format(uint32_t v, char *buf, size_t cap)
{
	int n;

	if (buf == NULL) {
		return -EINVAL;
	}
	n = snprintf(buf, cap, "%u.%u", (unsigned int)NVSP_VERSION_MAJOR(v),
		     (unsigned int)NVSP_VERSION_MINOR(v));
	if (n < 0) {
		return -EINVAL;
	}
	if ((size_t)n >= cap) {
		return -EMSGSIZE;
	}
	return n;
}

size_t
nvsp_msg_size(uint32_t v)
{
	/* Versions order numerically; V1 (0x2) is below all others. */
	if (v != NVSP_PROTOCOL_VERSION_INVALID &&
	    v >= NVSP_PROTOCOL_VERSION_61) {
		return NVSP_MSG_SIZE_V61;
	}
	return NVSP_MSG_SIZE_V1;
}

const char *
nvsp_msg_type_name(uint32_t type)
{
	const struct nvsp_type_info *ti = nvsp_type_lookup(type);

	return ti != NULL ? ti->name : "unknown";
}

const char *
nvsp_status_name(uint32_t status)
{
	if (status < SN_ARRAY_SIZE(nvsp_status_names)) {
		return nvsp_status_names[status];
	}
	return "unknown";
}

int
nvsp_msg_type(const void *buf, size_t len, uint32_t *type)
{
	if (buf == NULL || type == NULL) {
		return -EINVAL;
	}
	if (len < sizeof(struct nvsp_wire_hdr)) {
		return -EMSGSIZE;
	}
	*type = sn_get_le32(buf);
	return 0;
}

size_t
nvsp_min_len(uint32_t type)
{
	const struct nvsp_type_info *ti = nvsp_type_lookup(type);

	return ti != NULL ? ti->min_len : 0;
}

/* Little-endian u32/u16 at a byte offset of p. */
static inline uint32_t
rd32(const uint8_t *p, size_t off)
{
	return sn_get_le32(p + off);
}

static inline uint16_t
rd16(const uint8_t *p, size_t off)
{
	return sn_get_le16(p + off);
}

/* SEND_RECV_BUF_COMPLETE: status, count, then count sections. */
static int
nvsp_decode_recv_buf_comp(const uint8_t *p, size_t len,
			  struct nvsp_recv_buf_comp *rc)
{
	const size_t base = NVSP_OFF(nvsp_wire_recv_buf_complete, sections);
	const size_t ssz = sizeof(struct nvsp_wire_rbuf_section);
	uint32_t n;
	uint32_t i;

	rc->status = rd32(p, NVSP_OFF(nvsp_wire_recv_buf_complete, status));
	n = rd32(p, NVSP_OFF(nvsp_wire_recv_buf_complete, num_sections));
	/* Cap first: the multiplication below then cannot overflow. */
	if (n > NVSP_RBUF_SECTIONS_MAX) {
		return -EBADMSG;
	}
	if (!sn_range_ok(base, (uint64_t)n * ssz, len)) {
		return -EBADMSG;
	}
	rc->num_sections = n;
	for (i = 0; i < n; i++) {
		const uint8_t *s = p + base + (size_t)i * ssz;
		struct nvsp_rbuf_section *d = &rc->sections[i];

		d->offset = rd32(s, NVSP_OFF(nvsp_wire_rbuf_section, offset));
		d->sub_alloc_size = rd32(s,
			NVSP_OFF(nvsp_wire_rbuf_section, sub_alloc_size));
		d->num_sub_allocs = rd32(s,
			NVSP_OFF(nvsp_wire_rbuf_section, num_sub_allocs));
		d->end_offset = rd32(s,
			NVSP_OFF(nvsp_wire_rbuf_section, end_offset));
	}
	return 0;
}

/* SEND_INDIRECTION_TABLE: count, offset, table at offset. */
static int
nvsp_decode_send_table(const uint8_t *p, size_t len,
		       struct nvsp_send_table *st)
{
	uint32_t count;
	uint32_t off;
	uint32_t i;

	count = rd32(p, NVSP_OFF(nvsp_wire_send_table, count));
	off = rd32(p, NVSP_OFF(nvsp_wire_send_table, table_offset));
	if (count > NVSP_SEND_TABLE_SIZE) {
		return -EBADMSG;
	}
	if (off < NVSP_SEND_TABLE_OFFSET_MIN) {
		return -EBADMSG;
	}
	if (!sn_range_ok(off, (uint64_t)count * sizeof(uint32_t), len)) {
		return -EBADMSG;
	}
	st->count = count;
	st->offset = off;
	for (i = 0; i < count; i++) {
		st->entries[i] = rd32(p, (size_t)off + (size_t)i * 4);
	}
	return 0;
}

/*
 * Fixed-layout types: copy the fields out.  Length already checked.
 * One flat case per message type, so longer than usual: splitting it would
 * only scatter the layouts.
 */
static void
nvsp_decode_fixed(const uint8_t *p, struct nvsp_msg *m)
{
	switch (m->type) {
	case NVSP_MSG_TYPE_INIT:
		m->init.min_ver = rd32(p,
			NVSP_OFF(nvsp_wire_init, min_protocol_ver));
		m->init.max_ver = rd32(p,
			NVSP_OFF(nvsp_wire_init, max_protocol_ver));
		break;
	case NVSP_MSG_TYPE_INIT_COMPLETE:
		m->init_comp.negotiated_ver = rd32(p,
			NVSP_OFF(nvsp_wire_init_complete, negotiated_ver));
		m->init_comp.max_mdl_chain_len = rd32(p,
			NVSP_OFF(nvsp_wire_init_complete, max_mdl_chain_len));
		m->init_comp.status = rd32(p,
			NVSP_OFF(nvsp_wire_init_complete, status));
		break;
	case NVSP_MSG1_TYPE_SEND_NDIS_VER:
		m->ndis_ver.major = rd32(p,
			NVSP_OFF(nvsp_wire_ndis_ver, ndis_major));
		m->ndis_ver.minor = rd32(p,
			NVSP_OFF(nvsp_wire_ndis_ver, ndis_minor));
		break;
	case NVSP_MSG1_TYPE_SEND_RECV_BUF:
	case NVSP_MSG1_TYPE_SEND_SEND_BUF:
		/* recv_buf and send_buf are the same struct type. */
		m->send_buf.gpadl = rd32(p,
			NVSP_OFF(nvsp_wire_send_buf, gpadl_handle));
		m->send_buf.id = rd16(p, NVSP_OFF(nvsp_wire_send_buf, id));
		break;
	case NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
	case NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
		/* Same struct type for both revokes. */
		m->revoke_send_buf.id = rd16(p,
			NVSP_OFF(nvsp_wire_revoke_buf, id));
		break;
	case NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE:
		m->send_buf_comp.status = rd32(p,
			NVSP_OFF(nvsp_wire_send_buf_complete, status));
		m->send_buf_comp.section_size = rd32(p,
			NVSP_OFF(nvsp_wire_send_buf_complete, section_size));
		break;
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
		m->rndis_pkt.channel_type = rd32(p,
			NVSP_OFF(nvsp_wire_rndis_pkt, channel_type));
		m->rndis_pkt.section_index = rd32(p,
			NVSP_OFF(nvsp_wire_rndis_pkt, section_index));
		m->rndis_pkt.section_size = rd32(p,
			NVSP_OFF(nvsp_wire_rndis_pkt, section_size));
		break;
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE:
		m->rndis_pkt_comp.status = rd32(p,
			NVSP_OFF(nvsp_wire_rndis_pkt_complete, status));
		break;
	case NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
		m->ndis_config.mtu = rd32(p,
			NVSP_OFF(nvsp_wire_ndis_config, mtu));
		m->ndis_config.capabilities = sn_get_le64(p +
			NVSP_OFF(nvsp_wire_ndis_config, capabilities));
		break;
	case NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION:
		m->vf_assoc.allocated = rd32(p,
			NVSP_OFF(nvsp_wire_vf_assoc, allocated));
		m->vf_assoc.serial = rd32(p,
			NVSP_OFF(nvsp_wire_vf_assoc, serial));
		break;
	case NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
		m->switch_dp.active_datapath = rd32(p,
			NVSP_OFF(nvsp_wire_switch_dp, active_datapath));
		break;
	case NVSP_MSG5_TYPE_OID_QUERY_EX:
		m->oid_query_ex.hdr_type =
			p[NVSP_OFF(nvsp_wire_oid_query_ex, hdr_type)];
		m->oid_query_ex.hdr_revision =
			p[NVSP_OFF(nvsp_wire_oid_query_ex, hdr_revision)];
		m->oid_query_ex.hdr_size = rd16(p,
			NVSP_OFF(nvsp_wire_oid_query_ex, hdr_size));
		m->oid_query_ex.oid = rd32(p,
			NVSP_OFF(nvsp_wire_oid_query_ex, oid));
		break;
	case NVSP_MSG5_TYPE_OID_QUERY_EX_COMP:
		m->oid_query_ex_comp.status = rd32(p,
			NVSP_OFF(nvsp_wire_oid_query_ex_comp, status));
		m->oid_query_ex_comp.bytes = rd32(p,
			NVSP_OFF(nvsp_wire_oid_query_ex_comp, bytes));
		break;
	case NVSP_MSG5_TYPE_SUBCHANNEL:
		/* Written through the request view; see nvsp.h. */
		m->subchan_req.op = rd32(p,
			NVSP_OFF(nvsp_wire_subchannel, op_or_status));
		m->subchan_req.num_subchannels = rd32(p,
			NVSP_OFF(nvsp_wire_subchannel, num_subchannels));
		break;
	default:
		break;
	}
}

int
nvsp_decode(const void *buf, size_t len, struct nvsp_msg *out)
{
	const uint8_t *p = buf;
	const struct nvsp_type_info *ti;
	uint32_t type;
	int rc = 0;

	if (buf == NULL || out == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (len < sizeof(struct nvsp_wire_hdr)) {
		return -EMSGSIZE;
	}
	type = sn_get_le32(p);
	ti = nvsp_type_lookup(type);
	if (ti == NULL) {
		return -ENOTSUP;
	}
	if (len < ti->min_len) {
		return -EMSGSIZE;
	}
	out->type = type;
	switch (type) {
	case NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE:
		rc = nvsp_decode_recv_buf_comp(p, len, &out->recv_buf_comp);
		break;
	case NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE:
		rc = nvsp_decode_send_table(p, len, &out->send_table);
		break;
	default:
		nvsp_decode_fixed(p, out);
		break;
	}
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

/* Little-endian u32/u16 store at a byte offset of p. */
static inline void
wr32(uint8_t *p, size_t off, uint32_t v)
{
	sn_put_le32(p + off, v);
}

static inline void
wr16(uint8_t *p, size_t off, uint16_t v)
{
	sn_put_le16(p + off, v);
}

/*
 * Length of the message body encode will write for m (before padding),
 * or -errno for a message it cannot express.
 */
static int64_t
nvsp_encode_len(const struct nvsp_msg *m, const struct nvsp_type_info *ti)
{
	uint64_t off;

	switch (m->type) {
	case NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE:
		if (m->recv_buf_comp.num_sections > NVSP_RBUF_SECTIONS_MAX) {
			return -ERANGE;
		}
		return (int64_t)ti->fixed_len +
		       (int64_t)m->recv_buf_comp.num_sections *
		       (int64_t)sizeof(struct nvsp_wire_rbuf_section);
	case NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE:
		if (m->send_table.count > NVSP_SEND_TABLE_SIZE) {
			return -ERANGE;
		}
		off = m->send_table.offset != 0 ? m->send_table.offset :
		      NVSP_SEND_TABLE_OFFSET_DEFAULT;
		if (off < NVSP_SEND_TABLE_OFFSET_MIN) {
			return -EINVAL;
		}
		return (int64_t)(off + (uint64_t)m->send_table.count * 4);
	default:
		return ti->fixed_len;
	}
}

static void
nvsp_encode_recv_buf_comp(const struct nvsp_recv_buf_comp *rc, uint8_t *p)
{
	const size_t base = NVSP_OFF(nvsp_wire_recv_buf_complete, sections);
	const size_t ssz = sizeof(struct nvsp_wire_rbuf_section);
	uint32_t i;

	wr32(p, NVSP_OFF(nvsp_wire_recv_buf_complete, status), rc->status);
	wr32(p, NVSP_OFF(nvsp_wire_recv_buf_complete, num_sections),
	     rc->num_sections);
	/* num_sections was capped by nvsp_encode_len(). */
	for (i = 0; i < rc->num_sections; i++) {
		uint8_t *s = p + base + (size_t)i * ssz;
		const struct nvsp_rbuf_section *d = &rc->sections[i];

		wr32(s, NVSP_OFF(nvsp_wire_rbuf_section, offset), d->offset);
		wr32(s, NVSP_OFF(nvsp_wire_rbuf_section, sub_alloc_size),
		     d->sub_alloc_size);
		wr32(s, NVSP_OFF(nvsp_wire_rbuf_section, num_sub_allocs),
		     d->num_sub_allocs);
		wr32(s, NVSP_OFF(nvsp_wire_rbuf_section, end_offset),
		     d->end_offset);
	}
}

static void
nvsp_encode_send_table(const struct nvsp_send_table *st, uint8_t *p)
{
	uint32_t off = st->offset != 0 ? st->offset :
		       NVSP_SEND_TABLE_OFFSET_DEFAULT;
	uint32_t i;

	wr32(p, NVSP_OFF(nvsp_wire_send_table, count), st->count);
	wr32(p, NVSP_OFF(nvsp_wire_send_table, table_offset), off);
	/* count was capped and off + 4 * count checked against cap. */
	for (i = 0; i < st->count; i++) {
		wr32(p, (size_t)off + (size_t)i * 4, st->entries[i]);
	}
}

/*
 * Fixed-layout types: store the fields.  buf is zeroed and big enough.
 * One flat case per message type (see nvsp_decode_fixed()).
 */
static void
nvsp_encode_fixed(const struct nvsp_msg *m, uint8_t *p)
{
	switch (m->type) {
	case NVSP_MSG_TYPE_INIT:
		wr32(p, NVSP_OFF(nvsp_wire_init, min_protocol_ver),
		     m->init.min_ver);
		wr32(p, NVSP_OFF(nvsp_wire_init, max_protocol_ver),
		     m->init.max_ver);
		break;
	case NVSP_MSG_TYPE_INIT_COMPLETE:
		wr32(p, NVSP_OFF(nvsp_wire_init_complete, negotiated_ver),
		     m->init_comp.negotiated_ver);
		wr32(p, NVSP_OFF(nvsp_wire_init_complete, max_mdl_chain_len),
		     m->init_comp.max_mdl_chain_len);
		wr32(p, NVSP_OFF(nvsp_wire_init_complete, status),
		     m->init_comp.status);
		break;
	case NVSP_MSG1_TYPE_SEND_NDIS_VER:
		wr32(p, NVSP_OFF(nvsp_wire_ndis_ver, ndis_major),
		     m->ndis_ver.major);
		wr32(p, NVSP_OFF(nvsp_wire_ndis_ver, ndis_minor),
		     m->ndis_ver.minor);
		break;
	case NVSP_MSG1_TYPE_SEND_RECV_BUF:
	case NVSP_MSG1_TYPE_SEND_SEND_BUF:
		wr32(p, NVSP_OFF(nvsp_wire_send_buf, gpadl_handle),
		     m->send_buf.gpadl);
		wr16(p, NVSP_OFF(nvsp_wire_send_buf, id), m->send_buf.id);
		break;
	case NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
	case NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
		wr16(p, NVSP_OFF(nvsp_wire_revoke_buf, id),
		     m->revoke_send_buf.id);
		break;
	case NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE:
		wr32(p, NVSP_OFF(nvsp_wire_send_buf_complete, status),
		     m->send_buf_comp.status);
		wr32(p, NVSP_OFF(nvsp_wire_send_buf_complete, section_size),
		     m->send_buf_comp.section_size);
		break;
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
		wr32(p, NVSP_OFF(nvsp_wire_rndis_pkt, channel_type),
		     m->rndis_pkt.channel_type);
		wr32(p, NVSP_OFF(nvsp_wire_rndis_pkt, section_index),
		     m->rndis_pkt.section_index);
		wr32(p, NVSP_OFF(nvsp_wire_rndis_pkt, section_size),
		     m->rndis_pkt.section_size);
		break;
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE:
		wr32(p, NVSP_OFF(nvsp_wire_rndis_pkt_complete, status),
		     m->rndis_pkt_comp.status);
		break;
	case NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
		wr32(p, NVSP_OFF(nvsp_wire_ndis_config, mtu),
		     m->ndis_config.mtu);
		sn_put_le64(p + NVSP_OFF(nvsp_wire_ndis_config, capabilities),
			    m->ndis_config.capabilities);
		break;
	case NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION:
		wr32(p, NVSP_OFF(nvsp_wire_vf_assoc, allocated),
		     m->vf_assoc.allocated);
		wr32(p, NVSP_OFF(nvsp_wire_vf_assoc, serial),
		     m->vf_assoc.serial);
		break;
	case NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
		wr32(p, NVSP_OFF(nvsp_wire_switch_dp, active_datapath),
		     m->switch_dp.active_datapath);
		break;
	case NVSP_MSG5_TYPE_OID_QUERY_EX:
		p[NVSP_OFF(nvsp_wire_oid_query_ex, hdr_type)] =
			m->oid_query_ex.hdr_type;
		p[NVSP_OFF(nvsp_wire_oid_query_ex, hdr_revision)] =
			m->oid_query_ex.hdr_revision;
		wr16(p, NVSP_OFF(nvsp_wire_oid_query_ex, hdr_size),
		     m->oid_query_ex.hdr_size);
		wr32(p, NVSP_OFF(nvsp_wire_oid_query_ex, oid),
		     m->oid_query_ex.oid);
		break;
	case NVSP_MSG5_TYPE_OID_QUERY_EX_COMP:
		wr32(p, NVSP_OFF(nvsp_wire_oid_query_ex_comp, status),
		     m->oid_query_ex_comp.status);
		wr32(p, NVSP_OFF(nvsp_wire_oid_query_ex_comp, bytes),
		     m->oid_query_ex_comp.bytes);
		break;
	case NVSP_MSG5_TYPE_SUBCHANNEL:
		/* Either view: same layout (see nvsp.h). */
		wr32(p, NVSP_OFF(nvsp_wire_subchannel, op_or_status),
		     m->subchan_req.op);
		wr32(p, NVSP_OFF(nvsp_wire_subchannel, num_subchannels),
		     m->subchan_req.num_subchannels);
		break;
	default:
		break;
	}
}

int
nvsp_encode(const struct nvsp_msg *m, void *buf, size_t cap, size_t min_size)
{
	const struct nvsp_type_info *ti;
	uint8_t *p = buf;
	int64_t body;
	uint64_t total;

	if (m == NULL || buf == NULL) {
		return -EINVAL;
	}
	ti = nvsp_type_lookup(m->type);
	if (ti == NULL) {
		return -ENOTSUP;
	}
	body = nvsp_encode_len(m, ti);
	if (body < 0) {
		return (int)body;
	}
	total = SN_MAX((uint64_t)body, (uint64_t)min_size);
	if (total > cap || total > INT_MAX) {
		return -EMSGSIZE;
	}
	memset(p, 0, (size_t)total);
	wr32(p, NVSP_OFF(nvsp_wire_hdr, msg_type), m->type);
	switch (m->type) {
	case NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE:
		nvsp_encode_recv_buf_comp(&m->recv_buf_comp, p);
		break;
	case NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE:
		nvsp_encode_send_table(&m->send_table, p);
		break;
	default:
		nvsp_encode_fixed(m, p);
		break;
	}
	return (int)total;
}

const struct nvsp_rbuf_section *
nvsp_rbuf_section(const struct nvsp_msg *m, uint32_t i)
{
	if (m == NULL || m->type != NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE) {
		return NULL;
	}
	if (i >= m->recv_buf_comp.num_sections ||
	    i >= NVSP_RBUF_SECTIONS_MAX) {
		return NULL;
	}
	return &m->recv_buf_comp.sections[i];
}

int
nvsp_send_table_entry(const struct nvsp_msg *m, uint32_t i, uint32_t *entry)
{
	if (m == NULL || entry == NULL ||
	    m->type != NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE) {
		return -EINVAL;
	}
	if (i >= m->send_table.count || i >= NVSP_SEND_TABLE_SIZE) {
		return -ERANGE;
	}
	*entry = m->send_table.entries[i];
	return 0;
}
