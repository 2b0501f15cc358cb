package dev.isthmus.nn.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Native work blocks (convolution column matrices) reused from call to call: a fresh block of
 * several megabytes costs its zero-filling and page faults every time (7% of the speech model's
 * step), and its contents are never needed. A taken block is the caller's until it is given back;
 * at most {@link #MAX_IDLE_BYTES} wait idle, and a block given back beyond that is freed at once.
 * Heap arrays would avoid native memory altogether, but element stores into heap segments are
 * checked one by one and cost more than the zeroing.
 */
final class Workspace {
    private static final long MAX_IDLE_BYTES = Long.getLong("isthmus.cpu.workspaceBytes", 64L << 20);
    private static final long GRANULE = 1L << 16;
    private static final List<Block> IDLE = new ArrayList<>();
    private static long idleBytes;

    /** One block and the arena that frees it; closing gives it back. */
    record Block(Arena arena, MemorySegment memory) implements AutoCloseable {
        @Override
        public void close() {
            give(this);
        }
    }

    private Workspace() {
    }

    /** A block of at least {@code bytes}, 64-byte aligned, of unspecified contents. */
    static Block take(long bytes) {
        synchronized (IDLE) {
            Block best = null;
            for (Block b : IDLE) {
                if (b.memory().byteSize() >= bytes && (best == null || b.memory().byteSize() < best.memory().byteSize())) {
                    best = b;
                }
            }
            if (best != null) {
                IDLE.remove(best);
                idleBytes -= best.memory().byteSize();
                return best;
            }
        }
        long size = (bytes + GRANULE - 1) / GRANULE * GRANULE;
        Arena arena = Arena.ofShared();
        try {
            return new Block(arena, arena.allocate(size, 64));
        } catch (OutOfMemoryError e) {
            arena.close();
            throw e;
        }
    }

    private static void give(Block block) {
        long size = block.memory().byteSize();
        synchronized (IDLE) {
            if (idleBytes + size <= MAX_IDLE_BYTES) {
                IDLE.add(block);
                idleBytes += size;
                return;
            }
        }
        block.arena().close();
    }
}
