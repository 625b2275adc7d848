/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_switch.c - the L2 forwarding core of one virtual switch.
 *
 * Design
 * ------
 * - One switch, one lcore.  The switch, its ports and its FDB are touched
 *   only by the lcore that serves it, so the data path has no locks and no
 *   atomics beyond single-writer counters (vsw_stat.h) that the control
 *   thread reads.  Several switches may share an lcore; they share nothing.
 * - A pass (vsw_switch_poll) is DPDK's poll loop: rx_burst <= 32 from each
 *   port in attach order, forward the burst, then flush every output port
 *   that was given frames, then one bounded FDB aging step if due.
 * - Forwarding a frame (vsw_switch_input): [ingress policy hook] ->
 *   learn the source if it is a unicast MAC -> look the destination up:
 *   known unicast goes to that one port (to the input port itself: drop
 *   "same-port"); broadcast, multicast and unknown unicast are flooded to
 *   every other link-up port.  The VLAN of a frame (FDB key) is its mbuf
 *   metadata VLAN (RTE_MBUF_F_RX_VLAN), set by the port or a VLAN policy;
 *   without one the switch is VLAN-unaware (VLAN 0).
 * - Flooding never copies: the mbuf's reference count is raised by
 *   (outputs - 1) once, and every output port gets the same mbuf; each
 *   tx_burst consumes (frees) one reference.  Ports and egress hooks must
 *   therefore treat frames as read-only.
 * - Output is staged per port (up to 32 mbufs) and handed to tx_burst when
 *   the stage fills or at the end of the pass (vsw_switch_flush), which
 *   also calls the port's flush so it can signal its peer once per pass.
 *   [egress policy hook] runs on each staged batch before tx_burst.
 * - The MTU check happens when a frame is staged for a port: a frame
 *   longer than mtu + 14 (+ 4 if it carries an 802.1Q/802.1ad tag) is
 *   dropped and counted on that output port ("mtu").  Drops decided on
 *   input (runt, same-port, no-port, ingress policy) count on the input
 *   port; drops decided for an output (mtu, link-down, egress policy, and
 *   everything tx_burst refuses) count on the output port.
 * - Policy (vsw_policy.h): a port with a policy state (port->policy) runs
 *   vsw_policy_ingress() on every burst before learning (VLAN
 *   normalisation and classification, spoofing, guards, storm control for
 *   broadcast/multicast, bandwidth meter), then the generic ingress hook
 *   if any.  Forwarding then applies the egress side: a frame of VLAN v
 *   reaches only ports that are members of v (flood scope; a unicast to a
 *   non-member is dropped "vlan" on that port), and a port that takes v
 *   untagged gets it with cleared metadata: in place when the switch holds
 *   the only reference, else through one rte_pktmbuf_clone() per flood
 *   shared by all such ports ("vlan_clones").  Unknown unicast is charged
 *   to the input port's storm bucket where the switch decides to flood.
 * - Mirroring: frames a mirror-source port sends (after ingress policy and
 *   the storm decision) and frames delivered to it (after the egress hook,
 *   just before tx_burst) are staged, one extra reference each, to every
 *   link-up mirror-destination port of the switch, whatever its VLANs.
 *   Copies are never mirrored again (a destination is never a source), so
 *   mirroring cannot loop.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "vsw_policy.h"
#include "vsw_stat.h"
#include "vsw_switch.h"
#include "vsw_switch_int.h"

/* Per port-id state kept by the switch. */
struct vsw_slot {
	struct vsw_port *port;                  /* attached port, or NULL */
	uint16_t n_staged;                      /* frames in staged[] */
	bool pending;                           /* listed in sw->pending[] */
	struct rte_mbuf *staged[VSW_BURST_MAX]; /* output staging buffer */
};

