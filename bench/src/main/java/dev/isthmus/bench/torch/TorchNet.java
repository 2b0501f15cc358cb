package dev.isthmus.bench.torch;

import ai.djl.ndarray.NDArray;

import java.util.List;

/** A sample model rebuilt in PyTorch (through DJL) from the Isthmus model's weights. */
interface TorchNet {
    /** The mean loss of the batch as the Isthmus workload computes it. */
    NDArray loss(NDArray x, NDArray y, boolean train);

    /** The trainable weights. */
    List<NDArray> parameters();

    default long parameterCount() {
        return parameters().stream().mapToLong(NDArray::size).sum();
    }
}
