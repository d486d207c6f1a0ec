/* SPDX-License-Identifier: ISC */
/*
 * ppc — the APPI report duty and its dates; see ppc.h.
 */
#include "ppc.h"

#include <jansson.h>
#include <string.h>

#include "text.h"

static bool yes(enum tri t)
{
	return t == TRI_YES;
}

static bool unknown(enum tri t)
{
	return t == TRI_UNKNOWN;
}

static void facts(enum tri pd, enum tri sens, enum tri fin, enum tri over, enum lost_or_stolen los,
                  enum noticed_kind noticed, int64_t at_ms, const char *type, bool malicious_type,
                  struct ppc_facts *f)
{
	memset(f, 0, sizeof *f);
	f->personal_data = pd;
	f->sensitive_data = sens;
	f->financial_harm = fin;
	f->over_1000 = over;
	f->malicious_type = malicious_type;
	f->lost_device = type != NULL && strcmp(type, "lost_device") == 0;
	f->lost_or_stolen = f->lost_device && los == LOS_UNSET ? LOS_UNKNOWN : los;
	f->known = noticed != NOTICED_UNKNOWN;
	f->known_at_ms = at_ms;
}

void ppc_facts_of_input(const struct case_input *in, bool malicious_type, struct ppc_facts *f)
{
	facts(in->personal_data, in->sensitive_data, in->financial_harm, in->over_1000,
	      in->lost_or_stolen, in->noticed, in->noticed_at_ms, in->incident_type, malicious_type,
	      f);
}

void ppc_facts_of_record(const struct case_record *rec, bool malicious_type, struct ppc_facts *f)
{
	facts(rec->personal_data, rec->sensitive_data, rec->financial_harm, rec->over_1000,
	      rec->lost_or_stolen, rec->noticed, rec->noticed_at_ms, rec->incident_type,
	      malicious_type, f);
}

json_t *ppc_reasons_json(unsigned mask)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {{PPC_SENSITIVE, "sensitive_data"},
	             {PPC_FINANCIAL, "financial_harm"},
	             {PPC_MALICIOUS, "deliberate_act"},
	             {PPC_OVER_1000, "over_1000"}};
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < sizeof names / sizeof names[0]; i++)
		if ((mask & names[i].bit) != 0)
			json_array_append_new(a, json_string(names[i].name));
	return a;
}

void ppc_assess(const struct ppc_facts *f, int64_t now_ms, struct ppc_clock *c)
{
	bool stolen_for_sure;
	char today[11];

	memset(c, 0, sizeof *c);
	c->applies = f->personal_data != TRI_NO;
	if (!c->applies)
		return;
	/* The cause: a lost device is no deliberate act, a stolen one is; a
	 * device that may have been stolen counts as stolen for the dates. */
	if (f->lost_device) {
		stolen_for_sure = f->lost_or_stolen == LOS_STOLEN;
		c->malicious = f->lost_or_stolen != LOS_LOST;
		if (f->lost_or_stolen != LOS_LOST && !stolen_for_sure)
			c->unknown |= PPC_MALICIOUS;
	} else {
		stolen_for_sure = f->malicious_type;
		c->malicious = f->malicious_type;
	}
	if (stolen_for_sure)
		c->reasons |= PPC_MALICIOUS;
	if (yes(f->sensitive_data))
		c->reasons |= PPC_SENSITIVE;
	else if (unknown(f->sensitive_data))
		c->unknown |= PPC_SENSITIVE;
	if (yes(f->financial_harm))
		c->reasons |= PPC_FINANCIAL;
	else if (unknown(f->financial_harm))
		c->unknown |= PPC_FINANCIAL;
	if (yes(f->over_1000))
		c->reasons |= PPC_OVER_1000;
	else if (unknown(f->over_1000))
		c->unknown |= PPC_OVER_1000;

	if (c->reasons != 0 && f->personal_data == TRI_YES)
		c->reportable = PPC_REQUIRED;
	else if (c->reasons != 0 || c->unknown != 0)
		c->reportable = PPC_LIKELY;
	else
		c->reportable = PPC_NOT_REQUIRED;

	c->final_days = c->malicious ? PPC_FINAL_DAYS_MALICIOUS : PPC_FINAL_DAYS;
	if (!f->known)
		return;
	c->dated = true;
	text_jst_date_plus(f->known_at_ms, 0, c->known_date);
	text_jst_date_plus(f->known_at_ms, PPC_PRELIM_DAYS, c->prelim_due);
	text_jst_date_plus(f->known_at_ms, c->final_days, c->final_due);
	text_jst_date_plus(now_ms, 0, today);
	c->prelim_overdue = strcmp(today, c->prelim_due) > 0;
	c->final_overdue = strcmp(today, c->final_due) > 0;
}

