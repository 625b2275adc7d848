/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vsw_switch.c - the vswitch forwarding core under a real EAL (no
 * hugepages, no PCI), with in-memory fake ports: rx from an array, tx into
 * an array.
 *
 * Every test starts from a switch with four link-up fake ports p0..p3
 * (ids 0..3, MTU 1500), and ends by destroying the switch, freeing what the
 * fake peers received, and asserting that every mbuf is back in the pool,
 * so any leak or double free in the switch fails the test that caused it.
 * Expected values follow the forwarding rules in vswitch/vsw_switch.c.
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

#include "vsw_switch.h"

#define POOL_SIZE 2047u
#define N_FAKE 4
#define FAKE_RXQ 128
#define FAKE_TXQ 512
#define AGE_NS 1000000000ull /* 1 s FDB lifetime in these tests */

/* A fake port: the test plays its peer. */
struct fake_port {
	struct vsw_port port;            /* embedded switch port */
	struct rte_mbuf *rxq[FAKE_RXQ];  /* frames the peer "sent" */
	unsigned int rx_head;            /* next rxq[] to hand out */
	unsigned int rx_tail;            /* end of rxq[] */
	struct rte_mbuf *txq[FAKE_TXQ];  /* frames the peer "received" */
	unsigned int n_tx;               /* used txq[] */
	unsigned int tx_cap;             /* accept at most this many */
	unsigned int tx_bursts;          /* tx_burst calls */
	unsigned int max_burst;          /* largest tx_burst n seen */
	unsigned int flushes;            /* flush calls */
	unsigned int arms;               /* arm_wait calls */
	bool work_pending;               /* arm_wait result */
	unsigned int destroyed;          /* destroy calls */
};

static struct rte_mempool *pool;
static struct fake_port fakes[N_FAKE];
static struct vsw_switch *sw;
static uint64_t now = 1000;

static const struct rte_ether_addr mac_a = {{ 0x02, 0, 0, 0, 0, 0x0a }};
static const struct rte_ether_addr mac_b = {{ 0x02, 0, 0, 0, 0, 0x0b }};
static const struct rte_ether_addr mac_c = {{ 0x02, 0, 0, 0, 0, 0x0c }};
static const struct rte_ether_addr mac_d = {{ 0x02, 0, 0, 0, 0, 0x0d }};
static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff,
					      0xff }};
static const struct rte_ether_addr mcast = {{ 0x01, 0x00, 0x5e, 0x00, 0x00,
					      0x01 }};

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

	assert_true(n <= VSW_BURST_MAX);
	while (i < n && f->rx_head < f->rx_tail) {
		pkts[i++] = f->rxq[f->rx_head++];
	}
	return i;
}

static uint16_t
fake_tx_burst(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_port *f = fake_of(port);
	uint16_t i, sent = 0;

	assert_true(n >= 1 && n <= VSW_BURST_MAX);
	f->tx_bursts++;
	f->max_burst = RTE_MAX(f->max_burst, (unsigned int)n);
	for (i = 0; i < n; i++) {
		if (f->n_tx < f->tx_cap) {
			vsw_port_count_tx(port, 1, pkts[i]->pkt_len);
			f->txq[f->n_tx++] = pkts[i];
			sent++;
		} else {
			vsw_port_drop(port, pkts[i], VSW_DROP_RING_FULL);
		}
	}
	return sent;
}

static void
fake_flush(struct vsw_port *port)
{
	fake_of(port)->flushes++;
}

static int
fake_wait_fd(struct vsw_port *port)
{
	(void)port;
	return -1;
}

static bool
fake_arm_wait(struct vsw_port *port)
{
	struct fake_port *f = fake_of(port);

	f->arms++;
	return f->work_pending;
}

/* Frees frames the peer never collected; the peer keeps txq[]. */
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
	.flush = fake_flush,
	.wait_fd = fake_wait_fd,
	.arm_wait = fake_arm_wait,
	.destroy = fake_destroy,
};

