package dev.isthmus.nn.model;

import dev.isthmus.nn.backend.StepValues;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss and metric sums of an epoch's batches, kept on the device: batch {@code b} writes row
 * b of a [batches, 1 + metrics] tensor (loss × samples, then each metric's sum), and the host
 * reads the column sums (one host read; the reduction adds in double on every backend) only when
 * a progress redraw or the epoch's end asks for them. Sample counts are known on the host.
 * One instance serves every epoch of a fit ({@link #startEpoch()}), so its rows keep one address
 * for a captured step's lifetime; in a replayable step the row to write comes from a step value.
 */
final class BatchTotals {
    private final Tensor rows;
    private final List<Metric> metrics;
    private final long[][] counts;
    private int written;

    BatchTotals(Device device, int batches, List<Metric> metrics, Scope owner) {
        this.rows = Tensor.zeros(owner, device, batches, 1 + metrics.size());
        this.metrics = metrics;
        this.counts = new long[batches][1 + metrics.size()];
    }

    /** Starts the next epoch's rows from the first. */
    void startEpoch() {
        written = 0;
    }

    /** Records batch {@code written}'s mean loss {@code loss} over {@code samples} samples, and its metrics. */
    void add(Tensor loss, int samples, Tensor yTrue, Tensor yPred) {
        List<Tensor> row = new ArrayList<>(1 + metrics.size());
        row.add(loss.mul((float) samples).reshape(1));
        counts[written][0] = samples;
        for (int m = 0; m < metrics.size(); m++) {
            row.add(metrics.get(m).batchSum(yTrue, yPred).reshape(1));
            counts[written][1 + m] = metrics.get(m).batchCount(yTrue, yPred);
        }
        Tensor values = Tensor.concat(row, 0).reshape(1, 1 + metrics.size());
        StepValues step = StepValues.current();
        if (step == null) {
            rows.backend().copySlice(values, 0, 0, rows, written, 1);
        } else {
            rows.backend().copyRowAt(values, rows, step.int32("totals row", () -> written));
        }
        written++;
    }

    /** The host's sample counts of batch {@code b}, as {@link #replayed} takes them. */
    long[] counts(int b) {
        return counts[b].clone();
    }

    /** Counts a batch a replayed step wrote (its row is the one its step value named): the counts the captured step had. */
    void replayed(long[] batchCounts) {
        System.arraycopy(batchCounts, 0, counts[written], 0, batchCounts.length);
        written++;
    }

    int written() {
        return written;
    }

    /** Mean loss and metrics over the batches written so far: one host read. */
    Map<String, Double> means() {
        float[] sums = rows.slice(0, 0, written).sum(0).toArray();
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("loss", ratio(sums[0], 0));
        for (int m = 0; m < metrics.size(); m++) {
            v.put(metrics.get(m).name(), ratio(sums[1 + m], 1 + m));
        }
        return v;
    }

    private double ratio(float sum, int column) {
        long n = 0;
        for (int b = 0; b < written; b++) {
            n += counts[b][column];
        }
        return n == 0 ? 0 : sum / (double) n;
    }

    /** A batch (0-based) and its mean loss. */
    record BatchLoss(int batch, float loss) {
    }

    /**
     * The first batch in [from, written) whose loss is not finite, or null: a second host read,
     * made only once a sum has turned out non-finite.
     */
    BatchLoss firstNonFinite(int from) {
        float[] losses = rows.slice(0, from, written).slice(1, 0, 1).toArray();
        for (int b = 0; b < losses.length; b++) {
            if (!Float.isFinite(losses[b])) {
                return new BatchLoss(from + b, losses[b] / counts[from + b][0]);
            }
        }
        return null;
    }
}
