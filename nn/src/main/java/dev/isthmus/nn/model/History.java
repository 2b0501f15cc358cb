package dev.isthmus.nn.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-epoch values of the loss and metrics ("loss", "accuracy", "val_loss", ...), as Keras's History. */
public final class History {
    private final Map<String, List<Double>> values = new LinkedHashMap<>();

    /** An empty history; {@code fit} makes one and records each epoch's logs in it. */
    public History() {
    }

    void record(Map<String, Double> epoch) {
        epoch.forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }

    /** Every series by name, in the order first reported. */
    public Map<String, List<Double>> history() {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, Collections.unmodifiableList(v)));
        return Collections.unmodifiableMap(copy);
    }

    /**
     * The series {@code name}, one value per epoch, an unmodifiable view.
     * @throws IllegalArgumentException if no epoch reported {@code name}; the message lists the names there are
     */
    public List<Double> get(String name) {
        List<Double> v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no series '" + name + "' in this history; it has " + values.keySet());
        }
        return Collections.unmodifiableList(v);
    }

    /** The value of the last epoch. */
    public double last(String name) {
        List<Double> v = get(name);
        return v.getLast();
    }

    /** The number of epochs recorded (0 before any). */
    public int epochs() {
        return values.isEmpty() ? 0 : values.values().iterator().next().size();
    }

    @Override
    public String toString() {
        return "History" + values;
    }
}
