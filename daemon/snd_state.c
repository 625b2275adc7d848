/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_state.c - the configuration on disk: render, atomic save, strict
 * load (snd_state.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sn_wire.h"
#include "snctl_jread.h"
#include "snctl_json.h"
#include "snd_model.h"
#include "snd_state.h"

/* Longest "where" of a message ("adapters[2047].policy"). */
#define SND_ST_WHERE_MAX 48
/* Longest member name quoted back in a message. */
#define SND_ST_KEY_MAX 40

/* ---- small helpers ----------------------------------------------------- */

static void
snd_st_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
snd_st_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "2024-05-01T12:00:00Z" (UTC) into buf[cap]. */
static void
snd_st_time_format(time_t t, char *buf, size_t cap)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(buf, cap, "1970-01-01T00:00:00Z");
	}
}

/* The inverse of snd_st_time_format(), exactly that form (and a real
 * date: it must format back to the same text).  0 or -EINVAL. */
static int
snd_st_time_parse(const char *s, time_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	char back[32];
	struct tm tm;
	time_t t;
	size_t i;

	if (strlen(s) != sizeof(shape) - 1) {
		return -EINVAL;
	}
	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9')
				    : s[i] != shape[i]) {
			return -EINVAL;
		}
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	tm.tm_hour = atoi(s + 11);
	tm.tm_min = atoi(s + 14);
	tm.tm_sec = atoi(s + 17);
	t = timegm(&tm);
	if (t == (time_t)-1) {
		return -EINVAL;
	}
	snd_st_time_format(t, back, sizeof(back));
	if (strcmp(back, s) != 0) {
		return -EINVAL;
	}
	*out = t;
	return 0;
}

/* ---- render ------------------------------------------------------------ */

static void
snd_st_put_switch(struct snctl_json *j, const struct snd_switch *sw)
{
	char ip[SND_CIDR_STRLEN];
	char ts[32];
	uint32_t i;

	snd_st_time_format(sw->created, ts, sizeof(ts));
	snctl_json_obj_open(j);
	snctl_json_kv_str(j, "name", sw->name);
	snctl_json_kv_u64(j, "id", sw->id);
	snctl_json_kv_str(j, "type", snd_switch_type_name(sw->cfg.type));
	snctl_json_kv_str(j, "notes", sw->cfg.notes);
	snctl_json_kv_str(j, "created", ts);
	snctl_json_kv_str(j, "host_ifname", sw->host_ifname);
	snctl_json_kv_str(j, "uplink", sw->cfg.uplink);
	snctl_json_kv_bool(j, "allow_management_os",
			   sw->cfg.allow_management_os);
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
	snctl_json_obj_close(j);
}

static void
snd_st_put_adapter(struct snctl_json *j, const struct snd_adapter *ad)
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
	snctl_json_key(j, "policy");
	snctl_json_obj_open(j);
	snd_policy_json(j, &ad->policy);
	snctl_json_obj_close(j);
	snctl_json_obj_close(j);
}

int
snd_state_render(const struct snd_model *m, struct snctl_out *out)
{
	const struct snd_switch *sw = NULL;
	const struct snd_adapter *ad = NULL;
	struct snd_model_seq seq;
	char mac[SND_MAC_STRLEN];
	struct snctl_json j;
	size_t start;
	int rc;

	if (m == NULL || out == NULL) {
		return -EINVAL;
	}
	start = out->len;
	snd_model_seq_get(m, &seq);
	snd_mac_format(seq.mac_next, mac);
	snctl_json_init(&j, out, true);
	snctl_json_obj_open(&j);
	snctl_json_kv_u64(&j, "version", SND_STATE_VERSION);
	snctl_json_kv_str(&j, "mac_pool_next", mac);
	snctl_json_kv_u64(&j, "next_relid", seq.next_relid);
	snctl_json_kv_u64(&j, "next_switch_id", seq.next_switch_id);
	snctl_json_key(&j, "switches");
	snctl_json_arr_open(&j);
	while ((sw = snd_model_switch_next(m, sw)) != NULL) {
		snd_st_put_switch(&j, sw);
	}
	snctl_json_arr_close(&j);
	snctl_json_key(&j, "adapters");
	snctl_json_arr_open(&j);
	while ((ad = snd_model_adapter_next(m, ad)) != NULL) {
		snd_st_put_adapter(&j, ad);
	}
	snctl_json_arr_close(&j);
	snctl_json_obj_close(&j);
	rc = snctl_json_end(&j);
	if (rc < 0) {
		snctl_out_truncate(out, start);
	}
	return rc;
}

/* ---- save -------------------------------------------------------------- */

