/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snctl_proto.h - the synthnetd control protocol (what `synthctl` speaks):
 * framing, request reassembly, and the client and server helpers.
 *
 * Transport
 *   AF_UNIX SOCK_STREAM socket, by default SNCTL_DEFAULT_PATH
 *   (/run/synthnet/synthnetd.sock).  Clients take the path from
 *   `synthctl --socket PATH`, else from the environment variable
 *   SYNTHNET_CTL, else the default (snctl_socket_path()).  Access control
 *   is the socket file's mode (0660 by default): whoever may connect may
 *   run every command.  One request per connection.
 *
 * Request (client -> daemon), at most SNCTL_REQ_MAX (64 KiB) in total:
 *     offset 0   7 bytes   magic "SNCTL1\n" (53 4e 43 54 4c 31 0a)
 *     offset 7   u32 LE    flags: bit 0 SNCTL_FLAG_JSON (answer in JSON),
 *                          bit 1 SNCTL_FLAG_FD (a file descriptor comes
 *                          with the request, see below); every other bit
 *                          must be 0
 *     offset 11  u32 LE    argc, 0..SNCTL_ARGC_MAX
 *     offset 15  argc NUL-terminated UTF-8 strings (the command line
 *                after "synthctl" and its own options, e.g. "switch",
 *                "create", "lab", "--type", "private"); empty strings
 *                are allowed
 *   Nothing may follow the last NUL.  The client then shuts down its write
 *   side (shutdown(SHUT_WR)); the daemon recognises the end of the request
 *   from its content and does not wait for the EOF.
 *
 * Descriptor (optional): a request may carry ONE open file descriptor,
 *   e.g. the file `synthctl capture start -w FILE` opened with the user's
 *   own permissions, or synthctl's standard output for `-w -`.  The client
 *   sets SNCTL_FLAG_FD in the header and sends the descriptor as
 *   SCM_RIGHTS ancillary data (one int) with the first bytes of the
 *   request, i.e. on the sendmsg() that carries the magic.  The server
 *   receives it with recvmsg(MSG_CMSG_CLOEXEC) and passes it to the
 *   handler in req->fd, borrowed: the server closes its copy after the
 *   handler returns (a handler that keeps the file dup()s it), and closes
 *   it unused when the request is rejected.  Malformed, answered with
 *   "bad control request: ..." (every descriptor received is closed):
 *   the flag without a descriptor, a descriptor without the flag, more
 *   than one descriptor.  A server older than the flag refuses the
 *   request as "unknown request flags"; requests without the flag are
 *   unchanged, so old clients keep working.
 *
 * Response (daemon -> client):
 *     offset 0   u32 LE    exit status: SNCTL_STATUS_OK 0, SNCTL_STATUS_ERROR
 *                          1 (the command failed), SNCTL_STATUS_USAGE 2
 *                          (the command line is wrong)
 *     offset 4   body      bytes until EOF: the text or JSON the command
 *                          printed; on failure one line saying what is
 *                          wrong and what to do (JSON: {"error": "...",
 *                          "status": N})
 *   The daemon closes the connection after the body.  A client that got
 *   fewer than 4 bytes got no answer.
 *
 * Malformed requests (bad magic, unknown flags, too many arguments, more
 * than 64 KiB, invalid UTF-8, bytes after the last argument, EOF before
 * the end) are answered with status 1 and a one-line text body starting
 * "bad control request: ", then the connection is closed.  They never
 * affect the daemon or other connections.
 *
 * Server side (struct snctl_server): non-blocking, with a level-triggered
 * epoll instance of its own reachable through one pollable fd, so the
 * daemon nests it in its main loop.  Per connection: a request buffer
 * capped at cfg.req_limit, a response capped at cfg.resp_limit, and one
 * deadline (cfg.timeout_ms from accept to the last byte sent, measured
 * with the cfg.now_ms hook) after which the connection is dropped.  At
 * most cfg.max_conns connections; more are answered "busy" and closed.
 * The handler runs synchronously in snctl_server_process().
 */
#ifndef SNCTL_PROTO_H
#define SNCTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "snctl_out.h"

/* ---- wire constants ---------------------------------------------------- */

#define SNCTL_MAGIC "SNCTL1\n"
#define SNCTL_MAGIC_LEN 7u
/* magic + flags + argc */
#define SNCTL_REQ_HDR_LEN 15u
#define SNCTL_REQ_OFF_FLAGS 7u
#define SNCTL_REQ_OFF_ARGC 11u
#define SNCTL_REQ_MAX 65536u
#define SNCTL_ARGC_MAX 256u

#define SNCTL_FLAG_JSON 0x1u
/* A descriptor comes with the request (SCM_RIGHTS, see above). */
#define SNCTL_FLAG_FD 0x2u
#define SNCTL_FLAGS_KNOWN (SNCTL_FLAG_JSON | SNCTL_FLAG_FD)

