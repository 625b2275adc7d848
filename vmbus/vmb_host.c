/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_host.c - host side of a vmbus-user connection.
 *
 * One datagram is one channel message (docs/vmbus-user.md).  Messages are
 * decoded by vmb_chanmsg from the private receive buffer, the extensions by
 * vmb_user; GPADL pages and rings are mapped by vmb_map.  Every reply is
 * sent with MSG_DONTWAIT: a guest that stops reading its socket is
 * disconnected instead of blocking the owner's thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vmb_host.h"

/* Rate limit of diagnostics: this many lines per window per connection. */
#define LOG_BURST 10u
#define LOG_WINDOW_NS 10000000000ull

enum conn_state {
	ST_INIT = 0,	/* no (successful) INITIATE_CONTACT yet */
	ST_CONNECTED,	/* version agreed, RAM mapped */
	ST_DEAD,	/* ended; only destroy is valid */
};

enum chan_state {
	CH_OFFERED = 0,	/* offered, not open */
	CH_OPEN,	/* open, owner has it */
	CH_RESCINDED,	/* rescind sent, waiting for RELID_RELEASED */
};

/* One offered channel. */
struct host_chan {
	/** What was offered (cookie borrowed from the owner). */
	struct vmb_host_offer offer;
	/** enum chan_state. */
	uint32_t state;
	/** Handle of the ring GPADL while open. */
	uint32_t ring_gpadl;
	/** Given to the owner while open. */
	struct vmb_host_channel pub;
	/** G->H ring (host reads). */
	struct vmb_ring rx;
	/** H->G ring (host writes). */
	struct vmb_ring tx;
	/** Mapping behind rx. */
	struct vmb_map_ring rx_map;
	/** Mapping behind tx. */
	struct vmb_map_ring tx_map;
	/** Guest's kick eventfd (owned while open, else -1). */
	int kick_fd;
	/** Our interrupt eventfd (owned while open, else -1). */
	int intr_fd;
	/** OPENCHANNEL userdata. */
	uint8_t userdata[VMB_MSG_USER_DEFINED_BYTES];
};

/* One established GPADL. */
struct host_gpadl {
	/** Guest's handle. */
	uint32_t handle;
	/** child_relid of GPADL_HEADER. */
	uint32_t relid;
	/** Contiguous mapping (one reference held by the table). */
	struct vmb_map_region *region;
	/** PFN list (owned), for mapping it as rings. */
	uint64_t *pfn;
	/** Entries in pfn. */
	uint32_t npfn;
	/** Data offset in the first page. */
	uint32_t byte_offset;
	/** Data bytes. */
	uint32_t byte_count;
	/** Open channel using it as its rings, or NULL. */
	struct host_chan *ring_of;
};

/* One GPADL being reassembled. */
struct host_pending {
	/** Slot in use. */
	bool used;
	/** PFN storage for asm (owned). */
	uint64_t *pfn;
	/** Reassembly state. */
	struct vmb_gpadl_asm asm_;
};

struct vmb_host_conn {
	/** Connected socket (owned). */
	int fd;
	/** enum conn_state. */
	uint32_t state;
	/** 0, or the -errno that ended the connection. */
	int dead_reason;
	/** REQUESTOFFERS was handled. */
	bool offers_requested;
	/** Owner callbacks (borrowed). */
	const struct vmb_host_ops *ops;
	/** Owner context (borrowed). */
	void *ctx;
	/** Negotiated version. */
	uint32_t version;
	/** VM name from the contact extension. */
	char vm_name[VMB_USER_VM_NAME_MAX];
	/** Guest RAM (one reference). */
	struct vmb_map *ram;
	/** Offered channels. */
	struct host_chan *chans[VMB_HOST_MAX_CHANNELS];
	/** Entries used in chans. */
	uint32_t nchans;
	/** Guards gpadls/ngpadls against vmb_host_gpadl_get(). */
	pthread_mutex_t gpadl_lock;
	/** Established GPADLs. */
	struct host_gpadl *gpadls[VMB_HOST_MAX_GPADLS];
	/** Entries used in gpadls. */
	uint32_t ngpadls;
	/** GPADLs being reassembled. */
	struct host_pending pending[VMB_HOST_MAX_PENDING_GPADLS];
	/** mmap runs of every GPADL region and ring. */
	uint32_t map_runs;
	/** Counters. */
	struct vmb_host_stats stats;
	/** Start of the current log window (CLOCK_MONOTONIC ns). */
	uint64_t log_window;
	/** Lines logged in the current window. */
	uint32_t log_lines;
	/** Receive buffer (one datagram). */
	uint8_t rxbuf[VMB_USER_MSG_MAX];
	/** Transmit buffer. */
	uint8_t txbuf[VMB_USER_MSG_MAX];
};

static const char *const err_names[] = {
#define VMB_HOST_ERR_NAME_(e, s) s,
	VMB_HOST_ERRORS(VMB_HOST_ERR_NAME_)
#undef VMB_HOST_ERR_NAME_
};

const char *
vmb_host_err_name(unsigned int err)
{
	return err < VMB_HOST_ERR_COUNT ? err_names[err] : "?";
}

bool
vmb_host_version_supported(uint32_t version)
{
	switch (version) {
	case VMB_MSG_VERSION_WIN8:
	case VMB_MSG_VERSION_WIN8_1:
	case VMB_MSG_VERSION_WIN10:
	case VMB_MSG_VERSION_WIN10_V4_1:
	case VMB_MSG_VERSION_WIN10_V5:
	case VMB_MSG_VERSION_WIN10_V5_1:
	case VMB_MSG_VERSION_WIN10_V5_2:
	case VMB_MSG_VERSION_WIN10_V5_3:
		return true;
	default:
		return false;
	}
}

