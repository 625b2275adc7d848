/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gvmb_client.c - guest side of vmbus-user (docs/vmbus-user.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gvmb_client.h"

/* Most channels open at once on one connection. */
#define GVMB_MAX_CHANS GVMB_MAX_OFFERS

struct gvmb_ram {
	/** memfd (owned). */
	int fd;
	/** Mapping of the whole RAM. */
	uint8_t *base;
	/** Bytes. */
	uint64_t size;
	/** Pages. */
	uint32_t npages;
	/** Pages not allocated. */
	uint32_t nfree;
	/** One byte per page: 1 = allocated. */
	uint8_t *used;
};

struct gvmb_conn {
	/** Socket (owned). */
	int sock;
	/** Guest RAM (borrowed). */
	struct gvmb_ram *ram;
	/** Options (copied; versions borrowed). */
	struct gvmb_opts opts;
	/** Negotiated version. */
	uint32_t version;
	/** The host closed the socket or broke the protocol. */
	bool dead;
	/** ALLOFFERS_DELIVERED was received. */
	bool offers_done;
	/** Recorded offers. */
	struct gvmb_offer offers[GVMB_MAX_OFFERS];
	/** Entries in offers. */
	unsigned int noffers;
	/** Open channels. */
	struct gvmb_chan *chans[GVMB_MAX_CHANS];
	/** Entries in chans. */
	unsigned int nchans;
	/** Next GPADL handle. */
	uint32_t next_gpadl;
	/** Messages neither awaited nor asynchronous. */
	uint64_t unexpected;
	/** Datagram buffer. */
	uint8_t buf[VMB_USER_MSG_MAX];
};

/* ---- guest RAM ---------------------------------------------------------- */

int
gvmb_ram_create(uint64_t size, struct gvmb_ram **out)
{
	struct gvmb_ram *r;
	int rc;

	if (out == NULL || size == 0 || size % VMB_USER_PAGE_SIZE != 0 ||
	    size / VMB_USER_PAGE_SIZE > UINT32_MAX) {
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		return -ENOMEM;
	}
	r->npages = (uint32_t)(size / VMB_USER_PAGE_SIZE);
	r->used = calloc(r->npages, 1);
	if (r->used == NULL) {
		rc = -ENOMEM;
		goto fail_free;
	}
	r->fd = memfd_create("synthnet-guest-ram",
			     MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (r->fd < 0) {
		rc = -errno;
		goto fail_used;
	}
	if (ftruncate(r->fd, (off_t)size) < 0 ||
	    fcntl(r->fd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		rc = -errno;
		goto fail_fd;
	}
	r->base = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       r->fd, 0);
	if (r->base == MAP_FAILED) {
		rc = -errno;
		goto fail_fd;
	}
	r->size = size;
	r->nfree = r->npages;
	*out = r;
	return 0;

fail_fd:
	close(r->fd);
fail_used:
	free(r->used);
fail_free:
	free(r);
	return rc;
}

void
gvmb_ram_destroy(struct gvmb_ram *r)
{
	if (r == NULL) {
		return;
	}
	munmap(r->base, (size_t)r->size);
	close(r->fd);
	free(r->used);
	free(r);
}

int
gvmb_ram_fd(const struct gvmb_ram *r)
{
	return r->fd;
}

uint64_t
gvmb_ram_size(const struct gvmb_ram *r)
{
	return r->size;
}

void *
gvmb_ram_gpa(const struct gvmb_ram *r, uint64_t gpa, uint64_t len)
{
	if (r == NULL || !sn_range_ok(gpa, len, r->size)) {
		return NULL;
	}
	return r->base + gpa;
}

uint32_t
gvmb_ram_free_pages(const struct gvmb_ram *r)
{
	return r->nfree;
}

int
gvmb_ram_alloc(struct gvmb_ram *r, size_t bytes, struct gvmb_alloc *out)
{
	uint64_t want;
	uint32_t n;
	uint32_t start;
	uint32_t run = 0;
	uint32_t i;

	if (r == NULL || out == NULL || bytes == 0) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	want = ((uint64_t)bytes + VMB_USER_PAGE_SIZE - 1) / VMB_USER_PAGE_SIZE;
	if (want > r->nfree) {
		return -ENOMEM;
	}
	n = (uint32_t)want;
	for (i = 0; i < r->npages; i++) {
		run = r->used[i] ? 0 : run + 1;
		if (run == n) {
			break;
		}
	}
	if (run != n) {
		return -ENOMEM;
	}
	start = i + 1 - n;
	out->pfn = calloc(n, sizeof(uint64_t));
	if (out->pfn == NULL) {
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		r->used[start + i] = 1;
		out->pfn[i] = (uint64_t)start + i;
	}
	r->nfree -= n;
	out->npages = n;
	out->gpa = (uint64_t)start * VMB_USER_PAGE_SIZE;
	out->ptr = r->base + out->gpa;
	memset(out->ptr, 0, (size_t)n * VMB_USER_PAGE_SIZE);
	return 0;
}

void
gvmb_ram_free(struct gvmb_ram *r, struct gvmb_alloc *a)
{
	uint64_t first;
	uint32_t i;

	if (r == NULL || a == NULL || a->npages == 0) {
		return;
	}
	first = a->gpa / VMB_USER_PAGE_SIZE;
	for (i = 0; i < a->npages && first + i < r->npages; i++) {
		if (r->used[first + i]) {
			r->used[first + i] = 0;
			r->nfree++;
		}
	}
	free(a->pfn);
	memset(a, 0, sizeof(*a));
}

/* ---- message plumbing --------------------------------------------------- */

static const uint32_t default_versions[] = {
	VMB_MSG_VERSION_WIN10_V6_0,
	VMB_MSG_VERSION_WIN10_V5_3,
	VMB_MSG_VERSION_WIN10_V5_2,
	VMB_MSG_VERSION_WIN10_V5_1,
	VMB_MSG_VERSION_WIN10_V5,
	VMB_MSG_VERSION_WIN10_V4_1,
	VMB_MSG_VERSION_WIN10,
	VMB_MSG_VERSION_WIN8_1,
	VMB_MSG_VERSION_WIN8,
};

const uint32_t *
gvmb_default_versions(unsigned int *n)
{
	if (n != NULL) {
		*n = SN_ARRAY_SIZE(default_versions);
	}
	return default_versions;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
send_msg(struct gvmb_conn *c, const struct vmb_chanmsg *m, const int *fds,
	 unsigned int nfds)
{
	uint8_t out[VMB_USER_MSG_MAX];
	int len = vmb_chanmsg_encode(m, out, sizeof(out));

	if (len < 0) {
		return len;
	}
	return vmb_user_send(c->sock, out, (size_t)len, fds, nfds, 0);
}

static int
send_relid(struct gvmb_conn *c, uint32_t type, uint32_t relid)
{
	struct vmb_chanmsg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.u.close.child_relid = relid;	/* same layout for 2, 7 and 13 */
	return send_msg(c, &m, NULL, 0);
}

/*
 * Receive one datagram into c->buf, waiting until deadline (ms, CLOCK_
 * MONOTONIC).  Returns the length, -ETIMEDOUT, -ECONNRESET (EOF) or -errno.
 */
static int
recv_one(struct gvmb_conn *c, int64_t deadline, int *fds, unsigned int *nfds)
{
	struct pollfd pfd = { .fd = c->sock, .events = POLLIN };
	int n;

	*nfds = 0;
	if (c->dead) {
		return -ECONNRESET;
	}
	for (;;) {
		int64_t left = deadline - now_ms();
		int rc;

		if (left < 0) {
			left = 0;
		}
		rc = poll(&pfd, 1, (int)SN_MIN(left, (int64_t)INT32_MAX));
		if (rc < 0 && errno == EINTR) {
			continue;
		}
		if (rc < 0) {
			return -errno;
		}
		if (rc == 0) {
			return -ETIMEDOUT;
		}
		n = vmb_user_recv(c->sock, c->buf, sizeof(c->buf), fds,
				  VMB_USER_MAX_FDS, nfds, MSG_DONTWAIT);
		if (n == -EAGAIN) {
			continue;
		}
		if (n == 0) {
			c->dead = true;
			return -ECONNRESET;
		}
		if (n == -EMSGSIZE || n == -ETOOMANYREFS) {
			c->unexpected++;
			continue;
		}
		if (n < 0) {
			c->dead = true;
		}
		return n;
	}
}

static struct gvmb_offer *
offer_find(struct gvmb_conn *c, uint32_t relid)
{
	unsigned int i;

	for (i = 0; i < c->noffers; i++) {
		if (c->offers[i].relid == relid) {
			return &c->offers[i];
		}
	}
	return NULL;
}

static void
offer_remove(struct gvmb_conn *c, uint32_t relid)
{
	struct gvmb_offer *o = offer_find(c, relid);

	if (o != NULL) {
		*o = c->offers[--c->noffers];
	}
}

static struct gvmb_chan *
chan_find(struct gvmb_conn *c, uint32_t relid)
{
	unsigned int i;

	for (i = 0; i < c->nchans; i++) {
		if (c->chans[i]->relid == relid) {
			return c->chans[i];
		}
	}
	return NULL;
}

static void
on_offer(struct gvmb_conn *c, const struct vmb_chanmsg_offer *mo, size_t len)
{
	struct gvmb_offer *o = offer_find(c, mo->child_relid);

	if (o == NULL) {
		if (c->noffers >= GVMB_MAX_OFFERS) {
			c->unexpected++;
			return;
		}
		o = &c->offers[c->noffers++];
	}
	memset(o, 0, sizeof(*o));
	o->relid = mo->child_relid;
	o->connection_id = mo->connection_id;
	o->sub_channel_index = mo->sub_channel_index;
	memcpy(o->if_type, mo->if_type, sizeof(o->if_type));
	memcpy(o->if_instance, mo->if_instance, sizeof(o->if_instance));
	if (vmb_user_offer_ext_decode(c->buf, len, o->nic_name) < 0) {
		o->nic_name[0] = '\0';
	}
	if (c->offers_done && c->opts.on_offer != NULL) {
		c->opts.on_offer(c->opts.cb_arg, o);
	}
}

static void
on_rescind(struct gvmb_conn *c, uint32_t relid)
{
	struct gvmb_offer *o = offer_find(c, relid);
	struct gvmb_chan *ch = chan_find(c, relid);

	if (o == NULL) {
		c->unexpected++;
		return;
	}
	if (ch != NULL) {
		o->rescinded = true;
		ch->rescinded = true;
	} else {
		offer_remove(c, relid);
		(void)send_relid(c, VMB_MSG_RELID_RELEASED, relid);
	}
	if (c->opts.on_rescind != NULL) {
		c->opts.on_rescind(c->opts.cb_arg, relid);
	}
}

/* Handle an asynchronous message; false when m is not one. */
static bool
handle_async(struct gvmb_conn *c, const struct vmb_chanmsg *m, size_t len)
{
	switch (m->type) {
	case VMB_MSG_OFFERCHANNEL:
		on_offer(c, &m->u.offer, len);
		return true;
	case VMB_MSG_RESCIND_CHANNELOFFER:
		on_rescind(c, m->u.rescind.child_relid);
		return true;
	default:
		return false;
	}
}

/* Does reply m match what we wait for (type and key)? */
static bool
reply_matches(const struct vmb_chanmsg *m, uint32_t type, uint32_t key)
{
	if (m->type != type) {
		return false;
	}
	switch (type) {
	case VMB_MSG_GPADL_CREATED:
		return m->u.gpadl_created.gpadl == key;
	case VMB_MSG_GPADL_TORNDOWN:
		return m->u.gpadl_torndown.gpadl == key;
	case VMB_MSG_OPENCHANNEL_RESULT:
		return m->u.open_result.child_relid == key;
	default:
		return true;
	}
}

/*
 * Wait for the reply of type (matching key) until the timeout, handling
 * asynchronous messages on the way.  *out gets the decoded reply (no
 * borrowed pointers are used by callers).  fds of the reply land in
 * fds/nfds when given, else are closed.
 */
static int
wait_reply(struct gvmb_conn *c, uint32_t type, uint32_t key,
	   struct vmb_chanmsg *out, int *fds, unsigned int *nfds)
{
	int64_t deadline = now_ms() + c->opts.timeout_ms;
	int got[VMB_USER_MAX_FDS];
	unsigned int ngot;
	int n;

	if (nfds != NULL) {
		*nfds = 0;
	}
	for (;;) {
		n = recv_one(c, deadline, got, &ngot);
		if (n < 0) {
			return n;
		}
		if (vmb_chanmsg_decode(c->buf, (size_t)n, out) < 0) {
			c->unexpected++;
			vmb_user_close_fds(got, ngot);
			continue;
		}
		if (reply_matches(out, type, key)) {
			if (fds != NULL && nfds != NULL) {
				memcpy(fds, got, ngot * sizeof(int));
				*nfds = ngot;
			} else {
				vmb_user_close_fds(got, ngot);
			}
			return n;
		}
		vmb_user_close_fds(got, ngot);
		if (!handle_async(c, out, (size_t)n)) {
			c->unexpected++;
		}
	}
}

/* ---- connection --------------------------------------------------------- */

/* One INITIATE_CONTACT attempt: 1 accepted, 0 version refused, <0 error. */
static int
try_version(struct gvmb_conn *c, uint32_t version, const char *vm_name)
{
	struct vmb_user_contact uc;
	struct vmb_chanmsg m;
	uint8_t out[VMB_USER_CONTACT_LEN];
	int fd = c->ram->fd;
	int rc;

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_INITIATE_CONTACT;
	m.u.initiate.version = version;
	if (version >= VMB_MSG_VERSION_WIN10_V5) {
		m.u.initiate.interrupt_page =
			vmb_chanmsg_ti_make(VMB_MSG_SINT, 0, 0);
	}
	rc = vmb_chanmsg_encode(&m, out, sizeof(out));
	if (rc < 0) {
		return rc;
	}
	memset(&uc, 0, sizeof(uc));
	uc.ram_size = c->ram->size;
	memcpy(uc.vm_name, vm_name, strlen(vm_name));
	rc = vmb_user_contact_ext_encode(out, sizeof(out), &uc);
	if (rc < 0) {
		return rc;
	}
	rc = vmb_user_send(c->sock, out, (size_t)rc, &fd, 1, 0);
	if (rc < 0) {
		return rc == -EPIPE ? -ECONNRESET : rc;
	}
	rc = wait_reply(c, VMB_MSG_VERSION_RESPONSE, 0, &m, NULL, NULL);
	if (rc < 0) {
		return rc;
	}
	if (m.u.version_response.version_supported) {
		return 1;
	}
	if (m.u.version_response.connection_state !=
	    VMB_MSG_CONN_STATE_SUCCESSFUL) {
		return -EPROTO;
	}
	return 0;
}

int
gvmb_connect_fd(int sock, struct gvmb_ram *ram, const char *vm_name,
		const struct gvmb_opts *opts, struct gvmb_conn **out)
{
	struct gvmb_conn *c;
	unsigned int i;
	int rc = -EPROTONOSUPPORT;

	if (out == NULL || ram == NULL || sock < 0 ||
	    !vmb_user_vm_name_valid(vm_name)) {
		if (sock >= 0) {
			close(sock);
		}
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(sock);
		return -ENOMEM;
	}
	c->sock = sock;
	c->ram = ram;
	c->next_gpadl = GVMB_FIRST_GPADL;
	if (opts != NULL) {
		c->opts = *opts;
	}
	if (c->opts.timeout_ms <= 0) {
		c->opts.timeout_ms = GVMB_DEFAULT_TIMEOUT_MS;
	}
	if (c->opts.versions == NULL || c->opts.nversions == 0) {
		c->opts.versions = gvmb_default_versions(&c->opts.nversions);
	}
	for (i = 0; i < c->opts.nversions; i++) {
		rc = try_version(c, c->opts.versions[i], vm_name);
		if (rc != 0) {
			break;
		}
		rc = -EPROTONOSUPPORT;
	}
	if (rc < 0) {
		gvmb_disconnect(c);
		return rc;
	}
	c->version = c->opts.versions[i];
	*out = c;
	return 0;
}

int
gvmb_connect(const char *path, struct gvmb_ram *ram, const char *vm_name,
	     const struct gvmb_opts *opts, struct gvmb_conn **out)
{
	int fd = vmb_user_connect(path);

	if (fd < 0) {
		return fd;
	}
	return gvmb_connect_fd(fd, ram, vm_name, opts, out);
}

/* Free a channel's local resources and unlink it from c. */
static void
chan_free(struct gvmb_chan *ch)
{
	struct gvmb_conn *c = ch->conn;
	unsigned int i;

	for (i = 0; i < c->nchans; i++) {
		if (c->chans[i] == ch) {
			c->chans[i] = c->chans[--c->nchans];
			break;
		}
	}
	if (ch->kick_fd >= 0) {
		close(ch->kick_fd);
	}
	if (ch->intr_fd >= 0) {
		close(ch->intr_fd);
	}
	gvmb_ram_free(c->ram, &ch->ring_mem);
	free(ch);
}

void
gvmb_disconnect(struct gvmb_conn *c)
{
	if (c == NULL) {
		return;
	}
	while (c->nchans > 0) {
		chan_free(c->chans[c->nchans - 1]);
	}
	close(c->sock);
	free(c);
}

uint32_t
gvmb_version(const struct gvmb_conn *c)
{
	return c->version;
}

int
gvmb_fd(const struct gvmb_conn *c)
{
	return c->sock;
}

uint64_t
gvmb_unexpected(const struct gvmb_conn *c)
{
	return c->unexpected;
}

int
gvmb_request_offers(struct gvmb_conn *c)
{
	struct vmb_chanmsg m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_REQUESTOFFERS;
	rc = send_msg(c, &m, NULL, 0);
	if (rc < 0) {
		return rc;
	}
	rc = wait_reply(c, VMB_MSG_ALLOFFERS_DELIVERED, 0, &m, NULL, NULL);
	if (rc < 0) {
		return rc;
	}
	c->offers_done = true;
	return (int)c->noffers;
}

const struct gvmb_offer *
gvmb_offers(const struct gvmb_conn *c, unsigned int *n)
{
	*n = c->noffers;
	return c->offers;
}

const struct gvmb_offer *
gvmb_offer_find(const struct gvmb_conn *c, uint32_t relid)
{
	unsigned int i;

	for (i = 0; i < c->noffers; i++) {
		if (c->offers[i].relid == relid) {
			return &c->offers[i];
		}
	}
	return NULL;
}

int
gvmb_poll(struct gvmb_conn *c, int timeout_ms)
{
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct vmb_chanmsg m;
	int fds[VMB_USER_MAX_FDS];
	unsigned int nfds;
	int handled = 0;
	int n;

	for (;;) {
		n = recv_one(c, handled == 0 ? deadline : 0, fds, &nfds);
		if (n == -ETIMEDOUT) {
			return handled;
		}
		if (n < 0) {
			return n;
		}
		vmb_user_close_fds(fds, nfds);
		handled++;
		if (vmb_chanmsg_decode(c->buf, (size_t)n, &m) < 0 ||
		    !handle_async(c, &m, (size_t)n)) {
			c->unexpected++;
		}
	}
}

/* ---- GPADLs ------------------------------------------------------------- */

int
gvmb_gpadl_create_raw(struct gvmb_conn *c, uint32_t relid, uint32_t gpadl,
		      const uint64_t *pfn, uint32_t npfn, uint32_t byte_offset,
		      uint32_t byte_count)
{
	struct vmb_gpadl_desc d = {
		.child_relid = relid,
		.gpadl = gpadl,
		.byte_offset = byte_offset,
		.byte_count = byte_count,
		.pfn = pfn,
		.npfn = npfn,
	};
	uint8_t out[VMB_USER_MSG_MAX];
	struct vmb_chanmsg m;
	uint32_t parts = vmb_gpadl_msg_count(npfn);
	uint32_t i;
	int rc;

	if (c == NULL || parts == 0) {
		return -EINVAL;
	}
	for (i = 0; i < parts; i++) {
		rc = vmb_gpadl_encode_part(&d, i, out, sizeof(out));
		if (rc < 0) {
			return rc;
		}
		rc = vmb_user_send(c->sock, out, (size_t)rc, NULL, 0, 0);
		if (rc < 0) {
			return rc;
		}
	}
	rc = wait_reply(c, VMB_MSG_GPADL_CREATED, gpadl, &m, NULL, NULL);
	if (rc < 0) {
		return rc;
	}
	return m.u.gpadl_created.creation_status == 0 ? 0 : -EREMOTEIO;
}

int
gvmb_gpadl_create(struct gvmb_conn *c, uint32_t relid,
		  const struct gvmb_alloc *a, uint32_t *gpadl)
{
	uint32_t h;
	int rc;

	if (c == NULL || a == NULL || a->npages == 0 || gpadl == NULL ||
	    (uint64_t)a->npages * VMB_USER_PAGE_SIZE > UINT32_MAX) {
		return -EINVAL;
	}
	h = c->next_gpadl++;
	rc = gvmb_gpadl_create_raw(c, relid, h, a->pfn, a->npages, 0,
				   a->npages * VMB_USER_PAGE_SIZE);
	if (rc == 0) {
		*gpadl = h;
	}
	return rc;
}

int
gvmb_gpadl_teardown(struct gvmb_conn *c, uint32_t relid, uint32_t gpadl)
{
	struct vmb_chanmsg m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_GPADL_TEARDOWN;
	m.u.gpadl_teardown.child_relid = relid;
	m.u.gpadl_teardown.gpadl = gpadl;
	rc = send_msg(c, &m, NULL, 0);
	if (rc < 0) {
		return rc;
	}
	rc = wait_reply(c, VMB_MSG_GPADL_TORNDOWN, gpadl, &m, NULL, NULL);
	return rc < 0 ? rc : 0;
}

/* ---- channels ----------------------------------------------------------- */

/* Lay the two rings out in ch->ring_mem and initialise their pages. */
static int
rings_init(struct gvmb_chan *ch, uint32_t txp, uint32_t rxp)
{
	uint8_t *p = ch->ring_mem.ptr;
	uint8_t *q = p + (size_t)(1 + txp) * VMB_USER_PAGE_SIZE;
	int rc;

	rc = vmb_ring_init_split(&ch->tx, p, p + VMB_USER_PAGE_SIZE,
				 (size_t)txp * VMB_USER_PAGE_SIZE);
	if (rc == 0) {
		rc = vmb_ring_init_split(&ch->rx, q, q + VMB_USER_PAGE_SIZE,
					 (size_t)rxp * VMB_USER_PAGE_SIZE);
	}
	if (rc < 0) {
		return rc;
	}
	vmb_ring_ctl_init(&ch->tx, VMB_RING_FEAT_PENDING_SEND_SZ);
	vmb_ring_ctl_init(&ch->rx, VMB_RING_FEAT_PENDING_SEND_SZ);
	return 0;
}

/* Send OPENCHANNEL and wait for the result; ch->intr_fd on success. */
static int
open_exchange(struct gvmb_chan *ch, uint32_t txp,
	      const struct gvmb_chan_opts *o)
{
	struct gvmb_conn *c = ch->conn;
	struct vmb_chanmsg m;
	int fds[VMB_USER_MAX_FDS];
	unsigned int nfds;
	int rc;

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_OPENCHANNEL;
	m.u.open.child_relid = ch->relid;
	m.u.open.openid = ch->relid;
	m.u.open.ringbuffer_gpadlhandle = ch->ring_gpadl;
	m.u.open.target_vp = o != NULL ? o->target_vp : 0;
	m.u.open.downstream_ringbuffer_pageoffset = 1 + txp;
	if (o != NULL && o->userdata != NULL) {
		memcpy(m.u.open.userdata, o->userdata,
		       sizeof(m.u.open.userdata));
	}
	rc = send_msg(c, &m, &ch->kick_fd, 1);
	if (rc < 0) {
		return rc;
	}
	rc = wait_reply(c, VMB_MSG_OPENCHANNEL_RESULT, ch->relid, &m, fds,
			&nfds);
	if (rc < 0) {
		return rc;
	}
	if (m.u.open_result.status != 0) {
		vmb_user_close_fds(fds, nfds);
		return -EREMOTEIO;
	}
	if (nfds != 1 || !vmb_user_is_eventfd(fds[0])) {
		vmb_user_close_fds(fds, nfds);
		return -EPROTO;
	}
	ch->intr_fd = fds[0];
	(void)fcntl(ch->intr_fd, F_SETFL,
		    fcntl(ch->intr_fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

int
gvmb_chan_open(struct gvmb_conn *c, uint32_t relid,
	       const struct gvmb_chan_opts *o, struct gvmb_chan **out)
{
	const struct gvmb_offer *off;
	struct gvmb_chan *ch;
	uint32_t txp;
	uint32_t rxp;
	int rc;

	if (c == NULL || out == NULL) {
		return -EINVAL;
	}
	off = offer_find(c, relid);
	if (off == NULL || off->rescinded) {
		return -ENOENT;
	}
	if (chan_find(c, relid) != NULL) {
		return -EBUSY;
	}
	if (c->nchans >= GVMB_MAX_CHANS) {
		return -ENOSPC;
	}
	txp = (o != NULL && o->tx_pages != 0) ? o->tx_pages :
	      GVMB_DEFAULT_RING_PAGES;
	rxp = (o != NULL && o->rx_pages != 0) ? o->rx_pages :
	      GVMB_DEFAULT_RING_PAGES;
	if (txp > 0xffff || rxp > 0xffff) {
		return -EINVAL;
	}
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL) {
		return -ENOMEM;
	}
	ch->conn = c;
	ch->relid = relid;
	ch->kick_fd = -1;
	ch->intr_fd = -1;
	c->chans[c->nchans++] = ch;
	rc = gvmb_ram_alloc(c->ram, (size_t)(2 + txp + rxp) *
			    VMB_USER_PAGE_SIZE, &ch->ring_mem);
	if (rc == 0) {
		rc = rings_init(ch, txp, rxp);
	}
	if (rc == 0) {
		rc = gvmb_gpadl_create(c, relid, &ch->ring_mem,
				       &ch->ring_gpadl);
	}
	if (rc < 0) {
		chan_free(ch);
		return rc;
	}
	ch->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rc = ch->kick_fd < 0 ? -errno : open_exchange(ch, txp, o);
	if (rc < 0) {
		/* The host holds no channel: drop the ring GPADL again. */
		if (rc != -ECONNRESET && rc != -ETIMEDOUT) {
			(void)gvmb_gpadl_teardown(c, relid, ch->ring_gpadl);
		}
		chan_free(ch);
		return rc;
	}
	*out = ch;
	return 0;
}

int
gvmb_chan_close(struct gvmb_chan *ch)
{
	struct gvmb_conn *c;
	int rc = 0;

	if (ch == NULL) {
		return -EINVAL;
	}
	c = ch->conn;
	if (ch->unloaded || c->dead) {
		/* Nothing left on the host side. */
	} else if (ch->rescinded) {
		rc = send_relid(c, VMB_MSG_RELID_RELEASED, ch->relid);
		offer_remove(c, ch->relid);
	} else {
		rc = send_relid(c, VMB_MSG_CLOSECHANNEL, ch->relid);
		if (rc == 0) {
			/* Its TORNDOWN also proves CLOSECHANNEL was handled. */
			rc = gvmb_gpadl_teardown(c, ch->relid, ch->ring_gpadl);
		}
	}
	chan_free(ch);
	return rc;
}

int
gvmb_chan_kick(struct gvmb_chan *ch)
{
	return vmb_user_signal(ch->kick_fd);
}

int
gvmb_chan_wait(struct gvmb_chan *ch, int timeout_ms)
{
	struct pollfd pfd = { .fd = ch->intr_fd, .events = POLLIN };
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int rc;

	for (;;) {
		int64_t left = deadline - now_ms();

		rc = poll(&pfd, 1, (int)SN_MAX(left, (int64_t)0));
		if (rc < 0 && errno == EINTR) {
			continue;
		}
		if (rc < 0) {
			return -errno;
		}
		if (rc == 0) {
			return 0;
		}
		rc = vmb_user_drain(ch->intr_fd);
		if (rc != 0) {
			return rc;
		}
	}
}

int
gvmb_unload(struct gvmb_conn *c)
{
	struct vmb_chanmsg m;
	unsigned int i;
	int rc;

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_UNLOAD;
	rc = send_msg(c, &m, NULL, 0);
	if (rc < 0) {
		return rc;
	}
	rc = wait_reply(c, VMB_MSG_UNLOAD_RESPONSE, 0, &m, NULL, NULL);
	if (rc < 0) {
		return rc;
	}
	for (i = 0; i < c->nchans; i++) {
		c->chans[i]->unloaded = true;
	}
	c->noffers = 0;
	c->offers_done = false;
	return 0;
}
