/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synthguest - give a Linux network namespace a Hyper-V synthetic NIC.
 *
 * Connects to synthnetd as a named VM over vmbus-user, attaches to the
 * VM's netvsc adapter with the guest VSC library (guest/nvsc_dev.h), and
 * then either bridges the adapter to a TAP interface inside a network
 * namespace (default), or runs as a packet generator (--gen) or sink
 * (--sink) directly on the channel.
 *
 * The main loop polls without sleeping while there is work; after a
 * stretch of empty passes it arms the channel's interrupts and sleeps in
 * poll() on the TAP, the channel's interrupt eventfd, a signalfd and the
 * vmbus-user socket.  SIGINT/SIGTERM end it cleanly: packet filter 0,
 * RNDIS halt, buffer revokes, channel close, UNLOAD, TAP removed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gvmb_client.h"
#include "nvsc_dev.h"
#include "nvsp_wire.h"
#include "synthguest.h"
#include "vmb_chanmsg.h"
#include "vmb_user.h"

/* Guest RAM: rings, 16 MiB receive buffer, send buffer, bounce pages. */
#define SG_RAM_DEFAULT (64ull << 20)
/* Empty passes before the loop sleeps. */
#define SG_SPIN 256
/* Seconds between reconnection attempts after synthnetd went away. */
#define SG_RETRY_S 0.5
/* Longest sleep, so the duration and the socket are checked. */
#define SG_SLEEP_MS 200
/* Largest frame read from the TAP (an unsegmented super-packet). */
#define SG_FRAME_MAX 65536
/* Magic at the start of the generator's UDP payload, then a u64 seq. */
#define SG_MAGIC 0x53474e31u	/* "SGN1" */
/* Offset of the magic: Ethernet 14 + IPv4 20 + UDP 8. */
#define SG_SEQ_OFF 42
/* Smallest generated frame (no FCS). */
#define SG_MIN_FRAME 60

enum sg_mode {
	SG_TAP = 0,	/* bridge to a TAP */
	SG_GEN,		/* transmit as fast as possible */
	SG_SINK,	/* receive and count */
};

static const char *const sg_mode_names[] = { "tap", "gen", "sink" };

/* Command line. */
struct sg_opts {
	const char *vm;			/* --vm */
	const char *sock;		/* --socket */
	const char *nic;		/* --nic, NULL = first offer */
	const char *netns;		/* --netns */
	const char *ifname;		/* --ifname */
	const char *ips[SG_MAX_IPS];	/* --ip */
	unsigned int nips;		/* entries in ips */
	uint32_t mtu;			/* --mtu, 0 = default */
	enum sg_mode mode;		/* --gen / --sink */
	uint32_t size;			/* --size */
	uint8_t dst[6];			/* --dst-mac */
	double duration;		/* --duration, 0 = until a signal */
	bool json;			/* --json */
	bool quiet;			/* --quiet */
	bool no_reconnect;		/* --no-reconnect */
	int timeout_ms;			/* --timeout */
};

/* Counters of the tool itself (the library has its own). */
struct sg_count {
	uint64_t tx_pkts;		/* frames accepted by the channel */
	uint64_t tx_bytes;		/* their bytes */
	uint64_t rx_pkts;		/* frames received */
	uint64_t rx_bytes;		/* their bytes */
	uint64_t tx_busy;		/* -EAGAIN: retried later */
	uint64_t tx_drop;		/* rejected by the library (size...) */
	uint64_t tap_drop;		/* TAP write failed (queue full) */
	uint64_t seq_gaps;		/* sink: frames missing in sequence */
	uint64_t seq_reorder;		/* sink: late / duplicate frames */
	uint64_t gen_rx;		/* sink: generator frames seen */
	uint64_t link_events;		/* carrier changes applied */
	uint64_t reconnects;		/* TAP mode: re-attached after loss */
	double t_first;			/* first frame received (s) */
	double t_last;			/* last frame received */
	double gen_start;		/* --gen: first burst */
	double gen_end;			/* --gen: end of sending */
};

/* Everything the loops need. */
struct sg_ctx {
	struct sg_opts o;		/* options */
	struct gvmb_ram *ram;		/* guest RAM */
	struct gvmb_conn *conn;		/* vmbus-user connection */
	const struct gvmb_offer *offer;	/* the adapter */
	uint32_t relid;			/* its channel id */
	char nic_name[VMB_USER_NIC_NAME_MAX]; /* its name */
	struct nvsc_dev *dev;		/* the attached device */
	struct nvsc_info info;		/* what attach learned */
	struct sg_tap tap;		/* TAP mode */
	int sfd;			/* signalfd */
	bool stop;			/* signal or duration: stop */
	bool failed;			/* channel broke or rescinded */
	bool lost;			/* TAP mode: daemon gone, reconnecting */
	bool promisc;			/* TAP mode: the TAP is promiscuous */
	double retry_at;		/* next reconnection attempt (s) */
	uint64_t next_seq;		/* sink: next expected sequence */
	bool seq_started;		/* sink: a sequence was seen */
	struct sg_count c;		/* counters */
};

