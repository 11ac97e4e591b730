/*
 * res_scene -- POST /api/users/:id/scene_personalisation/ (spec 5.6).
 */
#ifndef RES_SCENE_H
#define RES_SCENE_H

struct ctx;

void res_scene_personalisation(struct ctx *);

#endif
