/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_capture.c - synthnetd's packet captures (see snd_capture.h).
 *
 * State (main thread): an array of captures sorted by id.  A running
 * capture owns an engine capture (cap) and remembers, per interface, the
 * port it attached and the lcore serving it.  Once ended it keeps a
 * snapshot of the engine's counters (final, per interface) and cap is
 * freed.  The engine's writer thread only ever touches the eventfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_log.h>
#include <rte_memory.h>

#include "cap_engine.h"
#include "cap_filter.h"
#include "snd_capture.h"
#include "snd_dp_priv.h"
#include "snd_lcore.h"

/*
 * Capture mbufs (2 KiB each) and ring slots per capture: a ring holds
 * about 4 ms of 64-byte frames at 2 Mpps, for the writer's scheduling
 * delays when the host is busy.
 */
#define SND_CAPTURE_POOL 16383u
#define SND_CAPTURE_RING 8192u

/* All captures the daemon remembers: running + kept ended ones. */
#define SND_CAP_SLOTS (SND_CAPTURE_MAX_RUNNING + SND_CAPTURE_KEEP_ENDED)

/* One interface (port) of a capture. */
struct snd_cap_iface {
	struct cap_iface names;         /* IDB name and description */
	struct snd_lcore *lc;           /* lcore serving the port */
	bool attached;                  /* we attached it and have not
					 * detached it yet (the lcore may
					 * have, when the port went) */
	struct cap_stats final;         /* counters once ended */
};

/* A capture. */
struct snd_cap {
	uint32_t id;                    /* engine id */
	struct cap_capture *cap;        /* engine capture; NULL once ended */
	char target[SND_CAPTURE_TEXT_MAX]; /* "adapter vm1/eth0" */
	char *filter;                   /* expression ("" = all) */
	char *output;                   /* absolute path or "-" */
	unsigned int dir;               /* SND_CAPTURE_IN/OUT */
	bool drops;                     /* drop point too */
	uint32_t snaplen;               /* bytes per frame */
	uint64_t count;                 /* frame limit */
	uint64_t duration_ms;           /* time limit */
	uint32_t ring_files;            /* ring of files, or 0 */
	uint64_t ring_file_bytes;       /* their size */
	int pid;                        /* client */
	unsigned int n_ifaces;          /* interfaces */
	struct snd_cap_iface *ifaces;   /* [n_ifaces] */
	struct cap_info final;          /* snapshot once ended */
	uint64_t end_seq;               /* order of ending (forgetting) */
	char status[CAP_STATUS_MAX];    /* capture_info()'s status text */
};

/* The daemon's capture state (d->capture). */
struct snd_capture_ctx {
	struct snd_daemon *d;           /* back-pointer */
	struct cap_engine *eng;         /* the engine */
	int efd;                        /* eventfd: a capture ended */
	struct snd_ev ev;               /* its main-epoll registration */
	struct snd_cap *caps[SND_CAP_SLOTS]; /* by ascending id */
	unsigned int n_caps;            /* entries in caps */
	uint64_t end_seq;               /* ended captures so far */
	char **files;                   /* capture_info()'s file list */
	uint32_t n_files;               /* entries in files */
};

/* ---- engine ----------------------------------------------------------- */

/* Writer thread: a capture ended.  Only wakes the main thread. */
static void
snd_cap_on_end(void *arg, uint32_t id)
{
	struct snd_capture_ctx *x = arg;
	uint64_t one = 1;

	(void)id;
	if (write(x->efd, &one, sizeof(one)) < 0) {
		/* counter full: the main thread is woken anyway */
	}
}

