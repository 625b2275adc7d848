/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofl_csum.c - Internet checksum helpers (see ofl_csum.h).
 *
 * ofl_csum_partial() sums 64-bit native-order words with end-around carry
 * and converts to the big-endian domain once at the end: the ones'-
 * complement sum is byte-order independent up to a final byte swap
 * (RFC 1071 section 2(B)).  Loads use memcpy, so any alignment is fine.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sn_wire.h"
#include "ofl_csum.h"

#define IP4_HDR_MIN 20
#define IP4_CSUM_OFF 10
#define IP6_HDR_LEN 40
#define TCP_HDR_MIN 20
#define TCP_CSUM_OFF 16
#define UDP_HDR_LEN 8
#define UDP_CSUM_OFF 6

/* a + b with the carry out of bit 63 added back in (ones' complement). */
static inline uint64_t
add64c(uint64_t a, uint64_t b)
{
	uint64_t r;

	if (__builtin_add_overflow(a, b, &r)) {
		r++; /* cannot wrap: a + b - 2^64 <= 2^64 - 2 */
	}
	return r;
}

static inline uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Fold a 64-bit ones'-complement accumulator to 16 bits (no complement). */
static inline uint32_t
fold64(uint64_t acc)
{
	uint64_t t = (acc & 0xFFFFFFFFu) + (acc >> 32);

	t = (t & 0xFFFF) + (t >> 16);
	t = (t & 0xFFFF) + (t >> 16);
	t = (t & 0xFFFF) + (t >> 16);
	return (uint32_t)t;
}

/* Native-order sum of len bytes; an odd last byte is the first of a word. */
static uint64_t
sum_native(const uint8_t *p, size_t len)
{
	uint64_t a0 = 0, a1 = 0;
	uint32_t w32;
	uint16_t w16;
	uint8_t last[2];

	/* Two accumulators keep two carry chains in flight. */
	while (len >= 32) {
		a0 = add64c(a0, load64(p));
		a1 = add64c(a1, load64(p + 8));
		a0 = add64c(a0, load64(p + 16));
		a1 = add64c(a1, load64(p + 24));
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		a0 = add64c(a0, load64(p));
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		memcpy(&w32, p, 4);
		a1 = add64c(a1, w32);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		a1 = add64c(a1, w16);
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		last[0] = p[0];
		last[1] = 0;
		memcpy(&w16, last, 2);
		a1 = add64c(a1, w16);
	}
	return add64c(a0, a1);
}

uint32_t
ofl_csum_partial(const void *buf, size_t len, uint32_t sum)
{
	uint32_t s;

	s = fold64(buf != NULL ? sum_native(buf, len) : 0);
	if (!SN_BIG_ENDIAN) {
		s = sn_bswap16((uint16_t)s);
	}
	return fold64((uint64_t)s + sum);
}

uint16_t
ofl_csum_fold(uint32_t sum)
{
	return (uint16_t)~fold64(sum);
}

uint16_t
ofl_csum_ip4_hdr(const uint8_t *ip, size_t hlen)
{
	uint32_t s;

	if (ip == NULL || hlen < IP4_HDR_MIN) {
		return 0;
	}
	s = ofl_csum_partial(ip, IP4_CSUM_OFF, 0);
	s = ofl_csum_partial(ip + IP4_CSUM_OFF + 2, hlen - IP4_CSUM_OFF - 2,
			     s);
	return ofl_csum_fold(s);
}

bool
ofl_csum_ip4_hdr_ok(const uint8_t *ip, size_t hlen)
{
	if (ip == NULL || hlen < IP4_HDR_MIN) {
		return false;
	}
	return ofl_csum_fold(ofl_csum_partial(ip, hlen, 0)) == 0;
}

uint32_t
ofl_csum_pseudo4(const uint8_t *src, const uint8_t *dst, uint8_t proto,
		 uint32_t l4_len)
{
	uint64_t s;

	s = (uint64_t)sn_get_be16(src) + sn_get_be16(src + 2) +
	    sn_get_be16(dst) + sn_get_be16(dst + 2) + proto +
	    (l4_len >> 16) + (l4_len & 0xFFFF);
	return fold64(s);
}

uint32_t
ofl_csum_pseudo6(const uint8_t *src, const uint8_t *dst, uint8_t proto,
		 uint32_t l4_len)
{
	uint32_t s;

	s = ofl_csum_partial(src, 16, 0);
	s = ofl_csum_partial(dst, 16, s);
	return fold64((uint64_t)s + proto + (l4_len >> 16) +
		      (l4_len & 0xFFFF));
}

uint16_t
ofl_csum_update16(uint16_t csum, uint16_t old_val, uint16_t new_val)
{
	uint32_t s = (uint16_t)~csum;

	s += (uint16_t)~old_val;
	s += new_val;
	return ofl_csum_fold(s);
}

uint16_t
ofl_csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val)
{
	uint32_t s = (uint16_t)~csum;

	s += (uint16_t)~(old_val >> 16);
	s += (uint16_t)~old_val;
	s += new_val >> 16;
	s += new_val & 0xFFFF;
	return ofl_csum_fold(s);
}

/*
 * Check that the IP header p describes lies inside the buffer.  p may come
 * from a caller that mixed frames up; it is data, not a promise.
 */
