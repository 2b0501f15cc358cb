package dev.isthmus.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file readers: CSV with a label column, class folders of images. */
class FileDatasetsTest {
    @TempDir
    Path dir;

    @Test
    void csvRowsBecomeFeaturesAndTheChosenLabelInFileOrder() throws Exception {
        Path f = dir.resolve("data.csv");
        Files.writeString(f, "a,label,\"b\"\n1,0,2.5\n\"3\",1,-4e1\n\n5, 1 ,6\n");
        Dataset d = Csv.read(f, "label");
        assertEquals(List.of("a", "label", "b"), Csv.header(f));
        try (Scope s = Scope.open()) {
            for (int epoch = 0; epoch < 2; epoch++) { // every pass reads the file again
                Tensor[] all = d.batch(10).pass(epoch).next();
                assertArrayEquals(new int[] {3, 2}, all[0].shape());
                assertEquals(DType.FLOAT32, all[0].dtype());
                assertArrayEquals(new float[] {1, 2.5f, 3, -40, 5, 6}, all[0].toArray());
                assertArrayEquals(new float[] {0, 1, 1}, all[1].toArray());
            }
        }
    }

    @Test
    void aMalformedCellNamesTheFileLineAndColumn() throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "x,age,y\n1,2,0\n3,n/a,1\n");
        Dataset d = Csv.read(f, "y");
        try (Scope s = Scope.open(); Dataset.Pass pass = d.pass(0)) {
            pass.next();
            MalformedCsvException e = assertThrows(MalformedCsvException.class, pass::next);
            assertEquals(f, e.file());
            assertEquals(3, e.line());
            assertEquals("age", e.column());
            assertEquals(2, e.columnNumber());
            assertTrue(e.getMessage().contains("bad.csv") && e.getMessage().contains("line 3")
                    && e.getMessage().contains("\"age\"") && e.getMessage().contains("n/a"), e.getMessage());
        }
        Path short_ = dir.resolve("short.csv");
        Files.writeString(short_, "x,y\n1,2\n3\n");
        try (Scope s = Scope.open(); Dataset.Pass pass = Csv.read(short_, "y").pass(0)) {
            pass.next();
            MalformedCsvException e = assertThrows(MalformedCsvException.class, pass::next);
            assertEquals(3, e.line());
            assertTrue(e.getMessage().contains("1 cells, but the header has 2"), e.getMessage());
        }
        assertThrows(MalformedCsvException.class, () -> Csv.read(f, "missing"));
    }

    @Test
    void classFoldersGiveIntLabelsInSortedFolderOrder() throws Exception {
        // folders made out of order: labels follow the sorted names, as Keras's image_dataset_from_directory
        writeImage(dir.resolve("dog/b.png"), 200);
        writeImage(dir.resolve("dog/a.png"), 100);
        writeImage(dir.resolve("cat/z.png"), 50);
        Files.writeString(dir.resolve("cat/notes.txt"), "not an image");
        assertEquals(List.of("cat", "dog"), Images.classNames(dir));
        Dataset d = Images.directory(dir, ColorMode.GRAYSCALE, 2, 2);
        assertEquals(3, d.cardinality());
        try (Scope s = Scope.open()) {
            Tensor[] b = d.batch(8).pass(0).next();
            assertArrayEquals(new int[] {3, 2, 2, 1}, b[0].shape());
            assertEquals(DType.INT32, b[1].dtype());
            assertArrayEquals(new int[] {0, 1, 1}, b[1].toIntArray());
            float[] px = b[0].toArray();
            assertEquals(50f, px[0], 1e-3); // cat/z, then dog/a, dog/b
            assertEquals(100f, px[4], 1e-3);
            assertEquals(200f, px[8], 1e-3);
        }
        assertThrows(DataFormatException.class, () -> Images.directory(dir.resolve("cat"), ColorMode.RGB, 2, 2));
    }

    private static void writeImage(Path file, int gray) throws Exception {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                img.getRaster().setSample(x, y, 0, gray);
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
