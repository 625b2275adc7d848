/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_out.c - capture output: files, ring files, streams.  See cap_out.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cap_out.h"
#include "cap_pcapng.h"

/* Default mode of created files: captures may hold private traffic. */
#define CAP_OUT_DEFAULT_MODE 0600u

static void
cap_out_msg(char *err, size_t errlen, const char *what, const char *path,
	    int e)
{
	if (err != NULL && errlen > 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
	}
}

static enum cap_out_kind
cap_out_kind_of(const struct stat *st)
{
	if (S_ISREG(st->st_mode)) {
		return CAP_OUT_FILE;
	}
	if (S_ISFIFO(st->st_mode)) {
		return CAP_OUT_FIFO;
	}
	if (S_ISSOCK(st->st_mode)) {
		return CAP_OUT_SOCKET;
	}
	return CAP_OUT_OTHER;
}

/* Create (truncate) `name` and make it the current file.  -errno. */
static int
cap_out_create(struct cap_out *o, const char *name)
{
	struct stat st;
	char *copy;
	int fd, e;

	copy = strdup(name);
	if (copy == NULL) {
		return -ENOMEM;
	}
	/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of
	 * blocking the caller. */
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK,
		  (mode_t)o->mode);
	if (fd < 0) {
		e = errno;
		free(copy);
		return -e;
	}
	if (fstat(fd, &st) != 0) {
		e = errno;
		goto fail;
	}
	if (o->ring_files != 0 && !S_ISREG(st.st_mode)) {
		e = EINVAL;
		goto fail;
	}
	if (S_ISREG(st.st_mode) && (o->uid >= 0 || o->gid >= 0) &&
	    fchown(fd, (uid_t)o->uid, (gid_t)o->gid) != 0) {
		e = errno;
		goto fail;
	}
	free(o->path);
	o->path = copy;
	o->fd = fd;
	o->kind = cap_out_kind_of(&st);
	o->file_off = 0;
	o->files++;
	return 0;

fail:
	close(fd);
	free(copy);
	return -e;
}

/* Name of ring file number n into out[0 .. CAP_OUT_PATH_MAX). */
static int
cap_out_ring_name(const struct cap_out *o, uint64_t n, char *out)
{
	int len = snprintf(out, CAP_OUT_PATH_MAX, "%s_%05llu%s", o->base,
			   (unsigned long long)n, o->ext);

	return len < 0 || (unsigned int)len >= CAP_OUT_PATH_MAX ?
		       -ENAMETOOLONG :
		       0;
}

/* Split path into base and extension (".pcapng") for ring names. */
static int
cap_out_split(struct cap_out *o, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash != NULL ? slash + 1 : path;
	const char *dot = strrchr(name, '.');
	size_t blen;

	if (dot == NULL || dot == name) {
		dot = path + strlen(path);
	}
	blen = (size_t)(dot - path);
	o->base = strndup(path, blen);
	o->ext = strdup(dot);
	return o->base == NULL || o->ext == NULL ? -ENOMEM : 0;
}

int
cap_out_open(struct cap_out *o, const struct cap_out_cfg *cfg, char *err,
	     size_t errlen)
{
	char name[CAP_OUT_PATH_MAX];
	struct stat st;
	int rc;

	if (o == NULL || cfg == NULL) {
		return -EINVAL;
	}
	if (err == NULL) {
		errlen = 0;
	}
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->mode = cfg->mode != 0 ? cfg->mode : CAP_OUT_DEFAULT_MODE;
	o->uid = cfg->uid;
	o->gid = cfg->gid;
	if (cfg->fd < 0 && (cfg->path == NULL || cfg->path[0] == '\0')) {
		snprintf(err, errlen, "no output: need a file name or a "
			 "descriptor");
		return -EINVAL;
	}
	if (cfg->ring_files != 0 && (cfg->fd >= 0 || cfg->file_bytes == 0)) {
		snprintf(err, errlen, "ring files need a file name and a "
			 "file size");
		return -EINVAL;
	}
	if (cfg->fd < 0 && strlen(cfg->path) >= CAP_OUT_PATH_MAX - 16) {
		snprintf(err, errlen, "file name too long");
		return -ENAMETOOLONG;
	}
	o->buf = malloc(CAP_OUT_BUF_SIZE);
	if (o->buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (cfg->fd >= 0) {
		off_t pos;

		if (fstat(cfg->fd, &st) != 0) {
			rc = -errno;
			snprintf(err, errlen, "bad output descriptor: %s",
				 strerror(-rc));
			goto fail;
		}
		o->fd = cfg->fd;
		o->kind = cap_out_kind_of(&st);
		pos = o->kind == CAP_OUT_FILE ? lseek(o->fd, 0, SEEK_CUR) : 0;
		o->file_off = pos > 0 ? (uint64_t)pos : 0;
		o->files = 1;
		return 0;
	}
	if (cfg->ring_files != 0) {
		o->ring_files = cfg->ring_files;
		o->file_bytes = cfg->file_bytes;
		o->file_no = 1;
		rc = cap_out_split(o, cfg->path);
		if (rc == 0) {
			rc = cap_out_ring_name(o, o->file_no, name);
		}
		if (rc != 0) {
			snprintf(err, errlen, "%s", strerror(-rc));
			goto fail;
		}
	} else {
		snprintf(name, sizeof(name), "%s", cfg->path);
	}
	rc = cap_out_create(o, name);
	if (rc != 0) {
		if (rc == -EINVAL) {
			snprintf(err, errlen, "ring files need a regular file: "
				 "%s", name);
		} else {
			cap_out_msg(err, errlen, "cannot write", name, -rc);
		}
		goto fail;
	}
	return 0;

fail:
	free(o->base);
	free(o->ext);
	free(o->buf);
	o->base = NULL;
	o->ext = NULL;
	o->buf = NULL;
	o->fd = -1;
	return rc;
}

uint8_t *
cap_out_reserve(struct cap_out *o, size_t n)
{
	if (o->err != 0 || n > CAP_OUT_BUF_SIZE) {
		return NULL;
	}
	if (n > CAP_OUT_BUF_SIZE - o->used && o->sent != 0) {
		/* Streams: drop what was already written from the front. */
		memmove(o->buf, o->buf + o->sent, o->used - o->sent);
		o->used -= o->sent;
		o->sent = 0;
	}
	if (n > CAP_OUT_BUF_SIZE - o->used) {
		return NULL;
	}
	return o->buf + o->used;
}

void
cap_out_commit(struct cap_out *o, size_t n)
{
	o->used += n;
}

size_t
cap_out_pending(const struct cap_out *o)
{
	return o->used - o->sent;
}

uint64_t
cap_out_file_size(const struct cap_out *o)
{
	return o->file_off + (o->used - o->sent);
}

bool
cap_out_is_ring(const struct cap_out *o)
{
	return o->ring_files != 0;
}

const char *
cap_out_path(const struct cap_out *o)
{
	return o->path;
}

/* Bytes of whole blocks at the start of buf[0 .. len). */
static size_t
cap_out_whole_blocks(const uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		int blen = cap_pcapng_block_len(buf + off, len - off);

		if (blen <= 0) {
			break;
		}
		off += (size_t)blen;
	}
	return off;
}

