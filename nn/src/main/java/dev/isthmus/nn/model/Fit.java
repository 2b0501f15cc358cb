package dev.isthmus.nn.model;

import dev.isthmus.nn.callbacks.Callback;
import dev.isthmus.nn.data.Dataset;
import dev.isthmus.nn.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Settings of one {@code fit} call, built fluently:
 * {@code Fit.epochs(10).batchSize(32).validationSplit(0.2).seed(7)}. Keras defaults: batch size 32,
 * shuffle on, no validation; verbosity 1 (progress bar) on a terminal, 2 (a line per epoch) otherwise.
 */
public final class Fit {
    private int epochs = 1;
    private int batchSize = 32;
    private double validationSplit;
    private Tensor validationX;
    private Tensor validationY;
    private Dataset validationDataset;
    private Map<Integer, Float> classWeight;
    private boolean shuffle = true;
    private long seed = 0;
    private int verbose = -1;
    private PrintStream out = System.out;
    private Path checkpointFile;
    private Checkpoint resumeFrom;
    private boolean cudaGraphs;
    private StepCapturer capturer = StepCapturer.BACKEND;
    private List<Callback> callbacks = List.of();

    private Fit() {
    }

    /**
     * Settings for {@code epochs} passes over the data (0 allowed: no training),
     * the others at their defaults: batches of 32, shuffled each epoch (seed 0), no validation, a progress bar on a
     * terminal (one line per epoch elsewhere).
     * @throws IllegalArgumentException if {@code epochs} is negative
     */
    public static Fit epochs(int epochs) {
        Fit f = new Fit();
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        }
        f.epochs = epochs;
        return f;
    }

    /**
     * Samples per step when fitting tensors (default 32; the last batch of an epoch may be smaller). A dataset
     * batches itself.
     * @return these settings
     * @throws IllegalArgumentException if {@code batchSize} is not positive
     */
    public Fit batchSize(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
        this.batchSize = batchSize;
        return this;
    }

    /** The last {@code fraction} of the samples (before shuffling, as Keras) is held out for validation. */
    public Fit validationSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation split must be in [0, 1), got " + fraction);
        }
        this.validationSplit = fraction;
        return this;
    }

    /**
     * Validation samples (x, y), evaluated after each epoch and reported as {@code val_...}; replaces a split or a
     * validation dataset set before.
     * @return these settings
     */
    public Fit validationData(Tensor x, Tensor y) {
        this.validationX = x;
        this.validationY = y;
        this.validationDataset = null;
        return this;
    }

    /** Validation batches from a dataset (pass 0 every epoch), evaluated after each epoch as {@code val_...}. */
    public Fit validationData(Dataset batches) {
        this.validationDataset = batches;
        this.validationX = null;
        this.validationY = null;
        return this;
    }

    /**
     * Keras's {@code class_weight}: each sample's loss is multiplied by the weight of its class
     * (an integer label, the argmax of a one-hot label, or a 0/1 label rounded), classes not in the
     * map weighing 1; the batch's loss is the weighted sum over the batch size. Metrics stay
     * unweighted. Cannot be combined with sample weights (Keras refuses it too).
     */
    public Fit classWeight(Map<Integer, Float> weights) {
        for (var e : weights.entrySet()) {
            if (e.getKey() == null || e.getKey() < 0 || e.getValue() == null || !Float.isFinite(e.getValue())) {
                throw new IllegalArgumentException("class weights need class ids >= 0 and finite weights, got " + weights);
            }
        }
        this.classWeight = weights.isEmpty() ? null : Map.copyOf(weights);
        return this;
    }

    Map<Integer, Float> classWeight() {
        return classWeight;
    }

    Dataset validationDataset() {
        return validationDataset;
    }

    /**
     * Whether the tensors' samples are reshuffled every epoch (default true), in an order drawn from
     * {@link #seed(long)}; a dataset's order is its own.
     * @return these settings
     */
    public Fit shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return this;
    }

    /** Seed of the shuffling order (and of nothing else: weights take the model's seed). */
    public Fit seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** 0 silent, 1 progress bar, 2 one line per epoch. */
    public Fit verbose(int verbose) {
        if (verbose < 0 || verbose > 2) {
            throw new IllegalArgumentException("verbose must be 0, 1 or 2, got " + verbose);
        }
        this.verbose = verbose;
        return this;
    }

    /**
     * Where the progress bar and epoch lines go (default {@code System.out}).
     * @return these settings
     */
    public Fit output(PrintStream out) {
        this.out = out;
        return this;
    }

    /**
     * Callbacks called in the order given ({@link Callback} says when and with which logs); the
     * {@code History} that {@code fit} returns records each epoch's logs after them.
     */
    public Fit callbacks(Callback... callbacks) {
        this.callbacks = List.of(callbacks);
        return this;
    }

    List<Callback> callbacks() {
        return callbacks;
    }

    /** Writes a checkpoint (weights, optimizer state, history) to {@code file} after every epoch, atomically. */
    public Fit checkpoint(Path file) {
        this.checkpointFile = file;
        return this;
    }

    /** Continues a run from a checkpoint: starts after its last epoch and extends its history; shuffling and dropout masks go on as in an unbroken run. */
    public Fit resume(Checkpoint checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /**
     * Captures one training step (forward, backward, optimizer) into a CUDA graph after a warm-up
     * step and replays it for the later full batches, which removes the per-op launch cost; the
     * last, smaller batch of an epoch runs eagerly. Off by default: not yet run on a GPU. On the
     * CPU backend this is a no-op (every step runs eagerly, with the same results).
     */
    public Fit cudaGraphs(boolean on) {
        this.cudaGraphs = on;
        return this;
    }

    boolean cudaGraphs() {
        return cudaGraphs;
    }

    /** Tests: capture steps with {@code capturer} instead of the backend (e.g. the CPU's recording emulation). */
    Fit stepCapturer(StepCapturer capturer) {
        this.capturer = capturer;
        return this;
    }

    StepCapturer stepCapturer() {
        return capturer;
    }

    Path checkpointFile() {
        return checkpointFile;
    }

    Checkpoint resumeFrom() {
        return resumeFrom;
    }

    int epochs() {
        return epochs;
    }

    int batchSize() {
        return batchSize;
    }

    double validationSplit() {
        return validationSplit;
    }

    Tensor validationX() {
        return validationX;
    }

    Tensor validationY() {
        return validationY;
    }

    boolean shuffle() {
        return shuffle;
    }

    long seed() {
        return seed;
    }

    int verbose() {
        if (verbose >= 0) {
            return verbose;
        }
        var console = System.console();
        return out == System.out && console != null && console.isTerminal() ? 1 : 2;
    }

    PrintStream out() {
        return out;
    }
}