/* ---- diagnostics -------------------------------------------------------- */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
emit(struct vmb_host_conn *c, const char *line)
{
	if (c->ops->log != NULL) {
		c->ops->log(c->ctx, c, line);
	} else {
		fprintf(stderr, "%s\n", line);
	}
}

/* Rate-limited log line, prefixed with the VM name. */
static void __attribute__((format(printf, 2, 3)))
conn_log(struct vmb_host_conn *c, const char *fmt, ...)
{
	char msg[192];
	char line[320];
	uint64_t now = now_ns();
	va_list ap;

	if (now - c->log_window >= LOG_WINDOW_NS) {
		if (c->stats.logs_suppressed != 0 &&
		    c->log_lines >= LOG_BURST) {
			snprintf(line, sizeof(line),
				 "vmbus-user[%s]: %llu log lines suppressed "
				 "so far", c->vm_name[0] ? c->vm_name : "-",
				 (unsigned long long)c->stats.logs_suppressed);
			emit(c, line);
		}
		c->log_window = now;
		c->log_lines = 0;
	}
	if (c->log_lines >= LOG_BURST) {
		c->stats.logs_suppressed++;
		return;
	}
	c->log_lines++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "vmbus-user[%s]: %s",
		 c->vm_name[0] ? c->vm_name : "-", msg);
	emit(c, line);
}

/* Count a protocol error and log it (rate-limited). */
static void __attribute__((format(printf, 3, 4)))
count_err(struct vmb_host_conn *c, enum vmb_host_err e, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	c->stats.errors[e]++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conn_log(c, "%s: %s", vmb_host_err_name(e), msg);
}

/* ---- sending ------------------------------------------------------------ */

/* Mark the connection ended (first reason wins). */
static void
set_dead(struct vmb_host_conn *c, int reason)
{
	if (c->dead_reason == 0) {
		c->dead_reason = reason;
	}
}

/* Send txbuf[0..len) with optional fds.  Failure ends the connection. */
static int
send_raw(struct vmb_host_conn *c, size_t len, const int *fds,
	 unsigned int nfds)
{
	int rc;

	if (c->dead_reason != 0) {
		return -EPIPE;
	}
	rc = vmb_user_send(c->fd, c->txbuf, len, fds, nfds, MSG_DONTWAIT);
	if (rc < 0) {
		/* A full socket means the guest stopped reading. */
		set_dead(c, rc == -EAGAIN ? -ENOBUFS : rc);
		conn_log(c, "send failed (%s): disconnecting", strerror(-rc));
		return -EPIPE;
	}
	c->stats.tx_msgs++;
	return 0;
}

static int
send_msg(struct vmb_host_conn *c, const struct vmb_chanmsg *m, const int *fds,
	 unsigned int nfds)
{
	int len = vmb_chanmsg_encode(m, c->txbuf, sizeof(c->txbuf));

	if (len < 0) {
		set_dead(c, len);
		return len;
	}
	return send_raw(c, (size_t)len, fds, nfds);
}

static int
send_hdr_only(struct vmb_host_conn *c, uint32_t type)
{
	struct vmb_chanmsg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	return send_msg(c, &m, NULL, 0);
}

static int
send_version_response(struct vmb_host_conn *c, bool ok, uint8_t state)
{
	struct vmb_chanmsg m;

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_VERSION_RESPONSE;
	m.u.version_response.version_supported = ok ? 1 : 0;
	m.u.version_response.connection_state = state;
	if (ok) {
		m.u.version_response.msg_conn_id =
			c->version >= VMB_MSG_VERSION_WIN10_V5 ?
			VMB_MSG_CONNECTION_ID_4 : VMB_MSG_CONNECTION_ID;
	}
	return send_msg(c, &m, NULL, 0);
}

static int
send_gpadl_created(struct vmb_host_conn *c, uint32_t relid, uint32_t gpadl,
		   uint32_t status)
{
	struct vmb_chanmsg m;

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_GPADL_CREATED;
	m.u.gpadl_created.child_relid = relid;
	m.u.gpadl_created.gpadl = gpadl;
	m.u.gpadl_created.creation_status = status;
	return send_msg(c, &m, NULL, 0);
}

static int
send_gpadl_torndown(struct vmb_host_conn *c, uint32_t gpadl)
{
	struct vmb_chanmsg m;

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_GPADL_TORNDOWN;
	m.u.gpadl_torndown.gpadl = gpadl;
	return send_msg(c, &m, NULL, 0);
}

static int
send_offer(struct vmb_host_conn *c, const struct host_chan *ch)
{
	static const uint8_t netvsc[VMB_MSG_GUID_SIZE] =
		VMB_CHANMSG_GUID_NETVSC_BYTES;
	static const uint8_t zero[VMB_MSG_GUID_SIZE];
	struct vmb_chanmsg m;
	struct vmb_chanmsg_offer *o = &m.u.offer;
	int len;

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_OFFERCHANNEL;
	memcpy(o->if_type, memcmp(ch->offer.if_type, zero, sizeof(zero)) == 0 ?
	       netvsc : ch->offer.if_type, VMB_MSG_GUID_SIZE);
	memcpy(o->if_instance, ch->offer.if_instance, VMB_MSG_GUID_SIZE);
	o->sub_channel_index = ch->offer.sub_channel_index;
	o->child_relid = ch->offer.relid;
	o->interrupt_flags = VMB_MSG_OFFER_DEDICATED_INTERRUPT;
	o->connection_id = ch->offer.relid;
	len = vmb_chanmsg_encode(&m, c->txbuf, sizeof(c->txbuf));
	if (len >= 0) {
		len = vmb_user_offer_ext_encode(c->txbuf, sizeof(c->txbuf),
						ch->offer.nic_name);
	}
	if (len < 0) {
		set_dead(c, len);
		return len;
	}
	return send_raw(c, (size_t)len, NULL, 0);
}

/* ---- tables ------------------------------------------------------------- */

