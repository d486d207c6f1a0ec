/* SPDX-License-Identifier: ISC */
/*
 * draft — the reports' drafts filled from a case; see draft.h.
 */
#include "draft.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ppc.h"
#include "text.h"

#define TO_WRITE "(記入してください / to be written)"

int draft_to_parse(const char *s, enum draft_to *out)
{
	static const char *const names[] = {
	    [DRAFT_PPC] = "ppc", [DRAFT_POLICE] = "police", [DRAFT_IPA] = "ipa"};
	int i = text_name_index(names, sizeof names / sizeof names[0], s);

	if (i < 0)
		return -EINVAL;
	*out = (enum draft_to)i;
	return 0;
}

static struct draft_item *item(struct draft *d, const char *ja, const char *en, bool filled,
                               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static struct draft_item *item(struct draft *d, const char *ja, const char *en, bool filled,
                               const char *fmt, ...)
{
	struct draft_item *it;
	va_list ap;

	if (d->n == DRAFT_ITEMS_MAX)
		return NULL;
	it = &d->item[d->n++];
	it->label = ja;
	it->label_en = en;
	it->filled = filled;
	va_start(ap, fmt);
	vsnprintf(it->text, sizeof it->text, fmt, ap);
	va_end(ap);
	return it;
}

static const char *or_blank(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : TO_WRITE;
}

static const char *tri_ja(enum tri t)
{
	return t == TRI_YES ? "はい" : t == TRI_NO ? "いいえ" : "不明";
}

/* When the company knew, as the reporter said. */
static void known_text(const struct case_record *rec, char *out, size_t n)
{
	if (rec->noticed == NOTICED_UNKNOWN)
		snprintf(out, n, "%s", "不明(会社の誰かが最初に知った日時を記入)");
	else
		text_jst_format(rec->noticed_at_ms, "%Y-%m-%d %H:%M(日本時間)", out, n);
}

static void ppc_items(struct draft *d, const struct case_record *rec, const struct playbook *pb,
                      const char *type, const char *known, int64_t now_ms)
{
	struct ppc_facts f;
	struct ppc_clock c;
	char received[40];
	const char *cause;

	ppc_facts_of_record(rec, pb != NULL && pb->malicious, &f);
	ppc_assess(&f, now_ms, &c);
	text_jst_format(rec->received_ms, "%Y-%m-%d %H:%M", received, sizeof received);
	if (c.dated)
		item(d, "報告期限", "Deadlines", true,
		     "速報: できるだけ早く、遅くとも%sごろ(目安)。確報: %s(%d日)。%s", c.prelim_due,
		     c.final_due, c.final_days,
		     c.prelim_overdue || c.final_overdue ? ppc_overdue_text(LANG_JA) : "");
	else
		item(d, "報告期限", "Deadlines", false,
		     "会社の誰かが最初に知った時から: "
		     "速報はできるだけ早く(3〜5日以内が目安)、確報は%d日以内",
		     c.final_days);
	item(d, "報告が必要か", "Is a report required", true, "%s",
	     c.reportable == PPC_REQUIRED ? "必要(施行規則第7条に当たる)"
	     : c.reportable == PPC_LIKELY ? "必要になる可能性がある(わからない点がある)"
	                                  : "第7条の4つのどれにも当たらない(任意の報告)");
	/* 施行規則 第8条1項 */
	item(d, "(1) 概要", "(1) Summary", rec->description != NULL,
	     "%s に「%s」として相談。会社が知った日時: %s。事業者: %s。状況: %s", received, type,
	     known, rec->company, or_blank(rec->description));
	if (rec->sensitive_data == TRI_YES || rec->financial_harm == TRI_YES)
		item(d, "(2) 漏えい等が発生し、又は発生したおそれがある個人データの項目",
		     "(2) The items of personal data", false,
		     "%s%s(ほかの項目を記入: 氏名、住所、電話番号など)",
		     rec->sensitive_data == TRI_YES ? "要配慮個人情報を含む。" : "",
		     rec->financial_harm == TRI_YES
		         ? "悪用されると財産的被害が生じるおそれのある情報("
		           "カード番号・ネットバンキングのID等)を含む。"
		         : "");
	else
		item(d, "(2) 漏えい等が発生し、又は発生したおそれがある個人データの項目",
		     "(2) The items of personal data", false, "%s",
		     TO_WRITE " 氏名、住所、電話番号、メールアドレスなど");
	item(d, "(3) 漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
	     "(3) The number of people", false, "%s",
	     rec->over_1000 == TRI_YES  ? "1,000人を超える(正確な数を記入)"
	     : rec->over_1000 == TRI_NO ? "1,000人以下(正確な数を記入)"
	                                : TO_WRITE);
	cause = rec->lost_or_stolen == LOS_STOLEN ? "盗難(不正の目的によるもの)"
	        : rec->lost_or_stolen == LOS_LOST ? "紛失"
	        : pb != NULL && pb->malicious     ? "攻撃など不正の目的によるもの"
	                                          : "";
	item(d, "(4) 原因", "(4) Cause", false, "%s%s%s(詳しい原因を記入)", type,
	     cause[0] != '\0' ? ": " : "", cause);
	item(d, "(5) 二次被害又はそのおそれの有無及びその内容", "(5) Secondary harm", false, "%s",
	     rec->money_involved == TRI_YES
	         ? "お金の送金、またはカード・口座情報の入力あり(内容を記入)"
	         : TO_WRITE);
	item(d, "(6) 本人への対応の実施状況", "(6) What was done for the people affected", false,
	     "%s", TO_WRITE " 本人への通知の日付と方法");
	item(d, "(7) 公表の実施状況", "(7) Publication", false, "%s", TO_WRITE);
	item(d, "(8) 再発防止のための措置", "(8) Measures against recurrence", false, "%s",
	     TO_WRITE);
	item(d, "(9) その他参考となる事項", "(9) Other", true,
	     "kakekomi 受付番号 %s。報告は個人情報保護委員会の報告フォーム(https://www.ppc.go.jp/"
	     "personalinfo/legal/leakAction/)から。速報はわかっている範囲で。",
	     rec->ref);
}

static void reporter_item(struct draft *d, const char *ja, const char *en,
                          const struct case_record *rec)
{
	item(d, ja, en, true, "%s / %s / 電話 %s%s%s", rec->company, rec->name, rec->phone,
	     rec->email != NULL ? " / " : "", rec->email != NULL ? rec->email : "");
}

int draft_build(struct draft *d, enum draft_to to, const struct case_record *rec,
                const struct playbook *pb, const struct pb_prefecture *pref, int64_t now_ms)
{
	const char *type = pb != NULL ? pb->name.s[LANG_JA] : rec->incident_type;
	char known[64];

	memset(d, 0, sizeof *d);
	d->to = to;
	known_text(rec, known, sizeof known);
	switch (to) {
	case DRAFT_PPC:
		if (rec->personal_data == TRI_NO)
			return -EINVAL;
		d->title = "個人情報保護委員会への漏えい等報告(下書き)";
		d->title_en =
		    "Leak report to the Personal Information Protection Commission (draft)";
		reporter_item(d, "報告者(事業者・担当者)", "Reporting business and contact", rec);
		ppc_items(d, rec, pb, type, known, now_ms);
		break;
	case DRAFT_POLICE:
		d->title = "警察(サイバー犯罪相談窓口)への相談メモ(下書き)";
		d->title_en = "Notes for the police cybercrime desk (draft)";
		reporter_item(d, "相談者", "Who reports", rec);
		item(d, "所在地(都道府県)", "Prefecture", true, "%s",
		     pref != NULL ? pref->name.s[LANG_JA] : rec->prefecture);
		item(d, "被害に気づいた日時", "When it was noticed",
		     rec->noticed != NOTICED_UNKNOWN, "%s", known);
		item(d, "被害の種類", "What happened", true, "%s", type);
		item(d, "被害の状況", "What is seen", rec->description != NULL, "%s",
		     or_blank(rec->description));
		item(d, "今も続いているか", "Still happening", true, "%s",
		     tri_ja(rec->still_happening));
		item(d, "金銭の被害", "Money lost", rec->money_involved != TRI_UNKNOWN, "%s%s",
		     tri_ja(rec->money_involved),
		     rec->money_involved == TRI_YES ? "(金額・振込先・日時を記入)" : "");
		item(d, "個人情報への影響", "Personal data", true, "%s",
		     tri_ja(rec->personal_data));
		break;
	case DRAFT_IPA:
		d->title = "IPA(情報処理推進機構)への届出・相談メモ(下書き)";
		d->title_en = "Notes for a report or consultation to IPA (draft)";
		reporter_item(d, "届出者", "Who reports", rec);
		item(d, "種類", "Kind", true, "%s", type);
		item(d, "発見日時", "When it was found", rec->noticed != NOTICED_UNKNOWN, "%s",
		     known);
		item(d, "概要", "Summary", rec->description != NULL, "%s",
		     or_blank(rec->description));
		item(d, "被害の状況", "Damage", true, "続いている: %s / お金: %s / 個人情報: %s",
		     tri_ja(rec->still_happening), tri_ja(rec->money_involved),
		     tri_ja(rec->personal_data));
		item(d, "実施した対策", "What was done", false, "%s", TO_WRITE);
		break;
	}
	if (pb != NULL && to != DRAFT_PPC) {
		char ev[2048] = "";
		size_t len = 0;

		for (size_t i = 0; i < pb->nevidence && len < sizeof ev - 1; i++)
			len +=
			    (size_t)snprintf(ev + len, sizeof ev - len, "%s%s", i > 0 ? " / " : "",
			                     pb->evidence[i].text.s[LANG_JA]);
		item(d, "保全している証拠(確認して残すもの)", "Evidence kept", false, "%s", ev);
	}
	if (to != DRAFT_PPC)
		item(d, "kakekomi 受付番号", "kakekomi reference", true, "%s", rec->ref);
	return 0;
}

int draft_text(const struct draft *d, bool both, struct buf *b)
{
	int rc = buf_printf(b, "%s\n", d->title);

	if (rc == 0 && both)
		rc = buf_printf(b, "%s\n", d->title_en);
	for (size_t i = 0; rc == 0 && i < d->n; i++) {
		const struct draft_item *it = &d->item[i];

		rc = buf_printf(b, "\n■ %s", it->label);
		if (rc == 0 && both)
			rc = buf_printf(b, " / %s", it->label_en);
		if (rc == 0)
			rc = buf_printf(b, "%s\n%s\n", it->filled ? "" : " [要記入 / to write]",
			                it->text);
	}
	return rc;
}
