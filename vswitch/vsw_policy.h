/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_policy.h - the per-port policy engine: 802.1Q VLANs, MAC-spoofing
 * check, DHCP and router guards, bandwidth meter, storm control and port
 * mirroring, applied by the switch (vsw_switch.c) to every frame of a port
 * that has a policy state.
 *
 * VLAN model
 * ----------
 * Inside the switch every frame carries its VLAN ("class") in mbuf
 * metadata, never in its bytes:
 *   class 0 (untagged):  RX_VLAN, RX_VLAN_STRIPPED and TX_VLAN clear,
 *                        vlan_tci 0;
 *   class v (1..4094):   RX_VLAN | RX_VLAN_STRIPPED set, TX_VLAN clear,
 *                        vlan_tci = PCP/DEI of the ingress tag | v.
 * Ingress (vsw_policy_ingress) normalises what the port handed over: a
 * metadata tag (netvsc IEEE_8021Q per-packet info, or a NIC's stripped
 * tag) with a VLAN id is the tag; otherwise an in-frame 802.1Q tag
 * (software-tagged guest, ethdev uplink, TAP) is stripped out of the bytes
 * into the metadata (a priority tag, VID 0, counts as no tag, and a tag
 * after it is stripped too).  802.1ad (0x88A8) outer tags and VID 4095
 * are dropped ("vlan").  Then the port's mode classifies the frame (see
 * vsw_vlan_mode): frames the mode does not accept are dropped ("vlan").
 * Egress (vsw_policy_egress, decided by the switch when it stages a frame
 * for an output port): a port receives only frames of VLANs it is a member
 * of; its untagged VLAN (ACCESS: access_vlan, TRUNK: native_vlan,
 * UNTAGGED/TRANSPARENT: 0) is delivered with the metadata cleared, every
 * other VLAN with the metadata tag.  Ports that need the tag in the bytes
 * (ethdev, TAP) insert it in their tx_burst from the metadata; netvsc
 * turns it into per-packet info.
 *
 * Shared mbufs: a flood hands one mbuf to many ports (reference count).
 * Because every frame already carries its class tagged-or-untagged in the
 * canonical form above, only "deliver class v != 0 untagged" needs
 * different metadata.  The switch then uses the mbuf itself if it holds
 * the only reference, else ONE rte_pktmbuf_clone() (an indirect mbuf: new
 * header, shared data) per flood, shared by every untagged output.  Nothing
 * writes to an mbuf whose reference count is above 1.
 *
 * Ports without a policy state (port->policy == NULL) are VLAN-transparent
 * (member of every VLAN, frames delivered as they are): a legacy/test
 * mode.  For VLAN isolation every port of a switch needs a policy.
 *
 * Threading and updates: vsw_policy_create() builds a state on the control
 * thread (allocates, validates, precomputes the VLAN bitmap and meter
 * profiles).  The lcore serving the port's switch installs it with
 * vsw_policy_apply(), which returns the previous state; the control thread
 * frees that with vsw_policy_free() once the lcore has acknowledged.  A
 * state is read and written (meters) only by that lcore while installed.
 *
 * Time: meters run on the switch's now_ns clock (the FDB clock given to
 * vsw_switch_input/poll), converted to TSC units for rte_meter once per
 * burst and only on metered ports, so tests inject time through now_ns.
 */
#ifndef VSW_POLICY_H
#define VSW_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_meter.h>

#include "vsw_policy_cfg.h"
#include "vsw_port.h"

/* vsw_policy.flags: which checks run. */
#define VSW_POLICY_F_SPOOF_CHECK (1u << 0)  /* source MAC == port->mac */
#define VSW_POLICY_F_DHCP_GUARD (1u << 1)   /* drop DHCP server messages */
#define VSW_POLICY_F_ROUTER_GUARD (1u << 2) /* drop RA/redirect */
#define VSW_POLICY_F_METER (1u << 3)        /* max_bandwidth_bps */
#define VSW_POLICY_F_STORM (1u << 4)        /* storm_limit_pps */
#define VSW_POLICY_F_MIRROR_SRC (1u << 5)   /* mirror source */
#define VSW_POLICY_F_MIRROR_DST (1u << 6)   /* mirror destination */
#define VSW_POLICY_F_TRUSTED (1u << 7)      /* uplink / host vNIC */

