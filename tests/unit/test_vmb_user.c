/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vmb_user.c - vmbus-user transport: extension codec vectors, socket
 * helpers, guest-RAM mappings, the host connection state machine driven
 * with raw datagrams, and an end-to-end run of the guest client against a
 * vmb_host connection over a socketpair with a real memfd.
 *
 * Vector sources: the extension layouts are ours (docs/vmbus-user.md);
 * the Linux parts (INITIATE_CONTACT, OFFERCHANNEL) follow include/linux/
 * hyperv.h as Linux vmbus_negotiate_version() fills INITIATE_CONTACT for
 * VERSION_WIN10_V5_3 (msg_sint = VMBUS_MESSAGE_SINT 2, msg_vtl 0, monitor
 * pages 0 here as there is no monitor page), and the netvsc GUID bytes
 * are f8615163-df3e-46c5-913f-f2d2f965ed0e in Windows wire order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gvmb_client.h"
#include "vmb_chanmsg.h"
#include "vmb_host.h"
#include "vmb_map.h"
#include "vmb_pkt.h"
#include "vmb_ring.h"
#include "vmb_user.h"

#define PAGE 4096u

/* ---- helpers ------------------------------------------------------------ */

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.') {
			n++;
		}
	}
	closedir(d);
	return n;
}

/* Lines of /proc/self/maps that map a file whose path contains name. */
static int
count_maps(const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, name) != NULL) {
			n++;
		}
	}
	fclose(f);
	return n;
}

/* A memfd of size bytes, sealed against shrinking unless told not to. */
static int
make_memfd(const char *name, uint64_t size, bool seal)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (seal) {
		assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	}
	return fd;
}

static void
make_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
}

/* INITIATE_CONTACT + extension: returns the datagram length (128). */
static int
build_contact(uint8_t *buf, size_t cap, uint32_t version, uint64_t ram_size,
	      const char *name)
{
	struct vmb_user_contact uc;
	struct vmb_chanmsg m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_INITIATE_CONTACT;
	m.u.initiate.version = version;
	if (version >= VMB_MSG_VERSION_WIN10_V5) {
		m.u.initiate.interrupt_page =
			vmb_chanmsg_ti_make(VMB_MSG_SINT, 0, 0);
	}
	rc = vmb_chanmsg_encode(&m, buf, cap);
	assert_int_equal(rc, 40);
	memset(&uc, 0, sizeof(uc));
	uc.ram_size = ram_size;
	memcpy(uc.vm_name, name, strlen(name));
	return vmb_user_contact_ext_encode(buf, cap, &uc);
}

/* ---- pure codec --------------------------------------------------------- */

/*
 * The INITIATE_CONTACT datagram a guest sends for version 5.3 with 64 MiB
 * of RAM named "vm-1": 40 bytes of Linux layout, then the extension.
 */
static const uint8_t contact_vector[128] = {
	/* hdr: msgtype 14, padding */
	0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* vmbus_version_requested 5.3, target_vcpu 0 */
	0x03, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* msg_sint 2, msg_vtl 0, reserved, feature_flags 0 */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* monitor_page1, monitor_page2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* 40: magic "VMBU", ext_size 88 */
	0x56, 0x4d, 0x42, 0x55, 0x58, 0x00, 0x00, 0x00,
	/* 48: ram_size 0x04000000 */
	0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
	/* 56: vm_name "vm-1", 64 bytes */
	'v', 'm', '-', '1', 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	/* 120: reserved */
	0, 0, 0, 0, 0, 0, 0, 0,
};

static void
test_contact_ext_vector(void **state)
{
	struct vmb_user_contact c;
	uint8_t buf[256];

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(build_contact(buf, sizeof(buf),
				       VMB_MSG_VERSION_WIN10_V5_3, 64u << 20,
				       "vm-1"), 128);
	assert_memory_equal(buf, contact_vector, sizeof(contact_vector));
	assert_int_equal(buf[128], 0xee);	/* nothing written beyond */

	memset(&c, 0x55, sizeof(c));
	assert_int_equal(vmb_user_contact_ext_decode(contact_vector, 128, &c),
			 0);
	assert_true(c.ram_size == (64u << 20));
	assert_string_equal(c.vm_name, "vm-1");
	assert_int_equal(c.vm_name[63], 0);
}

static void
test_contact_ext_malformed(void **state)
{
	struct vmb_user_contact c;
	uint8_t m[160];

	(void)state;
	assert_int_equal(vmb_user_contact_ext_decode(contact_vector, 127, &c),
			 -EMSGSIZE);
	assert_int_equal(vmb_user_contact_ext_decode(contact_vector, 40, &c),
			 -EMSGSIZE);
	assert_int_equal(vmb_user_contact_ext_decode(NULL, 128, &c), -EINVAL);

	memcpy(m, contact_vector, 128);
	m[40] = 'X';	/* bad magic */
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), -EBADMSG);

	memcpy(m, contact_vector, 128);
	m[44] = 80;	/* ext_size below 88 */
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), -EBADMSG);
	m[44] = 96;	/* ext_size beyond the datagram */
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), -EMSGSIZE);
	/* ...but fine when the datagram carries the extra bytes. */
	memset(m + 128, 0xab, 8);
	assert_int_equal(vmb_user_contact_ext_decode(m, 136, &c), 0);
	assert_string_equal(c.vm_name, "vm-1");

	memcpy(m, contact_vector, 128);
	memset(m + 56, 'a', 64);	/* unterminated name */
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), -EBADMSG);
	m[56 + 63] = 0;	/* 63 characters: the longest legal name */
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), 0);
	assert_int_equal(strlen(c.vm_name), 63);

	memcpy(m, contact_vector, 128);
	m[56] = 0;	/* empty name */
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), -EBADMSG);
	m[56] = ' ';	/* forbidden characters */
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), -EBADMSG);
	m[56] = '/';
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), -EBADMSG);
	m[56] = (char)0xc3;
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), -EBADMSG);

	memcpy(m, contact_vector, 128);
	m[62] = 'Z';	/* garbage after the NUL is ignored */
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), 0);
	assert_string_equal(c.vm_name, "vm-1");

	memcpy(m, contact_vector, 128);
	memset(m + 48, 0, 8);	/* ram_size 0 */
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), -ERANGE);
	m[48] = 0x01;
	m[49] = 0x10;	/* 4097: not a page multiple */
	assert_int_equal(vmb_user_contact_ext_decode(m, 128, &c), -ERANGE);

	/* Encoder refuses what the decoder would refuse. */
	memset(&c, 0, sizeof(c));
	c.ram_size = PAGE;
	strcpy(c.vm_name, "bad name");
	assert_int_equal(vmb_user_contact_ext_encode(m, sizeof(m), &c),
			 -EINVAL);
	strcpy(c.vm_name, "ok");
	c.ram_size = PAGE + 1;
	assert_int_equal(vmb_user_contact_ext_encode(m, sizeof(m), &c),
			 -EINVAL);
	c.ram_size = PAGE;
	assert_int_equal(vmb_user_contact_ext_encode(m, 127, &c), -EMSGSIZE);
	assert_int_equal(vmb_user_contact_ext_encode(m, 128, &c), 128);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(vmb_user_vm_name_valid("vm-1"));
	assert_true(vmb_user_vm_name_valid("A.b_C-9"));
	assert_false(vmb_user_vm_name_valid(""));
	assert_false(vmb_user_vm_name_valid("a b"));
	assert_false(vmb_user_vm_name_valid("a/b"));
	assert_false(vmb_user_vm_name_valid(NULL));
	assert_false(vmb_user_vm_name_valid(
		"0123456789012345678901234567890123456789012345678901234567890"
		"123"));	/* 64 characters */
	assert_true(vmb_user_nic_name_valid("eth0"));
	assert_true(vmb_user_nic_name_valid("Network Adapter"));
	assert_false(vmb_user_nic_name_valid(""));
	assert_false(vmb_user_nic_name_valid("tab\there"));
	assert_false(vmb_user_nic_name_valid("0123456789012345678901234567890"
					     "1"));	/* 32 characters */
	assert_true(vmb_user_nic_name_valid("0123456789012345678901234567890"));
}

/* Offer extension bytes for "eth0" at datagram offset 196. */
static const uint8_t offer_ext_vector[40] = {
	0x56, 0x4d, 0x42, 0x55,	/* magic "VMBU" */
	0x28, 0x00, 0x00, 0x00,	/* ext_size 40 */
	'e', 't', 'h', '0', 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
};

static void
test_offer_ext(void **state)
{
	uint8_t m[300];
	char name[VMB_USER_NIC_NAME_MAX];

	(void)state;
	memset(m, 0x11, sizeof(m));
	assert_int_equal(vmb_user_offer_ext_encode(m, sizeof(m), "eth0"), 236);
	assert_memory_equal(m + 196, offer_ext_vector, 40);
	assert_int_equal(m[195], 0x11);	/* Linux part untouched */
	assert_int_equal(vmb_user_offer_ext_decode(m, 236, name), 0);
	assert_string_equal(name, "eth0");

	assert_int_equal(vmb_user_offer_ext_encode(m, sizeof(m),
						   "Network Adapter"), 236);
	assert_int_equal(vmb_user_offer_ext_decode(m, 236, name), 0);
	assert_string_equal(name, "Network Adapter");

	/* A plain Linux offer has no extension. */
	assert_int_equal(vmb_user_offer_ext_decode(m, 196, name), -ENODATA);
	assert_string_equal(name, "");
	assert_int_equal(vmb_user_offer_ext_decode(m, 200, name), -EMSGSIZE);

	memcpy(m + 196, offer_ext_vector, 40);
	m[196] = 0;
	assert_int_equal(vmb_user_offer_ext_decode(m, 236, name), -EBADMSG);
	memcpy(m + 196, offer_ext_vector, 40);
	m[200] = 39;
	assert_int_equal(vmb_user_offer_ext_decode(m, 236, name), -EBADMSG);
	m[200] = 48;
	assert_int_equal(vmb_user_offer_ext_decode(m, 236, name), -EMSGSIZE);
	assert_int_equal(vmb_user_offer_ext_decode(m, 244, name), 0);
	memcpy(m + 196, offer_ext_vector, 40);
	m[205] = 0x01;	/* control character */
	assert_int_equal(vmb_user_offer_ext_decode(m, 236, name), -EBADMSG);
	memcpy(m + 196, offer_ext_vector, 40);
	memset(m + 204, 'x', 32);	/* unterminated */
	assert_int_equal(vmb_user_offer_ext_decode(m, 236, name), -EBADMSG);

	assert_int_equal(vmb_user_offer_ext_encode(m, 235, "eth0"), -EMSGSIZE);
	assert_int_equal(vmb_user_offer_ext_encode(m, 236, ""), -EINVAL);
}

