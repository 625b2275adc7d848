/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsc_msg.c - the messages a Linux netvsc guest sends, byte for byte.
 * See nvsc_msg.h.  Written from the behaviour of Linux drivers/net/hyperv,
 * not copied.
 */
#include <errno.h>
#include <string.h>

#include "nvsc_msg.h"

const uint32_t nvsc_nvsp_versions[NVSC_NVSP_VERSIONS] = {
	NVSP_PROTOCOL_VERSION_61, NVSP_PROTOCOL_VERSION_6,
	NVSP_PROTOCOL_VERSION_5, NVSP_PROTOCOL_VERSION_4,
	NVSP_PROTOCOL_VERSION_2, NVSP_PROTOCOL_VERSION_1,
};

/* Microsoft RSS verification key (netvsc_hash_key in rndis_filter.c). */
const uint8_t nvsc_rss_key_default[NDIS_RSS_KEY_SIZE] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* Encode m padded to the 40 bytes Linux always sends. */
static int
nvsp_put(void *buf, size_t cap, const struct nvsp_msg *m)
{
	if (buf == NULL) {
		return -EINVAL;
	}
	return nvsp_encode(m, buf, cap, NVSC_NVSP_MSG_LEN);
}

int
nvsc_msg_init(void *buf, size_t cap, uint32_t ver)
{
	struct nvsp_msg m;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG_TYPE_INIT;
	m.init.min_ver = ver;
	m.init.max_ver = ver;
	return nvsp_put(buf, cap, &m);
}

uint64_t
nvsc_ndis_caps(uint32_t ver)
{
	uint64_t caps = 0;

	if (ver < NVSP_PROTOCOL_VERSION_2) {
		return 0;
	}
	caps |= NVSP_NDIS_CAP_IEEE8021Q;
	if (ver >= NVSP_PROTOCOL_VERSION_5) {
		/* Teaming is what makes the host send link speed updates. */
		caps |= NVSP_NDIS_CAP_SRIOV | NVSP_NDIS_CAP_TEAMING;
	}
	if (ver >= NVSP_PROTOCOL_VERSION_61) {
		caps |= NVSP_NDIS_CAP_RSC;
	}
	return caps;
}

int
nvsc_msg_ndis_config(void *buf, size_t cap, uint32_t ver, uint32_t mtu)
{
	struct nvsp_msg m;

	if (mtu > NVSC_MTU_MAX) {
		return -EINVAL;
	}
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG2_TYPE_SEND_NDIS_CONFIG;
	m.ndis_config.mtu = mtu + NVSC_ETH_HLEN;
	m.ndis_config.capabilities = nvsc_ndis_caps(ver);
	return nvsp_put(buf, cap, &m);
}

uint32_t
nvsc_ndis_version(uint32_t ver)
{
	return ver <= NVSP_PROTOCOL_VERSION_4 ? NVSP_NDIS_VERSION_6_1 :
					       NVSP_NDIS_VERSION_6_30;
}

int
nvsc_msg_ndis_ver(void *buf, size_t cap, uint32_t ver)
{
	struct nvsp_msg m;
	uint32_t ndis = nvsc_ndis_version(ver);

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_NDIS_VER;
	m.ndis_ver.major = NVSP_NDIS_VERSION_MAJOR(ndis);
	m.ndis_ver.minor = NVSP_NDIS_VERSION_MINOR(ndis);
	return nvsp_put(buf, cap, &m);
}

int
nvsc_msg_send_recv_buf(void *buf, size_t cap, uint32_t gpadl)
{
	struct nvsp_msg m;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RECV_BUF;
	m.recv_buf.gpadl = gpadl;
	m.recv_buf.id = NVSP_RECV_BUF_ID;
	return nvsp_put(buf, cap, &m);
}

int
nvsc_msg_send_send_buf(void *buf, size_t cap, uint32_t gpadl)
{
	struct nvsp_msg m;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_SEND_BUF;
	m.send_buf.gpadl = gpadl;
	m.send_buf.id = NVSP_SEND_BUF_ID;
	return nvsp_put(buf, cap, &m);
}

int
nvsc_msg_revoke_recv_buf(void *buf, size_t cap)
{
	struct nvsp_msg m;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_REVOKE_RECV_BUF;
	m.revoke_recv_buf.id = NVSP_RECV_BUF_ID;
	return nvsp_put(buf, cap, &m);
}

