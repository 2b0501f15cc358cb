package dev.isthmus.samples;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.isthmus.nn.io.Onnx;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.gpt.GptSample;
import dev.isthmus.samples.image.ImageSample;
import dev.isthmus.samples.recommend.RecommendSample;
import dev.isthmus.samples.speech.SpeechInput;
import dev.isthmus.samples.speech.SpeechSample;
import dev.isthmus.samples.text.TextFeatures;
import dev.isthmus.samples.text.TextSample;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each of the six sample models, as the samples build it (their initial weights), exported to ONNX
 * and run by ONNX Runtime: its predictions match Isthmus's within 1e-5 on the same inputs.
 */
class SampleModelsOnnxTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void mlp() throws Exception {
        Sequential m = new Sequential(new Dense(10, Activation.RELU), new Dense(1)).seed(1);
        m.build(10);
        matches(m, floats(8, 10), 8, 10);
    }

    @Test
    void image() throws Exception {
        Sequential m = ImageSample.model(2);
        m.build(28, 28, 1);
        matches(m, floats(2, 28 * 28), 2, 28, 28, 1);
    }

    @Test
    void speech() throws Exception {
        Sequential m = SpeechSample.newModel(3);
        m.build(SpeechInput.FRAMES, SpeechInput.BANDS, 1);
        matches(m, floats(2, SpeechInput.FRAMES * SpeechInput.BANDS), 2, SpeechInput.FRAMES, SpeechInput.BANDS, 1);
    }

    /** Sentences padded after their words (as TextFeatures pads them), of several lengths. */
    @Test
    void text() throws Exception {
        int vocabulary = 2000;
        Sequential m = TextSample.newModel(vocabulary, 4);
        int len = TextFeatures.MAX_LEN;
        m.build(len);
        int[] ids = new int[4 * len];
        int[] lengths = {len, 3, 1, 11};
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 4; i++) {
            for (int t = 0; t < lengths[i]; t++) {
                ids[i * len + t] = 1 + r.nextInt(vocabulary - 1);
            }
        }
        matches(m, ids, 4, len);
    }

    @Test
    void recommend() throws Exception {
        int items = 900;
        Sequential m = RecommendSample.newModel(items + 1, items + 1, 6);
        m.build(RecommendSample.WINDOW);
        int[] ids = new int[3 * RecommendSample.WINDOW];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1 + r.nextInt(items);
        }
        matches(m, ids, 3, RecommendSample.WINDOW);
    }

    @Test
    void gpt() throws Exception {
        int vocabulary = 114;
        Model m = GptSample.newModel(vocabulary, 8, 1);
        int[] ids = new int[2 * GptSample.CONTEXT];
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(vocabulary);
        }
        matches(m, ids, 2, GptSample.CONTEXT);
    }

    private static float[] floats(int rows, int cols) {
        SplittableRandom r = new SplittableRandom(rows * 131L + cols);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static void matches(Model m, float[] x, int... shape) throws Exception {
        float[] ours;
        try (Scope ignored = Scope.open()) {
            ours = m.forward(Tensor.of(x, shape), false).toArray();
        }
        try (OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), longs(shape))) {
            compare(m, ours, in);
        }
    }

    private static void matches(Model m, int[] ids, int... shape) throws Exception {
        float[] ours;
        try (Scope ignored = Scope.open()) {
            ours = m.forward(Tensor.of(ids, shape), false).toArray();
        }
        try (OnnxTensor in = OnnxTensor.createTensor(ENV, IntBuffer.wrap(ids), longs(shape))) {
            compare(m, ours, in);
        }
    }

    private static void compare(Model m, float[] ours, OnnxTensor in) throws Exception {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession s = ENV.createSession(Onnx.toBytes(m), o);
             OrtSession.Result r = s.run(Map.of("input", in))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] theirs = new float[fb.remaining()];
            fb.get(theirs);
            assertEquals(ours.length, theirs.length, "output sizes");
            for (int i = 0; i < ours.length; i++) {
                assertEquals(ours[i], theirs[i], 1e-5f, "output " + i);
            }
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
