package dev.isthmus.nn.model;

import dev.isthmus.nn.autograd.GradMode;
import dev.isthmus.nn.backend.cpu.CounterRandom;
import dev.isthmus.nn.callbacks.Callback;
import dev.isthmus.nn.callbacks.TerminateOnNaN;
import dev.isthmus.nn.data.Dataset;
import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.losses.Loss;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.optim.Optimizer;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Shapes;
import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
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
 * A stack of layers, Keras-style: built on the first call from the input shape, then
 * {@code compile}, {@code fit}, {@code evaluate}, {@code predict}. The model owns its parameters
 * (and their gradients and optimizer state) in a scope of its own, freed by {@link #close()}.
 *
 * <p><b>Thread safety.</b> A model is not thread-safe: use it from one thread at a time. Its
 * {@code fit}, {@code evaluate} and {@code predict} run one at a time: while one thread is in any
 * of them, a call from another thread throws {@link ConcurrentModelUseException} rather than
 * interleave its steps and updates with the running one (the running thread itself may call them,
 * as fit's validation and callbacks do). Other methods ({@code add}, {@code compile},
 * {@code setWeights}, {@code save}, ...) are not guarded and must not race with those. Separate
 * models may train on separate threads at once.
 */
public final class Sequential implements AutoCloseable {
    private final List<Layer> layers = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    /** Owner of the parameters, made by a successful build; null before. */
    private Scope parameterScope;
    private final String name;
    private long seed = 0;
    private int[] inputShape;
    private Optimizer optimizer;
    private Loss loss;
    private List<Metric> metrics = List.of();
    private volatile boolean stopTraining;
    private final ExclusiveUse exclusive = new ExclusiveUse();

    /**
     * A model named "sequential" of {@code layers}, in order; nothing is built until {@link #build} or the first batch.
     */
    public Sequential(Layer... layers) {
        this("sequential", layers);
    }

    /**
     * A model named {@code name} (used in summaries and error messages) of {@code layers}, in order.
     */
    public Sequential(String name, Layer... layers) {
        this.name = name;
        for (Layer l : layers) {
            add(l);
        }
    }

    /**
     * Appends {@code layer}; it is named after its type in snake case, numbered from the second of a type
     * ("dense", "dense_1", ...).
     * @return this model
     * @throws IllegalStateException if the model is already built
     */
    public Sequential add(Layer layer) {
        if (inputShape != null) {
            throw new IllegalStateException("cannot add layers to a built model");
        }
        layers.add(layer);
        String base = snake(layer.typeName());
        long same = names.stream().filter(n -> n.equals(base) || n.startsWith(base + "_")).count();
        names.add(same == 0 ? base : base + "_" + same);
        return this;
    }

    /** Seed of the weight initialisers (layer i draws from a stream derived from it). Default 0. */
    public Sequential seed(long seed) {
        if (inputShape != null) {
            throw new IllegalStateException("the seed must be set before the model is built");
        }
        this.seed = seed;
        return this;
    }

    /** Builds every layer for inputs of {@code shape} (batch axis excluded). */
    public Sequential build(int... shape) {
        if (inputShape != null) {
            if (!Arrays.equals(inputShape, shape)) {
                throw ShapeMismatchException.of(name, inputShape, shape,
                        "differ: the model was built for inputs of the first shape (batch axis excluded)");
            }
            return this;
        }
        if (layers.isEmpty()) {
            throw new IllegalStateException("a Sequential model needs at least one layer");
        }
        // all or nothing: a layer that fails takes the earlier layers' builds and weights with it
        Scope owner = Scope.independent(name + " parameters");
        List<Layer> builtHere = new ArrayList<>();
        try {
            int[] s = shape.clone();
            for (int i = 0; i < layers.size(); i++) {
                Layer l = layers.get(i);
                if (!l.isBuilt()) {
                    builtHere.add(l);
                }
                l.build(s, owner, CounterRandom.mix(seed, i));
                s = l.outputShape();
            }
        } catch (RuntimeException | Error e) {
            owner.close();
            builtHere.forEach(Layer::unbuild);
            throw e;
        }
        parameterScope = owner;
        inputShape = shape.clone();
        return this;
    }

    /**
     * The parameters {@link #build} would make for inputs of {@code shape}, by saved name, with
     * their shapes, allocating nothing.
     */
    Map<String, int[]> parameterShapes(int[] shape) {
        Map<String, int[]> all = new LinkedHashMap<>();
        int[] s = shape.clone();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            int[] out = l.computeOutputShape(s.clone()); // first: it rejects inputs the layer cannot take
            for (var e : l.parameterShapes(s.clone()).entrySet()) {
                all.put(i + "." + e.getKey(), e.getValue());
            }
            s = out;
        }
        return all;
    }

    /**
     * Whether the layers have been built (by {@link #build}, the first {@code forward}, {@code fit} or {@link #load}).
     */
    public boolean isBuilt() {
        return inputShape != null;
    }

    /** Runs the layers on a batch; builds the model on the first call. */
    public Tensor forward(Tensor x, boolean training) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException("model input needs a batch axis; got a scalar");
        }
        build(Arrays.copyOfRange(x.shape(), 1, x.rank()));
        Tensor h = x;
        Tensor mask = null;
        for (Layer l : layers) {
            Tensor in = h;
            h = l.call(in, mask, training);
            mask = l.outputMask(in, mask);
        }
        return h;
    }

    /** The layers in order, an unmodifiable copy of the list (the layers themselves are the model's own). */
    public List<Layer> layers() {
        return List.copyOf(layers);
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

    /**
     * Every parameter, trainable or frozen, in the order of {@link #namedParameters()}: the model's own tensors
     * (not copies), owned by the model until {@link #close()}; an unmodifiable list.
     */
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

    /**
     * Sets the optimizer, the loss and the metrics (reported as their {@code name()}) for {@code fit} and
     * {@code evaluate}; may be called again to change them. The optimizer's state is made at its first step, on the
     * parameters' device and owned with them.
     */
    public void compile(Optimizer optimizer, Loss loss, Metric... metrics) {
        this.optimizer = optimizer;
        this.loss = loss;
        this.metrics = List.of(metrics);
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
        try (var ignored = exclusive.enter(name, "fit")) {
            return fitAlone(x, y, sampleWeight, fit);
        }
    }

    private History fitAlone(Tensor x, Tensor y, Tensor sampleWeight, Fit fit) {
        requireCompiled("fit");
        checkData("fit", x, y);
        if (sampleWeight != null) {
            checkWeights("fit", x, sampleWeight, fit);
        }
        Tensor trainX = x;
        Tensor trainY = y;
        Tensor trainW = sampleWeight;
        Tensor valX = fit.validationX();
        Tensor valY = fit.validationY();
        int n = x.size(0);
        if (fit.validationSplit() > 0) {
            int cut = (int) (n * (1 - fit.validationSplit()));
            if (cut == 0 || cut == n) {
                throw new IllegalArgumentException("validation split " + fit.validationSplit() + " of " + n
                        + " samples leaves an empty training or validation set");
            }
            trainX = x.slice(0, 0, cut);
            trainY = y.slice(0, 0, cut);
            trainW = sampleWeight == null ? null : sampleWeight.slice(0, 0, cut);
            valX = x.slice(0, cut, n);
            valY = y.slice(0, cut, n);
        }
        if (valX != null) {
            checkData("fit (validation data)", valX, valY);
        }
        Tensor vx = valX;
        Tensor vy = valY;
        java.util.function.Supplier<Map<String, Double>> validation = vx != null ? () -> evaluate(vx, vy, fit.batchSize())
                : fit.validationDataset() != null ? () -> evaluate(fit.validationDataset()) : null;
        // built before the first step, so the first step's parameters are those of every later one
        build(Arrays.copyOfRange(x.shape(), 1, x.rank()));
        int nTrain = trainX.size(0);
        int batch = Math.min(fit.batchSize(), nTrain);
        int steps = (nTrain + batch - 1) / batch;
        History history = startHistory(fit);
        int verbose = fit.verbose();
        int firstEpoch = fit.resumeFrom() == null ? 1 : fit.resumeFrom().epochsDone() + 1;
        List<Callback> callbacks = fit.callbacks();
        // with TerminateOnNaN a non-finite loss stops training (the callback's doing); without, fit throws as before
        boolean stopOnNaN = callbacks.stream().anyMatch(c -> c instanceof TerminateOnNaN);
        stopTraining = false;
        callbacks.forEach(c -> c.setModel(this));
        callbacks.forEach(c -> c.onTrainBegin(new LinkedHashMap<>()));
        Map<String, Double> lastLogs = new LinkedHashMap<>();
        // The totals' rows and a captured step's fixed buffers live for the whole fit.
        try (Scope fitScope = Scope.independent("fit");
             GraphedSteps graphed = fit.cudaGraphs()
                     ? new GraphedSteps(trainX.device(), batch, fitScope, fit.stepCapturer()) : null) {
            BatchTotals totals = new BatchTotals(trainX.device(), steps, metrics, fitScope);
            Tensor dataX = trainX;
            Tensor dataY = trainY;
            Tensor dataW = trainW;
            Tensor classTable = classWeightTable(fit, trainX.device(), fitScope);
            for (int epoch = firstEpoch; epoch <= fit.epochs() && !stopTraining; epoch++) {
                int epochNumber = epoch;
                callbacks.forEach(c -> c.onEpochBegin(epochNumber - 1, new LinkedHashMap<>()));
                // each epoch's order depends on (seed, epoch) only, so a resumed run shuffles as an unbroken one
                int[] perm = permutation(nTrain, fit.shuffle() ? new SplittableRandom(CounterRandom.mix(fit.seed(), epoch)) : null);
                ProgressBar bar = new ProgressBar(fit.out(), verbose, epoch, fit.epochs(), steps);
                // A step enqueues its work and returns: losses and metrics stay on the device until a
                // redraw, a callback looking at its batch's logs or the epoch's end reads them, so the
                // host never waits inside a step.
                totals.startEpoch();
                int[] checked = {0};
                java.util.function.Supplier<Map<String, Double>> readMeans = () -> {
                    Map<String, Double> means = stopOnNaN ? totals.means() : checkedMeans(totals, epochNumber, checked[0]);
                    checked[0] = totals.written();
                    return means;
                };
                BatchLogs logs = null;
                for (int step = 0; step < steps && !stopTraining; step++) {
                    int from = step * batch;
                    int to = Math.min(nTrain, from + batch);
                    int stepNumber = step;
                    callbacks.forEach(c -> c.onBatchBegin(stepNumber, Map.of()));
                    java.util.function.Consumer<Tensor> body = index -> trainStep(dataX, dataY, dataW, classTable, index, totals);
                    if (graphed != null) {
                        graphed.step(perm, from, to, GraphedSteps.Key.of(optimizer, trainableParameters()), body, totals);
                    } else {
                        try (Scope ignored = Scope.open("train step")) {
                            body.accept(indexTensor(perm, from, to));
                        }
                    }
                    BatchLogs batchLogs = new BatchLogs(readMeans);
                    logs = batchLogs;
                    callbacks.forEach(c -> c.onBatchEnd(stepNumber, batchLogs));
                    if (bar.due(step + 1)) {
                        bar.update(step + 1, batchLogs.read());
                    }
                }
                lastLogs = endEpoch(fit, epoch, logs, validation, bar, history);
            }
        }
        Map<String, Double> endLogs = lastLogs;
        callbacks.forEach(c -> c.onTrainEnd(endLogs));
        return history;
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
                ? () -> evaluate(fit.validationX(), fit.validationY(), fit.batchSize())
                : fit.validationDataset() != null ? () -> evaluate(fit.validationDataset()) : null;
        History history = startHistory(fit);
        int verbose = fit.verbose();
        int firstEpoch = fit.resumeFrom() == null ? 1 : fit.resumeFrom().epochsDone() + 1;
        List<Callback> callbacks = fit.callbacks();
        boolean stopOnNaN = callbacks.stream().anyMatch(c -> c instanceof TerminateOnNaN);
        stopTraining = false;
        callbacks.forEach(c -> c.setModel(this));
        callbacks.forEach(c -> c.onTrainBegin(new LinkedHashMap<>()));
        Map<String, Double> lastLogs = new LinkedHashMap<>();
        long steps = data.cardinality();
        try (Scope fitScope = Scope.independent("fit")) {
            BatchTotals totals = BatchTotals.lazy(steps, metrics, fitScope);
            Tensor[] classTable = {null};
            for (int epoch = firstEpoch; epoch <= fit.epochs() && !stopTraining; epoch++) {
                int epochNumber = epoch;
                callbacks.forEach(c -> c.onEpochBegin(epochNumber - 1, new LinkedHashMap<>()));
                ProgressBar bar = new ProgressBar(fit.out(), verbose, epoch, fit.epochs(), (int) Math.min(steps, Integer.MAX_VALUE));
                totals.startEpoch();
                int[] checked = {0};
                java.util.function.Supplier<Map<String, Double>> readMeans = () -> {
                    Map<String, Double> means = stopOnNaN ? totals.means() : checkedMeans(totals, epochNumber, checked[0]);
                    checked[0] = totals.written();
                    return means;
                };
                BatchLogs logs = null;
                try (Dataset.Pass pass = data.pass(epoch - 1)) {
                    for (int step = 0; !stopTraining; step++) {
                        int stepNumber = step;
                        try (Scope ignored = Scope.open("train step")) {
                            Tensor[] element = pass.poll();
                            if (element == null) {
                                break;
                            }
                            Batch b = Batch.of("fit", element, true);
                            if (b.w() != null && fit.classWeight() != null) {
                                throw new IllegalArgumentException("fit: the dataset gives sample weights and Fit.classWeight"
                                        + " is set; use one or the other (Keras refuses both too)");
                            }
                            if (classTable[0] == null) {
                                classTable[0] = classWeightTable(fit, b.x().device(), fitScope);
                            }
                            callbacks.forEach(c -> c.onBatchBegin(stepNumber, Map.of()));
                            trainBatch(b.x(), b.y(), b.w(), classTable[0], totals);
                        }
                        BatchLogs batchLogs = new BatchLogs(readMeans);
                        logs = batchLogs;
                        callbacks.forEach(c -> c.onBatchEnd(stepNumber, batchLogs));
                        if (bar.due(step + 1)) {
                            bar.update(step + 1, batchLogs.read());
                        }
                    }
                }
                if (logs == null && !stopTraining) {
                    throw new IllegalArgumentException("fit: the dataset gave no batches in epoch " + epoch);
                }
                lastLogs = endEpoch(fit, epoch, logs, validation, bar, history);
            }
        }
        Map<String, Double> endLogs = lastLogs;
        callbacks.forEach(c -> c.onTrainEnd(endLogs));
        return history;
    }

    /** A dataset element as fit and evaluate take it: inputs, labels and optional sample weights. */
    private record Batch(Tensor x, Tensor y, Tensor w) {
        static Batch of(String what, Tensor[] e, boolean labelled) {
            if (e.length == 0 || e.length > 3 || (labelled && e.length < 2)) {
                throw new IllegalArgumentException(what + ": a dataset element must be {x" + (labelled ? ", y" : "")
                        + "} or {x, y, sample weights}, got " + e.length + " tensors");
            }
            Tensor y = e.length > 1 ? e[1] : null;
            Tensor w = e.length > 2 ? e[2] : null;
            if (labelled) {
                checkData(what, e[0], y);
            }
            if (w != null && (w.numel() != e[0].size(0) || w.rank() > 2)) {
                throw ShapeMismatchException.of(what + " (sample weights)", e[0].shape(), w.shape(),
                        "do not fit: sample weights must be [n] or [n, 1] for n inputs");
            }
            return new Batch(e[0], y, w);
        }
    }

    private History startHistory(Fit fit) {
        History history = new History();
        if (fit.resumeFrom() != null) {
            fit.resumeFrom().history().history().forEach((k, v) -> v.forEach(value -> history.record(Map.of(k, value))));
        }
        return history;
    }

    /** The epoch's end: validation, the progress line, callbacks, history and checkpoint; the epoch's logs. */
    private Map<String, Double> endEpoch(Fit fit, int epoch, BatchLogs logs,
                                         java.util.function.Supplier<Map<String, Double>> validation,
                                         ProgressBar bar, History history) {
        Map<String, Double> values = new LinkedHashMap<>(logs == null ? Map.of() : logs.read());
        if (validation != null) {
            validation.get().forEach((k, v) -> values.put("val_" + k, v));
        }
        bar.finish(values);
        fit.callbacks().forEach(c -> c.onEpochEnd(epoch - 1, values));
        history.record(values);
        if (fit.checkpointFile() != null) {
            Checkpoint.write(fit.checkpointFile(), this, optimizer, epoch, history);
        }
        return values;
    }

    /** One training step on the rows {@code index} of (x, y): forward, loss, backward, update, totals. */
    private void trainStep(Tensor x, Tensor y, Tensor w, Tensor classTable, Tensor index, BatchTotals totals) {
        trainBatch(x.indexSelect(index), y.indexSelect(index), w == null ? null : w.indexSelect(index), classTable, totals);
    }

    /** One training step on a batch: forward, loss, backward, update, totals. */
    private void trainBatch(Tensor xb, Tensor yb, Tensor wb, Tensor classTable, BatchTotals totals) {
        Tensor pred = forward(xb, true);
        Tensor l = withRegularization(batchLoss(yb, pred, wb, classTable));
        List<Tensor> params = trainableParameters();
        optimizer.zeroGrad(params);
        l.backward();
        optimizer.step(params);
        try (var g = GradMode.noGrad()) {
            totals.add(l.detach(), xb.size(0), yb, pred.detach());
        }
    }

    /**
     * The batch's loss: the loss's mean, or with sample weights (or class weights, a table indexed
     * by class id) each sample's loss times its weight, summed and divided by the batch size.
     */
    private Tensor batchLoss(Tensor yb, Tensor pred, Tensor wb, Tensor classTable) {
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
        try (var ignored = exclusive.enter(name, "evaluate")) {
            return evaluateAlone(x, y, batchSize);
        }
    }

    private Map<String, Double> evaluateAlone(Tensor x, Tensor y, int batchSize) {
        requireCompiled("evaluate");
        checkData("evaluate", x, y);
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
        int n = x.size(0);
        int batches = (int) ((n + (long) batchSize - 1) / batchSize);
        try (var g = GradMode.noGrad(); Scope all = Scope.open("evaluate")) {
            BatchTotals totals = new BatchTotals(x.device(), batches, metrics, all);
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                try (Scope ignored = Scope.open("evaluate batch")) {
                    Tensor xb = x.slice(0, from, to);
                    Tensor yb = y.slice(0, from, to);
                    Tensor pred = forward(xb, false);
                    totals.add(withRegularization(loss.compute(yb, pred)), to - from, yb, pred);
                }
            }
            return totals.means();
        }
    }

    /**
     * {@link #evaluate(Tensor, Tensor, int)} in batches of 32.
     * @throws IllegalStateException if the model is not compiled
     * @throws ConcurrentModelUseException when another thread is running fit, evaluate or predict on this model
     */
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
            BatchTotals totals = BatchTotals.lazy(data.cardinality(), metrics, all);
            while (true) {
                try (Scope ignored = Scope.open("evaluate batch")) {
                    Tensor[] element = pass.poll();
                    if (element == null) {
                        break;
                    }
                    Batch b = Batch.of("evaluate", element, true);
                    Tensor pred = forward(b.x(), false);
                    totals.add(withRegularization(batchLoss(b.y(), pred, b.w(), null)), b.x().size(0), b.y(), pred);
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

    /**
     * {@link #predict(Tensor, int)} in batches of 32: outputs of the model's last layer for every sample of
     * {@code x} (batch axis first), on {@code x}'s device, owned by the caller's scope.
     * @throws IllegalArgumentException if {@code x} has no samples
     * @throws ConcurrentModelUseException when another thread is running fit, evaluate or predict on this model
     */
    public Tensor predict(Tensor x) {
        return predict(x, 32);
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
        try (var g = GradMode.noGrad(); Scope outputs = Scope.open("predict outputs"); Dataset.Pass pass = data.pass(0)) {
            List<Tensor> parts = new ArrayList<>();
            while (true) {
                try (Scope batch = Scope.open("predict batch")) {
                    Tensor[] element = pass.poll();
                    if (element == null) {
                        break;
                    }
                    Tensor x = Batch.of("predict", element, false).x();
                    Tensor out = forward(x, false);
                    parts.add(batch.keep(out.storage() == x.storage() ? out.copy() : out));
                }
            }
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("predict: the dataset gave no batches");
            }
            return outputs.keep(parts.size() == 1 ? parts.getFirst() : Tensor.concat(parts, 0));
        }
    }

    private void requireCompiled(String what) {
        if (optimizer == null || loss == null) {
            throw new IllegalStateException(what + " needs compile(optimizer, loss, metrics...) first");
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

    /** Keras-like description of the model: name, seed, input shape and each layer's class and config. */
    public Map<String, Object> architecture() {
        if (!isBuilt()) {
            throw new IllegalStateException("only a built model can be described: call build(inputShape) first");
        }
        List<Object> ls = new ArrayList<>();
        for (Layer l : layers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("class_name", l.typeName());
            m.put("config", l.config());
            ls.add(m);
        }
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("format", ARCHITECTURE_FORMAT);
        a.put("name", name);
        a.put("seed", seed);
        a.put("input_shape", inputShape.clone());
        a.put("layers", ls);
        return a;
    }

    static final String ARCHITECTURE_FORMAT = "isthmus.sequential/1";
    static final String ARCHITECTURE_KEY = "isthmus.architecture";

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
     * Loads a model written by {@link #save}. The architecture is checked against every tensor's
     * name and shape before any parameter is allocated, so a small file cannot make us allocate
     * more than its own size; a load that fails frees all it made.
     */
    public static Sequential load(Path file) {
        try (SafeTensors.Reader r = SafeTensors.open(file)) {
            return fromFile(r, "");
        }
    }

    /** Rebuilds the model whose tensors are named {@code prefix + "index.name"} in {@code r}. */
    static Sequential fromFile(SafeTensors.Reader r, String prefix) {
        Path file = r.file();
        Unbuilt saved = unbuiltFromArchitecture(file, r.metadata());
        Sequential model = saved.model();
        try {
            Map<String, int[]> inFile = new LinkedHashMap<>();
            r.shapes().forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    inFile.put(k.substring(prefix.length()), v);
                }
            });
            Map<String, int[]> needed;
            try {
                needed = model.parameterShapes(saved.inputShape());
            } catch (RuntimeException e) {
                throw new SafeTensorsException(file, "architecture in the metadata is unusable: " + e.getMessage(), e);
            }
            checkTensorsFit(file, prefix, needed, inFile);
            try {
                model.build(saved.inputShape());
            } catch (RuntimeException e) {
                throw new SafeTensorsException(file, "cannot build the architecture in the metadata: " + e.getMessage(), e);
            }
            for (var e : model.namedParameters().entrySet()) {
                try (Scope reading = Scope.open("load " + e.getKey())) {
                    e.getValue().copyFrom(r.tensor(prefix + e.getKey()));
                }
            }
            return model;
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
    }

    private static void checkTensorsFit(Path file, String prefix, Map<String, int[]> needed, Map<String, int[]> inFile) {
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

    /** A saved model's layers, made but not built, and the input shape it was built for. */
    private record Unbuilt(Sequential model, int[] inputShape) {
    }

    private static Unbuilt unbuiltFromArchitecture(Path file, Map<String, String> metadata) {
        String json = metadata.get(ARCHITECTURE_KEY);
        if (json == null) {
            throw new SafeTensorsException(file, "no \"" + ARCHITECTURE_KEY + "\" in the metadata: not an Isthmus model file");
        }
        try {
            if (!(Json.parse(json) instanceof Map<?, ?> a)) {
                throw new SafeTensorsException(file, "architecture in the metadata is not a JSON object");
            }
            if (!ARCHITECTURE_FORMAT.equals(a.get("format"))) {
                throw new SafeTensorsException(file, "architecture format " + a.get("format") + " is not " + ARCHITECTURE_FORMAT);
            }
            Sequential model = new Sequential((String) a.get("name"));
            for (Object o : (List<?>) a.get("layers")) {
                Map<?, ?> l = (Map<?, ?>) o;
                @SuppressWarnings("unchecked")
                Map<String, Object> config = (Map<String, Object>) l.get("config");
                model.add(dev.isthmus.nn.layers.Layers.fromConfig((String) l.get("class_name"), config));
            }
            if (model.layers.isEmpty()) {
                throw new SafeTensorsException(file, "architecture in the metadata has no layers");
            }
            model.seed(((Number) a.get("seed")).longValue());
            List<?> shape = (List<?>) a.get("input_shape");
            int[] dims = shape.stream().mapToInt(d -> Math.toIntExact(((Number) d).longValue())).toArray();
            for (int d : dims) {
                if (d <= 0) {
                    throw new SafeTensorsException(file, "architecture in the metadata has input shape " + Shapes.str(dims));
                }
            }
            return new Unbuilt(model, dims);
        } catch (java.io.IOException | ClassCastException | NullPointerException | IllegalArgumentException
                 | ArithmeticException e) {
            // the cause keeps the type (an UnknownLayerException says which Layers.register call is missing)
            throw new SafeTensorsException(file, "architecture in the metadata is unusable: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- description

    /** Layers, output shapes and parameter counts, Keras-style. */
    public String summary() {
        if (!isBuilt()) {
            throw new IllegalStateException("summary() needs a built model: call build(inputShape) or run a batch through it");
        }
        String rule = "_".repeat(65);
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(name).append("\"\n").append(rule).append('\n');
        sb.append(String.format(Locale.ROOT, " %-28s%-26s%s%n", "Layer (type)", "Output Shape", "Param #"));
        sb.append("=".repeat(65)).append('\n');
        long total = 0;
        long trainable = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            long count = l.parameterCount();
            total += count;
            trainable += l.trainableParameterCount();
            sb.append(String.format(Locale.ROOT, " %-28s%-26s%d%n", names.get(i) + " (" + l.typeName() + ")",
                    batchShape(l.outputShape()), count));
        }
        sb.append("=".repeat(65)).append('\n');
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

    private static String snake(String type) {
        return type.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** Frees the parameters, their gradients and the optimizer state. */
    @Override
    public void close() {
        if (parameterScope != null) {
            parameterScope.close();
        }
    }
}
