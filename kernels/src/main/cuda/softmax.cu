// Softmax and log-softmax over the last axis, forward and backward: one block per row, the
// row's max and sum reduced with warp shuffles (sums in double, as on the CPU).
#include "common.cuh"

extern "C" __global__ void softmax_f32(const float *x, float *out, long long rows, int cols, int logOutput) {
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float *row = x + r * cols;
        float *dst = out + r * cols;
        float max = -INFINITY;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) max = java_maxf(max, row[j]);
        max = block_max(max);
        double sum = 0.0;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) sum += exp((double)(row[j] - max));
        sum = block_sum_d(sum);
        if (logOutput) {
            // (x - max) - log(sum), rounded once: max + log(sum) in float would round to the
            // max's ulp (1e-3 at 1e4) and lose the result's digits
            double logSum = log(sum);
            for (int j = threadIdx.x; j < cols; j += blockDim.x) dst[j] = (float)(((double)row[j] - max) - logSum);
        } else {
            double inv = 1.0 / sum;
            for (int j = threadIdx.x; j < cols; j += blockDim.x) dst[j] = (float)(exp((double)(row[j] - max)) * inv);
        }
    }
}

// gx = y * (gy - sum(gy * y)) for softmax; gx = gy - exp(y) * sum(gy) for log-softmax.
extern "C" __global__ void softmax_backward_f32(const float *y, const float *gy, float *gx, long long rows, int cols,
                                               int logOutput) {
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float *yr = y + r * cols;
        const float *gr = gy + r * cols;
        float *dst = gx + r * cols;
        double dot = 0.0;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) dot += logOutput ? gr[j] : (double)gr[j] * yr[j];
        dot = block_sum_d(dot);
        for (int j = threadIdx.x; j < cols; j += blockDim.x) {
            dst[j] = logOutput ? (float)(gr[j] - exp((double)yr[j]) * dot) : (float)(yr[j] * (gr[j] - dot));
        }
    }
}
