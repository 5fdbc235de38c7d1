package dev.weir.serdes.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Subject names of Confluent's three strategies, by short and by class name. */
class SubjectNameStrategyTest {
    @Test
    void shortAndConfluentClassNamesNameTheSameStrategy() {
        for (SubjectNameStrategy s : SubjectNameStrategy.values()) {
            assertThat(SubjectNameStrategy.parse("k", s.shortName())).isEqualTo(s);
            assertThat(SubjectNameStrategy.parse("k", s.confluentClassName())).isEqualTo(s);
        }
        assertThat(SubjectNameStrategy.RECORD_NAME.confluentClassName())
                .isEqualTo("io.confluent.kafka.serializers.subject.RecordNameStrategy");
    }

    @Test
    void eachStrategyNamesItsSubjectAndRecordStrategiesRefusePrimitives() {
        Schema order = AvroRecordSerdeTest.ORDER;
        assertThat(SubjectNameStrategy.TOPIC_NAME.subject("t", true, order)).isEqualTo("t-key");
        assertThat(SubjectNameStrategy.TOPIC_NAME.subject("t", false, order)).isEqualTo("t-value");
        assertThat(SubjectNameStrategy.RECORD_NAME.subject("t", false, order))
                .isEqualTo("shop.Order");
        assertThat(SubjectNameStrategy.TOPIC_RECORD_NAME.subject("t", true, order))
                .isEqualTo("t-shop.Order");
        assertThatThrownBy(
                        () ->
                                SubjectNameStrategy.RECORD_NAME.subject(
                                        "t", false, Schema.create(Schema.Type.STRING)))
                .hasMessageContaining("TopicNameStrategy");
    }
}
