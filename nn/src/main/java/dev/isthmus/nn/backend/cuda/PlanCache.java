package dev.isthmus.nn.backend.cuda;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Library plans (cuDNN descriptors, tuned algorithms, packed weights) by shape, at most
 * {@code capacity} of them: a new shape past that frees the plan used least recently. Without a
 * bound, every new batch size or sequence length would keep its plan and its device memory for
 * the backend's life. Not thread-safe: its owners call it under their own lock.
 */
final class PlanCache<K, V> {
    private final int capacity;
    private final Consumer<V> free;
    private final LinkedHashMap<K, V> plans;

    PlanCache(int capacity, Consumer<V> free) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a plan cache holds at least one plan, got capacity " + capacity);
        }
        this.capacity = capacity;
        this.free = free;
        this.plans = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The plan for {@code key}, made by {@code make} when absent; the least recently used goes if that is one too many. */
    V get(K key, Function<K, V> make) {
        V plan = plans.get(key);
        if (plan != null) {
            return plan;
        }
        plan = make.apply(key);
        plans.put(key, plan);
        if (plans.size() > capacity) {
            Map.Entry<K, V> eldest = plans.entrySet().iterator().next();
            plans.remove(eldest.getKey());
            free.accept(eldest.getValue());
        }
        return plan;
    }

    int size() {
        return plans.size();
    }

    boolean contains(K key) {
        return plans.containsKey(key);
    }
}
