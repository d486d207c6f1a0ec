/* SPDX-License-Identifier: ISC */
/*
 * http_form — the reporter's pages: the form, its answer and the status
 * page; see http_req.h.
 *
 * The body is decoded by MHD's post processor (URL-encoded or multipart),
 * into a fixed set of fields each with a cap; anything else is ignored.
 * Decoding and checking (http_form_new, _decode, _check, _value) need no
 * request state, so the form fuzzer drives the same code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http_req.h"
#include "intake.h"
#include "log.h"
#include "page.h"
#include "text.h"

#define FORM_VALUE_MAX (16 * 1024)

static const char *const form_fields[] = {
    "incident_type",  "still_happening", "noticed",        "noticed_at",
    "money_involved", "personal_data",   "sensitive_data", "financial_harm",
    "over_1000",      "lost_or_stolen",  "company",        "prefecture",
    "name",           "phone",           "email",          "description",
    "lang",
};
#define FORM_NFIELDS (sizeof form_fields / sizeof form_fields[0])

struct form_values {
	struct buf v[FORM_NFIELDS];
	bool set[FORM_NFIELDS];
};

struct form_values *http_form_new(void)
{
	struct form_values *f = calloc(1, sizeof *f);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < FORM_NFIELDS; i++)
		buf_init(&f->v[i], FORM_VALUE_MAX);
	return f;
}

void http_form_free(struct form_values *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < FORM_NFIELDS; i++)
		buf_fini(&f->v[i]);
	free(f);
}

static int field_index(const char *key)
{
	for (size_t i = 0; i < FORM_NFIELDS; i++)
		if (strcmp(form_fields[i], key) == 0)
			return (int)i;
	return -1;
}

static enum MHD_Result on_form_data(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *filename, const char *content_type,
                                    const char *transfer_encoding, const char *data, uint64_t off,
                                    size_t size)
{
	struct form_values *f = cls;
	int i = field_index(key);

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	(void)off;
	if (i < 0)
		return MHD_YES;
	f->set[i] = true;
	if (size != 0)
		buf_append(&f->v[i], data, size);
	return MHD_YES;
}

int http_form_decode(struct MHD_Connection *conn, const char *body, size_t len,
                     struct form_values *f)
{
	struct MHD_PostProcessor *pp = MHD_create_post_processor(conn, 4096, on_form_data, f);

	if (pp == NULL)
		return -ENOTSUP;
	if (len != 0)
		MHD_post_process(pp, body, len);
	MHD_destroy_post_processor(pp);
	return 0;
}

const char *http_form_value(void *src, const char *field)
{
	struct form_values *f = src;
	int i = field_index(field);

	if (i < 0 || !f->set[i])
		return NULL;
	return f->v[i].data != NULL ? f->v[i].data : "";
}

static int form_get(void *src, const char *field, const char **value)
{
	const char *v = http_form_value(src, field);

	if (v == NULL)
		return -ENOENT;
	*value = v;
	return 0;
}

int http_form_check(struct form_values *f, const struct playbook_set *set, int64_t now_ms,
                    struct case_input *in, struct intake_errors *errs)
{
	int rc = intake_check(set, INTAKE_FORM, form_get, f, now_ms, in, errs);

	if (rc == -EINVAL) {
		/* The values shown again must be safe to show: invalid UTF-8 is dropped. */
		for (size_t i = 0; i < FORM_NFIELDS; i++)
			if (f->v[i].data != NULL && !text_utf8_valid(f->v[i].data, f->v[i].len))
				buf_reset(&f->v[i]);
	}
	return rc;
}

static void respond_html(struct http_req *r, unsigned status, struct buf *b, int rc)
{
	if (rc < 0) {
		buf_fini(b);
		buf_init(b, PAGE_MAX);
		page_message(b, r->ui, r->ui == LANG_JA ? "エラー" : "Error",
		             r->ui == LANG_JA ? "ページを作れませんでした。もう一度お試しください。"
		                              : "The page could not be made; please try again.");
		status = 500;
	}
	http_respond(r, status, "text/html; charset=utf-8", b);
}

void http_form_get(struct http_req *r)
{
	struct buf b;
	int rc;

	buf_init(&b, PAGE_MAX);
	rc = page_form(&b, http_playbooks(r), r->ui, NULL, NULL, NULL);
	respond_html(r, 200, &b, rc);
}

