package dev.isthmus.nn.model;

import dev.isthmus.nn.autograd.GradMode;
import dev.isthmus.nn.backend.cpu.CounterRandom;
import dev.isthmus.nn.callbacks.Callback;
import dev.isthmus.nn.callbacks.ProgressBar;
import dev.isthmus.nn.callbacks.TerminateOnNaN;
import dev.isthmus.nn.data.Dataset;
import dev.isthmus.nn.layers.Input;
import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.layers.MergeLayer;
import dev.isthmus.nn.layers.SymbolicTensor;
import dev.isthmus.nn.losses.Loss;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.optim.Optimizer;
import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Shapes;
import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.nio.file.Path;
import dev.isthmus.nn.io.Json;
import dev.isthmus.nn.io.SafeTensors;
import dev.isthmus.nn.io.SafeTensorsException;

/**
 * A model: a graph of layer calls from its inputs to its outputs, Keras's functional
 * {@code Model}, with {@code compile}, {@code fit}, {@code evaluate}, {@code predict},
 * {@code summary}, {@code save} and {@code load}. {@link Sequential} is the chain special case
 * of the same machinery.
 *
 * <pre>{@code
 * SymbolicTensor in = Input.of(16);
 * SymbolicTensor h = new Dense(16, Activation.RELU).apply(in);
 * SymbolicTensor out = new Dense(1).apply(new Add().apply(in, h));
 * try (Model model = new Model(in, out)) { ... }
 * }</pre>
 *
 * <p>Layer i (in the graph's topological order, a shared layer counted once) draws its weights
 * from a stream derived from the seed and i, and its weights are saved as "i.name", so a graph
 * that is a chain trains exactly as the {@code Sequential} of the same layers. The model owns its
 * parameters (and their gradients and optimizer state) in a scope of its own, freed by
 * {@link #close()}.
 *
 * <p><b>Thread safety.</b> A model is not thread-safe: use it from one thread at a time. Its
 * {@code fit}, {@code evaluate} and {@code predict} run one at a time: while one thread is in any
 * of them, a call from another thread throws {@link ConcurrentModelUseException} rather than
 * interleave its steps and updates with the running one (the running thread itself may call them,
 * as fit's validation and callbacks do). Other methods ({@code compile}, {@code setWeights},
 * {@code save}, ...) are not guarded and must not race with those. Separate models may train on
 * separate threads at once.
 */
public class Model implements AutoCloseable {
    /** The graph, set by a successful build: inputs, layer calls in topological order, outputs. */
    private List<SymbolicTensor> inputs;
    private List<SymbolicTensor> nodes = List.of();
    private List<SymbolicTensor> outputs;
    /** The distinct layers in the order of their first call, and their names. */
    private List<Layer> layers = List.of();
    private List<String> names = List.of();
    /** Owner of the parameters, made by a successful build; null before. */
    private Scope parameterScope;
    private final String name;
    private long seed = 0;
    private Optimizer optimizer;
    private List<Loss> losses = List.of();
    private float[] lossWeights;
    private List<Metric> metrics = List.of();
    private volatile boolean stopTraining;
    private final ExclusiveUse exclusive = new ExclusiveUse();

    /** The model from {@code input} to {@code output}; builds every layer on the way. */
    public Model(SymbolicTensor input, SymbolicTensor output) {
        this("model", List.of(input), List.of(output));
    }

    /** The model from {@code inputs} to {@code outputs} (in that order for fit, evaluate and predict), named "model"; builds every layer on the way, all or nothing. */
    public Model(List<SymbolicTensor> inputs, List<SymbolicTensor> outputs) {
        this("model", inputs, outputs);
    }

    /** As {@link #Model(List, List)}, with a name (shown by {@code summary()} and saved). */
    public Model(String name, List<SymbolicTensor> inputs, List<SymbolicTensor> outputs) {
        this(name, inputs, outputs, 0);
    }

    /** As {@link #Model(String, List, List)} with the weight initialisers' seed (default 0). */
    public Model(String name, List<SymbolicTensor> inputs, List<SymbolicTensor> outputs, long seed) {
        this.name = name;
        this.seed = seed;
        buildGraph(inputs, outputs);
    }

    /** A model whose graph a subclass gives later, with {@link #buildGraph}. */
    protected Model(String name) {
        this.name = name;
    }

    /** The model's name as given, else "model" ("sequential" for a {@link Sequential}). */
    public String name() {
        return name;
    }

    /** Seed of the weight initialisers; set before the graph is built. */
    protected final void setSeed(long seed) {
        if (isBuilt()) {
            throw new IllegalStateException("the seed must be set before the model is built");
        }
        this.seed = seed;
    }

    long seed() {
        return seed;
    }

    /**
     * Orders the graph from {@code inputs} to {@code outputs} and builds every layer for the
     * shapes that reach it. All or nothing: a layer that fails takes the earlier layers' builds and
     * weights with it, and the model stays unbuilt.
     */
    protected final void buildGraph(List<SymbolicTensor> inputs, List<SymbolicTensor> outputs) {
        Graph g = Graph.of(inputs, outputs);
        Scope owner = Scope.independent(name + " parameters");
        List<Layer> builtHere = new ArrayList<>();
        try {
            for (SymbolicTensor node : g.nodes()) {
                Layer l = node.layer();
                if (l instanceof MergeLayer) {
                    continue;
                }
                if (!l.isBuilt()) {
                    builtHere.add(l);
                }
                l.build(node.inbound().getFirst().shape(), owner, CounterRandom.mix(seed, g.layers().indexOf(l)));
            }
        } catch (RuntimeException | Error e) {
            owner.close();
            builtHere.forEach(Layer::unbuild);
            throw e;
        }
        parameterScope = owner;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.nodes = g.nodes();
        this.layers = g.layers();
        this.names = g.names();
    }

    /**
     * The parameters building the graph would make, by saved name, with their shapes, allocating
     * nothing.
     */
    static Map<String, int[]> parameterShapes(Graph g) {
        Map<String, int[]> all = new LinkedHashMap<>();
        for (SymbolicTensor node : g.nodes()) {
            Layer l = node.layer();
            int i = g.layers().indexOf(l);
            if (l instanceof MergeLayer || all.keySet().stream().anyMatch(k -> k.startsWith(i + "."))) {
                continue;
            }
            for (var e : l.parameterShapes(node.inbound().getFirst().shape()).entrySet()) {
                all.put(i + "." + e.getKey(), e.getValue());
            }
        }
        return all;
    }

    /** Whether the graph is built and its layers hold weights (a {@link Sequential} builds lazily on its first batch or {@code build(...)}). */
    public boolean isBuilt() {
        return inputs != null;
    }

    /**
     * Called by {@code forward} with the shapes (batch axis excluded) of the batches it got:
     * throws unless the model's inputs have them; {@link Sequential} builds itself here.
     */
    protected void buildFor(List<int[]> shapes) {
        if (shapes.size() != inputs.size()) {
            throw new IllegalArgumentException("model " + name + " has " + inputs.size() + " inputs, got " + shapes.size());
        }
        for (int i = 0; i < shapes.size(); i++) {
            if (!Arrays.equals(inputs.get(i).shape(), shapes.get(i))) {
                throw ShapeMismatchException.of(name, inputs.get(i).shape(), shapes.get(i),
                        "differ: input " + i + " of the model has the first shape (batch axis excluded)");
            }
        }
    }

