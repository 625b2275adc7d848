/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ndis_obj.c - NDIS object codec: byte-exact vectors of what a Linux
 * netvsc guest sends, our capability object run through the checks Linux
 * makes, round trips, the offload mask step and every malformed class.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "ndis_obj.h"

/* ----------------------------------------------------------------------
 * Vectors
 * ---------------------------------------------------------------------- */

/*
 * NDIS_OFFLOAD_PARAMETERS a Linux 6.x guest sends at probe, NVSP >= 5,
 * when the host offers every offload (our capability object below):
 * derived from drivers/net/hyperv/rndis_filter.c rndis_netdev_set_hwcaps()
 * + rndis_filter_set_offload_params() (header {0x80, 3, 28}): ip_v4_csum
 * TX_RX_DISABLED (1), tcp/udp v4/v6 TX_RX_ENABLED (4), lso_v2 ENABLED (2)
 * for both; NETIF_F_LRO is not yet in net->features during probe, so
 * rsc_ip_v4/v6 = RSC_DISABLED (1).  Padding bytes are 0 (memset).
 */
static const uint8_t linux_params_probe[28] = {
	0x80, 0x03, 0x1c, 0x00,			/* hdr: DEFAULT, rev 3, 28 */
	0x01, 0x04, 0x04, 0x04, 0x04,		/* ip4 off, tcp4..udp6 TXRX */
	0x00, 0x00,				/* lsov1, ipsecv1: no change */
	0x02, 0x02,				/* lsov2 ip4, ip6: on */
	0x00, 0x00, 0x00,			/* tcp conn, pad */
	0x00, 0x00, 0x00, 0x00,			/* flags */
	0x00, 0x00,				/* ipsecv2 */
	0x01, 0x01,				/* rsc ip4, ip6: off */
	0x00, 0x00, 0x00, 0x00,			/* encap, types, pad */
};

/*
 * Same function on re-attach (MTU/channel change, netvsc_attach()): LRO
 * is now in net->features, so rsc = RSC_ENABLED (2).
 */
static const uint8_t linux_params_reattach[28] = {
	0x80, 0x03, 0x1c, 0x00,
	0x01, 0x04, 0x04, 0x04, 0x04,
	0x00, 0x00,
	0x02, 0x02,
	0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
	0x02, 0x02,
	0x00, 0x00, 0x00, 0x00,
};

/*
 * NVSP <= 4: rndis_filter_set_offload_params() sends revision 3 with
 * size VERSION_4_OFFLOAD_SIZE (22) and clears udp_ip_v4/v6_csum.  The
 * hwcaps query was revision 2 (no RSC), so rsc would be 0 anyway and is
 * beyond the size.
 */
static const uint8_t linux_params_nvsp4[22] = {
	0x80, 0x03, 0x16, 0x00,
	0x01, 0x04, 0x00, 0x04, 0x00,		/* udp cleared */
	0x00, 0x00,
	0x02, 0x02,
	0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
};

/*
 * drivers/net/hyperv/netvsc_drv.c netvsc_set_features() on "ethtool -K
 * eth0 lro on": everything 0 (no change) except rsc_ip_v4/v6 = 2.
 */
static const uint8_t linux_params_lro_on[28] = {
	0x80, 0x03, 0x1c, 0x00,
	[22] = 0x02, [23] = 0x02,
};

/* Microsoft default RSS key = Linux rndis_filter.c netvsc_hash_key. */
static const uint8_t ms_key[NDIS_RSS_KEY_SIZE] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/*
 * Fixed part of the NDIS_RECEIVE_SCALE_PARAMETERS Linux sends, from
 * rndis_filter.c rndis_set_rss_param_msg() with the struct
 * ndis_recv_scale_param layout of hyperv_net.h (not packed: 2-byte holes
 * after indirect_tabsize and hashkey_size): hdr {0x89, 2, 40}, flag,
 * hashinfo = TOEPLITZ|IPV4|TCP_IPV4|IPV6|TCP_IPV6 = 0x1701, 128 entries =
 * 512 bytes at sizeof(struct) = 40, key 40 bytes at 40 + 512 = 552.
 * rx_table_sz = 128 (we report 128 entries).  flag byte [4] is 0x10 for
 * the first (DISABLE_RSS) message of rndis_filter_set_rss_param() and 0
 * for the second.
 */
static const uint8_t linux_rss_fixed[40] = {
	0x89, 0x02, 0x28, 0x00,		/* hdr: RSS_PARAMETERS, rev 2, 40 */
	0x00, 0x00,			/* flag */
	0x00, 0x00,			/* base_cpu_number */
	0x01, 0x17, 0x00, 0x00,		/* hashinfo 0x1701 */
	0x00, 0x02, 0x00, 0x00,		/* indirect_tabsize 512, hole */
	0x28, 0x00, 0x00, 0x00,		/* indirect_taboffset 40 */
	0x28, 0x00, 0x00, 0x00,		/* hashkey_size 40, hole */
	0x28, 0x02, 0x00, 0x00,		/* hashkey_offset 552 */
	0x00, 0x00, 0x00, 0x00,		/* processor_masks_offset */
	0x00, 0x00, 0x00, 0x00,		/* num_processor_masks */
	0x00, 0x00, 0x00, 0x00,		/* processor_masks_entry_size */
};

#define LINUX_RSS_LEN 592	/* 40 + 512 + 40 */

/*
 * Build the full Linux RSS object: table from ethtool_rxfh_indir_default()
 * = i % nchn, little-endian u32 per entry, then the key.
 */
static void
linux_rss_build(uint8_t *b, uint16_t flag, uint32_t nchn)
{
	uint32_t i;

	memcpy(b, linux_rss_fixed, sizeof(linux_rss_fixed));
	b[4] = (uint8_t)flag;
	b[5] = (uint8_t)(flag >> 8);
	for (i = 0; i < 128; i++) {
		uint32_t q = i % nchn;

		b[40 + 4 * i] = (uint8_t)q;
		b[41 + 4 * i] = (uint8_t)(q >> 8);
		b[42 + 4 * i] = (uint8_t)(q >> 16);
		b[43 + 4 * i] = (uint8_t)(q >> 24);
	}
	memcpy(b + 552, ms_key, sizeof(ms_key));
}

/* What our backend can do: everything, both directions. */
static const struct ndis_offload_config all_caps = {
	.ip4_csum = NDIS_OFL_TX_RX,
	.tcp4_csum = NDIS_OFL_TX_RX,
	.udp4_csum = NDIS_OFL_TX_RX,
	.tcp6_csum = NDIS_OFL_TX_RX,
	.udp6_csum = NDIS_OFL_TX_RX,
	.lsov2_ip4 = 1,
	.lsov2_ip6 = 1,
	.rsc_ip4 = 1,
	.rsc_ip6 = 1,
};

