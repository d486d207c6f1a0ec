/* SPDX-License-Identifier: ISC */
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

#include <stdbool.h>
#include <sys/socket.h>

#include "buf.h"
#include "log.h"

#define CONFIG_MAX_STEPS        8
#define CONFIG_MAX_COORDINATORS 16
#define CONFIG_MAX_EXEMPT       16

enum config_tls { CONFIG_TLS_REQUIRED, CONFIG_TLS_OPTIONAL, CONFIG_TLS_DISABLED };

/* An address or a network ("192.0.2.7", "10.0.0.0/8", "2001:db8::/32"). */
struct config_net {
	unsigned char addr[16]; /* network byte order; IPv4 in the first 4 bytes */
	unsigned char family;   /* AF_INET or AF_INET6 */
	unsigned char prefix;   /* leading bits that must match */
};

struct config {
	char *http_listen;                 /* "127.0.0.1:8080" as written */
	struct sockaddr_storage http_addr; /* parsed http_listen */
	socklen_t http_addrlen;
	char *http_public_url; /* base of links handed to reporters, no trailing '/' */
	char *web_dir;         /* static files (style sheet) */
	unsigned http_max_connections;
	unsigned http_max_per_address; /* connections at once from one address */
	unsigned http_timeout_s;       /* idle connection timeout */
	/* Intake (POST /report, POST /api/v1/cases) per client address. */
	unsigned http_rate_per_minute; /* reports a minute; 0: no limit */
	unsigned http_rate_burst;      /* reports at once before the rate applies */
	char *http_rate_exempt;        /* as written */
	struct config_net http_exempt[CONFIG_MAX_EXEMPT]; /* never limited */
	size_t http_nexempt;
	char *http_trusted_proxies_text; /* as written */
	/* Reverse proxies whose X-Forwarded-For or Forwarded names the client. */
	struct config_net http_proxies[CONFIG_MAX_EXEMPT];
	size_t http_nproxies;
	char *metrics_allow_text;                           /* as written */
	struct config_net metrics_allow[CONFIG_MAX_EXEMPT]; /* who may read /metrics */
	size_t metrics_nallow;
	/* HTTPS when both are set: PEM files read when the server starts. */
	char *http_tls_cert;
	char *http_tls_key;
	char *store_path;     /* SQLite database file */
	char *store_key_file; /* the keys sealing reporters' details; "": store_path.key */
	unsigned token_days;  /* how long a reporter's status link works */
	unsigned stop_wait_s; /* how long SIGTERM waits for answers still being written */
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

	/* [smtp]: e-mail alerts (fallback when XMPP cannot reach) and receipts. */
	char *smtp_url; /* smtp://host:port or smtps://...; empty: no e-mail */
	char *smtp_from;
	char *smtp_username;
	char *smtp_password;      /* never logged */
	enum config_tls smtp_tls; /* required: STARTTLS or fail; optional: when offered */
	char *smtp_ca_file;

	/* [webhooks]: a signed JSON POST per case event to each URL. */
	char *webhook_urls;    /* comma-separated */
	char *webhook_secret;  /* HMAC-SHA256 key; never logged */
	unsigned webhook_rate; /* requests per second per target */

	/* [escalation] */
	char *escalation_steps; /* as written: "5m, 5m, 10m" */
	unsigned esc_wait_ms[CONFIG_MAX_STEPS];
	size_t esc_nwaits;
	unsigned esc_repeat;           /* rounds before giving up to the coordinators */
	char *escalation_coordinators; /* as written */
	char *esc_coordinators[CONFIG_MAX_COORDINATORS]; /* bare JIDs, lower case */
	size_t esc_ncoordinators;

	/* [targets]: how soon each clock should stop, for the dashboard's late
	 * marks and the figures' breaches; 0 means no target. */
	unsigned target_guidance_ms, target_ack_ms, target_contact_ms, target_onsite_ms,
	    target_resolve_ms;
};

/*
 * Reads PATH (NULL: embedded defaults only) into a new config. On problems,
 * appends one line per problem to ERRORS ("FILE:LINE: [section] key: what")
 * and returns -EINVAL; on success returns 0 and *OUT owns the config.
 */
int config_load(const char *path, struct config **out, struct buf *errors);

/* Frees a config from config_load; NULL is allowed. */
void config_free(struct config *cfg);

/* Whether SA (IPv4, IPv6 or IPv4-mapped IPv6) is in one of the N networks. */
bool config_net_match(const struct config_net *nets, size_t n, const struct sockaddr *sa);

#endif
