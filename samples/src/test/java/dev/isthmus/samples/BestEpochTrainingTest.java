package dev.isthmus.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Best-epoch training on a tiny regression: the scores are scripted, the weights are real. */
class BestEpochTrainingTest {
    private static final Tensor X = Tensor.of(new float[] {0, 1, 1, 0, 1, 1, 2, 1, 0, 2, 2, 2, 3, 1, 1, 3}, 8, 2);
    private static final Tensor Y = Tensor.of(new float[] {1, 1, 2, 3, 2, 4, 4, 4}, 8, 1);

    private static Sequential model() {
        return new Sequential(new Dense(1)).seed(3).build(2);
    }

    private static float[] weights(Sequential m) {
        List<Float> all = new ArrayList<>();
        m.parameters().forEach(p -> {
            for (float v : p.toArray()) {
                all.add(v);
            }
        });
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    /** Trains with scores handed out in order, one per epoch; records the weights each epoch was scored with. */
    private static BestEpochTraining.Outcome train(Sequential m, BestEpochTraining.Plan plan, double[] scores,
                                                   List<float[]> scoredWeights, ByteArrayOutputStream console) {
        return BestEpochTraining.train(m, Adam::new, Losses.mse(), new Metric[0], X, Y, plan, "val_score", model -> {
            scoredWeights.add(weights(model));
            return scores[scoredWeights.size() - 1];
        }, new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    @Test
    void stopsAfterPatienceEpochsWithoutImprovementAndRestoresTheBestEpoch() {
        List<float[]> scored = new ArrayList<>();
        try (Sequential m = model()) {
            var outcome = train(m, new BestEpochTraining.Plan(10, 2, 4, 1, e -> 0.05), new double[] {0.1, 0.3, 0.2, 0.25, 0.9},
                    scored, new ByteArrayOutputStream());
            assertEquals(2, outcome.bestEpoch());
            assertEquals(0.3, outcome.bestScore());
            assertEquals(4, outcome.epochsRun()); // epochs 3 and 4 did not beat epoch 2; epoch 5 never ran
            assertEquals(List.of(0.1, 0.3, 0.2, 0.25), outcome.curve().get("val_score"));
            assertEquals(4, outcome.curve().get("loss").size());
            assertFalse(java.util.Arrays.equals(scored.get(1), scored.get(3)), "training moved the weights after epoch 2");
            assertArrayEquals(scored.get(1), weights(m));
        }
    }

    @Test
    void endsAtMaxEpochsKeepingTheLastWhenItIsBest() {
        List<float[]> scored = new ArrayList<>();
        try (Sequential m = model()) {
            var outcome = train(m, new BestEpochTraining.Plan(3, 2, 4, 1, e -> 0.05), new double[] {0.1, 0.2, 0.3},
                    scored, new ByteArrayOutputStream());
            assertEquals(3, outcome.bestEpoch());
            assertEquals(3, outcome.epochsRun());
            assertArrayEquals(scored.get(2), weights(m));
        }
    }

    @Test
    void eachEpochRunsAtItsScheduledLearningRate() {
        var console = new ByteArrayOutputStream();
        try (Sequential m = model()) {
            train(m, new BestEpochTraining.Plan(3, 5, 4, 1, e -> e < 3 ? 0.01 : 0.002), new double[] {1, 2, 3},
                    new ArrayList<>(), console);
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("Epoch 2/3 - ") && printed.lines().filter(l -> l.contains("lr 0.01000")).count() == 2, printed);
        assertTrue(printed.lines().anyMatch(l -> l.startsWith("Epoch 3/3") && l.contains("lr 0.002000")), printed);
    }

    @Test
    void planRejectsNonPositiveCounts() {
        assertThrows(IllegalArgumentException.class, () -> new BestEpochTraining.Plan(0, 1, 1, 1, e -> 0.1));
        assertThrows(IllegalArgumentException.class, () -> new BestEpochTraining.Plan(1, 0, 1, 1, e -> 0.1));
    }

    @Test
    void snapshotPutsBackTheWeightsOfItsMoment() {
        try (Sequential m = model()) {
            float[] before = weights(m);
            WeightSnapshot snapshot = WeightSnapshot.of(m);
            m.parameters().forEach(p -> p.fillInPlace(7f));
            assertFalse(java.util.Arrays.equals(before, weights(m)));
            snapshot.restoreInto(m);
            assertArrayEquals(before, weights(m));
            try (Sequential other = new Sequential(new Dense(1), new Dense(1)).build(2)) {
                assertThrows(IllegalArgumentException.class, () -> snapshot.restoreInto(other));
            }
        }
    }
}
