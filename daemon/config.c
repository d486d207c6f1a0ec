/* SPDX-License-Identifier: ISC */
/*
 * config — table-driven INI reader on top of inih; see config.h.
 *
 * inih calls the reader once per line, so counting lines in the reader gives
 * every problem its line number without a second pass over the file.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum config_type {
	CONFIG_STRING,   /* non-empty text */
	CONFIG_OPTIONAL, /* text, may be empty */
	CONFIG_UINT,
	CONFIG_LOGLEVEL,
	CONFIG_LISTEN,
	CONFIG_URL,
	CONFIG_URL_ANY, /* smtp://, smtps://, http(s):// or empty */
	CONFIG_TLS,
	CONFIG_STEPS,
	CONFIG_JIDS,
	CONFIG_NETS,
	CONFIG_TARGET, /* a duration up to 30 days, or "off" (0) */
};

struct config_key {
	const char *section;
	const char *key;
	enum config_type type;
	size_t offset;
	const char *def;
	unsigned min, max;
};

#define F(field) offsetof(struct config, field)

static const struct config_key config_keys[] = {
    {"http", "listen", CONFIG_LISTEN, F(http_listen), "127.0.0.1:8080", 0, 0},
    {"http", "public_url", CONFIG_URL, F(http_public_url), "", 0, 0},
    {"http", "web_dir", CONFIG_STRING, F(web_dir), "web", 0, 0},
    {"http", "max_connections", CONFIG_UINT, F(http_max_connections), "4096", 1, 60000},
    {"http", "max_per_address", CONFIG_UINT, F(http_max_per_address), "64", 1, 60000},
    {"http", "timeout", CONFIG_UINT, F(http_timeout_s), "30", 1, 3600},
    {"http", "rate_per_minute", CONFIG_UINT, F(http_rate_per_minute), "30", 0, 60000},
    {"http", "rate_burst", CONFIG_UINT, F(http_rate_burst), "10", 1, 10000},
    {"http", "rate_exempt", CONFIG_NETS, F(http_rate_exempt), "", 0, 0},
    {"http", "trusted_proxies", CONFIG_NETS, F(http_trusted_proxies_text), "", 0, 0},
    {"metrics", "allow", CONFIG_NETS, F(metrics_allow_text), "127.0.0.1, ::1", 0, 0},
    {"http", "tls_cert", CONFIG_OPTIONAL, F(http_tls_cert), "", 0, 0},
    {"http", "tls_key", CONFIG_OPTIONAL, F(http_tls_key), "", 0, 0},
    {"store", "path", CONFIG_STRING, F(store_path), "var/kakekomi.db", 0, 0},
    {"store", "key_file", CONFIG_OPTIONAL, F(store_key_file), "", 0, 0},
    {"store", "token_days", CONFIG_UINT, F(token_days), "180", 1, 3650},
    {"store", "stop_wait", CONFIG_UINT, F(stop_wait_s), "10", 1, 3600},
    {"playbooks", "dir", CONFIG_STRING, F(playbooks_dir), "playbooks", 0, 0},
    {"log", "level", CONFIG_LOGLEVEL, F(log_level), "info", 0, 0},
    {"xmpp", "jid", CONFIG_OPTIONAL, F(xmpp_jid), "", 0, 0},
    {"xmpp", "password", CONFIG_OPTIONAL, F(xmpp_password), "", 0, 0},
    {"xmpp", "password_file", CONFIG_OPTIONAL, F(xmpp_password_file), "", 0, 0},
    {"xmpp", "host", CONFIG_OPTIONAL, F(xmpp_host), "", 0, 0},
    {"xmpp", "port", CONFIG_UINT, F(xmpp_port), "0", 0, 65535},
    {"xmpp", "tls", CONFIG_TLS, F(xmpp_tls), "required", 0, 0},
    {"xmpp", "ca_file", CONFIG_OPTIONAL, F(xmpp_ca_file), "", 0, 0},
    {"smtp", "url", CONFIG_URL_ANY, F(smtp_url), "", 0, 0},
    {"smtp", "from", CONFIG_OPTIONAL, F(smtp_from), "kakekomi@localhost", 0, 0},
    {"smtp", "username", CONFIG_OPTIONAL, F(smtp_username), "", 0, 0},
    {"smtp", "password", CONFIG_OPTIONAL, F(smtp_password), "", 0, 0},
    {"smtp", "tls", CONFIG_TLS, F(smtp_tls), "required", 0, 0},
    {"smtp", "ca_file", CONFIG_OPTIONAL, F(smtp_ca_file), "", 0, 0},
    {"webhooks", "urls", CONFIG_OPTIONAL, F(webhook_urls), "", 0, 0},
    {"webhooks", "secret", CONFIG_OPTIONAL, F(webhook_secret), "", 0, 0},
    {"webhooks", "rate_per_second", CONFIG_UINT, F(webhook_rate), "10", 1, 1000},
    {"escalation", "steps", CONFIG_STEPS, F(escalation_steps), "5m", 0, 0},
    {"escalation", "repeat", CONFIG_UINT, F(esc_repeat), "2", 1, 20},
    {"escalation", "coordinators", CONFIG_JIDS, F(escalation_coordinators), "", 0, 0},
    {"targets", "guidance", CONFIG_TARGET, F(target_guidance_ms), "5s", 0, 0},
    {"targets", "ack", CONFIG_TARGET, F(target_ack_ms), "15m", 0, 0},
    {"targets", "contact", CONFIG_TARGET, F(target_contact_ms), "30m", 0, 0},
    {"targets", "onsite", CONFIG_TARGET, F(target_onsite_ms), "off", 0, 0},
    {"targets", "resolve", CONFIG_TARGET, F(target_resolve_ms), "off", 0, 0},
};

