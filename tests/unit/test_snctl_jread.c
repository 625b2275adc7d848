/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_snctl_jread.c - the bounded JSON reader (ctl/snctl_jread.c).
 *
 * Vectors: the two example texts of RFC 8259 section 13; the grammar
 * corner cases of RFC 8259 sections 2-7 (numbers: section 6, escapes and
 * surrogate pairs: section 7, e.g. "\ud834\udd1e" for U+1D11E G CLEF);
 * the one-line summary tools/synthguest.c prints with --json (its printf
 * format, filled with the numbers of a real 1 s 64-byte run); and the
 * `adapter stats --json` document, written here with snctl_json in the
 * shape daemon/snd_model_render.c snd_stats_json() gives it.
 *
 * Every malformed, truncated and corrupted text is handed over in a heap
 * buffer of exactly its length, so under AddressSanitizer a read past the
 * span fails the test.
 */
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snctl_json.h"
#include "snctl_jread.h"
#include "snctl_out.h"

/* ---- helpers ------------------------------------------------------------ */

/* A span over a NUL-terminated literal (the NUL is not in the span). */
static struct snctl_jr_span
sp(const char *s)
{
	return snctl_jr_mkspan(s, strlen(s));
}

/* A heap copy of n bytes of s, exactly n bytes long (no NUL after it). */
static char *
dup_exact(const char *s, size_t n)
{
	char *p = malloc(n != 0 ? n : 1);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

/* rc of snctl_jr_value() on an exact-size heap copy of s[0..n). */
static int
value_rc(const char *s, size_t n)
{
	char *p = dup_exact(s, n);
	int rc = snctl_jr_value(snctl_jr_mkspan(p, n), NULL);

	free(p);
	return rc;
}

static void
assert_inside(struct snctl_jr_span in, struct snctl_jr_span v)
{
	assert_true(v.p >= in.p);
	assert_true(v.n <= in.n);
	assert_true((size_t)(v.p - in.p) <= in.n - v.n);
}

/* Call every entry point on s, one level deep into each member; every
 * span returned must lie inside s.  Results are not checked: s may be
 * anything. */
static void
exercise(struct snctl_jr_span s)
{
	static const char *const keys[] = { "a", "b", "c", "\xc3\xa9", "e" };
	struct snctl_jr_it it;
	struct snctl_jr_it in;
	struct snctl_jr_span k;
	struct snctl_jr_span v;
	struct snctl_jr_span w;
	char buf[16];
	uint64_t u;
	double d;
	bool b;
	size_t i;

	if (snctl_jr_value(s, &v) == 0) {
		assert_inside(s, v);
	}
	(void)snctl_jr_type(s);
	(void)snctl_jr_str(s, buf, sizeof(buf));
	(void)snctl_jr_str_eq(s, "a");
	if (snctl_jr_begin(s, &it) == 0) {
		for (i = 0; i < 100 && snctl_jr_next(&it, &k, &v) == 1; i++) {
			assert_inside(s, v);
			if (k.p != NULL) {
				assert_inside(s, k);
				assert_true(snctl_jr_str(k, buf, sizeof(buf)) >=
					    -EMSGSIZE);
			}
			(void)snctl_jr_u64(v, &u);
			(void)snctl_jr_double(v, &d);
			(void)snctl_jr_bool(v, &b);
			(void)snctl_jr_str(v, buf, sizeof(buf));
			(void)snctl_jr_type(v);
			if (snctl_jr_begin(v, &in) == 0) {
				while (snctl_jr_next(&in, &k, &w) == 1) {
					assert_inside(v, w);
				}
			}
		}
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (snctl_jr_get(s, keys[i], &v) == 0) {
			assert_inside(s, v);
		}
		(void)snctl_jr_get_u64(s, keys[i], &u);
		(void)snctl_jr_get_double(s, keys[i], &d);
		(void)snctl_jr_get_bool(s, keys[i], &b);
		(void)snctl_jr_get_str(s, keys[i], buf, sizeof(buf));
		if (snctl_jr_at(s, i, &v) == 0) {
			assert_inside(s, v);
		}
	}
}

/* A text covering every token kind, escapes and raw UTF-8. */
static const char rich[] =
	"{\"a\": [1, -2.5e+3, 0, true, false, null, "
	"\"x\\n\\\"\\u00e9\\ud83d\\ude00\"],\n"
	" \"b\": {\"c\": {}, \"d\": [[], {\"e\": 0.5E-1}]},\n"
	" \"\\u00e9\": \"\xc3\xa9t\xc3\xa9\", \"e\": 18446744073709551615}";

/* ---- valid documents ---------------------------------------------------- */

/* RFC 8259 section 13, first example. */
static const char rfc_image[] =
	"{\n"
	"  \"Image\": {\n"
	"    \"Width\":  800,\n"
	"    \"Height\": 600,\n"
	"    \"Title\":  \"View from 15th Floor\",\n"
	"    \"Thumbnail\": {\n"
	"      \"Url\":    \"http://www.example.com/image/481989943\",\n"
	"      \"Height\": 125,\n"
	"      \"Width\":  100\n"
	"    },\n"
	"    \"Animated\" : false,\n"
	"    \"IDs\": [116, 943, 234, 38793]\n"
	"  }\n"
	"}\n";

/* RFC 8259 section 13, second example. */
static const char rfc_places[] =
	"[\n"
	"  {\n"
	"     \"precision\": \"zip\",\n"
	"     \"Latitude\":  37.7668,\n"
	"     \"Longitude\": -122.3959,\n"
	"     \"Address\":   \"\",\n"
	"     \"City\":      \"SAN FRANCISCO\",\n"
	"     \"State\":     \"CA\",\n"
	"     \"Zip\":       \"94107\",\n"
	"     \"Country\":   \"US\"\n"
	"  },\n"
	"  {\n"
	"     \"precision\": \"zip\",\n"
	"     \"Latitude\":  37.371991,\n"
	"     \"Longitude\": -122.026020,\n"
	"     \"Address\":   \"\",\n"
	"     \"City\":      \"SUNNYVALE\",\n"
	"     \"State\":     \"CA\",\n"
	"     \"Zip\":       \"94085\",\n"
	"     \"Country\":   \"US\"\n"
	"  }\n"
	"]\n";

static void
test_valid_documents(void **state)
{
	static const struct {
		const char *text;
		int type;
	} ok[] = {
		{ "{}", SNCTL_JR_OBJECT },
		{ "[]", SNCTL_JR_ARRAY },
		{ " \t\r\n{ }\n", SNCTL_JR_OBJECT },
		{ "[ ]", SNCTL_JR_ARRAY },
		{ "0", SNCTL_JR_NUMBER },
		{ "-0", SNCTL_JR_NUMBER },
		{ "-0.0e-0", SNCTL_JR_NUMBER },
		{ "1E+2", SNCTL_JR_NUMBER },
		{ "123456789012345678901234567890", SNCTL_JR_NUMBER },
		{ "\"\"", SNCTL_JR_STRING },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\"", SNCTL_JR_STRING },
		{ "\"\\ud800\"", SNCTL_JR_STRING },
		{ "\"\xf4\x8f\xbf\xbf\"", SNCTL_JR_STRING },
		{ "\"\x7f\"", SNCTL_JR_STRING },
		{ "true", SNCTL_JR_BOOL },
		{ "false", SNCTL_JR_BOOL },
		{ "null", SNCTL_JR_NULL },
		{ "[1,[2,[3,{}]],{\"a\":[]}]", SNCTL_JR_ARRAY },
		{ "{\"\":0}", SNCTL_JR_OBJECT },
		{ "{\"a\":1,\"a\":2}", SNCTL_JR_OBJECT },
		{ rich, SNCTL_JR_OBJECT },
		{ rfc_image, SNCTL_JR_OBJECT },
		{ rfc_places, SNCTL_JR_ARRAY },
	};
	struct snctl_jr_span v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		size_t n = strlen(ok[i].text);

		assert_int_equal(value_rc(ok[i].text, n), 0);
		assert_int_equal(snctl_jr_type(sp(ok[i].text)), ok[i].type);
	}
	/* The value without the whitespace around it. */
	assert_int_equal(snctl_jr_value(sp(" \n[1, 2]\t "), &v), 0);
	assert_int_equal(v.n, 6);
	assert_memory_equal(v.p, "[1, 2]", 6);
	/* A span inside a longer buffer: only its n bytes count. */
	assert_int_equal(snctl_jr_value(snctl_jr_mkspan("[1][2]", 3), &v), 0);
	assert_int_equal(v.n, 3);
}

