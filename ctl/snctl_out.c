/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snctl_out.c - growable output buffer and aligned tables (snctl_out.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snctl_out.h"

/* First allocation of an output buffer. */
#define SNCTL_OUT_MIN_CAP 256u

void
snctl_out_init(struct snctl_out *o, size_t limit)
{
	if (o == NULL) {
		return;
	}
	o->buf = NULL;
	o->len = 0;
	o->cap = 0;
	o->limit = limit != 0 ? limit : SNCTL_OUT_DEFAULT_LIMIT;
	o->overflow = false;
}

void
snctl_out_fini(struct snctl_out *o)
{
	if (o == NULL) {
		return;
	}
	free(o->buf);
	o->buf = NULL;
	o->len = 0;
	o->cap = 0;
	o->overflow = false;
}

void
snctl_out_reset(struct snctl_out *o)
{
	if (o == NULL) {
		return;
	}
	o->len = 0;
	if (o->buf != NULL) {
		o->buf[0] = '\0';
	}
	o->overflow = false;
}

void
snctl_out_truncate(struct snctl_out *o, size_t len)
{
	if (o == NULL) {
		return;
	}
	if (len < o->len) {
		o->len = len;
		o->buf[len] = '\0';
	}
	o->overflow = false;
}

/* Make room for len + n + 1 bytes.  0, -ENOSPC or -ENOMEM. */
static int
snctl_out_reserve(struct snctl_out *o, size_t n)
{
	size_t want;
	size_t ncap;
	char *nbuf;

	if (n > o->limit || o->len > o->limit - n) {
		return -ENOSPC;
	}
	want = o->len + n + 1;
	if (want <= o->cap) {
		return 0;
	}
	ncap = o->cap != 0 ? o->cap : SNCTL_OUT_MIN_CAP;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2) {
			ncap = want;
			break;
		}
		ncap *= 2;
	}
	/* Never allocate much past what the limit can use. */
	if (ncap > o->limit + 1) {
		ncap = o->limit + 1;
	}
	nbuf = realloc(o->buf, ncap);
	if (nbuf == NULL) {
		return -ENOMEM;
	}
	o->buf = nbuf;
	o->cap = ncap;
	return 0;
}

int
snctl_out_write(struct snctl_out *o, const void *p, size_t n)
{
	int rc;

	if (o == NULL || (p == NULL && n != 0)) {
		return -EINVAL;
	}
	if (o->overflow) {
		return -ENOSPC;
	}
	rc = snctl_out_reserve(o, n);
	if (rc < 0) {
		o->overflow = true;
		return rc;
	}
	if (n != 0) {
		memcpy(o->buf + o->len, p, n);
	}
	o->len += n;
	o->buf[o->len] = '\0';
	return 0;
}

int
snctl_out_puts(struct snctl_out *o, const char *s)
{
	if (s == NULL) {
		return -EINVAL;
	}
	return snctl_out_write(o, s, strlen(s));
}

int
snctl_out_putc(struct snctl_out *o, char c)
{
	return snctl_out_write(o, &c, 1);
}

int
snctl_out_vprintf(struct snctl_out *o, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;
	char *big;
	int n;
	int rc;

	if (o == NULL || fmt == NULL) {
		return -EINVAL;
	}
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		return -EINVAL;
	}
	if ((size_t)n < sizeof(small)) {
		return snctl_out_write(o, small, (size_t)n);
	}
	big = malloc((size_t)n + 1);
	if (big == NULL) {
		o->overflow = true;
		return -ENOMEM;
	}
	va_copy(ap2, ap);
	vsnprintf(big, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	rc = snctl_out_write(o, big, (size_t)n);
	free(big);
	return rc;
}

int
snctl_out_printf(struct snctl_out *o, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = snctl_out_vprintf(o, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
snctl_out_str(const struct snctl_out *o)
{
	if (o == NULL || o->buf == NULL) {
		return "";
	}
	return o->buf;
}

size_t
snctl_text_width(const char *s)
{
	size_t w = 0;

	if (s == NULL) {
		return 0;
	}
	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80) {
			w++;
		}
	}
	return w;
}

/* ---- tables ------------------------------------------------------------ */

int
snctl_table_init(struct snctl_table *t, unsigned int ncols,
		 const char *const *head, unsigned int right_mask)
{
	unsigned int c;

	if (t == NULL) {
		return -EINVAL;
	}
	memset(t, 0, sizeof(*t));
	if (ncols == 0 || ncols > SNCTL_TABLE_MAX_COLS || head == NULL) {
		t->err = -EINVAL;
		return -EINVAL;
	}
	for (c = 0; c < ncols; c++) {
		if (head[c] == NULL) {
			t->err = -EINVAL;
			return -EINVAL;
		}
		t->head[c] = head[c];
		t->width[c] = snctl_text_width(head[c]);
	}
	t->ncols = ncols;
	t->right = right_mask;
	return 0;
}

