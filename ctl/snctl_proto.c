/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snctl_proto.c - control protocol framing, reassembly, server and client
 * (the protocol is described in snctl_proto.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sn_wire.h"
#include "snctl_json.h"
#include "snctl_proto.h"

/* ---- request codec ------------------------------------------------------ */

int
snctl_req_encode(uint32_t flags, uint32_t argc, const char *const *argv,
		 uint8_t *buf, size_t cap)
{
	size_t total = SNCTL_REQ_HDR_LEN;
	size_t off;
	uint32_t i;

	if (buf == NULL || (argv == NULL && argc != 0) ||
	    (flags & ~SNCTL_FLAGS_KNOWN) != 0) {
		return -EINVAL;
	}
	if (argc > SNCTL_ARGC_MAX) {
		return -E2BIG;
	}
	for (i = 0; i < argc; i++) {
		size_t n;

		if (argv[i] == NULL) {
			return -EINVAL;
		}
		n = strlen(argv[i]);
		if (!snctl_utf8_valid(argv[i], n)) {
			return -EILSEQ;
		}
		if (n >= SNCTL_REQ_MAX - total) {
			return -EMSGSIZE;
		}
		total += n + 1;
	}
	if (total > cap) {
		return -EMSGSIZE;
	}
	memcpy(buf, SNCTL_MAGIC, SNCTL_MAGIC_LEN);
	sn_put_le32(buf + SNCTL_REQ_OFF_FLAGS, flags);
	sn_put_le32(buf + SNCTL_REQ_OFF_ARGC, argc);
	off = SNCTL_REQ_HDR_LEN;
	for (i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		memcpy(buf + off, argv[i], n);
		off += n;
	}
	return (int)off;
}

/*
 * Check the fixed header of the len bytes at buf (any prefix).  Returns 0
 * with *argc set when all 15 bytes are present and valid, -EAGAIN for a
 * valid shorter prefix, or the error.
 */
static int
snctl_req_check_hdr(const uint8_t *buf, size_t len, uint32_t *argc)
{
	size_t m = len < SNCTL_MAGIC_LEN ? len : SNCTL_MAGIC_LEN;
	uint32_t flags;

	if (memcmp(buf, SNCTL_MAGIC, m) != 0) {
		return -EBADMSG;
	}
	if (len < SNCTL_REQ_OFF_ARGC) {
		return -EAGAIN;
	}
	flags = sn_get_le32(buf + SNCTL_REQ_OFF_FLAGS);
	if ((flags & ~SNCTL_FLAGS_KNOWN) != 0) {
		return -ENOTSUP;
	}
	if (len < SNCTL_REQ_HDR_LEN) {
		return -EAGAIN;
	}
	*argc = sn_get_le32(buf + SNCTL_REQ_OFF_ARGC);
	if (*argc > SNCTL_ARGC_MAX) {
		return -E2BIG;
	}
	return 0;
}

int
snctl_req_decode(const uint8_t *buf, size_t len, struct snctl_req *req)
{
	uint32_t argc = 0;
	size_t off;
	uint32_t i;
	int rc;

	if (req == NULL || (buf == NULL && len != 0)) {
		return -EINVAL;
	}
	if (len > SNCTL_REQ_MAX) {
		return -EMSGSIZE;
	}
	rc = snctl_req_check_hdr(buf, len, &argc);
	if (rc < 0) {
		return rc == -EAGAIN && len >= SNCTL_REQ_MAX ? -EMSGSIZE : rc;
	}
	off = SNCTL_REQ_HDR_LEN;
	for (i = 0; i < argc; i++) {
		const uint8_t *nul = memchr(buf + off, 0, len - off);
		size_t n;

		if (nul == NULL) {
			return len >= SNCTL_REQ_MAX ? -EMSGSIZE : -EAGAIN;
		}
		n = (size_t)(nul - (buf + off));
		if (!snctl_utf8_valid((const char *)buf + off, n)) {
			return -EILSEQ;
		}
		req->argv[i] = (const char *)buf + off;
		off += n + 1;
	}
	if (off != len) {
		return -EBADMSG;	/* bytes after the last argument */
	}
	req->argv[argc] = NULL;
	req->flags = sn_get_le32(buf + SNCTL_REQ_OFF_FLAGS);
	req->argc = argc;
	req->len = len;
	req->fd = -1;
	return 0;
}

const char *
snctl_req_strerror(int err)
{
	switch (err) {
	case -EAGAIN:
	case -ENODATA:
		return "the request ended early (truncated)";
	case -EBADMSG:
		return "not a synthctl request (bad magic or bytes after the "
		       "last argument)";
	case -ENOTSUP:
		return "unknown request flags (synthctl and synthnetd "
		       "versions differ?)";
	case -E2BIG:
		return "too many arguments (at most 256)";
	case -EMSGSIZE:
		return "request too large (at most 64 KiB)";
	case -EILSEQ:
		return "an argument is not valid UTF-8";
	case -ENOMEM:
		return "out of memory";
	case -ETIMEDOUT:
		return "timed out waiting for the request";
	case -EBADF:
		return "the request announced a file descriptor but none "
		       "came with it";
	case -ETOOMANYREFS:
		return "unexpected file descriptors with the request (at "
		       "most one, announced by the descriptor flag)";
	default:
		return "malformed request";
	}
}

/* ---- reassembly --------------------------------------------------------- */

void
snctl_rx_init(struct snctl_rx *rx, size_t limit)
{
	if (rx == NULL) {
		return;
	}
	memset(rx, 0, sizeof(*rx));
	rx->limit = (limit == 0 || limit > SNCTL_REQ_MAX) ? SNCTL_REQ_MAX
							  : limit;
}

void
snctl_rx_fini(struct snctl_rx *rx)
{
	if (rx == NULL) {
		return;
	}
	free(rx->buf);
	rx->buf = NULL;
	rx->len = 0;
	rx->cap = 0;
}

/* Grow the buffer to hold need bytes (need <= limit). */
static int
snctl_rx_reserve(struct snctl_rx *rx, size_t need)
{
	size_t ncap;
	uint8_t *nbuf;

	if (need <= rx->cap) {
		return 0;
	}
	ncap = rx->cap != 0 ? rx->cap : 512;
	while (ncap < need) {
		ncap *= 2;
	}
	if (ncap > rx->limit) {
		ncap = rx->limit;
	}
	nbuf = realloc(rx->buf, ncap);
	if (nbuf == NULL) {
		return -ENOMEM;
	}
	rx->buf = nbuf;
	rx->cap = ncap;
	return 0;
}

/* Scan the new bytes; update rx->state. */
static int
snctl_rx_scan(struct snctl_rx *rx)
{
	struct snctl_req req;
	int rc;

	if (rx->scanned < SNCTL_REQ_HDR_LEN) {
		rc = snctl_req_check_hdr(rx->buf, rx->len, &rx->argc);
		if (rc == -EAGAIN) {
			return 0;
		}
		if (rc < 0) {
			return rc;
		}
		rx->scanned = SNCTL_REQ_HDR_LEN;
	}
	while (rx->nuls < rx->argc && rx->scanned < rx->len) {
		const uint8_t *nul = memchr(rx->buf + rx->scanned, 0,
					    rx->len - rx->scanned);

		if (nul == NULL) {
			rx->scanned = rx->len;
			break;
		}
		rx->nuls++;
		rx->scanned = (size_t)(nul - rx->buf) + 1;
	}
	if (rx->nuls < rx->argc) {
		return rx->len >= rx->limit ? -EMSGSIZE : 0;
	}
	if (rx->scanned != rx->len) {
		return -EBADMSG;
	}
	/* Complete: validate the arguments once. */
	rc = snctl_req_decode(rx->buf, rx->len, &req);
	return rc == 0 ? 1 : rc;
}

int
snctl_rx_feed(struct snctl_rx *rx, const void *data, size_t n)
{
	int rc;

	if (rx == NULL || (data == NULL && n != 0)) {
		return -EINVAL;
	}
	if (rx->state < 0) {
		return rx->state;
	}
	if (n == 0) {
		return rx->state;
	}
	if (rx->state == 1) {
		/* bytes after a complete request */
		rx->state = -EBADMSG;
		return rx->state;
	}
	if (n > rx->limit - rx->len) {
		rx->state = -EMSGSIZE;
		return rx->state;
	}
	rc = snctl_rx_reserve(rx, rx->len + n);
	if (rc < 0) {
		rx->state = rc;
		return rc;
	}
	memcpy(rx->buf + rx->len, data, n);
	rx->len += n;
	rx->state = snctl_rx_scan(rx);
	return rx->state;
}

int
snctl_rx_eof(struct snctl_rx *rx)
{
	if (rx == NULL) {
		return -EINVAL;
	}
	if (rx->state == 0) {
		rx->state = -ENODATA;
	}
	return rx->state;
}

int
snctl_rx_request(const struct snctl_rx *rx, struct snctl_req *req)
{
	if (rx == NULL || req == NULL) {
		return -EINVAL;
	}
	if (rx->state != 1) {
		return rx->state < 0 ? rx->state : -EAGAIN;
	}
	return snctl_req_decode(rx->buf, rx->len, req);
}

/* ---- server --------------------------------------------------------------*/

/* Connection phases. */
enum snctl_phase {
	SNCTL_PH_READ,		/* reassembling the request */
	SNCTL_PH_WRITE,		/* sending the response */
};

/* One client connection. */
struct snctl_conn {
	struct snctl_conn *next;	/* server list */
	int fd;				/* the accepted socket */
	enum snctl_phase phase;		/* what it waits for */
	uint64_t deadline;		/* drop after this (now_ms clock) */
	struct snctl_peer peer;		/* SO_PEERCRED */
	struct snctl_rx rx;		/* request reassembly */
	int fd_rx;			/* descriptor received, or -1 */
	bool fd_extra;			/* a second one came (closed) */
	uint8_t hdr[SNCTL_RESP_HDR_LEN];	/* response status, LE */
	struct snctl_out body;		/* response body */
	size_t sent;			/* bytes of hdr + body sent */
};

struct snctl_server {
	struct snctl_server_cfg cfg;	/* copy; cfg.path points at path */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lfd;			/* listening socket */
	int epfd;			/* epoll over lfd and connections */
	struct snctl_conn *conns;	/* open connections */
	unsigned int nconns;		/* their number */
};

/* Events handled per snctl_server_process() call, at most. */
#define SNCTL_SERVER_BATCH 64

static uint64_t
snctl_mono_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
snctl_logf(const struct snctl_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
snctl_logf(const struct snctl_server *srv, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (srv->cfg.log == NULL) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	srv->cfg.log(srv->cfg.ctx, msg);
}

static int
snctl_sun(struct sockaddr_un *sun, const char *path)
{
	size_t n = strlen(path);

	if (n == 0) {
		return -EINVAL;
	}
	if (n >= sizeof(sun->sun_path)) {
		return -ENAMETOOLONG;
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n + 1);
	return 0;
}

/* Create the parent directory of path when it is missing (one level). */
static int
snctl_mkparent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir) {
		return 0;
	}
	*slash = '\0';
	if (stat(dir, &st) == 0) {
		return 0;
	}
	if (errno != ENOENT) {
		return -errno;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		return -errno;
	}
	return 0;
}