static void
fake_drain_tx(struct fake_port *f)
{
	rte_pktmbuf_free_bulk(f->txq, f->n_tx);
	f->n_tx = 0;
}

static void
drain_all(void)
{
	unsigned int i;

	for (i = 0; i < N_FAKE; i++) {
		fake_drain_tx(&fakes[i]);
	}
}

/* A frame dst/src/type with len bytes in total (len >= 14). */
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

/* Input one frame on port `in` and flush. */
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

static int
setup(void **state)
{
	struct vsw_switch_cfg cfg = {
		.type = VSW_SWITCH_INTERNAL,
		.socket_id = SOCKET_ID_ANY,
		.fdb_max_entries = 1024,
		.fdb_age_ns = AGE_NS,
		.age_interval_ns = 1000000,
		.hash_seed = 0x5eed,
	};
	unsigned int i;

	(void)state;
	now = 1000;
	sw = vsw_switch_create("sw0", &cfg);
	assert_non_null(sw);
	for (i = 0; i < N_FAKE; i++) {
		struct rte_ether_addr mac = {{ 0x00, 0x15, 0x5d, 0, 0,
					       (uint8_t)i }};
		char name[16];

		memset(&fakes[i], 0, sizeof(fakes[i]));
		fakes[i].tx_cap = FAKE_TXQ;
		snprintf(name, sizeof(name), "p%u", i);
		assert_int_equal(vsw_port_init(&fakes[i].port, &fake_ops, name,
					       &mac, 0, &fakes[i]),
				 0);
		fakes[i].port.link_up = true;
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
	}
	drain_all();
	/* Every mbuf is back: no leak, and (with refcounts) no double free
	 * (which would overfill or corrupt the pool). */
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
	return 0;
}

static void
test_learn_and_flood(void **state)
{
	struct vsw_switch_stats st;
	struct vsw_port_stats ps;
	struct rte_mbuf *m = mk(&bcast, &mac_a);
	unsigned int i;

	(void)state;
	send1(0, m);
	assert_int_equal(fakes[0].n_tx, 0);
	for (i = 1; i < N_FAKE; i++) {
		/* The same mbuf, shared, not copied. */
		assert_int_equal(fakes[i].n_tx, 1);
		assert_ptr_equal(fakes[i].txq[0], m);
		assert_int_equal(fakes[i].tx_bursts, 1);
		assert_int_equal(fakes[i].flushes, 1);
	}
	assert_int_equal(rte_mbuf_refcnt_read(m), 3);
	assert_int_equal(vsw_fdb_lookup(vsw_switch_fdb(sw), mac_a.addr_bytes,
					0, now),
			 0);
	vsw_switch_stats_read(sw, &st);
	assert_int_equal(st.rx_packets, 1);
	assert_int_equal(st.flooded, 1);
	assert_int_equal(st.flood_copies, 3);
	assert_int_equal(st.unicast, 0);
	vsw_port_stats_read(&fakes[0].port, &ps);
	assert_int_equal(ps.rx_packets, 1);
	assert_int_equal(ps.rx_bytes, 60);
	vsw_port_stats_read(&fakes[2].port, &ps);
	assert_int_equal(ps.tx_packets, 1);
	assert_int_equal(ps.tx_bytes, 60);
	/* Each peer frees its reference; the third free returns it. */
	fake_drain_tx(&fakes[1]);
	assert_int_equal(rte_mbuf_refcnt_read(m), 2);
	drain_all();
}

