/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_ctl.h - synthnetd's control commands: the command table behind the
 * control socket (`synthctl switch create ...`).
 *
 * snd_ctl_exec() is the whole command layer and needs no socket: the
 * control server calls it through snd_ctl_handle(), the unit tests call it
 * directly.  It parses the command line (words, positional arguments,
 * options as "--opt VALUE", "--opt=VALUE" or flags; "--" ends the
 * options), validates, changes the model through its API (which calls
 * the daemon's hooks), and renders the answer as text or JSON.
 *
 * Every command accepts --json (same as the request's JSON flag) and
 * -h/--help (prints its usage, status 0).  Exit statuses: 0 ok; 1 the
 * command failed (unknown switch, name taken, bad MAC, hook failure...),
 * with one line saying what is wrong and what to do; 2 the command line
 * is wrong (unknown command or option, missing argument), with the
 * command's usage line.  In JSON mode failures are
 * {"error": "...", "status": N} (plus "usage" for status 2).
 *
 * Saving: after a command that changed the model (its generation moved),
 * snd_ctl_exec() calls snd_model_save() (the save hook).  When that fails
 * the change stays in effect and the command answers status 1 with
 * "configuration applied but not saved: <the hook's message>" instead of
 * its normal output.  Commands that fail or only read do not save.
 *
 * Runs on the control thread, like the model.
 */
#ifndef SND_CTL_H
#define SND_CTL_H

#include <stdbool.h>
#include <stddef.h>

#include "snctl_out.h"
#include "snctl_proto.h"
#include "snd_model.h"

/*
 * Run the command argv[0..argc) (borrowed) against m and append its
 * output to out.  json selects JSON output.  On failure whatever the
 * command had appended is cut off and replaced by the error.  Returns
 * the exit status (SNCTL_STATUS_OK, _ERROR, _USAGE).
 */
unsigned int
snd_ctl_exec(struct snd_model *m, int argc, const char *const *argv,
	     bool json, struct snctl_out *out);

/*
 * snd_ctl_exec() for a request from the control socket: fd is the
 * descriptor the client sent with it (borrowed, -1: none) and peer the
 * client's credentials (borrowed, NULL: unknown).  `capture start`
 * writes to fd (the file synthctl opened, or its standard output) and
 * gives created ring files to the client's uid/gid; other commands
 * ignore both.
 */
unsigned int
snd_ctl_exec_req(struct snd_model *m, int argc, const char *const *argv,
		 bool json, int fd, const struct snctl_peer *peer,
		 struct snctl_out *out);

/*
 * snctl_handler_fn for struct snctl_server_cfg: ctx is the struct
 * snd_model.  Runs the request's arguments with snd_ctl_exec_req() (its
 * descriptor and the peer's credentials); the request's SNCTL_FLAG_JSON
 * selects JSON.
 */
unsigned int
snd_ctl_handle(void *ctx, const struct snctl_req *req,
	       const struct snctl_peer *peer, struct snctl_out *out);

/*
 * Start the control server for m: base (may be NULL) supplies the path,
 * limits, clock and log hooks; handler and ctx are set to snd_ctl_handle
 * and m (so the clock and log hooks receive m as their ctx).
 * Returns as snctl_server_create().
 */
struct snctl_server *
snd_ctl_server_create(struct snd_model *m,
		      const struct snctl_server_cfg *base);

/* Name of the i-th implemented command ("switch create", ...), NULL past
 * the end.  For consistency checks against snctl_help_table(). */
const char *
snd_ctl_command_name(size_t i);

#endif /* SND_CTL_H */
