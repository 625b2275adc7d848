/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snctl_out.h - the output side of a control command: a growable,
 * size-capped text buffer and an aligned-column table renderer.
 *
 * A command handler writes its whole answer (text or JSON) into a struct
 * snctl_out; the control server then sends it.  Writes never fail loudly:
 * the first write that would pass the limit (or that cannot allocate) sets
 * the sticky overflow flag, writes nothing, and every later write is
 * ignored, so a handler can write freely and the server checks the flag
 * once at the end.
 *
 * The table renders like PowerShell's Format-Table (and therefore like
 * Get-VMSwitch): a header line, a line of dashes under each header, then
 * one line per row; columns are separated by one space, the last column is
 * never padded (no trailing blanks).  Widths count UTF-8 code points.
 *
 * Not thread-safe; no global state.
 */
#ifndef SNCTL_OUT_H
#define SNCTL_OUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Default size cap of an output buffer (bytes, excluding the NUL). */
#define SNCTL_OUT_DEFAULT_LIMIT (8u << 20)

/* Growable text buffer; zero-initialised memory is NOT valid, use init. */
struct snctl_out {
	char *buf;		/* owned; NUL-terminated whenever non-NULL */
	size_t len;		/* bytes written, excluding the NUL */
	size_t cap;		/* bytes allocated for buf */
	size_t limit;		/* largest len a write may reach */
	bool overflow;		/* sticky: a write was refused */
};

/* Start an empty buffer capped at limit bytes (0: the default).  No
 * allocation happens until the first write. */
void
snctl_out_init(struct snctl_out *o, size_t limit);

/* Free the buffer; o may be reused after snctl_out_init().  NULL is a
 * no-op. */
void
snctl_out_fini(struct snctl_out *o);

/* Forget the contents and the overflow flag; keeps the allocation. */
void
snctl_out_reset(struct snctl_out *o);

/* Cut the contents back to len bytes (no-op when len >= o->len) and
 * clear the overflow flag: how a caller discards a half-written answer. */
void
snctl_out_truncate(struct snctl_out *o, size_t len);

/*
 * Append n bytes from p (borrowed).  Returns 0, or -ENOSPC (would pass the
 * limit), -ENOMEM, -EINVAL (NULL o): on failure nothing is appended and
 * the overflow flag is set; after an overflow every write fails with
 * -ENOSPC.
 */
int
snctl_out_write(struct snctl_out *o, const void *p, size_t n);

/* Append a NUL-terminated string (borrowed).  Same returns as write. */
int
snctl_out_puts(struct snctl_out *o, const char *s);

/* Append one byte.  Same returns as write. */
int
snctl_out_putc(struct snctl_out *o, char c);

/* Append printf-formatted text.  Same returns as write. */
int
snctl_out_printf(struct snctl_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* va_list form of snctl_out_printf(). */
int
snctl_out_vprintf(struct snctl_out *o, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* The contents as a string ("" when empty); valid until the next write,
 * reset or fini.  Borrowed from o. */
const char *
snctl_out_str(const struct snctl_out *o);

/* ---- tables ------------------------------------------------------------ */

/* Most columns a table may have. */
#define SNCTL_TABLE_MAX_COLS 10

/* A table being built: rows are copied in, rendered at the end. */
struct snctl_table {
	unsigned int ncols;			/* columns, 1..MAX_COLS */
	const char *head[SNCTL_TABLE_MAX_COLS];	/* headers, borrowed */
	size_t width[SNCTL_TABLE_MAX_COLS];	/* widest cell */
	unsigned int right;			/* bit c: right-align */
	char **cells;				/* owned, row-major */
	size_t nrows;				/* rows added */
	size_t cap_rows;			/* rows cells has room for */
	int err;				/* sticky first error */
};

/*
 * Start a table of ncols columns named by head[0..ncols) (borrowed: they
 * must outlive the table).  Bit c of right_mask right-aligns column c
 * (numbers).  Returns 0 or -EINVAL (ncols out of range, NULL header).
 */
int
snctl_table_init(struct snctl_table *t, unsigned int ncols,
		 const char *const *head, unsigned int right_mask);

/*
 * Add a row of ncols cells (borrowed; copied; NULL is shown as empty).
 * Returns 0, -ENOMEM or the table's earlier error.
 */
int
snctl_table_add(struct snctl_table *t, const char *const *cells);

/*
 * Append the rendered table to out.  A table with no rows renders the
 * header lines only.  Returns 0, the table's error, or out's error.
 */
int
snctl_table_render(const struct snctl_table *t, struct snctl_out *out);

/* Free the copied cells.  NULL is a no-op. */
void
snctl_table_fini(struct snctl_table *t);

/*
 * Append a "Key : value" list in the style of PowerShell's Format-List:
 * keys padded to the widest one.  keys/vals hold n borrowed strings (NULL
 * values print as empty).  Returns 0 or out's error.
 */
int
snctl_out_list(struct snctl_out *out, const char *const *keys,
	       const char *const *vals, size_t n);

/* Display width of s: the number of UTF-8 code points (continuation
 * bytes are not counted). */
size_t
snctl_text_width(const char *s);

#endif /* SNCTL_OUT_H */