/*
 * Remove a stale socket file at path (nobody listening).  Returns 0 when
 * the path is free, -EADDRINUSE when a server answers, -EEXIST when the
 * path is not a socket.
 */
static int
snctl_clear_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd;
	int rc;

	if (lstat(sun->sun_path, &st) < 0) {
		return errno == ENOENT ? 0 : -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (rc == 0) {
		rc = -EADDRINUSE;
	} else if (errno == ECONNREFUSED) {
		rc = unlink(sun->sun_path) < 0 && errno != ENOENT ? -errno : 0;
	} else {
		rc = -errno;
	}
	close(fd);
	return rc;
}

struct snctl_server *
snctl_server_create(const struct snctl_server_cfg *cfg)
{
	struct snctl_server *srv;
	struct sockaddr_un sun;
	struct epoll_event ev;
	const char *path;
	int rc;

	if (cfg == NULL || cfg->handler == NULL) {
		errno = EINVAL;
		return NULL;
	}
	path = cfg->path != NULL ? cfg->path : SNCTL_DEFAULT_PATH;
	rc = snctl_sun(&sun, path);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	srv->cfg = *cfg;
	memcpy(srv->path, sun.sun_path, sizeof(srv->path));
	srv->cfg.path = srv->path;
	if (srv->cfg.mode == 0) {
		srv->cfg.mode = SNCTL_SERVER_MODE;
	}
	if (srv->cfg.max_conns == 0) {
		srv->cfg.max_conns = SNCTL_SERVER_MAX_CONNS;
	}
	if (srv->cfg.req_limit == 0 || srv->cfg.req_limit > SNCTL_REQ_MAX) {
		srv->cfg.req_limit = SNCTL_REQ_MAX;
	}
	if (srv->cfg.resp_limit == 0 || srv->cfg.resp_limit > SNCTL_RESP_MAX) {
		srv->cfg.resp_limit = SNCTL_RESP_MAX;
	}
	if (srv->cfg.timeout_ms == 0) {
		srv->cfg.timeout_ms = SNCTL_SERVER_TIMEOUT_MS;
	}
	if (srv->cfg.now_ms == NULL) {
		srv->cfg.now_ms = snctl_mono_ms;
	}
	srv->lfd = -1;
	srv->epfd = -1;

	rc = snctl_mkparent(path);
	if (rc == 0) {
		rc = snctl_clear_stale(&sun);
	}
	if (rc < 0) {
		goto fail_free;
	}
	srv->lfd = socket(AF_UNIX,
			  SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->lfd < 0) {
		rc = -errno;
		goto fail_free;
	}
	if (bind(srv->lfd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = -errno;
		goto fail_sock;
	}
	if (chmod(path, (mode_t)srv->cfg.mode) < 0 ||
	    listen(srv->lfd, (int)srv->cfg.max_conns) < 0) {
		rc = -errno;
		goto fail_unlink;
	}
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->epfd < 0) {
		rc = -errno;
		goto fail_unlink;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;	/* NULL: the listening socket */
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->lfd, &ev) < 0) {
		rc = -errno;
		goto fail_epoll;
	}
	return srv;

