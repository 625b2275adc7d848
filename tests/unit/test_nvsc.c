/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_nvsc.c - the guest netvsc VSC (guest/nvsc_*.c) without a daemon.
 *
 * Part 1: the messages nvsc_msg.c builds, byte for byte, against vectors
 * derived from Linux drivers/net/hyperv (each vector says where from).
 * Part 2: the whole device (attach, open, TX, RX, link, close, detach)
 * against a scripted fake host running in a thread over a fake transport:
 * guest RAM is a private mapping, rings are real vmb_ring pairs, signals
 * are real eventfds.  The host logs every message it receives; the tests
 * compare the log with the order Linux uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ndis_obj.h"
#include "nvsc_dev.h"
#include "nvsc_msg.h"
#include "nvsp.h"
#include "ofl_csum.h"
#include "ofl_parse.h"
#include "rndis_msg.h"
#include "rndis_ppi.h"
#include "vmb_pkt.h"
#include "vmb_ring.h"
#include "vmb_user.h"

/* ===================== part 1: message vectors ========================== */

static void
check_bytes(const uint8_t *got, int n, const uint8_t *want, size_t wlen)
{
	assert_int_equal(n, (int)wlen);
	assert_memory_equal(got, want, wlen);
}

/*
 * INIT 6.1: netvsc.c negotiate_nvsp_ver() memsets the 40-byte
 * nvsp_message and sets min = max = 0x00060001.
 */
static const uint8_t v_init_61[40] = {
	0x01, 0, 0, 0, 0x01, 0, 0x06, 0, 0x01, 0, 0x06, 0,
};

/*
 * SEND_NDIS_CONFIG at 6.1, MTU 1500: mtu + ETH_HLEN = 1514, capability
 * ieee8021q | sriov | teaming | rsc = 0x08 | 0x04 | 0x20 | 0x80.
 */
static const uint8_t v_ndis_config_61[40] = {
	0x7d, 0, 0, 0, 0xea, 0x05, 0, 0, 0, 0, 0, 0, 0xac,
};

/* The same at NVSP 4: ieee8021q only. */
static const uint8_t v_ndis_config_4[40] = {
	0x7d, 0, 0, 0, 0xea, 0x05, 0, 0, 0, 0, 0, 0, 0x08,
};

/* SEND_NDIS_VER: 6.30 above NVSP 4 (netvsc_connect_vsp()), 6.1 below. */
static const uint8_t v_ndis_ver_630[40] = {
	0x64, 0, 0, 0, 0x06, 0, 0, 0, 0x1e, 0, 0, 0,
};
static const uint8_t v_ndis_ver_61[40] = {
	0x64, 0, 0, 0, 0x06, 0, 0, 0, 0x01, 0, 0, 0,
};

/* SEND_RECV_BUF, handle 0xe1e10 (GVMB_FIRST_GPADL), id 0xcafe. */
static const uint8_t v_send_recv_buf[40] = {
	0x65, 0, 0, 0, 0x10, 0x1e, 0x0e, 0, 0xfe, 0xca,
};

/* SEND_SEND_BUF, handle 0xe1e11, id 0 (NETVSC_SEND_BUFFER_ID). */
static const uint8_t v_send_send_buf[40] = {
	0x68, 0, 0, 0, 0x11, 0x1e, 0x0e, 0, 0, 0,
};

/* REVOKE_RECV_BUF / REVOKE_SEND_BUF (netvsc_revoke_*_buf()). */
static const uint8_t v_revoke_recv[40] = { 0x67, 0, 0, 0, 0xfe, 0xca };
static const uint8_t v_revoke_send[40] = { 0x6a, 0, 0, 0, 0, 0 };

/*
 * SEND_RNDIS_PKT for a control message (netvsc_send_pkt() with skb NULL):
 * channel_type 1, section NETVSC_INVALID_INDEX, size 0.
 */
static const uint8_t v_rndis_pkt_ctrl[40] = {
	0x6b, 0, 0, 0, 0x01, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
};

/* RX completion (send_recv_completions()): 8 bytes, status SUCCESS. */
static const uint8_t v_rx_comp[8] = { 0x6c, 0, 0, 0, 0x01, 0, 0, 0 };

/* RNDIS INITIALIZE (rndis_filter_init_device()): 1.0, max_xfer 0x4000. */
static const uint8_t v_rndis_init[24] = {
	0x02, 0, 0, 0, 0x18, 0, 0, 0, 0x01, 0, 0, 0,
	0x01, 0, 0, 0, 0x00, 0, 0, 0, 0x00, 0x40, 0, 0,
};

/*
 * QUERY MAXIMUM_FRAME_SIZE, req 2 (rndis_filter_query_device()): msg_len
 * 28, info_buflen 0, info_buf_offset 20 (sizeof rndis_query_request).
 */
static const uint8_t v_query_mfs[28] = {
	0x04, 0, 0, 0, 0x1c, 0, 0, 0, 0x02, 0, 0, 0,
	0x06, 0x01, 0x01, 0x00, 0, 0, 0, 0, 0x14, 0, 0, 0, 0, 0, 0, 0,
};

/* SET CURRENT_PACKET_FILTER 0x0d, req 9 (rndis_filter_open_device()). */
static const uint8_t v_set_filter[32] = {
	0x05, 0, 0, 0, 0x20, 0, 0, 0, 0x09, 0, 0, 0,
	0x0e, 0x01, 0x01, 0x00, 0x04, 0, 0, 0, 0x14, 0, 0, 0,
	0, 0, 0, 0, 0x0d, 0, 0, 0,
};

/* HALT, req 17 (rndis_filter_halt_device()). */
static const uint8_t v_halt[12] = {
	0x03, 0, 0, 0, 0x0c, 0, 0, 0, 0x11, 0, 0, 0,
};

static void
test_nvsp_vectors(void **state)
{
	uint8_t b[64];

	(void)state;
	check_bytes(b, nvsc_msg_init(b, sizeof(b), NVSP_PROTOCOL_VERSION_61),
		    v_init_61, sizeof(v_init_61));
	check_bytes(b, nvsc_msg_ndis_config(b, sizeof(b),
					    NVSP_PROTOCOL_VERSION_61, 1500),
		    v_ndis_config_61, sizeof(v_ndis_config_61));
	check_bytes(b, nvsc_msg_ndis_config(b, sizeof(b),
					    NVSP_PROTOCOL_VERSION_4, 1500),
		    v_ndis_config_4, sizeof(v_ndis_config_4));
	check_bytes(b, nvsc_msg_ndis_ver(b, sizeof(b), NVSP_PROTOCOL_VERSION_5),
		    v_ndis_ver_630, sizeof(v_ndis_ver_630));
	check_bytes(b, nvsc_msg_ndis_ver(b, sizeof(b), NVSP_PROTOCOL_VERSION_4),
		    v_ndis_ver_61, sizeof(v_ndis_ver_61));
	check_bytes(b, nvsc_msg_send_recv_buf(b, sizeof(b), 0xe1e10),
		    v_send_recv_buf, sizeof(v_send_recv_buf));
	check_bytes(b, nvsc_msg_send_send_buf(b, sizeof(b), 0xe1e11),
		    v_send_send_buf, sizeof(v_send_send_buf));
	check_bytes(b, nvsc_msg_revoke_recv_buf(b, sizeof(b)), v_revoke_recv,
		    sizeof(v_revoke_recv));
	check_bytes(b, nvsc_msg_revoke_send_buf(b, sizeof(b)), v_revoke_send,
		    sizeof(v_revoke_send));
	check_bytes(b, nvsc_msg_rndis_pkt(b, sizeof(b),
					  NVSP_CHANNEL_TYPE_CONTROL,
					  NVSP_SECTION_INDEX_NONE, 0),
		    v_rndis_pkt_ctrl, sizeof(v_rndis_pkt_ctrl));
	check_bytes(b, nvsc_msg_rx_comp(b, sizeof(b), NVSP_STAT_SUCCESS),
		    v_rx_comp, sizeof(v_rx_comp));
	assert_int_equal(nvsc_msg_init(b, 39, NVSP_PROTOCOL_VERSION_1),
			 -EMSGSIZE);
	assert_int_equal(nvsc_msg_ndis_config(b, sizeof(b),
					      NVSP_PROTOCOL_VERSION_5, 65522),
			 -EINVAL);
	/* Capability bits per version (negotiate_nvsp_ver()). */
	assert_int_equal(nvsc_ndis_caps(NVSP_PROTOCOL_VERSION_1), 0);
	assert_int_equal(nvsc_ndis_caps(NVSP_PROTOCOL_VERSION_2), 0x08);
	assert_int_equal(nvsc_ndis_caps(NVSP_PROTOCOL_VERSION_5), 0x2c);
	assert_int_equal(nvsc_ndis_caps(NVSP_PROTOCOL_VERSION_6), 0x2c);
	/* Receive buffer: 16 MiB, legacy 15 MiB, page rounding, 31 MiB. */
	assert_int_equal(nvsc_recv_buf_size(NVSP_PROTOCOL_VERSION_61, 0),
			 16u << 20);
	assert_int_equal(nvsc_recv_buf_size(NVSP_PROTOCOL_VERSION_2, 0),
			 15u << 20);
	assert_int_equal(nvsc_recv_buf_size(NVSP_PROTOCOL_VERSION_5, 5000),
			 8192);
	assert_int_equal(nvsc_recv_buf_size(NVSP_PROTOCOL_VERSION_5,
					    64u << 20), 31u << 20);
	/* Completion lengths netvsc_send_completion() insists on. */
	assert_int_equal(nvsc_comp_min_len(NVSP_MSG_TYPE_INIT_COMPLETE), 28);
	assert_int_equal(nvsc_comp_min_len(
				 NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE), 12);
	assert_int_equal(nvsc_comp_min_len(
				 NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE), 4);
	assert_int_equal(nvsc_comp_min_len(NVSP_MSG1_TYPE_SEND_RNDIS_PKT), 0);
}

