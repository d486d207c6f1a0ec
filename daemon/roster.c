/* SPDX-License-Identifier: ISC */
/*
 * roster — the specialists' list and the on-call schedules; see roster.h.
 *
 * Both file formats turn each row into the same table of column values, and
 * one function checks that table, so a CSV row and a JSON object obey the
 * same rules and get the same messages. Every problem of a file is
 * reported, and the parsed roster is handed over only when there is none.
 * CSV goes through libcsv one byte at a time so that each row's physical
 * line is known however many quoted line breaks came before it.
 *
 * The store part reads the three tables into a fresh struct on the loop and
 * writes through the writer's transactions; every write that changes the
 * roster or a schedule bumps meta.roster_version in the same transaction.
 * Who is on call when is left to oncall.c.
 */
#include "roster.h"

#include <csv.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvout.h"
#include "log.h"
#include "store_roster.h"
#include "oncall.h"
#include "text.h"

#define ROSTER_FILE_MAX    (16u * 1024 * 1024) /* bytes of one roster file */
#define ROSTER_FIELD_MAX   1024                /* bytes of one value */
#define ROSTER_ID_MAX      63
#define ROSTER_JID_MAX     255
#define ROSTER_EMAIL_MAX   254
#define ROSTER_TOKEN_MAX   32    /* bytes of one list item named in a message */
#define ROSTER_CSV_COLUMNS 64    /* columns in a CSV header */
#define ROSTER_HASH        32768 /* slots of the duplicate finders: > 2 * ROSTER_MAX */
#define ROSTER_MEMBERS_MAX 256   /* members of one rotation */

enum roster_col {
	COL_ID,
	COL_NAME,
	COL_JID,
	COL_EMAIL,
	COL_PHONE,
	COL_PREFECTURES,
	COL_SPECIALTIES,
	COL_LANGUAGES,
	COL_ONSITE,
	COL_FIRST_CONSULT_FREE,
	COL_ACTIVE,
	COL_COUNT
};

enum roster_kind { KIND_TEXT, KIND_LIST, KIND_BOOL };

static const struct roster_column {
	const char *name;
	bool required;
	enum roster_kind kind;
} columns[COL_COUNT] = {
    [COL_ID] = {"id", true, KIND_TEXT},
    [COL_NAME] = {"name", true, KIND_TEXT},
    [COL_JID] = {"jid", true, KIND_TEXT},
    [COL_EMAIL] = {"email", false, KIND_TEXT},
    [COL_PHONE] = {"phone", false, KIND_TEXT},
    [COL_PREFECTURES] = {"prefectures", true, KIND_LIST},
    [COL_SPECIALTIES] = {"specialties", false, KIND_LIST},
    [COL_LANGUAGES] = {"languages", false, KIND_LIST},
    [COL_ONSITE] = {"onsite", false, KIND_BOOL},
    [COL_FIRST_CONSULT_FREE] = {"first_consult_free", false, KIND_BOOL},
    [COL_ACTIVE] = {"active", false, KIND_BOOL},
};

#define COLUMN_LIST                                                                                \
	"id, name, jid, email, phone, prefectures, specialties, languages, onsite, "               \
	"first_consult_free, active"

/* ---- small helpers ---- */

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void str_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = ascii_lower(*s);
}

/* Returns a larger copy of V for at least N + 1 entries of SIZE bytes, or
 * NULL (V untouched) when memory runs out. */
static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap != 0 ? *cap * 2 : 16;
	void *nv;

	if (n < *cap)
		return v;
	nv = realloc(v, ncap * size);
	if (nv != NULL)
		*cap = ncap;
	return nv;
}

/* Copies the next ';'-separated item of *LIST, without surrounding blanks,
 * into TOK (size N, truncated) and moves *LIST past it. Returns false at
 * the end of the list. */
static bool next_token(const char **list, char *tok, size_t n)
{
	const char *s = *list;
	const char *end;
	size_t len;

	if (*s == '\0')
		return false;
	end = strchr(s, ';');
	if (end == NULL)
		end = s + strlen(s);
	*list = *end == ';' ? end + 1 : end;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - s);
	if (len >= n)
		len = n - 1;
	memcpy(tok, s, len);
	tok[len] = '\0';
	str_lower(tok);
	return true;
}

/* ---- lists ---- */

static int parse_prefs(const struct playbook_set *set, const char *list, uint64_t *mask, char *err,
                       size_t n)
{
	char tok[ROSTER_TOKEN_MAX + 1];
	uint64_t m = 0;
	bool any = false;

	while (next_token(&list, tok, sizeof tok)) {
		const struct pb_region *region;
		size_t len = strlen(tok);

		if (len == 0)
			continue;
		any = true;
		if (strcmp(tok, "all") == 0) {
			for (size_t i = 0; i < playbook_prefecture_count(set); i++)
				m |= 1ULL << i;
			continue;
		}
		if (len <= 2 && tok[0] >= '0' && tok[0] <= '9' &&
		    (len == 1 || (tok[1] >= '0' && tok[1] <= '9'))) {
			int code = len == 1 ? tok[0] - '0' : (tok[0] - '0') * 10 + (tok[1] - '0');

			if (code >= 1 && (size_t)code <= playbook_prefecture_count(set)) {
				m |= 1ULL << (code - 1);
				continue;
			}
		}
		region = playbook_region(set, tok);
		if (region != NULL) {
			for (size_t i = 0; i < playbook_prefecture_count(set); i++)
				if (playbook_prefecture_at(set, i)->region == region)
					m |= 1ULL << i;
			continue;
		}
		if (err != NULL && n > 0) {
			size_t used;

			snprintf(err, n, "\"%s\" is not a prefecture code (01-47) or region (",
			         tok);
			for (size_t i = 0; i < playbook_region_count(set); i++) {
				used = strlen(err);
				snprintf(err + used, n - used, "%s%s", i > 0 ? ", " : "",
				         playbook_region_at(set, i)->id);
			}
			used = strlen(err);
			snprintf(err + used, n - used, ")");
		}
		*mask = m;
		return -EINVAL;
	}
	*mask = m;
	if (!any) {
		if (err != NULL && n > 0)
			snprintf(err, n,
			         "empty; list prefecture codes (27), regions (kinki) or all");
		return -EINVAL;
	}
	return 0;
}