int
nvsc_msg_revoke_send_buf(void *buf, size_t cap)
{
	struct nvsp_msg m;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_REVOKE_SEND_BUF;
	m.revoke_send_buf.id = NVSP_SEND_BUF_ID;
	return nvsp_put(buf, cap, &m);
}

int
nvsc_msg_rndis_pkt(void *buf, size_t cap, uint32_t channel_type,
		   uint32_t section_index, uint32_t section_size)
{
	struct nvsp_msg m;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	m.rndis_pkt.channel_type = channel_type;
	m.rndis_pkt.section_index = section_index;
	m.rndis_pkt.section_size = section_size;
	return nvsp_put(buf, cap, &m);
}

int
nvsc_msg_rx_comp(void *buf, size_t cap, uint32_t status)
{
	struct nvsp_msg m;

	if (buf == NULL) {
		return -EINVAL;
	}
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE;
	m.rndis_pkt_comp.status = status;
	return nvsp_encode(&m, buf, cap, 0);
}

uint32_t
nvsc_recv_buf_size(uint32_t ver, uint32_t requested)
{
	uint64_t sz = requested != 0 ? requested : NVSC_RECV_BUF_DEFAULT;

	sz = SN_ALIGN_UP(sz, (uint64_t)4096);
	if (sz > NVSC_RECV_BUF_MAX) {
		sz = NVSC_RECV_BUF_MAX;
	}
	if (ver <= NVSP_PROTOCOL_VERSION_2 && sz > NVSC_RECV_BUF_LEGACY_MAX) {
		sz = NVSC_RECV_BUF_LEGACY_MAX;
	}
	return (uint32_t)sz;
}

size_t
nvsc_comp_min_len(uint32_t type)
{
	/*
	 * netvsc_send_completion(): the control cases fall through, so each
	 * type must also pass the checks of the cases below it.  Lengths are
	 * the 4-byte header plus the Linux struct sizes.
	 */
	switch (type) {
	case NVSP_MSG_TYPE_INIT_COMPLETE:		/* 16, then 28 */
	case NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE:	/* 4 + 8 + 16 */
		return 28;
	case NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE:	/* 4 + 8 */
	case NVSP_MSG5_TYPE_SUBCHANNEL:			/* 4 + 8 */
		return 12;
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE:	/* header only */
		return 4;
	default:
		return 0;
	}
}

int
nvsc_recv_buf_check(const struct nvsp_msg *m, uint32_t buf_len,
		    uint32_t *sub_size, uint32_t *count)
{
	const struct nvsp_rbuf_section *s;

	if (m == NULL || sub_size == NULL || count == NULL ||
	    m->type != NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE) {
		return -EINVAL;
	}
	if (m->recv_buf_comp.status != NVSP_STAT_SUCCESS) {
		return -EPROTO;
	}
	/* There is only one section for the whole receive buffer. */
	s = nvsp_rbuf_section(m, 0);
	if (m->recv_buf_comp.num_sections != 1 || s == NULL ||
	    s->offset != 0) {
		return -EBADMSG;
	}
	if (s->sub_alloc_size < NVSC_MTU_MIN ||
	    (uint64_t)s->sub_alloc_size * s->num_sub_allocs > buf_len) {
		return -EBADMSG;
	}
	*sub_size = s->sub_alloc_size;
	*count = s->num_sub_allocs;
	return 0;
}

int
nvsc_send_buf_check(const struct nvsp_msg *m, uint32_t buf_len,
		    uint32_t *sec_size, uint32_t *count)
{
	if (m == NULL || sec_size == NULL || count == NULL ||
	    m->type != NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE) {
		return -EINVAL;
	}
	if (m->send_buf_comp.status != NVSP_STAT_SUCCESS) {
		return -EPROTO;
	}
	if (m->send_buf_comp.section_size < NVSC_MTU_MIN) {
		return -EBADMSG;
	}
	*sec_size = m->send_buf_comp.section_size;
	*count = buf_len / m->send_buf_comp.section_size;
	return 0;
}

/* --- RNDIS --------------------------------------------------------------- */

