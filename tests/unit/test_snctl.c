/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_snctl.c - the control protocol, its reassembly, server and client
 * (ctl/snctl_proto.c), the JSON writer (ctl/snctl_json.c) and the output
 * buffer and tables (ctl/snctl_out.c).
 *
 * Vectors: the request bytes follow the layout written at the top of
 * snctl_proto.h (our own protocol, no external source).  UTF-8 boundary
 * vectors are the code-point limits of RFC 3629 section 4 (the
 * well-formed byte sequence table) and its overlong/surrogate
 * exclusions; JSON escapes follow RFC 8259 section 7.
 *
 * The server tests use a real AF_UNIX socket in a private temporary
 * directory and a fake clock for the deadline; the client tests run the
 * server on a second thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "snctl_help.h"
#include "snctl_json.h"
#include "snctl_out.h"
#include "snctl_proto.h"

/* ---- request codec ------------------------------------------------------ */

static void
test_req_encode_bytes(void **state)
{
	static const char *const argv[] = { "switch", "create", "lab", "" };
	/* magic, flags = 1 (JSON), argc = 4, "switch\0create\0lab\0\0" */
	static const uint8_t expect[] = {
		'S', 'N', 'C', 'T', 'L', '1', '\n',
		0x01, 0x00, 0x00, 0x00,
		0x04, 0x00, 0x00, 0x00,
		's', 'w', 'i', 't', 'c', 'h', 0,
		'c', 'r', 'e', 'a', 't', 'e', 0,
		'l', 'a', 'b', 0,
		0,
	};
	uint8_t buf[128];
	int n;

	(void)state;
	n = snctl_req_encode(SNCTL_FLAG_JSON, 4, argv, buf, sizeof(buf));
	assert_int_equal(n, (int)sizeof(expect));
	assert_memory_equal(buf, expect, sizeof(expect));
	/* Exactly the size fits; one byte less does not. */
	assert_int_equal(snctl_req_encode(SNCTL_FLAG_JSON, 4, argv, buf,
					  sizeof(expect)),
			 (int)sizeof(expect));
	assert_int_equal(snctl_req_encode(SNCTL_FLAG_JSON, 4, argv, buf,
					  sizeof(expect) - 1),
			 -EMSGSIZE);
}