/* ---- socket helpers ----------------------------------------------------- */

static void
test_send_recv(void **state)
{
	uint8_t big[5000];
	uint8_t buf[VMB_USER_MSG_MAX];
	int fds[VMB_USER_MAX_FDS];
	unsigned int nfds;
	int sv[2];
	int e1;
	int e2;
	int p[2];
	int base;
	int rc;

	(void)state;
	base = count_fds();
	make_pair(sv);
	e1 = eventfd(0, EFD_CLOEXEC);
	e2 = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_true(vmb_user_is_eventfd(e1));
	assert_false(vmb_user_is_eventfd(p[0]));
	assert_false(vmb_user_is_eventfd(sv[0]));

	/* Two fds travel and arrive CLOEXEC. */
	memset(big, 0x5a, sizeof(big));
	int two[2] = { e1, e2 };
	assert_int_equal(vmb_user_send(sv[0], big, 100, two, 2, 0), 0);
	rc = vmb_user_recv(sv[1], buf, sizeof(buf), fds, VMB_USER_MAX_FDS,
			   &nfds, 0);
	assert_int_equal(rc, 100);
	assert_int_equal(nfds, 2);
	assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	assert_true(vmb_user_is_eventfd(fds[1]));
	/* The received fd is the same eventfd. */
	assert_int_equal(vmb_user_signal(fds[0]), 0);
	assert_int_equal(vmb_user_drain(e1), 1);
	vmb_user_close_fds(fds, nfds);
	assert_int_equal(fds[0], -1);

	/* More fds than the receiver accepts: error, none leaked. */
	assert_int_equal(vmb_user_send(sv[0], big, 10, two, 2, 0), 0);
	rc = vmb_user_recv(sv[1], buf, sizeof(buf), fds, 1, &nfds, 0);
	assert_int_equal(rc, -ETOOMANYREFS);
	assert_int_equal(nfds, 0);

	/* Larger than the buffer: -EMSGSIZE, its fd closed. */
	assert_int_equal(vmb_user_send(sv[0], big, 4096, &e1, 1, 0), 0);
	rc = vmb_user_recv(sv[1], buf, 1000, fds, 1, &nfds, 0);
	assert_int_equal(rc, -EMSGSIZE);
	/* A 5000-byte datagram from a raw sender into a 4096 buffer. */
	assert_int_equal(send(sv[0], big, sizeof(big), 0),
			 (ssize_t)sizeof(big));
	rc = vmb_user_recv(sv[1], buf, sizeof(buf), fds, 1, &nfds, 0);
	assert_int_equal(rc, -EMSGSIZE);
	/* The next datagram is intact. */
	assert_int_equal(vmb_user_send(sv[0], "ok", 2, NULL, 0, 0), 0);
	rc = vmb_user_recv(sv[1], buf, sizeof(buf), fds, 1, &nfds, 0);
	assert_int_equal(rc, 2);
	assert_memory_equal(buf, "ok", 2);

	assert_int_equal(vmb_user_send(sv[0], big, 4097, NULL, 0, 0),
			 -EMSGSIZE);
	assert_int_equal(vmb_user_send(sv[0], big, 0, NULL, 0, 0), -EMSGSIZE);
	assert_int_equal(vmb_user_send(sv[0], big, 1, two, 5, 0), -EINVAL);
	rc = vmb_user_recv(sv[1], buf, sizeof(buf), fds, 1, &nfds,
			   MSG_DONTWAIT);
	assert_int_equal(rc, -EAGAIN);

	/* Eventfd helpers. */
	close(e2);
	e2 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_int_equal(vmb_user_drain(e2), 0);
	assert_int_equal(vmb_user_signal(e2), 0);
	assert_int_equal(vmb_user_signal(e2), 0);
	assert_int_equal(vmb_user_drain(e2), 1);
	assert_int_equal(vmb_user_drain(e2), 0);

	/* EOF reads as 0; send to a closed peer fails without SIGPIPE. */
	close(sv[0]);
	rc = vmb_user_recv(sv[1], buf, sizeof(buf), fds, 1, &nfds, 0);
	assert_int_equal(rc, 0);
	rc = vmb_user_send(sv[1], "x", 1, NULL, 0, 0);
	assert_int_equal(rc, -EPIPE);

	close(sv[1]);
	close(e1);
	close(e2);
	close(p[0]);
	close(p[1]);
	assert_int_equal(count_fds(), base);
}

static void
test_listen_connect(void **state)
{
	char path[64];
	char longp[200];
	uint8_t buf[16];
	unsigned int nfds;
	int lfd;
	int cfd;
	int afd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/vmbu-test-%d.sock", (int)getpid());
	lfd = vmb_user_listen(path, 4);
	assert_true(lfd >= 0);
	assert_int_equal(vmb_user_accept(lfd), -EAGAIN);
	cfd = vmb_user_connect(path);
	assert_true(cfd >= 0);
	afd = vmb_user_accept(lfd);
	assert_true(afd >= 0);
	assert_true(fcntl(afd, F_GETFL) & O_NONBLOCK);
	assert_int_equal(vmb_user_send(cfd, "hi", 2, NULL, 0, 0), 0);
	assert_int_equal(vmb_user_recv(afd, buf, sizeof(buf), NULL, 0, &nfds,
				       0), 2);
	close(afd);
	close(cfd);
	close(lfd);
	/* Listening again replaces the stale socket file. */
	lfd = vmb_user_listen(path, 4);
	assert_true(lfd >= 0);
	close(lfd);
	unlink(path);
	assert_int_equal(vmb_user_connect(path), -ENOENT);
	assert_int_equal(vmb_user_listen("", 1), -EINVAL);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = 0;
	assert_int_equal(vmb_user_connect(longp), -ENAMETOOLONG);
	assert_int_equal(vmb_user_listen(longp, 1), -ENAMETOOLONG);
}

/* ---- mappings ----------------------------------------------------------- */

static void
test_map(void **state)
{
	const uint64_t npages = 64;
	struct vmb_map_region *r;
	struct vmb_map_ring ring;
	struct vmb_map *m;
	uint64_t pfn[8];
	uint8_t *guest;
	uint8_t *p;
	int base_maps;
	int fd;
	int ufd;
	uint32_t i;

	(void)state;
	fd = make_memfd("vmbu-map-test", npages * PAGE, true);
	ufd = make_memfd("vmbu-map-unsealed", npages * PAGE, false);
	base_maps = count_maps("vmbu-map-test");
	guest = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		     fd, 0);
	assert_true(guest != MAP_FAILED);
	for (i = 0; i < npages; i++) {
		memset(guest + i * PAGE, (int)i + 1, PAGE);
	}

	errno = 0;
	assert_null(vmb_map_create(ufd, npages * PAGE));
	assert_int_equal(errno, EPERM);
	assert_null(vmb_map_create(fd, (npages + 1) * PAGE));
	assert_int_equal(errno, ERANGE);
	assert_null(vmb_map_create(fd, PAGE + 1));
	assert_int_equal(errno, EINVAL);
	assert_null(vmb_map_create(fd, 0));
	assert_null(vmb_map_create(-1, PAGE));
	assert_int_equal(errno, EBADF);

	m = vmb_map_create(fd, npages * PAGE);
	assert_non_null(m);
	assert_true(vmb_map_ram_size(m) == npages * PAGE);
	p = vmb_map_gpa(m, 5 * PAGE + 7, 1);
	assert_non_null(p);
	assert_int_equal(*p, 6);
	assert_non_null(vmb_map_gpa(m, npages * PAGE - 1, 1));
	assert_null(vmb_map_gpa(m, npages * PAGE - 1, 2));
	assert_non_null(vmb_map_gpa(m, npages * PAGE, 0));
	assert_null(vmb_map_gpa(m, UINT64_MAX, 2));
	assert_null(vmb_map_gpa(m, 8, UINT64_MAX));
	assert_true(vmb_map_pfn_ok(m, npages - 1));
	assert_false(vmb_map_pfn_ok(m, npages));

	/* Region over scattered pages: 3 runs. */
	pfn[0] = 10;
	pfn[1] = 11;
	pfn[2] = 3;
	pfn[3] = 40;
	pfn[4] = 41;
	pfn[5] = 42;
	assert_int_equal(vmb_map_count_runs(pfn, 6), 3);
	r = vmb_map_region_create(m, pfn, 6);
	assert_non_null(r);
	assert_int_equal(vmb_map_region_runs(r), 3);
	assert_int_equal(vmb_map_region_len(r), 6 * PAGE);
	p = vmb_map_region_base(r);
	for (i = 0; i < 6; i++) {
		assert_int_equal(p[i * PAGE], (int)pfn[i] + 1);
		assert_int_equal(p[i * PAGE + PAGE - 1], (int)pfn[i] + 1);
	}
	/* Shared both ways. */
	p[2 * PAGE + 9] = 0xaa;
	assert_int_equal(guest[3 * PAGE + 9], 0xaa);
	pfn[6] = npages;
	errno = 0;
	assert_null(vmb_map_region_create(m, pfn, 7));
	assert_int_equal(errno, ERANGE);
	assert_null(vmb_map_region_create(m, pfn, 0));
	assert_int_equal(errno, EINVAL);

	/* A ring: control page 20, data pages 7, 30, 31 mapped twice. */
	pfn[0] = 20;
	pfn[1] = 7;
	pfn[2] = 30;
	pfn[3] = 31;
	assert_int_equal(vmb_map_ring_create(m, pfn, 4, &ring), 0);
	assert_int_equal(ring.data_size, 3 * PAGE);
	assert_int_equal(((uint8_t *)ring.ctl)[0], 21);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ring.data[i * PAGE], (int)pfn[i + 1] + 1);
		assert_int_equal(ring.data[3 * PAGE + i * PAGE],
				 (int)pfn[i + 1] + 1);
	}
	/* A write across the end lands at the start. */
	memset(ring.data + 3 * PAGE - 4, 0x77, 8);
	assert_int_equal(guest[31 * PAGE + PAGE - 1], 0x77);
	assert_int_equal(guest[7 * PAGE + 3], 0x77);
	assert_int_equal(ring.data[3], 0x77);
	vmb_map_ring_destroy(&ring);
	assert_null(ring.base);
	vmb_map_ring_destroy(&ring);	/* idempotent */
	assert_int_equal(vmb_map_ring_create(m, pfn, 1, &ring), -EINVAL);
	assert_null(ring.base);
	pfn[3] = npages + 5;
	assert_int_equal(vmb_map_ring_create(m, pfn, 4, &ring), -ERANGE);

	/* Region survives the map; last put unmaps. */
	vmb_map_region_get(r);
	vmb_map_unref(m);
	vmb_map_region_put(r);
	p = vmb_map_region_base(r);
	assert_int_equal(p[0], 11);
	vmb_map_region_put(r);
	/* Only the test's own mapping is left. */
	assert_int_equal(count_maps("vmbu-map-test"), base_maps + 1);
	munmap(guest, npages * PAGE);
	assert_int_equal(count_maps("vmbu-map-test"), base_maps);
	close(fd);
	close(ufd);
}