static void
test_rndis_vectors(void **state)
{
	uint8_t b[1024];
	struct ndis_offload_params p;
	int n;

	(void)state;
	check_bytes(b, nvsc_rndis_init(b, sizeof(b), 1), v_rndis_init,
		    sizeof(v_rndis_init));
	check_bytes(b, nvsc_rndis_query(b, sizeof(b), 2,
					RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE,
					NVSP_PROTOCOL_VERSION_61),
		    v_query_mfs, sizeof(v_query_mfs));
	check_bytes(b, nvsc_rndis_set_filter(b, sizeof(b), 9, 0x0d),
		    v_set_filter, sizeof(v_set_filter));
	check_bytes(b, nvsc_rndis_halt(b, sizeof(b), 17), v_halt,
		    sizeof(v_halt));

	/*
	 * QUERY TCP_OFFLOAD_HARDWARE_CAPABILITIES carries an NDIS_OFFLOAD
	 * header sized by version (rndis_filter_query_device()):
	 * v5+ rev 3 / 156, v4 rev 2 / 144, below rev 1 / 112.
	 */
	n = nvsc_rndis_query(b, sizeof(b), 5,
			     RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
			     NVSP_PROTOCOL_VERSION_5);
	assert_int_equal(n, 28 + 156);
	assert_int_equal(sn_get_le32(b + 4), 28 + 156);
	assert_int_equal(sn_get_le32(b + 16), 156);	/* info_buflen */
	assert_int_equal(sn_get_le32(b + 20), 20);	/* info_buf_offset */
	assert_int_equal(b[28], 0xa7);
	assert_int_equal(b[29], 3);
	assert_int_equal(sn_get_le16(b + 30), 156);
	assert_int_equal(b[32], 0);
	n = nvsc_rndis_query(b, sizeof(b), 5,
			     RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
			     NVSP_PROTOCOL_VERSION_4);
	assert_int_equal(n, 28 + 144);
	assert_int_equal(b[29], 2);
	n = nvsc_rndis_query(b, sizeof(b), 5,
			     RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
			     NVSP_PROTOCOL_VERSION_2);
	assert_int_equal(n, 28 + 112);
	assert_int_equal(b[29], 1);
	assert_int_equal(sn_get_le16(b + 30), 112);
	/* RSS capabilities: {0x88, 2, 18} (ndis_recv_scale_cap, packed). */
	n = nvsc_rndis_query(b, sizeof(b), 6,
			     RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES,
			     NVSP_PROTOCOL_VERSION_61);
	assert_int_equal(n, 46);
	assert_int_equal(b[28], 0x88);
	assert_int_equal(b[29], 2);
	assert_int_equal(sn_get_le16(b + 30), 18);

	/*
	 * SET TCP_OFFLOAD_PARAMETERS: header {0x80, 3, 28} above NVSP 4,
	 * {0x80, 3, 22} with UDP forced to 0 at v4
	 * (rndis_filter_set_offload_params()).
	 */
	memset(&p, 0, sizeof(p));
	p.ip4_csum = 1;
	p.tcp4_csum = 4;
	p.udp4_csum = 4;
	p.tcp6_csum = 4;
	p.udp6_csum = 4;
	p.lsov2_ip4 = 2;
	p.lsov2_ip6 = 2;
	n = nvsc_rndis_set_offload(b, sizeof(b), 7, NVSP_PROTOCOL_VERSION_61,
				   &p);
	assert_int_equal(n, 28 + 28);
	assert_int_equal(sn_get_le32(b + 12), RNDIS_OID_TCP_OFFLOAD_PARAMETERS);
	assert_int_equal(sn_get_le32(b + 16), 28);
	{
		static const uint8_t want[28] = {
			0x80, 3, 28, 0, 1, 4, 4, 4, 4, 0, 0, 2, 2,
		};

		assert_memory_equal(b + 28, want, sizeof(want));
	}
	n = nvsc_rndis_set_offload(b, sizeof(b), 7, NVSP_PROTOCOL_VERSION_4,
				   &p);
	assert_int_equal(n, 28 + 22);
	{
		static const uint8_t want[22] = {
			0x80, 3, 22, 0, 1, 4, 0, 4, 0, 0, 0, 2, 2,
		};

		assert_memory_equal(b + 28, want, sizeof(want));
	}

	/*
	 * SET RECEIVE_SCALE_PARAMETERS (rndis_set_rss_param_msg()): header
	 * {0x89, 2, 40}, hashinfo 0x1701, 128 u32 entries at 40, the
	 * Microsoft key at 552; 28 + 592 bytes.
	 */
	n = nvsc_rndis_set_rss(b, sizeof(b), 8, NDIS_RSS_FLAG_DISABLE_RSS, 128,
			       4, NULL);
	assert_int_equal(n, 28 + 592);
	assert_int_equal(sn_get_le32(b + 16), 592);
	assert_int_equal(b[28], 0x89);
	assert_int_equal(b[29], 2);
	assert_int_equal(sn_get_le16(b + 30), 40);
	assert_int_equal(sn_get_le16(b + 32), 0x10);
	assert_int_equal(sn_get_le32(b + 36), 0x1701);
	assert_int_equal(sn_get_le16(b + 40), 512);
	assert_int_equal(sn_get_le32(b + 44), 40);
	assert_int_equal(sn_get_le16(b + 48), 40);
	assert_int_equal(sn_get_le32(b + 52), 552);
	/* entry 5 is 5 % 4 */
	assert_int_equal(sn_get_le32(b + 28 + 40 + 4 * 5), 1);
	assert_int_equal(sn_get_le32(b + 28 + 40 + 4 * 127), 3);
	assert_memory_equal(b + 28 + 552, nvsc_rss_key_default, 40);
	assert_int_equal(nvsc_rndis_set_rss(b, sizeof(b), 8, 0, 0, 1, NULL),
			 -EINVAL);
	assert_int_equal(nvsc_rndis_set_rss(b, sizeof(b), 8, 0, 129, 1, NULL),
			 -EINVAL);
	assert_int_equal(nvsc_rndis_set_rss(b, 600, 8, 0, 128, 1, NULL),
			 -EMSGSIZE);
}

/* rndis_netdev_set_hwcaps() decisions. */
static void
test_offload_choose(void **state)
{
	struct ndis_offload_config c;
	struct ndis_offload_params p;
	struct nvsc_offload o;
	struct ndis_offload hw;

	(void)state;
	/* OpenVMM-like: everything, LSO 62780. */
	memset(&c, 0, sizeof(c));
	c.ip4_csum = c.tcp4_csum = c.udp4_csum = NDIS_OFL_TX_RX;
	c.tcp6_csum = c.udp6_csum = NDIS_OFL_TX_RX;
	c.lsov2_ip4 = c.lsov2_ip6 = 1;
	assert_int_equal(ndis_offload_from_config(&c, 3, 62780, 2, &hw), 0);
	nvsc_offload_choose(&hw, false, &p, &o);
	assert_int_equal(o.flags, NVSC_OFL_TCP4_CSUM | NVSC_OFL_UDP4_CSUM |
				  NVSC_OFL_TCP6_CSUM | NVSC_OFL_UDP6_CSUM |
				  NVSC_OFL_LSO4 | NVSC_OFL_LSO6);
	assert_int_equal(o.gso_max, 62780);
	assert_int_equal(p.ip4_csum, NDIS_OFFLOAD_PARAM_OFF);
	assert_int_equal(p.tcp4_csum, NDIS_OFFLOAD_PARAM_TX_RX);
	assert_int_equal(p.udp6_csum, NDIS_OFFLOAD_PARAM_TX_RX);
	assert_int_equal(p.lsov2_ip4, NDIS_OFFLOAD_SET_ON);
	assert_int_equal(p.lsov2_ip6, NDIS_OFFLOAD_SET_ON);
	assert_int_equal(p.rsc_ip4, 0);

	/* RSC offered: off unless lro. */
	c.rsc_ip4 = c.rsc_ip6 = 1;
	assert_int_equal(ndis_offload_from_config(&c, 3, 62780, 2, &hw), 0);
	nvsc_offload_choose(&hw, false, &p, &o);
	assert_true(o.flags & NVSC_OFL_RSC);
	assert_int_equal(p.rsc_ip4, NDIS_OFFLOAD_SET_OFF);
	nvsc_offload_choose(&hw, true, &p, &o);
	assert_int_equal(p.rsc_ip6, NDIS_OFFLOAD_SET_ON);

	/* TCPv4 flags without the TCP-options bit: nothing for IPv4. */
	hw.csum.ip4_tx_flags = NDIS_CSUM4_TCP | NDIS_CSUM4_UDP;
	nvsc_offload_choose(&hw, false, &p, &o);
	assert_false(o.flags & (NVSC_OFL_TCP4_CSUM | NVSC_OFL_UDP4_CSUM |
				NVSC_OFL_LSO4));
	assert_int_equal(p.tcp4_csum, 0);
	assert_int_equal(p.lsov2_ip4, 0);
	/* LSOv6 needs both ip6 option bits. */
	hw.lsov2.ip6_opts = NDIS_LSOV2_6_TCP_OPTIONS;
	nvsc_offload_choose(&hw, false, &p, &o);
	assert_false(o.flags & NVSC_OFL_LSO6);
	assert_true(o.flags & NVSC_OFL_TCP6_CSUM);
	/* Nothing at all. */
	memset(&hw, 0, sizeof(hw));
	nvsc_offload_choose(&hw, true, &p, &o);
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.gso_max, NVSC_GSO_MAX_DEFAULT);
	assert_int_equal(p.ip4_csum, NDIS_OFFLOAD_PARAM_OFF);
}

