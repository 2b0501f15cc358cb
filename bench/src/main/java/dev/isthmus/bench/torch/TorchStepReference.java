package dev.isthmus.bench.torch;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The PyTorch CPU reference of the {@code step} suite, run by {@code References} in a JVM of its
 * own (with its own malloc settings, and no Isthmus threads competing): for each
 * "step|train step MODEL|batch N" key in the file given, the median of timed training steps after
 * a warm-up. Prints one line per key, parsed by {@code References}:
 * {@code ms|KEY|MEDIAN|OURS_PARAMETERS|TORCH_PARAMETERS} or {@code skip|KEY|REASON}, after a
 * {@code # NAME} line naming the engine. A model whose parameter counts differ is not timed.
 */
public final class TorchStepReference {
    private TorchStepReference() {
    }

    public static void main(String[] args) throws IOException {
        List<String> keys = Files.readAllLines(Path.of(args[0])).stream().filter(k -> !k.isBlank()).toList();
        boolean quick = Arrays.asList(args).contains("--quick");
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf(Locale.ROOT, "# PyTorch %s CPU (DJL %s, %d threads)%n", engine.getVersion(), Engine.getDjlVersion(),
                JniUtils.getNumThreads());
        for (String key : keys) {
            String[] p = key.split("\\|");
            String model = p[1].substring(p[1].lastIndexOf(' ') + 1);
            int batch = Integer.parseInt(p[2].substring(p[2].lastIndexOf(' ') + 1));
            if (!dev.isthmus.bench.Workloads.STEP_MODELS.contains(model)) {
                System.out.printf("skip|%s|no PyTorch twin of the %s model in the bench yet%n", key, model);
                continue;
            }
            try (TorchTrainer t = new TorchTrainer(model, batch)) {
                long torch = t.model.parameterCount();
                if (torch != t.isthmusParameters) {
                    System.out.printf("skip|%s|parameters differ: ours %d, PyTorch %d%n", key, t.isthmusParameters, torch);
                    continue;
                }
                double ms = medianStepMillis(t, quick ? 3 : 10, quick ? 0.5 : 2, quick ? 10 : 30);
                System.out.printf(Locale.ROOT, "ms|%s|%.4f|%d|%d%n", key, ms, t.isthmusParameters, torch);
            } catch (RuntimeException e) {
                System.out.printf("skip|%s|%s%n", key, String.valueOf(e.getMessage()).replace('\n', ' '));
            }
            System.out.flush();
        }
    }

    /** Warms up for at least {@code warmup} steps and {@code warmupSeconds}, then times {@code timed} steps one by one. */
    static double medianStepMillis(TorchTrainer t, int warmup, double warmupSeconds, int timed) {
        long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < warmup || System.nanoTime() < until; i++) {
            t.step();
        }
        double[] ms = new double[timed];
        for (int i = 0; i < timed; i++) {
            long t0 = System.nanoTime();
            t.step();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return timed % 2 == 1 ? ms[timed / 2] : (ms[timed / 2 - 1] + ms[timed / 2]) / 2;
    }
}