struct vsw_switch {
	char name[VSW_SWITCH_NAME_MAX];     /* switch name */
	enum vsw_switch_type type;          /* Hyper-V switch type */
	struct vsw_fdb *fdb;                /* MAC table (own rte_malloc) */
	uint64_t age_interval_ns;           /* aging step period */
	uint64_t next_age_ns;               /* time of the next aging step */
	uint16_t n_active;                  /* entries in active[] */
	uint16_t n_pending;                 /* entries in pending[] */
	uint16_t active[VSW_MAX_PORTS];     /* attached ids, attach order */
	uint16_t pending[VSW_MAX_PORTS];    /* ids given frames since flush */
	uint16_t n_mirror_dst;              /* entries in mirror_dst[] */
	uint16_t mirror_dst[VSW_MAX_PORTS]; /* mirror destination ids */
	/* Counters, on their own cache line (the control thread reads). */
	struct vsw_switch_stats stats __rte_cache_aligned;
	struct vsw_slot slots[VSW_MAX_PORTS] __rte_cache_aligned; /* by id */
};

_Static_assert(VSW_MAX_PORTS <= VSW_PORT_ID_NONE,
	       "port ids must fit below VSW_PORT_ID_NONE");
_Static_assert(VSW_MAX_PORTS - 1 <= INT16_MAX,
	       "flood refcount increment must fit rte_pktmbuf_refcnt_update");

const char *
vsw_switch_type_name(enum vsw_switch_type type)
{
	switch (type) {
	case VSW_SWITCH_PRIVATE:
		return "private";
	case VSW_SWITCH_INTERNAL:
		return "internal";
	case VSW_SWITCH_EXTERNAL:
		return "external";
	}
	return "unknown";
}

