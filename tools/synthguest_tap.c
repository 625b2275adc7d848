/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synthguest_tap.c - the TAP side of synthguest: create a TAP inside a
 * network namespace and configure it through libnl-route-3, move frames
 * between it and the netvsc data path.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "synthguest.h"

#define ETH_P_8021Q_ 0x8100
#define VLAN_HLEN_ 4

static int
netns_open(const char *name, char *msg, size_t msglen)
{
	char path[256];
	int fd;

	if (snprintf(path, sizeof(path), "/var/run/netns/%s", name) >=
	    (int)sizeof(path) || strchr(name, '/') != NULL) {
		snprintf(msg, msglen, "bad network namespace name '%s'", name);
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT) {
			snprintf(msg, msglen,
				 "network namespace '%s' does not exist "
				 "(create it with: ip netns add %s)", name,
				 name);
		} else {
			snprintf(msg, msglen, "cannot open %s: %s", path,
				 strerror(e));
		}
		return -e;
	}
	return fd;
}

int
sg_netns_check(const char *name, char *msg, size_t msglen)
{
	int fd = netns_open(name, msg, msglen);

	if (fd < 0) {
		return fd;
	}
	close(fd);
	return 0;
}

/* MAC, MTU, up: one RTM_NEWLINK change. */
static int
nl_link_setup(struct nl_sock *sk, struct sg_tap *t,
	      const struct sg_tap_cfg *c, char *msg, size_t msglen)
{
	struct rtnl_link *link = NULL;
	struct rtnl_link *chg = NULL;
	struct nl_addr *mac = NULL;
	int err;

	err = rtnl_link_get_kernel(sk, 0, t->ifname, &link);
	if (err < 0) {
		snprintf(msg, msglen, "cannot find %s: %s", t->ifname,
			 nl_geterror(err));
		return -ENODEV;
	}
	t->ifindex = rtnl_link_get_ifindex(link);
	chg = rtnl_link_alloc();
	mac = nl_addr_build(AF_LLC, c->mac, 6);
	if (chg == NULL || mac == NULL) {
		err = -NLE_NOMEM;
		goto out;
	}
	rtnl_link_set_addr(chg, mac);
	rtnl_link_set_mtu(chg, c->mtu);
	rtnl_link_set_flags(chg, IFF_UP);
	err = rtnl_link_change(sk, link, chg, 0);
out:
	if (err < 0) {
		snprintf(msg, msglen,
			 "cannot configure %s (MAC, MTU %u, up): %s",
			 t->ifname, c->mtu, nl_geterror(err));
	}
	nl_addr_put(mac);
	rtnl_link_put(chg);
	rtnl_link_put(link);
	return err < 0 ? -EIO : 0;
}

static int
nl_addr_setup(struct nl_sock *sk, const struct sg_tap *t, const char *cidr,
	      char *msg, size_t msglen)
{
	struct rtnl_addr *a = NULL;
	struct nl_addr *local = NULL;
	int err;

	err = nl_addr_parse(cidr, AF_UNSPEC, &local);
	if (err < 0 || (nl_addr_get_family(local) != AF_INET &&
			nl_addr_get_family(local) != AF_INET6)) {
		snprintf(msg, msglen, "bad address '%s' (want CIDR, e.g. "
			 "10.0.0.1/24 or fd00::1/64)", cidr);
		nl_addr_put(local);
		return -EINVAL;
	}
	if (strchr(cidr, '/') == NULL) {
		nl_addr_set_prefixlen(local, nl_addr_get_family(local) ==
				      AF_INET ? 32 : 128);
	}
	a = rtnl_addr_alloc();
	if (a == NULL) {
		nl_addr_put(local);
		return -ENOMEM;
	}
	rtnl_addr_set_ifindex(a, t->ifindex);
	err = rtnl_addr_set_local(a, local);
	if (err == 0) {
		rtnl_addr_set_prefixlen(a, (int)nl_addr_get_prefixlen(local));
		if (nl_addr_get_family(local) == AF_INET6) {
			/* Usable at once: no duplicate address detection. */
			rtnl_addr_set_flags(a, IFA_F_NODAD);
		}
		err = rtnl_addr_add(sk, a, 0);
	}
	if (err < 0) {
		snprintf(msg, msglen, "cannot add address %s to %s: %s", cidr,
			 t->ifname, nl_geterror(err));
	}
	nl_addr_put(local);
	rtnl_addr_put(a);
	return err < 0 ? -EIO : 0;
}