static struct host_chan *
find_chan(const struct vmb_host_conn *c, uint32_t relid)
{
	uint32_t i;

	for (i = 0; i < c->nchans; i++) {
		if (c->chans[i]->offer.relid == relid) {
			return c->chans[i];
		}
	}
	return NULL;
}

static void
remove_chan(struct vmb_host_conn *c, struct host_chan *ch)
{
	uint32_t i;

	for (i = 0; i < c->nchans; i++) {
		if (c->chans[i] == ch) {
			c->chans[i] = c->chans[--c->nchans];
			c->chans[c->nchans] = NULL;
			break;
		}
	}
	free(ch);
}

/* Caller holds gpadl_lock or is the owner thread reading only. */
static struct host_gpadl *
find_gpadl(const struct vmb_host_conn *c, uint32_t handle)
{
	uint32_t i;

	for (i = 0; i < c->ngpadls; i++) {
		if (c->gpadls[i]->handle == handle) {
			return c->gpadls[i];
		}
	}
	return NULL;
}

static struct host_pending *
find_pending(struct vmb_host_conn *c, uint32_t handle)
{
	uint32_t i;

	for (i = 0; i < VMB_HOST_MAX_PENDING_GPADLS; i++) {
		if (c->pending[i].used && c->pending[i].asm_.gpadl == handle) {
			return &c->pending[i];
		}
	}
	return NULL;
}

static void
free_pending(struct host_pending *p)
{
	free(p->pfn);
	memset(p, 0, sizeof(*p));
}

