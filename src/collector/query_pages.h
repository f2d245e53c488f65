/* The dashboard's own queries (GET /v1/query/NAME, behind the operator's
 * token as the others): what the pages need that `query` does not answer. */
#ifndef CHIPAUDIT_COLLECTOR_QUERY_PAGES_H
#define CHIPAUDIT_COLLECTOR_QUERY_PAGES_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* The value of the request's parameter KEY, or NULL. */
typedef const char *(*query_param_fn)(void *ctx, const char *key);

/* Whether NAME is one of them: hosts, overview, diff. */
bool query_pages_has(const char *name);

/* The answer to NAME with the parameters PARAM(CTX, key) gives, from CONN;
 * NULL with *RC (1 not found, 64 a bad parameter, 65 a value the database
 * refused, 70) and a one-line ERR, as query_answer. */
json_t *query_pages_answer(PGconn *conn, const char *name, query_param_fn param, void *ctx, int *rc, char *err,
			   size_t errlen);

#endif