static void
test_rfc_examples(void **state)
{
	struct snctl_jr_span img;
	struct snctl_jr_span v;
	char buf[64];
	uint64_t u;
	double d;
	bool b;

	(void)state;
	assert_int_equal(snctl_jr_get(sp(rfc_image), "Image", &img), 0);
	assert_int_equal(snctl_jr_get_u64(img, "Width", &u), 0);
	assert_int_equal(u, 800);
	assert_int_equal(snctl_jr_get_u64(img, "Height", &u), 0);
	assert_int_equal(u, 600);
	assert_int_equal(snctl_jr_get_str(img, "Title", buf, sizeof(buf)),
			 20);
	assert_string_equal(buf, "View from 15th Floor");
	assert_int_equal(snctl_jr_get(img, "Thumbnail", &v), 0);
	assert_int_equal(snctl_jr_get_u64(v, "Height", &u), 0);
	assert_int_equal(u, 125);
	assert_int_equal(snctl_jr_get_str(v, "Url", buf, sizeof(buf)), 38);
	assert_string_equal(buf, "http://www.example.com/image/481989943");
	assert_int_equal(snctl_jr_get_bool(img, "Animated", &b), 0);
	assert_false(b);
	assert_int_equal(snctl_jr_get(img, "IDs", &v), 0);
	assert_int_equal(snctl_jr_at(v, 3, &v), 0);
	assert_int_equal(snctl_jr_u64(v, &u), 0);
	assert_int_equal(u, 38793);
	/* Member names are case-sensitive. */
	assert_int_equal(snctl_jr_get(img, "width", &v), -ENOENT);

	assert_int_equal(snctl_jr_at(sp(rfc_places), 1, &v), 0);
	assert_int_equal(snctl_jr_get_str(v, "City", buf, sizeof(buf)), 9);
	assert_string_equal(buf, "SUNNYVALE");
	assert_int_equal(snctl_jr_get_double(v, "Longitude", &d), 0);
	assert_true(d == -122.026020);
	assert_int_equal(snctl_jr_get_str(v, "Address", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "");
	assert_int_equal(snctl_jr_at(sp(rfc_places), 2, &v), -ENOENT);
}

/* ---- lookups ------------------------------------------------------------ */

static void
test_get_members(void **state)
{
	static const char doc[] =
		"{\"x\": 1, \"y\": {\"x\": 2}, \"dup\": 3, \"dup\": 4, "
		"\"a\\u0062c\": 5, \"s\": \"v\", \"n\": null}";
	struct snctl_jr_span v;
	uint64_t u;

	(void)state;
	assert_int_equal(snctl_jr_get_u64(sp(doc), "x", &u), 0);
	assert_int_equal(u, 1);
	/* A nested member of the same name is not a member of doc. */
	assert_int_equal(snctl_jr_get(sp(doc), "y", &v), 0);
	assert_int_equal(snctl_jr_get_u64(v, "x", &u), 0);
	assert_int_equal(u, 2);
	/* Duplicates: the first one. */
	assert_int_equal(snctl_jr_get_u64(sp(doc), "dup", &u), 0);
	assert_int_equal(u, 3);
	/* Names are compared unescaped. */
	assert_int_equal(snctl_jr_get_u64(sp(doc), "abc", &u), 0);
	assert_int_equal(u, 5);
	assert_int_equal(snctl_jr_get(sp(doc), "a\\u0062c", &v), -ENOENT);
	/* Prefixes and extensions of a name do not match. */
	assert_int_equal(snctl_jr_get(sp(doc), "ab", &v), -ENOENT);
	assert_int_equal(snctl_jr_get(sp(doc), "abcd", &v), -ENOENT);
	assert_int_equal(snctl_jr_get(sp(doc), "", &v), -ENOENT);
	assert_int_equal(snctl_jr_get(sp(doc), "missing", &v), -ENOENT);
	/* The value span is exactly the token. */
	assert_int_equal(snctl_jr_get(sp(doc), "n", &v), 0);
	assert_int_equal(v.n, 4);
	assert_memory_equal(v.p, "null", 4);
	assert_int_equal(snctl_jr_type(v), SNCTL_JR_NULL);
	/* Wrong container types. */
	assert_int_equal(snctl_jr_get(sp("[1]"), "x", &v), -ENOMSG);
	assert_int_equal(snctl_jr_get(sp("\"x\""), "x", &v), -ENOMSG);
	assert_int_equal(snctl_jr_get(sp("17"), "x", &v), -ENOMSG);
	assert_int_equal(snctl_jr_get(sp("{}"), "x", &v), -ENOENT);
	assert_int_equal(snctl_jr_get(sp(""), "x", &v), -EBADMSG);
	assert_int_equal(snctl_jr_get(sp("  "), "x", &v), -EBADMSG);
	assert_int_equal(snctl_jr_get(sp("xyz"), "x", &v), -EBADMSG);
	/* Malformed before the member: an error, not "missing". */
	assert_int_equal(snctl_jr_get(sp("{\"a\" 1, \"x\": 2}"), "x", &v),
			 -EBADMSG);
	assert_int_equal(snctl_jr_get(sp("{\"a\": 1 \"x\": 2}"), "x", &v),
			 -EBADMSG);
	assert_int_equal(snctl_jr_get(sp("{\"a\": 1,"), "x", &v), -EBADMSG);
	assert_int_equal(snctl_jr_get(sp("{\"a\": 1"), "x", &v), -EBADMSG);
}

static void
test_array_index(void **state)
{
	static const char doc[] = "[10, \"s\", [1, 2], {\"k\": [3]}, null]";
	struct snctl_jr_span v;
	struct snctl_jr_span w;
	uint64_t u;

	(void)state;
	assert_int_equal(snctl_jr_at(sp(doc), 0, &v), 0);
	assert_int_equal(snctl_jr_u64(v, &u), 0);
	assert_int_equal(u, 10);
	assert_int_equal(snctl_jr_at(sp(doc), 2, &v), 0);
	assert_int_equal(v.n, 6);
	assert_memory_equal(v.p, "[1, 2]", 6);
	assert_int_equal(snctl_jr_at(v, 1, &w), 0);
	assert_int_equal(snctl_jr_u64(w, &u), 0);
	assert_int_equal(u, 2);
	assert_int_equal(snctl_jr_at(sp(doc), 3, &v), 0);
	assert_int_equal(snctl_jr_get(v, "k", &w), 0);
	assert_int_equal(snctl_jr_at(w, 0, &w), 0);
	assert_int_equal(snctl_jr_u64(w, &u), 0);
	assert_int_equal(u, 3);
	assert_int_equal(snctl_jr_at(sp(doc), 4, &v), 0);
	assert_int_equal(snctl_jr_type(v), SNCTL_JR_NULL);
	assert_int_equal(snctl_jr_at(sp(doc), 5, &v), -ENOENT);
	assert_int_equal(snctl_jr_at(sp(doc), SIZE_MAX, &v), -ENOENT);
	assert_int_equal(snctl_jr_at(sp("[]"), 0, &v), -ENOENT);
	assert_int_equal(snctl_jr_at(sp("{\"a\": 1}"), 0, &v), -ENOMSG);
	assert_int_equal(snctl_jr_at(sp("true"), 0, &v), -ENOMSG);
	/* A malformed tail fails every lookup, even of element 0. */
	assert_int_equal(snctl_jr_at(sp("[1, }"), 0, &v), -EBADMSG);
	assert_int_equal(snctl_jr_at(sp("[1, 2"), 0, &v), -EBADMSG);
	assert_int_equal(snctl_jr_at(sp("[1, }"), 1, &v), -EBADMSG);
	assert_int_equal(snctl_jr_at(sp("[1, ]"), 1, &v), -EBADMSG);
	assert_int_equal(snctl_jr_at(sp("[, 1]"), 0, &v), -EBADMSG);
}

static void
test_iterator(void **state)
{
	struct snctl_jr_it it;
	struct snctl_jr_span k;
	struct snctl_jr_span v;
	char buf[8];

	(void)state;
	assert_int_equal(snctl_jr_begin(sp(" {\"a\" : 1 , \"b\":[2] } "), &it),
			 0);
	assert_int_equal(snctl_jr_next(&it, &k, &v), 1);
	assert_int_equal(k.n, 3);
	assert_memory_equal(k.p, "\"a\"", 3);
	assert_true(snctl_jr_str_eq(k, "a"));
	assert_int_equal(v.n, 1);
	assert_memory_equal(v.p, "1", 1);
	assert_int_equal(snctl_jr_next(&it, &k, &v), 1);
	assert_int_equal(snctl_jr_str(k, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "b");
	assert_int_equal(v.n, 3);
	assert_int_equal(snctl_jr_next(&it, &k, &v), 0);
	assert_int_equal(snctl_jr_next(&it, &k, &v), 0);

	/* Arrays: no key. */
	assert_int_equal(snctl_jr_begin(sp("[true]"), &it), 0);
	k = sp("junk");
	assert_int_equal(snctl_jr_next(&it, &k, &v), 1);
	assert_null(k.p);
	assert_int_equal(k.n, 0);
	assert_int_equal(snctl_jr_next(&it, NULL, &v), 0);

	/* begin() checks the whole container; its error is sticky. */
	assert_int_equal(snctl_jr_begin(sp("[1 2]"), &it), -EBADMSG);
	assert_int_equal(snctl_jr_next(&it, NULL, &v), -EBADMSG);
	assert_int_equal(snctl_jr_next(&it, NULL, &v), -EBADMSG);
	/* Bytes after the closing bracket are not part of it. */
	assert_int_equal(snctl_jr_begin(sp("[1] x"), &it), 0);
	assert_int_equal(snctl_jr_next(&it, NULL, &v), 1);
	assert_int_equal(snctl_jr_next(&it, NULL, &v), 0);

	/* begin() on non-containers; a failed begin() ends the iterator. */
	assert_int_equal(snctl_jr_begin(sp("12"), &it), -ENOMSG);
	assert_int_equal(snctl_jr_next(&it, NULL, &v), -ENOMSG);
	assert_int_equal(snctl_jr_begin(sp("\"[\""), &it), -ENOMSG);
	assert_int_equal(snctl_jr_begin(sp("@"), &it), -EBADMSG);
	assert_int_equal(snctl_jr_begin(sp(""), &it), -EBADMSG);
	assert_int_equal(snctl_jr_next(&it, NULL, &v), -EBADMSG);
	assert_int_equal(snctl_jr_begin(snctl_jr_mkspan(NULL, 0), &it),
			 -EBADMSG);
}

/* ---- getters ------------------------------------------------------------ */

static void
test_u64(void **state)
{
	static const struct {
		const char *text;
		int rc;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0 },
		{ " 42 ", 0, 42 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "-1", -ERANGE, 0 },
		{ "-0", -ERANGE, 0 },
		{ "1.0", -ERANGE, 0 },
		{ "1e3", -ERANGE, 0 },
		{ "\"5\"", -ENOMSG, 0 },
		{ "true", -ENOMSG, 0 },
		{ "null", -ENOMSG, 0 },
		{ "[1]", -ENOMSG, 0 },
		{ "01", -EBADMSG, 0 },
		{ "+1", -EBADMSG, 0 },
		{ "1 2", -EBADMSG, 0 },
		{ "0x10", -EBADMSG, 0 },
		{ "", -EBADMSG, 0 },
	};
	uint64_t u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = dup_exact(cases[i].text, strlen(cases[i].text));

		u = 7;
		assert_int_equal(snctl_jr_u64(snctl_jr_mkspan(p,
				 strlen(cases[i].text)), &u), cases[i].rc);
		assert_true(u == (cases[i].rc == 0 ? cases[i].v : 7));
		free(p);
	}
	assert_int_equal(snctl_jr_get_u64(sp("{\"a\":1}"), "b", &u), -ENOENT);
}

