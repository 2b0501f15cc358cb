package dev.isthmus.samples.data;

import dev.isthmus.samples.data.RObject.RDoubles;
import dev.isthmus.samples.data.RObject.RInts;
import dev.isthmus.samples.data.RObject.RList;
import dev.isthmus.samples.data.RObject.RLogicals;
import dev.isthmus.samples.data.RObject.RNull;
import dev.isthmus.samples.data.RObject.RPairList;
import dev.isthmus.samples.data.RObject.RRaw;
import dev.isthmus.samples.data.RObject.RSpecial;
import dev.isthmus.samples.data.RObject.RStrings;
import dev.isthmus.samples.data.RObject.RSymbol;
import dev.isthmus.samples.data.RObject.RVector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZUtils;

/**
 * Reads R's serialization format, in pure Java: {@code .rds} files ({@code saveRDS}),
 * {@code .rda}/{@code .RData} files ({@code save}) and objects of an installed package's
 * lazy-load database ({@code .rdb} + {@code .rdx}, as in {@code data/Rdata.rdb}).
 *
 * <p>Supported: the XDR (big-endian, {@code X\n}) format, versions 2 and 3; the {@code RDX2\n} /
 * {@code RDX3\n} header of {@code .rda} files; gzip, bzip2 and xz compression, recognised by their
 * magic bytes (xz needs {@code org.tukaani:xz} on the class path); and the SEXP types data sets are
 * made of: {@code NULL}, symbols, pairlists (attributes and the objects of an {@code .rda}), lists and
 * data frames, character vectors (with {@code NA} and the UTF-8 / Latin-1 / bytes / ASCII flags),
 * integer vectors (factors too), doubles, logicals, raw vectors, the reference table
 * ({@code REFSXP}), R's singleton environments, persistent names, and the ALTREP classes R ≥ 3.5
 * writes for data ({@code compact_intseq}, {@code compact_realseq}, {@code deferred_string},
 * {@code wrap_*}), which are expanded into ordinary vectors. See {@link RObject} for the values.
 *
 * <p>Anything else (closures, language objects, environments, S4 objects, the ASCII and native
 * binary formats, unknown type codes) is refused with a {@link DatasetFormatException} naming the
 * file, the byte offset (in the decompressed stream when the file is compressed) and the type code.
 * Hostile input never makes the reader allocate more than the remaining bytes can fill (nor
 * recurse without bound): lengths are checked first.
 */
public final class RSerialization {

    // SEXP type codes (Rinternals.h) and the serialization's special codes (serialize.c).
    static final int NILSXP = 0;
    static final int SYMSXP = 1;
    static final int LISTSXP = 2;
    static final int CLOSXP = 3;
    static final int ENVSXP = 4;
    static final int PROMSXP = 5;
    static final int LANGSXP = 6;
    static final int CHARSXP = 9;
    static final int LGLSXP = 10;
    static final int INTSXP = 13;
    static final int REALSXP = 14;
    static final int CPLXSXP = 15;
    static final int STRSXP = 16;
    static final int VECSXP = 19;
    static final int EXPRSXP = 20;
    static final int RAWSXP = 24;
    static final int S4SXP = 25;
    static final int ALTREP_SXP = 238;
    static final int ATTRLISTSXP = 239;
    static final int ATTRLANGSXP = 240;
    static final int BASEENV_SXP = 241;
    static final int EMPTYENV_SXP = 242;
    static final int PERSISTSXP = 247;
    static final int PACKAGESXP = 248;
    static final int NAMESPACESXP = 249;
    static final int BASENAMESPACE_SXP = 250;
    static final int MISSINGARG_SXP = 251;
    static final int UNBOUNDVALUE_SXP = 252;
    static final int GLOBALENV_SXP = 253;
    static final int NILVALUE_SXP = 254;
    static final int REFSXP = 255;

    // Flag bits of an item's header word.
    static final int IS_OBJECT_BIT = 1 << 8;
    static final int HAS_ATTR_BIT = 1 << 9;
    static final int HAS_TAG_BIT = 1 << 10;
    // CHARSXP encoding bits, in the "levels" field (bits 12 and up).
    static final int BYTES_MASK = 1 << 1;
    static final int LATIN1_MASK = 1 << 2;
    static final int UTF8_MASK = 1 << 3;
    static final int ASCII_MASK = 1 << 6;

    /** The deepest nesting of items accepted (pairlist tails do not count). */
    static final int MAX_DEPTH = 1000;
    /** The most bytes a compressed stream may expand to. */
    static final int MAX_DECOMPRESSED = 1 << 30;
    /** The most elements an ALTREP compact sequence may expand to. */
    static final int MAX_COMPACT_LENGTH = 1 << 27;

    /** The most memory the xz decoder may use (R's xz level 9 needs about 65 MiB). */
    static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;

