/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synthbench - measure synthnetd's guest-to-guest forwarding rate.
 *
 *   synthbench [--ctl-socket PATH --vmbus-socket PATH] [--duration S]
 *              [--size BYTES[,BYTES...]] [--capture MODE[,MODE...]]
 *              [--runs N] [--json] [--quiet]
 *              [--synthnetd PATH] [--synthguest PATH]
 *
 * For each frame size: create a private switch bench-<pid> with two
 * adapters (VMs bench-gen-<pid> and bench-sink-<pid>), start
 * `synthguest --sink` and, once it is attached, `synthguest --gen` aimed at
 * the sink's MAC; run for the duration, then collect the guests' JSON
 * summaries and the adapters' drop counters and delete the switch.
 *
 * Without --ctl-socket/--vmbus-socket synthbench starts its own synthnetd
 * (temporary directory, unique --file-prefix, --no-huge -m 512 when no
 * hugepage is free) and stops it at the end.  Every child runs in its own
 * process group (a terminal's ^C reaches synthbench only, which then
 * tears everything down in order) and gets SIGTERM if synthbench dies.
 *
 * Sizes are Ethernet frame sizes including the 4-byte FCS (RFC 2544:
 * 64 and 1518); the generator is given size - 4 bytes, since synthguest's
 * --size excludes the FCS.  Rates are frames the sink received divided by
 * the generator's measured transmit time.  "L2" Gb/s counts the frame
 * bytes including the FCS; "wire" Gb/s adds the 20 bytes of preamble,
 * start delimiter and inter-frame gap that each frame would occupy on an
 * Ethernet link.
 *
 * --capture measures what a packet capture costs the switch (see
 * docs/capture.md): per mode, a capture runs on the sink's adapter (both
 * directions: it sees every forwarded frame once, at the point where the
 * switch delivers it to the sink) from before the generator starts until
 * the sink has drained:
 *   none     no capture;
 *   nomatch  a capture whose filter matches nothing ("ether proto
 *            0x88b5", an IEEE local experimental EtherType): every frame
 *            goes through the BPF program, none is copied;
 *   all      a capture of every frame, written to /dev/null (the writer
 *            encodes pcapng as for a file; the disk is left out).
 * With several modes and --runs N the modes alternate within each run
 * (none, nomatch, all, none, ...) so that drifts of the machine hit them
 * alike, and a summary gives the median rate per mode and its ratio to
 * the rate without capture.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "snctl_json.h"
#include "snctl_jread.h"
#include "snctl_out.h"
#include "snctl_proto.h"
#include "synthbench.h"

/* Set by the signal handler: the signal that asked us to stop. */
static volatile sig_atomic_t sb_signal;

/* Names of enum sb_cap_mode, by value. */
const char *const sb_cap_names[] = { "none", "nomatch", "all" };

/* ---- small helpers ------------------------------------------------------- */

static void
sb_on_signal(int sig)
{
	sb_signal = sig;
}

static double
sb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sb_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	/* A signal cuts the sleep short; callers check sb_signal. */
	nanosleep(&ts, NULL);
}

