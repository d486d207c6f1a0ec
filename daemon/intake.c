/* SPDX-License-Identifier: ISC */
/*
 * intake — the rules for each field of a report; see intake.h.
 *
 * Messages say what to fix, in Japanese and English, because the person
 * reading them may be frightened and on a phone. Nothing here touches the
 * store: a report that fails a check leaves no trace.
 */
#include "intake.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Clocks on phones drift; a few minutes ahead of ours is still "now". */
#define INTAKE_FUTURE_SLACK_MS (5LL * 60 * 1000)
#define INTAKE_PAST_LIMIT_MS   (10LL * 366 * 86400 * 1000)

static void add_error(struct intake_errors *errs, const char *field, const char *ja, const char *en)
{
	if (intake_error_for(errs, field) != NULL || errs->n >= INTAKE_MAX_ERRORS)
		return;
	errs->e[errs->n].field = field;
	errs->e[errs->n].msg[LANG_JA] = ja;
	errs->e[errs->n].msg[LANG_EN] = en;
	errs->n++;
}

const struct intake_error *intake_error_for(const struct intake_errors *errs, const char *field)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strcmp(errs->e[i].field, field) == 0)
			return &errs->e[i];
	return NULL;
}

/*
 * Fetches FIELD as checked UTF-8 text without control characters. Returns
 * 1 with *OUT set (borrowed), 0 when absent or empty, -EINVAL after
 * recording an error for the field.
 */
static int get_text(intake_get_cb get, void *src, struct intake_errors *errs, const char *field,
                    bool multiline, const char **out)
{
	const char *v = NULL;
	int rc = get(src, field, &v);

	if (rc == -ENOENT || (rc == 0 && v[0] == '\0'))
		return 0;
	if (rc < 0) {
		add_error(errs, field, "文字列で入力してください。",
		          "This must be text (a JSON string).");
		return -EINVAL;
	}
	if (!text_utf8_valid(v, strlen(v))) {
		add_error(errs, field, "文字コードが正しくありません(UTF-8で送ってください)。",
		          "This is not valid UTF-8 text; send it as UTF-8.");
		return -EINVAL;
	}
	if (text_has_control(v, multiline)) {
		add_error(errs, field, "制御文字は使えません。普通の文字だけで入力してください。",
		          "Control characters are not allowed; use ordinary text only.");
		return -EINVAL;
	}
	*out = v;
	return 1;
}

/* A trimmed, length-checked copy of FIELD into *DST (NULL when empty). */
static int take_text(intake_get_cb get, void *src, struct intake_errors *errs, const char *field,
                     bool required, bool multiline, size_t max_chars, char **dst)
{
	const char *v = NULL;
	int rc = get_text(get, src, errs, field, multiline, &v);
	char *t;

	*dst = NULL;
	if (rc < 0)
		return 0;
	if (rc == 0) {
		if (required)
			add_error(errs, field, "入力してください。", "Please fill this in.");
		return 0;
	}
	t = text_trim_dup(v);
	if (t == NULL)
		return -ENOMEM;
	if (t[0] == '\0') {
		free(t);
		if (required)
			add_error(errs, field, "入力してください。", "Please fill this in.");
		return 0;
	}
	if (text_utf8_count(t) > max_chars) {
		free(t);
		if (max_chars == INTAKE_DESCRIPTION_MAX)
			add_error(errs, field, "2000文字以内にしてください。",
			          "Please keep this under 2000 characters.");
		else
			add_error(errs, field, "100文字以内にしてください。",
			          "Please keep this under 100 characters.");
		return 0;
	}
	*dst = t;
	return 0;
}

static void take_tri(intake_get_cb get, void *src, struct intake_errors *errs, const char *field,
                     enum tri *out)
{
	const char *v = NULL;

	*out = TRI_UNKNOWN;
	if (get_text(get, src, errs, field, false, &v) <= 0)
		return;
	if (case_tri_parse(v, out) < 0)
		add_error(errs, field, "「はい」「いいえ」「わからない」から選んでください。",
		          "Choose yes, no or don't know (yes, no or unknown).");
}

