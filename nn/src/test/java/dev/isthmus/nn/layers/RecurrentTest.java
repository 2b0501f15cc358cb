package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Functional;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.IndexOutOfRangeException;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** LSTM against a step-by-step reference and finite differences; Embedding, masking, attention. */
class RecurrentTest {
    static final int N = 3;
    static final int T = 4;
    static final int D = 5;
    static final int U = 3;

    static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** Plain Keras LSTM in double precision; returns h then c of every step [n][t][2u], masked steps carrying state. */
    static double[][][] reference(float[] x, float[] mask, float[] w, float[] r, float[] b) {
        double[][][] hs = new double[N][T][];
        for (int i = 0; i < N; i++) {
            double[] h = new double[U];
            double[] c = new double[U];
            for (int t = 0; t < T; t++) {
                if (mask != null && mask[i * T + t] == 0f) {
                    hs[i][t] = states(h, c);
                    continue;
                }
                double[] z = new double[4 * U];
                for (int j = 0; j < 4 * U; j++) {
                    z[j] = b[j];
                    for (int k = 0; k < D; k++) {
                        z[j] += x[(i * T + t) * D + k] * w[k * 4 * U + j];
                    }
                    for (int k = 0; k < U; k++) {
                        z[j] += h[k] * r[k * 4 * U + j];
                    }
                }
                double[] nh = new double[U];
                for (int j = 0; j < U; j++) {
                    double gi = sig(z[j]);
                    double gf = sig(z[U + j]);
                    double gg = Math.tanh(z[2 * U + j]);
                    double go = sig(z[3 * U + j]);
                    c[j] = gf * c[j] + gi * gg;
                    nh[j] = go * Math.tanh(c[j]);
                }
                h = nh;
                hs[i][t] = states(h, c);
            }
        }
        return hs;
    }

    private static double[] states(double[] h, double[] c) {
        double[] hc = java.util.Arrays.copyOf(h, 2 * U);
        System.arraycopy(c, 0, hc, U, U);
        return hc;
    }

