package dev.isthmus.nn.tensor;

import dev.isthmus.nn.autograd.GradMode;
import dev.isthmus.nn.autograd.Node;
import dev.isthmus.nn.backend.Backend;
import dev.isthmus.nn.backend.Backend.Distribution;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.backend.BinaryOp;
import dev.isthmus.nn.backend.ReduceOp;
import dev.isthmus.nn.backend.UnaryOp;
import java.util.Arrays;
import java.util.List;

/**
 * A float32, row-major, contiguous n-dimensional array on one {@link Device}, with reverse-mode
 * automatic differentiation. Operations return new tensors owned by the current {@link Scope};
 * the few in-place operations ({@code ...InPlace}) are for optimizers and never record the tape.
 */
public final class Tensor {
    private final int[] shape;
    private final Storage storage;
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private Squashed squashed;

    /** The activation ("softmax" over the last axis, or "sigmoid") that made a tensor, and its input. */
    private record Squashed(String activation, Tensor logits) {
    }

    private Tensor(int[] shape, Storage storage) {
        this.shape = shape;
        this.storage = storage;
    }

    // ---------------------------------------------------------------- creation

    /** An uninitialised-by-contract (zero-filled) tensor on {@code device}, owned by the current scope. */
    public static Tensor empty(Device device, int... shape) {
        return allocate(device, Scope.current(), shape.clone());
    }

    /** A zero-filled tensor owned by {@code owner} (null: GC-managed), whatever scope is current. */
    public static Tensor zeros(Scope owner, Device device, int... shape) {
        return allocate(device, owner, shape.clone());
    }

    private static Tensor allocate(Device device, Scope owner, int[] shape) {
        Shapes.checkValid(shape);
        return new Tensor(shape, Backends.of(device).allocate(Shapes.numel(shape), owner));
    }

    static Tensor like(Tensor t, int[] shape) {
        return allocate(t.device(), Scope.current(), shape);
    }

    /** A tensor holding {@code data} in row-major order with the given shape, on the default device. */
    public static Tensor of(float[] data, int... shape) {
        return of(Backends.defaultDevice(), data, shape);
    }

