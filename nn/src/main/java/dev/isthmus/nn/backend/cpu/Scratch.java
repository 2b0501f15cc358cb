package dev.isthmus.nn.backend.cpu;

/**
 * Per-thread float[] scratch for the per-image staging of convolution and pooling: a step stages
 * megabytes image by image, and fresh arrays cost their zeroing and the collector's time.
 * Contents are unspecified; each slot is one array, grown when a larger one is asked for.
 */
final class Scratch {
    static final int CONV_OUT = 0;
    static final int POOL_IN = 1;
    static final int POOL_OUT = 2;
    static final int POOL_GRAD = 3;
    /** One image with its zero padding ({@link CpuConvolution#paddedImage}). */
    static final int PADDED = 4;
    private static final ThreadLocal<float[][]> SLOTS = ThreadLocal.withInitial(() -> new float[5][0]);

    private Scratch() {
    }

    /** Slot {@code slot}'s array, at least {@code n} floats long. */
    static float[] floats(int slot, int n) {
        float[][] s = SLOTS.get();
        if (s[slot].length < n) {
            s[slot] = new float[n];
        }
        return s[slot];
    }
}
