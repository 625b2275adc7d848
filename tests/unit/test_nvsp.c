/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_nvsp.c - unit tests for the NVSP codec (netvsp/nvsp.c).
 *
 * Vectors are byte-exact NVSP payloads (what sits after the VMBus packet
 * header).  Each one says where it comes from.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "nvsp.h"

/* --- vectors a Linux guest sends --- */

/*
 * INIT for NVSP 6.1: drivers/net/hyperv/netvsc.c negotiate_nvsp_ver()
 * memsets the 40-byte struct nvsp_message, sets min = max = version and
 * sends sizeof(struct nvsp_message).
 */
static const uint8_t vec_linux_init_61[40] = {
	0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00,
	0x01, 0x00, 0x06, 0x00,
};

/*
 * SEND_NDIS_CONFIG at NVSP 6.1, MTU 1500: negotiate_nvsp_ver() sets
 * mtu = ndev->mtu + ETH_HLEN = 1514 (0x5ea), ieee8021q (always),
 * sriov + teaming (>= v5), rsc (>= v6.1): 0x08|0x04|0x20|0x80 = 0xac.
 */
static const uint8_t vec_linux_ndis_config_61[40] = {
	0x7d, 0x00, 0x00, 0x00, 0xea, 0x05, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xac, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

/*
 * SEND_NDIS_VER: netvsc.c netvsc_connect_vsp() sends NDIS 6.30
 * (0x0006001e split into major 6, minor 0x1e) when NVSP > 4.
 */
static const uint8_t vec_linux_ndis_ver_630[40] = {
	0x64, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
	0x1e, 0x00, 0x00, 0x00,
};

/*
 * SEND_RECV_BUF: netvsc.c netvsc_init_buf(), id NETVSC_RECEIVE_BUFFER_ID
 * 0xcafe.  The GPADL handle is illustrative: Linux hands handles out from
 * a counter (drivers/hv/channel.c), 0x000e1e12 is a typical value.
 */
static const uint8_t vec_linux_send_recv_buf[40] = {
	0x65, 0x00, 0x00, 0x00, 0x12, 0x1e, 0x0e, 0x00,
	0xfe, 0xca,
};

/* SEND_SEND_BUF: netvsc_init_buf(), id NETVSC_SEND_BUFFER_ID 0. */
static const uint8_t vec_linux_send_send_buf[40] = {
	0x68, 0x00, 0x00, 0x00, 0x13, 0x1e, 0x0e, 0x00,
	0x00, 0x00,
};

/*
 * SEND_RNDIS_PKT control message (RNDIS INITIALIZE/QUERY/SET): netvsc.c
 * netvsc_send_pkt() with skb == NULL -> channel_type 1, send_buf_index
 * NETVSC_INVALID_INDEX -> section size 0; the RNDIS message rides in
 * GPA-direct pages.  Linux builds this nvsp_message on the stack without
 * clearing it, so bytes 16..39 are whatever was there: shown as 0xa5 to
 * check the decoder ignores them.
 */
static const uint8_t vec_linux_rndis_ctrl[40] = {
	0x6b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
};

/*
 * SEND_RNDIS_PKT data frame too big for a send section: netvsc_send_pkt()
 * with an skb -> channel_type 0, index NETVSC_INVALID_INDEX, size 0.
 * (Padding shown as zero.)
 */
static const uint8_t vec_linux_rndis_data_gpa[40] = {
	0x6b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff,
};

/*
 * RX completion: netvsc.c send_recv_completions() sends a packed
 * {u32 msg_type = 108; u32 status} -- only 8 bytes -- in a VM_PKT_COMP.
 */
static const uint8_t vec_linux_rx_comp[8] = {
	0x6c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
};

/*
 * SUBCHANNEL allocate 4: rndis_filter.c rndis_set_subchannel() memsets
 * the 40-byte message, op NVSP_SUBCHANNEL_ALLOCATE, num_subchannels =
 * num_chn - 1 (5 channels -> 4).
 */
static const uint8_t vec_linux_subchan_alloc4[40] = {
	0x85, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x04, 0x00, 0x00, 0x00,
};

/* REVOKE_RECV_BUF: netvsc.c netvsc_revoke_recv_buf(), 40 bytes. */
static const uint8_t vec_linux_revoke_recv[40] = {
	0x67, 0x00, 0x00, 0x00, 0xfe, 0xca,
};

/* SWITCH_DATA_PATH to VF: netvsc.c netvsc_switch_datapath(vf = true). */
static const uint8_t vec_linux_switch_vf[40] = {
	0x81, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
};

/* --- vectors a host sends --- */

/*
 * INIT_COMPLETE success, v6.1 size: layout from OpenVMM protocol.rs
 * MessageInitComplete {deprecated, maximum_mdl_chain_length, status};
 * deprecated and chain length are 0 (what our host sends), status
 * SUCCESS, padded to 40.
 */
static const uint8_t vec_host_init_comp[40] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
};

/*
 * SEND_RECV_BUF_COMPLETE, one section for a 16 MiB Linux receive buffer:
 * layout from OpenVMM protocol.rs Message1SendReceiveBufferComplete; slot
 * size 256 + 1514 + 36 = 1806 (0x70e, OpenVMM formula, wire-facts 8),
 * 16777216 / 1806 = 9289 slots (0x2449), end 9289 * 1806 = 0xfffafe.
 */
static const uint8_t vec_host_recv_buf_comp[40] = {
	0x66, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x0e, 0x07, 0x00, 0x00, 0x49, 0x24, 0x00, 0x00,
	0xfe, 0xfa, 0xff, 0x00,
};

