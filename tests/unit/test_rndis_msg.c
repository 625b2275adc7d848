/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rndis_msg.c - RNDIS control / PACKET codec tests.
 *
 * Vectors are the bytes real guests and hosts put on the wire, derived
 * from the public drivers named next to each one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "rndis_msg.h"
#include "rndis_test_util.h"

/*
 * INITIALIZE as Linux sends it: drivers/net/hyperv/rndis_filter.c
 * rndis_filter_init_device(): msg_len = RNDIS_MESSAGE_SIZE(struct
 * rndis_initialize_request) = 24, req_id = first atomic_inc_return() of a
 * zeroed counter = 1, RNDIS_MAJOR_VERSION 1, MINOR 0, max_xfer 0x4000.
 */
static const uint8_t linux_init_req[] = {
	0x02, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00,
};

/*
 * QUERY OID_802_3_PERMANENT_ADDRESS as Linux sends it: rndis_filter.c
 * rndis_filter_query_device() via rndis_filter_query_device_mac():
 * msg_len 28, info_buflen 0, info_buf_offset = sizeof(struct
 * rndis_query_request) = 20, dev_vc_handle 0.  req_id 3: third request of
 * rndis_filter_device_add() (INIT 1, MAXIMUM_FRAME_SIZE 2, MAC 3).
 */
