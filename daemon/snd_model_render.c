/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_model_render.c - what synthctl prints: switches, adapters, counters,
 * forwarding tables and daemon status as aligned text tables in the style
 * of Get-VMSwitch / Get-VMNetworkAdapter, or as JSON (snd_model.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "snctl_json.h"
#include "snctl_out.h"
#include "snd_model.h"
#include "snd_model_priv.h"

/* As Get-VMSwitch shows them. */
static const char *const snd_type_display[] = {
	[SND_SWITCH_PRIVATE] = "Private",
	[SND_SWITCH_INTERNAL] = "Internal",
	[SND_SWITCH_EXTERNAL] = "External",
};

static const char *
snd_switch_type_show(enum snd_switch_type type)
{
	if ((unsigned int)type >= sizeof(snd_type_display) /
				      sizeof(snd_type_display[0])) {
		return "Unknown";
	}
	return snd_type_display[type];
}

/* ISO 8601 UTC, "2024-05-01T12:00:00Z". */
static void
snd_time_format(time_t t, char *buf, size_t cap)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(buf, cap, "%lld", (long long)t);
	}
}

/* ---- rendering: common -------------------------------------------------- */

static const char *
snd_state(const struct snd_model *m, const struct snd_adapter *ad)
{
	const char *s = NULL;

	if (m->hooks.adapter_state != NULL) {
		s = m->hooks.adapter_state(m->ctx, ad);
	}
	return s != NULL ? s : "unknown";
}

static void
snd_json_switch(struct snctl_json *j, const struct snd_switch *sw)
{
	char ip[SND_CIDR_STRLEN];
	char ts[32];
	uint32_t i;

	snd_time_format(sw->created, ts, sizeof(ts));
	snctl_json_kv_str(j, "name", sw->name);
	snctl_json_kv_u64(j, "id", sw->id);
	snctl_json_kv_str(j, "type", snd_switch_type_name(sw->cfg.type));
	snctl_json_kv_str(j, "notes", sw->cfg.notes);
	snctl_json_kv_str(j, "created", ts);
	snctl_json_kv_u64(j, "adapters", sw->n_adapters);
	snctl_json_kv_str(j, "uplink", sw->cfg.uplink);
	snctl_json_kv_bool(j, "allow_management_os",
			   sw->cfg.allow_management_os);
	snctl_json_kv_bool(j, "host_vnic", snd_switch_has_host_vnic(&sw->cfg));
	snctl_json_kv_str(j, "host_ifname", sw->host_ifname);
	snctl_json_key(j, "host_ips");
	snctl_json_arr_open(j);
	for (i = 0; i < sw->cfg.n_host_ips; i++) {
		snd_cidr_format(&sw->cfg.host_ips[i], ip);
		snctl_json_str(j, ip);
	}
	snctl_json_arr_close(j);
	snctl_json_kv_str(j, "host_netns", sw->cfg.host_netns);
	snctl_json_kv_u64(j, "mac_aging_s", sw->cfg.mac_aging_s);
	snctl_json_kv_u64(j, "mac_limit", sw->cfg.mac_limit);
}

/* The host addresses of c as "a/n, b/m" into buf[cap]. */
static void
snd_host_ips_text(const struct snd_switch_cfg *c, char *buf, size_t cap)
{
	char ip[SND_CIDR_STRLEN];
	size_t len = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < c->n_host_ips; i++) {
		int k;

		snd_cidr_format(&c->host_ips[i], ip);
		k = snprintf(buf + len, cap - len, "%s%s", i != 0 ? ", " : "",
			     ip);
		if (k < 0 || (size_t)k >= cap - len) {
			return;
		}
		len += (size_t)k;
	}
}

/* Longest VLAN cell in the adapter table. */
#define SND_VLAN_CELL_MAX 40

/* ad's VLAN setting in a few words: "untagged", "access 10",
 * "trunk 10,20,30-40 native 1" (cut with "..." past cap - 1 bytes). */
static void
snd_vlan_text(const struct vsw_policy_cfg *p, char *buf, size_t cap)
{
	char *list;
	int k;

	if (p->vlan_mode == VSW_VLAN_ACCESS) {
		snprintf(buf, cap, "access %u", (unsigned int)p->access_vlan);
		return;
	}
	if (p->vlan_mode != VSW_VLAN_TRUNK) {
		snprintf(buf, cap, "%s", snd_vlan_mode_name(p->vlan_mode));
		return;
	}
	list = malloc(SND_VLAN_LIST_STRMAX);
	if (list == NULL) {
		snprintf(buf, cap, "trunk");
		return;
	}
	snd_vlan_list_format(p->allowed, list, SND_VLAN_LIST_STRMAX);
	k = snprintf(buf, cap, "trunk %s native %u", list,
		     (unsigned int)p->native_vlan);
	if (k < 0 || (size_t)k >= cap) {
		snprintf(buf + cap - 4, 4, "...");
	}
	free(list);
}

static void
snd_json_adapter(const struct snd_model *m, struct snctl_json *j,
		 const struct snd_adapter *ad)
{
	char mac[SND_MAC_STRLEN];
	char guid[SND_GUID_STRLEN];

	snd_mac_format(ad->mac, mac);
	snd_guid_format(ad->instance, guid);
	snctl_json_obj_open(j);
	snctl_json_kv_str(j, "vm", ad->vm);
	snctl_json_kv_str(j, "name", ad->nic);
	snctl_json_kv_str(j, "switch", ad->sw->name);
	snctl_json_kv_str(j, "mac", mac);
	snctl_json_kv_bool(j, "mac_dynamic", ad->mac_dynamic);
	snctl_json_kv_str(j, "instance_id", guid);
	snctl_json_kv_u64(j, "relid", ad->relid);
	snctl_json_kv_str(j, "state", snd_state(m, ad));
	snctl_json_key(j, "policy");
	snctl_json_obj_open(j);
	snd_policy_json(j, &ad->policy);
	snctl_json_obj_close(j);
	snctl_json_obj_close(j);
}

