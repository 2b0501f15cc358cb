package dev.isthmus.cuda;

/** Device memory a kernel argument can point at: a {@link DeviceBuffer} or a view of one. */
public interface DeviceMemory {
    /** The device address. */
    long pointer();

    long byteSize();
}