/* SEND_SEND_BUF_COMPLETE, section 6144 (0x1800) as OpenVMM chooses. */
static const uint8_t vec_host_send_buf_comp[40] = {
	0x69, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x18, 0x00, 0x00,
};

/*
 * SEND_INDIRECTION_TABLE as OpenVMM lib.rs sends it: count 16, offset
 * 4 + 8 = 12 (table right after the fixed fields, no padding), entries
 * i % num_channels_opened; here 4 channels.  76 bytes.
 */
static const uint8_t vec_host_send_table[76] = {
	0x86, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
	0x0c, 0x00, 0x00, 0x00,
	0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0,
	0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0,
	0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0,
	0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0,
};

/*
 * SEND_RNDIS_PKT host to guest (RX control reply): OpenVMM lib.rs
 * try_send_rndis_message(): channel_type CONTROL, index 0xffffffff,
 * size 0, padded to 40 at v6.1.
 */
static const uint8_t vec_host_rndis_ctrl[40] = {
	0x6b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff,
};

/* SUBCHANNEL completion: status SUCCESS, 4 allocated (same type 133). */
static const uint8_t vec_host_subchan_comp[40] = {
	0x85, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x04, 0x00, 0x00, 0x00,
};

/* Encode m with min_size and compare to want exactly. */
static void
expect_encode(const struct nvsp_msg *m, size_t min_size,
	      const uint8_t *want, size_t want_len)
{
	uint8_t buf[256];
	int n;

	memset(buf, 0x5a, sizeof(buf));
	n = nvsp_encode(m, buf, sizeof(buf), min_size);
	assert_int_equal(n, (int)want_len);
	assert_memory_equal(buf, want, want_len);
	/* Nothing written past the returned length. */
	assert_int_equal(buf[want_len], 0x5a);
}

/* --- guest vectors: decode and re-encode --- */

static void
test_linux_init_61(void **state)
{
	struct nvsp_msg m;

	(void)state;
	assert_int_equal(nvsp_decode(vec_linux_init_61,
				     sizeof(vec_linux_init_61), &m), 0);
	assert_int_equal(m.type, NVSP_MSG_TYPE_INIT);
	assert_int_equal(m.init.min_ver, NVSP_PROTOCOL_VERSION_61);
	assert_int_equal(m.init.max_ver, NVSP_PROTOCOL_VERSION_61);
	expect_encode(&m, nvsp_msg_size(NVSP_PROTOCOL_VERSION_61),
		      vec_linux_init_61, sizeof(vec_linux_init_61));
}

static void
test_linux_ndis_config_61(void **state)
{
	struct nvsp_msg m;

	(void)state;
	assert_int_equal(nvsp_decode(vec_linux_ndis_config_61,
				     sizeof(vec_linux_ndis_config_61), &m), 0);
	assert_int_equal(m.type, NVSP_MSG2_TYPE_SEND_NDIS_CONFIG);
	assert_int_equal(m.ndis_config.mtu, 1514);
	assert_true(m.ndis_config.capabilities ==
		    (NVSP_NDIS_CAP_IEEE8021Q | NVSP_NDIS_CAP_SRIOV |
		     NVSP_NDIS_CAP_TEAMING | NVSP_NDIS_CAP_RSC));
	assert_true(m.ndis_config.capabilities == 0xac);

	/* Build it the way Linux does and compare bytes. */
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG2_TYPE_SEND_NDIS_CONFIG;
	m.ndis_config.mtu = 1500 + 14;
	m.ndis_config.capabilities = NVSP_NDIS_CAP_IEEE8021Q |
		NVSP_NDIS_CAP_SRIOV | NVSP_NDIS_CAP_TEAMING |
		NVSP_NDIS_CAP_RSC;
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_linux_ndis_config_61,
		      sizeof(vec_linux_ndis_config_61));
}

static void
test_linux_ndis_ver(void **state)
{
	struct nvsp_msg m;

	(void)state;
	assert_int_equal(nvsp_decode(vec_linux_ndis_ver_630,
				     sizeof(vec_linux_ndis_ver_630), &m), 0);
	assert_int_equal(m.type, NVSP_MSG1_TYPE_SEND_NDIS_VER);
	assert_int_equal(m.ndis_ver.major,
			 NVSP_NDIS_VERSION_MAJOR(NVSP_NDIS_VERSION_6_30));
	assert_int_equal(m.ndis_ver.minor, 30);
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_linux_ndis_ver_630,
		      sizeof(vec_linux_ndis_ver_630));
}

static void
test_linux_send_bufs(void **state)
{
	struct nvsp_msg m;

	(void)state;
	assert_int_equal(nvsp_decode(vec_linux_send_recv_buf,
				     sizeof(vec_linux_send_recv_buf), &m), 0);
	assert_int_equal(m.type, NVSP_MSG1_TYPE_SEND_RECV_BUF);
	assert_int_equal(m.recv_buf.gpadl, 0x000e1e12);
	assert_int_equal(m.recv_buf.id, NVSP_RECV_BUF_ID);
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_linux_send_recv_buf,
		      sizeof(vec_linux_send_recv_buf));

	assert_int_equal(nvsp_decode(vec_linux_send_send_buf,
				     sizeof(vec_linux_send_send_buf), &m), 0);
	assert_int_equal(m.type, NVSP_MSG1_TYPE_SEND_SEND_BUF);
	assert_int_equal(m.send_buf.gpadl, 0x000e1e13);
	assert_int_equal(m.send_buf.id, NVSP_SEND_BUF_ID);
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_linux_send_send_buf,
		      sizeof(vec_linux_send_send_buf));

	assert_int_equal(nvsp_decode(vec_linux_revoke_recv,
				     sizeof(vec_linux_revoke_recv), &m), 0);
	assert_int_equal(m.type, NVSP_MSG1_TYPE_REVOKE_RECV_BUF);
	assert_int_equal(m.revoke_recv_buf.id, 0xcafe);
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_linux_revoke_recv,
		      sizeof(vec_linux_revoke_recv));
}

