package dev.isthmus.nn.metrics;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Keras's {@code AUC} (curve ROC, summation "interpolation"): the epoch's true and false positives
 * at {@code numThresholds} thresholds (default 200: -1e-7, i/(T-1) for i = 1..T-2, and 1 + 1e-7;
 * a prediction above a threshold is positive, a nonzero label is positive), and the area under the
 * (false positive rate, true positive rate) points by the trapezoid rule. This is Keras's
 * thresholded approximation, not the exact rank AUC: predictions between two thresholds are not
 * told apart. Predictions are expected in [0, 1].
 */
public final class Auc implements StatefulMetric {
    private final int thresholds;
    private final DeviceConstants row;

    /** ROC AUC at Keras's default 200 thresholds. */
    public Auc() {
        this(200);
    }

    /**
     * ROC AUC at {@code numThresholds} thresholds, spread as the class describes.
     * @throws IllegalArgumentException if {@code numThresholds} is below 2
     */
    public Auc(int numThresholds) {
        if (numThresholds < 2) {
            throw new IllegalArgumentException("AUC needs at least 2 thresholds, got " + numThresholds);
        }
        this.thresholds = numThresholds;
        float[] t = new float[numThresholds];
        t[0] = -1e-7f;
        for (int i = 1; i < numThresholds - 1; i++) {
            t[i] = (float) i / (numThresholds - 1);
        }
        t[numThresholds - 1] = 1 + 1e-7f;
        this.row = new DeviceConstants(t, 1, numThresholds);
    }

    @Override
    public String name() {
        return "auc";
    }

    /** True positives and false positives per threshold, then the positive and negative counts. */
    @Override
    public int stateSize() {
        return 2 * thresholds + 2;
    }

    @Override
    public Tensor batchState(Tensor yTrue, Tensor yPred) {
        Binary b = Binary.of(yTrue, yPred, 0.5f);
        int n = (int) yPred.numel();
        Tensor above = yPred.reshape(n, 1).gt(row.on(yPred.device())); // [n, T]
        Tensor positive = b.actualPositive().reshape(n, 1);
        Tensor negative = positive.neg().add(1f);
        return Tensor.concat(List.of(above.mul(positive).sum(0), above.mul(negative).sum(0),
                positive.sum().reshape(1), negative.sum().reshape(1)), 0);
    }

    @Override
    public Map<String, Double> results(float[] state) {
        double positives = state[2 * thresholds];
        double negatives = state[2 * thresholds + 1];
        double area = 0;
        for (int i = 0; i + 1 < thresholds; i++) {
            double x0 = Binary.ratio(state[thresholds + i], negatives);
            double x1 = Binary.ratio(state[thresholds + i + 1], negatives);
            double y0 = Binary.ratio(state[i], positives);
            double y1 = Binary.ratio(state[i + 1], positives);
            area += (x0 - x1) * (y0 + y1) / 2;
        }
        return Map.of(name(), area);
    }
}