int
snd_capture_init(struct snd_daemon *d)
{
	struct cap_engine_cfg cfg;
	struct snd_capture_ctx *x;
	char err[256];
	int ret;

	x = calloc(1, sizeof(*x));
	if (x == NULL) {
		fprintf(stderr, "synthnetd: out of memory\n");
		return -ENOMEM;
	}
	x->d = d;
	x->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (x->efd < 0) {
		ret = -errno;
		fprintf(stderr, "synthnetd: eventfd: %s\n", strerror(errno));
		free(x);
		return ret;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.pool_size = SND_CAPTURE_POOL;
	cfg.ring_size = SND_CAPTURE_RING;
	cfg.max_captures = SND_CAPTURE_MAX_RUNNING;
	cfg.socket_id = SOCKET_ID_ANY;
	cfg.userappl = "synthnetd";
	cfg.on_end = snd_cap_on_end;
	cfg.on_end_arg = x;
	/* the main thread: the writer inherits its CPU affinity */
	x->eng = cap_engine_create(&cfg, err, sizeof(err));
	if (x->eng == NULL) {
		fprintf(stderr, "synthnetd: cannot start the capture engine: "
			"%s\n", err);
		close(x->efd);
		free(x);
		return -ENOMEM;
	}
	x->ev.kind = SND_EV_CAPTURE;
	x->ev.fd = x->efd;
	x->ev.obj = x;
	ret = snd_watch(d, &x->ev);
	if (ret < 0) {
		fprintf(stderr, "synthnetd: epoll: %s\n", strerror(-ret));
		cap_engine_destroy(x->eng);
		close(x->efd);
		free(x);
		return ret;
	}
	d->capture = x;
	return 0;
}

static void
snd_cap_free(struct snd_cap *c)
{
	if (c == NULL) {
		return;
	}
	free(c->filter);
	free(c->output);
	free(c->ifaces);
	free(c);
}

static void
snd_cap_files_free(struct snd_capture_ctx *x)
{
	uint32_t i;

	for (i = 0; i < x->n_files; i++) {
		free(x->files[i]);
	}
	free(x->files);
	x->files = NULL;
	x->n_files = 0;
}

void
snd_capture_fini(struct snd_daemon *d)
{
	struct snd_capture_ctx *x = d->capture;
	unsigned int i;

	if (x == NULL) {
		return;
	}
	/* The lcores are gone: the engine ends what still runs (files
	 * completed) and frees every capture, attached or not. */
	snd_unwatch(d, &x->ev);
	cap_engine_destroy(x->eng);
	for (i = 0; i < x->n_caps; i++) {
		snd_cap_free(x->caps[i]);
	}
	snd_cap_files_free(x);
	close(x->efd);
	free(x);
	d->capture = NULL;
}

unsigned int
snd_capture_running(const struct snd_daemon *d)
{
	const struct snd_capture_ctx *x = d->capture;
	unsigned int i, n = 0;

	for (i = 0; x != NULL && i < x->n_caps; i++) {
		n += x->caps[i]->cap != NULL;
	}
	return n;
}

static struct snd_cap *
snd_cap_find(struct snd_capture_ctx *x, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < x->n_caps; i++) {
		if (x->caps[i]->id == id) {
			return x->caps[i];
		}
	}
	return NULL;
}

/* ---- lcore calls -------------------------------------------------------- */

struct snd_cap_call {
	struct cap_capture *cap;
	unsigned int iface;
	struct vsw_port *port;
};

static int
snd_cap_call_attach(struct snd_lcore *lc, void *arg)
{
	struct snd_cap_call *c = arg;

	(void)lc;
	return cap_attach(c->cap, c->iface, c->port);
}

static int
snd_cap_call_detach(struct snd_lcore *lc, void *arg)
{
	struct snd_cap_call *c = arg;

	(void)lc;
	return cap_detach(c->cap, c->iface);
}

/* ---- ending ------------------------------------------------------------ */

