package dev.isthmus.nn.callbacks;

import dev.isthmus.nn.model.Model;
import java.util.Map;

/**
 * Stops training at the first batch whose running loss is NaN or infinite, as Keras's
 * {@code TerminateOnNaN}: the epoch ends there, its logs (non-finite) reach {@code onEpochEnd}
 * and the history, and {@code fit} returns normally. It looks at every batch's loss, so on a GPU it
 * costs one host read per batch.
 *
 * <p>Without it, {@code fit} keeps its own default: it checks the loss at the reads it makes
 * anyway (progress redraws, each epoch's end) and throws {@code NonFiniteLossException} naming the
 * first non-finite batch.
 */
public final class TerminateOnNaN implements Callback {
    private Model model;
    private int stoppedAtBatch = -1;

    /** A callback for one {@code fit} at a time; it may be reused across fits. */
    public TerminateOnNaN() {
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        stoppedAtBatch = -1;
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        Double loss = logs.get("loss");
        if (loss != null && !Double.isFinite(loss)) {
            stoppedAtBatch = batch;
            model.stopTraining();
        }
    }

    /** The batch (in its epoch, from 0) at which training was stopped, or -1. */
    public int stoppedAtBatch() {
        return stoppedAtBatch;
    }
}