static void
test_linux_rndis_pkt(void **state)
{
	struct nvsp_msg m;
	uint8_t clean[40];

	(void)state;
	/* Garbage padding after byte 16 must not matter. */
	assert_int_equal(nvsp_decode(vec_linux_rndis_ctrl,
				     sizeof(vec_linux_rndis_ctrl), &m), 0);
	assert_int_equal(m.type, NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
	assert_int_equal(m.rndis_pkt.channel_type, NVSP_CHANNEL_TYPE_CONTROL);
	assert_int_equal(m.rndis_pkt.section_index, NVSP_SECTION_INDEX_NONE);
	assert_int_equal(m.rndis_pkt.section_size, 0);
	/* Re-encoding gives the same fields with zero padding. */
	memset(clean, 0, sizeof(clean));
	memcpy(clean, vec_linux_rndis_ctrl, 16);
	expect_encode(&m, NVSP_MSG_SIZE_V61, clean, sizeof(clean));

	assert_int_equal(nvsp_decode(vec_linux_rndis_data_gpa,
				     sizeof(vec_linux_rndis_data_gpa), &m), 0);
	assert_int_equal(m.rndis_pkt.channel_type, NVSP_CHANNEL_TYPE_DATA);
	assert_int_equal(m.rndis_pkt.section_index, 0xffffffffu);
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_linux_rndis_data_gpa,
		      sizeof(vec_linux_rndis_data_gpa));
}

static void
test_linux_rx_comp_8_bytes(void **state)
{
	struct nvsp_msg m;

	(void)state;
	assert_int_equal(nvsp_decode(vec_linux_rx_comp,
				     sizeof(vec_linux_rx_comp), &m), 0);
	assert_int_equal(m.type, NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE);
	assert_int_equal(m.rndis_pkt_comp.status, NVSP_STAT_SUCCESS);
	/* min_size 0 gives the bare 8-byte form Linux sends. */
	expect_encode(&m, 0, vec_linux_rx_comp, sizeof(vec_linux_rx_comp));
}

static void
test_linux_subchan_alloc(void **state)
{
	struct nvsp_msg m;

	(void)state;
	assert_int_equal(nvsp_decode(vec_linux_subchan_alloc4,
				     sizeof(vec_linux_subchan_alloc4), &m), 0);
	assert_int_equal(m.type, NVSP_MSG5_TYPE_SUBCHANNEL);
	assert_int_equal(m.subchan_req.op, NVSP_SUBCHANNEL_OP_ALLOCATE);
	assert_int_equal(m.subchan_req.num_subchannels, 4);
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_linux_subchan_alloc4,
		      sizeof(vec_linux_subchan_alloc4));
}

static void
test_linux_switch_dp(void **state)
{
	struct nvsp_msg m;

	(void)state;
	assert_int_equal(nvsp_decode(vec_linux_switch_vf,
				     sizeof(vec_linux_switch_vf), &m), 0);
	assert_int_equal(m.type, NVSP_MSG4_TYPE_SWITCH_DATA_PATH);
	assert_int_equal(m.switch_dp.active_datapath, NVSP_DATAPATH_VF);
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_linux_switch_vf,
		      sizeof(vec_linux_switch_vf));
}

/* --- host vectors: encode from scratch, then decode --- */

static void
test_host_init_comp(void **state)
{
	struct nvsp_msg m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG_TYPE_INIT_COMPLETE;
	m.init_comp.status = NVSP_STAT_SUCCESS;
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_host_init_comp,
		      sizeof(vec_host_init_comp));
	/* At v6 and below the same message is 28 bytes. */
	expect_encode(&m, nvsp_msg_size(NVSP_PROTOCOL_VERSION_6),
		      vec_host_init_comp, NVSP_MSG_SIZE_V1);

	memset(&m, 0xff, sizeof(m));
	assert_int_equal(nvsp_decode(vec_host_init_comp,
				     sizeof(vec_host_init_comp), &m), 0);
	assert_int_equal(m.type, NVSP_MSG_TYPE_INIT_COMPLETE);
	assert_int_equal(m.init_comp.negotiated_ver, 0);
	assert_int_equal(m.init_comp.max_mdl_chain_len, 0);
	assert_int_equal(m.init_comp.status, NVSP_STAT_SUCCESS);
}

static void
test_host_recv_buf_comp(void **state)
{
	struct nvsp_msg m;
	const struct nvsp_rbuf_section *s;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE;
	m.recv_buf_comp.status = NVSP_STAT_SUCCESS;
	m.recv_buf_comp.num_sections = 1;
	m.recv_buf_comp.sections[0].offset = 0;
	m.recv_buf_comp.sections[0].sub_alloc_size = 256 + 1514 + 36;
	m.recv_buf_comp.sections[0].num_sub_allocs = (16u << 20) / 1806;
	m.recv_buf_comp.sections[0].end_offset = 9289u * 1806u;
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_host_recv_buf_comp,
		      sizeof(vec_host_recv_buf_comp));
	/* Natural length: 12 + 16, already the v1 size. */
	expect_encode(&m, 0, vec_host_recv_buf_comp, 28);

	assert_int_equal(nvsp_decode(vec_host_recv_buf_comp,
				     sizeof(vec_host_recv_buf_comp), &m), 0);
	assert_int_equal(m.recv_buf_comp.status, NVSP_STAT_SUCCESS);
	assert_int_equal(m.recv_buf_comp.num_sections, 1);
	s = nvsp_rbuf_section(&m, 0);
	assert_non_null(s);
	assert_int_equal(s->offset, 0);
	assert_int_equal(s->sub_alloc_size, 1806);
	assert_int_equal(s->num_sub_allocs, 9289);
	assert_int_equal(s->end_offset, 0x00fffafe);
	assert_null(nvsp_rbuf_section(&m, 1));
	/* Exactly 28 bytes is enough. */
	assert_int_equal(nvsp_decode(vec_host_recv_buf_comp, 28, &m), 0);
}

