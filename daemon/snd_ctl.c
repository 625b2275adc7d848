/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_ctl.c - control commands: parse, dispatch, answer (snd_ctl.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sn_wire.h"
#include "snctl_help.h"
#include "snctl_json.h"
#include "snd_ctl.h"

#include "snd_ctl_priv.h"


/* ---- helpers ------------------------------------------------------------ */

/* Sanitised copy of user input for a message (see snd_model.c). */
const char *
snd_ctl_quote(const char *s, char buf[SND_CTL_QUOTE_MAX + 4])
{
	size_t i;

	if (s == NULL) {
		return "(none)";
	}
	for (i = 0; s[i] != '\0' && i < SND_CTL_QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		buf[i] = (ch < 0x20 || ch == 0x7f || ch == '\'') ? '?'
								 : (char)ch;
	}
	if (s[i] != '\0') {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/*
 * Replace whatever the command wrote with an error and return status.
 * usage: the help line of cmd (NULL: none).
 */
static unsigned int
snd_ctl_verror(struct snctl_out *out, size_t start, bool json,
	       unsigned int status, const struct snctl_help *usage,
	       const char *fmt, va_list ap)
{
	char msg[512];
	char line[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snctl_out_truncate(out, start);
	line[0] = '\0';
	if (usage != NULL) {
		snprintf(line, sizeof(line), "synthctl %s%s%s", usage->cmd,
			 usage->args[0] != '\0' ? " " : "", usage->args);
	}
	if (json) {
		struct snctl_json j;

		snctl_json_init(&j, out, true);
		snctl_json_obj_open(&j);
		snctl_json_kv_str(&j, "error", msg);
		snctl_json_kv_u64(&j, "status", status);
		if (line[0] != '\0') {
			snctl_json_kv_str(&j, "usage", line);
		}
		snctl_json_obj_close(&j);
		snctl_json_end(&j);
	} else {
		snctl_out_printf(out, "%s\n", msg);
		if (line[0] != '\0') {
			snctl_out_printf(out, "usage: %s\n", line);
		}
	}
	return status;
}

unsigned int
snd_ctl_fail(struct snd_ctl_call *c, const char *fmt, ...)
{
	va_list ap;
	unsigned int st;

	va_start(ap, fmt);
	st = snd_ctl_verror(c->out, c->start, c->json, SNCTL_STATUS_ERROR,
			    NULL, fmt, ap);
	va_end(ap);
	return st;
}

unsigned int
snd_ctl_usage(struct snd_ctl_call *c, const char *fmt, ...)
{
	va_list ap;
	unsigned int st;

	va_start(ap, fmt);
	st = snd_ctl_verror(c->out, c->start, c->json, SNCTL_STATUS_USAGE,
			    snctl_help_find(c->cmd->name), fmt, ap);
	va_end(ap);
	return st;
}

static unsigned int
snd_ctl_bad(struct snd_ctl_call *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A usage error that belongs to no single command (no usage line). */
static unsigned int
snd_ctl_bad(struct snd_ctl_call *c, const char *fmt, ...)
{
	va_list ap;
	unsigned int st;

	va_start(ap, fmt);
	st = snd_ctl_verror(c->out, c->start, c->json, SNCTL_STATUS_USAGE,
			    NULL, fmt, ap);
	va_end(ap);
	return st;
}

/* Status of a render call: 0 -> OK, else the error (message in c->err
 * when the renderer wrote one). */
unsigned int
snd_ctl_rendered(struct snd_ctl_call *c, int rc)
{
	if (rc == 0) {
		return SNCTL_STATUS_OK;
	}
	if (c->err[0] != '\0') {
		return snd_ctl_fail(c, "%s", c->err);
	}
	if (rc == -ENOSPC) {
		return snd_ctl_fail(c, "the answer is too large");
	}
	return snd_ctl_fail(c, "internal error: %s", strerror(-rc));
}

/* Value of option name, or NULL when absent (flags: "" when set). */
const char *
snd_ctl_opt(const struct snd_ctl_call *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < SND_CTL_MAX_OPTS && c->cmd->opts[i].name != NULL;
	     i++) {
		if (strcmp(c->cmd->opts[i].name, name) == 0) {
			return c->set[i] ? (c->val[i] != NULL ? c->val[i] : "")
					 : NULL;
		}
	}
	return NULL;
}

/* Append ", " separated NIC names of VM vm to buf. */
void
snd_ctl_vm_nics(const struct snd_model *m, const char *vm, char *buf,
		size_t cap)
{
	struct snd_adapter *ads[SND_VM_ADAPTERS_MAX];
	size_t n = snd_model_adapters_for_vm(m, vm, ads, SN_ARRAY_SIZE(ads));
	size_t len = 0;
	size_t i;

	buf[0] = '\0';
	if (n > SN_ARRAY_SIZE(ads)) {
		n = SN_ARRAY_SIZE(ads);
	}
	for (i = 0; i < n; i++) {
		int k = snprintf(buf + len, cap - len, "%s%s",
				 i != 0 ? ", " : "", ads[i]->nic);

		if (k < 0 || (size_t)k >= cap - len) {
			return;
		}
		len += (size_t)k;
	}
}

/*
 * The adapter(s) a "VM [--name NIC]" command means.  all: without --name
 * every adapter of the VM is meant (stats), else exactly one (remove).
 * Returns the count stored in ads, or 0 after writing the error.
 */
static size_t
snd_ctl_pick(struct snd_ctl_call *c, bool all, struct snd_adapter **ads,
	     unsigned int *status)
{
	const char *vm = c->pos[0];
	const char *nic = snd_ctl_opt(c, "--name");
	char q[SND_CTL_QUOTE_MAX + 4];
	char q2[SND_CTL_QUOTE_MAX + 4];
	char nics[256];
	size_t n;

	n = snd_model_adapters_for_vm(c->m, vm, ads, SND_VM_ADAPTERS_MAX);
	if (n == 0) {
		*status = snd_ctl_fail(c,
				       "VM '%s' has no network adapters "
				       "(synthctl adapter list shows them)",
				       snd_ctl_quote(vm, q));
		return 0;
	}
	if (n > SND_VM_ADAPTERS_MAX) {
		n = SND_VM_ADAPTERS_MAX;
	}
	if (nic != NULL) {
		struct snd_adapter *ad = snd_model_adapter_find(c->m, vm, nic);

		if (ad == NULL) {
			snd_ctl_vm_nics(c->m, vm, nics, sizeof(nics));
			*status = snd_ctl_fail(c,
					       "VM '%s' has no network adapter "
					       "named '%s' (it has: %s)",
					       ads[0]->vm,
					       snd_ctl_quote(nic, q2), nics);
			return 0;
		}
		ads[0] = ad;
		return 1;
	}
	if (n > 1 && !all) {
		snd_ctl_vm_nics(c->m, vm, nics, sizeof(nics));
		*status = snd_ctl_fail(c,
				       "VM '%s' has %zu network adapters "
				       "(%s): choose one with --name",
				       ads[0]->vm, n, nics);
		return 0;
	}
	return n;
}

/* Look up the switch named by argument name; error when missing. */
struct snd_switch *
snd_ctl_switch(struct snd_ctl_call *c, const char *name, unsigned int *st)
{
	struct snd_switch *sw = snd_model_switch_find(c->m, name);
	char q[SND_CTL_QUOTE_MAX + 4];

	if (sw == NULL) {
		*st = snd_ctl_fail(c,
				   "no switch named '%s' (synthctl switch list "
				   "shows the switches)",
				   snd_ctl_quote(name, q));
	}
	return sw;
}

/* ---- option values ------------------------------------------------------ */

/* Parse "on"/"off" (also "true"/"false") of option opt.  Returns 0, or
 * the error status (written). */
static int
snd_ctl_on_off(struct snd_ctl_call *c, const char *opt, bool *out)
{
	const char *v = snd_ctl_opt(c, opt);
	char q[SND_CTL_QUOTE_MAX + 4];

	if (v == NULL) {
		return 0;
	}
	if (strcasecmp(v, "on") == 0 || strcasecmp(v, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcasecmp(v, "off") == 0 || strcasecmp(v, "false") == 0) {
		*out = false;
		return 0;
	}
	return (int)snd_ctl_fail(c, "bad value '%s' for %s: use on or off",
				 snd_ctl_quote(v, q), opt);
}

/*
 * Parse a decimal number with an optional decimal multiplier suffix
 * (k = 10^3, M = 10^6, G = 10^9, T = 10^12; any case) when suffix.
 * Returns 0, -EINVAL (not such a number) or -ERANGE (above max).
 */
int
snd_ctl_num(const char *s, bool suffix, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	uint64_t mul = 1;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		uint64_t d = (uint64_t)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10) {
			return -ERANGE;
		}
		v = v * 10 + d;
	}
	if (i == 0) {
		return -EINVAL;
	}
	if (s[i] != '\0') {
		const char *units = "kKmMgGtT";
		const char *u = suffix ? strchr(units, s[i]) : NULL;
		unsigned int e;

		if (u == NULL || s[i + 1] != '\0') {
			return -EINVAL;
		}
		for (e = 0; e <= (unsigned int)(u - units) / 2; e++) {
			mul *= 1000;
		}
	}
	if (v > max / mul) {
		return -ERANGE;
	}
	*out = v * mul;
	return 0;
}

/* A 32-bit count of option opt (no suffix; the model checks the
 * range).  0 or the status. */
static int
snd_ctl_u32(struct snd_ctl_call *c, const char *opt, const char *what,
	    uint32_t *out)
{
	const char *v = snd_ctl_opt(c, opt);
	char q[SND_CTL_QUOTE_MAX + 4];
	uint64_t n;
	int rc;

	if (v == NULL) {
		return 0;
	}
	rc = snd_ctl_num(v, false, UINT32_MAX, &n);
	if (rc < 0) {
		return (int)snd_ctl_fail(c, "bad value '%s' for %s: give %s",
					 snd_ctl_quote(v, q), opt, what);
	}
	*out = (uint32_t)n;
	return 0;
}

/* VLAN id of option opt, min..4094.  0 or the status. */
static int
snd_ctl_vlan_id(struct snd_ctl_call *c, const char *opt, unsigned int min,
		uint16_t *out)
{
	const char *v = snd_ctl_opt(c, opt);
	const char *kind = min == 0 ? "native VLAN id" : "VLAN id";
	const char *zero = min == 0 ? " (0: untagged frames are dropped)" : "";
	char q[SND_CTL_QUOTE_MAX + 4];
	uint64_t n;
	int rc;

	rc = snd_ctl_num(v, false, UINT64_MAX, &n);
	if (rc == 0 && n >= min && n <= VSW_VLAN_ID_MAX) {
		*out = (uint16_t)n;
		return 0;
	}
	if (rc == -EINVAL) {
		return (int)snd_ctl_fail(c, "bad %s '%s': use %u..%u%s", kind,
					 snd_ctl_quote(v, q), min,
					 VSW_VLAN_ID_MAX, zero);
	}
	return (int)snd_ctl_fail(c, "bad %s %s: use %u..%u%s", kind,
				 snd_ctl_quote(v, q), min, VSW_VLAN_ID_MAX,
				 zero);
}

/* ---- switch commands ---------------------------------------------------- */

/* The --host-ip values into cfg ("none" alone: no addresses). */
static int
snd_ctl_host_ips(struct snd_ctl_call *c, struct snd_switch_cfg *cfg)
{
	char q[SND_CTL_QUOTE_MAX + 4];
	unsigned int i;

	if (c->nmulti == 1 && strcasecmp(c->multi[0], "none") == 0) {
		cfg->n_host_ips = 0;
		return 0;
	}
	for (i = 0; i < c->nmulti; i++) {
		if (snd_cidr_parse(c->multi[i], &cfg->host_ips[i]) < 0) {
			return (int)snd_ctl_fail(c,
				"'%s' is not an address with prefix length: "
				"write it as 192.168.50.1/24 or "
				"fd00:50::1/64%s", snd_ctl_quote(c->multi[i],
								 q),
				c->nmulti == 1 ? " (none: no address)" : "");
		}
	}
	cfg->n_host_ips = c->nmulti;
	return 0;
}

/* Copy option opt's value into buf[cap] if given; too long: error. */
static int
snd_ctl_copy(struct snd_ctl_call *c, const char *opt, const char *what,
	     char *buf, size_t cap)
{
	const char *v = snd_ctl_opt(c, opt);

	if (v == NULL) {
		return 0;
	}
	if (strlen(v) >= cap) {
		return (int)snd_ctl_fail(c, "%s too long (%zu bytes, at most "
					 "%zu)", what, strlen(v), cap - 1);
	}
	snprintf(buf, cap, "%s", v);
	return 0;
}

/*
 * Apply the options switch create and switch set share to cfg: --notes,
 * --uplink, --host-ip, --host-netns, --mac-aging, --mac-limit and (set
 * only: on|off) --allow-management-os.  0 or the status (written).
 */
static int
snd_ctl_switch_opts(struct snd_ctl_call *c, struct snd_switch_cfg *cfg,
		    bool create)
{
	int rc;

	rc = snd_ctl_copy(c, "--notes", "notes are", cfg->notes,
			  sizeof(cfg->notes));
	if (rc == 0) {
		rc = snd_ctl_copy(c, "--uplink", "device arguments are",
				  cfg->uplink, sizeof(cfg->uplink));
	}
	if (rc == 0) {
		rc = snd_ctl_copy(c, "--host-netns",
				  "the network namespace name is",
				  cfg->host_netns, sizeof(cfg->host_netns));
	}
	if (rc == 0 && c->nmulti != 0) {
		rc = snd_ctl_host_ips(c, cfg);
	}
	if (rc == 0) {
		rc = snd_ctl_u32(c, "--mac-aging", "seconds, 10 to 1000000",
				 &cfg->mac_aging_s);
	}
	if (rc == 0) {
		rc = snd_ctl_u32(c, "--mac-limit", "entries, 16 to 1048576",
				 &cfg->mac_limit);
	}
	if (rc == 0 && create) {
		if (snd_ctl_opt(c, "--allow-management-os") != NULL) {
			cfg->allow_management_os = true;
		}
	} else if (rc == 0) {
		rc = snd_ctl_on_off(c, "--allow-management-os",
				    &cfg->allow_management_os);
	}
	return rc;
}

static int
snd_ctl_type(struct snd_ctl_call *c, const char *s, enum snd_switch_type *t)
{
	char q[SND_CTL_QUOTE_MAX + 4];

	if (snd_switch_type_parse(s, t) < 0) {
		return (int)snd_ctl_fail(c, "unknown switch type '%s': use "
					 "private, internal or external",
					 snd_ctl_quote(s, q));
	}
	return 0;
}

static unsigned int
snd_ctl_switch_create(struct snd_ctl_call *c)
{
	const char *type_s = snd_ctl_opt(c, "--type");
	struct snd_switch_cfg cfg;
	struct snd_switch_req rq;
	enum snd_switch_type type;
	struct snd_switch *sw;
	int rc;

	if (type_s == NULL) {
		return snd_ctl_usage(c, "missing --type: private, internal or "
				     "external");
	}
	rc = snd_ctl_type(c, type_s, &type);
	if (rc != 0) {
		return (unsigned int)rc;
	}
	snd_switch_cfg_init(&cfg, type);
	rc = snd_ctl_switch_opts(c, &cfg, true);
	if (rc != 0) {
		return (unsigned int)rc;
	}
	memset(&rq, 0, sizeof(rq));
	rq.name = c->pos[0];
	rq.cfg = &cfg;
	rc = snd_model_switch_create_req(c->m, &rq, &sw, c->err,
					 sizeof(c->err));
	if (rc < 0) {
		return snd_ctl_fail(c, "%s", c->err);
	}
	return snd_ctl_rendered(c, snd_render_switch(c->m, sw, c->json,
						     c->out));
}

/* True when at least one option was given. */
static bool
snd_ctl_any_opt(const struct snd_ctl_call *c, const char *except)
{
	unsigned int i;

	for (i = 0; i < SND_CTL_MAX_OPTS && c->cmd->opts[i].name != NULL;
	     i++) {
		if (c->set[i] && (except == NULL ||
				  strcmp(c->cmd->opts[i].name, except) != 0)) {
			return true;
		}
	}
	return false;
}

static unsigned int
snd_ctl_switch_set(struct snd_ctl_call *c)
{
	const char *type_s = snd_ctl_opt(c, "--type");
	unsigned int st = SNCTL_STATUS_ERROR;
	struct snd_switch_cfg cfg;
	struct snd_switch *sw;
	int rc;

	if (!snd_ctl_any_opt(c, NULL)) {
		return snd_ctl_usage(c, "nothing to change: give at least one "
				     "option");
	}
	sw = snd_ctl_switch(c, c->pos[0], &st);
	if (sw == NULL) {
		return st;
	}
	cfg = sw->cfg;
	if (type_s != NULL) {
		rc = snd_ctl_type(c, type_s, &cfg.type);
		if (rc != 0) {
			return (unsigned int)rc;
		}
		/* internal -> external keeps the host vNIC (as Hyper-V does
		 * when an internal switch gets a physical adapter) */
		if (sw->cfg.type == SND_SWITCH_INTERNAL &&
		    cfg.type == SND_SWITCH_EXTERNAL) {
			cfg.allow_management_os = true;
		}
	}
	rc = snd_ctl_switch_opts(c, &cfg, false);
	if (rc != 0) {
		return (unsigned int)rc;
	}
	/* What the new type cannot have goes, unless it was asked for (then
	 * the model says why it cannot be). */
	if (cfg.type != SND_SWITCH_EXTERNAL) {
		if (snd_ctl_opt(c, "--uplink") == NULL) {
			cfg.uplink[0] = '\0';
		}
		if (snd_ctl_opt(c, "--allow-management-os") == NULL) {
			cfg.allow_management_os = false;
		}
	}
	if (!snd_switch_has_host_vnic(&cfg)) {
		if (c->nmulti == 0) {
			cfg.n_host_ips = 0;
		}
		if (snd_ctl_opt(c, "--host-netns") == NULL) {
			cfg.host_netns[0] = '\0';
		}
	}
	rc = snd_model_switch_set(c->m, sw, &cfg, c->err, sizeof(c->err));
	if (rc < 0) {
		return snd_ctl_fail(c, "%s", c->err);
	}
	return snd_ctl_rendered(c, snd_render_switch(c->m, sw, c->json,
						     c->out));
}

static unsigned int
snd_ctl_switch_list(struct snd_ctl_call *c)
{
	return snd_ctl_rendered(c, snd_render_switches(c->m, c->json,
						       c->out));
}

static unsigned int
snd_ctl_switch_show(struct snd_ctl_call *c)
{
	unsigned int st = SNCTL_STATUS_ERROR;
	struct snd_switch *sw = snd_ctl_switch(c, c->pos[0], &st);

	if (sw == NULL) {
		return st;
	}
	return snd_ctl_rendered(c, snd_render_switch(c->m, sw, c->json,
						     c->out));
}

static unsigned int
snd_ctl_switch_delete(struct snd_ctl_call *c)
{
	char name[SND_SWITCH_NAME_MAX];
	struct snd_switch *sw;
	unsigned int st = SNCTL_STATUS_ERROR;
	uint32_t n = 0;
	int rc;

	sw = snd_ctl_switch(c, c->pos[0], &st);
	if (sw == NULL) {
		return st;
	}
	snprintf(name, sizeof(name), "%s", sw->name);
	rc = snd_model_switch_delete(c->m, name,
				     snd_ctl_opt(c, "--force") != NULL, &n,
				     c->err, sizeof(c->err));
	if (rc < 0) {
		return snd_ctl_fail(c, "%s", c->err);
	}
	if (c->json) {
		struct snctl_json j;

		snctl_json_init(&j, c->out, true);
		snctl_json_obj_open(&j);
		snctl_json_kv_str(&j, "deleted", name);
		snctl_json_kv_u64(&j, "adapters_removed", n);
		snctl_json_obj_close(&j);
		return snd_ctl_rendered(c, snctl_json_end(&j));
	}
	if (n == 0) {
		snctl_out_printf(c->out, "deleted switch '%s'\n", name);
	} else {
		snctl_out_printf(c->out,
				 "deleted switch '%s' and removed its %" PRIu32
				 " network adapter%s\n", name, n,
				 n == 1 ? "" : "s");
	}
	return SNCTL_STATUS_OK;
}

/* ---- adapter commands ---------------------------------------------------- */

/* Parse option opt as a MAC into mac.  0 or the status. */
static int
snd_ctl_mac(struct snd_ctl_call *c, const char *opt, uint8_t *mac)
{
	const char *s = snd_ctl_opt(c, opt);
	char q[SND_CTL_QUOTE_MAX + 4];

	if (snd_mac_parse(s, mac) < 0) {
		return (int)snd_ctl_fail(c,
					 "'%s' is not a MAC address: write it "
					 "as 00:15:5d:00:10:01, "
					 "00-15-5D-00-10-01 or 00155D001001",
					 snd_ctl_quote(s, q));
	}
	return 0;
}

static unsigned int
snd_ctl_adapter_add(struct snd_ctl_call *c)
{
	struct snd_adapter_req rq;
	uint8_t mac[SND_MAC_LEN];
	struct snd_adapter *ad;
	int rc;

	memset(&rq, 0, sizeof(rq));
	rq.vm = c->pos[0];
	rq.sw = snd_ctl_opt(c, "--switch");
	rq.nic = snd_ctl_opt(c, "--name");
	if (rq.sw == NULL) {
		return snd_ctl_usage(c, "missing --switch: name the switch "
				     "the adapter connects to");
	}
	if (snd_ctl_opt(c, "--mac") != NULL) {
		rc = snd_ctl_mac(c, "--mac", mac);
		if (rc != 0) {
			return (unsigned int)rc;
		}
		rq.mac = mac;
	}
	rc = snd_model_adapter_add(c->m, &rq, &ad, c->err, sizeof(c->err));
	if (rc < 0) {
		return snd_ctl_fail(c, "%s", c->err);
	}
	return snd_ctl_rendered(c, snd_render_adapter(c->m, ad, c->json,
						      c->out));
}

/* The VLAN options of adapter set, applied to p.  0 or the status. */
static int
snd_ctl_vlan_opts(struct snd_ctl_call *c, const struct snd_adapter *ad,
		  struct vsw_policy_cfg *p)
{
	const char *trunk = snd_ctl_opt(c, "--vlan-trunk");
	bool native = snd_ctl_opt(c, "--native") != NULL;
	uint16_t id = 0;
	int rc;

	if (snd_ctl_opt(c, "--untagged") != NULL) {
		p->vlan_mode = VSW_VLAN_UNTAGGED;
		p->access_vlan = 0;
		p->native_vlan = 0;
		memset(p->allowed, 0, sizeof(p->allowed));
		return 0;
	}
	if (snd_ctl_opt(c, "--vlan-access") != NULL) {
		rc = snd_ctl_vlan_id(c, "--vlan-access", 1, &id);
		if (rc != 0) {
			return rc;
		}
		p->vlan_mode = VSW_VLAN_ACCESS;
		p->access_vlan = id;
		p->native_vlan = 0;
		memset(p->allowed, 0, sizeof(p->allowed));
		return 0;
	}
	if (trunk == NULL && !native) {
		return 0;
	}
	if (native) {
		rc = snd_ctl_vlan_id(c, "--native", 0, &id);
		if (rc != 0) {
			return rc;
		}
	} else if (ad->policy.vlan_mode == VSW_VLAN_TRUNK) {
		id = ad->policy.native_vlan;
	} else {
		return (int)snd_ctl_fail(c, "--vlan-trunk needs --native ID: "
					 "the VLAN of untagged frames (0: "
					 "untagged frames are dropped)");
	}
	if (trunk != NULL) {
		rc = snd_vlan_list_parse(trunk, p->allowed, c->err,
					 sizeof(c->err));
		if (rc < 0) {
			return (int)snd_ctl_fail(c, "%s", c->err);
		}
	} else if (ad->policy.vlan_mode != VSW_VLAN_TRUNK) {
		return (int)snd_ctl_fail(c, "--native is for trunks: give "
					 "--vlan-trunk LIST too");
	}
	p->vlan_mode = VSW_VLAN_TRUNK;
	p->access_vlan = 0;
	p->native_vlan = id;
	return 0;
}

/* The rate options of adapter set.  0 or the status. */
static int
snd_ctl_rate_opts(struct snd_ctl_call *c, struct vsw_policy_cfg *p)
{
	const char *bw = snd_ctl_opt(c, "--max-bandwidth");
	const char *storm = snd_ctl_opt(c, "--storm-limit");
	char q[SND_CTL_QUOTE_MAX + 4];
	uint64_t v;
	int rc;

	if (bw != NULL) {
		rc = snd_ctl_num(bw, true, UINT64_MAX, &p->max_bandwidth_bps);
		if (rc < 0) {
			return (int)snd_ctl_fail(c,
				"bad bandwidth '%s': give bits per second "
				"such as 100000000, 100M or 1G (0: no limit)",
				snd_ctl_quote(bw, q));
		}
	}
	if (storm != NULL) {
		rc = snd_ctl_num(storm, true, UINT32_MAX, &v);
		if (rc < 0) {
			return (int)snd_ctl_fail(c,
				"bad storm limit '%s': give frames per second "
				"from 0 (no limit) to 4294967295, such as 1000 "
				"or 10k", snd_ctl_quote(storm, q));
		}
		p->storm_limit_pps = (uint32_t)v;
	}
	return 0;
}

/* The guard and mirror options of adapter set.  0 or the status. */
static int
snd_ctl_guard_opts(struct snd_ctl_call *c, struct vsw_policy_cfg *p)
{
	const char *mirror = snd_ctl_opt(c, "--mirror");
	char q[SND_CTL_QUOTE_MAX + 4];
	int rc;

	rc = snd_ctl_on_off(c, "--mac-spoofing", &p->mac_spoofing);
	if (rc == 0) {
		rc = snd_ctl_on_off(c, "--dhcp-guard", &p->dhcp_guard);
	}
	if (rc == 0) {
		rc = snd_ctl_on_off(c, "--router-guard", &p->router_guard);
	}
	if (rc == 0 && mirror != NULL &&
	    snd_mirror_parse(mirror, &p->mirror) < 0) {
		rc = (int)snd_ctl_fail(c, "bad value '%s' for --mirror: use "
				       "none, source or destination",
				       snd_ctl_quote(mirror, q));
	}
	return rc;
}

/* Usage errors of adapter set: options that exclude each other. */
static unsigned int
snd_ctl_adapter_set_usage(struct snd_ctl_call *c)
{
	unsigned int modes = (snd_ctl_opt(c, "--untagged") != NULL) +
			     (snd_ctl_opt(c, "--vlan-access") != NULL) +
			     (snd_ctl_opt(c, "--vlan-trunk") != NULL);

	if (!snd_ctl_any_opt(c, "--name")) {
		return snd_ctl_usage(c, "nothing to change: give at least one "
				     "option");
	}
	if (modes > 1) {
		return snd_ctl_usage(c, "--untagged, --vlan-access and "
				     "--vlan-trunk exclude each other");
	}
	if (snd_ctl_opt(c, "--native") != NULL &&
	    (snd_ctl_opt(c, "--untagged") != NULL ||
	     snd_ctl_opt(c, "--vlan-access") != NULL)) {
		return snd_ctl_usage(c, "--native goes with --vlan-trunk");
	}
	if (snd_ctl_opt(c, "--mac") != NULL &&
	    snd_ctl_opt(c, "--mac-dynamic") != NULL) {
		return snd_ctl_usage(c, "--mac and --mac-dynamic exclude each "
				     "other");
	}
	return SNCTL_STATUS_OK;
}

static unsigned int
snd_ctl_adapter_set(struct snd_ctl_call *c)
{
	struct snd_adapter *ads[SND_VM_ADAPTERS_MAX];
	struct snd_adapter_set_req rq;
	struct vsw_policy_cfg policy;
	uint8_t mac[SND_MAC_LEN];
	unsigned int st;
	int rc;

	st = snd_ctl_adapter_set_usage(c);
	if (st != SNCTL_STATUS_OK) {
		return st;
	}
	if (snd_ctl_pick(c, false, ads, &st) == 0) {
		return st;
	}
	policy = ads[0]->policy;
	memset(&rq, 0, sizeof(rq));
	rq.policy = &policy;
	rc = snd_ctl_vlan_opts(c, ads[0], &policy);
	if (rc == 0) {
		rc = snd_ctl_guard_opts(c, &policy);
	}
	if (rc == 0) {
		rc = snd_ctl_rate_opts(c, &policy);
	}
	if (rc == 0 && snd_ctl_opt(c, "--mac") != NULL) {
		rc = snd_ctl_mac(c, "--mac", mac);
		rq.mac = mac;
	}
	if (rc != 0) {
		return (unsigned int)rc;
	}
	rq.mac_dynamic = snd_ctl_opt(c, "--mac-dynamic") != NULL;
	rc = snd_model_adapter_set(c->m, ads[0], &rq, c->err, sizeof(c->err));
	if (rc < 0) {
		return snd_ctl_fail(c, "%s", c->err);
	}
	return snd_ctl_rendered(c, snd_render_adapter(c->m, ads[0], c->json,
						      c->out));
}

static unsigned int
snd_ctl_adapter_connect(struct snd_ctl_call *c)
{
	struct snd_adapter *ads[SND_VM_ADAPTERS_MAX];
	const char *sw = snd_ctl_opt(c, "--switch");
	unsigned int st = SNCTL_STATUS_ERROR;
	int rc;

	if (sw == NULL) {
		return snd_ctl_usage(c, "missing --switch: name the switch "
				     "to connect the adapter to");
	}
	if (snd_ctl_pick(c, false, ads, &st) == 0) {
		return st;
	}
	rc = snd_model_adapter_connect(c->m, ads[0], sw, c->err,
				       sizeof(c->err));
	if (rc < 0) {
		return snd_ctl_fail(c, "%s", c->err);
	}
	return snd_ctl_rendered(c, snd_render_adapter(c->m, ads[0], c->json,
						      c->out));
}

static unsigned int
snd_ctl_adapter_show(struct snd_ctl_call *c)
{
	struct snd_adapter *ads[SND_VM_ADAPTERS_MAX];
	unsigned int st = SNCTL_STATUS_ERROR;

	if (snd_ctl_pick(c, false, ads, &st) == 0) {
		return st;
	}
	return snd_ctl_rendered(c, snd_render_adapter(c->m, ads[0], c->json,
						      c->out));
}

static unsigned int
snd_ctl_adapter_remove(struct snd_ctl_call *c)
{
	struct snd_adapter *ads[SND_VM_ADAPTERS_MAX];
	char vm[SND_VM_NAME_MAX];
	char nic[SND_NIC_NAME_MAX];
	char sw[SND_SWITCH_NAME_MAX];
	unsigned int st = SNCTL_STATUS_ERROR;

	if (snd_ctl_pick(c, false, ads, &st) == 0) {
		return st;
	}
	snprintf(vm, sizeof(vm), "%s", ads[0]->vm);
	snprintf(nic, sizeof(nic), "%s", ads[0]->nic);
	snprintf(sw, sizeof(sw), "%s", ads[0]->sw->name);
	snd_model_adapter_remove(c->m, ads[0]);
	if (c->json) {
		struct snctl_json j;

		snctl_json_init(&j, c->out, true);
		snctl_json_obj_open(&j);
		snctl_json_key(&j, "removed");
		snctl_json_obj_open(&j);
		snctl_json_kv_str(&j, "vm", vm);
		snctl_json_kv_str(&j, "name", nic);
		snctl_json_kv_str(&j, "switch", sw);
		snctl_json_obj_close(&j);
		snctl_json_obj_close(&j);
		return snd_ctl_rendered(c, snctl_json_end(&j));
	}
	snctl_out_printf(c->out,
			 "removed network adapter '%s' of VM '%s' (was on "
			 "switch '%s')\n", nic, vm, sw);
	return SNCTL_STATUS_OK;
}

static unsigned int
snd_ctl_adapter_list(struct snd_ctl_call *c)
{
	const char *sw_name = snd_ctl_opt(c, "--switch");
	struct snd_switch *sw = NULL;
	unsigned int st = SNCTL_STATUS_ERROR;

	if (sw_name != NULL) {
		sw = snd_ctl_switch(c, sw_name, &st);
		if (sw == NULL) {
			return st;
		}
	}
	return snd_ctl_rendered(c, snd_render_adapters(c->m, sw,
						       snd_ctl_opt(c, "--vm"),
						       c->json, c->out));
}

static unsigned int
snd_ctl_adapter_stats(struct snd_ctl_call *c)
{
	struct snd_adapter *ads[SND_VM_ADAPTERS_MAX];
	unsigned int st = SNCTL_STATUS_ERROR;
	size_t n;

	n = snd_ctl_pick(c, true, ads, &st);
	if (n == 0) {
		return st;
	}
	return snd_ctl_rendered(c, snd_render_stats(c->m, ads, n, c->json,
						    c->out, c->err,
						    sizeof(c->err)));
}

/* ---- other commands ------------------------------------------------------ */

static unsigned int
snd_ctl_fdb_show(struct snd_ctl_call *c)
{
	unsigned int st = SNCTL_STATUS_ERROR;
	struct snd_switch *sw = snd_ctl_switch(c, c->pos[0], &st);

	if (sw == NULL) {
		return st;
	}
	return snd_ctl_rendered(c, snd_render_fdb(c->m, sw, c->json, c->out,
						  c->err, sizeof(c->err)));
}

static unsigned int
snd_ctl_status(struct snd_ctl_call *c)
{
	return snd_ctl_rendered(c, snd_render_status(c->m, c->json, c->out,
						     c->err,
						     sizeof(c->err)));
}

static unsigned int
snd_ctl_help(struct snd_ctl_call *c)
{
	size_t n;
	size_t i;
	const struct snctl_help *h;
	struct snctl_json j;

	if (!c->json) {
		return snd_ctl_rendered(c, snctl_help_render(c->out));
	}
	h = snctl_help_table(&n);
	snctl_json_init(&j, c->out, true);
	snctl_json_arr_open(&j);
	for (i = 0; i < n; i++) {
		snctl_json_obj_open(&j);
		snctl_json_kv_str(&j, "command", h[i].cmd);
		snctl_json_kv_str(&j, "args", h[i].args);
		snctl_json_kv_str(&j, "summary", h[i].summary);
		snctl_json_obj_close(&j);
	}
	snctl_json_arr_close(&j);
	return snd_ctl_rendered(c, snctl_json_end(&j));
}

/* ---- the command table -------------------------------------------------- */

static const struct snd_ctl_cmd snd_ctl_cmds[] = {
	{ "switch create", 1, "switch name",
	  { { "--type", SND_OPT_VALUE }, { "--notes", SND_OPT_VALUE },
	    { "--host-ip", SND_OPT_MULTI }, { "--host-netns", SND_OPT_VALUE },
	    { "--uplink", SND_OPT_VALUE },
	    { "--allow-management-os", SND_OPT_FLAG },
	    { "--mac-aging", SND_OPT_VALUE },
	    { "--mac-limit", SND_OPT_VALUE } },
	  snd_ctl_switch_create },
	{ "switch set", 1, "switch name",
	  { { "--type", SND_OPT_VALUE }, { "--notes", SND_OPT_VALUE },
	    { "--uplink", SND_OPT_VALUE },
	    { "--allow-management-os", SND_OPT_VALUE },
	    { "--host-ip", SND_OPT_MULTI }, { "--host-netns", SND_OPT_VALUE },
	    { "--mac-aging", SND_OPT_VALUE },
	    { "--mac-limit", SND_OPT_VALUE } },
	  snd_ctl_switch_set },
	{ "switch list", 0, NULL, { { NULL, SND_OPT_FLAG } },
	  snd_ctl_switch_list },
	{ "switch show", 1, "switch name", { { NULL, SND_OPT_FLAG } },
	  snd_ctl_switch_show },
	{ "switch delete", 1, "switch name", { { "--force", SND_OPT_FLAG } },
	  snd_ctl_switch_delete },
	{ "adapter add", 1, "VM name",
	  { { "--switch", SND_OPT_VALUE }, { "--name", SND_OPT_VALUE },
	    { "--mac", SND_OPT_VALUE } },
	  snd_ctl_adapter_add },
	{ "adapter set", 1, "VM name",
	  { { "--name", SND_OPT_VALUE }, { "--vlan-access", SND_OPT_VALUE },
	    { "--vlan-trunk", SND_OPT_VALUE }, { "--native", SND_OPT_VALUE },
	    { "--untagged", SND_OPT_FLAG }, { "--mac", SND_OPT_VALUE },
	    { "--mac-dynamic", SND_OPT_FLAG },
	    { "--mac-spoofing", SND_OPT_VALUE },
	    { "--dhcp-guard", SND_OPT_VALUE },
	    { "--router-guard", SND_OPT_VALUE },
	    { "--mirror", SND_OPT_VALUE },
	    { "--max-bandwidth", SND_OPT_VALUE },
	    { "--storm-limit", SND_OPT_VALUE } },
	  snd_ctl_adapter_set },
	{ "adapter connect", 1, "VM name",
	  { { "--name", SND_OPT_VALUE }, { "--switch", SND_OPT_VALUE } },
	  snd_ctl_adapter_connect },
	{ "adapter remove", 1, "VM name", { { "--name", SND_OPT_VALUE } },
	  snd_ctl_adapter_remove },
	{ "adapter list", 0, NULL,
	  { { "--switch", SND_OPT_VALUE }, { "--vm", SND_OPT_VALUE } },
	  snd_ctl_adapter_list },
	{ "adapter show", 1, "VM name", { { "--name", SND_OPT_VALUE } },
	  snd_ctl_adapter_show },
	{ "adapter stats", 1, "VM name", { { "--name", SND_OPT_VALUE } },
	  snd_ctl_adapter_stats },
	{ "capture start", 0, NULL,
	  { { "--switch", SND_OPT_VALUE }, { "--adapter", SND_OPT_VALUE },
	    { "--uplink", SND_OPT_VALUE }, { "--direction", SND_OPT_VALUE },
	    { "--filter", SND_OPT_VALUE }, { "--snaplen", SND_OPT_VALUE },
	    { "--count", SND_OPT_VALUE }, { "--duration", SND_OPT_VALUE },
	    { "--drops", SND_OPT_FLAG }, { "--ring", SND_OPT_VALUE },
	    { "--size", SND_OPT_VALUE }, { "-w", SND_OPT_VALUE },
	    { "--follow", SND_OPT_FLAG } },
	  snd_ctl_capture_start },
	{ "capture list", 0, NULL, { { NULL, SND_OPT_FLAG } },
	  snd_ctl_capture_list },
	{ "capture show", 1, "capture id", { { NULL, SND_OPT_FLAG } },
	  snd_ctl_capture_show },
	{ "capture stop", 1, "capture id", { { NULL, SND_OPT_FLAG } },
	  snd_ctl_capture_stop },
	{ "fdb show", 1, "switch name", { { NULL, SND_OPT_FLAG } },
	  snd_ctl_fdb_show },
	{ "status", 0, NULL, { { NULL, SND_OPT_FLAG } }, snd_ctl_status },
	{ "help", 0, NULL, { { NULL, SND_OPT_FLAG } }, snd_ctl_help },
};

const char *
snd_ctl_command_name(size_t i)
{
	return i < SN_ARRAY_SIZE(snd_ctl_cmds) ? snd_ctl_cmds[i].name : NULL;
}

/* True when word is the first word of a two-word command. */
static bool
snd_ctl_is_group(const char *word)
{
	size_t n = strlen(word);
	size_t i;

	for (i = 0; i < SN_ARRAY_SIZE(snd_ctl_cmds); i++) {
		const char *name = snd_ctl_cmds[i].name;

		if (strncmp(name, word, n) == 0 && name[n] == ' ') {
			return true;
		}
	}
	return false;
}

/* "create|list|show|delete" for group word. */
static void
snd_ctl_group_subs(const char *word, char *buf, size_t cap)
{
	size_t n = strlen(word);
	size_t len = 0;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < SN_ARRAY_SIZE(snd_ctl_cmds); i++) {
		const char *name = snd_ctl_cmds[i].name;
		int k;

		if (strncmp(name, word, n) != 0 || name[n] != ' ') {
			continue;
		}
		k = snprintf(buf + len, cap - len, "%s%s", len != 0 ? "|" : "",
			     name + n + 1);
		if (k < 0 || (size_t)k >= cap - len) {
			return;
		}
		len += (size_t)k;
	}
}

static const struct snd_ctl_cmd *
snd_ctl_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < SN_ARRAY_SIZE(snd_ctl_cmds); i++) {
		if (strcmp(snd_ctl_cmds[i].name, name) == 0) {
			return &snd_ctl_cmds[i];
		}
	}
	return NULL;
}

