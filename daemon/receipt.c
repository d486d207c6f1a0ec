/* SPDX-License-Identifier: ISC */
/*
 * receipt — the reporter's receipt by e-mail; see receipt.h.
 */
#include "receipt.h"

#include <errno.h>
#include <stdio.h>

#include "buf.h"
#include "log.h"
#include "store_outbox.h"
#include "store_timeline.h"
#include "text.h"

/* The address is sealed: receipts are counted by keyed hashes of it. */

/* Whether another receipt to EMAIL stays within the limits: a reporter's
 * address gets a few a day, a domain a few dozen an hour. */
static int receipt_allowed(struct store_tx *tx, const char *email, int64_t now)
{
	int64_t to_address, to_domain;
	int rc = store_outbox_receipts_since(tx, email, now - 86400000, now - 3600000, &to_address,
	                                     &to_domain);

	if (rc < 0)
		return rc;
	return to_address < RECEIPT_PER_ADDRESS_DAY && to_domain < RECEIPT_PER_DOMAIN_HOUR;
}

int receipt_tx_queue(const struct config *cfg, struct store_tx *tx, int64_t case_id,
                     const char *ref, const char *email, enum lang lang, const char *url)
{
	char subject[200];
	struct buf b;
	int64_t rc;

	if (cfg->smtp_url[0] == '\0' || email == NULL || email[0] == '\0')
		return 0;
	rc = receipt_allowed(tx, email, text_now_ms());
	if (rc < 0)
		return (int)rc;
	if (rc == 0) {
		log_warnx("receipt: case=%s: no receipt by e-mail, the address or its domain had "
		          "its share",
		          ref);
		return 0;
	}
	buf_init(&b, 8192);
	if (lang == LANG_JA) {
		snprintf(subject, sizeof subject, "【kakekomi】ご相談を受け付けました(受付番号 %s)",
		         ref);
		buf_printf(&b,
		           "ご相談を受け付けました。\n受付番号: %s\n\n"
		           "状況の確認と、最初にやることの一覧("
		           "あなた専用のリンクです。他の人に教えないでください):\n%s\n\n"
		           "専門家から折り返しお電話します。\n"
		           "このメールは送信専用です。被害に遭ったPCではなく、別の端末で確認してく"
		           "ださい。\n",
		           ref, url);
	} else {
		snprintf(subject, sizeof subject, "[kakekomi] Your report %s has been received",
		         ref);
		buf_printf(&b,
		           "Your report has been received.\nReference: %s\n\n"
		           "The state of your case and the first steps (a private link: do not "
		           "share it):\n%s\n\n"
		           "A specialist will call you back.\n"
		           "This address does not take replies. Read this on a device other than "
		           "the affected PC.\n",
		           ref, url);
	}
	if (b.data != NULL) {
		/* The address is sealed and counted by keyed hashes (store_timeline.h). */
		struct store_outbox_new o = {.case_id = case_id,
		                             .channel = "email",
		                             .recipient = email,
		                             .kind = "receipt",
		                             .subject = subject,
		                             .body = b.data,
		                             .created_ms = text_now_ms()};

		rc = store_outbox_add(tx, &o);
	} else {
		rc = -ENOMEM;
	}
	buf_fini(&b);
	return rc < 0 ? (int)rc : 0;
}