fail_epoll:
	close(srv->epfd);
fail_unlink:
	unlink(path);
fail_sock:
	close(srv->lfd);
fail_free:
	free(srv);
	errno = -rc;
	return NULL;
}

static void
snctl_conn_close(struct snctl_server *srv, struct snctl_conn *c)
{
	struct snctl_conn **pp;

	for (pp = &srv->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	srv->nconns--;
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->fd_rx >= 0) {
		close(c->fd_rx);
	}
	snctl_rx_fini(&c->rx);
	snctl_out_fini(&c->body);
	free(c);
}

void
snctl_server_destroy(struct snctl_server *srv)
{
	if (srv == NULL) {
		return;
	}
	while (srv->conns != NULL) {
		snctl_conn_close(srv, srv->conns);
	}
	close(srv->epfd);
	close(srv->lfd);
	unlink(srv->path);
	free(srv);
}

int
snctl_server_fd(const struct snctl_server *srv)
{
	return srv != NULL ? srv->epfd : -1;
}

unsigned int
snctl_server_conns(const struct snctl_server *srv)
{
	return srv != NULL ? srv->nconns : 0;
}

int
snctl_server_timeout(const struct snctl_server *srv)
{
	const struct snctl_conn *c;
	uint64_t now;
	uint64_t best = UINT64_MAX;

	if (srv == NULL || srv->conns == NULL) {
		return -1;
	}
	now = srv->cfg.now_ms(srv->cfg.ctx);
	for (c = srv->conns; c != NULL; c = c->next) {
		uint64_t left = c->deadline > now ? c->deadline - now : 0;

		if (left < best) {
			best = left;
		}
	}
	return best > INT_MAX ? INT_MAX : (int)best;
}

