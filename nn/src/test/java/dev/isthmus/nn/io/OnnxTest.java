package dev.isthmus.nn.io;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.ActivationLayer;
import dev.isthmus.nn.layers.BatchNormalization;
import dev.isthmus.nn.layers.Add;
import dev.isthmus.nn.layers.Average;
import dev.isthmus.nn.layers.Concatenate;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.layers.GRU;
import dev.isthmus.nn.layers.GlobalAveragePooling1D;
import dev.isthmus.nn.layers.GlobalAveragePooling2D;
import dev.isthmus.nn.layers.GlobalMaxPooling2D;
import dev.isthmus.nn.layers.Input;
import dev.isthmus.nn.layers.LayerNormalization;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.MaxPooling2D;
import dev.isthmus.nn.layers.MultiHeadAttention;
import dev.isthmus.nn.layers.Multiply;
import dev.isthmus.nn.layers.SimpleRNN;
import dev.isthmus.nn.layers.Subtract;
import dev.isthmus.nn.layers.SymbolicTensor;
import dev.isthmus.nn.layers.TokenAndPositionEmbedding;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX exports checked by the other side: ONNX Runtime loads each exported model and predicts
 * within 1e-5 of Isthmus on the same inputs. The models are the sample models' architectures
 * (smaller widths) with their random initial weights, and the options each translation has.
 */
class OnnxTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void mlp() throws Exception {
        Sequential m = new Sequential(new Dense(10, Activation.RELU), new Dense(1)).seed(1);
        m.build(10);
        check(m, floats(7, 10), 7, 10);
    }

    @Test
    void imageCnn() throws Exception {
        Sequential m = new Sequential(new Conv2D(8, 3, Activation.RELU), new MaxPooling2D(2), new Flatten(),
                new Dense(16, Activation.RELU), new Dense(10, Activation.SOFTMAX)).seed(2);
        m.build(28, 28, 1);
        check(m, floats(3, 28 * 28), 3, 28, 28, 1);
    }

    @Test
    void speechCnnWithSamePaddingStridesAndDilation() throws Exception {
        Sequential m = new Sequential(new Conv2D(6, new int[] {3, 3}, new int[] {2, 1}, "same", Activation.RELU, true),
                new MaxPooling2D(new int[] {2, 2}, new int[] {2, 2}, "same"),
                new Conv2D(8, 3, Activation.TANH).dilationRate(2, 1), new MaxPooling2D(2), new Flatten(),
                new Dense(12, Activation.SIGMOID), new Dropout(0.3f), new Dense(10, Activation.SOFTMAX)).seed(3);
        m.build(31, 17, 2);
        check(m, floats(2, 31 * 17 * 2), 2, 31, 17, 2);
    }

    @Test
    void groupedConvolution() throws Exception {
        Sequential m = new Sequential(new Conv2D(6, 3, Activation.LINEAR).groups(3), new Flatten(), new Dense(3)).seed(4);
        m.build(9, 9, 3);
        check(m, floats(2, 9 * 9 * 3), 2, 9, 9, 3);
    }

    /** The text model: a masked Embedding and an LSTM; rows padded at the end, as the text sample pads them. */
    @Test
    void textLstmOverTrailingPadding() throws Exception {
        Sequential m = new Sequential(new Embedding(50, 8, true), new Dropout(0.5f), new LSTM(12),
                new Dense(2, Activation.SOFTMAX)).seed(5);
        m.build(9);
        int[] ids = new int[4 * 9];
        SplittableRandom r = new SplittableRandom(6);
        int[] lengths = {9, 5, 1, 7};
        for (int i = 0; i < 4; i++) {
            for (int t = 0; t < lengths[i]; t++) {
                ids[i * 9 + t] = 1 + r.nextInt(49);
            }
        }
        check(m, ids, 4, 9);
    }

    /** The recommender: an unmasked Embedding, an LSTM returning sequences, a wide softmax. */
    @Test
    void lstmReturningSequences() throws Exception {
        Sequential m = new Sequential(new Embedding(300, 16, false), new LSTM(10, true), new LSTM(8),
                new Dense(300, Activation.SOFTMAX)).seed(7);
        m.build(6);
        int[] ids = new int[5 * 6];
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(300);
        }
        check(m, ids, 5, 6);
    }

    /** The GPT sample's shape: token + position embedding, pre-norm causal attention and MLP blocks, tied output. */
    @Test
    void gptTransformer() throws Exception {
        int vocabulary = 30;
        int context = 12;
        int d = 16;
        SymbolicTensor in = Input.of(context);
        TokenAndPositionEmbedding e = new TokenAndPositionEmbedding(vocabulary, context, d);
        SymbolicTensor h = e.apply(in);
        for (int b = 0; b < 2; b++) {
            h = new Add().apply(h, new MultiHeadAttention(4, d / 4, true).apply(new LayerNormalization().apply(h)));
            h = new Add().apply(h, new Dense(d).apply(new Dense(4 * d, Activation.RELU)
                    .apply(new LayerNormalization().apply(h))));
        }
        Model m = new Model("gpt", List.of(in), List.of(e.apply(new LayerNormalization().apply(h))), 11);
        int[] ids = new int[3 * context];
        SplittableRandom r = new SplittableRandom(12);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(vocabulary);
        }
        check(m, ids, 3, context);
    }

    /** A functional model with two inputs, a shared layer, cross-attention and merges, and two outputs. */
    @Test
    void twoInputsTwoOutputs() throws Exception {
        SymbolicTensor a = Input.of("a", DType.FLOAT32, 5, 8);
        SymbolicTensor b = Input.of("b", DType.FLOAT32, 5, 8);
        Dense shared = new Dense(8, Activation.TANH);
        SymbolicTensor sa = shared.apply(a);
        SymbolicTensor sb = shared.apply(b);
        SymbolicTensor attended = new MultiHeadAttention(2, 4).apply(sa, sb);
        SymbolicTensor joined = new Concatenate(1).apply(new Subtract().apply(attended, sa), new Multiply().apply(sb, sb));
        SymbolicTensor out1 = new Dense(3, Activation.SOFTMAX).apply(new Flatten().apply(joined));
        SymbolicTensor out2 = new Average().apply(sa, new Add().apply(sa, attended));
        Model m = new Model("two", List.of(a, b), List.of(out1, out2), 13);
        float[] xa = floats(2, 5 * 8);
        float[] xb = java.util.Arrays.copyOf(floats(2, 5 * 8 + 1), 2 * 5 * 8);
        List<float[]> ours;
        try (Scope ignored = Scope.open()) {
            ours = m.forward(List.of(Tensor.of(xa, 2, 5, 8), Tensor.of(xb, 2, 5, 8)), false).stream()
                    .map(Tensor::toArray).toList();
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession s = ENV.createSession(Onnx.toBytes(m), o);
             OnnxTensor ta = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(xa), new long[] {2, 5, 8});
             OnnxTensor tb = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(xb), new long[] {2, 5, 8});
             OrtSession.Result r = s.run(Map.of("a", ta, "b", tb))) {
            for (int i = 0; i < 2; i++) {
                FloatBuffer fb = ((OnnxTensor) r.get("output_" + i).orElseThrow()).getFloatBuffer();
                float[] theirs = new float[fb.remaining()];
                fb.get(theirs);
                float[] want = ours.get(i);
                assertEquals(want.length, theirs.length);
                for (int j = 0; j < want.length; j++) {
                    assertEquals(want[j], theirs[j], 1e-5f, "output " + i + " at " + j);
                }
            }
        }
    }

    /** GRU (Keras's reset_after) masked over trailing padding, and one returning sequences into global pooling. */
    @Test
    void gru() throws Exception {
        Sequential masked = new Sequential(new Embedding(30, 6, true), new GRU(5), new Dense(2, Activation.SOFTMAX)).seed(21);
        masked.build(7);
        int[] ids = new int[3 * 7];
        SplittableRandom r = new SplittableRandom(22);
        int[] lengths = {7, 2, 5};
        for (int i = 0; i < 3; i++) {
            for (int t = 0; t < lengths[i]; t++) {
                ids[i * 7 + t] = 1 + r.nextInt(29);
            }
        }
        check(masked, ids, 3, 7);
        Sequential sequences = new Sequential(new GRU(4, true), new GlobalAveragePooling1D(), new Dense(3)).seed(23);
        sequences.build(6, 3);
        check(sequences, floats(2, 18), 2, 6, 3);
    }

    /** BatchNormalization with its moving statistics, then global average and max pooling. */
    @Test
    void batchNormalizationAndGlobalPooling() throws Exception {
        Sequential m = new Sequential(new Conv2D(4, 3), new BatchNormalization(), new ActivationLayer(Activation.RELU),
                new GlobalMaxPooling2D(), new Dense(2)).seed(24);
        m.build(7, 7, 2);
        m.layers().get(1).setWeights(new float[] {1.5f, 0.5f, -1f, 2f}, new float[] {0.1f, -0.2f, 0.3f, 0f},
                new float[] {0.2f, -0.1f, 0f, 0.4f}, new float[] {0.5f, 2f, 1f, 0.25f});
        check(m, floats(3, 7 * 7 * 2), 3, 7, 7, 2);
        Sequential avg = new Sequential(new Conv2D(3, 2, Activation.TANH), new GlobalAveragePooling2D(), new Dense(2)).seed(25);
        avg.build(5, 5, 1);
        check(avg, floats(2, 25), 2, 5, 5, 1);
    }

    @Test
    void aLayerWithoutTranslationIsRefusedByName() {
        Sequential m = new Sequential(new Embedding(20, 4, false), new SimpleRNN(3), new Dense(1)).seed(9);
        m.build(5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Onnx.toBytes(m));
        assertTrue(e.getMessage().contains("SimpleRNN"), e.getMessage());
    }

    @Test
    void writesAFileOrtLoads(@TempDir Path dir) throws Exception {
        Sequential m = new Sequential(new Dense(3, Activation.TANH)).seed(10);
        m.build(4);
        Path file = dir.resolve("m.onnx");
        Onnx.export(m, file);
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession s = ENV.createSession(file.toString(), o)) {
            assertEquals("input", s.getInputNames().iterator().next());
            assertEquals("output", s.getOutputNames().iterator().next());
        }
    }

    private static float[] floats(int rows, int cols) {
        SplittableRandom r = new SplittableRandom(rows * 31L + cols);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static void check(Model m, float[] x, int... shape) throws OrtException {
        float[] ours;
        try (Scope ignored = Scope.open()) {
            ours = m.forward(Tensor.of(x, shape), false).toArray();
        }
        try (OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), longs(shape))) {
            compare(m, ours, in);
        }
    }

    private static void check(Model m, int[] ids, int... shape) throws OrtException {
        float[] ours;
        try (Scope ignored = Scope.open()) {
            ours = m.forward(Tensor.of(ids, shape), false).toArray();
        }
        try (OnnxTensor in = OnnxTensor.createTensor(ENV, IntBuffer.wrap(ids), longs(shape))) {
            compare(m, ours, in);
        }
    }

    private static void compare(Model m, float[] ours, OnnxTensor in) throws OrtException {
        byte[] model = Onnx.toBytes(m);
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession s = ENV.createSession(model, o);
             OrtSession.Result r = s.run(Map.of("input", in))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            FloatBuffer fb = out.getFloatBuffer();
            float[] theirs = new float[fb.remaining()];
            fb.get(theirs);
            assertEquals(ours.length, theirs.length, "output sizes");
            float worst = 0;
            for (int i = 0; i < ours.length; i++) {
                worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
            }
            assertTrue(worst <= 1e-5f, "ONNX Runtime differs from Isthmus by " + worst);
            int[] outShape = m.outputs().getFirst().shape();
            long[] expected = new long[outShape.length + 1];
            expected[0] = in.getInfo().getShape()[0];
            for (int i = 0; i < outShape.length; i++) {
                expected[i + 1] = outShape[i];
            }
            assertArrayEquals(expected, out.getInfo().getShape(), "output shape");
        }
    }

    private static long[] longs(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return l;
    }
}
