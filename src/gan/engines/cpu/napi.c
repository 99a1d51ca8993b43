/*
 * Node-API glue of the native build of kernels.c (scripts/build-native.mjs). Every function takes,
 * first, a Uint8Array over the engine's arena (the shared WebAssembly.Memory), then the kernel's
 * arguments with pointers given as byte offsets into that arena — exactly the calling convention
 * of the WebAssembly build, whose pointers are offsets into the same memory. Offset 0 is null.
 *
 * kernels.c is compiled twice on x86-64: with AVX2 + FMA (prefix nk_avx2_) and for the baseline
 * (prefix nk_base_); the table is chosen once, when the addon loads, from what the CPU supports.
 */
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t k0, k1, step, stream, row0_lo, row0_hi;
} draw_params;

#define KERNEL_DECLS(P)                                                                                              \
  void P##dense_fwd(const float *, int, int, int, const float *, const float *, const float *, int, float *, int);  \
  void P##dense_grad_w(const float *, int, int, int, const float *, const float *, int, int, float *, float *);       \
  void P##transpose(const float *, int, int, float *);                                                               \
  void P##normals(float *, int, int, const draw_params *);                                                           \
  void P##block_fwd(const float *, int, int, const float *, const float *, float, const draw_params *, uint32_t,      \
                    float, const draw_params *, float, const float *, int, float *, float *, float *, float *, int);   \
  void P##block_bwd(const float *, int, int, int, const float *, const float *, float, const float *, const float *,  \
                    const float *, float *, float *, float *);                                                       \
  void P##add(float *, const float *, int);                                                                          \
  void P##gather(const float *, const float *, const uint32_t *, int, float *, float *);                              \
  void P##adam(float *, const float *, int, int, float *, float *, int, float, float, float, float, float, float);    \
  void P##zero(float *, int);                                                                                        \
  void P##ema(float *, const float *, int, float);

KERNEL_DECLS(nk_base_)
#ifdef NK_HAVE_AVX2
KERNEL_DECLS(nk_avx2_)
#endif

typedef struct {
  const char *variant;
  void (*dense_fwd)(const float *, int, int, int, const float *, const float *, const float *, int, float *, int);
  void (*dense_grad_w)(const float *, int, int, int, const float *, const float *, int, int, float *, float *);
  void (*transpose)(const float *, int, int, float *);
  void (*normals)(float *, int, int, const draw_params *);
  void (*block_fwd)(const float *, int, int, const float *, const float *, float, const draw_params *, uint32_t, float,
                    const draw_params *, float, const float *, int, float *, float *, float *, float *, int);
  void (*block_bwd)(const float *, int, int, int, const float *, const float *, float, const float *, const float *,
                    const float *, float *, float *, float *);
  void (*add)(float *, const float *, int);
  void (*gather)(const float *, const float *, const uint32_t *, int, float *, float *);
  void (*adam)(float *, const float *, int, int, float *, float *, int, float, float, float, float, float, float);
  void (*zero)(float *, int);
  void (*ema)(float *, const float *, int, float);
} kernel_table;

#define KERNEL_TABLE(P, NAME) \
  { NAME, P##dense_fwd, P##dense_grad_w, P##transpose, P##normals, P##block_fwd, P##block_bwd, P##add, P##gather, P##adam, P##zero, P##ema }

static const kernel_table base_table = KERNEL_TABLE(nk_base_, "native-" NK_BASE_NAME);
#ifdef NK_HAVE_AVX2
static const kernel_table avx2_table = KERNEL_TABLE(nk_avx2_, "native-avx2");
#endif
static const kernel_table *K = &base_table;

/* ------------------------------------------------------------------------ argument decoding */

#define MAX_ARGS 20

typedef struct {
  napi_env env;
  napi_value argv[MAX_ARGS];
  size_t argc;
  uint8_t *base;
  size_t length;
  int failed;
} call;

static int begin(napi_env env, napi_callback_info info, call *c, size_t expected) {
  c->env = env;
  c->argc = MAX_ARGS;
  c->failed = 0;
  if (napi_get_cb_info(env, info, &c->argc, c->argv, NULL, NULL) != napi_ok || c->argc != expected) {
    napi_throw_type_error(env, NULL, "nugan kernels: wrong number of arguments");
    return 0;
  }
  napi_typedarray_type type;
  size_t len;
  void *data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, c->argv[0], &type, &len, &data, &ab, &off) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "nugan kernels: the first argument must be a Uint8Array over the arena");
    return 0;
  }
  c->base = (uint8_t *)data;
  c->length = len;
  return 1;
}

