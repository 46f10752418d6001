package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentFrameTest {

    @TempDir
    Path dir;

    @Test
    void aFrameIsItsQrImageAsPngWithItsDecodedHeader() throws Exception {
        List<SegmentRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(SegmentRecord.of("\"m-" + i + "\"", BsonDocument.parse("{\"_id\": \"m-" + i + "\", \"text\": \""
                    + "a memory worth keeping ".repeat(30) + i + "\"}")));
        }
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.defaults()).write("frame-seg", records, dir);
        Path video = dir.resolve("frame-seg.mkv");
        int lastDataFrame = manifest.blocks().get(manifest.blocks().size() - 1).lastFrame();

        SegmentFrame first = SegmentFrame.read(video, "frame-seg", 0);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(first.png()));
        assertThat(image.getWidth()).isEqualTo(first.width()).isGreaterThan(100);
        assertThat(first.header()).containsEntry("decoded", true).containsEntry("format", 2).containsEntry("role", "data")
                .containsEntry("position", 0).containsEntry("position_matches", true).containsEntry("segment_id_hash_matches", true)
                .containsEntry("crc32", "ok");

        assertThat(SegmentFrame.read(video, "frame-seg", lastDataFrame).header()).containsEntry("position", lastDataFrame);
        assertThat(SegmentFrame.read(video, "another-seg", 0).header()).containsEntry("segment_id_hash_matches", false);
        assertThatThrownBy(() -> SegmentFrame.read(video, "frame-seg", 100_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no frame 100000");
    }
}
