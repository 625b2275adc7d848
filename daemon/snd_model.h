/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_model.h - synthnetd's configuration model: the registry of virtual
 * switches and network adapters, its validation, and its rendering as
 * text tables and JSON for synthctl.
 *
 * The model is what an administrator configures (Hyper-V's VMSwitch and
 * VMNetworkAdapter objects).  It knows nothing about DPDK, lcores or
 * VMBus: every effect on the running daemon goes through one ops table,
 * struct snd_model_hooks, supplied by the daemon core.  Each hook's
 * contract is written next to it.
 *
 * Threading: the model is not thread-safe.  Every function here, and
 * every hook, runs on the daemon's control (main) thread.  Hooks may call
 * the read-only functions (find, next, count, adapters_for_vm) but never
 * create, delete, add or remove.
 *
 * Names: switch names 1..31 characters and VM names 1..63 characters from
 * [A-Za-z0-9._-]; adapter (NIC) names 1..31 printable ASCII characters
 * (0x20..0x7e), default "eth0".  Names compare case-insensitively, as in
 * Hyper-V, and are stored and shown as given.
 *
 * Failures never leave a partial change behind: a call that returns an
 * error has not changed the model (nor its MAC, relid or id counters).
 * Mutating calls take err/errlen and, on failure, write one line (no
 * newline) saying what is wrong and what to do, suitable for synthctl.
 */
#ifndef SND_MODEL_H
#define SND_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include "snctl_out.h"

/* Buffer sizes, including the terminating NUL. */
#define SND_SWITCH_NAME_MAX 32	/* switch names: 1..31 characters */
#define SND_NOTES_MAX 256	/* switch notes: 0..255 bytes */
#define SND_VM_NAME_MAX 64	/* VM names: 1..63 characters */
#define SND_NIC_NAME_MAX 32	/* adapter names: 1..31 characters */

/* Adapter name when none is given. */
#define SND_NIC_DEFAULT "eth0"

#define SND_MAC_LEN 6
/* "00:15:5d:00:00:01" + NUL */
#define SND_MAC_STRLEN 18
#define SND_GUID_LEN 16
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" + NUL */
#define SND_GUID_STRLEN 37

/*
 * Channel relids the model hands out: 1..2047.  Linux guests ignore offers
 * whose child_relid is not below MAX_CHANNEL_RELIDS, which is
 * max(256, HV_EVENT_FLAGS_COUNT = 2048) (drivers/hv/hyperv_vmbus.h).
 */
#define SND_RELID_MIN 1u
#define SND_RELID_MAX 2047u

/* Network adapters one VM may have: Hyper-V's 8 synthetic adapters per VM
 * (Windows Server 2016). */
#define SND_VM_ADAPTERS_MAX 8u

/* Default dynamic MAC pool: Microsoft's Hyper-V OUI 00:15:5D. */
#define SND_MAC_POOL_FIRST { 0x00, 0x15, 0x5d, 0x00, 0x00, 0x01 }
#define SND_MAC_POOL_LAST { 0x00, 0x15, 0x5d, 0xff, 0xff, 0xff }

/* Most drop reasons one adapter_stats() call can report. */
#define SND_DROP_NAMES_MAX 32u

/* fdb_dump() age of an entry that never ages (configured, not learned). */
#define SND_FDB_AGE_STATIC UINT32_MAX

/* Switch types (Hyper-V's -SwitchType). */
enum snd_switch_type {
	SND_SWITCH_PRIVATE,	/* VMs only */
	SND_SWITCH_INTERNAL,	/* VMs and the host (planned) */
	SND_SWITCH_EXTERNAL,	/* VMs, host and a physical NIC (planned) */
};

/* A virtual switch.  Owned by the model; read-only for everyone else
 * except dp, which belongs to the hooks. */
struct snd_switch {
	TAILQ_ENTRY(snd_switch) next;	/* model list; private */
	char name[SND_SWITCH_NAME_MAX];	/* unique, case-insensitively */
	enum snd_switch_type type;	/* SND_SWITCH_* */
	char notes[SND_NOTES_MAX];	/* free text, one line, may be "" */
	uint32_t id;			/* 1, 2, ...; never reused */
	time_t created;			/* wall-clock creation time */
	uint32_t n_adapters;		/* adapters connected to it */
	void *dp;			/* data-plane handle: hooks own it */
};

/* A VM's network adapter, connected to one switch.  Owned by the model;
 * read-only for everyone else except dp, which belongs to the hooks. */
