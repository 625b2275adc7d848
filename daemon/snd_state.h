/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_state.h - the configuration on disk: synthnetd saves the whole
 * model (switches with their type, options, notes and MAC table settings;
 * adapters with VM, NIC, switch, MAC and its dynamic flag, instance GUID,
 * relid and policy; the allocators' positions) as one JSON document,
 * STATE_DIR/config.json, after every change, and restores it at start.
 *
 * Saving is atomic: the document goes to STATE_DIR/config.json.tmp, which
 * is fsync()ed and renamed over config.json, then the directory is
 * fsync()ed.  A crash at any point leaves either the old or the new file
 * complete; a failed save leaves the old file as it was.
 *
 * Loading is all-or-nothing: the document is first applied to a scratch
 * model without hooks (every check of the model runs: names, duplicates,
 * MACs, relids, GUIDs, policies), and only when all of it is valid is it
 * applied to the real model through the normal API, so the hooks create
 * the data-plane objects.  If a hook fails there (an uplink that no
 * longer exists...), everything created so far is removed again.  The
 * file itself is never modified by loading.
 *
 * File format (version 1; members in any order; unknown or repeated
 * members are errors; every member but "version", a switch's "name" and
 * "type" and an adapter's "vm" and "switch" is optional and defaults as
 * for a new object):
 *
 *   {
 *     "version": 1,
 *     "mac_pool_next": "00:15:5d:00:00:03",
 *     "next_relid": 3,
 *     "next_switch_id": 3,
 *     "switches": [
 *       { "name": "lab", "id": 1, "type": "internal", "notes": "bench",
 *         "created": "2024-05-01T12:00:00Z", "host_ifname": "vsw-lab",
 *         "uplink": "", "allow_management_os": false,
 *         "host_ips": [ "192.168.50.1/24" ], "host_netns": "",
 *         "mac_aging_s": 300, "mac_limit": 65536 }
 *     ],
 *     "adapters": [
 *       { "vm": "vm1", "name": "eth0", "switch": "lab",
 *         "mac": "00:15:5d:00:00:01", "mac_dynamic": true,
 *         "instance_id": "5c3e0e6a-...", "relid": 1,
 *         "policy": { "vlan_mode": "trunk", "access_vlan": 0,
 *                     "native_vlan": 10, "trunk_vlans": "10,20,30-40",
 *                     "mac_spoofing": false, "dhcp_guard": true,
 *                     "router_guard": true, "mirror": "none",
 *                     "max_bandwidth_bps": 100000000,
 *                     "storm_limit_pps": 0 } }
 *     ]
 *   }
 *
 * Runs on the control thread, like the model.  No global state.
 */
#ifndef SND_STATE_H
#define SND_STATE_H

#include <stddef.h>

#include "snctl_out.h"
#include "snd_model.h"

/* Default state directory (synthnetd --state-dir). */
#define SND_STATE_DIR_DEFAULT "/var/lib/synthnet"
/* The configuration file in it, and the temporary file of a save. */
#define SND_STATE_FILE "config.json"
#define SND_STATE_TMP_FILE "config.json.tmp"
/* The format version written, and the only one read. */
#define SND_STATE_VERSION 1u
/* Largest state file loaded (bytes). */
#define SND_STATE_MAX_BYTES (16u << 20)

/*
 * Append m's configuration as the state document (JSON, version
 * SND_STATE_VERSION) to out.  Returns 0, or -ENOSPC/-ENOMEM (out
 * overflowed; what was appended is cut off again).
 */
int
snd_state_render(const struct snd_model *m, struct snctl_out *out);

/*
 * Write m's configuration atomically to dir/config.json (dir borrowed;
 * created, one level, mode 0755, when missing).  Returns 0, or -errno
 * with one line in err[errlen] naming the file and the error; then the
 * previous config.json is untouched and the temporary file removed.
 */
int
snd_state_save(const struct snd_model *m, const char *dir, char *err,
	       size_t errlen);

/*
 * Apply the state document text[0..len) (borrowed; need not be
 * NUL-terminated) to m, which must be empty.  name (borrowed) is how
 * messages call the document, e.g. its path.  Restores relids, MACs and
 * their dynamic flags, GUIDs, switch ids, creation times and host vNIC
 * names, and the allocators' positions; on success the model counts as
 * saved (snd_model_set_saved()).  Returns 0; -EBUSY (m is not empty);
 * -EBADMSG (not a valid version-1 configuration: m untouched); or a
 * hook's -errno (m emptied again).  On failure err[errlen] holds
 * "NAME: WHERE: what is wrong", e.g. "/var/lib/synthnet/config.json:
 * adapters[1]: bad VLAN id 4095: use 1..4094".
 */
int
snd_state_parse(struct snd_model *m, const char *text, size_t len,
		const char *name, char *err, size_t errlen);

/*
 * Load dir/config.json (dir borrowed) into the empty model m with
 * snd_state_parse().  A missing file is an empty configuration: returns
 * 0 and m stays empty.  Returns 0, or -errno with one line in err[errlen]
 * naming the file and what is wrong: it cannot be read (-EACCES, -EISDIR,
 * ...), is not a regular file (-EINVAL), is larger than
 * SND_STATE_MAX_BYTES (-EFBIG), or snd_state_parse()'s errors.  The file
 * is never modified; the daemon should refuse to start on any error.
 */
int
snd_state_load(struct snd_model *m, const char *dir, char *err,
	       size_t errlen);

#endif /* SND_STATE_H */
