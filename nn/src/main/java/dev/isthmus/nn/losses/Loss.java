package dev.isthmus.nn.losses;

import dev.isthmus.nn.tensor.Tensor;

/** A training objective: the mean loss of a batch as a scalar tensor. */
public interface Loss {
    /**
     * The batch's mean loss: a float32 scalar on {@code yPred}'s device, owned by the current scope, differentiable in
     * {@code yPred} (the tape records when gradients are on). {@code yTrue} holds the labels, batch axis first.
     * @throws dev.isthmus.nn.tensor.ShapeMismatchException if the labels do not fit the predictions
     */
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