int
nvsc_rndis_init(void *buf, size_t cap, uint32_t req_id)
{
	struct rndis_init_req r = {
		.req_id = req_id,
		.major = RNDIS_MAJOR_VERSION,
		.minor = RNDIS_MINOR_VERSION,
		.max_xfer_size = NVSC_RNDIS_MAX_XFER,
	};

	return rndis_encode_init_req(buf, cap, &r);
}

int
nvsc_rndis_query(void *buf, size_t cap, uint32_t req_id, uint32_t oid,
		 uint32_t ver)
{
	uint8_t info[NDIS_OFFLOAD_SIZE_REV_3];
	struct ndis_obj_hdr h;
	uint32_t info_len = 0;
	int ret;

	memset(info, 0, sizeof(info));
	if (oid == RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES) {
		h.type = NDIS_OBJTYPE_OFFLOAD;
		if (ver >= NVSP_PROTOCOL_VERSION_5) {
			h.revision = NDIS_OFFLOAD_REV_3;
		} else if (ver >= NVSP_PROTOCOL_VERSION_4) {
			h.revision = NDIS_OFFLOAD_REV_2;
		} else {
			h.revision = NDIS_OFFLOAD_REV_1;
		}
		h.size = ndis_offload_size(h.revision);
		info_len = h.size;
	} else if (oid == RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES) {
		h.type = NDIS_OBJTYPE_RSS_CAPS;
		h.revision = NDIS_RSS_CAPS_REV_2;
		h.size = NDIS_RSS_CAPS_SIZE_REV_2;
		info_len = h.size;
	}
	if (info_len != 0) {
		ret = ndis_obj_hdr_encode(&h, info, sizeof(info));
		if (ret < 0) {
			return ret;
		}
	}
	return rndis_encode_query(buf, cap, req_id, oid,
				  info_len != 0 ? info : NULL, info_len);
}

int
nvsc_rndis_set_filter(void *buf, size_t cap, uint32_t req_id,
		      uint32_t filter)
{
	uint8_t v[4];

	sn_put_le32(v, filter);
	return rndis_encode_set(buf, cap, req_id,
				RNDIS_OID_GEN_CURRENT_PACKET_FILTER, v,
				sizeof(v));
}

int
nvsc_rndis_set_offload(void *buf, size_t cap, uint32_t req_id, uint32_t ver,
		       const struct ndis_offload_params *p)
{
	struct ndis_offload_params q;
	uint8_t info[NDIS_OFFLOAD_PARAMS_SIZE_FULL];
	int n;

	if (p == NULL) {
		return -EINVAL;
	}
	q = *p;
	q.revision = NDIS_OFFLOAD_PARAMS_REV_3;
	if (ver <= NVSP_PROTOCOL_VERSION_4) {
		/* VERSION_4_OFFLOAD_SIZE; no UDP checksum offload there. */
		q.size = NDIS_OFFLOAD_PARAMS_SIZE_REV_2;
		q.udp4_csum = 0;
		q.udp6_csum = 0;
	} else {
		q.size = NDIS_OFFLOAD_PARAMS_SIZE_FULL;
	}
	n = ndis_offload_params_encode(&q, info, sizeof(info));
	if (n < 0) {
		return n;
	}
	return rndis_encode_set(buf, cap, req_id,
				RNDIS_OID_TCP_OFFLOAD_PARAMETERS, info,
				(uint32_t)n);
}

int
nvsc_rndis_set_rss(void *buf, size_t cap, uint32_t req_id, uint16_t flags,
		   uint32_t n_entries, uint32_t nchan, const uint8_t *key)
{
	struct ndis_rss_params p;
	uint8_t info[NDIS_RSS_PARAMS_LEN(NDIS_RSS_ITAB_MAX_ENTRIES)];
	uint32_t i;
	int n;

	if (n_entries == 0 || n_entries > NDIS_RSS_ITAB_MAX_ENTRIES ||
	    nchan == 0) {
		return -EINVAL;
	}
	memset(&p, 0, sizeof(p));
	p.revision = NDIS_RSS_PARAMS_REV_2;
	p.flags = flags;
	p.hash_info = NDIS_HASH_INFO_LINUX;
	p.n_entries = (uint16_t)n_entries;
	for (i = 0; i < n_entries; i++) {
		/* ethtool_rxfh_indir_default(): i % n. */
		p.itab[i] = i % nchan;
	}
	memcpy(p.key, key != NULL ? key : nvsc_rss_key_default,
	       NDIS_RSS_KEY_SIZE);
	p.has_key = 1;
	n = ndis_rss_params_encode(&p, info, sizeof(info));
	if (n < 0) {
		return n;
	}
	return rndis_encode_set(buf, cap, req_id,
				RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS, info,
				(uint32_t)n);
}

