package dev.isthmus.nn.model;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.tensor.CpuStorage;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** predict frees each batch's intermediates as it goes: the caller's scope gains the outputs only. */
class PredictMemoryTest {
    @Test
    void predictInBatchesLeavesOnlyItsOutputsInTheCallersScope() {
        try (var model = new Sequential(new Dense(16, Activation.RELU), new Dense(16, Activation.RELU), new Dense(3))
                .seed(1)) {
            Tensor x = Tensor.uniform(new int[] {40, 8}, -1, 1, 2);
            float[] expected = model.predict(x, 40).toArray();
            try (Scope caller = Scope.open("caller")) {
                long before = CpuStorage.liveScopedBytes();
                Tensor y = model.predict(x, 8);
                assertEquals(before + y.storage().byteSize(), CpuStorage.liveScopedBytes());
                assertArrayEquals(expected, y.toArray());
            }
        }
    }

    @Test
    void oneBatchPredictLeavesOnlyItsOutputsToo() {
        try (var model = new Sequential(new Dense(16, Activation.RELU), new Dense(3)).seed(3)) {
            Tensor x = Tensor.uniform(new int[] {10, 8}, -1, 1, 4);
            model.predict(x);
            try (Scope caller = Scope.open("caller")) {
                long before = CpuStorage.liveScopedBytes();
                Tensor y = model.predict(x);
                assertEquals(before + y.storage().byteSize(), CpuStorage.liveScopedBytes());
            }
        }
    }

    @Test
    void anOutputThatIsAViewOfTheInputIsCopiedSoTheInputKeepsItsOwner() {
        try (var model = new Sequential(new Flatten()); Scope data = Scope.independent("data")) {
            Tensor x = data.adopt(Tensor.uniform(new int[] {4, 2, 3}, -1, 1, 5));
            float[] values = x.toArray();
            try (Scope caller = Scope.open("caller")) {
                Tensor y = model.predict(x);
                assertArrayEquals(new int[] {4, 6}, y.shape());
                assertArrayEquals(values, y.toArray());
            }
            assertArrayEquals(values, x.toArray(), "x is still owned by its own scope, not freed with the caller's");
        }
    }
}