/* Class of untagged frames that the port drops (TRUNK, native 0). */
#define VSW_POLICY_PVID_DROP UINT16_MAX
/* Bytes of a frame the guards parse when its headers span segments. */
#define VSW_POLICY_PARSE_MAX 512u
/* Storm bucket: 100 ms of the rate, at least this many frames (or the
 * rate itself when lower). */
#define VSW_POLICY_STORM_MIN_BURST 16u
/*
 * Bandwidth bucket: 50 ms of the rate, at least two longest frames.  A
 * policer drops what exceeds the bucket; with a 10 ms bucket TCP settled
 * 10-15 % under the limit, 50 ms lets it reach the rate.
 */
#define VSW_POLICY_METER_BURST_MS 50u

/* Port properties the engine needs besides the admin configuration. */
struct vsw_policy_params {
	bool trusted;         /* uplink or host vNIC: the source MAC is not
			       * checked (frames of many stations) */
	uint32_t max_pkt_len; /* longest frame the port hands the switch
			       * (bytes; mtu + 18, or the LSO limit once the
			       * port passes super-packets); 0 = 1518.  The
			       * meter's burst holds at least two of them */
	int socket_id;        /* NUMA socket of the serving lcore, or
			       * SOCKET_ID_ANY */
};

/*
 * Policy state of one port.  Built by vsw_policy_create(); the fields are
 * visible only so the switch's per-frame tests inline: treat them as
 * private.
 */
struct vsw_policy {
	uint32_t flags;               /* VSW_POLICY_F_* */
	uint16_t pvid;                /* class of untagged ingress frames,
				       * or VSW_POLICY_PVID_DROP */
	uint16_t untag_vlan;          /* class delivered untagged (0 for
				       * UNTAGGED/TRANSPARENT) */
	uint64_t tsc_hz;              /* rte_get_tsc_hz() at creation */
	uint64_t now_tsc;             /* meter time of the current burst */
	uint64_t member[VSW_VLAN_WORDS]; /* bit v: the port is in VLAN v
					  * (ingress and egress) */
	struct rte_meter_srtcm_profile bw_prof;    /* bytes, CIR bps/8 */
	struct rte_meter_srtcm bw;                 /* its bucket */
	struct rte_meter_srtcm_profile storm_prof; /* frames, CIR pps */
	struct rte_meter_srtcm storm;              /* its bucket */
	struct vsw_policy_cfg cfg;    /* the configuration it was built
				       * from (copy) */
	uint32_t max_pkt_len;         /* params.max_pkt_len (resolved) */
};

/* What the switch does with a frame of some class on an output port. */
enum vsw_egress_action {
	VSW_EGRESS_DROP = 0, /* not a member: not delivered */
	VSW_EGRESS_ASIS,     /* delivered with the frame's metadata */
	VSW_EGRESS_UNTAG,    /* delivered with the VLAN metadata cleared */
};

/*
 * Build a policy state from cfg (borrowed, copied) and params (borrowed;
 * NULL = untrusted, 1518-byte frames, SOCKET_ID_ANY).  Control thread;
 * needs EAL (rte_zmalloc_socket, rte_get_tsc_hz).  Returns an owned state
 * (install it with vsw_policy_apply() or free it with vsw_policy_free()),
 * or NULL with rte_errno set: EINVAL (bad mode, access_vlan not 1..4094,
 * native_vlan above 4094, bad mirror mode), ENOMEM.
 */
struct vsw_policy *
vsw_policy_create(const struct vsw_policy_cfg *cfg,
		  const struct vsw_policy_params *params);

/* Free a state that is not installed on any port.  NULL is a no-op. */
void
vsw_policy_free(struct vsw_policy *pol);

