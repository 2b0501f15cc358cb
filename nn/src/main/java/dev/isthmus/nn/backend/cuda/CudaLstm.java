package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.CublasHandle;
import dev.isthmus.cuda.DeviceBuffer;
import dev.isthmus.kernels.LstmKernels;
import dev.isthmus.kernels.ReductionKernels;

/**
 * The Keras LSTM on the GPU, the same algorithm as the CPU backend's: one cuBLAS GEMM projects
 * every step's input into the gates buffer, each step adds h(t-1)·U with one GEMM on strided
 * views and runs the fused gate kernel; backward runs through time the same way and ends with
 * three large GEMMs and a column sum for the bias. The recurrence keeps each step's c in hc and
 * clears all but the last when done (the backend contract); the backward rebuilds them from the
 * activated gates in a copy of hc.
 */
final class CudaLstm {
    private final CudaBackend backend;
    private final CublasHandle cublas;
    private final LstmKernels kernels;
    private final ReductionKernels reductions;
    private long forwards;

    CudaLstm(CudaBackend backend, CublasHandle cublas, LstmKernels kernels, ReductionKernels reductions) {
        this.backend = backend;
        this.cublas = cublas;
        this.kernels = kernels;
        this.reductions = reductions;
    }

    /** How many forwards ran here (tests use it to tell which LSTM path ran). */
    synchronized long forwards() {
        return forwards;
    }

    synchronized void forward(DeviceBuffer x, DeviceBuffer mask, DeviceBuffer w, DeviceBuffer u, DeviceBuffer bias,
                              int n, int steps, int d, int units, DeviceBuffer hc, DeviceBuffer gates) {
        int g4 = 4 * units;
        int h2 = 2 * units;
        cublas.gemm(false, false, n * steps, g4, d, 1f, x, 0, d, 0, w, 0, g4, 0, 0f, gates, 0, g4, 0, 1);
        for (int t = 0; t < steps; t++) {
            if (t > 0) {
                cublas.gemm(false, false, n, g4, units, 1f, hc, (long) (t - 1) * h2, steps * h2, 0, u, 0, g4, 0,
                        1f, gates, (long) t * g4, steps * g4, 0, 1);
            }
            kernels.stepForward(gates, bias, hc, mask, n, steps, units, t);
        }
        kernels.clearCells(hc, n, steps, units);
        forwards++;
    }

    void backward(DeviceBuffer x, DeviceBuffer mask, DeviceBuffer w, DeviceBuffer u, DeviceBuffer hc, DeviceBuffer gates,
                  DeviceBuffer gHc, int n, int steps, int d, int units, DeviceBuffer gx, DeviceBuffer gw,
                  DeviceBuffer gu, DeviceBuffer gb) {
        int g4 = 4 * units;
        long rows = (long) n * steps;
        long state = 4L * n * units;
        try (DeviceBuffer dz = backend.scratch(4L * rows * g4);
             DeviceBuffer dh = backend.scratch(state);
             DeviceBuffer dc = backend.scratch(state);
             DeviceBuffer carried = backend.scratch(state);
             DeviceBuffer hPrev = backend.scratch(4L * rows * units);
             DeviceBuffer states = backend.scratch(hc.byteSize())) {
            states.copyFrom(hc, 0, 0, hc.byteSize());
            kernels.rebuildCells(gates, mask, states, n, steps, units);
            dh.clear();
            dc.clear();
            for (int t = steps - 1; t >= 0; t--) {
                kernels.stepBackward(gates, states, gHc, mask, dz, dh, dc, carried, n, steps, units, t);
                // dh(t-1) = carried + dz(t)·Uᵀ
                dh.copyFrom(carried, 0, 0, state);
                cublas.gemm(false, true, n, units, g4, 1f, dz, (long) t * g4, steps * g4, 0, u, 0, g4, 0,
                        1f, dh, 0, units, 0, 1);
            }
            cublas.gemm(true, false, d, g4, (int) rows, 1f, x, 0, d, 0, dz, 0, g4, 0, 0f, gw, 0, g4, 0, 1);
            cublas.gemm(false, true, (int) rows, d, g4, 1f, dz, 0, g4, 0, w, 0, g4, 0, 0f, gx, 0, d, 0, 1);
            kernels.shiftHidden(states, hPrev, n, steps, units);
            cublas.gemm(true, false, units, g4, (int) rows, 1f, hPrev, 0, units, 0, dz, 0, g4, 0, 0f, gu, 0, g4, 0, 1);
            reductions.columnSum(dz, rows, g4, gb);
        }
    }
}