struct snd_adapter {
	TAILQ_ENTRY(snd_adapter) next;	/* model list; private */
	char vm[SND_VM_NAME_MAX];	/* VM that gets the channel */
	char nic[SND_NIC_NAME_MAX];	/* unique per VM (any case) */
	struct snd_switch *sw;		/* the switch it connects to */
	uint8_t mac[SND_MAC_LEN];	/* unicast, unique on its switch */
	bool mac_dynamic;		/* mac came from the pool */
	uint8_t instance[SND_GUID_LEN];	/* random v4 GUID, wire order */
	uint32_t relid;			/* channel id, unique, 1..2047 */
	void *dp;			/* data-plane handle: hooks own it */
};

/* One drop counter as reported by adapter_stats(). */
struct snd_drop_count {
	const char *name;	/* reason, e.g. "ring-full"; static storage */
	uint64_t count;		/* frames */
};

/*
 * Adapter counters.  Directions are named from the switch port, as in
 * vsw_port_stats: rx = frames the VM sent (into the switch), tx = frames
 * delivered to the VM.  The renderers label them "from VM" / "to VM".
 */
struct snd_port_stats {
	uint64_t rx_packets;	/* frames from the VM */
	uint64_t rx_bytes;	/* their bytes */
	uint64_t tx_packets;	/* frames delivered to the VM */
	uint64_t tx_bytes;	/* their bytes */
	uint32_t n_drops;	/* entries used in drops[] */
	struct snd_drop_count drops[SND_DROP_NAMES_MAX]; /* by reason */
	uint32_t n_proto;	/* entries used in proto[] */
	/* protocol errors of the guest's channel (bad-nvsp, bad-rndis, ...),
	 * by name; not frame drops */
	struct snd_drop_count proto[SND_DROP_NAMES_MAX];
};

/*
 * fdb_dump() callback: one forwarding-table entry.  mac and port are
 * borrowed for the call.  vlan 0 = untagged; age_s = seconds since the
 * entry was last refreshed, SND_FDB_AGE_STATIC for static entries.
 * Return 0 to continue, non-zero to stop the dump.
 */
typedef int (*snd_fdb_fn)(void *arg, const uint8_t mac[SND_MAC_LEN],
			  uint16_t vlan, const char *port, uint32_t age_s);

/*
 * Key/value sink given to the status() hook.  Keys are lower_snake_case
 * (they become JSON member names); key and string values are borrowed
 * for the call (copied).
 */
struct snd_kv {
	void (*u64)(struct snd_kv *kv, const char *key, uint64_t v);
	void (*str)(struct snd_kv *kv, const char *key, const char *v);
	void *priv;		/* renderer's state; hooks leave it */
};

/*
 * The daemon core's side of the model.  Every member may be NULL: the
 * model then only keeps the registry (as in unit tests).  ctx is the
 * pointer given to snd_model_create().
 */
struct snd_model_hooks {
	/*
	 * A switch was created.  sw is complete (name, type, notes, id,
	 * created) and already findable in the model; sw->dp is NULL.
	 * Create the data-plane switch and store its handle in sw->dp.
	 * Return 0, or -errno with a one-line message in err[errlen]: the
	 * model then drops sw (switch_delete is not called) and reports
	 * the message.
	 */
	int (*switch_create)(void *ctx, struct snd_switch *sw, char *err,
			     size_t errlen);

	/*
	 * A switch is being deleted.  It has no adapters left (the model
	 * removes them first, with adapter_remove).  Release sw->dp.
	 * Cannot fail; sw is freed when it returns.
	 */
	void (*switch_delete)(void *ctx, struct snd_switch *sw);

	/*
	 * An adapter was added.  ad is complete (vm, nic, sw with sw->dp set
	 * by switch_create, mac, instance, relid), already findable in the
	 * model (by VM, relid); ad->dp is NULL.  Create the switch port and
	 * store it in ad->dp; if the VM is connected, offer the channel now
	 * (otherwise the VM gets it when it connects, through
	 * snd_model_adapters_for_vm()).  Return 0, or -errno with a one-line
	 * message in err[errlen]: the model then drops ad (adapter_remove is
	 * not called).
	 */
	int (*adapter_add)(void *ctx, struct snd_adapter *ad, char *err,
			   size_t errlen);

	/*
	 * An adapter is being removed.  Synchronously: rescind the channel
	 * if it was offered, detach the port from its lcore and wait for the
	 * acknowledgement, then release ad->dp.  Cannot fail; when it
	 * returns nothing may refer to ad any more: ad is freed.
	 */
	void (*adapter_remove)(void *ctx, struct snd_adapter *ad);

	/*
	 * Fill *out (zeroed by the caller) with ad's counters.  Drop names
	 * must be static strings (e.g. vsw_drop_name()); at most
	 * SND_DROP_NAMES_MAX of them.  Return 0 or -errno (-ENODATA: no
	 * data-plane port yet).
	 */
	int (*adapter_stats)(void *ctx, const struct snd_adapter *ad,
			     struct snd_port_stats *out);