/* Set while reconnecting: failed attempts are expected, not reported. */
static bool sg_err_muted;

static void
sg_err(const char *fmt, ...)
{
	va_list ap;

	if (sg_err_muted) {
		return;
	}
	fputs("synthguest: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: synthguest --vm NAME [--socket PATH] [--nic NAME]\n"
		"                  [--netns NS] [--ifname IF] [--ip CIDR]... "
		"[--mtu N]\n"
		"                  [--gen | --sink] [--size BYTES] "
		"[--dst-mac MAC]\n"
		"                  [--duration S] [--timeout MS] [--json] "
		"[--quiet]\n"
		"                  [--no-reconnect]\n"
		"Attach to VM NAME's netvsc adapter on synthnetd and bridge "
		"it to a TAP\n"
		"(default), or generate (--gen) / count (--sink) frames on "
		"it.\n"
		"  --vm NAME       VM name the adapters are assigned to\n"
		"  --socket PATH   synthnetd vmbus-user socket (default %s)\n"
		"  --nic NAME      adapter name (default: the first offered)\n"
		"  --netns NS      create the TAP in /var/run/netns/NS\n"
		"  --ifname IF     TAP name (default eth0 with --netns, else "
		"synth0)\n"
		"  --ip CIDR       address for the TAP, IPv4 or IPv6 "
		"(repeatable)\n"
		"  --mtu N         MTU (default 1500, at most the host's)\n"
		"  --gen           transmit UDP frames as fast as possible\n"
		"  --sink          receive and count (sequence gaps of --gen)\n"
		"  --size BYTES    --gen frame size without FCS (default 64, "
		"min 60)\n"
		"  --dst-mac MAC   --gen destination (default broadcast)\n"
		"  --duration S    stop after S seconds (default: at a "
		"signal)\n"
		"  --timeout MS    control message timeout (default 5000)\n"
		"  --json          print the summary as JSON\n"
		"  --quiet         print nothing but errors and the summary\n"
		"  --no-reconnect  TAP mode: exit when synthnetd goes away\n"
		"                  (default: keep the TAP, carrier off, and\n"
		"                  re-attach when the daemon is back)\n",
		VMB_USER_SOCK_PATH);
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &tail) != 6) {
		return -EINVAL;
	}
	for (i = 0; i < 6; i++) {
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

enum {
	OPT_VM = 256, OPT_SOCKET, OPT_NIC, OPT_NETNS, OPT_IFNAME, OPT_IP,
	OPT_MTU, OPT_GEN, OPT_SINK, OPT_SIZE, OPT_DST, OPT_DURATION,
	OPT_TIMEOUT, OPT_JSON, OPT_QUIET, OPT_NO_RECONNECT, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "vm", required_argument, NULL, OPT_VM },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "nic", required_argument, NULL, OPT_NIC },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "ifname", required_argument, NULL, OPT_IFNAME },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "gen", no_argument, NULL, OPT_GEN },
	{ "sink", no_argument, NULL, OPT_SINK },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "dst-mac", required_argument, NULL, OPT_DST },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "no-reconnect", no_argument, NULL, OPT_NO_RECONNECT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Returns 0, 1 (help printed) or -1 (error printed). */
static int
parse_opts(int argc, char **argv, struct sg_opts *o)
{
	uint32_t v;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->sock = VMB_USER_SOCK_PATH;
	o->size = 64;
	memset(o->dst, 0xff, sizeof(o->dst));
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_VM:
			o->vm = optarg;
			break;
		case OPT_SOCKET:
			o->sock = optarg;
			break;
		case OPT_NIC:
			o->nic = optarg;
			break;
		case OPT_NETNS:
			o->netns = optarg;
			break;
		case OPT_IFNAME:
			if (strlen(optarg) == 0 || strlen(optarg) >= IFNAMSIZ) {
				sg_err("--ifname: 1 to %d characters",
				       IFNAMSIZ - 1);
				return -1;
			}
			o->ifname = optarg;
			break;
		case OPT_IP:
			if (o->nips >= SG_MAX_IPS) {
				sg_err("--ip: at most %d", SG_MAX_IPS);
				return -1;
			}
			o->ips[o->nips++] = optarg;
			break;
		case OPT_MTU:
			if (parse_u32(optarg, 68, 65521, &o->mtu) < 0) {
				sg_err("--mtu: 68..65521");
				return -1;
			}
			break;
		case OPT_GEN:
			o->mode = SG_GEN;
			break;
		case OPT_SINK:
			o->mode = SG_SINK;
			break;
		case OPT_SIZE:
			if (parse_u32(optarg, SG_MIN_FRAME, 65535, &v) < 0) {
				sg_err("--size: %d..65535 bytes (no FCS)",
				       SG_MIN_FRAME);
				return -1;
			}
			o->size = v;
			break;
		case OPT_DST:
			if (parse_mac(optarg, o->dst) < 0) {
				sg_err("--dst-mac: want xx:xx:xx:xx:xx:xx");
				return -1;
			}
			break;
		case OPT_DURATION:
			o->duration = strtod(optarg, &end);
			if (*end != '\0' || end == optarg || o->duration < 0) {
				sg_err("--duration: seconds, >= 0");
				return -1;
			}
			break;
		case OPT_TIMEOUT:
			if (parse_u32(optarg, 1, 600000, &v) < 0) {
				sg_err("--timeout: 1..600000 ms");
				return -1;
			}
			o->timeout_ms = (int)v;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_NO_RECONNECT:
			o->no_reconnect = true;
			break;
		case OPT_HELP:
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		sg_err("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (o->vm == NULL) {
		sg_err("--vm NAME is required (see --help)");
		return -1;
	}
	if (!vmb_user_vm_name_valid(o->vm)) {
		sg_err("bad VM name '%s': 1..63 characters of [A-Za-z0-9._-]",
		       o->vm);
		return -1;
	}
	if (o->mode != SG_TAP && (o->netns != NULL || o->nips != 0)) {
		sg_err("--netns and --ip only apply to TAP mode");
		return -1;
	}
	if (o->ifname == NULL) {
		o->ifname = o->netns != NULL ? "eth0" : "synth0";
	}
	return 0;
}

