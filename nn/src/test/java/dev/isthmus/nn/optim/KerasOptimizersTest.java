package dev.isthmus.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AdamW, RMSprop and gradient clipping, one and two steps, against Keras's update rules computed by hand in double. */
class KerasOptimizersTest {
    private static final float[] W = {1.0f, -2.0f, 0.5f};
    private static final float[] G = {0.1f, -0.2f, 0.0f};

    private static Tensor paramWithGrad(float[] value, float[] grad) {
        Tensor p = Tensor.of(value, value.length).requiresGrad(true);
        p.mul(Tensor.of(grad, grad.length)).sum().backward();
        return p;
    }

    private static void assertClose(double[] expected, float[] got, double tolerance, String what) {
        assertEquals(expected.length, got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], tolerance, what + ", element " + i);
        }
    }

    @Test
    void adamWDecaysTheWeightsByRateTimesDecayThenTakesAdamsStep() {
        Tensor p = paramWithGrad(W, G);
        AdamW opt = new AdamW(0.01f, 0.1f);
        double[] w = {W[0], W[1], W[2]};
        double[] m = new double[3];
        double[] v = new double[3];
        for (int t = 1; t <= 2; t++) {
            opt.step(List.of(p));
            double alpha = 0.01 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            for (int i = 0; i < 3; i++) {
                w[i] -= 0.01 * 0.1 * w[i];
                m[i] = 0.9 * m[i] + 0.1 * G[i];
                v[i] = 0.999 * v[i] + 0.001 * G[i] * G[i];
                w[i] -= alpha * m[i] / (Math.sqrt(v[i]) + 1e-7);
            }
            assertClose(w, p.toArray(), 1e-6, "AdamW step " + t);
        }
        // the third weight has no gradient: only the decay moves it, 0.5·(1 - 0.001)²
        assertEquals(0.5 * 0.999 * 0.999, p.toArray()[2], 1e-7);
        assertEquals("AdamW(lr=0.001, weightDecay=0.004, beta1=0.9, beta2=0.999, epsilon=1.0E-7)", new AdamW().toString());
    }

    @Test
    void rmspropPlainTakesLrTimesGOverTheRootOfVelocityPlusEpsilon() {
        Tensor p = paramWithGrad(W, G);
        RMSprop opt = new RMSprop(0.01f);
        double[] w = {W[0], W[1], W[2]};
        double[] vel = new double[3];
        for (int t = 1; t <= 2; t++) {
            opt.step(List.of(p));
            for (int i = 0; i < 3; i++) {
                vel[i] = 0.9 * vel[i] + 0.1 * G[i] * G[i];
                w[i] -= 0.01 * G[i] / Math.sqrt(vel[i] + 1e-7);
            }
            assertClose(w, p.toArray(), 1e-6, "RMSprop step " + t);
        }
        assertEquals("RMSprop(lr=0.001, rho=0.9, momentum=0.0, epsilon=1.0E-7, centered=false)", new RMSprop().toString());
    }

    @Test
    void rmspropCenteredWithMomentumKeepsThreeSlotsAndFollowsKeras() {
        Tensor p = paramWithGrad(W, G);
        RMSprop opt = new RMSprop(0.01f, 0.8f, 0.5f, 1e-7f, true);
        double[] w = {W[0], W[1], W[2]};
        double[] vel = new double[3];
        double[] avg = new double[3];
        double[] mom = new double[3];
        for (int t = 1; t <= 2; t++) {
            opt.step(List.of(p));
            for (int i = 0; i < 3; i++) {
                vel[i] = 0.8 * vel[i] + 0.2 * G[i] * G[i];
                avg[i] = 0.8 * avg[i] + 0.2 * G[i];
                double increment = 0.01 * G[i] / Math.sqrt(vel[i] - avg[i] * avg[i] + 1e-7);
                mom[i] = 0.5 * mom[i] + increment;
                w[i] -= mom[i];
            }
            assertClose(w, p.toArray(), 2e-5, "centered RMSprop with momentum, step " + t);
        }
        assertEquals(java.util.Set.of("w.velocity", "w.momentum", "w.average_gradient"),
                opt.state(Map.of("w", p)).keySet());
    }

    @Test
    void clipValueClampsEachElement() {
        Tensor p = paramWithGrad(W, G);
        new SGD(1f).clipValue(0.15f).step(List.of(p));
        assertArrayEquals(new float[] {1.0f - 0.1f, -2.0f + 0.15f, 0.5f}, p.toArray(), 1e-7f);
    }

    @Test
    void clipNormRescalesEachTensorOverTheNormAndLeavesTheOthers() {
        Tensor a = paramWithGrad(new float[] {0f, 0f}, new float[] {3f, 4f});   // norm 5
        Tensor b = paramWithGrad(new float[] {0f, 0f}, new float[] {0.3f, 0.4f}); // norm 0.5
        new SGD(1f).clipNorm(1f).step(List.of(a, b));
        assertArrayEquals(new float[] {-0.6f, -0.8f}, a.toArray(), 1e-7f);
        assertArrayEquals(new float[] {-0.3f, -0.4f}, b.toArray(), 1e-7f);
    }

    @Test
    void globalClipNormScalesAllGradientsByTheSameFactorAsClipByGlobalNorm() {
        Tensor a = paramWithGrad(new float[] {0f, 0f}, new float[] {3f, 4f});
        Tensor b = paramWithGrad(new float[] {0f}, new float[] {12f});
        // global norm sqrt(9 + 16 + 144) = 13; clip_by_global_norm(g, 2.6) multiplies each by 2.6 / 13 = 0.2
        new SGD(1f).globalClipNorm(2.6f).step(List.of(a, b));
        assertArrayEquals(new float[] {-0.6f, -0.8f}, a.toArray(), 1e-6f);
        assertArrayEquals(new float[] {-2.4f}, b.toArray(), 1e-6f);

        Tensor c = paramWithGrad(new float[] {0f, 0f}, new float[] {3f, 4f});
        Tensor d = paramWithGrad(new float[] {0f}, new float[] {12f});
        new SGD(1f).globalClipNorm(20f).step(List.of(c, d));
        assertArrayEquals(new float[] {-3f, -4f}, c.toArray(), 1e-6f, "a global norm under the limit is left alone");
        assertArrayEquals(new float[] {-12f}, d.toArray(), 1e-6f);
    }

    @Test
    void clippingAppliesBeforeAdamsMomentsAndOnlyOneModeCanBeSet() {
        Tensor p = paramWithGrad(new float[] {1f, 1f}, new float[] {3f, 4f});
        Adam adam = new Adam(0.1f).clipNorm(1f);
        adam.step(List.of(p));
        // Adam's first step moves by ~lr·sign(g) whatever the scale, so check the moments: m = 0.1 · clipped g
        float[] m = adam.state(Map.of("p", p)).get("p.m").toArray();
        assertArrayEquals(new float[] {0.06f, 0.08f}, m, 1e-7f);
        var e = assertThrows(IllegalStateException.class, () -> new SGD(1f).clipNorm(1f).globalClipNorm(1f));
        assertTrue(e.getMessage().contains("only one"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SGD(1f).clipValue(0f));
    }

    @Test
    void aParameterThatNoLongerRequiresGradientsIsNotMovedByStaleMomentum() {
        Tensor p = paramWithGrad(new float[] {1f}, new float[] {1f});
        Adam adam = new Adam(0.1f);
        adam.step(List.of(p));
        float after = p.toArray()[0];
        p.requiresGrad(false);
        p.zeroGrad();
        adam.step(List.of(p));
        assertEquals(after, p.toArray()[0], 0f);
        assertTrue(adam.state(Map.of("p", p)).isEmpty(), "a frozen parameter's slots are not part of the state");
        assertNull(adam.schedule());
    }
}
