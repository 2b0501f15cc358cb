package dev.isthmus.nn.model;

/**
 * Training stopped because the loss became NaN or infinite; names the epoch and the first step
 * whose loss was not finite. Losses stay on the device until fit reads them (at progress redraws
 * and epoch ends), so the steps after that one, up to the read, ran too: the message says which.
 */
public class NonFiniteLossException extends ArithmeticException {
    /** The epoch (from 0) whose loss was not finite. */
    private final int epoch;
    /** The step within the epoch (from 0) whose loss was the first not finite. */
    private final int step;
    /** The loss read at that step: NaN or an infinity. */
    private final float loss;

    /** The loss at {@code epoch}'s {@code step}, read right after that step. */
    public NonFiniteLossException(int epoch, int step, float loss) {
        this(epoch, step, loss, step);
    }

    /**
     * The loss at {@code epoch}'s {@code step}, read only after step {@code readAfterStep} (so the steps between
     * also updated the weights, which the message says).
     */
    public NonFiniteLossException(int epoch, int step, float loss, int readAfterStep) {
        super("loss became " + loss + " at epoch " + epoch + ", step " + step
                + (readAfterStep > step ? " (seen when the losses were read after step " + readAfterStep
                        + "; the weights were updated by the steps in between)" : "")
                + " (try a lower learning rate, scaled inputs, or check the labels)");
        this.epoch = epoch;
        this.step = step;
        this.loss = loss;
    }

    /** The epoch (from 0) whose loss was not finite. */
    public int epoch() {
        return epoch;
    }

    /** The step within the epoch (from 0) whose loss was the first not finite. */
    public int step() {
        return step;
    }

    /** The non-finite loss: NaN or an infinity. */
    public float loss() {
        return loss;
    }
}