static void
test_double(void **state)
{
	static const struct {
		const char *text;
		int rc;
		double v;
	} cases[] = {
		{ "0", 0, 0.0 },
		{ "1.5", 0, 1.5 },
		{ "-0.25e2", 0, -25.0 },
		{ "1E-2", 0, 0.01 },
		{ "18446744073709551615", 0, 18446744073709551615.0 },
		{ "1e308", 0, 1e308 },
		{ "1e-400", 0, 0.0 },
		{ "1e400", -ERANGE, 0 },
		{ "-1e400", -ERANGE, 0 },
		{ "\"1.5\"", -ENOMSG, 0 },
		{ "false", -ENOMSG, 0 },
		{ ".5", -EBADMSG, 0 },
		{ "1.", -EBADMSG, 0 },
		{ "NaN", -EBADMSG, 0 },
		{ "Infinity", -EBADMSG, 0 },
		{ "-", -EBADMSG, 0 },
	};
	char lng[SNCTL_JR_NUM_MAX + 2];
	double d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = 7;
		assert_int_equal(snctl_jr_double(sp(cases[i].text), &d),
				 cases[i].rc);
		assert_true(d == (cases[i].rc == 0 ? cases[i].v : 7));
	}
	/* Longest number converted, and one byte more. */
	memset(lng, '0', sizeof(lng));
	lng[0] = '1';
	lng[1] = '.';
	lng[SNCTL_JR_NUM_MAX] = '\0';
	assert_int_equal(snctl_jr_double(sp(lng), &d), 0);
	assert_true(d == 1.0);
	lng[SNCTL_JR_NUM_MAX] = '0';
	lng[SNCTL_JR_NUM_MAX + 1] = '\0';
	assert_int_equal(snctl_jr_double(sp(lng), &d), -ERANGE);
	/* A locale whose decimal point is ',' (when installed). */
	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL ||
	    setlocale(LC_NUMERIC, "fr_FR.UTF-8") != NULL) {
		assert_int_equal(snctl_jr_double(sp("2.75"), &d), 0);
		setlocale(LC_NUMERIC, "C");
		assert_true(d == 2.75);
	}
}