#undef F

struct config_parse {
	struct config *cfg;
	struct buf *errors;
	const char *file;
	FILE *fp;
	int line;
	int nerrors;
	unsigned char seen[sizeof config_keys / sizeof config_keys[0]];
};

static void problem(struct config_parse *p, const char *section, const char *key, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

static void problem(struct config_parse *p, const char *section, const char *key, const char *fmt,
                    ...)
{
	va_list ap;

	p->nerrors++;
	if (p->errors == NULL)
		return;
	buf_printf(p->errors, "%s:%d: [%s] %s: ", p->file != NULL ? p->file : "(defaults)", p->line,
	           section, key);
	va_start(ap, fmt);
	buf_vprintf(p->errors, fmt, ap);
	va_end(ap);
	buf_puts(p->errors, "\n");
}

static int parse_listen(const char *v, struct config *cfg)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(v, ':');
	char *end;
	unsigned long port;
	size_t hl;

	if (colon == NULL)
		return -EINVAL;
	hl = (size_t)(colon - v);
	if (hl == 0 || hl >= sizeof host)
		return -EINVAL;
	memcpy(host, v, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port > 65535)
		return -EINVAL;
	memset(&cfg->http_addr, 0, sizeof cfg->http_addr);
	if (host[0] == '[' && host[hl - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&cfg->http_addr;

		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return -EINVAL;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		cfg->http_addrlen = sizeof *a6;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&cfg->http_addr;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -EINVAL;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		cfg->http_addrlen = sizeof *a4;
	}
	return 0;
}

/* Units of time, shortest first; the escalation steps take the first
 * UNITS_BELOW_DAYS, the [targets] all. */
static const struct {
	const char *name;
	unsigned long long ms;
} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};

#define UNITS_BELOW_DAYS 4

/* The milliseconds in the unit written as the LEN bytes at P, looked for
 * among the first N units; 0 when it is none of them. */
static unsigned long long unit_ms(const char *p, size_t len, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(units[i].name) == len && strncmp(p, units[i].name, len) == 0)
			return units[i].ms;
	return 0;
}

/* Milliseconds in "90s", "5m", "1h", "500ms" or a bare number of seconds. */
static int parse_duration(const char *s, const char *end, unsigned *ms)
{
	unsigned long long n = 0;
	unsigned long long mult = 1000;
	const char *p = s;

	while (p < end && *p >= '0' && *p <= '9') {
		n = n * 10 + (unsigned long long)(*p - '0');
		if (n > 100000000ULL)
			return -EINVAL;
		p++;
	}
	if (p == s)
		return -EINVAL;
	if (p != end) {
		mult = unit_ms(p, (size_t)(end - p), UNITS_BELOW_DAYS);
		if (mult == 0)
			return -EINVAL;
	}
	if (n * mult == 0 || n * mult > 24ULL * 3600000)
		return -EINVAL;
	*ms = (unsigned)(n * mult);
	return 0;
}

