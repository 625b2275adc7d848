/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snctl_help.h - the synthctl command reference: one table of commands,
 * their arguments and one-line summaries.
 *
 * Both sides print from this table: synthctl for `synthctl help` (which
 * must work when the daemon is not running) and the daemon's dispatcher
 * (daemon/snd_ctl.c) for usage errors.  The unit tests check that every
 * command the dispatcher implements has an entry here and the reverse.
 */
#ifndef SNCTL_HELP_H
#define SNCTL_HELP_H

#include <stddef.h>

#include "snctl_out.h"

/* One command. */
struct snctl_help {
	const char *cmd;	/* command words, e.g. "switch create" */
	const char *args;	/* arguments, e.g. "NAME --type private ..." */
	const char *summary;	/* what it does, one line */
};

/* The table (static storage) and its length in *n. */
const struct snctl_help *
snctl_help_table(size_t *n);

/* The entry for the command words cmd ("switch create"), or NULL. */
const struct snctl_help *
snctl_help_find(const char *cmd);

/* Append "usage: synthctl CMD ARGS\n" for one entry. */
int
snctl_help_usage(const struct snctl_help *h, struct snctl_out *out);

/*
 * Append the full help: synopsis, every command with its summary, the
 * global options.  Returns 0 or out's error.
 */
int
snctl_help_render(struct snctl_out *out);

#endif /* SNCTL_HELP_H */
