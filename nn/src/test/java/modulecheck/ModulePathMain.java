package modulecheck;

import dev.isthmus.nn.backend.JvmFlags;
import dev.isthmus.nn.backend.cpu.Sgemm;
import dev.isthmus.nn.tensor.Tensor;

/**
 * Child-JVM entry point of {@code ModulePathTest}: a class-path program that uses Isthmus from the
 * module path (in a package of its own, since a named module's packages cannot be split onto the
 * class path).
 */
public final class ModulePathMain {
    private ModulePathMain() {
    }

    public static void main(String[] args) {
        Tensor a = Tensor.normal(new int[] {32, 32}, 0f, 1f, 1);
        System.out.println("sum " + a.matmul(a).sum().item());
        System.out.println("module " + Tensor.class.getModule().getName());
        System.out.println("vectorized " + Sgemm.vectorized());
        System.out.println("missing: [" + JvmFlags.missing() + "]");
    }
}
