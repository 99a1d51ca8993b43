/*
 * The CPU engine's compute kernels: dense products, the fused block (layer norm → leaky ReLU →
 * dropout → noise → skip) forward and backward, Philox draws, a gather and Adam.
 *
 * One source, two targets (src/gan/engines/cpu/README.md):
 *   - WebAssembly SIMD (128-bit), built by scripts/build-kernels.mjs with clang and committed as
 *     kernels-wasm.ts, so every machine with Node.js runs it;
 *   - a native Node addon (napi.c + this file), built at `npm install` by scripts/build-native.mjs
 *     when a C compiler and Node's headers exist: 256-bit AVX2 + FMA on x86-64 CPUs that have them,
 *     128-bit SSE/NEON otherwise.
 * The kernels use GCC/Clang vector extensions with a vector width chosen at compile time (NK_VB
 * bytes), so the same loops become v128 or ymm code. All pointers point into one shared arena (the
 * engine's WebAssembly.Memory): nothing here allocates, and nothing uses the C stack, so several
 * threads can run instances of the WebAssembly module on one shared memory.
 *
 * Conventions: row-major float32; `n` rows; a dense layer's kernel W is [k + 1, m] in Keras order,
 * its last row multiplying the condition E'_nu (the column every block's input gets appended), so
 * activations never hold that column. A null pointer means "absent" (no bias, no condition, frozen).
 */
#include <stddef.h>
#include <stdint.h>

#ifndef NK_VB
#define NK_VB 16
#endif
#define VW (NK_VB / 4)
typedef float vf __attribute__((vector_size(NK_VB)));
typedef float vfu __attribute__((vector_size(NK_VB), aligned(4)));

#ifdef __wasm__
#define NK_API(name) __attribute__((export_name(#name))) name
#else
#ifndef NK_PREFIX
#define NK_PREFIX nk_base_
#endif
#define NK_CAT2(a, b) a##b
#define NK_CAT(a, b) NK_CAT2(a, b)
#define NK_API(name) NK_CAT(NK_PREFIX, name)
#endif

static inline vf ld(const float *p) { return *(const vfu *)p; }
static inline void st(float *p, vf v) { *(vfu *)p = v; }
static inline vf splat(float s) {
  vf v = {0};
  return v + s;
}
typedef int32_t vi __attribute__((vector_size(NK_VB)));
/* Lanes of a where mask is set, else lanes of b (mask lanes are all ones or all zeros). */
static inline vf blend(vi mask, vf a, vf b) { return (vf)(((vi)a & mask) | ((vi)b & ~mask)); }
static inline float hsum(vf v) {
  float s = 0.0f;
  for (int l = 0; l < VW; l++) s += v[l];
  return s;
}

/* Register blocking of the dense products: MR rows × NV vectors of accumulators (8 or 16 floats
 * wide), 8 accumulators in all, which leaves room in 16 vector registers for the operands. */
#define MR 4
#define NV 2
#define NR (NV * VW)

/* ------------------------------------------------------------------------------- dense layers */

/*
 * y[i, j] = b[j] + cond[i] · W[k, j] + Σ_{p<k} x[i, p] · W[p, j]        (i < n, j < m)
 * x has row stride ldx, y row stride ldy. b, cond may be null.
 */
