/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsc_dev.c - the guest VSC device: attach (NVSP negotiation, buffers,
 * RNDIS sequence), open / close, detach, control requests and their
 * bounded waits, and the gvmb_client transport glue.
 *
 * The sequence is Linux's (netvsc_device_add(), netvsc_connect_vsp(),
 * netvsc_init_buf(), rndis_filter_device_add(), rndis_filter_open(),
 * rndis_filter_device_remove(), netvsc_device_remove()); deviations are
 * written down where they happen.  Messages come from nvsc_msg.c.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nvsc_priv.h"
#include "vmb_pkt.h"
#include "vmb_user.h"

/* --- counters ------------------------------------------------------------ */

static const char *const stat_names[] = {
#define NVSC_STAT_NAME_(f, s) s,
	NVSC_STATS(NVSC_STAT_NAME_)
#undef NVSC_STAT_NAME_
};

static const size_t stat_offs[] = {
#define NVSC_STAT_OFF_(f, s) offsetof(struct nvsc_stats, f),
	NVSC_STATS(NVSC_STAT_OFF_)
#undef NVSC_STAT_OFF_
};

SN_STATIC_ASSERT(SN_ARRAY_SIZE(stat_names) == NVSC_STAT_COUNT,
		 "one name per counter");

const char *
nvsc_stat_name(unsigned int i)
{
	return i < NVSC_STAT_COUNT ? stat_names[i] : NULL;
}

uint64_t
nvsc_stat_value(const struct nvsc_stats *s, unsigned int i)
{
	uint64_t v;

	if (s == NULL || i >= NVSC_STAT_COUNT) {
		return 0;
	}
	memcpy(&v, (const uint8_t *)s + stat_offs[i], sizeof(v));
	return v;
}

/* --- bounded waits ------------------------------------------------------- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef bool (*wait_pred)(const struct nvsc_dev *dev);

/*
 * Poll the channel until pred(dev) holds or the control timeout passes.
 * Frames that arrive meanwhile go to the default receiver.
 */
static int
wait_for(struct nvsc_dev *dev, wait_pred pred)
{
	int64_t deadline = now_ms() + dev->cfg.timeout_ms;
	struct pollfd pfd;
	int64_t left;
	int rc;

	for (;;) {
		rc = nvsc_poll(dev, NULL, NULL, 0);
		if (rc < 0) {
			return rc;
		}
		if (pred(dev)) {
			return 0;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			return -ETIMEDOUT;
		}
		if (rc > 0 || nvsc_arm(dev)) {
			continue;
		}
		pfd.fd = dev->io.intr_fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno != EINTR) {
			return -errno;
		}
		if (rc > 0) {
			nvsc_intr_ack(dev);
		}
	}
}

static bool
pred_tx_room(const struct nvsc_dev *dev)
{
	return !dev->tx_blocked ||
	       vmb_ring_write_space(dev->io.tx) >= NVSC_PENDING_SEND_BYTES;
}

static bool
pred_nvsp_done(const struct nvsc_dev *dev)
{
	return dev->nw.done;
}

static bool
pred_rndis_done(const struct nvsc_dev *dev)
{
	return dev->rw.done;
}

static bool
pred_ctrl_slot(const struct nvsc_dev *dev)
{
	unsigned int i;

	for (i = 0; i < NVSC_CTRL_SLOTS; i++) {
		if (!dev->ctrl[i].busy) {
			return true;
		}
	}
	return false;
}

static bool
pred_idle(const struct nvsc_dev *dev)
{
	return nvsc_tx_inflight(dev) == 0 && dev->rxq_n == 0;
}

/* Inband send that waits (bounded) for ring room instead of failing. */
static int
inband_wait(struct nvsc_dev *dev, const void *msg, size_t len, uint64_t tid,
	    uint16_t flags)
{
	int rc;

	for (;;) {
		rc = nvsc_send_inband(dev, msg, len, tid, flags);
		if (rc != -EAGAIN) {
			return rc;
		}
		rc = wait_for(dev, pred_tx_room);
		if (rc < 0) {
			return rc;
		}
	}
}

/* GPA-direct send that waits (bounded) for ring room. */
static int
gpa_wait(struct nvsc_dev *dev, uint64_t gpa, uint32_t bytes, const void *msg,
	 size_t len, uint64_t tid)
{
	int rc;

	for (;;) {
		rc = nvsc_send_gpa(dev, gpa, bytes, msg, len, tid);
		if (rc != -EAGAIN) {
			return rc;
		}
		rc = wait_for(dev, pred_tx_room);
		if (rc < 0) {
			return rc;
		}
	}
}

