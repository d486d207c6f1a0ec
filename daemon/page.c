/* SPDX-License-Identifier: ISC */
/*
 * page — HTML for reporters; see page.h.
 *
 * Plain server-rendered HTML5: every text from outside goes through
 * buf_put_html, there is no inline script or style (the CSP forbids both),
 * and every field has its label, so a phone's screen reader and zoom work.
 */
#include "page.h"

#include <jansson.h>
#include <string.h>

#include "text.h"

#define T(ja, en) (ui == LANG_JA ? (ja) : (en))

static int head(struct buf *b, enum lang ui, const char *title)
{
	int rc =
	    buf_printf(b,
	               "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	               "<meta name=\"referrer\" content=\"no-referrer\">"
	               "<link rel=\"stylesheet\" href=\"/static/app.css\"><title>",
	               lang_code(ui));

	if (rc == 0)
		rc = buf_put_html(b, title);
	if (rc == 0)
		rc = buf_printf(b, " — %s</title></head><body><main>",
		                T("駆け込み サイバー事故相談", "kakekomi cyber incident hotline"));
	return rc;
}

static int foot(struct buf *b)
{
	return buf_puts(b, "</main></body></html>\n");
}

static const char *val(page_value_cb value, void *src, const char *field)
{
	const char *v = value != NULL ? value(src, field) : NULL;

	return v != NULL ? v : "";
}

static int field_error(struct buf *b, enum lang ui, const struct intake_errors *errs,
                       const char *field)
{
	const struct intake_error *e = errs != NULL ? intake_error_for(errs, field) : NULL;
	int rc;

	if (e == NULL)
		return 0;
	rc = buf_printf(b, "<p class=\"error\" id=\"err-%s\" role=\"alert\">", field);
	if (rc == 0)
		rc = buf_put_html(b, e->msg[ui]);
	return rc == 0 ? buf_puts(b, "</p>") : rc;
}

static const char *invalid(const struct intake_errors *errs, const char *field)
{
	return errs != NULL && intake_error_for(errs, field) != NULL
	           ? " aria-invalid=\"true\" class=\"invalid\""
	           : "";
}

static int radio(struct buf *b, const char *name, const char *value, const char *label,
                 const char *current)
{
	int rc = buf_printf(
	    b, "<label class=\"choice\"><input type=\"radio\" name=\"%s\" value=\"%s\"%s> ", name,
	    value, strcmp(current, value) == 0 ? " checked" : "");

	if (rc == 0)
		rc = buf_put_html(b, label);
	return rc == 0 ? buf_puts(b, "</label>") : rc;
}

struct choice {
	const char *value, *ja, *en;
};

/* A question with one radio button per choice; nothing is chosen for the
 * reporter unless the form came back with an answer. */
static int choice_question(struct buf *b, enum lang ui, const char *name, const char *question,
                           const struct choice *choices, size_t n, page_value_cb value, void *src,
                           const struct intake_errors *errs)
{
	const char *cur = val(value, src, name);
	int rc = buf_printf(b, "<fieldset id=\"q-%s\"%s><legend>", name, invalid(errs, name));

	if (rc == 0)
		rc = buf_put_html(b, question);
	if (rc == 0)
		rc = buf_puts(b, "</legend><div class=\"row\">");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = radio(b, name, choices[i].value, T(choices[i].ja, choices[i].en), cur);
	if (rc == 0)
		rc = buf_puts(b, "</div>");
	if (rc == 0)
		rc = field_error(b, ui, errs, name);
	return rc == 0 ? buf_puts(b, "</fieldset>") : rc;
}

static int tri_question(struct buf *b, enum lang ui, const char *name, const char *question,
                        page_value_cb value, void *src, const struct intake_errors *errs)
{
	static const struct choice tri[] = {{"yes", "はい", "Yes"},
	                                    {"no", "いいえ", "No"},
	                                    {"unknown", "わからない", "Don't know"}};

	return choice_question(b, ui, name, question, tri, 3, value, src, errs);
}

