/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_ctl_priv.h - state and helpers shared by the control command files:
 * snd_ctl.c (table, parser, most handlers) and snd_ctl_capture.c (the
 * capture commands).
 */
#ifndef SND_CTL_PRIV_H
#define SND_CTL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snd_ctl.h"

/* Most options one command has, and positional arguments. */
#define SND_CTL_MAX_OPTS 16
#define SND_CTL_MAX_POS 1
/* Most values of a repeatable option. */
#define SND_CTL_MAX_MULTI SND_HOST_IPS_MAX
/* Longest piece of user input quoted back in a message. */
#define SND_CTL_QUOTE_MAX 40

/* What an option takes. */
enum snd_ctl_kind {
	SND_OPT_FLAG,		/* nothing: "--force" */
	SND_OPT_VALUE,		/* one value: "--switch NAME" */
	SND_OPT_MULTI,		/* repeatable value: "--host-ip CIDR" */
};

/* An option a command accepts. */
struct snd_ctl_opt {
	const char *name;	/* "--switch" */
	enum snd_ctl_kind kind;	/* SND_OPT_* */
};

struct snd_ctl_call;

/* One command. */
struct snd_ctl_cmd {
	const char *name;			/* as in snctl_help_table() */
	unsigned int npos;			/* positionals, exactly */
	const char *pos_name;			/* "switch name" */
	struct snd_ctl_opt opts[SND_CTL_MAX_OPTS]; /* name NULL ends */
	unsigned int (*fn)(struct snd_ctl_call *c);
};

/* A command being run. */
struct snd_ctl_call {
	struct snd_model *m;			/* the model */
	const struct snd_ctl_cmd *cmd;		/* the command */
	bool json;				/* JSON output */
	struct snctl_out *out;			/* answer sink */
	size_t start;				/* out->len on entry */
	const char *pos[SND_CTL_MAX_POS];	/* positionals */
	unsigned int npos;			/* their number */
	const char *val[SND_CTL_MAX_OPTS];	/* option values, by index */
	bool set[SND_CTL_MAX_OPTS];		/* option given */
	/* values of the SND_OPT_MULTI option (one per command) */
	const char *multi[SND_CTL_MAX_MULTI];
	unsigned int nmulti;			/* entries in multi */
	int fd;				/* descriptor sent with the
					 * request (borrowed), or -1 */
	const struct snctl_peer *peer;		/* client, or NULL */
	char err[512];				/* model error text */
};

/* ---- helpers (snd_ctl.c) ------------------------------------------------ */

/* Sanitised copy of user input for a message (see snd_model.c). */
const char *snd_ctl_quote(const char *s, char buf[SND_CTL_QUOTE_MAX + 4]);

/* Replace the answer with an error / a usage error; return the status. */
unsigned int snd_ctl_fail(struct snd_ctl_call *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
unsigned int snd_ctl_usage(struct snd_ctl_call *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Status of a render call: 0 -> OK, else the error. */
unsigned int snd_ctl_rendered(struct snd_ctl_call *c, int rc);

/* Value of option name, or NULL when absent (flags: "" when set). */
const char *snd_ctl_opt(const struct snd_ctl_call *c, const char *name);

/* Append ", " separated NIC names of VM vm to buf. */
void snd_ctl_vm_nics(const struct snd_model *m, const char *vm, char *buf,
		     size_t cap);

/* Look up the switch named by argument name; error when missing. */
struct snd_switch *snd_ctl_switch(struct snd_ctl_call *c, const char *name,
				  unsigned int *st);

/* Parse a decimal number (optional k/M/G/T suffix when suffix).
 * 0, -EINVAL or -ERANGE. */
int snd_ctl_num(const char *s, bool suffix, uint64_t max, uint64_t *out);

/* ---- capture commands (snd_ctl_capture.c) ------------------------------- */

unsigned int snd_ctl_capture_start(struct snd_ctl_call *c);
unsigned int snd_ctl_capture_list(struct snd_ctl_call *c);
unsigned int snd_ctl_capture_show(struct snd_ctl_call *c);
unsigned int snd_ctl_capture_stop(struct snd_ctl_call *c);

#endif /* SND_CTL_PRIV_H */
