package dev.isthmus.kernels;

import dev.isthmus.cuda.DeviceMemory;

/**
 * Device memory a launcher may use between its kernels (the partials of a two-pass reduction).
 * It is read and written only by work on the launcher's stream, so stream order alone keeps
 * one launch's use of it from overlapping the next one's.
 */
public interface ScratchSpace {
    /** At least {@code bytes} bytes, valid until the next call. */
    DeviceMemory atLeast(long bytes);
}