static void
test_unicast(void **state)
{
	struct vsw_switch_stats st;
	struct rte_mbuf *m;

	(void)state;
	send1(0, mk(&bcast, &mac_a));
	send1(1, mk(&bcast, &mac_b));
	drain_all();

	m = mk(&mac_a, &mac_b);
	send1(1, m);
	assert_int_equal(fakes[0].n_tx, 1);
	assert_ptr_equal(fakes[0].txq[0], m);
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	assert_int_equal(fakes[1].n_tx + fakes[2].n_tx + fakes[3].n_tx, 0);

	send1(2, mk(&mac_b, &mac_c));
	assert_int_equal(fakes[1].n_tx, 1);
	assert_int_equal(fakes[3].n_tx, 0);
	/* C was learned from that frame; reply goes straight to p2. */
	send1(1, mk(&mac_c, &mac_b));
	assert_int_equal(fakes[2].n_tx, 1);
	assert_int_equal(fakes[3].n_tx, 0);
	vsw_switch_stats_read(sw, &st);
	assert_int_equal(st.unicast, 3);
	assert_int_equal(st.flooded, 2);
	/* Station A moves to p3: the next frame from it re-learns. */
	send1(3, mk(&bcast, &mac_a));
	drain_all();
	send1(1, mk(&mac_a, &mac_b));
	assert_int_equal(fakes[3].n_tx, 1);
	assert_int_equal(fakes[0].n_tx, 0);
	drain_all();
}

static void
test_unknown_and_multicast(void **state)
{
	struct vsw_fdb *fdb = vsw_switch_fdb(sw);
	unsigned int i;

	(void)state;
	/* Unknown unicast floods. */
	send1(0, mk(&mac_c, &mac_a));
	for (i = 1; i < N_FAKE; i++) {
		assert_int_equal(fakes[i].n_tx, 1);
	}
	drain_all();
	/* Multicast destination floods even when a "port" is known. */
	send1(1, mk(&mcast, &mac_b));
	assert_int_equal(fakes[0].n_tx, 1);
	assert_int_equal(fakes[2].n_tx, 1);
	assert_int_equal(fakes[3].n_tx, 1);
	drain_all();
	assert_int_equal(vsw_fdb_count(fdb), 2);
	/* Group and zero sources are never learned (but still forwarded). */
	send1(2, mk(&bcast, &mcast));
	send1(2, mk(&bcast, &bcast));
	{
		const struct rte_ether_addr zero = {{ 0 }};

		send1(2, mk(&bcast, &zero));
	}
	assert_int_equal(vsw_fdb_count(fdb), 2);
	assert_int_equal(fakes[0].n_tx, 3);
	drain_all();
}

static void
test_loop_drop(void **state)
{
	struct vsw_switch_stats st;

	(void)state;
	send1(0, mk(&bcast, &mac_a));
	drain_all();
	/* p0 sends to A, which lives behind p0 itself. */
	send1(0, mk(&mac_a, &mac_d));
	assert_int_equal(drops(0, VSW_DROP_LOOP), 1);
	assert_int_equal(fakes[1].n_tx + fakes[2].n_tx + fakes[3].n_tx, 0);
	/* A frame to its own source is a loop as well. */
	send1(0, mk(&mac_a, &mac_a));
	assert_int_equal(drops(0, VSW_DROP_LOOP), 2);
	vsw_switch_stats_read(sw, &st);
	assert_int_equal(st.unicast, 0);
	assert_int_equal(vsw_port_drops_total(&fakes[0].port), 2);
}

