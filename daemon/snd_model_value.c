/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_model_value.c - the values an administrator types: names, MAC and
 * IP addresses, GUIDs, VLAN lists, device arguments, per-adapter policy;
 * their parsing, formatting and validation (snd_model.h).  No state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sn_wire.h"
#include "snctl_json.h"
#include "snd_model.h"
#include "snd_model_priv.h"

/* ---- messages ----------------------------------------------------------- */

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

const char *
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

/* ---- names -------------------------------------------------------------- */

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
snd_host_ifname_valid(const char *s)
{
	return snd_charset_ok(s, SND_HOST_IFNAME_MAX - 1);
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

/* 1..max bytes of printable ASCII without blanks (and without '/' when
 * no_slash). */
static bool
snd_graph_ok(const char *s, size_t max, bool no_slash)
{
	size_t n;

	if (s == NULL) {
		return false;
	}
	for (n = 0; s[n] != '\0'; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n >= max || c <= 0x20 || c >= 0x7f ||
		    (no_slash && c == '/')) {
			return false;
		}
	}
	return n > 0;
}

bool
snd_devargs_valid(const char *s)
{
	return snd_graph_ok(s, SND_DEVARGS_MAX - 1, false);
}

bool
snd_netns_name_valid(const char *s)
{
	return snd_graph_ok(s, SND_NETNS_MAX - 1, true) &&
	       strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

int
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

/* ---- enumerations ------------------------------------------------------- */

static const char *const snd_type_names[] = {
	[SND_SWITCH_PRIVATE] = "private",
	[SND_SWITCH_INTERNAL] = "internal",
	[SND_SWITCH_EXTERNAL] = "external",
};

static const char *const snd_vlan_mode_names[] = {
	[VSW_VLAN_UNTAGGED] = "untagged",
	[VSW_VLAN_ACCESS] = "access",
	[VSW_VLAN_TRUNK] = "trunk",
};

static const char *const snd_mirror_names[] = {
	[VSW_MIRROR_NONE] = "none",
	[VSW_MIRROR_SOURCE] = "source",
	[VSW_MIRROR_DESTINATION] = "destination",
};

const char *
snd_switch_type_name(enum snd_switch_type type)
{
	if ((unsigned int)type >= SN_ARRAY_SIZE(snd_type_names)) {
		return "unknown";
	}
	return snd_type_names[type];
}

/* Index of s in names[0..n) (case-insensitive), or -EINVAL. */
static int
snd_name_index(const char *s, const char *const *names, size_t n)
{
	size_t i;

	if (s == NULL) {
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (strcasecmp(s, names[i]) == 0) {
			return (int)i;
		}
	}
	return -EINVAL;
}

int
snd_switch_type_parse(const char *s, enum snd_switch_type *out)
{
	int i = snd_name_index(s, snd_type_names,
			       SN_ARRAY_SIZE(snd_type_names));

	if (i < 0 || out == NULL) {
		return -EINVAL;
	}
	*out = (enum snd_switch_type)i;
	return 0;
}

const char *
snd_vlan_mode_name(enum vsw_vlan_mode mode)
{
	if ((unsigned int)mode >= SN_ARRAY_SIZE(snd_vlan_mode_names)) {
		return "unknown";
	}
	return snd_vlan_mode_names[mode];
}

int
snd_vlan_mode_parse(const char *s, enum vsw_vlan_mode *out)
{
	int i = snd_name_index(s, snd_vlan_mode_names,
			       SN_ARRAY_SIZE(snd_vlan_mode_names));

	if (i < 0 || out == NULL) {
		return -EINVAL;
	}
	*out = (enum vsw_vlan_mode)i;
	return 0;
}

const char *
snd_mirror_name(enum vsw_mirror_mode mode)
{
	if ((unsigned int)mode >= SN_ARRAY_SIZE(snd_mirror_names)) {
		return "unknown";
	}
	return snd_mirror_names[mode];
}

int
snd_mirror_parse(const char *s, enum vsw_mirror_mode *out)
{
	int i = snd_name_index(s, snd_mirror_names,
			       SN_ARRAY_SIZE(snd_mirror_names));

	if (i < 0 || out == NULL) {
		return -EINVAL;
	}
	*out = (enum vsw_mirror_mode)i;
	return 0;
}

/* ---- MAC addresses and GUIDs ------------------------------------------- */

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

int
snd_guid_parse(const char *s, uint8_t g[SND_GUID_LEN])
{
	/* Text byte i (two hex digits) goes to wire byte order[i]: Data1..3
	 * are little-endian on the wire, Data4 is a byte array. */
	static const uint8_t order[SND_GUID_LEN] = {
		3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15,
	};
	uint8_t tmp[SND_GUID_LEN];
	size_t pos = 0;
	size_t i;

	if (s == NULL || g == NULL || strlen(s) != SND_GUID_STRLEN - 1) {
		return -EINVAL;
	}
	for (i = 0; i < SND_GUID_LEN; i++) {
		int hi;
		int lo;

		if (pos == 8 || pos == 13 || pos == 18 || pos == 23) {
			if (s[pos] != '-') {
				return -EINVAL;
			}
			pos++;
		}
		hi = snd_hex(s[pos]);
		lo = snd_hex(s[pos + 1]);
		if (hi < 0 || lo < 0) {
			return -EINVAL;
		}
		tmp[order[i]] = (uint8_t)(hi << 4 | lo);
		pos += 2;
	}
	memcpy(g, tmp, SND_GUID_LEN);
	return 0;
}

/* ---- IP prefixes -------------------------------------------------------- */

int
snd_cidr_parse(const char *s, struct snd_ip_prefix *out)
{
	char addr[SND_CIDR_STRLEN];
	struct snd_ip_prefix p;
	const char *slash;
	unsigned int len = 0;
	unsigned int max;
	size_t alen;
	size_t i;

	if (s == NULL || out == NULL) {
		return -EINVAL;
	}
	slash = strchr(s, '/');
	if (slash == NULL) {
		return -EINVAL;
	}
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(addr)) {
		return -EINVAL;
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	memset(&p, 0, sizeof(p));
	if (strchr(addr, ':') != NULL) {
		p.family = AF_INET6;
		max = 128;
	} else {
		p.family = AF_INET;
		max = 32;
	}
	if (inet_pton(p.family, addr, p.addr) != 1) {
		return -EINVAL;
	}
	/* 1..3 decimal digits, no sign, no leading zero */
	for (i = 1; slash[i] != '\0'; i++) {
		if (i > 3 || slash[i] < '0' || slash[i] > '9' ||
		    (i == 2 && slash[1] == '0')) {
			return -EINVAL;
		}
		len = len * 10 + (unsigned int)(slash[i] - '0');
	}
	if (i == 1 || len == 0 || len > max) {
		return -EINVAL;
	}
	p.len = (uint8_t)len;
	*out = p;
	return 0;
}

void
snd_cidr_format(const struct snd_ip_prefix *p, char buf[SND_CIDR_STRLEN])
{
	char a[INET6_ADDRSTRLEN];

	if (p == NULL ||
	    inet_ntop(p->family, p->addr, a, (socklen_t)sizeof(a)) == NULL) {
		snprintf(buf, SND_CIDR_STRLEN, "?");
		return;
	}
	snprintf(buf, SND_CIDR_STRLEN, "%s/%u", a, (unsigned int)p->len);
}

/* ---- VLAN lists --------------------------------------------------------- */

/*
 * Read a VLAN id at *p: decimal digits without a leading zero.  *p moves
 * past them; *id gets the value (capped at 99999).  Returns the number
 * of digits, or -EINVAL when there are none or a leading zero.
 */
static int
snd_vlan_num(const char **p, unsigned int *id)
{
	const char *s = *p;
	unsigned int v = 0;
	int n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		v = v < 99999 ? v * 10 + (unsigned int)(s[n] - '0') : v;
		n++;
	}
	if (n == 0 || (n > 1 && s[0] == '0')) {
		return -EINVAL;
	}
	*p = s + n;
	*id = v > 99999 ? 99999 : v;
	return n;
}

