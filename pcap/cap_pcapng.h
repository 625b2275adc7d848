/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_pcapng.h - a small, pure pcapng block encoder: Section Header,
 * Interface Description, Enhanced Packet and Interface Statistics blocks,
 * the four blocks a packet capture file needs (pcapng: IETF draft
 * draft-ietf-opsawg-pcapng, sections 4.1, 4.2, 4.3 and 4.6).
 *
 * Why not DPDK's rte_pcapng: the DPDK we build against (22.11) creates
 * Interface Description Blocks only for ethdev ports (rte_pcapng_add_
 * interface() takes an ethdev port id and names the interface from the
 * ethdev), and rte_pcapng_copy() cannot attach a comment to a packet.  Our
 * ports are not ethdevs (netvsc channels, TAP, emulated NICs) and dropped
 * frames carry their drop reason as the packet comment; both features only
 * arrived in DPDK 23.x.  libpcap 1.10 writes only the old pcap format (no
 * interface names, no direction, no comments).  Four block types are a few
 * hundred lines, so we encode them ourselves.
 *
 * Everything is written little-endian (the Section Header's byte-order
 * magic says so; readers handle either order), so the output is the same
 * bytes on every host and can be compared byte for byte in tests.
 *
 * Pure C: no DPDK, no I/O, no allocation.  Every encoder writes one whole
 * block into a caller buffer and returns its length (a multiple of 4), or
 * -EINVAL (NULL argument, bad value), -EMSGSIZE (buffer too small: nothing
 * useful was written), -ERANGE (caplen above CAP_PCAPNG_SNAPLEN_MAX).
 * String options are UTF-8, written without a terminating NUL, and
 * truncated (on a character boundary) to the documented maximum; NULL or ""
 * omits the option.
 */
#ifndef CAP_PCAPNG_H
#define CAP_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

/* Block types. */
#define CAP_PCAPNG_BT_SHB 0x0A0D0D0Au /* Section Header Block */
#define CAP_PCAPNG_BT_IDB 0x00000001u /* Interface Description Block */
#define CAP_PCAPNG_BT_ISB 0x00000005u /* Interface Statistics Block */
#define CAP_PCAPNG_BT_EPB 0x00000006u /* Enhanced Packet Block */

/* Section Header byte-order magic and version. */
#define CAP_PCAPNG_MAGIC 0x1A2B3C4Du
#define CAP_PCAPNG_MAJOR 1u
#define CAP_PCAPNG_MINOR 0u

/* Option codes (opt_* valid in every block, then per block type). */
#define CAP_PCAPNG_OPT_END 0u          /* opt_endofopt */
#define CAP_PCAPNG_OPT_COMMENT 1u      /* opt_comment (UTF-8) */
#define CAP_PCAPNG_SHB_HARDWARE 2u     /* shb_hardware (UTF-8) */
#define CAP_PCAPNG_SHB_OS 3u           /* shb_os (UTF-8) */
#define CAP_PCAPNG_SHB_USERAPPL 4u     /* shb_userappl (UTF-8) */
#define CAP_PCAPNG_IF_NAME 2u          /* if_name (UTF-8) */
#define CAP_PCAPNG_IF_DESCRIPTION 3u   /* if_description (UTF-8) */
#define CAP_PCAPNG_IF_TSRESOL 9u       /* if_tsresol (1 byte) */
#define CAP_PCAPNG_IF_FILTER 11u       /* if_filter (type byte + data) */
#define CAP_PCAPNG_EPB_FLAGS 2u        /* epb_flags (u32) */
#define CAP_PCAPNG_ISB_STARTTIME 2u    /* isb_starttime (ts) */
#define CAP_PCAPNG_ISB_ENDTIME 3u      /* isb_endtime (ts) */
#define CAP_PCAPNG_ISB_IFRECV 4u       /* isb_ifrecv (u64) */
#define CAP_PCAPNG_ISB_IFDROP 5u       /* isb_ifdrop (u64) */
#define CAP_PCAPNG_ISB_FILTERACCEPT 6u /* isb_filteraccept (u64) */
#define CAP_PCAPNG_ISB_OSDROP 7u       /* isb_osdrop (u64) */
#define CAP_PCAPNG_ISB_USRDELIV 8u     /* isb_usrdeliv (u64) */

/* if_filter type byte: a libpcap filter string follows. */
#define CAP_PCAPNG_FILTER_STRING 0u
/* if_tsresol value: timestamps in units of 10^-9 s. */
#define CAP_PCAPNG_TSRESOL_NS 9u
/* LINKTYPE_ETHERNET (tcpdump.org link-layer header types). */
#define CAP_PCAPNG_LINKTYPE_ETHERNET 1u

/* epb_flags direction bits (0-1): 0 = not available. */
#define CAP_PCAPNG_DIR_MASK 0x3u
#define CAP_PCAPNG_DIR_IN 0x1u  /* inbound */
#define CAP_PCAPNG_DIR_OUT 0x2u /* outbound */

/* Largest captured length an EPB may carry (libpcap's MAXIMUM_SNAPLEN). */
#define CAP_PCAPNG_SNAPLEN_MAX 262144u
/* Longest SHB/IDB string option kept, in bytes. */
#define CAP_PCAPNG_STR_MAX 1024u
/* Longest EPB comment kept, in bytes. */
#define CAP_PCAPNG_COMMENT_MAX 256u

