package io.coldframe.bench.archiveread;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bson.BsonDocument;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.archiver.CatalogEntries;
import io.coldframe.common.Directories;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.common.SegmentIds;
import io.coldframe.common.Topics;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStore;
import io.coldframe.testkit.MemoryGenerator;

/**
 * Builds an archive of N generated memories as the archiver would have: segments of the archiver's default batch size
 * written with the segment writer (with its default options), stored in the segment store, and each segment's catalog
 * entries ({@link CatalogEntries}, the archiver's code) and commit event published in one Kafka transaction. Segments
 * are encoded in parallel, one per core; memories are generated in order, so the archive is the same for a seed.
 * Keeps a sample of memory ids (a few random blocks per segment, two ids of each) for the reads that follow.
 */
final class ArchiveBuilder {

    /** The archiver's own default batch size: a segment holds this many memories. */
    static final int RECORDS_PER_SEGMENT = (Integer) ArchiverConfig.DEFINITION.defaultValues().get(ArchiverConfig.BATCH_MAX_RECORDS);
    private static final AvroSerde<CatalogEntry> CATALOG = AvroSerde.of(CatalogEntry.class);
    private static final AvroSerde<SegmentCommitted> COMMITS = AvroSerde.of(SegmentCommitted.class);
    private static final String SOURCE_TOPIC = "bench.tier.cold";

    /** A memory to read later: its id, segment and block, and the average bytes of a frame in its segment. */
    record Sample(String memoryId, String segmentId, int block, int blockFrames, double segmentBytesPerFrame) {
    }

    /** What was built. */
    record Built(int memories, int segments, int blocks, long videoBytes, long manifestBytes, long frames, long rawBytes,
                 double seconds, List<List<Sample>> sampledBlocks) {
    }

    private record Segment(SegmentCommitted commit, SegmentManifest manifest, Map<String, Instant> createdAt, long manifestBytes) {
    }

    private final SegmentStore store;
    private final String bootstrapServers;
    private final Topics topics;
    private final Path staging;
    private final Consumer<String> progress;

    ArchiveBuilder(SegmentStore store, String bootstrapServers, Topics topics, Path staging, Consumer<String> progress) {
        this.store = store;
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.staging = staging;
        this.progress = progress;
    }

