/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_policy.c - per-port policy engine: state construction and the
 * ingress pipeline.  See vsw_policy.h for the VLAN model and the threading
 * rules; the egress side (membership, untagged delivery, mirroring) is
 * applied by vsw_switch.c with the inline helpers of vsw_policy.h.
 *
 * Ingress pipeline, per frame, on a port with a policy state:
 *   1. make the header readable (first segment >= 14 bytes, else a linear
 *      private copy) and the mbuf header ours (reference count 1);
 *   2. VLAN: normalise the tag into metadata, classify ("vlan");
 *   3. MAC spoofing: source MAC == port->mac ("mac-spoofing");
 *   4. guards: ofl_parse() of the headers ("dhcp-guard", "router-guard");
 *   5. storm control for broadcast/multicast destinations ("storm");
 *   6. bandwidth meter, srTCM color blind, non-green dropped
 *      ("bandwidth").
 * A default state (UNTAGGED, spoofing check on, nothing else) costs one
 * ethertype test, one flag test and one 6-byte compare per frame.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_meter.h>

#include "ofl_parse.h"
#include "vsw_policy.h"
#include "vsw_switch_int.h"

/* Ingress accepts tagged frames (TRUNK, TRANSPARENT). */
#define VSW_POLICY_F_TAGS_IN (1u << 8)

#define VSW_NS_PER_S 1000000000ull
/* Default longest frame: 1500 + Ethernet header + one tag. */
#define VSW_POLICY_DEFAULT_PKT_LEN 1518u
/* VID and priority (PCP + DEI) bits of a TCI. */
#define VSW_TCI_VID_MASK 0x0fffu
#define VSW_TCI_PRIO_MASK 0xf000u
/* Stacked in-frame tags stripped while looking for a VLAN id. */
#define VSW_POLICY_MAX_STRIP 2u

static inline void
vsw_member_set(struct vsw_policy *pol, uint16_t vid)
{
	pol->member[vid / 64u] |= UINT64_C(1) << (vid % 64u);
}

/* Build the VLAN part of the state.  Returns 0 or -EINVAL. */
static int
vsw_policy_vlan_init(struct vsw_policy *pol, const struct vsw_policy_cfg *c)
{
	unsigned int w, v;

	switch (c->vlan_mode) {
	case VSW_VLAN_UNTAGGED:
		pol->pvid = 0;
		pol->untag_vlan = 0;
		vsw_member_set(pol, 0);
		return 0;
	case VSW_VLAN_ACCESS:
		if (c->access_vlan < VSW_VLAN_ID_MIN ||
		    c->access_vlan > VSW_VLAN_ID_MAX) {
			return -EINVAL;
		}
		pol->pvid = c->access_vlan;
		pol->untag_vlan = c->access_vlan;
		vsw_member_set(pol, c->access_vlan);
		return 0;
	case VSW_VLAN_TRUNK:
		if (c->native_vlan > VSW_VLAN_ID_MAX) {
			return -EINVAL;
		}
		for (w = 0; w < VSW_VLAN_WORDS; w++) {
			pol->member[w] = c->allowed[w];
		}
		/* Only 1..4094 are VLANs. */
		pol->member[0] &= ~UINT64_C(1);
		pol->member[VSW_VLAN_WORDS - 1] &= ~(UINT64_C(1) << 63);
		if (c->native_vlan != 0) {
			vsw_member_set(pol, c->native_vlan);
			pol->pvid = c->native_vlan;
		} else {
			pol->pvid = VSW_POLICY_PVID_DROP;
		}
		pol->untag_vlan = c->native_vlan;
		pol->flags |= VSW_POLICY_F_TAGS_IN;
		return 0;
	case VSW_VLAN_TRANSPARENT:
		for (v = 0; v <= VSW_VLAN_ID_MAX; v++) {
			vsw_member_set(pol, (uint16_t)v);
		}
		pol->pvid = 0;
		pol->untag_vlan = 0;
		pol->flags |= VSW_POLICY_F_TAGS_IN;
		return 0;
	}
	return -EINVAL;
}

