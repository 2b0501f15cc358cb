package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;

/**
 * A weight penalty added to the training loss, as Keras's regularizers: a layer given one (for
 * example {@code new Dense(64).kernelRegularizer(Regularizers.l2(0.01))}) adds
 * {@code penalty(kernel)} to the loss that {@code fit} minimises and reports, so its gradient
 * flows through autograd with the rest of the loss. Frozen layers add nothing, as in Keras. Make
 * one with {@link Regularizers}.
 */
public interface Regularizer {
    /** The penalty for {@code weight}: a scalar tensor on the weight's device, differentiable in it. */
    Tensor penalty(Tensor weight);

    /** Keras's serialised form, {@code {"class_name": "L2", "config": {"l2": 0.01}}}, so saved models keep it. */
    Map<String, Object> toConfig();
}
