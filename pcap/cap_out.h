/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_out.h - where a capture's pcapng goes: a file, a ring of rotating
 * files, or a stream (pipe, socket) to a reader such as `tshark -r -`.
 *
 * Blocks are appended whole to an output buffer (reserve, encode, commit)
 * and written by cap_out_flush().  The rules that keep every output
 * readable:
 *   - Regular files: a write that fails part-way (ENOSPC, EFBIG, EIO) is
 *     cut back with ftruncate() to the end of the last block written
 *     whole, so the file stays a valid pcapng file up to that block.
 *   - Streams never block the writer: a pipe is written in PIPE_BUF
 *     chunks only while poll() says it has room; a socket with
 *     MSG_DONTWAIT.  What does not fit stays buffered (cap_out_flush()
 *     returns -EAGAIN); when the buffer is full the caller stops taking
 *     packets, the capture ring fills up and the lcore counts the losses.
 *     A reader that went away gives -EPIPE (SIGPIPE must be blocked or
 *     ignored in the calling thread; sockets use MSG_NOSIGNAL).
 *   - Ring files are named after the path: FILE.pcapng becomes
 *     FILE_00001.pcapng, FILE_00002.pcapng, ...; when file N + ring_files
 *     is started, file N is deleted.
 *
 * No DPDK.  Not thread-safe: one thread (the capture writer) uses an
 * output after cap_out_open(), which the control thread calls.
 */
#ifndef CAP_OUT_H
#define CAP_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Output buffer size; the largest EPB (snaplen 262144) fits. */
#define CAP_OUT_BUF_SIZE (1024u * 1024u)
/* Longest file name accepted, including the ring suffix and NUL. */
#define CAP_OUT_PATH_MAX 4096u

/* What kind of file descriptor the output writes to. */
enum cap_out_kind {
	CAP_OUT_FILE = 0, /* regular file: whole-block truncation on error */
	CAP_OUT_FIFO,     /* pipe or FIFO: non-blocking chunked writes */
	CAP_OUT_SOCKET,   /* socket: send(MSG_DONTWAIT | MSG_NOSIGNAL) */
	CAP_OUT_OTHER,    /* character device etc.: plain writes */
};

/* Where to write. */
struct cap_out_cfg {
	int fd;                  /* >= 0: write to this descriptor (owned by
				  * the output once cap_out_open() succeeds);
				  * -1: create `path` */
	const char *path;        /* file to create when fd < 0 */
	unsigned int ring_files; /* 0: one file; else keep this many files */
	uint64_t file_bytes;     /* ring: start a new file past this size */
	unsigned int mode;       /* creation mode; 0 = 0600 */
	int uid;                 /* chown created files to uid/gid if >= 0 */
	int gid;                 /* (see uid) */
};

/* An open output.  Members are private to cap_out.c (read-only else). */
struct cap_out {
	int fd;                 /* current descriptor, or -1 */
	enum cap_out_kind kind; /* descriptor kind */
	char *path;             /* current file name (malloc'd) or NULL */
	char *base;             /* ring: path without extension, or NULL */
	char *ext;              /* ring: extension (".pcapng"), or NULL */
	unsigned int ring_files; /* 0, or files kept */
	uint64_t file_bytes;    /* ring rotation size */
	uint64_t file_no;       /* ring: number of the current file */
	unsigned int mode;      /* creation mode */
	int uid;                /* owner for created files, or -1 */
	int gid;                /* group for created files, or -1 */
	uint8_t *buf;           /* output buffer (CAP_OUT_BUF_SIZE) */
	size_t used;            /* bytes of whole blocks in buf */
	size_t sent;            /* streams: bytes of buf already written */
	uint64_t file_off;      /* bytes in the current file (whole blocks) */
	uint64_t total;         /* bytes written, all files */
	uint64_t files;         /* files started (1 for a single output) */
	int err;                /* first fatal error (positive errno) or 0 */
	size_t cut_off;         /* after a failed file write: the blocks cut
				 * off are buf[cut_off .. cut_off + cut_len) */
	size_t cut_len;         /* (see cut_off) */
};

/*
 * Open an output (control thread).  With fd < 0 creates cfg->path (or,
 * for ring files, FILE_00001.ext) with O_CREAT | O_TRUNC, so an
 * unwritable location is refused here.  Ring files need a path that is a
 * regular file.  Returns 0 or -errno with a message in err: -EINVAL (bad
 * cfg), -ENAMETOOLONG, -ENOMEM, or open(2)'s error.  On failure cfg->fd
 * stays the caller's.
 */
int
cap_out_open(struct cap_out *o, const struct cap_out_cfg *cfg, char *err,
	     size_t errlen);

/*
 * Room for a block of n bytes at the end of the buffer, or NULL if the
 * buffer cannot take it now (flush first) or the output failed.  Write
 * the block there, then cap_out_commit(o, n).
 */
uint8_t *
cap_out_reserve(struct cap_out *o, size_t n);

/* Append the n bytes written at the last cap_out_reserve(). */
void
cap_out_commit(struct cap_out *o, size_t n);

/* Bytes buffered and not yet written. */
size_t
cap_out_pending(const struct cap_out *o);

/* Size the current file will have once the buffer is written. */
uint64_t
cap_out_file_size(const struct cap_out *o);

/*
 * Write the buffer.  Returns 0 (all written), -EAGAIN (stream: part
 * left, try again later), or -errno for a fatal error (o->err is set; a
 * regular file has been cut back to its last whole block, and the whole
 * blocks that did not make it stay readable at buf + cut_off, cut_len
 * bytes, until cap_out_close(); nothing more will be written).
 */
int
cap_out_flush(struct cap_out *o);

/* True if this output rotates over ring files. */
bool
cap_out_is_ring(const struct cap_out *o);

/*
 * Ring files: close the current file (the buffer must be flushed), start
 * the next one and delete the one that falls out of the ring.  Returns 0
 * or -errno (o->err set).
 */
int
cap_out_next_file(struct cap_out *o);

/* Current file name, or NULL for a descriptor given by the caller. */
const char *
cap_out_path(const struct cap_out *o);

/* Close the descriptor and free the buffers (what is unflushed is lost). */
void
cap_out_close(struct cap_out *o);

#endif /* CAP_OUT_H */
