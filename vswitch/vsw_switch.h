/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_switch.h - one virtual L2 switch (a Hyper-V private, internal or
 * external switch): its ports, its MAC learning table, and the forwarding
 * pass an lcore runs over it.
 *
 * Threading: a switch is served by exactly one poll lcore.  Every function
 * below must run on that lcore, or while no lcore serves the switch
 * (create/destroy and initial configuration on the control thread before
 * handing the switch over), EXCEPT vsw_switch_stats_read(),
 * vsw_port_stats_read() and vsw_switch_name(), which any thread may call.
 * Control-plane changes at run time (add/remove a port) are therefore
 * messages executed by the serving lcore.
 */
#ifndef VSW_SWITCH_H
#define VSW_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "vsw_fdb.h"
#include "vsw_port.h"

/* Ports per switch; port ids are 0 .. VSW_MAX_PORTS - 1. */
#define VSW_MAX_PORTS 256
/* Switch name buffer size, including the terminating NUL. */
#define VSW_SWITCH_NAME_MAX 64
/* Default interval between incremental FDB aging steps: 1 ms. */
#define VSW_DEFAULT_AGE_INTERVAL_NS 1000000ull

/* Hyper-V switch types (what may attach; enforced by the control plane). */
enum vsw_switch_type {
	VSW_SWITCH_PRIVATE = 0, /* guests only */
	VSW_SWITCH_INTERNAL,    /* guests + host vNIC */
	VSW_SWITCH_EXTERNAL,    /* guests + host vNIC + physical uplink */
};

struct vsw_switch;

/* Creation parameters.  NULL selects every default. */
struct vsw_switch_cfg {
	enum vsw_switch_type type; /* Hyper-V switch type */
	int socket_id;             /* NUMA socket of the serving lcore for
				    * the switch memory, or SOCKET_ID_ANY */
	uint32_t fdb_max_entries;  /* FDB limit; 0 = 65,536 */
	uint64_t fdb_age_ns;       /* FDB entry lifetime; 0 = 300 s */
	uint64_t age_interval_ns;  /* aging step period; 0 = 1 ms */
	uint64_t hash_seed;        /* FDB hash seed; 0 = rte_rand() */
};

/* Switch-wide counters (per-port ones live in vsw_port.stats). */
struct vsw_switch_stats {
	uint64_t rx_packets;    /* frames entering vsw_switch_input() */
	uint64_t unicast;       /* forwarded to one learned port */
	uint64_t flooded;       /* broadcast/multicast/unknown unicast */
	uint64_t flood_copies;  /* references handed out by floods */
	uint64_t flood_no_dest; /* floods with no eligible output port */
	uint64_t learn_fail;    /* "fdb-full": source not learned */
	uint64_t bad_in_port;   /* frames input on a non-existent port */
	uint64_t tx_bursts;     /* tx_burst calls */
	uint64_t polls;         /* vsw_switch_poll() passes */
	uint64_t mirror_copies; /* references staged to mirror destinations */
	uint64_t vlan_clones;   /* mbuf clones made to deliver a VLAN
				 * untagged while others shared the frame */
};

/*
 * Create a switch with no ports.  name: 1..63 bytes, copied.  cfg may be
 * NULL.  Allocates from DPDK memory (rte_zmalloc_socket); needs EAL.
 * Returns the switch, or NULL with rte_errno set (EINVAL, ENOMEM).
 */
struct vsw_switch *
vsw_switch_create(const char *name, const struct vsw_switch_cfg *cfg);

/*
 * Remove (flush, then ops->destroy) every port and free the switch.
 * NULL is a no-op.
 */
void
vsw_switch_destroy(struct vsw_switch *sw);

/* The name given at creation (static for the switch's lifetime). */
const char *
vsw_switch_name(const struct vsw_switch *sw);

/* The type given at creation. */
enum vsw_switch_type
vsw_switch_type(const struct vsw_switch *sw);

/* "private", "internal", "external", or "unknown". */
const char *
vsw_switch_type_name(enum vsw_switch_type type);