#define LSO_MAX 62780	/* OpenVMM netvsp value */
#define LSO_MIN_SEGS 2

/*
 * Our NDIS_OFFLOAD rev 3 for all_caps, byte-exact.  ip4 flags
 * IP_OPTIONS|TCP_OPTIONS|TCP|UDP|IP = 0x155, ip6 flags
 * IP_EXT|TCP_OPTIONS|TCP|UDP = 0x55, encapsulation 802.3 (2) where on,
 * LSOv2 62780 / 2 segs, ip6_opts 5, rsc 1/1.
 */
static const uint8_t our_offload_rev3[156] = {
	0xa7, 0x03, 0x9c, 0x00,
	[4] = 0x02, [8] = 0x55, [9] = 0x01,	/* ip4 tx encap, flags */
	[12] = 0x02, [16] = 0x55, [17] = 0x01,	/* ip4 rx */
	[20] = 0x02, [24] = 0x55,		/* ip6 tx */
	[28] = 0x02, [32] = 0x55,		/* ip6 rx */
	[80] = 0x02,				/* lsov2 ip4 encap */
	[84] = 0x3c, [85] = 0xf5,		/* ip4 max 62780 */
	[88] = 0x02,				/* ip4 min segs */
	[92] = 0x02,				/* ip6 encap */
	[96] = 0x3c, [97] = 0xf5,		/* ip6 max */
	[100] = 0x02,				/* ip6 min segs */
	[104] = 0x05,				/* ip6 opts */
	[144] = 0x01, [145] = 0x01,		/* rsc ip4, ip6 */
};

/* ----------------------------------------------------------------------
 * Linux guest emulation (tests only)
 * ---------------------------------------------------------------------- */

/*
 * rndis_query_hwcaps(): type OFFLOAD, revision >= 1, size <= returned
 * length and >= NDIS_OFFLOAD_SIZE_6_0 (112).  Linux copies the raw struct
 * (memset 0 first), which our decoder reproduces.
 */
static int
linux_query_hwcaps(const uint8_t *b, size_t len, struct ndis_offload *caps)
{
	if (len > NDIS_OFFLOAD_SIZE_REV_3) {
		return -1;	/* info_buflen > inresult_size */
	}
	if (b[0] != 0xa7 || b[1] < 1) {
		return -1;
	}
	if ((size_t)(b[2] | b[3] << 8) > len || (b[2] | b[3] << 8) < 112) {
		return -1;
	}
	return ndis_offload_decode(b, len, caps) == 0 ? 0 : -1;
}

/*
 * rndis_netdev_set_hwcaps() + rndis_filter_set_offload_params(): the
 * params Linux derives from caps.  lro: NETIF_F_LRO in net->features.
 */
static void
linux_set_hwcaps(const struct ndis_offload *hw, int lro, int nvsp_ge5,
		 struct ndis_offload_params *p, int *tso4, int *tso6)
{
	memset(p, 0, sizeof(*p));
	*tso4 = 0;
	*tso6 = 0;
	p->ip4_csum = NDIS_OFFLOAD_PARAM_OFF;
	if ((hw->csum.ip4_tx_flags & NDIS_LINUX_TCP4_CSUM_REQ) ==
	    NDIS_LINUX_TCP4_CSUM_REQ) {
		p->tcp4_csum = NDIS_OFFLOAD_PARAM_TX_RX;
		if (hw->lsov2.ip4_encap & NDIS_ENCAP_IEEE_802_3) {
			p->lsov2_ip4 = NDIS_OFFLOAD_SET_ON;
			*tso4 = 1;
		}
		if (hw->csum.ip4_tx_flags & NDIS_CSUM4_UDP) {
			p->udp4_csum = NDIS_OFFLOAD_PARAM_TX_RX;
		}
	}
	if ((hw->csum.ip6_tx_flags & NDIS_LINUX_TCP6_CSUM_REQ) ==
	    NDIS_LINUX_TCP6_CSUM_REQ) {
		p->tcp6_csum = NDIS_OFFLOAD_PARAM_TX_RX;
		if ((hw->lsov2.ip6_encap & NDIS_ENCAP_IEEE_802_3) &&
		    (hw->lsov2.ip6_opts & NDIS_LINUX_LSO6_OPTS_REQ) ==
		    NDIS_LINUX_LSO6_OPTS_REQ) {
			p->lsov2_ip6 = NDIS_OFFLOAD_SET_ON;
			*tso6 = 1;
		}
		if (hw->csum.ip6_tx_flags & NDIS_CSUM6_UDP) {
			p->udp6_csum = NDIS_OFFLOAD_PARAM_TX_RX;
		}
	}
	if (hw->rsc_ip4 && hw->rsc_ip6) {
		p->rsc_ip4 = lro ? NDIS_OFFLOAD_SET_ON : NDIS_OFFLOAD_SET_OFF;
		p->rsc_ip6 = p->rsc_ip4;
	}
	p->revision = NDIS_OFFLOAD_PARAMS_REV_3;
	p->size = NDIS_OFFLOAD_PARAMS_SIZE_FULL;
	if (!nvsp_ge5) {
		p->size = NDIS_OFFLOAD_PARAMS_SIZE_REV_2;
		p->udp4_csum = 0;
		p->udp6_csum = 0;
	}
}

/* ----------------------------------------------------------------------
 * Object header
 * ---------------------------------------------------------------------- */

static void
test_hdr(void **state)
{
	struct ndis_obj_hdr h = { 0x89, 2, 0x0228 }, d;
	uint8_t b[8];

	(void)state;
	memset(b, 0xee, sizeof(b));
	assert_int_equal(ndis_obj_hdr_encode(&h, b, sizeof(b)), 4);
	assert_int_equal(b[0], 0x89);
	assert_int_equal(b[1], 0x02);
	assert_int_equal(b[2], 0x28);
	assert_int_equal(b[3], 0x02);
	assert_int_equal(b[4], 0xee);
	assert_int_equal(ndis_obj_hdr_encode(&h, b, 3), -EMSGSIZE);
	assert_int_equal(ndis_obj_hdr_encode(NULL, b, 4), -EINVAL);

	assert_int_equal(ndis_obj_hdr_decode(b, 4, &d), 0);
	assert_int_equal(d.type, 0x89);
	assert_int_equal(d.revision, 2);
	assert_int_equal(d.size, 0x228);
	assert_int_equal(ndis_obj_hdr_decode(b, 3, &d), -EMSGSIZE);
	assert_int_equal(ndis_obj_hdr_decode(NULL, 4, &d), -EINVAL);

	assert_int_equal(ndis_obj_hdr_validate(&d, 0x228, 0x89, 2, 40), 0);
	assert_int_equal(ndis_obj_hdr_validate(&d, 0x227, 0x89, 2, 40),
			 -EMSGSIZE);
	assert_int_equal(ndis_obj_hdr_validate(&d, 0x228, 0x88, 2, 40),
			 -EBADMSG);
	assert_int_equal(ndis_obj_hdr_validate(&d, 0x228, 0x89, 3, 40),
			 -EBADMSG);
	assert_int_equal(ndis_obj_hdr_validate(&d, 0x300, 0x89, 2, 0x229),
			 -EBADMSG);
	d.revision = 0;
	assert_int_equal(ndis_obj_hdr_validate(&d, 0x228, 0x89, 0, 4),
			 -EBADMSG);
	d.revision = 1;
	d.size = 3;
	assert_int_equal(ndis_obj_hdr_validate(&d, 0x228, 0x89, 0, 0),
			 -EBADMSG);
}

