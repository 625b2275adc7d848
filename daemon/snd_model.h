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
 * create, delete, add, remove, set or connect.
 *
 * Names: switch names 1..31 characters and VM names 1..63 characters from
 * [A-Za-z0-9._-]; adapter (NIC) names 1..31 printable ASCII characters
 * (0x20..0x7e) other than '/', default "eth0".  Names compare
 * case-insensitively, as in Hyper-V, and are stored and shown as given.
 *
 * Failures never leave a partial change behind: a call that returns an
 * error has not changed the model (nor its MAC, relid or id counters).
 * Mutating calls take err/errlen and, on failure, write one line (no
 * newline) saying what is wrong and what to do, suitable for synthctl.
 *
 * Persistence: the model does no I/O.  Every successful change bumps a
 * generation counter (snd_model_generation()).  The command layer
 * (snd_ctl.c) calls snd_model_save() after every command that changed the
 * model; that runs the save hook (the daemon: snd_state_save()).  A failed
 * save keeps the change in memory (nothing is rolled back) and the command
 * answers "configuration applied but not saved: ..." with status 1; the
 * next successful save writes the whole configuration, this change
 * included.  snd_state.h restores a saved configuration through this API
 * (the restore members of struct snd_switch_req / snd_adapter_req and
 * snd_model_seq_set()).
 */
#ifndef SND_MODEL_H
#define SND_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include "snctl_json.h"
#include "snctl_out.h"
#include "vsw_policy_cfg.h"

/* Buffer sizes, including the terminating NUL. */
#define SND_SWITCH_NAME_MAX 32	/* switch names: 1..31 characters */
#define SND_NOTES_MAX 256	/* switch notes: 0..255 bytes */
#define SND_VM_NAME_MAX 64	/* VM names: 1..63 characters */
#define SND_NIC_NAME_MAX 32	/* adapter names: 1..31 characters */
#define SND_DEVARGS_MAX 256	/* uplink EAL device arguments: 1..255 */
#define SND_NETNS_MAX 64	/* network namespace names: 1..63 */
/* host vNIC names: 1..15 characters (Linux IFNAMSIZ is 16) */
#define SND_HOST_IFNAME_MAX 16

/* Adapter name when none is given. */
#define SND_NIC_DEFAULT "eth0"

/* Host vNIC names are this prefix plus the switch name, cut to 15
 * characters and made unique ("vsw-lab", "vsw-averylongna2"). */
#define SND_HOST_IFNAME_PREFIX "vsw-"

#define SND_MAC_LEN 6
/* "00:15:5d:00:00:01" + NUL */
#define SND_MAC_STRLEN 18
#define SND_GUID_LEN 16
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" + NUL */
#define SND_GUID_STRLEN 37
/* "ffff:...:ffff/128" + NUL (INET6_ADDRSTRLEN 46 + "/128") */
#define SND_CIDR_STRLEN 50
/* Longest VLAN list text, "1,3,5,...,4093" (9,679 bytes) + NUL. */
#define SND_VLAN_LIST_STRMAX 10240

/* Host vNIC addresses one switch may have. */
#define SND_HOST_IPS_MAX 8u

/* MAC table aging time (seconds) and size limit, per switch. */
#define SND_MAC_AGING_DEFAULT 300u
#define SND_MAC_AGING_MIN 10u
#define SND_MAC_AGING_MAX 1000000u
#define SND_MAC_LIMIT_DEFAULT 65536u
#define SND_MAC_LIMIT_MIN 16u
#define SND_MAC_LIMIT_MAX 1048576u

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
	SND_SWITCH_PRIVATE,	/* VMs only: no uplink, no host vNIC */
	SND_SWITCH_INTERNAL,	/* VMs and a host vNIC */
	SND_SWITCH_EXTERNAL,	/* VMs and an uplink (DPDK ethdev), plus a
				 * host vNIC with allow_management_os */
};

