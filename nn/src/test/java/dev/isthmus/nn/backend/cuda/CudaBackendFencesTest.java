package dev.isthmus.nn.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without a GPU, from the source: every op of the CUDA backend that reads a tensor's device
 * buffer keeps each of its tensors reachable ({@code enqueued(...)}) after its last read, so the
 * cleaner cannot free a GC-managed tensor's memory before the launch that uses it is enqueued.
 */
class CudaBackendFencesTest {
    private static final Pattern OP = Pattern.compile("public (?:synchronized )?void (\\w+)\\(([^)]*)\\) \\{");
    private static final Pattern FENCE = Pattern.compile("enqueued\\(([^)]*)\\)");

    private record Op(String name, List<String> tensors, String body) {
    }

    private static List<Op> ops() throws IOException {
        String source = Files.readString(Path.of("src/main/java/dev/isthmus/nn/backend/cuda/CudaBackend.java"));
        List<Op> ops = new ArrayList<>();
        Matcher m = OP.matcher(source);
        while (m.find()) {
            int depth = 1;
            int i = m.end();
            while (depth > 0) {
                char c = source.charAt(i++);
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            }
            List<String> tensors = new ArrayList<>();
            for (String parameter : m.group(2).split(",")) {
                String[] typeAndName = parameter.trim().split("\\s+");
                if (typeAndName[0].equals("Tensor")) {
                    tensors.add(typeAndName[1]);
                }
            }
            ops.add(new Op(m.group(1), tensors, source.substring(m.end(), i)));
        }
        return ops;
    }

    @Test
    void everyOpThatReadsADeviceBufferFencesAllItsTensorsAfterTheLastRead() throws IOException {
        List<Op> ops = ops();
        assertTrue(ops.size() > 25, "found " + ops.size() + " ops; did the source move?");
        for (Op op : ops) {
            int lastRead = op.body.lastIndexOf("buf(");
            if (lastRead < 0) {
                continue;
            }
            Matcher fence = FENCE.matcher(op.body);
            List<String> fenced = new ArrayList<>();
            int lastFence = -1;
            while (fence.find()) {
                lastFence = fence.start();
                for (String name : fence.group(1).split(",")) {
                    fenced.add(name.trim());
                }
            }
            assertTrue(lastFence > lastRead, op.name + " reads a buffer after its last fence, or has none");
            for (String tensor : op.tensors) {
                assertTrue(fenced.contains(tensor), op.name + " does not fence its tensor " + tensor);
            }
        }
    }
}
