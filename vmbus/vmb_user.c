/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_user.c - vmbus-user extensions codec and socket helpers.
 * Specification: docs/vmbus-user.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmb_user.h"

/* ---- pure codec --------------------------------------------------------- */

static bool
vm_name_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
	       ch == '-';
}

/* Length of a NUL-terminated name within cap bytes, or -1. */
static int
bounded_len(const char *s, size_t cap)
{
	const char *nul = memchr(s, '\0', cap);

	return nul == NULL ? -1 : (int)(nul - s);
}

static bool
vm_name_bytes_ok(const char *name, size_t cap)
{
	int n = bounded_len(name, cap);
	int i;

	if (n <= 0) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!vm_name_char_ok(name[i])) {
			return false;
		}
	}
	return true;
}

static bool
nic_name_bytes_ok(const char *name, size_t cap)
{
	int n = bounded_len(name, cap);
	int i;

	if (n <= 0) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (name[i] < 0x20 || name[i] > 0x7e) {
			return false;
		}
	}
	return true;
}

bool
vmb_user_vm_name_valid(const char *name)
{
	return name != NULL && vm_name_bytes_ok(name, VMB_USER_VM_NAME_MAX);
}

bool
vmb_user_nic_name_valid(const char *name)
{
	return name != NULL && nic_name_bytes_ok(name, VMB_USER_NIC_NAME_MAX);
}

int
vmb_user_contact_ext_encode(void *msg, size_t cap,
			    const struct vmb_user_contact *c)
{
	uint8_t *p;

	if (msg == NULL || c == NULL || !vmb_user_vm_name_valid(c->vm_name) ||
	    c->ram_size == 0 || c->ram_size % VMB_USER_PAGE_SIZE != 0) {
		return -EINVAL;
	}
	if (cap < VMB_USER_CONTACT_LEN) {
		return -EMSGSIZE;
	}
	p = (uint8_t *)msg + VMB_USER_CONTACT_EXT_OFF;
	memset(p, 0, VMB_USER_CONTACT_EXT_SIZE);
	sn_put_le32(p + offsetof(struct vmb_user_contact_ext_wire, magic),
		    VMB_USER_MAGIC);
	sn_put_le32(p + offsetof(struct vmb_user_contact_ext_wire, ext_size),
		    VMB_USER_CONTACT_EXT_SIZE);
	sn_put_le64(p + offsetof(struct vmb_user_contact_ext_wire, ram_size),
		    c->ram_size);
	memcpy(p + offsetof(struct vmb_user_contact_ext_wire, vm_name),
	       c->vm_name, strlen(c->vm_name));
	return (int)VMB_USER_CONTACT_LEN;
}

int
vmb_user_contact_ext_decode(const void *msg, size_t len,
			    struct vmb_user_contact *c)
{
	const uint8_t *p;
	uint32_t ext_size;
	char name[VMB_USER_VM_NAME_MAX];

	if (msg == NULL || c == NULL) {
		return -EINVAL;
	}
	if (len < VMB_USER_CONTACT_LEN) {
		return -EMSGSIZE;
	}
	p = (const uint8_t *)msg + VMB_USER_CONTACT_EXT_OFF;
	if (sn_get_le32(p) != VMB_USER_MAGIC) {
		return -EBADMSG;
	}
	ext_size = sn_get_le32(p + 4);
	if (ext_size < VMB_USER_CONTACT_EXT_SIZE) {
		return -EBADMSG;
	}
	if (!sn_range_ok(VMB_USER_CONTACT_EXT_OFF, ext_size, len)) {
		return -EMSGSIZE;
	}
	memcpy(name, p + offsetof(struct vmb_user_contact_ext_wire, vm_name),
	       sizeof(name));
	if (!vm_name_bytes_ok(name, sizeof(name))) {
		return -EBADMSG;
	}
	c->ram_size = sn_get_le64(p + 8);
	if (c->ram_size == 0 || c->ram_size % VMB_USER_PAGE_SIZE != 0) {
		return -ERANGE;
	}
	memset(c->vm_name, 0, sizeof(c->vm_name));
	memcpy(c->vm_name, name, strlen(name));
	return 0;
}

int
vmb_user_offer_ext_encode(void *msg, size_t cap, const char *nic_name)
{
	uint8_t *p;

	if (msg == NULL || !vmb_user_nic_name_valid(nic_name)) {
		return -EINVAL;
	}
	if (cap < VMB_USER_OFFER_LEN) {
		return -EMSGSIZE;
	}
	p = (uint8_t *)msg + VMB_USER_OFFER_EXT_OFF;
	memset(p, 0, VMB_USER_OFFER_EXT_SIZE);
	sn_put_le32(p, VMB_USER_MAGIC);
	sn_put_le32(p + 4, VMB_USER_OFFER_EXT_SIZE);
	memcpy(p + offsetof(struct vmb_user_offer_ext_wire, nic_name),
	       nic_name, strlen(nic_name));
	return (int)VMB_USER_OFFER_LEN;
}

