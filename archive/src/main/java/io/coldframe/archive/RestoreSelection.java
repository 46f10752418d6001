package io.coldframe.archive;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.coldframe.schemas.CatalogEntry;

/**
 * Which archived versions a restore puts back, by memory ids, by agent or by segment: looked up in the catalog, or,
 * when the catalog cannot be read, by scanning the store through the {@link Restorer}.
 */
public final class RestoreSelection {

    /** The catalog entries {@code keep} accepts; empty (having said what happens instead) when it cannot be read. */
    @FunctionalInterface
    public interface CatalogSource {
        Optional<ArchiveCatalog> load(Predicate<CatalogEntry> keep, String fallback) throws IOException;
    }

    private final Restorer restorer;
    private final CatalogSource catalogs;
    private final String storeName;
    private final Consumer<String> note;

    public RestoreSelection(Restorer restorer, CatalogSource catalogs, String storeName, Consumer<String> note) {
        this.restorer = restorer;
        this.catalogs = catalogs;
        this.storeName = storeName;
        this.note = note;
    }

    /** The latest archived version of each memory id (as typed: see {@link MemoryIdInput}); the others go to notFound. */
    public List<Restorer.Target> byIds(List<String> typedIds, Restorer.Result result) throws IOException {
        Map<String, List<String>> candidates = new LinkedHashMap<>();
        Set<String> all = new LinkedHashSet<>();
        for (String id : typedIds) {
            List<String> forId = MemoryIdInput.candidates(id);
            candidates.put(id, forId);
            all.addAll(forId);
        }
        Map<String, Restorer.Target> found = new HashMap<>();
        Optional<ArchiveCatalog> catalog = catalogs.load(entry -> all.contains(entry.getMemoryId()),
                "scanning the manifests of the segments in " + storeName + " instead");
        if (catalog.isPresent()) {
            catalog.get().entries().forEach(entry -> found.put(entry.getMemoryId(), Restorer.target(entry)));
        } else {
            found.putAll(restorer.scanManifests(all));
        }
        List<Restorer.Target> targets = new ArrayList<>();
        candidates.forEach((argument, forId) -> forId.stream().map(found::get).filter(t -> t != null).findFirst()
                .ifPresentOrElse(targets::add, () -> result.notFound.add(forId.get(0))));
        return targets;
    }

    /** The latest archived version of every memory of {@code agent}. */
    public List<Restorer.Target> byAgent(String agent, Restorer.Result result) throws IOException {
        Optional<ArchiveCatalog> catalog = catalogs.load(entry -> agent.equals(entry.getAgent()),
                "reading every record of every segment in " + storeName + " instead (manifests do not name agents)");
        List<Restorer.Target> targets = catalog.isPresent()
                ? catalog.get().byAgent(agent).stream().map(Restorer::target).toList()
                : List.copyOf(restorer.scanRecords(agent).values());
        if (targets.isEmpty()) {
            result.notFound.add("agent " + agent);
        }
        return targets;
    }

    /**
     * The versions {@code segmentId} holds, less those whose latest archived version lies in another segment (they are
     * restored from there, by id), counted as superseded.
     */
    public List<Restorer.Target> bySegment(String segmentId, Restorer.Result result) throws IOException {
        List<Restorer.Target> inSegment;
        try {
            inSegment = restorer.segmentTargets(segmentId);
        } catch (NoSuchFileException e) {
            result.notFound.add("segment " + segmentId);
            return List.of();
        }
        Set<String> memoryIds = new LinkedHashSet<>();
        inSegment.forEach(t -> memoryIds.add(t.memoryId()));
        Optional<ArchiveCatalog> catalog = catalogs.load(entry -> memoryIds.contains(entry.getMemoryId()),
                "restoring the segment's versions without checking for newer archived ones");
        if (catalog.isEmpty()) {
            return inSegment;
        }
        List<Restorer.Target> targets = new ArrayList<>();
        List<String> superseded = new ArrayList<>();
        for (Restorer.Target target : inSegment) {
            Optional<CatalogEntry> latest = catalog.get().latest(target.memoryId());
            if (latest.isEmpty()) {
                targets.add(target);
            } else if (latest.get().getSegmentId().equals(segmentId) && latest.get().getVersion().equals(target.version())) {
                targets.add(Restorer.target(latest.get()));
            } else {
                superseded.add(target.memoryId() + " (in " + latest.get().getSegmentId() + ")");
            }
        }
        result.superseded += superseded.size();
        if (!superseded.isEmpty()) {
            note.accept(superseded.size() + " memories of " + segmentId + " have a newer archived version elsewhere and are skipped "
                    + "(restore them with --id): " + String.join(", ", superseded.subList(0, Math.min(5, superseded.size())))
                    + (superseded.size() > 5 ? ", ..." : ""));
        }
        return targets;
    }
}
