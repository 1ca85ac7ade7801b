/*
 * Sixteen Philox4x32-10 draws at once for the dropout kernels: AVX-512 when available,
 * else the scalar pg_philox per lane. Bit-identical to pg_philox (tests compare them);
 * dropout masks are the largest cost of a small-graph step without it.
 */
#include "core/rng.h"
#include "ops/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* hi and lo 32 bits of a * m in every 32-bit lane */
static inline __attribute__((always_inline, target("avx512f"))) void
mulhilo16(__m512i a, __m512i m, __m512i *hi, __m512i *lo) {
    const __m512i pe = _mm512_mul_epu32(a, m);                        /* even lanes, 64-bit */
    const __m512i po = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m); /* odd lanes */
    *lo = _mm512_mullo_epi32(a, m);
    *hi = _mm512_mask_blend_epi32((__mmask16)0xAAAA, _mm512_srli_epi64(pe, 32), po);
}

__attribute__((target("avx512f"))) static void philox16_avx512(uint64_t key, uint32_t c0,
                                                               const uint32_t *c1, uint32_t c2,
                                                               uint32_t c3, uint32_t out[4][16]) {
    __m512i x0 = _mm512_set1_epi32((int)c0), x1 = _mm512_loadu_si512(c1);
    __m512i x2 = _mm512_set1_epi32((int)c2), x3 = _mm512_set1_epi32((int)c3);
    const __m512i m0 = _mm512_set1_epi32((int)0xD2511F53u), m1 = _mm512_set1_epi32((int)0xCD9E8D57u);
    uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
    for (int r = 0; r < 10; r++) {
        __m512i h0, l0, h1, l1;
        mulhilo16(x0, m0, &h0, &l0);
        mulhilo16(x2, m1, &h1, &l1);
        const __m512i n0 = _mm512_xor_si512(_mm512_xor_si512(h1, x1), _mm512_set1_epi32((int)k0));
        const __m512i n2 = _mm512_xor_si512(_mm512_xor_si512(h0, x3), _mm512_set1_epi32((int)k1));
        x1 = l1;
        x3 = l0;
        x0 = n0;
        x2 = n2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    _mm512_storeu_si512(out[0], x0);
    _mm512_storeu_si512(out[1], x1);
    _mm512_storeu_si512(out[2], x2);
    _mm512_storeu_si512(out[3], x3);
}
#define PG_HAVE_PHILOX16 1

#ifndef PARGNN_REAL_DOUBLE
/* y: (f) = x * (draw >= thr) * scale for one row, entirely in registers: the 64 draws of a
 * block come out as 4 words x 16 lanes; a 4x4 transpose of 32-bit words, then of 128-bit
 * blocks, puts them in column order (column j = word j % 4 of lane j / 4). */
__attribute__((target("avx512f"))) static void dropout_row_avx512(uint64_t key, uint32_t row,
                                                                  uint32_t c2, uint32_t c3,
                                                                  uint32_t thr, float scale,
                                                                  const float *x, float *y,
                                                                  int64_t f) {
    const __m512i vthr = _mm512_set1_epi32((int)thr);
    const __m512 vs = _mm512_set1_ps(scale);
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (int64_t j0 = 0; j0 < f; j0 += 64) {
        uint32_t c1[16], o[4][16];
        _mm512_storeu_si512(c1, _mm512_add_epi32(_mm512_set1_epi32((int)(j0 >> 2)), lanes));
        philox16_avx512(key, row, c1, c2, c3, o);
        const __m512i o0 = _mm512_loadu_si512(o[0]), o1 = _mm512_loadu_si512(o[1]);
        const __m512i o2 = _mm512_loadu_si512(o[2]), o3 = _mm512_loadu_si512(o[3]);
        const __m512i t0 = _mm512_unpacklo_epi32(o0, o1), t1 = _mm512_unpacklo_epi32(o2, o3);
        const __m512i t2 = _mm512_unpackhi_epi32(o0, o1), t3 = _mm512_unpackhi_epi32(o2, o3);
        const __m512i r0 = _mm512_unpacklo_epi64(t0, t1), r1 = _mm512_unpackhi_epi64(t0, t1);
        const __m512i r2 = _mm512_unpacklo_epi64(t2, t3), r3 = _mm512_unpackhi_epi64(t2, t3);
        const __m512i s0 = _mm512_shuffle_i32x4(r0, r1, 0x44), s1 = _mm512_shuffle_i32x4(r2, r3, 0x44);
        const __m512i s2 = _mm512_shuffle_i32x4(r0, r1, 0xEE), s3 = _mm512_shuffle_i32x4(r2, r3, 0xEE);
        __m512i v[4];
        v[0] = _mm512_shuffle_i32x4(s0, s1, 0x88);
        v[1] = _mm512_shuffle_i32x4(s0, s1, 0xDD);
        v[2] = _mm512_shuffle_i32x4(s2, s3, 0x88);
        v[3] = _mm512_shuffle_i32x4(s2, s3, 0xDD);
        for (int q = 0; q < 4; q++) {
            const int64_t rem = f - j0 - 16 * q;
            if (rem <= 0) break;
            const __mmask16 m = rem >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rem) - 1);
            const __mmask16 keep = _mm512_cmpge_epu32_mask(v[q], vthr);
            const __m512 xv = _mm512_maskz_loadu_ps(m, x + j0 + 16 * q);
            _mm512_mask_storeu_ps(y + j0 + 16 * q, m, _mm512_maskz_mul_ps(keep, xv, vs));
        }
    }
}
#endif
#endif

int pg_dropout_row_simd(uint64_t key, uint32_t row, uint32_t c2, uint32_t c3, uint32_t thr,
                        pg_real scale, const pg_real *x, pg_real *y, int64_t f) {
#if defined(PG_HAVE_PHILOX16) && !defined(PARGNN_REAL_DOUBLE)
    if (pg_kernel_isa() == PG_ISA_AVX512) {
        dropout_row_avx512(key, row, c2, c3, thr, scale, x, y, f);
        return 1;
    }
#endif
    (void)key, (void)row, (void)c2, (void)c3, (void)thr, (void)scale, (void)x, (void)y, (void)f;
    return 0;
}

void pg_philox16(uint64_t key, uint32_t c0, const uint32_t *c1, uint32_t c2, uint32_t c3,
                 uint32_t out[4][16]) {
#ifdef PG_HAVE_PHILOX16
    if (pg_kernel_isa() == PG_ISA_AVX512) {
        philox16_avx512(key, c0, c1, c2, c3, out);
        return;
    }
#endif
    for (int l = 0; l < 16; l++) {
        pg_philox_out o = pg_philox(key, c0, c1[l], c2, c3);
        for (int k = 0; k < 4; k++) out[k][l] = o.v[k];
    }
}
