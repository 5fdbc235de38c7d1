package dev.weir.serdes.registry;

/** The schema languages of the Confluent REST API ({@code schemaType}; absent means Avro). */
public enum SchemaType {
    AVRO,
    JSON,
    PROTOBUF
}
