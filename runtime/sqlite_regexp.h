/*
 * sqlite_regexp.h (internal): the SQL function rf_iregexp(pattern, text)
 * on SQLite connections, for SearchFilter's '$' prefix (Django's iregex,
 * which Django's SQLite backend runs through a Python REGEXP function).
 */
#ifndef RF_SQLITE_REGEXP_H
#define RF_SQLITE_REGEXP_H

#include <sqlite3.h>

/* Name of the function, as filter.c writes it into SQL. */
#define RF_SQLITE_IREGEXP "rf_iregexp"

/* Define rf_iregexp on a connection: 1 when text matches pattern anywhere,
 * case-insensitively (ASCII), 0 otherwise or when text is NULL; an invalid
 * pattern fails the statement. */
int rf_sqlite_regexp_register(sqlite3 *db);

#endif
