/* SPDX-License-Identifier: ISC */
/*
 * answer — what a reporter's chat answer means; see answer.h.
 */
#include "answer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

static bool is_word(const char *folded, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(folded, *words) == 0)
			return true;
	return false;
}

static const char *const cancel_words[] = {"cancel", "stop", "キャンセル", "やめる", "中止", NULL};
static const char *const help_words[] = {"help", "ヘルプ", "?", "使い方", NULL};
static const char *const back_words[] = {"back", "戻る", "もどる", NULL};

bool answer_is(const char *folded, enum answer_word word)
{
	switch (word) {
	case ANSWER_CANCEL: return is_word(folded, cancel_words);
	case ANSWER_HELP: return is_word(folded, help_words);
	case ANSWER_BACK: return is_word(folded, back_words);
	}
	return false;
}

bool answer_has_japanese(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0xe3 && (unsigned char)*s <= 0xe9)
			return true;
	return false;
}

int answer_number(const char *folded, int max)
{
	int v = 0;

	if (*folded == '\0')
		return -1;
	for (const char *p = folded; *p != '\0'; p++) {
		if (*p == '.' && p[1] == '\0')
			break;
		if (*p < '0' || *p > '9' || v > 1000)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= max ? v : -1;
}

static const struct {
	const char *type;
	const char *words[8];
} keywords[] = {
    {"ransomware", {"ランサム", "身代金", "暗号化", "ransom", "encrypt", NULL}},
    {"bec", {"送金", "振込", "振り込", "請求書", "wire transfer", "invoice", "bec", NULL}},
    {"phishing", {"フィッシング", "偽サイト", "phishing", "fake site", NULL}},
    {"suspicious_email",
     {"怪しいメール", "不審なメール", "添付", "suspicious e", "attachment", NULL}},
    {"malware", {"ウイルス", "ウィルス", "マルウェア", "emotet", "virus", "malware", NULL}},
    {"defacement", {"改ざん", "改竄", "ホームページが", "defaced", "website was changed", NULL}},
    {"unauthorized_access",
     {"不正アクセス", "乗っ取", "不正ログイン", "unauthori", "hacked", NULL}},
    {"data_leak", {"漏えい", "漏洩", "誤送信", "流出", "leak", NULL}},
    {"lost_device", {"紛失", "盗難", "なくし", "盗まれ", "lost", "stolen", NULL}},
    {"ddos", {"ddos", "dos攻撃", "アクセス集中", "つながらない", NULL}},
    {"insider", {"内部不正", "持ち出", "退職者", "insider", NULL}},
};

const char *answer_guess_type(const char *folded)
{
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		for (size_t k = 0; keywords[i].words[k] != NULL; k++)
			if (strstr(folded, keywords[i].words[k]) != NULL)
				return keywords[i].type;
	return NULL;
}

static const char *const yes_words[] = {"1", "yes", "y", "はい", "ある", "あります", NULL};
static const char *const no_words[] = {"2", "no", "n", "いいえ", "ない", "ありません", NULL};
static const char *const dk_words[] = {"3",          "unknown",      "don't know", "dont know", "?",
                                       "わからない", "わかりません", "不明",       NULL};

int answer_tri(const char *folded, enum tri *out)
{
	if (is_word(folded, yes_words))
		*out = TRI_YES;
	else if (is_word(folded, no_words))
		*out = TRI_NO;
	else if (is_word(folded, dk_words))
		*out = TRI_UNKNOWN;
	else
		return -EINVAL;
	return 0;
}

static const char *const now_words[] = {"1", "たった今", "now", "just now", "今", NULL};
static const char *const today_words[] = {"2", "今日", "today", NULL};

int answer_noticed(const char *folded, int64_t now_ms, enum noticed_kind *kind, int64_t *at_ms)
{
	int64_t ms;

	if (is_word(folded, now_words) || is_word(folded, today_words)) {
		*kind = is_word(folded, now_words) ? NOTICED_NOW : NOTICED_TODAY;
		*at_ms = now_ms;
		return 0;
	}
	if (strcmp(folded, "3") == 0 || is_word(folded, dk_words)) {
		*kind = NOTICED_UNKNOWN;
		return 0;
	}
	if (text_jst_local_parse(folded, &ms) < 0)
		return -EINVAL;
	if (ms > now_ms + 5 * 60 * 1000)
		return -ERANGE;
	*kind = NOTICED_AT;
	*at_ms = ms;
	return 0;
}

static const char *const lost_words[] = {"1", "なくした", "lost", NULL};
static const char *const stolen_words[] = {"2", "盗まれた", "stolen", NULL};

int answer_lost(const char *folded, enum lost_or_stolen *out)
{
	if (is_word(folded, lost_words))
		*out = LOS_LOST;
	else if (is_word(folded, stolen_words))
		*out = LOS_STOLEN;
	else if (strcmp(folded, "3") == 0 || is_word(folded, dk_words))
		*out = LOS_UNKNOWN;
	else
		return -EINVAL;
	return 0;
}

int answer_prefecture(const struct playbook_set *set, const char *folded)
{
	int n = answer_number(folded, 47);

	for (size_t i = 0; n < 0 && i < playbook_prefecture_count(set); i++) {
		const struct pb_prefecture *p = playbook_prefecture_at(set, i);
		char en[64];
		size_t jl = strlen(p->name.s[LANG_JA]);

		text_fold_ascii(p->name.s[LANG_EN], en, sizeof en);
		/* 大阪府 / 大阪 / osaka */
		if (strcmp(folded, en) == 0 || strcmp(folded, p->name.s[LANG_JA]) == 0 ||
		    (jl > 3 && strlen(folded) == jl - 3 &&
		     strncmp(folded, p->name.s[LANG_JA], jl - 3) == 0))
			n = (int)i + 1;
	}
	return n;
}
