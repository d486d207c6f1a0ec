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

#define CONFIG_MAX_STEPS        8
#define CONFIG_MAX_COORDINATORS 16

enum config_tls { CONFIG_TLS_REQUIRED, CONFIG_TLS_OPTIONAL, CONFIG_TLS_DISABLED };

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

	/* [xmpp]: the bot account; no jid means no XMPP. */
	char *xmpp_jid;
	char *xmpp_password; /* from password or password_file; never logged */
	char *xmpp_password_file;
	char *xmpp_host;    /* empty: from the JID's domain (DNS SRV) */
	unsigned xmpp_port; /* 0: default */
	enum config_tls xmpp_tls;
	char *xmpp_ca_file; /* trust this CA (a private one) */

	/* [escalation] */
	char *escalation_steps; /* as written: "5m, 5m, 10m" */
	unsigned esc_wait_ms[CONFIG_MAX_STEPS];
	size_t esc_nwaits;
	unsigned esc_repeat;           /* rounds before giving up to the coordinators */
	char *escalation_coordinators; /* as written */
	char *esc_coordinators[CONFIG_MAX_COORDINATORS]; /* bare JIDs, lower case */
	size_t esc_ncoordinators;
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
