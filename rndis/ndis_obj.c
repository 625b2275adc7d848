/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ndis_obj.c - NDIS object codec (offload, offload parameters, RSS).
 *
 * Every field is copied out of / into the byte buffer at the offsets of the
 * ndis_wire.h structs; the buffers are never accessed through those
 * structs.  See ndis_obj.h for the contract of each function.
 */
#include <errno.h>
#include <string.h>

#include "ndis_obj.h"

/* Byte offset of field in wire struct type. */
#define NDIS_OFF(type, field) offsetof(struct type, field)

/* --- object header ---------------------------------------------------- */

int
ndis_obj_hdr_encode(const struct ndis_obj_hdr *h, void *buf, size_t len)
{
	uint8_t *b = buf;

	if (h == NULL || buf == NULL) {
		return -EINVAL;
	}
	if (len < sizeof(struct ndis_obj_hdr_wire)) {
		return -EMSGSIZE;
	}
	b[NDIS_OFF(ndis_obj_hdr_wire, type)] = h->type;
	b[NDIS_OFF(ndis_obj_hdr_wire, revision)] = h->revision;
	sn_put_le16(b + NDIS_OFF(ndis_obj_hdr_wire, size), h->size);
	return (int)sizeof(struct ndis_obj_hdr_wire);
}

int
ndis_obj_hdr_decode(const void *buf, size_t len, struct ndis_obj_hdr *h)
{
	const uint8_t *b = buf;

	if (buf == NULL || h == NULL) {
		return -EINVAL;
	}
	if (len < sizeof(struct ndis_obj_hdr_wire)) {
		return -EMSGSIZE;
	}
	h->type = b[NDIS_OFF(ndis_obj_hdr_wire, type)];
	h->revision = b[NDIS_OFF(ndis_obj_hdr_wire, revision)];
	h->size = sn_get_le16(b + NDIS_OFF(ndis_obj_hdr_wire, size));
	return 0;
}

int
ndis_obj_hdr_validate(const struct ndis_obj_hdr *h, size_t len, uint8_t type,
		      uint8_t min_rev, uint16_t min_size)
{
	if (h == NULL) {
		return -EINVAL;
	}
	if (h->type != type || h->revision < min_rev ||
	    h->revision == 0 || h->size < min_size ||
	    h->size < sizeof(struct ndis_obj_hdr_wire)) {
		return -EBADMSG;
	}
	if (h->size > len) {
		return -EMSGSIZE;
	}
	return 0;
}

/* Decode the header at buf and validate it in one step. */
static int
ndis_hdr_get(const void *buf, size_t len, uint8_t type, uint8_t min_rev,
	     uint16_t min_size, struct ndis_obj_hdr *h)
{
	int rc = ndis_obj_hdr_decode(buf, len, h);

	if (rc != 0) {
		return rc;
	}
	return ndis_obj_hdr_validate(h, len, type, min_rev, min_size);
}

/* --- NDIS_OFFLOAD ----------------------------------------------------- */

uint16_t
ndis_offload_size(uint8_t rev)
{
	switch (rev) {
	case NDIS_OFFLOAD_REV_1:
		return NDIS_OFFLOAD_SIZE_REV_1;
	case NDIS_OFFLOAD_REV_2:
		return NDIS_OFFLOAD_SIZE_REV_2;
	case NDIS_OFFLOAD_REV_3:
		return NDIS_OFFLOAD_SIZE_REV_3;
	default:
		return 0;
	}
}

/* Copy n u32 between host array and wire bytes (LE). */
static void
ndis_put_u32s(uint8_t *dst, const uint32_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sn_put_le32(dst + 4 * i, src[i]);
	}
}

static void
ndis_get_u32s(uint32_t *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		dst[i] = sn_get_le32(src + 4 * i);
	}
}

