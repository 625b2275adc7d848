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
#include <time.h>

#include <cmocka.h>

#include "snctl_help.h"
#include "snctl_out.h"
#include "snctl_proto.h"
#include "snd_ctl.h"
#include "snd_model.h"

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

static int
fake_switch_create(void *ctx, struct snd_switch *sw, char *err, size_t errlen)
{
	struct fake *f = ctx;

	/* Contract: complete, findable, no handle yet. */
	assert_ptr_equal(snd_model_switch_find(f->m, sw->name), sw);
	assert_null(sw->dp);
	assert_true(sw->id > 0);
	fake_log(f, "sc:%s ", sw->name);
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

static const struct snd_model_hooks fake_hooks = {
	.switch_create = fake_switch_create,
	.switch_delete = fake_switch_delete,
	.adapter_add = fake_adapter_add,
	.adapter_remove = fake_adapter_remove,
	.adapter_stats = fake_adapter_stats,
	.adapter_state = fake_adapter_state,
	.fdb_dump = fake_fdb_dump,
	.status = fake_status,
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
	assert_string_equal(a->notes, "Lab network");
	assert_string_equal(b->notes, "");
	assert_int_equal(a->type, SND_SWITCH_PRIVATE);
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

	rc = snd_model_switch_create(f->m, "ext", SND_SWITCH_INTERNAL, NULL,
				     NULL, err, sizeof(err));
	assert_int_equal(rc, -ENOTSUP);
	assert_string_equal(err, "switch type 'internal' is not supported yet: "
			    "only private switches can be created (--type "
			    "private)");
	rc = snd_model_switch_create(f->m, "ext", SND_SWITCH_EXTERNAL, NULL,
				     NULL, err, sizeof(err));
	assert_int_equal(rc, -ENOTSUP);

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

/* ---- commands ------------------------------------------------------------ */

/* Run a command line; returns the status, output in out (reset first). */
static unsigned int
t_exec(struct fake *f, struct snctl_out *out, bool json, int argc, ...)
{
	const char *argv[16];
	va_list ap;
	int i;

	assert_true(argc <= 16);
	va_start(ap, argc);
	for (i = 0; i < argc; i++) {
		argv[i] = va_arg(ap, const char *);
	}
	va_end(ap);
	snctl_out_reset(out);
	return snd_ctl_exec(f->m, argc, argv, json, out);
}

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
		 "Name       : lab\n"
		 "Id         : 1\n"
		 "SwitchType : Private\n"
		 "Notes      : Lab network\n"
		 "Created    : %s\n"
		 "Adapters   : 0\n", ts);
	assert_string_equal(snctl_out_str(&out), expect);

	/* "--" lets a name start with '-' */
	T_OK(f, &out, false, 6, "switch", "create", "--type", "private", "--",
	     "-edge");
	T_OK(f, &out, false, 4, "adapter", "add", "vm1", "--switch=lab");
	T_OK(f, &out, false, 2, "switch", "list");
	assert_string_equal(snctl_out_str(&out),
			    "Name  SwitchType Adapters Notes\n"
			    "----  ---------- -------- -----\n"
			    "-edge Private           0\n"
			    "lab   Private           1 Lab network\n");

	T_OK(f, &out, false, 3, "switch", "show", "LAB");
	snprintf(expect, sizeof(expect),
		 "Name       : lab\n"
		 "Id         : 1\n"
		 "SwitchType : Private\n"
		 "Notes      : Lab network\n"
		 "Created    : %s\n"
		 "Adapters   : 1\n"
		 "\n"
		 "VMName Name SwitchName MacAddress        Relid Status\n"
		 "------ ---- ---------- ----------        ----- ------\n"
		 "vm1    eth0 lab        00:15:5d:00:00:01     1 open\n", ts);
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
		 "    \"adapters\": 0\n"
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
		 "  \"state\": \"open\"\n"
		 "}\n", guid);
	assert_string_equal(snctl_out_str(&out), expect);

	T_OK(f, &out, false, 7, "adapter", "add", "vm1", "--switch", "lab",
	     "--name", "Network Adapter");
	ad = snd_model_adapter_find(f->m, "vm1", "network adapter");
	snd_guid_format(ad->instance, guid);
	snprintf(expect, sizeof(expect),
		 "VMName            : vm1\n"
		 "Name              : Network Adapter\n"
		 "SwitchName        : lab\n"
		 "MacAddress        : 00:15:5d:00:00:01\n"
		 "DynamicMacAddress : True\n"
		 "InstanceId        : %s\n"
		 "Relid             : 2\n"
		 "Status            : open\n", guid);
	assert_string_equal(snctl_out_str(&out), expect);

	T_OK(f, &out, false, 5, "adapter", "add", "db-01", "--switch", "lab");
	T_OK(f, &out, false, 2, "adapter", "list");
	assert_string_equal(snctl_out_str(&out),
			    "VMName Name            SwitchName MacAddress"
			    "        Relid Status\n"
			    "------ ----            ---------- ----------"
			    "        ----- ------\n"
			    "db-01  eth0            lab        "
			    "00:15:5d:00:00:02"
			    "     3 not-connected\n"
			    "vm1    eth0            lab        "
			    "00:15:5d:00:10:01"
			    "     1 open\n"
			    "vm1    Network Adapter lab        "
			    "00:15:5d:00:00:01"
			    "     2 open\n");
	T_OK(f, &out, false, 4, "adapter", "list", "--vm", "DB-01");
	assert_string_equal(snctl_out_str(&out),
			    "VMName Name SwitchName MacAddress        Relid "
			    "Status\n"
			    "------ ---- ---------- ----------        ----- "
			    "------\n"
			    "db-01  eth0 lab        00:15:5d:00:00:02     3 "
			    "not-connected\n");
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
			    "switches       : 1\n"
			    "adapters       : 2\n"
			    "pid            : 4242\n"
			    "uptime_s       : 75\n"
			    "lcores         : 2\n"
			    "control_socket : /run/synthnet/synthnetd.sock\n");
	T_OK(f, &out, true, 1, "status");
	assert_string_equal(snctl_out_str(&out),
			    "{\n"
			    "  \"switches\": 1,\n"
			    "  \"adapters\": 2,\n"
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
				"--type", "internal"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "switch type 'internal' is not supported yet: only "
			    "private switches can be created (--type "
			    "private)\n");
	assert_int_equal(t_exec(f, &out, false, 5, "switch", "create", "x",
				"--type", "bridge"), 1);
	assert_string_equal(snctl_out_str(&out),
			    "unknown switch type 'bridge': use --type "
			    "private\n");
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
			    "missing --type (only private switches can be "
			    "created for now)\n"
			    "usage: synthctl switch create NAME --type private "
			    "[--notes TEXT]\n");
	assert_int_equal(t_exec(f, &out, false, 2, "switch", "create"), 2);
	assert_string_equal(snctl_out_str(&out),
			    "missing switch name\n"
			    "usage: synthctl switch create NAME --type private "
			    "[--notes TEXT]\n");
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
			    "create|list|show|delete\n");
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

static void
test_no_hooks(void **state)
{
	struct snd_model *m = snd_model_create(NULL, NULL);
	static const char *const stats[] = { "adapter", "stats", "vm1" };
	static const char *const fdb[] = { "fdb", "show", "lab" };
	static const char *const st[] = { "status" };
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
		cmocka_unit_test_setup_teardown(test_cmd_keeps_prefix,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_through_protocol,
						t_setup, t_teardown),
		cmocka_unit_test(test_no_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
