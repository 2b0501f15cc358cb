package dev.isthmus.nn.model;

/** Training stopped because the loss became NaN or infinite; names the epoch and step. */
public class NonFiniteLossException extends ArithmeticException {
    private final int epoch;
    private final int step;
    private final float loss;

    public NonFiniteLossException(int epoch, int step, float loss) {
        super("loss became " + loss + " at epoch " + epoch + ", step " + step
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
