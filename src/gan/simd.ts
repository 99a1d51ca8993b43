/**
 * The three dense-layer products of the training engine as WebAssembly SIMD (f32x4) kernels:
 *
 *   dense           out[n, m]  = x[n, k] · W[k, m] + b
 *   denseGrads      gW[k, m]  += xᵀ · dy          (the bias gradient stays in JS: O(n·m))
 *   denseInputGrad  dx[n, k]   = dy[n, m] · Wᵀ
 *
 * They are ~85 % of a training step in plain JS, which V8 does not vectorise. The module is small
 * enough to be written as bytes here, by a few encoder helpers, instead of needing a WAT toolchain
 * at build time: the loops are generated in JS, with register blocking unrolled by the generator.
 * Kernels need m % 4 == 0 (vectors run along m); callers fall back to JS otherwise (the output
 * layers, m = 1 or 2). Accumulation is in f32, as in tfjs and PyTorch.
 *
 * Operands are copied into the module's memory per call: the copies are O(n·k + k·m + n·m) against
 * O(n·k·m) arithmetic, ~1–2 % of the work at the engine's widths.
 */

// --------------------------------------------------------------------------------- byte encoding

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

const I32 = 0x7f;
const V128 = 0x7b;

// Instructions (https://webassembly.github.io/spec/core/binary/instructions.html).
const op = {
  get: (l: number) => [0x20, ...uleb(l)],
  set: (l: number) => [0x21, ...uleb(l)],
  tee: (l: number) => [0x22, ...uleb(l)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  mul: [0x6c],
  geU: [0x4f],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  f32load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  f32store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  f32add: [0x92],
  v128load: (offset = 0) => [0xfd, ...uleb(0), 4, ...uleb(offset)],
  v128store: (offset = 0) => [0xfd, ...uleb(11), 4, ...uleb(offset)],
  splat: [0xfd, ...uleb(19)],
  lane: (i: number) => [0xfd, ...uleb(31), i],
  vadd: [0xfd, ...uleb(228)],
  vmul: [0xfd, ...uleb(230)],
  vzero: [0xfd, ...uleb(12), ...new Array<number>(16).fill(0)],
};

/** `local += delta` for an i32 local. */
const bump = (l: number, delta: number[]) => [...op.get(l), ...delta, ...op.add, ...op.set(l)];

/** `for (; counter < limit; counter += step) body` as block/loop; `limit` is an expression. */
function forLoop(counter: number, limit: number[], step: number, body: number[]): number[] {
  return [
    ...op.block, ...op.loop,
    ...op.get(counter), ...limit, ...op.geU, ...op.brIf(1),
    ...body,
    ...bump(counter, op.i32(step)),
    ...op.br(0),
    ...op.end, ...op.end,
  ];
}

/** `acc += splat(f32 at addr) * vec` */
const fma = (acc: number, vec: number[], scalarAddr: number[]) => [
  ...op.get(acc), ...vec, ...scalarAddr, ...op.f32load(), ...op.splat, ...op.vmul, ...op.vadd, ...op.set(acc),
];

// ------------------------------------------------------------------------------------------ kernels

/** Rows (or, for denseGrads, rows of gW) done per pass of the outer loop: 4 accumulators in registers. */
const R = 4;

/**
 * dense(x, n, k, W, b, m, out), all byte addresses/counts as i32. For each block of R rows and each
 * 4-wide column chunk j: acc_r = b[j..j+4] + Σ_p splat(x[i+r, p]) · W[p, j..j+4].
 */
function denseKernel(): { locals: [number, number][]; body: number[] } {
  const [x, n, k, W, b, m, out] = [0, 1, 2, 3, 4, 5, 6];
  const [i, j, p, wp, kb, mb, rows, xr0] = [7, 8, 9, 10, 11, 12, 13, 14]; // xr0..xr3: 14..17
  const wv = 18;
  const acc0 = 19; // 19..22
  const block = (rowsInBlock: number) => {
    const init = [];
    for (let r = 0; r < rowsInBlock; r++) {
      // xr_r = x + ((i + r) * k) * 4
      init.push(...op.get(x), ...op.get(i), ...op.i32(r), ...op.add, ...op.get(kb), ...op.mul, ...op.add, ...op.set(xr0 + r));
    }
    const perP = [...op.get(wp), ...op.v128load(), ...op.set(wv)];
    for (let r = 0; r < rowsInBlock; r++) {
      perP.push(...fma(acc0 + r, op.get(wv), op.get(xr0 + r)));
      perP.push(...bump(xr0 + r, op.i32(4)));
    }
    perP.push(...bump(wp, op.get(mb)));
    const store = [];
    for (let r = 0; r < rowsInBlock; r++) {
      // out + ((i + r) * m + j) * 4  ==  out + (i + r) * mb + j * 4
      store.push(...op.get(out), ...op.get(i), ...op.i32(r), ...op.add, ...op.get(mb), ...op.mul, ...op.add, ...op.get(j), ...op.i32(4), ...op.mul, ...op.add);
      store.push(...op.get(acc0 + r), ...op.v128store());
    }
    const perJ = [
      // acc_r = b[j..j+4]; reset the row pointers; wp = W + j*4
      ...op.get(b), ...op.get(j), ...op.i32(4), ...op.mul, ...op.add, ...op.v128load(), ...op.set(acc0),
      ...Array.from({ length: rowsInBlock - 1 }, (_, r) => [...op.get(acc0), ...op.set(acc0 + r + 1)]).flat(),
      ...init,
      ...op.get(W), ...op.get(j), ...op.i32(4), ...op.mul, ...op.add, ...op.set(wp),
      ...op.i32(0), ...op.set(p),
      ...forLoop(p, op.get(k), 1, perP),
      ...store,
    ];
    return [...op.i32(0), ...op.set(j), ...forLoop(j, op.get(m), 4, perJ)];
  };
  const body = [
    ...op.get(k), ...op.i32(4), ...op.mul, ...op.set(kb),
    ...op.get(m), ...op.i32(4), ...op.mul, ...op.set(mb),
    // rows = n - n % R: full blocks, then single rows
    ...op.get(n), ...op.get(n), ...op.i32(R), ...[0x70] /* i32.rem_u */, ...[0x6b] /* i32.sub */, ...op.set(rows),
    ...op.i32(0), ...op.set(i),
    ...forLoop(i, op.get(rows), R, block(R)),
    ...forLoop(i, op.get(n), 1, block(1)),
    ...op.end,
  ];
  return { locals: [[11, I32], [1 + R, V128]], body };
}

/**
 * denseGrads(x, n, k, dy, m, gW): for each block of R rows p of gW and each column chunk j:
 * gW[p+r, j..j+4] += Σ_i splat(x[i, p+r]) · dy[i, j..j+4].
 */
function denseGradsKernel(): { locals: [number, number][]; body: number[] } {
  const [x, n, k, dy, m, gW] = [0, 1, 2, 3, 4, 5];
  const [p, j, i, dp, xp, kb, mb, rows, g] = [6, 7, 8, 9, 10, 11, 12, 13, 14];
  const dv = 15;
  const acc0 = 16;
  const block = (rowsInBlock: number) => {
    const perI = [...op.get(dp), ...op.v128load(), ...op.set(dv)];
    for (let r = 0; r < rowsInBlock; r++) perI.push(...fma(acc0 + r, op.get(dv), [...op.get(xp), ...op.i32(4 * r), ...op.add]));
    perI.push(...bump(dp, op.get(mb)), ...bump(xp, op.get(kb)));
    const perJ = [
      ...Array.from({ length: rowsInBlock }, (_, r) => [...op.vzero, ...op.set(acc0 + r)]).flat(),
      ...op.get(dy), ...op.get(j), ...op.i32(4), ...op.mul, ...op.add, ...op.set(dp),
      ...op.get(x), ...op.get(p), ...op.i32(4), ...op.mul, ...op.add, ...op.set(xp),
      ...op.i32(0), ...op.set(i),
      ...forLoop(i, op.get(n), 1, perI),
    ];
    for (let r = 0; r < rowsInBlock; r++) {
      // g = gW + (p + r) * mb + j * 4; gW[g] += acc_r
      perJ.push(...op.get(gW), ...op.get(p), ...op.i32(r), ...op.add, ...op.get(mb), ...op.mul, ...op.add, ...op.get(j), ...op.i32(4), ...op.mul, ...op.add, ...op.set(g));
      perJ.push(...op.get(g), ...op.get(g), ...op.v128load(), ...op.get(acc0 + r), ...op.vadd, ...op.v128store());
    }
    return [...op.i32(0), ...op.set(j), ...forLoop(j, op.get(m), 4, perJ)];
  };
  const body = [
    ...op.get(k), ...op.i32(4), ...op.mul, ...op.set(kb),
    ...op.get(m), ...op.i32(4), ...op.mul, ...op.set(mb),
    ...op.get(k), ...op.get(k), ...op.i32(R), ...[0x70], ...[0x6b], ...op.set(rows),
    ...op.i32(0), ...op.set(p),
    ...forLoop(p, op.get(rows), R, block(R)),
    ...forLoop(p, op.get(k), 1, block(1)),
    ...op.end,
  ];
  return { locals: [[9, I32], [1 + R, V128]], body };
}

/**
 * denseInputGrad(dy, n, m, W, k, dx): for each row i and each block of R columns p:
 * dx[i, p+r] = hsum(Σ_j dy[i, j..j+4] · W[p+r, j..j+4]).
 */
function denseInputGradKernel(): { locals: [number, number][]; body: number[] } {
  const [dy, n, m, W, k, dx] = [0, 1, 2, 3, 4, 5];
  const [i, p, j, dp, wp, kb, mb, cols] = [6, 7, 8, 9, 10, 11, 12, 13];
  const dv = 14;
  const acc0 = 15;
  const hsum = (acc: number) => [
    ...op.get(acc), ...op.lane(0), ...op.get(acc), ...op.lane(1), ...op.f32add,
    ...op.get(acc), ...op.lane(2), ...op.f32add, ...op.get(acc), ...op.lane(3), ...op.f32add,
  ];
  const block = (colsInBlock: number) => {
    const perJ = [...op.get(dp), ...op.v128load(), ...op.set(dv)];
    for (let r = 0; r < colsInBlock; r++) {
      // acc_r += dv * W[p + r, j..j+4]  (wp points at W[p, j]; row r is r * mb further)
      perJ.push(...op.get(acc0 + r), ...op.get(dv), ...op.get(wp), ...op.get(mb), ...op.i32(r), ...op.mul, ...op.add, ...op.v128load(), ...op.vmul, ...op.vadd, ...op.set(acc0 + r));
    }
    perJ.push(...bump(dp, op.i32(16)), ...bump(wp, op.i32(16)));
    const perP = [
      ...Array.from({ length: colsInBlock }, (_, r) => [...op.vzero, ...op.set(acc0 + r)]).flat(),
      ...op.get(dy), ...op.get(i), ...op.get(mb), ...op.mul, ...op.add, ...op.set(dp),
      ...op.get(W), ...op.get(p), ...op.get(mb), ...op.mul, ...op.add, ...op.set(wp),
      ...op.i32(0), ...op.set(j),
      ...forLoop(j, op.get(m), 4, perJ),
    ];
    for (let r = 0; r < colsInBlock; r++) {
      // dx + (i * k + p + r) * 4
      perP.push(...op.get(dx), ...op.get(i), ...op.get(kb), ...op.mul, ...op.add, ...op.get(p), ...op.i32(r), ...op.add, ...op.i32(4), ...op.mul, ...op.add);
      perP.push(...hsum(acc0 + r), ...op.f32store());
    }
    return perP;
  };
  const perI = [
    ...op.i32(0), ...op.set(p),
    ...forLoop(p, op.get(cols), R, block(R)),
    ...forLoop(p, op.get(k), 1, block(1)),
  ];
  const body = [
    ...op.get(k), ...op.i32(4), ...op.mul, ...op.set(kb),
    ...op.get(m), ...op.i32(4), ...op.mul, ...op.set(mb),
    ...op.get(k), ...op.get(k), ...op.i32(R), ...[0x70], ...[0x6b], ...op.set(cols),
    ...op.i32(0), ...op.set(i),
    ...forLoop(i, op.get(n), 1, perI),
    ...op.end,
  ];
  return { locals: [[8, I32], [1 + R, V128]], body };
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const kernels = [
    { name: 'dense', params: 7, ...denseKernel() },
    { name: 'denseGrads', params: 6, ...denseGradsKernel() },
    { name: 'denseInputGrad', params: 6, ...denseInputGradKernel() },
  ];
  const types = kernels.map((f) => [0x60, ...vec(Array.from({ length: f.params }, () => [I32])), 0]);
  const code = kernels.map((f) => {
    const body = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec(kernels.map((_, idx) => uleb(idx)))),
    ...section(7, vec(kernels.map((f, idx) => [...name(f.name), 0x00, ...uleb(idx)]))),
    ...section(10, vec(code)),
  ]);
}

