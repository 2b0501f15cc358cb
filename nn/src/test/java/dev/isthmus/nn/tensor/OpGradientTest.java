package dev.isthmus.nn.tensor;

import dev.isthmus.cuda.RequiresGpu;
import dev.isthmus.nn.testkit.BackendParity;
import dev.isthmus.nn.testkit.GradientCheck;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every differentiable op against central finite differences on the CPU backend, and, where a
 * GPU is present, the same op on the CUDA backend against the CPU (outputs and gradients).
 */
class OpGradientTest {

    private static long seed = 1;

    static Tensor rand(int... shape) {
        return Tensor.uniform(shape, -1f, 1f, seed++);
    }

    static Tensor positive(int... shape) {
        return Tensor.uniform(shape, 0.5f, 2f, seed++);
    }

    /** Values at least 0.1 away from zero, so kinks (relu, abs) are not straddled by the difference. */
    static Tensor awayFromZero(int... shape) {
        float[] v = rand(shape).toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.copySign(0.1f + Math.abs(v[i]), v[i]);
        }
        return Tensor.of(v, shape);
    }

    static Tensor labels(int n, int classes) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i * 7 + 3) % classes;
        }
        return Tensor.of(v, n);
    }

    private static Arguments op(String name, Function<List<Tensor>, Tensor> f, Supplier<Tensor[]> inputs) {
        return Arguments.of(name, f, inputs);
    }

    static Stream<Arguments> ops() {
        return Stream.of(
                op("matmul 2d", in -> in.get(0).matmul(in.get(1)), () -> new Tensor[] {rand(3, 4), rand(4, 5)}),
                op("matmul batched", in -> in.get(0).matmul(in.get(1)), () -> new Tensor[] {rand(2, 3, 4), rand(2, 4, 2)}),
                op("matmul batched x matrix", in -> in.get(0).matmul(in.get(1)), () -> new Tensor[] {rand(2, 3, 4), rand(4, 2)}),
                op("matmul matrix x batched", in -> in.get(0).matmul(in.get(1)), () -> new Tensor[] {rand(3, 4), rand(2, 4, 2)}),
                op("add same shape", in -> in.get(0).add(in.get(1)), () -> new Tensor[] {rand(2, 3), rand(2, 3)}),
                op("add bias broadcast", in -> in.get(0).add(in.get(1)), () -> new Tensor[] {rand(4, 3), rand(3)}),
                op("add outer broadcast", in -> in.get(0).add(in.get(1)), () -> new Tensor[] {rand(2, 1), rand(1, 3)}),
                op("add scalar tensor", in -> in.get(0).add(in.get(1)), () -> new Tensor[] {rand(), rand(2, 3)}),
                op("sub broadcast rank 3", in -> in.get(0).sub(in.get(1)), () -> new Tensor[] {rand(4, 1, 3), rand(2, 1)}),
                op("mul broadcast", in -> in.get(0).mul(in.get(1)), () -> new Tensor[] {rand(2, 3, 4), rand(3, 1)}),
                op("mul self", in -> in.get(0).mul(in.get(0)), () -> new Tensor[] {rand(5)}),
                op("div broadcast", in -> in.get(0).div(in.get(1)), () -> new Tensor[] {rand(3, 4), positive(1, 4)}),
                op("neg", in -> in.get(0).neg(), () -> new Tensor[] {rand(2, 3)}),
                op("exp", in -> in.get(0).exp(), () -> new Tensor[] {rand(2, 3)}),
                op("log", in -> in.get(0).log(), () -> new Tensor[] {positive(2, 3)}),
                op("sqrt", in -> in.get(0).sqrt(), () -> new Tensor[] {positive(2, 3)}),
                op("pow 3", in -> in.get(0).pow(3f), () -> new Tensor[] {rand(2, 3)}),
                op("pow -0.5", in -> in.get(0).pow(-0.5f), () -> new Tensor[] {positive(2, 3)}),
                op("abs", in -> in.get(0).abs(), () -> new Tensor[] {awayFromZero(2, 3)}),
                op("relu", in -> in.get(0).relu(), () -> new Tensor[] {awayFromZero(3, 3)}),
                op("leaky relu", in -> in.get(0).leakyRelu(0.1f), () -> new Tensor[] {awayFromZero(3, 3)}),
                op("sigmoid", in -> in.get(0).sigmoid(), () -> new Tensor[] {rand(2, 3)}),
                op("tanh", in -> in.get(0).tanh(), () -> new Tensor[] {rand(2, 3)}),
                op("clamp", in -> in.get(0).clamp(-0.5f, 0.5f), () -> new Tensor[] {Tensor.of(new float[] {-0.9f, -0.3f, 0.1f, 0.4f, 0.8f, 0.25f}, 2, 3)}),
                op("scalar affine", in -> in.get(0).mul(3f).add(1f).div(2f).sub(0.5f), () -> new Tensor[] {rand(2, 2)}),
                op("square", in -> in.get(0).square(), () -> new Tensor[] {rand(3)}),
                op("softmax last axis", in -> in.get(0).softmax(-1), () -> new Tensor[] {rand(3, 4)}),
                op("softmax axis 0", in -> in.get(0).softmax(0), () -> new Tensor[] {rand(3, 4)}),
                op("log softmax", in -> in.get(0).logSoftmax(-1), () -> new Tensor[] {rand(2, 5)}),
                op("sum all", in -> in.get(0).sum(), () -> new Tensor[] {rand(2, 3)}),
                op("sum axis 1", in -> in.get(0).sum(1), () -> new Tensor[] {rand(2, 3, 4)}),
                op("sum axes 0,2 keepdims", in -> in.get(0).sum(new int[] {0, 2}, true), () -> new Tensor[] {rand(2, 3, 4)}),
                op("mean axis -1", in -> in.get(0).mean(-1), () -> new Tensor[] {rand(3, 4)}),
                op("mean all", in -> in.get(0).mean(), () -> new Tensor[] {rand(3, 4)}),
                op("max axis 1", in -> in.get(0).max(1), () -> new Tensor[] {rand(3, 5)}),
                op("max all keepdims", in -> in.get(0).max(new int[] {}, true), () -> new Tensor[] {rand(2, 3)}),
                op("reshape", in -> in.get(0).reshape(3, -1).mul(in.get(0).reshape(3, 2)), () -> new Tensor[] {rand(2, 3)}),
                op("transpose", in -> in.get(0).transpose(), () -> new Tensor[] {rand(2, 3)}),
                op("permute", in -> in.get(0).permute(2, 0, 1), () -> new Tensor[] {rand(2, 3, 4)}),
                op("concat axis 1", in -> Tensor.concat(1, in.get(0), in.get(1)), () -> new Tensor[] {rand(2, 3), rand(2, 2)}),
                op("concat axis 0", in -> Tensor.concat(0, in.get(0), in.get(1)), () -> new Tensor[] {rand(1, 3), rand(2, 3)}),
                op("slice", in -> in.get(0).slice(1, 1, 3), () -> new Tensor[] {rand(2, 4, 2)}),
                op("index select repeated rows", in -> in.get(0).indexSelect(0, 2, 0, 1), () -> new Tensor[] {rand(3, 2)}),
                op("pick", in -> in.get(0).pick(labels(4, 3)), () -> new Tensor[] {rand(4, 3)}),
                op("scaled softmax with a broadcast bias", in -> in.get(0).scaledSoftmax(0.7f,
                        Tensor.of(new float[] {0f, -1e9f, 0.5f, 0f, 0f, 0f}, 1, 2, 3)), () -> new Tensor[] {rand(2, 2, 2, 3)}),
                op("scaled softmax", in -> in.get(0).scaledSoftmax(1.3f, null), () -> new Tensor[] {rand(3, 4)}),
                op("layer norm", in -> Functional.layerNorm(in.get(0), in.get(1), in.get(2), 1e-3f),
                        () -> new Tensor[] {rand(3, 2, 5), positive(5), rand(5)}),
                op("layer norm without gamma and beta", in -> Functional.layerNorm(in.get(0), null, null, 1e-3f),
                        () -> new Tensor[] {rand(4, 6)}),
                op("log softmax at labels", in -> in.get(0).logSoftmaxAt(labels(4, 3)), () -> new Tensor[] {rand(4, 3)}),
                op("maximum broadcast", in -> in.get(0).maximum(in.get(1)), () -> new Tensor[] {rand(3, 4), rand(4)}),
                op("minimum broadcast", in -> in.get(0).minimum(in.get(1)), () -> new Tensor[] {rand(3, 4), rand(3, 1)}),
                op("expand", in -> in.get(0).expandTo(new int[] {2, 3, 4}), () -> new Tensor[] {rand(3, 1)}),
                op("copy", in -> in.get(0).copy().mul(in.get(0)), () -> new Tensor[] {rand(4)}),
                op("composite mlp", in -> in.get(0).matmul(in.get(1)).add(in.get(2)).tanh().sum(1),
                        () -> new Tensor[] {rand(4, 3), rand(3, 5), rand(5)}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void gradientMatchesFiniteDifferences(String name, Function<List<Tensor>, Tensor> f, Supplier<Tensor[]> inputs) {
        GradientCheck.standard().check(name, f, inputs.get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    @RequiresGpu
    void cudaMatchesCpu(String name, Function<List<Tensor>, Tensor> f, Supplier<Tensor[]> inputs) {
        BackendParity.standard().check(name, Device.cuda(0), f, inputs.get());
    }
}
