package dev.isthmus.nn.data;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Shapes;
import dev.isthmus.nn.tensor.Tensor;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Image loading and simple transforms on [height, width, channels] float32 tensors (HWC,
 * channels-last as in Keras), pixel values 0..255 unless stated otherwise.
 *
 * <p>Files are decoded by {@code javax.imageio} (PNG, JPEG, GIF, BMP, ... whatever the JDK has
 * readers for). Anything that goes wrong reading one — missing file, unknown format, truncated or
 * corrupt data, including the JPEG decoder's "premature end" warnings — is a
 * {@link DataFormatException} naming the file.
 *
 * <p>Resizing: {@link Interpolation#BILINEAR} uses half-pixel centres (align-corners false):
 * output pixel {@code i} samples the input at {@code (i + 0.5) * in / out - 0.5}, clamped to the
 * edge, without antialiasing. That is TensorFlow's {@code tf.image.resize(method="bilinear",
 * antialias=False)} and PyTorch's {@code interpolate(mode="bilinear", align_corners=False)}; it
 * equals PIL's bilinear when enlarging (PIL widens its filter when shrinking, this does not). The
 * result is not rounded to integers.
 */
public final class Images {
    /** The system property that sets {@link #MAX_PIXELS}. */
    public static final String MAX_PIXELS_PROPERTY = "isthmus.image.maxPixels";
    /**
     * The most pixels an image may declare (64 Mi, about an 8192 × 8192 picture, unless
     * {@value #MAX_PIXELS_PROPERTY} says otherwise), as Pillow refuses decompression bombs: larger
     * ones are refused before decoding.
     */
    public static final long MAX_PIXELS = Math.min(Long.getLong(MAX_PIXELS_PROPERTY, 1L << 26), (Integer.MAX_VALUE - 16) / 4);

    private Images() {}

    /** How {@link #resize(Tensor, int, int, Interpolation)} samples the input. */
    public enum Interpolation {
        /** Half-pixel-centre bilinear, no antialiasing (see the class comment). */
        BILINEAR,
        /** Nearest neighbour, input pixel {@code floor((i + 0.5) * in / out)} (PIL's NEAREST, Keras' load_img default). */
        NEAREST
    }

    // ------------------------------------------------------------------------------- directories

    /** The image files {@link #directory} reads, by extension (Keras's list). */
    private static final List<String> IMAGE_EXTENSIONS = List.of(".bmp", ".gif", ".jpeg", ".jpg", ".png");