static void
test_req_roundtrip(void **state)
{
	static const char *const argv[] = {
		"adapter", "add", "vm-1", "--switch", "lab", "--name",
		"Network Adapter", "--mac", "00:15:5d:00:10:01",
		"caf\xc3\xa9 \xe2\x82\xac",	/* UTF-8: e-acute, euro */
	};
	struct snctl_req req;
	uint8_t buf[512];
	int n;
	uint32_t i;

	(void)state;
	n = snctl_req_encode(0, 10, argv, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(snctl_req_decode(buf, (size_t)n, &req), 0);
	assert_int_equal(req.flags, 0);
	assert_int_equal(req.argc, 10);
	assert_int_equal(req.len, (size_t)n);
	for (i = 0; i < 10; i++) {
		assert_string_equal(req.argv[i], argv[i]);
		/* argv borrows the buffer */
		assert_true((const uint8_t *)req.argv[i] >= buf &&
			    (const uint8_t *)req.argv[i] < buf + n);
	}
	assert_null(req.argv[10]);

	/* No arguments at all: the 15-byte header alone. */
	n = snctl_req_encode(SNCTL_FLAG_JSON, 0, NULL, buf, sizeof(buf));
	assert_int_equal(n, 15);
	assert_int_equal(snctl_req_decode(buf, 15, &req), 0);
	assert_int_equal(req.argc, 0);
	assert_int_equal(req.flags, SNCTL_FLAG_JSON);
	assert_null(req.argv[0]);
	assert_int_equal(req.fd, -1);

	/* The descriptor flag is bit 1 of the flags word; the decoder
	 * leaves fd to the server (-1). */
	n = snctl_req_encode(SNCTL_FLAG_JSON | SNCTL_FLAG_FD, 1, argv, buf,
			     sizeof(buf));
	assert_int_equal(n, 15 + 8);
	assert_memory_equal(buf + 7, "\x03\x00\x00\x00\x01\x00\x00\x00", 8);
	req.fd = 7;
	assert_int_equal(snctl_req_decode(buf, (size_t)n, &req), 0);
	assert_int_equal(req.flags, SNCTL_FLAG_JSON | SNCTL_FLAG_FD);
	assert_int_equal(req.fd, -1);
}

static void
test_req_decode_prefixes(void **state)
{
	static const char *const argv[] = { "switch", "show", "lab" };
	struct snctl_req req;
	uint8_t buf[64];
	int n;
	size_t k;

	(void)state;
	n = snctl_req_encode(0, 3, argv, buf, sizeof(buf));
	assert_true(n > 0);
	/* Every strict prefix is "need more", never an error. */
	for (k = 0; k < (size_t)n; k++) {
		assert_int_equal(snctl_req_decode(buf, k, &req), -EAGAIN);
	}
	assert_int_equal(snctl_req_decode(buf, (size_t)n, &req), 0);
}

static void
test_req_decode_errors(void **state)
{
	struct snctl_req req;
	uint8_t buf[64];
	uint8_t *big;
	size_t n;

	(void)state;
	/* Bad magic: detected on the first differing byte. */
	assert_int_equal(snctl_req_decode((const uint8_t *)"G", 1, &req),
			 -EBADMSG);
	assert_int_equal(snctl_req_decode((const uint8_t *)"SNCTL2\n", 7,
					  &req), -EBADMSG);
	/* Unknown flag bit 2 (bit 1 is SNCTL_FLAG_FD). */
	memcpy(buf, "SNCTL1\n\x04\x00\x00\x00", 11);
	assert_int_equal(snctl_req_decode(buf, 11, &req), -ENOTSUP);
	memcpy(buf, "SNCTL1\n\x00\x00\x00\x80", 11);
	assert_int_equal(snctl_req_decode(buf, 11, &req), -ENOTSUP);
	/* argc 257 > SNCTL_ARGC_MAX. */
	memcpy(buf, "SNCTL1\n\x00\x00\x00\x00\x01\x01\x00\x00", 15);
	assert_int_equal(snctl_req_decode(buf, 15, &req), -E2BIG);
	/* Bytes after the last argument. */
	memcpy(buf, "SNCTL1\n\x00\x00\x00\x00\x01\x00\x00\x00" "ab\0x", 19);
	assert_int_equal(snctl_req_decode(buf, 18, &req), 0);
	assert_int_equal(snctl_req_decode(buf, 19, &req), -EBADMSG);
	/* Invalid UTF-8 argument (a lone continuation byte). */
	memcpy(buf, "SNCTL1\n\x00\x00\x00\x00\x01\x00\x00\x00" "a\x80\0", 18);
	assert_int_equal(snctl_req_decode(buf, 18, &req), -EILSEQ);
	/* 64 KiB without the terminating NUL: can never complete. */
	big = malloc(SNCTL_REQ_MAX + 1);
	assert_non_null(big);
	memcpy(big, "SNCTL1\n\x00\x00\x00\x00\x01\x00\x00\x00", 15);
	memset(big + 15, 'a', SNCTL_REQ_MAX + 1 - 15);
	assert_int_equal(snctl_req_decode(big, SNCTL_REQ_MAX - 1, &req),
			 -EAGAIN);
	assert_int_equal(snctl_req_decode(big, SNCTL_REQ_MAX, &req),
			 -EMSGSIZE);
	assert_int_equal(snctl_req_decode(big, SNCTL_REQ_MAX + 1, &req),
			 -EMSGSIZE);
	free(big);
	/* NULL */
	assert_int_equal(snctl_req_decode(NULL, 1, &req), -EINVAL);
	n = 0;
	assert_int_equal(snctl_req_decode(buf, n, NULL), -EINVAL);
}

static void
test_req_encode_errors(void **state)
{
	const char *argv[SNCTL_ARGC_MAX + 1];
	static const char *const bad[] = { "ok", "\xff" };
	static const char *const one[] = { "x" };
	uint8_t *buf;
	char *huge;
	const char *hv[1];
	unsigned int i;

	(void)state;
	buf = malloc(SNCTL_REQ_MAX);
	assert_non_null(buf);
	for (i = 0; i <= SNCTL_ARGC_MAX; i++) {
		argv[i] = "a";
	}
	assert_int_equal(snctl_req_encode(0, SNCTL_ARGC_MAX, argv, buf,
					  SNCTL_REQ_MAX),
			 15 + 2 * SNCTL_ARGC_MAX);
	assert_int_equal(snctl_req_encode(0, SNCTL_ARGC_MAX + 1, argv, buf,
					  SNCTL_REQ_MAX), -E2BIG);
	assert_int_equal(snctl_req_encode(0, 2, bad, buf, SNCTL_REQ_MAX),
			 -EILSEQ);
	assert_int_equal(snctl_req_encode(0x4, 1, one, buf, SNCTL_REQ_MAX),
			 -EINVAL);
	assert_int_equal(snctl_req_encode(0, 1, NULL, buf, SNCTL_REQ_MAX),
			 -EINVAL);
	/* Largest single argument: 65536 - 15 - 1 bytes fits exactly. */
	huge = malloc(SNCTL_REQ_MAX);
	assert_non_null(huge);
	memset(huge, 'x', SNCTL_REQ_MAX - 16);
	huge[SNCTL_REQ_MAX - 16] = '\0';
	hv[0] = huge;
	assert_int_equal(snctl_req_encode(0, 1, hv, buf, SNCTL_REQ_MAX),
			 (int)SNCTL_REQ_MAX);
	memset(huge, 'x', SNCTL_REQ_MAX - 15);
	huge[SNCTL_REQ_MAX - 15] = '\0';
	assert_int_equal(snctl_req_encode(0, 1, hv, buf, SNCTL_REQ_MAX),
			 -EMSGSIZE);
	free(huge);
	free(buf);
}

/* ---- reassembly --------------------------------------------------------- */

/* Deterministic xorshift64* PRNG. */
static uint64_t
t_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void
test_rx_byte_by_byte(void **state)
{
	static const char *const argv[] = {
		"switch", "create", "lab", "--notes", "", "--type", "private",
	};
	struct snctl_req req;
	struct snctl_rx rx;
	uint8_t buf[128];
	int n;
	int i;
	unsigned int k;

	(void)state;
	n = snctl_req_encode(SNCTL_FLAG_JSON, 7, argv, buf, sizeof(buf));
	assert_true(n > 0);
	snctl_rx_init(&rx, 0);
	for (i = 0; i < n - 1; i++) {
		assert_int_equal(snctl_rx_feed(&rx, buf + i, 1), 0);
	}
	assert_int_equal(snctl_rx_request(&rx, &req), -EAGAIN);
	assert_int_equal(snctl_rx_feed(&rx, buf + n - 1, 1), 1);
	assert_int_equal(snctl_rx_request(&rx, &req), 0);
	assert_int_equal(req.flags, SNCTL_FLAG_JSON);
	assert_int_equal(req.argc, 7);
	for (k = 0; k < 7; k++) {
		assert_string_equal(req.argv[k], argv[k]);
	}
	/* EOF after completion is fine; more bytes are not. */
	assert_int_equal(snctl_rx_eof(&rx), 1);
	assert_int_equal(snctl_rx_feed(&rx, "x", 1), -EBADMSG);
	/* sticky */
	assert_int_equal(snctl_rx_feed(&rx, "x", 1), -EBADMSG);
	snctl_rx_fini(&rx);
}

static void
test_rx_random_splits(void **state)
{
	static const char *const argv[] = {
		"adapter", "add", "vm1", "--switch", "lab", "--mac",
		"00155D001001", "--name", "eth1",
	};
	uint64_t seed = 0x5eedf00dull;
	struct snctl_req req;
	uint8_t buf[256];
	int n;
	int round;

	(void)state;
	n = snctl_req_encode(0, 9, argv, buf, sizeof(buf));
	assert_true(n > 0);
	for (round = 0; round < 200; round++) {
		struct snctl_rx rx;
		int off = 0;
		int rc = 0;

		snctl_rx_init(&rx, 0);
		while (off < n) {
			int chunk = 1 + (int)(t_rand(&seed) % 9);

			if (chunk > n - off) {
				chunk = n - off;
			}
			rc = snctl_rx_feed(&rx, buf + off, (size_t)chunk);
			off += chunk;
			assert_int_equal(rc, off == n ? 1 : 0);
		}
		assert_int_equal(snctl_rx_request(&rx, &req), 0);
		assert_int_equal(req.argc, 9);
		assert_string_equal(req.argv[6], "00155D001001");
		assert_string_equal(req.argv[8], "eth1");
		snctl_rx_fini(&rx);
	}
}

static void
test_rx_errors(void **state)
{
	struct snctl_rx rx;
	uint8_t *junk;
	int rc;
	size_t off;

	(void)state;
	/* HTTP on the control socket: rejected on the first byte. */
	snctl_rx_init(&rx, 0);
	assert_int_equal(snctl_rx_feed(&rx, "GET / HTTP/1.1\r\n", 16),
			 -EBADMSG);
	snctl_rx_fini(&rx);

	/* Truncated: EOF in the middle of an argument. */
	snctl_rx_init(&rx, 0);
	assert_int_equal(snctl_rx_feed(&rx, "SNCTL1\n\0\0\0\0\2\0\0\0ab\0cd",
				       20), 0);
	assert_int_equal(snctl_rx_eof(&rx), -ENODATA);
	snctl_rx_fini(&rx);

	/* argc 0 completes with the header alone; then trailing bytes. */
	snctl_rx_init(&rx, 0);
	assert_int_equal(snctl_rx_feed(&rx, "SNCTL1\n\0\0\0\0\0\0\0\0z", 16),
			 -EBADMSG);
	snctl_rx_fini(&rx);

	/* Oversize: one endless argument, fed in 4 KiB reads. */
	junk = malloc(4096);
	assert_non_null(junk);
	memset(junk, 'A', 4096);
	snctl_rx_init(&rx, 0);
	assert_int_equal(snctl_rx_feed(&rx, "SNCTL1\n\0\0\0\0\1\0\0\0", 15), 0);
	rc = 0;
	for (off = 15; rc == 0 && off < 2 * SNCTL_REQ_MAX; off += 4096) {
		rc = snctl_rx_feed(&rx, junk, 4096);
	}
	assert_int_equal(rc, -EMSGSIZE);
	/* It never buffered more than the limit. */
	assert_true(rx.len <= SNCTL_REQ_MAX);
	assert_int_equal(snctl_rx_eof(&rx), -EMSGSIZE);
	snctl_rx_fini(&rx);

	/* A smaller per-connection limit. */
	snctl_rx_init(&rx, 32);
	assert_int_equal(snctl_rx_feed(&rx, "SNCTL1\n\0\0\0\0\1\0\0\0", 15), 0);
	assert_int_equal(snctl_rx_feed(&rx, junk, 17), -EMSGSIZE);
	snctl_rx_fini(&rx);

	/* Invalid UTF-8 is found when the request completes. */
	snctl_rx_init(&rx, 0);
	assert_int_equal(snctl_rx_feed(&rx, "SNCTL1\n\0\0\0\0\1\0\0\0"
				       "\xc0\xaf\0", 18), -EILSEQ);
	snctl_rx_fini(&rx);
	free(junk);

	/* Every error has a message. */
	assert_non_null(strstr(snctl_req_strerror(-EMSGSIZE), "64 KiB"));
	assert_non_null(strstr(snctl_req_strerror(-EBADMSG), "bad magic"));
}

/* ---- JSON and UTF-8 ----------------------------------------------------- */

static void
test_utf8_boundaries(void **state)
{
	(void)state;
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\x7f", 1), 1);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xc2\x80", 2), 2);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xdf\xbf", 2), 2);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xe0\xa0\x80", 3), 3);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xef\xbf\xbf", 3), 3);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xf0\x90\x80\x80",
					4), 4);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xf4\x8f\xbf\xbf",
					4), 4);
	/* overlong forms */
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xc0\xaf", 2), 0);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xc1\xbf", 2), 0);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xe0\x9f\xbf", 3), 0);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xf0\x8f\xbf\xbf",
					4), 0);
	/* surrogates U+D800, U+DFFF */
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xed\xa0\x80", 3), 0);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xed\xbf\xbf", 3), 0);
	/* above U+10FFFF, bad leads */
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xf4\x90\x80\x80",
					4), 0);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xf5\x80\x80\x80",
					4), 0);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xff", 1), 0);
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\x80", 1), 0);
	/* truncated: only 2 of 3 bytes available */
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xe2\x82\xac", 2), 0);
	/* bad continuation */
	assert_int_equal(snctl_utf8_seq((const uint8_t *)"\xe2\x28\xac", 3), 0);
	assert_true(snctl_utf8_valid("", 0));
	assert_true(snctl_utf8_valid("a\xc3\xa9\xe2\x82\xac", 6));
	assert_false(snctl_utf8_valid("a\xc3", 2));
}

