/* SPDX-License-Identifier: ISC */
/*
 * playbook — loads and checks playbooks/; see playbook.h.
 *
 * The JSON documents are kept (jansson) and the C structs point into them,
 * so nothing is copied twice. Every check reports the file, a JSON path in
 * "$.steps[2].en" form, and what is wrong, and loading goes on after a
 * problem so that one run of `kakekomid -n` lists them all.
 */
#include "playbook.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PB_MAX_FILE    (1024 * 1024)
#define PB_PREFECTURES 47

const char *const playbook_types[PLAYBOOK_TYPES] = {
    "ransomware", "malware",   "phishing",    "bec",  "unauthorized_access",
    "defacement", "data_leak", "lost_device", "ddos", "suspicious_email",
    "insider",    "unknown"};

struct playbook_set {
	json_t *docs[PLAYBOOK_TYPES + 2];
	size_t ndocs;
	struct playbook books[PLAYBOOK_TYPES];
	size_t nbooks;
	struct pb_target *targets;
	size_t ntargets;
	struct pb_source *sources;
	size_t nsources;
	struct pb_region *regions;
	size_t nregions;
	struct pb_prefecture prefs[PB_PREFECTURES];
	size_t nprefs;
	void **allocs; /* NULL-terminated source lists and item arrays */
	size_t nallocs, allocs_cap;
};

struct check {
	struct buf *errors;
	const char *file;
	int problems;
	int oom;
};

int lang_parse(const char *s, enum lang *out)
{
	if (strcmp(s, "ja") == 0)
		*out = LANG_JA;
	else if (strcmp(s, "en") == 0)
		*out = LANG_EN;
	else
		return -EINVAL;
	return 0;
}

const char *lang_code(enum lang l)
{
	return l == LANG_EN ? "en" : "ja";
}

static void problem(struct check *ck, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool valid_date(const char *s);

static void problem(struct check *ck, const char *path, const char *fmt, ...)
{
	va_list ap;

	ck->problems++;
	if (ck->errors == NULL)
		return;
	buf_printf(ck->errors, "%s: %s: ", ck->file, path);
	va_start(ap, fmt);
	buf_vprintf(ck->errors, fmt, ap);
	va_end(ap);
	buf_puts(ck->errors, "\n");
}

static void *set_alloc(struct playbook_set *set, struct check *ck, size_t n)
{
	void *p;

	if (set->nallocs + 1 >= set->allocs_cap) {
		size_t cap = set->allocs_cap != 0 ? set->allocs_cap * 2 : 64;
		void **a = realloc(set->allocs, cap * sizeof *a);

		if (a == NULL) {
			ck->oom = 1;
			return NULL;
		}
		set->allocs = a;
		set->allocs_cap = cap;
	}
	p = calloc(1, n != 0 ? n : 1);
	if (p == NULL) {
		ck->oom = 1;
		return NULL;
	}
	set->allocs[set->nallocs++] = p;
	return p;
}

static const char *get_string(struct check *ck, json_t *obj, const char *path, const char *key,
                              bool required)
{
	json_t *v = json_object_get(obj, key);
	char sub[256];

	snprintf(sub, sizeof sub, "%s.%s", path, key);
	if (v == NULL) {
		if (required)
			problem(ck, sub, "missing%s", "");
		return NULL;
	}
	if (!json_is_string(v)) {
		problem(ck, sub, "must be a string%s", "");
		return NULL;
	}
	if (required && json_string_length(v) == 0) {
		problem(ck, sub, "must not be empty%s", "");
		return NULL;
	}
	return json_string_value(v);
}

static void get_text(struct check *ck, json_t *obj, const char *path, const char *key,
                     struct pb_text *out)
{
	json_t *v = json_object_get(obj, key);
	char sub[256];

	snprintf(sub, sizeof sub, "%s.%s", path, key);
	out->s[LANG_JA] = out->s[LANG_EN] = "";
	if (!json_is_object(v)) {
		problem(ck, sub,
		        v == NULL ? "missing%s" : "must be an object with \"ja\" and \"en\"%s", "");
		return;
	}
	out->s[LANG_JA] = get_string(ck, v, sub, "ja", true);
	out->s[LANG_EN] = get_string(ck, v, sub, "en", true);
	if (out->s[LANG_JA] == NULL)
		out->s[LANG_JA] = "";
	if (out->s[LANG_EN] == NULL)
		out->s[LANG_EN] = "";
}

static bool valid_id(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return false;
	return true;
}

static const char *const *get_sources(struct playbook_set *set, struct check *ck, json_t *obj,
                                      const char *path)
{
	json_t *v = json_object_get(obj, "sources");
	char sub[256];
	const char **list;
	size_t i;
	json_t *e;

	snprintf(sub, sizeof sub, "%s.sources", path);
	if (!json_is_array(v) || json_array_size(v) == 0) {
		problem(ck, sub, "must be a non-empty array of source tags such as \"S1\"%s", "");
		return NULL;
	}
	list = set_alloc(set, ck, (json_array_size(v) + 1) * sizeof *list);
	if (list == NULL)
		return NULL;
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e)) {
			char el[280];

			snprintf(el, sizeof el, "%s[%zu]", sub, i);
			problem(ck, el, "must be a string%s", "");
			continue;
		}
		list[i] = json_string_value(e);
	}
	return list;
}

