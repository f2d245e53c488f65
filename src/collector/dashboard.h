/* The dashboard's page and assets (web/), served at / by
 * `chipaudit-collector serve`. They carry no fleet data: the page asks for
 * the operator's token and reads the fleet from /v1/query/NAME with it. */
#ifndef CHIPAUDIT_COLLECTOR_DASHBOARD_H
#define CHIPAUDIT_COLLECTOR_DASHBOARD_H

#include <microhttpd.h>
#include <stdbool.h>

/* Whether URL is the dashboard's page or one of its assets. */
bool dashboard_has(const char *url);

/* Queue the answer to GET URL (one dashboard_has accepts) on C, with its
 * Content-Security-Policy and the other headers that keep it to itself. */
enum MHD_Result dashboard_serve(struct MHD_Connection *c, const char *url);

#endif
