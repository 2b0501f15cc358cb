package dev.isthmus.cuda;

import dev.isthmus.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** One kernel of a loaded module. */
public final class CudaFunction {
    private final CudaContext context;
    private final String name;
    private final String launchCall;
    private final MemorySegment function;
    private int suggestedBlockSize;
    private int minGridForFullOccupancy;

    CudaFunction(CudaContext context, String name, MemorySegment function) {
        this.context = context;
        this.name = name;
        this.launchCall = "cuLaunchKernel(" + name + ")";
        this.function = function;
    }

    public String name() {
        return name;
    }

    /** The block size the occupancy calculator suggests (no dynamic shared memory), computed once. */
    public synchronized int suggestedBlockSize() {
        if (suggestedBlockSize == 0) {
            context.bind();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment minGrid = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment block = arena.allocate(ValueLayout.JAVA_INT);
                CudaStatus.driver(CudaDriver.cuOccupancyMaxPotentialBlockSize(minGrid, block, function,
                        MemorySegment.NULL, 0, 0), "cuOccupancyMaxPotentialBlockSize(" + name + ")");
                suggestedBlockSize = block.get(ValueLayout.JAVA_INT, 0);
                minGridForFullOccupancy = minGrid.get(ValueLayout.JAVA_INT, 0);
            }
        }
        return suggestedBlockSize;
    }

    /** The smallest grid that fills the device at the suggested block size. */
    public synchronized int gridForFullOccupancy() {
        suggestedBlockSize();
        return minGridForFullOccupancy;
    }

    /** Enqueues the kernel on {@code stream}. */
    public void launch(CudaStream stream, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                       int sharedMemoryBytes, KernelArguments arguments) {
        context.bind();
        CudaStatus.driver(CudaDriver.cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                sharedMemoryBytes, stream.handle(), arguments.pointers(), MemorySegment.NULL), launchCall);
    }

    /** Enqueues a one-dimensional launch: {@code grid} blocks of {@code block} threads. */
    public void launch(CudaStream stream, int grid, int block, KernelArguments arguments) {
        launch(stream, grid, 1, 1, block, 1, 1, 0, arguments);
    }
}
