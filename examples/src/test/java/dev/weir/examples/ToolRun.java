package dev.weir.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.tools.cli.SavepointTool;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One run of {@code weir savepoint …} in this JVM: exit code, stdout and stderr. */
record ToolRun(int code, String out, String err) {
    static ToolRun tool(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SavepointTool.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new ToolRun(code, out.toString(), err.toString());
    }

    /** Runs the tool and asserts it exited 0. */
    static ToolRun ok(String... args) {
        ToolRun r = tool(args);
        assertThat(r.code()).as("exit code of %s; stderr: %s", List.of(args), r.err()).isZero();
        return r;
    }

    /** Asserts the run was refused (exit 2) with {@code message} on stderr. */
    ToolRun refused(String message) {
        assertThat(code).as("exit code; stdout: %s; stderr: %s", out, err).isEqualTo(2);
        assertThat(err).contains(message);
        return this;
    }

    /** Stdout as JSON. */
    JsonNode json() {
        return JsonMapper.builder().build().readTree(out);
    }
}