int roster_parse_prefectures(const struct playbook_set *set, const char *list, uint64_t *mask,
                             char *err, size_t n)
{
	uint64_t m;
	int rc = parse_prefs(set, list, &m, err, n);

	if (rc == 0)
		*mask = m;
	return rc;
}

/* Parses a list of incident types; empty or "all" means every type. */
static int parse_types(const char *list, uint32_t *mask, char *err, size_t n)
{
	const uint32_t all = (1u << PLAYBOOK_TYPES) - 1;
	char tok[ROSTER_TOKEN_MAX + 1];
	uint32_t m = 0;
	bool any = false;

	while (next_token(&list, tok, sizeof tok)) {
		int t;

		if (tok[0] == '\0')
			continue;
		any = true;
		if (strcmp(tok, "all") == 0) {
			m = all;
			continue;
		}
		for (t = 0; t < PLAYBOOK_TYPES; t++)
			if (strcmp(tok, playbook_types[t]) == 0)
				break;
		if (t < PLAYBOOK_TYPES) {
			m |= 1u << t;
			continue;
		}
		if (err != NULL && n > 0) {
			size_t used;

			snprintf(err, n, "\"%s\" is not an incident type (", tok);
			for (t = 0; t < PLAYBOOK_TYPES; t++) {
				used = strlen(err);
				snprintf(err + used, n - used, "%s%s", t > 0 ? ", " : "",
				         playbook_types[t]);
			}
			used = strlen(err);
			snprintf(err + used, n - used, ") or all");
		}
		*mask = any ? m : all;
		return -EINVAL;
	}
	*mask = any ? m : all;
	return 0;
}

/* Parses a list of languages; empty means Japanese. */
static int parse_langs(const char *list, unsigned *mask, char *err, size_t n)
{
	char tok[ROSTER_TOKEN_MAX + 1];
	unsigned m = 0;

	while (next_token(&list, tok, sizeof tok)) {
		enum lang l;

		if (tok[0] == '\0')
			continue;
		if (lang_parse(tok, &l) < 0) {
			if (err != NULL && n > 0)
				snprintf(err, n, "\"%s\" is not a language (ja, en)", tok);
			*mask = m != 0 ? m : 1u << LANG_JA;
			return -EINVAL;
		}
		m |= 1u << l;
	}
	*mask = m != 0 ? m : 1u << LANG_JA;
	return 0;
}

static int parse_bool(const char *s, bool dflt, bool *out)
{
	static const struct {
		const char *word;
		bool value;
	} words[] = {{"yes", true},    {"no", false}, {"true", true},
	             {"false", false}, {"1", true},   {"0", false}};

	if (s == NULL || s[0] == '\0') {
		*out = dflt;
		return 0;
	}
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strcasecmp(s, words[i].word) == 0) {
			*out = words[i].value;
			return 0;
		}
	}
	return -EINVAL;
}

