/* SPDX-License-Identifier: ISC */
/*
 * metrics — the Prometheus exposition; see metrics.h.
 *
 * Series are written for every region (and a prefecture-less "unknown"
 * region only when it has something), so that a dashboard's queries find
 * zeros rather than nothing. Histogram buckets are cumulative, as the
 * format requires, from the index's per-bucket counts.
 */
#include "metrics.h"

#include <string.h>

/* Regions by index, and each prefecture's region index (-1: unknown). */
struct regions {
	size_t n;
	const char *id[16];
	int of[STATS_PREFS + 1];
};

static void regions_of(const struct playbook_set *set, struct regions *r)
{
	r->n = playbook_region_count(set);
	if (r->n > 16)
		r->n = 16;
	for (size_t k = 0; k < r->n; k++)
		r->id[k] = playbook_region_at(set, k)->id;
	for (int p = 0; p <= STATS_PREFS; p++)
		r->of[p] = -1;
	for (size_t i = 0; i < playbook_prefecture_count(set); i++) {
		const struct pb_prefecture *pf = playbook_prefecture_at(set, i);
		int code = (pf->code[0] - '0') * 10 + (pf->code[1] - '0');

		for (size_t k = 0; k < r->n && code >= 1 && code <= STATS_PREFS; k++)
			if (playbook_region_at(set, k) == pf->region)
				r->of[code] = (int)k;
	}
}

static const char *region_name(const struct regions *r, int k)
{
	return k >= 0 ? r->id[k] : "unknown";
}