static const struct pb_item *get_items(struct playbook_set *set, struct check *ck, json_t *obj,
                                       const char *key, size_t *count, bool required)
{
	json_t *v = json_object_get(obj, key);
	struct pb_item *items;
	char path[64];
	size_t i;
	json_t *e;

	*count = 0;
	snprintf(path, sizeof path, "$.%s", key);
	if (!json_is_array(v) || (required && json_array_size(v) == 0)) {
		problem(ck, path, "must be a non-empty array of {id, ja, en, sources}%s", "");
		return NULL;
	}
	items = set_alloc(set, ck, json_array_size(v) * sizeof *items);
	if (items == NULL)
		return NULL;
	json_array_foreach(v, i, e)
	{
		char ipath[96];
		struct pb_item *it = &items[i];

		snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
		if (!json_is_object(e)) {
			problem(ck, ipath, "must be an object%s", "");
			continue;
		}
		it->id = get_string(ck, e, ipath, "id", true);
		if (it->id != NULL && !valid_id(it->id))
			problem(ck, ipath, "id \"%s\" may only use a-z, 0-9, '-' and '_'", it->id);
		for (size_t k = 0; it->id != NULL && k < i; k++)
			if (items[k].id != NULL && strcmp(items[k].id, it->id) == 0)
				problem(ck, ipath, "id \"%s\" is used twice in this list", it->id);
		it->text.s[LANG_JA] = get_string(ck, e, ipath, "ja", true);
		it->text.s[LANG_EN] = get_string(ck, e, ipath, "en", true);
		it->sources = get_sources(set, ck, e, ipath);
	}
	*count = json_array_size(v);
	return items;
}

