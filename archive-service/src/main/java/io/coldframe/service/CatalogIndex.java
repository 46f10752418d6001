package io.coldframe.service;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.DailyStats;
import io.coldframe.schemas.StatsDimension;

/**
 * Interactive queries over the catalog stores of {@link CatalogTopology}. A lookup by memory id goes to the instance
 * that owns the id's partition (this one, or over HTTP to the one Kafka Streams names); agent, segment and count
 * queries ask this instance's partitions and every other instance's ({@code /internal/...}) and merge.
 */
final class CatalogIndex {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final AvroSerde<DailyStats> STATS = AvroSerde.of(DailyStats.class);
    private final KafkaStreams streams;
    private final HostInfo self;
    private final String catalogTopic;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    CatalogIndex(KafkaStreams streams, HostInfo self, String catalogTopic) {
        this.streams = streams;
        this.self = self;
        this.catalogTopic = catalogTopic;
    }

    boolean ready() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** The latest entry of a memory, from whichever instance owns it. */
    Optional<CatalogEntry> byId(String memoryId) throws Exception {
        KeyQueryMetadata owner = streams.queryMetadataForKey(CatalogTopology.BY_ID, memoryId, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE) || owner.activeHost().equals(self)) {
            return localById(memoryId, owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE) ? -1 : owner.partition());
        }
        List<Map<String, Object>> remote = get(owner.activeHost(), "/internal/entries/" + enc(memoryId));
        return remote.stream().findFirst().map(CatalogIndex::fromJson);
    }

    Optional<CatalogEntry> localById(String memoryId, int partition) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, CatalogEntry>> params =
                StoreQueryParameters.fromNameAndType(CatalogTopology.BY_ID, QueryableStoreTypes.<String, CatalogEntry>keyValueStore());
        if (partition >= 0) {
            params = params.withPartition(partition);
        }
        return Optional.ofNullable(streams.store(params).get(memoryId));
    }

    /** The tier (hot or warm) the tier topics give a memory still in MongoDB, from whichever instance owns it. */
    Optional<String> tierOf(String memoryId) throws Exception {
        return Optional.ofNullable(tiersOf(List.of(memoryId)).get(memoryId));
    }

    /** Tiers (hot or warm) of the given memories that have one: asked of each id's owner, once per instance. */
    Map<String, String> tiersOf(Collection<String> memoryIds) throws Exception {
        Map<HostInfo, List<String>> byOwner = new LinkedHashMap<>();
        List<String> local = new ArrayList<>();
        for (String id : memoryIds) {
            KeyQueryMetadata owner = streams.queryMetadataForKey(CatalogTopology.TIERS, id, Serdes.String().serializer());
            if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE) || owner.activeHost().equals(self)) {
                local.add(id);
            } else {
                byOwner.computeIfAbsent(owner.activeHost(), h -> new ArrayList<>()).add(id);
            }
        }
        Map<String, String> out = new HashMap<>(localTiers(local));
        for (Map.Entry<HostInfo, List<String>> remote : byOwner.entrySet()) {
            for (Map<String, Object> m : post(remote.getKey(), "/internal/tiers", remote.getValue())) {
                out.put((String) m.get("id"), (String) m.get("tier"));
            }
        }
        return out;
    }

    /** Tiers of the given memories in this instance's tier stores. */
    Map<String, String> localTiers(Collection<String> memoryIds) {
        Map<String, String> out = new HashMap<>();
        if (memoryIds.isEmpty()) {
            return out;
        }
        ReadOnlyKeyValueStore<String, String> store = streams.store(
                StoreQueryParameters.fromNameAndType(CatalogTopology.TIERS, QueryableStoreTypes.<String, String>keyValueStore()));
        for (String id : memoryIds) {
            String value = store.get(id);
            if (value != null) {
                out.put(id, TierIndexer.tierOf(value));
            }
        }
        return out;
    }

    /** This instance's part of an agent's timeline: [from, to), newest first, at most {@code limit} per partition. */
    List<CatalogEntry> localTimeline(String agent, Instant from, Instant to, int limit) {
        String lo = agent + CatalogTopology.SEP + CatalogTopology.inverted(Math.max(0, to.toEpochMilli() - 1));
        String hi = agent + CatalogTopology.SEP + CatalogTopology.inverted(from.toEpochMilli()) + CatalogTopology.SEP + '\uffff';
        List<CatalogEntry> out = new ArrayList<>();
        for (Partition p : localPartitions()) {
            int n = 0;
            try (KeyValueIterator<String, String> it = p.<String>store(CatalogTopology.BY_AGENT).range(lo, hi)) {
                while (it.hasNext() && n < limit) {
                    CatalogEntry e = p.<CatalogEntry>store(CatalogTopology.BY_ID).get(it.next().value);
                    if (e != null) {
                        out.add(e);
                        n++;
                    }
                }
            }
        }
        out.sort(NEWEST_FIRST);
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }

    static final Comparator<CatalogEntry> NEWEST_FIRST = Comparator.comparing(CatalogTopology::timeOf).reversed()
            .thenComparing(CatalogEntry::getMemoryId);

    List<CatalogEntry> timeline(String agent, Instant from, Instant to, int limit) throws Exception {
        List<CatalogEntry> all = new ArrayList<>(localTimeline(agent, from, to, limit));
        for (HostInfo other : others()) {
            get(other, "/internal/agents/" + enc(agent) + "?from=" + from.toEpochMilli() + "&to=" + to.toEpochMilli() + "&limit=" + limit)
                    .forEach(m -> all.add(fromJson(m)));
        }
        all.sort(NEWEST_FIRST);
        return all.size() > limit ? all.subList(0, limit) : all;
    }

    List<CatalogEntry> localBySegment(String segmentId, int limit) {
        String lo = segmentId + CatalogTopology.SEP;
        String hi = segmentId + CatalogTopology.SEP + '\uffff';
        List<CatalogEntry> out = new ArrayList<>();
        for (Partition p : localPartitions()) {
            try (KeyValueIterator<String, String> it = p.<String>store(CatalogTopology.BY_SEGMENT).range(lo, hi)) {
                while (it.hasNext() && out.size() < limit) {
                    CatalogEntry e = p.<CatalogEntry>store(CatalogTopology.BY_ID).get(it.next().value);
                    if (e != null) {
                        out.add(e);
                    }
                }
            }
        }
        return out;
    }

    List<CatalogEntry> bySegment(String segmentId, int limit) throws Exception {
        List<CatalogEntry> all = new ArrayList<>(localBySegment(segmentId, limit));
        for (HostInfo other : others()) {
            get(other, "/internal/segments/" + enc(segmentId) + "?limit=" + limit).forEach(m -> all.add(fromJson(m)));
        }
        all.sort(Comparator.comparing(CatalogEntry::getMemoryId));
        return all.size() > limit ? all.subList(0, limit) : all;
    }

    /**
     * This instance's counts with the given prefix: "a" archived memories per agent, "s" per segment, "t" memories in
     * MongoDB per {@code agent NUL tier}.
     */
    Map<String, Long> localCounts(String kind) {
        Map<String, Long> out = new TreeMap<>();
        String prefix = kind + CatalogTopology.SEP;
        String storeName = CatalogTopology.TIER_COUNT_KIND.equals(kind) ? CatalogTopology.TIER_COUNTS : CatalogTopology.COUNTS;
        ReadOnlyKeyValueStore<String, Long> store = streams.store(
                StoreQueryParameters.fromNameAndType(storeName, QueryableStoreTypes.<String, Long>keyValueStore()));
        try (KeyValueIterator<String, Long> it = store.prefixScan(prefix, Serdes.String().serializer())) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                out.merge(kv.key.substring(prefix.length()), kv.value, Long::sum);
            }
        }
        return out;
    }

    Map<String, Long> counts(String kind) throws Exception {
        Map<String, Long> all = new TreeMap<>(localCounts(kind));
        for (HostInfo other : others()) {
            for (Map<String, Object> m : get(other, "/internal/counts/" + kind)) {
                all.merge((String) m.get("key"), ((Number) m.get("count")).longValue(), Long::sum);
            }
        }
        return all;
    }

    /** The stats topic's cells of one dimension (every day retained), from the global store every instance holds. */
    List<DailyStats> dailyStats(StatsDimension dimension) {
        ReadOnlyKeyValueStore<String, byte[]> store = streams.store(
                StoreQueryParameters.fromNameAndType(CatalogTopology.DAILY_STATS, QueryableStoreTypes.<String, byte[]>keyValueStore()));
        List<DailyStats> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(dimension.name() + CatalogTopology.SEP, Serdes.String().serializer())) {
            while (it.hasNext()) {
                try {
                    out.add(STATS.decode(it.next().value));
                } catch (SerializationException e) {
                    // not a DailyStats: skipped, as the catalog indexer skips what is not an entry
                }
            }
        }
        return out;
    }

    /** Memories indexed on this instance (RocksDB's estimate). */
    long localApproximateSize() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(CatalogTopology.BY_ID,
                    QueryableStoreTypes.<String, CatalogEntry>keyValueStore())).approximateNumEntries();
        } catch (InvalidStateStoreException e) {
            return -1;
        }
    }

    private List<HostInfo> others() {
        List<HostInfo> out = new ArrayList<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            if (!m.hostInfo().equals(self) && !m.topicPartitions().isEmpty()) {
                out.add(m.hostInfo());
            }
        }
        return out;
    }

    /** The stores of one catalog partition this instance hosts. */
    private record Partition(KafkaStreams streams, int partition) {
        <V> ReadOnlyKeyValueStore<String, V> store(String name) {
            return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
                    .withPartition(partition));
        }
    }

    /** The catalog partitions this instance hosts (the tier topics' partitions are another sub-topology's). */
    private List<Partition> localPartitions() {
        List<Partition> out = new ArrayList<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            if (m.hostInfo().equals(self)) {
                m.topicPartitions().stream().filter(tp -> tp.topic().equals(catalogTopic))
                        .forEach(tp -> out.add(new Partition(streams, tp.partition())));
            }
        }
        return out;
    }

    private List<Map<String, Object>> get(HostInfo host, String path) throws Exception {
        return send(host, path, HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + path)).GET());
    }

    private List<Map<String, Object>> post(HostInfo host, String path, Object body) throws Exception {
        return send(host, path, HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private List<Map<String, Object>> send(HostInfo host, String path, HttpRequest.Builder builder) throws Exception {
        HttpRequest request = builder.timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return List.of();
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("instance " + host + " answered " + response.statusCode() + " for " + path);
        }
        return JSON.readValue(response.body(), new TypeReference<List<Map<String, Object>>>() { });
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static Map<String, Object> toJson(CatalogEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memory_id", e.getMemoryId());
        m.put("agent", e.getAgent());
        m.put("version", e.getVersion());
        m.put("segment_id", e.getSegmentId());
        m.put("location", e.getLocation());
        m.put("block_index", e.getBlockIndex());
        m.put("first_frame", e.getFirstFrame());
        m.put("last_frame", e.getLastFrame());
        m.put("archived_at", e.getArchivedAt().toString());
        m.put("created_at", e.getCreatedAt() == null ? null : e.getCreatedAt().toString());
        m.put("redaction_policy", e.getRedactionPolicy());
        return m;
    }

    static CatalogEntry fromJson(Map<String, Object> m) {
        return new CatalogEntry((String) m.get("memory_id"), (String) m.get("agent"), (String) m.get("version"), (String) m.get("segment_id"),
                (String) m.get("location"), ((Number) m.get("block_index")).intValue(), ((Number) m.get("first_frame")).intValue(),
                ((Number) m.get("last_frame")).intValue(), Instant.parse((String) m.get("archived_at")),
                m.get("created_at") == null ? null : Instant.parse((String) m.get("created_at")), (String) m.get("redaction_policy"));
    }
}
