/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_ctl_capture.c - the capture commands of the control table
 * (capture start/list/show/stop); see snd_ctl.c and snd_ctl_priv.h.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "snd_ctl_priv.h"

/* ---- capture commands ---------------------------------------------------- */

/* A capture id positional.  0 or the status. */
static int
snd_ctl_capture_id(struct snd_ctl_call *c, uint32_t *id)
{
	char q[SND_CTL_QUOTE_MAX + 4];
	uint64_t v;

	if (snd_ctl_num(c->pos[0], false, UINT32_MAX, &v) < 0 || v == 0) {
		return (int)snd_ctl_fail(c, "bad capture id '%s': give the "
					 "number synthctl capture list shows",
					 snd_ctl_quote(c->pos[0], q));
	}
	*id = (uint32_t)v;
	return 0;
}

/* The adapter of --adapter VM[:NIC].  NULL after writing the error. */
static struct snd_adapter *
snd_ctl_capture_adapter(struct snd_ctl_call *c, const char *spec,
			unsigned int *st)
{
	struct snd_adapter *ads[SND_VM_ADAPTERS_MAX];
	const char *colon = strchr(spec, ':');
	char vm[SND_VM_NAME_MAX];
	char q[SND_CTL_QUOTE_MAX + 4];
	char q2[SND_CTL_QUOTE_MAX + 4];
	char nics[256];
	size_t vlen = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	struct snd_adapter *ad;
	size_t n;

	if (vlen == 0 || vlen >= sizeof(vm) ||
	    (colon != NULL && colon[1] == '\0')) {
		*st = snd_ctl_fail(c, "bad value '%s' for --adapter: write VM "
				   "or VM:NIC", snd_ctl_quote(spec, q));
		return NULL;
	}
	memcpy(vm, spec, vlen);
	vm[vlen] = '\0';
	n = snd_model_adapters_for_vm(c->m, vm, ads, SND_VM_ADAPTERS_MAX);
	if (n == 0) {
		*st = snd_ctl_fail(c, "VM '%s' has no network adapters "
				   "(synthctl adapter list shows them)",
				   snd_ctl_quote(vm, q));
		return NULL;
	}
	if (colon != NULL) {
		ad = snd_model_adapter_find(c->m, vm, colon + 1);
		if (ad == NULL) {
			snd_ctl_vm_nics(c->m, vm, nics, sizeof(nics));
			*st = snd_ctl_fail(c, "VM '%s' has no network adapter "
					   "named '%s' (it has: %s)",
					   ads[0]->vm,
					   snd_ctl_quote(colon + 1, q2), nics);
		}
		return ad;
	}
	if (n > 1) {
		snd_ctl_vm_nics(c->m, vm, nics, sizeof(nics));
		*st = snd_ctl_fail(c, "VM '%s' has %zu network adapters (%s): "
				   "choose one with --adapter %s:NIC",
				   ads[0]->vm, n, nics, ads[0]->vm);
		return NULL;
	}
	return ads[0];
}

/* A number option of capture start in 1..max.  0 or the status. */
static int
snd_ctl_capture_num(struct snd_ctl_call *c, const char *opt, uint64_t max,
		    const char *what, uint64_t *out)
{
	const char *v = snd_ctl_opt(c, opt);
	char q[SND_CTL_QUOTE_MAX + 4];
	uint64_t n;

	if (v == NULL) {
		return 0;
	}
	if (snd_ctl_num(v, false, max, &n) < 0 || n == 0) {
		return (int)snd_ctl_fail(c, "bad value '%s' for %s: give %s",
					 snd_ctl_quote(v, q), opt, what);
	}
	*out = n;
	return 0;
}