    /** Runs the model on a batch of its one input; its one output. */
    public Tensor forward(Tensor x, boolean training) {
        List<Tensor> out = forward(List.of(x), training);
        if (out.size() != 1) {
            throw new IllegalStateException("model " + name + " has " + out.size() + " outputs: use forward(List, training)");
        }
        return out.getFirst();
    }

    /** Runs the graph on a batch of each input; a batch of each output. */
    public List<Tensor> forward(List<Tensor> xs, boolean training) {
        List<int[]> shapes = new ArrayList<>(xs.size());
        for (Tensor x : xs) {
            if (x.rank() < 1) {
                throw new IllegalArgumentException("model input needs a batch axis; got a scalar");
            }
            shapes.add(Arrays.copyOfRange(x.shape(), 1, x.rank()));
        }
        buildFor(shapes);
        Map<SymbolicTensor, Tensor> values = new IdentityHashMap<>();
        Map<SymbolicTensor, Tensor> masks = new IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            values.put(inputs.get(i), xs.get(i));
        }
        for (SymbolicTensor node : nodes) {
            List<Tensor> in = new ArrayList<>(node.inbound().size());
            List<Tensor> inMasks = new ArrayList<>(node.inbound().size());
            for (SymbolicTensor t : node.inbound()) {
                in.add(values.get(t));
                inMasks.add(masks.get(t));
            }
            values.put(node, node.layer().call(in, inMasks, training));
            Tensor mask = node.layer().outputMask(in, inMasks);
            if (mask != null) {
                masks.put(node, mask);
            }
        }
        List<Tensor> out = new ArrayList<>(outputs.size());
        for (SymbolicTensor o : outputs) {
            out.add(values.get(o));
        }
        return out;
    }

    /** The distinct layers, in the order of their first call (a shared layer once). */
    public List<Layer> layers() {
        return layers;
    }

    /** The layers' names, as the summary and saved architecture give them ("dense", "dense_1"). */
    public List<String> layerNames() {
        return names;
    }

    /** The symbolic inputs, in the order fit, evaluate and predict take their tensors; null before the build. */
    public List<SymbolicTensor> inputs() {
        return inputs;
    }

    /** The symbolic outputs, in the order predict returns them and fit takes their targets; null before the build. */
    public List<SymbolicTensor> outputs() {
        return outputs;
    }

    /** The outputs' names: the layers that made them ({@code <output>_loss} in the logs). */
    public List<String> outputNames() {
        List<String> out = new ArrayList<>();
        for (SymbolicTensor o : outputs) {
            out.add(o.isInput() ? "input_" + inputs.indexOf(o) : names.get(layers.indexOf(o.layer())));
        }
        return out;
    }

    /** Parameters named "index.name" ("0.kernel", "1.bias"), as they are saved. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (var e : layers.get(i).parameters().entrySet()) {
                all.put(i + "." + e.getKey(), e.getValue());
            }
        }
        return all;
    }

    /** Every weight of every layer (trainable or not), each once even when a layer is shared, in the order of {@link #namedParameters()}; the tensors themselves, not copies. */
    public List<Tensor> parameters() {
        return List.copyOf(namedParameters().values());
    }

    /** The parameters training updates: those of the layers not frozen by {@code setTrainable(false)}. */
    public List<Tensor> trainableParameters() {
        List<Tensor> out = new ArrayList<>();
        for (Tensor p : namedParameters().values()) {
            if (p.requiresGrad()) {
                out.add(p);
            }
        }
        return out;
    }

    /** The optimizer given to {@link #compile}, or null before. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Asks a running {@code fit} to stop after its current batch (Keras's
     * {@code model.stop_training = True}); callbacks call it. Each {@code fit} starts with the
     * request cleared.
     */
    public void stopTraining() {
        stopTraining = true;
    }

    /** Whether {@link #stopTraining()} was called since the current (or last) fit began. */
    public boolean stopTrainingRequested() {
        return stopTraining;
    }

    /** Copies of every layer's weights, layer by layer in Keras's order, owned by the caller's scope. */
    public List<Tensor> getWeights() {
        requireBuilt("getWeights");
        List<Tensor> all = new ArrayList<>();
        layers.forEach(l -> all.addAll(l.getWeights()));
        return all;
    }

    /**
     * Sets every layer's weights from {@code weights} in the order of {@link #getWeights()}; all
     * counts and shapes are checked before any weight is written.
     *
     * @throws dev.isthmus.nn.layers.WeightShapeException naming the layer, the weight and both shapes
     */
    public void setWeights(List<Tensor> weights) {
        requireBuilt("setWeights");
        int total = 0;
        for (Layer l : layers) {
            total += l.parameters().size();
        }
        if (weights.size() != total) {
            throw new IllegalArgumentException("model " + name + " has " + total + " weights, got " + weights.size());
        }
        int at = 0;
        for (int i = 0; i < layers.size(); i++) {
            int n = layers.get(i).parameters().size();
            layers.get(i).checkWeights(names.get(i), weights.subList(at, at + n));
            at += n;
        }
        at = 0;
        for (int i = 0; i < layers.size(); i++) {
            int n = layers.get(i).parameters().size();
            layers.get(i).setWeights(names.get(i), weights.subList(at, at + n));
            at += n;
        }
    }

    private void requireBuilt(String what) {
        if (!isBuilt()) {
            throw new IllegalStateException(what + " needs a built model: call build(inputShape) or run a batch through it");
        }
    }

    /** One loss for every output (their sum is minimised); each metric is reported for every output. */
    public void compile(Optimizer optimizer, Loss loss, Metric... metrics) {
        this.optimizer = optimizer;
        this.losses = List.of(loss);
        this.lossWeights = null;
        this.metrics = List.of(metrics);
    }

    /**
     * A loss per output, in the order of the outputs, and a weight per loss (null: all 1): fit
     * minimises the weighted sum, and logs each output's loss as {@code <output>_loss}.
     */
    public void compile(Optimizer optimizer, List<Loss> losses, float[] lossWeights, Metric... metrics) {
        requireBuilt("compile with a loss per output");
        if (losses.size() != outputs.size()) {
            throw new IllegalArgumentException("model " + name + " has " + outputs.size() + " outputs, got " + losses.size() + " losses");
        }
        if (lossWeights != null && lossWeights.length != outputs.size()) {
            throw new IllegalArgumentException("model " + name + " has " + outputs.size() + " outputs, got "
                    + lossWeights.length + " loss weights");
        }
        this.optimizer = optimizer;
        this.losses = List.copyOf(losses);
        this.lossWeights = lossWeights == null ? null : lossWeights.clone();
        this.metrics = List.of(metrics);
    }

    /** The loss of output {@code o}. */
    private Loss loss(int o) {
        return losses.size() == 1 ? losses.getFirst() : losses.get(o);
    }

    // ---------------------------------------------------------------- training

    /**
     * Trains on (x, y); see {@link Fit} for the settings. Every step runs in a scope of its own.
     *
     * @throws ConcurrentModelUseException when another thread is running fit, evaluate or predict on this model
     */
    public History fit(Tensor x, Tensor y, Fit fit) {
        return fit(x, y, null, fit);
    }

    /**
     * Trains on (x, y) with a weight per sample ([n] or [n, 1], Keras's {@code sample_weight}; null
     * for none): each sample's loss is multiplied by its weight and the batch's loss is their sum
     * over the batch size (Keras's {@code sum_over_batch_size}); metrics stay unweighted, as
     * Keras's {@code metrics} (not {@code weighted_metrics}).
     *
     * @throws ConcurrentModelUseException when another thread is running fit, evaluate or predict on this model
     */
    public History fit(Tensor x, Tensor y, Tensor sampleWeight, Fit fit) {
        return fit(List.of(x), List.of(y), sampleWeight, fit);
    }

    /** Trains a model of several inputs or outputs on a tensor per input and a label tensor per output. */
    public History fit(List<Tensor> x, List<Tensor> y, Fit fit) {
        return fit(x, y, null, fit);
    }

    /** As {@link #fit(Tensor, Tensor, Tensor, Fit)} with a tensor per input and a label tensor per output. */
    public History fit(List<Tensor> x, List<Tensor> y, Tensor sampleWeight, Fit fit) {
        try (var ignored = exclusive.enter(name, "fit")) {
            return fitAlone(x, y, sampleWeight, fit);
        }
    }

    private History fitAlone(List<Tensor> x, List<Tensor> y, Tensor sampleWeight, Fit fit) {
        requireCompiled("fit");
        checkData("fit", x, y);
        if (sampleWeight != null) {
            checkWeights("fit", x.getFirst(), sampleWeight, fit);
        }
        List<Tensor> trainX = x;
        List<Tensor> trainY = y;
        Tensor trainW = sampleWeight;
        List<Tensor> valX = fit.validationX() == null ? null : List.of(fit.validationX());
        List<Tensor> valY = fit.validationY() == null ? null : List.of(fit.validationY());
        int n = x.getFirst().size(0);
        if (fit.validationSplit() > 0) {
            int cut = (int) (n * (1 - fit.validationSplit()));
            if (cut == 0 || cut == n) {
                throw new IllegalArgumentException("validation split " + fit.validationSplit() + " of " + n
                        + " samples leaves an empty training or validation set");
            }
            trainX = slices(x, 0, cut);
            trainY = slices(y, 0, cut);
            trainW = sampleWeight == null ? null : sampleWeight.slice(0, 0, cut);
            valX = slices(x, cut, n);
            valY = slices(y, cut, n);
        }
        if (valX != null) {
            checkData("fit (validation data)", valX, valY);
        }
        List<Tensor> vx = valX;
        List<Tensor> vy = valY;
        java.util.function.Supplier<Map<String, Double>> validation = vx != null ? () -> evaluate(vx, vy, fit.batchSize())
                : fit.validationDataset() != null ? () -> evaluate(fit.validationDataset()) : null;
        // built before the first step, so the first step's parameters are those of every later one
        buildFor(sampleShapes(x));
        int nTrain = trainX.getFirst().size(0);
        int batch = Math.min(fit.batchSize(), nTrain);
        int steps = (nTrain + batch - 1) / batch;
        Run run = new Run(fit, validation);
        // The totals' rows and a captured step's fixed buffers live for the whole fit.
        try (Scope fitScope = Scope.independent("fit");
             GraphedSteps graphed = fit.cudaGraphs()
                     ? new GraphedSteps(trainX.getFirst().device(), batch, fitScope, fit.stepCapturer()) : null) {
            BatchTotals totals = new BatchTotals(trainX.getFirst().device(), steps, metrics, lossNames(), fitScope);
            List<Tensor> dataX = trainX;
            List<Tensor> dataY = trainY;
            Tensor dataW = trainW;
            Tensor classTable = classWeightTable(fit, trainX.getFirst().device(), fitScope);
            for (int epoch = run.firstEpoch; epoch <= fit.epochs() && !stopTraining; epoch++) {
                Epoch e = run.epoch(epoch, totals, steps);
                // each epoch's order depends on (seed, epoch) only, so a resumed run shuffles as an unbroken one
                int[] perm = permutation(nTrain, fit.shuffle() ? new SplittableRandom(CounterRandom.mix(fit.seed(), epoch)) : null);
                for (int step = 0; step < steps && !stopTraining; step++) {
                    int from = step * batch;
                    int to = Math.min(nTrain, from + batch);
                    e.batchBegin(step);
                    java.util.function.Consumer<Tensor> body = index -> trainStep(dataX, dataY, dataW, classTable, index, totals);
                    if (graphed != null) {
                        graphed.step(perm, from, to, GraphedSteps.Key.of(optimizer, trainableParameters()), body, totals);
                    } else {
                        try (Scope ignored = Scope.open("train step")) {
                            body.accept(indexTensor(perm, from, to));
                        }
                    }
                    e.batchEnd(step);
                }
                e.finish();
            }
        }
        return run.end();
    }

    /**
     * Trains on a dataset of batches {x, y} or {x, y, sample weights} (see {@link Dataset}); epoch
     * e (from 1) runs pass e - 1 of the dataset, in the dataset's own order: {@code Fit.shuffle} and
     * {@code Fit.batchSize} do not apply (shuffle and batch the dataset), nor do
     * {@code validationSplit} or {@code cudaGraphs}. Each batch is pulled inside its step's scope,
     * and the host reads no value per step, as with tensors: the epoch's totals stay on the device
     * until a redraw, a callback or the epoch's end.
     */
    public History fit(Dataset data, Fit fit) {
        try (var ignored = exclusive.enter(name, "fit")) {
            return fitDatasetAlone(data, fit);
        }
    }

    private History fitDatasetAlone(Dataset data, Fit fit) {
        requireCompiled("fit");
        java.util.Objects.requireNonNull(data, "fit: dataset");
        if (fit.validationSplit() > 0) {
            throw new IllegalArgumentException("fit: validationSplit needs tensors (a dataset cannot be split);"
                    + " pass Fit.validationData(...) instead");
        }
        if (fit.cudaGraphs()) {
            throw new IllegalArgumentException("fit: Fit.cudaGraphs applies to fit(x, y, ...); a dataset's steps run eagerly");
        }
        if (fit.validationX() != null) {
            checkData("fit (validation data)", fit.validationX(), fit.validationY());
        }
        java.util.function.Supplier<Map<String, Double>> validation = fit.validationX() != null
                ? () -> evaluate(List.of(fit.validationX()), List.of(fit.validationY()), fit.batchSize())
                : fit.validationDataset() != null ? () -> evaluate(fit.validationDataset()) : null;
        Run run = new Run(fit, validation);
        long steps = data.cardinality();
        try (Scope fitScope = Scope.independent("fit")) {
            BatchTotals totals = BatchTotals.lazy(steps, metrics, lossNames(), fitScope);
            Tensor[] classTable = {null};
            for (int epoch = run.firstEpoch; epoch <= fit.epochs() && !stopTraining; epoch++) {
                Epoch e = run.epoch(epoch, totals, (int) Math.min(steps, Integer.MAX_VALUE));
                try (Dataset.Pass pass = data.pass(epoch - 1)) {
                    for (int step = 0; !stopTraining; step++) {
                        try (Scope ignored = Scope.open("train step")) {
                            Tensor[] element = pass.poll();
                            if (element == null) {
                                break;
                            }
                            Batch b = Batch.of("fit", element, true, inputCount(), outputCount());
                            if (b.w() != null && fit.classWeight() != null) {
                                throw new IllegalArgumentException("fit: the dataset gives sample weights and Fit.classWeight"
                                        + " is set; use one or the other (Keras refuses both too)");
                            }
                            if (classTable[0] == null) {
                                classTable[0] = classWeightTable(fit, b.x().device(), fitScope);
                            }
                            e.batchBegin(step);
                            trainBatch(b.xs(), b.ys(), b.w(), classTable[0], totals);
                        }
                        e.batchEnd(step);
                    }
                }
                if (!e.ranABatch() && !stopTraining) {
                    throw new IllegalArgumentException("fit: the dataset gave no batches in epoch " + epoch);
                }
                e.finish();
            }
        }
        return run.end();
    }

    /**
     * A dataset element as fit, evaluate and predict take it: the model's inputs in order, then (when
     * labelled) a label tensor per output in order, then optionally sample weights.
     */
    private record Batch(List<Tensor> xs, List<Tensor> ys, Tensor w) {
        Tensor x() {
            return xs.getFirst();
        }

        static Batch of(String what, Tensor[] e, boolean labelled, int inputs, int outputs) {
            int base = labelled ? inputs + outputs : inputs;
            boolean fits = labelled ? e.length == base || e.length == base + 1 : e.length >= inputs && e.length <= base + outputs + 1;
            if (!fits) {
                String layout = inputs == 1 && outputs == 1 ? "{x" + (labelled ? ", y" : "") + "} or {x, y, sample weights}"
                        : "{" + inputs + " inputs" + (labelled ? ", " + outputs + " label tensors" : "")
                        + "} with optional sample weights last";
                throw new IllegalArgumentException(what + ": a dataset element must be " + layout + ", got " + e.length
                        + " tensors");
            }
            List<Tensor> xs = List.of(java.util.Arrays.copyOfRange(e, 0, inputs));
            List<Tensor> ys = labelled ? List.of(java.util.Arrays.copyOfRange(e, inputs, inputs + outputs)) : List.of();
            Tensor w = labelled && e.length > base ? e[base] : null;
            if (labelled) {
                for (Tensor y : ys) {
                    checkData(what, xs.getFirst(), y);
                }
            }
            for (Tensor x : xs) {
                if (x.rank() < 1 || x.size(0) != xs.getFirst().size(0)) {
                    throw ShapeMismatchException.of(what, xs.getFirst().shape(), x.shape(),
                            "differ in sample count: every input of a dataset element needs the same batch");
                }
            }
            if (w != null && (w.numel() != e[0].size(0) || w.rank() > 2)) {
                throw ShapeMismatchException.of(what + " (sample weights)", e[0].shape(), w.shape(),
                        "do not fit: sample weights must be [n] or [n, 1] for n inputs");
            }
            return new Batch(xs, ys, w);
        }
    }

    /**
     * What fit's two loops (tensors, datasets) share over a whole run: the history (a resumed run's
     * first), the callbacks from train begin to train end, and the logs of the last epoch.
     */
    private final class Run {
        final Fit fit;
        final java.util.function.Supplier<Map<String, Double>> validation;
        final History history = new History();
        final List<Callback> callbacks;
        /** With TerminateOnNaN a non-finite loss stops training (the callback's doing); without, fit throws. */
        final boolean stopOnNaN;
        final int firstEpoch;
        Map<String, Double> lastLogs = new LinkedHashMap<>();

        Run(Fit fit, java.util.function.Supplier<Map<String, Double>> validation) {
            this.fit = fit;
            this.validation = validation;
            if (fit.resumeFrom() != null) {
                fit.resumeFrom().history().history().forEach((k, v) -> v.forEach(value -> history.record(Map.of(k, value))));
            }
            firstEpoch = fit.resumeFrom() == null ? 1 : fit.resumeFrom().epochsDone() + 1;
            callbacks = withProgressBar(fit);
            stopOnNaN = callbacks.stream().anyMatch(c -> c instanceof TerminateOnNaN);
            stopTraining = false;
            callbacks.forEach(c -> c.setModel(Model.this));
            callbacks.forEach(c -> c.onTrainBegin(new LinkedHashMap<>()));
        }

        /** Begins epoch {@code epoch} (from 1) of {@code steps} steps (its progress bar's count). */
        Epoch epoch(int epoch, BatchTotals totals, int steps) {
            Map<String, Integer> params = Map.of("epochs", fit.epochs(), "steps", Math.max(steps, 0), "verbose",
                    fit.verbose());
            callbacks.forEach(c -> c.setParams(params));
            callbacks.forEach(c -> c.onEpochBegin(epoch - 1, new LinkedHashMap<>()));
            // A step enqueues its work and returns: losses and metrics stay on the device until a
            // redraw, a callback looking at its batch's logs or the epoch's end reads them, so the
            // host never waits inside a step.
            totals.startEpoch();
            return new Epoch(this, epoch, totals);
        }

        History end() {
            Map<String, Double> endLogs = lastLogs;
            callbacks.forEach(c -> c.onTrainEnd(endLogs));
            return history;
        }
    }

    /** The fit's callbacks, and last a progress bar at its verbosity unless it is 0 or they hold one (as Keras). */
    private static List<Callback> withProgressBar(Fit fit) {
        List<Callback> given = fit.callbacks();
        if (fit.verbose() == 0 || given.stream().anyMatch(c -> c instanceof ProgressBar)) {
            return given;
        }
        List<Callback> all = new ArrayList<>(given);
        all.add(new ProgressBar(fit.out(), fit.verbose()));
        return List.copyOf(all);
    }

    /** One epoch of a {@link Run}: the batch callbacks and the lazily read batch logs. */
    private final class Epoch {
        private final Run run;
        private final int epoch;
        private final java.util.function.Supplier<Map<String, Double>> readMeans;
        /** Batches whose losses were already checked for non-finite values. */
        private int checked;
        private BatchLogs logs;

        Epoch(Run run, int epoch, BatchTotals totals) {
            this.run = run;
            this.epoch = epoch;
            this.readMeans = () -> {
                Map<String, Double> means = run.stopOnNaN ? totals.means() : checkedMeans(totals, epoch, checked);
                checked = totals.written();
                return means;
            };
        }

        void batchBegin(int step) {
            run.callbacks.forEach(c -> c.onBatchBegin(step, Map.of()));
        }

        /** After step {@code step} (from 0) was enqueued: batch-end callbacks and, when due, a redraw. */
        void batchEnd(int step) {
            BatchLogs batchLogs = new BatchLogs(readMeans);
            logs = batchLogs;
            run.callbacks.forEach(c -> c.onBatchEnd(step, batchLogs));
        }

        boolean ranABatch() {
            return logs != null;
        }

        void finish() {
            run.lastLogs = endEpoch(run, epoch, logs);
        }
    }

    /** The epoch's end: validation, the progress line, callbacks, history and checkpoint; the epoch's logs. */
    private Map<String, Double> endEpoch(Run run, int epoch, BatchLogs logs) {
        Map<String, Double> values = new LinkedHashMap<>(logs == null ? Map.of() : logs.read());
        if (run.validation != null) {
            run.validation.get().forEach((k, v) -> values.put("val_" + k, v));
        }
        run.callbacks.forEach(c -> c.onEpochEnd(epoch - 1, values));
        run.history.record(values);
        if (run.fit.checkpointFile() != null) {
            Checkpoint.write(run.fit.checkpointFile(), this, optimizer, epoch, run.history);
        }
        return values;
    }

    /** One training step on the rows {@code index} of (x, y): forward, loss, backward, update, totals. */
    private void trainStep(List<Tensor> x, List<Tensor> y, Tensor w, Tensor classTable, Tensor index, BatchTotals totals) {
        trainBatch(rows(x, index), rows(y, index), w == null ? null : w.indexSelect(index), classTable, totals);
    }

    private static List<Tensor> rows(List<Tensor> ts, Tensor index) {
        List<Tensor> out = new ArrayList<>(ts.size());
        ts.forEach(t -> out.add(t.indexSelect(index)));
        return out;
    }

    private static List<Tensor> slices(List<Tensor> ts, int from, int to) {
        List<Tensor> out = new ArrayList<>(ts.size());
        ts.forEach(t -> out.add(t.slice(0, from, to)));
        return out;
    }

    private static List<int[]> sampleShapes(List<Tensor> xs) {
        List<int[]> out = new ArrayList<>(xs.size());
        xs.forEach(x -> out.add(Arrays.copyOfRange(x.shape(), 1, x.rank())));
        return out;
    }

    /** The outputs' names for the logs' {@code <output>_loss} when there are several outputs, else none. */
    private List<String> lossNames() {
        return outputs != null && outputs.size() > 1 ? outputNames() : List.of();
    }

    /** One training step on a batch: forward, loss, backward, update, totals. */
    private void trainBatch(List<Tensor> xb, List<Tensor> yb, Tensor wb, Tensor classTable, BatchTotals totals) {
        List<Tensor> pred = forward(xb, true);
        List<Tensor> outputLosses = new ArrayList<>(pred.size());
        Tensor l = withRegularization(batchLoss(yb, pred, wb, classTable, outputLosses));
        List<Tensor> params = trainableParameters();
        optimizer.zeroGrad(params);
        l.backward();
        optimizer.step(params);
        try (var g = GradMode.noGrad()) {
            totals.add(l.detach(), detached(outputLosses), xb.getFirst().size(0), yb, detached(pred));
        }
    }

    private static List<Tensor> detached(List<Tensor> ts) {
        List<Tensor> out = new ArrayList<>(ts.size());
        ts.forEach(t -> out.add(t.detach()));
        return out;
    }

    /**
     * The batch's loss over every output: with one output its loss, with several the weighted sum
     * of theirs (each also put into {@code outputLosses}).
     */
    private Tensor batchLoss(List<Tensor> yb, List<Tensor> pred, Tensor wb, Tensor classTable, List<Tensor> outputLosses) {
        if (pred.size() == 1) {
            return batchLoss(loss(0), yb.getFirst(), pred.getFirst(), wb, classTable);
        }
        Tensor total = null;
        for (int o = 0; o < pred.size(); o++) {
            Tensor l = batchLoss(loss(o), yb.get(o), pred.get(o), wb, classTable);
            outputLosses.add(l);
            Tensor weighted = lossWeights == null ? l : l.mul(lossWeights[o]);
            total = total == null ? weighted : total.add(weighted);
        }
        return total;
    }

    /**
     * The batch's loss: the loss's mean, or with sample weights (or class weights, a table indexed
     * by class id) each sample's loss times its weight, summed and divided by the batch size.
     */
    private static Tensor batchLoss(Loss loss, Tensor yb, Tensor pred, Tensor wb, Tensor classTable) {
        if (wb == null && classTable == null) {
            return loss.compute(yb, pred);
        }
        int n = pred.size(0);
        Tensor w = wb != null ? wb.cast(dev.isthmus.nn.tensor.DType.FLOAT32).reshape(n)
                : classTable.indexSelect(classIds(yb, n));
        return loss.perSample(yb, pred).mul(w).sum().div((float) n);
    }

    /** Keras's class of each label: argmax of a one-hot row, else the label rounded to an integer. */
    private static Tensor classIds(Tensor y, int n) {
        if (y.rank() == 2 && y.size(1) > 1) {
            return y.cast(dev.isthmus.nn.tensor.DType.FLOAT32).argmax();
        }
        Tensor labels = y.reshape(n);
        return labels.dtype().isInteger() ? labels : labels.add(0.5f).cast(dev.isthmus.nn.tensor.DType.INT32);
    }

    /** The class weights as a device table (classes missing from the map weigh 1), or null without any. */
    private static Tensor classWeightTable(Fit fit, dev.isthmus.nn.tensor.Device device, Scope owner) {
        Map<Integer, Float> weights = fit.classWeight();
        if (weights == null) {
            return null;
        }
        float[] table = new float[weights.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow() + 1];
        Arrays.fill(table, 1f);
        weights.forEach((c, w) -> table[c] = w);
        try (Scope upload = Scope.open("class weights")) {
            return Tensor.zeros(owner, device, table.length).copyFrom(Tensor.of(device, table, table.length));
        }
    }

    private static void checkWeights(String what, Tensor x, Tensor w, Fit fit) {
        if (fit.classWeight() != null) {
            throw new IllegalArgumentException(what + ": sample weights and Fit.classWeight are both given;"
                    + " use one or the other (Keras refuses both too)");
        }
        if (w.numel() != x.size(0) || w.rank() > 2) {
            throw ShapeMismatchException.of(what + " (sample weights)", x.shape(), w.shape(),
                    "do not fit: sample weights must be [n] or [n, 1] for n inputs");
        }
    }

    /** The epoch's means so far (one host read), refusing a non-finite loss by the step that made it. */
    private static Map<String, Double> checkedMeans(BatchTotals totals, int epoch, int checkedBatches) {
        Map<String, Double> means = totals.means();
        if (!Double.isFinite(means.get("loss"))) {
            BatchTotals.BatchLoss bad = totals.firstNonFinite(checkedBatches);
            // no single batch is non-finite when only the sum overflowed
            int step = bad == null ? totals.written() : bad.batch() + 1;
            throw new NonFiniteLossException(epoch, step, bad == null ? Float.POSITIVE_INFINITY : bad.loss(), totals.written());
        }
        return means;
    }

    /**
     * The loss plus the layers' regularization penalties, which Keras adds to the loss it
     * minimises and reports (in training and evaluation alike).
     */
    private Tensor withRegularization(Tensor l) {
        Tensor total = l;
        for (Layer layer : layers) {
            Tensor penalty = layer.regularizationLoss();
            if (penalty != null) {
                total = total.add(penalty);
            }
        }
        return total;
    }

    /**
     * Mean loss (with the regularization penalties) and metrics over (x, y), in batches of {@code batchSize}.
     *
     * @throws ConcurrentModelUseException when another thread is running fit, evaluate or predict on this model
     */
    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
        return evaluate(List.of(x), List.of(y), batchSize);
    }

    /** As {@link #evaluate(Tensor, Tensor, int)} with a tensor per input and a label tensor per output. */
    public Map<String, Double> evaluate(List<Tensor> x, List<Tensor> y, int batchSize) {
        try (var ignored = exclusive.enter(name, "evaluate")) {
            return evaluateAlone(x, y, batchSize);
        }
    }

    private Map<String, Double> evaluateAlone(List<Tensor> x, List<Tensor> y, int batchSize) {
        requireCompiled("evaluate");
        checkData("evaluate", x, y);
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
        int n = x.getFirst().size(0);
        int batches = (int) ((n + (long) batchSize - 1) / batchSize);
        try (var g = GradMode.noGrad(); Scope all = Scope.open("evaluate")) {
            BatchTotals totals = new BatchTotals(x.getFirst().device(), batches, metrics, lossNames(), all);
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                try (Scope ignored = Scope.open("evaluate batch")) {
                    List<Tensor> xb = slices(x, from, to);
                    List<Tensor> yb = slices(y, from, to);
                    List<Tensor> pred = forward(xb, false);
                    List<Tensor> outputLosses = new ArrayList<>();
                    totals.add(withRegularization(batchLoss(yb, pred, null, null, outputLosses)), outputLosses, to - from, yb, pred);
                }
            }
            return totals.means();
        }
    }

    /** {@link #evaluate(Tensor, Tensor, int)} with batches of 32 (Keras's default). */
    public Map<String, Double> evaluate(Tensor x, Tensor y) {
        return evaluate(x, y, 32);
    }

    /**
     * Mean loss and metrics over pass 0 of a dataset of batches {x, y} or {x, y, sample weights}
     * (weights weigh the loss as in {@code fit}); one host read at the end.
     */
    public Map<String, Double> evaluate(Dataset data) {
        try (var ignored = exclusive.enter(name, "evaluate")) {
            return evaluateDatasetAlone(data);
        }
    }

    private Map<String, Double> evaluateDatasetAlone(Dataset data) {
        requireCompiled("evaluate");
        try (var g = GradMode.noGrad(); Scope all = Scope.open("evaluate"); Dataset.Pass pass = data.pass(0)) {
            BatchTotals totals = BatchTotals.lazy(data.cardinality(), metrics, lossNames(), all);
            while (true) {
                try (Scope ignored = Scope.open("evaluate batch")) {
                    Tensor[] element = pass.poll();
                    if (element == null) {
                        break;
                    }
                    Batch b = Batch.of("evaluate", element, true, inputCount(), outputCount());
                    List<Tensor> pred = forward(b.xs(), false);
                    List<Tensor> outputLosses = new ArrayList<>();
                    totals.add(withRegularization(batchLoss(b.ys(), pred, b.w(), null, outputLosses)), outputLosses,
                            b.x().size(0), b.ys(), pred);
                }
            }
            if (totals.written() == 0) {
                throw new IllegalArgumentException("evaluate: the dataset gave no batches");
            }
            return totals.means();
        }
    }

    /**
     * Outputs for every sample of x (inference mode), owned by the caller's scope. Each batch runs
     * in a scope of its own, which keeps only that batch's outputs: the intermediates (device
     * memory on a GPU) are freed batch by batch, not left to the caller's scope or the collector.
     *
     * @throws ConcurrentModelUseException when another thread is running fit, evaluate or predict on this model
     */
    public Tensor predict(Tensor x, int batchSize) {
        try (var ignored = exclusive.enter(name, "predict")) {
            return predictAlone(x, batchSize);
        }
    }

    private Tensor predictAlone(Tensor x, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
        if (x.rank() < 1 || x.size(0) == 0) {
            throw new IllegalArgumentException("predict needs at least one sample, got shape " + Shapes.str(x.shape()));
        }
        int n = x.size(0);
        try (var g = GradMode.noGrad(); Scope outputs = Scope.open("predict outputs")) {
            List<Tensor> parts = new ArrayList<>();
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                try (Scope batch = Scope.open("predict batch")) {
                    Tensor out = forward(from == 0 && to == n ? x : x.slice(0, from, to), false);
                    // keep moves storage: an output that is a view of x (a model ending in Flatten) is copied instead
                    parts.add(batch.keep(out.storage() == x.storage() ? out.copy() : out));
                }
            }
            return outputs.keep(parts.size() == 1 ? parts.getFirst() : Tensor.concat(parts, 0));
        }
    }

    /** {@link #predict(Tensor, int)} with batches of 32 (Keras's default). */
    public Tensor predict(Tensor x) {
        return predict(x, 32);
    }

    /**
     * Outputs of a model of several inputs or outputs: for each output, its values for every
     * sample (inference mode), owned by the caller's scope; batch by batch as {@link #predict(Tensor, int)}.
     */
    public List<Tensor> predict(List<Tensor> x, int batchSize) {
        try (var ignored = exclusive.enter(name, "predict")) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
            }
            checkSampleCounts("predict", x);
            int n = x.getFirst().size(0);
            try (var g = GradMode.noGrad(); Scope kept = Scope.open("predict outputs")) {
                List<List<Tensor>> parts = new ArrayList<>();
                for (int from = 0; from < n; from += batchSize) {
                    int to = Math.min(n, from + batchSize);
                    try (Scope batch = Scope.open("predict batch")) {
                        List<Tensor> out = forward(slices(x, from, to), false);
                        for (int o = 0; o < out.size(); o++) {
                            if (parts.size() <= o) {
                                parts.add(new ArrayList<>());
                            }
                            parts.get(o).add(batch.keep(out.get(o).copy()));
                        }
                    }
                }
                List<Tensor> result = new ArrayList<>(parts.size());
                for (List<Tensor> p : parts) {
                    result.add(kept.keep(p.size() == 1 ? p.getFirst() : Tensor.concat(p, 0)));
                }
                return result;
            }
        }
    }

    /**
     * Outputs for every batch of pass 0 of a dataset (its elements' first tensor; labels, if any,
     * are ignored), concatenated, owned by the caller's scope.
     */
    public Tensor predict(Dataset data) {
        try (var ignored = exclusive.enter(name, "predict")) {
            return predictDatasetAlone(data);
        }
    }

    private Tensor predictDatasetAlone(Dataset data) {
        if (outputCount() != 1) {
            throw new IllegalArgumentException("predict: model " + name + " has " + outputCount() + " outputs;"
                    + " predictOutputs(dataset) gives one tensor per output");
        }
        return predictOutputsAlone(data).getFirst();
    }

    /**
     * Every output for every batch of pass 0 of a dataset (its elements' first tensors, one per
     * input; labels, if any, are ignored), one concatenated tensor per output in order, owned by
     * the caller's scope.
     */
    public List<Tensor> predictOutputs(Dataset data) {
        try (var ignored = exclusive.enter(name, "predict")) {
            return predictOutputsAlone(data);
        }
    }

    private List<Tensor> predictOutputsAlone(Dataset data) {
        try (var g = GradMode.noGrad(); Scope outputs = Scope.open("predict outputs"); Dataset.Pass pass = data.pass(0)) {
            List<List<Tensor>> parts = new ArrayList<>();
            while (true) {
                try (Scope batch = Scope.open("predict batch")) {
                    Tensor[] element = pass.poll();
                    if (element == null) {
                        break;
                    }
                    List<Tensor> xs = Batch.of("predict", element, false, inputCount(), outputCount()).xs();
                    List<Tensor> out = forward(xs, false);
                    for (int i = 0; i < out.size(); i++) {
                        if (parts.size() <= i) {
                            parts.add(new ArrayList<>());
                        }
                        Tensor o = out.get(i);
                        boolean aliased = xs.stream().anyMatch(x -> x.storage() == o.storage());
                        parts.get(i).add(batch.keep(aliased ? o.copy() : o));
                    }
                }
            }
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("predict: the dataset gave no batches");
            }
            List<Tensor> result = new ArrayList<>(parts.size());
            for (List<Tensor> p : parts) {
                result.add(outputs.keep(p.size() == 1 ? p.getFirst() : Tensor.concat(p, 0)));
            }
            return result;
        }
    }

    /** The model's inputs (one for a Sequential not yet built). */
    private int inputCount() {
        return inputs == null ? 1 : inputs.size();
    }

    /** The model's outputs (one for a Sequential not yet built). */
    private int outputCount() {
        return outputs == null ? 1 : outputs.size();
    }

    private void requireCompiled(String what) {
        if (optimizer == null || losses.isEmpty()) {
            throw new IllegalStateException(what + " needs compile(optimizer, loss, metrics...) first");
        }
    }

    /** Throws unless there is a tensor per input and a label tensor per output, all of one sample count. */
    private void checkData(String what, List<Tensor> xs, List<Tensor> ys) {
        if (isBuilt() && xs.size() != inputs.size()) {
            throw new IllegalArgumentException(what + ": model " + name + " has " + inputs.size() + " inputs, got "
                    + xs.size() + " input tensors");
        }
        if (isBuilt() && ys.size() != outputs.size()) {
            throw new IllegalArgumentException(what + ": model " + name + " has " + outputs.size() + " outputs, got "
                    + ys.size() + " label tensors");
        }
        for (Tensor y : ys) {
            checkData(what, xs.getFirst(), y);
        }
        checkSampleCounts(what, xs);
    }

    private static void checkSampleCounts(String what, List<Tensor> xs) {
        if (xs.isEmpty()) {
            throw new IllegalArgumentException(what + ": no inputs given");
        }
        for (Tensor x : xs) {
            if (x == null || x.rank() < 1 || x.size(0) == 0) {
                throw new IllegalArgumentException(what + " needs at least one sample per input, got "
                        + (x == null ? "null" : Shapes.str(x.shape())));
            }
            if (x.size(0) != xs.getFirst().size(0)) {
                throw ShapeMismatchException.of(what, xs.getFirst().shape(), x.shape(),
                        "differ in sample count: every input needs one row per sample");
            }
        }
    }

    private static void checkData(String what, Tensor x, Tensor y) {
        if (x == null || y == null) {
            throw new IllegalArgumentException(what + ": inputs and labels are both required");
        }
        if (x.rank() < 1 || y.rank() < 1) {
            throw new ShapeMismatchException(what + ": inputs " + Shapes.str(x.shape()) + " and labels "
                    + Shapes.str(y.shape()) + " need a batch axis");
        }
        if (x.size(0) != y.size(0)) {
            throw ShapeMismatchException.of(what, x.shape(), y.shape(),
                    "differ in sample count: inputs have " + x.size(0) + ", labels " + y.size(0));
        }
        if (x.size(0) == 0) {
            throw new IllegalArgumentException(what + ": the dataset is empty (inputs " + Shapes.str(x.shape()) + ")");
        }
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        if (rng != null) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
        }
        return p;
    }

    private static Tensor indexTensor(int[] perm, int from, int to) {
        return Tensor.of(Arrays.copyOfRange(perm, from, to), to - from);
    }

    // ---------------------------------------------------------------- saving

    static final String ARCHITECTURE_KEY = "isthmus.architecture";
    static final String FUNCTIONAL_FORMAT = "isthmus.functional/1";

    /**
     * Keras-like description of the graph: name, seed, the inputs, each layer's name, class and
     * config, each call with the tensors it takes ({@code [layer, call index, 0]}, as Keras's
     * {@code inbound_nodes}) and the outputs.
     */
    public Map<String, Object> architecture() {
        requireBuilt("architecture");
        Graph g = Graph.of(inputs, outputs);
        List<Object> ins = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", inputName(i));
            m.put("shape", inputs.get(i).shape());
            m.put("dtype", inputs.get(i).dtype().name());
            ins.add(m);
        }
        List<Object> ls = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", names.get(i));
            m.put("class_name", layers.get(i).typeName());
            m.put("config", layers.get(i).config());
            ls.add(m);
        }
        List<Object> calls = new ArrayList<>();
        for (SymbolicTensor node : nodes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", names.get(layers.indexOf(node.layer())));
            List<Object> inbound = new ArrayList<>();
            node.inbound().forEach(t -> inbound.add(ref(g, t)));
            m.put("inbound", inbound);
            calls.add(m);
        }
        List<Object> outs = new ArrayList<>();
        outputs.forEach(t -> outs.add(ref(g, t)));
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("format", FUNCTIONAL_FORMAT);
        a.put("name", name);
        a.put("seed", seed);
        a.put("inputs", ins);
        a.put("layers", ls);
        a.put("nodes", calls);
        a.put("outputs", outs);
        return a;
    }

    private String inputName(int i) {
        String given = inputs.get(i).inputName();
        return given != null ? given : i == 0 ? "input_layer" : "input_layer_" + i;
    }

    /** A tensor as Keras names it: [layer, call index, 0]. */
    private List<Object> ref(Graph g, SymbolicTensor t) {
        if (t.isInput()) {
            return List.of(inputName(inputs.indexOf(t)), 0, 0);
        }
        return List.of(names.get(layers.indexOf(t.layer())), g.nodeIndex().get(t), 0);
    }

    /**
     * Saves the weights as safetensors (tensor names "index.name", Keras layouts, F32) with the
     * architecture in the file's metadata: one file, replaced atomically, so weights and
     * architecture can never come from different saves. (The architecture can be read from the
     * file's JSON header by any safetensors tool.)
     */
    public void save(Path file) {
        SafeTensors.write(file, namedParameters(), Map.of(ARCHITECTURE_KEY, Json.write(architecture()), "format", "pt"));
    }

    /**
     * Loads a model written by {@link #save} (a {@link Sequential} comes back as one). The
     * architecture is checked against every tensor's name and shape before any parameter is
     * allocated, so a small file cannot make us allocate more than its own size; a load that fails
     * frees all it made.
     */
    public static Model load(Path file) {
        try (SafeTensors.Reader r = SafeTensors.open(file)) {
            return fromFile(r, "");
        }
    }

    /** Rebuilds the model whose tensors are named {@code prefix + "index.name"} in {@code r}. */
    static Model fromFile(SafeTensors.Reader r, String prefix) {
        Path file = r.file();
        String json = r.metadata().get(ARCHITECTURE_KEY);
        if (json == null) {
            throw new SafeTensorsException(file, "no \"" + ARCHITECTURE_KEY + "\" in the metadata: not an Isthmus model file");
        }
        Map<?, ?> a;
        try {
            if (!(Json.parse(json) instanceof Map<?, ?> parsed)) {
                throw new SafeTensorsException(file, "architecture in the metadata is not a JSON object");
            }
            a = parsed;
        } catch (java.io.IOException e) {
            throw new SafeTensorsException(file, "architecture in the metadata is unusable: " + e.getMessage(), e);
        }
        if (Sequential.ARCHITECTURE_FORMAT.equals(a.get("format"))) {
            return Sequential.fromFile(r, prefix);
        }
        if (!FUNCTIONAL_FORMAT.equals(a.get("format"))) {
            throw new SafeTensorsException(file, "architecture format " + a.get("format") + " is neither "
                    + FUNCTIONAL_FORMAT + " nor " + Sequential.ARCHITECTURE_FORMAT);
        }
        Unbuilt saved = unbuilt(file, a);
        checkTensorsFit(file, prefix, parameterShapes(saved.graph()), tensorsUnder(r, prefix));
        Model model;
        try {
            model = new Model(saved.name(), saved.inputs(), saved.outputs(), saved.seed());
        } catch (RuntimeException e) {
            throw new SafeTensorsException(file, "cannot build the architecture in the metadata: " + e.getMessage(), e);
        }
        return model.readParameters(r, prefix);
    }

    /** Copies the parameters from {@code r}; closes the model when that fails. */
    final <M extends Model> M readParameters(SafeTensors.Reader r, String prefix) {
        try {
            for (var e : namedParameters().entrySet()) {
                try (Scope reading = Scope.open("load " + e.getKey())) {
                    e.getValue().copyFrom(r.tensor(prefix + e.getKey()));
                }
            }
            @SuppressWarnings("unchecked")
            M self = (M) this;
            return self;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    static Map<String, int[]> tensorsUnder(SafeTensors.Reader r, String prefix) {
        Map<String, int[]> inFile = new LinkedHashMap<>();
        r.shapes().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                inFile.put(k.substring(prefix.length()), v);
            }
        });
        return inFile;
    }

    /** A saved functional model's graph, its layers made but not built. */
    private record Unbuilt(String name, long seed, List<SymbolicTensor> inputs, List<SymbolicTensor> outputs, Graph graph) {
    }

    private static Unbuilt unbuilt(Path file, Map<?, ?> a) {
        try {
            Map<String, SymbolicTensor> inputsByName = new LinkedHashMap<>();
            for (Object o : (List<?>) a.get("inputs")) {
                Map<?, ?> m = (Map<?, ?>) o;
                String inputName = (String) m.get("name");
                int[] dims = ((List<?>) m.get("shape")).stream().mapToInt(d -> Math.toIntExact(((Number) d).longValue())).toArray();
                DType dtype = DType.valueOf((String) m.get("dtype"));
                if (inputsByName.put(inputName, Input.of(inputName, dtype, dims)) != null) {
                    throw new SafeTensorsException(file, "architecture in the metadata names input " + inputName + " twice");
                }
            }
            Map<String, Layer> layersByName = new LinkedHashMap<>();
            for (Object o : (List<?>) a.get("layers")) {
                Map<?, ?> l = (Map<?, ?>) o;
                @SuppressWarnings("unchecked")
                Map<String, Object> config = (Map<String, Object>) l.get("config");
                String layerName = (String) l.get("name");
                if (inputsByName.containsKey(layerName) || layersByName.put(layerName,
                        dev.isthmus.nn.layers.Layers.fromConfig((String) l.get("class_name"), config)) != null) {
                    throw new SafeTensorsException(file, "architecture in the metadata names " + layerName + " twice");
                }
            }
            Map<String, List<SymbolicTensor>> calls = new LinkedHashMap<>();
            inputsByName.forEach((k, v) -> calls.put(k, new ArrayList<>(List.of(v))));
            for (Object o : (List<?>) a.get("nodes")) {
                Map<?, ?> n = (Map<?, ?>) o;
                Layer l = layersByName.get((String) n.get("layer"));
                if (l == null) {
                    throw new SafeTensorsException(file, "architecture in the metadata calls an unknown layer " + n.get("layer"));
                }
                List<SymbolicTensor> in = new ArrayList<>();
                for (Object ref : (List<?>) n.get("inbound")) {
                    in.add(resolve(file, calls, ref));
                }
                calls.computeIfAbsent((String) n.get("layer"), k -> new ArrayList<>()).add(l.apply(in.toArray(SymbolicTensor[]::new)));
            }
            List<SymbolicTensor> outs = new ArrayList<>();
            for (Object ref : (List<?>) a.get("outputs")) {
                outs.add(resolve(file, calls, ref));
            }
            List<SymbolicTensor> ins = List.copyOf(inputsByName.values());
            Graph g = Graph.of(ins, outs);
            if (!g.layers().equals(List.copyOf(layersByName.values()))) {
                throw new SafeTensorsException(file, "architecture in the metadata lists layers the graph does not call in that order");
            }
            return new Unbuilt((String) a.get("name"), ((Number) a.get("seed")).longValue(), ins, outs, g);
        } catch (ClassCastException | NullPointerException | IllegalArgumentException | ArithmeticException
                 | IndexOutOfBoundsException e) {
            // the cause keeps the type (an UnknownLayerException says which Layers.register call is missing)
            throw new SafeTensorsException(file, "architecture in the metadata is unusable: " + e.getMessage(), e);
        }
    }

    private static SymbolicTensor resolve(Path file, Map<String, List<SymbolicTensor>> calls, Object ref) {
        List<?> r = (List<?>) ref;
        List<SymbolicTensor> made = calls.get((String) r.get(0));
        int index = Math.toIntExact(((Number) r.get(1)).longValue());
        if (made == null || index < 0 || index >= made.size()) {
            throw new SafeTensorsException(file, "architecture in the metadata refers to " + r + ", which no earlier call made");
        }
        return made.get(index);
    }

    static void checkTensorsFit(Path file, String prefix, Map<String, int[]> needed, Map<String, int[]> inFile) {
        for (var e : needed.entrySet()) {
            int[] saved = inFile.get(e.getKey());
            if (saved == null) {
                throw new SafeTensorsException(file, "tensor \"" + prefix + e.getKey() + "\" of the architecture is missing");
            }
            if (!Arrays.equals(saved, e.getValue())) {
                throw new SafeTensorsException(file, "tensor \"" + prefix + e.getKey() + "\" has shape "
                        + Shapes.str(saved) + " but the architecture needs " + Shapes.str(e.getValue()));
            }
        }
        for (String name : inFile.keySet()) {
            if (!needed.containsKey(name)) {
                throw new SafeTensorsException(file, "tensor \"" + prefix + name + "\" belongs to no layer of the architecture");
            }
        }
    }

    // ---------------------------------------------------------------- description

    /** Whether the summary lists the inputs and each layer's inbound layers ("Connected to"); a chain's does not. */
    protected boolean summaryListsConnections() {
        return true;
    }

    /** Layers, output shapes and parameter counts, Keras-style; for a graph also each layer's inbound tensors. */
    public String summary() {
        if (!isBuilt()) {
            throw new IllegalStateException("summary() needs a built model: call build(inputShape) or run a batch through it");
        }
        boolean graph = summaryListsConnections();
        int width = graph ? 100 : 65;
        String rule = "_".repeat(width);
        String row = graph ? " %-28s%-26s%-12s%s%n" : " %-28s%-26s%s%n";
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(name).append("\"\n").append(rule).append('\n');
        sb.append(String.format(Locale.ROOT, row, "Layer (type)", "Output Shape", "Param #", "Connected to"));
        sb.append("=".repeat(width)).append('\n');
        Graph g = Graph.of(inputs, outputs);
        if (graph) {
            for (int i = 0; i < inputs.size(); i++) {
                sb.append(String.format(Locale.ROOT, row, inputName(i) + " (InputLayer)", batchShape(inputs.get(i).shape()), 0, "-"));
            }
        }
        long total = 0;
        long trainable = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            long count = l.parameterCount();
            total += count;
            trainable += l.trainableParameterCount();
            List<String> inbound = new ArrayList<>();
            SymbolicTensor first = null;
            for (SymbolicTensor node : nodes) {
                if (node.layer() == l) {
                    first = first == null ? node : first;
                    for (SymbolicTensor t : node.inbound()) {
                        List<Object> r = ref(g, t);
                        inbound.add(r.get(0) + "[" + r.get(1) + "][0]");
                    }
                }
            }
            sb.append(String.format(Locale.ROOT, row, names.get(i) + " (" + l.typeName() + ")",
                    batchShape(first.shape()), count, String.join(", ", inbound)));
        }
        sb.append("=".repeat(width)).append('\n');
        sb.append("Total params: ").append(total).append(" (").append(bytes(total * Float.BYTES)).append(")\n");
        sb.append("Trainable params: ").append(trainable).append(" (").append(bytes(trainable * Float.BYTES)).append(")\n");
        sb.append("Non-trainable params: ").append(total - trainable).append(" (")
                .append(bytes((total - trainable) * Float.BYTES)).append(")\n").append(rule).append('\n');
        return sb.toString();
    }

    private static String batchShape(int[] shape) {
        StringBuilder sb = new StringBuilder("(None");
        for (int d : shape) {
            sb.append(", ").append(d);
        }
        return sb.append(')').toString();
    }

    private static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        return b < 1024 * 1024 ? String.format(Locale.ROOT, "%.2f KB", b / 1024.0)
                : String.format(Locale.ROOT, "%.2f MB", b / (1024.0 * 1024));
    }

    /** Frees the parameters, their gradients and the optimizer state. */
    @Override
    public void close() {
        if (parameterScope != null) {
            parameterScope.close();
        }
    }
}