/* An IPv4 or IPv6 address with its prefix length, e.g. 10.0.0.1/24. */
struct snd_ip_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t len;		/* prefix length: 1..32 or 1..128 */
	uint8_t addr[16];	/* network byte order; IPv4 in addr[0..3] */
};

/*
 * What an administrator configures on a switch besides its name.  Valid
 * combinations (snd_model_switch_create_req() and snd_model_switch_set()
 * refuse others):
 *   private:  uplink "", allow_management_os false, no host_ips, host_netns ""
 *   internal: uplink "", allow_management_os false; host_ips/host_netns
 *             optional (the host vNIC's addresses and namespace)
 *   external: uplink required; host_ips/host_netns only with
 *             allow_management_os (which gives the host a vNIC)
 */
struct snd_switch_cfg {
	enum snd_switch_type type;	/* SND_SWITCH_* */
	char notes[SND_NOTES_MAX];	/* free text, one line, may be "" */
	char uplink[SND_DEVARGS_MAX];	/* external: EAL devargs, e.g.
					 * "0000:03:00.0" or
					 * "net_af_packet0,iface=eth1" */
	bool allow_management_os;	/* external: the host gets a vNIC */
	uint32_t n_host_ips;		/* entries used in host_ips */
	/* host vNIC addresses, distinct */
	struct snd_ip_prefix host_ips[SND_HOST_IPS_MAX];
	char host_netns[SND_NETNS_MAX];	/* host vNIC's namespace; "": the
					 * daemon's own */
	uint32_t mac_aging_s;		/* MAC table aging time, seconds */
	uint32_t mac_limit;		/* MAC table size limit, entries */
};

/* Bits of the `changed` mask given to the switch_set hook. */
#define SND_SWITCH_CHG_TYPE (1u << 0)		/* cfg.type */
#define SND_SWITCH_CHG_NOTES (1u << 1)		/* cfg.notes */
#define SND_SWITCH_CHG_UPLINK (1u << 2)		/* cfg.uplink */
#define SND_SWITCH_CHG_MGMT_OS (1u << 3)	/* cfg.allow_management_os */
#define SND_SWITCH_CHG_HOST_IPS (1u << 4)	/* cfg.host_ips (or count) */
#define SND_SWITCH_CHG_HOST_NETNS (1u << 5)	/* cfg.host_netns */
#define SND_SWITCH_CHG_MAC_AGING (1u << 6)	/* cfg.mac_aging_s */
#define SND_SWITCH_CHG_MAC_LIMIT (1u << 7)	/* cfg.mac_limit */

/* A virtual switch.  Owned by the model; read-only for everyone else
 * except dp, which belongs to the hooks. */
