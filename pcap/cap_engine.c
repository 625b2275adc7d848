/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_engine.c - capture engine: control-thread API (engine, captures,
 * info) and the writer thread.  The lcore side is in cap_lcore.c; the
 * design is described in cap_engine.h.
 *
 * Writer loop: take a snapshot of the captures that are not STOPPED
 * (under the lock), then, without the lock, for each: check stop request,
 * duration and ports, dequeue and encode up to CAP_WRITER_BUDGET frames,
 * flush when the buffer holds CAP_FLUSH_BYTES or flush_ns has passed, and
 * finish a STOPPING capture (statistics blocks, last flush, close).  Sleep
 * 1 ms on the condition variable when a pass found nothing to do; with no
 * capture alive, sleep until a capture is created.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "cap_engine.h"
#include "cap_pcapng.h"
#include "cap_priv.h"
#include "sn_wire.h"
#include "vsw_drop.h"
#include "vsw_stat.h"

#define CAP_DEFAULT_POOL 8191u
#define CAP_DEFAULT_RING 4096u
#define CAP_DEFAULT_MAX 16u
#define CAP_DEFAULT_FLUSH_MS 100u
#define CAP_POOL_CACHE 256u
/* Frames a capture may write per writer pass (fairness). */
#define CAP_WRITER_BUDGET 1024u
/* Dequeue burst. */
#define CAP_WRITER_BURST 64u
/* Flush a buffer holding this much at once. */
#define CAP_FLUSH_BYTES (256u * 1024u)
/* Idle writer sleep; shorter right after traffic (a ring of 4096 fills
 * in 1 ms at 4 Mpps), for CAP_BUSY_PASSES empty passes. */
#define CAP_IDLE_NS 1000000ull
#define CAP_BUSY_IDLE_NS 100000ull
#define CAP_BUSY_PASSES 20u
/* How long an ending capture may wait for a slow stream reader. */
#define CAP_STOP_GRACE_NS 2000000000ull
/* Most segments of a captured copy (see cap_frame.c). */
#define CAP_SEGS_MAX 128u
/* Size of one ISB with all seven options. */
#define CAP_ISB_SIZE (CAP_PCAPNG_ISB_FIXED + 7u * 12u + 4u)

static unsigned int cap_engine_serial;

static void
cap_msg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
cap_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t
cap_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Realtime ns of a TSC value, from the capture's anchor: one 128-bit
 * multiply by tsc_mult = 2^CAP_TSC_SHIFT * 10^9 / tsc_hz (no division per
 * frame); the rounding of tsc_mult errs by less than 1 ns per 10 min.
 */
static uint64_t
cap_tsc_ns(const struct cap_capture *c, uint64_t tsc)
{
	uint64_t mult = c->eng->tsc_mult;
	unsigned __int128 d;

	if (tsc >= c->anchor_tsc) {
		d = (unsigned __int128)(tsc - c->anchor_tsc) * mult;
		return c->anchor_ns + (uint64_t)(d >> CAP_TSC_SHIFT);
	}
	d = (unsigned __int128)(c->anchor_tsc - tsc) * mult;
	return c->anchor_ns - (uint64_t)(d >> CAP_TSC_SHIFT);
}

