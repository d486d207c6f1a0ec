/* SPDX-License-Identifier: ISC */
/*
 * http_cases — the coordinators' queue of open cases, a case with its
 * whole timeline and the reporter's details, the actions on it (reassign,
 * note, contacted, resolve, the company's reports to the commission),
 * which go through the case service (casework.h), and the printable report
 * drafts; see http_dash.h.
 */
#include "http_dash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "case_flow.h"
#include "casework.h"
#include "draft.h"
#include "log.h"
#include "store_cases.h"
#include "store_reminders.h"
#include "store_timeline.h"
#include "text.h"

/* ---- the queue ---- */

struct queue {
	struct http_req *r;
	const struct playbook_set *set;
	const struct roster *roster;
	double target[STATS_CLOCKS];
	int64_t now_ms;
	struct page_dash_queue_row *rows;
	size_t n;
};

static int on_queue_row(void *arg, struct store_row *row)
{
	struct queue *q = arg;
	struct page_dash_queue_row *o = &q->rows[q->n];
	const struct pb_prefecture *pf = playbook_prefecture(q->set, store_row_text(row, 2));
	const struct playbook *pb = playbook_find(q->set, store_row_text(row, 3));
	bool acked = !store_row_is_null(row, 6);
	double age;

	if (q->n == DASH_QUEUE_MAX)
		return 1;
	memset(o, 0, sizeof *o);
	snprintf(o->ref, sizeof o->ref, "%s", store_row_text(row, 0));
	o->received_ms = store_row_int(row, 1);
	o->prefecture = pf != NULL ? pf->name.s[q->r->ui] : "?";
	o->type = pb != NULL ? pb->name.s[q->r->ui] : "?";
	snprintf(o->state, sizeof o->state, "%s", store_row_text(row, 4));
	dash_who_is(q->roster, store_row_text(row, 5), o->assignee, sizeof o->assignee);
	o->ack_s = acked ? (double)store_row_int(row, 6) / 1e6 : -1;
	if (acked)
		dash_who_is(q->roster, store_row_text(row, 7), o->acked_by, sizeof o->acked_by);
	age = (double)(q->now_ms - o->received_ms) / 1000.0;
	if (!acked && o->assignee[0] == '\0') {
		o->running = STATS_ACK;
		o->running_s = age;
	} else if (store_row_is_null(row, 8)) {
		o->running = STATS_CONTACT;
		o->running_s = age;
	} else if (!store_row_is_null(row, 9) && store_row_is_null(row, 10)) {
		o->running = STATS_ONSITE;
		o->running_s = (double)(q->now_ms - store_row_int(row, 9)) / 1000.0;
	} else {
		o->running = STATS_RESOLVE;
		o->running_s = age;
	}
	o->target_s = q->target[o->running];
	o->late = o->target_s > 0 && o->running_s > o->target_s;
	q->n++;
	return 0;
}

static void queue_page(struct http_req *r, const struct auth_session *s)
{
	struct queue q = {r, http_playbooks(r), http_roster(r), {0}, text_now_ms(), NULL, 0};
	struct page_dash_frame f = {r->ui,        s->user,        s->csrf, "queue",
	                            "/dashboard", DASH_REFRESH_S, NULL};
	struct buf b;
	int rc;

	dash_targets_of(http_config(r), q.target);
	q.rows = calloc(DASH_QUEUE_MAX, sizeof *q.rows);
	if (q.rows == NULL)
		return;
	rc = store_cases_queue(http_store(r), on_queue_row, &q);
	buf_init(&b, PAGE_DASH_MAX);
	if (rc >= 0)
		rc = page_dash_queue(&b, &f, q.rows, q.n, q.now_ms);
	free(q.rows);
	dash_respond_html(r, 200, &b, rc, NULL);
}

/* ---- a case: the view and the actions ---- */

enum case_action {
	ACT_VIEW,
	ACT_NOTE,
	ACT_REASSIGN,
	ACT_CONTACTED,
	ACT_RESOLVE,
	ACT_PPC_REPORTED, /* the company filed its report to the commission */
};

static const char *const action_names[] = {"view",      "note",    "reassign",
                                           "contacted", "resolve", "ppc_reported"};

