/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vsw_policy.c - the per-port policy engine (vswitch/vsw_policy.c)
 * inside the forwarding core, under a real EAL (no hugepages, no PCI),
 * with in-memory fake ports: rx from an array, tx into an array.
 *
 * Every test starts from a switch with six link-up fake ports p0..p5 (ids
 * 0..5, MTU 1500, MAC 00:15:5d:00:00:0i), each with the default policy
 * (untagged, MAC-spoofing check on), and ends by destroying the switch,
 * freeing what the fake peers received, and asserting that every mbuf
 * (clones and private copies included) is back in the pool.
 *
 * Guard tests use the captured frames of tests/unit/ofl_frames.h (tshark
 * captures between two Linux namespaces; origin written there).  Meter
 * tests inject time through the now_ns argument of vsw_switch_input().
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eal_harness.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ofl_frames.h"
#include "vsw_policy.h"
#include "vsw_switch.h"

#define POOL_SIZE 2047u
#define N_FAKE 6
#define FAKE_RXQ 64
#define FAKE_TXQ 256
#define MS 1000000ull /* ns */
#define T0 (5ull * 1000000000ull)

/* A fake port: the test plays its peer. */
struct fake_port {
	struct vsw_port port;            /* embedded switch port */
	struct rte_mbuf *rxq[FAKE_RXQ];  /* frames the peer "sent" */
	unsigned int rx_head;            /* next rxq[] to hand out */
	unsigned int rx_tail;            /* end of rxq[] */
	struct rte_mbuf *txq[FAKE_TXQ];  /* frames the peer "received" */
	unsigned int n_tx;               /* used txq[] */
	unsigned int destroyed;          /* destroy calls */
};

static struct rte_mempool *pool;
static struct fake_port fakes[N_FAKE];
static struct vsw_switch *sw;
static uint64_t now;

static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff,
					      0xff }};
static const struct rte_ether_addr mcast = {{ 0x33, 0x33, 0x00, 0x00, 0x00,
					      0x01 }};
static const struct rte_ether_addr mac_s = {{ 0x02, 0, 0, 0, 0, 0x55 }};
static const struct rte_ether_addr mac_x = {{ 0x02, 0, 0, 0, 0, 0x99 }};
/* Host B of ofl_frames.h (dnsmasq, radvd). */
static const struct rte_ether_addr host_b = {{ 0x02, 0, 0, 0, 0, 0x0b }};

static struct fake_port *
fake_of(struct vsw_port *port)
{
	return container_of(port, struct fake_port, port);
}

static uint16_t
fake_rx_burst(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_port *f = fake_of(port);
	uint16_t i = 0;

	while (i < n && f->rx_head < f->rx_tail) {
		pkts[i++] = f->rxq[f->rx_head++];
	}
	return i;
}

static uint16_t
fake_tx_burst(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_port *f = fake_of(port);
	uint16_t i;

	assert_true(n >= 1 && n <= VSW_BURST_MAX);
	for (i = 0; i < n; i++) {
		assert_true(f->n_tx < FAKE_TXQ);
		vsw_port_count_tx(port, 1, pkts[i]->pkt_len);
		f->txq[f->n_tx++] = pkts[i];
	}
	return n;
}

static void
fake_destroy(struct vsw_port *port)
{
	struct fake_port *f = fake_of(port);

	f->destroyed++;
	while (f->rx_head < f->rx_tail) {
		rte_pktmbuf_free(f->rxq[f->rx_head++]);
	}
}

static const struct vsw_port_ops fake_ops = {
	.kind = "fake",
	.rx_burst = fake_rx_burst,
	.tx_burst = fake_tx_burst,
	.destroy = fake_destroy,
};

static void
drain_all(void)
{
	unsigned int i;

	for (i = 0; i < N_FAKE; i++) {
		rte_pktmbuf_free_bulk(fakes[i].txq, fakes[i].n_tx);
		fakes[i].n_tx = 0;
	}
}

static const struct rte_ether_addr *
pmac(unsigned int i)
{
	return &fakes[i].port.mac;
}

/* A frame dst/src/type, len bytes in total (len >= 14), filler 0x5a. */
static struct rte_mbuf *
mk_frame(const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
	 uint16_t type, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, len);
	assert_non_null(p);
	memset(p, 0x5a, len);
	eh = (struct rte_ether_hdr *)p;
	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(src, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(type);
	return m;
}

static struct rte_mbuf *
mk(const struct rte_ether_addr *dst, const struct rte_ether_addr *src)
{
	return mk_frame(dst, src, RTE_ETHER_TYPE_IPV4, 60);
}

/* 64 bytes with an in-frame 802.1Q tag `tci` before IPv4 (a guest or an
 * uplink tagging in software). */
static struct rte_mbuf *
mk_tagged(const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
	  uint16_t tci)
{
	struct rte_mbuf *m = mk_frame(dst, src, RTE_ETHER_TYPE_VLAN, 64);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	p[14] = (uint8_t)(tci >> 8);
	p[15] = (uint8_t)tci;
	p[16] = 0x08;
	p[17] = 0x00;
	return m;
}

/* An untagged frame with the tag in metadata (netvsc per-packet info). */
static struct rte_mbuf *
mk_meta(const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
	uint16_t tci)
{
	struct rte_mbuf *m = mk(dst, src);

	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = tci;
	return m;
}

/* A copy of captured bytes. */
static struct rte_mbuf *
mk_bytes(const uint8_t *f, size_t n)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, (uint16_t)n);
	assert_non_null(p);
	memcpy(p, f, n);
	return m;
}

static void
send1(uint16_t in, struct rte_mbuf *m)
{
	vsw_switch_input(sw, in, &m, 1, now);
	vsw_switch_flush(sw);
}

static uint64_t
drops(unsigned int port, enum vsw_drop_reason r)
{
	struct vsw_port_stats st;

	vsw_port_stats_read(&fakes[port].port, &st);
	return st.drops[r];
}

/* Metadata VLAN TCI of a delivered frame, or -1 when untagged. */
static int
meta(const struct rte_mbuf *m)
{
	if ((m->ol_flags & (RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_TX_VLAN)) == 0) {
		return -1;
	}
	return m->vlan_tci;
}

static uint16_t
ethertype(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	return (uint16_t)(p[12] << 8 | p[13]);
}

/* Number of frames each port received (a macro, so a failure names the
 * caller's line). */
#define assert_rx(n0, n1, n2, n3, n4, n5) \
	do { \
		const unsigned int want_[N_FAKE] = { n0, n1, n2, n3, n4, \
						     n5 }; \
		unsigned int i_; \
		for (i_ = 0; i_ < N_FAKE; i_++) { \
			assert_int_equal(fakes[i_].n_tx, want_[i_]); \
		} \
	} while (0)

