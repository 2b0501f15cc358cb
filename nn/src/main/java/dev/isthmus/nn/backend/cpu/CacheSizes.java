package dev.isthmus.nn.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The per-core cache sizes the machine reports (Linux sysfs, cpu0), for the GEMM's blocking. A
 * property overrides each; a size that cannot be read falls back to a value safe on current x86
 * and ARM server cores.
 */
final class CacheSizes {
    private static final long L2 = read("isthmus.sgemm.l2", 2, 1L << 20);

    private CacheSizes() {
    }

    /** Bytes of unified level-2 cache per core. */
    static long l2Bytes() {
        return L2;
    }

    private static long read(String property, int level, long fallback) {
        String given = System.getProperty(property);
        if (given != null) {
            try {
                long v = Long.parseLong(given.trim());
                if (v > 0) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the machine's figure
            }
        }
        Path caches = Path.of("/sys/devices/system/cpu/cpu0/cache");
        for (int i = 0; i < 8; i++) {
            Path dir = caches.resolve("index" + i);
            try {
                if (!Files.isDirectory(dir)) {
                    break;
                }
                int l = Integer.parseInt(Files.readString(dir.resolve("level")).trim());
                String type = Files.readString(dir.resolve("type")).trim();
                if (l == level && !type.equalsIgnoreCase("Instruction")) {
                    long size = parse(Files.readString(dir.resolve("size")).trim());
                    if (size > 0) {
                        return size;
                    }
                }
            } catch (IOException | RuntimeException e) {
                break;
            }
        }
        return fallback;
    }

    /** "2048K", "1M", "512" (bytes) → bytes; -1 when unreadable. */
    static long parse(String size) {
        String s = size.toUpperCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("K")) {
            unit = 1024;
        } else if (s.endsWith("M")) {
            unit = 1024 * 1024;
        } else if (s.endsWith("G")) {
            unit = 1024L * 1024 * 1024;
        }
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        try {
            return Long.parseLong(digits) * unit;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