static void
test_bool(void **state)
{
	bool b = false;

	(void)state;
	assert_int_equal(snctl_jr_bool(sp("true"), &b), 0);
	assert_true(b);
	assert_int_equal(snctl_jr_bool(sp(" false\n"), &b), 0);
	assert_false(b);
	assert_int_equal(snctl_jr_bool(sp("null"), &b), -ENOMSG);
	assert_int_equal(snctl_jr_bool(sp("1"), &b), -ENOMSG);
	assert_int_equal(snctl_jr_bool(sp("\"true\""), &b), -ENOMSG);
	assert_int_equal(snctl_jr_bool(sp("True"), &b), -EBADMSG);
	assert_int_equal(snctl_jr_bool(sp("truex"), &b), -EBADMSG);
	assert_int_equal(snctl_jr_bool(snctl_jr_mkspan("true", 3), &b),
			 -EBADMSG);
	assert_int_equal(snctl_jr_get_bool(sp("{\"f\": true}"), "f", &b), 0);
	assert_true(b);
}

/* ---- strings and escapes ---------------------------------------------- */

static void
test_string_escapes(void **state)
{
	static const struct {
		const char *text;
		const char *out;
		int len;
	} cases[] = {
		{ "\"plain\"", "plain", 5 },
		{ "\"\\\"\\\\\\/\"", "\"\\/", 3 },
		{ "\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t", 5 },
		{ "\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6 },
		/* RFC 8259 section 7: U+1D11E as a surrogate pair. */
		{ "\"\\ud834\\udd1e\"", "\xf0\x9d\x84\x9e", 4 },
		{ "\"\\uD83D\\uDE00!\"", "\xf0\x9f\x98\x80!", 5 },
		/* Lone surrogates become U+FFFD. */
		{ "\"\\ud800\"", "\xef\xbf\xbd", 3 },
		{ "\"\\udc00x\"", "\xef\xbf\xbdx", 4 },
		{ "\"\\ud800\\u0041\"", "\xef\xbf\xbd" "A", 4 },
		{ "\"\\ud800\\ud800\\udc00\"",
		  "\xef\xbf\xbd\xf0\x90\x80\x80", 7 },
		/* Raw UTF-8 passes unchanged. */
		{ "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
		  "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9 },
		{ "\"\\u07ff\\u0800\\uffff\"",
		  "\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 8 },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(snctl_jr_str(sp(cases[i].text), buf,
					      sizeof(buf)), cases[i].len);
		assert_memory_equal(buf, cases[i].out, (size_t)cases[i].len);
		assert_int_equal(buf[cases[i].len], '\0');
		assert_true(snctl_jr_str_eq(sp(cases[i].text), cases[i].out));
	}
	/* \u0000: a NUL inside the result, counted in the length. */
	assert_int_equal(snctl_jr_str(sp("\"a\\u0000b\""), buf, sizeof(buf)),
			 3);
	assert_memory_equal(buf, "a\0b", 4);
	assert_false(snctl_jr_str_eq(sp("\"a\\u0000b\""), "a"));
	/* str_eq: exact match only. */
	assert_false(snctl_jr_str_eq(sp("\"abc\""), "ab"));
	assert_false(snctl_jr_str_eq(sp("\"ab\""), "abc"));
	assert_true(snctl_jr_str_eq(sp("\"\""), ""));
	assert_false(snctl_jr_str_eq(sp("\"\\u00e9\""), "\xc3"));
	assert_false(snctl_jr_str_eq(sp("1"), "1"));
	assert_false(snctl_jr_str_eq(sp("\"a"), "a"));
	assert_false(snctl_jr_str_eq(sp("\"a\""), NULL));
}

static void
test_string_buffer(void **state)
{
	char buf[8];

	(void)state;
	/* "\u00e9t\u00e9" is 5 bytes: needs cap 6. */
	assert_int_equal(snctl_jr_str(sp("\"\\u00e9t\\u00e9\""), buf, 6), 5);
	assert_string_equal(buf, "\xc3\xa9t\xc3\xa9");
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(snctl_jr_str(sp("\"\\u00e9t\\u00e9\""), buf, 5),
			 -EMSGSIZE);
	assert_string_equal(buf, "");
	/* A multi-byte character is never cut. */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(snctl_jr_str(sp("\"a\\u00e9\""), buf, 3),
			 -EMSGSIZE);
	assert_string_equal(buf, "");
	assert_int_equal(snctl_jr_str(sp("\"\""), buf, 1), 0);
	assert_string_equal(buf, "");
	/* Errors leave "". */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(snctl_jr_str(sp("12"), buf, sizeof(buf)), -ENOMSG);
	assert_string_equal(buf, "");
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(snctl_jr_str(sp("\"\\x\""), buf, sizeof(buf)),
			 -EBADMSG);
	assert_string_equal(buf, "");
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(snctl_jr_get_str(sp("{}"), "k", buf, sizeof(buf)),
			 -ENOENT);
	assert_string_equal(buf, "");
	assert_int_equal(snctl_jr_str(sp("\"a\""), buf, 0), -EINVAL);
	assert_int_equal(snctl_jr_str(sp("\"a\""), NULL, 4), -EINVAL);
}

/* Strings the writer escapes come back byte for byte. */
static void
test_writer_round_trip(void **state)
{
	char in[128];
	char buf[512];
	struct snctl_out out;
	struct snctl_json j;
	struct snctl_jr_span doc;
	struct snctl_jr_span v;
	size_t i;
	int pretty;

	(void)state;
	for (i = 0; i < 0x7f; i++) {
		in[i] = (char)(i + 1);	/* 0x01..0x7f */
	}
	in[0x7f] = '\0';
	for (pretty = 0; pretty < 2; pretty++) {
		snctl_out_init(&out, 0);
		snctl_json_init(&j, &out, pretty != 0);
		snctl_json_obj_open(&j);
		snctl_json_kv_str(&j, in, in);
		snctl_json_kv_str(&j, "utf8", "\xc3\xa9\xf0\x9f\x98\x80");
		snctl_json_kv_str(&j, "bad", "a\xff" "b");
		snctl_json_key(&j, "nul");
		snctl_json_strn(&j, "x\0y", 3);
		snctl_json_obj_close(&j);
		assert_int_equal(snctl_json_end(&j), 0);
		doc = snctl_jr_mkspan(out.buf, out.len);
		assert_int_equal(snctl_jr_value(doc, NULL), 0);
		assert_int_equal(snctl_jr_get_str(doc, in, buf, sizeof(buf)),
				 0x7f);
		assert_string_equal(buf, in);
		assert_int_equal(snctl_jr_get_str(doc, "utf8", buf,
						  sizeof(buf)), 6);
		assert_string_equal(buf, "\xc3\xa9\xf0\x9f\x98\x80");
		/* The writer replaced the invalid byte with U+FFFD. */
		assert_int_equal(snctl_jr_get_str(doc, "bad", buf,
						  sizeof(buf)), 5);
		assert_string_equal(buf, "a\xef\xbf\xbd" "b");
		assert_int_equal(snctl_jr_get(doc, "nul", &v), 0);
		assert_int_equal(snctl_jr_str(v, buf, sizeof(buf)), 3);
		assert_memory_equal(buf, "x\0y", 3);
		snctl_out_fini(&out);
	}
}

/* ---- the documents synthbench reads ------------------------------------- */

/* tools/synthguest.c's --json summary (its printf format). */
static const char guest_line[] =
	"{\"mode\":\"sink\",\"vm\":\"bench-sink-32705\",\"seconds\":1.000,"
	"\"tx_packets\":0,\"tx_bytes\":0,\"rx_packets\":3397641,"
	"\"rx_bytes\":203858460,\"mpps\":3.397641,\"gbps\":1.630853,"
	"\"tx_busy\":0,\"tx_dropped\":0,\"tap_dropped\":0,\"rx_dropped\":0,"
	"\"seq_gaps\":3556566,\"seq_reordered\":0,"
	"\"tx_completion_failures\":0,\"failed\":false}";

static void
test_guest_summary(void **state)
{
	uint64_t u;
	double d;
	bool b;
	char buf[32];

	(void)state;
	assert_int_equal(snctl_jr_value(sp(guest_line), NULL), 0);
	assert_int_equal(snctl_jr_get_double(sp(guest_line), "seconds", &d),
			 0);
	assert_true(d == 1.0);
	assert_int_equal(snctl_jr_get_u64(sp(guest_line), "rx_packets", &u),
			 0);
	assert_int_equal(u, 3397641);
	assert_int_equal(snctl_jr_get_u64(sp(guest_line), "rx_bytes", &u), 0);
	assert_int_equal(u, 203858460);
	assert_int_equal(snctl_jr_get_u64(sp(guest_line), "seq_gaps", &u), 0);
	assert_int_equal(u, 3556566);
	assert_int_equal(snctl_jr_get_bool(sp(guest_line), "failed", &b), 0);
	assert_false(b);
	assert_int_equal(snctl_jr_get_str(sp(guest_line), "vm", buf,
					  sizeof(buf)), 16);
	assert_string_equal(buf, "bench-sink-32705");
	/* mpps is not an integer. */
	assert_int_equal(snctl_jr_get_u64(sp(guest_line), "mpps", &u),
			 -ERANGE);
}

static void
test_adapter_stats(void **state)
{
	static const char *const reasons[] = { "no-rxbuf", "ring-full" };
	static const uint64_t counts[] = { 3561343, 0 };
	struct snctl_out out;
	struct snctl_json j;
	struct snctl_jr_span all;
	struct snctl_jr_span ad;
	struct snctl_jr_span v;
	struct snctl_jr_it it;
	struct snctl_jr_span k;
	char buf[32];
	uint64_t u;
	size_t i;

	(void)state;
	/* snd_stats_json()'s shape, pretty-printed like the daemon does. */
	snctl_out_init(&out, 0);
	snctl_json_init(&j, &out, true);
	snctl_json_arr_open(&j);
	snctl_json_obj_open(&j);
	snctl_json_kv_str(&j, "vm", "bench-sink-1");
	snctl_json_kv_str(&j, "name", "Network Adapter");
	snctl_json_kv_str(&j, "switch", "bench-1");
	snctl_json_kv_str(&j, "state", "up");
	snctl_json_key(&j, "from_vm");
	snctl_json_obj_open(&j);
	snctl_json_kv_u64(&j, "packets", 12);
	snctl_json_kv_u64(&j, "bytes", 720);
	snctl_json_obj_close(&j);
	snctl_json_key(&j, "to_vm");
	snctl_json_obj_open(&j);
	snctl_json_kv_u64(&j, "packets", 3397641);
	snctl_json_kv_u64(&j, "bytes", 203858460);
	snctl_json_obj_close(&j);
	snctl_json_key(&j, "drops");
	snctl_json_obj_open(&j);
	for (i = 0; i < 2; i++) {
		snctl_json_kv_u64(&j, reasons[i], counts[i]);
	}
	snctl_json_obj_close(&j);
	snctl_json_key(&j, "protocol_errors");
	snctl_json_obj_open(&j);
	snctl_json_obj_close(&j);
	snctl_json_obj_close(&j);
	snctl_json_arr_close(&j);
	assert_int_equal(snctl_json_end(&j), 0);

	all = snctl_jr_mkspan(out.buf, out.len);
	assert_int_equal(snctl_jr_at(all, 0, &ad), 0);
	assert_int_equal(snctl_jr_get_str(ad, "state", buf, sizeof(buf)), 2);
	assert_string_equal(buf, "up");
	assert_int_equal(snctl_jr_get(ad, "to_vm", &v), 0);
	assert_int_equal(snctl_jr_get_u64(v, "packets", &u), 0);
	assert_int_equal(u, 3397641);
	assert_int_equal(snctl_jr_get_u64(v, "bytes", &u), 0);
	assert_int_equal(u, 203858460);
	assert_int_equal(snctl_jr_get(ad, "from_vm", &v), 0);
	assert_int_equal(snctl_jr_get_u64(v, "packets", &u), 0);
	assert_int_equal(u, 12);
	assert_int_equal(snctl_jr_get(ad, "drops", &v), 0);
	assert_int_equal(snctl_jr_begin(v, &it), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(snctl_jr_next(&it, &k, &v), 1);
		assert_int_equal(snctl_jr_str(k, buf, sizeof(buf)),
				 (int)strlen(reasons[i]));
		assert_string_equal(buf, reasons[i]);
		assert_int_equal(snctl_jr_u64(v, &u), 0);
		assert_int_equal(u, counts[i]);
	}
	assert_int_equal(snctl_jr_next(&it, &k, &v), 0);
	assert_int_equal(snctl_jr_at(all, 1, &ad), -ENOENT);
	snctl_out_fini(&out);
}

/* ---- malformed input ---------------------------------------------------- */

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"", " ", "\n\t",
		/* structure */
		"{", "}", "[", "]", "[}", "{]", "[1}", "{\"a\":1]", "[[]",
		"[]]", "{}}", "[1,]", "[,1]", "[,]", "[1 2]", "[1,,2]",
		"{\"a\":1,}", "{,\"a\":1}", "{\"a\" 1}", "{\"a\":}",
		"{\"a\"}", "{\"a\",1}", "{a:1}", "{'a':1}", "{1:1}",
		"{\"a\":1 \"b\":2}", "{\"a\"::1}", "1 2", "{} []", "[]x",
		"/* c */ 1", "[1] // c",
		/* literals */
		"tru", "nul", "fals", "True", "NULL", "truefalse", "nulll",
		/* numbers */
		"-", "+1", "01", "-01", "00", "1.", ".5", "1.e2", "1e",
		"1e+", "1E-", "--1", "0x1F", "1_000", "NaN", "Infinity",
		"-Infinity", "1.5.2", "\xd9\xa1",
		/* strings */
		"\"", "\"abc", "'a'", "\"\\\"", "\"\\x\"", "\"\\u12\"",
		"\"\\u12g4\"", "\"\\U0041\"", "\"\\u\"", "\"\\", "\"\t\"",
		"\"\n\"", "\"\x01\"", "\"\x1f\"",
		/* invalid UTF-8 inside a string */
		"\"\xc0\x80\"", "\"\xc3\"", "\"\xe2\x82\"", "\"\xed\xa0\x80\"",
		"\"\xf4\x90\x80\x80\"", "\"\xff\"", "\"\x80\"",
		"\"\xf0\x9f\x98\"",
		/* bytes outside strings */
		"\xef\xbb\xbf{}", "{\x00}", "[1,\x00 2]",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = strlen(bad[i]);
		char *p = dup_exact(bad[i], n);
		struct snctl_jr_span s = snctl_jr_mkspan(p, n);

		if (value_rc(bad[i], n) != -EBADMSG) {
			fail_msg("accepted malformed case %zu: \"%s\"", i,
				 bad[i]);
		}
		assert_int_equal(snctl_jr_type(s), -EBADMSG);
		exercise(s);
		free(p);
	}
	/* Embedded NUL bytes (strlen() stops at them above). */
	assert_int_equal(value_rc("{\0}", 3), -EBADMSG);
	assert_int_equal(value_rc("\"a\0\"", 4), -EBADMSG);
	assert_int_equal(value_rc("1\0", 2), -EBADMSG);
}