/* The rev 1 part of NDIS_OFFLOAD after the header, as a u32 array. */
static void
ndis_offload_rev1_to_u32s(const struct ndis_offload *o, uint32_t v[27])
{
	v[0] = o->csum.ip4_tx_encap;
	v[1] = o->csum.ip4_tx_flags;
	v[2] = o->csum.ip4_rx_encap;
	v[3] = o->csum.ip4_rx_flags;
	v[4] = o->csum.ip6_tx_encap;
	v[5] = o->csum.ip6_tx_flags;
	v[6] = o->csum.ip6_rx_encap;
	v[7] = o->csum.ip6_rx_flags;
	v[8] = o->lsov1.encap;
	v[9] = o->lsov1.max_size;
	v[10] = o->lsov1.min_segs;
	v[11] = o->lsov1.opts;
	memcpy(&v[12], o->ipsecv1, sizeof(o->ipsecv1));
	v[19] = o->lsov2.ip4_encap;
	v[20] = o->lsov2.ip4_max_size;
	v[21] = o->lsov2.ip4_min_segs;
	v[22] = o->lsov2.ip6_encap;
	v[23] = o->lsov2.ip6_max_size;
	v[24] = o->lsov2.ip6_min_segs;
	v[25] = o->lsov2.ip6_opts;
	v[26] = o->flags;
}

static void
ndis_offload_rev1_from_u32s(struct ndis_offload *o, const uint32_t v[27])
{
	o->csum.ip4_tx_encap = v[0];
	o->csum.ip4_tx_flags = v[1];
	o->csum.ip4_rx_encap = v[2];
	o->csum.ip4_rx_flags = v[3];
	o->csum.ip6_tx_encap = v[4];
	o->csum.ip6_tx_flags = v[5];
	o->csum.ip6_rx_encap = v[6];
	o->csum.ip6_rx_flags = v[7];
	o->lsov1.encap = v[8];
	o->lsov1.max_size = v[9];
	o->lsov1.min_segs = v[10];
	o->lsov1.opts = v[11];
	memcpy(o->ipsecv1, &v[12], sizeof(o->ipsecv1));
	o->lsov2.ip4_encap = v[19];
	o->lsov2.ip4_max_size = v[20];
	o->lsov2.ip4_min_segs = v[21];
	o->lsov2.ip6_encap = v[22];
	o->lsov2.ip6_max_size = v[23];
	o->lsov2.ip6_min_segs = v[24];
	o->lsov2.ip6_opts = v[25];
	o->flags = v[26];
}

/* Number of u32 between the header and the end of revision 1. */
#define NDIS_OFFLOAD_REV1_WORDS \
	((NDIS_OFFLOAD_SIZE_REV_1 - sizeof(struct ndis_obj_hdr_wire)) / 4)
SN_STATIC_ASSERT(NDIS_OFFLOAD_REV1_WORDS == 27, "NDIS_OFFLOAD rev 1 words");

int
ndis_offload_encode(const struct ndis_offload *o, void *buf, size_t len)
{
	struct ndis_obj_hdr h;
	uint32_t v[NDIS_OFFLOAD_REV1_WORDS];
	uint8_t *b = buf;
	uint16_t size;

	if (o == NULL || buf == NULL) {
		return -EINVAL;
	}
	size = ndis_offload_size(o->revision);
	if (size == 0) {
		return -EINVAL;
	}
	if (len < size) {
		return -EMSGSIZE;
	}
	memset(b, 0, size);
	h.type = NDIS_OBJTYPE_OFFLOAD;
	h.revision = o->revision;
	h.size = size;
	(void)ndis_obj_hdr_encode(&h, b, len);
	ndis_offload_rev1_to_u32s(o, v);
	ndis_put_u32s(b + NDIS_OFF(ndis_offload_wire, csum), v,
		      NDIS_OFFLOAD_REV1_WORDS);
	if (o->revision >= NDIS_OFFLOAD_REV_2) {
		memcpy(b + NDIS_OFF(ndis_offload_wire, ipsecv2), o->ipsecv2,
		       sizeof(o->ipsecv2));
	}
	if (o->revision >= NDIS_OFFLOAD_REV_3) {
		b[NDIS_OFF(ndis_offload_wire, rsc_ip4)] = o->rsc_ip4;
		b[NDIS_OFF(ndis_offload_wire, rsc_ip6)] = o->rsc_ip6;
		sn_put_le32(b + NDIS_OFF(ndis_offload_wire, encap_gre_flags),
			    o->encap_gre_flags);
		sn_put_le32(b + NDIS_OFF(ndis_offload_wire, encap_gre_max_hdr),
			    o->encap_gre_max_hdr);
	}
	return size;
}

