package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.samples.data.RObject.RDoubles;
import dev.isthmus.samples.data.RObject.RInts;
import dev.isthmus.samples.data.RObject.RList;
import dev.isthmus.samples.data.RObject.RStrings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The R serialization reader, on streams built here byte by byte (no R, no network). */
class RSerializationTest {

    private static final Path SOURCE = Path.of("test.rds");
    private static final int NA = RObject.NA_INTEGER;

    /** Builds an XDR serialization stream. */
    static final class RBytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** {@code X\n}, the version, R 4.1.0 as writer, R 3.5.0 as minimal reader (v3: UTF-8). */
        RBytes header(int version) {
            out.writeBytes("X\n".getBytes(StandardCharsets.US_ASCII));
            ints(version, 0x040100, version == 3 ? 0x030500 : 0x020300);
            if (version == 3) {
                ints(5);
                out.writeBytes("UTF-8".getBytes(StandardCharsets.US_ASCII));
            }
            return this;
        }

        RBytes ints(int... values) {
            ByteBuffer b = ByteBuffer.allocate(4 * values.length);
            for (int v : values) {
                b.putInt(v);
            }
            out.writeBytes(b.array());
            return this;
        }

        RBytes doubles(double... values) {
            ByteBuffer b = ByteBuffer.allocate(8 * values.length);
            for (double v : values) {
                b.putDouble(v);
            }
            out.writeBytes(b.array());
            return this;
        }

        RBytes raw(byte... values) {
            out.writeBytes(values);
            return this;
        }

        /** An item header word. */
        RBytes flags(int type, boolean object, boolean attributes, boolean tag) {
            return ints(type | (object ? 1 << 8 : 0) | (attributes ? 1 << 9 : 0) | (tag ? 1 << 10 : 0));
        }

        /** A CHARSXP flagged ASCII or UTF-8. */
        RBytes chars(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            boolean ascii = b.length == s.length();
            ints(9 | ((ascii ? 64 : 8) << 12), b.length);
            return raw(b);
        }

        RBytes naString() {
            return ints(9, -1);
        }

        RBytes symbol(String name) {
            ints(1);
            return chars(name);
        }

        RBytes nil() {
            return ints(254);
        }

        /** A reference to entry {@code index} (1-based) of the reference table. */
        RBytes ref(int index) {
            return ints((index << 8) | 255);
        }

        /** A character vector of ASCII / UTF-8 strings (null for NA), without attributes. */
        RBytes strings(String... values) {
            flags(16, false, false, false).ints(values.length);
            for (String v : values) {
                if (v == null) {
                    naString();
                } else {
                    chars(v);
                }
            }
            return this;
        }

        /** Starts an attribute cell tagged with a new symbol; the caller writes the value next. */
        RBytes attr(String name) {
            flags(2, false, false, true);
            return symbol(name);
        }

