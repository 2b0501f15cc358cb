package dev.isthmus.nn.metrics;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;

/** A batch's predictions and labels as 0/1 vectors (every element a sample), on the device. */
record Binary(Tensor predictedPositive, Tensor actualPositive) {
    static Binary of(Tensor yTrue, Tensor yPred, float threshold) {
        if (yTrue.numel() != yPred.numel()) {
            throw ShapeMismatchException.of("metric", yTrue.shape(), yPred.shape(), "do not fit: labels vs predictions");
        }
        Tensor predicted = yPred.reshape(-1).gt(Tensor.full(yPred.device(), threshold, 1));
        return new Binary(predicted, nonzero(yTrue));
    }

    /** 1 where the label is nonzero (Keras casts labels to bool), as float32 [n]. */
    static Tensor nonzero(Tensor yTrue) {
        Tensor y = yTrue.cast(DType.FLOAT32).reshape(-1);
        return Tensor.full(y.device(), 0f, 1).eq(y).neg().add(1f);
    }

    Tensor truePositives() {
        return predictedPositive.mul(actualPositive).sum().reshape(1);
    }

    Tensor falsePositives() {
        return predictedPositive.mul(actualPositive.neg().add(1f)).sum().reshape(1);
    }

    Tensor falseNegatives() {
        return predictedPositive.neg().add(1f).mul(actualPositive).sum().reshape(1);
    }

    /** Keras's divide_no_nan. */
    static double ratio(double num, double den) {
        return den == 0 ? 0 : num / den;
    }
}