/* ----------------------------------------------------------------------
 * NDIS_OFFLOAD
 * ---------------------------------------------------------------------- */

/* Our capability object, byte-exact, then through Linux's checks. */
static void
test_offload_caps_vector_linux_view(void **state)
{
	struct ndis_offload o, hw;
	struct ndis_offload_params p, exp;
	uint8_t b[200];
	int tso4, tso6;

	(void)state;
	assert_int_equal(ndis_offload_from_config(&all_caps, 3, LSO_MAX,
						  LSO_MIN_SEGS, &o), 0);
	memset(b, 0xee, sizeof(b));
	assert_int_equal(ndis_offload_encode(&o, b, sizeof(b)), 156);
	assert_memory_equal(b, our_offload_rev3, sizeof(our_offload_rev3));
	assert_int_equal(b[156], 0xee);

	/* Linux accepts it and turns on exactly what we offer. */
	assert_int_equal(linux_query_hwcaps(b, 156, &hw), 0);
	assert_int_equal(hw.csum.ip4_tx_flags & 0x14, 0x14);
	linux_set_hwcaps(&hw, 0, 1, &p, &tso4, &tso6);
	assert_true(tso4);
	assert_true(tso6);
	assert_int_equal(ndis_offload_params_encode(&p, b, sizeof(b)), 28);
	assert_memory_equal(b, linux_params_probe, 28);
	linux_set_hwcaps(&hw, 1, 1, &p, &tso4, &tso6);
	assert_int_equal(ndis_offload_params_encode(&p, b, sizeof(b)), 28);
	assert_memory_equal(b, linux_params_reattach, 28);

	/* And what we decode is what Linux asked for. */
	assert_int_equal(ndis_offload_params_decode(linux_params_reattach, 28,
						    &exp), 0);
	assert_memory_equal(&exp.ip4_csum, &p.ip4_csum, 11);
	assert_int_equal(exp.rsc_ip4, p.rsc_ip4);
}

/* Linux's checks, flag by flag: a missing option bit disables the path. */
static void
test_offload_linux_feature_gates(void **state)
{
	struct ndis_offload_config c = all_caps;
	struct ndis_offload o;
	struct ndis_offload_params p;
	int tso4, tso6;

	(void)state;
	assert_int_equal(ndis_offload_from_config(&c, 3, LSO_MAX, 2, &o), 0);
	o.csum.ip4_tx_flags = NDIS_CSUM4_TCP;	/* no TCP options */
	linux_set_hwcaps(&o, 0, 1, &p, &tso4, &tso6);
	assert_int_equal(p.tcp4_csum, 0);
	assert_int_equal(p.udp4_csum, 0);	/* gated by TCP too */
	assert_int_equal(p.lsov2_ip4, 0);
	assert_false(tso4);

	o.lsov2.ip6_opts = NDIS_LSOV2_6_TCP_OPTIONS;	/* no ext headers */
	linux_set_hwcaps(&o, 0, 1, &p, &tso4, &tso6);
	assert_int_equal(p.tcp6_csum, NDIS_OFFLOAD_PARAM_TX_RX);
	assert_int_equal(p.lsov2_ip6, 0);

	/* Config without RSC on one family: Linux leaves rsc "no change". */
	c.rsc_ip6 = 0;
	assert_int_equal(ndis_offload_from_config(&c, 3, LSO_MAX, 2, &o), 0);
	linux_set_hwcaps(&o, 1, 1, &p, &tso4, &tso6);
	assert_int_equal(p.rsc_ip4, 0);
	assert_int_equal(p.rsc_ip6, 0);

	/* Rev 1 object: no RSC bytes at all. */
	c = all_caps;
	assert_int_equal(ndis_offload_from_config(&c, 1, LSO_MAX, 2, &o), 0);
	assert_int_equal(o.rsc_ip4, 0);
	assert_int_equal(ndis_offload_from_config(&c, 4, LSO_MAX, 2, &o),
			 -EINVAL);
	assert_int_equal(ndis_offload_from_config(NULL, 3, 0, 0, &o), -EINVAL);
}

/* Fill every field with a distinct value. */
static void
offload_fill(struct ndis_offload *o, uint8_t rev)
{
	uint32_t v = 0x01020304;
	size_t i;

	memset(o, 0, sizeof(*o));
	o->revision = rev;
	o->csum.ip4_tx_encap = v++;
	o->csum.ip4_tx_flags = v++;
	o->csum.ip4_rx_encap = v++;
	o->csum.ip4_rx_flags = v++;
	o->csum.ip6_tx_encap = v++;
	o->csum.ip6_tx_flags = v++;
	o->csum.ip6_rx_encap = v++;
	o->csum.ip6_rx_flags = v++;
	o->lsov1.encap = v++;
	o->lsov1.max_size = v++;
	o->lsov1.min_segs = v++;
	o->lsov1.opts = v++;
	for (i = 0; i < 7; i++) {
		o->ipsecv1[i] = v++;
	}
	o->lsov2.ip4_encap = v++;
	o->lsov2.ip4_max_size = v++;
	o->lsov2.ip4_min_segs = v++;
	o->lsov2.ip6_encap = v++;
	o->lsov2.ip6_max_size = v++;
	o->lsov2.ip6_min_segs = v++;
	o->lsov2.ip6_opts = v++;
	o->flags = v++;
	if (rev >= 2) {
		for (i = 0; i < 32; i++) {
			o->ipsecv2[i] = (uint8_t)(0xa0 + i);
		}
	}
	if (rev >= 3) {
		o->rsc_ip4 = 1;
		o->rsc_ip6 = 1;
		o->encap_gre_flags = 0xcafe0001;
		o->encap_gre_max_hdr = 0xcafe0002;
	}
}