        int size() {
            return out.size();
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** A data frame {@code data.frame(id = 1:3, x = c(0.5, 1.5, NA))} with compact row names. */
    static RBytes dataFrame(int version) {
        RBytes b = new RBytes().header(version);
        b.flags(19, true, true, false).ints(2);
        b.flags(13, false, false, false).ints(3, 1, 2, 3);
        b.flags(14, false, false, false).ints(3).doubles(0.5, 1.5).ints(0x7FF00000, 1954); // NA_real_
        b.attr("names").strings("id", "x");
        b.attr("class").strings("data.frame");
        b.attr("row.names").flags(13, false, false, false).ints(2, NA, -3);
        return b.nil();
    }

    private static RObject parse(RBytes b) {
        return RSerialization.parse(b.bytes(), SOURCE);
    }

    private static DatasetFormatException malformed(byte[] bytes) {
        return assertThrows(DatasetFormatException.class, () -> RSerialization.parse(bytes, SOURCE));
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
    }

    @Test
    void integerVectorWithAttributes() {
        RBytes b = new RBytes().header(2);
        b.flags(13, false, true, false).ints(3, 7, NA, -2);
        b.attr("names").strings("a", "b", "c");
        b.attr("unit").strings("cm");
        RInts v = assertInstanceOf(RInts.class, parse(b.nil()));
        assertArrayEquals(new int[] {7, NA, -2}, v.values());
        assertEquals(List.of("a", "b", "c"), v.names());
        assertEquals(List.of("names", "unit"), List.copyOf(v.attributes().keySet()));
        assertEquals(List.of("cm"), ((RStrings) v.attribute("unit")).list());
        assertTrue(v.classes().isEmpty());
    }

    @Test
    void characterVectorWithNAAndEncodings() {
        RBytes b = new RBytes().header(3);
        b.flags(16, false, false, false).ints(5);
        b.chars("plain").naString().chars("Amélie");
        b.ints(9 | (4 << 12), 2).raw((byte) 'K', (byte) 0xE9); // Latin-1 "Ké"
        b.ints(9, 0); // empty string, native encoding
        RStrings s = assertInstanceOf(RStrings.class, parse(b));
        assertEquals("plain", s.values()[0]);
        assertNull(s.values()[1], "NA_STRING is null");
        assertEquals("Amélie", s.values()[2]);
        assertEquals("Ké", s.values()[3]);
        assertEquals("", s.values()[4]);
    }

    @Test
    void dataFrameWithCompactRowNames() {
        RList df = assertInstanceOf(RList.class, parse(dataFrame(3)));
        assertTrue(df.isDataFrame());
        assertEquals(List.of("id", "x"), df.names());
        assertEquals(3, df.rowCount());
        assertArrayEquals(new int[] {1, 2, 3}, ((RInts) df.get("id")).values());
        double[] x = ((RDoubles) df.get("x")).values();
        assertEquals(0.5, x[0]);
        assertTrue(RObject.isNA(x[2]), "NA_real_ recognised");
        assertTrue(!RObject.isNA(Double.NaN), "a plain NaN is not NA");
    }

    @Test
    void factorWithLevels() {
        RBytes b = new RBytes().header(2);
        b.flags(13, true, true, false).ints(4, 2, 1, NA, 2);
        b.attr("levels").strings("lo", "hi");
        b.attr("class").strings("factor");
        RInts f = assertInstanceOf(RInts.class, parse(b.nil()));
        assertTrue(f.isFactor());
        assertEquals(List.of("lo", "hi"), f.levels());
        assertEquals("hi", f.level(0));
        assertEquals("lo", f.level(1));
        assertNull(f.level(2));
    }

    @Test
    void referenceReusesAnEarlierSymbol() {
        // list(c(a = 1L), c(b = 2L)): the second "names" tag is a REFSXP to the first symbol.
        RBytes b = new RBytes().header(2);
        b.flags(19, false, false, false).ints(2);
        b.flags(13, false, true, false).ints(1, 1);
        b.attr("names").strings("a").nil();
        b.flags(13, false, true, false).ints(1, 2);
        b.flags(2, false, false, true).ref(1).strings("b").nil();
        RList list = assertInstanceOf(RList.class, parse(b));
        assertEquals(List.of("a"), list.elements().get(0).names());
        assertEquals(List.of("b"), list.elements().get(1).names());
    }

    @Test
    void compressedStreamsAreRecognisedByTheirMagicBytes() throws IOException {
        byte[] plain = dataFrame(2).bytes();
        for (byte[] packed : List.of(gzip(plain), bzip2(plain))) {
            RList df = assertInstanceOf(RList.class, RSerialization.parse(packed, SOURCE));
            assertEquals(3, df.rowCount());
            assertArrayEquals(new int[] {1, 2, 3}, ((RInts) df.get("id")).values());
        }
    }

    @Test
    void rdaFileHoldsNamedObjects(@TempDir Path tmp) throws IOException {
        RBytes b = new RBytes().raw("RDX3\n".getBytes(StandardCharsets.US_ASCII)).header(3);
        b.flags(2, false, false, true).symbol("answer").flags(13, false, false, false).ints(1, 42);
        b.flags(2, false, false, true).symbol("words").strings("x", null);
        b.nil();
        Path rda = Files.write(tmp.resolve("two.rda"), gzip(b.bytes()));
        Map<String, RObject> objects = RSerialization.readRda(rda);
        assertEquals(List.of("answer", "words"), List.copyOf(objects.keySet()));
        assertArrayEquals(new int[] {42}, ((RInts) objects.get("answer")).values());
        assertEquals(java.util.Arrays.asList("x", null), ((RStrings) objects.get("words")).list());
    }

    @Test
    void altrepCompactSequenceDeferredStringAndWrapper() {
        RBytes b = new RBytes().header(3);
        b.flags(19, false, false, false).ints(3);
        // 1:5 as compact_intseq; its state is (n, first, step) as doubles.
        altrepInfo(b, "compact_intseq", 13);
        b.flags(14, false, false, false).ints(3).doubles(5, 1, 1);
        b.nil();
        // as.character(c(7L, NA)) as deferred_string: state CONS(c(7L, NA), scipen).
        altrepInfo(b, "deferred_string", 16);
        b.flags(2, false, false, false).flags(13, false, false, false).ints(2, 7, NA);
        b.flags(13, false, false, false).ints(1, 0);
        b.nil();
        // a wrapped double vector with a names attribute: state CONS(x, meta).
        altrepInfo(b, "wrap_real", 14);
        b.flags(2, false, false, false).flags(14, false, false, false).ints(1).doubles(2.5);
        b.flags(13, false, false, false).ints(2, 0, 0);
        b.attr("names").strings("z").nil();
        RList list = assertInstanceOf(RList.class, parse(b));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, ((RInts) list.elements().get(0)).values());
        assertEquals(java.util.Arrays.asList("7", null), ((RStrings) list.elements().get(1)).list());
        RDoubles wrapped = (RDoubles) list.elements().get(2);
        assertArrayEquals(new double[] {2.5}, wrapped.values());
        assertEquals(List.of("z"), wrapped.names());
    }

