// Reductions over any set of axes. The host splits the input's axes into kept ones (in output
// order) and reduced ones, each with its input strides; one block reduces one output element,
// accumulating in double like the CPU backend, with warp shuffles and one shared-memory step.
#include "common.cuh"

enum Reduce { SUM, MEAN, MAX };

extern "C" __global__ void reduce_f32(const float *x, float *out, long long outCount, long long reducedCount,
                                      int op, float scale, int keptRank, Dims keptShape, Dims keptStrides,
                                      int reducedRank, Dims reducedShape, Dims reducedStrides) {
    for (long long o = blockIdx.x; o < outCount; o += gridDim.x) {
        long long base = strided_offset(o, keptRank, keptShape, keptStrides);
        if (op == MAX) {
            float best = -INFINITY;
            for (long long r = threadIdx.x; r < reducedCount; r += blockDim.x) {
                float v = x[base + strided_offset(r, reducedRank, reducedShape, reducedStrides)];
                best = java_maxf(best, v);
            }
            best = block_max(best);
            if (threadIdx.x == 0) out[o] = best;
        } else {
            double sum = 0.0;
            for (long long r = threadIdx.x; r < reducedCount; r += blockDim.x) {
                sum += x[base + strided_offset(r, reducedRank, reducedShape, reducedStrides)];
            }
            sum = block_sum_d(sum);
            if (threadIdx.x == 0) out[o] = (float)(sum * scale);
        }
    }
}

// Column sums (times scale: 1, or 1/rows for a mean) of a row-major [rows, cols] matrix, i.e.
// reductions over leading axes such as bias gradients: one thread per column walks the rows, so
// neighbouring threads read neighbouring floats.
extern "C" __global__ void column_sum_f32(const float *x, float *out, long long rows, long long cols, float scale) {
    GRID_STRIDE_LOOP(j, cols) {
        double sum = 0.0;
        for (long long r = 0; r < rows; r++) sum += x[r * cols + j];
        out[j] = (float)(sum * scale);
    }
}
