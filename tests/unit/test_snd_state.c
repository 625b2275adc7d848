/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_snd_state.c - the configuration on disk (daemon/snd_state.c):
 * a rich configuration survives save + load exactly (relids, MACs and
 * their dynamic flags, GUIDs, ids, times, host vNIC names, policies, the
 * allocators' positions), saves are atomic (a failed save leaves the old
 * file), and every kind of damaged file is refused with a message naming
 * the file and the problem, the file untouched and the model empty.
 *
 * The model runs with fake hooks that record their calls and own real
 * allocations, so ASan catches a handle a rollback forgets.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "snctl_jread.h"
#include "snctl_out.h"
#include "snd_model.h"
#include "snd_state.h"

/* The uplink the fake data plane cannot find. */
#define T_MISSING_UPLINK "net_af_packet9,iface=nosuch0"

/* ---- fake hooks --------------------------------------------------------- */

struct fake {
	struct snd_model *m;		/* model under test */
	char log[8192];			/* "sc:lab aa:vm1/eth0 ..." */
	unsigned int live_sw;		/* switch handles alive */
	unsigned int live_ad;		/* adapter handles alive */
	unsigned int adds;		/* adapter_add calls */
	unsigned int fail_add_at;	/* adapter_add #n fails (1-based) */
	char dir[64];			/* temporary state directory */
	char path[128];			/* dir/config.json */
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

	fake_log(f, "sc:%s ", sw->name);
	if (strcmp(sw->cfg.uplink, T_MISSING_UPLINK) == 0) {
		snprintf(err, errlen, "uplink '%s' does not exist",
			 sw->cfg.uplink);
		return -ENODEV;
	}
	sw->dp = malloc(8);
	assert_non_null(sw->dp);
	f->live_sw++;
	return 0;
}

static void
fake_switch_delete(void *ctx, struct snd_switch *sw)
{
	struct fake *f = ctx;

	fake_log(f, "sd:%s ", sw->name);
	free(sw->dp);
	f->live_sw--;
}

static int
fake_adapter_add(void *ctx, struct snd_adapter *ad, char *err, size_t errlen)
{
	struct fake *f = ctx;

	/* the restored policy is there when the port is made */
	assert_int_equal(snd_policy_check(&ad->policy, NULL, 0), 0);
	fake_log(f, "aa:%s/%s ", ad->vm, ad->nic);
	if (++f->adds == f->fail_add_at) {
		snprintf(err, errlen, "port table full");
		return -ENOSPC;
	}
	ad->dp = malloc(8);
	assert_non_null(ad->dp);
	f->live_ad++;
	return 0;
}

static void
fake_adapter_remove(void *ctx, struct snd_adapter *ad)
{
	struct fake *f = ctx;

	fake_log(f, "ar:%s/%s ", ad->vm, ad->nic);
	free(ad->dp);
	f->live_ad--;
}

static int
fake_switch_set(void *ctx, struct snd_switch *sw,
		const struct snd_switch_cfg *cfg, uint32_t changed, char *err,
		size_t errlen)
{
	(void)ctx;
	(void)sw;
	(void)cfg;
	(void)changed;
	(void)err;
	(void)errlen;
	return 0;
}

static int
fake_save(void *ctx, char *err, size_t errlen)
{
	struct fake *f = ctx;

	return snd_state_save(f->m, f->dir, err, errlen);
}

static const struct snd_model_hooks fake_hooks = {
	.switch_create = fake_switch_create,
	.switch_delete = fake_switch_delete,
	.adapter_add = fake_adapter_add,
	.adapter_remove = fake_adapter_remove,
	.switch_set = fake_switch_set,
	.save = fake_save,
};

static int
t_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static struct fake *
t_fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = snd_model_create(&fake_hooks, f);
	assert_non_null(f->m);
	return f;
}

static void
t_fake_free(struct fake *f)
{
	snd_model_destroy(f->m);
	assert_int_equal(f->live_sw, 0);
	assert_int_equal(f->live_ad, 0);
	free(f);
}

static int
t_setup(void **state)
{
	struct fake *f = t_fake_new();

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_snd_state.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, SND_STATE_FILE);
	*state = f;
	return 0;
}

