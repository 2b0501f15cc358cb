package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MultiHeadAttention against a naive loop implementation, and finite differences. */
class AttentionTest {
    static final int N = 2;
    static final int T = 4;
    static final int D = 5;
    static final int H = 2;
    static final int K = 3;

    static float[] naive(float[] x, MultiHeadAttention l, boolean causal, float[] keyMask) {
        float[] wq = l.parameters().get("query_kernel").toArray();
        float[] wk = l.parameters().get("key_kernel").toArray();
        float[] wv = l.parameters().get("value_kernel").toArray();
        float[] bq = l.parameters().get("query_bias").toArray();
        float[] bk = l.parameters().get("key_bias").toArray();
        float[] bv = l.parameters().get("value_bias").toArray();
        float[] wo = l.parameters().get("output_kernel").toArray();
        float[] bo = l.parameters().get("output_bias").toArray();
        float[] out = new float[N * T * D];
        for (int n = 0; n < N; n++) {
            double[][][] q = new double[H][T][K];
            double[][][] k = new double[H][T][K];
            double[][][] v = new double[H][T][K];
            for (int h = 0; h < H; h++) {
                for (int t = 0; t < T; t++) {
                    for (int j = 0; j < K; j++) {
                        q[h][t][j] = bq[h * K + j];
                        k[h][t][j] = bk[h * K + j];
                        v[h][t][j] = bv[h * K + j];
                        for (int d = 0; d < D; d++) {
                            double xv = x[(n * T + t) * D + d];
                            q[h][t][j] += xv * wq[(d * H + h) * K + j];
                            k[h][t][j] += xv * wk[(d * H + h) * K + j];
                            v[h][t][j] += xv * wv[(d * H + h) * K + j];
                        }
                    }
                }
            }
            for (int t = 0; t < T; t++) {
                double[] o = new double[D];
                for (int h = 0; h < H; h++) {
                    double[] s = new double[T];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u < T; u++) {
                        boolean allowed = (!causal || u <= t) && (keyMask == null || keyMask[n * T + u] != 0);
                        for (int j = 0; j < K; j++) {
                            s[u] += q[h][t][j] * k[h][u][j];
                        }
                        s[u] = allowed ? s[u] / Math.sqrt(K) : Double.NEGATIVE_INFINITY;
                        max = Math.max(max, s[u]);
                    }
                    double sum = 0;
                    for (int u = 0; u < T; u++) {
                        s[u] = Math.exp(s[u] - max);
                        sum += s[u];
                    }
                    for (int j = 0; j < K; j++) {
                        double a = 0;
                        for (int u = 0; u < T; u++) {
                            a += s[u] / sum * v[h][u][j];
                        }
                        for (int d = 0; d < D; d++) {
                            o[d] += a * wo[(h * K + j) * D + d];
                        }
                    }
                }
                for (int d = 0; d < D; d++) {
                    out[(n * T + t) * D + d] = (float) (o[d] + bo[d]);
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "causal={0}")
    @ValueSource(booleans = {false, true})
    void attentionMatchesNaiveLoopsAndFiniteDifferences(boolean causal) {
        var l = new MultiHeadAttention(H, K, causal);
        l.build(new int[] {T, D}, null, 3);
        for (var p : l.parameters().values()) {
            p.copyFrom(Tensor.uniform(p.shape(), -0.5f, 0.5f, p.numel()));
        }
        Tensor x = Tensor.uniform(new int[] {N, T, D}, -1f, 1f, 4);
        Tensor mask = Tensor.of(new float[] {1, 1, 1, 0, 1, 1, 1, 1}, N, T);
        assertArrayEquals(naive(x.toArray(), l, causal, null), l.call(x, false).toArray(), 1e-5f);
        assertArrayEquals(naive(x.toArray(), l, causal, mask.toArray()), l.call(x, mask, false).toArray(), 1e-5f);
        GradientCheck.standard().check("attention causal=" + causal, in -> l.call(in.get(0), mask, true), x);
        var params = l.parameters();
        GradientCheck.standard().check("attention weights", in -> l.call(x, false),
                params.get("query_kernel"), params.get("value_bias"), params.get("output_kernel"));
        assertEquals(7, params.size() - 1);
    }
}