int
ndis_offload_decode(const void *buf, size_t len, struct ndis_offload *out)
{
	struct ndis_obj_hdr h;
	uint32_t v[NDIS_OFFLOAD_REV1_WORDS];
	const uint8_t *b = buf;
	uint8_t rev;
	int rc;

	if (out == NULL) {
		return -EINVAL;
	}
	rc = ndis_hdr_get(buf, len, NDIS_OBJTYPE_OFFLOAD, NDIS_OFFLOAD_REV_1,
			  NDIS_OFFLOAD_SIZE_REV_1, &h);
	if (rc != 0) {
		return rc;
	}
	/* Newer revisions only append: read them as the newest we know. */
	rev = SN_MIN(h.revision, NDIS_OFFLOAD_REV_3);
	if (h.size < ndis_offload_size(rev)) {
		return -EBADMSG;
	}
	memset(out, 0, sizeof(*out));
	out->revision = h.revision;
	ndis_get_u32s(v, b + NDIS_OFF(ndis_offload_wire, csum),
		      NDIS_OFFLOAD_REV1_WORDS);
	ndis_offload_rev1_from_u32s(out, v);
	if (rev >= NDIS_OFFLOAD_REV_2) {
		memcpy(out->ipsecv2, b + NDIS_OFF(ndis_offload_wire, ipsecv2),
		       sizeof(out->ipsecv2));
	}
	if (rev >= NDIS_OFFLOAD_REV_3) {
		out->rsc_ip4 = b[NDIS_OFF(ndis_offload_wire, rsc_ip4)];
		out->rsc_ip6 = b[NDIS_OFF(ndis_offload_wire, rsc_ip6)];
		out->encap_gre_flags = sn_get_le32(b +
			NDIS_OFF(ndis_offload_wire, encap_gre_flags));
		out->encap_gre_max_hdr = sn_get_le32(b +
			NDIS_OFF(ndis_offload_wire, encap_gre_max_hdr));
	}
	return 0;
}

/* --- offload configuration -------------------------------------------- */

/* NDIS_CSUM4_* flags for the IPv4 offloads of cfg enabled in dir. */
static uint32_t
ndis_csum4_flags(const struct ndis_offload_config *cfg, uint8_t dir)
{
	uint32_t f = 0;

	if (cfg->tcp4_csum & dir) {
		f |= NDIS_CSUM4_TCP | NDIS_CSUM4_TCP_OPTIONS |
		     NDIS_CSUM4_IP_OPTIONS;
	}
	if (cfg->udp4_csum & dir) {
		f |= NDIS_CSUM4_UDP | NDIS_CSUM4_IP_OPTIONS;
	}
	if (cfg->ip4_csum & dir) {
		f |= NDIS_CSUM4_IP | NDIS_CSUM4_IP_OPTIONS;
	}
	return f;
}

static uint32_t
ndis_csum6_flags(const struct ndis_offload_config *cfg, uint8_t dir)
{
	uint32_t f = 0;

	if (cfg->tcp6_csum & dir) {
		f |= NDIS_CSUM6_TCP | NDIS_CSUM6_TCP_OPTIONS |
		     NDIS_CSUM6_IP_EXT_HDRS;
	}
	if (cfg->udp6_csum & dir) {
		f |= NDIS_CSUM6_UDP | NDIS_CSUM6_IP_EXT_HDRS;
	}
	return f;
}

static uint32_t
ndis_encap_if(uint32_t flags)
{
	return flags != 0 ? NDIS_ENCAP_IEEE_802_3 : NDIS_ENCAP_NONE;
}

