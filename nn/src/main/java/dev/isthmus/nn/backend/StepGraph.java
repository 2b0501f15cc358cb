package dev.isthmus.nn.backend;

/**
 * A training step captured once and replayed: the device work the step enqueued, with the same
 * buffers and by-value arguments each time. Values that change from step to step reach it only
 * through device memory the host writes before a replay ({@link StepValues}, the batch's index
 * buffer). Closing it frees what the capture allocated.
 */
public interface StepGraph extends AutoCloseable {
    /** Enqueues one run of the captured step. */
    void replay();

    @Override
    void close();
}
