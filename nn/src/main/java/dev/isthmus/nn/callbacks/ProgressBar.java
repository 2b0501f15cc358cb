package dev.isthmus.nn.callbacks;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's progress bar ({@code keras.callbacks.ProgbarLogger}) as a callback: on a terminal
 * (verbosity 1) a bar redrawn in place with the steps, loss, metrics, rate and ETA; elsewhere
 * (verbosity 2) one plain line at the end of each epoch. {@code fit} adds one, last in its list, when
 * its verbosity is not 0 and the callbacks given hold none; one given explicitly is used instead
 * (printing wherever and however verbose it was made), whatever the fit's verbosity.
 *
 * <p>The bar reads the batch logs only when it redraws (at most every 0.1 s, and at an epoch's
 * last step), so on a GPU it costs a host read a redraw, not a step.
 */
public class ProgressBar implements Callback {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final int verbose;
    private int epochs;
    private int steps;
    private long start;
    private long lastDraw;
    /** The last step {@link #due} was asked about: the step count when the data's length is unknown. */
    private int seen;

    /**
     * A bar printing to {@code out}: verbosity 1 redraws a bar in place (for a terminal), 2 prints a
     * line an epoch.
     * @throws IllegalArgumentException if verbose is not 1 or 2
     */
    public ProgressBar(PrintStream out, int verbose) {
        if (verbose != 1 && verbose != 2) {
            throw new IllegalArgumentException("a progress bar's verbosity is 1 (a bar) or 2 (a line an epoch), got "
                    + verbose);
        }
        this.out = java.util.Objects.requireNonNull(out, "out");
        this.verbose = verbose;
    }

    /** The verbosity it was made with: 1 a bar, 2 a line an epoch. */
    public int verbose() {
        return verbose;
    }

    @Override
    public void setParams(Map<String, Integer> params) {
        epochs = params.getOrDefault("epochs", 0);
        steps = params.getOrDefault("steps", 0);
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        start = System.nanoTime();
        lastDraw = 0;
        seen = 0;
        if (verbose == 1) {
            out.println("Epoch " + (epoch + 1) + "/" + epochs);
        } else {
            out.print("Epoch " + (epoch + 1) + "/" + epochs + " - ");
        }
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        if (due(batch + 1)) {
            update(batch + 1, new java.util.LinkedHashMap<>(logs));
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        finish(logs);
    }

    /** Whether step {@code step} redraws the bar: on a terminal, at most every 0.1 s and at the last step. */
    private boolean due(int step) {
        seen = step;
        return verbose == 1 && ((steps > 0 && step >= steps) || System.nanoTime() - lastDraw >= REDRAW_NANOS);
    }

    /** Redraws the bar (when {@link #due} says so: the values cost a host read). */
    private void update(int step, Map<String, Double> values) {
        if (verbose != 1) {
            return;
        }
        long now = System.nanoTime();
        lastDraw = now;
        double elapsed = (now - start) / 1e9;
        if (steps <= 0) {
            // a dataset of unknown length: Keras's "step/Unknown" line, no bar
            StringBuilder sb = new StringBuilder("\r").append(step).append("/Unknown - ").append(duration(elapsed))
                    .append(' ').append(perStep(elapsed, step));
            values.forEach((k, v) -> sb.append(" - ").append(k).append(": ").append(format(v)));
            out.print(sb.append("\u001b[K"));
            out.flush();
            return;
        }
        int filled = (int) ((long) WIDTH * step / Math.max(steps, 1));
        StringBuilder sb = new StringBuilder("\r");
        String count = String.valueOf(steps);
        sb.append(" ".repeat(count.length() - String.valueOf(step).length())).append(step).append('/').append(count).append(" [");
        sb.append("=".repeat(Math.max(0, filled - (step < steps ? 1 : 0))));
        if (step < steps) {
            sb.append('>');
        }
        sb.append(".".repeat(WIDTH - filled)).append("] - ");
        if (step < steps) {
            sb.append("ETA: ").append(duration(elapsed / step * (steps - step)));
        } else {
            sb.append(duration(elapsed)).append(' ').append(perStep(elapsed, step));
        }
        values.forEach((k, v) -> sb.append(" - ").append(k).append(": ").append(format(v)));
        sb.append("\u001b[K");
        out.print(sb);
        out.flush();
    }

    /** Prints the epoch's summary (non-terminal mode) with validation values included. */
    private void finish(Map<String, Double> values) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (verbose == 2) {
            StringBuilder sb = new StringBuilder();
            int done = steps > 0 ? steps : seen;
            sb.append(done).append(" steps - ").append(duration(elapsed)).append(' ').append(perStep(elapsed, done));
            values.forEach((k, v) -> sb.append(" - ").append(k).append(": ").append(format(v)));
            out.println(sb);
        } else if (verbose == 1) {
            // the finished bar stays on its line; validation values are appended to it, as Keras does
            StringBuilder sb = new StringBuilder();
            values.forEach((k, v) -> {
                if (k.startsWith("val_")) {
                    sb.append(" - ").append(k).append(": ").append(format(v));
                }
            });
            out.println(sb);
        }
        out.flush();
    }

    private static String perStep(double seconds, int steps) {
        double ms = seconds * 1000 / Math.max(steps, 1);
        return ms >= 1 ? String.format(Locale.ROOT, "%.0fms/step", ms) : String.format(Locale.ROOT, "%.0fus/step", ms * 1000);
    }

    private static String duration(double seconds) {
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.0fs", Math.max(seconds, 0));
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** A log value as the bar prints it: 4 decimals, or 4 significant digits in e-notation below 1e-3. */
    public static String format(double v) {
        return Math.abs(v) >= 1e-3 || v == 0 ? String.format(Locale.ROOT, "%.4f", v) : String.format(Locale.ROOT, "%.4e", v);
    }
}
