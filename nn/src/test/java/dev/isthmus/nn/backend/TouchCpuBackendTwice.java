package dev.isthmus.nn.backend;

import dev.isthmus.nn.tensor.Tensor;

/** Child-JVM entry point of the JVM-flags warning test: uses the CPU backend through two routes. */
public final class TouchCpuBackendTwice {
    private TouchCpuBackendTwice() {
    }

    public static void main(String[] args) {
        Tensor a = Tensor.normal(new int[] {64, 64}, 0f, 1f, 1);
        System.out.println(a.matmul(a).sum().item());
        System.out.println(Backends.cpu().describe());
        System.out.println("missing: [" + JvmFlags.missing() + "]");
    }
}
