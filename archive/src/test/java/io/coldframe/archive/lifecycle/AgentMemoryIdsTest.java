package io.coldframe.archive.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;

import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/** Issue 15, {@code erase --agent}: an agent's memories from MongoDB and from the archive, no one else's. */
class AgentMemoryIdsTest {

    private MongoServer server;
    private MongoClient client;
    private MongoCollection<BsonDocument> memories;

    @BeforeEach
    void mongo() {
        server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
        memories = client.getDatabase("coldframe").getCollection("memories", BsonDocument.class);
        memories.insertMany(List.of(
                BsonDocument.parse("{_id: 'hot-1', agent_id: 'agent-1'}"),
                BsonDocument.parse("{_id: {$oid: '65f0a1b2c3d4e5f6a7b8c9d0'}, agent_id: 'agent-1'}"),
                BsonDocument.parse("{_id: 'other', agent_id: 'agent-2'}"),
                BsonDocument.parse("{_id: 'no-agent'}")));
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
    }

    @Test
    void mongoDbAndArchiveTogetherAndOnlyTheAgentsAsked() throws IOException {
        AgentMemoryIds.Archive archive = agents -> {
            assertThat(agents).containsExactly("agent-1");
            return Set.of("\"archived-only\"", "\"hot-1\"");
        };

        assertThat(new AgentMemoryIds(memories, archive).of(List.of("agent-1")))
                .containsExactly("\"archived-only\"", "\"hot-1\"", "{\"$oid\": \"65f0a1b2c3d4e5f6a7b8c9d0\"}");
    }

    @Test
    void anUnknownAgentHasNoMemories() throws IOException {
        assertThat(new AgentMemoryIds(memories, agents -> Set.of()).of(List.of("agent-9"))).isEmpty();
    }

    @Test
    void anUnreadableArchiveFailsTheLookupInsteadOfErasingOnlyMongoDb() {
        AgentMemoryIds.Archive unreachable = agents -> {
            throw new IOException("catalog topic unreachable");
        };

        assertThatThrownBy(() -> new AgentMemoryIds(memories, unreachable).of(List.of("agent-1")))
                .isInstanceOf(IOException.class).hasMessageContaining("catalog topic unreachable");
    }
}
