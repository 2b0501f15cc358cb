package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.callbacks.Callback;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.optim.SGD;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A second thread's fit, evaluate or predict on a model that is training is refused, not interleaved. */
class ConcurrentUseTest {

    @Test
    void aSecondFitOnAnotherThreadRaisesConcurrentModelUseException() throws Exception {
        Tensor x = Tensor.normal(new int[] {32, 3}, 0f, 1f, 1);
        Tensor y = Tensor.normal(new int[] {32, 1}, 0f, 1f, 2);
        try (Sequential model = new Sequential(new Dense(1))) {
            model.compile(new SGD(0.01f), Losses.mse());
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Callback hold = new Callback() {
                @Override
                public void onBatchBegin(int batch, Map<String, Double> logs) {
                    if (batch == 0) {
                        // the training thread itself may evaluate and predict (validation, callbacks)
                        model.predict(x);
                        inside.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            CompletableFuture<History> first = CompletableFuture.supplyAsync(
                    () -> model.fit(x, y, Fit.epochs(1).batchSize(8).verbose(0).validationData(x, y).callbacks(hold)));
            assertTrue(inside.await(30, TimeUnit.SECONDS));
            var e = assertThrows(ConcurrentModelUseException.class, () -> model.fit(x, y, Fit.epochs(1).verbose(0)));
            assertTrue(e.getMessage().contains("fit") && e.getMessage().contains("one of those at a time"), e.getMessage());
            assertThrows(ConcurrentModelUseException.class, () -> model.evaluate(x, y));
            assertThrows(ConcurrentModelUseException.class, () -> model.predict(x));
            release.countDown();
            assertEquals(1, first.get(60, TimeUnit.SECONDS).epochs());
            // free again once the first fit is over
            assertEquals(1, model.fit(x, y, Fit.epochs(1).verbose(0)).epochs());
        }
    }
}