static void
test_mtu(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	fakes[2].port.mtu = 1000;
	/* 1000 + 14 fits everywhere. */
	send1(0, mk_frame(&bcast, &mac_a, RTE_ETHER_TYPE_IPV4, 1014));
	assert_int_equal(fakes[2].n_tx, 1);
	drain_all();
	/* One byte more: p2 drops it, p1/p3 share it. */
	m = mk_frame(&bcast, &mac_a, RTE_ETHER_TYPE_IPV4, 1015);
	send1(0, m);
	assert_int_equal(fakes[2].n_tx, 0);
	assert_int_equal(drops(2, VSW_DROP_MTU), 1);
	assert_int_equal(fakes[1].n_tx, 1);
	assert_int_equal(fakes[3].n_tx, 1);
	assert_int_equal(rte_mbuf_refcnt_read(m), 2);
	drain_all();
	/* An 802.1Q tag adds 4 bytes of allowance. */
	send1(0, mk_frame(&bcast, &mac_a, RTE_ETHER_TYPE_VLAN, 1018));
	assert_int_equal(fakes[2].n_tx, 1);
	send1(0, mk_frame(&bcast, &mac_a, RTE_ETHER_TYPE_VLAN, 1019));
	assert_int_equal(fakes[2].n_tx, 1);
	assert_int_equal(drops(2, VSW_DROP_MTU), 2);
	drain_all();
	/* Known unicast to p2, too long. */
	send1(2, mk(&bcast, &mac_c));
	drain_all();
	send1(0, mk_frame(&mac_c, &mac_a, RTE_ETHER_TYPE_IPV4, 1100));
	assert_int_equal(fakes[2].n_tx, 0);
	assert_int_equal(drops(2, VSW_DROP_MTU), 3);
	assert_int_equal(drops(0, VSW_DROP_MTU), 0);
	/* Jumbo MTU on the others: 1500 + 14 fits p1. */
	send1(0, mk_frame(&mac_d, &mac_a, RTE_ETHER_TYPE_IPV4, 1514));
	assert_int_equal(fakes[1].n_tx, 1);
	assert_int_equal(fakes[2].n_tx, 0);
	assert_int_equal(drops(2, VSW_DROP_MTU), 4);
	drain_all();
}

static void
test_link_down(void **state)
{
	(void)state;
	send1(3, mk(&bcast, &mac_d));
	drain_all();
	fakes[3].port.link_up = false;
	/* Floods skip a down port silently. */
	send1(0, mk(&bcast, &mac_a));
	assert_int_equal(fakes[3].n_tx, 0);
	assert_int_equal(fakes[1].n_tx, 1);
	assert_int_equal(drops(3, VSW_DROP_LINK_DOWN), 0);
	/* Unicast to it is a counted drop on that port. */
	send1(0, mk(&mac_d, &mac_a));
	assert_int_equal(fakes[3].n_tx, 0);
	assert_int_equal(drops(3, VSW_DROP_LINK_DOWN), 1);
	drain_all();
}

static void
test_remove_port(void **state)
{
	struct vsw_fdb *fdb = vsw_switch_fdb(sw);
	struct rte_mbuf *pk[3];
	struct vsw_port *p;
	unsigned int i;

	(void)state;
	send1(3, mk(&bcast, &mac_d));
	send1(0, mk(&bcast, &mac_a));
	drain_all();
	assert_int_equal(vsw_fdb_count(fdb), 2);
	/* Stage frames for p3 without flushing, then remove p3: they are
	 * transmitted and flushed before destroy. */
	for (i = 0; i < 3; i++) {
		pk[i] = mk(&mac_d, &mac_a);
	}
	vsw_switch_input(sw, 0, pk, 3, now);
	assert_int_equal(fakes[3].n_tx, 0);
	assert_int_equal(vsw_switch_remove_port(sw, 3), 0);
	assert_int_equal(fakes[3].destroyed, 1);
	assert_int_equal(fakes[3].n_tx, 3);
	assert_int_equal(fakes[3].flushes, 2);
	assert_null(fakes[3].port.sw);
	assert_int_equal(fakes[3].port.id, VSW_PORT_ID_NONE);
	assert_int_equal(vsw_switch_port_count(sw), 3);
	assert_null(vsw_switch_port(sw, 3));
	assert_int_equal(vsw_switch_remove_port(sw, 3), -ENOENT);
	/* Its FDB entries went with it. */
	assert_int_equal(vsw_fdb_lookup(fdb, mac_d.addr_bytes, 0, now),
			 -ENOENT);
	assert_int_equal(vsw_fdb_count(fdb), 1);
	/* Traffic to D is unknown unicast again: flooded to p1, p2. */
	drain_all();
	send1(0, mk(&mac_d, &mac_a));
	assert_int_equal(fakes[1].n_tx, 1);
	assert_int_equal(fakes[2].n_tx, 1);
	assert_int_equal(fakes[3].n_tx, 0);
	drain_all();
	/* Re-attach: the lowest free id, here 3 again.  Teardown destroys
	 * it once more, so reset the counter. */
	fakes[3].destroyed = 0;
	assert_int_equal(vsw_switch_add_port(sw, &fakes[3].port), 3);
	/* Detach hands the port back without destroying it. */
	p = vsw_switch_detach_port(sw, 1);
	assert_ptr_equal(p, &fakes[1].port);
	assert_int_equal(fakes[1].destroyed, 0);
	assert_int_equal(vsw_switch_add_port(sw, p), 1);
}

