/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synthctl - configure and inspect synthnetd over its control socket.
 *
 *   synthctl [--socket PATH] [--json] COMMAND [ARGS]
 *
 * synthctl is a thin client: it sends the command line to the daemon
 * (ctl/snctl_proto.h) and prints the answer; the daemon parses and runs
 * the command (daemon/snd_ctl.c).  Help is answered locally from the
 * shared command reference (ctl/snctl_help.h), so it works without a
 * running daemon.
 *
 * Output: the answer goes to stdout on success; on failure text goes to
 * stderr prefixed "synthctl: ", JSON stays on stdout.  The exit status is
 * the daemon's (0 ok, 1 error, 2 usage) or 1/2 for local failures.
 *
 * `capture start` is the one command with work on this side:
 *  - -w FILE: synthctl opens (creates, mode 0644 minus the umask) FILE
 *    itself, so the user's own permissions apply and an unwritable path is
 *    refused before anything starts, and sends the descriptor with the
 *    request (SNCTL_FLAG_FD); a file it created is removed again when the
 *    daemon refuses the capture.  Relative paths are made absolute.
 *  - --ring FILES --size MB: the daemon creates the files; synthctl checks
 *    that the user may write the directory and sends the absolute path.
 *  - -w -: synthctl sends its standard output (never a terminal) and
 *    stays in the foreground until the capture ends; --follow does the
 *    same for a file and shows a live line on a terminal's stderr.  In
 *    the foreground SIGINT/SIGTERM stop the capture (`capture stop`), a
 *    summary goes to stderr (JSON with --json: to stdout, or to stderr
 *    when stdout carries the pcapng), and the exit status is 1 only when
 *    the capture ended on an output error (disk full, write error).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "snctl_help.h"
#include "snctl_jread.h"
#include "snctl_json.h"
#include "snctl_out.h"
#include "snctl_proto.h"

/* Where JSON answers and failures go: stdout, except when stdout carries
 * a capture's pcapng (capture start -w -). */
static FILE *synthctl_jout;

/* Set by the signal handler in a foreground capture. */
static volatile sig_atomic_t synthctl_signal;

/* Write s to f completely; false on error. */
static bool
synthctl_write(FILE *f, const char *s, size_t n)
{
	return n == 0 || fwrite(s, 1, n, f) == n;
}

/* A local failure, printed like a daemon one.  Returns status. */
static int
synthctl_fail(bool json, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
synthctl_fail(bool json, int status, const char *fmt, ...)
{
	struct snctl_out out;
	struct snctl_json j;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!json) {
		fprintf(stderr, "synthctl: %s\n", msg);
		return status;
	}
	snctl_out_init(&out, 0);
	snctl_json_init(&j, &out, true);
	snctl_json_obj_open(&j);
	snctl_json_kv_str(&j, "error", msg);
	snctl_json_kv_u64(&j, "status", (uint64_t)status);
	snctl_json_obj_close(&j);
	snctl_json_end(&j);
	synthctl_write(synthctl_jout, snctl_out_str(&out), out.len);
	snctl_out_fini(&out);
	return status;
}

/* Print the full help to f. */
static void
synthctl_help(FILE *f)
{
	struct snctl_out out;

	snctl_out_init(&out, 0);
	snctl_help_render(&out);
	synthctl_write(f, snctl_out_str(&out), out.len);
	snctl_out_fini(&out);
}

/*
 * If args ask for a command's help ("switch create --help"), print its
 * usage and return true.  Stops at "--".
 */
static bool
synthctl_cmd_help(int argc, char **argv)
{
	const struct snctl_help *h = NULL;
	struct snctl_out out;
	char two[64];
	bool asked = false;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			break;
		}
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			asked = true;
			break;
		}
	}
	if (!asked) {
		return false;
	}
	if (argc >= 2) {
		snprintf(two, sizeof(two), "%s %s", argv[0], argv[1]);
		h = snctl_help_find(two);
	}
	if (h == NULL) {
		h = snctl_help_find(argv[0]);
	}
	if (h == NULL) {
		synthctl_help(stdout);
		return true;
	}
	snctl_out_init(&out, 0);
	snctl_help_usage(h, &out);
	snctl_out_printf(&out, "%s\n", h->summary);
	synthctl_write(stdout, snctl_out_str(&out), out.len);
	snctl_out_fini(&out);
	return true;
}

