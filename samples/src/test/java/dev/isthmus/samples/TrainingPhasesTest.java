package dev.isthmus.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The phased fit of {@link Training}: a step schedule of learning rates run as fits that carry on
 * from each other's checkpoints must train exactly as one unbroken run would (same shuffles, same
 * optimizer state), at the scheduled rates, and resume inside a phase.
 */
class TrainingPhasesTest {
    private static final Tensor X = Tensor.of(new float[] {0, 1, 1, 0, 1, 1, 2, 1, 0, 2, 2, 2, 3, 1, 1, 3, 2, 3, 3, 3}, 10, 2);
    private static final Tensor Y = Tensor.of(new float[] {1, 1, 2, 3, 2, 4, 4, 4, 5, 6}, 10, 1);

    private static Sequential model() {
        return new Sequential(new Dense(4), new Dropout(0.25f), new Dense(1)).seed(5);
    }

    private static TrainOptions options(Path out, boolean resume, ByteArrayOutputStream console) {
        return new TrainOptions(new PrintStream(console, true, StandardCharsets.UTF_8), out, out, 5, 42, null, null, false, resume);
    }

    private static float[] weights(Sequential m) {
        return m.parameters().stream().map(Tensor::toArray).reduce(new float[0], (a, b) -> {
            float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        });
    }

    private static Training.Trained phased(Path out, boolean resume, int epochs, List<Training.Phase> phases,
                                           ByteArrayOutputStream console) throws Exception {
        return Training.fit(options(out, resume, console), "t", TrainingPhasesTest::model, Adam::new, phases, epochs,
                Losses.mse(), new Metric[0], X, Y, until -> Fit.epochs(until).batchSize(3).seed(9).verbose(0));
    }

    @Test
    void twoPhasesAtOneRateTrainAsOneUnbrokenRun(@TempDir Path a, @TempDir Path b) throws Exception {
        float[] unbroken;
        try (Sequential t = Training.fit(options(a, false, new ByteArrayOutputStream()), "t", TrainingPhasesTest::model,
                () -> new Adam(0.05f), Losses.mse(), new Metric[0], X, Y, Fit.epochs(5).batchSize(3).seed(9).verbose(0)).model()) {
            unbroken = weights(t);
        }
        var t = phased(b, false, 5, List.of(new Training.Phase(2, 0.05f), new Training.Phase(9, 0.05f)), new ByteArrayOutputStream());
        try (Sequential m = t.model()) {
            assertArrayEquals(unbroken, weights(m));
            assertEquals(5, t.history().epochs());
        }
    }

    @Test
    void laterPhasesRunAtTheirRate(@TempDir Path a, @TempDir Path b) throws Exception {
        var console = new ByteArrayOutputStream();
        float[] constant;
        try (Sequential m = phased(a, false, 4, List.of(new Training.Phase(2, 0.05f), new Training.Phase(9, 0.05f)), console).model()) {
            constant = weights(m);
        }
        try (Sequential m = phased(b, false, 4, List.of(new Training.Phase(2, 0.05f), new Training.Phase(9, 0.005f)), console).model()) {
            assertFalse(java.util.Arrays.equals(constant, weights(m)), "the second phase's rate was not used");
        }
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("learning rate 0.005000 from epoch 3"), console.toString());
    }

    @Test
    void resumesInsideTheSecondPhaseAsIfNeverStopped(@TempDir Path a, @TempDir Path b) throws Exception {
        List<Training.Phase> phases = List.of(new Training.Phase(2, 0.05f), new Training.Phase(9, 0.01f));
        float[] whole;
        try (Sequential m = phased(a, false, 5, phases, new ByteArrayOutputStream()).model()) {
            whole = weights(m);
        }
        phased(b, false, 3, phases, new ByteArrayOutputStream()).model().close(); // stopped after epoch 3
        var console = new ByteArrayOutputStream();
        var t = phased(b, true, 5, phases, console);
        try (Sequential m = t.model()) {
            assertArrayEquals(whole, weights(m));
            assertEquals(5, t.history().epochs());
        }
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("after epoch 3"), console.toString());
    }
}
