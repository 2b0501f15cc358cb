package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.CudnnHandle;
import dev.isthmus.cuda.CudnnLstm;
import dev.isthmus.cuda.DeviceBuffer;
import dev.isthmus.cuda.Precision;
import dev.isthmus.kernels.IndexKernels;
import dev.isthmus.kernels.LstmKernels;
import dev.isthmus.nn.tensor.Storage;


/**
 * The LSTM through cuDNN's RNN v8 API, for sequences without a mask (cuDNN's variable lengths
 * cover post-padding only, and Keras masking carries the state over padding anywhere).
 *
 * <p>Each forward packs Keras's kernel [d, 4u], recurrent kernel [u, 4u] and bias [4u] into a
 * weight space of its own (per gate, transposed), which it keeps with cuDNN's reserve space
 * beside the op's gates tensor for its backward: two layers of one shape share a plan
 * (descriptors and sizes) but never weights. The backward zeroes a weight-gradient space,
 * lets cuDNN add into it (the only mode {@code cudnnRNNBackwardWeights_v8} has) and unpacks it.
 * cuDNN returns every h but only the last c, which is the backend contract (c of the last step
 * only, the earlier steps' c zero and their gradient ignored).
 */
final class CudnnLstmPath {
    /** Plans kept, for the shapes used last: a backward finds its forward's saved weights, whatever the plan. */
    private static final int PLANS = 64;

    private final CudaBackend backend;
    private final CudnnHandle cudnn;
    private final LstmKernels lstm;
    private final IndexKernels index;
    private final PlanCache<PlanKey, CudnnLstm> plans = new PlanCache<>(PLANS, CudnnLstm::close);
    private final SavedForBackward<Saved> saved = new SavedForBackward<>(Saved::release);
    private long forwards;
    private long reserves;

    private record PlanKey(int n, int steps, int d, int units, Precision precision) {
    }

    /** One forward's packed weights and reserve space. */
    private record Saved(DeviceBuffer weights, DeviceBuffer reserve) {
        void release() {
            weights.release();
            reserve.release();
        }
    }

    CudnnLstmPath(CudaBackend backend, CudnnHandle cudnn, LstmKernels lstm, IndexKernels index) {
        this.backend = backend;
        this.cudnn = cudnn;
        this.lstm = lstm;
        this.index = index;
    }

    private CudnnLstm plan(int n, int steps, int d, int units) {
        return plans.get(new PlanKey(n, steps, d, units, backend.precision()),
                k -> new CudnnLstm(cudnn, backend.pool(), k.precision(), n, steps, d, units));
    }

    /** How many forwards kept a reserve space for a backward (tests: none under noGrad). */
    synchronized long reserves() {
        return reserves;
    }

    /** How many forwards ran here (tests use it to tell which LSTM path ran). */
    synchronized long forwards() {
        return forwards;
    }

    /** Without {@code forBackward} (inference) nothing is kept: no reserve space, weights freed after the call. */
    synchronized void forward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer u, DeviceBuffer bias, int n, int steps, int d,
                              int units, DeviceBuffer hc, Storage gatesStorage, boolean forBackward) {
        CudnnLstm rnn = plan(n, steps, d, units);
        Saved s = new Saved(backend.scratch(rnn.weightSpaceBytes()),
                forBackward ? backend.scratch(Math.max(rnn.reserveBytes(), 4)) : null);
        if (forBackward) {
            saved.put(gatesStorage, s);
            reserves++;
        }
        for (int g = 0; g < 4; g++) {
            lstm.gateBlock(w, rnn.inputWeights(s.weights, g), d, units, g, true);
            lstm.gateBlock(u, rnn.recurrentWeights(s.weights, g), units, units, g, true);
            lstm.gateBlock(bias, rnn.bias(s.weights, g), 1, units, g, true);
        }
        try (DeviceBuffer y = backend.scratch(4L * n * steps * units);
             DeviceBuffer cy = backend.scratch(4L * n * units);
             DeviceBuffer workspace = backend.scratch(Math.max(rnn.workspaceBytes(), 4))) {
            rnn.forward(x, y, cy, s.weights, workspace, s.reserve);
            int h2 = 2 * units;
            // h of every step into hc[:, :, :u]; the last c into hc[:, t-1, u:]; every other c is 0
            hc.clear();
            index.copySlice(y, hc, (long) n * steps, units, h2, 0, 0, units, 1);
            index.copySlice(cy, hc, n, units, (long) steps * h2, 0, (long) (steps - 1) * h2 + units, units, 1);
        }
        if (!forBackward) {
            s.weights.release();
        }
        forwards++;
    }

    synchronized void backward(DeviceBuffer x, DeviceBuffer hc, Storage gatesStorage, DeviceBuffer gHc, int n, int steps,
                               int d, int units, DeviceBuffer gx, DeviceBuffer gw, DeviceBuffer gu, DeviceBuffer gb) {
        CudnnLstm rnn = plan(n, steps, d, units);
        Saved s = saved.get(gatesStorage);
        if (s == null) {
            throw new IllegalStateException("cuDNN LSTM backward without its forward's weights and reserve space (was"
                    + " the forward run on another path, or its scope closed?)");
        }
        int h2 = 2 * units;
        try (DeviceBuffer y = backend.scratch(4L * n * steps * units);
             DeviceBuffer dy = backend.scratch(4L * n * steps * units);
             DeviceBuffer dcy = backend.scratch(4L * n * units);
             DeviceBuffer workspace = backend.scratch(Math.max(rnn.workspaceBytes(), 4));
             DeviceBuffer weightGradients = backend.scratch(rnn.weightSpaceBytes())) {
            index.copySlice(hc, y, (long) n * steps, h2, units, 0, 0, units, 1);
            index.copySlice(gHc, dy, (long) n * steps, h2, units, 0, 0, units, 1);
            index.copySlice(gHc, dcy, n, (long) steps * h2, units, (long) (steps - 1) * h2 + units, 0, units, 1);
            rnn.backwardData(y, dy, gx, dcy, s.weights, workspace, s.reserve);
            weightGradients.clear();
            rnn.backwardWeights(x, y, weightGradients, workspace, s.reserve);
            for (int g = 0; g < 4; g++) {
                lstm.gateBlock(gw, rnn.inputWeights(weightGradients, g), d, units, g, false);
                lstm.gateBlock(gu, rnn.recurrentWeights(weightGradients, g), units, units, g, false);
                lstm.gateBlock(gb, rnn.bias(weightGradients, g), 1, units, g, false);
            }
        }
    }
}