int
snd_vlan_list_parse(const char *s, uint64_t allowed[VSW_VLAN_WORDS],
		    char *err, size_t errlen)
{
	char q[SND_QUOTE_MAX + 4];
	uint64_t tmp[VSW_VLAN_WORDS];
	const char *p = s;

	if (s == NULL || allowed == NULL) {
		return -EINVAL;
	}
	memset(tmp, 0, sizeof(tmp));
	for (;;) {
		const char *item[2];
		unsigned int id[2];
		int nd[2];
		int k;
		unsigned int v;

		item[0] = p;
		nd[0] = snd_vlan_num(&p, &id[0]);
		item[1] = item[0];
		nd[1] = nd[0];
		id[1] = id[0];
		if (nd[0] > 0 && *p == '-') {
			p++;
			item[1] = p;
			nd[1] = snd_vlan_num(&p, &id[1]);
		}
		if (nd[0] < 0 || nd[1] < 0 || (*p != ',' && *p != '\0')) {
			snd_errf(err, errlen,
				 "bad VLAN list '%s': write ids and ranges "
				 "like 10,20,30-40", snd_quote(s, q));
			return -EINVAL;
		}
		for (k = 0; k < 2; k++) {
			if (id[k] < VSW_VLAN_ID_MIN ||
			    id[k] > VSW_VLAN_ID_MAX) {
				snd_errf(err, errlen,
					 "bad VLAN id %.*s: use %u..%u",
					 nd[k] > 8 ? 8 : nd[k], item[k],
					 VSW_VLAN_ID_MIN, VSW_VLAN_ID_MAX);
				return -EINVAL;
			}
		}
		if (id[0] > id[1]) {
			snd_errf(err, errlen,
				 "bad VLAN range %u-%u: write the lower id "
				 "first", id[0], id[1]);
			return -EINVAL;
		}
		for (v = id[0]; v <= id[1]; v++) {
			tmp[v / 64] |= UINT64_C(1) << (v % 64);
		}
		if (*p == '\0') {
			break;
		}
		p++;
	}
	memcpy(allowed, tmp, sizeof(tmp));
	return 0;
}