const char *
cap_state_name(enum cap_state s)
{
	switch (s) {
	case CAP_RUNNING:
		return "running";
	case CAP_STOPPING:
		return "stopping";
	case CAP_STOPPED:
		return "stopped";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* Writer thread                                                      */
/* ------------------------------------------------------------------ */

/* How an output errno ends a capture. */
static enum cap_end
cap_end_of_errno(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return CAP_END_DISK_FULL;
	case EPIPE:
	case ECONNRESET:
		return CAP_END_READER_GONE;
	default:
		return CAP_END_WRITE_ERROR;
	}
}

/* Start ending (writer thread): lcores stop, state STOPPING. */
static void
cap_begin_end(struct cap_capture *c, enum cap_end why, int e, uint64_t now)
{
	struct cap_engine *eng = c->eng;

	/* Pairs with the relaxed load in cap_port_fn(): lcores stop
	 * copying within a burst or two. */
	__atomic_store_n(&c->active, false, __ATOMIC_RELAXED);
	pthread_mutex_lock(&eng->lock);
	if (c->state == CAP_RUNNING) {
		c->state = CAP_STOPPING;
		c->end = why;
		c->end_errno = e;
	}
	pthread_mutex_unlock(&eng->lock);
	c->deadline = now + CAP_STOP_GRACE_NS;
}

/* The output failed with errno e: end (or record why) and write no more. */
static void
cap_out_failed(struct cap_capture *c, int e, uint64_t now)
{
	struct cap_engine *eng = c->eng;

	c->out_failed = true;
	if (c->state == CAP_RUNNING) {
		cap_begin_end(c, cap_end_of_errno(e), e, now);
		return;
	}
	/* Already ending (stop, count ...): the error is the news. */
	pthread_mutex_lock(&eng->lock);
	c->end = cap_end_of_errno(e);
	c->end_errno = e;
	pthread_mutex_unlock(&eng->lock);
}

static void
cap_publish_out(struct cap_capture *c)
{
	vsw_stat_set(&c->file_bytes, c->out.total);
	vsw_stat_set(&c->files, c->out.files);
}

/*
 * A file write failed and the blocks that did not reach the file were cut:
 * take their packets back out of "written", so the counters say what the
 * file holds.
 */
static void
cap_uncount_cut(struct cap_capture *c)
{
	const uint8_t *b = c->out.buf + c->out.cut_off;
	size_t off = 0, len = c->out.cut_len;

	while (off < len) {
		int blen = cap_pcapng_block_len(b + off, len - off);
		uint32_t if_id;

		if (blen <= 0) {
			break;
		}
		if (sn_get_le32(b + off) == CAP_PCAPNG_BT_EPB) {
			if_id = sn_get_le32(b + off + 8);
			if (if_id < c->n_ifaces) {
				struct cap_tap *t = &c->taps[if_id];

				/* Single writer: adding 2^64 - x subtracts. */
				vsw_stat_add(&t->written, UINT64_MAX);
				vsw_stat_add(&t->bytes,
					     0 - (uint64_t)sn_get_le32(b + off +
								       24));
			}
			c->written--;
		}
		off += (size_t)blen;
	}
	c->out.cut_len = 0;
}

/* Flush; returns false if the output failed (capture ending). */
static bool
cap_flush(struct cap_capture *c, uint64_t now)
{
	int rc = cap_out_flush(&c->out);

	c->last_flush = now;
	cap_publish_out(c);
	if (rc == 0 || rc == -EAGAIN) {
		return true;
	}
	cap_uncount_cut(c);
	cap_out_failed(c, -rc, now);
	return false;
}

/* Append one ISB per interface with the counters so far. */
static bool
cap_put_isb(struct cap_capture *c, unsigned int i, uint64_t now_ns)
{
	struct cap_tap *t = &c->taps[i];
	struct cap_pcapng_isb isb;
	uint8_t *p = cap_out_reserve(&c->out, CAP_ISB_SIZE);
	uint64_t seen, filtered;
	int n;

	if (p == NULL) {
		return false;
	}
	seen = vsw_stat_read(&t->seen);
	filtered = vsw_stat_read(&t->filtered);
	memset(&isb, 0, sizeof(isb));
	isb.if_id = i;
	isb.ts = now_ns;
	isb.present = CAP_PCAPNG_ISB_HAS_STARTTIME |
		      CAP_PCAPNG_ISB_HAS_ENDTIME | CAP_PCAPNG_ISB_HAS_IFRECV |
		      CAP_PCAPNG_ISB_HAS_IFDROP |
		      CAP_PCAPNG_ISB_HAS_FILTERACCEPT |
		      CAP_PCAPNG_ISB_HAS_USRDELIV;
	isb.starttime = c->anchor_ns;
	isb.endtime = now_ns;
	isb.ifrecv = seen;
	isb.ifdrop = vsw_stat_read(&t->lost) + vsw_stat_read(&t->wlost);
	isb.filteraccept = seen - filtered;
	isb.usrdeliv = vsw_stat_read(&t->written);
	n = cap_pcapng_isb(p, CAP_ISB_SIZE, &isb);
	RTE_VERIFY(n > 0);
	cap_out_commit(&c->out, (size_t)n);
	return true;
}

/* Ring files: close this file with its statistics, start the next. */
static bool
cap_rotate(struct cap_capture *c, uint64_t now)
{
	uint64_t now_ns = cap_clock_ns(CLOCK_REALTIME);
	unsigned int i;
	uint8_t *p;
	int rc;

	for (i = 0; i < c->n_ifaces; i++) {
		if (!cap_put_isb(c, i, now_ns)) {
			if (!cap_flush(c, now) || !cap_put_isb(c, i, now_ns)) {
				return false;
			}
		}
	}
	if (!cap_flush(c, now)) {
		return false;
	}
	rc = cap_out_next_file(&c->out);
	cap_publish_out(c);
	if (rc != 0) {
		cap_out_failed(c, -rc, now);
		return false;
	}
	c->file_pkts = 0;
	p = cap_out_reserve(&c->out, c->hdr_len);
	RTE_VERIFY(p != NULL);
	memcpy(p, c->hdr, c->hdr_len);
	cap_out_commit(&c->out, c->hdr_len);
	return true;
}

/*
 * Encode one captured frame.  Returns true if it was consumed (written or
 * discarded: the caller frees it, in bulk), false if the buffer has no
 * room (keep it for later).
 */
static bool
cap_write_one(struct cap_capture *c, struct rte_mbuf *m, uint64_t now)
{
	struct cap_pcapng_seg segs[CAP_SEGS_MAX];
	const struct cap_meta *meta = cap_meta_of(m);
	struct cap_pcapng_epb epb;
	struct rte_mbuf *s;
	const char *comment = NULL;
	struct cap_tap *t;
	unsigned int n = 0;
	uint8_t *p;
	int size, len;

	if (c->out_failed || (c->count != 0 && c->written >= c->count) ||
	    meta->iface >= c->n_ifaces) {
		return true;
	}
	if (meta->reason != 0) {
		comment = vsw_drop_name((enum vsw_drop_reason)(meta->reason -
							       1));
	}
	size = cap_pcapng_epb_size(m->pkt_len, meta->dir != 0, comment);
	RTE_VERIFY(size > 0);
	if (cap_out_is_ring(&c->out) && c->file_pkts != 0 &&
	    cap_out_file_size(&c->out) + (uint64_t)size > c->out.file_bytes) {
		if (!cap_rotate(c, now)) {
			return true; /* output failed */
		}
	}
	p = cap_out_reserve(&c->out, (size_t)size);
	if (p == NULL && (c->out.kind == CAP_OUT_FILE ||
			  c->out.kind == CAP_OUT_OTHER)) {
		/* Blocking outputs never say EAGAIN: write out, retry. */
		if (!cap_flush(c, now)) {
			return true;
		}
		p = cap_out_reserve(&c->out, (size_t)size);
	}
	if (p == NULL) {
		return false;
	}
	for (s = m; s != NULL && n < CAP_SEGS_MAX; s = s->next) {
		segs[n].data = rte_pktmbuf_mtod(s, const void *);
		segs[n].len = s->data_len;
		n++;
	}
	memset(&epb, 0, sizeof(epb));
	epb.if_id = meta->iface;
	epb.ts = cap_tsc_ns(c, meta->tsc);
	epb.orig_len = RTE_MAX(meta->orig_len, m->pkt_len);
	epb.flags = meta->dir;
	epb.comment = comment;
	len = cap_pcapng_epb(p, (size_t)size, &epb, segs, n);
	RTE_VERIFY(len == size);
	cap_out_commit(&c->out, (size_t)len);
	t = &c->taps[meta->iface];
	vsw_stat_add(&t->written, 1);
	vsw_stat_add(&t->bytes, epb.orig_len);
	c->written++;
	c->file_pkts++;
	if (c->count != 0 && c->written == c->count &&
	    c->state == CAP_RUNNING) {
		cap_begin_end(c, CAP_END_COUNT, 0, now);
	}
	return true;
}

/* Dequeue and encode up to a budget.  Returns frames handled. */
static unsigned int
cap_drain(struct cap_capture *c, uint64_t now)
{
	unsigned int done = 0, first;
	bool full;

	while (done < CAP_WRITER_BUDGET) {
		if (c->held_pos == c->n_held) {
			c->held_pos = 0;
			c->n_held = rte_ring_dequeue_burst(c->ring,
							   (void **)c->held,
							   CAP_HELD_MAX, NULL);
			if (c->n_held == 0) {
				break;
			}
		}
		first = c->held_pos;
		full = false;
		while (c->held_pos < c->n_held) {
			if (!cap_write_one(c, c->held[c->held_pos], now)) {
				/* No room (slow stream): keep the rest. */
				full = true;
				break;
			}
			c->held_pos++;
			done++;
		}
		/* One mempool operation for the burst: the writer is no
		 * EAL lcore, so it has no mempool cache. */
		rte_pktmbuf_free_bulk(&c->held[first], c->held_pos - first);
		if (full) {
			return done;
		}
	}
	return done;
}

/* Free the frames held or queued that will never be written. */
static void
cap_discard(struct cap_capture *c)
{
	struct rte_mbuf *m;

	for (; c->held_pos < c->n_held; c->held_pos++) {
		m = c->held[c->held_pos];
		if (cap_meta_of(m)->iface < c->n_ifaces) {
			vsw_stat_add(&c->taps[cap_meta_of(m)->iface].wlost, 1);
		}
		rte_pktmbuf_free(m);
	}
	c->held_pos = 0;
	c->n_held = 0;
}

/* True if every interface of c has been marked gone. */
static bool
cap_all_gone(const struct cap_capture *c)
{
	unsigned int i;

	for (i = 0; i < c->n_ifaces; i++) {
		if (!__atomic_load_n(&c->taps[i].gone, __ATOMIC_RELAXED)) {
			return false;
		}
	}
	return true;
}

/*
 * One writer pass over capture c (RUNNING or STOPPING).  Returns true if
 * it did work; sets *finished when the capture has ended completely.
 */
static bool
cap_service(struct cap_capture *c, uint64_t now, bool *finished)
{
	unsigned int done;
	bool work = false;

	*finished = false;
	if (c->state == CAP_RUNNING) {
		int why = __atomic_load_n(&c->stop_req, __ATOMIC_RELAXED);

		if (why != 0) {
			cap_begin_end(c, (enum cap_end)why, 0, now);
		} else if (c->duration_ns != 0 &&
			   now - c->start_mono >= c->duration_ns) {
			cap_begin_end(c, CAP_END_DURATION, 0, now);
		} else if (cap_all_gone(c)) {
			cap_begin_end(c, CAP_END_PORT_GONE, 0, now);
		}
	}
	done = cap_drain(c, now);
	work = done != 0;
	if (c->state == CAP_RUNNING) {
		if (cap_out_pending(&c->out) != 0 &&
		    (cap_out_pending(&c->out) >= CAP_FLUSH_BYTES ||
		     now - c->last_flush >= c->eng->flush_ns)) {
			(void)cap_flush(c, now);
		}
		return work;
	}

	/* STOPPING: everything captured so far, then statistics.  While
	 * a slow reader holds us up, report work only on progress so the
	 * writer sleeps between attempts. */
	if (!c->out_failed && now < c->deadline &&
	    (c->held_pos < c->n_held || rte_ring_count(c->ring) != 0)) {
		(void)cap_flush(c, now);
		return work;
	}
	if (!c->out_failed) {
		uint64_t now_ns = cap_clock_ns(CLOCK_REALTIME);

		while (c->isb_next < c->n_ifaces &&
		       cap_put_isb(c, c->isb_next, now_ns)) {
			c->isb_next++;
		}
		if (cap_flush(c, now) && now < c->deadline &&
		    (c->isb_next < c->n_ifaces ||
		     cap_out_pending(&c->out) != 0)) {
			return work; /* slow reader: try again */
		}
	}
	cap_discard(c);
	cap_publish_out(c);
	if (c->out.fd >= 0) {
		close(c->out.fd);
		c->out.fd = -1;
	}
	*finished = true;
	return true;
}

static void *
cap_writer_main(void *arg)
{
	struct cap_engine *eng = arg;
	struct cap_capture **snap, **ended;
	unsigned int idle_passes = CAP_BUSY_PASSES;
	struct timespec ts;
	sigset_t set;

	/* Output errors come back as EPIPE/EFBIG, not as signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGXFSZ);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	snap = calloc(eng->max_captures, sizeof(*snap));
	ended = calloc(eng->max_captures, sizeof(*ended));
	RTE_VERIFY(snap != NULL && ended != NULL);
	pthread_mutex_lock(&eng->lock);
	for (;;) {
		unsigned int n = 0, n_ended = 0, i;
		bool work = false;
		uint64_t now;

		for (i = 0; i < eng->n_caps; i++) {
			if (eng->caps[i]->state != CAP_STOPPED) {
				snap[n++] = eng->caps[i];
			}
		}
		if (n == 0) {
			if (eng->quit) {
				break;
			}
			pthread_cond_wait(&eng->work, &eng->lock);
			continue;
		}
		pthread_mutex_unlock(&eng->lock);
		now = cap_clock_ns(CLOCK_MONOTONIC);
		for (i = 0; i < n; i++) {
			bool finished;

			work |= cap_service(snap[i], now, &finished);
			if (finished) {
				ended[n_ended++] = snap[i];
				pthread_mutex_lock(&eng->lock);
				snap[i]->state = CAP_STOPPED;
				snap[i]->end_ns = cap_clock_ns(CLOCK_REALTIME);
				pthread_mutex_unlock(&eng->lock);
			}
		}
		/* Drain SIGPIPE/SIGXFSZ left pending by failed writes. */
		{
			struct timespec zero = { 0, 0 };

			while (sigtimedwait(&set, NULL, &zero) > 0) {
			}
		}
		/* Notify, then release waiters: stop() and destroy() wait
		 * for `finished`, so a capture stays until on_end returned. */
		for (i = 0; i < n_ended && eng->on_end != NULL; i++) {
			eng->on_end(eng->on_end_arg, ended[i]->id);
		}
		pthread_mutex_lock(&eng->lock);
		if (n_ended != 0) {
			for (i = 0; i < n_ended; i++) {
				ended[i]->finished = true;
			}
			pthread_cond_broadcast(&eng->changed);
		}
		if (work) {
			idle_passes = 0;
		} else {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_nsec += idle_passes < CAP_BUSY_PASSES ?
					      CAP_BUSY_IDLE_NS :
					      CAP_IDLE_NS;
			idle_passes += idle_passes < CAP_BUSY_PASSES;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&eng->work, &eng->lock, &ts);
		}
	}
	pthread_mutex_unlock(&eng->lock);
	free(snap);
	free(ended);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Engine                                                             */