/* Usage errors of capture start: the target, -w, --ring/--size. */
static unsigned int
snd_ctl_capture_usage(struct snd_ctl_call *c)
{
	unsigned int targets = (snd_ctl_opt(c, "--switch") != NULL) +
			       (snd_ctl_opt(c, "--adapter") != NULL) +
			       (snd_ctl_opt(c, "--uplink") != NULL);
	const char *w = snd_ctl_opt(c, "-w");

	if (targets == 0) {
		return snd_ctl_usage(c, "missing what to capture: --switch "
				     "NAME, --adapter VM[:NIC] or --uplink "
				     "SWITCH");
	}
	if (targets > 1) {
		return snd_ctl_usage(c, "--switch, --adapter and --uplink "
				     "exclude each other");
	}
	if (w == NULL || w[0] == '\0') {
		return snd_ctl_usage(c, "missing -w FILE.pcapng (or -w - for "
				     "standard output)");
	}
	if ((snd_ctl_opt(c, "--ring") != NULL) !=
	    (snd_ctl_opt(c, "--size") != NULL)) {
		return snd_ctl_usage(c, "--ring FILES and --size MB go "
				     "together");
	}
	if (snd_ctl_opt(c, "--ring") != NULL && strcmp(w, "-") == 0) {
		return snd_ctl_usage(c, "--ring needs -w FILE (ring files "
				     "cannot go to standard output)");
	}
	return SNCTL_STATUS_OK;
}

/* The target of capture start into rq.  0 or the status. */
static int
snd_ctl_capture_target(struct snd_ctl_call *c, struct snd_capture_req *rq)
{
	const char *sw = snd_ctl_opt(c, "--switch");
	const char *ad = snd_ctl_opt(c, "--adapter");
	const char *up = snd_ctl_opt(c, "--uplink");
	unsigned int st = SNCTL_STATUS_ERROR;

	if (ad != NULL) {
		rq->kind = SND_CAPTURE_ADAPTER;
		rq->ad = snd_ctl_capture_adapter(c, ad, &st);
		return rq->ad != NULL ? 0 : (int)st;
	}
	rq->kind = sw != NULL ? SND_CAPTURE_SWITCH : SND_CAPTURE_UPLINK;
	rq->sw = snd_ctl_switch(c, sw != NULL ? sw : up, &st);
	if (rq->sw == NULL) {
		return (int)st;
	}
	if (up != NULL && rq->sw->cfg.type != SND_SWITCH_EXTERNAL) {
		return (int)snd_ctl_fail(c, "switch '%s' has no uplink (it is "
					 "%s): --uplink needs an external "
					 "switch", rq->sw->name,
					 snd_switch_type_name(
						 rq->sw->cfg.type));
	}
	return 0;
}

/* The options of capture start other than the target.  0 or status. */
static int
snd_ctl_capture_opts(struct snd_ctl_call *c, struct snd_capture_req *rq)
{
	const char *dir = snd_ctl_opt(c, "--direction");
	char q[SND_CTL_QUOTE_MAX + 4];
	uint64_t v = 0;
	int rc;

	rq->dir = SND_CAPTURE_BOTH;
	if (dir != NULL) {
		if (strcasecmp(dir, "in") == 0) {
			rq->dir = SND_CAPTURE_IN;
		} else if (strcasecmp(dir, "out") == 0) {
			rq->dir = SND_CAPTURE_OUT;
		} else if (strcasecmp(dir, "both") != 0) {
			return (int)snd_ctl_fail(c, "bad value '%s' for "
						 "--direction: use in, out or "
						 "both", snd_ctl_quote(dir, q));
		}
	}
	rq->drops = snd_ctl_opt(c, "--drops") != NULL;
	rq->filter = snd_ctl_opt(c, "--filter");
	if (rq->filter == NULL) {
		rq->filter = "";
	}
	v = SND_CAPTURE_SNAPLEN_MAX;
	rc = snd_ctl_capture_num(c, "--snaplen", SND_CAPTURE_SNAPLEN_MAX,
				 "bytes, 1 to 262144", &v);
	rq->snaplen = (uint32_t)v;
	if (rc == 0) {
		rc = snd_ctl_capture_num(c, "--count", UINT64_MAX,
					 "a number of packets, 1 or more",
					 &rq->count);
	}
	if (rc == 0) {
		v = 0;
		rc = snd_ctl_capture_num(c, "--duration",
					 SND_CAPTURE_DURATION_MAX,
					 "seconds, 1 to 31536000", &v);
		rq->duration_ms = v * 1000u;
	}
	if (rc == 0) {
		v = 0;
		rc = snd_ctl_capture_num(c, "--ring",
					 SND_CAPTURE_RING_FILES_MAX,
					 "a number of files, 1 to 10000", &v);
		rq->ring_files = (uint32_t)v;
	}
	if (rc == 0) {
		v = 0;
		rc = snd_ctl_capture_num(c, "--size", SND_CAPTURE_RING_MB_MAX,
					 "megabytes (10^6 bytes), 1 to "
					 "1048576", &v);
		rq->ring_file_bytes = v * 1000000u;
	}
	return rc;
}