/* ---- host connection driven with raw datagrams (one thread) ------------ */

/* Test owner: records callbacks. */
struct owner {
	/** Serialises access between the host thread and the test. */
	pthread_mutex_t mu;
	/** Offers returned by offers_for. */
	struct vmb_host_offer offers[4];
	/** Entries in offers. */
	int noffers;
	/** VM name offers_for was asked for. */
	char asked[VMB_USER_VM_NAME_MAX];
	/** Callback counts. */
	int opens, closes, releases, disconnects;
	/** Reason of the last disconnect. */
	int reason;
	/** Refuse the next open of this relid (0 = none). */
	uint32_t refuse_relid;
	/** Open channels by relid (< 16). */
	struct vmb_host_channel *ch[16];
	/** Cookie storage: cookie of relid r is &relids[r]. */
	uint32_t relids[16];
	/** Last released relid. */
	uint32_t released_relid;
	/** Log lines. */
	int logs;
};

static int
own_offers_for(void *ctx, const char *vm_name, struct vmb_host_offer *offers,
	       size_t max)
{
	struct owner *o = ctx;
	int n;

	pthread_mutex_lock(&o->mu);
	snprintf(o->asked, sizeof(o->asked), "%s", vm_name);
	n = (int)SN_MIN((size_t)o->noffers, max);
	memcpy(offers, o->offers, (size_t)n * sizeof(*offers));
	pthread_mutex_unlock(&o->mu);
	return n;
}

static int
own_open(void *ctx, void *cookie, struct vmb_host_channel *ch)
{
	struct owner *o = ctx;
	uint32_t relid = *(uint32_t *)cookie;
	int rc = 0;

	pthread_mutex_lock(&o->mu);
	if (relid == o->refuse_relid) {
		o->refuse_relid = 0;
		rc = -EBUSY;
	} else {
		o->opens++;
		o->ch[relid & 15] = ch;
	}
	pthread_mutex_unlock(&o->mu);
	return rc;
}

static void
own_close(void *ctx, void *cookie)
{
	struct owner *o = ctx;
	uint32_t relid = *(uint32_t *)cookie;

	pthread_mutex_lock(&o->mu);
	o->closes++;
	o->ch[relid & 15] = NULL;
	pthread_mutex_unlock(&o->mu);
}

static void
own_released(void *ctx, void *cookie)
{
	struct owner *o = ctx;

	pthread_mutex_lock(&o->mu);
	o->releases++;
	o->released_relid = *(uint32_t *)cookie;
	pthread_mutex_unlock(&o->mu);
}

static void
own_disconnected(void *ctx, struct vmb_host_conn *conn, int reason)
{
	struct owner *o = ctx;

	(void)conn;
	pthread_mutex_lock(&o->mu);
	o->disconnects++;
	o->reason = reason;
	pthread_mutex_unlock(&o->mu);
}

static void
own_log(void *ctx, struct vmb_host_conn *conn, const char *msg)
{
	struct owner *o = ctx;

	(void)conn;
	(void)msg;
	o->logs++;
}

static const struct vmb_host_ops own_ops = {
	.offers_for = own_offers_for,
	.channel_open = own_open,
	.channel_close = own_close,
	.channel_released = own_released,
	.disconnected = own_disconnected,
	.log = own_log,
};

static void
owner_init(struct owner *o)
{
	static const uint8_t inst[2][16] = {
		{ 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10 },
		{ 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		  0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20 },
	};
	uint32_t i;

	memset(o, 0, sizeof(*o));
	pthread_mutex_init(&o->mu, NULL);
	for (i = 0; i < 16; i++) {
		o->relids[i] = i;
	}
	o->noffers = 2;
	memcpy(o->offers[0].if_instance, inst[0], 16);
	o->offers[0].relid = 5;
	strcpy(o->offers[0].nic_name, "eth0");
	o->offers[0].cookie = &o->relids[5];
	memcpy(o->offers[1].if_instance, inst[1], 16);
	o->offers[1].relid = 9;
	strcpy(o->offers[1].nic_name, "Network Adapter");
	o->offers[1].cookie = &o->relids[9];
}

/* Receive one datagram from the guest end (blocking with a 2 s cap). */
static int
grecv(int fd, uint8_t *buf, int *fds, unsigned int *nfds)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, 2000) != 1) {
		return -ETIMEDOUT;
	}
	return vmb_user_recv(fd, buf, VMB_USER_MSG_MAX, fds, VMB_USER_MAX_FDS,
			     nfds, MSG_DONTWAIT);
}

/* Expect a VERSION_RESPONSE {supported, state}. */
static void
expect_version_response(int gfd, uint8_t supported, uint8_t cstate,
			uint32_t conn_id)
{
	uint8_t buf[VMB_USER_MSG_MAX];
	int fds[VMB_USER_MAX_FDS];
	unsigned int nfds;

	assert_int_equal(grecv(gfd, buf, fds, &nfds), 16);
	assert_int_equal(nfds, 0);
	assert_int_equal(sn_get_le32(buf), VMB_MSG_VERSION_RESPONSE);
	assert_int_equal(buf[8], supported);
	assert_int_equal(buf[9], cstate);
	assert_int_equal(sn_get_le32(buf + 12), conn_id);
}

/* A host connection on sv[1]; the test plays the guest on sv[0]. */
struct rawh {
	/** Guest end. */
	int gfd;
	/** Connection on the host end. */
	struct vmb_host_conn *conn;
	/** Recorder. */
	struct owner own;
	/** Guest RAM memfd (sealed). */
	int memfd;
};

static void
rawh_open(struct rawh *h, uint64_t ram_pages)
{
	int sv[2];

	owner_init(&h->own);
	make_pair(sv);
	h->gfd = sv[0];
	h->conn = vmb_host_conn_create(sv[1], &own_ops, &h->own);
	assert_non_null(h->conn);
	h->memfd = make_memfd("vmbu-raw-ram", ram_pages * PAGE, true);
}

static void
rawh_close(struct rawh *h)
{
	vmb_host_conn_destroy(h->conn);
	close(h->gfd);
	close(h->memfd);
	pthread_mutex_destroy(&h->own.mu);
}

static uint64_t
rawh_err(struct rawh *h, enum vmb_host_err e)
{
	struct vmb_host_stats st;

	vmb_host_conn_stats(h->conn, &st);
	return st.errors[e];
}

/* Send one crafted datagram and let the host handle it. */
static int
rawh_send(struct rawh *h, const void *buf, size_t len, const int *fds,
	  unsigned int nfds)
{
	int rc = vmb_user_send(h->gfd, buf, len, fds, nfds, 0);

	assert_int_equal(rc, 0);
	return vmb_host_conn_handle(h->conn);
}

