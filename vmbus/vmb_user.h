/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_user.h - the "vmbus-user" transport: VMBus channel messages over an
 * AF_UNIX SOCK_SEQPACKET socket, file descriptors over SCM_RIGHTS.
 *
 * The protocol is specified in docs/vmbus-user.md.  This module has two
 * halves:
 *  - a PURE codec for the two vmbus-user extensions that trail Linux
 *    channel messages: the contact extension after INITIATE_CONTACT (RAM
 *    size, VM name) and the offer extension after OFFERCHANNEL (NIC name).
 *    No I/O, no allocation, no global state; the peer is hostile.
 *  - thin socket helpers: listen/accept/connect, send and receive one
 *    datagram with up to VMB_USER_MAX_FDS descriptors, eventfd signalling.
 *
 * Returns: 0 / a positive length, or -errno.
 */
#ifndef VMB_USER_H
#define VMB_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sn_wire.h"
#include "vmb_chanmsg_wire.h"

/* Default path of synthnetd's vmbus-user socket. */
#define VMB_USER_SOCK_PATH "/run/synthnet/vmbus.sock"

/* Largest datagram (one channel message plus extensions). */
#define VMB_USER_MSG_MAX 4096u

/* Guest page size: PFN = guest physical address / 4096. */
#define VMB_USER_PAGE_SIZE 4096u
#define VMB_USER_PAGE_SHIFT 12

/* Extension magic: "VMBU" in memory, 0x55424D56 as a LE u32. */
#define VMB_USER_MAGIC 0x55424D56u

/* Most descriptors one datagram may carry (protocol needs 1). */
#define VMB_USER_MAX_FDS 4u

/* VM and NIC name buffers, NUL included. */
#define VMB_USER_VM_NAME_MAX 64u
#define VMB_USER_NIC_NAME_MAX 32u

/*
 * Contact extension, at datagram offset 40, right after the Linux
 * INITIATE_CONTACT (struct vmb_msg_initiate_contact).
 */
struct vmb_user_contact_ext_wire {
	/** 0 (datagram 40): VMB_USER_MAGIC. */
	uint32_t magic;
	/** 4 (44): bytes of the extension, >= 88. */
	uint32_t ext_size;
	/** 8 (48): guest RAM bytes, page multiple, > 0, <= memfd size. */
	uint64_t ram_size;
	/** 16 (56): VM name, NUL-terminated, [A-Za-z0-9._-], 1..63 chars. */
	char vm_name[VMB_USER_VM_NAME_MAX];
	/** 80 (120): reserved, sent as 0, ignored by the receiver. */
	uint64_t reserved;
};
SN_WIRE_SIZE(struct vmb_user_contact_ext_wire, 88);
SN_WIRE_OFFSET(struct vmb_user_contact_ext_wire, reserved, 80);
SN_WIRE_OFFSET(struct vmb_user_contact_ext_wire, ext_size, 4);
SN_WIRE_OFFSET(struct vmb_user_contact_ext_wire, ram_size, 8);
SN_WIRE_OFFSET(struct vmb_user_contact_ext_wire, vm_name, 16);

#define VMB_USER_CONTACT_EXT_OFF sizeof(struct vmb_msg_initiate_contact)
#define VMB_USER_CONTACT_EXT_SIZE sizeof(struct vmb_user_contact_ext_wire)
/* Length of an INITIATE_CONTACT datagram with the extension: 128. */
#define VMB_USER_CONTACT_LEN \
	(VMB_USER_CONTACT_EXT_OFF + VMB_USER_CONTACT_EXT_SIZE)
SN_STATIC_ASSERT(VMB_USER_CONTACT_LEN == 128, "contact datagram is 128");

/*
 * Offer extension, at datagram offset 196, right after the Linux
 * OFFERCHANNEL (struct vmb_msg_offer_channel: 8-byte header + 188).
 */
struct vmb_user_offer_ext_wire {
	/** 0 (datagram 196): VMB_USER_MAGIC. */
	uint32_t magic;
	/** 4 (200): bytes of the extension, >= 40. */
	uint32_t ext_size;
	/** 8 (204): adapter name, NUL-terminated, printable, 1..31 chars. */
	char nic_name[VMB_USER_NIC_NAME_MAX];
};
SN_WIRE_SIZE(struct vmb_user_offer_ext_wire, 40);
SN_WIRE_OFFSET(struct vmb_user_offer_ext_wire, nic_name, 8);

#define VMB_USER_OFFER_EXT_OFF sizeof(struct vmb_msg_offer_channel)
#define VMB_USER_OFFER_EXT_SIZE sizeof(struct vmb_user_offer_ext_wire)
/* Length of an OFFERCHANNEL datagram with the extension: 236. */
#define VMB_USER_OFFER_LEN (VMB_USER_OFFER_EXT_OFF + VMB_USER_OFFER_EXT_SIZE)
SN_STATIC_ASSERT(VMB_USER_OFFER_LEN == 236, "offer datagram is 236");

/* Decoded contact extension. */
struct vmb_user_contact {
	/** Guest RAM size in bytes. */
	uint64_t ram_size;
	/** VM name, NUL-terminated, validated. */
	char vm_name[VMB_USER_VM_NAME_MAX];
};

/* ---- pure codec --------------------------------------------------------- */

/*
 * True when name (borrowed, NUL-terminated) is a valid VM name: 1..63
 * characters from [A-Za-z0-9._-].
 */
bool
vmb_user_vm_name_valid(const char *name);

