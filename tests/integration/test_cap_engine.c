/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cap_engine.c - the capture engine (pcap/) under a real EAL (no
 * hugepages, no PCI), capturing from fake ports of a real vsw_switch: the
 * capture points are the switch's own (ingress, delivery, drops).
 *
 * Every file a test produces is parsed block by block by a strict reader
 * here (each block whole, lengths consistent, options aligned, file
 * consumed exactly) and read by `tshark -r FILE` (exit 0, no "appears to
 * be damaged or corrupt"); filters are checked against libpcap's own
 * pcap_offline_filter() on the same bytes (what tcpdump does), both
 * directly on mbufs (any chain layout, VLAN tag in metadata) and on whole
 * captures.
 *
 * Disk full: before EAL starts, main() enters a private mount namespace
 * and mounts a 64 KiB tmpfs (root needed); without it (or with
 * SN_CAPTEST_NO_TMPFS=1) the test limits the file size with RLIMIT_FSIZE
 * instead (EFBIG instead of ENOSPC).
 *
 * Every test starts from a switch "lab" with three link-up fake ports
 * vm1, vm2, vm3 (ids 0..2) and a new capture engine, and ends by checking
 * that every frame mbuf and every capture mbuf is back in its pool.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "cap_engine.h"
#include "cap_filter.h"
#include "cap_frame.h"
#include "cap_pcapng.h"
#include "ofl_csum.h"
#include "sn_wire.h"
#include "vsw_switch.h"

#include "../unit/ofl_frames.h"

#define POOL_SIZE 8191u
#define CAP_POOL 4095u
#define N_FAKE 3
#define FAKE_TXQ 4096
#define MAX_PKTS 8192
#define MAX_IDB 8
#define ICMP_LEN 98

/* A fake port: the test plays its peer and keeps what it receives. */
struct fake_port {
	struct vsw_port port;            /* embedded switch port */
	struct rte_mbuf *txq[FAKE_TXQ];  /* frames the peer received */
	unsigned int n_tx;               /* used txq[] */
	uint64_t rx_total;               /* frames received, kept or not */
	unsigned int destroyed;          /* destroy calls */
};

static struct rte_mempool *pool;
static struct fake_port fakes[N_FAKE];
static struct vsw_switch *sw;
static struct cap_engine *eng;
static uint64_t now = 1000;
static char workdir[256];
static char fulldir[300];
static bool have_tmpfs;
static bool have_tshark;
static uint32_t ended_ids[64];
static unsigned int n_ended;
static pthread_mutex_t ended_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct rte_ether_addr mac_a = {{ 0x02, 0, 0, 0, 0, 0x0a }};
static const struct rte_ether_addr mac_b = {{ 0x02, 0, 0, 0, 0, 0x0b }};

/* ------------------------------------------------------------------ */
/* Fake ports and frames                                              */
/* ------------------------------------------------------------------ */

static struct fake_port *
fake_of(struct vsw_port *port)
{
	return container_of(port, struct fake_port, port);
}

static uint16_t
fake_rx_burst(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	(void)port;
	(void)pkts;
	(void)n;
	return 0; /* frames are injected with vsw_switch_input() */
}

static uint16_t
fake_tx_burst(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_port *f = fake_of(port);
	uint16_t i;

	for (i = 0; i < n; i++) {
		vsw_port_count_tx(port, 1, pkts[i]->pkt_len);
		f->rx_total++;
		if (f->n_tx < FAKE_TXQ) {
			f->txq[f->n_tx++] = pkts[i];
		} else {
			rte_pktmbuf_free(pkts[i]);
		}
	}
	return n;
}

static void
fake_destroy(struct vsw_port *port)
{
	fake_of(port)->destroyed++;
}

static const struct vsw_port_ops fake_ops = {
	.kind = "fake",
	.rx_burst = fake_rx_burst,
	.tx_burst = fake_tx_burst,
	.destroy = fake_destroy,
};

static void
drain_fakes(void)
{
	unsigned int i;

	for (i = 0; i < N_FAKE; i++) {
		rte_pktmbuf_free_bulk(fakes[i].txq, fakes[i].n_tx);
		fakes[i].n_tx = 0;
	}
}

/* A single-segment mbuf holding bytes[0 .. len). */
static struct rte_mbuf *
mk_mbuf(const uint8_t *bytes, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(p);
	memcpy(p, bytes, len);
	return m;
}

/* An mbuf chain holding bytes, cut at cuts[0 .. n) (ascending, < len). */
static struct rte_mbuf *
mk_chain(const uint8_t *bytes, uint32_t len, const uint32_t *cuts,
	 unsigned int n)
{
	struct rte_mbuf *head = NULL;
	uint32_t start = 0;
	unsigned int i;

	for (i = 0; i <= n; i++) {
		uint32_t end = i < n ? cuts[i] : len;
		struct rte_mbuf *seg;

		if (end <= start && i < n) {
			continue;
		}
		seg = mk_mbuf(bytes + start, end - start);
		if (head == NULL) {
			head = seg;
		} else {
			assert_int_equal(rte_pktmbuf_chain(head, seg), 0);
		}
		start = end;
	}
	return head;
}

/* Mark m as carrying its 802.1Q tag in metadata (netvsc style). */
static void
set_meta_vlan(struct rte_mbuf *m, uint16_t tci)
{
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = tci;
}

/* bytes with a tag inserted after the MACs (what the wire carries). */
static uint32_t
tagged(const uint8_t *bytes, uint32_t len, uint16_t tci, uint8_t *out)
{
	memcpy(out, bytes, 12);
	out[12] = 0x81;
	out[13] = 0x00;
	out[14] = (uint8_t)(tci >> 8);
	out[15] = (uint8_t)tci;
	memcpy(out + 16, bytes + 12, len - 12);
	return len + 4;
}

/*
 * ICMP echo (type 8) or reply (type 0) between 02:00:00:00:00:<s> /
 * 10.0.0.<s> and 02:00:00:00:00:<d> / 10.0.0.<d>, like Linux ping: id,
 * seq, 56 bytes of payload derived from seq; both checksums correct.
 */
static void
build_icmp(uint8_t *f, uint8_t s, uint8_t d, uint8_t type, uint16_t id,
	   uint16_t seq)
{
	uint8_t *ip = f + 14, *icmp = f + 34;
	unsigned int i;

	memset(f, 0, ICMP_LEN);
	f[0] = 0x02;
	f[5] = d;
	f[6] = 0x02;
	f[11] = s;
	sn_put_be16(f + 12, RTE_ETHER_TYPE_IPV4);
	ip[0] = 0x45;
	sn_put_be16(ip + 2, ICMP_LEN - 14);
	sn_put_be16(ip + 4, (uint16_t)(0x1000 + seq));
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 1;
	ip[12] = 10;
	ip[15] = s;
	ip[16] = 10;
	ip[19] = d;
	sn_put_be16(ip + 10, ofl_csum_ip4_hdr(ip, 20));
	icmp[0] = type;
	sn_put_be16(icmp + 4, id);
	sn_put_be16(icmp + 6, seq);
	for (i = 8; i < ICMP_LEN - 34; i++) {
		icmp[i] = (uint8_t)(seq * 7 + i);
	}
	sn_put_be16(icmp + 2,
		    ofl_csum_fold(ofl_csum_partial(icmp, ICMP_LEN - 34, 0)));
}

/* A frame of len bytes from 02::0a to 02::0b (IPv4 ethertype, filler). */
static struct rte_mbuf *
mk_plain(uint32_t len, uint8_t fill)
{
	uint8_t buf[2048];

	memset(buf, fill, len);
	memcpy(buf, mac_b.addr_bytes, 6);
	memcpy(buf + 6, mac_a.addr_bytes, 6);
	sn_put_be16(buf + 12, RTE_ETHER_TYPE_IPV4);
	return mk_mbuf(buf, len);
}

/* Input one frame on port `in` and flush. */
static void
inject(uint16_t in, struct rte_mbuf *m)
{
	vsw_switch_input(sw, in, &m, 1, now);
	vsw_switch_flush(sw);
	now += 1000;
}

/* ------------------------------------------------------------------ */
/* Strict pcapng reader                                               */
/* ------------------------------------------------------------------ */

struct rpkt {
	uint32_t if_id;      /* interface */
	uint64_t ts;         /* timestamp (ns) */
	uint32_t caplen;     /* captured length */
	uint32_t orig_len;   /* original length */
	uint32_t flags;      /* epb_flags, 0 if absent */
	char comment[300];   /* opt_comment, "" if absent */
	const uint8_t *data; /* into rfile.raw */
};

struct rfile {
	uint8_t *raw;                 /* file bytes */
	size_t len;                   /* file size */
	unsigned int n_shb;           /* sections */
	unsigned int n_idb;           /* interfaces (last section) */
	char idb_name[MAX_IDB][CAP_IFNAME_MAX]; /* if_name */
	char idb_filter[MAX_IDB][256]; /* if_filter string */
	uint32_t idb_snaplen[MAX_IDB];/* snaplen */
	uint8_t idb_tsresol[MAX_IDB]; /* if_tsresol */
	unsigned int n_pkt;           /* EPBs */
	struct rpkt *pkts;            /* EPBs (MAX_PKTS) */
	unsigned int n_isb;           /* ISBs */
	uint64_t isb_ifrecv[MAX_IDB]; /* last isb_ifrecv per interface */
	uint64_t isb_ifdrop[MAX_IDB]; /* last isb_ifdrop */
	uint64_t isb_usrdeliv[MAX_IDB]; /* last isb_usrdeliv */
	uint64_t isb_filteraccept[MAX_IDB]; /* last isb_filteraccept */
};

/* Walk options [off, end); calls back per option; asserts the layout. */
static void
walk_opts(const uint8_t *b, size_t off, size_t end,
	  void (*cb)(void *, uint16_t, const uint8_t *, uint16_t), void *arg)
{
	if (off == end) {
		return;
	}
	for (;;) {
		uint16_t code, len;

		assert_true(off + 4 <= end);
		code = sn_get_le16(b + off);
		len = sn_get_le16(b + off + 2);
		if (code == 0) {
			assert_int_equal(len, 0);
			assert_int_equal(off + 4, end);
			return;
		}
		assert_true(off + 4 + SN_ALIGN_UP((size_t)len, 4u) <= end);
		cb(arg, code, b + off + 4, len);
		off += 4 + SN_ALIGN_UP((size_t)len, 4u);
	}
}

struct idb_ctx {
	struct rfile *f; /* file */
	unsigned int i;  /* interface index */
};

static void
idb_opt(void *arg, uint16_t code, const uint8_t *v, uint16_t len)
{
	struct idb_ctx *x = arg;

	if (code == CAP_PCAPNG_IF_NAME) {
		assert_true(len < CAP_IFNAME_MAX);
		memcpy(x->f->idb_name[x->i], v, len);
		x->f->idb_name[x->i][len] = '\0';
	} else if (code == CAP_PCAPNG_IF_TSRESOL) {
		assert_int_equal(len, 1);
		x->f->idb_tsresol[x->i] = v[0];
	} else if (code == CAP_PCAPNG_IF_FILTER) {
		assert_true(len >= 1 && len < 256);
		assert_int_equal(v[0], 0);
		memcpy(x->f->idb_filter[x->i], v + 1, len - 1u);
		x->f->idb_filter[x->i][len - 1] = '\0';
	}
}

static void
epb_opt(void *arg, uint16_t code, const uint8_t *v, uint16_t len)
{
	struct rpkt *p = arg;

	if (code == CAP_PCAPNG_EPB_FLAGS) {
		assert_int_equal(len, 4);
		p->flags = sn_get_le32(v);
	} else if (code == CAP_PCAPNG_OPT_COMMENT) {
		assert_true(len < sizeof(p->comment));
		memcpy(p->comment, v, len);
		p->comment[len] = '\0';
	}
}

struct isb_ctx {
	struct rfile *f; /* file */
	uint32_t i;      /* interface */
};

static void
isb_opt(void *arg, uint16_t code, const uint8_t *v, uint16_t len)
{
	struct isb_ctx *x = arg;

	assert_int_equal(len, 8);
	if (code == CAP_PCAPNG_ISB_IFRECV) {
		x->f->isb_ifrecv[x->i] = sn_get_le64(v);
	} else if (code == CAP_PCAPNG_ISB_IFDROP) {
		x->f->isb_ifdrop[x->i] = sn_get_le64(v);
	} else if (code == CAP_PCAPNG_ISB_USRDELIV) {
		x->f->isb_usrdeliv[x->i] = sn_get_le64(v);
	} else if (code == CAP_PCAPNG_ISB_FILTERACCEPT) {
		x->f->isb_filteraccept[x->i] = sn_get_le64(v);
	}
}

/* Parse f->raw[0 .. f->len) strictly (takes ownership of raw). */
static void
parse_raw(struct rfile *f)
{
	size_t off = 0;

	f->pkts = calloc(MAX_PKTS, sizeof(*f->pkts));
	assert_non_null(f->pkts);
	while (off < f->len) {
		const uint8_t *b = f->raw + off;
		int blen = cap_pcapng_block_len(b, f->len - off);
		uint32_t type;

		assert_true(blen >= 12);
		type = sn_get_le32(b);
		if (type == CAP_PCAPNG_BT_SHB) {
			assert_true(blen >= 28);
			assert_int_equal(sn_get_le32(b + 8), CAP_PCAPNG_MAGIC);
			f->n_shb++;
			f->n_idb = 0;
		} else if (type == CAP_PCAPNG_BT_IDB) {
			struct idb_ctx x = { f, f->n_idb };

			assert_true(f->n_shb > 0 && f->n_idb < MAX_IDB);
			assert_int_equal(sn_get_le16(b + 8), 1);
			f->idb_snaplen[f->n_idb] = sn_get_le32(b + 12);
			walk_opts(b, 16, (size_t)blen - 4, idb_opt, &x);
			f->n_idb++;
		} else if (type == CAP_PCAPNG_BT_EPB) {
			struct rpkt *p = &f->pkts[f->n_pkt];

			assert_true(f->n_pkt < MAX_PKTS);
			memset(p, 0, sizeof(*p));
			p->if_id = sn_get_le32(b + 8);
			assert_true(p->if_id < f->n_idb);
			p->ts = ((uint64_t)sn_get_le32(b + 12) << 32) |
				sn_get_le32(b + 16);
			p->caplen = sn_get_le32(b + 20);
			p->orig_len = sn_get_le32(b + 24);
			assert_true(p->caplen <= p->orig_len);
			assert_true(p->caplen <= f->idb_snaplen[p->if_id]);
			assert_true(28 + SN_ALIGN_UP((size_t)p->caplen, 4u) <=
				    (size_t)blen - 4);
			p->data = b + 28;
			walk_opts(b, 28 + SN_ALIGN_UP((size_t)p->caplen, 4u),
				  (size_t)blen - 4, epb_opt, p);
			f->n_pkt++;
		} else if (type == CAP_PCAPNG_BT_ISB) {
			struct isb_ctx x = { f, sn_get_le32(b + 8) };

			assert_true(x.i < f->n_idb);
			walk_opts(b, 20, (size_t)blen - 4, isb_opt, &x);
			f->n_isb++;
		} else {
			fail_msg("unexpected block type %#x", type);
		}
		off += (size_t)blen;
	}
	assert_int_equal(off, f->len);
	assert_true(f->n_shb >= 1);
	assert_int_equal(sn_get_le32(f->raw), CAP_PCAPNG_BT_SHB);
}

static void
read_file(const char *path, struct rfile *f)
{
	struct stat st;
	FILE *fp;

	memset(f, 0, sizeof(*f));
	assert_int_equal(stat(path, &st), 0);
	f->len = (size_t)st.st_size;
	f->raw = malloc(f->len + 1);
	assert_non_null(f->raw);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(f->raw, 1, f->len, fp), f->len);
	fclose(fp);
	parse_raw(f);
}