/* Option names of the command, for an error message. */
static void
snd_ctl_opt_names(const struct snd_ctl_cmd *cmd, char *buf, size_t cap)
{
	size_t len;
	unsigned int i;

	len = (size_t)snprintf(buf, cap, "options:");
	for (i = 0; i < SND_CTL_MAX_OPTS && cmd->opts[i].name != NULL; i++) {
		int k = snprintf(buf + len, cap - len, " %s",
				 cmd->opts[i].name);

		if (k < 0 || (size_t)k >= cap - len) {
			return;
		}
		len += (size_t)k;
	}
	snprintf(buf + len, cap - len, " --json --help");
}

/*
 * Parse args[0..n) (after the command words) into c.  Returns 0 to run
 * the command, 1 when --help was asked (usage written), or the usage
 * error status (error written).
 */
static int
snd_ctl_parse(struct snd_ctl_call *c, int n, const char *const *args)
{
	char q[SND_CTL_QUOTE_MAX + 4];
	bool opts_done = false;
	int i;

	for (i = 0; i < n; i++) {
		const char *a = args[i];
		const char *eq;
		size_t nlen;
		unsigned int k;

		if (opts_done || a[0] != '-' || a[1] == '\0') {
			if (c->npos >= c->cmd->npos) {
				return (int)snd_ctl_usage(c,
					"unexpected argument '%s'",
					snd_ctl_quote(a, q));
			}
			c->pos[c->npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			c->json = true;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			snctl_out_truncate(c->out, c->start);
			snctl_help_usage(snctl_help_find(c->cmd->name), c->out);
			return 1;
		}
		eq = strchr(a, '=');
		nlen = eq != NULL ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < SND_CTL_MAX_OPTS &&
			    c->cmd->opts[k].name != NULL; k++) {
			if (strlen(c->cmd->opts[k].name) == nlen &&
			    strncmp(c->cmd->opts[k].name, a, nlen) == 0) {
				break;
			}
		}
		if (k == SND_CTL_MAX_OPTS || c->cmd->opts[k].name == NULL) {
			char names[320];

			snd_ctl_opt_names(c->cmd, names, sizeof(names));
			return (int)snd_ctl_usage(c,
				"unknown option '%s' for 'synthctl %s' (%s)",
				snd_ctl_quote(a, q), c->cmd->name, names);
		}
		if (c->set[k] && c->cmd->opts[k].kind != SND_OPT_MULTI) {
			return (int)snd_ctl_usage(c, "option %s given twice",
						  c->cmd->opts[k].name);
		}
		c->set[k] = true;
		if (c->cmd->opts[k].kind == SND_OPT_FLAG) {
			if (eq != NULL) {
				return (int)snd_ctl_usage(c,
					"option %s takes no value",
					c->cmd->opts[k].name);
			}
			continue;
		}
		if (eq != NULL) {
			c->val[k] = eq + 1;
		} else if (i + 1 < n) {
			c->val[k] = args[++i];
		} else {
			return (int)snd_ctl_usage(c, "option %s needs a value",
						  c->cmd->opts[k].name);
		}
		if (c->cmd->opts[k].kind == SND_OPT_MULTI) {
			if (c->nmulti >= SND_CTL_MAX_MULTI) {
				return (int)snd_ctl_usage(c,
					"option %s given more than %u times",
					c->cmd->opts[k].name,
					SND_CTL_MAX_MULTI);
			}
			c->multi[c->nmulti++] = c->val[k];
		}
	}
	if (c->npos < c->cmd->npos) {
		return (int)snd_ctl_usage(c, "missing %s", c->cmd->pos_name);
	}
	return 0;
}

