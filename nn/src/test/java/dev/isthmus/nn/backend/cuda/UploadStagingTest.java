package dev.isthmus.nn.backend.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Without a GPU: the staging protocol against a fake device whose copies read their host bytes
 * only when they "run" (at the slot's event, or at the end), as an asynchronous copy may. A slot
 * refilled before its copy ran would show up as wrong bytes on the fake device.
 */
class UploadStagingTest {
    /** The fake device: a byte image and every copy enqueued on it, run in order when waited for. */
    private static final class FakeDevice {
        final byte[] memory;
        final List<Runnable> enqueued = new ArrayList<>();
        int ran;

        FakeDevice(int bytes) {
            memory = new byte[bytes];
        }

        UploadStaging.DeviceCopy copy() {
            return (host, offset) -> enqueued.add(() -> MemorySegment.copy(host, ValueLayout.JAVA_BYTE, 0, memory,
                    (int) offset, (int) host.byteSize()));
        }

        /** Runs the enqueued copies, in order, until the first {@code count} have run. */
        void runThrough(int count) {
            while (ran < count) {
                enqueued.get(ran++).run();
            }
        }

        void runAll() {
            runThrough(enqueued.size());
        }
    }

    /** A slot whose event is the number of copies enqueued when it was recorded. */
    private static final class FakeSlot implements UploadStaging.Slot {
        final FakeDevice device;
        final MemorySegment memory;
        final List<String> log;
        int recordedAt;
        int waits;
        boolean closed;

        FakeSlot(FakeDevice device, long bytes, List<String> log) {
            this.device = device;
            this.memory = Arena.ofAuto().allocate(bytes);
            this.log = log;
        }

        @Override
        public MemorySegment memory() {
            return memory;
        }

        @Override
        public void recordCopied() {
            recordedAt = device.enqueued.size();
            log.add("record");
        }

        @Override
        public void awaitCopied() {
            waits++;
            log.add("await");
            device.runThrough(recordedAt);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static MemorySegment bytes(int n, int seed) {
        MemorySegment s = Arena.ofAuto().allocate(n);
        for (int i = 0; i < n; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed));
        }
        return s;
    }

    @Test
    void anUploadLargerThanTheRingArrivesIntactThoughNoCopyRanBeforeItsSlotWasNeeded() {
        FakeDevice device = new FakeDevice(1000);
        List<FakeSlot> slots = new ArrayList<>();
        List<String> log = new ArrayList<>();
        UploadStaging staging = new UploadStaging(2, 64, b -> {
            FakeSlot s = new FakeSlot(device, b, log);
            slots.add(s);
            return s;
        });
        MemorySegment src = bytes(1000, 7);
        staging.upload(src, 1000, device.copy());
        device.runAll();
        assertArrayEquals(src.toArray(ValueLayout.JAVA_BYTE), device.memory);
        assertEquals(2, slots.size(), "the ring is two slots of 64 bytes, whatever the upload's size");
        assertEquals(16 - 2, slots.get(0).waits + slots.get(1).waits, "each of 16 chunks but the first two waits for its slot");
    }

    @Test
    void aSlotIsRefilledOnlyAfterWaitingForItsLastCopy() {
        FakeDevice device = new FakeDevice(64);
        List<String> log = new ArrayList<>();
        UploadStaging staging = new UploadStaging(1, 64, b -> new FakeSlot(device, b, log));
        MemorySegment first = bytes(64, 1);
        staging.upload(first, 64, device.copy());
        staging.upload(bytes(64, 2), 64, device.copy());
        assertEquals(List.of("record", "await", "record"), log);
        // The first copy ran at the await, reading the first upload's bytes, not the second's.
        assertArrayEquals(first.toArray(ValueLayout.JAVA_BYTE), device.memory);
    }

    @Test
    void closingWaitsForPendingCopiesThenFreesTheSlots() {
        FakeDevice device = new FakeDevice(64);
        List<String> log = new ArrayList<>();
        List<FakeSlot> slots = new ArrayList<>();
        UploadStaging staging = new UploadStaging(2, 64, b -> {
            FakeSlot s = new FakeSlot(device, b, log);
            slots.add(s);
            return s;
        });
        MemorySegment src = bytes(64, 3);
        staging.upload(src, 64, device.copy());
        staging.close();
        assertEquals(List.of("record", "await"), log);
        assertEquals(1, slots.size(), "the second slot is never made");
        assertEquals(true, slots.getFirst().closed);
        assertArrayEquals(src.toArray(ValueLayout.JAVA_BYTE), device.memory);
        assertThrows(IllegalStateException.class, () -> staging.upload(src, 64, device.copy()));
    }
}
