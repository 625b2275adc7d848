/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synthnetd - the synthnet virtual switch daemon.
 *
 *   synthnetd [--vmbus-socket PATH] [--ctl-socket PATH] [--pidfile PATH]
 *             [-- EAL arguments]
 *
 * Main thread: EAL initialisation, the mbuf pool, then an epoll loop over
 * the vmbus-user listening socket and its connections, the control socket
 * (synthctl) and a signalfd.  One poll lcore serves the switches.
 *
 * EAL defaults (each applied only when the EAL arguments do not set it):
 * the first two CPUs of our affinity mask as lcores, --file-prefix
 * synthnetd, --no-pci, and --no-huge -m 512 when no hugepage is free.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "snctl_proto.h"
#include "snd.h"
#include "snd_capture.h"
#include "snd_ctlsock.h"
#include "snd_dp.h"
#include "snd_lcore.h"
#include "snd_model.h"
#include "snd_state.h"
#include "snd_vmbus.h"
#include "vmb_user.h"

/* Exit status when the saved configuration cannot be restored (the
 * systemd unit does not restart on it: RestartPreventExitStatus=78). */
#define SND_EXIT_CONFIG 78
#define SND_STATE_DIR "/var/lib/synthnet"
#define SND_TICK_MS 250

#define SND_POOL_SIZE 16383u
#define SND_POOL_CACHE 256u
#define SND_EAL_ARGS_MAX 64

static void
snd_usage(FILE *f)
{
	fprintf(f,
		"usage: synthnetd [--vmbus-socket PATH] [--ctl-socket PATH]\n"
		"                 [--state-dir DIR|none] [--pidfile PATH] "
		"[-- EAL arguments]\n"
		"  --vmbus-socket PATH  guests connect here (default %s)\n"
		"  --ctl-socket PATH    synthctl connects here (default %s)\n"
		"  --state-dir DIR      configuration saved and restored here\n"
		"                       (default " SND_STATE_DIR "; none: "
		"nothing saved)\n"
		"  --pidfile PATH       write the daemon's pid here\n"
		"EAL defaults: -l <first two CPUs> --file-prefix synthnetd "
		"--no-pci,\nand --no-huge -m 512 when no hugepage is free.\n",
		VMB_USER_SOCK_PATH, SNCTL_DEFAULT_PATH);
}

int
snd_watch(struct snd_daemon *d, struct snd_ev *ev)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = ev };

	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev->fd, &e) < 0) {
		return -errno;
	}
	return 0;
}

void
snd_unwatch(struct snd_daemon *d, struct snd_ev *ev)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, ev->fd, NULL);
}

/* Free hugepages of the default size, from /proc/meminfo. */
static long
snd_free_hugepages(void)
{
	char line[256];
	long n = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL) {
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1) {
			break;
		}
	}
	fclose(f);
	return n;
}

static bool
snd_has_arg(int argc, char **argv, const char *a, const char *b)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], a) == 0 ||
		    (b != NULL && strncmp(argv[i], b, strlen(b)) == 0)) {
			return true;
		}
	}
	return false;
}

/* Build the EAL argv: user's arguments plus defaults they did not set. */
static int
snd_eal_args(const char *prog, int uargc, char **uargv, char **out,
	     char *lcores, size_t lcores_len)
{
	cpu_set_t set;
	int n = 0, i, cpus[2], ncpu = 0;

	out[n++] = (char *)prog;
	for (i = 0; i < uargc && n < SND_EAL_ARGS_MAX - 8; i++) {
		out[n++] = uargv[i];
	}
	if (!snd_has_arg(uargc, uargv, "-l", "--lcores") &&
	    !snd_has_arg(uargc, uargv, "-c", NULL)) {
		CPU_ZERO(&set);
		if (sched_getaffinity(0, sizeof(set), &set) == 0) {
			for (i = 0; i < CPU_SETSIZE && ncpu < 2; i++) {
				if (CPU_ISSET(i, &set)) {
					cpus[ncpu++] = i;
				}
			}
		}
		if (ncpu == 2) {
			snprintf(lcores, lcores_len, "%d,%d", cpus[0], cpus[1]);
		} else {
			/* one CPU: main and poll lcore share it */
			snprintf(lcores, lcores_len, "0@%d,1@%d",
				 ncpu ? cpus[0] : 0, ncpu ? cpus[0] : 0);
			out[n++] = "--lcores";
			out[n++] = lcores;
			lcores = NULL;
		}
		if (lcores != NULL) {
			out[n++] = "-l";
			out[n++] = lcores;
		}
	}
	if (!snd_has_arg(uargc, uargv, "--file-prefix", "--file-prefix=")) {
		out[n++] = "--file-prefix";
		out[n++] = "synthnetd";
	}
	if (!snd_has_arg(uargc, uargv, "--no-pci", NULL) &&
	    !snd_has_arg(uargc, uargv, "-a", "--allow")) {
		out[n++] = "--no-pci";
	}
	if (!snd_has_arg(uargc, uargv, "--no-huge", NULL) &&
	    snd_free_hugepages() == 0) {
		out[n++] = "--no-huge";
		if (!snd_has_arg(uargc, uargv, "-m", NULL)) {
			out[n++] = "-m";
			out[n++] = "512";
		}
	}
	out[n] = NULL;
	return n;
}

