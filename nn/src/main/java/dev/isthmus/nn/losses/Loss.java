package dev.isthmus.nn.losses;

import dev.isthmus.nn.tensor.Tensor;

/** A training objective: the mean loss of a batch as a scalar tensor. */
public interface Loss {
    Tensor compute(Tensor yTrue, Tensor yPred);

    /**
     * Each sample's loss, [n] (the mean over a sample's other axes, as Keras's per-sample losses),
     * which sample and class weights multiply; {@link #compute} is their mean (up to rounding).
     *
     * @throws UnsupportedOperationException for a loss that does not give one
     */
    default Tensor perSample(Tensor yTrue, Tensor yPred) {
        throw new UnsupportedOperationException(name() + " gives no per-sample losses, which sample and class"
                + " weights need: implement Loss.perSample");
    }

    /** Keras-style name, e.g. "mean_squared_error". */
    String name();
}
