/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rndis_ppi.c - RNDIS per-packet info codec.  See rndis_ppi.h.
 *
 * Validation follows Linux rndis_get_ppi() (ppi_offset < size, element
 * inside the area) and closes the holes it leaves: size 0 / size < 12 are
 * errors instead of an endless walk, and the chain is capped.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "rndis_ppi.h"

#define PPI_HDR_LEN ((uint32_t)sizeof(struct rndis_wire_ppi))

int
rndis_ppi_iter_init(struct rndis_ppi_iter *it, const void *area, size_t len)
{
	if (it == NULL || (area == NULL && len != 0) || len > UINT32_MAX) {
		return -EINVAL;
	}
	it->area = area;
	it->len = (uint32_t)len;
	it->off = 0;
	it->count = 0;
	it->err = 0;
	return 0;
}

/* Record a sticky error and return it. */
static int
ppi_fail(struct rndis_ppi_iter *it, int err)
{
	it->err = err;
	return err;
}

int
rndis_ppi_next(struct rndis_ppi_iter *it, struct rndis_ppi *out)
{
	const uint8_t *elem;
	uint32_t left, size, type, voff;

	if (it == NULL || out == NULL) {
		return -EINVAL;
	}
	if (it->err != 0) {
		return it->err;
	}
	if (it->off >= it->len) {
		return 0;
	}
	if (it->count >= RNDIS_PPI_MAX) {
		return ppi_fail(it, -ERANGE);
	}
	left = it->len - it->off;
	if (left < PPI_HDR_LEN) {
		return ppi_fail(it, -EBADMSG);
	}
	elem = it->area + it->off;
	size = sn_get_le32(elem + offsetof(struct rndis_wire_ppi, size));
	type = sn_get_le32(elem + offsetof(struct rndis_wire_ppi, type));
	voff = sn_get_le32(elem + offsetof(struct rndis_wire_ppi, ppi_offset));

	/* size 0 would never advance; size < 12 overlaps the next header. */
	if (size < PPI_HDR_LEN || size > left) {
		return ppi_fail(it, -EBADMSG);
	}
	/* The value starts after the header and ends inside the element. */
	if (voff < PPI_HDR_LEN || voff >= size) {
		return ppi_fail(it, -EBADMSG);
	}

	out->type = type;
	out->id = type & RNDIS_PPI_ID_MASK;
	out->internal = (type & RNDIS_PPI_INTERNAL) != 0;
	out->size = size;
	out->value_off = voff;
	out->value = elem + voff;
	out->value_len = size - voff;

	it->off += size;
	it->count++;
	return 1;
}

/* Map an element to its RNDIS_PPIF_* bit, 0 when the type is not ours. */
static uint32_t
ppi_flag(const struct rndis_ppi *p)
{
	if (p->internal) {
		return p->id == RNDIS_PKTINFO_ID ? RNDIS_PPIF_PKTINFO_ID : 0;
	}
	switch (p->id) {
	case RNDIS_PPI_CSUM:
		return RNDIS_PPIF_CSUM;
	case RNDIS_PPI_LSO:
		return RNDIS_PPIF_LSO;
	case RNDIS_PPI_VLAN:
		return RNDIS_PPIF_VLAN;
	case RNDIS_PPI_HASH_VALUE:
		return RNDIS_PPIF_HASH_VALUE;
	case RNDIS_PPI_HASH_INFO:
		return RNDIS_PPIF_HASH_INFO;
	default:
		return 0;
	}
}

/* Store the first 4 value bytes of a known element into *out. */
static void
ppi_store(struct rndis_ppi_set *out, uint32_t flag, const uint8_t *val)
{
	uint32_t v = sn_get_le32(val);

	switch (flag) {
	case RNDIS_PPIF_CSUM:
		out->csum = v;
		break;
	case RNDIS_PPIF_LSO:
		out->lso = v;
		break;
	case RNDIS_PPIF_VLAN:
		out->vlan = v;
		break;
	case RNDIS_PPIF_HASH_VALUE:
		out->hash_value = v;
		break;
	case RNDIS_PPIF_HASH_INFO:
		out->hash_info = v;
		break;
	case RNDIS_PPIF_PKTINFO_ID:
		out->pktinfo_ver =
			val[offsetof(struct rndis_wire_pktinfo_id, ver)];
		out->pktinfo_flags =
			val[offsetof(struct rndis_wire_pktinfo_id, flag)];
		out->pktinfo_id = sn_get_le16(val +
			offsetof(struct rndis_wire_pktinfo_id, pkt_id));
		break;
	default:
		break;
	}
	out->present |= flag;
}

