package dev.isthmus.nn.losses;

import dev.isthmus.nn.tensor.Tensor;

/** A training objective: the mean loss of a batch as a scalar tensor. */
public interface Loss {
    Tensor compute(Tensor yTrue, Tensor yPred);

    /** Keras-style name, e.g. "mean_squared_error". */
    String name();
}