/*
 * Attach an initialised, detached port.  Assigns the lowest free id, sets
 * port->sw and port->id.  On success the switch owns the port (it calls
 * ops->destroy on removal).  Returns the id (>= 0), or -EINVAL (NULL,
 * not initialised, already attached), -EEXIST (name in use), -ENOSPC
 * (VSW_MAX_PORTS reached).  On failure the caller keeps the port.
 */
int
vsw_switch_add_port(struct vsw_switch *sw, struct vsw_port *port);

/*
 * Detach port `id` without destroying it: transmit its staged frames and
 * flush it, forget its FDB entries, and return ownership of the port to
 * the caller (e.g. to attach it to another switch).  Returns the port, or
 * NULL if there is no such port.
 */
struct vsw_port *
vsw_switch_detach_port(struct vsw_switch *sw, uint16_t id);

/* Detach port `id` and call its ops->destroy.  Returns 0 or -ENOENT. */
int
vsw_switch_remove_port(struct vsw_switch *sw, uint16_t id);

/* Port `id` (borrowed), or NULL. */
struct vsw_port *
vsw_switch_port(const struct vsw_switch *sw, uint16_t id);

/* Port named `name` (borrowed), or NULL. */
struct vsw_port *
vsw_switch_port_by_name(const struct vsw_switch *sw, const char *name);

/* Number of attached ports. */
unsigned int
vsw_switch_port_count(const struct vsw_switch *sw);

/*
 * Forward n frames received on port in_port at time now_ns (the FDB
 * clock).  CONSUMES all n mbufs: each is staged for one or more output
 * ports (flooding shares one mbuf through its reference count) or dropped
 * with a counted reason.  Staged frames go out when a staging buffer fills
 * or at vsw_switch_flush().  Any n; processed in bursts of VSW_BURST_MAX.
 */
void
vsw_switch_input(struct vsw_switch *sw, uint16_t in_port,
		 struct rte_mbuf **pkts, uint16_t n, uint64_t now_ns);

/*
 * Transmit every staged frame (tx_burst) and call ops->flush on every port
 * given frames since the previous flush.
 */
void
vsw_switch_flush(struct vsw_switch *sw);

/*
 * One lcore pass: rx_burst (<= VSW_BURST_MAX) on every port, forward,
 * flush, and an incremental FDB aging step every age_interval_ns.
 * now_ns: monotonic nanoseconds (the lcore converts its TSC).
 * Returns the number of frames received: 0 means the pass found no work
 * and the lcore may consider sleeping (see vsw_switch_arm_wait()).
 */
unsigned int
vsw_switch_poll(struct vsw_switch *sw, uint64_t now_ns);

/*
 * Before sleeping: call ops->arm_wait on every port (all of them, even
 * after one returns true).  Returns true if any port already has pending
 * work: poll again instead of sleeping.  The lcore sleeps on the ports'
 * wait_fd()s; if a port has none (-1) it may only sleep with a timeout.
 */
bool
vsw_switch_arm_wait(struct vsw_switch *sw);

/*
 * The switch's MAC table, for "fdb show", static entries and tests.  Same
 * threading rule as the switch (serving lcore only, except
 * vsw_fdb_stats_read()).
 */
struct vsw_fdb *
vsw_switch_fdb(struct vsw_switch *sw);

/*
 * A new, empty MAC table for a switch with a different size limit: built
 * on any thread (rte_malloc on socket_id), keeping the current table's
 * aging time.  NULL with rte_errno on failure.
 */
struct vsw_fdb *
vsw_switch_fdb_alloc(const struct vsw_switch *sw, uint32_t max_entries,
		     int socket_id);

/*
 * Install fdb (from vsw_switch_fdb_alloc) as sw's MAC table, on the lcore
 * serving sw; the stations are learned again from the next frames.
 * Returns the old table, to be released with vsw_switch_fdb_free() once
 * this returned.
 */
struct vsw_fdb *
vsw_switch_fdb_swap(struct vsw_switch *sw, struct vsw_fdb *fdb);

/* Release a table that no switch uses.  NULL is a no-op. */
void
vsw_switch_fdb_free(struct vsw_fdb *fdb);

/* Copy the switch counters; callable from any thread. */
void
vsw_switch_stats_read(const struct vsw_switch *sw,
		      struct vsw_switch_stats *out);

#endif /* VSW_SWITCH_H */
