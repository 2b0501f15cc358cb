package dev.isthmus.nn.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * tf.data's shuffle: a buffer filled with the first {@code size} elements; each output is a
 * uniformly drawn buffer slot, refilled with the next upstream element, and once upstream ends the
 * buffer drains in random order. So element i can come out no earlier than position i - size + 1,
 * a buffer of 1 keeps the order, and a buffer of at least the element count draws a full
 * permutation. Deterministic for the generator it is given.
 */
final class ShuffleBuffer<E> implements Supplier<E> {
    private final Supplier<E> upstream;
    private final int size;
    private final SplittableRandom random;
    private final List<E> buffer = new ArrayList<>();
    private boolean upstreamDone;

    ShuffleBuffer(Supplier<E> upstream, int size, SplittableRandom random) {
        this.upstream = upstream;
        this.size = size;
        this.random = random;
    }

    /** The next element, or null when upstream and buffer are empty. */
    @Override
    public E get() {
        while (!upstreamDone && buffer.size() < size) {
            E e = upstream.get();
            if (e == null) {
                upstreamDone = true;
            } else {
                buffer.add(e);
            }
        }
        if (buffer.isEmpty()) {
            return null;
        }
        int j = random.nextInt(buffer.size());
        E out = buffer.get(j);
        E last = buffer.removeLast();
        if (j < buffer.size()) {
            buffer.set(j, last);
        }
        return out;
    }

    /** Hands every buffered element to {@code discard} (an epoch abandoned early). */
    void clear(Consumer<E> discard) {
        buffer.forEach(discard);
        buffer.clear();
    }
}
