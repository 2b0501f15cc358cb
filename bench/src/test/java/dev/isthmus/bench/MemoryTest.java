package dev.isthmus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MemoryTest {

    @Test
    void statusFieldsAreReadInKilobytes() {
        List<String> status = List.of("Name:\tjava", "VmHWM:\t  204800 kB", "VmRSS:\t   102400 kB");
        assertEquals(204800, Rss.kilobytes(status, "VmHWM"));
        assertEquals(102400, Rss.kilobytes(status, "VmRSS"));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> Rss.kilobytes(List.of("Name:\tjava"), "VmHWM"));
        assertTrue(none.getMessage().contains("no VmHWM line"), none.getMessage());
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
                () -> Rss.kilobytes(List.of("VmRSS:\t12 MB"), "VmRSS"));
        assertTrue(odd.getMessage().contains("'VmRSS:\t12 MB'"), odd.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rss.kilobytes(List.of("VmRSS:\t kB"), "VmRSS"));
    }

    @Test
    void theProbeSeesMemoryThatTheStepsKeep() {
        assumeTrue(Rss.available(), "no /proc/self/status on this system");
        try (Arena arena = Arena.ofConfined()) {
            // each step keeps 4 MiB of native memory, every page touched, and takes about 30 ms (more
            // than the probe's 20 ms between readings, so every step is read): the resident size
            // grows by 4 MiB a step at an even pace, outside any heap the JVM may already have made
            // resident
            Rss.Sample s = Rss.probe(() -> {
                arena.allocate(4 << 20, 4096).fill((byte) 1);
                LockSupport.parkNanos(30_000_000);
            }, 0.6);
            check(s);
        }
        assertNull(Memory.parse("no line here\n"));
    }

    private static void check(Rss.Sample s) {
        assertTrue(s.steps() >= 2, "at least two steps: " + s);
        assertTrue(s.peakKb() >= s.endKb() && s.endKb() > 0, s.toString());
        assertTrue(s.growthKb() >= (s.steps() / 2 - 3) * 4096L && s.growthKb() <= (s.steps() / 2 + 3) * 4096L,
                "the second half kept 4 MiB a step, resident: " + s);
        assertEquals(s, Memory.parse("noise\n" + s.line("mlp|64") + "\n"));
    }

    @Test
    void resultsJsonCarriesTheMemoryRows(@TempDir Path dir) throws IOException {
        Rss.Sample ours = new Rss.Sample(200 * 1024, 190 * 1024, 191 * 1024, 500);
        Path file = dir.resolve("results.json");
        Report.json(file, List.of(), List.of(), List.of(new Memory.Result("mlp", 64, ours, null, "PyTorch probe failed: x")),
                "./isthmus bench memory", List.of("cpu"));
        String json = Files.readString(file);
        assertTrue(json.contains("\"memory\" : [ {"), json);
        assertTrue(json.contains("\"model\" : \"mlp\""), json);
        assertTrue(json.contains("\"peak_kb\" : 204800"), json);
        assertTrue(json.contains("\"end_kb\" : 195584"), json);
        assertTrue(json.contains("\"why\" : \"PyTorch probe failed: x\""), json);
        assertTrue(!json.contains("\"pytorch\"") && !json.contains("\"ratio\""), "no PyTorch side, no ratio: " + json);
    }

    @Test
    void oursRunsWithTheLaunchersSampleFlags() throws IOException {
        Path launcher = Path.of("..", "isthmus");
        assumeTrue(Files.exists(launcher), "no launcher at " + launcher.toAbsolutePath());
        String line = Files.readAllLines(launcher).stream().filter(l -> l.contains("isthmus-samples.jar\" \"$@\""))
                .findFirst().orElseThrow(() -> new AssertionError("no samples line in " + launcher));
        assertTrue(line.contains("\"${jvm_flags[@]}\" " + String.join(" ", Memory.SAMPLE_FLAGS) + " -jar"), line);
    }

    @Test
    void theTableComparesPeaksAndSaysWhetherTheGoalIsMet() {
        Rss.Sample ours = new Rss.Sample(200 * 1024, 190 * 1024, 190 * 1024, 500);
        Rss.Sample torch = new Rss.Sample(250 * 1024, 240 * 1024, 245 * 1024, 700);
        String met = Memory.describe(List.of(new Memory.Result("mlp", 64, ours, torch, "")), 10);
        assertTrue(met.contains("| mlp | 64 | 200 MB | 250 MB | 1.25× | +0.0 MB / +5.0 MB | 500 / 700 |"), met);
        assertTrue(met.contains("Goal (peak RSS no higher than PyTorch's, ≥ 1.0×): met (worst 1.25× over 1 models)"), met);
        String missed = Memory.describe(List.of(new Memory.Result("mlp", 64, ours, torch, ""),
                new Memory.Result("text", 64, torch, ours, ""),
                new Memory.Result("gpt", 64, ours, null, "PyTorch probe failed: x")), 10);
        assertTrue(missed.contains("missed (worst 0.80× over 2 models)"), missed);
        assertTrue(missed.contains("| gpt | 64 | 200 MB | — | — | +0.0 MB / — | 500 / — | PyTorch probe failed: x"), missed);
        assertEquals("", Memory.describe(List.of(), 10));
    }
}