/*
 * Configure an srTCM with rate cir (units/s) and burst cbs (units), no
 * excess bucket.  The bucket starts full; its clock starts at the first
 * check (time UINT64_MAX, see vsw_policy_meter_pass()).
 */
static int
vsw_policy_meter_init(struct rte_meter_srtcm_profile *prof,
		      struct rte_meter_srtcm *m, uint64_t cir, uint64_t cbs)
{
	struct rte_meter_srtcm_params prm = {
		.cir = cir,
		.cbs = cbs,
		.ebs = 0,
	};

	if (rte_meter_srtcm_profile_config(prof, &prm) != 0 ||
	    rte_meter_srtcm_config(m, prof) != 0) {
		return -EINVAL;
	}
	m->time = UINT64_MAX;
	return 0;
}

/* Build the meters.  Returns 0 or -EINVAL. */
static int
vsw_policy_meters_init(struct vsw_policy *pol, const struct vsw_policy_cfg *c)
{
	if (c->max_bandwidth_bps != 0) {
		/* Bytes/s; burst: VSW_POLICY_METER_BURST_MS of it, >= 2 frames. */
		uint64_t cir = RTE_MAX(c->max_bandwidth_bps / 8u, UINT64_C(1));
		uint64_t burst = cir / (1000u / VSW_POLICY_METER_BURST_MS);
		uint64_t cbs = RTE_MAX((uint64_t)pol->max_pkt_len * 2u, burst);

		if (vsw_policy_meter_init(&pol->bw_prof, &pol->bw, cir,
					  cbs) != 0) {
			return -EINVAL;
		}
		pol->flags |= VSW_POLICY_F_METER;
	}
	if (c->storm_limit_pps != 0) {
		uint64_t pps = c->storm_limit_pps;
		uint64_t cbs = RTE_MAX(pps / 10u,
				       RTE_MIN(pps, (uint64_t)
					       VSW_POLICY_STORM_MIN_BURST));

		if (vsw_policy_meter_init(&pol->storm_prof, &pol->storm, pps,
					  cbs) != 0) {
			return -EINVAL;
		}
		pol->flags |= VSW_POLICY_F_STORM;
	}
	return 0;
}

