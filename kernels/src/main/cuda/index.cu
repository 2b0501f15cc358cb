// Data movement: permute (transpose), slices along an axis, row gather / scatter-add (embedding
// lookups and their gradients), picking one class per row (cross-entropy) and its gradient,
// and zero-padding / cropping of NHWC images (asymmetric "same" convolutions).
#include "common.cuh"

// out (shape outShape) = x permuted; srcStrides[d] is x's stride of the axis that lands at d.
extern "C" __global__ void permute_f32(const float *x, float *out, long long n, int rank, Dims outShape,
                                       Dims srcStrides) {
    GRID_STRIDE_LOOP(i, n) out[i] = x[strided_offset(i, rank, outShape, srcStrides)];
}

// For each of `outer` blocks: dst[o, dstStart + l, :] = src[o, srcStart + l, :] for l < length.
extern "C" __global__ void copy_slice_f32(const float *src, float *dst, long long outer, long long srcAxis,
                                          long long dstAxis, long long srcStart, long long dstStart,
                                          long long length, long long inner) {
    long long per = length * inner;
    GRID_STRIDE_LOOP(i, outer * per) {
        long long o = i / per;
        long long rest = i - o * per;
        dst[(o * dstAxis + dstStart) * inner + rest] = src[(o * srcAxis + srcStart) * inner + rest];
    }
}

// out[i, :] = src[index[i], :]; indices are floats holding integers.
extern "C" __global__ void gather_rows_f32(const float *src, const float *index, float *out, long long count,
                                           long long row) {
    GRID_STRIDE_LOOP(i, count * row) {
        long long k = i / row;
        out[i] = src[(long long)index[k] * row + (i - k * row)];
    }
}

// out[index[i], :] += g[i, :]; repeated indices add up (atomics).
extern "C" __global__ void scatter_add_rows_f32(const float *g, const float *index, float *out, long long count,
                                                long long row) {
    GRID_STRIDE_LOOP(i, count * row) {
        long long k = i / row;
        atomicAdd(&out[(long long)index[k] * row + (i - k * row)], g[i]);
    }
}

extern "C" __global__ void pick_f32(const float *x, const float *labels, float *out, long long n, long long classes) {
    GRID_STRIDE_LOOP(i, n) out[i] = x[i * classes + (long long)labels[i]];
}

extern "C" __global__ void pick_backward_f32(const float *g, const float *labels, float *gx, long long n,
                                             long long classes) {
    GRID_STRIDE_LOOP(i, n) gx[i * classes + (long long)labels[i]] += g[i];
}

// dst [n, h + top + bottom, w + left + right, c] = src [n, h, w, c] framed by zeros.
extern "C" __global__ void pad_nhwc_f32(const float *src, float *dst, long long n, int h, int w, int c, int top,
                                        int left, int paddedH, int paddedW) {
    long long total = n * paddedH * paddedW * (long long)c;
    GRID_STRIDE_LOOP(i, total) {
        Pixel p = nhwc(i, paddedH, paddedW, c);
        int sy = p.y - top;
        int sx = p.x - left;
        dst[i] = (sy >= 0 && sy < h && sx >= 0 && sx < w) ? src[((p.b * h + sy) * w + sx) * c + p.ch] : 0.0f;
    }
}

// dst [n, h, w, c] = the interior of src [n, paddedH, paddedW, c] starting at (top, left).
extern "C" __global__ void crop_nhwc_f32(const float *src, float *dst, long long n, int h, int w, int c, int top,
                                         int left, int paddedH, int paddedW) {
    long long total = n * h * w * (long long)c;
    GRID_STRIDE_LOOP(i, total) {
        Pixel p = nhwc(i, h, w, c);
        dst[i] = src[((p.b * paddedH + p.y + top) * paddedW + p.x + left) * c + p.ch];
    }
}
