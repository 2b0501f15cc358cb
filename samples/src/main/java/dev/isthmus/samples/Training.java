package dev.isthmus.samples;

import dev.isthmus.nn.losses.Loss;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.model.Checkpoint;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.History;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Optimizer;
import dev.isthmus.nn.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The fit every sample shares: checkpoint after each epoch into {@code out/checkpoint.safetensors},
 * resume from it with {@code --resume}, then save the model and its learning curve.
 */
public final class Training {
    public static final String MODEL_FILE = "model.safetensors";
    public static final String CHECKPOINT_FILE = "checkpoint.safetensors";
    public static final String CURVE_FILE = "learning-curve.png";
    public static final String METRICS_FILE = "metrics.json";

    private Training() {
    }

    /** A trained model (owned by the caller), its history and the mean wall time of an epoch run now. */
    public record Trained(Sequential model, History history, double secondsPerEpoch, double totalSeconds) {
    }

    /**
     * Fits {@code fit}'s epochs with checkpoints after each, resuming with {@code --resume}: the
     * phased fit below with one phase, at the optimizer's own rate.
     */
    public static Trained fit(TrainOptions o, String title, Supplier<Sequential> newModel, Supplier<Optimizer> newOptimizer,
                              Loss loss, Metric[] metrics, Tensor x, Tensor y, Fit fit) throws IOException {
        return fit(o, title, newModel, rate -> newOptimizer.get(), List.of(new Phase(Integer.MAX_VALUE, Float.NaN)),
                Integer.MAX_VALUE, loss, metrics, x, y, until -> fit);
    }

    /** Epochs up to {@code untilEpoch} (1-based, inclusive) train at {@code learningRate}. */
    public record Phase(int untilEpoch, float learningRate) {
    }

    /**
     * {@link #fit} under a step schedule of learning rates: each phase is one {@code fit} call that
     * carries on from the checkpoint the previous phase wrote (so the epochs shuffle as one unbroken
     * run, and {@code --resume} resumes inside whichever phase the run stopped in), its optimizer
     * taking over the previous one's state (moments, step count) from that checkpoint at the phase's rate.
     * {@code fitFor(e)} gives the settings of a fit that ends after epoch {@code e}. Phases past
     * {@code epochs} are cut there.
     */
    public static Trained fit(TrainOptions o, String title, Supplier<Sequential> newModel, Function<Float, Optimizer> newOptimizer,
                              List<Phase> phases, int epochs, Loss loss, Metric[] metrics, Tensor x, Tensor y,
                              IntFunction<Fit> fitFor) throws IOException {
        Files.createDirectories(o.out());
        Path checkpoint = o.out().resolve(CHECKPOINT_FILE);
        Checkpoint resumeFrom = null;
        int done = 0;
        if (o.resume() && Files.exists(checkpoint)) {
            resumeFrom = Checkpoint.read(checkpoint);
            done = resumeFrom.epochsDone();
            o.console().printf(Locale.ROOT, "resuming from %s after epoch %d%n", checkpoint, done);
        }
        int first = done;
        Sequential model = null;
        History h = null;
        long t0 = System.nanoTime();
        try {
            for (int p = 0; p < phases.size(); p++) {
                int until = Math.min(epochs, phases.get(p).untilEpoch());
                if (until <= done) {
                    continue;
                }
                Optimizer optimizer = newOptimizer.apply(phases.get(p).learningRate());
                Fit fit = fitFor.apply(until);
                if (model == null && resumeFrom == null) {
                    model = newModel.get();
                } else {
                    // the previous phase's (or run's) last checkpoint: weights, optimizer state, history
                    Checkpoint c = resumeFrom != null ? resumeFrom : Checkpoint.read(checkpoint);
                    resumeFrom = null;
                    if (model != null) {
                        model.close();
                    }
                    model = (Sequential) c.model(); // the samples train Sequential models, so their checkpoints hold one
                    c.restoreOptimizer(optimizer);
                    fit.resume(c);
                }
                if (p > 0) {
                    o.console().printf(Locale.ROOT, "learning rate %.4g from epoch %d%n", phases.get(p).learningRate(), done + 1);
                }
                model.compile(optimizer, loss, metrics);
                h = model.fit(x, y, fit.checkpoint(checkpoint));
                done = until;
            }
            if (model == null) {
                // a resumed run that had already finished every phase
                Checkpoint c = resumeFrom != null ? resumeFrom : Checkpoint.read(checkpoint);
                model = (Sequential) c.model(); // the samples train Sequential models, so their checkpoints hold one
                h = c.history();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int ran = Math.max(1, h.epochs() - first);
            model.save(o.out().resolve(MODEL_FILE));
            Outputs.learningCurve(o.out().resolve(CURVE_FILE), title, h);
            return new Trained(model, h, seconds / ran, seconds);
        } catch (RuntimeException | IOException e) {
            if (model != null) {
                model.close();
            }
            throw e;
        }
    }

    /** The model a previous {@code train} saved, or a clear error saying how to make it. */
    public static Sequential loadTrained(TrainOptions o, String sample) {
        return Sequential.load(trainedFile(o, sample));
    }

    /** As {@link #loadTrained}, for any model (a functional one too). */
    public static dev.isthmus.nn.model.Model loadTrainedModel(TrainOptions o, String sample) {
        return dev.isthmus.nn.model.Model.load(trainedFile(o, sample));
    }

    private static Path trainedFile(TrainOptions o, String sample) {
        Path file = o.out().resolve(MODEL_FILE);
        if (!Files.exists(file)) {
            throw new IllegalStateException("no trained " + sample + " model at " + file + "; run `train " + sample
                    + "` first (with the same --out)");
        }
        return file;
    }
}