/* Write one string value compactly and compare the document. */
static void
t_json_str(const char *s, size_t n, const char *expect)
{
	struct snctl_out out;
	struct snctl_json j;

	snctl_out_init(&out, 0);
	snctl_json_init(&j, &out, false);
	snctl_json_strn(&j, s, n);
	assert_int_equal(snctl_json_end(&j), 0);
	assert_string_equal(snctl_out_str(&out), expect);
	snctl_out_fini(&out);
}

static void
test_json_escaping(void **state)
{
	(void)state;
	t_json_str("plain", 5, "\"plain\"\n");
	t_json_str("q\"b\\s/", 6, "\"q\\\"b\\\\s/\"\n");
	t_json_str("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"\n");
	t_json_str("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"\n");
	t_json_str("a\0b", 3, "\"a\\u0000b\"\n");
	/* Valid UTF-8 is kept: e-acute, euro, U+1F600. */
	t_json_str("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
		   "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"\n");
	/* Invalid bytes become U+FFFD, one per byte. */
	t_json_str("a\xff" "b", 3, "\"a\\ufffdb\"\n");
	t_json_str("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"\n");
	t_json_str("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"\n");
	/* Truncated euro sign at the end, then a valid e-acute after a
	 * truncated one. */
	t_json_str("x\xe2\x82", 3, "\"x\\ufffd\\ufffd\"\n");
	t_json_str("\xc3\xc3\xa9", 3, "\"\\ufffd\xc3\xa9\"\n");
	t_json_str("", 0, "\"\"\n");
}

static void
test_json_document(void **state)
{
	struct snctl_out out;
	struct snctl_json j;

	(void)state;
	snctl_out_init(&out, 0);
	snctl_json_init(&j, &out, false);
	snctl_json_obj_open(&j);
	snctl_json_key(&j, "a");
	snctl_json_arr_open(&j);
	snctl_json_u64(&j, 18446744073709551615ull);
	snctl_json_i64(&j, -5);
	snctl_json_bool(&j, true);
	snctl_json_null(&j);
	snctl_json_str(&j, "x");
	snctl_json_str(&j, NULL);
	snctl_json_arr_close(&j);
	snctl_json_key(&j, "b");
	snctl_json_obj_open(&j);
	snctl_json_obj_close(&j);
	snctl_json_kv_str(&j, "k\"ey", "v");
	snctl_json_key(&j, "e");
	snctl_json_arr_open(&j);
	snctl_json_arr_close(&j);
	snctl_json_kv_double(&j, "d", 2.5, 3);
	snctl_json_kv_double(&j, "nan", 0.0 / 0.0, 3);
	snctl_json_kv_double(&j, "neg", -1.25, 1);
	snctl_json_obj_close(&j);
	assert_int_equal(snctl_json_end(&j), 0);
	assert_string_equal(snctl_out_str(&out),
			    "{\"a\":[18446744073709551615,-5,true,null,\"x\","
			    "null],\"b\":{},\"k\\\"ey\":\"v\",\"e\":[],"
			    "\"d\":2.500,\"nan\":null,\"neg\":-1.2}\n");

	/* The same shape, pretty. */
	snctl_out_reset(&out);
	snctl_json_init(&j, &out, true);
	snctl_json_obj_open(&j);
	snctl_json_kv_u64(&j, "n", 1);
	snctl_json_key(&j, "l");
	snctl_json_arr_open(&j);
	snctl_json_bool(&j, false);
	snctl_json_obj_open(&j);
	snctl_json_obj_close(&j);
	snctl_json_arr_close(&j);
	snctl_json_key(&j, "e");
	snctl_json_arr_open(&j);
	snctl_json_arr_close(&j);
	snctl_json_obj_close(&j);
	assert_int_equal(snctl_json_end(&j), 0);
	assert_string_equal(snctl_out_str(&out),
			    "{\n"
			    "  \"n\": 1,\n"
			    "  \"l\": [\n"
			    "    false,\n"
			    "    {}\n"
			    "  ],\n"
			    "  \"e\": []\n"
			    "}\n");
	snctl_out_fini(&out);
}

static void
test_json_misuse(void **state)
{
	struct snctl_out out;
	struct snctl_json j;
	int i;

	(void)state;
	snctl_out_init(&out, 0);

	/* value in an object without a key */
	snctl_json_init(&j, &out, false);
	snctl_json_obj_open(&j);
	snctl_json_u64(&j, 1);
	snctl_json_obj_close(&j);
	assert_int_equal(snctl_json_end(&j), -EINVAL);

	/* key in an array */
	snctl_json_init(&j, &out, false);
	snctl_json_arr_open(&j);
	snctl_json_key(&j, "k");
	assert_int_equal(snctl_json_end(&j), -EINVAL);

	/* mismatched close, unclosed, key without value */
	snctl_json_init(&j, &out, false);
	snctl_json_arr_open(&j);
	snctl_json_obj_close(&j);
	assert_int_equal(snctl_json_end(&j), -EINVAL);
	snctl_json_init(&j, &out, false);
	snctl_json_obj_open(&j);
	assert_int_equal(snctl_json_end(&j), -EINVAL);
	snctl_json_init(&j, &out, false);
	snctl_json_obj_open(&j);
	snctl_json_key(&j, "k");
	snctl_json_obj_close(&j);
	assert_int_equal(snctl_json_end(&j), -EINVAL);

	/* two top-level values; nothing at all */
	snctl_json_init(&j, &out, false);
	snctl_json_u64(&j, 1);
	snctl_json_u64(&j, 2);
	assert_int_equal(snctl_json_end(&j), -EINVAL);
	snctl_json_init(&j, &out, false);
	assert_int_equal(snctl_json_end(&j), -EINVAL);

	/* nesting deeper than SNCTL_JSON_MAX_DEPTH */
	snctl_json_init(&j, &out, false);
	for (i = 0; i <= SNCTL_JSON_MAX_DEPTH; i++) {
		snctl_json_arr_open(&j);
	}
	assert_int_equal(snctl_json_end(&j), -EINVAL);
	snctl_out_fini(&out);

	/* output overflow */
	snctl_out_init(&out, 8);
	snctl_json_init(&j, &out, false);
	snctl_json_str(&j, "0123456789");
	assert_int_equal(snctl_json_end(&j), -ENOSPC);
	snctl_out_fini(&out);
}

/* ---- output buffer and tables ------------------------------------------- */

static void
test_out_limits(void **state)
{
	struct snctl_out out;
	char big[600];

	(void)state;
	snctl_out_init(&out, 10);
	assert_string_equal(snctl_out_str(&out), "");
	assert_int_equal(snctl_out_puts(&out, "0123456789"), 0);
	assert_int_equal(snctl_out_putc(&out, 'x'), -ENOSPC);
	assert_true(out.overflow);
	assert_int_equal(snctl_out_puts(&out, ""), -ENOSPC);	/* sticky */
	assert_string_equal(snctl_out_str(&out), "0123456789");
	snctl_out_truncate(&out, 4);
	assert_false(out.overflow);
	assert_string_equal(snctl_out_str(&out), "0123");
	snctl_out_fini(&out);

	/* printf longer than its internal small buffer */
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snctl_out_init(&out, 0);
	assert_int_equal(snctl_out_printf(&out, "<%s>%d", big, 42), 0);
	assert_int_equal(out.len, 1 + 599 + 1 + 2);
	assert_int_equal(memcmp(snctl_out_str(&out) + 600, ">42", 4), 0);
	snctl_out_fini(&out);
}

static void
test_table_render(void **state)
{
	static const char *const head[] = { "Name", "Count", "Notes" };
	static const char *const r1[] = { "lab", "2", "caf\xc3\xa9" };
	static const char *const r2[] = { "production", "10", "" };
	static const char *const keys[] = { "Name", "SwitchType" };
	static const char *const vals[] = { "lab", "Private" };
	struct snctl_table t;
	struct snctl_out out;

	(void)state;
	snctl_out_init(&out, 0);
	assert_int_equal(snctl_table_init(&t, 3, head, 1u << 1), 0);
	assert_int_equal(snctl_table_add(&t, r1), 0);
	assert_int_equal(snctl_table_add(&t, r2), 0);
	assert_int_equal(snctl_table_render(&t, &out), 0);
	snctl_table_fini(&t);
	/* One blank between columns, numbers right-aligned, "café" is 4
	 * columns wide, no trailing blanks. */
	assert_string_equal(snctl_out_str(&out),
			    "Name       Count Notes\n"
			    "----       ----- -----\n"
			    "lab            2 caf\xc3\xa9\n"
			    "production    10\n");
	snctl_out_reset(&out);
	assert_int_equal(snctl_out_list(&out, keys, vals, 2), 0);
	assert_string_equal(snctl_out_str(&out),
			    "Name       : lab\n"
			    "SwitchType : Private\n");
	snctl_out_fini(&out);
	assert_int_equal(snctl_table_init(&t, 0, head, 0), -EINVAL);
	assert_int_equal(snctl_table_init(&t, SNCTL_TABLE_MAX_COLS + 1, head,
					  0), -EINVAL);
	assert_int_equal(snctl_text_width("a\xe2\x82\xac" "b"), 3);
}

static void
test_help_table(void **state)
{
	const struct snctl_help *h;
	struct snctl_out out;
	size_t n;
	size_t i;

	(void)state;
	h = snctl_help_table(&n);
	assert_int_equal(n, 19);
	snctl_out_init(&out, 0);
	assert_int_equal(snctl_help_render(&out), 0);
	for (i = 0; i < n; i++) {
		assert_non_null(strstr(snctl_out_str(&out), h[i].cmd));
		assert_ptr_equal(snctl_help_find(h[i].cmd), &h[i]);
	}
	assert_null(snctl_help_find("switch frob"));
	snctl_out_reset(&out);
	assert_int_equal(snctl_help_usage(snctl_help_find("adapter add"), &out),
			 0);
	assert_string_equal(snctl_out_str(&out),
			    "usage: synthctl adapter add VM --switch NAME "
			    "[--name NIC] [--mac MAC]\n");
	snctl_out_reset(&out);
	snctl_help_usage(snctl_help_find("status"), &out);
	assert_string_equal(snctl_out_str(&out), "usage: synthctl status\n");
	snctl_out_fini(&out);
}

static void
test_socket_path(void **state)
{
	(void)state;
	unsetenv(SNCTL_ENV_PATH);
	assert_string_equal(snctl_socket_path(NULL), SNCTL_DEFAULT_PATH);
	assert_string_equal(snctl_socket_path(""), SNCTL_DEFAULT_PATH);
	setenv(SNCTL_ENV_PATH, "/tmp/env.sock", 1);
	assert_string_equal(snctl_socket_path(NULL), "/tmp/env.sock");
	assert_string_equal(snctl_socket_path("/x.sock"), "/x.sock");
	setenv(SNCTL_ENV_PATH, "", 1);
	assert_string_equal(snctl_socket_path(NULL), SNCTL_DEFAULT_PATH);
	unsetenv(SNCTL_ENV_PATH);
}

/* ---- server ------------------------------------------------------------ */

/* Test fixture: a server in a private directory with a fake clock. */
struct t_srv {
	char dir[64];			/* mkdtemp() */
	char path[100];			/* dir/run/ctl.sock */
	uint64_t now;			/* fake clock, ms */
	unsigned int calls;		/* handler calls */
	unsigned int fds;		/* ... that got a descriptor */
	unsigned int logs;		/* log lines */
	struct snctl_server *srv;	/* the server */
};

static uint64_t
t_clock(void *ctx)
{
	struct t_srv *t = ctx;

	return __atomic_load_n(&t->now, __ATOMIC_RELAXED);
}

static void
t_log(void *ctx, const char *msg)
{
	struct t_srv *t = ctx;

	assert_non_null(msg);
	t->logs++;
}

/*
 * Echo handler: "argc=N json=B" then one argument per line.  "fail" as
 * the first argument answers status 1; "big N" answers N bytes.
 */
static unsigned int
t_handler(void *ctx, const struct snctl_req *req,
	  const struct snctl_peer *peer, struct snctl_out *out)
{
	struct t_srv *t = ctx;
	uint32_t i;

	t->calls++;
	assert_int_equal(peer->uid, getuid());
	assert_int_equal(peer->pid, getpid());
	/* A descriptor comes exactly when the flag says so. */
	assert_int_equal(req->fd >= 0, (req->flags & SNCTL_FLAG_FD) != 0);
	if (req->fd >= 0) {
		/* "fd" as the first argument: write through it */
		if (req->argc > 0 && strcmp(req->argv[0], "fd") == 0) {
			assert_int_equal(write(req->fd, "via-fd\n", 7), 7);
		}
		t->fds++;
		snctl_out_printf(out, "fd=yes ");
	}
	if (req->argc == 2 && strcmp(req->argv[0], "big") == 0) {
		long n = strtol(req->argv[1], NULL, 10);

		while (n-- > 0) {
			snctl_out_putc(out, (char)('a' + n % 26));
		}
		return 0;
	}
	snctl_out_printf(out, "argc=%u json=%d\n", req->argc,
			 (req->flags & SNCTL_FLAG_JSON) != 0);
	for (i = 0; i < req->argc; i++) {
		snctl_out_printf(out, "%s\n", req->argv[i]);
	}
	return req->argc > 0 && strcmp(req->argv[0], "fail") == 0 ? 1 : 0;
}

static struct snctl_server *
t_srv_start(struct t_srv *t, unsigned int max_conns, size_t resp_limit)
{
	struct snctl_server_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.path = t->path;
	cfg.max_conns = max_conns;
	cfg.resp_limit = resp_limit;
	cfg.now_ms = t_clock;
	cfg.handler = t_handler;
	cfg.log = t_log;
	cfg.ctx = t;
	return snctl_server_create(&cfg);
}

static int
t_srv_setup(void **state)
{
	struct t_srv *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_snctl.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	/* A subdirectory the server must create itself. */
	snprintf(t->path, sizeof(t->path), "%s/run/ctl.sock", t->dir);
	t->now = 1000;
	t->srv = t_srv_start(t, 0, 0);
	assert_non_null(t->srv);
	*state = t;
	return 0;
}

static int
t_srv_teardown(void **state)
{
	struct t_srv *t = *state;
	char sub[96];

	snctl_server_destroy(t->srv);
	/* destroy unlinked the socket */
	assert_int_equal(access(t->path, F_OK), -1);
	snprintf(sub, sizeof(sub), "%s/run", t->dir);
	rmdir(sub);
	rmdir(t->dir);
	free(t);
	return 0;
}

/* A non-blocking client connection to the fixture. */
static int
t_connect(const struct t_srv *t)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", t->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/*
 * Read the whole answer from fd (until EOF), running the server between
 * reads.  Returns the status; body (NUL-terminated) in buf.
 */
static uint32_t
t_answer(struct t_srv *t, int fd, char *buf, size_t cap)
{
	uint8_t all[8192];
	size_t got = 0;
	int spins;

	for (spins = 0; spins < 10000; spins++) {
		ssize_t n;

		snctl_server_process(t->srv);
		n = recv(fd, all + got, sizeof(all) - got, MSG_DONTWAIT);
		if (n == 0) {
			break;
		}
		if (n > 0) {
			got += (size_t)n;
			assert_true(got < sizeof(all));
			continue;
		}
		assert_true(errno == EAGAIN || errno == ECONNRESET);
		if (errno == ECONNRESET) {
			break;
		}
	}
	assert_true(got >= 4);
	assert_true(got - 4 < cap);
	memcpy(buf, all + 4, got - 4);
	buf[got - 4] = '\0';
	return (uint32_t)all[0] | (uint32_t)all[1] << 8 |
	       (uint32_t)all[2] << 16 | (uint32_t)all[3] << 24;
}

static void
test_server_partial_request(void **state)
{
	struct t_srv *t = *state;
	static const char *const argv[] = { "switch", "list" };
	uint8_t req[64];
	char body[256];
	int n;
	int fd;
	int i;

	assert_int_equal(snctl_server_timeout(t->srv), -1);
	n = snctl_req_encode(SNCTL_FLAG_JSON, 2, argv, req, sizeof(req));
	fd = t_connect(t);
	snctl_server_process(t->srv);
	assert_int_equal(snctl_server_conns(t->srv), 1);
	assert_int_equal(snctl_server_timeout(t->srv), 5000);
	/* Dribble the request in 3-byte pieces; no answer before the end. */
	for (i = 0; i < n; i += 3) {
		int k = n - i < 3 ? n - i : 3;

		assert_int_equal(write(fd, req + i, (size_t)k), k);
		snctl_server_process(t->srv);
		if (i + k < n) {
			assert_int_equal(t->calls, 0);
		}
	}
	/* Complete without the client's EOF. */
	assert_int_equal(t->calls, 1);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 0);
	assert_string_equal(body, "argc=2 json=1\nswitch\nlist\n");
	assert_int_equal(snctl_server_conns(t->srv), 0);
	close(fd);
}

static void
test_server_garbage_then_ok(void **state)
{
	struct t_srv *t = *state;
	static const char *const argv[] = { "fail", "x" };
	uint8_t req[64];
	char body[256];
	int fd;
	int n;

	fd = t_connect(t);
	assert_int_equal(write(fd, "GET / HTTP/1.0\r\n\r\n", 18), 18);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 1);
	assert_string_equal(body, "bad control request: not a synthctl "
			    "request (bad magic or bytes after the last "
			    "argument)\n");
	assert_int_equal(t->calls, 0);
	assert_int_equal(t->logs, 1);
	close(fd);

	/* Truncated request: the client shuts down early. */
	fd = t_connect(t);
	assert_int_equal(write(fd, "SNCTL1\n\0\0\0\0\1\0\0\0ab", 17), 17);
	shutdown(fd, SHUT_WR);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 1);
	assert_string_equal(body, "bad control request: the request ended "
			    "early (truncated)\n");
	close(fd);

	/* The server is unaffected: a good request still works, and the
	 * handler's status comes through. */
	n = snctl_req_encode(0, 2, argv, req, sizeof(req));
	fd = t_connect(t);
	assert_int_equal(write(fd, req, (size_t)n), n);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 1);
	assert_string_equal(body, "argc=2 json=0\nfail\nx\n");
	close(fd);
}

static void
test_server_oversize(void **state)
{
	struct t_srv *t = *state;
	uint8_t chunk[4096];
	char body[256];
	size_t sent = 0;
	int fd;
	int spins;

	fd = t_connect(t);
	assert_int_equal(write(fd, "SNCTL1\n\0\0\0\0\1\0\0\0", 15), 15);
	memset(chunk, 'A', sizeof(chunk));
	/* Push until the server gives up on us (it closes after 64 KiB). */
	for (spins = 0; spins < 10000 && sent < 4 * SNCTL_REQ_MAX; spins++) {
		ssize_t n = send(fd, chunk, sizeof(chunk),
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			sent += (size_t)n;
		} else if (errno == EPIPE || errno == ECONNRESET) {
			break;
		}
		snctl_server_process(t->srv);
		if (snctl_server_conns(t->srv) == 0) {
			break;
		}
	}
	assert_int_equal(snctl_server_conns(t->srv), 0);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 1);
	assert_string_equal(body, "bad control request: request too large "
			    "(at most 64 KiB)\n");
	assert_int_equal(t->calls, 0);
	close(fd);
}