static int text_input(struct buf *b, enum lang ui, const char *name, const char *type,
                      const char *label, const char *hint, const char *autocomplete,
                      page_value_cb value, void *src, const struct intake_errors *errs)
{
	int rc = buf_printf(b, "<div class=\"field\"><label for=\"f-%s\">", name);

	if (rc == 0)
		rc = buf_put_html(b, label);
	if (rc == 0 && hint != NULL) {
		rc = buf_puts(b, " <span class=\"hint\">");
		if (rc == 0)
			rc = buf_put_html(b, hint);
		if (rc == 0)
			rc = buf_puts(b, "</span>");
	}
	if (rc == 0)
		rc = buf_printf(b,
		                "</label><input id=\"f-%s\" name=\"%s\" type=\"%s\" "
		                "autocomplete=\"%s\"%s value=\"",
		                name, name, type, autocomplete, invalid(errs, name));
	if (rc == 0)
		rc = buf_put_html(b, val(value, src, name));
	if (rc == 0)
		rc = buf_puts(b, "\">");
	if (rc == 0)
		rc = field_error(b, ui, errs, name);
	return rc == 0 ? buf_puts(b, "</div>") : rc;
}

int page_form(struct buf *b, const struct playbook_set *set, enum lang ui, page_value_cb value,
              void *src, const struct intake_errors *errs)
{
	const char *cur;
	int rc = head(b, ui, T("被害の相談・通報", "Report an incident"));

	if (rc == 0)
		rc = buf_printf(
		    b,
		    "<nav class=\"lang\"><a href=\"/report?lang=%s\" lang=\"%s\">%s</a></nav>"
		    "<p class=\"banner\" id=\"other-device\">%s</p><h1>%s</h1><p>%s</p>",
		    ui == LANG_JA ? "en" : "ja", ui == LANG_JA ? "en" : "ja",
		    T("English", "日本語"),
		    T("被害に遭ったPCではなく、スマホや別のPCから入力してください。",
		      "Please fill this in from a phone or another device, not the affected PC."),
		    T("サイバー被害の相談・通報", "Report a cyber incident"),
		    T("わかる範囲で大丈夫です。送信するとすぐに、最初にやることが表示され、専門家か"
		      "ら折り返し電話します。",
		      "Answer what you can. As soon as you send this you will see what to do "
		      "first, "
		      "and a specialist will call you back."));
	if (rc == 0 && errs != NULL && errs->n != 0)
		rc = buf_printf(
		    b, "<p class=\"error summary\" role=\"alert\">%s</p>",
		    T("入力を確認してください。赤い印のところを直して、もう一度送信してください。",
		      "Please check the form: fix the fields marked in red and send it again."));
	if (rc == 0)
		rc = buf_printf(b, "<form method=\"post\" action=\"/report?lang=%s\" novalidate>",
		                lang_code(ui));

	/* 1. What is happening? */
	cur = val(value, src, "incident_type");
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "<fieldset id=\"q-incident_type\"%s><legend>%s</legend><div class=\"cards\">",
		    invalid(errs, "incident_type"), T("何が起きていますか?", "What is happening?"));
	for (size_t i = 0; rc == 0 && i < playbook_count(set); i++) {
		const struct playbook *pb = playbook_at(set, i);

		rc = radio(b, "incident_type", pb->id, pb->picker.s[ui], cur);
	}
	if (rc == 0)
		rc = buf_puts(b, "</div>");
	if (rc == 0)
		rc = field_error(b, ui, errs, "incident_type");
	if (rc == 0)
		rc = buf_puts(b, "</fieldset>");

	/* 2..5: the yes / no / don't know questions and when it was noticed. */
	if (rc == 0)
		rc = tri_question(b, ui, "still_happening",
		                  T("今も続いていますか?", "Is it still happening?"), value, src,
		                  errs);
	/* When the company knew: the APPI clock's start (ppc.h). Nothing is
	 * chosen for the reporter. */
	cur = val(value, src, "noticed");
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "<fieldset id=\"q-noticed\"%s><legend>%s</legend><p class=\"hint\">%s</p>"
		    "<div class=\"row\">",
		    invalid(errs, "noticed_at"),
		    T("会社の誰かが最初に気づいた、または知らされたのはいつですか?",
		      "When did anyone in your company first notice it, or get told of it?"),
		    T("取引先やお客様から知らされた時も含みます。個人情報保護委員会への報告期限は、"
		      "この時から数えます。",
		      "Being told by a vendor or a customer counts. The legal deadlines for "
		      "reporting count from that moment."));
	if (rc == 0)
		rc = radio(b, "noticed", "now", T("たった今", "Just now"), cur);
	if (rc == 0)
		rc = radio(b, "noticed", "today", T("今日", "Today"), cur);
	if (rc == 0)
		rc = radio(b, "noticed", "at", T("日時を指定", "At a date and time"), cur);
	if (rc == 0)
		rc = radio(b, "noticed", "unknown", T("わからない", "Don't know"), cur);
	if (rc == 0)
		rc = buf_printf(b,
		                "</div><label for=\"f-noticed_at\">%s</label>"
		                "<input id=\"f-noticed_at\" name=\"noticed_at\" "
		                "type=\"datetime-local\" value=\"",
		                T("日時(日本時間)", "Date and time (Japan time)"));
	if (rc == 0)
		rc = buf_put_html(b, val(value, src, "noticed_at"));
	if (rc == 0)
		rc = buf_puts(b, "\">");
	if (rc == 0)
		rc = field_error(b, ui, errs, "noticed");
	if (rc == 0)
		rc = field_error(b, ui, errs, "noticed_at");
	if (rc == 0)
		rc = buf_puts(b, "</fieldset>");
	if (rc == 0)
		rc = tri_question(b, ui, "money_involved",
		                  T("お金を送った、またはカード・口座の情報を入力しましたか?",
		                    "Was money sent, or were card or bank details entered?"),
		                  value, src, errs);
	if (rc == 0)
		rc = tri_question(b, ui, "personal_data",
		                  T("お客様や従業員の個人情報が関係していそうですか?",
		                    "Could personal data of customers or staff be involved?"),
		                  value, src, errs);
	/* Whether a report to the commission is required (施行規則 第7条). */
	if (rc == 0)
		rc = buf_printf(
		    b, "<fieldset id=\"q-appi\"><legend>%s</legend><p class=\"hint\">%s</p>",
		    T("個人情報が関係する場合(わかる範囲で)",
		      "If personal data is involved (as far as you know)"),
		    T("報告が必要かどうかを判断するために使います。「わからない」でも大丈夫です。",
		      "This tells whether a report is required. \"Don't know\" is fine."));
	if (rc == 0)
		rc = tri_question(b, ui, "sensitive_data",
		                  T("病歴・犯罪歴など、特に配慮が必要な情報が含まれますか?",
		                    "Does it include sensitive data, such as health or criminal "
		                    "records?"),
		                  value, src, errs);
	if (rc == 0)
		rc = tri_question(
		    b, ui, "financial_harm",
		    T("カード番号やネットバンキングのIDなど、悪用されるとお金の被害が出る"
		      "情報が含まれますか?",
		      "Does it include data that could be used to take money, such as "
		      "card numbers or bank log-ins?"),
		    value, src, errs);
	if (rc == 0)
		rc = tri_question(
		    b, ui, "over_1000",
		    T("1,000人を超える人の情報ですか?", "Is it about more than 1,000 people?"),
		    value, src, errs);
	if (rc == 0)
		rc = buf_puts(b, "</fieldset>");
	/* A lost device: a theft is a deliberate act (60 days), a loss is not. */
	if (rc == 0) {
		static const struct choice los[] = {{"lost", "なくした", "Lost"},
		                                    {"stolen", "盗まれた", "Stolen"},
		                                    {"unknown", "わからない", "Don't know"}};

		rc = choice_question(
		    b, ui, "lost_or_stolen",
		    T("パソコンやスマホをなくした場合: なくしましたか、盗まれましたか?",
		      "If a PC or phone is missing: was it lost or stolen?"),
		    los, 3, value, src, errs);
	}

	/* 6..9: who you are and how to call you back. */
	if (rc == 0)
		rc = buf_printf(b, "<fieldset><legend>%s</legend>",
		                T("連絡先(専門家が折り返し電話します)",
		                  "Your details (a specialist will call you back)"));
	if (rc == 0)
		rc = text_input(b, ui, "company", "text", T("会社名", "Company name"), NULL,
		                "organization", value, src, errs);
	cur = val(value, src, "prefecture");
	if (rc == 0)
		rc = buf_printf(b,
		                "<div class=\"field\"><label for=\"f-prefecture\">%s</label>"
		                "<select id=\"f-prefecture\" name=\"prefecture\"%s><option "
		                "value=\"\">%s</option>",
		                T("所在地(都道府県)", "Prefecture"), invalid(errs, "prefecture"),
		                T("選んでください", "Choose"));
	for (size_t r = 0; rc == 0 && r < playbook_region_count(set); r++) {
		const struct pb_region *reg = playbook_region_at(set, r);

		rc = buf_puts(b, "<optgroup label=\"");
		if (rc == 0)
			rc = buf_put_html(b, reg->name.s[ui]);
		if (rc == 0)
			rc = buf_puts(b, "\">");
		for (size_t i = 0; rc == 0 && i < playbook_prefecture_count(set); i++) {
			const struct pb_prefecture *p = playbook_prefecture_at(set, i);

			if (p->region != reg)
				continue;
			rc = buf_printf(b, "<option value=\"%s\"%s>", p->code,
			                strcmp(cur, p->code) == 0 ? " selected" : "");
			if (rc == 0)
				rc = buf_put_html(b, p->name.s[ui]);
			if (rc == 0)
				rc = buf_puts(b, "</option>");
		}
		if (rc == 0)
			rc = buf_puts(b, "</optgroup>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</select>");
	if (rc == 0)
		rc = field_error(b, ui, errs, "prefecture");
	if (rc == 0)
		rc = buf_puts(b, "</div>");
	if (rc == 0)
		rc = text_input(b, ui, "name", "text", T("お名前", "Your name"), NULL, "name",
		                value, src, errs);
	if (rc == 0)
		rc = text_input(
		    b, ui, "phone", "tel", T("折り返しの電話番号", "Call-back phone number"),
		    T("例: 06-1234-5678", "e.g. 06-1234-5678"), "tel", value, src, errs);
	if (rc == 0)
		rc = text_input(b, ui, "email", "email", T("メールアドレス", "E-mail"),
		                T("任意", "optional"), "email", value, src, errs);
	if (rc == 0)
		rc = buf_printf(b,
		                "<div class=\"field\"><label for=\"f-description\">%s <span "
		                "class=\"hint\">%s</span></label>"
		                "<textarea id=\"f-description\" name=\"description\" rows=\"3\"%s>",
		                T("状況をひとことで", "What you see, in a line"),
		                T("任意", "optional"), invalid(errs, "description"));
	if (rc == 0)
		rc = buf_put_html(b, val(value, src, "description"));
	if (rc == 0)
		rc = buf_puts(b, "</textarea>");
	if (rc == 0)
		rc = field_error(b, ui, errs, "description");
	if (rc == 0)
		rc = buf_puts(b, "</div>");
	cur = val(value, src, "lang");
	if (cur[0] == '\0')
		cur = lang_code(ui);
	if (rc == 0)
		rc = buf_printf(b,
		                "<div class=\"field\" id=\"q-lang\"><span "
		                "class=\"label\">%s</span><div class=\"row\">",
		                T("電話での希望言語", "Language for the call-back"));
	if (rc == 0)
		rc = radio(b, "lang", "ja", "日本語", cur);
	if (rc == 0)
		rc = radio(b, "lang", "en", "English", cur);
	if (rc == 0)
		rc = buf_puts(b, "</div>");
	if (rc == 0)
		rc = field_error(b, ui, errs, "lang");
	if (rc == 0)
		rc = buf_printf(
		    b, "</div></fieldset><button type=\"submit\">%s</button></form>",
		    T("送信して、最初にやることを見る", "Send, and see what to do first"));
	return rc == 0 ? foot(b) : rc;
}

