/*
 * source.c: loading a spec into one buffer, and the line-start table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "source.h"

static void build_line_table(source *s, rf_arena *a)
{
    uint32_t n = 1;
    for (uint32_t i = 0; i < s->len; i++)
        n += s->text[i] == '\n';
    uint32_t *starts = rf_alloc(a, n * sizeof *starts);
    uint32_t k = 0;
    starts[k++] = 0;
    for (uint32_t i = 0; i < s->len; i++)
        if (s->text[i] == '\n')
            starts[k++] = i + 1;
    s->line_starts = starts;
    s->nlines = n;
}

bool source_init(source *s, rf_arena *a, const char *name, const char *bytes, size_t len)
{
    bool fits = len <= SOURCE_MAX_BYTES;
    if (!fits)
        len = 0;
    char *text = rf_alloc(a, len + 1);
    if (len)
        memcpy(text, bytes, len);
    text[len] = '\0';
    s->name = rf_strdup(a, name);
    s->text = text;
    s->len = (uint32_t)len;
    build_line_table(s, a);
    return fits;
}

/* Read at most SOURCE_MAX_BYTES + 1 bytes, so a huge file (or an endless
 * pipe) costs no more than the limit. */
static int read_bounded(int fd, rf_buf *out)
{
    for (;;) {
        rf_buf_reserve(out, 65536);
        size_t room = out->cap - out->len - 1;
        ssize_t n = read(fd, out->data + out->len, room);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (n == 0)
            return 0;
        out->len += (size_t)n;
        if (out->len > SOURCE_MAX_BYTES)
            return EFBIG;
    }
}

int source_load(source *s, rf_arena *a, const char *path)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    rf_buf buf;
    rf_buf_init(&buf, NULL, 65536);
    int err = read_bounded(fd, &buf);
    if (!is_stdin)
        close(fd);
    const char *name = is_stdin ? "<stdin>" : path;
    source_init(s, a, name, buf.data, err ? 0 : buf.len);
    rf_buf_release(&buf);
    return err;
}

source_pos source_locate(const source *s, uint32_t off)
{
    if (off > s->len)
        off = s->len;
    uint32_t lo = 0, hi = s->nlines;   /* the answer is in [lo, hi) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return (source_pos){ lo + 1, off - s->line_starts[lo] + 1 };
}

const char *source_line(const source *s, uint32_t line, uint32_t *len)
{
    if (line < 1 || line > s->nlines) {
        *len = 0;
        return s->text + s->len;
    }
    uint32_t start = s->line_starts[line - 1];
    uint32_t end = line < s->nlines ? s->line_starts[line] - 1 : s->len;
    if (end > start && s->text[end - 1] == '\r' && end < s->len)
        end--;
    *len = end - start;
    return s->text + start;
}