/* ------------------------------------------------------------------ */

struct cap_engine *
cap_engine_create(const struct cap_engine_cfg *cfg, char *err, size_t errlen)
{
	static const struct cap_engine_cfg defaults = {
		.socket_id = SOCKET_ID_ANY,
	};
	struct cap_engine *eng;
	pthread_condattr_t ca;
	struct utsname un;
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int cache;

	if (cfg == NULL) {
		cfg = &defaults;
	}
	eng = calloc(1, sizeof(*eng));
	if (eng == NULL) {
		cap_msg(err, errlen, "out of memory");
		return NULL;
	}
	eng->pool_size = cfg->pool_size != 0 ? cfg->pool_size :
					       CAP_DEFAULT_POOL;
	eng->ring_size = cfg->ring_size != 0 ? cfg->ring_size :
					       CAP_DEFAULT_RING;
	eng->max_captures = cfg->max_captures != 0 ? cfg->max_captures :
						     CAP_DEFAULT_MAX;
	eng->socket_id = cfg->socket_id;
	eng->flush_ns = (uint64_t)(cfg->flush_ms != 0 ? cfg->flush_ms :
							CAP_DEFAULT_FLUSH_MS) *
			1000000ull;
	eng->on_end = cfg->on_end;
	eng->on_end_arg = cfg->on_end_arg;
	eng->tsc_hz = rte_get_tsc_hz();
	eng->tsc_mult = eng->tsc_hz == 0 ? 0 :
			(uint64_t)(((unsigned __int128)1000000000u <<
				    CAP_TSC_SHIFT) / eng->tsc_hz);
	eng->next_id = 1;
	eng->serial = __atomic_fetch_add(&cap_engine_serial, 1,
					 __ATOMIC_RELAXED);
	snprintf(eng->userappl, sizeof(eng->userappl), "%s",
		 cfg->userappl != NULL ? cfg->userappl : "synthnet");
	if (uname(&un) == 0) {
		size_t k = strnlen(un.sysname, 32);

		memcpy(eng->os, un.sysname, k);
		eng->os[k] = ' ';
		snprintf(eng->os + k + 1, sizeof(eng->os) - k - 1, "%.64s",
			 un.release);
	}
	if (eng->ring_size > RTE_RING_SZ_MASK || eng->tsc_hz == 0 ||
	    eng->max_captures > 1024) {
		cap_msg(err, errlen, "bad capture engine configuration");
		free(eng);
		return NULL;
	}
	eng->caps = calloc(eng->max_captures, sizeof(*eng->caps));
	if (eng->caps == NULL) {
		cap_msg(err, errlen, "out of memory");
		free(eng);
		return NULL;
	}
	snprintf(name, sizeof(name), "cap_pool%u", eng->serial);
	cache = RTE_MIN(CAP_POOL_CACHE, eng->pool_size / 4);
	eng->pool = rte_pktmbuf_pool_create(name, eng->pool_size, cache,
					    CAP_META_SIZE,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    eng->socket_id);
	if (eng->pool == NULL) {
		cap_msg(err, errlen, "capture mbuf pool: %s",
			rte_strerror(rte_errno));
		goto fail;
	}
	pthread_mutex_init(&eng->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&eng->work, &ca);
	pthread_cond_init(&eng->changed, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&eng->writer, NULL, cap_writer_main, eng) != 0) {
		cap_msg(err, errlen, "cannot start the capture writer thread");
		pthread_cond_destroy(&eng->work);
		pthread_cond_destroy(&eng->changed);
		pthread_mutex_destroy(&eng->lock);
		rte_mempool_free(eng->pool);
		goto fail;
	}
	(void)pthread_setname_np(eng->writer, "cap-writer");
	eng->writer_running = true;
	return eng;