/* Remove g from the table (under the lock) and drop the table's ref. */
static void
remove_gpadl(struct vmb_host_conn *c, struct host_gpadl *g)
{
	uint32_t i;

	pthread_mutex_lock(&c->gpadl_lock);
	for (i = 0; i < c->ngpadls; i++) {
		if (c->gpadls[i] == g) {
			c->gpadls[i] = c->gpadls[--c->ngpadls];
			c->gpadls[c->ngpadls] = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&c->gpadl_lock);
	c->map_runs -= vmb_map_region_runs(g->region);
	vmb_map_region_put(g->region);
	free(g->pfn);
	free(g);
}

/* ---- channel stop / teardown ------------------------------------------- */

/* Owner stops the open channel ch; unmap its rings; back to OFFERED. */
static void
stop_chan(struct vmb_host_conn *c, struct host_chan *ch)
{
	struct host_gpadl *g;

	if (ch->state != CH_OPEN) {
		return;
	}
	c->ops->channel_close(c->ctx, ch->offer.cookie);
	g = find_gpadl(c, ch->ring_gpadl);
	if (g != NULL && g->ring_of == ch) {
		g->ring_of = NULL;
	}
	c->map_runs -= ch->rx_map.runs + ch->tx_map.runs;
	vmb_map_ring_destroy(&ch->rx_map);
	vmb_map_ring_destroy(&ch->tx_map);
	close(ch->kick_fd);
	close(ch->intr_fd);
	ch->kick_fd = -1;
	ch->intr_fd = -1;
	memset(&ch->pub, 0, sizeof(ch->pub));
	ch->state = CH_OFFERED;
	c->stats.open_channels--;
}

/* Drop every GPADL whose child_relid is relid (rescinded channel). */
static void
drop_gpadls_of(struct vmb_host_conn *c, uint32_t relid)
{
	uint32_t i = 0;

	while (i < c->ngpadls) {
		if (c->gpadls[i]->relid == relid) {
			remove_gpadl(c, c->gpadls[i]);
		} else {
			i++;
		}
	}
	for (i = 0; i < VMB_HOST_MAX_PENDING_GPADLS; i++) {
		if (c->pending[i].used &&
		    c->pending[i].asm_.child_relid == relid) {
			free_pending(&c->pending[i]);
		}
	}
}

/*
 * Close and release every channel, drop every GPADL and the RAM: the state
 * after UNLOAD, disconnect and destroy.
 */
static void
teardown_all(struct vmb_host_conn *c)
{
	uint32_t i;

	for (i = 0; i < c->nchans; i++) {
		stop_chan(c, c->chans[i]);
	}
	while (c->nchans > 0) {
		struct host_chan *ch = c->chans[c->nchans - 1];

		if (c->ops->channel_released != NULL) {
			c->ops->channel_released(c->ctx, ch->offer.cookie);
		}
		remove_chan(c, ch);
	}
	while (c->ngpadls > 0) {
		remove_gpadl(c, c->gpadls[c->ngpadls - 1]);
	}
	for (i = 0; i < VMB_HOST_MAX_PENDING_GPADLS; i++) {
		if (c->pending[i].used) {
			free_pending(&c->pending[i]);
		}
	}
	vmb_map_unref(c->ram);
	c->ram = NULL;
	c->offers_requested = false;
	c->stats.gpadls = 0;
}

/* The connection ends: tear down, tell the owner once. */
static int
finish(struct vmb_host_conn *c, int reason)
{
	if (c->state == ST_DEAD) {
		return c->dead_reason;
	}
	set_dead(c, reason);
	teardown_all(c);
	c->state = ST_DEAD;
	conn_log(c, "connection ended (%s)", strerror(-c->dead_reason));
	c->ops->disconnected(c->ctx, c, c->dead_reason);
	return c->dead_reason;
}

/* ---- offers ------------------------------------------------------------- */

/* Validate and record an offer.  Returns the channel or NULL (+ *err). */
static struct host_chan *
add_chan(struct vmb_host_conn *c, const struct vmb_host_offer *o, int *err)
{
	struct host_chan *ch;
	uint32_t i;

	if (o->relid == 0 || !vmb_user_nic_name_valid(o->nic_name)) {
		*err = -EINVAL;
		return NULL;
	}
	for (i = 0; i < c->nchans; i++) {
		const struct vmb_host_offer *x = &c->chans[i]->offer;

		if (x->relid == o->relid ||
		    (memcmp(x->if_instance, o->if_instance,
			    VMB_MSG_GUID_SIZE) == 0 &&
		     x->sub_channel_index == o->sub_channel_index)) {
			*err = -EEXIST;
			return NULL;
		}
	}
	if (c->nchans >= VMB_HOST_MAX_CHANNELS) {
		*err = -ENOSPC;
		return NULL;
	}
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	ch->offer = *o;
	ch->offer.nic_name[VMB_USER_NIC_NAME_MAX - 1] = '\0';
	ch->state = CH_OFFERED;
	ch->kick_fd = -1;
	ch->intr_fd = -1;
	c->chans[c->nchans++] = ch;
	return ch;
}

static void
handle_request_offers(struct vmb_host_conn *c)
{
	struct vmb_host_offer *offers;
	int n;
	int i;

	if (c->offers_requested) {
		count_err(c, VMB_HOST_ERR_BAD_STATE, "REQUESTOFFERS repeated");
		return;
	}
	c->offers_requested = true;
	offers = calloc(VMB_HOST_MAX_CHANNELS, sizeof(*offers));
	if (offers == NULL) {
		n = -ENOMEM;
	} else {
		n = c->ops->offers_for(c->ctx, c->vm_name, offers,
				       VMB_HOST_MAX_CHANNELS);
	}
	if (n < 0 || n > (int)VMB_HOST_MAX_CHANNELS) {
		conn_log(c, "offers_for failed (%d): no offers", n);
		n = 0;
	}
	for (i = 0; i < n; i++) {
		struct host_chan *ch;
		int err;

		ch = add_chan(c, &offers[i], &err);
		if (ch == NULL) {
			conn_log(c, "offer relid %u skipped (%s)",
				 offers[i].relid, strerror(-err));
			continue;
		}
		send_offer(c, ch);
	}
	free(offers);
	send_hdr_only(c, VMB_MSG_ALLOFFERS_DELIVERED);
}

/* ---- contact ------------------------------------------------------------ */

/* Refuse a malformed INITIATE_CONTACT: answer, then end the connection. */
static void
contact_refuse(struct vmb_host_conn *c, uint8_t state, const char *why)
{
	count_err(c, VMB_HOST_ERR_CONTACT_INVALID, "INITIATE_CONTACT: %s",
		  why);
	send_version_response(c, false, state);
	set_dead(c, -EPROTO);
}

static void
handle_contact(struct vmb_host_conn *c, const struct vmb_chanmsg *m,
	       size_t len, int *fds, unsigned int nfds)
{
	struct vmb_user_contact uc;
	struct vmb_map *ram;
	int rc;

	if (c->state != ST_INIT) {
		count_err(c, VMB_HOST_ERR_BAD_STATE, "INITIATE_CONTACT again");
		return;
	}
	if (nfds != 1) {
		contact_refuse(c, VMB_MSG_CONN_STATE_FAILED_UNKNOWN,
			       "needs exactly one fd");
		return;
	}
	rc = vmb_user_contact_ext_decode(c->rxbuf, len, &uc);
	if (rc < 0) {
		contact_refuse(c, VMB_MSG_CONN_STATE_FAILED_UNKNOWN,
			       rc == -ERANGE ? "bad ram_size" :
			       "bad extension");
		return;
	}
	ram = vmb_map_create(fds[0], uc.ram_size);
	if (ram == NULL) {
		rc = errno;
		contact_refuse(c, rc == ENOMEM ?
			       VMB_MSG_CONN_STATE_FAILED_LOW_RESOURCES :
			       VMB_MSG_CONN_STATE_FAILED_UNKNOWN,
			       rc == EPERM ? "memfd not sealed F_SEAL_SHRINK" :
			       rc == ERANGE ? "ram_size beyond memfd" :
			       "memfd unusable");
		return;
	}
	if (!vmb_host_version_supported(m->u.initiate.version)) {
		vmb_map_unref(ram);
		c->stats.errors[VMB_HOST_ERR_VERSION_UNSUPPORTED]++;
		send_version_response(c, false,
				      VMB_MSG_CONN_STATE_SUCCESSFUL);
		return;
	}
	c->ram = ram;
	c->version = m->u.initiate.version;
	memcpy(c->vm_name, uc.vm_name, sizeof(c->vm_name));
	c->state = ST_CONNECTED;
	send_version_response(c, true, VMB_MSG_CONN_STATE_SUCCESSFUL);
}

static void
handle_unload(struct vmb_host_conn *c)
{
	teardown_all(c);
	c->state = ST_INIT;
	c->version = 0;
	send_hdr_only(c, VMB_MSG_UNLOAD_RESPONSE);
	memset(c->vm_name, 0, sizeof(c->vm_name));
}

/* ---- GPADLs ------------------------------------------------------------- */

static void
gpadl_fail(struct vmb_host_conn *c, enum vmb_host_err e, uint32_t relid,
	   uint32_t gpadl, const char *why)
{
	count_err(c, e, "GPADL %#x: %s", gpadl, why);
	send_gpadl_created(c, relid, gpadl, VMB_HOST_STATUS_FAILURE);
}

/* A reassembled GPADL: validate, map, record, answer. */
static void
gpadl_complete(struct vmb_host_conn *c, struct host_pending *p)
{
	const struct vmb_gpadl_asm *a = &p->asm_;
	uint32_t relid = a->child_relid;
	uint32_t handle = a->gpadl;
	struct host_gpadl *g;
	uint32_t runs;

	if (a->nranges != 1 || a->range[0].pfn_index != 0 ||
	    a->range[0].npfn != a->npfn) {
		gpadl_fail(c, VMB_HOST_ERR_GPADL_INVALID, relid, handle,
			   "needs exactly one range");
		goto out;
	}
	runs = vmb_map_count_runs(a->pfn, a->npfn);
	if (runs > VMB_HOST_MAX_MAP_RUNS - c->map_runs) {
		gpadl_fail(c, VMB_HOST_ERR_GPADL_LIMIT, relid, handle,
			   "too many discontiguous pages");
		goto out;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		gpadl_fail(c, VMB_HOST_ERR_GPADL_LIMIT, relid, handle,
			   "out of memory");
		goto out;
	}
	g->region = vmb_map_region_create(c->ram, a->pfn, a->npfn);
	if (g->region == NULL) {
		gpadl_fail(c, errno == ERANGE ? VMB_HOST_ERR_GPADL_INVALID :
			   VMB_HOST_ERR_GPADL_LIMIT, relid, handle,
			   errno == ERANGE ? "PFN beyond guest RAM" :
			   "mapping failed");
		free(g);
		goto out;
	}
	g->handle = handle;
	g->relid = relid;
	g->npfn = a->npfn;
	g->byte_offset = a->range[0].byte_offset;
	g->byte_count = a->range[0].byte_count;
	g->pfn = p->pfn;	/* ownership moves to g */
	p->pfn = NULL;
	c->map_runs += vmb_map_region_runs(g->region);
	pthread_mutex_lock(&c->gpadl_lock);
	c->gpadls[c->ngpadls++] = g;
	pthread_mutex_unlock(&c->gpadl_lock);
	c->stats.gpadls = c->ngpadls;
	send_gpadl_created(c, relid, handle, 0);
out:
	free_pending(p);
}

/* A channel GPADLs may be created for: offered or open, not rescinded. */
static bool
relid_usable(const struct vmb_host_conn *c, uint32_t relid)
{
	const struct host_chan *ch = find_chan(c, relid);

	return ch != NULL && ch->state != CH_RESCINDED;
}

static void
handle_gpadl_header(struct vmb_host_conn *c,
		    const struct vmb_chanmsg_gpadl_header *h)
{
	struct host_pending *p = NULL;
	uint32_t i;
	int rc;

	if (!relid_usable(c, h->child_relid)) {
		gpadl_fail(c, VMB_HOST_ERR_BAD_RELID, h->child_relid, h->gpadl,
			   "unknown channel");
		return;
	}
	if (find_gpadl(c, h->gpadl) != NULL ||
	    find_pending(c, h->gpadl) != NULL) {
		gpadl_fail(c, VMB_HOST_ERR_GPADL_DUPLICATE, h->child_relid,
			   h->gpadl, "handle in use");
		return;
	}
	for (i = 0; i < VMB_HOST_MAX_PENDING_GPADLS; i++) {
		if (!c->pending[i].used) {
			p = &c->pending[i];
			break;
		}
	}
	if (p == NULL || c->ngpadls >= VMB_HOST_MAX_GPADLS) {
		gpadl_fail(c, VMB_HOST_ERR_GPADL_LIMIT, h->child_relid,
			   h->gpadl, "too many GPADLs");
		return;
	}
	p->pfn = calloc(h->npfn_total > 0 ? h->npfn_total : 1,
			sizeof(uint64_t));
	if (p->pfn == NULL) {
		gpadl_fail(c, VMB_HOST_ERR_GPADL_LIMIT, h->child_relid,
			   h->gpadl, "out of memory");
		return;
	}
	p->used = true;
	vmb_gpadl_asm_init(&p->asm_, p->pfn, h->npfn_total);
	rc = vmb_gpadl_asm_header(&p->asm_, h);
	if (rc < 0) {
		free_pending(p);
		gpadl_fail(c, VMB_HOST_ERR_GPADL_INVALID, h->child_relid,
			   h->gpadl, "malformed header");
		return;
	}
	if (rc == 1) {
		gpadl_complete(c, p);
	}
}

static void
handle_gpadl_body(struct vmb_host_conn *c,
		  const struct vmb_chanmsg_gpadl_body *b)
{
	struct host_pending *p = find_pending(c, b->gpadl);
	uint32_t relid;
	int rc;

	if (p == NULL) {
		count_err(c, VMB_HOST_ERR_GPADL_UNKNOWN,
			  "GPADL_BODY for %#x without header", b->gpadl);
		return;
	}
	rc = vmb_gpadl_asm_body(&p->asm_, b);
	if (rc < 0) {
		relid = p->asm_.child_relid;
		free_pending(p);
		gpadl_fail(c, VMB_HOST_ERR_GPADL_INVALID, relid, b->gpadl,
			   "malformed body");
		return;
	}
	if (rc == 1) {
		gpadl_complete(c, p);
	}
}

static void
handle_gpadl_teardown(struct vmb_host_conn *c,
		      const struct vmb_chanmsg_gpadl_teardown *t)
{
	struct host_pending *p = find_pending(c, t->gpadl);
	struct host_gpadl *g;

	if (p != NULL) {
		free_pending(p);
		send_gpadl_torndown(c, t->gpadl);
		return;
	}
	g = find_gpadl(c, t->gpadl);
	if (g == NULL) {
		count_err(c, VMB_HOST_ERR_GPADL_UNKNOWN,
			  "GPADL_TEARDOWN of unknown %#x", t->gpadl);
		send_gpadl_torndown(c, t->gpadl);
		return;
	}
	if (g->ring_of != NULL) {
		count_err(c, VMB_HOST_ERR_GPADL_IN_USE,
			  "GPADL %#x is the ring of open relid %u: closing it",
			  t->gpadl, g->ring_of->offer.relid);
		stop_chan(c, g->ring_of);
	}
	remove_gpadl(c, g);
	c->stats.gpadls = c->ngpadls;
	send_gpadl_torndown(c, t->gpadl);
}

/* Malformed GPADL_HEADER/BODY: answer a failure when the handle is known. */
static void
gpadl_decode_failed(struct vmb_host_conn *c, uint32_t type, size_t len)
{
	uint32_t relid;
	uint32_t handle;
	struct host_pending *p;

	if (len < sizeof(struct vmb_msg_gpadl_body)) {
		count_err(c, VMB_HOST_ERR_SHORT, "%s of %zu bytes",
			  vmb_chanmsg_type_name(type), len);
		return;
	}
	handle = sn_get_le32(c->rxbuf + 12);
	if (type == VMB_MSG_GPADL_HEADER) {
		relid = sn_get_le32(c->rxbuf + 8);
	} else {
		p = find_pending(c, handle);
		if (p == NULL) {
			count_err(c, VMB_HOST_ERR_GPADL_UNKNOWN,
				  "malformed GPADL_BODY for %#x", handle);
			return;
		}
		relid = p->asm_.child_relid;
		free_pending(p);
	}
	gpadl_fail(c, VMB_HOST_ERR_GPADL_INVALID, relid, handle,
		   "malformed message");
}

/* ---- open / close ------------------------------------------------------- */

/* Map the rings of g for ch per the OPENCHANNEL; 0 or a reason string. */
static const char *
open_map_rings(struct vmb_host_conn *c, struct host_chan *ch,
	       const struct host_gpadl *g, uint32_t down)
{
	uint32_t runs;

	if (g->byte_offset != 0 ||
	    (uint64_t)g->byte_count != (uint64_t)g->npfn * VMB_PAGE_SIZE) {
		return "ring GPADL not whole pages";
	}
	if (down < 2 || down > g->npfn || g->npfn - down < 2) {
		return "each ring needs >= 2 pages";
	}
	runs = 2 * vmb_map_count_runs(g->pfn, g->npfn) + 4;
	if (runs > VMB_HOST_MAX_MAP_RUNS - c->map_runs) {
		return "too many mappings";
	}
	if (vmb_map_ring_create(c->ram, g->pfn, down, &ch->rx_map) < 0) {
		return "cannot map G->H ring";
	}
	if (vmb_map_ring_create(c->ram, g->pfn + down, g->npfn - down,
				&ch->tx_map) < 0) {
		vmb_map_ring_destroy(&ch->rx_map);
		return "cannot map H->G ring";
	}
	if (vmb_ring_init_split(&ch->rx, ch->rx_map.ctl, ch->rx_map.data,
				ch->rx_map.data_size) < 0 ||
	    vmb_ring_init_split(&ch->tx, ch->tx_map.ctl, ch->tx_map.data,
				ch->tx_map.data_size) < 0) {
		vmb_map_ring_destroy(&ch->rx_map);
		vmb_map_ring_destroy(&ch->tx_map);
		return "ring too large";
	}
	c->map_runs += ch->rx_map.runs + ch->tx_map.runs;
	return NULL;
}

/* Undo open_map_rings. */
static void
open_unmap_rings(struct vmb_host_conn *c, struct host_chan *ch)
{
	c->map_runs -= ch->rx_map.runs + ch->tx_map.runs;
	vmb_map_ring_destroy(&ch->rx_map);
	vmb_map_ring_destroy(&ch->tx_map);
}

/*
 * Validate an OPENCHANNEL and open the channel.  Returns the interrupt fd
 * (>= 0) on success, or -1 after counting the error.  Takes the kick fd
 * (fds[0] = -1) on success.
 */
static int
open_chan(struct vmb_host_conn *c, const struct vmb_chanmsg_open *o,
	  int *fds, unsigned int nfds)
{
	struct host_chan *ch = find_chan(c, o->child_relid);
	struct host_gpadl *g;
	const char *why;
	int intr;
	int rc;

	if (ch == NULL) {
		count_err(c, VMB_HOST_ERR_BAD_RELID, "OPENCHANNEL relid %u",
			  o->child_relid);
		return -1;
	}
	if (ch->state != CH_OFFERED) {
		count_err(c, VMB_HOST_ERR_BAD_STATE,
			  "OPENCHANNEL relid %u not closed", o->child_relid);
		return -1;
	}
	if (nfds != 1 || !vmb_user_is_eventfd(fds[0])) {
		count_err(c, VMB_HOST_ERR_OPEN_INVALID,
			  "OPENCHANNEL relid %u needs one eventfd",
			  o->child_relid);
		return -1;
	}
	g = find_gpadl(c, o->ringbuffer_gpadlhandle);
	if (g == NULL || g->ring_of != NULL) {
		count_err(c, VMB_HOST_ERR_OPEN_INVALID,
			  "OPENCHANNEL relid %u: ring GPADL %#x %s",
			  o->child_relid, o->ringbuffer_gpadlhandle,
			  g == NULL ? "unknown" : "in use");
		return -1;
	}
	why = open_map_rings(c, ch, g, o->downstream_ringbuffer_pageoffset);
	if (why != NULL) {
		count_err(c, VMB_HOST_ERR_OPEN_INVALID,
			  "OPENCHANNEL relid %u: %s", o->child_relid, why);
		return -1;
	}
	intr = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (intr < 0) {
		open_unmap_rings(c, ch);
		count_err(c, VMB_HOST_ERR_OPEN_REFUSED, "eventfd: %s",
			  strerror(errno));
		return -1;
	}
	/* The host must never block on the guest's kick fd. */
	(void)fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	memcpy(ch->userdata, o->userdata, sizeof(ch->userdata));
	ch->pub.conn = c;
	ch->pub.relid = o->child_relid;
	ch->pub.target_vp = o->target_vp;
	ch->pub.rx = &ch->rx;
	ch->pub.tx = &ch->tx;
	ch->pub.kick_fd = fds[0];
	ch->pub.intr_fd = intr;
	ch->pub.ram = c->ram;
	ch->pub.userdata = ch->userdata;
	rc = c->ops->channel_open(c->ctx, ch->offer.cookie, &ch->pub);
	if (rc < 0) {
		memset(&ch->pub, 0, sizeof(ch->pub));
		open_unmap_rings(c, ch);
		close(intr);
		count_err(c, VMB_HOST_ERR_OPEN_REFUSED,
			  "relid %u refused by owner (%s)", o->child_relid,
			  strerror(-rc));
		return -1;
	}
	ch->kick_fd = fds[0];
	fds[0] = -1;
	ch->intr_fd = intr;
	ch->ring_gpadl = g->handle;
	ch->state = CH_OPEN;
	g->ring_of = ch;
	c->stats.open_channels++;
	return intr;
}

static void
handle_open(struct vmb_host_conn *c, const struct vmb_chanmsg_open *o,
	    int *fds, unsigned int nfds)
{
	struct vmb_chanmsg m;
	int intr = open_chan(c, o, fds, nfds);

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_OPENCHANNEL_RESULT;
	m.u.open_result.child_relid = o->child_relid;
	m.u.open_result.openid = o->openid;
	m.u.open_result.status = intr >= 0 ? 0 : VMB_HOST_STATUS_FAILURE;
	send_msg(c, &m, intr >= 0 ? &intr : NULL, intr >= 0 ? 1 : 0);
}

static void
handle_close(struct vmb_host_conn *c, uint32_t relid)
{
	struct host_chan *ch = find_chan(c, relid);

	if (ch == NULL) {
		count_err(c, VMB_HOST_ERR_BAD_RELID, "CLOSECHANNEL relid %u",
			  relid);
		return;
	}
	if (ch->state != CH_OPEN) {
		count_err(c, VMB_HOST_ERR_BAD_STATE,
			  "CLOSECHANNEL relid %u not open", relid);
		return;
	}
	stop_chan(c, ch);
}

static void
handle_relid_released(struct vmb_host_conn *c, uint32_t relid)
{
	struct host_chan *ch = find_chan(c, relid);

	if (ch == NULL) {
		count_err(c, VMB_HOST_ERR_BAD_RELID, "RELID_RELEASED %u",
			  relid);
		return;
	}
	if (ch->state != CH_RESCINDED) {
		count_err(c, VMB_HOST_ERR_BAD_STATE,
			  "RELID_RELEASED %u not rescinded", relid);
		return;
	}
	if (c->ops->channel_released != NULL) {
		c->ops->channel_released(c->ctx, ch->offer.cookie);
	}
	remove_chan(c, ch);
}

/* ---- dispatch ----------------------------------------------------------- */

static bool
type_is_host_to_guest(uint32_t type)
{
	switch (type) {
	case VMB_MSG_OFFERCHANNEL:
	case VMB_MSG_RESCIND_CHANNELOFFER:
	case VMB_MSG_ALLOFFERS_DELIVERED:
	case VMB_MSG_OPENCHANNEL_RESULT:
	case VMB_MSG_GPADL_CREATED:
	case VMB_MSG_GPADL_TORNDOWN:
	case VMB_MSG_VERSION_RESPONSE:
	case VMB_MSG_UNLOAD_RESPONSE:
		return true;
	default:
		return false;
	}
}

/* Decode failed: count it; some failures still get an answer. */
static void
decode_failed(struct vmb_host_conn *c, uint32_t type, size_t len, int rc)
{
	if (type == VMB_MSG_INITIATE_CONTACT && c->state == ST_INIT) {
		contact_refuse(c, VMB_MSG_CONN_STATE_FAILED_UNKNOWN, "short");
	} else if (type == VMB_MSG_GPADL_HEADER || type == VMB_MSG_GPADL_BODY) {
		gpadl_decode_failed(c, type, len);
	} else if (rc == -ENOTSUP) {
		count_err(c, VMB_HOST_ERR_UNKNOWN_TYPE, "type %u (%s)", type,
			  vmb_chanmsg_type_name(type));
	} else {
		count_err(c, VMB_HOST_ERR_SHORT, "%s of %zu bytes",
			  vmb_chanmsg_type_name(type), len);
	}
}

static void
dispatch(struct vmb_host_conn *c, size_t len, int *fds, unsigned int nfds)
{
	struct vmb_chanmsg m;
	uint32_t type;
	int rc;

	if (len < sizeof(struct vmb_msg_hdr)) {
		count_err(c, VMB_HOST_ERR_SHORT, "datagram of %zu bytes", len);
		if (c->state == ST_INIT) {
			set_dead(c, -EPROTO);
		}
		return;
	}
	type = sn_get_le32(c->rxbuf);
	if (c->state == ST_INIT && type != VMB_MSG_INITIATE_CONTACT) {
		count_err(c, VMB_HOST_ERR_BAD_STATE, "%s before contact",
			  vmb_chanmsg_type_name(type));
		set_dead(c, -EPROTO);
		return;
	}
	if (nfds > 0 && type != VMB_MSG_INITIATE_CONTACT &&
	    type != VMB_MSG_OPENCHANNEL) {
		count_err(c, VMB_HOST_ERR_UNEXPECTED_FD, "%u fd(s) with %s",
			  nfds, vmb_chanmsg_type_name(type));
		return;
	}
	if (type_is_host_to_guest(type)) {
		count_err(c, VMB_HOST_ERR_WRONG_DIRECTION, "%s from guest",
			  vmb_chanmsg_type_name(type));
		return;
	}
	rc = vmb_chanmsg_decode(c->rxbuf, len, &m);
	if (rc < 0) {
		decode_failed(c, type, len, rc);
		return;
	}
	switch (type) {
	case VMB_MSG_INITIATE_CONTACT:
		handle_contact(c, &m, len, fds, nfds);
		break;
	case VMB_MSG_REQUESTOFFERS:
		handle_request_offers(c);
		break;
	case VMB_MSG_OPENCHANNEL:
		handle_open(c, &m.u.open, fds, nfds);
		break;
	case VMB_MSG_CLOSECHANNEL:
		handle_close(c, m.u.close.child_relid);
		break;
	case VMB_MSG_GPADL_HEADER:
		handle_gpadl_header(c, &m.u.gpadl_header);
		break;
	case VMB_MSG_GPADL_BODY:
		handle_gpadl_body(c, &m.u.gpadl_body);
		break;
	case VMB_MSG_GPADL_TEARDOWN:
		handle_gpadl_teardown(c, &m.u.gpadl_teardown);
		break;
	case VMB_MSG_RELID_RELEASED:
		handle_relid_released(c, m.u.relid_released.child_relid);
		break;
	case VMB_MSG_UNLOAD:
		handle_unload(c);
		break;
	default:
		count_err(c, VMB_HOST_ERR_UNKNOWN_TYPE, "type %u", type);
		break;
	}
}

/* ---- public API --------------------------------------------------------- */

struct vmb_host_conn *
vmb_host_conn_create(int fd, const struct vmb_host_ops *ops, void *ctx)
{
	struct vmb_host_conn *c;

	if (fd < 0 || ops == NULL || ops->offers_for == NULL ||
	    ops->channel_open == NULL || ops->channel_close == NULL ||
	    ops->disconnected == NULL) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return NULL;
	}
	if (pthread_mutex_init(&c->gpadl_lock, NULL) != 0) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->fd = fd;
	c->ops = ops;
	c->ctx = ctx;
	c->state = ST_INIT;
	c->log_window = now_ns();
	return c;
}