/* --- connection ---------------------------------------------------------- */

static int
sg_connect(struct sg_ctx *x)
{
	struct gvmb_opts go;
	struct stat sb;
	int rc;

	if (stat(x->o.sock, &sb) < 0) {
		if (errno == ENOENT) {
			sg_err("synthnetd is not running (no %s): start it "
			       "with 'synthnetd%s%s'", x->o.sock,
			       strcmp(x->o.sock, VMB_USER_SOCK_PATH) != 0 ?
			       " --vmbus-socket " : "",
			       strcmp(x->o.sock, VMB_USER_SOCK_PATH) != 0 ?
			       x->o.sock : "");
		} else {
			sg_err("cannot reach %s: %s", x->o.sock,
			       strerror(errno));
		}
		return -1;
	}
	rc = gvmb_ram_create(SG_RAM_DEFAULT, &x->ram);
	if (rc < 0) {
		sg_err("cannot create guest RAM: %s", strerror(-rc));
		return -1;
	}
	memset(&go, 0, sizeof(go));
	go.timeout_ms = x->o.timeout_ms;
	rc = gvmb_connect(x->o.sock, x->ram, x->o.vm, &go, &x->conn);
	if (rc == -ECONNREFUSED || rc == -ENOENT) {
		sg_err("synthnetd is not running (%s refuses connections): "
		       "start it with 'synthnetd'", x->o.sock);
		return -1;
	}
	if (rc == -EACCES || rc == -EPERM) {
		sg_err("no permission to connect to %s (run as root?)",
		       x->o.sock);
		return -1;
	}
	if (rc < 0) {
		sg_err("cannot connect to synthnetd at %s as VM '%s': %s",
		       x->o.sock, x->o.vm, strerror(-rc));
		return -1;
	}
	return 0;
}

static bool
is_netvsc(const struct gvmb_offer *of)
{
	static const uint8_t netvsc[VMB_MSG_GUID_SIZE] =
		VMB_CHANMSG_GUID_NETVSC_BYTES;

	return memcmp(of->if_type, netvsc, sizeof(netvsc)) == 0 &&
	       of->sub_channel_index == 0 && !of->rescinded;
}

static int
sg_pick_offer(struct sg_ctx *x)
{
	const struct gvmb_offer *offers;
	unsigned int n;
	unsigned int i;
	unsigned int nnet = 0;
	int rc;

	rc = gvmb_request_offers(x->conn);
	if (rc < 0) {
		sg_err("cannot get the offers of VM '%s': %s", x->o.vm,
		       strerror(-rc));
		return -1;
	}
	offers = gvmb_offers(x->conn, &n);
	for (i = 0; i < n; i++) {
		if (!is_netvsc(&offers[i])) {
			continue;
		}
		nnet++;
		if (x->o.nic == NULL ||
		    strcmp(offers[i].nic_name, x->o.nic) == 0) {
			x->offer = &offers[i];
			x->relid = offers[i].relid;
			snprintf(x->nic_name, sizeof(x->nic_name), "%s",
				 offers[i].nic_name);
			return 0;
		}
	}
	if (nnet == 0) {
		sg_err("no network adapter is assigned to VM '%s' (add one "
		       "with: synthctl adapter add %s --switch SWITCH)",
		       x->o.vm, x->o.vm);
	} else {
		sg_err("VM '%s' has no adapter named '%s' (%u other "
		       "adapter%s; see synthctl)", x->o.vm, x->o.nic, nnet,
		       nnet == 1 ? "" : "s");
	}
	return -1;
}

static const char *
attach_hint(int rc)
{
	switch (rc) {
	case -ETIMEDOUT:
		return " (the host did not answer in time)";
	case -EPROTO:
		return " (the host refused a step of the protocol)";
	case -EBADMSG:
		return " (the host answered with an invalid message)";
	case -ENOMEM:
		return " (guest RAM exhausted)";
	default:
		return "";
	}
}