static bool id_ok(const char *s)
{
	for (const char *p = s; *p != '\0'; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return s[0] != '\0';
}

/* A bare JID or an e-mail address: one '@' with something on each side,
 * no blanks, and for a JID no resource. */
static bool address_ok(const char *s, bool jid, size_t max)
{
	const char *at = strchr(s, '@');
	size_t len = strlen(s);

	if (len > max || at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return false;
	if (at[1] == '.' || s[len - 1] == '.' || strstr(s, "\xe3\x80\x80") != NULL)
		return false;
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (jid && *p == '/'))
			return false;
	return true;
}

/* ---- checking one row ---- */

struct parse {
	const struct playbook_set *set;
	struct buf *errors; /* may be NULL */
	bool json;          /* origins are JSON indexes, not lines */
	struct roster *r;
	size_t cap;
	size_t *origin;           /* the line or index of each row of r->v */
	uint32_t *by_id, *by_jid; /* ROSTER_HASH slots: row index + 1, 0 when free */
	unsigned problems;
	int err; /* -ENOMEM: give up */
};

static void where_of(const struct parse *p, size_t origin, char *out, size_t n)
{
	if (p->json)
		snprintf(out, n, "specialists[%zu]", origin);
	else
		snprintf(out, n, "line %zu", origin);
}

static void problem(struct parse *p, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct parse *p, const char *where, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	p->problems++;
	if (p->errors == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	buf_printf(p->errors, "%s: %s\n", where, msg);
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Finds KEY among the ids (or JIDs) seen so far. Returns the row that has
 * it, or records row IDX under KEY and returns SIZE_MAX. */
static size_t claim(struct parse *p, bool jid, const char *key, size_t idx)
{
	uint32_t *tab = jid ? p->by_jid : p->by_id;
	uint32_t slot = hash_str(key) & (ROSTER_HASH - 1);

	while (tab[slot] != 0) {
		const struct specialist *s = &p->r->v[tab[slot] - 1];

		if (strcmp(jid ? s->jid : s->id, key) == 0)
			return tab[slot] - 1;
		slot = (slot + 1) & (ROSTER_HASH - 1);
	}
	tab[slot] = (uint32_t)idx + 1;
	return SIZE_MAX;
}

static void check_unique(struct parse *p, const char *where, bool jid, const char *key)
{
	size_t first = claim(p, jid, key, p->r->n);
	char there[48];

	if (first == SIZE_MAX)
		return;
	where_of(p, p->origin[first], there, sizeof there);
	problem(p, where, "%s \"%s\" is used again (first on %s)", jid ? "jid" : "id", key, there);
}

static void check_bool(struct parse *p, const char *where, char *const v[COL_COUNT], int col,
                       bool dflt, bool *out)
{
	if (parse_bool(v[col], dflt, out) < 0)
		problem(p, where, "%s: \"%s\" is not yes/no, true/false or 1/0", columns[col].name,
		        v[col]);
}

/* Checks each value of VAL (NULL: absent, as when a CSV header lacks the
 * column); SKIP marks columns already reported. The row is added to the
 * roster even when it has problems, so that later duplicates are found. */
static void check_row(struct parse *p, size_t origin, char *const val[COL_COUNT],
                      const bool skip[COL_COUNT])
{
	char where[48];
	char err[512];
	char *v[COL_COUNT] = {NULL};
	bool bad[COL_COUNT];
	struct specialist s;
	size_t *norigin;
	void *nv;

	memset(&s, 0, sizeof s);
	where_of(p, origin, where, sizeof where);
	for (int c = 0; c < COL_COUNT; c++) {
		const char *name = columns[c].name;
		size_t n;

		bad[c] = skip != NULL && skip[c];
		if (val[c] == NULL || bad[c])
			continue;
		n = strlen(val[c]);
		bad[c] = true;
		if (n > ROSTER_FIELD_MAX)
			problem(p, where, "%s: longer than %d bytes", name, ROSTER_FIELD_MAX);
		else if (!text_utf8_valid(val[c], n))
			problem(p, where,
			        "%s: not valid UTF-8; save the file as UTF-8 (\"CSV UTF-8\")",
			        name);
		else if (text_has_control(val[c], false))
			problem(p, where,
			        "%s: contains a line break, tab or other control character", name);
		else
			bad[c] = false;
		if (bad[c])
			continue;
		{
			/* The quote a spreadsheet-safe export put before a formula
			 * is not data; a name keeps its spaces. */
			const char *cell = val[c][0] == '\'' && csvout_is_formula(val[c] + 1)
			                       ? val[c] + 1
			                       : val[c];

			v[c] = c == COL_NAME ? strdup(cell) : text_trim_dup(cell);
		}
		if (v[c] == NULL) {
			p->err = -ENOMEM;
			goto out;
		}
	}
	for (int c = 0; c < COL_COUNT; c++) {
		if (columns[c].required && v[c] == NULL && !bad[c] && p->json) {
			problem(p, where, "%s: missing", columns[c].name);
			bad[c] = true;
		}
	}

	if (v[COL_ID] != NULL) {
		if (v[COL_ID][0] == '\0')
			problem(p, where, "id: empty; give each specialist a short unique id");
		else if (strlen(v[COL_ID]) > ROSTER_ID_MAX)
			problem(p, where, "id: longer than %d characters", ROSTER_ID_MAX);
		else if (!id_ok(v[COL_ID]))
			problem(p, where,
			        "id: \"%s\" may contain only letters, digits, '_', '.' and '-'",
			        v[COL_ID]);
		else
			check_unique(p, where, false, v[COL_ID]);
	}
	if (v[COL_NAME] != NULL && v[COL_NAME][0] == '\0')
		problem(p, where, "name: empty");
	if (v[COL_JID] != NULL) {
		str_lower(v[COL_JID]);
		if (v[COL_JID][0] == '\0')
			problem(p, where, "jid: empty; give the specialist's XMPP address");
		else if (!address_ok(v[COL_JID], true, ROSTER_JID_MAX))
			problem(p, where, "jid: \"%s\" is not a bare JID like tanaka@example.jp",
			        v[COL_JID]);
		else
			check_unique(p, where, true, v[COL_JID]);
	}
	if (v[COL_EMAIL] != NULL && v[COL_EMAIL][0] != '\0' &&
	    !address_ok(v[COL_EMAIL], false, ROSTER_EMAIL_MAX))
		problem(p, where, "email: \"%s\" is not an e-mail address", v[COL_EMAIL]);
	if (v[COL_PHONE] != NULL && v[COL_PHONE][0] != '\0') {
		char phone[48];

		if (text_phone_normalize(v[COL_PHONE], phone, sizeof phone) < 0) {
			problem(p, where, "phone: \"%s\" is not a phone number (10 to 15 digits)",
			        v[COL_PHONE]);
		} else {
			s.phone = strdup(phone);
			if (s.phone == NULL) {
				p->err = -ENOMEM;
				goto out;
			}
		}
	}
	if (v[COL_PREFECTURES] != NULL &&
	    parse_prefs(p->set, v[COL_PREFECTURES], &s.pref_mask, err, sizeof err) < 0)
		problem(p, where, "prefectures: %s", err);
	if (parse_types(v[COL_SPECIALTIES] != NULL ? v[COL_SPECIALTIES] : "", &s.type_mask, err,
	                sizeof err) < 0)
		problem(p, where, "specialties: %s", err);
	if (parse_langs(v[COL_LANGUAGES] != NULL ? v[COL_LANGUAGES] : "", &s.lang_mask, err,
	                sizeof err) < 0)
		problem(p, where, "languages: %s", err);
	check_bool(p, where, v, COL_ONSITE, false, &s.onsite);
	check_bool(p, where, v, COL_FIRST_CONSULT_FREE, false, &s.first_consult_free);
	check_bool(p, where, v, COL_ACTIVE, true, &s.active);

	/* The strings move into the specialist; absent ones become "". */
	s.id = v[COL_ID] != NULL ? v[COL_ID] : strdup("");
	s.name = v[COL_NAME] != NULL ? v[COL_NAME] : strdup("");
	s.jid = v[COL_JID] != NULL ? v[COL_JID] : strdup("");
	s.prefectures = v[COL_PREFECTURES] != NULL ? v[COL_PREFECTURES] : strdup("");
	s.specialties = v[COL_SPECIALTIES] != NULL ? v[COL_SPECIALTIES] : strdup("");
	s.languages = v[COL_LANGUAGES] != NULL ? v[COL_LANGUAGES] : strdup("");
	v[COL_ID] = v[COL_NAME] = v[COL_JID] = NULL;
	v[COL_PREFECTURES] = v[COL_SPECIALTIES] = v[COL_LANGUAGES] = NULL;
	if (v[COL_EMAIL] != NULL && v[COL_EMAIL][0] != '\0') {
		s.email = v[COL_EMAIL];
		v[COL_EMAIL] = NULL;
	}
	if (s.id == NULL || s.name == NULL || s.jid == NULL || s.prefectures == NULL ||
	    s.specialties == NULL || s.languages == NULL) {
		p->err = -ENOMEM;
		goto out;
	}
	nv = grow(p->r->v, &p->cap, p->r->n, sizeof *p->r->v);
	if (nv == NULL) {
		p->err = -ENOMEM;
		goto out;
	}
	p->r->v = nv;
	/* origin has the same capacity as v: it grows right after it. */
	norigin = realloc(p->origin, p->cap * sizeof *p->origin);
	if (norigin == NULL) {
		p->err = -ENOMEM;
		goto out;
	}
	p->origin = norigin;
	p->origin[p->r->n] = origin;
	p->r->v[p->r->n++] = s;
	memset(&s, 0, sizeof s);
out:
	free(s.id);
	free(s.name);
	free(s.jid);
	free(s.email);
	free(s.phone);
	free(s.prefectures);
	free(s.specialties);
	free(s.languages);
	for (int c = 0; c < COL_COUNT; c++)
		free(v[c]);
}

static int column_find(const char *name)
{
	for (int c = 0; c < COL_COUNT; c++)
		if (strcmp(columns[c].name, name) == 0)
			return c;
	return -1;
}

/* ---- CSV ---- */

struct csv_read {
	struct parse *p;
	int colmap[ROSTER_CSV_COLUMNS]; /* header field → column, or -1 */
	size_t ncols;                   /* fields in the header */
	bool have_header;
	char *val[COL_COUNT]; /* the current row */
	bool skip[COL_COUNT];
	size_t nfield;
	size_t extra; /* non-empty fields past the header's columns */
	bool content; /* the row has something besides blanks */
	size_t line;  /* physical line of the byte being read */
	size_t row_line;
	bool at_row_start;
	bool stop; /* no more rows are taken */
};

static void csv_header_field(struct csv_read *cr, size_t i, const char *field)
{
	struct parse *p = cr->p;
	char where[48];
	char name[ROSTER_TOKEN_MAX + 1];
	const char *tail = field;
	int col;

	where_of(p, cr->row_line, where, sizeof where);
	if (i >= ROSTER_CSV_COLUMNS) {
		if (i == ROSTER_CSV_COLUMNS)
			problem(p, where, "more than %d columns; the columns are " COLUMN_LIST,
			        ROSTER_CSV_COLUMNS);
		return;
	}
	cr->colmap[i] = -1;
	if (!text_utf8_valid(field, strlen(field)) || text_has_control(field, false)) {
		problem(p, where, "column %zu: its name is not UTF-8 text; save the file as UTF-8",
		        i + 1);
		return;
	}
	if (strchr(field, ';') != NULL) {
		problem(p, where,
		        "column \"%.40s\" has a ';' in its name; the columns are " COLUMN_LIST,
		        field);
		return;
	}
	next_token(&tail, name, sizeof name);
	if (name[0] == '\0')
		return; /* a spreadsheet's unnamed column: ignored */
	col = column_find(name);
	if (col < 0) {
		problem(p, where, "unknown column \"%s\"; the columns are " COLUMN_LIST, name);
		return;
	}
	for (size_t j = 0; j < i; j++) {
		if (cr->colmap[j] == col) {
			problem(p, where, "column \"%s\" appears twice", name);
			return;
		}
	}
	cr->colmap[i] = col;
}

static void on_csv_field(void *field, size_t len, void *data)
{
	struct csv_read *cr = data;
	const char *s = field != NULL ? field : "";
	size_t i = cr->nfield++;
	int col;

	if (cr->stop || cr->p->err < 0)
		return;
	for (size_t k = 0; k < len && !cr->content; k++)
		if (s[k] != ' ' && s[k] != '\t')
			cr->content = true;
	if (!cr->have_header) {
		if (memchr(s, '\0', len) != NULL) {
			char where[48];

			where_of(cr->p, cr->row_line, where, sizeof where);
			problem(cr->p, where, "a column name contains a NUL byte");
			return;
		}
		csv_header_field(cr, i, s);
		return;
	}
	if (i >= cr->ncols || i >= ROSTER_CSV_COLUMNS) {
		if (len > 0)
			cr->extra++;
		return;
	}
	col = cr->colmap[i];
	if (col < 0 || cr->val[col] != NULL)
		return;
	if (len > ROSTER_FIELD_MAX || memchr(s, '\0', len) != NULL) {
		char where[48];

		where_of(cr->p, cr->row_line, where, sizeof where);
		if (len > ROSTER_FIELD_MAX)
			problem(cr->p, where, "%s: longer than %d bytes", columns[col].name,
			        ROSTER_FIELD_MAX);
		else
			problem(cr->p, where, "%s: contains a NUL byte", columns[col].name);
		cr->skip[col] = true;
		return;
	}
	cr->val[col] = strndup(s, len);
	if (cr->val[col] == NULL)
		cr->p->err = -ENOMEM;
}

static void csv_header_end(struct csv_read *cr)
{
	struct parse *p = cr->p;
	char where[48];

	where_of(p, cr->row_line, where, sizeof where);
	cr->ncols = cr->nfield < ROSTER_CSV_COLUMNS ? cr->nfield : ROSTER_CSV_COLUMNS;
	for (int c = 0; c < COL_COUNT; c++) {
		bool found = false;

		for (size_t i = 0; i < cr->ncols; i++)
			found |= cr->colmap[i] == c;
		if (!found && columns[c].required)
			problem(p, where, "missing column \"%s\"; the columns are " COLUMN_LIST,
			        columns[c].name);
	}
	cr->have_header = true;
}

static void csv_row_end(struct csv_read *cr)
{
	struct parse *p = cr->p;
	char where[48];

	if (!cr->content)
		return; /* a blank line, or only commas */
	where_of(p, cr->row_line, where, sizeof where);
	if (p->r->n >= ROSTER_MAX) {
		problem(p, where, "more than %d specialists; split the roster", ROSTER_MAX);
		cr->stop = true;
		return;
	}
	if (cr->extra > 0)
		problem(p, where,
		        "%zu fields, but the header names %zu columns; quote a value that "
		        "contains a comma",
		        cr->nfield, cr->ncols);
	/* Columns of the header that this row does not reach are empty. */
	for (size_t i = cr->nfield; i < cr->ncols; i++) {
		int col = cr->colmap[i];

		if (col >= 0 && cr->val[col] == NULL && !cr->skip[col]) {
			cr->val[col] = strdup("");
			if (cr->val[col] == NULL) {
				p->err = -ENOMEM;
				return;
			}
		}
	}
	check_row(p, cr->row_line, cr->val, cr->skip);
}

static void csv_row_reset(struct csv_read *cr)
{
	for (int col = 0; col < COL_COUNT; col++) {
		free(cr->val[col]);
		cr->val[col] = NULL;
		cr->skip[col] = false;
	}
	cr->nfield = 0;
	cr->extra = 0;
	cr->content = false;
	cr->at_row_start = true;
}

static void on_csv_row(int c, void *data)
{
	struct csv_read *cr = data;

	(void)c;
	if (!cr->stop && cr->p->err == 0) {
		if (!cr->have_header)
			csv_header_end(cr);
		else
			csv_row_end(cr);
	}
	csv_row_reset(cr);
}

static void parse_csv(struct parse *p, const char *text, size_t len)
{
	struct csv_parser parser;
	struct csv_read cr;
	char where[48];

	memset(&cr, 0, sizeof cr);
	for (size_t i = 0; i < ROSTER_CSV_COLUMNS; i++)
		cr.colmap[i] = -1;
	cr.p = p;
	cr.line = 1;
	cr.row_line = 1;
	cr.at_row_start = true;
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		p->err = -ENOMEM;
		return;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	for (size_t i = 0; i < len && !cr.stop && p->err == 0; i++) {
		char c = text[i];

		if (cr.at_row_start && c != '\r' && c != '\n' && c != ' ' && c != '\t') {
			cr.row_line = cr.line;
			cr.at_row_start = false;
		}
		if (csv_parse(&parser, &text[i], 1, on_csv_field, on_csv_row, &cr) != 1) {
			if (csv_error(&parser) == CSV_ENOMEM) {
				p->err = -ENOMEM;
				break;
			}
			where_of(p, cr.line, where, sizeof where);
			problem(p, where,
			        "stray '\"': put the whole value in quotes and double each "
			        "'\"' inside it");
			cr.stop = true;
		}
		if (c == '\n')
			cr.line++;
	}
	if (!cr.stop && p->err == 0 && csv_fini(&parser, on_csv_field, on_csv_row, &cr) != 0) {
		where_of(p, cr.row_line, where, sizeof where);
		problem(p, where, "a quoted value is never closed: a '\"' is missing");
	}
	csv_free(&parser);
	csv_row_reset(&cr); /* frees what a stopped row left */
	if (!cr.have_header && p->err == 0 && p->problems == 0)
		problem(p, "line 1",
		        "empty file; its first line must name the columns: " COLUMN_LIST);
}

/* ---- JSON ---- */

/* Turns a JSON value of column COL into text in *OUT (malloc'd, NULL for
 * null). Returns 0, or -EINVAL after reporting. */
static int json_value(struct parse *p, const char *where, int col, json_t *v, char **out)
{
	const char *name = columns[col].name;

	*out = NULL;
	if (json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		*out = strndup(json_string_value(v), json_string_length(v));
	} else if (columns[col].kind == KIND_BOOL && json_is_boolean(v)) {
		*out = strdup(json_is_true(v) ? "true" : "false");
	} else if (columns[col].kind == KIND_LIST && json_is_array(v)) {
		struct buf b;
		size_t i;
		json_t *item;

		buf_init(&b, ROSTER_FIELD_MAX);
		json_array_foreach(v, i, item)
		{
			int rc;

			if (json_is_string(item))
				rc = buf_printf(&b, "%s%s", i > 0 ? ";" : "",
				                json_string_value(item));
			else if (json_is_integer(item) && col == COL_PREFECTURES)
				rc = buf_printf(&b, "%s%02lld", i > 0 ? ";" : "",
				                (long long)json_integer_value(item));
			else
				rc = -EINVAL;
			if (rc < 0) {
				buf_fini(&b);
				if (rc == -ENOMEM)
					return p->err = -ENOMEM;
				if (rc == -E2BIG)
					problem(p, where, "%s: longer than %d bytes", name,
					        ROSTER_FIELD_MAX);
				else
					problem(p, where, "%s[%zu]: must be a string", name, i);
				return -EINVAL;
			}
		}
		*out = b.data != NULL ? buf_steal(&b) : strdup("");
		buf_fini(&b);
	} else {
		if (columns[col].kind == KIND_BOOL)
			problem(p, where, "%s: must be true or false", name);
		else if (columns[col].kind == KIND_LIST)
			problem(p, where, "%s: must be a list of strings or a ';'-separated string",
			        name);
		else
			problem(p, where, "%s: must be a string", name);
		return -EINVAL;
	}
	if (*out == NULL)
		return p->err = -ENOMEM;
	return 0;
}

static void parse_json(struct parse *p, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *list = root;
	json_t *item;
	size_t idx;

	if (root == NULL) {
		char where[48];

		snprintf(where, sizeof where, "line %d", jerr.line);
		problem(p, where, "column %d: %s", jerr.column, jerr.text);
		return;
	}
	if (json_is_object(root)) {
		const char *key;
		json_t *value;

		json_object_foreach(root, key, value)
		{
			if (strcmp(key, "specialists") != 0)
				problem(p, "the file",
				        "unknown key \"%.40s\"; it has only \"specialists\"", key);
		}
		list = json_object_get(root, "specialists");
	}
	if (!json_is_array(list)) {
		problem(p, "the file",
		        "must be a list of specialists, or an object with that list as "
		        "\"specialists\"");
		goto out;
	}
	json_array_foreach(list, idx, item)
	{
		char *val[COL_COUNT] = {NULL};
		bool skip[COL_COUNT] = {false};
		char where[48];
		const char *key;
		json_t *value;

		where_of(p, idx, where, sizeof where);
		if (idx >= ROSTER_MAX) {
			problem(p, "specialists", "more than %d specialists; split the roster",
			        ROSTER_MAX);
			break;
		}
		if (!json_is_object(item)) {
			problem(p, where, "must be an object with the keys " COLUMN_LIST);
			continue;
		}
		json_object_foreach(item, key, value)
		{
			int col = column_find(key);

			if (col < 0)
				problem(p, where,
				        "unknown key \"%.40s\"; the keys are " COLUMN_LIST, key);
			else if (json_value(p, where, col, value, &val[col]) < 0)
				skip[col] = true;
			if (p->err < 0)
				break;
		}
		if (p->err == 0)
			check_row(p, idx, val, skip);
		for (int c = 0; c < COL_COUNT; c++)
			free(val[c]);
		if (p->err < 0)
			break;
	}
out:
	json_decref(root);
}

/* ---- parsing: the entry point ---- */

int roster_parse(const char *text, size_t len, const struct playbook_set *set, struct roster **out,
                 struct buf *errors)
{
	struct parse p;
	size_t i = 0;
	int rc;

	*out = NULL;
	memset(&p, 0, sizeof p);
	p.set = set;
	p.errors = errors;
	if (len > ROSTER_FILE_MAX) {
		problem(&p, "the file", "larger than %u MiB", ROSTER_FILE_MAX >> 20);
		return -EINVAL;
	}
	p.r = calloc(1, sizeof *p.r);
	p.by_id = calloc(ROSTER_HASH, sizeof *p.by_id);
	p.by_jid = calloc(ROSTER_HASH, sizeof *p.by_jid);
	if (p.r == NULL || p.by_id == NULL || p.by_jid == NULL) {
		rc = -ENOMEM;
		goto bad;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
		i++;
	p.json = i < len && (text[i] == '[' || text[i] == '{');
	if (p.json)
		parse_json(&p, text + i, len - i);
	else
		parse_csv(&p, text, len);
	rc = p.err < 0 ? p.err : p.problems > 0 ? -EINVAL : 0;
	if (rc < 0)
		goto bad;
	*out = p.r;
	free(p.origin);
	free(p.by_id);
	free(p.by_jid);
	return 0;
bad:
	roster_free(p.r);
	free(p.origin);
	free(p.by_id);
	free(p.by_jid);
	return rc;
}

/* ---- CSV export ---- */

static int csv_put(struct buf *out, const char *s, bool last)
{
	bool formula = csvout_is_formula(s);
	bool quote = formula || s[0] == ' ' || s[0] == '\t' || strpbrk(s, ",\"\r\n") != NULL;
	int rc;

	if (s[0] != '\0') {
		size_t n = strlen(s);

		quote |= s[n - 1] == ' ' || s[n - 1] == '\t';
	}
	if (!quote) {
		rc = buf_puts(out, s);
	} else {
		rc = buf_puts(out, formula ? "\"'" : "\"");
		for (const char *q = s; rc == 0 && *q != '\0'; q++)
			rc = *q == '"' ? buf_puts(out, "\"\"") : buf_append(out, q, 1);
		if (rc == 0)
			rc = buf_puts(out, "\"");
	}
	if (rc == 0)
		rc = buf_puts(out, last ? "\r\n" : ",");
	return rc;
}

int roster_export_csv(const struct roster *r, struct buf *out)
{
	int rc = 0;

	for (int c = 0; c < COL_COUNT && rc == 0; c++)
		rc = csv_put(out, columns[c].name, c == COL_COUNT - 1);
	for (size_t i = 0; i < r->n && rc == 0; i++) {
		const struct specialist *s = &r->v[i];
		const char *val[COL_COUNT] = {
		    [COL_ID] = s->id,
		    [COL_NAME] = s->name,
		    [COL_JID] = s->jid,
		    [COL_EMAIL] = s->email != NULL ? s->email : "",
		    [COL_PHONE] = s->phone != NULL ? s->phone : "",
		    [COL_PREFECTURES] = s->prefectures,
		    [COL_SPECIALTIES] = s->specialties,
		    [COL_LANGUAGES] = s->languages,
		    [COL_ONSITE] = s->onsite ? "yes" : "no",
		    [COL_FIRST_CONSULT_FREE] = s->first_consult_free ? "yes" : "no",
		    [COL_ACTIVE] = s->active ? "yes" : "no",
		};

		for (int c = 0; c < COL_COUNT && rc == 0; c++)
			rc = csv_put(out, val[c] != NULL ? val[c] : "", c == COL_COUNT - 1);
	}
	return rc;
}

/* ---- the store: writes ---- */

int roster_tx_replace(struct store_tx *tx, const struct roster *r)
{
	int rc = store_specialists_clear(tx);

	for (size_t i = 0; i < r->n && rc == 0; i++) {
		const struct specialist *s = &r->v[i];
		struct store_specialist row = {
		    s->id,          s->name,        s->jid,       s->email,  s->phone,
		    s->prefectures, s->specialties, s->languages, s->onsite, s->first_consult_free,
		    s->active};

		rc = store_specialist_add(tx, &row);
	}
	return rc < 0 ? rc : store_roster_bump(tx);
}

int roster_tx_rotation_add(struct store_tx *tx, const struct rotation *rot, int64_t *id)
{
	struct buf members;
	char handoff[16];
	int64_t rc = 0;

	if (rot->nmembers == 0 || rot->nmembers > ROSTER_MEMBERS_MAX || rot->handoff_min < 0 ||
	    rot->handoff_min >= 24 * 60)
		return -EINVAL;
	buf_init(&members, ROSTER_MEMBERS_MAX * (ROSTER_ID_MAX + 1));
	for (size_t i = 0; i < rot->nmembers && rc == 0; i++)
		rc = buf_printf(&members, "%s%s", i > 0 ? ";" : "", rot->members[i]);
	if (rc < 0)
		goto out;
	snprintf(handoff, sizeof handoff, "%02d:%02d", rot->handoff_min / 60,
	         rot->handoff_min % 60);
	{
		struct store_rotation row = {
		    0,           rot->scope, rot->period == ROTATION_WEEKLY ? "weekly" : "daily",
		    handoff,     rot->tz,    rot->start_ms,
		    members.data};

		rc = store_rotation_add(tx, &row, id);
	}
	if (rc < 0)
		goto out;
	rc = store_roster_bump(tx);
out:
	buf_fini(&members);
	return (int)rc;
}

int roster_tx_override_add(struct store_tx *tx, const struct override *ov, int64_t *id)
{
	struct store_override row = {0, ov->scope, ov->specialist, ov->start_ms, ov->end_ms};
	int rc;

	if (ov->end_ms <= ov->start_ms)
		return -EINVAL;
	rc = store_override_add(tx, &row, id);
	return rc < 0 ? rc : store_roster_bump(tx);
}

int roster_tx_rotation_remove(struct store_tx *tx, int64_t id)
{
	int rc = store_rotation_remove(tx, id);

	return rc < 0 ? rc : store_roster_bump(tx);
}

int roster_tx_override_remove(struct store_tx *tx, int64_t id)
{
	int rc = store_override_remove(tx, id);

	return rc < 0 ? rc : store_roster_bump(tx);
}

/* ---- the store: reads ---- */

struct load {
	struct roster *r;
	const struct playbook_set *set;
	size_t cap, rotcap, ovrcap;
};

static char *dup_text(const char *t)
{
	return t != NULL ? strdup(t) : NULL;
}

static int on_specialist_row(void *arg, const struct store_specialist *row)
{
	struct load *ld = arg;
	struct roster *r = ld->r;
	struct specialist *s;
	char err[512];
	void *nv;

	if (r->n >= ROSTER_MAX)
		return -E2BIG;
	nv = grow(r->v, &ld->cap, r->n, sizeof *r->v);
	if (nv == NULL)
		return -ENOMEM;
	r->v = nv;
	s = &r->v[r->n++];
	memset(s, 0, sizeof *s);
	s->id = dup_text(row->id);
	s->name = dup_text(row->name);
	s->jid = dup_text(row->jid);
	s->email = dup_text(row->email);
	s->phone = dup_text(row->phone);
	s->prefectures = dup_text(row->prefectures);
	s->specialties = dup_text(row->specialties);
	s->languages = dup_text(row->languages);
	s->onsite = row->onsite;
	s->first_consult_free = row->first_consult_free;
	s->active = row->active;
	if (s->id == NULL || s->name == NULL || s->jid == NULL || s->prefectures == NULL ||
	    s->specialties == NULL || s->languages == NULL ||
	    (s->email == NULL) != (row->email == NULL) ||
	    (s->phone == NULL) != (row->phone == NULL))
		return -ENOMEM;
	/* The rows were checked on import; a playbook change since then can
	 * still make an item unknown. Keep what is understood and say so. */
	if (parse_prefs(ld->set, s->prefectures, &s->pref_mask, err, sizeof err) < 0)
		log_warnx("roster: specialist %s: prefectures: %s", s->id, err);
	if (parse_types(s->specialties, &s->type_mask, err, sizeof err) < 0)
		log_warnx("roster: specialist %s: specialties: %s", s->id, err);
	if (parse_langs(s->languages, &s->lang_mask, err, sizeof err) < 0)
		log_warnx("roster: specialist %s: languages: %s", s->id, err);
	return 0;
}

/* Splits "a;b;c" into a fresh array of fresh strings. */
static int split_members(const char *list, char ***out, size_t *n)
{
	char **v = NULL;
	size_t cap = 0, k = 0;
	char tok[ROSTER_ID_MAX + 1];

	*out = NULL;
	*n = 0;
	while (list != NULL && next_token(&list, tok, sizeof tok)) {
		void *nv;

		if (tok[0] == '\0')
			continue;
		if (k >= ROSTER_MEMBERS_MAX)
			break;
		nv = grow(v, &cap, k, sizeof *v);
		if (nv == NULL)
			goto bad;
		v = nv;
		v[k] = strdup(tok);
		if (v[k] == NULL)
			goto bad;
		k++;
	}
	*out = v;
	*n = k;
	return 0;
bad:
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	return -ENOMEM;
}

static int on_rotation_row(void *arg, const struct store_rotation *row)
{
	struct load *ld = arg;
	struct roster *r = ld->r;
	struct rotation *rot;
	const char *period = row->period;
	const char *handoff = row->handoff;
	unsigned hh = 0, mm = 0;
	void *nv;

	if (r->nrot >= ROSTER_MAX)
		return -E2BIG;
	nv = grow(r->rot, &ld->rotcap, r->nrot, sizeof *r->rot);
	if (nv == NULL)
		return -ENOMEM;
	r->rot = nv;
	rot = &r->rot[r->nrot++];
	memset(rot, 0, sizeof *rot);
	rot->id = row->id;
	rot->scope = dup_text(row->scope);
	rot->period =
	    period != NULL && strcmp(period, "weekly") == 0 ? ROTATION_WEEKLY : ROTATION_DAILY;
	if (handoff != NULL && sscanf(handoff, "%2u:%2u", &hh, &mm) == 2 && hh < 24 && mm < 60)
		rot->handoff_min = (int)(hh * 60 + mm);
	rot->tz = dup_text(row->tz);
	rot->start_ms = row->start_ms;
	if (rot->scope == NULL || rot->tz == NULL)
		return -ENOMEM;
	if (oncall_tz_offset(rot->tz, &rot->tz_offset_min) < 0)
		log_warnx("roster: rotation %lld: unknown time zone \"%s\"; taken as UTC",
		          (long long)rot->id, rot->tz);
	return split_members(row->members, &rot->members, &rot->nmembers);
}

static int on_override_row(void *arg, const struct store_override *row)
{
	struct load *ld = arg;
	struct roster *r = ld->r;
	struct override *ov;
	void *nv;

	if (r->novr >= ROSTER_MAX)
		return -E2BIG;
	nv = grow(r->ovr, &ld->ovrcap, r->novr, sizeof *r->ovr);
	if (nv == NULL)
		return -ENOMEM;
	r->ovr = nv;
	ov = &r->ovr[r->novr++];
	memset(ov, 0, sizeof *ov);
	ov->id = row->id;
	ov->scope = dup_text(row->scope);
	ov->specialist = dup_text(row->specialist);
	ov->start_ms = row->start_ms;
	ov->end_ms = row->end_ms;
	return ov->scope == NULL || ov->specialist == NULL ? -ENOMEM : 0;
}

int roster_load(struct store *st, const struct playbook_set *set, struct roster **out)
{
	struct load ld;
	int rc;

	memset(&ld, 0, sizeof ld);
	ld.set = set;
	ld.r = calloc(1, sizeof *ld.r);
	if (ld.r == NULL)
		return -ENOMEM;
	rc = store_specialists_each(st, on_specialist_row, &ld);
	if (rc == 0)
		rc = store_rotations_each(st, on_rotation_row, &ld);
	if (rc == 0)
		rc = store_overrides_each(st, on_override_row, &ld);
	if (rc != 0) {
		log_warn(rc < 0 ? rc : -EIO, "roster: cannot load the roster");
		roster_free(ld.r);
		return rc < 0 ? rc : -EIO;
	}
	*out = ld.r;
	return 0;
}

int64_t roster_version(struct store *st)
{
	return store_roster_version(st);
}

void roster_free(struct roster *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct specialist *s = &r->v[i];

		free(s->id);
		free(s->name);
		free(s->jid);
		free(s->email);
		free(s->phone);
		free(s->prefectures);
		free(s->specialties);
		free(s->languages);
	}
	for (size_t i = 0; i < r->nrot; i++) {
		free(r->rot[i].scope);
		free(r->rot[i].tz);
		for (size_t j = 0; j < r->rot[i].nmembers; j++)
			free(r->rot[i].members[j]);
		free(r->rot[i].members);
	}
	for (size_t i = 0; i < r->novr; i++) {
		free(r->ovr[i].scope);
		free(r->ovr[i].specialist);
	}
	free(r->v);
	free(r->rot);
	free(r->ovr);
	free(r);
}

/* ---- lookups ---- */

const struct specialist *roster_by_id(const struct roster *r, const char *id)
{
	for (size_t i = 0; r != NULL && i < r->n; i++)
		if (strcmp(r->v[i].id, id) == 0)
			return &r->v[i];
	return NULL;
}

const struct specialist *roster_by_jid(const struct roster *r, const char *jid)
{
	for (size_t i = 0; r != NULL && i < r->n; i++)
		if (strcasecmp(r->v[i].jid, jid) == 0)
			return &r->v[i];
	return NULL;
}

const struct pb_prefecture *roster_prefecture(const struct playbook_set *set, const char *code)
{
	char two[3];

	if (code[0] >= '0' && code[0] <= '9' && code[1] == '\0') {
		two[0] = '0';
		two[1] = code[0];
		two[2] = '\0';
		code = two;
	}
	return playbook_prefecture(set, code);
}
