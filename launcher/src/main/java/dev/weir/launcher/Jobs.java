package dev.weir.launcher;

import dev.weir.JobFactory;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.jar.JarFile;

/**
 * Finds the job {@code weir run} runs: a factory registered as a service under its {@link
 * JobFactory#name()} (keyed-aggregate and avro-aggregate ship that way), a factory class name, or a
 * user's jar (docs/operations.md#jobs).
 */
final class Jobs {
    /** The manifest attribute naming a jar's {@link JobFactory} class. */
    static final String MANIFEST_ATTRIBUTE = "Weir-Job-Factory";

    private Jobs() {}

    /** Factories registered as services on {@code loader}, by name. */
    static Map<String, JobFactory> named(ClassLoader loader) {
        Map<String, JobFactory> named = new TreeMap<>();
        for (JobFactory f : ServiceLoader.load(JobFactory.class, loader)) {
            named.putIfAbsent(f.name(), f);
        }
        return named;
    }

    /** The job {@code name}: a registered name or a factory class name, on {@code loader}. */
    static JobFactory find(String name, ClassLoader loader) {
        Map<String, JobFactory> named = named(loader);
        JobFactory f = named.get(name);
        if (f != null) {
            return f;
        }
        try {
            return (JobFactory)
                    Class.forName(name, true, loader).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw new IllegalArgumentException(
                    "unknown job '"
                            + name
                            + "': not one of "
                            + named.keySet()
                            + " nor a JobFactory class with a public no-argument constructor ("
                            + e
                            + ")");
        }
    }

    /**
     * The job in a user's {@code jar}: {@code className} if given, else the jar's {@code
     * Weir-Job-Factory} manifest attribute, else the one factory it registers as a service. The jar
     * is loaded after the launcher's own classes (Weir's API comes from the launcher, so a jar
     * built against it need not bundle Weir).
     */
    static JobFactory fromJar(Path jar, String className) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("--jar " + jar + ": no such file");
        }
        ClassLoader loader;
        try {
            loader =
                    new URLClassLoader(
                            "job:" + jar.getFileName(),
                            new URL[] {jar.toUri().toURL()},
                            Jobs.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("--jar " + jar + ": " + e.getMessage(), e);
        }
        Thread.currentThread().setContextClassLoader(loader);
        if (className != null) {
            return find(className, loader);
        }
        String declared = manifestFactory(jar);
        if (declared != null) {
            return find(declared, loader);
        }
        List<JobFactory> own =
                ServiceLoader.load(JobFactory.class, loader).stream()
                        .map(ServiceLoader.Provider::get)
                        .filter(f -> f.getClass().getClassLoader() == loader)
                        .toList();
        if (own.size() == 1) {
            return own.get(0);
        }
        throw new IllegalArgumentException(
                "--jar "
                        + jar
                        + ": name the job with --class NAME, a '"
                        + MANIFEST_ATTRIBUTE
                        + "' manifest attribute, or one META-INF/services/dev.weir.JobFactory entry"
                        + (own.isEmpty()
                                ? " (the jar has none)"
                                : " (the jar registers "
                                        + own.stream().map(JobFactory::name).toList()
                                        + ")"));
    }

    private static String manifestFactory(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.getManifest() == null
                    ? null
                    : f.getManifest().getMainAttributes().getValue(MANIFEST_ATTRIBUTE);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--jar " + jar + " is not a readable jar: " + e.getMessage(), e);
        }
    }
}
