/*
 * Philox4x32-10 (Random123) and a sequential stream on top of it. Only what pargnn needs:
 * the round function, the key schedule and a buffered stream for generators.
 */
#include "core/rng.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

pg_philox_out pg_philox(uint64_t key, uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3) {
    uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    pg_philox_out o = {{c0, c1, c2, c3}};
    return o;
}

void pg_rng_stream_init(pg_rng_stream *s, uint64_t seed, uint32_t stream, uint32_t hi) {
    s->seed = seed;
    s->stream = stream;
    s->hi = hi;
    s->counter_lo = s->counter_hi = 0;
    s->left = 0;
}

uint32_t pg_rng_stream_u32(pg_rng_stream *s) {
    if (s->left == 0) {
        s->buf = pg_philox(s->seed, s->counter_lo, s->counter_hi, s->hi, s->stream << 24);
        if (++s->counter_lo == 0) s->counter_hi++;
        s->left = 4;
    }
    return s->buf.v[--s->left];
}

uint64_t pg_rng_stream_u64(pg_rng_stream *s) {
    uint64_t hi = pg_rng_stream_u32(s);
    return (hi << 32) | pg_rng_stream_u32(s);
}

double pg_rng_stream_unit(pg_rng_stream *s) {
    return (double)(pg_rng_stream_u64(s) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t pg_rng_stream_below(pg_rng_stream *s, uint64_t n) {
    /* Rejection on the top range keeps every value equally likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = pg_rng_stream_u64(s);
    while (x >= limit);
    return x % n;
}
