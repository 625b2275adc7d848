/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synthbench_out.c - synthbench's output: per-result lines, the text
 * table with its summary, and the JSON document (synthbench.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snctl_json.h"
#include "snctl_out.h"
#include "synthbench.h"

static uint64_t
sb_drop_total(const struct sb_adstats *st)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < st->ndrops; i++) {
		n += st->drops[i].count;
	}
	return n;
}

/* "sink no-rxbuf 123, gen ring-full 4" or "none". */
static void
sb_drop_text(const struct sb_result *r, char *buf, size_t cap)
{
	const struct sb_adstats *ad[2] = { &r->gen_ad, &r->sink_ad };
	const char *who[2] = { "gen adapter", "sink adapter" };
	size_t len = 0;
	unsigned int a, i;

	buf[0] = '\0';
	for (a = 0; a < 2; a++) {
		for (i = 0; i < ad[a]->ndrops && len < cap; i++) {
			int n = snprintf(buf + len, cap - len,
					 "%s%s %s %" PRIu64, len ? ", " : "",
					 who[a], ad[a]->drops[i].name,
					 ad[a]->drops[i].count);

			if (n < 0) {
				break;
			}
			len += (size_t)n;
		}
	}
	if (len == 0) {
		snprintf(buf, cap, "none");
	}
}

void
sb_print_result(const struct sb_result *r)
{
	char drops[512];
	uint64_t lost = r->gen.tx_pkts > r->sink.rx_pkts ?
			r->gen.tx_pkts - r->sink.rx_pkts : 0;

	sb_drop_text(r, drops, sizeof(drops));
	printf("%u-byte frames (%u B to synthguest, FCS excluded), "
	       "%.2f s, capture %s, run %u:\n", r->size, r->size - SB_FCS,
	       r->gen.seconds, sb_cap_names[r->mode], r->run);
	printf("  sent      %" PRIu64 " frames (%.3f Mpps offered)\n",
	       r->gen.tx_pkts, r->tx_mpps);
	printf("  received  %" PRIu64 " frames (%.1f%%), lost %" PRIu64
	       "\n", r->sink.rx_pkts, r->gen.tx_pkts ?
	       100.0 * (double)r->sink.rx_pkts / (double)r->gen.tx_pkts : 0,
	       lost);
	printf("  rate      %.3f Mpps, %.3f Gb/s L2, %.3f Gb/s wire\n",
	       r->mpps, r->l2_gbps, r->wire_gbps);
	printf("  drops     %s\n", drops);
	printf("  guests    gen busy retries %" PRIu64 ", gen dropped %"
	       PRIu64 ", sink dropped %" PRIu64 ", sequence gaps %" PRIu64
	       "\n", r->gen.tx_busy, r->gen.tx_dropped, r->sink.rx_dropped,
	       r->sink.seq_gaps);
	if (r->mode != SB_CAP_NONE) {
		printf("  capture   seen %" PRIu64 ", filtered out %" PRIu64
		       ", written %" PRIu64 ", lost %" PRIu64 " (%s)\n",
		       r->cap.seen, r->cap.filtered_out, r->cap.packets,
		       r->cap.lost, r->cap.status);
	}
}

/* Median of n values (sorted in place). */
static double
sb_median(double *v, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	}
	if (n == 0) {
		return 0;
	}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Rates of (size, mode) over the runs: median, min, max; count. */
static unsigned int
sb_mode_rates(const struct sb_ctx *x, uint32_t size, unsigned int mode,
	      double *med, double *lo, double *hi)
{
	double v[SB_MAX_RUNS];
	unsigned int i, n = 0;

	for (i = 0; i < x->nres && n < SB_MAX_RUNS; i++) {
		if (x->res[i].size == size && x->res[i].mode == mode) {
			v[n++] = x->res[i].mpps;
		}
	}
	*med = sb_median(v, n);
	*lo = n ? v[0] : 0;
	*hi = n ? v[n - 1] : 0;
	return n;
}

/* Summary per (size, mode): median rate over the runs and the ratio to
 * the median without capture. */
