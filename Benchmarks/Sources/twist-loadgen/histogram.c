/* A log-linear latency histogram: exact below 128 ns, then 64 sub-buckets per power of two. */
#include "loadgen.h"

#include <stdlib.h>

enum { linear = 128, sub = 64, max_msb = 45 };

void histogram_init(struct histogram *h) {
    h->buckets = linear + (size_t)(max_msb - 6) * sub;
    h->counts = calloc(h->buckets, sizeof *h->counts);
    if (!h->counts) fail("calloc histogram");
    h->total = 0;
}

static size_t bucket_of(uint64_t v) {
    if (v < linear) return (size_t)v;
    int msb = 63 - __builtin_clzll(v);
    if (msb > max_msb) msb = max_msb, v = (1ULL << max_msb);
    int shift = msb - 6;
    return linear + (size_t)(msb - 7) * sub + (size_t)((v >> shift) - sub);
}

/* The middle of a bucket's range, as the value it stands for. */
static uint64_t value_of(size_t b) {
    if (b < linear) return b;
    size_t k = b - linear;
    int msb = (int)(k / sub) + 7;
    int shift = msb - 6;
    uint64_t low = ((uint64_t)(k % sub) + sub) << shift;
    return low + ((1ULL << shift) >> 1);
}

void histogram_record(struct histogram *h, uint64_t ns) {
    h->counts[bucket_of(ns)]++;
    h->total++;
}

uint64_t histogram_quantile(const struct histogram *h, double q) {
    if (h->total == 0) return 0;
    uint64_t rank = (uint64_t)(q * (double)h->total);
    if (rank >= h->total) rank = h->total - 1;
    uint64_t seen = 0;
    for (size_t b = 0; b < h->buckets; b++) {
        seen += h->counts[b];
        if (seen > rank) return value_of(b);
    }
    return value_of(h->buckets - 1);
}