/* netvsc_init_buf() checks of the buffer completions. */
static void
test_buf_checks(void **state)
{
	struct nvsp_msg m;
	uint32_t a;
	uint32_t b;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE;
	m.recv_buf_comp.status = NVSP_STAT_SUCCESS;
	m.recv_buf_comp.num_sections = 1;
	m.recv_buf_comp.sections[0].sub_alloc_size = 1728;
	m.recv_buf_comp.sections[0].num_sub_allocs = 9709;
	assert_int_equal(nvsc_recv_buf_check(&m, 16u << 20, &a, &b), 0);
	assert_int_equal(a, 1728);
	assert_int_equal(b, 9709);
	/* size * count past the buffer */
	m.recv_buf_comp.sections[0].num_sub_allocs = 9710;
	assert_int_equal(nvsc_recv_buf_check(&m, 1728u * 9709, &a, &b),
			 -EBADMSG);
	m.recv_buf_comp.sections[0].num_sub_allocs = 1;
	m.recv_buf_comp.sections[0].sub_alloc_size = 67;
	assert_int_equal(nvsc_recv_buf_check(&m, 4096, &a, &b), -EBADMSG);
	m.recv_buf_comp.sections[0].sub_alloc_size = 68;
	m.recv_buf_comp.sections[0].offset = 4;
	assert_int_equal(nvsc_recv_buf_check(&m, 4096, &a, &b), -EBADMSG);
	m.recv_buf_comp.sections[0].offset = 0;
	m.recv_buf_comp.num_sections = 2;
	assert_int_equal(nvsc_recv_buf_check(&m, 4096, &a, &b), -EBADMSG);
	m.recv_buf_comp.num_sections = 1;
	m.recv_buf_comp.status = NVSP_STAT_FAIL;
	assert_int_equal(nvsc_recv_buf_check(&m, 4096, &a, &b), -EPROTO);

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE;
	m.send_buf_comp.status = NVSP_STAT_SUCCESS;
	m.send_buf_comp.section_size = 6144;
	assert_int_equal(nvsc_send_buf_check(&m, 170 * 6144, &a, &b), 0);
	assert_int_equal(a, 6144);
	assert_int_equal(b, 170);
	m.send_buf_comp.section_size = 67;
	assert_int_equal(nvsc_send_buf_check(&m, 4096, &a, &b), -EBADMSG);
	m.send_buf_comp.section_size = 8192;
	assert_int_equal(nvsc_send_buf_check(&m, 4096, &a, &b), 0);
	assert_int_equal(b, 0);
	m.send_buf_comp.status = NVSP_STAT_FAIL;
	assert_int_equal(nvsc_send_buf_check(&m, 4096, &a, &b), -EPROTO);
}

/* ===================== part 2: a fake host ============================== */

#define RAM_SIZE (48u << 20)
#define MAX_EV 96
#define MAX_FRAMES 256
#define HOST_SUB 2048u		/* receive slot size the host picks */
#define HOST_SEC 6144u		/* send section size the host picks */

/* One message the host received, in order. */
struct ev {
	char what[32];		/* "INIT", "QUERY", "SET", ... */
	uint32_t a;		/* main field (version, oid, mtu, ...) */
	uint32_t b;		/* second field (caps, flags, ...) */
	uint8_t raw[640];	/* first bytes of the message */
	uint32_t rawlen;	/* bytes in raw */
};

/* One frame the host received from the guest. */
struct frame {
	uint8_t data[9100];	/* frame bytes */
	uint32_t len;		/* frame length */
	struct rndis_ppi_set ppi; /* its PPIs */
	bool gpa;		/* came GPA-direct */
	uint32_t in_section;	/* messages in the same section */
};

/* What the test asks the host to send. */
struct inject {
	uint8_t data[1600];	/* frame */
	uint32_t len;		/* frame length, 0 = status indication */
	uint16_t vlan;		/* 802.1Q TCI, with has_vlan */
	bool has_vlan;		/* send a VLAN PPI */
	uint32_t status;	/* indication status when len is 0 */
	uint16_t pageset;	/* transfer page set id (0xcafe) */
	bool bad_range;		/* range outside the receive buffer */
	uint8_t rsc_flags;	/* RNDIS_PKTINFO_* of an RSC fragment */
};

struct fake {
	uint8_t *ram;			/* guest RAM */
	uint64_t used;			/* bump allocator */
	unsigned int allocs;		/* mem_alloc calls */
	unsigned int frees;		/* mem_free calls */
	struct {
		uint32_t h;		/* handle */
		uint64_t gpa;		/* first byte */
		uint64_t len;		/* bytes */
		bool live;		/* not torn down */
	} gpadl[8];
	unsigned int ngpadl;		/* GPADLs created */
	unsigned int teardowns;		/* GPADLs torn down */
	struct vmb_ring g_tx;		/* guest writes G->H */
	struct vmb_ring g_rx;		/* guest reads H->G */
	struct vmb_ring h_rx;		/* host reads G->H */
	struct vmb_ring h_tx;		/* host writes H->G */
	int kick_fd;			/* guest -> host */
	int intr_fd;			/* host -> guest */
	bool open;			/* channel open */
	unsigned int closes;		/* chan_close calls */
	pthread_t thr;			/* host thread */
	atomic_bool stop;		/* ask the host thread to exit */

	/* host behaviour */
	uint32_t accept_ver;		/* only INIT of this (0: any) */
	bool mute;			/* never answer anything */
	uint32_t max_frame;		/* MAXIMUM_FRAME_SIZE answer */
	bool no_offload;		/* report no checksum/LSO offload */

	/* host state (host thread only, read after it stopped or locked) */
	uint8_t *rbuf;			/* guest receive buffer */
	uint32_t rbuf_len;		/* its size */
	uint8_t *sbuf;			/* guest send buffer */
	uint32_t ctrl_slot;		/* next control slot 0..15 */
	uint32_t data_slot;		/* next data slot 16.. */
	uint64_t tid;			/* host transaction ids */

	pthread_mutex_t mu;		/* guards what follows */
	struct ev ev[MAX_EV];		/* message log */
	unsigned int nev;		/* entries */
	struct frame *fr;		/* frames from the guest */
	unsigned int nfr;		/* entries */
	unsigned int rx_comps;		/* RX completions received */
	unsigned int rx_comp_fail;	/* ... with a status other than 1 */
	unsigned int tx_sections;	/* section packets received */
	struct inject inj[16];		/* pending injections */
	unsigned int ninj;		/* entries */
	unsigned int inj_sent;		/* xfer packets sent for them */
	bool hold;			/* keep data completions back */
	uint64_t held[256];		/* their trans_ids */
	unsigned int nheld;		/* entries */
	bool bogus_comp;		/* send a completion nobody asked */
};

static void
ev_add(struct fake *f, const char *what, uint32_t a, uint32_t b,
       const void *raw, size_t rawlen)
{
	struct ev *e;

	pthread_mutex_lock(&f->mu);
	if (f->nev < MAX_EV) {
		e = &f->ev[f->nev++];
		snprintf(e->what, sizeof(e->what), "%s", what);
		e->a = a;
		e->b = b;
		e->rawlen = (uint32_t)SN_MIN(rawlen, sizeof(e->raw));
		if (raw != NULL) {
			memcpy(e->raw, raw, e->rawlen);
		}
	}
	pthread_mutex_unlock(&f->mu);
}

static uint8_t *
gpa_ptr(struct fake *f, uint64_t gpa, uint64_t len)
{
	if (gpa > RAM_SIZE || len > RAM_SIZE - gpa) {
		return NULL;
	}
	return f->ram + gpa;
}

static uint8_t *
gpadl_ptr(struct fake *f, uint32_t h, uint32_t *len)
{
	unsigned int i;

	for (i = 0; i < f->ngpadl; i++) {
		if (f->gpadl[i].h == h && f->gpadl[i].live) {
			*len = (uint32_t)f->gpadl[i].len;
			return f->ram + f->gpadl[i].gpa;
		}
	}
	return NULL;
}

/* Host write to H->G, retrying while the guest has not drained. */
static void
host_write(struct fake *f, const void *hdr, size_t hlen, const void *pl,
	   size_t plen)
{
	struct vmb_iov iov[2] = { { hdr, hlen }, { pl, plen } };
	bool sig = false;
	int i;

	for (i = 0; i < 20000; i++) {
		int rc = vmb_ring_write(&f->h_tx, iov, 2, &sig);

		if (rc == 0) {
			if (sig) {
				(void)vmb_user_signal(f->intr_fd);
			}
			return;
		}
		if (rc != -EAGAIN || atomic_load(&f->stop)) {
			return;
		}
		usleep(100);
	}
}

static void
host_comp(struct fake *f, uint64_t tid, const struct nvsp_msg *m)
{
	uint8_t hdr[16];
	uint8_t pl[64];
	int n = nvsp_encode(m, pl, sizeof(pl), NVSP_MSG_SIZE_V61);

	assert_true(n > 0);
	assert_int_equal(vmb_pkt_enc_comp(hdr, sizeof(hdr), tid, (size_t)n),
			 16);
	host_write(f, hdr, sizeof(hdr), pl, (size_t)n);
}

static void
host_rndis_done(struct fake *f, uint64_t tid)
{
	struct nvsp_msg m;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE;
	m.rndis_pkt_comp.status = NVSP_STAT_SUCCESS;
	host_comp(f, tid, &m);
}

/* Transfer-page packet with ranges r[0..n). */
static void
host_xfer(struct fake *f, uint32_t chan_type, uint16_t pageset,
	  const struct vmb_xfer_range *r, uint32_t n)
{
	uint8_t hdr[VMB_XFER_HDR_LEN(16)];
	uint8_t pl[40];
	struct nvsp_msg m;
	int hl;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	m.rndis_pkt.channel_type = chan_type;
	m.rndis_pkt.section_index = NVSP_SECTION_INDEX_NONE;
	assert_int_equal(nvsp_encode(&m, pl, sizeof(pl), 40), 40);
	hl = vmb_pkt_enc_xfer(hdr, sizeof(hdr),
			      VMB_PKT_FLAG_COMPLETION_REQUESTED, ++f->tid,
			      pageset, 0, r, n, sizeof(pl));
	assert_true(hl > 0);
	host_write(f, hdr, (size_t)hl, pl, sizeof(pl));
}

/* Put an RNDIS control answer in a control slot and send it. */
static void
host_answer(struct fake *f, const uint8_t *msg, int len)
{
	struct vmb_xfer_range r;
	uint32_t off = (f->ctrl_slot++ % 16) * HOST_SUB;

	assert_true(len > 0 && (uint32_t)len <= HOST_SUB);
	assert_non_null(f->rbuf);
	memcpy(f->rbuf + off, msg, (size_t)len);
	r.byte_count = (uint32_t)len;
	r.byte_offset = off;
	host_xfer(f, NVSP_CHANNEL_TYPE_CONTROL, NVSP_RECV_BUF_ID, &r, 1);
}