/* Explain a failed call.  Returns the exit status. */
static int
synthctl_call_error(int rc, const char *path, bool json)
{
	switch (rc) {
	case -ENOENT:
	case -ECONNREFUSED:
	case -ENOTDIR:
		return synthctl_fail(json, 1,
				     "synthnetd is not running (cannot "
				     "connect to %s): start it with "
				     "`synthnetd` or check --socket", path);
	case -EACCES:
	case -EPERM:
		return synthctl_fail(json, 1,
				     "permission denied on %s: run synthctl "
				     "as root (or as a member of the socket's "
				     "group), or check --socket", path);
	case -ENAMETOOLONG:
		return synthctl_fail(json, 2,
				     "socket path too long (at most 107 "
				     "bytes): %s", path);
	case -ETIMEDOUT:
		return synthctl_fail(json, 1,
				     "synthnetd did not answer within %d s "
				     "(is it stuck? see its log)",
				     SNCTL_CLIENT_TIMEOUT_MS / 1000);
	case -EBADMSG:
	case -ECONNRESET:
	case -EPIPE:
		return synthctl_fail(json, 1,
				     "synthnetd closed the connection without "
				     "answering (see its log)");
	case -E2BIG:
		return synthctl_fail(json, 2,
				     "too many arguments (at most %u)",
				     SNCTL_ARGC_MAX);
	case -EMSGSIZE:
		return synthctl_fail(json, 2,
				     "command line too long (at most %u "
				     "bytes)", SNCTL_REQ_MAX);
	case -EILSEQ:
		return synthctl_fail(json, 2,
				     "arguments must be valid UTF-8 text");
	case -EFBIG:
		return synthctl_fail(json, 1,
				     "the answer is too large (more than %u "
				     "bytes)", SNCTL_RESP_MAX);
	default:
		return synthctl_fail(json, 1, "cannot talk to synthnetd at %s: "
				     "%s", path, strerror(-rc));
	}
}

/* ---- capture start ---------------------------------------------------- */

/* Poll interval of a foreground capture, and of its live line. */
#define SYNTHCTL_CAP_POLL_MS 200
#define SYNTHCTL_CAP_LINE_MS 1000

/* A capture start being prepared and run. */
struct synthctl_cap {
	const char *sock;		/* control socket */
	bool json;			/* --json */
	bool follow;			/* --follow */
	bool stream;			/* -w - */
	bool ring;			/* --ring */
	const char **argv;		/* the request's words (a copy) */
	int argc;			/* their number */
	int w_idx;			/* argv index of -w's value, or -1 */
	bool w_eq;			/* ... written "-w=VALUE" */
	char path[PATH_MAX];		/* absolute output path */
	char w_arg[PATH_MAX + 4];	/* the rewritten -w argument */
	int fd;				/* descriptor sent, or -1 */
	bool created;			/* we created path */
	uint32_t id;			/* the capture's id */
};

/* Options of capture start that take a value. */
static bool
synthctl_cap_valued(const char *name, size_t n)
{
	static const char *const v[] = {
		"--switch", "--adapter", "--uplink", "--direction",
		"--filter", "--snaplen", "--count", "--duration", "--ring",
		"--size", "-w",
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (strlen(v[i]) == n && strncmp(v[i], name, n) == 0) {
			return true;
		}
	}
	return false;
}

/* Find -w, --follow, --ring, --json in the words after "capture start". */
static void
synthctl_cap_scan(struct synthctl_cap *c)
{
	int i;

	c->w_idx = -1;
	for (i = 2; i < c->argc; i++) {
		const char *a = c->argv[i];
		const char *eq = strchr(a, '=');
		size_t n = eq != NULL ? (size_t)(eq - a) : strlen(a);

		if (strcmp(a, "--") == 0) {
			break;
		}
		if (strcmp(a, "--follow") == 0) {
			c->follow = true;
		} else if (strcmp(a, "--json") == 0) {
			c->json = true;
		}
		if (a[0] != '-' || !synthctl_cap_valued(a, n)) {
			continue;
		}
		if (n == 6 && strncmp(a, "--ring", 6) == 0) {
			c->ring = true;
		}
		if (eq != NULL) {
			if (n == 2 && a[1] == 'w') {
				c->w_idx = i;
				c->w_eq = true;
			}
			continue;
		}
		if (i + 1 < c->argc) {
			if (n == 2 && a[1] == 'w') {
				c->w_idx = i + 1;
				c->w_eq = false;
			}
			i++;
		}
	}
}

/* The value of -w (NULL when absent). */
static const char *
synthctl_cap_w(const struct synthctl_cap *c)
{
	if (c->w_idx < 0) {
		return NULL;
	}
	return c->w_eq ? c->argv[c->w_idx] + 3 : c->argv[c->w_idx];
}

