/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_drop.h - why the virtual switch dropped a frame.
 *
 * ONE list, VSW_DROP_REASONS, generates the enum, the short names used by
 * the per-port counters, the CLI ("show port drops") and the comments of
 * captured dropped frames, and the one-line descriptions for CLI help.  Add
 * a reason here and every consumer follows; never spell a name elsewhere.
 *
 * Learning failures (FDB full) are not drops: the frame is still forwarded
 * (flooded).  They are counted by the FDB (vsw_fdb_stats.learn_full) and
 * the switch (vsw_switch_stats.learn_fail), named VSW_LEARN_FAIL_NAME.
 *
 * Pure C, no DPDK.
 */
#ifndef VSW_DROP_H
#define VSW_DROP_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

/*
 * X(SYMBOL, "short-name", "description")
 * Short names: lower case, '-' separated, stable (scripts parse them).
 */
#define VSW_DROP_REASONS(X) \
	X(NO_MBUF, "no-mbuf", "no mbuf available (pool exhausted)") \
	X(RING_FULL, "ring-full", "peer ring or queue full") \
	X(MTU, "mtu", "frame longer than the output port MTU") \
	X(RUNT, "runt", "frame shorter than an Ethernet header") \
	X(BAD_RNDIS, "bad-rndis", "malformed RNDIS message from guest") \
	X(NO_RXBUF, "no-rxbuf", "no free guest receive buffer section") \
	X(FILTER, "packet-filter", "rejected by the guest packet filter") \
	X(LINK_DOWN, "link-down", "output port link is down") \
	X(SPOOF, "mac-spoofing", "source MAC not allowed on this port") \
	X(DHCP_GUARD, "dhcp-guard", "DHCP server message from guarded port") \
	X(ROUTER_GUARD, "router-guard", "router advert/redirect blocked") \
	X(VLAN, "vlan", "VLAN not allowed on this port") \
	X(BANDWIDTH, "bandwidth", "bandwidth limit exceeded") \
	X(STORM, "storm", "broadcast/multicast storm limit exceeded") \
	X(LOOP, "same-port", "destination is the input port") \
	X(NO_PORT, "no-port", "destination port does not exist") \
	X(TX_ERROR, "tx-error", "output port failed to transmit")

/* Drop reasons; VSW_DROP_MAX sizes counter arrays. */
enum vsw_drop_reason {
#define VSW_DROP_ENUM_(sym, name, desc) VSW_DROP_##sym,
	VSW_DROP_REASONS(VSW_DROP_ENUM_)
#undef VSW_DROP_ENUM_
	VSW_DROP_MAX
};

/* Name of the (non-drop) learning failure counter. */
#define VSW_LEARN_FAIL_NAME "fdb-full"

/* Short name of a reason; "unknown" when out of range.  Static storage. */
static inline const char *
vsw_drop_name(enum vsw_drop_reason r)
{
	static const char *const names[VSW_DROP_MAX] = {
#define VSW_DROP_NAME_(sym, name, desc) [VSW_DROP_##sym] = name,
		VSW_DROP_REASONS(VSW_DROP_NAME_)
#undef VSW_DROP_NAME_
	};

	if ((unsigned int)r >= VSW_DROP_MAX) {
		return "unknown";
	}
	return names[r];
}

/* One-line description of a reason; "unknown" when out of range. */
static inline const char *
vsw_drop_desc(enum vsw_drop_reason r)
{
	static const char *const descs[VSW_DROP_MAX] = {
#define VSW_DROP_DESC_(sym, name, desc) [VSW_DROP_##sym] = desc,
		VSW_DROP_REASONS(VSW_DROP_DESC_)
#undef VSW_DROP_DESC_
	};

	if ((unsigned int)r >= VSW_DROP_MAX) {
		return "unknown";
	}
	return descs[r];
}

/*
 * Reason for a short name (exact, case-sensitive match).
 * Returns the reason (>= 0), -EINVAL for NULL, -ENOENT if unknown.
 */
static inline int
vsw_drop_from_name(const char *name)
{
	int r;

	if (name == NULL) {
		return -EINVAL;
	}
	for (r = 0; r < VSW_DROP_MAX; r++) {
		if (strcmp(name, vsw_drop_name((enum vsw_drop_reason)r)) == 0) {
			return r;
		}
	}
	return -ENOENT;
}

#endif /* VSW_DROP_H */