static void
host_query(struct fake *f, const struct rndis_msg *q)
{
	uint8_t info[256];
	uint8_t out[512];
	uint32_t len = 0;
	uint32_t st = RNDIS_STATUS_SUCCESS;
	uint32_t oid = q->u.oid_req.oid;

	switch (oid) {
	case RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE:
		sn_put_le32(info, f->max_frame);
		len = 4;
		break;
	case RNDIS_OID_802_3_PERMANENT_ADDRESS: {
		static const uint8_t mac[6] = { 0x00, 0x15, 0x5d, 1, 2, 3 };

		memcpy(info, mac, 6);
		len = 6;
		break;
	}
	case RNDIS_OID_GEN_FRIENDLY_NAME: {
		const char *s = "synth0";
		uint32_t i;

		for (i = 0; s[i] != '\0'; i++) {
			sn_put_le16(info + 2 * i, (uint16_t)s[i]);
		}
		sn_put_le16(info + 2 * i, 0);
		len = 2 * i + 2;
		break;
	}
	case RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES: {
		struct ndis_offload_config c;
		struct ndis_offload o;
		uint8_t rev = q->u.oid_req.info_len >= 4 ?
			      q->u.oid_req.info[1] : 1;

		memset(&c, 0, sizeof(c));
		if (!f->no_offload) {
			c.tcp4_csum = c.udp4_csum = NDIS_OFL_TX_RX;
			c.tcp6_csum = c.udp6_csum = NDIS_OFL_TX_RX;
			c.lsov2_ip4 = c.lsov2_ip6 = 1;
		}
		assert_int_equal(ndis_offload_from_config(&c, rev, 62780, 2,
							  &o), 0);
		len = (uint32_t)ndis_offload_encode(&o, info, sizeof(info));
		break;
	}
	case RNDIS_OID_GEN_MEDIA_CONNECT_STATUS:
		sn_put_le32(info, 0);
		len = 4;
		break;
	case RNDIS_OID_GEN_LINK_SPEED:
		sn_put_le32(info, 100000000);	/* 10 Gb/s in 100 b/s */
		len = 4;
		break;
	case RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES: {
		struct ndis_rss_caps c = {
			.caps_flags = NDIS_RSS_CAPS_HASH_FUNC_TOEPLITZ,
			.num_int_msgs = 1,
			.num_queues = 8,
			.num_itab_entries = 128,
		};

		len = (uint32_t)ndis_rss_caps_encode(&c, info, sizeof(info));
		break;
	}
	default:
		st = RNDIS_STATUS_NOT_SUPPORTED;
		break;
	}
	host_answer(f, out, rndis_encode_query_cmplt(out, sizeof(out),
						     q->u.oid_req.req_id, st,
						     len ? info : NULL, len));
}

static void
host_set(struct fake *f, const struct rndis_msg *q)
{
	uint8_t out[64];
	uint32_t st = RNDIS_STATUS_SUCCESS;

	if (q->u.oid_req.oid == RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS) {
		struct ndis_rss_params p;

		if (ndis_rss_params_decode(q->u.oid_req.info,
					   q->u.oid_req.info_len, 1, &p) < 0) {
			st = RNDIS_STATUS_INVALID_DATA;
		}
	} else if (q->u.oid_req.oid == RNDIS_OID_TCP_OFFLOAD_PARAMETERS) {
		struct ndis_offload_params p;

		if (ndis_offload_params_decode(q->u.oid_req.info,
					       q->u.oid_req.info_len,
					       &p) < 0) {
			st = RNDIS_STATUS_INVALID_DATA;
		}
	}
	host_answer(f, out, rndis_encode_set_cmplt(out, sizeof(out),
						   q->u.oid_req.req_id, st));
}

/* An RNDIS control message from the guest. */
static void
host_control(struct fake *f, const uint8_t *msg, uint32_t len)
{
	struct rndis_msg q;
	uint8_t out[64];
	struct rndis_init_cmplt ic;

	assert_true(rndis_decode(msg, len, &q) > 0);
	switch (q.type) {
	case RNDIS_MSG_INIT:
		ev_add(f, "RNDIS_INIT", q.u.init_req.req_id,
		       q.u.init_req.max_xfer_size, msg, len);
		rndis_init_cmplt_defaults(&ic, q.u.init_req.req_id,
					  RNDIS_STATUS_SUCCESS);
		host_answer(f, out, rndis_encode_init_cmplt(out, sizeof(out),
							    &ic));
		break;
	case RNDIS_MSG_QUERY:
		ev_add(f, "QUERY", q.u.oid_req.oid, q.u.oid_req.req_id, msg,
		       len);
		host_query(f, &q);
		break;
	case RNDIS_MSG_SET:
		ev_add(f, "SET", q.u.oid_req.oid,
		       q.u.oid_req.info_len >= 4 ?
		       sn_get_le32(q.u.oid_req.info) : 0, msg, len);
		host_set(f, &q);
		break;
	case RNDIS_MSG_HALT:
		ev_add(f, "HALT", q.u.req.req_id, 0, msg, len);
		break;
	default:
		ev_add(f, "RNDIS?", q.type, 0, msg, len);
		break;
	}
}

/* Data PACKETs (one or a batch) from the guest. */
static void
host_data(struct fake *f, const uint8_t *buf, uint32_t len, bool gpa)
{
	struct rndis_iter it;
	struct rndis_msg m;
	unsigned int first;
	unsigned int i;
	int rc;

	assert_int_equal(rndis_iter_init(&it, buf, len, 64), 0);
	pthread_mutex_lock(&f->mu);
	first = f->nfr;
	while ((rc = rndis_iter_next(&it, &m)) == 1) {
		struct frame *fr;

		assert_int_equal(m.type, RNDIS_MSG_PACKET);
		if (f->nfr >= MAX_FRAMES) {
			continue;
		}
		fr = &f->fr[f->nfr++];
		assert_true(m.u.packet.data_len <= sizeof(fr->data));
		memcpy(fr->data, m.u.packet.data, m.u.packet.data_len);
		fr->len = m.u.packet.data_len;
		fr->gpa = gpa;
		assert_true(rndis_ppi_parse(m.u.packet.ppi, m.u.packet.ppi_len,
					    &fr->ppi) >= 0);
	}
	assert_int_equal(rc, 0);
	for (i = first; i < f->nfr; i++) {
		f->fr[i].in_section = f->nfr - first;
	}
	pthread_mutex_unlock(&f->mu);
}

/* Gather a GPA-direct packet's ranges. */
static uint32_t
gather(struct fake *f, const struct vmb_pkt *p, uint8_t *out, uint32_t cap)
{
	struct vmb_gpa_iter it;
	struct vmb_gpa_range r;
	uint32_t n = 0;

	assert_int_equal(vmb_gpa_iter_init(&it, p), 0);
	while (vmb_gpa_range_next(&it, &r) == 1) {
		uint32_t done = 0;
		uint32_t i;

		for (i = 0; i < r.pfn_count; i++) {
			uint32_t off = i == 0 ? r.byte_offset : 0;
			uint32_t c = SN_MIN(VMB_PAGE_SIZE - off,
					    r.byte_count - done);
			uint8_t *src = gpa_ptr(f, vmb_gpa_range_pfn(&r, i) *
					       VMB_PAGE_SIZE + off, c);

			assert_non_null(src);
			assert_true(n + c <= cap);
			memcpy(out + n, src, c);
			n += c;
			done += c;
		}
	}
	return n;
}

static void
host_nvsp(struct fake *f, const struct vmb_pkt *p)
{
	static uint8_t big[70000];
	struct nvsp_msg m;
	struct nvsp_msg r;
	uint32_t n;

	assert_int_equal(nvsp_decode(p->payload, p->payload_len, &m), 0);
	memset(&r, 0, sizeof(r));
	switch (m.type) {
	case NVSP_MSG_TYPE_INIT:
		ev_add(f, "INIT", m.init.min_ver, m.init.max_ver, p->payload,
		       p->payload_len);
		r.type = NVSP_MSG_TYPE_INIT_COMPLETE;
		r.init_comp.negotiated_ver = m.init.min_ver;
		r.init_comp.status = (f->accept_ver == 0 ||
				      f->accept_ver == m.init.min_ver) ?
				     NVSP_STAT_SUCCESS : NVSP_STAT_FAIL;
		host_comp(f, p->trans_id, &r);
		break;
	case NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
		ev_add(f, "NDIS_CONFIG", m.ndis_config.mtu,
		       (uint32_t)m.ndis_config.capabilities, p->payload,
		       p->payload_len);
		break;
	case NVSP_MSG1_TYPE_SEND_NDIS_VER:
		ev_add(f, "NDIS_VER", m.ndis_ver.major, m.ndis_ver.minor,
		       p->payload, p->payload_len);
		break;
	case NVSP_MSG1_TYPE_SEND_RECV_BUF:
		ev_add(f, "RECV_BUF", m.recv_buf.gpadl, m.recv_buf.id,
		       p->payload, p->payload_len);
		f->rbuf = gpadl_ptr(f, m.recv_buf.gpadl, &f->rbuf_len);
		r.type = NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE;
		r.recv_buf_comp.status = f->rbuf != NULL ? NVSP_STAT_SUCCESS :
							    NVSP_STAT_FAIL;
		r.recv_buf_comp.num_sections = 1;
		r.recv_buf_comp.sections[0].sub_alloc_size = HOST_SUB;
		r.recv_buf_comp.sections[0].num_sub_allocs =
			f->rbuf_len / HOST_SUB;
		r.recv_buf_comp.sections[0].end_offset =
			f->rbuf_len / HOST_SUB * HOST_SUB;
		host_comp(f, p->trans_id, &r);
		break;
	case NVSP_MSG1_TYPE_SEND_SEND_BUF:
		ev_add(f, "SEND_BUF", m.send_buf.gpadl, m.send_buf.id,
		       p->payload, p->payload_len);
		f->sbuf = gpadl_ptr(f, m.send_buf.gpadl, &n);
		r.type = NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE;
		r.send_buf_comp.status = NVSP_STAT_SUCCESS;
		r.send_buf_comp.section_size = HOST_SEC;
		host_comp(f, p->trans_id, &r);
		break;
	case NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
		ev_add(f, "REVOKE_RECV", m.revoke_recv_buf.id, 0, p->payload,
		       p->payload_len);
		break;
	case NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
		ev_add(f, "REVOKE_SEND", m.revoke_send_buf.id, 0, p->payload,
		       p->payload_len);
		break;
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
		if (p->type == VMB_PKT_DATA_USING_GPA_DIRECT) {
			assert_int_equal(m.rndis_pkt.section_index,
					 NVSP_SECTION_INDEX_NONE);
			n = gather(f, p, big, sizeof(big));
		} else {
			assert_true(m.rndis_pkt.section_index <
				    (170u * 6144) / HOST_SEC);
			assert_true(m.rndis_pkt.section_size <= HOST_SEC);
			n = m.rndis_pkt.section_size;
			memcpy(big, f->sbuf + m.rndis_pkt.section_index *
			       HOST_SEC, n);
			pthread_mutex_lock(&f->mu);
			f->tx_sections++;
			pthread_mutex_unlock(&f->mu);
		}
		assert_true(p->flags & VMB_PKT_FLAG_COMPLETION_REQUESTED);
		if (m.rndis_pkt.channel_type == NVSP_CHANNEL_TYPE_CONTROL) {
			assert_int_equal(p->type,
					 VMB_PKT_DATA_USING_GPA_DIRECT);
			host_control(f, big, n);
		} else {
			host_data(f, big, n,
				  p->type == VMB_PKT_DATA_USING_GPA_DIRECT);
			pthread_mutex_lock(&f->mu);
			if (f->hold && f->nheld < 256) {
				f->held[f->nheld++] = p->trans_id;
				pthread_mutex_unlock(&f->mu);
				break;
			}
			pthread_mutex_unlock(&f->mu);
		}
		host_rndis_done(f, p->trans_id);
		break;
	default:
		ev_add(f, "NVSP?", m.type, 0, NULL, 0);
		break;
	}
}

