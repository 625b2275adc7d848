/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_tap_port.c - TAP host vNIC as a vsw_port (see snd_tap_port.h).
 *
 * Namespaces: a TAP is created in the network namespace of whoever opens
 * /dev/net/tun, and sockets stay in the namespace they were created in.
 * So a helper thread enters the target namespace, opens the TAP (with
 * IFF_TUN_EXCL: never attach to somebody else's device), an AF_INET socket
 * for ioctls and an rtnetlink socket, and exits; everything else uses
 * those descriptors from the caller's thread, which never changes
 * namespace (nothing to restore, nothing to get wrong on an error path).
 * The netdev is never visible in the daemon's namespace, so its name only
 * has to be free in the target one.
 *
 * Receive buffers: a frame may need several mbufs (9018 bytes, plus one
 * to tell a truncated frame apart, in 2 KiB buffers = 5).  The port keeps
 * `nseg` allocated spare mbufs, readv()s into all of them, and keeps the
 * ones the frame did not use for the next read, so an idle poll (EAGAIN)
 * allocates nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "snd_tap_port.h"
#include "vsw_port.h"

/* Most mbufs one received frame may span. */
#define SND_TAP_SEGS_MAX 16
/* Most mbuf segments of a frame we write (+2 iovecs for the tag split). */
#define SND_TAP_TX_SEGS_MAX 64
#define SND_TAP_TX_IOV_MAX (SND_TAP_TX_SEGS_MAX + 2)
/* Where iproute2 keeps named network namespaces. */
#define SND_TAP_NETNS_DIR "/run/netns"
/* Message buffer of the namespace helper. */
#define SND_TAP_MSG_MAX 160

struct snd_tap_port {
	struct vsw_port port;           /* must be first */
	int fd;                         /* the TAP, O_NONBLOCK */
	int ctl_fd;                     /* AF_INET socket in the TAP's netns,
					 * for SIOCGIF* ioctls (lcore) */
	struct nl_sock *nl;             /* rtnetlink socket in the TAP's
					 * netns (control thread only) */
	int ifindex;                    /* in the TAP's netns */
	char ifname[IF_NAMESIZE];       /* name at create (messages) */
	char lc_ifname[IF_NAMESIZE];    /* current name (lcore; follows a
					 * rename) */
	struct rte_mempool *pool;       /* rx mbufs (borrowed) */
	uint32_t room;                  /* data bytes per mbuf */
	unsigned int nseg;              /* mbufs per read */
	unsigned int n_spare;           /* allocated spares in spare[] */
	struct rte_mbuf *spare[SND_TAP_SEGS_MAX]; /* rx buffers, in order */
	uint64_t check_period;          /* TSC cycles between state checks */
	uint64_t next_check;            /* TSC of the next state check */
};

/* A parsed address of cfg->addrs. */
struct snd_tap_addr {
	int family;                     /* AF_INET or AF_INET6 */
	uint8_t bytes[16];              /* address, network order */
	unsigned int plen;              /* prefix length */
};

/* In/out of the helper that opens descriptors inside the namespace. */
struct snd_tap_open {
	const char *ifname;             /* in: netdev name */
	int ns_fd;                      /* in: namespace, or -1 = here */
	int tap_fd;                     /* out: the TAP, or -1 */
	int ctl_fd;                     /* out: ioctl socket, or -1 */
	int ifindex;                    /* out: the TAP's ifindex */
	struct nl_sock *nl;             /* out: rtnetlink socket, or NULL */
	int ret;                        /* out: 0 or -errno */
	char msg[SND_TAP_MSG_MAX];      /* out: why, if ret < 0 */
};

static const struct vsw_port_ops snd_tap_ops;

static inline struct snd_tap_port *
snd_tap(struct vsw_port *port)
{
	return (struct snd_tap_port *)port;
}

bool
snd_tap_port_is(const struct vsw_port *port)
{
	return port != NULL && port->ops == &snd_tap_ops;
}

/* printf into the caller's error buffer (if any); returns err_code. */
static int
__rte_format_printf(4, 5)
snd_tap_err(char *err, size_t errlen, int err_code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return err_code;
}

/* libnl error (negative NLE_*) to -errno. */
static int
snd_tap_nlerr(int nlerr)
{
	switch (-nlerr) {
	case NLE_EXIST:
		return -EEXIST;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	default:
		return -EIO;
	}
}

/* ---- validation ------------------------------------------------------- */

/* The kernel's dev_valid_name(), minus '%' (no "vsw%d" templates). */
static bool
snd_tap_name_ok(const char *name)
{
	size_t i, len;

	if (name == NULL) {
		return false;
	}
	len = strnlen(name, IF_NAMESIZE);
	if (len == 0 || len >= IF_NAMESIZE || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		return false;
	}
	for (i = 0; i < len; i++) {
		if (name[i] == '/' || name[i] == ':' || name[i] == '%' ||
		    name[i] <= ' ' || name[i] == 0x7f) {
			return false;
		}
	}
	return true;
}

/* "A.B.C.D[/N]" or "X:X::X[/N]" into *a; -EINVAL if malformed. */
static int
snd_tap_parse_cidr(const char *s, struct snd_tap_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned long plen;
	char *slash, *end;
	unsigned int max;

	if (s == NULL || strlen(s) >= sizeof(buf)) {
		return -EINVAL;
	}
	memcpy(buf, s, strlen(s) + 1);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
	}
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->bytes) == 1) {
		a->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, a->bytes) == 1) {
		a->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	a->plen = max;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9') {
			return -EINVAL;
		}
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || plen > max) {
			return -EINVAL;
		}
		a->plen = (unsigned int)plen;
	}
	return 0;
}