static bool
snd_bit(const uint64_t allowed[VSW_VLAN_WORDS], unsigned int v)
{
	return (allowed[v / 64] >> (v % 64) & 1u) != 0;
}

int
snd_vlan_list_format(const uint64_t allowed[VSW_VLAN_WORDS], char *buf,
		     size_t cap)
{
	size_t len = 0;
	unsigned int v = VSW_VLAN_ID_MIN;

	if (buf == NULL || cap == 0) {
		return -EINVAL;
	}
	buf[0] = '\0';
	while (v <= VSW_VLAN_ID_MAX) {
		unsigned int end = v;
		int k;

		if (!snd_bit(allowed, v)) {
			v++;
			continue;
		}
		while (end < VSW_VLAN_ID_MAX && snd_bit(allowed, end + 1)) {
			end++;
		}
		if (end == v) {
			k = snprintf(buf + len, cap - len, "%s%u",
				     len != 0 ? "," : "", v);
		} else {
			k = snprintf(buf + len, cap - len, "%s%u-%u",
				     len != 0 ? "," : "", v, end);
		}
		if (k < 0 || (size_t)k >= cap - len) {
			buf[len] = '\0';
			return -ENOSPC;
		}
		len += (size_t)k;
		v = end + 1;
	}
	return (int)len;
}

/* ---- policy ------------------------------------------------------------- */

/* True when allowed has a bit outside 1..4094 set. */
static bool
snd_vlan_bits_outside(const uint64_t allowed[VSW_VLAN_WORDS])
{
	return snd_bit(allowed, 0) || snd_bit(allowed, 4095);
}

static bool
snd_vlan_bits_any(const uint64_t allowed[VSW_VLAN_WORDS])
{
	size_t i;

	for (i = 0; i < VSW_VLAN_WORDS; i++) {
		if (allowed[i] != 0) {
			return true;
		}
	}
	return false;
}

