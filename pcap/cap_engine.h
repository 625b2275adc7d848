/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_engine.h - packet capture for synthnetd: frames seen at a switch
 * port's capture points (vsw_port.h) written as pcapng to a file, a ring
 * of files or a stream, without slowing the switch.
 *
 * Pieces and threads
 * ------------------
 * - One engine per daemon: a dedicated mbuf pool for captured copies and a
 *   writer THREAD (a pthread, not an lcore) that writes every capture.
 * - A capture (cap_capture_create(), control thread) watches a list of
 *   interfaces (ports), one IDB each, with a direction, an optional
 *   tcpdump filter, snaplen, limits and an output.  It is created running
 *   but sees nothing until the daemon attaches its interfaces to ports.
 * - Attach/detach (cap_attach(), cap_detach(), cap_port_detach_all()) run
 *   ON THE LCORE that serves the port: they link the capture's per-port
 *   "tap" into the port's capture list and set port->capture and
 *   port->capture_ctx.  Any number of captures may watch one port; the
 *   port's callback fans a burst out to each.
 * - On the lcore, per burst and capture: check the point, run the filter
 *   (JIT-compiled BPF), copy up to snaplen bytes into an mbuf from the
 *   capture pool (802.1Q tag restored from metadata, see cap_frame.h),
 *   stamp it (TSC, interface, direction, drop reason) and enqueue it on
 *   the capture's ring.  No allocation, locks or system calls.  Ring full
 *   or pool empty: the frame is counted "lost"; the switch never waits.
 * - The writer drains the rings, encodes pcapng (cap_pcapng.h) and writes
 *   (cap_out.h), enforces count and duration, rotates ring files, flushes
 *   at least every flush_ms, and ends a capture on stop, limit, removal
 *   of all its ports, or an output error; then it writes Interface
 *   Statistics Blocks, closes the output and calls on_end.
 *
 * Threading summary: cap_engine_* and cap_capture_* on the control
 * thread, one thread at a time (cap_capture_info() and cap_engine_stats()
 * also from other threads while the capture/engine exists, e.g. in
 * on_end); cap_attach/cap_detach/cap_port_detach_all on the lcore serving
 * the port, between poll passes; on_end on the writer thread.  The writer
 * inherits the CPU affinity of the thread that calls cap_engine_create():
 * call it from the main (control) thread, not from a poll lcore.
 */
#ifndef CAP_ENGINE_H
#define CAP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsw_port.h"

/* Interface name (IDB if_name) buffer size, including NUL. */
#define CAP_IFNAME_MAX 128
/* Interface description (IDB if_description) buffer size. */
#define CAP_IFDESC_MAX 256
/* Interfaces (ports) one capture may watch. */
#define CAP_MAX_IFACES 256
/* Default and largest snapshot length (tcpdump's). */
#define CAP_SNAPLEN_DEFAULT 262144u
/* Status text buffer size (cap_info.status). */
#define CAP_STATUS_MAX 160

/* Directions to capture, as seen by the switch. */
#define CAP_DIR_IN 0x1u   /* frames the port handed to the switch (what
			   * the guest sent); pcapng "inbound" */
#define CAP_DIR_OUT 0x2u  /* frames delivered to the port (what the
			   * guest receives); pcapng "outbound" */
#define CAP_DIR_BOTH (CAP_DIR_IN | CAP_DIR_OUT)

struct cap_engine;
struct cap_capture;

/* Engine parameters; zero members take the defaults. */
struct cap_engine_cfg {
	unsigned int pool_size;    /* capture mbufs, shared by all captures;
				    * 0 = 8191 (2 KiB each) */
	unsigned int ring_size;    /* slots per capture ring; 0 = 4096 */
	unsigned int max_captures; /* captures alive at once; 0 = 16 */
	int socket_id;             /* NUMA socket for pool and rings; use
				    * SOCKET_ID_ANY (-1) when unsure */
	unsigned int flush_ms;     /* longest time written data waits in
				    * the writer; 0 = 100 ms */
	const char *userappl;      /* SHB shb_userappl; NULL = "synthnet" */
	/*
	 * Called on the WRITER thread after a capture has ended (state
	 * CAP_STOPPED, file closed), once per capture, with no engine lock
	 * held.  It may call cap_capture_info(); it must not stop or
	 * destroy the capture (stop would wait for this very thread, and
	 * detaching needs the lcores): hand the id to the control thread
	 * (e.g. write an eventfd).  NULL: no notification.
	 */
	void (*on_end)(void *arg, uint32_t id);
	void *on_end_arg;          /* first argument of on_end */
};