    /** An ALTREP header and its class information pairlist (class, package, type). */
    private static void altrepInfo(RBytes b, String className, int type) {
        b.ints(238);
        b.flags(2, false, false, false).symbol(className);
        b.flags(2, false, false, false).symbol("base");
        b.flags(2, false, false, false).flags(13, false, false, false).ints(1, type);
        b.nil();
    }

    @Test
    void formatsDoublesLikeR() {
        assertEquals("1", RSerialization.formatDouble(1));
        assertEquals("0.1", RSerialization.formatDouble(0.1));
        assertEquals("1e+15", RSerialization.formatDouble(1e15));
        assertEquals("123456", RSerialization.formatDouble(123456));
        assertEquals("-Inf", RSerialization.formatDouble(Double.NEGATIVE_INFINITY));
    }

    // ---------------------------------------------------------------- hostile input

    @Test
    void lengthPastTheEndIsRefusedWithItsOffset() {
        RBytes b = new RBytes().header(2);
        b.flags(13, false, false, false).ints(1_000_000_000, 1, 2);
        DatasetFormatException e = malformed(b.bytes());
        assertEquals(SOURCE, e.file());
        assertMentions(e, "test.rds", "byte offset 18", "1000000000", "past the end");

        RBytes s = new RBytes().header(2);
        s.flags(16, false, false, false).ints(1).ints(9 | (64 << 12), 50).raw((byte) 'a');
        assertMentions(malformed(s.bytes()), "byte offset 26", "string length 50");

        RBytes longLength = new RBytes().header(2);
        longLength.flags(14, false, false, false).ints(-1, 0x7FFFFFFF, -1);
        assertMentions(malformed(longLength.bytes()), "byte offset 18", "past the end");
    }

    @Test
    void unknownTypeIsRefusedWithOffsetAndCode() {
        RBytes b = new RBytes().header(2);
        b.flags(19, false, false, false).ints(1).ints(99);
        assertMentions(malformed(b.bytes()), "byte offset 22", "type code 99");

        RBytes closure = new RBytes().header(2).ints(3);
        assertMentions(malformed(closure.bytes()), "byte offset 14", "type code 3", "CLOSXP");
    }

    @Test
    void offsetsInCompressedStreamsAreInTheDecompressedBytes() throws IOException {
        RBytes b = new RBytes().header(2).ints(99);
        assertMentions(malformed(gzip(b.bytes())), "byte offset 14 of the gzip-decompressed stream", "type code 99");
    }

    @Test
    void otherHostileInputsAreTypedErrors() throws IOException {
        // A reference to an empty reference table.
        assertMentions(malformed(new RBytes().header(2).ref(3).bytes()), "byte offset 14", "reference 3");
        // Truncated header, wrong magic, unsupported version, ASCII format.
        assertMentions(malformed(new byte[] {'X', '\n', 0}), "byte offset 2", "stream ends");
        assertMentions(malformed("PK\u0003\u0004".getBytes(StandardCharsets.ISO_8859_1)), "not an R serialization");
        assertMentions(malformed(new RBytes().raw((byte) 'X', (byte) '\n').ints(7, 0, 0).bytes()), "version 7");
        assertMentions(malformed("A\n3\n".getBytes(StandardCharsets.US_ASCII)), "ASCII");
        // A stream that ends inside a vector.
        assertMentions(malformed(new RBytes().header(2).flags(19, false, false, false).ints(2).nil().bytes()),
                "byte offset 18", "past the end");
        assertMentions(malformed(new RBytes().header(2).flags(19, false, false, false).ints(2).nil().ints(13).bytes()),
                "byte offset 30", "stream ends");
        // A corrupt gzip stream.
        byte[] gz = gzip(dataFrame(2).bytes());
        assertMentions(malformed(java.util.Arrays.copyOf(gz, gz.length / 2)), "not a valid gzip stream");
        // An absurd compact sequence.
        RBytes alt = new RBytes().header(3);
        altrepInfo(alt, "compact_intseq", 13);
        alt.flags(14, false, false, false).ints(3).doubles(4e9, 1, 1).nil();
        assertMentions(malformed(alt.bytes()), "compact_intseq", "length");
        // An unknown ALTREP class.
        RBytes unknown = new RBytes().header(3);
        altrepInfo(unknown, "mmap_real", 14);
        unknown.nil().nil();
        assertMentions(malformed(unknown.bytes()), "byte offset 23", "mmap_real");
    }