/* --- NVSP control -------------------------------------------------------- */

/* Inband message, no completion requested (NDIS config, revokes...). */
static int
nvsp_post(struct nvsc_dev *dev, const void *msg, int len)
{
	if (len < 0) {
		return len;
	}
	return inband_wait(dev, msg, (size_t)len, 0, 0);
}

/*
 * Request with completion requested; wait for the completion of type
 * comp_type (netvsc matches these by type, not by trans_id) into *out.
 */
static int
nvsp_request(struct nvsc_dev *dev, const void *msg, int len,
	     uint32_t comp_type, struct nvsp_msg *out)
{
	int rc;

	if (len < 0) {
		return len;
	}
	dev->nw.type = comp_type;
	dev->nw.done = false;
	dev->nw.waiting = true;
	rc = inband_wait(dev, msg, (size_t)len,
			 nvsc_tid(NVSC_TID_NVSP, ++dev->nvsp_seq, 0),
			 VMB_PKT_FLAG_COMPLETION_REQUESTED);
	if (rc == 0) {
		rc = wait_for(dev, pred_nvsp_done);
	}
	dev->nw.waiting = false;
	if (rc == 0) {
		*out = dev->nw.msg;
	}
	return rc;
}

/* netvsc_connect_vsp(): newest version first; NDIS config on success. */
static int
negotiate(struct nvsc_dev *dev)
{
	uint8_t buf[NVSC_NVSP_MSG_LEN];
	struct nvsp_msg m;
	unsigned int i;
	int rc;

	for (i = 0; i < NVSC_NVSP_VERSIONS; i++) {
		uint32_t v = nvsc_nvsp_versions[i];

		if (v > dev->cfg.max_nvsp_ver) {
			continue;
		}
		rc = nvsp_request(dev, buf, nvsc_msg_init(buf, sizeof(buf), v),
				  NVSP_MSG_TYPE_INIT_COMPLETE, &m);
		if (rc < 0) {
			/* Linux would wait forever; we give up. */
			return rc;
		}
		if (m.init_comp.status != NVSP_STAT_SUCCESS) {
			continue;
		}
		dev->info.nvsp_ver = v;
		if (v == NVSP_PROTOCOL_VERSION_1) {
			return 0;
		}
		return nvsp_post(dev, buf,
				 nvsc_msg_ndis_config(buf, sizeof(buf), v,
						      dev->cfg.mtu));
	}
	return -EPROTO;
}

static int
send_ndis_ver(struct nvsc_dev *dev)
{
	uint8_t buf[NVSC_NVSP_MSG_LEN];

	dev->info.ndis_ver = nvsc_ndis_version(dev->info.nvsp_ver);
	return nvsp_post(dev, buf, nvsc_msg_ndis_ver(buf, sizeof(buf),
						     dev->info.nvsp_ver));
}

/* netvsc_init_buf(), receive half. */
static int
init_recv_buf(struct nvsc_dev *dev)
{
	uint8_t buf[NVSC_NVSP_MSG_LEN];
	const struct nvsp_rbuf_section *s;
	struct nvsp_msg m;
	uint32_t sub;
	uint32_t cnt;
	int rc;

	dev->rbuf_len = nvsc_recv_buf_size(dev->info.nvsp_ver,
					   dev->cfg.recv_buf_size);
	rc = dev->xp.mem_alloc(dev->xp.ctx, dev->rbuf_len, &dev->rbuf);
	if (rc < 0) {
		return rc;
	}
	rc = dev->xp.gpadl_create(dev->xp.ctx, &dev->rbuf, &dev->rbuf_gpadl);
	if (rc < 0) {
		dev->rbuf_gpadl = 0;
		return rc;
	}
	rc = nvsp_request(dev, buf,
			  nvsc_msg_send_recv_buf(buf, sizeof(buf),
						 dev->rbuf_gpadl),
			  NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE, &m);
	if (rc < 0) {
		return rc;
	}
	/*
	 * Linux records the slot count before its size check, so a buffer
	 * the host described (one section at 0) is revoked even when the
	 * check then fails.
	 */
	s = nvsp_rbuf_section(&m, 0);
	dev->rbuf_announced = m.recv_buf_comp.status == NVSP_STAT_SUCCESS &&
			      m.recv_buf_comp.num_sections == 1 &&
			      s != NULL && s->offset == 0 &&
			      s->num_sub_allocs != 0;
	rc = nvsc_recv_buf_check(&m, dev->rbuf_len, &sub, &cnt);
	if (rc < 0) {
		return rc;
	}
	dev->info.recv_sub_size = sub;
	dev->info.recv_sub_count = cnt;
	/* Linux: recv_section_cnt + 1 completion slots. */
	return nvsc_rxq_init(dev, SN_MAX(SN_MIN(cnt + 1, 1u << 20), 256u));
}

