package dev.isthmus.nn.metrics;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The epoch's confusion matrix over {@code numClasses} classes: cell (t, p) counts the samples of
 * true class t predicted as p (rows true, columns predicted, as {@code tf.math.confusion_matrix}).
 * Predictions [n, classes] are taken by argmax, a single output column as class 1 above 0.5 (two
 * classes); labels are integer ids, one-hot rows (argmax) or, for one output column, 0/1. A label
 * outside [0, numClasses) is counted in no cell. It logs one value per cell, named
 * {@code confusion_matrix_t_p}; {@link #matrix(Map)} reads them back as a matrix.
 */
public final class ConfusionMatrix implements StatefulMetric {
    private final int classes;
    private final DeviceConstants ids;

    /**
     * A matrix over classes 0 to {@code numClasses - 1}.
     * @throws IllegalArgumentException if {@code numClasses} is below 2
     */
    public ConfusionMatrix(int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a confusion matrix needs at least 2 classes, got " + numClasses);
        }
        this.classes = numClasses;
        float[] v = new float[numClasses];
        for (int i = 0; i < numClasses; i++) {
            v[i] = i;
        }
        this.ids = new DeviceConstants(v, 1, numClasses);
    }

    @Override
    public String name() {
        return "confusion_matrix";
    }

    @Override
    public int stateSize() {
        return classes * classes;
    }

    @Override
    public Tensor batchState(Tensor yTrue, Tensor yPred) {
        int n = yPred.size(0);
        int c = n == 0 ? 0 : (int) (yPred.numel() / n);
        Tensor predicted;
        Tensor actual;
        if (c == 1) {
            if (classes != 2) {
                throw new IllegalArgumentException("confusion matrix: one output column means 2 classes, not " + classes);
            }
            requireNumel(yTrue, yPred, n);
            Tensor half = Tensor.full(yPred.device(), 0.5f, 1);
            predicted = yPred.reshape(n).gt(half);
            actual = half.gt(yTrue.cast(DType.FLOAT32).reshape(n)).neg().add(1f);
        } else {
            predicted = yPred.reshape(n, c).argmax().cast(DType.FLOAT32);
            if (yTrue.numel() == yPred.numel() && !yTrue.dtype().isInteger()) {
                actual = yTrue.reshape(n, c).argmax().cast(DType.FLOAT32);
            } else {
                requireNumel(yTrue, yPred, n);
                actual = yTrue.reshape(n).cast(DType.FLOAT32);
            }
        }
        Tensor row = ids.on(yPred.device());
        Tensor trueOneHot = actual.reshape(n, 1).eq(row);
        Tensor predOneHot = predicted.reshape(n, 1).eq(row);
        return trueOneHot.transpose().matmul(predOneHot).reshape(classes * classes);
    }

    @Override
    public Map<String, Double> results(float[] state) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                out.put(cell(t, p), (double) state[t * classes + p]);
            }
        }
        return out;
    }

    /** The matrix [true][predicted] in {@code logs} (those of fit's epoch or of evaluate). */
    public long[][] matrix(Map<String, Double> logs) {
        return matrix(logs, "");
    }

    /** The matrix logged under {@code prefix} ("val_" for fit's validation values). */
    public long[][] matrix(Map<String, Double> logs, String prefix) {
        long[][] m = new long[classes][classes];
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                Double v = logs.get(prefix + cell(t, p));
                if (v == null) {
                    throw new IllegalArgumentException("no " + prefix + cell(t, p) + " in the logs " + logs.keySet());
                }
                m[t][p] = Math.round(v);
            }
        }
        return m;
    }

    private String cell(int t, int p) {
        return name() + "_" + t + "_" + p;
    }

    private static void requireNumel(Tensor yTrue, Tensor yPred, int n) {
        if (yTrue.numel() != n) {
            throw ShapeMismatchException.of("confusion matrix", yTrue.shape(), yPred.shape(), "do not fit: labels vs predictions");
        }
    }
}