/* Send as much of the response as the socket takes.  Returns 1 when all
 * was sent, 0 when the socket is full, < 0 when the peer is gone. */
static int
snctl_conn_flush(struct snctl_conn *c)
{
	size_t total = SNCTL_RESP_HDR_LEN + c->body.len;

	while (c->sent < total) {
		struct iovec iov[2];
		struct msghdr msg;
		int niov = 0;
		ssize_t n;

		if (c->sent < SNCTL_RESP_HDR_LEN) {
			iov[niov].iov_base = c->hdr + c->sent;
			iov[niov].iov_len = SNCTL_RESP_HDR_LEN - c->sent;
			niov++;
			iov[niov].iov_base = c->body.buf;
			iov[niov].iov_len = c->body.len;
			niov++;
		} else {
			iov[niov].iov_base =
				c->body.buf + (c->sent - SNCTL_RESP_HDR_LEN);
			iov[niov].iov_len = total - c->sent;
			niov++;
		}
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)niov;
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				return 0;
			}
			return -errno;
		}
		c->sent += (size_t)n;
	}
	return 1;
}

/* Switch c to sending status + the body already in c->body. */
static int
snctl_conn_respond(struct snctl_server *srv, struct snctl_conn *c,
		   unsigned int status)
{
	struct epoll_event ev;
	int rc;

	sn_put_le32(c->hdr, status);
	c->phase = SNCTL_PH_WRITE;
	c->sent = 0;
	snctl_rx_fini(&c->rx);
	if (c->fd_rx >= 0) {
		close(c->fd_rx);	/* the handler dup()ed what it keeps */
		c->fd_rx = -1;
	}
	rc = snctl_conn_flush(c);
	if (rc != 0) {
		/* Done, or the peer is gone: either way close. */
		snctl_conn_close(srv, c);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT;
	ev.data.ptr = c;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
		snctl_conn_close(srv, c);
	}
	return 0;
}

