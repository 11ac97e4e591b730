/*
 * res_health -- the health check.
 */
#include "buf.h"
#include "ctx.h"
#include "db.h"
#include "http.h"
#include "res_health.h"

/* GET /_health -- 200 {"status":"ok"}; 503 when the database is down. */
void
res_health(struct ctx *c)
{
	static const char body[] = "{\"status\":\"ok\"}";
	struct db_res res;
	enum prk_err e;

	if ((e = db_exec(c->db, c->arena, "SELECT 1", NULL, 0, &res)) != 0) {
		api_db_error(c, e);
		return;
	}
	c->resp->status = 200;
	c->resp->content_type = "application/json";
	buf_reset(&c->resp->body);
	buf_append(&c->resp->body, body, sizeof(body) - 1);
}
