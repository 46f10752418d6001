package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Whole v2 segments of arbitrary documents (every BSON type, any _id or none, ids given by the caller or
 * derived) come back byte for byte by id and in order, and verify clean. Few tries: each writes a video.
 */
class SegmentProperties {

    @Property(tries = 60)
    void anyDocumentsRoundTripThroughAVideo(@ForAll("segments") List<BsonDocument> docs) throws IOException {
        List<SegmentRecord> records = new ArrayList<>();
        java.util.Set<String> derived = new java.util.HashSet<>();
        for (int i = 0; i < docs.size(); i++) {
            BsonDocument d = docs.get(i);
            BsonValue id = d.get("_id");
            // half the records carry the id a reader derives, the others an arbitrary caller-given one; distinct
            // _id values can derive the same id (decimal128 NaNs of other bit patterns all render "NaN"), and get
            // would rightly return the last of them, so a repeated derived id is given by the caller instead
            String memoryId = id != null && i % 2 == 0 && derived.add(MemoryIds.derive(BsonBytes.of(d)))
                    ? MemoryIds.derive(BsonBytes.of(d)) : "caller-id-" + i;
            records.add(SegmentRecord.of(memoryId, d));
        }
        Path dir = Files.createTempDirectory("segprop");
        try {
            SegmentOptions opts = SegmentOptions.builder().blockTargetBytes(2048).parity(4, 1).threads(1)
                    .writeSidecar(false).build();
            new SegmentWriter(opts).write("prop", records, dir);
            try (SegmentReader r = SegmentReader.open(dir.resolve("prop.mkv"), opts)) {
                for (SegmentRecord want : records) {
                    SegmentRecord got = r.get(want.memoryId()).orElseThrow();
                    assertThat(BsonBytes.of(got.document())).isEqualTo(BsonBytes.of(want.document()));
                    assertThat(got.version()).isEqualTo(want.version());
                }
                List<SegmentRecord> all = r.records().toList();
                assertThat(all).hasSameSizeAs(records);
                for (int i = 0; i < all.size(); i++) {
                    assertThat(all.get(i).memoryId()).isEqualTo(records.get(i).memoryId());
                }
                VerificationReport report = r.verify();
                assertThat(report.clean()).as(report.toString()).isTrue();
            }
        } finally {
            for (Path p : Files.list(dir).toList()) {
                Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    @Provide
    Arbitrary<List<BsonDocument>> segments() {
        Arbitrary<BsonDocument> withId = net.jqwik.api.Combinators.combine(BsonArbitraries.documents(2),
                BsonArbitraries.leaf()).as((d, id) -> {
                    BsonDocument out = new BsonDocument("_id", id);
                    out.putAll(d);
                    return out;
                });
        return net.jqwik.api.Arbitraries.oneOf(withId, BsonArbitraries.documents(2)).list().ofMinSize(1).ofMaxSize(12)
                .uniqueElements(d -> d.containsKey("_id") ? d.get("_id") : d);
    }
}