static void
test_offload_round_trip(void **state)
{
	static const uint16_t sizes[] = { 0, 112, 144, 156 };
	struct ndis_offload o, d;
	uint8_t b[160];
	uint8_t rev;

	(void)state;
	for (rev = 1; rev <= 3; rev++) {
		offload_fill(&o, rev);
		memset(b, 0xee, sizeof(b));
		assert_int_equal(ndis_offload_encode(&o, b, sizeof(b)),
				 sizes[rev]);
		assert_int_equal(ndis_offload_size(rev), sizes[rev]);
		assert_int_equal(b[0], 0xa7);
		assert_int_equal(b[1], rev);
		assert_int_equal(b[2] | b[3] << 8, sizes[rev]);
		/* spot-check offsets: lsov2.ip4_encap at 80, flags at 108 */
		assert_int_equal(b[80] | b[81] << 8 | b[82] << 16 |
				 (uint32_t)b[83] << 24, o.lsov2.ip4_encap);
		assert_int_equal(b[108] | b[109] << 8 | b[110] << 16 |
				 (uint32_t)b[111] << 24, o.flags);
		assert_int_equal(b[sizes[rev]], 0xee);
		assert_int_equal(ndis_offload_decode(b, sizes[rev], &d), 0);
		assert_memory_equal(&d, &o, sizeof(o));
		assert_int_equal(ndis_offload_encode(&o, b, sizes[rev] - 1),
				 -EMSGSIZE);
	}
	assert_int_equal(b[148], 0x01);	/* encap_gre_flags LE at 148 */
	assert_int_equal(b[151], 0xca);
	o.revision = 0;
	assert_int_equal(ndis_offload_encode(&o, b, sizeof(b)), -EINVAL);
	o.revision = 4;
	assert_int_equal(ndis_offload_encode(&o, b, sizeof(b)), -EINVAL);
	assert_int_equal(ndis_offload_encode(NULL, b, sizeof(b)), -EINVAL);
	assert_int_equal(ndis_offload_size(0), 0);
}

/* Fields the revision does not carry decode as 0; larger sizes are OK. */
static void
test_offload_decode_revisions(void **state)
{
	struct ndis_offload o, d;
	uint8_t b[200];

	(void)state;
	offload_fill(&o, 3);
	assert_int_equal(ndis_offload_encode(&o, b, sizeof(b)), 156);

	b[1] = 2;		/* rev 2, size 156: rsc bytes ignored */
	assert_int_equal(ndis_offload_decode(b, 156, &d), 0);
	assert_int_equal(d.revision, 2);
	assert_int_equal(d.rsc_ip4, 0);
	assert_int_equal(d.encap_gre_flags, 0);
	assert_int_equal(d.ipsecv2[0], 0xa0);

	b[1] = 1;		/* rev 1: no ipsecv2 either */
	assert_int_equal(ndis_offload_decode(b, 156, &d), 0);
	assert_int_equal(d.ipsecv2[0], 0);
	assert_int_equal(d.flags, o.flags);

	b[1] = 2;		/* rev 2 with exactly 144 */
	b[2] = 144;
	assert_int_equal(ndis_offload_decode(b, 144, &d), 0);

	b[1] = 9;		/* unknown newer revision, read as 3 */
	b[2] = 180;
	memset(b + 156, 0x77, 24);
	assert_int_equal(ndis_offload_decode(b, 180, &d), 0);
	assert_int_equal(d.revision, 9);
	assert_int_equal(d.rsc_ip6, 1);
	assert_int_equal(d.encap_gre_max_hdr, 0xcafe0002);
}

static void
test_offload_malformed(void **state)
{
	struct ndis_offload o, d;
	uint8_t b[160], t[160];

	(void)state;
	offload_fill(&o, 3);
	assert_int_equal(ndis_offload_encode(&o, b, sizeof(b)), 156);

	memcpy(t, b, 156);
	t[0] = 0x80;				/* wrong type */
	assert_int_equal(ndis_offload_decode(t, 156, &d), -EBADMSG);
	memcpy(t, b, 156);
	t[1] = 0;				/* revision 0 */
	assert_int_equal(ndis_offload_decode(t, 156, &d), -EBADMSG);
	memcpy(t, b, 156);
	t[2] = 144;				/* rev 3 needs 156 */
	assert_int_equal(ndis_offload_decode(t, 156, &d), -EBADMSG);
	memcpy(t, b, 156);
	t[1] = 2;
	t[2] = 143;				/* rev 2 needs 144 */
	assert_int_equal(ndis_offload_decode(t, 156, &d), -EBADMSG);
	memcpy(t, b, 156);
	t[1] = 1;
	t[2] = 111;				/* rev 1 needs 112 */
	assert_int_equal(ndis_offload_decode(t, 156, &d), -EBADMSG);
	memcpy(t, b, 156);
	t[2] = 0;
	t[3] = 0;				/* size 0 */
	assert_int_equal(ndis_offload_decode(t, 156, &d), -EBADMSG);
	/* size larger than the buffer */
	assert_int_equal(ndis_offload_decode(b, 155, &d), -EMSGSIZE);
	memcpy(t, b, 156);
	t[2] = 0xff;
	t[3] = 0xff;
	assert_int_equal(ndis_offload_decode(t, 156, &d), -EMSGSIZE);
	/* too short for a header */
	assert_int_equal(ndis_offload_decode(b, 3, &d), -EMSGSIZE);
	assert_int_equal(ndis_offload_decode(b, 0, &d), -EMSGSIZE);
	assert_int_equal(ndis_offload_decode(NULL, 156, &d), -EINVAL);
	assert_int_equal(ndis_offload_decode(b, 156, NULL), -EINVAL);
}

/* ----------------------------------------------------------------------
 * NDIS_OFFLOAD_PARAMETERS
 * ---------------------------------------------------------------------- */