static void
host_packet(struct fake *f, const uint8_t *buf, size_t len)
{
	struct vmb_pkt p;

	assert_int_equal(vmb_pkt_decode(buf, len, &p), 0);
	if (p.type == VMB_PKT_COMP) {
		/* RX completion: 8 bytes, SEND_RNDIS_PKT_COMPLETE. */
		pthread_mutex_lock(&f->mu);
		f->rx_comps++;
		if (p.payload_len != 8 ||
		    sn_get_le32(p.payload) !=
			    NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE ||
		    sn_get_le32(p.payload + 4) != NVSP_STAT_SUCCESS) {
			f->rx_comp_fail++;
		}
		pthread_mutex_unlock(&f->mu);
		return;
	}
	if (f->mute) {
		ev_add(f, "MUTED", p.type, 0, NULL, 0);
		return;
	}
	host_nvsp(f, &p);
}

/* Send what the test queued: frames in one transfer packet. */
static void
host_inject(struct fake *f)
{
	struct vmb_xfer_range r[16];
	uint16_t pageset = NVSP_RECV_BUF_ID;
	uint32_t n = 0;
	unsigned int i;

	pthread_mutex_lock(&f->mu);
	for (i = 0; i < f->ninj; i++) {
		struct inject *in = &f->inj[i];
		uint32_t off = (16 + f->data_slot++ % 64) * HOST_SUB;
		uint8_t *dst = f->rbuf + off;
		int hl;

		if (in->len == 0) {
			hl = rndis_encode_indicate(dst, HOST_SUB, in->status,
						   NULL, 0);
		} else {
			struct rndis_ppi_set ps;

			memset(&ps, 0, sizeof(ps));
			if (in->has_vlan) {
				ps.present = RNDIS_PPIF_VLAN;
				ps.vlan = rndis_vlan_info_from_tci(in->vlan);
			}
			if (in->rsc_flags != 0) {
				ps.present |= RNDIS_PPIF_PKTINFO_ID;
				ps.pktinfo_ver = RNDIS_PKTINFO_ID_V1;
				ps.pktinfo_flags = in->rsc_flags;
				ps.pktinfo_id = 7;
			}
			hl = rndis_packet_encode_hdr(dst, HOST_SUB, &ps,
						     in->len);
			assert_true(hl > 0);
			memcpy(dst + hl, in->data, in->len);
			hl += (int)in->len;
		}
		assert_true(hl > 0);
		r[n].byte_count = (uint32_t)hl;
		r[n].byte_offset = in->bad_range ? f->rbuf_len - 8 : off;
		pageset = in->pageset != 0 ? in->pageset : pageset;
		n++;
	}
	f->ninj = 0;
	pthread_mutex_unlock(&f->mu);
	if (n != 0) {
		host_xfer(f, NVSP_CHANNEL_TYPE_DATA, pageset, r, n);
		pthread_mutex_lock(&f->mu);
		f->inj_sent++;
		pthread_mutex_unlock(&f->mu);
	}
}

/* Completions held back, and the bogus one. */
static void
host_release(struct fake *f)
{
	uint64_t tids[256];
	unsigned int n = 0;
	unsigned int i;
	bool bogus;

	pthread_mutex_lock(&f->mu);
	if (!f->hold) {
		n = f->nheld;
		memcpy(tids, f->held, n * sizeof(tids[0]));
		f->nheld = 0;
	}
	bogus = f->bogus_comp;
	f->bogus_comp = false;
	pthread_mutex_unlock(&f->mu);
	for (i = 0; i < n; i++) {
		host_rndis_done(f, tids[i]);
	}
	if (bogus) {
		host_rndis_done(f, 0xdeadbeefull);
	}
}

static void *
host_main(void *arg)
{
	struct fake *f = arg;
	static uint8_t buf[1 << 16];

	while (!atomic_load(&f->stop)) {
		struct pollfd pfd = { .fd = f->kick_fd, .events = POLLIN };
		size_t len;

		(void)poll(&pfd, 1, 2);
		if (pfd.revents & POLLIN) {
			(void)vmb_user_drain(f->kick_fd);
		}
		while (vmb_ring_peek(&f->h_rx, buf, sizeof(buf), &len) == 0) {
			host_packet(f, buf, len);
		}
		if (vmb_ring_read_commit(&f->h_rx)) {
			(void)vmb_user_signal(f->intr_fd);
		}
		host_inject(f);
		host_release(f);
	}
	return NULL;
}

/* --- fake transport --- */

static int
fx_mem_alloc(void *ctx, size_t bytes, struct gvmb_alloc *out)
{
	struct fake *f = ctx;
	uint64_t len = SN_ALIGN_UP((uint64_t)bytes, (uint64_t)4096);

	if (bytes == 0 || len > RAM_SIZE - f->used) {
		return -ENOMEM;
	}
	memset(out, 0, sizeof(*out));
	out->ptr = f->ram + f->used;
	out->gpa = f->used;
	out->npages = (uint32_t)(len / 4096);
	f->used += len;
	f->allocs++;
	return 0;
}

static void
fx_mem_free(void *ctx, struct gvmb_alloc *a)
{
	struct fake *f = ctx;

	f->frees++;
	memset(a, 0, sizeof(*a));
}

static int
fx_gpadl_create(void *ctx, const struct gvmb_alloc *a, uint32_t *h)
{
	struct fake *f = ctx;

	assert_true(f->ngpadl < 8);
	f->gpadl[f->ngpadl].h = 0xe1e10 + f->ngpadl;
	f->gpadl[f->ngpadl].gpa = a->gpa;
	f->gpadl[f->ngpadl].len = (uint64_t)a->npages * 4096;
	f->gpadl[f->ngpadl].live = true;
	*h = f->gpadl[f->ngpadl].h;
	f->ngpadl++;
	return 0;
}

static int
fx_gpadl_teardown(void *ctx, uint32_t h)
{
	struct fake *f = ctx;
	unsigned int i;

	/* netvsc_device_remove(): the channel is closed first. */
	assert_false(f->open);
	for (i = 0; i < f->ngpadl; i++) {
		if (f->gpadl[i].h == h && f->gpadl[i].live) {
			f->gpadl[i].live = false;
			f->teardowns++;
			return 0;
		}
	}
	return -ENOENT;
}

static int
fx_chan_open(void *ctx, uint32_t pages, struct nvsc_chan_io *io)
{
	struct fake *f = ctx;
	size_t ring = (size_t)(pages + 1) * 4096;
	struct gvmb_alloc a;

	assert_int_equal(fx_mem_alloc(f, 2 * ring, &a), 0);
	f->allocs--;	/* ring pages belong to the transport */
	assert_int_equal(vmb_ring_init(&f->g_tx, a.ptr, ring), 0);
	assert_int_equal(vmb_ring_init(&f->g_rx, (uint8_t *)a.ptr + ring,
				       ring), 0);
	vmb_ring_ctl_init(&f->g_tx, VMB_RING_FEAT_PENDING_SEND_SZ);
	vmb_ring_ctl_init(&f->g_rx, VMB_RING_FEAT_PENDING_SEND_SZ);
	f->h_rx = f->g_tx;
	f->h_tx = f->g_rx;
	f->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->intr_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(f->kick_fd >= 0 && f->intr_fd >= 0);
	io->tx = &f->g_tx;
	io->rx = &f->g_rx;
	io->kick_fd = f->kick_fd;
	io->intr_fd = f->intr_fd;
	atomic_store(&f->stop, false);
	f->open = true;
	assert_int_equal(pthread_create(&f->thr, NULL, host_main, f), 0);
	return 0;
}

static int
fx_chan_close(void *ctx)
{
	struct fake *f = ctx;

	atomic_store(&f->stop, true);
	(void)vmb_user_signal(f->kick_fd);
	pthread_join(f->thr, NULL);
	close(f->kick_fd);
	close(f->intr_fd);
	f->open = false;
	f->closes++;
	return 0;
}

static struct fake *
fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f->ram != MAP_FAILED);
	f->fr = calloc(MAX_FRAMES, sizeof(*f->fr));
	assert_non_null(f->fr);
	f->max_frame = 1500;
	pthread_mutex_init(&f->mu, NULL);
	return f;
}

