package dev.isthmus.nn.io;

import dev.isthmus.nn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One {@code cases.json} of a fixture another framework made: the input ({@code shape}, {@code dtype}
 * int32 or float32, row-major {@code values}) and that framework's output for it.
 */
record FixtureCase(Map<?, ?> input, Map<?, ?> output) {
    static FixtureCase read(Path dir) throws IOException {
        Map<?, ?> cases = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("cases.json")));
        return new FixtureCase((Map<?, ?>) cases.get("input"), (Map<?, ?>) cases.get("output"));
    }

    /** The input as a tensor of the current scope. */
    Tensor x() {
        int[] shape = ints((List<?>) input.get("shape"));
        List<?> values = (List<?>) input.get("values");
        return "int32".equals(input.get("dtype")) ? Tensor.of(ints(values), shape) : Tensor.of(floats(values), shape);
    }

    /** {@code y} has the other side's output shape and values, each within 1e-5. */
    void assertMatches(Tensor y, String what) {
        assertArrayEquals(ints((List<?>) output.get("shape")), y.shape(), what + ": output shape");
        float[] got = y.toArray();
        float[] want = floats((List<?>) output.get("values"));
        assertEquals(want.length, got.length, what + ": output size");
        for (int i = 0; i < got.length; i++) {
            assertEquals(want[i], got[i], 1e-5f, what + ": output " + i);
        }
    }

    static int[] ints(List<?> l) {
        int[] v = new int[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = ((Number) l.get(i)).intValue();
        }
        return v;
    }

    static float[] floats(List<?> l) {
        float[] v = new float[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = ((Number) l.get(i)).floatValue();
        }
        return v;
    }
}