    private RSerialization() {
    }

    // ---------------------------------------------------------------- files

    /**
     * Reads an {@code .rds} file (or a bare serialization), compressed or not. An {@code .rda}
     * file is read too, as an {@link RPairList} of its objects tagged by name.
     *
     * @throws DatasetFormatException naming the file and byte offset of the first problem
     */
    public static RObject read(Path file) {
        return parse(readAll(file), file);
    }

    /**
     * Reads an {@code .rda} file ({@code RDX2}/{@code RDX3} header, compressed or not): its
     * objects by name, in file order.
     *
     * @throws DatasetFormatException when the file is malformed or is not an {@code .rda} file
     */
    public static Map<String, RObject> readRda(Path file) {
        byte[] raw = readAll(file);
        Unpacked s = decompressByMagic(raw, file);
        if (!hasRdaHeader(s.bytes)) {
            throw new DatasetFormatException(file, 0, "not an .rda file: no RDX2/RDX3 header" + s.describe());
        }
        RObject value = parse(s.bytes, file, s.describe());
        if (value instanceof RPairList list) {
            return list.asMap();
        }
        if (value instanceof RNull) {
            return Map.of();
        }
        throw new DatasetFormatException(file, 0, "an .rda file should hold a pairlist of named objects, not "
                + kind(value));
    }

    /**
     * Parses a serialization held in memory: decompresses it first when it starts with a gzip,
     * bzip2 or xz magic number; an {@code RDX2}/{@code RDX3} header ({@code .rda}) is skipped.
     *
     * @param source the file it came from, named in error messages
     * @throws DatasetFormatException naming {@code source} and the byte offset of the first problem
     */
    public static RObject parse(byte[] bytes, Path source) {
        Unpacked s = decompressByMagic(bytes, source);
        return parse(s.bytes, source, s.describe());
    }

    /** Parses uncompressed bytes; {@code where} (possibly empty) is appended to offsets in messages. */
    private static RObject parse(byte[] bytes, Path source, String where) {
        int start = 0;
        if (hasRdaHeader(bytes)) {
            start = 5;
        }
        Reader r = new Reader(bytes, start, bytes.length, source, where);
        r.readHeader();
        RObject value = r.readItem(0);
        return value;
    }

    private static boolean hasRdaHeader(byte[] b) {
        return b.length >= 5 && b[0] == 'R' && b[1] == 'D' && b[2] == 'X'
                && (b[3] == '2' || b[3] == '3') && b[4] == '\n';
    }

    // ---------------------------------------------------------------- lazy-load databases

    /** An object's place in a lazy-load database. */
    private record Entry(long offset, int length) {
    }

    /** A parsed {@code .rdx} index. */
    private record Index(Map<String, Entry> variables, int compression) {
    }

    /**
     * The names of the objects of a lazy-load database, from its {@code .rdx} index, in index order.
     *
     * @throws DatasetFormatException when the index is malformed
     */
    public static List<String> lazyLoadNames(Path rdx) {
        return List.copyOf(readIndex(rdx).variables().keySet());
    }

    /**
     * Reads one object of a lazy-load database (such as {@code movielens} from a package's
     * {@code data/Rdata.rdb}): its (offset, length) comes from the {@code .rdx} index; the blob is a
     * 4-byte big-endian uncompressed length followed by zlib data, or, when the index says the
     * database is compressed with method 2 or 3, by a type byte ({@code Z} zlib, {@code 2} bzip2,
     * {@code X} xz, {@code 0} none) and the data.
     *
     * @throws DatasetFormatException when either file is malformed or the index lacks the object
     */
    public static RObject readLazyLoad(Path rdx, Path rdb, String name) {
        Index index = readIndex(rdx);
        Entry e = index.variables().get(name);
        if (e == null) {
            throw new DatasetFormatException(rdx, 0, "the lazy-load index has no object '" + name
                    + "' (it has: " + abbreviate(String.join(", ", index.variables().keySet()), 300) + ")");
        }
        byte[] blob = readRange(rdb, e.offset(), e.length(), name);
        String what = "object '" + name + "' (" + e.length() + " bytes at file offset " + e.offset() + ")";
        if (blob.length < 4) {
            throw new DatasetFormatException(rdb, 0, what + " is shorter than its 4-byte length header");
        }
        long expected = Integer.toUnsignedLong(ByteBuffer.wrap(blob, 0, 4).getInt());
        int dataStart = 4;
        char type = 'Z';
        if (index.compression() == 0) {
            type = '0';
            dataStart = 0;
            expected = blob.length;
        } else if (index.compression() >= 2) {
            if (blob.length < 5) {
                throw new DatasetFormatException(rdb, 0, what + " lacks its compression type byte");
            }
            type = (char) (blob[4] & 0xFF);
            dataStart = 5;
        }
        if (expected > MAX_DECOMPRESSED) {
            throw new DatasetFormatException(rdb, 0, what + " claims " + expected
                    + " uncompressed bytes, more than the " + MAX_DECOMPRESSED + " accepted");
        }
        byte[] data;
        String method;
        switch (type) {
            case 'Z' -> {
                method = "zlib";
                data = inflate(rdb, what, blob, dataStart, Compression.ZLIB, (int) expected);
            }
            case '2' -> {
                method = "bzip2";
                data = inflate(rdb, what, blob, dataStart, Compression.BZIP2, (int) expected);
            }
            case 'X' -> {
                method = "xz";
                data = inflate(rdb, what, blob, dataStart, Compression.XZ, (int) expected);
            }
            case '0' -> {
                method = "uncompressed";
                data = java.util.Arrays.copyOfRange(blob, dataStart, blob.length);
            }
            default -> throw new DatasetFormatException(rdb, 0, what + ": unknown compression type byte 0x"
                    + Integer.toHexString(type) + " at file offset " + (e.offset() + 4));
        }
        if (data.length != expected) {
            throw new DatasetFormatException(rdb, 0, what + " decompressed (" + method + ") to " + data.length
                    + " bytes but its header says " + expected);
        }
        Reader r = new Reader(data, 0, data.length, rdb, " of " + what + ", decompressed (" + method + ")");
        r.readHeader();
        return r.readItem(0);
    }