    static Tensor mask() {
        // sample 0 full, sample 1 post-padded, sample 2 pre-padded
        return Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1}, N, T);
    }

    @ParameterizedTest(name = "masked={0}")
    @ValueSource(booleans = {false, true})
    void lstmMatchesAStepByStepReferenceKeepingTheLastCellStateOnly(boolean masked) {
        Tensor x = Tensor.uniform(new int[] {N, T, D}, -1f, 1f, 1);
        Tensor w = Tensor.uniform(new int[] {D, 4 * U}, -0.7f, 0.7f, 2);
        Tensor r = Tensor.uniform(new int[] {U, 4 * U}, -0.7f, 0.7f, 3);
        Tensor b = Tensor.uniform(new int[] {4 * U}, -0.3f, 0.3f, 4);
        Tensor m = masked ? mask() : null;
        double[][][] ref = reference(x.toArray(), masked ? m.toArray() : null, w.toArray(), r.toArray(), b.toArray());
        float[] hc = Functional.lstm(x, m, w, r, b).toArray();
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < 2 * U; j++) {
                    boolean cell = j >= U;
                    double expected = cell && t != T - 1 ? 0 : ref[i][t][j];
                    assertEquals(expected, hc[(i * T + t) * 2 * U + j], 1e-5,
                            (cell ? "c[" : "h[") + i + "][" + t + "][" + (cell ? j - U : j) + "]");
                }
            }
        }
    }

    @ParameterizedTest(name = "masked={0}")
    @ValueSource(booleans = {false, true})
    void lstmIgnoresTheGradientOfTheEarlierStepsCellSlots(boolean masked) {
        Tensor m = masked ? mask() : null;
        float[] g = Tensor.uniform(new int[] {N, T, 2 * U}, -1f, 1f, 12).toArray();
        float[] other = g.clone();
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < T - 1; t++) {
                for (int j = U; j < 2 * U; j++) {
                    other[(i * T + t) * 2 * U + j] = 50f * (t + 1);
                }
            }
        }
        float[][] a = lstmGradients(m, g);
        float[][] c = lstmGradients(m, other);
        for (int k = 0; k < a.length; k++) {
            assertArrayEquals(a[k], c[k], 0f, "gradient " + k);
        }
    }

    /** Gradients of x, kernel, recurrent kernel and bias given the gradient g of the LSTM's output. */
    private static float[][] lstmGradients(Tensor mask, float[] g) {
        Tensor[] in = {Tensor.uniform(new int[] {N, T, D}, -1f, 1f, 5), Tensor.uniform(new int[] {D, 4 * U}, -0.7f, 0.7f, 6),
            Tensor.uniform(new int[] {U, 4 * U}, -0.7f, 0.7f, 7), Tensor.uniform(new int[] {4 * U}, -0.3f, 0.3f, 8)};
        for (Tensor t : in) {
            t.requiresGrad(true);
        }
        Functional.lstm(in[0], mask, in[1], in[2], in[3]).backward(Tensor.of(g, N, T, 2 * U));
        float[][] grads = new float[in.length][];
        for (int k = 0; k < in.length; k++) {
            grads[k] = in[k].grad().toArray();
        }
        return grads;
    }

    @ParameterizedTest(name = "masked={0}")
    @ValueSource(booleans = {false, true})
    void lstmGradientsMatchFiniteDifferences(boolean masked) {
        Tensor m = masked ? mask() : null;
        GradientCheck.standard().check("lstm masked=" + masked,
                in -> Functional.lstm(in.get(0), m, in.get(1), in.get(2), in.get(3)),
                Tensor.uniform(new int[] {N, T, D}, -1f, 1f, 5), Tensor.uniform(new int[] {D, 4 * U}, -0.7f, 0.7f, 6),
                Tensor.uniform(new int[] {U, 4 * U}, -0.7f, 0.7f, 7), Tensor.uniform(new int[] {4 * U}, -0.3f, 0.3f, 8));
    }

    @Test
    void lstmLayerReturnsLastStateOrSequenceAndStates() {
        Tensor x = Tensor.uniform(new int[] {N, T, D}, -1f, 1f, 9);
        var last = new LSTM(U);
        last.build(new int[] {T, D}, null, 11);
        var seq = new LSTM(U, true, true);
        seq.build(new int[] {T, D}, null, 11);
        Tensor h = last.call(x, false);
        var all = seq.callWithState(x, null, false);
        assertArrayEquals(new int[] {N, U}, h.shape());
        assertArrayEquals(new int[] {N, T, U}, all.output().shape());
        assertArrayEquals(h.toArray(), all.hidden().toArray(), 0f);
        assertArrayEquals(h.toArray(), all.output().slice(1, T - 1, T).reshape(N, U).toArray(), 0f);
        assertArrayEquals(new int[] {N, U}, all.cell().shape());
        assertThrows(IllegalStateException.class, () -> seq.call(x, false));
    }

    @Test
    void lstmInitialisationFollowsKeras() {
        var l = new LSTM(4);
        l.build(new int[] {6, 3}, null, 1);
        float[] bias = l.parameters().get("bias").toArray();
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, bias);
        Tensor r = l.parameters().get("recurrent_kernel");
        // orthonormal rows: R·Rᵀ = I
        float[] rrt = r.matmul(r.transpose()).toArray();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(i == j ? 1f : 0f, rrt[i * 4 + j], 1e-5f);
            }
        }
    }

    @Test
    void embeddingMaskMakesPaddedStepsInvisibleToTheLstm() {
        // the same sentence with and without trailing and leading padding gives the same final state
        try (var model = new Sequential(new Embedding(10, 4, true), new LSTM(3)).seed(5)) {
            Tensor ids = Tensor.of(new float[] {3, 7, 2, 0, 0, 0, 0, 3, 7, 2, 0, 3, 7, 2, 0}, 3, 5);
            float[] out = model.predict(ids).toArray();
            for (int j = 0; j < 3; j++) {
                assertEquals(out[j], out[3 + j], 1e-6f);
                assertEquals(out[j], out[6 + j], 1e-6f);
            }
        }
    }

    @Test
    void embeddingGradientAndBadIds() {
        var e = new Embedding(6, 3);
        e.build(new int[] {4}, null, 2);
        Tensor ids = Tensor.of(new int[] {1, 5, 1, 0, 2, 2, 3, 4}, 2, 4);
        assertArrayEquals(new int[] {2, 4, 3}, e.call(ids, false).shape());
        // float ids are cast to int32, as Keras casts them
        assertArrayEquals(e.call(ids, false).toArray(), e.call(ids.cast(DType.FLOAT32), false).toArray());
        GradientCheck.standard().check("embedding", in -> in.get(0).indexSelect(ids), Tensor.uniform(new int[] {6, 3}, -1f, 1f, 3));
        var bad = assertThrows(IndexOutOfRangeException.class, () -> e.call(Tensor.of(new int[] {1, 6, 0, 0}, 1, 4), false));
        assertTrue(bad.getMessage().contains("index 6 at position 1") && bad.getMessage().contains("[0, 6)"), bad.getMessage());
    }

    @Test
    void poolingAndFlattenGradients() {
        GradientCheck.standard().check("global average 1d", in -> {
            var l = new GlobalAveragePooling1D();
            l.build(new int[] {T, D}, null, 0);
            return l.call(in.get(0), mask(), false);
        }, Tensor.uniform(new int[] {N, T, D}, -1f, 1f, 12));
        var gap2 = new GlobalAveragePooling2D();
        gap2.build(new int[] {3, 4, 2}, null, 0);
        Tensor img = Tensor.uniform(new int[] {2, 3, 4, 2}, -1f, 1f, 13);
        assertArrayEquals(img.mean(1, 2).toArray(), gap2.call(img, false).toArray(), 0f);
        var flat = new Flatten();
        flat.build(new int[] {3, 4, 2}, null, 0);
        assertArrayEquals(new int[] {2, 24}, flat.call(img, false).shape());
    }

    @Test
    void maskedAverageIgnoresPaddedSteps() {
        var l = new GlobalAveragePooling1D();
        l.build(new int[] {3, 1}, null, 0);
        Tensor x = Tensor.of(new float[] {1, 2, 100}, 1, 3, 1);
        assertEquals(1.5f, l.call(x, Tensor.of(new float[] {1, 1, 0}, 1, 3), false).item(), 1e-6f);
    }

    @Test
    void lstmRejectsInputOfTheWrongRank() {
        var e = assertThrows(ShapeMismatchException.class, () -> Functional.lstm(Tensor.zeros(2, 3), null,
                Tensor.zeros(3, 8), Tensor.zeros(2, 8), Tensor.zeros(8)));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
    }
}
