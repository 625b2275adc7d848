/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsc_msg.h - the messages a Linux netvsc guest sends, built byte for byte,
 * and the checks it applies to the host's answers.
 *
 * This is the pure half of the guest VSC (nvsc_dev.c is the state machine,
 * nvsc_data.c the data path): no I/O, no allocation, no global state, so
 * every message of the init sequence can be compared with a reference
 * vector in a unit test.  Facts come from Linux drivers/net/hyperv
 * (netvsc.c negotiate_nvsp_ver(), netvsc_connect_vsp(), netvsc_init_buf(),
 * netvsc_send_completion(); rndis_filter.c rndis_filter_query_device(),
 * rndis_netdev_set_hwcaps(), rndis_set_rss_param_msg()); nothing is copied.
 *
 * Returns: a message length (> 0), 0 / a count, or -errno (-EINVAL bad
 * argument, -EMSGSIZE buffer too small, -EBADMSG / -EPROTO the host's
 * answer fails a check Linux makes).
 */
#ifndef NVSC_MSG_H
#define NVSC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Codec headers by path: the guest library's meson target carries only
 * the common and vmbus include directories.
 */
#include "nvsp.h"
#include "ndis_obj.h"
#include "rndis_msg.h"

/*
 * Linux sends every NVSP request as sizeof(struct nvsp_message): 40 bytes
 * whatever the negotiated version (the 6.1 union size).
 */
#define NVSC_NVSP_MSG_LEN NVSP_MSG_SIZE_V61
/* Linux RX completion: header + status only (send_recv_completions()). */
#define NVSC_RX_COMP_LEN 8u

/* Linux NETVSC_MTU_MIN (ETH_MIN_MTU): smallest section size accepted. */
#define NVSC_MTU_MIN 68u
/* Linux NETVSC_MTU for NVSP >= 2: 65535 - ETH_HLEN. */
#define NVSC_MTU_MAX 65521u
/* Ethernet header, added to the MTU in SEND_NDIS_CONFIG. */
#define NVSC_ETH_HLEN 14u

/* Receive buffer: 16 MiB default, 15 MiB at most for NVSP <= 2 (legacy). */
#define NVSC_RECV_BUF_DEFAULT (16u * 1024 * 1024)
#define NVSC_RECV_BUF_LEGACY_MAX (15u * 1024 * 1024)
/* Largest receive buffer Linux allows (31 MiB). */
#define NVSC_RECV_BUF_MAX (31u * 1024 * 1024)
/* Send buffer: ~1 MiB, 170 sections of 6144 bytes. */
#define NVSC_SEND_BUF_DEFAULT (170u * 6144u)

/* RNDIS INITIALIZE max_xfer_size Linux announces. */
#define NVSC_RNDIS_MAX_XFER 0x4000u

/* The NVSP versions Linux tries, newest first. */
#define NVSC_NVSP_VERSIONS 6u
extern const uint32_t nvsc_nvsp_versions[NVSC_NVSP_VERSIONS];

/* --- NVSP ----------------------------------------------------------------
 * Each builder writes the 40-byte message Linux sends (reserved bytes 0)
 * into buf and returns 40, or -EINVAL / -EMSGSIZE.
 */

/* INIT with min = max = ver (negotiate_nvsp_ver()). */
int
nvsc_msg_init(void *buf, size_t cap, uint32_t ver);

/*
 * NDIS config capability bits Linux sets for NVSP version ver: 802.1Q from
 * v2, SR-IOV and teaming from v5, RSC from v6.1.  0 for v1 (no message).
 */
uint64_t
nvsc_ndis_caps(uint32_t ver);

/* SEND_NDIS_CONFIG: mtu + 14 and nvsc_ndis_caps(ver).  mtu <= 65521. */
int
nvsc_msg_ndis_config(void *buf, size_t cap, uint32_t ver, uint32_t mtu);

/* NDIS version Linux announces: 6.1 for NVSP <= 4, else 6.30. */
uint32_t
nvsc_ndis_version(uint32_t ver);

