package dev.isthmus.samples.mlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.samples.data.Diabetes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MlpTrainerTest {

    private static MlpTrainer trainer(ByteArrayOutputStream out, Integer epochs) {
        return new MlpTrainer(new PrintStream(out, true, StandardCharsets.UTF_8), 42, 42, epochs, null, false);
    }

    @Test
    void seedProgramReachesALossBelowOneThousandth() {
        var r = trainer(new ByteArrayOutputStream(), null).seedProgram(1000);
        assertTrue(r.initialLoss() > 0.1f, "initial " + r.initialLoss());
        assertTrue(r.finalLoss() < 1e-3f, "final " + r.finalLoss());
        assertEquals(1f, r.prediction(), 0.2f);
    }

    @Test
    void crossValidationLearnsANoisyNonlinearTargetAndPrintsEveryFold() {
        // 300 rows, 10 features: y = 50 + 20·x0 - 10·x1² + 5·relu(x2) + noise (a diabetes-like scale)
        SplittableRandom rng = new SplittableRandom(3);
        double[][] x = new double[300][10];
        double[] y = new double[300];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 10; j++) {
                x[i][j] = rng.nextGaussian();
            }
            y[i] = 50 + 20 * x[i][0] - 10 * x[i][1] * x[i][1] + 5 * Math.max(0, x[i][2]) + rng.nextGaussian();
        }
        var out = new ByteArrayOutputStream();
        List<MlpTrainer.FoldResult> folds = trainer(out, 60).diabetes(new Diabetes(x, y));
        assertEquals(5, folds.size());
        double meanR2 = folds.stream().mapToDouble(MlpTrainer.FoldResult::r2).average().orElseThrow();
        double meanOls = folds.stream().mapToDouble(MlpTrainer.FoldResult::olsR2).average().orElseThrow();
        // the MLP captures the square and the hinge that least squares cannot
        assertTrue(meanR2 > 0.9 && meanR2 > meanOls, "MLP " + meanR2 + " vs OLS " + meanOls);
        String log = out.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("fold") && log.lines().filter(l -> l.matches("\\s+[1-5]\\s.*")).count() == 5, log);
    }
}
