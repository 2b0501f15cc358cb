// Max pooling over NHWC images: one thread per output element scans its window. The winner is
// the first position holding the largest value in Math.max's order (a NaN above everything, +0
// above -0), so ties, infinite ones included, go to the first; padding never wins (all as on the
// CPU). The backward pass routes each output gradient to its winner with an atomic add (windows
// may overlap); gx starts zeroed.
#include "common.cuh"

struct Window {
    int n, h, w, c, kh, kw, sh, sw, top, left, oh, ow;
};

// A float's place in Math.max's order as an int that compares the same way (the CPU's maxOrder):
// any NaN above +Inf, then the positive floats, +0 above -0, the negative floats.
__device__ __forceinline__ int max_order(float v) {
    int bits = isnan(v) ? 0x7fc00000 : __float_as_int(v);
    return bits ^ ((bits >> 31) & 0x7fffffff);
}

__device__ __forceinline__ long long winner(const float *x, const Window &g, long long o, float *best) {
    Pixel out = nhwc(o, g.oh, g.ow, g.c);
    int ch = out.ch, ox = out.x, oy = out.y;
    long long b = out.b;
    long long where = -1;
    int rank = 0;
    for (int ky = 0; ky < g.kh; ky++) {
        int iy = oy * g.sh - g.top + ky;
        if (iy < 0 || iy >= g.h) continue;
        for (int kx = 0; kx < g.kw; kx++) {
            int ix = ox * g.sw - g.left + kx;
            if (ix < 0 || ix >= g.w) continue;
            long long at = ((b * g.h + iy) * g.w + ix) * g.c + ch;
            int candidate = max_order(x[at]);
            if (where < 0 || candidate > rank) {
                rank = candidate;
                where = at;
            }
        }
    }
    *best = x[where];
    return where;
}

extern "C" __global__ void maxpool_f32(const float *x, float *out, Window g) {
    long long total = (long long)g.n * g.oh * g.ow * g.c;
    GRID_STRIDE_LOOP(o, total) {
        float best;
        winner(x, g, o, &best);
        out[o] = best;
    }
}

extern "C" __global__ void maxpool_backward_f32(const float *x, const float *gy, float *gx, Window g) {
    long long total = (long long)g.n * g.oh * g.ow * g.c;
    GRID_STRIDE_LOOP(o, total) {
        float best;
        long long where = winner(x, g, o, &best);
        atomicAdd(&gx[where], gy[o]);
    }
}