static int
sg_attach(struct sg_ctx *x)
{
	struct nvsc_cfg cfg;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.mtu = x->o.mtu;
	cfg.timeout_ms = x->o.timeout_ms;
	rc = nvsc_dev_attach(x->conn, x->ram, x->offer, &cfg, &x->dev);
	if (rc < 0) {
		sg_err("cannot attach to adapter '%s' of VM '%s': %s%s",
		       x->nic_name, x->o.vm, strerror(-rc), attach_hint(rc));
		return -1;
	}
	nvsc_dev_info(x->dev, &x->info);
	if (x->o.mtu != 0 && x->info.mtu < x->o.mtu) {
		sg_err("warning: MTU %u clamped to the host's %u", x->o.mtu,
		       x->info.mtu);
	}
	if (!x->o.quiet) {
		const uint8_t *m = x->info.mac;

		printf("synthguest: VM %s adapter '%s': MAC "
		       "%02x:%02x:%02x:%02x:%02x:%02x, MTU %u, NVSP %u.%u, "
		       "link %s%s%.*s\n", x->o.vm, x->nic_name, m[0], m[1],
		       m[2], m[3], m[4], m[5], x->info.mtu,
		       NVSP_VERSION_MAJOR(x->info.nvsp_ver),
		       NVSP_VERSION_MINOR(x->info.nvsp_ver),
		       x->info.link_up ? "up" : "down",
		       x->info.friendly_name[0] ? ", name " : "",
		       (int)sizeof(x->info.friendly_name),
		       x->info.friendly_name);
		fflush(stdout);
	}
	return 0;
}

/* --- waiting ------------------------------------------------------------- */

/*
 * The daemon or the channel went away.  In TAP mode (unless
 * --no-reconnect) the loop keeps the TAP and re-attaches when synthnetd
 * is back (after a restart the configuration is restored from its state
 * directory); otherwise the tool stops with a failure.
 */
static void
sg_lost(struct sg_ctx *x, const char *what, int rc)
{
	if (x->o.mode == SG_TAP && !x->o.no_reconnect && !x->stop) {
		if (!x->lost) {
			sg_err("%s (%s): reconnecting", what, strerror(-rc));
		}
		x->lost = true;
		return;
	}
	sg_err("%s: %s", what, strerror(-rc));
	x->failed = true;
	x->stop = true;
}

static void
handle_signal(struct sg_ctx *x)
{
	struct signalfd_siginfo si;

	while (read(x->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		x->stop = true;
	}
}

/* Host messages on the vmbus-user socket (rescind, hang-up). */
static void
handle_conn(struct sg_ctx *x)
{
	const struct gvmb_offer *of;
	int rc;

	rc = gvmb_poll(x->conn, 0);
	if (rc < 0) {
		sg_lost(x, "lost the connection to synthnetd", rc);
		return;
	}
	of = gvmb_offer_find(x->conn, x->relid);
	if (of == NULL || of->rescinded) {
		sg_err("the host removed adapter '%s'", x->nic_name);
		x->failed = true;
		x->stop = true;
	}
}

/*
 * Sleep until the channel, the TAP (tapfd >= 0), a signal or the socket
 * has something, at most timeout_ms.
 */
static void
sg_sleep(struct sg_ctx *x, int tapfd, int timeout_ms)
{
	struct pollfd p[4];
	int n = 0;
	int rc;

	if (nvsc_arm(x->dev)) {
		return;
	}
	p[n].fd = nvsc_wait_fd(x->dev);
	p[n++].events = POLLIN;
	p[n].fd = x->sfd;
	p[n++].events = POLLIN;
	p[n].fd = gvmb_fd(x->conn);
	p[n++].events = POLLIN;
	if (tapfd >= 0) {
		p[n].fd = tapfd;
		p[n++].events = POLLIN;
	}
	rc = poll(p, (nfds_t)n, timeout_ms);
	if (rc <= 0) {
		return;
	}
	if (p[0].revents & POLLIN) {
		nvsc_intr_ack(x->dev);
	}
	if (p[1].revents & POLLIN) {
		handle_signal(x);
	}
	if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
		handle_conn(x);
	}
}

/* Cheap check for signals and the socket while busy-polling. */
static void
sg_peek_events(struct sg_ctx *x)
{
	struct pollfd p[2] = {
		{ .fd = x->sfd, .events = POLLIN },
		{ .fd = gvmb_fd(x->conn), .events = POLLIN },
	};

	if (poll(p, 2, 0) > 0) {
		if (p[0].revents & POLLIN) {
			handle_signal(x);
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			handle_conn(x);
		}
	}
}

static bool
duration_over(const struct sg_ctx *x, double t0)
{
	return x->o.duration > 0 && now_s() - t0 >= x->o.duration;
}

/* Poll the channel; a broken channel stops the loop. */
static int
sg_poll(struct sg_ctx *x, nvsc_rx_cb cb)
{
	int rc = nvsc_poll(x->dev, cb, x, NVSC_BURST * 2);

	if (rc < 0) {
		sg_lost(x, "channel failed", rc);
		return 0;
	}
	return rc;
}

static void
count_rx(struct sg_ctx *x, uint32_t len)
{
	double t = now_s();

	if (x->c.rx_pkts == 0) {
		x->c.t_first = t;
	}
	x->c.t_last = t;
	x->c.rx_pkts++;
	x->c.rx_bytes += len;
}