/* End a JSON document; on failure cut out back to start. */
static int
snd_json_finish(struct snctl_json *j, struct snctl_out *out, size_t start)
{
	int rc = snctl_json_end(j);

	if (rc < 0) {
		snctl_out_truncate(out, start);
	}
	return rc;
}

/* ---- rendering: switches ---------------------------------------------- */

int
snd_render_switches(const struct snd_model *m, bool json,
		    struct snctl_out *out)
{
	static const char *const head[] = {
		"Name", "SwitchType", "Adapters", "Uplink", "HostInterface",
		"Notes",
	};
	const struct snd_switch *sw;
	struct snctl_table t;
	size_t start;
	int rc;

	if (m == NULL || out == NULL) {
		return -EINVAL;
	}
	start = out->len;
	if (json) {
		struct snctl_json j;

		snctl_json_init(&j, out, true);
		snctl_json_arr_open(&j);
		TAILQ_FOREACH(sw, &m->switches, next) {
			snctl_json_obj_open(&j);
			snd_json_switch(&j, sw);
			snctl_json_obj_close(&j);
		}
		snctl_json_arr_close(&j);
		return snd_json_finish(&j, out, start);
	}
	if (m->n_switches == 0) {
		return snctl_out_puts(out,
				      "no switches (create one with: synthctl "
				      "switch create NAME --type private)\n");
	}
	snctl_table_init(&t, 6, head, 1u << 2);
	TAILQ_FOREACH(sw, &m->switches, next) {
		char n[16];
		const char *row[6];

		snprintf(n, sizeof(n), "%" PRIu32, sw->n_adapters);
		row[0] = sw->name;
		row[1] = snd_switch_type_show(sw->cfg.type);
		row[2] = n;
		row[3] = sw->cfg.uplink;
		row[4] = snd_switch_has_host_vnic(&sw->cfg) ? sw->host_ifname
							    : "";
		row[5] = sw->cfg.notes;
		snctl_table_add(&t, row);
	}
	rc = snctl_table_render(&t, out);
	snctl_table_fini(&t);
	if (rc < 0) {
		snctl_out_truncate(out, start);
	}
	return rc;
}

/* Adapter rows of a table (shared by list and show). */
static int
snd_adapter_table(const struct snd_model *m, const struct snd_switch *sw,
		  const char *vm, struct snctl_out *out)
{
	static const char *const head[] = {
		"VMName", "Name", "SwitchName", "MacAddress", "Vlan", "Relid",
		"Status",
	};
	const struct snd_adapter *ad;
	struct snctl_table t;
	int rc;

	snctl_table_init(&t, 7, head, 1u << 5);
	TAILQ_FOREACH(ad, &m->adapters, next) {
		char mac[SND_MAC_STRLEN];
		char vlan[SND_VLAN_CELL_MAX + 1];
		char relid[16];
		const char *row[7];

		if ((sw != NULL && ad->sw != sw) ||
		    (vm != NULL && strcasecmp(ad->vm, vm) != 0)) {
			continue;
		}
		snd_mac_format(ad->mac, mac);
		snd_vlan_text(&ad->policy, vlan, sizeof(vlan));
		snprintf(relid, sizeof(relid), "%" PRIu32, ad->relid);
		row[0] = ad->vm;
		row[1] = ad->nic;
		row[2] = ad->sw->name;
		row[3] = mac;
		row[4] = vlan;
		row[5] = relid;
		row[6] = snd_state(m, ad);
		snctl_table_add(&t, row);
	}
	rc = t.nrows == 0 ? 1 : snctl_table_render(&t, out);
	snctl_table_fini(&t);
	return rc;
}

/* Most "Key : value" lines of one switch or adapter. */
#define SND_LIST_MAX 24

/* A "Key : value" list being built; values point into owned buffers. */
struct snd_kvlist {
	const char *key[SND_LIST_MAX];	/* borrowed, static */
	const char *val[SND_LIST_MAX];	/* borrowed */
	size_t n;			/* lines */
};

static void
snd_kvlist_add(struct snd_kvlist *l, const char *key, const char *val)
{
	if (l->n < SND_LIST_MAX) {
		l->key[l->n] = key;
		l->val[l->n] = val;
		l->n++;
	}
}

int
snd_render_switch(const struct snd_model *m, const struct snd_switch *sw,
		  bool json, struct snctl_out *out)
{
	char ips[SND_HOST_IPS_MAX * (SND_CIDR_STRLEN + 2)];
	struct snd_kvlist l;
	char id[16];
	char ts[32];
	char na[16];
	char aging[16];
	char limit[16];
	size_t start;
	int rc;

	if (m == NULL || sw == NULL || out == NULL) {
		return -EINVAL;
	}
	start = out->len;
	if (json) {
		const struct snd_adapter *ad;
		struct snctl_json j;

		snctl_json_init(&j, out, true);
		snctl_json_obj_open(&j);
		snd_json_switch(&j, sw);
		snctl_json_key(&j, "adapter_list");
		snctl_json_arr_open(&j);
		TAILQ_FOREACH(ad, &m->adapters, next) {
			if (ad->sw == sw) {
				snd_json_adapter(m, &j, ad);
			}
		}
		snctl_json_arr_close(&j);
		snctl_json_obj_close(&j);
		return snd_json_finish(&j, out, start);
	}
	memset(&l, 0, sizeof(l));
	snprintf(id, sizeof(id), "%" PRIu32, sw->id);
	snd_time_format(sw->created, ts, sizeof(ts));
	snprintf(na, sizeof(na), "%" PRIu32, sw->n_adapters);
	snprintf(aging, sizeof(aging), "%" PRIu32, sw->cfg.mac_aging_s);
	snprintf(limit, sizeof(limit), "%" PRIu32, sw->cfg.mac_limit);
	snd_host_ips_text(&sw->cfg, ips, sizeof(ips));
	snd_kvlist_add(&l, "Name", sw->name);
	snd_kvlist_add(&l, "Id", id);
	snd_kvlist_add(&l, "SwitchType", snd_switch_type_show(sw->cfg.type));
	snd_kvlist_add(&l, "Notes", sw->cfg.notes);
	snd_kvlist_add(&l, "Created", ts);
	snd_kvlist_add(&l, "Adapters", na);
	if (sw->cfg.type == SND_SWITCH_EXTERNAL) {
		snd_kvlist_add(&l, "Uplink", sw->cfg.uplink);
		snd_kvlist_add(&l, "AllowManagementOS",
			       sw->cfg.allow_management_os ? "True" : "False");
	}
	if (snd_switch_has_host_vnic(&sw->cfg)) {
		snd_kvlist_add(&l, "HostInterface", sw->host_ifname);
		if (sw->cfg.n_host_ips != 0) {
			snd_kvlist_add(&l, "HostAddresses", ips);
		}
		if (sw->cfg.host_netns[0] != '\0') {
			snd_kvlist_add(&l, "HostNetns", sw->cfg.host_netns);
		}
	}
	snd_kvlist_add(&l, "MacAgingSeconds", aging);
	snd_kvlist_add(&l, "MacTableLimit", limit);
	rc = snctl_out_list(out, l.key, l.val, l.n);
	if (rc == 0 && sw->n_adapters != 0) {
		snctl_out_putc(out, '\n');
		rc = snd_adapter_table(m, sw, NULL, out);
		rc = rc > 0 ? 0 : rc;
	}
	if (rc < 0) {
		snctl_out_truncate(out, start);
	}
	return rc;
}