static int
t_teardown(void **state)
{
	struct fake *f = *state;

	nftw(f->dir, t_rm, 8, FTW_DEPTH | FTW_PHYS);
	t_fake_free(f);
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static void
t_ok(int rc, const char *err)
{
	if (rc != 0) {
		fail_msg("rc %d: %s", rc, err);
	}
}

static struct snd_switch *
t_switch(struct fake *f, const char *name, const struct snd_switch_cfg *c)
{
	struct snd_switch_req rq = { .name = name, .cfg = c };
	struct snd_switch *sw = NULL;
	char err[320];

	t_ok(snd_model_switch_create_req(f->m, &rq, &sw, err, sizeof(err)),
	     err);
	return sw;
}

static struct snd_adapter *
t_adapter(struct fake *f, const char *vm, const char *nic, const char *sw,
	  const char *mac)
{
	struct snd_adapter_req rq = { .vm = vm, .nic = nic, .sw = sw };
	struct snd_adapter *ad = NULL;
	uint8_t m[6];
	char err[320];

	if (mac != NULL) {
		assert_int_equal(snd_mac_parse(mac, m), 0);
		rq.mac = m;
	}
	t_ok(snd_model_adapter_add(f->m, &rq, &ad, err, sizeof(err)), err);
	return ad;
}

static void
t_policy(struct fake *f, struct snd_adapter *ad,
	 const struct vsw_policy_cfg *p)
{
	struct snd_adapter_set_req rq = { .policy = p };
	char err[320];

	t_ok(snd_model_adapter_set(f->m, ad, &rq, err, sizeof(err)), err);
}

/* The model as the state document (malloc'd). */
static char *
t_render(const struct snd_model *m)
{
	struct snctl_out o;
	char *s;

	snctl_out_init(&o, 0);
	assert_int_equal(snd_state_render(m, &o), 0);
	s = strdup(snctl_out_str(&o));
	assert_non_null(s);
	snctl_out_fini(&o);
	return s;
}

/* The whole file at path (malloc'd, NUL-terminated) and its length. */
static char *
t_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len != NULL) {
		*len = (size_t)n;
	}
	return buf;
}

