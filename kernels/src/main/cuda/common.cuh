// Shared by every kernel family: grid-stride loops over 64-bit element counts, the shape
// structure passed by value for strided (broadcast / permute) indexing, and warp reductions.
#pragma once

#define ISTHMUS_MAX_RANK 8

// Shapes and strides travel as kernel parameters by value (no device allocation per launch).
struct Dims {
    long long v[ISTHMUS_MAX_RANK];
};

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long)blockDim.x * gridDim.x)

struct SumOp {
    __device__ __forceinline__ double operator()(double a, double b) const { return a + b; }
};

// max and min as java.lang.Math has them, and so the CPU backend: a NaN operand is the result,
// and +0 is above -0. fmaxf/fminf return the other operand for a NaN and either zero for a tie.
__device__ __forceinline__ float java_maxf(float a, float b) {
    if (isnan(a) || isnan(b)) return isnan(a) ? a : b;
    if (a == b) return signbit(a) ? b : a;
    return a > b ? a : b;
}

__device__ __forceinline__ float java_minf(float a, float b) {
    if (isnan(a) || isnan(b)) return isnan(a) ? a : b;
    if (a == b) return signbit(a) ? a : b;
    return a < b ? a : b;
}

struct MaxOp {
    __device__ __forceinline__ float operator()(float a, float b) const { return java_maxf(a, b); }
};

template <typename T, typename Op>
__device__ __forceinline__ T warp_reduce(T v, Op op) {
    for (int offset = 16; offset > 0; offset >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

// Reduces over a block (any size up to 1024, a multiple of 32): warp shuffles, then one step
// through shared memory; every thread gets the result.
template <typename T, typename Op>
__device__ T block_reduce(T v, Op op, T identity) {
    __shared__ T partial[32];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = warp_reduce(v, op);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    int warps = (blockDim.x + 31) >> 5;
    v = threadIdx.x < warps ? partial[threadIdx.x] : identity;
    if (warp == 0) v = warp_reduce(v, op);
    if (threadIdx.x == 0) partial[0] = v;
    __syncthreads();
    T result = partial[0];
    __syncthreads();
    return result;
}

__device__ __forceinline__ double block_sum_d(double v) {
    return block_reduce(v, SumOp(), 0.0);
}

__device__ __forceinline__ float block_max(float v) {
    return block_reduce(v, MaxOp(), -INFINITY);
}

// The position of flat index i in an NHWC tensor of h x w pixels and c channels.
struct Pixel {
    long long b;
    int y, x, ch;
};

__device__ __forceinline__ Pixel nhwc(long long i, int h, int w, int c) {
    Pixel p;
    p.ch = (int)(i % c);
    long long rest = i / c;
    p.x = (int)(rest % w);
    rest /= w;
    p.y = (int)(rest % h);
    p.b = rest / h;
    return p;
}

// Offset of flat output index i in an operand whose strides (0 on broadcast axes) are given.
__device__ __forceinline__ long long strided_offset(long long i, int rank, const Dims &shape, const Dims &strides) {
    long long off = 0;
    for (int d = rank - 1; d >= 0; d--) {
        long long size = shape.v[d];
        long long idx = i % size;
        i /= size;
        off += idx * strides.v[d];
    }
    return off;
}