/* ---- rendering: adapters ---------------------------------------------- */

int
snd_render_adapters(const struct snd_model *m, const struct snd_switch *sw,
		    const char *vm, bool json, struct snctl_out *out)
{
	size_t start;
	int rc;

	if (m == NULL || out == NULL) {
		return -EINVAL;
	}
	start = out->len;
	if (json) {
		const struct snd_adapter *ad;
		struct snctl_json j;

		snctl_json_init(&j, out, true);
		snctl_json_arr_open(&j);
		TAILQ_FOREACH(ad, &m->adapters, next) {
			if ((sw != NULL && ad->sw != sw) ||
			    (vm != NULL && strcasecmp(ad->vm, vm) != 0)) {
				continue;
			}
			snd_json_adapter(m, &j, ad);
		}
		snctl_json_arr_close(&j);
		return snd_json_finish(&j, out, start);
	}
	rc = snd_adapter_table(m, sw, vm, out);
	if (rc == 1) {
		return snctl_out_puts(out,
				      "no network adapters (add one with: "
				      "synthctl adapter add VM --switch NAME)"
				      "\n");
	}
	if (rc < 0) {
		snctl_out_truncate(out, start);
	}
	return rc;
}

/* "On" / "Off", as Get-VMNetworkAdapter shows switches. */
static const char *
snd_on_off(bool v)
{
	return v ? "On" : "Off";
}

/* The policy lines of an adapter's list form; strings go to the caller's
 * buffers (list: SND_VLAN_LIST_STRMAX bytes). */
static void
snd_policy_list(struct snd_kvlist *l, const struct vsw_policy_cfg *p,
		char *list, char access[16], char native[16], char bw[32],
		char storm[32])
{
	static const char *const mode_show[] = {
		[VSW_VLAN_UNTAGGED] = "Untagged",
		[VSW_VLAN_ACCESS] = "Access",
		[VSW_VLAN_TRUNK] = "Trunk",
	};
	static const char *const mirror_show[] = {
		[VSW_MIRROR_NONE] = "None",
		[VSW_MIRROR_SOURCE] = "Source",
		[VSW_MIRROR_DESTINATION] = "Destination",
	};

	snd_kvlist_add(l, "VlanMode",
		       (unsigned int)p->vlan_mode < 3 ?
		       mode_show[p->vlan_mode] : "Unknown");
	if (p->vlan_mode == VSW_VLAN_ACCESS) {
		snprintf(access, 16, "%u", (unsigned int)p->access_vlan);
		snd_kvlist_add(l, "AccessVlanId", access);
	}
	if (p->vlan_mode == VSW_VLAN_TRUNK) {
		snd_vlan_list_format(p->allowed, list, SND_VLAN_LIST_STRMAX);
		snprintf(native, 16, "%u", (unsigned int)p->native_vlan);
		snd_kvlist_add(l, "AllowedVlanIdList", list);
		snd_kvlist_add(l, "NativeVlanId", native);
	}
	snd_kvlist_add(l, "MacAddressSpoofing", snd_on_off(p->mac_spoofing));
	snd_kvlist_add(l, "DhcpGuard", snd_on_off(p->dhcp_guard));
	snd_kvlist_add(l, "RouterGuard", snd_on_off(p->router_guard));
	snd_kvlist_add(l, "PortMirroringMode",
		       (unsigned int)p->mirror < 3 ? mirror_show[p->mirror]
						   : "Unknown");
	if (p->max_bandwidth_bps == 0) {
		snprintf(bw, 32, "unlimited");
	} else {
		snprintf(bw, 32, "%" PRIu64 " bit/s", p->max_bandwidth_bps);
	}
	if (p->storm_limit_pps == 0) {
		snprintf(storm, 32, "unlimited");
	} else {
		snprintf(storm, 32, "%" PRIu32 " frames/s",
			 p->storm_limit_pps);
	}
	snd_kvlist_add(l, "MaximumBandwidth", bw);
	snd_kvlist_add(l, "StormLimit", storm);
}