/* c->path = w made absolute; the -w argument rewritten.  0 or status. */
static int
synthctl_cap_abs(struct synthctl_cap *c, const char *w)
{
	char cwd[PATH_MAX];
	int n;

	if (w[0] == '/') {
		n = snprintf(c->path, sizeof(c->path), "%s", w);
	} else if (getcwd(cwd, sizeof(cwd)) == NULL) {
		return synthctl_fail(c->json, 1, "cannot resolve %s: %s", w,
				     strerror(errno));
	} else {
		n = snprintf(c->path, sizeof(c->path), "%s/%s", cwd, w);
	}
	if (n < 0 || (size_t)n >= sizeof(c->path)) {
		return synthctl_fail(c->json, 1, "path too long: %s", w);
	}
	snprintf(c->w_arg, sizeof(c->w_arg), "%s%s", c->w_eq ? "-w=" : "",
		 c->path);
	c->argv[c->w_idx] = c->w_arg;
	return 0;
}

/*
 * Prepare the output: open -w FILE (or check the ring's directory, or
 * take standard output).  0, or the exit status after the message.
 */
static int
synthctl_cap_output(struct synthctl_cap *c)
{
	const char *w = synthctl_cap_w(c);
	char dir[PATH_MAX];
	char *slash;
	int rc;

	c->fd = -1;
	if (w == NULL || w[0] == '\0') {
		return 0;	/* the daemon explains the usage */
	}
	if (strcmp(w, "-") == 0) {
		if (c->ring) {
			return 0;	/* usage error, the daemon's */
		}
		c->stream = true;
		synthctl_jout = stderr;
		if (isatty(STDOUT_FILENO)) {
			return synthctl_fail(c->json, 1,
					     "refusing to write pcapng to a "
					     "terminal: pipe it (-w - | tshark "
					     "-r -) or redirect it to a file");
		}
		c->fd = STDOUT_FILENO;
		return 0;
	}
	rc = synthctl_cap_abs(c, w);
	if (rc != 0) {
		return rc;
	}
	if (c->ring) {
		snprintf(dir, sizeof(dir), "%s", c->path);
		slash = strrchr(dir, '/');
		if (slash == dir) {
			slash[1] = '\0';
		} else {
			*slash = '\0';
		}
		if (access(dir, W_OK | X_OK) < 0) {
			return synthctl_fail(c->json, 1, "cannot write ring "
					     "files in %s: %s", dir,
					     strerror(errno));
		}
		return 0;
	}
	c->fd = open(c->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (c->fd >= 0) {
		c->created = true;
	} else if (errno == EEXIST) {
		/* truncated by the daemon once the capture is accepted */
		c->fd = open(c->path, O_WRONLY | O_CLOEXEC);
	}
	if (c->fd < 0) {
		return synthctl_fail(c->json, 1, "cannot write %s: %s",
				     c->path, strerror(errno));
	}
	return 0;
}

static void
synthctl_on_signal(int sig)
{
	synthctl_signal = sig;
}

/* What a foreground capture watches of `capture show --json`. */
struct synthctl_cap_state {
	char state[16];			/* "running", "stopped" */
	char status[160];		/* "stopped: by user" */
	bool failed;			/* output error */
	uint64_t packets;		/* written */
	uint64_t bytes;			/* their bytes */
	uint64_t lost;			/* lost */
	uint64_t filtered;		/* filtered out */
};

/* Parse a capture object into st.  0 or -1. */
static int
synthctl_cap_parse(const struct snctl_out *body, struct synthctl_cap_state *st)
{
	struct snctl_jr_span o = snctl_jr_mkspan(snctl_out_str(body),
						 body->len);

	memset(st, 0, sizeof(*st));
	if (snctl_jr_get_str(o, "state", st->state, sizeof(st->state)) < 0 ||
	    snctl_jr_get_str(o, "status", st->status,
			     sizeof(st->status)) < 0 ||
	    snctl_jr_get_u64(o, "packets", &st->packets) < 0 ||
	    snctl_jr_get_u64(o, "bytes", &st->bytes) < 0 ||
	    snctl_jr_get_u64(o, "lost", &st->lost) < 0 ||
	    snctl_jr_get_u64(o, "filtered_out", &st->filtered) < 0) {
		return -1;
	}
	snctl_jr_get_bool(o, "failed", &st->failed);
	return 0;
}

/* `capture show|stop ID --json` into body.  0, or -errno / status. */
static int
synthctl_cap_call(const struct synthctl_cap *c, const char *verb,
		  struct snctl_out *body, uint32_t *status)
{
	char id[16];
	const char *argv[3] = { "capture", verb, id };

	snprintf(id, sizeof(id), "%" PRIu32, c->id);
	snctl_out_reset(body);
	return snctl_client_call(c->sock, SNCTL_FLAG_JSON, 3, argv, 0, status,
				 body);
}

static uint64_t
synthctl_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Stay with capture c until it ends (or a signal stops it), then print
 * the summary.  Returns the exit status.
 */
static int
synthctl_cap_foreground(struct synthctl_cap *c)
{
	struct synthctl_cap_state st;
	struct snctl_out body;
	struct timespec ts = { 0, SYNTHCTL_CAP_POLL_MS * 1000000L };
	bool live = c->follow && !c->json && isatty(STDERR_FILENO);
	uint64_t next_line = 0;
	uint32_t status = 0;
	bool stopping = false;
	int rc;

	snctl_out_init(&body, SNCTL_RESP_MAX);
	for (;;) {
		if (synthctl_signal != 0 && !stopping) {
			stopping = true;
			rc = synthctl_cap_call(c, "stop", &body, &status);
		} else {
			rc = synthctl_cap_call(c, "show", &body, &status);
		}
		if (rc < 0 || status != SNCTL_STATUS_OK ||
		    synthctl_cap_parse(&body, &st) < 0) {
			if (live) {
				fprintf(stderr, "\r%79s\r", "");
			}
			snctl_out_fini(&body);
			if (rc < 0) {
				return synthctl_fail(c->json, 1, "lost "
						     "synthnetd during capture "
						     "%" PRIu32 ": %s", c->id,
						     strerror(-rc));
			}
			return synthctl_fail(c->json, 1, "capture %" PRIu32
					     ": unexpected answer from "
					     "synthnetd", c->id);
		}
		if (strcmp(st.state, "stopped") == 0) {
			break;
		}
		if (live && synthctl_ms() >= next_line) {
			next_line = synthctl_ms() + SYNTHCTL_CAP_LINE_MS;
			fprintf(stderr, "\rcapture %" PRIu32 ": %" PRIu64
				" packets, %" PRIu64 " bytes, %" PRIu64
				" lost   ", c->id, st.packets, st.bytes,
				st.lost);
			fflush(stderr);
		}
		if (synthctl_signal == 0) {
			nanosleep(&ts, NULL); /* a signal cuts it short */
		}
	}
	if (live) {
		fprintf(stderr, "\r%79s\r", "");
	}
	if (c->json) {
		synthctl_write(synthctl_jout, snctl_out_str(&body), body.len);
		fflush(synthctl_jout);
	} else {
		fprintf(stderr, "capture %" PRIu32 " %s: %" PRIu64
			" packets (%" PRIu64 " bytes) written, %" PRIu64
			" lost, %" PRIu64 " filtered out\n", c->id, st.status,
			st.packets, st.bytes, st.lost, st.filtered);
	}
	snctl_out_fini(&body);
	if (st.failed) {
		if (c->json) {
			return 1;
		}
		return synthctl_fail(false, 1, "capture %" PRIu32 " %s", c->id,
				     st.status);
	}
	return 0;
}

/* synthctl [--json] capture start ...: see the top of this file. */
static int
synthctl_capture_start(const char *sock, bool json, int argc, char **argv)
{
	struct synthctl_cap c;
	struct snctl_out body;
	struct sigaction sa;
	uint32_t status = 0;
	bool fg;
	int rc, i;

	memset(&c, 0, sizeof(c));
	c.sock = sock;
	c.json = json;
	c.fd = -1;
	c.argc = argc;
	c.argv = calloc((size_t)argc + 1, sizeof(*c.argv));
	if (c.argv == NULL) {
		return synthctl_fail(json, 1, "out of memory");
	}
	for (i = 0; i < argc; i++) {
		c.argv[i] = argv[i];
	}
	synthctl_cap_scan(&c);
	rc = synthctl_cap_output(&c);
	if (rc != 0) {
		free(c.argv);
		return rc;
	}
	fg = c.stream || c.follow;
	if (fg) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = synthctl_on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
	}
	snctl_out_init(&body, SNCTL_RESP_MAX);
	rc = snctl_client_call_fd(sock, (json || fg) ? SNCTL_FLAG_JSON : 0,
				  (uint32_t)argc, c.argv, c.fd, 0, &status,
				  &body);
	if (c.fd >= 0 && c.fd != STDOUT_FILENO) {
		close(c.fd);	/* the daemon has its own copy */
	}
	if (c.created && (rc < 0 || status != SNCTL_STATUS_OK)) {
		unlink(c.path);	/* refused: leave nothing behind */
	}
	free(c.argv);
	if (rc < 0) {
		snctl_out_fini(&body);
		return synthctl_call_error(rc, sock, json);
	}
	if (status != SNCTL_STATUS_OK) {
		if (json) {
			synthctl_write(synthctl_jout, snctl_out_str(&body),
				       body.len);
		} else if (fg) {
			/* asked in JSON: print the error as text */
			char msg[1024];
			struct snctl_jr_span o = snctl_jr_mkspan(
				snctl_out_str(&body), body.len);

			if (snctl_jr_get_str(o, "error", msg,
					     sizeof(msg)) < 0) {
				snprintf(msg, sizeof(msg), "%s",
					 snctl_out_str(&body));
			}
			fprintf(stderr, "synthctl: %s\n", msg);
			if (snctl_jr_get_str(o, "usage", msg,
					     sizeof(msg)) >= 0) {
				fprintf(stderr, "usage: %s\n", msg);
			}
		} else {
			fputs("synthctl: ", stderr);
			synthctl_write(stderr, snctl_out_str(&body), body.len);
		}
		snctl_out_fini(&body);
		return status > 125 ? 1 : (int)status;
	}
	if (!fg) {
		rc = synthctl_write(stdout, snctl_out_str(&body), body.len) &&
		     fflush(stdout) == 0 ? 0 : 1;
		snctl_out_fini(&body);
		return rc;
	}
	{
		uint64_t id = 0;

		if (snctl_jr_get_u64(snctl_jr_mkspan(snctl_out_str(&body),
						     body.len), "id",
				     &id) < 0 || id == 0 || id > UINT32_MAX) {
			snctl_out_fini(&body);
			return synthctl_fail(json, 1, "capture start: "
					     "unexpected answer from "
					     "synthnetd");
		}
		c.id = (uint32_t)id;
	}
	snctl_out_fini(&body);
	if (!json) {
		fprintf(stderr, "capture %" PRIu32 ": writing to %s; Ctrl-C "
			"stops it\n", c.id,
			c.stream ? "standard output" : c.path);
	}
	return synthctl_cap_foreground(&c);
}

