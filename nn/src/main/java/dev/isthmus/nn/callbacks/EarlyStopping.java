package dev.isthmus.nn.callbacks;

import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Stops training once a monitored value has not improved for {@code patience} epochs, with Keras
 * 3's rules: an epoch improves when it beats the best so far by more than {@code minDelta}; the
 * wait restarts only when it also beats the {@code baseline} (if one is set); training stops when
 * the wait reaches the patience (never in the first epoch). With {@code restoreBestWeights} the
 * weights of the best epoch are put back when training ends, stopped early or not (a device copy
 * of them is kept meanwhile). Defaults: monitor "val_loss", patience 0, minDelta 0, mode auto, no
 * baseline, no restoring, counting from epoch 0.
 */
public final class EarlyStopping implements Callback {
    private String monitor = "val_loss";
    private int patience;
    private double minDelta;
    private Mode mode = Mode.AUTO;
    private Double baseline;
    private boolean restoreBestWeights;
    private int startFromEpoch;

    private Model model;
    private Boolean lowerIsBetter;
    private int wait;
    private int stoppedEpoch;
    private int bestEpoch;
    private Double best;
    private Scope bestWeightsScope;
    private List<Tensor> bestWeights;

    /** Keras's defaults: watches "val_loss", patience 0, minDelta 0, auto mode, no baseline, no restoring. */
    public EarlyStopping() {
    }

    /**
     * The log key to watch (default "val_loss"); a key missing from an epoch's logs logs a warning and counts as
     * no improvement.
     * @return this callback
     */
    public EarlyStopping monitor(String monitor) {
        this.monitor = monitor;
        return this;
    }

    /**
     * Epochs without improvement to wait before stopping (default 0: stop at the first epoch that does not improve).
     * @return this callback
     * @throws IllegalArgumentException if {@code patience} is negative
     */
    public EarlyStopping patience(int patience) {
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        }
        this.patience = patience;
        return this;
    }

    /** The least change that counts as an improvement (its absolute value, as Keras). */
    public EarlyStopping minDelta(double minDelta) {
        this.minDelta = Math.abs(minDelta);
        return this;
    }

    /**
     * Whether the watched value should fall ({@link Mode#MIN}), rise ({@link Mode#MAX}) or, with {@link Mode#AUTO}
     * (the default), whichever its name implies (losses fall; accuracy, AUC, precision, recall rise).
     * @return this callback
     */
    public EarlyStopping mode(Mode mode) {
        this.mode = mode;
        return this;
    }

    /** A value the monitor must beat before the wait restarts. */
    public EarlyStopping baseline(double baseline) {
        this.baseline = baseline;
        return this;
    }

    /**
     * With {@code true}, the weights of the best epoch are copied on the device as training goes and written back
     * into the model when training ends (Keras's {@code restore_best_weights}); default false.
     * @return this callback
     */
    public EarlyStopping restoreBestWeights(boolean restore) {
        this.restoreBestWeights = restore;
        return this;
    }

    /** Epochs (from 0) to let pass before watching, as a warm-up. */
    public EarlyStopping startFromEpoch(int epoch) {
        this.startFromEpoch = epoch;
        return this;
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        wait = 0;
        stoppedEpoch = 0;
        best = null;
        bestEpoch = 0;
        dropBestWeights();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (lowerIsBetter == null) {
            lowerIsBetter = Monitored.lowerIsBetter("EarlyStopping", monitor, mode);
        }
        Double current = Monitored.value("EarlyStopping", monitor, logs);
        if (current == null || epoch < startFromEpoch) {
            return;
        }
        if (restoreBestWeights && bestWeights == null) {
            keepWeights(epoch); // if no best has been set, the current weights are the best
        }
        wait++;
        if (isImprovement(current, best)) {
            best = current;
            bestEpoch = epoch;
            if (restoreBestWeights) {
                keepWeights(epoch);
            }
            if (baseline == null || isImprovement(current, baseline)) {
                wait = 0;
            }
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model.stopTraining();
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (restoreBestWeights && bestWeights != null) {
            model.setWeights(bestWeights);
        }
        dropBestWeights();
    }

    private boolean isImprovement(double value, Double reference) {
        if (reference == null) {
            return true;
        }
        return lowerIsBetter ? value + minDelta < reference : value - minDelta > reference;
    }

    private void keepWeights(int epoch) {
        dropBestWeights();
        bestWeightsScope = Scope.independent("EarlyStopping best weights");
        try (Scope copying = Scope.open("EarlyStopping copy")) {
            bestWeights = model.getWeights();
            bestWeights.forEach(bestWeightsScope::adopt);
        }
        bestEpoch = epoch;
    }

    private void dropBestWeights() {
        if (bestWeightsScope != null) {
            bestWeightsScope.close();
            bestWeightsScope = null;
        }
        bestWeights = null;
    }

    /** The epoch (from 0) at which training was stopped, or 0 when it was not. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The best epoch (from 0) seen so far. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The best monitored value so far, or null before the first. */
    public Double best() {
        return best;
    }
}
