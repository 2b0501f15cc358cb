package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.Regularizers;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.optim.SGD;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Kernel regularizers: Keras's penalty, in the loss fit reports and minimises, with the right gradient. */
class RegularizationTest {

    private static double l1l2(float[] w, double l1, double l2) {
        double p = 0;
        for (float v : w) {
            p += l1 * Math.abs(v) + l2 * v * (double) v;
        }
        return p;
    }

    @Test
    void penaltiesMatchHandComputedValuesOnEveryRegularizedLayer() {
        try (Scope s = Scope.open("t")) {
            Dense dense = new Dense(3).kernelRegularizer(Regularizers.l1l2(0.01, 0.02));
            dense.build(new int[] {4}, null, 1);
            assertEquals(l1l2(dense.parameters().get("kernel").toArray(), 0.01, 0.02), dense.regularizationLoss().item(), 1e-6);

            Conv2D conv = new Conv2D(2, 3).kernelRegularizer(Regularizers.l2(0.5));
            conv.build(new int[] {5, 5, 2}, null, 2);
            assertEquals(l1l2(conv.parameters().get("kernel").toArray(), 0, 0.5), conv.regularizationLoss().item(), 1e-5);

            Embedding emb = new Embedding(7, 3).embeddingsRegularizer(Regularizers.l1(0.1));
            emb.build(new int[] {4}, null, 3);
            assertEquals(l1l2(emb.parameters().get("embeddings").toArray(), 0.1, 0), emb.regularizationLoss().item(), 1e-6);

            LSTM lstm = new LSTM(2).kernelRegularizer(Regularizers.l2(0.01)).recurrentRegularizer(Regularizers.l1(0.03));
            lstm.build(new int[] {3, 2}, null, 4);
            double expected = l1l2(lstm.parameters().get("kernel").toArray(), 0, 0.01)
                    + l1l2(lstm.parameters().get("recurrent_kernel").toArray(), 0.03, 0);
            assertEquals(expected, lstm.regularizationLoss().item(), 1e-6);

            lstm.setTrainable(false);
            assertNull(lstm.regularizationLoss(), "Keras regularizes trainable weights only");
            assertNull(new Dense(2).regularizationLoss());
        }
    }

    @Test
    void penaltyGradientAgreesWithFiniteDifferences() {
        try (Scope s = Scope.open("t")) {
            Dense dense = new Dense(3).kernelRegularizer(Regularizers.l1l2(0.05, 0.3));
            dense.build(new int[] {2}, null, 7);
            Tensor kernel = dense.parameters().get("kernel");
            dense.regularizationLoss().backward();
            float[] grad = kernel.grad().toArray();
            float[] w = kernel.toArray();
            double eps = 1e-3;
            for (int i = 0; i < w.length; i++) {
                float[] plus = w.clone();
                float[] minus = w.clone();
                plus[i] += (float) eps;
                minus[i] -= (float) eps;
                double numeric = (l1l2(plus, 0.05, 0.3) - l1l2(minus, 0.05, 0.3)) / (2 * eps);
                // autograd through the layer's penalty, checked against the same function differenced
                kernel.copyFrom(Tensor.of(plus, kernel.shape()));
                double up = dense.regularizationLoss().item();
                kernel.copyFrom(Tensor.of(minus, kernel.shape()));
                double down = dense.regularizationLoss().item();
                kernel.copyFrom(Tensor.of(w, kernel.shape()));
                assertEquals(numeric, (up - down) / (2 * eps), 2e-3, "difference of the penalty, weight " + i);
                assertEquals(numeric, grad[i], 2e-3, "gradient of weight " + i);
            }
        }
    }

    @Test
    void fitAndEvaluateReportTheLossPlusThePenalty() {
        try (Scope s = Scope.open("t");
             Sequential plain = new Sequential(new Dense(2)).seed(5);
             Sequential regularized = new Sequential(new Dense(2).kernelRegularizer(Regularizers.l2(0.5))).seed(5)) {
            Tensor x = Tensor.normal(new int[] {16, 3}, 0f, 1f, 1);
            Tensor y = Tensor.normal(new int[] {16, 2}, 0f, 1f, 2);
            plain.compile(new SGD(0.1f), Losses.mse());
            regularized.compile(new SGD(0.1f), Losses.mse());
            double mse = plain.evaluate(x, y, 16).get("loss");
            regularized.build(3);
            double penalty = l1l2(regularized.layers().getFirst().parameters().get("kernel").toArray(), 0, 0.5);
            double before = regularized.evaluate(x, y, 16).get("loss");
            assertEquals(mse + penalty, before, 1e-5);
            History h = regularized.fit(x, y, Fit.epochs(1).batchSize(16).shuffle(false).verbose(0));
            // one full batch: the loss fit reports is the one before its update, penalty included
            assertEquals(before, h.history().get("loss").getFirst(), 1e-5);
            // and the update shrank the kernel more than the plain model's
            plain.fit(x, y, Fit.epochs(1).batchSize(16).shuffle(false).verbose(0));
            double plainNorm = l1l2(plain.layers().getFirst().parameters().get("kernel").toArray(), 0, 1);
            double regNorm = l1l2(regularized.layers().getFirst().parameters().get("kernel").toArray(), 0, 1);
            assertEquals(true, regNorm < plainNorm, regNorm + " < " + plainNorm);
        }
    }
}
