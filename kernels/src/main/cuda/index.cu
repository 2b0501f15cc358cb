// Data movement: permute (transpose), slices along an axis, row gather / scatter-add (embedding
// lookups and their gradients) and picking one class per row (cross-entropy) and its gradient,
// both checking their int32 / int64 indices on the device, element type conversions, and
// zero-padding / cropping of NHWC images (asymmetric "same" convolutions).
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

// dst[row, :] = src for a row index read from device memory (a cell the host writes before each
// step); a row outside [0, rows) writes nothing. Rows of rowWords 32-bit words.
extern "C" __global__ void copy_row_at_f32(const float *src, float *dst, long long rowWords, const int *row,
                                           long long rows) {
    long long r = *row;
    if (r < 0 || r >= rows) return;
    GRID_STRIDE_LOOP(i, rowWords) dst[r * rowWords + i] = src[i];
}

// Index tensors are int32 or int64 (one kernel of each, suffixed _i32 / _i64). An index outside
// [0, bound) is never followed: its element is skipped (gathers write 0) and the first such index
// is recorded in an IndexError the host reads at its next read of device values, so checking
// costs no round trip. op tells the host which operation it was (1 gather, 2 scatter, 3 pick).
struct IndexError {
    unsigned long long op;
    long long position;
    long long value;
    long long bound;
};

__device__ __forceinline__ bool index_ok(long long v, long long bound, long long position, unsigned long long op,
                                         IndexError *err) {
    if (v >= 0 && v < bound) return true;
    if (atomicCAS(&err->op, 0ull, op) == 0ull) {
        err->position = position;
        err->value = v;
        err->bound = bound;
    }
    return false;
}

// out[i, :] = src[index[i], :] for rows of `row` 32-bit words (an int64 or float64 row counts two
// words per element), so one kernel moves rows of every element type.
template <typename I>
__device__ void gather_rows(const unsigned int *src, const I *index, unsigned int *out, long long count,
                            long long row, long long rows, IndexError *err) {
    GRID_STRIDE_LOOP(i, count * row) {
        long long k = i / row;
        long long r = (long long)index[k];
        out[i] = index_ok(r, rows, k, 1ull, err) ? src[r * row + (i - k * row)] : 0u;
    }
}

extern "C" __global__ void gather_rows_i32(const unsigned int *src, const int *index, unsigned int *out,
                                           long long count, long long row, long long rows, IndexError *err) {
    gather_rows(src, index, out, count, row, rows, err);
}

extern "C" __global__ void gather_rows_i64(const unsigned int *src, const long long *index, unsigned int *out,
                                           long long count, long long row, long long rows, IndexError *err) {
    gather_rows(src, index, out, count, row, rows, err);
}

// out[index[i], :] += g[i, :]; repeated indices add up (atomics).
template <typename I>
__device__ void scatter_add_rows(const float *g, const I *index, float *out, long long count, long long row,
                                 long long rows, IndexError *err) {
    GRID_STRIDE_LOOP(i, count * row) {
        long long k = i / row;
        long long r = (long long)index[k];
        if (index_ok(r, rows, k, 2ull, err)) atomicAdd(&out[r * row + (i - k * row)], g[i]);
    }
}

extern "C" __global__ void scatter_add_rows_i32(const float *g, const int *index, float *out, long long count,
                                                long long row, long long rows, IndexError *err) {
    scatter_add_rows(g, index, out, count, row, rows, err);
}

extern "C" __global__ void scatter_add_rows_i64(const float *g, const long long *index, float *out, long long count,
                                                long long row, long long rows, IndexError *err) {
    scatter_add_rows(g, index, out, count, row, rows, err);
}

// out[i] = x[i, labels[i]]
template <typename I>
__device__ void pick(const float *x, const I *labels, float *out, long long n, long long classes, IndexError *err) {
    GRID_STRIDE_LOOP(i, n) {
        long long l = (long long)labels[i];
        out[i] = index_ok(l, classes, i, 3ull, err) ? x[i * classes + l] : 0.0f;
    }
}

extern "C" __global__ void pick_i32(const float *x, const int *labels, float *out, long long n, long long classes,
                                    IndexError *err) {
    pick(x, labels, out, n, classes, err);
}

extern "C" __global__ void pick_i64(const float *x, const long long *labels, float *out, long long n,
                                    long long classes, IndexError *err) {
    pick(x, labels, out, n, classes, err);
}

