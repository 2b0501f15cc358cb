package dev.isthmus.kernels;

import dev.isthmus.cuda.DeviceMemory;
import dev.isthmus.cuda.KernelArguments;

/** Launchers for {@code lstm.cu}: the fused per-step gate math of the cuBLAS LSTM path. */
public final class LstmKernels {
    static final String[] ENTRIES = {"lstm_step_forward_f32", "lstm_step_backward_f32", "lstm_shift_hidden_f32",
        "lstm_gate_block_f32", "lstm_clear_cells_f32", "lstm_rebuild_cells_f32"};

    private final KernelLauncher kernels;
    private final KernelArguments args = new KernelArguments();

    public LstmKernels(KernelLauncher kernels) {
        this.kernels = kernels;
    }

    /** Activates step t's gates in place and writes h, c of step t into hc; mask may be null. */
    public synchronized void stepForward(DeviceMemory gates, DeviceMemory bias, DeviceMemory hc, DeviceMemory mask,
                                         int n, int steps, int units, int t) {
        args.reset().pointer(gates).pointer(bias).pointer(hc);
        if (mask == null) {
            args.nullPointer();
        } else {
            args.pointer(mask);
        }
        args.i32(n).i32(steps).i32(units).i32(t);
        kernels.linear(KernelFamily.LSTM, "lstm_step_forward_f32", (long) n * units, args);
    }

    public synchronized void stepBackward(DeviceMemory gates, DeviceMemory hc, DeviceMemory gHc, DeviceMemory mask,
                                          DeviceMemory dz, DeviceMemory dh, DeviceMemory dc, DeviceMemory carried,
                                          int n, int steps, int units, int t) {
        args.reset().pointer(gates).pointer(hc).pointer(gHc);
        if (mask == null) {
            args.nullPointer();
        } else {
            args.pointer(mask);
        }
        args.pointer(dz).pointer(dh).pointer(dc).pointer(carried).i32(n).i32(steps).i32(units).i32(t);
        kernels.linear(KernelFamily.LSTM, "lstm_step_backward_f32", (long) n * units, args);
    }

    /** Zeroes c of every step but the last in hc (the backend keeps the last step's c only). */
    public synchronized void clearCells(DeviceMemory hc, int n, int steps, int units) {
        if (steps < 2) {
            return;
        }
        args.reset().pointer(hc).i32(n).i32(steps).i32(units);
        kernels.linear(KernelFamily.LSTM, "lstm_clear_cells_f32", (long) n * (steps - 1) * units, args);
    }

    /** Rebuilds c of every step in hc (a copy of the forward's output) from the activated gates; mask may be null. */
    public synchronized void rebuildCells(DeviceMemory gates, DeviceMemory mask, DeviceMemory hc, int n, int steps,
                                          int units) {
        args.reset().pointer(gates);
        if (mask == null) {
            args.nullPointer();
        } else {
            args.pointer(mask);
        }
        args.pointer(hc).i32(n).i32(steps).i32(units);
        kernels.linear(KernelFamily.LSTM, "lstm_rebuild_cells_f32", (long) n * units, args);
    }

    public synchronized void shiftHidden(DeviceMemory hc, DeviceMemory hPrev, int n, int steps, int units) {
        args.reset().pointer(hc).pointer(hPrev).i32(n).i32(steps).i32(units);
        kernels.linear(KernelFamily.LSTM, "lstm_shift_hidden_f32", (long) n * steps * units, args);
    }

    /**
     * Moves one gate's block between a Keras matrix [rows, 4u] (columns gate·u … gate·u + u) and
     * cuDNN's per-gate matrix [u, rows]: {@code toCudnn} packs, otherwise unpacks. rows = 1 moves a bias.
     */
    public synchronized void gateBlock(DeviceMemory keras, DeviceMemory cudnn, int rows, int units, int gate,
                                       boolean toCudnn) {
        args.reset().pointer(keras).pointer(cudnn).i32(rows).i32(units).i32(gate).i32(toCudnn ? 1 : 0);
        kernels.linear(KernelFamily.LSTM, "lstm_gate_block_f32", (long) rows * units, args);
    }
}
