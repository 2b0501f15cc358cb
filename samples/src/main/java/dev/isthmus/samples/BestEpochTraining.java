package dev.isthmus.samples;

import dev.isthmus.nn.losses.Loss;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.History;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Optimizer;
import dev.isthmus.nn.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * Training that keeps its best epoch: {@code fit} one epoch at a time, score the model on held-out
 * data after each (higher is better), keep a copy of the best weights, stop once {@code patience}
 * epochs in a row have not beaten the best, and put the best weights back. (The score is a
 * function of the model, not a logged metric, which is why this is a loop and not the library's
 * {@code EarlyStopping} callback.)
 *
 * <p>The learning rate is a function of the epoch, set on the optimizer when it changes (its
 * moments and step count carry on). Each epoch shuffles in an order of its own, derived from the
 * seed and the epoch.
 */
public final class BestEpochTraining {
    /** How the run goes: at most {@code maxEpochs}, learning rate {@code learningRate(epoch)}, epochs 1-based. */
    public record Plan(int maxEpochs, int patience, int batchSize, long seed, IntToDoubleFunction learningRate) {
        public Plan {
            if (maxEpochs < 1 || patience < 1 || batchSize < 1) {
                throw new IllegalArgumentException("max epochs, patience and batch size must be at least 1; got "
                        + maxEpochs + ", " + patience + ", " + batchSize);
            }
        }
    }

    /** Where the run ended: the epoch whose weights the model now holds, its score, and every epoch's values. */
    public record Outcome(int bestEpoch, double bestScore, int epochsRun, Map<String, List<Double>> curve, double secondsPerEpoch) {
    }

    private BestEpochTraining() {
    }

    /**
     * Trains {@code model} on (x, y) under {@code plan}, scoring each epoch with {@code score} (its
     * value recorded in the curve as {@code scoreName}); on return the model holds the best epoch's
     * weights.
     */
    public static Outcome train(Sequential model, Function<Float, Optimizer> newOptimizer, Loss loss, Metric[] metrics,
                                Tensor x, Tensor y, Plan plan, String scoreName, ToDoubleFunction<Sequential> score,
                                PrintStream console) {
        Map<String, List<Double>> curve = new LinkedHashMap<>();
        Optimizer optimizer = null;
        WeightSnapshot best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0;
        int epoch = 0;
        long t0 = System.nanoTime();
        while (epoch < plan.maxEpochs() && epoch - bestEpoch < plan.patience()) {
            epoch++;
            float rate = (float) plan.learningRate().applyAsDouble(epoch);
            if (optimizer == null) {
                optimizer = newOptimizer.apply(rate);
                model.compile(optimizer, loss, metrics);
            } else if (rate != optimizer.learningRate()) {
                optimizer.setLearningRate(rate); // moments and step count carry on
            }
            long e0 = System.nanoTime();
            History h = model.fit(x, y, Fit.epochs(1).batchSize(plan.batchSize()).seed(epochSeed(plan.seed(), epoch)).verbose(0));
            double value = score.applyAsDouble(model);
            Map<String, Double> values = new LinkedHashMap<>();
            h.history().forEach((k, v) -> values.put(k, v.getLast()));
            values.put(scoreName, value);
            values.forEach((k, v) -> curve.computeIfAbsent(k, n -> new ArrayList<>()).add(v));
            boolean improved = value > bestScore;
            if (improved) {
                bestScore = value;
                bestEpoch = epoch;
                best = WeightSnapshot.of(model);
            }
            console.printf(Locale.ROOT, "Epoch %d/%d - %.0fs - lr %.4g - %s%s%n", epoch, plan.maxEpochs(),
                    (System.nanoTime() - e0) / 1e9, optimizer.learningRate(), describe(values), improved ? " (best)" : "");
        }
        if (bestEpoch < epoch) {
            best.restoreInto(model);
            console.printf(Locale.ROOT, "kept epoch %d (%s %.4f); stopped after epoch %d%n", bestEpoch, scoreName, bestScore, epoch);
        }
        return new Outcome(bestEpoch, bestScore, epoch, curve, (System.nanoTime() - t0) / 1e9 / epoch);
    }

    /** A shuffling seed of its own for every epoch (fit derives its order from the seed it is given). */
    static long epochSeed(long seed, int epoch) {
        return seed * 1_000_003L + epoch;
    }

    private static String describe(Map<String, Double> values) {
        List<String> parts = new ArrayList<>();
        values.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s: %.4f", k, v)));
        return String.join(" - ", parts);
    }
}