/* --- TAP mode ------------------------------------------------------------ */

static void
tap_rx(void *arg, const uint8_t *frame, uint32_t len,
       const struct nvsc_rxmeta *meta)
{
	struct sg_ctx *x = arg;

	if (sg_tap_write(&x->tap, frame, len, meta) < 0) {
		x->c.tap_drop++;
		return;
	}
	count_rx(x, len);
}

/* Frames read from the TAP and not yet accepted by the channel. */
struct tap_pending {
	uint8_t *buf[NVSC_BURST];		/* read buffers */
	struct nvsc_txbuf tb[NVSC_BURST];	/* frames */
	struct nvsc_txmeta meta[NVSC_BURST];	/* their metadata */
	unsigned int head;			/* first not sent */
	unsigned int n;				/* frames held */
};

/* TAP -> channel: refill the burst, send what the channel takes. */
static int
tap_tx(struct sg_ctx *x, struct tap_pending *p)
{
	unsigned int sent;
	int work = 0;
	int err = 0;

	if (p->head == p->n) {
		p->head = 0;
		p->n = 0;
		while (p->n < NVSC_BURST) {
			const uint8_t *f;
			int len = sg_tap_read(&x->tap, p->buf[p->n],
					      SG_FRAME_MAX, &f,
					      &p->meta[p->n]);

			if (len <= 0) {
				break;
			}
			p->tb[p->n].data = f;
			p->tb[p->n].len = (uint32_t)len;
			p->tb[p->n].meta = p->meta[p->n].flags ?
					   &p->meta[p->n] : NULL;
			p->n++;
		}
	}
	while (p->head < p->n) {
		sent = nvsc_tx_burst(x->dev, &p->tb[p->head], p->n - p->head,
				     &err);
		work += (int)sent;
		for (; sent > 0; sent--, p->head++) {
			x->c.tx_pkts++;
			x->c.tx_bytes += p->tb[p->head].len;
		}
		if (p->head == p->n) {
			break;
		}
		if (err == -EAGAIN) {
			/* Kept; retried after completions come back. */
			x->c.tx_busy++;
			break;
		}
		if (err == -ENOTCONN) {
			sg_lost(x, "channel closed", err);
			break;
		}
		/* Too big / bad frame: dropped, counted. */
		x->c.tx_drop++;
		p->head++;
	}
	return work;
}

/* The TAP's promiscuous mode (tcpdump, a bridge) follows to the host's
 * packet filter, as Linux netvsc does for its netdev. */
static void
tap_promisc(struct sg_ctx *x)
{
	int on = sg_tap_promisc(&x->tap);

	if (on >= 0 && nvsc_dev_set_promisc(x->dev, on != 0) == 0 &&
	    on != x->promisc) {
		x->promisc = on != 0;
		if (!x->o.quiet) {
			printf("synthguest: promiscuous mode %s\n",
			       on ? "on" : "off");
			fflush(stdout);
		}
	}
}

static void
tap_link(struct sg_ctx *x)
{
	bool up = nvsc_dev_link_up(x->dev);

	if (up != x->tap.carrier && sg_tap_set_carrier(&x->tap, up) == 0) {
		x->c.link_events++;
		if (!x->o.quiet) {
			printf("synthguest: link %s\n", up ? "up" : "down");
			fflush(stdout);
		}
	}
}

/* Drop everything of the old connection (the host is gone). */
static void
sg_drop_connection(struct sg_ctx *x)
{
	if (x->dev != NULL) {
		nvsc_dev_abandon(x->dev);
		nvsc_dev_detach(x->dev);
		x->dev = NULL;
	}
	if (x->conn != NULL) {
		gvmb_disconnect(x->conn);
		x->conn = NULL;
	}
	gvmb_ram_destroy(x->ram);
	x->ram = NULL;
	x->offer = NULL;
}

/*
 * One reconnection attempt, at most every SG_RETRY_S: connect, find the
 * same adapter, attach, open.  Returns true when attached again.
 */
static bool
sg_reconnect(struct sg_ctx *x)
{
	struct pollfd pf = { .fd = x->sfd, .events = POLLIN };
	bool ok;

	if (x->dev != NULL || x->conn != NULL) {
		sg_drop_connection(x);
		if (x->tap.carrier && sg_tap_set_carrier(&x->tap, false) == 0) {
			x->c.link_events++;
		}
	}
	if (now_s() < x->retry_at) {
		/* wait for the next attempt, or a signal */
		if (poll(&pf, 1, 100) > 0) {
			handle_signal(x);
		}
		return false;
	}
	x->retry_at = now_s() + SG_RETRY_S;
	x->o.nic = x->nic_name; /* the same adapter as before */
	sg_err_muted = true;
	ok = sg_connect(x) == 0 && sg_pick_offer(x) == 0 && sg_attach(x) == 0 &&
	     nvsc_dev_open(x->dev) == 0;
	sg_err_muted = false;
	if (!ok) {
		sg_drop_connection(x);
		return false;
	}
	x->lost = false;
	x->c.reconnects++;
	if (!x->o.quiet) {
		printf("synthguest: reconnected to synthnetd\n");
		fflush(stdout);
	}
	return true;
}

