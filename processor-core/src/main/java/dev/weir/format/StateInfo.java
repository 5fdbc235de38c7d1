package dev.weir.format;

/** A keyed state an operator declared: its name, kind and the schema of its value serializer. */
public record StateInfo(String name, String kind, String serializerSchema) {}
