package dev.isthmus.nn.io;

import dev.isthmus.nn.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N
 * bytes of JSON ({@code name → {dtype, shape, data_offsets}} plus an optional string map
 * {@code __metadata__}), then the raw little-endian tensor bytes, entirely covered by the offsets
 * with no holes or overlaps. Isthmus writes and reads F32. Reading checks every rule of the spec
 * and names the file, the offset and the problem; nothing is allocated from an unchecked size.
 */
public final class SafeTensors {
    /** The spec's upper bound on the header, which also bounds what a hostile file can make us allocate. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final String METADATA = "__metadata__";

    private SafeTensors() {
    }

    /** Tensors by name with the file's metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    /**
     * Writes {@code tensors} (in map order) and {@code metadata} (sorted by key, so that the same
     * contents give the same bytes whatever the map's iteration order: {@code Map.of}'s changes from
     * one JVM run to the next) to {@code file} atomically (see {@link AtomicFiles}).
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put(METADATA, new java.util.TreeMap<>(metadata));
        }
        long offset = 0;
        List<float[]> data = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                throw new IllegalArgumentException("a tensor may not be named " + METADATA);
            }
            Tensor t = e.getValue();
            float[] v = t.toArray();
            data.add(v);
            long end = offset + (long) v.length * Float.BYTES;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", "F32");
            entry.put("shape", t.shape());
            entry.put("data_offsets", List.of(offset, end));
            header.put(e.getKey(), entry);
            offset = end;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // data starts 8-byte aligned; the spec allows trailing spaces
        try {
            AtomicFiles.write(file, out -> {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(json);
                while (head.hasRemaining()) {
                    head.put((byte) ' ');
                }
                out.write(head.array());
                for (float[] v : data) {
                    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(v);
                    out.write(b.array());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads every tensor of {@code file} onto the default device. */
    public static Contents read(Path file) {
        try (Reader r = open(file)) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String name : r.shapes().keySet()) {
                tensors.put(name, r.tensor(name));
            }
            return new Contents(tensors, r.metadata());
        }
    }

    /**
     * Opens {@code file} and checks its header against the spec, reading no tensor yet, so that a
     * caller can check the names and shapes before allocating anything for them.
     */
    public static Reader open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new SafeTensorsException(file, "cannot read: " + e);
        }
        try {
            return new Reader(file, ch);
        } catch (RuntimeException e) {
            try {
                ch.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** An open safetensors file whose header has been checked; tensors are read one by one. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel ch;
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final Map<String, String> metadata;
        private final long dataStart;

        private Reader(Path file, FileChannel ch) {
            this.file = file;
            this.ch = ch;
            try {
                long size = ch.size();
                if (size < 8) {
                    throw new SafeTensorsException(file, 0, "file of " + size + " bytes is too short for the 8-byte header length");
                }
                ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, lenBuf, 0, file);
                long n = lenBuf.flip().getLong();
                if (n < 2 || n > MAX_HEADER_BYTES) {
                    throw new SafeTensorsException(file, 0, "header length " + Long.toUnsignedString(n)
                            + " is outside [2, " + MAX_HEADER_BYTES + "] bytes");
                }
                if (n > size - 8) {
                    throw new SafeTensorsException(file, 0, "header length " + n + " runs past the end of the file ("
                            + (size - 8) + " bytes follow it)");
                }
                ByteBuffer headBuf = ByteBuffer.allocate((int) n);
                readFully(ch, headBuf, 8, file);
                String text = StandardCharsets.UTF_8.newDecoder().decode(headBuf.flip()).toString();
                Object parsed;
                try {
                    parsed = Json.parse(text);
                } catch (IOException e) {
                    throw new SafeTensorsException(file, 8, "header is not valid JSON: " + e.getMessage());
                }
                if (!(parsed instanceof Map<?, ?> header)) {
                    throw new SafeTensorsException(file, 8, "header is not a JSON object");
                }
                dataStart = 8 + n;
                long dataSize = size - dataStart;
                metadata = SafeTensors.metadata(file, header.get(METADATA));
                List<Entry> list = new ArrayList<>();
                for (var e : header.entrySet()) {
                    String name = (String) e.getKey();
                    if (!name.equals(METADATA)) {
                        list.add(entry(file, name, e.getValue(), dataSize));
                    }
                }
                checkCoverage(file, list, dataSize, dataStart);
                for (Entry en : list) {
                    entries.put(en.name, en);
                }
            } catch (IOException e) {
                throw new SafeTensorsException(file, "cannot read: " + e);
            }
        }

        /** The file this reader has open (as given to {@link SafeTensors#open}). */
        public Path file() {
            return file;
        }

        /** Every tensor's shape by name, in header order. */
        public Map<String, int[]> shapes() {
            Map<String, int[]> out = new LinkedHashMap<>();
            entries.forEach((k, v) -> out.put(k, v.shape.clone()));
            return out;
        }

        /**
         * The file's {@code __metadata__} entries (string to string; empty if it has none), as read from its header.
         */
        public Map<String, String> metadata() {
            return metadata;
        }

        /** The tensor {@code name}, owned by the current scope. */
        public Tensor tensor(String name) {
            Entry en = entries.get(name);
            if (en == null) {
                throw new SafeTensorsException(file, "no tensor \"" + name + "\"");
            }
            try {
                ByteBuffer b = ByteBuffer.allocate((int) (en.end - en.begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, b, dataStart + en.begin, file);
                float[] v = new float[(int) ((en.end - en.begin) / Float.BYTES)];
                b.flip().asFloatBuffer().get(v);
                return Tensor.of(v, en.shape);
            } catch (IOException e) {
                throw new SafeTensorsException(file, dataStart + en.begin, "cannot read tensor \"" + name + "\": " + e);
            } catch (OutOfMemoryError e) {
                throw new SafeTensorsException(file, dataStart + en.begin, "tensor \"" + name + "\" needs "
                        + 2 * (en.end - en.begin) + " bytes of heap to read, more than it can hold");
            }
        }

        @Override
        public void close() {
            try {
                ch.close();
            } catch (IOException e) {
                throw new SafeTensorsException(file, "cannot close: " + e);
            }
        }
    }

    private record Entry(String name, int[] shape, long begin, long end) {
    }

    private static Map<String, String> metadata(Path file, Object raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof Map<?, ?> m)) {
            throw new SafeTensorsException(file, 8, METADATA + " must be an object of strings");
        }
        for (var e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new SafeTensorsException(file, 8, METADATA + " value of \"" + e.getKey() + "\" is not a string");
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(Path file, String name, Object raw, long dataSize) {
        if (!(raw instanceof Map<?, ?> m)) {
            throw new SafeTensorsException(file, 8, "tensor \"" + name + "\" is not described by an object");
        }
        Object dtype = m.get("dtype");
        if (!"F32".equals(dtype)) {
            throw new SafeTensorsException(file, 8, "tensor \"" + name + "\" has dtype " + dtype
                    + "; Isthmus reads F32 tensors only");
        }
        if (!(m.get("shape") instanceof List<?> shapeList)) {
            throw new SafeTensorsException(file, 8, "tensor \"" + name + "\" has no shape list");
        }
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new SafeTensorsException(file, 8, "tensor \"" + name + "\" has a bad dimension " + shapeList.get(i));
            }
            shape[i] = (int) (long) d;
            numel = numel * d;
            if (numel > dataSize) {
                numel = dataSize + 1; // keeps growing products from overflowing; caught below
            }
        }
        if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end)) {
            throw new SafeTensorsException(file, 8, "tensor \"" + name + "\" needs data_offsets [begin, end]");
        }
        if (begin < 0 || end < begin || end > dataSize) {
            throw new SafeTensorsException(file, 8, "tensor \"" + name + "\" has data_offsets [" + begin + ", " + end
                    + "] outside the " + dataSize + "-byte data section");
        }
        if (end - begin != numel * Float.BYTES) {
            throw new SafeTensorsException(file, 8, "tensor \"" + name + "\" of shape " + java.util.Arrays.toString(shape)
                    + " needs " + numel * Float.BYTES + " bytes but data_offsets span " + (end - begin));
        }
        if (end - begin > Integer.MAX_VALUE - 8) {
            throw new SafeTensorsException(file, 8, "tensor \"" + name + "\" is larger than Isthmus reads in one piece");
        }
        return new Entry(name, shape, begin, end);
    }

    /** The spec: the data section is covered exactly, without overlaps or holes. */
    private static void checkCoverage(Path file, List<Entry> entries, long dataSize, long dataStart) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry e : sorted) {
            if (e.begin < at) {
                throw new SafeTensorsException(file, dataStart + e.begin, "tensor \"" + e.name + "\" overlaps the tensor before it");
            }
            if (e.begin > at) {
                throw new SafeTensorsException(file, dataStart + at, "bytes " + at + " to " + e.begin
                        + " of the data section belong to no tensor");
            }
            at = e.end;
        }
        if (at != dataSize) {
            throw new SafeTensorsException(file, dataStart + at, (dataSize - at) + " bytes at the end of the file belong to no tensor");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position, Path file) throws IOException {
        long pos = position;
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) {
                throw new SafeTensorsException(file, pos, "unexpected end of file");
            }
            pos += r;
        }
    }
}
