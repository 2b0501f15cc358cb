package dev.isthmus.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    /** A file written byte by byte from a header text and a data section. */
    static Path file(Path dir, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = dir.resolve("t.safetensors");
        Files.write(p, b.array());
        return p;
    }

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata(@TempDir Path dir) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("0.kernel", Tensor.uniform(new int[] {3, 4}, -1f, 1f, 1));
        t.put("0.bias", Tensor.of(new float[] {1, 2, 3, 4}, 4));
        t.put("scalar", Tensor.scalar(7f));
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, t, Map.of("k", "v"));
        var c = SafeTensors.read(p);
        assertEquals(t.keySet(), c.tensors().keySet());
        for (var e : t.entrySet()) {
            assertArrayEquals(e.getValue().shape(), c.tensors().get(e.getKey()).shape());
            assertArrayEquals(e.getValue().toArray(), c.tensors().get(e.getKey()).toArray(), 0f);
        }
        assertEquals(Map.of("k", "v"), c.metadata());
    }

    /** The same contents give the same bytes, whatever order the metadata map iterates in. */
    @Test
    void metadataOrderDoesNotChangeTheBytes(@TempDir Path dir) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", Tensor.of(new float[] {1f, 2f}, 2));
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("format", "pt");
        ab.put("isthmus.architecture", "{}");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("isthmus.architecture", "{}");
        ba.put("format", "pt");
        SafeTensors.write(dir.resolve("ab.safetensors"), tensors, ab);
        SafeTensors.write(dir.resolve("ba.safetensors"), tensors, ba);
        assertArrayEquals(Files.readAllBytes(dir.resolve("ab.safetensors")), Files.readAllBytes(dir.resolve("ba.safetensors")));
    }

    @Test
    void fileLayoutFollowsTheSpec(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, Map.of("w", Tensor.of(new float[] {1.5f, -2f}, 2)), Map.of());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong();
        assertEquals(0, n % 8, "data section starts 8-byte aligned");
        String header = new String(b.array(), 8, (int) n, StandardCharsets.UTF_8).strip();
        assertEquals("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", header);
        b.position((int) (8 + n));
        assertEquals(1.5f, b.getFloat());
        assertEquals(-2f, b.getFloat());
        assertEquals(b.capacity(), b.position());
    }

    private static String problem(Path p) {
        return assertThrows(SafeTensorsException.class, () -> SafeTensors.read(p)).getMessage();
    }

    @Test
    void headerLengthPastTheEndIsRejected(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("x.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        String m = problem(p);
        assertTrue(m.contains("x.safetensors") && m.contains("past the end"), m);
    }

    @Test
    void hugeHeaderLengthIsRejectedWithoutAllocating(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("x.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE - 3).array());
        assertTrue(problem(p).contains("outside [2, "), problem(p));
        Files.write(p, new byte[] {1, 2, 3});
        assertTrue(problem(p).contains("too short"));
    }

    @Test
    void overlappingOutOfRangeAndHoleyOffsetsAreRejected(@TempDir Path dir) throws IOException {
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertTrue(problem(file(dir, overlap, 12)).contains("overlaps"));
        String outside = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        assertTrue(problem(file(dir, outside, 8)).contains("outside the 8-byte data section"));
        String hole = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertTrue(problem(file(dir, hole, 8)).contains("belong to no tensor"));
        String trailing = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertTrue(problem(file(dir, trailing, 8)).contains("belong to no tensor"));
    }

    @Test
    void dtypeAndShapeMismatchesAreRejected(@TempDir Path dir) throws IOException {
        String f16 = "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
        assertTrue(problem(file(dir, f16, 4)).contains("dtype F16"));
        String size = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        assertTrue(problem(file(dir, size, 8)).contains("needs 12 bytes"));
        String huge = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}";
        assertTrue(problem(file(dir, huge, 8)).contains("needs"));
        assertTrue(problem(file(dir, "[1,2]", 0)).contains("not a JSON object"));
        assertTrue(problem(file(dir, "{\"a\":", 0)).contains("not valid JSON"));
    }
}
