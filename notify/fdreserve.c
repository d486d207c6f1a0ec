/* SPDX-License-Identifier: ISC */
/*
 * fdreserve — low descriptor numbers kept for select(); see fdreserve.h.
 */
#include "fdreserve.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/select.h>
#include <unistd.h>

static int open_low(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd >= FD_SETSIZE) {
		close(fd);
		return -1;
	}
	return fd;
}

int fdreserve_init(struct fdreserve *r, int n)
{
	int got = 0;

	if (n > FDRESERVE_MAX)
		n = FDRESERVE_MAX;
	r->n = n < 0 ? 0 : n;
	for (int i = 0; i < r->n; i++) {
		r->fd[i] = open_low();
		if (r->fd[i] >= 0)
			got++;
	}
	return got > 0 || r->n == 0 ? 0 : -EMFILE;
}

void fdreserve_release(struct fdreserve *r)
{
	for (int i = 0; i < r->n; i++) {
		if (r->fd[i] >= 0)
			close(r->fd[i]);
		r->fd[i] = -1;
	}
}

void fdreserve_refill(struct fdreserve *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->fd[i] < 0)
			r->fd[i] = open_low();
}

void fdreserve_fini(struct fdreserve *r)
{
	fdreserve_release(r);
	r->n = 0;
}

bool fdreserve_usable(int fd)
{
	return fd >= 0 && fd < FD_SETSIZE;
}
