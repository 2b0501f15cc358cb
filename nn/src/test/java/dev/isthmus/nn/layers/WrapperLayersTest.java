package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bidirectional, TimeDistributed and SpatialDropout1D against their definitions, gradients and saving. */
class WrapperLayersTest {
    private static final Tensor MASK = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 0, 0}, 3, 3);

    @Test
    void bidirectionalIsTheForwardAndTheTimeReversedBackwardLayer(@TempDir Path dir) {
        Tensor x = Tensor.uniform(new int[] {3, 3, 2}, -1f, 1f, 1);
        for (String mode : new String[] {"concat", "sum", "mul", "ave"}) {
            for (boolean masked : new boolean[] {false, true}) {
                try (Scope s = Scope.open("test")) {
                    Bidirectional bi = new Bidirectional(new GRU(4, true), mode);
                    bi.build(new int[] {3, 2}, s, 3);
                    assertEquals(List.of("forward_kernel", "forward_recurrent_kernel", "forward_bias", "backward_kernel",
                            "backward_recurrent_kernel", "backward_bias"), List.copyOf(bi.parameters().keySet()));
                    Tensor m = masked ? MASK : null;
                    float[] got = bi.call(x, m, false).toArray();
                    float[] ahead = bi.forwardLayer().call(x, m, false).toArray();
                    float[] back = Bidirectional.reversed(bi.backwardLayer().call(Bidirectional.reversed(x),
                            m == null ? null : Bidirectional.reversed(m), false)).toArray();
                    int width = mode.equals("concat") ? 8 : 4;
                    for (int r = 0; r < 9; r++) {
                        for (int j = 0; j < 4; j++) {
                            float a = ahead[r * 4 + j];
                            float b = back[r * 4 + j];
                            switch (mode) {
                                case "concat" -> {
                                    assertEquals(a, got[r * width + j], 0f);
                                    assertEquals(b, got[r * width + 4 + j], 0f);
                                }
                                case "sum" -> assertEquals(a + b, got[r * width + j], 1e-6f);
                                case "mul" -> assertEquals(a * b, got[r * width + j], 1e-6f);
                                default -> assertEquals((a + b) * 0.5f, got[r * width + j], 1e-6f);
                            }
                        }
                    }
                    if (mode.equals("concat")) {
                        GradientCheck.standard().check("bidirectional masked=" + masked, in -> bi.call(in.get(0), m, true), x,
                                bi.parameters().get("backward_kernel"));
                    }
                }
            }
        }
        try (Sequential model = new Sequential(new Bidirectional(new LSTM(3)), new Dense(1)).seed(5)) {
            model.build(3, 2);
            float[] before = model.predict(x, 3).toArray();
            Path file = dir.resolve("bi.safetensors");
            model.save(file);
            try (Model back = Model.load(file)) {
                assertArrayEquals(before, back.predict(x, 3).toArray(), 0f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new Dense(2)));
        assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new GRU(2), "max"));
    }

    @Test
    void timeDistributedAppliesOneLayerAtEveryStep(@TempDir Path dir) {
        Tensor x = Tensor.uniform(new int[] {2, 5, 3}, -1f, 1f, 2);
        try (Scope s = Scope.open("test")) {
            TimeDistributed td = new TimeDistributed(new Dense(4, Activation.TANH));
            td.build(new int[] {5, 3}, s, 1);
            assertEquals(List.of("kernel", "bias"), List.copyOf(td.parameters().keySet()));
            float[] y = td.call(x, false).toArray();
            for (int i = 0; i < 2; i++) {
                for (int t = 0; t < 5; t++) {
                    float[] step = td.layer().call(x.slice(0, i, i + 1).slice(1, t, t + 1).reshape(1, 3), false).toArray();
                    for (int j = 0; j < 4; j++) {
                        assertEquals(step[j], y[(i * 5 + t) * 4 + j], 1e-6f);
                    }
                }
            }
            GradientCheck.standard().check("time distributed", in -> td.call(in.get(0), true), x, td.parameters().get("kernel"));
        }
        try (Sequential model = new Sequential(new TimeDistributed(new Dense(2)), new GlobalAveragePooling1D()).seed(1)) {
            model.build(5, 3);
            float[] before = model.predict(x, 2).toArray();
            Path file = dir.resolve("td.safetensors");
            model.save(file);
            try (Model back = Model.load(file)) {
                assertArrayEquals(before, back.predict(x, 2).toArray(), 0f);
            }
        }
    }

    @Test
    void spatialDropoutDropsWholeChannelsInTrainingOnly() {
        Tensor x = Tensor.full(1f, 64, 10, 16);
        try (Scope s = Scope.open("test")) {
            SpatialDropout1D sd = new SpatialDropout1D(0.25f);
            sd.build(new int[] {10, 16}, s, 1);
            assertArrayEquals(x.toArray(), sd.call(x, false).toArray(), 0f);
            float[] y = sd.call(x, true).toArray();
            int dropped = 0;
            for (int b = 0; b < 64; b++) {
                for (int f = 0; f < 16; f++) {
                    float first = y[(b * 10) * 16 + f];
                    assertTrue(first == 0f || Math.abs(first - 1f / 0.75f) < 1e-6f, "kept values are scaled: " + first);
                    for (int t = 1; t < 10; t++) {
                        assertEquals(first, y[(b * 10 + t) * 16 + f], 0f, "a channel is dropped at every step or none");
                    }
                    dropped += first == 0f ? 1 : 0;
                }
            }
            // 1024 channel draws at rate 0.25: 256 expected, 4 standard deviations either side
            assertTrue(Math.abs(dropped - 256) < 4 * Math.sqrt(1024 * 0.25 * 0.75), "dropped " + dropped);
            assertTrue(sd.randomDraws() == 1);
        }
    }
}
