/* SPDX-License-Identifier: ISC */
/*
 * http_api — the JSON API: cases, playbooks, health; see http_req.h.
 *
 * Errors are {"error": what to fix, "field": the field or null}, plus
 * "errors" listing every field at fault, so a front end can mark them all.
 */
#include <errno.h>
#include <string.h>

#include "http_req.h"
#include "intake.h"
#include "oncall.h"
#include "log.h"
#include "text.h"

void http_api_health(struct http_req *r)
{
	int64_t n = store_case_count(http_store(r));

	if (n < 0) {
		http_respond_json(r, 503,
		                  json_pack("{s:s,s:s}", "status", "unavailable", "error",
		                            "the store cannot be read"));
		return;
	}
	http_respond_json(r, 200,
	                  json_pack("{s:s,s:I,s:i}", "status", "ok", "cases", (json_int_t)n,
	                            "playbooks", (int)playbook_count(http_playbooks(r))));
}

static json_t *text_json(const struct pb_text *t)
{
	return json_pack("{s:s,s:s}", "ja", t->s[LANG_JA], "en", t->s[LANG_EN]);
}

void http_api_playbooks(struct http_req *r)
{
	const struct playbook_set *set = http_playbooks(r);
	json_t *list = json_array();

	for (size_t i = 0; i < playbook_count(set); i++) {
		const struct playbook *pb = playbook_at(set, i);

		json_array_append_new(list, json_pack("{s:s,s:o,s:o,s:o,s:s,s:i}", "id", pb->id,
		                                      "name", text_json(&pb->name), "picker",
		                                      text_json(&pb->picker), "summary",
		                                      text_json(&pb->summary), "updated",
		                                      pb->updated, "steps", (int)pb->nsteps));
	}
	http_respond_json(r, 200, json_pack("{s:o}", "playbooks", list));
}

void http_api_playbook(struct http_req *r)
{
	const struct playbook *pb = playbook_find(http_playbooks(r), r->arg);

	if (pb == NULL) {
		http_respond_error(
		    r, 404, "No playbook with that id; GET /api/v1/playbooks lists them.", NULL);
		return;
	}
	http_respond_json(r, 200, json_incref(pb->json));
}

static void on_api_case_stored(struct http_req *r, int status)
{
	struct guidance g;
	struct guidance_facts f;
	struct buf url;
	char received[32];
	json_t *o;

	if (status < 0) {
		http_respond_error(
		    r, 503,
		    status == -ENOSPC
		        ? "The report could not be saved: the server's disk is full. Nothing was "
		          "stored; please try again in a few minutes or call the hotline."
		        : "The report could not be saved. Nothing was stored; please try again "
		          "in a moment.",
		    NULL);
		return;
	}
	guidance_facts_of_input(&r->in, &f);
	if (guidance_build(&g, http_playbooks(r), &f, r->in.lang) < 0) {
		http_respond_error(
		    r, 500, "The case was stored but its guidance could not be built.", NULL);
		return;
	}
	buf_init(&url, 1024);
	http_status_url(r, &url, r->rep.nc.ref, r->rep.token);
	text_rfc3339_format(r->received_ms, received);
	o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "ref", r->rep.nc.ref, "token", r->rep.token,
	              "status_url", url.data != NULL ? url.data : "", "received_at", received,
	              "guidance", guidance_to_json(&g, NULL));
	buf_fini(&url);
	guidance_fini(&g);
	r->guidance_case_id = r->rep.nc.case_id;
	http_respond_json(r, 201, o);
}

void http_api_case_post(struct http_req *r)
{
	struct intake_errors errs;
	json_error_t jerr;
	json_t *body;
	enum lang lang = LANG_EN;
	int rc;

	if (!text_utf8_valid(r->body.data != NULL ? r->body.data : "", r->body.len)) {
		http_respond_error(
		    r, 400, "The body is not valid UTF-8; send the JSON encoded as UTF-8.", NULL);
		return;
	}
	body = json_loadb(r->body.data != NULL ? r->body.data : "", r->body.len,
	                  JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL || !json_is_object(body)) {
		char msg[300];

		if (body == NULL)
			snprintf(msg, sizeof msg,
			         "The body is not valid JSON (line %d, column %d: %s).", jerr.line,
			         jerr.column, jerr.text);
		else
			snprintf(msg, sizeof msg,
			         "The body must be a JSON object with the report's fields.");
		json_decref(body);
		http_respond_error(r, 400, msg, NULL);
		return;
	}
	{
		const char *l = json_string_value(json_object_get(body, "lang"));

		if (l != NULL)
			lang_parse(l, &lang);
	}
	rc = intake_check(http_playbooks(r), INTAKE_JSON, intake_json_field, body, r->received_ms,
	                  &r->in, &errs);
	json_decref(body);
	if (rc == -EINVAL) {
		json_t *all = json_array();

		for (size_t i = 0; i < errs.n; i++)
			json_array_append_new(all, json_pack("{s:s,s:s}", "field", errs.e[i].field,
			                                     "error", errs.e[i].msg[lang]));
		http_respond_json(r, 400,
		                  json_pack("{s:s,s:s,s:o}", "error", errs.e[0].msg[lang], "field",
		                            errs.e[0].field, "errors", all));
		return;
	}
	if (rc < 0) {
		http_respond_error(r, 500, "Out of memory; please try again.", NULL);
		return;
	}
	r->in.channel = "api";
	http_case_submit(r, on_api_case_stored);
}