int
snd_render_adapter(const struct snd_model *m, const struct snd_adapter *ad,
		   bool json, struct snctl_out *out)
{
	char mac[SND_MAC_STRLEN];
	char guid[SND_GUID_STRLEN];
	char relid[16];
	char access[16];
	char native[16];
	char bw[32];
	char storm[32];
	struct snd_kvlist l;
	char *list;
	size_t start;
	int rc;

	if (m == NULL || ad == NULL || out == NULL) {
		return -EINVAL;
	}
	start = out->len;
	if (json) {
		struct snctl_json j;

		snctl_json_init(&j, out, true);
		snd_json_adapter(m, &j, ad);
		return snd_json_finish(&j, out, start);
	}
	list = malloc(SND_VLAN_LIST_STRMAX);
	if (list == NULL) {
		return -ENOMEM;
	}
	memset(&l, 0, sizeof(l));
	snd_mac_format(ad->mac, mac);
	snd_guid_format(ad->instance, guid);
	snprintf(relid, sizeof(relid), "%" PRIu32, ad->relid);
	snd_kvlist_add(&l, "VMName", ad->vm);
	snd_kvlist_add(&l, "Name", ad->nic);
	snd_kvlist_add(&l, "SwitchName", ad->sw->name);
	snd_kvlist_add(&l, "MacAddress", mac);
	snd_kvlist_add(&l, "DynamicMacAddress",
		       ad->mac_dynamic ? "True" : "False");
	snd_kvlist_add(&l, "InstanceId", guid);
	snd_kvlist_add(&l, "Relid", relid);
	snd_kvlist_add(&l, "Status", snd_state(m, ad));
	snd_policy_list(&l, &ad->policy, list, access, native, bw, storm);
	rc = snctl_out_list(out, l.key, l.val, l.n);
	free(list);
	if (rc < 0) {
		snctl_out_truncate(out, start);
	}
	return rc;
}

/* ---- rendering: statistics --------------------------------------------- */

/* A two-column table of the non-zero counters, after a blank line. */
static void
snd_stats_text_counters(struct snctl_out *out, const char *head,
			const char *unit, const struct snd_drop_count *c,
			uint32_t n)
{
	const char *cols[2] = { head, unit };
	struct snctl_table t;
	const char *row[2];
	char num[24];
	uint32_t i, shown = 0;

	for (i = 0; i < n; i++) {
		shown += c[i].count != 0;
	}
	if (shown == 0) {
		return;
	}
	snctl_out_putc(out, '\n');
	snctl_table_init(&t, 2, cols, 1u << 1);
	for (i = 0; i < n; i++) {
		if (c[i].count == 0) {
			continue;
		}
		snprintf(num, sizeof(num), "%" PRIu64, c[i].count);
		row[0] = c[i].name != NULL ? c[i].name : "?";
		row[1] = num;
		snctl_table_add(&t, row);
	}
	snctl_table_render(&t, out);
	snctl_table_fini(&t);
}

static void
snd_stats_text(const struct snd_model *m, const struct snd_adapter *ad,
	       const struct snd_port_stats *st, struct snctl_out *out)
{
	static const char *const keys[] = {
		"VMName", "Name", "SwitchName", "Status", "Drops",
	};
	static const char *const dir_head[] = { "Direction", "Packets",
						"Bytes" };
	const char *vals[5];
	struct snctl_table t;
	char num[4][24];
	char total[24];
	uint64_t drops = 0;
	const char *row[3];
	uint32_t i;

	for (i = 0; i < st->n_drops; i++) {
		drops += st->drops[i].count;
	}
	snprintf(total, sizeof(total), "%" PRIu64, drops);
	vals[0] = ad->vm;
	vals[1] = ad->nic;
	vals[2] = ad->sw->name;
	vals[3] = snd_state(m, ad);
	vals[4] = total;
	snctl_out_list(out, keys, vals, 5);
	snctl_out_putc(out, '\n');

	snprintf(num[0], sizeof(num[0]), "%" PRIu64, st->rx_packets);
	snprintf(num[1], sizeof(num[1]), "%" PRIu64, st->rx_bytes);
	snprintf(num[2], sizeof(num[2]), "%" PRIu64, st->tx_packets);
	snprintf(num[3], sizeof(num[3]), "%" PRIu64, st->tx_bytes);
	snctl_table_init(&t, 3, dir_head, 1u << 1 | 1u << 2);
	row[0] = "From VM";
	row[1] = num[0];
	row[2] = num[1];
	snctl_table_add(&t, row);
	row[0] = "To VM";
	row[1] = num[2];
	row[2] = num[3];
	snctl_table_add(&t, row);
	snctl_table_render(&t, out);
	snctl_table_fini(&t);
	snd_stats_text_counters(out, "DropReason", "Packets", st->drops,
				st->n_drops);
	snd_stats_text_counters(out, "ProtocolError", "Count", st->proto,
				st->n_proto);
}

static void
snd_stats_json_counters(struct snctl_json *j, const char *key,
			const struct snd_drop_count *c, uint32_t n)
{
	uint32_t i;

	snctl_json_key(j, key);
	snctl_json_obj_open(j);
	for (i = 0; i < n; i++) {
		snctl_json_kv_u64(j, c[i].name != NULL ? c[i].name : "?",
				  c[i].count);
	}
	snctl_json_obj_close(j);
}

static void
snd_stats_json(const struct snd_model *m, const struct snd_adapter *ad,
	       const struct snd_port_stats *st, struct snctl_json *j)
{
	snctl_json_obj_open(j);
	snctl_json_kv_str(j, "vm", ad->vm);
	snctl_json_kv_str(j, "name", ad->nic);
	snctl_json_kv_str(j, "switch", ad->sw->name);
	snctl_json_kv_str(j, "state", snd_state(m, ad));
	snctl_json_key(j, "from_vm");
	snctl_json_obj_open(j);
	snctl_json_kv_u64(j, "packets", st->rx_packets);
	snctl_json_kv_u64(j, "bytes", st->rx_bytes);
	snctl_json_obj_close(j);
	snctl_json_key(j, "to_vm");
	snctl_json_obj_open(j);
	snctl_json_kv_u64(j, "packets", st->tx_packets);
	snctl_json_kv_u64(j, "bytes", st->tx_bytes);
	snctl_json_obj_close(j);
	snd_stats_json_counters(j, "drops", st->drops, st->n_drops);
	snd_stats_json_counters(j, "protocol_errors", st->proto, st->n_proto);
	snctl_json_obj_close(j);
}

