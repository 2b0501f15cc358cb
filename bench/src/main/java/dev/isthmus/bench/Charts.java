package dev.isthmus.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** PNG charts of a run: our figures beside their references, and the scaling curves. */
final class Charts {
    private Charts() {
    }

    /** Horizontal bars per row: milliseconds (ours per device, and the reference where there is one). */
    static void bars(Path file, List<Bench.Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Bench.Row r : rows) {
            String category = r.workload() + " " + r.shape();
            data.addValue(r.millis(), "Isthmus " + r.device(), category);
            if (r.reference() != null) {
                double refMs = r.work() > 0 ? r.work() / r.reference() * 1000 : r.reference();
                data.addValue(refMs, r.referenceName().split(",")[0] + " (" + r.device() + ")", category);
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Milliseconds per operation (lower is better)", null, "ms", data,
                PlotOrientation.HORIZONTAL, true, false, false);
        save(chart, file, 1000, Math.max(400, 28 * rows.size() + 150));
    }

    /** One chart per model and axis: step time against batch size or width, a line per device. */
    static void scaling(Path folder, List<Scaling.Curve> curves) {
        Map<String, XYSeriesCollection> charts = new LinkedHashMap<>();
        for (Scaling.Curve c : curves) {
            XYSeries s = new XYSeries(c.device());
            for (Scaling.Point p : c.points()) {
                s.add(p.x(), p.millis());
            }
            charts.computeIfAbsent(c.model() + "-" + c.axis(), k -> new XYSeriesCollection()).addSeries(s);
        }
        charts.forEach((name, data) -> {
            String axis = name.substring(name.lastIndexOf('-') + 1);
            JFreeChart chart = ChartFactory.createXYLineChart("Training step: " + name.substring(0, name.lastIndexOf('-'))
                    + " by " + axis, axis.equals("batch") ? "batch size" : "layer width (× the sample's)", "ms per step", data);
            XYPlot plot = chart.getXYPlot();
            LogAxis x = new LogAxis(plot.getDomainAxis().getLabel());
            x.setBase(2);
            x.setNumberFormatOverride(new java.text.DecimalFormat("0.##"));
            plot.setDomainAxis(x);
            LogAxis y = new LogAxis("ms per step");
            y.setNumberFormatOverride(new java.text.DecimalFormat("0.##"));
            plot.setRangeAxis(y);
            save(chart, folder.resolve("scaling-" + name + ".png"), 800, 500);
        });
    }

    private static void save(JFreeChart chart, Path file, int width, int height) {
        try {
            ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }
}
