package dev.isthmus.cuda;

import dev.isthmus.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** An event: record it on a stream, wait for it, make another stream wait for it, measure between two. */
public final class CudaEvent implements AutoCloseable {
    private final CudaContext context;
    private final MemorySegment handle;
    private boolean closed;

    private CudaEvent(CudaContext context, MemorySegment handle) {
        this.context = context;
        this.handle = handle;
    }

    public static CudaEvent create(CudaContext context) {
        return create(context, CudaDriver.CU_EVENT_DEFAULT());
    }

    /**
     * An event only waited for, never timed (the driver refuses {@link #millisSince} on it): recording and
     * waiting skip the timestamp, as PyTorch's and TensorFlow's stream-sync events do.
     */
    public static CudaEvent createForSync(CudaContext context) {
        return create(context, CudaDriver.CU_EVENT_DISABLE_TIMING());
    }

    private static CudaEvent create(CudaContext context, int flags) {
        context.bind();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaStatus.driver(CudaDriver.cuEventCreate(out, flags), "cuEventCreate");
            return new CudaEvent(context, out.get(ValueLayout.ADDRESS, 0));
        }
    }

    MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("event is closed");
        }
        return handle;
    }

    public void record(CudaStream stream) {
        context.bind();
        CudaStatus.driver(CudaDriver.cuEventRecord(handle(), stream.handle()), "cuEventRecord");
    }

    public void synchronize() {
        context.bind();
        CudaStatus.driver(CudaDriver.cuEventSynchronize(handle()), "cuEventSynchronize");
    }

    /** Milliseconds between {@code start} and this event, both recorded and completed. */
    public float millisSince(CudaEvent start) {
        context.bind();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ms = arena.allocate(ValueLayout.JAVA_FLOAT);
            CudaStatus.driver(CudaDriver.cuEventElapsedTime(ms, start.handle(), handle()), "cuEventElapsedTime");
            return ms.get(ValueLayout.JAVA_FLOAT, 0);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            context.bind();
            closed = true;
            CudaStatus.driver(CudaDriver.cuEventDestroy_v2(handle), "cuEventDestroy");
        }
    }
}
