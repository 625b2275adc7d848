/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp_rndis_dev.c - the RNDIS device a netvsp host presents (see
 * nvsp_rndis_dev.h).
 *
 * Behaviour follows the public host side (microsoft/openvmm
 * vm/devices/net/netvsp/src/lib.rs: handle_rndis_control_message,
 * handle_oid_query, handle_oid_set) and what the Linux guest checks
 * (drivers/net/hyperv/rndis_filter.c: rndis_filter_query_device,
 * rndis_query_hwcaps, rndis_get_friendly_name).  Facts, not code.
 *
 * Deviations from OpenVMM, on purpose:
 *  - OID_GEN_CURRENT_PACKET_FILTER queries return the real filter (OpenVMM
 *    returns 0), OID_802_3_MAXIMUM_LIST_SIZE is 32 (we filter multicast
 *    ourselves; OpenVMM reports 0).
 *  - The friendly name reply carries exactly the name plus its UTF-16 NUL
 *    (Linux does not zero its result buffer and reads up to the NUL).
 *  - MAXIMUM_SEND_PACKETS reports 8, the batch size INIT_CMPLT announces.
 */
#include <errno.h>
#include <string.h>

#include "nvsp_rndis_dev.h"
#include "sn_wire.h"

/* NDIS_MAC_OPTION_* bits we report (copy lookahead, no pend, no loop). */
#define MAC_OPT_COPY_LOOKAHEAD_DATA	0x00000001u
#define MAC_OPT_TRANSFERS_NOT_PEND	0x00000004u
#define MAC_OPT_NO_LOOPBACK		0x00000008u

/* NDIS_LINK_STATE (OID_GEN_LINK_STATE), revision 1, 40 bytes. */
#define LINK_STATE_REV_1		1u
#define LINK_STATE_SIZE			40u
#define MEDIA_CONNECT_STATE_CONNECTED	1u
#define MEDIA_CONNECT_STATE_DISCONNECTED 2u
#define MEDIA_DUPLEX_STATE_FULL		2u

/* NDIS_OFFLOAD_ENCAPSULATION revision 1 is 28 bytes. */
#define OFFLOAD_ENCAP_SIZE_REV_1	28u

/* Default friendly name (Hyper-V's; Linux ignores it). */
#define DEFAULT_FRIENDLY_NAME		"Network Adapter"

/* Scratch space for one QUERY answer (largest: the friendly name). */
#define INFO_MAX	((NVSP_RNDIS_NAME_MAX + 1) * 2)

static const uint32_t supported_oids[] = {
	RNDIS_OID_GEN_SUPPORTED_LIST,
	RNDIS_OID_GEN_HARDWARE_STATUS,
	RNDIS_OID_GEN_MEDIA_SUPPORTED,
	RNDIS_OID_GEN_MEDIA_IN_USE,
	RNDIS_OID_GEN_MAXIMUM_LOOKAHEAD,
	RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE,
	RNDIS_OID_GEN_LINK_SPEED,
	RNDIS_OID_GEN_CURRENT_PACKET_FILTER,
	RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE,
	RNDIS_OID_GEN_MAC_OPTIONS,
	RNDIS_OID_GEN_MEDIA_CONNECT_STATUS,
	RNDIS_OID_GEN_MAXIMUM_SEND_PACKETS,
	RNDIS_OID_GEN_NETWORK_LAYER_ADDRESSES,
	RNDIS_OID_GEN_FRIENDLY_NAME,
	RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER,
	RNDIS_OID_802_3_PERMANENT_ADDRESS,
	RNDIS_OID_802_3_CURRENT_ADDRESS,
	RNDIS_OID_802_3_MULTICAST_LIST,
	RNDIS_OID_802_3_MAXIMUM_LIST_SIZE,
	RNDIS_OID_GEN_LINK_STATE,
	RNDIS_OID_GEN_MAX_LINK_SPEED,
	RNDIS_OID_TCP_OFFLOAD_PARAMETERS,
	RNDIS_OID_OFFLOAD_ENCAPSULATION,
	RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
	RNDIS_OID_TCP_OFFLOAD_CURRENT_CONFIG,
	RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES,
	RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS,
};

