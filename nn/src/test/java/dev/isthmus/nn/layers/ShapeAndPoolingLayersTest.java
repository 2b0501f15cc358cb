package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Reshape, Permute, RepeatVector, the global max poolings, Conv1D, MaxPooling1D, the average
 * poolings and ZeroPadding2D: each against its definition computed here, finite differences, and
 * a rebuild from its saved config giving the same output.
 */
class ShapeAndPoolingLayersTest {
    /** The layer built for x's sample shape, its output, checked against a rebuild from its config. */
    private static float[] run(Layer layer, Tensor x) {
        try (Scope s = Scope.open("test")) {
            int[] sample = Arrays.copyOfRange(x.shape(), 1, x.rank());
            layer.build(sample, s, 3);
            Tensor y = layer.call(x, false);
            int[] expected = layer.computeOutputShape(sample);
            assertArrayEquals(expected, Arrays.copyOfRange(y.shape(), 1, y.rank()), layer.typeName() + " output shape");
            Layer again = Layers.fromConfig(layer.typeName(), reparsed(layer.config()));
            again.build(sample, s, 3);
            if (!layer.parameters().isEmpty()) {
                again.setWeights(layer.getWeights());
            }
            float[] out = y.toArray();
            assertArrayEquals(out, again.call(x, false).toArray(), 0f, layer.typeName() + " rebuilt from its config");
            GradientCheck.standard().check(layer.typeName(), in -> layer.call(in.getFirst(), true).square(), x);
            return out;
        }
    }

