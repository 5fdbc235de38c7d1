package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildClasspathTest {

    @TempDir Path dir;

    @Test
    void manifestOnlyJarIsReplacedByTheEntriesItLists() throws IOException {
        Path booter = writeJar(dir.resolve("boot/booter.jar"), "lib/a.jar ../classes/", false);

        assertThat(ChildClasspath.expand(booter.toString()))
                .containsExactly(
                        dir.resolve("boot/lib/a.jar").toString(),
                        dir.resolve("classes").toString());
    }

    @Test
    void jarWithClassesAndOtherEntriesAreKept() throws IOException {
        Path library = writeJar(dir.resolve("library.jar"), "other.jar", true);
        String classPath = library + File.pathSeparator + dir.resolve("classes");

        assertThat(ChildClasspath.expand(classPath))
                .containsExactly(library.toString(), dir.resolve("classes").toString());
    }

    @Test
    void thisJvmsClasspathListsTheKafkaBrokerJars() {
        assertThat(ChildClasspath.expand(System.getProperty("java.class.path")))
                .anySatisfy(entry -> assertThat(entry).contains("kafka_2.13-"))
                .anySatisfy(entry -> assertThat(entry).contains("kafka-clients-"));
    }

    private static Path writeJar(Path jar, String classPath, boolean withClass) throws IOException {
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            if (withClass) {
                jarOut.putNextEntry(new JarEntry("x/Y.class"));
                jarOut.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
                jarOut.closeEntry();
            }
        }
        return jar;
    }
}