struct case_job {
	struct http_req *r;
	struct auth_session s;
	enum case_action what;
	char ref[CASE_REF_LEN + 1];
	char actor[AUTH_NAME_MAX + 16];
	char note[DASH_NOTE_MAX * 4 + 1];
	char to_jid[256], to_name[200];
	char report[16]; /* ACT_PPC_REPORTED: "preliminary" or "final" */
	bool draft;      /* ACT_VIEW of the report draft, not of the case page */
	enum draft_to draft_to;
	char address[64];
	int64_t now_ms;
	/* found by the transaction */
	int64_t case_id;
	int refused; /* -ENOENT no case, -EALREADY resolved, -EEXIST nothing to change */
	bool cancel, kick;
};

/* What the case service's verdict means for the page. */
static int refusal_of(enum casework_verdict v)
{
	switch (v) {
	case CASEWORK_DONE: return 0;
	case CASEWORK_RESOLVED: return -EALREADY;
	case CASEWORK_SAME: return -EEXIST;
	default: return -EPERM;
	}
}

static int tx_case(struct store_tx *tx, void *arg)
{
	struct case_job *j = arg;
	struct store_case_brief c;
	struct casework_actor a = {j->actor, j->s.user, true, false};
	struct casework_result res = {0};
	char *detail = NULL;
	int rc = 0;

	memset(&c, 0, sizeof c);
	rc = store_tx_case_brief(tx, j->ref, &c);
	if (rc < 0)
		goto out;
	if (!c.found) {
		j->refused = -ENOENT;
		goto out;
	}
	j->case_id = c.id;
	switch (j->what) {
	case ACT_VIEW:
		detail = casework_detail("via", "dashboard", "address", j->address, NULL, NULL);
		rc = detail != NULL
		         ? casework_tx_record(tx, &c, EV_DETAILS_VIEWED, &a, j->now_ms, detail)
		         : -ENOMEM;
		break;
	case ACT_NOTE:
		detail = casework_detail("note", j->note, NULL, NULL, NULL, NULL);
		rc = detail != NULL ? casework_tx_record(tx, &c, EV_NOTE, &a, j->now_ms, detail)
		                    : -ENOMEM;
		break;
	case ACT_PPC_REPORTED:
		/* Kept on resolved cases: the final report is due weeks later. */
		detail = casework_detail("via", "dashboard", NULL, NULL, NULL, NULL);
		rc = detail != NULL ? casework_tx_record(tx, &c,
		                                         strcmp(j->report, "preliminary") == 0
		                                             ? EV_PPC_PRELIMINARY_REPORTED
		                                             : EV_PPC_FINAL_REPORTED,
		                                         &a, j->now_ms, detail)
		                    : -ENOMEM;
		break;
	case ACT_CONTACTED:
	case ACT_RESOLVE:
		detail = casework_detail(
		    "via", "dashboard", "note",
		    j->what == ACT_RESOLVE && j->note[0] != '\0' ? j->note : NULL, NULL, NULL);
		rc = detail != NULL ? casework_tx_step(tx, &c,
		                                       j->what == ACT_RESOLVE ? CASE_STEP_RESOLVE
		                                                              : CASE_STEP_CONTACTED,
		                                       &a, j->now_ms, detail, &res)
		                    : -ENOMEM;
		break;
	case ACT_REASSIGN: rc = casework_tx_reassign(tx, &c, j->to_jid, &a, j->now_ms, &res); break;
	}
	if (rc == 0) {
		j->refused = refusal_of(res.verdict);
		j->cancel = res.settled;
		j->kick = res.verdict == CASEWORK_DONE;
	}
out:
	free(detail);
	store_case_brief_fini(&c);
	return rc < 0 ? rc : 0;
}

struct case_extra {
	char assigned[256], acked_by[256];
	double ack_s;
	bool contacted;
};

static int on_case_extra(void *arg, struct store_row *row)
{
	struct case_extra *x = arg;

	snprintf(x->assigned, sizeof x->assigned, "%s",
	         store_row_text(row, 0) != NULL ? store_row_text(row, 0) : "");
	x->ack_s = store_row_is_null(row, 1) ? -1 : (double)store_row_int(row, 1) / 1e6;
	snprintf(x->acked_by, sizeof x->acked_by, "%s",
	         store_row_text(row, 2) != NULL ? store_row_text(row, 2) : "");
	x->contacted = !store_row_is_null(row, 3);
	return 0;
}