/*
 * True when name is a valid NIC name: 1..31 printable ASCII characters
 * (0x20..0x7e), e.g. "eth0" or "Network Adapter".
 */
bool
vmb_user_nic_name_valid(const char *name);

/*
 * Write the contact extension for *c at msg[40..128) (msg holds the
 * 40-byte INITIATE_CONTACT already; it is not touched).  Borrows c.
 * Returns 128 (the datagram length), -EINVAL (NULL, invalid name, ram_size
 * 0 or not a page multiple) or -EMSGSIZE (cap < 128).
 */
int
vmb_user_contact_ext_encode(void *msg, size_t cap,
			    const struct vmb_user_contact *c);

/*
 * Decode and validate the contact extension of an INITIATE_CONTACT
 * datagram msg[0..len) into *c (copied out; msg is not borrowed).
 * ext_size may exceed 88 (later extensions; the extra bytes are ignored)
 * but must fit in the datagram.  Bytes after the name's NUL are ignored.
 * Returns 0, -EINVAL (NULL), -EMSGSIZE (len < 128 or ext_size beyond
 * len), -EBADMSG (bad magic, ext_size < 88, name unterminated, empty or
 * with a forbidden character) or -ERANGE (ram_size 0 or not a page
 * multiple).  *c is undefined on failure.
 */
int
vmb_user_contact_ext_decode(const void *msg, size_t len,
			    struct vmb_user_contact *c);

/*
 * Write the offer extension with nic_name (borrowed, valid NIC name) at
 * msg[196..236).  Returns 236, -EINVAL or -EMSGSIZE (cap < 236).
 */
int
vmb_user_offer_ext_encode(void *msg, size_t cap, const char *nic_name);

/*
 * Decode the offer extension of an OFFERCHANNEL datagram msg[0..len) into
 * nic_name (copied, NUL-terminated).  Returns 0, -ENODATA (len <= 196: a
 * plain Linux offer, nic_name set to ""), -EINVAL (NULL), -EMSGSIZE
 * (extension cut short or ext_size beyond len) or -EBADMSG (bad magic,
 * ext_size < 40, invalid name).
 */
int
vmb_user_offer_ext_decode(const void *msg, size_t len,
			  char nic_name[VMB_USER_NIC_NAME_MAX]);

/* ---- socket helpers ----------------------------------------------------- */

/*
 * Create, bind and listen on an AF_UNIX SOCK_SEQPACKET socket at path
 * (a stale socket file there is removed first; the parent directory must
 * exist).  The socket is CLOEXEC and non-blocking.  Returns the fd (owned
 * by the caller) or -errno (-ENAMETOOLONG for a path that does not fit).
 */
int
vmb_user_listen(const char *path, int backlog);

/*
 * Accept one connection on lfd: the new fd is CLOEXEC and non-blocking.
 * Returns the fd (owned by the caller) or -errno (-EAGAIN: none pending).
 */
int
vmb_user_accept(int lfd);

/*
 * Connect a blocking CLOEXEC SOCK_SEQPACKET socket to path.  Returns the
 * fd (owned by the caller) or -errno.
 */
int
vmb_user_connect(const char *path);

/*
 * Send buf[0..len) as one datagram with fds[0..nfds) attached (SCM_RIGHTS;
 * the caller keeps its copies of the fds).  MSG_NOSIGNAL is always added
 * to flags (e.g. MSG_DONTWAIT).  Retries on EINTR.
 * Returns 0, -EINVAL (NULL, nfds > VMB_USER_MAX_FDS), -EMSGSIZE (len 0 or
 * > VMB_USER_MSG_MAX) or the socket's -errno (-EAGAIN, -EPIPE, ...).
 */
int
vmb_user_send(int sock, const void *buf, size_t len, const int *fds,
	      unsigned int nfds, int flags);

/*
 * Receive one datagram into buf[0..cap) and its descriptors into
 * fds[0..max_fds) (*nfds = count; received fds are CLOEXEC and owned by
 * the caller).  flags as for recvmsg (e.g. MSG_DONTWAIT).  Retries on
 * EINTR.
 * Returns the datagram length (> 0), 0 at end of file (a zero-length
 * datagram reads the same), or -errno with no fd left open:
 * -EMSGSIZE (datagram longer than cap; it is discarded), -ETOOMANYREFS
 * (more descriptors than max_fds, or the kernel truncated the control
 * data), -EINVAL (NULL), or the socket's error (-EAGAIN, -ECONNRESET...).
 */
int
vmb_user_recv(int sock, void *buf, size_t cap, int *fds,
	      unsigned int max_fds, unsigned int *nfds, int flags);

/* Close fds[0..n) that are >= 0 and set them to -1. */
void
vmb_user_close_fds(int *fds, unsigned int n);

/*
 * Signal an eventfd: add 1 to its counter (one 8-byte write).  Returns 0,
 * or -errno (-EAGAIN only when the counter is saturated, which still
 * leaves it readable: the peer is signalled).
 */
int
vmb_user_signal(int efd);

/*
 * Consume an eventfd's counter without blocking (the fd must be
 * non-blocking, or known readable).  Returns 1 when it was signalled,
 * 0 when not, or -errno.
 */
int
vmb_user_drain(int efd);

/*
 * True when fd is an eventfd (checked through /proc/self/fd).  Used to
 * refuse a peer's pipe or socket where an eventfd is required.
 */
bool
vmb_user_is_eventfd(int fd);

#endif /* VMB_USER_H */
