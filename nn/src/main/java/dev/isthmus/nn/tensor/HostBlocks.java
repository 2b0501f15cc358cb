package dev.isthmus.nn.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Large host blocks kept for reuse when the scope that held them closes. A training step makes
 * the same tensors every time; without reuse each of them was a fresh allocation, zero-filled
 * (storage contents are unspecified, so the zeros were never needed) and, above the C library's
 * mapping threshold, page-faulted in and returned to the kernel every step. A block is handed out
 * again only to a storage of the same rounded size, and at most {@link #MAX_IDLE_BYTES} wait idle;
 * beyond that a returned block is freed at once.
 */
final class HostBlocks {
    /** Smaller storage comes straight from its scope's arena: cheap, and would clutter the pool. */
    static final long MIN_BYTES = 1L << 16;
    private static final long GRANULE = 4096;
    private static final long MAX_IDLE_BYTES = Long.getLong("isthmus.cpu.pooledBytes", 512L << 20);

    /** One block and the arena that frees it. */
    record Block(Arena arena, MemorySegment memory) {
    }

    private static final Map<Long, ArrayDeque<Block>> IDLE = new HashMap<>();
    private static long idleBytes;

    private HostBlocks() {
    }

    /** A block of at least {@code bytes}, 64-byte aligned, of unspecified contents. */
    static Block take(long bytes) {
        long size = (bytes + GRANULE - 1) / GRANULE * GRANULE;
        synchronized (IDLE) {
            ArrayDeque<Block> free = IDLE.get(size);
            if (free != null && !free.isEmpty()) {
                idleBytes -= size;
                return free.pop();
            }
        }
        Arena arena = Arena.ofShared();
        try {
            return new Block(arena, arena.allocate(size, CpuStorage.ALIGNMENT));
        } catch (OutOfMemoryError e) {
            arena.close();
            throw e;
        }
    }

    /** Returns a block for reuse, or frees it when the pool is full. */
    static void give(Block block) {
        long size = block.memory().byteSize();
        synchronized (IDLE) {
            if (idleBytes + size <= MAX_IDLE_BYTES) {
                IDLE.computeIfAbsent(size, s -> new ArrayDeque<>()).push(block);
                idleBytes += size;
                return;
            }
        }
        block.arena().close();
    }
}