/* dir + "/" + file into buf[PATH_MAX]; -ENAMETOOLONG. */
static int
snd_st_path(const char *dir, const char *file, char buf[PATH_MAX])
{
	int k = snprintf(buf, PATH_MAX, "%s/%s", dir, file);

	return k < 0 || k >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Write all n bytes of p to fd; 0 or -errno. */
static int
snd_st_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Write text to tmp (create, write, fsync, close); 0 or -errno with the
 * failing step in *step. */
static int
snd_st_write_tmp(const char *tmp, const struct snctl_out *text,
		 const char **step)
{
	int fd;
	int rc;

	*step = "create";
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		return -errno;
	}
	*step = "write";
	rc = snd_st_write_all(fd, snctl_out_str(text), text->len);
	if (rc == 0) {
		*step = "sync";
		rc = fsync(fd) < 0 ? -errno : 0;
	}
	if (close(fd) < 0 && rc == 0) {
		*step = "close";
		rc = -errno;
	}
	return rc;
}

/* fsync the directory dir (so the rename is durable); 0 or -errno. */
static int
snd_st_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0) {
		return -errno;
	}
	if (fsync(fd) < 0) {
		rc = -errno;
	}
	close(fd);
	return rc;
}

int
snd_state_save(const struct snd_model *m, const char *dir, char *err,
	       size_t errlen)
{
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	struct snctl_out text;
	const char *step = "create";
	int rc;

	if (m == NULL || dir == NULL || dir[0] == '\0') {
		snd_st_errf(err, errlen, "no state directory");
		return -EINVAL;
	}
	if (snd_st_path(dir, SND_STATE_FILE, path) < 0 ||
	    snd_st_path(dir, SND_STATE_TMP_FILE, tmp) < 0) {
		snd_st_errf(err, errlen, "state directory path is too long");
		return -ENAMETOOLONG;
	}
	snctl_out_init(&text, SND_STATE_MAX_BYTES);
	rc = snd_state_render(m, &text);
	if (rc < 0) {
		snctl_out_fini(&text);
		snd_st_errf(err, errlen, "could not write %s: the "
			    "configuration does not fit in %u bytes", path,
			    SND_STATE_MAX_BYTES);
		return rc;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		snctl_out_fini(&text);
		snd_st_errf(err, errlen, "could not create the state "
			    "directory %s: %s", dir, strerror(-rc));
		return rc;
	}
	rc = snd_st_write_tmp(tmp, &text, &step);
	snctl_out_fini(&text);
	if (rc < 0) {
		snd_st_errf(err, errlen, "could not %s %s: %s", step, tmp,
			    strerror(-rc));
		if (strcmp(step, "create") != 0) {
			unlink(tmp);
		}
		return rc;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		snd_st_errf(err, errlen, "could not rename %s to %s: %s", tmp,
			    path, strerror(-rc));
		unlink(tmp);
		return rc;
	}
	rc = snd_st_sync_dir(dir);
	if (rc < 0) {
		snd_st_errf(err, errlen, "wrote %s but could not sync the "
			    "directory %s: %s", path, dir, strerror(-rc));
		return rc;
	}
	return 0;
}

/* ---- parse: members and values ----------------------------------------- */

/* One member an object may have. */
struct snd_st_mb {
	const char *key;		/* member name */
	bool required;			/* must be present */
	bool seen;			/* found (val is set) */
	struct snctl_jr_span val;	/* its value */
};

/* Where the parser is, for messages. */
struct snd_st_ctx {
	struct snd_model *m;		/* model being filled */
	char where[SND_ST_WHERE_MAX];	/* "switches[1]" */
	char *err;			/* message buffer */
	size_t errlen;			/* its size */
};