/* Regular file: write everything, or cut back to the last whole block. */
static int
cap_out_flush_file(struct cap_out *o)
{
	size_t good;
	int e = 0;

	while (o->sent < o->used) {
		ssize_t n = write(o->fd, o->buf + o->sent, o->used - o->sent);

		if (n > 0) {
			o->sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		e = n < 0 ? errno : EIO;
		break;
	}
	if (e == 0) {
		o->file_off += o->used;
		o->total += o->used;
		o->used = 0;
		o->sent = 0;
		return 0;
	}
	/* Keep the whole blocks that made it; cut the partial one. */
	good = cap_out_whole_blocks(o->buf, o->sent);
	if (o->kind == CAP_OUT_FILE) {
		(void)ftruncate(o->fd, (off_t)(o->file_off + good));
	}
	o->file_off += good;
	o->total += good;
	o->cut_off = good;
	o->cut_len = o->used - good;
	o->used = 0;
	o->sent = 0;
	o->err = e;
	return -e;
}

/* Pipe: PIPE_BUF chunks while poll() reports room; never blocks. */
static int
cap_out_flush_fifo(struct cap_out *o)
{
	while (o->sent < o->used) {
		struct pollfd pfd = { .fd = o->fd, .events = POLLOUT };
		size_t chunk = o->used - o->sent;
		ssize_t n;
		int r;

		r = poll(&pfd, 1, 0);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			o->err = errno;
			return -o->err;
		}
		if (r == 0) {
			return -EAGAIN;
		}
		/* POLLERR/POLLHUP: the write below reports why (EPIPE). */
		if (chunk > PIPE_BUF) {
			chunk = PIPE_BUF;
		}
		n = write(o->fd, o->buf + o->sent, chunk);
		if (n > 0) {
			o->sent += (size_t)n;
			o->file_off += (size_t)n;
			o->total += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
			if (errno == EAGAIN) {
				return -EAGAIN;
			}
			continue;
		}
		o->err = n < 0 ? errno : EIO;
		return -o->err;
	}
	o->used = 0;
	o->sent = 0;
	return 0;
}

/* Socket: non-blocking sends, no SIGPIPE. */
static int
cap_out_flush_socket(struct cap_out *o)
{
	while (o->sent < o->used) {
		ssize_t n = send(o->fd, o->buf + o->sent, o->used - o->sent,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			o->sent += (size_t)n;
			o->file_off += (size_t)n;
			o->total += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return -EAGAIN;
		}
		o->err = n < 0 ? errno : EIO;
		return -o->err;
	}
	o->used = 0;
	o->sent = 0;
	return 0;
}

int
cap_out_flush(struct cap_out *o)
{
	if (o->err != 0) {
		return -o->err;
	}
	if (o->sent == o->used) {
		o->used = 0;
		o->sent = 0;
		return 0;
	}
	switch (o->kind) {
	case CAP_OUT_FIFO:
		return cap_out_flush_fifo(o);
	case CAP_OUT_SOCKET:
		return cap_out_flush_socket(o);
	case CAP_OUT_FILE:
	case CAP_OUT_OTHER:
		break;
	}
	return cap_out_flush_file(o);
}

int
cap_out_next_file(struct cap_out *o)
{
	char name[CAP_OUT_PATH_MAX];
	int rc;

	if (o->ring_files == 0 || o->err != 0 || cap_out_pending(o) != 0) {
		return o->err != 0 ? -o->err : -EINVAL;
	}
	close(o->fd);
	o->fd = -1;
	o->file_no++;
	if (o->file_no > o->ring_files &&
	    cap_out_ring_name(o, o->file_no - o->ring_files, name) == 0) {
		(void)unlink(name);
	}
	rc = cap_out_ring_name(o, o->file_no, name);
	if (rc == 0) {
		rc = cap_out_create(o, name);
	}
	if (rc != 0) {
		o->err = -rc;
	}
	return rc;
}

void
cap_out_close(struct cap_out *o)
{
	if (o == NULL) {
		return;
	}
	if (o->fd >= 0) {
		close(o->fd);
	}
	o->fd = -1;
	free(o->buf);
	free(o->path);
	free(o->base);
	free(o->ext);
	o->buf = NULL;
	o->path = NULL;
	o->base = NULL;
	o->ext = NULL;
}