static int
check_l3(size_t len, const struct ofl_pkt *p, size_t *hdr_min)
{
	if (p->l3_type == OFL_L3_IPV4) {
		*hdr_min = IP4_HDR_MIN;
	} else if (p->l3_type == OFL_L3_IPV6) {
		*hdr_min = IP6_HDR_LEN;
	} else {
		return -ENOTSUP;
	}
	if (!(p->flags & OFL_F_L3_OK)) {
		return -EBADMSG;
	}
	if (p->l3_hdr_len < *hdr_min ||
	    !sn_range_ok(p->l3_off, p->l3_hdr_len, len)) {
		return -EINVAL;
	}
	return 0;
}

/*
 * Check that p describes a whole, checksummable TCP/UDP segment inside the
 * buffer; *csum_off receives the frame offset of its checksum field.
 */
static int
check_l4(size_t len, const struct ofl_pkt *p, size_t *csum_off)
{
	size_t hdr_min, l4_min;
	int rc;

	rc = check_l3(len, p, &hdr_min);
	if (rc != 0) {
		return rc;
	}
	if (p->l4_proto == OFL_IPPROTO_TCP) {
		l4_min = TCP_HDR_MIN;
		*csum_off = (size_t)p->l4_off + TCP_CSUM_OFF;
	} else if (p->l4_proto == OFL_IPPROTO_UDP) {
		l4_min = UDP_HDR_LEN;
		*csum_off = (size_t)p->l4_off + UDP_CSUM_OFF;
	} else {
		return -ENOTSUP;
	}
	if (!(p->flags & OFL_F_L4_OK) ||
	    (p->flags & (OFL_F_TRUNCATED | OFL_F_FRAGMENT | OFL_F_LEN_ZERO))) {
		return -EBADMSG;
	}
	if (p->flags & OFL_F_IP6_RH) {
		return -ENOTSUP;
	}
	if (p->l4_off < (size_t)p->l3_off + hdr_min || p->l4_len < l4_min ||
	    !sn_range_ok(p->l4_off, p->l4_len, len)) {
		return -EINVAL;
	}
	return 0;
}

/* Pseudo-header + segment sum, addresses read from the frame. */
static uint32_t
l4_sum(const uint8_t *frame, const struct ofl_pkt *p)
{
	const uint8_t *ip = frame + p->l3_off;
	uint32_t s;

	if (p->l3_type == OFL_L3_IPV4) {
		s = ofl_csum_pseudo4(ip + 12, ip + 16, p->l4_proto, p->l4_len);
	} else {
		s = ofl_csum_pseudo6(ip + 8, ip + 24, p->l4_proto, p->l4_len);
	}
	return ofl_csum_partial(frame + p->l4_off, p->l4_len, s);
}

int
ofl_csum_fill(uint8_t *frame, size_t len, const struct ofl_pkt *p,
	      unsigned int what)
{
	size_t hdr_min, csum_off = 0;
	bool do_ip4 = false, do_l4 = false;
	uint16_t c;
	int rc;

	if (frame == NULL || p == NULL || what == 0 ||
	    (what & ~(OFL_CSUM_IP4 | OFL_CSUM_L4)) != 0) {
		return -EINVAL;
	}
	/* Validate everything first: all or nothing is written. */
	if (what & OFL_CSUM_IP4) {
		rc = check_l3(len, p, &hdr_min);
		if (rc != 0) {
			return rc;
		}
		if (p->l3_type != OFL_L3_IPV4) {
			return -ENOTSUP;
		}
		do_ip4 = true;
	}
	if (what & OFL_CSUM_L4) {
		rc = check_l4(len, p, &csum_off);
		if (rc != 0) {
			return rc;
		}
		if (!(what & (p->l4_proto == OFL_IPPROTO_TCP ? OFL_CSUM_TCP :
							      OFL_CSUM_UDP))) {
			return -ENOTSUP;
		}
		do_l4 = true;
	}
	if (do_l4) {
		sn_put_be16(frame + csum_off, 0);
		c = ofl_csum_fold(l4_sum(frame, p));
		if (c == 0 && p->l4_proto == OFL_IPPROTO_UDP) {
			c = 0xFFFF; /* RFC 768: 0 means "no checksum" */
		}
		sn_put_be16(frame + csum_off, c);
	}
	if (do_ip4) {
		c = ofl_csum_ip4_hdr(frame + p->l3_off, p->l3_hdr_len);
		sn_put_be16(frame + p->l3_off + IP4_CSUM_OFF, c);
	}
	return 0;
}

int
ofl_csum_verify(const uint8_t *frame, size_t len, const struct ofl_pkt *p,
		struct ofl_csum_verdict *v)
{
	size_t hdr_min, csum_off;
	int rc;

	if (frame == NULL || p == NULL || v == NULL) {
		return -EINVAL;
	}
	memset(v, 0, sizeof(*v));
	rc = check_l3(len, p, &hdr_min);
	if (rc == -EINVAL) {
		return rc;
	}
	if (rc == 0 && p->l3_type == OFL_L3_IPV4) {
		v->ip4 = ofl_csum_ip4_hdr_ok(frame + p->l3_off, p->l3_hdr_len) ?
				 OFL_CSUM_GOOD : OFL_CSUM_BAD;
	}
	rc = check_l4(len, p, &csum_off);
	if (rc == -EINVAL) {
		memset(v, 0, sizeof(*v));
		return rc;
	}
	if (rc != 0) {
		return 0;
	}
	if (p->l4_proto == OFL_IPPROTO_UDP &&
	    sn_get_be16(frame + csum_off) == 0) {
		return 0;
	}
	v->l4_proto = p->l4_proto;
	v->l4 = ofl_csum_fold(l4_sum(frame, p)) == 0 ? OFL_CSUM_GOOD :
						       OFL_CSUM_BAD;
	return 0;
}