static void
test_host_send_buf_comp(void **state)
{
	struct nvsp_msg m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE;
	m.send_buf_comp.status = NVSP_STAT_SUCCESS;
	m.send_buf_comp.section_size = 6144;
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_host_send_buf_comp,
		      sizeof(vec_host_send_buf_comp));
	assert_int_equal(nvsp_decode(vec_host_send_buf_comp,
				     sizeof(vec_host_send_buf_comp), &m), 0);
	assert_int_equal(m.send_buf_comp.section_size, 6144);
}

static void
test_host_send_table(void **state)
{
	struct nvsp_msg m;
	uint32_t e;
	uint32_t i;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE;
	m.send_table.count = NVSP_SEND_TABLE_SIZE;
	m.send_table.offset = 0; /* default: 12 */
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++) {
		m.send_table.entries[i] = i % 4;
	}
	/* 76 > 40: padding does not apply, and stays below Linux's 104. */
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_host_send_table,
		      sizeof(vec_host_send_table));

	assert_int_equal(nvsp_decode(vec_host_send_table,
				     sizeof(vec_host_send_table), &m), 0);
	assert_int_equal(m.send_table.count, 16);
	assert_int_equal(m.send_table.offset, 12);
	for (i = 0; i < 16; i++) {
		assert_int_equal(nvsp_send_table_entry(&m, i, &e), 0);
		assert_int_equal(e, i % 4);
	}
	assert_int_equal(nvsp_send_table_entry(&m, 16, &e), -ERANGE);
	assert_int_equal(nvsp_send_table_entry(&m, 0, NULL), -EINVAL);
}

/*
 * Windows-host style: the table after a full 40-byte NVSP message (offset
 * 40, 104 bytes; see the Linux netvsc_send_table() host-bug comment).
 */
static void
test_host_send_table_offset40(void **state)
{
	uint8_t buf[104];
	struct nvsp_msg m;
	uint32_t e;
	uint32_t i;

	(void)state;
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x86;
	buf[4] = 16;
	buf[8] = 40;
	for (i = 0; i < 16; i++) {
		buf[40 + i * 4] = (uint8_t)(15 - i);
	}
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), 0);
	assert_int_equal(m.send_table.offset, 40);
	assert_int_equal(nvsp_send_table_entry(&m, 0, &e), 0);
	assert_int_equal(e, 15);
	assert_int_equal(nvsp_send_table_entry(&m, 15, &e), 0);
	assert_int_equal(e, 0);
	/* And the encoder reproduces it from offset 40. */
	expect_encode(&m, 0, buf, sizeof(buf));
}

static void
test_host_rndis_and_subchan_comp(void **state)
{
	struct nvsp_msg m;

	(void)state;
	assert_int_equal(nvsp_decode(vec_host_rndis_ctrl,
				     sizeof(vec_host_rndis_ctrl), &m), 0);
	assert_int_equal(m.rndis_pkt.channel_type, NVSP_CHANNEL_TYPE_CONTROL);
	assert_int_equal(m.rndis_pkt.section_index, NVSP_SECTION_INDEX_NONE);

	/* Completion view of type 133 (guest side). */
	assert_int_equal(nvsp_decode(vec_host_subchan_comp,
				     sizeof(vec_host_subchan_comp), &m), 0);
	assert_int_equal(m.type, NVSP_MSG5_TYPE_SUBCHANNEL);
	assert_int_equal(m.subchan_comp.status, NVSP_STAT_SUCCESS);
	assert_int_equal(m.subchan_comp.num_allocated, 4);

	/* Encoding from the completion view writes the same bytes. */
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG5_TYPE_SUBCHANNEL;
	m.subchan_comp.status = NVSP_STAT_SUCCESS;
	m.subchan_comp.num_allocated = 4;
	expect_encode(&m, NVSP_MSG_SIZE_V61, vec_host_subchan_comp,
		      sizeof(vec_host_subchan_comp));
}

/* --- round trips for every type --- */