int
ndis_offload_from_config(const struct ndis_offload_config *cfg, uint8_t rev,
			 uint32_t lso_max_size, uint32_t lso_min_segs,
			 struct ndis_offload *out)
{
	if (cfg == NULL || out == NULL || ndis_offload_size(rev) == 0) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->revision = rev;
	out->csum.ip4_tx_flags = ndis_csum4_flags(cfg, NDIS_OFL_TX);
	out->csum.ip4_tx_encap = ndis_encap_if(out->csum.ip4_tx_flags);
	out->csum.ip4_rx_flags = ndis_csum4_flags(cfg, NDIS_OFL_RX);
	out->csum.ip4_rx_encap = ndis_encap_if(out->csum.ip4_rx_flags);
	out->csum.ip6_tx_flags = ndis_csum6_flags(cfg, NDIS_OFL_TX);
	out->csum.ip6_tx_encap = ndis_encap_if(out->csum.ip6_tx_flags);
	out->csum.ip6_rx_flags = ndis_csum6_flags(cfg, NDIS_OFL_RX);
	out->csum.ip6_rx_encap = ndis_encap_if(out->csum.ip6_rx_flags);
	if (cfg->lsov2_ip4) {
		out->lsov2.ip4_encap = NDIS_ENCAP_IEEE_802_3;
		out->lsov2.ip4_max_size = lso_max_size;
		out->lsov2.ip4_min_segs = lso_min_segs;
	}
	if (cfg->lsov2_ip6) {
		out->lsov2.ip6_encap = NDIS_ENCAP_IEEE_802_3;
		out->lsov2.ip6_max_size = lso_max_size;
		out->lsov2.ip6_min_segs = lso_min_segs;
		out->lsov2.ip6_opts = NDIS_LSOV2_6_IP_EXT_HDRS |
				      NDIS_LSOV2_6_TCP_OPTIONS;
	}
	if (rev >= NDIS_OFFLOAD_REV_3) {
		out->rsc_ip4 = cfg->rsc_ip4 ? 1 : 0;
		out->rsc_ip6 = cfg->rsc_ip6 ? 1 : 0;
	}
	return 0;
}

/* --- NDIS_OFFLOAD_PARAMETERS ------------------------------------------ */

/* One byte-sized member of NDIS_OFFLOAD_PARAMETERS. */
struct ndis_param_field {
	uint8_t off;		/* wire offset */
	uint8_t min_rev;	/* first revision that carries it */
	uint8_t max_val;	/* highest valid value, 0xff = unchecked */
	size_t host_off;	/* offset in struct ndis_offload_params */
};

#define NDIS_PF(f, rev, max)						\
	{ NDIS_OFF(ndis_offload_params_wire, f), (rev), (max),		\
	  offsetof(struct ndis_offload_params, f) }

static const struct ndis_param_field ndis_param_fields[] = {
	NDIS_PF(ip4_csum, 1, NDIS_OFFLOAD_PARAM_TX_RX),
	NDIS_PF(tcp4_csum, 1, NDIS_OFFLOAD_PARAM_TX_RX),
	NDIS_PF(udp4_csum, 1, NDIS_OFFLOAD_PARAM_TX_RX),
	NDIS_PF(tcp6_csum, 1, NDIS_OFFLOAD_PARAM_TX_RX),
	NDIS_PF(udp6_csum, 1, NDIS_OFFLOAD_PARAM_TX_RX),
	NDIS_PF(lsov1, 1, NDIS_OFFLOAD_SET_ON),
	NDIS_PF(ipsecv1, 1, 0xff),
	NDIS_PF(lsov2_ip4, 1, NDIS_OFFLOAD_SET_ON),
	NDIS_PF(lsov2_ip6, 1, NDIS_OFFLOAD_SET_ON),
	NDIS_PF(tcp_conn_ip4, 1, 0xff),
	NDIS_PF(tcp_conn_ip6, 1, 0xff),
	NDIS_PF(ipsecv2, 2, 0xff),
	NDIS_PF(ipsecv2_ip4, 2, 0xff),
	NDIS_PF(rsc_ip4, 3, NDIS_OFFLOAD_SET_ON),
	NDIS_PF(rsc_ip6, 3, NDIS_OFFLOAD_SET_ON),
	NDIS_PF(encap, 3, 0xff),
	NDIS_PF(encap_types, 3, 0xff),
};