static void
test_params_linux_vectors(void **state)
{
	struct ndis_offload_params p;
	uint8_t b[40];

	(void)state;
	assert_int_equal(ndis_offload_params_decode(linux_params_probe, 28,
						    &p), 0);
	assert_int_equal(p.revision, 3);
	assert_int_equal(p.size, 28);
	assert_int_equal(p.ip4_csum, NDIS_OFFLOAD_PARAM_OFF);
	assert_int_equal(p.tcp4_csum, NDIS_OFFLOAD_PARAM_TX_RX);
	assert_int_equal(p.udp4_csum, NDIS_OFFLOAD_PARAM_TX_RX);
	assert_int_equal(p.tcp6_csum, NDIS_OFFLOAD_PARAM_TX_RX);
	assert_int_equal(p.udp6_csum, NDIS_OFFLOAD_PARAM_TX_RX);
	assert_int_equal(p.lsov1, 0);
	assert_int_equal(p.lsov2_ip4, NDIS_OFFLOAD_SET_ON);
	assert_int_equal(p.lsov2_ip6, NDIS_OFFLOAD_SET_ON);
	assert_int_equal(p.rsc_ip4, NDIS_OFFLOAD_SET_OFF);
	assert_int_equal(p.rsc_ip6, NDIS_OFFLOAD_SET_OFF);
	assert_int_equal(p.flags, 0);
	/* re-encode is byte-identical */
	memset(b, 0xee, sizeof(b));
	assert_int_equal(ndis_offload_params_encode(&p, b, sizeof(b)), 28);
	assert_memory_equal(b, linux_params_probe, 28);
	assert_int_equal(b[28], 0xee);

	/* NVSP <= 4: rev 3 with size 22; rsc beyond size = no change */
	memset(b, 0, sizeof(b));
	memcpy(b, linux_params_nvsp4, 22);
	b[22] = 0x02;		/* garbage past the object: must be ignored */
	b[23] = 0x07;		/* (would be -ERANGE if read) */
	assert_int_equal(ndis_offload_params_decode(b, 24, &p), 0);
	assert_int_equal(p.size, 22);
	assert_int_equal(p.udp4_csum, 0);
	assert_int_equal(p.tcp6_csum, NDIS_OFFLOAD_PARAM_TX_RX);
	assert_int_equal(p.rsc_ip4, 0);
	assert_int_equal(p.rsc_ip6, 0);
	memset(b, 0xee, sizeof(b));
	assert_int_equal(ndis_offload_params_encode(&p, b, sizeof(b)), 22);
	assert_memory_equal(b, linux_params_nvsp4, 22);
	assert_int_equal(b[22], 0xee);

	assert_int_equal(ndis_offload_params_decode(linux_params_lro_on, 28,
						    &p), 0);
	assert_int_equal(p.tcp4_csum, NDIS_OFFLOAD_PARAM_NO_CHANGE);
	assert_int_equal(p.lsov2_ip4, NDIS_OFFLOAD_SET_NO_CHANGE);
	assert_int_equal(p.rsc_ip4, NDIS_OFFLOAD_SET_ON);
	assert_int_equal(p.rsc_ip6, NDIS_OFFLOAD_SET_ON);
}

static void
test_params_round_trip(void **state)
{
	struct ndis_offload_params p, d;
	uint8_t b[32];
	uint16_t size;
	uint8_t rev;

	(void)state;
	for (rev = 1; rev <= 3; rev++) {
		for (size = 20; size <= 28; size++) {
			memset(&p, 0, sizeof(p));
			p.revision = rev;
			p.size = size;
			p.ip4_csum = 1;
			p.tcp4_csum = 2;
			p.udp4_csum = 3;
			p.tcp6_csum = 4;
			p.udp6_csum = 1;
			p.lsov1 = 1;
			p.ipsecv1 = 9;
			p.lsov2_ip4 = 2;
			p.lsov2_ip6 = 1;
			p.tcp_conn_ip4 = 5;
			p.tcp_conn_ip6 = 6;
			p.flags = 0xdeadbeef;
			if (rev >= 2) {
				p.ipsecv2 = size > 20 ? 7 : 0;
				p.ipsecv2_ip4 = size > 21 ? 8 : 0;
			}
			if (rev >= 3) {
				p.rsc_ip4 = size > 22 ? 2 : 0;
				p.rsc_ip6 = size > 23 ? 1 : 0;
				p.encap = size > 24 ? 0x11 : 0;
				p.encap_types = size > 25 ? 0x22 : 0;
			}
			assert_int_equal(ndis_offload_params_encode(&p, b,
							sizeof(b)), size);
			assert_int_equal(b[16], 0xef);	/* flags at 16 */
			assert_int_equal(b[19], 0xde);
			assert_int_equal(ndis_offload_params_decode(b, size,
							&d), 0);
			assert_memory_equal(&d, &p, sizeof(p));
		}
	}
	/* rev 1 with size 28: rev 2/3 members neither written nor read */
	memset(&p, 0, sizeof(p));
	p.revision = 1;
	p.size = 28;
	p.rsc_ip4 = 2;
	p.ipsecv2 = 3;
	assert_int_equal(ndis_offload_params_encode(&p, b, sizeof(b)), 28);
	assert_int_equal(b[20], 0);
	assert_int_equal(b[22], 0);
	b[22] = 2;
	assert_int_equal(ndis_offload_params_decode(b, 28, &d), 0);
	assert_int_equal(d.rsc_ip4, 0);

	/* rev 2 with size 28 and every rev 3 byte set: only rev 2 read */
	memcpy(b, linux_params_reattach, 28);
	b[1] = 2;
	b[24] = 0x33;
	b[25] = 0x44;
	assert_int_equal(ndis_offload_params_decode(b, 28, &d), 0);
	assert_int_equal(d.rsc_ip4, 0);
	assert_int_equal(d.rsc_ip6, 0);
	assert_int_equal(d.encap, 0);
	assert_int_equal(d.encap_types, 0);
	b[1] = 3;
	assert_int_equal(ndis_offload_params_decode(b, 28, &d), 0);
	assert_int_equal(d.rsc_ip4, 2);
	assert_int_equal(d.encap_types, 0x44);
	p = d;
	p.revision = 2;		/* encoder drops the rev 3 members */
	assert_int_equal(ndis_offload_params_encode(&p, b, sizeof(b)), 28);
	assert_int_equal(b[22], 0);
	assert_int_equal(b[25], 0);
}

