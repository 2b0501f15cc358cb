package dev.isthmus.nn.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cuda.RequiresGpu;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.IndexOutOfRangeException;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.BackendParity;
import dev.isthmus.nn.testkit.GradientCheck;
import org.junit.jupiter.api.Test;

class LossGradientTest {
    private final GradientCheck check = GradientCheck.standard();

    private static Tensor rand(long seed, int... shape) {
        return Tensor.uniform(shape, -1f, 1f, seed);
    }

    private static Tensor oneHot(int n, int c) {
        float[] v = new float[n * c];
        for (int i = 0; i < n; i++) {
            v[i * c + (i * 2 + 1) % c] = 1f;
        }
        return Tensor.of(v, n, c);
    }

    private static Tensor sparse(int n, int c) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i * 2 + 1) % c;
        }
        return Tensor.of(v, n);
    }

    @Test
    void meanSquaredErrorGradient() {
        Tensor y = rand(1, 4, 2);
        check.check("mse", in -> Losses.mse().compute(y, in.get(0)), rand(2, 4, 2));
    }

    @Test
    void meanAbsoluteErrorGradient() {
        Tensor y = Tensor.zeros(4, 2);
        check.check("mae", in -> Losses.mae().compute(y, in.get(0)),
                Tensor.of(new float[] {0.5f, -0.4f, 0.3f, -0.7f, 0.2f, 0.9f, -0.25f, 0.6f}, 4, 2));
    }

    @Test
    void binaryCrossentropyFromLogitsAndProbabilitiesGradient() {
        Tensor y = Tensor.of(new float[] {1, 0, 1, 0}, 4, 1);
        check.check("bce logits", in -> Losses.binaryCrossentropy(true).compute(y, in.get(0)), rand(3, 4, 1));
        check.check("bce probabilities", in -> Losses.binaryCrossentropy().compute(y, in.get(0)),
                Tensor.uniform(new int[] {4, 1}, 0.2f, 0.8f, 4));
        check.check("bce through sigmoid", in -> Losses.binaryCrossentropy().compute(y, in.get(0).sigmoid()), rand(5, 4, 1));
    }

    @Test
    void categoricalCrossentropyGradient() {
        Tensor y = oneHot(3, 4);
        check.check("cce logits", in -> Losses.categoricalCrossentropy(true).compute(y, in.get(0)), rand(6, 3, 4));
        check.check("cce through softmax", in -> Losses.categoricalCrossentropy().compute(y, in.get(0).softmax(-1)), rand(7, 3, 4));
        check.check("cce probabilities", in -> Losses.categoricalCrossentropy().compute(y, in.get(0)),
                Tensor.uniform(new int[] {3, 4}, 0.1f, 0.9f, 8));
    }

    @Test
    void sparseCategoricalCrossentropyGradient() {
        Tensor y = sparse(5, 3);
        check.check("scce logits", in -> Losses.sparseCategoricalCrossentropy(true).compute(y, in.get(0)), rand(9, 5, 3));
        check.check("scce through softmax", in -> Losses.sparseCategoricalCrossentropy().compute(y, in.get(0).softmax(-1)), rand(10, 5, 3));
        check.check("scce probabilities", in -> Losses.sparseCategoricalCrossentropy().compute(y, in.get(0)),
                Tensor.uniform(new int[] {5, 3}, 0.1f, 0.9f, 11));
    }

    @Test
    void crossEntropyThroughSoftmaxStaysFiniteForHugeLogits() {
        Tensor logits = Tensor.of(new float[] {1000f, -1000f, 0f, -500f, 500f, 0f}, 2, 3).requiresGrad(true);
        Tensor loss = Losses.sparseCategoricalCrossentropy().compute(Tensor.of(new float[] {1, 1}, 2), logits.softmax(-1));
        loss.backward();
        assertEquals(1000f, loss.item(), 1e-2f); // rows lose 2000 and 0
        for (float g : logits.grad().toArray()) {
            assertTrue(Float.isFinite(g));
        }
    }

    @Test
    void sparseCrossentropyMatchesHandComputedValue() {
        // logits [0, ln 3] -> softmax [1/4, 3/4]; label 1 -> -ln(3/4)
        Tensor logits = Tensor.of(new float[] {0f, (float) Math.log(3)}, 1, 2);
        float loss = Losses.sparseCategoricalCrossentropy(true).compute(Tensor.of(new float[] {1}, 1), logits).item();
        assertEquals(-Math.log(0.75), loss, 1e-6);
    }

    /** Categorical cross-entropy from logits [1e4, 1e4+1] for each class against the exact value, -log-softmax. */
    private static void assertCrossEntropyOfLargeLogitsExact(Device device) {
        Tensor logits = Tensor.of(device, new float[] {1e4f, 1e4f + 1}, 1, 2);
        double logSum = Math.log(Math.exp(-1) + 1);
        double[] exact = {1 + logSum, logSum};
        for (int label = 0; label < 2; label++) {
            float[] oneHot = new float[2];
            oneHot[label] = 1f;
            float loss = Losses.categoricalCrossentropy(true).compute(Tensor.of(device, oneHot, 1, 2), logits).item();
            double ulp = Math.ulp((float) exact[label]);
            assertTrue(Math.abs(loss - exact[label]) <= ulp, "class " + label + " on " + device + ": " + loss
                    + " vs exact " + exact[label] + " is " + Math.abs(loss - exact[label]) / ulp + " ulp off");
        }
    }

    @Test
    void crossEntropyFromLargeLogitsIsExactToFloatRounding() {
        assertCrossEntropyOfLargeLogitsExact(Device.CPU);
    }

    @Test
    @RequiresGpu
    void cudaCrossEntropyFromLargeLogitsIsExactToFloatRounding() {
        assertCrossEntropyOfLargeLogitsExact(Device.cuda(0));
    }

    @Test
    void crossEntropyAfterSoftmaxUsesTheLogitsWithTheTapeOff() {
        Tensor logits = Tensor.of(new float[] {0f, 40f, 0f, 0f}, 1, 4);
        Tensor label = Tensor.of(new float[] {1, 0, 0, 0}, 1, 4);
        float fromLogits = Losses.categoricalCrossentropy(true).compute(label, logits).item();
        try (var ignored = dev.isthmus.nn.autograd.GradMode.noGrad()) {
            assertEquals(fromLogits, Losses.categoricalCrossentropy().compute(label, logits.softmax(-1)).item(), 1e-5f);
        }
        assertEquals(40f, fromLogits, 1e-5f); // clipped probabilities would give -log(1e-7) = 16.1
    }

    @Test
    void aSoftmaxOutputMadeAParameterOfItsOwnGetsItsGradient() {
        Tensor p = Tensor.of(new float[] {1f, 2f, 3f}, 1, 3).softmax(-1).requiresGrad(true);
        Losses.categoricalCrossentropy().compute(Tensor.of(new float[] {0, 0, 1}, 1, 3), p).backward();
        float[] g = p.grad().toArray();
        // straight on the probabilities: d(-log(p2 / sum p)) / d p2 = -1/p2 + 1/sum p, and sum p = 1
        assertEquals(1 - 1 / p.toArray()[2], g[2], 1e-5f);
    }

    @Test
    void labelShapeMismatchNamesBothShapes() {
        var e = assertThrows(ShapeMismatchException.class,
                () -> Losses.mse().compute(Tensor.zeros(4, 3), Tensor.zeros(4, 2)));
        assertTrue(e.getMessage().contains("[4, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
    }

    @Test
    void sparseLabelOutOfRangeIsRejected() {
        var e = assertThrows(IndexOutOfRangeException.class,
                () -> Losses.sparseCategoricalCrossentropy(true).compute(Tensor.of(new int[] {0, 3}, 2), Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("index 3 at position 1") && e.getMessage().contains("[0, 3)"), e.getMessage());
    }

    @Test
    @RequiresGpu
    void everyLossMatchesTheCpuOnCuda() {
        BackendParity parity = BackendParity.standard();
        Device cuda = Device.cuda(0);
        Tensor y = rand(1, 4, 2);
        parity.check("mse", cuda, in -> Losses.mse().compute(y.to(in.get(0).device()), in.get(0)), rand(2, 4, 2));
        parity.check("mae", cuda, in -> Losses.mae().compute(y.to(in.get(0).device()), in.get(0)), rand(3, 4, 2));
        Tensor yb = Tensor.of(new float[] {1, 0, 1, 0}, 4, 1);
        parity.check("bce logits", cuda,
                in -> Losses.binaryCrossentropy(true).compute(yb.to(in.get(0).device()), in.get(0)), rand(4, 4, 1));
        Tensor yc = oneHot(3, 4);
        parity.check("cce logits", cuda,
                in -> Losses.categoricalCrossentropy(true).compute(yc.to(in.get(0).device()), in.get(0)), rand(5, 3, 4));
        Tensor ys = sparse(5, 4);
        parity.check("sparse cce through softmax", cuda,
                in -> Losses.sparseCategoricalCrossentropy().compute(ys.to(in.get(0).device()), in.get(0).softmax(-1)),
                rand(6, 5, 4));
    }
}
