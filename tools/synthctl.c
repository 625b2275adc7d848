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
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snctl_help.h"
#include "snctl_json.h"
#include "snctl_out.h"
#include "snctl_proto.h"

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
	synthctl_write(stdout, snctl_out_str(&out), out.len);
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