/* Calls FN on each comma-separated item of V, trimmed. */
static int each_item(const char *v, int (*fn)(const char *s, const char *end, void *arg), void *arg)
{
	while (*v != '\0') {
		const char *end = strchr(v, ',');
		const char *e;
		int rc;

		if (end == NULL)
			end = v + strlen(v);
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		e = end;
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e == v)
			return -EINVAL;
		rc = fn(v, e, arg);
		if (rc < 0)
			return rc;
		v = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static int add_step(const char *s, const char *end, void *arg)
{
	struct config *cfg = arg;

	if (cfg->esc_nwaits == CONFIG_MAX_STEPS)
		return -EINVAL;
	return parse_duration(s, end, &cfg->esc_wait_ms[cfg->esc_nwaits++]);
}

static int parse_steps(const char *v, struct config *cfg)
{
	cfg->esc_nwaits = 0;
	if (each_item(v, add_step, cfg) < 0 || cfg->esc_nwaits == 0)
		return -EINVAL;
	return 0;
}

static int add_jid(const char *s, const char *end, void *arg)
{
	struct config *cfg = arg;
	size_t n = (size_t)(end - s);
	const char *at = memchr(s, '@', n);
	char *j;

	if (cfg->esc_ncoordinators == CONFIG_MAX_COORDINATORS || at == NULL || at == s ||
	    at == end - 1 || memchr(s, '/', n) != NULL || memchr(s, ' ', n) != NULL)
		return -EINVAL;
	j = strndup(s, n);
	if (j == NULL)
		return -ENOMEM;
	for (char *c = j; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	cfg->esc_coordinators[cfg->esc_ncoordinators++] = j;
	return 0;
}

static void free_jids(struct config *cfg)
{
	for (size_t i = 0; i < cfg->esc_ncoordinators; i++)
		free(cfg->esc_coordinators[i]);
	cfg->esc_ncoordinators = 0;
}

static int parse_jids(const char *v, struct config *cfg)
{
	free_jids(cfg);
	if (*v == '\0')
		return 0;
	return each_item(v, add_jid, cfg);
}

/* "192.0.2.7", "10.0.0.0/8", "::1" or "2001:db8::/32". */
/* Where a list of networks goes. */
struct net_list {
	struct config_net *v; /* CONFIG_MAX_EXEMPT entries */
	size_t *n;
};

static int add_net(const char *s, const char *end, void *arg)
{
	struct net_list *list = arg;
	struct config_net *net = &list->v[*list->n];
	char text[INET6_ADDRSTRLEN + 8];
	size_t n = (size_t)(end - s);
	char *slash;
	unsigned max;

	if (*list->n == CONFIG_MAX_EXEMPT || n >= sizeof text)
		return -EINVAL;
	memcpy(text, s, n);
	text[n] = '\0';
	slash = strchr(text, '/');
	if (slash != NULL)
		*slash = '\0';
	memset(net, 0, sizeof *net);
	if (inet_pton(AF_INET, text, net->addr) == 1) {
		net->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, text, net->addr) == 1) {
		net->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	net->prefix = (unsigned char)max;
	if (slash != NULL) {
		char *e;
		unsigned long bits;

		errno = 0;
		bits = strtoul(slash + 1, &e, 10);
		if (slash[1] < '0' || slash[1] > '9' || *e != '\0' || errno != 0 || bits > max)
			return -EINVAL;
		net->prefix = (unsigned char)bits;
	}
	(*list->n)++;
	return 0;
}

static int parse_nets(const char *v, struct config_net *nets, size_t *n)
{
	struct net_list list = {nets, n};

	*n = 0;
	if (*v == '\0')
		return 0;
	return each_item(v, add_net, &list);
}

bool config_net_match(const struct config_net *nets, size_t n, const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const unsigned char *a;
	int family;

	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		a = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)
		        ->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
		family = AF_INET6;
		if (memcmp(a, mapped, sizeof mapped) == 0) {
			family = AF_INET;
			a += 12;
		}
	} else {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned whole = nets[i].prefix / 8u, rest = nets[i].prefix % 8u;

		if (nets[i].family != family || memcmp(nets[i].addr, a, whole) != 0)
			continue;
		if (rest == 0 ||
		    ((nets[i].addr[whole] ^ a[whole]) & (0xffu << (8 - rest)) & 0xffu) == 0)
			return true;
	}
	return false;
}

/* A [targets] time: "off", or a whole number with ms, s, m, h or d, at most
 * 30 days. */