static int
run_tap(struct sg_ctx *x)
{
	struct tap_pending p;
	struct sg_tap_cfg tc;
	char msg[256];
	double t0 = now_s();
	double next_flags = 0;
	uint64_t loops = 0;
	unsigned int i;
	int idle = 0;
	int rc;

	memset(&tc, 0, sizeof(tc));
	tc.netns = x->o.netns;
	tc.ifname = x->o.ifname;
	tc.mac = x->info.mac;
	tc.mtu = x->info.mtu;
	tc.carrier = x->info.link_up;
	for (i = 0; i < x->o.nips; i++) {
		tc.ips[i] = x->o.ips[i];
	}
	tc.nips = x->o.nips;
	rc = sg_tap_open(&tc, &x->tap, msg, sizeof(msg));
	if (rc < 0) {
		sg_err("%s", msg);
		return -1;
	}
	memset(&p, 0, sizeof(p));
	for (i = 0; i < NVSC_BURST; i++) {
		p.buf[i] = malloc(SG_FRAME_MAX);
		if (p.buf[i] == NULL) {
			sg_err("out of memory");
			rc = -1;
			goto out;
		}
	}
	rc = nvsc_dev_open(x->dev);
	if (rc < 0) {
		sg_err("cannot open the adapter (packet filter): %s",
		       strerror(-rc));
		rc = -1;
		goto out;
	}
	if (!x->o.quiet) {
		printf("synthguest: %s%s%s ready (MTU %u)\n", x->tap.ifname,
		       x->o.netns ? " in netns " : "",
		       x->o.netns ? x->o.netns : "", x->info.mtu);
		fflush(stdout);
	}
	while (!x->stop) {
		int work;

		if (x->lost) {
			/* frames read before the loss are gone with it */
			x->c.tx_drop += p.n - p.head;
			p.head = p.n = 0;
			sg_reconnect(x);
			if (duration_over(x, t0)) {
				break;
			}
			continue;
		}
		work = tap_tx(x, &p);
		work += sg_poll(x, tap_rx);
		tap_link(x);
		if ((++loops & 0x3ff) == 0) {
			sg_peek_events(x);
		}
		if (now_s() >= next_flags) {
			/* TAP flags, 5 times a second, busy or idle */
			tap_promisc(x);
			next_flags = now_s() + 0.2;
		}
		if (duration_over(x, t0)) {
			break;
		}
		if (work > 0) {
			idle = 0;
			continue;
		}
		if (++idle < SG_SPIN) {
			continue;
		}
		/* Frames held back: wait for the channel only. */
		sg_sleep(x, p.head < p.n ? -1 : x->tap.fd, SG_SLEEP_MS);
	}
	rc = 0;
out:
	for (i = 0; i < NVSC_BURST; i++) {
		free(p.buf[i]);
	}
	return rc;
}

/* --- generator / sink ---------------------------------------------------- */

static uint16_t
csum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		s += (uint32_t)p[i] << 8 | p[i + 1];
	}
	while (s >> 16) {
		s = (s & 0xffff) + (s >> 16);
	}
	return (uint16_t)~s;
}

/* Ethernet / IPv4 / UDP (checksum 0) to dst, size bytes without FCS. */
static void
gen_template(uint8_t *f, uint32_t size, const uint8_t *src, const uint8_t *dst)
{
	memset(f, 0, size);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	sn_put_be16(f + 12, 0x0800);
	f[14] = 0x45;
	sn_put_be16(f + 16, (uint16_t)(size - 14));
	sn_put_be16(f + 20, 0x4000);		/* DF */
	f[22] = 64;
	f[23] = 17;
	/* 198.18.0.1 -> 198.18.0.2 (RFC 2544 benchmarking range). */
	memcpy(f + 26, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);
	sn_put_be16(f + 24, csum16(f + 14, 20));
	sn_put_be16(f + 34, 49152);
	sn_put_be16(f + 36, 9);			/* discard */
	sn_put_be16(f + 38, (uint16_t)(size - 34));
	sn_put_be32(f + SG_SEQ_OFF, SG_MAGIC);
}

static void
put_seq(uint8_t *f, uint64_t seq)
{
	sn_put_be32(f + SG_SEQ_OFF + 4, (uint32_t)(seq >> 32));
	sn_put_be32(f + SG_SEQ_OFF + 8, (uint32_t)seq);
}

static void
sink_rx(void *arg, const uint8_t *frame, uint32_t len,
	const struct nvsc_rxmeta *meta)
{
	struct sg_ctx *x = arg;
	uint64_t seq;

	(void)meta;
	count_rx(x, len);
	if (len < SG_SEQ_OFF + 12 || sn_get_be16(frame + 12) != 0x0800 ||
	    frame[23] != 17 || sn_get_be32(frame + SG_SEQ_OFF) != SG_MAGIC) {
		return;
	}
	x->c.gen_rx++;
	seq = (uint64_t)sn_get_be32(frame + SG_SEQ_OFF + 4) << 32 |
	      sn_get_be32(frame + SG_SEQ_OFF + 8);
	if (!x->seq_started) {
		x->seq_started = true;
	} else if (seq > x->next_seq) {
		x->c.seq_gaps += seq - x->next_seq;
	} else if (seq < x->next_seq) {
		x->c.seq_reorder++;
		return;
	}
	x->next_seq = seq + 1;
}

