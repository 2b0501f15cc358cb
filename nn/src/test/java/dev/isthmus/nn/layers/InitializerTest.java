package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.io.Json;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each initializer against Keras's definition: its limits, its variance for the fan mode, orthogonality. */
class InitializerTest {
    private static final int[] DENSE = {300, 500};          // fanIn 300, fanOut 500
    private static final int[] CONV = {3, 3, 32, 64};       // fanIn 3·3·32 = 288, fanOut 3·3·64 = 576

    private static double[] meanAndVariance(float[] v) {
        double mean = 0;
        for (float x : v) {
            mean += x;
        }
        mean /= v.length;
        double var = 0;
        for (float x : v) {
            var += (x - mean) * (x - mean);
        }
        return new double[] {mean, var / v.length};
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    /** Variance within 3% of Keras's target, mean near zero. */
    private static void assertVariance(double expected, float[] v, String what) {
        double[] mv = meanAndVariance(v);
        assertEquals(0, mv[0], 0.05 * Math.sqrt(expected), what + " mean");
        assertEquals(expected, mv[1], 0.03 * expected, what + " variance");
    }

    private static void assertUniformLimit(double limit, float[] v, String what) {
        double m = maxAbs(v);
        assertTrue(m <= limit && m > 0.99 * limit, what + ": max |w| " + m + " vs limit " + limit);
        assertVariance(limit * limit / 3, v, what);
    }

    @Test
    void varianceScalingFamilyMatchesKerasFormulasForDenseAndConvFans() {
        for (int[] shape : new int[][] {DENSE, CONV}) {
            long[] fans = Tensor.fans(shape);
            double in = fans[0];
            double avg = (fans[0] + fans[1]) / 2.0;
            String s = java.util.Arrays.toString(shape);
            assertUniformLimit(Math.sqrt(6 / (fans[0] + (double) fans[1])), Initializer.of("glorot_uniform").create(shape, 1).toArray(), "glorot_uniform " + s);
            assertUniformLimit(Math.sqrt(6 / in), Initializer.of("he_uniform").create(shape, 2).toArray(), "he_uniform " + s);
            assertUniformLimit(Math.sqrt(3 / in), Initializer.of("lecun_uniform").create(shape, 3).toArray(), "lecun_uniform " + s);
            assertVariance(1 / avg, Initializer.of("glorot_normal").create(shape, 4).toArray(), "glorot_normal " + s);
            assertVariance(2 / in, Initializer.of("he_normal").create(shape, 5).toArray(), "he_normal " + s);
            assertVariance(1 / in, Initializer.of("lecun_normal").create(shape, 6).toArray(), "lecun_normal " + s);
            // truncated at two of the pre-truncation standard deviations
            double heStd = Math.sqrt(2 / in) / KerasInitializer.TRUNCATED_STD;
            assertTrue(maxAbs(Initializer.heNormal().create(shape, 5).toArray()) <= 2 * heStd * 1.0001, "he_normal truncation " + s);
            assertVariance(2 / (double) fans[1],
                    Initializer.varianceScaling(2, "fan_out", "untruncated_normal").create(shape, 7).toArray(), "fan_out " + s);
        }
        assertEquals(288, Tensor.fans(CONV)[0]);
        assertEquals(576, Tensor.fans(CONV)[1]);
    }

    @Test
    void randomInitializersHaveKerasDefaults() {
        float[] u = Initializer.of("random_uniform").create(DENSE, 1).toArray();
        for (float x : u) {
            assertTrue(x >= -0.05f && x < 0.05f, "random_uniform in [-0.05, 0.05): " + x);
        }
        assertVariance(0.1 * 0.1 / 12, u, "random_uniform");
        assertVariance(0.05 * 0.05, Initializer.of("random_normal").create(DENSE, 2).toArray(), "random_normal");
        float[] t = Initializer.of("truncated_normal").create(DENSE, 3).toArray();
        assertTrue(maxAbs(t) <= 0.1 + 1e-6, "truncated_normal within two stddev");
        assertVariance(Math.pow(0.05 * KerasInitializer.TRUNCATED_STD, 2), t, "truncated_normal");
        float[] r = Initializer.randomNormal(3f, 0.5f).create(DENSE, 4).toArray();
        assertEquals(3, meanAndVariance(r)[0], 0.01);
        assertEquals(0.25, meanAndVariance(r)[1], 0.01);
    }

    @Test
    void constantsFillEveryElement() {
        for (float x : Initializer.of("zeros").create(new int[] {3, 4}, 1).toArray()) {
            assertEquals(0f, x);
        }
        for (float x : Initializer.of("Ones").create(new int[] {3, 4}, 1).toArray()) {
            assertEquals(1f, x);
        }
        for (float x : Initializer.constant(2.5f).create(new int[] {5}, 1).toArray()) {
            assertEquals(2.5f, x);
        }
    }

    /** (rows × cols) · its transpose, or the transpose times it: whichever is the smaller Gram matrix. */
    private static void assertOrthonormal(float[] q, int rows, int cols, double gain) {
        int k = Math.min(rows, cols);
        boolean columns = rows >= cols;
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double dot = 0;
                for (int i = 0; i < (columns ? rows : cols); i++) {
                    dot += columns ? (double) q[i * cols + a] * q[i * cols + b] : (double) q[a * cols + i] * q[b * cols + i];
                }
                assertEquals(a == b ? gain * gain : 0, dot, 1e-4, "Gram[" + a + "][" + b + "]");
            }
        }
    }

    @Test
    void orthogonalHasOrthonormalRowsOrColumnsTimesGain() {
        assertOrthonormal(Initializer.of("orthogonal").create(new int[] {40, 16}, 1).toArray(), 40, 16, 1);
        assertOrthonormal(Initializer.orthogonal().create(new int[] {16, 40}, 2).toArray(), 16, 40, 1);
        assertOrthonormal(Initializer.orthogonal(2f).create(new int[] {24, 24}, 3).toArray(), 24, 24, 2);
        // more than two axes: flattened to [product of all but the last, last], as Keras
        assertOrthonormal(Initializer.orthogonal().create(new int[] {2, 3, 5}, 4).toArray(), 6, 5, 1);
        assertThrows(IllegalArgumentException.class, () -> Initializer.orthogonal().create(new int[] {7}, 1));
    }

    @Test
    void sameSeedSameValuesOtherSeedOthers() {
        Initializer he = Initializer.of("he_normal");
        assertArrayEquals(he.create(DENSE, 9).toArray(), he.create(DENSE, 9).toArray());
        assertTrue(he.create(DENSE, 9).toArray()[0] != he.create(DENSE, 10).toArray()[0]);
    }

    @Test
    void everyBuiltInRoundTripsThroughItsSavedConfig() throws Exception {
        List<Initializer> all = List.of(Initializer.glorotUniform(), Initializer.glorotNormal(), Initializer.heNormal(),
                Initializer.heUniform(), Initializer.lecunNormal(), Initializer.lecunUniform(), Initializer.orthogonal(1.5f),
                Initializer.zeros(), Initializer.ones(), Initializer.constant(0.25f), Initializer.randomNormal(0.5f, 0.1f),
                Initializer.randomUniform(-1f, 2f), Initializer.truncatedNormal(0f, 0.3f),
                Initializer.varianceScaling(0.5, "fan_avg", "uniform"));
        for (Initializer i : all) {
            String json = Json.write(Initializer.describe(i));
            @SuppressWarnings("unchecked")
            Initializer back = Initializer.fromConfig((Map<String, Object>) Json.parse(json));
            assertEquals(json, Json.write(Initializer.describe(back)), "config of " + i);
            assertArrayEquals(i.create(new int[] {6, 5}, 3).toArray(), back.create(new int[] {6, 5}, 3).toArray(), json);
        }
    }

    @Test
    void namesAreKerasSnakeCaseOrClassNamesAndUnknownOnesListTheKnown() {
        assertEquals("HeNormal", Initializer.of("HeNormal").toConfig().get("class_name"));
        assertEquals("RandomUniform", Initializer.of("uniform").toConfig().get("class_name"));
        var e = assertThrows(IllegalArgumentException.class, () -> Initializer.of("xavier"));
        assertTrue(e.getMessage().contains("xavier") && e.getMessage().contains("glorot_uniform"), e.getMessage());
    }

    @Test
    void aUsersOwnInitializerIsSavedAsCustom() {
        Initializer mine = (shape, seed) -> Tensor.full(7f, shape);
        assertEquals("Custom", Initializer.describe(mine).get("class_name"));
    }
}
