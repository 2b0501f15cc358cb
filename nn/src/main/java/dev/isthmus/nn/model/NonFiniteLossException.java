package dev.isthmus.nn.model;

/**
 * Training stopped because the loss became NaN or infinite; names the epoch and the first step
 * whose loss was not finite. Losses stay on the device until fit reads them (at progress redraws
 * and epoch ends), so the steps after that one, up to the read, ran too: the message says which.
 */
public class NonFiniteLossException extends ArithmeticException {
    private final int epoch;
    private final int step;
    private final float loss;

    public NonFiniteLossException(int epoch, int step, float loss) {
        this(epoch, step, loss, step);
    }

    public NonFiniteLossException(int epoch, int step, float loss, int readAfterStep) {
        super("loss became " + loss + " at epoch " + epoch + ", step " + step
                + (readAfterStep > step ? " (seen when the losses were read after step " + readAfterStep
                        + "; the weights were updated by the steps in between)" : "")
                + " (try a lower learning rate, scaled inputs, or check the labels)");
        this.epoch = epoch;
        this.step = step;
        this.loss = loss;
    }

    public int epoch() {
        return epoch;
    }

    public int step() {
        return step;
    }

    public float loss() {
        return loss;
    }
}
