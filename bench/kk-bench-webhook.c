/* SPDX-License-Identifier: ISC */
/*
 * kk-bench-webhook — the peer's side of the benchmark: a webhook receiver
 * for Prometheus Alertmanager, and a client that measures POST → webhook.
 *
 *   kk-bench-webhook [--port P]
 *
 * Listens on 127.0.0.1:P (0 or absent: a free port) and prints
 * "LISTEN <port>". A thread accepts Alertmanager's webhook POSTs
 * (keep-alive, any number of connections, bodies with Content-Length),
 * stamps each with CLOCK_MONOTONIC once the whole request is read, answers
 * 200 and notes the bench_id label of every alert in it. Commands come on stdin, one a
 * line:
 *
 *   latency URL N W   POST W alerts that are not counted, then N alerts one
 *                     at a time to URL (Alertmanager's /api/v2/alerts), each
 *                     with a new bench_id, waiting for its webhook; prints
 *                     RESULT lines: POST sent → webhook, 200 read → webhook,
 *                     POST → 200, and how many never came.
 *   count             prints RESULT lines with the webhook POSTs and alerts
 *                     received so far.
 *
 * Ends at end of input. Nothing is asserted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"
#include "harness.h"

#define CONN_BUF_MAX (4u << 20) /* one webhook request, headers and body */
#define EVENTS_MAX   64
#define HOOK_WAIT_MS 5000
#define GAP_MS       20 /* between alerts, as kk-bench-xmpp does between reports */
#define WANT_ID_MAX  64

struct conn {
	int fd;
	char *buf;
	size_t len;
	size_t cap;
};

/* What the receiver thread shares with the measuring thread. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static char want_id[WANT_ID_MAX]; /* the bench_id the client waits for, or "" */
static long long want_at;         /* when it arrived, 0 until then */
static unsigned long hooks;       /* webhook POSTs received */
static unsigned long alerts;      /* alerts in them */
static unsigned long bad;         /* requests that were not a webhook we understood */

static void note_alert(const char *id, long long at)
{
	pthread_mutex_lock(&lock);
	alerts++;
	if (want_id[0] != '\0' && want_at == 0 && strcmp(id, want_id) == 0) {
		want_at = at;
		pthread_cond_broadcast(&cond);
	}
	pthread_mutex_unlock(&lock);
}

/* One whole request of total bytes arrived at `at`; body at body, body_len bytes. */
static void on_request(const char *body, size_t body_len, long long at)
{
	json_t *doc = json_loadb(body, body_len, 0, NULL);
	json_t *list = json_object_get(doc, "alerts");
	size_t i;
	json_t *a;

	if (!json_is_array(list)) {
		pthread_mutex_lock(&lock);
		bad++;
		pthread_mutex_unlock(&lock);
		json_decref(doc);
		return;
	}
	pthread_mutex_lock(&lock);
	hooks++;
	pthread_mutex_unlock(&lock);
	json_array_foreach(list, i, a)
	{
		json_t *id = json_object_get(json_object_get(a, "labels"), "bench_id");

		note_alert(json_is_string(id) ? json_string_value(id) : "", at);
	}
	json_decref(doc);
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pf = {.fd = fd, .events = POLLOUT};

			poll(&pf, 1, 1000);
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Handle every whole request in c->buf. Returns 0, or -1 to drop the
 * connection.
 */
static int serve(struct conn *c)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

	for (;;) {
		char *hdr_end = memmem(c->buf, c->len, "\r\n\r\n", 4);
		size_t head, total;
		long body_len;
		const char *cl, *te;
		long long at;

		if (hdr_end == NULL)
			return c->len >= CONN_BUF_MAX ? -1 : 0;
		head = (size_t)(hdr_end - c->buf) + 4;
		*hdr_end = '\0';
		cl = strcasestr(c->buf, "\r\nContent-Length:");
		te = strcasestr(c->buf, "\r\nTransfer-Encoding: chunked");
		*hdr_end = '\r';
		if (cl != NULL) {
			body_len = strtol(cl + 17, NULL, 10);
			if (body_len < 0 || (size_t)body_len > CONN_BUF_MAX)
				return -1;
			if (c->len - head < (size_t)body_len)
				return 0;
			total = head + (size_t)body_len;
		} else if (te != NULL) {
			/* Go's client sends a buffered body with Content-Length. */
			pthread_mutex_lock(&lock);
			bad++;
			pthread_mutex_unlock(&lock);
			return -1;
		} else {
			body_len = 0;
			total = head;
		}
		at = bench_now_ns();
		on_request(c->buf + head, (size_t)body_len, at);
		if (send_all(c->fd, ok, sizeof ok - 1) != 0)
			return -1;
		memmove(c->buf, c->buf + total, c->len - total);
		c->len -= total;
	}
}

static void conn_free(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->buf);
	free(c);
}

/* Read what is there; returns -1 when the connection is over. */
static int conn_read(struct conn *c)
{
	for (;;) {
		ssize_t n;

		if (c->cap - c->len < 16384) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			char *p;

			if (cap > CONN_BUF_MAX + 65536)
				return -1;
			p = realloc(c->buf, cap);
			if (p == NULL)
				return -1;
			c->buf = p;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n > 0) {
			c->len += (size_t)n;
			if (serve(c) != 0)
				return -1;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		return -1;
	}
}

