/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snctl_jread.c - bounded JSON reader (snctl_jread.h).
 *
 * Every scanner takes the current position p and the end e of the span
 * and returns the position after what it recognised, or NULL; none reads
 * at or past e.  jr_skip() walks a whole value without recursion: one bit
 * per open container says whether it is an object.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "snctl_json.h"
#include "snctl_jread.h"

_Static_assert(SNCTL_JR_MAX_DEPTH >= 1 && SNCTL_JR_MAX_DEPTH <= 64,
	       "jr_skip keeps one bit per level in a uint64_t");

/* Unicode REPLACEMENT CHARACTER: what a lone surrogate decodes to. */
#define JR_REPLACEMENT 0xfffdu

static const char *
jr_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' ||
			 *p == '\r')) {
		p++;
	}
	return p;
}

/* The 4 hex digits at p as a number (v may be NULL); false when there are
 * fewer than 4 bytes before e or one is not a hex digit. */
static bool
jr_hex4(const char *p, const char *e, uint32_t *v)
{
	uint32_t x = 0;
	int i;

	if (e - p < 4) {
		return false;
	}
	for (i = 0; i < 4; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9') {
			x = x << 4 | (uint32_t)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			x = x << 4 | (uint32_t)(c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			x = x << 4 | (uint32_t)(c - 'A' + 10);
		} else {
			return false;
		}
	}
	if (v != NULL) {
		*v = x;
	}
	return true;
}

/* End of the string token at p (on its opening quote), or NULL. */
static const char *
jr_str_end(const char *p, const char *e)
{
	p++;
	while (p < e) {
		unsigned char c = (unsigned char)*p;
		size_t k;

		if (c == '"') {
			return p + 1;
		}
		if (c < 0x20) {
			return NULL;
		}
		if (c >= 0x80) {
			k = snctl_utf8_seq((const uint8_t *)p, (size_t)(e - p));
			if (k == 0) {
				return NULL;
			}
			p += k;
			continue;
		}
		if (c != '\\') {
			p++;
			continue;
		}
		if (e - p < 2) {
			return NULL;
		}
		switch (p[1]) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			p += 2;
			break;
		case 'u':
			if (!jr_hex4(p + 2, e, NULL)) {
				return NULL;
			}
			p += 6;
			break;
		default:
			return NULL;
		}
	}
	return NULL;
}

static const char *
jr_digits(const char *p, const char *e)
{
	while (p < e && *p >= '0' && *p <= '9') {
		p++;
	}
	return p;
}

/* End of the number token at p, or NULL (RFC 8259 section 6). */
static const char *
jr_num_end(const char *p, const char *e)
{
	const char *q;

	if (p < e && *p == '-') {
		p++;
	}
	if (p >= e) {
		return NULL;
	}
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		p = jr_digits(p, e);
	} else {
		return NULL;
	}
	if (p < e && *p == '.') {
		q = jr_digits(p + 1, e);
		if (q == p + 1) {
			return NULL;
		}
		p = q;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-')) {
			p++;
		}
		q = jr_digits(p, e);
		if (q == p) {
			return NULL;
		}
		p = q;
	}
	return p;
}

static const char *
jr_lit_end(const char *p, const char *e, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(e - p) < n || memcmp(p, lit, n) != 0) {
		return NULL;
	}
	return p + n;
}

/* End of the string, number or literal at p (p < e), or NULL. */
static const char *
jr_scalar_end(const char *p, const char *e)
{
	switch (*p) {
	case '"':
		return jr_str_end(p, e);
	case 't':
		return jr_lit_end(p, e, "true");
	case 'f':
		return jr_lit_end(p, e, "false");
	case 'n':
		return jr_lit_end(p, e, "null");
	default:
		return jr_num_end(p, e);
	}
}

/* A member name (whitespace before it allowed) and the ':' after it:
 * returns the byte after the ':' or NULL; *key (may be NULL) is set to
 * the name's string token. */