int
snd_render_stats(const struct snd_model *m, struct snd_adapter *const *ads,
		 size_t n, bool json, struct snctl_out *out, char *err,
		 size_t errlen)
{
	struct snd_port_stats st;
	struct snctl_json j;
	size_t start;
	size_t i;
	int rc;

	if (m == NULL || out == NULL || (ads == NULL && n != 0)) {
		return -EINVAL;
	}
	if (m->hooks.adapter_stats == NULL) {
		snd_errf(err, errlen,
			 "adapter statistics are not available (the data "
			 "plane is not running)");
		return -ENOTSUP;
	}
	start = out->len;
	if (json) {
		snctl_json_init(&j, out, true);
		snctl_json_arr_open(&j);
	}
	for (i = 0; i < n; i++) {
		memset(&st, 0, sizeof(st));
		rc = m->hooks.adapter_stats(m->ctx, ads[i], &st);
		if (rc < 0) {
			snd_errf(err, errlen,
				 "no statistics for %s/%s: %s", ads[i]->vm,
				 ads[i]->nic, strerror(-rc));
			snctl_out_truncate(out, start);
			return rc;
		}
		if (st.n_drops > SND_DROP_NAMES_MAX) {
			st.n_drops = SND_DROP_NAMES_MAX;
		}
		if (json) {
			snd_stats_json(m, ads[i], &st, &j);
		} else {
			if (i != 0) {
				snctl_out_putc(out, '\n');
			}
			snd_stats_text(m, ads[i], &st, out);
		}
	}
	if (json) {
		snctl_json_arr_close(&j);
		return snd_json_finish(&j, out, start);
	}
	if (out->overflow) {
		snctl_out_truncate(out, start);
		return -ENOSPC;
	}
	return 0;
}

/* ---- rendering: forwarding table -------------------------------------- */

/* fdb_dump() state. */
struct snd_fdb_walk {
	bool json;		/* which of the two sinks */
	struct snctl_json *j;	/* JSON sink */
	struct snctl_table *t;	/* text sink */
	uint64_t n;		/* entries seen */
};

static int
snd_fdb_entry(void *arg, const uint8_t mac[SND_MAC_LEN], uint16_t vlan,
	      const char *port, uint32_t age_s)
{
	struct snd_fdb_walk *w = arg;
	char ms[SND_MAC_STRLEN];

	if (mac == NULL) {
		return 0;
	}
	snd_mac_format(mac, ms);
	w->n++;
	if (w->json) {
		snctl_json_obj_open(w->j);
		snctl_json_kv_str(w->j, "mac", ms);
		snctl_json_kv_u64(w->j, "vlan", vlan);
		snctl_json_kv_str(w->j, "port", port != NULL ? port : "");
		snctl_json_kv_bool(w->j, "static", age_s == SND_FDB_AGE_STATIC);
		snctl_json_key(w->j, "age_s");
		if (age_s == SND_FDB_AGE_STATIC) {
			snctl_json_null(w->j);
		} else {
			snctl_json_u64(w->j, age_s);
		}
		snctl_json_obj_close(w->j);
		return w->j->err != 0 ? w->j->err : 0;
	} else {
		char v[8];
		char a[16];
		const char *row[4];

		snprintf(v, sizeof(v), "%u", (unsigned int)vlan);
		if (age_s == SND_FDB_AGE_STATIC) {
			snprintf(a, sizeof(a), "static");
		} else {
			snprintf(a, sizeof(a), "%" PRIu32, age_s);
		}
		row[0] = ms;
		row[1] = v;
		row[2] = port != NULL ? port : "";
		row[3] = a;
		return snctl_table_add(w->t, row);
	}
}

int
snd_render_fdb(const struct snd_model *m, const struct snd_switch *sw,
	       bool json, struct snctl_out *out, char *err, size_t errlen)
{
	static const char *const head[] = { "MacAddress", "Vlan", "Port",
					    "Age" };
	struct snd_fdb_walk w;
	struct snctl_json j;
	struct snctl_table t;
	size_t start;
	int rc;

	if (m == NULL || sw == NULL || out == NULL) {
		return -EINVAL;
	}
	if (m->hooks.fdb_dump == NULL) {
		snd_errf(err, errlen,
			 "the forwarding table is not available (the data "
			 "plane is not running)");
		return -ENOTSUP;
	}
	start = out->len;
	memset(&w, 0, sizeof(w));
	w.json = json;
	w.j = &j;
	w.t = &t;
	if (json) {
		snctl_json_init(&j, out, true);
		snctl_json_arr_open(&j);
	} else {
		snctl_table_init(&t, 4, head, 1u << 1 | 1u << 3);
	}
	rc = m->hooks.fdb_dump(m->ctx, sw, snd_fdb_entry, &w);
	if (rc < 0) {
		snd_errf(err, errlen,
			 "could not read the forwarding table of switch "
			 "'%s': %s", sw->name, strerror(-rc));
		if (!json) {
			snctl_table_fini(&t);
		}
		snctl_out_truncate(out, start);
		return rc;
	}
	if (json) {
		snctl_json_arr_close(&j);
		return snd_json_finish(&j, out, start);
	}
	if (w.n == 0) {
		rc = snctl_out_printf(out,
				      "the forwarding table of switch '%s' is "
				      "empty (no frames seen yet)\n",
				      sw->name);
	} else {
		rc = snctl_table_render(&t, out);
	}
	snctl_table_fini(&t);
	if (rc < 0) {
		snctl_out_truncate(out, start);
	}
	return rc;
}

/* ---- rendering: status ------------------------------------------------ */

/* Most key/value pairs a status report keeps. */
#define SND_STATUS_MAX 48

/* Collected status pairs. */
struct snd_status {
	struct snd_kv kv;			/* what the hook calls */
	char *key[SND_STATUS_MAX];		/* owned copies */
	char *val[SND_STATUS_MAX];		/* owned copies (text form) */
	bool is_num[SND_STATUS_MAX];	/* a number, not a string */
	uint64_t num[SND_STATUS_MAX];		/* the number */
	size_t n;				/* pairs kept */
	int err;				/* -ENOMEM */
};

static void
snd_status_put(struct snd_status *s, const char *key, const char *val,
	       bool is_num, uint64_t num)
{
	if (key == NULL || s->n >= SND_STATUS_MAX || s->err != 0) {
		return;
	}
	s->key[s->n] = strdup(key);
	s->val[s->n] = strdup(val != NULL ? val : "");
	if (s->key[s->n] == NULL || s->val[s->n] == NULL) {
		free(s->key[s->n]);
		free(s->val[s->n]);
		s->err = -ENOMEM;
		return;
	}
	s->is_num[s->n] = is_num;
	s->num[s->n] = num;
	s->n++;
}

