/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_snd_model.c - the configuration model (daemon/snd_model.c) and the
 * control commands (daemon/snd_ctl.c), driven through a fake hooks table
 * that records every call and owns real allocations as data-plane
 * handles (so ASan reports a handle the model forgets to release).
 *
 * Vectors: the GUID formatting vector is the netvsc interface type GUID
 * f8615163-df3e-46c5-913f-f2d2f965ed0e and its wire bytes, as in Linux
 * include/linux/hyperv.h HV_NIC_GUID (GUID_INIT(0xf8615163, 0xdf3e,
 * 0x46c5, 0x91, 0x3f, ...), Data1..3 little-endian) and our
 * vmbus/vmb_chanmsg.h VMB_CHANMSG_GUID_NETVSC_BYTES.  Expected command
 * output follows the formats documented in snd_ctl.h / snd_model.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <cmocka.h>

#include "sn_wire.h"
#include "snctl_help.h"
#include "snctl_out.h"
#include "snctl_proto.h"
#include "snd_ctl.h"
#include "snd_model.h"
#include "snd_state.h"

/* ---- fake hooks --------------------------------------------------------- */

struct fake {
	struct snd_model *m;		/* the model under test */
	char log[2048];			/* "sc:lab aa:vm1/eth0 ..." */
	int fail_switch;		/* switch_create returns this */
	int fail_adapter;		/* adapter_add returns this */
	bool fail_quiet;		/* ... without a message */
	int fail_stats;			/* adapter_stats returns this */
	int fail_fdb;			/* fdb_dump returns this */
	unsigned int fdb_entries;	/* 0..2 entries to dump */
	unsigned int live_sw;		/* switch handles alive */
	unsigned int live_ad;		/* adapter handles alive */
	int fail_set;			/* switch_set/adapter_set return */
	int fail_connect;		/* adapter_connect returns this */
	int fail_save;			/* save returns this */
	unsigned int saves;		/* save calls that succeeded */
	uint32_t last_changed;		/* switch_set's changed mask */
	struct vsw_policy_cfg last_policy; /* adapter_set's policy */
	bool last_mac_set;		/* adapter_set got a MAC */
	uint8_t last_mac[6];		/* ... this one */
	/* captures */
	struct snd_capture_req last_cap; /* capture_start's request */
	char last_cap_filter[64];	/* ... its strings, copied */
	char last_cap_path[64];
	int fail_cap;			/* capture_start returns this */
	uint32_t next_cap;		/* next capture id */
	uint32_t n_caps;		/* captures the fake knows */
	uint32_t cap_ids[4];		/* their ids */
	bool cap_stopped[4];		/* stopped by capture_stop */
};

static void
fake_log(struct fake *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fake_log(struct fake *f, const char *fmt, ...)
{
	size_t len = strlen(f->log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->log + len, sizeof(f->log) - len, fmt, ap);
	va_end(ap);
}

/* The uplink that does not exist, as the daemon's hooks would find. */
#define T_MISSING_UPLINK "net_af_packet9,iface=nosuch0"

static int
fake_switch_create(void *ctx, struct snd_switch *sw, char *err, size_t errlen)
{
	struct fake *f = ctx;

	/* Contract: complete, findable, no handle yet. */
	assert_ptr_equal(snd_model_switch_find(f->m, sw->name), sw);
	assert_null(sw->dp);
	assert_true(sw->id > 0);
	assert_true(sw->host_ifname[0] != '\0');
	fake_log(f, "sc:%s ", sw->name);
	if (strcmp(sw->cfg.uplink, T_MISSING_UPLINK) == 0) {
		snprintf(err, errlen, "uplink '%s' does not exist (no such "
			 "interface nosuch0)", sw->cfg.uplink);
		return -ENODEV;
	}
	if (f->fail_switch != 0) {
		if (!f->fail_quiet) {
			snprintf(err, errlen, "no lcore can take switch '%s'",
				 sw->name);
		}
		return f->fail_switch;
	}
	sw->dp = malloc(16);
	assert_non_null(sw->dp);
	f->live_sw++;
	return 0;
}

static void
fake_switch_delete(void *ctx, struct snd_switch *sw)
{
	struct fake *f = ctx;

	assert_int_equal(sw->n_adapters, 0);
	fake_log(f, "sd:%s ", sw->name);
	free(sw->dp);
	sw->dp = NULL;
	f->live_sw--;
}

static int
fake_adapter_add(void *ctx, struct snd_adapter *ad, char *err, size_t errlen)
{
	struct fake *f = ctx;

	assert_non_null(ad->sw->dp);
	assert_null(ad->dp);
	assert_ptr_equal(snd_model_adapter_by_relid(f->m, ad->relid), ad);
	assert_ptr_equal(snd_model_adapter_find(f->m, ad->vm, ad->nic), ad);
	fake_log(f, "aa:%s/%s ", ad->vm, ad->nic);
	if (f->fail_adapter != 0) {
		if (!f->fail_quiet) {
			snprintf(err, errlen, "port table full");
		}
		return f->fail_adapter;
	}
	ad->dp = malloc(16);
	assert_non_null(ad->dp);
	f->live_ad++;
	return 0;
}

static void
fake_adapter_remove(void *ctx, struct snd_adapter *ad)
{
	struct fake *f = ctx;

	/* Still findable while the hook runs. */
	assert_ptr_equal(snd_model_adapter_by_relid(f->m, ad->relid), ad);
	fake_log(f, "ar:%s/%s ", ad->vm, ad->nic);
	free(ad->dp);
	ad->dp = NULL;
	f->live_ad--;
}

static int
fake_adapter_stats(void *ctx, const struct snd_adapter *ad,
		   struct snd_port_stats *out)
{
	struct fake *f = ctx;

	if (f->fail_stats != 0) {
		return f->fail_stats;
	}
	assert_int_equal(out->rx_packets, 0);	/* zeroed by the caller */
	out->rx_packets = 10 * ad->relid;
	out->rx_bytes = 1200 * ad->relid;
	out->tx_packets = 5;
	out->tx_bytes = 600;
	out->n_drops = 2;
	out->drops[0].name = "ring-full";
	out->drops[0].count = 3;
	out->drops[1].name = "mtu";
	out->drops[1].count = 0;
	out->n_proto = 1;
	out->proto[0].name = "bad-rndis";
	out->proto[0].count = 2;
	return 0;
}

static const char *
fake_adapter_state(void *ctx, const struct snd_adapter *ad)
{
	(void)ctx;
	return strcmp(ad->vm, "vm1") == 0 ? "open" : "not-connected";
}

static int
fake_fdb_dump(void *ctx, const struct snd_switch *sw, snd_fdb_fn cb,
	      void *arg)
{
	static const uint8_t m1[6] = { 0x00, 0x15, 0x5d, 0x00, 0x00, 0x01 };
	static const uint8_t m2[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x09 };
	struct fake *f = ctx;
	int rc = 0;

	assert_non_null(sw->dp);
	if (f->fdb_entries >= 1) {
		rc = cb(arg, m1, 0, "vm1/eth0", 12);
	}
	if (rc == 0 && f->fdb_entries >= 2) {
		rc = cb(arg, m2, 10, "uplink", SND_FDB_AGE_STATIC);
	}
	if (rc == 0 && f->fail_fdb != 0) {
		return f->fail_fdb;
	}
	return rc;
}

static int
fake_status(void *ctx, struct snd_kv *kv)
{
	(void)ctx;
	kv->u64(kv, "pid", 4242);
	kv->u64(kv, "uptime_s", 75);
	kv->u64(kv, "lcores", 2);
	kv->str(kv, "control_socket", "/run/synthnet/synthnetd.sock");
	return 0;
}

static int
fake_switch_set(void *ctx, struct snd_switch *sw,
		const struct snd_switch_cfg *cfg, uint32_t changed, char *err,
		size_t errlen)
{
	struct fake *f = ctx;

	/* Contract: old configuration still in sw, never notes alone. */
	assert_non_null(sw->dp);
	assert_int_not_equal(changed, 0);
	assert_int_not_equal(changed, SND_SWITCH_CHG_NOTES);
	assert_ptr_not_equal(cfg, &sw->cfg);
	fake_log(f, "ss:%s:%s>%s ", sw->name,
		 snd_switch_type_name(sw->cfg.type),
		 snd_switch_type_name(cfg->type));
	f->last_changed = changed;
	if (strcmp(cfg->uplink, T_MISSING_UPLINK) == 0) {
		snprintf(err, errlen, "uplink '%s' does not exist (no such "
			 "interface nosuch0)", cfg->uplink);
		return -ENODEV;
	}
	if (f->fail_set != 0) {
		if (!f->fail_quiet) {
			snprintf(err, errlen, "host vNIC busy");
		}
		return f->fail_set;
	}
	return 0;
}

static int
fake_adapter_set(void *ctx, struct snd_adapter *ad,
		 const struct vsw_policy_cfg *policy, const uint8_t *mac,
		 char *err, size_t errlen)
{
	struct fake *f = ctx;

	assert_non_null(ad->dp);
	assert_ptr_not_equal(policy, &ad->policy);
	/* a new MAC differs from the old one, which ad still holds */
	if (mac != NULL) {
		assert_memory_not_equal(mac, ad->mac, 6);
	}
	fake_log(f, "as:%s/%s%s ", ad->vm, ad->nic, mac != NULL ? "+mac" : "");
	f->last_policy = *policy;
	f->last_mac_set = mac != NULL;
	if (mac != NULL) {
		memcpy(f->last_mac, mac, 6);
	}
	if (f->fail_set != 0) {
		if (!f->fail_quiet) {
			snprintf(err, errlen, "the guest has the channel open: "
				 "stop the VM first");
		}
		return f->fail_set;
	}
	return 0;
}

static int
fake_adapter_connect(void *ctx, struct snd_adapter *ad,
		     struct snd_switch *from, struct snd_switch *to,
		     char *err, size_t errlen)
{
	struct fake *f = ctx;

	assert_ptr_equal(ad->sw, from);
	assert_ptr_not_equal(from, to);
	assert_non_null(to->dp);
	fake_log(f, "ac:%s/%s:%s>%s ", ad->vm, ad->nic, from->name, to->name);
	if (f->fail_connect != 0) {
		if (!f->fail_quiet) {
			snprintf(err, errlen, "no room on the lcore of '%s'",
				 to->name);
		}
		return f->fail_connect;
	}
	return 0;
}

static int
fake_save(void *ctx, char *err, size_t errlen)
{
	struct fake *f = ctx;

	fake_log(f, "sv ");
	if (f->fail_save != 0) {
		if (!f->fail_quiet) {
			snprintf(err, errlen, "could not write "
				 "/var/lib/synthnet/config.json.tmp: No space "
				 "left on device");
		}
		return f->fail_save;
	}
	f->saves++;
	return 0;
}

static int
fake_capture_start(void *ctx, const struct snd_capture_req *rq, uint32_t *id,
		   char *err, size_t errlen)
{
	struct fake *f = ctx;

	fake_log(f, "cs ");
	f->last_cap = *rq;
	snprintf(f->last_cap_filter, sizeof(f->last_cap_filter), "%s",
		 rq->filter);
	snprintf(f->last_cap_path, sizeof(f->last_cap_path), "%s",
		 rq->path);
	f->last_cap.filter = f->last_cap_filter;
	f->last_cap.path = f->last_cap_path;
	if (f->fail_cap != 0) {
		snprintf(err, errlen, "can't parse filter expression: syntax "
			 "error");
		return f->fail_cap;
	}
	assert_true(f->n_caps < 4);
	*id = ++f->next_cap;
	f->cap_ids[f->n_caps] = *id;
	f->cap_stopped[f->n_caps] = false;
	f->n_caps++;
	return 0;
}

static int
fake_capture_find(const struct fake *f, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < f->n_caps; i++) {
		if (f->cap_ids[i] == id) {
			return (int)i;
		}
	}
	return -1;
}

static int
fake_capture_stop(void *ctx, uint32_t id, char *err, size_t errlen)
{
	struct fake *f = ctx;
	int i = fake_capture_find(f, id);

	(void)err;
	(void)errlen;
	fake_log(f, "ct:%u ", id);
	if (i < 0) {
		return -ENOENT;		/* the model's message */
	}
	f->cap_stopped[i] = true;
	return 0;
}

static size_t
fake_capture_list(void *ctx, uint32_t *ids, size_t max)
{
	struct fake *f = ctx;
	size_t i;

	for (i = 0; i < f->n_caps && i < max; i++) {
		ids[i] = f->cap_ids[i];
	}
	return f->n_caps;
}

static int
fake_capture_info(void *ctx, uint32_t id, struct snd_capture_info *out,
		  struct snd_capture_iface *ifaces, size_t max_ifaces)
{
	static const char *const files[] = { "/tmp/c/r_00002.pcapng",
					     "/tmp/c/r_00003.pcapng" };
	struct fake *f = ctx;
	int i = fake_capture_find(f, id);

	if (i < 0) {
		return -ENOENT;
	}
	assert_int_equal(out->id, 0);	/* zeroed by the caller */
	assert_true(max_ifaces >= 2);
	out->id = id;
	out->target = id == 1 ? "adapter vm1/eth0" : "switch lab";
	out->state = f->cap_stopped[i] ? "stopped" : "running";
	out->status = f->cap_stopped[i] ? "stopped: by user" : "running";
	out->dir = id == 1 ? SND_CAPTURE_BOTH : SND_CAPTURE_IN;
	out->drops = id != 1;
	out->filter = id == 1 ? "icmp" : "";
	out->snaplen = id == 1 ? 262144 : 96;
	out->count = id == 1 ? 1000 : 0;
	out->duration_ms = id == 1 ? 0 : 60000;
	out->output = id == 1 ? "/tmp/c/one.pcapng" : "/tmp/c/r.pcapng";
	out->files = id == 1 ? files : files;
	out->n_files = id == 1 ? 0 : 2;
	if (id == 1) {
		static const char *const one[] = { "/tmp/c/one.pcapng" };

		out->files = one;
		out->n_files = 1;
	}
	out->ring_files = id == 1 ? 0 : 2;
	out->ring_file_bytes = id == 1 ? 0 : 10000000;
	out->client_pid = id == 1 ? 321 : -1;
	out->started_ns = 1714564800ull * 1000000000ull + 5;
	out->ended_ns = f->cap_stopped[i] ? 1714564810ull * 1000000000ull : 0;
	out->seen = 12;
	out->filtered_out = 2;
	out->matched = 10;
	out->lost = 1;
	out->packets = 9;
	out->bytes = 882;
	out->file_bytes = 1640;
	out->files_started = id == 1 ? 1 : 3;
	out->n_ifaces = id == 1 ? 1 : 2;
	ifaces[0].name = id == 1 ? "lab/vm1/eth0" : "lab/vm1/eth0";
	ifaces[0].attached = !f->cap_stopped[i];
	ifaces[0].seen = 12;
	ifaces[0].matched = 10;
	ifaces[0].lost = 1;
	ifaces[0].packets = 9;
	if (id != 1) {
		ifaces[1].name = "lab/uplink";
		ifaces[1].attached = false;
	}
	return 0;
}

static const struct snd_model_hooks fake_hooks = {
	.switch_create = fake_switch_create,
	.switch_delete = fake_switch_delete,
	.adapter_add = fake_adapter_add,
	.adapter_remove = fake_adapter_remove,
	.adapter_stats = fake_adapter_stats,
	.adapter_state = fake_adapter_state,
	.fdb_dump = fake_fdb_dump,
	.status = fake_status,
	.switch_set = fake_switch_set,
	.adapter_set = fake_adapter_set,
	.adapter_connect = fake_adapter_connect,
	.save = fake_save,
	.capture_start = fake_capture_start,
	.capture_stop = fake_capture_stop,
	.capture_list = fake_capture_list,
	.capture_info = fake_capture_info,
};

static int
t_setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = snd_model_create(&fake_hooks, f);
	assert_non_null(f->m);
	*state = f;
	return 0;
}

static int
t_teardown(void **state)
{
	struct fake *f = *state;

	snd_model_destroy(f->m);
	/* destroy released every handle through the hooks */
	assert_int_equal(f->live_sw, 0);
	assert_int_equal(f->live_ad, 0);
	free(f);
	return 0;
}

/* Add a private switch that must succeed. */
static struct snd_switch *
t_switch(struct fake *f, const char *name, const char *notes)
{
	struct snd_switch *sw = NULL;
	char err[256];

	assert_int_equal(snd_model_switch_create(f->m, name,
						 SND_SWITCH_PRIVATE, notes,
						 &sw, err, sizeof(err)), 0);
	return sw;
}

/* Add an adapter that must succeed (mac NULL: dynamic). */
static struct snd_adapter *
t_adapter(struct fake *f, const char *vm, const char *nic, const char *sw,
	  const char *mac)
{
	struct snd_adapter_req rq = { .vm = vm, .nic = nic, .sw = sw };
	struct snd_adapter *ad = NULL;
	uint8_t m[6];
	char err[256];
	int rc;

	if (mac != NULL) {
		assert_int_equal(snd_mac_parse(mac, m), 0);
		rq.mac = m;
	}
	rc = snd_model_adapter_add(f->m, &rq, &ad, err, sizeof(err));
	if (rc != 0) {
		fail_msg("adapter_add: %d %s", rc, err);
	}
	return ad;
}

static void
t_mac_is(const struct snd_adapter *ad, const char *expect)
{
	char s[SND_MAC_STRLEN];

	snd_mac_format(ad->mac, s);
	assert_string_equal(s, expect);
}

/* ---- formatting and parsing --------------------------------------------- */

static void
test_guid_format(void **state)
{
	static const uint8_t netvsc[16] = {
		0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46,
		0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e,
	};
	char s[SND_GUID_STRLEN];

	(void)state;
	snd_guid_format(netvsc, s);
	assert_string_equal(s, "f8615163-df3e-46c5-913f-f2d2f965ed0e");
}

static void
test_mac_parse(void **state)
{
	static const uint8_t expect[6] = { 0x00, 0x15, 0x5d, 0x0a, 0xbc, 0xff };
	uint8_t mac[6];
	char s[SND_MAC_STRLEN];

	(void)state;
	memset(mac, 0xee, sizeof(mac));
	assert_int_equal(snd_mac_parse("00:15:5D:0a:BC:ff", mac), 0);
	assert_memory_equal(mac, expect, 6);
	assert_int_equal(snd_mac_parse("00-15-5d-0A-bc-FF", mac), 0);
	assert_memory_equal(mac, expect, 6);
	assert_int_equal(snd_mac_parse("00155D0ABCFF", mac), 0);
	assert_memory_equal(mac, expect, 6);
	snd_mac_format(mac, s);
	assert_string_equal(s, "00:15:5d:0a:bc:ff");

	memset(mac, 0xee, sizeof(mac));
	assert_int_equal(snd_mac_parse("00:15:5d:0a:bc", mac), -EINVAL);
	assert_int_equal(snd_mac_parse("00:15-5d:0a:bc:ff", mac), -EINVAL);
	assert_int_equal(snd_mac_parse("00:15:5d:0a:bc:fg", mac), -EINVAL);
	assert_int_equal(snd_mac_parse("00155D0ABCFF0", mac), -EINVAL);
	assert_int_equal(snd_mac_parse("0:15:5d:0a:bc:ff0", mac), -EINVAL);
	assert_int_equal(snd_mac_parse("", mac), -EINVAL);
	/* failures leave mac alone */
	assert_int_equal(mac[0], 0xee);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(snd_switch_name_valid("a"));
	assert_true(snd_switch_name_valid("Lab-1.net_2"));
	assert_true(snd_switch_name_valid("0123456789012345678901234567890"));
	assert_false(snd_switch_name_valid("01234567890123456789012345678901"));
	assert_false(snd_switch_name_valid(""));
	assert_false(snd_switch_name_valid(NULL));
	assert_false(snd_switch_name_valid("a b"));
	assert_false(snd_switch_name_valid("caf\xc3\xa9"));
	assert_false(snd_switch_name_valid("a/b"));
	assert_true(snd_vm_name_valid("0123456789012345678901234567890"
				      "12345678901234567890123456789012"));
	assert_false(snd_vm_name_valid("0123456789012345678901234567890"
				       "123456789012345678901234567890123"));
	assert_true(snd_nic_name_valid("Network Adapter"));
	assert_false(snd_nic_name_valid("tab\there"));
	assert_false(snd_nic_name_valid(""));
	assert_false(snd_nic_name_valid("0123456789012345678901234567890x"));
}

/* ---- switches ----------------------------------------------------------- */