static void
sb_print_summary(const struct sb_ctx *x)
{
	static const char *const head[] = { "Size", "Capture", "Runs",
					    "MedianMpps", "MinMpps",
					    "MaxMpps", "VsNone" };
	struct snctl_table t;
	struct snctl_out out;
	char c[7][32];
	const char *row[7];
	unsigned int s, m, k, n;
	double med, lo, hi, base, blo, bhi;

	snctl_out_init(&out, 0);
	snctl_table_init(&t, 7, head, 0x7du);
	for (s = 0; s < x->o.nsizes; s++) {
		uint32_t size = x->o.sizes[s];
		bool have_base = sb_mode_rates(x, size, SB_CAP_NONE, &base,
					       &blo, &bhi) != 0;

		for (m = 0; m < x->o.nmodes; m++) {
			n = sb_mode_rates(x, size, x->o.modes[m], &med, &lo,
					  &hi);
			if (n == 0) {
				continue;
			}
			snprintf(c[0], sizeof(c[0]), "%u", size);
			snprintf(c[1], sizeof(c[1]), "%s",
				 sb_cap_names[x->o.modes[m]]);
			snprintf(c[2], sizeof(c[2]), "%u", n);
			snprintf(c[3], sizeof(c[3]), "%.3f", med);
			snprintf(c[4], sizeof(c[4]), "%.3f", lo);
			snprintf(c[5], sizeof(c[5]), "%.3f", hi);
			if (have_base && base > 0 &&
			    x->o.modes[m] != SB_CAP_NONE) {
				snprintf(c[6], sizeof(c[6]), "%.3f (%+.1f%%)",
					 med / base,
					 (med / base - 1) * 100);
			} else {
				snprintf(c[6], sizeof(c[6]), "-");
			}
			for (k = 0; k < 7; k++) {
				row[k] = c[k];
			}
			snctl_table_add(&t, row);
		}
	}
	snctl_table_render(&t, &out);
	snctl_table_fini(&t);
	printf("\nMedian rate per capture mode (VsNone: median / median "
	       "without capture):\n%s", snctl_out_str(&out));
	snctl_out_fini(&out);
}

void
sb_print_table(const struct sb_ctx *x)
{
	static const char *const head[] = { "Size", "Capture", "Run",
					    "Sent", "Received", "Lost", "Mpps",
					    "L2Gbps", "WireGbps", "Drops" };
	struct snctl_table t;
	struct snctl_out out;
	char c[10][32];
	const char *row[10];
	unsigned int i, k;

	snctl_out_init(&out, 0);
	snctl_table_init(&t, 10, head, 0x3fdu);
	for (i = 0; i < x->nres; i++) {
		const struct sb_result *r = &x->res[i];

		snprintf(c[0], sizeof(c[0]), "%u", r->size);
		snprintf(c[1], sizeof(c[1]), "%s", sb_cap_names[r->mode]);
		snprintf(c[2], sizeof(c[2]), "%u", r->run);
		snprintf(c[3], sizeof(c[3]), "%" PRIu64, r->gen.tx_pkts);
		snprintf(c[4], sizeof(c[4]), "%" PRIu64, r->sink.rx_pkts);
		snprintf(c[5], sizeof(c[5]), "%" PRIu64,
			 r->gen.tx_pkts > r->sink.rx_pkts ?
			 r->gen.tx_pkts - r->sink.rx_pkts : 0);
		snprintf(c[6], sizeof(c[6]), "%.3f", r->mpps);
		snprintf(c[7], sizeof(c[7]), "%.3f", r->l2_gbps);
		snprintf(c[8], sizeof(c[8]), "%.3f", r->wire_gbps);
		snprintf(c[9], sizeof(c[9]), "%" PRIu64,
			 sb_drop_total(&r->gen_ad) +
			 sb_drop_total(&r->sink_ad));
		for (k = 0; k < 10; k++) {
			row[k] = c[k];
		}
		snctl_table_add(&t, row);
	}
	snctl_table_render(&t, &out);
	snctl_table_fini(&t);
	printf("\n%s", snctl_out_str(&out));
	printf("Size includes the 4-byte FCS. Mpps and Gb/s: frames the "
	       "sink received / generator time.\nL2 counts frame bytes "
	       "with FCS; wire adds 20 B preamble + inter-frame gap per "
	       "frame.\n");
	snctl_out_fini(&out);
	if (x->o.nmodes > 1 || x->o.runs > 1) {
		sb_print_summary(x);
	}
}

static void
sb_json_drops(struct snctl_json *j, const char *key,
	      const struct sb_adstats *st)
{
	unsigned int i;

	snctl_json_key(j, key);
	snctl_json_obj_open(j);
	for (i = 0; i < st->ndrops; i++) {
		snctl_json_kv_u64(j, st->drops[i].name, st->drops[i].count);
	}
	snctl_json_obj_close(j);
}

