/* SPDX-License-Identifier: ISC */
/*
 * prosody.c — one private Prosody per test: folder, certificate, config,
 * accounts, process and log.
 *
 * The port is picked by binding a socket to 127.0.0.1:0 with SO_REUSEADDR
 * and keeping that socket bound (never listening) for the life of the
 * record. Prosody binds the same port with SO_REUSEADDR as well, which
 * Linux allows next to a socket that does not listen, while the kernel's
 * own port picker and other tests' port pickers stay away from it; so the
 * port survives a stop and restart. Readiness is read from Prosody's log
 * ("Activated service 'c2s' on [127.0.0.1]:PORT", or "Failed to open server
 * port") and its pid file, and confirmed with a TCP connect; every wait
 * polls with a deadline.
 */
#include "prosody.h"

#include "proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROSODY_SERVERS_MAX 8
#define PROSODY_DOMAIN_MAX  253
#define PROSODY_ARG_MAX     256        /* user name or password on prosodyctl's command line */
#define PROSODY_LOG_SCAN    (1u << 20) /* bytes of new log read while waiting */
#define PROSODY_TOOL_OUTPUT 16384u     /* bytes of openssl/prosodyctl output kept */
#define PROSODY_LOG_TAIL    6000u
#define PROSODY_POLL_MS     10
#define PROSODY_HOST        "127.0.0.1"

struct prosody {
	char dir[PATH_MAX];         /* private folder; removed by prosody_free on success */
	char config_path[PATH_MAX]; /* DIR/prosody.cfg.lua */
	char log_path[PATH_MAX];    /* DIR/prosody.log: Prosody's own log */
	char out_path[PATH_MAX];    /* DIR/prosody.out: its stdout and stderr */
	char pid_path[PATH_MAX];    /* DIR/prosody.pid, written by mod_posix */
	char data_dir[PATH_MAX];    /* DIR/data: accounts, rosters, offline messages */
	char cert_dir[PATH_MAX];    /* DIR/certs */
	char cert_path[PATH_MAX];   /* DIR/certs/DOMAIN.crt, also the clients' CA file */
	char key_path[PATH_MAX];    /* DIR/certs/DOMAIN.key */
	char prosody_bin[PATH_MAX]; /* absolute path of prosody */
	char ctl_bin[PATH_MAX];     /* absolute path of prosodyctl */
	char domain[PROSODY_DOMAIN_MAX + 1];
	unsigned short port; /* c2s port on 127.0.0.1, kept across restarts */
	int hold_fd;         /* bound, non-listening socket that holds the port */
	pid_t pid;           /* running server, or 0 */
	int starts;          /* how many times it was started */
	int failed;          /* a step failed: keep the folder */
	int drop;            /* run children as the prosody user */
	uid_t uid;           /* that user... */
	gid_t gid;           /* ...and group */
};

/* Servers of this process not yet freed; see prosody_cleanup. */
static struct prosody *registry[PROSODY_SERVERS_MAX];

static void say(const struct prosody *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line on stderr: "prosody DOMAIN:PORT: what: why". */
static void say(const struct prosody *p, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (p != NULL)
		fprintf(stderr, "prosody %s:%u: %s\n", p->domain, (unsigned)p->port, line);
	else
		fprintf(stderr, "prosody: %s\n", line);
}

static int path_join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	return n > 0 && (size_t)n < cap ? 0 : -ENAMETOOLONG;
}

