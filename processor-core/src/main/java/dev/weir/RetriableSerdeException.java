package dev.weir;

/**
 * Thrown by a {@link RecordSerde} when a record cannot be read or written <em>now</em> but may be
 * later — its schema registry is unreachable, overloaded or timed out — as opposed to a record that
 * is malformed (any other exception: a poison record, handled by the source's {@code
 * deserialization.error.policy}). The Kafka source keeps the record, waits and tries it again
 * instead of failing or skipping it; checkpoints keep running meanwhile (docs/serdes.md).
 */
public class RetriableSerdeException extends WeirException {
    public RetriableSerdeException(String message, Throwable cause) {
        super(message, cause);
    }
}
