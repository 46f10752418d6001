package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.coldframe.common.InvalidRecordException;

/** The time field as agent-memory records really write it, not only as a BSON date. */
class MemoryRecordMapperTest {

    private final MemoryRecordMapper mapper = new MemoryRecordMapper(new MemoryFacts.Fields("timestamp", "tags", false));

    @ParameterizedTest
    @ValueSource(strings = {"'2024-03-01T12:30:00Z'", "'2024-03-01T14:30:00+02:00'", "'2024-03-01T12:30:00'",
        "'2024-03-01 12:30:00'", "'2024-03-01T12:30:00.000000'", "{$date: '2024-03-01T12:30:00Z'}", "1709296200",
        "1709296200.0", "{$numberLong: '1709296200000'}"})
    void readsTheTimeInTheSpellingsRecordsUse(String time) {
        BsonDocument document = BsonDocument.parse("{_id: 'm', importance: 0.5, timestamp: " + time + "}");

        assertThat(mapper.map("m", document).record().getCreatedAt()).isEqualTo(Instant.parse("2024-03-01T12:30:00Z"));
    }

    @Test
    void aTimeItCannotReadNamesTheRecordAndTheField() {
        BsonDocument document = BsonDocument.parse("{_id: 'm', importance: 0.5, timestamp: 'last tuesday'}");

        assertThatThrownBy(() -> mapper.map("m", document)).isInstanceOf(InvalidRecordException.class)
                .hasMessage("record m, field timestamp: not an ISO-8601 date-time: 'last tuesday'");
    }
}
