/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gvmb_client.h - guest side of the vmbus-user transport
 * (docs/vmbus-user.md): guest RAM in a memfd with a page allocator, and a
 * synchronous VMBus client: contact with version fallback, offers, GPADLs,
 * open/close of channels producing struct vmb_ring pairs, unload.
 *
 * Single-threaded: one thread drives a connection and its channels' control
 * operations (the rings themselves may be used by other threads).  Every
 * wait has a timeout (default GVMB_DEFAULT_TIMEOUT_MS): nothing hangs.
 * Messages that arrive while waiting for a reply and are not that reply
 * (hot-added offers, rescinds) are handled on the way.
 *
 * Errors are -errno: -ETIMEDOUT (no reply in time), -ECONNRESET (the host
 * closed the socket), -EPROTO (a reply that breaks the protocol),
 * -EREMOTEIO (the host answered with a failure status), -ENOENT (no such
 * offer), -EINVAL (bad argument), -ENOMEM, or a syscall's -errno.
 * Constructors return int with an out parameter so errors stay precise.
 */
#ifndef GVMB_CLIENT_H
#define GVMB_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmb_chanmsg.h"
#include "vmb_ring.h"
#include "vmb_user.h"

/* Default timeout of every wait. */
#define GVMB_DEFAULT_TIMEOUT_MS 5000
/* Default data pages per ring direction (Linux netvsc: 128 = 512 KiB). */
#define GVMB_DEFAULT_RING_PAGES 128u
/* Most offers one connection records. */
#define GVMB_MAX_OFFERS 64u
/* First GPADL handle handed out (as Linux: 0xE1E10). */
#define GVMB_FIRST_GPADL 0xE1E10u

/* ---- guest RAM ---------------------------------------------------------- */

/* Guest RAM: a sealed memfd mapped in this process.  Opaque. */
struct gvmb_ram;

/* A page-aligned allocation in guest RAM. */
struct gvmb_alloc {
	/** Address in this process. */
	void *ptr;
	/** Guest physical address of the first byte. */
	uint64_t gpa;
	/** Pages allocated. */
	uint32_t npages;
	/** npages PFNs (gpa / 4096 + i); owned, freed by gvmb_ram_free. */
	uint64_t *pfn;
};

/*
 * Create size bytes of guest RAM (a non-zero multiple of 4096): memfd
 * (MFD_ALLOW_SEALING, sealed F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
 * mapped shared, zeroed.  *out owned by the caller.  Returns 0, -EINVAL or
 * -errno.
 */
int
gvmb_ram_create(uint64_t size, struct gvmb_ram **out);

/* Unmap and close.  Allocations must not be used any more.  NULL: no-op. */
void
gvmb_ram_destroy(struct gvmb_ram *ram);

/* The memfd (borrowed). */
int
gvmb_ram_fd(const struct gvmb_ram *ram);

/* RAM size in bytes. */
uint64_t
gvmb_ram_size(const struct gvmb_ram *ram);

/* Address of guest bytes [gpa, gpa + len) in this process, or NULL. */
void *
gvmb_ram_gpa(const struct gvmb_ram *ram, uint64_t gpa, uint64_t len);

/*
 * Allocate ceil(bytes / 4096) physically contiguous, zeroed pages (first
 * fit) into *out.  Returns 0, -EINVAL (bytes 0) or -ENOMEM.
 */
int
gvmb_ram_alloc(struct gvmb_ram *ram, size_t bytes, struct gvmb_alloc *out);

/* Return an allocation's pages and free its PFN list; zeroes *a. */
void
gvmb_ram_free(struct gvmb_ram *ram, struct gvmb_alloc *a);

/* Pages not allocated. */
uint32_t
gvmb_ram_free_pages(const struct gvmb_ram *ram);

/* ---- connection --------------------------------------------------------- */

struct gvmb_conn;

/* One channel offer as received. */
struct gvmb_offer {
	/** Channel id. */
	uint32_t relid;
	/** connection_id of the offer. */
	uint32_t connection_id;
	/** 0 = primary channel. */
	uint16_t sub_channel_index;
	/** Interface type GUID, wire order. */
	uint8_t if_type[VMB_MSG_GUID_SIZE];
	/** Instance GUID, wire order. */
	uint8_t if_instance[VMB_MSG_GUID_SIZE];
	/** NIC name from the offer extension ("" when absent). */
	char nic_name[VMB_USER_NIC_NAME_MAX];
	/** The host rescinded it (a channel is still open on it). */
	bool rescinded;
};