int
ndis_offload_params_decode(const void *buf, size_t len,
			   struct ndis_offload_params *out)
{
	struct ndis_obj_hdr h;
	const uint8_t *b = buf;
	size_t i;
	int rc;

	if (out == NULL) {
		return -EINVAL;
	}
	rc = ndis_hdr_get(buf, len, NDIS_OBJTYPE_DEFAULT,
			  NDIS_OFFLOAD_PARAMS_REV_1,
			  NDIS_OFFLOAD_PARAMS_SIZE_REV_1, &h);
	if (rc != 0) {
		return rc;
	}
	memset(out, 0, sizeof(*out));
	out->revision = h.revision;
	out->size = h.size;
	for (i = 0; i < SN_ARRAY_SIZE(ndis_param_fields); i++) {
		const struct ndis_param_field *f = &ndis_param_fields[i];
		uint8_t v = 0;

		if (h.revision >= f->min_rev && f->off < h.size) {
			v = b[f->off];
		}
		if (v > f->max_val) {
			return -ERANGE;
		}
		((uint8_t *)out)[f->host_off] = v;
	}
	out->flags = sn_get_le32(b + NDIS_OFF(ndis_offload_params_wire, flags));
	return 0;
}

int
ndis_offload_params_encode(const struct ndis_offload_params *p, void *buf,
			   size_t len)
{
	struct ndis_obj_hdr h;
	uint8_t *b = buf;
	size_t i;

	if (p == NULL || buf == NULL ||
	    p->revision < NDIS_OFFLOAD_PARAMS_REV_1 ||
	    p->revision > NDIS_OFFLOAD_PARAMS_REV_3 ||
	    p->size < NDIS_OFFLOAD_PARAMS_SIZE_REV_1 ||
	    p->size > NDIS_OFFLOAD_PARAMS_SIZE_FULL) {
		return -EINVAL;
	}
	if (len < p->size) {
		return -EMSGSIZE;
	}
	memset(b, 0, p->size);
	h.type = NDIS_OBJTYPE_DEFAULT;
	h.revision = p->revision;
	h.size = p->size;
	(void)ndis_obj_hdr_encode(&h, b, len);
	for (i = 0; i < SN_ARRAY_SIZE(ndis_param_fields); i++) {
		const struct ndis_param_field *f = &ndis_param_fields[i];

		if (p->revision >= f->min_rev && f->off < p->size) {
			b[f->off] = ((const uint8_t *)p)[f->host_off];
		}
	}
	sn_put_le32(b + NDIS_OFF(ndis_offload_params_wire, flags), p->flags);
	return p->size;
}

/* Requested checksum state: NDIS_OFL_* for values 1..4. */
static const uint8_t ndis_csum_want[] = {
	[NDIS_OFFLOAD_PARAM_OFF] = 0,
	[NDIS_OFFLOAD_PARAM_TX] = NDIS_OFL_TX,
	[NDIS_OFFLOAD_PARAM_RX] = NDIS_OFL_RX,
	[NDIS_OFFLOAD_PARAM_TX_RX] = NDIS_OFL_TX_RX,
};

/* Apply one checksum request; counts a partially denied request. */
static int
ndis_apply_csum(uint8_t req, uint8_t cap, uint8_t cur, uint8_t *out,
		int *denied)
{
	uint8_t want;

	if (req > NDIS_OFFLOAD_PARAM_TX_RX) {
		return -ERANGE;
	}
	if (req == NDIS_OFFLOAD_PARAM_NO_CHANGE) {
		*out = cur & cap & NDIS_OFL_TX_RX;
		return 0;
	}
	want = ndis_csum_want[req];
	*out = want & cap;
	if (*out != want) {
		(*denied)++;
	}
	return 0;
}

