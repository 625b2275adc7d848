/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snctl_json.c - streaming JSON writer and UTF-8 checks (snctl_json.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "snctl_json.h"

size_t
snctl_utf8_seq(const uint8_t *p, size_t n)
{
	uint32_t cp;
	size_t len;
	size_t i;

	if (p == NULL || n == 0) {
		return 0;
	}
	if (p[0] < 0x80) {
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		/* 0x80..0xc1 (continuation, overlong 2-byte), 0xf5..0xff. */
		return 0;
	}
	if (n < len) {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) {
		return 0;	/* overlong */
	}
	if (cp >= 0xd800 && cp <= 0xdfff) {
		return 0;	/* UTF-16 surrogate */
	}
	if (cp > 0x10ffff) {
		return 0;
	}
	return len;
}

bool
snctl_utf8_valid(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t off = 0;

	if (s == NULL) {
		return n == 0;
	}
	while (off < n) {
		size_t k = snctl_utf8_seq(p + off, n - off);

		if (k == 0) {
			return false;
		}
		off += k;
	}
	return true;
}

void
snctl_json_init(struct snctl_json *j, struct snctl_out *out, bool pretty)
{
	if (j == NULL) {
		return;
	}
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
	if (out == NULL) {
		j->err = -EINVAL;
	}
}

static void
snctl_json_fail(struct snctl_json *j, int err)
{
	if (j->err == 0) {
		j->err = err;
	}
}

static void
snctl_json_newline(struct snctl_json *j)
{
	uint32_t i;

	if (!j->pretty) {
		return;
	}
	snctl_out_putc(j->out, '\n');
	for (i = 0; i < j->depth; i++) {
		snctl_out_puts(j->out, "  ");
	}
}

/*
 * Before any value: check that a value is allowed here and write the
 * separator.  Returns false (and fails the writer) when it is not.
 */
static bool
snctl_json_pre_value(struct snctl_json *j)
{
	uint32_t d;

	if (j == NULL) {
		return false;
	}
	if (j->err != 0) {
		return false;
	}
	if (j->depth == 0) {
		if (j->done) {
			/* a second document */
			snctl_json_fail(j, -EINVAL);
			return false;
		}
		return true;
	}
	d = j->depth - 1;
	if (j->is_obj[d]) {
		if (!j->want_value) {
			/* a value without a key */
			snctl_json_fail(j, -EINVAL);
			return false;
		}
		j->want_value = false;
		return true;
	}
	if (j->has_items[d]) {
		snctl_out_putc(j->out, ',');
	}
	j->has_items[d] = true;
	snctl_json_newline(j);
	return true;
}

/* After a complete value at depth 0 the document is done. */
static void
snctl_json_post_value(struct snctl_json *j)
{
	if (j->depth == 0) {
		j->done = true;
	}
	if (j->out->overflow) {
		snctl_json_fail(j, -ENOSPC);
	}
}

/* Write s[0..n) as a quoted, escaped JSON string. */
static void
snctl_json_quote(struct snctl_json *j, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t run = 0;		/* start of the pending verbatim run */
	size_t i = 0;

	snctl_out_putc(j->out, '"');
	while (i < n) {
		uint8_t c = p[i];
		const char *esc = NULL;
		char ubuf[8];
		size_t k;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			k = snctl_utf8_seq(p + i, n - i);
			if (k != 0) {
				i += k;
				continue;
			}
			esc = "\\ufffd";
		} else {
			switch (c) {
			case '"':
				esc = "\\\"";
				break;
			case '\\':
				esc = "\\\\";
				break;
			case '\b':
				esc = "\\b";
				break;
			case '\f':
				esc = "\\f";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			case '\t':
				esc = "\\t";
				break;
			default:
				snprintf(ubuf, sizeof(ubuf), "\\u%04x", c);
				esc = ubuf;
				break;
			}
		}
		snctl_out_write(j->out, s + run, i - run);
		snctl_out_puts(j->out, esc);
		i++;
		run = i;
	}
	snctl_out_write(j->out, s + run, n - run);
	snctl_out_putc(j->out, '"');
}

static void
snctl_json_open(struct snctl_json *j, bool obj)
{
	if (!snctl_json_pre_value(j)) {
		return;
	}
	if (j->depth >= SNCTL_JSON_MAX_DEPTH) {
		snctl_json_fail(j, -EINVAL);
		return;
	}
	snctl_out_putc(j->out, obj ? '{' : '[');
	j->is_obj[j->depth] = obj;
	j->has_items[j->depth] = false;
	j->depth++;
}

