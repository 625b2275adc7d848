/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_policy_cfg.h - per-port policy configuration, as the admin sets it
 * (synthctl adapter set, Hyper-V's Set-VMNetworkAdapter /
 * Set-VMNetworkAdapterVlan).  Pure data: no DPDK, so the configuration
 * model (daemon/snd_model) and the state file share it with the data-plane
 * policy engine (vsw_policy.h), which applies it on the poll lcore.
 */
#ifndef VSW_POLICY_CFG_H
#define VSW_POLICY_CFG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Valid 802.1Q VLAN ids are 1..4094; 0 means "untagged / default". */
#define VSW_VLAN_ID_MIN 1u
#define VSW_VLAN_ID_MAX 4094u
#define VSW_VLAN_WORDS (4096u / 64u)

/* How a port maps frames to VLANs (Hyper-V's -Untagged/-Access/-Trunk). */
enum vsw_vlan_mode {
	VSW_VLAN_UNTAGGED = 0, /* no VLAN: frames belong to VLAN 0 and
				* tagged frames from the port are dropped */
	VSW_VLAN_ACCESS,       /* untagged on the port, VLAN access_vlan in
				* the switch; tagged frames are dropped */
	VSW_VLAN_TRUNK,        /* tagged with any VLAN of `allowed` on the
				* port; untagged frames belong to native_vlan
				* (0 = untagged frames dropped) and frames of
				* native_vlan are delivered untagged */
	VSW_VLAN_TRANSPARENT,  /* every VLAN: frames tagged 1..4094 keep
				* their VLAN, untagged frames are VLAN 0,
				* VLAN 0 is delivered untagged and the others
				* tagged.  What a physical uplink (Hyper-V's
				* external port) does; not an adapter
				* setting: the daemon gives it to uplinks */
};

/* Port mirroring role (Hyper-V's -PortMirroring). */
enum vsw_mirror_mode {
	VSW_MIRROR_NONE = 0,
	VSW_MIRROR_SOURCE,      /* copies of its traffic, both directions, go
				 * to the destination ports of its switch */
	VSW_MIRROR_DESTINATION, /* receives those copies */
};

struct vsw_policy_cfg {
	enum vsw_vlan_mode vlan_mode;   /* see above */
	uint16_t access_vlan;           /* ACCESS: 1..4094 */
	uint16_t native_vlan;           /* TRUNK: 0 or 1..4094 */
	uint64_t allowed[VSW_VLAN_WORDS]; /* TRUNK: bit v = VLAN v allowed */
	bool mac_spoofing;              /* true: any source MAC allowed;
					 * false (default): only the
					 * adapter's own MAC */
	bool dhcp_guard;                /* drop DHCP/DHCPv6 server messages
					 * from the port */
	bool router_guard;              /* drop ICMPv6 RA and redirects
					 * from the port */
	enum vsw_mirror_mode mirror;    /* mirroring role */
	uint64_t max_bandwidth_bps;     /* from the port, bits/s; 0 = none */
	uint32_t storm_limit_pps;       /* broadcast + multicast + unknown
					 * unicast from the port, frames/s;
					 * 0 = none */
};

/* The defaults of a new adapter: untagged, guards off, no limits. */
static inline void
vsw_policy_cfg_init(struct vsw_policy_cfg *c)
{
	memset(c, 0, sizeof(*c));
}

static inline bool
vsw_vlan_allowed(const struct vsw_policy_cfg *c, uint16_t vid)
{
	return vid <= VSW_VLAN_ID_MAX &&
	       (c->allowed[vid / 64] >> (vid % 64) & 1u) != 0;
}

static inline void
vsw_vlan_allow(struct vsw_policy_cfg *c, uint16_t vid)
{
	if (vid <= VSW_VLAN_ID_MAX) {
		c->allowed[vid / 64] |= UINT64_C(1) << (vid % 64);
	}
}

#endif /* VSW_POLICY_CFG_H */
