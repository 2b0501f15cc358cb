package dev.isthmus.nn.layers;

import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.tensor.Functional;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code AveragePooling2D(pool_size, strides, padding)}, channels-last: the mean of each
 * window (strides default to the pool size). With "same" padding the padded zeros are not counted:
 * each mean divides by the window's positions inside the image, as TensorFlow's {@code avg_pool}.
 * Non-overlapping "valid" windows are a reshape and a mean; other geometries a convolution with a
 * fixed summing kernel, divided by each window's count.
 */
public final class AveragePooling2D extends Layer {
    private final int poolH;
    private final int poolW;
    private final int strideH;
    private final int strideW;
    private final Window2d.Padding padding;

    /** Square windows of {@code poolSize}, stride {@code poolSize}, "valid". */
    public AveragePooling2D(int poolSize) {
        this(new int[] {poolSize, poolSize}, new int[] {poolSize, poolSize}, "valid");
    }

    /** @throws IllegalArgumentException for a non-positive size or stride or an unknown padding */
    public AveragePooling2D(int[] poolSize, int[] strides, String padding) {
        if (poolSize.length != 2 || strides.length != 2 || poolSize[0] <= 0 || poolSize[1] <= 0 || strides[0] <= 0
                || strides[1] <= 0) {
            throw new IllegalArgumentException("AveragePooling2D needs positive 2-D pool size and strides, got "
                    + java.util.Arrays.toString(poolSize) + " and " + java.util.Arrays.toString(strides));
        }
        this.poolH = poolSize[0];
        this.poolW = poolSize[1];
        this.strideH = strides[0];
        this.strideW = strides[1];
        this.padding = Window2d.Padding.of(padding);
    }

    private Window2d window(int[] s) {
        return Window2d.of(1, s[0], s[1], s[2], poolH, poolW, strideH, strideW, padding);
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 3) {
            throw new IllegalArgumentException("AveragePooling2D expects [height, width, channels] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        Window2d g = window(s);
        return new int[] {g.outHeight(), g.outWidth(), s[2]};
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return average(x, poolH, poolW, strideH, strideW, padding);
    }

    static Tensor average(Tensor x, int poolH, int poolW, int strideH, int strideW, Window2d.Padding padding) {
        int n = x.size(0);
        int c = x.size(3);
        Window2d g = Window2d.of(n, x.size(1), x.size(2), c, poolH, poolW, strideH, strideW, padding);
        int oh = g.outHeight();
        int ow = g.outWidth();
        if (padding == Window2d.Padding.VALID && strideH == poolH && strideW == poolW) {
            Tensor inside = x.slice(1, 0, oh * poolH).slice(2, 0, ow * poolW);
            return inside.reshape(n, oh, poolH, ow, poolW, c).mean(2, 4);
        }
        // each channel's window sums: the channels as images of one channel each, convolved with a
        // window of ones (not a c x c kernel that is zero off its diagonal: c times the work)
        int h = x.size(1);
        int w = x.size(2);
        Tensor planes = x.permute(0, 3, 1, 2).reshape(n * c, h, w, 1);
        Tensor sums = Functional.conv2d(planes, Tensor.full(x.device(), 1f, poolH, poolW, 1, 1), strideH, strideW, padding)
                .reshape(n, c, oh, ow).permute(0, 2, 3, 1);
        Tensor ones = Tensor.full(x.device(), 1f, 1, x.size(1), x.size(2), 1);
        Tensor counts = Functional.conv2d(ones, Tensor.full(x.device(), 1f, poolH, poolW, 1, 1), strideH, strideW, padding);
        return sums.div(counts);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("pool_size", List.of(poolH, poolW));
        c.put("strides", List.of(strideH, strideW));
        c.put("padding", padding.name().toLowerCase(java.util.Locale.ROOT));
        return c;
    }
}
