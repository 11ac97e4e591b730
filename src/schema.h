/*
 * schema -- the schema/NNNN_*.sql files compiled in (src/schema_sql.c is
 * generated at build time), in ascending version order.
 */
#ifndef SCHEMA_H
#define SCHEMA_H

#include <stddef.h>

struct schema_file {
	int		 version;
	const char	*name;
	const char	*sql;
};

extern const struct schema_file schema_files[];
extern const size_t schema_nfiles;

#endif
