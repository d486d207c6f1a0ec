/* SPDX-License-Identifier: ISC */
/*
 * curl_driver — libcurl's multi interface on the libuv loop; see
 * curl_driver.h.
 */
#include "curl_driver.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notify.h"

struct transfer {
	struct transfer *next;
	CURL *easy;
	curl_done_cb cb;
	void *arg;
	char error[CURL_ERROR_SIZE];
};

struct curl_driver {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;
	struct transfer *list;
	unsigned running;
	bool closing;
};

struct sock_ctx {
	uv_poll_t poll;
	curl_socket_t fd;
	struct curl_driver *d;
};

static void finish(struct curl_driver *d, struct transfer *t, CURLcode rc)
{
	long status = 0;

	for (struct transfer **pp = &d->list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	d->running--;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(d->multi, t->easy);
	if (t->cb != NULL)
		t->cb(t->arg, rc, status,
		      rc != CURLE_OK ? (t->error[0] != '\0' ? t->error : curl_easy_strerror(rc))
		                     : "");
	curl_easy_cleanup(t->easy);
	free(t);
}

static void check_done(struct curl_driver *d)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(d->multi, &left)) != NULL) {
		struct transfer *t = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		if (t != NULL)
			finish(d, t, msg->data.result);
	}
}

static void on_poll(uv_poll_t *p, int status, int events)
{
	struct sock_ctx *s = p->data;
	int flags = 0;
	int running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (status == 0 && (events & UV_READABLE))
		flags |= CURL_CSELECT_IN;
	if (status == 0 && (events & UV_WRITABLE))
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(s->d->multi, s->fd, flags, &running);
	check_done(s->d);
}

static void on_timeout(uv_timer_t *t)
{
	struct curl_driver *d = t->data;
	int running;

	curl_multi_socket_action(d->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(d);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct curl_driver *d = userp;

	(void)multi;
	if (d->closing)
		return 0;
	if (timeout_ms < 0)
		uv_timer_stop(&d->timer);
	else
		uv_timer_start(&d->timer, on_timeout, (uint64_t)timeout_ms, 0);
	return 0;
}

static void on_sock_closed(uv_handle_t *h)
{
	free(h->data);
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct curl_driver *d = userp;
	struct sock_ctx *s = socketp;
	int events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			uv_poll_stop(&s->poll);
			uv_close((uv_handle_t *)&s->poll, on_sock_closed);
			curl_multi_assign(d->multi, fd, NULL);
		}
		return 0;
	}
	if (s == NULL) {
		s = calloc(1, sizeof *s);
		if (s == NULL)
			return -1;
		s->fd = fd;
		s->d = d;
		if (uv_poll_init_socket(d->loop, &s->poll, fd) < 0) {
			free(s);
			return -1;
		}
		s->poll.data = s;
		curl_multi_assign(d->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&s->poll, events, on_poll);
	return 0;
}

int curl_driver_start(struct curl_driver **out, uv_loop_t *loop)
{
	struct curl_driver *d = calloc(1, sizeof *d);

	if (d == NULL)
		return -ENOMEM;
	d->loop = loop;
	d->multi = curl_multi_init();
	if (d->multi == NULL) {
		free(d);
		return -ENOMEM;
	}
	curl_multi_setopt(d->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(d->multi, CURLMOPT_SOCKETDATA, d);
	curl_multi_setopt(d->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(d->multi, CURLMOPT_TIMERDATA, d);
	curl_multi_setopt(d->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 32L);
	uv_timer_init(loop, &d->timer);
	d->timer.data = d;
	*out = d;
	return 0;
}

int curl_driver_add(struct curl_driver *d, CURL *easy, curl_done_cb cb, void *arg)
{
	struct transfer *t;

	if (d->closing) {
		curl_easy_cleanup(easy);
		return -ESHUTDOWN;
	}
	t = calloc(1, sizeof *t);
	if (t == NULL) {
		curl_easy_cleanup(easy);
		return -ENOMEM;
	}
	t->easy = easy;
	t->cb = cb;
	t->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	if (curl_multi_add_handle(d->multi, easy) != CURLM_OK) {
		curl_easy_cleanup(easy);
		free(t);
		return -EIO;
	}
	t->next = d->list;
	d->list = t;
	d->running++;
	return 0;
}

unsigned curl_driver_running(const struct curl_driver *d)
{
	return d != NULL ? d->running : 0;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct curl_driver *d = h->data;

	curl_multi_cleanup(d->multi);
	free(d);
}

void curl_driver_stop(struct curl_driver *d)
{
	if (d == NULL)
		return;
	d->closing = true;
	while (d->list != NULL)
		finish(d, d->list, CURLE_ABORTED_BY_CALLBACK);
	uv_timer_stop(&d->timer);
	uv_close((uv_handle_t *)&d->timer, on_timer_closed);
}

int curl_channel_start(void **self, const struct notify_env *env)
{
	struct curl_channel *c = calloc(1, sizeof *c);
	int rc;

	if (c == NULL)
		return -ENOMEM;
	c->host = env->host;
	c->cfg = env->cfg;
	c->store = env->store;
	rc = curl_driver_start(&c->curl, env->loop);
	if (rc < 0) {
		free(c);
		return rc;
	}
	*self = c;
	return 0;
}

unsigned curl_channel_pending(const void *self)
{
	const struct curl_channel *c = self;

	return c->writes + curl_driver_running(c->curl);
}

void curl_channel_stop(void *self)
{
	struct curl_channel *c = self;

	curl_driver_stop(c->curl);
	free(c);
}
