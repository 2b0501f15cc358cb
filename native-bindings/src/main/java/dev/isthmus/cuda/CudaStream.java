package dev.isthmus.cuda;

import dev.isthmus.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A non-blocking stream: work enqueued on it runs in order, asynchronously to the host. */
public final class CudaStream implements AutoCloseable {
    private final CudaContext context;
    private final MemorySegment handle;
    private boolean closed;

    private CudaStream(CudaContext context, MemorySegment handle) {
        this.context = context;
        this.handle = handle;
    }

    public static CudaStream create(CudaContext context) {
        context.bind();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaStatus.driver(CudaDriver.cuStreamCreate(out, CudaDriver.CU_STREAM_NON_BLOCKING()), "cuStreamCreate");
            return new CudaStream(context, out.get(ValueLayout.ADDRESS, 0));
        }
    }

    public CudaContext context() {
        return context;
    }

    MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("stream is closed");
        }
        return handle;
    }

    /** Blocks until everything enqueued so far has finished; asynchronous errors surface here. */
    public void synchronize() {
        context.bind();
        CudaStatus.driver(CudaDriver.cuStreamSynchronize(handle()), "cuStreamSynchronize");
    }

    /** Makes later work on this stream wait for {@code event}. */
    public void waitFor(CudaEvent event) {
        context.bind();
        CudaStatus.driver(CudaDriver.cuStreamWaitEvent(handle(), event.handle(), 0), "cuStreamWaitEvent");
    }

    @Override
    public void close() {
        if (!closed) {
            context.bind();
            closed = true;
            CudaStatus.driver(CudaDriver.cuStreamDestroy_v2(handle), "cuStreamDestroy");
        }
    }
}