static void
snd_signal_mask(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
}

/*
 * Block the shutdown signals in every thread: called before rte_eal_init()
 * so the EAL's threads inherit the mask, and the signals only ever reach
 * the main loop's signalfd.
 */
static int
snd_block_signals(void)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	snd_signal_mask(&mask);
	return pthread_sigmask(SIG_BLOCK, &mask, NULL) == 0 ? 0 : -errno;
}

static int
snd_signals(struct snd_daemon *d)
{
	sigset_t mask;
	int fd;

	snd_signal_mask(&mask);
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0) {
		return -errno;
	}
	d->sig.kind = SND_EV_SIGNAL;
	d->sig.fd = fd;
	return snd_watch(d, &d->sig);
}

/* Periodic work (uplink link state) every SND_TICK_MS. */
static int
snd_timer(struct snd_daemon *d)
{
	struct itimerspec its = {
		.it_interval = { 0, SND_TICK_MS * 1000000L },
		.it_value = { 0, SND_TICK_MS * 1000000L },
	};
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) < 0) {
		return -errno;
	}
	d->timer.kind = SND_EV_TIMER;
	d->timer.fd = fd;
	return snd_watch(d, &d->timer);
}

static void
snd_loop(struct snd_daemon *d)
{
	struct epoll_event ev[32];
	struct signalfd_siginfo si;
	uint64_t ticks;
	struct snd_ev *e;
	int n, i, timeout;

	while (!d->stop) {
		timeout = snd_ctlsock_timeout(d);
		n = epoll_wait(d->epfd, ev, 32, timeout);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			RTE_LOG(ERR, USER1, "epoll_wait: %s\n", strerror(errno));
			return;
		}
		for (i = 0; i < n; i++) {
			e = ev[i].data.ptr;
			switch (e->kind) {
			case SND_EV_SIGNAL:
				if (read(e->fd, &si, sizeof(si)) ==
				    (ssize_t)sizeof(si)) {
					RTE_LOG(NOTICE, USER1,
						"signal %u: shutting down\n",
						si.ssi_signo);
					d->stop = true;
				}
				break;
			case SND_EV_VMBUS_LISTEN:
				snd_vmbus_accept(d);
				break;
			case SND_EV_VMBUS_CONN:
				snd_vmbus_conn_event(d, e->obj);
				break;
			case SND_EV_TIMER:
				if (read(e->fd, &ticks, sizeof(ticks)) > 0) {
					snd_dp_tick(d);
				}
				break;
			case SND_EV_CAPTURE:
				snd_capture_event(d);
				break;
			case SND_EV_CTL_LISTEN:
			case SND_EV_CTL_CLIENT:
				break;
			}
		}
		snd_ctlsock_process(d);
	}
}

static int
snd_write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		return -errno;
	}
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) == 0 ? 0 : -errno;
}

