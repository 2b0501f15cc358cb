package dev.isthmus.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {

    private static Bench.Row gemm(String device, int size, double ms, Double referenceGflops) {
        return new Bench.Row("gemm", "sgemm fp32", size + "x" + size + "x" + size, device, ms, 0.1,
                2.0 * size * size * size / 1e9, "GFLOP", referenceGflops, referenceGflops == null ? null : "numpy", null);
    }

    @Test
    void ratiosCompareRatesForWorkAndTimesOtherwise() {
        Bench.Row g = gemm("cpu", 1024, 10, 200.0); // 2.147 GFLOP in 10 ms = 214.7 GFLOP/s
        assertEquals(214.7, g.rate(), 0.1);
        assertEquals(214.7 / 200, g.ratio(), 1e-3);
        Bench.Row step = new Bench.Row("step", "train step image", "batch 64", "cuda", 2.0, 0.1, 0, null, 3.0,
                "PyTorch eager", null);
        assertEquals(1.5, step.ratio(), 1e-9, "3 ms for the reference, 2 ms for us: 1.5x faster");
    }

    @Test
    void goalsSayMetOrMissedFromTheWorstRow() {
        String goals = Report.goals(List.of(gemm("cpu", 1024, 10, 200.0), gemm("cpu", 2048, 100, 200.0)));
        // 2048: 17.18 GFLOP in 100 ms = 171.8 GFLOP/s, 0.86x numpy: the goal is missed
        assertTrue(goals.contains("CPU GEMM ≥ 1.0× numpy (1024 and up): missed (0.86× to 1.07× over 2 rows)"), goals);
        assertTrue(goals.contains("GPU GEMM ≥ 0.95× torch.matmul: not measured in this run"), goals);
    }

    @Test
    void tableShowsOursTheReferenceAndTheRatio() {
        String table = Report.table(List.of(gemm("cpu", 1024, 10, 200.0),
                new Bench.Row("lstm", "lstm forward", "32x20x32 -> 64", "cpu", 1.25, Double.NaN, 0, null, null, null, null)));
        assertTrue(table.contains("| sgemm fp32 | 1024x1024x1024 | cpu | 214.7 GFLOP/s (10.000 ms) | 200.0 GFLOP/s numpy | 1.07× |"), table);
        assertTrue(table.contains("| lstm forward | 32x20x32 -> 64 | cpu | 1.250 ms | — | — |"), table);
    }

    @Test
    void aRowWithoutItsReferenceSaysWhy() {
        Bench.Row step = new Bench.Row("step", "train step text", "batch 32", "cpu", 4.0, 0.1, 0, null, null, null, null)
                .withoutReference("PyTorch CPU not measured: libtorch did not load");
        assertEquals(null, step.ratio());
        assertTrue(Report.table(List.of(step)).contains("| PyTorch CPU not measured: libtorch did not load | — |"),
                Report.table(List.of(step)));
    }

    @Test
    void scalingVerdictsNameTheKneeAndTheLimit() {
        // samples/ms 8, 10.7, 11.4, 11.6: every doubling after batch 16 adds < 10%
        List<Scaling.Point> flat = List.of(new Scaling.Point(8, 1, 20), new Scaling.Point(16, 1.5, 27),
                new Scaling.Point(32, 2.8, 29), new Scaling.Point(64, 5.5, 30));
        assertTrue(Scaling.batchVerdict(flat, 200).startsWith("stops scaling at batch 16 at 27.0 GFLOP/s = 14% of"),
                Scaling.batchVerdict(flat, 200));
        // a flat step followed by growth is not a knee
        List<Scaling.Point> noisy = List.of(new Scaling.Point(8, 0.10, 1), new Scaling.Point(16, 0.21, 1),
                new Scaling.Point(32, 0.16, 1), new Scaling.Point(64, 0.17, 1));
        assertTrue(Scaling.batchVerdict(noisy, 200).startsWith("still scaling at batch 64"), Scaling.batchVerdict(noisy, 200));
        List<Scaling.Point> compute = List.of(new Scaling.Point(8, 1, 100), new Scaling.Point(16, 1.9, 150),
                new Scaling.Point(32, 3.7, 160));
        assertTrue(Scaling.batchVerdict(compute, 200).contains("compute-bound"), Scaling.batchVerdict(compute, 200));
        List<Scaling.Point> rising = List.of(new Scaling.Point(8, 1, 5), new Scaling.Point(16, 1.1, 9));
        assertTrue(Scaling.batchVerdict(rising, 200).startsWith("still scaling at batch 16"), Scaling.batchVerdict(rising, 200));
    }

    @Test
    void threadScalingCountsEveryPowerOfTwoAndAllCoresAndGivesTheEfficiency() {
        assertEquals(List.of(1), Scaling.threadCounts(1));
        assertEquals(List.of(1, 2), Scaling.threadCounts(2));
        assertEquals(List.of(1, 2, 4, 8, 16), Scaling.threadCounts(16));
        assertEquals(List.of(1, 2, 4, 6), Scaling.threadCounts(6));
        List<Scaling.Point> two = List.of(new Scaling.Point(1, 14, 0), new Scaling.Point(2, 10, 0));
        assertEquals("1.40× the 1-thread steps/s on 2 threads (70% parallel efficiency)", Scaling.threadVerdict(two));
    }

    @Test
    void trainingFlopsFollowTheLayerShapes() {
        // mlp at width 1: 10->10 and 10->1 dense layers, x2 per multiply-add, x3 for the backward GEMMs
        assertEquals(3 * 2.0 * 32 * (10 * 10 + 10), Workloads.trainingFlops("mlp", 32, 1), 1e-9);
        assertEquals(2 * Workloads.trainingFlops("image", 32, 1), Workloads.trainingFlops("image", 64, 1), 1e-6);
    }
}
