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

enum config_type { CONFIG_STRING, CONFIG_UINT, CONFIG_LOGLEVEL, CONFIG_LISTEN, CONFIG_URL };

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
    {"http", "max_connections", CONFIG_UINT, F(http_max_connections), "1024", 1, 60000},
    {"http", "timeout", CONFIG_UINT, F(http_timeout_s), "30", 1, 3600},
    {"store", "path", CONFIG_STRING, F(store_path), "var/kakekomi.db", 0, 0},
    {"store", "token_days", CONFIG_UINT, F(token_days), "180", 1, 3650},
    {"playbooks", "dir", CONFIG_STRING, F(playbooks_dir), "playbooks", 0, 0},
    {"log", "level", CONFIG_LOGLEVEL, F(log_level), "info", 0, 0},
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

static int set_value(struct config_parse *p, const struct config_key *k, const char *v)
{
	char *base = (char *)p->cfg;

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
		if (log_level_parse(v, (enum log_level *)(void *)(base + k->offset)) < 0) {
			problem(p, k->section, k->key,
			        "expected debug, info, warn or error, not \"%s\"", v);
			return -EINVAL;
		}
		return 0;
	case CONFIG_LISTEN:
		if (parse_listen(v, p->cfg) < 0) {
			problem(p, k->section, k->key,
			        "expected ADDRESS:PORT such as 127.0.0.1:8080 or [::1]:8080, not "
			        "\"%s\"",
			        v);
			return -EINVAL;
		}
		break;
	case CONFIG_URL:
		if (*v != '\0' && strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
			problem(p, k->section, k->key,
			        "expected a URL starting with http:// or https://, not \"%s\"", v);
			return -EINVAL;
		}
		break;
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
	for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->type == CONFIG_STRING || k->type == CONFIG_LISTEN || k->type == CONFIG_URL)
			free(*(char **)(void *)((char *)cfg + k->offset));
	}
	free(cfg);
}

/* Derives the public URL from the listen address when none is configured. */
static int default_public_url(struct config *cfg)
{
	char url[128];

	if (cfg->http_public_url != NULL && cfg->http_public_url[0] != '\0') {
		size_t n = strlen(cfg->http_public_url);

		while (n > 0 && cfg->http_public_url[n - 1] == '/')
			cfg->http_public_url[--n] = '\0';
		return 0;
	}
	if (strncmp(cfg->http_listen, "0.0.0.0:", 8) == 0)
		snprintf(url, sizeof url, "http://127.0.0.1%s", cfg->http_listen + 7);
	else
		snprintf(url, sizeof url, "http://%s", cfg->http_listen);
	free(cfg->http_public_url);
	cfg->http_public_url = strdup(url);
	return cfg->http_public_url != NULL ? 0 : -ENOMEM;
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
	rc = default_public_url(p.cfg);
	if (rc < 0)
		goto bad;
	*out = p.cfg;
	return 0;
bad:
	config_free(p.cfg);
	return rc;
}
