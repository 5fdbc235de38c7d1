package dev.weir.demo;

import dev.weir.testkit.SchemaRegistryServer;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./weir demo}, {@code ./weir demo avro} and {@code ./weir registry} in a source checkout:
 * they bring an embedded broker and a registry from the test kit, which the distribution ({@code
 * weir run}, the image) does not carry.
 */
public final class DemoMain {
    private DemoMain() {}

    public static void main(String[] args) throws Exception {
        registryHomeUnderWeirHome();
        List<String> rest = List.of(args).subList(Math.min(1, args.length), args.length);
        int code;
        if (args.length > 0 && args[0].equals("registry") && rest.isEmpty()) {
            // Runs until SIGTERM / Ctrl-C, its schemas in a file until it stops.
            SchemaRegistryServer.main(new String[0]);
            code = 0;
        } else if (args.length > 0 && args[0].equals("demo") && rest.isEmpty()) {
            code = Demo.run(rest);
        } else if (args.length > 0 && args[0].equals("demo") && rest.equals(List.of("avro"))) {
            code = AvroDemo.run();
        } else {
            System.err.println(
                    "usage: weir demo | weir demo avro | weir registry (weir run and weir"
                            + " savepoint: see weir help)");
            code = 2;
        }
        System.exit(code);
    }

    /**
     * The {@code ./weir} script passes {@code -Dweir.home=<repo>}: the registry of {@code weir
     * registry} and {@code weir demo avro} is then unpacked once under examples/target, where the
     * tests find it too, wherever the command runs.
     */
    private static void registryHomeUnderWeirHome() {
        String home = System.getProperty("weir.home");
        if (home == null || System.getProperty(SchemaRegistryServer.HOME_PROPERTY) != null) {
            return;
        }
        Path target = Path.of(home, "examples", "target");
        System.setProperty(
                SchemaRegistryServer.HOME_PROPERTY,
                target.resolve("apicurio-registry-" + SchemaRegistryServer.VERSION).toString());
        if (System.getProperty(SchemaRegistryServer.WORK_DIR_PROPERTY) == null) {
            System.setProperty(
                    SchemaRegistryServer.WORK_DIR_PROPERTY,
                    target.resolve("schema-registry").toString());
        }
    }
}
