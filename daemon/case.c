/* SPDX-License-Identifier: ISC */
/*
 * case — names of the enumerations and freeing of case data; see case.h.
 */
#include "case.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* The stored names, one table per enumeration. */
static const char *const tri_names[] = {
    [TRI_UNKNOWN] = "unknown", [TRI_YES] = "yes", [TRI_NO] = "no"};
static const char *const noticed_names[] = {[NOTICED_AT] = "at",
                                            [NOTICED_NOW] = "now",
                                            [NOTICED_TODAY] = "today",
                                            [NOTICED_UNKNOWN] = "unknown"};
static const char *const los_names[] = {
    [LOS_UNSET] = NULL, [LOS_LOST] = "lost", [LOS_STOLEN] = "stolen", [LOS_UNKNOWN] = "unknown"};

#define NAMES(t) (sizeof(t) / sizeof(t)[0])

const char *case_tri_name(enum tri t)
{
	return (size_t)t < NAMES(tri_names) ? tri_names[t] : "unknown";
}

int case_tri_parse(const char *s, enum tri *out)
{
	int i = text_name_index(tri_names, NAMES(tri_names), s);

	if (i < 0)
		return -EINVAL;
	*out = (enum tri)i;
	return 0;
}

const char *case_noticed_name(enum noticed_kind k)
{
	return (size_t)k < NAMES(noticed_names) ? noticed_names[k] : "at";
}

int case_noticed_parse(const char *s, enum noticed_kind *out)
{
	int i = text_name_index(noticed_names, NAMES(noticed_names), s);

	if (i < 0)
		return -EINVAL;
	*out = (enum noticed_kind)i;
	return 0;
}

const char *case_los_name(enum lost_or_stolen l)
{
	return (size_t)l < NAMES(los_names) && los_names[l] != NULL ? los_names[l] : "";
}

int case_los_parse(const char *s, enum lost_or_stolen *out)
{
	int i = text_name_index(los_names, NAMES(los_names), s);

	if (i < 0)
		return -EINVAL;
	*out = (enum lost_or_stolen)i;
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
