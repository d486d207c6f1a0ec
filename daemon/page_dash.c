/* SPDX-License-Identifier: ISC */
/*
 * page_dash — HTML for coordinators; see page_dash.h.
 *
 * Late cases are marked three ways (a word, a symbol and a color) so that
 * the mark survives a grey printer and a color-blind reader. Times are
 * shown in JST, durations compactly (svg_duration).
 */
#include "page_dash.h"

#include <jansson.h>
#include <string.h>

#include "draft.h"
#include "svg.h"
#include "text.h"

#define T(ja, en) (f->ui == LANG_JA ? (ja) : (en))

/* ---- pieces ---- */

static int put(struct buf *b, const char *s)
{
	return buf_put_html(b, s);
}

static int jst(struct buf *b, int64_t ms)
{
	char when[32];

	text_jst_format(ms, "%Y-%m-%d %H:%M:%S", when, sizeof when);
	return buf_printf(b, "<time>%s</time>", when);
}

static int duration(struct buf *b, double s)
{
	char d[32];

	svg_duration(s, d, sizeof d);
	return buf_puts(b, d);
}

static int head(struct buf *b, const struct page_dash_frame *f, const char *title)
{
	int rc =
	    buf_printf(b,
	               "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	               "<meta name=\"referrer\" content=\"no-referrer\">"
	               "<meta name=\"robots\" content=\"noindex\">",
	               lang_code(f->ui));

	if (rc == 0 && f->refresh_s != 0)
		rc = buf_printf(b, "<meta http-equiv=\"refresh\" content=\"%u\">", f->refresh_s);
	if (rc == 0)
		rc = buf_puts(b, "<link rel=\"stylesheet\" href=\"/static/dash.css\"><title>");
	if (rc == 0)
		rc = put(b, title);
	if (rc == 0)
		rc = buf_printf(b, " — %s</title></head><body>",
		                T("駆け込み コーディネーター", "kakekomi coordinators"));
	if (rc == 0)
		rc = buf_printf(b, "<header class=\"dash\"><span class=\"brand\">%s</span>",
		                T("駆け込み", "kakekomi"));
	if (rc == 0 && f->user != NULL) {
		static const struct {
			const char *id, *href, *ja, *en;
		} tabs[] = {
		    {"queue", "/dashboard", "受付中の相談", "Open cases"},
		    {"figures", "/dashboard/figures", "応答時間の集計", "Response times"},
		    {"coverage", "/dashboard/coverage", "当番の空き", "On-call gaps"},
		};

		rc = buf_puts(b, "<nav>");
		for (size_t i = 0; rc == 0 && i < sizeof tabs / sizeof tabs[0]; i++)
			rc = buf_printf(b, "<a href=\"%s\"%s>%s</a>", tabs[i].href,
			                f->active != NULL && strcmp(f->active, tabs[i].id) == 0
			                    ? " class=\"active\" aria-current=\"page\""
			                    : "",
			                T(tabs[i].ja, tabs[i].en));
		if (rc == 0)
			rc = buf_puts(b, "</nav><span class=\"who\"><span id=\"user\">");
		if (rc == 0)
			rc = put(b, f->user);
		if (rc == 0)
			rc = buf_puts(b, "</span><form method=\"post\" action=\"/logout\">"
			                 "<input type=\"hidden\" name=\"csrf\" value=\"");
		if (rc == 0)
			rc = put(b, f->csrf);
		if (rc == 0)
			rc = buf_printf(
			    b, "\"><button class=\"quiet\" type=\"submit\">%s</button></form>",
			    T("ログアウト", "Log out"));
	} else if (rc == 0) {
		rc = buf_puts(b, "<span class=\"who\">");
	}
	if (rc == 0 && f->self != NULL) {
		const char *sep = strchr(f->self, '?') != NULL ? "&amp;" : "?";

		rc = buf_puts(b, "<a class=\"lang\" href=\"");
		if (rc == 0)
			rc = put(b, f->self);
		if (rc == 0)
			rc = buf_printf(b, "%slang=%s\" lang=\"%s\">%s</a>", sep,
			                f->ui == LANG_JA ? "en" : "ja",
			                f->ui == LANG_JA ? "en" : "ja", T("English", "日本語"));
	}
	if (rc == 0)
		rc = buf_puts(b, "</span></header><main class=\"dash\">");
	if (rc == 0 && f->notice != NULL) {
		rc = buf_puts(b, "<p class=\"notice\" role=\"status\" id=\"notice\">");
		if (rc == 0)
			rc = put(b, f->notice);
		if (rc == 0)
			rc = buf_puts(b, "</p>");
	}
	return rc;
}

static int foot(struct buf *b)
{
	return buf_puts(b, "</main></body></html>\n");
}

static int csrf_field(struct buf *b, const struct page_dash_frame *f)
{
	int rc = buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");

	if (rc == 0)
		rc = put(b, f->csrf);
	return rc == 0 ? buf_puts(b, "\">") : rc;
}

static const char *clock_label(const struct page_dash_frame *f, enum stats_clock c)
{
	switch (c) {
	case STATS_GUIDANCE: return T("最初の手順", "First guidance");
	case STATS_ACK: return T("引き受け", "Acknowledge");
	case STATS_CONTACT: return T("初回連絡", "First contact");
	case STATS_ONSITE: return T("現地到着", "On site");
	case STATS_RESOLVE: return T("解決", "Resolve");
	}
	return "?";
}