static void
snd_status_u64(struct snd_kv *kv, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	snd_status_put(kv->priv, key, buf, true, v);
}

static void
snd_status_str(struct snd_kv *kv, const char *key, const char *v)
{
	snd_status_put(kv->priv, key, v, false, 0);
}

int
snd_render_status(const struct snd_model *m, bool json,
		  struct snctl_out *out, char *err, size_t errlen)
{
	struct snd_status *s;
	size_t start;
	size_t i;
	int rc = 0;

	if (m == NULL || out == NULL) {
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snd_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->kv.u64 = snd_status_u64;
	s->kv.str = snd_status_str;
	s->kv.priv = s;
	snd_status_u64(&s->kv, "switches", m->n_switches);
	snd_status_u64(&s->kv, "adapters", m->n_adapters);
	if (m->hooks.save != NULL) {
		snd_status_u64(&s->kv, "unsaved_changes",
			       snd_model_unsaved(m) ? 1 : 0);
	}
	if (m->hooks.status != NULL) {
		rc = m->hooks.status(m->ctx, &s->kv);
		if (rc < 0) {
			snd_errf(err, errlen, "could not read the daemon "
				 "status: %s", strerror(-rc));
		}
	}
	if (rc == 0 && s->err != 0) {
		rc = s->err;
		snd_errf(err, errlen, "out of memory");
	}
	start = out->len;
	if (rc == 0 && json) {
		struct snctl_json j;

		snctl_json_init(&j, out, true);
		snctl_json_obj_open(&j);
		for (i = 0; i < s->n; i++) {
			snctl_json_key(&j, s->key[i]);
			if (s->is_num[i]) {
				snctl_json_u64(&j, s->num[i]);
			} else {
				snctl_json_str(&j, s->val[i]);
			}
		}
		snctl_json_obj_close(&j);
		rc = snd_json_finish(&j, out, start);
	} else if (rc == 0) {
		rc = snctl_out_list(out, (const char *const *)s->key,
				    (const char *const *)s->val, s->n);
		if (rc < 0) {
			snctl_out_truncate(out, start);
		}
	}
	for (i = 0; i < s->n; i++) {
		free(s->key[i]);
		free(s->val[i]);
	}
	free(s);
	return rc;
}

/* ---- rendering: captures ---------------------------------------------- */

/* Interfaces of one capture shown, at most (a switch has up to 256). */
#define SND_CAPTURE_IFACES_MAX 256u

const char *
snd_capture_dir_name(unsigned int dir)
{
	switch (dir & SND_CAPTURE_BOTH) {
	case SND_CAPTURE_IN:
		return "in";
	case SND_CAPTURE_OUT:
		return "out";
	default:
		return "both";
	}
}

/* ns since the epoch as ISO 8601 UTC; "" for 0. */
static void
snd_ns_format(uint64_t ns, char *buf, size_t cap)
{
	if (ns == 0) {
		buf[0] = '\0';
		return;
	}
	snd_time_format((time_t)(ns / 1000000000ull), buf, cap);
}

/* A capture and its interfaces, read through the hook. */
struct snd_capture_view {
	struct snd_capture_info info;	/* the capture */
	/* its ports */
	struct snd_capture_iface ifc[SND_CAPTURE_IFACES_MAX];
	uint32_t n_ifc;			/* entries in ifc */
};

static int
snd_capture_read(const struct snd_model *m, uint32_t id,
		 struct snd_capture_view *v)
{
	int rc;

