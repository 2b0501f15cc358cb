package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.data.Dataset;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.optim.SGD;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.DeviceStats;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** fit, evaluate and predict on a Dataset: the same training as on tensors, the execution contract, bounded memory. */
class DatasetFitTest {
    private static final Tensor X = Tensor.uniform(new int[] {40, 3}, -1, 1, 11);
    private static final Tensor Y = Tensor.uniform(new int[] {40, 1}, -1, 1, 12);

    private static Sequential model() {
        Sequential m = new Sequential(new Dense(4, Activation.TANH), new Dense(1)).seed(5);
        m.compile(new Adam(0.05f), Losses.mse(), Metrics.MAE);
        return m;
    }

    private static float[][] weights(Sequential m) {
        try (Scope s = Scope.open()) {
            return m.getWeights().stream().map(Tensor::toArray).toArray(float[][]::new);
        }
    }

    @Test
    void aDatasetInTheTensorsOrderTrainsBitForBitAsTheTensorsUnshuffled() {
        try (Sequential a = model(); Sequential b = model()) {
            History ha = a.fit(X, Y, Fit.epochs(3).batchSize(8).shuffle(false).verbose(0));
            History hb = b.fit(Dataset.fromTensors(X, Y).batch(8), Fit.epochs(3).verbose(0));
            assertEquals(ha.get("loss"), hb.get("loss"));
            assertEquals(ha.get("mae"), hb.get("mae"));
            float[][] wa = weights(a);
            float[][] wb = weights(b);
            for (int i = 0; i < wa.length; i++) {
                assertArrayEquals(wa[i], wb[i]);
            }
            assertEquals(a.evaluate(X, Y, 8), b.evaluate(Dataset.fromTensors(X, Y).batch(8)));
            try (Scope s = Scope.open()) {
                assertArrayEquals(b.predict(X, 8).toArray(), b.predict(Dataset.fromTensors(X).batch(8)).toArray());
            }
        }
    }

    @Test
    void anEpochOfADatasetReadsTheHostAtMostTwice() {
        try (Sequential m = model()) {
            Dataset train = Dataset.fromTensors(X, Y).shuffle(40, 3).batch(4);
            m.fit(train, Fit.epochs(1).verbose(0)); // warm: built and the optimizer's state made
            Device.CPU.resetStats();
            History h = m.fit(train, Fit.epochs(3).verbose(0).validationData(Dataset.fromTensors(X, Y).batch(16)));
            DeviceStats stats = Device.CPU.stats();
            assertEquals(3, h.get("val_loss").size());
            // 10 steps per epoch; each epoch reads its totals once and the validation's once
            assertTrue(stats.hostReads() <= 2 * 3, "host reads in 3 epochs of 10 steps: " + stats);
        }
    }

    @Test
    void theShuffledOrderOfADatasetIsTheSameForTheSameSeed() {
        try (Sequential a = model(); Sequential b = model()) {
            a.fit(Dataset.fromTensors(X, Y).shuffle(16, 9).batch(8).prefetch(2), Fit.epochs(2).verbose(0));
            b.fit(Dataset.fromTensors(X, Y).shuffle(16, 9).batch(8), Fit.epochs(2).verbose(0));
            float[][] wa = weights(a);
            float[][] wb = weights(b);
            for (int i = 0; i < wa.length; i++) {
                assertArrayEquals(wa[i], wb[i], "prefetching changes nothing but timing");
            }
        }
    }

    /**
     * A million rows (20 MB as float32 features and labels) made batch by batch as the pass pulls
     * them, on a prefetch thread: the library's live bytes stay under 1 MB throughout.
     */
    @Test
    void aStreamedMillionRowsTrainWithBoundedMemory() {
        int rows = 1_000_000;
        int batch = 2_000;
        AtomicLong made = new AtomicLong();
        AtomicLong peakLive = new AtomicLong();
        Dataset stream = Dataset.fromIterators(() -> new Iterator<Tensor[]>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < rows;
            }

            @Override
            public Tensor[] next() {
                float[] x = new float[batch * 4];
                float[] y = new float[batch];
                for (int r = 0; r < batch; r++) {
                    int row = next + r;
                    for (int c = 0; c < 4; c++) {
                        x[r * 4 + c] = (float) Math.sin(row * 0.37 + c);
                    }
                    y[r] = x[r * 4] - 0.5f * x[r * 4 + 2];
                }
                next += batch;
                made.addAndGet(batch);
                peakLive.accumulateAndGet(Device.CPU.stats().bytesInUse(), Math::max);
                return new Tensor[] {Tensor.of(x, batch, 4), Tensor.of(y, batch, 1)};
            }
        }).prefetch(2);
        try (Sequential m = new Sequential(new Dense(1)).seed(2)) {
            m.compile(new SGD(0.1f), Losses.mse());
            m.build(4);
            System.gc();
            Device.CPU.resetStats();
            long before = Device.CPU.stats().bytesInUse();
            History h = m.fit(stream, Fit.epochs(1).verbose(0));
            DeviceStats stats = Device.CPU.stats();
            assertEquals(rows, made.get(), "every row was generated, lazily");
            long bound = 1 << 20;
            assertTrue(stats.peakBytesInUse() - before < bound, "peak " + stats.peakBytesInUse() + " over " + before);
            assertTrue(peakLive.get() - before < bound, "live while generating: " + peakLive.get());
            assertTrue(h.get("loss").getFirst() < 0.05, "it learns: " + h.get("loss"));
        }
    }

    @Test
    void aDatasetRefusesTensorOnlySettingsAndEmptyPasses() {
        try (Sequential m = model()) {
            Dataset d = Dataset.fromTensors(X, Y).batch(8);
            assertThrows(IllegalArgumentException.class, () -> m.fit(d, Fit.epochs(1).validationSplit(0.2)));
            assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromIterators(() -> List.<Tensor[]>of().iterator()),
                    Fit.epochs(1).verbose(0)));
            assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromTensors(X).batch(8), Fit.epochs(1).verbose(0)));
            Map<String, Double> v = m.evaluate(d);
            assertTrue(v.containsKey("loss") && v.containsKey("mae"));
        }
    }
}