int
vmb_host_conn_handle(struct vmb_host_conn *c)
{
	int fds[VMB_USER_MAX_FDS];
	unsigned int nfds;
	unsigned int i;
	int n;

	if (c->state == ST_DEAD) {
		return c->dead_reason;
	}
	for (i = 0; i < VMB_HOST_BURST && c->dead_reason == 0; i++) {
		n = vmb_user_recv(c->fd, c->rxbuf, sizeof(c->rxbuf), fds,
				  VMB_USER_MAX_FDS, &nfds, MSG_DONTWAIT);
		if (n == -EAGAIN) {
			return 0;
		}
		if (n == 0) {
			return finish(c, -ECONNRESET);
		}
		if (n == -EMSGSIZE || n == -ETOOMANYREFS) {
			c->stats.rx_msgs++;
			count_err(c, n == -EMSGSIZE ? VMB_HOST_ERR_OVERSIZE :
				  VMB_HOST_ERR_FD_OVERFLOW,
				  "datagram dropped");
			if (c->state == ST_INIT) {
				set_dead(c, -EPROTO);
			}
			continue;
		}
		if (n < 0) {
			return finish(c, n);
		}
		c->stats.rx_msgs++;
		dispatch(c, (size_t)n, fds, nfds);
		vmb_user_close_fds(fds, nfds);
	}
	if (c->dead_reason != 0) {
		return finish(c, c->dead_reason);
	}
	return 1;
}

