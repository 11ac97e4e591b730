/*
 * mail -- outgoing mail through a sendmail-compatible command
 * (`mail.sendmail_path`, like PHP's sendmail_path).  Unset means mail is
 * not configured: callers then apply changes without verification.
 */
#ifndef MAIL_H
#define MAIL_H

#include <stdbool.h>

#include "prickle.h"

struct conf;

bool mail_configured(const struct conf *);

/*
 * Compose a plain-text RFC 5322 message (From: mail.from, To, Subject,
 * Date, Message-ID, MIME-Version, Content-Type: text/plain; charset=utf-8)
 * and pipe it to the sendmail command.  PRK_OK without doing anything when
 * mail is not configured; PRK_EIO when the command fails (logged).
 */
enum prk_err mail_send(const struct conf *, const char *to,
    const char *subject, const char *body);

#endif
