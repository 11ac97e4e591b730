/*
 * log -- stderr | syslog | file logger.  Lines look like
 *   prickled[1234]: warning: db: connection lost
 * Control characters in the message are escaped (\n -> \\n, \x01 ...),
 * so a hostile value cannot forge a line.  Never log secrets.
 */
#ifndef LOG_H
#define LOG_H

#include <syslog.h>

struct conf;

void log_init(const struct conf *);	/* opens the target */
void log_reopen(void);			/* USR1: reopen file target */
void log_set_ident(const char *);	/* "prickled" / "prickle" */
void log_msg(int level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_err(c, ...)		log_msg(LOG_ERR, (c), __VA_ARGS__)
#define log_warn(c, ...)	log_msg(LOG_WARNING, (c), __VA_ARGS__)
#define log_notice(c, ...)	log_msg(LOG_NOTICE, (c), __VA_ARGS__)
#define log_info(c, ...)	log_msg(LOG_INFO, (c), __VA_ARGS__)
#define log_debug(c, ...)	log_msg(LOG_DEBUG, (c), __VA_ARGS__)

#endif