const char *ppc_reportable_name(enum ppc_reportable r)
{
	static const char *const names[] = {[PPC_NOT_REQUIRED] = "not_required",
	                                    [PPC_LIKELY] = "likely",
	                                    [PPC_REQUIRED] = "required"};

	return (size_t)r < sizeof names / sizeof names[0] ? names[r] : "not_required";
}

const char *ppc_overdue_text(enum lang lang)
{
	return lang == LANG_JA ? "期限を過ぎています。わかっている範囲ですぐに報告してください。"
	                       : "The deadline has passed. Report now with what you know.";
}

/* The conditions of MASK, joined in words. */
static int conditions(struct buf *b, unsigned mask, enum lang lang)
{
	static const struct {
		unsigned bit;
		const char *ja, *en;
	} names[] = {
	    {PPC_SENSITIVE, "要配慮個人情報(病歴・犯罪歴など)が含まれる",
	     "sensitive data (health, criminal record and the like) is involved"},
	    {PPC_FINANCIAL,
	     "悪用されるとお金の被害が出る情報(カード番号・ネットバンキングのIDなど)が含まれる",
	     "the data could be used to take money (card numbers, bank log-ins)"},
	    {PPC_MALICIOUS, "攻撃・盗難・持ち出しなど不正な目的による",
	     "it comes from a deliberate act (an attack, a theft, someone taking data)"},
	    {PPC_OVER_1000, "1,000人を超える", "more than 1,000 people are affected"},
	};
	int rc = 0;
	bool first = true;

	for (size_t i = 0; i < sizeof names / sizeof names[0] && rc == 0; i++) {
		if ((mask & names[i].bit) == 0)
			continue;
		if (!first)
			rc = buf_puts(b, lang == LANG_JA ? "、" : "; ");
		if (rc == 0)
			rc = buf_puts(b, lang == LANG_JA ? names[i].ja : names[i].en);
		first = false;
	}
	return rc;
}

int ppc_duty_text(const struct ppc_clock *c, enum lang lang, struct buf *b)
{
	bool ja = lang == LANG_JA;
	int rc;

	switch (c->reportable) {
	case PPC_REQUIRED:
		rc = buf_puts(b, ja ? " 報告が必要です(" : " A report is required (");
		if (rc == 0)
			rc = conditions(b, c->reasons, lang);
		return rc == 0 ? buf_puts(b, ja ? "ため)。" : ").") : rc;
	case PPC_LIKELY:
		rc = buf_puts(b, ja ? " 報告が必要になる可能性があります("
		                    : " A report is probably required (");
		if (rc == 0 && c->reasons != 0) {
			rc = conditions(b, c->reasons, lang);
			if (rc == 0)
				rc =
				    buf_puts(b, ja ? "ため。個人情報が関係していれば報告の対象です"
				                   : ", so if personal data is involved it must be "
				                     "reported");
		} else if (rc == 0) {
			rc = buf_puts(b, ja ? "まだわからない点があります: "
			                    : "not known yet: whether ");
			if (rc == 0)
				rc = conditions(b, c->unknown, lang);
			if (rc == 0)
				rc = buf_puts(
				    b, ja ? "かどうか。わからない点は当てはまるものとして準備して"
				            "ください"
				          : ". Prepare as if they were");
		}
		return rc == 0 ? buf_puts(b, ja ? ")。" : ").") : rc;
	case PPC_NOT_REQUIRED: break;
	}
	return buf_puts(b, ja ? " 法律上の報告は必要ないと考えられます(要配慮個人情報、お金の被害が"
	                        "出る情報、不正な目的、1,000人超のどれにも当たらないため)。"
	                        "状況が変わったら見直してください。任意で相談・報告することも"
	                        "できます。"
	                      : " A report is not required by law (no sensitive data, nothing "
	                        "that could be used to take money, no deliberate act, not more "
	                        "than 1,000 people). Check again if that changes; you may still "
	                        "consult or report voluntarily.");
}

