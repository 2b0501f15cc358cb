package dev.isthmus.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Resident memory of this process as Linux reports it in {@code /proc/self/status}: {@code VmRSS}
 * (resident now) and {@code VmHWM} (the peak, what {@code /usr/bin/time -f %M} prints), and a
 * probe that trains for a while and reports both, for the {@code memory} suite.
 */
public final class Rss {
    static final Path STATUS = Path.of("/proc/self/status");

    private Rss() {
    }

    /** Whether this system reports resident memory the way this class reads it. */
    public static boolean available() {
        return Files.isReadable(STATUS);
    }

    /**
     * The value in KiB of {@code field} ("VmRSS", "VmHWM") in status lines such as
     * {@code "VmHWM:\t  123456 kB"}.
     *
     * @throws IllegalArgumentException naming the field when no line has it or its value is not "N kB"
     */
    static long kilobytes(List<String> status, String field) {
        for (String line : status) {
            if (line.startsWith(field + ":")) {
                String[] words = line.substring(field.length() + 1).trim().split("\\s+");
                if (words.length == 2 && words[1].equals("kB") && words[0].chars().allMatch(Character::isDigit)
                        && !words[0].isEmpty()) {
                    return Long.parseLong(words[0]);
                }
                throw new IllegalArgumentException("unexpected " + field + " line in " + STATUS + ": '" + line + "'");
            }
        }
        throw new IllegalArgumentException("no " + field + " line in " + STATUS);
    }

    /** This process's {@code field} now, in KiB. */
    static long kilobytes(String field) {
        try {
            return kilobytes(Files.readAllLines(STATUS), field);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + STATUS, e);
        }
    }

    /** What {@link #probe} saw: the peak, the resident size halfway and at the end, all in KiB, and the steps run. */
    public record Sample(long peakKb, long halfKb, long endKb, long steps) {
        /** Resident growth over the second half of the run, in KiB (negative: it shrank). */
        public long growthKb() {
            return endKb - halfKb;
        }

        /** The line the {@code memory} suite parses: {@code rss|KEY|PEAK|HALF|END|STEPS}. */
        public String line(String key) {
            return String.format(Locale.ROOT, "rss|%s|%d|%d|%d|%d", key, peakKb, halfKb, endKb, steps);
        }
    }

    /** Least time between two readings of the resident size (a step of the MLP is 0.2 ms; reading the status file ~30 µs). */
    private static final long READ_EVERY_NANOS = 20_000_000;

    /**
     * Runs {@code step} for {@code seconds} (at least two steps), reading the resident size after a
     * step at most every 20 ms and after the last; returns the peak (VmHWM) and the resident size at
     * the last reading by half-time and at the end.
     */
    public static Sample probe(Runnable step, double seconds) {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<long[]> seen = new ArrayList<>(); // {nanos since start, VmRSS}
        long steps = 0;
        long next = start;
        while (steps < 2 || System.nanoTime() < end) {
            step.run();
            steps++;
            long now = System.nanoTime();
            if (now >= next || (steps >= 2 && now >= end)) {
                seen.add(new long[] {now - start, kilobytes("VmRSS")});
                next = now + READ_EVERY_NANOS;
            }
        }
        long halfway = seen.getLast()[0] / 2;
        long half = seen.getFirst()[1];
        for (long[] s : seen) {
            if (s[0] <= halfway) {
                half = s[1];
            }
        }
        return new Sample(kilobytes("VmHWM"), half, seen.getLast()[1], steps);
    }
}
