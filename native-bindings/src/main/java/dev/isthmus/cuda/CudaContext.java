package dev.isthmus.cuda;

import dev.isthmus.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The primary context of one device, retained while this object is open. Every facade call that
 * needs a current context calls {@link #bind()} first, which makes this context current on the
 * calling thread (once per thread; cheap afterwards).
 *
 * <p>The primary context is the one the runtime API and PyTorch share, and its retain/release
 * entry points are the same in CUDA 12 and 13 drivers (unlike {@code cuCtxCreate}).
 */
public final class CudaContext implements AutoCloseable {
    private static final ThreadLocal<MemorySegment> CURRENT = new ThreadLocal<>();

    private final CudaDevice device;
    private final int deviceHandle;
    private final MemorySegment context;
    private boolean closed;

    private CudaContext(CudaDevice device, int deviceHandle, MemorySegment context) {
        this.device = device;
        this.deviceHandle = deviceHandle;
        this.context = context;
    }

    /** Retains device {@code ordinal}'s primary context and makes it current on this thread. */
    public static CudaContext retainPrimary(int ordinal) {
        CudaDevice device = CudaDevice.get(ordinal);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(ValueLayout.JAVA_INT);
            CudaStatus.driver(CudaDriver.cuDeviceGet(handle, ordinal), "cuDeviceGet");
            int dev = handle.get(ValueLayout.JAVA_INT, 0);
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaStatus.driver(CudaDriver.cuDevicePrimaryCtxRetain(out, dev), "cuDevicePrimaryCtxRetain");
            CudaContext ctx = new CudaContext(device, dev, out.get(ValueLayout.ADDRESS, 0));
            ctx.bind();
            return ctx;
        }
    }

    public CudaDevice device() {
        return device;
    }

    int deviceHandle() {
        return deviceHandle;
    }

    /** Makes this context current on the calling thread if it is not already. */
    public void bind() {
        if (closed) {
            throw new IllegalStateException("CUDA context of " + device.name() + " is closed");
        }
        if (!context.equals(CURRENT.get())) {
            CudaStatus.driver(CudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            CURRENT.set(context);
        }
    }

    /** Waits until every stream of this context is idle. */
    public void synchronize() {
        bind();
        CudaStatus.driver(CudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
    }

    /** Free and total device memory, as the driver reports them: {@code {free, total}}. */
    public long[] memoryInfo() {
        bind();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment total = arena.allocate(ValueLayout.JAVA_LONG);
            CudaStatus.driver(CudaDriver.cuMemGetInfo_v2(free, total), "cuMemGetInfo");
            return new long[] {free.get(ValueLayout.JAVA_LONG, 0), total.get(ValueLayout.JAVA_LONG, 0)};
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CURRENT.remove();
            CudaStatus.driver(CudaDriver.cuDevicePrimaryCtxRelease_v2(deviceHandle), "cuDevicePrimaryCtxRelease");
        }
    }
}
