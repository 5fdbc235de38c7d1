package dev.weir.serdes.registry;

/**
 * The registry has no such schema id, subject, version, or no such schema under a subject (HTTP
 * 404; Confluent's error codes 40401 subject, 40402 version, 40403 schema). A record whose schema
 * id is not found is a poison record: retrying will not make the id appear.
 */
public final class SchemaNotFoundException extends SchemaRegistryException {
    public SchemaNotFoundException(String message, int status, int errorCode) {
        super(message, status, errorCode, null);
    }
}