/* netvsc_init_buf(), send half. */
static int
init_send_buf(struct nvsc_dev *dev)
{
	uint8_t buf[NVSC_NVSP_MSG_LEN];
	struct nvsp_msg m;
	uint32_t size;
	uint32_t cnt;
	int rc;

	dev->sbuf_len = SN_ALIGN_UP(dev->cfg.send_buf_size, 4096u);
	rc = dev->xp.mem_alloc(dev->xp.ctx, dev->sbuf_len, &dev->sbuf);
	if (rc < 0) {
		return rc;
	}
	rc = dev->xp.gpadl_create(dev->xp.ctx, &dev->sbuf, &dev->sbuf_gpadl);
	if (rc < 0) {
		dev->sbuf_gpadl = 0;
		return rc;
	}
	rc = nvsp_request(dev, buf,
			  nvsc_msg_send_send_buf(buf, sizeof(buf),
						 dev->sbuf_gpadl),
			  NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE, &m);
	if (rc < 0) {
		return rc;
	}
	rc = nvsc_send_buf_check(&m, dev->sbuf_len, &size, &cnt);
	if (rc < 0) {
		return rc;
	}
	dev->sbuf_announced = cnt != 0;
	dev->sec_size = size;
	dev->sec_count = cnt;
	dev->info.send_sec_size = size;
	dev->info.send_sec_count = cnt;
	dev->sec_map = calloc((cnt + 63) / 64 + 1, sizeof(uint64_t));
	dev->sec_gen = calloc(cnt + 1, sizeof(uint32_t));
	if (dev->sec_map == NULL || dev->sec_gen == NULL) {
		return -ENOMEM;
	}
	return 0;
}

/* --- RNDIS control ------------------------------------------------------- */

static int
ctrl_slot(struct nvsc_dev *dev)
{
	unsigned int i;
	int rc;

	if (!pred_ctrl_slot(dev)) {
		rc = wait_for(dev, pred_ctrl_slot);
		if (rc < 0) {
			return rc;
		}
	}
	for (i = 0; i < NVSC_CTRL_SLOTS; i++) {
		if (!dev->ctrl[i].busy) {
			return (int)i;
		}
	}
	return -EAGAIN;
}

/*
 * Send one RNDIS control message (req[0..len), already built) as Linux
 * rndis_filter_send_request(): copied to a control page, SEND_RNDIS_PKT
 * channel_type 1 GPA-direct, completion requested.  With ans, wait for
 * the answer with the same request id and decode it into *ans (pointers
 * borrow the device until the next request).
 */
static int
rndis_exec(struct nvsc_dev *dev, const uint8_t *req, int len,
	   struct rndis_msg *ans)
{
	uint8_t msg[NVSC_NVSP_MSG_LEN];
	struct nvsc_slot *s;
	uint64_t gpa;
	int slot;
	int rc;

	if (len < 0) {
		return len;
	}
	if (len < 12 || (uint32_t)len > VMB_PAGE_SIZE) {
		return -EINVAL;
	}
	slot = ctrl_slot(dev);
	if (slot < 0) {
		return slot;
	}
	s = &dev->ctrl[slot];
	memcpy((uint8_t *)dev->ctrl_mem.ptr + (size_t)slot * VMB_PAGE_SIZE,
	       req, (size_t)len);
	gpa = dev->ctrl_mem.gpa + (uint64_t)slot * VMB_PAGE_SIZE;
	if (ans != NULL) {
		dev->rw.req_id = sn_get_le32(req + RNDIS_HDR_LEN);
		dev->rw.done = false;
		dev->rw.overflow = false;
		dev->rw.waiting = true;
	}
	rc = nvsc_msg_rndis_pkt(msg, sizeof(msg), NVSP_CHANNEL_TYPE_CONTROL,
				NVSP_SECTION_INDEX_NONE, 0);
	if (rc < 0) {
		return rc;
	}
	s->gen++;
	s->busy = true;
	rc = gpa_wait(dev, gpa, (uint32_t)len, msg, (size_t)rc,
		      nvsc_tid(NVSC_TID_CTRL, s->gen, (uint32_t)slot));
	if (rc < 0) {
		s->busy = false;
		dev->rw.waiting = false;
		return rc;
	}
	if (ans == NULL) {
		return 0;
	}
	rc = wait_for(dev, pred_rndis_done);
	dev->rw.waiting = false;
	if (rc < 0) {
		return rc;
	}
	if (dev->rw.overflow) {
		return -EMSGSIZE;
	}
	return rndis_decode(dev->rw.resp, dev->rw.len, ans) < 0 ? -EBADMSG : 0;
}

