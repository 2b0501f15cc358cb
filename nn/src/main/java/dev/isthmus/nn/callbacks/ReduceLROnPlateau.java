package dev.isthmus.nn.callbacks;

import dev.isthmus.nn.model.Model;
import java.util.Map;

/**
 * Multiplies the optimizer's learning rate by {@code factor} once a monitored value has not
 * improved (by more than {@code minDelta}) for {@code patience} epochs, never below {@code minLr},
 * then waits {@code cooldown} epochs before counting again: Keras's rules and defaults (monitor
 * "val_loss", factor 0.1, patience 10, mode auto, minDelta 1e-4, cooldown 0, minLr 0). Adds the
 * rate in use to each epoch's logs as "learning_rate". Needs an optimizer with a settable rate.
 */
public final class ReduceLROnPlateau implements Callback {
    private String monitor = "val_loss";
    private double factor = 0.1;
    private int patience = 10;
    private Mode mode = Mode.AUTO;
    private double minDelta = 1e-4;
    private int cooldown;
    private double minLr;

    private Model model;
    private boolean lowerIsBetter;
    private double best;
    private int wait;
    private int cooldownCounter;

    /**
     * Keras's defaults: watches "val_loss", factor 0.1, patience 10, auto mode, minDelta 1e-4, no cooldown, minLr 0.
     */
    public ReduceLROnPlateau() {
    }

    /**
     * The log key to watch (default "val_loss"); a key missing from an epoch's logs logs a warning and skips that
     * epoch.
     * @return this callback
     */
    public ReduceLROnPlateau monitor(String monitor) {
        this.monitor = monitor;
        return this;
    }

    /**
     * The multiplier of the rate at each reduction (default 0.1).
     * @return this callback
     * @throws IllegalArgumentException if {@code factor} is not in [0, 1)
     */
    public ReduceLROnPlateau factor(double factor) {
        if (!(factor < 1.0) || !(factor >= 0)) {
            throw new IllegalArgumentException("ReduceLROnPlateau does not support a factor >= 1.0 (or < 0), got " + factor);
        }
        this.factor = factor;
        return this;
    }

    /**
     * Epochs without improvement before the rate is reduced (default 10).
     * @return this callback
     */
    public ReduceLROnPlateau patience(int patience) {
        this.patience = patience;
        return this;
    }

    /** In auto mode the rate is lowered when the value stops falling, unless its name holds "acc". */
    public ReduceLROnPlateau mode(Mode mode) {
        this.mode = mode;
        return this;
    }

    /**
     * The least change of the watched value that counts as an improvement (default 1e-4).
     * @return this callback
     */
    public ReduceLROnPlateau minDelta(double minDelta) {
        this.minDelta = minDelta;
        return this;
    }

    /**
     * Epochs to wait after a reduction before counting epochs without improvement again (default 0).
     * @return this callback
     */
    public ReduceLROnPlateau cooldown(int cooldown) {
        this.cooldown = cooldown;
        return this;
    }

    /**
     * The rate is never reduced below {@code minLr} (default 0).
     * @return this callback
     */
    public ReduceLROnPlateau minLr(double minLr) {
        this.minLr = minLr;
        return this;
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        lowerIsBetter = mode == Mode.MIN || (mode == Mode.AUTO && !monitor.contains("acc"));
        best = lowerIsBetter ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        cooldownCounter = 0;
        wait = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        logs.put("learning_rate", (double) model.optimizer().learningRate());
        Double current = Monitored.value("ReduceLROnPlateau", monitor, logs);
        if (current == null) {
            return;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            wait = 0;
        }
        if (lowerIsBetter ? current < best - minDelta : current > best + minDelta) {
            best = current;
            wait = 0;
        } else if (cooldownCounter == 0) {
            wait++;
            if (wait >= patience) {
                float old = model.optimizer().learningRate();
                if (old > (float) minLr) {
                    model.optimizer().setLearningRate((float) Math.max(old * factor, minLr));
                    cooldownCounter = cooldown;
                    wait = 0;
                }
            }
        }
    }
}
