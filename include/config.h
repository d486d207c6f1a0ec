/*
 * config — the INI file read by kakekomid and kakekomictl (-c FILE).
 *
 * Every key is described once in a table (section, key, type, bounds,
 * default); config_load fills a fresh struct from the defaults and the file,
 * checks every value, and hands the struct over only when all is well, so a
 * reload never leaves a half-applied configuration behind.
 */
#ifndef KK_CONFIG_H
#define KK_CONFIG_H

#include <sys/socket.h>

#include "buf.h"
#include "log.h"

struct config {
	char *http_listen;                 /* "127.0.0.1:8080" as written */
	struct sockaddr_storage http_addr; /* parsed http_listen */
	socklen_t http_addrlen;
	char *http_public_url; /* base of links handed to reporters, no trailing '/' */
	char *web_dir;         /* static files (style sheet) */
	unsigned http_max_connections;
	unsigned http_timeout_s; /* idle connection timeout */
	char *store_path;        /* SQLite database file */
	unsigned token_days;     /* how long a reporter's status link works */
	char *playbooks_dir;
	enum log_level log_level;
};

/*
 * Reads PATH (NULL: embedded defaults only) into a new config. On problems,
 * appends one line per problem to ERRORS ("FILE:LINE: [section] key: what")
 * and returns -EINVAL; on success returns 0 and *OUT owns the config.
 */
int config_load(const char *path, struct config **out, struct buf *errors);

/* Frees a config from config_load; NULL is allowed. */
void config_free(struct config *cfg);

#endif