static int parse_target(const char *v, unsigned *ms)
{
	unsigned long long n = 0, mult;
	const char *p = v;

	if (strcmp(v, "off") == 0) {
		*ms = 0;
		return 0;
	}
	while (*p >= '0' && *p <= '9' && n <= 100000000ULL)
		n = n * 10 + (unsigned long long)(*p++ - '0');
	if (p == v)
		return -EINVAL;
	mult = unit_ms(p, strlen(p), sizeof units / sizeof units[0]);
	if (mult == 0)
		return -EINVAL;
	if (n == 0 || n * mult > 30ULL * 86400000)
		return -EINVAL;
	*ms = (unsigned)(n * mult);
	return 0;
}

/* What a value of type T looks like, for the message on one that is not:
 * static text, or TMP (size N) filled in. */
static const char *expected(enum config_type t, char *tmp, size_t n)
{
	switch (t) {
	case CONFIG_LOGLEVEL: return "debug, info, warn or error";
	case CONFIG_LISTEN: return "ADDRESS:PORT such as 127.0.0.1:8080 or [::1]:8080";
	case CONFIG_URL: return "a URL starting with http:// or https:// and a host";
	case CONFIG_URL_ANY: return "a URL such as smtp://127.0.0.1:25";
	case CONFIG_TLS: return "required, optional or disabled";
	case CONFIG_STEPS:
		snprintf(tmp, n, "waits such as \"5m, 5m, 10m\" (units ms, s, m, h; at most %d)",
		         CONFIG_MAX_STEPS);
		return tmp;
	case CONFIG_JIDS: return "bare JIDs such as coord@example.org separated by commas";
	case CONFIG_NETS:
		snprintf(tmp, n,
		         "addresses or networks such as 127.0.0.1, ::1, 10.0.0.0/8 separated by "
		         "commas (at most %d)",
		         CONFIG_MAX_EXEMPT);
		return tmp;
	case CONFIG_TARGET: return "a time such as 5s, 15m, 4h or 3d (at most 30d), or off";
	case CONFIG_STRING:
	case CONFIG_OPTIONAL:
	case CONFIG_UINT: break;
	}
	return "something else";
}

static const struct {
	const char *name;
	enum config_tls tls;
} tls_names[] = {
    {"required", CONFIG_TLS_REQUIRED},
    {"optional", CONFIG_TLS_OPTIONAL},
    {"disabled", CONFIG_TLS_DISABLED},
};

static int set_value(struct config_parse *p, const struct config_key *k, const char *v)
{
	char *base = (char *)p->cfg;
	char want[160];

	switch (k->type) {
	case CONFIG_UINT: {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(v, &end, 10);
		if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0 || n < k->min ||
		    n > k->max) {
			char range[64];

			snprintf(range, sizeof range, "%u and %u", k->min, k->max);
			problem(p, k->section, k->key, "expected a whole number between %s", range);
			return -EINVAL;
		}
		*(unsigned *)(void *)(base + k->offset) = (unsigned)n;
		return 0;
	}
	case CONFIG_LOGLEVEL:
		if (log_level_parse(v, (enum log_level *)(void *)(base + k->offset)) < 0)
			goto bad;
		return 0;
	case CONFIG_LISTEN:
		if (parse_listen(v, p->cfg) < 0)
			goto bad;
		break;
	case CONFIG_URL: {
		/* A host must follow the scheme: "https://" alone would hand
		 * reporters links to nowhere. */
		const char *host = strncmp(v, "https://", 8) == 0  ? v + 8
		                   : strncmp(v, "http://", 7) == 0 ? v + 7
		                                                   : NULL;

		if (*v != '\0' && (host == NULL || *host == '\0' || *host == '/'))
			goto bad;
		break;
	}
	case CONFIG_TLS:
		for (size_t i = 0; i < sizeof tls_names / sizeof tls_names[0]; i++) {
			if (strcmp(v, tls_names[i].name) == 0) {
				*(enum config_tls *)(void *)(base + k->offset) = tls_names[i].tls;
				return 0;
			}
		}
		goto bad;
	case CONFIG_STEPS:
		if (parse_steps(v, p->cfg) < 0)
			goto bad;
		break;
	case CONFIG_JIDS:
		if (parse_jids(v, p->cfg) < 0)
			goto bad;
		break;
	case CONFIG_NETS:
		if (k->offset == offsetof(struct config, metrics_allow_text)
		        ? parse_nets(v, p->cfg->metrics_allow, &p->cfg->metrics_nallow) < 0
		    : k->offset == offsetof(struct config, http_trusted_proxies_text)
		        ? parse_nets(v, p->cfg->http_proxies, &p->cfg->http_nproxies) < 0
		        : parse_nets(v, p->cfg->http_exempt, &p->cfg->http_nexempt) < 0)
			goto bad;
		break;
	case CONFIG_URL_ANY:
		if (*v != '\0' && strstr(v, "://") == NULL)
			goto bad;
		break;
	case CONFIG_TARGET:
		if (parse_target(v, (unsigned *)(void *)(base + k->offset)) < 0)
			goto bad;
		return 0;
	case CONFIG_OPTIONAL: break;
	case CONFIG_STRING:
		if (*v == '\0') {
			problem(p, k->section, k->key, "must not be empty%s", "");
			return -EINVAL;
		}
		break;
	}
	{
		char **slot = (char **)(void *)(base + k->offset);
		char *copy = strdup(v);

		if (copy == NULL)
			return -ENOMEM;
		free(*slot);
		*slot = copy;
	}
	return 0;