/* Connection options; zero-initialise for defaults. */
struct gvmb_opts {
	/** Timeout of each wait in ms; 0 = GVMB_DEFAULT_TIMEOUT_MS. */
	int timeout_ms;
	/** Versions to try, newest first; NULL = gvmb_default_versions. */
	const uint32_t *versions;
	/** Entries in versions. */
	unsigned int nversions;
	/** Optional: an offer arrived after ALLOFFERS_DELIVERED (hot add). */
	void (*on_offer)(void *arg, const struct gvmb_offer *o);
	/**
	 * Optional: the host rescinded relid.  If a channel is open on it,
	 * the channel is flagged rescinded and gvmb_chan_close() releases
	 * it; otherwise RELID_RELEASED has been sent already.
	 */
	void (*on_rescind)(void *arg, uint32_t relid);
	/** Passed to the callbacks. */
	void *cb_arg;
};

/*
 * Versions the client tries by default, newest first, as Linux does:
 * 6.0, 5.3, 5.2, 5.1, 5.0, 4.1, 4.0, 3.0, 2.4.  *n gets the count.
 */
const uint32_t *
gvmb_default_versions(unsigned int *n);

/*
 * Connect to the vmbus-user socket at path and make contact (see
 * gvmb_connect_fd).  Returns 0 or -errno (-ENOENT/-ECONNREFUSED: no
 * daemon there).
 */
int
gvmb_connect(const char *path, struct gvmb_ram *ram, const char *vm_name,
	     const struct gvmb_opts *opts, struct gvmb_conn **out);

/*
 * Make contact over the connected SOCK_SEQPACKET socket sock (owned from
 * now on, even on failure): INITIATE_CONTACT with the RAM memfd for each
 * version until one is accepted.  ram and opts are borrowed for the
 * connection's life.  Returns 0, -EPROTONOSUPPORT (no version accepted),
 * -EPROTO (the host refused the contact itself), -EINVAL (bad name...),
 * -ETIMEDOUT, -ECONNRESET.
 */
int
gvmb_connect_fd(int sock, struct gvmb_ram *ram, const char *vm_name,
		const struct gvmb_opts *opts, struct gvmb_conn **out);

/*
 * Close the socket and free the connection and every channel still open
 * on it (their pointers become invalid; the host treats this as a
 * disconnect).  NULL is a no-op.
 */
void
gvmb_disconnect(struct gvmb_conn *c);

/* Negotiated version. */
uint32_t
gvmb_version(const struct gvmb_conn *c);

/* The socket (borrowed), readable when gvmb_poll() has work. */
int
gvmb_fd(const struct gvmb_conn *c);

/*
 * REQUESTOFFERS, collecting offers until ALLOFFERS_DELIVERED.  Returns the
 * number of offers recorded or -errno.
 */
int
gvmb_request_offers(struct gvmb_conn *c);

/* The recorded offers (borrowed until the next call into c). */
const struct gvmb_offer *
gvmb_offers(const struct gvmb_conn *c, unsigned int *n);

/* The offer of relid, or NULL. */
const struct gvmb_offer *
gvmb_offer_find(const struct gvmb_conn *c, uint32_t relid);

/*
 * Handle asynchronous messages (offers, rescinds): wait up to timeout_ms
 * (0 = do not wait) for the first, then take whatever else is queued.
 * Returns the number of messages handled or -errno (-ECONNRESET).
 */
int
gvmb_poll(struct gvmb_conn *c, int timeout_ms);

/* Messages received that were neither awaited nor asynchronous. */
uint64_t
gvmb_unexpected(const struct gvmb_conn *c);

/* ---- GPADLs ------------------------------------------------------------- */

/*
 * Create a GPADL for channel relid over the whole allocation a (borrowed):
 * GPADL_HEADER + GPADL_BODYs as Linux splits them, then wait for
 * GPADL_CREATED.  *gpadl gets the new handle.  Returns 0, -EREMOTEIO
 * (creation_status != 0) or -errno.
 */
