package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Keras-style layer: the constructor takes hyper-parameters only; weights are made on the first
 * call, from the input shape, in the owner scope the model gives. Shapes here exclude the batch
 * axis.
 */
public abstract class Layer {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private int[] inputShape;
    private int[] outputShape;
    private boolean trainable = true;

    /** An unbuilt, trainable layer; a subclass's constructor takes its hyper-parameters only, as Keras's. */
    protected Layer() {
    }

    /** Keras-like class name for summaries and saved architectures, e.g. "Dense". */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /**
     * Whether this layer, once built, also takes inputs of {@code inputShape} (no batch axis) at a
     * second place in a functional model, as a tied output embedding takes hidden states; false by
     * default: a shared layer takes the inputs it was built for.
     */
    public boolean alsoTakes(int[] inputShape) {
        return false;
    }

    /**
     * Makes the weights for inputs of {@code inputShape} (no batch axis) in {@code owner}. The
     * build is all or nothing: when it fails, the layer stays unbuilt, the weights made so far are
     * freed (or left to {@code owner}, which the caller closes), and it can be built again.
     */
    public final void build(int[] inputShape, Scope owner, long seed) {
        if (this.inputShape != null) {
            if (!Arrays.equals(this.inputShape, inputShape) && !alsoTakes(inputShape)) {
                throw ShapeMismatchException.of(typeName(), this.inputShape, inputShape,
                        "differ: the layer was built for the first (batch axis excluded) and now gets the second");
            }
            return;
        }
        int[] out = computeOutputShape(inputShape.clone());
        Map<String, int[]> declared = parameterShapes(inputShape.clone());
        Map<String, Tensor> kept = new LinkedHashMap<>();
        try (Scope ignored = owner == null ? null : Scope.open("build " + typeName())) {
            Map<String, Tensor> made = new LinkedHashMap<>();
            createParameters(inputShape.clone(), seed, made);
            checkDeclared(declared, made);
            for (var e : made.entrySet()) {
                Tensor p = e.getValue();
                if (owner != null) {
                    owner.adopt(p);
                }
                kept.put(e.getKey(), p.requiresGrad(trainable && !nonTrainableWeights().contains(e.getKey())));
            }
        }
        parameters.putAll(kept);
        this.outputShape = out;
        this.inputShape = inputShape.clone();
    }

    /** The two descriptions of a layer's weights must agree, or loading would check the wrong shapes. */
    private void checkDeclared(Map<String, int[]> declared, Map<String, Tensor> made) {
        boolean same = declared.keySet().equals(made.keySet());
        for (var e : made.entrySet()) {
            same &= Arrays.equals(declared.get(e.getKey()), e.getValue().shape());
        }
        if (!same) {
            throw new IllegalStateException(typeName() + " made weights that its parameterShapes do not declare");
        }
    }

    /**
     * Forgets the build, so the layer can be built again for another shape. Only for a caller whose
     * build of a later layer failed and who closes the owner scope it gave (as {@code Sequential}
     * does); the layer's weights are not freed here.
     */
    public final void unbuild() {
        parameters.clear();
        inputShape = null;
        outputShape = null;
    }

    /** Whether {@link #build} has made the weights (and fixed the input shape); {@link #unbuild} undoes it. */
    public boolean isBuilt() {
        return inputShape != null;
    }

    /** Output shape (no batch axis) for an input shape (no batch axis). */
    public abstract int[] computeOutputShape(int[] inputShape);

    /**
     * Names and shapes of the weights {@link #createParameters} makes for inputs of
     * {@code inputShape}, in the same order, without allocating anything: what loading a saved
     * model checks the file against before it builds.
     */
    public Map<String, int[]> parameterShapes(int[] inputShape) {
        return Map.of();
    }

    /** Makes this layer's weights, the ones {@link #parameterShapes} declares, into {@code into}. */
    protected void createParameters(int[] inputShape, long seed, Map<String, Tensor> into) {
    }

    /** Applies the layer to a batch; {@code training} switches layers such as Dropout. */
    public final Tensor call(Tensor x, boolean training) {
        return call(x, null, training);
    }

    /**
     * Applies the layer with a timestep mask ([batch, time], 1 = real step, 0 = padding) from an
     * earlier layer such as {@code Embedding(maskZero)}; layers that do not use masks ignore it.
     */
    public final Tensor call(Tensor x, Tensor mask, boolean training) {
        checkInput(x);
        return forward(x, mask, training);
    }