    @Test
    void deepNestingIsRefusedWithoutOverflowingTheStack() {
        RBytes b = new RBytes().header(2);
        for (int i = 0; i < 100_000; i++) {
            b.flags(19, false, false, false).ints(1);
        }
        b.nil();
        assertMentions(malformed(b.bytes()), "nested more than");
    }

    @Test
    void xzNeedsTheTukaaniLibrary() {
        byte[] xzMagic = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0, 0, 4, 1, 2, 3};
        DatasetFormatException e = malformed(xzMagic);
        assertMentions(e, XZUtils.isXZCompressionAvailable() ? "xz" : "org.tukaani:xz");
    }

    // ---------------------------------------------------------------- lazy-load databases

    /** Writes a lazy-load database holding {@code objects} (serializations) with the given compression. */
    static void writeLazyLoad(Path rdx, Path rdb, Map<String, byte[]> objects, int compression) throws IOException {
        ByteArrayOutputStream db = new ByteArrayOutputStream();
        RBytes index = new RBytes().header(3);
        index.flags(19, false, true, false).ints(3);
        index.flags(19, false, true, false).ints(objects.size());
        for (byte[] value : objects.values()) {
            byte[] packed = compression == 1 ? deflate(value) : bzip2(value);
            int offset = db.size();
            db.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
            if (compression != 1) {
                db.write('2');
            }
            db.writeBytes(packed);
            index.flags(13, false, false, false).ints(2, offset, db.size() - offset);
        }
        index.attr("names").strings(objects.keySet().toArray(String[]::new)).nil();
        index.flags(19, false, true, false).ints(0);
        index.flags(2, false, false, true).ref(1).flags(16, false, false, false).ints(0).nil();
        if (compression == 1) {
            index.flags(10, false, false, false).ints(1, 1);
        } else {
            index.flags(14, false, false, false).ints(1).doubles(compression);
        }
        index.flags(2, false, false, true).ref(1).strings("variables", "references", "compressed").nil();
        Files.write(rdx, gzip(index.bytes()));
        Files.write(rdb, db.toByteArray());
    }

    @Test
    void readsObjectsOfALazyLoadDatabase(@TempDir Path tmp) throws IOException {
        for (int compression : new int[] {1, 3}) {
            Path rdx = tmp.resolve("Rdata" + compression + ".rdx");
            Path rdb = tmp.resolve("Rdata" + compression + ".rdb");
            writeLazyLoad(rdx, rdb, Map.of("df", dataFrame(3).bytes()), compression);
            assertEquals(List.of("df"), RSerialization.lazyLoadNames(rdx));
            RList df = assertInstanceOf(RList.class, RSerialization.readLazyLoad(rdx, rdb, "df"));
            assertEquals(3, df.rowCount());
            DatasetFormatException e = assertThrows(DatasetFormatException.class,
                    () -> RSerialization.readLazyLoad(rdx, rdb, "nope"));
            assertMentions(e, "no object 'nope'", "df");
        }
    }

    @Test
    void lazyLoadEntryPastTheEndOfTheDatabaseIsRefused(@TempDir Path tmp) throws IOException {
        Path rdx = tmp.resolve("Rdata.rdx");
        Path rdb = tmp.resolve("Rdata.rdb");
        writeLazyLoad(rdx, rdb, Map.of("df", dataFrame(3).bytes()), 1);
        byte[] db = Files.readAllBytes(rdb);
        Files.write(rdb, java.util.Arrays.copyOf(db, db.length - 10));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> RSerialization.readLazyLoad(rdx, rdb, "df"));
        assertEquals(rdb, e.file());
        assertMentions(e, "'df'", "only " + (db.length - 10) + " bytes");
    }

    // ---------------------------------------------------------------- helpers

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    static byte[] bzip2(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new BZip2CompressorOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    static byte[] deflate(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new DeflaterOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }
}
