#!/bin/bash
# kafka-run-class.sh <main class> [args...]: a Java class of the broker's class path, logging to stderr
# at WARN so that tool output stays readable.
# shellcheck disable=SC2086 # a list of JVM options
exec java ${KAFKA_TOOLS_HEAP_OPTS:--Xmx256m} -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.properties \
  -cp '/opt/kafka/libs/*' "$@"
