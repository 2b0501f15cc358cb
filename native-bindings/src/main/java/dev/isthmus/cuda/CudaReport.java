package dev.isthmus.cuda;

import java.io.PrintStream;

/**
 * The first thing to run on a GPU machine: which NVIDIA libraries loaded from where (or where
 * each was looked for and why it failed), the driver and library versions, and each device.
 *
 * <p>{@code java --enable-native-access=ALL-UNNAMED -jar isthmus-native-bindings.jar [--require]};
 * with {@code --require} the exit status is 1 unless the driver, a device, cuBLAS and cuDNN all work.
 */
public final class CudaReport {
    private CudaReport() {
    }

    public static void main(String[] args) {
        boolean require = args.length > 0 && args[0].equals("--require");
        boolean usable = print(System.out);
        System.exit(require && !usable ? 1 : 0);
    }

    /** Prints the report; returns whether the driver, at least one device, cuBLAS and cuDNN all worked. */
    public static boolean print(PrintStream out) {
        out.println("Isthmus CUDA discovery report");
        out.println("java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch"));
        CudaLibraries libraries = CudaLibraries.system();
        out.print(libraries.report());
        if (!libraries.isLoaded(CudaLibrary.DRIVER)) {
            out.println("no CUDA driver: the CPU backend will be used");
            return false;
        }
        boolean usable = true;
        try {
            int v = CudaDevice.driverVersion();
            out.printf("driver API version %d.%d%n", v / 1000, (v % 1000) / 10);
            int count = CudaDevice.count();
            out.println("devices: " + count);
            for (int i = 0; i < count; i++) {
                out.println("  " + CudaDevice.get(i));
            }
            if (count == 0) {
                return false;
            }
            try (CudaContext context = CudaContext.retainPrimary(0)) {
                long[] mem = context.memoryInfo();
                out.printf("device 0 memory: %.1f GiB free of %.1f GiB%n", mem[0] / (double) (1L << 30),
                        mem[1] / (double) (1L << 30));
                try (CudaStream stream = CudaStream.create(context)) {
                    usable &= library(out, "cuBLAS", () -> {
                        try (CublasHandle cublas = CublasHandle.create(stream)) {
                            int cv = cublas.version();
                            return (cv / 10000) + "." + (cv / 100 % 100) + "." + (cv % 100);
                        }
                    });
                    usable &= library(out, "cuDNN", () -> {
                        long dv = CudnnHandle.version();
                        try (CudnnHandle ignored = CudnnHandle.create(stream)) {
                            return (dv / 10000) + "." + (dv / 100 % 100) + "." + (dv % 100);
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            out.println("CUDA failed: " + e.getMessage());
            return false;
        }
        return usable;
    }

    private interface VersionQuery {
        String version();
    }

    private static boolean library(PrintStream out, String name, VersionQuery query) {
        try {
            out.println(name + " version " + query.version() + " (handle created)");
            return true;
        } catch (RuntimeException e) {
            out.println(name + " unusable: " + e.getMessage().replace("\n", "\n  "));
            return false;
        }
    }
}