static const char *bearer_token(struct http_req *r)
{
	const char *auth = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);

	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
		return auth + 7;
	return http_query(r, "t");
}

/* The reporter's view of the timeline: what happened and when, without the
 * relay's internals (who was alerted, who passed). */
static json_t *timeline_json(const struct case_record *rec)
{
	json_t *list = json_array();

	for (size_t i = 0; i < rec->nevents; i++) {
		const struct case_event *e = &rec->events[i];
		char at[32];
		json_t *o;

		if (!case_event_public(e->kind))
			continue;
		text_rfc3339_format(e->at_ms, at);
		o = json_pack("{s:s,s:s}", "at", at, "event", e->kind);
		if (e->elapsed_us >= 0)
			json_object_set_new(o, "elapsed_ms",
			                    json_real((double)e->elapsed_us / 1000.0));
		if (strcmp(e->kind, "received") == 0 || strncmp(e->kind, "guidance_", 9) == 0) {
			if (e->actor != NULL)
				json_object_set_new(o, "actor", json_string(e->actor));
			if (e->detail != NULL) {
				json_t *d = json_loads(e->detail, 0, NULL);

				if (d != NULL)
					json_object_set_new(o, "detail", d);
			}
		}
		json_array_append_new(list, o);
	}
	return list;
}

void http_api_case_get(struct http_req *r)
{
	struct case_record *rec;
	struct guidance g;
	struct guidance_facts f;
	char received[32], noticed[32];
	json_t *o;
	int rc = http_case_lookup(r, r->arg, bearer_token(r), &rec);

	if (rc == -ENOENT) {
		http_respond_error(r, 404, "No such case, or the token does not open it.", NULL);
		return;
	}
	if (rc < 0) {
		http_respond_error(r, 503, "The store cannot be read right now; try again shortly.",
		                   NULL);
		return;
	}
	guidance_facts_of_record(rec, &f);
	text_rfc3339_format(rec->received_ms, received);
	text_rfc3339_format(rec->noticed_at_ms, noticed);
	o = json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?}", "ref", rec->ref,
	    "state", rec->state, "channel", rec->channel, "received_at", received, "incident_type",
	    rec->incident_type, "still_happening", case_tri_name(rec->still_happening),
	    "money_involved", case_tri_name(rec->money_involved), "personal_data",
	    case_tri_name(rec->personal_data), "noticed", case_noticed_name(rec->noticed),
	    "noticed_at", noticed, "prefecture", rec->prefecture, "company", rec->company, "name",
	    rec->name, "phone", rec->phone, "email", rec->email, "description", rec->description);
	json_object_set_new(o, "lang", json_string(lang_code(rec->lang)));
	if (rec->noticed == NOTICED_UNKNOWN)
		json_object_set_new(o, "noticed_at", json_null());
	json_object_set_new(o, "sensitive_data", json_string(case_tri_name(rec->sensitive_data)));
	json_object_set_new(o, "financial_harm", json_string(case_tri_name(rec->financial_harm)));
	json_object_set_new(o, "over_1000", json_string(case_tri_name(rec->over_1000)));
	if (rec->lost_or_stolen != LOS_UNSET)
		json_object_set_new(o, "lost_or_stolen",
		                    json_string(case_los_name(rec->lost_or_stolen)));
	if (guidance_build(&g, http_playbooks(r), &f, rec->lang) == 0) {
		json_object_set_new(o, "guidance", guidance_to_json(&g, NULL));
		guidance_fini(&g);
	}
	json_object_set_new(o, "timeline", timeline_json(rec));
	case_record_free(rec);
	http_respond_json(r, 200, o);
}

void http_api_oncall(struct http_req *r)
{
	const char *pref = http_query(r, "prefecture");
	const char *at = http_query(r, "at");
	const struct roster *roster = http_roster(r);
	int64_t at_ms = r->received_ms;
	struct oncall oc;
	json_t *list;
	char when[32];

	if (pref == NULL || playbook_prefecture(http_playbooks(r), pref) == NULL) {
		http_respond_error(r, 400, "Give ?prefecture= as a JIS code \"01\" to \"47\".",
		                   "prefecture");
		return;
	}
	if (at != NULL && text_rfc3339_parse(at, &at_ms) < 0) {
		http_respond_error(
		    r, 400, "Give ?at= as an RFC 3339 time such as 2026-11-22T09:00:00+09:00.",
		    "at");
		return;
	}
	memset(&oc, 0, sizeof oc);
	if (roster != NULL)
		oncall_at(roster, http_playbooks(r), pref, at_ms, &oc);
	list = json_array();
	for (size_t i = 0; i < oc.n; i++)
		json_array_append_new(list,
		                      json_pack("{s:s,s:s,s:s,s:s}", "id", oc.e[i].who->id, "name",
		                                oc.e[i].who->name, "specialties",
		                                oc.e[i].who->specialties, "why", oc.e[i].why));
	text_rfc3339_format(at_ms, when);
	http_respond_json(r, 200,
	                  json_pack("{s:s,s:s,s:b,s:o}", "prefecture", pref, "at", when,
	                            "scheduled", oc.scheduled, "oncall", list));
}