static json_t *load_file(struct check *ck, const char *dir, const char *name)
{
	char path[4096];
	json_error_t err;
	json_t *doc;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (doc == NULL) {
		char msg[400];

		snprintf(msg, sizeof msg, "line %d column %d: %s", err.line, err.column, err.text);
		problem(ck, "$", "not valid JSON: %s", msg);
		return NULL;
	}
	if (!json_is_object(doc)) {
		problem(ck, "$", "must be a JSON object%s", "");
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static void load_playbook(struct playbook_set *set, struct check *ck, json_t *doc, const char *type)
{
	struct playbook *pb = &set->books[set->nbooks++];
	json_t *v;
	json_t *e;
	size_t i;

	pb->json = doc;
	pb->id = get_string(ck, doc, "$", "id", true);
	if (pb->id != NULL && strcmp(pb->id, type) != 0)
		problem(ck, "$.id", "must be the file's name without .json (\"%s\")", type);
	pb->id = type;
	v = json_object_get(doc, "order");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 99)
		problem(ck, "$.order", "must be a whole number from 1 to 99%s", "");
	else
		pb->order = (int)json_integer_value(v);
	pb->updated = get_string(ck, doc, "$", "updated", true);
	if (pb->updated != NULL && !valid_date(pb->updated))
		problem(ck, "$.updated", "must be a date YYYY-MM-DD, not \"%s\"", pb->updated);
	get_text(ck, doc, "$", "name", &pb->name);
	get_text(ck, doc, "$", "picker", &pb->picker);
	get_text(ck, doc, "$", "summary", &pb->summary);
	v = json_object_get(doc, "malicious");
	if (!json_is_boolean(v))
		problem(ck, "$.malicious", "must be true or false%s", "");
	pb->malicious = json_is_true(v);
	pb->steps = get_items(set, ck, doc, "steps", &pb->nsteps, true);
	pb->dont = get_items(set, ck, doc, "dont", &pb->ndont, true);
	pb->evidence = get_items(set, ck, doc, "evidence", &pb->nevidence, true);

	v = json_object_get(doc, "report_to");
	if (!json_is_array(v) || json_array_size(v) == 0) {
		problem(ck, "$.report_to", "must be a non-empty array of {target, when}%s", "");
		return;
	}
	{
		struct pb_report *r = set_alloc(set, ck, json_array_size(v) * sizeof *r);

		if (r == NULL)
			return;
		pb->report_to = r;
		pb->nreport_to = json_array_size(v);
	}
	json_array_foreach(v, i, e)
	{
		struct pb_report *r = (struct pb_report *)&pb->report_to[i];
		char path[64];
		const char *when;

		snprintf(path, sizeof path, "$.report_to[%zu]", i);
		if (!json_is_object(e)) {
			problem(ck, path, "must be an object%s", "");
			continue;
		}
		r->target = get_string(ck, e, path, "target", true);
		when = get_string(ck, e, path, "when", true);
		if (when == NULL)
			continue;
		if (strcmp(when, "always") == 0)
			r->when = PB_WHEN_ALWAYS;
		else if (strcmp(when, "money") == 0)
			r->when = PB_WHEN_MONEY;
		else if (strcmp(when, "personal_data") == 0)
			r->when = PB_WHEN_PERSONAL_DATA;
		else
			problem(ck, path, "when must be always, money or personal_data, not \"%s\"",
			        when);
	}
}

static void load_report_to(struct playbook_set *set, struct check *ck, json_t *doc)
{
	json_t *targets = json_object_get(doc, "targets");
	json_t *sources = json_object_get(doc, "sources");
	const char *tag;
	json_t *e;
	size_t i;

	if (!json_is_array(targets) || json_array_size(targets) == 0) {
		problem(ck, "$.targets", "must be a non-empty array%s", "");
	} else {
		set->targets = set_alloc(set, ck, json_array_size(targets) * sizeof *set->targets);
		if (set->targets == NULL)
			return;
		json_array_foreach(targets, i, e)
		{
			struct pb_target *t = &set->targets[set->ntargets];
			char path[64];

			snprintf(path, sizeof path, "$.targets[%zu]", i);
			if (!json_is_object(e)) {
				problem(ck, path, "must be an object%s", "");
				continue;
			}
			t->id = get_string(ck, e, path, "id", true);
			get_text(ck, e, path, "name", &t->name);
			get_text(ck, e, path, "how", &t->how);
			t->legal_deadline = json_is_true(json_object_get(e, "legal_deadline"));
			t->sources = get_sources(set, ck, e, path);
			if (t->id != NULL)
				set->ntargets++;
		}
	}
	if (!json_is_object(sources) || json_object_size(sources) == 0) {
		problem(ck, "$.sources", "must be an object of source tags%s", "");
		return;
	}
	set->sources = set_alloc(set, ck, json_object_size(sources) * sizeof *set->sources);
	if (set->sources == NULL)
		return;
	json_object_foreach(sources, tag, e)
	{
		struct pb_source *s = &set->sources[set->nsources];
		char path[128];

		snprintf(path, sizeof path, "$.sources.%s", tag);
		if (!json_is_object(e)) {
			problem(ck, path, "must be an object {title, url}%s", "");
			continue;
		}
		s->tag = tag;
		s->title = get_string(ck, e, path, "title", true);
		s->url = get_string(ck, e, path, "url", false);
		if (s->url == NULL)
			s->url = "";
		if (s->title != NULL)
			set->nsources++;
	}
}

/* "YYYY-MM-DD" with a month 01..12 and a day 01..31. */
static bool valid_date(const char *s)
{
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
			return false;
	if (s[10] != '\0')
		return false;
	{
		int month = (s[5] - '0') * 10 + (s[6] - '0');
		int day = (s[8] - '0') * 10 + (s[9] - '0');

		return month >= 1 && month <= 12 && day >= 1 && day <= 31;
	}
}

static bool valid_web_address(const char *s)
{
	return (strncmp(s, "https://", 8) == 0 && s[8] != '\0') ||
	       (strncmp(s, "http://", 7) == 0 && s[7] != '\0');
}

/* A phone number as dialled: digits, with '-' between groups, or "#9110". */
static bool valid_phone(const char *s)
{
	int digits = 0;

	if (*s == '#')
		s++;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s != '-' || digits == 0 || s[1] == '-' || s[1] == '\0')
			return false;
	}
	return digits >= 3;
}

