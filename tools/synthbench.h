/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synthbench.h - types shared by synthbench.c (setup, children, runs)
 * and synthbench_out.c (the text table and JSON output).
 */
#ifndef SYNTHBENCH_H
#define SYNTHBENCH_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Most frame sizes on the command line. */
#define SB_MAX_SIZES 16
/* Capture modes, and most runs of each (size, mode). */
#define SB_MAX_MODES 3
#define SB_MAX_RUNS 20
/* The filter of the nomatch mode: an EtherType nothing here sends. */
#define SB_NOMATCH_FILTER "ether proto 0x88b5"
/* Frame sizes accepted (including FCS): Ethernet minimum to jumbo. */
#define SB_SIZE_MIN 64u
#define SB_SIZE_MAX 9018u
/* Ethernet FCS, and preamble + SFD + inter-frame gap. */
#define SB_FCS 4u
#define SB_WIRE_OVERHEAD 20u
/* Drop reasons kept per adapter. */
#define SB_MAX_DROPS 32
/* Longest drop reason name. */
#define SB_DROP_NAME 32
/* Waits, in milliseconds. */
#define SB_TICK_MS 50
#define SB_DAEMON_WAIT_MS 20000
#define SB_ATTACH_WAIT_MS 15000
#define SB_GEN_GRACE_MS 20000
#define SB_SETTLE_MS 300
#define SB_DRAIN_MAX_MS 3000
#define SB_TERM_WAIT_MS 5000
#define SB_CTL_TIMEOUT_MS 5000
/* Control answers we read (stats of one VM are a few KiB). */
#define SB_BODY_MAX (1u << 20)

/* Command line. */
struct sb_opts {
	const char *ctl_sock;		/* --ctl-socket, NULL: own daemon */
	const char *vmbus_sock;		/* --vmbus-socket */
	const char *synthnetd;		/* --synthnetd */
	const char *synthguest;		/* --synthguest */
	double duration;		/* --duration, seconds */
	uint32_t sizes[SB_MAX_SIZES];	/* --size, incl. FCS */
	unsigned int nsizes;		/* entries in sizes */
	unsigned int modes[SB_MAX_MODES]; /* --capture: enum sb_cap_mode */
	unsigned int nmodes;		/* entries in modes */
	unsigned int runs;		/* --runs */
	bool json;			/* --json */
	bool quiet;			/* --quiet */
};

/* A started child process. */
struct sb_child {
	pid_t pid;			/* 0: not running */
	const char *what;		/* "synthnetd", "synthguest --gen" */
	char out[PATH_MAX];		/* its stdout file */
	char err[PATH_MAX];		/* its stderr file */
	int status;			/* wait status once reaped */
};

/* One drop counter. */
struct sb_drop {
	char name[SB_DROP_NAME];	/* reason, e.g. "no-rxbuf" */
	uint64_t count;			/* frames */
};

/* Counters of one adapter, from `adapter stats --json`. */
struct sb_adstats {
	char state[16];			/* "up", "open", ... */
	uint64_t from_vm_pkts;		/* frames the guest sent */
	uint64_t to_vm_pkts;		/* frames delivered to the guest */
	uint64_t to_vm_bytes;		/* their bytes */
	struct sb_drop drops[SB_MAX_DROPS]; /* non-zero reasons */
	unsigned int ndrops;		/* entries in drops */
};

/* What synthguest --json printed. */
struct sb_guest {
	double seconds;			/* its measured run time */
	uint64_t tx_pkts;		/* frames sent */
	uint64_t rx_pkts;		/* frames received */
	uint64_t rx_bytes;		/* their bytes (no FCS) */
	uint64_t tx_busy;		/* ring/sections full, retried */
	uint64_t tx_dropped;		/* rejected by the library */
	uint64_t rx_dropped;		/* dropped by the library */
	uint64_t seq_gaps;		/* generator frames missing */
	uint64_t seq_reordered;		/* late or duplicate frames */
	bool failed;			/* the channel broke */
};

/* Capture modes (--capture). */
enum sb_cap_mode {
	SB_CAP_NONE,			/* no capture */
	SB_CAP_NOMATCH,			/* a filter matching nothing */
	SB_CAP_ALL,			/* every frame, to /dev/null */
};

/* Names of enum sb_cap_mode, by value (synthbench.c). */
extern const char *const sb_cap_names[];

/* What the capture of a run counted (`capture show`). */
struct sb_capstats {
	uint64_t seen;			/* frames at the watched points */
	uint64_t filtered_out;		/* rejected by the filter */
	uint64_t packets;		/* written */
	uint64_t lost;			/* matched, not captured */
	char status[96];		/* how it ended */
};

/* Result of one frame size. */
struct sb_result {
	uint32_t size;			/* frame size incl. FCS */
	unsigned int mode;		/* enum sb_cap_mode */
	unsigned int run;		/* 1 .. runs */
	struct sb_capstats cap;		/* the capture's counters */
	struct sb_guest gen;		/* generator summary */
	struct sb_guest sink;		/* sink summary */
	struct sb_adstats gen_ad;	/* generator adapter counters */
	struct sb_adstats sink_ad;	/* sink adapter counters */
	double mpps;			/* received / gen seconds */
	double l2_gbps;			/* incl. FCS */
	double wire_gbps;		/* plus preamble and IFG */
	double tx_mpps;			/* sent / gen seconds */
};

/* Everything a run needs. */
struct sb_ctx {
	struct sb_opts o;		/* options */
	char tmpdir[PATH_MAX];		/* our temporary directory */
	char ctl[PATH_MAX];		/* control socket in use */
	char vmbus[PATH_MAX];		/* vmbus-user socket in use */
	char netd[PATH_MAX];		/* synthnetd binary */
	char guest[PATH_MAX];		/* synthguest binary */
	char prefix[64];		/* own daemon's --file-prefix */
	char sw[32];			/* switch name */
	char gen_vm[64];		/* generator VM name */
	char sink_vm[64];		/* sink VM name */
	bool sw_created;		/* switch exists: delete it */
	struct sb_child daemon;		/* own synthnetd */
	struct sb_child gen;		/* synthguest --gen */
	struct sb_child sink;		/* synthguest --sink */
	/* finished (size, run, mode) measurements */
	struct sb_result res[SB_MAX_SIZES * SB_MAX_MODES * SB_MAX_RUNS];
	unsigned int nres;		/* entries in res */
	uint32_t cap_id;		/* running capture, or 0 */
	bool progress;			/* live line on stderr */
	char err[512];			/* first error, one line */
};

/* ---- output (synthbench_out.c) ------------------------------------------- */

/* Print one finished measurement as text. */
void sb_print_result(const struct sb_result *r);
/* Print all results: the text table (and summary), or JSON. */
void sb_print_table(const struct sb_ctx *x);
void sb_print_json(const struct sb_ctx *x);

#endif /* SYNTHBENCH_H */