void NK_API(dense_fwd)(const float *x, int ldx, int n, int k, const float *cond, const float *W, const float *b, int m, float *y, int ldy) {
  const float *Wc = W + (size_t)k * m;
  const int mv = m - m % NR;
  for (int j = 0; j < mv; j += NR) {
    vf base[NV], wc[NV];
    for (int v = 0; v < NV; v++) {
      base[v] = b ? ld(b + j + v * VW) : splat(0);
      wc[v] = cond ? ld(Wc + j + v * VW) : splat(0);
    }
    int i = 0;
    for (; i + MR <= n; i += MR) {
      vf acc[MR][NV];
      for (int r = 0; r < MR; r++) {
        const vf c = splat(cond ? cond[i + r] : 0.0f);
        for (int v = 0; v < NV; v++) acc[r][v] = base[v] + c * wc[v];
      }
      const float *xr = x + (size_t)i * ldx;
      for (int p = 0; p < k; p++) {
        vf w[NV];
        for (int v = 0; v < NV; v++) w[v] = ld(W + (size_t)p * m + j + v * VW);
        for (int r = 0; r < MR; r++) {
          const vf xv = splat(xr[(size_t)r * ldx + p]);
          for (int v = 0; v < NV; v++) acc[r][v] += xv * w[v];
        }
      }
      for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) st(y + (size_t)(i + r) * ldy + j + v * VW, acc[r][v]);
    }
    for (; i < n; i++) {
      vf acc[NV];
      const vf c = splat(cond ? cond[i] : 0.0f);
      for (int v = 0; v < NV; v++) acc[v] = base[v] + c * wc[v];
      const float *xr = x + (size_t)i * ldx;
      for (int p = 0; p < k; p++) {
        const vf xv = splat(xr[p]);
        for (int v = 0; v < NV; v++) acc[v] += xv * ld(W + (size_t)p * m + j + v * VW);
      }
      for (int v = 0; v < NV; v++) st(y + (size_t)i * ldy + j + v * VW, acc[v]);
    }
  }
  /* Columns left over (m % NR, and the 1- or 2-wide output layers): dot products. */
  for (int j = mv; j < m; j++) {
    for (int i = 0; i < n; i++) {
      float s = (b ? b[j] : 0.0f) + (cond ? cond[i] * Wc[j] : 0.0f);
      const float *xr = x + (size_t)i * ldx;
      for (int p = 0; p < k; p++) s += xr[p] * W[(size_t)p * m + j];
      y[(size_t)i * ldy + j] = s;
    }
  }
}

/*
 * Accumulates the parameter gradients of a dense layer:
 *   gW[p, j] += Σ_i x[i, p] · dy[i, j]   (p < k),   gW[k, j] += Σ_i cond[i] · dy[i, j],
 *   gb[j]    += Σ_i dy[i, j].
 * dy has row stride ldy. cond may be null (then row k is left alone).
 */
void NK_API(dense_grad_w)(const float *x, int ldx, int n, int k, const float *cond, const float *dy, int ldy, int m, float *gW, float *gb) {
  const int mv = m - m % NR;
  for (int j = 0; j < mv; j += NR) {
    int p = 0;
    for (; p + MR <= k; p += MR) {
      vf acc[MR][NV];
      for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = ld(gW + (size_t)(p + r) * m + j + v * VW);
      for (int i = 0; i < n; i++) {
        vf d[NV];
        for (int v = 0; v < NV; v++) d[v] = ld(dy + (size_t)i * ldy + j + v * VW);
        const float *xr = x + (size_t)i * ldx + p;
        for (int r = 0; r < MR; r++) {
          const vf xv = splat(xr[r]);
          for (int v = 0; v < NV; v++) acc[r][v] += xv * d[v];
        }
      }
      for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) st(gW + (size_t)(p + r) * m + j + v * VW, acc[r][v]);
    }
    for (; p < k; p++) {
      vf acc[NV];
      for (int v = 0; v < NV; v++) acc[v] = ld(gW + (size_t)p * m + j + v * VW);
      for (int i = 0; i < n; i++) {
        const vf xv = splat(x[(size_t)i * ldx + p]);
        for (int v = 0; v < NV; v++) acc[v] += xv * ld(dy + (size_t)i * ldy + j + v * VW);
      }
      for (int v = 0; v < NV; v++) st(gW + (size_t)p * m + j + v * VW, acc[v]);
    }
    vf ac[NV], ab[NV];
    for (int v = 0; v < NV; v++) {
      ac[v] = cond ? ld(gW + (size_t)k * m + j + v * VW) : splat(0);
      ab[v] = ld(gb + j + v * VW);
    }
    for (int i = 0; i < n; i++) {
      const vf c = splat(cond ? cond[i] : 0.0f);
      for (int v = 0; v < NV; v++) {
        const vf d = ld(dy + (size_t)i * ldy + j + v * VW);
        ac[v] += c * d;
        ab[v] += d;
      }
    }
    for (int v = 0; v < NV; v++) {
      if (cond) st(gW + (size_t)k * m + j + v * VW, ac[v]);
      st(gb + j + v * VW, ab[v]);
    }
  }
  for (int j = mv; j < m; j++) {
    for (int p = 0; p < k; p++) {
      float s = gW[(size_t)p * m + j];
      for (int i = 0; i < n; i++) s += x[(size_t)i * ldx + p] * dy[(size_t)i * ldy + j];
      gW[(size_t)p * m + j] = s;
    }
    float sc = 0.0f, sb = 0.0f;
    for (int i = 0; i < n; i++) {
      const float d = dy[(size_t)i * ldy + j];
      if (cond) sc += cond[i] * d;
      sb += d;
    }
    if (cond) gW[(size_t)k * m + j] += sc;
    gb[j] += sb;
  }
}