static void
test_staging_autoflush(void **state)
{
	struct rte_mbuf *pk[40];
	unsigned int i;

	(void)state;
	send1(1, mk(&bcast, &mac_b));
	drain_all();
	fakes[1].tx_bursts = 0;
	fakes[1].flushes = 0;
	for (i = 0; i < 40; i++) {
		pk[i] = mk(&mac_b, &mac_a);
	}
	vsw_switch_input(sw, 0, pk, 40, now);
	/* The stage filled once: 32 went out, 8 wait for the flush. */
	assert_int_equal(fakes[1].tx_bursts, 1);
	assert_int_equal(fakes[1].n_tx, 32);
	assert_int_equal(fakes[1].flushes, 0);
	vsw_switch_flush(sw);
	assert_int_equal(fakes[1].tx_bursts, 2);
	assert_int_equal(fakes[1].n_tx, 40);
	assert_int_equal(fakes[1].flushes, 1);
	assert_int_equal(fakes[1].max_burst, 32);
	/* In order. */
	for (i = 0; i < 40; i++) {
		assert_ptr_equal(fakes[1].txq[i], pk[i]);
	}
	/* Nothing pending: flush calls nobody. */
	vsw_switch_flush(sw);
	assert_int_equal(fakes[1].flushes, 1);
	drain_all();
}

static void
test_tx_ring_full(void **state)
{
	struct vsw_port_stats ps;
	struct rte_mbuf *pk[8];
	unsigned int i;

	(void)state;
	fakes[1].tx_cap = 5;
	for (i = 0; i < 8; i++) {
		pk[i] = mk(&bcast, &mac_a);
	}
	vsw_switch_input(sw, 0, pk, 8, now);
	vsw_switch_flush(sw);
	assert_int_equal(fakes[1].n_tx, 5);
	assert_int_equal(fakes[2].n_tx, 8);
	vsw_port_stats_read(&fakes[1].port, &ps);
	assert_int_equal(ps.tx_packets, 5);
	assert_int_equal(ps.drops[VSW_DROP_RING_FULL], 3);
	/* The dropped references were freed, the others still shared. */
	assert_int_equal(rte_mbuf_refcnt_read(pk[7]), 2);
	assert_int_equal(rte_mbuf_refcnt_read(pk[0]), 3);
	drain_all();
}

