/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_snd_ports.c - the uplink (snd_eth_port) and host vNIC
 * (snd_tap_port) providers against real Linux stacks, under a real EAL
 * (no hugepages, no PCI).
 *
 * Run by test_snd_ports.sh, which puts this process in namespace A with a
 * veth pair IFACE <-> PEER_IF whose far end is in namespace PEER_NS, and
 * gives an empty namespace TAP_NS for the host vNIC:
 *
 *   test_snd_ports IFACE PEER_NS PEER_IF TAP_NS TAP_NAME FILE_PREFIX
 *
 * The test plays the LAN on PEER_IF with a raw AF_PACKET socket (opened in
 * PEER_NS; PACKET_AUXDATA reports the 802.1Q tag the kernel took off a
 * received frame), and plays the neighbours of the host vNIC by answering
 * ARP and ICMP echo for the .2 addresses on the TAP.  Every test ends with
 * every mbuf back in the pool.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "snd_eth_port.h"
#include "snd_tap_port.h"
#include "vsw_port.h"

#define POOL_SIZE 8191u          /* af_xdp alone pins 2048+ mbufs */
#define FRAME_BUF 9216u          /* largest frame handled here */
#define ETYPE_TEST 0x88b5u       /* IEEE 802 local experimental */
#define WAIT_MS 2000             /* for a frame to arrive */
#define LINK_WAIT_MS 1500        /* for link_up to follow (check: 100) */
#define PING_WAIT_MS 15000       /* for a ping run to finish */

extern char **environ;

static const char *iface, *peer_ns, *peer_if, *tap_ns, *tap_name;
static struct rte_mempool *pool;
static int peer_fd = -1;         /* raw socket on PEER_IF in PEER_NS */
static struct vsw_port *eth_port; /* destroyed by teardown if set */
static struct vsw_port *tap_port; /* destroyed by teardown if set */
static char errbuf[256];
static uint32_t seq_no;
static unsigned int pool_base;   /* mbufs in use when a test starts */

static const uint8_t mac_lan[6] = { 0x02, 0x5e, 0x1a, 0x00, 0x00, 0x01 };
static const uint8_t mac_host[6] = { 0x02, 0x5e, 0x1a, 0x00, 0x00, 0x02 };
static const uint8_t mac_fake[6] = { 0x02, 0x5e, 0x1a, 0x00, 0x00, 0x99 };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/*
 * LeakSanitizer (ASan builds): the failed second af_xdp create in
 * test_eth_af_xdp leaks libxdp's umem inside the DPDK 22.11 PMD; not ours.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:xsk_umem__create\n";
}

/* ---- small helpers ------------------------------------------------- */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000u, (long)(ms % 1000u) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Run a shell command; its exit status (or -1). */
static int
sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* First line of a command's output into out (""). */
static void
sh_out(char *out, size_t len, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	FILE *f;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out[0] = '\0';
	f = popen(cmd, "r");
	if (f == NULL) {
		return;
	}
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	pclose(f);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Internet checksum of len bytes. */
static uint16_t
csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += get16(p + i);
	}
	if (len & 1) {
		sum += (uint32_t)p[len - 1] << 8;
	}
	while (sum >> 16) {
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint16_t)~sum;
}

/* A (possibly chained) mbuf holding b[0 .. len). */
static struct rte_mbuf *
mbuf_from(const uint8_t *b, uint32_t len)
{
	struct rte_mbuf *head, *cur, *seg;
	uint32_t off = 0, k;

	head = rte_pktmbuf_alloc(pool);
	assert_non_null(head);
	cur = head;
	while (off < len) {
		k = rte_pktmbuf_tailroom(cur);
		if (k == 0) {
			seg = rte_pktmbuf_alloc(pool);
			assert_non_null(seg);
			cur->next = seg;
			head->nb_segs++;
			cur = seg;
			continue;
		}
		k = RTE_MIN(k, len - off);
		memcpy(rte_pktmbuf_mtod_offset(cur, uint8_t *, cur->data_len),
		       b + off, k);
		cur->data_len = (uint16_t)(cur->data_len + k);
		head->pkt_len += k;
		off += k;
	}
	return head;
}

/* Copy m's bytes out; returns pkt_len. */
static uint32_t
mbuf_bytes(const struct rte_mbuf *m, uint8_t *out, uint32_t cap)
{
	const void *p;

	assert_true(m->pkt_len <= cap);
	p = rte_pktmbuf_read(m, 0, m->pkt_len, out);
	assert_non_null(p);
	if (p != out) {
		memcpy(out, p, m->pkt_len);
	}
	return m->pkt_len;
}

/*
 * A test frame: dst, src, [802.1Q tag tci], ETYPE_TEST, "SNPT", seq, and
 * a counting pattern up to len bytes.  Returns the length.
 */
static uint32_t
test_frame(uint8_t *f, uint32_t len, const uint8_t *dst, const uint8_t *src,
	   int tci, uint32_t seq)
{
	uint32_t off = 12, i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	if (tci >= 0) {
		put16(f + off, RTE_ETHER_TYPE_VLAN);
		put16(f + off + 2, (uint16_t)tci);
		off += 4;
	}
	put16(f + off, ETYPE_TEST);
	off += 2;
	memcpy(f + off, "SNPT", 4);
	f[off + 4] = (uint8_t)(seq >> 24);
	f[off + 5] = (uint8_t)(seq >> 16);
	f[off + 6] = (uint8_t)(seq >> 8);
	f[off + 7] = (uint8_t)seq;
	for (i = off + 8; i < len; i++) {
		f[i] = (uint8_t)(i * 7u);
	}
	return len;
}

/* Sequence number of a test frame (tag in frame or not), or -1. */
static int64_t
test_frame_seq(const uint8_t *f, uint32_t len)
{
	uint32_t off = 12;

	if (len >= 16 && get16(f + 12) == RTE_ETHER_TYPE_VLAN) {
		off = 16;
	}
	if (len < off + 10 || get16(f + off) != ETYPE_TEST ||
	    memcmp(f + off + 2, "SNPT", 4) != 0) {
		return -1;
	}
	return (int64_t)((uint32_t)f[off + 6] << 24 |
			 (uint32_t)f[off + 7] << 16 |
			 (uint32_t)f[off + 8] << 8 | f[off + 9]);
}

