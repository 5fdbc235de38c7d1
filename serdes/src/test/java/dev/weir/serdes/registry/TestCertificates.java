package dev.weir.serdes.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keys and certificates for TLS tests, made by the JDK's {@code keytool} (run as a process) in a
 * directory: a CA, a server key signed by it for {@code 127.0.0.1}, a client key signed by it, a
 * trust store with the CA, and a trust store with another CA that signed nothing here. All PKCS12,
 * all with {@link #PASSWORD}, EC P-256 keys valid for two days.
 */
final class TestCertificates {
    static final String PASSWORD = "test-only-password";

    final Path serverKeyStore;
    final Path clientKeyStore;
    final Path trustStore;
    final Path otherCaTrustStore;

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.serverKeyStore = dir.resolve("server.p12");
        this.clientKeyStore = dir.resolve("client.p12");
        this.trustStore = dir.resolve("truststore.p12");
        this.otherCaTrustStore = dir.resolve("other-ca-truststore.p12");
    }

    static TestCertificates create(Path dir) {
        TestCertificates c = new TestCertificates(dir);
        c.selfSigned("ca", "CN=weir-test-ca");
        c.selfSigned("other-ca", "CN=weir-other-ca");
        c.signed(c.serverKeyStore, "server", "CN=127.0.0.1", "san=ip:127.0.0.1,dns:localhost");
        c.signed(c.clientKeyStore, "client", "CN=weir-test-client", null);
        c.keytoolOn(c.trustStore, "-importcert", "-noprompt", "-alias", "ca", "-file", c.pem("ca"));
        c.keytoolOn(
                c.otherCaTrustStore,
                "-importcert",
                "-noprompt",
                "-alias",
                "other-ca",
                "-file",
                c.pem("other-ca"));
        return c;
    }

    private void selfSigned(String alias, String dname) {
        Path store = dir.resolve(alias + ".p12");
        keytoolOn(store, "-genkeypair", "-alias", alias, "-dname", dname, "-ext", "bc:c");
        keytoolOn(store, "-exportcert", "-rfc", "-alias", alias, "-file", pem(alias));
    }

    /** A key in {@code store} with the chain {@code alias} ← ca, and no other entry. */
    private void signed(Path store, String alias, String dname, String extension) {
        keytoolOn(store, "-genkeypair", "-alias", alias, "-dname", dname);
        keytoolOn(
                store,
                "-certreq",
                "-alias",
                alias,
                "-file",
                dir.resolve(alias + ".csr").toString());
        List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca"));
        sign.addAll(List.of("-infile", dir.resolve(alias + ".csr").toString()));
        sign.addAll(List.of("-outfile", pem(alias)));
        if (extension != null) {
            sign.addAll(List.of("-ext", extension));
        }
        keytoolOn(dir.resolve("ca.p12"), sign.toArray(String[]::new));
        // The reply is installed over the CA's certificate, which is then not needed as an entry.
        keytoolOn(store, "-importcert", "-noprompt", "-alias", "ca", "-file", pem("ca"));
        keytoolOn(store, "-importcert", "-alias", alias, "-file", pem(alias));
        keytoolOn(store, "-delete", "-alias", "ca");
    }

    private String pem(String alias) {
        return dir.resolve(alias + ".pem").toString();
    }

    private void keytoolOn(Path store, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-keystore", store.toString(), "-storetype", "PKCS12"));
        command.addAll(List.of("-storepass", PASSWORD));
        if (args[0].equals("-genkeypair")) {
            command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
        }
        if (args[0].equals("-gencert")) {
            command.addAll(List.of("-validity", "2"));
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + command + "\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running keytool", e);
        }
    }
}
