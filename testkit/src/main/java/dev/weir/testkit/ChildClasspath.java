package dev.weir.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Computes the class path for a child JVM that must see the same classes as this one.
 *
 * <p>Maven Surefire (and some IDEs) start test JVMs with a "manifest-only" jar: {@code
 * java.class.path} then names a single jar that holds no classes, only a {@code Class-Path}
 * manifest attribute listing the real entries. Such a jar lives in a temporary directory and may be
 * deleted while a child process still runs, so it is replaced here by the entries it lists.
 * Ordinary jars are kept as they are.
 *
 * <p>Stateless and thread-safe.
 */
public final class ChildClasspath {

    private ChildClasspath() {}

    /** Returns this JVM's class path with manifest-only jars expanded, ready for {@code -cp}. */
    public static String ofThisJvm() {
        return String.join(File.pathSeparator, expand(System.getProperty("java.class.path", "")));
    }

    static List<String> expand(String classPath) {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
                entries.addAll(expandJar(path));
            } else {
                entries.add(entry);
            }
        }
        return new ArrayList<>(entries);
    }

    private static List<String> expandJar(Path jar) {
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            Manifest manifest = jarFile.getManifest();
            String manifestClassPath =
                    manifest == null
                            ? null
                            : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (manifestClassPath == null || hasClasses(jarFile)) {
                return List.of(jar.toString());
            }
            List<String> listed = new ArrayList<>();
            URI base = jar.toAbsolutePath().toUri();
            for (String token : manifestClassPath.trim().split("\\s+")) {
                URI uri = base.resolve(token);
                if ("file".equals(uri.getScheme())) {
                    listed.add(Path.of(uri).toString());
                }
            }
            return listed;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the manifest of class path entry " + jar, e);
        }
    }

    private static boolean hasClasses(JarFile jarFile) {
        Enumeration<JarEntry> entries = jarFile.entries();
        for (JarEntry entry : Collections.list(entries)) {
            if (entry.getName().endsWith(".class")) {
                return true;
            }
        }
        return false;
    }
}
