package dev.isthmus.nn.tensor;

import dev.isthmus.nn.autograd.Node;
import dev.isthmus.nn.backend.ReduceOp;
import dev.isthmus.nn.backend.UnaryOp;
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
        Window2d g = convolutionWindow(x, kernel, strideH, strideW, padding);
        Tensor out = Tensor.like(x, new int[] {x.size(0), g.outHeight(), g.outWidth(), kernel.size(3)});
        x.backend().conv2d(x, kernel, g, out);
        return Tensor.record(out, "conv2d", gy -> convolutionGradients(x, kernel, g, gy), x, kernel);
    }

    /** The checked geometry of convolving x [n, h, w, c] with kernel [kh, kw, c, f]. */
    private static Window2d convolutionWindow(Tensor x, Tensor kernel, int strideH, int strideW, Window2d.Padding padding) {
        if (x.rank() != 4 || kernel.rank() != 4 || kernel.size(2) != x.size(3)) {
            throw ShapeMismatchException.of("conv2d", x.shape(), kernel.shape(),
                    "do not fit: expected input [n, h, w, c] and kernel [kh, kw, c, filters] with the same c");
        }
        x.checkSameDevice("conv2d", kernel);
        x.requireFloat("conv2d");
        kernel.requireFloat("conv2d");
        return Window2d.of(x.size(0), x.size(1), x.size(2), x.size(3), kernel.size(0), kernel.size(1),
                strideH, strideW, padding);
    }

    /** {gx, gk} of a convolution from the gradient of its (pre-activation) output; null where none is needed. */
    private static Tensor[] convolutionGradients(Tensor x, Tensor kernel, Window2d g, Tensor gy) {
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
    }

    /**
     * {@code relu?(conv2d(x, kernel) + bias)}: the convolution with its bias [f] (null for none) and
     * optional ReLU, the same values and gradients as the three operations, in one pass where the
     * backend fuses them (the CPU) and as the three otherwise.
     */
    public static Tensor conv2d(Tensor x, Tensor kernel, Tensor bias, boolean relu, int strideH, int strideW,
                                Window2d.Padding padding) {
        if (!x.backend().fusesConv2dEpilogue()) {
            Tensor y = conv2d(x, kernel, strideH, strideW, padding);
            if (bias != null) {
                y = y.add(bias);
            }
            return relu ? y.relu() : y;
        }
        Window2d g = convolutionWindow(x, kernel, strideH, strideW, padding);
        if (bias != null && (bias.rank() != 1 || bias.size(0) != kernel.size(3))) {
            throw ShapeMismatchException.of("conv2d bias", kernel.shape(), bias.shape(),
                    "do not fit: expected a bias [filters] for the kernel's filters");
        }
        if (bias != null) {
            x.checkSameDevice("conv2d", bias);
            bias.requireFloat("conv2d");
        }
        Tensor out = Tensor.like(x, new int[] {x.size(0), g.outHeight(), g.outWidth(), kernel.size(3)});
        x.backend().conv2d(x, kernel, bias, relu, g, out);
        Node.Backward backward = gy -> {
            Tensor pre = gy;
            if (relu) {
                // the output's sign is the pre-activation's (ReLU keeps positives, NaNs and nothing else)
                pre = Tensor.like(gy, gy.shape());
                x.backend().unaryBackward(UnaryOp.RELU, out, out, gy, 0, 0, pre);
            }
            Tensor[] gxk = convolutionGradients(x, kernel, g, pre);
            if (bias == null) {
                return gxk;
            }
            Tensor gb = null;
            if (bias.requiresGrad()) {
                gb = Tensor.like(bias, bias.shape());
                x.backend().reduce(ReduceOp.SUM, pre, new int[] {0, 1, 2}, gb);
            }
            return new Tensor[] {gxk[0], gxk[1], gb};
        };
        String op = bias == null ? relu ? "conv2d_relu" : "conv2d" : relu ? "conv2d_bias_relu" : "conv2d_bias";
        return bias == null ? Tensor.record(out, op, backward, x, kernel) : Tensor.record(out, op, backward, x, kernel, bias);
    }

    /**
     * Layer normalization over the last axis, Keras's formula: {@code (x − mean) / sqrt(var + epsilon)
     * · gamma + beta} per row with the biased variance; gamma and beta ([features]) may each be null.
     * One pass forward and one backward where the backend fuses it (the CPU); elsewhere the
     * composition of differentiable tensor ops ({@link #layerNormComposed}), equal to float rounding.
     */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float epsilon) {
        x.requireFloat("layerNorm");
        if (x.rank() < 1) {
            throw new ShapeMismatchException("layerNorm: needs at least one axis, got a scalar");
        }
        int c = x.size(-1);
        for (Tensor p : new Tensor[] {gamma, beta}) {
            if (p != null) {
                x.checkSameDevice("layerNorm", p);
                p.requireFloat("layerNorm");
                if (!Arrays.equals(p.shape(), new int[] {c})) {
                    throw ShapeMismatchException.of("layerNorm", x.shape(), p.shape(),
                            "do not fit: gamma and beta must be [features] of the input's last axis");
                }
            }
        }
        if (!x.backend().fusesLayerNorm() || x.numel() == 0) {
            return layerNormComposed(x, gamma, beta, epsilon);
        }
        int rows = (int) (x.numel() / c);
        Tensor y = Tensor.like(x, x.shape());
        Tensor mean = Tensor.like(x, new int[] {rows});
        Tensor rstd = Tensor.like(x, new int[] {rows});
        x.backend().layerNorm(x, gamma, beta, epsilon, y, mean, rstd);
        Tensor[] inputs = java.util.stream.Stream.of(x, gamma, beta).filter(java.util.Objects::nonNull)
                .toArray(Tensor[]::new);
        return Tensor.record(y, "layer_norm", g -> {
            Tensor gx = Tensor.like(x, x.shape());
            Tensor gGamma = gamma != null && gamma.requiresGrad() ? Tensor.like(gamma, gamma.shape()) : null;
            Tensor gBeta = beta != null && beta.requiresGrad() ? Tensor.like(beta, beta.shape()) : null;
            x.backend().layerNormBackward(g, x, gamma, mean, rstd, gx, gGamma, gBeta);
            Tensor[] grads = new Tensor[inputs.length];
            int i = 0;
            grads[i++] = gx;
            if (gamma != null) {
                grads[i++] = gGamma;
            }
            if (beta != null) {
                grads[i] = gBeta;
            }
            return grads;
        }, inputs);
    }

    /** {@link #layerNorm} composed of differentiable tensor operations (any backend). */
    static Tensor layerNormComposed(Tensor x, Tensor gamma, Tensor beta, float epsilon) {
        int[] last = {x.rank() - 1};
        Tensor centred = x.sub(x.mean(last, true));
        Tensor variance = centred.square().mean(last, true);
        Tensor y = centred.div(variance.add(epsilon).sqrt());
        if (gamma != null) {
            y = y.mul(gamma);
        }
        if (beta != null) {
            y = y.add(beta);
        }
        return y;
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
