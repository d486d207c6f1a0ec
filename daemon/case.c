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

bool case_event_public(const char *kind)
{
	static const char *const public_kinds[] = {
	    "received",
	    "guidance_delivered",
	    "guidance_not_delivered",
	    "routed",
	    "escalated",
	    "acknowledged",
	    "contact_revealed",
	    "contacted",
	    "dispatch_requested",
	    "on_the_way",
	    "onsite",
	    "left_site",
	    "resolved",
	};

	for (size_t i = 0; i < sizeof public_kinds / sizeof public_kinds[0]; i++)
		if (strcmp(public_kinds[i], kind) == 0)
			return true;
	return false;
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