static void
test_poll_and_aging(void **state)
{
	struct vsw_fdb *fdb = vsw_switch_fdb(sw);
	struct vsw_switch_stats st;
	unsigned int i;

	(void)state;
	assert_int_equal(vsw_switch_poll(sw, now), 0);
	fakes[0].rxq[fakes[0].rx_tail++] = mk(&bcast, &mac_a);
	fakes[1].rxq[fakes[1].rx_tail++] = mk(&mac_a, &mac_b);
	for (i = 0; i < 40; i++) {
		fakes[2].rxq[fakes[2].rx_tail++] = mk(&mac_b, &mac_c);
	}
	/* Pass 1: 1 + 1 + 32 frames (one burst per port). */
	assert_int_equal(vsw_switch_poll(sw, now), 34);
	assert_int_equal(fakes[0].n_tx, 1);  /* B -> A */
	assert_int_equal(fakes[1].n_tx, 33); /* bcast + 32 C -> B */
	assert_int_equal(fakes[3].n_tx, 1);  /* bcast only */
	assert_int_equal(vsw_switch_poll(sw, now + 1), 8);
	assert_int_equal(fakes[1].n_tx, 41);
	assert_int_equal(vsw_switch_poll(sw, now + 2), 0);
	vsw_switch_stats_read(sw, &st);
	assert_int_equal(st.polls, 4);
	assert_int_equal(st.rx_packets, 42);
	drain_all();
	assert_int_equal(vsw_fdb_count(fdb), 3);

	/* B refreshed at now + 1; A, C learned at now / now (+1 for C's
	 * last burst).  At now + AGE everything learned at `now` is dead. */
	assert_int_equal(vsw_fdb_lookup(fdb, mac_a.addr_bytes, 0,
					now + AGE_NS - 1),
			 0);
	assert_int_equal(vsw_fdb_lookup(fdb, mac_a.addr_bytes, 0,
					now + AGE_NS),
			 -ENOENT);
	/* Polls a few intervals apart reclaim the slots (2048 slots, 1024
	 * per step). */
	for (i = 0; i < 4; i++) {
		(void)vsw_switch_poll(sw, now + 2 * AGE_NS + i * 2000000ull);
	}
	assert_int_equal(vsw_fdb_count(fdb), 0);
	/* A frame to A is unknown unicast again. */
	fakes[1].rxq[fakes[1].rx_tail++] = mk(&mac_a, &mac_b);
	assert_int_equal(vsw_switch_poll(sw, now + 3 * AGE_NS), 1);
	assert_int_equal(fakes[0].n_tx, 1);
	assert_int_equal(fakes[2].n_tx, 1);
	drain_all();
}

static void
test_runt_and_bad_port(void **state)
{
	struct vsw_switch_stats st;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_mbuf *pk[2];

	(void)state;
	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, 13));
	memset(rte_pktmbuf_mtod(m, void *), 0xff, 13);
	send1(0, m);
	assert_int_equal(drops(0, VSW_DROP_RUNT), 1);
	assert_int_equal(fakes[1].n_tx, 0);
	/* Input on a port that does not exist: freed, counted. */
	pk[0] = mk(&bcast, &mac_a);
	pk[1] = mk(&bcast, &mac_a);
	vsw_switch_input(sw, 200, pk, 2, now);
	vsw_switch_input(sw, UINT16_MAX, NULL, 0, now);
	vsw_switch_stats_read(sw, &st);
	assert_int_equal(st.bad_in_port, 2);
	assert_int_equal(st.rx_packets, 1);
}

static void
test_chained_flood(void **state)
{
	struct rte_mbuf *m = mk(&bcast, &mac_a);
	struct rte_mbuf *seg = rte_pktmbuf_alloc(pool);

	(void)state;
	/* Header in segment 1, payload in segment 2. */
	assert_non_null(seg);
	assert_non_null(rte_pktmbuf_append(seg, 100));
	assert_int_equal(rte_pktmbuf_chain(m, seg), 0);
	assert_int_equal(m->pkt_len, 160);
	send1(0, m);
	assert_int_equal(fakes[1].n_tx, 1);
	assert_int_equal(rte_mbuf_refcnt_read(m), 3);
	assert_int_equal(rte_mbuf_refcnt_read(seg), 3);
	drain_all();

	/* A header split across segments is still parsed (and learned). */
	m = rte_pktmbuf_alloc(pool);
	seg = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	assert_non_null(seg);
	{
		uint8_t hdr[14];
		char *p1 = rte_pktmbuf_append(m, 6);
		char *p2 = rte_pktmbuf_append(seg, 54);

		assert_non_null(p1);
		assert_non_null(p2);
		memcpy(hdr, mac_b.addr_bytes, 6);
		memcpy(hdr + 6, mac_c.addr_bytes, 6);
		hdr[12] = 0x08;
		hdr[13] = 0x00;
		memcpy(p1, hdr, 6);
		memcpy(p2, hdr + 6, 8);
	}
	assert_int_equal(rte_pktmbuf_chain(m, seg), 0);
	send1(3, m);
	assert_int_equal(vsw_fdb_lookup(vsw_switch_fdb(sw), mac_c.addr_bytes,
					0, now),
			 3);
	assert_int_equal(fakes[0].n_tx, 1);
	drain_all();
}