/* The output of capture start (-w, the descriptor).  0 or status. */
static int
snd_ctl_capture_output(struct snd_ctl_call *c, struct snd_capture_req *rq)
{
	const char *w = snd_ctl_opt(c, "-w");

	rq->path = w;
	rq->stream = strcmp(w, "-") == 0;
	if (rq->ring_files != 0) {
		if (c->fd >= 0) {
			return (int)snd_ctl_fail(c, "ring files are created by "
						 "synthnetd: send no "
						 "descriptor with --ring");
		}
		if (w[0] != '/') {
			return (int)snd_ctl_fail(c, "-w FILE must be an "
						 "absolute path with --ring "
						 "(synthnetd creates the "
						 "files)");
		}
		rq->fd = -1;
		return 0;
	}
	if (c->fd < 0) {
		return (int)snd_ctl_fail(c, "capture start -w %s needs the "
					 "output's descriptor with the "
					 "request (synthctl opens the file "
					 "and sends it); this client sent "
					 "none", rq->stream ? "-" : "FILE");
	}
	rq->fd = c->fd;
	return 0;
}

unsigned int
snd_ctl_capture_start(struct snd_ctl_call *c)
{
	struct snd_capture_req rq;
	unsigned int st;
	uint32_t id = 0;
	int rc;

	st = snd_ctl_capture_usage(c);
	if (st != SNCTL_STATUS_OK) {
		return st;
	}
	memset(&rq, 0, sizeof(rq));
	rc = snd_ctl_capture_target(c, &rq);
	if (rc == 0) {
		rc = snd_ctl_capture_opts(c, &rq);
	}
	if (rc == 0) {
		rc = snd_ctl_capture_output(c, &rq);
	}
	if (rc != 0) {
		return (unsigned int)rc;
	}
	rq.uid = c->peer != NULL ? (int)c->peer->uid : -1;
	rq.gid = c->peer != NULL ? (int)c->peer->gid : -1;
	rq.pid = c->peer != NULL ? (int)c->peer->pid : -1;
	rc = snd_model_capture_start(c->m, &rq, &id, c->err,
				     sizeof(c->err));
	if (rc < 0) {
		return snd_ctl_fail(c, "%s", c->err);
	}
	if (!c->json) {
		snctl_out_printf(c->out, "%" PRIu32 "\n", id);
		return SNCTL_STATUS_OK;
	}
	return snd_ctl_rendered(c, snd_render_capture(c->m, id, true, c->out,
						      c->err,
						      sizeof(c->err)));
}

unsigned int
snd_ctl_capture_list(struct snd_ctl_call *c)
{
	return snd_ctl_rendered(c, snd_render_captures(c->m, c->json, c->out,
						       c->err,
						       sizeof(c->err)));
}

unsigned int
snd_ctl_capture_show(struct snd_ctl_call *c)
{
	uint32_t id = 0;
	int rc = snd_ctl_capture_id(c, &id);

	if (rc != 0) {
		return (unsigned int)rc;
	}
	return snd_ctl_rendered(c, snd_render_capture(c->m, id, c->json,
						      c->out, c->err,
						      sizeof(c->err)));
}

unsigned int
snd_ctl_capture_stop(struct snd_ctl_call *c)
{
	uint32_t id = 0;
	int rc = snd_ctl_capture_id(c, &id);

	if (rc != 0) {
		return (unsigned int)rc;
	}
	rc = snd_model_capture_stop(c->m, id, c->err, sizeof(c->err));
	if (rc < 0) {
		return snd_ctl_fail(c, "%s", c->err);
	}
	return snd_ctl_rendered(c, snd_render_capture(c->m, id, c->json,
						      c->out, c->err,
						      sizeof(c->err)));
}