static const uint8_t linux_query_mac[] = {
	0x04, 0x00, 0x00, 0x00, 0x1C, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

/*
 * SET OID_GEN_CURRENT_PACKET_FILTER = DIRECTED | ALL_MULTICAST | BROADCAST
 * (0x0D) as Linux sends it on open: rndis_filter.c
 * rndis_filter_set_packet_filter() from rndis_filter_open_device():
 * msg_len = RNDIS_MESSAGE_SIZE(struct rndis_set_request) + 4 = 32,
 * info_buflen 4, info_buf_offset = offsetof(set, info_buf) = 20.  req_id
 * 10 is the tenth request of a single-queue NVSP >= 5 attach (INIT, MTU,
 * MAC, FRIENDLY_NAME, HW caps, SET offload, link status, link speed, RSS
 * caps, then open); only the id depends on that path.
 */
static const uint8_t linux_set_filter[] = {
	LE32(RNDIS_MSG_SET), LE32(32), LE32(10),
	LE32(RNDIS_OID_GEN_CURRENT_PACKET_FILTER), LE32(4), LE32(20), LE32(0),
	LE32(0x0000000D),
};

/*
 * INITIALIZE completion as the host sends it, fields from wire-facts
 * section 5 / OpenVMM netvsp defaults: 1.0, connectionless, 802.3, 8
 * packets per message, max_xfer 0xEFFFFFFF, alignment factor 3, no AF list.
 */
static const uint8_t host_init_cmplt[] = {
	LE32(RNDIS_MSG_INIT_CMPLT), LE32(52), LE32(1), LE32(0),
	LE32(1), LE32(0), LE32(1), LE32(0),
	LE32(8), LE32(0xEFFFFFFF), LE32(3), LE32(0), LE32(0),
};

/*
 * QUERY completion answering linux_query_mac with a 6-byte MAC: info
 * buffer right after the fixed fields (offset 16 from byte 8), which
 * satisfies Linux rndis_filter_query_device()'s checks
 * (info_buf_offset >= sizeof(rndis_query_complete), inside msg_len).
 */
static const uint8_t host_query_cmplt_mac[] = {
	LE32(RNDIS_MSG_QUERY_CMPLT), LE32(30), LE32(3), LE32(0),
	LE32(6), LE32(16),
	0x00, 0x15, 0x5D, 0x01, 0x02, 0x03,
};

/* Frame bytes of linux_packet (a 54-byte Ethernet/IPv4/TCP header). */
#define PKT_DATA_LEN 54u

/*
 * A data PACKET as Linux netvsc_xmit() (drivers/net/hyperv/netvsc_drv.c)
 * builds it for a VLAN-tagged (vid 100, prio 3) IPv4 TCP skb with
 * CHECKSUM_PARTIAL on a single-queue device (no hash PPI): data_offset and
 * per_pkt_info_offset start at sizeof(struct rndis_packet) = 36,
 * init_ppi_data() appends the IEEE_8021Q_INFO PPI first, then
 * TCPIP_CHKSUM_PKTINFO (is_ipv4, tcp_checksum, tcp_header_offset =
 * skb_transport_offset = 14 + 20 = 34); each PPI is 16 bytes, so
 * data_offset = 68, per_pkt_info_len = 32, msg_len = 44 + 32 + 54 = 130.
 */
static const uint8_t linux_packet_hdr[] = {
	LE32(RNDIS_MSG_PACKET), LE32(130),
	LE32(68), LE32(PKT_DATA_LEN), LE32(0), LE32(0), LE32(0),
	LE32(36), LE32(32), LE32(0), LE32(0),
	/* PPI: IEEE_8021Q_INFO, pri 3, cfi 0, vlanid 100 */
	LE32(16), LE32(6), LE32(12), LE32(0x00000643),
	/* PPI: TCPIP_CHKSUM_PKTINFO, thoff 34 << 16 | TCP | IPV4 */
	LE32(16), LE32(0), LE32(12), LE32(0x00220005),
};

/* linux_packet_hdr followed by PKT_DATA_LEN frame bytes into buf. */
static size_t
make_linux_packet(uint8_t *buf)
{
	size_t i;

	memcpy(buf, linux_packet_hdr, sizeof(linux_packet_hdr));
	for (i = 0; i < PKT_DATA_LEN; i++) {
		buf[sizeof(linux_packet_hdr) + i] = (uint8_t)(0xA0 + i);
	}
	return sizeof(linux_packet_hdr) + PKT_DATA_LEN;
}

static void
test_linux_init_req(void **state)
{
	struct rndis_init_req r = { 1, RNDIS_MAJOR_VERSION,
				    RNDIS_MINOR_VERSION, 0x4000 };
	struct rndis_msg m;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(rndis_encode_init_req(buf, sizeof(buf), &r), 24);
	assert_memory_equal(buf, linux_init_req, sizeof(linux_init_req));

	assert_int_equal(rndis_decode(linux_init_req, sizeof(linux_init_req),
				      &m), 24);
	assert_int_equal(m.type, RNDIS_MSG_INIT);
	assert_int_equal(m.len, 24);
	assert_int_equal(m.u.init_req.req_id, 1);
	assert_int_equal(m.u.init_req.major, 1);
	assert_int_equal(m.u.init_req.minor, 0);
	assert_int_equal(m.u.init_req.max_xfer_size, 0x4000);
}

static void
test_linux_query_mac(void **state)
{
	struct rndis_msg m;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(rndis_encode_query(buf, sizeof(buf), 3,
					    RNDIS_OID_802_3_PERMANENT_ADDRESS,
					    NULL, 0), 28);
	assert_memory_equal(buf, linux_query_mac, sizeof(linux_query_mac));

	assert_int_equal(rndis_decode(linux_query_mac,
				      sizeof(linux_query_mac), &m), 28);
	assert_int_equal(m.type, RNDIS_MSG_QUERY);
	assert_int_equal(m.u.oid_req.req_id, 3);
	assert_int_equal(m.u.oid_req.oid, RNDIS_OID_802_3_PERMANENT_ADDRESS);
	assert_int_equal(m.u.oid_req.info_len, 0);
	assert_int_equal(m.u.oid_req.info_off, 20);
	assert_int_equal(m.u.oid_req.dev_vc_handle, 0);
	assert_null(m.u.oid_req.info);
	assert_string_equal(rndis_oid_name(m.u.oid_req.oid),
			    "OID_802_3_PERMANENT_ADDRESS");
}

static void
test_linux_set_filter(void **state)
{
	uint8_t filter[4] = { LE32(RNDIS_FILTER_DIRECTED |
				   RNDIS_FILTER_ALL_MULTICAST |
				   RNDIS_FILTER_BROADCAST) };
	struct rndis_msg m;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(rndis_encode_set(buf, sizeof(buf), 10,
					  RNDIS_OID_GEN_CURRENT_PACKET_FILTER,
					  filter, 4), 32);
	assert_memory_equal(buf, linux_set_filter, sizeof(linux_set_filter));

	assert_int_equal(rndis_decode(linux_set_filter,
				      sizeof(linux_set_filter), &m), 32);
	assert_int_equal(m.type, RNDIS_MSG_SET);
	assert_int_equal(m.u.oid_req.req_id, 10);
	assert_int_equal(m.u.oid_req.oid,
			 RNDIS_OID_GEN_CURRENT_PACKET_FILTER);
	assert_int_equal(m.u.oid_req.info_len, 4);
	assert_int_equal(m.u.oid_req.info_off, 20);
	assert_ptr_equal(m.u.oid_req.info, linux_set_filter + 28);
	assert_int_equal(rd32(m.u.oid_req.info), 0x0D);
}

static void
test_linux_packet_csum_vlan(void **state)
{
	struct rndis_ppi_set ppis;
	struct rndis_ppi_set got;
	struct rndis_msg m;
	uint8_t vec[256];
	uint8_t buf[256];
	size_t n;

	(void)state;
	n = make_linux_packet(vec);
	assert_int_equal(n, 130);

	/* Encode the same header from values. */
	memset(&ppis, 0, sizeof(ppis));
	ppis.present = RNDIS_PPIF_VLAN | RNDIS_PPIF_CSUM;
	ppis.vlan = rndis_vlan_info_make(3, 0, 100);
	ppis.csum = rndis_csum_tx_make(RNDIS_TXCSUM_IPV4 | RNDIS_TXCSUM_TCP,
				       34);
	memset(buf, 0xEE, sizeof(buf));
	assert_int_equal(rndis_packet_encode_hdr(buf, sizeof(buf), &ppis,
						 PKT_DATA_LEN), 76);
	assert_memory_equal(buf, linux_packet_hdr, sizeof(linux_packet_hdr));
	assert_int_equal(buf[76], 0xEE);	/* nothing written past it */

	/* Decode the full message. */
	assert_int_equal(rndis_decode(vec, n, &m), 130);
	assert_int_equal(m.type, RNDIS_MSG_PACKET);
	assert_int_equal(m.u.packet.data_off, 68);
	assert_int_equal(m.u.packet.data_len, PKT_DATA_LEN);
	assert_ptr_equal(m.u.packet.data, vec + 76);
	assert_int_equal(m.u.packet.ppi_off, 36);
	assert_int_equal(m.u.packet.ppi_len, 32);
	assert_ptr_equal(m.u.packet.ppi, vec + 44);
	assert_null(m.u.packet.oob);
	assert_int_equal(m.u.packet.data[0], 0xA0);

	assert_int_equal(rndis_ppi_parse(m.u.packet.ppi, m.u.packet.ppi_len,
					 &got), 2);
	assert_int_equal(got.present, RNDIS_PPIF_VLAN | RNDIS_PPIF_CSUM);
	assert_int_equal(rndis_vlan_info_vid(got.vlan), 100);
	assert_int_equal(rndis_vlan_info_prio(got.vlan), 3);
	assert_int_equal(rndis_vlan_info_dei(got.vlan), 0);
	assert_true(rndis_csum_tx_is_ipv4(got.csum));
	assert_false(rndis_csum_tx_is_ipv6(got.csum));
	assert_true(rndis_csum_tx_tcp(got.csum));
	assert_false(rndis_csum_tx_udp(got.csum));
	assert_false(rndis_csum_tx_ip(got.csum));
	assert_int_equal(rndis_csum_tx_thoff(got.csum), 34);

	/* Re-encode the decoded message: identical bytes. */
	assert_int_equal(rndis_encode(buf, sizeof(buf), &m), 130);
	assert_memory_equal(buf, vec, 130);
}

static void
test_host_init_cmplt(void **state)
{
	struct rndis_init_cmplt c;
	struct rndis_msg m;
	uint8_t buf[64];

	(void)state;
	rndis_init_cmplt_defaults(&c, 1, RNDIS_STATUS_SUCCESS);
	assert_int_equal(rndis_encode_init_cmplt(buf, sizeof(buf), &c), 52);
	assert_memory_equal(buf, host_init_cmplt, sizeof(host_init_cmplt));

	assert_int_equal(rndis_decode(host_init_cmplt,
				      sizeof(host_init_cmplt), &m), 52);
	assert_int_equal(m.type, RNDIS_MSG_INIT_CMPLT);
	assert_int_equal(m.u.init_cmplt.req_id, 1);
	assert_int_equal(m.u.init_cmplt.status, RNDIS_STATUS_SUCCESS);
	assert_int_equal(m.u.init_cmplt.dev_flags, RNDIS_DF_CONNECTIONLESS);
	assert_int_equal(m.u.init_cmplt.max_pkt_per_msg, 8);
	assert_int_equal(m.u.init_cmplt.max_xfer_size, 0xEFFFFFFFu);
	assert_int_equal(m.u.init_cmplt.pkt_align_factor, 3);
	assert_int_equal(m.u.init_cmplt.af_list_offset, 0);
	assert_int_equal(m.u.init_cmplt.af_list_size, 0);
}

static void
test_host_query_cmplt_mac(void **state)
{
	static const uint8_t mac[6] = { 0x00, 0x15, 0x5D, 0x01, 0x02, 0x03 };
	struct rndis_msg m;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(rndis_encode_query_cmplt(buf, sizeof(buf), 3,
						  RNDIS_STATUS_SUCCESS, mac,
						  6), 30);
	assert_memory_equal(buf, host_query_cmplt_mac,
			    sizeof(host_query_cmplt_mac));

	assert_int_equal(rndis_decode(host_query_cmplt_mac,
				      sizeof(host_query_cmplt_mac), &m), 30);
	assert_int_equal(m.type, RNDIS_MSG_QUERY_CMPLT);
	assert_int_equal(m.u.info_cmplt.req_id, 3);
	assert_int_equal(m.u.info_cmplt.status, 0);
	assert_int_equal(m.u.info_cmplt.info_len, 6);
	assert_int_equal(m.u.info_cmplt.info_off, 16);
	assert_ptr_equal(m.u.info_cmplt.info, host_query_cmplt_mac + 24);
	assert_memory_equal(m.u.info_cmplt.info, mac, 6);
}

/*
 * INDICATE_STATUS as Linux netvsc_linkstatus_callback() consumes it:
 * MEDIA_CONNECT without a buffer, LINK_SPEED_CHANGE with a u32 speed in
 * 100 bps units at status_buf_offset.
 */
static void
test_indicate(void **state)
{
	static const uint8_t connect[] = {
		LE32(RNDIS_MSG_INDICATE), LE32(20),
		LE32(RNDIS_STATUS_MEDIA_CONNECT), LE32(0), LE32(0),
	};
	static const uint8_t speed[] = {
		LE32(RNDIS_MSG_INDICATE), LE32(24),
		LE32(RNDIS_STATUS_LINK_SPEED_CHANGE), LE32(4), LE32(12),
		LE32(100000000),	/* 10 Gb/s in 100 bps units */
	};
	uint8_t sbuf[4] = { LE32(100000000) };
	struct rndis_msg m;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(rndis_encode_indicate(buf, sizeof(buf),
					       RNDIS_STATUS_MEDIA_CONNECT,
					       NULL, 0), 20);
	assert_memory_equal(buf, connect, sizeof(connect));
	assert_int_equal(rndis_encode_indicate(buf, sizeof(buf),
					       RNDIS_STATUS_LINK_SPEED_CHANGE,
					       sbuf, 4), 24);
	assert_memory_equal(buf, speed, sizeof(speed));

	assert_int_equal(rndis_decode(connect, sizeof(connect), &m), 20);
	assert_int_equal(m.u.indicate.status, RNDIS_STATUS_MEDIA_CONNECT);
	assert_null(m.u.indicate.buf);
	assert_int_equal(rndis_decode(speed, sizeof(speed), &m), 24);
	assert_int_equal(m.u.indicate.buf_len, 4);
	assert_int_equal(m.u.indicate.buf_off, 12);
	assert_ptr_equal(m.u.indicate.buf, speed + 20);
	assert_int_equal(rd32(m.u.indicate.buf), 100000000);
	assert_string_equal(rndis_status_name(m.u.indicate.status),
			    "STATUS_LINK_SPEED_CHANGE");
}

/* Byte layout of the small fixed-size messages. */
static void
test_small_vectors(void **state)
{
	static const uint8_t halt[] = { LE32(3), LE32(12), LE32(42) };
	static const uint8_t ka[] = { LE32(8), LE32(12), LE32(7) };
	static const uint8_t ka_c[] = {
		LE32(0x80000008), LE32(16), LE32(7), LE32(0),
	};
	static const uint8_t set_c[] = {
		LE32(0x80000005), LE32(16), LE32(10), LE32(0xC0010017),
	};
	static const uint8_t reset[] = { LE32(6), LE32(12), LE32(0) };
	static const uint8_t reset_c[] = {
		LE32(0x80000006), LE32(16), LE32(0), LE32(1),
	};
	static const uint8_t set_ex[] = {
		LE32(9), LE32(32), LE32(5), LE32(0x0001010E), LE32(4),
		LE32(20), LE32(0), LE32(0x20),
	};
	static const uint8_t set_ex_c[] = {
		LE32(0x80000009), LE32(24), LE32(5), LE32(0), LE32(0),
		LE32(16),
	};
	uint8_t filt[4] = { LE32(0x20) };
	uint8_t buf[64];

	(void)state;
	assert_int_equal(rndis_encode_halt(buf, sizeof(buf), 42), 12);
	assert_memory_equal(buf, halt, sizeof(halt));
	assert_int_equal(rndis_encode_keepalive(buf, sizeof(buf), 7), 12);
	assert_memory_equal(buf, ka, sizeof(ka));
	assert_int_equal(rndis_encode_keepalive_cmplt(buf, sizeof(buf), 7,
						      0), 16);
	assert_memory_equal(buf, ka_c, sizeof(ka_c));
	assert_int_equal(rndis_encode_set_cmplt(buf, sizeof(buf), 10,
						RNDIS_STATUS_INVALID_OID), 16);
	assert_memory_equal(buf, set_c, sizeof(set_c));
	assert_int_equal(rndis_encode_reset(buf, sizeof(buf)), 12);
	assert_memory_equal(buf, reset, sizeof(reset));
	assert_int_equal(rndis_encode_reset_cmplt(buf, sizeof(buf), 0, 1), 16);
	assert_memory_equal(buf, reset_c, sizeof(reset_c));
	assert_int_equal(rndis_encode_set_ex(buf, sizeof(buf), 5,
				RNDIS_OID_GEN_CURRENT_PACKET_FILTER, filt, 4),
			 32);
	assert_memory_equal(buf, set_ex, sizeof(set_ex));
	assert_int_equal(rndis_encode_set_ex_cmplt(buf, sizeof(buf), 5, 0,
						   NULL, 0), 24);
	assert_memory_equal(buf, set_ex_c, sizeof(set_ex_c));
}

/* Equal contents of two n-byte areas; both NULL when n is 0. */
static void
assert_bytes_same(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	if (n == 0) {
		assert_null(a);
		assert_null(b);
		return;
	}
	assert_non_null(a);
	assert_non_null(b);
	assert_memory_equal(a, b, n);
}

/* Field-by-field equality of two decoded messages (buffers by content). */
static void
assert_msg_same(const struct rndis_msg *a, const struct rndis_msg *b)
{
	assert_int_equal(a->type, b->type);
	switch (a->type) {
	case RNDIS_MSG_PACKET: {
		const struct rndis_packet *x = &a->u.packet;
		const struct rndis_packet *y = &b->u.packet;

		assert_int_equal(x->data_len, y->data_len);
		assert_int_equal(x->ppi_len, y->ppi_len);
		assert_int_equal(x->oob_len, y->oob_len);
		assert_int_equal(x->oob_count, y->oob_count);
		assert_int_equal(x->vc_handle, y->vc_handle);
		assert_int_equal(x->reserved, y->reserved);
		assert_bytes_same(x->data, y->data, x->data_len);
		assert_bytes_same(x->ppi, y->ppi, x->ppi_len);
		assert_bytes_same(x->oob, y->oob, x->oob_len);
		break;
	}
	case RNDIS_MSG_INIT:
		assert_memory_equal(&a->u.init_req, &b->u.init_req,
				    sizeof(a->u.init_req));
		break;
	case RNDIS_MSG_INIT_CMPLT:
		assert_memory_equal(&a->u.init_cmplt, &b->u.init_cmplt,
				    sizeof(a->u.init_cmplt));
		break;
	case RNDIS_MSG_HALT:
	case RNDIS_MSG_KEEPALIVE:
		assert_int_equal(a->u.req.req_id, b->u.req.req_id);
		break;
	case RNDIS_MSG_QUERY:
	case RNDIS_MSG_SET:
	case RNDIS_MSG_SET_EX:
		assert_int_equal(a->u.oid_req.req_id, b->u.oid_req.req_id);
		assert_int_equal(a->u.oid_req.oid, b->u.oid_req.oid);
		assert_int_equal(a->u.oid_req.dev_vc_handle,
				 b->u.oid_req.dev_vc_handle);
		assert_int_equal(a->u.oid_req.info_len, b->u.oid_req.info_len);
		assert_bytes_same(a->u.oid_req.info, b->u.oid_req.info,
				  a->u.oid_req.info_len);
		break;
	case RNDIS_MSG_QUERY_CMPLT:
	case RNDIS_MSG_SET_EX_CMPLT:
		assert_int_equal(a->u.info_cmplt.req_id,
				 b->u.info_cmplt.req_id);
		assert_int_equal(a->u.info_cmplt.status,
				 b->u.info_cmplt.status);
		assert_int_equal(a->u.info_cmplt.info_len,
				 b->u.info_cmplt.info_len);
		assert_bytes_same(a->u.info_cmplt.info, b->u.info_cmplt.info,
				  a->u.info_cmplt.info_len);
		break;
	case RNDIS_MSG_SET_CMPLT:
	case RNDIS_MSG_KEEPALIVE_CMPLT:
		assert_int_equal(a->u.cmplt.req_id, b->u.cmplt.req_id);
		assert_int_equal(a->u.cmplt.status, b->u.cmplt.status);
		break;
	case RNDIS_MSG_RESET:
		assert_int_equal(a->u.reset_req.reserved,
				 b->u.reset_req.reserved);
		break;
	case RNDIS_MSG_RESET_CMPLT:
		assert_int_equal(a->u.reset_cmplt.status,
				 b->u.reset_cmplt.status);
		assert_int_equal(a->u.reset_cmplt.addressing_reset,
				 b->u.reset_cmplt.addressing_reset);
		break;
	case RNDIS_MSG_INDICATE:
		assert_int_equal(a->u.indicate.status, b->u.indicate.status);
		assert_int_equal(a->u.indicate.buf_len, b->u.indicate.buf_len);
		assert_bytes_same(a->u.indicate.buf, b->u.indicate.buf,
				  a->u.indicate.buf_len);
		break;
	default:
		fail();
	}
}

/* Encode -> decode -> compare -> re-encode -> same bytes, every type. */
static void
test_roundtrip_all_types(void **state)
{
	static const uint8_t info[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t ppi[16] = { LE32(16), LE32(6), LE32(12),
					 LE32(0x00000645) };
	static const uint8_t oob[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };
	static const uint8_t frame[60] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	struct rndis_msg in[18];
	struct rndis_msg out;
	uint8_t b1[256], b2[256];
	size_t i, n = 0;
	uint32_t seen = 0;
	int len;

	(void)state;
	memset(in, 0, sizeof(in));
	in[n].type = RNDIS_MSG_PACKET;
	in[n].u.packet.data = frame;
	in[n].u.packet.data_len = sizeof(frame);
	in[n].u.packet.ppi = ppi;
	in[n].u.packet.ppi_len = sizeof(ppi);
	in[n].u.packet.oob = oob;
	in[n].u.packet.oob_len = sizeof(oob);
	in[n].u.packet.oob_count = 1;
	n++;
	in[n].type = RNDIS_MSG_PACKET;		/* frame only */
	in[n].u.packet.data = frame;
	in[n].u.packet.data_len = 14;
	n++;
	in[n].type = RNDIS_MSG_INIT;
	in[n].u.init_req = (struct rndis_init_req){ 1, 1, 0, 0x4000 };
	n++;
	in[n].type = RNDIS_MSG_INIT_CMPLT;
	rndis_init_cmplt_defaults(&in[n].u.init_cmplt, 1, 0);
	n++;
	in[n].type = RNDIS_MSG_HALT;
	in[n].u.req.req_id = 0x1234;
	n++;
	in[n].type = RNDIS_MSG_QUERY;
	in[n].u.oid_req = (struct rndis_oid_req){ 2,
		RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, 0, 4, 0, info };
	n++;
	in[n].type = RNDIS_MSG_SET;
	in[n].u.oid_req = (struct rndis_oid_req){ 6,
		RNDIS_OID_TCP_OFFLOAD_PARAMETERS, 0, 8, 7, info };
	n++;
	in[n].type = RNDIS_MSG_SET_EX;
	in[n].u.oid_req = (struct rndis_oid_req){ 8,
		RNDIS_OID_GEN_CURRENT_PACKET_FILTER, 0, 4, 0, info };
	n++;
	in[n].type = RNDIS_MSG_QUERY_CMPLT;
	in[n].u.info_cmplt = (struct rndis_info_cmplt){ 2, 0, 0, 6, info };
	n++;
	in[n].type = RNDIS_MSG_QUERY_CMPLT;	/* failure, no buffer */
	in[n].u.info_cmplt = (struct rndis_info_cmplt){ 4,
		RNDIS_STATUS_NOT_SUPPORTED, 0, 0, NULL };
	n++;
	in[n].type = RNDIS_MSG_SET_EX_CMPLT;
	in[n].u.info_cmplt = (struct rndis_info_cmplt){ 8, 0, 0, 4, info };
	n++;
	in[n].type = RNDIS_MSG_SET_CMPLT;
	in[n].u.cmplt = (struct rndis_status_cmplt){ 6,
		RNDIS_STATUS_FAILURE };
	n++;
	in[n].type = RNDIS_MSG_RESET;
	n++;
	in[n].type = RNDIS_MSG_RESET_CMPLT;
	in[n].u.reset_cmplt = (struct rndis_reset_cmplt){ 0, 1 };
	n++;
	in[n].type = RNDIS_MSG_INDICATE;
	in[n].u.indicate = (struct rndis_indicate){
		RNDIS_STATUS_LINK_SPEED_CHANGE, 0, 4, info };
	n++;
	in[n].type = RNDIS_MSG_INDICATE;
	in[n].u.indicate.status = RNDIS_STATUS_MEDIA_DISCONNECT;
	n++;
	in[n].type = RNDIS_MSG_KEEPALIVE;
	in[n].u.req.req_id = 99;
	n++;
	in[n].type = RNDIS_MSG_KEEPALIVE_CMPLT;
	in[n].u.cmplt = (struct rndis_status_cmplt){ 99, 0 };
	n++;
	assert_int_equal(n, SN_ARRAY_SIZE(in));

	for (i = 0; i < n; i++) {
		len = rndis_encode(b1, sizeof(b1), &in[i]);
		assert_true(len >= 8);
		assert_int_equal(len, rd32(b1 + 4));
		assert_int_equal(rd32(b1), in[i].type);
		assert_int_equal(rndis_decode(b1, (size_t)len, &out), len);
		assert_int_equal(out.len, (uint32_t)len);
		assert_msg_same(&in[i], &out);
		assert_int_equal(rndis_encode(b2, sizeof(b2), &out), len);
		assert_memory_equal(b1, b2, (size_t)len);
		/* One byte of room short is refused, never truncated. */
		assert_int_equal(rndis_encode(b2, (size_t)len - 1, &in[i]),
				 -EMSGSIZE);
		if (in[i].type & RNDIS_MSG_CMPLT) {
			seen |= 1u << (16 + (in[i].type & 0xF));
		} else {
			seen |= 1u << in[i].type;
		}
	}
	/* Types 1..9 and completions 2, 4, 5, 6, 8, 9 all covered (no
	 * completions exist for PACKET, HALT, INDICATE). */
	assert_int_equal(seen & 0xFFFF, 0x3FE);
	assert_int_equal(seen >> 16, (1u << 2) | (1u << 4) | (1u << 5) |
			 (1u << 6) | (1u << 8) | (1u << 9));
}

/* A packet with the PACKET header's offset field at index f set to v. */
static void
packet_with(uint8_t *vec, size_t *n, size_t field_off, uint32_t v)
{
	*n = make_linux_packet(vec);
	wr32(vec + field_off, v);
}

static void
test_malformed_header(void **state)
{
	struct rndis_msg m;
	uint8_t buf[64];

	(void)state;
	memcpy(buf, linux_init_req, sizeof(linux_init_req));
	/* Shorter than the common header. */
	assert_int_equal(rndis_decode(buf, 7, &m), -EMSGSIZE);
	assert_int_equal(rndis_decode(buf, 0, &m), -EMSGSIZE);
	/* msg_len beyond the buffer. */
	assert_int_equal(rndis_decode(buf, 23, &m), -EMSGSIZE);
	/* msg_len 0 and 7: below the common header. */
	wr32(buf + 4, 0);
	assert_int_equal(rndis_decode(buf, sizeof(linux_init_req), &m),
			 -EBADMSG);
	wr32(buf + 4, 7);
	assert_int_equal(rndis_decode(buf, sizeof(linux_init_req), &m),
			 -EBADMSG);
	/* msg_len below INITIALIZE's 24 bytes. */
	wr32(buf + 4, 20);
	assert_int_equal(rndis_decode(buf, sizeof(linux_init_req), &m),
			 -EBADMSG);
	/* Huge msg_len. */
	wr32(buf + 4, 0xFFFFFFF0u);
	assert_int_equal(rndis_decode(buf, sizeof(linux_init_req), &m),
			 -EBADMSG);
	/* Trailing bytes after msg_len are not part of the message. */
	memcpy(buf, linux_init_req, sizeof(linux_init_req));
	assert_int_equal(rndis_decode(buf, sizeof(buf), &m), 24);
	/* Unknown type: -ENOTSUP with the framing reported. */
	wr32(buf, 0x0000000A);
	assert_int_equal(rndis_decode(buf, sizeof(buf), &m), -ENOTSUP);
	assert_int_equal(m.type, 0x0A);
	assert_int_equal(m.len, 24);
	wr32(buf, RNDIS_MSG_HALT | RNDIS_MSG_CMPLT);	/* no HALT_CMPLT */
	assert_int_equal(rndis_decode(buf, sizeof(buf), &m), -ENOTSUP);
	/* ...but never with a msg_len that could not advance a walk. */
	wr32(buf + 4, 0);
	assert_int_equal(rndis_decode(buf, sizeof(buf), &m), -EBADMSG);
	wr32(buf + 4, 4);
	assert_int_equal(rndis_decode(buf, sizeof(buf), &m), -EBADMSG);
	/* Every known type refuses msg_len one below its fixed length. */
	{
		static const uint32_t types[] = {
			1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80000002, 0x80000004,
			0x80000005, 0x80000006, 0x80000008, 0x80000009,
		};
		size_t i;

		memset(buf, 0, sizeof(buf));
		for (i = 0; i < SN_ARRAY_SIZE(types); i++) {
			uint32_t min = rndis_msg_min_len(types[i]);

			assert_true(min >= 12);
			wr32(buf, types[i]);
			wr32(buf + 4, min - 1);
			assert_int_equal(rndis_decode(buf, sizeof(buf), &m),
					 -EBADMSG);
			wr32(buf + 4, min);
			assert_int_equal(rndis_decode(buf, sizeof(buf), &m),
					 (int)min);
		}
	}
	/* NULL arguments. */
	assert_int_equal(rndis_decode(NULL, 24, &m), -EINVAL);
	assert_int_equal(rndis_decode(linux_init_req, 24, NULL), -EINVAL);
}

static void
test_malformed_packet(void **state)
{
	const size_t data_off = offsetof(struct rndis_wire_packet,
					 data_offset);
	const size_t data_len = offsetof(struct rndis_wire_packet, data_len);
	const size_t ppi_off = offsetof(struct rndis_wire_packet,
					per_pkt_info_offset);
	const size_t ppi_len = offsetof(struct rndis_wire_packet,
					per_pkt_info_len);
	const size_t oob_off = offsetof(struct rndis_wire_packet,
					oob_data_offset);
	const size_t oob_len = offsetof(struct rndis_wire_packet,
					oob_data_len);
	struct rndis_msg m;
	uint8_t vec[256];
	size_t n;

	(void)state;
	/* Baseline is good. */
	packet_with(vec, &n, data_off, 68);
	assert_int_equal(rndis_decode(vec, n, &m), 130);

	/* PACKET msg_len shorter than its 44-byte header. */
	packet_with(vec, &n, 4, 40);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	/* msg_len beyond the buffer. */
	packet_with(vec, &n, 4, 131);
	assert_int_equal(rndis_decode(vec, n, &m), -EMSGSIZE);

	/* data_offset + data_len overflows u32. */
	packet_with(vec, &n, data_off, 0xFFFFFFF0u);
	wr32(vec + data_len, 0x20);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	packet_with(vec, &n, data_len, 0xFFFFFFF0u);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	/* Data one byte past msg_len (body is 130 - 8 = 122 bytes). */
	packet_with(vec, &n, data_len, 122 - 68 + 1);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	/* Data ending exactly at msg_len is fine. */
	packet_with(vec, &n, data_len, 122 - 68);
	assert_int_equal(rndis_decode(vec, n, &m), 130);
	/* Data offset beyond the message. */
	packet_with(vec, &n, data_off, 200);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	/* Data overlapping the PACKET header (offset < 36). */
	packet_with(vec, &n, data_off, 20);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	/* Data overlapping the PPI area. */
	packet_with(vec, &n, data_off, 60);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);

	/* PPI area: overflow, outside, over the header. */
	packet_with(vec, &n, ppi_off, 0xFFFFFFF0u);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	packet_with(vec, &n, ppi_len, 0xFFFFFFE0u);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	packet_with(vec, &n, ppi_off, 8);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	/* Empty PPI area: its offset is not looked at. */
	packet_with(vec, &n, ppi_len, 0);
	wr32(vec + ppi_off, 0xFFFFFFFFu);
	assert_int_equal(rndis_decode(vec, n, &m), 130);
	assert_null(m.u.packet.ppi);

	/* OOB area outside the message, and over the data. */
	packet_with(vec, &n, oob_len, 8);
	wr32(vec + oob_off, 0xFFFFFFFCu);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	packet_with(vec, &n, oob_len, 8);
	wr32(vec + oob_off, 68);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	/* OOB over the PPI area (data moved out of the way). */
	packet_with(vec, &n, oob_len, 8);
	wr32(vec + oob_off, 40);
	wr32(vec + data_len, 40);
	wr32(vec + data_off, 80);
	assert_int_equal(rndis_decode(vec, n, &m), -EBADMSG);
	wr32(vec + oob_off, 68);		/* now in the gap: fine */
	wr32(vec + oob_len, 12);
	assert_int_equal(rndis_decode(vec, n, &m), 130);
	assert_ptr_equal(m.u.packet.oob, vec + 8 + 68);

	/* Zero-length data is framing-valid (the caller drops runts). */
	packet_with(vec, &n, data_len, 0);
	wr32(vec + data_off, 0xFFFFFFFFu);
	assert_int_equal(rndis_decode(vec, n, &m), 130);
	assert_null(m.u.packet.data);
}

static void
test_malformed_info(void **state)
{
	struct rndis_msg m;
	uint8_t buf[64];

	(void)state;
	/* SET with info past msg_len. */
	memcpy(buf, linux_set_filter, sizeof(linux_set_filter));
	wr32(buf + 16, 5);
	assert_int_equal(rndis_decode(buf, sizeof(linux_set_filter), &m),
			 -EBADMSG);
	/* Offset + length overflow. */
	memcpy(buf, linux_set_filter, sizeof(linux_set_filter));
	wr32(buf + 20, 0xFFFFFFF0u);
	wr32(buf + 16, 0x20);
	assert_int_equal(rndis_decode(buf, sizeof(linux_set_filter), &m),
			 -EBADMSG);
	/* Offset inside the fixed fields. */
	memcpy(buf, linux_set_filter, sizeof(linux_set_filter));
	wr32(buf + 20, 16);
	assert_int_equal(rndis_decode(buf, sizeof(linux_set_filter), &m),
			 -EBADMSG);
	/* Offset past the message. */
	memcpy(buf, linux_set_filter, sizeof(linux_set_filter));
	wr32(buf + 20, 24);
	assert_int_equal(rndis_decode(buf, sizeof(linux_set_filter), &m),
			 -EBADMSG);
	/* QUERY with a zero-length buffer: any offset accepted. */
	memcpy(buf, linux_query_mac, sizeof(linux_query_mac));
	wr32(buf + 20, 0xFFFFFFFFu);
	assert_int_equal(rndis_decode(buf, sizeof(linux_query_mac), &m), 28);
	assert_null(m.u.oid_req.info);

	/* QUERY completion: info past the end / inside fixed fields. */
	memcpy(buf, host_query_cmplt_mac, sizeof(host_query_cmplt_mac));
	wr32(buf + 16, 7);
	assert_int_equal(rndis_decode(buf, sizeof(host_query_cmplt_mac), &m),
			 -EBADMSG);
	memcpy(buf, host_query_cmplt_mac, sizeof(host_query_cmplt_mac));
	wr32(buf + 20, 12);
	assert_int_equal(rndis_decode(buf, sizeof(host_query_cmplt_mac), &m),
			 -EBADMSG);
	memcpy(buf, host_query_cmplt_mac, sizeof(host_query_cmplt_mac));
	wr32(buf + 20, 0xFFFFFFFEu);
	assert_int_equal(rndis_decode(buf, sizeof(host_query_cmplt_mac), &m),
			 -EBADMSG);

	/* INDICATE: status buffer past the end / over the fixed fields. */
	assert_int_equal(rndis_encode_indicate(buf, sizeof(buf),
					       RNDIS_STATUS_LINK_SPEED_CHANGE,
					       "abcd", 4), 24);
	wr32(buf + 12, 5);
	assert_int_equal(rndis_decode(buf, 24, &m), -EBADMSG);
	wr32(buf + 12, 4);
	wr32(buf + 16, 8);
	assert_int_equal(rndis_decode(buf, 24, &m), -EBADMSG);
	wr32(buf + 16, 0xFFFFFFFFu);
	assert_int_equal(rndis_decode(buf, 24, &m), -EBADMSG);
}

/* Three Linux PACKETs batched in one send section, each padded to 8. */
static size_t
make_batch(uint8_t *buf, size_t cap, uint32_t count, size_t *starts)
{
	struct rndis_ppi_set ppis;
	size_t off = 0;
	uint32_t i, data_len, pad;
	int hdr, len;

	for (i = 0; i < count; i++) {
		memset(&ppis, 0, sizeof(ppis));
		ppis.present = RNDIS_PPIF_CSUM;
		ppis.csum = rndis_csum_tx_make(RNDIS_TXCSUM_IPV4 |
					       RNDIS_TXCSUM_UDP, 34);
		data_len = 60 + i * 3;		/* 60, 63, 66 */
		starts[i] = off;
		hdr = rndis_packet_encode_hdr(buf + off, cap - off, &ppis,
					      data_len);
		assert_int_equal(hdr, 60);
		memset(buf + off + (size_t)hdr, (int)(0x10 + i), data_len);
		len = hdr + (int)data_len;
		pad = (uint32_t)((8 - len % 8) % 8);
		memset(buf + off + (size_t)len, 0, pad);
		assert_int_equal(rndis_packet_add_padding(buf + off, pad),
				 len + (int)pad);
		off += (size_t)len + pad;
	}
	return off;
}

static void
test_batch_walk(void **state)
{
	struct rndis_iter it;
	struct rndis_msg m;
	uint8_t buf[1024];
	size_t starts[4];
	size_t n, off;
	int i;

	(void)state;
	n = make_batch(buf, sizeof(buf), 3, starts);
	assert_int_equal(n, 120 + 128 + 128);	/* 120, 123->128, 126->128 */

	assert_int_equal(rndis_iter_init(&it, buf, n, 8), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rndis_iter_next(&it, &m), 1);
		assert_int_equal(m.type, RNDIS_MSG_PACKET);
		assert_int_equal(m.u.packet.data_len, 60 + i * 3);
		assert_ptr_equal(m.u.packet.data, buf + starts[i] + 60);
		assert_int_equal(m.u.packet.data[0], 0x10 + i);
		assert_int_equal(m.len % 8, 0);
	}
	assert_int_equal(rndis_iter_next(&it, &m), 0);
	assert_int_equal(rndis_iter_next(&it, &m), 0);

	/* The same with rndis_next(). */
	off = 0;
	for (i = 0; i < 3; i++) {
		assert_int_equal(rndis_next(buf, n, &off, &m), 1);
		assert_int_equal(off, i == 2 ? n : starts[i + 1]);
	}
	assert_int_equal(rndis_next(buf, n, &off, &m), 0);

	/* A 4th message truncated by the section end: 3 then -EMSGSIZE. */
	n = make_batch(buf, sizeof(buf), 4, starts);
	assert_int_equal(rndis_iter_init(&it, buf, n - 1, 8), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rndis_iter_next(&it, &m), 1);
	}
	assert_int_equal(rndis_iter_next(&it, &m), -EMSGSIZE);
	assert_int_equal(rndis_iter_next(&it, &m), -EMSGSIZE);	/* sticky */
	off = starts[3];
	assert_int_equal(rndis_next(buf, n - 1, &off, &m), -EMSGSIZE);
	assert_int_equal(off, starts[3]);

	/* Only 5 bytes of a 4th header left: -EMSGSIZE as well. */
	assert_int_equal(rndis_iter_init(&it, buf, starts[3] + 5, 8), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rndis_iter_next(&it, &m), 1);
	}
	assert_int_equal(rndis_iter_next(&it, &m), -EMSGSIZE);

	/* Cap: 4 good messages with max 3 -> -ERANGE at the 4th. */
	assert_int_equal(rndis_iter_init(&it, buf, n, 3), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rndis_iter_next(&it, &m), 1);
	}
	assert_int_equal(rndis_iter_next(&it, &m), -ERANGE);
	assert_int_equal(rndis_iter_next(&it, &m), -ERANGE);
}

