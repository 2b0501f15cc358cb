package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.backend.Window2d.Padding;
import dev.isthmus.nn.tensor.Functional;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Conv2D and MaxPooling2D against naive loops and finite differences, for every padding and stride. */
class ConvolutionTest {

    static Stream<Arguments> geometries() {
        return Stream.of(
                Arguments.of(Padding.VALID, 1, 1, 3, 3), Arguments.of(Padding.VALID, 2, 2, 3, 3),
                Arguments.of(Padding.VALID, 1, 2, 2, 3), Arguments.of(Padding.SAME, 1, 1, 3, 3),
                Arguments.of(Padding.SAME, 2, 2, 3, 3), Arguments.of(Padding.SAME, 2, 1, 2, 2),
                Arguments.of(Padding.SAME, 3, 3, 2, 2));
    }

    /** The definition: out[b,y,x,f] = Σ_{ky,kx,c} in[b, y·s-pt+ky, x·s-pl+kx, c] · k[ky,kx,c,f], zero outside. */
    static float[] naiveConv(float[] in, int[] xs, float[] k, int[] ks, Window2d g) {
        int f = ks[3];
        float[] out = new float[g.batch() * g.outHeight() * g.outWidth() * f];
        for (int b = 0; b < g.batch(); b++) {
            for (int oy = 0; oy < g.outHeight(); oy++) {
                for (int ox = 0; ox < g.outWidth(); ox++) {
                    for (int o = 0; o < f; o++) {
                        double s = 0;
                        for (int ky = 0; ky < ks[0]; ky++) {
                            for (int kx = 0; kx < ks[1]; kx++) {
                                int iy = oy * g.strideHeight() - g.padTop() + ky;
                                int ix = ox * g.strideWidth() - g.padLeft() + kx;
                                if (iy < 0 || ix < 0 || iy >= xs[1] || ix >= xs[2]) {
                                    continue;
                                }
                                for (int c = 0; c < xs[3]; c++) {
                                    s += in[((b * xs[1] + iy) * xs[2] + ix) * xs[3] + c] * k[((ky * ks[1] + kx) * ks[2] + c) * f + o];
                                }
                            }
                        }
                        out[((b * g.outHeight() + oy) * g.outWidth() + ox) * f + o] = (float) s;
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} stride {1}x{2} kernel {3}x{4}")
    @MethodSource("geometries")
    void convolutionMatchesNaiveLoopsAndFiniteDifferences(Padding padding, int sh, int sw, int kh, int kw) {
        int[] xs = {2, 5, 6, 3};
        int[] ks = {kh, kw, 3, 4};
        Tensor x = Tensor.uniform(xs, -1f, 1f, 1);
        Tensor k = Tensor.uniform(ks, -1f, 1f, 2);
        Window2d g = Window2d.of(2, 5, 6, 3, kh, kw, sh, sw, padding);
        Tensor y = Functional.conv2d(x, k, sh, sw, padding);
        assertArrayEquals(new int[] {2, g.outHeight(), g.outWidth(), 4}, y.shape());
        assertArrayEquals(naiveConv(x.toArray(), xs, k.toArray(), ks, g), y.toArray(), 1e-5f);
        GradientCheck.standard().check("conv2d " + padding, in -> Functional.conv2d(in.get(0), in.get(1), sh, sw, padding), x, k);
    }

    static Stream<Arguments> fusedShapes() {
        // input, filters, padding: the direct kernel (shallow windows) and im2col + SGEMM (576 columns)
        return Stream.of(Arguments.of(new int[] {3, 12, 11, 2}, 20, Padding.SAME),
                Arguments.of(new int[] {2, 9, 8, 64}, 16, Padding.VALID));
    }

    /**
     * The fused convolution (bias and ReLU in its own pass) gives the values and the gradients of
     * conv2d, add and relu one after another, bit for bit, and checks against finite differences.
     */
    @ParameterizedTest(name = "{0} -> {1} {2}")
    @MethodSource("fusedShapes")
    void fusedBiasAndReluAreTheSeparateOperationsBitForBit(int[] xs, int filters, Padding padding) {
        for (boolean relu : new boolean[] {false, true}) {
            for (boolean withBias : new boolean[] {false, true}) {
                Tensor x = Tensor.uniform(xs, -1f, 1f, 31).requiresGrad(true);
                Tensor k = Tensor.uniform(new int[] {3, 3, xs[3], filters}, -0.5f, 0.5f, 32).requiresGrad(true);
                Tensor b = withBias ? Tensor.uniform(new int[] {filters}, -0.5f, 0.5f, 33).requiresGrad(true) : null;
                float[][] fusedGrads = gradients(Functional.conv2d(x, k, b, relu, 1, 1, padding), x, k, b);
                float[] fused = Functional.conv2d(x, k, b, relu, 1, 1, padding).toArray();
                Tensor y = Functional.conv2d(x, k, 1, 1, padding);
                y = withBias ? y.add(b) : y;
                y = relu ? y.relu() : y;
                String what = "relu=" + relu + " bias=" + withBias;
                assertArrayEquals(y.toArray(), fused, 0f, what);
                float[][] separateGrads = gradients(y, x, k, b);
                for (int i = 0; i < fusedGrads.length; i++) {
                    if (fusedGrads[i] != null) {
                        assertArrayEquals(separateGrads[i], fusedGrads[i], 0f, what + " gradient " + i);
                    }
                }
            }
        }
        // (finite differences across ReLU's kink are no reference; the ReLU's gradient is checked above,
        // bit for bit against the separate relu's, which has its own finite-difference check)
        Tensor x = Tensor.uniform(new int[] {2, 5, 6, 3}, -1f, 1f, 34);
        GradientCheck.standard().check("fused conv2d", in -> Functional.conv2d(in.get(0), in.get(1), in.get(2), false, 1, 1,
                padding), x, Tensor.uniform(new int[] {3, 3, 3, 4}, -1f, 1f, 35), Tensor.uniform(new int[] {4}, -0.5f, 0.5f, 36));
    }

    private static float[][] gradients(Tensor y, Tensor... in) {
        for (Tensor t : in) {
            if (t != null) {
                t.zeroGrad();
            }
        }
        y.backward(Tensor.uniform(y.shape(), -1f, 1f, 37));
        float[][] g = new float[in.length][];
        for (int i = 0; i < in.length; i++) {
            g[i] = in[i] == null ? null : in[i].grad().toArray();
        }
        return g;
    }

    @Test
    void batchesWhoseColumnsSpanSeveralChunksGiveTheSameResults() {
        // 40 images of 64×64×8 with a 3×3 kernel make 44 MB of columns: two chunks of at most 32 MiB
        int[] xs = {40, 64, 64, 8};
        int[] ks = {3, 3, 8, 4};
        Tensor x = Tensor.uniform(xs, -1f, 1f, 21);
        Tensor k = Tensor.uniform(ks, -1f, 1f, 22).requiresGrad(true);
        Window2d g = Window2d.of(40, 64, 64, 8, 3, 3, 1, 1, Padding.VALID);
        Tensor y = Functional.conv2d(x, k, 1, 1, Padding.VALID);
        assertArrayEquals(naiveConv(x.toArray(), xs, k.toArray(), ks, g), y.toArray(), 1e-4f);
        Tensor gy = Tensor.uniform(y.shape(), -1f, 1f, 23);
        y.backward(gy);
        float[] xv = x.toArray();
        float[] gv = gy.toArray();
        double[] expected = new double[3 * 3 * 8 * 4];
        for (int b = 0; b < 40; b++) {
            for (int oy = 0; oy < 62; oy++) {
                for (int ox = 0; ox < 62; ox++) {
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            for (int c = 0; c < 8; c++) {
                                double v = xv[((b * 64 + oy + ky) * 64 + ox + kx) * 8 + c];
                                for (int f = 0; f < 4; f++) {
                                    expected[((ky * 3 + kx) * 8 + c) * 4 + f] += v * gv[((b * 62 + oy) * 62 + ox) * 4 + f];
                                }
                            }
                        }
                    }
                }
            }
        }
        float[] got = k.grad().toArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 1e-3 * Math.max(1, Math.abs(expected[i])), "kernel gradient " + i);
        }
    }