int
vmb_host_conn_offer(struct vmb_host_conn *c, const struct vmb_host_offer *o)
{
	struct host_chan *ch;
	int err;

	if (c == NULL || o == NULL) {
		return -EINVAL;
	}
	if (c->state == ST_DEAD || c->dead_reason != 0) {
		return -EPIPE;
	}
	if (c->state != ST_CONNECTED || !c->offers_requested) {
		return -EAGAIN;
	}
	ch = add_chan(c, o, &err);
	if (ch == NULL) {
		return err;
	}
	return send_offer(c, ch) < 0 ? -EPIPE : 0;
}

int
vmb_host_conn_rescind(struct vmb_host_conn *c, uint32_t relid)
{
	struct host_chan *ch;
	struct vmb_chanmsg m;

	if (c == NULL) {
		return -EINVAL;
	}
	if (c->state == ST_DEAD || c->dead_reason != 0) {
		return -EPIPE;
	}
	ch = find_chan(c, relid);
	if (ch == NULL || ch->state == CH_RESCINDED) {
		return -ENOENT;
	}
	stop_chan(c, ch);
	drop_gpadls_of(c, relid);
	c->stats.gpadls = c->ngpadls;
	ch->state = CH_RESCINDED;
	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_RESCIND_CHANNELOFFER;
	m.u.rescind.child_relid = relid;
	return send_msg(c, &m, NULL, 0) < 0 ? -EPIPE : 0;
}

