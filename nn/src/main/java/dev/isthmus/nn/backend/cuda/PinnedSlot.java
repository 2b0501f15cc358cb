package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.CudaContext;
import dev.isthmus.cuda.CudaEvent;
import dev.isthmus.cuda.CudaStream;
import dev.isthmus.cuda.PinnedHostBuffer;

import java.lang.foreign.MemorySegment;

/** A staging slot of {@link UploadStaging} on the device: pinned host memory and an event on the copy stream. */
final class PinnedSlot implements UploadStaging.Slot {
    private final CudaStream stream;
    private final PinnedHostBuffer memory;
    private final CudaEvent copied;

    PinnedSlot(CudaContext context, CudaStream stream, long bytes) {
        this.stream = stream;
        this.memory = PinnedHostBuffer.allocate(context, bytes);
        this.copied = CudaEvent.createForSync(context);
    }

    @Override
    public MemorySegment memory() {
        return memory.segment();
    }

    @Override
    public void recordCopied() {
        copied.record(stream);
    }

    @Override
    public void awaitCopied() {
        copied.synchronize();
    }

    @Override
    public void close() {
        copied.close();
        memory.close();
    }
}
