// Reductions over any set of axes. The host splits the input's axes into kept ones (in output
// order) and reduced ones, each with its input strides; a block reduces one output element (or
// one chunk of it), accumulating in double like the CPU backend, with warp shuffles and one
// shared-memory step.
//
// Large reductions run in two passes: the first writes one partial per (output, chunk) into a
// scratch buffer, the second combines each output's partials in chunk order. The host picks the
// chunks from the sizes alone (ReductionSplit), never from the device, so a result is the same
// on every run: no atomics, no dependence on how many blocks happen to run.
#include "common.cuh"

enum Reduce { SUM, MEAN, MAX };

// The reduced elements [from, to) of the output at base, reduced over the block; every thread gets it.
__device__ __forceinline__ double reduce_range(const float *x, long long base, long long from, long long to, int op,
                                               int reducedRank, const Dims &reducedShape, const Dims &reducedStrides) {
    if (op == MAX) {
        float best = -INFINITY;
        for (long long r = from + threadIdx.x; r < to; r += blockDim.x) {
            best = java_maxf(best, x[base + strided_offset(r, reducedRank, reducedShape, reducedStrides)]);
        }
        return (double)block_max(best);
    }
    double sum = 0.0;
    for (long long r = from + threadIdx.x; r < to; r += blockDim.x) {
        sum += x[base + strided_offset(r, reducedRank, reducedShape, reducedStrides)];
    }
    return block_sum_d(sum);
}

extern "C" __global__ void reduce_f32(const float *x, float *out, long long outCount, long long reducedCount,
                                      int op, float scale, int keptRank, Dims keptShape, Dims keptStrides,
                                      int reducedRank, Dims reducedShape, Dims reducedStrides) {
    for (long long o = blockIdx.x; o < outCount; o += gridDim.x) {
        long long base = strided_offset(o, keptRank, keptShape, keptStrides);
        double v = reduce_range(x, base, 0, reducedCount, op, reducedRank, reducedShape, reducedStrides);
        if (threadIdx.x == 0) out[o] = op == MAX ? (float)v : (float)(v * scale);
    }
}

// First pass: partial[o * chunks + c] reduces elements [c * chunkLength, (c + 1) * chunkLength)
// of output o (a max is a float, held exactly in the double).
extern "C" __global__ void reduce_partial_f32(const float *x, double *partial, long long outCount,
                                              long long reducedCount, long long chunks, long long chunkLength, int op,
                                              int keptRank, Dims keptShape, Dims keptStrides, int reducedRank,
                                              Dims reducedShape, Dims reducedStrides) {
    for (long long b = blockIdx.x; b < outCount * chunks; b += gridDim.x) {
        long long o = b / chunks;
        long long from = (b % chunks) * chunkLength;
        long long to = min(reducedCount, from + chunkLength);
        long long base = strided_offset(o, keptRank, keptShape, keptStrides);
        double v = reduce_range(x, base, from, to, op, reducedRank, reducedShape, reducedStrides);
        if (threadIdx.x == 0) partial[b] = v;
    }
}

// Second pass: out[o] combines partial[o * chunks .. o * chunks + chunks) (times scale for sums).
extern "C" __global__ void reduce_finish_f32(const double *partial, float *out, long long outCount, long long chunks,
                                             int op, float scale) {
    for (long long o = blockIdx.x; o < outCount; o += gridDim.x) {
        const double *p = partial + o * chunks;
        if (op == MAX) {
            float best = -INFINITY;
            for (long long c = threadIdx.x; c < chunks; c += blockDim.x) best = java_maxf(best, (float)p[c]);
            best = block_max(best);
            if (threadIdx.x == 0) out[o] = best;
        } else {
            double sum = 0.0;
            for (long long c = threadIdx.x; c < chunks; c += blockDim.x) sum += p[c];
            sum = block_sum_d(sum);
            if (threadIdx.x == 0) out[o] = (float)(sum * scale);
        }
    }
}

// Column sums (times scale: 1, or 1/rows for a mean) of a row-major [rows, cols] matrix, i.e.
// reductions over leading axes such as bias gradients: one thread per column walks the rows, so
// neighbouring threads read neighbouring floats. For few rows only; more take the two passes below.
extern "C" __global__ void column_sum_f32(const float *x, float *out, long long rows, long long cols, float scale) {
    GRID_STRIDE_LOOP(j, cols) {
        double sum = 0.0;
        for (long long r = 0; r < rows; r++) sum += x[r * cols + j];
        out[j] = (float)(sum * scale);
    }
}

// First pass: partial[c * cols + j] sums rows [c * chunkRows, (c + 1) * chunkRows) of column j;
// one thread per (chunk, column), columns fastest so a warp still reads neighbouring floats.
extern "C" __global__ void column_partial_f32(const float *x, double *partial, long long rows, long long cols,
                                              long long chunks, long long chunkRows) {
    GRID_STRIDE_LOOP(i, chunks * cols) {
        long long j = i % cols;
        long long from = (i / cols) * chunkRows;
        long long to = min(rows, from + chunkRows);
        double sum = 0.0;
        for (long long r = from; r < to; r++) sum += x[r * cols + j];
        partial[i] = sum;
    }
}

// Second pass: out[j] = scale * the sum, in chunk order, of column j's partials.
extern "C" __global__ void column_finish_f32(const double *partial, float *out, long long chunks, long long cols,
                                             float scale) {
    GRID_STRIDE_LOOP(j, cols) {
        double sum = 0.0;
        for (long long c = 0; c < chunks; c++) sum += partial[c * cols + j];
        out[j] = (float)(sum * scale);
    }
}