static void
set_policy(unsigned int i, const struct vsw_policy_cfg *c, bool trusted)
{
	struct vsw_policy_params prm = {
		.trusted = trusted,
		.max_pkt_len = 0,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vsw_policy *p = vsw_policy_create(c, &prm);

	assert_non_null(p);
	vsw_policy_free(vsw_policy_apply(&fakes[i].port, p));
}

static struct vsw_policy_cfg
cfg_default(void)
{
	struct vsw_policy_cfg c;

	vsw_policy_cfg_init(&c);
	return c;
}

static struct vsw_policy_cfg
cfg_access(uint16_t vid)
{
	struct vsw_policy_cfg c = cfg_default();

	c.vlan_mode = VSW_VLAN_ACCESS;
	c.access_vlan = vid;
	return c;
}

static struct vsw_policy_cfg
cfg_trunk(uint16_t native, uint16_t a, uint16_t b)
{
	struct vsw_policy_cfg c = cfg_default();

	c.vlan_mode = VSW_VLAN_TRUNK;
	c.native_vlan = native;
	vsw_vlan_allow(&c, a);
	vsw_vlan_allow(&c, b);
	return c;
}

static struct vsw_policy_cfg
cfg_uplink(void)
{
	struct vsw_policy_cfg c = cfg_default();

	c.vlan_mode = VSW_VLAN_TRANSPARENT;
	return c;
}

/*
 * The VLAN layout of most VLAN tests:
 *   p0 access 10, p1 access 10, p2 access 20, p3 trunk {10, 20} native 0,
 *   p4 untagged, p5 uplink (transparent, trusted).
 */
static void
vlan_layout(void)
{
	struct vsw_policy_cfg c;

	c = cfg_access(10);
	set_policy(0, &c, false);
	set_policy(1, &c, false);
	c = cfg_access(20);
	set_policy(2, &c, false);
	c = cfg_trunk(0, 10, 20);
	set_policy(3, &c, false);
	c = cfg_uplink();
	set_policy(5, &c, true);
}

static int
setup(void **state)
{
	struct vsw_switch_cfg cfg = {
		.type = VSW_SWITCH_EXTERNAL,
		.socket_id = SOCKET_ID_ANY,
		.fdb_max_entries = 1024,
		.fdb_age_ns = 0,
		.age_interval_ns = 1000000,
		.hash_seed = 0x5eed,
	};
	struct vsw_policy_cfg def = cfg_default();
	unsigned int i;

	(void)state;
	now = T0;
	sw = vsw_switch_create("swp", &cfg);
	assert_non_null(sw);
	for (i = 0; i < N_FAKE; i++) {
		struct rte_ether_addr mac = {{ 0x00, 0x15, 0x5d, 0, 0,
					       (uint8_t)i }};
		char name[16];

		memset(&fakes[i], 0, sizeof(fakes[i]));
		snprintf(name, sizeof(name), "p%u", i);
		assert_int_equal(vsw_port_init(&fakes[i].port, &fake_ops, name,
					       &mac, 0, &fakes[i]),
				 0);
		fakes[i].port.link_up = true;
		set_policy(i, &def, false);
		assert_int_equal(vsw_switch_add_port(sw, &fakes[i].port),
				 (int)i);
	}
	return 0;
}

static int
teardown(void **state)
{
	unsigned int i;

	(void)state;
	vsw_switch_destroy(sw);
	sw = NULL;
	for (i = 0; i < N_FAKE; i++) {
		assert_int_equal(fakes[i].destroyed, 1);
		/* remove_port took the policy state back and freed it. */
		assert_null(fakes[i].port.policy);
	}
	drain_all();
	/* Every mbuf, clone and private copy is back. */
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
	return 0;
}

/* ---- VLAN ---- */

/* Default (untagged) ports: one shared mbuf, no metadata, no clone. */
static void
test_default_untagged(void **state)
{
	struct vsw_switch_stats st;
	struct rte_mbuf *m;
	unsigned int i;

	(void)state;
	m = mk(&bcast, pmac(0));
	send1(0, m);
	assert_rx(0, 1, 1, 1, 1, 1);
	for (i = 1; i < N_FAKE; i++) {
		assert_ptr_equal(fakes[i].txq[0], m);
		assert_int_equal(meta(m), -1);
	}
	assert_int_equal(rte_mbuf_refcnt_read(m), 5);
	vsw_switch_stats_read(sw, &st);
	assert_int_equal(st.vlan_clones, 0);
	assert_int_equal(vsw_fdb_lookup(vsw_switch_fdb(sw),
					pmac(0)->addr_bytes, 0, now),
			 0);
	drain_all();

	/* Tagged frames from an untagged port: in-frame or metadata. */
	send1(0, mk_tagged(&bcast, pmac(0), 10));
	send1(0, mk_meta(&bcast, pmac(0), 10));
	assert_int_equal(drops(0, VSW_DROP_VLAN), 2);
	assert_rx(0, 0, 0, 0, 0, 0);

	/* A priority tag (VID 0, PCP 5) is not a VLAN: in-frame it is
	 * stripped, in metadata cleared; class 0. */
	send1(0, mk_tagged(&bcast, pmac(0), 0xa000));
	assert_rx(0, 1, 1, 1, 1, 1);
	m = fakes[1].txq[0];
	assert_int_equal(m->pkt_len, 60);
	assert_int_equal(ethertype(m), RTE_ETHER_TYPE_IPV4);
	assert_int_equal(meta(m), -1);
	drain_all();
	send1(0, mk_meta(&bcast, pmac(0), 0xa000));
	assert_rx(0, 1, 1, 1, 1, 1);
	assert_int_equal(meta(fakes[2].txq[0]), -1);
	assert_int_equal(drops(0, VSW_DROP_VLAN), 2);
	drain_all();
}

/* Access port floods: same VLAN only; untagged to access ports, tagged to
 * trunks; one clone shared by the untagged outputs. */
static void
test_vlan_access_flood(void **state)
{
	struct vsw_switch_stats st;
	struct rte_mbuf *m;

	(void)state;
	vlan_layout();
	m = mk(&bcast, pmac(0));
	send1(0, m);
	assert_rx(0, 1, 0, 1, 0, 1);
	/* Trunk and uplink share the original, tagged 10. */
	assert_ptr_equal(fakes[3].txq[0], m);
	assert_ptr_equal(fakes[5].txq[0], m);
	assert_int_equal(meta(m), 10);
	/* Two outputs + the clone's hold on the data. */
	assert_int_equal(rte_mbuf_refcnt_read(m), 3);
	/* p1 got an untagged clone of the same data. */
	assert_ptr_not_equal(fakes[1].txq[0], m);
	assert_int_equal(meta(fakes[1].txq[0]), -1);
	assert_true(RTE_MBUF_CLONED(fakes[1].txq[0]));
	assert_int_equal(fakes[1].txq[0]->pkt_len, 60);
	vsw_switch_stats_read(sw, &st);
	assert_int_equal(st.vlan_clones, 1);
	assert_int_equal(st.flood_copies, 3);
	/* Learned in VLAN 10 only. */
	assert_int_equal(vsw_fdb_lookup(vsw_switch_fdb(sw),
					pmac(0)->addr_bytes, 10, now),
			 0);
	assert_int_equal(vsw_fdb_lookup(vsw_switch_fdb(sw),
					pmac(0)->addr_bytes, 0, now),
			 -ENOENT);
	drain_all();

	/* Only access ports take it: the one mbuf is untagged in place. */
	fakes[3].port.link_up = false;
	fakes[5].port.link_up = false;
	m = mk(&bcast, pmac(0));
	send1(0, m);
	assert_rx(0, 1, 0, 0, 0, 0);
	assert_ptr_equal(fakes[1].txq[0], m);
	assert_int_equal(meta(m), -1);
	vsw_switch_stats_read(sw, &st);
	assert_int_equal(st.vlan_clones, 1);
	drain_all();

	/* VLAN 20 from p2: nobody else is in it but trunk and uplink. */
	fakes[3].port.link_up = true;
	fakes[5].port.link_up = true;
	send1(2, mk(&bcast, pmac(2)));
	assert_rx(0, 0, 0, 1, 0, 1);
	assert_int_equal(meta(fakes[3].txq[0]), 20);
	drain_all();

	/* Untagged port p4: VLAN 0, reaches only the uplink. */
	send1(4, mk(&bcast, pmac(4)));
	assert_rx(0, 0, 0, 0, 0, 1);
	assert_int_equal(meta(fakes[5].txq[0]), -1);
	drain_all();
}

/* Trunk ingress: metadata tags, software (in-frame) tags, untagged with
 * native 0, VLANs not allowed, the reserved VID. */
static void
test_vlan_trunk_ingress(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	vlan_layout();
	send1(3, mk_meta(&bcast, pmac(3), 20));
	assert_rx(0, 0, 1, 0, 0, 1);
	assert_int_equal(meta(fakes[2].txq[0]), -1);
	assert_int_equal(meta(fakes[5].txq[0]), 20);
	drain_all();

	/* Software-tagged guest: tag stripped out of the bytes. */
	send1(3, mk_tagged(&bcast, pmac(3), 0x2000 | 10));
	assert_rx(1, 1, 0, 0, 0, 1);
	m = fakes[0].txq[0];
	assert_int_equal(m->pkt_len, 60);
	assert_int_equal(ethertype(m), RTE_ETHER_TYPE_IPV4);
	assert_true(rte_is_same_ether_addr(
		rte_pktmbuf_mtod_offset(m, struct rte_ether_addr *, 6),
		pmac(3)));
	assert_int_equal(meta(m), -1);
	/* The uplink gets the tag (PCP kept) in metadata, no tag in the
	 * bytes. */
	m = fakes[5].txq[0];
	assert_int_equal(meta(m), 0x2000 | 10);
	assert_int_equal(ethertype(m), RTE_ETHER_TYPE_IPV4);
	drain_all();

	/* Untagged (native 0), not allowed (30), reserved (4095). */
	send1(3, mk(&bcast, pmac(3)));
	send1(3, mk_meta(&bcast, pmac(3), 30));
	send1(3, mk_tagged(&bcast, pmac(3), 30));
	send1(3, mk_tagged(&bcast, pmac(3), 4095));
	assert_int_equal(drops(3, VSW_DROP_VLAN), 4);
	assert_rx(0, 0, 0, 0, 0, 0);

	/* Access ports drop every tagged frame, even of their own VLAN. */
	send1(0, mk_tagged(&bcast, pmac(0), 10));
	send1(0, mk_meta(&bcast, pmac(0), 10));
	assert_int_equal(drops(0, VSW_DROP_VLAN), 2);
	/* A priority-tagged frame is fine there. */
	send1(0, mk_tagged(&bcast, pmac(0), 0x6000));
	assert_rx(0, 1, 0, 1, 0, 1);
	assert_int_equal(meta(fakes[3].txq[0]), 0x6000 | 10);
	drain_all();
}

/* Trunk with a native VLAN: untagged in = native, native out untagged. */
static void
test_vlan_native(void **state)
{
	struct vsw_policy_cfg c = cfg_trunk(10, 20, 20);

	(void)state;
	vlan_layout();
	set_policy(3, &c, false);
	send1(3, mk(&bcast, pmac(3)));
	assert_rx(1, 1, 0, 0, 0, 1);
	assert_int_equal(meta(fakes[0].txq[0]), -1);
	assert_int_equal(meta(fakes[5].txq[0]), 10);
	drain_all();
	/* Tagged with the native VLAN id is accepted as well. */
	send1(3, mk_meta(&bcast, pmac(3), 10));
	assert_rx(1, 1, 0, 0, 0, 1);
	drain_all();

	send1(0, mk(&bcast, pmac(0)));
	assert_rx(0, 1, 0, 1, 0, 1);
	assert_int_equal(meta(fakes[3].txq[0]), -1);
	assert_int_equal(meta(fakes[5].txq[0]), 10);
	drain_all();
	send1(2, mk(&bcast, pmac(2)));
	assert_rx(0, 0, 0, 1, 0, 1);
	assert_int_equal(meta(fakes[3].txq[0]), 20);
	drain_all();
}

/* One MAC in two VLANs: two FDB entries, unicast never crosses. */
static void
test_vlan_unicast_no_leak(void **state)
{
	struct vsw_policy_cfg c = cfg_access(10);
	struct vsw_fdb *fdb = vsw_switch_fdb(sw);
	struct rte_mbuf *m;

	(void)state;
	vlan_layout();
	/* p1 and p2 may use any source MAC: station S is behind both. */
	c.mac_spoofing = true;
	set_policy(1, &c, false);
	c = cfg_access(20);
	c.mac_spoofing = true;
	set_policy(2, &c, false);
	send1(1, mk(&bcast, &mac_s));
	send1(2, mk(&bcast, &mac_s));
	drain_all();
	assert_int_equal(vsw_fdb_lookup(fdb, mac_s.addr_bytes, 10, now), 1);
	assert_int_equal(vsw_fdb_lookup(fdb, mac_s.addr_bytes, 20, now), 2);
	assert_int_equal(vsw_fdb_lookup(fdb, mac_s.addr_bytes, 0, now),
			 -ENOENT);

	send1(0, mk(&mac_s, pmac(0)));
	assert_rx(0, 1, 0, 0, 0, 0);
	drain_all();
	/* From the uplink, software-tagged 20: only p2, untagged. */
	m = mk_tagged(&mac_s, &mac_x, 20);
	send1(5, m);
	assert_rx(0, 0, 1, 0, 0, 0);
	assert_int_equal(meta(fakes[2].txq[0]), -1);
	/* Only reference: untagged in place, no clone. */
	assert_ptr_equal(fakes[2].txq[0], m);
	drain_all();
	/* VLAN 0 does not know S: flooded within VLAN 0 (the uplink). */
	send1(4, mk(&mac_s, pmac(4)));
	assert_rx(0, 0, 0, 0, 0, 1);
	drain_all();
	/* A (static) entry naming a port outside the VLAN: dropped "vlan"
	 * on that port, delivered nowhere. */
	assert_int_equal(vsw_fdb_add_static(fdb, mac_x.addr_bytes, 10, 2,
					    now),
			 0);
	send1(0, mk(&mac_x, pmac(0)));
	assert_rx(0, 0, 0, 0, 0, 0);
	assert_int_equal(drops(2, VSW_DROP_VLAN), 1);
	assert_int_equal(drops(0, VSW_DROP_VLAN), 0);
	/* Unicast to a trunk: tagged. */
	send1(3, mk_meta(&bcast, pmac(3), 20));
	drain_all();
	send1(2, mk(pmac(3), &mac_s));
	assert_rx(0, 0, 0, 1, 0, 0);
	assert_int_equal(meta(fakes[3].txq[0]), 20);
	drain_all();
}

/* Stacked tags, 802.1ad, real captured tagged frames. */
static void
test_vlan_stacked_and_qinq(void **state)
{
	struct vsw_policy_cfg c = cfg_trunk(0, 100, 20);
	struct rte_mbuf *m;
	uint8_t *p;

	(void)state;
	vlan_layout();
	/* 802.1ad outer tag (captured, S-VID 200): dropped everywhere. */
	send1(5, mk_bytes(qinq, sizeof(qinq)));
	assert_int_equal(drops(5, VSW_DROP_VLAN), 1);
	/* Captured 802.1Q frame (PCP 5, VID 100, from host A) on a trunk
	 * allowing 100: class 100, priority kept, tag out of the bytes. */
	set_policy(3, &c, false);
	c = cfg_uplink();
	set_policy(4, &c, true);
	send1(4, mk_bytes(vlan, sizeof(vlan)));
	assert_rx(0, 0, 0, 1, 0, 1);
	m = fakes[3].txq[0];
	assert_int_equal(meta(m), 0xa000 | 100);
	assert_int_equal(m->pkt_len, sizeof(vlan) - 4);
	assert_int_equal(ethertype(m), RTE_ETHER_TYPE_IPV4);
	assert_memory_equal(rte_pktmbuf_mtod_offset(m, uint8_t *, 14),
			    vlan + 18, sizeof(vlan) - 18);
	drain_all();

	/* Priority tag then VID 20 (uplink): both stripped, class 20. */
	m = mk_frame(&bcast, &mac_x, RTE_ETHER_TYPE_VLAN, 68);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[14] = 0x00; p[15] = 0x00; p[16] = 0x81; p[17] = 0x00;
	p[18] = 0x00; p[19] = 20; p[20] = 0x08; p[21] = 0x00;
	send1(5, m);
	assert_rx(0, 0, 1, 1, 1, 0);
	assert_int_equal(fakes[2].txq[0]->pkt_len, 60);
	assert_int_equal(ethertype(fakes[2].txq[0]), RTE_ETHER_TYPE_IPV4);
	assert_int_equal(meta(fakes[3].txq[0]), 20);
	drain_all();
	/* The same from an access port: the hidden tag makes it tagged. */
	m = mk_frame(&bcast, pmac(0), RTE_ETHER_TYPE_VLAN, 68);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[14] = 0x00; p[15] = 0x00; p[16] = 0x81; p[17] = 0x00;
	p[18] = 0x00; p[19] = 10; p[20] = 0x08; p[21] = 0x00;
	send1(0, m);
	assert_int_equal(drops(0, VSW_DROP_VLAN), 1);
	/* Three stacked priority tags: not accepted. */
	m = mk_frame(&bcast, pmac(0), RTE_ETHER_TYPE_VLAN, 72);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memset(p + 14, 0, 12);
	p[16] = 0x81; p[20] = 0x81; p[24] = 0x08;
	send1(0, m);
	assert_int_equal(drops(0, VSW_DROP_VLAN), 2);
	/* VID 55 is not allowed on the trunk ... */
	send1(3, mk_tagged(&bcast, pmac(3), 55));
	assert_rx(0, 0, 0, 0, 0, 0);
	assert_int_equal(drops(3, VSW_DROP_VLAN), 1);
	/* ... but after a metadata VLAN id an in-frame tag is an inner
	 * tag: payload of VLAN 20, left in the bytes. */
	m = mk_tagged(&bcast, pmac(3), 55);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN;
	m->vlan_tci = 20;
	send1(3, m);
	assert_rx(0, 0, 1, 0, 1, 1);
	assert_int_equal(fakes[2].txq[0]->pkt_len, 64);
	assert_int_equal(ethertype(fakes[2].txq[0]), RTE_ETHER_TYPE_VLAN);
	drain_all();
}

/* Frames the engine must copy before stripping: header split over two
 * segments, and an mbuf someone else still references. */
static void
test_vlan_private_copy(void **state)
{
	struct rte_mbuf *m, *seg;
	uint8_t hdr[16], rest[48];

	(void)state;
	vlan_layout();
	/* Segment 1: addresses, 0x8100 and the TCI; segment 2: the inner
	 * ethertype and the payload. */
	memcpy(hdr, bcast.addr_bytes, 6);
	memcpy(hdr + 6, mac_x.addr_bytes, 6);
	hdr[12] = 0x81; hdr[13] = 0x00; hdr[14] = 0x00; hdr[15] = 20;
	memset(rest, 0x77, sizeof(rest));
	rest[0] = 0x08; rest[1] = 0x00;
	m = mk_bytes(hdr, sizeof(hdr));
	seg = mk_bytes(rest, sizeof(rest));
	assert_int_equal(rte_pktmbuf_chain(m, seg), 0);
	send1(5, m);
	assert_rx(0, 0, 1, 1, 0, 0);
	m = fakes[2].txq[0];
	assert_int_equal(m->pkt_len, 60);
	assert_int_equal(ethertype(m), RTE_ETHER_TYPE_IPV4);
	assert_int_equal(meta(fakes[3].txq[0]), 20);
	drain_all();

	/* Shared input: the other holder's bytes stay as they were. */
	m = mk_tagged(&bcast, &mac_x, 20);
	rte_mbuf_refcnt_update(m, 1);
	send1(5, m);
	assert_rx(0, 0, 1, 1, 0, 0);
	assert_ptr_not_equal(fakes[2].txq[0], m);
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	assert_int_equal(m->pkt_len, 64);
	assert_int_equal(ethertype(m), RTE_ETHER_TYPE_VLAN);
	rte_pktmbuf_free(m);
	drain_all();
}

/* Re-configuration on the lcore: swap, FDB flush, old state returned. */
static void
test_policy_update(void **state)
{
	struct vsw_fdb *fdb = vsw_switch_fdb(sw);
	struct vsw_policy_cfg c = cfg_access(10);
	struct vsw_policy *p, *old;
	struct vsw_port *port;

	(void)state;
	vlan_layout();
	send1(0, mk(&bcast, pmac(0)));
	send1(4, mk(&bcast, pmac(4)));
	drain_all();
	assert_int_equal(vsw_fdb_lookup(fdb, pmac(0)->addr_bytes, 10, now),
			 0);
	assert_int_equal(vsw_fdb_count(fdb), 2);

	/* Same VLANs, new guard: entries kept, old state handed back. */
	c.dhcp_guard = true;
	p = vsw_policy_create(&c, NULL);
	assert_non_null(p);
	old = vsw_policy_apply(&fakes[0].port, p);
	assert_non_null(old);
	assert_ptr_not_equal(old, p);
	assert_int_equal(vsw_policy_cfg_of(old)->dhcp_guard, false);
	assert_int_equal(vsw_policy_cfg_of(p)->dhcp_guard, true);
	vsw_policy_free(old);
	assert_int_equal(vsw_fdb_count(fdb), 2);
	/* Re-applying the installed state is a no-op. */
	assert_null(vsw_policy_apply(&fakes[0].port, p));

	/* Access 10 -> 20: p0's entries go, traffic follows the VLAN. */
	c = cfg_access(20);
	set_policy(0, &c, false);
	assert_int_equal(vsw_fdb_lookup(fdb, pmac(0)->addr_bytes, 10, now),
			 -ENOENT);
	assert_int_equal(vsw_fdb_count(fdb), 1);
	send1(0, mk(&bcast, pmac(0)));
	assert_rx(0, 0, 1, 1, 0, 1);
	drain_all();

	/* Detached port: apply just swaps. */
	port = vsw_switch_detach_port(sw, 4);
	assert_ptr_equal(port, &fakes[4].port);
	c = cfg_access(30);
	set_policy(4, &c, false);
	assert_int_equal(vsw_switch_add_port(sw, port), 4);
	send1(4, mk(&bcast, pmac(4)));
	/* The trunk does not allow 30: only the uplink, tagged. */
	assert_rx(0, 0, 0, 0, 0, 1);
	assert_int_equal(meta(fakes[5].txq[0]), 30);
	drain_all();
	assert_null(vsw_policy_apply(NULL, NULL));
}

static void
test_policy_create_args(void **state)
{
	struct vsw_policy_cfg c = cfg_default();
	struct vsw_policy_params prm = { .trusted = true, .socket_id = -1 };
	struct vsw_policy *p;

	(void)state;
	assert_null(vsw_policy_create(NULL, NULL));
	assert_int_equal(rte_errno, EINVAL);
	c = cfg_access(0);
	assert_null(vsw_policy_create(&c, NULL));
	c = cfg_access(4095);
	assert_null(vsw_policy_create(&c, NULL));
	c = cfg_trunk(4095, 10, 10);
	assert_null(vsw_policy_create(&c, NULL));
	c = cfg_default();
	c.vlan_mode = (enum vsw_vlan_mode)9;
	assert_null(vsw_policy_create(&c, NULL));
	c = cfg_default();
	c.mirror = (enum vsw_mirror_mode)3;
	assert_null(vsw_policy_create(&c, NULL));
	assert_int_equal(rte_errno, EINVAL);
	c = cfg_access(4094);
	p = vsw_policy_create(&c, &prm);
	assert_non_null(p);
	assert_true(vsw_policy_trusted(p));
	assert_true(vsw_policy_member(p, 4094));
	assert_false(vsw_policy_member(p, 0));
	assert_int_equal(vsw_policy_egress(p, 4094), VSW_EGRESS_UNTAG);
	assert_int_equal(vsw_policy_egress(p, 1), VSW_EGRESS_DROP);
	assert_int_equal(vsw_policy_egress(NULL, 1), VSW_EGRESS_ASIS);
	vsw_policy_free(p);
	/* Trunk: VLAN 0 and 4095 bits in `allowed` are ignored. */
	c = cfg_trunk(0, 0, 4094);
	c.allowed[63] |= UINT64_C(1) << 63;
	p = vsw_policy_create(&c, NULL);
	assert_non_null(p);
	assert_false(vsw_policy_trusted(p));
	assert_false(vsw_policy_member(p, 0));
	assert_false(vsw_policy_member(p, 4095));
	assert_true(vsw_policy_member(p, 4094));
	assert_int_equal(vsw_policy_egress(p, 4094), VSW_EGRESS_ASIS);
	vsw_policy_free(p);
	vsw_policy_free(NULL);
	assert_null(vsw_policy_cfg_of(NULL));
}

/* ---- MAC spoofing ---- */

static void
test_spoofing(void **state)
{
	struct vsw_policy_cfg c = cfg_default();
	struct vsw_fdb *fdb = vsw_switch_fdb(sw);

	(void)state;
	/* Default: only the adapter's MAC. */
	send1(1, mk(&bcast, &mac_x));
	assert_int_equal(drops(1, VSW_DROP_SPOOF), 1);
	assert_rx(0, 0, 0, 0, 0, 0);
	assert_int_equal(vsw_fdb_lookup(fdb, mac_x.addr_bytes, 0, now),
			 -ENOENT);
	send1(1, mk(&bcast, pmac(1)));
	assert_rx(1, 0, 1, 1, 1, 1);
	drain_all();
	/* --mac-spoofing on: any source, learned. */
	c.mac_spoofing = true;
	set_policy(1, &c, false);
	send1(1, mk(&bcast, &mac_x));
	assert_rx(1, 0, 1, 1, 1, 1);
	assert_int_equal(vsw_fdb_lookup(fdb, mac_x.addr_bytes, 0, now), 1);
	drain_all();
	/* Trusted (uplink, host vNIC): exempt whatever the setting. */
	c.mac_spoofing = false;
	set_policy(5, &c, true);
	send1(5, mk(&bcast, &mac_s));
	assert_rx(1, 1, 1, 1, 1, 0);
	assert_int_equal(drops(5, VSW_DROP_SPOOF), 0);
	drain_all();
	assert_int_equal(drops(1, VSW_DROP_SPOOF), 1);
}

/* ---- DHCP and router guards (captured frames) ---- */

/* Host B's frames (dnsmasq, radvd) come from a port with host B's MAC. */
static void
guard_port(bool dhcp_guard, bool router_guard)
{
	struct vsw_policy_cfg c = cfg_default();

	c.dhcp_guard = dhcp_guard;
	c.router_guard = router_guard;
	rte_ether_addr_copy(&host_b, &fakes[1].port.mac);
	set_policy(1, &c, false);
}

static void
test_dhcp_guard(void **state)
{
	uint8_t client[sizeof(dhcp)];
	struct rte_mbuf *m;

	(void)state;
	guard_port(true, false);
	/* dnsmasq's DHCPOFFER (UDP 67 -> 68) and DHCPv6 ADVERTISE (547 ->
	 * 546): dropped. */
	send1(1, mk_bytes(dhcp, sizeof(dhcp)));
	send1(1, mk_bytes(dhcp6, sizeof(dhcp6)));
	assert_int_equal(drops(1, VSW_DROP_DHCP_GUARD), 2);
	assert_rx(0, 0, 0, 0, 0, 0);
	/* Same bytes with the ports swapped (68 -> 67: client to server;
	 * UDP ports at offsets 34..37): allowed. */
	memcpy(client, dhcp, sizeof(dhcp));
	client[35] = 68;
	client[37] = 67;
	send1(1, mk_bytes(client, sizeof(client)));
	/* An RA is none of the DHCP guard's business. */
	send1(1, mk_bytes(ra, sizeof(ra)));
	assert_int_equal(fakes[0].n_tx, 2);
	drain_all();
	/* DHCP server frame arriving tagged on a trunk: still found. */
	{
		struct vsw_policy_cfg c = cfg_trunk(0, 7, 7);

		c.dhcp_guard = true;
		set_policy(1, &c, false);
		m = mk_bytes(dhcp, sizeof(dhcp));
		m->ol_flags |= RTE_MBUF_F_RX_VLAN;
		m->vlan_tci = 7;
		send1(1, m);
		assert_int_equal(drops(1, VSW_DROP_DHCP_GUARD), 3);
	}
	/* Guard off: the OFFER passes. */
	guard_port(false, false);
	send1(1, mk_bytes(dhcp, sizeof(dhcp)));
	send1(1, mk_bytes(dhcp6, sizeof(dhcp6)));
	assert_int_equal(fakes[0].n_tx, 2);
	assert_int_equal(drops(1, VSW_DROP_DHCP_GUARD), 3);
	drain_all();
}

static void
test_router_guard(void **state)
{
	uint8_t redirect[sizeof(ra)];

	(void)state;
	guard_port(false, true);
	/* radvd's RA: dropped; the same frame as a redirect (ICMPv6 type
	 * byte at offset 54 set to 137): dropped. */
	send1(1, mk_bytes(ra, sizeof(ra)));
	memcpy(redirect, ra, sizeof(ra));
	redirect[54] = OFL_ICMP6_REDIRECT;
	send1(1, mk_bytes(redirect, sizeof(redirect)));
	assert_int_equal(drops(1, VSW_DROP_ROUTER_GUARD), 2);
	/* An IPv6 header cut short (RFC 7113: upper layer not found). */
	send1(1, mk_bytes(ra, 40));
	assert_int_equal(drops(1, VSW_DROP_ROUTER_GUARD), 3);
	assert_rx(0, 0, 0, 0, 0, 0);
	/* MLD report and the DHCPv6 ADVERTISE pass. */
	send1(1, mk_bytes(mld, sizeof(mld)));
	send1(1, mk_bytes(dhcp6, sizeof(dhcp6)));
	assert_int_equal(fakes[0].n_tx, 2);
	drain_all();
	/* Guard off. */
	guard_port(false, false);
	send1(1, mk_bytes(ra, sizeof(ra)));
	send1(1, mk_bytes(ra, 40));
	assert_int_equal(fakes[0].n_tx, 2);
	assert_int_equal(drops(1, VSW_DROP_ROUTER_GUARD), 3);
	drain_all();
	/* Both guards on a chained frame whose IPv6 header spans two
	 * segments: still parsed (from a copy), still dropped. */
	guard_port(true, true);
	{
		struct rte_mbuf *m = mk_bytes(ra, 30);
		struct rte_mbuf *seg = mk_bytes(ra + 30, sizeof(ra) - 30);

		assert_int_equal(rte_pktmbuf_chain(m, seg), 0);
		send1(1, m);
		assert_int_equal(drops(1, VSW_DROP_ROUTER_GUARD), 4);
	}
	assert_rx(0, 0, 0, 0, 0, 0);
}

/* ---- bandwidth meter ---- */

static void
send_n(uint16_t in, const struct rte_ether_addr *dst, unsigned int n,
       uint16_t len)
{
	struct rte_mbuf *pk[64];
	unsigned int i;

	assert_true(n <= 64);
	for (i = 0; i < n; i++) {
		pk[i] = mk_frame(dst, pmac(in), RTE_ETHER_TYPE_IPV4, len);
	}
	vsw_switch_input(sw, in, pk, (uint16_t)n, now);
	vsw_switch_flush(sw);
}

static void
test_bandwidth(void **state)
{
	struct vsw_policy_cfg c = cfg_default();
	struct vsw_port_stats ps;

	(void)state;
	/* 1.6 Mbit/s = 200,000 bytes/s; burst max(2 * 1518, 50 ms) =
	 * 10,000 bytes.  p1 is learned so the frames go to p1 only. */
	c.max_bandwidth_bps = 1600000;
	set_policy(0, &c, false);
	send1(1, mk(&bcast, pmac(1)));
	drain_all();
	send_n(0, pmac(1), 20, 1000);
	assert_int_equal(fakes[1].n_tx, 10);
	assert_int_equal(drops(0, VSW_DROP_BANDWIDTH), 10);
	/* 25 ms later: 5,000 bytes of credit. */
	now += 25 * MS;
	send_n(0, pmac(1), 10, 1000);
	assert_int_equal(fakes[1].n_tx, 15);
	assert_int_equal(drops(0, VSW_DROP_BANDWIDTH), 15);
	/* 1 s later: the bucket is full again, not fuller. */
	now += 1000 * MS;
	send_n(0, pmac(1), 12, 1000);
	assert_int_equal(fakes[1].n_tx, 25);
	assert_int_equal(drops(0, VSW_DROP_BANDWIDTH), 17);
	/* Small frames within the same instant: none left. */
	send_n(0, pmac(1), 1, 60);
	assert_int_equal(drops(0, VSW_DROP_BANDWIDTH), 18);
	/* 5 ms = 1,000 bytes: sixteen 60-byte frames fit, the 17th not. */
	now += 5 * MS;
	send_n(0, pmac(1), 17, 60);
	assert_int_equal(fakes[1].n_tx, 41);
	assert_int_equal(drops(0, VSW_DROP_BANDWIDTH), 19);
	vsw_port_stats_read(&fakes[1].port, &ps);
	assert_int_equal(ps.tx_bytes, 25 * 1000 + 16 * 60);
	drain_all();

	/* A re-configuration with the same rate keeps the empty bucket;
	 * a new rate starts a full one. */
	c.dhcp_guard = true;
	set_policy(0, &c, false);
	send_n(0, pmac(1), 1, 1000);
	assert_int_equal(drops(0, VSW_DROP_BANDWIDTH), 20);
	c.max_bandwidth_bps = 3200000;
	set_policy(0, &c, false);
	send_n(0, pmac(1), 21, 1000);
	assert_int_equal(fakes[1].n_tx, 20);
	assert_int_equal(drops(0, VSW_DROP_BANDWIDTH), 21);
	/* Other ports are not limited. */
	send_n(2, pmac(1), 30, 1000);
	assert_int_equal(fakes[1].n_tx, 50);
	/* A clock that goes back refills nothing. */
	now -= 2000 * MS;
	send_n(0, pmac(1), 1, 1000);
	assert_int_equal(drops(0, VSW_DROP_BANDWIDTH), 22);
	assert_int_equal(fakes[1].n_tx, 50);
	drain_all();
}

/* ---- storm control ---- */

static void
test_storm(void **state)
{
	struct vsw_policy_cfg c = cfg_default();
	struct rte_mbuf *pk[8];
	unsigned int i;

	(void)state;
	/* 100 frames/s, burst max(10, min(100, 16)) = 16. */
	c.storm_limit_pps = 100;
	set_policy(0, &c, false);
	send1(1, mk(&bcast, pmac(1)));
	drain_all();
	for (i = 0; i < 20; i++) {
		send1(0, mk(i % 2 ? &bcast : &mcast, pmac(0)));
	}
	assert_int_equal(fakes[1].n_tx, 16);
	assert_int_equal(drops(0, VSW_DROP_STORM), 4);
	/* Unknown unicast counts too (decided where the switch floods). */
	send1(0, mk(&mac_x, pmac(0)));
	assert_int_equal(drops(0, VSW_DROP_STORM), 5);
	/* Known unicast never does. */
	send_n(0, pmac(1), 10, 60);
	assert_int_equal(fakes[1].n_tx, 26);
	assert_int_equal(drops(0, VSW_DROP_STORM), 5);
	drain_all();
	/* 50 ms = 5 frames: 3 multicast then 3 unknown unicast in one
	 * burst: ingress charges the multicast first. */
	now += 50 * MS;
	for (i = 0; i < 3; i++) {
		pk[i] = mk(&mcast, pmac(0));
		pk[3 + i] = mk(&mac_x, pmac(0));
	}
	vsw_switch_input(sw, 0, pk, 6, now);
	vsw_switch_flush(sw);
	assert_int_equal(fakes[2].n_tx, 5);
	assert_int_equal(drops(0, VSW_DROP_STORM), 6);
	assert_int_equal(fakes[2].txq[4]->pkt_len, 60);
	assert_true(rte_is_same_ether_addr(
		rte_pktmbuf_mtod(fakes[2].txq[4], struct rte_ether_addr *),
		&mac_x));
	drain_all();
	/* Other ports: unlimited. */
	for (i = 0; i < 30; i++) {
		send1(3, mk(&bcast, pmac(3)));
	}
	assert_int_equal(fakes[0].n_tx, 30);
	drain_all();
	/* A clock that goes back refills nothing, whether the bucket is
	 * next charged at ingress (multicast) or where the switch floods
	 * (unknown unicast). */
	now -= 1000 * MS;
	send1(0, mk(&mcast, pmac(0)));
	now -= 1000 * MS;
	send1(0, mk(&mac_x, pmac(0)));
	assert_int_equal(drops(0, VSW_DROP_STORM), 8);
	assert_rx(0, 0, 0, 0, 0, 0);
	/* Same rate: the (empty) bucket carries over. */
	set_policy(0, &c, false);
	send1(0, mk(&mac_x, pmac(0)));
	assert_int_equal(drops(0, VSW_DROP_STORM), 9);
	/* A new rate (200/s, burst 20): a fresh bucket, here first charged
	 * by unknown unicast. */
	c.storm_limit_pps = 200;
	set_policy(0, &c, false);
	for (i = 0; i < 21; i++) {
		send1(0, mk(&mac_x, pmac(0)));
	}
	assert_int_equal(fakes[1].n_tx, 20);
	assert_int_equal(drops(0, VSW_DROP_STORM), 10);
	drain_all();
}

/* ---- mirroring ---- */

static void
set_mirror(unsigned int i, enum vsw_mirror_mode mode)
{
	struct vsw_policy_cfg c = cfg_default();

	c.mirror = mode;
	set_policy(i, &c, false);
}

static void
test_mirror(void **state)
{
	struct vsw_switch_stats st;
	struct vsw_port_stats ps;
	struct rte_mbuf *m;

	(void)state;
	set_mirror(0, VSW_MIRROR_SOURCE);
	set_mirror(3, VSW_MIRROR_DESTINATION);
	/* p2's broadcast reaches p3 as a flood and as the mirror of what
	 * p0 received. */
	send1(2, mk(&bcast, pmac(2)));
	assert_rx(1, 1, 0, 2, 1, 1);
	drain_all();
	/* Between two non-sources: no copies. */
	send1(1, mk(pmac(2), pmac(1)));
	assert_rx(0, 0, 1, 0, 0, 0);
	drain_all();
	/* What the source sends: flood copy + mirror copy, one mbuf. */
	m = mk(&bcast, pmac(0));
	send1(0, m);
	assert_rx(0, 1, 1, 2, 1, 1);
	assert_ptr_equal(fakes[3].txq[0], m);
	assert_ptr_equal(fakes[3].txq[1], m);
	assert_int_equal(rte_mbuf_refcnt_read(m), 6);
	drain_all();
	/* What is delivered to the source (unicast p1 -> p0). */
	m = mk(pmac(0), pmac(1));
	send1(1, m);
	assert_rx(1, 0, 0, 1, 0, 0);
	assert_ptr_equal(fakes[3].txq[0], m);
	assert_int_equal(rte_mbuf_refcnt_read(m), 2);
	drain_all();
	/* Unicast from the source to p2: p2 and the mirror. */
	send1(0, mk(pmac(2), pmac(0)));
	assert_rx(0, 0, 1, 1, 0, 0);
	drain_all();
	/* The destination's own traffic is not mirrored as such; only
	 * its delivery to the source comes back as a copy (port mirroring
	 * semantics: everything the source receives). */
	m = mk(&bcast, pmac(3));
	send1(3, m);
	assert_rx(1, 1, 1, 1, 1, 1);
	assert_ptr_equal(fakes[3].txq[0], m);
	drain_all();
	/* Frames the source's policy dropped are not mirrored. */
	send1(0, mk(&bcast, &mac_x));
	assert_rx(0, 0, 0, 0, 0, 0);
	vsw_switch_stats_read(sw, &st);
	assert_int_equal(st.mirror_copies, 5);
	/* Copies count as tx on the destination. */
	vsw_port_stats_read(&fakes[3].port, &ps);
	assert_int_equal(ps.tx_packets, 2 + 2 + 1 + 1 + 1);
	/* Destination down: no copy; a second destination: both. */
	fakes[3].port.link_up = false;
	send1(0, mk(&bcast, pmac(0)));
	assert_rx(0, 1, 1, 0, 1, 1);
	drain_all();
	fakes[3].port.link_up = true;
	set_mirror(4, VSW_MIRROR_DESTINATION);
	send1(0, mk(&bcast, pmac(0)));
	assert_rx(0, 1, 1, 2, 2, 1);
	drain_all();
	/* Removing a destination drops it from the list. */
	assert_int_equal(vsw_switch_remove_port(sw, 4), 0);
	send1(0, mk(&bcast, pmac(0)));
	assert_rx(0, 1, 1, 2, 0, 1);
	drain_all();
	/* Back for teardown (destroyed once more there). */
	fakes[4].destroyed = 0;
	assert_int_equal(vsw_switch_add_port(sw, &fakes[4].port), 4);
	/* Source back to none: no more copies. */
	set_mirror(0, VSW_MIRROR_NONE);
	send1(0, mk(&bcast, pmac(0)));
	assert_rx(0, 1, 1, 1, 1, 1);
	vsw_switch_stats_read(sw, &st);
	assert_int_equal(st.mirror_copies, 5 + 3);
	drain_all();
}

/* Mirroring across VLANs: copies carry the frame's VLAN (ingress) or
 * what was delivered (egress), whatever the destination's VLAN. */
static void
test_mirror_vlan(void **state)
{
	struct vsw_policy_cfg c;
	struct rte_mbuf *m;

	(void)state;
	vlan_layout();
	c = cfg_access(10);
	c.mirror = VSW_MIRROR_SOURCE;
	set_policy(0, &c, false);
	c = cfg_access(20);
	c.mirror = VSW_MIRROR_DESTINATION;
	set_policy(2, &c, false);
	/* Source sends: the copy shows VLAN 10 in metadata; p1 (untagged
	 * delivery) needed a clone because the mirror shares the mbuf. */
	m = mk(&bcast, pmac(0));
	send1(0, m);
	assert_rx(0, 1, 1, 1, 0, 1);
	assert_ptr_equal(fakes[2].txq[0], m);
	assert_int_equal(meta(m), 10);
	assert_int_equal(meta(fakes[1].txq[0]), -1);
	assert_ptr_not_equal(fakes[1].txq[0], m);
	drain_all();
	/* Delivered to the source (tagged 10 from the uplink, untagged in
	 * place for p0): the copy is the delivered, untagged frame. */
	m = mk_tagged(pmac(0), &mac_x, 10);
	send1(5, m);
	assert_rx(1, 0, 1, 0, 0, 0);
	assert_ptr_equal(fakes[0].txq[0], m);
	assert_ptr_equal(fakes[2].txq[0], m);
	assert_int_equal(meta(m), -1);
	assert_int_equal(rte_mbuf_refcnt_read(m), 2);
	drain_all();

	/* A second source, the trunk, sends tagged 10 to p1: the mirror
	 * shares the mbuf, so p1's untagged copy must be a clone and the
	 * mirror copy keeps VLAN 10. */
	c = cfg_trunk(0, 10, 20);
	c.mirror = VSW_MIRROR_SOURCE;
	set_policy(3, &c, false);
	send1(1, mk(&bcast, pmac(1)));
	drain_all();
	m = mk_meta(pmac(1), pmac(3), 10);
	send1(3, m);
	assert_rx(0, 1, 1, 0, 0, 0);
	assert_ptr_equal(fakes[2].txq[0], m);
	assert_int_equal(meta(m), 10);
	assert_ptr_not_equal(fakes[1].txq[0], m);
	assert_int_equal(meta(fakes[1].txq[0]), -1);
	drain_all();
	/* A flood whose only output takes it untagged, from a source: the
	 * same (clone, the mirror keeps the tag). */
	fakes[3].port.link_up = false;
	fakes[5].port.link_up = false;
	m = mk(&bcast, pmac(0));
	send1(0, m);
	assert_rx(0, 1, 1, 0, 0, 0);
	assert_ptr_equal(fakes[2].txq[0], m);
	assert_int_equal(meta(m), 10);
	assert_ptr_not_equal(fakes[1].txq[0], m);
	assert_int_equal(meta(fakes[1].txq[0]), -1);
	drain_all();
}

/* A burst through vsw_switch_poll with default policies everywhere:
 * nothing dropped, nothing cloned (the cheap path). */
static void
test_poll_default(void **state)
{
	struct vsw_switch_stats st;
	unsigned int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		fakes[2].rxq[fakes[2].rx_tail++] =
			mk(i == 0 ? &bcast : pmac(1), pmac(2));
	}
	fakes[1].rxq[fakes[1].rx_tail++] = mk(&bcast, pmac(1));
	assert_int_equal(vsw_switch_poll(sw, now), 33);
	assert_int_equal(vsw_switch_poll(sw, now), 8);
	assert_int_equal(fakes[1].n_tx, 40);
	assert_int_equal(fakes[0].n_tx, 2);
	vsw_switch_stats_read(sw, &st);
	assert_int_equal(st.vlan_clones, 0);
	for (i = 0; i < N_FAKE; i++) {
		assert_int_equal(vsw_port_drops_total(&fakes[i].port), 0);
	}
	drain_all();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_default_untagged),
		T(test_vlan_access_flood),
		T(test_vlan_trunk_ingress),
		T(test_vlan_native),
		T(test_vlan_unicast_no_leak),
		T(test_vlan_stacked_and_qinq),
		T(test_vlan_private_copy),
		T(test_policy_update),
		T(test_policy_create_args),
		T(test_spoofing),
		T(test_dhcp_guard),
		T(test_router_guard),
		T(test_bandwidth),
		T(test_storm),
		T(test_mirror),
		T(test_mirror_vlan),
		T(test_poll_default),
	};
	(void)argc;
	return sn_eal_run(argv[0], "vswpol", POOL_SIZE, &pool, tests,
			  RTE_DIM(tests));
}
