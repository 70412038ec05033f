/*
 * cursor.c: CursorPagination, ported from DRF 3.14 step by step so that the
 * cursors it writes are the ones DRF writes (and each reads the other's).
 *
 * A cursor is base64 of a query string "o=<offset>&r=1&p=<position>": the
 * position is str() of the first ordering field of a boundary row, the
 * offset skips rows sharing that position.  Rows are fetched with
 * `field > position` (or <, by direction), the ordering (reversed when the
 * cursor is), and LIMIT page_size + 1: the extra row tells whether another
 * page follows.  No COUNT ever runs, and rows inserted meanwhile never
 * shift a page.
 *
 * Deliberate differences from DRF, both where DRF answers 500:
 *   - a position that does not convert to the field's type (a tampered
 *     cursor) is "Invalid cursor" (404), where Django raises in the filter;
 *   - a ForeignKey ordering field uses the key, where DRF would put str()
 *     of the related object in the cursor and fail to filter by it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "policy_internal.h"
#include "serializer.h"

/* DRF's offset_cutoff: a cursor never skips more than this many rows. */
#define OFFSET_CUTOFF 1000

/* ---------------------------------------------------------------------
 * Decoding, as DRF's decode_cursor: b64decode (non-strict: characters
 * outside the alphabet are skipped), ASCII, parse_qs, then int() of o and
 * r; the first value of each key counts.
 */

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

bool rf_b64decode_lenient(rf_arena *a, rf_str in, rf_str *out)
{
    unsigned char *bin = rf_alloc(a, in.n / 4 * 3 + 3);
    size_t n = 0;
    int quad = 0, pads = 0;
    unsigned left = 0;
    for (size_t i = 0; i < in.n; i++) {
        unsigned char c = (unsigned char)in.s[i];
        if (c == '=') {
            if (quad >= 2 && quad + ++pads >= 4)
                goto done;   /* the padding ends the data */
            continue;
        }
        int v = b64_value(c);
        if (v < 0)
            continue;
        pads = 0;
        switch (quad) {
        case 0: left = (unsigned)v; break;
        case 1: bin[n++] = (unsigned char)(left << 2 | (unsigned)v >> 4); left = (unsigned)v & 0x0F; break;
        case 2: bin[n++] = (unsigned char)(left << 4 | (unsigned)v >> 2); left = (unsigned)v & 0x03; break;
        case 3: bin[n++] = (unsigned char)(left << 6 | (unsigned)v); left = 0; break;
        }
        quad = (quad + 1) & 3;
    }
    if (quad != 0)
        return false;   /* "Incorrect padding" */
done:
    *out = (rf_str){ (const char *)bin, n };
    return true;
}

/* parse_qs(...)[key][0]. */
static const rf_str *first_value(const rf_qs *qs, const char *key)
{
    for (int i = 0; i < qs->n; i++)
        if (qs->params[i].name.n == strlen(key) &&
            memcmp(qs->params[i].name.s, key, qs->params[i].name.n) == 0)
            return &qs->params[i].value;
    return NULL;
}

bool rf_cursor_decode(rf_arena *a, rf_str encoded, rf_cursor *out)
{
    rf_str raw;
    /* encoded.encode('ascii') and the decoded bytes' .decode('ascii'). */
    for (size_t i = 0; i < encoded.n; i++)
        if ((unsigned char)encoded.s[i] >= 0x80)
            return false;
    if (!rf_b64decode_lenient(a, encoded, &raw))
        return false;
    for (size_t i = 0; i < raw.n; i++)
        if ((unsigned char)raw.s[i] >= 0x80)
            return false;
    rf_qs tokens = rf_qs_parse(a, raw.s, raw.n);
    const rf_str *o = first_value(&tokens, "o");
    const rf_str *r = first_value(&tokens, "r");
    const rf_str *p = first_value(&tokens, "p");
    int64_t reverse;
    out->offset = 0;
    int overflow;
    if (o && !rf_positive_int(a, *o, false, OFFSET_CUTOFF, &out->offset))
        return false;
    if (r && !rf_py_int(a, r->s, r->n, &reverse, &overflow))
        return false;
    out->reverse = r && reverse != 0;
    out->position = NULL;
    if (p) {
        /* A NUL cannot reach SQL as text; no position of ours holds one. */
        if (memchr(p->s, '\0', p->n))
            return false;
        out->position = p->s;
    }
    return true;
}