/* Apply one LSO/RSC on/off request. */
static int
ndis_apply_onoff(uint8_t req, uint8_t cap, uint8_t cur, uint8_t *out,
		 int *denied)
{
	uint8_t can = cap ? 1 : 0;

	switch (req) {
	case NDIS_OFFLOAD_SET_NO_CHANGE:
		*out = (cur ? 1 : 0) & can;
		return 0;
	case NDIS_OFFLOAD_SET_OFF:
		*out = 0;
		return 0;
	case NDIS_OFFLOAD_SET_ON:
		*out = can;
		if (!can) {
			(*denied)++;
		}
		return 0;
	default:
		return -ERANGE;
	}
}

int
ndis_offload_params_apply(const struct ndis_offload_params *req,
			  const struct ndis_offload_config *caps,
			  const struct ndis_offload_config *cur,
			  struct ndis_offload_config *out)
{
	struct ndis_offload_config res;
	int denied = 0;
	int rc = 0;

	if (req == NULL || caps == NULL || cur == NULL || out == NULL) {
		return -EINVAL;
	}
	memset(&res, 0, sizeof(res));
	rc |= ndis_apply_csum(req->ip4_csum, caps->ip4_csum, cur->ip4_csum,
			      &res.ip4_csum, &denied);
	rc |= ndis_apply_csum(req->tcp4_csum, caps->tcp4_csum, cur->tcp4_csum,
			      &res.tcp4_csum, &denied);
	rc |= ndis_apply_csum(req->udp4_csum, caps->udp4_csum, cur->udp4_csum,
			      &res.udp4_csum, &denied);
	rc |= ndis_apply_csum(req->tcp6_csum, caps->tcp6_csum, cur->tcp6_csum,
			      &res.tcp6_csum, &denied);
	rc |= ndis_apply_csum(req->udp6_csum, caps->udp6_csum, cur->udp6_csum,
			      &res.udp6_csum, &denied);
	rc |= ndis_apply_onoff(req->lsov2_ip4, caps->lsov2_ip4,
			       cur->lsov2_ip4, &res.lsov2_ip4, &denied);
	rc |= ndis_apply_onoff(req->lsov2_ip6, caps->lsov2_ip6,
			       cur->lsov2_ip6, &res.lsov2_ip6, &denied);
	rc |= ndis_apply_onoff(req->rsc_ip4, caps->rsc_ip4, cur->rsc_ip4,
			       &res.rsc_ip4, &denied);
	rc |= ndis_apply_onoff(req->rsc_ip6, caps->rsc_ip6, cur->rsc_ip6,
			       &res.rsc_ip6, &denied);
	if (req->lsov1 > NDIS_OFFLOAD_SET_ON) {
		return -ERANGE;
	}
	if (rc != 0) {
		return -ERANGE;
	}
	/* Never supported: LSOv1 on, any IPsec mode other than off. */
	denied += req->lsov1 == NDIS_OFFLOAD_SET_ON;
	denied += req->ipsecv1 > NDIS_OFFLOAD_SET_OFF;
	denied += req->ipsecv2 > NDIS_OFFLOAD_SET_OFF;
	denied += req->ipsecv2_ip4 > NDIS_OFFLOAD_SET_OFF;
	*out = res;
	return denied;
}

/* --- RSS capabilities ------------------------------------------------- */

int
ndis_rss_caps_encode(const struct ndis_rss_caps *c, void *buf, size_t len)
{
	struct ndis_obj_hdr h;
	uint8_t *b = buf;

	if (c == NULL || buf == NULL) {
		return -EINVAL;
	}
	if (len < NDIS_RSS_CAPS_SIZE_REV_2) {
		return -EMSGSIZE;
	}
	h.type = NDIS_OBJTYPE_RSS_CAPS;
	h.revision = NDIS_RSS_CAPS_REV_2;
	h.size = NDIS_RSS_CAPS_SIZE_REV_2;
	(void)ndis_obj_hdr_encode(&h, b, len);
	sn_put_le32(b + NDIS_OFF(ndis_rss_caps_wire, caps_flags),
		    c->caps_flags);
	sn_put_le32(b + NDIS_OFF(ndis_rss_caps_wire, num_int_msgs),
		    c->num_int_msgs);
	sn_put_le32(b + NDIS_OFF(ndis_rss_caps_wire, num_queues),
		    c->num_queues);
	sn_put_le16(b + NDIS_OFF(ndis_rss_caps_wire, num_itab_entries),
		    c->num_itab_entries);
	return NDIS_RSS_CAPS_SIZE_REV_2;
}