/* Open the target namespace; -ENOENT/-EINVAL with a message. */
static int
snd_tap_netns_open(const char *ifname, const char *ns, char *err,
		   size_t errlen)
{
	char path[PATH_MAX];
	int fd;

	if (ns[0] == '/') {
		snprintf(path, sizeof(path), "%s", ns);
	} else {
		if (strchr(ns, '/') != NULL || strcmp(ns, ".") == 0 ||
		    strcmp(ns, "..") == 0 || strlen(ns) > NAME_MAX) {
			return snd_tap_err(err, errlen, -EINVAL,
					   "host vNIC '%s': bad network "
					   "namespace name '%s'", ifname, ns);
		}
		snprintf(path, sizeof(path), SND_TAP_NETNS_DIR "/%s", ns);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			return snd_tap_err(err, errlen, -ENOENT,
					   "host vNIC '%s': no such network "
					   "namespace '%s'", ifname, ns);
		}
		return snd_tap_err(err, errlen, -errno, "host vNIC '%s': "
				   "network namespace '%s': %s", ifname, ns,
				   strerror(errno));
	}
	return fd;
}

/* ---- descriptors inside the namespace ------------------------------ */

static void
snd_tap_open_fail(struct snd_tap_open *o, int ret, const char *what)
{
	o->ret = ret;
	snprintf(o->msg, sizeof(o->msg), "%s: %s", what, strerror(-ret));
}