/* QUERY oid; the info buffer into out (cap bytes), *len its size. */
static int
rndis_query(struct nvsc_dev *dev, uint32_t oid, void *out, uint32_t cap,
	    uint32_t *len)
{
	uint8_t req[NVSC_CTRL_REQ_MAX];
	struct rndis_msg a;
	int rc;

	rc = rndis_exec(dev, req,
			nvsc_rndis_query(req, sizeof(req), ++dev->req_id, oid,
					 dev->info.nvsp_ver),
			&a);
	if (rc < 0) {
		return rc;
	}
	if (a.type != RNDIS_MSG_QUERY_CMPLT) {
		return -EPROTO;
	}
	return nvsc_query_result(&a, out, cap, len);
}

/* Send a SET built in req; -EPROTO when the host's status is a failure. */
static int
rndis_set(struct nvsc_dev *dev, const uint8_t *req, int len)
{
	struct rndis_msg a;
	int rc;

	rc = rndis_exec(dev, req, len, &a);
	if (rc < 0) {
		return rc;
	}
	if (a.type != RNDIS_MSG_SET_CMPLT) {
		return -EPROTO;
	}
	return a.u.cmplt.status == RNDIS_STATUS_SUCCESS ? 0 : -EPROTO;
}

/* rndis_filter_init_device(). */
static int
rndis_initialize(struct nvsc_dev *dev)
{
	uint8_t req[NVSC_CTRL_REQ_MAX];
	struct rndis_msg a;
	uint32_t f;
	int rc;

	rc = rndis_exec(dev, req,
			nvsc_rndis_init(req, sizeof(req), ++dev->req_id), &a);
	if (rc < 0) {
		return rc;
	}
	if (a.type != RNDIS_MSG_INIT_CMPLT ||
	    a.u.init_cmplt.status != RNDIS_STATUS_SUCCESS) {
		return -EPROTO;
	}
	dev->rndis_up = true;
	dev->max_pkt = SN_MAX(a.u.init_cmplt.max_pkt_per_msg, 1u);
	/* Linux takes 1 << factor as is; a factor past 12 is not sane. */
	f = a.u.init_cmplt.pkt_align_factor;
	dev->pkt_align = f <= 12 ? 1u << f : 8u;
	dev->info.rndis_max_pkt = dev->max_pkt;
	dev->info.rndis_align = dev->pkt_align;
	return 0;
}