static void
snctl_json_close(struct snctl_json *j, bool obj)
{
	bool had;

	if (j == NULL || j->err != 0) {
		return;
	}
	if (j->depth == 0 || j->is_obj[j->depth - 1] != obj ||
	    j->want_value) {
		snctl_json_fail(j, -EINVAL);
		return;
	}
	had = j->has_items[j->depth - 1];
	j->depth--;
	if (had) {
		snctl_json_newline(j);
	}
	snctl_out_putc(j->out, obj ? '}' : ']');
	snctl_json_post_value(j);
}

void
snctl_json_obj_open(struct snctl_json *j)
{
	snctl_json_open(j, true);
}

void
snctl_json_obj_close(struct snctl_json *j)
{
	snctl_json_close(j, true);
}

void
snctl_json_arr_open(struct snctl_json *j)
{
	snctl_json_open(j, false);
}

void
snctl_json_arr_close(struct snctl_json *j)
{
	snctl_json_close(j, false);
}

void
snctl_json_key(struct snctl_json *j, const char *key)
{
	uint32_t d;

	if (j == NULL || j->err != 0) {
		return;
	}
	if (key == NULL || j->depth == 0 || !j->is_obj[j->depth - 1] ||
	    j->want_value) {
		snctl_json_fail(j, -EINVAL);
		return;
	}
	d = j->depth - 1;
	if (j->has_items[d]) {
		snctl_out_putc(j->out, ',');
	}
	j->has_items[d] = true;
	snctl_json_newline(j);
	snctl_json_quote(j, key, strlen(key));
	snctl_out_puts(j->out, j->pretty ? ": " : ":");
	j->want_value = true;
}

void
snctl_json_strn(struct snctl_json *j, const char *s, size_t n)
{
	if (s == NULL && n != 0) {
		if (j != NULL) {
			snctl_json_fail(j, -EINVAL);
		}
		return;
	}
	if (!snctl_json_pre_value(j)) {
		return;
	}
	snctl_json_quote(j, s != NULL ? s : "", n);
	snctl_json_post_value(j);
}

void
snctl_json_str(struct snctl_json *j, const char *s)
{
	if (s == NULL) {
		snctl_json_null(j);
		return;
	}
	snctl_json_strn(j, s, strlen(s));
}

/* A bare token (number, true, false, null). */
static void
snctl_json_raw(struct snctl_json *j, const char *tok)
{
	if (!snctl_json_pre_value(j)) {
		return;
	}
	snctl_out_puts(j->out, tok);
	snctl_json_post_value(j);
}

void
snctl_json_u64(struct snctl_json *j, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	snctl_json_raw(j, buf);
}

void
snctl_json_i64(struct snctl_json *j, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	snctl_json_raw(j, buf);
}

void
snctl_json_double(struct snctl_json *j, double v, int prec)
{
	char buf[64];
	char *p;

	if (isnan(v) || isinf(v)) {
		snctl_json_null(j);
		return;
	}
	if (prec < 0) {
		prec = 0;
	} else if (prec > 17) {
		prec = 17;
	}
	snprintf(buf, sizeof(buf), "%.*f", prec, v);
	/* JSON wants '.', whatever LC_NUMERIC says */
	for (p = buf; *p != '\0'; p++) {
		if (*p == ',') {
			*p = '.';
		}
	}
	snctl_json_raw(j, buf);
}

void
snctl_json_bool(struct snctl_json *j, bool v)
{
	snctl_json_raw(j, v ? "true" : "false");
}

void
snctl_json_null(struct snctl_json *j)
{
	snctl_json_raw(j, "null");
}

void
snctl_json_kv_str(struct snctl_json *j, const char *key, const char *s)
{
	snctl_json_key(j, key);
	snctl_json_str(j, s);
}

void
snctl_json_kv_u64(struct snctl_json *j, const char *key, uint64_t v)
{
	snctl_json_key(j, key);
	snctl_json_u64(j, v);
}

void
snctl_json_kv_i64(struct snctl_json *j, const char *key, int64_t v)
{
	snctl_json_key(j, key);
	snctl_json_i64(j, v);
}

void
snctl_json_kv_double(struct snctl_json *j, const char *key, double v,
		     int prec)
{
	snctl_json_key(j, key);
	snctl_json_double(j, v, prec);
}

void
snctl_json_kv_bool(struct snctl_json *j, const char *key, bool v)
{
	snctl_json_key(j, key);
	snctl_json_bool(j, v);
}

int
snctl_json_end(struct snctl_json *j)
{
	if (j == NULL) {
		return -EINVAL;
	}
	if (j->err != 0) {
		return j->err;
	}
	if (!j->done || j->depth != 0) {
		j->err = -EINVAL;
		return j->err;
	}
	if (snctl_out_putc(j->out, '\n') < 0) {
		j->err = -ENOSPC;
	}
	return j->err;
}