/* Every mbuf the test took is back (a failed earlier test may hold some). */
static void
assert_pool_full(void)
{
	assert_int_equal(rte_mempool_in_use_count(pool), pool_base);
}

/* ---- namespaces and the LAN peer ------------------------------------ */

struct ns_call {
	const char *ns;                 /* namespace name */
	void (*fn)(void *);             /* runs inside it */
	void *arg;                      /* for fn */
	int ret;                        /* 0 or -errno (setns) */
};

static void *
ns_thread(void *arg)
{
	struct ns_call *c = arg;
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", c->ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		c->ret = -errno;
	} else {
		c->fn(c->arg);
	}
	if (fd >= 0) {
		close(fd);
	}
	return NULL;
}

/* Run fn(arg) on a thread inside namespace ns. */
static int
in_netns(const char *ns, void (*fn)(void *), void *arg)
{
	struct ns_call c = { ns, fn, arg, 0 };
	pthread_t t;

	if (pthread_create(&t, NULL, ns_thread, &c) != 0) {
		return -EAGAIN;
	}
	pthread_join(t, NULL);
	return c.ret;
}

struct raw_open {
	const char *ifname;             /* bind to this interface */
	int fd;                         /* out: the socket, or -1 */
};

static void
raw_open_here(void *arg)
{
	struct raw_open *r = arg;
	struct sockaddr_ll sll;
	int one = 1;

	r->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       htons(ETH_P_ALL));
	if (r->fd < 0) {
		return;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(r->ifname);
	if (sll.sll_ifindex == 0 ||
	    bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_AUXDATA, &one,
		       sizeof(one)) < 0) {
		close(r->fd);
		r->fd = -1;
	}
}

/* A raw packet socket on ifname in namespace ns (auxdata on), or -1. */
static int
raw_open(const char *ns, const char *ifname)
{
	struct raw_open r = { ifname, -1 };

	if (in_netns(ns, raw_open_here, &r) < 0) {
		return -1;
	}
	return r.fd;
}

/* Drop whatever the peer socket has queued. */
static void
raw_drain(int fd)
{
	uint8_t buf[FRAME_BUF];

	while (recv(fd, buf, sizeof(buf), 0) > 0) {
	}
}

/* Send a frame; retries while a link flap's pending error clears. */
static void
raw_send(int fd, const uint8_t *f, uint32_t len)
{
	ssize_t n = -1;
	int i;

	for (i = 0; i < 100 && n < 0; i++) {
		n = send(fd, f, len, 0);
		if (n < 0) {
			sleep_ms(10);
		}
	}
	assert_int_equal(n, (ssize_t)len);
}

static void
peer_send(const uint8_t *f, uint32_t len)
{
	raw_send(peer_fd, f, len);
}

/*
 * Receive the test frame with sequence number seq on raw socket fd
 * (incoming only).  Returns its length (bytes as the kernel has them:
 * without an 802.1Q tag, which goes to *tci with *tagged = true), or 0 on
 * timeout.
 */
static uint32_t
raw_recv(int fd, uint32_t seq, uint8_t *f, uint32_t cap, bool *tagged,
	 uint16_t *tci)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct tpacket_auxdata aux;
	struct sockaddr_ll from;
	struct cmsghdr *c;
	struct msghdr msg;
	struct iovec iov;
	uint64_t end = now_ms() + WAIT_MS;
	ssize_t n;

	while (now_ms() < end) {
		iov.iov_base = f;
		iov.iov_len = cap;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.b;
		msg.msg_controllen = sizeof(ctl.b);
		n = recvmsg(fd, &msg, 0);
		if (n < 0) {
			sleep_ms(1);
			continue;
		}
		if (from.sll_pkttype == PACKET_OUTGOING ||
		    test_frame_seq(f, (uint32_t)n) != (int64_t)seq) {
			continue;
		}
		*tagged = false;
		*tci = 0;
		for (c = CMSG_FIRSTHDR(&msg); c != NULL;
		     c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_PACKET ||
			    c->cmsg_type != PACKET_AUXDATA) {
				continue;
			}
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			if (aux.tp_status & TP_STATUS_VLAN_VALID) {
				*tagged = true;
				*tci = aux.tp_vlan_tci;
			}
		}
		return (uint32_t)n;
	}
	return 0;
}

static uint32_t
peer_recv(uint32_t seq, uint8_t *f, uint32_t cap, bool *tagged,
	  uint16_t *tci)
{
	return raw_recv(peer_fd, seq, f, cap, tagged, tci);
}

/* ---- port polling -------------------------------------------------- */

/* Poll port until a test frame with seq arrives; others are freed. */
static struct rte_mbuf *
port_recv(struct vsw_port *port, uint32_t seq)
{
	struct rte_mbuf *pkts[VSW_BURST_MAX], *hit = NULL;
	uint8_t f[FRAME_BUF];
	uint64_t end = now_ms() + WAIT_MS;
	uint16_t n, i;

	while (hit == NULL && now_ms() < end) {
		n = port->ops->rx_burst(port, pkts, VSW_BURST_MAX);
		for (i = 0; i < n; i++) {
			mbuf_bytes(pkts[i], f, sizeof(f));
			if (hit == NULL &&
			    test_frame_seq(f, pkts[i]->pkt_len) ==
			    (int64_t)seq) {
				hit = pkts[i];
			} else {
				rte_pktmbuf_free(pkts[i]);
			}
		}
		if (n == 0) {
			sleep_ms(1);
		}
	}
	return hit;
}

/* Poll port for test frames first .. first+count-1; how many arrived. */
static unsigned int
port_recv_range(struct vsw_port *port, uint32_t first, unsigned int count)
{
	struct rte_mbuf *pkts[VSW_BURST_MAX];
	uint8_t f[FRAME_BUF], seen[256];
	uint64_t end = now_ms() + WAIT_MS;
	unsigned int got = 0;
	uint16_t n, i;
	int64_t s;

	assert_true(count <= sizeof(seen));
	memset(seen, 0, sizeof(seen));
	while (got < count && now_ms() < end) {
		n = port->ops->rx_burst(port, pkts, VSW_BURST_MAX);
		for (i = 0; i < n; i++) {
			mbuf_bytes(pkts[i], f, sizeof(f));
			s = test_frame_seq(f, pkts[i]->pkt_len);
			if (s >= first && s < (int64_t)first + count &&
			    !seen[s - first]) {
				seen[s - first] = 1;
				got++;
			}
			rte_pktmbuf_free(pkts[i]);
		}
		if (n == 0) {
			sleep_ms(1);
		}
	}
	return got;
}