const uint32_t *
nvsp_rndis_dev_supported_oids(uint32_t *n)
{
	*n = (uint32_t)SN_ARRAY_SIZE(supported_oids);
	return supported_oids;
}

const char *
nvsp_rndis_state_name(enum nvsp_rndis_state s)
{
	switch (s) {
	case NVSP_RNDIS_UNINITIALIZED:
		return "uninitialized";
	case NVSP_RNDIS_INITIALIZED:
		return "initialized";
	case NVSP_RNDIS_HALTED:
		return "halted";
	}
	return "unknown";
}

/* --- friendly name ------------------------------------------------------- */

/*
 * Decode one UTF-8 code point at s[*i] (NUL-terminated); invalid or
 * overlong sequences and surrogates give U+FFFD and consume one byte.
 */
static uint32_t
utf8_next(const unsigned char *s, size_t *i)
{
	uint32_t c = s[*i];
	uint32_t min, n, k;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if ((c & 0xE0) == 0xC0) {
		n = 1, min = 0x80, c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		n = 2, min = 0x800, c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		n = 3, min = 0x10000, c &= 0x07;
	} else {
		(*i)++;
		return 0xFFFD;
	}
	for (k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xC0) != 0x80) {
			(*i)++;
			return 0xFFFD;
		}
		c = (c << 6) | (s[*i + k] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		(*i)++;
		return 0xFFFD;
	}
	*i += n + 1;
	return c;
}

/* Convert the UTF-8 name to UTF-16 in dev->name (cut, never mid-pair). */
static void
set_name(struct nvsp_rndis_dev *dev, const char *utf8)
{
	const unsigned char *s = (const unsigned char *)utf8;
	uint32_t n = 0;
	size_t i = 0;

	while (s[i] != 0) {
		uint32_t c = utf8_next(s, &i);

		if (c >= 0x10000) {
			if (n + 2 > NVSP_RNDIS_NAME_MAX) {
				break;
			}
			c -= 0x10000;
			dev->name[n++] = (uint16_t)(0xD800 | (c >> 10));
			dev->name[n++] = (uint16_t)(0xDC00 | (c & 0x3FF));
		} else {
			if (n + 1 > NVSP_RNDIS_NAME_MAX) {
				break;
			}
			dev->name[n++] = (uint16_t)c;
		}
	}
	dev->name[n] = 0;
	dev->name_len = n;
}

/* --- setup --------------------------------------------------------------- */

int
nvsp_rndis_dev_init(struct nvsp_rndis_dev *dev,
		    const struct nvsp_rndis_cfg *cfg)
{
	if (dev == NULL || cfg == NULL || cfg->mtu == 0) {
		return -EINVAL;
	}
	memset(dev, 0, sizeof(*dev));
	dev->state = NVSP_RNDIS_UNINITIALIZED;
	memcpy(dev->mac, cfg->mac, sizeof(dev->mac));
	dev->mtu = cfg->mtu;
	dev->link_speed = cfg->link_speed;
	dev->link_up = cfg->link_up;
	dev->guest_link_up = cfg->link_up;
	dev->caps = cfg->caps;
	dev->offload_rev = NDIS_OFFLOAD_REV_1;
	set_name(dev, cfg->friendly_name != NULL && cfg->friendly_name[0] ?
		 cfg->friendly_name : DEFAULT_FRIENDLY_NAME);
	return 0;
}