static int
run_gen(struct sg_ctx *x)
{
	struct nvsc_txbuf tb[NVSC_BURST];
	uint8_t *frames;
	uint64_t seq = 0;
	uint64_t loops = 0;
	uint32_t max = x->info.mtu + 14;
	double t0;
	unsigned int i;
	unsigned int sent;
	int err;
	int rc;

	if (x->o.size > max) {
		sg_err("--size %u is larger than the MTU allows (%u)",
		       x->o.size, max);
		return -1;
	}
	frames = malloc((size_t)NVSC_BURST * x->o.size);
	if (frames == NULL) {
		sg_err("out of memory");
		return -1;
	}
	for (i = 0; i < NVSC_BURST; i++) {
		gen_template(frames + (size_t)i * x->o.size, x->o.size,
			     x->info.mac, x->o.dst);
		tb[i].data = frames + (size_t)i * x->o.size;
		tb[i].len = x->o.size;
		tb[i].meta = NULL;
	}
	rc = nvsc_dev_open(x->dev);
	if (rc < 0) {
		sg_err("cannot open the adapter (packet filter): %s",
		       strerror(-rc));
		free(frames);
		return -1;
	}
	t0 = now_s();
	x->c.gen_start = t0;
	while (!x->stop) {
		for (i = 0; i < NVSC_BURST; i++) {
			put_seq(frames + (size_t)i * x->o.size, seq + i);
		}
		err = 0;
		sent = nvsc_tx_burst(x->dev, tb, NVSC_BURST, &err);
		seq += sent;
		x->c.tx_pkts += sent;
		x->c.tx_bytes += (uint64_t)sent * x->o.size;
		if (sent < NVSC_BURST) {
			if (err == -EAGAIN) {
				x->c.tx_busy++;
			} else if (err == -ENOTCONN) {
				sg_err("channel failed");
				x->failed = true;
				break;
			} else {
				x->c.tx_drop++;
			}
		}
		/* Completions free sections; received frames are counted. */
		(void)sg_poll(x, sink_rx);
		if ((++loops & 0x3ff) == 0) {
			sg_peek_events(x);
			if (duration_over(x, t0)) {
				break;
			}
		}
	}
	x->c.gen_end = now_s();
	free(frames);
	return 0;
}

static int
run_sink(struct sg_ctx *x)
{
	double t0 = now_s();
	uint64_t loops = 0;
	int idle = 0;
	int rc;

	rc = nvsc_dev_open(x->dev);
	if (rc < 0) {
		sg_err("cannot open the adapter (packet filter): %s",
		       strerror(-rc));
		return -1;
	}
	while (!x->stop) {
		int work = sg_poll(x, sink_rx);

		if ((++loops & 0x3ff) == 0) {
			sg_peek_events(x);
		}
		if (duration_over(x, t0)) {
			break;
		}
		if (work > 0) {
			idle = 0;
			continue;
		}
		if (++idle >= SG_SPIN) {
			sg_sleep(x, -1, SG_SLEEP_MS);
		}
	}
	return 0;
}

/* --- summary ------------------------------------------------------------- */

static uint64_t
lib_drops(const struct nvsc_stats *s)
{
	return s->rx_drop_pageset + s->rx_drop_nvsp + s->rx_drop_range +
	       s->rx_drop_rndis + s->rx_drop_ppi + s->rx_drop_too_big +
	       s->rx_drop_rsc + s->rx_drop_no_cb + s->rx_drop_type +
	       s->rx_comp_overflow;
}