    public static Tensor of(Device device, float[] data, int... shape) {
        int[] s = shape.length == 0 && data.length != 1 ? new int[] {data.length} : shape.clone();
        if (Shapes.numel(s) != data.length) {
            throw new ShapeMismatchException("Tensor.of: " + data.length + " values cannot fill shape "
                    + Shapes.str(s) + " (" + Shapes.numel(s) + " elements)");
        }
        Tensor t = allocate(device, Scope.current(), s);
        t.backend().copyFromHost(data, t);
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

    public static Tensor scalar(float value) {
        return of(new float[] {value});
    }

    public static Tensor zeros(int... shape) {
        return empty(Backends.defaultDevice(), shape);
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        if (value != 0f) {
            t.backend().fill(t, value);
        }
        return t;
    }

    public static Tensor zerosLike(Tensor t) {
        return like(t, t.shape);
    }

    public static Tensor onesLike(Tensor t) {
        Tensor o = like(t, t.shape);
        o.backend().fill(o, 1f);
        return o;
    }

    /** Uniform in [low, high); element i depends only on (seed, i). */
    public static Tensor uniform(int[] shape, float low, float high, long seed) {
        return random(shape, Distribution.UNIFORM, low, high, seed);
    }

    public static Tensor normal(int[] shape, float mean, float std, long seed) {
        return random(shape, Distribution.NORMAL, mean, std, seed);
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

    private static Tensor random(int[] shape, Distribution d, float a, float b, long seed) {
        Tensor t = zeros(shape);
        t.backend().random(t, d, a, b, seed);
        return t;
    }

    // ---------------------------------------------------------------- properties

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code axis} (negative counts from the end). */
    public int size(int axis) {
        return shape[Shapes.axis(axis, shape.length)];
    }

    public long numel() {
        return storage.numel();
    }

    public Device device() {
        return storage.device();
    }

    /** The memory this tensor views; for backends and tools, not for model code. */
    public Storage storage() {
        return storage;
    }

    public Backend backend() {
        return Backends.of(storage.device());
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as a parameter whose gradient {@link #backward()} accumulates. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("cannot clear requiresGrad on a tensor produced by '"
                    + gradFn.op() + "'; use detach()");
        }
        this.requiresGrad = value;
        return this;
    }

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
            grad.backend().fill(grad, 0f);
        }
    }

    /** The op that produced this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /**
     * The input of the {@code activation} ("softmax" over the last axis, or "sigmoid") that produced
     * this tensor, or null when another op produced it, that input has been freed, or this tensor
     * was made a parameter of its own (a leaf that requires grad: its gradient must reach it). Kept
     * whether or not the tape records, as Keras keeps {@code _keras_logits}, so a cross-entropy on
     * these probabilities works from the logits in training and in evaluation alike.
     */
    public Tensor logitsOf(String activation) {
        boolean ownParameter = requiresGrad && gradFn == null;
        return squashed != null && squashed.activation().equals(activation) && !ownParameter
                && !squashed.logits().storage.isFreed() ? squashed.logits() : null;
    }

    /** A tensor sharing this one's memory but not connected to the tape. */
    public Tensor detach() {
        return new Tensor(shape, storage);
    }

    // ---------------------------------------------------------------- reading values

    /** A copy of all values in row-major order; waits for pending device work. */
    public float[] toArray() {
        storage.checkLive();
        return backend().copyToHost(this);
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new IllegalStateException("item() needs a tensor with one element, got shape " + Shapes.str(shape));
        }
        return toArray()[0];
    }

    /** A copy on {@code device} (this tensor when it is already there); not differentiable across devices. */
    public Tensor to(Device device) {
        if (device.equals(device())) {
            return this;
        }
        return of(device, toArray(), shape);
    }

    /** A copy in new memory owned by the current scope (differentiable). */
    public Tensor copy() {
        Tensor out = like(this, shape);
        backend().copy(this, out);
        return record(out, "copy", g -> new Tensor[] {g}, this);
    }

    // ---------------------------------------------------------------- autograd

    /** Back-propagates from this scalar (d this / d this = 1) into every leaf that requires grad. */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward() without a gradient needs a scalar, got shape "
                    + Shapes.str(shape) + "; pass the output gradient with backward(gradient)");
        }
        backward(onesLike(this));
    }

    public void backward(Tensor gradient) {
        if (!Arrays.equals(gradient.shape, shape)) {
            throw ShapeMismatchException.of("backward", shape, gradient.shape, "differ: the gradient must match the output");
        }
        if (!requiresGrad) {
            throw new IllegalStateException("backward(): this tensor does not require grad (no parameter led to it,"
                    + " or it was computed under noGrad)");
        }
        Backprop.run(this, gradient);
    }

    void accumulateGrad(Tensor g) {
        if (grad == null) {
            grad = allocate(device(), storage.owner(), shape.clone());
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
                out.gradFn = new Node(op, List.of(inputs), backward);
                return out;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- elementwise

    private Tensor unary(UnaryOp op, float p, float q) {
        storage.checkLive();
        Tensor out = like(this, shape);
        backend().unary(op, this, p, q, out);
        if (op == UnaryOp.SIGMOID) {
            out.squashed = new Squashed("sigmoid", this);
        }
        Tensor x = this;
        return record(out, op.name().toLowerCase(java.util.Locale.ROOT), g -> {
            Tensor gx = like(x, x.shape);
            x.backend().unaryBackward(op, x, out, g, p, q, gx);
            return new Tensor[] {gx};
        }, this);
    }

    public Tensor neg() {
        return unary(UnaryOp.NEG, 0, 0);
    }

    public Tensor exp() {
        return unary(UnaryOp.EXP, 0, 0);
    }

    public Tensor log() {
        return unary(UnaryOp.LOG, 0, 0);
    }

    public Tensor sqrt() {
        return unary(UnaryOp.SQRT, 0, 0);
    }

    public Tensor abs() {
        return unary(UnaryOp.ABS, 0, 0);
    }

    public Tensor relu() {
        return unary(UnaryOp.RELU, 0, 0);
    }

    public Tensor leakyRelu(float negativeSlope) {
        return unary(UnaryOp.LEAKY_RELU, negativeSlope, 0);
    }

    public Tensor sigmoid() {
        return unary(UnaryOp.SIGMOID, 0, 0);
    }

    public Tensor tanh() {
        return unary(UnaryOp.TANH, 0, 0);
    }

    public Tensor pow(float exponent) {
        return unary(UnaryOp.POW, exponent, 0);
    }

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

    public Tensor add(float s) {
        return unary(UnaryOp.AFFINE, 1f, s);
    }

    public Tensor sub(float s) {
        return unary(UnaryOp.AFFINE, 1f, -s);
    }

    public Tensor mul(float s) {
        return unary(UnaryOp.AFFINE, s, 0f);
    }

    public Tensor div(float s) {
        return unary(UnaryOp.AFFINE, 1f / s, 0f);
    }

    private Tensor binary(BinaryOp op, Tensor b, String name) {
        checkSameDevice(name, b);
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

    public Tensor add(Tensor b) {
        return binary(BinaryOp.ADD, b, "add");
    }

    public Tensor sub(Tensor b) {
        return binary(BinaryOp.SUB, b, "sub");
    }

    public Tensor mul(Tensor b) {
        return binary(BinaryOp.MUL, b, "mul");
    }

    public Tensor div(Tensor b) {
        return binary(BinaryOp.DIV, b, "div");
    }

    /** 1 where this == b, else 0 (broadcasting); not differentiable. */
    public Tensor eq(Tensor b) {
        return compare(BinaryOp.EQUAL, b, "eq");
    }

    /** 1 where this > b, else 0 (broadcasting); not differentiable. */
    public Tensor gt(Tensor b) {
        return compare(BinaryOp.GREATER, b, "gt");
    }

    private Tensor compare(BinaryOp op, Tensor b, String name) {
        checkSameDevice(name, b);
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

    public Tensor sum(int... axes) {
        return reduce(ReduceOp.SUM, axes, false);
    }

    public Tensor sum(int[] axes, boolean keepDims) {
        return reduce(ReduceOp.SUM, axes, keepDims);
    }

    public Tensor mean(int... axes) {
        return reduce(ReduceOp.MEAN, axes, false);
    }

    public Tensor mean(int[] axes, boolean keepDims) {
        return reduce(ReduceOp.MEAN, axes, keepDims);
    }

    /** Maximum over axes; the gradient is shared equally among tied maxima. */
    public Tensor max(int... axes) {
        return reduce(ReduceOp.MAX, axes, false);
    }

    public Tensor max(int[] axes, boolean keepDims) {
        return reduce(ReduceOp.MAX, axes, keepDims);
    }

    private Tensor reduce(ReduceOp op, int[] axesIn, boolean keepDims) {
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
        Tensor out = like(this, target.clone()); // zero-filled: adding broadcasts this into it
        backend().binary(BinaryOp.ADD, out, this, out);
        int[] own = shape;
        return record(out, "expand", g -> new Tensor[] {g.sumTo(own)}, this);
    }

    // ---------------------------------------------------------------- softmax

    public Tensor softmax(int axis) {
        return softmax(axis, false);
    }

    public Tensor logSoftmax(int axis) {
        return softmax(axis, true);
    }

    private Tensor softmax(int axis, boolean log) {
        int a = Shapes.axis(axis, shape.length);
        if (a != shape.length - 1) {
            int[] perm = swapLast(a);
            return permute(perm).softmax(-1, log).permute(perm);
        }
        storage.checkLive();
        Tensor out = like(this, shape);
        backend().softmax(this, log, out);
        if (!log) {
            out.squashed = new Squashed("softmax", this);
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
            Tensor gx = like(x, x.shape);
            x.backend().copySlice(g, a, 0, gx, start, end - start);
            return new Tensor[] {gx};
        }, this);
    }

    /** Rows (axis 0) picked by {@code indices} (integral values, any shape); result shape indices.shape + shape[1:]. */
    public Tensor indexSelect(Tensor indices) {
        if (rank() < 1) {
            throw new IllegalArgumentException("indexSelect needs rank >= 1, got a scalar");
        }
        checkIndices("indexSelect", indices, shape[0]);
        int[] outShape = new int[indices.rank() + shape.length - 1];
        System.arraycopy(indices.shape, 0, outShape, 0, indices.rank());
        System.arraycopy(shape, 1, outShape, indices.rank(), shape.length - 1);
        Tensor out = like(this, outShape);
        backend().gatherRows(this, indices, out);
        Tensor x = this;
        return record(out, "index_select", g -> {
            Tensor gx = like(x, x.shape);
            x.backend().scatterAddRows(g, indices, gx);
            return new Tensor[] {gx, null};
        }, this, indices);
    }

    public Tensor indexSelect(int... rows) {
        float[] f = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            f[i] = rows[i];
        }
        return indexSelect(of(device(), f, rows.length));
    }

    /** For x of shape [n, c]: out[i] = x[i, labels[i]]. */
    public Tensor pick(Tensor labels) {
        if (rank() != 2 || labels.rank() != 1 || labels.shape[0] != shape[0]) {
            throw ShapeMismatchException.of("pick", shape, labels.shape, "do not fit: expected [n, c] and [n]");
        }
        checkIndices("pick (labels)", labels, shape[1]);
        Tensor out = like(this, new int[] {shape[0]});
        backend().pick(this, labels, out);
        Tensor x = this;
        return record(out, "pick", g -> {
            Tensor gx = like(x, x.shape);
            x.backend().pickBackward(g, labels, gx);
            return new Tensor[] {gx, null};
        }, this, labels);
    }

    private void checkIndices(String op, Tensor indices, int bound) {
        checkSameDevice(op, indices);
        float[] v = indices.toArray();
        for (int i = 0; i < v.length; i++) {
            float f = v[i];
            if (!(f >= 0 && f < bound) || f != Math.rint(f)) {
                throw new IndexOutOfBoundsException(op + ": value " + f + " at position " + i
                        + " is not an integer in [0, " + bound + ")");
            }
        }
    }

    // ---------------------------------------------------------------- matmul

    /**
     * Matrix product over the last two axes: [.., m, k] · [.., k, n]. Leading (batch) axes must be
     * equal, or one operand is a plain matrix used for every batch.
     */
    public Tensor matmul(Tensor b) {
        checkSameDevice("matmul", b);
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
                ga = batchA.length > 0 ? full : full.reshape(batch, m, k).sum(0);
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
        storage.checkLive();
        backend().unary(UnaryOp.AFFINE, this, s, 0f, this);
        return this;
    }

    /** this = other's values (same shape); never recorded. */
    public Tensor copyFrom(Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw ShapeMismatchException.of("copyFrom", shape, other.shape, "differ");
        }
        checkSameDevice("copyFrom", other);
        backend().copy(other, this);
        return this;
    }

    public Tensor fillInPlace(float value) {
        storage.checkLive();
        backend().fill(this, value);
        return this;
    }

    private void inPlaceBinary(BinaryOp op, Tensor other) {
        checkSameDevice(op.name(), other);
        int[] s = Shapes.broadcast(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace", shape, other.shape);
        if (!Arrays.equals(s, shape)) {
            throw ShapeMismatchException.of(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace", shape, other.shape,
                    "do not fit: the second must broadcast into the first");
        }
        storage.checkLive();
        backend().binary(op, this, other, this);
    }

    // ---------------------------------------------------------------- printing

    /** NumPy-like text; large tensors show three items at each edge of every axis. */
    @Override
    public String toString() {
        if (storage.isFreed()) {
            return "tensor(<freed>, shape=" + Shapes.str(shape) + ")";
        }
        float[] v = toArray();
        StringBuilder sb = new StringBuilder("tensor(");
        boolean summarize = v.length > 1000;
        format(sb, v, 0, 0, summarize, 7);
        sb.append(", shape=").append(Shapes.str(shape));
        if (!device().equals(Device.CPU)) {
            sb.append(", device=").append(device());
        }
        if (requiresGrad) {
            sb.append(", requiresGrad=true");
        }
        return sb.append(')').toString();
    }

    private void format(StringBuilder sb, float[] v, int dim, long offset, boolean summarize, int indent) {
        if (shape.length == 0) {
            sb.append(formatValue(v[0]));
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
                sb.append(formatValue(v[(int) (offset + i)]));
            } else {
                format(sb, v, dim + 1, offset + i * stride, summarize, indent);
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
