/* SPDX-License-Identifier: ISC */
/* Unit tests: the configuration file and its error messages. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "pbfixture.h"

Test(config, no_file_gives_the_documented_defaults)
{
	struct config *cfg;

	cr_assert_eq(config_load(NULL, &cfg, NULL), 0);
	cr_assert_str_eq(cfg->http_listen, "127.0.0.1:8080");
	cr_assert_str_eq(cfg->http_public_url, "http://127.0.0.1:8080");
	cr_assert_str_eq(cfg->store_path, "var/kakekomi.db");
	cr_assert_str_eq(cfg->playbooks_dir, "playbooks");
	config_free(cfg);
}

Test(config, each_problem_is_reported_with_file_line_and_key)
{
	char *path = pbfixture_tmpfile(
	    "[http]\nlisten = localhost\n\n[store]\nspeed = fast\n[log]\nlevel = loud\n");
	struct config *cfg = NULL;
	struct buf errors;

	buf_init(&errors, 4096);
	cr_assert_eq(config_load(path, &cfg, &errors), -EINVAL);
	cr_assert_null(cfg);
	cr_assert_not_null(strstr(errors.data, ":2: [http] listen: expected ADDRESS:PORT"), "%s",
	                   errors.data);
	cr_assert_not_null(strstr(errors.data, ":5: [store] speed: unknown key"), "%s",
	                   errors.data);
	cr_assert_not_null(strstr(errors.data, ":7: [log] level:"), "%s", errors.data);
	buf_fini(&errors);
	pbfixture_tmpfile_free(path);
}

Test(config, the_example_file_is_valid)
{
	const char *src = getenv("KK_SRC");
	char path[4096];
	struct config *cfg;
	struct buf errors;

	snprintf(path, sizeof path, "%s/etc/kakekomi.conf.example", src != NULL ? src : ".");
	buf_init(&errors, 4096);
	cr_assert_eq(config_load(path, &cfg, &errors), 0, "%s", errors.data);
	config_free(cfg);
	buf_fini(&errors);
}

Test(config, webhooks_without_a_strong_enough_secret_are_refused)
{
	static const char *const bad[] = {
	    "[webhooks]\nurls = https://hooks.example.jp/in\n",
	    "[webhooks]\nurls = https://hooks.example.jp/in\nsecret = short\n",
	};
	struct config *cfg = NULL;
	struct buf errors;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *path = pbfixture_tmpfile(bad[i]);

		buf_init(&errors, 4096);
		cr_assert_eq(config_load(path, &cfg, &errors), -EINVAL, "accepted:\n%s", bad[i]);
		cr_assert_null(cfg);
		cr_assert_not_null(strstr(errors.data, "[webhooks] secret:"), "%s", errors.data);
		cr_assert_not_null(strstr(errors.data, "16 characters"), "%s", errors.data);
		buf_fini(&errors);
		pbfixture_tmpfile_free(path);
	}
}

Test(config, smtp_requires_tls_by_default_and_never_sends_a_password_without_it)
{
	static const char *const bad[] = {
	    "[smtp]\nurl = smtp://mail.example.jp:587\nusername = kk\npassword = pw\ntls = "
	    "optional\n",
	    "[smtp]\nurl = smtp://mail.example.jp:25\npassword = pw\ntls = disabled\n",
	};
	struct config *cfg = NULL;
	struct buf errors;
	char *path;

	cr_assert_eq(config_load(NULL, &cfg, NULL), 0);
	cr_assert_eq(cfg->smtp_tls, CONFIG_TLS_REQUIRED, "STARTTLS should be required by default");
	config_free(cfg);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		path = pbfixture_tmpfile(bad[i]);
		buf_init(&errors, 4096);
		cr_assert_eq(config_load(path, &cfg, &errors), -EINVAL, "accepted:\n%s", bad[i]);
		cr_assert_not_null(strstr(errors.data, "[smtp] tls:"), "%s", errors.data);
		buf_fini(&errors);
		pbfixture_tmpfile_free(path);
	}
	path = pbfixture_tmpfile(
	    "[smtp]\nurl = smtps://mail.example.jp:465\nusername = kk\npassword = pw\n"
	    "tls = optional\n");
	cr_assert_eq(config_load(path, &cfg, NULL), 0, "smtps:// is TLS from the start");
	config_free(cfg);
	pbfixture_tmpfile_free(path);
}
