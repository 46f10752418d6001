package io.coldframe.hotcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DocumentCodecTest {

    private static final String DOCUMENT = "{\"_id\": {\"$oid\": \"65f000000000000000000001\"}, \"text\": \"" + "recall ".repeat(50) + "\"}";

    @Test
    void everyCompressionDecodesToTheSameDocument() {
        for (String compression : new String[] {DocumentCodec.ZSTD, DocumentCodec.DEFLATE, DocumentCodec.NONE}) {
            assertThat(DocumentCodec.decode(new DocumentCodec(compression).encode(DOCUMENT))).as(compression).isEqualTo(DOCUMENT);
        }
    }

    @Test
    void compressionShrinksARepetitiveDocument() {
        assertThat(new DocumentCodec(DocumentCodec.ZSTD).encode(DOCUMENT).length).isLessThan(DOCUMENT.length() / 3);
    }

    @Test
    void anUnknownTagIsRefused() {
        assertThatThrownBy(() -> DocumentCodec.decode(new byte[] {'x', 1, 2})).hasMessageContaining("unknown compression tag");
    }
}
