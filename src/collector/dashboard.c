/* GET / and the dashboard's assets: web/index.html, dashboard.css,
 * dashboard.js and favicon.svg, built into the binary by scripts/embed.py (meson.build's
 * collector_web) as the migrations are.
 *
 * The page and its assets are the same for everyone and carry no fleet
 * data, so they load without the token; every figure the page shows comes
 * from /v1/query/NAME, which needs it (serve.c). The policy allows scripts,
 * styles and requests from the collector itself only, no inline script or
 * style, no frame, no form that posts anywhere: text from the reports
 * (hostnames, host ids, check names) that slipped into markup could not
 * run. */
#include "collector/dashboard.h"

#include <string.h>

#include "core/util.h"

extern const char collector_web_index[], collector_web_css[], collector_web_js[], collector_web_icon[];

static const struct asset {
	const char *path, *type, *body;
} assets[] = {
	{ "/", "text/html; charset=utf-8", collector_web_index },
	{ "/index.html", "text/html; charset=utf-8", collector_web_index },
	{ "/dashboard.css", "text/css; charset=utf-8", collector_web_css },
	{ "/dashboard.js", "text/javascript; charset=utf-8", collector_web_js },
	{ "/favicon.svg", "image/svg+xml", collector_web_icon },
};

static const char policy[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
			     "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

static const struct asset *find_asset(const char *url)
{
	for (size_t i = 0; i < ARRAY_SIZE(assets); i++)
		if (strcmp(url, assets[i].path) == 0)
			return &assets[i];
	return NULL;
}

bool dashboard_has(const char *url)
{
	return find_asset(url) != NULL;
}

enum MHD_Result dashboard_serve(struct MHD_Connection *c, const char *url)
{
	const struct asset *a = find_asset(url);
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (!a)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(a->body), (void *)a->body, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
	MHD_add_response_header(resp, "Content-Security-Policy", policy);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	/* the assets change with the binary: asked again each time, never stale */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	rc = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}
