/* SPDX-License-Identifier: ISC */
/* Unit tests: the coordinators' side's small rules — [targets] in the
 * configuration, which timeline events reporters never see, account names,
 * password lengths and token shapes, and pages that show outside text as
 * text. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "case.h"
#include "config.h"
#include "pbfixture.h"
#include "page_dash.h"

static void init(void)
{
	cr_assert_geq(sodium_init(), 0);
}

TestSuite(dash, .init = init);

Test(dash, targets_default_to_5s_15m_30m_and_can_be_changed_or_turned_off)
{
	struct config *cfg;
	char *path = pbfixture_tmpfile("[targets]\nack = 10m\ncontact = off\nresolve = 3d\n");
	struct buf errors;

	cr_assert_eq(config_load(NULL, &cfg, NULL), 0);
	cr_expect_eq(cfg->target_guidance_ms, 5000);
	cr_expect_eq(cfg->target_ack_ms, 15 * 60000);
	cr_expect_eq(cfg->target_contact_ms, 30 * 60000);
	cr_expect_eq(cfg->target_onsite_ms, 0);
	cr_expect_eq(cfg->target_resolve_ms, 0);
	config_free(cfg);
	cr_assert_eq(config_load(path, &cfg, NULL), 0);
	cr_expect_eq(cfg->target_ack_ms, 10 * 60000);
	cr_expect_eq(cfg->target_contact_ms, 0);
	cr_expect_eq(cfg->target_resolve_ms, 3u * 86400000u);
	config_free(cfg);
	pbfixture_tmpfile_free(path);

	path = pbfixture_tmpfile("[targets]\nack = soon\nguidance = 31d\n");
	buf_init(&errors, 4096);
	cr_expect_eq(config_load(path, &cfg, &errors), -EINVAL);
	cr_expect_neq(strstr(errors.data, ":2: [targets] ack: expected a time"), NULL, "%s",
	              errors.data);
	cr_expect_neq(strstr(errors.data, ":3: [targets] guidance:"), NULL, "%s", errors.data);
	buf_fini(&errors);
	pbfixture_tmpfile_free(path);
}

Test(dash, coordinators_internal_events_stay_off_the_reporters_pages)
{
	static const char *const internal[] = {"details_viewed", "note", "reassigned", "declined",
	                                       "escalation_exhausted"};

	for (size_t i = 0; i < sizeof internal / sizeof internal[0]; i++)
		cr_expect(!case_event_public(internal[i]), "%s must stay internal", internal[i]);
	cr_expect(case_event_public("acknowledged"));
	cr_expect(case_event_public("resolved"));
}

Test(dash, account_names_passwords_and_tokens_have_their_shapes)
{
	char hash[AUTH_HASH_MAX], a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1];

	cr_expect(auth_name_valid("hanako.sato_2"));
	cr_expect(!auth_name_valid(""));
	cr_expect(!auth_name_valid("Hanako"), "names are lower case");
	cr_expect(!auth_name_valid("a b"));
	cr_expect(!auth_name_valid("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
	cr_expect_eq(auth_password_hash("short", hash), -EINVAL);
	cr_expect_eq(auth_password_hash("\xff\xfe not utf-8 at all", hash), -EINVAL);
	cr_assert_eq(auth_password_hash("十二文字のながいパスワードです", hash), 0,
	             "twelve characters, counted as characters");
	cr_expect_eq(strncmp(hash, "$argon2id$", 10), 0, "argon2id: %s", hash);
	cr_expect_eq(crypto_pwhash_str_verify(hash, "十二文字のながいパスワードです",
	                                      strlen("十二文字のながいパスワードです")),
	             0);
	auth_token_new(a);
	auth_token_new(b);
	cr_expect(auth_token_valid(a));
	cr_expect_eq(strlen(a), AUTH_TOKEN_LEN);
	cr_expect(auth_token_equal(a, a));
	cr_expect(!auth_token_equal(a, b));
	cr_expect(!auth_token_equal(a, NULL));
	cr_expect(!auth_token_valid("short"));
	cr_expect(!auth_token_valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")); /* '=' */
}

Test(dash, the_queue_shows_outside_text_as_text)
{
	struct page_dash_frame f = {LANG_EN, "<b>who</b>", "tok\"en", "queue", "/dashboard?x=<y>",
	                            20, "<i>notice</i>"};
	struct page_dash_queue_row row;
	struct buf b;

	memset(&row, 0, sizeof row);
	snprintf(row.ref, sizeof row.ref, "KK-0000-00");
	row.prefecture = "<script>p</script>";
	row.type = "t&t";
	snprintf(row.state, sizeof row.state, "<state>");
	snprintf(row.assignee, sizeof row.assignee, "\"><img src=x>");
	row.ack_s = -1;
	row.running = STATS_ACK;
	row.running_s = 1000;
	row.target_s = 900;
	row.late = true;
	buf_init(&b, PAGE_DASH_MAX);
	cr_assert_eq(page_dash_queue(&b, &f, &row, 1, 0), 0);
	cr_expect_null(strstr(b.data, "<script>p"), "%s", b.data);
	cr_expect_null(strstr(b.data, "<img"));
	cr_expect_null(strstr(b.data, "<b>who"));
	cr_expect_null(strstr(b.data, "<i>notice"));
	cr_expect_null(strstr(b.data, "<state>"));
	cr_expect_neq(strstr(b.data, "&lt;script&gt;p&lt;/script&gt;"), NULL);
	cr_expect_neq(strstr(b.data, "value=\"tok&quot;en\""), NULL);
	cr_expect_neq(strstr(b.data, "class=\"case late\""), NULL, "late rows are marked");
	cr_expect_neq(strstr(b.data, "LATE"), NULL, "in words too, not only in color");
	cr_expect_neq(strstr(b.data, "content=\"20\""), NULL, "the queue reloads itself");
	buf_fini(&b);
}
