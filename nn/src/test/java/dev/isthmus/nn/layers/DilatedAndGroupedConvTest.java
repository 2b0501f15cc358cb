package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Conv2D's dilation_rate and groups against the convolution's definition, finite differences and the config. */
class DilatedAndGroupedConvTest {
    /** The definition in double: taps rate apart, each group's filters over its channels, TensorFlow's padding. */
    private static double[] naive(float[] x, int n, int h, int w, int c, float[] k, int kh, int kw, int f, int rate,
                                  int groups, boolean same, float[] bias) {
        int eh = (kh - 1) * rate + 1;
        int ew = (kw - 1) * rate + 1;
        int oh = same ? h : h - eh + 1;
        int ow = same ? w : w - ew + 1;
        int pt = same ? (eh - 1) / 2 : 0;
        int pl = same ? (ew - 1) / 2 : 0;
        int cg = c / groups;
        int fg = f / groups;
        double[] y = new double[n * oh * ow * f];
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int o = 0; o < f; o++) {
                        int g = o / fg;
                        double s = bias[o];
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                int iy = oy - pt + ky * rate;
                                int ix = ox - pl + kx * rate;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    continue;
                                }
                                for (int ci = 0; ci < cg; ci++) {
                                    s += x[((b * h + iy) * w + ix) * c + g * cg + ci] * k[((ky * kw + kx) * cg + ci) * f + o];
                                }
                            }
                        }
                        y[((b * oh + oy) * ow + ox) * f + o] = s;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void dilationAndGroupsAreTheConvolutionsDefinition() throws Exception {
        Tensor x = Tensor.uniform(new int[] {2, 9, 8, 4}, -1, 1, 1);
        int[][] cases = {{2, 1}, {1, 2}, {3, 4}, {2, 2}};
        for (int[] cs : cases) {
            for (String padding : new String[] {"valid", "same"}) {
                int rate = cs[0];
                int groups = cs[1];
                try (Scope s = Scope.open("test")) {
                    Conv2D conv = new Conv2D(8, new int[] {3, 3}, new int[] {1, 1}, padding, Activation.LINEAR, true)
                            .dilationRate(rate, rate).groups(groups);
                    conv.build(new int[] {9, 8, 4}, s, 2);
                    assertArrayEquals(new int[] {3, 3, 4 / groups, 8}, conv.parameters().get("kernel").shape());
                    float[] bias = Tensor.uniform(new int[] {8}, -1, 1, 3).toArray();
                    conv.setWeights(conv.parameters().get("kernel").toArray(), bias);
                    float[] got = conv.call(x, false).toArray();
                    double[] want = naive(x.toArray(), 2, 9, 8, 4, conv.parameters().get("kernel").toArray(), 3, 3, 8, rate,
                            groups, padding.equals("same"), bias);
                    assertEquals(want.length, got.length);
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i], got[i], 1e-5, "rate " + rate + " groups " + groups + " " + padding + " " + i);
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> config = (Map<String, Object>) dev.isthmus.nn.io.Json.parse(
                            dev.isthmus.nn.io.Json.write(conv.config()));
                    Layer again = Layers.fromConfig("Conv2D", config);
                    again.build(new int[] {9, 8, 4}, s, 5);
                    again.setWeights(conv.getWeights());
                    assertArrayEquals(got, again.call(x, false).toArray(), 0f);
                }
            }
        }
        try (Scope s = Scope.open("gradient")) {
            Conv2D conv = new Conv2D(4, new int[] {2, 2}, new int[] {1, 1}, "same", Activation.TANH, true).dilationRate(2, 1)
                    .groups(2);
            conv.build(new int[] {5, 5, 2}, s, 1);
            GradientCheck.standard().check("dilated grouped conv2d", in -> conv.call(in.get(0), true),
                    Tensor.uniform(new int[] {1, 5, 5, 2}, -1, 1, 4), conv.parameters().get("kernel"));
        }
        assertThrows(IllegalArgumentException.class,
                () -> new Conv2D(4, new int[] {3, 3}, new int[] {2, 2}, "valid", Activation.LINEAR, true).dilationRate(2, 2));
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(6, 3).groups(4));
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(4, 3).groups(4).computeOutputShape(new int[] {5, 5, 6}));
    }
}
