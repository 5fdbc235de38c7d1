package dev.weir;

/** One record header: a name and raw bytes, as in Kafka. */
public record Header(String key, byte[] value) {}
