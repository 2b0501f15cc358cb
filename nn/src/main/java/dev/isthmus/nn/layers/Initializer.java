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

    /**
     * Keras {@code Orthogonal}: a 2-D matrix with orthonormal rows or columns (whichever are
     * fewer), from the QR decomposition of a seeded normal matrix with the sign of R's diagonal.
     */
    static Initializer orthogonal() {
        return (shape, seed) -> {
            if (shape.length != 2) {
                throw new IllegalArgumentException("orthogonal initializer needs a 2-D shape, got " + java.util.Arrays.toString(shape));
            }
            int rows = shape[0];
            int cols = shape[1];
            boolean transpose = rows < cols;
            int m = transpose ? cols : rows;
            int n = transpose ? rows : cols;
            float[] g = Tensor.normal(new int[] {m, n}, 0f, 1f, seed).toArray();
            double[][] q = new double[n][m]; // columns of Q, by modified Gram-Schmidt (m >= n)
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    q[j][i] = g[i * n + j];
                }
                for (int k = 0; k < j; k++) {
                    double dot = 0;
                    for (int i = 0; i < m; i++) {
                        dot += q[k][i] * q[j][i];
                    }
                    for (int i = 0; i < m; i++) {
                        q[j][i] -= dot * q[k][i];
                    }
                }
                double norm = 0;
                for (int i = 0; i < m; i++) {
                    norm += q[j][i] * q[j][i];
                }
                norm = Math.sqrt(norm);
                for (int i = 0; i < m; i++) {
                    q[j][i] /= norm;
                }
            }
            float[] out = new float[rows * cols];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    if (transpose) {
                        out[j * cols + i] = (float) q[j][i];
                    } else {
                        out[i * cols + j] = (float) q[j][i];
                    }
                }
            }
            return Tensor.of(out, rows, cols);
        };
    }

    static Initializer randomNormal(float mean, float std) {
        return (shape, seed) -> Tensor.normal(shape, mean, std, seed);
    }

    static Initializer randomUniform(float low, float high) {
        return (shape, seed) -> Tensor.uniform(shape, low, high, seed);
    }
}