/* Poll (rx_burst, freeing frames) until link_up == want; true if so. */
static bool
port_wait_link(struct vsw_port *port, bool want)
{
	struct rte_mbuf *pkts[VSW_BURST_MAX];
	uint64_t end = now_ms() + LINK_WAIT_MS;
	uint16_t n;

	while (now_ms() < end) {
		n = port->ops->rx_burst(port, pkts, VSW_BURST_MAX);
		rte_pktmbuf_free_bulk(pkts, n);
		if (port->link_up == want) {
			return true;
		}
		sleep_ms(5);
	}
	return false;
}

/* ---- fixtures ------------------------------------------------------ */

static int
setup(void **state)
{
	(void)state;
	errbuf[0] = '\0';
	raw_drain(peer_fd);
	pool_base = rte_mempool_in_use_count(pool);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	snd_eth_port_destroy(eth_port);
	eth_port = NULL;
	snd_tap_port_destroy(tap_port);
	tap_port = NULL;
	/* a failed test may leave the veth down */
	(void)sh("ip link set %s up", iface);
	(void)sh("ip -n %s link set %s up", peer_ns, peer_if);
	return rte_mempool_in_use_count(pool) == pool_base ? 0 : -1;
}

static int
eth_create(const char *devargs, uint16_t mtu, struct vsw_port **out)
{
	struct snd_eth_cfg cfg = {
		.name = "uplink",
		.devargs = devargs,
		.mtu = mtu,
		.pool = pool,
	};

	return snd_eth_port_create(&cfg, out, errbuf, sizeof(errbuf));
}

static char devargs_pkt[128];

/* ---- uplink tests -------------------------------------------------- */

/* Probe errors are clear, leave nothing behind, and do not hurt EAL. */
static void
test_eth_bad_devargs(void **state)
{
	struct vsw_port *p = (struct vsw_port *)0x1;
	int ret;

	(void)state;
	ret = eth_create("net_af_packet7,iface=snp-nope", 0, &p);
	assert_int_equal(ret, -ENODEV);
	assert_null(p);
	assert_string_equal(errbuf, "uplink 'net_af_packet7,iface=snp-nope': "
			    "no such interface 'snp-nope'");
	ret = eth_create("net_af_packet7", 0, &p);
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(errbuf, "missing iface="));
	ret = eth_create("net_bogus0,x=1", 0, &p);
	assert_int_equal(ret, -ENODEV);
	assert_non_null(strstr(errbuf, "no DPDK driver or bus"));
	ret = eth_create("", 0, &p);
	assert_int_equal(ret, -EINVAL);
	/* af_packet's ring frames are 2 KiB: the ethdev caps it at 1500 */
	ret = eth_create(devargs_pkt, 9000, &p);
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(errbuf, "MTU 9000 not supported by "
				       "net_af_packet (range"));
	assert_null(p);
	assert_pool_full();
}

/* A frame sent on the peer end comes out of rx_burst byte for byte. */
static void
test_eth_rx(void **state)
{
	uint8_t f[FRAME_BUF], g[FRAME_BUF];
	struct rte_mbuf *m;
	uint32_t len, seq;
	unsigned int i;

	(void)state;
	assert_int_equal(eth_create(devargs_pkt, 0, &eth_port), 0);
	assert_string_equal(eth_port->ops->kind, "ethdev");
	assert_int_equal(eth_port->mtu, 1500);
	assert_true(eth_port->link_up);

	/* untagged, minimum and maximum size */
	for (i = 0; i < 2; i++) {
		seq = ++seq_no;
		len = test_frame(f, i == 0 ? 60 : 1514, mac_bcast, mac_lan, -1,
				 seq);
		peer_send(f, len);
		m = port_recv(eth_port, seq);
		assert_non_null(m);
		assert_int_equal(m->pkt_len, len);
		assert_int_equal(mbuf_bytes(m, g, sizeof(g)), len);
		assert_memory_equal(f, g, len);
		assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_VLAN, 0);
		rte_pktmbuf_free(m);
	}

	/*
	 * 802.1Q tagged: the kernel takes the tag off, af_packet puts it back;
	 * the switch sees the frame as sent, with no VLAN metadata.
	 */
	seq = ++seq_no;
	len = test_frame(f, 64, mac_bcast, mac_lan, 0x600a, seq);
	peer_send(f, len);
	m = port_recv(eth_port, seq);
	assert_non_null(m);
	assert_int_equal(mbuf_bytes(m, g, sizeof(g)), len);
	assert_memory_equal(f, g, len);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_VLAN, 0);
	rte_pktmbuf_free(m);

	/* a burst: every frame arrives */
	seq = seq_no + 1;
	for (i = 0; i < 100; i++) {
		peer_send(f, test_frame(f, 100, mac_bcast, mac_lan, -1,
					seq + i));
	}
	seq_no += 100;
	assert_int_equal(port_recv_range(eth_port, seq, 100), 100);
}