/* Contact cases the host must refuse and close. */
static void
test_contact_refused(void **state)
{
	uint8_t buf[VMB_USER_MSG_MAX];
	int fds[VMB_USER_MAX_FDS];
	unsigned int nfds;
	struct rawh h;
	int base;
	int ufd;
	int c;

	(void)state;
	base = count_fds();
	for (c = 0; c < 11; c++) {
		int len;
		int fdv[2];
		unsigned int nf = 1;

		rawh_open(&h, 16);
		fdv[0] = h.memfd;
		fdv[1] = h.memfd;
		ufd = make_memfd("vmbu-unsealed", 16 * PAGE, false);
		len = build_contact(buf, sizeof(buf),
				    VMB_MSG_VERSION_WIN10_V5_3, 16 * PAGE,
				    "vm-1");
		switch (c) {
		case 0:	/* shorter than INITIATE_CONTACT */
			len = 20;
			break;
		case 1:	/* Linux message without the extension */
			len = 40;
			break;
		case 2:	/* bad magic */
			buf[41] = 0;
			break;
		case 3:	/* no fd */
			nf = 0;
			break;
		case 4:	/* two fds */
			nf = 2;
			break;
		case 5:	/* ram_size 0 */
			memset(buf + 48, 0, 8);
			break;
		case 6:	/* ram_size not a page multiple */
			buf[48] = 1;
			break;
		case 7:	/* ram_size larger than the memfd */
			sn_put_le64(buf + 48, 17 * PAGE);
			break;
		case 8:	/* bad name */
			buf[57] = ' ';
			break;
		case 9:	/* memfd not sealed against shrinking */
			fdv[0] = ufd;
			break;
		case 10: /* a pipe is no memfd */
			assert_int_equal(pipe2(fdv, O_CLOEXEC), 0);
			close(fdv[1]);
			break;
		}
		assert_int_equal(rawh_send(&h, buf, (size_t)len, fdv, nf),
				 -EPROTO);
		if (c == 10) {
			close(fdv[0]);
		}
		expect_version_response(h.gfd, 0,
					VMB_MSG_CONN_STATE_FAILED_UNKNOWN, 0);
		assert_int_equal(rawh_err(&h, VMB_HOST_ERR_CONTACT_INVALID), 1);
		assert_int_equal(h.own.disconnects, 1);
		assert_int_equal(h.own.reason, -EPROTO);
		/* Dead: handle keeps returning the reason. */
		assert_int_equal(vmb_host_conn_handle(h.conn), -EPROTO);
		close(ufd);
		rawh_close(&h);
	}

	/* Anything before INITIATE_CONTACT closes without an answer. */
	rawh_open(&h, 16);
	sn_put_le32(buf, VMB_MSG_REQUESTOFFERS);
	sn_put_le32(buf + 4, 0);
	assert_int_equal(rawh_send(&h, buf, 8, NULL, 0), -EPROTO);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_STATE), 1);
	vmb_host_conn_destroy(h.conn);
	h.conn = NULL;
	assert_int_equal(grecv(h.gfd, buf, fds, &nfds), 0);	/* EOF */
	rawh_close(&h);

	/* A short datagram before contact, too. */
	rawh_open(&h, 16);
	assert_int_equal(rawh_send(&h, buf, 4, NULL, 0), -EPROTO);
	rawh_close(&h);
	assert_int_equal(count_fds(), base);
}

/* Contact, version fallback, msg_conn_id, offers, raw vectors. */
static void
test_contact_and_offers_raw(void **state)
{
	static const uint8_t netvsc[16] = VMB_CHANMSG_GUID_NETVSC_BYTES;
	uint8_t buf[VMB_USER_MSG_MAX];
	int fds[VMB_USER_MAX_FDS];
	unsigned int nfds;
	struct vmb_host_stats st;
	struct rawh h;
	int len;

	(void)state;
	rawh_open(&h, 16);
	/* 6.0 is not supported: refused, the connection stays. */
	len = build_contact(buf, sizeof(buf), VMB_MSG_VERSION_WIN10_V6_0,
			    16 * PAGE, "vm-1");
	assert_int_equal(rawh_send(&h, buf, (size_t)len, &h.memfd, 1), 0);
	expect_version_response(h.gfd, 0, VMB_MSG_CONN_STATE_SUCCESSFUL, 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_VERSION_UNSUPPORTED), 1);
	assert_int_equal(vmb_host_conn_version(h.conn), 0);
	/* Unknown version number: same. */
	len = build_contact(buf, sizeof(buf), 0x00070001, 16 * PAGE, "vm-1");
	assert_int_equal(rawh_send(&h, buf, (size_t)len, &h.memfd, 1), 0);
	expect_version_response(h.gfd, 0, VMB_MSG_CONN_STATE_SUCCESSFUL, 0);
	/* 5.3 accepted; msg_conn_id 4 from 5.0 on. */
	len = build_contact(buf, sizeof(buf), VMB_MSG_VERSION_WIN10_V5_3,
			    16 * PAGE, "vm-1");
	assert_int_equal(rawh_send(&h, buf, (size_t)len, &h.memfd, 1), 0);
	expect_version_response(h.gfd, 1, VMB_MSG_CONN_STATE_SUCCESSFUL, 4);
	assert_int_equal(vmb_host_conn_version(h.conn),
			 VMB_MSG_VERSION_WIN10_V5_3);
	assert_string_equal(vmb_host_conn_vm_name(h.conn), "vm-1");
	/* A second contact is ignored and counted. */
	assert_int_equal(rawh_send(&h, buf, (size_t)len, &h.memfd, 1), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_STATE), 1);

	/* Hot add before REQUESTOFFERS: -EAGAIN, nothing sent. */
	assert_int_equal(vmb_host_conn_offer(h.conn, &h.own.offers[0]),
			 -EAGAIN);

	sn_put_le32(buf, VMB_MSG_REQUESTOFFERS);
	sn_put_le32(buf + 4, 0);
	assert_int_equal(rawh_send(&h, buf, 8, NULL, 0), 0);
	assert_string_equal(h.own.asked, "vm-1");
	/* First offer, byte by byte where it matters. */
	assert_int_equal(grecv(h.gfd, buf, fds, &nfds), 236);
	assert_int_equal(sn_get_le32(buf), VMB_MSG_OFFERCHANNEL);
	assert_memory_equal(buf + 8, netvsc, 16);
	assert_memory_equal(buf + 24, h.own.offers[0].if_instance, 16);
	assert_int_equal(sn_get_le16(buf + 8 + 172), 0);	/* subchannel */
	assert_int_equal(sn_get_le32(buf + 184), 5);	/* child_relid */
	assert_int_equal(buf[188], 0);	/* monitorid */
	assert_int_equal(buf[189], 0);	/* no monitor page */
	assert_int_equal(sn_get_le16(buf + 190), 1);	/* dedicated intr */
	assert_int_equal(sn_get_le32(buf + 192), 5);	/* connection_id */
	assert_memory_equal(buf + 196, offer_ext_vector, 40);
	assert_int_equal(grecv(h.gfd, buf, fds, &nfds), 236);
	assert_int_equal(sn_get_le32(buf + 184), 9);
	assert_string_equal((char *)buf + 204, "Network Adapter");
	assert_int_equal(grecv(h.gfd, buf, fds, &nfds), 8);
	assert_int_equal(sn_get_le32(buf), VMB_MSG_ALLOFFERS_DELIVERED);
	/* REQUESTOFFERS twice: ignored. */
	sn_put_le32(buf, VMB_MSG_REQUESTOFFERS);
	assert_int_equal(rawh_send(&h, buf, 8, NULL, 0), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_STATE), 2);

	/* Hot add now works; duplicates are refused. */
	h.own.offers[2] = h.own.offers[0];
	h.own.offers[2].relid = 11;
	h.own.offers[2].if_instance[0] = 0x99;
	h.own.offers[2].cookie = &h.own.relids[11];
	strcpy(h.own.offers[2].nic_name, "eth2");
	assert_int_equal(vmb_host_conn_offer(h.conn, &h.own.offers[2]), 0);
	assert_int_equal(vmb_host_conn_offer(h.conn, &h.own.offers[2]),
			 -EEXIST);
	h.own.offers[2].relid = 0;
	assert_int_equal(vmb_host_conn_offer(h.conn, &h.own.offers[2]),
			 -EINVAL);
	assert_int_equal(grecv(h.gfd, buf, fds, &nfds), 236);
	assert_int_equal(sn_get_le32(buf + 184), 11);
	assert_string_equal((char *)buf + 204, "eth2");

	/* Rescind: message, then RELID_RELEASED releases the cookie. */
	assert_int_equal(vmb_host_conn_rescind(h.conn, 11), 0);
	assert_int_equal(vmb_host_conn_rescind(h.conn, 11), -ENOENT);
	assert_int_equal(vmb_host_conn_rescind(h.conn, 12), -ENOENT);
	assert_int_equal(grecv(h.gfd, buf, fds, &nfds), 12);
	assert_int_equal(sn_get_le32(buf), VMB_MSG_RESCIND_CHANNELOFFER);
	assert_int_equal(sn_get_le32(buf + 8), 11);
	sn_put_le32(buf, VMB_MSG_RELID_RELEASED);
	assert_int_equal(rawh_send(&h, buf, 12, NULL, 0), 0);
	assert_int_equal(h.own.releases, 1);
	assert_int_equal(h.own.released_relid, 11);
	/* Released twice: counted. */
	assert_int_equal(rawh_send(&h, buf, 12, NULL, 0), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_RELID), 1);
	sn_put_le32(buf + 8, 5);	/* not rescinded */
	assert_int_equal(rawh_send(&h, buf, 12, NULL, 0), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_STATE), 3);

	/* UNLOAD: answer, release every channel, back to no contact. */
	sn_put_le32(buf, VMB_MSG_UNLOAD);
	assert_int_equal(rawh_send(&h, buf, 8, NULL, 0), 0);
	assert_int_equal(grecv(h.gfd, buf, fds, &nfds), 8);
	assert_int_equal(sn_get_le32(buf), VMB_MSG_UNLOAD_RESPONSE);
	assert_int_equal(h.own.releases, 3);
	assert_int_equal(vmb_host_conn_version(h.conn), 0);
	/* Contact again, at 4.0: msg_conn_id 1. */
	len = build_contact(buf, sizeof(buf), VMB_MSG_VERSION_WIN10,
			    16 * PAGE, "vm-2");
	assert_int_equal(rawh_send(&h, buf, (size_t)len, &h.memfd, 1), 0);
	expect_version_response(h.gfd, 1, VMB_MSG_CONN_STATE_SUCCESSFUL, 1);
	assert_string_equal(vmb_host_conn_vm_name(h.conn), "vm-2");
	vmb_host_conn_stats(h.conn, &st);
	assert_int_equal(st.rx_msgs, 11);
	assert_int_equal(st.tx_msgs, 10);
	assert_int_equal(h.own.disconnects, 0);
	rawh_close(&h);
}