struct snd_switch {
	TAILQ_ENTRY(snd_switch) next;	/* model list; private */
	char name[SND_SWITCH_NAME_MAX];	/* unique, case-insensitively */
	struct snd_switch_cfg cfg;	/* type and options; changes only
					 * through snd_model_switch_set() */
	/* host vNIC name, chosen at creation, unique among the switches
	 * (case-insensitively), kept across type conversions; the netdev
	 * exists only while snd_switch_has_host_vnic(&cfg) */
	char host_ifname[SND_HOST_IFNAME_MAX];
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
	struct vsw_policy_cfg policy;	/* VLAN, guards, mirroring, limits;
					 * valid (snd_policy_check()) */
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

/* ---- packet capture (synthctl capture ...) ------------------------------
 *
 * Captures are runtime state of the daemon, not configuration: the model
 * keeps no record of them (they are neither saved nor counted as a
 * change); snd_ctl parses and checks the commands and the capture hooks
 * below do the work (daemon/snd_capture.c, pcap/cap_engine.h).
 */

/* What a capture watches. */
enum snd_capture_kind {
	SND_CAPTURE_SWITCH,	/* --switch NAME: every port the switch has
				 * when the capture starts (guest ports,
				 * uplink, host vNIC) */
	SND_CAPTURE_ADAPTER,	/* --adapter VM[:NIC]: the adapter's netvsc
				 * port (its channel must be open) */
	SND_CAPTURE_UPLINK,	/* --uplink SWITCH: an external switch's
				 * uplink port */
};

/* Directions (bits), named from the switch as everywhere. */
#define SND_CAPTURE_IN 0x1u	/* what the port handed to the switch
				 * (what the guest sent) */
#define SND_CAPTURE_OUT 0x2u	/* what the switch delivered to the port */
#define SND_CAPTURE_BOTH (SND_CAPTURE_IN | SND_CAPTURE_OUT)

/* Limits of the capture start options. */
/* tcpdump's default and largest snapshot length */
#define SND_CAPTURE_SNAPLEN_MAX 262144u
#define SND_CAPTURE_DURATION_MAX 31536000u /* seconds (a year) */
#define SND_CAPTURE_RING_FILES_MAX 10000u /* --ring FILES */
#define SND_CAPTURE_RING_MB_MAX 1048576u /* --size MB (1 TiB) */
/* Longest target / status text, including the NUL. */
#define SND_CAPTURE_TEXT_MAX 160u

/* A capture to start: `synthctl capture start`, parsed and checked. */
struct snd_capture_req {
	enum snd_capture_kind kind;	/* what to watch */
	struct snd_switch *sw;		/* SWITCH, UPLINK: the switch */
	struct snd_adapter *ad;		/* ADAPTER: the adapter */
	unsigned int dir;		/* SND_CAPTURE_IN/OUT bits, not 0 */
	bool drops;			/* also frames the switch dropped on
					 * the ports, reason as comment */
	const char *filter;		/* tcpdump expression; "" = every
					 * frame */
	uint32_t snaplen;		/* bytes kept per frame, 1 ..
					 * SND_CAPTURE_SNAPLEN_MAX */
	uint64_t count;			/* end after this many frames;
					 * 0 = no limit */
	uint64_t duration_ms;		/* end after this long; 0 = none */
	int fd;				/* the output the client opened
					 * (borrowed: dup() to keep), or -1
					 * for ring files */
	bool stream;			/* fd is the client's standard
					 * output (`-w -`): written as it
					 * is */
	const char *path;		/* -w FILE, absolute; ring files: the
					 * daemon creates FILE_00001.ext ...;
					 * with fd: the name shown */
	uint32_t ring_files;		/* > 0: rotate over this many
					 * files */
	uint64_t ring_file_bytes;	/* size of each ring file */
	int uid;			/* client's credentials, -1 unknown */
	int gid;			/* (see uid) */
	int pid;			/* (see uid) */
};

/*
 * A capture as capture_info() reports it.  Strings are borrowed from the
 * hooks' state and stay valid until the next capture hook call.
 */
struct snd_capture_info {
	uint32_t id;			/* capture id */
	const char *target;		/* "adapter vm1/eth0", "switch lab",
					 * "uplink lan" */
	const char *state;		/* "running", "stopping", "stopped" */
	const char *status;		/* "running", "stopped: by user",
					 * "stopped: disk full (...)", ... */
	bool failed;			/* ended by an output error (disk
					 * full, write error) */
	unsigned int dir;		/* SND_CAPTURE_IN/OUT bits */
	bool drops;			/* dropped frames too */
	const char *filter;		/* expression, "" = every frame */
	uint32_t snaplen;		/* bytes kept per frame */
	uint64_t count;			/* frame limit, 0 = none */
	uint64_t duration_ms;		/* time limit, 0 = none */
	const char *output;		/* -w FILE (absolute), or "-" */
	const char *const *files;	/* the files it wrote that exist
					 * now (ring: the latest ones) */
	uint32_t n_files;		/* entries in files (0 for "-") */
	uint32_t ring_files;		/* ring of files, 0 = one output */
	uint64_t ring_file_bytes;	/* their size */
	int client_pid;			/* who started it, -1 unknown */
	uint64_t started_ns;		/* start, ns since the epoch */
	uint64_t ended_ns;		/* end, or 0 while running */
	uint64_t seen;			/* frames at the watched points */
	uint64_t filtered_out;		/* rejected by the filter */
	uint64_t matched;		/* accepted by the filter */
	uint64_t lost;			/* matched but not captured */
	uint64_t packets;		/* frames written */
	uint64_t bytes;			/* their wire bytes */
	uint64_t file_bytes;		/* pcapng bytes written */
	uint64_t files_started;		/* files started (ring files) */
	uint32_t n_ifaces;		/* interfaces (ports) */
};

/* One interface (port) of a capture, for capture_info(). */
struct snd_capture_iface {
	const char *name;		/* "lab/vm1/eth0" (borrowed, as
					 * above) */
	bool attached;			/* watching its port now */
	uint64_t seen;			/* frames at the watched points */
	uint64_t matched;		/* accepted by the filter */
	uint64_t lost;			/* matched but not captured */
	uint64_t packets;		/* frames written */
};

/*
 * The daemon core's side of the model.  Every member may be NULL: the
 * model then only keeps the registry (as in unit tests).  ctx is the
 * pointer given to snd_model_create().
 *
 * Hooks that may fail write a one-line message into err[errlen] (the
 * model pre-sets err to "" and supplies a generic message when the hook
 * leaves it empty) and must undo whatever they did: on failure the model
 * keeps its old state, so the data plane must match it.
 */
struct snd_model_hooks {
	/*
	 * A switch was created.  sw is complete (name, cfg with type and
	 * options, host_ifname, id, created) and already findable in the
	 * model; sw->dp is NULL.  Create the data-plane switch (MAC table
	 * with cfg.mac_aging_s / cfg.mac_limit), for an external switch open
	 * the uplink cfg.uplink (a device that does not exist is an error
	 * here), and when snd_switch_has_host_vnic(&sw->cfg) create the host
	 * vNIC sw->host_ifname (in cfg.host_netns, with cfg.host_ips).
	 * Store the handle in sw->dp.  Return 0, or -errno with a message:
	 * the model then drops sw (switch_delete is not called).
	 */
	int (*switch_create)(void *ctx, struct snd_switch *sw, char *err,
			     size_t errlen);

