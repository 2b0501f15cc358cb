package dev.isthmus.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Creation of cuDNN descriptors, which all follow {@code cudnnStatus_t cudnnCreateX(X_t *out)}. */
final class CudnnDescriptors {
    private CudnnDescriptors() {
    }

    /** A cudnnCreate* function. */
    interface Creator {
        int create(MemorySegment out);
    }

    static MemorySegment create(Arena arena, String call, Creator creator) {
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        CudaStatus.cudnn(creator.create(out), call);
        return out.get(ValueLayout.ADDRESS, 0);
    }
}
