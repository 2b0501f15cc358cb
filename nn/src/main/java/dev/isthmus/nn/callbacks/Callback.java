package dev.isthmus.nn.callbacks;

import dev.isthmus.nn.model.Model;
import java.util.Map;

/**
 * Hooks into {@code fit}, as Keras's {@code keras.callbacks.Callback}; every method does nothing
 * by default. Epochs and batches count from 0, as Keras passes them. The logs are Keras's:
 * {@code onEpochEnd} gets the epoch's means ("loss", each metric, and "val_..." with validation
 * data) in a map a callback may add to (as ReduceLROnPlateau adds "learning_rate"), which the
 * {@code History} then records; {@code onBatchEnd} gets the epoch's running means so far.
 *
 * <p>Cost on a GPU: a training step never waits for the device, and neither do callbacks that
 * look only at epoch logs. Batch logs are read lazily: the first {@code get} (or iteration) in a
 * batch reads the running means from the device, one host read shared by every callback of that
 * batch; a batch whose logs nobody looks at costs nothing.
 *
 * <p>To stop training, call {@link Model#stopTraining()} (Keras's
 * {@code model.stop_training = True}): the epoch ends after the current batch, its logs go to
 * {@code onEpochEnd} and the history, and {@code fit} returns after {@code onTrainEnd}.
 */
public interface Callback {
    /** The model being trained, given before {@link #onTrainBegin} of each fit (Keras's {@code set_model}). */
    default void setModel(Model model) {
    }

    /**
     * The run's parameters, as Keras's {@code set_params}: "epochs" (the fit's last epoch number),
     * "steps" (this epoch's batches, 0 while a dataset's length is unknown) and "verbose". Given
     * before each {@link #onEpochBegin}, since a dataset's length is known after its first epoch.
     */
    default void setParams(Map<String, Integer> params) {
    }

    /** Before the first epoch of a {@code fit}; {@code logs} is empty. A callback resets its per-fit state here. */
    default void onTrainBegin(Map<String, Double> logs) {
    }

    /** After the last epoch; {@code logs} are the last epoch's. */
    default void onTrainEnd(Map<String, Double> logs) {
    }

    /**
     * Before epoch {@code epoch} (from 0); {@code logs} is empty. A rate set on the optimizer here applies to the
     * epoch's every update.
     */
    default void onEpochBegin(int epoch, Map<String, Double> logs) {
    }

    /**
     * After epoch {@code epoch} (from 0), validation included: {@code logs} holds the epoch's means ("loss", each
     * metric, "val_..."), host values, in a map this callback may add entries to for later callbacks and the history.
     */
    default void onEpochEnd(int epoch, Map<String, Double> logs) {
    }

    /** Before batch {@code batch} (from 0 within its epoch); {@code logs} is empty. */
    default void onBatchBegin(int batch, Map<String, Double> logs) {
    }

    /** After batch {@code batch}'s step is enqueued; {@code logs} read the device only when looked at. */
    default void onBatchEnd(int batch, Map<String, Double> logs) {
    }
}