int
vmb_user_offer_ext_decode(const void *msg, size_t len,
			  char nic_name[VMB_USER_NIC_NAME_MAX])
{
	const uint8_t *p;
	uint32_t ext_size;
	char name[VMB_USER_NIC_NAME_MAX];

	if (msg == NULL || nic_name == NULL) {
		return -EINVAL;
	}
	nic_name[0] = '\0';
	if (len <= VMB_USER_OFFER_EXT_OFF) {
		return -ENODATA;
	}
	if (len < VMB_USER_OFFER_LEN) {
		return -EMSGSIZE;
	}
	p = (const uint8_t *)msg + VMB_USER_OFFER_EXT_OFF;
	if (sn_get_le32(p) != VMB_USER_MAGIC) {
		return -EBADMSG;
	}
	ext_size = sn_get_le32(p + 4);
	if (ext_size < VMB_USER_OFFER_EXT_SIZE) {
		return -EBADMSG;
	}
	if (!sn_range_ok(VMB_USER_OFFER_EXT_OFF, ext_size, len)) {
		return -EMSGSIZE;
	}
	memcpy(name, p + offsetof(struct vmb_user_offer_ext_wire, nic_name),
	       sizeof(name));
	if (!nic_name_bytes_ok(name, sizeof(name))) {
		return -EBADMSG;
	}
	memset(nic_name, 0, VMB_USER_NIC_NAME_MAX);
	memcpy(nic_name, name, strlen(name));
	return 0;
}

/* ---- socket helpers ----------------------------------------------------- */

static int
fill_addr(struct sockaddr_un *sa, const char *path)
{
	size_t n;

	if (path == NULL) {
		return -EINVAL;
	}
	n = strlen(path);
	if (n == 0) {
		return -EINVAL;
	}
	if (n >= sizeof(sa->sun_path)) {
		return -ENAMETOOLONG;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, n);
	return 0;
}

int
vmb_user_listen(const char *path, int backlog)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;
	int rc;

	rc = fill_addr(&sa, path);
	if (rc < 0) {
		return rc;
	}
	/* Remove a stale socket, never another kind of file. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		(void)unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return -errno;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, backlog) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int
vmb_user_accept(int lfd)
{
	int fd;

	do {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	} while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

int
vmb_user_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd;
	int rc;

	rc = fill_addr(&sa, path);
	if (rc < 0) {
		return rc;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	do {
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	} while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* Control buffer for VMB_USER_MAX_FDS descriptors, suitably aligned. */
union vmb_user_cmsg_buf {
	/** Raw storage. */
	char buf[CMSG_SPACE(VMB_USER_MAX_FDS * sizeof(int))];
	/** Forces cmsghdr alignment. */
	struct cmsghdr align;
};

int
vmb_user_send(int sock, const void *buf, size_t len, const int *fds,
	      unsigned int nfds, int flags)
{
	union vmb_user_cmsg_buf cbuf;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *cm;
	ssize_t n;

	if (buf == NULL || nfds > VMB_USER_MAX_FDS ||
	    (nfds > 0 && fds == NULL)) {
		return -EINVAL;
	}
	if (len == 0 || len > VMB_USER_MSG_MAX) {
		return -EMSGSIZE;
	}
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	do {
		n = sendmsg(sock, &mh, flags | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return -errno;
	}
	/* SOCK_SEQPACKET sends are atomic; anything else is a broken socket. */
	return (size_t)n == len ? 0 : -EIO;
}

/* Collect the SCM_RIGHTS descriptors of mh into fds; returns the count. */
static unsigned int
collect_fds(struct msghdr *mh, int *all, unsigned int cap)
{
	struct cmsghdr *cm;
	unsigned int n = 0;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		size_t k;
		size_t i;

		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(0)) {
			continue;
		}
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k && n < cap; i++) {
			memcpy(&all[n++], CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
		}
	}
	return n;
}

int
vmb_user_recv(int sock, void *buf, size_t cap, int *fds,
	      unsigned int max_fds, unsigned int *nfds, int flags)
{
	union vmb_user_cmsg_buf cbuf;
	/* A control buffer never holds more ints than it has bytes. */
	int all[sizeof(cbuf) / sizeof(int)];
	struct msghdr mh;
	struct iovec iov;
	unsigned int n;
	ssize_t len;

	if (buf == NULL || nfds == NULL || (max_fds > 0 && fds == NULL)) {
		return -EINVAL;
	}
	*nfds = 0;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf;
	iov.iov_len = cap;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	do {
		len = recvmsg(sock, &mh, flags | MSG_CMSG_CLOEXEC);
	} while (len < 0 && errno == EINTR);
	if (len < 0) {
		return -errno;
	}
	n = collect_fds(&mh, all, SN_ARRAY_SIZE(all));
	if ((mh.msg_flags & MSG_CTRUNC) != 0 || n > max_fds) {
		vmb_user_close_fds(all, n);
		return -ETOOMANYREFS;
	}
	if ((mh.msg_flags & MSG_TRUNC) != 0) {
		vmb_user_close_fds(all, n);
		return -EMSGSIZE;
	}
	if (len == 0) {
		vmb_user_close_fds(all, n);
		return 0;
	}
	if (n > 0) {
		memcpy(fds, all, n * sizeof(int));
	}
	*nfds = n;
	return (int)len;
}

void
vmb_user_close_fds(int *fds, unsigned int n)
{
	unsigned int i;

	if (fds == NULL) {
		return;
	}
	for (i = 0; i < n; i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
}

int
vmb_user_signal(int efd)
{
	uint64_t one = 1;
	ssize_t n;

	do {
		n = write(efd, &one, sizeof(one));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return -errno;
	}
	return n == (ssize_t)sizeof(one) ? 0 : -EIO;
}

int
vmb_user_drain(int efd)
{
	uint64_t v;
	ssize_t n;

	do {
		n = read(efd, &v, sizeof(v));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return errno == EAGAIN ? 0 : -errno;
	}
	return n == (ssize_t)sizeof(v) ? 1 : -EIO;
}

bool
vmb_user_is_eventfd(int fd)
{
	static const char want[] = "anon_inode:[eventfd]";
	char path[64];
	char link[64];
	ssize_t n;

	if (fd < 0) {
		return false;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		return false;
	}
	link[n] = '\0';
	return strcmp(link, want) == 0;
}