static void
summary(struct sg_ctx *x)
{
	struct nvsc_stats st;
	struct sg_count *c = &x->c;
	double secs;
	uint64_t pkts;
	uint64_t bytes;
	double mpps;
	double gbps;

	memset(&st, 0, sizeof(st));
	if (x->dev != NULL) {
		nvsc_dev_stats(x->dev, &st);
	}
	if (x->o.mode == SG_GEN) {
		pkts = c->tx_pkts;
		bytes = c->tx_bytes;
		secs = c->gen_end - c->gen_start;
	} else {
		/* From the first to the last frame received. */
		pkts = c->rx_pkts;
		bytes = c->rx_bytes;
		secs = c->t_last - c->t_first;
	}
	if (secs < 0) {
		secs = 0;
	}
	mpps = secs > 0 ? (double)pkts / secs / 1e6 : 0;
	gbps = secs > 0 ? (double)bytes * 8 / secs / 1e9 : 0;
	if (x->o.json) {
		printf("{\"mode\":\"%s\",\"vm\":\"%s\",\"seconds\":%.3f,"
		       "\"tx_packets\":%" PRIu64 ",\"tx_bytes\":%" PRIu64 ","
		       "\"rx_packets\":%" PRIu64 ",\"rx_bytes\":%" PRIu64 ","
		       "\"mpps\":%.6f,\"gbps\":%.6f,"
		       "\"tx_busy\":%" PRIu64 ",\"tx_dropped\":%" PRIu64 ","
		       "\"tap_dropped\":%" PRIu64 ",\"rx_dropped\":%" PRIu64
		       ",\"seq_gaps\":%" PRIu64 ",\"seq_reordered\":%" PRIu64
		       ",\"tx_completion_failures\":%" PRIu64
		       ",\"failed\":%s}\n",
		       sg_mode_names[x->o.mode], x->o.vm, secs, c->tx_pkts,
		       c->tx_bytes, c->rx_pkts, c->rx_bytes, mpps, gbps,
		       c->tx_busy, c->tx_drop, c->tap_drop, lib_drops(&st),
		       c->seq_gaps, c->seq_reorder, st.tx_comp_fail,
		       x->failed ? "true" : "false");
	} else if (x->o.mode == SG_GEN) {
		printf("synthguest: gen: sent %" PRIu64 " frames, %" PRIu64
		       " bytes in %.2f s: %.3f Mpps, %.3f Gb/s; busy %" PRIu64
		       ", dropped %" PRIu64 ", completion failures %" PRIu64
		       "\n", pkts, bytes, secs, mpps, gbps, c->tx_busy,
		       c->tx_drop, st.tx_comp_fail);
	} else if (x->o.mode == SG_SINK) {
		printf("synthguest: sink: received %" PRIu64 " frames, %"
		       PRIu64 " bytes in %.2f s: %.3f Mpps, %.3f Gb/s; "
		       "sequence gaps %" PRIu64 ", reordered %" PRIu64
		       ", dropped %" PRIu64 "\n", pkts, bytes, secs, mpps,
		       gbps, c->seq_gaps, c->seq_reorder, lib_drops(&st));
	} else {
		printf("synthguest: tap: tx %" PRIu64 " frames %" PRIu64
		       " bytes, rx %" PRIu64 " frames %" PRIu64 " bytes; "
		       "busy %" PRIu64 ", tx dropped %" PRIu64
		       ", tap dropped %" PRIu64 ", rx dropped %" PRIu64 "\n",
		       c->tx_pkts, c->tx_bytes, c->rx_pkts, c->rx_bytes,
		       c->tx_busy, c->tx_drop, c->tap_drop, lib_drops(&st));
	}
	fflush(stdout);
}

/* --- main ---------------------------------------------------------------- */

static int
setup_signals(struct sg_ctx *x)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
		return -errno;
	}
	/* A closed peer socket must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	x->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return x->sfd < 0 ? -errno : 0;
}

static int
teardown(struct sg_ctx *x)
{
	int ret = 0;
	int rc;

	if (x->dev != NULL) {
		if (x->failed) {
			/* The host is gone: local cleanup only. */
			nvsc_dev_abandon(x->dev);
		}
		/* Filter 0, HALT, revokes, channel close, GPADLs. */
		rc = nvsc_dev_detach(x->dev);
		if (rc < 0 && !x->failed) {
			sg_err("detach: %s", strerror(-rc));
			ret = -1;
		}
		x->dev = NULL;
	}
	sg_tap_close(&x->tap);
	if (x->conn != NULL) {
		if (!x->failed) {
			rc = gvmb_unload(x->conn);
			if (rc < 0) {
				sg_err("unload: %s", strerror(-rc));
				ret = -1;
			}
		}
		gvmb_disconnect(x->conn);
		x->conn = NULL;
	}
	gvmb_ram_destroy(x->ram);
	x->ram = NULL;
	return ret;
}

int
main(int argc, char **argv)
{
	struct sg_ctx *x;
	char msg[256];
	int status = 1;
	int rc;

	x = calloc(1, sizeof(*x));
	if (x == NULL) {
		sg_err("out of memory");
		return 1;
	}
	x->tap.fd = -1;
	x->sfd = -1;
	rc = parse_opts(argc, argv, &x->o);
	if (rc != 0) {
		free(x);
		return rc > 0 ? 0 : 2;
	}
	if (x->o.netns != NULL &&
	    sg_netns_check(x->o.netns, msg, sizeof(msg)) < 0) {
		sg_err("%s", msg);
		goto out;
	}
	if (setup_signals(x) < 0) {
		sg_err("cannot set up signals: %s", strerror(errno));
		goto out;
	}
	if (sg_connect(x) < 0 || sg_pick_offer(x) < 0 || sg_attach(x) < 0) {
		goto out;
	}
	switch (x->o.mode) {
	case SG_GEN:
		rc = run_gen(x);
		break;
	case SG_SINK:
		rc = run_sink(x);
		break;
	default:
		rc = run_tap(x);
		break;
	}
	if (rc == 0) {
		summary(x);
		status = x->failed ? 1 : 0;
	}
out:
	if (teardown(x) < 0) {
		status = 1;
	}
	if (x->sfd >= 0) {
		close(x->sfd);
	}
	free(x);
	return status;
}
