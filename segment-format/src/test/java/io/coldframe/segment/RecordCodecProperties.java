package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;

/** Any BSON document's exact bytes survive the record body transform. */
class RecordCodecProperties {

    @Property(tries = 400)
    void everyDocumentRoundTripsByteForByte(@ForAll("documents") BsonDocument doc) {
        byte[] bson = BsonBytes.of(doc);
        byte[] body = RecordCodec.encode(bson);
        assertThat(RecordCodec.decode(body)).isEqualTo(bson);
        // and the document read back is the same document
        assertThat(new RawBsonDocument(RecordCodec.decode(body))).isEqualTo(new RawBsonDocument(bson));
    }

    @Property(tries = 150)
    void documentsNestedInArraysOfDocumentsRoundTrip(@ForAll("deep") BsonDocument doc) {
        byte[] bson = BsonBytes.of(doc);
        assertThat(RecordCodec.decode(RecordCodec.encode(bson))).isEqualTo(bson);
    }

    @Property(tries = 200)
    void canonicalDoubleArraysAreAlwaysPacked(@ForAll("documents") BsonDocument doc,
            @ForAll("doubleArrays") org.bson.BsonArray embedding) {
        BsonDocument withArray = doc.clone();
        withArray.put("embedding\u00e9", embedding);
        byte[] bson = BsonBytes.of(withArray);
        byte[] body = RecordCodec.encode(bson);
        assertThat(body[0]).as("packed, not the verbatim fallback").isEqualTo((byte) RecordCodec.KIND_PACKED);
        assertThat(RecordCodec.decode(body)).isEqualTo(bson);
    }

    @Provide
    Arbitrary<org.bson.BsonArray> doubleArrays() {
        return BsonArbitraries.doubleArrays();
    }

    @Provide
    Arbitrary<BsonDocument> documents() {
        return BsonArbitraries.documents(2);
    }

    @Provide
    Arbitrary<BsonDocument> deep() {
        return BsonArbitraries.documents(4);
    }
}