    private static Index readIndex(Path rdx) {
        byte[] raw = readAll(rdx);
        RObject value;
        if (raw.length > 6 && (raw[4] & 0xFF) == 0x78 && !isGzip(raw)) {
            // Older indexes: 4-byte length + zlib, as the database's own blobs.
            int expected = ByteBuffer.wrap(raw, 0, 4).getInt();
            if (expected < 0 || expected > MAX_DECOMPRESSED) {
                throw new DatasetFormatException(rdx, 0, "the index claims " + Integer.toUnsignedString(expected)
                        + " uncompressed bytes");
            }
            byte[] data = inflate(rdx, "the index", raw, 4, Compression.ZLIB, expected);
            value = parse(data, rdx, " of the zlib-decompressed index");
        } else {
            value = parse(raw, rdx);
        }
        if (!(value instanceof RList list)) {
            throw new DatasetFormatException(rdx, 0, "a lazy-load index should be a list, not " + kind(value));
        }
        if (!(list.get("variables") instanceof RList vars)) {
            throw new DatasetFormatException(rdx, 0, "the lazy-load index lacks its 'variables' list (it has: "
                    + list.names() + ")");
        }
        List<String> names = vars.names();
        if (names.size() != vars.length()) {
            throw new DatasetFormatException(rdx, 0, "the index's 'variables' list has " + vars.length()
                    + " entries but " + names.size() + " names");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < vars.length(); i++) {
            String name = names.get(i);
            double[] pair = numbers(vars.elements().get(i));
            if (name == null || pair == null || pair.length != 2) {
                throw new DatasetFormatException(rdx, 0, "index entry " + (i + 1) + " ('" + name
                        + "') is not an (offset, length) pair: " + kind(vars.elements().get(i)));
            }
            if (!(pair[0] >= 0 && pair[0] <= Long.MAX_VALUE / 2 && pair[0] == Math.rint(pair[0])
                    && pair[1] >= 0 && pair[1] <= Integer.MAX_VALUE - 8 && pair[1] == Math.rint(pair[1]))) {
                throw new DatasetFormatException(rdx, 0, "index entry '" + name + "' has an impossible offset "
                        + pair[0] + " or length " + pair[1]);
            }
            entries.putIfAbsent(name, new Entry((long) pair[0], (int) pair[1]));
        }
        int compression = 1;
        RObject c = list.get("compressed");
        double[] cv = c == null ? null : numbers(c);
        if (cv != null && cv.length == 1 && !Double.isNaN(cv[0])) {
            compression = (int) cv[0];
        }
        return new Index(entries, compression);
    }

    /** The values of an integer, logical or double vector as doubles (NA as NaN), or null. */
    private static double[] numbers(RObject v) {
        if (v instanceof RInts ints) {
            return intsToDoubles(ints.values());
        }
        if (v instanceof RLogicals lgl) {
            return intsToDoubles(lgl.values());
        }
        if (v instanceof RDoubles d) {
            return d.values().clone();
        }
        return null;
    }