	/*
	 * A switch is being deleted.  It has no adapters left (the model
	 * removes them first, with adapter_remove).  Release sw->dp (uplink
	 * and host vNIC included).  Cannot fail; sw is freed when it
	 * returns.
	 */
	void (*switch_delete)(void *ctx, struct snd_switch *sw);

	/*
	 * An adapter was added.  ad is complete (vm, nic, sw with sw->dp set
	 * by switch_create, mac, instance, relid, policy), already findable
	 * in the model (by VM, relid); ad->dp is NULL.  Create the switch
	 * port with ad->policy and store it in ad->dp; if the VM is
	 * connected, offer the channel now (otherwise the VM gets it when
	 * it connects, through snd_model_adapters_for_vm()).  Return 0, or
	 * -errno with a message: the model then drops ad (adapter_remove is
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

	/*
	 * The configuration of sw changes to *cfg (borrowed for the call,
	 * already validated as a whole).  sw->cfg still holds the old
	 * configuration; changed has a SND_SWITCH_CHG_* bit for every
	 * member that differs (never 0, never SND_SWITCH_CHG_NOTES alone: a
	 * notes-only change does not call the hook).  Apply it while the
	 * adapters stay connected: a type conversion (private <-> internal
	 * <-> external), open/close/replace the uplink, create/remove the
	 * host vNIC sw->host_ifname or change its addresses or namespace,
	 * the MAC table's aging time and size limit.  A new uplink that
	 * does not exist is an error here.  Return 0: the model then copies
	 * *cfg into sw->cfg.  Or -errno with a message: the model keeps the
	 * old configuration, so leave the data plane as it was.
	 */
	int (*switch_set)(void *ctx, struct snd_switch *sw,
			  const struct snd_switch_cfg *cfg, uint32_t changed,
			  char *err, size_t errlen);