/* Fixed part sizes (type, length, body, trailing length). */
#define CAP_PCAPNG_SHB_FIXED 28u
#define CAP_PCAPNG_IDB_FIXED 20u
#define CAP_PCAPNG_EPB_FIXED 32u
#define CAP_PCAPNG_ISB_FIXED 24u

/* Section Header Block contents; NULL/"" strings are omitted. */
struct cap_pcapng_shb {
	const char *hardware; /* shb_hardware, e.g. CPU model */
	const char *os;       /* shb_os, e.g. "Linux 6.1" */
	const char *userappl; /* shb_userappl, e.g. "synthnetd 0.1.0" */
};

/* Interface Description Block contents. */
struct cap_pcapng_idb {
	uint16_t linktype;  /* LINKTYPE_*, e.g. CAP_PCAPNG_LINKTYPE_ETHERNET */
	uint32_t snaplen;   /* largest captured length, 0 = no limit */
	uint8_t tsresol;    /* if_tsresol value; 0 = omit (microseconds) */
	const char *name;   /* if_name, or NULL */
	const char *desc;   /* if_description, or NULL */
	const char *filter; /* if_filter as a libpcap string, or NULL */
};

/* One piece of packet data (frames may be scattered over segments). */
struct cap_pcapng_seg {
	const void *data; /* bytes, borrowed */
	uint32_t len;     /* number of bytes */
};

/* Enhanced Packet Block header fields and options. */
struct cap_pcapng_epb {
	uint32_t if_id;      /* interface index (order of IDBs in section) */
	uint64_t ts;         /* timestamp in if_tsresol units */
	uint32_t orig_len;   /* length of the frame on the wire (>= caplen) */
	uint32_t flags;      /* epb_flags value; 0 = omit the option */
	const char *comment; /* opt_comment, or NULL; truncated to
			      * CAP_PCAPNG_COMMENT_MAX bytes */
};

/* ISB option selectors for cap_pcapng_isb.present. */
#define CAP_PCAPNG_ISB_HAS_STARTTIME (1u << 0)
#define CAP_PCAPNG_ISB_HAS_ENDTIME (1u << 1)
#define CAP_PCAPNG_ISB_HAS_IFRECV (1u << 2)
#define CAP_PCAPNG_ISB_HAS_IFDROP (1u << 3)
#define CAP_PCAPNG_ISB_HAS_FILTERACCEPT (1u << 4)
#define CAP_PCAPNG_ISB_HAS_OSDROP (1u << 5)
#define CAP_PCAPNG_ISB_HAS_USRDELIV (1u << 6)

/* Interface Statistics Block contents. */
struct cap_pcapng_isb {
	uint32_t if_id;        /* interface index */
	uint64_t ts;           /* time of the statistics (tsresol units) */
	uint32_t present;      /* CAP_PCAPNG_ISB_HAS_* options to write */
	uint64_t starttime;    /* isb_starttime (tsresol units) */
	uint64_t endtime;      /* isb_endtime (tsresol units) */
	uint64_t ifrecv;       /* isb_ifrecv: frames seen */
	uint64_t ifdrop;       /* isb_ifdrop: frames lost by the capture */
	uint64_t filteraccept; /* isb_filteraccept: accepted by the filter */
	uint64_t osdrop;       /* isb_osdrop */
	uint64_t usrdeliv;     /* isb_usrdeliv: frames written */
};

/*
 * Section Header Block (section length "unknown", -1).  shb may be NULL
 * (no options).  Writes into buf[0 .. len); returns the block length.
 */
int
cap_pcapng_shb(void *buf, size_t len, const struct cap_pcapng_shb *shb);

/* Interface Description Block.  Returns the block length. */
int
cap_pcapng_idb(void *buf, size_t len, const struct cap_pcapng_idb *idb);

/*
 * Bytes an Enhanced Packet Block with caplen bytes of data, an epb_flags
 * option (if with_flags) and `comment` (NULL for none; measured after
 * truncation) occupies.  Returns the size, or -ERANGE if caplen is above
 * CAP_PCAPNG_SNAPLEN_MAX.
 */
int
cap_pcapng_epb_size(uint32_t caplen, int with_flags, const char *comment);

/*
 * Enhanced Packet Block whose data is the concatenation of segs[0 .. n)
 * (caplen = sum of their lengths, n may be 0).  -EINVAL if caplen >
 * epb->orig_len.  segs are borrowed and only read.  Returns the block
 * length (what cap_pcapng_epb_size() predicts).
 */
int
cap_pcapng_epb(void *buf, size_t len, const struct cap_pcapng_epb *epb,
	       const struct cap_pcapng_seg *segs, unsigned int n);

/* Interface Statistics Block.  Returns the block length. */
int
cap_pcapng_isb(void *buf, size_t len, const struct cap_pcapng_isb *isb);

/*
 * Length of the block that starts at buf (its Block Total Length, read
 * little-endian) if the whole block lies in buf[0 .. len): returns the
 * length, -EMSGSIZE if buf holds only part of it, -EBADMSG if the length
 * field is not a multiple of 4, is shorter than 12, or disagrees with the
 * trailing copy, -EINVAL if buf is NULL.  Used to find the last whole
 * block in a buffer.
 */
int
cap_pcapng_block_len(const void *buf, size_t len);

/*
 * Bytes of s kept when it is truncated to at most max bytes without
 * splitting a UTF-8 sequence (s NULL: 0).  strnlen(s, max) if it fits.
 */
size_t
cap_pcapng_str_len(const char *s, size_t max);

#endif /* CAP_PCAPNG_H */
