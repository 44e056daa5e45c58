/* The messages the load generator sends and the byte-for-byte check of what comes back. */
#include "loadgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void frames_init(struct frames *f, int netstring, size_t size) {
    char header[32];
    f->netstring = netstring;
    f->size = size;
    f->header_len = netstring ? (size_t)snprintf(header, sizeof header, "%zu:", size) : 0;
    f->frame_len = f->header_len + size + (netstring ? 1 : 0);
    f->template = malloc(f->frame_len);
    if (!f->template) fail("malloc frame template");
    memcpy(f->template, header, f->header_len);
    for (size_t i = 0; i < size; i++) f->template[f->header_len + i] = (uint8_t)('a' + (i * 7 + 3) % 26);
    if (netstring) f->template[f->frame_len - 1] = ',';
    f->tag_off = f->header_len;
    f->tag_len = size < 12 ? size : 12;
    memset(f->template + f->tag_off, 0, f->tag_len);
}

/* The tag bytes of frame (id, seq): 4 bytes of id then 8 of sequence, little-endian, truncated. */
static void make_tag(uint8_t tag[12], uint32_t id, uint64_t seq) {
    for (int i = 0; i < 4; i++) tag[i] = (uint8_t)(id >> (8 * i));
    for (int i = 0; i < 8; i++) tag[4 + i] = (uint8_t)(seq >> (8 * i));
}

void frames_write(const struct frames *f, uint8_t *out, uint32_t id, uint64_t seq) {
    uint8_t tag[12];
    memcpy(out, f->template, f->frame_len);
    make_tag(tag, id, seq);
    memcpy(out + f->tag_off, tag, f->tag_len);
}

int frames_check(const struct frames *f, const uint8_t *data, size_t n, size_t off, uint32_t id, uint64_t seq) {
    size_t tag_end = f->tag_off + f->tag_len;
    size_t end = off + n;
    /* Everything outside the tag must equal the template. */
    if (off < f->tag_off) {
        size_t m = (end < f->tag_off ? end : f->tag_off) - off;
        if (memcmp(data, f->template + off, m) != 0) return -1;
    }
    if (end > tag_end) {
        size_t from = off > tag_end ? off : tag_end;
        if (memcmp(data + (from - off), f->template + from, end - from) != 0) return -1;
    }
    /* The tag bytes this slice covers must be this frame's. */
    if (off < tag_end && end > f->tag_off) {
        uint8_t tag[12];
        make_tag(tag, id, seq);
        size_t from = off > f->tag_off ? off : f->tag_off;
        size_t to = end < tag_end ? end : tag_end;
        if (memcmp(data + (from - off), tag + (from - f->tag_off), to - from) != 0) return -1;
    }
    return 0;
}
