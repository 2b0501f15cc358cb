package dev.isthmus.nn.data;

import dev.isthmus.nn.backend.cpu.CounterRandom;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An input pipeline in the manner of tf.data: a source of elements (each a {@code Tensor[]}, e.g.
 * {features, labels} or {features, labels, sample weights}) and stages that {@link #map},
 * {@link #shuffle}, {@link #batch} and {@link #prefetch} them. Nothing is computed until a pass
 * runs; a pass holds at most its stages' buffers, so a dataset larger than memory streams.
 *
 * <p>Each pass is numbered (the epoch): {@link #shuffle} draws its order from its seed and that
 * number alone, so a pass is the same every time it is asked for, and each epoch differs (tf.data's
 * {@code reshuffle_each_iteration}). Without a shuffle the order is the source's, exactly.
 *
 * <p>Memory: an element pulled from a pass belongs to the caller's current {@code Scope} (or the
 * garbage collector outside any scope), as if the caller had made it; elements waiting in a
 * shuffle buffer or a prefetch queue are owned by the pass until they come out, and freed when the
 * pass is closed early. {@code Sequential.fit} pulls each batch inside its step's scope, so nothing
 * accumulates across steps.
 *
 * <pre>{@code
 * Dataset train = Dataset.fromTensors(x, y).shuffle(1024, 7).batch(32).prefetch(2);
 * model.fit(train, Fit.epochs(10));
 * }</pre>
 */
public abstract class Dataset {
    /** Elements of one pass; {@code next()} gives null at the end. Closing stops any background work. */
    interface Cursor extends AutoCloseable {
        Tensor[] next();

        @Override
        void close();
    }

    Dataset() {
    }

    /** The elements of pass {@code epoch}. */
    abstract Cursor open(int epoch);

    /** Elements per pass when known without running it, else -1. */
    public long cardinality() {
        return -1;
    }

    // ---------------------------------------------------------------- sources

    /**
     * The rows of {@code arrays} (which share their first dimension), one element per row: row i
     * of each array, without its first axis. The tensors are read, never copied whole; a
     * {@link #shuffle} and {@link #batch} right after gather each batch's rows in one op per array
     * (no host read).
     */
    public static Dataset fromTensors(Tensor... arrays) {
        if (arrays == null || arrays.length == 0) {
            throw new IllegalArgumentException("Dataset.fromTensors: no tensors given");
        }
        for (int i = 0; i < arrays.length; i++) {
            Objects.requireNonNull(arrays[i], "Dataset.fromTensors: tensor " + i + " is null");
            if (arrays[i].rank() == 0) {
                throw new IllegalArgumentException("Dataset.fromTensors: tensor " + i + " is a scalar; rows need a first axis");
            }
            if (arrays[i].size(0) != arrays[0].size(0)) {
                throw ShapeMismatchException.of("Dataset.fromTensors", arrays[0].shape(), arrays[i].shape(),
                        "differ in the first dimension (rows) of tensors 0 and " + i);
            }
        }
        int rows = arrays[0].size(0);
        return new Rows(arrays.clone(), epoch -> {
            int[] next = {0};
            return () -> next[0] < rows ? next[0]++ : null;
        }, rows);
    }

    /**
     * Elements from a fresh iterator per pass: {@code source.get()} is called at the start of each
     * epoch, and its elements (samples, or batches already) are made as they are pulled, so the
     * data may be larger than memory. An iterator that is {@link AutoCloseable} is closed with its pass.
     */
    public static Dataset fromIterators(Supplier<? extends Iterator<Tensor[]>> source) {
        Objects.requireNonNull(source, "Dataset.fromIterators: source");
        return new Dataset() {
            @Override
            Cursor open(int epoch) {
                Iterator<Tensor[]> it = Objects.requireNonNull(source.get(), "Dataset.fromIterators: the source gave no iterator");
                return new Cursor() {
                    @Override
                    public Tensor[] next() {
                        return it.hasNext() ? it.next() : null;
                    }

                    @Override
                    public void close() {
                        if (it instanceof AutoCloseable resource) {
                            try {
                                resource.close();
                            } catch (Exception e) {
                                throw new DatasetException("closing the pass's iterator failed: " + e, e);
                            }
                        }
                    }
                };
            }
        };
    }

    /** Elements from a supplier that gives null at the end of each pass (called again for the next pass). */
    public static Dataset fromSupplier(Supplier<Tensor[]> next) {
        Objects.requireNonNull(next, "Dataset.fromSupplier: supplier");
        return new Dataset() {
            @Override
            Cursor open(int epoch) {
                return cursor(next);
            }
        };
    }

    /** One pass over {@code iterator}; asking for a second pass raises a {@link DatasetException}. */
    public static Dataset fromIterator(Iterator<Tensor[]> iterator) {
        Objects.requireNonNull(iterator, "Dataset.fromIterator: iterator");
        AtomicBoolean used = new AtomicBoolean();
        return new Dataset() {
            @Override
            Cursor open(int epoch) {
                if (used.getAndSet(true)) {
                    throw new DatasetException("Dataset.fromIterator gives one pass only; use fromIterators(supplier)"
                            + " for a dataset that can be iterated every epoch");
                }
                return cursor(() -> iterator.hasNext() ? iterator.next() : null);
            }
        };
    }

    // ---------------------------------------------------------------- stages

    /** Each element through {@code f}, as it is pulled (on the prefetch thread when a later stage prefetches). */
    public Dataset map(Function<Tensor[], Tensor[]> f) {
        Objects.requireNonNull(f, "Dataset.map: function");
        Dataset up = this;
        return new Dataset() {
            @Override
            Cursor open(int epoch) {
                Cursor c = up.open(epoch);
                return cursor(() -> {
                    Tensor[] e = c.next();
                    return e == null ? null : Objects.requireNonNull(f.apply(e), "Dataset.map: the function gave null");
                }, c);
            }

            @Override
            public long cardinality() {
                return up.cardinality();
            }
        };
    }

    /**
     * tf.data's {@code shuffle(buffer_size, seed)}: elements come out of a buffer of
     * {@code bufferSize} in random order (a buffer of at least the element count shuffles fully; 1
     * keeps the order). Pass {@code epoch}'s order depends only on (seed, epoch).
     */
    public Dataset shuffle(int bufferSize, long seed) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("Dataset.shuffle: buffer size must be at least 1, got " + bufferSize);
        }
        Dataset up = this;
        return new Dataset() {
            @Override
            Cursor open(int epoch) {
                Cursor c = up.open(epoch);
                ShuffleBuffer<HeldElement> buffer = new ShuffleBuffer<>(() -> HeldElement.take(c::next), bufferSize,
                        shuffleRandom(seed, epoch));
                return new Cursor() {
                    @Override
                    public Tensor[] next() {
                        HeldElement e = buffer.get();
                        return e == null ? null : e.release();
                    }

                    @Override
                    public void close() {
                        buffer.clear(HeldElement::discard);
                        c.close();
                    }
                };
            }

            @Override
            public long cardinality() {
                return up.cardinality();
            }
        };
    }

    /** {@link #batch(int, boolean)} keeping a last, smaller batch. */
    public Dataset batch(int size) {
        return batch(size, false);
    }

    /**
     * Stacks {@code size} consecutive elements into one (a new first axis on every tensor); the
     * last batch of a pass is smaller unless {@code dropRemainder}. The elements of a batch must
     * agree in shapes and types.
     */
    public Dataset batch(int size, boolean dropRemainder) {
        checkBatchSize(size);
        Dataset up = this;
        return new Dataset() {
            @Override
            Cursor open(int epoch) {
                Cursor c = up.open(epoch);
                return cursor(() -> {
                    List<Tensor[]> parts = new ArrayList<>(size);
                    Tensor[] e;
                    while (parts.size() < size && (e = c.next()) != null) {
                        parts.add(e);
                    }
                    return parts.isEmpty() || (dropRemainder && parts.size() < size) ? null : stack(parts);
                }, c);
            }

            @Override
            public long cardinality() {
                return batches(up.cardinality(), size, dropRemainder);
            }
        };
    }

    /**
     * Makes up to {@code buffer} elements ahead on a background (daemon) thread, so loading overlaps
     * the consumer's work. The thread starts with a pass and is stopped and joined when the pass
     * ends or is closed; an exception in the stages before this one is rethrown to the consumer
     * as a {@link DatasetException} whose cause it is.
     */
    public Dataset prefetch(int buffer) {
        if (buffer <= 0) {
            throw new IllegalArgumentException("Dataset.prefetch: buffer must be at least 1, got " + buffer);
        }
        Dataset up = this;
        return new Dataset() {
            @Override
            Cursor open(int epoch) {
                return new Prefetcher(() -> up.open(epoch), buffer);
            }

            @Override
            public long cardinality() {
                return up.cardinality();
            }
        };
    }

    // ---------------------------------------------------------------- passes

    /**
     * A pass over the dataset: the elements of epoch {@code epoch} (0-based). Close it (try with
     * resources) to stop a prefetch thread and free buffered elements when leaving early.
     */
    public Pass pass(int epoch) {
        return new Pass(open(epoch));
    }

    /** The elements of one pass, in order; each pulled element belongs to the caller's current scope. */
    public static final class Pass implements Iterator<Tensor[]>, AutoCloseable {
        private final Cursor cursor;
        private Tensor[] peeked;
        private boolean ended;

        Pass(Cursor cursor) {
            this.cursor = cursor;
        }

        /** The next element, or null at the end of the pass (then the pass is closed). */
        public Tensor[] poll() {
            if (peeked != null) {
                Tensor[] e = peeked;
                peeked = null;
                return e;
            }
            if (ended) {
                return null;
            }
            Tensor[] e = cursor.next();
            if (e == null) {
                close();
            }
            return e;
        }

        @Override
        public boolean hasNext() {
            if (peeked == null) {
                peeked = poll();
            }
            return peeked != null;
        }

        @Override
        public Tensor[] next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the pass has no more elements");
            }
            Tensor[] e = peeked;
            peeked = null;
            return e;
        }

        @Override
        public void close() {
            if (!ended) {
                ended = true;
                cursor.close();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    static Cursor cursor(Supplier<Tensor[]> next) {
        return cursor(next, null);
    }

    static Cursor cursor(Supplier<Tensor[]> next, Cursor upstream) {
        return new Cursor() {
            @Override
            public Tensor[] next() {
                return next.get();
            }

            @Override
            public void close() {
                if (upstream != null) {
                    upstream.close();
                }
            }
        };
    }

    static SplittableRandom shuffleRandom(long seed, int epoch) {
        return new SplittableRandom(CounterRandom.mix(seed, epoch));
    }

    static void checkBatchSize(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("Dataset.batch: batch size must be at least 1, got " + size);
        }
    }

    static long batches(long elements, int size, boolean dropRemainder) {
        if (elements < 0) {
            return -1;
        }
        return dropRemainder ? elements / size : (elements + size - 1) / size;
    }

    /** The elements of {@code parts} stacked on a new first axis, tensor by tensor. */
    static Tensor[] stack(List<Tensor[]> parts) {
        Tensor[] first = parts.getFirst();
        Tensor[] out = new Tensor[first.length];
        for (int a = 0; a < first.length; a++) {
            List<Tensor> column = new ArrayList<>(parts.size());
            for (int i = 0; i < parts.size(); i++) {
                Tensor[] e = parts.get(i);
                if (e.length != first.length) {
                    throw new DatasetException("Dataset.batch: element " + i + " of a batch has " + e.length
                            + " tensors, the first has " + first.length);
                }
                if (!Arrays.equals(e[a].shape(), first[a].shape())) {
                    throw ShapeMismatchException.of("Dataset.batch (tensor " + a + " of element " + i + ")",
                            first[a].shape(), e[a].shape(), "differ: elements of one batch must have one shape");
                }
                int[] shape = new int[e[a].rank() + 1];
                shape[0] = 1;
                System.arraycopy(e[a].shape(), 0, shape, 1, e[a].rank());
                column.add(e[a].reshape(shape));
            }
            out[a] = Tensor.concat(column, 0);
        }
        return out;
    }

    /**
     * Rows of tensors named by an index stream. Shuffling and batching it stay on the indices
     * (same semantics as on the elements), so a batch is one gather per tensor.
     */
    private static final class Rows extends Dataset {
        private final Tensor[] arrays;
        private final Function<Integer, Supplier<Integer>> order;
        private final int rows;

        Rows(Tensor[] arrays, Function<Integer, Supplier<Integer>> order, int rows) {
            this.arrays = arrays;
            this.order = order;
            this.rows = rows;
        }

        @Override
        Cursor open(int epoch) {
            Supplier<Integer> indices = order.apply(epoch);
            return cursor(() -> {
                Integer i = indices.get();
                if (i == null) {
                    return null;
                }
                Tensor[] e = new Tensor[arrays.length];
                for (int a = 0; a < arrays.length; a++) {
                    int[] shape = Arrays.copyOfRange(arrays[a].shape(), 1, arrays[a].rank());
                    e[a] = arrays[a].slice(0, i, i + 1).reshape(shape);
                }
                return e;
            });
        }

        @Override
        public long cardinality() {
            return rows;
        }

        @Override
        public Dataset shuffle(int bufferSize, long seed) {
            if (bufferSize <= 0) {
                throw new IllegalArgumentException("Dataset.shuffle: buffer size must be at least 1, got " + bufferSize);
            }
            return new Rows(arrays, epoch -> new ShuffleBuffer<>(order.apply(epoch), bufferSize, shuffleRandom(seed, epoch)), rows);
        }

        @Override
        public Dataset batch(int size, boolean dropRemainder) {
            checkBatchSize(size);
            return new Dataset() {
                @Override
                Cursor open(int epoch) {
                    Supplier<Integer> indices = order.apply(epoch);
                    return cursor(() -> {
                        int[] idx = new int[size];
                        int n = 0;
                        Integer i;
                        while (n < size && (i = indices.get()) != null) {
                            idx[n++] = i;
                        }
                        if (n == 0 || (dropRemainder && n < size)) {
                            return null;
                        }
                        Tensor[] batch = new Tensor[arrays.length];
                        for (int a = 0; a < arrays.length; a++) {
                            batch[a] = arrays[a].indexSelect(Tensor.of(arrays[a].device(), Arrays.copyOf(idx, n), n));
                        }
                        return batch;
                    });
                }

                @Override
                public long cardinality() {
                    return batches(rows, size, dropRemainder);
                }
            };
        }
    }
}