int
ndis_rss_caps_decode(const void *buf, size_t len, struct ndis_rss_caps *out)
{
	struct ndis_obj_hdr h;
	const uint8_t *b = buf;
	int rc;

	if (out == NULL) {
		return -EINVAL;
	}
	rc = ndis_hdr_get(buf, len, NDIS_OBJTYPE_RSS_CAPS, NDIS_RSS_CAPS_REV_1,
			  NDIS_RSS_CAPS_SIZE_REV_1, &h);
	if (rc != 0) {
		return rc;
	}
	if (h.revision >= NDIS_RSS_CAPS_REV_2 &&
	    h.size < NDIS_RSS_CAPS_SIZE_REV_2) {
		return -EBADMSG;
	}
	memset(out, 0, sizeof(*out));
	out->revision = h.revision;
	out->caps_flags = sn_get_le32(b +
		NDIS_OFF(ndis_rss_caps_wire, caps_flags));
	out->num_int_msgs = sn_get_le32(b +
		NDIS_OFF(ndis_rss_caps_wire, num_int_msgs));
	out->num_queues = sn_get_le32(b +
		NDIS_OFF(ndis_rss_caps_wire, num_queues));
	if (h.revision >= NDIS_RSS_CAPS_REV_2) {
		out->num_itab_entries = sn_get_le16(b +
			NDIS_OFF(ndis_rss_caps_wire, num_itab_entries));
	}
	return 0;
}

/* --- RSS parameters --------------------------------------------------- */

/* Validate and copy out the indirection table. */
static int
ndis_rss_get_table(const uint8_t *b, size_t len, uint16_t hdr_size,
		   uint32_t nqueues, struct ndis_rss_params *out)
{
	uint16_t size = sn_get_le16(b +
		NDIS_OFF(ndis_rss_params_wire, itab_size));
	uint32_t off = sn_get_le32(b +
		NDIS_OFF(ndis_rss_params_wire, itab_offset));
	uint16_t i, n;

	if (size == 0 || size % NDIS_RSS_ITAB_ENTRY_SIZE != 0) {
		return -EBADMSG;
	}
	if (size > NDIS_RSS_ITAB_MAX_SIZE) {
		return -ERANGE;
	}
	if (off < hdr_size || !sn_range_ok(off, size, len)) {
		return -EBADMSG;
	}
	n = size / NDIS_RSS_ITAB_ENTRY_SIZE;	/* <= 128 */
	for (i = 0; i < n; i++) {
		uint32_t q = sn_get_le32(b + off +
					 (size_t)i * NDIS_RSS_ITAB_ENTRY_SIZE);

		if (q >= nqueues) {
			return -ERANGE;
		}
		out->itab[i] = q;
	}
	out->n_entries = n;
	return 0;
}

/* Validate and copy out the hash key. */
static int
ndis_rss_get_key(const uint8_t *b, size_t len, uint16_t hdr_size,
		 struct ndis_rss_params *out)
{
	uint16_t size = sn_get_le16(b +
		NDIS_OFF(ndis_rss_params_wire, key_size));
	uint32_t off = sn_get_le32(b +
		NDIS_OFF(ndis_rss_params_wire, key_offset));

	if (size != NDIS_RSS_KEY_SIZE || off < hdr_size ||
	    !sn_range_ok(off, size, len)) {
		return -EBADMSG;
	}
	memcpy(out->key, b + off, NDIS_RSS_KEY_SIZE);
	out->has_key = 1;
	return 0;
}

int
ndis_rss_params_decode(const void *buf, size_t len, uint32_t nqueues,
		       struct ndis_rss_params *out)
{
	struct ndis_obj_hdr h;
	const uint8_t *b = buf;
	uint32_t func;
	int rc;

