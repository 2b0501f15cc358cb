package dev.isthmus.nn.model;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A batch's logs for callbacks and the progress bar: the epoch's running means, read from the
 * device on first use (one host read) and kept, so a batch nobody looks at costs nothing and one
 * looked at by several costs one read.
 */
final class BatchLogs extends AbstractMap<String, Double> {
    private final Supplier<Map<String, Double>> read;
    private Map<String, Double> values;

    BatchLogs(Supplier<Map<String, Double>> read) {
        this.read = read;
    }

    /** The values, reading them if nobody has yet. */
    Map<String, Double> read() {
        if (values == null) {
            values = Collections.unmodifiableMap(read.get());
        }
        return values;
    }

    boolean isRead() {
        return values != null;
    }

    @Override
    public Set<Entry<String, Double>> entrySet() {
        return read().entrySet();
    }

    @Override
    public Double get(Object key) {
        return read().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return read().containsKey(key);
    }
}