bad:
	problem(p, k->section, k->key, "expected %s, not \"%s\"",
	        expected(k->type, want, sizeof want), v);
	return -EINVAL;
}

static int on_ini_value(void *user, const char *section, const char *key, const char *value)
{
	struct config_parse *p = user;

	for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
		const struct config_key *k = &config_keys[i];

		if (strcmp(k->section, section) != 0 || strcmp(k->key, key) != 0)
			continue;
		if (p->seen[i]) {
			problem(p, section, key, "set twice%s", "");
			return 1;
		}
		p->seen[i] = 1;
		set_value(p, k, value);
		return 1;
	}
	problem(p, section, key, "unknown key%s", "");
	return 1;
}

static char *read_line(char *str, int num, void *stream)
{
	struct config_parse *p = stream;
	char *r = fgets(str, num, p->fp);

	if (r != NULL)
		p->line++;
	return r;
}

void config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	if (cfg->xmpp_password != NULL)
		explicit_bzero(cfg->xmpp_password, strlen(cfg->xmpp_password));
	if (cfg->smtp_password != NULL)
		explicit_bzero(cfg->smtp_password, strlen(cfg->smtp_password));
	if (cfg->webhook_secret != NULL)
		explicit_bzero(cfg->webhook_secret, strlen(cfg->webhook_secret));
	for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->type == CONFIG_STRING || k->type == CONFIG_OPTIONAL ||
		    k->type == CONFIG_URL_ANY || k->type == CONFIG_LISTEN ||
		    k->type == CONFIG_URL || k->type == CONFIG_STEPS || k->type == CONFIG_JIDS ||
		    k->type == CONFIG_NETS)
			free(*(char **)(void *)((char *)cfg + k->offset));
	}
	free_jids(cfg);
	free(cfg);
}

/* Derives the public URL from the listen address when none is configured. */
static int default_public_url(struct config *cfg)
{
	const char *scheme = cfg->http_tls_cert[0] != '\0' ? "https" : "http";
	char url[128];

	if (cfg->http_public_url != NULL && cfg->http_public_url[0] != '\0') {
		size_t n = strlen(cfg->http_public_url);

		while (n > 0 && cfg->http_public_url[n - 1] == '/')
			cfg->http_public_url[--n] = '\0';
		return 0;
	}
	if (strncmp(cfg->http_listen, "0.0.0.0:", 8) == 0)
		snprintf(url, sizeof url, "%s://127.0.0.1%s", scheme, cfg->http_listen + 7);
	else
		snprintf(url, sizeof url, "%s://%s", scheme, cfg->http_listen);
	free(cfg->http_public_url);
	cfg->http_public_url = strdup(url);
	return cfg->http_public_url != NULL ? 0 : -ENOMEM;
}

/* HTTPS needs both the certificate and its key. */
static int check_http(struct config_parse *p)
{
	const struct config *cfg = p->cfg;

	if ((cfg->http_tls_cert[0] == '\0') == (cfg->http_tls_key[0] == '\0'))
		return 0;
	problem(p, "http", cfg->http_tls_cert[0] == '\0' ? "tls_cert" : "tls_key", "%s",
	        "HTTPS needs both tls_cert and tls_key (PEM files), or neither");
	return -EINVAL;
}

