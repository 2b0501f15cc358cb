package dev.isthmus.cuda;

import dev.isthmus.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * PTX loaded into a context with {@code cuModuleLoadDataEx}; the driver JIT-compiles it for the
 * device. A PTX file the driver rejects fails with the JIT's own error log in the message.
 */
public final class CudaModule implements AutoCloseable {
    private static final int LOG_BYTES = 16 * 1024;

    private final CudaContext context;
    private final String name;
    private final MemorySegment module;
    private final Map<String, CudaFunction> functions = new HashMap<>();
    private boolean closed;

    private CudaModule(CudaContext context, String name, MemorySegment module) {
        this.context = context;
        this.name = name;
        this.module = module;
    }

    /** Loads PTX text; {@code name} (e.g. the resource path) appears in error messages. */
    public static CudaModule loadPtx(CudaContext context, String name, String ptx) {
        context.bind();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = arena.allocateFrom(ptx, StandardCharsets.US_ASCII);
            MemorySegment errorLog = arena.allocate(LOG_BYTES);
            MemorySegment options = arena.allocate(ValueLayout.JAVA_INT, 2);
            options.setAtIndex(ValueLayout.JAVA_INT, 0, CudaDriver.CU_JIT_ERROR_LOG_BUFFER());
            options.setAtIndex(ValueLayout.JAVA_INT, 1, CudaDriver.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES());
            MemorySegment values = arena.allocate(ValueLayout.ADDRESS, 2);
            values.setAtIndex(ValueLayout.ADDRESS, 0, errorLog);
            // The driver reads this option's value as an integer stored in the pointer slot.
            values.setAtIndex(ValueLayout.JAVA_LONG, 1, LOG_BYTES);
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int status = CudaDriver.cuModuleLoadDataEx(out, image, 2, options, values);
            if (status != CudaDriver.CUDA_SUCCESS()) {
                CudaException cause = CudaStatus.driverException(status, "cuModuleLoadDataEx(" + name + ")");
                String log = errorLog.getString(0).strip();
                throw new KernelLoadException(name, log, cause);
            }
            return new CudaModule(context, name, out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /** The kernel {@code entry} (its {@code .entry} name in the PTX), looked up once. */
    public synchronized CudaFunction function(String entry) {
        if (closed) {
            throw new IllegalStateException("module " + name + " is closed");
        }
        return functions.computeIfAbsent(entry, e -> {
            context.bind();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
                CudaStatus.driver(CudaDriver.cuModuleGetFunction(out, module, arena.allocateFrom(e)),
                        "cuModuleGetFunction(" + name + ", " + e + ")");
                return new CudaFunction(context, name + ":" + e, out.get(ValueLayout.ADDRESS, 0));
            }
        });
    }

    public String name() {
        return name;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            context.bind();
            CudaStatus.driver(CudaDriver.cuModuleUnload(module), "cuModuleUnload(" + name + ")");
        }
    }
}
