/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_pcapng.c - pcapng block encoder.  See cap_pcapng.h.
 *
 * Block layout (all blocks): block type (4), block total length (4), body,
 * options, block total length again (4).  The body and every option value
 * are padded with zeros to a 32-bit boundary.  An option is code (2),
 * length (2, without padding), value; a list that has options ends with
 * opt_endofopt (code 0, length 0).
 */
#include <errno.h>
#include <string.h>

#include "cap_pcapng.h"
#include "sn_wire.h"

/* Bytes of an option carrying vlen bytes of value (header + padding). */
static inline size_t
cap_opt_size(size_t vlen)
{
	return 4 + SN_ALIGN_UP(vlen, (size_t)4);
}

/* Write one option at p; returns the bytes written (cap_opt_size). */
static size_t
cap_put_opt(uint8_t *p, uint16_t code, const void *val, size_t vlen)
{
	size_t padded = SN_ALIGN_UP(vlen, (size_t)4);

	sn_put_le16(p, code);
	sn_put_le16(p + 2, (uint16_t)vlen);
	if (vlen != 0) {
		memcpy(p + 4, val, vlen);
	}
	memset(p + 4 + vlen, 0, padded - vlen);
	return 4 + padded;
}

/* Write a 64-bit timestamp as two 32-bit words, high first (as in EPB). */
static void
cap_put_ts(uint8_t *p, uint64_t ts)
{
	sn_put_le32(p, (uint32_t)(ts >> 32));
	sn_put_le32(p + 4, (uint32_t)ts);
}

/* Write type and both length fields of a block of blen bytes. */
static void
cap_put_frame(uint8_t *p, uint32_t type, size_t blen)
{
	sn_put_le32(p, type);
	sn_put_le32(p + 4, (uint32_t)blen);
	sn_put_le32(p + blen - 4, (uint32_t)blen);
}

size_t
cap_pcapng_str_len(const char *s, size_t max)
{
	size_t n;

	if (s == NULL) {
		return 0;
	}
	n = strnlen(s, max + 1);
	if (n <= max) {
		return n;
	}
	/* s[max] is the first byte dropped: if it continues a UTF-8
	 * sequence, drop that whole character too. */
	n = max;
	while (n > 0 && ((uint8_t)s[n] & 0xC0u) == 0x80u) {
		n--;
	}
	return n;
}

/* Size of a string option (0 when omitted). */
static size_t
cap_str_opt_size(const char *s, size_t max)
{
	size_t n = cap_pcapng_str_len(s, max);

	return n == 0 ? 0 : cap_opt_size(n);
}

/* Write a string option if non-empty; returns the bytes written. */
static size_t
cap_put_str_opt(uint8_t *p, uint16_t code, const char *s, size_t max)
{
	size_t n = cap_pcapng_str_len(s, max);

	return n == 0 ? 0 : cap_put_opt(p, code, s, n);
}

int
cap_pcapng_shb(void *buf, size_t len, const struct cap_pcapng_shb *shb)
{
	static const struct cap_pcapng_shb none = { NULL, NULL, NULL };
	uint8_t *p = buf;
	size_t opts, blen, off;

	if (buf == NULL) {
		return -EINVAL;
	}
	if (shb == NULL) {
		shb = &none;
	}
	opts = cap_str_opt_size(shb->hardware, CAP_PCAPNG_STR_MAX) +
	       cap_str_opt_size(shb->os, CAP_PCAPNG_STR_MAX) +
	       cap_str_opt_size(shb->userappl, CAP_PCAPNG_STR_MAX);
	if (opts != 0) {
		opts += 4;
	}
	blen = CAP_PCAPNG_SHB_FIXED + opts;
	if (len < blen) {
		return -EMSGSIZE;
	}
	cap_put_frame(p, CAP_PCAPNG_BT_SHB, blen);
	sn_put_le32(p + 8, CAP_PCAPNG_MAGIC);
	sn_put_le16(p + 12, CAP_PCAPNG_MAJOR);
	sn_put_le16(p + 14, CAP_PCAPNG_MINOR);
	sn_put_le64(p + 16, UINT64_MAX); /* section length: unknown (-1) */
	off = 24;
	off += cap_put_str_opt(p + off, CAP_PCAPNG_SHB_HARDWARE, shb->hardware,
			       CAP_PCAPNG_STR_MAX);
	off += cap_put_str_opt(p + off, CAP_PCAPNG_SHB_OS, shb->os,
			       CAP_PCAPNG_STR_MAX);
	off += cap_put_str_opt(p + off, CAP_PCAPNG_SHB_USERAPPL, shb->userappl,
			       CAP_PCAPNG_STR_MAX);
	if (opts != 0) {
		off += cap_put_opt(p + off, CAP_PCAPNG_OPT_END, NULL, 0);
	}
	return (int)blen;
}