// ------------------------------------------------------------------------------------- JS facade

export interface SimdKernels {
  dense(x: Float32Array, n: number, k: number, W: Float32Array, bias: Float32Array, m: number, out: Float32Array): void;
  denseGrads(x: Float32Array, n: number, k: number, dy: Float32Array, m: number, gW: Float32Array): void;
  denseInputGrad(dy: Float32Array, n: number, m: number, W: Float32Array, k: number, dx: Float32Array): void;
}

type Exports = {
  dense(...a: number[]): void;
  denseGrads(...a: number[]): void;
  denseInputGrad(...a: number[]): void;
};

/** The kernels, or undefined where WebAssembly SIMD is unavailable (or NUGAN_SIMD=0). */
export function loadSimdKernels(): SimdKernels | undefined {
  if (process.env.NUGAN_SIMD === '0') return undefined;
  const bytes = moduleBytes();
  if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) return undefined;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const exp = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as Exports;
  let f32 = new Float32Array(memory.buffer);
  /** Lays the operands out one after another (16-byte aligned) and returns their byte offsets. */
  const place = (lengths: number[]): number[] => {
    const offsets: number[] = [];
    let end = 0;
    for (const len of lengths) {
      offsets.push(end);
      end += Math.ceil(len / 4) * 16;
    }
    if (end > memory.buffer.byteLength) {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
      f32 = new Float32Array(memory.buffer);
    }
    return offsets;
  };
  return {
    dense(x, n, k, W, bias, m, out) {
      const [ox, oW, ob, oo] = place([n * k, k * m, m, n * m]) as [number, number, number, number];
      f32.set(x.subarray(0, n * k), ox / 4);
      f32.set(W.subarray(0, k * m), oW / 4);
      f32.set(bias.subarray(0, m), ob / 4);
      exp.dense(ox, n, k, oW, ob, m, oo);
      out.set(f32.subarray(oo / 4, oo / 4 + n * m));
    },
    denseGrads(x, n, k, dy, m, gW) {
      const [ox, od, og] = place([n * k, n * m, k * m]) as [number, number, number];
      f32.set(x.subarray(0, n * k), ox / 4);
      f32.set(dy.subarray(0, n * m), od / 4);
      f32.set(gW.subarray(0, k * m), og / 4);
      exp.denseGrads(ox, n, k, od, m, og);
      gW.set(f32.subarray(og / 4, og / 4 + k * m));
    },
    denseInputGrad(dy, n, m, W, k, dx) {
      const [od, oW, ox] = place([n * m, k * m, n * k]) as [number, number, number];
      f32.set(dy.subarray(0, n * m), od / 4);
      f32.set(W.subarray(0, k * m), oW / 4);
      exp.denseInputGrad(od, n, m, oW, k, ox);
      dx.set(f32.subarray(ox / 4, ox / 4 + n * k));
    },
  };
}
