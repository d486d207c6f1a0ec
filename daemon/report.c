/* SPDX-License-Identifier: ISC */
/*
 * report — the one intake path; see report.h.
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "receipt.h"
#include "remind.h"
#include "store_cases.h"
#include "text.h"

struct report {
	const struct services *sv; /* the shared parts (services.h) */
};

int report_start(struct report **out, const struct services *sv)
{
	struct report *rp = calloc(1, sizeof *rp);

	if (rp == NULL)
		return -ENOMEM;
	rp->sv = sv;
	*out = rp;
	return 0;
}

void report_stop(struct report *rp)
{
	free(rp);
}

int report_status_url(const struct report *rp, const struct report_case *rc, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/cases/%s?t=%s%s", rp->sv->cfg->http_public_url, rc->nc.ref,
	                 rc->token, rc->in->lang == LANG_EN ? "&lang=en" : "");

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Written with the case, on the store's writer thread. It reads only what
 * the report holds, never the playbook set, which a reload may replace
 * meanwhile. */
static int tx_after_insert(struct store_tx *tx, void *arg)
{
	struct report_case *rc = arg;
	const struct case_input *in = rc->in;
	char url[1024];
	int rv = rc->plan != NULL ? escalate_tx_first(tx, rc->plan) : 0;

	if (rv == 0)
		rv = remind_tx_schedule(tx, rc->nc.case_id, in->noticed_at_ms, &rc->clock);
	if (rv == 0 && in->email != NULL) {
		rv = report_status_url(rc->rp, rc, url, sizeof url);
		if (rv == 0)
			rv = receipt_tx_queue(rc->rp->sv->cfg, tx, rc->nc.case_id, rc->nc.ref,
			                      in->email, in->lang, url);
	}
	if (rv == 0 && rc->after != NULL)
		rv = rc->after(tx, rc);
	return rv;
}

static void on_stored(void *arg, int status)
{
	struct report_case *rc = arg;

	if (status == 0)
		log_info("report: case=%s stored type=%s prefecture=%s channel=%s", rc->nc.ref,
		         rc->in->incident_type,
		         rc->in->prefecture[0] != '\0' ? rc->in->prefecture : "?", rc->in->channel);
	else
		log_warn(status, "report: a %s report could not be stored", rc->in->channel);
	if (rc->plan != NULL) {
		escalate_plan_done(rc->rp->sv->esc, rc->plan, status);
		rc->plan = NULL;
	}
	rc->done(rc, status);
}

int report_submit(struct report *rp, struct report_case *rc,
                  void (*done)(struct report_case *rc, int status))
{
	const struct case_input *in = rc->in;
	const struct playbook *pb = playbook_find(*rp->sv->pbs, in->incident_type);
	int64_t now = text_now_ms();
	struct ppc_facts pf;
	int rv;

	rc->rp = rp;
	rc->done = done;
	rc->plan = NULL;
	ppc_facts_of_input(in, pb != NULL && pb->malicious, &pf);
	ppc_assess(&pf, now, &rc->clock);
	token_new(rc->token, rc->nc.token_hash);
	rc->nc.in = in;
	rc->nc.received_ms = rc->received_ms;
	rc->nc.token_expires_ms = now + (int64_t)rp->sv->cfg->token_days * 86400000;
	if (rp->sv->esc != NULL) {
		rc->plan = escalate_plan_first(rp->sv->esc, in, now);
		if (rc->plan != NULL)
			escalate_plan_bind(rc->plan, &rc->nc);
		else
			log_warnx("report: no alert plan for a %s case in %s: it waits for a "
			          "coordinator",
			          in->incident_type, in->prefecture);
	}
	rc->nc.after = tx_after_insert;
	rc->nc.after_arg = rc;
	rv = store_case_insert(rp->sv->store, &rc->nc, on_stored, rc);
	if (rv < 0 && rc->plan != NULL) {
		escalate_plan_done(rp->sv->esc, rc->plan, rv);
		rc->plan = NULL;
	}
	return rv;
}