int
main(int argc, char **argv)
{
	const char *sock = NULL;
	struct snctl_out body;
	uint32_t status = 0;
	bool json = false;
	bool json_any;
	int i = 1;
	int rc;

	synthctl_jout = stdout;
	/* Global options, before the command. */
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			synthctl_help(stdout);
			return 0;
		} else if (strcmp(a, "--socket") == 0) {
			if (i + 1 >= argc) {
				return synthctl_fail(json, 2,
						     "option --socket needs a "
						     "path");
			}
			sock = argv[++i];
		} else if (strncmp(a, "--socket=", 9) == 0) {
			sock = a + 9;
		} else {
			fprintf(stderr, "synthctl: unknown option '%s'\n", a);
			synthctl_help(stderr);
			return 2;
		}
		i++;
	}
	argc -= i;
	argv += i;
	if (argc == 0) {
		fprintf(stderr, "synthctl: no command given\n");
		synthctl_help(stderr);
		return 2;
	}
	json_any = json;
	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json_any = true;
		}
	}
	if (strcmp(argv[0], "help") == 0 && !json_any) {
		synthctl_help(stdout);
		return 0;
	}
	if (synthctl_cmd_help(argc, argv)) {
		return 0;
	}

	sock = snctl_socket_path(sock);
	if (argc >= 2 && strcmp(argv[0], "capture") == 0 &&
	    strcmp(argv[1], "start") == 0) {
		return synthctl_capture_start(sock, json_any, argc, argv);
	}
	snctl_out_init(&body, SNCTL_RESP_MAX);
	rc = snctl_client_call(sock, json ? SNCTL_FLAG_JSON : 0,
			       (uint32_t)argc, (const char *const *)argv, 0,
			       &status, &body);
	if (rc < 0) {
		snctl_out_fini(&body);
		return synthctl_call_error(rc, sock, json_any);
	}
	if (status == SNCTL_STATUS_OK || json_any) {
		if (!synthctl_write(stdout, snctl_out_str(&body), body.len) ||
		    fflush(stdout) != 0) {
			fprintf(stderr, "synthctl: cannot write the answer: "
				"%s\n", strerror(errno));
			status = status != 0 ? status : 1;
		}
	} else {
		fputs("synthctl: ", stderr);
		synthctl_write(stderr, snctl_out_str(&body), body.len);
	}
	snctl_out_fini(&body);
	return status > 125 ? 1 : (int)status;
}