static void
fake_free(struct fake *f)
{
	munmap(f->ram, RAM_SIZE);
	pthread_mutex_destroy(&f->mu);
	free(f->fr);
	free(f);
}

static struct nvsc_xport
fake_xport(struct fake *f)
{
	struct nvsc_xport x = {
		.ctx = f,
		.mem_alloc = fx_mem_alloc,
		.mem_free = fx_mem_free,
		.gpadl_create = fx_gpadl_create,
		.gpadl_teardown = fx_gpadl_teardown,
		.chan_open = fx_chan_open,
		.chan_close = fx_chan_close,
		.chan_gone = NULL,
	};

	return x;
}

/* The log entry i, checked for name and field a. */
static const struct ev *
ev_at(struct fake *f, unsigned int i, const char *what, uint32_t a)
{
	const struct ev *e;

	assert_true(i < f->nev);
	e = &f->ev[i];
	if (strcmp(e->what, what) != 0 || e->a != a) {
		fail_msg("event %u: got %s 0x%x, want %s 0x%x", i, e->what,
			 e->a, what, a);
	}
	return e;
}

/* Receive side of the tests. */
struct rxlog {
	unsigned int n;			/* frames */
	uint32_t len[16];		/* their lengths */
	struct nvsc_rxmeta meta[16];	/* their metadata */
	uint8_t first[16];		/* their first payload byte (14) */
};

static void
rx_cb(void *arg, const uint8_t *frame, uint32_t len,
      const struct nvsc_rxmeta *meta)
{
	struct rxlog *l = arg;

	if (l->n < 16) {
		l->len[l->n] = len;
		l->meta[l->n] = *meta;
		l->first[l->n] = len > 14 ? frame[14] : 0;
	}
	l->n++;
}

/* Poll until cond (re-evaluated) or ~2 s. */
#define POLL_UNTIL(dev, cb, arg, cond)					\
	do {								\
		int i_;							\
		for (i_ = 0; i_ < 2000 && !(cond); i_++) {		\
			assert_true(nvsc_poll((dev), (cb), (arg), 0) >= 0); \
			if (!(cond)) {					\
				(void)nvsc_wait((dev), 1);		\
			}						\
		}							\
		assert_true(cond);					\
	} while (0)

static void
make_udp(uint8_t *f, uint32_t len, uint8_t tag)
{
	memset(f, 0, len);
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x00\x15\x5d\x01\x02\x03", 6);
	f[12] = 0x08;
	f[13] = 0x00;
	f[14] = 0x45;
	sn_put_be16(f + 16, (uint16_t)(len - 14));
	f[22] = 64;
	f[23] = 17;
	memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	sn_put_be16(f + 24, ofl_csum_ip4_hdr(f + 14, 20));
	sn_put_be16(f + 34, 1000);
	sn_put_be16(f + 36, 2000);
	sn_put_be16(f + 38, (uint16_t)(len - 34));
	f[42] = tag;
}

static unsigned int
count_ev(struct fake *f, const char *what)
{
	unsigned int i;
	unsigned int n = 0;

	for (i = 0; i < f->nev; i++) {
		n += strcmp(f->ev[i].what, what) == 0;
	}
	return n;
}

/* The full Linux sequence at NVSP 6.1, then data both ways, teardown. */
static void
test_device_lifecycle(void **state)
{
	struct fake *f = fake_new();
	struct nvsc_xport x = fake_xport(f);
	struct nvsc_dev *dev = NULL;
	struct nvsc_stats st;
	struct nvsc_info info;
	struct rxlog rl;
	struct nvsc_txbuf tb[10];
	struct nvsc_txmeta meta;
	uint8_t frames[10][128];
	unsigned int i;
	unsigned int k = 0;
	int err = 0;

	(void)state;
	assert_int_equal(nvsc_dev_attach_xport(&x, NULL, &dev), 0);
	assert_non_null(dev);

	pthread_mutex_lock(&f->mu);
	assert_memory_equal(ev_at(f, k++, "INIT",
				  NVSP_PROTOCOL_VERSION_61)->raw, v_init_61,
			    40);
	assert_memory_equal(ev_at(f, k++, "NDIS_CONFIG", 1514)->raw,
			    v_ndis_config_61, 40);
	assert_memory_equal(ev_at(f, k++, "NDIS_VER", 6)->raw, v_ndis_ver_630,
			    40);
	assert_memory_equal(ev_at(f, k++, "RECV_BUF", 0xe1e10)->raw,
			    v_send_recv_buf, 40);
	assert_memory_equal(ev_at(f, k++, "SEND_BUF", 0xe1e11)->raw,
			    v_send_send_buf, 40);
	assert_memory_equal(ev_at(f, k++, "RNDIS_INIT", 1)->raw, v_rndis_init,
			    24);
	assert_memory_equal(ev_at(f, k++, "QUERY",
				  RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE)->raw,
			    v_query_mfs, 28);
	ev_at(f, k++, "QUERY", RNDIS_OID_802_3_PERMANENT_ADDRESS);
	ev_at(f, k++, "QUERY", RNDIS_OID_GEN_FRIENDLY_NAME);
	assert_int_equal(ev_at(f, k++, "QUERY",
			       RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES)
			 ->rawlen, 28 + 156);
	assert_int_equal(ev_at(f, k++, "SET",
			       RNDIS_OID_TCP_OFFLOAD_PARAMETERS)->rawlen,
			 28 + 28);
	ev_at(f, k++, "QUERY", RNDIS_OID_GEN_MEDIA_CONNECT_STATUS);
	ev_at(f, k++, "QUERY", RNDIS_OID_GEN_LINK_SPEED);
	ev_at(f, k++, "QUERY", RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES);
	assert_int_equal(ev_at(f, k, "SET",
			       RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS)->b,
			 0x00280289);	/* header {0x89, 2, 40} */
	assert_int_equal(sn_get_le16(f->ev[k++].raw + 32), 0x10);
	ev_at(f, k, "SET", RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS);
	assert_int_equal(sn_get_le16(f->ev[k++].raw + 32), 0);
	assert_int_equal(f->nev, k);
	/* Request ids count up from 1 (atomic_inc_return). */
	assert_int_equal(sn_get_le32(f->ev[15].raw + 8), 11);
	pthread_mutex_unlock(&f->mu);

	nvsc_dev_info(dev, &info);
	assert_int_equal(info.nvsp_ver, NVSP_PROTOCOL_VERSION_61);
	assert_int_equal(info.ndis_ver, NVSP_NDIS_VERSION_6_30);
	assert_memory_equal(info.mac, "\x00\x15\x5d\x01\x02\x03", 6);
	assert_int_equal(info.mtu, 1500);
	assert_int_equal(info.host_max_frame, 1500);
	assert_true(info.link_up);
	assert_int_equal(info.link_speed, 100000000);
	assert_string_equal(info.friendly_name, "synth0");
	assert_int_equal(info.recv_sub_size, HOST_SUB);
	assert_int_equal(info.recv_sub_count, (16u << 20) / HOST_SUB);
	assert_int_equal(info.send_sec_size, HOST_SEC);
	assert_int_equal(info.send_sec_count, 170);
	assert_int_equal(info.rndis_max_pkt, 8);
	assert_int_equal(info.rndis_align, 8);
	assert_int_equal(info.gso_max, 62780);
	assert_int_equal(info.rss_queues, 8);
	assert_int_equal(info.rss_entries, 128);
	assert_int_equal(info.rss_status, 0);

	/* open: SET CURRENT_PACKET_FILTER 0x0d, req 12 */
	assert_int_equal(nvsc_dev_open(dev), 0);
	pthread_mutex_lock(&f->mu);
	assert_int_equal(ev_at(f, k, "SET",
			       RNDIS_OID_GEN_CURRENT_PACKET_FILTER)->b, 0x0d);
	assert_int_equal(sn_get_le32(f->ev[k++].raw + 8), 12);
	pthread_mutex_unlock(&f->mu);

	/* TX: one frame into a section, with a VLAN PPI. */
	make_udp(frames[0], 60, 0x42);
	meta.flags = NVSC_TX_VLAN;
	meta.vlan_tci = (5u << 13) | 100;
	meta.mss = 0;
	assert_int_equal(nvsc_tx(dev, frames[0], 60, &meta), 0);
	POLL_UNTIL(dev, NULL, NULL, nvsc_tx_inflight(dev) == 0);
	pthread_mutex_lock(&f->mu);
	assert_int_equal(f->nfr, 1);
	assert_int_equal(f->fr[0].len, 60);
	assert_memory_equal(f->fr[0].data, frames[0], 60);
	assert_false(f->fr[0].gpa);
	assert_int_equal(f->fr[0].ppi.present, RNDIS_PPIF_VLAN);
	assert_int_equal(rndis_vlan_info_to_tci(f->fr[0].ppi.vlan),
			 (5u << 13) | 100);
	pthread_mutex_unlock(&f->mu);

	/* TX checksum offload: UDP, checksum PPI and pseudo-header seed. */
	make_udp(frames[1], 80, 0x43);
	meta.flags = NVSC_TX_CSUM;
	assert_int_equal(nvsc_tx(dev, frames[1], 80, &meta), 0);
	POLL_UNTIL(dev, NULL, NULL, nvsc_tx_inflight(dev) == 0);
	pthread_mutex_lock(&f->mu);
	assert_int_equal(f->nfr, 2);
	assert_int_equal(f->fr[1].ppi.present, RNDIS_PPIF_CSUM);
	assert_int_equal(f->fr[1].ppi.csum,
			 rndis_csum_tx_make(RNDIS_TXCSUM_IPV4 |
					    RNDIS_TXCSUM_UDP, 34));
	{
		/* seed = folded, uncomplemented pseudo-header sum */
		uint32_t s = ofl_csum_pseudo4(frames[1] + 26, frames[1] + 30,
					      17, 80 - 34);

		assert_int_equal(sn_get_be16(f->fr[1].data + 40),
				 (uint16_t)~ofl_csum_fold(s));
	}
	pthread_mutex_unlock(&f->mu);

	/* TX burst: 10 frames batched, at most 8 per section. */
	for (i = 0; i < 10; i++) {
		make_udp(frames[i], 64 + i, (uint8_t)i);
		tb[i].data = frames[i];
		tb[i].len = 64 + i;
		tb[i].meta = NULL;
	}
	assert_int_equal(nvsc_tx_burst(dev, tb, 10, &err), 10);
	POLL_UNTIL(dev, NULL, NULL, nvsc_tx_inflight(dev) == 0);
	pthread_mutex_lock(&f->mu);
	assert_int_equal(f->nfr, 12);
	for (i = 0; i < 10; i++) {
		assert_int_equal(f->fr[2 + i].len, 64 + i);
		assert_memory_equal(f->fr[2 + i].data, frames[i], 64 + i);
	}
	assert_int_equal(f->fr[2].in_section, 8);
	assert_int_equal(f->fr[11].in_section, 2);
	pthread_mutex_unlock(&f->mu);

	/* Too large without LSO. */
	assert_int_equal(nvsc_tx(dev, f->fr[0].data, 1519, NULL), -EMSGSIZE);
	/* LSO on UDP is refused. */
	meta.flags = NVSC_TX_LSO;
	meta.mss = 1448;
	assert_int_equal(nvsc_tx(dev, frames[0], 64, &meta), -EINVAL);

	/* RX: three frames (one tagged) in one transfer packet. */
	memset(&rl, 0, sizeof(rl));
	pthread_mutex_lock(&f->mu);
	for (i = 0; i < 3; i++) {
		make_udp(f->inj[i].data, 100 + i, (uint8_t)(0x50 + i));
		f->inj[i].len = 100 + i;
	}
	f->inj[1].has_vlan = true;
	f->inj[1].vlan = 7;
	f->ninj = 3;
	pthread_mutex_unlock(&f->mu);
	POLL_UNTIL(dev, rx_cb, &rl, rl.n == 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rl.len[i], 100 + i);
		assert_int_equal(rl.first[i], 0x45);
	}
	assert_int_equal(rl.meta[0].flags, 0);
	assert_int_equal(rl.meta[1].flags, NVSC_RX_VLAN);
	assert_int_equal(rl.meta[1].vlan_tci, 7);
	/* The RX completion reaches the host, status SUCCESS. */
	for (i = 0; i < 1000; i++) {
		unsigned int c;

		pthread_mutex_lock(&f->mu);
		c = f->rx_comps;
		pthread_mutex_unlock(&f->mu);
		if (c >= 13) {
			break;
		}
		usleep(1000);
	}
	pthread_mutex_lock(&f->mu);
	/* 12 control answers (the filter included) + 1 data packet. */
	assert_int_equal(f->rx_comps, 13);
	assert_int_equal(f->rx_comp_fail, 0);
	pthread_mutex_unlock(&f->mu);

	/* Link down indication. */
	pthread_mutex_lock(&f->mu);
	memset(&f->inj[0], 0, sizeof(f->inj[0]));
	f->inj[0].status = RNDIS_STATUS_MEDIA_DISCONNECT;
	f->ninj = 1;
	pthread_mutex_unlock(&f->mu);
	POLL_UNTIL(dev, rx_cb, &rl, !nvsc_dev_link_up(dev));

	/* Malformed: a foreign page set gets no completion (Linux). */
	nvsc_dev_stats(dev, &st);
	pthread_mutex_lock(&f->mu);
	make_udp(f->inj[0].data, 70, 1);
	f->inj[0].len = 70;
	f->inj[0].pageset = 0x1234;
	f->ninj = 1;
	pthread_mutex_unlock(&f->mu);
	POLL_UNTIL(dev, rx_cb, &rl, (nvsc_dev_stats(dev, &st),
				     st.rx_drop_pageset == 1));
	/* A range outside the receive buffer: completion with FAIL. */
	pthread_mutex_lock(&f->mu);
	f->inj[0].pageset = 0;
	f->inj[0].bad_range = true;
	f->ninj = 1;
	pthread_mutex_unlock(&f->mu);
	POLL_UNTIL(dev, rx_cb, &rl, (nvsc_dev_stats(dev, &st),
				     st.rx_drop_range == 1));
	assert_int_equal(rl.n, 3);

	/* close: filter 0; detach: HALT, revokes, close, GPADLs. */
	assert_int_equal(nvsc_dev_close(dev), 0);
	assert_int_equal(nvsc_dev_detach(dev), 0);
	ev_at(f, k++, "SET", RNDIS_OID_GEN_CURRENT_PACKET_FILTER);
	assert_int_equal(f->ev[k - 1].b, 0);
	/* close used req 13; HALT skips one (rndis_filter_halt_device()). */
	assert_memory_equal(ev_at(f, k++, "HALT", 15)->raw, "\x03\0\0\0\x0c",
			    5);
	assert_memory_equal(ev_at(f, k++, "REVOKE_RECV", 0xcafe)->raw,
			    v_revoke_recv, 40);
	assert_memory_equal(ev_at(f, k++, "REVOKE_SEND", 0)->raw,
			    v_revoke_send, 40);
	assert_int_equal(f->nev, k);
	assert_int_equal(f->rx_comp_fail, 1);
	assert_int_equal(f->closes, 1);
	assert_int_equal(f->teardowns, 2);
	assert_int_equal(f->allocs, f->frees);
	fake_free(f);
}

