/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snctl_jread.h - a small, bounded JSON reader (RFC 8259) over a byte
 * span: find an object's member, an array's element, and read numbers,
 * booleans and strings out of them.  The counterpart of snctl_json.h, for
 * programs that read what synthnetd or synthguest print.
 *
 * There is no document tree and no allocation: a value is a span (pointer
 * and length) into the caller's buffer, and each call checks the value it
 * is given: a lookup checks the whole container it searches (so a
 * truncated text is never read as one with fewer members or shorter
 * numbers), then skips over whole member values, so field order and
 * extra fields do not matter.  The bytes after a container's closing
 * bracket are not looked at by lookups; snctl_jr_value() checks that a
 * whole text is one value.
 *
 * Bounds: no call reads outside [p, p + n) of the span it is given, so a
 * span need not be NUL-terminated.  Every value a call walks over may nest
 * at most SNCTL_JR_MAX_DEPTH objects/arrays (counting itself); deeper
 * nesting is malformed.  Nothing recurses.
 *
 * What counts as well-formed: RFC 8259's grammar exactly (no trailing
 * commas, no comments, no leading zeros, no bare control bytes or invalid
 * UTF-8 in strings), with insignificant whitespace anywhere around values.
 * \uXXXX escapes may name lone UTF-16 surrogates (the grammar allows it);
 * decoding turns each one into U+FFFD.  Duplicate keys: lookups return the
 * first.
 *
 * Returns: 0 (or a length), or -EINVAL (NULL argument), -EBADMSG (the
 * bytes are not well-formed JSON, or nest too deep), -ENOMSG (well-formed
 * but of another type than asked for), -ENOENT (no such member or
 * element), -ERANGE (a number that does not fit the type asked for),
 * -EMSGSIZE (the caller's buffer is too small).
 *
 * Ownership: every span and key a call returns points into the span it
 * was given (borrowed from the caller's buffer: valid while that is).
 * No global state; snctl_jr_double() reads the locale's decimal point
 * (localeconv()), so it is as thread-safe as that.
 */
#ifndef SNCTL_JREAD_H
#define SNCTL_JREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting of objects/arrays in any value a call walks over. */
#define SNCTL_JR_MAX_DEPTH 32

/* Longest number token snctl_jr_double() converts (bytes). */
#define SNCTL_JR_NUM_MAX 128

/* A JSON text or value: n bytes at p, borrowed. */
struct snctl_jr_span {
	const char *p;			/* first byte; NULL only when n == 0 */
	size_t n;			/* length in bytes */
};

/* The type of a value (snctl_jr_type()); 0 is never a type. */
enum snctl_jr_type {
	SNCTL_JR_NULL = 1,		/* null */
	SNCTL_JR_BOOL,			/* true or false */
	SNCTL_JR_NUMBER,		/* a number */
	SNCTL_JR_STRING,		/* a string */
	SNCTL_JR_ARRAY,			/* [ ... ] */
	SNCTL_JR_OBJECT,		/* { ... } */
};

/* Iterator over an object's members or an array's elements. */
struct snctl_jr_it {
	const char *p;			/* next byte to read */
	const char *e;			/* end of the container's span */
	bool obj;			/* object: members have keys */
	bool started;			/* a member was read: ',' comes next */
	bool done;			/* ended: next() returns rc */
	int rc;				/* once done: 0 or -errno */
};

/* A span of n bytes at p (borrowed). */
static inline struct snctl_jr_span
snctl_jr_mkspan(const char *p, size_t n)
{
	struct snctl_jr_span s = { p, n };

	return s;
}

/*
 * Check that text holds exactly one well-formed value with only
 * whitespace around it; *val (may be NULL) is set to the value without
 * the whitespace.  Returns 0, -EBADMSG or -EINVAL.
 */
int
snctl_jr_value(struct snctl_jr_span text, struct snctl_jr_span *val);

/*
 * Type of the single value v holds (whitespace around it allowed).
 * Returns an enum snctl_jr_type, or -EBADMSG when v is not exactly one
 * well-formed value.
 */
int
snctl_jr_type(struct snctl_jr_span v);

/*
 * Start iterating over the object or array v starts with (leading
 * whitespace allowed; bytes after its closing bracket are ignored).  The
 * whole container is checked here.  Returns 0, -ENOMSG (v starts another
 * kind of value), -EBADMSG (v is empty, or the container is malformed,
 * truncated or nests too deep) or -EINVAL.  On failure next() returns the
 * same error.
 */
int
snctl_jr_begin(struct snctl_jr_span v, struct snctl_jr_it *it);

/*
 * Next member.  Returns 1 and sets *val to the member's value and, for an
 * object, *key to its name as a string token, quotes included (read it
 * with snctl_jr_str() or snctl_jr_str_eq()); for an array *key is
 * { NULL, 0 }.  key may be NULL.  Returns 0 after the closing bracket
 * (or begin()'s error); once it returned 0 or an error it keeps
 * returning that.
 */
int
snctl_jr_next(struct snctl_jr_it *it, struct snctl_jr_span *key,
	      struct snctl_jr_span *val);

/*
 * The value of member key (NUL-terminated, borrowed; compared with the
 * unescaped member names) of the object obj.  Returns 0, -ENOENT,
 * -ENOMSG (obj is not an object), -EBADMSG or -EINVAL.
 */
int
snctl_jr_get(struct snctl_jr_span obj, const char *key,
	     struct snctl_jr_span *val);

/*
 * Element idx (from 0) of the array arr.  Returns 0, -ENOENT (the array
 * is shorter), -ENOMSG (arr is not an array), -EBADMSG or -EINVAL.
 */
int
snctl_jr_at(struct snctl_jr_span arr, size_t idx, struct snctl_jr_span *val);

/*
 * Value getters: v holds exactly one value (whitespace around allowed).
 * u64: a plain non-negative integer (digits only); a sign, fraction or
 * exponent, or a value above UINT64_MAX, gives -ERANGE.
 * double: any number; -ERANGE when it overflows a double or is longer
 * than SNCTL_JR_NUM_MAX bytes (underflow rounds towards 0).
 * bool: true or false.
 * All return 0, -ENOMSG (another type), -ERANGE, -EBADMSG or -EINVAL;
 * *out is written only on success.
 */
int
snctl_jr_u64(struct snctl_jr_span v, uint64_t *out);
int
snctl_jr_double(struct snctl_jr_span v, double *out);
int
snctl_jr_bool(struct snctl_jr_span v, bool *out);

/*
 * Unescape the string v holds into buf (cap bytes, NUL-terminated).
 * \uXXXX escapes become UTF-8 (surrogate pairs combined, lone surrogates
 * U+FFFD); \u0000 becomes a NUL byte inside the result, so use the
 * returned length when that matters.  Returns the length (excluding the
 * NUL), or -EMSGSIZE (does not fit; buf holds ""), -ENOMSG, -EBADMSG or
 * -EINVAL (NULL buf, cap 0 or above INT_MAX); on every error buf holds ""
 * when cap > 0.
 */
int
snctl_jr_str(struct snctl_jr_span v, char *buf, size_t cap);

/* True when v holds a well-formed string whose unescaped bytes equal the
 * NUL-terminated s (borrowed). */
bool
snctl_jr_str_eq(struct snctl_jr_span v, const char *s);

/*
 * Member shorthands: snctl_jr_get(obj, key) then the getter above.
 * Same returns, plus -ENOENT when obj has no member key.
 */
int
snctl_jr_get_u64(struct snctl_jr_span obj, const char *key, uint64_t *out);
int
snctl_jr_get_double(struct snctl_jr_span obj, const char *key,
		    double *out);
int
snctl_jr_get_bool(struct snctl_jr_span obj, const char *key, bool *out);
int
snctl_jr_get_str(struct snctl_jr_span obj, const char *key, char *buf,
		 size_t cap);

#endif /* SNCTL_JREAD_H */