/* Answer a malformed request. */
static int
snctl_conn_reject(struct snctl_server *srv, struct snctl_conn *c, int err)
{
	const char *why = snctl_req_strerror(err);

	snctl_logf(srv, "control: bad request from pid %ld uid %ld: %s",
		   (long)c->peer.pid, (long)c->peer.uid, why);
	snctl_out_reset(&c->body);
	snctl_out_printf(&c->body, "bad control request: %s\n", why);
	return snctl_conn_respond(srv, c, SNCTL_STATUS_ERROR);
}

/* Run the handler on the complete request. */
static int
snctl_conn_dispatch(struct snctl_server *srv, struct snctl_conn *c)
{
	struct snctl_req *req;
	unsigned int status;
	int rc;

	req = malloc(sizeof(*req));
	if (req == NULL) {
		return snctl_conn_reject(srv, c, -ENOMEM);
	}
	rc = snctl_rx_request(&c->rx, req);
	if (rc == 0 && c->fd_extra) {
		rc = -ETOOMANYREFS;
	} else if (rc == 0 && (req->flags & SNCTL_FLAG_FD) != 0 &&
		   c->fd_rx < 0) {
		rc = -EBADF;
	} else if (rc == 0 && (req->flags & SNCTL_FLAG_FD) == 0 &&
		   c->fd_rx >= 0) {
		rc = -ETOOMANYREFS;
	}
	if (rc < 0) {
		free(req);
		return snctl_conn_reject(srv, c, rc);
	}
	req->fd = c->fd_rx;
	status = srv->cfg.handler(srv->cfg.ctx, req, &c->peer, &c->body);
	free(req);
	if (c->body.overflow) {
		snctl_out_reset(&c->body);
		snctl_out_puts(&c->body,
			       "response too large: narrow the query "
			       "(e.g. --switch or --vm)\n");
		status = SNCTL_STATUS_ERROR;
	}
	return snctl_conn_respond(srv, c, status);
}

/*
 * Keep the descriptors of SCM_RIGHTS messages in msg: the first one in
 * c->fd_rx, any other is closed and marks the request malformed.
 */
static void
snctl_conn_take_fds(struct snctl_conn *c, struct msghdr *msg)
{
	struct cmsghdr *cm;

	if ((msg->msg_flags & MSG_CTRUNC) != 0) {
		/* the kernel closed those that did not fit */
		c->fd_extra = true;
	}
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		size_t n, i;

		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(0)) {
			continue;
		}
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(fd));
			if (c->fd_rx < 0 && !c->fd_extra) {
				c->fd_rx = fd;
				continue;
			}
			close(fd);
			c->fd_extra = true;
		}
	}
}

/* Descriptors one recvmsg() takes in (one is allowed: room to see and
 * close a few more). */
#define SNCTL_FDS_RX 4

static int
snctl_conn_readable(struct snctl_server *srv, struct snctl_conn *c)
{
	uint8_t tmp[4096];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(SNCTL_FDS_RX * sizeof(int))];
	} ctl;
	struct iovec iov;
	struct msghdr msg;
	ssize_t n;
	int rc;

	for (;;) {
		iov.iov_base = tmp;
		iov.iov_len = sizeof(tmp);
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n >= 0) {
			snctl_conn_take_fds(c, &msg);
		}
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				return 0;
			}
			snctl_conn_close(srv, c);
			return 0;
		}
		if (n == 0) {
			rc = snctl_rx_eof(&c->rx);
		} else {
			rc = snctl_rx_feed(&c->rx, tmp, (size_t)n);
		}
		if (rc == 1) {
			return snctl_conn_dispatch(srv, c);
		}
		if (rc < 0) {
			return snctl_conn_reject(srv, c, rc);
		}
	}
}