int
snctl_table_add(struct snctl_table *t, const char *const *cells)
{
	char **row;
	unsigned int c;
	size_t w;

	if (t == NULL || cells == NULL) {
		return -EINVAL;
	}
	if (t->err != 0) {
		return t->err;
	}
	if (t->nrows == t->cap_rows) {
		size_t ncap = t->cap_rows != 0 ? t->cap_rows * 2 : 8;
		char **ncells;

		if (ncap > SIZE_MAX / sizeof(char *) / t->ncols) {
			t->err = -ENOMEM;
			return t->err;
		}
		ncells = realloc(t->cells, ncap * t->ncols * sizeof(char *));
		if (ncells == NULL) {
			t->err = -ENOMEM;
			return t->err;
		}
		t->cells = ncells;
		t->cap_rows = ncap;
	}
	row = t->cells + t->nrows * t->ncols;
	for (c = 0; c < t->ncols; c++) {
		row[c] = strdup(cells[c] != NULL ? cells[c] : "");
		if (row[c] == NULL) {
			while (c-- > 0) {
				free(row[c]);
			}
			t->err = -ENOMEM;
			return t->err;
		}
	}
	for (c = 0; c < t->ncols; c++) {
		w = snctl_text_width(row[c]);
		if (w > t->width[c]) {
			t->width[c] = w;
		}
	}
	t->nrows++;
	return 0;
}

/* Pad with n blanks. */
static void
snctl_pad(struct snctl_out *out, size_t n)
{
	static const char blanks[] = "                                ";

	while (n > 0) {
		size_t k = n < sizeof(blanks) - 1 ? n : sizeof(blanks) - 1;

		snctl_out_write(out, blanks, k);
		n -= k;
	}
}

/* One line of cells; the last column is not padded unless right-aligned. */
static void
snctl_table_line(const struct snctl_table *t, struct snctl_out *out,
		 const char *const *cells)
{
	size_t start = out->len;
	unsigned int c;

	for (c = 0; c < t->ncols; c++) {
		size_t w = snctl_text_width(cells[c]);
		size_t pad = t->width[c] - w;
		bool last = c + 1 == t->ncols;

		if (c != 0) {
			snctl_out_putc(out, ' ');
		}
		if ((t->right & (1u << c)) != 0) {
			snctl_pad(out, pad);
			snctl_out_puts(out, cells[c]);
		} else {
			snctl_out_puts(out, cells[c]);
			if (!last) {
				snctl_pad(out, pad);
			}
		}
	}
	/* Empty trailing cells leave blanks: drop them. */
	if (!out->overflow) {
		size_t end = out->len;

		while (end > start && out->buf[end - 1] == ' ') {
			end--;
		}
		snctl_out_truncate(out, end);
	}
	snctl_out_putc(out, '\n');
}

int
snctl_table_render(const struct snctl_table *t, struct snctl_out *out)
{
	const char *dashes[SNCTL_TABLE_MAX_COLS];
	char *dbuf[SNCTL_TABLE_MAX_COLS];
	unsigned int c;
	size_t r;
	int rc = 0;

	if (t == NULL || out == NULL) {
		return -EINVAL;
	}
	if (t->err != 0) {
		return t->err;
	}
	/* Dashes as long as each header, as PowerShell draws them. */
	for (c = 0; c < t->ncols; c++) {
		size_t n = snctl_text_width(t->head[c]);

		dbuf[c] = malloc(n + 1);
		if (dbuf[c] == NULL) {
			while (c-- > 0) {
				free(dbuf[c]);
			}
			return -ENOMEM;
		}
		memset(dbuf[c], '-', n);
		dbuf[c][n] = '\0';
		dashes[c] = dbuf[c];
	}
	snctl_table_line(t, out, t->head);
	snctl_table_line(t, out, dashes);
	for (r = 0; r < t->nrows; r++) {
		const char *const *row =
			(const char *const *)(t->cells + r * t->ncols);

		snctl_table_line(t, out, row);
	}
	for (c = 0; c < t->ncols; c++) {
		free(dbuf[c]);
	}
	if (out->overflow) {
		rc = -ENOSPC;
	}
	return rc;
}

void
snctl_table_fini(struct snctl_table *t)
{
	size_t i;

	if (t == NULL) {
		return;
	}
	if (t->cells != NULL) {
		for (i = 0; i < t->nrows * t->ncols; i++) {
			free(t->cells[i]);
		}
		free(t->cells);
	}
	t->cells = NULL;
	t->nrows = 0;
	t->cap_rows = 0;
}

int
snctl_out_list(struct snctl_out *out, const char *const *keys,
	       const char *const *vals, size_t n)
{
	size_t kw = 0;
	size_t i;

	if (out == NULL || (n != 0 && (keys == NULL || vals == NULL))) {
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		size_t w = snctl_text_width(keys[i]);

		if (w > kw) {
			kw = w;
		}
	}
	for (i = 0; i < n; i++) {
		snctl_out_puts(out, keys[i]);
		snctl_pad(out, kw - snctl_text_width(keys[i]));
		if (vals[i] != NULL && vals[i][0] != '\0') {
			snctl_out_puts(out, " : ");
			snctl_out_puts(out, vals[i]);
		} else {
			snctl_out_puts(out, " :");
		}
		snctl_out_putc(out, '\n');
	}
	return out->overflow ? -ENOSPC : 0;
}
