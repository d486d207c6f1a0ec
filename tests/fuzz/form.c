/* SPDX-License-Identifier: ISC */
/*
 * form.c — fuzz target: the body of POST /report as a browser sends it
 * (application/x-www-form-urlencoded), decoded and checked by the same code
 * as the daemon: MHD's post processor through http_form_decode, the field
 * caps, intake_check (INTAKE_FORM) through http_form_check, and, when a
 * field is at fault, the form rendered again with what was typed.
 *
 * MHD's post processor needs a real connection, so the input travels the
 * way a report does: an in-process MHD daemon without a listening socket
 * is handed one end of a socketpair, the request is written into the other
 * end, and MHD is run until it has passed the whole body on.
 *
 * Properties checked: the decoder accepts the encoding; an accepted report
 * is whole (fuzz_check_input); a page shown again is valid UTF-8 (invalid
 * values are dropped before they are shown).
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "http_req.h"
#include "intake.h"
#include "page.h"
#include "text.h"

#define FORM_RUNS_MAX 100000 /* MHD_run calls before the request must be through */

static struct MHD_Daemon *mhd;
static bool handled;

static void check_form(struct MHD_Connection *conn, const struct buf *body, enum lang ui)
{
	const struct playbook_set *set = fuzz_playbooks();
	struct form_values *f = http_form_new();
	struct intake_errors errs;
	struct case_input in;
	struct buf page;
	int rc;

	if (f == NULL)
		fuzz_fail("out of memory");
	if (http_form_decode(conn, body->data, body->len, f) < 0)
		fuzz_fail("the post processor refused application/x-www-form-urlencoded");
	rc = http_form_check(f, set, FUZZ_NOW_MS, &in, &errs);
	if (rc == 0) {
		fuzz_check_input(set, &in);
		case_input_fini(&in);
	} else if (rc == -EINVAL) {
		buf_init(&page, PAGE_MAX);
		if (page_form(&page, set, ui, http_form_value, f, &errs) == 0 &&
		    !text_utf8_valid(page.data, page.len))
			fuzz_fail("the form shown again is not valid UTF-8");
		buf_fini(&page);
	}
	http_form_free(f);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	struct buf *body = *con_cls;
	struct MHD_Response *resp;
	enum MHD_Result ok;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	if (body == NULL) {
		body = malloc(sizeof *body);
		if (body == NULL)
			fuzz_fail("out of memory");
		buf_init(body, HTTP_BODY_MAX);
		*con_cls = body;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		/* As http.c: a body over the cap is refused with 413 before any
		 * decoding, so what does not fit is never decoded. */
		buf_append(body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	check_form(conn, body, body->len % 2 == 0 ? LANG_JA : LANG_EN);
	handled = true;
	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		fuzz_fail("out of memory");
	ok = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct buf *body = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (body != NULL) {
		buf_fini(body);
		free(body);
		*con_cls = NULL;
	}
}

static void start_mhd(void)
{
	fuzz_playbooks();
	signal(SIGPIPE, SIG_IGN);
	mhd = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, on_request, NULL,
	                       MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	                       MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	                       MHD_OPTION_END);
	if (mhd == NULL)
		fuzz_fail("cannot start libmicrohttpd");
}

static unsigned connections(void)
{
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return info != NULL ? info->num_connections : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in peer;
	char head[256];
	size_t head_len, sent = 0;
	int sv[2];
	int n;

	if (size > HTTP_BODY_MAX)
		return 0;
	if (mhd == NULL)
		start_mhd();
	n = snprintf(head, sizeof head,
	             "POST /report HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n"
	             "Content-Type: application/x-www-form-urlencoded\r\n"
	             "Content-Length: %zu\r\n\r\n",
	             size);
	head_len = (size_t)n;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		fuzz_fail("socketpair");
	if (fcntl(sv[1], F_SETFL, O_NONBLOCK) != 0)
		fuzz_fail("fcntl");
	memset(&peer, 0, sizeof peer);
	peer.sin_family = AF_INET;
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	peer.sin_port = htons(40000);
	if (MHD_add_connection(mhd, sv[0], (const struct sockaddr *)&peer, sizeof peer) != MHD_YES)
		fuzz_fail("MHD_add_connection");
	handled = false;
	for (int i = 0; i < FORM_RUNS_MAX && !handled; i++) {
		while (sent < head_len + size) {
			const void *p = sent < head_len ? (const void *)(head + sent)
			                                : (const void *)(data + (sent - head_len));
			size_t len = sent < head_len ? head_len - sent : size - (sent - head_len);
			ssize_t w = write(sv[1], p, len);

			if (w <= 0)
				break;
			sent += (size_t)w;
		}
		MHD_run(mhd);
	}
	if (!handled)
		fuzz_fail("MHD never passed the whole body on");
	close(sv[1]);
	for (int i = 0; i < FORM_RUNS_MAX && connections() != 0; i++)
		MHD_run(mhd);
	return 0;
}