/* Untagged, metadata-tagged (shared and exclusive) frames reach the peer. */
static void
test_eth_tx(void **state)
{
	struct vsw_port_stats st;
	uint8_t f[FRAME_BUF], g[FRAME_BUF], before[FRAME_BUF];
	struct rte_mbuf *m;
	uint32_t len, seq;
	uint16_t tci;
	bool tagged;

	(void)state;
	assert_int_equal(eth_create(devargs_pkt, 0, &eth_port), 0);

	/* untagged: identical bytes, no tag */
	seq = ++seq_no;
	len = test_frame(f, 60, mac_lan, mac_host, -1, seq);
	m = mbuf_from(f, len);
	assert_int_equal(eth_port->ops->tx_burst(eth_port, &m, 1), 1);
	assert_int_equal(peer_recv(seq, g, sizeof(g), &tagged, &tci), len);
	assert_false(tagged);
	assert_memory_equal(f, g, len);

	/*
	 * TX_VLAN metadata on an mbuf another port still holds (refcnt 2):
	 * the peer gets the tag, and the shared mbuf is left untouched.
	 */
	seq = ++seq_no;
	len = test_frame(f, 60, mac_lan, mac_host, -1, seq);
	m = mbuf_from(f, len);
	m->ol_flags |= RTE_MBUF_F_TX_VLAN;
	m->vlan_tci = 0xa014; /* PCP 5, VID 20 */
	rte_mbuf_refcnt_update(m, 1);
	assert_int_equal(eth_port->ops->tx_burst(eth_port, &m, 1), 1);
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	assert_int_equal(m->pkt_len, len);
	assert_int_equal(m->data_len, len);
	assert_true(m->ol_flags & RTE_MBUF_F_TX_VLAN);
	assert_int_equal(mbuf_bytes(m, before, sizeof(before)), len);
	assert_memory_equal(before, f, len);
	rte_pktmbuf_free(m);
	assert_int_equal(peer_recv(seq, g, sizeof(g), &tagged, &tci), len);
	assert_true(tagged);
	assert_int_equal(tci, 0xa014);
	assert_memory_equal(f, g, len); /* the rest, byte for byte */

	/* RX_VLAN metadata (as from a netvsc guest), exclusive: in place */
	seq = ++seq_no;
	len = test_frame(f, 200, mac_lan, mac_host, -1, seq);
	m = mbuf_from(f, len);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 30;
	assert_int_equal(eth_port->ops->tx_burst(eth_port, &m, 1), 1);
	assert_int_equal(peer_recv(seq, g, sizeof(g), &tagged, &tci), len);
	assert_true(tagged);
	assert_int_equal(tci, 30);
	assert_memory_equal(f, g, len);

	/* a chained frame */
	seq = ++seq_no;
	len = test_frame(f, 1514, mac_lan, mac_host, -1, seq);
	m = mbuf_from(f, 700);
	assert_int_equal(rte_pktmbuf_chain(m, mbuf_from(f + 700, len - 700)),
			 0);
	assert_int_equal(eth_port->ops->tx_burst(eth_port, &m, 1), 1);
	assert_int_equal(peer_recv(seq, g, sizeof(g), &tagged, &tci), len);
	assert_false(tagged);
	assert_memory_equal(f, g, len);

	vsw_port_stats_read(eth_port, &st);
	assert_int_equal(st.tx_packets, 4);
	assert_int_equal(st.tx_bytes, 60 + 64 + 204 + 1514);
	assert_int_equal(vsw_port_drops_total(eth_port), 0);
}

/* link_up follows the kernel interface and its peer. */
static void
test_eth_link(void **state)
{
	struct snd_eth_info info;
	struct rte_mbuf *m;
	uint8_t f[128];
	uint32_t speed = 0, seq;
	bool up = false;

	(void)state;
	assert_int_equal(eth_create(devargs_pkt, 0, &eth_port), 0);
	assert_int_equal(snd_eth_port_link(eth_port, &up, &speed), 0);
	assert_true(up);
	assert_int_equal(speed, 10000); /* af_packet's constant */
	assert_int_equal(snd_eth_port_info(eth_port, &info), 0);
	assert_string_equal(info.driver, "net_af_packet");
	assert_string_equal(info.device, "net_af_packet0");
	assert_true(info.kernel);
	assert_string_equal(info.ifname, iface);
	assert_true(info.kernel_admin_up && info.kernel_oper_up);
	assert_int_equal(info.mtu, 1500);
	assert_int_equal(info.max_mtu, 1500);
	assert_int_equal(info.kernel_mtu, 1500);
	assert_int_equal(snd_eth_port_id(eth_port), info.port_id);

	/* our end administratively down */
	assert_int_equal(sh("ip link set %s down", iface), 0);
	assert_true(port_wait_link(eth_port, false));
	assert_int_equal(snd_eth_port_link(eth_port, &up, NULL), 0);
	assert_false(up);
	assert_int_equal(snd_eth_port_info(eth_port, &info), 0);
	assert_true(info.ethdev_link_up); /* what af_packet believes */
	assert_false(info.kernel_admin_up);
	assert_int_equal(sh("ip link set %s up", iface), 0);
	assert_true(port_wait_link(eth_port, true));

	/* the peer down: no carrier */
	assert_int_equal(sh("ip -n %s link set %s down", peer_ns, peer_if), 0);
	assert_true(port_wait_link(eth_port, false));
	assert_int_equal(snd_eth_port_info(eth_port, &info), 0);
	assert_true(info.kernel_admin_up);
	assert_false(info.kernel_oper_up);
	assert_int_equal(sh("ip -n %s link set %s up", peer_ns, peer_if), 0);
	assert_true(port_wait_link(eth_port, true));

	/* still passing frames after the flaps */
	seq = ++seq_no;
	peer_send(f, test_frame(f, 60, mac_bcast, mac_lan, -1, seq));
	m = port_recv(eth_port, seq);
	assert_non_null(m);
	rte_pktmbuf_free(m);
}

/* The same devargs: refused while in use, fine again after destroy. */
static void
test_eth_reprobe(void **state)
{
	struct vsw_port *second = (struct vsw_port *)0x1;
	struct rte_mbuf *m;
	uint8_t f[128];
	uint32_t seq;
	int round;

	(void)state;
	for (round = 0; round < 3; round++) {
		assert_int_equal(eth_create(devargs_pkt, 0, &eth_port), 0);
		assert_int_equal(eth_create(devargs_pkt, 0, &second), -EEXIST);
		assert_null(second);
		assert_non_null(strstr(errbuf, "is already in use"));
		seq = ++seq_no;
		peer_send(f, test_frame(f, 60, mac_bcast, mac_lan, -1, seq));
		m = port_recv(eth_port, seq);
		assert_non_null(m);
		rte_pktmbuf_free(m);
		snd_eth_port_destroy(eth_port);
		eth_port = NULL;
		assert_pool_full();
	}
	/* the interface is not left promiscuous */
	assert_int_equal(sh("ip link show %s | grep -q PROMISC", iface), 1);
}

