package dev.isthmus.nn.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.util.function.LongFunction;

/**
 * Host-to-device copies through a small ring of pinned staging buffers. From pageable memory
 * {@code cuMemcpyHtoDAsync} may return before the driver has read the source, so freeing or
 * refilling it right after races the copy. Here the caller's bytes are first copied into a pinned
 * slot, the device copy is enqueued from there, and an event recorded after it says when the slot
 * may be refilled: a slot is reused only after waiting for its last copy, which blocks only when
 * that copy is still queued. Uploads larger than a slot go in slot-sized chunks, so the pinned
 * memory stays {@code slots × slotBytes} however large the tensor.
 */
final class UploadStaging implements AutoCloseable {
    /** A pinned buffer and an event recorded after the last copy out of it. */
    interface Slot extends AutoCloseable {
        MemorySegment memory();

        /** Records, on the copy's stream, the point after the copy just enqueued from {@link #memory()}. */
        void recordCopied();

        /** Blocks until the copy recorded last has read {@link #memory()}. */
        void awaitCopied();

        @Override
        void close();
    }

    /** Enqueues a copy of {@code host} to the destination at byte {@code offset}. */
    interface DeviceCopy {
        void enqueue(MemorySegment host, long offset);
    }

    private final Slot[] slots;
    private final boolean[] copyPending;
    private final long slotBytes;
    private final LongFunction<Slot> newSlot;
    private int next;
    private boolean closed;

    /** {@code newSlot} makes a slot of {@code slotBytes} bytes, when it is first needed. */
    UploadStaging(int slots, long slotBytes, LongFunction<Slot> newSlot) {
        if (slots < 1 || slotBytes < 1) {
            throw new IllegalArgumentException("staging needs at least one slot of at least one byte");
        }
        this.slots = new Slot[slots];
        this.copyPending = new boolean[slots];
        this.slotBytes = slotBytes;
        this.newSlot = newSlot;
    }

    /** Copies {@code bytes} bytes of {@code src} to the device through the slots; returns once src may be freed. */
    synchronized void upload(MemorySegment src, long bytes, DeviceCopy copy) {
        if (closed) {
            throw new IllegalStateException("upload staging is closed");
        }
        for (long offset = 0; offset < bytes; offset += slotBytes) {
            long chunk = Math.min(slotBytes, bytes - offset);
            int i = next;
            next = (next + 1) % slots.length;
            Slot slot = slot(i);
            if (copyPending[i]) {
                slot.awaitCopied();
                copyPending[i] = false;
            }
            MemorySegment host = slot.memory().asSlice(0, chunk);
            MemorySegment.copy(src, offset, host, 0, chunk);
            copy.enqueue(host, offset);
            slot.recordCopied();
            copyPending[i] = true;
        }
    }

    private Slot slot(int i) {
        if (slots[i] == null) {
            slots[i] = newSlot.apply(slotBytes);
        }
        return slots[i];
    }

    /** Waits for the copies still reading the slots, then frees them. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                if (copyPending[i]) {
                    slots[i].awaitCopied();
                }
                slots[i].close();
            }
        }
    }
}
