package dev.weir.serdes.registry;

import dev.weir.WeirException;

/**
 * A request to the schema registry that did not succeed, classified by what the caller should do
 * about it:
 *
 * <ul>
 *   <li>{@link SchemaNotFoundException} (404): the id, subject or version does not exist. For a
 *       record that names an unknown schema id this is a poison record.
 *   <li>{@link IncompatibleSchemaException} (409): the subject's compatibility level refuses the
 *       schema.
 *   <li>{@link InvalidSchemaException} (422): the registry cannot parse the schema.
 *   <li>{@link RegistryRequestException}: any other refusal (400, 401, 403, …) or an answer the
 *       client cannot read. Retrying will not help; the configuration or the registry must change.
 *   <li>{@link TransientRegistryException}: the registry was unreachable or overloaded (timeouts,
 *       refused connections, 408, 429, 5xx) for the whole retry budget. Waiting and trying again
 *       later is the right reaction; failing or skipping records is not.
 * </ul>
 *
 * <p>Messages name the registry by its URL without user info, the request's method and path, the
 * HTTP status and Confluent's {@code error_code}, and never contain credentials.
 */
public abstract sealed class SchemaRegistryException extends WeirException
        permits SchemaNotFoundException,
                IncompatibleSchemaException,
                InvalidSchemaException,
                RegistryRequestException,
                TransientRegistryException {
    private final int status;
    private final int errorCode;

    SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** The HTTP status of the registry's answer, or 0 when there was none. */
    public int status() {
        return status;
    }

    /** Confluent's {@code error_code} from the answer's body (e.g. 40403), or 0 when absent. */
    public int errorCode() {
        return errorCode;
    }
}