void
vmb_host_conn_destroy(struct vmb_host_conn *c)
{
	if (c == NULL) {
		return;
	}
	if (c->state != ST_DEAD) {
		teardown_all(c);
	}
	close(c->fd);
	pthread_mutex_destroy(&c->gpadl_lock);
	free(c);
}

int
vmb_host_conn_fd(const struct vmb_host_conn *c)
{
	return c->fd;
}

const char *
vmb_host_conn_vm_name(const struct vmb_host_conn *c)
{
	return c->vm_name;
}

uint32_t
vmb_host_conn_version(const struct vmb_host_conn *c)
{
	return c->version;
}

void
vmb_host_conn_stats(const struct vmb_host_conn *c, struct vmb_host_stats *st)
{
	*st = c->stats;
}

struct vmb_map_region *
vmb_host_gpadl_get(struct vmb_host_conn *c, uint32_t gpadl, void **base,
		   size_t *len)
{
	struct vmb_map_region *r = NULL;
	struct host_gpadl *g;

	pthread_mutex_lock(&c->gpadl_lock);
	g = find_gpadl(c, gpadl);
	if (g != NULL) {
		r = vmb_map_region_get(g->region);
		if (base != NULL) {
			*base = (uint8_t *)vmb_map_region_base(r) +
				g->byte_offset;
		}
		if (len != NULL) {
			*len = g->byte_count;
		}
	}
	pthread_mutex_unlock(&c->gpadl_lock);
	return r;
}