struct vsw_policy *
vsw_policy_create(const struct vsw_policy_cfg *cfg,
		  const struct vsw_policy_params *params)
{
	static const struct vsw_policy_params defaults = {
		.trusted = false,
		.max_pkt_len = 0,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vsw_policy *pol;

	if (params == NULL) {
		params = &defaults;
	}
	if (cfg == NULL || (unsigned int)cfg->mirror > VSW_MIRROR_DESTINATION) {
		rte_errno = EINVAL;
		return NULL;
	}
	pol = rte_zmalloc_socket("vsw_policy", sizeof(*pol),
				 RTE_CACHE_LINE_SIZE, params->socket_id);
	if (pol == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	pol->cfg = *cfg;
	pol->tsc_hz = rte_get_tsc_hz();
	pol->max_pkt_len = params->max_pkt_len != 0 ?
				   params->max_pkt_len :
				   VSW_POLICY_DEFAULT_PKT_LEN;
	if (params->trusted) {
		pol->flags |= VSW_POLICY_F_TRUSTED;
	} else if (!cfg->mac_spoofing) {
		pol->flags |= VSW_POLICY_F_SPOOF_CHECK;
	}
	if (cfg->dhcp_guard) {
		pol->flags |= VSW_POLICY_F_DHCP_GUARD;
	}
	if (cfg->router_guard) {
		pol->flags |= VSW_POLICY_F_ROUTER_GUARD;
	}
	if (cfg->mirror == VSW_MIRROR_SOURCE) {
		pol->flags |= VSW_POLICY_F_MIRROR_SRC;
	} else if (cfg->mirror == VSW_MIRROR_DESTINATION) {
		pol->flags |= VSW_POLICY_F_MIRROR_DST;
	}
	if (vsw_policy_vlan_init(pol, cfg) != 0 ||
	    vsw_policy_meters_init(pol, cfg) != 0) {
		rte_free(pol);
		rte_errno = EINVAL;
		return NULL;
	}
	return pol;
}

void
vsw_policy_free(struct vsw_policy *pol)
{
	rte_free(pol);
}

const struct vsw_policy_cfg *
vsw_policy_cfg_of(const struct vsw_policy *pol)
{
	return pol != NULL ? &pol->cfg : NULL;
}

bool
vsw_policy_trusted(const struct vsw_policy *pol)
{
	return pol != NULL && (pol->flags & VSW_POLICY_F_TRUSTED) != 0;
}

/* Do two states (NULL = transparent) classify and deliver the same? */
static bool
vsw_policy_same_vlans(const struct vsw_policy *a, const struct vsw_policy *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	return a->pvid == b->pvid && a->untag_vlan == b->untag_vlan &&
	       memcmp(a->member, b->member, sizeof(a->member)) == 0;
}

/* Keep a bucket's level across a reconfiguration that did not change it. */
static void
vsw_policy_carry(const struct rte_meter_srtcm_profile *old_prof,
		 const struct rte_meter_srtcm *old_m,
		 const struct rte_meter_srtcm_profile *new_prof,
		 struct rte_meter_srtcm *new_m)
{
	if (memcmp(old_prof, new_prof, sizeof(*old_prof)) == 0) {
		*new_m = *old_m;
	}
}

struct vsw_policy *
vsw_policy_apply(struct vsw_port *port, struct vsw_policy *pol)
{
	struct vsw_policy *old;
	bool vlans_changed;

	if (port == NULL) {
		return pol;
	}
	old = port->policy;
	if (old == pol) {
		return NULL;
	}
	if (old != NULL && pol != NULL) {
		if ((old->flags & pol->flags & VSW_POLICY_F_METER) != 0) {
			vsw_policy_carry(&old->bw_prof, &old->bw,
					 &pol->bw_prof, &pol->bw);
		}
		if ((old->flags & pol->flags & VSW_POLICY_F_STORM) != 0) {
			vsw_policy_carry(&old->storm_prof, &old->storm,
					 &pol->storm_prof, &pol->storm);
		}
	}
	vlans_changed = !vsw_policy_same_vlans(old, pol);
	port->policy = pol;
	if (port->sw != NULL) {
		vsw_switch_policy_changed(port->sw, port, vlans_changed);
	}
	return old;
}

/* now_ns in TSC units (what rte_meter profiles are computed in). */
static inline uint64_t
vsw_policy_ns_to_tsc(uint64_t ns, uint64_t hz)
{
	return ns / VSW_NS_PER_S * hz + ns % VSW_NS_PER_S * hz / VSW_NS_PER_S;
}

/* One srTCM check at the burst time; true for green. */
static inline bool
vsw_policy_meter_pass(struct rte_meter_srtcm *m,
		      struct rte_meter_srtcm_profile *prof, uint64_t now,
		      uint32_t units)
{
	/* First use (time UINT64_MAX) or a clock that went back: start
	 * here, no refill. */
	if (unlikely(now < m->time)) {
		m->time = now;
	}
	return rte_meter_srtcm_color_blind_check(m, prof, now, units) ==
	       RTE_COLOR_GREEN;
}

/*
 * Make *mp private: mbuf header and data referenced by us alone, and at
 * least min(need, pkt_len) bytes contiguous in the first segment.  When
 * it is not, *mp is replaced by a linear copy from its own pool and the
 * original reference released.  Returns 0, or -ENOBUFS (pool empty; *mp
 * unchanged).
 */
static int
vsw_policy_make_private(struct rte_mbuf **mp, uint32_t need)
{
	struct rte_mbuf *m = *mp;
	struct rte_mbuf *c;

	need = RTE_MIN(need, m->pkt_len);
	if (likely(RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
		   m->data_len >= need)) {
		return 0;
	}
	c = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
	if (c == NULL || c->data_len < need) {
		rte_pktmbuf_free(c);
		return -ENOBUFS;
	}
	rte_pktmbuf_free(m);
	*mp = c;
	return 0;
}

/* Ethertype (host order) right after the MAC addresses; the first segment
 * holds at least 14 bytes. */
static inline uint16_t
vsw_policy_ethertype(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	return rte_be_to_cpu_16(eh->ether_type);
}

/*
 * Step 2: normalise the tag of *mp (may be replaced by a private copy)
 * into metadata and classify it.  Returns the class (0..4094), or -1 with
 * *why set.
 */
static int
vsw_policy_vlan_in(const struct vsw_policy *pol, struct rte_mbuf **mp,
		   enum vsw_drop_reason *why)
{
	struct rte_mbuf *m = *mp;
	uint16_t tci = 0, vid, cls;
	bool tagged = false;
	unsigned int k;

	if ((m->ol_flags & RTE_MBUF_F_RX_VLAN) != 0) {
		tci = m->vlan_tci;
		tagged = (tci & VSW_TCI_VID_MASK) != 0;
	}
	/* Untagged or priority-tagged so far: an in-frame tag is the tag.
	 * With a metadata VLAN id, in-frame tags are inner tags (payload). */
	for (k = 0; !tagged; k++) {
		uint16_t type = vsw_policy_ethertype(m);

		if (type == RTE_ETHER_TYPE_QINQ) {
			*why = VSW_DROP_VLAN;  /* 802.1ad: not supported */
			return -1;
		}
		if (type != RTE_ETHER_TYPE_VLAN) {
			break;
		}
		if (k == VSW_POLICY_MAX_STRIP ||
		    m->pkt_len < RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN) {
			*why = VSW_DROP_VLAN;
			return -1;
		}
		if (vsw_policy_make_private(mp, RTE_ETHER_HDR_LEN +
						    RTE_VLAN_HLEN) != 0) {
			*why = VSW_DROP_NO_MBUF;
			return -1;
		}
		m = *mp;
		/* Direct, unshared, >= 18 contiguous bytes: what
		 * rte_vlan_strip() needs. */
		(void)rte_vlan_strip(m);
		tci = m->vlan_tci;
		tagged = (tci & VSW_TCI_VID_MASK) != 0;
	}
	vid = tci & VSW_TCI_VID_MASK;
	if (tagged) {
		/* The member bitmap never holds the reserved VID 4095. */
		if ((pol->flags & VSW_POLICY_F_TAGS_IN) == 0 ||
		    !vsw_policy_member(pol, vid)) {
			*why = VSW_DROP_VLAN;
			return -1;
		}
		cls = vid;
	} else {
		if (pol->pvid == VSW_POLICY_PVID_DROP) {
			*why = VSW_DROP_VLAN;
			return -1;
		}
		cls = pol->pvid;
	}
	if (cls == 0) {
		if (unlikely((m->ol_flags & VSW_MBUF_VLAN_FLAGS) != 0 ||
			     m->vlan_tci != 0)) {
			vsw_mbuf_set_untagged(m);
		}
	} else {
		m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_TX_VLAN) |
			      RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
		m->vlan_tci = (uint16_t)((tci & VSW_TCI_PRIO_MASK) | cls);
	}
	return cls;
}

/*
 * An IPv6 packet whose upper-layer header cannot be found (RFC 7113: an
 * RA hidden behind a long extension chain or in a first fragment without
 * its ICMPv6 header).  Non-first fragments carry no ICMPv6 header.
 */
static inline bool
vsw_policy_ip6_hidden(const struct ofl_pkt *p)
{
	if (p->l3_type != OFL_L3_IPV6) {
		return false;
	}
	if ((p->flags & OFL_F_L3_OK) == 0) {
		return true;
	}
	return (p->flags & OFL_F_FRAGMENT) != 0 &&
	       (p->flags & (OFL_F_FRAG_LATER | OFL_F_L4_OK)) == 0;
}

/*
 * Step 4: DHCP and router guards.  Parses the first segment, or a copy of
 * the first VSW_POLICY_PARSE_MAX bytes when the headers may span segments.
 * Returns true to drop, with *why set.
 */
static bool
vsw_policy_guard_drop(const struct vsw_policy *pol, const struct rte_mbuf *m,
		      enum vsw_drop_reason *why)
{
	uint8_t buf[VSW_POLICY_PARSE_MAX];
	const uint8_t *p;
	struct ofl_pkt pk;
	uint32_t len = m->data_len;

	if (len >= m->pkt_len || len >= VSW_POLICY_PARSE_MAX) {
		p = rte_pktmbuf_mtod(m, const uint8_t *);
	} else {
		len = RTE_MIN(m->pkt_len, VSW_POLICY_PARSE_MAX);
		p = rte_pktmbuf_read(m, 0, len, buf);
		if (p == NULL) {
			len = m->data_len;
			p = rte_pktmbuf_mtod(m, const uint8_t *);
		}
	}
	if (ofl_parse(p, len, &pk) != 0) {
		return false;
	}
	if ((pol->flags & VSW_POLICY_F_DHCP_GUARD) != 0 &&
	    (ofl_is_dhcp_server(&pk) || ofl_is_dhcp6_server(&pk))) {
		*why = VSW_DROP_DHCP_GUARD;
		return true;
	}
	if ((pol->flags & VSW_POLICY_F_ROUTER_GUARD) != 0 &&
	    (ofl_is_icmp6_ra_or_redirect(&pk) || vsw_policy_ip6_hidden(&pk))) {
		*why = VSW_DROP_ROUTER_GUARD;
		return true;
	}
	return false;
}

/*
 * Steps 1-6 for one frame.  Returns true if *mp (possibly replaced by a
 * private copy) is accepted; false with *why set to drop it.
 */
static inline bool
vsw_policy_in1(struct vsw_port *port, struct vsw_policy *pol,
	       struct rte_mbuf **mp, enum vsw_drop_reason *why)
{
	const struct rte_ether_hdr *eh;
	struct rte_mbuf *m = *mp;
	uint32_t flags = pol->flags;

	if (unlikely(m->pkt_len < RTE_ETHER_HDR_LEN)) {
		*why = VSW_DROP_RUNT;
		return false;
	}
	if (unlikely(m->data_len < RTE_ETHER_HDR_LEN ||
		     rte_mbuf_refcnt_read(m) != 1)) {
		if (vsw_policy_make_private(mp, RTE_ETHER_HDR_LEN) != 0) {
			*why = VSW_DROP_NO_MBUF;
			return false;
		}
	}
	if (vsw_policy_vlan_in(pol, mp, why) < 0) {
		return false;
	}
	m = *mp;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if ((flags & VSW_POLICY_F_SPOOF_CHECK) != 0 &&
	    !rte_is_same_ether_addr(&eh->src_addr, &port->mac)) {
		*why = VSW_DROP_SPOOF;
		return false;
	}
	if (unlikely((flags & (VSW_POLICY_F_DHCP_GUARD |
			       VSW_POLICY_F_ROUTER_GUARD)) != 0) &&
	    vsw_policy_guard_drop(pol, m, why)) {
		return false;
	}
	if (unlikely((flags & VSW_POLICY_F_STORM) != 0) &&
	    rte_is_multicast_ether_addr(&eh->dst_addr) &&
	    !vsw_policy_meter_pass(&pol->storm, &pol->storm_prof,
				   pol->now_tsc, 1)) {
		*why = VSW_DROP_STORM;
		return false;
	}
	if (unlikely((flags & VSW_POLICY_F_METER) != 0) &&
	    !vsw_policy_meter_pass(&pol->bw, &pol->bw_prof, pol->now_tsc,
				   m->pkt_len)) {
		*why = VSW_DROP_BANDWIDTH;
		return false;
	}
	return true;
}

uint16_t
vsw_policy_ingress(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n,
		   uint64_t now_ns)
{
	struct vsw_policy *pol = port->policy;
	uint16_t i, kept = 0;

	RTE_ASSERT(pol != NULL);
	if ((pol->flags & (VSW_POLICY_F_METER | VSW_POLICY_F_STORM)) != 0) {
		pol->now_tsc = vsw_policy_ns_to_tsc(now_ns, pol->tsc_hz);
	}
	for (i = 0; i < n; i++) {
		enum vsw_drop_reason why = VSW_DROP_VLAN;
		struct rte_mbuf *m = pkts[i];

		if (likely(vsw_policy_in1(port, pol, &m, &why))) {
			pkts[kept++] = m;
		} else {
			vsw_port_drop(port, m, why);
		}
	}
	return kept;
}