    private static double[] intsToDoubles(int[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] == RObject.NA_INTEGER ? Double.NaN : values[i];
        }
        return out;
    }

    private static byte[] readRange(Path file, long offset, int length, String name) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset > size || length > size - offset) {
                throw new DatasetFormatException(file, 0, "object '" + name + "' lies at bytes " + offset + ".."
                        + (offset + length) + " but the file has only " + size + " bytes");
            }
            ByteBuffer buf = ByteBuffer.allocate(length);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    throw new EOFException("file shrank while reading");
                }
            }
            return buf.array();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    // ---------------------------------------------------------------- compression

    private enum Compression { NONE, GZIP, BZIP2, XZ, ZLIB }

    /** A decompressed stream, and how it was compressed. */
    private record Unpacked(byte[] bytes, Compression compression) {
        String describe() {
            return compression == Compression.NONE ? ""
                    : " of the " + compression.name().toLowerCase(java.util.Locale.ROOT) + "-decompressed stream";
        }
    }

    private static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xFF) == 0x1F && (b[1] & 0xFF) == 0x8B;
    }

    private static Unpacked decompressByMagic(byte[] b, Path source) {
        if (isGzip(b)) {
            return new Unpacked(inflate(source, "the file", b, 0, Compression.GZIP, -1), Compression.GZIP);
        }
        if (b.length >= 3 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h') {
            return new Unpacked(inflate(source, "the file", b, 0, Compression.BZIP2, -1), Compression.BZIP2);
        }
        if (b.length >= 6 && (b[0] & 0xFF) == 0xFD && b[1] == '7' && b[2] == 'z' && b[3] == 'X' && b[4] == 'Z'
                && b[5] == 0) {
            return new Unpacked(inflate(source, "the file", b, 0, Compression.XZ, -1), Compression.XZ);
        }
        return new Unpacked(b, Compression.NONE);
    }

    /**
     * Decompresses {@code b[from..]}; reads at most {@code expected} bytes plus one when
     * {@code expected >= 0} (so a longer stream is seen to be longer), else at most
     * {@link #MAX_DECOMPRESSED}.
     */
    private static byte[] inflate(Path file, String what, byte[] b, int from, Compression method, int expected) {
        String name = method.name().toLowerCase(java.util.Locale.ROOT);
        if (method == Compression.XZ && !XZUtils.isXZCompressionAvailable()) {
            throw new DatasetFormatException(file, 0, what + " is xz-compressed, which needs the library "
                    + "org.tukaani:xz on the class path (add it to the samples module's dependencies)");
        }
        long cap = expected >= 0 ? (long) expected + 1 : MAX_DECOMPRESSED;
        ByteArrayOutputStream out = new ByteArrayOutputStream(
                (int) Math.min(cap, Math.max(1024, Math.min(1L << 26, (long) (b.length - from) * 4))));
        try (InputStream in = open(method, new ByteArrayInputStream(b, from, b.length - from))) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (out.size() + (long) n > cap) {
                    if (expected >= 0) {
                        throw new DatasetFormatException(file, 0, what + " decompresses (" + name
                                + ") to more than the " + expected + " bytes its header announces");
                    }
                    throw new DatasetFormatException(file, 0, what + " decompresses (" + name
                            + ") to more than " + MAX_DECOMPRESSED + " bytes");
                }
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // The data is in memory, so any failure (ZipException, EOFException, commons-compress's plain
            // IOExceptions for corrupt bzip2 / xz data) means a corrupt or truncated stream.
            throw new DatasetFormatException(file, 0, what + " is not a valid " + name + " stream (" + e.getMessage()
                    + ") after " + out.size() + " decompressed bytes", e);
        }
        return out.toByteArray();
    }

    private static InputStream open(Compression method, InputStream in) throws IOException {
        return switch (method) {
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case ZLIB -> new InflaterInputStream(in);
            case BZIP2 -> new BZip2CompressorInputStream(in, true);
            // A memory limit keeps a hostile header from making the decoder allocate a huge dictionary.
            case XZ -> XZCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true)
                    .setMemoryLimitKiB(XZ_MEMORY_LIMIT_KIB).get();
            case NONE -> in;
        };
    }

    private static byte[] readAll(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_DECOMPRESSED) {
                throw new DatasetFormatException(file, 0, "the file has " + size + " bytes, more than the "
                        + MAX_DECOMPRESSED + " accepted");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    // ---------------------------------------------------------------- the reader

    /** Reads items from {@code bytes[start..end)}; offsets in messages are indices into {@code bytes}. */
    private static final class Reader {
        private final byte[] bytes;
        private final int end;
        private final Path file;
        private final String where;
        private final List<RObject> refs = new ArrayList<>();
        private int pos;
        private Charset nativeCharset = StandardCharsets.UTF_8;

        Reader(byte[] bytes, int start, int end, Path file, String where) {
            this.bytes = bytes;
            this.pos = start;
            this.end = end;
            this.file = file;
            this.where = where;
        }

        DatasetFormatException fail(int offset, String problem) {
            return new DatasetFormatException(file, 0, "at byte offset " + offset + where + ": " + problem);
        }

        int remaining() {
            return end - pos;
        }

        int readInt(String what) {
            if (remaining() < 4) {
                throw fail(pos, "the stream ends (" + remaining() + " byte" + (remaining() == 1 ? "" : "s")
                        + " left) where " + what + " should be");
            }
            int v = ((bytes[pos] & 0xFF) << 24) | ((bytes[pos + 1] & 0xFF) << 16)
                    | ((bytes[pos + 2] & 0xFF) << 8) | (bytes[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        void readHeader() {
            int at = pos;
            if (remaining() < 2) {
                throw fail(at, "too short to be an R serialization");
            }
            byte f = bytes[pos];
            byte nl = bytes[pos + 1];
            if (f == 'X' && nl == '\n') {
                pos += 2;
            } else if ((f == 'A' || f == 'B') && nl == '\n') {
                throw fail(at, "the " + (f == 'A' ? "ASCII" : "native binary") + " serialization format ('"
                        + (char) f + "\\n') is not supported; only XDR ('X\\n', the default) is");
            } else {
                throw fail(at, "not an R serialization: expected 'X\\n' but found bytes 0x"
                        + String.format("%02x%02x", f & 0xFF, nl & 0xFF));
            }
            int versionAt = pos;
            int version = readInt("the format version");
            readInt("the writer's R version");
            readInt("the minimal reader's R version");
            if (version == 3) {
                int lenAt = pos;
                int n = readInt("the native encoding's length");
                if (n < 0 || n > remaining() || n > 64) {
                    throw fail(lenAt, "impossible native encoding length " + n);
                }
                String enc = new String(bytes, pos, n, StandardCharsets.US_ASCII);
                pos += n;
                try {
                    nativeCharset = Charset.forName(enc);
                } catch (RuntimeException e) {
                    nativeCharset = StandardCharsets.UTF_8;
                }
            } else if (version != 2) {
                throw fail(versionAt, "unsupported serialization format version " + version + " (2 and 3 are)");
            }
        }

        RObject readItem(int depth) {
            int at = pos;
            return readItem(at, readInt("an item's header"), depth);
        }

        private RObject readItem(int at, int flags, int depth) {
            if (depth > MAX_DEPTH) {
                throw fail(at, "items nested more than " + MAX_DEPTH + " deep");
            }
            int type = flags & 0xFF;
            boolean hasAttr = (flags & HAS_ATTR_BIT) != 0;
            switch (type) {
                case NILVALUE_SXP:
                    return RNull.NULL;
                case GLOBALENV_SXP:
                    return new RSpecial("R_GlobalEnv");
                case EMPTYENV_SXP:
                    return new RSpecial("R_EmptyEnv");
                case BASEENV_SXP:
                    return new RSpecial("R_BaseEnv");
                case BASENAMESPACE_SXP:
                    return new RSpecial("R_BaseNamespace");
                case UNBOUNDVALUE_SXP:
                    return new RSpecial("R_UnboundValue");
                case MISSINGARG_SXP:
                    return new RSpecial("R_MissingArg");
                case REFSXP: {
                    int index = flags >>> 8;
                    if (index == 0) {
                        index = readInt("a reference index");
                    }
                    if (index < 1 || index > refs.size()) {
                        throw fail(at, "reference " + index + " points outside the " + refs.size()
                                + " entries of the reference table (type code " + REFSXP + ")");
                    }
                    return refs.get(index - 1);
                }
                case PERSISTSXP: {
                    int zeroAt = pos;
                    if (readInt("a persistent name's marker") != 0) {
                        throw fail(zeroAt, "a persistent name (type code " + PERSISTSXP
                                + ") should start with 0");
                    }
                    String[] names = readStringElements(pos, "a persistent name", depth);
                    RObject value = new RSpecial("persistent:" + String.join(",", nullsAsNA(names)));
                    refs.add(value);
                    return value;
                }
                case SYMSXP: {
                    int nameAt = pos;
                    String name = readCharsxp(readInt("a symbol's name"), nameAt);
                    if (name == null) {
                        throw fail(nameAt, "a symbol's name is NA");
                    }
                    RSymbol sym = new RSymbol(name);
                    refs.add(sym);
                    return sym;
                }
                case LISTSXP:
                case ATTRLISTSXP:
                    return readPairList(flags, depth);
                case CHARSXP:
                    // A bare CHARSXP outside a character vector: read it as a length-one vector.
                    return new RStrings(new String[] {readCharsxp(flags, at)}, Map.of());
                case LGLSXP: {
                    int[] v = readIntArray("logical");
                    return new RLogicals(v, hasAttr ? readAttributes(depth) : Map.of());
                }
                case INTSXP: {
                    int[] v = readIntArray("integer");
                    return new RInts(v, hasAttr ? readAttributes(depth) : Map.of());
                }
                case REALSXP: {
                    int n = readLength(8, "double");
                    double[] v = new double[n];
                    ByteBuffer.wrap(bytes, pos, n * 8).asDoubleBuffer().get(v);
                    pos += n * 8;
                    return new RDoubles(v, hasAttr ? readAttributes(depth) : Map.of());
                }
                case RAWSXP: {
                    int n = readLength(1, "raw");
                    byte[] v = java.util.Arrays.copyOfRange(bytes, pos, pos + n);
                    pos += n;
                    return new RRaw(v, hasAttr ? readAttributes(depth) : Map.of());
                }
                case STRSXP: {
                    String[] v = readStringElements(at, "a character vector", depth);
                    return new RStrings(v, hasAttr ? readAttributes(depth) : Map.of());
                }
                case VECSXP: {
                    // Every element takes at least one 4-byte header.
                    int n = readLength(4, "list");
                    List<RObject> elements = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        elements.add(readItem(depth + 1));
                    }
                    return new RList(elements, hasAttr ? readAttributes(depth) : Map.of());
                }
                case ALTREP_SXP:
                    return readAltrep(at, depth);
                default:
                    throw fail(at, "unsupported R SEXP type code " + type + " (" + typeName(type) + ", header 0x"
                            + Integer.toHexString(flags) + ")");
            }
        }

        /** A vector length (a long length is two words), checked against the bytes left. */
        private int readLength(int minBytesPerElement, String what) {
            int at = pos;
            int n = readInt("a " + what + " vector's length");
            long len = n;
            if (n == -1) {
                long upper = Integer.toUnsignedLong(readInt("a long length's upper word"));
                long lower = Integer.toUnsignedLong(readInt("a long length's lower word"));
                len = (upper << 32) + lower;
            } else if (n < 0) {
                throw fail(at, "negative " + what + " vector length " + n);
            }
            if (len > remaining() / minBytesPerElement) {
                throw fail(at, what + " vector length " + len + " runs past the end of the stream (" + remaining()
                        + " bytes left)");
            }
            return (int) len;
        }

        private int[] readIntArray(String what) {
            int n = readLength(4, what);
            int[] v = new int[n];
            ByteBuffer.wrap(bytes, pos, n * 4).asIntBuffer().get(v);
            pos += n * 4;
            return v;
        }

        private String[] readStringElements(int at, String what, int depth) {
            int n = readLength(8, "character");
            String[] v = new String[n];
            for (int i = 0; i < n; i++) {
                int elAt = pos;
                int flags = readInt("element " + (i + 1) + " of " + what);
                if ((flags & 0xFF) != CHARSXP) {
                    throw fail(elAt, "element " + (i + 1) + " of " + what + " (at byte " + at
                            + ") has type code " + (flags & 0xFF) + " (" + typeName(flags & 0xFF)
                            + "), not CHARSXP (9)");
                }
                v[i] = readCharsxp(flags, elAt);
            }
            return v;
        }

        /** A CHARSXP's length and bytes (its header word already read): null for NA_STRING. */
        private String readCharsxp(int flags, int at) {
            if ((flags & 0xFF) != CHARSXP) {
                throw fail(at, "expected a string (CHARSXP, type code 9) but found type code " + (flags & 0xFF)
                        + " (" + typeName(flags & 0xFF) + ")");
            }
            int lenAt = pos;
            int n = readInt("a string's length");
            if (n == -1) {
                return null;
            }
            if (n < 0 || n > remaining()) {
                throw fail(lenAt, "string length " + n + " runs past the end of the stream (" + remaining()
                        + " bytes left)");
            }
            int levels = flags >>> 12;
            Charset cs;
            if ((levels & UTF8_MASK) != 0) {
                cs = StandardCharsets.UTF_8;
            } else if ((levels & (LATIN1_MASK | BYTES_MASK)) != 0) {
                cs = StandardCharsets.ISO_8859_1;
            } else if ((levels & ASCII_MASK) != 0) {
                cs = StandardCharsets.UTF_8; // ASCII is valid UTF-8; stray high bytes decode leniently
            } else {
                cs = nativeCharset;
            }
            String s = new String(bytes, pos, n, cs);
            pos += n;
            return s;
        }

        /**
         * A pairlist, read iteratively along its tail; {@code flags} is the first cell's header.
         * Only the first cell's attributes are kept (those of the pairlist as a whole).
         */
        private RPairList readPairList(int flags, int depth) {
            List<RPairList.Cell> cells = new ArrayList<>();
            Map<String, RObject> attributes = Map.of();
            while (true) {
                if ((flags & HAS_ATTR_BIT) != 0) {
                    Map<String, RObject> a = readAttributes(depth);
                    if (cells.isEmpty()) {
                        attributes = a;
                    }
                }
                String tag = null;
                if ((flags & HAS_TAG_BIT) != 0) {
                    int tagAt = pos;
                    RObject t = readItem(depth + 1);
                    if (t instanceof RSymbol sym) {
                        tag = sym.name();
                    } else if (!(t instanceof RNull)) {
                        throw fail(tagAt, "a pairlist tag should be a symbol, not " + kind(t));
                    }
                }
                cells.add(new RPairList.Cell(tag, readItem(depth + 1)));
                int nextAt = pos;
                int next = readInt("a pairlist's tail");
                int type = next & 0xFF;
                if (type == LISTSXP || type == ATTRLISTSXP) {
                    flags = next;
                    continue;
                }
                RObject tail = readItem(nextAt, next, depth + 1);
                return new RPairList(cells, tail, attributes);
            }
        }

        /** An attribute pairlist, as a map from tag to value. */
        private Map<String, RObject> readAttributes(int depth) {
            int at = pos;
            RObject a = readItem(depth + 1);
            if (a instanceof RNull) {
                return Map.of();
            }
            if (!(a instanceof RPairList list)) {
                throw fail(at, "attributes should be a pairlist, not " + kind(a));
            }
            Map<String, RObject> map = new LinkedHashMap<>();
            for (RPairList.Cell c : list.cells()) {
                if (c.tag() == null) {
                    throw fail(at, "an attribute has no name");
                }
                map.put(c.tag(), c.value());
            }
            return map;
        }

        /** An ALTREP item: class info (a pairlist: class, package, type), state, attributes. */
        private RObject readAltrep(int at, int depth) {
            int infoAt = pos;
            RObject info = readItem(depth + 1);
            if (!(info instanceof RPairList il) || il.cells().isEmpty()
                    || !(il.cells().getFirst().value() instanceof RSymbol cls)) {
                throw fail(infoAt, "ALTREP class information (type code " + ALTREP_SXP
                        + ") should be a pairlist starting with the class name, not " + kind(info));
            }
            String className = cls.name();
            int stateAt = pos;
            RObject state = readItem(depth + 1);
            int attrAt = pos;
            RObject attr = readItem(depth + 1);
            Map<String, RObject> attributes;
            if (attr instanceof RNull) {
                attributes = Map.of();
            } else if (attr instanceof RPairList pl) {
                attributes = pl.asMap();
            } else {
                throw fail(attrAt, "ALTREP attributes should be a pairlist, not " + kind(attr));
            }
            RObject value = switch (className) {
                case "compact_intseq", "compact_realseq" -> compactSequence(className, state, stateAt);
                case "deferred_string" -> deferredString(state, stateAt);
                case "wrap_integer", "wrap_logical", "wrap_real", "wrap_complex", "wrap_raw", "wrap_string",
                     "wrap_list" -> {
                    if (state instanceof RPairList pl && !pl.cells().isEmpty()
                            && pl.cells().getFirst().value() instanceof RVector wrapped) {
                        yield wrapped;
                    }
                    throw fail(stateAt, "ALTREP " + className + " state should be a pairlist holding a vector, not "
                            + kind(state));
                }
                default -> throw fail(at, "unsupported ALTREP class '" + className + "' (type code " + ALTREP_SXP
                        + "); supported: compact_intseq, compact_realseq, deferred_string, wrap_*");
            };
            return withAttributes(value, attributes);
        }

        private RObject compactSequence(String className, RObject state, int stateAt) {
            double[] s = numbers(state);
            if (s == null || s.length != 3) {
                throw fail(stateAt, "ALTREP " + className + " state should be (length, first, step), not "
                        + kind(state));
            }
            double n = s[0];
            double first = s[1];
            double step = s[2];
            if (!(n >= 0 && n <= MAX_COMPACT_LENGTH && n == Math.rint(n))) {
                throw fail(stateAt, "ALTREP " + className + " length " + n + " is not an integer in 0.."
                        + MAX_COMPACT_LENGTH);
            }
            int len = (int) n;
            if (className.equals("compact_intseq")) {
                double last = first + (len - 1) * step;
                if (len > 0 && !(first == Math.rint(first) && step == Math.rint(step)
                        && Math.min(first, last) > Integer.MIN_VALUE && Math.max(first, last) <= Integer.MAX_VALUE)) {
                    throw fail(stateAt, "ALTREP compact_intseq (" + first + ", step " + step + ", length " + len
                            + ") leaves the integer range");
                }
                int[] v = new int[len];
                for (int i = 0; i < len; i++) {
                    v[i] = (int) (first + i * step);
                }
                return new RInts(v, Map.of());
            }
            double[] v = new double[len];
            for (int i = 0; i < len; i++) {
                v[i] = first + i * step;
            }
            return new RDoubles(v, Map.of());
        }

        private RObject deferredString(RObject state, int stateAt) {
            RObject arg = state instanceof RPairList pl && !pl.cells().isEmpty()
                    ? pl.cells().getFirst().value() : state;
            if (arg instanceof RStrings s) {
                return new RStrings(s.values(), Map.of());
            }
            if (arg instanceof RInts ints) {
                String[] v = new String[ints.length()];
                for (int i = 0; i < v.length; i++) {
                    int x = ints.values()[i];
                    v[i] = x == RObject.NA_INTEGER ? null : Integer.toString(x);
                }
                return new RStrings(v, Map.of());
            }
            if (arg instanceof RDoubles d) {
                String[] v = new String[d.length()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = formatDouble(d.values()[i]);
                }
                return new RStrings(v, Map.of());
            }
            throw fail(stateAt, "ALTREP deferred_string state should hold an integer or double vector, not "
                    + kind(arg));
        }
    }

    /** {@code as.character} of a double, as R prints it with 15 significant digits. */
    static String formatDouble(double x) {
        if (RObject.isNA(x)) {
            return null;
        }
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "Inf" : "-Inf";
        }
        if (x == 0) {
            return "0";
        }
        BigDecimal b = new BigDecimal(x).round(new MathContext(15)).stripTrailingZeros();
        int exponent = b.precision() - b.scale() - 1;
        if (exponent >= 15 || exponent < -4) {
            String digits = b.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (b.signum() < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
        }
        return b.toPlainString();
    }

    private static RObject withAttributes(RObject value, Map<String, RObject> attributes) {
        if (attributes.isEmpty()) {
            return value;
        }
        return switch (value) {
            case RInts v -> new RInts(v.values(), attributes);
            case RDoubles v -> new RDoubles(v.values(), attributes);
            case RLogicals v -> new RLogicals(v.values(), attributes);
            case RStrings v -> new RStrings(v.values(), attributes);
            case RRaw v -> new RRaw(v.values(), attributes);
            case RList v -> new RList(v.elements(), attributes);
            default -> value;
        };
    }

    private static List<String> nullsAsNA(String[] values) {
        List<String> out = new ArrayList<>(values.length);
        for (String s : values) {
            out.add(s == null ? "NA" : s);
        }
        return out;
    }

    /** A short description of a value for messages. */
    static String kind(RObject v) {
        return switch (v) {
            case null -> "nothing";
            case RNull n -> "NULL";
            case RSymbol s -> "the symbol '" + s.name() + "'";
            case RSpecial s -> s.name();
            case RPairList p -> "a pairlist of " + p.cells().size();
            case RList l -> (l.isDataFrame() ? "a data frame of " : "a list of ") + l.length();
            case RStrings s -> "a character vector of " + s.length();
            case RInts i -> (i.isFactor() ? "a factor of " : "an integer vector of ") + i.length();
            case RLogicals l -> "a logical vector of " + l.length();
            case RDoubles d -> "a double vector of " + d.length();
            case RRaw r -> "a raw vector of " + r.length();
        };
    }

    /** R's name for a type code, for messages. */
    static String typeName(int type) {
        return switch (type) {
            case NILSXP -> "NILSXP";
            case SYMSXP -> "SYMSXP";
            case LISTSXP -> "LISTSXP";
            case CLOSXP -> "CLOSXP, a function";
            case ENVSXP -> "ENVSXP, an environment";
            case PROMSXP -> "PROMSXP";
            case LANGSXP -> "LANGSXP, a call";
            case 7 -> "SPECIALSXP";
            case 8 -> "BUILTINSXP";
            case CHARSXP -> "CHARSXP";
            case LGLSXP -> "LGLSXP";
            case INTSXP -> "INTSXP";
            case REALSXP -> "REALSXP";
            case CPLXSXP -> "CPLXSXP, complex numbers";
            case STRSXP -> "STRSXP";
            case 17 -> "DOTSXP";
            case VECSXP -> "VECSXP";
            case EXPRSXP -> "EXPRSXP";
            case 21 -> "BCODESXP";
            case 22 -> "EXTPTRSXP";
            case 23 -> "WEAKREFSXP";
            case RAWSXP -> "RAWSXP";
            case S4SXP -> "S4SXP";
            case ALTREP_SXP -> "ALTREP_SXP";
            case ATTRLISTSXP -> "ATTRLISTSXP";
            case ATTRLANGSXP -> "ATTRLANGSXP";
            case PACKAGESXP -> "PACKAGESXP";
            case NAMESPACESXP -> "NAMESPACESXP";
            case 244 -> "BCREPDEF";
            case 245 -> "GENERICREFSXP";
            case 246 -> "CLASSREFSXP";
            case 243 -> "BCREPREF";
            default -> "unknown";
        };
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
