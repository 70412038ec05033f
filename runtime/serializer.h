/*
 * serializer.h (internal, serializers area): the validation pipeline, the
 * per-field metadata that OPTIONS shows, and json.c's helpers for them.
 */
#ifndef RF_SERIALIZER_H
#define RF_SERIALIZER_H

#include "restflow.h"

/* OPTIONS: write the `actions` entry for one serializer, as DRF's
 * SimpleMetadata.get_serializer_info: {"field": {"type": ..., "required":
 * ..., "read_only": ..., "label": ..., ...}, ...} in field order. */
void rf_serializer_info(rf_buf *b, const rf_serializer *s);

/* ---------------------------------------------------------------------
 * json.c helpers.
 */
/* A decimal's text quantized to `places` (ROUND_HALF_EVEN; places < 0:
 * unchanged) and written as Python's '{:f}' does, unquoted. */
void rf_decimal_format(rf_buf *b, const char *text, int places);

/* True when an rf_json_f64 on this thread wrote a NaN or an infinity since
 * the last call (it writes null).  DRF's renderer refuses those (500). */
bool rf_json_take_nonfinite(void);

/* rf_parse_datetime with DRF's two failure texts told apart: malformed
 * ("Datetime has wrong format...") or outside Python's years 1..9999 once
 * moved to UTC ("Datetime value out of range."). */
typedef enum rf_dt_parse { RF_DT_OK = 0, RF_DT_INVALID, RF_DT_OVERFLOW } rf_dt_parse;
rf_dt_parse rf_parse_datetime_ex(const char *s, int64_t *usec);

#endif