static void *ptr(call *c, size_t i) {
  uint32_t off = 0;
  if (napi_get_value_uint32(c->env, c->argv[i], &off) != napi_ok) c->failed = 1;
  if (off == 0) return NULL;
  if (off >= c->length) {
    c->failed = 1;
    return NULL;
  }
  return c->base + off;
}

static int i32(call *c, size_t i) {
  int32_t v = 0;
  if (napi_get_value_int32(c->env, c->argv[i], &v) != napi_ok) c->failed = 1;
  return v;
}

static uint32_t u32(call *c, size_t i) {
  uint32_t v = 0;
  if (napi_get_value_uint32(c->env, c->argv[i], &v) != napi_ok) c->failed = 1;
  return v;
}

static float f32(call *c, size_t i) {
  double v = 0;
  if (napi_get_value_double(c->env, c->argv[i], &v) != napi_ok) c->failed = 1;
  return (float)v;
}

static napi_value done(call *c) {
  if (c->failed) napi_throw_type_error(c->env, NULL, "nugan kernels: an argument is not a number or points outside the arena");
  return NULL;
}

/* Decoding happens before the call; a bad argument throws instead of running the kernel. */
#define RUN(expr)          \
  do {                     \
    if (!c.failed) expr;   \
  } while (0)

/* ----------------------------------------------------------------------------- the wrappers */

static napi_value js_dense_fwd(napi_env env, napi_callback_info info) {
  call c;
  if (!begin(env, info, &c, 11)) return NULL;
  const float *x = ptr(&c, 1), *cond = ptr(&c, 5), *W = ptr(&c, 6), *b = ptr(&c, 7);
  float *y = ptr(&c, 9);
  int ldx = i32(&c, 2), n = i32(&c, 3), k = i32(&c, 4), m = i32(&c, 8), ldy = i32(&c, 10);
  RUN(K->dense_fwd(x, ldx, n, k, cond, W, b, m, y, ldy));
  return done(&c);
}

static napi_value js_dense_grad_w(napi_env env, napi_callback_info info) {
  call c;
  if (!begin(env, info, &c, 11)) return NULL;
  const float *x = ptr(&c, 1), *cond = ptr(&c, 5), *dy = ptr(&c, 6);
  float *gW = ptr(&c, 9), *gb = ptr(&c, 10);
  int ldx = i32(&c, 2), n = i32(&c, 3), k = i32(&c, 4), ldy = i32(&c, 7), m = i32(&c, 8);
  RUN(K->dense_grad_w(x, ldx, n, k, cond, dy, ldy, m, gW, gb));
  return done(&c);
}

static napi_value js_transpose(napi_env env, napi_callback_info info) {
  call c;
  if (!begin(env, info, &c, 5)) return NULL;
  const float *W = ptr(&c, 1);
  float *Wt = ptr(&c, 4);
  int rows = i32(&c, 2), cols = i32(&c, 3);
  RUN(K->transpose(W, rows, cols, Wt));
  return done(&c);
}

static napi_value js_normals(napi_env env, napi_callback_info info) {
  call c;
  if (!begin(env, info, &c, 5)) return NULL;
  float *out = ptr(&c, 1);
  int n = i32(&c, 2), dim = i32(&c, 3);
  const draw_params *d = ptr(&c, 4);
  RUN(K->normals(out, n, dim, d));
  return done(&c);
}

static napi_value js_block_fwd(napi_env env, napi_callback_info info) {
  call c;
  if (!begin(env, info, &c, 19)) return NULL;
  const float *pre = ptr(&c, 1), *gamma = ptr(&c, 4), *beta = ptr(&c, 5), *skip = ptr(&c, 12);
  const draw_params *drop = ptr(&c, 7), *noise = ptr(&c, 10);
  float *xhat = ptr(&c, 14), *rstd = ptr(&c, 15), *mask = ptr(&c, 16), *h = ptr(&c, 17);
  int n = i32(&c, 2), m = i32(&c, 3), ldskip = i32(&c, 13), ldh = i32(&c, 18);
  float leak = f32(&c, 6), keep_scale = f32(&c, 9), noise_std = f32(&c, 11);
  uint32_t keep_threshold = u32(&c, 8);
  RUN(K->block_fwd(pre, n, m, gamma, beta, leak, drop, keep_threshold, keep_scale, noise, noise_std, skip, ldskip, xhat, rstd, mask, h, ldh));
  return done(&c);
}