/* Every strict prefix of a container text is malformed; no call reads
 * past the prefix. */
static void
test_truncated_every_length(void **state)
{
	const char *const docs[] = { rich, rfc_image, rfc_places,
				     guest_line, "[\"\\ud834\\udd1e\"]",
				     "{\"a\":{\"b\":[1.5e-3,\"\\u00e9\"]}}" };
	size_t d, n;

	(void)state;
	for (d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		size_t len = strlen(docs[d]);

		/* The texts end at their closing bracket, perhaps then
		 * whitespace. */
		while (docs[d][len - 1] == '\n') {
			len--;
		}
		assert_int_equal(value_rc(docs[d], len), 0);
		for (n = 0; n < len; n++) {
			char *p = dup_exact(docs[d], n);
			struct snctl_jr_span s = snctl_jr_mkspan(p, n);

			if (snctl_jr_value(s, NULL) != -EBADMSG) {
				fail_msg("doc %zu: prefix of %zu bytes "
					 "accepted", d, n);
			}
			exercise(s);
			free(p);
		}
	}
}

/* Every byte of a valid text replaced by each of a few troublesome
 * bytes: no crash, no read outside the span. */
static void
test_corrupted_every_byte(void **state)
{
	static const char subst[] = { '\0', '"', '\\', '{', '}', '[', ']',
				      ',', ':', '1', 'e', '-', ' ', 'u',
				      (char)0x80, (char)0xc3, (char)0xff };
	size_t len = strlen(rich);
	size_t off, s;
	unsigned int accepted = 0;

	(void)state;
	for (off = 0; off < len; off++) {
		for (s = 0; s < sizeof(subst); s++) {
			char *p = dup_exact(rich, len);
			struct snctl_jr_span sp_;

			p[off] = subst[s];
			sp_ = snctl_jr_mkspan(p, len);
			if (snctl_jr_value(sp_, NULL) == 0) {
				accepted++;
			}
			exercise(sp_);
			free(p);
		}
	}
	/* Some substitutions keep the text valid (a digit for a digit, a
	 * blank for a blank, a letter inside a string), most do not. */
	assert_true(accepted > 0);
	assert_true(accepted < len * sizeof(subst) / 2);
}