/* One interface (port) of a capture: names for its IDB. */
struct cap_iface {
	char name[CAP_IFNAME_MAX]; /* if_name, e.g. "lab/vm1/eth0" */
	char desc[CAP_IFDESC_MAX]; /* if_description, e.g. "netvsc adapter
				    * eth0 of VM vm1 on switch lab" */
};

/* What to capture and where to write it. */
struct cap_cfg {
	const struct cap_iface *ifaces; /* interfaces; index = IDB index */
	unsigned int n_ifaces;          /* 1 .. CAP_MAX_IFACES */
	unsigned int dir;               /* CAP_DIR_IN/OUT/BOTH; 0 = BOTH */
	bool drops;                     /* also frames dropped on the ports,
					 * with the reason as comment (any
					 * direction) */
	const char *filter;             /* tcpdump expression; NULL or ""
					 * = every frame */
	uint32_t snaplen;               /* bytes kept per frame; 0 =
					 * CAP_SNAPLEN_DEFAULT */
	uint64_t count;                 /* end after this many frames
					 * written; 0 = no limit */
	uint64_t duration_ms;           /* end this long after creation;
					 * 0 = no limit */
	int fd;                         /* >= 0: write here (a regular file,
					 * pipe or socket); the engine owns it
					 * once creation succeeds.  -1: use
					 * path */
	const char *path;               /* file to create when fd < 0 */
	unsigned int ring_files;        /* > 0: rotate over this many files
					 * FILE_00001.ext ... (needs path) */
	uint64_t ring_file_bytes;       /* size of each ring file */
	unsigned int file_mode;         /* mode of created files; 0 = 0600 */
	int uid;                        /* owner of created files (>= 0) */
	int gid;                        /* group of created files (>= 0) */
	bool multi_lcore;               /* the ports are served by more
					 * than one lcore (multi-producer
					 * ring) */
};

/* Capture state. */
enum cap_state {
	CAP_RUNNING = 0, /* capturing */
	CAP_STOPPING,    /* ending: draining, writing statistics */
	CAP_STOPPED,     /* ended; output closed; stats final */
};

/* Why a capture ended. */
enum cap_end {
	CAP_END_NONE = 0,    /* still running */
	CAP_END_USER,        /* cap_capture_stop() */
	CAP_END_COUNT,       /* count frames written */
	CAP_END_DURATION,    /* duration elapsed */
	CAP_END_PORT_GONE,   /* every port it watched was removed */
	CAP_END_DISK_FULL,   /* ENOSPC, EDQUOT or EFBIG writing a file */
	CAP_END_READER_GONE, /* the stream's reader went away (EPIPE) */
	CAP_END_WRITE_ERROR, /* any other output error */
	CAP_END_SHUTDOWN,    /* cap_engine_destroy() */
};

/* Counters of a capture (or of one of its interfaces). */
struct cap_stats {
	uint64_t seen;         /* frames at the watched points */
	uint64_t filtered_out; /* rejected by the filter */
	uint64_t matched;      /* accepted by the filter (= seen without) */
	uint64_t lost;         /* matched but not captured: capture ring
				* full or capture pool empty */
	uint64_t written;      /* frames written (EPBs) */
	uint64_t bytes;        /* wire bytes of those frames (orig_len) */
	uint64_t file_bytes;   /* bytes of pcapng written (all files) */
	uint64_t files;        /* files started (ring files) */
};

/* Snapshot of a capture for list/show. */
struct cap_info {
	uint32_t id;                 /* capture id */
	enum cap_state state;        /* state */
	enum cap_end end;            /* why it ended (CAP_END_NONE while
				      * running) */
	int end_errno;               /* output errno for DISK_FULL,
				      * READER_GONE, WRITE_ERROR, else 0 */
	char status[CAP_STATUS_MAX]; /* "running", or "stopped: disk full
				      * (No space left on device)", ... */
	struct cap_stats stats;      /* counters */
	unsigned int n_ifaces;       /* interfaces */
	unsigned int n_attached;     /* interfaces attached to a port now */
	uint64_t start_ns;           /* creation time, ns since the epoch */
	uint64_t end_ns;             /* end time, or 0 while running */
};

/* Engine-wide figures. */
struct cap_engine_stats {
	unsigned int pool_size;  /* capture mbufs in total */
	unsigned int pool_avail; /* capture mbufs free */
	unsigned int captures;   /* captures alive (any state) */
};

/*
 * Create the engine: capture pool and writer thread.  Needs EAL; control
 * thread.  cfg may be NULL.  Returns NULL with a message in err.
 */