// gx[i, labels[i]] += g[i]; one label per row, so no two threads meet.
template <typename I>
__device__ void pick_backward(const float *g, const I *labels, float *gx, long long n, long long classes,
                              IndexError *err) {
    GRID_STRIDE_LOOP(i, n) {
        long long l = (long long)labels[i];
        if (index_ok(l, classes, i, 3ull, err)) gx[i * classes + l] += g[i];
    }
}

extern "C" __global__ void pick_backward_i32(const float *g, const int *labels, float *gx, long long n,
                                             long long classes, IndexError *err) {
    pick_backward(g, labels, gx, n, classes, err);
}

extern "C" __global__ void pick_backward_i64(const float *g, const long long *labels, float *gx, long long n,
                                             long long classes, IndexError *err) {
    pick_backward(g, labels, gx, n, classes, err);
}

// Element type conversions, as Java's casts: integers to float round to nearest; float to
// integers truncates toward zero, NaN gives 0 and out-of-range values saturate (the cvt.rzi.sat
// conversions nvcc emits for these intrinsics); int64 to int32 saturates like Math.clamp.
extern "C" __global__ void cast_i32_f32(const int *src, float *dst, long long n) {
    GRID_STRIDE_LOOP(i, n) dst[i] = __int2float_rn(src[i]);
}

extern "C" __global__ void cast_i64_f32(const long long *src, float *dst, long long n) {
    GRID_STRIDE_LOOP(i, n) dst[i] = __ll2float_rn(src[i]);
}

extern "C" __global__ void cast_f32_i32(const float *src, int *dst, long long n) {
    GRID_STRIDE_LOOP(i, n) dst[i] = isnan(src[i]) ? 0 : __float2int_rz(src[i]);
}

extern "C" __global__ void cast_f32_i64(const float *src, long long *dst, long long n) {
    GRID_STRIDE_LOOP(i, n) dst[i] = isnan(src[i]) ? 0ll : __float2ll_rz(src[i]);
}

extern "C" __global__ void cast_i32_i64(const int *src, long long *dst, long long n) {
    GRID_STRIDE_LOOP(i, n) dst[i] = (long long)src[i];
}

extern "C" __global__ void cast_i64_i32(const long long *src, int *dst, long long n) {
    GRID_STRIDE_LOOP(i, n) dst[i] = (int)max(-2147483648ll, min(2147483647ll, src[i]));
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

// Does (a at ia) win over (b at ib) for the first index of the largest value? A NaN counts as the
// largest (the first NaN wins), as Math.max lets NaN win; equal values go to the lower index.
__device__ __forceinline__ bool argmax_beats(float a, long long ia, float b, long long ib) {
    bool aNaN = isnan(a);
    bool bNaN = isnan(b);
    if (aNaN || bNaN) return aNaN && (!bNaN || ia < ib);
    return a > b || (a == b && ia < ib);
}

// Folds the (value, index) candidate of the lanes of a warp; index `none` marks an empty candidate.
__device__ __forceinline__ void argmax_warp(float &best, long long &at, long long none) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        float v = __shfl_xor_sync(0xffffffffu, best, offset);
        long long i = __shfl_xor_sync(0xffffffffu, at, offset);
        if (i != none && (at == none || argmax_beats(v, i, best, at))) {
            best = v;
            at = i;
        }
    }
}

// out[r] = the first index of the largest value of row r of x [rows, cols] (int32): one block per
// row, its threads striding the row, then a warp and a block reduction of (value, index) pairs.
extern "C" __global__ void argmax_rows_f32(const float *x, int *out, long long rows, long long cols) {
    __shared__ float warpBest[32];
    __shared__ long long warpAt[32];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = (blockDim.x + 31) >> 5;
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float *row = x + r * cols;
        float best = -INFINITY;
        long long at = cols;
        for (long long j = threadIdx.x; j < cols; j += blockDim.x) {
            float v = row[j];
            if (at == cols || argmax_beats(v, j, best, at)) {
                best = v;
                at = j;
            }
        }
        argmax_warp(best, at, cols);
        if (lane == 0) {
            warpBest[warp] = best;
            warpAt[warp] = at;
        }
        __syncthreads();
        if (warp == 0) {
            best = lane < warps ? warpBest[lane] : -INFINITY;
            at = lane < warps ? warpAt[lane] : cols;
            argmax_warp(best, at, cols);
            if (lane == 0) out[r] = (int)(at == cols ? 0 : at);
        }
        __syncthreads();
    }
}
