package dev.isthmus.nn.callbacks;

import java.util.Locale;
import java.util.Map;

/** Reading a monitored value from epoch logs, with a warning (as Keras's) when it is missing. */
final class Monitored {
    private static final System.Logger LOG = System.getLogger(Monitored.class.getName());

    private Monitored() {
    }

    /**
     * Whether lower is better for {@code monitor} under {@code mode}. In auto mode, as Keras
     * decides it: losses and errors are minimised, accuracies, AUC, precision and recall maximised;
     * another name cannot be decided and needs an explicit mode.
     */
    static boolean lowerIsBetter(String callback, String monitor, Mode mode) {
        if (mode != Mode.AUTO) {
            return mode == Mode.MIN;
        }
        String name = monitor.toLowerCase(Locale.ROOT).replaceFirst("^val_", "");
        if (name.contains("loss") || name.contains("error") || name.equals("mse") || name.equals("mae")
                || name.contains("crossentropy")) {
            return true;
        }
        if (name.contains("acc") || name.contains("auc") || name.contains("precision") || name.contains("recall")) {
            return false;
        }
        throw new IllegalArgumentException(callback + " received monitor=" + monitor + " but cannot determine whether"
                + " that metric should be maximized or minimized. Pass mode \"max\" to use the highest value or mode"
                + " \"min\" to use the lowest");
    }

    /** The value, or null with a warning naming what the logs hold. */
    static Double value(String callback, String monitor, Map<String, Double> logs) {
        Double v = logs.get(monitor);
        if (v == null) {
            LOG.log(System.Logger.Level.WARNING, callback + " conditioned on metric \"" + monitor
                    + "\" which is not available. Available metrics are: " + String.join(",", logs.keySet()));
        }
        return v;
    }
}