/* urllib.parse.quote_plus for a cursor token's value. */
static void quote_value(rf_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("_.-~", *p))
            rf_buf_putc(b, (char)*p);
        else if (*p == ' ')
            rf_buf_putc(b, '+');
        else {
            char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            rf_buf_append(b, e, 3);
        }
    }
}

char *rf_cursor_encode(rf_arena *a, const rf_cursor *c)
{
    rf_buf q;
    rf_buf_init(&q, a, 64);
    if (c->offset != 0)
        rf_buf_printf(&q, "o=%lld", (long long)c->offset);
    if (c->reverse)
        rf_buf_puts(&q, q.len ? "&r=1" : "r=1");
    if (c->position) {
        rf_buf_puts(&q, q.len ? "&p=" : "p=");
        quote_value(&q, c->position);
    }
    char *out = rf_alloc(a, (q.len + 2) / 3 * 4 + 1);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)q.data, (int)q.len);
    return out;
}

/* ---------------------------------------------------------------------
 * Positions: str() of the attribute, as Django's model instance holds it
 * (aware datetimes in UTC with USE_TZ, decimals at decimal_places).
 */

static void write_datetime(rf_buf *b, int64_t usec)
{
    char sql[32];
    rf_format_datetime_sql(sql, usec);       /* str(): no zero fraction */
    rf_buf_puts(b, sql);
    rf_buf_lit(b, "+00:00");
}

static void write_date(rf_buf *b, int32_t days)
{
    rf_buf tmp;
    rf_buf_init(&tmp, b->arena, 16);
    rf_json_date(&tmp, days);                 /* "\"YYYY-MM-DD\"" */
    rf_buf_append(b, tmp.data + 1, tmp.len - 2);
}

char *rf_cursor_position(rf_arena *a, const void *rec, const rf_field *f)
{
    if (!RF_IS_SET(rec, f->index) || RF_IS_NULL(rec, f->index))
        return rf_strdup(a, "None");
    rf_buf b;
    rf_buf_init(&b, a, 40);
    switch (rf_field_key_type(f)) {
    case RF_F_AUTO: case RF_F_BIGAUTO: case RF_F_INTEGER: case RF_F_BIGINTEGER:
    case RF_F_FOREIGNKEY:
        rf_buf_printf(&b, "%lld", (long long)RF_MEMBER(rec, f->offset, int64_t));
        break;
    case RF_F_FLOAT:
        rf_json_f64(&b, RF_MEMBER(rec, f->offset, double));
        break;
    case RF_F_BOOLEAN:
        rf_buf_puts(&b, RF_MEMBER(rec, f->offset, bool) ? "True" : "False");
        break;
    case RF_F_DECIMAL:
        rf_decimal_format(&b, RF_MEMBER(rec, f->offset, const char *),
                          f->limits.decimal_places);
        break;
    case RF_F_DATETIME:
        write_datetime(&b, RF_MEMBER(rec, f->offset, int64_t));
        break;
    case RF_F_DATE:
        write_date(&b, RF_MEMBER(rec, f->offset, int32_t));
        break;
    default:
        rf_buf_puts(&b, RF_MEMBER(rec, f->offset, const char *));
        break;
    }
    rf_buf_putc(&b, '\0');
    return b.data;
}

