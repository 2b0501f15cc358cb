package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SimpleRNN and GRU (reset_after) against step-by-step double-precision references of Keras's
 * formulas, with Keras's masking rule (a padded step carries the state and repeats the previous
 * output), finite differences and rebuilds from their configs.
 */
class SimpleRnnAndGruTest {
    private static final int N = 3;
    private static final int T = 4;
    private static final int D = 2;
    private static final int U = 3;

    private static Tensor mask() {
        // full, post-padded, pre-padded
        return Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1}, N, T);
    }

    private static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** Every step's state [n][t][u] of the reference, from x, the weights and an optional mask. */
    private static double[][][] reference(boolean gru, float[] x, float[] w, float[] r, float[] b, float[] mask) {
        int g = gru ? 3 : 1;
        double[][][] out = new double[N][T][];
        for (int i = 0; i < N; i++) {
            double[] h = new double[U];
            for (int t = 0; t < T; t++) {
                if (mask == null || mask[i * T + t] != 0f) {
                    double[] xp = new double[g * U];
                    double[] hp = new double[g * U];
                    for (int j = 0; j < g * U; j++) {
                        xp[j] = b[j];
                        hp[j] = gru ? b[g * U + j] : 0;
                        for (int k = 0; k < D; k++) {
                            xp[j] += x[(i * T + t) * D + k] * w[k * g * U + j];
                        }
                        for (int k = 0; k < U; k++) {
                            hp[j] += h[k] * r[k * g * U + j];
                        }
                    }
                    double[] next = new double[U];
                    for (int j = 0; j < U; j++) {
                        if (gru) {
                            double z = sig(xp[j] + hp[j]);
                            double rr = sig(xp[U + j] + hp[U + j]);
                            double cand = Math.tanh(xp[2 * U + j] + rr * hp[2 * U + j]);
                            next[j] = z * h[j] + (1 - z) * cand;
                        } else {
                            next[j] = Math.tanh(xp[j] + hp[j]);
                        }
                    }
                    h = next;
                }
                out[i][t] = h.clone();
            }
        }
        return out;
    }

    private static void check(boolean gru) {
        Tensor x = Tensor.uniform(new int[] {N, T, D}, -1f, 1f, 1);
        for (boolean masked : new boolean[] {false, true}) {
            try (Scope s = Scope.open("test")) {
                Layer seq = gru ? new GRU(U, true) : new SimpleRNN(U, Activation.TANH, true, true);
                Layer last = gru ? new GRU(U) : new SimpleRNN(U);
                seq.build(new int[] {T, D}, s, 4);
                last.build(new int[] {T, D}, s, 4);
                float[] b = Tensor.uniform(seq.parameters().get("bias").shape(), -0.5f, 0.5f, 2).toArray();
                float[] w = seq.parameters().get("kernel").toArray();
                float[] r = seq.parameters().get("recurrent_kernel").toArray();
                seq.setWeights(w, r, b);
                last.setWeights(w, r, b);
                Tensor m = masked ? mask() : null;
                double[][][] want = reference(gru, x.toArray(), w, r, b, masked ? m.toArray() : null);
                float[] all = seq.call(x, m, false).toArray();
                float[] end = last.call(x, m, false).toArray();
                for (int i = 0; i < N; i++) {
                    for (int t = 0; t < T; t++) {
                        for (int j = 0; j < U; j++) {
                            assertEquals(want[i][t][j], all[(i * T + t) * U + j], 1e-5, "masked=" + masked + " [" + i + "][" + t + "][" + j + "]");
                        }
                    }
                    for (int j = 0; j < U; j++) {
                        assertEquals(want[i][T - 1][j], end[i * U + j], 1e-5);
                    }
                }
                GradientCheck.standard().check(seq.typeName() + " masked=" + masked, in -> seq.call(in.get(0), m, true), x,
                        seq.parameters().get("kernel"), seq.parameters().get("recurrent_kernel"), seq.parameters().get("bias"));
                @SuppressWarnings("unchecked")
                Map<String, Object> config = (Map<String, Object>) dev.isthmus.nn.io.Json.parse(dev.isthmus.nn.io.Json.write(seq.config()));
                Layer again = Layers.fromConfig(seq.typeName(), config);
                again.build(new int[] {T, D}, s, 9);
                again.setWeights(seq.getWeights());
                assertArrayEquals(all, again.call(x, m, false).toArray(), 0f);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void simpleRnnIsKerasFormulaAndMasking() {
        check(false);
    }

    @Test
    void gruIsKerasResetAfterFormulaAndMasking() {
        check(true);
        assertThrows(IllegalArgumentException.class, () -> Layers.fromConfig("GRU",
                Map.of("units", 3L, "return_sequences", false, "reset_after", false)));
    }
}