static void
test_params_malformed(void **state)
{
	struct ndis_offload_params p, d;
	uint8_t t[32];

	(void)state;
	memcpy(t, linux_params_probe, 28);
	t[0] = 0xa7;					/* wrong type */
	assert_int_equal(ndis_offload_params_decode(t, 28, &d), -EBADMSG);
	memcpy(t, linux_params_probe, 28);
	t[1] = 0;					/* revision 0 */
	assert_int_equal(ndis_offload_params_decode(t, 28, &d), -EBADMSG);
	memcpy(t, linux_params_probe, 28);
	t[2] = 19;					/* below rev 1 */
	assert_int_equal(ndis_offload_params_decode(t, 28, &d), -EBADMSG);
	/* size larger than buffer */
	assert_int_equal(ndis_offload_params_decode(linux_params_probe, 27,
						    &d), -EMSGSIZE);
	assert_int_equal(ndis_offload_params_decode(linux_params_probe, 2,
						    &d), -EMSGSIZE);
	/* out-of-range values */
	memcpy(t, linux_params_probe, 28);
	t[5] = 5;					/* tcp4 csum */
	assert_int_equal(ndis_offload_params_decode(t, 28, &d), -ERANGE);
	memcpy(t, linux_params_probe, 28);
	t[11] = 3;					/* lsov2 ip4 */
	assert_int_equal(ndis_offload_params_decode(t, 28, &d), -ERANGE);
	memcpy(t, linux_params_probe, 28);
	t[9] = 3;					/* lsov1 */
	assert_int_equal(ndis_offload_params_decode(t, 28, &d), -ERANGE);
	memcpy(t, linux_params_probe, 28);
	t[23] = 0xff;					/* rsc ip6 */
	assert_int_equal(ndis_offload_params_decode(t, 28, &d), -ERANGE);
	t[1] = 2;			/* same byte, rev 2: not read, fine */
	assert_int_equal(ndis_offload_params_decode(t, 28, &d), 0);
	assert_int_equal(ndis_offload_params_decode(NULL, 28, &d), -EINVAL);
	assert_int_equal(ndis_offload_params_decode(t, 28, NULL), -EINVAL);

	/* encoder arguments */
	memset(&p, 0, sizeof(p));
	p.revision = 3;
	p.size = 28;
	assert_int_equal(ndis_offload_params_encode(&p, t, 27), -EMSGSIZE);
	p.size = 19;
	assert_int_equal(ndis_offload_params_encode(&p, t, 32), -EINVAL);
	p.size = 29;
	assert_int_equal(ndis_offload_params_encode(&p, t, 32), -EINVAL);
	p.size = 28;
	p.revision = 0;
	assert_int_equal(ndis_offload_params_encode(&p, t, 32), -EINVAL);
	p.revision = 4;
	assert_int_equal(ndis_offload_params_encode(&p, t, 32), -EINVAL);
	assert_int_equal(ndis_offload_params_encode(NULL, t, 32), -EINVAL);
}

/* ----------------------------------------------------------------------
 * Mask to what we support
 * ---------------------------------------------------------------------- */

static void
test_apply_linux_request(void **state)
{
	struct ndis_offload_config cur, out;
	struct ndis_offload_params p;

	(void)state;
	memset(&cur, 0, sizeof(cur));
	assert_int_equal(ndis_offload_params_decode(linux_params_probe, 28,
						    &p), 0);
	assert_int_equal(ndis_offload_params_apply(&p, &all_caps, &cur,
						   &out), 0);
	assert_int_equal(out.ip4_csum, 0);
	assert_int_equal(out.tcp4_csum, NDIS_OFL_TX_RX);
	assert_int_equal(out.udp4_csum, NDIS_OFL_TX_RX);
	assert_int_equal(out.tcp6_csum, NDIS_OFL_TX_RX);
	assert_int_equal(out.udp6_csum, NDIS_OFL_TX_RX);
	assert_int_equal(out.lsov2_ip4, 1);
	assert_int_equal(out.lsov2_ip6, 1);
	assert_int_equal(out.rsc_ip4, 0);
	assert_int_equal(out.rsc_ip6, 0);

	/* later "ethtool -K lro on": only RSC changes; apply in place */
	cur = out;
	assert_int_equal(ndis_offload_params_decode(linux_params_lro_on, 28,
						    &p), 0);
	assert_int_equal(ndis_offload_params_apply(&p, &all_caps, &cur,
						   &cur), 0);
	assert_int_equal(cur.tcp4_csum, NDIS_OFL_TX_RX);
	assert_int_equal(cur.lsov2_ip6, 1);
	assert_int_equal(cur.rsc_ip4, 1);
	assert_int_equal(cur.rsc_ip6, 1);
}

static void
test_apply_masking(void **state)
{
	struct ndis_offload_config caps, cur, out, keep;
	struct ndis_offload_params p;

	(void)state;
	memset(&caps, 0, sizeof(caps));
	caps.tcp4_csum = NDIS_OFL_TX;	/* TX only */
	caps.udp4_csum = NDIS_OFL_RX;	/* RX only */
	caps.lsov2_ip4 = 1;		/* no LSOv6, no RSC */
	memset(&cur, 0, sizeof(cur));
	cur.tcp4_csum = NDIS_OFL_TX;
	cur.lsov2_ip4 = 1;

	memset(&p, 0, sizeof(p));
	p.tcp4_csum = NDIS_OFFLOAD_PARAM_TX_RX;		/* partial: TX */
	p.udp4_csum = NDIS_OFFLOAD_PARAM_TX;		/* denied */
	p.tcp6_csum = NDIS_OFFLOAD_PARAM_RX;		/* denied */
	p.lsov2_ip6 = NDIS_OFFLOAD_SET_ON;		/* denied */
	p.rsc_ip4 = NDIS_OFFLOAD_SET_ON;		/* denied */
	p.lsov1 = NDIS_OFFLOAD_SET_ON;			/* never */
	p.ipsecv1 = 3;					/* never */
	assert_int_equal(ndis_offload_params_apply(&p, &caps, &cur, &out), 7);
	assert_int_equal(out.tcp4_csum, NDIS_OFL_TX);
	assert_int_equal(out.udp4_csum, 0);
	assert_int_equal(out.tcp6_csum, 0);
	assert_int_equal(out.lsov2_ip6, 0);
	assert_int_equal(out.rsc_ip4, 0);
	assert_int_equal(out.lsov2_ip4, 1);	/* no change keeps cur */

	memset(&p, 0, sizeof(p));
	p.udp4_csum = NDIS_OFFLOAD_PARAM_RX;		/* granted */
	p.tcp4_csum = NDIS_OFFLOAD_PARAM_OFF;
	p.lsov2_ip4 = NDIS_OFFLOAD_SET_OFF;
	p.ipsecv1 = NDIS_OFFLOAD_SET_OFF;		/* off is fine */
	assert_int_equal(ndis_offload_params_apply(&p, &caps, &cur, &out), 0);
	assert_int_equal(out.udp4_csum, NDIS_OFL_RX);
	assert_int_equal(out.tcp4_csum, 0);
	assert_int_equal(out.lsov2_ip4, 0);

	/* "no change" never keeps something caps no longer allow */
	cur.tcp6_csum = NDIS_OFL_TX_RX;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ndis_offload_params_apply(&p, &caps, &cur, &out), 0);
	assert_int_equal(out.tcp6_csum, 0);
	assert_int_equal(out.tcp4_csum, NDIS_OFL_TX);

	/* out-of-range request: -ERANGE, out untouched */
	memset(&out, 0x5a, sizeof(out));
	keep = out;
	p.udp6_csum = 5;
	assert_int_equal(ndis_offload_params_apply(&p, &caps, &cur, &out),
			 -ERANGE);
	assert_memory_equal(&out, &keep, sizeof(out));
	p.udp6_csum = 0;
	p.rsc_ip6 = 3;
	assert_int_equal(ndis_offload_params_apply(&p, &caps, &cur, &out),
			 -ERANGE);
	p.rsc_ip6 = 0;
	p.lsov1 = 3;
	assert_int_equal(ndis_offload_params_apply(&p, &caps, &cur, &out),
			 -ERANGE);
	assert_memory_equal(&out, &keep, sizeof(out));
	assert_int_equal(ndis_offload_params_apply(NULL, &caps, &cur, &out),
			 -EINVAL);
	assert_int_equal(ndis_offload_params_apply(&p, NULL, &cur, &out),
			 -EINVAL);
}

