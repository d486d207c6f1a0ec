/* SPDX-License-Identifier: ISC */
/*
 * case — names of the enumerations and freeing of case data; see case.h.
 */
#include "case.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *case_tri_name(enum tri t)
{
	switch (t) {
	case TRI_YES: return "yes";
	case TRI_NO: return "no";
	case TRI_UNKNOWN: break;
	}
	return "unknown";
}

int case_tri_parse(const char *s, enum tri *out)
{
	if (strcmp(s, "yes") == 0)
		*out = TRI_YES;
	else if (strcmp(s, "no") == 0)
		*out = TRI_NO;
	else if (strcmp(s, "unknown") == 0)
		*out = TRI_UNKNOWN;
	else
		return -EINVAL;
	return 0;
}

const char *case_noticed_name(enum noticed_kind k)
{
	switch (k) {
	case NOTICED_NOW: return "now";
	case NOTICED_TODAY: return "today";
	case NOTICED_UNKNOWN: return "unknown";
	case NOTICED_AT: break;
	}
	return "at";
}

int case_noticed_parse(const char *s, enum noticed_kind *out)
{
	if (strcmp(s, "now") == 0)
		*out = NOTICED_NOW;
	else if (strcmp(s, "today") == 0)
		*out = NOTICED_TODAY;
	else if (strcmp(s, "at") == 0)
		*out = NOTICED_AT;
	else if (strcmp(s, "unknown") == 0)
		*out = NOTICED_UNKNOWN;
	else
		return -EINVAL;
	return 0;
}

const char *case_los_name(enum lost_or_stolen l)
{
	switch (l) {
	case LOS_LOST: return "lost";
	case LOS_STOLEN: return "stolen";
	case LOS_UNKNOWN: return "unknown";
	case LOS_UNSET: break;
	}
	return "";
}

int case_los_parse(const char *s, enum lost_or_stolen *out)
{
	if (strcmp(s, "lost") == 0)
		*out = LOS_LOST;
	else if (strcmp(s, "stolen") == 0)
		*out = LOS_STOLEN;
	else if (strcmp(s, "unknown") == 0)
		*out = LOS_UNKNOWN;
	else
		return -EINVAL;
	return 0;
}

void case_input_fini(struct case_input *in)
{
	free(in->company);
	free(in->name);
	free(in->phone);
	free(in->email);
	free(in->description);
	in->company = in->name = in->phone = in->email = in->description = NULL;
}

void case_record_free(struct case_record *rec)
{
	if (rec == NULL)
		return;
	for (size_t i = 0; i < rec->nevents; i++) {
		free(rec->events[i].kind);
		free(rec->events[i].actor);
		free(rec->events[i].detail);
	}
	free(rec->events);
	free(rec->channel);
	free(rec->incident_type);
	free(rec->state);
	free(rec->company);
	free(rec->name);
	free(rec->phone);
	free(rec->email);
	free(rec->description);
	free(rec);
}

/* The one table of event kinds: the stored name, and whether the reporter
 * sees it. */
static const struct {
	const char *name;
	bool public;
} event_kinds[] = {
    [EV_RECEIVED] = {"received", true},
    [EV_GUIDANCE_DELIVERED] = {"guidance_delivered", true},
    [EV_GUIDANCE_NOT_DELIVERED] = {"guidance_not_delivered", true},
    [EV_ROUTED] = {"routed", true},
    [EV_ESCALATED] = {"escalated", true},
    [EV_ESCALATION_EXHAUSTED] = {"escalation_exhausted", false},
    [EV_NOTIFIED] = {"notified", false},
    [EV_ACKNOWLEDGED] = {"acknowledged", true},
    [EV_DECLINED] = {"declined", false},
    [EV_CONTACT_REVEALED] = {"contact_revealed", true},
    [EV_CONTACTED] = {"contacted", true},
    [EV_DISPATCH_REQUESTED] = {"dispatch_requested", true},
    [EV_ON_THE_WAY] = {"on_the_way", true},
    [EV_ONSITE] = {"onsite", true},
    [EV_LEFT_SITE] = {"left_site", true},
    [EV_RESOLVED] = {"resolved", true},
    [EV_REASSIGNED] = {"reassigned", false},
    [EV_NOTE] = {"note", false},
    [EV_DETAILS_VIEWED] = {"details_viewed", false},
    [EV_REMINDER_SENT] = {"reminder_sent", false},
    [EV_PPC_PRELIMINARY_REPORTED] = {"ppc_preliminary_reported", false},
    [EV_PPC_FINAL_REPORTED] = {"ppc_final_reported", false},
};

#define NKINDS (sizeof event_kinds / sizeof event_kinds[0])

const char *event_kind_name(enum event_kind k)
{
	return (size_t)k < NKINDS ? event_kinds[k].name : NULL;
}

int event_kind_parse(const char *name, enum event_kind *out)
{
	for (size_t i = 0; name != NULL && i < NKINDS; i++)
		if (strcmp(name, event_kinds[i].name) == 0) {
			*out = (enum event_kind)i;
			return 0;
		}
	return -EINVAL;
}

bool case_event_public(const char *kind)
{
	enum event_kind k;

	return event_kind_parse(kind, &k) == 0 && event_kinds[k].public;
}

int case_details_text(struct buf *b, const char *ref, const char *company, const char *name,
                      const char *phone, const char *email, const char *lang,
                      const char *description)
{
	int rc = buf_printf(b, "会社 Company: %s\n担当 Name: %s\n電話 Phone: %s\n",
	                    company != NULL ? company : "", name != NULL ? name : "",
	                    phone != NULL ? phone : "");

	if (rc == 0 && email != NULL)
		rc = buf_printf(b, "メール E-mail: %s\n", email);
	if (rc == 0)
		rc = buf_printf(b, "希望言語 Language: %s\n",
		                lang != NULL && strcmp(lang, "en") == 0 ? "English" : "日本語");
	if (rc == 0 && description != NULL)
		rc = buf_printf(b, "状況 What they see: %s\n", description);
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "折り返し電話をして、つながったら「contacted %s」と返信してください。/ "
		    "Call them back, then reply \"contacted %s\".",
		    ref, ref);
	return rc;
}
