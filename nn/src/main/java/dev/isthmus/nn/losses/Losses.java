package dev.isthmus.nn.losses;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Shapes;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;

/**
 * The standard losses, Keras semantics. Sparse cross-entropy takes int32/int64 labels (float
 * labels are cast to int32, as Keras casts them); the others take labels of any type as float32.
 * Cross-entropies from probabilities clip them to [1e-7, 1 - 1e-7] as Keras does; when the
 * probabilities come straight from a softmax (or sigmoid), its logits ({@link Tensor#logitsOf})
 * are used through a log-softmax instead, which is exact and stable, with the tape recording or
 * not, so training, validation and evaluation report one loss.
 */
public final class Losses {
    static final float EPSILON = 1e-7f;

    private Losses() {
    }

    /**
     * Keras's {@code mean_squared_error}: the mean of {@code (yPred - yTrue)²} over every element. Labels of any type
     * are cast to float32; labels shaped [n] fit predictions [n, 1].
     * @throws dev.isthmus.nn.tensor.ShapeMismatchException (from {@code compute}) if the labels neither have the
     * predictions' shape
     * nor the same elements with size-1 axes added or removed
     */
    public static Loss meanSquaredError() {
        return named("mean_squared_error", (t, p) -> p.sub(matchShape("mean_squared_error", t, p)).square().mean(),
                (t, p) -> perRow(p.sub(matchShape("mean_squared_error", t, p)).square()));
    }

    /**
     * The same loss as {@link #meanSquaredError()} (Keras's alias {@code "mse"}); its name is still
     * {@code "mean_squared_error"}.
     */
    public static Loss mse() {
        return meanSquaredError();
    }

    /**
     * Keras's {@code mean_absolute_error}: the mean of {@code |yPred - yTrue|} over every element; labels as for
     * {@link #meanSquaredError()}.
     * @throws dev.isthmus.nn.tensor.ShapeMismatchException (from {@code compute}) if the labels neither have the
     * predictions' shape
     * nor the same elements with size-1 axes added or removed
     */
    public static Loss meanAbsoluteError() {
        return named("mean_absolute_error", (t, p) -> p.sub(matchShape("mean_absolute_error", t, p)).abs().mean(),
                (t, p) -> perRow(p.sub(matchShape("mean_absolute_error", t, p)).abs()));
    }

    /** The same loss as {@link #meanAbsoluteError()} (Keras's alias {@code "mae"}). */
    public static Loss mae() {
        return meanAbsoluteError();
    }

    /**
     * {@link #binaryCrossentropy(boolean)} on probabilities (a sigmoid's output; from its logits when it comes
     * straight from one).
     */
    public static Loss binaryCrossentropy() {
        return binaryCrossentropy(false);
    }

    /** Labels in {0, 1} (or soft labels in [0, 1]) of the prediction's shape. */
    public static Loss binaryCrossentropy(boolean fromLogits) {
        return named("binary_crossentropy", (t, p) -> binaryElements(t, p, fromLogits).mean(),
                (t, p) -> perRow(binaryElements(t, p, fromLogits)));
    }

    /** Each element's binary cross-entropy. */
    private static Tensor binaryElements(Tensor t, Tensor p, boolean fromLogits) {
        Tensor y = matchShape("binary_crossentropy", t, p);
        Tensor logits = fromLogits ? p : p.logitsOf("sigmoid");
        if (logits != null) {
            // max(x, 0) - x·y + log(1 + exp(-|x|))
            return logits.relu().sub(logits.mul(y)).add(logits.abs().neg().exp().add(1f).log());
        }
        Tensor q = p.clamp(EPSILON, 1 - EPSILON);
        return y.mul(q.log()).add(y.neg().add(1f).mul(q.neg().add(1f).log())).neg();
    }

    /**
     * {@link #categoricalCrossentropy(boolean)} on probabilities (a softmax's output; from its logits when it comes
     * straight from one).
     */
    public static Loss categoricalCrossentropy() {
        return categoricalCrossentropy(false);
    }

    /** One-hot (or soft) labels of the prediction's shape; classes on the last axis. */
    public static Loss categoricalCrossentropy(boolean fromLogits) {
        return named("categorical_crossentropy", (t, p) -> categoricalRows(t, p, fromLogits).mean(),
                (t, p) -> perRow(categoricalRows(t, p, fromLogits)));
    }

    /** Each prediction row's categorical cross-entropy: the prediction's shape without its class axis. */
    private static Tensor categoricalRows(Tensor t, Tensor p, boolean fromLogits) {
        if (!Arrays.equals(t.shape(), p.shape())) {
            throw ShapeMismatchException.of("categorical_crossentropy", t.shape(), p.shape(),
                    "differ: one-hot labels must have the prediction's shape (use sparse categorical"
                            + " cross-entropy for integer labels)");
        }
        return t.cast(DType.FLOAT32).mul(logProbabilities(p, fromLogits)).sum(-1).neg();
    }

