/*
 * res_health -- GET /_health: the pool answers and reaches the database
 * (like php-fpm's ping.path), for load balancers and monitoring.
 */
#ifndef RES_HEALTH_H
#define RES_HEALTH_H

struct ctx;

void res_health(struct ctx *);

#endif
