package dev.isthmus.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** What a GPU test class works with: device 0's primary context, a stream and its pool, and float copies both ways. */
public final class GpuSession implements AutoCloseable {
    private final CudaContext context;
    private final CudaStream stream;
    private final CudaMemoryPool pool;

    private GpuSession(CudaContext context, CudaStream stream, CudaMemoryPool pool) {
        this.context = context;
        this.stream = stream;
        this.pool = pool;
    }

    public static GpuSession open() {
        CudaContext context = CudaContext.retainPrimary(0);
        CudaStream stream = CudaStream.create(context);
        CudaMemoryPool pool = CudaMemoryPool.defaultPool(context);
        pool.setReleaseThreshold(Long.MAX_VALUE);
        return new GpuSession(context, stream, pool);
    }

    public CudaContext context() {
        return context;
    }

    public CudaStream stream() {
        return stream;
    }

    public CudaMemoryPool pool() {
        return pool;
    }

    /** A new device buffer holding {@code values}, copied and synchronised. */
    public DeviceBuffer upload(float[] values) {
        DeviceBuffer buffer = DeviceBuffer.allocate(stream, 4L * values.length, pool);
        try (Arena arena = Arena.ofConfined()) {
            buffer.copyFromHost(arena.allocateFrom(ValueLayout.JAVA_FLOAT, values), 0);
            stream.synchronize();
        }
        return buffer;
    }

    /** The first {@code n} floats of {@code buffer}, after everything enqueued so far. */
    public float[] download(DeviceBuffer buffer, int n) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(4L * n);
            buffer.copyToHost(0, host);
            stream.synchronize();
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    public float[] download(DeviceBuffer buffer) {
        return download(buffer, (int) (buffer.byteSize() / 4));
    }

    @Override
    public void close() {
        stream.close();
        context.close();
    }
}