void
nvsp_rndis_dev_set_ndis_version(struct nvsp_rndis_dev *dev, uint32_t major,
				uint32_t minor)
{
	dev->ndis_major = major;
	dev->ndis_minor = minor;
	/* Until a HW caps query says otherwise (NDIS 6.30 = rev 3 ...). */
	if (major > 6 || (major == 6 && minor >= 30)) {
		dev->offload_rev = NDIS_OFFLOAD_REV_3;
	} else if (major == 6 && minor >= 1) {
		dev->offload_rev = NDIS_OFFLOAD_REV_2;
	} else {
		dev->offload_rev = NDIS_OFFLOAD_REV_1;
	}
}

void
nvsp_rndis_dev_set_mtu(struct nvsp_rndis_dev *dev, uint32_t mtu)
{
	dev->mtu = mtu;
}

void
nvsp_rndis_dev_set_link(struct nvsp_rndis_dev *dev, bool up)
{
	dev->link_up = up;
}

/* --- QUERY --------------------------------------------------------------- */

/* Write a u32 answer. */
static uint32_t
put_u32(uint8_t *out, uint32_t v)
{
	sn_put_le32(out, v);
	return 4;
}

/* NDIS_OFFLOAD of cfg at dev->offload_rev into out (>= 156 bytes). */
static uint32_t
put_offload(const struct nvsp_rndis_dev *dev,
	    const struct ndis_offload_config *cfg, uint8_t *out, size_t cap)
{
	struct ndis_offload o;
	int rc;

	if (ndis_offload_from_config(cfg, dev->offload_rev,
				     NVSP_RNDIS_LSO_MAX_SIZE,
				     NVSP_RNDIS_LSO_MIN_SEGS, &o) != 0) {
		return 0;
	}
	rc = ndis_offload_encode(&o, out, cap);
	return rc > 0 ? (uint32_t)rc : 0;
}

/* NDIS_LINK_STATE revision 1. */
static uint32_t
put_link_state(const struct nvsp_rndis_dev *dev, uint8_t *out)
{
	struct ndis_obj_hdr h = {
		.type = NDIS_OBJTYPE_DEFAULT,
		.revision = LINK_STATE_REV_1,
		.size = LINK_STATE_SIZE,
	};

	memset(out, 0, LINK_STATE_SIZE);
	(void)ndis_obj_hdr_encode(&h, out, LINK_STATE_SIZE);
	sn_put_le32(out + 4, dev->link_up ? MEDIA_CONNECT_STATE_CONNECTED :
		    MEDIA_CONNECT_STATE_DISCONNECTED);
	sn_put_le32(out + 8, MEDIA_DUPLEX_STATE_FULL);
	sn_put_le64(out + 16, dev->link_speed);	/* xmit */
	sn_put_le64(out + 24, dev->link_speed);	/* rcv */
	return LINK_STATE_SIZE;
}

/*
 * The guest's wanted NDIS_OFFLOAD revision: the header Linux puts in the
 * info buffer of the HW capabilities query (rev 3 from NVSP 5, 2 at 4,
 * else 1).  No usable header: keep what the NDIS version suggested.
 */
static void
learn_offload_rev(struct nvsp_rndis_dev *dev, const struct rndis_oid_req *q)
{
	struct ndis_obj_hdr h;

	if (ndis_obj_hdr_decode(q->info, q->info_len, &h) != 0 ||
	    h.type != NDIS_OBJTYPE_OFFLOAD || h.revision == 0) {
		return;
	}
	dev->offload_rev = h.revision > NDIS_OFFLOAD_REV_3 ?
			   NDIS_OFFLOAD_REV_3 : h.revision;
}