/* Wt[c, r] = W[r, c] for r < rows, c < cols: the first `rows` rows of a kernel, transposed, so the
 * input gradient dx = dy · W[:k]ᵀ is one more dense_fwd (dense_fwd(dy, m, n, m, 0, Wt, 0, k, dx)). */
void NK_API(transpose)(const float *W, int rows, int cols, float *Wt) {
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) Wt[(size_t)c * rows + r] = W[(size_t)r * cols + c];
}

/* ------------------------------------------------------------------------------------ draws */

/* Philox4x32-10 (Salmon et al., SC'11), as src/gan/draws.ts defines it. */
static inline void philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, uint32_t out[4]) {
  for (int round = 0; round < 10; round++) {
    const uint64_t p0 = (uint64_t)0xD2511F53u * c0;
    const uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
    const uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
    const uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c0 = n0;
    c1 = (uint32_t)p1;
    c2 = n2;
    c3 = (uint32_t)p0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/* Philox for the VW consecutive counters c0 … c0 + VW − 1 (same other words and key) at once, one
 * per vector lane: x[w][l] is word w of block c0 + l. The 32×32 → 64-bit products are made as two
 * half-width vector multiplies (even and odd lanes, zero-extended, which compilers turn into
 * pmuludq / i64x2.mul), so the whole generator runs in vector registers. */
typedef uint32_t vu __attribute__((vector_size(NK_VB)));
typedef uint64_t vq __attribute__((vector_size(NK_VB)));
static inline void mulhilo(vu a, uint32_t m, vu *hi, vu *lo) {
  const vq lo32 = (vq)(vu){0} + 0xffffffffull;
  const vq even = ((vq)a & lo32) * (uint64_t)m; /* lanes 0, 2, …: [lo, hi] pairs */
  const vq odd = ((vq)a >> 32) * (uint64_t)m;    /* lanes 1, 3, … */
  *lo = (vu)(even & lo32) | (vu)(odd << 32);
  *hi = (vu)(even >> 32) | (vu)(odd & ~lo32);
}
static inline void philox_lanes(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, vu x[4]) {
  vu x0, x1 = (vu){0} + c1, x2 = (vu){0} + c2, x3;
  for (int l = 0; l < VW; l++) {
    x0[l] = c0 + (uint32_t)l;
    x3[l] = c3 + (c0 + (uint32_t)l < c0 ? 1u : 0u); /* carry into the counter's high word */
  }
  for (int round = 0; round < 10; round++) {
    vu hi0, lo0, hi1, lo1;
    mulhilo(x0, 0xD2511F53u, &hi0, &lo0);
    mulhilo(x2, 0xCD9E8D57u, &hi1, &lo1);
    x0 = hi1 ^ x1 ^ k0;
    x1 = lo1;
    x2 = hi0 ^ x3 ^ k1;
    x3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  x[0] = x0;
  x[1] = x1;
  x[2] = x2;
  x[3] = x3;
}

/* Where a stream's draws come from: key (k0, k1), counter words 1 and 2 (step, stream), and the
 * element index of row 0 of this call (rows are consecutive elements of `width` each). */
typedef struct {
  uint32_t k0, k1, step, stream;
  uint32_t row0_lo, row0_hi;
} draw_params;

static inline void draw_block(const draw_params *d, uint64_t element, uint32_t out[4]) {
  const uint64_t block = element >> 2;
  philox((uint32_t)block, d->step, d->stream, (uint32_t)(block >> 32), d->k0, d->k1, out);
}

/* ln(x) for x in (0, 1], double precision to ~1e-15: x = 2^e · f with f in [√½, √2), then
 * ln f = 2 atanh(s), s = (f − 1)/(f + 1), |s| ≤ 0.172, by its series to s^19. (No libm in WebAssembly.) */
static double ln_unit(double x) {
  union { double d; uint64_t u; } v = {x};
  int e = (int)((v.u >> 52) & 0x7ff) - 1023;
  v.u = (v.u & 0x000fffffffffffffull) | 0x3ff0000000000000ull; /* f in [1, 2) */
  double f = v.d;
  if (f > 1.4142135623730951) {
    f *= 0.5;
    e += 1;
  }
  const double s = (f - 1.0) / (f + 1.0), s2 = s * s;
  double t = 1.0 / 19;
  for (int q = 17; q >= 1; q -= 2) t = t * s2 + 1.0 / q;
  return 2.0 * s * t + e * 0.6931471805599453;
}

/* sin and cos of 2π·u for u in [0, 1), double precision: quadrant reduction, then Taylor series
 * on [−π/4, π/4]. */
static void sincos_turns(double u, double *sn, double *cs) {
  const double q = __builtin_floor(4.0 * u + 0.5); /* nearest quarter turn, 0…4 */
  const double x = (u - 0.25 * q) * 6.283185307179586;
  const double x2 = x * x;
  double s = 1.0 / 6227020800.0; /* sin x = x (1 − x²/3! + x⁴/5! − … + x¹²/13!) */
  s = s * x2 - 1.0 / 39916800.0;
  s = s * x2 + 1.0 / 362880.0;
  s = s * x2 - 1.0 / 5040.0;
  s = s * x2 + 1.0 / 120.0;
  s = s * x2 - 1.0 / 6.0;
  s = (s * x2 + 1.0) * x;
  double c = -1.0 / 87178291200.0; /* cos x = 1 − x²/2! + x⁴/4! − … − x¹⁴/14! */
  c = c * x2 + 1.0 / 479001600.0;
  c = c * x2 - 1.0 / 3628800.0;
  c = c * x2 + 1.0 / 40320.0;
  c = c * x2 - 1.0 / 720.0;
  c = c * x2 + 1.0 / 24.0;
  c = c * x2 - 0.5;
  c = c * x2 + 1.0;
  switch ((int)q & 3) {
    case 0: *sn = s; *cs = c; break;
    case 1: *sn = c; *cs = -s; break;
    case 2: *sn = -s; *cs = -c; break;
    default: *sn = -c; *cs = s; break;
  }
}

/* The standard normal of `element` (Box–Muller on the word pair it belongs to; draws.ts). */
static inline float normal_of(const draw_params *d, uint64_t element) {
  uint32_t w[4];
  draw_block(d, element, w);
  const int pair = (int)(element & 2);
  const double u1 = ((w[pair] >> 8) + 1) * (1.0 / 16777216.0);
  const double u2 = (w[pair + 1] >> 8) * (1.0 / 16777216.0);
  const double r = __builtin_sqrt(-2.0 * ln_unit(u1));
  double sn, cs;
  sincos_turns(u2, &sn, &cs);
  return (float)(r * ((element & 1) ? sn : cs));
}

static inline uint64_t row0(const draw_params *d) { return ((uint64_t)d->row0_hi << 32) | d->row0_lo; }

/* out[i, j] = N(0, 1) draw of element (row0 + i) · dim + j. */
void NK_API(normals)(float *out, int n, int dim, const draw_params *d) {
  const uint64_t first = row0(d) * (uint64_t)dim;
  for (int i = 0; i < n * dim; i++) out[i] = normal_of(d, first + (uint64_t)i);
}

/* ------------------------------------------------------------------------------ the block */

#define LN_EPS 1e-3f

/* The 16-bit draw of dropout unit e (draws.ts): group g = e / 64, u = e % 64, half u / 32 of word
 * (u / 8) % 4 of Philox block 8g + u % 8. */
static inline uint32_t dropout_draw(const draw_params *d, uint64_t e) {
  const uint64_t g = e >> 6;
  const unsigned u = (unsigned)(e & 63);
  uint32_t w[4];
  draw_block(d, 4 * (8 * g + (u & 7)), w);
  return u >= 32 ? w[(u >> 3) & 3] >> 16 : w[(u >> 3) & 3] & 0xffffu;
}

/* Dropout scales of units e0 … e0 + m − 1 into mk: keep ⇔ 16-bit draw ≥ threshold (draws.ts). */
static void dropout_row(const draw_params *d, uint64_t e0, int m, uint32_t threshold, float scale, float *restrict mk) {
  int j = 0;
  if ((e0 & 63) == 0) {
    /* A group of 64 units: blocks 8g … 8g + 7 in 8 / VW vectors; lane l of word w, half h is unit
     * 8·(w + 4h) + l (+ VW for the second vector of a 4-lane build): consecutive units per vector. */
    const vi thr = (vi){0} + (int32_t)threshold;
    const vf keep = splat(scale), drop = splat(0.0f);
    for (; j + 64 <= m; j += 64) {
      const uint64_t block = ((e0 + (uint64_t)j) >> 6) * 8;
      for (int part = 0; part < 8; part += VW) {
        vu x[4];
        const uint64_t b = block + (uint64_t)part;
        philox_lanes((uint32_t)b, d->step, d->stream, (uint32_t)(b >> 32), d->k0, d->k1, x);
        for (int w = 0; w < 4; w++) {
          st(mk + j + 8 * w + part, blend((vi)(x[w] & 0xffffu) >= thr, keep, drop));
          st(mk + j + 8 * (w + 4) + part, blend((vi)(x[w] >> 16) >= thr, keep, drop));
        }
      }
    }
  }
  for (; j < m; j++) mk[j] = dropout_draw(d, e0 + (uint64_t)j) >= threshold ? scale : 0.0f;
}

/*
 * The rest of a block after its dense product, for n rows of m units: reads pre[n, m], writes h
 * (row stride ldh):
 *   a = γ ⊙ (pre − μ)/σ + β  (layer norm; a = pre when gamma is null),
 *   y = a > 0 ? a : leak · a,
 *   y ·= mask, mask = keep ? 1/(1−p) : 0 with keep ⇔ 16-bit draw ≥ keep_threshold (dropout; none when
 *        drop is null),
 *   y += noise · N(0, 1) (none when noise is null),
 *   h = y + skip (none when skip is null; row stride ldskip).
 * For the backward pass it keeps x̂ (or pre), 1/σ per row and the mask (when those are non-null).
 */
void NK_API(block_fwd)(const float *restrict pre, int n, int m, const float *restrict gamma, const float *restrict beta, float leak,
                       const draw_params *drop, uint32_t keep_threshold, float keep_scale,
                       const draw_params *noise, float noise_std,
                       const float *restrict skip, int ldskip, float *restrict xhat, float *restrict rstd, float *restrict mask, float *restrict h, int ldh) {
  const int mv = m - m % VW;
  const vf zero = splat(0.0f), vleak = splat(leak);
  for (int i = 0; i < n; i++) {
    const float *x = pre + (size_t)i * m;
    float *xh = xhat ? xhat + (size_t)i * m : 0;
    float *hr = h + (size_t)i * ldh;
    if (gamma) {
      vf acc = zero;
      float mu = 0.0f;
      for (int j = 0; j < mv; j += VW) acc += ld(x + j);
      mu = hsum(acc);
      for (int j = mv; j < m; j++) mu += x[j];
      mu /= (float)m;
      const vf vmu = splat(mu);
      acc = zero;
      float var = 0.0f;
      for (int j = 0; j < mv; j += VW) {
        const vf t = ld(x + j) - vmu;
        acc += t * t;
      }
      var = hsum(acc);
      for (int j = mv; j < m; j++) var += (x[j] - mu) * (x[j] - mu);
      const float r = 1.0f / __builtin_sqrtf(var / (float)m + LN_EPS);
      if (rstd) rstd[i] = r;
      const vf vr = splat(r);
      for (int j = 0; j < mv; j += VW) {
        const vf t = (ld(x + j) - vmu) * vr;
        if (xh) st(xh + j, t);
        const vf a = ld(gamma + j) * t + ld(beta + j);
        st(hr + j, blend(a > zero, a, vleak * a));
      }
      for (int j = mv; j < m; j++) {
        const float t = (x[j] - mu) * r;
        if (xh) xh[j] = t;
        const float a = gamma[j] * t + beta[j];
        hr[j] = a > 0.0f ? a : leak * a;
      }
    } else {
      for (int j = 0; j < mv; j += VW) {
        const vf a = ld(x + j);
        if (xh) st(xh + j, a);
        st(hr + j, blend(a > zero, a, vleak * a));
      }
      for (int j = mv; j < m; j++) {
        const float a = x[j];
        if (xh) xh[j] = a;
        hr[j] = a > 0.0f ? a : leak * a;
      }
    }
    if (drop) {
      float *mk = mask + (size_t)i * m;
      dropout_row(drop, (row0(drop) + (uint64_t)i) * (uint64_t)m, m, keep_threshold, keep_scale, mk);
      for (int j = 0; j < mv; j += VW) st(hr + j, ld(hr + j) * ld(mk + j));
      for (int j = mv; j < m; j++) hr[j] *= mk[j];
    }
    if (noise) {
      const uint64_t e0 = (row0(noise) + (uint64_t)i) * (uint64_t)m;
      for (int j = 0; j < m; j++) hr[j] += noise_std * normal_of(noise, e0 + (uint64_t)j);
    }
    if (skip) {
      const float *sk = skip + (size_t)i * ldskip;
      for (int j = 0; j < mv; j += VW) st(hr + j, ld(hr + j) + ld(sk + j));
      for (int j = mv; j < m; j++) hr[j] += sk[j];
    }
  }
}

/*
 * Backward of block_fwd from dh[n, m] (row stride ldh) to dpre[n, m]; accumulates dgamma, dbeta
 * (skipped when null: frozen). The skip connection's share of the gradient is the caller's (it is
 * dh itself). x̂, rstd and mask as block_fwd kept them; mask null means no dropout.
 */
void NK_API(block_bwd)(const float *restrict dh, int ldh, int n, int m, const float *restrict gamma, const float *restrict beta, float leak,
                       const float *restrict xhat, const float *restrict rstd, const float *restrict mask, float *restrict dpre, float *restrict dgamma, float *restrict dbeta) {
  const int mv = m - m % VW;
  const vf zero = splat(0.0f), vleak = splat(leak);
  for (int i = 0; i < n; i++) {
    const float *g = dh + (size_t)i * ldh;
    const float *xh = xhat + (size_t)i * m;
    const float *mk = mask ? mask + (size_t)i * m : 0;
    float *dp = dpre + (size_t)i * m;
    if (gamma) {
      vf a1 = zero, a2 = zero;
      for (int j = 0; j < mv; j += VW) {
        const vf x = ld(xh + j);
        const vf a = ld(gamma + j) * x + ld(beta + j);
        const vf gm = mk ? ld(g + j) * ld(mk + j) : ld(g + j);
        const vf da = blend(a > zero, gm, vleak * gm);
        if (dgamma) st(dgamma + j, ld(dgamma + j) + da * x);
        if (dbeta) st(dbeta + j, ld(dbeta + j) + da);
        const vf gx = da * ld(gamma + j);
        st(dp + j, gx);
        a1 += gx;
        a2 += gx * x;
      }
      float s1 = hsum(a1), s2 = hsum(a2);
      for (int j = mv; j < m; j++) {
        const float a = gamma[j] * xh[j] + beta[j];
        float da = mk ? g[j] * mk[j] : g[j];
        da = a > 0.0f ? da : leak * da;
        if (dgamma) dgamma[j] += da * xh[j];
        if (dbeta) dbeta[j] += da;
        const float gx = da * gamma[j];
        dp[j] = gx;
        s1 += gx;
        s2 += gx * xh[j];
      }
      s1 /= (float)m;
      s2 /= (float)m;
      const float r = rstd[i];
      const vf vr = splat(r), v1 = splat(s1), v2 = splat(s2);
      for (int j = 0; j < mv; j += VW) st(dp + j, vr * (ld(dp + j) - v1 - ld(xh + j) * v2));
      for (int j = mv; j < m; j++) dp[j] = r * (dp[j] - s1 - xh[j] * s2);
    } else {
      for (int j = 0; j < mv; j += VW) {
        const vf x = ld(xh + j);
        const vf gm = mk ? ld(g + j) * ld(mk + j) : ld(g + j);
        st(dp + j, blend(x > zero, gm, vleak * gm));
      }
      for (int j = mv; j < m; j++) {
        const float da = mk ? g[j] * mk[j] : g[j];
        dp[j] = xh[j] > 0.0f ? da : leak * da;
      }
    }
  }
}

/* dst[i] += src[i] (the skip connection's gradient). */
void NK_API(add)(float *dst, const float *src, int n) {
  for (int i = 0; i < n; i++) dst[i] += src[i];
}

/* ----------------------------------------------------------------------------- data, Adam */

/* x[i] = data_x[idx[i]] (2 floats per event), c[i] = data_c[idx[i]]. */
void NK_API(gather)(const float *data_x, const float *data_c, const uint32_t *idx, int n, float *x, float *c) {
  for (int i = 0; i < n; i++) {
    const uint32_t e = idx[i];
    x[2 * i] = data_x[2 * (size_t)e];
    x[2 * i + 1] = data_x[2 * (size_t)e + 1];
    c[i] = data_c[e];
  }
}

/*
 * Adam (Kingma & Ba 2015) on n weights, after summing the gradient over `shards` per-shard arrays
 * spaced `shard_stride` floats apart, in shard order (so the result does not depend on which thread
 * computed which shard). c1 = 1/(1 − β1^t), c2 = 1/(1 − β2^t) with t the 1-based step.
 */
void NK_API(adam)(float *w, const float *g, int shards, int shard_stride, float *mo, float *ve, int n,
                  float lr, float beta1, float beta2, float eps, float c1, float c2) {
  for (int i = 0; i < n; i++) {
    float gs = g[i];
    for (int s = 1; s < shards; s++) gs += g[(size_t)s * shard_stride + i];
    const float mi = beta1 * mo[i] + (1.0f - beta1) * gs;
    const float vi = beta2 * ve[i] + (1.0f - beta2) * gs * gs;
    mo[i] = mi;
    ve[i] = vi;
    w[i] -= lr * (mi * c1) / (__builtin_sqrtf(vi * c2) + eps);
  }
}

/* The weight average: e[i] = decay·e[i] + (1 − decay)·w[i] (engine.ts EmaConfig). */
void NK_API(ema)(float *restrict e, const float *restrict w, int n, float decay) {
  const float keep = decay, take = 1.0f - decay;
  for (int i = 0; i < n; i++) e[i] = keep * e[i] + take * w[i];
}

/* out[i] = 0 for i < n. */
void NK_API(zero)(float *out, int n) {
  for (int i = 0; i < n; i++) out[i] = 0.0f;
}