static const char *
jr_member_key(const char *p, const char *e, struct snctl_jr_span *key)
{
	const char *q;

	p = jr_ws(p, e);
	if (p >= e || *p != '"' || (q = jr_str_end(p, e)) == NULL) {
		return NULL;
	}
	if (key != NULL) {
		key->p = p;
		key->n = (size_t)(q - p);
	}
	q = jr_ws(q, e);
	if (q >= e || *q != ':') {
		return NULL;
	}
	return q + 1;
}

/*
 * End of the value at p (whitespace before it allowed), or NULL when it
 * is malformed, runs into e, or nests more than max_depth containers.
 */
static const char *
jr_skip(const char *p, const char *e, unsigned int max_depth)
{
	uint64_t is_obj = 0;	/* bit d: the container at depth d */
	unsigned int depth = 0;	/* containers open */
	bool obj;

	for (;;) {
		/* A value is due at p. */
		p = jr_ws(p, e);
		if (p >= e) {
			return NULL;
		}
		if (*p == '{' || *p == '[') {
			obj = *p == '{';
			if (depth >= max_depth) {
				return NULL;
			}
			if (obj) {
				is_obj |= UINT64_C(1) << depth;
			} else {
				is_obj &= ~(UINT64_C(1) << depth);
			}
			depth++;
			p = jr_ws(p + 1, e);
			if (p < e && *p == (obj ? '}' : ']')) {
				depth--;
				p++;
			} else {
				if (obj &&
				    (p = jr_member_key(p, e, NULL)) == NULL) {
					return NULL;
				}
				continue;
			}
		} else if ((p = jr_scalar_end(p, e)) == NULL) {
			return NULL;
		}
		/* A value ended at p: close containers or start a member. */
		for (;;) {
			if (depth == 0) {
				return p;
			}
			obj = (is_obj >> (depth - 1) & 1) != 0;
			p = jr_ws(p, e);
			if (p >= e) {
				return NULL;
			}
			if (*p == (obj ? '}' : ']')) {
				depth--;
				p++;
				continue;
			}
			if (*p != ',') {
				return NULL;
			}
			p++;
			if (obj && (p = jr_member_key(p, e, NULL)) == NULL) {
				return NULL;
			}
			break;
		}
	}
}

/* The single value v holds, without the whitespace around it: [*b, *q).
 * Returns 0, -EBADMSG or -EINVAL. */
static int
jr_trim(struct snctl_jr_span v, const char **b, const char **q)
{
	const char *e;

	if (v.p == NULL) {
		return v.n == 0 ? -EBADMSG : -EINVAL;
	}
	e = v.p + v.n;
	*b = jr_ws(v.p, e);
	*q = jr_skip(*b, e, SNCTL_JR_MAX_DEPTH);
	if (*q == NULL || jr_ws(*q, e) != e) {
		return -EBADMSG;
	}
	return 0;
}

/* Type of the well-formed value whose first byte is c. */
static int
jr_type_of(char c)
{
	switch (c) {
	case '{':
		return SNCTL_JR_OBJECT;
	case '[':
		return SNCTL_JR_ARRAY;
	case '"':
		return SNCTL_JR_STRING;
	case 't':
	case 'f':
		return SNCTL_JR_BOOL;
	case 'n':
		return SNCTL_JR_NULL;
	default:
		return SNCTL_JR_NUMBER;
	}
}

/* Trim v and check that it holds a value of type want.  Returns 0,
 * -ENOMSG, -EBADMSG or -EINVAL. */
static int
jr_want(struct snctl_jr_span v, int want, const char **b, const char **q)
{
	int rc = jr_trim(v, b, q);

	if (rc < 0) {
		return rc;
	}
	return jr_type_of(**b) == want ? 0 : -ENOMSG;
}

