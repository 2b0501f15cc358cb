package dev.isthmus.cuda;

import dev.isthmus.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Work captured from a stream once and replayed with a single launch (CUDA graphs), which
 * removes the per-kernel launch cost from repeated sequences such as a training step.
 */
public final class CudaGraph implements AutoCloseable {
    private final CudaContext context;
    private final MemorySegment graph;
    private final MemorySegment executable;
    private boolean closed;

    private CudaGraph(CudaContext context, MemorySegment graph, MemorySegment executable) {
        this.context = context;
        this.graph = graph;
        this.executable = executable;
    }

    /** Records what {@code work} enqueues on {@code stream} (without running it) and instantiates it. */
    public static CudaGraph capture(CudaStream stream, Runnable work) {
        CudaContext context = stream.context();
        context.bind();
        try (Arena arena = Arena.ofConfined()) {
            CudaStatus.driver(CudaDriver.cuStreamBeginCapture_v2(stream.handle(),
                    CudaDriver.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL()), "cuStreamBeginCapture");
            MemorySegment graphOut = arena.allocate(ValueLayout.ADDRESS);
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                // End the capture (the stream must leave capture mode) and drop what it recorded;
                // the work's own failure is the one to report.
                int status = CudaDriver.cuStreamEndCapture(stream.handle(), graphOut);
                MemorySegment captured = graphOut.get(ValueLayout.ADDRESS, 0);
                if (status == CudaDriver.CUDA_SUCCESS() && !captured.equals(MemorySegment.NULL)) {
                    CudaDriver.cuGraphDestroy(captured);
                }
                throw e;
            }
            CudaStatus.driver(CudaDriver.cuStreamEndCapture(stream.handle(), graphOut), "cuStreamEndCapture");
            MemorySegment graph = graphOut.get(ValueLayout.ADDRESS, 0);
            MemorySegment execOut = arena.allocate(ValueLayout.ADDRESS);
            int status = CudaDriver.cuGraphInstantiateWithFlags(execOut, graph, 0);
            if (status != CudaDriver.CUDA_SUCCESS()) {
                CudaDriver.cuGraphDestroy(graph);
                CudaStatus.driver(status, "cuGraphInstantiateWithFlags");
            }
            return new CudaGraph(context, graph, execOut.get(ValueLayout.ADDRESS, 0));
        }
    }

    /** Enqueues one replay of the captured work on {@code stream}. */
    public void launch(CudaStream stream) {
        if (closed) {
            throw new IllegalStateException("graph is closed");
        }
        context.bind();
        CudaStatus.driver(CudaDriver.cuGraphLaunch(executable, stream.handle()), "cuGraphLaunch");
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            context.bind();
            CudaStatus.driver(CudaDriver.cuGraphExecDestroy(executable), "cuGraphExecDestroy");
            CudaStatus.driver(CudaDriver.cuGraphDestroy(graph), "cuGraphDestroy");
        }
    }
}
