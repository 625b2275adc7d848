/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_priv.h - capture engine internals shared by cap_engine.c (control
 * thread and writer thread) and cap_lcore.c (poll lcores).  Not installed;
 * nothing outside pcap/ includes it.
 *
 * Who writes what:
 *   lcore   tap->next/port (attach lists), tap lcore counters, tap->gone,
 *           ring enqueue;
 *   control engine list, capture creation, stop_req, destroy;
 *   writer  ring dequeue, output, tap writer counters, state
 *           RUNNING -> STOPPING -> STOPPED (under eng->lock).
 * Cross-thread flags and counters use relaxed atomics or vsw_stat_*()
 * (single writer each); `active` is the lcore's only gate.
 */
#ifndef CAP_PRIV_H
#define CAP_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "cap_engine.h"
#include "cap_filter.h"
#include "cap_out.h"

/* Metadata of a captured copy, in the capture pool's mbuf private area. */
struct cap_meta {
	uint64_t tsc;      /* rte_get_tsc_cycles() at the capture point */
	uint32_t orig_len; /* wire length of the frame */
	uint16_t iface;    /* interface index in the capture */
	uint8_t dir;       /* CAP_PCAPNG_DIR_* or 0 (unknown) */
	uint8_t reason;    /* vsw_drop_reason + 1, or 0: not a drop */
};

/* Private area size of the capture pool (RTE_MBUF_PRIV_ALIGN multiple). */
#define CAP_META_SIZE RTE_ALIGN_CEIL(sizeof(struct cap_meta), \
				     RTE_MBUF_PRIV_ALIGN)

static inline struct cap_meta *
cap_meta_of(struct rte_mbuf *m)
{
	return (struct cap_meta *)rte_mbuf_to_priv(m);
}

/*
 * One interface of a capture: its link in a port's capture list and its
 * counters.  Cache aligned so lcores serving different ports of one
 * capture never share a line.
 */
struct cap_tap {
	struct cap_tap *next;      /* next tap on the same port (lcore) */
	struct cap_capture *cap;   /* owning capture */
	struct vsw_port *port;     /* attached port or NULL (lcore writes,
				    * others read atomically) */
	uint16_t iface;            /* interface index = IDB index */
	uint8_t gone;              /* its port was removed (atomic) */
	/* lcore counters (vsw_stat_add by the serving lcore) */
	uint64_t seen;             /* frames at the watched points */
	uint64_t filtered;         /* rejected by the filter */
	uint64_t lost;             /* matched, not captured */
	uint64_t captured;         /* enqueued on the ring */
	/* writer counters (vsw_stat_add by the writer) */
	uint64_t written __rte_cache_aligned; /* EPBs written */
	uint64_t bytes;            /* their orig_len sum */
	uint64_t wlost;            /* captured, then given up by the writer
				    * (stream reader too slow at the end) */
} __rte_cache_aligned;

/* Fixed-point shift of the TSC -> ns multiplier (cap_tsc_ns()). */
#define CAP_TSC_SHIFT 40

/* Frames the writer may hold when the output buffer is full. */
#define CAP_HELD_MAX 64u

/* A capture. */
struct cap_capture {
	struct cap_engine *eng;      /* owning engine */
	uint32_t id;                 /* capture id (> 0) */
	/* configuration, immutable after creation */
	unsigned int points;         /* bit (1 << vsw_cap_point) watched */
	uint32_t snaplen;            /* bytes kept per frame */
	uint64_t count;              /* frame limit, 0 = none */
	uint64_t duration_ns;        /* time limit, 0 = none */
	struct cap_filter *filter;   /* filter, or NULL = all */
	struct rte_mempool *pool;    /* engine capture pool */
	struct rte_ring *ring;       /* lcore(s) -> writer */
	unsigned int n_ifaces;       /* interfaces */
	struct cap_tap *taps;        /* one per interface (rte_zmalloc) */
	uint8_t *hdr;                /* SHB + IDBs, repeated per file */
	size_t hdr_len;              /* bytes in hdr */
	uint64_t anchor_tsc;         /* TSC at creation */
	uint64_t anchor_ns;          /* CLOCK_REALTIME ns at creation */
	uint64_t start_mono;         /* CLOCK_MONOTONIC ns at creation */
	/* lcore gate (atomic): false once the capture starts ending */
	bool active;
	/* control -> writer (atomic): 0, or CAP_END_USER/SHUTDOWN */
	int stop_req;
	/* state, under eng->lock (writer changes it) */
	enum cap_state state;        /* running / stopping / stopped */
	enum cap_end end;            /* why it ended */
	int end_errno;               /* output errno, or 0 */
	uint64_t end_ns;             /* CLOCK_REALTIME ns at the end */
	bool finished;               /* STOPPED and on_end has returned:
				      * the writer is done with it */
	/* writer-only state */
	struct cap_out out;          /* output */
	struct rte_mbuf *held[CAP_HELD_MAX]; /* dequeued, waiting for room */
	unsigned int held_pos;       /* next held[] to write */
	unsigned int n_held;         /* end of held[] */
	uint64_t written;            /* frames written (count limit) */
	uint64_t file_pkts;          /* frames in the current file */
	uint64_t last_flush;         /* CLOCK_MONOTONIC ns of last flush */
	uint64_t deadline;           /* STOPPING: give up writing after */
	unsigned int isb_next;       /* STOPPING: next ISB to write */
	bool out_failed;             /* output error: write nothing more */
	/* writer -> readers (vsw_stat_set) */
	uint64_t file_bytes;         /* cap_out total */
	uint64_t files;              /* cap_out files */
};

/* The engine. */
struct cap_engine {
	pthread_mutex_t lock;        /* captures[], states, ids */
	pthread_cond_t work;         /* wakes the writer */
	pthread_cond_t changed;      /* a capture's state changed */
	pthread_t writer;            /* writer thread */
	bool writer_running;         /* writer started */
	bool quit;                   /* writer must exit (under lock) */
	struct rte_mempool *pool;    /* capture copies */
	unsigned int pool_size;      /* mbufs in pool */
	unsigned int ring_size;      /* slots per capture ring */
	unsigned int max_captures;   /* captures[] size */
	int socket_id;               /* NUMA socket */
	uint64_t flush_ns;           /* flush period */
	uint64_t tsc_hz;             /* rte_get_tsc_hz() */
	uint64_t tsc_mult;           /* 2^CAP_TSC_SHIFT * 1e9 / tsc_hz */
	unsigned int serial;         /* engine number (unique names) */
	uint32_t next_id;            /* next capture id */
	unsigned int n_caps;         /* captures alive */
	struct cap_capture **caps;   /* by ascending id */
	void (*on_end)(void *arg, uint32_t id); /* end notification */
	void *on_end_arg;            /* its argument */
	char userappl[64];           /* SHB shb_userappl */
	char os[128];                /* SHB shb_os */
};

/* The vsw_capture_fn installed on ports (cap_lcore.c). */
void
cap_port_fn(void *ctx, struct vsw_port *port, enum vsw_cap_point point,
	    struct rte_mbuf *const *pkts, uint16_t n, int drop_reason);

/* pcapng direction of a dropped frame from its reason (0 = unknown). */
uint8_t
cap_drop_dir(int reason);

#endif /* CAP_PRIV_H */