static void *receiver(void *arg)
{
	int lfd = *(int *)arg;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	struct epoll_event evs[EVENTS_MAX];

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
		fprintf(stderr, "kk-bench-webhook: epoll: %s\n", strerror(errno));
		return NULL;
	}
	for (;;) {
		int n = epoll_wait(ep, evs, EVENTS_MAX, -1);

		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c == NULL) {
				int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				struct conn *nc;

				if (fd < 0)
					continue;
				nc = calloc(1, sizeof *nc);
				if (nc == NULL) {
					close(fd);
					continue;
				}
				nc->fd = fd;
				ev.events = EPOLLIN;
				ev.data.ptr = nc;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
					close(fd);
					free(nc);
				}
				continue;
			}
			if (conn_read(c) != 0)
				conn_free(ep, c);
		}
	}
	return NULL;
}

static int listen_on(unsigned *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)*port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1024) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		fprintf(stderr, "kk-bench-webhook: listen: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* POST alert id and wait for its webhook. Returns 1 with the times, 0 when it never came. */
static int one_alert(CURL *curl, const char *url, long n, long long *from_post, long long *from_200,
                     long long *post_200)
{
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct harness_request req = {.method = "POST", .url = url, .headers = headers};
	struct harness_response res;
	struct timespec deadline;
	char body[1024], id[WANT_ID_MAX];
	long long t0, t1, at;

	snprintf(id, sizeof id, "lat-%d-%ld", (int)getpid(), n);
	snprintf(
	    body, sizeof body,
	    "[{\"labels\":{\"alertname\":\"KakekomiBench\",\"bench_id\":\"%s\","
	    "\"prefecture\":\"27\",\"incident_type\":\"ransomware\",\"severity\":\"critical\"},"
	    "\"annotations\":{\"summary\":\"ransom note on the file server (bench %ld)\"}}]",
	    id, n);
	pthread_mutex_lock(&lock);
	memcpy(want_id, id, strlen(id) + 1);
	want_at = 0;
	pthread_mutex_unlock(&lock);
	memset(&res, 0, sizeof res);
	req.body = body;
	req.body_len = strlen(body);
	t0 = bench_now_ns();
	if (harness_http_send(curl, &req, &res) != 0 || res.status != 200) {
		fprintf(stderr, "kk-bench-webhook: alert %ld: status %ld %s %.300s\n", n,
		        res.status, res.error, res.body.data != NULL ? res.body.data : "");
		harness_response_fini(&res);
		return -1;
	}
	t1 = bench_now_ns();
	harness_response_fini(&res);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += HOOK_WAIT_MS / 1000;
	pthread_mutex_lock(&lock);
	while (want_at == 0 && pthread_cond_timedwait(&cond, &lock, &deadline) == 0)
		;
	at = want_at;
	want_id[0] = '\0';
	pthread_mutex_unlock(&lock);
	if (at == 0) {
		fprintf(stderr, "kk-bench-webhook: no webhook for %s within %d ms\n", id,
		        HOOK_WAIT_MS);
		return 0;
	}
	*from_post = at - t0;
	*from_200 = at - t1;
	*post_200 = t1 - t0;
	return 1;
}

static void latency(const char *url, long n, long warmup)
{
	long long *a = calloc((size_t)n, sizeof *a);
	long long *b = calloc((size_t)n, sizeof *b);
	long long *c = calloc((size_t)n, sizeof *c);
	CURL *curl = curl_easy_init();
	long missing = 0, failed = 0;
	size_t got = 0;
	static long serial;

	if (a == NULL || b == NULL || c == NULL || curl == NULL) {
		fprintf(stderr, "kk-bench-webhook: out of memory\n");
		exit(1);
	}
	for (long i = 0; i < warmup + n; i++) {
		int r = one_alert(curl, url, ++serial, &a[got], &b[got], &c[got]);

		if (i >= warmup) {
			if (r < 0)
				failed++;
			else if (r == 0)
				missing++;
			else
				got++;
		}
		bench_sleep_ms(GAP_MS);
	}
	bench_result("am_alerts", "%ld", n);
	bench_result("am_post_failed", "%ld", failed);
	bench_result("am_webhook_missing", "%ld", missing);
	bench_result_latency("am_post_to_webhook", a, got);
	bench_result_latency("am_200_to_webhook", b, got);
	bench_result_latency("am_post_to_200", c, got);
	curl_easy_cleanup(curl);
	free(a);
	free(b);
	free(c);
}

int main(int argc, char **argv)
{
	pthread_condattr_t attr;
	pthread_t thread;
	unsigned port = 0;
	char line[1024];
	int lfd;

	if (argc == 3 && strcmp(argv[1], "--port") == 0) {
		port = (unsigned)strtoul(argv[2], NULL, 10);
	} else if (argc != 1) {
		fprintf(stderr, "usage: kk-bench-webhook [--port P]\n");
		return 2;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&cond, &attr);
	pthread_condattr_destroy(&attr);
	lfd = listen_on(&port);
	if (lfd < 0)
		return 1;
	if (pthread_create(&thread, NULL, receiver, &lfd) != 0)
		return 1;
	pthread_detach(thread);
	printf("LISTEN %u\n", port);
	fflush(stdout);
	while (fgets(line, sizeof line, stdin) != NULL) {
		char url[512];
		long n, w;

		if (sscanf(line, "latency %511s %ld %ld", url, &n, &w) == 3 && n > 0 &&
		    n <= 100000 && w >= 0) {
			latency(url, n, w);
		} else if (strncmp(line, "count", 5) == 0) {
			pthread_mutex_lock(&lock);
			bench_result("am_webhook_posts", "%lu", hooks);
			bench_result("am_webhook_alerts", "%lu", alerts);
			bench_result("am_webhook_bad", "%lu", bad);
			pthread_mutex_unlock(&lock);
		} else {
			fprintf(stderr, "kk-bench-webhook: unknown command: %s", line);
		}
		printf("DONE\n");
		fflush(stdout);
	}
	return 0;
}
