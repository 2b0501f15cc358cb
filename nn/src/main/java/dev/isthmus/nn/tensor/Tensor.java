package dev.isthmus.nn.tensor;

import dev.isthmus.nn.autograd.GradMode;
import dev.isthmus.nn.autograd.Node;
import dev.isthmus.nn.backend.Backend;
import dev.isthmus.nn.backend.Backend.Distribution;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.backend.DeviceCell;
import dev.isthmus.nn.backend.StepCapture;
import dev.isthmus.nn.backend.BinaryOp;
import dev.isthmus.nn.backend.ReduceOp;
import dev.isthmus.nn.backend.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * A row-major, contiguous n-dimensional array on one {@link Device}, with reverse-mode automatic
 * differentiation. Elements are float32 unless made otherwise: int32 and int64 tensors
 * ({@link #of(int[], int...)}, {@link #of(long[], int...)}, {@link #cast}) carry indices, labels
 * and token ids, and take part in the ops that read them (indexSelect, pick, slices, concat,
 * reshape, copies); arithmetic takes float32 only. Operations return new tensors owned by the
 * current {@link Scope}; the few in-place operations ({@code ...InPlace}) are for optimizers,
 * never record the tape, and bump the memory's version, which a later backward checks.
 */
public final class Tensor {
    private final int[] shape;
    private final Storage storage;
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private Squashed squashed;

    /**
     * The activation ("softmax" over the last axis, or "sigmoid") that made a tensor, its input, and
     * the versions of both then: a write in place to either makes the pair stale.
     */
    private record Squashed(String activation, Tensor logits, int logitsVersion, int outputVersion) {
        Squashed(String activation, Tensor logits, Tensor output) {
            this(activation, logits, logits.storage.version(), output.storage.version());
        }
    }

    private Tensor(int[] shape, Storage storage) {
        this.shape = shape;
        this.storage = storage;
    }

    // ---------------------------------------------------------------- creation

    /** A float32 tensor of unspecified contents on {@code device}, owned by the current scope. */
    public static Tensor empty(Device device, int... shape) {
        return empty(device, DType.FLOAT32, shape);
    }

    /** A tensor of {@code dtype} and unspecified contents, owned by the current scope. */
    public static Tensor empty(Device device, DType dtype, int... shape) {
        return allocate(device, Scope.current(), dtype, shape.clone());
    }

    /** A zero-filled float32 tensor owned by {@code owner} (null: GC-managed), whatever scope is current. */
    public static Tensor zeros(Scope owner, Device device, int... shape) {
        return zeroFilled(allocate(device, owner, DType.FLOAT32, shape.clone()));
    }

    private static Tensor zeroFilled(Tensor t) {
        if (t.numel() > 0) {
            t.backend().fill(t, 0f);
        }
        return t;
    }

    private static Tensor allocate(Device device, Scope owner, DType dtype, int[] shape) {
        Shapes.checkValid(shape);
        return new Tensor(shape, Backends.of(device).allocate(Shapes.numel(shape), dtype, owner));
    }

    /**
     * A new tensor of {@code t}'s device and element type, owned by the current scope, of
     * unspecified contents: for outputs an op overwrites whole.
     */
    static Tensor like(Tensor t, int[] shape) {
        return allocate(t.device(), Scope.current(), t.dtype(), shape);
    }

    /** As {@link #like}, zero-filled: for outputs an op accumulates into or writes in part. */
    static Tensor zerosLike(Tensor t, int[] shape) {
        return zeroFilled(like(t, shape));
    }

    /** A tensor holding {@code data} in row-major order with the given shape, on the default device. */
    public static Tensor of(float[] data, int... shape) {
        return of(Backends.defaultDevice(), data, shape);
    }

    /**
     * As {@link #of(float[], int...)}, on {@code device}: {@code data} is copied there; owned by the current scope.
     * @throws ShapeMismatchException if {@code data.length} does not fill {@code shape}
     */
    public static Tensor of(Device device, float[] data, int... shape) {
        return fromHost(device, DType.FLOAT32, MemorySegment.ofArray(data), data.length, shape);
    }

    /** An int32 tensor (indices, labels, token ids) holding {@code data}, on the default device. */
    public static Tensor of(int[] data, int... shape) {
        return of(Backends.defaultDevice(), data, shape);
    }

    /**
     * As {@link #of(int[], int...)}, on {@code device}: an int32 copy of {@code data}, owned by the current scope.
     * @throws ShapeMismatchException if {@code data.length} does not fill {@code shape}
     */
    public static Tensor of(Device device, int[] data, int... shape) {
        return fromHost(device, DType.INT32, MemorySegment.ofArray(data), data.length, shape);
    }

    /** An int64 tensor holding {@code data}, on the default device. */
    public static Tensor of(long[] data, int... shape) {
        return of(Backends.defaultDevice(), data, shape);
    }

    /**
     * As {@link #of(long[], int...)}, on {@code device}: an int64 copy of {@code data}, owned by the current scope.
     * @throws ShapeMismatchException if {@code data.length} does not fill {@code shape}
     */
    public static Tensor of(Device device, long[] data, int... shape) {
        return fromHost(device, DType.INT64, MemorySegment.ofArray(data), data.length, shape);
    }

    /** A tensor of {@code count} host values; an empty shape means a vector of them (a scalar for one). */
    private static Tensor fromHost(Device device, DType dtype, MemorySegment data, int count, int[] shape) {
        int[] s = shape.length == 0 && count != 1 ? new int[] {count} : shape.clone();
        if (Shapes.numel(s) != count) {
            throw new ShapeMismatchException("Tensor.of: " + count + " values cannot fill shape "
                    + Shapes.str(s) + " (" + Shapes.numel(s) + " elements)");
        }
        Tensor t = allocate(device, Scope.current(), dtype, s);
        if (count > 0) {
            t.backend().copyFromHost(data, t);
        }
        return t;
    }

    /** A 2-D tensor from rows of equal length. */
    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new ShapeMismatchException("Tensor.of: row " + i + " has " + rows[i].length
                        + " values but row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return of(flat, rows.length, cols);
    }

    /**
     * A float32 scalar (shape {@code []}, one element) of {@code value} on the default device, owned by the current
     * scope.
     */
    public static Tensor scalar(float value) {
        return of(new float[] {value});
    }

    /** A zero-filled float32 tensor on the default device, owned by the current scope. */
    public static Tensor zeros(int... shape) {
        return zeroFilled(empty(Backends.defaultDevice(), shape));
    }

    /** A float32 tensor of ones on the default device, owned by the current scope. */
    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /**
     * A float32 tensor of {@code value} on the default device, owned by the current scope; see {@link #full(Device,
     * float, int...)}.
     */
    public static Tensor full(float value, int... shape) {
        return full(Backends.defaultDevice(), value, shape);
    }

    /** A float32 tensor of {@code value} on {@code device}, filled there (no upload). */
    public static Tensor full(Device device, float value, int... shape) {
        Tensor t = empty(device, shape);
        if (t.numel() > 0) {
            t.backend().fill(t, value);
        }
        return t;
    }

    /** A zero-filled tensor of {@code t}'s shape, element type and device, owned by the current scope. */
    public static Tensor zerosLike(Tensor t) {
        return zerosLike(t, t.shape);
    }

    /** A tensor of ones of {@code t}'s shape, element type and device, owned by the current scope. */
    public static Tensor onesLike(Tensor t) {
        Tensor o = like(t, t.shape);
        o.backend().fill(o, 1f);
        return o;
    }

    /** Uniform in [low, high); element i depends only on (seed, i). */
    public static Tensor uniform(int[] shape, float low, float high, long seed) {
        return random(shape, Distribution.UNIFORM, low, high, seed);
    }

    /**
     * Float32 samples of a normal distribution with {@code mean} and standard deviation {@code std}, on the default
     * device, owned by the current scope; element i depends only on (seed, i), so a seed gives the same tensor on
     * every device and run.
     */
    public static Tensor normal(int[] shape, float mean, float std, long seed) {
        return random(shape, Distribution.NORMAL, mean, std, seed);
    }

    /**
     * Normal with mean and std, redrawn where it falls more than two standard deviations from the
     * mean (Keras's {@code TruncatedNormal}; the result's std is about 0.88 · {@code std}).
     */
    public static Tensor truncatedNormal(int[] shape, float mean, float std, long seed) {
        return random(shape, Distribution.TRUNCATED_NORMAL, mean, std, seed);
    }

    /** Glorot (Xavier) uniform: limit sqrt(6 / (fanIn + fanOut)), fans as Keras computes them. */
    public static Tensor glorotUniform(int[] shape, long seed) {
        long[] fans = fans(shape);
        float limit = (float) Math.sqrt(6.0 / (fans[0] + fans[1]));
        return uniform(shape, -limit, limit, seed);
    }

    /** He normal: truncated normal with std sqrt(2 / fanIn), as Keras. */
    public static Tensor heNormal(int[] shape, long seed) {
        long[] fans = fans(shape);
        // Keras divides by the std of a normal truncated at two standard deviations.
        float std = (float) (Math.sqrt(2.0 / fans[0]) / 0.87962566103423978);
        return random(shape, Distribution.TRUNCATED_NORMAL, 0f, std, seed);
    }

    /** Keras fan computation: dense [in, out]; conv [kh, kw, in, out] scaled by the receptive field. */
    public static long[] fans(int[] shape) {
        if (shape.length < 1) {
            return new long[] {1, 1};
        }
        if (shape.length == 1) {
            return new long[] {shape[0], shape[0]};
        }
        if (shape.length == 2) {
            return new long[] {shape[0], shape[1]};
        }
        long receptive = 1;
        for (int i = 0; i < shape.length - 2; i++) {
            receptive *= shape[i];
        }
        return new long[] {shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive};
    }

    /**
     * Uniform in [low, high) with the seed read on the device, when the op runs, from an int64
     * cell the host writes before each step ({@link dev.isthmus.nn.backend.StepValues}): the same
     * values as {@link #uniform(int[], float, float, long)} for the seed in the cell, and a
     * captured step replays with the seed of the step it replays.
     */
    public static Tensor uniform(int[] shape, float low, float high, DeviceCell seed) {
        Tensor t = empty(Backends.defaultDevice(), shape);
        t.backend().random(t, Distribution.UNIFORM, low, high, seed);
        return t;
    }

    /** A tensor of {@code dtype} and unspecified contents owned by {@code owner} (null: GC-managed), whatever scope is current. */
    public static Tensor empty(Scope owner, Device device, DType dtype, int... shape) {
        return allocate(device, owner, dtype, shape.clone());
    }

    private static Tensor random(int[] shape, Distribution d, float a, float b, long seed) {
        Tensor t = empty(Backends.defaultDevice(), shape);
        t.backend().random(t, d, a, b, seed);
        return t;
    }

    // ---------------------------------------------------------------- properties

    /** The dimensions, a copy (empty for a scalar such as {@link #scalar}'s). */
    public int[] shape() {
        return shape.clone();
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code axis} (negative counts from the end). */
    public int size(int axis) {
        return shape[Shapes.axis(axis, shape.length)];
    }

    /** The number of elements: the product of the shape (1 for an empty shape). */
    public long numel() {
        return storage.numel();
    }

    /** The element type: {@link DType#FLOAT32} unless the tensor was made or cast otherwise. */
    public DType dtype() {
        return storage.dtype();
    }

    /** The device whose memory holds the elements; every op's result lives on the same device as its inputs. */
    public Device device() {
        return storage.device();
    }

    /** The memory this tensor views; for backends and tools, not for model code. */
    public Storage storage() {
        return storage;
    }

    /** The backend that runs this tensor's ops: the one of its {@link #device()}. */
    public Backend backend() {
        return Backends.of(storage.device());
    }

    /**
     * Whether {@link #backward()} reaches this tensor: true for a parameter marked with {@link #requiresGrad(boolean)}
     * and for every result of a recorded op that one of them led to.
     */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as a parameter whose gradient {@link #backward()} accumulates. */
    public Tensor requiresGrad(boolean value) {
        if (value && !dtype().isFloatingPoint()) {
            throw new DTypeException("only float32 tensors can require gradients; this one is " + dtype());
        }
        if (gradFn != null && !value) {
            throw new IllegalStateException("cannot clear requiresGrad on a tensor produced by '"
                    + gradFn.op() + "'; use detach()");
        }
        this.requiresGrad = value;
        return this;
    }

    /**
     * True for a tensor no recorded op made (made directly, a parameter, or {@link #detach()}ed): the tensors
     * {@link #grad()} is kept for.
     */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The accumulated gradient of a leaf, or null before the first backward (or after zeroGrad). */
    public Tensor grad() {
        return grad;
    }

    /** Zeroes the accumulated gradient (its memory, owned with this tensor, is reused). */
    public void zeroGrad() {
        if (grad != null) {
            grad.fillInPlace(0f);
        }
    }

    /** The op that produced this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /**
     * The input of the {@code activation} ("softmax" over the last axis, or "sigmoid") that produced
     * this tensor, or null when another op produced it, that input has been freed, either was
     * written in place since, or this tensor was made a parameter of its own (a leaf that requires grad: its gradient must reach it). Kept
     * whether or not the tape records, as Keras keeps {@code _keras_logits}, so a cross-entropy on
     * these probabilities works from the logits in training and in evaluation alike.
     */
    public Tensor logitsOf(String activation) {
        boolean ownParameter = requiresGrad && gradFn == null;
        return squashed != null && squashed.activation().equals(activation) && !ownParameter
                && !squashed.logits().storage.isFreed() && squashed.logits().storage.version() == squashed.logitsVersion()
                && storage.version() == squashed.outputVersion() ? squashed.logits() : null;
    }

    /** A tensor sharing this one's memory but not connected to the tape. */
    public Tensor detach() {
        return new Tensor(shape, storage);
    }

    // ---------------------------------------------------------------- reading values

    /** A copy of all values of a float32 tensor in row-major order; waits for pending device work. */
    public float[] toArray() {
        requireDType("toArray()", DType.FLOAT32, "toIntArray() or toLongArray() read integer tensors");
        float[] out = new float[hostLength()];
        readInto(MemorySegment.ofArray(out), "toArray()");
        return out;
    }

    /** A copy of all values of an int32 tensor in row-major order; waits for pending device work. */
    public int[] toIntArray() {
        requireDType("toIntArray()", DType.INT32, "toLongArray() reads int64, toArray() float32");
        int[] out = new int[hostLength()];
        readInto(MemorySegment.ofArray(out), "toIntArray()");
        return out;
    }

    /** A copy of all values of an int32 or int64 tensor, widened to long; waits for pending device work. */
    public long[] toLongArray() {
        if (dtype() == DType.INT32) {
            return Arrays.stream(toIntArray()).asLongStream().toArray();
        }
        requireDType("toLongArray()", DType.INT64, "toArray() reads float32");
        long[] out = new long[hostLength()];
        readInto(MemorySegment.ofArray(out), "toLongArray()");
        return out;
    }

    private int hostLength() {
        storage.checkLive();
        if (numel() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of " + numel() + " elements does not fit a Java array");
        }
        return (int) numel();
    }

    private void readInto(MemorySegment host, String op) {
        StepCapture.refuse(op + " (a read of values to the host)");
        if (numel() > 0) {
            backend().copyToHost(this, host);
        }
    }

    private void requireDType(String op, DType expected, String hint) {
        if (dtype() != expected) {
            throw new DTypeException(op + " needs a " + expected + " tensor, got " + dtype() + " of shape "
                    + Shapes.str(shape) + "; " + hint);
        }
    }

    /** Throws {@link DTypeException} unless this tensor is float32: arithmetic takes float32 only. */
    void requireFloat(String op) {
        if (dtype() != DType.FLOAT32) {
            throw new DTypeException(op + " takes float32 tensors, got " + dtype() + " of shape " + Shapes.str(shape)
                    + "; cast(DType.FLOAT32) first");
        }
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new IllegalStateException("item() needs a tensor with one element, got shape " + Shapes.str(shape));
        }
        requireDType("item()", DType.FLOAT32, "toIntArray() or toLongArray() read integer tensors");
        float[] out = new float[1];
        readInto(MemorySegment.ofArray(out), "item()");
        return out[0];
    }

    /** A copy on {@code device} (this tensor when it is already there); not differentiable across devices. */
    public Tensor to(Device device) {
        if (device.equals(device())) {
            return this;
        }
        storage.checkLive();
        StepCapture.refuse("to(" + device + ") (a copy through the host)");
        Tensor out = allocate(device, Scope.current(), dtype(), shape.clone());
        if (numel() > 0) {
            try (java.lang.foreign.Arena staging = java.lang.foreign.Arena.ofConfined()) {
                MemorySegment host = staging.allocate(storage.byteSize(), 64);
                backend().copyToHost(this, host);
                out.backend().copyFromHost(host, out);
            }
        }
        return out;
    }

    /**
     * This tensor's values as {@code dtype} (this tensor when it already is): integers to float32
     * round to nearest, float32 to integers truncate toward zero as Java's casts. Not differentiable.
     */
    public Tensor cast(DType dtype) {
        if (dtype == dtype()) {
            return this;
        }
        storage.checkLive();
        Tensor out = allocate(device(), Scope.current(), dtype, shape.clone());
        backend().cast(this, out);
        return out;
    }

    /** A copy in new memory owned by the current scope (differentiable). */
    public Tensor copy() {
        Tensor out = like(this, shape);
        backend().copy(this, out);
        return record(out, "copy", g -> new Tensor[] {g}, this);
    }

    // ---------------------------------------------------------------- autograd

    /**
     * Back-propagates from this scalar (d this / d this = 1) into every leaf that requires grad, then
     * frees the graph: a second backward through it raises
     * {@link dev.isthmus.nn.autograd.AutogradException} (see {@link #backward(boolean)}).
     */
    public void backward() {
        backward(false);
    }

    /** As {@link #backward()}; with {@code retainGraph} the graph stays usable for another backward. */
    public void backward(boolean retainGraph) {
        if (numel() != 1) {
            throw new IllegalStateException("backward() without a gradient needs a scalar, got shape "
                    + Shapes.str(shape) + "; pass the output gradient with backward(gradient)");
        }
        backward(onesLike(this), retainGraph);
    }

    /**
     * {@link #backward(Tensor, boolean)} freeing the graph: {@code gradient} (this tensor's shape) is d loss / d this.
     */
    public void backward(Tensor gradient) {
        backward(gradient, false);
    }

    /**
     * Back-propagates {@code gradient} (d loss / d this) into every leaf that requires grad. Refuses,
     * with {@link dev.isthmus.nn.autograd.AutogradException} and before touching any gradient, a graph
     * freed by an earlier backward or one whose saved tensors were written in place since.
     */
    public void backward(Tensor gradient, boolean retainGraph) {
        if (!Arrays.equals(gradient.shape, shape)) {
            throw ShapeMismatchException.of("backward", shape, gradient.shape, "differ: the gradient must match the output");
        }
        if (!requiresGrad) {
            throw new IllegalStateException("backward(): this tensor does not require grad (no parameter led to it,"
                    + " or it was computed under noGrad)");
        }
        Backprop.run(this, gradient, retainGraph);
    }

    void accumulateGrad(Tensor g) {
        if (grad == null) {
            grad = allocate(device(), storage.owner(), DType.FLOAT32, shape.clone());
            backend().copy(g, grad);
        } else {
            grad.backend().binary(BinaryOp.ADD, grad, g, grad);
        }
    }

    static Tensor record(Tensor out, String op, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return out;
        }
        for (Tensor in : inputs) {
            if (in.requiresGrad) {
                out.requiresGrad = true;
                out.gradFn = new Node(op, List.of(inputs), backward, out.storage.version());
                return out;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- elementwise

    private Tensor unary(UnaryOp op, float p, float q) {
        requireFloat(op.name().toLowerCase(java.util.Locale.ROOT));
        storage.checkLive();
        Tensor out = like(this, shape);
        backend().unary(op, this, p, q, out);
        if (op == UnaryOp.SIGMOID) {
            out.squashed = new Squashed("sigmoid", this, out);
        }
        Tensor x = this;
        return record(out, op.name().toLowerCase(java.util.Locale.ROOT), g -> {
            Tensor gx = like(x, x.shape);
            x.backend().unaryBackward(op, x, out, g, p, q, gx);
            return new Tensor[] {gx};
        }, this);
    }

    /**
     * Elementwise {@code -x}. A new float32 tensor of this shape on this device, owned by the current scope;
     * differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor neg() {
        return unary(UnaryOp.NEG, 0, 0);
    }

    /**
     * Elementwise {@code e^x}; a new tensor as {@link #neg()}, differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor exp() {
        return unary(UnaryOp.EXP, 0, 0);
    }

    /**
     * Elementwise natural logarithm (NaN below 0, -infinity at 0); a new tensor as {@link #neg()}, differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor log() {
        return unary(UnaryOp.LOG, 0, 0);
    }

    /**
     * Elementwise square root (NaN below 0); a new tensor as {@link #neg()}, differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor sqrt() {
        return unary(UnaryOp.SQRT, 0, 0);
    }

    /**
     * Elementwise {@code |x|}; a new tensor as {@link #neg()}; the gradient is 0 at 0.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor abs() {
        return unary(UnaryOp.ABS, 0, 0);
    }

    /**
     * Elementwise {@code max(x, 0)}; a new tensor as {@link #neg()}; the gradient is 0 at 0.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor relu() {
        return unary(UnaryOp.RELU, 0, 0);
    }

    /**
     * Elementwise {@code x} for x > 0, {@code negativeSlope · x} otherwise; a new tensor as {@link #neg()},
     * differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor leakyRelu(float negativeSlope) {
        return unary(UnaryOp.LEAKY_RELU, negativeSlope, 0);
    }

    /**
     * Elementwise logistic {@code 1 / (1 + e^-x)}; a new tensor as {@link #neg()}, differentiable. The result
     * remembers its logits, so {@code binaryCrossentropy} on it computes from the logits, stably.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor sigmoid() {
        return unary(UnaryOp.SIGMOID, 0, 0);
    }

    /**
     * Elementwise hyperbolic tangent; a new tensor as {@link #neg()}, differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor tanh() {
        return unary(UnaryOp.TANH, 0, 0);
    }

    /**
     * Elementwise {@code x^exponent} ({@link Math#pow} semantics); a new tensor as {@link #neg()}, differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor pow(float exponent) {
        return unary(UnaryOp.POW, exponent, 0);
    }

    /**
     * Elementwise {@code x · x}: {@link #mul(Tensor)} with itself.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor square() {
        return mul(this);
    }

    /** Values limited to [min, max]; the gradient flows where the value was inside. */
    public Tensor clamp(float min, float max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("clamp: min " + min + " must be <= max " + max);
        }
        return unary(UnaryOp.CLAMP, min, max);
    }

    /**
     * Elementwise {@code x + s}; a new tensor as {@link #neg()}, differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor add(float s) {
        return unary(UnaryOp.AFFINE, 1f, s);
    }

    /**
     * Elementwise {@code x - s}; a new tensor as {@link #neg()}, differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor sub(float s) {
        return unary(UnaryOp.AFFINE, 1f, -s);
    }

    /**
     * Elementwise {@code x · s}; a new tensor as {@link #neg()}, differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor mul(float s) {
        return unary(UnaryOp.AFFINE, s, 0f);
    }

    /**
     * Elementwise {@code x · (1/s)} (a multiply by the reciprocal, so it may differ from {@code x / s} in the last
     * bit); a new tensor as {@link #neg()}, differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor div(float s) {
        return unary(UnaryOp.AFFINE, 1f / s, 0f);
    }

    private Tensor binary(BinaryOp op, Tensor b, String name) {
        checkSameDevice(name, b);
        requireFloat(name);
        b.requireFloat(name);
        storage.checkLive();
        b.storage.checkLive();
        int[] outShape = Shapes.broadcast(name, shape, b.shape);
        Tensor out = like(this, outShape);
        backend().binary(op, this, b, out);
        Tensor a = this;
        return record(out, name, g -> switch (op) {
            case ADD -> new Tensor[] {g.sumTo(a.shape), g.sumTo(b.shape)};
            case SUB -> new Tensor[] {g.sumTo(a.shape), g.neg().sumTo(b.shape)};
            case MUL -> new Tensor[] {
                    a.requiresGrad ? g.mul(b).sumTo(a.shape) : null,
                    b.requiresGrad ? g.mul(a).sumTo(b.shape) : null};
            case DIV -> new Tensor[] {
                    a.requiresGrad ? g.div(b).sumTo(a.shape) : null,
                    b.requiresGrad ? g.mul(out).div(b).neg().sumTo(b.shape) : null};
            default -> throw new UnsupportedOperationException(name + " is not differentiable");
        }, this, b);
    }

    /**
     * Elementwise {@code this + b} with NumPy broadcasting: a new float32 tensor of the broadcast shape, on this
     * device, owned by the current scope; the gradient is summed back to each operand's shape.
     * @throws ShapeMismatchException if the shapes do not broadcast
     * @throws DTypeException if either tensor is not float32
     * @throws IllegalArgumentException if {@code b} is on another device
     */
    public Tensor add(Tensor b) {
        return binary(BinaryOp.ADD, b, "add");
    }

    /**
     * Elementwise {@code this - b}, broadcasting as {@link #add(Tensor)}.
     * @throws ShapeMismatchException if the shapes do not broadcast
     * @throws DTypeException if either tensor is not float32
     * @throws IllegalArgumentException if {@code b} is on another device
     */
    public Tensor sub(Tensor b) {
        return binary(BinaryOp.SUB, b, "sub");
    }

    /**
     * Elementwise {@code this · b}, broadcasting as {@link #add(Tensor)}.
     * @throws ShapeMismatchException if the shapes do not broadcast
     * @throws DTypeException if either tensor is not float32
     * @throws IllegalArgumentException if {@code b} is on another device
     */
    public Tensor mul(Tensor b) {
        return binary(BinaryOp.MUL, b, "mul");
    }

    /**
     * Elementwise {@code this / b} (IEEE: x/0 is ±infinity or NaN), broadcasting as {@link #add(Tensor)}.
     * @throws ShapeMismatchException if the shapes do not broadcast
     * @throws DTypeException if either tensor is not float32
     * @throws IllegalArgumentException if {@code b} is on another device
     */
    public Tensor div(Tensor b) {
        return binary(BinaryOp.DIV, b, "div");
    }

    /**
     * Elementwise maximum (broadcasting), {@code Math.max}'s semantics: NaN wins, +0 above -0.
     * The gradient goes to the larger operand, split evenly on ties, as PyTorch does.
     */
    public Tensor maximum(Tensor b) {
        return extremum(BinaryOp.MAXIMUM, b, "maximum");
    }

    /** Elementwise minimum (broadcasting), {@code Math.min}'s semantics; gradient as {@link #maximum}. */
    public Tensor minimum(Tensor b) {
        return extremum(BinaryOp.MINIMUM, b, "minimum");
    }

    private Tensor extremum(BinaryOp op, Tensor b, String name) {
        Tensor out = untaped(op, b, name);
        Tensor a = this;
        return record(out, name, g -> {
            Tensor aWins = op == BinaryOp.MAXIMUM ? a.gt(b) : b.gt(a);
            Tensor share = aWins.add(a.eq(b).mul(0.5f));
            return new Tensor[] {
                a.requiresGrad ? g.mul(share).sumTo(a.shape) : null,
                b.requiresGrad ? g.mul(share.neg().add(1f)).sumTo(b.shape) : null};
        }, this, b);
    }

    /** 1 where this == b, else 0 (broadcasting); not differentiable. */
    public Tensor eq(Tensor b) {
        return untaped(BinaryOp.EQUAL, b, "eq");
    }

    /** 1 where this > b, else 0 (broadcasting); not differentiable. */
    public Tensor gt(Tensor b) {
        return untaped(BinaryOp.GREATER, b, "gt");
    }

    /** The elementwise op's result, not recorded on the tape. */
    private Tensor untaped(BinaryOp op, Tensor b, String name) {
        checkSameDevice(name, b);
        requireFloat(name);
        b.requireFloat(name);
        storage.checkLive();
        b.storage.checkLive();
        Tensor out = like(this, Shapes.broadcast(name, shape, b.shape));
        backend().binary(op, this, b, out);
        return out;
    }

    void checkSameDevice(String op, Tensor b) {
        if (!device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": tensors are on different devices (" + device()
                    + " and " + b.device() + "); move one with to(device)");
        }
    }

    /** Sums a broadcast gradient back down to {@code target} (NumPy broadcasting in reverse). */
    public Tensor sumTo(int[] target) {
        if (Arrays.equals(shape, target)) {
            return this;
        }
        int lead = shape.length - target.length;
        int[] axes = new int[shape.length];
        int n = 0;
        for (int i = 0; i < shape.length; i++) {
            if (i < lead || (target[i - lead] == 1 && shape[i] != 1)) {
                axes[n++] = i;
            }
        }
        Tensor s = n == 0 ? this : reduce(ReduceOp.SUM, Arrays.copyOf(axes, n), true);
        return s.reshape(target);
    }

    // ---------------------------------------------------------------- reductions

    /**
     * The sum over {@code axes} (negative counts from the end; none given: every axis, a scalar of shape {@code []}),
     * the reduced axes removed. A new float32 tensor on this device, owned by the current scope; differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor sum(int... axes) {
        return reduce(ReduceOp.SUM, axes, false);
    }

    /**
     * The sum over {@code axes} (negative counts from the end), kept as size-1 dimensions when {@code keepDims},
     * removed otherwise. A new float32 tensor on this device, owned by the current scope; differentiable (the
     * gradient is broadcast back).
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor sum(int[] axes, boolean keepDims) {
        return reduce(ReduceOp.SUM, axes, keepDims);
    }

    /**
     * The mean over {@code axes} (none given: every axis), the reduced axes removed: {@link #sum(int...)} divided
     * by the count (NaN over an empty axis).
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor mean(int... axes) {
        return reduce(ReduceOp.MEAN, axes, false);
    }

    /**
     * The mean over {@code axes}, kept as size-1 dimensions when {@code keepDims}; see {@link #sum(int[], boolean)}.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor mean(int[] axes, boolean keepDims) {
        return reduce(ReduceOp.MEAN, axes, keepDims);
    }

    /** Maximum over axes; the gradient is shared equally among tied maxima. */
    public Tensor max(int... axes) {
        return reduce(ReduceOp.MAX, axes, false);
    }

    /**
     * The maximum over {@code axes}, kept as size-1 dimensions when {@code keepDims}; the gradient is shared
     * equally among tied maxima.
     * @throws IllegalArgumentException if a reduced axis is empty
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor max(int[] axes, boolean keepDims) {
        return reduce(ReduceOp.MAX, axes, keepDims);
    }

    private Tensor reduce(ReduceOp op, int[] axesIn, boolean keepDims) {
        requireFloat(op.name().toLowerCase(java.util.Locale.ROOT));
        storage.checkLive();
        int[] axes = Shapes.axes(axesIn, shape.length);
        int[] kept = shape.clone();
        long count = 1;
        for (int a : axes) {
            count *= shape[a];
            kept[a] = 1;
        }
        if (count == 0 && op == ReduceOp.MAX) {
            throw new IllegalArgumentException("max over an empty axis of shape " + Shapes.str(shape));
        }
        Tensor out = like(this, kept);
        backend().reduce(op, this, axes, out);
        Tensor x = this;
        long n = count;
        Tensor keptOut = record(out, op.name().toLowerCase(java.util.Locale.ROOT), g -> switch (op) {
            case SUM -> new Tensor[] {g.expandTo(x.shape)};
            case MEAN -> new Tensor[] {g.div((float) n).expandTo(x.shape)};
            case MAX -> {
                Tensor mask = x.eq(out);
                yield new Tensor[] {mask.mul(g.div(mask.sum(axes, true)))};
            }
        }, this);
        if (keepDims) {
            return keptOut;
        }
        int[] squeezed = new int[shape.length - axes.length];
        int j = 0;
        for (int i = 0, k = 0; i < shape.length; i++) {
            if (k < axes.length && axes[k] == i) {
                k++;
            } else {
                squeezed[j++] = shape[i];
            }
        }
        return keptOut.reshape(squeezed);
    }

    /** Broadcasts to {@code target} (differentiable: the gradient is summed back). */
    public Tensor expandTo(int[] target) {
        int[] s = Shapes.broadcast("expandTo", shape, target);
        if (!Arrays.equals(s, target)) {
            throw ShapeMismatchException.of("expandTo", shape, target, "differ: the first cannot be broadcast to the second");
        }
        if (Arrays.equals(shape, target)) {
            return this;
        }
        requireFloat("expandTo");
        Tensor out = zerosLike(this, target.clone()); // adding broadcasts this into the zeros
        backend().binary(BinaryOp.ADD, out, this, out);
        int[] own = shape;
        return record(out, "expand", g -> new Tensor[] {g.sumTo(own)}, this);
    }

    // ---------------------------------------------------------------- softmax

    /**
     * Softmax along {@code axis} (negative counts from the end), computed stably (the maximum subtracted first):
     * a new float32 tensor of this shape, owned by the current scope, differentiable. The result remembers its
     * logits, so {@code categoricalCrossentropy} on it computes from the logits.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor softmax(int axis) {
        return softmax(axis, false);
    }

    /**
     * The logarithm of {@link #softmax(int)} along {@code axis}, computed as {@code x - max - log(sum(exp(x - max)))}
     * so it stays finite where softmax underflows; a new tensor as softmax, differentiable.
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor logSoftmax(int axis) {
        return softmax(axis, true);
    }

    /**
     * softmax(this · scale + bias) along the last axis — attention's scaled and masked scores —
     * {@code mul(scale).add(bias).softmax(-1)} as one op where the backend fuses it (the same values
     * and gradients, without the scaled and the biased scores as tensors of their own). bias (null
     * for none) is broadcast as {@link #add} broadcasts it and gets no gradient.
     * @throws DTypeException if this tensor or bias is not float32
     */
    public Tensor scaledSoftmax(float scale, Tensor bias) {
        requireFloat("scaledSoftmax");
        if (bias != null) {
            checkSameDevice("scaledSoftmax", bias);
            bias.requireFloat("scaledSoftmax");
        }
        // fused where the bias (no gradient) broadcasts to this shape without growing it and without
        // a broadcast last axis; a bias that does not broadcast fails here as add would fail
        boolean fused = backend().fusesScaledSoftmax() && rank() >= 1 && numel() > 0
                && (bias == null || (!bias.requiresGrad && bias.rank() >= 1 && bias.size(-1) == size(-1)
                && Arrays.equals(Shapes.broadcast("scaledSoftmax", shape, bias.shape), shape)));
        if (!fused) {
            Tensor scaled = mul(scale);
            return (bias == null ? scaled : scaled.add(bias)).softmax(-1);
        }
        storage.checkLive();
        Tensor out = like(this, shape);
        backend().scaledSoftmax(this, scale, bias, out);
        return record(out, "scaled_softmax", g -> {
            Tensor gx = like(out, out.shape);
            out.backend().scaledSoftmaxBackward(out, g, scale, gx);
            return new Tensor[] {gx};
        }, this);
    }

    private Tensor softmax(int axis, boolean log) {
        requireFloat(log ? "logSoftmax" : "softmax");
        int a = Shapes.axis(axis, shape.length);
        if (a != shape.length - 1) {
            int[] perm = swapLast(a);
            return permute(perm).softmax(-1, log).permute(perm);
        }
        storage.checkLive();
        Tensor out = like(this, shape);
        if (!log && gradFn != null && numel() > 0 && !StepCapture.active() && storage instanceof CpuStorage xs
                && out.storage instanceof CpuStorage os && xs.owner() == os.owner()) {
            // on the tape a softmax is often not read at all (a cross-entropy next to it works from the
            // logits, as logitsOf tells it): the CPU computes it only when its memory is reached
            Backend b = backend();
            os.defer("softmax", xs, () -> b.softmax(this, false, out));
        } else {
            backend().softmax(this, log, out);
        }
        if (!log) {
            out.squashed = new Squashed("softmax", this, out);
        }
        return record(out, log ? "log_softmax" : "softmax", g -> {
            Tensor gx = like(out, out.shape);
            out.backend().softmaxBackward(out, g, log, gx);
            return new Tensor[] {gx};
        }, this);
    }

    private int[] swapLast(int a) {
        int[] perm = new int[shape.length];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        perm[a] = shape.length - 1;
        perm[shape.length - 1] = a;
        return perm;
    }

    // ---------------------------------------------------------------- shape

    /** A view with a new shape (one dimension may be -1 and is inferred); shares memory. */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension may be -1, got " + Shapes.str(newShape));
                }
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Shapes.str(newShape));
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel() % known != 0) {
                throw ShapeMismatchException.of("reshape", shape, newShape, "are incompatible: cannot infer the -1 dimension");
            }
            s[infer] = (int) (numel() / known);
        }
        if (Shapes.numel(s) != numel()) {
            throw ShapeMismatchException.of("reshape", shape, s, "hold different numbers of elements ("
                    + numel() + " vs " + Shapes.numel(s) + ")");
        }
        if (Arrays.equals(s, shape)) {
            return this;
        }
        Tensor out = new Tensor(s, storage);
        int[] own = shape;
        return record(out, "reshape", g -> new Tensor[] {g.reshape(own)}, this);
    }

    /** Swaps the last two axes. */
    public Tensor transpose() {
        if (shape.length < 2) {
            throw new IllegalArgumentException("transpose() needs rank >= 2, got shape " + Shapes.str(shape));
        }
        return transpose(-2, -1);
    }

    /**
     * The tensor with axes {@code axis0} and {@code axis1} swapped (negative counts from the end): a contiguous copy
     * owned by the current scope, any element type, differentiable.
     */
    public Tensor transpose(int axis0, int axis1) {
        int a = Shapes.axis(axis0, shape.length);
        int b = Shapes.axis(axis1, shape.length);
        int[] perm = new int[shape.length];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /** Reorders axes: the result's axis i is this tensor's axis {@code perm[i]}. */
    public Tensor permute(int... perm) {
        if (perm.length != shape.length) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " does not list the "
                    + shape.length + " axes of shape " + Shapes.str(shape));
        }
        boolean[] seen = new boolean[perm.length];
        int[] norm = new int[perm.length];
        boolean identity = true;
        for (int i = 0; i < perm.length; i++) {
            norm[i] = Shapes.axis(perm[i], shape.length);
            if (seen[norm[i]]) {
                throw new IllegalArgumentException("permute: axis repeated in " + Arrays.toString(perm));
            }
            seen[norm[i]] = true;
            identity &= norm[i] == i;
        }
        if (identity) {
            return this;
        }
        requireFloat("permute");
        int[] outShape = new int[shape.length];
        int[] inverse = new int[shape.length];
        for (int i = 0; i < perm.length; i++) {
            outShape[i] = shape[norm[i]];
            inverse[norm[i]] = i;
        }
        storage.checkLive();
        Tensor out = like(this, outShape);
        backend().permute(this, norm, out);
        return record(out, "permute", g -> new Tensor[] {g.permute(inverse)}, this);
    }

    /** Joins tensors along {@code axis}; all other dimensions must match. */
    public static Tensor concat(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        Tensor first = parts.getFirst();
        int a = Shapes.axis(axis, first.rank());
        int[] outShape = first.shape.clone();
        int total = 0;
        for (Tensor p : parts) {
            if (p.rank() != first.rank()) {
                throw ShapeMismatchException.of("concat", first.shape, p.shape, "have different ranks");
            }
            for (int i = 0; i < p.rank(); i++) {
                if (i != a && p.shape[i] != first.shape[i]) {
                    throw ShapeMismatchException.of("concat", first.shape, p.shape,
                            "differ outside the concatenation axis " + a);
                }
            }
            first.checkSameDevice("concat", p);
            if (p.dtype() != first.dtype()) {
                throw new DTypeException("concat: tensors of " + first.dtype() + " and " + p.dtype()
                        + "; cast one first");
            }
            total += p.shape[a];
        }
        outShape[a] = total;
        Tensor out = like(first, outShape);
        int offset = 0;
        int[] starts = new int[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            Tensor p = parts.get(i);
            starts[i] = offset;
            first.backend().copySlice(p, a, 0, out, offset, p.shape[a]);
            offset += p.shape[a];
        }
        return record(out, "concat", g -> {
            Tensor[] gs = new Tensor[parts.size()];
            for (int i = 0; i < gs.length; i++) {
                gs[i] = g.slice(a, starts[i], starts[i] + parts.get(i).shape[a]);
            }
            return gs;
        }, parts.toArray(Tensor[]::new));
    }

    /** {@code parts} joined along {@code axis}: see {@link #concat(List, int)}. */
    public static Tensor concat(int axis, Tensor... parts) {
        return concat(List.of(parts), axis);
    }

    /** Positions [start, end) along {@code axis} (a copy). */
    public Tensor slice(int axis, int start, int end) {
        int a = Shapes.axis(axis, shape.length);
        if (start < 0 || end > shape[a] || start > end) {
            throw new IndexOutOfBoundsException("slice [" + start + ", " + end + ") is out of range for axis "
                    + a + " of shape " + Shapes.str(shape));
        }
        int[] outShape = shape.clone();
        outShape[a] = end - start;
        storage.checkLive();
        Tensor out = like(this, outShape);
        backend().copySlice(this, a, start, out, 0, end - start);
        Tensor x = this;
        return record(out, "slice", g -> {
            Tensor gx = zerosLike(x, x.shape);
            x.backend().copySlice(g, a, 0, gx, start, end - start);
            return new Tensor[] {gx};
        }, this);
    }

    /** Rows (axis 0) picked by {@code indices} (integral values, any shape); result shape indices.shape + shape[1:]. */
    public Tensor indexSelect(Tensor indices) {
        if (rank() < 1) {
            throw new IllegalArgumentException("indexSelect needs rank >= 1, got a scalar");
        }
        checkIndexTensor("indexSelect", indices);
        int[] outShape = new int[indices.rank() + shape.length - 1];
        System.arraycopy(indices.shape, 0, outShape, 0, indices.rank());
        System.arraycopy(shape, 1, outShape, indices.rank(), shape.length - 1);
        Tensor out = like(this, outShape);
        backend().gatherRows(this, indices, out);
        Tensor x = this;
        return record(out, "index_select", g -> {
            Tensor gx = zerosLike(x, x.shape);
            x.backend().scatterAddRows(g, indices, gx);
            return new Tensor[] {gx, null};
        }, this, indices);
    }

    /**
     * Rows {@code rows} of axis 0, as {@link #indexSelect(Tensor)} with an int32 index tensor on this device.
     * @throws IndexOutOfRangeException if a row is outside {@code [0, size(0))} (on CUDA, at the next host read)
     */
    public Tensor indexSelect(int... rows) {
        return indexSelect(of(device(), rows, rows.length));
    }

    /**
     * The position of the largest value along the last axis (int32, this shape without its last
     * axis): the first on ties; a NaN counts as the largest. Not differentiable.
     */
    public Tensor argmax() {
        requireFloat("argmax");
        if (rank() < 1 || shape[shape.length - 1] == 0) {
            throw new IllegalArgumentException("argmax needs a non-empty last axis, got shape " + Shapes.str(shape));
        }
        storage.checkLive();
        Tensor out = allocate(device(), Scope.current(), DType.INT32, Arrays.copyOf(shape, shape.length - 1));
        backend().argmax(this, out);
        return out;
    }

    /** For x of shape [n, c]: out[i] = x[i, labels[i]]. */
    public Tensor pick(Tensor labels) {
        if (rank() != 2 || labels.rank() != 1 || labels.shape[0] != shape[0]) {
            throw ShapeMismatchException.of("pick", shape, labels.shape, "do not fit: expected [n, c] and [n]");
        }
        requireFloat("pick");
        checkIndexTensor("pick (labels)", labels);
        Tensor out = like(this, new int[] {shape[0]});
        backend().pick(this, labels, out);
        Tensor x = this;
        return record(out, "pick", g -> {
            Tensor gx = zerosLike(x, x.shape);
            x.backend().pickBackward(g, labels, gx);
            return new Tensor[] {gx, null};
        }, this, labels);
    }

    /**
     * For logits of shape [n, c]: out[i] = logSoftmax(this)[i, labels[i]], each row's log-probability
     * of its label, [n] — {@code logSoftmax(-1).pick(labels)} with one backward pass instead of a
     * mostly-zero [n, c] gradient and a second pass over it (the same values and gradients).
     */
    public Tensor logSoftmaxAt(Tensor labels) {
        if (rank() != 2 || labels.rank() != 1 || labels.shape[0] != shape[0]) {
            throw ShapeMismatchException.of("logSoftmaxAt", shape, labels.shape, "do not fit: expected [n, c] and [n]");
        }
        requireFloat("logSoftmaxAt");
        checkIndexTensor("logSoftmaxAt (labels)", labels);
        storage.checkLive();
        Tensor y = like(this, shape);
        backend().softmax(this, true, y);
        Tensor out = like(this, new int[] {shape[0]});
        backend().pick(y, labels, out);
        return record(out, "log_softmax_pick", g -> {
            Tensor gx = like(y, y.shape);
            if (y.backend().fusesLogSoftmaxPick()) {
                y.backend().logSoftmaxPickBackward(y, g, labels, gx);
            } else {
                Tensor picked = zerosLike(y, y.shape);
                y.backend().pickBackward(g, labels, picked);
                y.backend().softmaxBackward(y, picked, true, gx);
            }
            return new Tensor[] {gx, null};
        }, this, labels);
    }

    /**
     * Index tensors are int32 or int64. Their values are checked by the backend in the op itself
     * ({@link IndexOutOfRangeException}), so no index is read back to the host here.
     */
    private void checkIndexTensor(String op, Tensor indices) {
        checkSameDevice(op, indices);
        indices.storage.checkLive();
        if (!indices.dtype().isInteger()) {
            throw new DTypeException(op + ": indices must be int32 or int64, got " + indices.dtype()
                    + " of shape " + Shapes.str(indices.shape) + "; make them with Tensor.of(int[]) or cast(DType.INT32)");
        }
    }

    // ---------------------------------------------------------------- matmul

    /**
     * Matrix product over the last two axes: [.., m, k] · [.., k, n]. Leading (batch) axes must be
     * equal, or one operand is a plain matrix used for every batch.
     */
    public Tensor matmul(Tensor b) {
        checkSameDevice("matmul", b);
        requireFloat("matmul");
        b.requireFloat("matmul");
        if (rank() < 2 || b.rank() < 2) {
            throw ShapeMismatchException.of("matmul", shape, b.shape, "need rank >= 2 (use reshape for vectors)");
        }
        int m = shape[rank() - 2];
        int k = shape[rank() - 1];
        int k2 = b.shape[b.rank() - 2];
        int n = b.shape[b.rank() - 1];
        if (k != k2) {
            throw ShapeMismatchException.of("matmul", shape, b.shape, "are incompatible: inner dimensions " + k + " and " + k2 + " differ");
        }
        int[] batchA = Arrays.copyOf(shape, rank() - 2);
        int[] batchB = Arrays.copyOf(b.shape, b.rank() - 2);
        if (batchA.length > 0 && batchB.length > 0 && !Arrays.equals(batchA, batchB)) {
            throw ShapeMismatchException.of("matmul", shape, b.shape, "have different batch dimensions");
        }
        int[] batchShape = batchA.length > 0 ? batchA : batchB;
        int batch = (int) Shapes.numel(batchShape);
        int[] outShape = Arrays.copyOf(batchShape, batchShape.length + 2);
        outShape[batchShape.length] = m;
        outShape[batchShape.length + 1] = n;
        storage.checkLive();
        b.storage.checkLive();
        Tensor out = like(this, outShape);
        backend().gemm(false, false, m, n, k, 1f, this, batchA.length > 0 ? (long) m * k : 0,
                b, batchB.length > 0 ? (long) k * n : 0, 0f, out, (long) m * n, batch);
        Tensor a = this;
        return record(out, "matmul", g -> {
            Tensor ga = null;
            Tensor gb = null;
            if (a.requiresGrad) {
                // ga = g · bᵀ, summed over the batch when a was shared
                Tensor full = like(a, batchA.length > 0 ? a.shape : withBatch(batchShape, m, k));
                a.backend().gemm(false, true, m, k, n, 1f, g, (long) m * n, b, batchB.length > 0 ? (long) k * n : 0,
                        0f, full, (long) m * k, batch);
                ga = batchA.length > 0 ? full : batch == 1 ? full.reshape(a.shape) : full.reshape(batch, m, k).sum(0);
            }
            if (b.requiresGrad) {
                if (batchB.length > 0) {
                    gb = like(b, b.shape);
                    a.backend().gemm(true, false, k, n, m, 1f, a, batchA.length > 0 ? (long) m * k : 0, g, (long) m * n,
                            0f, gb, (long) k * n, batch);
                } else {
                    // b shared by every batch: gb = Σ aᵢᵀ gᵢ = (stacked a)ᵀ · (stacked g) when a is batched
                    gb = like(b, b.shape);
                    int rows = batchA.length > 0 ? batch * m : m;
                    a.backend().gemm(true, false, k, n, rows, 1f, a, 0, g, 0, 0f, gb, 0, 1);
                }
            }
            return new Tensor[] {ga, gb};
        }, this, b);
    }

    private static int[] withBatch(int[] batch, int r, int c) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    // ---------------------------------------------------------------- in place (optimizers only)

    /** this += other (broadcast into this shape); never recorded. */
    public Tensor addInPlace(Tensor other) {
        inPlaceBinary(BinaryOp.ADD, other);
        return this;
    }

    /** this -= other; never recorded. */
    public Tensor subInPlace(Tensor other) {
        inPlaceBinary(BinaryOp.SUB, other);
        return this;
    }

    /** this *= s; never recorded. */
    public Tensor mulInPlace(float s) {
        requireFloat("mulInPlace");
        beforeWriteInPlace();
        backend().unary(UnaryOp.AFFINE, this, s, 0f, this);
        markWrittenInPlace();
        return this;
    }

    /** this = other's values (same shape and element type); never recorded. */
    public Tensor copyFrom(Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw ShapeMismatchException.of("copyFrom", shape, other.shape, "differ");
        }
        checkSameDevice("copyFrom", other);
        if (other.dtype() != dtype()) {
            throw new DTypeException("copyFrom: a " + other.dtype() + " tensor into a " + dtype() + " one; cast it first");
        }
        other.storage.checkLive();
        beforeWriteInPlace();
        backend().copy(other, this);
        markWrittenInPlace();
        return this;
    }

    /**
     * Sets every element to {@code value} in place, bumping the memory's version (a recorded op that saved this
     * tensor then refuses its backward); not recorded on the tape. For optimizers and initialisation.
     * @return this tensor
     * @throws DTypeException if this tensor is not float32
     */
    public Tensor fillInPlace(float value) {
        requireFloat("fillInPlace");
        beforeWriteInPlace();
        backend().fill(this, value);
        markWrittenInPlace();
        return this;
    }

    /**
     * Records that this tensor's memory was written in place, for code that writes it through a
     * backend primitive (an optimizer's fused update): a graph that saved it before refuses to
     * back-propagate. The in-place methods of this class call it themselves.
     */
    public void markWrittenInPlace() {
        storage.bumpVersion();
    }

    /**
     * Call before writing this tensor's memory through a backend primitive (then
     * {@link #markWrittenInPlace()} after): work deferred against its current contents, such as a
     * softmax of it nobody has read yet, is done first. The in-place methods of this class call it themselves.
     */
    public void beforeWriteInPlace() {
        storage.checkLive();
        storage.beforeChange();
    }

    private void inPlaceBinary(BinaryOp op, Tensor other) {
        checkSameDevice(op.name(), other);
        requireFloat(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace");
        other.requireFloat(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace");
        int[] s = Shapes.broadcast(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace", shape, other.shape);
        if (!Arrays.equals(s, shape)) {
            throw ShapeMismatchException.of(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace", shape, other.shape,
                    "do not fit: the second must broadcast into the first");
        }
        beforeWriteInPlace();
        backend().binary(op, this, other, this);
        markWrittenInPlace();
    }

    // ---------------------------------------------------------------- printing

    /** NumPy-like text; large tensors show three items at each edge of every axis. */
    @Override
    public String toString() {
        if (storage.isFreed()) {
            return "tensor(<freed>, shape=" + Shapes.str(shape) + ")";
        }
        java.util.function.IntFunction<String> item;
        if (dtype() == DType.FLOAT32) {
            float[] v = toArray();
            item = i -> formatValue(v[i]);
        } else {
            long[] v = toLongArray();
            item = i -> Long.toString(v[i]);
        }
        StringBuilder sb = new StringBuilder("tensor(");
        boolean summarize = numel() > 1000;
        format(sb, item, 0, 0, summarize, 7);
        sb.append(", shape=").append(Shapes.str(shape));
        if (dtype() != DType.FLOAT32) {
            sb.append(", dtype=").append(dtype());
        }
        if (!device().equals(Device.CPU)) {
            sb.append(", device=").append(device());
        }
        if (requiresGrad) {
            sb.append(", requiresGrad=true");
        }
        return sb.append(')').toString();
    }

    private void format(StringBuilder sb, java.util.function.IntFunction<String> item, int dim, long offset,
                        boolean summarize, int indent) {
        if (shape.length == 0) {
            sb.append(item.apply(0));
            return;
        }
        long stride = 1;
        for (int i = dim + 1; i < shape.length; i++) {
            stride *= shape[i];
        }
        sb.append('[');
        int n = shape[dim];
        for (int i = 0; i < n; i++) {
            if (summarize && n > 6 && i == 3) {
                sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim + 1));
                i = n - 4;
                continue;
            }
            if (dim == shape.length - 1) {
                sb.append(item.apply((int) (offset + i)));
            } else {
                format(sb, item, dim + 1, offset + i * stride, summarize, indent);
            }
            if (i < n - 1) {
                sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + dim + 1));
            }
        }
        sb.append(']');
    }

    private static String formatValue(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            return Float.toString(f);
        }
        float a = Math.abs(f);
        if (a != 0 && (a >= 1e5f || a < 1e-4f)) {
            return String.format(java.util.Locale.ROOT, "%.4e", f);
        }
        return String.format(java.util.Locale.ROOT, "%.4f", f);
    }
}
