package dev.isthmus.samples.data;

import dev.isthmus.nn.tensor.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28×28 grey-scale images of Zalando articles in
 * ten classes, 60,000 for training and 10,000 for testing.
 *
 * <p>Read from the gzip-compressed IDX files shipped in Debian's {@value #PACKAGE} package
 * ({@code /usr/share/datasets/fashion-mnist/}), fetched into the dataset cache by
 * {@link DebianPackage}. Pixels are kept as the original unsigned bytes (0 = background) and
 * scaled to [0, 1] only when a batch is built with {@link Split#images(int, int)}.
 *
 * @param train the 60,000 training images
 * @param test  the 10,000 test images
 */
public record FashionMnist(Split train, Split test) {

    /** The Debian package that ships the data files. */
    public static final String PACKAGE = "dataset-fashion-mnist";
    private static final String DIR = "usr/share/datasets/fashion-mnist/";
    /** The training images, as a path inside the package. */
    public static final String TRAIN_IMAGES_MEMBER = DIR + "train-images-idx3-ubyte.gz";
    /** The training labels, as a path inside the package. */
    public static final String TRAIN_LABELS_MEMBER = DIR + "train-labels-idx1-ubyte.gz";
    /** The test images, as a path inside the package. */
    public static final String TEST_IMAGES_MEMBER = DIR + "t10k-images-idx3-ubyte.gz";
    /** The test labels, as a path inside the package. */
    public static final String TEST_LABELS_MEMBER = DIR + "t10k-labels-idx1-ubyte.gz";
    private static final List<String> MEMBERS =
            List.of(TRAIN_IMAGES_MEMBER, TRAIN_LABELS_MEMBER, TEST_IMAGES_MEMBER, TEST_LABELS_MEMBER);

    /** Number of training images. */
    public static final int TRAIN_COUNT = 60_000;
    /** Number of test images. */
    public static final int TEST_COUNT = 10_000;
    /** Image height in pixels. */
    public static final int ROWS = 28;
    /** Image width in pixels. */
    public static final int COLS = 28;
    /** Pixels per image. */
    public static final int PIXELS = ROWS * COLS;
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** IDX magic number of an unsigned-byte file with three dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** IDX magic number of an unsigned-byte file with one dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Class names, indexed by class id. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    public FashionMnist {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
    }

    /**
     * Images and labels of one split, stored compactly.
     *
     * @param pixels {@code count × 784} unsigned bytes, row-major, image after image
     * @param labels {@code count} class ids in {@code 0..9}
     * @param count  number of images
     */
    public record Split(byte[] pixels, byte[] labels, int count) {

        public Split {
            Objects.requireNonNull(pixels, "pixels");
            Objects.requireNonNull(labels, "labels");
            if (count < 0 || labels.length != count || pixels.length != (long) count * PIXELS) {
                throw new IllegalArgumentException("a split of " + count + " images needs " + count + " labels and "
                        + (long) count * PIXELS + " pixels, not " + labels.length + " and " + pixels.length);
            }
            for (int i = 0; i < count; i++) {
                if (labels[i] < 0 || labels[i] >= CLASSES) {
                    throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", not a class id 0.."
                            + (CLASSES - 1));
                }
            }
        }

        /** The class id of image {@code i}. */
        public int label(int i) {
            Objects.checkIndex(i, count);
            return labels[i];
        }

        /** How many images each class has, indexed by class id. */
        public int[] classCounts() {
            int[] counts = new int[CLASSES];
            for (byte label : labels) {
                counts[label]++;
            }
            return counts;
        }

        /** Images {@code from} (inclusive) to {@code to} (exclusive) as a [n, 28, 28, 1] tensor in [0, 1]. */
        public Tensor images(int from, int to) {
            Objects.checkFromToIndex(from, to, count);
            float[] data = new float[(to - from) * PIXELS];
            int base = from * PIXELS;
            for (int k = 0; k < data.length; k++) {
                data[k] = (pixels[base + k] & 0xFF) / 255f;
            }
            return Tensor.of(data, to - from, ROWS, COLS, 1);
        }

        /** The images at the given indices (such as a shuffled batch) as a [n, 28, 28, 1] tensor in [0, 1]. */
        public Tensor images(int[] indices) {
            float[] data = new float[indices.length * PIXELS];
            for (int j = 0; j < indices.length; j++) {
                int base = Objects.checkIndex(indices[j], count) * PIXELS;
                for (int k = 0; k < PIXELS; k++) {
                    data[j * PIXELS + k] = (pixels[base + k] & 0xFF) / 255f;
                }
            }
            return Tensor.of(data, indices.length, ROWS, COLS, 1);
        }

        /** Labels {@code from} (inclusive) to {@code to} (exclusive) as a [n] int32 tensor of class ids. */
        public Tensor labels(int from, int to) {
            Objects.checkFromToIndex(from, to, count);
            int[] data = new int[to - from];
            for (int k = 0; k < data.length; k++) {
                data[k] = labels[from + k];
            }
            return Tensor.of(data, to - from);
        }

        /** The labels at the given indices as a [n] int32 tensor of class ids. */
        public Tensor labels(int[] indices) {
            int[] data = new int[indices.length];
            for (int j = 0; j < indices.length; j++) {
                data[j] = labels[Objects.checkIndex(indices[j], count)];
            }
            return Tensor.of(data, indices.length);
        }
    }

    /**
     * Loads the dataset from the cache folder, fetching and extracting the Debian package
     * first if the files are not there yet (or fail their checksum).
     *
     * @param cacheDir the dataset cache root, such as {@code DatasetCache.resolve(option).root()}
     * @throws DatasetUnavailableException when the package cannot be fetched or unpacked
     * @throws DatasetFormatException      when a file is malformed
     */
    public static FashionMnist load(Path cacheDir) {
        Map<String, Path> files = new DebianPackage(new DatasetCache(cacheDir), PACKAGE).extract(MEMBERS);
        return new FashionMnist(
                readSplit(files.get(TRAIN_IMAGES_MEMBER), files.get(TRAIN_LABELS_MEMBER), TRAIN_COUNT),
                readSplit(files.get(TEST_IMAGES_MEMBER), files.get(TEST_LABELS_MEMBER), TEST_COUNT));
    }

    /** Whether the dataset is already extracted and verified in the cache (runs and fetches nothing). */
    public static boolean isCached(Path cacheDir) {
        return new DebianPackage(new DatasetCache(cacheDir), PACKAGE).isExtracted(MEMBERS);
    }

    /**
     * Reads one split from its gzip-compressed IDX image and label files, which must hold exactly
     * {@code count} items.
     *
     * @throws DatasetFormatException naming the file and the problem
     */
    public static Split readSplit(Path imagesGz, Path labelsGz, int count) {
        byte[] pixels = readIdx(imagesGz, IMAGES_MAGIC, count, ROWS, COLS);
        byte[] labels = readIdx(labelsGz, LABELS_MAGIC, count);
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= CLASSES) {
                throw new DatasetFormatException(labelsGz, 0, "label " + (labels[i] & 0xFF) + " of item " + i
                        + " (uncompressed byte offset " + (8 + i) + ") is not a class id 0.." + (CLASSES - 1));
            }
        }
        return new Split(pixels, labels, count);
    }

    /**
     * Reads a gzip-compressed IDX file of unsigned bytes: a big-endian header (the magic number,
     * then one 32-bit size per dimension) followed by the data, which must have exactly the given
     * dimensions and nothing after it.
     *
     * @param magic the expected magic number, {@code 0x0000080N} for {@code N} dimensions
     * @param dims  the expected size of each dimension
     * @return the data, row-major
     * @throws DatasetFormatException naming the file and the (uncompressed) byte offset of the
     *                                first problem: bad magic, wrong sizes, truncation, trailing
     *                                data, or a corrupt gzip stream
     */
    public static byte[] readIdx(Path file, int magic, int... dims) {
        if ((magic & 0xFF) != dims.length || (magic >>> 8) != 0x08) {
            throw new IllegalArgumentException(String.format("magic 0x%08x does not describe unsigned bytes in %d"
                    + " dimensions", magic, dims.length));
        }
        long size = 1;
        for (int d : dims) {
            size *= d;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("too many values: " + size);
        }
        int headerLength = 4 + 4 * dims.length;
        long expected = headerLength + size;
        long offset = 0;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] header = new byte[headerLength];
            int got = in.readNBytes(header, 0, headerLength);
            offset = got;
            if (got < 4) {
                throw truncated(file, got, expected);
            }
            int actualMagic = bigEndianInt(header, 0);
            if (actualMagic != magic) {
                throw new DatasetFormatException(file, 0, String.format("bad magic number 0x%08x at byte offset 0,"
                        + " expected 0x%08x (IDX unsigned bytes in %d dimension%s)", actualMagic, magic,
                        dims.length, dims.length == 1 ? "" : "s"));
            }
            if (got < headerLength) {
                throw truncated(file, got, expected);
            }
            for (int i = 0; i < dims.length; i++) {
                int d = bigEndianInt(header, 4 + 4 * i);
                if (d != dims[i]) {
                    throw new DatasetFormatException(file, 0, "dimension " + (i + 1) + " (at byte offset " + (4 + 4 * i)
                            + ") is " + Integer.toUnsignedString(d) + ", expected " + dims[i]);
                }
            }
            byte[] data = new byte[(int) size];
            int pos = 0;
            while (pos < data.length) {
                int n = in.read(data, pos, Math.min(1 << 20, data.length - pos));
                if (n < 0) {
                    break;
                }
                pos += n;
                offset = headerLength + (long) pos;
            }
            if (pos < data.length) {
                throw truncated(file, offset, expected);
            }
            if (in.read() >= 0) {
                throw new DatasetFormatException(file, 0, "unexpected data after the expected " + expected
                        + " bytes (at byte offset " + expected + ")");
            }
            return data;
        } catch (ZipException | EOFException e) {
            throw new DatasetFormatException(file, 0, "not a valid gzip stream (" + e.getMessage()
                    + ") near uncompressed byte offset " + offset + " of the expected " + expected, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static DatasetFormatException truncated(Path file, long offset, long expected) {
        return new DatasetFormatException(file, 0, "truncated: the data ends at byte offset " + offset
                + ", expected " + expected + " bytes (header and data)");
    }

    private static int bigEndianInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
