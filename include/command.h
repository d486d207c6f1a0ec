/* SPDX-License-Identifier: ISC */
/*
 * command — the one-line chat commands specialists send to the bot:
 *
 *   ack [REF]   decline REF   contacted REF   onsite REF
 *   resolve REF [note]   dispatch REF [eta]   leave REF   status   help
 *
 * Case-insensitive, with Japanese aliases (了解, 辞退, 連絡済, 現着, 解決,
 * 状況, ヘルプ ...), full-width letters and digits accepted. Pure parsing: no
 * state, no I/O.
 */
#ifndef KK_COMMAND_H
#define KK_COMMAND_H

#include <stddef.h>

#include "case.h"

#define COMMAND_MAX_LINE 1024
#define COMMAND_NOTE_MAX 500

enum command_verb {
	COMMAND_NONE, /* not a command */
	COMMAND_ACK,
	COMMAND_DECLINE,
	COMMAND_CONTACTED,
	COMMAND_ONSITE,
	COMMAND_RESOLVE,
	COMMAND_DISPATCH, /* on the way to the site, with an optional ETA in note */
	COMMAND_LEAVE,    /* left the site: the visit is finished */
	COMMAND_STATUS,
	COMMAND_HELP,
};

struct command {
	enum command_verb verb;
	char ref[CASE_REF_LEN + 1];      /* upper case; empty when not given */
	char note[COMMAND_NOTE_MAX + 1]; /* resolve's note, dispatch's ETA */
};

/*
 * Parses LINE. Returns 0 with *OUT filled; -EINVAL when LINE is not a
 * command (OUT->verb is COMMAND_NONE); -EBADMSG when the verb is known but
 * its reference is missing or malformed (OUT->verb is set, so the reply can
 * say what the command needs).
 */
int command_parse(const char *line, struct command *out);

/* The English name of a verb ("ack", ...). */
const char *command_name(enum command_verb verb);

#endif