	memset(v, 0, sizeof(*v));
	rc = m->hooks.capture_info(m->ctx, id, &v->info, v->ifc,
				   SND_CAPTURE_IFACES_MAX);
	if (rc == 0) {
		v->n_ifc = v->info.n_ifaces < SND_CAPTURE_IFACES_MAX ?
			   v->info.n_ifaces : SND_CAPTURE_IFACES_MAX;
	}
	return rc;
}

static void
snd_json_capture(struct snctl_json *j, const struct snd_capture_view *v)
{
	const struct snd_capture_info *c = &v->info;
	char ts[32];
	uint32_t i;

	snctl_json_obj_open(j);
	snctl_json_kv_u64(j, "id", c->id);
	snctl_json_kv_str(j, "target", c->target);
	snctl_json_kv_str(j, "state", c->state);
	snctl_json_kv_str(j, "status", c->status);
	snctl_json_kv_bool(j, "failed", c->failed);
	snctl_json_kv_str(j, "direction", snd_capture_dir_name(c->dir));
	snctl_json_kv_bool(j, "drops", c->drops);
	snctl_json_kv_str(j, "filter", c->filter != NULL ? c->filter : "");
	snctl_json_kv_u64(j, "snaplen", c->snaplen);
	snctl_json_kv_u64(j, "count", c->count);
	snctl_json_kv_u64(j, "duration_s", c->duration_ms / 1000);
	snctl_json_kv_str(j, "output", c->output != NULL ? c->output : "");
	snctl_json_kv_u64(j, "ring_files", c->ring_files);
	snctl_json_kv_u64(j, "ring_file_bytes", c->ring_file_bytes);
	snctl_json_key(j, "files");
	snctl_json_arr_open(j);
	for (i = 0; i < c->n_files && c->files != NULL; i++) {
		snctl_json_str(j, c->files[i]);
	}
	snctl_json_arr_close(j);
	if (c->client_pid >= 0) {
		snctl_json_kv_i64(j, "client_pid", c->client_pid);
	} else {
		snctl_json_key(j, "client_pid");
		snctl_json_null(j);
	}
	snd_ns_format(c->started_ns, ts, sizeof(ts));
	snctl_json_kv_str(j, "started", ts);
	snd_ns_format(c->ended_ns, ts, sizeof(ts));
	snctl_json_kv_str(j, "ended", ts);
	snctl_json_kv_u64(j, "seen", c->seen);
	snctl_json_kv_u64(j, "filtered_out", c->filtered_out);
	snctl_json_kv_u64(j, "matched", c->matched);
	snctl_json_kv_u64(j, "lost", c->lost);
	snctl_json_kv_u64(j, "packets", c->packets);
	snctl_json_kv_u64(j, "bytes", c->bytes);
	snctl_json_kv_u64(j, "file_bytes", c->file_bytes);
	snctl_json_kv_u64(j, "files_started", c->files_started);
	snctl_json_key(j, "interfaces");
	snctl_json_arr_open(j);
	for (i = 0; i < v->n_ifc; i++) {
		const struct snd_capture_iface *f = &v->ifc[i];

		snctl_json_obj_open(j);
		snctl_json_kv_str(j, "name", f->name != NULL ? f->name : "");
		snctl_json_kv_bool(j, "attached", f->attached);
		snctl_json_kv_u64(j, "seen", f->seen);
		snctl_json_kv_u64(j, "matched", f->matched);
		snctl_json_kv_u64(j, "lost", f->lost);
		snctl_json_kv_u64(j, "packets", f->packets);
		snctl_json_obj_close(j);
	}
	snctl_json_arr_close(j);
	snctl_json_obj_close(j);
}

/* The hooks a capture command needs; -ENOTSUP with a message. */
static int
snd_capture_hooks(const struct snd_model *m, char *err, size_t errlen)
{
	if (m->hooks.capture_list == NULL || m->hooks.capture_info == NULL) {
		snd_errf(err, errlen, "packet capture is not available (the "
			 "data plane is not running)");
		return -ENOTSUP;
	}
	return 0;
}

int
snd_model_capture_start(struct snd_model *m, const struct snd_capture_req *rq,
			uint32_t *id, char *err, size_t errlen)
{
	int rc;

	if (m == NULL || rq == NULL || id == NULL) {
		return -EINVAL;
	}
	if (m->hooks.capture_start == NULL) {
		snd_errf(err, errlen, "packet capture is not available (the "
			 "data plane is not running)");
		return -ENOTSUP;
	}
	if (err != NULL && errlen > 0) {
		err[0] = '\0';
	}
	rc = m->hooks.capture_start(m->ctx, rq, id, err, errlen);
	if (rc < 0 && err != NULL && errlen > 0 && err[0] == '\0') {
		snd_errf(err, errlen, "cannot start the capture: %s",
			 strerror(-rc));
	}
	return rc < 0 ? rc : 0;
}

int
snd_model_capture_stop(struct snd_model *m, uint32_t id, char *err,
		       size_t errlen)
{
	int rc;

	if (m == NULL) {
		return -EINVAL;
	}
	if (m->hooks.capture_stop == NULL) {
		snd_errf(err, errlen, "packet capture is not available (the "
			 "data plane is not running)");
		return -ENOTSUP;
	}
	if (err != NULL && errlen > 0) {
		err[0] = '\0';
	}
	rc = m->hooks.capture_stop(m->ctx, id, err, errlen);
	if (rc < 0 && err != NULL && errlen > 0 && err[0] == '\0') {
		snd_errf(err, errlen, "no capture %" PRIu32 " (synthctl "
			 "capture list shows the captures)", id);
	}
	return rc < 0 ? rc : 0;
}

int
snd_render_captures(const struct snd_model *m, bool json,
		    struct snctl_out *out, char *err, size_t errlen)
{
	static const char *const head[] = {
		"Id", "Target", "Status", "Packets", "Bytes", "Lost",
		"Output",
	};
	struct snd_capture_view *v;
	struct snctl_table t;
	struct snctl_json j;
	uint32_t *ids;
	size_t n, i;
	size_t start;
	int rc;