    /** The config as it comes back from a save file's JSON (integers as Long, numbers as Double). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> reparsed(Map<String, Object> config) {
        try {
            return (Map<String, Object>) dev.isthmus.nn.io.Json.parse(dev.isthmus.nn.io.Json.write(config));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Tensor random(long seed, int... shape) {
        return Tensor.uniform(shape, -1f, 1f, seed);
    }

    @Test
    void reshapePermuteAndRepeat() {
        Tensor x = random(1, 2, 3, 4);
        assertArrayEquals(x.toArray(), run(new Reshape(4, -1), x), 0f);
        assertThrows(IllegalArgumentException.class, () -> new Reshape(5, -1).computeOutputShape(new int[] {3, 4}));
        assertThrows(IllegalArgumentException.class, () -> new Reshape(-1, -1));
        float[] v = x.toArray();
        float[] p = run(new Permute(2, 1), x);
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(v[(b * 3 + i) * 4 + j], p[(b * 4 + j) * 3 + i], 0f);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Permute(1, 1));
        Tensor f = random(2, 2, 5);
        float[] r = run(new RepeatVector(3), f);
        float[] fv = f.toArray();
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 3; t++) {
                for (int j = 0; j < 5; j++) {
                    assertEquals(fv[b * 5 + j], r[(b * 3 + t) * 5 + j], 0f);
                }
            }
        }
    }

    @Test
    void globalMaxPoolings() {
        Tensor x = random(3, 2, 6, 4);
        float[] v = x.toArray();
        float[] y = run(new GlobalMaxPooling1D(), x);
        for (int b = 0; b < 2; b++) {
            for (int j = 0; j < 4; j++) {
                float m = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < 6; t++) {
                    m = Math.max(m, v[(b * 6 + t) * 4 + j]);
                }
                assertEquals(m, y[b * 4 + j], 0f);
            }
        }
        Tensor img = random(4, 2, 3, 5, 2);
        float[] iv = img.toArray();
        float[] g = run(new GlobalMaxPooling2D(), img);
        for (int b = 0; b < 2; b++) {
            for (int c = 0; c < 2; c++) {
                float m = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < 15; i++) {
                    m = Math.max(m, iv[(b * 15 + i) * 2 + c]);
                }
                assertEquals(m, g[b * 2 + c], 0f);
            }
        }
    }

    /** out[b][o][f] of a 1-D convolution (TensorFlow's padding), summed in double. */
    private static double[] naiveConv1d(float[] x, int n, int t, int c, float[] k, int size, float[] bias, int f, int stride,
                                        String padding, Function<Double, Double> act) {
        int out = padding.equals("same") ? (t + stride - 1) / stride : (t - size) / stride + 1;
        int pad = padding.equals("same") ? Math.max((out - 1) * stride + size - t, 0) / 2 : 0;
        double[] y = new double[n * out * f];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < out; o++) {
                for (int j = 0; j < f; j++) {
                    double s = bias[j];
                    for (int q = 0; q < size; q++) {
                        int i = o * stride - pad + q;
                        if (i < 0 || i >= t) {
                            continue;
                        }
                        for (int ch = 0; ch < c; ch++) {
                            s += x[(b * t + i) * c + ch] * k[(q * c + ch) * f + j];
                        }
                    }
                    y[(b * out + o) * f + j] = act.apply(s);
                }
            }
        }
        return y;
    }

    @Test
    void conv1dIsTheOneDimensionalConvolution() {
        Tensor x = random(5, 2, 9, 3);
        for (String padding : new String[] {"valid", "same"}) {
            for (Activation a : new Activation[] {Activation.LINEAR, Activation.RELU, Activation.TANH}) {
                Conv1D conv = new Conv1D(4, 3, 2, padding, a, true);
                float[] got;
                float[] k;
                float[] bias = {0.1f, -0.2f, 0.3f, 0f};
                try (Scope s = Scope.open("weights")) {
                    conv.build(new int[] {9, 3}, s, 7);
                    k = conv.parameters().get("kernel").toArray();
                    conv.setWeights(k, bias);
                    got = conv.call(x, false).toArray();
                }
                Function<Double, Double> act = a == Activation.RELU ? v -> Math.max(v, 0) : a == Activation.TANH ? Math::tanh
                        : v -> v;
                double[] want = naiveConv1d(x.toArray(), 2, 9, 3, k, 3, bias, 4, 2, padding, act);
                assertEquals(want.length, got.length);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-5, padding + " " + a + " " + i);
                }
            }
        }
        run(new Conv1D(4, 3, 1, "same", Activation.TANH, true), x);
        try (Scope s = Scope.open("gradient")) {
            Conv1D conv = new Conv1D(3, 2, Activation.LINEAR);
            conv.build(new int[] {9, 3}, s, 1);
            GradientCheck.standard().check("conv1d weights", in -> conv.call(x, true).square(),
                    conv.parameters().get("kernel"), conv.parameters().get("bias"));
        }
    }

    @Test
    void poolingsOverTimeAndAverages() {
        Tensor x = random(6, 2, 7, 3);
        float[] v = x.toArray();
        // max over windows of 2, stride 2, valid: steps 0-1, 2-3, 4-5 (the seventh is dropped)
        float[] m = run(new MaxPooling1D(2), x);
        float[] a = run(new AveragePooling1D(2), x);
        for (int b = 0; b < 2; b++) {
            for (int o = 0; o < 3; o++) {
                for (int j = 0; j < 3; j++) {
                    float p = v[(b * 7 + 2 * o) * 3 + j];
                    float q = v[(b * 7 + 2 * o + 1) * 3 + j];
                    assertEquals(Math.max(p, q), m[(b * 3 + o) * 3 + j], 0f);
                    assertEquals((p + q) / 2, a[(b * 3 + o) * 3 + j], 1e-6f);
                }
            }
        }
        // "same", windows of 3 at stride 1: the first and last windows average two steps, not three
        float[] s = run(new AveragePooling1D(3, 1, "same"), x);
        for (int b = 0; b < 2; b++) {
            for (int o = 0; o < 7; o++) {
                for (int j = 0; j < 3; j++) {
                    double sum = 0;
                    int count = 0;
                    for (int i = o - 1; i <= o + 1; i++) {
                        if (i >= 0 && i < 7) {
                            sum += v[(b * 7 + i) * 3 + j];
                            count++;
                        }
                    }
                    assertEquals(sum / count, s[(b * 7 + o) * 3 + j], 1e-6);
                }
            }
        }
        run(new MaxPooling1D(3, 2, "same"), x);
        Tensor img = random(7, 2, 5, 4, 3);
        float[] iv = img.toArray();
        float[] avg = run(new AveragePooling2D(2), img);
        for (int b = 0; b < 2; b++) {
            for (int oy = 0; oy < 2; oy++) {
                for (int ox = 0; ox < 2; ox++) {
                    for (int c = 0; c < 3; c++) {
                        double sum = 0;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                sum += iv[((b * 5 + 2 * oy + dy) * 4 + 2 * ox + dx) * 3 + c];
                            }
                        }
                        assertEquals(sum / 4, avg[((b * 2 + oy) * 2 + ox) * 3 + c], 1e-6);
                    }
                }
            }
        }
        run(new AveragePooling2D(new int[] {3, 2}, new int[] {2, 1}, "same"), img);
    }

    @Test
    void zeroPaddingSurroundsEachImage() {
        Tensor img = random(8, 2, 3, 2, 2);
        float[] v = img.toArray();
        float[] y = run(new ZeroPadding2D(1, 2, 0, 1), img);
        // out [2, 6, 3, 2]: rows 1..3 and columns 0..1 hold the image
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int c = 0; c < 2; c++) {
                        boolean inside = i >= 1 && i <= 3 && j <= 1;
                        float want = inside ? v[((b * 3 + i - 1) * 2 + j) * 2 + c] : 0f;
                        assertEquals(want, y[((b * 6 + i) * 3 + j) * 2 + c], 0f);
                    }
                }
            }
        }
    }
}
