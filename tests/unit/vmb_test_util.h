/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_test_util.h - wire vectors shared by the VMBus unit tests
 * (test_vmb_pkt.c, test_vmb_ring.c).
 */
#ifndef VMB_TEST_UTIL_H
#define VMB_TEST_UTIL_H

#include <stdint.h>

/*
 * Inband NVSP INIT as Linux netvsc sends it (the first packet it sends):
 * derived from drivers/net/hyperv/netvsc.c negotiate_nvsp_ver()
 * (NVSP_MSG_TYPE_INIT = msg_type 1, min = max = NVSP_PROTOCOL_VERSION_61 =
 * NVSP 6.1 = 0x00060001, 40-byte struct nvsp_message) sent by
 * drivers/hv/channel.c vmbus_sendpacket() with VM_PKT_DATA_INBAND (type 6)
 * and VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED: offset8 = 16 / 8 = 2,
 * len8 = (16 + 40) / 8 = 7.  The trans_id is illustrative (a kernel
 * address, as kernels before the 5.12 request-id allocator sent; newer
 * ones send a small request-id).
 */
static const uint8_t nvsp_init_pkt[56] = {
	0x06, 0x00, 0x02, 0x00, 0x07, 0x00, 0x01, 0x00,
	0x40, 0x3c, 0x2b, 0x0a, 0x81, 0x88, 0xff, 0xff,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00,
	0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

#endif /* VMB_TEST_UTIL_H */