/* Ingress hook: classify into VLAN 7, drop EtherType 0x88b5. */
static uint16_t
hook_ingress(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i, kept = 0;

	for (i = 0; i < n; i++) {
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);

		if (eh->ether_type == rte_cpu_to_be_16(0x88b5)) {
			vsw_port_drop(port, pkts[i], VSW_DROP_VLAN);
			continue;
		}
		pkts[i]->ol_flags |= RTE_MBUF_F_RX_VLAN;
		pkts[i]->vlan_tci = 7;
		pkts[kept++] = pkts[i];
	}
	return kept;
}

static unsigned int egress_calls;

/* Egress hook: drop everything on this port as "storm". */
static uint16_t
hook_egress(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	egress_calls++;
	vsw_port_drop_bulk(port, pkts, n, VSW_DROP_STORM);
	return 0;
}

static void
test_policy_hooks(void **state)
{
	struct vsw_fdb *fdb = vsw_switch_fdb(sw);
	struct rte_mbuf *m;

	(void)state;
	fakes[0].port.ingress = hook_ingress;
	fakes[3].port.egress = hook_egress;
	egress_calls = 0;
	send1(0, mk_frame(&bcast, &mac_a, 0x88b5, 60));
	assert_int_equal(drops(0, VSW_DROP_VLAN), 1);
	assert_int_equal(fakes[1].n_tx, 0);
	assert_int_equal(egress_calls, 0);

	m = mk(&bcast, &mac_a);
	send1(0, m);
	/* Learned in VLAN 7, not VLAN 0. */
	assert_int_equal(vsw_fdb_lookup(fdb, mac_a.addr_bytes, 7, now), 0);
	assert_int_equal(vsw_fdb_lookup(fdb, mac_a.addr_bytes, 0, now),
			 -ENOENT);
	assert_int_equal(fakes[1].n_tx, 1);
	assert_int_equal(fakes[2].n_tx, 1);
	assert_int_equal(fakes[3].n_tx, 0);
	assert_int_equal(egress_calls, 1);
	assert_int_equal(drops(3, VSW_DROP_STORM), 1);
	assert_int_equal(rte_mbuf_refcnt_read(m), 2);
	drain_all();
}

static uint16_t
null_rx(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	(void)port;
	(void)pkts;
	(void)n;
	return 0;
}

static uint16_t
null_tx(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	vsw_port_drop_bulk(port, pkts, n, VSW_DROP_TX_ERROR);
	return 0;
}

static unsigned int null_destroyed;

static void
null_destroy(struct vsw_port *port)
{
	(void)port;
	null_destroyed++;
}

static const struct vsw_port_ops null_ops = {
	.kind = "null",
	.rx_burst = null_rx,
	.tx_burst = null_tx,
	.destroy = null_destroy,
};

static struct vsw_port many[VSW_MAX_PORTS];
/* Static: it stays attached after the test returns, until teardown. */
static struct vsw_port tmp;