/* Record the first error (later ones are consequences).  Returns -1. */
static int
sb_fail(struct sb_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
sb_fail(struct sb_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->err[0] != '\0') {
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* A step line on stderr (not with --quiet). */
static void
sb_step(const struct sb_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
sb_step(const struct sb_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->o.quiet) {
		return;
	}
	fputs("synthbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* True (and records the error) when a signal asked us to stop. */
static bool
sb_interrupted(struct sb_ctx *x)
{
	if (sb_signal == 0) {
		return false;
	}
	sb_fail(x, "interrupted by %s", strsignal(sb_signal));
	return true;
}

/* buf = dir/name; -1 (and buf cut short) when it does not fit. */
static int
sb_path(char *buf, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Read a whole (small) file into buf; returns bytes or -1. */
static ssize_t
sb_read_file(const char *path, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || cap == 0) {
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	while (n + 1 < cap) {
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	close(fd);
	return (ssize_t)n;
}

/* The last non-empty line of a file, or "" when there is none. */
static void
sb_last_line(const char *path, char *line, size_t cap)
{
	static char buf[65536];
	ssize_t n = sb_read_file(path, buf, sizeof(buf));
	char *end;
	char *start;

	line[0] = '\0';
	if (n <= 0) {
		return;
	}
	end = buf + n;
	while (end > buf && (end[-1] == '\n' || end[-1] == '\r' ||
			     end[-1] == ' ')) {
		end--;
	}
	*end = '\0';
	start = end;
	while (start > buf && start[-1] != '\n') {
		start--;
	}
	if ((size_t)(end - start) >= cap) {
		start = end - (cap - 1);
	}
	memcpy(line, start, (size_t)(end - start) + 1);
}

/* ---- child processes ----------------------------------------------------- */

/*
 * Start argv[0] with stdout and stderr in c->out / c->err, stdin from
 * /dev/null, in its own process group, with SIGTERM when we die.
 */
static int
sb_spawn(struct sb_ctx *x, struct sb_child *c, char *const *argv)
{
	pid_t parent = getpid();
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		return sb_fail(x, "cannot start %s: %s", c->what,
			       strerror(errno));
	}
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent) {
			_exit(127);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
		}
		fd = open(c->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
		}
		fd = open(c->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	/* Also in the parent, so a signal right after fork finds it. */
	setpgid(pid, pid);
	c->pid = pid;
	c->status = 0;
	return 0;
}

/* Reap c if it exited.  Returns true when it is no longer running. */
static bool
sb_reaped(struct sb_child *c)
{
	pid_t r;

	if (c->pid == 0) {
		return true;
	}
	r = waitpid(c->pid, &c->status, WNOHANG);
	if (r == c->pid || (r < 0 && errno == ECHILD)) {
		c->pid = 0;
		return true;
	}
	return false;
}

/* Wait up to ms for c to exit.  Returns true when it did. */
static bool
sb_wait_child(struct sb_child *c, unsigned int ms)
{
	unsigned int waited = 0;

	while (!sb_reaped(c)) {
		if (waited >= ms) {
			return false;
		}
		sb_sleep_ms(10);
		waited += 10;
	}
	return true;
}

/* Stop c by its pid: sig, then SIGKILL after SB_TERM_WAIT_MS. */
static void
sb_stop_child(struct sb_child *c, int sig)
{
	if (sb_reaped(c)) {
		return;
	}
	kill(c->pid, sig);
	if (!sb_wait_child(c, SB_TERM_WAIT_MS)) {
		kill(c->pid, SIGKILL);
		sb_wait_child(c, SB_TERM_WAIT_MS);
	}
}

/* "exited 1", "killed by Segmentation fault" for a reaped child. */
static void
sb_child_how(const struct sb_child *c, char *buf, size_t cap)
{
	if (WIFEXITED(c->status)) {
		snprintf(buf, cap, "exited with status %d",
			 WEXITSTATUS(c->status));
	} else if (WIFSIGNALED(c->status)) {
		snprintf(buf, cap, "killed by %s",
			 strsignal(WTERMSIG(c->status)));
	} else {
		snprintf(buf, cap, "stopped");
	}
}

/* Record that c failed, with the last line of its stderr. */
static int
sb_child_failed(struct sb_ctx *x, const struct sb_child *c)
{
	char how[64];
	char line[300];

	sb_child_how(c, how, sizeof(how));
	sb_last_line(c->err, line, sizeof(line));
	if (line[0] == '\0') {
		sb_last_line(c->out, line, sizeof(line));
	}
	return sb_fail(x, "%s %s%s%s", c->what, how, line[0] ? ": " : "",
		       line);
}

/* ---- the control socket -------------------------------------------------- */

/*
 * Run one synthctl command (NULL-terminated argv) on the daemon; with
 * json the answer is JSON.  body receives the answer (caller inits and
 * frees it).  Returns 0, or -1 with the error recorded unless quiet_err.
 */
static int
sb_ctl_fd(struct sb_ctx *x, bool json, struct snctl_out *body,
	  bool quiet_err, const char *const *argv, int fd)
{
	uint32_t status = 0;
	uint32_t argc = 0;
	int rc;

	while (argv[argc] != NULL) {
		argc++;
	}
	snctl_out_reset(body);
	rc = snctl_client_call_fd(x->ctl, json ? SNCTL_FLAG_JSON : 0, argc,
				  argv, fd, SB_CTL_TIMEOUT_MS, &status, body);
	if (rc < 0) {
		if (!quiet_err) {
			sb_fail(x, "cannot talk to synthnetd at %s: %s",
				x->ctl, strerror(-rc));
		}
		return -1;
	}
	if (status != SNCTL_STATUS_OK) {
		if (!quiet_err) {
			const char *s = snctl_out_str(body);
			size_t n = strcspn(s, "\n");

			sb_fail(x, "synthctl %s %s failed: %.*s", argv[0],
				argc > 1 ? argv[1] : "", (int)n, s);
		}
		return -1;
	}
	return 0;
}

static int
sb_ctl(struct sb_ctx *x, bool json, struct snctl_out *body, bool quiet_err,
       const char *const *argv)
{
	return sb_ctl_fd(x, json, body, quiet_err, argv, -1);
}

/*
 * Start the capture of mode on the sink's adapter (both directions),
 * written to /dev/null.  No capture for SB_CAP_NONE.
 */
static int
sb_capture_start(struct sb_ctx *x, unsigned int mode)
{
	const char *argv[] = { "capture", "start", "--adapter", x->sink_vm,
			       "-w", "/dev/null", NULL, NULL, NULL };
	struct snctl_out body;
	uint64_t id = 0;
	int rc = -1;
	int fd;

	if (mode == SB_CAP_NONE) {
		return 0;
	}
	if (mode == SB_CAP_NOMATCH) {
		argv[6] = "--filter";
		argv[7] = SB_NOMATCH_FILTER;
	}
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		return sb_fail(x, "cannot open /dev/null: %s",
			       strerror(errno));
	}
	snctl_out_init(&body, SB_BODY_MAX);
	if (sb_ctl_fd(x, true, &body, false, argv, fd) == 0) {
		if (snctl_jr_get_u64(snctl_jr_mkspan(snctl_out_str(&body),
						     body.len), "id",
				     &id) == 0 && id != 0) {
			x->cap_id = (uint32_t)id;
			rc = 0;
		} else {
			sb_fail(x, "cannot read the capture id from "
				"synthnetd's answer");
		}
	}
	close(fd);
	snctl_out_fini(&body);
	return rc;
}

/* Stop the running capture; its counters into st (may be NULL). */
static int
sb_capture_stop(struct sb_ctx *x, struct sb_capstats *st)
{
	char id[16];
	const char *argv[] = { "capture", "stop", id, NULL };
	struct snctl_out body;
	struct snctl_jr_span o;
	int rc = -1;

	if (x->cap_id == 0) {
		return 0;
	}
	snprintf(id, sizeof(id), "%" PRIu32, x->cap_id);
	x->cap_id = 0;
	snctl_out_init(&body, SB_BODY_MAX);
	if (sb_ctl(x, true, &body, st == NULL, argv) == 0) {
		o = snctl_jr_mkspan(snctl_out_str(&body), body.len);
		if (st == NULL ||
		    (snctl_jr_get_u64(o, "seen", &st->seen) == 0 &&
		     snctl_jr_get_u64(o, "filtered_out",
				      &st->filtered_out) == 0 &&
		     snctl_jr_get_u64(o, "packets", &st->packets) == 0 &&
		     snctl_jr_get_u64(o, "lost", &st->lost) == 0 &&
		     snctl_jr_get_str(o, "status", st->status,
				      sizeof(st->status)) >= 0)) {
			rc = 0;
		} else {
			sb_fail(x, "cannot read the capture's counters from "
				"synthnetd's answer");
		}
	}
	snctl_out_fini(&body);
	return rc;
}

/* MAC of VM vm's first adapter, from `adapter list --vm VM --json`. */
static int
sb_adapter_mac(struct sb_ctx *x, const char *vm, char *mac, size_t cap)
{
	const char *argv[] = { "adapter", "list", "--vm", vm, NULL };
	struct snctl_out body;
	struct snctl_jr_span ad;
	int rc = -1;

	snctl_out_init(&body, SB_BODY_MAX);
	if (sb_ctl(x, true, &body, false, argv) == 0) {
		if (snctl_jr_at(snctl_jr_mkspan(snctl_out_str(&body),
						body.len), 0, &ad) == 0 &&
		    snctl_jr_get_str(ad, "mac", mac, cap) >= 0) {
			rc = 0;
		} else {
			sb_fail(x, "cannot read the MAC address of VM %s "
				"from synthnetd's adapter list", vm);
		}
	}
	snctl_out_fini(&body);
	return rc;
}

/* Parse one element of `adapter stats --json` into st. */
static int
sb_parse_adstats(struct snctl_jr_span ad, struct sb_adstats *st)
{
	struct snctl_jr_span from, to, drops, k, v;
	struct snctl_jr_it it;
	uint64_t n;

	memset(st, 0, sizeof(*st));
	if (snctl_jr_get_str(ad, "state", st->state, sizeof(st->state)) < 0) {
		snprintf(st->state, sizeof(st->state), "unknown");
	}
	if (snctl_jr_get(ad, "from_vm", &from) < 0 ||
	    snctl_jr_get(ad, "to_vm", &to) < 0 ||
	    snctl_jr_get_u64(from, "packets", &st->from_vm_pkts) < 0 ||
	    snctl_jr_get_u64(to, "packets", &st->to_vm_pkts) < 0 ||
	    snctl_jr_get_u64(to, "bytes", &st->to_vm_bytes) < 0) {
		return -1;
	}
	if (snctl_jr_get(ad, "drops", &drops) < 0 ||
	    snctl_jr_begin(drops, &it) < 0 || !it.obj) {
		return 0;
	}
	while (snctl_jr_next(&it, &k, &v) == 1 &&
	       st->ndrops < SB_MAX_DROPS) {
		struct sb_drop *d = &st->drops[st->ndrops];

		if (snctl_jr_u64(v, &n) < 0 || n == 0 ||
		    snctl_jr_str(k, d->name, sizeof(d->name)) < 0) {
			continue;
		}
		d->count = n;
		st->ndrops++;
	}
	return 0;
}

/* Counters of VM vm's first adapter.  quiet_err: for the progress line. */
static int
sb_adapter_stats(struct sb_ctx *x, const char *vm, struct sb_adstats *st,
		 bool quiet_err)
{
	const char *argv[] = { "adapter", "stats", vm, NULL };
	struct snctl_out body;
	struct snctl_jr_span ad;
	int rc = -1;

	snctl_out_init(&body, SB_BODY_MAX);
	if (sb_ctl(x, true, &body, quiet_err, argv) == 0) {
		if (snctl_jr_at(snctl_jr_mkspan(snctl_out_str(&body),
						body.len), 0, &ad) == 0 &&
		    sb_parse_adstats(ad, st) == 0) {
			rc = 0;
		} else if (!quiet_err) {
			sb_fail(x, "cannot parse synthnetd's adapter "
				"statistics of VM %s", vm);
		}
	}
	snctl_out_fini(&body);
	return rc;
}

/* Create the switch and the two adapters. */
static int
sb_topology_create(struct sb_ctx *x)
{
	const char *sw[] = { "switch", "create", x->sw, "--type", "private",
			     "--notes", "synthbench", NULL };
	const char *gen[] = { "adapter", "add", x->gen_vm, "--switch", x->sw,
			      NULL };
	const char *sink[] = { "adapter", "add", x->sink_vm, "--switch",
			       x->sw, NULL };
	struct snctl_out body;
	int rc = -1;

	snctl_out_init(&body, SB_BODY_MAX);
	if (sb_ctl(x, false, &body, false, sw) == 0) {
		x->sw_created = true;
		if (sb_ctl(x, false, &body, false, gen) == 0 &&
		    sb_ctl(x, false, &body, false, sink) == 0) {
			rc = 0;
		}
	}
	snctl_out_fini(&body);
	return rc;
}

/* Delete the switch and its adapters (best effort on error paths). */
static int
sb_topology_delete(struct sb_ctx *x)
{
	const char *argv[] = { "switch", "delete", x->sw, "--force", NULL };
	struct snctl_out body;
	int rc;

	if (!x->sw_created) {
		return 0;
	}
	snctl_out_init(&body, SB_BODY_MAX);
	rc = sb_ctl(x, false, &body, false, argv);
	snctl_out_fini(&body);
	x->sw_created = false;
	return rc;
}

/* ---- the daemon ---------------------------------------------------------- */

/* True when the control socket answers `status`. */
static bool
sb_daemon_answers(struct sb_ctx *x)
{
	const char *argv[] = { "status", NULL };
	struct snctl_out body;
	int rc;

	snctl_out_init(&body, SB_BODY_MAX);
	rc = sb_ctl(x, false, &body, true, argv);
	snctl_out_fini(&body);
	return rc == 0;
}

/* Start our own synthnetd and wait until its control socket answers. */
static int
sb_daemon_start(struct sb_ctx *x)
{
	char *argv[20];
	char pidf[PATH_MAX];
	int n = 0;
	unsigned int waited = 0;

	if (sb_path(x->ctl, sizeof(x->ctl), x->tmpdir, "ctl.sock") < 0 ||
	    sb_path(x->vmbus, sizeof(x->vmbus), x->tmpdir, "vmbus.sock") < 0 ||
	    sb_path(pidf, sizeof(pidf), x->tmpdir, "synthnetd.pid") < 0 ||
	    sb_path(x->daemon.out, sizeof(x->daemon.out), x->tmpdir,
		    "synthnetd.log") < 0 ||
	    sb_path(x->daemon.err, sizeof(x->daemon.err), x->tmpdir,
		    "synthnetd.log") < 0) {
		return sb_fail(x, "temporary path too long: %s", x->tmpdir);
	}
	snprintf(x->prefix, sizeof(x->prefix), "synthbench-%d",
		 (int)getpid());
	argv[n++] = x->netd;
	argv[n++] = "--vmbus-socket";
	argv[n++] = x->vmbus;
	argv[n++] = "--ctl-socket";
	argv[n++] = x->ctl;
	argv[n++] = "--pidfile";
	argv[n++] = pidf;
	argv[n++] = "--state-dir"; /* a throw-away daemon saves nothing */
	argv[n++] = "none";
	argv[n++] = "--";
	argv[n++] = "--file-prefix";
	argv[n++] = x->prefix;
	argv[n++] = "--no-telemetry";
	/* synthnetd adds --no-huge -m 512 itself when no hugepage is free */
	argv[n] = NULL;
	x->daemon.what = "synthnetd";
	sb_step(x, "starting %s (file prefix %s)", x->netd, x->prefix);
	if (sb_spawn(x, &x->daemon, argv) < 0) {
		return -1;
	}
	while (!sb_daemon_answers(x)) {
		if (sb_reaped(&x->daemon)) {
			return sb_child_failed(x, &x->daemon);
		}
		if (sb_interrupted(x)) {
			return -1;
		}
		if (waited >= SB_DAEMON_WAIT_MS) {
			return sb_fail(x, "synthnetd did not answer on %s "
				       "within %u s (log: %s)", x->ctl,
				       SB_DAEMON_WAIT_MS / 1000,
				       x->daemon.err);
		}
		sb_sleep_ms(SB_TICK_MS);
		waited += SB_TICK_MS;
	}
	return 0;
}

static int
sb_rm_entry(const char *path, const struct stat *sb, int flag,
	    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Remove a directory tree we created (no symlinks followed). */
static void
sb_rm_tree(const char *path)
{
	struct stat st;

	if (path[0] == '\0' || lstat(path, &st) < 0) {
		return;
	}
	nftw(path, sb_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Stop our synthnetd and remove the DPDK runtime directory of its
 * unique file prefix (EAL leaves it behind). */
static void
sb_daemon_stop(struct sb_ctx *x)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char dir[PATH_MAX];

	if (x->daemon.pid == 0 && x->prefix[0] == '\0') {
		return;
	}
	sb_stop_child(&x->daemon, SIGTERM);
	if (x->prefix[0] == '\0') {
		return;
	}
	if (geteuid() == 0) {
		snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", x->prefix);
	} else if (xdg != NULL && xdg[0] != '\0') {
		snprintf(dir, sizeof(dir), "%s/dpdk/%s", xdg, x->prefix);
	} else {
		snprintf(dir, sizeof(dir), "/tmp/dpdk/%s", x->prefix);
	}
	sb_rm_tree(dir);
	x->prefix[0] = '\0';
}

/* ---- one frame size ------------------------------------------------------ */

/* Parse the JSON summary line synthguest printed to c->out. */
static int
sb_guest_summary(struct sb_ctx *x, const struct sb_child *c,
		 struct sb_guest *g)
{
	static char buf[65536];
	struct snctl_jr_span obj;
	char *line;
	ssize_t n = sb_read_file(c->out, buf, sizeof(buf));

	memset(g, 0, sizeof(*g));
	line = n > 0 ? strstr(buf, "\n{") : NULL;
	if (line != NULL) {
		line++;
	} else if (n > 0 && buf[0] == '{') {
		line = buf;
	}
	if (line == NULL) {
		return sb_fail(x, "%s printed no summary (see %s)", c->what,
			       c->out);
	}
	obj = snctl_jr_mkspan(line, strcspn(line, "\n"));
	if (snctl_jr_get_double(obj, "seconds", &g->seconds) < 0 ||
	    snctl_jr_get_u64(obj, "tx_packets", &g->tx_pkts) < 0 ||
	    snctl_jr_get_u64(obj, "rx_packets", &g->rx_pkts) < 0 ||
	    snctl_jr_get_u64(obj, "rx_bytes", &g->rx_bytes) < 0) {
		return sb_fail(x, "cannot parse the summary of %s", c->what);
	}
	/* Optional diagnostics: absent (left unwritten) means 0/false. */
	snctl_jr_get_u64(obj, "tx_busy", &g->tx_busy);
	snctl_jr_get_u64(obj, "tx_dropped", &g->tx_dropped);
	snctl_jr_get_u64(obj, "rx_dropped", &g->rx_dropped);
	snctl_jr_get_u64(obj, "seq_gaps", &g->seq_gaps);
	snctl_jr_get_u64(obj, "seq_reordered", &g->seq_reordered);
	snctl_jr_get_bool(obj, "failed", &g->failed);
	return 0;
}

/* Start one synthguest in --gen or --sink mode. */
static int
sb_guest_start(struct sb_ctx *x, struct sb_child *c, bool gen,
	       uint32_t size, const char *dst_mac)
{
	char sz[16];
	char dur[32];
	char *argv[20];
	int n = 0;

	if (sb_path(c->out, sizeof(c->out), x->tmpdir,
		    gen ? "gen.out" : "sink.out") < 0 ||
	    sb_path(c->err, sizeof(c->err), x->tmpdir,
		    gen ? "gen.err" : "sink.err") < 0) {
		return sb_fail(x, "temporary path too long: %s", x->tmpdir);
	}
	c->what = gen ? "synthguest --gen" : "synthguest --sink";
	argv[n++] = x->guest;
	argv[n++] = "--vm";
	argv[n++] = gen ? x->gen_vm : x->sink_vm;
	argv[n++] = "--socket";
	argv[n++] = x->vmbus;
	argv[n++] = "--json";
	if (gen) {
		snprintf(sz, sizeof(sz), "%u", size - SB_FCS);
		snprintf(dur, sizeof(dur), "%g", x->o.duration);
		argv[n++] = "--gen";
		argv[n++] = "--size";
		argv[n++] = sz;
		argv[n++] = "--dst-mac";
		argv[n++] = (char *)dst_mac;
		argv[n++] = "--duration";
		argv[n++] = dur;
	} else {
		argv[n++] = "--sink";
	}
	argv[n] = NULL;
	return sb_spawn(x, c, argv);
}

/* Wait until the sink printed its attach line and its adapter is up. */
static int
sb_sink_wait_ready(struct sb_ctx *x)
{
	static char buf[4096];
	struct sb_adstats st;
	unsigned int waited = 0;

	for (;;) {
		if (sb_reaped(&x->sink)) {
			return sb_child_failed(x, &x->sink);
		}
		if (sb_interrupted(x)) {
			return -1;
		}
		if (sb_read_file(x->sink.out, buf, sizeof(buf)) > 0 &&
		    strstr(buf, " MAC ") != NULL &&
		    sb_adapter_stats(x, x->sink_vm, &st, true) == 0 &&
		    strcmp(st.state, "up") == 0) {
			break;
		}
		if (waited >= SB_ATTACH_WAIT_MS) {
			return sb_fail(x, "synthguest --sink did not attach "
				       "within %u s (see %s)",
				       SB_ATTACH_WAIT_MS / 1000, x->sink.err);
		}
		sb_sleep_ms(SB_TICK_MS);
		waited += SB_TICK_MS;
	}
	/* The sink sets its packet filter right after the attach line. */
	sb_sleep_ms(SB_SETTLE_MS);
	return 0;
}

/* One live line: elapsed time and the rate into the sink. */
static void
sb_progress(struct sb_ctx *x, uint32_t size, double elapsed,
	    uint64_t *last_pkts, uint64_t *last_bytes, double *last_t)
{
	struct sb_adstats st;
	double t = sb_now();
	double dt = t - *last_t;
	double mpps;
	double gbps;

	if (sb_adapter_stats(x, x->sink_vm, &st, true) < 0 || dt <= 0) {
		return;
	}
	mpps = (double)(st.to_vm_pkts - *last_pkts) / dt / 1e6;
	gbps = (double)(st.to_vm_bytes - *last_bytes +
			(st.to_vm_pkts - *last_pkts) * SB_FCS) * 8 / dt /
	       1e9;
	*last_pkts = st.to_vm_pkts;
	*last_bytes = st.to_vm_bytes;
	*last_t = t;
	fprintf(stderr, "\rsynthbench: %u B  %4.1f/%g s  %7.3f Mpps  "
		"%7.3f Gb/s (L2) into the sink   ", size, elapsed,
		x->o.duration, mpps, gbps);
	fflush(stderr);
}

static void
sb_progress_clear(const struct sb_ctx *x)
{
	if (x->progress) {
		fprintf(stderr, "\r%79s\r", "");
		fflush(stderr);
	}
}

/* Run the generator to its end, with the live line. */
static int
sb_run_gen(struct sb_ctx *x, uint32_t size)
{
	uint64_t last_pkts = 0;
	uint64_t last_bytes = 0;
	double t0 = sb_now();
	double last_t = t0;
	double next = t0 + 1;
	double limit = t0 + x->o.duration + SB_GEN_GRACE_MS / 1000.0;
	int rc = 0;

	while (!sb_reaped(&x->gen)) {
		double t = sb_now();

		if (sb_interrupted(x)) {
			rc = -1;
			break;
		}
		if (sb_reaped(&x->sink)) {
			rc = sb_child_failed(x, &x->sink);
			break;
		}
		if (t > limit) {
			rc = sb_fail(x, "synthguest --gen did not finish "
				     "within %g s", x->o.duration +
				     SB_GEN_GRACE_MS / 1000.0);
			break;
		}
		if (x->progress && t >= next) {
			sb_progress(x, size, t - t0, &last_pkts, &last_bytes,
				    &last_t);
			next += 1;
		}
		sb_sleep_ms(SB_TICK_MS);
	}
	sb_progress_clear(x);
	if (rc == 0 && (!WIFEXITED(x->gen.status) ||
			WEXITSTATUS(x->gen.status) != 0)) {
		rc = sb_child_failed(x, &x->gen);
	}
	return rc;
}

/*
 * Wait until nothing more reaches the sink, stop the capture (its
 * counters into cap) while the sink's port still exists, then stop the
 * sink.
 */
static int
sb_drain_sink(struct sb_ctx *x, struct sb_capstats *cap)
{
	struct sb_adstats st;
	uint64_t last = UINT64_MAX;
	unsigned int stable = 0;
	unsigned int waited = 0;

	while (waited < SB_DRAIN_MAX_MS && stable < SB_SETTLE_MS) {
		if (sb_adapter_stats(x, x->sink_vm, &st, false) < 0) {
			return -1;
		}
		stable = st.to_vm_pkts == last ? stable + SB_TICK_MS : 0;
		last = st.to_vm_pkts;
		sb_sleep_ms(SB_TICK_MS);
		waited += SB_TICK_MS;
	}
	if (sb_reaped(&x->sink)) {
		return sb_child_failed(x, &x->sink);
	}
	if (sb_capture_stop(x, cap) < 0) {
		return -1;
	}
	/* SIGTERM: the sink prints its summary and detaches. */
	sb_stop_child(&x->sink, SIGTERM);
	if (!WIFEXITED(x->sink.status) || WEXITSTATUS(x->sink.status) != 0) {
		return sb_child_failed(x, &x->sink);
	}
	return 0;
}

static void
sb_compute(struct sb_result *r)
{
	double s = r->gen.seconds;
	uint64_t pkts = r->sink.rx_pkts;
	double l2 = (double)(r->sink.rx_bytes + pkts * SB_FCS);

	if (s <= 0) {
		return;
	}
	r->mpps = (double)pkts / s / 1e6;
	r->tx_mpps = (double)r->gen.tx_pkts / s / 1e6;
	r->l2_gbps = l2 * 8 / s / 1e9;
	r->wire_gbps = (l2 + (double)pkts * SB_WIRE_OVERHEAD) * 8 / s / 1e9;
}

/* Sink, generator, measurement, teardown for one frame size. */
static int
sb_run_size(struct sb_ctx *x, uint32_t size, unsigned int mode,
	    unsigned int run, struct sb_result *r)
{
	char mac[32];
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->size = size;
	r->mode = mode;
	r->run = run;
	sb_step(x, "%u-byte frames: switch %s, VMs %s -> %s, %g s, capture "
		"%s%s", size, x->sw, x->gen_vm, x->sink_vm, x->o.duration,
		sb_cap_names[mode], mode == SB_CAP_NOMATCH ?
		" (filter \"" SB_NOMATCH_FILTER "\")" :
		mode == SB_CAP_ALL ? " (every frame, to /dev/null)" : "");
	if (sb_topology_create(x) < 0 ||
	    sb_adapter_mac(x, x->sink_vm, mac, sizeof(mac)) < 0 ||
	    sb_guest_start(x, &x->sink, false, size, NULL) < 0 ||
	    sb_sink_wait_ready(x) < 0 ||
	    sb_capture_start(x, mode) < 0 ||
	    sb_guest_start(x, &x->gen, true, size, mac) < 0 ||
	    sb_run_gen(x, size) < 0 ||
	    sb_drain_sink(x, &r->cap) < 0 ||
	    sb_guest_summary(x, &x->gen, &r->gen) < 0 ||
	    sb_guest_summary(x, &x->sink, &r->sink) < 0 ||
	    sb_adapter_stats(x, x->gen_vm, &r->gen_ad, false) < 0 ||
	    sb_adapter_stats(x, x->sink_vm, &r->sink_ad, false) < 0) {
		goto out;
	}
	if (r->gen.failed || r->sink.failed) {
		sb_fail(x, "synthguest --%s reported a failed channel",
			r->gen.failed ? "gen" : "sink");
		goto out;
	}
	sb_compute(r);
	rc = 0;
out:
	sb_capture_stop(x, NULL);
	sb_stop_child(&x->gen, SIGTERM);
	sb_stop_child(&x->sink, SIGTERM);
	if (sb_topology_delete(x) < 0) {
		rc = -1;
	}
	return rc;
}

/* ---- setup --------------------------------------------------------------- */

static void
sb_usage(FILE *f)
{
	fprintf(f,
		"usage: synthbench [--ctl-socket PATH --vmbus-socket PATH] "
		"[--duration S]\n"
		"                  [--size BYTES[,BYTES...]] "
		"[--capture MODE[,MODE...]] [--runs N]\n"
		"                  [--json] [--quiet]\n"
		"                  [--synthnetd PATH] [--synthguest PATH]\n"
		"Measure guest-to-guest forwarding through synthnetd: a "
		"synthguest generator\nsends UDP frames to a synthguest sink "
		"over a private switch, per frame size.\n"
		"  --ctl-socket PATH    use the running synthnetd with this "
		"control socket\n"
		"  --vmbus-socket PATH  ... and this vmbus-user socket "
		"(both, or neither:\n"
		"                       then synthbench starts and stops "
		"its own synthnetd)\n"
		"  --duration S         seconds per size (default 5)\n"
		"  --size LIST          frame sizes incl. FCS, comma-separated "
		"(default 64,1518)\n"
		"  --capture LIST       capture modes, comma-separated "
		"(default none):\n"
		"                       none, nomatch (a capture of the sink's "
		"adapter whose\n"
		"                       filter matches nothing), all (every "
		"frame, to /dev/null)\n"
		"  --runs N             measure each size and mode N times, "
		"modes alternating\n"
		"                       (default 1; at most 20); prints the "
		"median per mode\n"
		"  --json               print one JSON document\n"
		"  --quiet              no step lines and no live rate line\n"
		"  --synthnetd PATH     daemon binary (default: the build "
		"tree's, else PATH)\n"
		"  --synthguest PATH    guest binary (default: next to "
		"synthbench, else PATH)\n"
		"Exit status: 0 ok, 1 a step failed, 2 usage error, 130 "
		"interrupted.\n");
}

static int
sb_parse_modes(const char *s, struct sb_opts *o)
{
	unsigned int m;
	size_t n;

	o->nmodes = 0;
	for (;;) {
		n = strcspn(s, ",");
		for (m = 0; m < SB_MAX_MODES; m++) {
			if (strlen(sb_cap_names[m]) == n &&
			    strncmp(sb_cap_names[m], s, n) == 0) {
				break;
			}
		}
		if (m == SB_MAX_MODES || o->nmodes == SB_MAX_MODES) {
			return -1;
		}
		o->modes[o->nmodes++] = m;
		if (s[n] == '\0') {
			return 0;
		}
		s += n + 1;
	}
}

static int
sb_parse_sizes(const char *s, struct sb_opts *o)
{
	char *end;
	unsigned long v;

	o->nsizes = 0;
	for (;;) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno != 0 || end == s || v < SB_SIZE_MIN ||
		    v > SB_SIZE_MAX || o->nsizes == SB_MAX_SIZES ||
		    (*end != ',' && *end != '\0')) {
			return -1;
		}
		o->sizes[o->nsizes++] = (uint32_t)v;
		if (*end == '\0') {
			return 0;
		}
		s = end + 1;
	}
}

enum {
	SB_OPT_CTL = 256,
	SB_OPT_VMBUS,
	SB_OPT_DURATION,
	SB_OPT_SIZE,
	SB_OPT_JSON,
	SB_OPT_QUIET,
	SB_OPT_NETD,
	SB_OPT_GUEST,
	SB_OPT_CAPTURE,
	SB_OPT_RUNS,
};

/* Returns 0, 1 (help printed) or -1 (usage error printed). */
static int
sb_parse_opts(int argc, char **argv, struct sb_opts *o)
{
	static const struct option lo[] = {
		{ "ctl-socket", required_argument, NULL, SB_OPT_CTL },
		{ "vmbus-socket", required_argument, NULL, SB_OPT_VMBUS },
		{ "duration", required_argument, NULL, SB_OPT_DURATION },
		{ "size", required_argument, NULL, SB_OPT_SIZE },
		{ "json", no_argument, NULL, SB_OPT_JSON },
		{ "quiet", no_argument, NULL, SB_OPT_QUIET },
		{ "synthnetd", required_argument, NULL, SB_OPT_NETD },
		{ "synthguest", required_argument, NULL, SB_OPT_GUEST },
		{ "capture", required_argument, NULL, SB_OPT_CAPTURE },
		{ "runs", required_argument, NULL, SB_OPT_RUNS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->duration = 5;
	o->sizes[0] = 64;
	o->sizes[1] = 1518;
	o->nsizes = 2;
	o->modes[0] = SB_CAP_NONE;
	o->nmodes = 1;
	o->runs = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case SB_OPT_CTL:
			o->ctl_sock = optarg;
			break;
		case SB_OPT_VMBUS:
			o->vmbus_sock = optarg;
			break;
		case SB_OPT_DURATION:
			o->duration = strtod(optarg, &end);
			if (end == optarg || *end != '\0' ||
			    !(o->duration >= 0.5 && o->duration <= 3600)) {
				fprintf(stderr, "synthbench: --duration takes "
					"seconds, 0.5 to 3600\n");
				return -1;
			}
			break;
		case SB_OPT_SIZE:
			if (sb_parse_sizes(optarg, o) < 0) {
				fprintf(stderr, "synthbench: --size takes up "
					"to %d frame sizes, %u to %u, "
					"separated by commas\n", SB_MAX_SIZES,
					SB_SIZE_MIN, SB_SIZE_MAX);
				return -1;
			}
			break;
		case SB_OPT_JSON:
			o->json = true;
			break;
		case SB_OPT_QUIET:
			o->quiet = true;
			break;
		case SB_OPT_NETD:
			o->synthnetd = optarg;
			break;
		case SB_OPT_GUEST:
			o->synthguest = optarg;
			break;
		case SB_OPT_CAPTURE:
			if (sb_parse_modes(optarg, o) < 0) {
				fprintf(stderr, "synthbench: --capture takes "
					"none, nomatch and/or all, separated "
					"by commas\n");
				return -1;
			}
			break;
		case SB_OPT_RUNS: {
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    v < 1 || v > SB_MAX_RUNS) {
				fprintf(stderr, "synthbench: --runs takes 1 to "
					"%d\n", SB_MAX_RUNS);
				return -1;
			}
			o->runs = (unsigned int)v;
			break;
		}
		case 'h':
			sb_usage(stdout);
			return 1;
		default:
			sb_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "synthbench: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if ((o->ctl_sock == NULL) != (o->vmbus_sock == NULL)) {
		fprintf(stderr, "synthbench: give both --ctl-socket and "
			"--vmbus-socket (a running synthnetd), or neither\n");
		return -1;
	}
	return 0;
}

/* Find a binary: the option, then dir/rel for each candidate relative
 * to our own executable's directory, then PATH. */
static int
sb_find_exe(struct sb_ctx *x, const char *opt, const char *name,
	    const char *const *rel, char *out, size_t cap)
{
	char self[PATH_MAX];
	char *slash;
	const char *path = getenv("PATH");
	ssize_t n;

	if (opt != NULL) {
		if (access(opt, X_OK) < 0) {
			return sb_fail(x, "%s: %s", opt, strerror(errno));
		}
		snprintf(out, cap, "%s", opt);
		goto found;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
		}
		for (; *rel != NULL; rel++) {
			if (sb_path(out, cap, self, *rel) == 0 &&
			    access(out, X_OK) == 0) {
				goto found;
			}
		}
	}
	while (path != NULL && *path != '\0') {
		size_t len = strcspn(path, ":");

		int w = snprintf(out, cap, "%.*s/%s", (int)len, path, name);

		if (len > 0 && w > 0 && (size_t)w < cap &&
		    access(out, X_OK) == 0) {
			goto found;
		}
		path += len;
		path += *path == ':';
	}
	return sb_fail(x, "cannot find %s (not in the build tree next to "
		       "synthbench nor in PATH); give --%s PATH", name, name);
found:
	/* Absolute and without "..", for the messages and for exec. */
	if (realpath(out, self) != NULL && strlen(self) < cap) {
		memcpy(out, self, strlen(self) + 1);
	}
	return 0;
}

static int
sb_setup(struct sb_ctx *x)
{
	static const char *const netd_rel[] = { "../daemon/synthnetd",
						"synthnetd", NULL };
	static const char *const guest_rel[] = { "synthguest",
						 "../tools/synthguest", NULL };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sb_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	snprintf(x->sw, sizeof(x->sw), "bench-%d", (int)getpid());
	snprintf(x->gen_vm, sizeof(x->gen_vm), "bench-gen-%d", (int)getpid());
	snprintf(x->sink_vm, sizeof(x->sink_vm), "bench-sink-%d",
		 (int)getpid());
	x->progress = !x->o.quiet && isatty(STDERR_FILENO);
	if (sb_find_exe(x, x->o.synthguest, "synthguest", guest_rel,
			x->guest, sizeof(x->guest)) < 0) {
		return -1;
	}
	if (x->o.ctl_sock == NULL &&
	    sb_find_exe(x, x->o.synthnetd, "synthnetd", netd_rel, x->netd,
			sizeof(x->netd)) < 0) {
		return -1;
	}
	/* Short fixed path: socket paths must fit in 108 bytes. */
	snprintf(x->tmpdir, sizeof(x->tmpdir), "/tmp/synthbench.XXXXXX");
	if (mkdtemp(x->tmpdir) == NULL) {
		x->tmpdir[0] = '\0';
		return sb_fail(x, "cannot create a directory in /tmp: %s",
			       strerror(errno));
	}
	if (x->o.ctl_sock != NULL) {
		snprintf(x->ctl, sizeof(x->ctl), "%s", x->o.ctl_sock);
		snprintf(x->vmbus, sizeof(x->vmbus), "%s", x->o.vmbus_sock);
		if (!sb_daemon_answers(x)) {
			return sb_fail(x, "no synthnetd answers on %s (is it "
				       "running? check --ctl-socket)",
				       x->ctl);
		}
		return 0;
	}
	return sb_daemon_start(x);
}

/* Everything we started or created, in reverse order. */
static void
sb_teardown(struct sb_ctx *x)
{
	sb_stop_child(&x->gen, SIGTERM);
	sb_stop_child(&x->sink, SIGTERM);
	if (x->sw_created && (x->o.ctl_sock != NULL || x->daemon.pid != 0)) {
		sb_topology_delete(x);
	}
	sb_daemon_stop(x);
	sb_rm_tree(x->tmpdir);
}

int
main(int argc, char **argv)
{
	static struct sb_ctx ctx;
	struct sb_ctx *x = &ctx;
	unsigned int i;
	int rc;

	rc = sb_parse_opts(argc, argv, &x->o);
	if (rc != 0) {
		return rc > 0 ? 0 : 2;
	}
	rc = sb_setup(x);
	for (i = 0; rc == 0 && i < x->o.nsizes; i++) {
		unsigned int run, m;

		for (run = 1; rc == 0 && run <= x->o.runs; run++) {
			for (m = 0; rc == 0 && m < x->o.nmodes; m++) {
				rc = sb_run_size(x, x->o.sizes[i],
						 x->o.modes[m], run,
						 &x->res[x->nres]);
				if (rc != 0) {
					break;
				}
				if (!x->o.json) {
					sb_print_result(&x->res[x->nres]);
				}
				x->nres++;
			}
		}
	}
	sb_teardown(x);
	if (x->o.json) {
		sb_print_json(x);
	} else if (x->nres > 0) {
		sb_print_table(x);
	}
	fflush(stdout);
	if (x->err[0] != '\0') {
		fprintf(stderr, "synthbench: %s\n", x->err);
		return sb_signal != 0 ? 130 : 1;
	}
	return 0;
}
