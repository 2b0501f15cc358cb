package dev.isthmus.nn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * FloatMath's exp, tanh and sigmoid against the correctly rounded values over the float range, and
 * VectorMath's lanes against FloatMath bit for bit.
 */
class FloatMathTest {
    private interface FloatFunction {
        float apply(float x);
    }

    /**
     * Every stride-th float bit pattern between 0 and each end (so every binade, from the
     * subnormals up, is sampled alike), plus the ends.
     */
    private static float[] sweep(float from, float to, int stride) {
        java.util.ArrayList<Float> list = new java.util.ArrayList<>();
        for (float end : new float[] {from, to}) {
            int top = Float.floatToRawIntBits(Math.abs(end));
            for (int bits = 0; bits <= top; bits += stride) {
                float v = Math.copySign(Float.intBitsToFloat(bits), end);
                if (v >= from && v <= to) {
                    list.add(v);
                }
            }
            list.add(end);
        }
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }

    /** The worst error in ulps of the float nearest the exact value (subnormal results in units of the smallest one). */
    private static double worstUlps(float[] xs, FloatFunction f, DoubleUnaryOperator exact) {
        double worst = 0;
        for (float x : xs) {
            double want = exact.applyAsDouble(x);
            float got = f.apply(x);
            if (Float.isInfinite((float) want)) {
                assertEquals((float) want, got, "f(" + x + "), exact " + want);
                continue;
            }
            double ulp = Math.ulp((float) want);
            double error = Math.abs(got - want) / ulp;
            if (!(error <= worst)) {
                assertTrue(error < 1e9, "f(" + x + ") = " + got + ", exact " + want);
                worst = error;
            }
        }
        return worst;
    }

    @Test
    void expIsWithinOneUlpWhereverTheResultIsANormalFloat() {
        double worst = worstUlps(sweep(FloatMath.EXP_LOW, 88.376f, 211), FloatMath::exp, Math::exp);
        System.out.println("FloatMath.exp: at most " + worst + " ulps");
        assertTrue(worst <= 1.0, "exp is " + worst + " ulps off");
        assertEquals(1f, FloatMath.exp(0f));
        assertEquals(1f, FloatMath.exp(-0f));
        assertEquals(0f, FloatMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, FloatMath.exp(-104f));
        // results below the smallest normal float flush to zero; the smallest normal itself is there
        assertEquals(0f, FloatMath.exp(Math.nextDown(FloatMath.EXP_LOW)));
        assertEquals(0f, FloatMath.exp(-100f));
        assertEquals((float) Math.exp(FloatMath.EXP_LOW), FloatMath.exp(FloatMath.EXP_LOW), Math.ulp(Float.MIN_NORMAL));
        assertTrue(FloatMath.exp(FloatMath.EXP_LOW) >= Float.MIN_NORMAL);
        assertEquals(0f, FloatMath.exp(-1e30f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(FloatMath.EXP_INFINITE));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(Float.POSITIVE_INFINITY));
        assertEquals((float) Math.exp(88.37f), FloatMath.exp(88.37f), Math.ulp((float) Math.exp(88.37f))); // near the top
        assertTrue(Float.isNaN(FloatMath.exp(Float.NaN)));
    }

    @Test
    void tanhIsWithinTwoUlps() {
        double worst = worstUlps(sweep(-12f, 12f, 211), FloatMath::tanh, Math::tanh);
        System.out.println("FloatMath.tanh: at most " + worst + " ulps");
        assertTrue(worst <= 2.0, "tanh is " + worst + " ulps off");
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(FloatMath.tanh(-0f)));
        assertEquals(1f, FloatMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FloatMath.tanh(-1e30f));
        assertEquals(1e-30f, FloatMath.tanh(1e-30f));
        assertTrue(Float.isNaN(FloatMath.tanh(Float.NaN)));
    }

    @Test
    void sigmoidIsWithinThreeUlps() {
        double worst = worstUlps(sweep(FloatMath.EXP_LOW, 40f, 211), FloatMath::sigmoid, x -> 1 / (1 + Math.exp(-x)));
        System.out.println("FloatMath.sigmoid: at most " + worst + " ulps");
        assertTrue(worst <= 3.0, "sigmoid is " + worst + " ulps off");
        assertEquals(1f, FloatMath.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(0f, FloatMath.sigmoid(Float.NEGATIVE_INFINITY));
        assertEquals(0.5f, FloatMath.sigmoid(0f));
        assertEquals(0f, FloatMath.sigmoid(-90f)); // e^-90 flushes to zero
    }

    private static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, -110f, -104f, -103.97f, -87.5f, 88.72283f,
        89f, FloatMath.TANH_SMALL, -FloatMath.TANH_SMALL, Math.nextDown(FloatMath.TANH_SMALL), 1e-30f, 12f,
        FloatMath.EXP_LOW, Math.nextDown(FloatMath.EXP_LOW), Math.nextUp(FloatMath.EXP_LOW)};

    @Test
    void vectorLanesAreTheScalarTwinsBits() {
        assumeTrue(Sgemm.vectorized(), "the Vector API path is not in use");
        // odd lengths, so that the scalar tails run too
        float[][] inputs = {sweep(-110f, 89f, 4099), sweep(-12f, 12f, 4099), SPECIAL};
        long compared = 0;
        // many passes, so that the vector code is compared interpreted, by C1 and by C2
        for (int pass = 0; pass < 40; pass++) {
            for (float[] xs : inputs) {
                int n = xs.length;
                float[] e = xs.clone();
                VectorMath.exp(e, 0, 0f, e, 0, n);
                float[] t = new float[n];
                VectorMath.tanh(xs, 0, t, n);
                float[] g = new float[n];
                VectorMath.negAbs(xs, 0, 1f, g, 0, n);
                VectorMath.exp(g, 0, 0f, g, 0, n);
                VectorMath.sigmoid(xs, 0, g, 0, g, 0, n);
                if (pass % 8 == 0 || pass == 39) {
                    for (int i = 0; i < n; i++) {
                        assertEquals(Float.floatToIntBits(FloatMath.exp(xs[i])), Float.floatToIntBits(e[i]), "exp " + xs[i]);
                        assertEquals(Float.floatToIntBits(FloatMath.tanh(xs[i])), Float.floatToIntBits(t[i]), "tanh " + xs[i]);
                        assertEquals(Float.floatToIntBits(FloatMath.sigmoid(xs[i])), Float.floatToIntBits(g[i]),
                                "sigmoid " + xs[i]);
                        compared += 3;
                    }
                }
            }
        }
        assertTrue(compared > 1_000_000, "compared " + compared);
    }
}