    @Test
    void sameConvolutionKeepsSpatialSizeAtStrideOneAndRoundsUpOtherwise() {
        assertArrayEquals(new int[] {28, 28, 8}, new Conv2D(8, new int[] {3, 3}, new int[] {1, 1}, "same", Activation.RELU, true)
                .computeOutputShape(new int[] {28, 28, 1}));
        assertArrayEquals(new int[] {14, 14, 8}, new Conv2D(8, new int[] {3, 3}, new int[] {2, 2}, "same", Activation.RELU, true)
                .computeOutputShape(new int[] {28, 28, 1}));
        assertArrayEquals(new int[] {26, 26, 32}, new Conv2D(32, 3).computeOutputShape(new int[] {28, 28, 1}));
    }

    static float[] naiveMaxPool(float[] in, int[] xs, Window2d g) {
        int c = xs[3];
        float[] out = new float[g.batch() * g.outHeight() * g.outWidth() * c];
        for (int b = 0; b < g.batch(); b++) {
            for (int oy = 0; oy < g.outHeight(); oy++) {
                for (int ox = 0; ox < g.outWidth(); ox++) {
                    for (int ch = 0; ch < c; ch++) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int ky = 0; ky < g.windowHeight(); ky++) {
                            for (int kx = 0; kx < g.windowWidth(); kx++) {
                                int iy = oy * g.strideHeight() - g.padTop() + ky;
                                int ix = ox * g.strideWidth() - g.padLeft() + kx;
                                if (iy >= 0 && ix >= 0 && iy < xs[1] && ix < xs[2]) {
                                    m = Math.max(m, in[((b * xs[1] + iy) * xs[2] + ix) * c + ch]);
                                }
                            }
                        }
                        out[((b * g.outHeight() + oy) * g.outWidth() + ox) * c + ch] = m;
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} stride {1}x{2} pool {3}x{4}")
    @MethodSource("geometries")
    void maxPoolingMatchesNaiveLoopsAndFiniteDifferences(Padding padding, int sh, int sw, int ph, int pw) {
        int[] xs = {2, 5, 6, 3};
        // distinct values so every window has one winner and finite differences do not cross a tie
        float[] v = new float[2 * 5 * 6 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = ((i * 37) % v.length) / (float) v.length - 0.5f;
        }
        Tensor x = Tensor.of(v, xs);
        Window2d g = Window2d.of(2, 5, 6, 3, ph, pw, sh, sw, padding);
        Tensor y = Functional.maxPool2d(x, ph, pw, sh, sw, padding);
        assertArrayEquals(naiveMaxPool(v, xs, g), y.toArray(), 0f);
        GradientCheck.standard().withEpsilon(1e-3).check("max_pool2d " + padding,
                in -> Functional.maxPool2d(in.get(0), ph, pw, sh, sw, padding), x);
    }

    @Test
    void maxPoolingDefaultsStridesToThePoolSize() {
        assertArrayEquals(new int[] {13, 13, 32}, new MaxPooling2D(2).computeOutputShape(new int[] {26, 26, 32}));
    }

    @Test
    void convolutionRejectsAChannelMismatchNamingBothShapes() {
        var e = assertThrows(ShapeMismatchException.class,
                () -> Functional.conv2d(Tensor.zeros(1, 5, 5, 3), Tensor.zeros(3, 3, 2, 4), 1, 1, Padding.VALID));
        assertTrue(e.getMessage().contains("[1, 5, 5, 3]") && e.getMessage().contains("[3, 3, 2, 4]"), e.getMessage());
        var tooSmall = assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2d(Tensor.zeros(1, 2, 2, 1), Tensor.zeros(3, 3, 1, 1), 1, 1, Padding.VALID));
        assertTrue(tooSmall.getMessage().contains("2x2"), tooSmall.getMessage());
    }

    @Test
    void cnnOfTheImageSampleBuildsAndReportsKerasShapesAndCounts() {
        try (var model = new dev.isthmus.nn.model.Sequential(new Conv2D(32, 3, Activation.RELU), new MaxPooling2D(2),
                new Flatten(), new Dense(128, Activation.RELU), new Dense(10, Activation.SOFTMAX))) {
            model.build(28, 28, 1);
            String s = model.summary();
            assertTrue(s.contains("(None, 26, 26, 32)") && s.contains("320"), s);
            assertTrue(s.contains("(None, 13, 13, 32)") && s.contains("(None, 5408)") && s.contains("692352"), s);
            assertTrue(s.contains("Total params: 693962"), s);
            Tensor out = model.predict(Tensor.uniform(new int[] {3, 28, 28, 1}, 0f, 1f, 3));
            assertArrayEquals(new int[] {3, 10}, out.shape());
            assertEquals(3f, out.sum().item(), 1e-4f);
            var e = assertThrows(ShapeMismatchException.class, () -> model.predict(Tensor.zeros(1, 28, 28, 3)));
            assertTrue(e.getMessage().contains("[28, 28, 1]") && e.getMessage().contains("[28, 28, 3]"), e.getMessage());
        }
    }
}