static void
test_switch_create_find_iterate(void **state)
{
	struct fake *f = *state;
	struct snd_switch *a;
	struct snd_switch *b;
	struct snd_switch *c;
	struct snd_switch *it;

	a = t_switch(f, "lab", "Lab network");
	b = t_switch(f, "Backbone", NULL);
	c = t_switch(f, "core", "");
	assert_int_equal(a->id, 1);
	assert_int_equal(b->id, 2);
	assert_int_equal(c->id, 3);
	assert_string_equal(a->cfg.notes, "Lab network");
	assert_string_equal(b->cfg.notes, "");
	assert_int_equal(a->cfg.type, SND_SWITCH_PRIVATE);
	assert_int_equal(snd_model_switch_count(f->m), 3);
	assert_string_equal(f->log, "sc:lab sc:Backbone sc:core ");
	/* Names are case-insensitive; iteration is in name order. */
	assert_ptr_equal(snd_model_switch_find(f->m, "LAB"), a);
	assert_ptr_equal(snd_model_switch_find(f->m, "backbone"), b);
	assert_null(snd_model_switch_find(f->m, "nope"));
	it = snd_model_switch_next(f->m, NULL);
	assert_ptr_equal(it, b);
	it = snd_model_switch_next(f->m, it);
	assert_ptr_equal(it, c);
	it = snd_model_switch_next(f->m, it);
	assert_ptr_equal(it, a);
	assert_null(snd_model_switch_next(f->m, it));
}

static void
test_switch_validation(void **state)
{
	struct fake *f = *state;
	char notes[300];
	char err[256];
	int rc;

	t_switch(f, "lab", NULL);
	f->log[0] = '\0';

	rc = snd_model_switch_create(f->m, "LAB", SND_SWITCH_PRIVATE, NULL,
				     NULL, err, sizeof(err));
	assert_int_equal(rc, -EEXIST);
	assert_string_equal(err, "a switch named 'lab' already exists "
			    "(synthctl switch list shows the switches)");

	rc = snd_model_switch_create(f->m, "my switch", SND_SWITCH_PRIVATE,
				     NULL, NULL, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err, "'my switch' is not a valid switch name: use "
			    "1 to 31 characters from A-Z a-z 0-9 . _ -");

	/* Control characters in a bad name are not echoed. */
	rc = snd_model_switch_create(f->m, "a\nb'", SND_SWITCH_PRIVATE, NULL,
				     NULL, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(err, "'a?b?' is not a valid"));

	/* the short form cannot give an uplink */
	rc = snd_model_switch_create(f->m, "ext", SND_SWITCH_EXTERNAL, NULL,
				     NULL, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err, "an external switch needs --uplink DEVARGS: "
			    "a PCI address such as 0000:03:00.0, or a vdev "
			    "such as net_af_packet0,iface=eth1");

	memset(notes, 'n', 256);
	notes[256] = '\0';
	rc = snd_model_switch_create(f->m, "x", SND_SWITCH_PRIVATE, notes,
				     NULL, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err, "notes are too long (256 bytes, at most 255)");
	notes[255] = '\0';
	rc = snd_model_switch_create(f->m, "x", SND_SWITCH_PRIVATE,
				     "two\nlines", NULL, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);
	rc = snd_model_switch_create(f->m, "x", SND_SWITCH_PRIVATE,
				     "bad \xff", NULL, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);

	/* None of that touched the model or the hooks. */
	assert_int_equal(snd_model_switch_count(f->m), 1);
	assert_string_equal(f->log, "");
	/* 255 bytes of notes are fine, and the next id is 2. */
	assert_int_equal(t_switch(f, "x", notes)->id, 2);
}

static void
test_switch_hook_failure(void **state)
{
	struct fake *f = *state;
	char err[256];
	int rc;

	f->fail_switch = -EBUSY;
	rc = snd_model_switch_create(f->m, "lab", SND_SWITCH_PRIVATE, NULL,
				     NULL, err, sizeof(err));
	assert_int_equal(rc, -EBUSY);
	assert_string_equal(err, "no lcore can take switch 'lab'");
	f->fail_quiet = true;
	rc = snd_model_switch_create(f->m, "lab", SND_SWITCH_PRIVATE, NULL,
				     NULL, err, sizeof(err));
	assert_int_equal(rc, -EBUSY);
	assert_string_equal(err, "the data plane could not create switch "
			    "'lab': Device or resource busy");
	assert_int_equal(snd_model_switch_count(f->m), 0);
	assert_null(snd_model_switch_find(f->m, "lab"));
	/* switch_delete was not called for the failed create */
	assert_string_equal(f->log, "sc:lab sc:lab ");
	f->fail_switch = 0;
	/* The failed creates did not use up ids. */
	assert_int_equal(t_switch(f, "lab", NULL)->id, 1);
}

/* ---- adapters ------------------------------------------------------------ */

static void
test_adapter_macs_relids(void **state)
{
	struct fake *f = *state;
	struct snd_adapter *a1;
	struct snd_adapter *a2;
	struct snd_adapter *a3;
	struct snd_adapter *a4;
	struct snd_adapter *a5;
	char g1[SND_GUID_STRLEN];
	char g2[SND_GUID_STRLEN];

	t_switch(f, "lab", NULL);
	t_switch(f, "dmz", NULL);
	a1 = t_adapter(f, "vm1", NULL, "lab", NULL);
	a2 = t_adapter(f, "vm2", NULL, "lab", NULL);
	/* a static MAC inside the pool, next in line */
	a3 = t_adapter(f, "vm3", NULL, "lab", "00:15:5d:00:00:03");
	a4 = t_adapter(f, "vm4", "eth0", "lab", NULL);
	/* the same static MAC is fine on another switch */
	a5 = t_adapter(f, "vm5", NULL, "dmz", "00-15-5D-00-00-03");

	assert_string_equal(a1->nic, "eth0");
	t_mac_is(a1, "00:15:5d:00:00:01");
	t_mac_is(a2, "00:15:5d:00:00:02");
	t_mac_is(a3, "00:15:5d:00:00:03");
	t_mac_is(a4, "00:15:5d:00:00:04");	/* skipped the static one */
	t_mac_is(a5, "00:15:5d:00:00:03");
	assert_true(a1->mac_dynamic);
	assert_false(a3->mac_dynamic);
	assert_int_equal(a1->relid, 1);
	assert_int_equal(a2->relid, 2);
	assert_int_equal(a3->relid, 3);
	assert_int_equal(a4->relid, 4);
	assert_int_equal(a5->relid, 5);
	assert_int_equal(snd_model_switch_find(f->m, "lab")->n_adapters, 4);
	assert_int_equal(snd_model_adapter_count(f->m), 5);

	/* Instance GUIDs: version 4, RFC 4122 variant, distinct. */
	snd_guid_format(a1->instance, g1);
	snd_guid_format(a2->instance, g2);
	assert_int_equal(g1[14], '4');
	assert_non_null(strchr("89ab", g1[19]));
	assert_int_equal(g2[14], '4');
	assert_string_not_equal(g1, g2);

	/* Removal frees the relid, but the search moves on: no quick reuse
	 * (the guest may still hold the old one). */
	snd_model_adapter_remove(f->m, a2);
	a2 = t_adapter(f, "vm2", NULL, "lab", NULL);
	assert_int_equal(a2->relid, 6);
	t_mac_is(a2, "00:15:5d:00:00:05");
	assert_ptr_equal(snd_model_adapter_by_relid(f->m, 6), a2);
	assert_null(snd_model_adapter_by_relid(f->m, 2));
	assert_null(snd_model_adapter_by_relid(f->m, 0));
}

static void
test_adapter_lookup(void **state)
{
	struct fake *f = *state;
	struct snd_adapter *out[4];
	struct snd_adapter *b;
	struct snd_adapter *a;
	struct snd_adapter *it;

	t_switch(f, "lab", NULL);
	b = t_adapter(f, "vm1", "eth1", "lab", NULL);
	a = t_adapter(f, "VM1", "eth0", "lab", NULL);
	t_adapter(f, "other", NULL, "lab", NULL);
	/* by VM, in NIC order, case-insensitively */
	assert_int_equal(snd_model_adapters_for_vm(f->m, "vm1", out, 4), 2);
	assert_ptr_equal(out[0], a);
	assert_ptr_equal(out[1], b);
	assert_int_equal(snd_model_adapters_for_vm(f->m, "vm1", out, 1), 2);
	assert_int_equal(snd_model_adapters_for_vm(f->m, "nobody", out, 4), 0);
	assert_ptr_equal(snd_model_adapter_find(f->m, "vm1", "ETH1"), b);
	/* no NIC name: only when the VM has exactly one */
	assert_null(snd_model_adapter_find(f->m, "vm1", NULL));
	assert_non_null(snd_model_adapter_find(f->m, "other", NULL));
	assert_null(snd_model_adapter_find(f->m, "none", NULL));
	/* iteration: (VM, NIC) order */
	it = snd_model_adapter_next(f->m, NULL);
	assert_string_equal(it->vm, "other");
	it = snd_model_adapter_next(f->m, it);
	assert_ptr_equal(it, a);
	it = snd_model_adapter_next(f->m, it);
	assert_ptr_equal(it, b);
	assert_null(snd_model_adapter_next(f->m, it));
}

/* Try an add that must fail with rc and message. */
static void
t_add_fails(struct fake *f, const char *vm, const char *nic, const char *sw,
	    const char *mac, int rc, const char *msg)
{
	struct snd_adapter_req rq = { .vm = vm, .nic = nic, .sw = sw };
	struct snd_adapter *ad = (struct snd_adapter *)0x1;
	uint8_t m[6];
	char err[256];

	if (mac != NULL) {
		assert_int_equal(snd_mac_parse(mac, m), 0);
		rq.mac = m;
	}
	assert_int_equal(snd_model_adapter_add(f->m, &rq, &ad, err,
					       sizeof(err)), rc);
	assert_ptr_equal(ad, (struct snd_adapter *)0x1);
	if (msg != NULL) {
		assert_string_equal(err, msg);
	}
}

static void
test_adapter_validation(void **state)
{
	struct fake *f = *state;
	struct snd_adapter *ad;
	char vm[16];
	int i;

	t_switch(f, "lab", NULL);
	t_adapter(f, "vm1", NULL, "lab", "02:00:00:00:00:01");
	f->log[0] = '\0';

	t_add_fails(f, "vm2", NULL, "nope", NULL, -ENOENT,
		    "no switch named 'nope' (synthctl switch list shows the "
		    "switches)");
	t_add_fails(f, "bad vm", NULL, "lab", NULL, -EINVAL,
		    "'bad vm' is not a valid VM name: use 1 to 63 characters "
		    "from A-Z a-z 0-9 . _ -");
	t_add_fails(f, "vm2", "", "lab", NULL, -EINVAL,
		    "'' is not a valid adapter name: use 1 to 31 printable "
		    "ASCII characters other than '/'");
	t_add_fails(f, "vm2", "e/0", "lab", NULL, -EINVAL,
		    "'e/0' is not a valid adapter name: use 1 to 31 printable "
		    "ASCII characters other than '/'");
	t_add_fails(f, "VM1", "ETH0", "lab", NULL, -EEXIST,
		    "VM 'vm1' already has a network adapter named 'eth0': "
		    "choose another name with --name");
	t_add_fails(f, "vm2", NULL, "lab", "02:00:00:00:00:01", -EEXIST,
		    "MAC 02:00:00:00:00:01 is already used by vm1/eth0 on "
		    "switch 'lab': choose another, or omit --mac for a dynamic "
		    "one");
	t_add_fails(f, "vm2", NULL, "lab", "01:00:5e:00:00:01", -EINVAL,
		    "01:00:5e:00:00:01 is a multicast address: an adapter "
		    "needs a unicast MAC (even first byte), or omit --mac");
	t_add_fails(f, "vm2", NULL, "lab", "ff:ff:ff:ff:ff:ff", -EINVAL, NULL);
	t_add_fails(f, "vm2", NULL, "lab", "00:00:00:00:00:00", -EINVAL,
		    "00:00:00:00:00:00 is not a usable MAC address: give a "
		    "unicast address such as 00:15:5d:00:10:01, or omit --mac");

	/* Model and hooks untouched; counters too: the next dynamic add
	 * gets the first pool MAC and relid 2. */
	assert_string_equal(f->log, "");
	assert_int_equal(snd_model_adapter_count(f->m), 1);
	ad = t_adapter(f, "vm2", NULL, "lab", NULL);
	t_mac_is(ad, "00:15:5d:00:00:01");
	assert_int_equal(ad->relid, 2);

	/* At most SND_VM_ADAPTERS_MAX adapters per VM. */
	for (i = 0; i < (int)SND_VM_ADAPTERS_MAX - 1; i++) {
		snprintf(vm, sizeof(vm), "eth%d", i + 1);
		t_adapter(f, "vm2", vm, "lab", NULL);
	}
	t_add_fails(f, "vm2", "one-more", "lab", NULL, -ENOSPC,
		    "VM 'vm2' already has 8 network adapters, the most one VM "
		    "can have: remove one first");
}

static void
test_adapter_hook_failure(void **state)
{
	struct fake *f = *state;
	struct snd_adapter *ad;

	t_switch(f, "lab", NULL);
	f->fail_adapter = -ENOSPC;
	t_add_fails(f, "vm1", NULL, "lab", NULL, -ENOSPC, "port table full");
	f->fail_quiet = true;
	t_add_fails(f, "vm1", NULL, "lab", NULL, -ENOSPC,
		    "the data plane could not add vm1/eth0: No space left on "
		    "device");
	assert_int_equal(snd_model_adapter_count(f->m), 0);
	assert_int_equal(snd_model_switch_find(f->m, "lab")->n_adapters, 0);
	assert_null(snd_model_adapter_by_relid(f->m, 1));
	/* adapter_remove was not called for the failed adds */
	assert_string_equal(f->log, "sc:lab aa:vm1/eth0 aa:vm1/eth0 ");
	f->fail_adapter = 0;
	/* MAC and relid were given back. */
	ad = t_adapter(f, "vm1", NULL, "lab", NULL);
	t_mac_is(ad, "00:15:5d:00:00:01");
	assert_int_equal(ad->relid, 1);
}

