package dev.isthmus.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    /** A parameter whose gradient after backward is exactly {@code grad}. */
    private static Tensor paramWithGrad(float[] value, float[] grad) {
        Tensor p = Tensor.of(value, value.length).requiresGrad(true);
        p.mul(Tensor.of(grad, grad.length)).sum().backward();
        return p;
    }

    @Test
    void adamFirstTwoStepsMatchHandComputedKerasUpdate() {
        float[] w = {1.0f, -2.0f, 0.5f};
        float[] g = {0.1f, -0.2f, 0.0f};
        Tensor p = paramWithGrad(w, g);
        Adam adam = new Adam(0.01f);
        adam.step(List.of(p));
        // t=1: m = 0.1 g, v = 0.001 g², alpha = 0.01·sqrt(0.001)/0.1; w -= alpha·m/(sqrt v + 1e-7)
        double[] m = new double[3];
        double[] v = new double[3];
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) {
            m[i] = 0.1 * g[i];
            v[i] = 0.001 * g[i] * g[i];
            double alpha = 0.01 * Math.sqrt(1 - 0.999) / (1 - 0.9);
            expected[i] = w[i] - alpha * m[i] / (Math.sqrt(v[i]) + 1e-7);
        }
        float[] got = p.toArray();
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], got[i], 1e-6, "step 1, element " + i);
        }
        // first step moves each weight by about lr against the sign of its gradient
        assertEquals(0.99f, got[0], 1e-5f);
        assertEquals(-1.99f, got[1], 1e-5f);
        assertEquals(0.5f, got[2], 0f);

        adam.step(List.of(p)); // same gradient again
        for (int i = 0; i < 3; i++) {
            m[i] = 0.9 * m[i] + 0.1 * g[i];
            v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
            double alpha = 0.01 * Math.sqrt(1 - 0.999 * 0.999) / (1 - 0.9 * 0.9);
            expected[i] = expected[i] - alpha * m[i] / (Math.sqrt(v[i]) + 1e-7);
        }
        got = p.toArray();
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], got[i], 1e-6, "step 2, element " + i);
        }
    }

    @Test
    void adamHasKerasDefaults() {
        assertEquals("Adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1.0E-7)", new Adam().toString());
    }

    @Test
    void sgdPlainMomentumAndNesterovFollowKerasFormulas() {
        float[] g = {0.5f, -1f};
        Tensor plain = paramWithGrad(new float[] {1f, 1f}, g);
        new SGD(0.1f).step(List.of(plain));
        assertArrayEquals(new float[] {0.95f, 1.1f}, plain.toArray(), 1e-6f);

        Tensor mom = paramWithGrad(new float[] {1f, 1f}, g);
        SGD sgd = new SGD(0.1f, 0.9f, false);
        sgd.step(List.of(mom));
        sgd.step(List.of(mom));
        // v1 = -0.1g, w1 = 1 - 0.1g; v2 = 0.9 v1 - 0.1 g = -0.19 g; w2 = w1 + v2 = 1 - 0.29 g
        assertArrayEquals(new float[] {1f - 0.29f * 0.5f, 1f + 0.29f}, mom.toArray(), 1e-6f);

        Tensor nes = paramWithGrad(new float[] {1f, 1f}, g);
        SGD nag = new SGD(0.1f, 0.9f, true);
        nag.step(List.of(nes));
        // v1 = -0.1 g; w1 = 1 + 0.9 v1 - 0.1 g = 1 - 0.19 g
        assertArrayEquals(new float[] {1f - 0.19f * 0.5f, 1f + 0.19f}, nes.toArray(), 1e-6f);
    }
}