static void
test_port_admin(void **state)
{
	char name[VSW_PORT_NAME_MAX + 1];
	unsigned int i;

	(void)state;
	/* vsw_port_init argument checks. */
	assert_int_equal(vsw_port_init(&tmp, &null_ops, "", NULL, 0, NULL),
			 -EINVAL);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(vsw_port_init(&tmp, &null_ops, name, NULL, 0, NULL),
			 -EINVAL);
	assert_int_equal(vsw_port_init(&tmp, NULL, "a", NULL, 0, NULL),
			 -EINVAL);
	assert_int_equal(vsw_port_init(&tmp, &null_ops, "p1", NULL, 0, NULL),
			 0);
	assert_int_equal(tmp.mtu, VSW_PORT_DEFAULT_MTU);
	assert_false(tmp.link_up);
	/* Duplicate name, already attached, uninitialised. */
	assert_int_equal(vsw_switch_add_port(sw, &tmp), -EEXIST);
	assert_int_equal(vsw_switch_add_port(sw, &fakes[0].port), -EINVAL);
	memset(&tmp, 0, sizeof(tmp));
	assert_int_equal(vsw_switch_add_port(sw, &tmp), -EINVAL);
	assert_ptr_equal(vsw_switch_port_by_name(sw, "p2"), &fakes[2].port);
	assert_null(vsw_switch_port_by_name(sw, "nope"));

	/* Fill up to VSW_MAX_PORTS. */
	null_destroyed = 0;
	for (i = 0; i < VSW_MAX_PORTS - N_FAKE; i++) {
		char n[16];

		snprintf(n, sizeof(n), "n%u", i);
		assert_int_equal(vsw_port_init(&many[i], &null_ops, n, NULL, 0,
					       NULL),
				 0);
		many[i].link_up = (i % 2) == 0;
		assert_int_equal(vsw_switch_add_port(sw, &many[i]),
				 (int)(N_FAKE + i));
	}
	assert_int_equal(vsw_port_init(&tmp, &null_ops, "last", NULL, 0, NULL),
			 0);
	assert_int_equal(vsw_switch_add_port(sw, &tmp), -ENOSPC);
	assert_int_equal(vsw_switch_port_count(sw), VSW_MAX_PORTS);
	/* A flood to 3 + 126 link-up ports: one mbuf, 129 references. */
	{
		struct rte_mbuf *m = mk(&bcast, &mac_a);
		struct vsw_switch_stats st;

		send1(0, m);
		vsw_switch_stats_read(sw, &st);
		assert_int_equal(st.flood_copies, 3 + 126);
		assert_int_equal(rte_mbuf_refcnt_read(m), 3);
		assert_int_equal(vsw_port_drops_total(&many[0]), 1);
		assert_int_equal(vsw_port_drops_total(&many[1]), 0);
	}
	drain_all();
	/* Remove a middle one and reuse its id. */
	assert_int_equal(vsw_switch_remove_port(sw, 100), 0);
	assert_int_equal(null_destroyed, 1);
	assert_int_equal(vsw_switch_add_port(sw, &tmp), 100);
	/* Teardown destroys the remaining 252 + tmp. */
}

static void
test_arm_wait_and_misc(void **state)
{
	struct vsw_switch_cfg bad = { .type = 7 };
	unsigned int i;

	(void)state;
	assert_false(vsw_switch_arm_wait(sw));
	fakes[2].work_pending = true;
	assert_true(vsw_switch_arm_wait(sw));
	for (i = 0; i < N_FAKE; i++) {
		assert_int_equal(fakes[i].arms, 2);
	}
	assert_string_equal(vsw_switch_name(sw), "sw0");
	assert_int_equal(vsw_switch_type(sw), VSW_SWITCH_INTERNAL);
	assert_string_equal(vsw_switch_type_name(VSW_SWITCH_EXTERNAL),
			    "external");
	assert_null(vsw_switch_create("x", &bad));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(vsw_switch_create("", NULL));
	vsw_switch_destroy(NULL);
	/* Defaults: 65,536 entries, 300 s. */
	{
		struct vsw_switch *s2 = vsw_switch_create("sw1", NULL);

		assert_non_null(s2);
		assert_int_equal(vsw_fdb_max_entries(vsw_switch_fdb(s2)),
				 65536);
		assert_true(vsw_fdb_get_age(vsw_switch_fdb(s2)) ==
			    300ull * 1000000000ull);
		vsw_switch_destroy(s2);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_learn_and_flood),
		T(test_unicast),
		T(test_unknown_and_multicast),
		T(test_loop_drop),
		T(test_mtu),
		T(test_link_down),
		T(test_remove_port),
		T(test_staging_autoflush),
		T(test_tx_ring_full),
		T(test_poll_and_aging),
		T(test_runt_and_bad_port),
		T(test_chained_flood),
		T(test_policy_hooks),
		T(test_port_admin),
		T(test_arm_wait_and_misc),
	};
	(void)argc;
	return sn_eal_run(argv[0], "vswtest", POOL_SIZE, &pool, tests,
			  RTE_DIM(tests));
}