/* Fill *m with distinctive values for its type. */
static void
fill_msg(struct nvsp_msg *m, uint32_t type)
{
	uint32_t i;

	memset(m, 0, sizeof(*m));
	m->type = type;
	switch (type) {
	case NVSP_MSG_TYPE_INIT:
		m->init.min_ver = NVSP_PROTOCOL_VERSION_5;
		m->init.max_ver = NVSP_PROTOCOL_VERSION_6;
		break;
	case NVSP_MSG_TYPE_INIT_COMPLETE:
		m->init_comp.negotiated_ver = 0x11223344;
		m->init_comp.max_mdl_chain_len = 34;
		m->init_comp.status = NVSP_STAT_PROTOCOL_TOO_NEW;
		break;
	case NVSP_MSG1_TYPE_SEND_NDIS_VER:
		m->ndis_ver.major = 6;
		m->ndis_ver.minor = 1;
		break;
	case NVSP_MSG1_TYPE_SEND_RECV_BUF:
	case NVSP_MSG1_TYPE_SEND_SEND_BUF:
		m->send_buf.gpadl = 0xdeadbeef;
		m->send_buf.id = 0xface;
		break;
	case NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE:
		m->recv_buf_comp.status = NVSP_STAT_SUCCESS;
		m->recv_buf_comp.num_sections = 2;
		for (i = 0; i < 2; i++) {
			m->recv_buf_comp.sections[i].offset = 0x1000 * i;
			m->recv_buf_comp.sections[i].sub_alloc_size = 1728;
			m->recv_buf_comp.sections[i].num_sub_allocs = 7 + i;
			m->recv_buf_comp.sections[i].end_offset =
				0x1000 * i + 0xfff;
		}
		break;
	case NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
	case NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
		m->revoke_send_buf.id = 0xbeef;
		break;
	case NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE:
		m->send_buf_comp.status = NVSP_STAT_FAIL;
		m->send_buf_comp.section_size = 0x12345678;
		break;
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
		m->rndis_pkt.channel_type = NVSP_CHANNEL_TYPE_DATA;
		m->rndis_pkt.section_index = 169;
		m->rndis_pkt.section_size = 0x62;
		break;
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE:
		m->rndis_pkt_comp.status = NVSP_STAT_INVALID_RNDIS_PKT;
		break;
	case NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
		m->ndis_config.mtu = 9014;
		m->ndis_config.capabilities = UINT64_C(0x8000000000000081);
		break;
	case NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION:
		m->vf_assoc.allocated = 1;
		m->vf_assoc.serial = 0xa5a5a5a5;
		break;
	case NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
		m->switch_dp.active_datapath = NVSP_DATAPATH_SYNTHETIC;
		break;
	case NVSP_MSG5_TYPE_OID_QUERY_EX:
		m->oid_query_ex.hdr_type = 0x80;
		m->oid_query_ex.hdr_revision = 1;
		m->oid_query_ex.hdr_size = 8;
		m->oid_query_ex.oid = 0x00010203;
		break;
	case NVSP_MSG5_TYPE_OID_QUERY_EX_COMP:
		m->oid_query_ex_comp.status = 0xc0010016;
		m->oid_query_ex_comp.bytes = 24;
		break;
	case NVSP_MSG5_TYPE_SUBCHANNEL:
		m->subchan_req.op = NVSP_SUBCHANNEL_OP_ALLOCATE;
		m->subchan_req.num_subchannels = 63;
		break;
	case NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE:
		m->send_table.count = 16;
		m->send_table.offset = 12;
		for (i = 0; i < 16; i++) {
			m->send_table.entries[i] = 0x01000000u * i + i;
		}
		break;
	default:
		fail();
	}
}

/* Every decodable type, the bytes decode needs, the bytes encode writes. */
static const struct {
	uint32_t type;		/* message type */
	size_t min_len;		/* bytes decode needs (fixed part) */
	size_t enc_len;		/* natural length for fill_msg() values */
} all_types[] = {
	{ NVSP_MSG_TYPE_INIT, 12, 12 },
	{ NVSP_MSG_TYPE_INIT_COMPLETE, 16, 16 },
	{ NVSP_MSG1_TYPE_SEND_NDIS_VER, 12, 12 },
	{ NVSP_MSG1_TYPE_SEND_RECV_BUF, 10, 12 },
	{ NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE, 12, 12 + 2 * 16 },
	{ NVSP_MSG1_TYPE_REVOKE_RECV_BUF, 6, 6 },
	{ NVSP_MSG1_TYPE_SEND_SEND_BUF, 10, 12 },
	{ NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE, 12, 12 },
	{ NVSP_MSG1_TYPE_REVOKE_SEND_BUF, 6, 6 },
	{ NVSP_MSG1_TYPE_SEND_RNDIS_PKT, 16, 16 },
	{ NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE, 8, 8 },
	{ NVSP_MSG2_TYPE_SEND_NDIS_CONFIG, 20, 20 },
	{ NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION, 12, 12 },
	{ NVSP_MSG4_TYPE_SWITCH_DATA_PATH, 8, 8 },
	{ NVSP_MSG5_TYPE_OID_QUERY_EX, 12, 12 },
	{ NVSP_MSG5_TYPE_OID_QUERY_EX_COMP, 12, 12 },
	{ NVSP_MSG5_TYPE_SUBCHANNEL, 12, 12 },
	{ NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE, 12, 12 + 16 * 4 },
};

static void
test_round_trip_all_types(void **state)
{
	static const size_t mins[] = { 0, NVSP_MSG_SIZE_V1, NVSP_MSG_SIZE_V61 };
	struct nvsp_msg in;
	struct nvsp_msg out;
	uint8_t buf[128];
	size_t t;
	size_t k;
	size_t want;
	int n;

	(void)state;
	for (t = 0; t < sizeof(all_types) / sizeof(all_types[0]); t++) {
		assert_int_equal(nvsp_min_len(all_types[t].type),
				 all_types[t].min_len);
		for (k = 0; k < sizeof(mins) / sizeof(mins[0]); k++) {
			fill_msg(&in, all_types[t].type);
			memset(buf, 0xee, sizeof(buf));
			n = nvsp_encode(&in, buf, sizeof(buf), mins[k]);
			want = all_types[t].enc_len > mins[k] ?
			       all_types[t].enc_len : mins[k];
			assert_int_equal(n, (int)want);
			/* Type first, little-endian. */
			assert_int_equal(buf[0], all_types[t].type & 0xff);
			assert_int_equal(buf[1], 0);
			/* Padding is zero. */
			for (size_t j = all_types[t].enc_len; j < want; j++) {
				assert_int_equal(buf[j], 0);
			}
			assert_int_equal(buf[want], 0xee);
			memset(&out, 0xcc, sizeof(out));
			assert_int_equal(nvsp_decode(buf, (size_t)n, &out), 0);
			assert_memory_equal(&in, &out, sizeof(in));
		}
	}
}