/* af_xdp on the same veth: rx and tx of one frame each. */
static void
test_eth_af_xdp(void **state)
{
	uint8_t f[FRAME_BUF], g[FRAME_BUF];
	char devargs[128];
	struct rte_mbuf *m;
	uint32_t len, seq;
	uint16_t tci;
	bool tagged;
	int ret;

	(void)state;
	snprintf(devargs, sizeof(devargs), "net_af_xdp0,iface=%s", iface);
	ret = eth_create(devargs, 0, &eth_port);
	if (ret == -ENODEV && strstr(errbuf, "no DPDK driver") != NULL) {
		skip(); /* PMD not built */
	}
	assert_int_equal(ret, 0);
	assert_true(eth_port->link_up);
	seq = ++seq_no;
	len = test_frame(f, 60, mac_bcast, mac_lan, -1, seq);
	peer_send(f, len);
	m = port_recv(eth_port, seq);
	assert_non_null(m);
	assert_int_equal(mbuf_bytes(m, g, sizeof(g)), len);
	assert_memory_equal(f, g, len);
	rte_pktmbuf_free(m);

	seq = ++seq_no;
	len = test_frame(f, 60, mac_lan, mac_host, -1, seq);
	m = mbuf_from(f, len);
	m->ol_flags |= RTE_MBUF_F_TX_VLAN;
	m->vlan_tci = 42;
	assert_int_equal(eth_port->ops->tx_burst(eth_port, &m, 1), 1);
	assert_int_equal(peer_recv(seq, g, sizeof(g), &tagged, &tci), len);
	assert_true(tagged);
	assert_int_equal(tci, 42);
	assert_memory_equal(f, g, len);

	assert_int_equal(sh("ip link set %s down", iface), 0);
	assert_true(port_wait_link(eth_port, false));
	assert_int_equal(sh("ip link set %s up", iface), 0);
	assert_true(port_wait_link(eth_port, true));

	/*
	 * Again on the same interface.  DPDK 22.11's af_xdp cannot reopen it
	 * in the same process; either way nothing may leak into our pool.
	 */
	snd_eth_port_destroy(eth_port);
	eth_port = NULL;
	assert_pool_full();
	ret = eth_create(devargs, 0, &eth_port);
	if (ret < 0) {
		assert_null(eth_port);
		assert_non_null(strstr(errbuf, "af_xdp cannot create its XSK"));
		print_message("af_xdp: second create failed as expected "
			      "with DPDK 22.11: %s\n", errbuf);
	} else {
		seq = ++seq_no;
		len = test_frame(f, 60, mac_bcast, mac_lan, -1, seq);
		peer_send(f, len);
		m = port_recv(eth_port, seq);
		assert_non_null(m);
		rte_pktmbuf_free(m);
	}
	assert_pool_full();
}

/* ---- host vNIC: the neighbour the kernel talks to ------------------ */

struct responder {
	uint8_t ip[4];                  /* the fake neighbour's address */
	bool tag_meta;                  /* reply with VLAN metadata */
	uint16_t vid;                   /* ... this VLAN (if tagged) */
	bool share;                     /* reply mbufs held twice */
	unsigned int arp_requests;      /* ARP requests for ip seen */
	unsigned int echo_requests;     /* ICMP echo requests seen */
	unsigned int tagged_in;         /* requests with an in-frame tag */
	unsigned int max_segs;          /* most segments of a request */
	uint32_t max_len;               /* longest request */
};

/* Hand one reply to the port; checks a shared reply stays untouched. */
static void
responder_send(struct responder *r, const uint8_t *b, uint32_t len)
{
	uint8_t after[FRAME_BUF];
	struct rte_mbuf *m;

	m = mbuf_from(b, len);
	if (r->tag_meta) {
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
		m->vlan_tci = r->vid;
	}
	if (r->share) {
		rte_mbuf_refcnt_update(m, 1);
	}
	assert_int_equal(tap_port->ops->tx_burst(tap_port, &m, 1), 1);
	if (r->share) {
		assert_int_equal(rte_mbuf_refcnt_read(m), 1);
		assert_int_equal(mbuf_bytes(m, after, sizeof(after)), len);
		assert_memory_equal(after, b, len);
		rte_pktmbuf_free(m);
	}
}

/* Answer ARP requests and ICMP echo requests for r->ip in frame m. */
static void
responder_handle(struct responder *r, const struct rte_mbuf *m)
{
	uint8_t f[FRAME_BUF], out[FRAME_BUF];
	uint32_t len, l2 = 14, ihl, tot;
	uint16_t type;

	len = mbuf_bytes(m, f, sizeof(f));
	assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_VLAN, 0);
	if (len < 14) {
		return;
	}
	type = get16(f + 12);
	if (type == RTE_ETHER_TYPE_VLAN) {
		if (len < 18 || (get16(f + 14) & 0xfff) != r->vid) {
			return;
		}
		type = get16(f + 16);
		l2 = 18;
	} else if (r->tag_meta) {
		return; /* we only serve the VLAN */
	}
	if (type == RTE_ETHER_TYPE_ARP && len >= l2 + 28 &&
	    get16(f + l2 + 6) == 1 && memcmp(f + l2 + 24, r->ip, 4) == 0) {
		r->arp_requests++;
		r->tagged_in += l2 == 18;
		memset(out, 0, 60);
		memcpy(out, f + 6, 6);
		memcpy(out + 6, mac_fake, 6);
		put16(out + 12, RTE_ETHER_TYPE_ARP);
		put16(out + 14, 1);
		put16(out + 16, RTE_ETHER_TYPE_IPV4);
		out[18] = 6;
		out[19] = 4;
		put16(out + 20, 2);
		memcpy(out + 22, mac_fake, 6);
		memcpy(out + 28, r->ip, 4);
		memcpy(out + 32, f + l2 + 8, 10); /* requester MAC + IP */
		responder_send(r, out, 60);
		return;
	}
	if (type != RTE_ETHER_TYPE_IPV4 || len < l2 + 28) {
		return;
	}
	ihl = (f[l2] & 0xfu) * 4u;
	tot = get16(f + l2 + 2);
	if (ihl < 20 || tot < ihl + 8 || l2 + tot > len || f[l2 + 9] != 1 ||
	    memcmp(f + l2 + 16, r->ip, 4) != 0 || f[l2 + ihl] != 8) {
		return;
	}
	r->echo_requests++;
	r->tagged_in += l2 == 18;
	r->max_segs = RTE_MAX(r->max_segs, (unsigned int)m->nb_segs);
	r->max_len = RTE_MAX(r->max_len, len);
	/* echo reply: untagged frame, addresses swapped */
	memcpy(out, f + 6, 6);
	memcpy(out + 6, mac_fake, 6);
	put16(out + 12, RTE_ETHER_TYPE_IPV4);
	memcpy(out + 14, f + l2, tot);
	memcpy(out + 14 + 12, f + l2 + 16, 4);
	memcpy(out + 14 + 16, f + l2 + 12, 4);
	put16(out + 14 + 10, 0);
	put16(out + 14 + 10, csum(out + 14, ihl));
	out[14 + ihl] = 0;
	put16(out + 14 + ihl + 2, 0);
	put16(out + 14 + ihl + 2, csum(out + 14 + ihl, tot - ihl));
	responder_send(r, out, 14 + tot);
}

