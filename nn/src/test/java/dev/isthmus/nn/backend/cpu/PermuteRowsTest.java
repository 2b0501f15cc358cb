package dev.isthmus.nn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The CPU permute moves whole rows where the last axis stays last: short ones (up to 64 floats:
 * attention's heads) by vectors and a scalar tail, longer ones by bulk copies. Each element must
 * land where the index arithmetic puts it, for rows of whole vectors, of a tail only, of both, at
 * the short limit and past it, over one and two threads.
 */
class PermuteRowsTest {
    @Test
    void rowsLandWhereTheIndexArithmeticPutsThem() {
        int[][] shapes = {{2, 5, 3, 16}, {2, 5, 3, 7}, {3, 4, 2, 21}, {3, 4, 2, 64}, {2, 3, 2, 65}, {4, 64, 4, 16}};
        CpuBackend cpu = CpuBackend.shared();
        int before = cpu.threadCount();
        for (int threads = 1; threads <= 2; threads++) {
            cpu.useThreads(threads);
            try {
                for (int[] s : shapes) {
                    Tensor x = Tensor.uniform(s, -1, 1, 17);
                    float[] in = x.toArray();
                    float[] out = x.permute(0, 2, 1, 3).toArray();
                    float[] expected = new float[in.length];
                    int at = 0;
                    for (int a = 0; a < s[0]; a++) {
                        for (int c = 0; c < s[2]; c++) {
                            for (int b = 0; b < s[1]; b++) {
                                for (int d = 0; d < s[3]; d++) {
                                    expected[at++] = in[((a * s[1] + b) * s[2] + c) * s[3] + d];
                                }
                            }
                        }
                    }
                    assertArrayEquals(expected, out, java.util.Arrays.toString(s) + " on " + threads + " threads");
                }
            } finally {
                cpu.useThreads(before);
            }
        }
    }
}