/* Check a few exact encodings whose layout the round trip cannot prove. */
static void
test_encode_layout(void **state)
{
	static const uint8_t ndis_cfg[20] = {
		0x7d, 0, 0, 0, 0x36, 0x23, 0, 0, 0, 0, 0, 0,
		0x81, 0, 0, 0, 0, 0, 0, 0x80,
	};
	static const uint8_t oidq[12] = {
		0x83, 0, 0, 0, 0x80, 0x01, 0x08, 0x00, 0x03, 0x02, 0x01, 0x00,
	};
	static const uint8_t revoke[6] = { 0x6a, 0, 0, 0, 0xef, 0xbe };
	static const uint8_t vf[12] = {
		0x80, 0, 0, 0, 1, 0, 0, 0, 0xa5, 0xa5, 0xa5, 0xa5,
	};
	struct nvsp_msg m;

	(void)state;
	fill_msg(&m, NVSP_MSG2_TYPE_SEND_NDIS_CONFIG);
	expect_encode(&m, 0, ndis_cfg, sizeof(ndis_cfg));
	fill_msg(&m, NVSP_MSG5_TYPE_OID_QUERY_EX);
	expect_encode(&m, 0, oidq, sizeof(oidq));
	fill_msg(&m, NVSP_MSG1_TYPE_REVOKE_SEND_BUF);
	expect_encode(&m, 0, revoke, sizeof(revoke));
	fill_msg(&m, NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION);
	expect_encode(&m, 0, vf, sizeof(vf));
}

/* --- malformed input --- */

static void
test_truncated_by_one(void **state)
{
	uint8_t buf[64];
	struct nvsp_msg m;
	size_t t;
	uint32_t type;

	(void)state;
	for (t = 0; t < sizeof(all_types) / sizeof(all_types[0]); t++) {
		type = all_types[t].type;
		memset(buf, 0, sizeof(buf));
		sn_put_le32(buf, type);
		if (type == NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE) {
			/* count 0, table offset = end of fixed part */
			sn_put_le32(buf + 8, 12);
		}
		/* Exactly min_len decodes... */
		assert_int_equal(nvsp_decode(buf, all_types[t].min_len, &m),
				 0);
		assert_int_equal(m.type, type);
		/* ...one byte less does not, and leaves *out zeroed. */
		memset(&m, 0xcc, sizeof(m));
		assert_int_equal(nvsp_decode(buf, all_types[t].min_len - 1,
					     &m), -EMSGSIZE);
		assert_int_equal(m.type, 0);
	}
	/* Header itself truncated. */
	assert_int_equal(nvsp_decode(buf, 3, &m), -EMSGSIZE);
	assert_int_equal(nvsp_decode(buf, 1, &m), -EMSGSIZE);
}

static void
test_zero_length_and_null(void **state)
{
	static const uint8_t one[1] = { 0 };
	struct nvsp_msg m;
	uint32_t type;

	(void)state;
	assert_int_equal(nvsp_decode(one, 0, &m), -EMSGSIZE);
	assert_int_equal(nvsp_decode(NULL, 0, &m), -EINVAL);
	assert_int_equal(nvsp_decode(vec_linux_rx_comp, 8, NULL), -EINVAL);
	assert_int_equal(nvsp_msg_type(one, 0, &type), -EMSGSIZE);
	assert_int_equal(nvsp_msg_type(vec_linux_rx_comp, 8, &type), 0);
	assert_int_equal(type, NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE);
	assert_int_equal(nvsp_msg_type(NULL, 8, &type), -EINVAL);
}

static void
test_unknown_types(void **state)
{
	static const uint32_t unknown[] = {
		0, 3, 99, 109, 115, 123, 124, 126, 127, 130, 135, 136, 137,
		0x10000 | 1, 0xffffffffu,
	};
	uint8_t buf[40];
	struct nvsp_msg m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		memset(buf, 0, sizeof(buf));
		sn_put_le32(buf, unknown[i]);
		assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -ENOTSUP);
		assert_int_equal(nvsp_min_len(unknown[i]), 0);
		assert_string_equal(nvsp_msg_type_name(unknown[i]),
				    "unknown");
		memset(&m, 0, sizeof(m));
		m.type = unknown[i];
		assert_int_equal(nvsp_encode(&m, buf, sizeof(buf), 0),
				 -ENOTSUP);
	}
}

/* Build a SEND_RECV_BUF_COMPLETE header claiming n sections. */
static void
put_rbc(uint8_t *buf, size_t len, uint32_t n)
{
	memset(buf, 0, len);
	sn_put_le32(buf, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE);
	sn_put_le32(buf + 4, NVSP_STAT_SUCCESS);
	sn_put_le32(buf + 8, n);
}

static void
test_sections_overflow(void **state)
{
	uint8_t buf[12 + 16 * 4];
	struct nvsp_msg m;

	(void)state;
	/* Sane: 2 sections (the cap) in 44 bytes. */
	put_rbc(buf, sizeof(buf), 2);
	assert_int_equal(nvsp_decode(buf, 44, &m), 0);
	assert_int_equal(m.recv_buf_comp.num_sections, 2);
	/* 2 sections claimed, 1 present (28 bytes, and 43 bytes). */
	assert_int_equal(nvsp_decode(buf, 28, &m), -EBADMSG);
	assert_int_equal(nvsp_decode(buf, 43, &m), -EBADMSG);
	assert_int_equal(m.type, 0);
	/* 1 section claimed, none present. */
	put_rbc(buf, sizeof(buf), 1);
	assert_int_equal(nvsp_decode(buf, 12, &m), -EBADMSG);
	assert_int_equal(nvsp_decode(buf, 27, &m), -EBADMSG);
	/* Above the cap even though the buffer would hold them. */
	put_rbc(buf, sizeof(buf), 3);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	put_rbc(buf, sizeof(buf), 4);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	/* Counts whose byte size wraps in 32 bits. */
	put_rbc(buf, sizeof(buf), 0x10000000u);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	put_rbc(buf, sizeof(buf), 0xffffffffu);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	/* Zero sections is well-formed (a FAIL reply may carry none). */
	put_rbc(buf, sizeof(buf), 0);
	assert_int_equal(nvsp_decode(buf, 12, &m), 0);
	assert_int_equal(m.recv_buf_comp.num_sections, 0);
	assert_null(nvsp_rbuf_section(&m, 0));
}

