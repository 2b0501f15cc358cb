package dev.isthmus.nn.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fused layer normalization against its composition of tensor ops (the form every other
 * backend runs, and the one this replaced on the CPU), values and all three gradients, at a size
 * whose rows are split over the threads and whose columns are wide and not a multiple of the vector
 * length; and against a double-precision reference of Keras's formula.
 */
class LayerNormTest {
    private static final int ROWS = 301;
    private static final int C = 1003;

    private static void close(float expected, float actual, double tolerance, String what) {
        assertEquals(expected, actual, tolerance * Math.max(1, Math.abs(expected)), what);
    }

    @Test
    void fusedEqualsTheCompositionToFloatRounding() {
        Tensor x0 = Tensor.uniform(new int[] {ROWS, C}, -3f, 5f, 21);
        Tensor gamma0 = Tensor.uniform(new int[] {C}, 0.5f, 1.5f, 22);
        Tensor beta0 = Tensor.uniform(new int[] {C}, -1f, 1f, 23);
        Tensor up = Tensor.uniform(new int[] {ROWS, C}, -1f, 1f, 24);
        float[][] results = new float[2][];
        float[][][] grads = new float[2][3][];
        for (int fused = 0; fused < 2; fused++) {
            Tensor x = Tensor.of(x0.toArray(), ROWS, C).requiresGrad(true);
            Tensor gamma = Tensor.of(gamma0.toArray(), C).requiresGrad(true);
            Tensor beta = Tensor.of(beta0.toArray(), C).requiresGrad(true);
            Tensor y = fused == 1 ? Functional.layerNorm(x, gamma, beta, 1e-3f)
                    : Functional.layerNormComposed(x, gamma, beta, 1e-3f);
            y.mul(up).sum().backward();
            results[fused] = y.toArray();
            grads[fused] = new float[][] {x.grad().toArray(), gamma.grad().toArray(), beta.grad().toArray()};
        }
        for (int i = 0; i < results[0].length; i++) {
            close(results[0][i], results[1][i], 2e-6, "y[" + i + "]");
            close(grads[0][0][i], grads[1][0][i], 2e-5, "gx[" + i + "]");
        }
        for (int j = 0; j < C; j++) {
            close(grads[0][1][j], grads[1][1][j], 2e-5, "gGamma[" + j + "]");
            close(grads[0][2][j], grads[1][2][j], 2e-5, "gBeta[" + j + "]");
        }
        // Keras's formula in double for a few rows
        float[] x = x0.toArray();
        float[] g = gamma0.toArray();
        float[] b = beta0.toArray();
        for (int r : new int[] {0, 150, ROWS - 1}) {
            double m = 0;
            for (int j = 0; j < C; j++) {
                m += x[r * C + j];
            }
            m /= C;
            double v = 0;
            for (int j = 0; j < C; j++) {
                v += (x[r * C + j] - m) * (x[r * C + j] - m);
            }
            v /= C;
            for (int j = 0; j < C; j++) {
                double ref = (x[r * C + j] - m) / Math.sqrt(v + 1e-3) * g[j] + b[j];
                close((float) ref, results[1][r * C + j], 2e-6, "reference y[" + r + ", " + j + "]");
            }
        }
    }

    @Test
    void rejectsParametersOfTheWrongShape() {
        Tensor x = Tensor.zeros(2, 4);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> Functional.layerNorm(x, Tensor.zeros(3), null, 1e-3f));
        assertEquals(true, e.getMessage().contains("[2, 4]") && e.getMessage().contains("[3]"), e.getMessage());
    }
}