static void
test_batch_bad_framing(void **state)
{
	struct rndis_iter it;
	struct rndis_msg m;
	uint8_t buf[1024];
	size_t starts[4];
	size_t n;

	(void)state;
	/* msg_len 0 in the middle: an error, never an endless loop. */
	n = make_batch(buf, sizeof(buf), 3, starts);
	wr32(buf + starts[1] + 4, 0);
	assert_int_equal(rndis_iter_init(&it, buf, n, 64), 0);
	assert_int_equal(rndis_iter_next(&it, &m), 1);
	assert_int_equal(rndis_iter_next(&it, &m), -EBADMSG);
	assert_int_equal(rndis_iter_next(&it, &m), -EBADMSG);

	/* An unknown type is skipped by its msg_len; the walk goes on. */
	n = make_batch(buf, sizeof(buf), 3, starts);
	wr32(buf + starts[1], 0x0000007F);
	assert_int_equal(rndis_iter_init(&it, buf, n, 64), 0);
	assert_int_equal(rndis_iter_next(&it, &m), 1);
	assert_int_equal(rndis_iter_next(&it, &m), -ENOTSUP);
	assert_int_equal(m.type, 0x7F);
	assert_int_equal(rndis_iter_next(&it, &m), 1);
	assert_ptr_equal(m.u.packet.data, buf + starts[2] + 60);
	assert_int_equal(rndis_iter_next(&it, &m), 0);

	/* A bad PACKET body stops the walk. */
	n = make_batch(buf, sizeof(buf), 3, starts);
	wr32(buf + starts[0] + 12, 0xFFFFFFFFu);	/* data_len */
	assert_int_equal(rndis_iter_init(&it, buf, n, 64), 0);
	assert_int_equal(rndis_iter_next(&it, &m), -EBADMSG);

	/* Argument checks. */
	assert_int_equal(rndis_iter_init(&it, buf, n, 0), -EINVAL);
	assert_int_equal(rndis_iter_init(&it, NULL, 4, 1), -EINVAL);
	assert_int_equal(rndis_iter_init(NULL, buf, n, 1), -EINVAL);
	assert_int_equal(rndis_iter_init(&it, NULL, 0, 1), 0);
	assert_int_equal(rndis_iter_next(&it, &m), 0);
	n = 5;
	assert_int_equal(rndis_next(buf, 4, &n, &m), -EINVAL);
}