static void
test_server_timeout(void **state)
{
	struct t_srv *t = *state;
	char body[256];
	int fd;

	fd = t_connect(t);
	assert_int_equal(write(fd, "SNCTL1\n", 7), 7);
	snctl_server_process(t->srv);
	assert_int_equal(snctl_server_conns(t->srv), 1);
	t->now += 4999;
	assert_int_equal(snctl_server_timeout(t->srv), 1);
	snctl_server_process(t->srv);
	assert_int_equal(snctl_server_conns(t->srv), 1);
	t->now += 1;
	assert_int_equal(snctl_server_timeout(t->srv), 0);
	snctl_server_process(t->srv);
	assert_int_equal(snctl_server_conns(t->srv), 0);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 1);
	assert_string_equal(body, "bad control request: timed out waiting "
			    "for the request\n");
	close(fd);
}

static void
test_server_busy(void **state)
{
	struct t_srv *t = *state;
	char body[256];
	int fd[3];
	int i;

	snctl_server_destroy(t->srv);
	t->srv = t_srv_start(t, 2, 0);
	assert_non_null(t->srv);
	for (i = 0; i < 3; i++) {
		fd[i] = t_connect(t);
		snctl_server_process(t->srv);
	}
	assert_int_equal(snctl_server_conns(t->srv), 2);
	assert_int_equal(t_answer(t, fd[2], body, sizeof(body)), 1);
	assert_string_equal(body, "synthnetd is busy (too many control "
			    "connections): retry\n");
	for (i = 0; i < 3; i++) {
		close(fd[i]);
	}
	/* The server notices the closed connections (EOF: truncated). */
	snctl_server_process(t->srv);
	assert_int_equal(snctl_server_conns(t->srv), 0);
}