static napi_value js_block_bwd(napi_env env, napi_callback_info info) {
  call c;
  if (!begin(env, info, &c, 14)) return NULL;
  const float *dh = ptr(&c, 1), *gamma = ptr(&c, 5), *beta = ptr(&c, 6), *xhat = ptr(&c, 8), *rstd = ptr(&c, 9), *mask = ptr(&c, 10);
  float *dpre = ptr(&c, 11), *dgamma = ptr(&c, 12), *dbeta = ptr(&c, 13);
  int ldh = i32(&c, 2), n = i32(&c, 3), m = i32(&c, 4);
  float leak = f32(&c, 7);
  RUN(K->block_bwd(dh, ldh, n, m, gamma, beta, leak, xhat, rstd, mask, dpre, dgamma, dbeta));
  return done(&c);
}

static napi_value js_add(napi_env env, napi_callback_info info) {
  call c;
  if (!begin(env, info, &c, 4)) return NULL;
  float *dst = ptr(&c, 1);
  const float *src = ptr(&c, 2);
  int n = i32(&c, 3);
  RUN(K->add(dst, src, n));
  return done(&c);
}

static napi_value js_gather(napi_env env, napi_callback_info info) {
  call c;
  if (!begin(env, info, &c, 7)) return NULL;
  const float *dx = ptr(&c, 1), *dc = ptr(&c, 2);
  const uint32_t *idx = ptr(&c, 3);
  int n = i32(&c, 4);
  float *x = ptr(&c, 5), *cc = ptr(&c, 6);
  RUN(K->gather(dx, dc, idx, n, x, cc));
  return done(&c);
}

static napi_value js_adam(napi_env env, napi_callback_info info) {
  call c;
  if (!begin(env, info, &c, 14)) return NULL;
  float *w = ptr(&c, 1), *mo = ptr(&c, 5), *ve = ptr(&c, 6);
  const float *g = ptr(&c, 2);
  int shards = i32(&c, 3), stride = i32(&c, 4), n = i32(&c, 7);
  float lr = f32(&c, 8), b1 = f32(&c, 9), b2 = f32(&c, 10), eps = f32(&c, 11), c1 = f32(&c, 12), c2 = f32(&c, 13);
  RUN(K->adam(w, g, shards, stride, mo, ve, n, lr, b1, b2, eps, c1, c2));
  return done(&c);
}

static napi_value js_zero(napi_env env, napi_callback_info info) {
  call c;
  if (!begin(env, info, &c, 3)) return NULL;
  float *out = ptr(&c, 1);
  int n = i32(&c, 2);
  RUN(K->zero(out, n));
  return done(&c);
}

static napi_value js_ema(napi_env env, napi_callback_info info) {
  call c;
  if (!begin(env, info, &c, 5)) return NULL;
  float *e = ptr(&c, 1);
  const float *w = ptr(&c, 2);
  int n = i32(&c, 3);
  float decay = f32(&c, 4);
  RUN(K->ema(e, w, n, decay));
  return done(&c);
}

/* ------------------------------------------------------------------------------- the module */

static napi_value init(napi_env env, napi_value exports) {
#ifdef NK_HAVE_AVX2
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) K = &avx2_table;
#endif
  const napi_property_descriptor fns[] = {
      {"dense_fwd", NULL, js_dense_fwd, NULL, NULL, NULL, napi_default, NULL},
      {"dense_grad_w", NULL, js_dense_grad_w, NULL, NULL, NULL, napi_default, NULL},
      {"transpose", NULL, js_transpose, NULL, NULL, NULL, napi_default, NULL},
      {"normals", NULL, js_normals, NULL, NULL, NULL, napi_default, NULL},
      {"block_fwd", NULL, js_block_fwd, NULL, NULL, NULL, napi_default, NULL},
      {"block_bwd", NULL, js_block_bwd, NULL, NULL, NULL, napi_default, NULL},
      {"add", NULL, js_add, NULL, NULL, NULL, napi_default, NULL},
      {"gather", NULL, js_gather, NULL, NULL, NULL, napi_default, NULL},
      {"adam", NULL, js_adam, NULL, NULL, NULL, napi_default, NULL},
      {"zero", NULL, js_zero, NULL, NULL, NULL, napi_default, NULL},
      {"ema", NULL, js_ema, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(fns) / sizeof(fns[0]), fns);
  napi_value variant;
  napi_create_string_utf8(env, K->variant, NAPI_AUTO_LENGTH, &variant);
  napi_set_named_property(env, exports, "variant", variant);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
