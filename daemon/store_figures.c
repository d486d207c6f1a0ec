/* SPDX-License-Identifier: ISC */
/*
 * store_figures — the case clocks for the figures; see store_figures.h.
 */
#include "store_figures.h"

#define CLOCK_COLUMNS                                                                              \
	"SELECT case_id, seq, received_ms, prefecture, incident_type, channel, acked_by,"          \
	" guidance_us, ack_us, contact_us, onsite_us, resolve_us, onsite_from_received,"           \
	" escalations FROM case_clocks"

static const char sql_all[] = CLOCK_COLUMNS " ORDER BY case_id";
static const char sql_since[] = CLOCK_COLUMNS " WHERE seq > $1 ORDER BY seq";

struct each {
	int (*cb)(void *arg, const struct store_clock_row *r);
	void *arg;
};

static int on_row(void *arg, struct store_row *row)
{
	struct each *e = arg;
	struct store_clock_row r;

	r.case_id = store_row_int(row, 0);
	r.seq = store_row_int(row, 1);
	r.received_ms = store_row_int(row, 2);
	r.prefecture = store_row_text(row, 3);
	r.incident_type = store_row_text(row, 4);
	r.channel = store_row_text(row, 5);
	r.acked_by = store_row_text(row, 6);
	for (int k = 0; k < STORE_CLOCKS; k++) {
		r.stopped[k] = !store_row_is_null(row, 7 + k);
		r.us[k] = store_row_int(row, 7 + k);
	}
	r.onsite_from_received = store_row_int(row, 12) != 0;
	r.escalations = store_row_int(row, 13);
	return e->cb(e->arg, &r);
}

int store_clocks_each(struct store *st, int64_t after_seq,
                      int (*cb)(void *arg, const struct store_clock_row *r), void *arg)
{
	struct each e = {cb, arg};

	return after_seq > 0 ? store_read(st, sql_since, on_row, &e, "i", after_seq)
	                     : store_read(st, sql_all, on_row, &e, "");
}