/* Everything that must happen inside the namespace. */
static int
tap_setup_here(const struct sg_tap_cfg *c, struct sg_tap *t, char *msg,
	       size_t msglen)
{
	struct nl_sock *sk = NULL;
	struct ifreq ifr;
	unsigned int i;
	int rc;

	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		rc = -errno;
		snprintf(msg, msglen, "cannot open /dev/net/tun: %s",
			 strerror(-rc));
		return rc;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->ifname);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		rc = -errno;
		snprintf(msg, msglen, "cannot create TAP %s%s%s: %s%s",
			 c->ifname, c->netns ? " in netns " : "",
			 c->netns ? c->netns : "", strerror(-rc),
			 (rc == -EBUSY || rc == -EINVAL) ?
			 " (an interface of that name exists: pick another "
			 "with --ifname)" : "");
		return rc;
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
	/* opened here, inside the namespace, so it sees the TAP */
	t->nl = nl_socket_alloc();
	if (t->nl != NULL && nl_connect(t->nl, NETLINK_ROUTE) < 0) {
		nl_socket_free(t->nl);
		t->nl = NULL;
	}
	rc = sg_tap_set_carrier(t, c->carrier);
	if (rc < 0) {
		snprintf(msg, msglen, "cannot set carrier on %s: %s",
			 t->ifname, strerror(-rc));
		return rc;
	}
	sk = nl_socket_alloc();
	if (sk == NULL) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0) {
		snprintf(msg, msglen, "netlink: %s", nl_geterror(rc));
		nl_socket_free(sk);
		return -EIO;
	}
	rc = nl_link_setup(sk, t, c, msg, msglen);
	for (i = 0; rc == 0 && i < c->nips; i++) {
		rc = nl_addr_setup(sk, t, c->ips[i], msg, msglen);
	}
	nl_socket_free(sk);
	return rc;
}

int
sg_tap_open(const struct sg_tap_cfg *c, struct sg_tap *t, char *msg,
	    size_t msglen)
{
	int orig = -1;
	int ns = -1;
	int rc;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (c->netns != NULL) {
		ns = netns_open(c->netns, msg, msglen);
		if (ns < 0) {
			return ns;
		}
		orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (orig < 0 || setns(ns, CLONE_NEWNET) < 0) {
			rc = -errno;
			snprintf(msg, msglen, "cannot enter network namespace "
				 "%s: %s", c->netns, strerror(-rc));
			if (orig >= 0) {
				close(orig);
			}
			close(ns);
			return rc;
		}
	}
	rc = tap_setup_here(c, t, msg, msglen);
	if (orig >= 0) {
		if (setns(orig, CLONE_NEWNET) < 0 && rc == 0) {
			rc = -errno;
			snprintf(msg, msglen, "cannot return to the original "
				 "network namespace: %s", strerror(-rc));
		}
		close(orig);
		close(ns);
	}
	if (rc < 0) {
		sg_tap_close(t);
	}
	return rc;
}

int
sg_tap_set_carrier(struct sg_tap *t, bool on)
{
	int v = on ? 1 : 0;

	if (ioctl(t->fd, TUNSETCARRIER, &v) < 0) {
		return -errno;
	}
	t->carrier = on;
	return 0;
}

int
sg_tap_promisc(struct sg_tap *t)
{
	struct rtnl_link *link = NULL;
	int on;

	if (t->nl == NULL) {
		return -EBADF;
	}
	if (rtnl_link_get_kernel(t->nl, t->ifindex, NULL, &link) < 0) {
		return -EIO;
	}
	on = rtnl_link_get_promiscuity(link) > 0 ||
	     (rtnl_link_get_flags(link) & IFF_PROMISC) != 0;
	rtnl_link_put(link);
	return on;
}

void
sg_tap_close(struct sg_tap *t)
{
	if (t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
	if (t->nl != NULL) {
		nl_socket_free(t->nl);
		t->nl = NULL;
	}
}

int
sg_tap_read(struct sg_tap *t, uint8_t *buf, size_t cap,
	    const uint8_t **frame, struct nvsc_txmeta *meta)
{
	ssize_t n;

	meta->flags = 0;
	meta->vlan_tci = 0;
	meta->mss = 0;
	n = read(t->fd, buf, cap);
	if (n < 0) {
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	}
	*frame = buf;
	if (n >= 18 && sn_get_be16(buf + 12) == ETH_P_8021Q_) {
		/* Pop the tag into the 802.1Q PPI (netvsc_xmit()). */
		meta->flags = NVSC_TX_VLAN;
		meta->vlan_tci = sn_get_be16(buf + 14);
		memmove(buf + VLAN_HLEN_, buf, 12);
		*frame = buf + VLAN_HLEN_;
		n -= VLAN_HLEN_;
	}
	return (int)n;
}

int
sg_tap_write(struct sg_tap *t, const uint8_t *frame, uint32_t len,
	     const struct nvsc_rxmeta *meta)
{
	uint8_t tag[VLAN_HLEN_];
	struct iovec iov[3];
	ssize_t n;
	int cnt = 1;

	if (len < 14) {
		return -EINVAL;
	}
	iov[0].iov_base = (void *)(uintptr_t)frame;
	iov[0].iov_len = len;
	if (meta != NULL && (meta->flags & NVSC_RX_VLAN)) {
		sn_put_be16(tag, ETH_P_8021Q_);
		sn_put_be16(tag + 2, meta->vlan_tci);
		iov[0].iov_len = 12;
		iov[1].iov_base = tag;
		iov[1].iov_len = sizeof(tag);
		iov[2].iov_base = (void *)(uintptr_t)(frame + 12);
		iov[2].iov_len = len - 12;
		cnt = 3;
	}
	n = writev(t->fd, iov, cnt);
	if (n < 0) {
		return -errno;
	}
	return 0;
}