/* Python's Decimal(): sign, digits with an optional point, an exponent. */
static bool is_decimal_text(const char *s)
{
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    for (; s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (s[i] == '.')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (!digits)
        return false;
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (s[i] < '0' || s[i] > '9')
            return false;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return s[i] == '\0';
}

bool rf_cursor_position_value(rf_arena *a, const rf_field *f, const char *text,
                              rf_value *out)
{
    char uuid[37];
    switch (rf_field_key_type(f)) {
    case RF_F_AUTO: case RF_F_BIGAUTO: case RF_F_INTEGER: case RF_F_BIGINTEGER:
    case RF_F_FOREIGNKEY: {
        int64_t v;
        int overflow;
        if (!rf_py_int(a, text, strlen(text), &v, &overflow) || overflow)
            return false;
        *out = RF_VINT(v);
        return true;
    }
    case RF_F_FLOAT: {
        char *end;
        double v = strtod(text, &end);
        if (end == text || *end || !isfinite(v))
            return false;
        *out = (rf_value){ .type = RF_V_FLOAT, .u.f = v };
        return true;
    }
    case RF_F_BOOLEAN:
        /* Django's BooleanField.to_python on strings. */
        if (!strcmp(text, "True") || !strcmp(text, "t") || !strcmp(text, "1"))
            *out = RF_VBOOL(true);
        else if (!strcmp(text, "False") || !strcmp(text, "f") || !strcmp(text, "0"))
            *out = RF_VBOOL(false);
        else
            return false;
        return true;
    case RF_F_DECIMAL:
        if (!is_decimal_text(text))
            return false;
        *out = (rf_value){ .type = RF_V_DECIMAL, .u.s = rf_strdup(a, text) };
        return true;
    case RF_F_DATETIME: {
        /* Django's DateTimeField.to_python: a date alone is its midnight,
         * naive, so in the current time zone (UTC). */
        int64_t usec;
        int32_t days;
        if (rf_parse_date(text, &days))
            usec = (int64_t)days * 86400 * 1000000;
        else if (!rf_parse_datetime(text, &usec))
            return false;
        *out = (rf_value){ .type = RF_V_DATETIME, .u.i = usec };
        return true;
    }
    case RF_F_DATE: {
        int32_t days;
        if (!rf_parse_date(text, &days))
            return false;
        *out = (rf_value){ .type = RF_V_DATE, .u.i = days };
        return true;
    }
    case RF_F_UUID:
        if (!rf_parse_uuid(a, text, strlen(text), uuid))
            return false;
        *out = RF_VTEXT(rf_strdup(a, uuid));
        return true;
    case RF_F_JSON: case RF_F_NESTED:
        return false;
    default:
        *out = RF_VTEXT(rf_strdup(a, text));
        return true;
    }
}

/* ---------------------------------------------------------------------
 * Planning.
 */

const char *rf_cursor_prepare(rf_page *pg)
{
    const rf_str *v = rf_qs_get(&pg->qs, pg->p->cursor_query_param
                                             ? pg->p->cursor_query_param : "cursor");
    pg->has_cursor = v != NULL;
    pg->cursor = (rf_cursor){ 0, false, NULL };
    if (v && !rf_cursor_decode(pg->arena, *v, &pg->cursor))
        return RF_INVALID_CURSOR;
    pg->offset = pg->cursor.offset;
    return NULL;
}

bool rf_cursor_bound(const rf_page *pg, const char **op, rf_value *v)
{
    *op = NULL;
    if (!pg->cursor.position)
        return true;
    const rf_order *first = &pg->ordering[0];
    if (!rf_cursor_position_value(pg->arena, first->field, pg->cursor.position, v))
        return false;
    /* (cursor reversed) XOR (ordering descending): below the position. */
    *op = pg->cursor.reverse != first->desc ? "<" : ">";
    return true;
}

/* ---------------------------------------------------------------------
 * Links, after the rows are back: DRF's paginate_queryset tail,
 * get_next_link and get_previous_link.
 */
typedef struct cursor_page {
    char **pos;          /* positions of the page's rows, display order */
    int n;
    bool has_next, has_previous;
    const char *next_position, *previous_position;
} cursor_page;

static bool same(const char *x, const char *y)
{
    return x && y ? strcmp(x, y) == 0 : x == y;
}

static char *cursor_url(rf_page *pg, int64_t offset, bool reverse, const char *position)
{
    rf_cursor c = { offset, reverse, position };
    rf_qs qs = rf_qs_with(pg->arena, &pg->qs,
                          pg->p->cursor_query_param ? pg->p->cursor_query_param : "cursor",
                          rf_cursor_encode(pg->arena, &c));
    return rf_url_build(pg->arena, pg->base_url, &qs);
}

/* DRF's get_next_link (forward) and get_previous_link, which mirror each
 * other: the marker is the last position on the page (first, going back)
 * that differs from the one beyond it, and the offset counts the rows that
 * share it. */
static char *link_towards(rf_page *pg, const cursor_page *cp, bool forward)
{
    if (!(forward ? cp->has_next : cp->has_previous))
        return NULL;
    const char *ahead = forward ? cp->next_position : cp->previous_position;
    const char *behind = forward ? cp->previous_position : cp->next_position;
    bool has_behind = forward ? cp->has_previous : cp->has_next;
    const rf_cursor *cur = pg->has_cursor ? &pg->cursor : NULL;
    /* Turning around: a link against the direction of the cursor used. */
    bool turning = cur && cur->reverse == forward;
    const char *compare = cp->n && turning && cur->offset != 0
                              ? cp->pos[forward ? cp->n - 1 : 0] : ahead;
    int64_t offset = 0;
    const char *position = NULL;
    bool unique = false;
    for (int k = 0; k < cp->n; k++) {
        position = cp->pos[forward ? cp->n - 1 - k : k];
        if (!same(position, compare)) {
            unique = true;
            break;
        }
        compare = position;
        offset++;
    }
    if (cp->n && !unique) {
        /* No usable marker on the page. */
        if (!has_behind) {
            offset = pg->size;
            position = NULL;
        } else {
            offset = turning ? 0 : cur->offset + pg->size;
            position = behind;
        }
    }
    if (!cp->n)
        position = ahead;
    return cursor_url(pg, offset, !forward, position);
}

static void link(rf_buf *b, const char *url)
{
    if (url)
        rf_json_str(b, url);
    else
        rf_json_null(b);
}

int rf_cursor_write_links(rf_page *pg, rf_buf *b, const rf_rowset *rows)
{
    const rf_field *f = pg->ordering[0].field;
    int fetched = rows ? rows->n : 0;
    cursor_page cp = { 0 };
    cp.n = fetched < pg->size ? fetched : (int)pg->size;
    cp.pos = rf_alloc(pg->arena, sizeof *cp.pos * (size_t)(cp.n + 1));
    bool reverse = pg->cursor.reverse;
    for (int i = 0; i < cp.n; i++)
        cp.pos[reverse ? cp.n - 1 - i : i] =
            rf_cursor_position(pg->arena, rows->rows[i].rec, f);
    bool following = fetched > cp.n;
    const char *following_position =
        following ? rf_cursor_position(pg->arena, rows->rows[fetched - 1].rec, f) : NULL;
    const char *current = pg->cursor.position;
    bool moved = current != NULL || pg->cursor.offset > 0;
    if (reverse) {
        cp.has_next = moved;
        cp.has_previous = following;
        cp.next_position = current;
        cp.previous_position = following_position;
    } else {
        cp.has_next = following;
        cp.has_previous = moved;
        cp.next_position = following_position;
        cp.previous_position = current;
    }
    rf_buf_lit(b, "\"next\":");
    link(b, link_towards(pg, &cp, true));
    rf_buf_lit(b, ",\"previous\":");
    link(b, link_towards(pg, &cp, false));
    rf_buf_putc(b, ',');
    return cp.n;
}