	if (m == NULL || out == NULL) {
		return -EINVAL;
	}
	rc = snd_capture_hooks(m, err, errlen);
	if (rc < 0) {
		return rc;
	}
	n = m->hooks.capture_list(m->ctx, NULL, 0);
	ids = calloc(n != 0 ? n : 1, sizeof(*ids));
	v = malloc(sizeof(*v));
	if (ids == NULL || v == NULL) {
		free(ids);
		free(v);
		snd_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	i = m->hooks.capture_list(m->ctx, ids, n);
	n = i < n ? i : n;
	start = out->len;
	if (json) {
		snctl_json_init(&j, out, true);
		snctl_json_arr_open(&j);
	} else {
		snctl_table_init(&t, 7, head, (1u << 0) | (1u << 3) |
					      (1u << 4) | (1u << 5));
	}
	for (i = 0; i < n; i++) {
		char id[16], pk[24], by[24], lo[24];
		const char *row[7];

		if (snd_capture_read(m, ids[i], v) != 0) {
			continue;	/* ended and forgotten meanwhile */
		}
		if (json) {
			snd_json_capture(&j, v);
			continue;
		}
		snprintf(id, sizeof(id), "%" PRIu32, v->info.id);
		snprintf(pk, sizeof(pk), "%" PRIu64, v->info.packets);
		snprintf(by, sizeof(by), "%" PRIu64, v->info.bytes);
		snprintf(lo, sizeof(lo), "%" PRIu64, v->info.lost);
		row[0] = id;
		row[1] = v->info.target;
		row[2] = v->info.status;
		row[3] = pk;
		row[4] = by;
		row[5] = lo;
		row[6] = v->info.output;
		snctl_table_add(&t, row);
	}
	if (json) {
		snctl_json_arr_close(&j);
		rc = snd_json_finish(&j, out, start);
	} else if (t.nrows == 0) {
		snctl_table_fini(&t);
		rc = snctl_out_puts(out,
				    "no captures (start one with: synthctl "
				    "capture start --adapter VM -w "
				    "FILE.pcapng)\n");
	} else {
		rc = snctl_table_render(&t, out);
		snctl_table_fini(&t);
		if (rc < 0) {
			snctl_out_truncate(out, start);
		}
	}
	free(ids);
	free(v);
	return rc;
}

/* "1000" or "unlimited". */
static void
snd_limit_text(uint64_t v, const char *unit, char *buf, size_t cap)
{
	if (v == 0) {
		snprintf(buf, cap, "unlimited");
	} else {
		snprintf(buf, cap, "%" PRIu64 "%s", v, unit);
	}
}

/* The list form of one capture and the table of its interfaces. */
static int
snd_capture_text(const struct snd_capture_view *v, struct snctl_out *out)
{
	static const char *const head[] = {
		"Interface", "Attached", "Seen", "Matched", "Lost", "Packets",
	};
	const struct snd_capture_info *c = &v->info;
	char num[9][24];
	char count[32], dur[32], ring[64], t0[32], t1[32];
	char *files = NULL;
	struct snd_kvlist l;
	struct snctl_table t;
	size_t flen = 0;
	uint32_t i;
	int rc;

	for (i = 0; i < c->n_files && c->files != NULL; i++) {
		flen += strlen(c->files[i]) + 2;
	}
	files = calloc(1, flen + 1);
	if (files == NULL) {
		return -ENOMEM;
	}
	for (i = 0; i < c->n_files && c->files != NULL; i++) {
		strcat(files, i != 0 ? ", " : "");
		strcat(files, c->files[i]);
	}
	memset(&l, 0, sizeof(l));
	snprintf(num[0], sizeof(num[0]), "%" PRIu32, c->id);
	snprintf(num[1], sizeof(num[1]), "%" PRIu32, c->snaplen);
	snprintf(num[2], sizeof(num[2]), "%" PRIu64, c->seen);
	snprintf(num[3], sizeof(num[3]), "%" PRIu64, c->filtered_out);
	snprintf(num[4], sizeof(num[4]), "%" PRIu64, c->packets);
	snprintf(num[5], sizeof(num[5]), "%" PRIu64, c->bytes);
	snprintf(num[6], sizeof(num[6]), "%" PRIu64, c->lost);
	snprintf(num[7], sizeof(num[7]), "%" PRIu64, c->file_bytes);
	snprintf(num[8], sizeof(num[8]), "%d", c->client_pid);
	snd_limit_text(c->count, " packets", count, sizeof(count));
	snd_limit_text(c->duration_ms / 1000, " s", dur, sizeof(dur));
	snprintf(ring, sizeof(ring), "%" PRIu32 " files of %" PRIu64 " MB",
		 c->ring_files, c->ring_file_bytes / 1000000u);
	snd_ns_format(c->started_ns, t0, sizeof(t0));
	snd_ns_format(c->ended_ns, t1, sizeof(t1));
	snd_kvlist_add(&l, "Id", num[0]);
	snd_kvlist_add(&l, "Target", c->target);
	snd_kvlist_add(&l, "Status", c->status);
	snd_kvlist_add(&l, "Direction", snd_capture_dir_name(c->dir));
	snd_kvlist_add(&l, "Drops", c->drops ? "True" : "False");
	snd_kvlist_add(&l, "Filter", c->filter);
	snd_kvlist_add(&l, "Snaplen", num[1]);
	snd_kvlist_add(&l, "Count", count);
	snd_kvlist_add(&l, "Duration", dur);
	snd_kvlist_add(&l, "Output", c->output != NULL &&
		       strcmp(c->output, "-") == 0 ?
		       "- (standard output of synthctl)" : c->output);
	if (c->ring_files != 0) {
		snd_kvlist_add(&l, "Ring", ring);
	}
	if (c->n_files != 0) {
		snd_kvlist_add(&l, c->n_files == 1 ? "File" : "Files", files);
	}
	if (c->client_pid >= 0) {
		snd_kvlist_add(&l, "ClientPid", num[8]);
	}
	snd_kvlist_add(&l, "Started", t0);
	if (c->ended_ns != 0) {
		snd_kvlist_add(&l, "Ended", t1);
	}
	snd_kvlist_add(&l, "Seen", num[2]);
	snd_kvlist_add(&l, "FilteredOut", num[3]);
	snd_kvlist_add(&l, "Packets", num[4]);
	snd_kvlist_add(&l, "Bytes", num[5]);
	snd_kvlist_add(&l, "Lost", num[6]);
	snd_kvlist_add(&l, "FileBytes", num[7]);
	rc = snctl_out_list(out, l.key, l.val, l.n);
	free(files);
	if (rc < 0 || v->n_ifc == 0) {
		return rc;
	}
	snctl_out_putc(out, '\n');
	snctl_table_init(&t, 6, head, 0x3cu);
	for (i = 0; i < v->n_ifc; i++) {
		const struct snd_capture_iface *f = &v->ifc[i];
		char c2[24], c3[24], c4[24], c5[24];
		const char *row[6];

		snprintf(c2, sizeof(c2), "%" PRIu64, f->seen);
		snprintf(c3, sizeof(c3), "%" PRIu64, f->matched);
		snprintf(c4, sizeof(c4), "%" PRIu64, f->lost);
		snprintf(c5, sizeof(c5), "%" PRIu64, f->packets);
		row[0] = f->name;
		row[1] = f->attached ? "True" : "False";
		row[2] = c2;
		row[3] = c3;
		row[4] = c4;
		row[5] = c5;
		snctl_table_add(&t, row);
	}
	rc = snctl_table_render(&t, out);
	snctl_table_fini(&t);
	return rc;
}

int
snd_render_capture(const struct snd_model *m, uint32_t id, bool json,
		   struct snctl_out *out, char *err, size_t errlen)
{
	struct snd_capture_view *v;
	size_t start;
	int rc;

	if (m == NULL || out == NULL) {
		return -EINVAL;
	}
	rc = snd_capture_hooks(m, err, errlen);
	if (rc < 0) {
		return rc;
	}
	v = malloc(sizeof(*v));
	if (v == NULL) {
		snd_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = snd_capture_read(m, id, v);
	if (rc < 0) {
		snd_errf(err, errlen, "no capture %" PRIu32 " (synthctl "
			 "capture list shows the captures)", id);
		free(v);
		return rc;
	}
	start = out->len;
	if (json) {
		struct snctl_json j;

		snctl_json_init(&j, out, true);
		snd_json_capture(&j, v);
		rc = snd_json_finish(&j, out, start);
	} else {
		rc = snd_capture_text(v, out);
		if (rc < 0) {
			snctl_out_truncate(out, start);
		}
	}
	free(v);
	return rc;
}