static void take_noticed(enum intake_source kind, intake_get_cb get, void *src,
                         struct intake_errors *errs, int64_t now_ms, struct case_input *out)
{
	const char *how = NULL;
	const char *at = NULL;
	int64_t ms = now_ms;

	/* Not given: not known. The answer then says from when to count. */
	out->noticed = NOTICED_UNKNOWN;
	out->noticed_at_ms = now_ms;
	if (kind == INTAKE_FORM) {
		if (get_text(get, src, errs, "noticed", false, &how) < 0)
			return;
		if (how == NULL || strcmp(how, "unknown") == 0)
			return;
		if (strcmp(how, "now") == 0) {
			out->noticed = NOTICED_NOW;
			return;
		}
		if (strcmp(how, "today") == 0) {
			out->noticed = NOTICED_TODAY;
			return;
		}
		if (strcmp(how, "at") != 0) {
			add_error(
			    errs, "noticed",
			    "「たった今」「今日」「日時を指定」「わからない」から選んでください。",
			    "Choose just now, today, a date and time, or don't know.");
			return;
		}
		if (get_text(get, src, errs, "noticed_at", false, &at) < 0)
			return;
		if (at == NULL) {
			add_error(errs, "noticed_at", "気づいた日時を入力してください(日本時間)。",
			          "Enter the date and time you noticed (Japan time).");
			return;
		}
		if (text_jst_local_parse(at, &ms) < 0) {
			add_error(errs, "noticed_at",
			          "日時は 2026-11-22T09:30 の形で入力してください(日本時間)。",
			          "Enter the date and time as 2026-11-22T09:30 (Japan time).");
			return;
		}
	} else {
		if (get_text(get, src, errs, "noticed_at", false, &at) <= 0)
			return;
		if (text_rfc3339_parse(at, &ms) < 0) {
			add_error(
			    errs, "noticed_at",
			    "RFC 3339 形式の日時にしてください(例: 2026-11-22T09:30:00+09:00)。",
			    "Use an RFC 3339 date-time such as 2026-11-22T09:30:00+09:00.");
			return;
		}
	}
	if (ms > now_ms + INTAKE_FUTURE_SLACK_MS) {
		add_error(errs, "noticed_at",
		          "未来の日時になっています。気づいた日時を確認してください。",
		          "That time is in the future; check when you noticed.");
		return;
	}
	if (ms < now_ms - INTAKE_PAST_LIMIT_MS) {
		add_error(errs, "noticed_at",
		          "10年以上前の日時になっています。年を確認してください。",
		          "That is more than ten years ago; check the year.");
		return;
	}
	out->noticed = NOTICED_AT;
	out->noticed_at_ms = ms;
}

static bool email_plausible(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL || strchr(at, '.') == NULL ||
	    at[1] == '.' || s[strlen(s) - 1] == '.')
		return false;
	for (; *s != '\0'; s++)
		if (*s == ' ' || *s == '<' || *s == '>' || *s == ',' || *s == ';')
			return false;
	return true;
}

