package dev.isthmus.nn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vector LSTM gate math (float lanes) stays within a few ulps of the scalar double-precision formulas. */
class VectorGatesTest {
    @Test
    void vectorGatesStayWithinAFewUlpsOfTheScalarFormulas() {
        assumeTrue(Sgemm.vectorized(), "the Vector API path is not in use");
        int units = 64;
        SplittableRandom r = new SplittableRandom(5);
        long values = 0;
        long worst = 0;
        long worstH = 0;
        for (int trial = 0; trial < 2000; trial++) {
            double scale = trial % 4 == 0 ? 30 : trial % 4 == 1 ? 3 : trial % 4 == 2 ? 0.01 : 200;
            float[] z = new float[4 * units];
            float[] b = new float[4 * units];
            float[] prev = new float[2 * units];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (r.nextGaussian() * scale);
                b[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < prev.length; i++) {
                prev[i] = (float) (r.nextGaussian() * scale);
            }
            z[0] = -0f;
            z[1] = Float.NaN;
            z[2] = Float.POSITIVE_INFINITY;
            z[3] = Float.NEGATIVE_INFINITY;
            b[0] = 0f;
            float[] vz = z.clone();
            float[] vout = new float[2 * units];
            int done = VectorGates.forward(vz, b, prev, vout, new float[4 * units], units);
            assertEquals(units, done);
            float[] sz = z.clone();
            float[] sout = new float[2 * units];
            for (int j = 0; j < units; j++) {
                float gi = Elementwise.sigmoid(sz[j] + b[j]);
                float gf = Elementwise.sigmoid(sz[units + j] + b[units + j]);
                float gg = (float) Math.tanh(sz[2 * units + j] + b[2 * units + j]);
                float go = Elementwise.sigmoid(sz[3 * units + j] + b[3 * units + j]);
                float c = gf * prev[units + j] + gi * gg;
                sz[j] = gi;
                sz[units + j] = gf;
                sz[2 * units + j] = gg;
                sz[3 * units + j] = go;
                sout[j] = go * (float) Math.tanh(c);
                sout[units + j] = c;
            }
            // the gates against the double-precision formulas (what the plain path computes)
            for (int i = 0; i < 4 * units; i++) {
                worst = Math.max(worst, ulps(sz[i], vz[i], "gate " + i));
            }
            // c from the vector's own gates, in the same float operations: the same bits; h within the
            // tanh's error of go * tanh(c)
            for (int j = 0; j < units; j++) {
                float c = vz[units + j] * prev[units + j] + vz[j] * vz[2 * units + j];
                assertEquals(Float.floatToIntBits(c), Float.floatToIntBits(vout[units + j]), "c[" + j + "]");
                float h = vz[3 * units + j] * (float) Math.tanh(c);
                worstH = Math.max(worstH, ulps(h, vout[j], "h[" + j + "]"));
            }
            float[] tc = new float[units];
            assertEquals(units, VectorGates.tanh(prev, units, tc, units));
            for (int j = 0; j < units; j++) {
                worst = Math.max(worst, ulps((float) Math.tanh(prev[units + j]), tc[j], "tanh " + j));
            }
            values += 6 * units;
        }
        System.out.println("VectorGatesTest: " + values + " values, gates at most " + worst + " ulps off, h " + worstH);
        assertTrue(worst <= MAX_ULPS, "a gate is " + worst + " ulps from the double-precision formula");
        assertTrue(worstH <= MAX_ULPS + 1, "h is " + worstH + " ulps from go * tanh(c)");
    }

    /** The vector gate gradients are the scalar loop's floats, bit for bit (same operations, same order). */
    @Test
    void vectorGateGradientsAreTheScalarLoopsBits() {
        assumeTrue(Sgemm.vectorized(), "the Vector API path is not in use");
        int units = 48;
        SplittableRandom r = new SplittableRandom(9);
        for (int trial = 0; trial < 500; trial++) {
            boolean last = trial % 3 == 0;
            boolean first = trial % 5 == 0;
            float[] gh = gaussian(r, 2 * units, 2);
            float[] dh = gaussian(r, units, 1);
            float[] dc = gaussian(r, units, 1);
            float[] z = new float[4 * units];
            for (int i = 0; i < z.length; i++) {
                z[i] = i / units == 2 ? (float) Math.tanh(r.nextGaussian() * 3) : Elementwise.sigmoid((float) (r.nextGaussian() * 3));
            }
            float[] prev = gaussian(r, 2 * units, 3);
            float[] tcs = new float[units];
            for (int j = 0; j < units; j++) {
                tcs[j] = (float) Math.tanh(r.nextGaussian() * 2);
            }
            float[] vdz = new float[4 * units];
            float[] vdc = dc.clone();
            float[] vcar = gaussian(r, units, 1);
            int done = VectorGates.backward(gh, dh, vdc, z, first ? null : prev, tcs, last, vdz, vcar, units);
            assertEquals(units, done);
            for (int j = 0; j < units; j++) {
                float ghj = gh[j] + dh[j];
                float gcj = (last ? gh[units + j] : 0f) + dc[j];
                float gi = z[j];
                float gf = z[units + j];
                float gg = z[2 * units + j];
                float go = z[3 * units + j];
                float cPrev = first ? 0f : prev[units + j];
                float tc = tcs[j];
                float dcTotal = gcj + ghj * go * (1 - tc * tc);
                float[] want = {dcTotal * gg * gi * (1 - gi), dcTotal * cPrev * gf * (1 - gf),
                    dcTotal * gi * (1 - gg * gg), ghj * tc * go * (1 - go)};
                for (int g = 0; g < 4; g++) {
                    assertEquals(Float.floatToIntBits(want[g]), Float.floatToIntBits(vdz[g * units + j]),
                            "dz gate " + g + " unit " + j);
                }
                assertEquals(Float.floatToIntBits(dcTotal * gf), Float.floatToIntBits(vdc[j]), "dc " + j);
                assertEquals(0f, vcar[j], "carried " + j);
            }
        }
    }

    private static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    /** Float lanes: VectorMath's exp and tanh are within an ulp or so; a division and an add add rounding. */
    private static final int MAX_ULPS = 3;

    /** How many ulps of {@code want} apart the two are (NaN where NaN, infinities equal). */
    private static long ulps(float want, float got, String what) {
        if (Float.isNaN(want)) {
            assertTrue(Float.isNaN(got), what + ": NaN expected, got " + got);
            return 0;
        }
        if (want == got) {
            return 0;
        }
        if (got == 0f && Math.abs(want) < Float.MIN_NORMAL) {
            return 0; // VectorMath's exp flushes results below the smallest normal float to zero
        }
        assertTrue(Float.isFinite(got) && Float.isFinite(want), what + ": " + want + " expected, got " + got);
        return Math.round(Math.abs((double) want - got) / Math.ulp(want));
    }
}