/* ---- nesting cap -------------------------------------------------------- */

/* n nested containers: arrays, or alternating {"a": [ ... ] }. */
static char *
nested(size_t n, bool mixed, size_t *len)
{
	char *p = malloc(n * 10 + 2);
	size_t o = 0;
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++) {
		if (mixed && i % 2 == 0) {
			memcpy(p + o, "{\"a\":", 5);
			o += 5;
		} else {
			p[o++] = '[';
		}
	}
	p[o++] = '0';
	for (i = n; i-- > 0;) {
		p[o++] = mixed && i % 2 == 0 ? '}' : ']';
	}
	*len = o;
	return p;
}

static void
test_depth_cap(void **state)
{
	struct snctl_jr_span v;
	size_t len;
	char *p;
	int mixed;

	(void)state;
	for (mixed = 0; mixed < 2; mixed++) {
		p = nested(SNCTL_JR_MAX_DEPTH, mixed != 0, &len);
		assert_int_equal(value_rc(p, len), 0);
		if (mixed) {
			assert_int_equal(snctl_jr_get(snctl_jr_mkspan(p, len),
						      "a", &v), 0);
		} else {
			assert_int_equal(snctl_jr_at(snctl_jr_mkspan(p, len),
						     0, &v), 0);
		}
		/* One level in, the cap counts from there again. */
		assert_int_equal(snctl_jr_value(v, NULL), 0);
		free(p);

		p = nested(SNCTL_JR_MAX_DEPTH + 1, mixed != 0, &len);
		assert_int_equal(value_rc(p, len), -EBADMSG);
		if (mixed) {
			assert_int_equal(snctl_jr_get(snctl_jr_mkspan(p, len),
						      "a", &v), -EBADMSG);
		} else {
			assert_int_equal(snctl_jr_at(snctl_jr_mkspan(p, len),
						     0, &v), -EBADMSG);
		}
		free(p);
	}
	/* Far deeper than any stack would allow if the reader recursed. */
	p = nested(200000, false, &len);
	assert_int_equal(value_rc(p, len), -EBADMSG);
	assert_int_equal(snctl_jr_at(snctl_jr_mkspan(p, len), 0, &v),
			 -EBADMSG);
	free(p);
	/* Deep but flat siblings are fine. */
	assert_int_equal(value_rc("[[],[],[[]],{},{\"a\":[{}]}]",
				  strlen("[[],[],[[]],{},{\"a\":[{}]}]")), 0);
	/* The closing bracket must match the container at each level. */
	assert_int_equal(value_rc("[{\"a\":[0]]}", 11), -EBADMSG);
	assert_int_equal(value_rc("[{\"a\":[0]}}", 11), -EBADMSG);
}