/* A mail password never crosses the network in clear text. */
static int check_smtp(struct config_parse *p)
{
	const struct config *cfg = p->cfg;

	if ((cfg->smtp_username[0] == '\0' && cfg->smtp_password[0] == '\0') ||
	    cfg->smtp_tls == CONFIG_TLS_REQUIRED || strncmp(cfg->smtp_url, "smtps://", 8) == 0)
		return 0;
	problem(p, "smtp", "tls", "%s",
	        "username and password are sent only over TLS: set tls = required, or use an "
	        "smtps:// url");
	return -EINVAL;
}

/* Webhook posts are signed: without a secret, anyone could forge them. */
static int check_webhooks(struct config_parse *p)
{
	const struct config *cfg = p->cfg;

	if (cfg->webhook_urls[0] == '\0' || strlen(cfg->webhook_secret) >= 16)
		return 0;
	problem(p, "webhooks", "secret", "%s",
	        cfg->webhook_secret[0] == '\0'
	            ? "webhooks need a secret to sign their posts with (16 characters or more)"
	            : "the secret is too short: use 16 characters or more");
	return -EINVAL;
}

/* The [xmpp] keys that only make sense together; reads password_file. */
static int check_xmpp(struct config_parse *p)
{
	struct config *cfg = p->cfg;
	const char *at = strchr(cfg->xmpp_jid, '@');

	if (cfg->xmpp_jid[0] == '\0')
		return 0;
	if (at == NULL || at == cfg->xmpp_jid || at[1] == '\0' ||
	    strchr(cfg->xmpp_jid, ' ') != NULL) {
		problem(p, "xmpp", "jid",
		        "expected the bot's account such as bot@example.org, not \"%s\"",
		        cfg->xmpp_jid);
		return -EINVAL;
	}
	if (cfg->xmpp_password_file[0] != '\0') {
		FILE *fp = fopen(cfg->xmpp_password_file, "r");
		char line[512];

		if (fp == NULL || fgets(line, sizeof line, fp) == NULL) {
			problem(p, "xmpp", "password_file", "cannot read %s",
			        cfg->xmpp_password_file);
			if (fp != NULL)
				fclose(fp);
			return -EINVAL;
		}
		fclose(fp);
		line[strcspn(line, "\r\n")] = '\0';
		free(cfg->xmpp_password);
		cfg->xmpp_password = strdup(line);
		explicit_bzero(line, sizeof line);
		if (cfg->xmpp_password == NULL)
			return -ENOMEM;
	}
	if (cfg->xmpp_password[0] == '\0') {
		problem(p, "xmpp", "password", "%s", "the bot needs a password or a password_file");
		return -EINVAL;
	}
	return 0;
}

int config_load(const char *path, struct config **out, struct buf *errors)
{
	struct config_parse p = {0};
	int rc;

	p.cfg = calloc(1, sizeof *p.cfg);
	if (p.cfg == NULL)
		return -ENOMEM;
	p.errors = errors;
	for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
		rc = set_value(&p, &config_keys[i], config_keys[i].def);
		if (rc < 0)
			goto bad;
	}
	if (path != NULL) {
		p.file = path;
		p.fp = fopen(path, "r");
		if (p.fp == NULL) {
			rc = -errno;
			if (errors != NULL)
				buf_printf(errors, "%s: cannot open: %s\n", path, strerror(-rc));
			goto bad;
		}
		rc = ini_parse_stream(read_line, &p, on_ini_value, &p);
		fclose(p.fp);
		if (rc > 0 && p.nerrors == 0) {
			p.nerrors++;
			if (errors != NULL)
				buf_printf(errors,
				           "%s:%d: not a valid INI line (expected [section] or key "
				           "= value)\n",
				           path, rc);
		}
	}
	if (p.nerrors != 0) {
		rc = -EINVAL;
		goto bad;
	}
	rc = check_http(&p);
	if (rc == 0)
		rc = check_webhooks(&p);
	if (rc == 0)
		rc = check_smtp(&p);
	if (rc == 0)
		rc = check_xmpp(&p);
	if (rc < 0)
		goto bad;
	rc = default_public_url(p.cfg);
	if (rc < 0)
		goto bad;
	*out = p.cfg;
	return 0;
bad:
	config_free(p.cfg);
	return rc;
}