/* Forget the oldest ended captures beyond `keep`. */
static void
snd_cap_forget_old(struct snd_capture_ctx *x, unsigned int keep)
{
	unsigned int i, ended = 0, oldest;

	for (i = 0; i < x->n_caps; i++) {
		ended += x->caps[i]->cap == NULL;
	}
	while (ended > keep) {
		oldest = x->n_caps;
		for (i = 0; i < x->n_caps; i++) {
			if (x->caps[i]->cap == NULL &&
			    (oldest == x->n_caps ||
			     x->caps[i]->end_seq < x->caps[oldest]->end_seq)) {
				oldest = i;
			}
		}
		snd_cap_free(x->caps[oldest]);
		memmove(&x->caps[oldest], &x->caps[oldest + 1],
			(x->n_caps - oldest - 1) * sizeof(x->caps[0]));
		x->n_caps--;
		ended--;
	}
}

/*
 * c has ended (engine state STOPPED): detach what is still attached, on
 * each port's lcore, keep the counters and free the engine's capture.
 */
static void
snd_cap_finish(struct snd_capture_ctx *x, struct snd_cap *c)
{
	struct snd_cap_call call = { .cap = c->cap };
	unsigned int i;
	int rc;

	for (i = 0; i < c->n_ifaces; i++) {
		struct snd_cap_iface *f = &c->ifaces[i];

		if (!f->attached) {
			continue;
		}
		/* -ENOENT: the lcore detached it when the port went */
		call.iface = i;
		(void)snd_lcore_call(f->lc, snd_cap_call_detach, &call);
		f->attached = false;
	}
	cap_capture_info(c->cap, &c->final);
	for (i = 0; i < c->n_ifaces; i++) {
		cap_capture_iface_stats(c->cap, i, &c->ifaces[i].final);
	}
	rc = cap_capture_destroy(c->cap);
	if (rc < 0) {
		/* cannot happen: every interface is detached */
		RTE_LOG(ERR, USER1, "capture %" PRIu32 ": cannot free it: "
			"%s\n", c->id, strerror(-rc));
		return;
	}
	c->cap = NULL;
	c->end_seq = ++x->end_seq;
	RTE_LOG(INFO, USER1, "capture %" PRIu32 " (%s) %s: %" PRIu64
		" packets, %" PRIu64 " lost\n", c->id, c->target,
		c->final.status, c->final.stats.written,
		c->final.stats.lost);
	snd_cap_forget_old(x, SND_CAPTURE_KEEP_ENDED);
}

