/* SPDX-License-Identifier: ISC */
/* Unit tests: the low descriptors kept for libstrophe's select(), in a
 * process that holds more than FD_SETSIZE descriptors. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdreserve.h"

enum { CROWD = FD_SETSIZE + 200 };

static int crowd[CROWD];
static int ncrowd;

/* Fills every free descriptor number up to past FD_SETSIZE. */
static void fill_up(void)
{
	struct rlimit rl;

	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < CROWD + 64) {
		rl.rlim_cur = rl.rlim_max < CROWD + 64 ? rl.rlim_max : CROWD + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ncrowd = 0;
	for (int i = 0; i < CROWD; i++) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			break;
		crowd[ncrowd++] = fd;
		if (fd > FD_SETSIZE + 100)
			break;
	}
	cr_assert_gt(crowd[ncrowd - 1], FD_SETSIZE, "could not open %d descriptors", CROWD);
}

static void empty(void)
{
	for (int i = 0; i < ncrowd; i++)
		close(crowd[i]);
	ncrowd = 0;
}

TestSuite(fdreserve, .fini = empty);

Test(fdreserve, a_socket_opened_after_the_release_is_below_fd_setsize)
{
	struct fdreserve r;
	int plain, sock;

	cr_assert_eq(fdreserve_init(&r, 4), 0);
	fill_up();
	plain = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(plain, FD_SETSIZE, "without the reserve the socket got %d", plain);
	cr_assert_not(fdreserve_usable(plain));
	close(plain);

	fdreserve_release(&r);
	sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(fdreserve_usable(sock), "after the release the socket got %d", sock);
	fdreserve_refill(&r);
	{
		/* The socket holds one of the four numbers; the other three are back. */
		int low = 0;

		for (int i = 0; i < r.n; i++)
			if (r.fd[i] >= 0) {
				cr_assert(fdreserve_usable(r.fd[i]), "slot %d refilled with %d", i,
				          r.fd[i]);
				low++;
			}
		cr_assert_eq(low, 3);
	}

	/* Reconnecting: the old socket goes, the next one is low again. */
	close(sock);
	fdreserve_release(&r);
	sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(fdreserve_usable(sock), "the second socket got %d", sock);
	close(sock);
	fdreserve_refill(&r);
	fdreserve_fini(&r);
}

Test(fdreserve, a_refill_never_keeps_a_high_number)
{
	struct fdreserve r;

	cr_assert_eq(fdreserve_init(&r, 2), 0);
	fdreserve_release(&r);
	fill_up(); /* another thread took the freed numbers */
	fdreserve_refill(&r);
	cr_assert_eq(r.fd[0], -1);
	cr_assert_eq(r.fd[1], -1);
	fdreserve_fini(&r);
}

Test(fdreserve, only_numbers_below_fd_setsize_are_usable)
{
	cr_assert(fdreserve_usable(0));
	cr_assert(fdreserve_usable(FD_SETSIZE - 1));
	cr_assert_not(fdreserve_usable(FD_SETSIZE));
	cr_assert_not(fdreserve_usable(-1));
}