static void
test_server_response_limit(void **state)
{
	struct t_srv *t = *state;
	static const char *const argv[] = { "big", "5000" };
	uint8_t req[64];
	char body[256];
	int fd;
	int n;

	snctl_server_destroy(t->srv);
	t->srv = t_srv_start(t, 0, 4096);
	assert_non_null(t->srv);
	n = snctl_req_encode(0, 2, argv, req, sizeof(req));
	fd = t_connect(t);
	assert_int_equal(write(fd, req, (size_t)n), n);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 1);
	assert_string_equal(body, "response too large: narrow the query "
			    "(e.g. --switch or --vm)\n");
	close(fd);
}

static void
test_server_socket_file(void **state)
{
	struct t_srv *t = *state;
	struct snctl_server *other;
	struct sockaddr_un sun;
	struct stat st;
	char path2[128];
	int fd;

	/* The socket file has mode 0660. */
	assert_int_equal(stat(t->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);

	/* A live server is not replaced. */
	other = t_srv_start(t, 0, 0);
	assert_null(other);
	assert_int_equal(errno, EADDRINUSE);

	/* A stale socket file (nobody listening) is replaced. */
	snctl_server_destroy(t->srv);
	t->srv = NULL;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", t->path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(access(t->path, F_OK), 0);
	t->srv = t_srv_start(t, 0, 0);
	assert_non_null(t->srv);

	/* A regular file is never deleted. */
	snprintf(path2, sizeof(path2), "%s/file", t->dir);
	fd = open(path2, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	{
		struct snctl_server_cfg cfg;

		memset(&cfg, 0, sizeof(cfg));
		cfg.path = path2;
		cfg.handler = t_handler;
		cfg.ctx = t;
		assert_null(snctl_server_create(&cfg));
		assert_int_equal(errno, EEXIST);
	}
	assert_int_equal(access(path2, F_OK), 0);
	unlink(path2);
}

/* ---- descriptors (SCM_RIGHTS) -------------------------------------------- */

/*
 * Send len bytes of req on fd with the descriptors fds[0..nfds) as
 * SCM_RIGHTS (one control message).
 */
static void
t_send_fds(int fd, const void *req, size_t len, const int *fds, size_t nfds)
{
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)req,
			     .iov_len = len };
	struct msghdr msg;
	struct cmsghdr *cm;

	assert_true(nfds >= 1 && nfds <= 4);
	memset(&ctl, 0, sizeof(ctl));
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	assert_int_equal(sendmsg(fd, &msg, MSG_NOSIGNAL), (ssize_t)len);
}

