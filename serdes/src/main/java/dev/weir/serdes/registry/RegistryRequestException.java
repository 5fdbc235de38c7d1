package dev.weir.serdes.registry;

/**
 * The registry refused the request for a reason other than those of the other subclasses (400, 401,
 * 403, 405, …), answered with a body the client cannot read, or the TLS handshake with it failed
 * (status 0: an untrusted or mismatched certificate, a client certificate it refused, an {@code
 * https} URL on a plain HTTP port). Retrying will not help: for 401 and 403 the message names the
 * credential keys to check, for TLS the {@code schema.registry.ssl.*} keys.
 */
public final class RegistryRequestException extends SchemaRegistryException {
    private final boolean refusesTheClient;

    public RegistryRequestException(String message, int status, int errorCode) {
        super(message, status, errorCode, null);
        this.refusesTheClient = status == 401 || status == 403;
    }

    /** A failed TLS handshake with the registry, {@code cause} being the JDK's exception. */
    public static RegistryRequestException tlsHandshake(String message, Throwable cause) {
        return new RegistryRequestException(message, cause);
    }

    private RegistryRequestException(String message, Throwable cause) {
        super(message, 0, 0, cause);
        this.refusesTheClient = true;
    }

    /**
     * Whether the registry will not talk to this client as configured, whatever it asks: its
     * credentials were refused (401, 403) or no TLS session could be set up. A serde reading
     * records treats this as the job's failure, not the record's.
     */
    public boolean refusesTheClient() {
        return refusesTheClient;
    }
}