int
rndis_ppi_parse(const void *area, size_t len, struct rndis_ppi_set *out)
{
	struct rndis_ppi_iter it;
	struct rndis_ppi p;
	uint32_t flag;
	int rc;

	if (out == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	rc = rndis_ppi_iter_init(&it, area, len);
	if (rc < 0) {
		return rc;
	}
	while ((rc = rndis_ppi_next(&it, &p)) == 1) {
		out->n_elems++;
		flag = ppi_flag(&p);
		if (flag == 0) {
			out->n_unknown++;
			continue;
		}
		if (p.value_len < RNDIS_PPI_VALUE_LEN ||
		    (out->present & flag) != 0) {
			return -EBADMSG;
		}
		ppi_store(out, flag, p.value);
	}
	if (rc < 0) {
		return rc;
	}
	return (int)out->n_elems;
}

int
rndis_ppi_encode(void *buf, size_t cap, uint32_t type, const void *val,
		 uint32_t val_len)
{
	uint8_t *p = buf;
	uint64_t size;

	if (buf == NULL || val == NULL || val_len == 0) {
		return -EINVAL;
	}
	size = SN_ALIGN_UP((uint64_t)PPI_HDR_LEN + val_len, 4);
	if (size > INT_MAX) {
		return -ERANGE;
	}
	if (size > cap) {
		return -EMSGSIZE;
	}
	/* Value first: a source inside buf is read before it is covered. */
	memmove(p + PPI_HDR_LEN, val, val_len);
	sn_put_le32(p + offsetof(struct rndis_wire_ppi, size), (uint32_t)size);
	sn_put_le32(p + offsetof(struct rndis_wire_ppi, type), type);
	sn_put_le32(p + offsetof(struct rndis_wire_ppi, ppi_offset),
		    PPI_HDR_LEN);
	memset(p + PPI_HDR_LEN + val_len, 0,
	       (size_t)(size - PPI_HDR_LEN - val_len));
	return (int)size;
}

uint32_t
rndis_ppi_set_len(const struct rndis_ppi_set *set)
{
	if (set == NULL) {
		return 0;
	}
	return (uint32_t)__builtin_popcount(set->present & RNDIS_PPIF_ALL) *
	       RNDIS_PPI_ELEM_LEN;
}

/* Canonical element order: what Linux netvsc_xmit() emits, then RX-only. */
static const struct {
	uint32_t flag;		/* RNDIS_PPIF_* */
	uint32_t type;		/* wire type */
} ppi_order[] = {
	{ RNDIS_PPIF_HASH_VALUE, RNDIS_PPI_HASH_VALUE },
	{ RNDIS_PPIF_VLAN, RNDIS_PPI_VLAN },
	{ RNDIS_PPIF_LSO, RNDIS_PPI_LSO },
	{ RNDIS_PPIF_CSUM, RNDIS_PPI_CSUM },
	{ RNDIS_PPIF_HASH_INFO, RNDIS_PPI_HASH_INFO },
	{ RNDIS_PPIF_PKTINFO_ID, RNDIS_PPI_TYPE_PKTINFO_ID },
};

/* The 4 value bytes of one present PPI, little-endian. */
static void
ppi_value(const struct rndis_ppi_set *set, uint32_t flag, uint8_t val[4])
{
	switch (flag) {
	case RNDIS_PPIF_HASH_VALUE:
		sn_put_le32(val, set->hash_value);
		break;
	case RNDIS_PPIF_VLAN:
		sn_put_le32(val, set->vlan);
		break;
	case RNDIS_PPIF_LSO:
		sn_put_le32(val, set->lso);
		break;
	case RNDIS_PPIF_CSUM:
		sn_put_le32(val, set->csum);
		break;
	case RNDIS_PPIF_HASH_INFO:
		sn_put_le32(val, set->hash_info);
		break;
	default:
		val[offsetof(struct rndis_wire_pktinfo_id, ver)] =
			set->pktinfo_ver;
		val[offsetof(struct rndis_wire_pktinfo_id, flag)] =
			set->pktinfo_flags;
		sn_put_le16(val + offsetof(struct rndis_wire_pktinfo_id,
					   pkt_id), set->pktinfo_id);
		break;
	}
}

int
rndis_ppi_set_encode(void *buf, size_t cap, const struct rndis_ppi_set *set)
{
	uint8_t *p = buf;
	uint8_t val[RNDIS_PPI_VALUE_LEN];
	uint32_t need, off = 0;
	size_t i;
	int rc;

	if (set == NULL || set->present == 0) {
		return 0;
	}
	if (buf == NULL || (set->present & ~RNDIS_PPIF_ALL) != 0) {
		return -EINVAL;
	}
	need = rndis_ppi_set_len(set);
	if (need > cap) {
		return -EMSGSIZE;
	}
	for (i = 0; i < SN_ARRAY_SIZE(ppi_order); i++) {
		if ((set->present & ppi_order[i].flag) == 0) {
			continue;
		}
		ppi_value(set, ppi_order[i].flag, val);
		rc = rndis_ppi_encode(p + off, cap - off, ppi_order[i].type,
				      val, sizeof(val));
		if (rc < 0) {
			return rc;
		}
		off += (uint32_t)rc;
	}
	return (int)off;
}

const char *
rndis_ppi_type_name(uint32_t type)
{
	static const char *const names[] = {
		[RNDIS_PPI_CSUM] = "CSUM",
		[RNDIS_PPI_IPSEC] = "IPSEC",
		[RNDIS_PPI_LSO] = "LSO",
		[RNDIS_PPI_CLASSIFY] = "CLASSIFY",
		[RNDIS_PPI_SG_LIST] = "SG_LIST",
		[RNDIS_PPI_VLAN] = "VLAN",
		[RNDIS_PPI_ORIGINAL] = "ORIGINAL",
		[RNDIS_PPI_HASH_VALUE] = "HASH_VALUE",
		[RNDIS_PPI_HASH_INFO] = "HASH_INFO",
		[RNDIS_PPI_PAD] = "PAD",
	};

	if (type == RNDIS_PPI_TYPE_PKTINFO_ID) {
		return "PKTINFO_ID";
	}
	if (type < SN_ARRAY_SIZE(names) && names[type] != NULL) {
		return names[type];
	}
	return "UNKNOWN";
}