/*
 * Run "ping ARGS" in the TAP namespace while answering for r->ip; returns
 * ping's exit status (0: it got its replies).
 */
static int
ping_from_ns(struct responder *r, const char *args)
{
	struct rte_mbuf *pkts[VSW_BURST_MAX];
	char cmd[256];
	char *argv[] = { "sh", "-c", cmd, NULL };
	uint64_t end = now_ms() + PING_WAIT_MS;
	pid_t pid;
	uint16_t n, i;
	int st = -1;

	snprintf(cmd, sizeof(cmd), "exec ip netns exec %s ping -n -q %s "
		 ">/dev/null", tap_ns, args);
	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0) {
		return -1;
	}
	while (now_ms() < end) {
		n = tap_port->ops->rx_burst(tap_port, pkts, VSW_BURST_MAX);
		for (i = 0; i < n; i++) {
			responder_handle(r, pkts[i]);
			rte_pktmbuf_free(pkts[i]);
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		if (n == 0) {
			sleep_ms(1);
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static int
tap_create(const char *name, uint16_t mtu, const char *const *addrs,
	   unsigned int n_addrs, const char *ns, struct vsw_port **out)
{
	struct snd_tap_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ifname = name;
	memcpy(cfg.mac.addr_bytes, mac_host, 6);
	cfg.mtu = mtu;
	cfg.addrs = addrs;
	cfg.n_addrs = n_addrs;
	cfg.netns = ns;
	cfg.pool = pool;
	return snd_tap_port_create(&cfg, out, errbuf, sizeof(errbuf));
}

static const char *const tap_addrs[] = { "10.77.0.1/24", "fd77::1/64" };

/* ---- host vNIC tests ----------------------------------------------- */

/* The TAP appears in the target namespace, configured; not here. */
static void
test_tap_create(void **state)
{
	char out[2048];

	(void)state;
	assert_int_equal(tap_create(tap_name, 1400, tap_addrs, 2, tap_ns,
				    &tap_port), 0);
	assert_string_equal(tap_port->ops->kind, "tap");
	assert_string_equal(tap_port->name, tap_name);
	assert_memory_equal(tap_port->mac.addr_bytes, mac_host, 6);
	assert_int_equal(tap_port->mtu, 1400);
	assert_true(tap_port->link_up);
	assert_true(snd_tap_port_ifindex(tap_port) > 0);
	assert_int_equal(snd_tap_port_ifindex(eth_port), -EINVAL);
	assert_int_equal(tap_port->ops->wait_fd(tap_port) >= 0, 1);
	assert_int_equal(if_nametoindex(tap_name), 0); /* not in our netns */

	sh_out(out, sizeof(out), "ip -n %s -o link show dev %s", tap_ns,
	       tap_name);
	assert_non_null(strstr(out, "mtu 1400"));
	assert_non_null(strstr(out, "link/ether 02:5e:1a:00:00:02"));
	assert_non_null(strstr(out, ",UP"));
	sh_out(out, sizeof(out), "ip -n %s -o addr show dev %s", tap_ns,
	       tap_name);
	assert_non_null(strstr(out, "inet 10.77.0.1/24 brd 10.77.0.255"));
	assert_non_null(strstr(out, "inet6 fd77::1/64"));

	/* a second TAP of that name in that namespace is refused */
	{
		struct vsw_port *dup = (struct vsw_port *)0x1;

		assert_int_equal(tap_create(tap_name, 0, NULL, 0, tap_ns,
					    &dup), -EEXIST);
		assert_null(dup);
		assert_non_null(strstr(errbuf, "already exists"));
	}

	snd_tap_port_destroy(tap_port);
	tap_port = NULL;
	assert_int_not_equal(sh("ip -n %s link show dev %s >/dev/null 2>&1",
				tap_ns, tap_name), 0);
}

/* Bad configuration: clear errors, no netdev left behind. */
static void
test_tap_errors(void **state)
{
	static const char *const bad1[] = { "10.0.0.300/24" };
	static const char *const bad2[] = { "10.0.0.1/33" };
	static const char *const bad3[] = { "fd00::1/" };
	static const char *const v6[] = { "10.79.0.1/24", "fd79::1/64" };
	struct snd_tap_cfg cfg;
	struct vsw_port *p = NULL;

	(void)state;
	assert_int_equal(tap_create("this-is-too-long", 0, NULL, 0, NULL, &p),
			 -EINVAL);
	assert_non_null(strstr(errbuf, "bad interface name"));
	assert_int_equal(tap_create("a/b", 0, NULL, 0, NULL, &p), -EINVAL);
	assert_int_equal(tap_create("vsw%d", 0, NULL, 0, NULL, &p), -EINVAL);
	assert_int_equal(tap_create(tap_name, 0, NULL, 0, "snp-no-such-ns",
				    &p), -ENOENT);
	assert_non_null(strstr(errbuf, "no such network namespace "
				       "'snp-no-such-ns'"));
	assert_int_equal(tap_create(tap_name, 0, bad1, 1, tap_ns, &p),
			 -EINVAL);
	assert_non_null(strstr(errbuf, "bad address '10.0.0.300/24'"));
	assert_int_equal(tap_create(tap_name, 0, bad2, 1, tap_ns, &p),
			 -EINVAL);
	assert_int_equal(tap_create(tap_name, 0, bad3, 1, tap_ns, &p),
			 -EINVAL);
	assert_int_equal(tap_create(tap_name, 9001, NULL, 0, tap_ns, &p),
			 -ERANGE);
	memset(&cfg, 0, sizeof(cfg));
	cfg.ifname = tap_name;
	cfg.mac.addr_bytes[0] = 0x01; /* multicast */
	cfg.pool = pool;
	assert_int_equal(snd_tap_port_create(&cfg, &p, errbuf,
					     sizeof(errbuf)), -EINVAL);
	assert_null(p);

	/* a failure after the netdev exists: IPv6 disabled in the netns */
	assert_int_equal(sh("ip netns exec %s sysctl -qw "
			    "net.ipv6.conf.default.disable_ipv6=1", tap_ns),
			 0);
	assert_true(tap_create(tap_name, 0, v6, 2, tap_ns, &p) < 0);
	assert_non_null(strstr(errbuf, "adding address fd79::1/64"));
	assert_null(p);
	assert_int_equal(sh("ip netns exec %s sysctl -qw "
			    "net.ipv6.conf.default.disable_ipv6=0", tap_ns),
			 0);
	assert_int_not_equal(sh("ip -n %s link show dev %s >/dev/null 2>&1",
				tap_ns, tap_name), 0);
	assert_pool_full();
}

/* The namespace pings a neighbour on the host vNIC: ARP + echo, both ways. */
static void
test_tap_ping(void **state)
{
	struct responder r = { .ip = { 10, 77, 0, 2 }, .share = true };
	struct vsw_port_stats st;

	(void)state;
	assert_int_equal(tap_create(tap_name, 0, tap_addrs, 2, tap_ns,
				    &tap_port), 0);
	assert_int_equal(tap_port->mtu, 1500);
	assert_int_equal(ping_from_ns(&r, "-c 3 -i 0.2 -W 2 10.77.0.2"), 0);
	assert_true(r.arp_requests >= 1);
	assert_int_equal(r.echo_requests, 3);
	assert_int_equal(r.tagged_in, 0);
	vsw_port_stats_read(tap_port, &st);
	assert_int_equal(st.tx_packets, r.arp_requests + r.echo_requests);
	assert_int_equal(vsw_port_drops_total(tap_port), 0);
}

/*
 * VLANs on the host vNIC.  Frames given with VLAN metadata reach the
 * kernel tagged (a packet socket on the TAP sees the tag the kernel took
 * off); tagged frames from the kernel come out with the tag in the bytes
 * and no metadata.  Then, if the kernel has 802.1Q devices, a ping through
 * a VLAN device on the TAP, answered with VLAN metadata.
 */
static void
test_tap_vlan(void **state)
{
	struct responder r = {
		.ip = { 10, 78, 0, 2 }, .tag_meta = true, .vid = 10,
		.share = true,
	};
	uint8_t f[FRAME_BUF], g[FRAME_BUF];
	struct rte_mbuf *m;
	uint32_t len, seq;
	uint16_t tci;
	bool tagged;
	int fd;

	(void)state;
	assert_int_equal(tap_create(tap_name, 0, NULL, 0, tap_ns, &tap_port),
			 0);
	fd = raw_open(tap_ns, tap_name);
	assert_true(fd >= 0);

	/* switch -> kernel: metadata becomes a real tag, shared mbuf intact */
	seq = ++seq_no;
	len = test_frame(f, 80, mac_host, mac_lan, -1, seq);
	m = mbuf_from(f, len);
	m->ol_flags |= RTE_MBUF_F_TX_VLAN;
	m->vlan_tci = 0x3007;
	rte_mbuf_refcnt_update(m, 1);
	assert_int_equal(tap_port->ops->tx_burst(tap_port, &m, 1), 1);
	assert_int_equal(mbuf_bytes(m, g, sizeof(g)), len);
	assert_memory_equal(f, g, len);
	rte_pktmbuf_free(m);
	assert_int_equal(raw_recv(fd, seq, g, sizeof(g), &tagged, &tci), len);
	assert_true(tagged);
	assert_int_equal(tci, 0x3007);
	assert_memory_equal(f, g, len);

	/* the same with a chain whose first segment ends inside the MACs */
	seq = ++seq_no;
	len = test_frame(f, 300, mac_host, mac_lan, -1, seq);
	m = mbuf_from(f, 7);
	assert_int_equal(rte_pktmbuf_chain(m, mbuf_from(f + 7, len - 7)), 0);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 99;
	assert_int_equal(tap_port->ops->tx_burst(tap_port, &m, 1), 1);
	assert_int_equal(raw_recv(fd, seq, g, sizeof(g), &tagged, &tci), len);
	assert_true(tagged);
	assert_int_equal(tci, 99);
	assert_memory_equal(f, g, len);

	/* kernel -> switch: the tag stays in the bytes */
	seq = ++seq_no;
	len = test_frame(f, 90, mac_bcast, mac_lan, 0x2064, seq);
	raw_send(fd, f, len);
	m = port_recv(tap_port, seq);
	assert_non_null(m);
	assert_int_equal(mbuf_bytes(m, g, sizeof(g)), len);
	assert_memory_equal(f, g, len);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_VLAN, 0);
	rte_pktmbuf_free(m);
	close(fd);

	if (sh("ip -n %s link add link %s name vl10 type vlan id 10 "
	       "2>/dev/null", tap_ns, tap_name) != 0) {
		print_message("no 802.1Q devices in this kernel: VLAN ping "
			      "skipped\n");
		return;
	}
	assert_int_equal(sh("ip -n %s addr add 10.78.0.1/24 dev vl10 && "
			    "ip -n %s link set vl10 up", tap_ns, tap_ns), 0);
	assert_int_equal(ping_from_ns(&r, "-c 2 -i 0.2 -W 2 10.78.0.2"), 0);
	assert_true(r.arp_requests >= 1);
	assert_int_equal(r.echo_requests, 2);
	assert_int_equal(r.tagged_in, r.arp_requests + r.echo_requests);
	/* vl10 goes with the TAP */
}

/* Link and MTU: set through the API or by "ip link", the port follows. */
static void
test_tap_link_mtu(void **state)
{
	struct responder r = { .ip = { 10, 77, 0, 2 } };
	char out[2048];

	(void)state;
	assert_int_equal(tap_create(tap_name, 0, tap_addrs, 1, tap_ns,
				    &tap_port), 0);
	assert_true(tap_port->link_up);

	assert_int_equal(snd_tap_port_set_link(tap_port, false, errbuf,
					       sizeof(errbuf)), 0);
	assert_true(port_wait_link(tap_port, false));
	sh_out(out, sizeof(out), "ip -n %s -o link show dev %s", tap_ns,
	       tap_name);
	assert_null(strstr(out, ",UP"));
	assert_int_equal(snd_tap_port_set_link(tap_port, true, errbuf,
					       sizeof(errbuf)), 0);
	assert_true(port_wait_link(tap_port, true));
	assert_int_equal(sh("ip -n %s link set %s down", tap_ns, tap_name), 0);
	assert_true(port_wait_link(tap_port, false));
	assert_int_equal(sh("ip -n %s link set %s up", tap_ns, tap_name), 0);
	assert_true(port_wait_link(tap_port, true));

	assert_int_equal(snd_tap_port_set_mtu(tap_port, 9001, errbuf,
					      sizeof(errbuf)), -ERANGE);
	assert_int_equal(snd_tap_port_set_mtu(eth_port, 1500, errbuf,
					      sizeof(errbuf)), -EINVAL);
	assert_int_equal(snd_tap_port_set_mtu(tap_port, 1280, errbuf,
					      sizeof(errbuf)), 0);
	assert_true(port_wait_link(tap_port, true));
	sleep_ms(2 * SND_TAP_CHECK_MS);
	assert_true(port_wait_link(tap_port, true));
	assert_int_equal(tap_port->mtu, 1280);
	assert_int_equal(sh("ip -n %s link set %s mtu 1300", tap_ns, tap_name),
			 0);
	sleep_ms(2 * SND_TAP_CHECK_MS);
	assert_true(port_wait_link(tap_port, true));
	assert_int_equal(tap_port->mtu, 1300);

	/* jumbo: 9014-byte frames, chained mbufs both ways */
	assert_int_equal(snd_tap_port_set_mtu(tap_port, 9000, errbuf,
					      sizeof(errbuf)), 0);
	sh_out(out, sizeof(out), "ip -n %s -o link show dev %s", tap_ns,
	       tap_name);
	assert_non_null(strstr(out, "mtu 9000"));
	assert_int_equal(ping_from_ns(&r, "-c 2 -i 0.2 -W 2 -M do -s 8972 "
				      "10.77.0.2"), 0);
	assert_int_equal(r.echo_requests, 2);
	assert_int_equal(r.max_len, 9014);
	assert_true(r.max_segs >= 2);
	assert_int_equal(vsw_port_drops_total(tap_port), 0);

	/*
	 * Raised past 9000 behind our back: the port stays at 9000 and drops
	 * (counts) the longer frames the kernel now sends, whole or truncated.
	 */
	assert_int_equal(sh("ip -n %s link set %s mtu 12000", tap_ns,
			    tap_name), 0);
	sleep_ms(2 * SND_TAP_CHECK_MS);
	assert_true(port_wait_link(tap_port, true));
	assert_int_equal(tap_port->mtu, SND_TAP_MTU_MAX);
	r.echo_requests = 0;
	assert_int_not_equal(ping_from_ns(&r, "-c 1 -W 1 -M do -s 9400 "
					  "10.77.0.2"), 0);
	assert_int_not_equal(ping_from_ns(&r, "-c 1 -W 1 -M do -s 11000 "
					  "10.77.0.2"), 0);
	assert_int_equal(r.echo_requests, 0);
	assert_int_equal(tap_port->stats.drops[VSW_DROP_MTU], 2);
}

/* tx_burst consumes everything, runts included, and counts the drop. */
static void
test_tap_tx_drops(void **state)
{
	struct rte_mbuf *m[2];
	uint8_t f[64];

	(void)state;
	assert_int_equal(tap_create(tap_name, 0, NULL, 0, tap_ns, &tap_port),
			 0);
	memset(f, 0xab, sizeof(f));
	m[0] = mbuf_from(f, 10);                 /* shorter than a header */
	m[1] = mbuf_from(f, 11);
	m[1]->ol_flags |= RTE_MBUF_F_TX_VLAN;    /* tag cannot be spliced */
	assert_int_equal(tap_port->ops->tx_burst(tap_port, m, 2), 0);
	assert_int_equal(tap_port->stats.drops[VSW_DROP_RUNT], 2);
	assert_pool_full();
}

/* ---- main ---------------------------------------------------------- */

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_eth_bad_devargs),
		T(test_eth_rx),
		T(test_eth_tx),
		T(test_eth_link),
		T(test_eth_reprobe),
		T(test_eth_af_xdp),
		T(test_tap_create),
		T(test_tap_errors),
		T(test_tap_ping),
		T(test_tap_vlan),
		T(test_tap_link_mtu),
		T(test_tap_tx_drops),
	};
	char *eal_argv[] = {
		argv[0], "--no-huge", "-m", "256", "--file-prefix", NULL,
		"--no-pci", "--no-telemetry", "--log-level", "*:error", NULL,
	};
	int rc;

	if (argc != 7) {
		fprintf(stderr, "usage: %s IFACE PEER_NS PEER_IF TAP_NS "
			"TAP_NAME FILE_PREFIX (see test_snd_ports.sh)\n",
			argv[0]);
		return 2;
	}
	iface = argv[1];
	peer_ns = argv[2];
	peer_if = argv[3];
	tap_ns = argv[4];
	tap_name = argv[5];
	eal_argv[5] = argv[6];
	snprintf(devargs_pkt, sizeof(devargs_pkt), "net_af_packet0,iface=%s",
		 iface);
	peer_fd = raw_open(peer_ns, peer_if);
	if (peer_fd < 0) {
		fprintf(stderr, "cannot open a raw socket on %s in %s\n",
			peer_if, peer_ns);
		return 1;
	}
	if (rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	pool = rte_pktmbuf_pool_create("sndports", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "pool: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snd_eth_port_destroy(eth_port);
	snd_tap_port_destroy(tap_port);
	if (rte_mempool_in_use_count(pool) != 0) {
		fprintf(stderr, "%d mbufs not returned to the pool\n",
			rte_mempool_in_use_count(pool));
		rc = 1;
	}
	rte_mempool_free(pool);
	rte_eal_cleanup();
	close(peer_fd);
	return rc;
}
