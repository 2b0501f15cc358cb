// The Keras LSTM's per-step gate math, fused, for the cuBLAS path (gates i, f, c, o; layouts as
// in CpuLstm: gates [n, t, 4u] hold the pre-activations on entry and the activations after;
// hc [n, t, 2u] holds h then c per step while the recurrence runs, and by the backend contract
// only the last step's c afterwards; mask [n, t] or null carries state over padding).
#include "common.cuh"

__device__ __forceinline__ float sigmoid_(float v) {
    return 1.0f / (1.0f + expf(-v));
}

extern "C" __global__ void lstm_step_forward_f32(float *gates, const float *bias, float *hc, const float *mask,
                                                 int n, int steps, int units, int t) {
    long long total = (long long)n * units;
    GRID_STRIDE_LOOP(k, total) {
        int i = (int)(k / units);
        int j = (int)(k - (long long)i * units);
        long long z = ((long long)i * steps + t) * 4 * units;
        long long o = ((long long)i * steps + t) * 2 * units;
        long long prev = o - 2 * units;
        if (mask != nullptr && mask[(long long)i * steps + t] == 0.0f) {
            hc[o + j] = t == 0 ? 0.0f : hc[prev + j];
            hc[o + units + j] = t == 0 ? 0.0f : hc[prev + units + j];
            continue;
        }
        float gi = sigmoid_(gates[z + j] + bias[j]);
        float gf = sigmoid_(gates[z + units + j] + bias[units + j]);
        float gg = tanhf(gates[z + 2 * units + j] + bias[2 * units + j]);
        float go = sigmoid_(gates[z + 3 * units + j] + bias[3 * units + j]);
        float cPrev = t == 0 ? 0.0f : hc[prev + units + j];
        float c = gf * cPrev + gi * gg;
        gates[z + j] = gi;
        gates[z + units + j] = gf;
        gates[z + 2 * units + j] = gg;
        gates[z + 3 * units + j] = go;
        hc[o + j] = go * tanhf(c);
        hc[o + units + j] = c;
    }
}

// Zeroes c of every step but the last once the recurrence, which reads each step's c, is done.
extern "C" __global__ void lstm_clear_cells_f32(float *hc, int n, int steps, int units) {
    long long earlier = steps - 1;
    long long total = (long long)n * earlier * units;
    GRID_STRIDE_LOOP(k, total) {
        long long row = k / units;
        int j = (int)(k - row * units);
        long long i = row / earlier;
        long long t = row - i * earlier;
        hc[(i * steps + t) * 2 * units + units + j] = 0.0f;
    }
}

// Rebuilds c of every step into hc (a copy of the forward's output) from the activated gates, as
// the forward computed it: c = f * c(t-1) + i * g on real steps, carried unchanged over padding.
extern "C" __global__ void lstm_rebuild_cells_f32(const float *gates, const float *mask, float *hc, int n, int steps,
                                                  int units) {
    long long total = (long long)n * units;
    GRID_STRIDE_LOOP(k, total) {
        int i = (int)(k / units);
        int j = (int)(k - (long long)i * units);
        float c = 0.0f;
        for (int t = 0; t < steps; t++) {
            long long z = ((long long)i * steps + t) * 4 * units;
            if (mask == nullptr || mask[(long long)i * steps + t] != 0.0f) {
                float gi = gates[z + j];
                float gf = gates[z + units + j];
                float gg = gates[z + 2 * units + j];
                c = gf * c + gi * gg;
            }
            hc[((long long)i * steps + t) * 2 * units + units + j] = c;
        }
    }
}

// Step t of backpropagation through time: from gHc and the carried dh, dc ([n, u] each) writes
// the gate gradients dz [n, t, 4u] at step t, updates dc, and leaves in `carried` the part of
// dh that padded steps pass straight through (dh(t-1) = dz(t)·Uᵀ + carried, done by cuBLAS).
extern "C" __global__ void lstm_step_backward_f32(const float *gates, const float *hc, const float *gHc,
                                                  const float *mask, float *dz, const float *dh, float *dc,
                                                  float *carried, int n, int steps, int units, int t) {
    long long total = (long long)n * units;
    GRID_STRIDE_LOOP(k, total) {
        int i = (int)(k / units);
        int j = (int)(k - (long long)i * units);
        long long z = ((long long)i * steps + t) * 4 * units;
        long long o = ((long long)i * steps + t) * 2 * units;
        long long r = (long long)i * units + j;
        float ghj = gHc[o + j] + dh[r];
        // only the last step's c is an output; the earlier cell slots are zeros without a gradient
        float gcj = (t == steps - 1 ? gHc[o + units + j] : 0.0f) + dc[r];
        if (mask != nullptr && mask[(long long)i * steps + t] == 0.0f) {
            dz[z + j] = 0.0f;
            dz[z + units + j] = 0.0f;
            dz[z + 2 * units + j] = 0.0f;
            dz[z + 3 * units + j] = 0.0f;
            carried[r] = ghj;
            dc[r] = gcj;
            continue;
        }
        float gi = gates[z + j];
        float gf = gates[z + units + j];
        float gg = gates[z + 2 * units + j];
        float go = gates[z + 3 * units + j];
        float c = hc[o + units + j];
        float cPrev = t == 0 ? 0.0f : hc[o - 2 * units + units + j];
        float tc = tanhf(c);
        float dcTotal = gcj + ghj * go * (1.0f - tc * tc);
        dz[z + j] = dcTotal * gg * gi * (1.0f - gi);
        dz[z + units + j] = dcTotal * cPrev * gf * (1.0f - gf);
        dz[z + 2 * units + j] = dcTotal * gi * (1.0f - gg * gg);
        dz[z + 3 * units + j] = ghj * tc * go * (1.0f - go);
        dc[r] = dcTotal * gf;
        carried[r] = 0.0f;
    }
}

// hPrev [n, t, u]: h(i, t - 1), zero at t = 0, so that gU = hPrevᵀ·dz is one GEMM.
extern "C" __global__ void lstm_shift_hidden_f32(const float *hc, float *hPrev, int n, int steps, int units) {
    long long total = (long long)n * steps * units;
    GRID_STRIDE_LOOP(k, total) {
        long long row = k / units;
        int j = (int)(k - row * units);
        int t = (int)(row % steps);
        hPrev[k] = t == 0 ? 0.0f : hc[(row - 1) * 2 * units + j];
    }
}

// One gate's block of a Keras LSTM matrix [rows, 4u] (columns gate*u .. gate*u + u) to or from
// cuDNN's per-gate matrix [u, rows] (its transpose, contiguous); rows = 1 moves a bias block.
extern "C" __global__ void lstm_gate_block_f32(float *keras, float *cudnn, int rows, int units, int gate, int toCudnn) {
    long long total = (long long)rows * units;
    GRID_STRIDE_LOOP(k, total) {
        int j = (int)(k / rows);
        int r = (int)(k - (long long)j * rows);
        long long at = (long long)r * 4 * units + (long long)gate * units + j;
        if (toCudnn) {
            cudnn[k] = keras[at];
        } else {
            keras[at] = cudnn[k];
        }
    }
}