/* Version fallback to NVSP 4: caps, NDIS 6.1, sizes, no v5 queries. */
static void
test_version_fallback(void **state)
{
	struct fake *f = fake_new();
	struct nvsc_xport x = fake_xport(f);
	struct nvsc_dev *dev = NULL;
	struct nvsc_info info;
	unsigned int k = 0;

	(void)state;
	f->accept_ver = NVSP_PROTOCOL_VERSION_4;
	f->max_frame = 1400;
	assert_int_equal(nvsc_dev_attach_xport(&x, NULL, &dev), 0);
	ev_at(f, k++, "INIT", NVSP_PROTOCOL_VERSION_61);
	ev_at(f, k++, "INIT", NVSP_PROTOCOL_VERSION_6);
	ev_at(f, k++, "INIT", NVSP_PROTOCOL_VERSION_5);
	ev_at(f, k++, "INIT", NVSP_PROTOCOL_VERSION_4);
	assert_memory_equal(ev_at(f, k++, "NDIS_CONFIG", 1514)->raw,
			    v_ndis_config_4, 40);
	assert_memory_equal(ev_at(f, k++, "NDIS_VER", 6)->raw, v_ndis_ver_61,
			    40);
	ev_at(f, k++, "RECV_BUF", 0xe1e10);
	ev_at(f, k++, "SEND_BUF", 0xe1e11);
	ev_at(f, k++, "RNDIS_INIT", 1);
	ev_at(f, k++, "QUERY", RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE);
	ev_at(f, k++, "QUERY", RNDIS_OID_802_3_PERMANENT_ADDRESS);
	ev_at(f, k++, "QUERY", RNDIS_OID_GEN_FRIENDLY_NAME);
	assert_int_equal(ev_at(f, k++, "QUERY",
			       RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES)
			 ->rawlen, 28 + 144);
	assert_int_equal(ev_at(f, k++, "SET",
			       RNDIS_OID_TCP_OFFLOAD_PARAMETERS)->rawlen,
			 28 + 22);
	ev_at(f, k++, "QUERY", RNDIS_OID_GEN_MEDIA_CONNECT_STATUS);
	assert_int_equal(f->nev, k);
	nvsc_dev_info(dev, &info);
	assert_int_equal(info.nvsp_ver, NVSP_PROTOCOL_VERSION_4);
	assert_int_equal(info.mtu, 1400);	/* clamped by the host */
	assert_int_equal(info.rss_queues, 0);
	assert_int_equal(nvsc_dev_detach(dev), 0);
	assert_int_equal(f->allocs, f->frees);
	assert_int_equal(f->teardowns, 2);
	fake_free(f);
}

/* NVSP 2: 15 MiB receive buffer; jumbo frames go GPA-direct. */
static void
test_v2_and_bounce(void **state)
{
	struct fake *f = fake_new();
	struct nvsc_xport x = fake_xport(f);
	struct nvsc_cfg cfg;
	struct nvsc_dev *dev = NULL;
	struct nvsc_info info;
	struct nvsc_stats st;
	static uint8_t jumbo[9014];

	(void)state;
	f->accept_ver = NVSP_PROTOCOL_VERSION_2;
	f->max_frame = 9000;
	memset(&cfg, 0, sizeof(cfg));
	cfg.mtu = 9000;
	assert_int_equal(nvsc_dev_attach_xport(&x, &cfg, &dev), 0);
	nvsc_dev_info(dev, &info);
	assert_int_equal(info.mtu, 9000);
	assert_int_equal(info.recv_sub_count, (15u << 20) / HOST_SUB);
	ev_at(f, 5, "NDIS_CONFIG", 9014);	/* mtu + 14, after 5 INITs */
	make_udp(jumbo, sizeof(jumbo), 0x77);
	assert_int_equal(nvsc_dev_open(dev), 0);
	assert_int_equal(nvsc_tx(dev, jumbo, sizeof(jumbo), NULL), 0);
	POLL_UNTIL(dev, NULL, NULL, nvsc_tx_inflight(dev) == 0);
	pthread_mutex_lock(&f->mu);
	assert_int_equal(f->nfr, 1);
	assert_true(f->fr[0].gpa);
	assert_int_equal(f->fr[0].len, sizeof(jumbo));
	assert_memory_equal(f->fr[0].data, jumbo, sizeof(jumbo));
	pthread_mutex_unlock(&f->mu);
	nvsc_dev_stats(dev, &st);
	assert_int_equal(st.tx_gpa, 1);
	/* 7 control packets at v2, the filter, the jumbo frame. */
	assert_int_equal(st.tx_comp, 9);
	assert_int_equal(nvsc_dev_detach(dev), 0);
	assert_int_equal(f->allocs, f->frees);
	fake_free(f);
}

