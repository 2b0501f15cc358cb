package dev.isthmus.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.isthmus.nn.io.AtomicFiles;
import dev.isthmus.nn.model.History;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The files a sample writes: metrics JSON and a learning-curve PNG (JFreeChart), both atomically ({@link AtomicFiles}). */
public final class Outputs {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Outputs() {
    }

    public static void writeJson(Path file, Object value) throws IOException {
        AtomicFiles.write(file, out -> JSON.writeValue(out, value));
    }

    public static <T> T readJson(Path file, Class<T> type) throws IOException {
        return JSON.readValue(file.toFile(), type);
    }

    /**
     * Plots every series of the history against the epoch: losses on the left axis, other
     * metrics (accuracy, ...) in a second chart below when present.
     */
    public static void learningCurve(Path png, String title, History history) throws IOException {
        learningCurve(png, title, history.history());
    }

    /** The same plot from each series' values, epoch by epoch. */
    public static void learningCurve(Path png, String title, Map<String, List<Double>> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection losses = new XYSeriesCollection();
        XYSeriesCollection others = new XYSeriesCollection();
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey());
            for (int i = 0; i < e.getValue().size(); i++) {
                s.add(i + 1, e.getValue().get(i));
            }
            (e.getKey().endsWith("loss") ? losses : others).addSeries(s);
        }
        JFreeChart lossChart = chart(title + " — loss", "loss", losses);
        AtomicFiles.write(png, out -> {
            if (others.getSeriesCount() == 0) {
                ChartUtils.writeChartAsPNG(out, lossChart, 900, 500);
            } else {
                var image = new java.awt.image.BufferedImage(900, 900, java.awt.image.BufferedImage.TYPE_INT_RGB);
                var g = image.createGraphics();
                lossChart.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, 900, 450));
                chart(title + " — metrics", "value", others).draw(g, new java.awt.geom.Rectangle2D.Double(0, 450, 900, 450));
                g.dispose();
                javax.imageio.ImageIO.write(image, "png", out);
            }
        });
    }

    private static JFreeChart chart(String title, String yLabel, XYSeriesCollection data) {
        JFreeChart c = ChartFactory.createXYLineChart(title, "epoch", yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = c.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        return c;
    }
}