unsigned int
snd_ctl_exec(struct snd_model *m, int argc, const char *const *argv,
	     bool json, struct snctl_out *out)
{
	return snd_ctl_exec_req(m, argc, argv, json, -1, NULL, out);
}

unsigned int
snd_ctl_exec_req(struct snd_model *m, int argc, const char *const *argv,
		 bool json, int fd, const struct snctl_peer *peer,
		 struct snctl_out *out)
{
	struct snd_ctl_call c;
	char name[64];
	char q[SND_CTL_QUOTE_MAX + 4];
	unsigned int st;
	uint64_t gen;
	int used = 1;
	int rc;
	int i;

	if (out == NULL) {
		return SNCTL_STATUS_ERROR;
	}
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.json = json;
	c.out = out;
	c.start = out->len;
	c.fd = fd;
	c.peer = peer;
	if (m == NULL || argc < 0 || (argv == NULL && argc != 0)) {
		return snd_ctl_fail(&c, "internal error: bad arguments");
	}
	for (i = 0; i < argc; i++) {
		if (argv[i] == NULL) {
			return snd_ctl_fail(&c, "internal error: NULL "
					    "argument");
		}
	}
	/* --json in front of the command words. */
	while (argc > 0 && strcmp(argv[0], "--json") == 0) {
		c.json = true;
		argv++;
		argc--;
	}
	if (argc == 0) {
		return snd_ctl_bad(&c, "no command given (synthctl help lists "
				   "the commands)");
	}
	if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
		snprintf(name, sizeof(name), "help");
	} else if (snd_ctl_is_group(argv[0])) {
		char subs[64];

		if (argc < 2 || argv[1][0] == '-') {
			snd_ctl_group_subs(argv[0], subs, sizeof(subs));
			return snd_ctl_bad(&c, "missing subcommand: synthctl "
					   "%s %s", argv[0], subs);
		}
		snprintf(name, sizeof(name), "%s %s",
			 snd_ctl_quote(argv[0], q), argv[1]);
		used = 2;
	} else {
		snprintf(name, sizeof(name), "%s", argv[0]);
	}
	c.cmd = snd_ctl_lookup(name);
	if (c.cmd == NULL) {
		return snd_ctl_bad(&c, "unknown command '%s' (synthctl help "
				   "lists the commands)",
				   snd_ctl_quote(name, q));
	}
	rc = snd_ctl_parse(&c, argc - used, argv + used);
	if (rc == 1) {
		return SNCTL_STATUS_OK;
	}
	if (rc != 0) {
		return (unsigned int)rc;
	}
	gen = snd_model_generation(m);
	st = c.cmd->fn(&c);
	if (snd_model_generation(m) != gen &&
	    snd_model_save(m, c.err, sizeof(c.err)) < 0) {
		/* the change stays in memory; the next save writes it */
		return snd_ctl_fail(&c, "configuration applied but not saved: "
				    "%s", c.err);
	}
	return st;
}

unsigned int
snd_ctl_handle(void *ctx, const struct snctl_req *req,
	       const struct snctl_peer *peer, struct snctl_out *out)
{
	if (req == NULL) {
		return SNCTL_STATUS_ERROR;
	}
	return snd_ctl_exec_req(ctx, (int)req->argc, req->argv,
				(req->flags & SNCTL_FLAG_JSON) != 0, req->fd,
				peer, out);
}

struct snctl_server *
snd_ctl_server_create(struct snd_model *m,
		      const struct snctl_server_cfg *base)
{
	struct snctl_server_cfg cfg;

	if (m == NULL) {
		errno = EINVAL;
		return NULL;
	}
	memset(&cfg, 0, sizeof(cfg));
	if (base != NULL) {
		cfg = *base;
	}
	cfg.handler = snd_ctl_handle;
	cfg.ctx = m;
	return snctl_server_create(&cfg);
}