/* Write code point cp as UTF-8 into out; returns the byte count. */
static int
jr_utf8(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The code point of the \u escape at p (on the backslash), combining a
 * surrogate pair; *len is set to the bytes used.  -1 when malformed. */
static int32_t
jr_unicode(const char *p, const char *e, size_t *len)
{
	uint32_t hi;
	uint32_t lo;

	if (e - p < 6 || !jr_hex4(p + 2, e, &hi)) {
		return -1;
	}
	*len = 6;
	if (hi >= 0xd800 && hi <= 0xdbff && e - p >= 12 && p[6] == '\\' &&
	    p[7] == 'u' && jr_hex4(p + 8, e, &lo) && lo >= 0xdc00 &&
	    lo <= 0xdfff) {
		*len = 12;
		return (int32_t)(0x10000 + ((hi - 0xd800) << 10) +
				 (lo - 0xdc00));
	}
	if (hi >= 0xd800 && hi <= 0xdfff) {
		return (int32_t)JR_REPLACEMENT;
	}
	return (int32_t)hi;
}

/*
 * Decode the next character of a string body at *pp (e: end of the
 * token): writes 1..4 bytes to out and advances *pp.  Returns the byte
 * count, 0 at the closing quote, -1 when malformed (never for a token
 * jr_str_end() accepted; checked anyway).
 */
static int
jr_str_next(const char **pp, const char *e, char out[4])
{
	const char *p = *pp;
	int32_t cp;
	size_t len;

	if (p >= e) {
		return -1;
	}
	if (*p == '"') {
		return 0;
	}
	if (*p != '\\') {
		out[0] = *p;
		*pp = p + 1;
		return 1;
	}
	if (e - p < 2) {
		return -1;
	}
	len = 2;
	switch (p[1]) {
	case 'b':
		out[0] = '\b';
		break;
	case 'f':
		out[0] = '\f';
		break;
	case 'n':
		out[0] = '\n';
		break;
	case 'r':
		out[0] = '\r';
		break;
	case 't':
		out[0] = '\t';
		break;
	case 'u':
		cp = jr_unicode(p, e, &len);
		if (cp < 0) {
			return -1;
		}
		*pp = p + len;
		return jr_utf8((uint32_t)cp, out);
	default:
		/* '"', '\\', '/' stand for themselves. */
		out[0] = p[1];
		break;
	}
	*pp = p + len;
	return 1;
}

/* True when the string token [b, q) unescapes to the n bytes at s. */
static bool
jr_tok_eq(const char *b, const char *q, const char *s, size_t n)
{
	const char *p = b + 1;
	size_t off = 0;
	char ch[4];
	int k;

	while ((k = jr_str_next(&p, q, ch)) > 0) {
		if ((size_t)k > n - off ||
		    memcmp(s + off, ch, (size_t)k) != 0) {
			return false;
		}
		off += (size_t)k;
	}
	return k == 0 && off == n;
}

static int
jr_it_end(struct snctl_jr_it *it, int rc)
{
	it->done = true;
	it->rc = rc;
	return rc;
}

int
snctl_jr_value(struct snctl_jr_span text, struct snctl_jr_span *val)
{
	const char *b;
	const char *q;
	int rc = jr_trim(text, &b, &q);

	if (rc < 0) {
		return rc;
	}
	if (val != NULL) {
		val->p = b;
		val->n = (size_t)(q - b);
	}
	return 0;
}

int
snctl_jr_type(struct snctl_jr_span v)
{
	const char *b;
	const char *q;
	int rc = jr_trim(v, &b, &q);

	return rc < 0 ? rc : jr_type_of(*b);
}

int
snctl_jr_begin(struct snctl_jr_span v, struct snctl_jr_it *it)
{
	const char *e;
	const char *p;
	const char *q;

	if (it == NULL) {
		return -EINVAL;
	}
	memset(it, 0, sizeof(*it));
	if (v.p == NULL) {
		return jr_it_end(it, v.n == 0 ? -EBADMSG : -EINVAL);
	}
	e = v.p + v.n;
	p = jr_ws(v.p, e);
	if (p >= e) {
		return jr_it_end(it, -EBADMSG);
	}
	if (*p != '{' && *p != '[') {
		return jr_it_end(it, jr_scalar_end(p, e) != NULL ?
				 -ENOMSG : -EBADMSG);
	}
	/* Check the whole container first, so that a truncated text is
	 * never read as one with fewer members or shorter numbers. */
	q = jr_skip(p, e, SNCTL_JR_MAX_DEPTH);
	if (q == NULL) {
		return jr_it_end(it, -EBADMSG);
	}
	it->obj = *p == '{';
	it->p = p + 1;
	it->e = q;
	return 0;
}

int
snctl_jr_next(struct snctl_jr_it *it, struct snctl_jr_span *key,
	      struct snctl_jr_span *val)
{
	struct snctl_jr_span k = { NULL, 0 };
	const char *p;
	const char *q;

	if (it == NULL || val == NULL) {
		return -EINVAL;
	}
	if (it->done) {
		return it->rc;
	}
	p = jr_ws(it->p, it->e);
	if (p < it->e && *p == (it->obj ? '}' : ']')) {
		it->p = p + 1;
		return jr_it_end(it, 0);
	}
	/* begin() checked the container: what follows cannot fail, but
	 * every step is still checked against it->e. */
	if (it->started) {
		if (p >= it->e || *p != ',') {
			return jr_it_end(it, -EBADMSG);
		}
		p++;
	}
	if (it->obj && (p = jr_member_key(p, it->e, &k)) == NULL) {
		return jr_it_end(it, -EBADMSG);
	}
	p = jr_ws(p, it->e);
	/* The container itself is one level. */
	q = jr_skip(p, it->e, SNCTL_JR_MAX_DEPTH - 1);
	if (q == NULL) {
		return jr_it_end(it, -EBADMSG);
	}
	val->p = p;
	val->n = (size_t)(q - p);
	if (key != NULL) {
		*key = k;
	}
	it->p = q;
	it->started = true;
	return 1;
}

int
snctl_jr_get(struct snctl_jr_span obj, const char *key,
	     struct snctl_jr_span *val)
{
	struct snctl_jr_it it;
	struct snctl_jr_span k;
	struct snctl_jr_span v;
	size_t kl;
	int rc;

	if (key == NULL || val == NULL) {
		return -EINVAL;
	}
	kl = strlen(key);
	rc = snctl_jr_begin(obj, &it);
	if (rc < 0) {
		return rc;
	}
	if (!it.obj) {
		return -ENOMSG;
	}
	while ((rc = snctl_jr_next(&it, &k, &v)) == 1) {
		if (jr_tok_eq(k.p, k.p + k.n, key, kl)) {
			*val = v;
			return 0;
		}
	}
	return rc == 0 ? -ENOENT : rc;
}

int
snctl_jr_at(struct snctl_jr_span arr, size_t idx, struct snctl_jr_span *val)
{
	struct snctl_jr_it it;
	struct snctl_jr_span v;
	size_t i = 0;
	int rc;

	if (val == NULL) {
		return -EINVAL;
	}
	rc = snctl_jr_begin(arr, &it);
	if (rc < 0) {
		return rc;
	}
	if (it.obj) {
		return -ENOMSG;
	}
	while ((rc = snctl_jr_next(&it, NULL, &v)) == 1) {
		if (i++ == idx) {
			*val = v;
			return 0;
		}
	}
	return rc == 0 ? -ENOENT : rc;
}

int
snctl_jr_u64(struct snctl_jr_span v, uint64_t *out)
{
	const char *b;
	const char *q;
	uint64_t x = 0;
	int rc;

	if (out == NULL) {
		return -EINVAL;
	}
	rc = jr_want(v, SNCTL_JR_NUMBER, &b, &q);
	if (rc < 0) {
		return rc;
	}
	for (; b < q; b++) {
		unsigned int d = (unsigned int)(*b - '0');

		/* '-', '.', 'e', 'E', '+': not a plain unsigned integer */
		if (d > 9 || x > (UINT64_MAX - d) / 10) {
			return -ERANGE;
		}
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

int
snctl_jr_double(struct snctl_jr_span v, double *out)
{
	char tmp[SNCTL_JR_NUM_MAX + 1];
	const char *dp = localeconv()->decimal_point;
	size_t dpl = dp != NULL && dp[0] != '\0' ? strlen(dp) : 0;
	const char *b;
	const char *q;
	size_t n = 0;
	char *end;
	double d;
	int rc;

	if (out == NULL) {
		return -EINVAL;
	}
	rc = jr_want(v, SNCTL_JR_NUMBER, &b, &q);
	if (rc < 0) {
		return rc;
	}
	/* strtod() wants the locale's decimal point; JSON has '.'. */
	for (; b < q; b++) {
		if (*b == '.' && dpl != 0) {
			if (dpl > sizeof(tmp) - 1 - n) {
				return -ERANGE;
			}
			memcpy(tmp + n, dp, dpl);
			n += dpl;
		} else {
			if (n >= sizeof(tmp) - 1) {
				return -ERANGE;
			}
			tmp[n++] = *b;
		}
	}
	tmp[n] = '\0';
	errno = 0;
	d = strtod(tmp, &end);
	if (end != tmp + n) {
		return -EBADMSG;
	}
	if (errno == ERANGE && isinf(d)) {
		return -ERANGE;
	}
	*out = d;
	return 0;
}

int
snctl_jr_bool(struct snctl_jr_span v, bool *out)
{
	const char *b;
	const char *q;
	int rc;

	if (out == NULL) {
		return -EINVAL;
	}
	rc = jr_want(v, SNCTL_JR_BOOL, &b, &q);
	if (rc < 0) {
		return rc;
	}
	*out = *b == 't';
	return 0;
}

int
snctl_jr_str(struct snctl_jr_span v, char *buf, size_t cap)
{
	const char *b;
	const char *q;
	const char *p;
	size_t n = 0;
	char ch[4];
	int k;
	int rc;

	if (buf == NULL || cap == 0 || cap > INT_MAX) {
		if (buf != NULL && cap > 0) {
			buf[0] = '\0';
		}
		return -EINVAL;
	}
	buf[0] = '\0';
	rc = jr_want(v, SNCTL_JR_STRING, &b, &q);
	if (rc < 0) {
		return rc;
	}
	p = b + 1;
	while ((k = jr_str_next(&p, q, ch)) > 0) {
		if ((size_t)k > cap - 1 - n) {
			buf[0] = '\0';
			return -EMSGSIZE;
		}
		memcpy(buf + n, ch, (size_t)k);
		n += (size_t)k;
	}
	if (k < 0) {
		buf[0] = '\0';
		return -EBADMSG;
	}
	buf[n] = '\0';
	return (int)n;
}

bool
snctl_jr_str_eq(struct snctl_jr_span v, const char *s)
{
	const char *b;
	const char *q;

	if (s == NULL || jr_want(v, SNCTL_JR_STRING, &b, &q) < 0) {
		return false;
	}
	return jr_tok_eq(b, q, s, strlen(s));
}

int
snctl_jr_get_u64(struct snctl_jr_span obj, const char *key, uint64_t *out)
{
	struct snctl_jr_span v;
	int rc = snctl_jr_get(obj, key, &v);

	return rc < 0 ? rc : snctl_jr_u64(v, out);
}

int
snctl_jr_get_double(struct snctl_jr_span obj, const char *key, double *out)
{
	struct snctl_jr_span v;
	int rc = snctl_jr_get(obj, key, &v);

	return rc < 0 ? rc : snctl_jr_double(v, out);
}

int
snctl_jr_get_bool(struct snctl_jr_span obj, const char *key, bool *out)
{
	struct snctl_jr_span v;
	int rc = snctl_jr_get(obj, key, &v);

	return rc < 0 ? rc : snctl_jr_bool(v, out);
}

int
snctl_jr_get_str(struct snctl_jr_span obj, const char *key, char *buf,
		 size_t cap)
{
	struct snctl_jr_span v;
	int rc = snctl_jr_get(obj, key, &v);

	if (rc < 0) {
		if (buf != NULL && cap > 0) {
			buf[0] = '\0';
		}
		return rc;
	}
	return snctl_jr_str(v, buf, cap);
}
