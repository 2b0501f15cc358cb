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

__device__ __forceinline__ float warp_sum(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ __forceinline__ double warp_sum_d(double v) {
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        float o = __shfl_xor_sync(0xffffffffu, v, offset);
        v = (o > v || isnan(o)) ? o : v;
    }
    return v;
}

// Sum over a block (any size up to 1024, a multiple of 32); every thread gets the result.
__device__ double block_sum_d(double v) {
    __shared__ double partial[32];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = warp_sum_d(v);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    int warps = (blockDim.x + 31) >> 5;
    v = threadIdx.x < warps ? partial[threadIdx.x] : 0.0;
    if (warp == 0) v = warp_sum_d(v);
    if (threadIdx.x == 0) partial[0] = v;
    __syncthreads();
    double result = partial[0];
    __syncthreads();
    return result;
}

__device__ float block_max(float v) {
    __shared__ float partial[32];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = warp_max(v);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    int warps = (blockDim.x + 31) >> 5;
    v = threadIdx.x < warps ? partial[threadIdx.x] : -INFINITY;
    if (warp == 0) v = warp_max(v);
    if (threadIdx.x == 0) partial[0] = v;
    __syncthreads();
    float result = partial[0];
    __syncthreads();
    return result;
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
