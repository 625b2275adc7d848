/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ndis_obj.h - codec for the NDIS objects inside RNDIS OID info buffers:
 * object header, NDIS_OFFLOAD, NDIS_OFFLOAD_PARAMETERS, RSS capabilities
 * and RSS parameters, plus the pure "mask requested offloads to what we
 * support" step.  Wire layouts: ndis_wire.h.
 *
 * Conventions for every function here:
 *  - buf/len is the OID info buffer (the object starts at buf[0]); it is
 *    only borrowed for the duration of the call and never written by a
 *    decoder.  Decoders copy every field out (little-endian, unaligned
 *    safe) into a host-order struct owned by the caller, so the peer can
 *    rewrite shared memory afterwards without effect.  No pointer into buf
 *    is ever returned.
 *  - Decoders return 0 on success.  Encoders return the number of bytes
 *    written.  Errors are -errno:
 *      -EINVAL   bad argument from our own caller (NULL, bad revision...)
 *      -EMSGSIZE buffer shorter than the object header or than the size
 *                the header claims; encoder output buffer too small
 *      -EBADMSG  malformed object (wrong type, revision 0, size below the
 *                revision's minimum, bad table/key size or offset)
 *      -ENOTSUP  well-formed but unsupported (RSS revision 1, unknown
 *                hash function)
 *      -ERANGE   a field value out of range (offload parameter value,
 *                table too large, table entry >= queue count)
 *    On error the output struct content is unspecified.
 *  - No allocation, no global state, no I/O.
 */
#ifndef NDIS_OBJ_H
#define NDIS_OBJ_H

#include <stddef.h>
#include <stdint.h>

#include "ndis_wire.h"

/* --- object header ---------------------------------------------------- */

/* NDIS_OBJECT_HEADER in host order. */
struct ndis_obj_hdr {
	uint8_t type;		/* NDIS_OBJTYPE_* */
	uint8_t revision;	/* object revision */
	uint16_t size;		/* object size in bytes, header included */
};

/* Write h (4 bytes) to buf.  Returns 4, -EINVAL, -EMSGSIZE. */
int
ndis_obj_hdr_encode(const struct ndis_obj_hdr *h, void *buf, size_t len);

/* Read the header at buf into h, no checks.  Returns 0, -EINVAL, -EMSGSIZE. */
int
ndis_obj_hdr_decode(const void *buf, size_t len, struct ndis_obj_hdr *h);

/*
 * Check a decoded header against what the OID expects: type must equal
 * type, revision >= min_rev, size >= min_size (-EBADMSG otherwise), and
 * size <= len, the info buffer length (-EMSGSIZE otherwise).
 */
int
ndis_obj_hdr_validate(const struct ndis_obj_hdr *h, size_t len, uint8_t type,
		      uint8_t min_rev, uint16_t min_size);

/* --- NDIS_OFFLOAD ----------------------------------------------------- */

/*
 * NDIS_OFFLOAD (OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
 * OID_TCP_OFFLOAD_CURRENT_CONFIG, TASK_OFFLOAD_CURRENT_CONFIG indication)
 * in host order.  Field meanings as in ndis_wire.h.
 */
struct ndis_offload {
	uint8_t revision;		/* NDIS_OFFLOAD_REV_1..3 */
	struct {
		uint32_t ip4_tx_encap;	/* NDIS_ENCAP_* */
		uint32_t ip4_tx_flags;	/* NDIS_CSUM4_* */
		uint32_t ip4_rx_encap;	/* NDIS_ENCAP_* */
		uint32_t ip4_rx_flags;	/* NDIS_CSUM4_* */
		uint32_t ip6_tx_encap;	/* NDIS_ENCAP_* */
		uint32_t ip6_tx_flags;	/* NDIS_CSUM6_* */
		uint32_t ip6_rx_encap;	/* NDIS_ENCAP_* */
		uint32_t ip6_rx_flags;	/* NDIS_CSUM6_* */
	} csum;				/* checksum offload */
	struct {
		uint32_t encap;		/* NDIS_ENCAP_* */
		uint32_t max_size;	/* max offload size, bytes */
		uint32_t min_segs;	/* min segment count */
		uint32_t opts;		/* option flags */
	} lsov1;			/* large send v1 */
	uint32_t ipsecv1[7];		/* IPsec v1, opaque, host order */
	struct {
		uint32_t ip4_encap;	/* NDIS_ENCAP_* */
		uint32_t ip4_max_size;	/* max offload size, bytes */
		uint32_t ip4_min_segs;	/* min segment count */
		uint32_t ip6_encap;	/* NDIS_ENCAP_* */
		uint32_t ip6_max_size;	/* max offload size, bytes */
		uint32_t ip6_min_segs;	/* min segment count */
		uint32_t ip6_opts;	/* NDIS_LSOV2_6_* */
	} lsov2;			/* large send v2 */
	uint32_t flags;			/* NDIS_OFFLOAD flags */
	uint8_t ipsecv2[32];		/* rev >= 2: opaque wire bytes */
	uint8_t rsc_ip4;		/* rev >= 3: RSC IPv4 (bool) */
	uint8_t rsc_ip6;		/* rev >= 3: RSC IPv6 (bool) */
	uint32_t encap_gre_flags;	/* rev >= 3: NVGRE task offload */
	uint32_t encap_gre_max_hdr;	/* rev >= 3: NVGRE max header */
};

/* Wire size of an NDIS_OFFLOAD of revision rev (1..3), 0 if unknown. */
uint16_t
ndis_offload_size(uint8_t rev);

/*
 * Encode o at its revision (1..3).  Fields the revision does not carry are
 * not written.  Returns 112, 144 or 156; -EINVAL (NULL, revision not
 * 1..3); -EMSGSIZE (len too small).
 */
int
ndis_offload_encode(const struct ndis_offload *o, void *buf, size_t len);

/*
 * Decode an NDIS_OFFLOAD.  Checks: type 0xA7, revision >= 1, size >= the
 * revision's size (112/144/156; revisions above 3 are read as 3 and need
 * 156), size <= len.  out->revision is the header's revision; fields the
 * revision does not carry are 0.  This is a superset of what Linux
 * rndis_query_hwcaps() checks (it only wants size >= 112).
 */
int
ndis_offload_decode(const void *buf, size_t len, struct ndis_offload *out);

/* --- offload configuration (host side state) -------------------------- */

/* Direction bits for the checksum members of struct ndis_offload_config. */
#define NDIS_OFL_TX	0x1	/* transmit (guest -> host) offload */
#define NDIS_OFL_RX	0x2	/* receive (host -> guest) offload */
#define NDIS_OFL_TX_RX	(NDIS_OFL_TX | NDIS_OFL_RX)

/*
 * A set of offloads: either what the backend can do (capabilities) or
 * what is currently enabled for a guest.  LSO/RSC members are 0 or 1.
 */
struct ndis_offload_config {
	uint8_t ip4_csum;	/* NDIS_OFL_*: IPv4 header checksum */
	uint8_t tcp4_csum;	/* NDIS_OFL_*: TCP over IPv4 */
	uint8_t udp4_csum;	/* NDIS_OFL_*: UDP over IPv4 */
	uint8_t tcp6_csum;	/* NDIS_OFL_*: TCP over IPv6 */
	uint8_t udp6_csum;	/* NDIS_OFL_*: UDP over IPv6 */
	uint8_t lsov2_ip4;	/* 1: LSOv2 for TCP/IPv4 */
	uint8_t lsov2_ip6;	/* 1: LSOv2 for TCP/IPv6 */
	uint8_t rsc_ip4;	/* 1: receive segment coalescing, IPv4 */
	uint8_t rsc_ip6;	/* 1: receive segment coalescing, IPv6 */
};

/*
 * Build the NDIS_OFFLOAD object describing cfg at revision rev (1..3):
 * checksum flags with the option bits Linux requires, 802.3 encapsulation
 * where anything is on, LSOv2 with lso_max_size / lso_min_segs, RSC bytes
 * (rev 3).  LSOv1 and IPsec are reported as unsupported.  Use it for the
 * hardware capabilities (cfg = capabilities) and for the current config.
 * Returns 0, -EINVAL.
 */
int
ndis_offload_from_config(const struct ndis_offload_config *cfg, uint8_t rev,
			 uint32_t lso_max_size, uint32_t lso_min_segs,
			 struct ndis_offload *out);

/* --- NDIS_OFFLOAD_PARAMETERS ------------------------------------------ */

/* NDIS_OFFLOAD_PARAMETERS in host order (SET OID_TCP_OFFLOAD_PARAMETERS). */
struct ndis_offload_params {
	uint8_t revision;	/* header revision, 1..3 */
	uint16_t size;		/* header size, 20..28 */
	uint8_t ip4_csum;	/* NDIS_OFFLOAD_PARAM_* */
	uint8_t tcp4_csum;	/* NDIS_OFFLOAD_PARAM_* */
	uint8_t udp4_csum;	/* NDIS_OFFLOAD_PARAM_* */
	uint8_t tcp6_csum;	/* NDIS_OFFLOAD_PARAM_* */
	uint8_t udp6_csum;	/* NDIS_OFFLOAD_PARAM_* */
	uint8_t lsov1;		/* NDIS_OFFLOAD_SET_* */
	uint8_t ipsecv1;	/* raw */
	uint8_t lsov2_ip4;	/* NDIS_OFFLOAD_SET_* */
	uint8_t lsov2_ip6;	/* NDIS_OFFLOAD_SET_* */
	uint8_t tcp_conn_ip4;	/* raw (chimney, unused) */
	uint8_t tcp_conn_ip6;	/* raw (chimney, unused) */
	uint32_t flags;		/* raw */
	uint8_t ipsecv2;	/* rev >= 2: raw */
	uint8_t ipsecv2_ip4;	/* rev >= 2: raw */
	uint8_t rsc_ip4;	/* rev >= 3: NDIS_OFFLOAD_SET_* */
	uint8_t rsc_ip6;	/* rev >= 3: NDIS_OFFLOAD_SET_* */
	uint8_t encap;		/* rev >= 3: raw */
	uint8_t encap_types;	/* rev >= 3: raw */
};

/*
 * Decode.  Checks: type 0x80, revision >= 1, 20 <= size <= len.  A size
 * below the revision's nominal size is accepted (deviation, on purpose:
 * Linux sends revision 3 with size 22 when NVSP <= 4); a field is read
 * only when both the revision carries it and it lies inside size, else it
 * is 0 = "no change".  Checksum values above 4 and LSOv1/LSOv2/RSC values
 * above 2 give -ERANGE.
 */
int
ndis_offload_params_decode(const void *buf, size_t len,
			   struct ndis_offload_params *out);

/*
 * Encode p with header {0x80, p->revision, p->size}.  p->revision 1..3
 * and p->size 20..28 (-EINVAL otherwise).  Writes exactly p->size bytes:
 * fields the revision does not carry are written as 0, fields past size
 * are cut.  Returns p->size, -EINVAL, -EMSGSIZE.
 */
int
ndis_offload_params_encode(const struct ndis_offload_params *p, void *buf,
			   size_t len);

/*
 * Mask what the guest asks for to what we can do.  For each offload:
 * "no change" keeps cur, otherwise the requested state (checksum 1 off,
 * 2 TX, 3 RX, 4 TX+RX; LSO/RSC 1 off, 2 on) ANDed with caps.  LSOv1 and
 * IPsec are never supported.  Borrows req, caps, cur; writes *out (may be
 * the same object as cur).  Returns the number of offloads that were asked
 * for but not (fully) granted (0 = everything honoured), -EINVAL on NULL,
 * -ERANGE on an out-of-range request value (out untouched).
 */
int
ndis_offload_params_apply(const struct ndis_offload_params *req,
			  const struct ndis_offload_config *caps,
			  const struct ndis_offload_config *cur,
			  struct ndis_offload_config *out);

/* --- RSS capabilities ------------------------------------------------- */

/* NDIS_RECEIVE_SCALE_CAPABILITIES in host order. */
struct ndis_rss_caps {
	uint8_t revision;		/* header revision (decode only) */
	uint32_t caps_flags;		/* NDIS_RSS_CAPS_* */
	uint32_t num_int_msgs;		/* interrupt messages */
	uint32_t num_queues;		/* receive queues */
	uint16_t num_itab_entries;	/* 0 for revision 1 */
};

/*
 * Encode as revision 2, size 18 (c->revision ignored).  Report 128 table
 * entries even with one queue: DPDK guests mishandle 0.  Returns 18,
 * -EINVAL, -EMSGSIZE.
 */
int
ndis_rss_caps_encode(const struct ndis_rss_caps *c, void *buf, size_t len);

/*
 * Decode.  Checks: type 0x88, revision >= 1, size >= 16 (rev 1) or 18
 * (rev >= 2), size <= len.
 */
int
ndis_rss_caps_decode(const void *buf, size_t len, struct ndis_rss_caps *out);

/* --- RSS parameters --------------------------------------------------- */

/* NDIS_RECEIVE_SCALE_PARAMETERS in host order, table and key copied out. */
struct ndis_rss_params {
	uint8_t revision;	/* header revision */
	uint16_t flags;		/* NDIS_RSS_FLAG_* */
	uint16_t base_cpu;	/* unused by Hyper-V */
	uint32_t hash_info;	/* NDIS_HASH_* */
	uint16_t n_entries;	/* table entries; 0 = no table given */
	uint32_t itab[NDIS_RSS_ITAB_MAX_ENTRIES]; /* queue per hash bucket */
	uint8_t has_key;	/* 1 when key holds a new key */
	uint8_t key[NDIS_RSS_KEY_SIZE];	/* Toeplitz secret key */
};

/* Object length a Linux-style encoding with n table entries needs. */
#define NDIS_RSS_PARAMS_LEN(n) \
	(NDIS_RSS_PARAMS_SIZE_REV_2 + (n) * NDIS_RSS_ITAB_ENTRY_SIZE + \
	 NDIS_RSS_KEY_SIZE)

/*
 * Decode and validate.  nqueues is the number of receive queues (channels)
 * the guest has now; every table entry must be below it.  Checks:
 * type 0x89 (-EBADMSG); revision 0 (-EBADMSG) or 1 (-ENOTSUP, byte-sized
 * CPU table); 40 <= size <= len.  With DISABLE_RSS set nothing else is
 * read or checked: n_entries 0, has_key 0.  Otherwise: unless
 * HASH_INFO_UNCHANGED, the hash function is Toeplitz or 0 (-ENOTSUP);
 * unless ITABLE_UNCHANGED: table size nonzero and a multiple of
 * 4 (-EBADMSG), at most 512 bytes (-ERANGE), [offset, offset + size)
 * inside len and not overlapping the fixed part (offset >= header size)
 * (-EBADMSG), every entry < nqueues (-ERANGE).  Unless HASH_KEY_UNCHANGED:
 * key size 40 and key inside len past the fixed part (-EBADMSG).
 * Offsets are relative to the object start (buf).  Keeping the table size
 * fixed for the guest's lifetime is the caller's job.  -EINVAL when
 * nqueues is 0.
 */
int
ndis_rss_params_decode(const void *buf, size_t len, uint32_t nqueues,
		       struct ndis_rss_params *out);

/*
 * Encode what a Linux guest sends (rndis_set_rss_param_msg()): header
 * {0x89, 2, 40}, p->flags, p->base_cpu, p->hash_info, p->n_entries u32
 * entries at offset 40, the 40-byte key right after the table, processor
 * mask fields 0.  p->n_entries must be 1..128 (-EINVAL); p->has_key is
 * ignored (the key is always written).  Returns NDIS_RSS_PARAMS_LEN(n),
 * -EINVAL, -EMSGSIZE.
 */
int
ndis_rss_params_encode(const struct ndis_rss_params *p, void *buf,
		       size_t len);

#endif /* NDIS_OBJ_H */