/* Open the TAP and the sockets in the calling thread's namespace. */
static void
snd_tap_open_here(struct snd_tap_open *o)
{
	struct ifreq ifr;
	int ret;

	o->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (o->ctl_fd < 0) {
		snd_tap_open_fail(o, -errno, "socket");
		return;
	}
	/* a clear EEXIST for any existing netdev, TAP or not */
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	if (ioctl(o->ctl_fd, SIOCGIFINDEX, &ifr) == 0) {
		o->ret = -EEXIST;
		snprintf(o->msg, sizeof(o->msg), "a network interface of "
			 "that name already exists");
		return;
	}
	o->tap_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (o->tap_fd < 0) {
		snd_tap_open_fail(o, -errno, "/dev/net/tun");
		return;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL;
	if (ioctl(o->tap_fd, TUNSETIFF, &ifr) < 0) {
		ret = errno == EBUSY ? -EEXIST : -errno;
		snd_tap_open_fail(o, ret, "TUNSETIFF");
		return;
	}
	if (ioctl(o->ctl_fd, SIOCGIFINDEX, &ifr) < 0) {
		snd_tap_open_fail(o, -errno, "SIOCGIFINDEX");
		return;
	}
	o->ifindex = ifr.ifr_ifindex;
	o->nl = nl_socket_alloc();
	if (o->nl == NULL) {
		snd_tap_open_fail(o, -ENOMEM, "netlink socket");
		return;
	}
	ret = nl_connect(o->nl, NETLINK_ROUTE);
	if (ret < 0) {
		o->ret = snd_tap_nlerr(ret);
		snprintf(o->msg, sizeof(o->msg), "netlink: %s",
			 nl_geterror(ret));
	}
}

static void *
snd_tap_open_thread(void *arg)
{
	struct snd_tap_open *o = arg;

	/* this thread only; it exits right after */
	if (setns(o->ns_fd, CLONE_NEWNET) < 0) {
		snd_tap_open_fail(o, -errno, "entering the namespace");
		return NULL;
	}
	snd_tap_open_here(o);
	return NULL;
}

static void
snd_tap_open_close(struct snd_tap_open *o)
{
	if (o->nl != NULL) {
		nl_socket_free(o->nl);
		o->nl = NULL;
	}
	if (o->tap_fd >= 0) {
		close(o->tap_fd); /* removes the netdev */
		o->tap_fd = -1;
	}
	if (o->ctl_fd >= 0) {
		close(o->ctl_fd);
		o->ctl_fd = -1;
	}
}

/* Run snd_tap_open_here() in namespace ns_fd (or here). */
static int
snd_tap_open_in(struct snd_tap_open *o)
{
	pthread_t t;
	int ret;

	o->tap_fd = -1;
	o->ctl_fd = -1;
	o->nl = NULL;
	o->ret = 0;
	o->msg[0] = '\0';
	if (o->ns_fd < 0) {
		snd_tap_open_here(o);
	} else {
		ret = pthread_create(&t, NULL, snd_tap_open_thread, o);
		if (ret != 0) {
			snd_tap_open_fail(o, -ret, "helper thread");
			return o->ret;
		}
		pthread_join(t, NULL);
	}
	if (o->ret < 0) {
		snd_tap_open_close(o);
	}
	return o->ret;
}

/* ---- rtnetlink configuration (control thread) --------------------- */

/* Apply `change` to the TAP; -errno with a message. */
static int
snd_tap_link_change(struct snd_tap_port *p, struct rtnl_link *change,
		    const char *what, char *err, size_t errlen)
{
	struct rtnl_link *orig;
	int ret;

	orig = rtnl_link_alloc();
	if (orig == NULL) {
		return snd_tap_err(err, errlen, -ENOMEM, "host vNIC '%s': "
				   "out of memory", p->ifname);
	}
	rtnl_link_set_ifindex(orig, p->ifindex);
	ret = rtnl_link_change(p->nl, orig, change, 0);
	rtnl_link_put(orig);
	if (ret < 0) {
		return snd_tap_err(err, errlen, snd_tap_nlerr(ret),
				   "host vNIC '%s': %s: %s", p->ifname, what,
				   nl_geterror(ret));
	}
	return 0;
}

static int
snd_tap_set_mac_mtu(struct snd_tap_port *p, const struct rte_ether_addr *mac,
		    uint16_t mtu, char *err, size_t errlen)
{
	struct rtnl_link *change;
	struct nl_addr *lladdr;
	int ret;

	change = rtnl_link_alloc();
	lladdr = nl_addr_build(AF_LLC, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	if (change == NULL || lladdr == NULL) {
		rtnl_link_put(change);
		nl_addr_put(lladdr);
		return snd_tap_err(err, errlen, -ENOMEM, "host vNIC '%s': "
				   "out of memory", p->ifname);
	}
	rtnl_link_set_addr(change, lladdr);
	rtnl_link_set_mtu(change, mtu);
	ret = snd_tap_link_change(p, change, "setting MAC and MTU", err,
				  errlen);
	nl_addr_put(lladdr);
	rtnl_link_put(change);
	return ret;
}

static int
snd_tap_add_addr(struct snd_tap_port *p, const struct snd_tap_addr *a,
		 const char *text, char *err, size_t errlen)
{
	struct nl_addr *local = NULL, *brd = NULL;
	struct rtnl_addr *ra;
	uint8_t b[4];
	uint32_t host;
	int ret = -ENOMEM;

	ra = rtnl_addr_alloc();
	local = nl_addr_build(a->family, a->bytes,
			      a->family == AF_INET ? 4 : 16);
	if (ra == NULL || local == NULL) {
		goto out;
	}
	nl_addr_set_prefixlen(local, (int)a->plen);
	rtnl_addr_set_ifindex(ra, p->ifindex);
	rtnl_addr_set_family(ra, a->family);
	if (rtnl_addr_set_local(ra, local) < 0) {
		ret = -EINVAL;
		goto out;
	}
	rtnl_addr_set_prefixlen(ra, (int)a->plen);
	if (a->family == AF_INET && a->plen <= 30) {
		/* like "ip addr add ... brd +" */
		host = a->plen == 0 ? UINT32_MAX : (1u << (32 - a->plen)) - 1;
		memcpy(b, a->bytes, 4);
		b[0] |= (uint8_t)(host >> 24);
		b[1] |= (uint8_t)(host >> 16);
		b[2] |= (uint8_t)(host >> 8);
		b[3] |= (uint8_t)host;
		brd = nl_addr_build(AF_INET, b, 4);
		if (brd == NULL) {
			goto out;
		}
		rtnl_addr_set_broadcast(ra, brd);
	}
	ret = rtnl_addr_add(p->nl, ra, 0);
	if (ret < 0) {
		ret = snd_tap_err(err, errlen, snd_tap_nlerr(ret),
				  "host vNIC '%s': adding address %s: %s",
				  p->ifname, text, nl_geterror(ret));
		goto done;
	}
	ret = 0;
	goto done;
out:
	ret = snd_tap_err(err, errlen, ret, "host vNIC '%s': address %s: %s",
			  p->ifname, text, strerror(-ret));
done:
	nl_addr_put(brd);
	nl_addr_put(local);
	rtnl_addr_put(ra);
	return ret;
}

static int
snd_tap_set_up(struct snd_tap_port *p, bool up, char *err, size_t errlen)
{
	struct rtnl_link *change;
	int ret;

	change = rtnl_link_alloc();
	if (change == NULL) {
		return snd_tap_err(err, errlen, -ENOMEM, "host vNIC '%s': "
				   "out of memory", p->ifname);
	}
	if (up) {
		rtnl_link_set_flags(change, IFF_UP);
	} else {
		rtnl_link_unset_flags(change, IFF_UP);
	}
	ret = snd_tap_link_change(p, change, up ? "link up" : "link down",
				  err, errlen);
	rtnl_link_put(change);
	return ret;
}

/* ---- netdev state (lcore) ----------------------------------------- */

/* SIOCGIF* on the TAP by name, following a rename once.  0 or -errno. */
static int
snd_tap_ioctl(struct snd_tap_port *p, unsigned long req, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	memcpy(ifr->ifr_name, p->lc_ifname, sizeof(ifr->ifr_name));
	if (ioctl(p->ctl_fd, req, ifr) == 0) {
		return 0;
	}
	if (errno != ENODEV) {
		return -errno;
	}
	memset(ifr, 0, sizeof(*ifr));
	ifr->ifr_ifindex = p->ifindex;
	if (ioctl(p->ctl_fd, SIOCGIFNAME, ifr) < 0) {
		return -ENODEV;
	}
	memcpy(p->lc_ifname, ifr->ifr_name, sizeof(p->lc_ifname));
	p->lc_ifname[sizeof(p->lc_ifname) - 1] = '\0';
	return ioctl(p->ctl_fd, req, ifr) == 0 ? 0 : -errno;
}

/* Follow the netdev's admin state and MTU. */
static void
snd_tap_check(struct snd_tap_port *p)
{
	struct ifreq ifr;

	if (snd_tap_ioctl(p, SIOCGIFFLAGS, &ifr) == 0) {
		p->port.link_up = (ifr.ifr_flags & IFF_UP) != 0;
	} else {
		p->port.link_up = false;
	}
	if (snd_tap_ioctl(p, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0) {
		p->port.mtu = (uint16_t)RTE_MIN(ifr.ifr_mtu, SND_TAP_MTU_MAX);
	}
}

/* ---- port ops ----------------------------------------------------- */

/* Turn the first spares into a chain holding the len bytes just read. */
static struct rte_mbuf *
snd_tap_take(struct snd_tap_port *p, uint32_t len)
{
	struct rte_mbuf *head = p->spare[0];
	unsigned int k, j;
	uint32_t rem = len;

	k = (len + p->room - 1) / p->room;
	for (j = 0; j < k; j++) {
		p->spare[j]->data_len = (uint16_t)RTE_MIN(rem, p->room);
		rem -= p->spare[j]->data_len;
		p->spare[j]->next = j + 1 < k ? p->spare[j + 1] : NULL;
	}
	head->pkt_len = len;
	head->nb_segs = (uint16_t)k;
	p->n_spare -= k;
	memmove(p->spare, p->spare + k, p->n_spare * sizeof(p->spare[0]));
	return head;
}

static uint16_t
snd_tap_rx_burst(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	struct snd_tap_port *p = snd_tap(port);
	struct iovec iov[SND_TAP_SEGS_MAX];
	uint64_t now = rte_get_tsc_cycles();
	uint16_t i = 0;
	unsigned int j;
	ssize_t len;

	if (unlikely(now >= p->next_check)) {
		p->next_check = now + p->check_period;
		snd_tap_check(p);
	}
	while (i < n) {
		if (p->n_spare < p->nseg) {
			if (rte_pktmbuf_alloc_bulk(p->pool,
						   p->spare + p->n_spare,
						   p->nseg - p->n_spare) != 0) {
				/* pool empty: frames wait in the kernel */
				break;
			}
			p->n_spare = p->nseg;
		}
		for (j = 0; j < p->nseg; j++) {
			iov[j].iov_base = rte_pktmbuf_mtod(p->spare[j], void *);
			iov[j].iov_len = p->room;
		}
		/* one syscall per frame: inherent to a TAP */
		len = readv(p->fd, iov, (int)p->nseg);
		if (len <= 0) {
			break; /* EAGAIN: nothing more queued */
		}
		if (len > SND_TAP_FRAME_MAX) {
			/*
			 * The netdev's MTU was raised past ours.  tun returns
			 * the bytes it copied, so a truncated frame reads as
			 * exactly nseg * room > SND_TAP_FRAME_MAX bytes.
			 */
			vsw_port_count_drop(port, VSW_DROP_MTU, 1);
			continue;
		}
		if (len < RTE_ETHER_HDR_LEN) {
			vsw_port_count_drop(port, VSW_DROP_RUNT, 1);
			continue;
		}
		pkts[i++] = snd_tap_take(p, (uint32_t)len);
	}
	return i;
}

/*
 * iovec of m's bytes, with `tag` (4 bytes, or NULL) spliced in after the
 * two MAC addresses.  Returns the iovec count and *total, or -EINVAL
 * (frame shorter than the MACs) or -EMSGSIZE (too many segments).
 */
static int
snd_tap_iov(const struct rte_mbuf *m, const uint8_t *tag, struct iovec *iov,
	    unsigned int max, size_t *total)
{
	const uint32_t macs = 2 * RTE_ETHER_ADDR_LEN;
	const struct rte_mbuf *seg;
	unsigned int cnt = 0;
	uint32_t off = 0, len, k;
	bool spliced = false;
	uint8_t *data;

	for (seg = m; seg != NULL; seg = seg->next) {
		data = rte_pktmbuf_mtod(seg, uint8_t *);
		len = seg->data_len;
		if (tag != NULL && !spliced && off + len >= macs) {
			k = macs - off;
			if (cnt + 2 > max) {
				return -EMSGSIZE;
			}
			if (k > 0) {
				iov[cnt].iov_base = data;
				iov[cnt++].iov_len = k;
			}
			iov[cnt].iov_base = (void *)(uintptr_t)tag;
			iov[cnt++].iov_len = RTE_VLAN_HLEN;
			data += k;
			len -= k;
			off += k;
			spliced = true;
		}
		if (len == 0) {
			continue;
		}
		if (cnt == max) {
			return -EMSGSIZE;
		}
		iov[cnt].iov_base = data;
		iov[cnt++].iov_len = len;
		off += len;
	}
	if (off < RTE_ETHER_HDR_LEN || (tag != NULL && !spliced)) {
		return -EINVAL;
	}
	*total = off + (spliced ? RTE_VLAN_HLEN : 0);
	return (int)cnt;
}

static enum vsw_drop_reason
snd_tap_tx_reason(int err)
{
	switch (err) {
	case EAGAIN:
	case ENOBUFS:
		return VSW_DROP_RING_FULL;
	case EIO:
		return VSW_DROP_LINK_DOWN; /* netdev down (tun refuses) */
	default:
		return VSW_DROP_TX_ERROR;
	}
}

static uint16_t
snd_tap_tx_burst(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	struct snd_tap_port *p = snd_tap(port);
	struct iovec iov[SND_TAP_TX_IOV_MAX];
	uint8_t tag[RTE_VLAN_HLEN];
	const uint8_t *tagp;
	struct rte_mbuf *m;
	uint64_t bytes = 0;
	uint16_t i, sent = 0;
	size_t total = 0;
	ssize_t w;
	int cnt;

	for (i = 0; i < n; i++) {
		m = pkts[i];
		tagp = NULL;
		if (m->ol_flags & (RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_RX_VLAN)) {
			tag[0] = RTE_ETHER_TYPE_VLAN >> 8;
			tag[1] = RTE_ETHER_TYPE_VLAN & 0xff;
			tag[2] = (uint8_t)(m->vlan_tci >> 8);
			tag[3] = (uint8_t)m->vlan_tci;
			tagp = tag;
		}
		cnt = snd_tap_iov(m, tagp, iov, RTE_DIM(iov), &total);
		if (cnt < 0) {
			vsw_port_drop(port, m, cnt == -EINVAL ? VSW_DROP_RUNT :
				      VSW_DROP_TX_ERROR);
			continue;
		}
		/* one syscall per frame: inherent to a TAP */
		w = writev(p->fd, iov, cnt);
		if (w < 0 || (size_t)w != total) {
			vsw_port_drop(port, m, w < 0 ?
				      snd_tap_tx_reason(errno) :
				      VSW_DROP_TX_ERROR);
			continue;
		}
		sent++;
		bytes += total;
		rte_pktmbuf_free(m);
	}
	vsw_port_count_tx(port, sent, bytes);
	return sent;
}

static int
snd_tap_wait_fd(struct vsw_port *port)
{
	return snd_tap(port)->fd;
}

static void
snd_tap_destroy(struct vsw_port *port)
{
	struct snd_tap_port *p = snd_tap(port);

	if (p->fd >= 0) {
		close(p->fd); /* last reference: the kernel unregisters it */
	}
	if (p->ctl_fd >= 0) {
		close(p->ctl_fd);
	}
	if (p->nl != NULL) {
		nl_socket_free(p->nl);
	}
	if (p->n_spare > 0) {
		rte_pktmbuf_free_bulk(p->spare, p->n_spare);
	}
	rte_free(p);
}

static const struct vsw_port_ops snd_tap_ops = {
	.kind = "tap",
	.rx_burst = snd_tap_rx_burst,
	.tx_burst = snd_tap_tx_burst,
	.wait_fd = snd_tap_wait_fd,
	.destroy = snd_tap_destroy,
};

/* ---- create ------------------------------------------------------- */

/* Check cfg and parse its addresses into addrs[]. */
static int
snd_tap_check_cfg(const struct snd_tap_cfg *cfg, struct snd_tap_addr *addrs,
		  char *err, size_t errlen)
{
	uint32_t room;
	unsigned int i;

	if (!snd_tap_name_ok(cfg->ifname)) {
		return snd_tap_err(err, errlen, -EINVAL, "host vNIC '%s': bad "
				   "interface name (1..%d characters, no '/', "
				   "':', '%%' or blanks)",
				   cfg->ifname != NULL ? cfg->ifname : "",
				   IF_NAMESIZE - 1);
	}
	if (cfg->mtu != 0 &&
	    (cfg->mtu < SND_TAP_MTU_MIN || cfg->mtu > SND_TAP_MTU_MAX)) {
		return snd_tap_err(err, errlen, -ERANGE, "host vNIC '%s': MTU "
				   "%u out of range %u..%u", cfg->ifname,
				   cfg->mtu, SND_TAP_MTU_MIN, SND_TAP_MTU_MAX);
	}
	if (rte_is_multicast_ether_addr(&cfg->mac)) {
		return snd_tap_err(err, errlen, -EINVAL, "host vNIC '%s': MAC "
				   "address is multicast", cfg->ifname);
	}
	if (cfg->pool == NULL) {
		return snd_tap_err(err, errlen, -EINVAL, "host vNIC '%s': no "
				   "mbuf pool", cfg->ifname);
	}
	room = rte_pktmbuf_data_room_size(cfg->pool);
	room = room > RTE_PKTMBUF_HEADROOM ? room - RTE_PKTMBUF_HEADROOM : 0;
	if (room == 0 || SND_TAP_FRAME_MAX / room + 1 > SND_TAP_SEGS_MAX) {
		return snd_tap_err(err, errlen, -EINVAL, "host vNIC '%s': mbuf "
				   "data room too small", cfg->ifname);
	}
	if (cfg->n_addrs > SND_TAP_ADDRS_MAX ||
	    (cfg->n_addrs > 0 && cfg->addrs == NULL)) {
		return snd_tap_err(err, errlen, -EINVAL, "host vNIC '%s': at "
				   "most %d addresses", cfg->ifname,
				   SND_TAP_ADDRS_MAX);
	}
	for (i = 0; i < cfg->n_addrs; i++) {
		if (snd_tap_parse_cidr(cfg->addrs[i], &addrs[i]) < 0) {
			return snd_tap_err(err, errlen, -EINVAL, "host vNIC "
					   "'%s': bad address '%s' (want "
					   "A.B.C.D/N or X:X::X/N)",
					   cfg->ifname,
					   cfg->addrs[i] != NULL ?
					   cfg->addrs[i] : "(null)");
		}
	}
	return 0;
}

/* MAC, MTU, addresses, up; on the new port (control thread). */
static int
snd_tap_configure(struct snd_tap_port *p, const struct snd_tap_cfg *cfg,
		  const struct snd_tap_addr *addrs, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	ret = snd_tap_set_mac_mtu(p, &p->port.mac, p->port.mtu, err, errlen);
	for (i = 0; ret == 0 && i < cfg->n_addrs; i++) {
		ret = snd_tap_add_addr(p, &addrs[i], cfg->addrs[i], err,
				       errlen);
	}
	if (ret == 0 && !cfg->start_down) {
		ret = snd_tap_set_up(p, true, err, errlen);
	}
	return ret;
}

int
snd_tap_port_create(const struct snd_tap_cfg *cfg, struct vsw_port **out,
		    char *err, size_t errlen)
{
	struct snd_tap_addr addrs[SND_TAP_ADDRS_MAX];
	struct rte_ether_addr mac;
	struct snd_tap_open o;
	struct snd_tap_port *p;
	int ret;

	if (err != NULL && errlen > 0) {
		err[0] = '\0';
	}
	if (cfg == NULL || out == NULL) {
		return snd_tap_err(err, errlen, -EINVAL, "host vNIC: no "
				   "configuration");
	}
	*out = NULL;
	ret = snd_tap_check_cfg(cfg, addrs, err, errlen);
	if (ret < 0) {
		return ret;
	}
	mac = cfg->mac;
	if (rte_is_zero_ether_addr(&mac)) {
		rte_eth_random_addr(mac.addr_bytes);
	}
	memset(&o, 0, sizeof(o));
	o.ifname = cfg->ifname;
	o.ns_fd = -1;
	if (cfg->netns != NULL) {
		o.ns_fd = snd_tap_netns_open(cfg->ifname, cfg->netns, err,
					     errlen);
		if (o.ns_fd < 0) {
			return o.ns_fd;
		}
	}
	ret = snd_tap_open_in(&o);
	if (o.ns_fd >= 0) {
		close(o.ns_fd); /* the descriptors now pin the namespace */
	}
	if (ret < 0) {
		return snd_tap_err(err, errlen, ret, "host vNIC '%s': %s%s%s",
				   cfg->ifname, o.msg,
				   cfg->netns != NULL ? " in namespace " : "",
				   cfg->netns != NULL ? cfg->netns : "");
	}
	p = rte_zmalloc("snd_tap_port", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (p == NULL) {
		snd_tap_open_close(&o);
		return snd_tap_err(err, errlen, -ENOMEM, "host vNIC '%s': out "
				   "of memory", cfg->ifname);
	}
	p->fd = o.tap_fd;
	p->ctl_fd = o.ctl_fd;
	p->nl = o.nl;
	p->ifindex = o.ifindex;
	snprintf(p->ifname, sizeof(p->ifname), "%s", cfg->ifname);
	memcpy(p->lc_ifname, p->ifname, sizeof(p->lc_ifname));
	p->pool = cfg->pool;
	p->room = rte_pktmbuf_data_room_size(cfg->pool) - RTE_PKTMBUF_HEADROOM;
	/* room for one byte more than the largest frame: see rx_burst */
	p->nseg = SND_TAP_FRAME_MAX / p->room + 1;
	ret = vsw_port_init(&p->port, &snd_tap_ops,
			    cfg->port_name != NULL ? cfg->port_name :
			    cfg->ifname, &mac, cfg->mtu, p);
	if (ret < 0) {
		(void)snd_tap_err(err, errlen, ret, "host vNIC '%s': bad port "
				  "name", cfg->ifname);
		goto fail;
	}
	ret = snd_tap_configure(p, cfg, addrs, err, errlen);
	if (ret < 0) {
		goto fail;
	}
	p->check_period = rte_get_tsc_hz() / (1000 / SND_TAP_CHECK_MS);
	p->next_check = rte_get_tsc_cycles() + p->check_period;
	snd_tap_check(p);
	*out = &p->port;
	return 0;
fail:
	snd_tap_destroy(&p->port);
	return ret;
}

int
snd_tap_port_set_mtu(struct vsw_port *port, uint16_t mtu, char *err,
		     size_t errlen)
{
	struct snd_tap_port *p;
	struct rtnl_link *change;
	int ret;

	if (!snd_tap_port_is(port)) {
		return snd_tap_err(err, errlen, -EINVAL, "not a host vNIC");
	}
	p = snd_tap(port);
	if (mtu < SND_TAP_MTU_MIN || mtu > SND_TAP_MTU_MAX) {
		return snd_tap_err(err, errlen, -ERANGE, "host vNIC '%s': MTU "
				   "%u out of range %u..%u", p->ifname, mtu,
				   SND_TAP_MTU_MIN, SND_TAP_MTU_MAX);
	}
	change = rtnl_link_alloc();
	if (change == NULL) {
		return snd_tap_err(err, errlen, -ENOMEM, "host vNIC '%s': out "
				   "of memory", p->ifname);
	}
	rtnl_link_set_mtu(change, mtu);
	ret = snd_tap_link_change(p, change, "setting MTU", err, errlen);
	rtnl_link_put(change);
	return ret;
}

int
snd_tap_port_set_link(struct vsw_port *port, bool up, char *err,
		      size_t errlen)
{
	if (!snd_tap_port_is(port)) {
		return snd_tap_err(err, errlen, -EINVAL, "not a host vNIC");
	}
	return snd_tap_set_up(snd_tap(port), up, err, errlen);
}

int
snd_tap_port_ifindex(const struct vsw_port *port)
{
	if (!snd_tap_port_is(port)) {
		return -EINVAL;
	}
	return ((const struct snd_tap_port *)port)->ifindex;
}

void
snd_tap_port_destroy(struct vsw_port *port)
{
	if (port == NULL) {
		return;
	}
	RTE_ASSERT(snd_tap_port_is(port));
	snd_tap_destroy(port);
}