struct vsw_switch *
vsw_switch_create(const char *name, const struct vsw_switch_cfg *cfg)
{
	static const struct vsw_switch_cfg defaults = {
		.type = VSW_SWITCH_PRIVATE,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vsw_fdb_cfg fcfg;
	struct vsw_switch *sw;
	size_t len, fdb_size;
	void *mem;

	if (cfg == NULL) {
		cfg = &defaults;
	}
	len = name != NULL ? strnlen(name, VSW_SWITCH_NAME_MAX) : 0;
	if (len == 0 || len >= VSW_SWITCH_NAME_MAX ||
	    (unsigned int)cfg->type > VSW_SWITCH_EXTERNAL) {
		rte_errno = EINVAL;
		return NULL;
	}
	memset(&fcfg, 0, sizeof(fcfg));
	fcfg.max_entries = cfg->fdb_max_entries;
	fcfg.age = cfg->fdb_age_ns;
	fcfg.seed = cfg->hash_seed != 0 ? cfg->hash_seed : rte_rand();
	fdb_size = vsw_fdb_memsize(&fcfg);
	if (fdb_size == 0) {
		rte_errno = EINVAL;
		return NULL;
	}

	sw = rte_zmalloc_socket("vsw_switch", sizeof(*sw), RTE_CACHE_LINE_SIZE,
				cfg->socket_id);
	if (sw == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/* vsw_fdb_init() clears the memory itself. */
	mem = rte_malloc_socket("vsw_fdb", fdb_size, RTE_CACHE_LINE_SIZE,
				cfg->socket_id);
	if (mem == NULL) {
		rte_errno = ENOMEM;
		goto fail_sw;
	}
	sw->fdb = vsw_fdb_init(mem, fdb_size, &fcfg);
	if (sw->fdb == NULL) {
		rte_errno = EINVAL;
		goto fail_mem;
	}
	memcpy(sw->name, name, len + 1);
	sw->type = cfg->type;
	sw->age_interval_ns = cfg->age_interval_ns != 0 ?
				      cfg->age_interval_ns :
				      VSW_DEFAULT_AGE_INTERVAL_NS;
	sw->next_age_ns = 0;
	return sw;

fail_mem:
	rte_free(mem);
fail_sw:
	rte_free(sw);
	return NULL;
}

void
vsw_switch_destroy(struct vsw_switch *sw)
{
	if (sw == NULL) {
		return;
	}
	while (sw->n_active > 0) {
		(void)vsw_switch_remove_port(sw,
					     sw->active[sw->n_active - 1]);
	}
	rte_free(sw->fdb);
	rte_free(sw);
}

const char *
vsw_switch_name(const struct vsw_switch *sw)
{
	return sw != NULL ? sw->name : NULL;
}

enum vsw_switch_type
vsw_switch_type(const struct vsw_switch *sw)
{
	return sw->type;
}

struct vsw_port *
vsw_switch_port(const struct vsw_switch *sw, uint16_t id)
{
	if (sw == NULL || id >= VSW_MAX_PORTS) {
		return NULL;
	}
	return sw->slots[id].port;
}

struct vsw_port *
vsw_switch_port_by_name(const struct vsw_switch *sw, const char *name)
{
	unsigned int i;

	if (sw == NULL || name == NULL) {
		return NULL;
	}
	for (i = 0; i < sw->n_active; i++) {
		struct vsw_port *p = sw->slots[sw->active[i]].port;

		if (strncmp(p->name, name, VSW_PORT_NAME_MAX) == 0) {
			return p;
		}
	}
	return NULL;
}

unsigned int
vsw_switch_port_count(const struct vsw_switch *sw)
{
	return sw != NULL ? sw->n_active : 0;
}

struct vsw_fdb *
vsw_switch_fdb(struct vsw_switch *sw)
{
	return sw != NULL ? sw->fdb : NULL;
}

struct vsw_fdb *
vsw_switch_fdb_alloc(const struct vsw_switch *sw, uint32_t max_entries,
		     int socket_id)
{
	struct vsw_fdb_cfg fcfg;
	struct vsw_fdb *fdb;
	size_t size;
	void *mem;

	memset(&fcfg, 0, sizeof(fcfg));
	fcfg.max_entries = max_entries;
	fcfg.age = vsw_fdb_get_age(sw->fdb);
	fcfg.seed = rte_rand();
	size = vsw_fdb_memsize(&fcfg);
	if (size == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	mem = rte_malloc_socket("vsw_fdb", size, RTE_CACHE_LINE_SIZE,
				socket_id);
	if (mem == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	fdb = vsw_fdb_init(mem, size, &fcfg);
	if (fdb == NULL) {
		rte_free(mem);
		rte_errno = EINVAL;
	}
	return fdb;
}

struct vsw_fdb *
vsw_switch_fdb_swap(struct vsw_switch *sw, struct vsw_fdb *fdb)
{
	struct vsw_fdb *old = sw->fdb;

	sw->fdb = fdb;
	return old;
}

void
vsw_switch_fdb_free(struct vsw_fdb *fdb)
{
	rte_free(fdb);
}

/* Recompute the mirror destinations from the attached ports' policies. */
static void
vsw_mirror_rebuild(struct vsw_switch *sw)
{
	uint16_t i, n = 0;

	for (i = 0; i < sw->n_active; i++) {
		uint16_t id = sw->active[i];

		if (vsw_policy_mirror_dst(sw->slots[id].port->policy)) {
			sw->mirror_dst[n++] = id;
		}
	}
	sw->n_mirror_dst = n;
}

void
vsw_switch_policy_changed(struct vsw_switch *sw, struct vsw_port *port,
			  bool vlans_changed)
{
	if (sw == NULL || port == NULL || port->sw != sw) {
		return;
	}
	vsw_mirror_rebuild(sw);
	if (vlans_changed) {
		(void)vsw_fdb_flush_port(sw->fdb, port->id);
	}
}

int
vsw_switch_add_port(struct vsw_switch *sw, struct vsw_port *port)
{
	struct vsw_slot *slot;
	uint16_t id;

	if (sw == NULL || port == NULL || port->ops == NULL ||
	    port->sw != NULL || port->id != VSW_PORT_ID_NONE) {
		return -EINVAL;
	}
	if (vsw_switch_port_by_name(sw, port->name) != NULL) {
		return -EEXIST;
	}
	for (id = 0; id < VSW_MAX_PORTS; id++) {
		if (sw->slots[id].port == NULL) {
			break;
		}
	}
	if (id == VSW_MAX_PORTS) {
		return -ENOSPC;
	}
	slot = &sw->slots[id];
	slot->port = port;
	slot->n_staged = 0;
	slot->pending = false;
	port->sw = sw;
	port->id = id;
	sw->active[sw->n_active++] = id;
	vsw_mirror_rebuild(sw);
	return id;
}

/* Remove the first occurrence of id from list[0 .. *n), keeping order. */
static void
vsw_id_list_del(uint16_t *list, uint16_t *n, uint16_t id)
{
	uint16_t i;

	for (i = 0; i < *n; i++) {
		if (list[i] == id) {
			memmove(&list[i], &list[i + 1],
				(size_t)(*n - i - 1) * sizeof(list[0]));
			(*n)--;
			return;
		}
	}
}

static void
vsw_mirror(struct vsw_switch *sw, const struct vsw_port *from,
	   struct rte_mbuf *m, uint32_t tag_len);

/* Bytes of VLAN tag inside the frame (802.1Q or 802.1ad outer tag). */
static inline uint32_t
vsw_tag_len(const struct rte_ether_hdr *eh)
{
	uint16_t type = rte_be_to_cpu_16(eh->ether_type);

	return type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ ?
		       RTE_VLAN_HLEN :
		       0;
}

/* vsw_tag_len() of a frame that may be split or shorter than a header. */
static uint32_t
vsw_frame_tag_len(const struct rte_mbuf *m)
{
	struct rte_ether_hdr copy;
	const struct rte_ether_hdr *eh;

	eh = rte_pktmbuf_read(m, 0, sizeof(copy), &copy);
	return eh != NULL ? vsw_tag_len(eh) : 0;
}

/* Hand a port's staged frames to its tx_burst (consumes them). */
static void
vsw_slot_tx(struct vsw_switch *sw, struct vsw_slot *slot)
{
	struct vsw_port *port = slot->port;
	uint16_t i, n = slot->n_staged;

	slot->n_staged = 0;
	/* Generic egress hook (VLAN handling is done at staging). */
	if (port->egress != NULL) {
		n = port->egress(port, slot->staged, n);
	}
	/* Mirror source: what is delivered to it goes to the mirror
	 * destinations too (other slots; a destination is never a source,
	 * so this does not recurse further). */
	if (unlikely(vsw_policy_mirror_src(port->policy)) &&
	    sw->n_mirror_dst != 0) {
		for (i = 0; i < n; i++) {
			vsw_mirror(sw, port, slot->staged[i],
				   vsw_frame_tag_len(slot->staged[i]));
		}
	}
	/* CAPTURE POINT: delivered to the port */
	vsw_port_capture(port, VSW_CAP_OUT, slot->staged, n, -1);
	if (n != 0) {
		(void)port->ops->tx_burst(port, slot->staged, n);
		vsw_stat_add(&sw->stats.tx_bursts, 1);
	}
}

struct vsw_port *
vsw_switch_detach_port(struct vsw_switch *sw, uint16_t id)
{
	struct vsw_slot *slot;
	struct vsw_port *port;

	if (sw == NULL || id >= VSW_MAX_PORTS || sw->slots[id].port == NULL) {
		return NULL;
	}
	slot = &sw->slots[id];
	port = slot->port;
	if (slot->n_staged != 0) {
		vsw_slot_tx(sw, slot);
	}
	if (slot->pending) {
		if (port->ops->flush != NULL) {
			port->ops->flush(port);
		}
		vsw_id_list_del(sw->pending, &sw->n_pending, id);
		slot->pending = false;
	}
	vsw_id_list_del(sw->active, &sw->n_active, id);
	(void)vsw_fdb_flush_port(sw->fdb, id);
	slot->port = NULL;
	port->sw = NULL;
	port->id = VSW_PORT_ID_NONE;
	vsw_mirror_rebuild(sw);
	return port;
}

int
vsw_switch_remove_port(struct vsw_switch *sw, uint16_t id)
{
	struct vsw_port *port = vsw_switch_detach_port(sw, id);
	struct vsw_policy *pol;

	if (port == NULL) {
		return -ENOENT;
	}
	/* The port owns its policy state; take it before destroy may free
	 * the port's memory. */
	pol = vsw_policy_apply(port, NULL);
	port->ops->destroy(port);
	vsw_policy_free(pol);
	return 0;
}

/* Stage one frame (one mbuf reference) for an output port. */
static inline void
vsw_stage(struct vsw_switch *sw, struct vsw_slot *slot, struct rte_mbuf *m)
{
	slot->staged[slot->n_staged++] = m;
	if (!slot->pending) {
		slot->pending = true;
		sw->pending[sw->n_pending++] = slot->port->id;
	}
	if (slot->n_staged == VSW_BURST_MAX) {
		vsw_slot_tx(sw, slot);
	}
}

/* Does a frame of pkt_len bytes (tag_len bytes of in-frame VLAN tag) fit
 * the port's MTU? */
static inline bool
vsw_mtu_ok(const struct vsw_port *port, uint32_t pkt_len, uint32_t tag_len)
{
	return pkt_len <= (uint32_t)port->mtu + RTE_ETHER_HDR_LEN + tag_len;
}

/*
 * Stage one more reference to m for every link-up mirror destination
 * except `from` (m itself is not consumed and not modified).
 */
static void
vsw_mirror(struct vsw_switch *sw, const struct vsw_port *from,
	   struct rte_mbuf *m, uint32_t tag_len)
{
	uint16_t outs[VSW_MAX_PORTS];
	unsigned int i, k = 0;

	for (i = 0; i < sw->n_mirror_dst; i++) {
		uint16_t id = sw->mirror_dst[i];
		struct vsw_port *out = sw->slots[id].port;

		if (id == from->id || !out->link_up) {
			continue;
		}
		if (!vsw_mtu_ok(out, m->pkt_len, tag_len)) {
			vsw_port_count_drop(out, VSW_DROP_MTU, 1);
			continue;
		}
		outs[k++] = id;
	}
	if (k == 0) {
		return;
	}
	rte_pktmbuf_refcnt_update(m, (int16_t)k);
	vsw_stat_add(&sw->stats.mirror_copies, k);
	for (i = 0; i < k; i++) {
		vsw_stage(sw, &sw->slots[outs[i]], m);
	}
}

/* A new reference to m's data with untagged metadata (a clone: new
 * header, shared data); m is untouched.  NULL if the pool is empty. */
static struct rte_mbuf *
vsw_untag_clone(struct vsw_switch *sw, struct rte_mbuf *m)
{
	struct rte_mbuf *c = rte_pktmbuf_clone(m, m->pool);

	if (c != NULL) {
		vsw_mbuf_set_untagged(c);
		vsw_stat_add(&sw->stats.vlan_clones, 1);
	}
	return c;
}

/* Turn the caller's reference to m into one with untagged metadata: in
 * place if it is the only reference, else a clone (and m's reference is
 * released).  NULL if the pool is empty (reference released). */
static struct rte_mbuf *
vsw_untag_own(struct vsw_switch *sw, struct rte_mbuf *m)
{
	struct rte_mbuf *c;

	if (rte_mbuf_refcnt_read(m) == 1) {
		vsw_mbuf_set_untagged(m);
		return m;
	}
	c = vsw_untag_clone(sw, m);
	rte_pktmbuf_free(m);
	return c;
}

/* Send a frame of VLAN vlan to the one port the FDB named. */
static void
vsw_unicast(struct vsw_switch *sw, struct vsw_port *in, struct rte_mbuf *m,
	    int out_id, uint16_t vlan, uint32_t tag_len)
{
	enum vsw_egress_action act;
	struct vsw_port *out;

	if (out_id == in->id) {
		vsw_port_drop(in, m, VSW_DROP_LOOP);
		return;
	}
	out = vsw_switch_port(sw, (uint16_t)out_id);
	if (out == NULL) {
		/* Cannot happen: detach flushes the port's entries. */
		vsw_port_drop(in, m, VSW_DROP_NO_PORT);
		return;
	}
	/* POLICY: VLAN membership of the output. */
	act = vsw_policy_egress(out->policy, vlan);
	if (act == VSW_EGRESS_DROP) {
		vsw_port_drop(out, m, VSW_DROP_VLAN);
		return;
	}
	if (!out->link_up) {
		vsw_port_drop(out, m, VSW_DROP_LINK_DOWN);
		return;
	}
	if (!vsw_mtu_ok(out, m->pkt_len, tag_len)) {
		vsw_port_drop(out, m, VSW_DROP_MTU);
		return;
	}
	if (act == VSW_EGRESS_UNTAG &&
	    (m->ol_flags & VSW_MBUF_VLAN_FLAGS) != 0) {
		m = vsw_untag_own(sw, m);
		if (m == NULL) {
			vsw_port_count_drop(out, VSW_DROP_NO_MBUF, 1);
			return;
		}
	}
	vsw_stat_add(&sw->stats.unicast, 1);
	vsw_stage(sw, &sw->slots[out_id], m);
}

/* Stage one mbuf for the ports ids[0 .. k) (consumes the caller's one
 * reference; k > 0). */
static void
vsw_stage_many(struct vsw_switch *sw, struct rte_mbuf *m,
	       const uint16_t *ids, unsigned int k)
{
	unsigned int i;

	/* One reference per output; every segment of a chain. */
	if (k > 1) {
		rte_pktmbuf_refcnt_update(m, (int16_t)(k - 1));
	}
	for (i = 0; i < k; i++) {
		vsw_stage(sw, &sw->slots[ids[i]], m);
	}
}

/*
 * Send a frame of VLAN vlan to every other link-up port that is a member
 * of vlan, sharing the one mbuf; ports that take vlan untagged share one
 * untagged variant (the mbuf itself if nobody else needs the tag and the
 * switch holds the only reference, else one clone).
 */
static void
vsw_flood(struct vsw_switch *sw, struct vsw_port *in, struct rte_mbuf *m,
	  uint16_t vlan, uint32_t tag_len)
{
	uint16_t asis[VSW_MAX_PORTS], untag[VSW_MAX_PORTS];
	bool tagged = (m->ol_flags & VSW_MBUF_VLAN_FLAGS) != 0;
	unsigned int i, na = 0, nu = 0;

	vsw_stat_add(&sw->stats.flooded, 1);
	for (i = 0; i < sw->n_active; i++) {
		uint16_t id = sw->active[i];
		struct vsw_port *out = sw->slots[id].port;
		enum vsw_egress_action act;

		if (id == in->id || !out->link_up) {
			continue;
		}
		/* POLICY: flood scope = members of the frame's VLAN. */
		act = vsw_policy_egress(out->policy, vlan);
		if (act == VSW_EGRESS_DROP) {
			continue;
		}
		if (!vsw_mtu_ok(out, m->pkt_len, tag_len)) {
			vsw_port_count_drop(out, VSW_DROP_MTU, 1);
			continue;
		}
		if (act == VSW_EGRESS_UNTAG && tagged) {
			untag[nu++] = id;
		} else {
			asis[na++] = id;
		}
	}
	if (na + nu == 0) {
		vsw_stat_add(&sw->stats.flood_no_dest, 1);
		rte_pktmbuf_free(m);
		return;
	}
	vsw_stat_add(&sw->stats.flood_copies, na + nu);
	if (nu != 0) {
		struct rte_mbuf *u;

		if (na == 0) {
			u = vsw_untag_own(sw, m);
			m = NULL;
		} else {
			u = vsw_untag_clone(sw, m);
		}
		if (u != NULL) {
			vsw_stage_many(sw, u, untag, nu);
		} else {
			for (i = 0; i < nu; i++) {
				vsw_port_count_drop(sw->slots[untag[i]].port,
						    VSW_DROP_NO_MBUF, 1);
			}
		}
	}
	if (na != 0) {
		vsw_stage_many(sw, m, asis, na);
	}
}

/* The VLAN a frame belongs to (FDB key): its metadata VLAN, else 0. */
static inline uint16_t
vsw_pkt_vlan(const struct rte_mbuf *m)
{
	if ((m->ol_flags & RTE_MBUF_F_RX_VLAN) == 0) {
		return 0;
	}
	return m->vlan_tci & VSW_FDB_VLAN_MAX;
}

/* Learn and forward one frame (consumes m). */
static void
vsw_forward(struct vsw_switch *sw, struct vsw_port *in, struct rte_mbuf *m,
	    uint64_t now)
{
	struct rte_ether_hdr copy;
	const struct rte_ether_hdr *eh;
	uint32_t tag_len;
	uint16_t vlan;
	int out = -ENOENT;

	/* Points into the mbuf, or at `copy` if the header is split. */
	eh = rte_pktmbuf_read(m, 0, sizeof(copy), &copy);
	if (eh == NULL) {
		vsw_port_drop(in, m, VSW_DROP_RUNT);
		return;
	}
	vlan = vsw_pkt_vlan(m);
	tag_len = vsw_tag_len(eh);
	/* Never learn group or all-zero sources. */
	if (rte_is_valid_assigned_ether_addr(&eh->src_addr)) {
		int r = vsw_fdb_learn(sw->fdb, eh->src_addr.addr_bytes, vlan,
				      in->id, now);

		if (r == -ENOSPC) {
			vsw_stat_add(&sw->stats.learn_fail, 1);
		}
	}
	if (rte_is_unicast_ether_addr(&eh->dst_addr)) {
		out = vsw_fdb_lookup(sw->fdb, eh->dst_addr.addr_bytes, vlan,
				     now);
		/* POLICY: storm control charges unknown unicast here. */
		if (out < 0 && unlikely(!vsw_policy_storm_ok(in->policy))) {
			vsw_port_drop(in, m, VSW_DROP_STORM);
			return;
		}
	}
	/* POLICY: mirror source, what it sends (before any egress
	 * metadata change, so copies show the frame's VLAN). */
	if (unlikely(vsw_policy_mirror_src(in->policy)) &&
	    sw->n_mirror_dst != 0) {
		vsw_mirror(sw, in, m, tag_len);
	}
	if (out >= 0) {
		vsw_unicast(sw, in, m, out, vlan, tag_len);
	} else {
		vsw_flood(sw, in, m, vlan, tag_len);
	}
}

/* Forward one burst (n <= VSW_BURST_MAX) from an attached port. */
static void
vsw_input_burst(struct vsw_switch *sw, struct vsw_port *in,
		struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		bytes += pkts[i]->pkt_len;
	}
	vsw_port_count_rx(in, n, bytes);
	vsw_stat_add(&sw->stats.rx_packets, n);
	/* CAPTURE POINT: as the port handed it over, before any policy */
	vsw_port_capture(in, VSW_CAP_IN, pkts, n, -1);
	/* POLICY: ingress (VLAN classification, guards, meters). */
	if (in->policy != NULL) {
		n = vsw_policy_ingress(in, pkts, n, now);
	}
	/* Generic ingress hook. */
	if (in->ingress != NULL && n != 0) {
		n = in->ingress(in, pkts, n);
	}
	for (i = 0; i < n; i++) {
		vsw_forward(sw, in, pkts[i], now);
	}
}

void
vsw_switch_input(struct vsw_switch *sw, uint16_t in_port,
		 struct rte_mbuf **pkts, uint16_t n, uint64_t now_ns)
{
	struct vsw_port *in;

	if (sw == NULL || pkts == NULL || n == 0) {
		return;
	}
	in = vsw_switch_port(sw, in_port);
	if (in == NULL) {
		vsw_stat_add(&sw->stats.bad_in_port, n);
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	while (n > 0) {
		uint16_t burst = RTE_MIN(n, (uint16_t)VSW_BURST_MAX);

		vsw_input_burst(sw, in, pkts, burst, now_ns);
		pkts += burst;
		n -= burst;
	}
}

void
vsw_switch_flush(struct vsw_switch *sw)
{
	uint16_t i;

	if (sw == NULL) {
		return;
	}
	for (i = 0; i < sw->n_pending; i++) {
		struct vsw_slot *slot = &sw->slots[sw->pending[i]];
		struct vsw_port *port = slot->port;

		if (slot->n_staged != 0) {
			vsw_slot_tx(sw, slot);
		}
		if (port->ops->flush != NULL) {
			port->ops->flush(port);
		}
		slot->pending = false;
	}
	sw->n_pending = 0;
}

unsigned int
vsw_switch_poll(struct vsw_switch *sw, uint64_t now_ns)
{
	struct rte_mbuf *pkts[VSW_BURST_MAX];
	unsigned int work = 0;
	uint16_t i;

	if (sw == NULL) {
		return 0;
	}
	vsw_stat_add(&sw->stats.polls, 1);
	for (i = 0; i < sw->n_active; i++) {
		struct vsw_port *port = sw->slots[sw->active[i]].port;
		uint16_t n;

		n = port->ops->rx_burst(port, pkts, VSW_BURST_MAX);
		if (n == 0) {
			continue;
		}
		RTE_ASSERT(n <= VSW_BURST_MAX);
		vsw_input_burst(sw, port, pkts, n, now_ns);
		work += n;
	}
	vsw_switch_flush(sw);
	/* Also re-arm if the clock jumped backwards past the interval. */
	if (now_ns >= sw->next_age_ns ||
	    sw->next_age_ns - now_ns > sw->age_interval_ns) {
		(void)vsw_fdb_age(sw->fdb, now_ns);
		sw->next_age_ns = now_ns + sw->age_interval_ns;
	}
	return work;
}

bool
vsw_switch_arm_wait(struct vsw_switch *sw)
{
	bool pending = false;
	uint16_t i;

	if (sw == NULL) {
		return false;
	}
	for (i = 0; i < sw->n_active; i++) {
		struct vsw_port *port = sw->slots[sw->active[i]].port;

		if (port->ops->arm_wait != NULL && port->ops->arm_wait(port)) {
			pending = true;
		}
	}
	return pending;
}

void
vsw_switch_stats_read(const struct vsw_switch *sw,
		      struct vsw_switch_stats *out)
{
	const struct vsw_switch_stats *s;

	if (sw == NULL || out == NULL) {
		return;
	}
	s = &sw->stats;
	out->rx_packets = vsw_stat_read(&s->rx_packets);
	out->unicast = vsw_stat_read(&s->unicast);
	out->flooded = vsw_stat_read(&s->flooded);
	out->flood_copies = vsw_stat_read(&s->flood_copies);
	out->flood_no_dest = vsw_stat_read(&s->flood_no_dest);
	out->learn_fail = vsw_stat_read(&s->learn_fail);
	out->bad_in_port = vsw_stat_read(&s->bad_in_port);
	out->tx_bursts = vsw_stat_read(&s->tx_bursts);
	out->polls = vsw_stat_read(&s->polls);
	out->mirror_copies = vsw_stat_read(&s->mirror_copies);
	out->vlan_clones = vsw_stat_read(&s->vlan_clones);
}