int
cap_pcapng_idb(void *buf, size_t len, const struct cap_pcapng_idb *idb)
{
	uint8_t *p = buf;
	size_t opts, blen, off, flen;

	if (buf == NULL || idb == NULL) {
		return -EINVAL;
	}
	/* if_filter: one type byte, then the string. */
	flen = cap_pcapng_str_len(idb->filter, CAP_PCAPNG_STR_MAX);
	opts = cap_str_opt_size(idb->name, CAP_PCAPNG_STR_MAX) +
	       cap_str_opt_size(idb->desc, CAP_PCAPNG_STR_MAX) +
	       (idb->tsresol != 0 ? cap_opt_size(1) : 0) +
	       (flen != 0 ? cap_opt_size(1 + flen) : 0);
	if (opts != 0) {
		opts += 4;
	}
	blen = CAP_PCAPNG_IDB_FIXED + opts;
	if (len < blen) {
		return -EMSGSIZE;
	}
	cap_put_frame(p, CAP_PCAPNG_BT_IDB, blen);
	sn_put_le16(p + 8, idb->linktype);
	sn_put_le16(p + 10, 0); /* reserved */
	sn_put_le32(p + 12, idb->snaplen);
	off = 16;
	off += cap_put_str_opt(p + off, CAP_PCAPNG_IF_NAME, idb->name,
			       CAP_PCAPNG_STR_MAX);
	off += cap_put_str_opt(p + off, CAP_PCAPNG_IF_DESCRIPTION, idb->desc,
			       CAP_PCAPNG_STR_MAX);
	if (idb->tsresol != 0) {
		off += cap_put_opt(p + off, CAP_PCAPNG_IF_TSRESOL,
				   &idb->tsresol, 1);
	}
	if (flen != 0) {
		/* Header, type byte, string, padding: built in place. */
		size_t padded = SN_ALIGN_UP(1 + flen, (size_t)4);

		sn_put_le16(p + off, CAP_PCAPNG_IF_FILTER);
		sn_put_le16(p + off + 2, (uint16_t)(1 + flen));
		p[off + 4] = CAP_PCAPNG_FILTER_STRING;
		memcpy(p + off + 5, idb->filter, flen);
		memset(p + off + 5 + flen, 0, padded - 1 - flen);
		off += 4 + padded;
	}
	if (opts != 0) {
		off += cap_put_opt(p + off, CAP_PCAPNG_OPT_END, NULL, 0);
	}
	return (int)blen;
}

int
cap_pcapng_epb_size(uint32_t caplen, int with_flags, const char *comment)
{
	size_t opts;

	if (caplen > CAP_PCAPNG_SNAPLEN_MAX) {
		return -ERANGE;
	}
	opts = (with_flags ? cap_opt_size(4) : 0) +
	       cap_str_opt_size(comment, CAP_PCAPNG_COMMENT_MAX);
	if (opts != 0) {
		opts += 4;
	}
	return (int)(CAP_PCAPNG_EPB_FIXED + SN_ALIGN_UP(caplen, 4u) + opts);
}

int
cap_pcapng_epb(void *buf, size_t len, const struct cap_pcapng_epb *epb,
	       const struct cap_pcapng_seg *segs, unsigned int n)
{
	uint8_t *p = buf;
	uint64_t caplen = 0;
	size_t off, padded;
	unsigned int i;
	uint8_t flags[4];
	int blen;

	if (buf == NULL || epb == NULL || (segs == NULL && n != 0)) {
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (segs[i].data == NULL && segs[i].len != 0) {
			return -EINVAL;
		}
		caplen += segs[i].len;
	}
	if (caplen > CAP_PCAPNG_SNAPLEN_MAX) {
		return -ERANGE;
	}
	if (caplen > epb->orig_len) {
		return -EINVAL;
	}
	blen = cap_pcapng_epb_size((uint32_t)caplen, epb->flags != 0,
				   epb->comment);
	if (len < (size_t)blen) {
		return -EMSGSIZE;
	}
	cap_put_frame(p, CAP_PCAPNG_BT_EPB, (size_t)blen);
	sn_put_le32(p + 8, epb->if_id);
	cap_put_ts(p + 12, epb->ts);
	sn_put_le32(p + 20, (uint32_t)caplen);
	sn_put_le32(p + 24, epb->orig_len);
	off = 28;
	for (i = 0; i < n; i++) {
		if (segs[i].len != 0) {
			memcpy(p + off, segs[i].data, segs[i].len);
			off += segs[i].len;
		}
	}
	padded = SN_ALIGN_UP((size_t)caplen, (size_t)4);
	memset(p + off, 0, padded - (size_t)caplen);
	off = 28 + padded;
	if (epb->flags != 0) {
		sn_put_le32(flags, epb->flags);
		off += cap_put_opt(p + off, CAP_PCAPNG_EPB_FLAGS, flags, 4);
	}
	off += cap_put_str_opt(p + off, CAP_PCAPNG_OPT_COMMENT, epb->comment,
			       CAP_PCAPNG_COMMENT_MAX);
	if (off != 28 + padded) {
		off += cap_put_opt(p + off, CAP_PCAPNG_OPT_END, NULL, 0);
	}
	return blen;
}

