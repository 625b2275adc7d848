/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmb_host.h - host side of one vmbus-user connection: the VMBus channel
 * management state machine (docs/vmbus-user.md).
 *
 * Not tied to DPDK or to netvsc.  The owner (synthnetd's main thread)
 * accepts a connection, hands the socket to vmb_host_conn_create() with an
 * ops table, and calls vmb_host_conn_handle() whenever the socket is
 * readable.  The connection answers contact, offers, GPADLs, open/close
 * and unload by itself and calls the owner back for what only the owner
 * knows: which channels a VM gets (offers_for), and what to do with an
 * opened channel (channel_open / channel_close).
 *
 * Threading: every vmb_host_conn_* function and every callback runs on the
 * owner's thread (one thread per connection).  The only functions that may
 * be called from another thread (a poll lcore that got the channel through
 * channel_open) are vmb_host_gpadl_get() and vmb_map_region_put(), between
 * channel_open() and the return of channel_close() for that channel.
 *
 * Callbacks must not call vmb_host_conn_destroy(), vmb_host_conn_offer()
 * or vmb_host_conn_rescind() on their own connection.
 */
#ifndef VMB_HOST_H
#define VMB_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmb_chanmsg.h"
#include "vmb_map.h"
#include "vmb_ring.h"
#include "vmb_user.h"

/* Limits per connection (a hostile guest may try to exceed each). */
#define VMB_HOST_MAX_CHANNELS 64u	/* offered channels */
#define VMB_HOST_MAX_GPADLS 256u	/* established GPADLs */
#define VMB_HOST_MAX_PENDING_GPADLS 4u	/* GPADLs being reassembled */
#define VMB_HOST_MAX_MAP_RUNS 16384u	/* mmap()s of all GPADLs + rings */
/* Datagrams handled per vmb_host_conn_handle() call. */
#define VMB_HOST_BURST 64u

/* NTSTATUS STATUS_UNSUCCESSFUL: GPADL_CREATED / OPENCHANNEL_RESULT failure. */
#define VMB_HOST_STATUS_FAILURE 0xC0000001u

/*
 * Per-connection error counters: X(enum suffix, name).  A counted event
 * is ignored (no reply) unless the text of docs/vmbus-user.md says the
 * host answers it with a failure status.
 */
#define VMB_HOST_ERRORS(X) \
	X(SHORT, "short") \
	X(OVERSIZE, "oversize") \
	X(UNKNOWN_TYPE, "unknown-type") \
	X(WRONG_DIRECTION, "wrong-direction") \
	X(UNEXPECTED_FD, "unexpected-fd") \
	X(FD_OVERFLOW, "fd-overflow") \
	X(BAD_STATE, "bad-state") \
	X(BAD_RELID, "bad-relid") \
	X(CONTACT_INVALID, "contact-invalid") \
	X(VERSION_UNSUPPORTED, "version-unsupported") \
	X(GPADL_INVALID, "gpadl-invalid") \
	X(GPADL_DUPLICATE, "gpadl-duplicate") \
	X(GPADL_UNKNOWN, "gpadl-unknown") \
	X(GPADL_LIMIT, "gpadl-limit") \
	X(GPADL_IN_USE, "gpadl-in-use") \
	X(OPEN_INVALID, "open-invalid") \
	X(OPEN_REFUSED, "open-refused")

enum vmb_host_err {
#define VMB_HOST_ERR_ENUM_(e, s) VMB_HOST_ERR_##e,
	VMB_HOST_ERRORS(VMB_HOST_ERR_ENUM_)
#undef VMB_HOST_ERR_ENUM_
	VMB_HOST_ERR_COUNT	/* number of counters */
};

/* Counter name ("gpadl-invalid"), "?" when out of range. */
const char *
vmb_host_err_name(unsigned int err);

/* Connection statistics (a snapshot). */
struct vmb_host_stats {
	/** Datagrams received (all, valid or not). */
	uint64_t rx_msgs;
	/** Datagrams sent. */
	uint64_t tx_msgs;
	/** Error counters, indexed by enum vmb_host_err. */
	uint64_t errors[VMB_HOST_ERR_COUNT];
	/** Log lines dropped by the rate limit. */
	uint64_t logs_suppressed;
	/** Channels currently open. */
	uint32_t open_channels;
	/** GPADLs currently established. */
	uint32_t gpadls;
};

/* One channel the owner offers to the guest. */
struct vmb_host_offer {
	/** Interface type GUID, wire order (all zero = netvsc). */
	uint8_t if_type[VMB_MSG_GUID_SIZE];
	/** Instance GUID, wire order. */
	uint8_t if_instance[VMB_MSG_GUID_SIZE];
	/** Channel id, allocated by the owner: != 0, unique per connection. */
	uint32_t relid;
	/** 0 for a primary channel, 1..n for subchannels. */
	uint16_t sub_channel_index;
	/** NIC name, vmb_user_nic_name_valid(). */
	char nic_name[VMB_USER_NIC_NAME_MAX];
	/** Owner's handle, passed back to the callbacks.  Borrowed. */
	void *cookie;
};

struct vmb_host_conn;

/*
 * An open channel, as given to channel_open().  Everything is borrowed
 * from the connection and valid from channel_open() until channel_close()
 * returns; the owner may hand it to a poll lcore in between.
 */
struct vmb_host_channel {
	/** Owning connection: for vmb_host_gpadl_get(). */
	struct vmb_host_conn *conn;
	/** Channel id. */
	uint32_t relid;
	/** target_vp of OPENCHANNEL (informational). */
	uint32_t target_vp;
	/** G->H ring: the host reads it (vmb_ring_peek & co.). */
	struct vmb_ring *rx;
	/** H->G ring: the host writes it (vmb_ring_write & co.). */
	struct vmb_ring *tx;
	/** Guest kicks the host here (eventfd, non-blocking). */
	int kick_fd;
	/** Host interrupts the guest here: vmb_user_signal(intr_fd). */
	int intr_fd;
	/** Guest RAM, for vmb_map_gpa() of GPA-direct packets. */
	struct vmb_map *ram;
	/** OPENCHANNEL userdata, VMB_MSG_USER_DEFINED_BYTES bytes. */
	const uint8_t *userdata;
};

/*
 * Owner callbacks.  ctx is the pointer given to vmb_host_conn_create().
 * Every member must be set except log and channel_released.
 */
struct vmb_host_ops {
	/*
	 * The guest named vm_name (borrowed) asked for its offers: fill
	 * offers[0..max) and return how many (0..max), or -errno (treated
	 * as 0 offers).  The connection copies the entries; each cookie is
	 * borrowed until channel_released() for it.
	 */
	int (*offers_for)(void *ctx, const char *vm_name,
			  struct vmb_host_offer *offers, size_t max);
	/*
	 * The guest opened the channel of cookie.  ch (borrowed, see
	 * struct vmb_host_channel) is valid until channel_close() returns.
	 * Return 0 to accept or -errno to refuse (the guest gets a failure
	 * OPENCHANNEL_RESULT; channel_close() is not called then).
	 */
	int (*channel_open)(void *ctx, void *cookie,
			    struct vmb_host_channel *ch);
	/*
	 * Stop using the channel of cookie, synchronously: when this
	 * returns, nothing touches its rings, fds or ram pointer any more
	 * (GPADL regions taken with vmb_host_gpadl_get() may be kept and
	 * put later).  Called on CLOSECHANNEL, rescind, UNLOAD, teardown of
	 * the ring GPADL, disconnect and destroy.
	 */
	void (*channel_close)(void *ctx, void *cookie);
	/*
	 * Optional.  The connection will never use cookie again (the guest
	 * released a rescinded relid, or UNLOAD, disconnect, destroy): the
	 * owner may reuse its relid.
	 */
	void (*channel_released)(void *ctx, void *cookie);
	/*
	 * The guest went away or broke the protocol (reason: -errno, e.g.
	 * -ECONNRESET at EOF, -EPROTO, -ENOBUFS when it stops reading).
	 * Every channel has been closed and released already.  Called once,
	 * from vmb_host_conn_handle(), which then returns reason; the owner
	 * calls vmb_host_conn_destroy() after that return, not from here.
	 */
	void (*disconnected)(void *ctx, struct vmb_host_conn *conn,
			     int reason);
	/*
	 * Optional log sink for rate-limited diagnostics (msg borrowed,
	 * no newline).  NULL: stderr.
	 */
	void (*log)(void *ctx, struct vmb_host_conn *conn, const char *msg);
};

/*
 * Take over the connected socket fd (closed by destroy) and serve it.
 * ops and ctx are borrowed for the connection's life.  Returns the
 * connection or NULL with errno (EINVAL: bad fd or incomplete ops).
 */
struct vmb_host_conn *
vmb_host_conn_create(int fd, const struct vmb_host_ops *ops, void *ctx);

/*
 * The socket is readable: receive and handle up to VMB_HOST_BURST
 * datagrams without blocking.  Returns 0 when the socket was drained, 1
 * when datagrams may remain (call again; level-triggered polling does),
 * or -errno when the connection ended (disconnected() was called; only
 * vmb_host_conn_destroy() is valid then).
 */
int
vmb_host_conn_handle(struct vmb_host_conn *conn);

/*
 * Hot add: offer one more channel (*o copied, cookie borrowed as for
 * offers_for).  Returns 0 when the OFFERCHANNEL was sent, -EAGAIN when
 * the guest has not asked for offers yet (nothing recorded: offers_for()
 * will be called when it does), -EEXIST (relid or instance already
 * offered), -ENOSPC (VMB_HOST_MAX_CHANNELS), -EINVAL (relid 0, bad name),
 * -EPIPE (connection ended: handle() reports it).
 */
int
vmb_host_conn_offer(struct vmb_host_conn *conn, const struct vmb_host_offer *o);

/*
 * Hot remove: stop the channel if open (channel_close), drop the GPADLs
 * created for it, send RESCIND_CHANNELOFFER.  channel_released() follows
 * when the guest answers RELID_RELEASED (or at UNLOAD/disconnect).
 * Returns 0, -ENOENT (relid not offered, or already rescinded), -EPIPE.
 */
int
vmb_host_conn_rescind(struct vmb_host_conn *conn, uint32_t relid);

/*
 * Close every channel (channel_close, channel_released), unmap everything,
 * close the socket and every fd, free conn.  NULL is a no-op.
 */
void
vmb_host_conn_destroy(struct vmb_host_conn *conn);

/* The socket fd (borrowed), for the owner's poll set. */
int
vmb_host_conn_fd(const struct vmb_host_conn *conn);

/* VM name from INITIATE_CONTACT, "" before contact. */
const char *
vmb_host_conn_vm_name(const struct vmb_host_conn *conn);

/* Negotiated VMBus version, 0 before contact. */
uint32_t
vmb_host_conn_version(const struct vmb_host_conn *conn);

/* Copy the statistics into *st. */
void
vmb_host_conn_stats(const struct vmb_host_conn *conn,
		    struct vmb_host_stats *st);

/* True for the versions the host accepts (2.4 .. 5.3, as Linux sends). */
bool
vmb_host_version_supported(uint32_t version);

/*
 * Look up the guest's GPADL handle gpadl (thread-safe, see top).  On
 * success *base and *len (both optional) get the host address and byte count of
 * the GPADL's data (first page + byte_offset, byte_count) and a
 * reference is returned: release it with vmb_map_region_put(); the
 * mapping stays valid until then, even after teardown or disconnect.
 * Returns NULL when the handle is unknown.
 */
struct vmb_map_region *
vmb_host_gpadl_get(struct vmb_host_conn *conn, uint32_t gpadl, void **base,
		   size_t *len);

#endif /* VMB_HOST_H */
