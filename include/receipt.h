/* SPDX-License-Identifier: ISC */
/*
 * receipt — the e-mail a reporter gets when the report is stored: the
 * reference and the private status link, limited per address and domain.
 * The message is an outbox row like any other (the e-mail channel sends it).
 */
#ifndef KK_RECEIPT_H
#define KK_RECEIPT_H

#include <stdint.h>

#include "config.h"
#include "playbook.h"
#include "store.h"

/* Receipts to one address in 24 hours, and to one domain in an hour. */
#define RECEIPT_PER_ADDRESS_DAY 3
#define RECEIPT_PER_DOMAIN_HOUR 20

/*
 * In the transaction that stores a report: queues the reporter's receipt to
 * EMAIL with the reference REF and the private status link (URL). Does
 * nothing when e-mail is not configured or EMAIL is NULL, or when the
 * address or its domain has had its receipts (the limits above), so that
 * the form cannot be used to mail a third party over and over.
 */
int receipt_tx_queue(const struct config *cfg, struct store_tx *tx, int64_t case_id,
                     const char *ref, const char *email, enum lang lang, const char *url);

#endif
