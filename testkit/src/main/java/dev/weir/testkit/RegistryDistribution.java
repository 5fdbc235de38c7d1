package dev.weir.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apicurio Registry's runnable distribution, {@code io.apicurio:apicurio-registry-app:<v>:zip:all}
 * from Maven Central, fetched into the local Maven repository on first use (checked against
 * Central's SHA-1) and unpacked where {@link SchemaRegistryServer} runs it.
 *
 * <p>Not through Maven: the zip's POM names a parent POM that Central does not serve, so Maven's
 * resolution of the artifact fails on a machine that has never seen it (the build's own unpack step
 * failed exactly so in a clean CI run); the plain file is served.
 */
final class RegistryDistribution {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryDistribution.class);
    private static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    private RegistryDistribution() {}

    /** Unpacks version {@code version} into {@code home} unless {@code marker} is there already. */
    static synchronized void ensure(String version, Path home, String marker) {
        if (Files.isRegularFile(home.resolve(marker))) {
            return;
        }
        try {
            Path zip = fetch(version);
            Path tmp =
                    Files.createDirectories(home.getParent())
                            .resolve(
                                    home.getFileName()
                                            + ".unpacking-"
                                            + ProcessHandle.current().pid());
            unzip(zip, tmp);
            if (!Files.isRegularFile(tmp.resolve(marker))) {
                throw new IllegalStateException(zip + " has no " + marker);
            }
            try {
                Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isRegularFile(home.resolve(marker))) {
                    throw e;
                }
                // another JVM unpacked it first
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack Apicurio Registry into " + home, e);
        }
    }

    private static Path fetch(String version) throws IOException {
        String rel =
                "io/apicurio/apicurio-registry-app/"
                        + version
                        + "/apicurio-registry-app-"
                        + version
                        + "-all.zip";
        String repo = System.getProperty("maven.repo.local");
        Path local =
                (repo != null && !repo.isBlank()
                                ? Path.of(repo)
                                : Path.of(System.getProperty("user.home"), ".m2", "repository"))
                        .resolve(rel);
        if (Files.isRegularFile(local)) {
            return local;
        }
        LOG.info("downloading {}{} (~110 MB, once per machine)", CENTRAL, rel);
        HttpClient http =
                HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(Duration.ofSeconds(30))
                        .build();
        Files.createDirectories(local.getParent());
        Path part =
                local.resolveSibling(
                        local.getFileName() + ".part-" + ProcessHandle.current().pid());
        try {
            String sha1 =
                    send(http, CENTRAL + rel + ".sha1", HttpResponse.BodyHandlers.ofString())
                            .trim()
                            .split("\\s+")[0];
            send(http, CENTRAL + rel, HttpResponse.BodyHandlers.ofFile(part));
            String got = sha1(part);
            if (!got.equalsIgnoreCase(sha1)) {
                throw new IOException(
                        "downloaded " + rel + " has SHA-1 " + got + ", Maven Central says " + sha1);
            }
            Files.move(
                    part,
                    local,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return local;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static <T> T send(HttpClient http, String url, HttpResponse.BodyHandler<T> body)
            throws IOException {
        try {
            HttpResponse<T> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofMinutes(10))
                                    .build(),
                            body);
            if (r.statusCode() != 200) {
                throw new IOException("GET " + url + " answered " + r.statusCode());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + url, e);
        }
    }

    private static String sha1(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void unzip(Path zip, Path target) throws IOException {
        Path root = Files.createDirectories(target).toAbsolutePath().normalize();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                Path out = root.resolve(e.getName()).normalize();
                if (!out.startsWith(root)) {
                    throw new IOException(zip + " has an entry outside its root: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
