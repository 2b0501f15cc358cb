package dev.isthmus.samples;

import java.util.Map;

/**
 * What a sample reports: its headline metrics, whether it met the targets, and the
 * one-line summary printed at the end of {@code train all}.
 */
public record SampleResult(String sample, Map<String, Double> metrics, boolean targetsMet, String summary, double seconds) {
}
