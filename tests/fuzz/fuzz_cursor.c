/*
 * fuzz_cursor: CursorPagination's cursors, which clients hand back to us
 * and may forge.
 *
 *   1. The input as a ?cursor= value: rf_cursor_decode either refuses it
 *      ("Invalid cursor") or gives a cursor that encodes and decodes back
 *      to itself (offset within DRF's cutoff, no NUL in the position); its
 *      position then converts, or not, to every field type a cursor can
 *      order by.
 *   2. The first 8 bytes as a value of each of those types (within what
 *      the database can hold): str() of it, the position a cursor stores,
 *      converts back to the same value, so a page boundary never moves.
 *
 * fuzz-links: @runtime
 * fuzz-libs: $(PKG_LIBS)
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One record with a field of every orderable type. */
typedef struct positions {
    uint8_t rf_state[6];
    int64_t i;
    double f;
    bool b;
    int64_t at;
    int32_t day;
    const char *s;
} positions;

#define FIELD(nm, t, idx, member) \
    { .name = nm, .column = nm, .type = t, .index = idx, .offset = offsetof(positions, member), \
      .limits = { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 } }

static const rf_field fields[] = {
    FIELD("i", RF_F_BIGINTEGER, 0, i),
    FIELD("f", RF_F_FLOAT, 1, f),
    FIELD("b", RF_F_BOOLEAN, 2, b),
    FIELD("at", RF_F_DATETIME, 3, at),
    FIELD("day", RF_F_DATE, 4, day),
    FIELD("s", RF_F_CHAR, 5, s),
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const rf_field decimal_field = {
    .name = "d", .column = "d", .type = RF_F_DECIMAL,
    .limits = { .max_length = -1, .min_length = -1, .max_digits = 10, .decimal_places = 2 },
};

/* Python's datetime range, years 1 to 9999, in µs since the epoch. */
#define MIN_USEC (-62135596800LL * 1000000)
#define MAX_USEC (253402300799LL * 1000000 + 999999)
#define MIN_DAY (-719162)
#define MAX_DAY 2932896

static void check_decoded(rf_arena *a, const rf_cursor *c)
{
    if (c->offset < 0 || c->offset > 1000)
        abort();
    rf_cursor again;
    char *text = rf_cursor_encode(a, c);
    if (!rf_cursor_decode(a, (rf_str){ text, strlen(text) }, &again))
        abort();
    if (again.offset != c->offset || again.reverse != c->reverse ||
        !again.position != !c->position ||
        (c->position && strcmp(again.position, c->position) != 0))
        abort();
    rf_value v;
    if (c->position) {
        for (size_t i = 0; i < NFIELDS; i++)
            rf_cursor_position_value(a, &fields[i], c->position, &v);
        rf_cursor_position_value(a, &decimal_field, c->position, &v);
    }
}

static bool same_value(const rf_field *f, rf_value v, const positions *p)
{
    switch (f->type) {
    case RF_F_BIGINTEGER: return v.type == RF_V_INT && v.u.i == p->i;
    case RF_F_FLOAT: return v.type == RF_V_FLOAT && v.u.f == p->f;
    case RF_F_BOOLEAN: return v.type == RF_V_BOOL && v.u.i == p->b;
    case RF_F_DATETIME: return v.type == RF_V_DATETIME && v.u.i == p->at;
    case RF_F_DATE: return v.type == RF_V_DATE && v.u.i == p->day;
    default: return v.type == RF_V_TEXT && strcmp(v.u.s, p->s) == 0;
    }
}

static void check_positions(rf_arena *a, const uint8_t *data, size_t size)
{
    uint64_t bits = 0;
    memcpy(&bits, data, size < 8 ? size : 8);
    positions p = {
        .rf_state = { RF_SET, RF_SET, RF_SET, RF_SET, RF_SET, RF_SET },
        .i = (int64_t)bits, .b = bits & 1,
        .at = MIN_USEC + (int64_t)(bits % (uint64_t)(MAX_USEC - MIN_USEC + 1)),
        .day = (int32_t)(MIN_DAY + (int64_t)(bits % (uint64_t)(MAX_DAY - MIN_DAY + 1))),
        .s = rf_strndup(a, (const char *)data, size),
    };
    memcpy(&p.f, &bits, sizeof p.f);
    if (!isfinite(p.f))
        p.f = 0;
    for (size_t i = 0; i < NFIELDS; i++) {
        rf_value v;
        char *text = rf_cursor_position(a, &p, &fields[i]);
        if (!rf_cursor_position_value(a, &fields[i], text, &v) || !same_value(&fields[i], v, &p))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rf_arena *a = rf_arena_new(0);
    rf_cursor c;
    if (rf_cursor_decode(a, (rf_str){ (const char *)data, size }, &c))
        check_decoded(a, &c);
    check_positions(a, data, size);
    rf_arena_free(a);
    return 0;
}