/* Best-effort one-shot answer on a socket that gets no connection. */
static void
snctl_send_oneshot(int fd, unsigned int status, const char *text)
{
	uint8_t hdr[SNCTL_RESP_HDR_LEN];
	struct iovec iov[2];
	struct msghdr msg;

	sn_put_le32(hdr, status);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)text;
	iov[1].iov_len = strlen(text);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	(void)sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static int
snctl_server_accept(struct snctl_server *srv)
{
	struct snctl_conn *c;
	struct epoll_event ev;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int fd;

	fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR || errno == ECONNABORTED) {
			return 0;
		}
		return -errno;
	}
	if (srv->nconns >= srv->cfg.max_conns) {
		snctl_logf(srv, "control: too many connections (%u), "
			   "refusing one", srv->nconns);
		snctl_send_oneshot(fd, SNCTL_STATUS_ERROR,
				   "synthnetd is busy (too many control "
				   "connections): retry\n");
		close(fd);
		return 1;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return 1;
	}
	c->fd = fd;
	c->fd_rx = -1;
	c->phase = SNCTL_PH_READ;
	c->deadline = srv->cfg.now_ms(srv->cfg.ctx) + srv->cfg.timeout_ms;
	c->peer.pid = -1;
	c->peer.uid = (uid_t)-1;
	c->peer.gid = (gid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
		c->peer.pid = cred.pid;
		c->peer.uid = cred.uid;
		c->peer.gid = cred.gid;
	}
	snctl_rx_init(&c->rx, srv->cfg.req_limit);
	snctl_out_init(&c->body, srv->cfg.resp_limit);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		snctl_rx_fini(&c->rx);
		free(c);
		close(fd);
		return 1;
	}
	c->next = srv->conns;
	srv->conns = c;
	srv->nconns++;
	return 1;
}

/* Drop the connections whose deadline passed. */
static int
snctl_server_expire(struct snctl_server *srv)
{
	uint64_t now = srv->cfg.now_ms(srv->cfg.ctx);
	struct snctl_conn *c;
	struct snctl_conn *next;
	int n = 0;

	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		if (now < c->deadline) {
			continue;
		}
		snctl_logf(srv, "control: connection from pid %ld timed out",
			   (long)c->peer.pid);
		if (c->phase == SNCTL_PH_READ) {
			snctl_send_oneshot(c->fd, SNCTL_STATUS_ERROR,
					   "bad control request: timed out "
					   "waiting for the request\n");
		}
		snctl_conn_close(srv, c);
		n++;
	}
	return n;
}

int
snctl_server_process(struct snctl_server *srv)
{
	struct epoll_event evs[16];
	int handled = 0;
	int n;
	int i;

	if (srv == NULL) {
		return -EINVAL;
	}
	while (handled < SNCTL_SERVER_BATCH) {
		n = epoll_wait(srv->epfd, evs, (int)SN_ARRAY_SIZE(evs), 0);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		if (n == 0) {
			break;
		}
		for (i = 0; i < n; i++) {
			struct snctl_conn *c = evs[i].data.ptr;

			handled++;
			if (c == NULL) {
				int rc = snctl_server_accept(srv);

				if (rc < 0) {
					return rc;
				}
				continue;
			}
			/*
			 * Each connection's fd appears once per epoll_wait,
			 * and a handler never closes another connection, so
			 * c is still valid here.
			 */
			if (c->phase == SNCTL_PH_READ) {
				snctl_conn_readable(srv, c);
			} else if (snctl_conn_flush(c) != 0) {
				snctl_conn_close(srv, c);
			}
		}
	}
	handled += snctl_server_expire(srv);
	return handled;
}

/* ---- client ------------------------------------------------------------ */

const char *
snctl_socket_path(const char *opt)
{
	const char *env;

	if (opt != NULL && opt[0] != '\0') {
		return opt;
	}
	env = getenv(SNCTL_ENV_PATH);
	if (env != NULL && env[0] != '\0') {
		return env;
	}
	return SNCTL_DEFAULT_PATH;
}

