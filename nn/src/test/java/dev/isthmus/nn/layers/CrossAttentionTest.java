package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MultiHeadAttention as cross-attention (query, value, key with their own feature sizes), against
 * a double-precision reference with the layer's weights, with a value padding mask and causality;
 * its scores, gradients, and a two-input model round-tripping through save and load.
 */
class CrossAttentionTest {
    private static final int N = 2;
    private static final int TQ = 3;
    private static final int TV = 4;
    private static final int DQ = 5;
    private static final int DV = 6;
    private static final int DK = 3;
    private static final int HEADS = 2;
    private static final int KEY_DIM = 4;

    /** Reference output [n][tq][dq] (or the weights [n][h][tq][tv] when scores) in double. */
    private static double[] reference(MultiHeadAttention mha, float[] q, float[] v, float[] k, float[] mask, boolean causal,
                                      boolean scores) {
        float[] wq = mha.parameters().get("query_kernel").toArray();
        float[] bq = mha.parameters().get("query_bias").toArray();
        float[] wk = mha.parameters().get("key_kernel").toArray();
        float[] bk = mha.parameters().get("key_bias").toArray();
        float[] wv = mha.parameters().get("value_kernel").toArray();
        float[] bv = mha.parameters().get("value_bias").toArray();
        float[] wo = mha.parameters().get("output_kernel").toArray();
        float[] bo = mha.parameters().get("output_bias").toArray();
        int hk = HEADS * KEY_DIM;
        double[] out = new double[scores ? N * HEADS * TQ * TV : N * TQ * DQ];
        for (int b = 0; b < N; b++) {
            double[][] qp = project(q, b, TQ, DQ, wq, bq);
            double[][] kp = project(k, b, TV, DK, wk, bk);
            double[][] vp = project(v, b, TV, DV, wv, bv);
            double[][] heads = new double[TQ][hk];
            for (int h = 0; h < HEADS; h++) {
                for (int i = 0; i < TQ; i++) {
                    double[] s = new double[TV];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < TV; j++) {
                        double dot = 0;
                        for (int e = 0; e < KEY_DIM; e++) {
                            dot += qp[i][h * KEY_DIM + e] * kp[j][h * KEY_DIM + e];
                        }
                        s[j] = dot / Math.sqrt(KEY_DIM);
                        if ((mask != null && mask[b * TV + j] == 0f) || (causal && j > i)) {
                            s[j] += -1e9;
                        }
                        max = Math.max(max, s[j]);
                    }
                    double total = 0;
                    for (int j = 0; j < TV; j++) {
                        s[j] = Math.exp(s[j] - max);
                        total += s[j];
                    }
                    for (int j = 0; j < TV; j++) {
                        s[j] /= total;
                        if (scores) {
                            out[((b * HEADS + h) * TQ + i) * TV + j] = s[j];
                        }
                        for (int e = 0; e < KEY_DIM; e++) {
                            heads[i][h * KEY_DIM + e] += s[j] * vp[j][h * KEY_DIM + e];
                        }
                    }
                }
            }
            if (!scores) {
                for (int i = 0; i < TQ; i++) {
                    for (int o = 0; o < DQ; o++) {
                        double acc = bo[o];
                        for (int e = 0; e < hk; e++) {
                            acc += heads[i][e] * wo[e * DQ + o];
                        }
                        out[(b * TQ + i) * DQ + o] = acc;
                    }
                }
            }
        }
        return out;
    }

    private static double[][] project(float[] x, int b, int t, int d, float[] w, float[] bias) {
        int hk = HEADS * KEY_DIM;
        double[][] p = new double[t][hk];
        for (int i = 0; i < t; i++) {
            for (int e = 0; e < hk; e++) {
                double acc = bias[e];
                for (int c = 0; c < d; c++) {
                    acc += x[(b * t + i) * d + c] * w[c * hk + e];
                }
                p[i][e] = acc;
            }
        }
        return p;
    }

    @Test
    void crossAttentionMatchesTheReferenceWithAValueMaskAndCausality() {
        Tensor q = Tensor.uniform(new int[] {N, TQ, DQ}, -1, 1, 1);
        Tensor v = Tensor.uniform(new int[] {N, TV, DV}, -1, 1, 2);
        Tensor k = Tensor.uniform(new int[] {N, TV, DK}, -1, 1, 3);
        Tensor mask = Tensor.of(new float[] {1, 1, 1, 0, 1, 1, 0, 0}, N, TV);
        for (boolean causal : new boolean[] {false, true}) {
            try (Scope s = Scope.open("test")) {
                MultiHeadAttention mha = new MultiHeadAttention(HEADS, KEY_DIM, causal).biasInitializer(Initializer.of("glorot_uniform"));
                mha.computeOutputShape(List.of(new int[] {TQ, DQ}, new int[] {TV, DV}, new int[] {TV, DK}));
                mha.build(new int[] {TQ, DQ}, s, 5);
                assertArrayEquals(new int[] {DK, HEADS, KEY_DIM}, mha.parameters().get("key_kernel").shape());
                assertArrayEquals(new int[] {DV, HEADS, KEY_DIM}, mha.parameters().get("value_kernel").shape());
                float[] got = mha.call(List.of(q, v, k), java.util.Arrays.asList(null, mask, null), false).toArray();
                double[] want = reference(mha, q.toArray(), v.toArray(), k.toArray(), mask.toArray(), causal, false);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-5, "causal=" + causal + " output " + i);
                }
                float[] scores = mha.attentionScores(q, v, k, mask).toArray();
                double[] wantScores = reference(mha, q.toArray(), v.toArray(), k.toArray(), mask.toArray(), causal, true);
                for (int i = 0; i < wantScores.length; i++) {
                    assertEquals(wantScores[i], scores[i], 1e-6, "causal=" + causal + " score " + i);
                }
                GradientCheck.standard().check("cross attention", in -> mha.call(List.of(in.get(0), in.get(1), in.get(2)),
                        java.util.Arrays.asList(null, mask, null), true), q, v, k);
            }
        }
    }

    @Test
    void aTwoInputModelWithCrossAttentionRoundTripsAndRefusesMismatchedSteps(@TempDir Path dir) {
        SymbolicTensor target = Input.of(TQ, DQ);
        SymbolicTensor memory = Input.of(TV, DV);
        SymbolicTensor attended = new MultiHeadAttention(HEADS, KEY_DIM).apply(target, memory);
        SymbolicTensor out = new Dense(1).apply(new GlobalAveragePooling1D().apply(new Add().apply(target, attended)));
        Tensor q = Tensor.uniform(new int[] {N, TQ, DQ}, -1, 1, 4);
        Tensor v = Tensor.uniform(new int[] {N, TV, DV}, -1, 1, 5);
        try (Model model = new Model("cross", List.of(target, memory), List.of(out), 3)) {
            float[] before = model.predict(List.of(q, v), N).getFirst().toArray();
            Path file = dir.resolve("cross.safetensors");
            model.save(file);
            try (Model back = Model.load(file)) {
                assertArrayEquals(before, back.predict(List.of(q, v), N).getFirst().toArray(), 0f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(2, 4).apply(Input.of(3, 5), Input.of(4, 6),
                Input.of(5, 6)));
    }
}
