package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;

/** Makes a weight tensor of a shape from a seed. Keras names and defaults. */
@FunctionalInterface
public interface Initializer {
    Tensor create(int[] shape, long seed);

    static Initializer zeros() {
        return (shape, seed) -> Tensor.zeros(shape);
    }

    static Initializer ones() {
        return (shape, seed) -> Tensor.ones(shape);
    }

    static Initializer constant(float value) {
        return (shape, seed) -> Tensor.full(value, shape);
    }

    static Initializer glorotUniform() {
        return Tensor::glorotUniform;
    }

    static Initializer heNormal() {
        return Tensor::heNormal;
    }

    static Initializer randomNormal(float mean, float std) {
        return (shape, seed) -> Tensor.normal(shape, mean, std, seed);
    }

    static Initializer randomUniform(float low, float high) {
        return (shape, seed) -> Tensor.uniform(shape, low, high, seed);
    }
}