#define SNCTL_RESP_HDR_LEN 4u
/* Largest response body a server sends and a client accepts. */
#define SNCTL_RESP_MAX (16u << 20)

#define SNCTL_STATUS_OK 0u
#define SNCTL_STATUS_ERROR 1u
#define SNCTL_STATUS_USAGE 2u

#define SNCTL_DEFAULT_PATH "/run/synthnet/synthnetd.sock"
#define SNCTL_ENV_PATH "SYNTHNET_CTL"

/* Server defaults (struct snctl_server_cfg fields left 0). */
#define SNCTL_SERVER_TIMEOUT_MS 5000u
#define SNCTL_SERVER_MAX_CONNS 16u
#define SNCTL_SERVER_MODE 0660
/* Client default time limit for the whole call. */
#define SNCTL_CLIENT_TIMEOUT_MS 30000

/* ---- request codec ------------------------------------------------------ */

/* A decoded request.  argv points into the decoded buffer (borrowed). */
struct snctl_req {
	uint32_t flags;				/* SNCTL_FLAG_* */
	uint32_t argc;				/* arguments */
	const char *argv[SNCTL_ARGC_MAX + 1];	/* argv[argc] == NULL */
	size_t len;				/* request bytes */
	int fd;				/* descriptor sent with the
					 * request (SNCTL_FLAG_FD),
					 * borrowed; -1: none.  The
					 * decoder sets -1, the server
					 * fills it in */
};

/*
 * Encode a request into buf (cap bytes).  Borrows argv (argc strings).
 * Returns the length (<= SNCTL_REQ_MAX), or -EINVAL (NULL pointer, unknown
 * flag bits), -E2BIG (argc > SNCTL_ARGC_MAX), -EILSEQ (an argument is not
 * valid UTF-8), -EMSGSIZE (longer than SNCTL_REQ_MAX or than cap).
 */
int
snctl_req_encode(uint32_t flags, uint32_t argc, const char *const *argv,
		 uint8_t *buf, size_t cap);

/*
 * Decode the len bytes at buf.  On 0, req->argv points into buf (which
 * must outlive req) and req->len == len.
 * Returns 0 (exactly one complete request), or
 *   -EAGAIN    a valid prefix: more bytes are needed
 *   -EBADMSG   not a request (bad magic) or bytes after the last argument
 *   -ENOTSUP   unknown flag bits
 *   -E2BIG     argc > SNCTL_ARGC_MAX
 *   -EMSGSIZE  len > SNCTL_REQ_MAX
 *   -EILSEQ    an argument is not valid UTF-8
 *   -EINVAL    NULL pointer
 * Prefix errors (magic, flags, argc) are reported as soon as the bytes
 * that show them are present.
 */
int
snctl_req_decode(const uint8_t *buf, size_t len, struct snctl_req *req);

/* Human text for a decode/reassembly error ("bad magic: not a synthctl
 * request", ...).  Static storage. */
const char *
snctl_req_strerror(int err);

/* ---- reassembly (server side) ------------------------------------------ */

/*
 * Request reassembly from arbitrary-sized reads.  Scans each byte once
 * (O(total) however the request is split), so a peer sending one byte
 * per read costs no more than one sending everything.
 */
struct snctl_rx {
	uint8_t *buf;		/* owned; grows up to limit */
	size_t len;		/* bytes received */
	size_t cap;		/* bytes allocated */
	size_t limit;		/* largest request accepted */
	size_t scanned;		/* bytes already scanned for NULs */
	uint32_t argc;		/* from the header, once len >= 15 */
	uint32_t nuls;		/* argument terminators seen */
	int state;		/* 0 more needed, 1 complete, < 0 error */
};

/* Start reassembly of a request of at most limit bytes (0 or more than
 * SNCTL_REQ_MAX: SNCTL_REQ_MAX). */
void
snctl_rx_init(struct snctl_rx *rx, size_t limit);

/* Free the buffer.  NULL is a no-op. */
void
snctl_rx_fini(struct snctl_rx *rx);

/*
 * Append n bytes (borrowed, copied).  Returns 0 (more needed), 1 (the
 * request is complete: call snctl_rx_request()), or a negative
 * snctl_req_decode() error, -ENOMEM; errors are sticky.
 */
int
snctl_rx_feed(struct snctl_rx *rx, const void *data, size_t n);

/* The peer closed its write side: returns 1 when complete, else the
 * sticky error or -ENODATA (the request was cut short). */
int
snctl_rx_eof(struct snctl_rx *rx);

/* Decode the complete request; req borrows rx's buffer.  Returns 0 or a
 * snctl_req_decode() error. */
int
snctl_rx_request(const struct snctl_rx *rx, struct snctl_req *req);

/* ---- server --------------------------------------------------------------*/

/* Credentials of the connected client (SO_PEERCRED; -1 when unknown). */
struct snctl_peer {
	pid_t pid;		/* client process id */
	uid_t uid;		/* client user id */
	gid_t gid;		/* client group id */
};

