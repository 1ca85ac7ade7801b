/*
 * Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11). A value is a pure
 * function of (seed, stream, a, b, c): no sequential state, so any process can draw the
 * number for (epoch, layer, global node, feature) and get the same one as a single-process
 * run. Used for dropout masks, weight initialisation and generators.
 */
#ifndef PG_RNG_H
#define PG_RNG_H

#include <stdint.h>

typedef struct pg_philox_out { uint32_t v[4]; } pg_philox_out;

/* Four 32-bit outputs for the 128-bit counter (c0, c1, c2, c3) under the 64-bit key. */
pg_philox_out pg_philox(uint64_t key, uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3);

/* Streams keep different uses of the same seed apart (third counter word's top bits). */
enum {
    PG_RNG_DROPOUT = 1,
    PG_RNG_INIT = 2,
    PG_RNG_GENERATE = 3,
    PG_RNG_ATTENTION = 4,
};

/* A 32-bit draw for item (row, col) of stream/epoch/layer; 4 consecutive cols share one
 * Philox call, which callers may exploit. */
static inline uint32_t pg_rng_u32(uint64_t seed, uint32_t stream, uint32_t epoch,
                                  uint32_t layer, uint32_t row, uint32_t col) {
    pg_philox_out o = pg_philox(seed, row, col >> 2, epoch, (stream << 24) ^ layer);
    return o.v[col & 3];
}

/* Uniform in [0, 1) with 24 bits (exactly representable in float). */
static inline double pg_u32_to_unit(uint32_t u) { return (double)(u >> 8) * (1.0 / 16777216.0); }

/* A simple sequential generator seeded from a counter-based draw, for generators. */
typedef struct pg_rng_stream {
    uint64_t seed;
    uint32_t stream, hi;
    uint32_t counter_lo, counter_hi;
    pg_philox_out buf;
    int left;
} pg_rng_stream;

void pg_rng_stream_init(pg_rng_stream *s, uint64_t seed, uint32_t stream, uint32_t hi);
uint32_t pg_rng_stream_u32(pg_rng_stream *s);
uint64_t pg_rng_stream_u64(pg_rng_stream *s);
/* Uniform double in [0, 1) with 53 bits. */
double pg_rng_stream_unit(pg_rng_stream *s);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t pg_rng_stream_below(pg_rng_stream *s, uint64_t n);

#endif