static const char *state_label(const struct page_dash_frame *f, const char *state)
{
	static const struct {
		const char *state, *ja, *en;
	} names[] = {
	    {"new", "新規", "new"},
	    {"alerted", "通知中", "alerted"},
	    {"acknowledged", "担当決定", "acknowledged"},
	    {"contacted", "連絡済", "contacted"},
	    {"on_the_way", "出動中", "on the way"},
	    {"onsite", "現地対応中", "on site"},
	    {"visited", "訪問済", "visited"},
	    {"resolved", "解決", "resolved"},
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].state, state) == 0)
			return T(names[i].ja, names[i].en);
	return state;
}

/* ---- login and messages ---- */

int page_dash_login(struct buf *b, enum lang ui, const char *csrf, const char *next,
                    const char *error)
{
	struct page_dash_frame frame = {ui, NULL, NULL, NULL, "/login", 0, NULL};
	const struct page_dash_frame *f = &frame;
	int rc = head(b, f, T("ログイン", "Log in"));

	if (rc == 0)
		rc = buf_printf(b, "<section class=\"login\"><h1>%s</h1>",
		                T("コーディネーターのログイン", "Coordinators' login"));
	if (rc == 0 && error != NULL) {
		rc = buf_puts(b, "<p class=\"error\" role=\"alert\" id=\"login-error\">");
		if (rc == 0)
			rc = put(b, error);
		if (rc == 0)
			rc = buf_puts(b, "</p>");
	}
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "<form method=\"post\" action=\"/login\">"
		    "<label for=\"user\">%s</label>"
		    "<input id=\"user\" name=\"user\" type=\"text\" autocomplete=\"username\" "
		    "autocapitalize=\"none\" required>"
		    "<label for=\"password\">%s</label>"
		    "<input id=\"password\" name=\"password\" type=\"password\" "
		    "autocomplete=\"current-password\" required>"
		    "<input type=\"hidden\" name=\"csrf\" value=\"",
		    T("ユーザー名", "User name"), T("パスワード", "Password"));
	if (rc == 0)
		rc = put(b, csrf);
	if (rc == 0)
		rc = buf_puts(b, "\"><input type=\"hidden\" name=\"next\" value=\"");
	if (rc == 0)
		rc = put(b, next != NULL ? next : "/dashboard");
	if (rc == 0)
		rc = buf_printf(b, "\"><p><button type=\"submit\">%s</button></p></form></section>",
		                T("ログイン", "Log in"));
	return rc == 0 ? foot(b) : rc;
}

int page_dash_message(struct buf *b, const struct page_dash_frame *f, const char *title,
                      const char *text)
{
	int rc = head(b, f, title);

	if (rc == 0)
		rc = buf_puts(b, "<h1>");
	if (rc == 0)
		rc = put(b, title);
	if (rc == 0)
		rc = buf_puts(b, "</h1><p id=\"message\">");
	if (rc == 0)
		rc = put(b, text);
	if (rc == 0)
		rc = buf_printf(b, "</p><p><a href=\"%s\">%s</a></p>",
		                f->user != NULL ? "/dashboard" : "/login",
		                f->user != NULL ? T("受付中の相談へ", "Back to the open cases")
		                                : T("ログインへ", "Go to the login"));
	return rc == 0 ? foot(b) : rc;
}

/* ---- the queue ---- */