/* An optional {ja, en} pair: both or neither; NULLs when absent. */
static void get_optional_text(struct check *ck, json_t *obj, const char *path, const char *key,
                              struct pb_text *out)
{
	out->s[LANG_JA] = out->s[LANG_EN] = NULL;
	if (json_object_get(obj, key) == NULL)
		return;
	get_text(ck, obj, path, key, out);
}

/* prefectures.json $.prefectures[i].cyber_desk: optional. */
static void load_cyber_desk(struct check *ck, json_t *pref, const char *path,
                            struct pb_cyber_desk *desk)
{
	json_t *v = json_object_get(pref, "cyber_desk");
	const char *known[] = {"ja", "en", "phone", "url", "hours", "source", "checked"};
	char sub[128];
	const char *key;
	json_t *e;

	memset(desk, 0, sizeof *desk);
	if (v == NULL)
		return;
	snprintf(sub, sizeof sub, "%s.cyber_desk", path);
	if (!json_is_object(v)) {
		problem(ck, sub, "must be an object {ja, en, phone, url, hours, source, checked}%s",
		        "");
		return;
	}
	json_object_foreach(v, key, e)
	{
		bool ok = false;

		for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
			ok = ok || strcmp(key, known[k]) == 0;
		if (!ok)
			problem(
			    ck, sub,
			    "unknown key \"%s\"; use ja, en, phone, url, hours, source, checked",
			    key);
	}
	desk->present = true;
	if (json_object_get(v, "ja") != NULL || json_object_get(v, "en") != NULL) {
		desk->name.s[LANG_JA] = get_string(ck, v, sub, "ja", true);
		desk->name.s[LANG_EN] = get_string(ck, v, sub, "en", true);
	}
	desk->phone = get_string(ck, v, sub, "phone", false);
	desk->url = get_string(ck, v, sub, "url", false);
	if (desk->phone == NULL && desk->url == NULL)
		problem(ck, sub, "gives neither a phone nor a url%s", "");
	/* A part that fails its check is not handed out. */
	if (desk->phone != NULL && !valid_phone(desk->phone)) {
		problem(ck, sub,
		        "phone \"%s\" must be digits and '-' as dialled, e.g. 03-1234-5678",
		        desk->phone);
		desk->phone = NULL;
	}
	if (desk->url != NULL && !valid_web_address(desk->url)) {
		problem(ck, sub, "url \"%s\" must start with https:// or http://", desk->url);
		desk->url = NULL;
	}
	get_optional_text(ck, v, sub, "hours", &desk->hours);
	desk->source = get_string(ck, v, sub, "source", true);
	if (desk->source != NULL && !valid_web_address(desk->source))
		problem(ck, sub,
		        "source \"%s\" must be the address of the page the desk was read from",
		        desk->source);
	desk->checked = get_string(ck, v, sub, "checked", true);
	if (desk->checked != NULL && !valid_date(desk->checked))
		problem(ck, sub, "checked must be a date YYYY-MM-DD, not \"%s\"", desk->checked);
}

static void load_prefectures(struct playbook_set *set, struct check *ck, json_t *doc)
{
	json_t *regions = json_object_get(doc, "regions");
	json_t *prefs = json_object_get(doc, "prefectures");
	json_t *e;
	size_t i;

	if (!json_is_array(regions) || json_array_size(regions) == 0) {
		problem(ck, "$.regions", "must be a non-empty array%s", "");
		return;
	}
	set->regions = set_alloc(set, ck, json_array_size(regions) * sizeof *set->regions);
	if (set->regions == NULL)
		return;
	json_array_foreach(regions, i, e)
	{
		struct pb_region *r = &set->regions[set->nregions];
		char path[64];

		snprintf(path, sizeof path, "$.regions[%zu]", i);
		r->id = get_string(ck, e, path, "id", true);
		r->name.s[LANG_JA] = get_string(ck, e, path, "ja", true);
		r->name.s[LANG_EN] = get_string(ck, e, path, "en", true);
		if (r->id != NULL)
			set->nregions++;
	}
	if (!json_is_array(prefs) || json_array_size(prefs) != PB_PREFECTURES) {
		problem(ck, "$.prefectures", "must be an array of the 47 prefectures%s", "");
		return;
	}
	json_array_foreach(prefs, i, e)
	{
		struct pb_prefecture *p = &set->prefs[i];
		char path[64];
		char want[24];
		const char *region;

		snprintf(path, sizeof path, "$.prefectures[%zu]", i);
		snprintf(want, sizeof want, "%02zu", i + 1);
		p->code = get_string(ck, e, path, "code", true);
		if (p->code != NULL && strcmp(p->code, want) != 0)
			problem(ck, path, "code must be \"%s\" (JIS X 0401 order)", want);
		p->iso = get_string(ck, e, path, "iso", true);
		p->name.s[LANG_JA] = get_string(ck, e, path, "ja", true);
		p->name.s[LANG_EN] = get_string(ck, e, path, "en", true);
		get_text(ck, e, path, "police", &p->police);
		region = get_string(ck, e, path, "region", true);
		p->region = region != NULL ? playbook_region(set, region) : NULL;
		if (region != NULL && p->region == NULL)
			problem(ck, path, "region \"%s\" is not in $.regions", region);
		load_cyber_desk(ck, e, path, &p->cyber_desk);
		set->nprefs++;
	}
}