/* ---- bounds and arguments ------------------------------------------------ */

static void
test_span_bounds(void **state)
{
	/* The bytes after the span would complete the value: a truncated
	 * number must not be read as a shorter one. */
	static const char buf[] = "{\"a\":12345}";
	struct snctl_jr_span v;
	uint64_t u;

	(void)state;
	assert_int_equal(snctl_jr_value(snctl_jr_mkspan(buf, 8), NULL),
			 -EBADMSG);
	assert_int_equal(snctl_jr_get(snctl_jr_mkspan(buf, 8), "a", &v),
			 -EBADMSG);
	assert_int_equal(snctl_jr_u64(snctl_jr_mkspan(buf + 5, 3), &u), 0);
	assert_int_equal(u, 123);
	assert_int_equal(snctl_jr_str_eq(snctl_jr_mkspan("\"ab\"", 3), "ab"),
			 false);
	assert_int_equal(snctl_jr_str(snctl_jr_mkspan("\"\\u0041\"", 7),
				      (char[8]){ 0 }, 8), -EBADMSG);
	/* Bytes after a container's closing bracket are not looked at by
	 * lookups; value() looks. */
	assert_int_equal(snctl_jr_get_u64(sp("{\"a\":1} junk"), "a", &u), 0);
	assert_int_equal(snctl_jr_value(sp("{\"a\":1} junk"), NULL),
			 -EBADMSG);
}