int ppc_text(const struct ppc_clock *c, enum lang lang, struct buf *b)
{
	bool ja = lang == LANG_JA;
	int rc;

	if (!c->applies)
		return 0;
	rc = ppc_duty_text(c, lang, b);
	if (rc < 0 || c->reportable == PPC_NOT_REQUIRED)
		return rc;
	rc = buf_puts(b, ja ? " 影響を受ける本人(お客様・従業員など)にも、状況に応じて速やかに"
	                      "知らせてください。"
	                    : " Also tell the people affected (customers, staff) promptly, as "
	                      "the situation allows.");
	if (rc < 0)
		return rc;
	if (!c->dated)
		return buf_printf(
		    b,
		    ja ? " 速報はできるだけ早く("
		         "遅くとも、会社の誰かが最初に気づいた、または知らされた"
		         "時から3〜5日以内が目安)。確報はその時から%"
		         "d日以内。期限はこの時から数えます"
		         "。"
		       : " Preliminary report: as soon as possible (at the latest about 3 to 5 "
		         "days "
		         "from when anyone in the company first knew or was told). Final report: "
		         "within %d days of that moment. The deadlines count from that moment.",
		    c->final_days);
	if (ja)
		rc = buf_printf(
		    b,
		    " 速報: できるだけ早く。遅くとも%sごろまで(知った日%sから3〜5日が目安"
		    ")。確報の期限: %s(知った日から%d日%s)。日付は土日祝日で延ばさずに"
		    "示しています。",
		    c->prelim_due, c->known_date, c->final_due, c->final_days,
		    c->malicious ? "、不正な目的による場合" : "");
	else
		rc = buf_printf(
		    b,
		    " Preliminary report: as soon as possible, at the latest by about %s "
		    "(3 to 5 days from %s, when the company knew; approximate). Final "
		    "report due: %s (%d days%s). Dates are not moved for weekends or "
		    "holidays.",
		    c->prelim_due, c->known_date, c->final_due, c->final_days,
		    c->malicious ? ", as the cause is a deliberate act" : "");
	if (rc == 0 && (c->prelim_overdue || c->final_overdue)) {
		rc = buf_puts(b, " ");
		if (rc == 0)
			rc = buf_puts(b, ppc_overdue_text(lang));
	}
	return rc;
}

const char *ppc_report_name(enum ppc_report r)
{
	return r == PPC_REPORT_PRELIMINARY ? "preliminary" : "final";
}

enum ppc_deadline_state ppc_deadline_state(const struct ppc_deadline *d, int64_t now_ms)
{
	char today[11];

	if (d->reported)
		return PPC_DEADLINE_REPORTED;
	text_jst_date_plus(now_ms, 0, today);
	return strcmp(today, d->due) > 0 ? PPC_DEADLINE_OVERDUE : PPC_DEADLINE_DUE;
}

const char *ppc_deadline_state_name(enum ppc_deadline_state s)
{
	return s == PPC_DEADLINE_REPORTED  ? "reported"
	       : s == PPC_DEADLINE_OVERDUE ? "overdue"
	                                   : "due";
}

int ppc_deadlines_text(const struct ppc_deadline *d, size_t n, int64_t now_ms, struct buf *b)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		enum ppc_deadline_state state = ppc_deadline_state(&d[i], now_ms);
		bool prelim = d[i].report == PPC_REPORT_PRELIMINARY;

		rc = buf_printf(b, "個人情報保護委員会への%s / PPC %s report: %s%s — ",
		                prelim ? "速報" : "確報", ppc_report_name(d[i].report),
		                prelim ? "~" : "", d[i].due);
		if (rc == 0 && state == PPC_DEADLINE_OVERDUE)
			rc = buf_printf(b, "%s / %s\n", ppc_overdue_text(LANG_JA),
			                ppc_overdue_text(LANG_EN));
		else if (rc == 0)
			rc = buf_puts(b, state == PPC_DEADLINE_REPORTED ? "報告済み / reported\n"
			                                                : "期限前 / due\n");
	}
	return rc;
}