int
nvsc_rndis_halt(void *buf, size_t cap, uint32_t req_id)
{
	return rndis_encode_halt(buf, cap, req_id);
}

int
nvsc_query_result(const struct rndis_msg *m, void *out, uint32_t cap,
		  uint32_t *len)
{
	if (m == NULL || len == NULL || (out == NULL && cap != 0) ||
	    m->type != RNDIS_MSG_QUERY_CMPLT) {
		return -EINVAL;
	}
	*len = 0;
	if (m->u.info_cmplt.status != RNDIS_STATUS_SUCCESS) {
		return -EIO;
	}
	if (m->u.info_cmplt.info_len > cap) {
		return -EMSGSIZE;
	}
	if (m->u.info_cmplt.info_len != 0) {
		memcpy(out, m->u.info_cmplt.info, m->u.info_cmplt.info_len);
	}
	*len = m->u.info_cmplt.info_len;
	return 0;
}

void
nvsc_offload_choose(const struct ndis_offload *hw, bool lro,
		    struct ndis_offload_params *req, struct nvsc_offload *ofl)
{
	uint32_t gso = NVSC_GSO_MAX_DEFAULT;
	uint32_t f = 0;

	memset(req, 0, sizeof(*req));
	/* Linux does not care about the IPv4 header checksum. */
	req->ip4_csum = NDIS_OFFLOAD_PARAM_OFF;

	if ((hw->csum.ip4_tx_flags & NDIS_LINUX_TCP4_CSUM_REQ) ==
	    NDIS_LINUX_TCP4_CSUM_REQ) {
		f |= NVSC_OFL_TCP4_CSUM;
		req->tcp4_csum = NDIS_OFFLOAD_PARAM_TX_RX;
		if (hw->lsov2.ip4_encap & NDIS_ENCAP_IEEE_802_3) {
			req->lsov2_ip4 = NDIS_OFFLOAD_SET_ON;
			f |= NVSC_OFL_LSO4;
			if (hw->lsov2.ip4_max_size < gso) {
				gso = hw->lsov2.ip4_max_size;
			}
		}
		if (hw->csum.ip4_tx_flags & NDIS_CSUM4_UDP) {
			req->udp4_csum = NDIS_OFFLOAD_PARAM_TX_RX;
			f |= NVSC_OFL_UDP4_CSUM;
		}
	}
	if ((hw->csum.ip6_tx_flags & NDIS_LINUX_TCP6_CSUM_REQ) ==
	    NDIS_LINUX_TCP6_CSUM_REQ) {
		f |= NVSC_OFL_TCP6_CSUM;
		req->tcp6_csum = NDIS_OFFLOAD_PARAM_TX_RX;
		if ((hw->lsov2.ip6_encap & NDIS_ENCAP_IEEE_802_3) &&
		    (hw->lsov2.ip6_opts & NDIS_LINUX_LSO6_OPTS_REQ) ==
			    NDIS_LINUX_LSO6_OPTS_REQ) {
			req->lsov2_ip6 = NDIS_OFFLOAD_SET_ON;
			f |= NVSC_OFL_LSO6;
			if (hw->lsov2.ip6_max_size < gso) {
				gso = hw->lsov2.ip6_max_size;
			}
		}
		if (hw->csum.ip6_tx_flags & NDIS_CSUM6_UDP) {
			req->udp6_csum = NDIS_OFFLOAD_PARAM_TX_RX;
			f |= NVSC_OFL_UDP6_CSUM;
		}
	}
	if (hw->rsc_ip4 != 0 && hw->rsc_ip6 != 0) {
		f |= NVSC_OFL_RSC;
		req->rsc_ip4 = lro ? NDIS_OFFLOAD_SET_ON : NDIS_OFFLOAD_SET_OFF;
		req->rsc_ip6 = req->rsc_ip4;
	}
	ofl->flags = f;
	ofl->gso_max = gso;
}