	/*
	 * ad's policy and/or MAC change.  policy (borrowed, validated) is
	 * the complete new policy (it may equal ad->policy when only the MAC
	 * changes); mac is NULL when the MAC stays, else the new MAC
	 * (borrowed, unicast, unique on ad's switch).  ad still holds the
	 * old policy and MAC.  Apply them to the port on its lcore (VLAN
	 * mode, spoofing check against the MAC, guards, mirroring, meters);
	 * a MAC change may be refused while the guest has the channel open
	 * (-EBUSY, "stop the VM first").  Return 0: the model then stores
	 * policy and mac in ad.  Or -errno with a message: ad keeps the old
	 * values, so leave the port as it was.
	 */
	int (*adapter_set)(void *ctx, struct snd_adapter *ad,
			   const struct vsw_policy_cfg *policy,
			   const uint8_t *mac, char *err, size_t errlen);

	/*
	 * Move ad from switch `from` (ad->sw during the call) to switch `to`
	 * (to->dp set, to != from; ad->mac is unused on `to`).  Detach the
	 * port from from's data-plane switch and attach it to to's (on their
	 * lcores), keeping ad->dp, the channel and the guest's connection;
	 * the guest may see a link down/up.  Return 0: the model then sets
	 * ad->sw = to.  Or -errno with a message: ad stays on `from`, so the
	 * port must be back on from's switch.
	 */
	int (*adapter_connect)(void *ctx, struct snd_adapter *ad,
			       struct snd_switch *from, struct snd_switch *to,
			       char *err, size_t errlen);

	/*
	 * Persist the whole configuration now (the daemon: snd_state_save()
	 * into its state directory).  Called through snd_model_save(), by
	 * snd_ctl after every command that changed the model.  Return 0, or
	 * -errno with a message naming the file and the error; the change
	 * stays in memory either way.
	 */
	int (*save)(void *ctx, char *err, size_t errlen);

	/*
	 * Start a packet capture (`synthctl capture start`).  rq is
	 * borrowed for the call; snd_ctl has checked the options and found
	 * rq->sw / rq->ad.  Resolve the target to ports (an adapter whose
	 * channel is not open, a switch without ports or without an uplink
	 * is an error), compile the filter (an invalid expression is
	 * -EBADMSG with libpcap's own text as the message), set up the
	 * output (rq->fd, dup()ed; or the ring files at rq->path, which
	 * the client must be allowed to create) and start capturing.
	 * Return 0 with the new capture's id in *id, or -errno with a
	 * message; a failure starts nothing.
	 */
	int (*capture_start)(void *ctx, const struct snd_capture_req *rq,
			     uint32_t *id, char *err, size_t errlen);

	/*
	 * End capture id and return once its output is complete.  Return
	 * 0 (also when it had already ended) or -ENOENT with a message.
	 */
	int (*capture_stop)(void *ctx, uint32_t id, char *err, size_t errlen);

	/*
	 * Ids of the captures the daemon knows (running, and the latest
	 * ones that ended), ascending, into ids[0 .. max).  Returns how
	 * many there are (may exceed max).
	 */
	size_t (*capture_list)(void *ctx, uint32_t *ids, size_t max);

