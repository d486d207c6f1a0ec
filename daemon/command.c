/* SPDX-License-Identifier: ISC */
/*
 * command — parser for specialists' chat replies; see command.h.
 *
 * Phones capitalise the first letter, insert full-width characters and
 * trailing spaces; all of that is folded before matching.
 */
#include "command.h"

#include <errno.h>
#include <string.h>

#include "text.h"
#include "token.h"

struct verb_alias {
	const char *word;
	enum command_verb verb;
};

static const struct verb_alias aliases[] = {
    {"ack", COMMAND_ACK},
    {"了解", COMMAND_ACK},
    {"受けます", COMMAND_ACK},
    {"対応します", COMMAND_ACK},
    {"decline", COMMAND_DECLINE},
    {"辞退", COMMAND_DECLINE},
    {"無理", COMMAND_DECLINE},
    {"contacted", COMMAND_CONTACTED},
    {"連絡済", COMMAND_CONTACTED},
    {"連絡済み", COMMAND_CONTACTED},
    {"連絡した", COMMAND_CONTACTED},
    {"onsite", COMMAND_ONSITE},
    {"現着", COMMAND_ONSITE},
    {"到着", COMMAND_ONSITE},
    {"resolve", COMMAND_RESOLVE},
    {"resolved", COMMAND_RESOLVE},
    {"解決", COMMAND_RESOLVE},
    {"完了", COMMAND_RESOLVE},
    {"status", COMMAND_STATUS},
    {"状況", COMMAND_STATUS},
    {"dispatch", COMMAND_DISPATCH},
    {"出動", COMMAND_DISPATCH},
    {"向かいます", COMMAND_DISPATCH},
    {"leave", COMMAND_LEAVE},
    {"退出", COMMAND_LEAVE},
    {"撤収", COMMAND_LEAVE},
    {"help", COMMAND_HELP},
    {"ヘルプ", COMMAND_HELP},
    {"使い方", COMMAND_HELP},
    {"?", COMMAND_HELP},
};

const char *command_name(enum command_verb verb)
{
	switch (verb) {
	case COMMAND_ACK: return "ack";
	case COMMAND_DECLINE: return "decline";
	case COMMAND_CONTACTED: return "contacted";
	case COMMAND_ONSITE: return "onsite";
	case COMMAND_RESOLVE: return "resolve";
	case COMMAND_DISPATCH: return "dispatch";
	case COMMAND_LEAVE: return "leave";
	case COMMAND_STATUS: return "status";
	case COMMAND_HELP: return "help";
	case COMMAND_NONE: break;
	}
	return "";
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *skip_spaces(const char *s)
{
	for (;;) {
		if (is_space(*s))
			s++;
		else if (s[0] == '\xe3' && s[1] == '\x80' && s[2] == '\x80')
			s += 3;
		else
			return s;
	}
}

static const char *skip_word(const char *s)
{
	while (*s != '\0' && !is_space(*s) && !(s[0] == '\xe3' && s[1] == '\x80' && s[2] == '\x80'))
		s++;
	return s;
}

int command_parse(const char *line, struct command *out)
{
	char buf[COMMAND_MAX_LINE + 1];
	char *p;
	char *word;
	size_t wl;

	memset(out, 0, sizeof *out);
	if (strlen(line) > COMMAND_MAX_LINE)
		return -EINVAL;
	text_fold_ascii(line, buf, sizeof buf);
	for (p = buf; is_space(*p); p++)
		;
	word = p;
	while (*p != '\0' && !is_space(*p))
		p++;
	wl = (size_t)(p - word);
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		if (strlen(aliases[i].word) == wl && strncmp(aliases[i].word, word, wl) == 0) {
			out->verb = aliases[i].verb;
			break;
		}
	}
	if (out->verb == COMMAND_NONE)
		return -EINVAL;
	while (is_space(*p))
		p++;
	if (out->verb == COMMAND_STATUS || out->verb == COMMAND_HELP)
		return 0;
	if (*p == '\0')
		return out->verb == COMMAND_ACK ? 0 : -EBADMSG;
	{
		char ref[CASE_REF_LEN + 2];
		size_t rl = 0;

		while (*p != '\0' && !is_space(*p) && rl < sizeof ref - 1) {
			char c = *p++;

			ref[rl++] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
		}
		ref[rl] = '\0';
		if (!token_ref_valid(ref))
			return -EBADMSG;
		memcpy(out->ref, ref, CASE_REF_LEN + 1);
	}
	while (is_space(*p))
		p++;
	if ((out->verb == COMMAND_RESOLVE || out->verb == COMMAND_DISPATCH) && *p != '\0') {
		/* The note keeps the original text, not the folded copy: skip the
		 * verb and the reference in the original line. */
		const char *o = skip_spaces(skip_word(skip_spaces(skip_word(skip_spaces(line)))));
		size_t nl = strlen(o);

		while (nl > 0 && is_space(o[nl - 1]))
			nl--;
		if (nl > COMMAND_NOTE_MAX) {
			/* Cut between characters: the note is stored as JSON, and
			 * half a character would make it invalid UTF-8. */
			nl = COMMAND_NOTE_MAX;
			while (nl > 0 && ((unsigned char)o[nl] & 0xc0) == 0x80)
				nl--;
		}
		memcpy(out->note, o, nl);
		out->note[nl] = '\0';
	}
	return 0;
}
