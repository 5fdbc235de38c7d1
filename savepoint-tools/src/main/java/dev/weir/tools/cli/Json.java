package dev.weir.tools.cli;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The tools' JSON: records as objects, pretty-printed for {@code -o json}, one line for jsonl. */
final class Json {
    static final ObjectMapper PRETTY =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    static final ObjectMapper LINES = JsonMapper.builder().build();

    private Json() {}
}
