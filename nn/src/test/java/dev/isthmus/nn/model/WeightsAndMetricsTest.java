package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.nn.data.Dataset;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Auc;
import dev.isthmus.nn.metrics.ConfusionMatrix;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.metrics.Precision;
import dev.isthmus.nn.metrics.Recall;
import dev.isthmus.nn.optim.SGD;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sample and class weights against hand-computed losses; the epoch metrics against hand-computed counts. */
class WeightsAndMetricsTest {
    /** An optimizer that leaves the weights as they are, so fit's logs are the losses of fixed weights. */
    private static SGD still() {
        return new SGD(step -> 0f);
    }

    /** A model whose prediction is its input: Dense(units) with an identity kernel and zero bias. */
    private static Sequential identity(int units, Metric... metrics) {
        return identity(units, Losses.mse(), metrics);
    }

    private static Sequential identity(int units, dev.isthmus.nn.losses.Loss loss, Metric... metrics) {
        Dense d = new Dense(units);
        Sequential m = new Sequential(d);
        m.build(units);
        float[] eye = new float[units * units];
        for (int i = 0; i < units; i++) {
            eye[i * units + i] = 1;
        }
        d.setWeights(eye, new float[units]);
        m.compile(still(), loss, metrics);
        return m;
    }

    @Test
    void sampleWeightsMultiplyEachSamplesLossAndTheSumIsDividedByTheBatchSize() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 4, 1);
        Tensor y = Tensor.zeros(4, 1);
        Tensor w = Tensor.of(new float[] {1, 0, 2, 0.5f}, 4);
        // per-sample squared errors 1, 4, 9, 16; weighted (1 + 0 + 18 + 8) / 4 = 6.75 (unweighted 7.5)
        try (Sequential m = identity(1, Metrics.MSE)) {
            History one = m.fit(x, y, w, Fit.epochs(1).batchSize(4).verbose(0));
            assertEquals(6.75, one.get("loss").getFirst(), 1e-6);
            assertEquals(7.5, one.get("mse").getFirst(), 1e-6, "metrics stay unweighted");
            // two batches: (1/2 = 0.5 and 26/2 = 13) weighted by batch size: the same 6.75
            assertEquals(6.75, m.fit(x, y, w, Fit.epochs(1).batchSize(2).shuffle(false).verbose(0)).get("loss").getFirst(), 1e-6);
            // as a dataset's third element
            assertEquals(6.75, m.fit(Dataset.fromTensors(x, y, w).batch(2), Fit.epochs(1).verbose(0)).get("loss").getFirst(), 1e-6);
            assertEquals(6.75, m.evaluate(Dataset.fromTensors(x, y, w).batch(3)).get("loss"), 1e-6);
        }
        // the gradient is the weighted one: dL/dk = (2/4) Σ w x² = 13.5, dL/db = (2/4) Σ w x = 4.5
        try (Sequential m = identity(1); Scope s = Scope.open()) {
            m.compile(new SGD(0.1f), Losses.mse());
            m.fit(x, y, w, Fit.epochs(1).batchSize(4).verbose(0));
            assertArrayEquals(new float[] {1 - 1.35f}, m.getWeights().get(0).toArray(), 1e-6f);
            assertArrayEquals(new float[] {-0.45f}, m.getWeights().get(1).toArray(), 1e-6f);
        }
    }

    @Test
    void classWeightsWeighEachSampleByItsClassAndMissingClassesByOne() {
        Tensor x = Tensor.zeros(4, 2);
        Tensor labels = Tensor.of(new int[] {0, 1, 1, 0}, 4);
        Dense d = new Dense(2, Activation.SOFTMAX);
        try (Sequential m = new Sequential(d)) {
            m.build(2);
            d.setWeights(new float[4], new float[2]); // every prediction (0.5, 0.5): each sample's loss is ln 2
            m.compile(still(), Losses.sparseCategoricalCrossentropy(), Metrics.ACCURACY);
            double ln2 = Math.log(2);
            assertEquals(ln2, m.fit(x, labels, Fit.epochs(1).verbose(0)).get("loss").getFirst(), 1e-6);
            // (1 + 3 + 3 + 1) ln 2 / 4
            History h = m.fit(x, labels, Fit.epochs(1).verbose(0).classWeight(Map.of(0, 1f, 1, 3f)));
            assertEquals(2 * ln2, h.get("loss").getFirst(), 1e-6);
            assertEquals(0.5, h.get("accuracy").getFirst(), 1e-9, "accuracy unweighted (weighted it would be 0.25)");
            assertEquals(2 * ln2, m.fit(x, labels, Fit.epochs(1).verbose(0).classWeight(Map.of(1, 3f))).get("loss").getFirst(), 1e-6);
            // one-hot labels: the class is the argmax
            Tensor oneHot = Tensor.of(new float[] {1, 0, 0, 1, 0, 1, 1, 0}, 4, 2);
            m.compile(still(), Losses.categoricalCrossentropy());
            assertEquals(2 * ln2, m.fit(Dataset.fromTensors(x, oneHot).batch(3),
                    Fit.epochs(1).verbose(0).classWeight(Map.of(1, 3f))).get("loss").getFirst(), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> m.fit(x, oneHot, Tensor.ones(4),
                    Fit.epochs(1).verbose(0).classWeight(Map.of(1, 3f))));
        }
    }

    // predictions 0.9 0.8 0.7 | 0.6 0.2 0.3 (two batches of 3), labels 1 1 1 | 0 0 1
    private static final Tensor SCORES = Tensor.of(new float[] {0.9f, 0.8f, 0.7f, 0.6f, 0.2f, 0.3f}, 6, 1);
    private static final Tensor BINARY = Tensor.of(new float[] {1, 1, 1, 0, 0, 1}, 6, 1);

    @Test
    void precisionAndRecallCountOverTheEpochNotPerBatch() {
        try (Sequential m = identity(1, new Precision(), new Recall())) {
            Map<String, Double> v = m.evaluate(SCORES, BINARY, 3);
            // tp 3 (0.9 0.8 0.7), fp 1 (0.6), fn 1 (0.3): 3/4 each; per-batch averages would be (1 + 0) / 2
            assertEquals(0.75, v.get("precision"), 1e-9);
            assertEquals(0.75, v.get("recall"), 1e-9);
            assertEquals(v, m.evaluate(SCORES, BINARY, 6), "batching does not change an epoch's counts");
        }
    }

    @Test
    void aucIsThatOfTheWholeEpochsScores() {
        try (Sequential m = identity(1, new Auc())) {
            // positives 0.9 0.8 0.7 0.3, negatives 0.6 0.2: 7 of 8 pairs ordered; scores 1/199 apart or more, so
            // Keras's 200-threshold interpolation gives the exact AUC. Per batch: 0 (no negatives) and 0.5.
            assertEquals(0.875, m.evaluate(SCORES, BINARY, 3).get("auc"), 1e-6);
            assertEquals(0.875, m.evaluate(SCORES, BINARY, 2).get("auc"), 1e-6);
        }
        try (Sequential m = identity(1, new Auc(3))) {
            // thresholds -1e-7, 0.5, 1+1e-7: points (1, 1), (1/2, 3/4), (0, 0): area 1/2·(1 + 3/4)/2 + 1/2·(3/4)/2 = 0.625
            assertEquals(0.625, m.evaluate(SCORES, BINARY, 3).get("auc"), 1e-6);
        }
    }

    @Test
    void theConfusionMatrixSumsTheEpochsBatches() {
        ConfusionMatrix cm = new ConfusionMatrix(2);
        try (Sequential m = identity(1, cm)) {
            // predicted class (score > 0.5): 1 1 1 1 0 0 against labels 1 1 1 0 0 1
            long[][] matrix = cm.matrix(m.evaluate(SCORES, BINARY, 4));
            assertArrayEquals(new long[] {1, 1}, matrix[0]);
            assertArrayEquals(new long[] {1, 3}, matrix[1]);
        }
        ConfusionMatrix three = new ConfusionMatrix(3);
        try (Sequential m = identity(3, Losses.sparseCategoricalCrossentropy(true), three)) {
            long[][] matrix = three.matrix(m.evaluate(TOP_SCORES, SPARSE, 3));
            // argmax 1 0 2 1 against labels 0 2 0 2
            assertArrayEquals(new long[] {0, 1, 1}, matrix[0]);
            assertArrayEquals(new long[] {0, 0, 0}, matrix[1]);
            assertArrayEquals(new long[] {1, 1, 0}, matrix[2]);
        }
    }

    private static final Tensor TOP_SCORES = Tensor.of(new float[] {
        0.1f, 0.7f, 0.2f, // label 0: two classes higher, out of the top 2
        0.5f, 0.3f, 0.2f, // label 2: two higher, out
        0.3f, 0.3f, 0.4f, // label 0: one higher (class 1 tied with it), in
        0.2f, 0.5f, 0.3f, // label 2: one higher, in
    }, 4, 3);
    private static final Tensor SPARSE = Tensor.of(new int[] {0, 2, 0, 2}, 4);

    @Test
    void topKAccuracyIsTheEpochsFractionOfHits() {
        Tensor oneHot = Tensor.of(new float[] {1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1}, 4, 3);
        try (Sequential m = identity(3, Losses.sparseCategoricalCrossentropy(true), Metrics.sparseTopKCategoricalAccuracy(2))) {
            // batches of 3 and 1: 1 of 3 and 1 of 1 hit, so 2 of 4 = 0.5 (averaging per batch would give 2/3)
            double v = m.evaluate(TOP_SCORES, SPARSE, 3).get("sparse_top_k_categorical_accuracy");
            assertEquals(0.5, v, 1e-9);
            assertNotEquals((1 / 3.0 + 1) / 2, v);
            m.compile(still(), Losses.mse(), Metrics.topKCategoricalAccuracy(2));
            Map<String, Double> both = m.evaluate(TOP_SCORES, oneHot, 3);
            assertEquals(0.5, both.get("top_k_categorical_accuracy"), 1e-9);
        }
        try (Sequential m = identity(3, Losses.sparseCategoricalCrossentropy(true), Metrics.sparseTopKCategoricalAccuracy(1))) {
            assertEquals(0, m.evaluate(TOP_SCORES, SPARSE, 3).get("sparse_top_k_categorical_accuracy"), 1e-9);
        }
    }

    @Test
    void statefulMetricsAccumulateThroughFitAsWellAndResetEachEpoch() {
        try (Sequential m = identity(1, new Precision(), new Auc(), Metrics.MAE)) {
            History h = m.fit(SCORES, BINARY, Fit.epochs(2).batchSize(3).shuffle(false).verbose(0)
                    .validationData(Dataset.fromTensors(SCORES, BINARY).batch(2)));
            assertEquals(java.util.List.of(0.75, 0.75), h.get("precision"));
            assertEquals(0.875, h.get("auc").get(1), 1e-6);
            assertEquals(0.875, h.get("val_auc").get(1), 1e-6);
            assertEquals(h.get("mae").get(0), h.get("mae").get(1));
        }
    }
}
