package dev.isthmus.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The machine line of bench's reports, from /proc/cpuinfo excerpts of the machines we run on. */
class BenchMachineTest {
    @Test
    void namesFamilyModelAndVectorWidthOfTheFirstProcessor() {
        List<String> zen3 = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 25", "model\t\t: 1",
                "model name\t: AMD EPYC", "flags\t\t: fpu sse2 avx fma avx2 bmi2", "",
                "processor\t: 1", "cpu family\t: 99", "model\t\t: 9", "model name\t: Other",
                "flags\t\t: avx512f", "");
        assertEquals("AMD EPYC (family 25 model 1, AVX2)", Bench.cpuModel(zen3));
        List<String> xeon = List.of("processor\t: 0", "cpu family\t: 6", "model\t\t: 143",
                "model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz",
                "flags\t\t: avx avx2 avx512f avx512bw amx_tile");
        assertEquals("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz (family 6 model 143, AVX-512)",
                Bench.cpuModel(xeon));
        // an ARM-style cpuinfo: no model name, no x86 flags
        assertEquals(System.getProperty("os.arch"), Bench.cpuModel(List.of("processor\t: 0", "BogoMIPS\t: 50.00",
                "Features\t: fp asimd")));
        assertEquals("Some CPU", Bench.cpuModel(List.of("model name\t: Some CPU")));
    }
}