fail:
	free(eng->caps);
	free(eng);
	return NULL;
}

static void cap_capture_free(struct cap_capture *c);

void
cap_engine_destroy(struct cap_engine *eng)
{
	unsigned int i;

	if (eng == NULL) {
		return;
	}
	pthread_mutex_lock(&eng->lock);
	for (i = 0; i < eng->n_caps; i++) {
		struct cap_capture *c = eng->caps[i];

		if (c->state == CAP_RUNNING) {
			__atomic_store_n(&c->active, false, __ATOMIC_RELAXED);
			__atomic_store_n(&c->stop_req, (int)CAP_END_SHUTDOWN,
					 __ATOMIC_RELAXED);
		}
	}
	pthread_cond_signal(&eng->work);
	for (i = 0; i < eng->n_caps; i++) {
		while (!eng->caps[i]->finished) {
			pthread_cond_wait(&eng->changed, &eng->lock);
		}
	}
	eng->quit = true;
	pthread_cond_signal(&eng->work);
	pthread_mutex_unlock(&eng->lock);
	if (eng->writer_running) {
		pthread_join(eng->writer, NULL);
	}
	for (i = 0; i < eng->n_caps; i++) {
		cap_capture_free(eng->caps[i]);
	}
	rte_mempool_free(eng->pool);
	pthread_cond_destroy(&eng->work);
	pthread_cond_destroy(&eng->changed);
	pthread_mutex_destroy(&eng->lock);
	free(eng->caps);
	free(eng);
}