	/*
	 * Describe capture id into *out (zeroed by the caller) and its
	 * first max_ifaces interfaces into ifaces (out->n_ifaces says how
	 * many it has).  Return 0 or -ENOENT.
	 */
	int (*capture_info)(void *ctx, uint32_t id,
			    struct snd_capture_info *out,
			    struct snd_capture_iface *ifaces,
			    size_t max_ifaces);
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

/* The dynamic MAC pool (copied into first and last). */
void
snd_model_get_mac_pool(const struct snd_model *m, uint8_t first[SND_MAC_LEN],
		       uint8_t last[SND_MAC_LEN]);

/* ---- persistence support ------------------------------------------------ */

/* Where the model's allocators continue (saved with the configuration so
 * that a restart neither reuses a MAC nor a relid too early). */
struct snd_model_seq {
	uint8_t mac_next[SND_MAC_LEN];	/* next pool MAC to try */
	uint32_t next_relid;		/* next relid to try */
	uint32_t next_switch_id;	/* id of the next switch */
};

/* The allocators' positions now. */
void
snd_model_seq_get(const struct snd_model *m, struct snd_model_seq *out);

/*
 * Continue allocating from s (borrowed).  A mac_next outside the pool
 * restarts at the pool's first address; a next_switch_id not above every
 * existing id becomes the highest id + 1.  Returns 0, or -EINVAL
 * (next_relid outside SND_RELID_MIN..MAX, next_switch_id 0).  Not a
 * change of the configuration: the generation stays.
 */
int
snd_model_seq_set(struct snd_model *m, const struct snd_model_seq *s);

/* Incremented by every successful change of the configuration. */
uint64_t
snd_model_generation(const struct snd_model *m);

/*
 * Persist through the save hook (no hook: 0).  On success the current
 * generation counts as saved.  Returns 0 or the hook's -errno with its
 * message in err[errlen].
 */
int
snd_model_save(struct snd_model *m, char *err, size_t errlen);

/* Mark the current generation as saved (after snd_state_load()). */
void
snd_model_set_saved(struct snd_model *m);

/* True when a change has not been saved (a save hook failed). */
bool
snd_model_unsaved(const struct snd_model *m);

/* ---- switches ----------------------------------------------------------- */

/* The defaults of a switch of type type: no notes, no uplink, no host
 * addresses, MAC aging SND_MAC_AGING_DEFAULT, limit SND_MAC_LIMIT_DEFAULT. */
void
snd_switch_cfg_init(struct snd_switch_cfg *c, enum snd_switch_type type);

/* True when a switch configured as c has a host vNIC: internal, or
 * external with allow_management_os. */
bool
snd_switch_has_host_vnic(const struct snd_switch_cfg *c);

/*
 * Check c (borrowed) as the configuration of switch self (NULL: a new
 * switch) in m: the valid combinations of struct snd_switch_cfg, notes,
 * devargs, namespace name, addresses, ranges, and that no other switch
 * uses the same uplink.  Returns 0, -EINVAL or -EEXIST with a message.
 */
int
snd_switch_cfg_check(const struct snd_model *m, const struct snd_switch *self,
		     const struct snd_switch_cfg *c, char *err, size_t errlen);

/* What to create; everything borrowed for the call. */
struct snd_switch_req {
	const char *name;		/* switch name */
	const struct snd_switch_cfg *cfg; /* NULL: private, defaults */
	/* restoring a saved switch (snd_state); 0 / NULL: allocate */
	uint32_t id;			/* this id (unused) */
	time_t created;			/* this creation time */
	const char *host_ifname;	/* this host vNIC name (unused) */
};

/*
 * Create a switch.  On success *out (if not NULL) borrows the switch,
 * valid until it is deleted.  Returns 0, or -EINVAL (bad name or
 * configuration), -EEXIST (name, id, host vNIC name or uplink taken),
 * -ENOMEM, or switch_create's error.
 */
int
snd_model_switch_create_req(struct snd_model *m,
			    const struct snd_switch_req *rq,
			    struct snd_switch **out, char *err, size_t errlen);

/*
 * Create a switch of type type with default options (notes NULL: "");
 * snd_model_switch_create_req() with a default configuration.  An
 * external switch needs an uplink, so it fails here with -EINVAL.
 */
int
snd_model_switch_create(struct snd_model *m, const char *name,
			enum snd_switch_type type, const char *notes,
			struct snd_switch **out, char *err, size_t errlen);

/*
 * Change sw's configuration to *cfg (borrowed, copied; the complete new
 * configuration, see struct snd_switch_cfg).  Calls switch_set unless
 * nothing or only the notes changed.  Returns 0, or -EINVAL / -EEXIST
 * (snd_switch_cfg_check()), or switch_set's error (sw->cfg unchanged).
 */
int
snd_model_switch_set(struct snd_model *m, struct snd_switch *sw,
		     const struct snd_switch_cfg *cfg, char *err,
		     size_t errlen);

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

/* What to add; strings and buffers borrowed for the call. */
struct snd_adapter_req {
	const char *vm;		/* VM name */
	const char *nic;	/* adapter name; NULL: SND_NIC_DEFAULT */
	const char *sw;		/* switch name */
	const uint8_t *mac;	/* static MAC (6 bytes); NULL: pool */
	const struct vsw_policy_cfg *policy; /* NULL: vsw_policy_cfg_init() */
	/* restoring a saved adapter (snd_state); false / 0 / NULL: allocate */
	bool mac_dynamic;	/* with mac: it came from the pool */
	uint32_t relid;		/* this relid (unused, in range) */
	const uint8_t *instance; /* this instance GUID (16 bytes, unused) */
};

/*
 * Add a network adapter.  Allocates a MAC from the pool (when rq->mac is
 * NULL; never one in use anywhere), a random v4 instance GUID, and the
 * next free relid (unless rq gives them).  On success *out (if not NULL)
 * borrows the adapter, valid until it is removed.
 * Returns 0, or -EINVAL (bad VM/NIC name, multicast or zero MAC, bad
 * policy or relid), -ENOENT (no such switch), -EEXIST (the VM has an
 * adapter of that name, or the MAC is in use on the switch, or the relid
 * or GUID is in use), -ENOSPC (MAC pool, relids or the VM's
 * SND_VM_ADAPTERS_MAX exhausted), -ENOMEM, an error of getrandom(), or
 * adapter_add's error.
 */
int
snd_model_adapter_add(struct snd_model *m, const struct snd_adapter_req *rq,
		      struct snd_adapter **out, char *err, size_t errlen);

/* What to change on an adapter; borrowed for the call. */
struct snd_adapter_set_req {
	const struct vsw_policy_cfg *policy; /* new policy; NULL: keep */
	const uint8_t *mac;	/* new static MAC; NULL: keep */
	bool mac_dynamic;	/* without mac: take a pool MAC (an adapter
				 * whose MAC is dynamic already keeps it) */
};

/*
 * Change ad's policy and/or MAC.  A static MAC must be unicast, non-zero
 * and unused on ad's switch (ad's own MAC is fine; setting it marks it
 * static).  Calls adapter_set when the policy or the MAC changes.
 * Returns 0, or -EINVAL (bad policy or MAC), -EEXIST (MAC in use),
 * -ENOSPC (MAC pool used up), or adapter_set's error (ad unchanged).
 */
int
snd_model_adapter_set(struct snd_model *m, struct snd_adapter *ad,
		      const struct snd_adapter_set_req *rq, char *err,
		      size_t errlen);

/*
 * Move ad to the switch called sw (case-insensitive).  Already there: 0,
 * no hook.  Returns 0, -ENOENT (no such switch), -EEXIST (ad's MAC is in
 * use on that switch), or adapter_connect's error (ad stays).
 */
int
snd_model_adapter_connect(struct snd_model *m, struct snd_adapter *ad,
			  const char *sw, char *err, size_t errlen);

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

/* True for valid uplink device arguments: 1..255 printable ASCII
 * characters, no blanks.  Whether the device exists is the hooks'
 * business. */
bool
snd_devargs_valid(const char *s);

/* True for a valid network namespace name (as `ip netns` names them):
 * 1..63 printable ASCII characters other than blanks and '/', not "."
 * or "..". */
bool
snd_netns_name_valid(const char *s);

/* True for a valid host vNIC name: 1..15 characters from
 * [A-Za-z0-9._-]. */
bool
snd_host_ifname_valid(const char *s);

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

/* Parse canonical GUID text (any case) into wire order; the inverse of
 * snd_guid_format().  Returns 0 or -EINVAL (g untouched). */
int
snd_guid_parse(const char *s, uint8_t g[SND_GUID_LEN]);

/*
 * Parse "ADDRESS/LENGTH": a dotted IPv4 address with length 1..32, or an
 * IPv6 address with length 1..128.  Only the syntax is checked.
 * Returns 0 or -EINVAL (*out untouched).
 */
int
snd_cidr_parse(const char *s, struct snd_ip_prefix *out);

/* Format as "10.0.0.1/24" or "fd00::1/64" into buf[SND_CIDR_STRLEN]. */
void
snd_cidr_format(const struct snd_ip_prefix *p, char buf[SND_CIDR_STRLEN]);

/*
 * Parse a VLAN list "10,20,30-40" into allowed (bit v = VLAN v; other
 * bits cleared): ids 1..4094, ranges low-high with low <= high, no
 * blanks, no empty items.  Returns 0 or -EINVAL with a message such as
 * "bad VLAN id 4095: use 1..4094" (allowed untouched).
 */
int
snd_vlan_list_parse(const char *s, uint64_t allowed[VSW_VLAN_WORDS],
		    char *err, size_t errlen);

/*
 * Format the VLANs set in allowed (1..4094) as "10,20,30-40" into
 * buf[cap] (SND_VLAN_LIST_STRMAX always fits); "" when none.  Returns the
 * length, or -ENOSPC (buf holds a cut, terminated list).
 */
int
snd_vlan_list_format(const uint64_t allowed[VSW_VLAN_WORDS], char *buf,
		     size_t cap);

/* "untagged", "access", "trunk" ("unknown" otherwise).  Static. */
const char *
snd_vlan_mode_name(enum vsw_vlan_mode mode);

/* Parse a VLAN mode name (case-insensitive).  0 or -EINVAL. */
int
snd_vlan_mode_parse(const char *s, enum vsw_vlan_mode *out);

/* "none", "source", "destination" ("unknown" otherwise).  Static. */
const char *
snd_mirror_name(enum vsw_mirror_mode mode);

/* Parse a mirror mode name (case-insensitive).  0 or -EINVAL. */
int
snd_mirror_parse(const char *s, enum vsw_mirror_mode *out);

/*
 * Check a policy: mode in range; access: access_vlan 1..4094; trunk: at
 * least one allowed VLAN, only ids 1..4094, native_vlan 0 or one of the
 * allowed VLANs; other modes: access_vlan, native_vlan and allowed zero;
 * mirror in range.  Returns 0 or -EINVAL with a message.
 */
int
snd_policy_check(const struct vsw_policy_cfg *p, char *err, size_t errlen);

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

/*
 * Start a capture through the capture_start hook (rq borrowed).  Returns
 * 0 with its id in *id, or -errno with a message in err[errlen] (the
 * hook's, or a generic one; -ENOTSUP without the hook).
 */
int
snd_model_capture_start(struct snd_model *m, const struct snd_capture_req *rq,
			uint32_t *id, char *err, size_t errlen);

/* Stop capture id through the capture_stop hook; as above. */
int
snd_model_capture_stop(struct snd_model *m, uint32_t id, char *err,
		       size_t errlen);

/*
 * The captures (through capture_list and capture_info): a table, or a
 * JSON array of capture objects.  -ENOTSUP when the hooks are missing.
 */
int
snd_render_captures(const struct snd_model *m, bool json,
		    struct snctl_out *out, char *err, size_t errlen);

/*
 * One capture in detail: the list form and a table of its interfaces,
 * or a JSON object with an "interfaces" array.  -ENOENT (no such
 * capture) or -ENOTSUP with a message.
 */
int
snd_render_capture(const struct snd_model *m, uint32_t id, bool json,
		   struct snctl_out *out, char *err, size_t errlen);

/* "in", "out", "both" for SND_CAPTURE_IN/OUT bits.  Static. */
const char *
snd_capture_dir_name(unsigned int dir);

/*
 * Write the members of policy p into the JSON object j has open:
 * "vlan_mode", "access_vlan", "native_vlan", "trunk_vlans" (list text),
 * "mac_spoofing", "dhcp_guard", "router_guard", "mirror",
 * "max_bandwidth_bps", "storm_limit_pps".  The same members are used by
 * `synthctl --json adapter show` and by the state file.
 */
void
snd_policy_json(struct snctl_json *j, const struct vsw_policy_cfg *p);

#endif /* SND_MODEL_H */