int page_dash_queue(struct buf *b, const struct page_dash_frame *f,
                    const struct page_dash_queue_row *rows, size_t n, int64_t now_ms)
{
	size_t late = 0, waiting = 0;
	char when[32];
	int rc = head(b, f, T("受付中の相談", "Open cases"));

	for (size_t i = 0; i < n; i++) {
		late += rows[i].late;
		waiting += rows[i].assignee[0] == '\0';
	}
	text_jst_format(now_ms, "%H:%M:%S", when, sizeof when);
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "<h1>%s</h1><p class=\"summary\" id=\"summary\">"
		    "<span>%s: <strong id=\"open-count\">%zu</strong></span>"
		    "<span>%s: <strong id=\"waiting-count\">%zu</strong></span>"
		    "<span class=\"late-mark\">%s: <strong id=\"late-count\">%zu</strong>"
		    "</span></p><p class=\"noprint\">%s %s JST · "
		    "<a href=\"/dashboard\" id=\"reload\">%s</a></p>",
		    T("受付中の相談", "Open cases"), T("受付中", "Open"), n,
		    T("担当者なし", "Nobody has it"), waiting, T("⚠ 目標超過", "⚠ Late"), late,
		    T("更新", "Updated"), when, T("再読み込み", "Reload"));
	if (rc == 0 && n == 0)
		rc = buf_printf(b, "<p id=\"empty\">%s</p>",
		                T("受付中の相談はありません。", "No open case."));
	if (rc == 0 && n != 0)
		rc = buf_printf(b,
		                "<div class=\"scroll\"><table id=\"queue\"><thead><tr><th>%s</th>"
		                "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
		                "<th>%s</th></tr></thead><tbody>",
		                T("受付番号", "Case"), T("受付", "Received"), T("経過", "Age"),
		                T("都道府県", "Prefecture"), T("種類", "Type"), T("状態", "State"),
		                T("担当・引き受け", "Who has it"),
		                T("動いている時計", "Clock running"));
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct page_dash_queue_row *q = &rows[i];

		rc = buf_printf(b,
		                "<tr class=\"case%s\" data-ref=\"%s\"><td><a class=\"ref\" "
		                "href=\"/dashboard/cases/%s\">%s</a></td><td>",
		                q->late ? " late" : "", q->ref, q->ref, q->ref);
		if (rc == 0)
			rc = jst(b, q->received_ms);
		if (rc == 0)
			rc = buf_puts(b, "</td><td class=\"num\">");
		if (rc == 0)
			rc = duration(b, (double)(now_ms - q->received_ms) / 1000.0);
		if (rc == 0)
			rc = buf_puts(b, "</td><td>");
		if (rc == 0)
			rc = put(b, q->prefecture);
		if (rc == 0)
			rc = buf_puts(b, "</td><td>");
		if (rc == 0)
			rc = put(b, q->type);
		if (rc == 0)
			rc = buf_puts(b, "</td><td class=\"state\">");
		if (rc == 0)
			rc = put(b, state_label(f, q->state));
		if (rc == 0)
			rc = buf_puts(b, "</td><td class=\"who\">");
		if (rc == 0 && q->acked_by[0] != '\0') {
			rc = buf_printf(b, "<span class=\"acked\">%s ",
			                T("引き受け:", "Acknowledged by"));
			if (rc == 0)
				rc = put(b, q->acked_by);
			if (rc == 0)
				rc = buf_printf(b, " (%s <span class=\"ack-time\">",
				                T("応答まで", "after"));
			if (rc == 0)
				rc = duration(b, q->ack_s);
			if (rc == 0)
				rc = buf_puts(b, "</span>)</span>");
			if (rc == 0 && strcmp(q->acked_by, q->assignee) != 0 &&
			    q->assignee[0] != '\0') {
				rc = buf_printf(b, "<br>%s ", T("現在の担当:", "Now with"));
				if (rc == 0)
					rc = put(b, q->assignee);
			}
		} else if (rc == 0 && q->assignee[0] != '\0') {
			rc = put(b, q->assignee);
		} else if (rc == 0) {
			rc = buf_printf(b, "<span class=\"nobody\">%s</span>",
			                T("未定(通知中)", "nobody yet (alerting)"));
		}
		if (rc == 0)
			rc = buf_printf(b, "</td><td class=\"clock\">%s ",
			                clock_label(f, q->running));
		if (rc == 0)
			rc = duration(b, q->running_s);
		if (rc == 0 && q->target_s > 0) {
			rc = buf_printf(b, " / %s ", T("目標", "target"));
			if (rc == 0)
				rc = duration(b, q->target_s);
		}
		if (rc == 0 && q->late)
			rc = buf_printf(b, " <span class=\"late-mark\">%s</span>",
			                T("⚠ 遅延", "⚠ LATE"));
		if (rc == 0)
			rc = buf_puts(b, "</td></tr>");
	}
	if (rc == 0 && n != 0)
		rc = buf_puts(b, "</tbody></table></div>");
	return rc == 0 ? foot(b) : rc;
}

/* ---- a case ---- */

static int detail_row(struct buf *b, const char *label, const char *value, const char *id)
{
	int rc;

	if (value == NULL || value[0] == '\0')
		return 0;
	rc = buf_puts(b, "<dt>");
	if (rc == 0)
		rc = put(b, label);
	if (rc == 0)
		rc = buf_printf(b, "</dt><dd id=\"%s\">", id);
	if (rc == 0)
		rc = put(b, value);
	return rc == 0 ? buf_puts(b, "</dd>") : rc;
}

/* A details list's rows, in order. */
struct detail {
	const char *label, *value, *id;
};

static int details(struct buf *b, const struct detail *d, size_t n)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = detail_row(b, d[i].label, d[i].value, d[i].id);
	return rc;
}

/* An actor as coordinators read it: a specialist's name, or as stored. */
static int actor(struct buf *b, const struct roster *r, const char *who)
{
	const struct specialist *s = r != NULL && who != NULL ? roster_by_jid(r, who) : NULL;
	int rc;

	if (who == NULL)
		return 0;
	if (s == NULL)
		return put(b, who);
	rc = put(b, s->name);
	if (rc == 0)
		rc = buf_puts(b, " (");
	if (rc == 0)
		rc = put(b, who);
	return rc == 0 ? buf_puts(b, ")") : rc;
}

/* The useful part of an event's detail: a note, a summary, or the JSON. */
static int event_detail(struct buf *b, const char *detail)
{
	json_t *o = detail != NULL ? json_loads(detail, 0, NULL) : NULL;
	const char *keys[] = {"note", "summary", "to", "by", "eta"};
	int rc = 0;
	bool shown = false;

	if (detail == NULL)
		return 0;
	for (size_t i = 0; rc == 0 && o != NULL && i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = json_string_value(json_object_get(o, keys[i]));

		if (v == NULL)
			continue;
		rc = buf_printf(b, " <span class=\"detail-%s\">", keys[i]);
		if (rc == 0)
			rc = put(b, v);
		if (rc == 0)
			rc = buf_puts(b, "</span>");
		shown = true;
	}
	if (rc == 0 && !shown) {
		char cut[301];

		snprintf(cut, sizeof cut, "%s", detail);
		rc = buf_puts(b, " <code>");
		if (rc == 0)
			rc = put(b, cut);
		if (rc == 0)
			rc = buf_puts(b, "</code>");
	}
	json_decref(o);
	return rc;
}