static const char *done_notice(struct http_req *r)
{
	const char *done = http_query(r, "done");
	const char *refused = http_query(r, "refused");

	if (refused != NULL && strcmp(refused, "resolved") == 0)
		return T("この相談はすでに解決済みです。何も変えていません。",
		         "This case is already resolved; nothing was changed.");
	if (refused != NULL && strcmp(refused, "past") == 0)
		return case_flow_refusal(CASE_ONSITE, CASE_STEP_CONTACTED, r->ui);
	if (refused != NULL && strcmp(refused, "same") == 0)
		return T("その専門家がすでに担当しています。",
		         "That specialist already has the case.");
	if (done == NULL)
		return NULL;
	if (strcmp(done, "note") == 0)
		return T("メモを追加しました。", "The note was added.");
	if (strcmp(done, "reassign") == 0)
		return T("担当を変えました。新しい担当者に相談者の連絡先を送ります。",
		         "Reassigned; the new specialist is being sent the reporter's details.");
	if (strcmp(done, "contacted") == 0)
		return T("連絡済みとして記録しました。", "Recorded as contacted.");
	if (strcmp(done, "resolve") == 0)
		return T("解決として記録しました。", "Recorded as resolved.");
	if (strcmp(done, "ppc_reported") == 0)
		return T("個人情報保護委員会への報告を記録しました。",
		         "The report to the commission was recorded.");
	return NULL;
}

/* After the view was committed: the page, with the view on its timeline. */
static void case_page(struct case_job *j)
{
	struct http_req *r = j->r;
	const struct playbook_set *set = http_playbooks(r);
	const struct roster *roster = http_roster(r);
	struct case_record *rec = NULL;
	struct case_extra x = {"", "", -1, false};
	char self[64], assignee[300], acked[300];
	struct page_dash_frame f = {r->ui, j->s.user, j->s.csrf, "queue", self, 0, done_notice(r)};
	struct page_dash_case c;
	struct ppc_deadline dl[2];
	const struct pb_prefecture *pf;
	const struct playbook *pb;
	struct buf b;
	int rc;

	snprintf(self, sizeof self, "/dashboard/cases/%s", j->ref);
	rc = store_case_load(http_store(r), j->ref, &rec);
	if (rc == 0)
		rc = store_case_clock_summary(http_store(r), rec->id, on_case_extra, &x);
	if (rc < 0) {
		case_record_free(rec);
		dash_message(r, rc == -ENOENT ? 404 : 503, &j->s,
		             T("表示できません", "Cannot show the case"),
		             T("少し待ってからお試しください。", "Please try again shortly."));
		return;
	}
	pf = playbook_prefecture(set, rec->prefecture);
	pb = playbook_find(set, rec->incident_type);
	dash_who_is(roster, x.assigned, assignee, sizeof assignee);
	dash_who_is(roster, x.acked_by, acked, sizeof acked);
	memset(&c, 0, sizeof c);
	c.rec = rec;
	c.prefecture = pf != NULL ? pf->name.s[r->ui] : rec->prefecture;
	c.region = pf != NULL ? pf->region->name.s[r->ui] : NULL;
	c.type = pb != NULL ? pb->name.s[r->ui] : rec->incident_type;
	c.assignee = assignee[0] != '\0' ? assignee : NULL;
	c.acked_by = acked[0] != '\0' ? acked : NULL;
	c.ack_s = x.ack_s;
	c.roster = roster;
	c.resolved = strcmp(rec->state, "resolved") == 0;
	c.contacted = x.contacted;
	{
		int nd = store_ppc_deadlines(http_store(r), rec->id, dl);

		c.deadlines = dl;
		c.ndeadlines = nd > 0 ? (size_t)nd : 0;
		c.now_ms = text_now_ms();
	}
	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_case(&b, &f, &c);
	case_record_free(rec);
	dash_respond_html(r, 200, &b, rc, NULL);
}

