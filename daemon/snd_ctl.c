/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_ctl.c - control commands: parse, dispatch, answer (snd_ctl.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sn_wire.h"
#include "snctl_help.h"
#include "snctl_json.h"
#include "snd_ctl.h"

/* Most options one command has, and positional arguments. */
#define SND_CTL_MAX_OPTS 4
#define SND_CTL_MAX_POS 1
/* Longest piece of user input quoted back in a message. */
#define SND_CTL_QUOTE_MAX 40

/* An option a command accepts. */
struct snd_ctl_opt {
	const char *name;	/* "--switch" */
	bool value;		/* takes a value (else a flag) */
};

struct snd_ctl_call;

/* One command. */
struct snd_ctl_cmd {
	const char *name;			/* as in snctl_help_table() */
	unsigned int npos;			/* positionals, exactly */
	const char *pos_name;			/* "switch name" */
	struct snd_ctl_opt opts[SND_CTL_MAX_OPTS]; /* name NULL ends */
	unsigned int (*fn)(struct snd_ctl_call *c);
};

/* A command being run. */
struct snd_ctl_call {
	struct snd_model *m;			/* the model */
	const struct snd_ctl_cmd *cmd;		/* the command */
	bool json;				/* JSON output */
	struct snctl_out *out;			/* answer sink */
	size_t start;				/* out->len on entry */
	const char *pos[SND_CTL_MAX_POS];	/* positionals */
	unsigned int npos;			/* their number */
	const char *val[SND_CTL_MAX_OPTS];	/* option values, by index */
	bool set[SND_CTL_MAX_OPTS];		/* option given */
	char err[320];				/* model error text */
};

/* ---- helpers ------------------------------------------------------------ */

/* Sanitised copy of user input for a message (see snd_model.c). */
static const char *
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
	char line[256];

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

static unsigned int
snd_ctl_fail(struct snd_ctl_call *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static unsigned int
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

static unsigned int
snd_ctl_usage(struct snd_ctl_call *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static unsigned int
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
static unsigned int
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
static const char *
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
static void
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
static struct snd_switch *
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

/* ---- switch commands ---------------------------------------------------- */

static unsigned int
snd_ctl_switch_create(struct snd_ctl_call *c)
{
	const char *type_s = snd_ctl_opt(c, "--type");
	char q[SND_CTL_QUOTE_MAX + 4];
	enum snd_switch_type type;
	struct snd_switch *sw;
	int rc;

	if (type_s == NULL) {
		return snd_ctl_usage(c, "missing --type (only private "
				     "switches can be created for now)");
	}
	if (snd_switch_type_parse(type_s, &type) < 0) {
		return snd_ctl_fail(c,
				    "unknown switch type '%s': use --type "
				    "private", snd_ctl_quote(type_s, q));
	}
	rc = snd_model_switch_create(c->m, c->pos[0], type,
				     snd_ctl_opt(c, "--notes"), &sw, c->err,
				     sizeof(c->err));
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

static unsigned int
snd_ctl_adapter_add(struct snd_ctl_call *c)
{
	const char *mac_s = snd_ctl_opt(c, "--mac");
	char q[SND_CTL_QUOTE_MAX + 4];
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
	if (mac_s != NULL) {
		if (snd_mac_parse(mac_s, mac) < 0) {
			return snd_ctl_fail(c,
					    "'%s' is not a MAC address: write "
					    "it as 00:15:5d:00:10:01, "
					    "00-15-5D-00-10-01 or 00155D001001",
					    snd_ctl_quote(mac_s, q));
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
	  { { "--type", true }, { "--notes", true } },
	  snd_ctl_switch_create },
	{ "switch list", 0, NULL, { { NULL, false } }, snd_ctl_switch_list },
	{ "switch show", 1, "switch name", { { NULL, false } },
	  snd_ctl_switch_show },
	{ "switch delete", 1, "switch name", { { "--force", false } },
	  snd_ctl_switch_delete },
	{ "adapter add", 1, "VM name",
	  { { "--switch", true }, { "--name", true }, { "--mac", true } },
	  snd_ctl_adapter_add },
	{ "adapter remove", 1, "VM name", { { "--name", true } },
	  snd_ctl_adapter_remove },
	{ "adapter list", 0, NULL,
	  { { "--switch", true }, { "--vm", true } },
	  snd_ctl_adapter_list },
	{ "adapter stats", 1, "VM name", { { "--name", true } },
	  snd_ctl_adapter_stats },
	{ "fdb show", 1, "switch name", { { NULL, false } },
	  snd_ctl_fdb_show },
	{ "status", 0, NULL, { { NULL, false } }, snd_ctl_status },
	{ "help", 0, NULL, { { NULL, false } }, snd_ctl_help },
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
			char names[128];

			snd_ctl_opt_names(c->cmd, names, sizeof(names));
			return (int)snd_ctl_usage(c,
				"unknown option '%s' for 'synthctl %s' (%s)",
				snd_ctl_quote(a, q), c->cmd->name, names);
		}
		if (c->set[k]) {
			return (int)snd_ctl_usage(c, "option %s given twice",
						  c->cmd->opts[k].name);
		}
		c->set[k] = true;
		if (!c->cmd->opts[k].value) {
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
	struct snd_ctl_call c;
	char name[64];
	char q[SND_CTL_QUOTE_MAX + 4];
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
	return c.cmd->fn(&c);
}

unsigned int
snd_ctl_handle(void *ctx, const struct snctl_req *req,
	       const struct snctl_peer *peer, struct snctl_out *out)
{
	(void)peer;
	if (req == NULL) {
		return SNCTL_STATUS_ERROR;
	}
	return snd_ctl_exec(ctx, (int)req->argc, req->argv,
			    (req->flags & SNCTL_FLAG_JSON) != 0, out);
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