/* ----------------------------------------------------------------------
 * RSS capabilities
 * ---------------------------------------------------------------------- */

static void
test_rss_caps(void **state)
{
	/* What we answer to OID_GEN_RECEIVE_SCALE_CAPABILITIES: hdr {0x88,
	 * 2, 18} (Linux sends the same header in its query, rndis_filter.c
	 * rndis_filter_query_device()), Toeplitz + TCP v4/v6, 1 interrupt
	 * message, 4 queues, 128 entries. */
	static const uint8_t exp[18] = {
		0x88, 0x02, 0x12, 0x00,
		0x01, 0x03, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00,
		0x04, 0x00, 0x00, 0x00,
		0x80, 0x00,
	};
	struct ndis_rss_caps c = {
		.caps_flags = NDIS_RSS_CAPS_HASH_FUNC_TOEPLITZ |
			      NDIS_RSS_CAPS_HASH_TCP_IPV4 |
			      NDIS_RSS_CAPS_HASH_TCP_IPV6,
		.num_int_msgs = 1,
		.num_queues = 4,
		.num_itab_entries = NDIS_RSS_ITAB_MAX_ENTRIES,
	};
	struct ndis_rss_caps d;
	uint8_t b[24], t[24];

	(void)state;
	memset(b, 0xee, sizeof(b));
	assert_int_equal(ndis_rss_caps_encode(&c, b, sizeof(b)), 18);
	assert_memory_equal(b, exp, sizeof(exp));
	assert_int_equal(b[18], 0xee);
	assert_int_equal(ndis_rss_caps_encode(&c, b, 17), -EMSGSIZE);
	assert_int_equal(ndis_rss_caps_encode(NULL, b, 18), -EINVAL);

	assert_int_equal(ndis_rss_caps_decode(exp, 18, &d), 0);
	assert_int_equal(d.revision, 2);
	assert_int_equal(d.caps_flags, 0x301);
	assert_int_equal(d.num_int_msgs, 1);
	assert_int_equal(d.num_queues, 4);
	assert_int_equal(d.num_itab_entries, 128);

	/* revision 1 (16 bytes): no entry count */
	memcpy(t, exp, 18);
	t[1] = 1;
	t[2] = 16;
	assert_int_equal(ndis_rss_caps_decode(t, 16, &d), 0);
	assert_int_equal(d.num_queues, 4);
	assert_int_equal(d.num_itab_entries, 0);

	memcpy(t, exp, 18);
	t[0] = 0x89;
	assert_int_equal(ndis_rss_caps_decode(t, 18, &d), -EBADMSG);
	memcpy(t, exp, 18);
	t[1] = 0;
	assert_int_equal(ndis_rss_caps_decode(t, 18, &d), -EBADMSG);
	memcpy(t, exp, 18);
	t[2] = 16;				/* rev 2 needs 18 */
	assert_int_equal(ndis_rss_caps_decode(t, 18, &d), -EBADMSG);
	memcpy(t, exp, 18);
	t[1] = 1;
	t[2] = 15;
	assert_int_equal(ndis_rss_caps_decode(t, 18, &d), -EBADMSG);
	assert_int_equal(ndis_rss_caps_decode(exp, 17, &d), -EMSGSIZE);
	assert_int_equal(ndis_rss_caps_decode(exp, 3, &d), -EMSGSIZE);
	assert_int_equal(ndis_rss_caps_decode(exp, 18, NULL), -EINVAL);
}

/* ----------------------------------------------------------------------
 * RSS parameters
 * ---------------------------------------------------------------------- */

static void
test_rss_params_linux_vector(void **state)
{
	static uint8_t b[LINUX_RSS_LEN + 8];
	static uint8_t e[LINUX_RSS_LEN + 8];
	static struct ndis_rss_params p;
	uint32_t i;

	(void)state;
	linux_rss_build(b, 0, 4);
	assert_int_equal(ndis_rss_params_decode(b, LINUX_RSS_LEN, 4, &p), 0);
	assert_int_equal(p.revision, 2);
	assert_int_equal(p.flags, 0);
	assert_int_equal(p.hash_info, 0x1701);
	assert_int_equal(p.hash_info, NDIS_HASH_INFO_LINUX);
	assert_int_equal(ndis_hash_func(p.hash_info), NDIS_HASH_FUNC_TOEPLITZ);
	assert_int_equal(ndis_hash_types(p.hash_info), 0x1700);
	assert_int_equal(p.n_entries, 128);
	for (i = 0; i < 128; i++) {
		assert_int_equal(p.itab[i], i % 4);
	}
	assert_int_equal(p.has_key, 1);
	assert_memory_equal(p.key, ms_key, sizeof(ms_key));

	/* Our encoder produces exactly what Linux sends. */
	memset(e, 0xee, sizeof(e));
	assert_int_equal(ndis_rss_params_encode(&p, e, sizeof(e)),
			 LINUX_RSS_LEN);
	assert_int_equal(NDIS_RSS_PARAMS_LEN(128), LINUX_RSS_LEN);
	assert_memory_equal(e, b, LINUX_RSS_LEN);
	assert_memory_equal(e, linux_rss_fixed, sizeof(linux_rss_fixed));
	assert_int_equal(e[LINUX_RSS_LEN], 0xee);

	/* Table entry 3 >= 3 queues. */
	assert_int_equal(ndis_rss_params_decode(b, LINUX_RSS_LEN, 3, &p),
			 -ERANGE);

	/* The DISABLE_RSS message that precedes it: accepted whatever the
	 * queue count, nothing copied. */
	linux_rss_build(b, NDIS_RSS_FLAG_DISABLE_RSS, 8);
	assert_int_equal(b[4], 0x10);
	assert_int_equal(ndis_rss_params_decode(b, LINUX_RSS_LEN, 1, &p), 0);
	assert_int_equal(p.flags, NDIS_RSS_FLAG_DISABLE_RSS);
	assert_int_equal(p.n_entries, 0);
	assert_int_equal(p.has_key, 0);
	p.n_entries = 128;
	for (i = 0; i < 128; i++) {
		p.itab[i] = i % 8;
	}
	memcpy(p.key, ms_key, sizeof(ms_key));
	assert_int_equal(ndis_rss_params_encode(&p, e, sizeof(e)),
			 LINUX_RSS_LEN);
	assert_memory_equal(e, b, LINUX_RSS_LEN);
}