/* Find name on $PATH (or the usual system folders) as an absolute path. */
static int find_program(const char *name, char *out, size_t cap)
{
	const char *path = getenv("PATH");
	char dirs[4096];
	char *save = NULL;

	if (path == NULL || path[0] == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	if (strlen(path) >= sizeof dirs)
		return -ENAMETOOLONG;
	memcpy(dirs, path, strlen(path) + 1);
	for (char *d = strtok_r(dirs, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
		if (d[0] != '/')
			continue;
		if (path_join(out, cap, d, name) == 0 && access(out, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* Letters, digits, '.' and '-', as a DNS name must be; it goes into Lua and argv. */
static int domain_ok(const char *domain)
{
	size_t len = domain != NULL ? strlen(domain) : 0;

	if (len == 0 || len > PROSODY_DOMAIN_MAX || domain[0] == '.' || domain[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = domain[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '.' || c == '-';

		if (!ok)
			return 0;
	}
	return 1;
}

/* A command-line word without spaces, quotes or control characters. */
static int word_ok(const char *s)
{
	size_t len = s != NULL ? strlen(s) : 0;

	if (len == 0 || len > PROSODY_ARG_MAX || s[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '\\')
			return 0;
	}
	return 1;
}

/*
 * Hold a loopback port: bind 127.0.0.1:port (0 picks one) with
 * SO_REUSEADDR and never listen. Returns the fd, or a negative errno.
 */
static int port_hold(unsigned short *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int one = 1;
	int fd, e;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(*port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		e = errno;
		close(fd);
		return -e;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static int file_write(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text), done = 0;
	int e = 0;

	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	if (close(fd) != 0 && e == 0)
		e = -errno;
	return e;
}

static int file_append(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -errno : 0;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/*
 * Read at most cap - 1 bytes of path from offset into out (NUL-terminated;
 * a negative offset counts from the end). Returns the bytes read.
 */
static size_t file_read_from(const char *path, long long offset, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	out[0] = '\0';
	if (fd < 0)
		return 0;
	if (offset < 0) {
		long long size = file_size(path);

		offset = size + offset > 0 ? size + offset : 0;
	}
	if (lseek(fd, (off_t)offset, SEEK_SET) >= 0) {
		while (got + 1 < cap) {
			ssize_t n = read(fd, out + got, cap - 1 - got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	close(fd);
	out[got] = '\0';
	return got;
}

static void print_tail(const char *title, const char *path, unsigned max_bytes)
{
	char *buf = malloc((size_t)max_bytes + 1);

	if (buf == NULL)
		return;
	file_read_from(path, -(long long)max_bytes, buf, (size_t)max_bytes + 1);
	fprintf(stderr, "---- %s (%s, last %u bytes) ----\n%s%s---- end ----\n", title, path,
	        max_bytes, buf, buf[0] != '\0' && buf[strlen(buf) - 1] != '\n' ? "\n" : "");
	free(buf);
}

void prosody_print_log(const struct prosody *p, unsigned max_bytes)
{
	if (p == NULL)
		return;
	print_tail("prosody console", p->out_path, 2000u < max_bytes ? 2000u : max_bytes);
	print_tail("prosody log", p->log_path, max_bytes);
}

/*
 * Fork and exec argv[0] (an absolute path) with stdin from /dev/null and
 * stdout and stderr on out_fd, as the prosody user when drop. The child
 * dies with the calling thread (PR_SET_PDEATHSIG). Between fork and exec
 * only async-signal-safe calls are made, since other threads may hold
 * locks. Returns the pid or a negative errno.
 */
static pid_t spawn(const struct prosody *p, int drop, char *const argv[], int out_fd)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid > 0)
		return pid;

	int null_fd = open("/dev/null", O_RDONLY);
	static const char why_exec[] = "prosody harness: exec failed\n";
	static const char why_user[] = "prosody harness: cannot switch to the prosody user\n";

	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(126);
	if (drop && (setgroups(1, &p->gid) != 0 || setgid(p->gid) != 0 || setuid(p->uid) != 0)) {
		(void)!write(2, why_user, sizeof why_user - 1);
		_exit(126);
	}
	/* After the switch of user, which would clear it. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
		_exit(126);
	if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
		for (int fd = 3; fd < 4096; fd++)
			close(fd);
	}
	execv(argv[0], argv);
	(void)!write(2, why_exec, sizeof why_exec - 1);
	_exit(127);
}


static void describe_status(int status, char *out, size_t cap)
{
	if (WIFEXITED(status))
		snprintf(out, cap, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, cap, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(out, cap, "wait status %d", status);
}

/*
 * Run a tool (openssl, prosodyctl) to completion within timeout_ms,
 * keeping its output (stdout and stderr together, capped) in out. Returns
 * its exit status (-1 when killed by a signal) or a negative errno below
 * -1 for failures to run it at all.
 */
static int run_tool(const struct prosody *p, int drop, char *const argv[], char *out, size_t cap,
                    int timeout_ms)
{
	long long deadline = proc_now_ms() + timeout_ms;
	size_t got = 0;
	int fds[2], status = 0, e;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	pid = spawn(p, drop, argv, fds[1]);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return pid;
	}
	for (;;) {
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		long long left = deadline - proc_now_ms();
		char chunk[1024];
		ssize_t n;

		if (left <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(fds[0]);
			return -ETIMEDOUT;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(fds[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got + 1 < cap) {
			size_t keep = (size_t)n < cap - 1 - got ? (size_t)n : cap - 1 - got;

			memcpy(out + got, chunk, keep);
			got += keep;
			out[got] = '\0';
		}
	}
	close(fds[0]);
	e = proc_wait_exit(pid, (int)(deadline > proc_now_ms() ? deadline - proc_now_ms() : 0),
	                   &status);
	if (e != 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -ETIMEDOUT;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void registry_add(struct prosody *p)
{
	for (int i = 0; i < PROSODY_SERVERS_MAX; i++) {
		if (registry[i] == NULL) {
			registry[i] = p;
			return;
		}
	}
}

static void registry_remove(const struct prosody *p)
{
	for (int i = 0; i < PROSODY_SERVERS_MAX; i++) {
		if (registry[i] == p)
			registry[i] = NULL;
	}
}

int prosody_self_signed(const char *cn, const char *san, const char *days, const char *key_path,
                        const char *cert_path)
{
	char openssl[PATH_MAX], subj[PROSODY_DOMAIN_MAX + 8], ext[PROSODY_DOMAIN_MAX + 32];
	char out[PROSODY_TOOL_OUTPUT];
	int rc;

	if (find_program("openssl", openssl, sizeof openssl) != 0) {
		say(NULL, "openssl not found on PATH");
		return -ENOENT;
	}
	snprintf(subj, sizeof subj, "/CN=%s", cn);
	snprintf(ext, sizeof ext, "subjectAltName=%s", san);
	{
		char *const argv[] = {openssl,
		                      "req",
		                      "-x509",
		                      "-newkey",
		                      "ec",
		                      "-pkeyopt",
		                      "ec_paramgen_curve:prime256v1",
		                      "-nodes",
		                      "-days",
		                      (char *)days,
		                      "-subj",
		                      subj,
		                      "-addext",
		                      ext,
		                      "-keyout",
		                      (char *)key_path,
		                      "-out",
		                      (char *)cert_path,
		                      NULL};
		/* openssl runs as the caller: the files are handed over afterwards. */
		rc = run_tool(NULL, 0, argv, out, sizeof out, PROSODY_TOOL_TIMEOUT_MS);
	}
	if (rc != 0) {
		say(NULL, "openssl req for %s: %s%s", cn,
		    rc == -ETIMEDOUT ? "timed out" : "failed:\n", out);
		return rc == -ETIMEDOUT ? rc : -EIO;
	}
	return 0;
}

/* A self-signed certificate for the domain, valid for 30 days. */
static int make_cert(struct prosody *p)
{
	char san[PROSODY_DOMAIN_MAX + 8];

	snprintf(san, sizeof san, "DNS:%s", p->domain);
	return prosody_self_signed(p->domain, san, "30", p->key_path, p->cert_path);
}

static int write_config(struct prosody *p)
{
	const char *level = getenv("KK_PROSODY_DEBUG") != NULL ? "debug" : "info";
	char text[8 * PATH_MAX];
	int n;

	/*
	 * Only what the tests need: client connections with STARTTLS required,
	 * hashed passwords, rosters and offline storage. s2s and HTTP listen
	 * nowhere. Foreground mode comes from -F on the command line. Connections
	 * a client has not finished closing would hold a stop for a second or
	 * more; everything is stored by then, so they are dropped sooner.
	 */
	n = snprintf(text, sizeof text,
	             "-- Private Prosody for one kakekomi test; removed with its folder.\n"
	             "pidfile = \"%s\"\n"
	             "data_path = \"%s\"\n"
	             "certificates = \"%s\"\n"
	             "log = { { levels = { min = \"%s\" }, to = \"file\", filename = \"%s\" } }\n"
	             "admins = {}\n"
	             "authentication = \"internal_hashed\"\n"
	             "storage = \"internal\"\n"
	             "c2s_require_encryption = true\n"
	             "allow_registration = false\n"
	             "c2s_ports = { %u }\n"
	             "c2s_interfaces = { \"%s\" }\n"
	             "c2s_direct_tls_ports = {}\n"
	             "legacy_ssl_ports = {}\n"
	             "s2s_ports = {}\n"
	             "http_ports = {}\n"
	             "https_ports = {}\n"
	             "modules_enabled = { \"roster\", \"saslauth\", \"tls\", \"disco\", \"ping\",\n"
	             "\t\"offline\" }\n"
	             "modules_disabled = { \"s2s\" }\n"
	             "-- Drop what is left 0.2 s into a shutdown instead of the default 5 s.\n"
	             "network_settings = { shutdown_deadline = 0.2 }\n"
	             "\n"
	             "VirtualHost \"%s\"\n"
	             "\tssl = { key = \"%s\", certificate = \"%s\" }\n",
	             p->pid_path, p->data_dir, p->cert_dir, level, p->log_path, (unsigned)p->port,
	             PROSODY_HOST, p->domain, p->key_path, p->cert_path);
	if (n < 0 || (size_t)n >= sizeof text)
		return -ENAMETOOLONG;
	return file_write(p->config_path, text, 0640);
}

/* Hand the folder and everything made so far to the prosody user. */
static int hand_over(struct prosody *p)
{
	const char *paths[] = {p->dir,      p->data_dir,    p->cert_dir, p->cert_path,
	                       p->key_path, p->config_path, p->log_path, p->out_path};

	if (!p->drop)
		return 0;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		if (lchown(paths[i], p->uid, p->gid) != 0) {
			int e = errno;

			say(p, "chown %s to prosody: %s", paths[i], strerror(e));
			return -e;
		}
	}
	return 0;
}

static int make_folder(struct prosody *p)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	int n, e = 0;

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	n = snprintf(tmpl, sizeof tmpl, "%s/kakekomi-prosody-XXXXXX", tmp);
	if (n < 0 || (size_t)n >= sizeof tmpl - 64)
		return -ENAMETOOLONG;
	if (mkdtemp(tmpl) == NULL) {
		e = errno;
		say(p, "mkdtemp %s: %s", tmpl, strerror(e));
		return -e;
	}
	memcpy(p->dir, tmpl, strlen(tmpl) + 1);
	e = path_join(p->config_path, sizeof p->config_path, p->dir, "prosody.cfg.lua");
	e = e ? e : path_join(p->log_path, sizeof p->log_path, p->dir, "prosody.log");
	e = e ? e : path_join(p->out_path, sizeof p->out_path, p->dir, "prosody.out");
	e = e ? e : path_join(p->pid_path, sizeof p->pid_path, p->dir, "prosody.pid");
	e = e ? e : path_join(p->data_dir, sizeof p->data_dir, p->dir, "data");
	e = e ? e : path_join(p->cert_dir, sizeof p->cert_dir, p->dir, "certs");
	if (e != 0)
		return e;
	n = snprintf(p->cert_path, sizeof p->cert_path, "%s/%s.crt", p->cert_dir, p->domain);
	if (n < 0 || (size_t)n >= sizeof p->cert_path)
		return -ENAMETOOLONG;
	n = snprintf(p->key_path, sizeof p->key_path, "%s/%s.key", p->cert_dir, p->domain);
	if (n < 0 || (size_t)n >= sizeof p->key_path)
		return -ENAMETOOLONG;
	if (chmod(p->dir, 0750) != 0 || mkdir(p->data_dir, 0750) != 0 ||
	    mkdir(p->cert_dir, 0750) != 0) {
		e = errno;
		say(p, "cannot prepare %s: %s", p->dir, strerror(e));
		return -e;
	}
	/* Prosody only appends to its log: it must exist and be the prosody user's. */
	e = file_write(p->log_path, "", 0640);
	e = e ? e : file_write(p->out_path, "", 0640);
	return e;
}

/* 1 when the pid file names our child: mod_posix has loaded. */
static int pidfile_is(const struct prosody *p)
{
	char text[32];

	file_read_from(p->pid_path, 0, text, sizeof text);
	return text[0] != '\0' && strtol(text, NULL, 10) == (long)p->pid;
}

/* Wait until the server just started accepts clients; see the file comment. */
static int wait_ready(struct prosody *p, long long log_offset)
{
	long long deadline = proc_now_ms() + PROSODY_READY_TIMEOUT_MS;
	char ready[128], *log = malloc(PROSODY_LOG_SCAN + 1);
	int status, rc = -ETIMEDOUT;

	if (log == NULL)
		return -ENOMEM;
	snprintf(ready, sizeof ready, "Activated service 'c2s' on [%s]:%u", PROSODY_HOST,
	         (unsigned)p->port);
	for (;;) {
		pid_t r = waitpid(p->pid, &status, WNOHANG);

		if (r == p->pid) {
			char how[64];

			describe_status(status, how, sizeof how);
			say(p, "prosody ended during start-up (%s)", how);
			p->pid = 0;
			rc = -EIO;
			break;
		}
		file_read_from(p->log_path, log_offset, log, PROSODY_LOG_SCAN + 1);
		if (strstr(log, "Failed to open server port") != NULL) {
			say(p, "prosody could not listen on port %u", (unsigned)p->port);
			rc = -EADDRINUSE;
			break;
		}
		if (strstr(log, ready) != NULL && pidfile_is(p) && proc_port_accepts(p->port)) {
			rc = 0;
			break;
		}
		if (proc_now_ms() >= deadline) {
			say(p, "prosody not ready after %d ms", PROSODY_READY_TIMEOUT_MS);
			break;
		}
		proc_sleep_ms(PROSODY_POLL_MS);
	}
	free(log);
	return rc;
}

/* Start the server on the record's folder and port, and wait until it is ready. */
static int launch(struct prosody *p)
{
	char marker[128];
	long long offset;
	int out_fd, rc;
	char *const argv[] = {p->prosody_bin, "-F", "--config", p->config_path, NULL};

	snprintf(marker, sizeof marker, "==== prosody harness: start %d on port %u ====\n",
	         p->starts + 1, (unsigned)p->port);
	file_append(p->log_path, marker);
	file_append(p->out_path, marker);
	offset = file_size(p->log_path);
	out_fd = open(p->out_path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (out_fd < 0) {
		rc = -errno;
		say(p, "open %s: %s", p->out_path, strerror(-rc));
		return rc;
	}
	p->pid = spawn(p, p->drop, argv, out_fd);
	close(out_fd);
	if (p->pid < 0) {
		rc = p->pid;
		p->pid = 0;
		say(p, "cannot start %s: %s", p->prosody_bin, strerror(-rc));
		return rc;
	}
	p->starts++;
	rc = wait_ready(p, offset);
	if (rc != 0) {
		prosody_print_log(p, PROSODY_LOG_TAIL);
		prosody_kill(p);
		p->failed = 1;
	}
	return rc;
}

struct prosody *prosody_start(const char *domain)
{
	struct prosody *p;
	struct passwd *pw;
	int rc;

	if (!domain_ok(domain)) {
		say(NULL, "not a usable test domain: \"%s\"", domain != NULL ? domain : "(null)");
		return NULL;
	}
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->hold_fd = -1;
	memcpy(p->domain, domain, strlen(domain) + 1);
	if (find_program("prosody", p->prosody_bin, sizeof p->prosody_bin) != 0 ||
	    find_program("prosodyctl", p->ctl_bin, sizeof p->ctl_bin) != 0) {
		say(p, "prosody and prosodyctl must be on PATH (Debian package prosody)");
		free(p);
		return NULL;
	}
	if (geteuid() == 0) {
		pw = getpwnam("prosody");
		if (pw == NULL) {
			say(p, "running as root but there is no prosody user to run Prosody as");
			free(p);
			return NULL;
		}
		p->drop = 1;
		p->uid = pw->pw_uid;
		p->gid = pw->pw_gid;
	}
	p->hold_fd = port_hold(&p->port);
	if (p->hold_fd < 0) {
		say(p, "cannot pick a loopback port: %s", strerror(-p->hold_fd));
		free(p);
		return NULL;
	}
	registry_add(p);
	rc = make_folder(p);
	rc = rc ? rc : make_cert(p);
	rc = rc ? rc : write_config(p);
	rc = rc ? rc : hand_over(p);
	rc = rc ? rc : launch(p);
	if (rc != 0) {
		p->failed = 1;
		say(p, "start failed (%s); kept %s", strerror(-rc), p->dir[0] ? p->dir : "nothing");
		registry_remove(p);
		if (p->hold_fd >= 0)
			close(p->hold_fd);
		free(p);
		return NULL;
	}
	return p;
}

int prosody_register(struct prosody *p, const char *user, const char *password)
{
	char out[PROSODY_TOOL_OUTPUT];
	int rc;

	if (p == NULL || !word_ok(user) || !word_ok(password))
		return -EINVAL;
	{
		char *const argv[] = {p->ctl_bin,   "--config", p->config_path,   "register",
		                      (char *)user, p->domain,  (char *)password, NULL};

		rc = run_tool(p, p->drop, argv, out, sizeof out, PROSODY_TOOL_TIMEOUT_MS);
	}
	if (rc == 0)
		return 0;
	p->failed = 1;
	if (rc == -ETIMEDOUT) {
		say(p, "prosodyctl register %s: timed out", user);
		return rc;
	}
	say(p, "prosodyctl register %s: status %d:\n%s", user, rc, out);
	return -EIO;
}

int prosody_stop(struct prosody *p)
{
	char how[64];
	int status, rc;

	if (p == NULL || p->pid <= 0)
		return 0;
	kill(p->pid, SIGTERM);
	rc = proc_wait_exit(p->pid, PROSODY_STOP_TIMEOUT_MS, &status);
	if (rc != 0) {
		say(p, "prosody did not stop within %d ms; killing it", PROSODY_STOP_TIMEOUT_MS);
		prosody_print_log(p, PROSODY_LOG_TAIL);
		prosody_kill(p);
		p->failed = 1;
		return -ETIMEDOUT;
	}
	p->pid = 0;
	/*
	 * Prosody installs its SIGTERM handler just after start-up; a stop that
	 * comes sooner ends it by the signal itself, which is still a stop.
	 */
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
		return 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		describe_status(status, how, sizeof how);
		say(p, "prosody stopped with %s", how);
		prosody_print_log(p, PROSODY_LOG_TAIL);
		p->failed = 1;
		return -EIO;
	}
	return 0;
}

int prosody_kill(struct prosody *p)
{
	int status;

	if (p == NULL || p->pid <= 0)
		return 0;
	kill(p->pid, SIGKILL);
	if (proc_wait_exit(p->pid, PROSODY_STOP_TIMEOUT_MS, &status) != 0)
		say(p, "prosody pid %ld did not die after SIGKILL", (long)p->pid);
	p->pid = 0;
	return 0;
}

int prosody_restart(struct prosody *p)
{
	int rc;

	if (p == NULL)
		return -EINVAL;
	rc = prosody_stop(p);
	if (rc != 0)
		return rc;
	return launch(p);
}

void prosody_free(struct prosody *p)
{
	if (p == NULL)
		return;
	if (p->pid > 0 && prosody_stop(p) != 0)
		p->failed = 1;
	if (!p->failed && p->dir[0] != '\0' && proc_remove_tree(p->dir) != 0) {
		say(p, "cannot remove %s: %s", p->dir, strerror(errno));
		p->failed = 1;
	}
	if (p->failed)
		say(p, "kept %s", p->dir);
	if (p->hold_fd >= 0)
		close(p->hold_fd);
	registry_remove(p);
	free(p);
}

void prosody_cleanup(void)
{
	for (int i = 0; i < PROSODY_SERVERS_MAX; i++) {
		struct prosody *p = registry[i];

		if (p == NULL)
			continue;
		if (p->pid > 0)
			prosody_kill(p);
		if (p->starts > 0)
			prosody_print_log(p, PROSODY_LOG_TAIL);
		say(p, "test did not finish; kept %s", p->dir);
		if (p->hold_fd >= 0)
			close(p->hold_fd);
		registry[i] = NULL;
		free(p);
	}
}

unsigned prosody_port(const struct prosody *p)
{
	return p->port;
}

const char *prosody_host(const struct prosody *p)
{
	(void)p;
	return PROSODY_HOST;
}

const char *prosody_domain(const struct prosody *p)
{
	return p->domain;
}

const char *prosody_ca_file(const struct prosody *p)
{
	return p->cert_path;
}

const char *prosody_folder(const struct prosody *p)
{
	return p->dir;
}

const char *prosody_log_path(const struct prosody *p)
{
	return p->log_path;
}

int prosody_running(const struct prosody *p)
{
	return p != NULL && p->pid > 0;
}