/* Do the contact + REQUESTOFFERS of a raw connection, drain the answers. */
static void
rawh_connect(struct rawh *h)
{
	uint8_t buf[VMB_USER_MSG_MAX];
	int fds[VMB_USER_MAX_FDS];
	unsigned int nfds;
	int len;

	len = build_contact(buf, sizeof(buf), VMB_MSG_VERSION_WIN10_V5_3,
			    64 * PAGE, "vm-1");
	assert_int_equal(rawh_send(h, buf, (size_t)len, &h->memfd, 1), 0);
	expect_version_response(h->gfd, 1, 0, 4);
	sn_put_le32(buf, VMB_MSG_REQUESTOFFERS);
	sn_put_le32(buf + 4, 0);
	assert_int_equal(rawh_send(h, buf, 8, NULL, 0), 0);
	assert_int_equal(grecv(h->gfd, buf, fds, &nfds), 236);
	assert_int_equal(grecv(h->gfd, buf, fds, &nfds), 236);
	assert_int_equal(grecv(h->gfd, buf, fds, &nfds), 8);
}

/* Send an OPENCHANNEL and return its result status (fd closed). */
static uint32_t
raw_open(struct rawh *h, uint32_t relid, uint32_t gpadl, uint32_t down,
	 const int *fds, unsigned int nfds)
{
	struct vmb_chanmsg m;
	uint8_t buf[VMB_USER_MSG_MAX];
	int rfds[VMB_USER_MAX_FDS];
	unsigned int rn;
	int len;

	memset(&m, 0, sizeof(m));
	m.type = VMB_MSG_OPENCHANNEL;
	m.u.open.child_relid = relid;
	m.u.open.openid = 77;
	m.u.open.ringbuffer_gpadlhandle = gpadl;
	m.u.open.downstream_ringbuffer_pageoffset = down;
	len = vmb_chanmsg_encode(&m, buf, sizeof(buf));
	assert_int_equal(len, 148);
	assert_int_equal(rawh_send(h, buf, (size_t)len, fds, nfds), 0);
	assert_int_equal(grecv(h->gfd, buf, rfds, &rn), 20);
	assert_int_equal(sn_get_le32(buf), VMB_MSG_OPENCHANNEL_RESULT);
	assert_int_equal(sn_get_le32(buf + 8), relid);
	assert_int_equal(sn_get_le32(buf + 12), 77);
	assert_int_equal(rn, sn_get_le32(buf + 16) == 0 ? 1 : 0);
	vmb_user_close_fds(rfds, rn);
	return sn_get_le32(buf + 16);
}

/* Send a GPADL through the codec's split; return creation_status. */
static uint32_t
raw_gpadl(struct rawh *h, uint32_t relid, uint32_t handle,
	  const uint64_t *pfn, uint32_t npfn)
{
	struct vmb_gpadl_desc d = {
		.child_relid = relid, .gpadl = handle, .byte_offset = 0,
		.byte_count = npfn * PAGE, .pfn = pfn, .npfn = npfn,
	};
	uint8_t buf[VMB_USER_MSG_MAX];
	int fds[VMB_USER_MAX_FDS];
	unsigned int nfds;
	uint32_t i;
	int len;

	for (i = 0; i < vmb_gpadl_msg_count(npfn); i++) {
		len = vmb_gpadl_encode_part(&d, i, buf, sizeof(buf));
		assert_true(len > 0);
		assert_int_equal(rawh_send(h, buf, (size_t)len, NULL, 0), 0);
	}
	assert_int_equal(grecv(h->gfd, buf, fds, &nfds), 20);
	assert_int_equal(sn_get_le32(buf), VMB_MSG_GPADL_CREATED);
	assert_int_equal(sn_get_le32(buf + 8), relid);
	assert_int_equal(sn_get_le32(buf + 12), handle);
	return sn_get_le32(buf + 16);
}

/* Ignored-and-counted errors on a live connection. */
static void
test_errors_raw(void **state)
{
	uint8_t buf[VMB_USER_MSG_MAX + 1000];
	int fds[VMB_USER_MAX_FDS];
	unsigned int nfds;
	uint64_t pfn[8];
	struct rawh h;
	int efd;
	int p[2];
	int base;
	int i;

	(void)state;
	base = count_fds();
	rawh_open(&h, 64);
	rawh_connect(&h);
	efd = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);

	/* Unknown type, short message, host->guest type, oversize. */
	memset(buf, 0, sizeof(buf));
	sn_put_le32(buf, 30);
	assert_int_equal(rawh_send(&h, buf, 16, NULL, 0), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_UNKNOWN_TYPE), 1);
	sn_put_le32(buf, VMB_MSG_CLOSECHANNEL);
	assert_int_equal(rawh_send(&h, buf, 10, NULL, 0), 0);
	assert_int_equal(rawh_send(&h, buf, 4, NULL, 0), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_SHORT), 2);
	sn_put_le32(buf, VMB_MSG_VERSION_RESPONSE);
	assert_int_equal(rawh_send(&h, buf, 16, NULL, 0), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_WRONG_DIRECTION), 1);
	assert_int_equal(send(h.gfd, buf, VMB_USER_MSG_MAX + 1, 0),
			 VMB_USER_MSG_MAX + 1);
	assert_int_equal(vmb_host_conn_handle(h.conn), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_OVERSIZE), 1);
	/* Exactly 4096 bytes is fine (REQUESTOFFERS + trailing bytes). */
	sn_put_le32(buf, VMB_MSG_REQUESTOFFERS);
	assert_int_equal(rawh_send(&h, buf, VMB_USER_MSG_MAX, NULL, 0), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_STATE), 1);

	/* An fd on a message that takes none: closed, message ignored. */
	sn_put_le32(buf, VMB_MSG_CLOSECHANNEL);
	sn_put_le32(buf + 8, 5);
	assert_int_equal(rawh_send(&h, buf, 12, &efd, 1), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_UNEXPECTED_FD), 1);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_STATE), 1);
	/* Four fds on a message that takes none: all closed. */
	int five[4] = { efd, efd, efd, efd };
	assert_int_equal(rawh_send(&h, buf, 12, five, 4), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_UNEXPECTED_FD), 2);
	/* CLOSECHANNEL for unknown / not open relids. */
	sn_put_le32(buf + 8, 6);
	assert_int_equal(rawh_send(&h, buf, 12, NULL, 0), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_RELID), 1);
	sn_put_le32(buf + 8, 5);
	assert_int_equal(rawh_send(&h, buf, 12, NULL, 0), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_STATE), 2);

	/* GPADLs: ok, duplicate, PFN out of range, bad relid, too short. */
	for (i = 0; i < 8; i++) {
		pfn[i] = 10 + (uint64_t)i;
	}
	assert_int_equal(raw_gpadl(&h, 5, 0x100, pfn, 6), 0);
	assert_int_equal(raw_gpadl(&h, 5, 0x100, pfn, 6),
			 VMB_HOST_STATUS_FAILURE);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_GPADL_DUPLICATE), 1);
	pfn[7] = 64;
	assert_int_equal(raw_gpadl(&h, 5, 0x101, pfn, 8),
			 VMB_HOST_STATUS_FAILURE);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_GPADL_INVALID), 1);
	pfn[7] = 17;
	assert_int_equal(raw_gpadl(&h, 6, 0x102, pfn, 8),
			 VMB_HOST_STATUS_FAILURE);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_RELID), 2);
	/* A GPADL_HEADER announcing more words than it and bodies carry. */
	memset(buf, 0, 40);
	sn_put_le32(buf, VMB_MSG_GPADL_HEADER);
	sn_put_le32(buf + 8, 5);
	sn_put_le32(buf + 12, 0x103);
	sn_put_le16(buf + 16, 16);	/* range_buflen: 2 words */
	sn_put_le16(buf + 18, 1);
	sn_put_le32(buf + 20, 2 * PAGE);	/* byte_count: 2 pages */
	sn_put_le64(buf + 28, 12);	/* one PFN only in buflen */
	assert_int_equal(rawh_send(&h, buf, 36, NULL, 0), 0);
	assert_int_equal(grecv(h.gfd, buf, fds, &nfds), 20);
	assert_int_equal(sn_get_le32(buf), VMB_MSG_GPADL_CREATED);
	assert_int_equal(sn_get_le32(buf + 12), 0x103);
	assert_int_equal(sn_get_le32(buf + 16), VMB_HOST_STATUS_FAILURE);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_GPADL_INVALID), 2);
	/* A body without a header: counted, no answer. */
	memset(buf, 0, 24);
	sn_put_le32(buf, VMB_MSG_GPADL_BODY);
	sn_put_le32(buf + 12, 0x104);
	assert_int_equal(rawh_send(&h, buf, 24, NULL, 0), 0);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_GPADL_UNKNOWN), 1);

	/* OPENCHANNEL failures: each gets a failure result, no fd. */
	assert_int_equal(raw_open(&h, 5, 0x100, 3, NULL, 0),
			 VMB_HOST_STATUS_FAILURE);	/* no fd */
	assert_int_equal(raw_open(&h, 5, 0x100, 3, p, 1),
			 VMB_HOST_STATUS_FAILURE);	/* a pipe */
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_OPEN_INVALID), 2);
	assert_int_equal(raw_open(&h, 5, 0x100, 1, &efd, 1),
			 VMB_HOST_STATUS_FAILURE);	/* 1-page G->H ring */
	assert_int_equal(raw_open(&h, 5, 0x100, 5, &efd, 1),
			 VMB_HOST_STATUS_FAILURE);	/* 1-page H->G ring */
	assert_int_equal(raw_open(&h, 5, 0x999, 3, &efd, 1),
			 VMB_HOST_STATUS_FAILURE);	/* unknown GPADL */
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_OPEN_INVALID), 5);
	assert_int_equal(raw_open(&h, 6, 0x100, 3, &efd, 1),
			 VMB_HOST_STATUS_FAILURE);	/* unknown relid */
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_RELID), 3);
	h.own.refuse_relid = 5;
	assert_int_equal(raw_open(&h, 5, 0x100, 3, &efd, 1),
			 VMB_HOST_STATUS_FAILURE);	/* owner refuses */
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_OPEN_REFUSED), 1);
	assert_int_equal(raw_open(&h, 5, 0x100, 3, &efd, 1), 0);
	assert_int_equal(h.own.opens, 1);
	assert_non_null(h.own.ch[5]);
	assert_int_equal(h.own.ch[5]->rx->size, 2 * PAGE);
	assert_int_equal(h.own.ch[5]->tx->size, 2 * PAGE);
	/* The same GPADL cannot back a second channel; relid 5 is open. */
	assert_int_equal(raw_open(&h, 9, 0x100, 3, &efd, 1),
			 VMB_HOST_STATUS_FAILURE);
	assert_int_equal(raw_open(&h, 5, 0x100, 3, &efd, 1),
			 VMB_HOST_STATUS_FAILURE);

	/* Hot remove of an open channel closes it first. */
	assert_int_equal(vmb_host_conn_rescind(h.conn, 5), 0);
	assert_int_equal(h.own.closes, 1);
	assert_null(h.own.ch[5]);
	assert_int_equal(grecv(h.gfd, buf, fds, &nfds), 12);
	/* Its GPADLs went with it: teardown is answered anyway. */
	memset(buf, 0, 16);
	sn_put_le32(buf, VMB_MSG_GPADL_TEARDOWN);
	sn_put_le32(buf + 8, 5);
	sn_put_le32(buf + 12, 0x100);
	assert_int_equal(rawh_send(&h, buf, 16, NULL, 0), 0);
	assert_int_equal(grecv(h.gfd, buf, fds, &nfds), 12);
	assert_int_equal(sn_get_le32(buf), VMB_MSG_GPADL_TORNDOWN);
	assert_int_equal(sn_get_le32(buf + 8), 0x100);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_GPADL_UNKNOWN), 2);
	/* GPADLs for a rescinded relid are refused. */
	assert_int_equal(raw_gpadl(&h, 5, 0x105, pfn, 2),
			 VMB_HOST_STATUS_FAILURE);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_RELID), 4);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_OPEN_INVALID), 6);
	assert_int_equal(rawh_err(&h, VMB_HOST_ERR_BAD_STATE), 3);

	/* The rate limit kept the log short. */
	assert_true(h.own.logs <= 11);
	assert_int_equal(h.own.disconnects, 0);
	close(efd);
	close(p[0]);
	close(p[1]);
	rawh_close(&h);
	assert_int_equal(count_fds(), base);
}