/*
 * Command handler.  Borrows req and peer for the call; appends the
 * response body to out (which may overflow: the server then answers
 * "response too large").  Returns the exit status (SNCTL_STATUS_*).
 * req->fd (>= 0 when the client sent a descriptor) is closed by the
 * server after the call: dup() it to keep it.  Runs on the thread that
 * calls snctl_server_process(); must not call snctl_server_destroy().
 */
typedef unsigned int (*snctl_handler_fn)(void *ctx,
					 const struct snctl_req *req,
					 const struct snctl_peer *peer,
					 struct snctl_out *out);

/* Optional log hook: one line, no newline, for the daemon's log.  */
typedef void (*snctl_log_fn)(void *ctx, const char *msg);

/* Timeout hook: a monotonic clock in milliseconds. */
typedef uint64_t (*snctl_clock_fn)(void *ctx);

/* Server configuration; 0/NULL fields take the defaults. */
struct snctl_server_cfg {
	const char *path;		/* socket path; NULL: default path */
	unsigned int mode;		/* socket file mode; 0: 0660 */
	unsigned int max_conns;		/* 0: SNCTL_SERVER_MAX_CONNS */
	size_t req_limit;		/* per connection; 0: SNCTL_REQ_MAX */
	size_t resp_limit;		/* body; 0: SNCTL_RESP_MAX */
	uint32_t timeout_ms;		/* deadline; 0: 5000 */
	snctl_clock_fn now_ms;		/* NULL: CLOCK_MONOTONIC */
	snctl_handler_fn handler;	/* mandatory */
	snctl_log_fn log;		/* NULL: silent */
	void *ctx;			/* passed to handler, now_ms, log */
};

struct snctl_server;

/*
 * Create the listening socket at cfg->path (borrowed; copied).  Creates
 * the parent directory (mode 0755) when it is missing.  A stale socket
 * file (nobody listening) is replaced; a live one is not.
 * Returns the server, or NULL with errno: EINVAL (bad cfg),
 * ENAMETOOLONG, EADDRINUSE (another daemon is listening there), EEXIST
 * (the path exists and is not a socket), EACCES, ENOMEM, ...
 */
struct snctl_server *
snctl_server_create(const struct snctl_server_cfg *cfg);

/* Close every connection and the socket, unlink the socket file.  NULL
 * is a no-op. */
void
snctl_server_destroy(struct snctl_server *srv);

/* An fd that polls readable (EPOLLIN) when snctl_server_process() has
 * work.  Owned by the server. */
int
snctl_server_fd(const struct snctl_server *srv);

/*
 * Do all pending work without blocking: accept, read, answer, write,
 * and drop connections past their deadline.  Returns the number of
 * events handled (>= 0) or -errno of a failure of the server itself.
 */
int
snctl_server_process(struct snctl_server *srv);

/* Milliseconds until the nearest connection deadline (0 if one passed),
 * or -1 with no connection: the timeout for the caller's poll. */
int
snctl_server_timeout(const struct snctl_server *srv);

/* Connections currently open. */
unsigned int
snctl_server_conns(const struct snctl_server *srv);

/* ---- client ------------------------------------------------------------ */

/* The socket path to use: opt when non-NULL and non-empty, else
 * $SYNTHNET_CTL when set and non-empty, else SNCTL_DEFAULT_PATH.
 * Borrowed (from opt, the environment or static storage). */
const char *
snctl_socket_path(const char *opt);

/*
 * One call: connect to path, send the request, read the answer.  Borrows
 * path and argv; appends the body to body (capped by body->limit; an
 * overflow is -EFBIG) and stores the status.  timeout_ms bounds each
 * wait (<= 0: SNCTL_CLIENT_TIMEOUT_MS).
 * Returns 0, or -errno: connect's ENOENT/ECONNREFUSED (no daemon),
 * EACCES/EPERM (socket permissions), ENAMETOOLONG; ETIMEDOUT; EBADMSG
 * (the daemon closed without a status); encode errors as
 * snctl_req_encode(); EPIPE/ECONNRESET.
 */
int
snctl_client_call(const char *path, uint32_t flags, uint32_t argc,
		  const char *const *argv, int timeout_ms, uint32_t *status,
		  struct snctl_out *body);

/*
 * snctl_client_call() that also sends descriptor fd (>= 0; borrowed: the
 * caller keeps and closes its own) with the request: SNCTL_FLAG_FD is
 * added to flags and fd goes as SCM_RIGHTS with the first bytes.  fd < 0
 * is exactly snctl_client_call().  Same returns, plus -EBADF (fd is not
 * an open descriptor).
 */
int
snctl_client_call_fd(const char *path, uint32_t flags, uint32_t argc,
		     const char *const *argv, int fd, int timeout_ms,
		     uint32_t *status, struct snctl_out *body);

#endif /* SNCTL_PROTO_H */
