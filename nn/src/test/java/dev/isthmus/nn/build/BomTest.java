package dev.isthmus.nn.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM (nn/bom/pom.xml) has the project's version, no parent (so importing it manages nothing
 * but Isthmus), and manages exactly the library artifacts the build publishes, at its own version.
 */
class BomTest {
    private static Document read(Path pom) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(pom.toFile());
    }

    private static String child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c.getTextContent().trim();
            }
        }
        return null;
    }

    @Test
    void theBomManagesEveryLibraryArtifactAtTheProjectsVersion() throws Exception {
        Path nn = Path.of("").toAbsolutePath();
        Element root = read(nn.resolveSibling("pom.xml")).getDocumentElement();
        Element bom = read(nn.resolve("bom/pom.xml")).getDocumentElement();
        assertEquals(child(root, "version"), child(bom, "version"), "the BOM's version is the project's");
        assertEquals("dev.isthmus", child(bom, "groupId"));
        assertEquals("pom", child(bom, "packaging"));
        assertEquals(0, bom.getElementsByTagName("parent").getLength(), "a BOM with a parent would import its pins too");
        List<String> managed = new ArrayList<>();
        NodeList deps = bom.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            assertEquals("dev.isthmus", child(d, "groupId"));
            assertEquals("${project.version}", child(d, "version"));
            managed.add(child(d, "artifactId"));
        }
        // the published libraries: every module but the samples and benchmarks, by artifactId
        List<String> libraries = new ArrayList<>();
        for (String module : List.of("native-bindings", "kernels", "nn")) {
            libraries.add(child(read(nn.resolveSibling(module).resolve("pom.xml")).getDocumentElement(), "artifactId"));
        }
        assertEquals(libraries.stream().sorted().toList(), managed.stream().sorted().toList());
        String modules = Files.readString(nn.resolveSibling("pom.xml"));
        assertTrue(modules.contains("<module>nn/bom</module>"), "the BOM is built (and installed) with the rest");
    }
}