static void
test_rss_params_round_trip_small(void **state)
{
	static struct ndis_rss_params p, d;
	uint8_t b[NDIS_RSS_PARAMS_LEN(16)];
	uint32_t i;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.flags = NDIS_RSS_FLAG_BASE_CPU_UNCHANGED;
	p.base_cpu = 3;
	p.hash_info = NDIS_HASH_FUNC_TOEPLITZ | NDIS_HASH_UDP_IPV4;
	p.n_entries = 16;
	for (i = 0; i < 16; i++) {
		p.itab[i] = 15 - i;
	}
	for (i = 0; i < NDIS_RSS_KEY_SIZE; i++) {
		p.key[i] = (uint8_t)(i * 7);
	}
	p.has_key = 1;
	p.revision = 2;
	assert_int_equal(ndis_rss_params_encode(&p, b, sizeof(b)), 144);
	assert_int_equal(b[12], 64);		/* table size 16 * 4 */
	assert_int_equal(b[16], 40);		/* table offset */
	assert_int_equal(b[24], 104);		/* key offset 40 + 64 */
	assert_int_equal(b[40], 15);		/* first entry */
	assert_int_equal(b[104 + 1], 7);	/* key byte 1 */
	assert_int_equal(ndis_rss_params_decode(b, sizeof(b), 16, &d), 0);
	assert_memory_equal(&d, &p, sizeof(p));
	assert_int_equal(ndis_rss_params_encode(&p, b, sizeof(b) - 1),
			 -EMSGSIZE);
	p.n_entries = 0;
	assert_int_equal(ndis_rss_params_encode(&p, b, sizeof(b)), -EINVAL);
	p.n_entries = 129;
	assert_int_equal(ndis_rss_params_encode(&p, b, sizeof(b)), -EINVAL);
	assert_int_equal(ndis_rss_params_encode(NULL, b, sizeof(b)), -EINVAL);
}

/* Put a little-endian u16/u32 into a test buffer. */
static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)v);
	put16(b + 2, (uint16_t)(v >> 16));
}

static void
test_rss_params_malformed(void **state)
{
	static uint8_t good[LINUX_RSS_LEN], t[LINUX_RSS_LEN + 600];
	static struct ndis_rss_params p;
	const size_t n = LINUX_RSS_LEN;

	(void)state;
	linux_rss_build(good, 0, 4);
#define FRESH() memcpy(t, good, n)
	FRESH();
	t[0] = 0x88;					/* wrong type */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	FRESH();
	t[1] = 0;					/* revision 0 */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	FRESH();
	t[1] = 1;				/* byte-sized CPU table */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -ENOTSUP);
	FRESH();
	t[2] = 39;					/* size too small */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	/* object larger than the buffer */
	assert_int_equal(ndis_rss_params_decode(good, 39, 4, &p), -EMSGSIZE);
	assert_int_equal(ndis_rss_params_decode(good, 2, 4, &p), -EMSGSIZE);
	FRESH();
	put16(t + 2, 0xffff);
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EMSGSIZE);
	/* table/key past the end of the buffer */
	assert_int_equal(ndis_rss_params_decode(good, n - 1, 4, &p),
			 -EBADMSG);
	assert_int_equal(ndis_rss_params_decode(good, 551, 4, &p), -EBADMSG);

	FRESH();
	put16(t + 12, 0);				/* table size 0 */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	FRESH();
	put16(t + 12, 6);				/* not multiple of 4 */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	memset(t, 0, sizeof(t));
	FRESH();
	put16(t + 12, 516);				/* 129 entries */
	put32(t + 24, 556);
	memcpy(t + 556, ms_key, 40);
	assert_int_equal(ndis_rss_params_decode(t, n + 4, 4, &p), -ERANGE);
	FRESH();
	put32(t + 16, n - 511);			/* table off end by 1 */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	FRESH();
	put32(t + 16, 0xfffffff0u);			/* wraps */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	FRESH();
	put32(t + 16, 8);			/* overlaps fixed part */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	FRESH();
	put32(t + 40 + 4 * 77, 4);			/* entry == nqueues */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -ERANGE);
	FRESH();
	put32(t + 40 + 4 * 127, 0xffffffffu);		/* huge entry */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -ERANGE);

	FRESH();
	put16(t + 20, 39);				/* key size 39 */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	FRESH();
	put16(t + 20, 0);				/* key size 0 */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	FRESH();
	put16(t + 20, 41);				/* key size 41 */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	FRESH();
	put32(t + 24, n - 39);				/* key off end */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	FRESH();
	put32(t + 24, 0xffffffffu);
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);
	FRESH();
	put32(t + 24, 36);				/* inside fixed part */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -EBADMSG);

	FRESH();
	put32(t + 8, 0x1702);			/* unknown hash function */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), -ENOTSUP);
	put16(t + 4, NDIS_RSS_FLAG_HASH_INFO_UNCHANGED);	/* not read */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), 0);
	FRESH();
	put32(t + 8, 0);			/* function 0: no hashing */
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), 0);

	/* *_UNCHANGED flags: the matching part is neither checked nor
	 * copied. */
	FRESH();
	put16(t + 4, NDIS_RSS_FLAG_ITABLE_UNCHANGED);
	put16(t + 12, 3);
	put32(t + 16, 0xffffffffu);
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), 0);
	assert_int_equal(p.n_entries, 0);
	assert_int_equal(p.has_key, 1);
	FRESH();
	put16(t + 4, NDIS_RSS_FLAG_HASH_KEY_UNCHANGED);
	put16(t + 20, 0);
	assert_int_equal(ndis_rss_params_decode(t, n, 4, &p), 0);
	assert_int_equal(p.n_entries, 128);
	assert_int_equal(p.has_key, 0);

	assert_int_equal(ndis_rss_params_decode(good, n, 0, &p), -EINVAL);
	assert_int_equal(ndis_rss_params_decode(good, n, 4, NULL), -EINVAL);
	assert_int_equal(ndis_rss_params_decode(NULL, n, 4, &p), -EINVAL);
#undef FRESH
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr),
		cmocka_unit_test(test_offload_caps_vector_linux_view),
		cmocka_unit_test(test_offload_linux_feature_gates),
		cmocka_unit_test(test_offload_round_trip),
		cmocka_unit_test(test_offload_decode_revisions),
		cmocka_unit_test(test_offload_malformed),
		cmocka_unit_test(test_params_linux_vectors),
		cmocka_unit_test(test_params_round_trip),
		cmocka_unit_test(test_params_malformed),
		cmocka_unit_test(test_apply_linux_request),
		cmocka_unit_test(test_apply_masking),
		cmocka_unit_test(test_rss_caps),
		cmocka_unit_test(test_rss_params_linux_vector),
		cmocka_unit_test(test_rss_params_round_trip_small),
		cmocka_unit_test(test_rss_params_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