int
snd_policy_check(const struct vsw_policy_cfg *p, char *err, size_t errlen)
{
	if (p == NULL) {
		return -EINVAL;
	}
	switch (p->vlan_mode) {
	case VSW_VLAN_UNTAGGED:
		break;
	case VSW_VLAN_ACCESS:
		if (p->access_vlan < VSW_VLAN_ID_MIN ||
		    p->access_vlan > VSW_VLAN_ID_MAX) {
			snd_errf(err, errlen, "bad VLAN id %u: use %u..%u",
				 (unsigned int)p->access_vlan,
				 VSW_VLAN_ID_MIN, VSW_VLAN_ID_MAX);
			return -EINVAL;
		}
		break;
	case VSW_VLAN_TRUNK:
		if (snd_vlan_bits_outside(p->allowed)) {
			snd_errf(err, errlen, "bad VLAN id %u: use %u..%u",
				 snd_bit(p->allowed, 0) ? 0u : 4095u,
				 VSW_VLAN_ID_MIN, VSW_VLAN_ID_MAX);
			return -EINVAL;
		}
		if (!snd_vlan_bits_any(p->allowed)) {
			snd_errf(err, errlen,
				 "a trunk needs at least one VLAN: "
				 "--vlan-trunk LIST, e.g. 10,20,30-40");
			return -EINVAL;
		}
		if (p->native_vlan > VSW_VLAN_ID_MAX) {
			snd_errf(err, errlen,
				 "bad native VLAN id %u: use 0..%u (0: "
				 "untagged frames are dropped)",
				 (unsigned int)p->native_vlan,
				 VSW_VLAN_ID_MAX);
			return -EINVAL;
		}
		if (p->native_vlan != 0 &&
		    !snd_bit(p->allowed, p->native_vlan)) {
			snd_errf(err, errlen,
				 "native VLAN %u is not in the trunk's VLAN "
				 "list: add it to --vlan-trunk, or use "
				 "--native 0", (unsigned int)p->native_vlan);
			return -EINVAL;
		}
		break;
	default:
		snd_errf(err, errlen, "unknown VLAN mode %d",
			 (int)p->vlan_mode);
		return -EINVAL;
	}
	if ((p->vlan_mode != VSW_VLAN_ACCESS && p->access_vlan != 0) ||
	    (p->vlan_mode != VSW_VLAN_TRUNK &&
	     (p->native_vlan != 0 || snd_vlan_bits_any(p->allowed)))) {
		snd_errf(err, errlen,
			 "VLAN settings of another mode than '%s' are set",
			 snd_vlan_mode_name(p->vlan_mode));
		return -EINVAL;
	}
	if ((unsigned int)p->mirror >= SN_ARRAY_SIZE(snd_mirror_names)) {
		snd_errf(err, errlen, "unknown mirroring mode %d",
			 (int)p->mirror);
		return -EINVAL;
	}
	return 0;
}

void
snd_policy_json(struct snctl_json *j, const struct vsw_policy_cfg *p)
{
	char *list = malloc(SND_VLAN_LIST_STRMAX);

	if (list == NULL) {
		j->err = j->err != 0 ? j->err : -ENOMEM;
		return;
	}
	snd_vlan_list_format(p->allowed, list, SND_VLAN_LIST_STRMAX);
	snctl_json_kv_str(j, "vlan_mode", snd_vlan_mode_name(p->vlan_mode));
	snctl_json_kv_u64(j, "access_vlan", p->access_vlan);
	snctl_json_kv_u64(j, "native_vlan", p->native_vlan);
	snctl_json_kv_str(j, "trunk_vlans", list);
	snctl_json_kv_bool(j, "mac_spoofing", p->mac_spoofing);
	snctl_json_kv_bool(j, "dhcp_guard", p->dhcp_guard);
	snctl_json_kv_bool(j, "router_guard", p->router_guard);
	snctl_json_kv_str(j, "mirror", snd_mirror_name(p->mirror));
	snctl_json_kv_u64(j, "max_bandwidth_bps", p->max_bandwidth_bps);
	snctl_json_kv_u64(j, "storm_limit_pps", p->storm_limit_pps);
	free(list);
}
