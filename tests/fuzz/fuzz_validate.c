/*
 * fuzz_validate: request bodies through the validators of the generated
 * serializers of the three example specs (generated/<spec>), as create,
 * update and partial update run them: JSON bodies, or form bodies with
 * DRF's HTML-input rules.  Together they have a field of every type.
 *
 * Input: the first byte picks the serializer, the second the mode and JSON
 * or form; the rest is the body.  Checked beyond memory safety, whenever
 * the synchronous validation (shape, every field) passes:
 *   - every writable field that took a value honours its limits: text is
 *     UTF-8 within max_length/min_length code points and one of its
 *     choices, numbers within min_value/max_value (and their choices),
 *     decimals within max_digits/decimal_places, UUIDs canonical;
 *   - a ForeignKey holds its target's key in that key's type: a UUID key
 *     canonical, a text key UTF-8 (PrimaryKeyRelatedField by target type);
 *   - on create and update every required writable field took a value.
 *
 * fuzz-links: @runtime generated/shop/shop.c specs/shop_hooks.c generated/events/events.c specs/events_hooks.c generated/blog/blog.c specs/blog_hooks.c
 * fuzz-cflags: -Igenerated/shop -Igenerated/events -Igenerated/blog
 * fuzz-libs: $(PKG_LIBS)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"
#include "policy_internal.h"
#include "serializer.h"
#include "blog.h"
#include "events.h"
#include "shop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const rf_serializer *const serializers[] = {
    &shop_ProductSerializer_serializer, &shop_ProductCreate_serializer,
    &shop_ReviewSerializer_serializer, &shop_ReviewBrief_serializer,
    &events_VenueSerializer_serializer, &events_EventSerializer_serializer,
    &events_TicketSerializer_serializer, &events_Refund_serializer,
    &blog_AuthorSerializer_serializer, &blog_PostSerializer_serializer,
    &blog_CommentSerializer_serializer, &blog_TagSerializer_serializer,
    &blog_ContactMessage_serializer,
};
#define NSERIALIZERS (sizeof serializers / sizeof serializers[0])

static bool is_text(rf_ftype t)
{
    return t == RF_F_CHAR || t == RF_F_TEXT || t == RF_F_EMAIL || t == RF_F_URL ||
           t == RF_F_SLUG;
}

static bool is_choice(const rf_sfield *f, const char *text)
{
    if (f->limits.nchoices == 0)
        return true;
    for (int i = 0; i < f->limits.nchoices; i++)
        if (strcmp(f->limits.choices[i].value, text) == 0)
            return true;
    return false;
}

static void check_text(const rf_sfield *f, const char *s)
{
    size_t n = strlen(s);
    int64_t chars = (int64_t)rf_utf8_count(s, n);
    if (!rf_utf8_valid(s, n) || !is_choice(f, s) ||
        (f->limits.max_length >= 0 && chars > f->limits.max_length) ||
        (f->limits.min_length >= 0 && chars < f->limits.min_length))
        abort();
}

static void check_integer(const rf_sfield *f, int64_t v)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)v);
    if ((f->limits.min_value && v < strtoll(f->limits.min_value, NULL, 10)) ||
        (f->limits.max_value && v > strtoll(f->limits.max_value, NULL, 10)) ||
        !is_choice(f, text))
        abort();
}

static void check_float(const rf_sfield *f, double v)
{
    if ((f->limits.min_value && v < strtod(f->limits.min_value, NULL)) ||
        (f->limits.max_value && v > strtod(f->limits.max_value, NULL)))
        abort();
}

static void check_uuid(const char *s)
{
    char canonical[37];
    rf_arena *a = rf_arena_new(0);
    if (strlen(s) != 36 || !rf_parse_uuid(a, s, 36, canonical) || strcmp(canonical, s) != 0)
        abort();
    rf_arena_free(a);
}

static void check_decimal(const rf_sfield *f, const char *text)
{
    int total, whole, places;
    rf_decimal_digits(text, &total, &whole, &places);
    if ((f->limits.max_digits >= 0 && total > f->limits.max_digits) ||
        (f->limits.decimal_places >= 0 && places > f->limits.decimal_places) ||
        (f->limits.min_value && rf_decimal_cmp(text, f->limits.min_value) < 0) ||
        (f->limits.max_value && rf_decimal_cmp(text, f->limits.max_value) > 0))
        abort();
}

static void check_key(const rf_sfield *f, const void *rec)
{
    const rf_resource *target = rf_sfield_related(f);
    rf_ftype key = target ? rf_field_key_type(&target->fields[target->pk]) : RF_F_INTEGER;
    if (key == RF_F_UUID) {
        check_uuid(RF_MEMBER(rec, f->offset, const char *));
    } else if (is_text(key)) {
        const char *s = RF_MEMBER(rec, f->offset, const char *);
        if (!rf_utf8_valid(s, strlen(s)))
            abort();
    }
}

static void check_field(const rf_sfield *f, const void *rec)
{
    if (!RF_IS_SET(rec, f->index) || RF_IS_NULL(rec, f->index))
        return;
    if (is_text(f->type))
        check_text(f, RF_MEMBER(rec, f->offset, const char *));
    else if (f->type == RF_F_INTEGER || f->type == RF_F_BIGINTEGER)
        check_integer(f, RF_MEMBER(rec, f->offset, int64_t));
    else if (f->type == RF_F_DECIMAL)
        check_decimal(f, RF_MEMBER(rec, f->offset, const char *));
    else if (f->type == RF_F_FLOAT)
        check_float(f, RF_MEMBER(rec, f->offset, double));
    else if (f->type == RF_F_UUID)
        check_uuid(RF_MEMBER(rec, f->offset, const char *));
    else if (f->type == RF_F_FOREIGNKEY)
        check_key(f, rec);
}

static void check_validated(const rf_vstate *vs, const void *rec)
{
    const rf_serializer *s = vs->ser;
    for (int i = 0; i < s->nfields; i++) {
        const rf_sfield *f = &s->fields[i];
        if (f->flags & RF_SF_READ_ONLY)
            continue;
        if ((f->flags & RF_SF_REQUIRED) && vs->mode != RF_VM_PARTIAL &&
            vs->status[i] == RF_FS_SKIPPED)
            abort();
        if (vs->status[i] == RF_FS_CONVERTED)
            check_field(f, rec);
    }
}

/* A form body as the form parser presents it: an object of strings. */
static json_t *form_object(rf_arena *a, const char *body, size_t n)
{
    rf_kv *kv;
    int count = rf_parse_qs(a, body, n, &kv);
    json_t *obj = json_object();
    for (int i = 0; i < count; i++)
        json_object_set_new(obj, kv[i].name, json_string(kv[i].value));
    return obj;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const rf_serializer *s = serializers[data[0] % NSERIALIZERS];
    rf_vmode mode = (rf_vmode)(data[1] % 3);
    bool html = data[1] / 3 % 2;
    const char *body = (const char *)data + 2;
    size_t n = size - 2;
    rf_arena *a = rf_arena_new(0);
    const char *error;
    json_t *input = html ? form_object(a, body, n) : rf_json_parse(a, body, n, &error);
    if (input) {
        void *rec = rf_calloc(a, s->rec_size);
        rf_vstate *vs = rf_vstate_new(a, s, input, html, mode);
        if (rf_validate_sync(vs, rec) && rf_verrs_empty(vs->errs))
            check_validated(vs, rec);
        json_decref(input);
    }
    rf_arena_free(a);
    return 0;
}
