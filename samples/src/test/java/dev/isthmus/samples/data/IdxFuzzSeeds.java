package dev.isthmus.samples.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes {@link IdxFuzzTest}'s seeds (valid gzip-compressed IDX image and label files) into the test resources. */
public final class IdxFuzzSeeds {
    private IdxFuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0]
                : "samples/src/test/resources/dev/isthmus/samples/data/IdxFuzzTestInputs/idxFilesAreReadOrRefusedWithATypedError"));
        byte[] pixels = new byte[2 * FashionMnist.PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        write(dir.resolve("images.gz"), FashionMnist.IMAGES_MAGIC, new int[] {2, FashionMnist.ROWS, FashionMnist.COLS}, pixels);
        write(dir.resolve("labels.gz"), FashionMnist.LABELS_MAGIC, new int[] {3}, new byte[] {0, 9, 4});
    }

    private static void write(Path file, int magic, int[] dims, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length).putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(b.put(data).array());
        }
    }
}
