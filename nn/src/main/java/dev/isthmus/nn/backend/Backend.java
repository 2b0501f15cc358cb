package dev.isthmus.nn.backend;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.DeviceCounters;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Storage;
import dev.isthmus.nn.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The primitive operations a device implements. Inputs and outputs are contiguous row-major
 * tensors on this backend's device, float32 unless a method says otherwise; outputs are allocated
 * by the caller (shapes and element types are checked by {@link Tensor} before a primitive is
 * called). Index tensors (row numbers, labels) are int32 or int64, and every index op checks its
 * indices against their bound: the CPU throws {@link dev.isthmus.nn.tensor.IndexOutOfRangeException}
 * at once, a device backend at its next read of values to the host. Autograd composes these
 * primitives; a backend never records the tape.
 */
public interface Backend {
    /** The device whose memory this backend's tensors live in. */
    Device device();

    /** A one-line description, e.g. "cpu (2 threads, vector GEMM 512-bit)". */
    String describe();

    /**
     * Storage of {@code numel} elements of {@code dtype} owned by {@code owner} (null: GC-managed).
     * Its contents are unspecified: no op pays for zeros it does not need, so callers that
     * accumulate into it, or promise zeros, {@link #fill} it first.
     */
    Storage allocate(long numel, DType dtype, Scope owner);

    /** The counters behind {@link Device#stats()}. */
    DeviceCounters counters();

    /**
     * Copies {@code dst.storage().byteSize()} bytes of host memory (heap or native) into {@code dst};
     * {@code src} may be reused or freed as soon as this returns (the copy may still be in flight).
     */
    void copyFromHost(MemorySegment src, Tensor dst);

    /**
     * Copies every element of {@code src} into host memory (heap or native); waits for pending
     * device work, and raises a pending index error of earlier work.
     */
    void copyToHost(Tensor src, MemorySegment dst);

    /** Copies the elements of {@code src} into {@code dst} (same element type and count). */
    void copy(Tensor src, Tensor dst);

    /**
     * Converts between element types, elementwise: integers to float32 round to nearest, float32
     * to integers truncate toward zero (NaN gives 0, out-of-range values saturate, as Java's casts).
     */
    void cast(Tensor src, Tensor dst);

    /** Sets every element of {@code out} (float32) to {@code value}, enqueued on the device. */
    void fill(Tensor out, float value);

    /** Counter-based random numbers: element i depends only on (seed, i), never on threads. */
    void random(Tensor out, Distribution distribution, float a, float b, long seed);

    /** As {@link #random(Tensor, Distribution, float, float, long)}, the seed read when the op runs from an int64 cell. */
    void random(Tensor out, Distribution distribution, float a, float b, DeviceCell seed);

    /**
     * Strided batched GEMM on contiguous matrices: for each batch index {@code i},
     * {@code C_i = alpha · op(A_i) · op(B_i) + beta · C_i}, where {@code op(A_i)} is m×k and
     * {@code op(B_i)} is k×n; a stride of 0 reuses one matrix for every batch.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              Tensor a, long strideA, Tensor b, long strideB, float beta, Tensor c, long strideC, int batch);

    /**
     * {@code out = op(x)} elementwise, with the op's scalar parameters {@code p} and {@code q} (see {@link UnaryOp});
     * {@code x} and {@code out} are float32 tensors of one shape on this device, possibly the same tensor.
     */
    void unary(UnaryOp op, Tensor x, float p, float q, Tensor out);