/* True when the read end of a pipe sees EOF: every write end closed
 * (ours and the server's copy). */
static bool
t_pipe_eof(int rfd)
{
	char b[64];
	ssize_t n;

	for (;;) {
		n = read(rfd, b, sizeof(b));
		if (n == 0) {
			return true;
		}
		if (n < 0) {
			return false;	/* EAGAIN: a writer is left */
		}
	}
}

static void
test_server_fd(void **state)
{
	struct t_srv *t = *state;
	static const char *const fdcmd[] = { "fd", "x" };
	static const char *const plain[] = { "list" };
	uint8_t req[64];
	char body[256];
	char got[16];
	int p[2];
	int fds[2];
	int fd;
	int n;

	/* 1. A descriptor with the flag: the handler writes through it,
	 * the server closes its copy afterwards. */
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	n = snctl_req_encode(SNCTL_FLAG_FD, 2, fdcmd, req, sizeof(req));
	fd = t_connect(t);
	/* The descriptor goes with the first bytes, the rest follows. */
	t_send_fds(fd, req, 5, &p[1], 1);
	close(p[1]);
	assert_int_equal(write(fd, req + 5, (size_t)n - 5), n - 5);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 0);
	assert_string_equal(body, "fd=yes argc=2 json=0\nfd\nx\n");
	assert_int_equal(t->fds, 1);
	assert_int_equal(read(p[0], got, sizeof(got)), 7);
	assert_memory_equal(got, "via-fd\n", 7);
	assert_true(t_pipe_eof(p[0]));
	close(p[0]);
	close(fd);

	/* 2. The flag without a descriptor. */
	fd = t_connect(t);
	assert_int_equal(write(fd, req, (size_t)n), n);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 1);
	assert_string_equal(body, "bad control request: the request "
			    "announced a file descriptor but none came "
			    "with it\n");
	close(fd);

	/* 3. A descriptor without the flag: refused, and closed. */
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	n = snctl_req_encode(0, 1, plain, req, sizeof(req));
	fd = t_connect(t);
	t_send_fds(fd, req, (size_t)n, &p[1], 1);
	close(p[1]);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 1);
	assert_string_equal(body, "bad control request: unexpected file "
			    "descriptors with the request (at most one, "
			    "announced by the descriptor flag)\n");
	assert_true(t_pipe_eof(p[0]));
	close(p[0]);
	close(fd);

	/* 4. Two descriptors with the flag: refused, both closed. */
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	fds[0] = p[1];
	fds[1] = dup(p[1]);
	n = snctl_req_encode(SNCTL_FLAG_FD, 2, fdcmd, req, sizeof(req));
	fd = t_connect(t);
	t_send_fds(fd, req, (size_t)n, fds, 2);
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 1);
	assert_non_null(strstr(body, "unexpected file descriptors"));
	assert_true(t_pipe_eof(p[0]));
	close(p[0]);
	close(fd);

	/* 5. A descriptor, then a truncated request: closed unused. */
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	fd = t_connect(t);
	t_send_fds(fd, req, 9, &p[1], 1);
	close(p[1]);
	shutdown(fd, SHUT_WR);
	assert_int_equal(t_answer(t, fd, body, sizeof(body)), 1);
	assert_string_equal(body, "bad control request: the request ended "
			    "early (truncated)\n");
	assert_true(t_pipe_eof(p[0]));
	close(p[0]);
	close(fd);

	/* Only the first request reached the handler. */
	assert_int_equal(t->calls, 1);
	assert_int_equal(t->fds, 1);
}