    /**
     * Calls the layer on symbolic tensors (Keras's {@code layer(x)} on a {@code KerasTensor}): checks
     * the shapes and records the call, allocating nothing; {@code new Model(inputs, outputs)} builds
     * and runs the graph such calls make. A layer applied at several places shares its weights.
     */
    public final SymbolicTensor apply(SymbolicTensor... inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException(typeName() + ".apply needs at least one input");
        }
        List<int[]> shapes = new ArrayList<>(inputs.length);
        for (SymbolicTensor in : inputs) {
            shapes.add(in.shape());
        }
        return new SymbolicTensor(computeOutputShape(shapes), dev.isthmus.nn.tensor.DType.FLOAT32, this,
                List.of(inputs), null);
    }

    /** Output shape for the shapes of the tensors a graph node passes; one input unless a {@link MergeLayer}. */
    public int[] computeOutputShape(List<int[]> inputShapes) {
        if (inputShapes.size() != 1) {
            throw new IllegalArgumentException(typeName() + " takes one input, got " + inputShapes.size());
        }
        return computeOutputShape(inputShapes.getFirst().clone());
    }

    /** Runs the layer as a graph node does: on its inputs' batches and their masks (entries may be null). */
    public Tensor call(List<Tensor> inputs, List<Tensor> masks, boolean training) {
        return call(inputs.getFirst(), masks.getFirst(), training);
    }

    /** The mask of a graph node's output from its inputs and their masks. */
    public Tensor outputMask(List<Tensor> inputs, List<Tensor> masks) {
        return outputMask(inputs.getFirst(), masks.getFirst());
    }

    /** Throws unless the layer is built for inputs of x's shape (batch axis excluded). */
    protected final void checkInput(Tensor x) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException(typeName() + " needs a batch axis; got a scalar");
        }
        int[] s = Arrays.copyOfRange(x.shape(), 1, x.rank());
        if (!isBuilt()) {
            throw new IllegalStateException(typeName() + " is not built; add it to a Sequential or call build first");
        }
        if (!Arrays.equals(s, inputShape)) {
            throw ShapeMismatchException.of(typeName(), inputShape, s,
                    "differ: the layer was built for inputs of the first shape (batch axis excluded) but got the second");
        }
    }

    /**
     * The layer's computation on a batch {@code x} (batch axis first, the rest the built input shape, already
     * checked), differentiably through the tensor ops so that autograd reaches the weights. The result is owned by
     * the current scope; {@code training} is true inside {@code fit}'s steps (Dropout acts only then).
     */
    protected abstract Tensor forward(Tensor x, boolean training);

    /** Mask-aware layers (LSTM, pooling over time) override this; others ignore the mask. */
    protected Tensor forward(Tensor x, Tensor mask, boolean training) {
        return forward(x, training);
    }

    /**
     * The mask of this layer's output given its input and input mask. By default the mask passes
     * through unchanged (as Keras does for Dense, Dropout, Activation); layers that remove or
     * reshape the time axis return null.
     */
    public Tensor outputMask(Tensor x, Tensor mask) {
        return mask;
    }

    /**
     * The penalties of this layer's regularizers on its weights, summed into one scalar (Keras's
     * {@code layer.losses}); null when the layer has none, is not built, or is frozen (Keras
     * regularizes trainable weights only). {@code fit} adds it to the loss.
     */
    public Tensor regularizationLoss() {
        if (!trainable || !isBuilt()) {
            return null;
        }
        Tensor total = null;
        for (var e : regularizers().entrySet()) {
            Tensor w = parameters.get(e.getKey());
            if (w != null && e.getValue() != null) {
                Tensor p = e.getValue().penalty(w);
                total = total == null ? p : total.add(p);
            }
        }
        return total;
    }

    /** The regularizer of each regularized weight, by weight name; none unless a layer overrides it. */
    protected Map<String, Regularizer> regularizers() {
        return Map.of();
    }

    /** Throws unless the layer is unbuilt: initializers and regularizers are set before the weights exist. */
    protected final void requireUnbuilt(String what) {
        if (isBuilt()) {
            throw new IllegalStateException(typeName() + "." + what + " must be set before the layer is built");
        }
    }

    /** Parameters by name in creation order. */
    public Map<String, Tensor> parameters() {
        return java.util.Collections.unmodifiableMap(parameters);
    }

    /** Whether training updates this layer's weights (true unless {@link #setTrainable} froze it). */
    public boolean trainable() {
        return trainable;
    }

    /**
     * Freezes ({@code false}) or unfreezes the layer, as Keras's {@code layer.trainable}: a frozen
     * layer's weights get no gradient, no optimizer update and no optimizer state; the layer still
     * runs forward (and passes gradients to earlier layers). Takes effect at the next training
     * step, before or after the layer is built.
     */
    public Layer setTrainable(boolean trainable) {
        this.trainable = trainable;
        parameters.forEach((name, p) -> p.requiresGrad(trainable && !nonTrainableWeights().contains(name)));
        return this;
    }

    /**
     * The weights that training never updates through gradients, whatever {@link #trainable()} says
     * (Keras's non-trainable weights, such as BatchNormalization's moving statistics): they get no
     * gradient and no optimizer state, and count as non-trainable in summaries. None by default.
     */
    protected java.util.Set<String> nonTrainableWeights() {
        return java.util.Set.of();
    }

    /** Parameters in training: those of {@link #parameterCount()} not among the non-trainable weights; none when frozen. */
    public long trainableParameterCount() {
        if (!trainable) {
            return 0;
        }
        long n = 0;
        for (var e : parameters.entrySet()) {
            if (!nonTrainableWeights().contains(e.getKey())) {
                n += e.getValue().numel();
            }
        }
        return n;
    }

    /**
     * Copies of the weights in Keras's order and layouts ({@code kernel}, then {@code bias}; for
     * LSTM {@code kernel}, {@code recurrent_kernel}, {@code bias}), owned by the caller's scope.
     */
    public List<Tensor> getWeights() {
        requireBuilt("getWeights");
        List<Tensor> out = new ArrayList<>(parameters.size());
        for (Tensor p : parameters.values()) {
            out.add(p.detach().copy());
        }
        return out;
    }

    /**
     * Sets the weights from tensors in the order and shapes of {@link #getWeights()} (on the
     * weights' device or the CPU). Every shape is checked before any weight is written.
     *
     * @throws WeightShapeException when a tensor's shape is not its weight's, naming both
     */
    public void setWeights(List<Tensor> weights) {
        setWeights(typeName(), weights);
    }

    /** As {@link #setWeights(List)}, from row-major float arrays, checked by length against each weight's shape. */
    public void setWeights(float[]... weights) {
        requireBuilt("setWeights");
        requireCount(typeName(), weights.length);
        int i = 0;
        for (var e : parameters.entrySet()) {
            if (weights[i].length != e.getValue().numel()) {
                throw new WeightShapeException(typeName(), e.getKey(), e.getValue().shape(), new int[] {weights[i].length});
            }
            i++;
        }
        i = 0;
        try (Scope ignored = Scope.open("setWeights")) {
            for (Tensor p : parameters.values()) {
                p.copyFrom(Tensor.of(p.device(), weights[i++], p.shape()));
            }
        }
    }

    /** {@link #setWeights(List)} with errors naming the layer {@code layerName} (its name in a model). */
    public void setWeights(String layerName, List<Tensor> weights) {
        requireBuilt("setWeights");
        checkWeights(layerName, weights);
        int i = 0;
        try (Scope ignored = Scope.open("setWeights")) {
            for (Tensor p : parameters.values()) {
                Tensor w = weights.get(i++);
                p.copyFrom(w.device().equals(p.device()) ? w : w.to(p.device()));
            }
        }
    }

    /** Throws unless {@code weights} fit this layer's weights in count and shapes. */
    public void checkWeights(String layerName, List<Tensor> weights) {
        requireCount(layerName, weights.size());
        int i = 0;
        for (var e : parameters.entrySet()) {
            Tensor w = weights.get(i++);
            if (!Arrays.equals(w.shape(), e.getValue().shape())) {
                throw new WeightShapeException(layerName, e.getKey(), e.getValue().shape(), w.shape());
            }
        }
    }

    private void requireCount(String layerName, int given) {
        if (given != parameters.size()) {
            throw new IllegalArgumentException("layer " + layerName + " has " + parameters.size() + " weights "
                    + parameters.keySet() + ", got " + given);
        }
    }

    /** Throws IllegalStateException, naming {@code what}, unless the layer is built. */
    protected final void requireBuilt(String what) {
        if (!isBuilt()) {
            throw new IllegalStateException(what + ": " + typeName() + " is not built yet; build the model first");
        }
    }

    /** The number of weight values, trainable or not (0 before the layer is built). */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : parameters.values()) {
            n += t.numel();
        }
        return n;
    }

    /** The input shape the layer was built for, without the batch axis (a copy), or null before it is built. */
    public int[] inputShape() {
        return inputShape == null ? null : inputShape.clone();
    }

    /** The output shape, without the batch axis (a copy), or null before the layer is built. */
    public int[] outputShape() {
        return outputShape == null ? null : outputShape.clone();
    }

    /**
     * How far the layer's random stream has advanced (for {@link Dropout}: masks drawn so far; 0 for
     * layers that draw nothing). Checkpoints save it so that a resumed run draws the same masks an
     * unbroken run would.
     */
    public long randomDraws() {
        return 0;
    }

    /** Puts the layer's random stream back to a position {@link #randomDraws()} reported. */
    public void restoreRandomDraws(long draws) {
        if (draws != 0) {
            throw new IllegalArgumentException(typeName() + " draws no random numbers; cannot restore " + draws + " draws");
        }
    }

    /**
     * Hyper-parameters, Keras {@code get_config} style, for summaries and saved architectures:
     * what {@link Layers#fromConfig} needs to make the layer again. Values are JSON-ready
     * (numbers, strings, booleans, lists, maps, null).
     */
    public Map<String, Object> config() {
        return Map.of();
    }
}
