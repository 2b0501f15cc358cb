package dev.isthmus.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    @TempDir
    Path dir;

    /** 2 rows x 3 columns: red, green, blue / white, black, (10, 20, 30). */
    private static final int[][] RGB = {
        {0xFF0000, 0x00FF00, 0x0000FF},
        {0xFFFFFF, 0x000000, 0x0A141E},
    };

    private Path writeRgbPng(String name) throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                img.setRGB(x, y, RGB[y][x]);
            }
        }
        Path p = dir.resolve(name);
        assertTrue(ImageIO.write(img, "png", p.toFile()));
        return p;
    }

    private static DataFormatException failsLoading(Path p) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> Images.load(p));
        assertEquals(p, e.path());
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        return e;
    }

    // ---------------------------------------------------------------- loading

    @Test
    void loadsPngAsRgbHwcWithExactPixelValues() throws IOException {
        Tensor t = Images.load(writeRgbPng("rgb.png"));
        assertArrayEquals(new int[] {2, 3, 3}, t.shape());
        assertArrayEquals(new float[] {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 10, 20, 30}, t.toArray());
    }

    @Test
    void loadsPngAsGrayscaleWithPilLuma() throws IOException {
        Tensor t = Images.load(writeRgbPng("rgb.png"), ColorMode.GRAYSCALE);
        assertArrayEquals(new int[] {2, 3, 1}, t.shape());
        // PIL: Image.new("RGB", ...).convert("L") gives 76, 150, 29 for pure red, green, blue.
        int mixed = (int) Math.round(0.299 * 10 + 0.587 * 20 + 0.114 * 30);
        assertArrayEquals(new float[] {76, 150, 29, 255, 0, mixed}, t.toArray());
    }

    @Test
    void loadsGreyPngRawAndRgbaPngWithAlpha() throws IOException {
        BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 100, 200});
        Path g = dir.resolve("grey.png");
        ImageIO.write(grey, "png", g.toFile());
        assertArrayEquals(new float[] {0, 100, 200}, Images.load(g, ColorMode.GRAYSCALE).toArray());
        assertArrayEquals(new float[] {0, 0, 0, 100, 100, 100, 200, 200, 200}, Images.load(g).toArray());

        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x80102030);
        argb.setRGB(1, 0, 0xFFFFFFFF);
        Path a = dir.resolve("rgba.png");
        ImageIO.write(argb, "png", a.toFile());
        assertArrayEquals(new float[] {16, 32, 48, 128, 255, 255, 255, 255}, Images.load(a, ColorMode.RGBA).toArray());
        assertArrayEquals(new float[] {16, 32, 48, 255, 255, 255}, Images.load(a, ColorMode.RGB).toArray());
        assertArrayEquals(new float[] {10, 20, 30, 255}, Images.load(writeRgbPng("x.png"), ColorMode.RGBA)
                .slice(0, 1, 2).slice(1, 2, 3).toArray());
    }

    @Test
    void loadsJpegWithinCompressionError() throws IOException {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, 0x4080C0);
            }
        }
        Path p = dir.resolve("flat.jpg");
        assertTrue(ImageIO.write(img, "jpg", p.toFile()));
        float[] v = Images.load(p).toArray();
        assertEquals(16 * 16 * 3, v.length);
        for (int i = 0; i < v.length; i += 3) {
            assertEquals(0x40, v[i], 3);
            assertEquals(0x80, v[i + 1], 3);
            assertEquals(0xC0, v[i + 2], 3);
        }
    }

    @Test
    void loadNormalizedResizesAndScalesToUnitRange() throws IOException {
        Path p = writeRgbPng("rgb.png");
        Tensor t = Images.loadNormalized(p, ColorMode.RGB, 4, 6);
        assertArrayEquals(new int[] {4, 6, 3}, t.shape());
        float[] expected = Images.load(p, ColorMode.RGB, 4, 6).toArray();
        float[] v = t.toArray();
        for (int i = 0; i < v.length; i++) {
            assertEquals(expected[i] / 255f, v[i], 0f);
            assertTrue(v[i] >= 0 && v[i] <= 1);
        }
        assertArrayEquals(new int[] {1, 1, 1}, Images.load(p, ColorMode.GRAYSCALE, 1, 1).shape());
        // Nearest (Keras' load_img default) picks source pixels: row floor(0.5 * 2 / 1) = 1.
        assertArrayEquals(new float[] {255, 255, 255, 0, 0, 0, 10, 20, 30},
                Images.load(p, ColorMode.RGB, 1, 3, Images.Interpolation.NEAREST).toArray());
    }

    // ---------------------------------------------------------------- errors

    @Test
    void truncatedPngIsATypedErrorNamingTheFile() throws IOException {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, x * y * 1234567 + x * 97 + y);
            }
        }
        Path whole = dir.resolve("whole.png");
        ImageIO.write(img, "png", whole.toFile());
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(bytes, bytes.length / 2));
        DataFormatException e = failsLoading(cut);
        assertTrue(e.getMessage().contains("corrupt or truncated"), e.getMessage());

        byte[] corrupt = bytes.clone();
        for (int i = 60; i < corrupt.length - 20; i += 7) {
            corrupt[i] ^= 0x5A;
        }
        failsLoading(Files.write(dir.resolve("corrupt.png"), corrupt));

        Path headerOnly = Files.write(dir.resolve("header.png"), Arrays.copyOf(bytes, 20));
        failsLoading(headerOnly);
    }

    @Test
    void unknownFormatEmptyAndMissingFilesAreTypedErrors() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "definitely not an image");
        assertTrue(failsLoading(text).getMessage().contains("unsupported or unrecognised image format"));
        Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
        assertTrue(failsLoading(empty).getMessage().contains("empty file"));
        DataFormatException missing = failsLoading(dir.resolve("absent.png"));
        assertTrue(missing.getMessage().contains("no such file"));
        assertInstanceOf(NoSuchFileException.class, missing.getCause());
    }

    // ---------------------------------------------------------------- transforms

    @Test
    void bilinearResizeOfAConstantImageStaysConstant() {
        float[] v = new float[5 * 7 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = new float[] {0.3f, 17.7f, 254.9f}[i % 3];
        }
        for (int[] size : new int[][] {{13, 4}, {2, 20}, {5, 7}, {1, 1}}) {
            Tensor r = Images.resize(Tensor.of(v, 5, 7, 3), size[0], size[1]);
            assertArrayEquals(new int[] {size[0], size[1], 3}, r.shape());
            float[] out = r.toArray();
            for (int i = 0; i < out.length; i++) {
                assertEquals(v[i % 3], out[i], 0f);
            }
        }
    }

    @Test
    void bilinearResize2x2To4x4UsesHalfPixelCentres() {
        // a b / c d: output i samples input coordinate (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 (clamped).
        float a = 0;
        float b = 40;
        float c = 80;
        float d = 160;
        Tensor r = Images.resize(Tensor.of(new float[] {a, b, c, d}, 2, 2, 1), 4, 4);
        // column/row weights of the second input pixel: 0, 0.25, 0.75, 1
        assertArrayEquals(new float[] {
            0, 10, 30, 40,
            20, 32.5f, 57.5f, 70,
            60, 77.5f, 112.5f, 130,
            80, 100, 140, 160}, r.toArray(), 1e-4f);
    }

    @Test
    void centerCropPicksTheMiddle() {
        float[] v = new float[5 * 6];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        Tensor crop = Images.centerCrop(Tensor.of(v, 5, 6, 1), 3, 2);
        assertArrayEquals(new int[] {3, 2, 1}, crop.shape());
        // rows 1..3, columns 2..3
        assertArrayEquals(new float[] {8, 9, 14, 15, 20, 21}, crop.toArray());
        assertThrows(IllegalArgumentException.class, () -> Images.centerCrop(Tensor.of(v, 5, 6, 1), 6, 2));
    }

    @Test
    void colourConversionsAndRescale() {
        Tensor rgb = Tensor.of(new float[] {255, 0, 0, 10, 20, 30}, 1, 2, 3);
        assertArrayEquals(new float[] {0.299f * 255, 0.299f * 10 + 0.587f * 20 + 0.114f * 30},
                Images.toGrayscale(rgb).toArray(), 1e-4f);
        Tensor grey = Tensor.of(new float[] {7, 9}, 1, 2, 1);
        assertArrayEquals(new float[] {7, 7, 7, 9, 9, 9}, Images.toRgb(grey).toArray());
        Tensor rgba = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 4);
        assertArrayEquals(new float[] {1, 2, 3}, Images.toRgb(rgba).toArray());
        assertArrayEquals(new float[] {1, 0, 0, 10 / 255f, 20 / 255f, 30 / 255f},
                Images.rescale(rgb, 1 / 255f).toArray(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> Images.resize(Tensor.of(new float[4], 2, 2), 3, 3));
    }

    @Test
    void batchStacksImagesAndNamesBothShapesOnMismatch() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2, 1);
        Tensor b = Tensor.of(new float[] {5, 6, 7, 8}, 2, 2, 1);
        Tensor batch = Images.batch(List.of(a, b));
        assertArrayEquals(new int[] {2, 2, 2, 1}, batch.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, batch.toArray());
        var e = assertThrows(ShapeMismatchException.class,
                () -> Images.batch(List.of(a, Tensor.of(new float[12], 2, 2, 3))));
        assertTrue(e.getMessage().contains("Images.batch") && e.getMessage().contains("[2, 2, 1]")
                && e.getMessage().contains("[2, 2, 3]"), e.getMessage());
    }

    @Test
    void aFewBytesDeclaringAHugeFrameAreRefusedBeforeDecoding() throws IOException {
        // an 802-byte GIF the fuzzer found: its frame claims 65529 x 2569 pixels (168 M); decoding it
        // took seconds and its tensor gigabytes
        Path seed = Path.of("src/test/resources/dev/isthmus/nn/fuzz/ImageFuzzTestInputs/imagesAreLoadedOrRefusedWithATypedError/"
                + "slow-unit-36d78334d3e2c9f43ab45d3bf17f000689889c59");
        Path file = dir.resolve("bomb.gif");
        Files.copy(seed, file);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Images.load(file, ColorMode.RGB));
        assertTrue(e.getMessage().contains("65529x2569") && e.getMessage().contains(Images.MAX_PIXELS_PROPERTY), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