int
gvmb_gpadl_create(struct gvmb_conn *c, uint32_t relid,
		  const struct gvmb_alloc *a, uint32_t *gpadl);

/*
 * Same with everything explicit (tests, unusual layouts): handle gpadl,
 * pfn[0..npfn) (borrowed), data at byte_offset in the first page,
 * byte_count bytes; npfn must be ceil((byte_offset + byte_count) / 4096).
 */
int
gvmb_gpadl_create_raw(struct gvmb_conn *c, uint32_t relid, uint32_t gpadl,
		      const uint64_t *pfn, uint32_t npfn, uint32_t byte_offset,
		      uint32_t byte_count);

/* GPADL_TEARDOWN and wait for GPADL_TORNDOWN.  Returns 0 or -errno. */
int
gvmb_gpadl_teardown(struct gvmb_conn *c, uint32_t relid, uint32_t gpadl);

/* ---- channels ----------------------------------------------------------- */

/* Channel options; zero-initialise for defaults. */
struct gvmb_chan_opts {
	/** G->H ring data pages; 0 = GVMB_DEFAULT_RING_PAGES. */
	uint32_t tx_pages;
	/** H->G ring data pages; 0 = GVMB_DEFAULT_RING_PAGES. */
	uint32_t rx_pages;
	/** target_vp of OPENCHANNEL. */
	uint32_t target_vp;
	/** 120 bytes of userdata, or NULL for zeros.  Borrowed. */
	const uint8_t *userdata;
};

/* An open channel.  Fields are read-only for the user. */
struct gvmb_chan {
	/** Connection (borrowed). */
	struct gvmb_conn *conn;
	/** Channel id. */
	uint32_t relid;
	/** G->H ring: the guest writes it. */
	struct vmb_ring tx;
	/** H->G ring: the guest reads it. */
	struct vmb_ring rx;
	/** Our eventfd: gvmb_chan_kick() signals the host through it. */
	int kick_fd;
	/** Host's eventfd: readable when the host interrupts us. */
	int intr_fd;
	/** Handle of the ring GPADL. */
	uint32_t ring_gpadl;
	/** Ring pages: tx control, tx data, rx control, rx data. */
	struct gvmb_alloc ring_mem;
	/** The host rescinded the offer: the host side is gone. */
	bool rescinded;
	/** UNLOAD done: the host side is gone. */
	bool unloaded;
};

/*
 * Open channel relid: allocate and initialise the ring pages (control
 * pages with FEAT_PENDING_SEND_SZ), create the ring GPADL, send
 * OPENCHANNEL with a new kick eventfd, wait for OPENCHANNEL_RESULT and
 * its interrupt eventfd.  *out owned by the caller until gvmb_chan_close.
 * Returns 0, -ENOENT (no such offer or rescinded), -EBUSY (already open),
 * -EREMOTEIO (host refused), -EPROTO (result without fd) or -errno.
 */
int
gvmb_chan_open(struct gvmb_conn *c, uint32_t relid,
	       const struct gvmb_chan_opts *o, struct gvmb_chan **out);

/*
 * Close ch and free it: CLOSECHANNEL, then tear the ring GPADL down (its
 * GPADL_TORNDOWN proves the host stopped), free the ring pages and fds.
 * A rescinded channel sends RELID_RELEASED instead.  Frees ch even on
 * error.  Returns 0 or the first -errno.
 */
int
gvmb_chan_close(struct gvmb_chan *ch);

/* Signal the host (call when vmb_ring_write() said need_signal). */
int
gvmb_chan_kick(struct gvmb_chan *ch);

/*
 * Wait up to timeout_ms for the host's interrupt and consume it.  Returns
 * 1 (signalled), 0 (timeout) or -errno.
 */
int
gvmb_chan_wait(struct gvmb_chan *ch, int timeout_ms);

/*
 * UNLOAD and wait for UNLOAD_RESPONSE.  The host has then closed every
 * channel; close the local channels with gvmb_chan_close() (local cleanup
 * only) and disconnect.  Returns 0 or -errno.
 */
int
gvmb_unload(struct gvmb_conn *c);

#endif /* GVMB_CLIENT_H */