/* ---- end to end: guest client thread vs host thread -------------------- */

enum hcmd {
	HCMD_NONE = 0,
	HCMD_OFFER,
	HCMD_RESCIND,
	HCMD_STATS,
};

/* The host side of the end-to-end test, run in its own thread. */
struct hostt {
	/** Recorder (owner of the connection). */
	struct owner own;
	/** Connection; destroyed by the thread when it ends. */
	struct vmb_host_conn *conn;
	/** Wakes the thread for a command. */
	int cmd_fd;
	/** Guards cmd, cmd_rc, done, stats. */
	pthread_mutex_t mu;
	/** Signals done. */
	pthread_cond_t cv;
	/** Pending command. */
	enum hcmd cmd;
	/** Its argument (relid or offer index). */
	uint32_t arg;
	/** Its result. */
	int cmd_rc;
	/** Command finished. */
	bool done;
	/** Stats snapshot of HCMD_STATS. */
	struct vmb_host_stats stats;
	/** Return of the last handle() (negative = ended). */
	int end_rc;
	/** The thread exited. */
	bool ended;
	/** Ask the thread to stop (destroying the conn). */
	bool stop;
};

static void *
host_main(void *arg)
{
	struct hostt *h = arg;
	struct pollfd pfd[2];
	int rc = 0;

	pfd[0].fd = vmb_host_conn_fd(h->conn);
	pfd[0].events = POLLIN;
	pfd[1].fd = h->cmd_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, 100) < 0 && errno != EINTR) {
			break;
		}
		if (pfd[1].revents & POLLIN) {
			(void)vmb_user_drain(h->cmd_fd);
			pthread_mutex_lock(&h->mu);
			switch (h->cmd) {
			case HCMD_OFFER:
				h->cmd_rc = vmb_host_conn_offer(h->conn,
					&h->own.offers[h->arg]);
				break;
			case HCMD_RESCIND:
				h->cmd_rc = vmb_host_conn_rescind(h->conn,
								  h->arg);
				break;
			case HCMD_STATS:
				vmb_host_conn_stats(h->conn, &h->stats);
				h->cmd_rc = 0;
				break;
			default:
				break;
			}
			h->cmd = HCMD_NONE;
			h->done = true;
			pthread_cond_broadcast(&h->cv);
			pthread_mutex_unlock(&h->mu);
		}
		do {
			rc = vmb_host_conn_handle(h->conn);
		} while (rc == 1);
		pthread_mutex_lock(&h->mu);
		h->end_rc = rc;
		pthread_mutex_unlock(&h->mu);
		if (rc < 0 || __atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
			break;
		}
	}
	vmb_host_conn_destroy(h->conn);
	pthread_mutex_lock(&h->mu);
	h->conn = NULL;
	h->ended = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* Run a command on the host thread and wait for it (5 s cap). */
static int
host_cmd(struct hostt *h, enum hcmd cmd, uint32_t arg)
{
	struct timespec ts;
	int rc;

	pthread_mutex_lock(&h->mu);
	h->cmd = cmd;
	h->arg = arg;
	h->done = false;
	pthread_mutex_unlock(&h->mu);
	assert_int_equal(vmb_user_signal(h->cmd_fd), 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	pthread_mutex_lock(&h->mu);
	while (!h->done) {
		if (pthread_cond_timedwait(&h->cv, &h->mu, &ts) != 0) {
			break;
		}
	}
	assert_true(h->done);
	rc = h->cmd_rc;
	pthread_mutex_unlock(&h->mu);
	return rc;
}

static uint64_t
host_err(struct hostt *h, enum vmb_host_err e)
{
	assert_int_equal(host_cmd(h, HCMD_STATS, 0), 0);
	return h->stats.errors[e];
}

/* Wait (5 s cap) until *counter (under own.mu) reaches want. */
static void
wait_count(struct hostt *h, const int *counter, int want)
{
	int i;
	int v = -1;

	for (i = 0; i < 500; i++) {
		pthread_mutex_lock(&h->own.mu);
		v = *counter;
		pthread_mutex_unlock(&h->own.mu);
		if (v >= want) {
			break;
		}
		usleep(10000);
	}
	assert_int_equal(v, want);
}

static struct vmb_host_channel *
host_chan(struct hostt *h, uint32_t relid)
{
	struct vmb_host_channel *ch;

	pthread_mutex_lock(&h->own.mu);
	ch = h->own.ch[relid & 15];
	pthread_mutex_unlock(&h->own.mu);
	return ch;
}

/* Guest callbacks. */
struct gcb {
	/** Hot-added offers seen. */
	int offers;
	/** Name of the last one. */
	char last_name[VMB_USER_NIC_NAME_MAX];
	/** Rescinds seen. */
	int rescinds;
	/** Relid of the last one. */
	uint32_t last_rescind;
};

static void
g_on_offer(void *arg, const struct gvmb_offer *o)
{
	struct gcb *g = arg;

	g->offers++;
	snprintf(g->last_name, sizeof(g->last_name), "%s", o->nic_name);
}

static void
g_on_rescind(void *arg, uint32_t relid)
{
	struct gcb *g = arg;

	g->rescinds++;
	g->last_rescind = relid;
}

/* Guest writes an inband packet of plen bytes (byte pattern seed). */
static int
guest_write(struct vmb_ring *r, uint64_t tid, uint32_t plen, uint8_t seed,
	    bool *sig)
{
	uint8_t hdr[16];
	uint8_t payload[4096];
	struct vmb_iov iov[2];
	uint32_t i;
	int hl;

	for (i = 0; i < plen; i++) {
		payload[i] = (uint8_t)(seed + i * 7);
	}
	hl = vmb_pkt_enc_inband(hdr, sizeof(hdr),
				VMB_PKT_FLAG_COMPLETION_REQUESTED, tid, plen);
	assert_int_equal(hl, 16);
	iov[0].base = hdr;
	iov[0].len = (size_t)hl;
	iov[1].base = payload;
	iov[1].len = plen;
	return vmb_ring_write(r, iov, 2, sig);
}

/* Reader side: take one packet and check it against guest_write's. */
static void
read_check(struct vmb_ring *r, uint64_t tid, uint32_t plen, uint8_t seed)
{
	uint8_t buf[8192];
	struct vmb_pkt pkt;
	size_t len;
	uint32_t i;

	assert_int_equal(vmb_ring_peek(r, buf, sizeof(buf), &len), 0);
	assert_int_equal(vmb_pkt_decode(buf, len, &pkt), 0);
	assert_int_equal(pkt.type, VMB_PKT_DATA_INBAND);
	assert_true(pkt.trans_id == tid);
	assert_true(pkt.payload_len >= plen);
	for (i = 0; i < plen; i++) {
		if (pkt.payload[i] != (uint8_t)(seed + i * 7)) {
			fail_msg("payload byte %u differs", i);
		}
	}
	(void)vmb_ring_read_commit(r);
}

static bool
fd_readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1;
}

