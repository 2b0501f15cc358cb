package dev.isthmus.nn.data;

/** How {@link Images} returns pixels: the number of channels of the [height, width, channels] tensor. */
public enum ColorMode {
    /** One channel: ITU-R BT.601 luma, {@code L = 0.299 R + 0.587 G + 0.114 B} (PIL's "L" mode). */
    GRAYSCALE(1),
    /** Three channels R, G, B; an alpha channel in the file is dropped (not composited), as PIL does. */
    RGB(3),
    /** Four channels R, G, B, A; files without alpha get A = 255. */
    RGBA(4);

    private final int channels;

    ColorMode(int channels) {
        this.channels = channels;
    }

    /** The number of channels of the image tensors this mode gives: 1, 3 or 4. */
    public int channels() {
        return channels;
    }
}