void
snd_capture_event(struct snd_daemon *d)
{
	struct snd_capture_ctx *x = d->capture;
	struct cap_info ci;
	bool again = true;
	uint64_t v;
	unsigned int i;

	if (x == NULL) {
		return;
	}
	if (read(x->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: drained by an earlier pass */
	}
	while (again) {
		again = false;
		for (i = 0; i < x->n_caps; i++) {
			struct snd_cap *c = x->caps[i];

			if (c->cap == NULL) {
				continue;
			}
			cap_capture_info(c->cap, &ci);
			if (ci.state == CAP_STOPPED) {
				/* forgetting old ones moves the array:
				 * start over */
				snd_cap_finish(x, c);
				again = true;
				break;
			}
		}
	}
}

/* ---- targets ------------------------------------------------------------ */

/* The ports of a capture being started. */
struct snd_cap_target {
	struct snd_cap_iface ifc[CAP_MAX_IFACES]; /* names, lcores */
	struct vsw_port *port[CAP_MAX_IFACES];    /* the ports */
	struct cap_iface names[CAP_MAX_IFACES];   /* cap_cfg.ifaces */
	unsigned int n;                           /* entries */
};

static void
snd_cap_add(struct snd_cap_target *t, struct vsw_port *port,
	    struct snd_lcore *lc, const char *name, const char *desc)
{
	if (t->n == CAP_MAX_IFACES) {
		return;
	}
	snprintf(t->ifc[t->n].names.name, sizeof(t->ifc[t->n].names.name),
		 "%s", name);
	snprintf(t->ifc[t->n].names.desc, sizeof(t->ifc[t->n].names.desc),
		 "%s", desc);
	t->ifc[t->n].lc = lc;
	t->port[t->n] = port;
	t->n++;
}

/* An adapter's open port into t; false if its channel is not open. */
static bool
snd_cap_add_adapter(struct snd_cap_target *t, const struct snd_adapter *ad)
{
	const struct snd_nic *nic = ad->dp;
	char name[CAP_IFNAME_MAX];
	char desc[CAP_IFDESC_MAX];

	if (nic == NULL || nic->port == NULL) {
		return false;
	}
	snprintf(name, sizeof(name), "%s/%s/%s", ad->sw->name, ad->vm,
		 ad->nic);
	snprintf(desc, sizeof(desc), "netvsc adapter %s of VM %s on switch "
		 "%s", ad->nic, ad->vm, ad->sw->name);
	snd_cap_add(t, nic->port, nic->sdp->lc, name, desc);
	return true;
}

static void
snd_cap_add_uplink(struct snd_cap_target *t, const struct snd_switch *sw)
{
	const struct snd_swdp *sdp = sw->dp;
	char name[CAP_IFNAME_MAX];
	char desc[CAP_IFDESC_MAX];

	snprintf(name, sizeof(name), "%s/uplink", sw->name);
	snprintf(desc, sizeof(desc), "uplink %.180s of external switch %s "
		 "(ethdev)", sw->cfg.uplink, sw->name);
	snd_cap_add(t, sdp->uplink, sdp->lc, name, desc);
}

static void
snd_cap_add_host(struct snd_cap_target *t, const struct snd_switch *sw)
{
	const struct snd_swdp *sdp = sw->dp;
	char name[CAP_IFNAME_MAX];
	char desc[CAP_IFDESC_MAX];

	snprintf(name, sizeof(name), "%s/host", sw->name);
	snprintf(desc, sizeof(desc), "host vNIC %s of %s switch %s (TAP)",
		 sw->host_ifname, snd_switch_type_name(sw->cfg.type),
		 sw->name);
	snd_cap_add(t, sdp->host, sdp->lc, name, desc);
}

/* Resolve rq's target into t (and the target text).  0 or -errno. */
static int
snd_cap_resolve(struct snd_daemon *d, const struct snd_capture_req *rq,
		struct snd_cap_target *t, char *target, char *err,
		size_t errlen)
{
	const struct snd_adapter *ad = NULL;
	const struct snd_swdp *sdp;

	t->n = 0;
	switch (rq->kind) {
	case SND_CAPTURE_ADAPTER:
		snprintf(target, SND_CAPTURE_TEXT_MAX, "adapter %s/%s",
			 rq->ad->vm, rq->ad->nic);
		if (!snd_cap_add_adapter(t, rq->ad)) {
			snprintf(err, errlen, "adapter %s/%s has no open "
				 "channel (its guest is not running or has "
				 "not attached it): start the guest, then the "
				 "capture", rq->ad->vm, rq->ad->nic);
			return -ENOTCONN;
		}
		return 0;
	case SND_CAPTURE_UPLINK:
		snprintf(target, SND_CAPTURE_TEXT_MAX, "uplink %s",
			 rq->sw->name);
		sdp = rq->sw->dp;
		if (sdp == NULL || sdp->uplink == NULL) {
			snprintf(err, errlen, "switch %s has no uplink port "
				 "(is it external?)", rq->sw->name);
			return -ENODEV;
		}
		snd_cap_add_uplink(t, rq->sw);
		return 0;
	case SND_CAPTURE_SWITCH:
		snprintf(target, SND_CAPTURE_TEXT_MAX, "switch %s",
			 rq->sw->name);
		sdp = rq->sw->dp;
		if (sdp == NULL) {
			break;
		}
		while ((ad = snd_model_adapter_next(d->model, ad)) != NULL) {
			if (ad->sw == rq->sw) {
				(void)snd_cap_add_adapter(t, ad);
			}
		}
		if (sdp->uplink != NULL) {
			snd_cap_add_uplink(t, rq->sw);
		}
		if (sdp->host != NULL) {
			snd_cap_add_host(t, rq->sw);
		}
		if (t->n == 0) {
			break;
		}
		return 0;
	}
	snprintf(err, errlen, "switch %s has no ports to capture yet (no "
		 "guest has its adapter's channel open, no uplink, no host "
		 "vNIC): start a guest first", rq->sw->name);
	return -ENOTCONN;
}

/* ---- output ------------------------------------------------------------- */

/* True if group g is the client's (primary or supplementary). */
static bool
snd_cap_in_group(gid_t g, int gid, int pid)
{
	char path[64];
	char line[1024];
	bool found = false;
	FILE *f;

	if (gid >= 0 && (gid_t)gid == g) {
		return true;
	}
	if (pid <= 0) {
		return false;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (f == NULL) {
		return false;
	}
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *p, *end;

		if (strncmp(line, "Groups:", 7) != 0) {
			continue;
		}
		for (p = line + 7;; p = end) {
			unsigned long v = strtoul(p, &end, 10);

			if (end == p) {
				break;
			}
			if ((gid_t)v == g) {
				found = true;
				break;
			}
		}
		break;
	}
	fclose(f);
	return found;
}

/*
 * Ring files are created by the daemon: the directory of path must exist
 * and the client (uid, gid, pid) must be allowed to create files in it,
 * as if it created them itself.  0 or -errno with a message.
 */
static int
snd_cap_dir_ok(const char *path, int uid, int gid, int pid, char *err,
	       size_t errlen)
{
	char *dir = strdup(path);
	char *slash;
	struct stat st;
	mode_t need;
	int rc = 0;

	if (dir == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	slash = strrchr(dir, '/');
	if (slash == dir) {
		slash[1] = '\0';
	} else if (slash != NULL) {
		*slash = '\0';
	}
	if (stat(dir, &st) < 0) {
		rc = -errno;
	} else if (!S_ISDIR(st.st_mode)) {
		rc = -ENOTDIR;
	} else if (uid > 0) {
		if ((uid_t)uid == st.st_uid) {
			need = S_IWUSR | S_IXUSR;
		} else if (snd_cap_in_group(st.st_gid, gid, pid)) {
			need = S_IWGRP | S_IXGRP;
		} else {
			need = S_IWOTH | S_IXOTH;
		}
		if ((st.st_mode & need) != need) {
			rc = -EACCES;
		}
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot write ring files in %s: %s", dir,
			 strerror(-rc));
	}
	free(dir);
	return rc;
}

/*
 * The descriptor the client sent (file or standard output): a copy for
 * the engine in *fd.  0 or -errno with a message.
 */
static int
snd_cap_take_fd(const struct snd_capture_req *rq, int *fd, bool *regular,
		char *err, size_t errlen)
{
	struct stat st;
	int fl;

	*fd = -1;
	fl = fcntl(rq->fd, F_GETFL);
	if (fl < 0 || fstat(rq->fd, &st) < 0) {
		snprintf(err, errlen, "bad output descriptor: %s",
			 strerror(errno));
		return -EBADF;
	}
	if ((fl & O_ACCMODE) == O_RDONLY) {
		snprintf(err, errlen, "the output descriptor is not open for "
			 "writing");
		return -EBADF;
	}
	if (rq->stream && isatty(rq->fd)) {
		snprintf(err, errlen, "standard output is a terminal: pipe it "
			 "(| tshark -r -) or redirect it to a file");
		return -ENOTTY;
	}
	*regular = S_ISREG(st.st_mode);
	*fd = fcntl(rq->fd, F_DUPFD_CLOEXEC, 3);
	if (*fd < 0) {
		snprintf(err, errlen, "cannot keep the output descriptor: %s",
			 strerror(errno));
		return -errno;
	}
	return 0;
}

/* ---- hooks -------------------------------------------------------------- */

/* A new record from rq and the resolved target t. */
static struct snd_cap *
snd_cap_new(const struct snd_capture_req *rq, const struct snd_cap_target *t,
	    const char *target)
{
	struct snd_cap *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		return NULL;
	}
	c->ifaces = calloc(t->n, sizeof(*c->ifaces));
	c->filter = strdup(rq->filter != NULL ? rq->filter : "");
	c->output = strdup(rq->stream || rq->path == NULL ? "-" : rq->path);
	if (c->ifaces == NULL || c->filter == NULL || c->output == NULL) {
		snd_cap_free(c);
		return NULL;
	}
	memcpy(c->ifaces, t->ifc, t->n * sizeof(*c->ifaces));
	c->n_ifaces = t->n;
	snprintf(c->target, sizeof(c->target), "%s", target);
	c->dir = rq->dir;
	c->drops = rq->drops;
	c->snaplen = rq->snaplen;
	c->count = rq->count;
	c->duration_ms = rq->duration_ms;
	c->ring_files = rq->ring_files;
	c->ring_file_bytes = rq->ring_file_bytes;
	c->pid = rq->pid;
	return c;
}