int intake_check(const struct playbook_set *set, enum intake_source kind, intake_get_cb get,
                 void *src, int64_t now_ms, struct case_input *out, struct intake_errors *errs)
{
	const char *v = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	errs->n = 0;
	out->channel = kind == INTAKE_FORM ? "web" : "api";

	rc = get_text(get, src, errs, "incident_type", false, &v);
	if (rc == 0)
		add_error(errs, "incident_type",
		          "何が起きているか選んでください(わからなければ「わからない」)。",
		          "Choose what is happening (or \"I don't know\").");
	else if (rc > 0) {
		const struct playbook *pb = playbook_find(set, v);

		if (pb == NULL)
			add_error(
			    errs, "incident_type", "この種類はありません。一覧から選んでください。",
			    "Unknown incident type; use one of ransomware, malware, phishing, bec, "
			    "unauthorized_access, defacement, data_leak, lost_device, ddos, "
			    "suspicious_email, insider, unknown.");
		else
			out->incident_type = pb->id;
	}
	take_tri(get, src, errs, "still_happening", &out->still_happening);
	take_tri(get, src, errs, "money_involved", &out->money_involved);
	take_tri(get, src, errs, "personal_data", &out->personal_data);
	/* The APPI conditions (ppc.h): only asked when personal data may be
	 * involved, so "not given" is "not known". */
	take_tri(get, src, errs, "sensitive_data", &out->sensitive_data);
	take_tri(get, src, errs, "financial_harm", &out->financial_harm);
	take_tri(get, src, errs, "over_1000", &out->over_1000);
	take_noticed(kind, get, src, errs, now_ms, out);
	if (get_text(get, src, errs, "lost_or_stolen", false, &v) > 0 &&
	    case_los_parse(v, &out->lost_or_stolen) < 0)
		add_error(errs, "lost_or_stolen",
		          "「なくした」「盗まれた」「わからない」から選んでください。",
		          "Choose lost, stolen or unknown.");
	if (out->incident_type != NULL && strcmp(out->incident_type, "lost_device") == 0) {
		if (out->lost_or_stolen == LOS_UNSET)
			out->lost_or_stolen = LOS_UNKNOWN;
	} else {
		out->lost_or_stolen = LOS_UNSET; /* asked only for a lost device */
	}

	rc = get_text(get, src, errs, "prefecture", false, &v);
	if (rc == 0)
		add_error(errs, "prefecture", "都道府県を選んでください。",
		          "Choose your prefecture.");
	else if (rc > 0) {
		if (playbook_prefecture(set, v) == NULL)
			add_error(errs, "prefecture", "都道府県を一覧から選んでください。",
			          "Unknown prefecture; use the JIS code \"01\" to \"47\" (e.g. "
			          "\"27\" for Osaka).");
		else
			memcpy(out->prefecture, v, 3);
	}

	rc = take_text(get, src, errs, "company", true, false, INTAKE_COMPANY_MAX, &out->company);
	if (rc == 0)
		rc = take_text(get, src, errs, "name", true, false, INTAKE_NAME_MAX, &out->name);
	if (rc == 0)
		rc = take_text(get, src, errs, "description", false, true, INTAKE_DESCRIPTION_MAX,
		               &out->description);
	if (rc < 0)
		goto oom;

	rc = get_text(get, src, errs, "phone", false, &v);
	if (rc == 0) {
		add_error(errs, "phone", "折り返しの電話番号を入力してください。",
		          "Enter a phone number we can call you back on.");
	} else if (rc > 0) {
		char norm[INTAKE_PHONE_MAX + 1];
		char *t = text_trim_dup(v);

		if (t == NULL)
			goto oom;
		rc = text_phone_normalize(t, norm, sizeof norm);
		free(t);
		if (rc < 0) {
			add_error(
			    errs, "phone",
			    "電話番号は数字で10〜15桁、例: 06-1234-5678 の形で入力してください。",
			    "Enter a phone number of 10 to 15 digits, such as 06-1234-5678 or +81 "
			    "6 1234 5678.");
		} else {
			out->phone = strdup(norm);
			if (out->phone == NULL)
				goto oom;
		}
	}

	rc = get_text(get, src, errs, "email", false, &v);
	if (rc > 0) {
		char *t = text_trim_dup(v);

		if (t == NULL)
			goto oom;
		if (strlen(t) > INTAKE_EMAIL_MAX || (t[0] != '\0' && !email_plausible(t))) {
			add_error(errs, "email",
			          "メールアドレスを確認してください(例: name@example.co.jp)。",
			          "Check the e-mail address (for example name@example.com).");
			free(t);
		} else if (t[0] == '\0') {
			free(t);
		} else {
			out->email = t;
		}
	}

	out->lang = LANG_JA;
	rc = get_text(get, src, errs, "lang", false, &v);
	if (rc > 0 && lang_parse(v, &out->lang) < 0)
		add_error(errs, "lang", "日本語か英語を選んでください。",
		          "Choose Japanese (ja) or English (en).");

	if (errs->n != 0) {
		case_input_fini(out);
		return -EINVAL;
	}
	return 0;
oom:
	case_input_fini(out);
	return -ENOMEM;
}

int intake_json_field(void *src, const char *field, const char **value)
{
	json_t *v = json_object_get(src, field);

	if (v == NULL || json_is_null(v))
		return -ENOENT;
	if (!json_is_string(v))
		return -EINVAL;
	*value = json_string_value(v);
	return 0;
}