static void
t_write(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/*
 * A configuration with everything: the three switch types with their
 * options, a switch restored with an odd id, host vNIC names that had to
 * be numbered, static and dynamic MACs, every policy member, a moved
 * adapter, removed adapters (so relids and pool MACs have holes and the
 * allocators are not at the start).
 */
static void
t_rich(struct fake *f)
{
	struct snd_switch_cfg c;
	struct vsw_policy_cfg p;
	struct snd_adapter *ad;
	char err[320];

	snd_switch_cfg_init(&c, SND_SWITCH_INTERNAL);
	snd_cidr_parse("192.168.50.1/24", &c.host_ips[0]);
	snd_cidr_parse("fd00:50::1/64", &c.host_ips[1]);
	c.n_host_ips = 2;
	snprintf(c.host_netns, sizeof(c.host_netns), "blue");
	snprintf(c.notes, sizeof(c.notes), "lab \"bench\" \xe2\x82\xac");
	c.mac_aging_s = 600;
	c.mac_limit = 1024;
	t_switch(f, "lab", &c);
	snd_switch_cfg_init(&c, SND_SWITCH_EXTERNAL);
	snprintf(c.uplink, sizeof(c.uplink), "net_af_packet0,iface=eth1");
	c.allow_management_os = true;
	snd_cidr_parse("10.1.0.2/16", &c.host_ips[0]);
	c.n_host_ips = 1;
	t_switch(f, "wan", &c);
	snd_switch_cfg_init(&c, SND_SWITCH_EXTERNAL);
	snprintf(c.uplink, sizeof(c.uplink), "0000:03:00.0");
	t_switch(f, "wan2", &c);
	t_switch(f, "averylongswitchname1", NULL);
	t_switch(f, "averylongswitchname2", NULL);
	{
		struct snd_switch_req rq = { .name = "old", .id = 40,
					     .created = 1714564800 };

		t_ok(snd_model_switch_create_req(f->m, &rq, NULL, err,
						 sizeof(err)), err);
	}
	t_ok(snd_model_switch_delete(f->m, "averylongswitchname1", false,
				     NULL, err, sizeof(err)), err);

	t_adapter(f, "vm1", NULL, "lab", NULL); /* :01 */
	ad = t_adapter(f, "vm1", "Network Adapter 2", "wan", NULL); /* :02 */
	vsw_policy_cfg_init(&p);
	p.vlan_mode = VSW_VLAN_TRUNK;
	snd_vlan_list_parse("10,20,30-40,4094", p.allowed, err, sizeof(err));
	p.native_vlan = 30;
	p.mac_spoofing = true;
	p.dhcp_guard = true;
	p.router_guard = true;
	p.mirror = VSW_MIRROR_SOURCE;
	p.max_bandwidth_bps = 100000000;
	p.storm_limit_pps = 10000;
	t_policy(f, ad, &p);
	ad = t_adapter(f, "vm2", NULL, "lab", "02:00:00:00:00:02");
	vsw_policy_cfg_init(&p);
	p.vlan_mode = VSW_VLAN_ACCESS;
	p.access_vlan = 10;
	p.mirror = VSW_MIRROR_DESTINATION;
	t_policy(f, ad, &p);
	ad = t_adapter(f, "vm3", NULL, "lab", NULL); /* :03 */
	t_ok(snd_model_adapter_connect(f->m, ad, "old", err, sizeof(err)),
	     err);
	t_adapter(f, "db-01", "eth0", "averylongswitchname2", NULL); /* :04 */
	ad = t_adapter(f, "tmp", NULL, "lab", NULL); /* :05 */
	snd_model_adapter_remove(f->m, ad);
	ad = t_adapter(f, "tmp2", NULL, "wan2", NULL); /* :06 */
	snd_model_adapter_remove(f->m, ad);
	/* a static MAC from the pool, at the allocator's next position */
	t_adapter(f, "vm4", NULL, "wan2", "00:15:5d:00:00:07");
}

/* ---- round trip --------------------------------------------------------- */

static void
test_round_trip(void **state)
{
	struct fake *f = *state;
	struct fake *g = t_fake_new();
	struct snd_adapter *a;
	struct snd_adapter *b;
	const struct snd_switch *sw;
	struct stat st;
	char *before;
	char *after;
	char *file;
	char err[512];
	char tmp[160];

	t_rich(f);
	t_ok(snd_state_save(f->m, f->dir, err, sizeof(err)), err);
	before = t_render(f->m);
	file = t_read(f->path, NULL);
	assert_string_equal(file, before);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(tmp, sizeof(tmp), "%s/%s", f->dir, SND_STATE_TMP_FILE);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_non_null(strstr(file, "{\n  \"version\": 1,\n"));

	/* a new daemon: everything through the hooks, exactly as it was */
	t_ok(snd_state_load(g->m, f->dir, err, sizeof(err)), err);
	after = t_render(g->m);
	assert_string_equal(after, before);
	assert_int_equal(g->live_sw, 5);
	assert_int_equal(g->live_ad, 6);
	assert_false(snd_model_unsaved(g->m));
	sw = snd_model_switch_find(g->m, "old");
	assert_int_equal(sw->id, 40);
	assert_int_equal(sw->created, 1714564800);
	assert_int_equal(sw->n_adapters, 1);
	sw = snd_model_switch_find(g->m, "averylongswitchname2");
	assert_string_equal(sw->host_ifname, "vsw-averylongs2");
	assert_string_equal(snd_model_switch_find(g->m, "lab")->cfg.notes,
			    "lab \"bench\" \xe2\x82\xac");
	/* adapter by adapter: MAC, flag, GUID, relid, policy */
	for (a = snd_model_adapter_next(f->m, NULL); a != NULL;
	     a = snd_model_adapter_next(f->m, a)) {
		b = snd_model_adapter_find(g->m, a->vm, a->nic);
		assert_non_null(b);
		assert_memory_equal(b->mac, a->mac, 6);
		assert_int_equal(b->mac_dynamic, a->mac_dynamic);
		assert_memory_equal(b->instance, a->instance, 16);
		assert_int_equal(b->relid, a->relid);
		assert_memory_equal(&b->policy, &a->policy, sizeof(a->policy));
		assert_string_equal(b->sw->name, a->sw->name);
		assert_ptr_equal(snd_model_adapter_by_relid(g->m, a->relid), b);
	}

	/* both go on alike: no MAC or relid handed out twice or too soon */
	a = t_adapter(f, "new", NULL, "lab", NULL);
	b = t_adapter(g, "new", NULL, "lab", NULL);
	assert_memory_equal(b->mac, a->mac, 6);
	assert_int_equal(b->relid, a->relid);
	assert_memory_equal(b->mac, "\x00\x15\x5d\x00\x00\x08", 6);
	assert_int_equal(b->relid, 9);
	assert_int_equal(t_switch(g, "later", NULL)->id, 41);
	free(file);
	free(before);
	free(after);
	t_fake_free(g);
}

static void
test_pool_continues(void **state)
{
	struct fake *f = *state;
	struct fake *g = t_fake_new();
	struct snd_adapter *ad;
	char err[512];

	t_switch(f, "lab", NULL);
	t_adapter(f, "vm1", NULL, "lab", NULL);
	t_adapter(f, "vm2", NULL, "lab", NULL);
	ad = t_adapter(f, "vm3", NULL, "lab", NULL);
	snd_model_adapter_remove(f->m, ad);	/* :03 and relid 3 free */
	t_ok(snd_state_save(f->m, f->dir, err, sizeof(err)), err);
	t_ok(snd_state_load(g->m, f->dir, err, sizeof(err)), err);
	ad = t_adapter(g, "vm4", NULL, "lab", NULL);
	/* not :01/:02 (in use) and not :03 (just given back) */
	assert_memory_equal(ad->mac, "\x00\x15\x5d\x00\x00\x04", 6);
	assert_int_equal(ad->relid, 4);
	t_fake_free(g);
}

static void
test_missing_and_minimal(void **state)
{
	static const char minimal[] =
		"{ \"version\": 1,\n"
		"  \"switches\": [ { \"name\": \"lab\", "
		"\"type\": \"private\" } ],\n"
		"  \"adapters\": [ { \"vm\": \"vm1\", "
		"\"switch\": \"LAB\" } ] }";
	struct fake *f = *state;
	struct snd_adapter *ad;
	char guid[SND_GUID_STRLEN];
	char err[512] = "";
	char sub[128];

	/* no file, no directory: an empty configuration */
	assert_int_equal(snd_state_load(f->m, f->dir, err, sizeof(err)), 0);
	assert_int_equal(snd_model_switch_count(f->m), 0);
	snprintf(sub, sizeof(sub), "%s/none", f->dir);
	assert_int_equal(snd_state_load(f->m, sub, err, sizeof(err)), 0);

	/* a hand-written file: defaults for everything left out */
	t_write(f->path, minimal, sizeof(minimal) - 1);
	t_ok(snd_state_load(f->m, f->dir, err, sizeof(err)), err);
	ad = snd_model_adapter_find(f->m, "vm1", NULL);
	assert_non_null(ad);
	assert_string_equal(ad->nic, "eth0");
	assert_true(ad->mac_dynamic);
	assert_memory_equal(ad->mac, "\x00\x15\x5d\x00\x00\x01", 6);
	assert_int_equal(ad->relid, 1);
	snd_guid_format(ad->instance, guid);
	assert_int_equal(guid[14], '4');
	assert_int_equal(ad->policy.vlan_mode, VSW_VLAN_UNTAGGED);
	assert_int_equal(ad->sw->cfg.mac_aging_s, SND_MAC_AGING_DEFAULT);
	assert_string_equal(ad->sw->host_ifname, "vsw-lab");
	assert_int_equal(ad->sw->id, 1);

	/* only into an empty model */
	assert_int_equal(snd_state_load(f->m, f->dir, err, sizeof(err)),
			 -EBUSY);
	assert_non_null(strstr(err, ": the configuration can only be loaded "
			       "at start, into an empty model"));
}

/* ---- atomic save -------------------------------------------------------- */

static void
test_atomic_save(void **state)
{
	struct fake *f = *state;
	char *old;
	char *now;
	char err[512];
	char tmp[160];
	char sub[160];
	char expect[512];

	t_switch(f, "lab", NULL);
	t_ok(snd_state_save(f->m, f->dir, err, sizeof(err)), err);
	old = t_read(f->path, NULL);
	t_adapter(f, "vm1", NULL, "lab", NULL);

	/* the temporary file cannot be created */
	snprintf(tmp, sizeof(tmp), "%s/%s", f->dir, SND_STATE_TMP_FILE);
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(snd_state_save(f->m, f->dir, err, sizeof(err)),
			 -EISDIR);
	snprintf(expect, sizeof(expect), "could not create %s: Is a directory",
		 tmp);
	assert_string_equal(err, expect);
	now = t_read(f->path, NULL);
	assert_string_equal(now, old);
	free(now);
	assert_int_equal(rmdir(tmp), 0);

	/* the rename fails (config.json is a directory now): the old
	 * directory stays, the temporary file goes */
	assert_int_equal(rename(f->path, tmp), 0);
	assert_int_equal(mkdir(f->path, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/keep", f->path);
	t_write(sub, "x", 1);
	assert_true(snd_state_save(f->m, f->dir, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "could not rename "));
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(access(sub, F_OK), 0);
	assert_int_equal(unlink(sub), 0);
	assert_int_equal(rmdir(f->path), 0);

	/* the state directory is a file */
	t_write(f->path, old, strlen(old));
	snprintf(sub, sizeof(sub), "%s/file", f->dir);
	t_write(sub, "x", 1);
	assert_int_equal(snd_state_save(f->m, sub, err, sizeof(err)),
			 -ENOTDIR);
	snprintf(expect, sizeof(expect), "could not create %s/%s: Not a "
		 "directory", sub, SND_STATE_TMP_FILE);
	assert_string_equal(err, expect);

	/* an unwritable directory (root writes anyway: skipped for root) */
	if (geteuid() != 0) {
		assert_int_equal(chmod(f->dir, 0500), 0);
		assert_int_equal(snd_state_save(f->m, f->dir, err,
						sizeof(err)), -EACCES);
		assert_int_equal(chmod(f->dir, 0700), 0);
	}
	now = t_read(f->path, NULL);
	assert_string_equal(now, old);
	free(now);

	/* and then it works again; a missing directory is made */
	t_ok(snd_state_save(f->m, f->dir, err, sizeof(err)), err);
	now = t_read(f->path, NULL);
	assert_non_null(strstr(now, "\"vm\": \"vm1\""));
	free(now);
	snprintf(sub, sizeof(sub), "%s/new", f->dir);
	t_ok(snd_state_save(f->m, sub, err, sizeof(err)), err);
	snprintf(sub, sizeof(sub), "%s/new/%s", f->dir, SND_STATE_FILE);
	assert_int_equal(access(sub, F_OK), 0);
	free(old);
}

/* Through the save hook: a command's change lands in the file. */
static void
test_save_hook(void **state)
{
	struct fake *f = *state;
	char *text;
	char err[512];

	t_switch(f, "lab", NULL);
	t_ok(snd_model_save(f->m, err, sizeof(err)), err);
	text = t_read(f->path, NULL);
	assert_non_null(strstr(text, "\"name\": \"lab\""));
	free(text);
}

/* ---- damaged files ------------------------------------------------------ */

/* Loading the file with text must fail with rc and a message that starts
 * with the path and contains want; the model stays empty, no hook ran,
 * the file is untouched. */
static void
t_load_fails(struct fake *f, const char *text, size_t len, int rc,
	     const char *want)
{
	struct stat st0;
	struct stat st1;
	char *back;
	size_t blen;
	char err[1024];

	t_write(f->path, text, len);
	assert_int_equal(stat(f->path, &st0), 0);
	f->log[0] = '\0';
	err[0] = '\0';
	if (snd_state_load(f->m, f->dir, err, sizeof(err)) != rc) {
		fail_msg("load of %zu bytes: want %d (%s), got '%s'", len, rc,
			 want, err);
	}
	if (strncmp(err, f->path, strlen(f->path)) != 0 ||
	    strncmp(err + strlen(f->path), ": ", 2) != 0 ||
	    (want != NULL && strstr(err, want) == NULL)) {
		fail_msg("message '%s', want '%s'", err, want);
	}
	assert_int_equal(snd_model_switch_count(f->m), 0);
	assert_int_equal(snd_model_adapter_count(f->m), 0);
	assert_string_equal(f->log, "");
	back = t_read(f->path, &blen);
	assert_int_equal(blen, len);
	assert_memory_equal(back, text, len);
	free(back);
	assert_int_equal(stat(f->path, &st1), 0);
	assert_int_equal(st1.st_mtim.tv_sec, st0.st_mtim.tv_sec);
	assert_int_equal(st1.st_mtim.tv_nsec, st0.st_mtim.tv_nsec);
}

static void
test_truncated(void **state)
{
	struct fake *f = *state;
	struct fake *src = t_fake_new();
	char *text;
	size_t len;
	size_t n;

	t_rich(src);
	text = t_render(src->m);
	len = strlen(text);
	assert_true(len > 2000);
	/* every cut that loses at least the closing brace */
	for (n = 0; n + 1 < len; n++) {
		t_load_fails(f, text, n, -EBADMSG,
			     n == 0 ? ": the file is empty"
				    : ": not valid JSON (the file is damaged "
				      "or truncated)");
	}
	/* the trailing newline alone is not needed */
	t_write(f->path, text, len - 1);
	{
		char err[512];

		t_ok(snd_state_load(f->m, f->dir, err, sizeof(err)), err);
	}
	free(text);
	t_fake_free(src);
}

/* One damaged document and the message it must give. */
struct t_bad {
	const char *text;	/* the whole file */
	const char *msg;	/* after "PATH: " */
};

#define T_SW(x) "{\"version\": 1, \"switches\": [" x "]}"
#define T_LAB "{\"name\": \"lab\", \"type\": \"private\"}"
#define T_AD(x) "{\"version\": 1, \"switches\": [" T_LAB "], " \
	"\"adapters\": [" x "]}"
#define T_PO(x) T_AD("{\"vm\": \"vm1\", \"switch\": \"lab\", \"policy\": " \
		     x "}")

static const struct t_bad t_bads[] = {
	{ "[]", "top level: not a JSON object" },
	{ "{}", "top level: missing member 'version'" },
	{ "{\"version\": 2}",
	  "unsupported format version (2): this synthnetd reads version 1" },
	{ "{\"version\": \"1\"}",
	  "unsupported format version (not a number): this synthnetd reads "
	  "version 1" },
	{ "{\"version\": 1, \"extra\": 0}",
	  "top level: unknown member 'extra'" },
	{ "{\"version\": 1, \"version\": 1}",
	  "top level: member 'version' appears twice" },
	{ "{\"version\": 1} x", "not valid JSON (the file is damaged or "
	  "truncated)" },
	{ "{\"version\": 1, \"switches\": [], \"switches\": []}",
	  "top level: member 'switches' appears twice" },
	{ "{\"version\": 1, \"switches\": {}}", "'switches' must be an array" },
	{ "{\"version\": 1, \"adapters\": 7}", "'adapters' must be an array" },
	{ "{\"version\": 1, \"mac_pool_next\": \"zz\"}",
	  "'mac_pool_next' must be a MAC address" },
	{ "{\"version\": 1, \"next_relid\": 0}",
	  "top level: 'next_relid' must be a whole number from 1 to 2047" },
	{ "{\"version\": 1, \"next_switch_id\": -1}",
	  "top level: 'next_switch_id' must be a whole number from 1 to "
	  "4294967295" },
	{ "{\"version\": 1, \"notes\": \"\xff\"}",
	  "not valid JSON (the file is damaged or truncated)" },
	{ T_SW("1"), "switches[0]: not a JSON object" },
	{ T_SW("{\"name\": \"lab\"}"), "switches[0]: missing member 'type'" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"hub\"}"),
	  "switches[0]: 'type' must be \"private\", \"internal\" or "
	  "\"external\"" },
	{ T_SW("{\"name\": 5, \"type\": \"private\"}"),
	  "switches[0]: 'name' must be a string" },
	{ T_SW("{\"name\": \"0123456789012345678901234567890123\", "
	       "\"type\": \"private\"}"),
	  "switches[0]: 'name' is too long (at most 31 bytes)" },
	{ T_SW("{\"name\": \"bad name\", \"type\": \"private\"}"),
	  "switches[0] 'bad name': 'bad name' is not a valid switch name" },
	{ T_SW(T_LAB ", {\"name\": \"LAB\", \"type\": \"private\"}"),
	  "switches[1] 'LAB': a switch named 'lab' already exists" },
	{ T_SW(T_LAB ", {\"name\": \"b\", \"type\": \"private\", "
	       "\"host_ifname\": \"vsw-lab\"}"),
	  "switches[1] 'b': host vNIC name 'vsw-lab' is already used by "
	  "another switch" },
	{ T_SW("{\"name\": \"a\", \"type\": \"private\", \"id\": 3}, "
	       "{\"name\": \"b\", \"type\": \"private\", \"id\": 3}"),
	  "switches[1] 'b': switch id 3 is already used by switch 'a'" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"private\", \"id\": 0}"),
	  "switches[0]: 'id' must be a whole number from 1 to 4294967294" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"private\", "
	       "\"mac_aging_s\": -1}"),
	  "switches[0]: 'mac_aging_s' must be a whole number from 0 to "
	  "4294967295" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"private\", "
	       "\"mac_aging_s\": 1.5}"),
	  "switches[0]: 'mac_aging_s' must be a whole number" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"private\", "
	       "\"mac_aging_s\": 5}"),
	  "switches[0] 'lab': MAC aging time 5 s is out of range: use 10 to "
	  "1000000 seconds" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"private\", "
	       "\"mac_limit\": 99999999}"),
	  "switches[0] 'lab': MAC table limit 99999999 is out of range" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"private\", "
	       "\"created\": \"yesterday\"}"),
	  "switches[0]: 'created' must be a UTC time such as "
	  "\"2024-05-01T12:00:00Z\"" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"private\", "
	       "\"created\": \"2024-02-30T00:00:00Z\"}"),
	  "switches[0]: 'created' must be a UTC time" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"internal\", "
	       "\"host_ips\": \"10.0.0.1/8\"}"),
	  "switches[0]: 'host_ips' must be an array of strings" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"internal\", "
	       "\"host_ips\": [\"10.0.0.1\"]}"),
	  "switches[0]: 'host_ips' holds '10.0.0.1', not an address with "
	  "prefix length" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"internal\", "
	       "\"host_ips\": [1]}"),
	  "switches[0]: 'host_ips' must be a string" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"private\", "
	       "\"host_ips\": [\"10.0.0.1/8\"]}"),
	  "switches[0] 'lab': a private switch has no host vNIC" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"external\"}"),
	  "switches[0] 'lab': an external switch needs --uplink DEVARGS" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"external\", "
	       "\"uplink\": \"eth1\", \"allow_management_os\": \"yes\"}"),
	  "switches[0]: 'allow_management_os' must be true or false" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"private\", "
	       "\"notes\": \"a\\u0000b\"}"),
	  "switches[0]: 'notes' contains a NUL character" },
	{ T_SW("{\"name\": \"lab\", \"type\": \"private\", \"color\": 1}"),
	  "switches[0]: unknown member 'color'" },
	{ T_AD("{\"switch\": \"lab\"}"), "adapters[0]: missing member 'vm'" },
	{ T_AD("{\"vm\": \"vm1\", \"switch\": \"nope\"}"),
	  "adapters[0] 'vm1/eth0': no switch named 'nope'" },
	{ T_AD("{\"vm\": \"vm1\", \"switch\": \"lab\", \"mac\": \"zz\"}"),
	  "adapters[0]: 'mac' must be a MAC address such as "
	  "\"00:15:5d:00:10:01\"" },
	{ T_AD("{\"vm\": \"vm1\", \"switch\": \"lab\", "
	       "\"mac\": \"01:00:5e:00:00:01\"}"),
	  "adapters[0] 'vm1/eth0': 01:00:5e:00:00:01 is a multicast address" },
	{ T_AD("{\"vm\": \"vm1\", \"switch\": \"lab\"}, "
	       "{\"vm\": \"VM1\", \"name\": \"ETH0\", \"switch\": \"lab\"}"),
	  "adapters[1] 'VM1/ETH0': VM 'vm1' already has a network adapter "
	  "named 'eth0'" },
	{ T_AD("{\"vm\": \"vm1\", \"switch\": \"lab\", "
	       "\"mac\": \"02:00:00:00:00:01\"}, "
	       "{\"vm\": \"vm2\", \"switch\": \"lab\", "
	       "\"mac\": \"02:00:00:00:00:01\"}"),
	  "adapters[1] 'vm2/eth0': MAC 02:00:00:00:00:01 is already used by "
	  "vm1/eth0" },
	{ T_AD("{\"vm\": \"vm1\", \"switch\": \"lab\", \"relid\": 5}, "
	       "{\"vm\": \"vm2\", \"switch\": \"lab\", \"relid\": 5}"),
	  "adapters[1] 'vm2/eth0': relid 5 is already used by vm1/eth0" },
	{ T_AD("{\"vm\": \"vm1\", \"switch\": \"lab\", \"relid\": 4096}"),
	  "adapters[0]: 'relid' must be a whole number from 1 to 2047" },
	{ T_AD("{\"vm\": \"vm1\", \"switch\": \"lab\", "
	       "\"instance_id\": \"x\"}"),
	  "adapters[0]: 'instance_id' must be a GUID" },
	{ T_AD("{\"vm\": \"vm1\", \"switch\": \"lab\", \"instance_id\": "
	       "\"5c3e0e6a-1b2c-4d5e-8f90-0123456789ab\"}, "
	       "{\"vm\": \"vm2\", \"switch\": \"lab\", \"instance_id\": "
	       "\"5C3E0E6A-1B2C-4D5E-8F90-0123456789AB\"}"),
	  "adapters[1] 'vm2/eth0': instance GUID is already used by "
	  "vm1/eth0" },
	{ T_AD("{\"vm\": \"vm1\", \"switch\": \"lab\", "
	       "\"mac_dynamic\": true}"),
	  "adapters[0] 'vm1/eth0': a restored dynamic MAC needs the MAC" },
	{ T_AD("{\"vm\": \"a b\", \"switch\": \"lab\"}"),
	  "adapters[0] 'a b/eth0': 'a b' is not a valid VM name" },
	{ T_PO("[]"), "adapters[0].policy: not a JSON object" },
	{ T_PO("{\"vlan_mode\": \"hybrid\"}"),
	  "adapters[0].policy: 'vlan_mode' must be \"untagged\", \"access\" "
	  "or \"trunk\"" },
	{ T_PO("{\"vlan_mode\": \"access\", \"access_vlan\": 4095}"),
	  "adapters[0] 'vm1/eth0': bad VLAN id 4095: use 1..4094" },
	{ T_PO("{\"vlan_mode\": \"access\", \"access_vlan\": 70000}"),
	  "adapters[0].policy: 'access_vlan' must be a whole number from 0 "
	  "to 4095" },
	{ T_PO("{\"vlan_mode\": \"trunk\", \"trunk_vlans\": \"10,,20\"}"),
	  "adapters[0].policy: 'trunk_vlans': bad VLAN list '10,,20'" },
	{ T_PO("{\"vlan_mode\": \"trunk\", \"trunk_vlans\": \"10\", "
	       "\"native_vlan\": 20}"),
	  "adapters[0] 'vm1/eth0': native VLAN 20 is not in the trunk's VLAN "
	  "list" },
	{ T_PO("{\"vlan_mode\": \"untagged\", \"trunk_vlans\": \"10\"}"),
	  "adapters[0] 'vm1/eth0': VLAN settings of another mode than "
	  "'untagged' are set" },
	{ T_PO("{\"mirror\": \"both\"}"),
	  "adapters[0].policy: 'mirror' must be \"none\", \"source\" or "
	  "\"destination\"" },
	{ T_PO("{\"storm_limit_pps\": 4294967296}"),
	  "adapters[0].policy: 'storm_limit_pps' must be a whole number from "
	  "0 to 4294967295" },
	{ T_PO("{\"max_bandwidth_bps\": 18446744073709551616}"),
	  "adapters[0].policy: 'max_bandwidth_bps' must be a whole number" },
	{ T_PO("{\"dhcp_guard\": 1}"),
	  "adapters[0].policy: 'dhcp_guard' must be true or false" },
	{ T_PO("{\"qos\": 1}"), "adapters[0].policy: unknown member 'qos'" },
};