    /** gx = gy · d op(x)/dx, given x and y = op(x). */
    void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gy, float p, float q, Tensor gx);

    /**
     * {@code out = a op b} elementwise with NumPy broadcasting ({@code out} has the broadcast shape), on this device.
     */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** Reduces {@code x} over {@code axes} (sorted, distinct); {@code out} has x's rank with 1 on those axes. */
    void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out);

    /** Softmax (or log-softmax) over the last axis. */
    void softmax(Tensor x, boolean log, Tensor out);

    /** Gradient of softmax (or log-softmax) over the last axis, given its output y. */
    void softmaxBackward(Tensor y, Tensor gy, boolean log, Tensor gx);

    /** out = x with axes permuted: out.shape[i] = x.shape[perm[i]]. */
    void permute(Tensor x, int[] perm, Tensor out);

    /**
     * Copies {@code length} positions along {@code axis} from {@code src} (starting at
     * {@code srcStart}) into {@code dst} (starting at {@code dstStart}); all other dimensions
     * match. Any element type (both tensors have the same).
     */
    void copySlice(Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length);

    /**
     * out[i, ...] = src[index[i], ...] for an int32 or int64 index, each in [0, src.size(0));
     * {@code src} and {@code out} of any one element type.
     */
    void gatherRows(Tensor src, Tensor index, Tensor out);

    /** out[index[i], ...] += g[i, ...]; indices as for {@link #gatherRows}. */
    void scatterAddRows(Tensor g, Tensor index, Tensor out);

    /** out[i] = x[i, label[i]] for x of shape [n, c] and int32 or int64 labels in [0, c). */
    void pick(Tensor x, Tensor labels, Tensor out);

    /** gx[i, label[i]] += g[i]. */
    void pickBackward(Tensor g, Tensor labels, Tensor gx);

    /** Whether {@link #dropoutMask} runs here (else callers compose it). */
    default boolean fusesDropoutMask() {
        return false;
    }

    /**
     * out[i] = scale where draw i of stream {@code seed} (the {@code UNIFORM} [0, 1) draw of
     * {@link #random}) exceeds rate, else 0: what {@code random} (UNIFORM, 0, 1), {@code GT} against
     * rate and {@code AFFINE(scale, 0)} give, bit for bit. Only where {@link #fusesDropoutMask}.
     */
    default void dropoutMask(Tensor out, float rate, float scale, long seed) {
        throw new UnsupportedOperationException("no fused dropout mask on " + device());
    }

    /** Whether {@link #scaledSoftmax} and {@link #scaledSoftmaxBackward} run here (else callers compose them). */
    default boolean fusesScaledSoftmax() {
        return false;
    }

    /**
     * out = softmax(x·scale + bias) along the last axis, bias (null for none) broadcast to x as a
     * binary op broadcasts it, with x's last axis: what {@code AFFINE(scale, 0)}, {@code ADD} and
     * {@link #softmax} give, bit for bit. Only where {@link #fusesScaledSoftmax}.
     */
    default void scaledSoftmax(Tensor x, float scale, Tensor bias, Tensor out) {
        throw new UnsupportedOperationException("no fused scaled softmax on " + device());
    }

    /** gx = scale · (the softmax backward of gy through y): {@link #scaledSoftmax}'s input gradient. */
    default void scaledSoftmaxBackward(Tensor y, Tensor gy, float scale, Tensor gx) {
        throw new UnsupportedOperationException("no fused scaled softmax on " + device());
    }

    /** Whether {@link #layerNorm} and {@link #layerNormBackward} run here (else callers compose the op). */
    default boolean fusesLayerNorm() {
        return false;
    }

    /**
     * Layer normalization of each row (the last axis, c features) of x: y = (x − mean)·rstd·gamma +
     * beta with rstd = 1/sqrt(var + epsilon), the biased variance; gamma and beta [c] may be null
     * (1 and 0). Writes each row's mean and rstd ([rows]) for {@link #layerNormBackward}. Only where
     * {@link #fusesLayerNorm}.
     */
    default void layerNorm(Tensor x, Tensor gamma, Tensor beta, float epsilon, Tensor y, Tensor mean, Tensor rstd) {
        throw new UnsupportedOperationException("no fused layer normalization on " + device());
    }

    /**
     * The gradients of {@link #layerNorm} from g (y's gradient): gx, and gGamma and gBeta ([c]; either
     * may be null when not wanted), from x, gamma (null for 1) and the saved mean and rstd.
     */
    default void layerNormBackward(Tensor g, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gx,
                                   Tensor gGamma, Tensor gBeta) {
        throw new UnsupportedOperationException("no fused layer normalization on " + device());
    }

    /** Whether {@link #logSoftmaxPickBackward} runs here (else callers take its two steps themselves). */
    default boolean fusesLogSoftmaxPick() {
        return false;
    }

    /**
     * The gradient of out[i] = y[i, label[i]] through y = logSoftmax(x) [n, c], in one pass:
     * gx[i, j] = [j = label[i]]·g[i] − exp(y[i, j])·g[i], what {@link #pickBackward} into zeros and
     * then {@link #softmaxBackward} give, bit for bit. Only where {@link #fusesLogSoftmaxPick}.
     */
    default void logSoftmaxPickBackward(Tensor y, Tensor g, Tensor labels, Tensor gx) {
        throw new UnsupportedOperationException("no fused log-softmax pick on " + device());
    }

    /**
     * out[r] (int32) = the first index of the largest value along the last axis of row r of x;
     * a NaN counts as the largest (the first NaN wins), as {@code Math.max} lets NaN win.
     */
    void argmax(Tensor x, Tensor out);

    /**
     * {@code dst[row, ...] = src}, all of src, for the row index read when the op runs from an
     * int32 {@link DeviceCell} (a row outside [0, dst.size(0)) writes nothing); any one element
     * type of 4 bytes, src holding one row of dst.
     */
    void copyRowAt(Tensor src, Tensor dst, DeviceCell row);

    /**
     * 2-D convolution, channels-last: x [n, h, w, c], kernel [kh, kw, c, f] (Keras layout),
     * out [n, oh, ow, f].
     */
    void conv2d(Tensor x, Tensor kernel, Window2d window, Tensor out);

    /**
     * Whether {@link #conv2d(Tensor, Tensor, Tensor, boolean, Window2d, Tensor)} runs the bias and
     * ReLU in the convolution's own pass; when false, callers compose the separate operations.
     */
    default boolean fusesConv2dEpilogue() {
        return false;
    }

    /**
     * out = relu?(conv2d(x, kernel) + bias) (bias [f], or null for none), bit for bit what the
     * separate conv2d, ADD and RELU give; only where {@link #fusesConv2dEpilogue()} says so.
     * @throws UnsupportedOperationException on a backend that does not fuse them
     */
    default void conv2d(Tensor x, Tensor kernel, Tensor bias, boolean relu, Window2d window, Tensor out) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not fuse a convolution's bias and ReLU;"
                + " check fusesConv2dEpilogue() first");
    }

    /** Gradient of conv2d with respect to its input: gx [n, h, w, c] from gy [n, oh, ow, f]. */
    void conv2dBackwardData(Tensor gy, Tensor kernel, Window2d window, Tensor gx);

    /** Gradient of conv2d with respect to its kernel: gk [kh, kw, c, f]. */
    void conv2dBackwardFilter(Tensor x, Tensor gy, Window2d window, Tensor gk);

    /**
     * Max pooling, channels-last. Each window's winner is the first position holding its largest
     * value in {@link Math#max}'s order (a NaN above everything, so NaN propagates; +0 above -0);
     * padded positions never win.
     */
    void maxPool2d(Tensor x, Window2d window, Tensor out);

    /** Routes gy to the position that won each window (the first one on ties, infinite ones included). */
    void maxPool2dBackward(Tensor x, Tensor gy, Window2d window, Tensor gx);

    /**
     * A Keras LSTM over a whole sequence (gates i, f, c, o). x [n, t, d], kernel [d, 4u],
     * recurrent [u, 4u], bias [4u]; mask [n, t] (1 real step, 0 padding: the state is carried
     * unchanged) or null. Writes hc [n, t, 2u]: the hidden state of every step in hc[:, :, :u],
     * and the cell state of the last step in hc[:, t-1, u:]; the cell slots of the earlier steps
     * are zero on every backend (cuDNN's RNN returns no other cell state, and the Keras layer
     * reads none). Keeps the activated gates [n, t, 4u] for the backward pass. Without
     * {@code forBackward} no backward follows (inference), and a backend may skip what only the
     * backward needs (cuDNN's reserve space).
     */
    void lstmForward(Tensor x, Tensor mask, Tensor kernel, Tensor recurrent, Tensor bias, Tensor hc, Tensor gates,
                     boolean forBackward);

    /**
     * Backward of {@link #lstmForward} given the gradient of hc (of its cell slots, only the last
     * step's is read); writes gx, gKernel, gRecurrent and gBias (overwritten, not accumulated).
     */
    void lstmBackward(Tensor x, Tensor mask, Tensor kernel, Tensor recurrent, Tensor hc, Tensor gates, Tensor gHc,
                      Tensor gx, Tensor gKernel, Tensor gRecurrent, Tensor gBias);

    /**
     * {@code out} (one float32 element) takes the float32 in the first four bytes of {@code cell}
     * when the op runs: how a replayable step turns a host value that changes per step (a
     * learning rate) into a tensor its elementwise ops can use.
     */
    void copyCell(DeviceCell cell, Tensor out);

    /** One Adam step in place, Keras formulation; {@code step} counts from 1. */
    void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2,
                    float epsilon, long step);

    /**
     * One Adam step over many parameters: {@code groups} holds {param, grad, m, v} per parameter.
     * Backends that can update them all in one pass (one kernel launch on CUDA) override this.
     */
    default void adamUpdateAll(java.util.List<Tensor[]> groups, float lr, float beta1, float beta2, float epsilon,
                               long step) {
        for (Tensor[] g : groups) {
            adamUpdate(g[0], g[1], g[2], g[3], lr, beta1, beta2, epsilon, step);
        }
    }

    /**
     * As {@link #adamUpdateAll(java.util.List, float, float, float, float, long)}, with the
     * bias-corrected learning rate ({@link #adamAlpha}) read when the op runs from a float32 cell.
     */
    void adamUpdateAll(java.util.List<Tensor[]> groups, DeviceCell alpha, float beta1, float beta2, float epsilon);

    /** Adam's bias-corrected learning rate at {@code step} (from 1): lr·sqrt(1-β2ᵗ)/(1-β1ᵗ), Keras's formulation. */
    static float adamAlpha(float lr, float beta1, float beta2, long step) {
        return (float) (lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
    }

    /**
     * Captures what {@code step} enqueues into a {@link StepGraph} to replay, or returns null when
     * this backend runs every step as it is called (the CPU, where there is no launch cost to
     * save). While the capture runs, host reads, synchronisations and uploads throw
     * {@link CaptureViolationException}; the step's work is recorded, not run.
     */
    default StepGraph captureStep(Runnable step) {
        return null;
    }

    /** Waits until every operation enqueued so far has finished. */
    void synchronize();

    /**
     * The distributions {@link #random(Tensor, Distribution, float, float, long)} draws from, parameters {@code a}
     * and {@code b}.
     */
    enum Distribution {
        /** uniform in [a, b) */
        UNIFORM,
        /** normal with mean a and standard deviation b */
        NORMAL,
        /** normal with mean a and standard deviation b, redrawn beyond two standard deviations */
        TRUNCATED_NORMAL,
        /** 1 with probability a, else 0 */
        BERNOULLI
    }
}
