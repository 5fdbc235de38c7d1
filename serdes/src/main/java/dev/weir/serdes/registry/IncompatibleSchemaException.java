package dev.weir.serdes.registry;

/**
 * The subject's compatibility level refuses the schema (HTTP 409). The message holds the registry's
 * reason.
 */
public final class IncompatibleSchemaException extends SchemaRegistryException {
    public IncompatibleSchemaException(String message, int status, int errorCode) {
        super(message, status, errorCode, null);
    }
}
