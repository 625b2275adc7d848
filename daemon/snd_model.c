/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_model.c - switches and network adapters: registry and validation
 * (see snd_model.h for the contracts; rendering is in snd_model_render.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "snctl_json.h"
#include "snctl_out.h"
#include "snd_model.h"
#include "snd_model_priv.h"

/* ---- small helpers ------------------------------------------------------ */

/* Copy a validated string into a fixed buffer. */
static void
snd_strcpy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

static uint64_t
snd_mac_to_u64(const uint8_t mac[SND_MAC_LEN])
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < SND_MAC_LEN; i++) {
		v = v << 8 | mac[i];
	}
	return v;
}

static void
snd_u64_to_mac(uint64_t v, uint8_t mac[SND_MAC_LEN])
{
	size_t i;

	for (i = SND_MAC_LEN; i-- > 0;) {
		mac[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* ---- lifetime ------------------------------------------------------------ */

struct snd_model *
snd_model_create(const struct snd_model_hooks *hooks, void *ctx)
{
	static const uint8_t first[SND_MAC_LEN] = SND_MAC_POOL_FIRST;
	static const uint8_t last[SND_MAC_LEN] = SND_MAC_POOL_LAST;
	struct snd_model *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		return NULL;
	}
	if (hooks != NULL) {
		m->hooks = *hooks;
	}
	m->ctx = ctx;
	TAILQ_INIT(&m->switches);
	TAILQ_INIT(&m->adapters);
	m->next_switch_id = 1;
	m->next_relid = SND_RELID_MIN;
	m->mac_first = snd_mac_to_u64(first);
	m->mac_last = snd_mac_to_u64(last);
	m->mac_next = m->mac_first;
	return m;
}

/* Unlink ad, tell the hooks, free it. */
static void
snd_adapter_drop(struct snd_model *m, struct snd_adapter *ad, bool hook)
{
	if (hook && m->hooks.adapter_remove != NULL) {
		m->hooks.adapter_remove(m->ctx, ad);
	}
	TAILQ_REMOVE(&m->adapters, ad, next);
	m->n_adapters--;
	ad->sw->n_adapters--;
	free(ad);
}

static void
snd_switch_drop(struct snd_model *m, struct snd_switch *sw, bool hook)
{
	if (hook && m->hooks.switch_delete != NULL) {
		m->hooks.switch_delete(m->ctx, sw);
	}
	TAILQ_REMOVE(&m->switches, sw, next);
	m->n_switches--;
	free(sw);
}

void
snd_model_destroy(struct snd_model *m)
{
	struct snd_adapter *ad;
	struct snd_switch *sw;

	if (m == NULL) {
		return;
	}
	while ((ad = TAILQ_FIRST(&m->adapters)) != NULL) {
		snd_adapter_drop(m, ad, true);
	}
	while ((sw = TAILQ_FIRST(&m->switches)) != NULL) {
		snd_switch_drop(m, sw, true);
	}
	free(m);
}

int
snd_model_set_mac_pool(struct snd_model *m, const uint8_t first[SND_MAC_LEN],
		       const uint8_t last[SND_MAC_LEN])
{
	uint64_t f;
	uint64_t l;

	if (m == NULL || first == NULL || last == NULL ||
	    memcmp(first, last, 3) != 0 || (first[0] & 0x01) != 0) {
		return -EINVAL;
	}
	f = snd_mac_to_u64(first);
	l = snd_mac_to_u64(last);
	if (f > l || f == 0) {
		return -EINVAL;
	}
	m->mac_first = f;
	m->mac_last = l;
	m->mac_next = f;
	return 0;
}

void
snd_model_get_mac_pool(const struct snd_model *m, uint8_t first[SND_MAC_LEN],
		       uint8_t last[SND_MAC_LEN])
{
	if (m == NULL) {
		return;
	}
	snd_u64_to_mac(m->mac_first, first);
	snd_u64_to_mac(m->mac_last, last);
}

/* ---- persistence support ------------------------------------------------ */

void
snd_model_seq_get(const struct snd_model *m, struct snd_model_seq *out)
{
	memset(out, 0, sizeof(*out));
	if (m == NULL) {
		return;
	}
	snd_u64_to_mac(m->mac_next, out->mac_next);
	out->next_relid = m->next_relid;
	out->next_switch_id = m->next_switch_id;
}

int
snd_model_seq_set(struct snd_model *m, const struct snd_model_seq *s)
{
	const struct snd_switch *sw;
	uint64_t mac;
	uint32_t next_id;

	if (m == NULL || s == NULL || s->next_relid < SND_RELID_MIN ||
	    s->next_relid > SND_RELID_MAX || s->next_switch_id == 0) {
		return -EINVAL;
	}
	mac = snd_mac_to_u64(s->mac_next);
	next_id = s->next_switch_id;
	TAILQ_FOREACH(sw, &m->switches, next) {
		if (sw->id >= next_id && sw->id < UINT32_MAX) {
			next_id = sw->id + 1;
		}
	}
	m->mac_next = mac >= m->mac_first && mac <= m->mac_last ?
		mac : m->mac_first;
	m->next_relid = s->next_relid;
	m->next_switch_id = next_id;
	return 0;
}

uint64_t
snd_model_generation(const struct snd_model *m)
{
	return m != NULL ? m->gen : 0;
}

int
snd_model_save(struct snd_model *m, char *err, size_t errlen)
{
	uint64_t gen;
	int rc;

	if (m == NULL) {
		return -EINVAL;
	}
	gen = m->gen;
	if (m->hooks.save != NULL) {
		if (err != NULL && errlen != 0) {
			err[0] = '\0';
		}
		rc = m->hooks.save(m->ctx, err, errlen);
		if (rc < 0) {
			if (err != NULL && errlen != 0 && err[0] == '\0') {
				snd_errf(err, errlen, "%s", strerror(-rc));
			}
			return rc;
		}
	}
	m->saved_gen = gen;
	return 0;
}

void
snd_model_set_saved(struct snd_model *m)
{
	if (m != NULL) {
		m->saved_gen = m->gen;
	}
}

bool
snd_model_unsaved(const struct snd_model *m)
{
	return m != NULL && m->saved_gen != m->gen;
}

/* ---- switches ----------------------------------------------------------- */

struct snd_switch *
snd_model_switch_find(const struct snd_model *m, const char *name)
{
	struct snd_switch *sw;

	if (m == NULL || name == NULL) {
		return NULL;
	}
	TAILQ_FOREACH(sw, &m->switches, next) {
		if (strcasecmp(sw->name, name) == 0) {
			return sw;
		}
	}
	return NULL;
}

struct snd_switch *
snd_model_switch_next(const struct snd_model *m,
		      const struct snd_switch *prev)
{
	if (m == NULL) {
		return NULL;
	}
	return prev == NULL ? TAILQ_FIRST(&m->switches)
			    : TAILQ_NEXT(prev, next);
}

uint32_t
snd_model_switch_count(const struct snd_model *m)
{
	return m != NULL ? m->n_switches : 0;
}

static void
snd_switch_insert(struct snd_model *m, struct snd_switch *sw)
{
	struct snd_switch *it;

	TAILQ_FOREACH(it, &m->switches, next) {
		if (strcasecmp(sw->name, it->name) < 0) {
			TAILQ_INSERT_BEFORE(it, sw, next);
			m->n_switches++;
			return;
		}
	}
	TAILQ_INSERT_TAIL(&m->switches, sw, next);
	m->n_switches++;
}

/* Clear err and run a hook's result through: on failure make sure err
 * holds a message (what, then strerror). */
static void
snd_hook_err_begin(char *err, size_t errlen)
{
	if (err != NULL && errlen != 0) {
		err[0] = '\0';
	}
}

static void
snd_hook_err_end(int rc, char *err, size_t errlen, const char *what,
		 const char *obj)
{
	if (rc < 0 && err != NULL && errlen != 0 && err[0] == '\0') {
		snd_errf(err, errlen, "the data plane could not %s %s: %s",
			 what, obj, strerror(-rc));
	}
}

void
snd_switch_cfg_init(struct snd_switch_cfg *c, enum snd_switch_type type)
{
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->mac_aging_s = SND_MAC_AGING_DEFAULT;
	c->mac_limit = SND_MAC_LIMIT_DEFAULT;
}

bool
snd_switch_has_host_vnic(const struct snd_switch_cfg *c)
{
	return c != NULL && (c->type == SND_SWITCH_INTERNAL ||
			     (c->type == SND_SWITCH_EXTERNAL &&
			      c->allow_management_os));
}

static bool
snd_prefix_equal(const struct snd_ip_prefix *a, const struct snd_ip_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

/* Check the host vNIC addresses of c; 0 or -EINVAL with a message. */
static int
snd_host_ips_check(const struct snd_switch_cfg *c, char *err, size_t errlen)
{
	static const uint8_t zero[16];
	char s[SND_CIDR_STRLEN];
	uint32_t i;
	uint32_t k;

	if (c->n_host_ips > SND_HOST_IPS_MAX) {
		snd_errf(err, errlen,
			 "too many host addresses (%" PRIu32 ", at most %u)",
			 c->n_host_ips, SND_HOST_IPS_MAX);
		return -EINVAL;
	}
	for (i = 0; i < c->n_host_ips; i++) {
		const struct snd_ip_prefix *p = &c->host_ips[i];
		bool v4 = p->family == AF_INET;

		if ((!v4 && p->family != AF_INET6) || p->len == 0 ||
		    p->len > (v4 ? 32 : 128)) {
			snd_errf(err, errlen, "bad host address #%" PRIu32,
				 i + 1);
			return -EINVAL;
		}
		snd_cidr_format(p, s);
		if (memcmp(p->addr, zero, v4 ? 4 : 16) == 0 ||
		    (v4 && (p->addr[0] & 0xf0) == 0xe0) ||
		    (v4 && p->addr[0] == 255) || (!v4 && p->addr[0] == 0xff)) {
			snd_errf(err, errlen,
				 "%s is not a usable host address: give a "
				 "unicast address such as 192.168.50.1/24 or "
				 "fd00:50::1/64", s);
			return -EINVAL;
		}
		for (k = 0; k < i; k++) {
			if (snd_prefix_equal(p, &c->host_ips[k])) {
				snd_errf(err, errlen,
					 "host address %s is given twice", s);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* The type-dependent rules of struct snd_switch_cfg. */
static int
snd_switch_cfg_shape(const struct snd_switch_cfg *c, char *err, size_t errlen)
{
	char q[SND_QUOTE_MAX + 4];
	bool ext = c->type == SND_SWITCH_EXTERNAL;

	if ((unsigned int)c->type > SND_SWITCH_EXTERNAL) {
		snd_errf(err, errlen, "unknown switch type %d", (int)c->type);
		return -EINVAL;
	}
	if (ext && c->uplink[0] == '\0') {
		snd_errf(err, errlen,
			 "an external switch needs --uplink DEVARGS: a PCI "
			 "address such as 0000:03:00.0, or a vdev such as "
			 "net_af_packet0,iface=eth1");
		return -EINVAL;
	}
	if (!ext && c->uplink[0] != '\0') {
		snd_errf(err, errlen,
			 "only external switches have an uplink: --uplink "
			 "needs --type external");
		return -EINVAL;
	}
	if (ext && !snd_devargs_valid(c->uplink)) {
		snd_errf(err, errlen,
			 "'%s' are not valid device arguments: use 1 to %u "
			 "printable characters without blanks, e.g. "
			 "0000:03:00.0 or net_af_packet0,iface=eth1",
			 snd_quote(c->uplink, q), SND_DEVARGS_MAX - 1);
		return -EINVAL;
	}
	if (!ext && c->allow_management_os) {
		snd_errf(err, errlen,
			 "--allow-management-os is for external switches "
			 "(internal switches always have a host vNIC, private "
			 "ones never)");
		return -EINVAL;
	}
	if (!snd_switch_has_host_vnic(c) &&
	    (c->n_host_ips != 0 || c->host_netns[0] != '\0')) {
		snd_errf(err, errlen,
			 "%s has no host vNIC: --host-ip and --host-netns "
			 "need --type internal, or --type external with "
			 "--allow-management-os",
			 ext ? "an external switch without "
			       "--allow-management-os" : "a private switch");
		return -EINVAL;
	}
	if (c->host_netns[0] != '\0' && !snd_netns_name_valid(c->host_netns)) {
		snd_errf(err, errlen,
			 "'%s' is not a valid network namespace name: use 1 "
			 "to %u printable characters without blanks or '/'",
			 snd_quote(c->host_netns, q), SND_NETNS_MAX - 1);
		return -EINVAL;
	}
	return 0;
}

int
snd_switch_cfg_check(const struct snd_model *m, const struct snd_switch *self,
		     const struct snd_switch_cfg *c, char *err, size_t errlen)
{
	const struct snd_switch *sw;
	int rc;

	if (m == NULL || c == NULL) {
		return -EINVAL;
	}
	if (memchr(c->notes, '\0', sizeof(c->notes)) == NULL ||
	    memchr(c->uplink, '\0', sizeof(c->uplink)) == NULL ||
	    memchr(c->host_netns, '\0', sizeof(c->host_netns)) == NULL) {
		snd_errf(err, errlen, "unterminated string in a switch "
			 "configuration");
		return -EINVAL;
	}
	rc = snd_notes_check(c->notes, err, errlen);
	if (rc == 0) {
		rc = snd_switch_cfg_shape(c, err, errlen);
	}
	if (rc == 0) {
		rc = snd_host_ips_check(c, err, errlen);
	}
	if (rc < 0) {
		return rc;
	}
	if (c->mac_aging_s < SND_MAC_AGING_MIN ||
	    c->mac_aging_s > SND_MAC_AGING_MAX) {
		snd_errf(err, errlen,
			 "MAC aging time %" PRIu32 " s is out of range: use "
			 "%u to %u seconds", c->mac_aging_s,
			 SND_MAC_AGING_MIN, SND_MAC_AGING_MAX);
		return -EINVAL;
	}
	if (c->mac_limit < SND_MAC_LIMIT_MIN ||
	    c->mac_limit > SND_MAC_LIMIT_MAX) {
		snd_errf(err, errlen,
			 "MAC table limit %" PRIu32 " is out of range: use "
			 "%u to %u entries", c->mac_limit, SND_MAC_LIMIT_MIN,
			 SND_MAC_LIMIT_MAX);
		return -EINVAL;
	}
	if (c->type != SND_SWITCH_EXTERNAL) {
		return 0;
	}
	TAILQ_FOREACH(sw, &m->switches, next) {
		if (sw != self && sw->cfg.type == SND_SWITCH_EXTERNAL &&
		    strcmp(sw->cfg.uplink, c->uplink) == 0) {
			snd_errf(err, errlen,
				 "uplink '%s' is already used by switch "
				 "'%s': one uplink serves one switch",
				 c->uplink, sw->name);
			return -EEXIST;
		}
	}
	return 0;
}

static bool
snd_ifname_taken(const struct snd_model *m, const char *name)
{
	const struct snd_switch *sw;

	TAILQ_FOREACH(sw, &m->switches, next) {
		if (strcasecmp(sw->host_ifname, name) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * Pick the host vNIC name of a new switch called name: "vsw-" + name, cut
 * to 15 characters; when another switch has it, the end is replaced by a
 * number ("vsw-averylongn2").  Returns 0 or -ENOSPC.
 */
static int
snd_ifname_pick(const struct snd_model *m, const char *name,
		char buf[SND_HOST_IFNAME_MAX])
{
	char suffix[12];
	unsigned int n;

	snprintf(buf, SND_HOST_IFNAME_MAX, "%s%s", SND_HOST_IFNAME_PREFIX,
		 name);
	for (n = 2; snd_ifname_taken(m, buf); n++) {
		int k;
		size_t keep;

		if (n > 99999) {
			return -ENOSPC;
		}
		k = snprintf(suffix, sizeof(suffix), "%u", n);
		keep = strlen(SND_HOST_IFNAME_PREFIX) + strlen(name);
		if (keep > SND_HOST_IFNAME_MAX - 1 - (size_t)k) {
			keep = SND_HOST_IFNAME_MAX - 1 - (size_t)k;
		}
		snprintf(buf, SND_HOST_IFNAME_MAX, "%s%s",
			 SND_HOST_IFNAME_PREFIX, name);
		snprintf(buf + keep, SND_HOST_IFNAME_MAX - keep, "%s", suffix);
	}
	return 0;
}

static const struct snd_switch *
snd_switch_by_id(const struct snd_model *m, uint32_t id)
{
	const struct snd_switch *sw;

	TAILQ_FOREACH(sw, &m->switches, next) {
		if (sw->id == id) {
			return sw;
		}
	}
	return NULL;
}

/* Everything about rq that needs no allocation; fills ifname. */
static int
snd_switch_req_check(const struct snd_model *m, const struct snd_switch_req *rq,
		     const struct snd_switch_cfg *cfg,
		     char ifname[SND_HOST_IFNAME_MAX], char *err, size_t errlen)
{
	char q[SND_QUOTE_MAX + 4];
	const struct snd_switch *old;
	int rc;

	if (!snd_switch_name_valid(rq->name)) {
		snd_errf(err, errlen,
			 "'%s' is not a valid switch name: use 1 to %u "
			 "characters from A-Z a-z 0-9 . _ -",
			 snd_quote(rq->name, q), SND_SWITCH_NAME_MAX - 1);
		return -EINVAL;
	}
	old = snd_model_switch_find(m, rq->name);
	if (old != NULL) {
		snd_errf(err, errlen,
			 "a switch named '%s' already exists (synthctl switch "
			 "list shows the switches)", old->name);
		return -EEXIST;
	}
	rc = snd_switch_cfg_check(m, NULL, cfg, err, errlen);
	if (rc < 0) {
		return rc;
	}
	if (rq->id != 0 && (old = snd_switch_by_id(m, rq->id)) != NULL) {
		snd_errf(err, errlen, "switch id %" PRIu32 " is already used "
			 "by switch '%s'", rq->id, old->name);
		return -EEXIST;
	}
	if (rq->host_ifname == NULL) {
		if (snd_ifname_pick(m, rq->name, ifname) < 0) {
			snd_errf(err, errlen, "no free host vNIC name for "
				 "switch '%s'", rq->name);
			return -ENOSPC;
		}
		return 0;
	}
	if (!snd_host_ifname_valid(rq->host_ifname)) {
		snd_errf(err, errlen,
			 "'%s' is not a valid host vNIC name: use 1 to %u "
			 "characters from A-Z a-z 0-9 . _ -",
			 snd_quote(rq->host_ifname, q),
			 SND_HOST_IFNAME_MAX - 1);
		return -EINVAL;
	}
	if (snd_ifname_taken(m, rq->host_ifname)) {
		snd_errf(err, errlen,
			 "host vNIC name '%s' is already used by another "
			 "switch", rq->host_ifname);
		return -EEXIST;
	}
	snd_strcpy(ifname, SND_HOST_IFNAME_MAX, rq->host_ifname);
	return 0;
}

int
snd_model_switch_create_req(struct snd_model *m,
			    const struct snd_switch_req *rq,
			    struct snd_switch **out, char *err, size_t errlen)
{
	char ifname[SND_HOST_IFNAME_MAX];
	char what[SND_SWITCH_NAME_MAX + 2];
	struct snd_switch_cfg def;
	const struct snd_switch_cfg *cfg;
	struct snd_switch *sw;
	int rc;

	if (m == NULL || rq == NULL) {
		return -EINVAL;
	}
	cfg = rq->cfg;
	if (cfg == NULL) {
		snd_switch_cfg_init(&def, SND_SWITCH_PRIVATE);
		cfg = &def;
	}
	rc = snd_switch_req_check(m, rq, cfg, ifname, err, errlen);
	if (rc < 0) {
		return rc;
	}
	sw = calloc(1, sizeof(*sw));
	if (sw == NULL) {
		snd_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snd_strcpy(sw->name, sizeof(sw->name), rq->name);
	sw->cfg = *cfg;
	snd_strcpy(sw->host_ifname, sizeof(sw->host_ifname), ifname);
	sw->id = rq->id != 0 ? rq->id : m->next_switch_id;
	sw->created = rq->created != 0 ? rq->created : time(NULL);
	snd_switch_insert(m, sw);
	if (m->hooks.switch_create != NULL) {
		snd_hook_err_begin(err, errlen);
		rc = m->hooks.switch_create(m->ctx, sw, err, errlen);
		if (rc < 0) {
			snprintf(what, sizeof(what), "'%s'", rq->name);
			snd_hook_err_end(rc, err, errlen, "create switch",
					 what);
			snd_switch_drop(m, sw, false);
			return rc;
		}
	}
	if (sw->id >= m->next_switch_id) {
		m->next_switch_id = sw->id + 1;
	}
	m->gen++;
	if (out != NULL) {
		*out = sw;
	}
	return 0;
}

int
snd_model_switch_create(struct snd_model *m, const char *name,
			enum snd_switch_type type, const char *notes,
			struct snd_switch **out, char *err, size_t errlen)
{
	struct snd_switch_req rq;
	struct snd_switch_cfg cfg;

	snd_switch_cfg_init(&cfg, type);
	if (notes != NULL) {
		if (strlen(notes) >= sizeof(cfg.notes)) {
			snd_errf(err, errlen,
				 "notes are too long (%zu bytes, at most %u)",
				 strlen(notes), SND_NOTES_MAX - 1);
			return -EINVAL;
		}
		snd_strcpy(cfg.notes, sizeof(cfg.notes), notes);
	}
	memset(&rq, 0, sizeof(rq));
	rq.name = name;
	rq.cfg = &cfg;
	return snd_model_switch_create_req(m, &rq, out, err, errlen);
}

/* SND_SWITCH_CHG_* bits of what differs between a and b. */
static uint32_t
snd_switch_cfg_diff(const struct snd_switch_cfg *a,
		    const struct snd_switch_cfg *b)
{
	uint32_t d = 0;
	uint32_t i;

	d |= a->type != b->type ? SND_SWITCH_CHG_TYPE : 0;
	d |= strcmp(a->notes, b->notes) != 0 ? SND_SWITCH_CHG_NOTES : 0;
	d |= strcmp(a->uplink, b->uplink) != 0 ? SND_SWITCH_CHG_UPLINK : 0;
	d |= a->allow_management_os != b->allow_management_os ?
		SND_SWITCH_CHG_MGMT_OS : 0;
	d |= strcmp(a->host_netns, b->host_netns) != 0 ?
		SND_SWITCH_CHG_HOST_NETNS : 0;
	d |= a->mac_aging_s != b->mac_aging_s ? SND_SWITCH_CHG_MAC_AGING : 0;
	d |= a->mac_limit != b->mac_limit ? SND_SWITCH_CHG_MAC_LIMIT : 0;
	if (a->n_host_ips != b->n_host_ips) {
		d |= SND_SWITCH_CHG_HOST_IPS;
	} else {
		for (i = 0; i < a->n_host_ips && i < SND_HOST_IPS_MAX; i++) {
			if (!snd_prefix_equal(&a->host_ips[i],
					      &b->host_ips[i])) {
				d |= SND_SWITCH_CHG_HOST_IPS;
				break;
			}
		}
	}
	return d;
}

int
snd_model_switch_set(struct snd_model *m, struct snd_switch *sw,
		     const struct snd_switch_cfg *cfg, char *err,
		     size_t errlen)
{
	char what[SND_SWITCH_NAME_MAX + 2];
	uint32_t changed;
	int rc;

	if (m == NULL || sw == NULL || cfg == NULL) {
		return -EINVAL;
	}
	rc = snd_switch_cfg_check(m, sw, cfg, err, errlen);
	if (rc < 0) {
		return rc;
	}
	changed = snd_switch_cfg_diff(&sw->cfg, cfg);
	if (changed == 0) {
		return 0;
	}
	if ((changed & ~SND_SWITCH_CHG_NOTES) != 0 &&
	    m->hooks.switch_set != NULL) {
		snd_hook_err_begin(err, errlen);
		rc = m->hooks.switch_set(m->ctx, sw, cfg, changed, err,
					 errlen);
		if (rc < 0) {
			snprintf(what, sizeof(what), "'%s'", sw->name);
			snd_hook_err_end(rc, err, errlen, "change switch",
					 what);
			return rc;
		}
	}
	sw->cfg = *cfg;
	m->gen++;
	return 0;
}

/* "vm1/eth0, vm2/eth0, ..." for up to 3 adapters of sw. */
static void
snd_switch_members(const struct snd_model *m, const struct snd_switch *sw,
		   char *buf, size_t cap)
{
	const struct snd_adapter *ad;
	size_t len = 0;
	unsigned int n = 0;

	buf[0] = '\0';
	TAILQ_FOREACH(ad, &m->adapters, next) {
		int k;

		if (ad->sw != sw) {
			continue;
		}
		if (n == 3) {
			snprintf(buf + len, cap - len, ", ...");
			return;
		}
		k = snprintf(buf + len, cap - len, "%s%s/%s",
			     n != 0 ? ", " : "", ad->vm, ad->nic);
		if (k < 0 || (size_t)k >= cap - len) {
			return;
		}
		len += (size_t)k;
		n++;
	}
}

int
snd_model_switch_delete(struct snd_model *m, const char *name, bool force,
			uint32_t *n_removed, char *err, size_t errlen)
{
	char q[SND_QUOTE_MAX + 4];
	struct snd_switch *sw;
	struct snd_adapter *ad;
	struct snd_adapter *nx;
	uint32_t n = 0;

	if (n_removed != NULL) {
		*n_removed = 0;
	}
	if (m == NULL) {
		return -EINVAL;
	}
	sw = snd_model_switch_find(m, name);
	if (sw == NULL) {
		snd_errf(err, errlen,
			 "no switch named '%s' (synthctl switch list shows "
			 "the switches)", snd_quote(name, q));
		return -ENOENT;
	}
	if (sw->n_adapters != 0 && !force) {
		char members[160];

		snd_switch_members(m, sw, members, sizeof(members));
		snd_errf(err, errlen,
			 "switch '%s' still has %" PRIu32 " network "
			 "adapter%s (%s): remove %s first or use --force",
			 sw->name, sw->n_adapters,
			 sw->n_adapters == 1 ? "" : "s", members,
			 sw->n_adapters == 1 ? "it" : "them");
		return -EBUSY;
	}
	for (ad = TAILQ_FIRST(&m->adapters); ad != NULL; ad = nx) {
		nx = TAILQ_NEXT(ad, next);
		if (ad->sw == sw) {
			snd_adapter_drop(m, ad, true);
			n++;
		}
	}
	snd_switch_drop(m, sw, true);
	m->gen++;
	if (n_removed != NULL) {
		*n_removed = n;
	}
	return 0;
}

/* ---- adapters ------------------------------------------------------------ */

struct snd_adapter *
snd_model_adapter_next(const struct snd_model *m,
		       const struct snd_adapter *prev)
{
	if (m == NULL) {
		return NULL;
	}
	return prev == NULL ? TAILQ_FIRST(&m->adapters)
			    : TAILQ_NEXT(prev, next);
}

uint32_t
snd_model_adapter_count(const struct snd_model *m)
{
	return m != NULL ? m->n_adapters : 0;
}

size_t
snd_model_adapters_for_vm(const struct snd_model *m, const char *vm,
			  struct snd_adapter **out, size_t max)
{
	struct snd_adapter *ad;
	size_t n = 0;

	if (m == NULL || vm == NULL) {
		return 0;
	}
	TAILQ_FOREACH(ad, &m->adapters, next) {
		if (strcasecmp(ad->vm, vm) != 0) {
			continue;
		}
		if (out != NULL && n < max) {
			out[n] = ad;
		}
		n++;
	}
	return n;
}

struct snd_adapter *
snd_model_adapter_find(const struct snd_model *m, const char *vm,
		       const char *nic)
{
	struct snd_adapter *found = NULL;
	struct snd_adapter *ad;

	if (m == NULL || vm == NULL) {
		return NULL;
	}
	TAILQ_FOREACH(ad, &m->adapters, next) {
		if (strcasecmp(ad->vm, vm) != 0) {
			continue;
		}
		if (nic != NULL) {
			if (strcasecmp(ad->nic, nic) == 0) {
				return ad;
			}
			continue;
		}
		if (found != NULL) {
			return NULL;	/* several: ambiguous */
		}
		found = ad;
	}
	return found;
}

struct snd_adapter *
snd_model_adapter_by_relid(const struct snd_model *m, uint32_t relid)
{
	struct snd_adapter *ad;

	if (m == NULL || relid == 0) {
		return NULL;
	}
	TAILQ_FOREACH(ad, &m->adapters, next) {
		if (ad->relid == relid) {
			return ad;
		}
	}
	return NULL;
}

/* An adapter using mac: on sw only, or anywhere when sw is NULL. */
static struct snd_adapter *
snd_mac_user(const struct snd_model *m, const struct snd_switch *sw,
	     const uint8_t mac[SND_MAC_LEN])
{
	struct snd_adapter *ad;

	TAILQ_FOREACH(ad, &m->adapters, next) {
		if ((sw == NULL || ad->sw == sw) &&
		    memcmp(ad->mac, mac, SND_MAC_LEN) == 0) {
			return ad;
		}
	}
	return NULL;
}

/*
 * Next MAC of the pool not in use by any adapter: one pass over the pool
 * at most, starting at mac_next, which then moves past the result.
 */
static int
snd_mac_alloc(struct snd_model *m, uint8_t mac[SND_MAC_LEN])
{
	uint64_t span = m->mac_last - m->mac_first + 1;
	uint64_t cand = m->mac_next;
	uint64_t i;

	for (i = 0; i < span; i++) {
		snd_u64_to_mac(cand, mac);
		cand = cand == m->mac_last ? m->mac_first : cand + 1;
		if (snd_mac_user(m, NULL, mac) == NULL) {
			m->mac_next = cand;
			return 0;
		}
		if (i > m->n_adapters) {
			/* more tries than adapters: none is free */
			break;
		}
	}
	return -ENOSPC;
}

/* Next free relid, searching from next_relid (which then moves on). */
static int
snd_relid_alloc(struct snd_model *m, uint32_t *relid)
{
	uint32_t cand = m->next_relid;
	uint32_t i;

	for (i = 0; i <= SND_RELID_MAX - SND_RELID_MIN; i++) {
		uint32_t r = cand;

		cand = cand >= SND_RELID_MAX ? SND_RELID_MIN : cand + 1;
		if (snd_model_adapter_by_relid(m, r) == NULL) {
			*relid = r;
			m->next_relid = cand;
			return 0;
		}
	}
	return -ENOSPC;
}

/* A random version-4 GUID (RFC 4122 4.4) in Windows wire order, unique
 * among the adapters. */
static int
snd_guid_alloc(const struct snd_model *m, uint8_t g[SND_GUID_LEN])
{
	const struct snd_adapter *ad;
	unsigned int tries;

	for (tries = 0; tries < 4; tries++) {
		ssize_t n = getrandom(g, SND_GUID_LEN, 0);
		bool dup = false;

		if (n < 0) {
			return -errno;
		}
		if (n != SND_GUID_LEN) {
			return -EIO;
		}
		/* Data3 is little-endian: its version nibble is in byte 7. */
		g[7] = (uint8_t)((g[7] & 0x0f) | 0x40);
		g[8] = (uint8_t)((g[8] & 0x3f) | 0x80);
		TAILQ_FOREACH(ad, &m->adapters, next) {
			if (memcmp(ad->instance, g, SND_GUID_LEN) == 0) {
				dup = true;
				break;
			}
		}
		if (!dup) {
			return 0;
		}
	}
	return -EAGAIN;
}

static void
snd_adapter_insert(struct snd_model *m, struct snd_adapter *ad)
{
	struct snd_adapter *it;

	TAILQ_FOREACH(it, &m->adapters, next) {
		int c = strcasecmp(ad->vm, it->vm);

		if (c < 0 || (c == 0 && strcasecmp(ad->nic, it->nic) < 0)) {
			TAILQ_INSERT_BEFORE(it, ad, next);
			goto out;
		}
	}
	TAILQ_INSERT_TAIL(&m->adapters, ad, next);
out:
	m->n_adapters++;
	ad->sw->n_adapters++;
}

/* Validate a static MAC for sw; 0 or -errno with a message. */
static int
snd_static_mac_check(const struct snd_model *m, const struct snd_switch *sw,
		     const struct snd_adapter *self,
		     const uint8_t mac[SND_MAC_LEN], char *err, size_t errlen)
{
	static const uint8_t zero[SND_MAC_LEN];
	const struct snd_adapter *user;
	const char *alt = self != NULL ? "--mac-dynamic" : "omit --mac";
	char ms[SND_MAC_STRLEN];

	snd_mac_format(mac, ms);
	if (memcmp(mac, zero, SND_MAC_LEN) == 0) {
		snd_errf(err, errlen,
			 "%s is not a usable MAC address: give a unicast "
			 "address such as 00:15:5d:00:10:01, or %s", ms, alt);
		return -EINVAL;
	}
	if ((mac[0] & 0x01) != 0) {
		snd_errf(err, errlen,
			 "%s is a multicast address: an adapter needs a "
			 "unicast MAC (even first byte), or %s", ms, alt);
		return -EINVAL;
	}
	user = snd_mac_user(m, sw, mac);
	if (user != NULL && user != self) {
		snd_errf(err, errlen,
			 "MAC %s is already used by %s/%s on switch '%s': "
			 "choose another, or %s for a dynamic one",
			 ms, user->vm, user->nic, sw->name,
			 self != NULL ? "use --mac-dynamic" : "omit --mac");
		return -EEXIST;
	}
	return 0;
}

/* The restore members of rq: relid and instance GUID. */
static int
snd_adapter_restore_check(const struct snd_model *m,
			  const struct snd_adapter_req *rq, char *err,
			  size_t errlen)
{
	const struct snd_adapter *ad;

	if (rq->relid != 0) {
		if (rq->relid < SND_RELID_MIN || rq->relid > SND_RELID_MAX) {
			snd_errf(err, errlen,
				 "relid %" PRIu32 " is out of range: use %u "
				 "to %u", rq->relid, SND_RELID_MIN,
				 SND_RELID_MAX);
			return -EINVAL;
		}
		ad = snd_model_adapter_by_relid(m, rq->relid);
		if (ad != NULL) {
			snd_errf(err, errlen,
				 "relid %" PRIu32 " is already used by %s/%s",
				 rq->relid, ad->vm, ad->nic);
			return -EEXIST;
		}
	}
	if (rq->instance != NULL) {
		TAILQ_FOREACH(ad, &m->adapters, next) {
			if (memcmp(ad->instance, rq->instance,
				   SND_GUID_LEN) == 0) {
				snd_errf(err, errlen,
					 "instance GUID is already used by "
					 "%s/%s", ad->vm, ad->nic);
				return -EEXIST;
			}
		}
	}
	if (rq->mac_dynamic && rq->mac == NULL) {
		snd_errf(err, errlen, "a restored dynamic MAC needs the MAC");
		return -EINVAL;
	}
	return 0;
}

/* Everything about rq that does not need allocation; 0 or -errno. */
static int
snd_adapter_check(const struct snd_model *m, const struct snd_adapter_req *rq,
		  const char *nic, struct snd_switch **swp, char *err,
		  size_t errlen)
{
	char q[SND_QUOTE_MAX + 4];
	const struct snd_adapter *old;
	struct snd_switch *sw;
	size_t n;
	int rc;

	if (!snd_vm_name_valid(rq->vm)) {
		snd_errf(err, errlen,
			 "'%s' is not a valid VM name: use 1 to %u characters "
			 "from A-Z a-z 0-9 . _ -", snd_quote(rq->vm, q),
			 SND_VM_NAME_MAX - 1);
		return -EINVAL;
	}
	if (!snd_nic_name_valid(nic)) {
		snd_errf(err, errlen,
			 "'%s' is not a valid adapter name: use 1 to %u "
			 "printable ASCII characters other than '/'",
			 snd_quote(nic, q),
			 SND_NIC_NAME_MAX - 1);
		return -EINVAL;
	}
	sw = snd_model_switch_find(m, rq->sw);
	if (sw == NULL) {
		snd_errf(err, errlen,
			 "no switch named '%s' (synthctl switch list shows "
			 "the switches)", snd_quote(rq->sw, q));
		return -ENOENT;
	}
	old = snd_model_adapter_find(m, rq->vm, nic);
	if (old != NULL) {
		snd_errf(err, errlen,
			 "VM '%s' already has a network adapter named '%s': "
			 "choose another name with --name", old->vm, old->nic);
		return -EEXIST;
	}
	n = snd_model_adapters_for_vm(m, rq->vm, NULL, 0);
	if (n >= SND_VM_ADAPTERS_MAX) {
		snd_errf(err, errlen,
			 "VM '%s' already has %zu network adapters, the most "
			 "one VM can have: remove one first", rq->vm, n);
		return -ENOSPC;
	}
	if (rq->mac != NULL) {
		rc = snd_static_mac_check(m, sw, NULL, rq->mac, err, errlen);
		if (rc < 0) {
			return rc;
		}
	}
	if (rq->policy != NULL) {
		rc = snd_policy_check(rq->policy, err, errlen);
		if (rc < 0) {
			return rc;
		}
	}
	rc = snd_adapter_restore_check(m, rq, err, errlen);
	if (rc < 0) {
		return rc;
	}
	*swp = sw;
	return 0;
}

/* Fill ad's MAC, relid and GUID from rq or the allocators. */
static int
snd_adapter_ids(struct snd_model *m, const struct snd_adapter_req *rq,
		struct snd_adapter *ad, char *err, size_t errlen)
{
	int rc;

	if (rq->mac != NULL) {
		memcpy(ad->mac, rq->mac, SND_MAC_LEN);
		ad->mac_dynamic = rq->mac_dynamic;
	} else {
		rc = snd_mac_alloc(m, ad->mac);
		if (rc < 0) {
			snd_errf(err, errlen,
				 "the dynamic MAC address pool is used up: "
				 "give a MAC address with --mac");
			return rc;
		}
		ad->mac_dynamic = true;
	}
	if (rq->relid != 0) {
		ad->relid = rq->relid;
	} else {
		rc = snd_relid_alloc(m, &ad->relid);
		if (rc < 0) {
			snd_errf(err, errlen,
				 "all %u channel ids are in use: remove "
				 "unused adapters first",
				 SND_RELID_MAX - SND_RELID_MIN + 1);
			return rc;
		}
	}
	if (rq->instance != NULL) {
		memcpy(ad->instance, rq->instance, SND_GUID_LEN);
	} else {
		rc = snd_guid_alloc(m, ad->instance);
		if (rc < 0) {
			snd_errf(err, errlen,
				 "could not make an instance GUID: %s",
				 strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int
snd_model_adapter_add(struct snd_model *m, const struct snd_adapter_req *rq,
		      struct snd_adapter **out, char *err, size_t errlen)
{
	char what[SND_VM_NAME_MAX + SND_NIC_NAME_MAX];
	uint64_t saved_mac;
	uint32_t saved_relid;
	struct snd_switch *sw = NULL;
	struct snd_adapter *ad;
	const char *nic;
	int rc;

	if (m == NULL || rq == NULL) {
		return -EINVAL;
	}
	nic = rq->nic != NULL ? rq->nic : SND_NIC_DEFAULT;
	rc = snd_adapter_check(m, rq, nic, &sw, err, errlen);
	if (rc < 0) {
		return rc;
	}
	ad = calloc(1, sizeof(*ad));
	if (ad == NULL) {
		snd_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	saved_mac = m->mac_next;
	saved_relid = m->next_relid;
	snd_strcpy(ad->vm, sizeof(ad->vm), rq->vm);
	snd_strcpy(ad->nic, sizeof(ad->nic), nic);
	ad->sw = sw;
	if (rq->policy != NULL) {
		ad->policy = *rq->policy;
	} else {
		vsw_policy_cfg_init(&ad->policy);
	}
	rc = snd_adapter_ids(m, rq, ad, err, errlen);
	if (rc < 0) {
		goto fail;
	}
	snd_adapter_insert(m, ad);
	if (m->hooks.adapter_add != NULL) {
		snd_hook_err_begin(err, errlen);
		rc = m->hooks.adapter_add(m->ctx, ad, err, errlen);
		if (rc < 0) {
			snprintf(what, sizeof(what), "%s/%s", ad->vm, ad->nic);
			snd_hook_err_end(rc, err, errlen, "add", what);
			snd_adapter_drop(m, ad, false);
			m->mac_next = saved_mac;
			m->next_relid = saved_relid;
			return rc;
		}
	}
	m->gen++;
	if (out != NULL) {
		*out = ad;
	}
	return 0;

fail:
	m->mac_next = saved_mac;
	m->next_relid = saved_relid;
	free(ad);
	return rc;
}

int
snd_model_adapter_set(struct snd_model *m, struct snd_adapter *ad,
		      const struct snd_adapter_set_req *rq, char *err,
		      size_t errlen)
{
	char what[SND_VM_NAME_MAX + SND_NIC_NAME_MAX];
	struct vsw_policy_cfg np;
	const struct vsw_policy_cfg *policy = &np;
	uint8_t mac[SND_MAC_LEN];
	uint64_t saved_mac;
	bool dynamic = ad != NULL && ad->mac_dynamic;
	bool mac_changed = false;
	bool pol_changed;
	int rc;

	if (m == NULL || ad == NULL || rq == NULL) {
		return -EINVAL;
	}
	np = rq->policy != NULL ? *rq->policy : ad->policy;
	rc = snd_policy_check(policy, err, errlen);
	if (rc < 0) {
		return rc;
	}
	saved_mac = m->mac_next;
	memcpy(mac, ad->mac, SND_MAC_LEN);
	if (rq->mac != NULL) {
		rc = snd_static_mac_check(m, ad->sw, ad, rq->mac, err, errlen);
		if (rc < 0) {
			return rc;
		}
		memcpy(mac, rq->mac, SND_MAC_LEN);
		dynamic = false;
	} else if (rq->mac_dynamic && !ad->mac_dynamic) {
		rc = snd_mac_alloc(m, mac);
		if (rc < 0) {
			snd_errf(err, errlen,
				 "the dynamic MAC address pool is used up: "
				 "give a MAC address with --mac");
			return rc;
		}
		dynamic = true;
	}
	mac_changed = memcmp(mac, ad->mac, SND_MAC_LEN) != 0;
	pol_changed = memcmp(policy, &ad->policy, sizeof(*policy)) != 0;
	if ((mac_changed || pol_changed) && m->hooks.adapter_set != NULL) {
		snd_hook_err_begin(err, errlen);
		rc = m->hooks.adapter_set(m->ctx, ad, policy,
					  mac_changed ? mac : NULL, err,
					  errlen);
		if (rc < 0) {
			snprintf(what, sizeof(what), "%s/%s", ad->vm, ad->nic);
			snd_hook_err_end(rc, err, errlen, "change", what);
			m->mac_next = saved_mac;
			return rc;
		}
	}
	if (!mac_changed && !pol_changed && dynamic == ad->mac_dynamic) {
		return 0;
	}
	ad->policy = *policy;
	memcpy(ad->mac, mac, SND_MAC_LEN);
	ad->mac_dynamic = dynamic;
	m->gen++;
	return 0;
}

int
snd_model_adapter_connect(struct snd_model *m, struct snd_adapter *ad,
			  const char *sw_name, char *err, size_t errlen)
{
	char what[SND_VM_NAME_MAX + SND_NIC_NAME_MAX];
	char q[SND_QUOTE_MAX + 4];
	struct snd_switch *from;
	struct snd_switch *to;
	const struct snd_adapter *user;
	char ms[SND_MAC_STRLEN];
	int rc;

	if (m == NULL || ad == NULL) {
		return -EINVAL;
	}
	to = snd_model_switch_find(m, sw_name);
	if (to == NULL) {
		snd_errf(err, errlen,
			 "no switch named '%s' (synthctl switch list shows "
			 "the switches)", snd_quote(sw_name, q));
		return -ENOENT;
	}
	from = ad->sw;
	if (to == from) {
		return 0;
	}
	user = snd_mac_user(m, to, ad->mac);
	if (user != NULL) {
		snd_mac_format(ad->mac, ms);
		snd_errf(err, errlen,
			 "MAC %s of %s/%s is already used by %s/%s on switch "
			 "'%s': give the adapter another MAC first (synthctl "
			 "adapter set %s --mac MAC or --mac-dynamic)", ms,
			 ad->vm, ad->nic, user->vm, user->nic, to->name,
			 ad->vm);
		return -EEXIST;
	}
	if (m->hooks.adapter_connect != NULL) {
		snd_hook_err_begin(err, errlen);
		rc = m->hooks.adapter_connect(m->ctx, ad, from, to, err,
					      errlen);
		if (rc < 0) {
			snprintf(what, sizeof(what), "%s/%s", ad->vm, ad->nic);
			snd_hook_err_end(rc, err, errlen, "move", what);
			return rc;
		}
	}
	ad->sw = to;
	from->n_adapters--;
	to->n_adapters++;
	m->gen++;
	return 0;
}

void
snd_model_adapter_remove(struct snd_model *m, struct snd_adapter *ad)
{
	if (m == NULL || ad == NULL) {
		return;
	}
	snd_adapter_drop(m, ad, true);
	m->gen++;
}