static void
test_encoder_errors(void **state)
{
	struct rndis_ppi_set ppis;
	struct rndis_init_cmplt c;
	struct rndis_msg msg;
	uint8_t buf[128];

	(void)state;
	rndis_init_cmplt_defaults(&c, 1, 0);
	assert_int_equal(rndis_encode_init_cmplt(buf, 51, &c), -EMSGSIZE);
	assert_int_equal(rndis_encode_init_cmplt(NULL, 64, &c), -EINVAL);
	assert_int_equal(rndis_encode_init_cmplt(buf, 64, NULL), -EINVAL);
	assert_int_equal(rndis_encode_query(buf, 27, 1, 1, NULL, 0),
			 -EMSGSIZE);
	assert_int_equal(rndis_encode_set(buf, 31, 1, 1, "abcd", 4),
			 -EMSGSIZE);
	assert_int_equal(rndis_encode_set(buf, sizeof(buf), 1, 1, NULL, 4),
			 -EINVAL);
	assert_int_equal(rndis_encode_query_cmplt(buf, sizeof(buf), 1, 0,
						  buf, 0xFFFFFFF0u), -ERANGE);
	assert_int_equal(rndis_encode_halt(buf, 11, 1), -EMSGSIZE);
	assert_int_equal(rndis_encode_reset_cmplt(buf, 15, 0, 0), -EMSGSIZE);
	assert_int_equal(rndis_encode_indicate(buf, 23, 0, "abcd", 4),
			 -EMSGSIZE);

	/* PACKET header: room, overflow of msg_len, bad PPI bits. */
	memset(&ppis, 0, sizeof(ppis));
	ppis.present = RNDIS_PPIF_VLAN;
	assert_int_equal(rndis_packet_encode_hdr(buf, 59, &ppis, 10),
			 -EMSGSIZE);
	assert_int_equal(rndis_packet_encode_hdr(buf, sizeof(buf), &ppis,
						 0xFFFFFFF0u), -ERANGE);
	assert_int_equal(rndis_packet_encode_hdr(buf, sizeof(buf), &ppis,
						 0xFFFFFFFFu - 60), 60);
	ppis.present = 1u << 20;
	assert_int_equal(rndis_packet_encode_hdr(buf, sizeof(buf), &ppis, 10),
			 -EINVAL);
	/* No PPIs: Linux layout with ppi offset 36, length 0. */
	assert_int_equal(rndis_packet_encode_hdr(buf, sizeof(buf), NULL, 14),
			 44);
	assert_int_equal(rd32(buf + 4), 58);
	assert_int_equal(rd32(buf + 8), 36);
	assert_int_equal(rd32(buf + 28), 36);
	assert_int_equal(rd32(buf + 32), 0);
	assert_int_equal(rndis_packet_add_padding(buf, 6), 64);
	assert_int_equal(rd32(buf + 4), 64);
	assert_int_equal(rndis_packet_add_padding(buf, 0x7FFFFFF0u), -ERANGE);
	assert_int_equal(rndis_packet_add_padding(NULL, 1), -EINVAL);

	memset(&msg, 0, sizeof(msg));
	msg.type = 0x42;
	assert_int_equal(rndis_encode(buf, sizeof(buf), &msg), -ENOTSUP);
	msg.type = RNDIS_MSG_PACKET;
	msg.u.packet.data_len = 4;		/* data NULL */
	assert_int_equal(rndis_encode(buf, sizeof(buf), &msg), -EINVAL);
	assert_int_equal(rndis_encode(buf, sizeof(buf), NULL), -EINVAL);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(rndis_msg_type_name(RNDIS_MSG_INIT_CMPLT),
			    "MSG_INIT_CMPLT");
	assert_string_equal(rndis_msg_type_name(RNDIS_MSG_PACKET),
			    "MSG_PACKET");
	assert_string_equal(rndis_msg_type_name(0x80000001u), "UNKNOWN");
	assert_string_equal(rndis_status_name(RNDIS_STATUS_INVALID_DATA),
			    "STATUS_INVALID_DATA");
	assert_string_equal(rndis_status_name(0x12345678u), "UNKNOWN");
	assert_string_equal(
		rndis_oid_name(RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES),
		"OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES");
	assert_string_equal(rndis_oid_name(0), "UNKNOWN");
	assert_int_equal(rndis_msg_min_len(RNDIS_MSG_PACKET), 44);
	assert_int_equal(rndis_msg_min_len(RNDIS_MSG_INIT_CMPLT), 52);
	assert_int_equal(rndis_msg_min_len(0x42), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_init_req),
		cmocka_unit_test(test_linux_query_mac),
		cmocka_unit_test(test_linux_set_filter),
		cmocka_unit_test(test_linux_packet_csum_vlan),
		cmocka_unit_test(test_host_init_cmplt),
		cmocka_unit_test(test_host_query_cmplt_mac),
		cmocka_unit_test(test_indicate),
		cmocka_unit_test(test_small_vectors),
		cmocka_unit_test(test_roundtrip_all_types),
		cmocka_unit_test(test_malformed_header),
		cmocka_unit_test(test_malformed_packet),
		cmocka_unit_test(test_malformed_info),
		cmocka_unit_test(test_batch_walk),
		cmocka_unit_test(test_batch_bad_framing),
		cmocka_unit_test(test_encoder_errors),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
