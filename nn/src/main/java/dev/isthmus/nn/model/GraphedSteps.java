package dev.isthmus.nn.model;

import dev.isthmus.nn.backend.Backend;
import dev.isthmus.nn.backend.StepGraph;
import dev.isthmus.nn.backend.StepValues;
import dev.isthmus.nn.optim.Optimizer;
import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The training steps of one {@code fit} with {@link Fit#cudaGraphs(boolean)}: the first full
 * batch runs eagerly (the warm-up, which builds the layers, the optimizer's state, the library
 * plans and the step values), the second is captured and replayed, and every later full batch is a
 * replay. Before each step the host writes that step's values into fixed device memory: the
 * batch's rows of the shuffled order into the index buffer and {@link StepValues} into their
 * cells, each one upload enqueued ahead of the step's work. A batch of another size (an epoch's
 * last) runs eagerly with the same step values. The graph is dropped, and the next full batch warms
 * up and captures again, when what it was captured against changes: the optimizer or the
 * parameters (another set, or storage moved to new memory). A learning rate that changes (set, or
 * scheduled per step) keeps the graph: optimizers take it from a step value. Closing this closes the
 * graph; the fixed buffers belong to the fit's scope.
 */
final class GraphedSteps implements AutoCloseable {
    /** Room for the step values of a model: one per Dropout call, Adam's alpha, the totals' row. */
    private static final int VALUE_CELLS = 256;

    /** What a captured step depends on beyond the fixed buffers; a change invalidates the graph. */
    record Key(Optimizer optimizer, List<Tensor> parameters, int[] moves) {
        static Key of(Optimizer optimizer, List<Tensor> parameters) {
            return new Key(optimizer, parameters,
                    parameters.stream().mapToInt(p -> p.storage().moves()).toArray());
        }

        boolean sameAs(Key o) {
            if (o == null || optimizer != o.optimizer
                    || parameters.size() != o.parameters.size() || !Arrays.equals(moves, o.moves)) {
                return false;
            }
            for (int i = 0; i < parameters.size(); i++) {
                if (parameters.get(i) != o.parameters.get(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final Backend backend;
    private final StepCapturer capturer;
    private final StepValues values;
    private final Tensor index;
    private final int batch;
    private StepGraph graph;
    private Key key;
    private boolean warm;
    private boolean eagerBackend;
    private long[] capturedCounts;
    private int captures;
    private int replays;
    private int invalidations;

    GraphedSteps(Device device, int batch, Scope owner, StepCapturer capturer) {
        this.backend = dev.isthmus.nn.backend.Backends.of(device);
        this.capturer = capturer;
        this.values = new StepValues(device, VALUE_CELLS, owner);
        this.index = Tensor.empty(owner, device, DType.INT32, batch);
        this.batch = batch;
    }

    /**
     * Runs the step over rows {@code order[from, to)}: {@code body} does the step's work on the
     * index tensor it is given, inside a scope of its own, and records it in {@code totals}.
     */
    void step(int[] order, int from, int to, Key current, Consumer<Tensor> body, BatchTotals totals) {
        try (StepValues.Active ignored = values.enter()) {
            if (to - from != batch) {
                values.beginStep();
                try (Scope s = Scope.open("train step")) {
                    body.accept(Tensor.of(index.device(), Arrays.copyOfRange(order, from, to), to - from));
                }
                return;
            }
            if (!current.sameAs(key)) {
                invalidate();
                key = current;
            }
            values.beginStep();
            index.backend().copyFromHost(MemorySegment.ofArray(order).asSlice((long) from * Integer.BYTES,
                    (long) batch * Integer.BYTES), index);
            if (graph != null) {
                graph.replay();
                totals.replayed(capturedCounts);
                replays++;
                return;
            }
            Runnable work = () -> {
                try (Scope s = Scope.open("train step")) {
                    body.accept(index);
                }
            };
            if (!warm || eagerBackend) {
                work.run();
                warm = true;
                return;
            }
            graph = capturer.capture(backend, work);
            if (graph == null) {
                // the backend runs steps as they come (the CPU): this step and every later one eagerly
                eagerBackend = true;
                work.run();
                return;
            }
            captures++;
            capturedCounts = totals.counts(totals.written() - 1);
            graph.replay(); // the capture recorded this step without running it
            replays++;
        }
    }

    private void invalidate() {
        if (graph != null) {
            graph.close();
            graph = null;
            invalidations++;
        }
        warm = false;
    }

    int captures() {
        return captures;
    }

    int replays() {
        return replays;
    }

    int invalidations() {
        return invalidations;
    }

    @Override
    public void close() {
        if (graph != null) {
            graph.close();
            graph = null;
        }
    }
}