/* ---- client against a server thread ------------------------------------ */

/* Server thread state. */
struct t_thread {
	struct t_srv *t;	/* fixture */
	int stop;		/* set to end the loop (atomic) */
};

static void *
t_serve(void *arg)
{
	struct t_thread *th = arg;

	while (!__atomic_load_n(&th->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p = {
			.fd = snctl_server_fd(th->t->srv),
			.events = POLLIN,
		};

		poll(&p, 1, 20);
		snctl_server_process(th->t->srv);
	}
	return NULL;
}

static void
test_client_call(void **state)
{
	struct t_srv *t = *state;
	static const char *const argv[] = { "adapter", "list", "--vm",
					    "caf\xc3\xa9" };
	static const char *const big[] = { "big", "300000" };
	static const char *const bad[] = { "\xff" };
	struct t_thread th = { .t = t, .stop = 0 };
	struct snctl_out body;
	char missing[128];
	uint32_t status = 99;
	pthread_t tid;
	size_t i;
	int rc;

	assert_int_equal(pthread_create(&tid, NULL, t_serve, &th), 0);
	snctl_out_init(&body, 0);
	rc = snctl_client_call(t->path, SNCTL_FLAG_JSON, 4, argv, 5000,
			       &status, &body);
	assert_int_equal(rc, 0);
	assert_int_equal(status, 0);
	assert_string_equal(snctl_out_str(&body),
			    "argc=4 json=1\nadapter\nlist\n--vm\n"
			    "caf\xc3\xa9\n");

	/* A 300 kB answer crosses many socket buffers. */
	snctl_out_reset(&body);
	rc = snctl_client_call(t->path, 0, 2, big, 5000, &status, &body);
	assert_int_equal(rc, 0);
	assert_int_equal(status, 0);
	assert_int_equal(body.len, 300000);
	for (i = 0; i < body.len; i++) {
		size_t n = 300000 - 1 - i;

		if (body.buf[i] != (char)('a' + n % 26)) {
			fail_msg("byte %zu differs", i);
		}
	}
	/* The client's own body limit. */
	snctl_out_fini(&body);
	snctl_out_init(&body, 1000);
	rc = snctl_client_call(t->path, 0, 2, big, 5000, &status, &body);
	assert_int_equal(rc, -EFBIG);
	snctl_out_fini(&body);
	snctl_out_init(&body, 0);

	/* Encode errors never reach the server. */
	rc = snctl_client_call(t->path, 0, 1, bad, 5000, &status, &body);
	assert_int_equal(rc, -EILSEQ);

	/* A descriptor: the flag is added, the handler writes through
	 * it, and the caller keeps its own copy. */
	{
		static const char *const fdcmd[] = { "fd" };
		char got[16];
		int p[2];

		assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
		snctl_out_reset(&body);
		rc = snctl_client_call_fd(t->path, SNCTL_FLAG_JSON, 1, fdcmd,
					  p[1], 5000, &status, &body);
		assert_int_equal(rc, 0);
		assert_int_equal(status, 0);
		assert_string_equal(snctl_out_str(&body),
				    "fd=yes argc=1 json=1\nfd\n");
		assert_int_equal(read(p[0], got, sizeof(got)), 7);
		assert_int_equal(fcntl(p[1], F_GETFD), FD_CLOEXEC);
		close(p[1]);
		assert_true(t_pipe_eof(p[0]));
		close(p[0]);
		/* Not a descriptor: refused before connecting. */
		rc = snctl_client_call_fd(t->path, 0, 1, fdcmd, 999, 5000,
					  &status, &body);
		assert_int_equal(rc, -EBADF);
		/* -1: a plain call. */
		snctl_out_reset(&body);
		rc = snctl_client_call_fd(t->path, 0, 1, fdcmd, -1, 5000,
					  &status, &body);
		assert_int_equal(rc, 0);
		assert_string_equal(snctl_out_str(&body),
				    "argc=1 json=0\nfd\n");
	}

	__atomic_store_n(&th.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(tid, NULL), 0);

	/* No daemon: the path does not exist. */
	snprintf(missing, sizeof(missing), "%s/none.sock", t->dir);
	rc = snctl_client_call(missing, 0, 0, NULL, 1000, &status, &body);
	assert_int_equal(rc, -ENOENT);
	snctl_out_fini(&body);
}

static void
test_client_stale_socket(void **state)
{
	struct t_srv *t = *state;
	struct snctl_out body;
	uint32_t status;
	int rc;

	/* Daemon gone, socket file left behind: connection refused. */
	snctl_server_destroy(t->srv);
	{
		struct sockaddr_un sun;
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", t->path);
		assert_int_equal(bind(fd, (struct sockaddr *)&sun,
				      sizeof(sun)), 0);
		close(fd);
	}
	snctl_out_init(&body, 0);
	rc = snctl_client_call(t->path, 0, 0, NULL, 1000, &status, &body);
	assert_int_equal(rc, -ECONNREFUSED);
	snctl_out_fini(&body);
	t->srv = t_srv_start(t, 0, 0);
	assert_non_null(t->srv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_req_encode_bytes),
		cmocka_unit_test(test_req_roundtrip),
		cmocka_unit_test(test_req_decode_prefixes),
		cmocka_unit_test(test_req_decode_errors),
		cmocka_unit_test(test_req_encode_errors),
		cmocka_unit_test(test_rx_byte_by_byte),
		cmocka_unit_test(test_rx_random_splits),
		cmocka_unit_test(test_rx_errors),
		cmocka_unit_test(test_utf8_boundaries),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_document),
		cmocka_unit_test(test_json_misuse),
		cmocka_unit_test(test_out_limits),
		cmocka_unit_test(test_table_render),
		cmocka_unit_test(test_help_table),
		cmocka_unit_test(test_socket_path),
		cmocka_unit_test_setup_teardown(test_server_partial_request,
						t_srv_setup, t_srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_garbage_then_ok,
						t_srv_setup, t_srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_oversize,
						t_srv_setup, t_srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_timeout,
						t_srv_setup, t_srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_busy,
						t_srv_setup, t_srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_response_limit,
						t_srv_setup, t_srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_fd,
						t_srv_setup, t_srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_socket_file,
						t_srv_setup, t_srv_teardown),
		cmocka_unit_test_setup_teardown(test_client_call,
						t_srv_setup, t_srv_teardown),
		cmocka_unit_test_setup_teardown(test_client_stale_socket,
						t_srv_setup, t_srv_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
