package dev.isthmus.cuda;

import dev.isthmus.cuda.cudnn.Cudnn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A cuDNN handle bound to one stream. */
public final class CudnnHandle implements AutoCloseable {
    private final CudaStream stream;
    private final MemorySegment handle;
    private boolean closed;

    private CudnnHandle(CudaStream stream, MemorySegment handle) {
        this.stream = stream;
        this.handle = handle;
    }

    public static CudnnHandle create(CudaStream stream) {
        CudaLibraries.system().require(CudaLibrary.CUDNN);
        stream.context().bind();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaStatus.cudnn(Cudnn.cudnnCreate(out), "cudnnCreate");
            MemorySegment handle = out.get(ValueLayout.ADDRESS, 0);
            CudaStatus.cudnn(Cudnn.cudnnSetStream(handle, stream.handle()), "cudnnSetStream");
            return new CudnnHandle(stream, handle);
        }
    }

    /** cuDNN's version as {@code major * 10000 + minor * 100 + patch} (cuDNN 9 numbering); needs only the library. */
    public static long version() {
        CudaLibraries.system().require(CudaLibrary.CUDNN);
        return Cudnn.cudnnGetVersion();
    }

    public CudaStream stream() {
        return stream;
    }

    MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("cuDNN handle is closed");
        }
        return handle;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            stream.context().bind();
            CudaStatus.cudnn(Cudnn.cudnnDestroy(handle), "cudnnDestroy");
        }
    }
}
