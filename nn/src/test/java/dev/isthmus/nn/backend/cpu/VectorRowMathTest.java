package dev.isthmus.nn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The lane sums of the softmax backward against sequential double sums, at lengths with and without tails. */
class VectorRowMathTest {
    @Test
    void laneSumsAndDotsAreTheDoubleSums() {
        assumeTrue(Sgemm.vectorized(), "the Vector API path is not in use");
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {1, 7, 8, 15, 16, 17, 100, 9000, 9001}) {
            float[] a = new float[n];
            float[] b = new float[n];
            double sum = 0;
            double dot = 0;
            for (int i = 0; i < n; i++) {
                a[i] = (float) (r.nextGaussian() * 3);
                b[i] = (float) r.nextDouble();
                sum += a[i];
                dot += a[i] * b[i];
            }
            assertEquals(sum, VectorRowMath.sum(a, n), 1e-9 * Math.max(1, n), "sum of " + n);
            assertEquals(dot, VectorRowMath.dot(a, b, n), 1e-9 * Math.max(1, n), "dot of " + n);
        }
    }

    @Test
    void logShiftedIsTheScalarArithmeticBitForBit() {
        assumeTrue(Sgemm.vectorized(), "the Vector API path is not in use");
        SplittableRandom r = new SplittableRandom(4);
        for (int n : new int[] {3, 8, 9, 9000}) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) (r.nextGaussian() * 50);
            }
            float[] out = new float[n];
            int done = VectorRowMath.logShifted(a, 12.5f, 3.25, out, n);
            for (int i = 0; i < done; i++) {
                assertEquals((float) (((double) a[i] - 12.5f) - 3.25), out[i], 0f, "element " + i + " of " + n);
            }
            // every whole double vector's worth is done by the lanes, the rest left to the caller
            int lanes = jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.length();
            assertEquals(n / lanes * lanes, done, "lanes of " + n);
        }
    }
}
