package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.CudnnHandle;
import dev.isthmus.cuda.CudnnLstm;
import dev.isthmus.cuda.DeviceBuffer;
import dev.isthmus.kernels.IndexKernels;
import dev.isthmus.kernels.LstmKernels;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Storage;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * The LSTM through cuDNN's RNN v8 API, for sequences without a mask (cuDNN's variable lengths
 * cover post-padding only, and Keras masking carries the state over padding anywhere).
 *
 * <p>Keras's kernel [d, 4u], recurrent kernel [u, 4u] and bias [4u] are packed into cuDNN's
 * weight space before each forward (per gate, transposed) and the weight gradient unpacked
 * after each backward. The backend's LSTM contract keeps h and c of every step in hc; cuDNN
 * returns every h but only the last c, so here hc holds h for every step and c for the last one
 * (the LSTM layer reads exactly those), and the gradient of c is taken at the last step only.
 * cuDNN's reserve space, which its backward pass needs, is kept beside the op's gates tensor
 * and freed with it. Plans are kept for the {@value #PLANS} shapes used last; the bound is far above
 * the shapes one step runs between a forward and its backward, which must find the same plan.
 */
final class CudnnLstmPath {
    private static final int PLANS = 64;

    private final CudaBackend backend;
    private final CudnnHandle cudnn;
    private final LstmKernels lstm;
    private final IndexKernels index;
    private final PlanCache<String, Plan> plans = new PlanCache<>(PLANS, Plan::free);
    private final Map<Storage, DeviceBuffer> reserves = new WeakHashMap<>();

    private record Plan(CudnnLstm rnn, DeviceBuffer weights, DeviceBuffer weightGradients) {
        void free() {
            rnn.close();
            weights.close();
            weightGradients.close();
        }
    }

    CudnnLstmPath(CudaBackend backend, CudnnHandle cudnn, LstmKernels lstm, IndexKernels index) {
        this.backend = backend;
        this.cudnn = cudnn;
        this.lstm = lstm;
        this.index = index;
    }

    private Plan plan(int n, int steps, int d, int units) {
        return plans.get(n + "x" + steps + "x" + d + "x" + units, k -> {
            CudnnLstm rnn = new CudnnLstm(cudnn, backend.pool(), n, steps, d, units);
            return new Plan(rnn, backend.scratch(rnn.weightSpaceBytes()), backend.scratch(rnn.weightSpaceBytes()));
        });
    }

    synchronized void forward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer u, DeviceBuffer bias, int n, int steps, int d,
                              int units, DeviceBuffer hc, Storage gatesStorage) {
        Plan p = plan(n, steps, d, units);
        for (int g = 0; g < 4; g++) {
            lstm.gateBlock(w, p.rnn.inputWeights(p.weights, g), d, units, g, true);
            lstm.gateBlock(u, p.rnn.recurrentWeights(p.weights, g), units, units, g, true);
            lstm.gateBlock(bias, p.rnn.bias(p.weights, g), 1, units, g, true);
        }
        DeviceBuffer reserve = backend.scratch(Math.max(p.rnn.reserveBytes(), 4));
        keep(gatesStorage, reserve);
        try (DeviceBuffer y = backend.scratch(4L * n * steps * units);
             DeviceBuffer cy = backend.scratch(4L * n * units);
             DeviceBuffer workspace = backend.scratch(Math.max(p.rnn.workspaceBytes(), 4))) {
            p.rnn.forward(x, y, cy, p.weights, workspace, reserve);
            int h2 = 2 * units;
            // h of every step into hc[:, :, :u]; the last c into hc[:, t-1, u:]
            index.copySlice(y, hc, (long) n * steps, units, h2, 0, 0, units, 1);
            index.copySlice(cy, hc, n, units, (long) steps * h2, 0, (long) (steps - 1) * h2 + units, units, 1);
        }
    }

    synchronized void backward(DeviceBuffer x, DeviceBuffer hc, Storage gatesStorage, DeviceBuffer gHc, int n, int steps,
                               int d, int units, DeviceBuffer gx, DeviceBuffer gw, DeviceBuffer gu, DeviceBuffer gb) {
        Plan p = plan(n, steps, d, units);
        DeviceBuffer reserve = reserves.get(gatesStorage);
        if (reserve == null) {
            throw new IllegalStateException("cuDNN LSTM backward without its forward's reserve space (was the forward"
                    + " run on another path, or its scope closed?)");
        }
        int h2 = 2 * units;
        try (DeviceBuffer y = backend.scratch(4L * n * steps * units);
             DeviceBuffer dy = backend.scratch(4L * n * steps * units);
             DeviceBuffer dcy = backend.scratch(4L * n * units);
             DeviceBuffer workspace = backend.scratch(Math.max(p.rnn.workspaceBytes(), 4))) {
            index.copySlice(hc, y, (long) n * steps, h2, units, 0, 0, units, 1);
            index.copySlice(gHc, dy, (long) n * steps, h2, units, 0, 0, units, 1);
            index.copySlice(gHc, dcy, n, (long) steps * h2, units, (long) (steps - 1) * h2 + units, 0, units, 1);
            p.rnn.backwardData(y, dy, gx, dcy, p.weights, workspace, reserve);
            p.rnn.backwardWeights(x, y, p.weightGradients, workspace, reserve);
        }
        for (int g = 0; g < 4; g++) {
            lstm.gateBlock(gw, p.rnn.inputWeights(p.weightGradients, g), d, units, g, false);
            lstm.gateBlock(gu, p.rnn.recurrentWeights(p.weightGradients, g), units, units, g, false);
            lstm.gateBlock(gb, p.rnn.bias(p.weightGradients, g), 1, units, g, false);
        }
    }

    /** The reserve lives as long as the gates tensor the op returned beside hc. */
    private void keep(Storage gates, DeviceBuffer reserve) {
        DeviceBuffer old = reserves.put(gates, reserve);
        if (old != null) {
            old.close();
        }
        Scope owner = gates.owner();
        if (owner != null) {
            owner.onClose(reserve::release);
        } else {
            GcReleasedMemory.register(gates, reserve::release);
        }
    }
}