/* A host that never answers: attach times out and releases everything. */
static void
test_init_timeout(void **state)
{
	struct fake *f = fake_new();
	struct nvsc_xport x = fake_xport(f);
	struct nvsc_cfg cfg;
	struct nvsc_dev *dev = (struct nvsc_dev *)&cfg;
	struct timespec a;
	struct timespec b;
	long ms;

	(void)state;
	f->mute = true;
	memset(&cfg, 0, sizeof(cfg));
	cfg.timeout_ms = 200;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(nvsc_dev_attach_xport(&x, &cfg, &dev), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 190 && ms < 2000);
	assert_null(dev);
	assert_int_equal(f->closes, 1);
	assert_int_equal(f->allocs, f->frees);
	assert_int_equal(count_ev(f, "MUTED"), 1);
	fake_free(f);
}

/* TCP/IPv4 frame of len bytes, checksums left as they are (0). */
static void
make_tcp(uint8_t *f, uint32_t len)
{
	uint32_t i;

	memset(f, 0, len);
	memcpy(f, "\x00\x15\x5d\x09\x09\x09", 6);
	memcpy(f + 6, "\x00\x15\x5d\x01\x02\x03", 6);
	f[12] = 0x08;
	f[14] = 0x45;
	sn_put_be16(f + 16, (uint16_t)(len - 14));
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	sn_put_be16(f + 24, ofl_csum_ip4_hdr(f + 14, 20));
	sn_put_be16(f + 34, 40000);
	sn_put_be16(f + 36, 80);
	f[46] = 0x50;		/* data offset 5 */
	f[47] = 0x18;		/* PSH ACK */
	for (i = 54; i < len; i++) {
		f[i] = (uint8_t)i;
	}
}

static struct nvsc_dev *
attach_open(struct fake *f)
{
	struct nvsc_xport x = fake_xport(f);
	struct nvsc_dev *dev = NULL;

	assert_int_equal(nvsc_dev_attach_xport(&x, NULL, &dev), 0);
	assert_int_equal(nvsc_dev_open(dev), 0);
	/* The last control packet's completion follows its answer. */
	POLL_UNTIL(dev, NULL, NULL, nvsc_tx_inflight(dev) == 0);
	return dev;
}

static void
finish(struct fake *f, struct nvsc_dev *dev)
{
	assert_int_equal(nvsc_dev_detach(dev), 0);
	assert_int_equal(f->allocs, f->frees);
	fake_free(f);
}

/* LSO as netvsc_xmit() prepares it. */
static void
test_tx_lso(void **state)
{
	struct fake *f = fake_new();
	struct nvsc_dev *dev = attach_open(f);
	struct nvsc_txmeta m = { .flags = NVSC_TX_LSO, .mss = 1448 };
	static uint8_t fr[3014];
	const struct frame *got;

	(void)state;
	make_tcp(fr, sizeof(fr));
	assert_int_equal(nvsc_tx(dev, fr, sizeof(fr), &m), 0);
	POLL_UNTIL(dev, NULL, NULL, nvsc_tx_inflight(dev) == 0);
	pthread_mutex_lock(&f->mu);
	assert_int_equal(f->nfr, 1);
	got = &f->fr[0];
	assert_int_equal(got->len, sizeof(fr));
	assert_int_equal(got->ppi.present, RNDIS_PPIF_LSO);
	assert_int_equal(got->ppi.lso, rndis_lso_v2_make(1448, 34, false));
	assert_int_equal(sn_get_be16(got->data + 16), 0);	/* tot_len */
	assert_int_equal(sn_get_be16(got->data + 24), 0);	/* IP csum */
	assert_int_equal(sn_get_be16(got->data + 50),
			 (uint16_t)~ofl_csum_fold(ofl_csum_pseudo4(fr + 26,
								   fr + 30,
								   6, 0)));
	assert_memory_equal(got->data + 54, fr + 54, sizeof(fr) - 54);
	pthread_mutex_unlock(&f->mu);
	/* Larger than the host's LSO limit (62780). */
	assert_int_equal(nvsc_tx(dev, fr, 62781, &m), -EMSGSIZE);
	finish(f, dev);
}

/* No checksum offload granted: the library checksums in software. */
static void
test_tx_sw_csum(void **state)
{
	struct fake *f = fake_new();
	struct nvsc_dev *dev;
	struct nvsc_txmeta m = { .flags = NVSC_TX_CSUM };
	struct nvsc_info info;
	struct nvsc_stats st;
	struct ofl_csum_verdict v;
	struct ofl_pkt pk;
	uint8_t fr[200];

	(void)state;
	f->no_offload = true;
	dev = attach_open(f);
	nvsc_dev_info(dev, &info);
	assert_int_equal(info.offloads, 0);
	make_tcp(fr, sizeof(fr));
	assert_int_equal(nvsc_tx(dev, fr, sizeof(fr), &m), 0);
	/* LSO was not granted either. */
	m.flags = NVSC_TX_LSO;
	m.mss = 100;
	assert_int_equal(nvsc_tx(dev, fr, sizeof(fr), &m), -EINVAL);
	POLL_UNTIL(dev, NULL, NULL, nvsc_tx_inflight(dev) == 0);
	pthread_mutex_lock(&f->mu);
	assert_int_equal(f->nfr, 1);
	assert_int_equal(f->fr[0].ppi.present, 0);
	assert_int_equal(ofl_parse(f->fr[0].data, f->fr[0].len, &pk), 0);
	assert_int_equal(ofl_csum_verify(f->fr[0].data, f->fr[0].len, &pk,
					 &v), 0);
	assert_int_equal(v.l4, OFL_CSUM_GOOD);
	pthread_mutex_unlock(&f->mu);
	nvsc_dev_stats(dev, &st);
	assert_int_equal(st.tx_sw_csum, 1);
	assert_int_equal(st.tx_bad_meta, 1);
	finish(f, dev);
}

/* RSC fragments (RNDIS_PKTINFO_ID) are delivered as one frame. */
static void
test_rx_rsc(void **state)
{
	struct fake *f = fake_new();
	struct nvsc_dev *dev = attach_open(f);
	struct nvsc_stats st;
	struct rxlog rl;
	unsigned int i;

	(void)state;
	memset(&rl, 0, sizeof(rl));
	pthread_mutex_lock(&f->mu);
	memset(f->inj, 0, sizeof(f->inj));
	make_udp(f->inj[0].data, 100, 0x61);
	f->inj[0].len = 100;
	for (i = 1; i < 3; i++) {
		memset(f->inj[i].data, 0x70 + i, 50);
		f->inj[i].len = 50;
	}
	f->inj[0].rsc_flags = RNDIS_PKTINFO_SUBALLOC | RNDIS_PKTINFO_1ST_FRAG;
	f->inj[1].rsc_flags = RNDIS_PKTINFO_SUBALLOC;
	f->inj[2].rsc_flags = RNDIS_PKTINFO_SUBALLOC |
			      RNDIS_PKTINFO_LAST_FRAG;
	f->inj[0].has_vlan = true;
	f->inj[0].vlan = 9;
	/* A fragment that wants more but ends the packet: dropped. */
	make_udp(f->inj[3].data, 60, 0x62);
	f->inj[3].len = 60;
	f->inj[3].rsc_flags = RNDIS_PKTINFO_SUBALLOC | RNDIS_PKTINFO_1ST_FRAG;
	f->ninj = 4;
	pthread_mutex_unlock(&f->mu);
	POLL_UNTIL(dev, rx_cb, &rl, (nvsc_dev_stats(dev, &st),
				     st.rx_drop_rsc == 1));
	assert_int_equal(rl.n, 1);
	assert_int_equal(rl.len[0], 200);
	assert_int_equal(rl.first[0], 0x45);
	assert_int_equal(rl.meta[0].flags, NVSC_RX_RSC | NVSC_RX_VLAN);
	assert_int_equal(rl.meta[0].rsc_frags, 3);
	assert_int_equal(rl.meta[0].vlan_tci, 9);
	assert_int_equal(st.rx_rsc_frags, 3);
	finish(f, dev);
}

/* No completions: sections run out (-EAGAIN), then come back. */
static void
test_tx_backpressure(void **state)
{
	struct fake *f = fake_new();
	struct nvsc_dev *dev = attach_open(f);
	struct nvsc_stats st;
	uint8_t fr[64];
	unsigned int sent = 0;
	int rc = 0;

	(void)state;
	make_udp(fr, sizeof(fr), 1);
	pthread_mutex_lock(&f->mu);
	f->hold = true;
	pthread_mutex_unlock(&f->mu);
	while (sent < 300) {
		rc = nvsc_tx(dev, fr, sizeof(fr), NULL);
		if (rc != 0) {
			break;
		}
		sent++;
	}
	assert_int_equal(rc, -EAGAIN);
	assert_int_equal(sent, 170);
	assert_int_equal(nvsc_tx_inflight(dev), 170);
	nvsc_dev_stats(dev, &st);
	assert_int_equal(st.tx_busy_section, 1);
	pthread_mutex_lock(&f->mu);
	f->hold = false;
	f->bogus_comp = true;
	pthread_mutex_unlock(&f->mu);
	POLL_UNTIL(dev, NULL, NULL, nvsc_tx_inflight(dev) == 0);
	POLL_UNTIL(dev, NULL, NULL, (nvsc_dev_stats(dev, &st),
				     st.comp_unknown == 1));
	assert_int_equal(nvsc_tx(dev, fr, sizeof(fr), NULL), 0);
	POLL_UNTIL(dev, NULL, NULL, nvsc_tx_inflight(dev) == 0);
	pthread_mutex_lock(&f->mu);
	assert_int_equal(f->nfr, 171);
	pthread_mutex_unlock(&f->mu);
	finish(f, dev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nvsp_vectors),
		cmocka_unit_test(test_rndis_vectors),
		cmocka_unit_test(test_offload_choose),
		cmocka_unit_test(test_buf_checks),
		cmocka_unit_test(test_device_lifecycle),
		cmocka_unit_test(test_version_fallback),
		cmocka_unit_test(test_v2_and_bounce),
		cmocka_unit_test(test_init_timeout),
		cmocka_unit_test(test_tx_lso),
		cmocka_unit_test(test_tx_sw_csum),
		cmocka_unit_test(test_rx_rsc),
		cmocka_unit_test(test_tx_backpressure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
