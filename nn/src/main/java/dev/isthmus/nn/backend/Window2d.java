package dev.isthmus.nn.backend;

import java.util.Locale;

/**
 * The geometry of a 2-D sliding window (convolution or pooling) over channels-last input
 * [batch, height, width, channels]: window size, strides and the padding TensorFlow computes for
 * "valid" (none) and "same" (output = ceil(input / stride), the odd pixel at bottom/right).
 */
public record Window2d(int batch, int height, int width, int channels,
                       int windowHeight, int windowWidth, int strideHeight, int strideWidth,
                       int padTop, int padLeft, int outHeight, int outWidth) {

    /** Keras's {@code padding} argument of windowed layers. */
    public enum Padding {
        /** No padding: only windows entirely inside the input. */
        VALID,
        /** Zero padding so that the output is {@code ceil(input / stride)} along each axis. */
        SAME;

        /**
         * By Keras name, case-insensitive: "valid" or "same".
         * @throws IllegalArgumentException for any other name
         */
        public static Padding of(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "valid" -> VALID;
                case "same" -> SAME;
                default -> throw new IllegalArgumentException("padding must be \"valid\" or \"same\", got \"" + name + "\"");
            };
        }
    }

    /**
     * The window of size {@code windowHeight} × {@code windowWidth} moved by the given strides over input
     * [batch, height, width, channels], with the output size and padding {@code padding} implies (as TensorFlow).
     * @throws IllegalArgumentException if a size or stride is not positive, or a "valid" window does not fit the input
     */
    public static Window2d of(int batch, int height, int width, int channels, int windowHeight, int windowWidth,
                              int strideHeight, int strideWidth, Padding padding) {
        if (windowHeight <= 0 || windowWidth <= 0 || strideHeight <= 0 || strideWidth <= 0) {
            throw new IllegalArgumentException("window " + windowHeight + "x" + windowWidth + " and strides "
                    + strideHeight + "x" + strideWidth + " must be positive");
        }
        int oh;
        int ow;
        int padTop = 0;
        int padLeft = 0;
        if (padding == Padding.VALID) {
            oh = height < windowHeight ? 0 : (height - windowHeight) / strideHeight + 1;
            ow = width < windowWidth ? 0 : (width - windowWidth) / strideWidth + 1;
        } else {
            oh = (height + strideHeight - 1) / strideHeight;
            ow = (width + strideWidth - 1) / strideWidth;
            padTop = Math.max((oh - 1) * strideHeight + windowHeight - height, 0) / 2;
            padLeft = Math.max((ow - 1) * strideWidth + windowWidth - width, 0) / 2;
        }
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("a " + windowHeight + "x" + windowWidth + " window with \"valid\" padding"
                    + " does not fit an input of " + height + "x" + width);
        }
        return new Window2d(batch, height, width, channels, windowHeight, windowWidth, strideHeight, strideWidth,
                padTop, padLeft, oh, ow);
    }

    /** Rows of padding below the input (what "same" adds after {@link #padTop}; 0 for "valid"). */
    public int padBottom() {
        return Math.max((outHeight - 1) * strideHeight + windowHeight - height, 0) - padTop;
    }

    /** Columns of padding right of the input (0 for "valid"). */
    public int padRight() {
        return Math.max((outWidth - 1) * strideWidth + windowWidth - width, 0) - padLeft;
    }

    /** The same window for another batch size. */
    public Window2d withBatch(int n) {
        return new Window2d(n, height, width, channels, windowHeight, windowWidth, strideHeight, strideWidth,
                padTop, padLeft, outHeight, outWidth);
    }
}
