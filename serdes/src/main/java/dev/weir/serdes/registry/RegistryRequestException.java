package dev.weir.serdes.registry;

/**
 * The registry refused the request for a reason other than those of the other subclasses (400, 401,
 * 403, 405, …), or answered with a body the client cannot read. Retrying will not help: for 401 and
 * 403 the message names the credential keys to check.
 */
public final class RegistryRequestException extends SchemaRegistryException {
    public RegistryRequestException(String message, int status, int errorCode) {
        super(message, status, errorCode, null);
    }
}