static int action_form(struct buf *b, const struct page_dash_frame *f, const char *ref,
                       const char *action, const char *title)
{
	int rc = buf_printf(b,
	                    "<form method=\"post\" action=\"/dashboard/cases/%s\" id=\"form-%s\">"
	                    "<input type=\"hidden\" name=\"action\" value=\"%s\">",
	                    ref, action, action);

	if (rc == 0)
		rc = csrf_field(b, f);
	if (rc == 0)
		rc = buf_puts(b, "<h3>");
	if (rc == 0)
		rc = put(b, title);
	return rc == 0 ? buf_puts(b, "</h3>") : rc;
}

/* The APPI dates with their state; a deadline not yet reported has the
 * button that records the company's report, on open and resolved cases. */
static int deadlines(struct buf *b, const struct page_dash_frame *f, const struct page_dash_case *c)
{
	int rc =
	    buf_printf(b, "<section class=\"deadlines\"><h2>%s</h2><ul id=\"deadlines\">",
	               T("個人情報保護委員会への報告期限", "Reports to the Personal Information "
	                                                   "Protection Commission"));

	for (size_t i = 0; rc == 0 && i < c->ndeadlines; i++) {
		const struct ppc_deadline *d = &c->deadlines[i];
		enum ppc_deadline_state state = ppc_deadline_state(d, c->now_ms);
		bool prelim = d->report == PPC_REPORT_PRELIMINARY;

		rc = buf_printf(b, "<li class=\"deadline %s\" id=\"deadline-%s\">%s: %s%s — ",
		                ppc_deadline_state_name(state), ppc_report_name(d->report),
		                prelim ? T("速報", "Preliminary") : T("確報", "Final"),
		                prelim ? T("遅くとも", "by about ") : "", d->due);
		if (rc == 0)
			rc = buf_puts(b, state == PPC_DEADLINE_REPORTED ? T("報告済み", "reported")
			                 : state == PPC_DEADLINE_OVERDUE ? ppc_overdue_text(f->ui)
			                                                 : T("期限前", "due"));
		/* Resolved cases too: the final report is due weeks after the
		 * visit, and its reminders stop only once it is recorded. */
		if (rc == 0 && !d->reported) {
			rc = buf_printf(
			    b,
			    " <form method=\"post\" action=\"/dashboard/cases/%s\" "
			    "class=\"inline\" id=\"form-reported-%s\">"
			    "<input type=\"hidden\" name=\"action\" value=\"ppc_reported\">"
			    "<input type=\"hidden\" name=\"report\" value=\"%s\">",
			    c->rec->ref, ppc_report_name(d->report), ppc_report_name(d->report));
			if (rc == 0)
				rc = csrf_field(b, f);
			if (rc == 0)
				rc = buf_printf(b, "<button type=\"submit\">%s</button></form>",
				                T("会社が報告したことを記録",
				                  "Record that the company "
				                  "filed it"));
		}
		if (rc == 0)
			rc = buf_puts(b, "</li>");
	}
	return rc == 0 ? buf_puts(b, "</ul></section>") : rc;
}

static int actions(struct buf *b, const struct page_dash_frame *f, const struct page_dash_case *c)
{
	const char *ref = c->rec->ref;
	int rc = buf_printf(b, "<h2>%s</h2><div class=\"actions\">", T("対応", "Actions"));

	/* Reassign. */
	if (rc == 0 && !c->resolved)
		rc = action_form(b, f, ref, "reassign", T("担当を変える", "Reassign"));
	if (rc == 0 && !c->resolved)
		rc = buf_printf(b,
		                "<label for=\"specialist\">%s</label> <select id=\"specialist\" "
		                "name=\"specialist\" required><option value=\"\">%s</option>",
		                T("専門家", "Specialist"), T("選んでください", "Choose"));
	for (size_t i = 0; rc == 0 && !c->resolved && c->roster != NULL && i < c->roster->n; i++) {
		const struct specialist *s = &c->roster->v[i];

		if (!s->active)
			continue;
		rc = buf_puts(b, "<option value=\"");
		if (rc == 0)
			rc = put(b, s->id);
		if (rc == 0)
			rc = buf_puts(b, "\">");
		if (rc == 0)
			rc = put(b, s->name);
		if (rc == 0)
			rc = buf_puts(b, " — ");
		if (rc == 0)
			rc = put(b, s->jid);
		if (rc == 0)
			rc = buf_puts(b, "</option>");
	}
	if (rc == 0 && !c->resolved)
		rc = buf_printf(b, "</select> <button type=\"submit\">%s</button></form>",
		                T("担当にする", "Assign"));

	/* Note. */
	if (rc == 0)
		rc = action_form(b, f, ref, "note", T("メモを残す", "Add a note"));
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "<textarea name=\"note\" rows=\"3\" maxlength=\"2000\" required "
		    "aria-label=\"%s\"></textarea><p><button type=\"submit\">%s</button></p>"
		    "</form>",
		    T("メモ", "Note"), T("メモを追加", "Add the note"));

	/* Contacted. */
	if (rc == 0 && !c->resolved && !c->contacted) {
		rc = action_form(b, f, ref, "contacted", T("連絡済みにする", "Mark contacted"));
		if (rc == 0)
			rc = buf_printf(
			    b, "<p>%s</p><button type=\"submit\">%s</button></form>",
			    T("相談者と話せたら記録します(初回連絡の時計が止まります)。",
			      "Record that someone reached the reporter (stops the first "
			      "contact clock)."),
			    T("連絡済み", "Contacted"));
	}

	/* Resolve. */
	if (rc == 0 && !c->resolved) {
		rc = action_form(b, f, ref, "resolve", T("解決にする", "Resolve"));
		if (rc == 0)
			rc = buf_printf(b,
			                "<textarea name=\"note\" rows=\"2\" maxlength=\"2000\" "
			                "aria-label=\"%s\"></textarea><p><button type=\"submit\">%s"
			                "</button></p></form>",
			                T("解決メモ(任意)", "Note (optional)"),
			                T("解決", "Resolve"));
	}
	return rc == 0 ? buf_puts(b, "</div>") : rc;
}