static void
e2e_rings(struct hostt *h, struct gvmb_chan *gch)
{
	struct vmb_host_channel *hch = host_chan(h, 5);
	uint32_t last_w = 0;
	bool wrapped = false;
	bool sig;
	int i;

	assert_non_null(hch);
	assert_int_equal(hch->rx->size, 2 * PAGE);
	assert_int_equal(hch->kick_fd >= 0, 1);
	assert_true(vmb_user_is_eventfd(hch->kick_fd));

	/* First packet into an empty ring: signal, kick delivered. */
	assert_int_equal(guest_write(&gch->tx, 1, 100, 3, &sig), 0);
	assert_true(sig);
	assert_int_equal(gvmb_chan_kick(gch), 0);
	assert_true(fd_readable(hch->kick_fd, 2000));
	assert_int_equal(vmb_user_drain(hch->kick_fd), 1);
	read_check(hch->rx, 1, 100, 3);

	/* 3024-byte packets through an 8 KiB ring: wraps several times. */
	for (i = 0; i < 12; i++) {
		assert_int_equal(guest_write(&gch->tx, 100 + i, 3000,
					     (uint8_t)i, &sig), 0);
		if (i % 2 == 1) {
			/* Second one queued behind the first: no signal. */
			assert_false(sig);
			read_check(hch->rx, 100 + i - 1, 3000,
				   (uint8_t)(i - 1));
			read_check(hch->rx, 100 + i, 3000, (uint8_t)i);
		} else {
			assert_true(sig);
		}
		if (gch->tx.ctl->write_index < last_w) {
			wrapped = true;
		}
		last_w = gch->tx.ctl->write_index;
	}
	assert_true(wrapped);
	/* The host sees the data area twice back to back. */
	assert_memory_equal(hch->rx->data, hch->rx->data + hch->rx->size,
			    hch->rx->size);
	assert_int_equal(vmb_ring_read_avail(hch->rx), 0);
	/* The guest's view is the same bytes. */
	assert_memory_equal(gch->tx.data, hch->rx->data, gch->tx.size);

	/* Host -> guest, with the interrupt eventfd. */
	assert_int_equal(gvmb_chan_wait(gch, 0), 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(guest_write(hch->tx, 200 + i, 2500,
					     (uint8_t)(50 + i), &sig), 0);
		assert_true(sig);
		assert_int_equal(vmb_user_signal(hch->intr_fd), 0);
		assert_int_equal(gvmb_chan_wait(gch, 2000), 1);
		read_check(&gch->rx, 200 + i, 2500, (uint8_t)(50 + i));
	}
	/* Interrupt mask honoured: masked reader is not signalled. */
	vmb_ring_mask(&gch->rx);
	assert_int_equal(guest_write(hch->tx, 300, 8, 1, &sig), 0);
	assert_false(sig);
	assert_true(vmb_ring_unmask(&gch->rx));
	read_check(&gch->rx, 300, 8, 1);
}

static void
test_end_to_end(void **state)
{
	struct gvmb_opts opts;
	struct gvmb_conn *gc;
	struct gvmb_ram *ram;
	struct gvmb_chan *ch5;
	struct gvmb_chan *ch9;
	struct gvmb_chan *ch11;
	struct gvmb_alloc a;
	struct gvmb_chan_opts co;
	const struct gvmb_offer *offs;
	struct vmb_map_region *reg;
	struct hostt *h;
	struct gcb cb;
	pthread_t tid;
	unsigned int n;
	uint64_t pfn[40];
	uint32_t g1;
	void *hbase;
	size_t hlen;
	uint8_t *p;
	int base_fds;
	int base_maps;
	int sv[2];
	uint32_t i;

	(void)state;
	base_fds = count_fds();
	h = calloc(1, sizeof(*h));
	assert_non_null(h);
	owner_init(&h->own);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->cmd_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_int_equal(gvmb_ram_create(4u << 20, &ram), 0);
	base_maps = count_maps("synthnet-guest-ram");
	assert_int_equal(base_maps, 1);
	make_pair(sv);
	h->conn = vmb_host_conn_create(sv[1], &own_ops, &h->own);
	assert_non_null(h->conn);
	assert_int_equal(pthread_create(&tid, NULL, host_main, h), 0);

	/* Contact: 6.0 refused, 5.3 accepted. */
	memset(&cb, 0, sizeof(cb));
	memset(&opts, 0, sizeof(opts));
	opts.timeout_ms = 3000;
	opts.on_offer = g_on_offer;
	opts.on_rescind = g_on_rescind;
	opts.cb_arg = &cb;
	assert_int_equal(gvmb_connect_fd(sv[0], ram, "vm-1", &opts, &gc), 0);
	assert_int_equal(gvmb_version(gc), VMB_MSG_VERSION_WIN10_V5_3);
	assert_int_equal(host_err(h, VMB_HOST_ERR_VERSION_UNSUPPORTED), 1);

	/* Offers with their names. */
	assert_int_equal(gvmb_request_offers(gc), 2);
	offs = gvmb_offers(gc, &n);
	assert_int_equal(n, 2);
	assert_int_equal(offs[0].relid, 5);
	assert_string_equal(offs[0].nic_name, "eth0");
	assert_int_equal(offs[0].connection_id, 5);
	assert_memory_equal(offs[0].if_instance, h->own.offers[0].if_instance,
			    16);
	assert_string_equal(gvmb_offer_find(gc, 9)->nic_name,
			    "Network Adapter");
	assert_null(gvmb_offer_find(gc, 10));
	assert_int_equal(cb.offers, 0);

	/* A 100-page GPADL: header + 3 bodies (26 + 28 + 28 + 18). */
	assert_int_equal(gvmb_ram_alloc(ram, 100 * PAGE, &a), 0);
	for (i = 0; i < 100; i++) {
		memset((uint8_t *)a.ptr + i * PAGE, (int)(i ^ 0x5a), PAGE);
	}
	assert_int_equal(host_cmd(h, HCMD_STATS, 0), 0);
	uint64_t rx_before = h->stats.rx_msgs;
	assert_int_equal(gvmb_gpadl_create(gc, 5, &a, &g1), 0);
	assert_int_equal(g1, GVMB_FIRST_GPADL);
	assert_int_equal(host_cmd(h, HCMD_STATS, 0), 0);
	assert_int_equal(h->stats.rx_msgs - rx_before, 4);
	assert_int_equal(h->stats.gpadls, 1);
	reg = vmb_host_gpadl_get(h->conn, g1, &hbase, &hlen);
	assert_non_null(reg);
	assert_int_equal(hlen, 100 * PAGE);
	assert_memory_equal(hbase, a.ptr, 100 * PAGE);
	assert_null(vmb_host_gpadl_get(h->conn, 0x1234, NULL, NULL));

	/* Scattered PFNs (reversed): one contiguous host view. */
	for (i = 0; i < 40; i++) {
		pfn[i] = a.pfn[99 - i];
	}
	assert_int_equal(gvmb_gpadl_create_raw(gc, 9, 0x7000, pfn, 40, 0,
					       40 * PAGE), 0);
	{
		struct vmb_map_region *r2;
		void *b2;
		size_t l2;

		r2 = vmb_host_gpadl_get(h->conn, 0x7000, &b2, &l2);
		assert_non_null(r2);
		assert_int_equal(l2, 40 * PAGE);
		for (i = 0; i < 40; i++) {
			assert_memory_equal((uint8_t *)b2 + i * PAGE,
					    (uint8_t *)a.ptr +
					    (99 - i) * PAGE, PAGE);
		}
		vmb_map_region_put(r2);
	}
	/* byte_offset/byte_count are honoured by the lookup. */
	assert_int_equal(gvmb_gpadl_create_raw(gc, 9, 0x7001, pfn, 2, 100,
					       5000), 0);
	{
		struct vmb_map_region *r3;
		void *b3;
		size_t l3;

		r3 = vmb_host_gpadl_get(h->conn, 0x7001, &b3, &l3);
		assert_non_null(r3);
		assert_int_equal(l3, 5000);
		assert_ptr_equal((uint8_t *)b3 - 100,
				 vmb_map_region_base(r3));
		vmb_map_region_put(r3);
	}
	/* PFN beyond RAM, duplicate handle, unknown relid: refused. */
	pfn[30] = (4u << 20) / PAGE;
	assert_int_equal(gvmb_gpadl_create_raw(gc, 9, 0x7002, pfn, 40, 0,
					       40 * PAGE), -EREMOTEIO);
	assert_int_equal(host_err(h, VMB_HOST_ERR_GPADL_INVALID), 1);
	assert_int_equal(gvmb_gpadl_create_raw(gc, 9, 0x7000, a.pfn, 1, 0,
					       PAGE), -EREMOTEIO);
	assert_int_equal(host_err(h, VMB_HOST_ERR_GPADL_DUPLICATE), 1);
	assert_int_equal(gvmb_gpadl_create_raw(gc, 77, 0x7003, a.pfn, 1, 0,
					       PAGE), -EREMOTEIO);
	assert_int_equal(gvmb_gpadl_teardown(gc, 9, 0x7001), 0);

	/* Open relid 5 with 2-page rings. */
	memset(&co, 0, sizeof(co));
	co.tx_pages = 2;
	co.rx_pages = 2;
	assert_int_equal(gvmb_chan_open(gc, 5, &co, &ch5), 0);
	assert_int_equal(gvmb_chan_open(gc, 5, &co, &ch5), -EBUSY);
	assert_int_equal(gvmb_chan_open(gc, 10, &co, &ch9), -ENOENT);
	wait_count(h, &h->own.opens, 1);
	assert_true(vmb_user_is_eventfd(ch5->intr_fd));
	e2e_rings(h, ch5);

	/* The owner refuses relid 9 once. */
	pthread_mutex_lock(&h->own.mu);
	h->own.refuse_relid = 9;
	pthread_mutex_unlock(&h->own.mu);
	i = gvmb_ram_free_pages(ram);
	assert_int_equal(gvmb_chan_open(gc, 9, NULL, &ch9), -EREMOTEIO);
	/* The ring pages came back. */
	assert_int_equal(gvmb_ram_free_pages(ram), i);
	assert_int_equal(host_err(h, VMB_HOST_ERR_OPEN_REFUSED), 1);
	/* Default 128-page rings this time. */
	assert_int_equal(gvmb_chan_open(gc, 9, NULL, &ch9), 0);
	assert_int_equal(ch9->tx.size, 128 * PAGE);
	assert_int_equal(ch9->ring_mem.npages, 258);
	wait_count(h, &h->own.opens, 2);
	assert_int_equal(host_chan(h, 9)->rx->size, 128 * PAGE);

	/* Tearing down the ring GPADL of open relid 9 closes it first. */
	assert_int_equal(gvmb_gpadl_teardown(gc, 9, ch9->ring_gpadl), 0);
	wait_count(h, &h->own.closes, 1);
	assert_null(host_chan(h, 9));
	assert_int_equal(host_err(h, VMB_HOST_ERR_GPADL_IN_USE), 1);
	/* Closing it now: CLOSECHANNEL counted, teardown answered. */
	assert_int_equal(gvmb_chan_close(ch9), 0);
	assert_int_equal(host_err(h, VMB_HOST_ERR_BAD_STATE), 1);

	/* Close relid 5 properly. */
	assert_int_equal(gvmb_chan_close(ch5), 0);
	wait_count(h, &h->own.closes, 2);
	assert_int_equal(host_cmd(h, HCMD_STATS, 0), 0);
	assert_int_equal(h->stats.open_channels, 0);

	/* Hot add relid 11, then open it and hot remove it. */
	h->own.offers[2] = h->own.offers[0];
	h->own.offers[2].relid = 11;
	h->own.offers[2].if_instance[0] = 0x42;
	h->own.offers[2].cookie = &h->own.relids[11];
	strcpy(h->own.offers[2].nic_name, "eth2");
	assert_int_equal(host_cmd(h, HCMD_OFFER, 2), 0);
	assert_int_equal(gvmb_poll(gc, 2000), 1);
	assert_int_equal(cb.offers, 1);
	assert_string_equal(cb.last_name, "eth2");
	assert_int_equal(gvmb_chan_open(gc, 11, &co, &ch11), 0);
	assert_int_equal(host_cmd(h, HCMD_RESCIND, 11), 0);
	wait_count(h, &h->own.closes, 3);
	assert_int_equal(gvmb_poll(gc, 2000), 1);
	assert_int_equal(cb.rescinds, 1);
	assert_int_equal(cb.last_rescind, 11);
	assert_true(ch11->rescinded);
	assert_true(gvmb_offer_find(gc, 11)->rescinded);
	assert_int_equal(gvmb_chan_open(gc, 11, &co, &ch9), -ENOENT);
	assert_int_equal(gvmb_chan_close(ch11), 0);	/* RELID_RELEASED */
	wait_count(h, &h->own.releases, 1);
	assert_null(gvmb_offer_find(gc, 11));

	/* Teardown of g1 while the host still holds a reference. */
	assert_int_equal(gvmb_gpadl_teardown(gc, 5, g1), 0);
	assert_null(vmb_host_gpadl_get(h->conn, g1, NULL, NULL));
	p = hbase;
	/* Still mapped. */
	assert_int_equal(p[99 * PAGE], (uint8_t)(99 ^ 0x5a));
	vmb_map_region_put(reg);
	gvmb_ram_free(ram, &a);

	/* UNLOAD with an open channel: host closes and releases all. */
	assert_int_equal(gvmb_chan_open(gc, 5, &co, &ch5), 0);
	wait_count(h, &h->own.opens, 4);
	assert_true(count_maps("synthnet-guest-ram") > base_maps);
	assert_int_equal(gvmb_unload(gc), 0);
	wait_count(h, &h->own.closes, 4);
	wait_count(h, &h->own.releases, 3);
	assert_int_equal(gvmb_chan_close(ch5), 0);	/* local only */
	assert_int_equal(gvmb_unexpected(gc), 0);

	/* UNLOAD dropped every host mapping already. */
	assert_int_equal(count_maps("synthnet-guest-ram"), base_maps);
	/* Disconnect: the host frees everything else. */
	gvmb_disconnect(gc);
	pthread_join(tid, NULL);
	assert_true(h->ended);
	assert_int_equal(h->end_rc, -ECONNRESET);
	assert_int_equal(h->own.disconnects, 1);
	assert_int_equal(h->own.reason, -ECONNRESET);
	assert_int_equal(count_maps("synthnet-guest-ram"), base_maps);
	gvmb_ram_destroy(ram);
	close(h->cmd_fd);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->own.mu);
	free(h);
	assert_int_equal(count_fds(), base_fds);
	assert_int_equal(count_maps("synthnet-guest-ram"), 0);
}

