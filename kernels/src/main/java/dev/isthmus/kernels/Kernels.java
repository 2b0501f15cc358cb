package dev.isthmus.kernels;

import dev.isthmus.cuda.CudaContext;
import dev.isthmus.cuda.CudaFunction;
import dev.isthmus.cuda.CudaModule;
import dev.isthmus.cuda.CudaStream;
import dev.isthmus.cuda.KernelArguments;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernels of one context, loaded from the committed PTX on first use, and the launch
 * geometry: block sizes come from the occupancy calculator per kernel, grids from the element or
 * row count (kernels loop grid-stride, so the grid is capped at a few waves of the device).
 */
public final class Kernels implements KernelLauncher, AutoCloseable {
    /** Blocks per multiprocessor the grid is capped at (grid-stride loops cover the rest). */
    static final int WAVES = 8;

    private final CudaContext context;
    private final CudaStream stream;
    private final int multiprocessors;
    private final Map<KernelFamily, CudaModule> modules = new EnumMap<>(KernelFamily.class);
    private final Map<KernelFamily, PtxSignatures> signatures = new EnumMap<>(KernelFamily.class);
    private final Map<String, CudaFunction> functions = new HashMap<>();
    private final java.util.Set<String> checkedEntries = new java.util.HashSet<>();

    public Kernels(CudaContext context, CudaStream stream) {
        this.context = context;
        this.stream = stream;
        this.multiprocessors = context.device().multiprocessors();
    }

    public CudaStream stream() {
        return stream;
    }

    private synchronized CudaFunction function(KernelFamily family, String entry) {
        return functions.computeIfAbsent(entry, e -> {
            CudaModule module = modules.computeIfAbsent(family, f -> {
                String ptx = f.ptx();
                signatures.put(f, PtxSignatures.parse(ptx));
                return CudaModule.loadPtx(context, f.resource(), ptx);
            });
            return module.function(e);
        });
    }

    @Override
    public void linear(KernelFamily family, String entry, long n, KernelArguments args) {
        if (n <= 0) {
            return;
        }
        CudaFunction f = checked(family, entry, args);
        int block = f.suggestedBlockSize();
        f.launch(stream, linearGrid(n, block, multiprocessors), block, args);
    }

    @Override
    public void rows(KernelFamily family, String entry, long rows, long rowLength, KernelArguments args) {
        if (rows <= 0) {
            return;
        }
        CudaFunction f = checked(family, entry, args);
        int block = rowBlock(rowLength, f.suggestedBlockSize());
        f.launch(stream, (int) Math.min(rows, (long) WAVES * multiprocessors), block, args);
    }

    @Override
    public void grouped(KernelFamily family, String entry, int groups, long longest, KernelArguments args) {
        if (groups <= 0 || longest <= 0) {
            return;
        }
        if (groups > 65_535) {
            throw new IllegalArgumentException(entry + ": " + groups + " groups exceed the grid's y limit of 65535");
        }
        CudaFunction f = checked(family, entry, args);
        int block = f.suggestedBlockSize();
        int gridX = (int) Math.max(1, Math.min((longest + block - 1) / block, Math.max(1, linearGrid(longest, block,
                multiprocessors) / groups)));
        f.launch(stream, gridX, groups, 1, block, 1, 1, 0, args);
    }

    /**
     * The kernel, its arguments checked against the PTX on its first launch: each entry has one
     * launcher, which builds the same argument list every time, so later launches skip the check.
     */
    private synchronized CudaFunction checked(KernelFamily family, String entry, KernelArguments args) {
        CudaFunction f = function(family, entry);
        if (!checkedEntries.contains(entry)) {
            signatures.get(family).check(entry, args.sizes());
            checkedEntries.add(entry);
        }
        return f;
    }

    /** Enough blocks of {@code block} threads for {@code n} elements, at most {@value #WAVES} per multiprocessor. */
    static int linearGrid(long n, int block, int multiprocessors) {
        long needed = (n + block - 1) / block;
        return (int) Math.max(1, Math.min(needed, (long) WAVES * Math.max(1, multiprocessors)));
    }

    /** A block for one row: a multiple of 32, no larger than the row needs nor than {@code limit}. */
    static int rowBlock(long rowLength, int limit) {
        long wanted = Math.min(Math.max(rowLength, 32), Math.min(limit, 1024));
        return (int) Math.max(32, wanted / 32 * 32);
    }

    @Override
    public synchronized void close() {
        for (CudaModule m : modules.values()) {
            m.close();
        }
        modules.clear();
        functions.clear();
    }
}