static int family(struct buf *b, const char *name, const char *type, const char *help)
{
	return buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int reports(struct buf *b, const struct stats *s, const struct regions *rg)
{
	int rc = family(b, "kakekomi_reports_total", "counter",
	                "Reports stored, by intake channel, incident type and region "
	                "(every case in the store).");

	for (unsigned ch = 0; rc == 0 && ch < STATS_CHANNELS; ch++) {
		for (unsigned t = 0; rc == 0 && t < STATS_TYPES; t++) {
			uint64_t by_region[17] = {0};

			for (unsigned p = 0; p <= STATS_PREFS; p++) {
				int k = rg->of[p];

				by_region[k >= 0 ? k : 16] += stats_reports(s, ch, t, p);
			}
			for (int k = 0; rc == 0 && k < 17; k++) {
				if (by_region[k] == 0 || (k >= (int)rg->n && k != 16))
					continue;
				rc = buf_printf(b,
				                "kakekomi_reports_total{channel=\"%s\",type=\"%s\","
				                "region=\"%s\"} %llu\n",
				                stats_channel_name(ch), stats_type_name(t),
				                region_name(rg, k == 16 ? -1 : k),
				                (unsigned long long)by_region[k]);
			}
		}
	}
	return rc;
}

static int alerts(struct buf *b)
{
	static const char *const names[3] = {"kakekomi_alerts_sent_total",
	                                     "kakekomi_alerts_failed_total",
	                                     "kakekomi_alerts_retried_total"};
	static const char *const helps[3] = {
	    "Outbox messages (alerts and follow-ups) a delivery channel got out, since start.",
	    "Outbox messages a delivery channel gave up on (bounced, refused), since start.",
	    "Outbox messages sent again after a lost connection or a failed try, since start."};
	int rc = 0;

	for (int w = 0; rc == 0 && w < 3; w++) {
		rc = family(b, names[w], "counter", helps[w]);
		for (unsigned c = 0; rc == 0 && c < METRICS_CHANNELS - 1; c++)
			rc = buf_printf(
			    b, "%s{channel=\"%s\"} %llu\n", names[w], metrics_channel_name(c),
			    (unsigned long long)metrics_alert_count((enum metrics_alert)w, c));
		if (rc == 0) {
			uint64_t other =
			    metrics_alert_count((enum metrics_alert)w, METRICS_CHANNELS - 1);

			if (other != 0)
				rc = buf_printf(b, "%s{channel=\"other\"} %llu\n", names[w],
				                (unsigned long long)other);
		}
	}
	return rc;
}

static int escalations(struct buf *b, const struct stats *s, const struct regions *rg)
{
	uint64_t by_region[17] = {0};
	int rc = family(b, "kakekomi_escalations_total", "counter",
	                "Escalation steps after the first alert (next step, or coordinators told "
	                "that nobody answered), by region (every case in the store).");

	for (unsigned p = 0; p <= STATS_PREFS; p++)
		by_region[rg->of[p] >= 0 ? rg->of[p] : 16] += stats_escalations(s, p);
	for (int k = 0; rc == 0 && k < (int)rg->n; k++)
		rc = buf_printf(b, "kakekomi_escalations_total{region=\"%s\"} %llu\n", rg->id[k],
		                (unsigned long long)by_region[k]);
	if (rc == 0 && by_region[16] != 0)
		rc = buf_printf(b, "kakekomi_escalations_total{region=\"unknown\"} %llu\n",
		                (unsigned long long)by_region[16]);
	return rc;
}

static int histogram(struct buf *b, const struct stats *s, const struct regions *rg,
                     enum stats_clock c, const char *name, const char *help)
{
	int rc = family(b, name, "histogram", help);

	for (int k = 0; rc == 0 && k <= (int)rg->n; k++) {
		struct stats_hist sum;
		uint64_t cum = 0;

		memset(&sum, 0, sizeof sum);
		for (unsigned p = 0; p <= STATS_PREFS; p++) {
			const struct stats_hist *h = stats_hist(s, c, p);
			int pk = rg->of[p] >= 0 ? rg->of[p] : (int)rg->n;

			if (pk != k || h == NULL)
				continue;
			for (int i = 0; i <= STATS_BUCKETS; i++)
				sum.bucket[i] += h->bucket[i];
			sum.count += h->count;
			sum.sum_s += h->sum_s;
		}
		if (k == (int)rg->n && sum.count == 0)
			break; /* no case without a known prefecture */
		for (int i = 0; rc == 0 && i < STATS_BUCKETS; i++) {
			cum += sum.bucket[i];
			rc = buf_printf(b, "%s_bucket{region=\"%s\",le=\"%g\"} %llu\n", name,
			                region_name(rg, k < (int)rg->n ? k : -1),
			                stats_bucket_le[i], (unsigned long long)cum);
		}
		if (rc == 0)
			rc =
			    buf_printf(b,
			               "%s_bucket{region=\"%s\",le=\"+Inf\"} %llu\n"
			               "%s_sum{region=\"%s\"} %.6f\n%s_count{region=\"%s\"} %llu\n",
			               name, region_name(rg, k < (int)rg->n ? k : -1),
			               (unsigned long long)sum.count, name,
			               region_name(rg, k < (int)rg->n ? k : -1), sum.sum_s, name,
			               region_name(rg, k < (int)rg->n ? k : -1),
			               (unsigned long long)sum.count);
	}
	return rc;
}

static int gauges(struct buf *b, const struct metrics_sources *src)
{
	int64_t open = store_cases_open(src->store), depth = store_outbox_pending(src->store);
	int rc;

	if (open < 0)
		open = 0;
	if (depth < 0)
		depth = 0;
	rc = family(b, "kakekomi_open_cases", "gauge", "Cases not resolved yet.");
	if (rc == 0)
		rc = buf_printf(b, "kakekomi_open_cases %lld\n", (long long)open);
	if (rc == 0)
		rc = family(b, "kakekomi_outbox_depth", "gauge",
		            "Outbox messages waiting to be sent, all channels.");
	if (rc == 0)
		rc = buf_printf(b, "kakekomi_outbox_depth %lld\n", (long long)depth);
	if (rc == 0)
		rc = family(b, "kakekomi_xmpp_connected", "gauge",
		            "1 while the XMPP channel is connected, else 0.");
	if (rc == 0)
		rc = buf_printf(b, "kakekomi_xmpp_connected %d\n",
		                src->notify != NULL && notify_connected(src->notify) ? 1 : 0);
	if (rc == 0)
		rc = family(b, "kakekomi_store_queued", "gauge",
		            "Writes queued for the store or being written.");
	if (rc == 0)
		rc = buf_printf(b, "kakekomi_store_queued %u\n", store_pending(src->store));
	if (rc == 0)
		rc = family(b, "kakekomi_cases", "gauge", "Cases in the store.");
	if (rc == 0)
		rc = buf_printf(b, "kakekomi_cases %zu\n", stats_count(src->stats));
	return rc;
}

int metrics_render(struct buf *b, const struct metrics_sources *src)
{
	struct regions rg;
	int rc;

	stats_refresh(src->stats);
	regions_of(src->set, &rg);
	rc = reports(b, src->stats, &rg);
	if (rc == 0)
		rc = alerts(b);
	if (rc == 0)
		rc = escalations(b, src->stats, &rg);
	if (rc == 0)
		rc = histogram(
		    b, src->stats, &rg, STATS_GUIDANCE, "kakekomi_time_to_first_guidance_seconds",
		    "Report received to first steps delivered to the reporter, by region.");
	if (rc == 0)
		rc = histogram(
		    b, src->stats, &rg, STATS_ACK, "kakekomi_time_to_ack_seconds",
		    "Report received to the first specialist's acknowledgement, by region.");
	if (rc == 0)
		rc = histogram(
		    b, src->stats, &rg, STATS_CONTACT, "kakekomi_time_to_contact_seconds",
		    "Report received to first human contact with the reporter, by region.");
	if (rc == 0)
		rc = gauges(b, src);
	return rc;
}