static void
free_file(struct rfile *f)
{
	free(f->raw);
	free(f->pkts);
	memset(f, 0, sizeof(*f));
}

/* Run a shell command; its output (stdout+stderr) into out; exit code. */
static int
run(const char *cmd, char *out, size_t outlen)
{
	size_t n = 0;
	FILE *p = popen(cmd, "r");
	int st;

	assert_non_null(p);
	while (out != NULL && n + 1 < outlen) {
		size_t k = fread(out + n, 1, outlen - 1 - n, p);

		if (k == 0) {
			break;
		}
		n += k;
	}
	if (out != NULL) {
		out[n] = '\0';
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char tshark_out[4 << 20];

/*
 * tshark reads the whole file without error.  Returns the number of
 * packet lines it printed (its "Running as user" warning excluded).
 */
static unsigned int
tshark_check(const char *path)
{
	char cmd[600];
	unsigned int lines = 0;
	char *l, *save = NULL;

	if (!have_tshark) {
		return UINT32_MAX;
	}
	snprintf(cmd, sizeof(cmd), "tshark -n -r '%s' 2>&1", path);
	assert_int_equal(run(cmd, tshark_out, sizeof(tshark_out)), 0);
	if (strstr(tshark_out, "damaged or corrupt") != NULL ||
	    strstr(tshark_out, "cut short") != NULL) {
		fail_msg("tshark on %s: %s", path, tshark_out);
	}
	for (l = strtok_r(tshark_out, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "Running as user", 15) != 0) {
			lines++;
		}
	}
	return lines;
}

/* tshark -T fields output of `fields` for path into tshark_out. */
static const char *
tshark_fields(const char *path, const char *fields)
{
	char cmd[800];

	snprintf(cmd, sizeof(cmd), "tshark -n -r '%s' -T fields %s "
		 "2>/dev/null", path, fields);
	assert_int_equal(run(cmd, tshark_out, sizeof(tshark_out)), 0);
	return tshark_out;
}

/* Occurrences of needle in hay. */
static unsigned int
count_str(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Engine helpers                                                     */
/* ------------------------------------------------------------------ */

static void
on_end(void *arg, uint32_t id)
{
	(void)arg;
	pthread_mutex_lock(&ended_lock);
	if (n_ended < RTE_DIM(ended_ids)) {
		ended_ids[n_ended++] = id;
	}
	pthread_mutex_unlock(&ended_lock);
}

static bool
was_ended(uint32_t id)
{
	unsigned int i;
	bool r = false;

	pthread_mutex_lock(&ended_lock);
	for (i = 0; i < n_ended; i++) {
		r |= ended_ids[i] == id;
	}
	pthread_mutex_unlock(&ended_lock);
	return r;
}

static struct cap_engine *
engine_new(unsigned int pool_size, unsigned int ring_size)
{
	struct cap_engine_cfg cfg = {
		.pool_size = pool_size,
		.ring_size = ring_size,
		.max_captures = 8,
		.socket_id = SOCKET_ID_ANY,
		.flush_ms = 50,
		.userappl = "test_cap_engine",
		.on_end = on_end,
	};
	char err[256];
	struct cap_engine *e = cap_engine_create(&cfg, err, sizeof(err));

	if (e == NULL) {
		fail_msg("cap_engine_create: %s", err);
	}
	return e;
}

static void
iface(struct cap_iface *ifc, const char *name, const char *desc)
{
	memset(ifc, 0, sizeof(*ifc));
	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	snprintf(ifc->desc, sizeof(ifc->desc), "%s", desc);
}

/* A one-interface capture in both directions to workdir/file (NULL: no
 * output yet); returns cfg. */
static struct cap_cfg *
cfg_init(struct cap_cfg *cfg, struct cap_iface *ifc, const char *file)
{
	static char path[512];

	memset(cfg, 0, sizeof(*cfg));
	cfg->ifaces = ifc;
	cfg->n_ifaces = 1;
	cfg->dir = CAP_DIR_BOTH;
	cfg->fd = -1;
	cfg->uid = -1;
	cfg->gid = -1;
	if (file != NULL) {
		snprintf(path, sizeof(path), "%s/%s", workdir, file);
		cfg->path = path;
	}
	return cfg;
}

static struct cap_capture *
start(const struct cap_cfg *cfg)
{
	struct cap_capture *c = NULL;
	char err[256];
	int rc = cap_capture_create(eng, cfg, &c, err, sizeof(err));

	if (rc != 0) {
		fail_msg("cap_capture_create: %d %s", rc, err);
	}
	assert_true(cap_capture_id(c) > 0);
	return c;
}

/* Wait (up to ms) until c is STOPPED; returns its info. */
static void
wait_stopped(struct cap_capture *c, unsigned int ms, struct cap_info *info)
{
	unsigned int i;

	for (i = 0; i < ms; i++) {
		cap_capture_info(c, info);
		if (info->state == CAP_STOPPED) {
			/* Returns once on_end has run too. */
			assert_int_equal(cap_capture_stop(c), -EALREADY);
			cap_capture_info(c, info);
			return;
		}
		usleep(1000);
	}
	fail_msg("capture %u did not stop (%s)", info->id, info->status);
}

/* Wait until the writer has taken everything the lcores captured. */
static void
wait_written(struct cap_capture *c, uint64_t n)
{
	struct cap_info info;
	unsigned int i;

	for (i = 0; i < 5000; i++) {
		cap_capture_info(c, &info);
		if (info.stats.written >= n) {
			return;
		}
		usleep(1000);
	}
	fail_msg("only %" PRIu64 " of %" PRIu64 " frames written",
		 info.stats.written, n);
}

/* ------------------------------------------------------------------ */
/* Setup / teardown                                                   */
/* ------------------------------------------------------------------ */

static int
setup(void **state)
{
	unsigned int i;

	(void)state;
	now = 1000;
	sw = vsw_switch_create("lab", NULL);
	assert_non_null(sw);
	for (i = 0; i < N_FAKE; i++) {
		struct rte_ether_addr mac = {{ 0x00, 0x15, 0x5d, 0, 0,
					       (uint8_t)i }};
		char name[16];

		memset(&fakes[i], 0, sizeof(fakes[i]));
		snprintf(name, sizeof(name), "vm%u", i + 1);
		assert_int_equal(vsw_port_init(&fakes[i].port, &fake_ops, name,
					       &mac, 9000, &fakes[i]),
				 0);
		fakes[i].port.link_up = true;
		assert_int_equal(vsw_switch_add_port(sw, &fakes[i].port),
				 (int)i);
	}
	eng = engine_new(CAP_POOL, 4096);
	return 0;
}

static int
teardown(void **state)
{
	unsigned int i;

	(void)state;
	/* Ports first (the lcore side), then the engine. */
	for (i = 0; i < N_FAKE; i++) {
		cap_port_detach_all(&fakes[i].port);
		assert_null(fakes[i].port.capture);
	}
	if (eng != NULL) {
		struct cap_engine_stats es;
		uint32_t ids[16];
		unsigned int n = cap_capture_list(eng, ids, 16);

		for (i = 0; i < n; i++) {
			assert_int_equal(
				cap_capture_destroy(cap_capture_find(eng,
								     ids[i])),
				0);
		}
		/* Every capture mbuf is back. */
		cap_engine_stats(eng, &es);
		assert_int_equal(es.captures, 0);
		assert_int_equal(es.pool_avail, es.pool_size);
		cap_engine_destroy(eng);
		eng = NULL;
	}
	vsw_switch_destroy(sw);
	sw = NULL;
	drain_fakes();
	/* Every frame mbuf is back: the capture never kept or freed one. */
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tests                                                              */
/* ------------------------------------------------------------------ */

static uint8_t req_bytes[1000][ICMP_LEN];
static uint8_t rep_bytes[1000][ICMP_LEN];

/*
 * 1,000 pings vm1 -> vm2 captured on vm1: exactly 1,000 inbound requests
 * and 1,000 outbound replies, alternating, byte for byte what was sent.
 */
static void
test_ping_1000(void **state)
{
	struct cap_iface ifc;
	struct cap_cfg cfg;
	struct cap_capture *c;
	struct cap_info info;
	struct rfile f;
	const char *out;
	unsigned int i;
	uint64_t last_ts = 0;

	(void)state;
	iface(&ifc, "lab/vm1/eth0", "netvsc adapter eth0 of VM vm1 on switch "
	      "lab");
	cfg_init(&cfg, &ifc, "ping.pcapng");
	c = start(&cfg);
	assert_int_equal(cap_attach(c, 0, &fakes[0].port), 0);
	for (i = 0; i < 1000; i++) {
		struct rte_mbuf *got;

		build_icmp(req_bytes[i], 0x0a, 0x0b, 8, 0x4242, (uint16_t)i);
		inject(0, mk_mbuf(req_bytes[i], ICMP_LEN));
		/* vm2 answers what it received. */
		assert_true(fakes[1].n_tx >= 1);
		got = fakes[1].txq[fakes[1].n_tx - 1];
		assert_memory_equal(rte_pktmbuf_mtod(got, uint8_t *),
				    req_bytes[i], ICMP_LEN);
		build_icmp(rep_bytes[i], 0x0b, 0x0a, 0, 0x4242, (uint16_t)i);
		inject(1, mk_mbuf(rep_bytes[i], ICMP_LEN));
		if (fakes[1].n_tx > 512) {
			drain_fakes();
		}
	}
	assert_int_equal(fakes[0].rx_total, 1000);
	assert_int_equal(fakes[1].rx_total, 1000);
	assert_int_equal(cap_capture_stop(c), 0);
	assert_int_equal(cap_capture_stop(c), -EALREADY);
	assert_int_equal(cap_detach(c, 0), 0);
	assert_null(fakes[0].port.capture);

	cap_capture_info(c, &info);
	assert_int_equal(info.state, CAP_STOPPED);
	assert_int_equal(info.end, CAP_END_USER);
	assert_string_equal(info.status, "stopped: by user");
	assert_int_equal(info.stats.seen, 2000);
	assert_int_equal(info.stats.matched, 2000);
	assert_int_equal(info.stats.filtered_out, 0);
	assert_int_equal(info.stats.lost, 0);
	assert_int_equal(info.stats.written, 2000);
	assert_int_equal(info.stats.bytes, 2000 * ICMP_LEN);
	assert_true(was_ended(info.id));

	read_file(cfg.path, &f);
	assert_int_equal(f.n_shb, 1);
	assert_int_equal(f.n_idb, 1);
	assert_string_equal(f.idb_name[0], "lab/vm1/eth0");
	assert_int_equal(f.idb_tsresol[0], 9);
	assert_int_equal(f.idb_snaplen[0], CAP_SNAPLEN_DEFAULT);
	assert_int_equal(f.n_pkt, 2000);
	for (i = 0; i < 1000; i++) {
		const struct rpkt *q = &f.pkts[2 * i], *r = &f.pkts[2 * i + 1];

		assert_int_equal(q->flags, CAP_PCAPNG_DIR_IN);
		assert_int_equal(q->caplen, ICMP_LEN);
		assert_int_equal(q->orig_len, ICMP_LEN);
		assert_memory_equal(q->data, req_bytes[i], ICMP_LEN);
		assert_string_equal(q->comment, "");
		assert_int_equal(r->flags, CAP_PCAPNG_DIR_OUT);
		assert_memory_equal(r->data, rep_bytes[i], ICMP_LEN);
		assert_true(q->ts >= last_ts && r->ts >= q->ts);
		last_ts = r->ts;
	}
	/* Timestamps are wall-clock nanoseconds of this run. */
	assert_true(f.pkts[0].ts >= info.start_ns &&
		    f.pkts[1999].ts <= info.end_ns);
	assert_int_equal(f.n_isb, 1);
	assert_int_equal(f.isb_ifrecv[0], 2000);
	assert_int_equal(f.isb_usrdeliv[0], 2000);
	assert_int_equal(f.isb_ifdrop[0], 0);

	if (tshark_check(cfg.path) != UINT32_MAX) {
		assert_int_equal(tshark_check(cfg.path), 2000);
		out = tshark_fields(cfg.path,
				    "-e frame.packet_flags_direction "
				    "-e icmp.type -e frame.interface_name");
		assert_int_equal(count_str(out, "0x00000001\t8\tlab/vm1/eth0"),
				 1000);
		assert_int_equal(count_str(out, "0x00000002\t0\tlab/vm1/eth0"),
				 1000);
	}
	free_file(&f);
	drain_fakes();
}

/* Frames for the filter comparisons (bytes as a port hands them over). */
struct tframe {
	const char *what;  /* description */
	uint8_t b[400];    /* bytes */
	uint32_t len;      /* length */
	uint16_t meta_tci; /* != 0: tag in metadata, bytes untagged */
};

static struct tframe tframes[40];
static unsigned int n_tframes;

static void
add_tframe(const char *what, const uint8_t *b, uint32_t len, uint16_t tci)
{
	struct tframe *t = &tframes[n_tframes++];

	assert_true(n_tframes <= RTE_DIM(tframes) && len <= sizeof(t->b));
	t->what = what;
	memcpy(t->b, b, len);
	t->len = len;
	t->meta_tci = tci;
}

/* The test frames: ofl_frames.h captures plus built variants. */
static void
build_tframes(void)
{
	uint8_t b[400];

	n_tframes = 0;
	add_tframe("arp", arp, sizeof(arp), 0);
	add_tframe("syn 8080", syn, sizeof(syn), 0);
	add_tframe("psh 8080", psh, sizeof(psh), 0);
	add_tframe("igmp", igmp, sizeof(igmp), 0);
	add_tframe("vlan 100 udp", vlan, sizeof(vlan), 0);
	add_tframe("qinq 200/300", qinq, sizeof(qinq), 0);
	add_tframe("syn6", syn6, sizeof(syn6), 0);
	add_tframe("udp6", udp6, sizeof(udp6), 0);
	add_tframe("echo", echo, sizeof(echo), 0);
	add_tframe("ra", ra, sizeof(ra), 0);
	add_tframe("mld", mld, sizeof(mld), 0);
	add_tframe("dhcp", dhcp, sizeof(dhcp), 0);
	add_tframe("dhcp6", dhcp6, sizeof(dhcp6), 0);
	add_tframe("frag6", frag_first, sizeof(frag_first), 0);
	/* iperf3's port: SYN to 5201, answer from 5201. */
	memcpy(b, syn, sizeof(syn));
	sn_put_be16(b + 36, 5201);
	add_tframe("syn 5201", b, sizeof(syn), 0);
	memcpy(b, syn, sizeof(syn));
	sn_put_be16(b + 34, 5201);
	sn_put_be16(b + 36, 54000);
	add_tframe("syn from 5201", b, sizeof(syn), 0);
	memcpy(b, syn6, sizeof(syn6));
	sn_put_be16(b + 56, 5201);
	add_tframe("syn6 5201", b, sizeof(syn6), 0);
	memcpy(b, vlan, sizeof(vlan));
	sn_put_be16(b + 40, 5201); /* UDP 5201: not "tcp port 5201" */
	add_tframe("udp 5201 vlan 100", b, sizeof(vlan), 0);
	/* VLAN 10 in the bytes, and the same in metadata. */
	add_tframe("echo vlan 10 tagged", b,
		   tagged(echo, sizeof(echo), 10, b), 0);
	add_tframe("echo vlan 10 meta", echo, sizeof(echo), 10);
	add_tframe("echo vlan 20 meta pcp 5", echo, sizeof(echo),
		   (5 << 13) | 20);
	memcpy(b, syn, sizeof(syn));
	sn_put_be16(b + 36, 5201);
	add_tframe("syn 5201 vlan 10 meta", b, sizeof(syn), 10);
	add_tframe("dhcp vlan 10 meta", dhcp, sizeof(dhcp), 10);
	add_tframe("arp priority tag meta", arp, sizeof(arp), 3 << 13);
	add_tframe("runt 10 bytes", arp, 10, 0);
	add_tframe("runt 13 bytes meta ignored", arp, 13, 0);
}

static const char *const exprs[] = {
	"icmp", "tcp port 5201", "vlan 10", "ether host 02:00:00:00:00:0a",
	"ether src 02:00:00:00:00:0b", "ip", "ip6", "arp", "udp", "tcp",
	"vlan", "not vlan", "vlan and icmp", "vlan 10 and icmp",
	"vlan 100 and udp port 5100", "vlan 200", "vlan 200 and vlan 300",
	"vlan 10 and tcp port 5201", "len > 100", "less 64", "greater 128",
	"tcp[tcpflags] & tcp-syn != 0", "ip[8] = 64", "ether broadcast",
	"ether multicast", "icmp6", "ip6 and udp",
	"udp port 67 or udp port 547",
	"portrange 5000-5300", "net 10.0.0.0/24", "host 10.0.0.103",
	"ip proto 2", "ip6 protochain 17", "tcp dst port 8080 and tcp[13] = 2",
	"ether[12:2] = 0x8100 and ether[14:2] & 0xfff = 10",
	"ip6[6] = 58 and ip6[40] = 134",
};

/* libpcap's verdict on the wire bytes of t. */
static bool
pcap_verdict(const struct bpf_program *prog, const struct tframe *t)
{
	uint8_t w[420];
	struct pcap_pkthdr h;
	uint32_t len = t->len;
	const uint8_t *p = t->b;

	if (t->meta_tci != 0 && t->len >= 12) {
		len = tagged(t->b, t->len, t->meta_tci, w);
		p = w;
	}
	memset(&h, 0, sizeof(h));
	h.caplen = len;
	h.len = len;
	return pcap_offline_filter(prog, &h, p) != 0;
}

/* Chain layouts every frame is tried with. */
static const uint32_t cut_sets[][3] = {
	{ 0, 0, 0 }, { 1, 0, 0 }, { 6, 0, 0 }, { 12, 0, 0 }, { 13, 0, 0 },
	{ 14, 0, 0 }, { 16, 0, 0 }, { 20, 0, 0 }, { 34, 0, 0 }, { 7, 30, 0 },
	{ 12, 13, 50 }, { 60, 0, 0 },
};

/*
 * Every expression, every frame, every chain layout: cap_filter_match()
 * (rte_bpf, JIT on x86-64) agrees with pcap_offline_filter() on the wire
 * bytes, including frames whose tag is in metadata.
 */
static void
test_filter_differential(void **state)
{
	unsigned int e, i, k, checks = 0, matches = 0;

	(void)state;
	build_tframes();
	for (e = 0; e < RTE_DIM(exprs); e++) {
		struct cap_filter *flt = NULL;
		struct bpf_program own;
		pcap_t *pc = pcap_open_dead(DLT_EN10MB, 262144);
		char err[256];

		assert_int_equal(pcap_compile(pc, &own, exprs[e], 1,
					      PCAP_NETMASK_UNKNOWN),
				 0);
		assert_int_equal(cap_filter_create(exprs[e], 262144, &flt, err,
						   sizeof(err)),
				 0);
		/* The very program tcpdump would run. */
		assert_int_equal(own.bf_len,
				 cap_filter_program(flt)->bf_len);
		assert_memory_equal(own.bf_insns,
				    cap_filter_program(flt)->bf_insns,
				    own.bf_len * sizeof(own.bf_insns[0]));
		if (strstr(exprs[e], "protochain") != NULL) {
			/* Loops backwards: libpcap runs it. */
			assert_string_equal(cap_filter_runner(flt),
					    "libpcap");
		} else {
#ifdef RTE_ARCH_X86_64
			assert_true(cap_filter_jitted(flt));
			assert_string_equal(cap_filter_runner(flt),
					    "rte_bpf-jit");
#endif
		}
		for (i = 0; i < n_tframes; i++) {
			const struct tframe *t = &tframes[i];
			bool want = pcap_verdict(&own, t);

			for (k = 0; k < RTE_DIM(cut_sets); k++) {
				uint32_t cuts[3];
				unsigned int nc = 0, j;
				struct rte_mbuf *m;
				bool got, interp;

				for (j = 0; j < 3; j++) {
					if (cut_sets[k][j] != 0 &&
					    cut_sets[k][j] < t->len) {
						cuts[nc++] = cut_sets[k][j];
					}
				}
				if (k != 0 && nc == 0) {
					continue;
				}
				m = mk_chain(t->b, t->len, cuts, nc);
				if (t->meta_tci != 0) {
					set_meta_vlan(m, t->meta_tci);
				}
				got = cap_filter_match(flt, m);
				interp = cap_filter_match_interp(flt, m);
				if (got != want || interp != want) {
					fail_msg("\"%s\" on %s (cut %u): "
						 "jit %d interpreter %d "
						 "libpcap %d",
						 exprs[e], t->what, k, got,
						 interp, want);
				}
				rte_pktmbuf_free(m);
				checks++;
				matches += got;
			}
		}
		pcap_freecode(&own);
		pcap_close(pc);
		cap_filter_destroy(flt);
	}
	/* Not a vacuous agreement: both verdicts occur often. */
	assert_true(matches > checks / 20);
	assert_true(matches < checks - checks / 20);
	print_message("      %u verdicts agree (%u matches)\n", checks,
		      matches);
}

/* Copying the wire frame: restored tag, any chain, snaplen, pool empty. */
static void
test_frame_copy(void **state)
{
	static const uint32_t cuts[] = { 5, 13, 40 };
	struct rte_mempool *small;
	struct rte_mbuf *m, *c, *held[8];
	uint8_t w[200], out[200];
	unsigned int i;

	(void)state;
	m = mk_chain(echo, sizeof(echo), cuts, 3);
	set_meta_vlan(m, 0xa00a);
	assert_true(cap_frame_meta_vlan(m));
	assert_int_equal(cap_frame_len(m), sizeof(echo) + 4);
	tagged(echo, sizeof(echo), 0xa00a, w);
	/* Every sub-range of the wire frame. */
	for (i = 0; i < sizeof(echo) + 4; i += 3) {
		uint32_t n = (uint32_t)sizeof(echo) + 4 - i;

		memset(out, 0, sizeof(out));
		assert_int_equal(cap_frame_copy(m, i, n, out), n);
		assert_memory_equal(out, w + i, n);
	}
	assert_int_equal(cap_frame_copy(m, 10, sizeof(echo), out), 0);
	/* A clone is the wire frame, snapped, without metadata. */
	c = cap_frame_clone(pool, m, 50);
	assert_non_null(c);
	assert_int_equal(c->pkt_len, 50);
	assert_int_equal(c->ol_flags & RTE_MBUF_F_RX_VLAN, 0);
	assert_memory_equal(rte_pktmbuf_mtod(c, uint8_t *), w, 50);
	rte_pktmbuf_free(c);
	/* A pool with 2 KiB buffers: a 9000-byte frame becomes a chain. */
	{
		static uint8_t jumbo[9000];
		struct rte_mbuf *j;

		for (i = 0; i < sizeof(jumbo); i++) {
			jumbo[i] = (uint8_t)(i * 13);
		}
		j = mk_chain(jumbo, sizeof(jumbo),
			     (const uint32_t[]){ 2000, 4000, 6000, 8000 }, 4);
		c = cap_frame_clone(pool, j, 262144);
		assert_non_null(c);
		assert_int_equal(c->pkt_len, sizeof(jumbo));
		assert_true(c->nb_segs >= 5);
		{
			static uint8_t back[9000];
			const void *p = rte_pktmbuf_read(c, 0, sizeof(back),
							 back);

			assert_memory_equal(p, jumbo, sizeof(jumbo));
		}
		rte_pktmbuf_free(c);
		rte_pktmbuf_free(j);
	}
	/* Pool empty: NULL, nothing leaks. */
	small = rte_pktmbuf_pool_create("cap_small", 8, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	assert_non_null(small);
	assert_int_equal(rte_pktmbuf_alloc_bulk(small, held, 8), 0);
	assert_null(cap_frame_clone(small, m, 100));
	rte_pktmbuf_free_bulk(held, 8);
	assert_int_equal(rte_mempool_avail_count(small), 8);
	rte_mempool_free(small);
	rte_pktmbuf_free(m);
}

/*
 * Several captures of one port at once (unfiltered, icmp, tcp port 5201,
 * vlan 10): each filtered file holds exactly the packets libpcap selects
 * from the unfiltered file with the same expression, in order -- what
 * `tcpdump -r unfiltered.pcapng EXPR` would print.
 */
static void
test_filters_on_captures(void **state)
{
	static const char *const fx[] = { "icmp", "tcp port 5201", "vlan 10",
					  "ether host 02:00:00:00:00:0a" };
	struct cap_capture *all, *fc[RTE_DIM(fx)];
	struct cap_iface ifc;
	struct cap_cfg cfg;
	struct rfile fall, ff;
	char errbuf[PCAP_ERRBUF_SIZE];
	char path[RTE_DIM(fx)][512];
	unsigned int e, i, rounds;

	(void)state;
	build_tframes();
	iface(&ifc, "lab/vm1/eth0", "netvsc");
	cfg_init(&cfg, &ifc, "all.pcapng");
	cfg.dir = CAP_DIR_IN;
	all = start(&cfg);
	assert_int_equal(cap_attach(all, 0, &fakes[0].port), 0);
	for (e = 0; e < RTE_DIM(fx); e++) {
		char name[64];

		snprintf(name, sizeof(name), "filter%u.pcapng", e);
		cfg_init(&cfg, &ifc, name);
		snprintf(path[e], sizeof(path[e]), "%s", cfg.path);
		cfg.dir = CAP_DIR_IN;
		cfg.filter = fx[e];
		fc[e] = start(&cfg);
		assert_int_equal(cap_attach(fc[e], 0, &fakes[0].port), 0);
	}
	/* The same capture twice on one port is refused. */
	assert_int_equal(cap_attach(all, 0, &fakes[0].port), -EALREADY);
	for (rounds = 0; rounds < 3; rounds++) {
		for (i = 0; i < n_tframes; i++) {
			struct rte_mbuf *m;

			if (tframes[i].len < 14) {
				continue; /* runts are dropped: not "IN" */
			}
			m = mk_mbuf(tframes[i].b, tframes[i].len);
			if (tframes[i].meta_tci != 0) {
				set_meta_vlan(m, tframes[i].meta_tci);
			}
			inject(0, m);
		}
	}
	assert_int_equal(cap_capture_stop(all), 0);
	read_file(cfg_init(&cfg, &ifc, "all.pcapng")->path, &fall);
	assert_true(fall.n_pkt >= 3 * (n_tframes - 2));
	tshark_check(cfg.path);
	for (e = 0; e < RTE_DIM(fx); e++) {
		struct bpf_program prog;
		pcap_t *pc;
		struct pcap_pkthdr *h;
		const u_char *d;
		unsigned int j = 0, want = 0;
		struct cap_info info;

		assert_int_equal(cap_capture_stop(fc[e]), 0);
		cap_capture_info(fc[e], &info);
		read_file(path[e], &ff);
		assert_string_equal(ff.idb_filter[0], fx[e]);
		/* libpcap reads our pcapng and filters it like tcpdump. */
		pc = pcap_open_offline(
			cfg_init(&cfg, &ifc, "all.pcapng")->path, errbuf);
		assert_non_null(pc);
		assert_int_equal(pcap_compile(pc, &prog, fx[e], 1,
					      PCAP_NETMASK_UNKNOWN),
				 0);
		while (pcap_next_ex(pc, &h, &d) == 1) {
			if (pcap_offline_filter(&prog, h, d) == 0) {
				continue;
			}
			want++;
			assert_true(j < ff.n_pkt);
			assert_int_equal(ff.pkts[j].caplen, h->caplen);
			assert_memory_equal(ff.pkts[j].data, d, h->caplen);
			j++;
		}
		assert_int_equal(ff.n_pkt, want);
		assert_true(want > 0);
		assert_int_equal(info.stats.written, want);
		assert_int_equal(info.stats.matched, want);
		assert_int_equal(info.stats.filtered_out,
				 info.stats.seen - want);
		assert_int_equal(ff.isb_filteraccept[0], want);
		pcap_freecode(&prog);
		pcap_close(pc);
		tshark_check(path[e]);
		free_file(&ff);
	}
	free_file(&fall);
	drain_fakes();
}

/* Ingress guard like the policy's MAC-spoofing check. */
static uint16_t
spoof_guard(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);

		if (rte_is_same_ether_addr(&eh->src_addr, &port->mac)) {
			pkts[k++] = pkts[i];
		} else {
			vsw_port_drop(port, pkts[i], VSW_DROP_SPOOF);
		}
	}
	return k;
}

/* A frame from src to dst (60 bytes). */
static struct rte_mbuf *
mk_l2(const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
      uint8_t fill)
{
	struct rte_mbuf *m = mk_plain(60, fill);
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(src, &eh->src_addr);
	return m;
}

/*
 * --drops: spoofed frames appear as received (inbound, before policy)
 * and again as dropped with the comment "mac-spoofing"; same-port and
 * link-down drops carry their names and directions.  Without --drops no
 * dropped frame is written.
 */
static void
test_drops_with_reason(void **state)
{
	struct cap_capture *c, *nodrops;
	struct cap_iface ifc;
	struct cap_cfg cfg;
	struct rfile f;
	const struct rte_ether_addr vm1 = fakes[0].port.mac;
	const struct rte_ether_addr vm2 = fakes[1].port.mac;
	unsigned int i, spoof = 0, same = 0, down = 0, plain_in = 0;
	char path2[512];

	(void)state;
	iface(&ifc, "lab/vm1/eth0", "netvsc");
	cfg_init(&cfg, &ifc, "nodrops.pcapng");
	snprintf(path2, sizeof(path2), "%s", cfg.path);
	nodrops = start(&cfg);
	cfg_init(&cfg, &ifc, "drops.pcapng");
	cfg.drops = true;
	c = start(&cfg);
	assert_int_equal(cap_attach(c, 0, &fakes[0].port), 0);
	assert_int_equal(cap_attach(nodrops, 0, &fakes[0].port), 0);
	fakes[0].port.ingress = spoof_guard;

	/* vm1 and vm2 learned. */
	inject(0, mk_l2(&mac_b, &vm1, 1));
	inject(1, mk_l2(&vm1, &vm2, 2));
	/* 10 spoofed frames from vm1. */
	for (i = 0; i < 10; i++) {
		inject(0, mk_l2(&vm2, &mac_a, 3));
	}
	/* vm1 sends to itself: "same-port" (inbound). */
	inject(0, mk_l2(&vm1, &vm1, 4));
	/* vm1's link goes down: vm2 -> vm1 is "link-down" (outbound). */
	fakes[0].port.link_up = false;
	inject(1, mk_l2(&vm1, &vm2, 5));
	fakes[0].port.link_up = true;
	fakes[0].port.ingress = NULL;

	assert_int_equal(cap_capture_stop(c), 0);
	assert_int_equal(cap_capture_stop(nodrops), 0);
	read_file(cfg.path, &f);
	for (i = 0; i < f.n_pkt; i++) {
		const struct rpkt *p = &f.pkts[i];

		if (strcmp(p->comment, "mac-spoofing") == 0) {
			assert_int_equal(p->flags, CAP_PCAPNG_DIR_IN);
			assert_memory_equal(p->data + 6, mac_a.addr_bytes, 6);
			/* Right after the same frame seen inbound. */
			assert_true(i > 0);
			assert_string_equal(f.pkts[i - 1].comment, "");
			assert_memory_equal(f.pkts[i - 1].data, p->data, 60);
			spoof++;
		} else if (strcmp(p->comment, "same-port") == 0) {
			assert_int_equal(p->flags, CAP_PCAPNG_DIR_IN);
			same++;
		} else if (strcmp(p->comment, "link-down") == 0) {
			assert_int_equal(p->flags, CAP_PCAPNG_DIR_OUT);
			assert_int_equal(p->data[20], 5);
			down++;
		} else {
			assert_string_equal(p->comment, "");
			plain_in += p->flags == CAP_PCAPNG_DIR_IN;
		}
	}
	assert_int_equal(spoof, 10);
	assert_int_equal(same, 1);
	assert_int_equal(down, 1);
	/* 1 learn + 10 spoofed + 1 same-port seen inbound. */
	assert_int_equal(plain_in, 12);
	/* + the delivered vm2 -> vm1 frame. */
	assert_int_equal(f.n_pkt, 12 + 1 + 12);
	if (tshark_check(cfg.path) != UINT32_MAX) {
		const char *out = tshark_fields(
			cfg.path,
			"-e frame.comment -e frame.packet_flags_direction");

		assert_int_equal(count_str(out, "mac-spoofing\t0x00000001"),
				 10);
		assert_int_equal(count_str(out, "same-port\t0x00000001"), 1);
		assert_int_equal(count_str(out, "link-down\t0x00000002"), 1);
	}
	free_file(&f);
	read_file(path2, &f);
	for (i = 0; i < f.n_pkt; i++) {
		assert_string_equal(f.pkts[i].comment, "");
	}
	assert_int_equal(f.n_pkt, 12 + 1);
	tshark_check(path2);
	free_file(&f);
	drain_fakes();
}

/*
 * Tag in metadata: written with the 802.1Q tag restored (inbound on vm1
 * and delivered on vm2), 4 bytes longer; `vlan 10` selects them; snaplen
 * cuts the restored frame.
 */
static void
test_vlan_restored(void **state)
{
	struct cap_capture *c, *v10, *v20, *snap;
	struct cap_iface ifcs[2];
	struct cap_cfg cfg;
	struct rfile f;
	uint8_t w[200];
	const uint16_t tci = (5 << 13) | 10;
	unsigned int i;
	char p10[512], p20[512], psnap[512];

	(void)state;
	iface(&ifcs[0], "lab/vm1/eth0", "netvsc");
	iface(&ifcs[1], "lab/vm2/eth0", "netvsc");
	cfg_init(&cfg, ifcs, "vlan.pcapng");
	cfg.n_ifaces = 2;
	c = start(&cfg);
	cfg_init(&cfg, ifcs, "vlan10.pcapng");
	snprintf(p10, sizeof(p10), "%s", cfg.path);
	cfg.filter = "vlan 10";
	cfg.dir = CAP_DIR_IN;
	v10 = start(&cfg);
	cfg_init(&cfg, ifcs, "vlan20.pcapng");
	snprintf(p20, sizeof(p20), "%s", cfg.path);
	cfg.filter = "vlan 20";
	v20 = start(&cfg);
	cfg_init(&cfg, ifcs, "snap.pcapng");
	snprintf(psnap, sizeof(psnap), "%s", cfg.path);
	cfg.snaplen = 40;
	cfg.dir = CAP_DIR_IN;
	snap = start(&cfg);
	assert_int_equal(cap_attach(c, 0, &fakes[0].port), 0);
	assert_int_equal(cap_attach(c, 1, &fakes[1].port), 0);
	assert_int_equal(cap_attach(c, 1, &fakes[2].port), -EALREADY);
	assert_int_equal(cap_attach(v10, 0, &fakes[0].port), 0);
	assert_int_equal(cap_attach(v20, 0, &fakes[0].port), 0);
	assert_int_equal(cap_attach(snap, 0, &fakes[0].port), 0);

	for (i = 0; i < 20; i++) {
		static const uint32_t cut[] = { 12 };
		struct rte_mbuf *m = mk_chain(echo, sizeof(echo), cut,
					      i % 2);

		set_meta_vlan(m, tci);
		inject(0, m);
	}
	/* Delivered to vm2 still with the tag in metadata. */
	assert_int_equal(fakes[1].rx_total, 20);
	assert_true(fakes[1].txq[0]->ol_flags & RTE_MBUF_F_RX_VLAN);
	assert_int_equal(fakes[1].txq[0]->pkt_len, sizeof(echo));

	assert_int_equal(cap_capture_stop(c), 0);
	assert_int_equal(cap_capture_stop(v10), 0);
	assert_int_equal(cap_capture_stop(v20), 0);
	assert_int_equal(cap_capture_stop(snap), 0);
	tagged(echo, sizeof(echo), tci, w);
	read_file(cfg_init(&cfg, ifcs, "vlan.pcapng")->path, &f);
	assert_int_equal(f.n_idb, 2);
	assert_string_equal(f.idb_name[1], "lab/vm2/eth0");
	assert_int_equal(f.n_pkt, 40);
	for (i = 0; i < 40; i++) {
		const struct rpkt *p = &f.pkts[i];

		assert_int_equal(p->if_id, i % 2);
		assert_int_equal(p->flags, i % 2 == 0 ? CAP_PCAPNG_DIR_IN :
							CAP_PCAPNG_DIR_OUT);
		assert_int_equal(p->caplen, sizeof(echo) + 4);
		assert_int_equal(p->orig_len, sizeof(echo) + 4);
		assert_memory_equal(p->data, w, sizeof(echo) + 4);
	}
	assert_int_equal(f.n_isb, 2);
	assert_int_equal(f.isb_usrdeliv[0], 20);
	assert_int_equal(f.isb_usrdeliv[1], 20);
	if (tshark_check(cfg.path) != UINT32_MAX) {
		const char *out = tshark_fields(
			cfg.path, "-e vlan.id -e vlan.priority -e icmp.type");

		assert_int_equal(count_str(out, "10\t5\t8\n"), 40);
	}
	free_file(&f);
	read_file(p10, &f);
	assert_int_equal(f.n_pkt, 20);
	tshark_check(p10);
	free_file(&f);
	read_file(p20, &f);
	assert_int_equal(f.n_pkt, 0);
	tshark_check(p20);
	free_file(&f);
	read_file(psnap, &f);
	assert_int_equal(f.n_pkt, 20);
	assert_int_equal(f.idb_snaplen[0], 40);
	for (i = 0; i < 20; i++) {
		assert_int_equal(f.pkts[i].caplen, 40);
		assert_int_equal(f.pkts[i].orig_len, sizeof(echo) + 4);
		assert_memory_equal(f.pkts[i].data, w, 40);
	}
	tshark_check(psnap);
	free_file(&f);
	drain_fakes();
}

/* Reads a pipe to EOF into a buffer (the slow reader, started late). */
struct reader {
	int fd;          /* read end */
	uint8_t *buf;    /* data */
	size_t len;      /* bytes read */
	size_t cap;      /* buffer size */
	pthread_t th;    /* thread */
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;

	for (;;) {
		ssize_t n;

		if (r->len == r->cap) {
			r->cap *= 2;
			r->buf = realloc(r->buf, r->cap);
			assert_non_null(r->buf);
		}
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n <= 0) {
			break;
		}
		r->len += (size_t)n;
	}
	return NULL;
}

static void
reader_start(struct reader *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->cap = 1 << 20;
	r->buf = malloc(r->cap);
	assert_non_null(r->buf);
	assert_int_equal(pthread_create(&r->th, NULL, reader_main, r), 0);
}

/*
 * A writer that cannot keep up (nobody reads its pipe yet): frames are
 * lost and counted, the switch delivers every frame anyway, and once the
 * reader reads, the stream is complete and valid with the losses in its
 * statistics block.
 */
static void
loss_case(unsigned int pool_size, unsigned int ring_size, bool paced)
{
	struct cap_capture *c;
	struct cap_iface ifc;
	struct cap_cfg cfg;
	struct cap_info info;
	struct reader r;
	struct rfile f;
	int fds[2];
	unsigned int i;
	const unsigned int n = 3000;

	cap_engine_destroy(eng);
	eng = engine_new(pool_size, ring_size);
	assert_int_equal(pipe(fds), 0);
	iface(&ifc, "lab/vm1/eth0", "netvsc");
	cfg_init(&cfg, &ifc, NULL);
	cfg.fd = fds[1];
	cfg.dir = CAP_DIR_IN;
	c = start(&cfg);
	assert_int_equal(cap_attach(c, 0, &fakes[0].port), 0);
	for (i = 0; i < n; i++) {
		inject(0, mk_plain(1514, (uint8_t)i));
		if (fakes[1].n_tx > 2000) {
			drain_fakes();
		}
		if (paced && i % 16 == 15) {
			usleep(200); /* the writer keeps up with the ring */
		}
	}
	/* The switch did not slow down or drop anything. */
	assert_int_equal(fakes[1].rx_total, n);
	assert_int_equal(vsw_port_drops_total(&fakes[0].port), 0);
	assert_int_equal(vsw_port_drops_total(&fakes[1].port), 0);
	cap_capture_info(c, &info);
	assert_int_equal(info.stats.seen, n);
	assert_int_equal(info.stats.matched, n);
	/* 1 MiB of buffer + 64 KiB of pipe hold < 750 of these frames. */
	assert_true(info.stats.lost > n / 2);
	if (paced) {
		/* The writer filled its buffer and the pipe, then stopped
		 * taking frames: the ring filled up behind it. */
		assert_true(info.stats.written >= 600);
	}
	/* Now read; stop drains and completes the stream. */
	reader_start(&r, fds[0]);
	assert_int_equal(cap_capture_stop(c), 0);
	pthread_join(r.th, NULL);
	close(fds[0]);
	cap_capture_info(c, &info);
	assert_int_equal(info.stats.written + info.stats.lost, n);
	memset(&f, 0, sizeof(f));
	f.raw = r.buf;
	f.len = r.len;
	parse_raw(&f);
	assert_int_equal(f.n_pkt, info.stats.written);
	assert_int_equal(f.isb_ifdrop[0], info.stats.lost);
	assert_int_equal(f.isb_ifrecv[0], n);
	for (i = 0; i < f.n_pkt; i++) {
		assert_int_equal(f.pkts[i].caplen, 1514);
	}
	/* What the reader got is a valid capture for tshark too. */
	{
		char path[600];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/stream.pcapng", workdir);
		fp = fopen(path, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(f.raw, 1, f.len, fp), f.len);
		fclose(fp);
		if (have_tshark) {
			assert_int_equal(tshark_check(path), f.n_pkt);
		}
	}
	print_message("      pool %u ring %u: %" PRIu64 " written, %" PRIu64
		      " lost\n",
		      pool_size, ring_size, info.stats.written,
		      info.stats.lost);
	free_file(&f);
	assert_int_equal(cap_detach(c, 0), 0);
	assert_int_equal(cap_capture_destroy(c), 0);
	drain_fakes();
}

/* Bursts faster than the writer's pass: the 64-slot ring overflows. */
static void
test_loss_ring_full(void **state)
{
	(void)state;
	loss_case(CAP_POOL, 64, false);
}

/* A 255-mbuf pool: copies wait in the ring until the pool is empty. */
static void
test_loss_pool_empty(void **state)
{
	(void)state;
	loss_case(255, 4096, false);
}

/* A reader that does not read: buffer and pipe fill, then the ring. */
static void
test_loss_slow_reader(void **state)
{
	(void)state;
	loss_case(CAP_POOL, 256, true);
}

/* Ring files: 3 files of 64 KiB kept, numbered on, each a whole file. */
static void
test_ring_files(void **state)
{
	struct cap_capture *c;
	struct cap_iface ifc;
	struct cap_cfg cfg;
	struct cap_info info;
	struct rfile f;
	char name[600];
	unsigned int i, total = 0;
	uint64_t first;
	uint8_t prev_last = 0;

	(void)state;
	iface(&ifc, "lab/vm1/eth0", "netvsc");
	cfg_init(&cfg, &ifc, "ring.pcapng");
	cfg.ring_files = 3;
	cfg.ring_file_bytes = 64 * 1024;
	cfg.dir = CAP_DIR_IN;
	c = start(&cfg);
	assert_int_equal(cap_attach(c, 0, &fakes[0].port), 0);
	for (i = 0; i < 2000; i++) {
		inject(0, mk_plain(600, (uint8_t)i));
		if (i % 100 == 99) {
			drain_fakes();
			/* Let the writer keep up: no loss in this test. */
			wait_written(c, i + 1);
		}
	}
	assert_int_equal(cap_capture_stop(c), 0);
	cap_capture_info(c, &info);
	assert_int_equal(info.stats.lost, 0);
	assert_int_equal(info.stats.written, 2000);
	/* 2000 EPBs of 644 bytes: ~19 files of 64 KiB. */
	assert_true(info.stats.files >= 18 && info.stats.files <= 22);
	first = info.stats.files - 2;
	for (i = 1; i <= info.stats.files; i++) {
		struct stat st;

		snprintf(name, sizeof(name), "%s/ring_%05u.pcapng", workdir, i);
		if (i < first) {
			assert_int_not_equal(stat(name, &st), 0);
			continue;
		}
		read_file(name, &f);
		assert_int_equal(f.n_shb, 1);
		assert_int_equal(f.n_idb, 1);
		assert_string_equal(f.idb_name[0], "lab/vm1/eth0");
		assert_int_equal(f.n_isb, 1);
		assert_true(f.n_pkt > 0);
		/* Within the size, plus the closing statistics block. */
		assert_true(f.len <= 64 * 1024 + 112);
		if (i < info.stats.files) {
			assert_true(f.len > 64 * 1024 - 700);
		}
		/* Frames continue from one file to the next. */
		if (i > first) {
			assert_int_equal(f.pkts[0].data[20],
					 (uint8_t)(prev_last + 1));
		}
		prev_last = f.pkts[f.n_pkt - 1].data[20];
		total += f.n_pkt;
		if (i == info.stats.files) {
			/* The last frame written is the last sent. */
			assert_int_equal(f.pkts[f.n_pkt - 1].data[20],
					 (uint8_t)1999);
			assert_int_equal(f.isb_usrdeliv[0], 2000);
		}
		tshark_check(name);
		free_file(&f);
	}
	assert_true(total > 200 && total < 2000);
	/* No stray file with the plain name. */
	snprintf(name, sizeof(name), "%s/ring.pcapng", workdir);
	assert_int_not_equal(access(name, F_OK), 0);
	drain_fakes();
}

/*
 * The disk fills up: the capture ends by itself with "disk full", the
 * switch keeps forwarding, and the file is valid up to its last whole
 * block.
 */
static void
test_disk_full(void **state)
{
	struct cap_capture *c;
	struct cap_iface ifc;
	struct cap_cfg cfg;
	struct cap_info info;
	struct rlimit old;
	struct rfile f;
	char path[600];
	unsigned int i, sent;

	(void)state;
	iface(&ifc, "lab/vm1/eth0", "netvsc");
	cfg_init(&cfg, &ifc, NULL);
	if (have_tmpfs) {
		snprintf(path, sizeof(path), "%s/full.pcapng", fulldir);
	} else {
		snprintf(path, sizeof(path), "%s/fsize.pcapng", workdir);
		struct rlimit lim;

		assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
		lim = old;
		lim.rlim_cur = 64 * 1024;
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	}
	cfg.path = path;
	cfg.dir = CAP_DIR_IN;
	c = start(&cfg);
	assert_int_equal(cap_attach(c, 0, &fakes[0].port), 0);
	for (i = 0; i < 5000; i++) {
		inject(0, mk_plain(1000, (uint8_t)i));
		if (fakes[1].n_tx > 1000) {
			drain_fakes();
		}
		if (i % 50 == 0) {
			cap_capture_info(c, &info);
			if (info.state == CAP_STOPPED) {
				break;
			}
			usleep(2000);
		}
	}
	wait_stopped(c, 5000, &info);
	if (!have_tmpfs) {
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	}
	/* The switch went on (and goes on) delivering every frame. */
	sent = i < 5000 ? i + 1 : i;
	inject(0, mk_plain(1000, 1));
	assert_int_equal(fakes[1].rx_total, sent + 1);
	assert_int_equal(info.end, CAP_END_DISK_FULL);
	assert_true(was_ended(info.id));
	if (have_tmpfs) {
		assert_int_equal(info.end_errno, ENOSPC);
		assert_string_equal(info.status,
				    "stopped: disk full (No space left on "
				    "device)");
	} else {
		assert_int_equal(info.end_errno, EFBIG);
		assert_string_equal(info.status,
				    "stopped: disk full (File too large)");
	}
	read_file(path, &f);
	assert_true(f.len <= 64 * 1024);
	assert_true(f.n_pkt > 20);
	/* What the file holds is what "written" says. */
	assert_int_equal(f.n_pkt, info.stats.written);
	assert_int_equal(info.stats.file_bytes, f.len);
	print_message("      %s: %u frames, %zu bytes kept\n", info.status,
		      f.n_pkt, f.len);
	tshark_check(path);
	free_file(&f);
	unlink(path);
	drain_fakes();
}

/* `-w -`: a pipe into tshark shows packets while the capture runs. */
static void
test_pipe_live(void **state)
{
	struct cap_capture *c;
	struct cap_iface ifc;
	struct cap_cfg cfg;
	struct cap_info info;
	int cap_pipe[2], out_pipe[2], st;
	unsigned int lines = 0, sent = 0, i;
	char buf[4096];
	pid_t pid;

	(void)state;
	if (!have_tshark) {
		skip();
	}
	assert_int_equal(pipe(cap_pipe), 0);
	assert_int_equal(pipe(out_pipe), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(cap_pipe[0], 0);
		dup2(out_pipe[1], 1);
		dup2(devnull, 2); /* "Running as user root" */
		close(cap_pipe[0]);
		close(cap_pipe[1]);
		close(out_pipe[0]);
		close(out_pipe[1]);
		execlp("tshark", "tshark", "-l", "-n", "-r", "-", (char *)NULL);
		_exit(127);
	}
	close(cap_pipe[0]);
	close(out_pipe[1]);
	iface(&ifc, "lab/vm1/eth0", "netvsc");
	cfg_init(&cfg, &ifc, NULL);
	cfg.fd = cap_pipe[1]; /* the engine owns it now */
	c = start(&cfg);
	assert_int_equal(cap_attach(c, 0, &fakes[0].port), 0);
	/* One ping every 20 ms until tshark has printed 5 packets. */
	for (i = 0; i < 1500 && lines < 5; i++) {
		struct pollfd pfd = { .fd = out_pipe[0], .events = POLLIN };

		if (i % 2 == 0) {
			uint8_t fr[ICMP_LEN];

			build_icmp(fr, 0x0a, 0x0b, 8, 7, (uint16_t)sent++);
			inject(0, mk_mbuf(fr, ICMP_LEN));
			drain_fakes();
		}
		if (poll(&pfd, 1, 10) == 1) {
			ssize_t n = read(out_pipe[0], buf, sizeof(buf) - 1);

			assert_true(n > 0);
			buf[n] = '\0';
			lines += count_str(buf, "\n");
		}
	}
	/* Seen live, before the capture stopped. */
	cap_capture_info(c, &info);
	assert_int_equal(info.state, CAP_RUNNING);
	assert_true(lines >= 5);
	assert_int_equal(cap_capture_stop(c), 0);
	/* EOF reaches tshark: it prints the rest and exits 0. */
	for (;;) {
		ssize_t n = read(out_pipe[0], buf, sizeof(buf) - 1);

		if (n <= 0) {
			break;
		}
		buf[n] = '\0';
		lines += count_str(buf, "\n");
	}
	close(out_pipe[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	cap_capture_info(c, &info);
	assert_int_equal(info.stats.written, sent);
	assert_int_equal(lines, sent);
	print_message("      %u packets, tshark printed the first 5 live\n",
		      sent);
	drain_fakes();
}

/*
 * Stream readers that misbehave: one closes its end (the capture ends by
 * itself, "reader went away"), one never reads (stop gives up after its
 * 2 s grace and counts what it could not deliver as lost).
 */
static void
test_stream_readers(void **state)
{
	struct cap_capture *gone, *stuck;
	struct cap_iface ifc;
	struct cap_cfg cfg;
	struct cap_info info;
	struct timespec t0, t1;
	int p1[2], p2[2];
	unsigned int i;

	(void)state;
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	iface(&ifc, "lab/vm1/eth0", "netvsc");
	cfg_init(&cfg, &ifc, NULL);
	cfg.fd = p1[1];
	gone = start(&cfg);
	cfg.fd = p2[1];
	stuck = start(&cfg);
	assert_int_equal(cap_attach(gone, 0, &fakes[0].port), 0);
	assert_int_equal(cap_attach(stuck, 0, &fakes[0].port), 0);
	close(p1[0]); /* the first reader goes away */
	for (i = 0; i < 2000; i++) {
		inject(0, mk_plain(1514, (uint8_t)i));
		if (fakes[1].n_tx > 1000) {
			drain_fakes();
		}
		if (i % 100 == 99) {
			usleep(1000);
		}
	}
	wait_stopped(gone, 5000, &info);
	assert_int_equal(info.end, CAP_END_READER_GONE);
	assert_int_equal(info.end_errno, EPIPE);
	assert_string_equal(info.status,
			    "stopped: reader went away (Broken pipe)");
	assert_true(was_ended(info.id));
	/* The other one is still running; its reader never reads. */
	cap_capture_info(stuck, &info);
	assert_int_equal(info.state, CAP_RUNNING);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(cap_capture_stop(stuck), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec <= 4);
	cap_capture_info(stuck, &info);
	assert_string_equal(info.status, "stopped: by user");
	assert_int_equal(info.stats.seen, 2000);
	assert_true(info.stats.lost > 0);
	close(p2[0]);
	drain_fakes();
}

/*
 * A port is removed: a capture that watched only it ends ("port
 * removed") with a complete file and the end notification; a capture
 * with another port left keeps running.
 */
static void
test_port_removed(void **state)
{
	struct cap_capture *only, *two;
	struct cap_iface ifcs[2];
	struct cap_cfg cfg;
	struct cap_info info;
	struct rfile f;
	char p1[512], p2[512];
	unsigned int i;

	(void)state;
	iface(&ifcs[0], "lab/vm2/eth0", "netvsc");
	iface(&ifcs[1], "lab/vm3/eth0", "netvsc");
	cfg_init(&cfg, ifcs, "gone.pcapng");
	snprintf(p1, sizeof(p1), "%s", cfg.path);
	only = start(&cfg);
	cfg_init(&cfg, ifcs, "gone2.pcapng");
	cfg.n_ifaces = 2;
	two = start(&cfg);
	snprintf(p2, sizeof(p2), "%s", cfg.path);
	assert_int_equal(cap_attach(only, 0, &fakes[1].port), 0);
	assert_int_equal(cap_attach(two, 0, &fakes[1].port), 0);
	assert_int_equal(cap_attach(two, 1, &fakes[2].port), 0);
	for (i = 0; i < 10; i++) {
		inject(1, mk_l2(&mac_a, &fakes[1].port.mac, (uint8_t)i));
	}
	/* The lcore detaches everything from the port, then removes it. */
	cap_port_detach_all(&fakes[1].port);
	assert_null(fakes[1].port.capture);
	assert_null(fakes[1].port.capture_ctx);
	assert_int_equal(vsw_switch_remove_port(sw, 1), 0);
	assert_int_equal(fakes[1].destroyed, 1);
	wait_stopped(only, 5000, &info);
	assert_int_equal(info.end, CAP_END_PORT_GONE);
	assert_string_equal(info.status, "stopped: port removed");
	assert_int_equal(info.n_attached, 0);
	assert_true(was_ended(info.id));
	read_file(p1, &f);
	assert_int_equal(f.n_pkt, 10);
	assert_int_equal(f.n_isb, 1);
	tshark_check(p1);
	free_file(&f);
	/* The two-port capture lives on with vm3. */
	usleep(20000);
	cap_capture_info(two, &info);
	assert_int_equal(info.state, CAP_RUNNING);
	assert_int_equal(info.n_attached, 1);
	assert_int_equal(cap_capture_destroy(two), -EBUSY);
	assert_int_equal(cap_detach(two, 1), 0);
	assert_int_equal(cap_detach(two, 1), -ENOENT);
	assert_int_equal(cap_capture_destroy(two), 0);
	read_file(p2, &f);
	/* 10 sent by vm2, the same 10 flooded to vm3. */
	assert_int_equal(f.n_pkt, 20);
	assert_int_equal(f.isb_usrdeliv[0], 10);
	assert_int_equal(f.isb_usrdeliv[1], 10);
	assert_int_equal(f.n_isb, 2);
	tshark_check(p2);
	free_file(&f);
	/* Teardown's switch destroy must not see the removed port. */
	drain_fakes();
}

/* The text libpcap itself gives for a bad expression. */
static void
pcap_error_text(const char *expr, char *out, size_t len)
{
	pcap_t *pc = pcap_open_dead(DLT_EN10MB, 262144);
	struct bpf_program prog;

	assert_int_not_equal(pcap_compile(pc, &prog, expr, 1,
					  PCAP_NETMASK_UNKNOWN),
			     0);
	snprintf(out, len, "%s", pcap_geterr(pc));
	pcap_close(pc);
}

/* Bad input is refused before anything starts, with a clear message. */
static void
test_bad_input(void **state)
{
	static const char *const bad[] = { "tcp port", "bogus", "vlan 5000",
					   "ether host 1:2:3", "icmp and (" };
	struct cap_capture *c = NULL;
	struct cap_iface ifc;
	struct cap_cfg cfg;
	char err[256], want[256], path[600];
	struct cap_capture *many[8];
	unsigned int i;
	int fds[2];

	(void)state;
	iface(&ifc, "lab/vm1/eth0", "netvsc");
	for (i = 0; i < RTE_DIM(bad); i++) {
		cfg_init(&cfg, &ifc, "never.pcapng");
		cfg.filter = bad[i];
		assert_int_equal(cap_capture_create(eng, &cfg, &c, err,
						    sizeof(err)),
				 -EBADMSG);
		pcap_error_text(bad[i], want, sizeof(want));
		assert_string_equal(err, want);
		/* Refused before the file was created. */
		assert_int_not_equal(access(cfg.path, F_OK), 0);
	}
	print_message("      e.g. \"%s\": %s\n", bad[0], err);
	/* Unwritable outputs. */
	cfg_init(&cfg, &ifc, NULL);
	cfg.path = "/nonexistent-dir/x.pcapng";
	assert_int_equal(cap_capture_create(eng, &cfg, &c, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "cannot write /nonexistent-dir/x.pcapng: "
			    "No such file or directory");
	cfg.path = workdir;
	assert_int_equal(cap_capture_create(eng, &cfg, &c, err, sizeof(err)),
			 -EISDIR);
	snprintf(path, sizeof(path), "%s/plain", workdir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	snprintf(path, sizeof(path), "%s/plain/x.pcapng", workdir);
	cfg.path = path;
	assert_int_equal(cap_capture_create(eng, &cfg, &c, err, sizeof(err)),
			 -ENOTDIR);
	if (have_tmpfs) {
		/* A read-only file system (root may write anywhere else). */
		snprintf(path, sizeof(path), "%s/ro/x.pcapng", workdir);
		assert_int_equal(cap_capture_create(eng, &cfg, &c, err,
						    sizeof(err)),
				 -EROFS);
		assert_string_equal(strchr(err, ':'),
				    ": Read-only file system");
	}
	/* A FIFO nobody reads. */
	snprintf(path, sizeof(path), "%s/fifo", workdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	cfg.path = path;
	assert_int_equal(cap_capture_create(eng, &cfg, &c, err, sizeof(err)),
			 -ENXIO);
	unlink(path);
	/* Configuration errors. */
	cfg_init(&cfg, &ifc, NULL);
	assert_int_equal(cap_capture_create(eng, &cfg, &c, err, sizeof(err)),
			 -EINVAL); /* no output */
	assert_int_equal(pipe(fds), 0);
	cfg.fd = fds[1];
	cfg.ring_files = 2;
	cfg.ring_file_bytes = 1 << 20;
	assert_int_equal(cap_capture_create(eng, &cfg, &c, err, sizeof(err)),
			 -EINVAL); /* ring on a descriptor */
	assert_string_equal(err, "ring files need a file name and a file "
			    "size");
	/* The descriptor stays the caller's on failure. */
	assert_int_equal(fcntl(fds[1], F_GETFD), 0);
	close(fds[0]);
	close(fds[1]);
	cfg_init(&cfg, &ifc, "x.pcapng");
	cfg.n_ifaces = 0;
	assert_int_equal(cap_capture_create(eng, &cfg, &c, err, sizeof(err)),
			 -EINVAL);
	cfg.n_ifaces = 1;
	cfg.snaplen = CAP_SNAPLEN_DEFAULT + 1;
	assert_int_equal(cap_capture_create(eng, &cfg, &c, err, sizeof(err)),
			 -EINVAL);
	cfg.snaplen = 0;
	cfg.dir = 4;
	assert_int_equal(cap_capture_create(eng, &cfg, &c, err, sizeof(err)),
			 -EINVAL);
	/* The engine's limit (8 captures). */
	cfg_init(&cfg, &ifc, "x.pcapng");
	for (i = 0; i < 8; i++) {
		many[i] = start(&cfg);
	}
	assert_int_equal(cap_capture_create(eng, &cfg, &c, err, sizeof(err)),
			 -ENOSPC);
	for (i = 0; i < 8; i++) {
		assert_int_equal(cap_capture_destroy(many[i]), 0);
	}
	tshark_check(cfg.path);
	assert_int_equal(cap_capture_list(eng, NULL, 0), 0);
	/* Attach errors. */
	cfg_init(&cfg, &ifc, "x.pcapng");
	c = start(&cfg);
	assert_int_equal(cap_attach(c, 1, &fakes[0].port), -EINVAL);
	assert_int_equal(cap_attach(NULL, 0, &fakes[0].port), -EINVAL);
	assert_int_equal(cap_detach(c, 0), -ENOENT);
	fakes[2].port.capture = (vsw_capture_fn)(uintptr_t)1;
	assert_int_equal(cap_attach(c, 0, &fakes[2].port), -EBUSY);
	fakes[2].port.capture = NULL;
	assert_int_equal(cap_capture_destroy(c), 0);
}

/* --count, --duration and a user stop; list/show while running. */
static void
test_limits_and_list(void **state)
{
	struct cap_capture *cnt, *dur, *run_c;
	struct cap_iface ifc;
	struct cap_cfg cfg;
	struct cap_info info;
	struct rfile f;
	uint32_t ids[8];
	char pc[512];
	unsigned int i;
	uint64_t t0;
	struct timespec ts;

	(void)state;
	iface(&ifc, "lab/vm1/eth0", "netvsc");
	cfg_init(&cfg, &ifc, "count.pcapng");
	snprintf(pc, sizeof(pc), "%s", cfg.path);
	cfg.count = 10;
	cnt = start(&cfg);
	cfg_init(&cfg, &ifc, "duration.pcapng");
	cfg.duration_ms = 200;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	dur = start(&cfg);
	cfg_init(&cfg, &ifc, "run.pcapng");
	run_c = start(&cfg);
	assert_int_equal(cap_capture_list(eng, ids, 8), 3);
	assert_int_equal(ids[0], cap_capture_id(cnt));
	assert_int_equal(ids[1], cap_capture_id(dur));
	assert_int_equal(ids[2], cap_capture_id(run_c));
	assert_true(ids[0] < ids[1] && ids[1] < ids[2]);
	assert_ptr_equal(cap_capture_find(eng, ids[1]), dur);
	assert_null(cap_capture_find(eng, 9999));
	assert_int_equal(cap_attach(cnt, 0, &fakes[0].port), 0);
	assert_int_equal(cap_attach(run_c, 0, &fakes[0].port), 0);
	for (i = 0; i < 50; i++) {
		inject(0, mk_plain(100, (uint8_t)i));
	}
	wait_stopped(cnt, 5000, &info);
	assert_int_equal(info.end, CAP_END_COUNT);
	assert_string_equal(info.status, "stopped: packet count reached");
	assert_int_equal(info.stats.written, 10);
	read_file(pc, &f);
	assert_int_equal(f.n_pkt, 10);
	for (i = 0; i < 10; i++) {
		assert_int_equal(f.pkts[i].data[20], i);
	}
	free_file(&f);
	tshark_check(pc);
	/* Duration: ends on its own, no traffic needed. */
	wait_stopped(dur, 5000, &info);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	assert_int_equal(info.end, CAP_END_DURATION);
	assert_string_equal(info.status, "stopped: duration reached");
	assert_true((uint64_t)ts.tv_sec * 1000 +
			    (uint64_t)ts.tv_nsec / 1000000 - t0 >=
		    200);
	assert_int_equal(cap_capture_stop(dur), -EALREADY);
	{
		char pd[512];

		snprintf(pd, sizeof(pd), "%s/duration.pcapng", workdir);
		read_file(pd, &f);
		assert_int_equal(f.n_pkt, 0);
		assert_int_equal(f.n_isb, 1);
		tshark_check(pd);
		free_file(&f);
	}
	/* Still running: show works, counts are live. */
	wait_written(run_c, 50);
	cap_capture_info(run_c, &info);
	assert_int_equal(info.state, CAP_RUNNING);
	assert_string_equal(info.status, "running");
	assert_string_equal(cap_state_name(info.state), "running");
	assert_int_equal(info.stats.written, 50);
	assert_int_equal(info.stats.bytes, 50 * 100);
	assert_true(info.stats.file_bytes > 0);
	assert_int_equal(info.n_attached, 1);
	assert_int_equal(info.end_ns, 0);
	{
		struct cap_stats is;

		assert_int_equal(cap_capture_iface_stats(run_c, 0, &is), 0);
		assert_int_equal(is.written, 50);
		assert_int_equal(cap_capture_iface_stats(run_c, 1, &is),
				 -EINVAL);
	}
	/* Stopped while attached: lcores skip it until it is detached. */
	assert_int_equal(cap_capture_stop(run_c), 0);
	inject(0, mk_plain(100, 99));
	cap_capture_info(run_c, &info);
	assert_int_equal(info.stats.seen, 50);
	{
		char pr[512];

		snprintf(pr, sizeof(pr), "%s/run.pcapng", workdir);
		read_file(pr, &f);
		assert_int_equal(f.n_pkt, 50);
		tshark_check(pr);
		free_file(&f);
	}
	drain_fakes();
}

/* Frames from two lcores into one capture (multi-producer ring). */
struct worker {
	struct vsw_switch *sw2;      /* the worker's switch */
	struct fake_port fp[2];      /* its ports */
	struct cap_capture *c;       /* capture */
	unsigned int n;              /* frames to send */
	int rc;                      /* attach result */
};

static int
worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int i;

	w->rc = cap_attach(w->c, 1, &w->fp[0].port);
	for (i = 0; i < w->n; i++) {
		struct rte_mbuf *m = mk_plain(200, (uint8_t)i);

		vsw_switch_input(w->sw2, 0, &m, 1, 1000 + i);
		vsw_switch_flush(w->sw2);
		if (w->fp[1].n_tx > 1000) {
			rte_pktmbuf_free_bulk(w->fp[1].txq, w->fp[1].n_tx);
			w->fp[1].n_tx = 0;
		}
	}
	(void)cap_detach(w->c, 1);
	return 0;
}

static void
test_two_lcores(void **state)
{
	static struct worker w;
	struct cap_iface ifcs[2];
	struct cap_cfg cfg;
	struct cap_info info;
	struct rfile f;
	unsigned int i, lcore, n0 = 0, n1 = 0;

	(void)state;
	lcore = rte_get_next_lcore(-1, 1, 0);
	if (lcore >= RTE_MAX_LCORE) {
		skip();
	}
	memset(&w, 0, sizeof(w));
	w.sw2 = vsw_switch_create("lab2", NULL);
	assert_non_null(w.sw2);
	for (i = 0; i < 2; i++) {
		char name[8];

		snprintf(name, sizeof(name), "w%u", i);
		assert_int_equal(vsw_port_init(&w.fp[i].port, &fake_ops, name,
					       NULL, 0, &w.fp[i]),
				 0);
		w.fp[i].port.link_up = true;
		assert_int_equal(vsw_switch_add_port(w.sw2, &w.fp[i].port),
				 (int)i);
	}
	iface(&ifcs[0], "lab/vm1/eth0", "netvsc");
	iface(&ifcs[1], "lab2/w0/eth0", "netvsc");
	cfg_init(&cfg, ifcs, "two.pcapng");
	cfg.n_ifaces = 2;
	cfg.dir = CAP_DIR_IN;
	cfg.multi_lcore = true;
	w.c = start(&cfg);
	w.n = 1500;
	assert_int_equal(cap_attach(w.c, 0, &fakes[0].port), 0);
	assert_int_equal(rte_eal_remote_launch(worker_main, &w, lcore), 0);
	for (i = 0; i < 1500; i++) {
		inject(0, mk_plain(200, (uint8_t)i));
		if (fakes[1].n_tx > 1000) {
			drain_fakes();
		}
	}
	assert_int_equal(rte_eal_wait_lcore(lcore), 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(cap_capture_stop(w.c), 0);
	cap_capture_info(w.c, &info);
	assert_int_equal(info.stats.seen, 3000);
	assert_int_equal(info.stats.lost, 0);
	assert_int_equal(info.stats.written, 3000);
	read_file(cfg.path, &f);
	for (i = 0; i < f.n_pkt; i++) {
		n0 += f.pkts[i].if_id == 0;
		n1 += f.pkts[i].if_id == 1;
	}
	assert_int_equal(n0, 1500);
	assert_int_equal(n1, 1500);
	tshark_check(cfg.path);
	free_file(&f);
	vsw_switch_destroy(w.sw2);
	rte_pktmbuf_free_bulk(w.fp[1].txq, w.fp[1].n_tx);
	drain_fakes();
}

/* ------------------------------------------------------------------ */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Private mount namespace with a 64 KiB tmpfs (before any thread). */
static void
mount_small_tmpfs(void)
{
	char ro[400];

	snprintf(fulldir, sizeof(fulldir), "%s/full", workdir);
	snprintf(ro, sizeof(ro), "%s/ro", workdir);
	if (mkdir(fulldir, 0700) != 0 || mkdir(ro, 0700) != 0) {
		return;
	}
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", fulldir, "tmpfs", 0, "size=64k,mode=0700") != 0 ||
	    mount("tmpfs", ro, "tmpfs", MS_RDONLY, "size=4k") != 0) {
		fprintf(stderr, "test_cap_engine: no tmpfs (%s); disk full "
			"simulated with RLIMIT_FSIZE\n", strerror(errno));
		return;
	}
	have_tmpfs = true;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_ping_1000),
		T(test_filter_differential),
		T(test_frame_copy),
		T(test_filters_on_captures),
		T(test_drops_with_reason),
		T(test_vlan_restored),
		T(test_loss_ring_full),
		T(test_loss_pool_empty),
		T(test_loss_slow_reader),
		T(test_ring_files),
		T(test_disk_full),
		T(test_pipe_live),
		T(test_stream_readers),
		T(test_port_removed),
		T(test_bad_input),
		T(test_limits_and_list),
		T(test_two_lcores),
	};
	char prefix[32];
	char *eal_argv[] = {
		argv[0], "-l", "0-1", "--no-huge", "-m", "512",
		"--file-prefix", prefix, "--no-pci", "--no-shconf",
		"--no-telemetry", "--log-level", "*:error", NULL,
	};
	char runtime_dir[4096];
	int rc;

	(void)argc;
	snprintf(workdir, sizeof(workdir), "/tmp/captest.XXXXXX");
	if (mkdtemp(workdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* SN_CAPTEST_NO_TMPFS=1 exercises the RLIMIT_FSIZE path as root. */
	if (getenv("SN_CAPTEST_NO_TMPFS") == NULL) {
		mount_small_tmpfs();
	}
	have_tshark = run("command -v tshark >/dev/null 2>&1", NULL, 0) == 0;
	if (!have_tshark) {
		fprintf(stderr, "test_cap_engine: tshark not found; files "
			"are checked by the built-in reader only\n");
	}
	/* Fewer than 2 CPUs: run on one lcore (test_two_lcores skips). */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		eal_argv[2] = "0";
	}
	snprintf(prefix, sizeof(prefix), "captest%ld", (long)getpid());
	if (rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s",
		 rte_eal_get_runtime_dir());
	pool = rte_pktmbuf_pool_create("captest", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "pool: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	(void)rmdir(runtime_dir);
	if (have_tmpfs) {
		char ro[400];

		snprintf(ro, sizeof(ro), "%s/ro", workdir);
		(void)umount(fulldir);
		(void)umount(ro);
	}
	(void)nftw(workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
