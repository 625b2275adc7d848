/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snctl_json.h - a small streaming JSON writer (RFC 8259) into a
 * struct snctl_out, plus the UTF-8 validation the control protocol uses.
 *
 * The writer emits tokens as they are called, keeping only a nesting
 * stack: there is no document tree.  Usage errors (a value in an object
 * without a key, a key in an array, unbalanced closes, nesting deeper than
 * SNCTL_JSON_MAX_DEPTH, a second top-level value) make the writer sticky-
 * failed with -EINVAL; the output buffer's overflow makes it fail with
 * -ENOSPC.  snctl_json_end() reports the first error, so callers write a
 * whole document without checking every call.
 *
 * Strings: '"' and '\\' are escaped; \b \f \n \r \t use their short
 * escapes; every other byte below 0x20, and 0x7f, becomes \u00XX.  Valid
 * UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF) is copied unchanged; each byte of an invalid sequence becomes
 * \ufffd (REPLACEMENT CHARACTER), so the output is always valid UTF-8 and
 * valid JSON whatever the input.
 *
 * Not thread-safe; no global state.
 */
#ifndef SNCTL_JSON_H
#define SNCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snctl_out.h"

/* Deepest nesting of objects/arrays. */
#define SNCTL_JSON_MAX_DEPTH 32

/* Writer state. */
struct snctl_json {
	struct snctl_out *out;			/* sink, borrowed */
	uint32_t depth;				/* open containers */
	bool is_obj[SNCTL_JSON_MAX_DEPTH];	/* container kind per level */
	bool has_items[SNCTL_JSON_MAX_DEPTH];	/* a member was written */
	bool want_value;			/* key written, value due */
	bool done;				/* top-level value ended */
	bool pretty;				/* indent 2 per level */
	int err;				/* sticky first error */
};

/* Start a document written to out (borrowed; must outlive j).  pretty
 * puts every member on its own line, indented by two blanks per level. */
void
snctl_json_init(struct snctl_json *j, struct snctl_out *out, bool pretty);

/* Open/close an object or an array (as a value: after a key in an
 * object, as an element in an array, or at the top level). */
void
snctl_json_obj_open(struct snctl_json *j);
void
snctl_json_obj_close(struct snctl_json *j);
void
snctl_json_arr_open(struct snctl_json *j);
void
snctl_json_arr_close(struct snctl_json *j);

/* Write a member name (borrowed, escaped like a string); only directly
 * inside an object, and only when no value is due. */
void
snctl_json_key(struct snctl_json *j, const char *key);

/* Values.  str(NULL) writes null.  strn writes n bytes of s, which may
 * contain NUL bytes (escaped as \u0000). */
void
snctl_json_str(struct snctl_json *j, const char *s);
void
snctl_json_strn(struct snctl_json *j, const char *s, size_t n);
void
snctl_json_u64(struct snctl_json *j, uint64_t v);
void
snctl_json_i64(struct snctl_json *j, int64_t v);
/* v with prec (0..17) decimals; NaN and infinities are written as null. */
void
snctl_json_double(struct snctl_json *j, double v, int prec);
void
snctl_json_bool(struct snctl_json *j, bool v);
void
snctl_json_null(struct snctl_json *j);

/* key + value shorthands. */
void
snctl_json_kv_str(struct snctl_json *j, const char *key, const char *s);
void
snctl_json_kv_u64(struct snctl_json *j, const char *key, uint64_t v);
void
snctl_json_kv_i64(struct snctl_json *j, const char *key, int64_t v);
void
snctl_json_kv_double(struct snctl_json *j, const char *key, double v,
		     int prec);
void
snctl_json_kv_bool(struct snctl_json *j, const char *key, bool v);

/*
 * Finish the document: appends a newline.  Returns 0 when exactly one
 * complete top-level value was written without error, -EINVAL on misuse
 * or an incomplete document, -ENOSPC/-ENOMEM when the output overflowed.
 */
int
snctl_json_end(struct snctl_json *j);

/*
 * Length (1..4) of the valid UTF-8 sequence that starts at p (n bytes
 * available), or 0 when the bytes at p do not start a valid sequence
 * (n == 0, stray continuation byte, bad lead byte, truncated sequence,
 * overlong form, surrogate, or a code point above U+10FFFF).
 */
size_t
snctl_utf8_seq(const uint8_t *p, size_t n);

/* True when the n bytes at s are entirely valid UTF-8 (n == 0: true). */
bool
snctl_utf8_valid(const char *s, size_t n);

#endif /* SNCTL_JSON_H */