/* Cross-file checks: every target and source tag a playbook names exists. */
static void check_references(struct playbook_set *set, struct buf *errors, int *problems)
{
	for (size_t b = 0; b < set->nbooks; b++) {
		const struct playbook *pb = &set->books[b];
		char file[64];
		struct check ck = {errors, file, 0, 0};
		const struct pb_item *lists[3] = {pb->steps, pb->dont, pb->evidence};
		const size_t counts[3] = {pb->nsteps, pb->ndont, pb->nevidence};
		const char *names[3] = {"steps", "dont", "evidence"};

		snprintf(file, sizeof file, "%s.json", pb->id);
		for (size_t r = 0; r < pb->nreport_to; r++) {
			char path[64];

			snprintf(path, sizeof path, "$.report_to[%zu].target", r);
			if (pb->report_to[r].target != NULL &&
			    playbook_target(set, pb->report_to[r].target) == NULL)
				problem(&ck, path, "\"%s\" is not a target in report_to.json",
				        pb->report_to[r].target);
		}
		for (int l = 0; l < 3; l++) {
			for (size_t i = 0; lists[l] != NULL && i < counts[l]; i++) {
				for (size_t s = 0;
				     lists[l][i].sources != NULL && lists[l][i].sources[s] != NULL;
				     s++) {
					char path[96];

					snprintf(path, sizeof path, "$.%s[%zu].sources[%zu]",
					         names[l], i, s);
					if (set->nsources != 0 &&
					    playbook_source(set, lists[l][i].sources[s]) == NULL)
						problem(&ck, path,
						        "\"%s\" is not in the source register of "
						        "report_to.json",
						        lists[l][i].sources[s]);
				}
			}
		}
		*problems += ck.problems;
	}
	/* The directory's own targets rest on the register too. */
	{
		struct check ck = {errors, "report_to.json", 0, 0};

		for (size_t t = 0; t < set->ntargets && set->nsources != 0; t++)
			for (size_t s = 0;
			     set->targets[t].sources != NULL && set->targets[t].sources[s] != NULL;
			     s++)
				if (playbook_source(set, set->targets[t].sources[s]) == NULL) {
					char path[96];

					snprintf(path, sizeof path, "$.targets[%zu].sources[%zu]",
					         t, s);
					problem(&ck, path,
					        "\"%s\" is not in the source register of "
					        "report_to.json",
					        set->targets[t].sources[s]);
				}
		*problems += ck.problems;
	}
}

static int by_order(const void *a, const void *b)
{
	const struct playbook *x = a, *y = b;

	return (x->order > y->order) - (x->order < y->order);
}

