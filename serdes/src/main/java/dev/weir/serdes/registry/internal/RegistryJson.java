package dev.weir.serdes.registry.internal;

import dev.weir.serdes.registry.CompatibilityResult;
import dev.weir.serdes.registry.RegisteredSchema;
import dev.weir.serdes.registry.RegistrySchema;
import dev.weir.serdes.registry.SchemaReference;
import dev.weir.serdes.registry.SchemaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON bodies of the Confluent REST API. Readers throw {@link MalformedAnswer} on a body that
 * lacks what the API promises; its message describes the body's shape, never its text.
 */
final class RegistryJson {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private RegistryJson() {}

    /** A 2xx answer whose body does not have the documented shape. */
    static final class MalformedAnswer extends RuntimeException {
        MalformedAnswer(String message) {
            super(message);
        }
    }

    /** {@code {"schema": …, "schemaType": …, "references": […]}}; AVRO's type is left out. */
    static String schemaRequest(RegistrySchema schema) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("schema", schema.text());
        if (schema.type() != SchemaType.AVRO) {
            body.put("schemaType", schema.type().name());
        }
        if (!schema.references().isEmpty()) {
            ArrayNode refs = body.putArray("references");
            for (SchemaReference r : schema.references()) {
                ObjectNode ref = refs.addObject();
                ref.put("name", r.name());
                ref.put("subject", r.subject());
                ref.put("version", r.version());
            }
        }
        return MAPPER.writeValueAsString(body);
    }

    static int id(String body) {
        return requiredInt(parse(body), "id");
    }

    /** {@code GET /schemas/ids/{id}}. */
    static RegistrySchema schema(String body) {
        return schemaOf(parse(body));
    }

    /** {@code GET /subjects/{s}/versions/{v}} and the lookup {@code POST /subjects/{s}}. */
    static RegisteredSchema registered(String body, String subjectAsked) {
        JsonNode node = parse(body);
        String subject =
                node.path("subject").isString() ? node.get("subject").stringValue() : subjectAsked;
        return new RegisteredSchema(
                subject, requiredInt(node, "version"), requiredInt(node, "id"), schemaOf(node));
    }

    static CompatibilityResult compatibility(String body) {
        JsonNode node = parse(body);
        JsonNode verdict = node.path("is_compatible");
        if (!verdict.isBoolean()) {
            throw new MalformedAnswer("the answer has no boolean is_compatible");
        }
        List<String> messages = new ArrayList<>();
        for (JsonNode m : node.path("messages").values()) {
            messages.add(m.asString());
        }
        return new CompatibilityResult(verdict.booleanValue(), messages);
    }

    /** The {@code error_code} and {@code message} of an error body, if it is one. */
    record ErrorBody(int errorCode, String message) {}

    static ErrorBody error(String body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node != null && node.isObject()) {
                String message =
                        node.path("message").isString() ? node.get("message").stringValue() : "";
                return new ErrorBody(node.path("error_code").asInt(0), message);
            }
        } catch (JacksonException e) {
            // not JSON: fall through to the raw text
        }
        String text = body.strip();
        return new ErrorBody(0, text.length() > 300 ? text.substring(0, 300) + "…" : text);
    }

    private static RegistrySchema schemaOf(JsonNode node) {
        JsonNode text = node.path("schema");
        if (!text.isString()) {
            throw new MalformedAnswer("the answer has no string 'schema'");
        }
        SchemaType type = SchemaType.AVRO;
        if (node.path("schemaType").isString()) {
            String name = node.get("schemaType").stringValue().toUpperCase(Locale.ROOT);
            try {
                type = SchemaType.valueOf(name);
            } catch (IllegalArgumentException e) {
                throw new MalformedAnswer("unknown schemaType " + name);
            }
        }
        List<SchemaReference> refs = new ArrayList<>();
        for (JsonNode r : node.path("references").values()) {
            refs.add(
                    new SchemaReference(
                            r.path("name").asString(),
                            r.path("subject").asString(),
                            r.path("version").asInt()));
        }
        return new RegistrySchema(type, text.stringValue(), refs);
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new MalformedAnswer("the answer is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new MalformedAnswer("the answer is not JSON");
        }
    }

    private static int requiredInt(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (!v.isInt()) {
            throw new MalformedAnswer("the answer has no integer '" + field + "'");
        }
        return v.intValue();
    }
}