	/*
	 * ad's runtime state in one lower-case word, static storage, e.g.
	 * "not-connected" (the VM is not connected), "offered" (the channel
	 * is offered, the guest has not opened it), "open" (the guest opened
	 * it), "closed" (the guest closed it).
	 */
	const char *(*adapter_state)(void *ctx, const struct snd_adapter *ad);

	/*
	 * Call cb(arg, ...) once per forwarding-table entry of sw, on the
	 * control thread (take a snapshot; do not call cb from an lcore).
	 * Stop when cb returns non-zero and return that value; return 0 at
	 * the end or -errno.
	 */
	int (*fdb_dump)(void *ctx, const struct snd_switch *sw, snd_fdb_fn cb,
			void *arg);

	/*
	 * Report daemon-wide facts for `synthctl status` through kv, e.g.
	 * "pid", "uptime_s", "lcores", "vm_connections", "mbufs_in_use",
	 * "mbufs_total", "open_fds".  Return 0 or -errno.
	 */
	int (*status)(void *ctx, struct snd_kv *kv);
};

struct snd_model;

/* ---- lifetime ------------------------------------------------------------ */

/*
 * Create an empty model.  hooks is copied (NULL: no hooks); ctx is
 * borrowed and passed to every hook.  Returns NULL when out of memory.
 */
struct snd_model *
snd_model_create(const struct snd_model_hooks *hooks, void *ctx);

/*
 * Tear everything down through the hooks (adapter_remove for every
 * adapter, then switch_delete for every switch), then free the model.
 * NULL is a no-op.
 */
void
snd_model_destroy(struct snd_model *m);

/*
 * Set the dynamic MAC pool to first..last (inclusive; borrowed, copied).
 * Both must share the first three bytes (one OUI), be unicast and
 * first <= last.  The next allocation starts at first.  Returns 0 or
 * -EINVAL.
 */
int
snd_model_set_mac_pool(struct snd_model *m, const uint8_t first[SND_MAC_LEN],
		       const uint8_t last[SND_MAC_LEN]);

/* ---- switches ----------------------------------------------------------- */

/*
 * Create a switch.  name and notes (NULL: "") are borrowed and copied.
 * Only SND_SWITCH_PRIVATE is supported for now.  On success *out (if not
 * NULL) borrows the switch, valid until it is deleted.
 * Returns 0, or -EINVAL (bad name or notes), -EEXIST (name taken),
 * -ENOTSUP (internal/external), -ENOMEM, or switch_create's error.
 */
int
snd_model_switch_create(struct snd_model *m, const char *name,
			enum snd_switch_type type, const char *notes,
			struct snd_switch **out, char *err, size_t errlen);

/*
 * Delete the switch called name.  With adapters connected: -EBUSY unless
 * force, which removes them first (adapter_remove each).  *n_removed (if
 * not NULL) gets the number of adapters removed.
 * Returns 0, -ENOENT (no such switch), -EBUSY.
 */
int
snd_model_switch_delete(struct snd_model *m, const char *name, bool force,
			uint32_t *n_removed, char *err, size_t errlen);

/* The switch called name (case-insensitive), or NULL.  Borrowed. */
struct snd_switch *
snd_model_switch_find(const struct snd_model *m, const char *name);

/* Iterate in name order: prev NULL gives the first; returns NULL after
 * the last.  Not safe across deletion of prev. */
struct snd_switch *
snd_model_switch_next(const struct snd_model *m,
		      const struct snd_switch *prev);

/* Number of switches. */
uint32_t
snd_model_switch_count(const struct snd_model *m);

/* ---- adapters ------------------------------------------------------------ */

/* What to add; strings borrowed for the call. */
struct snd_adapter_req {
	const char *vm;		/* VM name */
	const char *nic;	/* adapter name; NULL: SND_NIC_DEFAULT */
	const char *sw;		/* switch name */
	const uint8_t *mac;	/* static MAC (6 bytes); NULL: pool */
};

/*
 * Add a network adapter.  Allocates a MAC from the pool (when rq->mac is
 * NULL; never one in use anywhere), a random v4 instance GUID, and the
 * next free relid.  On success *out (if not NULL) borrows the adapter,
 * valid until it is removed.
 * Returns 0, or -EINVAL (bad VM/NIC name, multicast or zero MAC),
 * -ENOENT (no such switch), -EEXIST (the VM has an adapter of that name,
 * or the MAC is in use on the switch), -ENOSPC (MAC pool, relids or the
 * VM's SND_VM_ADAPTERS_MAX exhausted), -ENOMEM, an error of
 * getrandom(), or adapter_add's error.
 */
int
snd_model_adapter_add(struct snd_model *m, const struct snd_adapter_req *rq,
		      struct snd_adapter **out, char *err, size_t errlen);