static int item_list(struct buf *b, const char *tag, const char *id, const struct pb_item *items,
                     size_t n, enum lang lang)
{
	int rc = buf_printf(b, "<%s id=\"%s\">", tag, id);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = buf_puts(b, "<li>");
		if (rc == 0)
			rc = buf_put_html(b, items[i].text.s[lang]);
		if (rc == 0)
			rc = buf_puts(b, "</li>");
	}
	return rc == 0 ? buf_printf(b, "</%s>", tag) : rc;
}

/* The guidance in G's language, with headings in the page's language. */
static int guidance_html(struct buf *b, enum lang ui, const struct guidance *g)
{
	enum lang gl = g->lang;
	int rc = buf_printf(b, "<section class=\"guidance\" lang=\"%s\"><h2>", lang_code(gl));

	if (rc == 0)
		rc = buf_put_html(b, gl == LANG_JA ? "今すぐやること(上から順に)"
		                                   : "Do this now, in order");
	if (rc == 0)
		rc = buf_puts(b, ": ");
	if (rc == 0)
		rc = buf_put_html(b, g->pb->name.s[gl]);
	if (rc == 0)
		rc = buf_puts(b, "</h2>");
	if (rc == 0)
		rc = item_list(b, "ol", "steps", g->pb->steps, g->pb->nsteps, gl);
	if (rc == 0)
		rc = buf_printf(b, "<h2>%s</h2>", gl == LANG_JA ? "してはいけないこと" : "Do not");
	if (rc == 0)
		rc = item_list(b, "ul", "dont", g->pb->dont, g->pb->ndont, gl);
	if (rc == 0)
		rc = buf_printf(b, "<h2>%s</h2>",
		                gl == LANG_JA ? "残しておくもの(証拠)" : "Keep these (evidence)");
	if (rc == 0)
		rc = item_list(b, "ul", "evidence", g->pb->evidence, g->pb->nevidence, gl);
	if (rc == 0)
		rc = buf_printf(b, "<h2>%s</h2><ul id=\"report-to\">",
		                gl == LANG_JA ? "連絡・報告する先" : "Whom to report to");
	for (size_t i = 0; rc == 0 && i < g->nreport; i++) {
		const struct guidance_report *r = &g->report[i];

		rc = buf_printf(b, "<li class=\"target-%s%s\"><strong>", r->target->id,
		                r->has_deadline ? " deadline" : "");
		if (rc == 0)
			rc = buf_put_html(b, r->target->name.s[gl]);
		if (rc == 0)
			rc = buf_puts(b, "</strong><br>");
		if (rc == 0)
			rc = buf_put_html(b, r->text);
		if (rc == 0)
			rc = buf_puts(b, "</li>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</ul></section>");
	(void)ui;
	return rc;
}

static int detail_row(struct buf *b, const char *label, const char *value)
{
	int rc;

	if (value == NULL || value[0] == '\0')
		return 0;
	rc = buf_puts(b, "<dt>");
	if (rc == 0)
		rc = buf_put_html(b, label);
	if (rc == 0)
		rc = buf_puts(b, "</dt><dd>");
	if (rc == 0)
		rc = buf_put_html(b, value);
	return rc == 0 ? buf_puts(b, "</dd>") : rc;
}

/* "What you told us": lets the reporter check the call-back number. */
static int details_html(struct buf *b, enum lang ui, const struct guidance *g,
                        const struct page_details *d)
{
	int rc;

	if (d == NULL)
		return 0;
	rc = buf_printf(b, "<section class=\"details\"><h2>%s</h2><dl id=\"details\">",
	                T("ご連絡いただいた内容", "What you told us"));
	if (rc == 0)
		rc = detail_row(b, T("会社名", "Company"), d->company);
	if (rc == 0)
		rc = detail_row(b, T("所在地", "Prefecture"),
		                g->pref != NULL ? g->pref->name.s[ui] : NULL);
	if (rc == 0)
		rc = detail_row(b, T("お名前", "Name"), d->name);
	if (rc == 0)
		rc = detail_row(b, T("折り返しの電話番号", "Call-back phone"), d->phone);
	if (rc == 0)
		rc = detail_row(b, T("メールアドレス", "E-mail"), d->email);
	if (rc == 0)
		rc = detail_row(b, T("状況", "What you see"), d->description);
	return rc == 0 ? buf_puts(b, "</dl></section>") : rc;
}

int page_result(struct buf *b, enum lang ui, const char *ref, const char *status_url,
                const struct guidance *g, const struct page_details *d)
{
	int rc = head(b, ui, T("受け付けました", "Report received"));

	if (rc == 0)
		rc = buf_printf(
		    b,
		    "<p class=\"banner ok\">%s</p><h1>%s</h1>"
		    "<p class=\"ref-label\">%s</p><p class=\"ref\" id=\"case-ref\">%s</p>"
		    "<p class=\"callback\" id=\"callback\">",
		    T("受け付けました。", "Your report has been received."),
		    T("最初にやること", "What to do first"),
		    T("受付番号(電話で聞かれたら伝えてください)",
		      "Your case reference (give it on the phone)"),
		    ref);
	if (rc == 0)
		rc = buf_put_html(b, guidance_callback_text(g->lang));
	if (rc == 0)
		rc = buf_puts(b, "</p>");
	if (rc == 0)
		rc = guidance_html(b, ui, g);
	if (rc == 0)
		rc = buf_printf(b,
		                "<section class=\"status\"><h2>%s</h2><p>%s</p><p><a "
		                "id=\"status-link\" href=\"",
		                T("状況の確認", "Follow your case"),
		                T("このリンクで、いつでも状況とこの手順を確認できます。あなた専用の"
		                  "リンクです。他の人に教えないでください。",
		                  "This link shows the state of your case and these steps at any "
		                  "time. It is private to you: do not share it."));
	if (rc == 0)
		rc = buf_put_html(b, status_url);
	if (rc == 0)
		rc = buf_puts(b, "\">");
	if (rc == 0)
		rc = buf_put_html(b, status_url);
	if (rc == 0)
		rc = buf_puts(b, "</a></p></section>");
	if (rc == 0)
		rc = details_html(b, ui, g, d);
	return rc == 0 ? foot(b) : rc;
}

/* What the reporter is told of each event; NULL for events that are the
 * relay's own business (a specialist passing the case on, and so on). */
static const char *event_label(enum lang ui, const char *kind)
{
	static const struct {
		const char *kind, *ja, *en;
	} labels[] = {
	    {"received", "受付", "Report received"},
	    {"guidance_delivered", "最初の手順をお伝えしました", "First steps delivered"},
	    {"guidance_not_delivered", "最初の手順の表示が届かなかった可能性があります",
	     "First steps may not have reached you"},
	    {"routed", "担当地域の専門家に連絡しました", "Specialists in your area alerted"},
	    {"escalated", "ほかの専門家にも連絡しました", "More specialists alerted"},
	    {"acknowledged", "専門家が担当になりました", "A specialist has taken your case"},
	    {"contact_revealed", "担当の専門家にあなたの連絡先を伝えました",
	     "Your contact details were given to that specialist"},
	    {"contacted", "専門家からご連絡しました", "The specialist reached you"},
	    {"dispatch_requested", "専門家の訪問を手配しました",
	     "A visit by the specialist was arranged"},
	    {"on_the_way", "専門家がそちらに向かっています", "The specialist is on the way"},
	    {"onsite", "専門家が現地に到着しました", "The specialist arrived on site"},
	    {"left_site", "現地での対応が終わりました", "The visit on site is finished"},
	    {"resolved", "解決しました", "Resolved"},
	};

	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].kind, kind) == 0)
			return ui == LANG_JA ? labels[i].ja : labels[i].en;
	return NULL;
}

