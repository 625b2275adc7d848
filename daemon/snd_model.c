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

#include "snctl_json.h"
#include "snctl_out.h"
#include "snd_model.h"
#include "snd_model_priv.h"

/* Longest piece of user input quoted back in a message. */
#define SND_QUOTE_MAX 40

/* ---- small helpers ------------------------------------------------------ */

void
snd_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Copy user input s into buf for quoting in a message: control bytes and
 * quotes become '?', long input is cut with "...".  Always terminates.
 */
static const char *
snd_quote(const char *s, char buf[SND_QUOTE_MAX + 4])
{
	size_t i;

	if (s == NULL) {
		return "(none)";
	}
	for (i = 0; s[i] != '\0' && i < SND_QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = (c < 0x20 || c == 0x7f || c == '\'') ? '?' : (char)c;
	}
	if (s[i] != '\0') {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* Copy a validated string into a fixed buffer. */
static void
snd_strcpy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

static bool
snd_charset_ok(const char *s, size_t max)
{
	size_t n;

	if (s == NULL) {
		return false;
	}
	for (n = 0; s[n] != '\0'; n++) {
		char c = s[n];

		if (n >= max) {
			return false;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-')) {
			return false;
		}
	}
	return n > 0;
}

bool
snd_switch_name_valid(const char *name)
{
	return snd_charset_ok(name, SND_SWITCH_NAME_MAX - 1);
}

bool
snd_vm_name_valid(const char *name)
{
	return snd_charset_ok(name, SND_VM_NAME_MAX - 1);
}

bool
snd_nic_name_valid(const char *name)
{
	size_t n;

	if (name == NULL) {
		return false;
	}
	for (n = 0; name[n] != '\0'; n++) {
		/* '/' separates VM and adapter in port names ("vm1/eth0") */
		if (n >= SND_NIC_NAME_MAX - 1 ||
		    (unsigned char)name[n] < 0x20 ||
		    (unsigned char)name[n] > 0x7e || name[n] == '/') {
			return false;
		}
	}
	return n > 0;
}

static const char *const snd_type_names[] = {
	[SND_SWITCH_PRIVATE] = "private",
	[SND_SWITCH_INTERNAL] = "internal",
	[SND_SWITCH_EXTERNAL] = "external",
};

const char *
snd_switch_type_name(enum snd_switch_type type)
{
	if ((unsigned int)type >= sizeof(snd_type_names) /
				      sizeof(snd_type_names[0])) {
		return "unknown";
	}
	return snd_type_names[type];
}

int
snd_switch_type_parse(const char *s, enum snd_switch_type *out)
{
	unsigned int i;

	if (s == NULL || out == NULL) {
		return -EINVAL;
	}
	for (i = 0; i < sizeof(snd_type_names) / sizeof(snd_type_names[0]);
	     i++) {
		if (strcasecmp(s, snd_type_names[i]) == 0) {
			*out = (enum snd_switch_type)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int
snd_hex(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

int
snd_mac_parse(const char *s, uint8_t mac[SND_MAC_LEN])
{
	uint8_t tmp[SND_MAC_LEN];
	size_t len;
	char sep;
	size_t i;

	if (s == NULL || mac == NULL) {
		return -EINVAL;
	}
	len = strlen(s);
	if (len == 12) {
		sep = '\0';
	} else if (len == 17 && (s[2] == ':' || s[2] == '-')) {
		sep = s[2];
	} else {
		return -EINVAL;
	}
	for (i = 0; i < SND_MAC_LEN; i++) {
		const char *p = s + (sep != '\0' ? i * 3 : i * 2);
		int hi = snd_hex(p[0]);
		int lo = snd_hex(p[1]);

		if (hi < 0 || lo < 0) {
			return -EINVAL;
		}
		if (sep != '\0' && i + 1 < SND_MAC_LEN && p[2] != sep) {
			return -EINVAL;
		}
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, tmp, SND_MAC_LEN);
	return 0;
}

void
snd_mac_format(const uint8_t mac[SND_MAC_LEN], char buf[SND_MAC_STRLEN])
{
	snprintf(buf, SND_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void
snd_guid_format(const uint8_t g[SND_GUID_LEN], char buf[SND_GUID_STRLEN])
{
	uint32_t d1 = (uint32_t)g[0] | (uint32_t)g[1] << 8 |
		      (uint32_t)g[2] << 16 | (uint32_t)g[3] << 24;
	unsigned int d2 = (unsigned int)g[4] | (unsigned int)g[5] << 8;
	unsigned int d3 = (unsigned int)g[6] | (unsigned int)g[7] << 8;

	snprintf(buf, SND_GUID_STRLEN,
		 "%08" PRIx32 "-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 d1, d2, d3, g[8], g[9], g[10], g[11], g[12], g[13], g[14],
		 g[15]);
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

/* Check the notes of a switch; 0 or -EINVAL with a message. */
static int
snd_notes_check(const char *notes, char *err, size_t errlen)
{
	size_t n = strlen(notes);
	size_t i;

	if (n >= SND_NOTES_MAX) {
		snd_errf(err, errlen,
			 "notes are too long (%zu bytes, at most %u)", n,
			 SND_NOTES_MAX - 1);
		return -EINVAL;
	}
	if (!snctl_utf8_valid(notes, n)) {
		snd_errf(err, errlen, "notes are not valid UTF-8 text");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)notes[i];

		if (c < 0x20 || c == 0x7f) {
			snd_errf(err, errlen,
				 "notes must be one line of text (no tabs, "
				 "newlines or other control characters)");
			return -EINVAL;
		}
	}
	return 0;
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

int
snd_model_switch_create(struct snd_model *m, const char *name,
			enum snd_switch_type type, const char *notes,
			struct snd_switch **out, char *err, size_t errlen)
{
	char q[SND_QUOTE_MAX + 4];
	struct snd_switch *sw;
	struct snd_switch *old;
	int rc;

	if (m == NULL) {
		return -EINVAL;
	}
	if (!snd_switch_name_valid(name)) {
		snd_errf(err, errlen,
			 "'%s' is not a valid switch name: use 1 to %u "
			 "characters from A-Z a-z 0-9 . _ -",
			 snd_quote(name, q), SND_SWITCH_NAME_MAX - 1);
		return -EINVAL;
	}
	if (notes == NULL) {
		notes = "";
	}
	rc = snd_notes_check(notes, err, errlen);
	if (rc < 0) {
		return rc;
	}
	if (type == SND_SWITCH_INTERNAL || type == SND_SWITCH_EXTERNAL) {
		snd_errf(err, errlen,
			 "switch type '%s' is not supported yet: only private "
			 "switches can be created (--type private)",
			 snd_switch_type_name(type));
		return -ENOTSUP;
	}
	if (type != SND_SWITCH_PRIVATE) {
		snd_errf(err, errlen, "unknown switch type");
		return -EINVAL;
	}
	old = snd_model_switch_find(m, name);
	if (old != NULL) {
		snd_errf(err, errlen,
			 "a switch named '%s' already exists (synthctl switch "
			 "list shows the switches)", old->name);
		return -EEXIST;
	}
	sw = calloc(1, sizeof(*sw));
	if (sw == NULL) {
		snd_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snd_strcpy(sw->name, sizeof(sw->name), name);
	snd_strcpy(sw->notes, sizeof(sw->notes), notes);
	sw->type = type;
	sw->id = m->next_switch_id;
	sw->created = time(NULL);
	snd_switch_insert(m, sw);
	if (m->hooks.switch_create != NULL) {
		if (err != NULL && errlen != 0) {
			err[0] = '\0';
		}
		rc = m->hooks.switch_create(m->ctx, sw, err, errlen);
		if (rc < 0) {
			if (err != NULL && errlen != 0 && err[0] == '\0') {
				snd_errf(err, errlen,
					 "the data plane could not create "
					 "switch '%s': %s", sw->name,
					 strerror(-rc));
			}
			snd_switch_drop(m, sw, false);
			return rc;
		}
	}
	m->next_switch_id++;
	if (out != NULL) {
		*out = sw;
	}
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
		     const uint8_t mac[SND_MAC_LEN], char *err, size_t errlen)
{
	static const uint8_t zero[SND_MAC_LEN];
	const struct snd_adapter *user;
	char ms[SND_MAC_STRLEN];

	snd_mac_format(mac, ms);
	if (memcmp(mac, zero, SND_MAC_LEN) == 0) {
		snd_errf(err, errlen,
			 "%s is not a usable MAC address: give a unicast "
			 "address such as 00:15:5d:00:10:01, or omit --mac",
			 ms);
		return -EINVAL;
	}
	if ((mac[0] & 0x01) != 0) {
		snd_errf(err, errlen,
			 "%s is a multicast address: an adapter needs a "
			 "unicast MAC (even first byte), or omit --mac", ms);
		return -EINVAL;
	}
	user = snd_mac_user(m, sw, mac);
	if (user != NULL) {
		snd_errf(err, errlen,
			 "MAC %s is already used by %s/%s on switch '%s': "
			 "choose another, or omit --mac for a dynamic one",
			 ms, user->vm, user->nic, sw->name);
		return -EEXIST;
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
		int rc = snd_static_mac_check(m, sw, rq->mac, err, errlen);

		if (rc < 0) {
			return rc;
		}
	}
	*swp = sw;
	return 0;
}

int
snd_model_adapter_add(struct snd_model *m, const struct snd_adapter_req *rq,
		      struct snd_adapter **out, char *err, size_t errlen)
{
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
	if (rq->mac != NULL) {
		memcpy(ad->mac, rq->mac, SND_MAC_LEN);
	} else {
		rc = snd_mac_alloc(m, ad->mac);
		if (rc < 0) {
			snd_errf(err, errlen,
				 "the dynamic MAC address pool is used up: "
				 "give a MAC address with --mac");
			goto fail;
		}
		ad->mac_dynamic = true;
	}
	rc = snd_relid_alloc(m, &ad->relid);
	if (rc < 0) {
		snd_errf(err, errlen,
			 "all %u channel ids are in use: remove unused "
			 "adapters first", SND_RELID_MAX - SND_RELID_MIN + 1);
		goto fail;
	}
	rc = snd_guid_alloc(m, ad->instance);
	if (rc < 0) {
		snd_errf(err, errlen,
			 "could not make an instance GUID: %s", strerror(-rc));
		goto fail;
	}
	snd_adapter_insert(m, ad);
	if (m->hooks.adapter_add != NULL) {
		if (err != NULL && errlen != 0) {
			err[0] = '\0';
		}
		rc = m->hooks.adapter_add(m->ctx, ad, err, errlen);
		if (rc < 0) {
			if (err != NULL && errlen != 0 && err[0] == '\0') {
				snd_errf(err, errlen,
					 "the data plane could not add "
					 "%s/%s: %s", ad->vm, ad->nic,
					 strerror(-rc));
			}
			snd_adapter_drop(m, ad, false);
			m->mac_next = saved_mac;
			m->next_relid = saved_relid;
			return rc;
		}
	}
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

void
snd_model_adapter_remove(struct snd_model *m, struct snd_adapter *ad)
{
	if (m == NULL || ad == NULL) {
		return;
	}
	snd_adapter_drop(m, ad, true);
}