    Built build(int memories, long seed, Instant anchor, int blocksPerSegment, int blockBytes) throws Exception {
        MemoryGenerator generator = new MemoryGenerator(seed, anchor);
        SplittableRandom pick = new SplittableRandom(seed + 1);
        Uuid topicId = Uuid.randomUuid();
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService encoders = Executors.newFixedThreadPool(cores, r -> {
            Thread t = new Thread(r, "bench-encode");
            t.setDaemon(true);
            return t;
        });
        // the archiver's options (SegmentOptions.defaults()); one writer thread per segment: segments in parallel use the
        // cores better than frames in parallel, and threads do not change the bytes written
        SegmentWriter writer = new SegmentWriter(SegmentOptions.builder().blockTargetBytes(blockBytes).threads(1).build());
        List<List<Sample>> sampled = new ArrayList<>();
        long start = System.nanoTime();
        long[] totals = new long[5];
        int segments = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.initTransactions();
            Deque<Future<Segment>> inFlight = new ArrayDeque<>();
            int offset = 0;
            int nextReport = memories / 10;
            while (offset < memories) {
                int n = Math.min(RECORDS_PER_SEGMENT, memories - offset);
                List<BsonDocument> documents = generator.generate(n);
                String segmentId = SegmentIds.of(SOURCE_TOPIC, topicId, 0, offset, offset + n - 1L);
                long first = offset;
                inFlight.add(encoders.submit(() -> write(writer, segmentId, first, documents)));
                offset += n;
                segments++;
                while (inFlight.size() > cores || (offset >= memories && !inFlight.isEmpty())) {
                    Segment done = inFlight.removeFirst().get();
                    publish(producer, done);
                    sampled.addAll(sample(done, blocksPerSegment, pick));
                    totals[0] += done.manifest().videoBytes();
                    totals[1] += done.manifestBytes();
                    totals[2] += done.manifest().frameCount();
                    totals[3] += done.manifest().rawBytes();
                    totals[4] += done.manifest().blocks().size();
                }
                if (offset >= nextReport) {
                    progress.accept(String.format("  archived %,d of %,d memories (%d segments, %.0f s)", offset, memories, segments,
                            (System.nanoTime() - start) / 1e9));
                    nextReport += Math.max(1, memories / 10);
                }
            }
        } finally {
            encoders.shutdownNow();
        }
        return new Built(memories, segments, (int) totals[4], totals[0], totals[1], totals[2], totals[3],
                (System.nanoTime() - start) / 1e9, sampled);
    }

    private Segment write(SegmentWriter writer, String segmentId, long firstOffset, List<BsonDocument> documents) throws IOException {
        List<SegmentRecord> records = new ArrayList<>(documents.size());
        List<ArchivedMemory> memories = new ArrayList<>(documents.size());
        Map<String, Instant> createdAt = new HashMap<>();
        for (BsonDocument document : documents) {
            SegmentRecord record = SegmentRecord.of(MemoryDocuments.idOf(document.get(MemoryFields.ID)), document);
            records.add(record);
            memories.add(new ArchivedMemory(record.memoryId(), document.getString(MemoryFields.AGENT).getValue(), record.version(), null));
            createdAt.put(record.memoryId(), Instant.ofEpochMilli(document.getDateTime(MemoryFields.CREATED_AT).getValue()));
        }
        Path dir = Files.createDirectories(staging.resolve(segmentId));
        try {
            SegmentManifest manifest = writer.write(segmentId, records, dir);
            Path video = dir.resolve(segmentId + LocalDirectorySegmentStore.VIDEO_SUFFIX);
            Path manifestFile = dir.resolve(segmentId + LocalDirectorySegmentStore.MANIFEST_SUFFIX);
            long manifestBytes = Files.size(manifestFile);
            String location = store.store(segmentId, video, manifestFile, manifest.videoSha256());
            SegmentCommitted commit = SegmentCommitted.newBuilder()
                    .setSegmentId(segmentId)
                    .setFormatVersion(manifest.formatVersion())
                    .setLocation(location)
                    .setSha256(manifest.videoSha256())
                    .setSourceTopic(SOURCE_TOPIC)
                    .setSourcePartition(0)
                    .setFirstOffset(firstOffset)
                    .setLastOffset(firstOffset + documents.size() - 1)
                    .setRawBytes(manifest.rawBytes())
                    .setArchiveBytes(manifest.videoBytes())
                    .setCommittedAt(Instant.now())
                    .setMemories(memories)
                    .build();
            return new Segment(commit, manifest, createdAt, manifestBytes);
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    /** The segment's catalog entries and its commit event in one transaction, as the archiver publishes them. */
    private void publish(KafkaProducer<byte[], byte[]> producer, Segment segment) {
        producer.beginTransaction();
        for (CatalogEntry entry : CatalogEntries.of(segment.commit(), segment.manifest(), segment.createdAt())) {
            producer.send(new ProducerRecord<>(topics.catalog(), utf8(entry.getMemoryId()), CATALOG.encode(entry)));
        }
        producer.send(new ProducerRecord<>(topics.segmentsCommitted(), utf8(segment.commit().getSegmentId()), COMMITS.encode(segment.commit())));
        producer.commitTransaction();
    }

    /** Up to {@code blocks} random blocks of the segment, two memories of each. */
    private static List<List<Sample>> sample(Segment segment, int blocks, SplittableRandom random) {
        SegmentManifest manifest = segment.manifest();
        Map<Integer, List<String>> idsByBlock = new HashMap<>();
        for (SegmentManifest.Entry e : manifest.entries()) {
            idsByBlock.computeIfAbsent(e.blockIndex(), b -> new ArrayList<>()).add(e.memoryId());
        }
        List<Integer> order = new ArrayList<>(idsByBlock.keySet());
        shuffle(order, random);
        double bytesPerFrame = manifest.videoBytes() / (double) manifest.frameCount();
        List<List<Sample>> out = new ArrayList<>();
        for (int block : order.subList(0, Math.min(blocks, order.size()))) {
            List<String> ids = new ArrayList<>(idsByBlock.get(block));
            shuffle(ids, random);
            SegmentManifest.Block b = manifest.blocks().get(block);
            int frames = b.lastFrame() - b.firstFrame() + 1;
            out.add(ids.subList(0, Math.min(2, ids.size())).stream()
                    .map(id -> new Sample(id, manifest.segmentId(), block, frames, bytesPerFrame)).toList());
        }
        return out;
    }

    static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-archive-read-" + Uuid.randomUuid());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
