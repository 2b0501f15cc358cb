package dev.isthmus.kernels;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameter sizes of each {@code .entry} in a PTX file, read from its text. Launches are
 * checked against them before {@code cuLaunchKernel}, so an argument list that does not match the
 * kernel fails with a message instead of corrupting memory on the device.
 */
public final class PtxSignatures {
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern SCALAR = Pattern.compile("\\.param\\s+\\.([usbf])(8|16|32|64)\\s+\\w+");
    private static final Pattern ARRAY = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.b8\\s+\\w+\\[(\\d+)]");

    private final Map<String, long[]> entries;

    private PtxSignatures(Map<String, long[]> entries) {
        this.entries = entries;
    }

    public static PtxSignatures parse(String ptx) {
        Map<String, long[]> entries = new HashMap<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            List<Long> sizes = new ArrayList<>();
            for (String param : m.group(2).split(",")) {
                String p = param.trim();
                if (p.isEmpty()) {
                    continue;
                }
                Matcher array = ARRAY.matcher(p);
                Matcher scalar = SCALAR.matcher(p);
                if (array.find()) {
                    sizes.add(Long.parseLong(array.group(1)));
                } else if (scalar.find()) {
                    sizes.add(Long.parseLong(scalar.group(2)) / 8);
                } else {
                    throw new IllegalArgumentException("unrecognised PTX parameter '" + p + "' of " + m.group(1));
                }
            }
            entries.put(m.group(1), sizes.stream().mapToLong(Long::longValue).toArray());
        }
        return new PtxSignatures(entries);
    }

    public boolean has(String entry) {
        return entries.containsKey(entry);
    }

    /** Parameter sizes in bytes, in order. */
    public long[] parameterSizes(String entry) {
        long[] sizes = entries.get(entry);
        if (sizes == null) {
            throw new IllegalArgumentException("no kernel " + entry + " in this PTX (it has " + entries.keySet() + ")");
        }
        return sizes.clone();
    }

    /** Throws {@link IllegalArgumentException} naming both lists unless {@code argumentSizes} match the entry's parameters. */
    public void check(String entry, long[] argumentSizes) {
        long[] expected = parameterSizes(entry);
        if (!java.util.Arrays.equals(expected, argumentSizes)) {
            throw new IllegalArgumentException("kernel " + entry + " takes parameters of " + java.util.Arrays.toString(expected)
                    + " bytes but the launch passes " + java.util.Arrays.toString(argumentSizes));
        }
    }
}