    /**
     * Keras's {@code image_dataset_from_directory(labels="inferred", label_mode="int")}: one
     * subfolder of {@code root} per class, classes numbered in sorted folder-name order, each
     * class's image files (.bmp, .gif, .jpeg, .jpg, .png) in sorted name order. Elements are
     * {image float32 [height, width, channels] with values 0..255 (resized bilinearly), label int32
     * scalar}, loaded as the pass pulls them. Unlike Keras nothing is shuffled or batched here:
     * chain {@code shuffle(...)} and {@code batch(...)}.
     *
     * @throws DataFormatException when {@code root} is not a readable folder or has no class folders
     */
    public static Dataset directory(Path root, ColorMode mode, int height, int width) {
        List<String> classes = classNames(root);
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            for (Path f : sortedEntries(root.resolve(classes.get(c)))) {
                String name = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                if (Files.isRegularFile(f) && IMAGE_EXTENSIONS.stream().anyMatch(name::endsWith)) {
                    files.add(f);
                    labels.add(c);
                }
            }
        }
        return new Dataset() {
            @Override
            Cursor open(int epoch) {
                int[] next = {0};
                return cursor(() -> {
                    if (next[0] == files.size()) {
                        return null;
                    }
                    int i = next[0]++;
                    return new Tensor[] {load(files.get(i), mode, height, width), Tensor.of(new int[] {labels.get(i)})};
                });
            }

            @Override
            public long cardinality() {
                return files.size();
            }
        };
    }

    /** The class folder names of {@code root} in sorted order: the label of class i is i. */
    public static List<String> classNames(Path root) {
        List<String> classes = new ArrayList<>();
        for (Path p : sortedEntries(root)) {
            if (Files.isDirectory(p)) {
                classes.add(p.getFileName().toString());
            }
        }
        if (classes.isEmpty()) {
            throw new DataFormatException(root, "no class folders: expected one subfolder of images per class");
        }
        return classes;
    }

    private static List<Path> sortedEntries(Path folder) {
        try (var entries = Files.list(folder)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new DataFormatException(folder, "cannot list the folder: " + e, e);
        }
    }

    // ------------------------------------------------------------------------------- loading

    /** The image at {@code path} as RGB, [height, width, 3], values 0..255. */
    public static Tensor load(Path path) {
        return load(path, ColorMode.RGB);
    }

    /** The image at {@code path} as [height, width, mode.channels()], values 0..255. */
    public static Tensor load(Path path, ColorMode mode) {
        BufferedImage img = read(path);
        int h = img.getHeight();
        int w = img.getWidth();
        return Tensor.of(pixels(path, img, mode), h, w, mode.channels());
    }

    /** Loads and resizes bilinearly to [targetHeight, targetWidth, channels] (Keras {@code load_img(target_size=...)}). */
    public static Tensor load(Path path, ColorMode mode, int targetHeight, int targetWidth) {
        return load(path, mode, targetHeight, targetWidth, Interpolation.BILINEAR);
    }

    /**
     * Loads and resizes to [targetHeight, targetWidth, channels]. Keras' {@code load_img} defaults
     * to nearest-neighbour; pass {@link Interpolation#NEAREST} to match it.
     */
    public static Tensor load(Path path, ColorMode mode, int targetHeight, int targetWidth, Interpolation interpolation) {
        return resize(load(path, mode), targetHeight, targetWidth, interpolation);
    }

    /**
     * The seed program's {@code img_to_array(load_img(path, color_mode, target_size)) / 255} in one
     * call: load, bilinear resize to [height, width, channels], scale to 0..1.
     */
    public static Tensor loadNormalized(Path path, ColorMode mode, int height, int width) {
        float[] v = resizeArray(loadArray(path, mode), height, width, Interpolation.BILINEAR);
        for (int i = 0; i < v.length; i++) {
            v[i] /= 255f;
        }
        return Tensor.of(v, height, width, mode.channels());
    }

    private record Hwc(float[] data, int h, int w, int c) {}

    private static Hwc loadArray(Path path, ColorMode mode) {
        BufferedImage img = read(path);
        return new Hwc(pixels(path, img, mode), img.getHeight(), img.getWidth(), mode.channels());
    }

    private static BufferedImage read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(path, "no such file", e);
        } catch (IOException | OutOfMemoryError e) {
            throw new DataFormatException(path, "cannot read the file: " + e, e);
        }
        if (bytes.length == 0) {
            throw new DataFormatException(path, "empty file");
        }
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DataFormatException(path, "unsupported or unrecognised image format (starts with "
                        + hexStart(bytes) + "); readable formats: " + String.join(", ", ImageIO.getReaderFormatNames()));
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new DataFormatException(path, "image has no pixels (" + w + "x" + h + ")");
                }
                if (w * h > MAX_PIXELS) {
                    // checked before decoding: a few hundred bytes of GIF can declare a frame of hundreds
                    // of megapixels, seconds to decode and gigabytes as a tensor
                    throw new DataFormatException(path, "image too large: " + w + "x" + h + " is " + w * h
                            + " pixels, above the limit of " + MAX_PIXELS + " (-D" + MAX_PIXELS_PROPERTY + "=N raises it)");
                }
                BufferedImage img;
                try {
                    img = reader.read(0);
                } catch (OutOfMemoryError e) {
                    throw new DataFormatException(path, "a " + w + "x" + h + " image needs at least " + w * h * 4
                            + " bytes to decode, more than the heap can hold", e);
                }
                if (!warnings.isEmpty()) {
                    throw new DataFormatException(path, "corrupt or truncated " + reader.getFormatName()
                            + " image: " + String.join("; ", warnings));
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (DataFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports truncation as IIOException/EOFException and some corruption as unchecked exceptions.
            throw new DataFormatException(path, "corrupt or truncated image: " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append(": ").append(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
        }
        return sb.toString();
    }

    private static String hexStart(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }

    /** Decodes to HWC floats; grey files are read from their raster (getRGB would gamma-convert them). */
    private static float[] pixels(Path path, BufferedImage img, ColorMode mode) {
        int h = img.getHeight();
        int w = img.getWidth();
        int c = mode.channels();
        float[] out;
        try {
            out = new float[h * w * c];
        } catch (OutOfMemoryError e) {
            throw new DataFormatException(path, "a " + w + "x" + h + "x" + c + " image needs " + (long) h * w * c * Float.BYTES
                    + " bytes of floats, more than the heap can hold", e);
        }
        ColorModel cm = img.getColorModel();
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            Raster r = img.getRaster();
            double gMax = (1L << cm.getComponentSize(0)) - 1;
            boolean alpha = cm.hasAlpha() && r.getNumBands() > 1;
            double aMax = alpha ? (1L << cm.getComponentSize(1)) - 1 : 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float g = (float) Math.round(r.getSample(x, y, 0) * 255.0 / gMax);
                    float a = alpha ? (float) Math.round(r.getSample(x, y, 1) * 255.0 / aMax) : 255f;
                    int o = (y * w + x) * c;
                    out[o] = g;
                    if (c >= 3) {
                        out[o + 1] = g;
                        out[o + 2] = g;
                    }
                    if (c == 4) {
                        out[o + 3] = a;
                    }
                }
            }
            return out;
        }
        int[] argb;
        try {
            argb = img.getRGB(0, 0, w, h, null, 0, w);
        } catch (RuntimeException e) {
            throw new DataFormatException(path, "unsupported pixel layout: " + describe(e), e);
        }
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            int a = p >>> 24;
            int r = (p >> 16) & 0xff;
            int g = (p >> 8) & 0xff;
            int b = p & 0xff;
            int o = i * c;
            if (c == 1) {
                out[o] = luma8(r, g, b);
            } else {
                out[o] = r;
                out[o + 1] = g;
                out[o + 2] = b;
                if (c == 4) {
                    out[o + 3] = cm.hasAlpha() ? a : 255;
                }
            }
        }
        return out;
    }

    /** PIL's integer RGB → L conversion: round(0.299 R + 0.587 G + 0.114 B) in 16-bit fixed point. */
    private static int luma8(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    // ------------------------------------------------------------------------------- transforms

    /** Bilinear resize (half-pixel centres, no antialiasing; see the class comment) to [height, width, c]. */
    public static Tensor resize(Tensor hwc, int height, int width) {
        return resize(hwc, height, width, Interpolation.BILINEAR);
    }

    /** Resize to [height, width, c] with the given interpolation. */
    public static Tensor resize(Tensor hwc, int height, int width, Interpolation interpolation) {
        Hwc in = hwc("Images.resize", hwc);
        return Tensor.of(resizeArray(in, height, width, interpolation), height, width, in.c);
    }

    private static float[] resizeArray(Hwc in, int oh, int ow, Interpolation interpolation) {
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("Images.resize: target size must be positive, got " + oh + "x" + ow);
        }
        int c = in.c;
        if (oh == in.h && ow == in.w) {
            return in.data.clone();
        }
        float[] out = new float[oh * ow * c];
        if (interpolation == Interpolation.NEAREST) {
            for (int y = 0; y < oh; y++) {
                int sy = Math.min((int) ((y + 0.5) * in.h / oh), in.h - 1);
                for (int x = 0; x < ow; x++) {
                    int sx = Math.min((int) ((x + 0.5) * in.w / ow), in.w - 1);
                    System.arraycopy(in.data, (sy * in.w + sx) * c, out, (y * ow + x) * c, c);
                }
            }
            return out;
        }
        int[] x0 = new int[ow];
        int[] x1 = new int[ow];
        float[] fx = new float[ow];
        for (int x = 0; x < ow; x++) {
            double sx = Math.clamp((x + 0.5) * in.w / ow - 0.5, 0.0, in.w - 1);
            x0[x] = (int) sx;
            x1[x] = Math.min(x0[x] + 1, in.w - 1);
            fx[x] = (float) (sx - x0[x]);
        }
        float[] d = in.data;
        for (int y = 0; y < oh; y++) {
            double sy = Math.clamp((y + 0.5) * in.h / oh - 0.5, 0.0, in.h - 1);
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, in.h - 1);
            float fy = (float) (sy - y0);
            for (int x = 0; x < ow; x++) {
                int a = (y0 * in.w + x0[x]) * c;
                int b = (y0 * in.w + x1[x]) * c;
                int e = (y1 * in.w + x0[x]) * c;
                int f = (y1 * in.w + x1[x]) * c;
                int o = (y * ow + x) * c;
                for (int k = 0; k < c; k++) {
                    float top = d[a + k] + fx[x] * (d[b + k] - d[a + k]);
                    float bottom = d[e + k] + fx[x] * (d[f + k] - d[e + k]);
                    out[o + k] = top + fy * (bottom - top);
                }
            }
        }
        return out;
    }

    /**
     * The central [height, width, c] window, starting at row {@code (H - height) / 2} and column
     * {@code (W - width) / 2} (rounded down, as Keras' CenterCrop).
     */
    public static Tensor centerCrop(Tensor hwc, int height, int width) {
        Hwc in = hwc("Images.centerCrop", hwc);
        if (height <= 0 || width <= 0 || height > in.h || width > in.w) {
            throw new IllegalArgumentException("Images.centerCrop: cannot crop " + height + "x" + width
                    + " from an image of shape " + Shapes.str(hwc.shape()));
        }
        int top = (in.h - height) / 2;
        int left = (in.w - width) / 2;
        float[] out = new float[height * width * in.c];
        for (int y = 0; y < height; y++) {
            System.arraycopy(in.data, ((top + y) * in.w + left) * in.c, out, y * width * in.c, width * in.c);
        }
        return Tensor.of(out, height, width, in.c);
    }

    /**
     * [h, w, 1] luma {@code 0.299 R + 0.587 G + 0.114 B} (not rounded) of an RGB or RGBA image (alpha
     * ignored); a one-channel image is returned as a copy.
     */
    public static Tensor toGrayscale(Tensor hwc) {
        Hwc in = hwc("Images.toGrayscale", hwc);
        if (in.c == 1) {
            return Tensor.of(in.data, in.h, in.w, 1);
        }
        requireChannels("Images.toGrayscale", hwc, in.c == 3 || in.c == 4);
        int n = in.h * in.w;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            int o = i * in.c;
            out[i] = 0.299f * in.data[o] + 0.587f * in.data[o + 1] + 0.114f * in.data[o + 2];
        }
        return Tensor.of(out, in.h, in.w, 1);
    }

    /** [h, w, 3]: grey replicated, RGB copied, RGBA with alpha dropped. */
    public static Tensor toRgb(Tensor hwc) {
        Hwc in = hwc("Images.toRgb", hwc);
        requireChannels("Images.toRgb", hwc, in.c == 1 || in.c == 3 || in.c == 4);
        int n = in.h * in.w;
        float[] out = new float[n * 3];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                out[i * 3 + k] = in.data[i * in.c + (in.c == 1 ? 0 : k)];
            }
        }
        return Tensor.of(out, in.h, in.w, 3);
    }

    /** Every value times {@code factor} (Keras' {@code Rescaling(1/255)}); any shape, not recorded for autograd. */
    public static Tensor rescale(Tensor t, float factor) {
        float[] v = t.toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
        return Tensor.of(v, t.shape());
    }

    /** Stacks equally shaped [h, w, c] images into [n, h, w, c]. */
    public static Tensor batch(List<Tensor> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("Images.batch: no images to stack");
        }
        int[] first = images.getFirst().shape();
        checkHwc("Images.batch", first);
        int per = first[0] * first[1] * first[2];
        float[] out = new float[Math.multiplyExact(per, images.size())];
        for (int i = 0; i < images.size(); i++) {
            int[] s = images.get(i).shape();
            if (!Arrays.equals(s, first)) {
                throw ShapeMismatchException.of("Images.batch", first, s,
                        "differ: image 0 and image " + i + " must have the same [height, width, channels]");
            }
            System.arraycopy(images.get(i).toArray(), 0, out, i * per, per);
        }
        return Tensor.of(out, images.size(), first[0], first[1], first[2]);
    }

    private static Hwc hwc(String op, Tensor t) {
        int[] s = t.shape();
        checkHwc(op, s);
        return new Hwc(t.toArray(), s[0], s[1], s[2]);
    }

    private static void checkHwc(String op, int[] s) {
        if (s.length != 3 || s[0] <= 0 || s[1] <= 0 || s[2] <= 0) {
            throw new IllegalArgumentException(op + ": expected an image of shape [height, width, channels], got "
                    + Shapes.str(s));
        }
    }

    private static void requireChannels(String op, Tensor t, boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException(op + ": expected 1, 3 or 4 channels, got shape " + Shapes.str(t.shape()));
        }
    }
}