/* rndis_get_friendly_name(): UCS-2 LE, kept as ASCII ('?' otherwise). */
static void
query_friendly_name(struct nvsc_dev *dev)
{
	uint8_t w[512];
	uint32_t len = 0;
	size_t i;
	size_t o = 0;

	if (rndis_query(dev, RNDIS_OID_GEN_FRIENDLY_NAME, w, sizeof(w),
			&len) < 0) {
		return;		/* ignored, as Linux */
	}
	for (i = 0; i + 1 < len && o + 1 < sizeof(dev->info.friendly_name);
	     i += 2) {
		uint16_t c = sn_get_le16(w + i);

		if (c == 0) {
			break;
		}
		dev->info.friendly_name[o++] =
			(c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dev->info.friendly_name[o] = '\0';
}

/* rndis_netdev_set_hwcaps(): both steps are fatal in Linux. */
static int
set_hwcaps(struct nvsc_dev *dev)
{
	uint8_t info[NDIS_OFFLOAD_SIZE_REV_3];
	uint8_t req[NVSC_CTRL_REQ_MAX];
	struct ndis_offload_params p;
	struct ndis_offload hw;
	uint32_t len = 0;
	int rc;

	rc = rndis_query(dev, RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
			 info, sizeof(info), &len);
	if (rc < 0) {
		return rc;
	}
	if (ndis_offload_decode(info, len, &hw) < 0) {
		return -EBADMSG;
	}
	nvsc_offload_choose(&hw, dev->cfg.lro, &p, &dev->ofl);
	dev->info.offloads = dev->ofl.flags;
	dev->info.gso_max = dev->ofl.gso_max;
	return rndis_set(dev, req,
			 nvsc_rndis_set_offload(req, sizeof(req),
						++dev->req_id,
						dev->info.nvsp_ver, &p));
}

/* vRSS setup with one channel (see struct nvsc_cfg no_rss). */
static void
setup_rss(struct nvsc_dev *dev)
{
	uint8_t info[NDIS_RSS_CAPS_SIZE_REV_2];
	uint8_t req[NVSC_CTRL_REQ_MAX];
	struct ndis_rss_caps caps;
	uint32_t len = 0;
	uint32_t n;

	if (rndis_query(dev, RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES, info,
			sizeof(info), &len) < 0 ||
	    ndis_rss_caps_decode(info, len, &caps) < 0) {
		return;		/* Linux: no vRSS */
	}
	dev->info.rss_queues = caps.num_queues;
	n = caps.num_itab_entries;
	if (n == 0 || n > NDIS_RSS_ITAB_MAX_ENTRIES) {
		n = NDIS_RSS_ITAB_MAX_ENTRIES;	/* ITAB_NUM */
	}
	dev->info.rss_entries = n;
	if (dev->cfg.no_rss) {
		return;
	}
	/* rndis_filter_set_rss_param(): disable first, failures ignored. */
	(void)rndis_set(dev, req,
			nvsc_rndis_set_rss(req, sizeof(req), ++dev->req_id,
					   NDIS_RSS_FLAG_DISABLE_RSS, n, 1,
					   NULL));
	dev->info.rss_status =
		rndis_set(dev, req,
			  nvsc_rndis_set_rss(req, sizeof(req), ++dev->req_id,
					     0, n, 1, NULL));
}

/* rndis_filter_device_add() after netvsc_device_add(). */
static int
rndis_sequence(struct nvsc_dev *dev)
{
	uint8_t v[6];
	uint32_t len = 0;
	int rc;

	rc = rndis_initialize(dev);
	if (rc < 0) {
		return rc;
	}
	if (rndis_query(dev, RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, v, 4,
			&len) == 0 && len == 4) {
		dev->info.host_max_frame = sn_get_le32(v);
		if (dev->info.host_max_frame < dev->info.mtu) {
			dev->info.mtu = dev->info.host_max_frame;
		}
	}
	rc = rndis_query(dev, RNDIS_OID_802_3_PERMANENT_ADDRESS,
			 dev->info.mac, sizeof(dev->info.mac), &len);
	if (rc < 0) {
		return rc;
	}
	query_friendly_name(dev);
	rc = set_hwcaps(dev);
	if (rc < 0) {
		return rc;
	}
	/* rndis_set_link_state(): 0 = connected; errors ignored. */
	if (rndis_query(dev, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, v, 4,
			&len) == 0 && len >= 4) {
		dev->info.link_up = sn_get_le32(v) == 0;
	}
	if (dev->info.nvsp_ver < NVSP_PROTOCOL_VERSION_5) {
		return 0;
	}
	if (rndis_query(dev, RNDIS_OID_GEN_LINK_SPEED, v, 4, &len) == 0 &&
	    len == 4) {
		dev->info.link_speed = sn_get_le32(v);
	}
	setup_rss(dev);
	return 0;
}

/* --- open / close -------------------------------------------------------- */

/* rndis_filter_set_packet_filter(): nothing sent when unchanged. */
static int
set_filter(struct nvsc_dev *dev, uint32_t filter)
{
	uint8_t req[NVSC_CTRL_REQ_MAX];
	int rc;

	if (dev->filter == filter) {
		return 0;
	}
	rc = rndis_set(dev, req,
		       nvsc_rndis_set_filter(req, sizeof(req), ++dev->req_id,
					     filter));
	if (rc == 0) {
		dev->filter = filter;
	}
	return rc;
}

/* Linux netvsc's filter when up: 0x0D, plus PROMISCUOUS for IFF_PROMISC
 * (netvsc_set_rx_mode -> rndis_filter_update). */
static uint32_t
open_filter(const struct nvsc_dev *dev)
{
	return RNDIS_FILTER_DIRECTED | RNDIS_FILTER_ALL_MULTICAST |
	       RNDIS_FILTER_BROADCAST |
	       (dev->promisc ? RNDIS_FILTER_PROMISCUOUS : 0);
}

int
nvsc_dev_open(struct nvsc_dev *dev)
{
	int rc;

	if (dev == NULL) {
		return -EINVAL;
	}
	if (dev->dead || !dev->chan_open) {
		return -ENOTCONN;
	}
	if (dev->opened) {
		return 0;
	}
	rc = set_filter(dev, open_filter(dev));
	if (rc == 0) {
		dev->opened = true;
	}
	return rc;
}

int
nvsc_dev_set_promisc(struct nvsc_dev *dev, bool on)
{
	int rc;

	if (dev == NULL) {
		return -EINVAL;
	}
	if (dev->promisc == on) {
		return 0;
	}
	dev->promisc = on;
	if (!dev->opened) {
		return 0; /* applied by nvsc_dev_open() */
	}
	if (dev->dead || !dev->chan_open) {
		return -ENOTCONN;
	}
	rc = set_filter(dev, open_filter(dev));
	if (rc < 0) {
		dev->promisc = !on;
	}
	return rc;
}

int
nvsc_dev_close(struct nvsc_dev *dev)
{
	int rc;

	if (dev == NULL) {
		return -EINVAL;
	}
	if (!dev->opened) {
		return 0;
	}
	if (dev->dead || !dev->chan_open) {
		return -ENOTCONN;
	}
	rc = set_filter(dev, RNDIS_FILTER_NONE);
	if (rc == 0) {
		dev->opened = false;
	}
	return rc;
}

/* --- attach / detach ----------------------------------------------------- */

static int
resolve_cfg(struct nvsc_cfg *c, const struct nvsc_cfg *in)
{
	if (in != NULL) {
		*c = *in;
	} else {
		memset(c, 0, sizeof(*c));
	}
	if (c->ring_pages == 0) {
		c->ring_pages = GVMB_DEFAULT_RING_PAGES;
	}
	if (c->mtu == 0) {
		c->mtu = 1500;
	}
	if (c->mtu < NVSC_MTU_MIN || c->mtu > NVSC_MTU_MAX) {
		return -EINVAL;
	}
	if (c->send_buf_size == 0) {
		c->send_buf_size = NVSC_SEND_BUF_DEFAULT;
	}
	if (c->send_buf_size > 64u * 1024 * 1024) {
		return -EINVAL;
	}
	if (c->max_nvsp_ver == 0) {
		c->max_nvsp_ver = NVSP_PROTOCOL_VERSION_61;
	}
	if (c->timeout_ms <= 0) {
		c->timeout_ms = NVSC_TIMEOUT_MS_DEFAULT;
	}
	if (c->bounce_slots == 0) {
		c->bounce_slots = NVSC_BOUNCE_SLOTS_DEFAULT;
	}
	if (c->bounce_slots > 1024) {
		return -EINVAL;
	}
	return 0;
}

/* Private buffers and GPA-direct pages (no GPADL needed). */
static int
alloc_local(struct nvsc_dev *dev)
{
	int rc;

	dev->pkt_cap = dev->io.rx->size;
	dev->pkt = malloc(dev->pkt_cap);
	dev->rx_copy = malloc(NVSC_RX_COPY_MAX);
	dev->rsc_buf = malloc(NVSC_RX_MAX_FRAME);
	dev->bnc_n = dev->cfg.bounce_slots;
	dev->bnc = calloc(dev->bnc_n, sizeof(*dev->bnc));
	if (dev->pkt == NULL || dev->rx_copy == NULL ||
	    dev->rsc_buf == NULL || dev->bnc == NULL) {
		return -ENOMEM;
	}
	rc = nvsc_rxq_init(dev, 256);
	if (rc < 0) {
		return rc;
	}
	rc = dev->xp.mem_alloc(dev->xp.ctx,
			       (size_t)NVSC_CTRL_SLOTS * VMB_PAGE_SIZE,
			       &dev->ctrl_mem);
	if (rc < 0) {
		return rc;
	}
	return dev->xp.mem_alloc(dev->xp.ctx,
				 (size_t)dev->bnc_n * NVSC_BOUNCE_PAGES *
				 VMB_PAGE_SIZE, &dev->bnc_mem);
}

/*
 * Protocol half of the teardown (netvsc_close() and
 * rndis_filter_device_remove()): filter 0, HALT, wait for outstanding
 * completions, revoke the buffers.  Errors are remembered, not fatal.
 */
static int
teardown_protocol(struct nvsc_dev *dev)
{
	uint8_t buf[NVSC_CTRL_REQ_MAX];
	int first = 0;
	int rc;

	if (dev->opened) {
		first = nvsc_dev_close(dev);
	}
	if (dev->rndis_up) {
		/*
		 * rndis_filter_halt_device() takes a request id for the
		 * request, then overwrites it with the next one.
		 */
		++dev->req_id;
		rc = rndis_exec(dev, buf,
				nvsc_rndis_halt(buf, sizeof(buf),
						++dev->req_id), NULL);
		first = first != 0 ? first : rc;
		dev->rndis_up = false;
	}
	/* netvsc_device_idle(): sends and RX completions drained. */
	rc = wait_for(dev, pred_idle);
	first = first != 0 ? first : rc;
	if (dev->rbuf_announced) {
		rc = nvsp_post(dev, buf, nvsc_msg_revoke_recv_buf(buf,
								  sizeof(buf)));
		first = first != 0 ? first : rc;
		dev->rbuf_announced = false;
	}
	if (dev->sbuf_announced) {
		rc = nvsp_post(dev, buf, nvsc_msg_revoke_send_buf(buf,
								  sizeof(buf)));
		first = first != 0 ? first : rc;
		dev->sbuf_announced = false;
	}
	return first;
}

static void
free_mem(struct nvsc_dev *dev, struct gvmb_alloc *a)
{
	if (a->ptr != NULL) {
		dev->xp.mem_free(dev->xp.ctx, a);
	}
}

/* netvsc_device_remove() for WIN10+ hosts: close, then GPADLs. */
static int
teardown(struct nvsc_dev *dev)
{
	int first = 0;
	int rc;

	if (dev->chan_open && dev->xp.chan_gone != NULL &&
	    dev->xp.chan_gone(dev->xp.ctx)) {
		dev->dead = true;
	}
	if (dev->chan_open && !dev->dead) {
		first = teardown_protocol(dev);
	}
	if (dev->chan_open) {
		rc = dev->xp.chan_close(dev->xp.ctx);
		first = first != 0 ? first : rc;
		dev->chan_open = false;
	}
	if (dev->rbuf_gpadl != 0) {
		rc = dev->xp.gpadl_teardown(dev->xp.ctx, dev->rbuf_gpadl);
		first = first != 0 ? first : rc;
		dev->rbuf_gpadl = 0;
	}
	if (dev->sbuf_gpadl != 0) {
		rc = dev->xp.gpadl_teardown(dev->xp.ctx, dev->sbuf_gpadl);
		first = first != 0 ? first : rc;
		dev->sbuf_gpadl = 0;
	}
	free_mem(dev, &dev->rbuf);
	free_mem(dev, &dev->sbuf);
	free_mem(dev, &dev->ctrl_mem);
	free_mem(dev, &dev->bnc_mem);
	return first;
}

static void
dev_free(struct nvsc_dev *dev)
{
	free(dev->sec_map);
	free(dev->sec_gen);
	free(dev->bnc);
	free(dev->pkt);
	free(dev->rx_copy);
	free(dev->rsc_buf);
	free(dev->rxq);
	free(dev->xp_owned);
	free(dev);
}

int
nvsc_dev_attach_xport(const struct nvsc_xport *xp, const struct nvsc_cfg *cfg,
		      struct nvsc_dev **devp)
{
	struct nvsc_dev *dev;
	int rc;

	if (xp == NULL || devp == NULL || xp->mem_alloc == NULL ||
	    xp->mem_free == NULL || xp->gpadl_create == NULL ||
	    xp->gpadl_teardown == NULL || xp->chan_open == NULL ||
	    xp->chan_close == NULL) {
		return -EINVAL;
	}
	*devp = NULL;
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		return -ENOMEM;
	}
	dev->xp = *xp;
	rc = resolve_cfg(&dev->cfg, cfg);
	if (rc < 0) {
		dev_free(dev);
		return rc;
	}
	dev->info.mtu = dev->cfg.mtu;
	dev->info.link_up = true;	/* Linux: link_state 0 until told */
	dev->max_pkt = 1;
	dev->pkt_align = 8;
	/* netvsc_device_add(): open the channel, then talk. */
	rc = xp->chan_open(xp->ctx, dev->cfg.ring_pages, &dev->io);
	if (rc < 0) {
		dev_free(dev);
		return rc;
	}
	dev->chan_open = true;
	rc = alloc_local(dev);
	if (rc == 0) {
		rc = negotiate(dev);
	}
	if (rc == 0) {
		rc = send_ndis_ver(dev);
	}
	if (rc == 0) {
		rc = init_recv_buf(dev);
	}
	if (rc == 0) {
		rc = init_send_buf(dev);
	}
	if (rc == 0) {
		rc = rndis_sequence(dev);
	}
	if (rc < 0) {
		(void)teardown(dev);
		dev_free(dev);
		return rc;
	}
	*devp = dev;
	return 0;
}

int
nvsc_dev_detach(struct nvsc_dev *dev)
{
	int rc;

	if (dev == NULL) {
		return 0;
	}
	rc = teardown(dev);
	dev_free(dev);
	return rc;
}

void
nvsc_dev_abandon(struct nvsc_dev *dev)
{
	if (dev != NULL) {
		dev->dead = true;
	}
}

void
nvsc_dev_info(const struct nvsc_dev *dev, struct nvsc_info *info)
{
	if (dev != NULL && info != NULL) {
		*info = dev->info;
	}
}

void
nvsc_dev_stats(const struct nvsc_dev *dev, struct nvsc_stats *st)
{
	if (dev != NULL && st != NULL) {
		*st = dev->st;
	}
}

bool
nvsc_dev_link_up(const struct nvsc_dev *dev)
{
	return dev != NULL && dev->info.link_up;
}

const uint8_t *
nvsc_dev_mac(const struct nvsc_dev *dev)
{
	return dev != NULL ? dev->info.mac : NULL;
}

void
nvsc_dev_set_rx(struct nvsc_dev *dev, nvsc_rx_cb cb, void *arg)
{
	if (dev != NULL) {
		dev->def_cb = cb;
		dev->def_arg = arg;
	}
}

/* --- gvmb_client transport ----------------------------------------------- */

/* Context of the vmbus-user transport (owned by the device). */
struct gx_ctx {
	struct gvmb_conn *conn;		/* borrowed */
	struct gvmb_ram *ram;		/* borrowed */
	uint32_t relid;			/* the offer's channel id */
	struct gvmb_chan *ch;		/* open channel, NULL if closed */
	bool gone;			/* rescinded / unloaded at close */
};

static int
gx_mem_alloc(void *ctx, size_t bytes, struct gvmb_alloc *out)
{
	struct gx_ctx *g = ctx;

	return gvmb_ram_alloc(g->ram, bytes, out);
}

static void
gx_mem_free(void *ctx, struct gvmb_alloc *a)
{
	struct gx_ctx *g = ctx;

	gvmb_ram_free(g->ram, a);
}

static int
gx_gpadl_create(void *ctx, const struct gvmb_alloc *a, uint32_t *gpadl)
{
	struct gx_ctx *g = ctx;

	return gvmb_gpadl_create(g->conn, g->relid, a, gpadl);
}

static int
gx_gpadl_teardown(void *ctx, uint32_t gpadl)
{
	struct gx_ctx *g = ctx;

	if (g->gone) {
		/* The host forgot the relid's GPADLs (vmbus-user 4.3). */
		return 0;
	}
	return gvmb_gpadl_teardown(g->conn, g->relid, gpadl);
}

static int
gx_chan_open(void *ctx, uint32_t ring_pages, struct nvsc_chan_io *io)
{
	struct gvmb_chan_opts o;
	struct gx_ctx *g = ctx;
	int rc;

	memset(&o, 0, sizeof(o));
	o.tx_pages = ring_pages;
	o.rx_pages = ring_pages;
	rc = gvmb_chan_open(g->conn, g->relid, &o, &g->ch);
	if (rc < 0) {
		g->ch = NULL;
		return rc;
	}
	io->tx = &g->ch->tx;
	io->rx = &g->ch->rx;
	io->kick_fd = g->ch->kick_fd;
	io->intr_fd = g->ch->intr_fd;
	return 0;
}

static bool
gx_chan_gone(void *ctx)
{
	struct gx_ctx *g = ctx;

	return g->gone ||
	       (g->ch != NULL && (g->ch->rescinded || g->ch->unloaded));
}

static int
gx_chan_close(void *ctx)
{
	struct gx_ctx *g = ctx;
	int rc;

	g->gone = gx_chan_gone(g);
	rc = gvmb_chan_close(g->ch);
	g->ch = NULL;
	return rc;
}

int
nvsc_dev_attach(struct gvmb_conn *conn, struct gvmb_ram *ram,
		const struct gvmb_offer *offer, const struct nvsc_cfg *cfg,
		struct nvsc_dev **devp)
{
	struct nvsc_xport xp;
	struct gx_ctx *g;
	int rc;

	if (conn == NULL || ram == NULL || offer == NULL || devp == NULL) {
		return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		return -ENOMEM;
	}
	g->conn = conn;
	g->ram = ram;
	g->relid = offer->relid;
	memset(&xp, 0, sizeof(xp));
	xp.ctx = g;
	xp.mem_alloc = gx_mem_alloc;
	xp.mem_free = gx_mem_free;
	xp.gpadl_create = gx_gpadl_create;
	xp.gpadl_teardown = gx_gpadl_teardown;
	xp.chan_open = gx_chan_open;
	xp.chan_close = gx_chan_close;
	xp.chan_gone = gx_chan_gone;
	rc = nvsc_dev_attach_xport(&xp, cfg, devp);
	if (rc < 0) {
		free(g);
		return rc;
	}
	(*devp)->xp_owned = g;
	return 0;
}