/* One u64 ISB counter option. */
static size_t
cap_put_u64_opt(uint8_t *p, uint16_t code, uint64_t v)
{
	uint8_t val[8];

	sn_put_le64(val, v);
	return cap_put_opt(p, code, val, 8);
}

/* One ISB timestamp option (high word first). */
static size_t
cap_put_ts_opt(uint8_t *p, uint16_t code, uint64_t ts)
{
	uint8_t val[8];

	cap_put_ts(val, ts);
	return cap_put_opt(p, code, val, 8);
}

int
cap_pcapng_isb(void *buf, size_t len, const struct cap_pcapng_isb *isb)
{
	uint8_t *p = buf;
	unsigned int n_opts;
	size_t blen, off;
	uint32_t m;

	if (buf == NULL || isb == NULL ||
	    (isb->present & ~0x7Fu) != 0) {
		return -EINVAL;
	}
	m = isb->present;
	n_opts = (unsigned int)__builtin_popcount(m);
	/* Every ISB option is 8 bytes of value: 12 bytes each. */
	blen = CAP_PCAPNG_ISB_FIXED + n_opts * cap_opt_size(8) +
	       (n_opts != 0 ? 4 : 0);
	if (len < blen) {
		return -EMSGSIZE;
	}
	cap_put_frame(p, CAP_PCAPNG_BT_ISB, blen);
	sn_put_le32(p + 8, isb->if_id);
	cap_put_ts(p + 12, isb->ts);
	off = 20;
	if (m & CAP_PCAPNG_ISB_HAS_STARTTIME) {
		off += cap_put_ts_opt(p + off, CAP_PCAPNG_ISB_STARTTIME,
				      isb->starttime);
	}
	if (m & CAP_PCAPNG_ISB_HAS_ENDTIME) {
		off += cap_put_ts_opt(p + off, CAP_PCAPNG_ISB_ENDTIME,
				      isb->endtime);
	}
	if (m & CAP_PCAPNG_ISB_HAS_IFRECV) {
		off += cap_put_u64_opt(p + off, CAP_PCAPNG_ISB_IFRECV,
				       isb->ifrecv);
	}
	if (m & CAP_PCAPNG_ISB_HAS_IFDROP) {
		off += cap_put_u64_opt(p + off, CAP_PCAPNG_ISB_IFDROP,
				       isb->ifdrop);
	}
	if (m & CAP_PCAPNG_ISB_HAS_FILTERACCEPT) {
		off += cap_put_u64_opt(p + off, CAP_PCAPNG_ISB_FILTERACCEPT,
				       isb->filteraccept);
	}
	if (m & CAP_PCAPNG_ISB_HAS_OSDROP) {
		off += cap_put_u64_opt(p + off, CAP_PCAPNG_ISB_OSDROP,
				       isb->osdrop);
	}
	if (m & CAP_PCAPNG_ISB_HAS_USRDELIV) {
		off += cap_put_u64_opt(p + off, CAP_PCAPNG_ISB_USRDELIV,
				       isb->usrdeliv);
	}
	if (n_opts != 0) {
		off += cap_put_opt(p + off, CAP_PCAPNG_OPT_END, NULL, 0);
	}
	return (int)blen;
}

int
cap_pcapng_block_len(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t blen;

	if (buf == NULL) {
		return -EINVAL;
	}
	if (len < 8) {
		return -EMSGSIZE;
	}
	blen = sn_get_le32(p + 4);
	if (blen < 12 || (blen & 3u) != 0 || blen > INT32_MAX) {
		return -EBADMSG;
	}
	if (!sn_range_ok(0, blen, len)) {
		return -EMSGSIZE;
	}
	if (sn_get_le32(p + blen - 4) != blen) {
		return -EBADMSG;
	}
	return (int)blen;
}