static void
test_damaged(void **state)
{
	struct fake *f = *state;
	size_t i;

	t_load_fails(f, "", 0, -EBADMSG, ": the file is empty");
	for (i = 0; i < sizeof(t_bads) / sizeof(t_bads[0]); i++) {
		char want[512];

		snprintf(want, sizeof(want), ": %s", t_bads[i].msg);
		t_load_fails(f, t_bads[i].text, strlen(t_bads[i].text),
			     -EBADMSG, want);
	}
	/* one NUL byte in the file */
	t_load_fails(f, "{\"version\": 1}\0", 15, -EBADMSG, "not valid JSON");
	/* nesting deeper than the reader follows */
	{
		char deep[200];

		memset(deep, '[', 100);
		memset(deep + 100, ']', 100);
		t_load_fails(f, deep, sizeof(deep), -EBADMSG,
			     "not valid JSON");
	}
}

static void
test_unreadable(void **state)
{
	struct fake *f = *state;
	char err[512];
	char expect[512];
	int fd;

	/* a directory where the file should be */
	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_equal(snd_state_load(f->m, f->dir, err, sizeof(err)),
			 -EINVAL);
	snprintf(expect, sizeof(expect), "%s: not a regular file", f->path);
	assert_string_equal(err, expect);
	assert_int_equal(rmdir(f->path), 0);
	/* a device */
	assert_int_equal(symlink("/dev/null", f->path), 0);
	assert_int_equal(snd_state_load(f->m, f->dir, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, expect);
	assert_int_equal(unlink(f->path), 0);
	/* a FIFO: refused at once, not waited on */
	assert_int_equal(mkfifo(f->path, 0600), 0);
	assert_int_equal(snd_state_load(f->m, f->dir, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, expect);
	assert_int_equal(unlink(f->path), 0);
	/* far too large */
	fd = open(f->path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)SND_STATE_MAX_BYTES + 1), 0);
	close(fd);
	assert_int_equal(snd_state_load(f->m, f->dir, err, sizeof(err)),
			 -EFBIG);
	snprintf(expect, sizeof(expect), "%s: larger than 16777216 bytes, not "
		 "a configuration", f->path);
	assert_string_equal(err, expect);
	/* the limit itself is read (and then found to be no JSON) */
	assert_int_equal(truncate(f->path, (off_t)SND_STATE_MAX_BYTES), 0);
	assert_int_equal(snd_state_load(f->m, f->dir, err, sizeof(err)),
			 -EBADMSG);
	snprintf(expect, sizeof(expect), "%s: not valid JSON (the file is "
		 "damaged or truncated)", f->path);
	assert_string_equal(err, expect);
	/* unreadable (root reads anyway: skipped for root) */
	if (geteuid() != 0) {
		assert_int_equal(truncate(f->path, 0), 0);
		assert_int_equal(chmod(f->path, 0), 0);
		assert_int_equal(snd_state_load(f->m, f->dir, err,
						sizeof(err)), -EACCES);
		snprintf(expect, sizeof(expect), "%s: cannot open the "
			 "configuration: Permission denied", f->path);
		assert_string_equal(err, expect);
	}
	assert_int_equal(snd_model_switch_count(f->m), 0);
}