/* After the view was committed: the draft as a printable page. */
static void draft_page(struct case_job *j)
{
	struct http_req *r = j->r;
	struct case_record *rec = NULL;
	const struct playbook_set *set = http_playbooks(r);
	char self[80];
	struct page_dash_frame f = {r->ui, j->s.user, j->s.csrf, "queue", self, 0, NULL};
	struct draft d;
	struct buf b;
	int rc;

	snprintf(self, sizeof self, "/dashboard/cases/%s/draft", j->ref);
	rc = store_case_load(http_store(r), j->ref, &rec);
	if (rc < 0) {
		dash_message(r, rc == -ENOENT ? 404 : 503, &j->s,
		             T("表示できません", "Cannot show it"),
		             T("少し待ってからお試しください。", "Please try again shortly."));
		return;
	}
	rc = draft_build(&d, j->draft_to, rec, playbook_find(set, rec->incident_type),
	                 playbook_prefecture(set, rec->prefecture), text_now_ms());
	if (rc == -EINVAL) {
		case_record_free(rec);
		dash_message(
		    r, 400, &j->s, T("下書きはありません", "No draft"),
		    T("この相談は個人情報が関係しないと答えられているため、委員会への報告は"
		      "ありません。",
		      "The reporter said no personal data is involved: there is nothing to "
		      "report to the commission."));
		return;
	}
	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_draft(&b, &f, rec->ref, &d);
	case_record_free(rec);
	dash_respond_html(r, 200, &b, rc, NULL);
}

static void on_case_done(void *arg, int status)
{
	struct case_job *j = arg;
	struct http_req *r = j->r;
	const struct http_dash_parts *p = http_dash_parts(r);
	char location[128];

	if (status < 0) {
		dash_message(
		    r, 503, &j->s, T("記録できませんでした", "Not recorded"),
		    j->what == ACT_VIEW
		        ? T("閲覧を経過に記録できなかったため、相談者の連絡先は表示しません。少"
		            "し待っ"
		            "てからお試しください。",
		            "The view could not be recorded on the timeline, so the reporter's "
		            "details are not shown. Please try again shortly.")
		        : T("何も変わっていません。少し待ってからお試しください。",
		            "Nothing was changed. Please try again shortly."));
		free(j);
		return;
	}
	if (j->refused == -ENOENT) {
		dash_message(r, 404, &j->s, T("見つかりません", "Not found"),
		             T("その受付番号の相談はありません。", "No case has that reference."));
		free(j);
		return;
	}
	if (j->cancel)
		escalate_cancel(http_escalate(r), j->case_id);
	if (j->kick && p != NULL && p->notify != NULL)
		notify_kick(p->notify);
	if (j->what == ACT_VIEW && j->draft) {
		log_info("http: case=%s report draft viewed by %s", j->ref, j->s.user);
		draft_page(j);
		free(j);
		return;
	}
	if (j->what == ACT_VIEW) {
		log_info("http: case=%s details viewed by %s", j->ref, j->s.user);
		case_page(j);
	} else {
		log_info("http: case=%s %s by %s%s", j->ref, action_names[j->what], j->s.user,
		         j->refused != 0 ? " (nothing to change)" : "");
		if (j->refused == -EALREADY)
			snprintf(location, sizeof location, "/dashboard/cases/%s?refused=resolved",
			         j->ref);
		else if (j->refused == -EEXIST)
			snprintf(location, sizeof location, "/dashboard/cases/%s?refused=same",
			         j->ref);
		else if (j->refused == -EPERM)
			snprintf(location, sizeof location, "/dashboard/cases/%s?refused=past",
			         j->ref);
		else
			snprintf(location, sizeof location, "/dashboard/cases/%s?done=%s", j->ref,
			         action_names[j->what]);
		dash_redirect(r, location, NULL, NULL);
	}
	free(j);
}

static struct case_job *case_job_new(struct http_req *r, const struct auth_session *s,
                                     enum case_action what)
{
	struct case_job *j = calloc(1, sizeof *j);

