/*
 * prickle -- human-readable text for the shared error codes.
 */
#include "prickle.h"

static const char *const prk_err_names[PRK_ERR__MAX] = {
	[PRK_OK] = "success",
	[PRK_ENOMEM] = "out of memory",
	[PRK_EINVAL] = "invalid input",
	[PRK_ENOTFOUND] = "not found",
	[PRK_ECONFLICT] = "conflict",
	[PRK_EAUTH] = "authentication failed",
	[PRK_EFORBIDDEN] = "permission denied",
	[PRK_EDB] = "database error",
	[PRK_EDBGONE] = "database unavailable",
	[PRK_EIO] = "input/output error",
	[PRK_ECONF] = "configuration error",
	[PRK_ELOCKED] = "resource busy, retry later",
};

/*
 * Returns a static string for err; never NULL, even for values outside
 * the enum (a corrupted or future code).
 */
const char *
prk_strerror(enum prk_err err)
{
	if ((unsigned)err >= PRK_ERR__MAX || prk_err_names[err] == NULL)
		return "unknown error";
	return prk_err_names[err];
}