int playbook_set_load(const char *dir, struct playbook_set **out, struct buf *errors)
{
	struct playbook_set *set = calloc(1, sizeof *set);
	int problems = 0;
	int oom = 0;
	json_t *doc;
	DIR *d;
	struct dirent *de;

	if (set == NULL)
		return -ENOMEM;
	for (size_t t = 0; t < PLAYBOOK_TYPES; t++) {
		char file[64];
		struct check ck = {errors, file, 0, 0};

		snprintf(file, sizeof file, "%s.json", playbook_types[t]);
		doc = load_file(&ck, dir, file);
		if (doc != NULL) {
			set->docs[set->ndocs++] = doc;
			load_playbook(set, &ck, doc, playbook_types[t]);
		}
		problems += ck.problems;
		oom |= ck.oom;
	}
	{
		struct check ck = {errors, "report_to.json", 0, 0};

		doc = load_file(&ck, dir, "report_to.json");
		if (doc != NULL) {
			set->docs[set->ndocs++] = doc;
			load_report_to(set, &ck, doc);
		}
		problems += ck.problems;
		oom |= ck.oom;
	}
	{
		struct check ck = {errors, "prefectures.json", 0, 0};

		doc = load_file(&ck, dir, "prefectures.json");
		if (doc != NULL) {
			set->docs[set->ndocs++] = doc;
			load_prefectures(set, &ck, doc);
		}
		problems += ck.problems;
		oom |= ck.oom;
	}
	/* A JSON file nobody reads is most likely a misspelt incident type. */
	d = opendir(dir);
	if (d == NULL) {
		if (errors != NULL)
			buf_printf(errors, "%s: cannot open the playbooks folder: %s\n", dir,
			           strerror(errno));
		problems++;
	} else {
		while ((de = readdir(d)) != NULL) {
			size_t n = strlen(de->d_name);
			bool known = strcmp(de->d_name, "report_to.json") == 0 ||
			             strcmp(de->d_name, "prefectures.json") == 0;

			if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
				continue;
			for (size_t t = 0; t < PLAYBOOK_TYPES && !known; t++)
				known = strncmp(de->d_name, playbook_types[t], n - 5) == 0 &&
				        strlen(playbook_types[t]) == n - 5;
			if (!known) {
				struct check ck = {errors, de->d_name, 0, 0};

				problem(
				    &ck, "$",
				    "not a known incident type; expected one of ransomware, "
				    "malware, "
				    "phishing, bec, unauthorized_access, defacement, data_leak, "
				    "lost_device, ddos, suspicious_email, insider, unknown%s",
				    "");
				problems += ck.problems;
			}
		}
		closedir(d);
	}
	check_references(set, errors, &problems);
	if (oom) {
		playbook_set_free(set);
		return -ENOMEM;
	}
	if (problems != 0) {
		playbook_set_free(set);
		return -EINVAL;
	}
	qsort(set->books, set->nbooks, sizeof set->books[0], by_order);
	*out = set;
	return 0;
}

void playbook_set_free(struct playbook_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->nallocs; i++)
		free(set->allocs[i]);
	free(set->allocs);
	for (size_t i = 0; i < set->ndocs; i++)
		json_decref(set->docs[i]);
	free(set);
}

size_t playbook_count(const struct playbook_set *set)
{
	return set->nbooks;
}

const struct playbook *playbook_at(const struct playbook_set *set, size_t i)
{
	return i < set->nbooks ? &set->books[i] : NULL;
}

const struct playbook *playbook_find(const struct playbook_set *set, const char *id)
{
	for (size_t i = 0; i < set->nbooks; i++)
		if (strcmp(set->books[i].id, id) == 0)
			return &set->books[i];
	return NULL;
}

const struct pb_target *playbook_target(const struct playbook_set *set, const char *id)
{
	for (size_t i = 0; i < set->ntargets; i++)
		if (strcmp(set->targets[i].id, id) == 0)
			return &set->targets[i];
	return NULL;
}

const struct pb_source *playbook_source(const struct playbook_set *set, const char *tag)
{
	for (size_t i = 0; i < set->nsources; i++)
		if (strcmp(set->sources[i].tag, tag) == 0)
			return &set->sources[i];
	return NULL;
}

size_t playbook_prefecture_count(const struct playbook_set *set)
{
	return set->nprefs;
}

const struct pb_prefecture *playbook_prefecture_at(const struct playbook_set *set, size_t i)
{
	return i < set->nprefs ? &set->prefs[i] : NULL;
}

const struct pb_prefecture *playbook_prefecture(const struct playbook_set *set, const char *code)
{
	if (code == NULL || code[0] < '0' || code[0] > '9' || code[1] < '0' || code[1] > '9' ||
	    code[2] != '\0')
		return NULL;
	{
		size_t n = (size_t)((code[0] - '0') * 10 + (code[1] - '0'));

		return n >= 1 && n <= set->nprefs ? &set->prefs[n - 1] : NULL;
	}
}

size_t playbook_region_count(const struct playbook_set *set)
{
	return set->nregions;
}

const struct pb_region *playbook_region_at(const struct playbook_set *set, size_t i)
{
	return i < set->nregions ? &set->regions[i] : NULL;
}

const struct pb_region *playbook_region(const struct playbook_set *set, const char *id)
{
	for (size_t i = 0; i < set->nregions; i++)
		if (strcmp(set->regions[i].id, id) == 0)
			return &set->regions[i];
	return NULL;
}