static const char *state_text(enum lang ui, const char *state)
{
	static const struct {
		const char *state, *ja, *en;
	} texts[] = {
	    {"new", "受け付けました。担当の専門家を探しています。折り返しの電話をお待ちください。",
	     "Received. We are finding a specialist for you; please wait for the call-back."},
	    {"alerted", "受け付けました。専門家に連絡しています。折り返しの電話をお待ちください。",
	     "Received. Specialists have been alerted; please wait for the call-back."},
	    {"acknowledged", "専門家が担当になりました。まもなくお電話します。",
	     "A specialist has your case and will call you shortly."},
	    {"contacted", "担当の専門家と連絡が取れています。",
	     "You are in touch with your specialist."},
	    {"on_the_way", "専門家がそちらに向かっています。",
	     "The specialist is on the way to you."},
	    {"onsite", "専門家が現地で対応しています。", "The specialist is on site."},
	    {"visited", "現地での対応が終わりました。", "The visit on site is finished."},
	    {"resolved", "解決しました。", "Resolved."},
	};

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (strcmp(texts[i].state, state) == 0)
			return ui == LANG_JA ? texts[i].ja : texts[i].en;
	return state;
}

int page_status(struct buf *b, enum lang ui, const struct case_record *rec,
                const struct guidance *g, const char *self_url)
{
	int rc = head(b, ui, rec->ref);

	if (rc == 0)
		rc = buf_puts(b, "<nav class=\"lang\"><a href=\"");
	if (rc == 0)
		rc = buf_put_html(b, self_url);
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "&amp;lang=%s\">%s</a></nav><h1>%s</h1><p class=\"ref\" id=\"case-ref\">%s</p>"
		    "<p class=\"state\" id=\"state\">",
		    ui == LANG_JA ? "en" : "ja", T("English", "日本語"),
		    T("ご相談の状況", "Your case"), rec->ref);
	if (rc == 0)
		rc = buf_put_html(b, state_text(ui, rec->state));
	if (rc == 0 && strcmp(rec->state, "on_the_way") == 0) {
		/* The latest ETA the specialist gave. */
		for (size_t i = rec->nevents; i-- > 0;) {
			json_t *d;
			int64_t eta;

			if (strcmp(rec->events[i].kind, "on_the_way") != 0 ||
			    rec->events[i].detail == NULL)
				continue;
			d = json_loads(rec->events[i].detail, 0, NULL);
			if (json_string_value(json_object_get(d, "eta")) != NULL &&
			    text_rfc3339_parse(json_string_value(json_object_get(d, "eta")),
			                       &eta) == 0) {
				char when[32];

				text_jst_format(eta, "%H:%M", when, sizeof when);
				rc = buf_printf(b, "</p><p class=\"eta\" id=\"eta\">%s %s",
				                T("到着予定:", "Expected arrival:"), when);
				if (rc == 0)
					rc = buf_puts(b, T(" ごろ(日本時間)", " (Japan time)"));
			}
			json_decref(d);
			break;
		}
	}
	if (rc == 0)
		rc = buf_printf(b, "</p><h2>%s</h2><ol id=\"timeline\">", T("経過", "Timeline"));
	for (size_t i = 0; rc == 0 && i < rec->nevents; i++) {
		char when[32];
		const char *label = event_label(ui, rec->events[i].kind);

		if (label == NULL || !case_event_public(rec->events[i].kind))
			continue;
		text_jst_format(rec->events[i].at_ms, "%Y-%m-%d %H:%M:%S", when, sizeof when);
		rc = buf_printf(b, "<li class=\"event-%s\"><time>%s JST</time> ",
		                rec->events[i].kind, when);
		if (rc == 0)
			rc = buf_put_html(b, label);
		if (rc == 0)
			rc = buf_puts(b, "</li>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</ol>");
	if (rc == 0)
		rc = guidance_html(b, ui, g);
	if (rc == 0) {
		struct page_details d = {rec->company, rec->name, rec->phone, rec->email,
		                         rec->description};

		rc = details_html(b, ui, g, &d);
	}
	return rc == 0 ? foot(b) : rc;
}

int page_message(struct buf *b, enum lang ui, const char *title, const char *text)
{
	int rc = head(b, ui, title);

	if (rc == 0)
		rc = buf_puts(b, "<h1>");
	if (rc == 0)
		rc = buf_put_html(b, title);
	if (rc == 0)
		rc = buf_puts(b, "</h1><p>");
	if (rc == 0)
		rc = buf_put_html(b, text);
	if (rc == 0)
		rc = buf_printf(b, "</p><p><a href=\"/report?lang=%s\">%s</a></p>", lang_code(ui),
		                T("相談・通報フォームへ", "Go to the report form"));
	return rc == 0 ? foot(b) : rc;
}