int
snd_capture_start(void *ctx, const struct snd_capture_req *rq, uint32_t *id,
		  char *err, size_t errlen)
{
	struct snd_daemon *d = ctx;
	struct snd_capture_ctx *x = d->capture;
	char target[SND_CAPTURE_TEXT_MAX];
	struct snd_cap_target *t = NULL;
	struct cap_capture *cap = NULL;
	struct cap_filter *flt = NULL;
	struct snd_cap_call call;
	struct snd_cap *c = NULL;
	struct cap_cfg cfg;
	bool regular = false;
	unsigned int i, multi = 0, attached;
	int fd = -1;
	int rc;

	if (x == NULL) {
		snprintf(err, errlen, "packet capture is not available");
		return -ENOTSUP;
	}
	if (x->n_caps >= SND_CAP_SLOTS) {
		snd_cap_forget_old(x, SND_CAPTURE_KEEP_ENDED - 1);
	}
	if (x->n_caps >= SND_CAP_SLOTS) {
		/* cannot happen: the engine runs at most 16 */
		snprintf(err, errlen, "too many captures");
		return -ENOSPC;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = snd_cap_resolve(d, rq, t, target, err, errlen);
	if (rc < 0) {
		goto out;
	}
	/* libpcap's verdict before anything is touched (the engine would
	 * give the same, but only after the file was truncated) */
	if (rq->filter != NULL && rq->filter[0] != '\0') {
		rc = cap_filter_create(rq->filter, rq->snaplen, &flt, err,
				       errlen);
		cap_filter_destroy(flt);
		if (rc < 0) {
			goto out;
		}
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = -1;
	if (rq->ring_files != 0) {
		rc = snd_cap_dir_ok(rq->path, rq->uid, rq->gid, rq->pid, err,
				    errlen);
		if (rc < 0) {
			goto out;
		}
		cfg.path = rq->path;
		cfg.ring_files = rq->ring_files;
		cfg.ring_file_bytes = rq->ring_file_bytes;
		cfg.file_mode = 0644;
	} else {
		rc = snd_cap_take_fd(rq, &fd, &regular, err, errlen);
		if (rc < 0) {
			goto out;
		}
		cfg.fd = fd;
	}
	cfg.uid = rq->uid;
	cfg.gid = rq->gid;
	for (i = 0; i < t->n; i++) {
		t->names[i] = t->ifc[i].names;
		multi |= t->ifc[i].lc != t->ifc[0].lc;
	}
	cfg.ifaces = t->names;
	cfg.n_ifaces = t->n;
	cfg.dir = (rq->dir & SND_CAPTURE_IN ? CAP_DIR_IN : 0) |
		  (rq->dir & SND_CAPTURE_OUT ? CAP_DIR_OUT : 0);
	cfg.drops = rq->drops;
	cfg.filter = rq->filter;
	cfg.snaplen = rq->snaplen;
	cfg.count = rq->count;
	cfg.duration_ms = rq->duration_ms;
	cfg.multi_lcore = multi != 0;
	c = snd_cap_new(rq, t, target);
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	/* -w FILE: the file starts empty (-w -: written as it is) */
	if (regular && !rq->stream &&
	    (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)) {
		rc = -errno;
		snprintf(err, errlen, "cannot truncate %s: %s", c->output,
			 strerror(errno));
		goto out;
	}
	rc = cap_capture_create(x->eng, &cfg, &cap, err, errlen);
	if (rc == -ENOSPC) {
		snprintf(err, errlen, "too many captures running (%u): stop "
			 "one first (synthctl capture list shows them)",
			 SND_CAPTURE_MAX_RUNNING);
	}
	if (rc < 0) {
		goto out;
	}
	fd = -1; /* the engine's now */
	c->cap = cap;
	c->id = cap_capture_id(cap);
	call.cap = cap;
	attached = 0;
	for (i = 0; i < t->n; i++) {
		call.iface = i;
		call.port = t->port[i];
		rc = snd_lcore_call(c->ifaces[i].lc, snd_cap_call_attach,
				    &call);
		if (rc < 0) {
			RTE_LOG(WARNING, USER1, "capture %" PRIu32 ": cannot "
				"attach %s: %s\n", c->id,
				c->ifaces[i].names.name, strerror(-rc));
			continue;
		}
		c->ifaces[i].attached = true;
		attached++;
	}
	/* ids grow: appending keeps the array sorted */
	x->caps[x->n_caps++] = c;
	if (attached == 0) {
		/* cannot happen (no one else sets port->capture): end it
		 * rather than keep a capture that waits for nothing */
		snprintf(err, errlen, "cannot attach the capture to its "
			 "ports (see the daemon's log)");
		(void)cap_capture_stop(cap);
		snd_cap_finish(x, c);
		c = NULL;
		rc = -EIO;
		goto out;
	}
	*id = c->id;
	RTE_LOG(INFO, USER1, "capture %" PRIu32 " started: %s, %u port(s), "
		"to %s%s\n", c->id, c->target, c->n_ifaces, c->output,
		c->filter[0] != '\0' ? ", filtered" : "");
	c = NULL;
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
	}
	snd_cap_free(c);
	free(t);
	return rc;
}

int
snd_capture_stop(void *ctx, uint32_t id, char *err, size_t errlen)
{
	struct snd_daemon *d = ctx;
	struct snd_capture_ctx *x = d->capture;
	struct snd_cap *c = x != NULL ? snd_cap_find(x, id) : NULL;

	if (c == NULL) {
		snprintf(err, errlen, "no capture %" PRIu32 " (synthctl "
			 "capture list shows the captures)", id);
		return -ENOENT;
	}
	if (c->cap == NULL) {
		return 0; /* had ended */
	}
	/* returns once the file is complete; -EALREADY: ending anyway */
	(void)cap_capture_stop(c->cap);
	snd_cap_finish(x, c);
	return 0;
}

size_t
snd_capture_list(void *ctx, uint32_t *ids, size_t max)
{
	struct snd_daemon *d = ctx;
	struct snd_capture_ctx *x = d->capture;
	size_t i;

	if (x == NULL) {
		return 0;
	}
	for (i = 0; i < x->n_caps && i < max && ids != NULL; i++) {
		ids[i] = x->caps[i]->id;
	}
	return x->n_caps;
}

/* The files c wrote that exist now, into x->files. */
static void
snd_cap_files(struct snd_capture_ctx *x, const struct snd_cap *c,
	      uint64_t started)
{
	const char *slash, *dot;
	uint64_t first, k;
	size_t blen;

	snd_cap_files_free(x);
	if (strcmp(c->output, "-") == 0) {
		return;
	}
	if (c->ring_files == 0) {
		x->files = calloc(1, sizeof(*x->files));
		if (x->files != NULL) {
			x->files[0] = strdup(c->output);
			x->n_files = x->files[0] != NULL;
		}
		return;
	}
	/* FILE.ext -> FILE_00001.ext ... as the engine names them */
	first = started > c->ring_files ? started - c->ring_files + 1 : 1;
	if (started < first) {
		return;
	}
	x->files = calloc(started - first + 1, sizeof(*x->files));
	if (x->files == NULL) {
		return;
	}
	slash = strrchr(c->output, '/');
	slash = slash != NULL ? slash + 1 : c->output;
	dot = strrchr(slash, '.');
	if (dot == NULL || dot == slash) {
		dot = c->output + strlen(c->output);
	}
	blen = (size_t)(dot - c->output);
	for (k = first; k <= started; k++) {
		char *s = NULL;

		if (asprintf(&s, "%.*s_%05" PRIu64 "%s", (int)blen,
			     c->output, k, dot) < 0) {
			break;
		}
		x->files[x->n_files++] = s;
	}
}

int
snd_capture_info(void *ctx, uint32_t id, struct snd_capture_info *out,
		 struct snd_capture_iface *ifaces, size_t max_ifaces)
{
	struct snd_daemon *d = ctx;
	struct snd_capture_ctx *x = d->capture;
	struct snd_cap *c = x != NULL ? snd_cap_find(x, id) : NULL;
	struct cap_info live;
	const struct cap_info *ci;
	unsigned int i;

	if (c == NULL) {
		return -ENOENT;
	}
	if (c->cap != NULL) {
		cap_capture_info(c->cap, &live);
		ci = &live;
	} else {
		ci = &c->final;
	}
	out->id = c->id;
	out->target = c->target;
	out->state = cap_state_name(ci->state);
	snprintf(c->status, sizeof(c->status), "%s", ci->status);
	out->status = c->status;
	out->failed = ci->end == CAP_END_DISK_FULL ||
		      ci->end == CAP_END_WRITE_ERROR;
	out->dir = c->dir;
	out->drops = c->drops;
	out->filter = c->filter;
	out->snaplen = c->snaplen;
	out->count = c->count;
	out->duration_ms = c->duration_ms;
	out->output = c->output;
	snd_cap_files(x, c, ci->stats.files);
	out->files = (const char *const *)x->files;
	out->n_files = x->n_files;
	out->ring_files = c->ring_files;
	out->ring_file_bytes = c->ring_file_bytes;
	out->client_pid = c->pid;
	out->started_ns = ci->start_ns;
	out->ended_ns = ci->end_ns;
	out->seen = ci->stats.seen;
	out->filtered_out = ci->stats.filtered_out;
	out->matched = ci->stats.matched;
	out->lost = ci->stats.lost;
	out->packets = ci->stats.written;
	out->bytes = ci->stats.bytes;
	out->file_bytes = ci->stats.file_bytes;
	out->files_started = ci->stats.files;
	out->n_ifaces = c->n_ifaces;
	for (i = 0; i < c->n_ifaces && i < max_ifaces; i++) {
		struct snd_cap_iface *f = &c->ifaces[i];
		struct cap_stats st;

		if (c->cap != NULL) {
			cap_capture_iface_stats(c->cap, i, &st);
			ifaces[i].attached = cap_iface_attached(c->cap, i);
		} else {
			st = f->final;
			ifaces[i].attached = false;
		}
		ifaces[i].name = f->names.name;
		ifaces[i].seen = st.seen;
		ifaces[i].matched = st.matched;
		ifaces[i].lost = st.lost;
		ifaces[i].packets = st.written;
	}
	return 0;
}