	if (j == NULL)
		return NULL;
	j->r = r;
	j->s = *s;
	j->what = what;
	j->now_ms = text_now_ms();
	snprintf(j->actor, sizeof j->actor, "coordinator:%s", s->user);
	if (strlen(r->arg) == CASE_REF_LEN)
		memcpy(j->ref, r->arg, CASE_REF_LEN + 1); /* anything else stays "", no case */
	for (char *c = j->ref; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	dash_client_address(r, j->address, sizeof j->address);
	return j;
}

static void case_submit(struct http_req *r, struct case_job *j)
{
	if (!token_ref_valid(j->ref)) {
		dash_message(r, 404, &j->s, T("見つかりません", "Not found"),
		             T("その受付番号の相談はありません。", "No case has that reference."));
		free(j);
		return;
	}
	if (store_write(http_store(r), tx_case, j, on_case_done, j) < 0) {
		on_case_done(j, -EIO);
		return;
	}
	http_suspend(r);
}

/* GET /dashboard/cases/REF/draft?to=ppc|police|ipa: the view of the
 * reporter's details it holds is recorded like the case page's. */
static void draft_get(struct http_req *r, const struct auth_session *s)
{
	const char *to = http_query(r, "to");
	struct case_job *j;
	enum draft_to dt = DRAFT_PPC;

	if (to != NULL && draft_to_parse(to, &dt) < 0) {
		dash_message(
		    r, 400, s, T("送信内容が違います", "Bad request"),
		    T("to は ppc、police、ipa のどれかです。", "to is ppc, police or ipa."));
		return;
	}
	j = case_job_new(r, s, ACT_VIEW);
	if (j == NULL)
		return;
	j->draft = true;
	j->draft_to = dt;
	case_submit(r, j);
}

static void case_get(struct http_req *r, const struct auth_session *s)
{
	struct case_job *j = case_job_new(r, s, ACT_VIEW);

	if (j != NULL)
		case_submit(r, j);
}

/* A 400 with TITLE and TEXT for a form that cannot be done; drops *J. */
static void refuse(struct http_req *r, const struct auth_session *s, struct case_job **j,
                   const char *title, const char *text)
{
	dash_message(r, 400, s, title, text);
	free(*j);
	*j = NULL;
}

static void case_post(struct http_req *r, const struct auth_session *s)
{
	struct dash_form f;
	struct case_job *j = NULL;
	const char *action;
	int what = -1;

	dash_form_read(r, &f);
	if (!dash_csrf_checked(r, s, dash_form_get(&f, "csrf")))
		goto out;
	action = dash_form_get(&f, "action");
	for (int i = ACT_NOTE; i <= ACT_PPC_REPORTED; i++)
		if (strcmp(action, action_names[i]) == 0)
			what = i;
	if (what < 0) {
		dash_message(r, 400, s, T("送信内容が違います", "Bad request"),
		             T("この操作はありません。", "There is no such action."));
		goto out;
	}
	if (dash_note_check(dash_form_get(&f, "note"), what == ACT_NOTE) < 0) {
		dash_message(
		    r, 400, s, T("メモを確認してください", "Check the note"),
		    T("メモは2000文字まで、制御文字なしで書いてください(メモの追加では必須です)。",
		      "A note has at most 2000 characters and no control characters (it is "
		      "required when adding a note)."));
		goto out;
	}
	j = case_job_new(r, s, (enum case_action)what);
	if (j == NULL)
		goto out;
	snprintf(j->note, sizeof j->note, "%s", dash_form_get(&f, "note"));
	if (what == ACT_PPC_REPORTED) {
		const char *rep = dash_form_get(&f, "report");

		if (strcmp(rep, "preliminary") != 0 && strcmp(rep, "final") != 0) {
			refuse(r, s, &j, T("送信内容が違います", "Bad request"),
			       T("速報(preliminary)か確報(final)を選んでください。",
			         "Say which report: preliminary or final."));
			goto out;
		}
		snprintf(j->report, sizeof j->report, "%s", rep);
	}
	if (what == ACT_REASSIGN) {
		const struct roster *roster = http_roster(r);
		const struct specialist *sp =
		    roster != NULL ? roster_by_id(roster, dash_form_get(&f, "specialist")) : NULL;

		if (sp == NULL || !sp->active) {
			refuse(r, s, &j, T("専門家を選んでください", "Choose a specialist"),
			       T("名簿にいる、有効な専門家を選んでください。",
			         "Choose an active specialist from the roster."));
			goto out;
		}
		snprintf(j->to_jid, sizeof j->to_jid, "%s", sp->jid);
		snprintf(j->to_name, sizeof j->to_name, "%s", sp->name);
	}
	case_submit(r, j);
	j = NULL;
out:
	dash_form_fini(&f);
}

void http_dash_queue(struct http_req *r)
{
	queue_page(r, &r->session);
}

void http_dash_case_get(struct http_req *r)
{
	case_get(r, &r->session);
}

void http_dash_case_post(struct http_req *r)
{
	case_post(r, &r->session);
}

void http_dash_draft(struct http_req *r)
{
	draft_get(r, &r->session);
}
