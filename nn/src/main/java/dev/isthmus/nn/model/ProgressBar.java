package dev.isthmus.nn.model;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras-style per-epoch progress: on a terminal a bar redrawn in place (steps, loss, metrics, rate,
 * ETA); elsewhere one plain line at the end of each epoch.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final int verbose;
    private final int steps;
    private final long start = System.nanoTime();
    private long lastDraw;
    /** The last step {@link #due} was asked about: the step count when the data's length is unknown. */
    private int seen;

    ProgressBar(PrintStream out, int verbose, int epoch, int epochs, int steps) {
        this.out = out;
        this.verbose = verbose;
        this.steps = steps;
        if (verbose == 1) {
            out.println("Epoch " + epoch + "/" + epochs);
        } else if (verbose == 2) {
            out.print("Epoch " + epoch + "/" + epochs + " - ");
        }
    }

    /** Whether step {@code step} redraws the bar: on a terminal, at most every 0.1 s and at the last step. */
    boolean due(int step) {
        seen = step;
        return verbose == 1 && ((steps > 0 && step >= steps) || System.nanoTime() - lastDraw >= REDRAW_NANOS);
    }

    /** Redraws the bar (call when {@link #due} says so: the values cost a host read). */
    void update(int step, Map<String, Double> values) {
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
    void finish(Map<String, Double> values) {
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

    static String format(double v) {
        return Math.abs(v) >= 1e-3 || v == 0 ? String.format(Locale.ROOT, "%.4f", v) : String.format(Locale.ROOT, "%.4e", v);
    }
}
