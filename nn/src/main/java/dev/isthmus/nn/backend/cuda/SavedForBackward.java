package dev.isthmus.nn.backend.cuda;

import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Storage;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;

/**
 * What one forward call leaves on the device for its own backward call (cuDNN's reserve space,
 * the weights it ran with), keyed by a storage the op returned and freed with it: when the
 * storage's scope closes, or when the garbage collector takes a storage no scope owns. Keyed
 * per call, not per shape, so two layers of one shape never see each other's state.
 */
final class SavedForBackward<V> {

    private final Consumer<V> release;
    private final Map<Storage, V> saved = new WeakHashMap<>();

    SavedForBackward(Consumer<V> release) {
        this.release = release;
    }

    /** Saves {@code value} for {@code key}'s backward; a value saved for it before is released now. */
    synchronized void put(Storage key, V value) {
        V old = saved.put(key, value);
        if (old != null) {
            release.accept(old);
        }
        Scope owner = key.owner();
        if (owner != null) {
            owner.onClose(() -> release.accept(value));
        } else {
            GcReleasedMemory.register(key, () -> release.accept(value));
        }
    }

    /** What the forward that returned {@code key} saved, or null. */
    synchronized V get(Storage key) {
        return saved.get(key);
    }
}