    /**
     * {@link #sparseCategoricalCrossentropy(boolean)} on probabilities (a softmax's output; from its logits when it
     * comes straight from one).
     */
    public static Loss sparseCategoricalCrossentropy() {
        return sparseCategoricalCrossentropy(false);
    }

    /** Integer class labels of shape [n] or [n, 1] for predictions [n, classes]. */
    public static Loss sparseCategoricalCrossentropy(boolean fromLogits) {
        return named("sparse_categorical_crossentropy", (t, p) -> sparseRows(t, p, fromLogits).mean(),
                (t, p) -> sparseRows(t, p, fromLogits));
    }

    /**
     * Each sample's sparse categorical cross-entropy, [n]. Predictions [n, ..., classes] with labels
     * [n, ...] (a sequence model's every step, as Keras takes them) give each sample's mean over its
     * positions.
     */
    private static Tensor sparseRows(Tensor t, Tensor p, boolean fromLogits) {
        if (p.rank() > 2) {
            int[] positions = java.util.Arrays.copyOf(p.shape(), p.rank() - 1);
            int[] labelShape = t.rank() == p.rank() && t.size(t.rank() - 1) == 1
                    ? java.util.Arrays.copyOf(t.shape(), t.rank() - 1) : t.shape();
            if (!java.util.Arrays.equals(positions, labelShape)) {
                throw ShapeMismatchException.of("sparse_categorical_crossentropy", t.shape(), p.shape(),
                        "do not fit: labels must be the predictions' shape without its last (classes) axis");
            }
            int n = p.size(0);
            int classes = p.size(p.rank() - 1);
            Tensor flat = p.reshape(-1, classes);
            Tensor rows = sparseRows(t.reshape(-1), flat, fromLogits);
            return rows.reshape(n, -1).mean(1);
        }
        if (p.rank() != 2) {
            throw new ShapeMismatchException("sparse_categorical_crossentropy: predictions must be [n, classes], got "
                    + Shapes.str(p.shape()));
        }
        Tensor labels = (t.rank() == 2 && t.size(1) == 1 ? t.reshape(-1) : t).cast(DType.INT32);
        if (labels.rank() != 1 || labels.size(0) != p.size(0)) {
            throw ShapeMismatchException.of("sparse_categorical_crossentropy", t.shape(), p.shape(),
                    "do not fit: labels must be [n] or [n, 1] for predictions [n, classes]");
        }
        Tensor logits = fromLogits ? p : p.logitsOf("softmax");
        if (logits != null) {
            return logits.logSoftmaxAt(labels).neg();
        }
        return logProbabilities(p, false).pick(labels).neg();
    }

    private static Tensor logProbabilities(Tensor p, boolean fromLogits) {
        if (fromLogits) {
            return p.logSoftmax(-1);
        }
        Tensor logits = p.logitsOf("softmax");
        if (logits != null) {
            return logits.logSoftmax(-1);
        }
        Tensor q = p.div(p.sum(new int[] {-1}, true)).clamp(EPSILON, 1 - EPSILON);
        return q.log();
    }

    /** Labels reshaped to the prediction's shape when they hold the same values ([n] vs [n, 1]). */
    static Tensor matchShape(String loss, Tensor t, Tensor p) {
        if (Arrays.equals(t.shape(), p.shape())) {
            return t.cast(DType.FLOAT32);
        }
        if (t.numel() == p.numel() && squeezedEqual(t.shape(), p.shape())) {
            return t.reshape(p.shape()).cast(DType.FLOAT32);
        }
        throw ShapeMismatchException.of(loss, t.shape(), p.shape(), "differ: labels (first) must match predictions (second)");
    }

    private static boolean squeezedEqual(int[] a, int[] b) {
        return Arrays.equals(Arrays.stream(a).filter(d -> d != 1).toArray(), Arrays.stream(b).filter(d -> d != 1).toArray());
    }

    /** The mean of each sample's elements (axis 0 is the sample): [n]. */
    private static Tensor perRow(Tensor elements) {
        int n = elements.size(0);
        return elements.rank() == 1 ? elements : elements.reshape(n, -1).mean(1);
    }

    private static Loss named(String name, java.util.function.BinaryOperator<Tensor> f,
                              java.util.function.BinaryOperator<Tensor> perSample) {
        return new Loss() {
            @Override
            public Tensor compute(Tensor yTrue, Tensor yPred) {
                return f.apply(yTrue, yPred);
            }

            @Override
            public Tensor perSample(Tensor yTrue, Tensor yPred) {
                return perSample.apply(yTrue, yPred);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
