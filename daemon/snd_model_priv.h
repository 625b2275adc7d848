/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_model_priv.h - the model's insides, shared by snd_model.c (registry,
 * validation) and snd_model_render.c (text and JSON).  Not for users of
 * the model: they use snd_model.h.
 */
#ifndef SND_MODEL_PRIV_H
#define SND_MODEL_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "snd_model.h"

TAILQ_HEAD(snd_switch_list, snd_switch);
TAILQ_HEAD(snd_adapter_list, snd_adapter);

struct snd_model {
	struct snd_model_hooks hooks;		/* copy; members may be NULL */
	void *ctx;				/* passed to every hook */
	struct snd_switch_list switches;	/* by name */
	struct snd_adapter_list adapters;	/* by (VM, NIC) */
	uint32_t n_switches;			/* entries in switches */
	uint32_t n_adapters;			/* entries in adapters */
	uint32_t next_switch_id;		/* id of the next switch */
	uint32_t next_relid;			/* relid search start */
	uint64_t mac_first;			/* MAC pool, 48-bit ints */
	uint64_t mac_last;			/* inclusive */
	uint64_t mac_next;			/* pool search start */
	uint64_t gen;				/* changes so far */
	uint64_t saved_gen;			/* gen at the last save */
};

/* Longest piece of user input quoted back in a message. */
#define SND_QUOTE_MAX 40

/*
 * Copy user input s into buf for quoting in a message: control bytes and
 * quotes become '?', long input is cut with "...".  Always terminates.
 * Returns buf ("(none)" for NULL).
 */
const char *
snd_quote(const char *s, char buf[SND_QUOTE_MAX + 4]);

/* Write a one-line message into err[errlen] (no-op when err is NULL). */
void
snd_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Check the notes of a switch; 0 or -EINVAL with a message. */
int
snd_notes_check(const char *notes, char *err, size_t errlen);

#endif /* SND_MODEL_PRIV_H */