void
cap_engine_stats(struct cap_engine *eng, struct cap_engine_stats *out)
{
	if (eng == NULL || out == NULL) {
		return;
	}
	out->pool_size = eng->pool_size;
	out->pool_avail = rte_mempool_avail_count(eng->pool);
	pthread_mutex_lock(&eng->lock);
	out->captures = eng->n_caps;
	pthread_mutex_unlock(&eng->lock);
}

/* ------------------------------------------------------------------ */
/* Captures                                                           */
/* ------------------------------------------------------------------ */

/* SHB + one IDB per interface, into c->hdr. */
static int
cap_build_header(struct cap_capture *c, const struct cap_cfg *cfg)
{
	struct cap_pcapng_shb shb = {
		.hardware = NULL,
		.os = c->eng->os[0] != '\0' ? c->eng->os : NULL,
		.userappl = c->eng->userappl,
	};
	size_t size = 64 + 3 * CAP_PCAPNG_STR_MAX, off;
	unsigned int i;
	int n;

	/* Each IDB: fixed part, name, description, tsresol, filter. */
	size += (size_t)cfg->n_ifaces *
		(CAP_PCAPNG_IDB_FIXED + 4 * 8 + CAP_IFNAME_MAX +
		 CAP_IFDESC_MAX + CAP_PCAPNG_STR_MAX + 8);
	c->hdr = malloc(size);
	if (c->hdr == NULL) {
		return -ENOMEM;
	}
	n = cap_pcapng_shb(c->hdr, size, &shb);
	if (n < 0) {
		return n;
	}
	off = (size_t)n;
	for (i = 0; i < cfg->n_ifaces; i++) {
		struct cap_pcapng_idb idb = {
			.linktype = CAP_PCAPNG_LINKTYPE_ETHERNET,
			.snaplen = c->snaplen,
			.tsresol = CAP_PCAPNG_TSRESOL_NS,
			.name = cfg->ifaces[i].name,
			.desc = cfg->ifaces[i].desc,
			.filter = c->filter != NULL ?
					  cap_filter_expr(c->filter) :
					  NULL,
		};

		n = cap_pcapng_idb(c->hdr + off, size - off, &idb);
		if (n < 0) {
			return n;
		}
		off += (size_t)n;
	}
	c->hdr_len = off;
	return 0;
}

