package dev.isthmus.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** One PTX file of kernels, built from {@code src/main/cuda/<name>.cu} by {@code kernels/build-ptx}. */
public enum KernelFamily {
    ELEMENTWISE("elementwise"),
    REDUCE("reduce"),
    SOFTMAX("softmax"),
    INDEX("index"),
    POOL("pool"),
    LSTM("lstm");

    private final String name;

    KernelFamily(String name) {
        this.name = name;
    }

    public String resource() {
        return name + ".ptx";
    }

    /** The committed PTX text. */
    public String ptx() {
        try (InputStream in = KernelFamily.class.getResourceAsStream(resource())) {
            if (in == null) {
                throw new IllegalStateException("PTX resource dev/isthmus/kernels/" + resource()
                        + " is missing from the kernels jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("reading PTX resource " + resource(), e);
        }
    }
}