/* A member name, printable, for a message. */
static void
snd_st_key_text(struct snctl_jr_span key, char buf[SND_ST_KEY_MAX + 4])
{
	char raw[256];
	size_t i;

	if (snctl_jr_str(key, raw, sizeof(raw)) < 0) {
		snprintf(buf, SND_ST_KEY_MAX + 4, "?");
		return;
	}
	for (i = 0; raw[i] != '\0' && i < SND_ST_KEY_MAX; i++) {
		unsigned char c = (unsigned char)raw[i];

		buf[i] = c < 0x20 || c >= 0x7f || c == '\'' ? '?' : (char)c;
	}
	if (raw[i] != '\0') {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
}

/* Read object obj's members into mb[0..n): unknown, repeated and missing
 * required members are errors.  0 or -EBADMSG. */
static int
snd_st_members(struct snd_st_ctx *c, struct snctl_jr_span obj,
	       struct snd_st_mb *mb, size_t n)
{
	char kt[SND_ST_KEY_MAX + 4];
	struct snctl_jr_span key;
	struct snctl_jr_span val;
	struct snctl_jr_it it;
	size_t i;
	int rc;

	if (snctl_jr_type(obj) != SNCTL_JR_OBJECT) {
		snd_st_errf(c->err, c->errlen, "%s: not a JSON object",
			    c->where);
		return -EBADMSG;
	}
	rc = snctl_jr_begin(obj, &it);
	while ((rc = snctl_jr_next(&it, &key, &val)) == 1) {
		for (i = 0; i < n; i++) {
			if (snctl_jr_str_eq(key, mb[i].key)) {
				break;
			}
		}
		if (i == n) {
			snd_st_key_text(key, kt);
			snd_st_errf(c->err, c->errlen,
				    "%s: unknown member '%s'", c->where, kt);
			return -EBADMSG;
		}
		if (mb[i].seen) {
			snd_st_errf(c->err, c->errlen,
				    "%s: member '%s' appears twice", c->where,
				    mb[i].key);
			return -EBADMSG;
		}
		mb[i].seen = true;
		mb[i].val = val;
	}
	if (rc < 0) {
		snd_st_errf(c->err, c->errlen, "%s: not valid JSON",
			    c->where);
		return -EBADMSG;
	}
	for (i = 0; i < n; i++) {
		if (mb[i].required && !mb[i].seen) {
			snd_st_errf(c->err, c->errlen,
				    "%s: missing member '%s'", c->where,
				    mb[i].key);
			return -EBADMSG;
		}
	}
	return 0;
}

/* The string member mb into buf[cap]: no NUL inside, must fit. */
static int
snd_st_str(struct snd_st_ctx *c, const struct snd_st_mb *mb, char *buf,
	   size_t cap)
{
	int n = snctl_jr_str(mb->val, buf, cap);

	if (n == -EMSGSIZE) {
		snd_st_errf(c->err, c->errlen,
			    "%s: '%s' is too long (at most %zu bytes)",
			    c->where, mb->key, cap - 1);
		return -EBADMSG;
	}
	if (n < 0) {
		snd_st_errf(c->err, c->errlen, "%s: '%s' must be a string",
			    c->where, mb->key);
		return -EBADMSG;
	}
	if (strlen(buf) != (size_t)n) {
		snd_st_errf(c->err, c->errlen,
			    "%s: '%s' contains a NUL character", c->where,
			    mb->key);
		return -EBADMSG;
	}
	return 0;
}

/* The whole-number member mb, min..max. */
static int
snd_st_u64(struct snd_st_ctx *c, const struct snd_st_mb *mb, uint64_t min,
	   uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (snctl_jr_u64(mb->val, &v) < 0 || v < min || v > max) {
		snd_st_errf(c->err, c->errlen,
			    "%s: '%s' must be a whole number from %" PRIu64
			    " to %" PRIu64, c->where, mb->key, min, max);
		return -EBADMSG;
	}
	*out = v;
	return 0;
}

static int
snd_st_bool(struct snd_st_ctx *c, const struct snd_st_mb *mb, bool *out)
{
	if (snctl_jr_bool(mb->val, out) < 0) {
		snd_st_errf(c->err, c->errlen,
			    "%s: '%s' must be true or false", c->where,
			    mb->key);
		return -EBADMSG;
	}
	return 0;
}

/* A model error at c->where: "where 'what': message". */
static int
snd_st_model_err(struct snd_st_ctx *c, const char *what, const char *msg,
		 int rc)
{
	snd_st_errf(c->err, c->errlen, "%s '%s': %s", c->where, what, msg);
	return rc;
}

/* ---- parse: switches --------------------------------------------------- */

enum {
	SW_NAME, SW_ID, SW_TYPE, SW_NOTES, SW_CREATED, SW_IFNAME, SW_UPLINK,
	SW_MGMT, SW_IPS, SW_NETNS, SW_AGING, SW_LIMIT, SW_N
};

static int
snd_st_host_ips(struct snd_st_ctx *c, const struct snd_st_mb *mb,
		struct snd_switch_cfg *cfg)
{
	char s[SND_CIDR_STRLEN];
	struct snctl_jr_span val;
	struct snctl_jr_it it;
	struct snd_st_mb el = { mb->key, false, true, { NULL, 0 } };
	int rc;

	if (snctl_jr_type(mb->val) != SNCTL_JR_ARRAY ||
	    snctl_jr_begin(mb->val, &it) < 0) {
		snd_st_errf(c->err, c->errlen,
			    "%s: '%s' must be an array of strings", c->where,
			    mb->key);
		return -EBADMSG;
	}
	while ((rc = snctl_jr_next(&it, NULL, &val)) == 1) {
		if (cfg->n_host_ips >= SND_HOST_IPS_MAX) {
			snd_st_errf(c->err, c->errlen,
				    "%s: '%s' has more than %u addresses",
				    c->where, mb->key, SND_HOST_IPS_MAX);
			return -EBADMSG;
		}
		el.val = val;
		rc = snd_st_str(c, &el, s, sizeof(s));
		if (rc < 0) {
			return rc;
		}
		if (snd_cidr_parse(s, &cfg->host_ips[cfg->n_host_ips]) < 0) {
			snd_st_errf(c->err, c->errlen,
				    "%s: '%s' holds '%s', not an address "
				    "with prefix length", c->where, mb->key, s);
			return -EBADMSG;
		}
		cfg->n_host_ips++;
	}
	return rc < 0 ? -EBADMSG : 0;
}

/* The string members of a switch. */
static int
snd_st_switch_strings(struct snd_st_ctx *c, struct snd_st_mb *mb,
		      struct snd_switch_cfg *cfg, char *name, char *ifname,
		      enum snd_switch_type *type)
{
	char ts[16];
	int rc;

	rc = snd_st_str(c, &mb[SW_NAME], name, SND_SWITCH_NAME_MAX);
	if (rc == 0) {
		rc = snd_st_str(c, &mb[SW_TYPE], ts, sizeof(ts));
	}
	if (rc == 0 && snd_switch_type_parse(ts, type) < 0) {
		snd_st_errf(c->err, c->errlen,
			    "%s: 'type' must be \"private\", \"internal\" or "
			    "\"external\"", c->where);
		rc = -EBADMSG;
	}
	if (rc == 0 && mb[SW_NOTES].seen) {
		rc = snd_st_str(c, &mb[SW_NOTES], cfg->notes,
				sizeof(cfg->notes));
	}
	if (rc == 0 && mb[SW_IFNAME].seen) {
		rc = snd_st_str(c, &mb[SW_IFNAME], ifname,
				SND_HOST_IFNAME_MAX);
	}
	if (rc == 0 && mb[SW_UPLINK].seen) {
		rc = snd_st_str(c, &mb[SW_UPLINK], cfg->uplink,
				sizeof(cfg->uplink));
	}
	if (rc == 0 && mb[SW_NETNS].seen) {
		rc = snd_st_str(c, &mb[SW_NETNS], cfg->host_netns,
				sizeof(cfg->host_netns));
	}
	return rc;
}

/* The number, boolean and time members of a switch. */
static int
snd_st_switch_values(struct snd_st_ctx *c, struct snd_st_mb *mb,
		     struct snd_switch_cfg *cfg, struct snd_switch_req *rq)
{
	char ts[32];
	uint64_t v;
	int rc = 0;

	if (mb[SW_ID].seen) {
		rc = snd_st_u64(c, &mb[SW_ID], 1, UINT32_MAX - 1, &v);
		rq->id = (uint32_t)v;
	}
	if (rc == 0 && mb[SW_CREATED].seen) {
		rc = snd_st_str(c, &mb[SW_CREATED], ts, sizeof(ts));
		if (rc == 0 && (snd_st_time_parse(ts, &rq->created) < 0 ||
				rq->created <= 0)) {
			snd_st_errf(c->err, c->errlen,
				    "%s: 'created' must be a UTC time such as "
				    "\"2024-05-01T12:00:00Z\"", c->where);
			rc = -EBADMSG;
		}
	}
	if (rc == 0 && mb[SW_MGMT].seen) {
		rc = snd_st_bool(c, &mb[SW_MGMT], &cfg->allow_management_os);
	}
	if (rc == 0 && mb[SW_IPS].seen) {
		rc = snd_st_host_ips(c, &mb[SW_IPS], cfg);
	}
	if (rc == 0 && mb[SW_AGING].seen) {
		rc = snd_st_u64(c, &mb[SW_AGING], 0, UINT32_MAX, &v);
		cfg->mac_aging_s = (uint32_t)v;
	}
	if (rc == 0 && mb[SW_LIMIT].seen) {
		rc = snd_st_u64(c, &mb[SW_LIMIT], 0, UINT32_MAX, &v);
		cfg->mac_limit = (uint32_t)v;
	}
	return rc;
}

static int
snd_st_switch(struct snd_st_ctx *c, struct snctl_jr_span obj)
{
	struct snd_st_mb mb[SW_N] = {
		[SW_NAME] = { "name", true, false, { NULL, 0 } },
		[SW_ID] = { "id", false, false, { NULL, 0 } },
		[SW_TYPE] = { "type", true, false, { NULL, 0 } },
		[SW_NOTES] = { "notes", false, false, { NULL, 0 } },
		[SW_CREATED] = { "created", false, false, { NULL, 0 } },
		[SW_IFNAME] = { "host_ifname", false, false, { NULL, 0 } },
		[SW_UPLINK] = { "uplink", false, false, { NULL, 0 } },
		[SW_MGMT] = { "allow_management_os", false, false,
			      { NULL, 0 } },
		[SW_IPS] = { "host_ips", false, false, { NULL, 0 } },
		[SW_NETNS] = { "host_netns", false, false, { NULL, 0 } },
		[SW_AGING] = { "mac_aging_s", false, false, { NULL, 0 } },
		[SW_LIMIT] = { "mac_limit", false, false, { NULL, 0 } },
	};
	char name[SND_SWITCH_NAME_MAX];
	char ifname[SND_HOST_IFNAME_MAX];
	char msg[320];
	struct snd_switch_cfg cfg;
	struct snd_switch_req rq;
	enum snd_switch_type type = SND_SWITCH_PRIVATE;
	int rc;

	rc = snd_st_members(c, obj, mb, SW_N);
	if (rc < 0) {
		return rc;
	}
	memset(&rq, 0, sizeof(rq));
	snd_switch_cfg_init(&cfg, SND_SWITCH_PRIVATE);
	ifname[0] = '\0';
	rc = snd_st_switch_strings(c, mb, &cfg, name, ifname, &type);
	if (rc == 0) {
		rc = snd_st_switch_values(c, mb, &cfg, &rq);
	}
	if (rc < 0) {
		return rc;
	}
	cfg.type = type;
	rq.name = name;
	rq.cfg = &cfg;
	rq.host_ifname = mb[SW_IFNAME].seen ? ifname : NULL;
	rc = snd_model_switch_create_req(c->m, &rq, NULL, msg, sizeof(msg));
	if (rc < 0) {
		return snd_st_model_err(c, name, msg, rc);
	}
	return 0;
}

/* ---- parse: adapters --------------------------------------------------- */

enum {
	PO_MODE, PO_ACCESS, PO_NATIVE, PO_TRUNK, PO_SPOOF, PO_DHCP, PO_ROUTER,
	PO_MIRROR, PO_BW, PO_STORM, PO_N
};

/* The enumerations and the VLAN list of a policy. */
static int
snd_st_policy_words(struct snd_st_ctx *c, struct snd_st_mb *mb,
		    struct vsw_policy_cfg *p)
{
	char word[16];
	char *list;
	char msg[160];
	int rc = 0;

	if (mb[PO_MODE].seen) {
		rc = snd_st_str(c, &mb[PO_MODE], word, sizeof(word));
		if (rc == 0 && snd_vlan_mode_parse(word, &p->vlan_mode) < 0) {
			snd_st_errf(c->err, c->errlen,
				    "%s: 'vlan_mode' must be \"untagged\", "
				    "\"access\" or \"trunk\"", c->where);
			rc = -EBADMSG;
		}
	}
	if (rc == 0 && mb[PO_MIRROR].seen) {
		rc = snd_st_str(c, &mb[PO_MIRROR], word, sizeof(word));
		if (rc == 0 && snd_mirror_parse(word, &p->mirror) < 0) {
			snd_st_errf(c->err, c->errlen,
				    "%s: 'mirror' must be \"none\", \"source\" "
				    "or \"destination\"", c->where);
			rc = -EBADMSG;
		}
	}
	if (rc < 0 || !mb[PO_TRUNK].seen) {
		return rc;
	}
	list = malloc(SND_VLAN_LIST_STRMAX);
	if (list == NULL) {
		snd_st_errf(c->err, c->errlen, "out of memory");
		return -ENOMEM;
	}
	rc = snd_st_str(c, &mb[PO_TRUNK], list, SND_VLAN_LIST_STRMAX);
	if (rc == 0 && list[0] != '\0' &&
	    snd_vlan_list_parse(list, p->allowed, msg, sizeof(msg)) < 0) {
		snd_st_errf(c->err, c->errlen, "%s: 'trunk_vlans': %s",
			    c->where, msg);
		rc = -EBADMSG;
	}
	free(list);
	return rc;
}

static int
snd_st_policy(struct snd_st_ctx *c, struct snctl_jr_span obj,
	      struct vsw_policy_cfg *p)
{
	struct snd_st_mb mb[PO_N] = {
		[PO_MODE] = { "vlan_mode", false, false, { NULL, 0 } },
		[PO_ACCESS] = { "access_vlan", false, false, { NULL, 0 } },
		[PO_NATIVE] = { "native_vlan", false, false, { NULL, 0 } },
		[PO_TRUNK] = { "trunk_vlans", false, false, { NULL, 0 } },
		[PO_SPOOF] = { "mac_spoofing", false, false, { NULL, 0 } },
		[PO_DHCP] = { "dhcp_guard", false, false, { NULL, 0 } },
		[PO_ROUTER] = { "router_guard", false, false, { NULL, 0 } },
		[PO_MIRROR] = { "mirror", false, false, { NULL, 0 } },
		[PO_BW] = { "max_bandwidth_bps", false, false, { NULL, 0 } },
		[PO_STORM] = { "storm_limit_pps", false, false, { NULL, 0 } },
	};
	size_t len = strlen(c->where);
	uint64_t v;
	int rc;

	snprintf(c->where + len, sizeof(c->where) - len, ".policy");
	rc = snd_st_members(c, obj, mb, PO_N);
	if (rc == 0) {
		rc = snd_st_policy_words(c, mb, p);
	}
	if (rc == 0 && mb[PO_ACCESS].seen) {
		rc = snd_st_u64(c, &mb[PO_ACCESS], 0, 4095, &v);
		p->access_vlan = (uint16_t)v;
	}
	if (rc == 0 && mb[PO_NATIVE].seen) {
		rc = snd_st_u64(c, &mb[PO_NATIVE], 0, 4095, &v);
		p->native_vlan = (uint16_t)v;
	}
	if (rc == 0 && mb[PO_SPOOF].seen) {
		rc = snd_st_bool(c, &mb[PO_SPOOF], &p->mac_spoofing);
	}
	if (rc == 0 && mb[PO_DHCP].seen) {
		rc = snd_st_bool(c, &mb[PO_DHCP], &p->dhcp_guard);
	}
	if (rc == 0 && mb[PO_ROUTER].seen) {
		rc = snd_st_bool(c, &mb[PO_ROUTER], &p->router_guard);
	}
	if (rc == 0 && mb[PO_BW].seen) {
		rc = snd_st_u64(c, &mb[PO_BW], 0, UINT64_MAX,
				&p->max_bandwidth_bps);
	}
	if (rc == 0 && mb[PO_STORM].seen) {
		rc = snd_st_u64(c, &mb[PO_STORM], 0, UINT32_MAX, &v);
		p->storm_limit_pps = (uint32_t)v;
	}
	c->where[len] = '\0';
	return rc;
}

enum {
	AD_VM, AD_NAME, AD_SWITCH, AD_MAC, AD_DYN, AD_GUID, AD_RELID,
	AD_POLICY, AD_N
};

/* An adapter's names, read into the caller's buffers. */
struct snd_st_adnames {
	char vm[SND_VM_NAME_MAX];	/* VM */
	char nic[SND_NIC_NAME_MAX];	/* adapter */
	char sw[SND_SWITCH_NAME_MAX];	/* switch */
	char mac[SND_MAC_STRLEN];	/* MAC text */
	char guid[SND_GUID_STRLEN];	/* instance GUID text */
};

static int
snd_st_adapter_ids(struct snd_st_ctx *c, struct snd_st_mb *mb,
		   struct snd_st_adnames *nm, uint8_t mac[SND_MAC_LEN],
		   uint8_t guid[SND_GUID_LEN], struct snd_adapter_req *rq)
{
	uint64_t v;
	int rc = 0;

	if (mb[AD_MAC].seen) {
		rc = snd_st_str(c, &mb[AD_MAC], nm->mac, sizeof(nm->mac));
		if (rc == 0 && snd_mac_parse(nm->mac, mac) < 0) {
			snd_st_errf(c->err, c->errlen,
				    "%s: 'mac' must be a MAC address such as "
				    "\"00:15:5d:00:10:01\"", c->where);
			rc = -EBADMSG;
		}
		rq->mac = mac;
	}
	if (rc == 0 && mb[AD_DYN].seen) {
		rc = snd_st_bool(c, &mb[AD_DYN], &rq->mac_dynamic);
	}
	if (rc == 0 && mb[AD_GUID].seen) {
		rc = snd_st_str(c, &mb[AD_GUID], nm->guid, sizeof(nm->guid));
		if (rc == 0 && snd_guid_parse(nm->guid, guid) < 0) {
			snd_st_errf(c->err, c->errlen,
				    "%s: 'instance_id' must be a GUID such as "
				    "\"5c3e0e6a-1b2c-4d5e-8f90-0123456789ab\"",
				    c->where);
			rc = -EBADMSG;
		}
		rq->instance = guid;
	}
	if (rc == 0 && mb[AD_RELID].seen) {
		rc = snd_st_u64(c, &mb[AD_RELID], SND_RELID_MIN,
				SND_RELID_MAX, &v);
		rq->relid = (uint32_t)v;
	}
	return rc;
}

static int
snd_st_adapter(struct snd_st_ctx *c, struct snctl_jr_span obj)
{
	struct snd_st_mb mb[AD_N] = {
		[AD_VM] = { "vm", true, false, { NULL, 0 } },
		[AD_NAME] = { "name", false, false, { NULL, 0 } },
		[AD_SWITCH] = { "switch", true, false, { NULL, 0 } },
		[AD_MAC] = { "mac", false, false, { NULL, 0 } },
		[AD_DYN] = { "mac_dynamic", false, false, { NULL, 0 } },
		[AD_GUID] = { "instance_id", false, false, { NULL, 0 } },
		[AD_RELID] = { "relid", false, false, { NULL, 0 } },
		[AD_POLICY] = { "policy", false, false, { NULL, 0 } },
	};
	char what[SND_VM_NAME_MAX + SND_NIC_NAME_MAX];
	struct snd_st_adnames nm;
	uint8_t mac[SND_MAC_LEN];
	uint8_t guid[SND_GUID_LEN];
	struct vsw_policy_cfg policy;
	struct snd_adapter_req rq;
	char msg[320];
	int rc;

	rc = snd_st_members(c, obj, mb, AD_N);
	if (rc < 0) {
		return rc;
	}
	memset(&rq, 0, sizeof(rq));
	memset(&nm, 0, sizeof(nm));
	vsw_policy_cfg_init(&policy);
	snprintf(nm.nic, sizeof(nm.nic), "%s", SND_NIC_DEFAULT);
	rc = snd_st_str(c, &mb[AD_VM], nm.vm, sizeof(nm.vm));
	if (rc == 0 && mb[AD_NAME].seen) {
		rc = snd_st_str(c, &mb[AD_NAME], nm.nic, sizeof(nm.nic));
	}
	if (rc == 0) {
		rc = snd_st_str(c, &mb[AD_SWITCH], nm.sw, sizeof(nm.sw));
	}
	if (rc == 0) {
		rc = snd_st_adapter_ids(c, mb, &nm, mac, guid, &rq);
	}
	if (rc == 0 && mb[AD_POLICY].seen) {
		rc = snd_st_policy(c, mb[AD_POLICY].val, &policy);
	}
	if (rc < 0) {
		return rc;
	}
	rq.vm = nm.vm;
	rq.nic = nm.nic;
	rq.sw = nm.sw;
	rq.policy = &policy;
	rc = snd_model_adapter_add(c->m, &rq, NULL, msg, sizeof(msg));
	if (rc < 0) {
		snprintf(what, sizeof(what), "%s/%s", nm.vm, nm.nic);
		return snd_st_model_err(c, what, msg, rc);
	}
	return 0;
}

/* ---- parse: the document ----------------------------------------------- */

/* Call fn for every element of the array member mb ("switches"). */
static int
snd_st_each(struct snd_st_ctx *c, const struct snd_st_mb *mb,
	    int (*fn)(struct snd_st_ctx *c, struct snctl_jr_span obj))
{
	struct snctl_jr_span val;
	struct snctl_jr_it it;
	unsigned int i = 0;
	int rc;

	if (!mb->seen) {
		return 0;
	}
	if (snctl_jr_type(mb->val) != SNCTL_JR_ARRAY ||
	    snctl_jr_begin(mb->val, &it) < 0) {
		snd_st_errf(c->err, c->errlen, "'%s' must be an array",
			    mb->key);
		return -EBADMSG;
	}
	while ((rc = snctl_jr_next(&it, NULL, &val)) == 1) {
		snprintf(c->where, sizeof(c->where), "%s[%u]", mb->key, i++);
		rc = fn(c, val);
		if (rc < 0) {
			return rc;
		}
	}
	return rc < 0 ? -EBADMSG : 0;
}

enum {
	TOP_VERSION, TOP_MAC_NEXT, TOP_RELID, TOP_SWID, TOP_SWITCHES,
	TOP_ADAPTERS, TOP_N
};

/* The allocators' positions. */
static int
snd_st_seq(struct snd_st_ctx *c, struct snd_st_mb *mb)
{
	struct snd_model_seq seq;
	char mac[SND_MAC_STRLEN];
	uint64_t v;
	int rc = 0;

	snprintf(c->where, sizeof(c->where), "top level");
	snd_model_seq_get(c->m, &seq);
	if (mb[TOP_MAC_NEXT].seen) {
		rc = snd_st_str(c, &mb[TOP_MAC_NEXT], mac, sizeof(mac));
		if (rc == 0 && snd_mac_parse(mac, seq.mac_next) < 0) {
			snd_st_errf(c->err, c->errlen,
				    "'mac_pool_next' must be a MAC address");
			rc = -EBADMSG;
		}
	}
	if (rc == 0 && mb[TOP_RELID].seen) {
		rc = snd_st_u64(c, &mb[TOP_RELID], SND_RELID_MIN,
				SND_RELID_MAX, &v);
		seq.next_relid = (uint32_t)v;
	}
	if (rc == 0 && mb[TOP_SWID].seen) {
		rc = snd_st_u64(c, &mb[TOP_SWID], 1, UINT32_MAX, &v);
		seq.next_switch_id = (uint32_t)v;
	}
	if (rc == 0 && snd_model_seq_set(c->m, &seq) < 0) {
		snd_st_errf(c->err, c->errlen, "bad allocator positions");
		rc = -EBADMSG;
	}
	return rc;
}

/* Apply the document to c->m (which is empty). */
static int
snd_st_apply(struct snd_st_ctx *c, struct snctl_jr_span text)
{
	struct snd_st_mb mb[TOP_N] = {
		[TOP_VERSION] = { "version", true, false, { NULL, 0 } },
		[TOP_MAC_NEXT] = { "mac_pool_next", false, false,
				   { NULL, 0 } },
		[TOP_RELID] = { "next_relid", false, false, { NULL, 0 } },
		[TOP_SWID] = { "next_switch_id", false, false, { NULL, 0 } },
		[TOP_SWITCHES] = { "switches", false, false, { NULL, 0 } },
		[TOP_ADAPTERS] = { "adapters", false, false, { NULL, 0 } },
	};
	struct snctl_jr_span doc;
	uint64_t version;
	int rc;

	if (text.n == 0) {
		snd_st_errf(c->err, c->errlen, "the file is empty");
		return -EBADMSG;
	}
	if (snctl_jr_value(text, &doc) < 0) {
		snd_st_errf(c->err, c->errlen,
			    "not valid JSON (the file is damaged or "
			    "truncated)");
		return -EBADMSG;
	}
	snprintf(c->where, sizeof(c->where), "top level");
	rc = snd_st_members(c, doc, mb, TOP_N);
	if (rc < 0) {
		return rc;
	}
	if (snctl_jr_u64(mb[TOP_VERSION].val, &version) < 0 ||
	    version != SND_STATE_VERSION) {
		char vt[24];

		if (snctl_jr_u64(mb[TOP_VERSION].val, &version) == 0) {
			snprintf(vt, sizeof(vt), "%" PRIu64, version);
		} else {
			snprintf(vt, sizeof(vt), "not a number");
		}
		snd_st_errf(c->err, c->errlen,
			    "unsupported format version (%s): this synthnetd "
			    "reads version %u", vt, SND_STATE_VERSION);
		return -EBADMSG;
	}
	rc = snd_st_each(c, &mb[TOP_SWITCHES], snd_st_switch);
	if (rc == 0) {
		rc = snd_st_each(c, &mb[TOP_ADAPTERS], snd_st_adapter);
	}
	if (rc == 0) {
		rc = snd_st_seq(c, mb);
	}
	return rc;
}

/* Remove everything from m (after a failed load) and restore seq. */
static void
snd_st_clear(struct snd_model *m, const struct snd_model_seq *seq)
{
	struct snd_switch *sw;
	char name[SND_SWITCH_NAME_MAX];

	while ((sw = snd_model_switch_next(m, NULL)) != NULL) {
		snprintf(name, sizeof(name), "%s", sw->name);
		snd_model_switch_delete(m, name, true, NULL, NULL, 0);
	}
	snd_model_seq_set(m, seq);
	snd_model_set_saved(m);
}

int
snd_state_parse(struct snd_model *m, const char *text, size_t len,
		const char *name, char *err, size_t errlen)
{
	uint8_t first[SND_MAC_LEN];
	uint8_t last[SND_MAC_LEN];
	struct snd_model_seq seq;
	struct snd_st_ctx c;
	char msg[512];
	int rc;

	if (m == NULL || (text == NULL && len != 0)) {
		return -EINVAL;
	}
	if (name == NULL) {
		name = "state";
	}
	if (snd_model_switch_count(m) != 0 ||
	    snd_model_adapter_count(m) != 0) {
		snd_st_errf(err, errlen, "%s: the configuration can only be "
			    "loaded at start, into an empty model", name);
		return -EBUSY;
	}
	memset(&c, 0, sizeof(c));
	c.err = msg;
	c.errlen = sizeof(msg);
	msg[0] = '\0';
	/* 1. everything, on a scratch model without hooks */
	c.m = snd_model_create(NULL, NULL);
	if (c.m == NULL) {
		snd_st_errf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	snd_model_get_mac_pool(m, first, last);
	snd_model_set_mac_pool(c.m, first, last);
	rc = snd_st_apply(&c, snctl_jr_mkspan(text, len));
	snd_model_destroy(c.m);
	if (rc < 0) {
		snd_st_errf(err, errlen, "%s: %s", name, msg);
		return rc == -ENOMEM ? rc : -EBADMSG;
	}
	/* 2. the same on the real model: only hooks can fail now */
	snd_model_seq_get(m, &seq);
	c.m = m;
	rc = snd_st_apply(&c, snctl_jr_mkspan(text, len));
	if (rc < 0) {
		snd_st_clear(m, &seq);
		snd_st_errf(err, errlen, "%s: %s", name, msg);
		return rc;
	}
	snd_model_set_saved(m);
	return 0;
}

/* ---- load -------------------------------------------------------------- */

/* Read the regular file fd (at most SND_STATE_MAX_BYTES) into *buf
 * (owned by the caller, NUL-terminated) and *len; 0 or -errno (-EAGAIN:
 * the file grew while it was read). */
static int
snd_st_read(int fd, char **buf, size_t *len)
{
	struct stat st;
	size_t size;
	size_t n = 0;
	char *p;

	if (fstat(fd, &st) < 0) {
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		return -EINVAL;
	}
	if (st.st_size > (off_t)SND_STATE_MAX_BYTES) {
		return -EFBIG;
	}
	size = (size_t)st.st_size;
	/* one byte more than the size: a read that fills it means growth */
	p = malloc(size + 2);
	if (p == NULL) {
		return -ENOMEM;
	}
	for (;;) {
		ssize_t k = read(fd, p + n, size + 1 - n);

		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k < 0) {
			k = -errno;
			free(p);
			return (int)k;
		}
		if (k == 0) {
			break;
		}
		n += (size_t)k;
		if (n > size) {
			free(p);
			return -EAGAIN;
		}
	}
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;
}

int
snd_state_load(struct snd_model *m, const char *dir, char *err,
	       size_t errlen)
{
	char path[PATH_MAX];
	char *text = NULL;
	size_t len = 0;
	int fd;
	int rc;

	if (m == NULL || dir == NULL || dir[0] == '\0') {
		snd_st_errf(err, errlen, "no state directory");
		return -EINVAL;
	}
	if (snd_st_path(dir, SND_STATE_FILE, path) < 0) {
		snd_st_errf(err, errlen, "state directory path is too long");
		return -ENAMETOOLONG;
	}
	/* O_NONBLOCK: a FIFO in its place must not hang the start */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ENOENT) {
			return 0;
		}
		snd_st_errf(err, errlen, "%s: cannot open the configuration: "
			    "%s", path, strerror(-rc));
		return rc;
	}
	rc = snd_st_read(fd, &text, &len);
	close(fd);
	if (rc == -EINVAL) {
		snd_st_errf(err, errlen, "%s: not a regular file", path);
		return rc;
	}
	if (rc == -EFBIG) {
		snd_st_errf(err, errlen, "%s: larger than %u bytes, not a "
			    "configuration", path, SND_STATE_MAX_BYTES);
		return rc;
	}
	if (rc < 0) {
		snd_st_errf(err, errlen, "%s: cannot read the configuration: "
			    "%s", path, strerror(-rc));
		return rc;
	}
	rc = snd_state_parse(m, text, len, path, err, errlen);
	free(text);
	return rc;
}
