/* SPDX-License-Identifier: ISC */
/* Unit tests: importing the coordinators' roster from spreadsheet CSV and
 * JSON, exporting it again, and keeping it in a real store. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "pbfixture.h"
#include "oncall.h"
#include "roster.h"
#include "storetest.h"
#include "text.h"

TestSuite(roster, .init = pbfixture_setup, .fini = pbfixture_teardown);

/* Reads tests/fixtures/NAME into B. */
static void fixture(const char *name, struct buf *b)
{
	const char *src = getenv("KK_SRC");
	char path[4096];
	char chunk[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/tests/fixtures/%s", src != NULL ? src : ".", name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	buf_init(b, 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		cr_assert_eq(buf_append(b, chunk, n), 0);
	fclose(f);
}

static struct roster *parse_fixture(const char *name)
{
	struct roster *r = NULL;
	struct buf text, errors;

	fixture(name, &text);
	buf_init(&errors, 65536);
	cr_assert_eq(roster_parse(text.data, text.len, pbfixture_set, &r, &errors), 0, "%s",
	             errors.data);
	buf_fini(&errors);
	buf_fini(&text);
	return r;
}

static int type_bit(const char *type)
{
	for (int i = 0; i < PLAYBOOK_TYPES; i++)
		if (strcmp(playbook_types[i], type) == 0)
			return i;
	cr_assert_fail("no type %s", type);
	return -1;
}

static uint64_t pref_bit(int code)
{
	return 1ULL << (code - 1);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

Test(roster, csv_from_a_spreadsheet_with_bom_crlf_and_quoted_commas_imports)
{
	struct roster *r = parse_fixture("roster-osaka.csv");
	const struct specialist *s;

	cr_assert_eq(r->n, 4, "the blank line and the row of commas are not specialists");
	s = roster_by_id(r, "tanaka");
	cr_assert_not_null(s);
	cr_assert_str_eq(s->name, "Tanaka, Hiroshi");
	cr_assert_str_eq(s->jid, "tanaka@example.jp", "JIDs are lower-cased");
	cr_assert_str_eq(s->email, "tanaka@example.jp");
	cr_assert_str_eq(s->phone, "06-1234-5678");
	cr_assert_eq(s->pref_mask, pref_bit(27));
	cr_assert_eq(s->type_mask, (1u << type_bit("ransomware")) | (1u << type_bit("malware")));
	cr_assert_eq(s->lang_mask, (1u << LANG_JA) | (1u << LANG_EN));
	cr_assert(s->onsite && s->first_consult_free && s->active);

	s = roster_by_id(r, "sato");
	cr_assert_str_eq(s->name, "Sato \"Kinki\" Yuki");
	cr_assert_null(s->email);
	cr_assert_null(s->phone);
	cr_assert(s->active, "an empty active means active");
	cr_assert_not(s->onsite);

	s = roster_by_id(r, "suzuki");
	cr_assert_str_eq(s->name, "鈴木 一郎");
	cr_assert_eq(s->pref_mask, pref_bit(13) | pref_bit(14));
	cr_assert_eq(s->lang_mask, 1u << LANG_JA, "no language means Japanese");

	s = roster_by_id(r, "yamada");
	cr_assert_not(s->active);
	cr_assert_eq(s->lang_mask, 1u << LANG_EN);
	cr_assert_eq(s->type_mask, (1u << PLAYBOOK_TYPES) - 1, "no specialty means all");
	cr_assert_eq(s->pref_mask, (1ULL << 47) - 1);
	roster_free(r);
}

/* Parses LEN bytes of TEXT, asserting that they are refused, with the
 * messages in a fresh ERRORS (buf_fini frees it). Returns what was left in
 * the result, which starts out as a pointer that is not NULL. */
static struct roster *refused(const char *text, size_t len, struct buf *errors)
{
	struct roster *r = (struct roster *)1;

	buf_init(errors, 65536);
	cr_assert_eq(roster_parse(text, len, pbfixture_set, &r, errors), -EINVAL);
	return r;
}

/* Asserts that ERRORS say WHAT. */
static void says(const struct buf *errors, const char *what)
{
	cr_assert_not_null(strstr(errors->data, what), "%s", errors->data);
}

/* Asserts that LEN bytes of TEXT are refused with each of the messages in
 * WHAT, a NULL-terminated list. */
static void refused_saying(const char *text, size_t len, const char *const *what)
{
	struct buf errors;

	refused(text, len, &errors);
	for (; *what != NULL; what++)
		says(&errors, *what);
	buf_fini(&errors);
}

Test(roster, a_bad_row_is_reported_with_its_line_number_and_nothing_is_imported)
{
	struct buf text, errors;

	fixture("roster-bad.csv", &text);
	cr_assert_null(refused(text.data, text.len, &errors));
	/* Row 3 spans lines 3 and 4 (a quoted line break), so the next row is
	 * on line 5. */
	says(&errors, "line 3: id: \"bad id\" may contain only");
	says(&errors, "line 3: name: contains a line break");
	says(&errors,
	     "line 3: prefectures: \"kinky\" is not a prefecture code (01-47) or region "
	     "(hokkaido, tohoku, kanto, chubu, kinki, chugoku, shikoku, kyushu_okinawa)\n");
	says(&errors, "line 5: jid \"ok1@example.jp\" is used again (first on line 2)");
	says(&errors, "line 5: specialties: \"cooking\" is not an incident type");
	says(&errors, "line 6: id \"ok1\" is used again (first on line 2)");
	cr_assert_eq(count_lines(errors.data), 6, "%s", errors.data);
	buf_fini(&errors);
	buf_fini(&text);
}

Test(roster, a_header_without_jid_or_with_an_unknown_column_is_refused_by_name)
{
	const char *csv = "id,name,prefectures,pager\nx,X,27,123\n";
	static const char *const what[] = {
	    "line 1: unknown column \"pager\"; the columns are id, name, jid,",
	    "line 1: missing column \"jid\"", NULL};

	refused_saying(csv, strlen(csv), what);
}

Test(roster, an_empty_file_asks_for_the_header_row)
{
	static const char *const what[] = {"first line must name the columns", NULL};

	refused_saying("\xef\xbb\xbf\r\n", 5, what);
}

Test(roster, a_file_saved_as_shift_jis_is_refused_with_a_hint)
{
	/* "鈴木" in Shift_JIS, as Excel saves CSV by default in Japan. */
	const char *csv = "id,name,jid,prefectures\nsuzuki,\x97\xe9\x96\xd8,s@example.jp,13\n";
	static const char *const what[] = {"line 2: name: not valid UTF-8; save the file as UTF-8",
	                                   NULL};

	refused_saying(csv, strlen(csv), what);
}

Test(roster, region_names_expand_to_their_prefectures)
{
	uint64_t mask = 0;
	uint64_t kinki = 0;
	char err[512];

	for (int code = 24; code <= 30; code++)
		kinki |= pref_bit(code);
	cr_assert_eq(roster_parse_prefectures(pbfixture_set, "kinki", &mask, err, sizeof err), 0,
	             "%s", err);
	cr_assert_eq(mask, kinki);
	cr_assert_eq(
	    roster_parse_prefectures(pbfixture_set, "1; 13 ;Kinki", &mask, err, sizeof err), 0);
	cr_assert_eq(mask, pref_bit(1) | pref_bit(13) | kinki);
	cr_assert_eq(roster_parse_prefectures(pbfixture_set, "all", &mask, err, sizeof err), 0);
	cr_assert_eq(mask, (1ULL << 47) - 1);
	cr_assert_eq(roster_parse_prefectures(pbfixture_set, "27;48", &mask, err, sizeof err),
	             -EINVAL);
	cr_assert_str_eq(err, "\"48\" is not a prefecture code (01-47) or region (hokkaido, "
	                      "tohoku, kanto, chubu, kinki, chugoku, shikoku, kyushu_okinawa)");
	cr_assert_eq(roster_parse_prefectures(pbfixture_set, " ; ", &mask, err, sizeof err),
	             -EINVAL);
}

Test(roster, json_with_lists_as_arrays_or_strings_imports)
{
	struct roster *r = parse_fixture("roster-kinki.json");
	const struct specialist *s;
	uint64_t kinki;
	char err[256];

	cr_assert_eq(roster_parse_prefectures(pbfixture_set, "kinki", &kinki, err, sizeof err), 0);
	cr_assert_eq(r->n, 3);
	s = roster_by_id(r, "kobe-sec");
	cr_assert_eq(s->pref_mask, kinki);
	cr_assert_str_eq(s->prefectures, "kinki");
	cr_assert_str_eq(s->specialties, "ransomware;unauthorized_access");
	cr_assert_eq(s->type_mask,
	             (1u << type_bit("ransomware")) | (1u << type_bit("unauthorized_access")));
	cr_assert_eq(s->lang_mask, (1u << LANG_JA) | (1u << LANG_EN));
	cr_assert(s->onsite);
	cr_assert_not(s->first_consult_free);
	s = roster_by_id(r, "nara");
	cr_assert_str_eq(s->name, "奈良 花子");
	cr_assert_eq(s->pref_mask, pref_bit(29) | pref_bit(30));
	cr_assert_not(s->active);
	cr_assert_str_eq(s->phone, "0742-12-3456");
	s = roster_by_id(r, "okinawa");
	cr_assert_eq(s->pref_mask, pref_bit(47), "a number in the list is a prefecture code");
	cr_assert_eq(s->lang_mask, 1u << LANG_JA);
	cr_assert(s->active);
	roster_free(r);
}

Test(roster, a_bad_json_entry_is_named_by_its_index)
{
	const char *json = "[{\"id\": \"a\", \"name\": \"A\", \"jid\": \"a@example.jp\","
	                   " \"prefectures\": \"27\"},"
	                   " {\"id\": \"b\", \"name\": \"B\", \"prefectures\": [\"27\"],"
	                   " \"onsite\": \"maybe\", \"pager\": 1}]";
	struct buf errors;

	cr_assert_null(refused(json, strlen(json), &errors));
	says(&errors, "specialists[1]: unknown key \"pager\"");
	says(&errors, "specialists[1]: jid: missing");
	says(&errors, "specialists[1]: onsite: \"maybe\" is not yes/no");
	cr_assert_null(strstr(errors.data, "specialists[0]"), "%s", errors.data);
	buf_fini(&errors);
}

Test(roster, a_jid_with_a_resource_or_two_ats_is_refused)
{
	const char *csv = "id,name,jid,prefectures\n"
	                  "a,A,a@example.jp/phone,27\n"
	                  "b,B,b@c@example.jp,27\n"
	                  "c,C,c example.jp,27\n";
	struct buf errors;

	refused(csv, strlen(csv), &errors);
	cr_assert_eq(count_lines(errors.data), 3, "%s", errors.data);
	says(&errors, "line 2: jid: \"a@example.jp/phone\" is not a bare JID");
	buf_fini(&errors);
}

static void assert_same(const struct specialist *a, const struct specialist *b)
{
	cr_assert_str_eq(a->id, b->id);
	cr_assert_str_eq(a->name, b->name);
	cr_assert_str_eq(a->jid, b->jid);
	cr_assert_eq(a->email == NULL, b->email == NULL, "%s", a->id);
	if (a->email != NULL)
		cr_assert_str_eq(a->email, b->email);
	cr_assert_eq(a->phone == NULL, b->phone == NULL, "%s", a->id);
	if (a->phone != NULL)
		cr_assert_str_eq(a->phone, b->phone);
	cr_assert_str_eq(a->prefectures, b->prefectures);
	cr_assert_str_eq(a->specialties, b->specialties);
	cr_assert_str_eq(a->languages, b->languages);
	cr_assert_eq(a->pref_mask, b->pref_mask);
	cr_assert_eq(a->type_mask, b->type_mask);
	cr_assert_eq(a->lang_mask, b->lang_mask);
	cr_assert_eq(a->onsite, b->onsite);
	cr_assert_eq(a->first_consult_free, b->first_consult_free);
	cr_assert_eq(a->active, b->active);
}

static void assert_same_roster(const struct roster *a, const struct roster *b)
{
	cr_assert_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct specialist *other = roster_by_id(b, a->v[i].id);

		cr_assert_not_null(other, "%s is missing", a->v[i].id);
		assert_same(&a->v[i], other);
	}
}

Test(roster, an_exported_roster_imports_to_the_same_roster)
{
	struct roster *a = parse_fixture("roster-osaka.csv");
	struct roster *b = NULL;
	struct buf csv, errors;

	buf_init(&csv, 1024 * 1024);
	buf_init(&errors, 65536);
	cr_assert_eq(roster_export_csv(a, &csv), 0);
	cr_assert_eq(strncmp(csv.data,
	                     "id,name,jid,email,phone,prefectures,specialties,languages,"
	                     "onsite,first_consult_free,active\r\n",
	                     strlen("id,name,jid,email,phone,prefectures,specialties,languages,"
	                            "onsite,first_consult_free,active\r\n")),
	             0, "%s", csv.data);
	cr_assert_not_null(strstr(csv.data, "\"Sato \"\"Kinki\"\" Yuki\""), "%s", csv.data);
	cr_assert_eq(roster_parse(csv.data, csv.len, pbfixture_set, &b, &errors), 0, "%s\n%s",
	             errors.data, csv.data);
	assert_same_roster(a, b);
	roster_free(a);
	roster_free(b);
	buf_fini(&csv);
	buf_fini(&errors);
}

Test(roster, a_specialist_is_found_by_jid_whatever_its_case)
{
	struct roster *r = parse_fixture("roster-osaka.csv");

	cr_assert_not_null(roster_by_jid(r, "TANAKA@example.jp"));
	cr_assert_str_eq(roster_by_jid(r, "TANAKA@example.jp")->id, "tanaka");
	cr_assert_null(roster_by_jid(r, "nobody@example.jp"));
	cr_assert_null(roster_by_id(r, "nobody"));
	roster_free(r);
}

/* ---- with a real store ---- */

static int write_replace(struct store_tx *tx, void *arg)
{
	return roster_tx_replace(tx, arg);
}

struct schedule {
	struct rotation *rot;
	struct override *ov;
	int64_t id;
};

static int write_schedule(struct store_tx *tx, void *arg)
{
	struct schedule *s = arg;

	if (s->rot != NULL)
		return roster_tx_rotation_add(tx, s->rot, &s->id);
	return roster_tx_override_add(tx, s->ov, &s->id);
}

static int write_rotation_remove(struct store_tx *tx, void *arg)
{
	return roster_tx_rotation_remove(tx, *(int64_t *)arg);
}

Test(roster, the_roster_and_its_schedules_survive_the_store_and_bump_the_version)
{
	struct storetest t;
	struct roster *in = parse_fixture("roster-osaka.csv");
	struct roster *out = NULL;
	char *members[] = {"tanaka", "sato"};
	struct rotation rot = {0,   "kinki", ROTATION_WEEKLY, 9 * 60, "Asia/Tokyo",
	                       540, 0,       members,         2};
	struct override ov = {0, "27", "suzuki", 0, 0};
	struct schedule add_rot = {&rot, NULL, 0}, add_ov = {NULL, &ov, 0};
	int64_t v0, missing = 999;

	cr_assert_eq(text_rfc3339_parse("2026-11-16T09:00:00+09:00", &rot.start_ms), 0);
	cr_assert_eq(text_rfc3339_parse("2026-11-20T18:00:00+09:00", &ov.start_ms), 0);
	cr_assert_eq(text_rfc3339_parse("2026-11-21T09:00:00+09:00", &ov.end_ms), 0);
	storetest_open(&t);

	v0 = roster_version(t.st);
	cr_assert_geq(v0, 0);
	cr_assert_eq(storetest_write(&t, write_replace, in), 0);
	cr_assert_eq(roster_version(t.st), v0 + 1);
	cr_assert_eq(storetest_write(&t, write_schedule, &add_rot), 0);
	cr_assert_eq(storetest_write(&t, write_schedule, &add_ov), 0);
	cr_assert_eq(roster_version(t.st), v0 + 3);
	cr_assert_eq(storetest_write(&t, write_rotation_remove, &missing), -ENOENT);
	cr_assert_eq(roster_version(t.st), v0 + 3, "a failed write changes nothing");

	cr_assert_eq(roster_load(t.st, pbfixture_set, &out), 0);
	assert_same_roster(in, out);
	cr_assert_eq(out->nrot, 1);
	cr_assert_eq(out->rot[0].id, add_rot.id);
	cr_assert_str_eq(out->rot[0].scope, "kinki");
	cr_assert_eq(out->rot[0].period, ROTATION_WEEKLY);
	cr_assert_eq(out->rot[0].handoff_min, 9 * 60);
	cr_assert_str_eq(out->rot[0].tz, "Asia/Tokyo");
	cr_assert_eq(out->rot[0].tz_offset_min, 540);
	cr_assert_eq(out->rot[0].start_ms, rot.start_ms);
	cr_assert_eq(out->rot[0].nmembers, 2);
	cr_assert_str_eq(out->rot[0].members[0], "tanaka");
	cr_assert_str_eq(out->rot[0].members[1], "sato");
	cr_assert_eq(out->novr, 1);
	cr_assert_eq(out->ovr[0].id, add_ov.id);
	cr_assert_str_eq(out->ovr[0].specialist, "suzuki");
	cr_assert_eq(out->ovr[0].start_ms, ov.start_ms);
	cr_assert_eq(out->ovr[0].end_ms, ov.end_ms);
	roster_free(out);

	/* A second import replaces the list: nobody is left over. */
	in->n = 1;
	cr_assert_eq(storetest_write(&t, write_replace, in), 0);
	in->n = 4;
	cr_assert_eq(roster_load(t.st, pbfixture_set, &out), 0);
	cr_assert_eq(out->n, 1);
	cr_assert_eq(roster_version(t.st), v0 + 4);
	roster_free(out);

	storetest_close(&t);
	roster_free(in);
}

/* A roster cell a spreadsheet would run as a formula is exported with the
 * neutralising quote, and an import of that export gives the same roster,
 * leading spaces included. */
Test(roster, export_neutralises_formulas_and_an_import_of_it_gives_the_same_roster)
{
	static const char csv[] =
	    "id,name,jid,phone,prefectures,specialties\r\n"
	    "eve,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"open\"\")\",eve@example.jp,"
	    "+81 6 1234 5678,27,all\r\n"
	    "mal,@SUM(1+1),mal@example.jp,,27,all\r\n"
	    "sp,\"  Sato Yuki\",sp@example.jp,,27,all\r\n";
	struct roster *r = NULL, *again = NULL;
	struct buf errors, out;

	buf_init(&errors, 65536);
	buf_init(&out, 65536);
	cr_assert_eq(roster_parse(csv, strlen(csv), pbfixture_set, &r, &errors), 0, "%s",
	             errors.data);
	cr_assert_str_eq(roster_by_id(r, "sp")->name, "  Sato Yuki",
	                 "a quoted leading space is data");
	cr_assert_eq(roster_export_csv(r, &out), 0);
	cr_assert_null(strstr(out.data, ",=HYPERLINK"), "a formula left as it is:\n%s", out.data);
	cr_assert_null(strstr(out.data, ",\"=HYPERLINK"), "a formula left as it is:\n%s", out.data);
	cr_assert_not_null(strstr(out.data, "'=HYPERLINK"), "%s", out.data);
	cr_assert_not_null(strstr(out.data, "'@SUM(1+1)"), "%s", out.data);
	cr_assert_not_null(strstr(out.data, "'+81 6 1234 5678"), "%s", out.data);

	buf_reset(&errors);
	cr_assert_eq(roster_parse(out.data, out.len, pbfixture_set, &again, &errors), 0, "%s",
	             errors.data);
	cr_assert_str_eq(roster_by_id(again, "eve")->name,
	                 "=HYPERLINK(\"http://evil.example/\",\"open\")");
	cr_assert_str_eq(roster_by_id(again, "eve")->phone, "+81 6 1234 5678");
	cr_assert_str_eq(roster_by_id(again, "mal")->name, "@SUM(1+1)");
	cr_assert_str_eq(roster_by_id(again, "sp")->name, "  Sato Yuki");
	roster_free(again);
	roster_free(r);
	buf_fini(&out);
	buf_fini(&errors);
}