static void
cap_capture_free(struct cap_capture *c)
{
	struct rte_mbuf *m;

	if (c == NULL) {
		return;
	}
	if (c->ring != NULL) {
		while (rte_ring_dequeue(c->ring, (void **)&m) == 0) {
			rte_pktmbuf_free(m);
		}
		rte_ring_free(c->ring);
	}
	cap_discard(c);
	cap_out_close(&c->out);
	cap_filter_destroy(c->filter);
	rte_free(c->taps);
	free(c->hdr);
	free(c);
}

/* Validate cfg beyond what the output and filter check. */
static int
cap_check_cfg(const struct cap_cfg *cfg, char *err, size_t errlen)
{
	unsigned int i;

	if (cfg->ifaces == NULL || cfg->n_ifaces == 0 ||
	    cfg->n_ifaces > CAP_MAX_IFACES) {
		cap_msg(err, errlen, "a capture needs 1 to %u interfaces",
			CAP_MAX_IFACES);
		return -EINVAL;
	}
	if ((cfg->dir & ~CAP_DIR_BOTH) != 0) {
		cap_msg(err, errlen, "bad direction");
		return -EINVAL;
	}
	if (cfg->snaplen > CAP_SNAPLEN_DEFAULT) {
		cap_msg(err, errlen, "snaplen must be 1 to %u",
			CAP_SNAPLEN_DEFAULT);
		return -EINVAL;
	}
	for (i = 0; i < cfg->n_ifaces; i++) {
		if (memchr(cfg->ifaces[i].name, '\0', CAP_IFNAME_MAX) ==
			    NULL ||
		    memchr(cfg->ifaces[i].desc, '\0', CAP_IFDESC_MAX) ==
			    NULL) {
			cap_msg(err, errlen, "interface name too long");
			return -EINVAL;
		}
	}
	return 0;
}

int
cap_capture_create(struct cap_engine *eng, const struct cap_cfg *cfg,
		   struct cap_capture **out, char *err, size_t errlen)
{
	struct cap_out_cfg ocfg;
	struct cap_capture *c;
	char name[RTE_RING_NAMESIZE];
	unsigned int dir, i, flags;
	uint32_t id;
	int rc;

