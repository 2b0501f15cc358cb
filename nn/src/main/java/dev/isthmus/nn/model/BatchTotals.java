package dev.isthmus.nn.model;

import dev.isthmus.nn.backend.StepValues;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.metrics.StatefulMetric;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss and metric sums of an epoch's batches, kept on the device: batch {@code b} writes row
 * b of a [batches, 1 + metrics] tensor (loss × samples, then each mean metric's sum), and the host
 * reads the column sums (one host read; the reduction adds in double on every backend) only when
 * a progress redraw or the epoch's end asks for them. Sample counts are known on the host.
 * {@link StatefulMetric}s add their batch state into one state vector on the device instead (read
 * in the same host read). One instance serves every epoch of a fit ({@link #startEpoch()}), so its
 * rows keep one address for a captured step's lifetime; in a replayable step the row to write
 * comes from a step value. A dataset of unknown length grows the rows (never in a captured step:
 * those have a row per step from the start).
 */
final class BatchTotals {
    private final List<Metric> metrics;
    /** The output of each entry of {@link #metrics} (each metric appears once per output). */
    private final int[] head;
    /** The outputs' names when there are several, else empty. */
    private final List<String> outputs;
    private final Scope owner;
    /** Per metric: its column in the rows (mean metrics) or its offset in the state (stateful ones). */
    private final int[] at;
    private final int columns;
    private final int stateSize;
    private Tensor rows;
    private Tensor state;
    private long[][] counts;
    private int written;

    BatchTotals(Device device, int batches, List<Metric> metrics, Scope owner) {
        this(device, batches, metrics, List.of(), owner);
    }

    /**
     * Totals of a model with several outputs ({@code outputs} their names; none or one for a single
     * output): after the total loss, a column per output's loss, then each metric of each output,
     * logged as Keras does ({@code <output>_loss}, {@code <output>_<metric>}).
     */
    BatchTotals(Device device, int batches, List<Metric> metrics, List<String> outputs, Scope owner) {
        this.outputs = outputs.size() > 1 ? List.copyOf(outputs) : List.of();
        int heads = Math.max(1, this.outputs.size());
        this.metrics = new ArrayList<>();
        this.head = new int[metrics.size() * heads];
        for (int o = 0; o < heads; o++) {
            for (Metric m : metrics) {
                head[this.metrics.size()] = o;
                this.metrics.add(m);
            }
        }
        this.owner = owner;
        this.at = new int[this.metrics.size()];
        int column = 1 + this.outputs.size();
        int offset = 0;
        for (int m = 0; m < this.metrics.size(); m++) {
            if (this.metrics.get(m) instanceof StatefulMetric s) {
                at[m] = offset;
                offset += s.stateSize();
            } else {
                at[m] = column++;
            }
        }
        this.columns = column;
        this.stateSize = offset;
        this.counts = new long[Math.max(batches, 1)][columns];
        if (device != null) {
            allocate(device);
        }
    }

    /** Totals whose device is that of the first batch, for a dataset of {@code batches} (-1: unknown) batches. */
    static BatchTotals lazy(long batches, List<Metric> metrics, Scope owner) {
        return lazy(batches, metrics, List.of(), owner);
    }

    static BatchTotals lazy(long batches, List<Metric> metrics, List<String> outputs, Scope owner) {
        return new BatchTotals(null, batches > 0 ? (int) Math.min(batches, 1 << 20) : 64, metrics, outputs, owner);
    }

    private void allocate(Device device) {
        rows = Tensor.zeros(owner, device, counts.length, columns);
        if (stateSize > 0) {
            state = Tensor.zeros(owner, device, stateSize);
        }
    }

    /** Starts the next epoch's rows from the first. */
    void startEpoch() {
        written = 0;
        if (state != null) {
            state.fillInPlace(0f);
        }
    }

    /** Records batch {@code written}'s mean loss {@code loss} over {@code samples} samples, and its metrics. */
    void add(Tensor loss, int samples, Tensor yTrue, Tensor yPred) {
        add(loss, List.of(), samples, java.util.Collections.singletonList(yTrue), java.util.Collections.singletonList(yPred));
    }

    /** As {@link #add(Tensor, int, Tensor, Tensor)} for a model with several outputs, with each output's loss. */
    void add(Tensor loss, List<Tensor> outputLosses, int samples, List<Tensor> yTrue, List<Tensor> yPred) {
        if (rows == null) {
            allocate(loss.device());
        }
        if (written == counts.length) {
            grow();
        }
        List<Tensor> row = new ArrayList<>(columns);
        row.add(loss.mul((float) samples).reshape(1));
        counts[written][0] = samples;
        for (int o = 0; o < outputs.size(); o++) {
            row.add(outputLosses.get(o).mul((float) samples).reshape(1));
            counts[written][1 + o] = samples;
        }
        List<Tensor> batchState = new ArrayList<>();
        for (int m = 0; m < metrics.size(); m++) {
            Metric metric = metrics.get(m);
            if (metric instanceof StatefulMetric s) {
                batchState.add(s.batchState(yTrue.get(head[m]), yPred.get(head[m])));
            } else {
                row.add(metric.batchSum(yTrue.get(head[m]), yPred.get(head[m])).reshape(1));
                counts[written][at[m]] = metric.batchCount(yTrue.get(head[m]), yPred.get(head[m]));
            }
        }
        if (state != null) {
            state.addInPlace(batchState.size() == 1 ? batchState.getFirst() : Tensor.concat(batchState, 0));
        }
        Tensor values = Tensor.concat(row, 0).reshape(1, columns);
        StepValues step = StepValues.current();
        if (step == null) {
            rows.backend().copySlice(values, 0, 0, rows, written, 1);
        } else {
            rows.backend().copyRowAt(values, rows, step.int32("totals row", () -> written));
        }
        written++;
    }

    /** Twice the rows, the written ones copied on the device. */
    private void grow() {
        Tensor bigger = Tensor.zeros(owner, rows.device(), 2 * counts.length, columns);
        rows.backend().copySlice(rows, 0, 0, bigger, 0, written);
        rows = bigger;
        counts = java.util.Arrays.copyOf(counts, 2 * counts.length);
        for (int b = written; b < counts.length; b++) {
            counts[b] = new long[columns];
        }
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

    /** Mean loss and metrics over the batches written so far (stateful metrics: from their state): one host read. */
    Map<String, Double> means() {
        float[] sums;
        float[] summedState = null;
        if (written == 0) {
            sums = new float[columns];
            summedState = new float[stateSize];
        } else if (state == null) {
            sums = rows.slice(0, 0, written).sum(0).toArray();
        } else {
            float[] all = Tensor.concat(List.of(rows.slice(0, 0, written).sum(0), state), 0).toArray();
            sums = java.util.Arrays.copyOf(all, columns);
            summedState = java.util.Arrays.copyOfRange(all, columns, all.length);
        }
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("loss", ratio(sums[0], 0));
        for (int o = 0; o < outputs.size(); o++) {
            v.put(outputs.get(o) + "_loss", ratio(sums[1 + o], 1 + o));
        }
        for (int m = 0; m < metrics.size(); m++) {
            String prefix = outputs.isEmpty() ? "" : outputs.get(head[m]) + "_";
            if (metrics.get(m) instanceof StatefulMetric s) {
                s.results(java.util.Arrays.copyOfRange(summedState, at[m], at[m] + s.stateSize()))
                        .forEach((k, value) -> v.put(prefix + k, value));
            } else {
                v.put(prefix + metrics.get(m).name(), ratio(sums[at[m]], at[m]));
            }
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