/* A hook refuses during the real load: everything made is undone. */
static void
test_hook_failure_rolls_back(void **state)
{
	static const char missing[] =
		"{\"version\": 1, \"next_switch_id\": 9, \"switches\": ["
		"{\"name\": \"a\", \"type\": \"private\"}, "
		"{\"name\": \"b\", \"type\": \"internal\"}, "
		"{\"name\": \"wan\", \"type\": \"external\", "
		"\"uplink\": \"" T_MISSING_UPLINK "\"}]}";
	static const char ports[] =
		"{\"version\": 1, \"switches\": ["
		"{\"name\": \"a\", \"type\": \"private\"}], \"adapters\": ["
		"{\"vm\": \"vm1\", \"switch\": \"a\"}, "
		"{\"vm\": \"vm2\", \"switch\": \"a\"}, "
		"{\"vm\": \"vm3\", \"switch\": \"a\"}]}";
	struct fake *f = *state;
	struct snd_model_seq seq;
	char expect[512];
	char err[512];

	t_write(f->path, missing, sizeof(missing) - 1);
	assert_int_equal(snd_state_load(f->m, f->dir, err, sizeof(err)),
			 -ENODEV);
	snprintf(expect, sizeof(expect), "%s: switches[2] 'wan': uplink '%s' "
		 "does not exist", f->path, T_MISSING_UPLINK);
	assert_string_equal(err, expect);
	assert_string_equal(f->log, "sc:a sc:b sc:wan sd:a sd:b ");
	assert_int_equal(snd_model_switch_count(f->m), 0);
	assert_int_equal(f->live_sw, 0);
	snd_model_seq_get(f->m, &seq);
	assert_int_equal(seq.next_switch_id, 1);

	f->log[0] = '\0';
	f->fail_add_at = 2;
	t_write(f->path, ports, sizeof(ports) - 1);
	assert_int_equal(snd_state_load(f->m, f->dir, err, sizeof(err)),
			 -ENOSPC);
	snprintf(expect, sizeof(expect), "%s: adapters[1] 'vm2/eth0': port "
		 "table full", f->path);
	assert_string_equal(err, expect);
	assert_string_equal(f->log, "sc:a aa:vm1/eth0 aa:vm2/eth0 "
			    "ar:vm1/eth0 sd:a ");
	assert_int_equal(snd_model_adapter_count(f->m), 0);
	assert_int_equal(f->live_ad, 0);
	snd_model_seq_get(f->m, &seq);
	assert_int_equal(seq.next_relid, 1);
	assert_memory_equal(seq.mac_next, "\x00\x15\x5d\x00\x00\x01", 6);
	/* the model is usable afterwards */
	f->fail_add_at = 0;
	t_ok(snd_state_load(f->m, f->dir, err, sizeof(err)), err);
	assert_int_equal(snd_model_adapter_count(f->m), 3);
}

static void
test_parse_api(void **state)
{
	struct fake *f = *state;
	char err[256];

	/* the name given is the one messages use; NULL text is refused */
	assert_int_equal(snd_state_parse(f->m, "{}", 2, "cfg", err,
					 sizeof(err)), -EBADMSG);
	assert_string_equal(err, "cfg: top level: missing member 'version'");
	assert_int_equal(snd_state_parse(f->m, NULL, 1, "cfg", err,
					 sizeof(err)), -EINVAL);
	assert_int_equal(snd_state_parse(NULL, "{}", 2, "cfg", err,
					 sizeof(err)), -EINVAL);
	/* not NUL-terminated: only len bytes are read */
	assert_int_equal(snd_state_parse(f->m, "{\"version\": 1}xxx", 14, "cfg",
					 err, sizeof(err)), 0);
	assert_int_equal(snd_state_save(f->m, "", err, sizeof(err)), -EINVAL);
	assert_int_equal(snd_state_load(f->m, NULL, err, sizeof(err)),
			 -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_pool_continues, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_minimal,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_save, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_save_hook, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_truncated, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_damaged, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_unreadable, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_hook_failure_rolls_back,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_parse_api, t_setup,
						t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