	if (err != NULL && errlen > 0) {
		err[0] = '\0';
	}
	if (eng == NULL || cfg == NULL || out == NULL) {
		cap_msg(err, errlen, "invalid argument");
		return -EINVAL;
	}
	rc = cap_check_cfg(cfg, err, errlen);
	if (rc != 0) {
		return rc;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		cap_msg(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->out.fd = -1;
	c->eng = eng;
	c->pool = eng->pool;
	c->n_ifaces = cfg->n_ifaces;
	c->snaplen = cfg->snaplen != 0 ? cfg->snaplen : CAP_SNAPLEN_DEFAULT;
	c->count = cfg->count;
	c->duration_ns = cfg->duration_ms * 1000000ull;
	dir = cfg->dir != 0 ? cfg->dir : CAP_DIR_BOTH;
	c->points = ((dir & CAP_DIR_IN) ? 1u << VSW_CAP_IN : 0) |
		    ((dir & CAP_DIR_OUT) ? 1u << VSW_CAP_OUT : 0) |
		    (cfg->drops ? 1u << VSW_CAP_DROP : 0);

	/* 1. The filter: libpcap's verdict first. */
	if (cfg->filter != NULL && cfg->filter[0] != '\0') {
		rc = cap_filter_create(cfg->filter, c->snaplen, &c->filter,
				       err, errlen);
		if (rc != 0) {
			goto fail;
		}
	}
	/* 2. A slot and an id. */
	pthread_mutex_lock(&eng->lock);
	if (eng->n_caps == eng->max_captures) {
		pthread_mutex_unlock(&eng->lock);
		cap_msg(err, errlen, "too many captures (%u)",
			eng->max_captures);
		rc = -ENOSPC;
		goto fail;
	}
	id = eng->next_id++;
	pthread_mutex_unlock(&eng->lock);
	c->id = id;
	/* 3. Memory: taps, ring, header. */
	c->taps = rte_zmalloc_socket("cap_taps",
				     sizeof(*c->taps) * cfg->n_ifaces,
				     RTE_CACHE_LINE_SIZE, eng->socket_id);
	snprintf(name, sizeof(name), "cap%u_%u", eng->serial, id);
	flags = RING_F_SC_DEQ | RING_F_EXACT_SZ |
		(cfg->multi_lcore ? 0 : RING_F_SP_ENQ);
	c->ring = rte_ring_create(name, eng->ring_size, eng->socket_id, flags);
	if (c->taps == NULL || c->ring == NULL) {
		cap_msg(err, errlen, "out of memory for the capture ring");
		rc = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < cfg->n_ifaces; i++) {
		c->taps[i].cap = c;
		c->taps[i].iface = (uint16_t)i;
	}
	rc = cap_build_header(c, cfg);
	if (rc != 0) {
		cap_msg(err, errlen, "cannot build the file header");
		goto fail;
	}
	/* 4. The output, last: an unwritable path is refused here. */
	memset(&ocfg, 0, sizeof(ocfg));
	ocfg.fd = cfg->fd;
	ocfg.path = cfg->path;
	ocfg.ring_files = cfg->ring_files;
	ocfg.file_bytes = cfg->ring_file_bytes;
	ocfg.mode = cfg->file_mode;
	ocfg.uid = cfg->uid;
	ocfg.gid = cfg->gid;
	rc = cap_out_open(&c->out, &ocfg, err, errlen);
	if (rc != 0) {
		goto fail;
	}
	/* The header is the first thing written (buffer is empty). */
	memcpy(cap_out_reserve(&c->out, c->hdr_len), c->hdr, c->hdr_len);
	cap_out_commit(&c->out, c->hdr_len);

	c->anchor_ns = cap_clock_ns(CLOCK_REALTIME);
	c->anchor_tsc = rte_get_tsc_cycles();
	c->start_mono = cap_clock_ns(CLOCK_MONOTONIC);
	c->last_flush = 0; /* first pass writes the header out */
	c->state = CAP_RUNNING;
	c->active = true;

	pthread_mutex_lock(&eng->lock);
	if (eng->n_caps == eng->max_captures) {
		pthread_mutex_unlock(&eng->lock);
		cap_msg(err, errlen, "too many captures (%u)",
			eng->max_captures);
		/* The descriptor is the caller's again. */
		if (cfg->fd >= 0) {
			c->out.fd = -1;
		}
		rc = -ENOSPC;
		goto fail;
	}
	eng->caps[eng->n_caps++] = c; /* ids grow: stays sorted */
	pthread_cond_signal(&eng->work);
	pthread_mutex_unlock(&eng->lock);
	*out = c;
	return 0;

fail:
	cap_capture_free(c);
	return rc;
}

uint32_t
cap_capture_id(const struct cap_capture *c)
{
	return c != NULL ? c->id : 0;
}

struct cap_capture *
cap_capture_find(struct cap_engine *eng, uint32_t id)
{
	struct cap_capture *found = NULL;
	unsigned int i;

	if (eng == NULL) {
		return NULL;
	}
	pthread_mutex_lock(&eng->lock);
	for (i = 0; i < eng->n_caps; i++) {
		if (eng->caps[i]->id == id) {
			found = eng->caps[i];
			break;
		}
	}
	pthread_mutex_unlock(&eng->lock);
	return found;
}

unsigned int
cap_capture_list(struct cap_engine *eng, uint32_t *ids, unsigned int max)
{
	unsigned int i, n;

	if (eng == NULL) {
		return 0;
	}
	pthread_mutex_lock(&eng->lock);
	n = eng->n_caps;
	for (i = 0; i < n && i < max && ids != NULL; i++) {
		ids[i] = eng->caps[i]->id;
	}
	pthread_mutex_unlock(&eng->lock);
	return n;
}

int
cap_capture_stop(struct cap_capture *c)
{
	struct cap_engine *eng;

	if (c == NULL) {
		return -EINVAL;
	}
	eng = c->eng;
	pthread_mutex_lock(&eng->lock);
	if (c->state != CAP_RUNNING) {
		/* Ending on its own: wait for the file all the same. */
		while (!c->finished) {
			pthread_cond_wait(&eng->changed, &eng->lock);
		}
		pthread_mutex_unlock(&eng->lock);
		return -EALREADY;
	}
	/* Lcores stop at once; the writer drains and finishes. */
	__atomic_store_n(&c->active, false, __ATOMIC_RELAXED);
	__atomic_store_n(&c->stop_req, (int)CAP_END_USER, __ATOMIC_RELAXED);
	pthread_cond_signal(&eng->work);
	while (!c->finished) {
		pthread_cond_wait(&eng->changed, &eng->lock);
	}
	pthread_mutex_unlock(&eng->lock);
	return 0;
}

int
cap_capture_destroy(struct cap_capture *c)
{
	struct cap_engine *eng;
	unsigned int i;

	if (c == NULL) {
		return 0;
	}
	eng = c->eng;
	for (i = 0; i < c->n_ifaces; i++) {
		if (__atomic_load_n(&c->taps[i].port, __ATOMIC_RELAXED) !=
		    NULL) {
			return -EBUSY;
		}
	}
	(void)cap_capture_stop(c);
	pthread_mutex_lock(&eng->lock);
	for (i = 0; i < eng->n_caps; i++) {
		if (eng->caps[i] == c) {
			memmove(&eng->caps[i], &eng->caps[i + 1],
				(eng->n_caps - i - 1) * sizeof(eng->caps[0]));
			eng->n_caps--;
			break;
		}
	}
	pthread_mutex_unlock(&eng->lock);
	cap_capture_free(c);
	return 0;
}

/* Status line for a state and end reason. */
static void
cap_status(char *buf, size_t len, enum cap_state s, enum cap_end end, int e)
{
	const char *why;

	if (s != CAP_STOPPED) {
		snprintf(buf, len, "%s", cap_state_name(s));
		return;
	}
	switch (end) {
	case CAP_END_USER:
		why = "by user";
		break;
	case CAP_END_COUNT:
		why = "packet count reached";
		break;
	case CAP_END_DURATION:
		why = "duration reached";
		break;
	case CAP_END_PORT_GONE:
		why = "port removed";
		break;
	case CAP_END_DISK_FULL:
		why = "disk full";
		break;
	case CAP_END_READER_GONE:
		why = "reader went away";
		break;
	case CAP_END_WRITE_ERROR:
		why = "write error";
		break;
	case CAP_END_SHUTDOWN:
		why = "daemon shutting down";
		break;
	case CAP_END_NONE:
	default:
		why = "ended";
		break;
	}
	if (e != 0) {
		snprintf(buf, len, "stopped: %s (%s)", why, strerror(e));
	} else {
		snprintf(buf, len, "stopped: %s", why);
	}
}

static void
cap_tap_stats(struct cap_tap *t, struct cap_stats *s)
{
	uint64_t seen = vsw_stat_read(&t->seen);
	uint64_t filtered = vsw_stat_read(&t->filtered);

	s->seen += seen;
	s->filtered_out += filtered;
	s->matched += seen - filtered;
	s->lost += vsw_stat_read(&t->lost) + vsw_stat_read(&t->wlost);
	s->written += vsw_stat_read(&t->written);
	s->bytes += vsw_stat_read(&t->bytes);
}

void
cap_capture_info(struct cap_capture *c, struct cap_info *out)
{
	struct cap_engine *eng;
	unsigned int i;

	if (c == NULL || out == NULL) {
		return;
	}
	eng = c->eng;
	memset(out, 0, sizeof(*out));
	out->id = c->id;
	out->n_ifaces = c->n_ifaces;
	out->start_ns = c->anchor_ns;
	for (i = 0; i < c->n_ifaces; i++) {
		cap_tap_stats(&c->taps[i], &out->stats);
		if (__atomic_load_n(&c->taps[i].port, __ATOMIC_RELAXED) !=
		    NULL) {
			out->n_attached++;
		}
	}
	out->stats.file_bytes = vsw_stat_read(&c->file_bytes);
	out->stats.files = vsw_stat_read(&c->files);
	pthread_mutex_lock(&eng->lock);
	out->state = c->state;
	out->end = c->state == CAP_STOPPED ? c->end : CAP_END_NONE;
	out->end_errno = c->state == CAP_STOPPED ? c->end_errno : 0;
	out->end_ns = c->end_ns;
	pthread_mutex_unlock(&eng->lock);
	cap_status(out->status, sizeof(out->status), out->state, out->end,
		   out->end_errno);
}

bool
cap_iface_attached(struct cap_capture *c, unsigned int iface)
{
	if (c == NULL || iface >= c->n_ifaces) {
		return false;
	}
	return __atomic_load_n(&c->taps[iface].port, __ATOMIC_RELAXED) !=
	       NULL;
}

int
cap_capture_iface_stats(struct cap_capture *c, unsigned int iface,
			struct cap_stats *out)
{
	if (c == NULL || out == NULL || iface >= c->n_ifaces) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	cap_tap_stats(&c->taps[iface], out);
	return 0;
}
