package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IDX parsing on small files written here; the checks on the real data run only when it is
 * already in the dataset cache (tests never fetch), and are otherwise skipped with the reason.
 */
class FashionMnistTest {

    private static final int PX = FashionMnist.PIXELS;

    /** An IDX header (magic, then the dimensions) followed by {@code data}. */
    private static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    private static Path gzip(Path file, byte[] bytes) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes);
        }
        return file;
    }

    /** {@code n} images whose pixel k of image i is {@code (i * 7 + k) % 256}. */
    private static byte[] pixels(int n) {
        byte[] p = new byte[n * PX];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < PX; k++) {
                p[i * PX + k] = (byte) ((i * 7 + k) % 256);
            }
        }
        return p;
    }

    private static Path images(Path tmp, String name, int n) throws IOException {
        return gzip(tmp.resolve(name), idx(FashionMnist.IMAGES_MAGIC, new int[] {n, 28, 28}, pixels(n)));
    }

    private static Path labels(Path tmp, String name, byte... labels) throws IOException {
        return gzip(tmp.resolve(name), idx(FashionMnist.LABELS_MAGIC, new int[] {labels.length}, labels));
    }

    @Test
    void readsImagesAndLabelsAndBuildsTensorBatches(@TempDir Path tmp) throws IOException {
        FashionMnist.Split s = FashionMnist.readSplit(images(tmp, "img.gz", 3), labels(tmp, "lab.gz", (byte) 9, (byte) 0, (byte) 3), 3);
        assertEquals(3, s.count());
        assertEquals(9, s.label(0));
        assertArrayEquals(new int[] {1, 0, 0, 1, 0, 0, 0, 0, 0, 1}, s.classCounts());

        Tensor x = s.images(1, 3);
        assertArrayEquals(new int[] {2, 28, 28, 1}, x.shape());
        float[] v = x.toArray();
        assertEquals(7 / 255f, v[0], 1e-7f, "image 1, pixel 0");
        assertEquals(((7 + 248) % 256) / 255f, v[248], 1e-7f, "pixel 248 of image 1 is 255");
        assertEquals(1f, v[248], 1e-7f);
        assertEquals(14 / 255f, v[PX], 1e-7f, "image 2, pixel 0");
        for (float f : v) {
            assertTrue(f >= 0f && f <= 1f, "scaled to [0, 1]: " + f);
        }
        assertArrayEquals(new int[] {0, 3}, s.labels(1, 3).toIntArray());
        assertArrayEquals(new int[] {2}, s.labels(1, 3).shape());

        Tensor shuffled = s.images(new int[] {2, 0});
        assertEquals(14 / 255f, shuffled.toArray()[0], 1e-7f);
        assertArrayEquals(new int[] {3, 9}, s.labels(new int[] {2, 0}).toIntArray());
        assertThrows(IndexOutOfBoundsException.class, () -> s.images(2, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> s.labels(new int[] {3}));
    }

    @Test
    void badMagicNumberNamesTheFileAndOffsetZero(@TempDir Path tmp) throws IOException {
        Path labelsAsImages = labels(tmp, "swapped-images.gz", (byte) 1);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> FashionMnist.readIdx(labelsAsImages, FashionMnist.IMAGES_MAGIC, 1, 28, 28));
        assertEquals(labelsAsImages, e.file());
        assertTrue(e.getMessage().contains("swapped-images.gz") && e.getMessage().contains("0x00000801")
                && e.getMessage().contains("0x00000803") && e.getMessage().contains("offset 0"), e.getMessage());
    }

    @Test
    void wrongDimensionIsReportedWithItsOffset(@TempDir Path tmp) throws IOException {
        Path f = images(tmp, "five.gz", 5);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.readSplit(f, f, 6));
        assertTrue(e.getMessage().contains("five.gz") && e.getMessage().contains("dimension 1 (at byte offset 4) is 5, expected 6"),
                e.getMessage());
        Path cols = gzip(tmp.resolve("cols.gz"), idx(FashionMnist.IMAGES_MAGIC, new int[] {1, 28, 27}, new byte[28 * 27]));
        assertTrue(assertThrows(DatasetFormatException.class, () -> FashionMnist.readIdx(cols, FashionMnist.IMAGES_MAGIC, 1, 28, 28))
                .getMessage().contains("dimension 3 (at byte offset 12) is 27, expected 28"));
    }

    @Test
    void fileWithTooFewBytesIsTruncated(@TempDir Path tmp) throws IOException {
        byte[] whole = idx(FashionMnist.IMAGES_MAGIC, new int[] {2, 28, 28}, pixels(2));
        Path f = gzip(tmp.resolve("short.gz"), Arrays.copyOf(whole, whole.length - 10));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> FashionMnist.readIdx(f, FashionMnist.IMAGES_MAGIC, 2, 28, 28));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().contains("short.gz") && e.getMessage().contains("truncated")
                && e.getMessage().contains("offset " + (whole.length - 10)), e.getMessage());
        Path header = gzip(tmp.resolve("header.gz"), Arrays.copyOf(whole, 2));
        assertTrue(assertThrows(DatasetFormatException.class, () -> FashionMnist.readIdx(header, FashionMnist.IMAGES_MAGIC, 2, 28, 28))
                .getMessage().contains("truncated"));
    }

    @Test
    void cutGzipStreamIsAFormatErrorNamingTheFile(@TempDir Path tmp) throws IOException {
        // Random pixels, so that the compressed stream is long enough to cut in the middle.
        byte[] noise = new byte[200 * PX];
        new java.util.Random(1).nextBytes(noise);
        byte[] gz;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(idx(FashionMnist.IMAGES_MAGIC, new int[] {200, 28, 28}, noise));
        }
        gz = bytes.toByteArray();
        Path cut = Files.write(tmp.resolve("cut-images.gz"), Arrays.copyOf(gz, gz.length / 2));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> FashionMnist.readIdx(cut, FashionMnist.IMAGES_MAGIC, 200, 28, 28));
        assertEquals(cut, e.file());
        assertTrue(e.getMessage().contains("cut-images.gz") && e.getMessage().contains("gzip"), e.getMessage());

        Path plain = Files.write(tmp.resolve("plain.gz"), idx(FashionMnist.LABELS_MAGIC, new int[] {1}, new byte[1]));
        assertTrue(assertThrows(DatasetFormatException.class, () -> FashionMnist.readIdx(plain, FashionMnist.LABELS_MAGIC, 1))
                .getMessage().contains("plain.gz"));
    }

    @Test
    void trailingDataAndOutOfRangeLabelsAreRejected(@TempDir Path tmp) throws IOException {
        Path extra = gzip(tmp.resolve("extra.gz"), idx(FashionMnist.LABELS_MAGIC, new int[] {2}, new byte[] {1, 2, 3}));
        assertTrue(assertThrows(DatasetFormatException.class, () -> FashionMnist.readIdx(extra, FashionMnist.LABELS_MAGIC, 2))
                .getMessage().contains("unexpected data after the expected 10 bytes"));
        Path img = images(tmp, "img.gz", 2);
        Path lab = labels(tmp, "lab10.gz", (byte) 4, (byte) 10);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.readSplit(img, lab, 2));
        assertEquals(lab, e.file());
        assertTrue(e.getMessage().contains("label 10 of item 1 (uncompressed byte offset 9)"), e.getMessage());
    }

    // ---------------------------------------------------------------- the real data, if cached

    private static FashionMnist data;
    private static String unavailable;

    private static synchronized FashionMnist real() {
        if (data == null && unavailable == null) {
            Path cache = DatasetCache.resolve(null).root();
            if (!FashionMnist.isCached(cache)) {
                unavailable = "Fashion-MNIST is not in the dataset cache " + cache
                        + " (FashionMnist.load(cache) fetches Debian's " + FashionMnist.PACKAGE + " once)";
            } else {
                try {
                    data = FashionMnist.load(cache);
                } catch (DatasetUnavailableException | UncheckedIOException e) {
                    unavailable = "Fashion-MNIST in " + cache + " is unreadable: " + e.getMessage();
                }
            }
        }
        Assumptions.assumeTrue(data != null, () -> unavailable);
        return data;
    }

    @Test
    void realDataHas60000TrainAnd10000TestImagesBalancedOverTenClasses() {
        FashionMnist d = real();
        assertEquals(60_000, d.train().count());
        assertEquals(10_000, d.test().count());
        int[] train = d.train().classCounts();
        int[] test = d.test().classCounts();
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, train[c], "train images of class " + c);
            assertEquals(1000, test[c], "test images of class " + c);
        }
        assertEquals(9, d.train().label(0), "the first training image is an ankle boot");
        assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(d.train().label(0)));
        assertEquals(9, d.test().label(0));
        Tensor x = d.train().images(0, 2);
        assertArrayEquals(new int[] {2, 28, 28, 1}, x.shape());
        float max = 0;
        for (float f : x.toArray()) {
            max = Math.max(max, f);
        }
        assertEquals(1f, max, 1e-6f, "the first images use the full grey range");
    }
}