static void
test_switch_delete(void **state)
{
	struct fake *f = *state;
	uint32_t n = 99;
	char err[256];
	int rc;

	t_switch(f, "lab", NULL);
	t_switch(f, "dmz", NULL);
	t_adapter(f, "vm1", NULL, "lab", NULL);
	t_adapter(f, "vm2", NULL, "lab", NULL);
	t_adapter(f, "vm3", NULL, "dmz", NULL);
	f->log[0] = '\0';

	rc = snd_model_switch_delete(f->m, "nope", false, &n, err,
				     sizeof(err));
	assert_int_equal(rc, -ENOENT);
	assert_int_equal(n, 0);
	rc = snd_model_switch_delete(f->m, "LAB", false, &n, err, sizeof(err));
	assert_int_equal(rc, -EBUSY);
	assert_string_equal(err, "switch 'lab' still has 2 network adapters "
			    "(vm1/eth0, vm2/eth0): remove them first or use "
			    "--force");
	assert_string_equal(f->log, "");
	rc = snd_model_switch_delete(f->m, "lab", true, &n, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(n, 2);
	assert_string_equal(f->log, "ar:vm1/eth0 ar:vm2/eth0 sd:lab ");
	assert_null(snd_model_switch_find(f->m, "lab"));
	assert_int_equal(snd_model_adapter_count(f->m), 1);
	assert_int_equal(snd_model_switch_count(f->m), 1);
	/* the other switch kept its adapter */
	assert_non_null(snd_model_adapter_find(f->m, "vm3", NULL));
}

static void
test_mac_pool(void **state)
{
	static const uint8_t first[6] = { 0x00, 0x15, 0x5d, 0x7f, 0x00, 0xfe };
	static const uint8_t last[6] = { 0x00, 0x15, 0x5d, 0x7f, 0x00, 0xff };
	static const uint8_t other[6] = { 0x00, 0x16, 0x5d, 0x7f, 0x00, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x15, 0x5d, 0x7f, 0x00, 0xfe };
	struct fake *f = *state;
	struct snd_adapter *a;
	struct snd_adapter *b;

	assert_int_equal(snd_model_set_mac_pool(f->m, last, first), -EINVAL);
	assert_int_equal(snd_model_set_mac_pool(f->m, first, other), -EINVAL);
	assert_int_equal(snd_model_set_mac_pool(f->m, mcast, mcast), -EINVAL);
	assert_int_equal(snd_model_set_mac_pool(f->m, first, last), 0);
	t_switch(f, "lab", NULL);
	a = t_adapter(f, "vm1", NULL, "lab", NULL);
	b = t_adapter(f, "vm2", NULL, "lab", NULL);
	t_mac_is(a, "00:15:5d:7f:00:fe");
	t_mac_is(b, "00:15:5d:7f:00:ff");
	t_add_fails(f, "vm3", NULL, "lab", NULL, -ENOSPC,
		    "the dynamic MAC address pool is used up: give a MAC "
		    "address with --mac");
	/* A freed address is found again (the search wraps). */
	snd_model_adapter_remove(f->m, a);
	a = t_adapter(f, "vm3", NULL, "lab", NULL);
	t_mac_is(a, "00:15:5d:7f:00:fe");
}

static void
test_destroy_order(void **state)
{
	struct fake *f = *state;
	struct snd_model *m = f->m;

	t_switch(f, "b", NULL);
	t_switch(f, "a", NULL);
	t_adapter(f, "vm1", NULL, "a", NULL);
	t_adapter(f, "vm2", NULL, "b", NULL);
	f->log[0] = '\0';
	snd_model_destroy(m);
	f->m = NULL;
	assert_string_equal(f->log, "ar:vm1/eth0 ar:vm2/eth0 sd:a sd:b ");
	assert_int_equal(f->live_sw, 0);
	assert_int_equal(f->live_ad, 0);
	snd_model_destroy(NULL);
}

/* ---- values: addresses, GUIDs, VLAN lists, policies --------------------- */

static void
test_cidr_and_names(void **state)
{
	static const char *const bad[] = {
		"192.168.50.1", "192.168.50.1/33", "/24", "10.0.0.1/0",
		"10.0.0.1/024", "10.0.0.1/+4", "10.1/8", "fd00::1/129",
		"fe80::1%eth0/64", "10.0.0.1/24 ", "", "10.0.0.256/24",
		"10.0.0.1/", "a/b/c", "10.0.0.1/2x", "10.0.0.1/1234",
	};
	struct snd_ip_prefix p;
	struct snd_ip_prefix keep;
	char s[SND_CIDR_STRLEN];
	char long_ns[80];
	size_t i;

	(void)state;
	assert_int_equal(snd_cidr_parse("192.168.50.1/24", &p), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.len, 24);
	assert_memory_equal(p.addr, "\xc0\xa8\x32\x01", 4);
	snd_cidr_format(&p, s);
	assert_string_equal(s, "192.168.50.1/24");
	assert_int_equal(snd_cidr_parse("FD00:50::1/64", &p), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.len, 64);
	assert_memory_equal(p.addr,
			    "\xfd\x00\x00\x50\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	snd_cidr_format(&p, s);
	assert_string_equal(s, "fd00:50::1/64");
	assert_int_equal(snd_cidr_parse("::FFFF:255.255.255.255/128", &p), 0);
	snd_cidr_format(&p, s);
	assert_string_equal(s, "::ffff:255.255.255.255/128");
	memset(p.addr, 0xff, 16);
	snd_cidr_format(&p, s);
	assert_string_equal(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	assert_int_equal(snd_cidr_parse("10.0.0.1/32", &p), 0);
	keep = p;
	for (i = 0; i < SN_ARRAY_SIZE(bad); i++) {
		if (snd_cidr_parse(bad[i], &p) != -EINVAL) {
			fail_msg("'%s' parsed", bad[i]);
		}
	}
	assert_memory_equal(&p, &keep, sizeof(p));	/* untouched */

	assert_true(snd_devargs_valid("0000:03:00.0"));
	assert_true(snd_devargs_valid("net_af_packet0,iface=eth1"));
	assert_false(snd_devargs_valid(""));
	assert_false(snd_devargs_valid("a b"));
	assert_false(snd_devargs_valid("a\x7f"));
	memset(long_ns, 'd', 79);
	long_ns[79] = '\0';
	assert_false(snd_netns_name_valid(long_ns));
	long_ns[63] = '\0';
	assert_true(snd_netns_name_valid(long_ns));
	long_ns[64] = '\0';
	long_ns[63] = 'd';
	assert_false(snd_netns_name_valid(long_ns));
	assert_true(snd_netns_name_valid("blue"));
	assert_true(snd_netns_name_valid("ns-1.2"));
	assert_false(snd_netns_name_valid(""));
	assert_false(snd_netns_name_valid("."));
	assert_false(snd_netns_name_valid(".."));
	assert_false(snd_netns_name_valid("a/b"));
	assert_false(snd_netns_name_valid("a b"));
	assert_true(snd_host_ifname_valid("vsw-averylongsw"));
	assert_false(snd_host_ifname_valid("vsw-averylongswx"));
}

static void
test_guid_parse(void **state)
{
	static const uint8_t netvsc[16] = {
		0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46,
		0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e,
	};
	uint8_t g[16];
	char s[SND_GUID_STRLEN];

	(void)state;
	assert_int_equal(snd_guid_parse("F8615163-DF3E-46C5-913F-F2D2F965ED0E",
					g), 0);
	assert_memory_equal(g, netvsc, 16);
	snd_guid_format(g, s);
	assert_string_equal(s, "f8615163-df3e-46c5-913f-f2d2f965ed0e");
	memset(g, 0xee, sizeof(g));
	assert_int_equal(snd_guid_parse("f8615163df3e-46c5-913f-f2d2f965ed0e-",
					g), -EINVAL);
	assert_int_equal(snd_guid_parse("f8615163-df3e-46c5-913f-f2d2f965ed0g",
					g), -EINVAL);
	assert_int_equal(snd_guid_parse("f8615163-df3e-46c5-913f-f2d2f965ed0",
					g), -EINVAL);
	assert_int_equal(snd_guid_parse("", g), -EINVAL);
	assert_int_equal(g[0], 0xee);
}

/* Expect snd_vlan_list_parse(s) to fail with msg, allowed untouched. */
static void
t_vlan_bad(const char *s, const char *msg)
{
	uint64_t a[VSW_VLAN_WORDS];
	uint64_t b[VSW_VLAN_WORDS];
	char err[160];

	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(a));
	assert_int_equal(snd_vlan_list_parse(s, a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	assert_memory_equal(a, b, sizeof(a));
}

static void
test_vlan_list(void **state)
{
	static const char *const syntax[] = {
		"10,,20", "", "10,", ",10", "10-", "-10", "a", "10 ,20",
		"010", "1-2-3", "10;20",
	};
	uint64_t a[VSW_VLAN_WORDS];
	char *buf = malloc(SND_VLAN_LIST_STRMAX);
	char err[160];
	char msg[160];
	unsigned int v;
	size_t i;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(snd_vlan_list_parse("10,20,30-40", a, err,
					     sizeof(err)), 0);
	for (v = 0; v < 4096; v++) {
		bool want = v == 10 || v == 20 || (v >= 30 && v <= 40);

		assert_int_equal((a[v / 64] >> (v % 64)) & 1, want);
	}
	assert_int_equal(snd_vlan_list_format(a, buf, SND_VLAN_LIST_STRMAX),
			 11);
	assert_string_equal(buf, "10,20,30-40");
	/* too small a buffer: cut at an item, terminated */
	assert_int_equal(snd_vlan_list_format(a, buf, 8), -ENOSPC);
	assert_string_equal(buf, "10,20");
	assert_int_equal(snd_vlan_list_parse("4094,1,2,3", a, err,
					     sizeof(err)), 0);
	snd_vlan_list_format(a, buf, SND_VLAN_LIST_STRMAX);
	assert_string_equal(buf, "1-3,4094");
	assert_int_equal(snd_vlan_list_parse("5-5", a, err, sizeof(err)), 0);
	snd_vlan_list_format(a, buf, SND_VLAN_LIST_STRMAX);
	assert_string_equal(buf, "5");
	assert_int_equal(snd_vlan_list_parse("1-4094", a, err, sizeof(err)),
			 0);
	snd_vlan_list_format(a, buf, SND_VLAN_LIST_STRMAX);
	assert_string_equal(buf, "1-4094");
	assert_int_equal(a[0] & 1, 0);			/* VLAN 0 */
	assert_int_equal(a[63] >> 63, 0);		/* VLAN 4095 */

	t_vlan_bad("4095", "bad VLAN id 4095: use 1..4094");
	t_vlan_bad("0", "bad VLAN id 0: use 1..4094");
	t_vlan_bad("10-4095", "bad VLAN id 4095: use 1..4094");
	t_vlan_bad("1,123456", "bad VLAN id 123456: use 1..4094");
	t_vlan_bad("40-30", "bad VLAN range 40-30: write the lower id first");
	for (i = 0; i < SN_ARRAY_SIZE(syntax); i++) {
		snprintf(msg, sizeof(msg), "bad VLAN list '%s': write ids and "
			 "ranges like 10,20,30-40", syntax[i]);
		t_vlan_bad(syntax[i], msg);
	}

	/* The longest list there is: every odd VLAN, 1,3,...,4093. */
	memset(a, 0, sizeof(a));
	for (v = 1; v <= 4093; v += 2) {
		a[v / 64] |= UINT64_C(1) << (v % 64);
	}
	assert_int_equal(snd_vlan_list_format(a, buf, SND_VLAN_LIST_STRMAX),
			 9679);
	{
		uint64_t back[VSW_VLAN_WORDS];

		assert_int_equal(snd_vlan_list_parse(buf, back, err,
						     sizeof(err)), 0);
		assert_memory_equal(back, a, sizeof(a));
	}
	free(buf);
}

static void
t_policy_bad(const struct vsw_policy_cfg *p, const char *msg)
{
	char err[200];

	assert_int_equal(snd_policy_check(p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void
test_policy_check(void **state)
{
	struct vsw_policy_cfg p;
	char err[200];

	(void)state;
	vsw_policy_cfg_init(&p);
	assert_int_equal(snd_policy_check(&p, err, sizeof(err)), 0);
	p.vlan_mode = VSW_VLAN_ACCESS;
	t_policy_bad(&p, "bad VLAN id 0: use 1..4094");
	p.access_vlan = 4095;
	t_policy_bad(&p, "bad VLAN id 4095: use 1..4094");
	p.access_vlan = 10;
	assert_int_equal(snd_policy_check(&p, err, sizeof(err)), 0);
	p.native_vlan = 3;
	t_policy_bad(&p, "VLAN settings of another mode than 'access' are "
		     "set");

	vsw_policy_cfg_init(&p);
	p.vlan_mode = VSW_VLAN_TRUNK;
	t_policy_bad(&p, "a trunk needs at least one VLAN: --vlan-trunk LIST, "
		     "e.g. 10,20,30-40");
	vsw_vlan_allow(&p, 10);
	assert_int_equal(snd_policy_check(&p, err, sizeof(err)), 0);
	p.native_vlan = 20;
	t_policy_bad(&p, "native VLAN 20 is not in the trunk's VLAN list: add "
		     "it to --vlan-trunk, or use --native 0");
	p.native_vlan = 4095;
	t_policy_bad(&p, "bad native VLAN id 4095: use 0..4094 (0: untagged "
		     "frames are dropped)");
	p.native_vlan = 10;
	assert_int_equal(snd_policy_check(&p, err, sizeof(err)), 0);
	p.allowed[63] |= UINT64_C(1) << 63;		/* VLAN 4095 */
	t_policy_bad(&p, "bad VLAN id 4095: use 1..4094");
	p.allowed[63] = 0;
	p.allowed[0] |= 1;				/* VLAN 0 */
	t_policy_bad(&p, "bad VLAN id 0: use 1..4094");

	vsw_policy_cfg_init(&p);
	p.access_vlan = 5;
	t_policy_bad(&p, "VLAN settings of another mode than 'untagged' are "
		     "set");
	vsw_policy_cfg_init(&p);
	p.mirror = (enum vsw_mirror_mode)3;
	t_policy_bad(&p, "unknown mirroring mode 3");
	vsw_policy_cfg_init(&p);
	p.vlan_mode = (enum vsw_vlan_mode)3;
	t_policy_bad(&p, "unknown VLAN mode 3");
}

/* ---- switch types, model API -------------------------------------------- */

/* Create a switch with cfg c that must fail with rc and msg, changing
 * nothing and calling no hook. */
static void
t_cfg_fails(struct fake *f, const struct snd_switch_cfg *c, int rc,
	    const char *msg)
{
	struct snd_switch_req rq = { .name = "bad", .cfg = c };
	struct snd_switch *sw = (struct snd_switch *)0x1;
	uint32_t n = snd_model_switch_count(f->m);
	uint64_t gen = snd_model_generation(f->m);
	char err[320];

	f->log[0] = '\0';
	assert_int_equal(snd_model_switch_create_req(f->m, &rq, &sw, err,
						     sizeof(err)), rc);
	assert_string_equal(err, msg);
	assert_ptr_equal(sw, (struct snd_switch *)0x1);
	assert_int_equal(snd_model_switch_count(f->m), n);
	assert_int_equal(snd_model_generation(f->m), gen);
	assert_string_equal(f->log, "");
}

static struct snd_switch *
t_switch_cfg(struct fake *f, const char *name, const struct snd_switch_cfg *c)
{
	struct snd_switch_req rq = { .name = name, .cfg = c };
	struct snd_switch *sw = NULL;
	char err[320];
	int rc;

	rc = snd_model_switch_create_req(f->m, &rq, &sw, err, sizeof(err));
	if (rc != 0) {
		fail_msg("switch_create_req %s: %d %s", name, rc, err);
	}
	return sw;
}

#define T_NO_VNIC "has no host vNIC: --host-ip and --host-netns need " \
	"--type internal, or --type external with --allow-management-os"

static void
test_switch_types_model(void **state)
{
	struct fake *f = *state;
	struct snd_switch_cfg c;
	struct snd_switch *sw;
	struct snd_switch *a;
	char err[320];
	uint32_t i;

	snd_switch_cfg_init(&c, SND_SWITCH_INTERNAL);
	assert_int_equal(snd_cidr_parse("192.168.50.1/24", &c.host_ips[0]), 0);
	assert_int_equal(snd_cidr_parse("fd00:50::1/64", &c.host_ips[1]), 0);
	c.n_host_ips = 2;
	strcpy(c.host_netns, "blue");
	sw = t_switch_cfg(f, "lab", &c);
	assert_memory_equal(&sw->cfg, &c, sizeof(c));
	assert_string_equal(sw->host_ifname, "vsw-lab");
	assert_true(snd_switch_has_host_vnic(&sw->cfg));

	snd_switch_cfg_init(&c, SND_SWITCH_EXTERNAL);
	strcpy(c.uplink, "net_af_packet0,iface=eth1");
	sw = t_switch_cfg(f, "wan", &c);
	assert_false(snd_switch_has_host_vnic(&sw->cfg));
	c.allow_management_os = true;
	assert_true(snd_switch_has_host_vnic(&c));
	assert_string_equal(sw->host_ifname, "vsw-wan");
	/* one uplink, one switch */
	t_cfg_fails(f, &c, -EEXIST, "uplink 'net_af_packet0,iface=eth1' is "
		    "already used by switch 'wan': one uplink serves one "
		    "switch");

	/* host vNIC names: cut to 15 characters, then numbered */
	a = t_switch_cfg(f, "averylongswitchname1", NULL);
	assert_string_equal(a->host_ifname, "vsw-averylongsw");
	a = t_switch_cfg(f, "averylongswitchname2", NULL);
	assert_string_equal(a->host_ifname, "vsw-averylongs2");
	a = t_switch_cfg(f, "AVERYLONGSWITCHNAME3", NULL);
	assert_string_equal(a->host_ifname, "vsw-AVERYLONGS3");
	assert_int_equal(a->cfg.type, SND_SWITCH_PRIVATE);
	assert_int_equal(a->cfg.mac_aging_s, 300);
	assert_int_equal(a->cfg.mac_limit, 65536);

	/* an uplink the daemon cannot find: the hook's message, no switch */
	snd_switch_cfg_init(&c, SND_SWITCH_EXTERNAL);
	strcpy(c.uplink, T_MISSING_UPLINK);
	{
		struct snd_switch_req rq = { .name = "gone", .cfg = &c };

		assert_int_equal(snd_model_switch_create_req(f->m, &rq, NULL,
							     err, sizeof(err)),
				 -ENODEV);
		assert_string_equal(err, "uplink "
				    "'net_af_packet9,iface=nosuch0' does not "
				    "exist (no such interface nosuch0)");
		assert_null(snd_model_switch_find(f->m, "gone"));
	}

	/* every invalid combination */
	snd_switch_cfg_init(&c, SND_SWITCH_PRIVATE);
	strcpy(c.uplink, "eth0");
	t_cfg_fails(f, &c, -EINVAL, "only external switches have an uplink: "
		    "--uplink needs --type external");
	c.type = SND_SWITCH_INTERNAL;
	t_cfg_fails(f, &c, -EINVAL, "only external switches have an uplink: "
		    "--uplink needs --type external");
	snd_switch_cfg_init(&c, SND_SWITCH_EXTERNAL);
	t_cfg_fails(f, &c, -EINVAL, "an external switch needs --uplink "
		    "DEVARGS: a PCI address such as 0000:03:00.0, or a vdev "
		    "such as net_af_packet0,iface=eth1");
	strcpy(c.uplink, "a b");
	t_cfg_fails(f, &c, -EINVAL, "'a b' are not valid device arguments: "
		    "use 1 to 255 printable characters without blanks, e.g. "
		    "0000:03:00.0 or net_af_packet0,iface=eth1");
	strcpy(c.uplink, "eth9");
	strcpy(c.host_netns, "blue");
	t_cfg_fails(f, &c, -EINVAL, "an external switch without "
		    "--allow-management-os " T_NO_VNIC);
	snd_switch_cfg_init(&c, SND_SWITCH_INTERNAL);
	c.allow_management_os = true;
	t_cfg_fails(f, &c, -EINVAL, "--allow-management-os is for external "
		    "switches (internal switches always have a host vNIC, "
		    "private ones never)");
	snd_switch_cfg_init(&c, SND_SWITCH_PRIVATE);
	c.n_host_ips = 1;
	snd_cidr_parse("10.0.0.1/8", &c.host_ips[0]);
	t_cfg_fails(f, &c, -EINVAL, "a private switch " T_NO_VNIC);
	snd_switch_cfg_init(&c, SND_SWITCH_INTERNAL);
	strcpy(c.host_netns, "a/b");
	t_cfg_fails(f, &c, -EINVAL, "'a/b' is not a valid network namespace "
		    "name: use 1 to 63 printable characters without blanks or "
		    "'/'");
	snd_switch_cfg_init(&c, SND_SWITCH_INTERNAL);
	snd_cidr_parse("192.168.50.1/24", &c.host_ips[0]);
	snd_cidr_parse("192.168.50.1/24", &c.host_ips[1]);
	c.n_host_ips = 2;
	t_cfg_fails(f, &c, -EINVAL, "host address 192.168.50.1/24 is given "
		    "twice");
	c.n_host_ips = 1;
	snd_cidr_parse("224.0.0.1/4", &c.host_ips[0]);
	t_cfg_fails(f, &c, -EINVAL, "224.0.0.1/4 is not a usable host address: "
		    "give a unicast address such as 192.168.50.1/24 or "
		    "fd00:50::1/64");
	snd_cidr_parse("ff02::1/64", &c.host_ips[0]);
	t_cfg_fails(f, &c, -EINVAL, "ff02::1/64 is not a usable host address: "
		    "give a unicast address such as 192.168.50.1/24 or "
		    "fd00:50::1/64");
	snd_cidr_parse("0.0.0.0/8", &c.host_ips[0]);
	t_cfg_fails(f, &c, -EINVAL, "0.0.0.0/8 is not a usable host address: "
		    "give a unicast address such as 192.168.50.1/24 or "
		    "fd00:50::1/64");
	for (i = 0; i < SND_HOST_IPS_MAX; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.0.0.%u/24", i + 1);
		snd_cidr_parse(ip, &c.host_ips[i]);
	}
	c.n_host_ips = SND_HOST_IPS_MAX + 1;
	t_cfg_fails(f, &c, -EINVAL, "too many host addresses (9, at most 8)");
	snd_switch_cfg_init(&c, SND_SWITCH_PRIVATE);
	c.mac_aging_s = 9;
	t_cfg_fails(f, &c, -EINVAL, "MAC aging time 9 s is out of range: use "
		    "10 to 1000000 seconds");
	c.mac_aging_s = 1000001;
	t_cfg_fails(f, &c, -EINVAL, "MAC aging time 1000001 s is out of range: "
		    "use 10 to 1000000 seconds");
	c.mac_aging_s = 300;
	c.mac_limit = 15;
	t_cfg_fails(f, &c, -EINVAL, "MAC table limit 15 is out of range: use "
		    "16 to 1048576 entries");
	c.mac_limit = 1048577;
	t_cfg_fails(f, &c, -EINVAL, "MAC table limit 1048577 is out of range: "
		    "use 16 to 1048576 entries");
	c.mac_limit = 16;
	strcpy(c.notes, "two\nlines");
	t_cfg_fails(f, &c, -EINVAL, "notes must be one line of text (no tabs, "
		    "newlines or other control characters)");
	snd_switch_cfg_init(&c, (enum snd_switch_type)7);
	t_cfg_fails(f, &c, -EINVAL, "unknown switch type 7");

	/* the limits themselves are fine */
	snd_switch_cfg_init(&c, SND_SWITCH_PRIVATE);
	c.mac_aging_s = 10;
	c.mac_limit = 16;
	assert_int_equal(t_switch_cfg(f, "min", &c)->cfg.mac_limit, 16);
	c.mac_aging_s = 1000000;
	c.mac_limit = 1048576;
	assert_int_equal(t_switch_cfg(f, "max", &c)->cfg.mac_aging_s, 1000000);
}

static void
test_switch_restore_req(void **state)
{
	struct fake *f = *state;
	struct snd_switch_req rq = { .name = "r7", .id = 7,
				     .created = 1714564800,
				     .host_ifname = "custom0" };
	struct snd_switch *sw = NULL;
	char err[320];

	assert_int_equal(snd_model_switch_create_req(f->m, &rq, &sw, err,
						     sizeof(err)), 0);
	assert_int_equal(sw->id, 7);
	assert_int_equal(sw->created, 1714564800);
	assert_string_equal(sw->host_ifname, "custom0");
	/* ids go on after the highest one */
	assert_int_equal(t_switch(f, "next", NULL)->id, 8);
	rq.name = "r7b";
	assert_int_equal(snd_model_switch_create_req(f->m, &rq, NULL, err,
						     sizeof(err)), -EEXIST);
	assert_string_equal(err, "switch id 7 is already used by switch 'r7'");
	rq.id = 0;
	assert_int_equal(snd_model_switch_create_req(f->m, &rq, NULL, err,
						     sizeof(err)), -EEXIST);
	assert_string_equal(err, "host vNIC name 'custom0' is already used by "
			    "another switch");
	rq.host_ifname = "bad name!";
	assert_int_equal(snd_model_switch_create_req(f->m, &rq, NULL, err,
						     sizeof(err)), -EINVAL);
	assert_string_equal(err, "'bad name!' is not a valid host vNIC name: "
			    "use 1 to 15 characters from A-Z a-z 0-9 . _ -");
	/* a restored name blocks the derived one: "vsw-r7b" is free, but a
	 * switch restored as "vsw-x" pushes "x" to "vsw-x2" */
	rq.name = "y";
	rq.host_ifname = "vsw-x";
	assert_int_equal(snd_model_switch_create_req(f->m, &rq, NULL, err,
						     sizeof(err)), 0);
	assert_string_equal(t_switch(f, "x", NULL)->host_ifname, "vsw-x2");
	assert_int_equal(snd_model_switch_count(f->m), 4);
}

static void
test_switch_set_model(void **state)
{
	struct fake *f = *state;
	struct snd_switch_cfg c;
	struct snd_switch *sw;
	struct snd_switch *wan;
	uint64_t gen;
	char err[320];

	sw = t_switch(f, "lab", NULL);
	snd_switch_cfg_init(&c, SND_SWITCH_EXTERNAL);
	strcpy(c.uplink, "eth1");
	wan = t_switch_cfg(f, "wan", &c);
	f->log[0] = '\0';

	c = sw->cfg;
	c.type = SND_SWITCH_INTERNAL;
	snd_cidr_parse("192.168.50.1/24", &c.host_ips[0]);
	c.n_host_ips = 1;
	gen = snd_model_generation(f->m);
	assert_int_equal(snd_model_switch_set(f->m, sw, &c, err, sizeof(err)),
			 0);
	assert_string_equal(f->log, "ss:lab:private>internal ");
	assert_int_equal(f->last_changed,
			 SND_SWITCH_CHG_TYPE | SND_SWITCH_CHG_HOST_IPS);
	assert_int_equal(sw->cfg.type, SND_SWITCH_INTERNAL);
	assert_int_equal(snd_model_generation(f->m), gen + 1);

	/* notes only: no hook */
	f->log[0] = '\0';
	strcpy(c.notes, "bench");
	assert_int_equal(snd_model_switch_set(f->m, sw, &c, err, sizeof(err)),
			 0);
	assert_string_equal(f->log, "");
	assert_string_equal(sw->cfg.notes, "bench");
	assert_int_equal(snd_model_generation(f->m), gen + 2);
	/* nothing: no hook, no change */
	assert_int_equal(snd_model_switch_set(f->m, sw, &c, err, sizeof(err)),
			 0);
	assert_int_equal(snd_model_generation(f->m), gen + 2);

	/* every member has its bit */
	c.type = SND_SWITCH_EXTERNAL;
	strcpy(c.uplink, "eth2");
	c.allow_management_os = true;
	strcpy(c.host_netns, "blue");
	c.mac_aging_s = 600;
	c.mac_limit = 1024;
	strcpy(c.notes, "x");
	assert_int_equal(snd_model_switch_set(f->m, sw, &c, err, sizeof(err)),
			 0);
	assert_int_equal(f->last_changed,
			 SND_SWITCH_CHG_TYPE | SND_SWITCH_CHG_NOTES |
			 SND_SWITCH_CHG_UPLINK | SND_SWITCH_CHG_MGMT_OS |
			 SND_SWITCH_CHG_HOST_NETNS | SND_SWITCH_CHG_MAC_AGING |
			 SND_SWITCH_CHG_MAC_LIMIT);
	assert_memory_equal(&sw->cfg, &c, sizeof(c));

	/* the hook refuses: the old configuration stays */
	gen = snd_model_generation(f->m);
	f->fail_set = -EBUSY;
	c.mac_aging_s = 900;
	assert_int_equal(snd_model_switch_set(f->m, sw, &c, err, sizeof(err)),
			 -EBUSY);
	assert_string_equal(err, "host vNIC busy");
	f->fail_quiet = true;
	assert_int_equal(snd_model_switch_set(f->m, sw, &c, err, sizeof(err)),
			 -EBUSY);
	assert_string_equal(err, "the data plane could not change switch "
			    "'lab': Device or resource busy");
	assert_int_equal(sw->cfg.mac_aging_s, 600);
	assert_int_equal(snd_model_generation(f->m), gen);
	f->fail_set = 0;

	/* invalid: refused before the hook */
	f->log[0] = '\0';
	strcpy(c.uplink, "eth1");		/* wan's */
	assert_int_equal(snd_model_switch_set(f->m, sw, &c, err, sizeof(err)),
			 -EEXIST);
	assert_string_equal(err, "uplink 'eth1' is already used by switch "
			    "'wan': one uplink serves one switch");
	c.uplink[0] = '\0';
	assert_int_equal(snd_model_switch_set(f->m, sw, &c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(f->log, "");
	/* a switch keeps its own uplink */
	c = wan->cfg;
	strcpy(c.notes, "to the LAN");
	assert_int_equal(snd_model_switch_set(f->m, wan, &c, err, sizeof(err)),
			 0);
}

/* ---- adapters: set, connect, restore ----------------------------------- */

static void
test_adapter_set_model(void **state)
{
	static const uint8_t mac9[6] = { 0x02, 0, 0, 0, 0, 0x09 };
	static const uint8_t mcast[6] = { 0x01, 0, 0x5e, 0, 0, 0x01 };
	struct fake *f = *state;
	struct snd_adapter_set_req rq;
	struct vsw_policy_cfg p;
	struct snd_adapter *a;
	struct snd_adapter *b;
	uint8_t own[6];
	uint64_t gen;
	char err[320];

	t_switch(f, "lab", NULL);
	a = t_adapter(f, "vm1", NULL, "lab", NULL);
	b = t_adapter(f, "vm2", NULL, "lab", "02:00:00:00:00:02");
	f->log[0] = '\0';

	p = a->policy;
	p.vlan_mode = VSW_VLAN_ACCESS;
	p.access_vlan = 10;
	p.dhcp_guard = true;
	memset(&rq, 0, sizeof(rq));
	rq.policy = &p;
	gen = snd_model_generation(f->m);
	assert_int_equal(snd_model_adapter_set(f->m, a, &rq, err, sizeof(err)),
			 0);
	assert_string_equal(f->log, "as:vm1/eth0 ");
	assert_memory_equal(&f->last_policy, &p, sizeof(p));
	assert_false(f->last_mac_set);
	assert_memory_equal(&a->policy, &p, sizeof(p));
	assert_int_equal(snd_model_generation(f->m), gen + 1);

	/* MAC rules */
	memset(&rq, 0, sizeof(rq));
	rq.mac = b->mac;
	assert_int_equal(snd_model_adapter_set(f->m, a, &rq, err, sizeof(err)),
			 -EEXIST);
	assert_string_equal(err, "MAC 02:00:00:00:00:02 is already used by "
			    "vm2/eth0 on switch 'lab': choose another, or use "
			    "--mac-dynamic for a dynamic one");
	rq.mac = mcast;
	assert_int_equal(snd_model_adapter_set(f->m, a, &rq, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "01:00:5e:00:00:01 is a multicast address: an "
			    "adapter needs a unicast MAC (even first byte), or "
			    "--mac-dynamic");
	rq.mac = mac9;
	assert_int_equal(snd_model_adapter_set(f->m, a, &rq, err, sizeof(err)),
			 0);
	assert_true(f->last_mac_set);
	assert_memory_equal(f->last_mac, mac9, 6);
	assert_memory_equal(a->mac, mac9, 6);
	assert_false(a->mac_dynamic);
	assert_memory_equal(&a->policy, &p, sizeof(p));	/* kept */

	/* back to the pool: the next pool MAC (the old 00:..:01 is not
	 * handed out again so soon) */
	memset(&rq, 0, sizeof(rq));
	rq.mac_dynamic = true;
	assert_int_equal(snd_model_adapter_set(f->m, a, &rq, err, sizeof(err)),
			 0);
	t_mac_is(a, "00:15:5d:00:00:02");
	assert_true(a->mac_dynamic);
	/* already dynamic: nothing happens */
	f->log[0] = '\0';
	gen = snd_model_generation(f->m);
	assert_int_equal(snd_model_adapter_set(f->m, a, &rq, err, sizeof(err)),
			 0);
	t_mac_is(a, "00:15:5d:00:00:02");
	assert_string_equal(f->log, "");
	assert_int_equal(snd_model_generation(f->m), gen);
	/* its own MAC as a static one: no data-plane change */
	memcpy(own, a->mac, 6);
	memset(&rq, 0, sizeof(rq));
	rq.mac = own;
	assert_int_equal(snd_model_adapter_set(f->m, a, &rq, err, sizeof(err)),
			 0);
	assert_false(a->mac_dynamic);
	assert_string_equal(f->log, "");
	assert_int_equal(snd_model_generation(f->m), gen + 1);

	/* the hook refuses: nothing changes, the pool position neither */
	f->fail_set = -EBUSY;
	memset(&rq, 0, sizeof(rq));
	rq.mac_dynamic = true;
	assert_int_equal(snd_model_adapter_set(f->m, a, &rq, err, sizeof(err)),
			 -EBUSY);
	assert_string_equal(err, "the guest has the channel open: stop the VM "
			    "first");
	t_mac_is(a, "00:15:5d:00:00:02");
	assert_false(a->mac_dynamic);
	f->fail_quiet = true;
	p.router_guard = true;
	rq.policy = &p;
	assert_int_equal(snd_model_adapter_set(f->m, a, &rq, err, sizeof(err)),
			 -EBUSY);
	assert_string_equal(err, "the data plane could not change vm1/eth0: "
			    "Device or resource busy");
	assert_false(a->policy.router_guard);
	f->fail_set = 0;
	f->fail_quiet = false;
	t_mac_is(t_adapter(f, "vm3", NULL, "lab", NULL), "00:15:5d:00:00:03");

	/* a bad policy never reaches the hook */
	f->log[0] = '\0';
	p.vlan_mode = VSW_VLAN_TRUNK;
	assert_int_equal(snd_model_adapter_set(f->m, a, &rq, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(f->log, "");
}

static void
test_adapter_connect_model(void **state)
{
	struct fake *f = *state;
	struct snd_switch *lab;
	struct snd_switch *dmz;
	struct snd_adapter *a;
	struct snd_adapter *c;
	uint64_t gen;
	char err[320];

	lab = t_switch(f, "lab", NULL);
	dmz = t_switch(f, "dmz", NULL);
	a = t_adapter(f, "vm1", NULL, "lab", "02:00:00:00:00:01");
	t_adapter(f, "vm2", NULL, "dmz", "02:00:00:00:00:01");
	c = t_adapter(f, "vm3", NULL, "lab", NULL);
	f->log[0] = '\0';

	assert_int_equal(snd_model_adapter_connect(f->m, c, "DMZ", err,
						   sizeof(err)), 0);
	assert_string_equal(f->log, "ac:vm3/eth0:lab>dmz ");
	assert_ptr_equal(c->sw, dmz);
	assert_int_equal(lab->n_adapters, 1);
	assert_int_equal(dmz->n_adapters, 2);
	/* already there */
	gen = snd_model_generation(f->m);
	assert_int_equal(snd_model_adapter_connect(f->m, c, "dmz", err,
						   sizeof(err)), 0);
	assert_int_equal(snd_model_generation(f->m), gen);
	/* MAC clash on the target switch */
	assert_int_equal(snd_model_adapter_connect(f->m, a, "dmz", err,
						   sizeof(err)), -EEXIST);
	assert_string_equal(err, "MAC 02:00:00:00:00:01 of vm1/eth0 is already "
			    "used by vm2/eth0 on switch 'dmz': give the "
			    "adapter another MAC first (synthctl adapter set "
			    "vm1 --mac MAC or --mac-dynamic)");
	assert_int_equal(snd_model_adapter_connect(f->m, a, "nope", err,
						   sizeof(err)), -ENOENT);
	assert_string_equal(err, "no switch named 'nope' (synthctl switch list "
			    "shows the switches)");
	/* the hook refuses */
	f->fail_connect = -ENOSPC;
	assert_int_equal(snd_model_adapter_connect(f->m, c, "lab", err,
						   sizeof(err)), -ENOSPC);
	assert_string_equal(err, "no room on the lcore of 'lab'");
	f->fail_quiet = true;
	assert_int_equal(snd_model_adapter_connect(f->m, c, "lab", err,
						   sizeof(err)), -ENOSPC);
	assert_string_equal(err, "the data plane could not move vm3/eth0: No "
			    "space left on device");
	assert_ptr_equal(c->sw, dmz);
	assert_int_equal(lab->n_adapters, 1);
	assert_int_equal(snd_model_generation(f->m), gen);
	assert_string_equal(f->log, "ac:vm3/eth0:lab>dmz ac:vm3/eth0:dmz>lab "
			    "ac:vm3/eth0:dmz>lab ");
	/* the moved adapter counts on its new switch */
	assert_int_equal(snd_model_switch_delete(f->m, "dmz", false, NULL, err,
						 sizeof(err)), -EBUSY);
	assert_string_equal(err, "switch 'dmz' still has 2 network adapters "
			    "(vm2/eth0, vm3/eth0): remove them first or use "
			    "--force");
}

static void
test_adapter_restore_req(void **state)
{
	static const uint8_t g[16] = {
		0x6a, 0x0e, 0x3e, 0x5c, 0x2c, 0x1b, 0x5e, 0x4d,
		0x8f, 0x90, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
	};
	static const uint8_t m[6] = { 0x00, 0x15, 0x5d, 0x00, 0x00, 0x07 };
	struct fake *f = *state;
	struct vsw_policy_cfg p;
	struct snd_adapter_req rq;
	struct snd_adapter *ad = NULL;
	struct snd_model_seq seq;
	char err[320];

	t_switch(f, "lab", NULL);
	vsw_policy_cfg_init(&p);
	p.vlan_mode = VSW_VLAN_TRUNK;
	vsw_vlan_allow(&p, 10);
	vsw_vlan_allow(&p, 20);
	p.native_vlan = 10;
	memset(&rq, 0, sizeof(rq));
	rq.vm = "vm1";
	rq.sw = "lab";
	rq.mac = m;
	rq.mac_dynamic = true;
	rq.relid = 77;
	rq.instance = g;
	rq.policy = &p;
	assert_int_equal(snd_model_adapter_add(f->m, &rq, &ad, err,
					       sizeof(err)), 0);
	assert_int_equal(ad->relid, 77);
	assert_true(ad->mac_dynamic);
	assert_memory_equal(ad->mac, m, 6);
	assert_memory_equal(ad->instance, g, 16);
	assert_memory_equal(&ad->policy, &p, sizeof(p));

	rq.vm = "vm2";
	assert_int_equal(snd_model_adapter_add(f->m, &rq, NULL, err,
					       sizeof(err)), -EEXIST);
	assert_string_equal(err, "MAC 00:15:5d:00:00:07 is already used by "
			    "vm1/eth0 on switch 'lab': choose another, or omit "
			    "--mac for a dynamic one");
	rq.mac = NULL;
	rq.mac_dynamic = false;
	assert_int_equal(snd_model_adapter_add(f->m, &rq, NULL, err,
					       sizeof(err)), -EEXIST);
	assert_string_equal(err, "relid 77 is already used by vm1/eth0");
	rq.relid = 2048;
	assert_int_equal(snd_model_adapter_add(f->m, &rq, NULL, err,
					       sizeof(err)), -EINVAL);
	assert_string_equal(err, "relid 2048 is out of range: use 1 to 2047");
	rq.relid = 78;
	assert_int_equal(snd_model_adapter_add(f->m, &rq, NULL, err,
					       sizeof(err)), -EEXIST);
	assert_string_equal(err, "instance GUID is already used by vm1/eth0");
	rq.instance = NULL;
	rq.mac_dynamic = true;
	assert_int_equal(snd_model_adapter_add(f->m, &rq, NULL, err,
					       sizeof(err)), -EINVAL);
	assert_string_equal(err, "a restored dynamic MAC needs the MAC");
	rq.mac_dynamic = false;
	p.native_vlan = 30;
	assert_int_equal(snd_model_adapter_add(f->m, &rq, NULL, err,
					       sizeof(err)), -EINVAL);
	assert_string_equal(err, "native VLAN 30 is not in the trunk's VLAN "
			    "list: add it to --vlan-trunk, or use --native 0");
	assert_int_equal(snd_model_adapter_count(f->m), 1);

	/* the allocators did not move for the restored adapter */
	snd_model_seq_get(f->m, &seq);
	assert_memory_equal(seq.mac_next, "\x00\x15\x5d\x00\x00\x01", 6);
	assert_int_equal(seq.next_relid, 1);
	assert_int_equal(seq.next_switch_id, 2);
	/* and continue where they are told to */
	memcpy(seq.mac_next, "\x00\x15\x5d\x00\x00\x10", 6);
	seq.next_relid = 100;
	seq.next_switch_id = 1;		/* below switch 1: becomes 2 */
	assert_int_equal(snd_model_seq_set(f->m, &seq), 0);
	snd_model_seq_get(f->m, &seq);
	assert_memory_equal(seq.mac_next, "\x00\x15\x5d\x00\x00\x10", 6);
	assert_int_equal(seq.next_relid, 100);
	assert_int_equal(seq.next_switch_id, 2);
	ad = t_adapter(f, "vm3", NULL, "lab", NULL);
	t_mac_is(ad, "00:15:5d:00:00:10");
	assert_int_equal(ad->relid, 100);
	seq.next_relid = 0;
	assert_int_equal(snd_model_seq_set(f->m, &seq), -EINVAL);
	seq.next_relid = 2048;
	assert_int_equal(snd_model_seq_set(f->m, &seq), -EINVAL);
	seq.next_relid = 5;
	seq.next_switch_id = 0;
	assert_int_equal(snd_model_seq_set(f->m, &seq), -EINVAL);
	/* outside the pool: back to its start */
	seq.next_switch_id = 9;
	memcpy(seq.mac_next, "\x02\x00\x00\x00\x00\x01", 6);
	assert_int_equal(snd_model_seq_set(f->m, &seq), 0);
	snd_model_seq_get(f->m, &seq);
	assert_memory_equal(seq.mac_next, "\x00\x15\x5d\x00\x00\x01", 6);
	assert_int_equal(seq.next_switch_id, 9);
}

static void
test_generation_save(void **state)
{
	struct fake *f = *state;
	uint64_t gen = snd_model_generation(f->m);
	char err[200];

	assert_int_equal(gen, 0);
	assert_false(snd_model_unsaved(f->m));
	t_switch(f, "lab", NULL);
	t_adapter(f, "vm1", NULL, "lab", NULL);
	assert_int_equal(snd_model_generation(f->m), 2);
	assert_true(snd_model_unsaved(f->m));
	f->fail_save = -ENOSPC;
	assert_int_equal(snd_model_save(f->m, err, sizeof(err)), -ENOSPC);
	assert_string_equal(err, "could not write "
			    "/var/lib/synthnet/config.json.tmp: No space left "
			    "on device");
	assert_true(snd_model_unsaved(f->m));
	f->fail_quiet = true;
	assert_int_equal(snd_model_save(f->m, err, sizeof(err)), -ENOSPC);
	assert_string_equal(err, "No space left on device");
	f->fail_save = 0;
	assert_int_equal(snd_model_save(f->m, err, sizeof(err)), 0);
	assert_false(snd_model_unsaved(f->m));
	assert_int_equal(f->saves, 1);
	snd_model_adapter_remove(f->m, snd_model_adapter_find(f->m, "vm1",
							      NULL));
	assert_int_equal(snd_model_generation(f->m), 3);
	assert_int_equal(snd_model_switch_delete(f->m, "lab", false, NULL, err,
						 sizeof(err)), 0);
	assert_int_equal(snd_model_generation(f->m), 4);
	snd_model_set_saved(f->m);
	assert_false(snd_model_unsaved(f->m));
}

/* ---- commands ------------------------------------------------------------ */

/* Run a command line; returns the status, output in out (reset first). */
static unsigned int
t_exec(struct fake *f, struct snctl_out *out, bool json, int argc, ...)
{
	const char *argv[24];
	va_list ap;
	int i;

	assert_true(argc <= 24);
	va_start(ap, argc);
	for (i = 0; i < argc; i++) {
		argv[i] = va_arg(ap, const char *);
	}
	va_end(ap);
	snctl_out_reset(out);
	return snd_ctl_exec(f->m, argc, argv, json, out);
}

/* The arguments of switch create, as the help table has them. */
#define T_CREATE_ARGS \
	"NAME --type private|internal|external [--notes TEXT] " \
	"[--host-ip CIDR]... [--host-netns NS] [--uplink DEVARGS] " \
	"[--allow-management-os] [--mac-aging SECONDS] [--mac-limit N]"

/* Expect a command to succeed. */
#define T_OK(f, out, json, ...) \
	assert_int_equal(t_exec(f, out, json, __VA_ARGS__), 0)

static void
t_iso(time_t t, char *buf, size_t cap)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
test_cmd_switches_text(void **state)
{
	struct fake *f = *state;
	struct snd_switch *sw;
	struct snctl_out out;
	char expect[512];
	char ts[32];

	snctl_out_init(&out, 0);
	T_OK(f, &out, false, 2, "switch", "list");
	assert_string_equal(snctl_out_str(&out),
			    "no switches (create one with: synthctl switch "
			    "create NAME --type private)\n");

	T_OK(f, &out, false, 6, "switch", "create", "lab", "--type",
	     "Private", "--notes=Lab network");
	sw = snd_model_switch_find(f->m, "lab");
	assert_non_null(sw);
	t_iso(sw->created, ts, sizeof(ts));
	snprintf(expect, sizeof(expect),
		 "Name            : lab\n"
		 "Id              : 1\n"
		 "SwitchType      : Private\n"
		 "Notes           : Lab network\n"
		 "Created         : %s\n"
		 "Adapters        : 0\n"
		 "MacAgingSeconds : 300\n"
		 "MacTableLimit   : 65536\n", ts);
	assert_string_equal(snctl_out_str(&out), expect);

	/* "--" lets a name start with '-' */
	T_OK(f, &out, false, 6, "switch", "create", "--type", "private", "--",
	     "-edge");
	T_OK(f, &out, false, 4, "adapter", "add", "vm1", "--switch=lab");
	T_OK(f, &out, false, 2, "switch", "list");
	assert_string_equal(snctl_out_str(&out),
			    "Name  SwitchType Adapters Uplink HostInterface "
			    "Notes\n"
			    "----  ---------- -------- ------ ------------- "
			    "-----\n"
			    "-edge Private           0\n"
			    "lab   Private           1                      "
			    "Lab network\n");

	T_OK(f, &out, false, 3, "switch", "show", "LAB");
	snprintf(expect, sizeof(expect),
		 "Name            : lab\n"
		 "Id              : 1\n"
		 "SwitchType      : Private\n"
		 "Notes           : Lab network\n"
		 "Created         : %s\n"
		 "Adapters        : 1\n"
		 "MacAgingSeconds : 300\n"
		 "MacTableLimit   : 65536\n"
		 "\n"
		 "VMName Name SwitchName MacAddress        Vlan     Relid "
		 "Status\n"
		 "------ ---- ---------- ----------        ----     ----- "
		 "------\n"
		 "vm1    eth0 lab        00:15:5d:00:00:01 untagged     1 "
		 "open\n", ts);
	assert_string_equal(snctl_out_str(&out), expect);

	assert_int_equal(t_exec(f, &out, false, 3, "switch", "delete", "lab"),
			 1);
	assert_string_equal(snctl_out_str(&out),
			    "switch 'lab' still has 1 network adapter "
			    "(vm1/eth0): remove it first or use --force\n");
	T_OK(f, &out, false, 4, "switch", "delete", "lab", "--force");
	assert_string_equal(snctl_out_str(&out),
			    "deleted switch 'lab' and removed its 1 network "
			    "adapter\n");
	/* without "--" it is an option */
	assert_int_equal(t_exec(f, &out, false, 3, "switch", "delete",
				"-edge"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "unknown option '-edge' for 'synthctl switch "
			    "delete' (options: --force --json --help)\n"
			    "usage: synthctl switch delete NAME [--force]\n");
	T_OK(f, &out, false, 4, "switch", "delete", "--", "-edge");
	assert_string_equal(snctl_out_str(&out), "deleted switch '-edge'\n");
	snctl_out_fini(&out);
}

static void
test_cmd_switches_json(void **state)
{
	struct fake *f = *state;
	struct snd_switch *sw;
	struct snctl_out out;
	char expect[1024];
	char ts[32];

	snctl_out_init(&out, 0);
	T_OK(f, &out, true, 2, "switch", "list");
	assert_string_equal(snctl_out_str(&out), "[]\n");
	assert_int_equal(t_exec(f, &out, true, 7, "switch", "create", "lab",
				"--type", "private", "--notes",
				"say \"hi\"\t\xe2\x82\xac"), 1);
	/* the tab made that fail: notes are one line */
	assert_int_equal(snd_model_switch_count(f->m), 0);
	snctl_out_reset(&out);
	assert_int_equal(t_exec(f, &out, true, 7, "switch", "create", "lab",
				"--type", "private", "--notes",
				"say \"hi\" \xe2\x82\xac"), 0);
	sw = snd_model_switch_find(f->m, "lab");
	t_iso(sw->created, ts, sizeof(ts));
	/* --json after the command works like the request flag */
	T_OK(f, &out, false, 3, "switch", "list", "--json");
	snprintf(expect, sizeof(expect),
		 "[\n"
		 "  {\n"
		 "    \"name\": \"lab\",\n"
		 "    \"id\": 1,\n"
		 "    \"type\": \"private\",\n"
		 "    \"notes\": \"say \\\"hi\\\" \xe2\x82\xac\",\n"
		 "    \"created\": \"%s\",\n"
		 "    \"adapters\": 0,\n"
		 "    \"uplink\": \"\",\n"
		 "    \"allow_management_os\": false,\n"
		 "    \"host_vnic\": false,\n"
		 "    \"host_ifname\": \"vsw-lab\",\n"
		 "    \"host_ips\": [],\n"
		 "    \"host_netns\": \"\",\n"
		 "    \"mac_aging_s\": 300,\n"
		 "    \"mac_limit\": 65536\n"
		 "  }\n"
		 "]\n", ts);
	assert_string_equal(snctl_out_str(&out), expect);

	T_OK(f, &out, true, 3, "switch", "delete", "lab");
	assert_string_equal(snctl_out_str(&out),
			    "{\n"
			    "  \"deleted\": \"lab\",\n"
			    "  \"adapters_removed\": 0\n"
			    "}\n");
	snctl_out_fini(&out);
}

static void
test_cmd_adapters(void **state)
{
	struct fake *f = *state;
	struct snd_adapter *ad;
	struct snctl_out out;
	char guid[SND_GUID_STRLEN];
	char expect[1024];

	snctl_out_init(&out, 0);
	t_switch(f, "lab", NULL);
	T_OK(f, &out, false, 8, "adapter", "add", "vm1", "--switch", "lab",
	     "--mac", "00155D001001", "--json");
	ad = snd_model_adapter_find(f->m, "vm1", "eth0");
	assert_non_null(ad);
	snd_guid_format(ad->instance, guid);
	snprintf(expect, sizeof(expect),
		 "{\n"
		 "  \"vm\": \"vm1\",\n"
		 "  \"name\": \"eth0\",\n"
		 "  \"switch\": \"lab\",\n"
		 "  \"mac\": \"00:15:5d:00:10:01\",\n"
		 "  \"mac_dynamic\": false,\n"
		 "  \"instance_id\": \"%s\",\n"
		 "  \"relid\": 1,\n"
		 "  \"state\": \"open\",\n"
		 "  \"policy\": {\n"
		 "    \"vlan_mode\": \"untagged\",\n"
		 "    \"access_vlan\": 0,\n"
		 "    \"native_vlan\": 0,\n"
		 "    \"trunk_vlans\": \"\",\n"
		 "    \"mac_spoofing\": false,\n"
		 "    \"dhcp_guard\": false,\n"
		 "    \"router_guard\": false,\n"
		 "    \"mirror\": \"none\",\n"
		 "    \"max_bandwidth_bps\": 0,\n"
		 "    \"storm_limit_pps\": 0\n"
		 "  }\n"
		 "}\n", guid);
	assert_string_equal(snctl_out_str(&out), expect);

	T_OK(f, &out, false, 7, "adapter", "add", "vm1", "--switch", "lab",
	     "--name", "Network Adapter");
	ad = snd_model_adapter_find(f->m, "vm1", "network adapter");
	snd_guid_format(ad->instance, guid);
	snprintf(expect, sizeof(expect),
		 "VMName             : vm1\n"
		 "Name               : Network Adapter\n"
		 "SwitchName         : lab\n"
		 "MacAddress         : 00:15:5d:00:00:01\n"
		 "DynamicMacAddress  : True\n"
		 "InstanceId         : %s\n"
		 "Relid              : 2\n"
		 "Status             : open\n"
		 "VlanMode           : Untagged\n"
		 "MacAddressSpoofing : Off\n"
		 "DhcpGuard          : Off\n"
		 "RouterGuard        : Off\n"
		 "PortMirroringMode  : None\n"
		 "MaximumBandwidth   : unlimited\n"
		 "StormLimit         : unlimited\n", guid);
	assert_string_equal(snctl_out_str(&out), expect);

	T_OK(f, &out, false, 5, "adapter", "add", "db-01", "--switch", "lab");
	T_OK(f, &out, false, 2, "adapter", "list");
	assert_string_equal(snctl_out_str(&out),
			    "VMName Name            SwitchName MacAddress"
			    "        Vlan     Relid Status\n"
			    "------ ----            ---------- ----------"
			    "        ----     ----- ------\n"
			    "db-01  eth0            lab        "
			    "00:15:5d:00:00:02 untagged"
			    "     3 not-connected\n"
			    "vm1    eth0            lab        "
			    "00:15:5d:00:10:01 untagged"
			    "     1 open\n"
			    "vm1    Network Adapter lab        "
			    "00:15:5d:00:00:01 untagged"
			    "     2 open\n");
	T_OK(f, &out, false, 4, "adapter", "list", "--vm", "DB-01");
	assert_string_equal(snctl_out_str(&out),
			    "VMName Name SwitchName MacAddress        Vlan     "
			    "Relid Status\n"
			    "------ ---- ---------- ----------        ----     "
			    "----- ------\n"
			    "db-01  eth0 lab        00:15:5d:00:00:02 untagged "
			    "    3 not-connected\n");
	T_OK(f, &out, false, 4, "adapter", "list", "--vm", "nobody");
	assert_string_equal(snctl_out_str(&out),
			    "no network adapters (add one with: synthctl "
			    "adapter add VM --switch NAME)\n");
	T_OK(f, &out, true, 6, "adapter", "list", "--vm", "nobody",
	     "--switch", "lab");
	assert_string_equal(snctl_out_str(&out), "[]\n");

	/* remove: ambiguous without --name */
	assert_int_equal(t_exec(f, &out, false, 3, "adapter", "remove", "VM1"),
			 1);
	assert_string_equal(snctl_out_str(&out),
			    "VM 'vm1' has 2 network adapters (eth0, Network "
			    "Adapter): choose one with --name\n");
	assert_int_equal(t_exec(f, &out, false, 5, "adapter", "remove", "vm1",
				"--name", "eth7"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "VM 'vm1' has no network adapter named 'eth7' (it "
			    "has: eth0, Network Adapter)\n");
	assert_int_equal(t_exec(f, &out, false, 3, "adapter", "remove", "vm9"),
			 1);
	assert_string_equal(snctl_out_str(&out),
			    "VM 'vm9' has no network adapters (synthctl "
			    "adapter list shows them)\n");
	T_OK(f, &out, false, 5, "adapter", "remove", "vm1", "--name",
	     "network adapter");
	assert_string_equal(snctl_out_str(&out),
			    "removed network adapter 'Network Adapter' of VM "
			    "'vm1' (was on switch 'lab')\n");
	T_OK(f, &out, true, 3, "adapter", "remove", "vm1");
	assert_string_equal(snctl_out_str(&out),
			    "{\n"
			    "  \"removed\": {\n"
			    "    \"vm\": \"vm1\",\n"
			    "    \"name\": \"eth0\",\n"
			    "    \"switch\": \"lab\"\n"
			    "  }\n"
			    "}\n");
	assert_int_equal(snd_model_adapter_count(f->m), 1);
	snctl_out_fini(&out);
}

static void
test_cmd_stats_fdb_status(void **state)
{
	struct fake *f = *state;
	struct snctl_out out;

	snctl_out_init(&out, 0);
	t_switch(f, "lab", NULL);
	t_adapter(f, "vm1", NULL, "lab", NULL);
	t_adapter(f, "vm1", "eth1", "lab", NULL);

	T_OK(f, &out, false, 5, "adapter", "stats", "vm1", "--name", "eth1");
	assert_string_equal(snctl_out_str(&out),
			    "VMName     : vm1\n"
			    "Name       : eth1\n"
			    "SwitchName : lab\n"
			    "Status     : open\n"
			    "Drops      : 3\n"
			    "\n"
			    "Direction Packets Bytes\n"
			    "--------- ------- -----\n"
			    "From VM        20  2400\n"
			    "To VM           5   600\n"
			    "\n"
			    "DropReason Packets\n"
			    "---------- -------\n"
			    "ring-full        3\n"
			    "\n"
			    "ProtocolError Count\n"
			    "------------- -----\n"
			    "bad-rndis         2\n");
	/* without --name: every adapter of the VM, as a JSON array */
	T_OK(f, &out, true, 3, "adapter", "stats", "vm1");
	assert_string_equal(snctl_out_str(&out),
			    "[\n"
			    "  {\n"
			    "    \"vm\": \"vm1\",\n"
			    "    \"name\": \"eth0\",\n"
			    "    \"switch\": \"lab\",\n"
			    "    \"state\": \"open\",\n"
			    "    \"from_vm\": {\n"
			    "      \"packets\": 10,\n"
			    "      \"bytes\": 1200\n"
			    "    },\n"
			    "    \"to_vm\": {\n"
			    "      \"packets\": 5,\n"
			    "      \"bytes\": 600\n"
			    "    },\n"
			    "    \"drops\": {\n"
			    "      \"ring-full\": 3,\n"
			    "      \"mtu\": 0\n"
			    "    },\n"
			    "    \"protocol_errors\": {\n"
			    "      \"bad-rndis\": 2\n"
			    "    }\n"
			    "  },\n"
			    "  {\n"
			    "    \"vm\": \"vm1\",\n"
			    "    \"name\": \"eth1\",\n"
			    "    \"switch\": \"lab\",\n"
			    "    \"state\": \"open\",\n"
			    "    \"from_vm\": {\n"
			    "      \"packets\": 20,\n"
			    "      \"bytes\": 2400\n"
			    "    },\n"
			    "    \"to_vm\": {\n"
			    "      \"packets\": 5,\n"
			    "      \"bytes\": 600\n"
			    "    },\n"
			    "    \"drops\": {\n"
			    "      \"ring-full\": 3,\n"
			    "      \"mtu\": 0\n"
			    "    },\n"
			    "    \"protocol_errors\": {\n"
			    "      \"bad-rndis\": 2\n"
			    "    }\n"
			    "  }\n"
			    "]\n");
	f->fail_stats = -ENODATA;
	assert_int_equal(t_exec(f, &out, false, 3, "adapter", "stats", "vm1"),
			 1);
	assert_string_equal(snctl_out_str(&out),
			    "no statistics for vm1/eth0: No data available\n");

	T_OK(f, &out, false, 3, "fdb", "show", "lab");
	assert_string_equal(snctl_out_str(&out),
			    "the forwarding table of switch 'lab' is empty (no "
			    "frames seen yet)\n");
	f->fdb_entries = 2;
	T_OK(f, &out, false, 3, "fdb", "show", "lab");
	assert_string_equal(snctl_out_str(&out),
			    "MacAddress        Vlan Port        Age\n"
			    "----------        ---- ----        ---\n"
			    "00:15:5d:00:00:01    0 vm1/eth0     12\n"
			    "02:00:00:00:00:09   10 uplink   static\n");
	T_OK(f, &out, true, 3, "fdb", "show", "lab");
	assert_string_equal(snctl_out_str(&out),
			    "[\n"
			    "  {\n"
			    "    \"mac\": \"00:15:5d:00:00:01\",\n"
			    "    \"vlan\": 0,\n"
			    "    \"port\": \"vm1/eth0\",\n"
			    "    \"static\": false,\n"
			    "    \"age_s\": 12\n"
			    "  },\n"
			    "  {\n"
			    "    \"mac\": \"02:00:00:00:00:09\",\n"
			    "    \"vlan\": 10,\n"
			    "    \"port\": \"uplink\",\n"
			    "    \"static\": true,\n"
			    "    \"age_s\": null\n"
			    "  }\n"
			    "]\n");
	/* a dump that fails half-way leaves no partial table behind */
	f->fail_fdb = -EIO;
	assert_int_equal(t_exec(f, &out, true, 3, "fdb", "show", "lab"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "{\n"
			    "  \"error\": \"could not read the forwarding "
			    "table of switch 'lab': Input/output error\",\n"
			    "  \"status\": 1\n"
			    "}\n");

	T_OK(f, &out, false, 1, "status");
	assert_string_equal(snctl_out_str(&out),
			    "switches        : 1\n"
			    "adapters        : 2\n"
			    "unsaved_changes : 1\n"
			    "pid             : 4242\n"
			    "uptime_s        : 75\n"
			    "lcores          : 2\n"
			    "control_socket  : /run/synthnet/synthnetd.sock\n");
	T_OK(f, &out, true, 1, "status");
	assert_string_equal(snctl_out_str(&out),
			    "{\n"
			    "  \"switches\": 1,\n"
			    "  \"adapters\": 2,\n"
			    "  \"unsaved_changes\": 1,\n"
			    "  \"pid\": 4242,\n"
			    "  \"uptime_s\": 75,\n"
			    "  \"lcores\": 2,\n"
			    "  \"control_socket\": "
			    "\"/run/synthnet/synthnetd.sock\"\n"
			    "}\n");
	snctl_out_fini(&out);
}

static void
test_cmd_errors(void **state)
{
	struct fake *f = *state;
	struct snctl_out out;

	snctl_out_init(&out, 0);
	t_switch(f, "lab", NULL);

	assert_int_equal(t_exec(f, &out, false, 3, "switch", "show", "nope"),
			 1);
	assert_string_equal(snctl_out_str(&out),
			    "no switch named 'nope' (synthctl switch list "
			    "shows the switches)\n");
	assert_int_equal(t_exec(f, &out, true, 3, "fdb", "show", "nope"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "{\n"
			    "  \"error\": \"no switch named 'nope' (synthctl "
			    "switch list shows the switches)\",\n"
			    "  \"status\": 1\n"
			    "}\n");
	assert_int_equal(t_exec(f, &out, false, 5, "switch", "create", "x",
				"--type", "external"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "an external switch needs --uplink DEVARGS: a PCI "
			    "address such as 0000:03:00.0, or a vdev such as "
			    "net_af_packet0,iface=eth1\n");
	assert_int_equal(t_exec(f, &out, false, 5, "switch", "create", "x",
				"--type", "bridge"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "unknown switch type 'bridge': use private, "
			    "internal or external\n");
	assert_int_equal(t_exec(f, &out, false, 5, "switch", "create", "lab",
				"--type", "private"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "a switch named 'lab' already exists (synthctl "
			    "switch list shows the switches)\n");
	assert_int_equal(t_exec(f, &out, false, 7, "adapter", "add", "vm1",
				"--switch", "lab", "--mac", "zz"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "'zz' is not a MAC address: write it as "
			    "00:15:5d:00:10:01, 00-15-5D-00-10-01 or "
			    "00155D001001\n");
	assert_int_equal(t_exec(f, &out, false, 5, "adapter", "add", "vm1",
				"--switch", "nope"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "no switch named 'nope' (synthctl switch list "
			    "shows the switches)\n");

	/* usage errors: status 2 with the command's usage line */
	assert_int_equal(t_exec(f, &out, false, 3, "switch", "create", "x"),
			 2);
	assert_string_equal(snctl_out_str(&out),
			    "missing --type: private, internal or external\n"
			    "usage: synthctl switch create " T_CREATE_ARGS
			    "\n");
	assert_int_equal(t_exec(f, &out, false, 2, "switch", "create"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "missing switch name\n"
			    "usage: synthctl switch create " T_CREATE_ARGS
			    "\n");
	assert_int_equal(t_exec(f, &out, false, 4, "switch", "show", "a",
				"b"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "unexpected argument 'b'\n"
			    "usage: synthctl switch show NAME\n");
	assert_int_equal(t_exec(f, &out, false, 3, "switch", "list",
				"--bogus"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "unknown option '--bogus' for 'synthctl switch "
			    "list' (options: --json --help)\n"
			    "usage: synthctl switch list\n");
	assert_int_equal(t_exec(f, &out, false, 4, "adapter", "add", "vm1",
				"--switch"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "option --switch needs a value\n"
			    "usage: synthctl adapter add VM --switch NAME "
			    "[--name NIC] [--mac MAC]\n");
	assert_int_equal(t_exec(f, &out, false, 3, "adapter", "add", "vm1"),
			 2);
	assert_string_equal(snctl_out_str(&out),
			    "missing --switch: name the switch the adapter "
			    "connects to\n"
			    "usage: synthctl adapter add VM --switch NAME "
			    "[--name NIC] [--mac MAC]\n");
	assert_int_equal(t_exec(f, &out, false, 4, "switch", "delete", "lab",
				"--force=yes"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "option --force takes no value\n"
			    "usage: synthctl switch delete NAME [--force]\n");
	assert_int_equal(t_exec(f, &out, false, 7, "adapter", "list", "--vm",
				"a", "--vm", "b", "x"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "option --vm given twice\n"
			    "usage: synthctl adapter list [--switch NAME] "
			    "[--vm VM]\n");
	assert_int_equal(t_exec(f, &out, false, 1, "switch"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "missing subcommand: synthctl switch "
			    "create|set|list|show|delete\n");
	assert_int_equal(t_exec(f, &out, false, 1, "frobnicate"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "unknown command 'frobnicate' (synthctl help lists "
			    "the commands)\n");
	assert_int_equal(t_exec(f, &out, false, 2, "switch", "frob"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "unknown command 'switch frob' (synthctl help "
			    "lists the commands)\n");
	assert_int_equal(t_exec(f, &out, false, 0), 2);
	assert_string_equal(snctl_out_str(&out),
			    "no command given (synthctl help lists the "
			    "commands)\n");
	assert_int_equal(t_exec(f, &out, true, 2, "switch", "show"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "{\n"
			    "  \"error\": \"missing switch name\",\n"
			    "  \"status\": 2,\n"
			    "  \"usage\": \"synthctl switch show NAME\"\n"
			    "}\n");
	/* nothing above changed the model */
	assert_int_equal(snd_model_switch_count(f->m), 1);
	assert_int_equal(snd_model_adapter_count(f->m), 0);
	snctl_out_fini(&out);
}

static void
test_cmd_help(void **state)
{
	struct fake *f = *state;
	struct snctl_out out;
	struct snctl_out ref;
	size_t n;
	size_t i;

	/* The dispatcher and the help table list the same commands. */
	for (i = 0; snd_ctl_command_name(i) != NULL; i++) {
		assert_non_null(snctl_help_find(snd_ctl_command_name(i)));
	}
	snctl_help_table(&n);
	assert_int_equal(i, n);

	snctl_out_init(&out, 0);
	snctl_out_init(&ref, 0);
	snctl_help_render(&ref);
	T_OK(f, &out, false, 1, "help");
	assert_string_equal(snctl_out_str(&out), snctl_out_str(&ref));
	T_OK(f, &out, false, 1, "--help");
	assert_string_equal(snctl_out_str(&out), snctl_out_str(&ref));
	T_OK(f, &out, false, 3, "adapter", "add", "-h");
	assert_string_equal(snctl_out_str(&out),
			    "usage: synthctl adapter add VM --switch NAME "
			    "[--name NIC] [--mac MAC]\n");
	T_OK(f, &out, true, 1, "help");
	assert_non_null(strstr(snctl_out_str(&out),
			       "\"command\": \"fdb show\""));
	snctl_out_fini(&ref);
	snctl_out_fini(&out);
}

/* ---- commands: switch types, policies, moves, saving -------------------- */

/* The model's whole configuration as the state file has it: equal
 * snapshots before and after prove a failed command changed nothing. */
static char *
t_snap(struct fake *f)
{
	struct snctl_out o;
	char *s;

	snctl_out_init(&o, 0);
	assert_int_equal(snd_state_render(f->m, &o), 0);
	s = strdup(snctl_out_str(&o));
	assert_non_null(s);
	snctl_out_fini(&o);
	return s;
}

/*
 * Run a command that must fail with status st; its first output line must
 * be msg (st 1: the only line), and the model must be as before: same
 * configuration, same generation, nothing saved.
 */
static void
t_fail(struct fake *f, unsigned int st, const char *msg, int argc, ...)
{
	const char *argv[24];
	struct snctl_out out;
	uint64_t gen = snd_model_generation(f->m);
	unsigned int saves = f->saves;
	char *before = t_snap(f);
	char *after;
	const char *nl;
	va_list ap;
	int i;

	assert_true(argc <= 24);
	va_start(ap, argc);
	for (i = 0; i < argc; i++) {
		argv[i] = va_arg(ap, const char *);
	}
	va_end(ap);
	snctl_out_init(&out, 0);
	assert_int_equal(snd_ctl_exec(f->m, argc, argv, false, &out), st);
	nl = strchr(snctl_out_str(&out), '\n');
	assert_non_null(nl);
	if (strlen(msg) != (size_t)(nl - snctl_out_str(&out)) ||
	    strncmp(snctl_out_str(&out), msg, strlen(msg)) != 0) {
		fail_msg("got '%s', want '%s'", snctl_out_str(&out), msg);
	}
	if (st == SNCTL_STATUS_ERROR) {
		assert_int_equal(nl[1], '\0');
	} else {
		assert_true(strncmp(nl + 1, "usage: synthctl ", 16) == 0);
	}
	after = t_snap(f);
	assert_string_equal(after, before);
	assert_int_equal(snd_model_generation(f->m), gen);
	assert_int_equal(f->saves, saves);
	free(before);
	free(after);
	snctl_out_fini(&out);
}

static void
test_cmd_switch_types(void **state)
{
	struct fake *f = *state;
	struct snd_switch *sw;
	struct snctl_out out;
	char expect[2048];
	char ts[32];
	char ts2[32];

	snctl_out_init(&out, 0);
	T_OK(f, &out, false, 17, "switch", "create", "lab", "--type",
	     "internal", "--host-ip", "192.168.50.1/24", "--host-ip",
	     "FD00:50::1/64", "--host-netns", "blue", "--notes", "Lab",
	     "--mac-aging", "600", "--mac-limit", "1024");
	sw = snd_model_switch_find(f->m, "lab");
	t_iso(sw->created, ts, sizeof(ts));
	snprintf(expect, sizeof(expect),
		 "Name            : lab\n"
		 "Id              : 1\n"
		 "SwitchType      : Internal\n"
		 "Notes           : Lab\n"
		 "Created         : %s\n"
		 "Adapters        : 0\n"
		 "HostInterface   : vsw-lab\n"
		 "HostAddresses   : 192.168.50.1/24, fd00:50::1/64\n"
		 "HostNetns       : blue\n"
		 "MacAgingSeconds : 600\n"
		 "MacTableLimit   : 1024\n", ts);
	assert_string_equal(snctl_out_str(&out), expect);

	T_OK(f, &out, true, 10, "switch", "create", "wan", "--type",
	     "External", "--uplink", "net_af_packet0,iface=eth1",
	     "--allow-management-os", "--host-ip", "10.1.0.2/16");
	sw = snd_model_switch_find(f->m, "wan");
	t_iso(sw->created, ts2, sizeof(ts2));
	snprintf(expect, sizeof(expect),
		 "{\n"
		 "  \"name\": \"wan\",\n"
		 "  \"id\": 2,\n"
		 "  \"type\": \"external\",\n"
		 "  \"notes\": \"\",\n"
		 "  \"created\": \"%s\",\n"
		 "  \"adapters\": 0,\n"
		 "  \"uplink\": \"net_af_packet0,iface=eth1\",\n"
		 "  \"allow_management_os\": true,\n"
		 "  \"host_vnic\": true,\n"
		 "  \"host_ifname\": \"vsw-wan\",\n"
		 "  \"host_ips\": [\n"
		 "    \"10.1.0.2/16\"\n"
		 "  ],\n"
		 "  \"host_netns\": \"\",\n"
		 "  \"mac_aging_s\": 300,\n"
		 "  \"mac_limit\": 65536,\n"
		 "  \"adapter_list\": []\n"
		 "}\n", ts2);
	assert_string_equal(snctl_out_str(&out), expect);
	T_OK(f, &out, false, 3, "switch", "show", "wan");
	snprintf(expect, sizeof(expect),
		 "Name              : wan\n"
		 "Id                : 2\n"
		 "SwitchType        : External\n"
		 "Notes             :\n"
		 "Created           : %s\n"
		 "Adapters          : 0\n"
		 "Uplink            : net_af_packet0,iface=eth1\n"
		 "AllowManagementOS : True\n"
		 "HostInterface     : vsw-wan\n"
		 "HostAddresses     : 10.1.0.2/16\n"
		 "MacAgingSeconds   : 300\n"
		 "MacTableLimit     : 65536\n", ts2);
	assert_string_equal(snctl_out_str(&out), expect);
	T_OK(f, &out, false, 5, "switch", "create", "iso", "--type",
	     "private");
	T_OK(f, &out, false, 2, "switch", "list");
	assert_string_equal(snctl_out_str(&out),
			    "Name SwitchType Adapters Uplink                   "
			    " HostInterface Notes\n"
			    "---- ---------- -------- ------                   "
			    " ------------- -----\n"
			    "iso  Private           0\n"
			    "lab  Internal          0                          "
			    " vsw-lab       Lab\n"
			    "wan  External          0 net_af_packet0,iface=eth1"
			    " vsw-wan\n");

	/* every failure: one line, nothing changed */
	t_fail(f, 1, "'10.0.0.1' is not an address with prefix length: write "
	       "it as 192.168.50.1/24 or fd00:50::1/64 (none: no address)", 7,
	       "switch", "create", "x", "--type", "internal", "--host-ip",
	       "10.0.0.1");
	t_fail(f, 1, "only external switches have an uplink: --uplink needs "
	       "--type external", 7, "switch", "create", "x", "--type",
	       "private", "--uplink", "eth0");
	t_fail(f, 1, "an external switch needs --uplink DEVARGS: a PCI address "
	       "such as 0000:03:00.0, or a vdev such as "
	       "net_af_packet0,iface=eth1", 5, "switch", "create", "x",
	       "--type", "external");
	f->log[0] = '\0';
	t_fail(f, 1, "uplink 'net_af_packet9,iface=nosuch0' does not exist (no "
	       "such interface nosuch0)", 7, "switch", "create", "x", "--type",
	       "external", "--uplink", T_MISSING_UPLINK);
	assert_string_equal(f->log, "sc:x ");
	t_fail(f, 1, "uplink 'net_af_packet0,iface=eth1' is already used by "
	       "switch 'wan': one uplink serves one switch", 7, "switch",
	       "create", "x", "--type", "external", "--uplink",
	       "net_af_packet0,iface=eth1");
	t_fail(f, 1, "MAC aging time 5 s is out of range: use 10 to 1000000 "
	       "seconds", 7, "switch", "create", "x", "--type", "internal",
	       "--mac-aging", "5");
	t_fail(f, 1, "bad value 'abc' for --mac-aging: give seconds, 10 to "
	       "1000000", 7, "switch", "create", "x", "--type", "internal",
	       "--mac-aging", "abc");
	t_fail(f, 1, "bad value '99999999999' for --mac-aging: give seconds, "
	       "10 to 1000000", 7, "switch", "create", "x", "--type",
	       "internal", "--mac-aging", "99999999999");
	t_fail(f, 1, "MAC table limit 8 is out of range: use 16 to 1048576 "
	       "entries", 7, "switch", "create", "x", "--type", "internal",
	       "--mac-limit", "8");
	t_fail(f, 1, "'a/b' is not a valid network namespace name: use 1 to 63 "
	       "printable characters without blanks or '/'", 7, "switch",
	       "create", "x", "--type", "internal", "--host-netns", "a/b");
	t_fail(f, 1, "--allow-management-os is for external switches "
	       "(internal switches always have a host vNIC, private ones "
	       "never)", 6, "switch", "create", "x", "--type", "private",
	       "--allow-management-os");
	t_fail(f, 1, "a private switch has no host vNIC: --host-ip and "
	       "--host-netns need --type internal, or --type external with "
	       "--allow-management-os", 7, "switch", "create", "x", "--type",
	       "private", "--host-ip", "10.0.0.1/8");
	t_fail(f, 1, "an external switch without --allow-management-os has no "
	       "host vNIC: --host-ip and --host-netns need --type internal, "
	       "or --type external with --allow-management-os", 9, "switch",
	       "create", "x", "--type", "external", "--uplink", "eth7",
	       "--host-netns", "blue");
	t_fail(f, 1, "device arguments are too long (256 bytes, at most 255)",
	       7, "switch", "create", "x", "--type", "external", "--uplink",
	       "0123456789012345678901234567890123456789012345678901234567890"
	       "1234567890123456789012345678901234567890123456789012345678901"
	       "2345678901234567890123456789012345678901234567890123456789012"
	       "3456789012345678901234567890123456789012345678901234567890123"
	       "456789012345");
	t_fail(f, 2, "option --host-ip given more than 8 times", 23, "switch",
	       "create", "x", "--type", "internal", "--host-ip", "10.0.0.1/8",
	       "--host-ip", "10.0.0.2/8", "--host-ip", "10.0.0.3/8",
	       "--host-ip", "10.0.0.4/8", "--host-ip", "10.0.0.5/8",
	       "--host-ip", "10.0.0.6/8", "--host-ip", "10.0.0.7/8",
	       "--host-ip", "10.0.0.8/8", "--host-ip", "10.0.0.9/8");
	t_fail(f, 2, "option --allow-management-os takes no value", 6,
	       "switch", "create", "x", "--type", "external",
	       "--allow-management-os=on");
	t_fail(f, 2, "missing --type: private, internal or external", 5,
	       "switch", "create", "x", "--uplink", "eth0");
	snctl_out_fini(&out);
}

/* The value of key in text output (the rest of its line), or "". */
static const char *
t_field(const char *text, const char *key, char *buf, size_t cap)
{
	const char *p = text;
	size_t klen = strlen(key);

	buf[0] = '\0';
	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			const char *v = strstr(p, ": ");
			const char *e = strchr(p, '\n');

			if (v != NULL && e != NULL && v < e) {
				snprintf(buf, cap, "%.*s", (int)(e - v - 2),
					 v + 2);
			}
			return buf;
		}
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return buf;
}

#define T_FIELD(out, key) t_field(snctl_out_str(out), key, fb, sizeof(fb))

static void
test_cmd_switch_set(void **state)
{
	struct fake *f = *state;
	struct snd_switch *sw;
	struct snctl_out out;
	char fb[128];

	snctl_out_init(&out, 0);
	T_OK(f, &out, false, 5, "switch", "create", "lab", "--type",
	     "private");
	T_OK(f, &out, false, 5, "adapter", "add", "vm1", "--switch", "lab");
	sw = snd_model_switch_find(f->m, "lab");
	f->log[0] = '\0';

	/* private -> internal */
	T_OK(f, &out, false, 7, "switch", "set", "lab", "--type", "internal",
	     "--host-ip", "192.168.50.1/24");
	assert_string_equal(f->log, "ss:lab:private>internal sv ");
	assert_string_equal(T_FIELD(&out, "SwitchType"), "Internal");
	assert_string_equal(T_FIELD(&out, "HostInterface"), "vsw-lab");
	assert_string_equal(T_FIELD(&out, "HostAddresses"), "192.168.50.1/24");
	assert_string_equal(T_FIELD(&out, "Adapters"), "1");
	/* internal -> external keeps the host vNIC and its address */
	T_OK(f, &out, false, 7, "switch", "set", "lab", "--type", "external",
	     "--uplink", "net_af_xdp0,iface=eth2");
	assert_string_equal(T_FIELD(&out, "Uplink"), "net_af_xdp0,iface=eth2");
	assert_string_equal(T_FIELD(&out, "AllowManagementOS"), "True");
	assert_string_equal(T_FIELD(&out, "HostAddresses"), "192.168.50.1/24");
	/* without the management OS the host's vNIC and address go */
	f->log[0] = '\0';
	T_OK(f, &out, false, 5, "switch", "set", "lab",
	     "--allow-management-os", "off");
	assert_int_equal(f->last_changed,
			 SND_SWITCH_CHG_MGMT_OS | SND_SWITCH_CHG_HOST_IPS);
	assert_string_equal(T_FIELD(&out, "AllowManagementOS"), "False");
	assert_string_equal(T_FIELD(&out, "HostInterface"), "");
	assert_int_equal(sw->cfg.n_host_ips, 0);
	/* external -> internal drops the uplink */
	T_OK(f, &out, false, 5, "switch", "set", "lab", "--type", "internal");
	assert_string_equal(sw->cfg.uplink, "");
	assert_false(sw->cfg.allow_management_os);
	assert_string_equal(T_FIELD(&out, "HostInterface"), "vsw-lab");
	/* becoming external needs an uplink, and one that exists */
	t_fail(f, 1, "an external switch needs --uplink DEVARGS: a PCI address "
	       "such as 0000:03:00.0, or a vdev such as "
	       "net_af_packet0,iface=eth1", 5, "switch", "set", "lab",
	       "--type", "external");
	t_fail(f, 1, "uplink 'net_af_packet9,iface=nosuch0' does not exist (no "
	       "such interface nosuch0)", 7, "switch", "set", "lab", "--type",
	       "external", "--uplink", T_MISSING_UPLINK);
	t_fail(f, 1, "only external switches have an uplink: --uplink needs "
	       "--type external", 5, "switch", "set", "lab", "--uplink",
	       "eth3");
	t_fail(f, 1, "bad value 'maybe' for --allow-management-os: use on or "
	       "off", 5, "switch", "set", "lab", "--allow-management-os",
	       "maybe");
	t_fail(f, 1, "unknown switch type 'hub': use private, internal or "
	       "external", 5, "switch", "set", "lab", "--type", "hub");
	t_fail(f, 1, "no switch named 'nope' (synthctl switch list shows the "
	       "switches)", 5, "switch", "set", "nope", "--notes", "x");
	t_fail(f, 2, "nothing to change: give at least one option", 3,
	       "switch", "set", "lab");
	f->fail_set = -EBUSY;
	t_fail(f, 1, "host vNIC busy", 5, "switch", "set", "lab",
	       "--mac-aging", "60");
	f->fail_set = 0;
	/* external -> private drops uplink and host vNIC */
	T_OK(f, &out, false, 9, "switch", "set", "lab", "--type", "external",
	     "--uplink", "eth3", "--host-netns", "red");
	assert_string_equal(T_FIELD(&out, "HostNetns"), "red");
	T_OK(f, &out, false, 5, "switch", "set", "lab", "--type", "private");
	assert_string_equal(sw->cfg.uplink, "");
	assert_string_equal(sw->cfg.host_netns, "");
	assert_false(sw->cfg.allow_management_os);
	t_fail(f, 1, "a private switch has no host vNIC: --host-ip and "
	       "--host-netns need --type internal, or --type external with "
	       "--allow-management-os", 5, "switch", "set", "lab",
	       "--host-ip", "10.0.0.1/8");
	/* private -> external directly; host addresses cleared with none */
	T_OK(f, &out, false, 9, "switch", "set", "lab", "--type", "external",
	     "--uplink", "eth3", "--allow-management-os", "on");
	assert_true(sw->cfg.allow_management_os);
	T_OK(f, &out, false, 7, "switch", "set", "lab", "--host-ip",
	     "10.9.0.1/16", "--host-ip", "fd00::9/64");
	assert_string_equal(T_FIELD(&out, "HostAddresses"),
			    "10.9.0.1/16, fd00::9/64");
	T_OK(f, &out, false, 5, "switch", "set", "lab", "--host-ip", "none");
	assert_int_equal(sw->cfg.n_host_ips, 0);
	/* notes only: saved, no data-plane call */
	f->log[0] = '\0';
	T_OK(f, &out, false, 5, "switch", "set", "lab", "--notes", "bench");
	assert_string_equal(f->log, "sv ");
	T_OK(f, &out, true, 7, "switch", "set", "lab", "--mac-aging", "1000",
	     "--mac-limit", "2048");
	assert_non_null(strstr(snctl_out_str(&out), "\"mac_aging_s\": 1000,"));
	assert_non_null(strstr(snctl_out_str(&out), "\"mac_limit\": 2048,"));
	assert_non_null(strstr(snctl_out_str(&out), "\"notes\": \"bench\","));
	assert_int_equal(f->last_changed,
			 SND_SWITCH_CHG_MAC_AGING | SND_SWITCH_CHG_MAC_LIMIT);
	/* the adapter stayed on the switch through all of it */
	assert_int_equal(sw->n_adapters, 1);
	snctl_out_fini(&out);
}

static void
test_cmd_adapter_set(void **state)
{
	struct fake *f = *state;
	struct snd_adapter *ad;
	struct snctl_out out;
	char expect[2048];
	char guid[SND_GUID_STRLEN];
	char fb[128];

	snctl_out_init(&out, 0);
	t_switch(f, "lab", NULL);
	ad = t_adapter(f, "vm1", NULL, "lab", NULL);
	t_adapter(f, "vm2", NULL, "lab", "02:00:00:00:00:02");
	snd_guid_format(ad->instance, guid);
	f->log[0] = '\0';

	T_OK(f, &out, false, 5, "adapter", "set", "vm1", "--vlan-access",
	     "10");
	snprintf(expect, sizeof(expect),
		 "VMName             : vm1\n"
		 "Name               : eth0\n"
		 "SwitchName         : lab\n"
		 "MacAddress         : 00:15:5d:00:00:01\n"
		 "DynamicMacAddress  : True\n"
		 "InstanceId         : %s\n"
		 "Relid              : 1\n"
		 "Status             : open\n"
		 "VlanMode           : Access\n"
		 "AccessVlanId       : 10\n"
		 "MacAddressSpoofing : Off\n"
		 "DhcpGuard          : Off\n"
		 "RouterGuard        : Off\n"
		 "PortMirroringMode  : None\n"
		 "MaximumBandwidth   : unlimited\n"
		 "StormLimit         : unlimited\n", guid);
	assert_string_equal(snctl_out_str(&out), expect);
	assert_string_equal(f->log, "as:vm1/eth0 sv ");

	T_OK(f, &out, true, 7, "adapter", "set", "vm1", "--vlan-trunk",
	     "30-40,10,20", "--native", "10");
	assert_non_null(strstr(snctl_out_str(&out),
			       "  \"policy\": {\n"
			       "    \"vlan_mode\": \"trunk\",\n"
			       "    \"access_vlan\": 0,\n"
			       "    \"native_vlan\": 10,\n"
			       "    \"trunk_vlans\": \"10,20,30-40\",\n"));
	assert_int_equal(f->last_policy.vlan_mode, VSW_VLAN_TRUNK);
	assert_true(vsw_vlan_allowed(&f->last_policy, 35));
	assert_false(vsw_vlan_allowed(&f->last_policy, 41));
	/* a trunk keeps its native VLAN; --native alone changes it */
	T_OK(f, &out, false, 5, "adapter", "set", "vm1", "--native", "20");
	assert_string_equal(T_FIELD(&out, "NativeVlanId"), "20");
	assert_string_equal(T_FIELD(&out, "AllowedVlanIdList"), "10,20,30-40");
	t_fail(f, 1, "native VLAN 20 is not in the trunk's VLAN list: add it "
	       "to --vlan-trunk, or use --native 0", 5, "adapter", "set",
	       "vm1", "--vlan-trunk", "100-200");
	T_OK(f, &out, false, 7, "adapter", "set", "vm1", "--vlan-trunk",
	     "100-200", "--native", "0");
	assert_string_equal(T_FIELD(&out, "NativeVlanId"), "0");
	T_OK(f, &out, false, 4, "adapter", "set", "vm1", "--untagged");
	assert_string_equal(T_FIELD(&out, "VlanMode"), "Untagged");
	assert_string_equal(T_FIELD(&out, "NativeVlanId"), "");
	assert_int_equal(ad->policy.native_vlan, 0);
	assert_int_equal(ad->policy.allowed[1], 0);

	/* VLAN errors */
	t_fail(f, 1, "bad VLAN id 4095: use 1..4094", 5, "adapter", "set",
	       "vm1", "--vlan-access", "4095");
	t_fail(f, 1, "bad VLAN id 0: use 1..4094", 5, "adapter", "set", "vm1",
	       "--vlan-access", "0");
	t_fail(f, 1, "bad VLAN id 'ten': use 1..4094", 5, "adapter", "set",
	       "vm1", "--vlan-access", "ten");
	t_fail(f, 1, "bad VLAN id 4095: use 1..4094", 7, "adapter", "set",
	       "vm1", "--vlan-trunk", "10,4095", "--native", "0");
	t_fail(f, 1, "bad VLAN list '10,,20': write ids and ranges like "
	       "10,20,30-40", 7, "adapter", "set", "vm1", "--vlan-trunk",
	       "10,,20", "--native", "0");
	t_fail(f, 1, "bad native VLAN id 4095: use 0..4094 (0: untagged frames "
	       "are dropped)", 7, "adapter", "set", "vm1", "--vlan-trunk",
	       "1,2", "--native", "4095");
	t_fail(f, 1, "--vlan-trunk needs --native ID: the VLAN of untagged "
	       "frames (0: untagged frames are dropped)", 5, "adapter", "set",
	       "vm1", "--vlan-trunk", "10");
	t_fail(f, 1, "--native is for trunks: give --vlan-trunk LIST too", 5,
	       "adapter", "set", "vm1", "--native", "5");
	t_fail(f, 2, "--untagged, --vlan-access and --vlan-trunk exclude each "
	       "other", 6, "adapter", "set", "vm1", "--untagged",
	       "--vlan-access", "5");
	t_fail(f, 2, "--native goes with --vlan-trunk", 7, "adapter", "set",
	       "vm1", "--vlan-access", "5", "--native", "1");
	/* other errors */
	t_fail(f, 2, "--mac and --mac-dynamic exclude each other", 6,
	       "adapter", "set", "vm1", "--mac", "02:00:00:00:00:09",
	       "--mac-dynamic");
	t_fail(f, 2, "nothing to change: give at least one option", 3,
	       "adapter", "set", "vm1");
	t_fail(f, 2, "nothing to change: give at least one option", 5,
	       "adapter", "set", "vm1", "--name", "eth0");
	t_fail(f, 1, "bad value 'yes' for --mac-spoofing: use on or off", 5,
	       "adapter", "set", "vm1", "--mac-spoofing", "yes");
	t_fail(f, 1, "bad value 'both' for --mirror: use none, source or "
	       "destination", 5, "adapter", "set", "vm1", "--mirror", "both");
	t_fail(f, 1, "bad bandwidth '1.5G': give bits per second such as "
	       "100000000, 100M or 1G (0: no limit)", 5, "adapter", "set",
	       "vm1", "--max-bandwidth", "1.5G");
	t_fail(f, 1, "bad bandwidth '99999999999999999999': give bits per "
	       "second such as 100000000, 100M or 1G (0: no limit)", 5,
	       "adapter", "set", "vm1", "--max-bandwidth",
	       "99999999999999999999");
	t_fail(f, 1, "bad bandwidth '20000000000G': give bits per second such "
	       "as 100000000, 100M or 1G (0: no limit)", 5, "adapter", "set",
	       "vm1", "--max-bandwidth", "20000000000G");
	t_fail(f, 1, "bad storm limit '5G': give frames per second from 0 (no "
	       "limit) to 4294967295, such as 1000 or 10k", 5, "adapter",
	       "set", "vm1", "--storm-limit", "5G");
	t_fail(f, 1, "'zz' is not a MAC address: write it as "
	       "00:15:5d:00:10:01, 00-15-5D-00-10-01 or 00155D001001", 5,
	       "adapter", "set", "vm1", "--mac", "zz");
	t_fail(f, 1, "MAC 02:00:00:00:00:02 is already used by vm2/eth0 on "
	       "switch 'lab': choose another, or use --mac-dynamic for a "
	       "dynamic one", 5, "adapter", "set", "vm1", "--mac",
	       "02:00:00:00:00:02");
	t_fail(f, 1, "01:00:5e:00:00:01 is a multicast address: an adapter "
	       "needs a unicast MAC (even first byte), or --mac-dynamic", 5,
	       "adapter", "set", "vm1", "--mac", "01:00:5e:00:00:01");
	t_fail(f, 1, "VM 'nosuchvm' has no network adapters (synthctl adapter "
	       "list shows them)", 5, "adapter", "set", "nosuchvm",
	       "--dhcp-guard", "on");
	f->fail_set = -EBUSY;
	t_fail(f, 1, "the guest has the channel open: stop the VM first", 5,
	       "adapter", "set", "vm1", "--mac", "02:00:00:00:00:09");
	f->fail_set = 0;

	/* everything at once */
	T_OK(f, &out, false, 17, "adapter", "set", "vm1", "--mac-spoofing",
	     "on", "--dhcp-guard", "ON", "--router-guard", "true", "--mirror",
	     "Source", "--max-bandwidth", "100M", "--storm-limit", "10k",
	     "--mac", "02-00-00-00-00-09");
	snprintf(expect, sizeof(expect),
		 "VMName             : vm1\n"
		 "Name               : eth0\n"
		 "SwitchName         : lab\n"
		 "MacAddress         : 02:00:00:00:00:09\n"
		 "DynamicMacAddress  : False\n"
		 "InstanceId         : %s\n"
		 "Relid              : 1\n"
		 "Status             : open\n"
		 "VlanMode           : Untagged\n"
		 "MacAddressSpoofing : On\n"
		 "DhcpGuard          : On\n"
		 "RouterGuard        : On\n"
		 "PortMirroringMode  : Source\n"
		 "MaximumBandwidth   : 100000000 bit/s\n"
		 "StormLimit         : 10000 frames/s\n", guid);
	assert_string_equal(snctl_out_str(&out), expect);
	assert_true(f->last_mac_set);
	assert_int_equal(f->last_policy.max_bandwidth_bps, 100000000);
	T_OK(f, &out, true, 5, "adapter", "set", "vm1", "--max-bandwidth",
	     "1G");
	assert_non_null(strstr(snctl_out_str(&out),
			       "\"max_bandwidth_bps\": 1000000000,"));
	/* the largest number there is, and one more */
	T_OK(f, &out, false, 5, "adapter", "set", "vm1", "--max-bandwidth",
	     "18446744073709551615");
	assert_int_equal(ad->policy.max_bandwidth_bps, UINT64_MAX);
	t_fail(f, 1, "bad bandwidth '18446744073709551616': give bits per "
	       "second such as 100000000, 100M or 1G (0: no limit)", 5,
	       "adapter", "set", "vm1", "--max-bandwidth",
	       "18446744073709551616");
	T_OK(f, &out, false, 5, "adapter", "set", "vm1", "--storm-limit",
	     "4294967295");
	assert_int_equal(ad->policy.storm_limit_pps, UINT32_MAX);
	T_OK(f, &out, false, 9, "adapter", "set", "vm1", "--max-bandwidth",
	     "0", "--storm-limit", "0", "--mirror", "destination");
	assert_string_equal(T_FIELD(&out, "MaximumBandwidth"), "unlimited");
	assert_string_equal(T_FIELD(&out, "PortMirroringMode"), "Destination");
	T_OK(f, &out, false, 4, "adapter", "set", "vm1", "--mac-dynamic");
	assert_string_equal(T_FIELD(&out, "MacAddress"), "00:15:5d:00:00:02");
	assert_string_equal(T_FIELD(&out, "DynamicMacAddress"), "True");
	/* a no-op: answered, not saved */
	f->log[0] = '\0';
	T_OK(f, &out, false, 5, "adapter", "set", "vm1", "--dhcp-guard", "on");
	assert_string_equal(f->log, "");
	snctl_out_fini(&out);
}

static void
test_cmd_adapter_connect_show(void **state)
{
	struct fake *f = *state;
	struct snctl_out out;
	char fb[128];

	snctl_out_init(&out, 0);
	t_switch(f, "lab", NULL);
	t_switch(f, "dmz", NULL);
	t_adapter(f, "vm1", NULL, "lab", NULL);
	t_adapter(f, "vm2", NULL, "dmz", "00:15:5d:00:00:01");
	t_adapter(f, "vm3", NULL, "lab", "02:00:00:00:00:03");
	t_adapter(f, "vm3", "eth1", "lab", "02:00:00:00:00:04");
	f->log[0] = '\0';

	T_OK(f, &out, false, 7, "adapter", "connect", "vm3", "--name", "ETH0",
	     "--switch", "dmz");
	assert_string_equal(f->log, "ac:vm3/eth0:lab>dmz sv ");
	assert_string_equal(T_FIELD(&out, "SwitchName"), "dmz");
	t_fail(f, 1, "MAC 00:15:5d:00:00:01 of vm1/eth0 is already used by "
	       "vm2/eth0 on switch 'dmz': give the adapter another MAC first "
	       "(synthctl adapter set vm1 --mac MAC or --mac-dynamic)", 5,
	       "adapter", "connect", "vm1", "--switch", "dmz");
	t_fail(f, 1, "no switch named 'nope' (synthctl switch list shows the "
	       "switches)", 5, "adapter", "connect", "vm2", "--switch",
	       "nope");
	t_fail(f, 1, "VM 'vm3' has 2 network adapters (eth0, eth1): choose "
	       "one with --name", 5, "adapter", "connect", "vm3", "--switch",
	       "lab");
	t_fail(f, 2, "missing --switch: name the switch to connect the adapter "
	       "to", 3, "adapter", "connect", "vm2");
	f->fail_connect = -ENOSPC;
	t_fail(f, 1, "no room on the lcore of 'dmz'", 7, "adapter", "connect",
	       "vm3", "--name", "eth1", "--switch", "dmz");
	f->fail_connect = 0;
	/* already there: fine, nothing to save */
	f->log[0] = '\0';
	T_OK(f, &out, false, 5, "adapter", "connect", "vm2", "--switch", "dmz");
	assert_string_equal(f->log, "");

	/* show */
	T_OK(f, &out, false, 5, "adapter", "show", "vm3", "--name", "eth1");
	assert_string_equal(T_FIELD(&out, "MacAddress"), "02:00:00:00:00:04");
	assert_string_equal(T_FIELD(&out, "SwitchName"), "lab");
	T_OK(f, &out, true, 3, "adapter", "show", "vm2");
	assert_non_null(strstr(snctl_out_str(&out), "\"switch\": \"dmz\""));
	t_fail(f, 1, "VM 'vm3' has 2 network adapters (eth0, eth1): choose "
	       "one with --name", 3, "adapter", "show", "vm3");
	t_fail(f, 1, "VM 'nosuch' has no network adapters (synthctl adapter "
	       "list shows them)", 3, "adapter", "show", "nosuch");

	/* the Vlan column: access, trunk, cut when long */
	T_OK(f, &out, false, 5, "adapter", "set", "vm1", "--vlan-access",
	     "10");
	T_OK(f, &out, false, 7, "adapter", "set", "vm2", "--vlan-trunk",
	     "1,3,5,7,9,11,13,15,17,19,21,23,25", "--native", "1");
	T_OK(f, &out, false, 9, "adapter", "set", "vm3", "--name", "eth0",
	     "--vlan-trunk", "10,20", "--native", "0");
	T_OK(f, &out, false, 4, "adapter", "list", "--switch", "dmz");
	assert_string_equal(snctl_out_str(&out),
			    "VMName Name SwitchName MacAddress        Vlan     "
			    "                                Relid Status\n"
			    "------ ---- ---------- ----------        ----     "
			    "                                ----- ------\n"
			    "vm2    eth0 dmz        00:15:5d:00:00:01 trunk "
			    "1,3,5,7,9,11,13,15,17,19,21,23,... "
			    "    2 not-connected\n"
			    "vm3    eth0 dmz        02:00:00:00:00:03 trunk "
			    "10,20 native 0                         3 "
			    "not-connected\n");
	T_OK(f, &out, false, 4, "adapter", "list", "--vm", "vm1");
	assert_non_null(strstr(snctl_out_str(&out),
			       " access 10     1 open\n"));
	snctl_out_fini(&out);
}

static void
test_cmd_save(void **state)
{
	struct fake *f = *state;
	struct snctl_out out;

	snctl_out_init(&out, 0);
	T_OK(f, &out, false, 5, "switch", "create", "lab", "--type",
	     "private");
	assert_string_equal(f->log, "sc:lab sv ");
	assert_int_equal(f->saves, 1);
	/* reading and failing commands do not save */
	T_OK(f, &out, false, 2, "switch", "list");
	T_OK(f, &out, false, 1, "status");
	t_fail(f, 1, "no switch named 'nope' (synthctl switch list shows the "
	       "switches)", 3, "switch", "show", "nope");
	assert_string_equal(f->log, "sc:lab sv ");
	T_OK(f, &out, false, 5, "adapter", "add", "vm1", "--switch", "lab");
	T_OK(f, &out, false, 5, "adapter", "set", "vm1", "--router-guard",
	     "on");
	assert_int_equal(f->saves, 3);

	/* a failed save: the change stays, the user is told */
	f->fail_save = -ENOSPC;
	assert_int_equal(t_exec(f, &out, false, 5, "switch", "create", "dmz",
				"--type", "private"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "configuration applied but not saved: could not "
			    "write /var/lib/synthnet/config.json.tmp: No space "
			    "left on device\n");
	assert_non_null(snd_model_switch_find(f->m, "dmz"));
	T_OK(f, &out, false, 1, "status");
	assert_non_null(strstr(snctl_out_str(&out),
			       "unsaved_changes : 1\n"));
	f->fail_quiet = true;
	assert_int_equal(t_exec(f, &out, true, 4, "adapter", "remove", "vm1",
				"--json"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "{\n"
			    "  \"error\": \"configuration applied but not "
			    "saved: No space left on device\",\n"
			    "  \"status\": 1\n"
			    "}\n");
	assert_int_equal(snd_model_adapter_count(f->m), 0);
	/* the next change saves everything */
	f->fail_save = 0;
	T_OK(f, &out, false, 3, "switch", "delete", "dmz");
	assert_int_equal(f->saves, 4);
	T_OK(f, &out, false, 1, "status");
	assert_non_null(strstr(snctl_out_str(&out),
			       "unsaved_changes : 0\n"));
	snctl_out_fini(&out);
}

static void
test_cmd_keeps_prefix(void **state)
{
	struct fake *f = *state;
	static const char *const bad[] = { "switch", "show", "nope" };
	struct snctl_out out;

	/* exec appends; a failure cuts back only what it wrote itself */
	snctl_out_init(&out, 0);
	snctl_out_puts(&out, "PREFIX|");
	assert_int_equal(snd_ctl_exec(f->m, 3, bad, false, &out), 1);
	assert_string_equal(snctl_out_str(&out),
			    "PREFIX|no switch named 'nope' (synthctl switch "
			    "list shows the switches)\n");
	snctl_out_fini(&out);
}

static void
test_cmd_through_protocol(void **state)
{
	struct fake *f = *state;
	static const char *const argv[] = { "switch", "create", "net",
					    "--type", "private" };
	struct snctl_peer peer = { .pid = 1, .uid = 0, .gid = 0 };
	struct snctl_req req;
	struct snctl_out out;
	uint8_t buf[128];
	int n;

	/* What the server hands the handler, decoded from real bytes. */
	n = snctl_req_encode(SNCTL_FLAG_JSON, 5, argv, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(snctl_req_decode(buf, (size_t)n, &req), 0);
	snctl_out_init(&out, 0);
	assert_int_equal(snd_ctl_handle(f->m, &req, &peer, &out), 0);
	assert_non_null(strstr(snctl_out_str(&out), "\"name\": \"net\""));
	assert_non_null(strstr(snctl_out_str(&out), "\"adapter_list\": []"));
	assert_non_null(snd_model_switch_find(f->m, "net"));
	snctl_out_fini(&out);
}

/* ---- commands: packet capture ---------------------------------------- */

/* Run a capture command with a descriptor and a peer (pid 321, uid 1000,
 * gid 100), as the control server would. */
static unsigned int
t_cap(struct fake *f, struct snctl_out *out, bool json, int fd, int argc,
      ...)
{
	struct snctl_peer peer = { .pid = 321, .uid = 1000, .gid = 100 };
	const char *argv[32];
	va_list ap;
	int i;

	assert_true(argc <= 32);
	va_start(ap, argc);
	for (i = 0; i < argc; i++) {
		argv[i] = va_arg(ap, const char *);
	}
	va_end(ap);
	snctl_out_reset(out);
	return snd_ctl_exec_req(f->m, argc, argv, json, fd, &peer, out);
}

/* The usage line of capture start, as the help table has it. */
#define T_CAP_USAGE \
	"usage: synthctl capture start (--switch NAME | --adapter " \
	"VM[:NIC] | --uplink SWITCH) [--direction in|out|both] [--filter " \
	"\"BPF\"] [--snaplen N] [--count N] [--duration SECONDS] " \
	"[--drops] [--ring FILES --size MB] [--follow] -w FILE.pcapng|-\n"

/* A capture command that fails with status st and exactly msg (plus the
 * usage line for st 2), starting nothing and changing nothing. */
static void
t_cap_fail(struct fake *f, unsigned int st, int fd, const char *msg,
	   int argc, ...)
{
	struct snctl_peer peer = { .pid = 321, .uid = 1000, .gid = 100 };
	const char *argv[32];
	struct snctl_out out;
	uint64_t gen = snd_model_generation(f->m);
	size_t logged = strlen(f->log);
	char expect[1024];
	va_list ap;
	int i;

	va_start(ap, argc);
	for (i = 0; i < argc; i++) {
		argv[i] = va_arg(ap, const char *);
	}
	va_end(ap);
	snctl_out_init(&out, 0);
	assert_int_equal(snd_ctl_exec_req(f->m, argc, argv, false, fd, &peer,
					  &out), st);
	snprintf(expect, sizeof(expect), "%s\n%s", msg,
		 st == SNCTL_STATUS_USAGE ? T_CAP_USAGE : "");
	assert_string_equal(snctl_out_str(&out), expect);
	/* the hook was not called; the model did not change */
	assert_int_equal(strlen(f->log), logged);
	assert_int_equal(snd_model_generation(f->m), gen);
	snctl_out_fini(&out);
}

static void
test_cmd_capture_start(void **state)
{
	struct fake *f = *state;
	struct snd_switch_cfg cfg;
	struct snd_switch_req rq;
	struct snctl_out out;
	uint64_t gen;
	unsigned int saves;
	char err[256];

	snctl_out_init(&out, 0);
	t_switch(f, "lab", NULL);
	snd_switch_cfg_init(&cfg, SND_SWITCH_EXTERNAL);
	snprintf(cfg.uplink, sizeof(cfg.uplink), "net_af_packet0,iface=e1");
	memset(&rq, 0, sizeof(rq));
	rq.name = "lan";
	rq.cfg = &cfg;
	assert_int_equal(snd_model_switch_create_req(f->m, &rq, NULL, err,
						     sizeof(err)), 0);
	t_adapter(f, "vm1", NULL, "lab", NULL);
	t_adapter(f, "vm2", NULL, "lab", NULL);
	t_adapter(f, "vm2", "eth1", "lan", NULL);
	gen = snd_model_generation(f->m);
	saves = f->saves;
	f->log[0] = '\0';

	/* An adapter with the defaults: both directions, every frame,
	 * tcpdump's snaplen, no limits, the file synthctl opened. */
	assert_int_equal(t_cap(f, &out, false, 7, 6, "capture", "start",
			       "--adapter", "vm1", "-w", "/tmp/c/one.pcapng"),
			 0);
	assert_string_equal(snctl_out_str(&out), "1\n");
	assert_int_equal(f->last_cap.kind, SND_CAPTURE_ADAPTER);
	assert_ptr_equal(f->last_cap.ad, snd_model_adapter_find(f->m, "vm1",
								"eth0"));
	assert_null(f->last_cap.sw);
	assert_int_equal(f->last_cap.dir, SND_CAPTURE_BOTH);
	assert_false(f->last_cap.drops);
	assert_string_equal(f->last_cap.filter, "");
	assert_int_equal(f->last_cap.snaplen, 262144);
	assert_int_equal(f->last_cap.count, 0);
	assert_int_equal(f->last_cap.duration_ms, 0);
	assert_int_equal(f->last_cap.fd, 7);
	assert_false(f->last_cap.stream);
	assert_string_equal(f->last_cap.path, "/tmp/c/one.pcapng");
	assert_int_equal(f->last_cap.ring_files, 0);
	assert_int_equal(f->last_cap.uid, 1000);
	assert_int_equal(f->last_cap.gid, 100);
	assert_int_equal(f->last_cap.pid, 321);

	/* Every option, VM:NIC, standard output. */
	assert_int_equal(t_cap(f, &out, false, 1, 19, "capture", "start",
			       "--adapter", "VM2:ETH1", "--direction", "In",
			       "--filter", "icmp or vlan 10", "--snaplen",
			       "96", "--count", "1000", "--duration", "60",
			       "--drops", "--follow", "-w", "-", "--json"), 0);
	assert_int_equal(f->last_cap.kind, SND_CAPTURE_ADAPTER);
	assert_ptr_equal(f->last_cap.ad, snd_model_adapter_find(f->m, "vm2",
								"eth1"));
	assert_int_equal(f->last_cap.dir, SND_CAPTURE_IN);
	assert_true(f->last_cap.drops);
	assert_string_equal(f->last_cap.filter, "icmp or vlan 10");
	assert_int_equal(f->last_cap.snaplen, 96);
	assert_int_equal(f->last_cap.count, 1000);
	assert_int_equal(f->last_cap.duration_ms, 60000);
	assert_int_equal(f->last_cap.fd, 1);
	assert_true(f->last_cap.stream);
	/* --json answers the new capture as capture show --json does */
	assert_non_null(strstr(snctl_out_str(&out), "  \"id\": 2,\n"));
	assert_non_null(strstr(snctl_out_str(&out), "\"interfaces\": ["));

	/* A switch; an external switch's uplink; ring files. */
	assert_int_equal(t_cap(f, &out, false, -1, 10, "capture", "start",
			       "--switch", "LAB", "--ring", "3", "--size",
			       "10", "-w", "/tmp/c/r.pcapng"), 0);
	assert_string_equal(snctl_out_str(&out), "3\n");
	assert_int_equal(f->last_cap.kind, SND_CAPTURE_SWITCH);
	assert_ptr_equal(f->last_cap.sw, snd_model_switch_find(f->m, "lab"));
	assert_int_equal(f->last_cap.fd, -1);
	assert_int_equal(f->last_cap.ring_files, 3);
	assert_int_equal(f->last_cap.ring_file_bytes, 10000000);
	assert_int_equal(f->last_cap.dir, SND_CAPTURE_BOTH);
	assert_int_equal(t_cap(f, &out, false, 9, 7, "capture", "start",
			       "--uplink", "lan", "--direction", "out",
			       "-w=/tmp/c/u.pcapng"), 0);
	assert_int_equal(f->last_cap.kind, SND_CAPTURE_UPLINK);
	assert_ptr_equal(f->last_cap.sw, snd_model_switch_find(f->m, "lan"));
	assert_int_equal(f->last_cap.dir, SND_CAPTURE_OUT);
	assert_string_equal(f->log, "cs cs cs cs ");

	/* The hook's error (libpcap's text) comes through verbatim. */
	f->fail_cap = -EBADMSG;
	assert_int_equal(t_cap(f, &out, false, 7, 8, "capture", "start",
			       "--adapter", "vm1", "--filter", "icmp and",
			       "-w", "/tmp/c/x.pcapng"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "can't parse filter expression: syntax error\n");
	f->fail_cap = 0;

	/* Usage errors. */
	t_cap_fail(f, 2, 7, "missing what to capture: --switch NAME, "
		   "--adapter VM[:NIC] or --uplink SWITCH", 4, "capture",
		   "start", "-w", "/tmp/x");
	t_cap_fail(f, 2, 7, "--switch, --adapter and --uplink exclude each "
		   "other", 8, "capture", "start", "--switch", "lab",
		   "--adapter", "vm1", "-w", "/tmp/x");
	t_cap_fail(f, 2, 7, "missing -w FILE.pcapng (or -w - for standard "
		   "output)", 4, "capture", "start", "--switch", "lab");
	t_cap_fail(f, 2, -1, "--ring FILES and --size MB go together", 8,
		   "capture", "start", "--switch", "lab", "--ring", "2", "-w",
		   "/tmp/r");
	t_cap_fail(f, 2, -1, "--ring needs -w FILE (ring files cannot go to "
		   "standard output)", 10, "capture", "start", "--switch",
		   "lab", "--ring", "2", "--size", "1", "-w", "-");
	t_cap_fail(f, 2, 7, "unexpected argument 'vm1'", 5, "capture",
		   "start", "vm1", "-w", "/tmp/x");

	/* Bad values. */
	t_cap_fail(f, 1, 7, "bad value 'sideways' for --direction: use in, "
		   "out or both", 8, "capture", "start", "--switch", "lab",
		   "--direction", "sideways", "-w", "/tmp/x");
	t_cap_fail(f, 1, 7, "bad value '0' for --snaplen: give bytes, 1 to "
		   "262144", 8, "capture", "start", "--switch", "lab",
		   "--snaplen", "0", "-w", "/tmp/x");
	t_cap_fail(f, 1, 7, "bad value '262145' for --snaplen: give bytes, 1 "
		   "to 262144", 8, "capture", "start", "--switch", "lab",
		   "--snaplen", "262145", "-w", "/tmp/x");
	t_cap_fail(f, 1, 7, "bad value '1k' for --count: give a number of "
		   "packets, 1 or more", 8, "capture", "start", "--switch",
		   "lab", "--count", "1k", "-w", "/tmp/x");
	t_cap_fail(f, 1, 7, "bad value '31536001' for --duration: give "
		   "seconds, 1 to 31536000", 8, "capture", "start",
		   "--switch", "lab", "--duration", "31536001", "-w",
		   "/tmp/x");
	t_cap_fail(f, 1, -1, "bad value '0' for --ring: give a number of "
		   "files, 1 to 10000", 10, "capture", "start", "--switch",
		   "lab", "--ring", "0", "--size", "1", "-w", "/tmp/r");
	t_cap_fail(f, 1, -1, "-w FILE must be an absolute path with --ring "
		   "(synthnetd creates the files)", 10, "capture", "start",
		   "--switch", "lab", "--ring", "2", "--size", "1", "-w",
		   "r.pcapng");
	t_cap_fail(f, 1, 7, "ring files are created by synthnetd: send no "
		   "descriptor with --ring", 10, "capture", "start",
		   "--switch", "lab", "--ring", "2", "--size", "1", "-w",
		   "/tmp/r.pcapng");
	t_cap_fail(f, 1, -1, "capture start -w FILE needs the output's "
		   "descriptor with the request (synthctl opens the file and "
		   "sends it); this client sent none", 6, "capture", "start",
		   "--switch", "lab", "-w", "/tmp/x");
	t_cap_fail(f, 1, -1, "capture start -w - needs the output's "
		   "descriptor with the request (synthctl opens the file and "
		   "sends it); this client sent none", 6, "capture", "start",
		   "--switch", "lab", "-w", "-");

	/* Targets that do not exist or do not fit. */
	t_cap_fail(f, 1, 7, "no switch named 'nope' (synthctl switch list "
		   "shows the switches)", 6, "capture", "start", "--switch",
		   "nope", "-w", "/tmp/x");
	t_cap_fail(f, 1, 7, "switch 'lab' has no uplink (it is private): "
		   "--uplink needs an external switch", 6, "capture",
		   "start", "--uplink", "lab", "-w", "/tmp/x");
	t_cap_fail(f, 1, 7, "VM 'vm9' has no network adapters (synthctl "
		   "adapter list shows them)", 6, "capture", "start",
		   "--adapter", "vm9", "-w", "/tmp/x");
	t_cap_fail(f, 1, 7, "VM 'vm2' has no network adapter named 'eth7' "
		   "(it has: eth0, eth1)", 6, "capture", "start",
		   "--adapter", "vm2:eth7", "-w", "/tmp/x");
	t_cap_fail(f, 1, 7, "VM 'vm2' has 2 network adapters (eth0, eth1): "
		   "choose one with --adapter vm2:NIC", 6, "capture", "start",
		   "--adapter", "vm2", "-w", "/tmp/x");
	t_cap_fail(f, 1, 7, "bad value 'vm1:' for --adapter: write VM or "
		   "VM:NIC", 6, "capture", "start", "--adapter", "vm1:",
		   "-w", "/tmp/x");
	t_cap_fail(f, 1, 7, "bad value ':eth0' for --adapter: write VM or "
		   "VM:NIC", 6, "capture", "start", "--adapter", ":eth0",
		   "-w", "/tmp/x");

	/* Captures are not configuration: nothing was saved. */
	assert_int_equal(snd_model_generation(f->m), gen);
	assert_int_equal(f->saves, saves);
	snctl_out_fini(&out);
}

static void
test_cmd_capture_show(void **state)
{
	struct fake *f = *state;
	struct snctl_out out;

	snctl_out_init(&out, 0);
	T_OK(f, &out, false, 2, "capture", "list");
	assert_string_equal(snctl_out_str(&out),
			    "no captures (start one with: synthctl capture "
			    "start --adapter VM -w FILE.pcapng)\n");
	T_OK(f, &out, true, 2, "capture", "list");
	assert_string_equal(snctl_out_str(&out), "[]\n");
	f->n_caps = 2;
	f->cap_ids[0] = 1;
	f->cap_ids[1] = 4;
	f->cap_stopped[1] = true;
	T_OK(f, &out, false, 2, "capture", "list");
	assert_string_equal(snctl_out_str(&out),
			    "Id Target           Status           Packets "
			    "Bytes Lost Output\n"
			    "-- ------           ------           ------- "
			    "----- ---- ------\n"
			    " 1 adapter vm1/eth0 running                9 "
			    "  882    1 /tmp/c/one.pcapng\n"
			    " 4 switch lab       stopped: by user       9 "
			    "  882    1 /tmp/c/r.pcapng\n");
	T_OK(f, &out, false, 3, "capture", "show", "1");
	assert_string_equal(snctl_out_str(&out),
			    "Id          : 1\n"
			    "Target      : adapter vm1/eth0\n"
			    "Status      : running\n"
			    "Direction   : both\n"
			    "Drops       : False\n"
			    "Filter      : icmp\n"
			    "Snaplen     : 262144\n"
			    "Count       : 1000 packets\n"
			    "Duration    : unlimited\n"
			    "Output      : /tmp/c/one.pcapng\n"
			    "File        : /tmp/c/one.pcapng\n"
			    "ClientPid   : 321\n"
			    "Started     : 2024-05-01T12:00:00Z\n"
			    "Seen        : 12\n"
			    "FilteredOut : 2\n"
			    "Packets     : 9\n"
			    "Bytes       : 882\n"
			    "Lost        : 1\n"
			    "FileBytes   : 1640\n"
			    "\n"
			    "Interface    Attached Seen Matched Lost "
			    "Packets\n"
			    "---------    -------- ---- ------- ---- "
			    "-------\n"
			    "lab/vm1/eth0 True       12      10    1       "
			    "9\n");
	T_OK(f, &out, true, 3, "capture", "show", "4");
	assert_string_equal(snctl_out_str(&out),
			    "{\n"
			    "  \"id\": 4,\n"
			    "  \"target\": \"switch lab\",\n"
			    "  \"state\": \"stopped\",\n"
			    "  \"status\": \"stopped: by user\",\n"
			    "  \"failed\": false,\n"
			    "  \"direction\": \"in\",\n"
			    "  \"drops\": true,\n"
			    "  \"filter\": \"\",\n"
			    "  \"snaplen\": 96,\n"
			    "  \"count\": 0,\n"
			    "  \"duration_s\": 60,\n"
			    "  \"output\": \"/tmp/c/r.pcapng\",\n"
			    "  \"ring_files\": 2,\n"
			    "  \"ring_file_bytes\": 10000000,\n"
			    "  \"files\": [\n"
			    "    \"/tmp/c/r_00002.pcapng\",\n"
			    "    \"/tmp/c/r_00003.pcapng\"\n"
			    "  ],\n"
			    "  \"client_pid\": null,\n"
			    "  \"started\": \"2024-05-01T12:00:00Z\",\n"
			    "  \"ended\": \"2024-05-01T12:00:10Z\",\n"
			    "  \"seen\": 12,\n"
			    "  \"filtered_out\": 2,\n"
			    "  \"matched\": 10,\n"
			    "  \"lost\": 1,\n"
			    "  \"packets\": 9,\n"
			    "  \"bytes\": 882,\n"
			    "  \"file_bytes\": 1640,\n"
			    "  \"files_started\": 3,\n"
			    "  \"interfaces\": [\n"
			    "    {\n"
			    "      \"name\": \"lab/vm1/eth0\",\n"
			    "      \"attached\": false,\n"
			    "      \"seen\": 12,\n"
			    "      \"matched\": 10,\n"
			    "      \"lost\": 1,\n"
			    "      \"packets\": 9\n"
			    "    },\n"
			    "    {\n"
			    "      \"name\": \"lab/uplink\",\n"
			    "      \"attached\": false,\n"
			    "      \"seen\": 0,\n"
			    "      \"matched\": 0,\n"
			    "      \"lost\": 0,\n"
			    "      \"packets\": 0\n"
			    "    }\n"
			    "  ]\n"
			    "}\n");
	/* show of a ring capture: Ring and Files lines, Ended */
	T_OK(f, &out, false, 3, "capture", "show", "4");
	assert_non_null(strstr(snctl_out_str(&out),
			       "Ring        : 2 files of 10 MB\n"
			       "Files       : /tmp/c/r_00002.pcapng, "
			       "/tmp/c/r_00003.pcapng\n"
			       "Started     : 2024-05-01T12:00:00Z\n"
			       "Ended       : 2024-05-01T12:00:10Z\n"));

	/* stop: the hook, then the capture as show prints it */
	f->log[0] = '\0';
	T_OK(f, &out, false, 3, "capture", "stop", "1");
	assert_string_equal(f->log, "ct:1 ");
	assert_true(f->cap_stopped[0]);
	assert_non_null(strstr(snctl_out_str(&out),
			       "Status      : stopped: by user\n"));
	assert_int_equal(t_exec(f, &out, false, 3, "capture", "stop", "9"),
			 1);
	assert_string_equal(snctl_out_str(&out),
			    "no capture 9 (synthctl capture list shows the "
			    "captures)\n");
	assert_int_equal(t_exec(f, &out, false, 3, "capture", "show", "9"),
			 1);
	assert_string_equal(snctl_out_str(&out),
			    "no capture 9 (synthctl capture list shows the "
			    "captures)\n");
	assert_int_equal(t_exec(f, &out, true, 3, "capture", "show", "x1"),
			 1);
	assert_string_equal(snctl_out_str(&out),
			    "{\n"
			    "  \"error\": \"bad capture id 'x1': give the "
			    "number synthctl capture list shows\",\n"
			    "  \"status\": 1\n"
			    "}\n");
	assert_int_equal(t_exec(f, &out, false, 3, "capture", "stop", "0"),
			 1);
	assert_int_equal(t_exec(f, &out, false, 2, "capture", "show"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "missing capture id\n"
			    "usage: synthctl capture show ID\n");
	assert_int_equal(t_exec(f, &out, false, 1, "capture"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "missing subcommand: synthctl capture "
			    "start|list|show|stop\n");
	snctl_out_fini(&out);
}

static void
test_no_hooks(void **state)
{
	struct snd_model *m = snd_model_create(NULL, NULL);
	static const char *const stats[] = { "adapter", "stats", "vm1" };
	static const char *const fdb[] = { "fdb", "show", "lab" };
	static const char *const st[] = { "status" };
	static const char *const caps[] = { "capture", "list" };
	static const char *const start[] = { "capture", "start", "--adapter",
					     "vm1", "-w", "/tmp/x" };
	static const char *const stop[] = { "capture", "stop", "1" };
	struct snd_adapter_req rq = { .vm = "vm1", .sw = "lab" };
	struct snctl_out out;
	char err[128];

	(void)state;
	assert_non_null(m);
	assert_int_equal(snd_model_switch_create(m, "lab", SND_SWITCH_PRIVATE,
						 NULL, NULL, err,
						 sizeof(err)), 0);
	assert_int_equal(snd_model_adapter_add(m, &rq, NULL, err,
					       sizeof(err)), 0);
	snctl_out_init(&out, 0);
	assert_int_equal(snd_ctl_exec(m, 3, stats, false, &out), 1);
	assert_string_equal(snctl_out_str(&out),
			    "adapter statistics are not available (the data "
			    "plane is not running)\n");
	snctl_out_reset(&out);
	assert_int_equal(snd_ctl_exec(m, 3, fdb, false, &out), 1);
	snctl_out_reset(&out);
	assert_int_equal(snd_ctl_exec(m, 1, st, false, &out), 0);
	assert_string_equal(snctl_out_str(&out),
			    "switches : 1\n"
			    "adapters : 1\n");
	snctl_out_reset(&out);
	assert_int_equal(snd_ctl_exec(m, 2, caps, false, &out), 1);
	assert_string_equal(snctl_out_str(&out),
			    "packet capture is not available (the data plane "
			    "is not running)\n");
	snctl_out_reset(&out);
	assert_int_equal(snd_ctl_exec_req(m, 6, start, false, 5, NULL, &out),
			 1);
	assert_string_equal(snctl_out_str(&out),
			    "packet capture is not available (the data plane "
			    "is not running)\n");
	snctl_out_reset(&out);
	assert_int_equal(snd_ctl_exec(m, 3, stop, false, &out), 1);
	assert_string_equal(snctl_out_str(&out),
			    "packet capture is not available (the data plane "
			    "is not running)\n");
	snctl_out_fini(&out);
	snd_model_destroy(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guid_format),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_switch_create_find_iterate,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_switch_validation,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_switch_hook_failure,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_adapter_macs_relids,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_adapter_lookup,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_adapter_validation,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_adapter_hook_failure,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_switch_delete,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_mac_pool,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_order,
						t_setup, t_teardown),
		cmocka_unit_test(test_cidr_and_names),
		cmocka_unit_test(test_guid_parse),
		cmocka_unit_test(test_vlan_list),
		cmocka_unit_test(test_policy_check),
		cmocka_unit_test_setup_teardown(test_switch_types_model,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_switch_restore_req,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_switch_set_model,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_adapter_set_model,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_adapter_connect_model,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_adapter_restore_req,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_generation_save,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_switches_text,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_switches_json,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_adapters,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_stats_fdb_status,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_errors,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_help,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_switch_types,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_switch_set,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_adapter_set,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_adapter_connect_show,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_save,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_keeps_prefix,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_through_protocol,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_capture_start,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_capture_show,
						t_setup, t_teardown),
		cmocka_unit_test(test_no_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