/* Build a SEND_INDIRECTION_TABLE header. */
static void
put_tab(uint8_t *buf, size_t len, uint32_t count, uint32_t off)
{
	memset(buf, 0, len);
	sn_put_le32(buf, NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE);
	sn_put_le32(buf + 4, count);
	sn_put_le32(buf + 8, off);
}

static void
test_send_table_bounds(void **state)
{
	uint8_t buf[128];
	struct nvsp_msg m;

	(void)state;
	/* Table ends exactly at len. */
	put_tab(buf, sizeof(buf), 16, 12);
	assert_int_equal(nvsp_decode(buf, 76, &m), 0);
	/* One byte short of the table. */
	assert_int_equal(nvsp_decode(buf, 75, &m), -EBADMSG);
	assert_int_equal(m.type, 0);
	/* Offset past the end. */
	put_tab(buf, sizeof(buf), 16, 100);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	put_tab(buf, sizeof(buf), 0, 129);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	/* Empty table at the very end is fine. */
	put_tab(buf, sizeof(buf), 0, 128);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), 0);
	assert_int_equal(m.send_table.count, 0);
	/* Offsets that wrap when added to the table size. */
	put_tab(buf, sizeof(buf), 16, 0xfffffffcu);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	put_tab(buf, sizeof(buf), 1, 0xffffffffu);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	/* Offset overlapping the fixed fields. */
	put_tab(buf, sizeof(buf), 1, 0);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	put_tab(buf, sizeof(buf), 1, 11);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	/* Count above the protocol's 16. */
	put_tab(buf, sizeof(buf), 17, 12);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	put_tab(buf, sizeof(buf), 0x40000000u, 12);
	assert_int_equal(nvsp_decode(buf, sizeof(buf), &m), -EBADMSG);
	/* Unaligned offset inside the buffer is accepted (copy-out). */
	put_tab(buf, sizeof(buf), 2, 13);
	sn_put_le32(buf + 13, 7);
	sn_put_le32(buf + 17, 9);
	assert_int_equal(nvsp_decode(buf, 21, &m), 0);
	assert_int_equal(m.send_table.entries[0], 7);
	assert_int_equal(m.send_table.entries[1], 9);
}

static void
test_encode_errors(void **state)
{
	uint8_t buf[128];
	struct nvsp_msg m;

	(void)state;
	fill_msg(&m, NVSP_MSG_TYPE_INIT);
	assert_int_equal(nvsp_encode(NULL, buf, sizeof(buf), 0), -EINVAL);
	assert_int_equal(nvsp_encode(&m, NULL, sizeof(buf), 0), -EINVAL);
	/* cap one short of the natural size, and of min_size. */
	assert_int_equal(nvsp_encode(&m, buf, 11, 0), -EMSGSIZE);
	assert_int_equal(nvsp_encode(&m, buf, 12, 0), 12);
	assert_int_equal(nvsp_encode(&m, buf, 39, NVSP_MSG_SIZE_V61),
			 -EMSGSIZE);
	assert_int_equal(nvsp_encode(&m, buf, 0, 0), -EMSGSIZE);

	fill_msg(&m, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE);
	m.recv_buf_comp.num_sections = NVSP_RBUF_SECTIONS_MAX + 1;
	assert_int_equal(nvsp_encode(&m, buf, sizeof(buf), 0), -ERANGE);

	fill_msg(&m, NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE);
	m.send_table.count = 17;
	assert_int_equal(nvsp_encode(&m, buf, sizeof(buf), 0), -ERANGE);
	m.send_table.count = 16;
	m.send_table.offset = 4;
	assert_int_equal(nvsp_encode(&m, buf, sizeof(buf), 0), -EINVAL);
	m.send_table.offset = 0xfffffff0u;
	assert_int_equal(nvsp_encode(&m, buf, sizeof(buf), 0), -EMSGSIZE);
	m.send_table.offset = 12;
	assert_int_equal(nvsp_encode(&m, buf, 75, 0), -EMSGSIZE);
	assert_int_equal(nvsp_encode(&m, buf, 76, 0), 76);
}

/* --- constants and names --- */