/*
 * Send all n bytes (blocking socket with SO_SNDTIMEO); pass (>= 0) goes
 * as SCM_RIGHTS with the first bytes.
 */
static int
snctl_send_all(int fd, const uint8_t *p, size_t n, int pass)
{
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(int))];
	} ctl;

	while (n > 0) {
		struct iovec iov = { .iov_base = (void *)(uintptr_t)p,
				     .iov_len = n };
		struct msghdr msg;
		ssize_t k;

		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if (pass >= 0) {
			struct cmsghdr *cm;

			memset(&ctl, 0, sizeof(ctl));
			msg.msg_control = ctl.buf;
			msg.msg_controllen = sizeof(ctl.buf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &pass, sizeof(int));
		}
		k = sendmsg(fd, &msg, MSG_NOSIGNAL);

		if (k < 0) {
			if (errno == EINTR) {
				continue;
			}
			return errno == EAGAIN || errno == EWOULDBLOCK ?
				-ETIMEDOUT : -errno;
		}
		if (k > 0) {
			pass = -1;	/* it went with these bytes */
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Read the response until EOF. */
static int
snctl_recv_resp(int fd, uint32_t *status, struct snctl_out *body)
{
	uint8_t hdr[SNCTL_RESP_HDR_LEN];
	uint8_t tmp[4096];
	size_t got = 0;

	for (;;) {
		ssize_t k = recv(fd, tmp, sizeof(tmp), 0);
		size_t off = 0;

		if (k < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				return -ETIMEDOUT;
			}
			if (got >= SNCTL_RESP_HDR_LEN) {
				/* answered, then reset: keep it */
				break;
			}
			return -errno;
		}
		if (k == 0) {
			break;
		}
		while (got < SNCTL_RESP_HDR_LEN && off < (size_t)k) {
			hdr[got++] = tmp[off++];
		}
		if (off < (size_t)k &&
		    snctl_out_write(body, tmp + off, (size_t)k - off) < 0) {
			return -EFBIG;
		}
	}
	if (got < SNCTL_RESP_HDR_LEN) {
		return -EBADMSG;
	}
	*status = sn_get_le32(hdr);
	return 0;
}

int
snctl_client_call(const char *path, uint32_t flags, uint32_t argc,
		  const char *const *argv, int timeout_ms, uint32_t *status,
		  struct snctl_out *body)
{
	return snctl_client_call_fd(path, flags, argc, argv, -1, timeout_ms,
				    status, body);
}

int
snctl_client_call_fd(const char *path, uint32_t flags, uint32_t argc,
		     const char *const *argv, int pass, int timeout_ms,
		     uint32_t *status, struct snctl_out *body)
{
	struct sockaddr_un sun;
	struct timeval tv;
	uint8_t *req;
	int len;
	int fd;
	int rc;

	if (path == NULL || status == NULL || body == NULL) {
		return -EINVAL;
	}
	if (pass >= 0) {
		if (fcntl(pass, F_GETFD) < 0) {
			return -EBADF;
		}
		flags |= SNCTL_FLAG_FD;
	}
	rc = snctl_sun(&sun, path);
	if (rc < 0) {
		return rc;
	}
	req = malloc(SNCTL_REQ_MAX);
	if (req == NULL) {
		return -ENOMEM;
	}
	len = snctl_req_encode(flags, argc, argv, req, SNCTL_REQ_MAX);
	if (len < 0) {
		free(req);
		return len;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		goto out_free;
	}
	if (timeout_ms <= 0) {
		timeout_ms = SNCTL_CLIENT_TIMEOUT_MS;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		rc = -errno;
		goto out_close;
	}
	if (connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
		/* EAGAIN: the listen backlog stayed full past SO_SNDTIMEO. */
		rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
		goto out_close;
	}
	rc = snctl_send_all(fd, req, (size_t)len, pass);
	if (rc == -ETIMEDOUT) {
		goto out_close;
	}
	/*
	 * On EPIPE/ECONNRESET the daemon may have rejected the request
	 * before reading all of it: its answer is still worth reading.
	 */
	shutdown(fd, SHUT_WR);
	{
		int rrc = snctl_recv_resp(fd, status, body);

		if (rrc == 0 || rc == 0) {
			rc = rrc;
		}
	}
out_close:
	close(fd);
out_free:
	free(req);
	return rc;
}
