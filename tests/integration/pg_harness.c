/* SPDX-License-Identifier: ISC */
/*
 * pg_harness.c — the real PostgreSQL the multi-node tests stand on: a
 * private server per test on a free loopback port, reached with libpq;
 * what it committed is there again after a SIGKILL and a restart, and a
 * client sees the server go away. If this breaks, every PostgreSQL test
 * after it means nothing.
 */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "pgserver.h"

TestSuite(pg_harness, .fini = pgserver_cleanup, .timeout = 120);

static PGconn *connect_to(const struct pgserver *pg)
{
	PGconn *c = PQconnectdb(pg->url);

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s: %s", pg->url, PQerrorMessage(c));
	return c;
}

/* SQL's one value as a number; asserts that it ran. */
static long long one(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	long long v;

	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
	v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

static void run(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

Test(pg_harness, a_private_server_takes_connections_on_its_own_port)
{
	struct pgserver pg;
	PGconn *c;

	pgserver_init(&pg);
	cr_assert_eq(pgserver_start(&pg), 0);
	c = connect_to(&pg);
	cr_assert_geq(PQserverVersion(c), 150000, "PostgreSQL 15 or later");
	cr_assert_eq(one(c, "SELECT 41 + 1"), 42);
	cr_assert_str_eq(PQparameterStatus(c, "server_encoding"), "UTF8");
	PQfinish(c);
	pgserver_free(&pg);
}

Test(pg_harness, what_was_committed_survives_a_sigkill_and_a_client_sees_the_server_go)
{
	struct pgserver pg;
	PGconn *c;
	PGresult *r;

	pgserver_init(&pg);
	cr_assert_eq(pgserver_start(&pg), 0);
	c = connect_to(&pg);
	run(c, "CREATE TABLE reports (id bigint PRIMARY KEY, ref text NOT NULL)");
	run(c, "INSERT INTO reports SELECT g, 'KK-' || g FROM generate_series(1, 1000) g");

	pgserver_kill(&pg);
	r = PQexec(c, "SELECT 1");
	cr_assert_neq(PQresultStatus(r), PGRES_TUPLES_OK, "a killed server still answered");
	PQclear(r);
	PQfinish(c);

	cr_assert_eq(pgserver_start(&pg), 0, "the server should recover after a SIGKILL");
	c = connect_to(&pg);
	cr_assert_eq(one(c, "SELECT count(*) FROM reports"), 1000,
	             "every committed row should be there after recovery");
	PQfinish(c);
	pgserver_free(&pg);
}
