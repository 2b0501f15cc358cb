package dev.isthmus.cuda;

import dev.isthmus.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Device memory drawn from the device's stream-ordered pool on one stream and given back on the
 * same stream when closed. Views ({@link #view}) share the memory and free nothing.
 *
 * <p>Copies and fills are enqueued on the buffer's stream; the host waits only in
 * {@link CudaStream#synchronize()} (or for copies to pageable host memory, which the driver
 * completes before returning).
 */
public final class DeviceBuffer implements DeviceMemory, AutoCloseable {
    private final CudaStream stream;
    private final long pointer;
    private final long byteSize;
    private final boolean owner;
    private boolean closed;

    private DeviceBuffer(CudaStream stream, long pointer, long byteSize, boolean owner) {
        this.stream = stream;
        this.pointer = pointer;
        this.byteSize = byteSize;
        this.owner = owner;
    }

    /**
     * Allocates {@code bytes} on {@code stream}. Running out of memory throws
     * {@link DeviceOutOfMemoryException} naming the request and the pool's state; nothing is
     * left allocated and the stream stays usable.
     */
    public static DeviceBuffer allocate(CudaStream stream, long bytes, CudaMemoryPool pool) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation: " + bytes + " bytes");
        }
        stream.context().bind();
        MemorySegment out = ALLOCATED.get();
        int status = CudaDriver.cuMemAllocAsync(out, Math.max(bytes, 1), stream.handle());
        if (status == CudaDriver.CUDA_ERROR_OUT_OF_MEMORY()) {
            throw new DeviceOutOfMemoryException(bytes, pool == null ? "pool state unknown" : pool.describe(),
                    stream.context().memoryInfo());
        }
        if (status != CudaDriver.CUDA_SUCCESS()) {
            CudaStatus.driver(status, "cuMemAllocAsync(" + bytes + " bytes)");
        }
        return new DeviceBuffer(stream, out.get(ValueLayout.JAVA_LONG, 0), bytes, true);
    }

    /** Where cuMemAllocAsync writes the address: one slot per thread, as every op allocates its output. */
    private static final ThreadLocal<MemorySegment> ALLOCATED =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(ValueLayout.JAVA_LONG));

    @Override
    public long byteSize() {
        return byteSize;
    }

    public CudaStream stream() {
        return stream;
    }

    /** The device address, for kernel arguments and library calls. */
    @Override
    public long pointer() {
        checkOpen();
        return pointer;
    }

    /** A view of {@code bytes} bytes from {@code offset}; it frees nothing when closed. */
    public DeviceBuffer view(long offset, long bytes) {
        checkOpen();
        Objects.checkFromIndexSize(offset, bytes, byteSize);
        return new DeviceBuffer(stream, pointer + offset, bytes, false);
    }

    /**
     * Enqueues a copy of all of {@code host} to this buffer from byte {@code offset}. The copy may
     * read {@code host} after this returns, pageable memory included (the driver does not promise
     * to have staged it): keep it unchanged until the stream has passed the copy, e.g. pinned
     * memory and an event recorded after it, or a synchronize.
     */
    public void copyFromHost(MemorySegment host, long offset) {
        checkOpen();
        Objects.checkFromIndexSize(offset, host.byteSize(), byteSize);
        stream.context().bind();
        CudaStatus.driver(CudaDriver.cuMemcpyHtoDAsync_v2(pointer + offset, host, host.byteSize(), stream.handle()),
                "cuMemcpyHtoDAsync");
    }

    /** Enqueues a copy of {@code host.byteSize()} bytes from byte {@code offset} of this buffer into {@code host}. */
    public void copyToHost(long offset, MemorySegment host) {
        checkOpen();
        Objects.checkFromIndexSize(offset, host.byteSize(), byteSize);
        stream.context().bind();
        CudaStatus.driver(CudaDriver.cuMemcpyDtoHAsync_v2(host, pointer + offset, host.byteSize(), stream.handle()),
                "cuMemcpyDtoHAsync");
    }

    /** Enqueues a device-to-device copy of {@code bytes} bytes. */
    public void copyFrom(DeviceBuffer source, long sourceOffset, long offset, long bytes) {
        checkOpen();
        Objects.checkFromIndexSize(sourceOffset, bytes, source.byteSize);
        Objects.checkFromIndexSize(offset, bytes, byteSize);
        stream.context().bind();
        CudaStatus.driver(CudaDriver.cuMemcpyDtoDAsync_v2(pointer + offset, source.pointer() + sourceOffset, bytes,
                stream.handle()), "cuMemcpyDtoDAsync");
    }

    /** Enqueues setting every byte to zero. */
    public void clear() {
        checkOpen();
        stream.context().bind();
        CudaStatus.driver(CudaDriver.cuMemsetD8Async(pointer, (byte) 0, byteSize, stream.handle()), "cuMemsetD8Async");
    }

    /** Enqueues setting every 32-bit word to {@code bits} (e.g. {@code Float.floatToRawIntBits(1f)}). */
    public void fill32(int bits) {
        checkOpen();
        if (byteSize % 4 != 0) {
            throw new IllegalStateException("fill32 on a buffer of " + byteSize + " bytes (not a multiple of 4)");
        }
        stream.context().bind();
        CudaStatus.driver(CudaDriver.cuMemsetD32Async(pointer, bits, byteSize / 4, stream.handle()), "cuMemsetD32Async");
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("device buffer of " + byteSize + " bytes is closed");
        }
    }

    /** Gives the memory back to the pool, ordered after the work already on the stream. */
    @Override
    public void close() {
        release();
    }

    /**
     * As {@link #close()}, and says whether this call was the one that closed the buffer (so
     * that owners counting live bytes count each buffer once, from any thread).
     */
    public synchronized boolean release() {
        if (closed) {
            return false;
        }
        closed = true;
        if (owner) {
            stream.context().bind();
            CudaStatus.driver(CudaDriver.cuMemFreeAsync(pointer, stream.handle()), "cuMemFreeAsync");
        }
        return true;
    }
}