/* Disconnect with channels open and GPADLs mapped: all freed. */
static void
test_disconnect_frees(void **state)
{
	struct gvmb_conn *gc;
	struct gvmb_ram *ram;
	struct gvmb_chan *ch;
	struct gvmb_alloc a;
	struct hostt *h;
	pthread_t tid;
	uint32_t g;
	int base_fds;
	int sv[2];

	(void)state;
	base_fds = count_fds();
	h = calloc(1, sizeof(*h));
	assert_non_null(h);
	owner_init(&h->own);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->cmd_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_int_equal(gvmb_ram_create(4u << 20, &ram), 0);
	make_pair(sv);
	h->conn = vmb_host_conn_create(sv[1], &own_ops, &h->own);
	assert_non_null(h->conn);
	assert_int_equal(pthread_create(&tid, NULL, host_main, h), 0);
	assert_int_equal(gvmb_connect_fd(sv[0], ram, "vm-x", NULL, &gc), 0);
	assert_int_equal(gvmb_request_offers(gc), 2);
	assert_int_equal(gvmb_chan_open(gc, 5, NULL, &ch), 0);
	assert_int_equal(gvmb_chan_open(gc, 9, NULL, &ch), 0);
	assert_int_equal(gvmb_ram_alloc(ram, 64 * PAGE, &a), 0);
	assert_int_equal(gvmb_gpadl_create(gc, 5, &a, &g), 0);
	wait_count(h, &h->own.opens, 2);
	assert_true(count_maps("synthnet-guest-ram") > 1);

	gvmb_disconnect(gc);	/* frees ch too */
	pthread_join(tid, NULL);
	assert_int_equal(h->own.closes, 2);
	assert_int_equal(h->own.releases, 2);
	assert_int_equal(h->own.disconnects, 1);
	assert_int_equal(count_maps("synthnet-guest-ram"), 1);
	gvmb_ram_free(ram, &a);
	gvmb_ram_destroy(ram);
	close(h->cmd_fd);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->own.mu);
	free(h);
	assert_int_equal(count_fds(), base_fds);
}

/* The client's waits time out instead of hanging. */
static void
test_client_timeout(void **state)
{
	struct gvmb_opts opts;
	struct gvmb_conn *gc;
	struct gvmb_ram *ram;
	struct timespec t0;
	struct timespec t1;
	int sv[2];
	long ms;

	(void)state;
	assert_int_equal(gvmb_ram_create(16 * PAGE, &ram), 0);
	make_pair(sv);
	memset(&opts, 0, sizeof(opts));
	opts.timeout_ms = 200;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Nobody answers on sv[1]. */
	assert_int_equal(gvmb_connect_fd(sv[0], ram, "vm-1", &opts, &gc),
			 -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 190 && ms < 2000);
	/* A closed peer: -ECONNRESET. */
	close(sv[1]);
	make_pair(sv);
	close(sv[1]);
	assert_int_equal(gvmb_connect_fd(sv[0], ram, "vm-1", &opts, &gc),
			 -ECONNRESET);
	make_pair(sv);
	assert_int_equal(gvmb_connect_fd(sv[0], ram, "bad name", &opts, &gc),
			 -EINVAL);
	close(sv[1]);
	gvmb_ram_destroy(ram);
}

static void
test_ram_alloc(void **state)
{
	struct gvmb_alloc a;
	struct gvmb_alloc b;
	struct gvmb_alloc c;
	struct gvmb_ram *ram;

	(void)state;
	assert_int_equal(gvmb_ram_create(PAGE + 1, &ram), -EINVAL);
	assert_int_equal(gvmb_ram_create(8 * PAGE, &ram), 0);
	assert_true(gvmb_ram_size(ram) == 8 * PAGE);
	assert_int_equal(fcntl(gvmb_ram_fd(ram), F_GET_SEALS) & F_SEAL_SHRINK,
			 F_SEAL_SHRINK);
	assert_int_equal(gvmb_ram_alloc(ram, 1, &a), 0);
	assert_int_equal(a.npages, 1);
	assert_true(a.gpa == 0);
	assert_int_equal(gvmb_ram_alloc(ram, 3 * PAGE, &b), 0);
	assert_true(b.gpa == PAGE);
	assert_true(b.pfn[0] == 1 && b.pfn[2] == 3);
	assert_ptr_equal(b.ptr, gvmb_ram_gpa(ram, PAGE, 3 * PAGE));
	assert_null(gvmb_ram_gpa(ram, 8 * PAGE - 1, 2));
	assert_int_equal(gvmb_ram_alloc(ram, 5 * PAGE, &c), -ENOMEM);
	gvmb_ram_free(ram, &a);
	assert_int_equal(gvmb_ram_free_pages(ram), 5);
	/* First fit: 1 free page at 0 is too small, 4 pages at 4..7. */
	assert_int_equal(gvmb_ram_alloc(ram, 2 * PAGE, &c), 0);
	assert_true(c.gpa == 4 * PAGE);
	assert_int_equal(gvmb_ram_alloc(ram, 0, &a), -EINVAL);
	gvmb_ram_free(ram, &b);
	gvmb_ram_free(ram, &c);
	assert_int_equal(gvmb_ram_free_pages(ram), 8);
	gvmb_ram_destroy(ram);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contact_ext_vector),
		cmocka_unit_test(test_contact_ext_malformed),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_offer_ext),
		cmocka_unit_test(test_send_recv),
		cmocka_unit_test(test_listen_connect),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_ram_alloc),
		cmocka_unit_test(test_contact_refused),
		cmocka_unit_test(test_contact_and_offers_raw),
		cmocka_unit_test(test_errors_raw),
		cmocka_unit_test(test_client_timeout),
		cmocka_unit_test(test_end_to_end),
		cmocka_unit_test(test_disconnect_frees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
