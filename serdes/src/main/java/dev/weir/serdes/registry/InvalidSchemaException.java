package dev.weir.serdes.registry;

/**
 * The registry cannot parse the schema or a reference of it (HTTP 422; error codes 42201 and up).
 */
public final class InvalidSchemaException extends SchemaRegistryException {
    public InvalidSchemaException(String message, int status, int errorCode) {
        super(message, status, errorCode, null);
    }
}
