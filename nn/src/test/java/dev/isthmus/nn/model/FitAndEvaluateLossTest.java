package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.losses.Loss;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.optim.SGD;
import dev.isthmus.nn.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * fit's loss, its val_loss and evaluate's loss are one formula: a cross-entropy after a softmax or
 * sigmoid works from the logits whether or not the tape is recording. Predictions are made
 * confidently wrong, where clipped probabilities (the formula without the logits) cap each
 * sample's loss at -log(1e-7) = 16.1.
 */
class FitAndEvaluateLossTest {
    private static final int SAMPLES = 8;
    private static final double CLIPPED_CAP = -Math.log(1e-7);

    /** Inputs large enough that a freshly initialised Dense layer gives logits in the tens. */
    private static Tensor inputs() {
        return Tensor.uniform(new int[] {SAMPLES, 6}, -60f, 60f, 5);
    }

    /**
     * Evaluates, then fits one epoch (validating on the same data) with a learning rate too small to
     * move any weight, so all three losses are of the same weights.
     */
    private static void assertOneLoss(Sequential model, Loss loss, Function<float[], float[]> wrongLabels, int... labelShape) {
        Tensor x = inputs();
        Tensor y = Tensor.of(wrongLabels.apply(model.predict(x).toArray()), labelShape);
        model.compile(new SGD(1e-20f), loss);
        double evaluated = model.evaluate(x, y, 4).get("loss");
        History h = model.fit(x, y, Fit.epochs(1).batchSize(4).validationData(x, y).verbose(0));
        assertEquals(evaluated, h.last("loss"), 1e-5 * evaluated, "fit's loss vs evaluate's");
        assertEquals(evaluated, h.last("val_loss"), 1e-5 * evaluated, "fit's val_loss vs evaluate's");
        assertTrue(evaluated > CLIPPED_CAP, "predictions must be confidently wrong; loss " + evaluated);
    }

    @Test
    void categoricalCrossentropyAfterSoftmaxIsTheSameInFitValidationAndEvaluate() {
        try (Sequential model = new Sequential(new Dense(3, Activation.SOFTMAX)).seed(11)) {
            assertOneLoss(model, Losses.categoricalCrossentropy(), p -> {
                float[] oneHot = new float[p.length];
                for (int i = 0; i < SAMPLES; i++) {
                    int least = 0;
                    for (int k = 1; k < 3; k++) {
                        least = p[i * 3 + k] < p[i * 3 + least] ? k : least;
                    }
                    oneHot[i * 3 + least] = 1f;
                }
                return oneHot;
            }, SAMPLES, 3);
        }
    }

    @Test
    void binaryCrossentropyAfterSigmoidIsTheSameInFitValidationAndEvaluate() {
        try (Sequential model = new Sequential(new Dense(1, Activation.SIGMOID)).seed(11)) {
            assertOneLoss(model, Losses.binaryCrossentropy(), p -> {
                float[] opposite = new float[p.length];
                for (int i = 0; i < p.length; i++) {
                    opposite[i] = p[i] < 0.5f ? 1f : 0f;
                }
                return opposite;
            }, SAMPLES, 1);
        }
    }
}