int
main(int argc, char **argv)
{
	static struct snd_daemon daemon;
	struct snd_daemon *d = &daemon;
	char *eal_argv[SND_EAL_ARGS_MAX + 1];
	char lcores[64];
	const char *pidfile = NULL;
	int eal_argc, uargc = 0, ret, opt;
	unsigned int worker, i;
	char **uargv = NULL;
	static const struct option longopts[] = {
		{ "vmbus-socket", required_argument, NULL, 'v' },
		{ "ctl-socket", required_argument, NULL, 'c' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	snprintf(d->vmbus_path, sizeof(d->vmbus_path), "%s",
		 VMB_USER_SOCK_PATH);
	snprintf(d->ctl_path, sizeof(d->ctl_path), "%s",
		 snctl_socket_path(NULL));
	snprintf(d->state_dir, sizeof(d->state_dir), "%s", SND_STATE_DIR);
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			snprintf(d->vmbus_path, sizeof(d->vmbus_path), "%s",
				 optarg);
			break;
		case 'c':
			snprintf(d->ctl_path, sizeof(d->ctl_path), "%s",
				 optarg);
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 's':
			snprintf(d->state_dir, sizeof(d->state_dir), "%s",
				 strcmp(optarg, "none") == 0 ? "" : optarg);
			break;
		case 'h':
			snd_usage(stdout);
			return 0;
		default:
			snd_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		uargc = argc - optind;
		uargv = argv + optind;
	}
	eal_argc = snd_eal_args(argv[0], uargc, uargv, eal_argv, lcores,
				sizeof(lcores));
	if (snd_block_signals() < 0) {
		fprintf(stderr, "synthnetd: cannot block signals\n");
		return 1;
	}
	ret = rte_eal_init(eal_argc, eal_argv);
	if (ret < 0) {
		fprintf(stderr, "synthnetd: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	d->start_ns = snd_now_ns();
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->vmbus_listen.fd = -1;
	d->pool_size = SND_POOL_SIZE;
	d->pool = rte_pktmbuf_pool_create("snd_mbufs", SND_POOL_SIZE,
					  SND_POOL_CACHE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  rte_socket_id());
	ret = 1;
	if (d->pool == NULL || d->epfd < 0) {
		fprintf(stderr, "synthnetd: cannot create the mbuf pool: %s\n",
			rte_strerror(rte_errno));
		goto fail_eal;
	}
	RTE_LCORE_FOREACH_WORKER(worker) {
		if (d->nlcores == SND_MAX_LCORES) {
			break;
		}
		d->lcores[d->nlcores] = snd_lcore_create(worker);
		if (d->lcores[d->nlcores] == NULL) {
			fprintf(stderr, "synthnetd: lcore %u setup failed\n",
				worker);
			goto fail_lcore;
		}
		d->nlcores++;
	}
	if (d->nlcores == 0) {
		fprintf(stderr, "synthnetd: need at least one worker lcore "
			"(EAL -l with two lcores or more)\n");
		goto fail_eal;
	}
	/* on the main thread: the capture writer inherits its affinity */
	if (snd_capture_init(d) < 0) {
		goto fail_lcore;
	}
	ret = snd_dp_init(d);
	if (ret < 0) {
		fprintf(stderr, "synthnetd: %s\n", strerror(-ret));
		ret = 1;
		goto fail_lcore;
	}
	if (d->state_dir[0] != '\0') {
		char err[512];

		ret = snd_state_load(d->model, d->state_dir, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "synthnetd: cannot restore the "
				"configuration: %s\nsynthnetd: the file is "
				"left as it is; fix or move it away, then start "
				"again\n", err);
			snd_dp_fini(d);
			ret = SND_EXIT_CONFIG;
			goto fail_lcore;
		}
	}
	ret = snd_signals(d);
	if (ret == 0) {
		ret = snd_timer(d);
	}
	if (ret == 0) {
		ret = snd_ctlsock_init(d);
	}
	if (ret == 0) {
		ret = snd_vmbus_listen(d);
		if (ret < 0) {
			fprintf(stderr, "synthnetd: cannot listen on %s: %s\n",
				d->vmbus_path, strerror(-ret));
		}
	}
	if (ret < 0) {
		goto fail_dp;
	}
	for (i = 0; i < d->nlcores; i++) {
		ret = snd_lcore_start(d->lcores[i]);
		if (ret < 0) {
			fprintf(stderr, "synthnetd: cannot start lcore %u\n",
				snd_lcore_id(d->lcores[i]));
			goto fail_dp;
		}
	}
	if (pidfile != NULL && snd_write_pidfile(pidfile) < 0) {
		fprintf(stderr, "synthnetd: cannot write %s: %s\n", pidfile,
			strerror(errno));
	}
	RTE_LOG(NOTICE, USER1,
		"synthnetd %d ready: vmbus %s, control %s, %u poll lcore(s)\n",
		(int)getpid(), d->vmbus_path, d->ctl_path, d->nlcores);
	snd_loop(d);
	ret = 0;
	goto out;
fail_dp:
	ret = 1;
out:
	snd_vmbus_shutdown(d);
	snd_ctlsock_fini(d);
	snd_dp_fini(d);
	if (pidfile != NULL) {
		unlink(pidfile);
	}
fail_lcore:
	for (i = 0; i < d->nlcores; i++) {
		snd_lcore_destroy(d->lcores[i]);
	}
	/* after the lcores: no capture callback runs any more */
	snd_capture_fini(d);
fail_eal:
	rte_eal_cleanup();
	return ret;
}
