package dev.isthmus.nn.tensor;

import dev.isthmus.nn.backend.Window2d;
import java.util.Arrays;

/**
 * Differentiable fused operations that layers are made of (convolution, pooling, LSTM), each a
 * backend primitive forward with its own backward, like {@code torch.nn.functional}.
 */
public final class Functional {
    private Functional() {
    }

    /** Channels-last convolution: x [n, h, w, c] with kernel [kh, kw, c, f] → [n, oh, ow, f]. */
    public static Tensor conv2d(Tensor x, Tensor kernel, int strideH, int strideW, Window2d.Padding padding) {
        if (x.rank() != 4 || kernel.rank() != 4 || kernel.size(2) != x.size(3)) {
            throw ShapeMismatchException.of("conv2d", x.shape(), kernel.shape(),
                    "do not fit: expected input [n, h, w, c] and kernel [kh, kw, c, filters] with the same c");
        }
        x.checkSameDevice("conv2d", kernel);
        x.requireFloat("conv2d");
        kernel.requireFloat("conv2d");
        Window2d g = Window2d.of(x.size(0), x.size(1), x.size(2), x.size(3), kernel.size(0), kernel.size(1),
                strideH, strideW, padding);
        Tensor out = Tensor.like(x, new int[] {x.size(0), g.outHeight(), g.outWidth(), kernel.size(3)});
        x.backend().conv2d(x, kernel, g, out);
        return Tensor.record(out, "conv2d", gy -> {
            Tensor gx = null;
            Tensor gk = null;
            if (x.requiresGrad()) {
                gx = Tensor.like(x, x.shape());
                x.backend().conv2dBackwardData(gy, kernel, g, gx);
            }
            if (kernel.requiresGrad()) {
                gk = Tensor.like(kernel, kernel.shape());
                x.backend().conv2dBackwardFilter(x, gy, g, gk);
            }
            return new Tensor[] {gx, gk};
        }, x, kernel);
    }

    /** Channels-last max pooling: x [n, h, w, c] → [n, oh, ow, c]. */
    public static Tensor maxPool2d(Tensor x, int poolH, int poolW, int strideH, int strideW, Window2d.Padding padding) {
        if (x.rank() != 4) {
            throw new ShapeMismatchException("maxPool2d: expected input [n, h, w, c], got " + Shapes.str(x.shape()));
        }
        x.requireFloat("maxPool2d");
        Window2d g = Window2d.of(x.size(0), x.size(1), x.size(2), x.size(3), poolH, poolW, strideH, strideW, padding);
        Tensor out = Tensor.like(x, new int[] {x.size(0), g.outHeight(), g.outWidth(), x.size(3)});
        x.backend().maxPool2d(x, g, out);
        return Tensor.record(out, "max_pool2d", gy -> {
            Tensor gx = Tensor.like(x, x.shape());
            x.backend().maxPool2dBackward(x, gy, g, gx);
            return new Tensor[] {gx};
        }, x);
    }

    /**
     * A Keras LSTM over x [n, t, d] (gates i, f, c, o; kernel [d, 4u], recurrent [u, 4u], bias
     * [4u]). Returns [n, t, 2u]: the hidden state of every step in [:, :, :u], and the cell state
     * of the last step in [:, t-1, u:]; the other steps' cell slots are zero, with no gradient
     * (the same on every backend: cuDNN's RNN returns no other cell state). Where {@code mask}
     * [n, t] is 0 the step is padding and both states carry over unchanged.
     */
    public static Tensor lstm(Tensor x, Tensor mask, Tensor kernel, Tensor recurrent, Tensor bias) {
        if (x.rank() != 3) {
            throw new ShapeMismatchException("lstm: expected input [batch, time, features], got " + Shapes.str(x.shape()));
        }
        int units = recurrent.size(0);
        if (kernel.rank() != 2 || kernel.size(0) != x.size(2) || kernel.size(1) != 4 * units
                || !Arrays.equals(recurrent.shape(), new int[] {units, 4 * units})
                || !Arrays.equals(bias.shape(), new int[] {4 * units})) {
            throw ShapeMismatchException.of("lstm", x.shape(), kernel.shape(), "do not fit (input vs kernel): expected kernel ["
                    + x.size(2) + ", 4u], recurrent [u, 4u], bias [4u]; got recurrent " + Shapes.str(recurrent.shape())
                    + ", bias " + Shapes.str(bias.shape()));
        }
        if (mask != null && !Arrays.equals(mask.shape(), new int[] {x.size(0), x.size(1)})) {
            throw ShapeMismatchException.of("lstm mask", x.shape(), mask.shape(), "do not fit: the mask must be [batch, time]");
        }
        for (Tensor t : new Tensor[] {x, kernel, recurrent, bias, mask}) {
            if (t != null) {
                t.requireFloat("lstm");
            }
        }
        int n = x.size(0);
        int t = x.size(1);
        Tensor hc = Tensor.like(x, new int[] {n, t, 2 * units});
        Tensor gates = Tensor.like(x, new int[] {n, t, 4 * units});
        boolean forBackward = dev.isthmus.nn.autograd.GradMode.isEnabled()
                && (x.requiresGrad() || kernel.requiresGrad() || recurrent.requiresGrad() || bias.requiresGrad());
        x.backend().lstmForward(x, mask, kernel, recurrent, bias, hc, gates, forBackward);
        return Tensor.record(hc, "lstm", g -> {
            Tensor gx = Tensor.like(x, x.shape());
            Tensor gk = Tensor.like(kernel, kernel.shape());
            Tensor gr = Tensor.like(recurrent, recurrent.shape());
            Tensor gb = Tensor.like(bias, bias.shape());
            x.backend().lstmBackward(x, mask, kernel, recurrent, hc, gates, g, gx, gk, gr, gb);
            return new Tensor[] {gx, gk, gr, gb};
        }, x, kernel, recurrent, bias);
    }
}