	if (out == NULL || nqueues == 0) {
		return -EINVAL;
	}
	rc = ndis_obj_hdr_decode(buf, len, &h);
	if (rc != 0) {
		return rc;
	}
	if (h.type == NDIS_OBJTYPE_RSS_PARAMS &&
	    h.revision == NDIS_RSS_PARAMS_REV_1) {
		return -ENOTSUP;
	}
	rc = ndis_obj_hdr_validate(&h, len, NDIS_OBJTYPE_RSS_PARAMS,
				   NDIS_RSS_PARAMS_REV_2,
				   NDIS_RSS_PARAMS_SIZE_REV_2);
	if (rc != 0) {
		return rc;
	}
	memset(out, 0, sizeof(*out));
	out->revision = h.revision;
	out->flags = sn_get_le16(b + NDIS_OFF(ndis_rss_params_wire, flags));
	out->base_cpu = sn_get_le16(b +
		NDIS_OFF(ndis_rss_params_wire, base_cpu));
	out->hash_info = sn_get_le32(b +
		NDIS_OFF(ndis_rss_params_wire, hash_info));
	/* Disabling needs nothing else; ignore the rest, valid or not. */
	if (out->flags & NDIS_RSS_FLAG_DISABLE_RSS) {
		return 0;
	}
	if (!(out->flags & NDIS_RSS_FLAG_HASH_INFO_UNCHANGED)) {
		func = ndis_hash_func(out->hash_info);
		if (func != 0 && func != NDIS_HASH_FUNC_TOEPLITZ) {
			return -ENOTSUP;
		}
	}
	if (!(out->flags & NDIS_RSS_FLAG_ITABLE_UNCHANGED)) {
		rc = ndis_rss_get_table(b, len, h.size, nqueues, out);
		if (rc != 0) {
			return rc;
		}
	}
	if (!(out->flags & NDIS_RSS_FLAG_HASH_KEY_UNCHANGED)) {
		rc = ndis_rss_get_key(b, len, h.size, out);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

int
ndis_rss_params_encode(const struct ndis_rss_params *p, void *buf,
		       size_t len)
{
	struct ndis_obj_hdr h;
	uint8_t *b = buf;
	uint32_t itab_off = NDIS_RSS_PARAMS_SIZE_REV_2;
	uint32_t itab_size, key_off;
	size_t total;

	if (p == NULL || buf == NULL || p->n_entries == 0 ||
	    p->n_entries > NDIS_RSS_ITAB_MAX_ENTRIES) {
		return -EINVAL;
	}
	itab_size = (uint32_t)p->n_entries * NDIS_RSS_ITAB_ENTRY_SIZE;
	key_off = itab_off + itab_size;
	total = NDIS_RSS_PARAMS_LEN((size_t)p->n_entries);
	if (len < total) {
		return -EMSGSIZE;
	}
	memset(b, 0, NDIS_RSS_PARAMS_SIZE_REV_2);
	h.type = NDIS_OBJTYPE_RSS_PARAMS;
	h.revision = NDIS_RSS_PARAMS_REV_2;
	h.size = NDIS_RSS_PARAMS_SIZE_REV_2;
	(void)ndis_obj_hdr_encode(&h, b, len);
	sn_put_le16(b + NDIS_OFF(ndis_rss_params_wire, flags), p->flags);
	sn_put_le16(b + NDIS_OFF(ndis_rss_params_wire, base_cpu),
		    p->base_cpu);
	sn_put_le32(b + NDIS_OFF(ndis_rss_params_wire, hash_info),
		    p->hash_info);
	sn_put_le16(b + NDIS_OFF(ndis_rss_params_wire, itab_size),
		    (uint16_t)itab_size);
	sn_put_le32(b + NDIS_OFF(ndis_rss_params_wire, itab_offset),
		    itab_off);
	sn_put_le16(b + NDIS_OFF(ndis_rss_params_wire, key_size),
		    NDIS_RSS_KEY_SIZE);
	sn_put_le32(b + NDIS_OFF(ndis_rss_params_wire, key_offset), key_off);
	ndis_put_u32s(b + itab_off, p->itab, p->n_entries);
	memcpy(b + key_off, p->key, NDIS_RSS_KEY_SIZE);
	return (int)total;
}