static void
test_versions(void **state)
{
	char s[8];

	(void)state;
	assert_true(nvsp_version_supported(0x2));
	assert_true(nvsp_version_supported(0x30002));
	assert_true(nvsp_version_supported(0x40000));
	assert_true(nvsp_version_supported(0x50000));
	assert_true(nvsp_version_supported(0x60000));
	assert_true(nvsp_version_supported(0x60001));
	assert_false(nvsp_version_supported(0x1));
	assert_false(nvsp_version_supported(0x30000));
	assert_false(nvsp_version_supported(0x60002));
	assert_false(nvsp_version_supported(0x70000));
	assert_false(nvsp_version_supported(NVSP_PROTOCOL_VERSION_INVALID));

	assert_string_equal(nvsp_version_name(NVSP_PROTOCOL_VERSION_1), "1");
	assert_string_equal(nvsp_version_name(NVSP_PROTOCOL_VERSION_2), "2");
	assert_string_equal(nvsp_version_name(NVSP_PROTOCOL_VERSION_61),
			    "6.1");
	assert_string_equal(nvsp_version_name(0x70000), "unknown");

	assert_int_equal(nvsp_version_format(NVSP_PROTOCOL_VERSION_61, s,
					     sizeof(s)), 3);
	assert_string_equal(s, "6.1");
	assert_int_equal(nvsp_version_format(NVSP_PROTOCOL_VERSION_1, s,
					     sizeof(s)), 3);
	assert_string_equal(s, "0.2");
	assert_int_equal(nvsp_version_format(NVSP_PROTOCOL_VERSION_2, s,
					     sizeof(s)), 3);
	assert_string_equal(s, "3.2");
	assert_int_equal(nvsp_version_format(0xffffffffu, s, sizeof(s)),
			 -EMSGSIZE);
	assert_int_equal(nvsp_version_format(NVSP_PROTOCOL_VERSION_61, s, 3),
			 -EMSGSIZE);
	assert_string_equal(s, "6.");
	assert_int_equal(nvsp_version_format(1, NULL, 8), -EINVAL);

	assert_int_equal(nvsp_msg_size(NVSP_PROTOCOL_VERSION_1), 28);
	assert_int_equal(nvsp_msg_size(NVSP_PROTOCOL_VERSION_5), 28);
	assert_int_equal(nvsp_msg_size(NVSP_PROTOCOL_VERSION_6), 28);
	assert_int_equal(nvsp_msg_size(NVSP_PROTOCOL_VERSION_61), 40);
	assert_int_equal(nvsp_msg_size(NVSP_PROTOCOL_VERSION_INVALID), 28);

	assert_int_equal(NVSP_VERSION_MAJOR(NVSP_PROTOCOL_VERSION_61), 6);
	assert_int_equal(NVSP_VERSION_MINOR(NVSP_PROTOCOL_VERSION_61), 1);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(nvsp_msg_type_name(1), "INIT");
	assert_string_equal(nvsp_msg_type_name(2), "INIT_COMPLETE");
	assert_string_equal(nvsp_msg_type_name(102),
			    "SEND_RECV_BUF_COMPLETE");
	assert_string_equal(nvsp_msg_type_name(107), "SEND_RNDIS_PKT");
	assert_string_equal(nvsp_msg_type_name(108),
			    "SEND_RNDIS_PKT_COMPLETE");
	assert_string_equal(nvsp_msg_type_name(125), "SEND_NDIS_CONFIG");
	assert_string_equal(nvsp_msg_type_name(133), "SUBCHANNEL");
	assert_string_equal(nvsp_msg_type_name(134),
			    "SEND_INDIRECTION_TABLE");

	assert_string_equal(nvsp_status_name(0), "NONE");
	assert_string_equal(nvsp_status_name(1), "SUCCESS");
	assert_string_equal(nvsp_status_name(2), "FAIL");
	assert_string_equal(nvsp_status_name(7), "PROTOCOL_UNSUPPORTED");
	assert_string_equal(nvsp_status_name(8), "unknown");
	assert_string_equal(nvsp_status_name(0xffffffffu), "unknown");
}

static void
test_constants(void **state)
{
	(void)state;
	assert_int_equal(NVSP_MSG_SIZE_V1, 0x1c);
	assert_int_equal(NVSP_MSG_SIZE_V61, 0x28);
	assert_int_equal(NVSP_SECTION_INDEX_NONE, 0xffffffffu);
	assert_int_equal(NVSP_RECV_BUF_ID, 0xcafe);
	assert_int_equal(NVSP_NDIS_CAP_VMQ, 0x01);
	assert_int_equal(NVSP_NDIS_CAP_CHIMNEY, 0x02);
	assert_int_equal(NVSP_NDIS_CAP_SRIOV, 0x04);
	assert_int_equal(NVSP_NDIS_CAP_IEEE8021Q, 0x08);
	assert_int_equal(NVSP_NDIS_CAP_CORRELATION_ID, 0x10);
	assert_int_equal(NVSP_NDIS_CAP_TEAMING, 0x20);
	assert_int_equal(NVSP_NDIS_CAP_VSUBNET_ID, 0x40);
	assert_int_equal(NVSP_NDIS_CAP_RSC, 0x80);
	assert_int_equal(NVSP_NDIS_VERSION_6_30, 0x0006001e);
	assert_int_equal(NVSP_STAT_PROTOCOL_UNSUPPORTED, 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_init_61),
		cmocka_unit_test(test_linux_ndis_config_61),
		cmocka_unit_test(test_linux_ndis_ver),
		cmocka_unit_test(test_linux_send_bufs),
		cmocka_unit_test(test_linux_rndis_pkt),
		cmocka_unit_test(test_linux_rx_comp_8_bytes),
		cmocka_unit_test(test_linux_subchan_alloc),
		cmocka_unit_test(test_linux_switch_dp),
		cmocka_unit_test(test_host_init_comp),
		cmocka_unit_test(test_host_recv_buf_comp),
		cmocka_unit_test(test_host_send_buf_comp),
		cmocka_unit_test(test_host_send_table),
		cmocka_unit_test(test_host_send_table_offset40),
		cmocka_unit_test(test_host_rndis_and_subchan_comp),
		cmocka_unit_test(test_round_trip_all_types),
		cmocka_unit_test(test_encode_layout),
		cmocka_unit_test(test_truncated_by_one),
		cmocka_unit_test(test_zero_length_and_null),
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_sections_overflow),
		cmocka_unit_test(test_send_table_bounds),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_constants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