/*
 * Install pol (owned; may be NULL = no policy) on port and return the
 * previous state (owned by the caller now: free it with vsw_policy_free()
 * from any thread once this returned), or NULL.  Runs on the lcore serving
 * the port's switch, or on any thread while the port is detached.  When
 * the port is attached: the switch's mirror-destination list is rebuilt,
 * and if the VLAN membership changed the port's FDB entries are flushed.
 * Meter buckets carry over from the previous state when the rate and burst
 * are unchanged.  vsw_switch_remove_port()/vsw_switch_destroy() free the
 * state installed on a removed port; a caller that destroys a detached
 * port itself first takes the state back with vsw_policy_apply(port,
 * NULL).
 */
struct vsw_policy *
vsw_policy_apply(struct vsw_port *port, struct vsw_policy *pol);

/* The configuration a state was built from (borrowed). */
const struct vsw_policy_cfg *
vsw_policy_cfg_of(const struct vsw_policy *pol);

/* True if the state was created trusted. */
bool
vsw_policy_trusted(const struct vsw_policy *pol);

/*
 * Ingress: normalise and classify the VLAN, then the MAC-spoofing check,
 * the guards, storm control (broadcast/multicast) and the bandwidth meter,
 * in that order, on pkts[0 .. n) (n <= VSW_BURST_MAX) received on port at
 * now_ns.  Keeps the accepted frames, in order, at pkts[0 .. return) (an
 * entry may be replaced by a private copy when the frame had to be made
 * writable) and drops every other one with vsw_port_drop() and its reason.
 * port->policy must be non-NULL.  Called by the switch.
 */
uint16_t
vsw_policy_ingress(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n,
		   uint64_t now_ns);

/*
 * Storm control for an unknown unicast frame the switch is about to flood
 * (broadcast and multicast are charged in vsw_policy_ingress): true if it
 * may go, false if it exceeds storm_limit_pps (drop it as "storm").  Uses
 * the time of the burst vsw_policy_ingress() just processed.
 */
static inline bool
vsw_policy_storm_ok(struct vsw_policy *pol)
{
	struct rte_meter_srtcm *m;

	if (likely(pol == NULL || (pol->flags & VSW_POLICY_F_STORM) == 0)) {
		return true;
	}
	m = &pol->storm;
	/* First use (time UINT64_MAX) or a clock that went back: no
	 * refill. */
	if (unlikely(pol->now_tsc < m->time)) {
		m->time = pol->now_tsc;
	}
	return rte_meter_srtcm_color_blind_check(m, &pol->storm_prof,
						 pol->now_tsc, 1) ==
	       RTE_COLOR_GREEN;
}

/* Is the port (policy pol, NULL = transparent) a member of vlan? */
static inline bool
vsw_policy_member(const struct vsw_policy *pol, uint16_t vlan)
{
	if (pol == NULL) {
		return true;
	}
	return vlan < 4096u &&
	       (pol->member[vlan / 64u] >> (vlan % 64u) & 1u) != 0;
}

/* How a frame of class vlan is delivered to a port with policy pol. */
static inline enum vsw_egress_action
vsw_policy_egress(const struct vsw_policy *pol, uint16_t vlan)
{
	if (pol == NULL) {
		return VSW_EGRESS_ASIS;
	}
	if (!vsw_policy_member(pol, vlan)) {
		return VSW_EGRESS_DROP;
	}
	return vlan != 0 && vlan == pol->untag_vlan ? VSW_EGRESS_UNTAG :
						      VSW_EGRESS_ASIS;
}

/* Is the port a mirror source / destination? */
static inline bool
vsw_policy_mirror_src(const struct vsw_policy *pol)
{
	return pol != NULL && (pol->flags & VSW_POLICY_F_MIRROR_SRC) != 0;
}

static inline bool
vsw_policy_mirror_dst(const struct vsw_policy *pol)
{
	return pol != NULL && (pol->flags & VSW_POLICY_F_MIRROR_DST) != 0;
}

/* Mbuf flags that carry a VLAN tag in metadata. */
#define VSW_MBUF_VLAN_FLAGS \
	(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_TX_VLAN)

/* Put class 0 (untagged) into an mbuf's metadata.  The caller must hold
 * the only reference to m. */
static inline void
vsw_mbuf_set_untagged(struct rte_mbuf *m)
{
	m->ol_flags &= ~VSW_MBUF_VLAN_FLAGS;
	m->vlan_tci = 0;
}

#endif /* VSW_POLICY_H */