/* SEND_NDIS_VER with nvsc_ndis_version(ver). */
int
nvsc_msg_ndis_ver(void *buf, size_t cap, uint32_t ver);

/* SEND_RECV_BUF {gpadl, id 0xCAFE}. */
int
nvsc_msg_send_recv_buf(void *buf, size_t cap, uint32_t gpadl);

/* SEND_SEND_BUF {gpadl, id 0}. */
int
nvsc_msg_send_send_buf(void *buf, size_t cap, uint32_t gpadl);

/* REVOKE_RECV_BUF {id 0xCAFE}. */
int
nvsc_msg_revoke_recv_buf(void *buf, size_t cap);

/* REVOKE_SEND_BUF {id 0}. */
int
nvsc_msg_revoke_send_buf(void *buf, size_t cap);

/*
 * SEND_RNDIS_PKT {channel_type (NVSP_CHANNEL_TYPE_*), section index
 * (NVSP_SECTION_INDEX_NONE for GPA-direct), bytes used in the section (0
 * with no section)}.
 */
int
nvsc_msg_rndis_pkt(void *buf, size_t cap, uint32_t channel_type,
		   uint32_t section_index, uint32_t section_size);

/* RX completion: SEND_RNDIS_PKT_COMPLETE {status}, 8 bytes.  Returns 8. */
int
nvsc_msg_rx_comp(void *buf, size_t cap, uint32_t status);

/* Receive buffer size for version ver: requested (0 = 16 MiB), rounded up
 * to 4096, capped at 31 MiB, and at 15 MiB for NVSP <= 2. */
uint32_t
nvsc_recv_buf_size(uint32_t ver, uint32_t requested);

/*
 * Minimum payload Linux netvsc_send_completion() accepts for a control
 * completion of this type (its switch falls through, so INIT_COMPLETE and
 * SEND_RECV_BUF_COMPLETE both need 28 bytes), 4 for SEND_RNDIS_PKT_COMPLETE
 * and 0 for types Linux does not expect in a completion.
 */
size_t
nvsc_comp_min_len(uint32_t type);

/*
 * Check a decoded SEND_RECV_BUF_COMPLETE as netvsc_init_buf() does:
 * status SUCCESS (-EPROTO), exactly one section at offset 0, sub-allocation
 * size >= 68 and size * count <= buf_len (-EBADMSG).  On 0 sets
 * *sub_size / *count.
 */
int
nvsc_recv_buf_check(const struct nvsp_msg *m, uint32_t buf_len,
		    uint32_t *sub_size, uint32_t *count);

/*
 * Check a decoded SEND_SEND_BUF_COMPLETE: status SUCCESS (-EPROTO), section
 * size >= 68 (-EBADMSG).  *count = buf_len / section size (may be 0: then
 * every packet goes GPA-direct).
 */
int
nvsc_send_buf_check(const struct nvsp_msg *m, uint32_t buf_len,
		    uint32_t *sec_size, uint32_t *count);

/* --- RNDIS control requests ---------------------------------------------
 * Each writes the whole RNDIS message (as rndis_filter.c lays it out) and
 * returns its length, or -EINVAL / -EMSGSIZE.
 */

/* INITIALIZE 1.0, max_xfer_size 0x4000 (24 bytes). */
int
nvsc_rndis_init(void *buf, size_t cap, uint32_t req_id);

/*
 * QUERY oid, info buffer at offset 20.  Empty (28 bytes) except for
 * TCP_OFFLOAD_HARDWARE_CAPABILITIES (an NDIS_OFFLOAD header {0xA7, rev,
 * size} then zeros: rev 3 / 156 bytes for NVSP >= 5, rev 2 / 144 for v4,
 * rev 1 / 112 below) and RECEIVE_SCALE_CAPABILITIES (header {0x88, 2, 18}
 * then zeros), as rndis_filter_query_device() sends them.
 */
int
nvsc_rndis_query(void *buf, size_t cap, uint32_t req_id, uint32_t oid,
		 uint32_t ver);