static void
test_null_arguments(void **state)
{
	struct snctl_jr_span none = snctl_jr_mkspan(NULL, 0);
	struct snctl_jr_span bad = snctl_jr_mkspan(NULL, 5);
	struct snctl_jr_span v;
	struct snctl_jr_it it;
	char buf[4];
	uint64_t u;
	double d;
	bool b;

	(void)state;
	assert_int_equal(snctl_jr_value(none, &v), -EBADMSG);
	assert_int_equal(snctl_jr_value(bad, &v), -EINVAL);
	assert_int_equal(snctl_jr_type(none), -EBADMSG);
	assert_int_equal(snctl_jr_type(bad), -EINVAL);
	assert_int_equal(snctl_jr_begin(sp("[]"), NULL), -EINVAL);
	assert_int_equal(snctl_jr_begin(bad, &it), -EINVAL);
	assert_int_equal(snctl_jr_next(NULL, NULL, &v), -EINVAL);
	assert_int_equal(snctl_jr_begin(sp("[1]"), &it), 0);
	assert_int_equal(snctl_jr_next(&it, NULL, NULL), -EINVAL);
	assert_int_equal(snctl_jr_get(sp("{}"), NULL, &v), -EINVAL);
	assert_int_equal(snctl_jr_get(sp("{}"), "a", NULL), -EINVAL);
	assert_int_equal(snctl_jr_at(sp("[]"), 0, NULL), -EINVAL);
	assert_int_equal(snctl_jr_u64(sp("1"), NULL), -EINVAL);
	assert_int_equal(snctl_jr_double(sp("1"), NULL), -EINVAL);
	assert_int_equal(snctl_jr_bool(sp("true"), NULL), -EINVAL);
	assert_int_equal(snctl_jr_u64(bad, &u), -EINVAL);
	assert_int_equal(snctl_jr_double(none, &d), -EBADMSG);
	assert_int_equal(snctl_jr_bool(none, &b), -EBADMSG);
	assert_int_equal(snctl_jr_str(none, buf, sizeof(buf)), -EBADMSG);
	assert_int_equal(snctl_jr_get_str(none, "a", NULL, 0), -EBADMSG);
	assert_false(snctl_jr_str_eq(none, ""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_documents),
		cmocka_unit_test(test_rfc_examples),
		cmocka_unit_test(test_get_members),
		cmocka_unit_test(test_array_index),
		cmocka_unit_test(test_iterator),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_string_buffer),
		cmocka_unit_test(test_writer_round_trip),
		cmocka_unit_test(test_guest_summary),
		cmocka_unit_test(test_adapter_stats),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_corrupted_every_byte),
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_span_bounds),
		cmocka_unit_test(test_null_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