static void
sb_json_result(struct snctl_json *j, const struct sb_result *r)
{
	snctl_json_obj_open(j);
	snctl_json_kv_u64(j, "size", r->size);
	snctl_json_kv_u64(j, "guest_size", r->size - SB_FCS);
	snctl_json_kv_str(j, "capture", sb_cap_names[r->mode]);
	snctl_json_kv_u64(j, "run", r->run);
	snctl_json_kv_double(j, "seconds", r->gen.seconds, 3);
	snctl_json_kv_u64(j, "sent", r->gen.tx_pkts);
	snctl_json_kv_u64(j, "received", r->sink.rx_pkts);
	snctl_json_kv_u64(j, "lost", r->gen.tx_pkts > r->sink.rx_pkts ?
			  r->gen.tx_pkts - r->sink.rx_pkts : 0);
	snctl_json_kv_u64(j, "delivered_to_sink", r->sink_ad.to_vm_pkts);
	snctl_json_kv_double(j, "mpps", r->mpps, 6);
	snctl_json_kv_double(j, "offered_mpps", r->tx_mpps, 6);
	snctl_json_kv_double(j, "l2_gbps", r->l2_gbps, 6);
	snctl_json_kv_double(j, "wire_gbps", r->wire_gbps, 6);
	snctl_json_key(j, "drops");
	snctl_json_obj_open(j);
	sb_json_drops(j, "gen_adapter", &r->gen_ad);
	sb_json_drops(j, "sink_adapter", &r->sink_ad);
	snctl_json_obj_close(j);
	snctl_json_key(j, "guests");
	snctl_json_obj_open(j);
	snctl_json_kv_u64(j, "gen_tx_busy", r->gen.tx_busy);
	snctl_json_kv_u64(j, "gen_tx_dropped", r->gen.tx_dropped);
	snctl_json_kv_u64(j, "sink_rx_dropped", r->sink.rx_dropped);
	snctl_json_kv_u64(j, "sink_seq_gaps", r->sink.seq_gaps);
	snctl_json_kv_u64(j, "sink_seq_reordered", r->sink.seq_reordered);
	snctl_json_obj_close(j);
	if (r->mode != SB_CAP_NONE) {
		snctl_json_key(j, "capture_counters");
		snctl_json_obj_open(j);
		snctl_json_kv_u64(j, "seen", r->cap.seen);
		snctl_json_kv_u64(j, "filtered_out", r->cap.filtered_out);
		snctl_json_kv_u64(j, "written", r->cap.packets);
		snctl_json_kv_u64(j, "lost", r->cap.lost);
		snctl_json_kv_str(j, "status", r->cap.status);
		snctl_json_obj_close(j);
	}
	snctl_json_obj_close(j);
}

void
sb_print_json(const struct sb_ctx *x)
{
	struct snctl_out out;
	struct snctl_json j;
	unsigned int i;
	int rc;

	snctl_out_init(&out, 0);
	snctl_json_init(&j, &out, true);
	snctl_json_obj_open(&j);
	snctl_json_kv_str(&j, "tool", "synthbench");
	snctl_json_kv_str(&j, "daemon",
			  x->o.ctl_sock != NULL ? "given" : "own");
	snctl_json_kv_i64(&j, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
	snctl_json_kv_double(&j, "duration_s", x->o.duration, 3);
	snctl_json_key(&j, "units");
	snctl_json_obj_open(&j);
	snctl_json_kv_str(&j, "size", "Ethernet frame bytes incl. 4 B FCS");
	snctl_json_kv_str(&j, "mpps", "frames received by the sink / "
			  "generator seconds");
	snctl_json_kv_str(&j, "l2_gbps", "frame bytes incl. FCS");
	snctl_json_kv_str(&j, "wire_gbps", "frame + 20 B preamble and "
			  "inter-frame gap");
	snctl_json_obj_close(&j);
	snctl_json_key(&j, "results");
	snctl_json_arr_open(&j);
	for (i = 0; i < x->nres; i++) {
		sb_json_result(&j, &x->res[i]);
	}
	snctl_json_arr_close(&j);
	snctl_json_key(&j, "summary");
	snctl_json_arr_open(&j);
	for (i = 0; i < x->o.nsizes; i++) {
		double med, lo, hi, base, blo, bhi;
		bool have_base = sb_mode_rates(x, x->o.sizes[i], SB_CAP_NONE,
					       &base, &blo, &bhi) != 0;
		unsigned int m, n;

		for (m = 0; m < x->o.nmodes; m++) {
			n = sb_mode_rates(x, x->o.sizes[i], x->o.modes[m],
					  &med, &lo, &hi);
			if (n == 0) {
				continue;
			}
			snctl_json_obj_open(&j);
			snctl_json_kv_u64(&j, "size", x->o.sizes[i]);
			snctl_json_kv_str(&j, "capture",
					  sb_cap_names[x->o.modes[m]]);
			snctl_json_kv_u64(&j, "runs", n);
			snctl_json_kv_double(&j, "median_mpps", med, 6);
			snctl_json_kv_double(&j, "min_mpps", lo, 6);
			snctl_json_kv_double(&j, "max_mpps", hi, 6);
			if (have_base && base > 0) {
				snctl_json_kv_double(&j, "vs_none",
						     med / base, 4);
			}
			snctl_json_obj_close(&j);
		}
	}
	snctl_json_arr_close(&j);
	snctl_json_kv_bool(&j, "ok", x->err[0] == '\0');
	if (x->err[0] != '\0') {
		snctl_json_kv_str(&j, "error", x->err);
	}
	snctl_json_obj_close(&j);
	rc = snctl_json_end(&j);
	if (rc == 0) {
		fputs(snctl_out_str(&out), stdout);
	} else {
		fprintf(stderr, "synthbench: cannot write the JSON document: "
			"%s\n", strerror(-rc));
	}
	snctl_out_fini(&out);
}
