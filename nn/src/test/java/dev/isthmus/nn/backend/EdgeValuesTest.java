package dev.isthmus.nn.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cuda.RequiresGpu;
import dev.isthmus.nn.backend.Window2d.Padding;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Functional;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * NaN, infinities and signed zeros through maximum, minimum, max reductions and max pooling: the
 * CPU's semantics ({@link Math#max} and {@link Math#min}; pooling's winner the first cell holding
 * the maximum) pinned, and, where a GPU is present, the CUDA backend held to them bit for bit.
 */
class EdgeValuesTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    /** Every pairing of the awkward values, a on one side and b on the other. */
    private static final float[] A = {NAN, 1f, NAN, -INF, INF, -0f, 0f, -INF, 2f, -1f};
    private static final float[] B = {1f, NAN, NAN, -INF, -INF, 0f, -0f, NAN, INF, -0f};

    private static float[] binary(Device device, BinaryOp op, float[] a, float[] b) {
        Tensor out = Tensor.empty(device, a.length);
        out.backend().binary(op, Tensor.of(device, a, a.length), Tensor.of(device, b, b.length), out);
        return out.toArray();
    }

    /** Equal as Java's floats are equal: NaN equals NaN, -0 differs from +0. */
    private static void assertSameFloats(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                    what + " at " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }

    @Test
    void maximumAndMinimumAreJavasMathMaxAndMin() {
        float[] max = binary(Device.CPU, BinaryOp.MAXIMUM, A, B);
        float[] min = binary(Device.CPU, BinaryOp.MINIMUM, A, B);
        for (int i = 0; i < A.length; i++) {
            assertEquals(Float.floatToIntBits(Math.max(A[i], B[i])), Float.floatToIntBits(max[i]), "max of " + A[i] + ", " + B[i]);
            assertEquals(Float.floatToIntBits(Math.min(A[i], B[i])), Float.floatToIntBits(min[i]), "min of " + A[i] + ", " + B[i]);
        }
        assertTrue(Float.isNaN(max[0]) && Float.isNaN(max[1]) && Float.isNaN(min[0]) && Float.isNaN(min[1]), "NaN propagates");
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(max[5]), "max(-0, +0) is +0");
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(min[6]), "min(+0, -0) is -0");
    }

    private static float[] maxOf(Device device, float... values) {
        return new float[] {Tensor.of(device, values, values.length).max().item()};
    }

    @Test
    void maxReductionPropagatesNaNAndPutsPositiveZeroAboveNegativeZeroInAnyOrder() {
        assertSameFloats(new float[] {0f}, maxOf(Device.CPU, -0f, 0f), "max of [-0, +0]");
        assertSameFloats(new float[] {0f}, maxOf(Device.CPU, 0f, -0f), "max of [+0, -0]");
        assertSameFloats(new float[] {NAN}, maxOf(Device.CPU, 1f, NAN, INF), "max of [1, NaN, Inf]");
        assertSameFloats(new float[] {-INF}, maxOf(Device.CPU, -INF, -INF), "max of [-Inf, -Inf]");
    }

    /** Max pooling of one row of windows of two cells ([1, 1, 2w, 1], pool 1x2, stride 1x2), forward and backward. */
    private static float[][] pool(Device device, float... row) {
        Tensor x = Tensor.of(device, row, 1, 1, row.length, 1).requiresGrad(true);
        Tensor y = Functional.maxPool2d(x, 1, 2, 1, 2, Padding.VALID);
        float[] weights = new float[row.length / 2];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = i + 1;
        }
        y.mul(Tensor.of(device, weights, y.shape())).sum().backward();
        return new float[][] {y.toArray(), x.grad().toArray()};
    }

    private static final float[] POOLED = {-INF, -INF, INF, INF, NAN, 3f, 3f, NAN, NAN, NAN, -0f, 0f, 5f, 5f};

    @Test
    void maxPoolingSendsTiesToTheFirstCellInfinitiesIncludedAndPropagatesTheFirstNaN() {
        float[][] r = pool(Device.CPU, POOLED);
        assertSameFloats(new float[] {-INF, INF, NAN, NAN, NAN, 0f, 5f}, r[0], "pooled");
        // window k's gradient is k + 1, all of it to the winner
        assertArrayEquals(new float[] {1, 0, 2, 0, 3, 0, 0, 4, 5, 0, 0, 6, 7, 0}, r[1], "gradient");
    }

    @Test
    @RequiresGpu
    void cudaMatchesTheCpuBitForBit() {
        Device cuda = Device.cuda(0);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.MAXIMUM, BinaryOp.MINIMUM}) {
            assertSameFloats(binary(Device.CPU, op, A, B), binary(cuda, op, A, B), op.toString());
        }
        Tensor cpuA = Tensor.of(A, A.length);
        Tensor gpuA = cpuA.to(cuda);
        assertSameFloats(cpuA.relu().toArray(), gpuA.relu().toArray(), "relu, a maximum with 0");
        assertSameFloats(cpuA.clamp(-0f, 1f).toArray(), gpuA.clamp(-0f, 1f).toArray(), "clamp, a minimum of a maximum");
        float[][] reductions = {{-0f, 0f}, {0f, -0f}, {1f, NAN, INF}, {-INF, -INF}};
        for (float[] values : reductions) {
            assertSameFloats(maxOf(Device.CPU, values), maxOf(cuda, values), "max of " + java.util.Arrays.toString(values));
        }
        float[][] cpu = pool(Device.CPU, POOLED);
        float[][] gpu = pool(cuda, POOLED);
        assertSameFloats(cpu[0], gpu[0], "pooled");
        assertSameFloats(cpu[1], gpu[1], "pooling gradient");
    }
}