/* Answer a QUERY; returns an RNDIS status, *olen the info length. */
static uint32_t
query_oid(struct nvsp_rndis_dev *dev, const struct rndis_oid_req *q,
	  uint8_t *out, size_t cap, uint32_t *olen)
{
	uint64_t speed100 = dev->link_speed / 100;
	struct ndis_rss_caps rc;
	uint32_t i, n = 0;
	int r;

	switch (q->oid) {
	case RNDIS_OID_GEN_SUPPORTED_LIST:
		for (i = 0; i < SN_ARRAY_SIZE(supported_oids); i++) {
			n += put_u32(out + n, supported_oids[i]);
		}
		break;
	case RNDIS_OID_GEN_HARDWARE_STATUS:	/* NdisHardwareStatusReady */
		n = put_u32(out, 0);
		break;
	case RNDIS_OID_GEN_MEDIA_SUPPORTED:
	case RNDIS_OID_GEN_MEDIA_IN_USE:
		n = put_u32(out, RNDIS_MEDIUM_802_3);
		break;
	case RNDIS_OID_GEN_MAXIMUM_LOOKAHEAD:
	case RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE:
		n = put_u32(out, dev->mtu);
		break;
	case RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE:
		n = put_u32(out, dev->mtu + 14);
		break;
	case RNDIS_OID_GEN_LINK_SPEED:
		n = put_u32(out, speed100 > UINT32_MAX ? UINT32_MAX :
			    (uint32_t)speed100);
		break;
	case RNDIS_OID_GEN_CURRENT_PACKET_FILTER:
		n = put_u32(out, dev->filter);
		break;
	case RNDIS_OID_GEN_MAC_OPTIONS:
		n = put_u32(out, MAC_OPT_COPY_LOOKAHEAD_DATA |
			    MAC_OPT_TRANSFERS_NOT_PEND | MAC_OPT_NO_LOOPBACK);
		break;
	case RNDIS_OID_GEN_MEDIA_CONNECT_STATUS:
		n = put_u32(out, dev->link_up ? RNDIS_MEDIA_STATE_CONNECTED :
			    RNDIS_MEDIA_STATE_DISCONNECTED);
		dev->guest_link_up = dev->link_up;
		break;
	case RNDIS_OID_GEN_MAXIMUM_SEND_PACKETS:
		n = put_u32(out, RNDIS_INIT_DEF_MAX_PKT_PER_MSG);
		break;
	case RNDIS_OID_GEN_FRIENDLY_NAME:
		for (i = 0; i <= dev->name_len; i++) {
			sn_put_le16(out + 2 * i, dev->name[i]);
		}
		n = 2 * (dev->name_len + 1);
		break;
	case RNDIS_OID_802_3_PERMANENT_ADDRESS:
	case RNDIS_OID_802_3_CURRENT_ADDRESS:
		memcpy(out, dev->mac, 6);
		n = 6;
		break;
	case RNDIS_OID_802_3_MULTICAST_LIST:
		n = dev->n_mcast * 6;
		memcpy(out, dev->mcast, n);
		break;
	case RNDIS_OID_802_3_MAXIMUM_LIST_SIZE:
		n = put_u32(out, NVSP_RNDIS_MCAST_MAX);
		break;
	case RNDIS_OID_GEN_MAX_LINK_SPEED:
		sn_put_le64(out, dev->link_speed);
		sn_put_le64(out + 8, dev->link_speed);
		n = 16;
		break;
	case RNDIS_OID_GEN_LINK_STATE:
		n = put_link_state(dev, out);
		dev->guest_link_up = dev->link_up;
		break;
	case RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES:
		learn_offload_rev(dev, q);
		n = put_offload(dev, &dev->caps, out, cap);
		break;
	case RNDIS_OID_TCP_OFFLOAD_CURRENT_CONFIG:
		n = put_offload(dev, &dev->cur, out, cap);
		break;
	case RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES:
		memset(&rc, 0, sizeof(rc));
		rc.caps_flags = NDIS_RSS_CAPS_HASH_FUNC_TOEPLITZ |
				NDIS_RSS_CAPS_HASH_TCP_IPV4 |
				NDIS_RSS_CAPS_HASH_TCP_IPV6;
		rc.num_int_msgs = 1;
		rc.num_queues = NVSP_RNDIS_RSS_QUEUES;
		rc.num_itab_entries = NVSP_RNDIS_RSS_TABLE;
		r = ndis_rss_caps_encode(&rc, out, cap);
		n = r > 0 ? (uint32_t)r : 0;
		break;
	default:
		dev->stats.unknown_oid++;
		*olen = 0;
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
	*olen = n;
	/* Only an object encoder can fail; an empty list is an answer. */
	return n > 0 || q->oid == RNDIS_OID_802_3_MULTICAST_LIST ?
	       RNDIS_STATUS_SUCCESS : RNDIS_STATUS_FAILURE;
}

/* --- SET ----------------------------------------------------------------- */

/* Map an ndis_obj decode error to an RNDIS status. */
static uint32_t
obj_status(int rc)
{
	switch (rc) {
	case -EMSGSIZE:
		return RNDIS_STATUS_INVALID_LENGTH;
	case -ENOTSUP:
		return RNDIS_STATUS_NOT_SUPPORTED;
	default:
		return RNDIS_STATUS_INVALID_DATA;
	}
}

static uint32_t
set_offload_params(struct nvsp_rndis_dev *dev, const struct rndis_oid_req *q)
{
	struct ndis_offload_params p;
	int rc;

	rc = ndis_offload_params_decode(q->info, q->info_len, &p);
	if (rc != 0) {
		return obj_status(rc);
	}
	if (p.lsov1 == NDIS_OFFLOAD_SET_ON) {
		return RNDIS_STATUS_NOT_SUPPORTED;	/* as OpenVMM */
	}
	/* Masked to dev->caps; asking for more is not an error. */
	rc = ndis_offload_params_apply(&p, &dev->caps, &dev->cur, &dev->cur);
	if (rc < 0) {
		return obj_status(rc);
	}
	dev->offload_ind_pending = true;
	return RNDIS_STATUS_SUCCESS;
}

static uint32_t
set_rss_params(struct nvsp_rndis_dev *dev, const struct rndis_oid_req *q)
{
	struct ndis_rss_params p;
	int rc;

	rc = ndis_rss_params_decode(q->info, q->info_len,
				    NVSP_RNDIS_RSS_QUEUES, &p);
	if (rc != 0) {
		return obj_status(rc);
	}
	if ((p.flags & NDIS_RSS_FLAG_DISABLE_RSS) != 0 ||
	    ((p.flags & NDIS_RSS_FLAG_HASH_INFO_UNCHANGED) == 0 &&
	     ndis_hash_func(p.hash_info) == 0)) {
		dev->rss_enabled = false;
		return RNDIS_STATUS_SUCCESS;
	}
	/* The table size stays fixed for the guest's lifetime. */
	if (p.n_entries != 0 && dev->rss_entries != 0 &&
	    p.n_entries != dev->rss_entries) {
		return RNDIS_STATUS_INVALID_DATA;
	}
	if (p.n_entries == 0 && dev->rss_entries == 0) {
		return RNDIS_STATUS_INVALID_DATA;	/* no table at all */
	}
	if ((p.flags & NDIS_RSS_FLAG_HASH_INFO_UNCHANGED) == 0) {
		dev->rss_hash_info = p.hash_info;
	}
	if (p.n_entries != 0) {
		dev->rss_entries = p.n_entries;
		memcpy(dev->rss_itab, p.itab,
		       p.n_entries * sizeof(dev->rss_itab[0]));
	}
	if (p.has_key) {
		memcpy(dev->rss_key, p.key, sizeof(dev->rss_key));
	}
	dev->rss_enabled = true;
	return RNDIS_STATUS_SUCCESS;
}

static uint32_t
set_mcast_list(struct nvsp_rndis_dev *dev, const struct rndis_oid_req *q)
{
	uint32_t i, n;

	if (q->info_len % 6 != 0 || q->info_len / 6 > NVSP_RNDIS_MCAST_MAX) {
		return RNDIS_STATUS_INVALID_LENGTH;
	}
	n = q->info_len / 6;
	for (i = 0; i < n; i++) {
		if ((q->info[i * 6] & 1) == 0) {
			return RNDIS_STATUS_INVALID_DATA;
		}
	}
	if (n > 0) {
		memcpy(dev->mcast, q->info, n * 6);
	}
	dev->n_mcast = n;
	return RNDIS_STATUS_SUCCESS;
}

static uint32_t
set_offload_encap(const struct rndis_oid_req *q)
{
	struct ndis_obj_hdr h;
	int rc;

	rc = ndis_obj_hdr_decode(q->info, q->info_len, &h);
	if (rc != 0) {
		return RNDIS_STATUS_INVALID_LENGTH;
	}
	rc = ndis_obj_hdr_validate(&h, q->info_len,
				   NDIS_OBJTYPE_OFFLOAD_ENCAP, 1,
				   OFFLOAD_ENCAP_SIZE_REV_1);
	return rc == 0 ? RNDIS_STATUS_SUCCESS : obj_status(rc);
}

/* Handle a SET; returns an RNDIS status. */
static uint32_t
set_oid(struct nvsp_rndis_dev *dev, const struct rndis_oid_req *q)
{
	switch (q->oid) {
	case RNDIS_OID_GEN_CURRENT_PACKET_FILTER:
		if (q->info_len < 4) {
			return RNDIS_STATUS_INVALID_LENGTH;
		}
		dev->filter = sn_get_le32(q->info);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_TCP_OFFLOAD_PARAMETERS:
		return set_offload_params(dev, q);
	case RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS:
		return set_rss_params(dev, q);
	case RNDIS_OID_802_3_MULTICAST_LIST:
		return set_mcast_list(dev, q);
	case RNDIS_OID_OFFLOAD_ENCAPSULATION:
		return set_offload_encap(q);
	case RNDIS_OID_GEN_NETWORK_LAYER_ADDRESSES:
	case RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER:
		return RNDIS_STATUS_SUCCESS;	/* accepted, not used */
	default:
		dev->stats.unknown_oid++;
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
}

/* --- message dispatch ---------------------------------------------------- */

static int
reply_init(struct nvsp_rndis_dev *dev, uint32_t req_id, uint32_t status,
	   void *reply, size_t cap)
{
	struct rndis_init_cmplt c;

	rndis_init_cmplt_defaults(&c, req_id, status);
	(void)dev;
	return rndis_encode_init_cmplt(reply, cap, &c);
}

/*
 * Reply with status st to a request we cannot serve normally (refused by
 * rndis_decode(), or arriving while halted), when its type has a
 * completion and its request id (u32 at byte 8) lies inside it.  Returns
 * the reply length or 0 when no reply can be built.
 */
static int
reply_error(struct nvsp_rndis_dev *dev, const uint8_t *m, size_t len,
	    uint32_t st, void *reply, size_t cap)
{
	uint32_t type, req_id;

	if (len < RNDIS_HDR_LEN) {
		return 0;
	}
	type = sn_get_le32(m);
	if (type == RNDIS_MSG_RESET) {	/* the one without a request id */
		return rndis_encode_reset_cmplt(reply, cap, st, 0);
	}
	if (len < RNDIS_HDR_LEN + 4) {
		return 0;
	}
	req_id = sn_get_le32(m + RNDIS_HDR_LEN);
	switch (type) {
	case RNDIS_MSG_INIT:
		return reply_init(dev, req_id, st, reply, cap);
	case RNDIS_MSG_QUERY:
		return rndis_encode_query_cmplt(reply, cap, req_id, st,
						NULL, 0);
	case RNDIS_MSG_SET:
		return rndis_encode_set_cmplt(reply, cap, req_id, st);
	case RNDIS_MSG_SET_EX:
		return rndis_encode_set_ex_cmplt(reply, cap, req_id, st,
						 NULL, 0);
	case RNDIS_MSG_KEEPALIVE:
		return rndis_encode_keepalive_cmplt(reply, cap, req_id, st);
	default:
		return 0;
	}
}

/* Unknown request type: INDICATE_STATUS INVALID_DATA with diag info. */
static int
reply_unknown(struct nvsp_rndis_dev *dev, void *reply, size_t cap)
{
	uint8_t diag[sizeof(struct rndis_wire_diag_info)];

	sn_put_le32(diag, RNDIS_STATUS_INVALID_DATA);
	sn_put_le32(diag + 4, 0);	/* offending byte: the type field */
	dev->stats.indications++;
	return rndis_encode_indicate(reply, cap, RNDIS_STATUS_INVALID_DATA,
				     diag, sizeof(diag));
}

/* Handle a decoded, well-formed message; returns the reply length. */
static int
dispatch(struct nvsp_rndis_dev *dev, const struct rndis_msg *m, void *reply,
	 size_t cap)
{
	uint8_t info[INFO_MAX];
	uint32_t st, ilen = 0;
	const struct rndis_oid_req *q = &m->u.oid_req;

	switch (m->type) {
	case RNDIS_MSG_INIT:
		dev->state = NVSP_RNDIS_INITIALIZED;
		dev->guest_max_xfer = m->u.init_req.max_xfer_size;
		dev->guest_link_up = dev->link_up;
		return reply_init(dev, m->u.init_req.req_id,
				  RNDIS_STATUS_SUCCESS, reply, cap);
	case RNDIS_MSG_HALT:
		dev->state = NVSP_RNDIS_HALTED;
		dev->filter = 0;
		return 0;
	case RNDIS_MSG_QUERY:
		dev->stats.queries++;
		st = query_oid(dev, q, info, sizeof(info), &ilen);
		if (st != RNDIS_STATUS_SUCCESS) {
			dev->stats.failed_oid++;
		}
		return rndis_encode_query_cmplt(reply, cap, q->req_id, st,
						ilen > 0 ? info : NULL, ilen);
	case RNDIS_MSG_SET:
		dev->stats.sets++;
		st = set_oid(dev, q);
		if (st != RNDIS_STATUS_SUCCESS) {
			dev->stats.failed_oid++;
		}
		return rndis_encode_set_cmplt(reply, cap, q->req_id, st);
	case RNDIS_MSG_SET_EX:
		dev->stats.failed_oid++;
		return rndis_encode_set_ex_cmplt(reply, cap, q->req_id,
						 RNDIS_STATUS_NOT_SUPPORTED,
						 NULL, 0);
	case RNDIS_MSG_RESET:
		/* Filters and lists are kept: no addressing reset needed. */
		return rndis_encode_reset_cmplt(reply, cap,
						RNDIS_STATUS_SUCCESS, 0);
	case RNDIS_MSG_KEEPALIVE:
		return rndis_encode_keepalive_cmplt(reply, cap,
						    m->u.req.req_id,
						    RNDIS_STATUS_SUCCESS);
	default:
		return -ENOTSUP;
	}
}

int
nvsp_rndis_dev_handle(struct nvsp_rndis_dev *dev, const void *msg,
		      size_t len, void *reply, size_t cap, size_t *reply_len)
{
	struct rndis_msg m;
	int rc, ret = 0;

	if (dev == NULL || msg == NULL || reply == NULL ||
	    reply_len == NULL) {
		return -EINVAL;
	}
	*reply_len = 0;
	if (cap < NVSP_RNDIS_REPLY_MAX) {
		return -EMSGSIZE;
	}
	dev->stats.msgs++;
	rc = rndis_decode(msg, len, &m);
	if (rc >= 0 && m.type == RNDIS_MSG_PACKET) {
		return -EINVAL;
	}
	if (rc >= 0 && dev->state == NVSP_RNDIS_HALTED &&
	    m.type != RNDIS_MSG_INIT && m.type != RNDIS_MSG_HALT) {
		/* Halted: refuse politely, never go silent. */
		rc = reply_error(dev, msg, len, RNDIS_STATUS_FAILURE, reply,
				 cap);
		*reply_len = rc > 0 ? (size_t)rc : 0;
		return 0;
	}
	if (rc >= 0) {
		rc = dispatch(dev, &m, reply, cap);
	}
	if (rc == -ENOTSUP) {
		dev->stats.bad_msgs++;
		/* A completion or indication sent to us gets no answer. */
		if ((m.type & RNDIS_MSG_CMPLT) != 0 ||
		    m.type == RNDIS_MSG_INDICATE) {
			return -ENOTSUP;
		}
		rc = reply_unknown(dev, reply, cap);
		ret = -ENOTSUP;
	} else if (rc < 0) {
		dev->stats.bad_msgs++;
		rc = reply_error(dev, msg, len, RNDIS_STATUS_INVALID_DATA,
				 reply, cap);
		ret = -EBADMSG;
	}
	*reply_len = rc > 0 ? (size_t)rc : 0;
	return ret;
}

/* --- indications --------------------------------------------------------- */

int
nvsp_rndis_dev_offload_indication(struct nvsp_rndis_dev *dev, void *reply,
				  size_t cap)
{
	uint8_t obj[NDIS_OFFLOAD_SIZE_REV_3];
	uint32_t n;
	int rc;

	if (!dev->offload_ind_pending ||
	    dev->state != NVSP_RNDIS_INITIALIZED) {
		return 0;
	}
	n = put_offload(dev, &dev->cur, obj, sizeof(obj));
	rc = rndis_encode_indicate(reply, cap,
				   RNDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG,
				   obj, n);
	if (rc > 0) {
		dev->offload_ind_pending = false;
		dev->stats.indications++;
	}
	return rc;
}

bool
nvsp_rndis_dev_link_pending(const struct nvsp_rndis_dev *dev)
{
	return dev->state == NVSP_RNDIS_INITIALIZED &&
	       dev->link_up != dev->guest_link_up;
}

int
nvsp_rndis_dev_link_indication(struct nvsp_rndis_dev *dev, void *reply,
			       size_t cap)
{
	int rc;

	if (!nvsp_rndis_dev_link_pending(dev)) {
		return 0;
	}
	rc = rndis_encode_indicate(reply, cap, dev->link_up ?
				   RNDIS_STATUS_MEDIA_CONNECT :
				   RNDIS_STATUS_MEDIA_DISCONNECT, NULL, 0);
	if (rc > 0) {
		dev->guest_link_up = dev->link_up;
		dev->stats.indications++;
	}
	return rc;
}

/* --- receive filter ------------------------------------------------------ */

bool
nvsp_rndis_dev_rx_accept(const struct nvsp_rndis_dev *dev,
			 const uint8_t *dst)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint32_t f = dev->filter;
	uint32_t i;

	if ((f & RNDIS_FILTER_PROMISCUOUS) != 0) {
		return true;
	}
	if ((dst[0] & 1) == 0) {
		return (f & RNDIS_FILTER_DIRECTED) != 0 &&
		       (dev->any_unicast || memcmp(dst, dev->mac, 6) == 0);
	}
	if (memcmp(dst, bcast, 6) == 0) {
		return (f & RNDIS_FILTER_BROADCAST) != 0;
	}
	if ((f & RNDIS_FILTER_ALL_MULTICAST) != 0) {
		return true;
	}
	if ((f & RNDIS_FILTER_MULTICAST) != 0) {
		for (i = 0; i < dev->n_mcast; i++) {
			if (memcmp(dst, dev->mcast[i], 6) == 0) {
				return true;
			}
		}
	}
	return false;
}