/* SET CURRENT_PACKET_FILTER (32 bytes). */
int
nvsc_rndis_set_filter(void *buf, size_t cap, uint32_t req_id,
		      uint32_t filter);

/*
 * SET TCP_OFFLOAD_PARAMETERS: header {0x80, 3, 22} for NVSP <= 4 (UDP
 * checksum fields forced to 0 there, as Linux does), {0x80, 3, 28} above.
 * p's revision and size are ignored.
 */
int
nvsc_rndis_set_offload(void *buf, size_t cap, uint32_t req_id, uint32_t ver,
		       const struct ndis_offload_params *p);

/* Microsoft's Toeplitz verification key, the key Linux uses by default. */
extern const uint8_t nvsc_rss_key_default[NDIS_RSS_KEY_SIZE];

/*
 * SET RECEIVE_SCALE_PARAMETERS as rndis_set_rss_param_msg(): flags
 * (0 or NDIS_RSS_FLAG_DISABLE_RSS), hash info 0x1701, n_entries u32
 * entries (i % nchan) at offset 40, the 40-byte key after the table.
 * n_entries 1..128, nchan >= 1.  key NULL = nvsc_rss_key_default.
 */
int
nvsc_rndis_set_rss(void *buf, size_t cap, uint32_t req_id, uint16_t flags,
		   uint32_t n_entries, uint32_t nchan, const uint8_t *key);

/* HALT (12 bytes). */
int
nvsc_rndis_halt(void *buf, size_t cap, uint32_t req_id);

/* --- answers ------------------------------------------------------------ */

/*
 * The result of a decoded QUERY completion, as rndis_filter_query_device()
 * accepts it: status SUCCESS (-EIO otherwise), info_buflen <= cap
 * (-EMSGSIZE).  Copies the info buffer into out; *len = its length.
 */
int
nvsc_query_result(const struct rndis_msg *m, void *out, uint32_t cap,
		  uint32_t *len);

/* TX offloads granted to the data path (tx_checksum_mask and friends). */
#define NVSC_OFL_TCP4_CSUM 0x01u	/* TCP/IPv4 checksum via PPI */
#define NVSC_OFL_UDP4_CSUM 0x02u	/* UDP/IPv4 checksum via PPI */
#define NVSC_OFL_TCP6_CSUM 0x04u	/* TCP/IPv6 checksum via PPI */
#define NVSC_OFL_UDP6_CSUM 0x08u	/* UDP/IPv6 checksum via PPI */
#define NVSC_OFL_LSO4 0x10u		/* LSOv2 for TCP/IPv4 */
#define NVSC_OFL_LSO6 0x20u		/* LSOv2 for TCP/IPv6 */
#define NVSC_OFL_RSC 0x40u		/* host can coalesce (LRO) */

/* What rndis_netdev_set_hwcaps() derives from the host's capabilities. */
struct nvsc_offload {
	uint32_t flags;		/* NVSC_OFL_* */
	uint32_t gso_max;	/* largest LSO super-packet (OpenVMM 62780) */
};

/* Linux GSO_LEGACY_MAX_SIZE: LSO cap before the host's limits. */
#define NVSC_GSO_MAX_DEFAULT 65536u

/*
 * Decide the offloads as rndis_netdev_set_hwcaps() does: IPv4 header
 * checksum always "TX and RX disabled"; TCPv4 checksum when the host TX
 * flags have TCP + TCP options, then LSOv4 when ip4_encap has 802.3 and
 * UDPv4 when the host has it; TCPv6 the same with IPv6 extension headers
 * also required, LSOv6 also needing the two ip6 option bits; RSC on
 * (lro) or off when the host has both RSC bytes.  Fills *req (the
 * OFFLOAD_PARAMETERS to SET; 0 = no change) and *ofl.  Never fails.
 */
void
nvsc_offload_choose(const struct ndis_offload *hw, bool lro,
		    struct ndis_offload_params *req, struct nvsc_offload *ofl);

#endif /* NVSC_MSG_H */