struct cap_engine *
cap_engine_create(const struct cap_engine_cfg *cfg, char *err, size_t errlen);

/*
 * End every capture (CAP_END_SHUTDOWN; files completed), stop the writer
 * and free everything.  Call when no lcore runs a capture callback any
 * more: every capture detached, or its ports destroyed / lcores stopped.
 * NULL is a no-op.
 */
void
cap_engine_destroy(struct cap_engine *eng);

/* Engine-wide figures (any thread). */
void
cap_engine_stats(struct cap_engine *eng, struct cap_engine_stats *out);

/*
 * Create and start a capture (control thread).  Validates everything
 * before anything runs: the filter is compiled, the output opened
 * (created/truncated: an unwritable path is refused here), the ring and
 * buffers allocated.  Returns 0 and the capture in *out (id > 0), or
 * -errno with a message in err:
 *   -EBADMSG  invalid filter: err is libpcap's own text, verbatim;
 *   -EINVAL   bad configuration (no interfaces, snaplen, ring without
 *             path, ...);
 *   -ENOSPC   max_captures reached;  -ENOMEM;
 *   open(2)'s error for the output (EACCES, ENOENT, EISDIR, ...).
 * On failure cfg->fd remains the caller's.
 */
int
cap_capture_create(struct cap_engine *eng, const struct cap_cfg *cfg,
		   struct cap_capture **out, char *err, size_t errlen);

/* The capture's id. */
uint32_t
cap_capture_id(const struct cap_capture *c);

/* The capture with this id (borrowed), or NULL. */
struct cap_capture *
cap_capture_find(struct cap_engine *eng, uint32_t id);

/*
 * Ids of the captures alive (any state), ascending, into ids[0 .. max).
 * Returns how many there are (may exceed max).
 */
unsigned int
cap_capture_list(struct cap_engine *eng, uint32_t *ids, unsigned int max);

/*
 * End a capture (CAP_END_USER) and wait until its output is complete and
 * closed and on_end has returned (frames already captured are written
 * first; a stream whose reader does not read is given up after 2 s).
 * Lcores stop copying for it at once.  Returns 0, or -EALREADY if it had
 * already ended (after waiting for the same).  The capture stays (stats
 * readable) until cap_capture_destroy().
 */
int
cap_capture_stop(struct cap_capture *c);

/*
 * Free a capture: stops it first if running.  Every interface must be
 * detached (cap_detach() or cap_port_detach_all() on the lcores): returns
 * -EBUSY otherwise, and the capture stays.  Returns 0.
 */
int
cap_capture_destroy(struct cap_capture *c);

/* Snapshot of state and counters (any thread). */
void
cap_capture_info(struct cap_capture *c, struct cap_info *out);

/*
 * Counters of interface `iface` alone (seen, filtered_out, matched, lost,
 * written, bytes; file counters 0).  -EINVAL if out of range.
 */
int
cap_capture_iface_stats(struct cap_capture *c, unsigned int iface,
			struct cap_stats *out);

/*
 * True while interface `iface` is attached to a port (any thread; a
 * snapshot: the lcore may detach it the next moment).  False when out of
 * range.
 */
bool
cap_iface_attached(struct cap_capture *c, unsigned int iface);

/* "running", "stopping", "stopped". */
const char *
cap_state_name(enum cap_state s);

/*
 * Attach interface `iface` of capture c to `port` (ON THE PORT'S LCORE).
 * From the next burst on, the port's frames at the capture's points are
 * captured.  Returns 0, -EINVAL (bad index, NULL), -EALREADY (this
 * interface is attached), -EEXIST (another interface of c is on this
 * port), -EBUSY (port->capture is set by someone else).
 */
int
cap_attach(struct cap_capture *c, unsigned int iface, struct vsw_port *port);

/*
 * Detach interface `iface` (ON THE LCORE of the port it is attached to).
 * The capture keeps running for its other interfaces.  Returns 0, -EINVAL,
 * or -ENOENT (not attached).
 */
int
cap_detach(struct cap_capture *c, unsigned int iface);

/*
 * The port is about to be removed (ON ITS LCORE, before
 * vsw_switch_remove_port()/ops->destroy): detach every capture from it.
 * Each such interface is marked gone; a capture whose interfaces are all
 * gone ends with CAP_END_PORT_GONE, its file complete.  No-op if no
 * capture watches the port.
 */
void
cap_port_detach_all(struct vsw_port *port);

#endif /* CAP_ENGINE_H */
