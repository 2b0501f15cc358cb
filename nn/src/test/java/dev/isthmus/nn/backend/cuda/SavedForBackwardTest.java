package dev.isthmus.nn.backend.cuda;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Storage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The cuDNN LSTM's per-forward state (packed weights, reserve space) without a GPU: what each
 * forward saved is found by its own output, however many layers share a shape, and is freed
 * with that output's scope.
 */
class SavedForBackwardTest {
    /** A storage that only carries an owner, as the gates tensor's storage does. */
    private static final class FakeStorage extends Storage {
        FakeStorage(Scope owner) {
            super(8, DType.FLOAT32, owner);
        }

        @Override
        public Device device() {
            return Device.CPU;
        }

        @Override
        protected void relocate(Scope target) {
        }
    }

    @Test
    void twoLayersOfOneShapeEachFindTheirOwnWeights() {
        List<String> released = new ArrayList<>();
        SavedForBackward<String> saved = new SavedForBackward<>(released::add);
        try (Scope step = Scope.open("step")) {
            Storage firstLayer = new FakeStorage(step);
            Storage secondLayer = new FakeStorage(step);
            saved.put(firstLayer, "weights of LSTM 1");
            saved.put(secondLayer, "weights of LSTM 2");
            assertEquals("weights of LSTM 1", saved.get(firstLayer));
            assertEquals("weights of LSTM 2", saved.get(secondLayer));
            assertEquals(List.of(), released);
        }
        assertEquals(List.of("weights of LSTM 1", "weights of LSTM 2"), released.stream().sorted().toList());
    }

    @Test
    void savingAgainForOneOutputReleasesWhatItHeld() {
        List<String> released = new ArrayList<>();
        SavedForBackward<String> saved = new SavedForBackward<>(released::add);
        try (Scope step = Scope.open("step")) {
            Storage gates = new FakeStorage(step);
            String second = "second";
            saved.put(gates, "first");
            saved.put(gates, second);
            assertEquals(List.of("first"), released);
            assertSame(second, saved.get(gates));
            assertNull(saved.get(new FakeStorage(step)));
        }
    }
}