/* Remove ad (through adapter_remove) and free it.  ad must belong to m.
 * NULL is a no-op. */
void
snd_model_adapter_remove(struct snd_model *m, struct snd_adapter *ad);

/*
 * The adapter of VM vm named nic (case-insensitive).  nic NULL: the VM's
 * only adapter, NULL when it has none or several (see
 * snd_model_adapters_for_vm()).  Borrowed.
 */
struct snd_adapter *
snd_model_adapter_find(const struct snd_model *m, const char *vm,
		       const char *nic);

/* The adapter with channel id relid, or NULL.  Borrowed. */
struct snd_adapter *
snd_model_adapter_by_relid(const struct snd_model *m, uint32_t relid);

/*
 * The adapters of VM vm in NIC-name order: stores up to max borrowed
 * pointers in out and returns how many the VM has (which may be more than
 * max).  This is what the vmbus server offers when the VM connects.
 */
size_t
snd_model_adapters_for_vm(const struct snd_model *m, const char *vm,
			  struct snd_adapter **out, size_t max);

/* Iterate in (VM, NIC) name order; as snd_model_switch_next(). */
struct snd_adapter *
snd_model_adapter_next(const struct snd_model *m,
		       const struct snd_adapter *prev);

/* Number of adapters. */
uint32_t
snd_model_adapter_count(const struct snd_model *m);

/* ---- validation and formatting ---------------------------------------- */

/* True for a valid switch / VM / NIC name (see the top of this file). */
bool
snd_switch_name_valid(const char *name);
bool
snd_vm_name_valid(const char *name);
bool
snd_nic_name_valid(const char *name);

/* "private", "internal", "external" ("unknown" otherwise).  Static. */
const char *
snd_switch_type_name(enum snd_switch_type type);

/* Parse a switch type name (case-insensitive).  0 or -EINVAL. */
int
snd_switch_type_parse(const char *s, enum snd_switch_type *out);

/*
 * Parse a MAC address: six hex pairs separated by ':' or '-'
 * ("00:15:5D:01:02:03", "00-15-5d-01-02-03") or twelve hex digits
 * ("00155D010203", Hyper-V's form).  Only the syntax is checked.
 * Returns 0 or -EINVAL.
 */
int
snd_mac_parse(const char *s, uint8_t mac[SND_MAC_LEN]);

/* Format as "00:15:5d:01:02:03" into buf[SND_MAC_STRLEN]. */
void
snd_mac_format(const uint8_t mac[SND_MAC_LEN], char buf[SND_MAC_STRLEN]);

/* Format a wire-order (Windows) GUID as lowercase canonical text into
 * buf[SND_GUID_STRLEN]; Data1..3 are little-endian on the wire. */
void
snd_guid_format(const uint8_t g[SND_GUID_LEN], char buf[SND_GUID_STRLEN]);

/* ---- rendering -------------------------------------------------------- */

/*
 * The renderers append what a synthctl command prints to out: text
 * tables in the style of Get-VMSwitch / Get-VMNetworkAdapter, or JSON
 * (two-blank indentation, one document).  On an error they return
 * -errno with a one-line message in err[errlen] and append nothing.
 */

/* Every switch: a table, or a JSON array of switch objects. */
int
snd_render_switches(const struct snd_model *m, bool json,
		    struct snctl_out *out);

/* One switch in detail (list form plus its adapters), or a JSON object
 * with an "adapter_list" array. */
int
snd_render_switch(const struct snd_model *m, const struct snd_switch *sw,
		  bool json, struct snctl_out *out);

/* Adapters, optionally only those on sw and/or of VM vm (NULL: all). */
int
snd_render_adapters(const struct snd_model *m, const struct snd_switch *sw,
		    const char *vm, bool json, struct snctl_out *out);

/* One adapter in detail (list form), or a JSON object. */
int
snd_render_adapter(const struct snd_model *m, const struct snd_adapter *ad,
		   bool json, struct snctl_out *out);

/* Counters of n adapters (through adapter_stats); JSON: an array.
 * -ENOTSUP when the hook is missing. */
int
snd_render_stats(const struct snd_model *m, struct snd_adapter *const *ads,
		 size_t n, bool json, struct snctl_out *out, char *err,
		 size_t errlen);

/* The forwarding table of sw (through fdb_dump); JSON: an array.
 * -ENOTSUP when the hook is missing. */
int
snd_render_fdb(const struct snd_model *m, const struct snd_switch *sw,
	       bool json, struct snctl_out *out, char *err, size_t errlen);

/* Daemon status: the model's counts plus what status() reports. */
int
snd_render_status(const struct snd_model *m, bool json,
		  struct snctl_out *out, char *err, size_t errlen);

#endif /* SND_MODEL_H */