int page_dash_case(struct buf *b, const struct page_dash_frame *f, const struct page_dash_case *c)
{
	const struct case_record *rec = c->rec;
	char noticed[32];
	/* NOTICED is filled in below, before the rows are written. */
	const struct detail facts[] = {
	    {T("都道府県", "Prefecture"), c->prefecture, "f-prefecture"},
	    {T("地域", "Region"), c->region, "f-region"},
	    {T("種類", "Type"), c->type, "f-type"},
	    {T("今も続いている", "Still happening"), case_tri_name(rec->still_happening),
	     "f-still"},
	    {T("お金", "Money involved"), case_tri_name(rec->money_involved), "f-money"},
	    {T("個人情報", "Personal data"), case_tri_name(rec->personal_data), "f-personal"},
	    {T("気づいた時刻", "Noticed"), noticed, "f-noticed"},
	    {T("担当", "Who has it"), c->assignee != NULL ? c->assignee : T("未定", "nobody yet"),
	     "assignee"},
	};
	const struct detail reporter[] = {
	    {T("会社名", "Company"), rec->company, "r-company"},
	    {T("お名前", "Name"), rec->name, "r-name"},
	    {T("電話", "Phone"), rec->phone, "r-phone"},
	    {T("メール", "E-mail"), rec->email, "r-email"},
	    {T("希望言語", "Language"), lang_code(rec->lang), "r-lang"},
	    {T("状況", "What they see"), rec->description, "r-description"},
	};
	int rc = head(b, f, rec->ref);

	text_jst_format(rec->noticed_at_ms, "%Y-%m-%d %H:%M JST", noticed, sizeof noticed);
	if (rc == 0)
		rc = buf_printf(b,
		                "<h1><span class=\"ref\" id=\"case-ref\">%s</span> — <span "
		                "id=\"state\">",
		                rec->ref);
	if (rc == 0)
		rc = put(b, state_label(f, rec->state));
	if (rc == 0)
		rc = buf_printf(
		    b, "</span></h1><dl class=\"details\" id=\"case-facts\"><dt>%s</dt><dd>",
		    T("受付", "Received"));
	if (rc == 0)
		rc = jst(b, rec->received_ms);
	if (rc == 0)
		rc = buf_puts(b, " JST (");
	if (rc == 0)
		rc = put(b, rec->channel);
	if (rc == 0)
		rc = buf_puts(b, ")</dd>");
	if (rc == 0)
		rc = details(b, facts, sizeof facts / sizeof facts[0]);
	if (rc == 0 && c->acked_by != NULL) {
		char after[32], line[300];

		svg_duration(c->ack_s, after, sizeof after);
		snprintf(line, sizeof line, "%s (%s %s)", c->acked_by, T("応答まで", "after"),
		         after);
		rc = detail_row(b, T("引き受け", "Acknowledged by"), line, "acked");
	}
	if (rc == 0)
		rc = buf_puts(b, "</dl>");

	/* The reporter's details: this very view is on the timeline below. */
	if (rc == 0)
		rc =
		    buf_printf(b, "<section class=\"reporter\"><h2>%s</h2><p class=\"recorded\">%s",
		               T("相談者の連絡先", "The reporter's details"),
		               T("この表示は経過に記録されています(閲覧者: ",
		                 "This view is recorded on the timeline (viewed by "));
	if (rc == 0)
		rc = put(b, f->user);
	if (rc == 0)
		rc = buf_puts(b, ").</p><dl class=\"details\" id=\"reporter\">");
	if (rc == 0)
		rc = details(b, reporter, sizeof reporter / sizeof reporter[0]);
	if (rc == 0)
		rc = buf_puts(b, "</dl></section>");

	if (rc == 0 && c->ndeadlines > 0)
		rc = deadlines(b, f, c);
	/* Drafts of the reports, filled from this case. */
	if (rc == 0)
		rc = buf_printf(b, "<p class=\"drafts\" id=\"drafts\">%s ",
		                T("報告の下書き:", "Report drafts:"));
	if (rc == 0 && c->rec->personal_data != TRI_NO)
		rc = buf_printf(b, "<a href=\"/dashboard/cases/%s/draft?to=ppc\">%s</a> · ",
		                c->rec->ref, T("個人情報保護委員会", "the commission"));
	if (rc == 0)
		rc = buf_printf(b,
		                "<a href=\"/dashboard/cases/%s/draft?to=police\">%s</a> · "
		                "<a href=\"/dashboard/cases/%s/draft?to=ipa\">IPA</a></p>",
		                c->rec->ref, T("警察", "the police"), c->rec->ref);
	if (rc == 0)
		rc = actions(b, f, c);

	if (rc == 0)
		rc = buf_printf(b, "<h2>%s</h2><ol class=\"timeline\" id=\"timeline\">",
		                T("経過(すべて)", "Timeline (everything)"));
	for (size_t i = 0; rc == 0 && i < rec->nevents; i++) {
		const struct case_event *e = &rec->events[i];

		rc = buf_puts(b, "<li class=\"event-");
		if (rc == 0)
			rc = put(b, e->kind);
		if (rc == 0)
			rc = buf_puts(b, "\">");
		if (rc == 0)
			rc = jst(b, e->at_ms);
		if (rc == 0)
			rc = buf_puts(b, " <span class=\"kind\">");
		if (rc == 0)
			rc = put(b, e->kind);
		if (rc == 0)
			rc = buf_puts(b, "</span> ");
		if (rc == 0)
			rc = actor(b, c->roster, e->actor);
		if (rc == 0 && e->elapsed_us >= 0 && strcmp(e->kind, "received") != 0) {
			rc = buf_puts(b, " <span class=\"elapsed\">+");
			if (rc == 0)
				rc = duration(b, (double)e->elapsed_us / 1e6);
			if (rc == 0)
				rc = buf_puts(b, "</span>");
		}
		if (rc == 0)
			rc = event_detail(b, e->detail);
		if (rc == 0)
			rc = buf_puts(b, "</li>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</ol>");
	return rc == 0 ? foot(b) : rc;
}

/* ---- a report's draft ---- */

int page_dash_draft(struct buf *b, const struct page_dash_frame *f, const char *ref,
                    const struct draft *d)
{
	int rc = head(b, f, d->title);

	if (rc == 0)
		rc = buf_puts(b, "<h1 id=\"draft-title\">");
	if (rc == 0)
		rc = put(b, f->ui == LANG_EN ? d->title_en : d->title);
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "</h1><p class=\"hint\">%s <a href=\"/dashboard/cases/%s\">%s</a></p>"
		    "<dl class=\"draft\" id=\"draft\">",
		    T("相談の内容から自動で作った下書きです。「要記入」の項目を書き足し、"
		      "内容を確かめてから提出してください。",
		      "Filled from the case; write the items marked \"to write\" and "
		      "check everything before filing."),
		    ref, ref);
	for (size_t i = 0; rc == 0 && i < d->n; i++) {
		const struct draft_item *it = &d->item[i];

		rc = buf_printf(b, "<dt%s>", it->filled ? "" : " class=\"to-write\"");
		if (rc == 0)
			rc = put(b, it->label);
		if (rc == 0 && f->ui == LANG_EN) {
			rc = buf_puts(b, " <span lang=\"en\">/ ");
			if (rc == 0)
				rc = put(b, it->label_en);
			if (rc == 0)
				rc = buf_puts(b, "</span>");
		}
		if (rc == 0 && !it->filled)
			rc = buf_printf(b, " <strong>%s</strong>", T("要記入", "to write"));
		if (rc == 0)
			rc = buf_puts(b, "</dt><dd>");
		if (rc == 0)
			rc = put(b, it->text);
		if (rc == 0)
			rc = buf_puts(b, "</dd>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</dl>");
	return rc == 0 ? foot(b) : rc;
}

/* ---- figures ---- */

void page_dash_group_name(const struct playbook_set *set, const struct roster *roster,
                          enum stats_group g, const char *key, enum lang ui, char *out, size_t n)
{
	const struct pb_prefecture *p;
	const struct pb_region *r;
	const struct playbook *pb;
	const struct specialist *s;

	switch (g) {
	case STATS_BY_PREFECTURE:
		p = playbook_prefecture(set, key);
		snprintf(out, n, "%s", p != NULL ? p->name.s[ui] : key);
		return;
	case STATS_BY_REGION:
		r = playbook_region(set, key);
		snprintf(out, n, "%s", r != NULL ? r->name.s[ui] : key);
		return;
	case STATS_BY_TYPE:
		pb = playbook_find(set, key);
		snprintf(out, n, "%s", pb != NULL ? pb->name.s[ui] : key);
		return;
	case STATS_BY_SPECIALIST:
		s = roster != NULL ? roster_by_jid(roster, key) : NULL;
		if (s != NULL)
			snprintf(out, n, "%s (%s)", s->name, key);
		else
			snprintf(out, n, "%s", key);
		return;
	default: snprintf(out, n, "%s", key); return;
	}
}

static int figure_cells(struct buf *b, const struct stats_figure *fig, double target)
{
	int rc = buf_printf(b, "<td class=\"num\">%u</td>", fig->count);
	const double v[3] = {fig->median_s, fig->p90_s, fig->max_s};

	for (int i = 0; rc == 0 && i < 3; i++) {
		rc = buf_puts(b, "<td class=\"num\">");
		if (rc == 0)
			rc = duration(b, fig->count != 0 ? v[i] : -1);
		if (rc == 0)
			rc = buf_puts(b, "</td>");
	}
	if (rc == 0) {
		if (target > 0)
			rc = buf_printf(b, "<td class=\"num%s\">%u</td>",
			                fig->breaches != 0 ? " late-mark" : "", fig->breaches);
		else
			rc = buf_puts(b, "<td class=\"num\">—</td>");
	}
	return rc;
}

static int figure_head(struct buf *b, const struct page_dash_frame *f, const char *first)
{
	return buf_printf(b,
	                  "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	                  "<th>%s</th></tr></thead><tbody>",
	                  first, T("件数", "Count"), T("中央値", "Median"), T("90%点", "90th pct"),
	                  T("最大", "Max"), T("目標超過", "Over target"));
}

static const struct {
	enum stats_group g;
	const char *ja, *en;
} groups[] = {
    {STATS_BY_PREFECTURE, "都道府県", "Prefecture"},
    {STATS_BY_REGION, "地域", "Region"},
    {STATS_BY_TYPE, "種類", "Type"},
    {STATS_BY_SPECIALIST, "専門家", "Specialist"},
    {STATS_BY_CHANNEL, "受付経路", "Channel"},
    {STATS_BY_DAY, "日", "Day"},
    {STATS_BY_WEEK, "週", "Week"},
    {STATS_BY_MONTH, "月", "Month"},
};

static int filters(struct buf *b, const struct page_dash_frame *f,
                   const struct page_dash_figures *v)
{
	int rc = buf_printf(b,
	                    "<form class=\"filters\" method=\"get\" action=\"/dashboard/figures\">"
	                    "<label>%s<input type=\"date\" name=\"from\" value=\"%s\"></label>"
	                    "<label>%s<input type=\"date\" name=\"to\" value=\"%s\"></label>"
	                    "<label>%s<select name=\"group\">",
	                    T("開始日", "From"), v->from, T("終了日", "To"), v->to,
	                    T("分ける単位", "Group by"));

	for (size_t i = 0; rc == 0 && i < sizeof groups / sizeof groups[0]; i++)
		rc = buf_printf(
		    b, "<option value=\"%s\"%s>%s</option>", stats_group_name(groups[i].g),
		    groups[i].g == v->res->group ? " selected" : "", T(groups[i].ja, groups[i].en));
	if (rc == 0)
		rc = buf_printf(b, "</select></label><label>%s<select name=\"clock\">",
		                T("時計", "Clock"));
	for (int c = 0; rc == 0 && c < STATS_CLOCKS; c++)
		rc = buf_printf(b, "<option value=\"%s\"%s>%s</option>",
		                stats_clock_name((enum stats_clock)c),
		                (enum stats_clock)c == v->clock ? " selected" : "",
		                clock_label(f, (enum stats_clock)c));
	if (rc == 0)
		rc = buf_printf(b, "</select></label><button type=\"submit\">%s</button></form>",
		                T("表示", "Show"));
	return rc;
}

int page_dash_figures(struct buf *b, const struct page_dash_frame *f,
                      const struct page_dash_figures *v)
{
	const struct stats_result *res = v->res;
	const char *group_label = "?";
	int rc = head(b, f, T("応答時間の集計", "Response times"));

	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		if (groups[i].g == res->group)
			group_label = T(groups[i].ja, groups[i].en);
	if (rc == 0)
		rc = buf_printf(b, "<h1>%s</h1>", T("応答時間の集計", "Response times"));
	if (rc == 0)
		rc = filters(b, f, v);
	if (rc == 0)
		rc = buf_printf(b,
		                "<p>%s %s – %s: <strong id=\"case-count\">%u</strong> %s. "
		                "<a href=\"/dashboard/figures.csv?",
		                T("期間", "Period"), v->from, v->to, res->total.cases,
		                T("件", "cases"));
	if (rc == 0)
		rc = put(b, v->query);
	if (rc == 0)
		rc = buf_puts(b, "\" id=\"figures-csv\">CSV</a> · <a href=\"/api/v1/stats?");
	if (rc == 0)
		rc = put(b, v->query);
	if (rc == 0)
		rc = buf_printf(b, "\">JSON</a> · <a href=\"/dashboard/cases.csv?");
	if (rc == 0)
		rc = put(b, v->query);
	if (rc == 0)
		rc = buf_printf(b, "\" id=\"cases-csv\">%s</a></p>",
		                T("相談一覧 CSV", "Cases as CSV"));

	/* Every clock over the whole period. */
	if (rc == 0)
		rc = buf_printf(b, "<h2>%s</h2><div class=\"scroll\"><table id=\"overview\">",
		                T("全体", "All cases"));
	if (rc == 0)
		rc = figure_head(b, f, T("時計(目標)", "Clock (target)"));
	for (int c = 0; rc == 0 && c < STATS_CLOCKS; c++) {
		rc = buf_printf(b, "<tr data-clock=\"%s\"><th scope=\"row\">%s",
		                stats_clock_name((enum stats_clock)c),
		                clock_label(f, (enum stats_clock)c));
		if (rc == 0 && v->target_s[c] > 0) {
			rc = buf_puts(b, " (");
			if (rc == 0)
				rc = duration(b, v->target_s[c]);
			if (rc == 0)
				rc = buf_puts(b, ")");
		}
		if (rc == 0)
			rc = buf_puts(b, "</th>");
		if (rc == 0)
			rc = figure_cells(b, &res->total.clock[c], v->target_s[c]);
		if (rc == 0)
			rc = buf_puts(b, "</tr>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</tbody></table></div>");
	if (rc == 0 && res->total.onsite_from_received != 0)
		rc = buf_printf(b, "<p id=\"onsite-note\">%s %u %s</p>",
		                T("現地到着のうち", "Of the on-site times,"),
		                res->total.onsite_from_received,
		                T("件は出動依頼の記録がないため、受付から測っています。",
		                  "were measured from the report, as no dispatch request was "
		                  "recorded."));

	/* The pictures. */
	if (rc == 0 && (v->map_svg != NULL || v->histogram_svg != NULL))
		rc = buf_printf(b, "<h2>%s</h2><div class=\"charts\">",
		                T("引き受けまでの時間", "Time to acknowledge"));
	if (rc == 0 && v->map_svg != NULL)
		rc = buf_puts(b, v->map_svg);
	if (rc == 0 && v->histogram_svg != NULL)
		rc = buf_puts(b, v->histogram_svg);
	if (rc == 0 && (v->map_svg != NULL || v->histogram_svg != NULL))
		rc = buf_puts(
		    b, "</div><p class=\"noprint\"><a href=\"/dashboard/map.svg\">SVG</a></p>");

	/* The chosen clock by group. */
	if (rc == 0 && res->group != STATS_BY_ALL) {
		rc = buf_printf(b, "<h2>%s: %s</h2><div class=\"scroll\"><table id=\"groups\">",
		                clock_label(f, v->clock), group_label);
		if (rc == 0)
			rc = figure_head(b, f, group_label);
		for (size_t i = 0; rc == 0 && i < res->nrows; i++) {
			const struct stats_row *row = &res->rows[i];
			char name[400];

			page_dash_group_name(v->set, v->roster, res->group, row->key, f->ui, name,
			                     sizeof name);
			rc = buf_puts(b, "<tr data-key=\"");
			if (rc == 0)
				rc = put(b, row->key);
			if (rc == 0)
				rc = buf_puts(b, "\"><th scope=\"row\">");
			if (rc == 0)
				rc = put(b, name);
			if (rc == 0)
				rc = buf_puts(b, "</th>");
			if (rc == 0)
				rc = figure_cells(b, &row->clock[v->clock], v->target_s[v->clock]);
			if (rc == 0)
				rc = buf_puts(b, "</tr>");
		}
		if (rc == 0)
			rc = buf_puts(b, "</tbody></table></div>");
	}
	if (rc == 0)
		rc = buf_printf(b, "<p class=\"recorded\">%s</p>",
		                T("中央値・90%点は最も近い順位の値(測った時間のどれか)です。",
		                  "Median and 90th percentile are nearest-rank values (always one "
		                  "of the measured times)."));
	return rc == 0 ? foot(b) : rc;
}

/* ---- coverage ---- */

int page_dash_coverage(struct buf *b, const struct page_dash_frame *f,
                       const struct page_dash_coverage *v)
{
	char from[32];
	int rc = head(b, f, T("当番の空き", "On-call gaps"));
	size_t gaps = 0;

	text_jst_format(v->from_ms, "%Y-%m-%d %H:%M", from, sizeof from);
	for (size_t i = 0; i < STATS_PREFS * PLAYBOOK_TYPES; i++)
		gaps += v->gap_h[i] > 0;
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "<h1>%s</h1><p>%s %s JST %s %d %s <strong id=\"gap-count\">%zu"
		    "</strong></p><div class=\"scroll\"><table id=\"coverage\"><thead><tr>"
		    "<th>%s</th>",
		    T("当番の空き(都道府県 × 専門分野)", "On-call gaps (prefecture × specialty)"),
		    T("数字は", "Hours with nobody on call from"), from, T("から", "over the next"),
		    v->days,
		    T("日間で当番が誰もいない時間(時間)です。空きのある組み合わせ:",
		      "days. Combinations with a gap:"),
		    gaps, T("都道府県", "Prefecture"));
	for (unsigned t = 0; rc == 0 && t < PLAYBOOK_TYPES; t++) {
		const struct playbook *pb = playbook_find(v->set, playbook_types[t]);

		if (strcmp(playbook_types[t], "unknown") == 0)
			continue;
		rc = buf_puts(b, "<th>");
		if (rc == 0)
			rc = put(b, pb != NULL ? pb->name.s[f->ui] : playbook_types[t]);
		if (rc == 0)
			rc = buf_puts(b, "</th>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</tr></thead><tbody>");
	for (size_t i = 0; rc == 0 && i < playbook_prefecture_count(v->set); i++) {
		const struct pb_prefecture *p = playbook_prefecture_at(v->set, i);

		rc = buf_printf(b, "<tr data-pref=\"%s\"><th scope=\"row\">", p->code);
		if (rc == 0)
			rc = put(b, p->name.s[f->ui]);
		if (rc == 0)
			rc = buf_puts(b, "</th>");
		for (unsigned t = 0; rc == 0 && t < PLAYBOOK_TYPES; t++) {
			double h = v->gap_h[i * PLAYBOOK_TYPES + t];

			if (strcmp(playbook_types[t], "unknown") == 0)
				continue;
			if (h > 0)
				rc = buf_printf(b, "<td class=\"num gap\">%gh</td>", h);
			else
				rc = buf_puts(b, "<td class=\"num\">·</td>");
		}
		if (rc == 0)
			rc = buf_puts(b, "</tr>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</tbody></table></div>");
	return rc == 0 ? foot(b) : rc;
}