static void on_form_case_stored(struct http_req *r, int status)
{
	struct guidance g;
	struct guidance_facts f;
	struct buf url, b;
	int rc;

	buf_init(&b, PAGE_MAX);
	if (status < 0) {
		rc = page_message(&b, r->ui,
		                  r->ui == LANG_JA ? "いま受け付けられません"
		                                   : "We cannot take reports right now",
		                  r->ui == LANG_JA
		                      ? "サーバーの不具合で、ご相談を保存できませんでした("
		                        "何も保存されていません)。"
		                        "数分後にもう一度送信するか、電話でご相談ください。その間も"
		                        "、LANケーブルを抜き、電源は切らずにおいてください。"
		                      : "A server fault kept us from saving your report (nothing "
		                        "was stored). Please send it "
		                        "again in a few minutes or call us. Meanwhile, unplug the "
		                        "network cable but keep the PC on.");
		respond_html(r, 503, &b, rc);
		return;
	}
	guidance_facts_of_input(&r->in, &f);
	rc = guidance_build(&g, http_playbooks(r), &f, r->in.lang);
	if (rc < 0) {
		respond_html(r, 500, &b, rc);
		return;
	}
	buf_init(&url, 1024);
	rc = http_status_url(r, &url, r->rep.nc.ref, r->rep.token);
	{
		struct page_details d = {r->in.company, r->in.name, r->in.phone, r->in.email,
		                         r->in.description};

		if (rc == 0)
			rc = page_result(&b, r->ui, r->rep.nc.ref, url.data, &g, &d);
	}
	buf_fini(&url);
	guidance_fini(&g);
	if (rc == 0)
		r->guidance_case_id = r->rep.nc.case_id;
	respond_html(r, 200, &b, rc);
}

void http_form_post(struct http_req *r)
{
	struct intake_errors errs;
	struct buf b;
	int rc;

	r->form = http_form_new();
	if (r->form == NULL)
		return;
	if (http_form_decode(r->conn, r->body.data, r->body.len, r->form) < 0) {
		buf_init(&b, PAGE_MAX);
		rc = page_message(
		    &b, r->ui, r->ui == LANG_JA ? "送信形式エラー" : "Unsupported form",
		    r->ui == LANG_JA ? "フォームの送信形式が正しくありません。"
		                     : "The form was not sent as a browser sends it.");
		respond_html(r, 415, &b, rc);
		return;
	}

	rc = http_form_check(r->form, http_playbooks(r), r->received_ms, &r->in, &errs);
	if (rc == 0) {
		r->in.channel = "web";
		http_case_submit(r, on_form_case_stored);
		return;
	}
	buf_init(&b, PAGE_MAX);
	if (rc == -EINVAL) {
		rc = page_form(&b, http_playbooks(r), r->ui, http_form_value, r->form, &errs);
		respond_html(r, 400, &b, rc);
		return;
	}
	respond_html(r, 500, &b, rc);
}

void http_case_page(struct http_req *r)
{
	struct case_record *rec;
	struct guidance g;
	struct guidance_facts f;
	struct buf b, self;
	const char *token = http_query(r, "t");
	int rc = http_case_lookup(r, r->arg, token, &rec);

	buf_init(&b, PAGE_MAX);
	if (rc < 0) {
		bool missing = rc == -ENOENT;

		rc = page_message(
		    &b, r->ui, r->ui == LANG_JA ? "見つかりません" : "Not found",
		    missing
		        ? (r->ui == LANG_JA
		               ? "このリンクの相談は見つかりません。リンクを最後までコピーしたか確"
		                 "認してください。"
		               : "No case matches this link. Check that the whole link was copied.")
		        : (r->ui == LANG_JA
		               ? "いま表示できません。少し待ってからもう一度お試しください。"
		               : "This page cannot be shown right now; try again shortly."));
		respond_html(r, missing ? 404 : 503, &b, rc);
		return;
	}
	guidance_facts_of_record(rec, &f);
	if (http_query(r, "lang") == NULL)
		r->ui = rec->lang;
	rc = guidance_build(&g, http_playbooks(r), &f, rec->lang);
	if (rc == 0) {
		buf_init(&self, 1024);
		rc = buf_printf(&self, "/cases/%s?t=%s", rec->ref, token);
		if (rc == 0)
			rc = page_status(&b, r->ui, rec, &g, self.data);
		buf_fini(&self);
		guidance_fini(&g);
	}
	case_record_free(rec);
	respond_html(r, 200, &b, rc);
}
