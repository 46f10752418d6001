package io.coldframe.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.DeadLetters;
import io.coldframe.local.LocalStack;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.DailyStats;
import io.coldframe.schemas.StatsDimension;
import io.coldframe.schemas.Tier;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStoreConfig;

/**
 * The web console on the embedded stack (KRaft broker, MongoDB stand-in): a stored segment whose memories are in the
 * catalog and no longer in MongoDB, one memory still hot, one dead letter. Over HTTP: the console is served with no
 * asset from the internet and calls only endpoints the service has; /deadletters names the reason. In headless
 * Chromium (Debian's chromium and chromium-driver, which .ci/run installs): the numbers shown are the API's, an
 * archived memory opens, a restore with the token puts it back into MongoDB, a segment verifies; screenshots go to
 * docs/console/.
 */
class ConsoleIT {

    private static final String PREFIX = "consoleit";
    private static final String SEGMENT = "console-seg-1";
    private static final String TOKEN = "console-token";
    private static final int MEMORIES = 60;
    private static final long RAW_BYTES = 123_456;
    private static final long ARCHIVE_BYTES = 45_678;
    private static final AvroSerde<DailyStats> STATS = AvroSerde.of(DailyStats.class);
    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("..", "docs", "console");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    private static LocalStack stack;
    private static ArchiveService service;

    @BeforeAll
    static void aSmallArchive() throws Exception {
        stack = LocalStack.builder().topicPrefix(PREFIX).start();
        List<SegmentRecord> records = new ArrayList<>();
        Map<String, BsonDocument> docs = new HashMap<>();
        for (int i = 0; i < MEMORIES; i++) {
            BsonDocument doc = BsonDocument.parse("{\"_id\": \"mem-" + i + "\", \"agent_id\": \"agent-" + (i % 3) + "\", \"type\": \"interaction\","
                    + " \"importance\": 0.2, \"text\": \"" + "what the agent remembered ".repeat(3 + i % 5) + i + "\"}");
            doc.put("created_at", new BsonDateTime(T0.plusSeconds(60L * i).toEpochMilli()));
            docs.put("\"mem-" + i + "\"", doc);
            records.add(SegmentRecord.of("\"mem-" + i + "\"", doc));
        }
        Path staging = dir.resolve("staging");
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.defaults()).write(SEGMENT, records, staging);
        new LocalDirectorySegmentStore(dir.resolve("store")).store(SEGMENT, staging.resolve(SEGMENT + ".mkv"),
                staging.resolve(SEGMENT + ".manifest.json"), manifest.videoSha256());
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (SegmentManifest.Entry e : manifest.entries()) {
                SegmentManifest.Block b = manifest.blocks().get(e.blockIndex());
                BsonDocument doc = docs.get(e.memoryId());
                producer.send(new ProducerRecord<>(stack.topics().catalog(), e.memoryId(), CatalogTopology.ENTRIES.encode(new CatalogEntry(
                        e.memoryId(), doc.getString("agent_id").getValue(), e.version(), SEGMENT,
                        "file://" + dir.resolve("store").resolve(SEGMENT + ".mkv"), e.blockIndex(), b.firstFrame(), b.lastFrame(),
                        Instant.now(), Instant.ofEpochMilli(doc.getDateTime("created_at").getValue()), null))));
            }
            ProducerRecord<String, byte[]> letter = new ProducerRecord<>(stack.topics().deadLetter(), "\"bad-1\"", new byte[] {1});
            DeadLetters.describe(letter.headers(), "tiering", "record \"bad-1\", field created_at: missing; tiering needs it",
                    stack.topics().changes(), 0, 7);
            producer.send(letter);
            // the tier analytics of today: the memories went cold and were archived in one segment
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            producer.send(new ProducerRecord<>(stack.topics().statsDaily(), "ALL\u0000" + today + "\u0000COLD\u0000", STATS.encode(
                    DailyStats.newBuilder().setDay(today).setTier(Tier.COLD).setDimension(StatsDimension.ALL).setEntered(MEMORIES).build())));
            producer.send(new ProducerRecord<>(stack.topics().statsDaily(), "ALL\u0000" + today + "\u0000ARCHIVE\u0000", STATS.encode(
                    DailyStats.newBuilder().setDay(today).setDimension(StatsDimension.ALL).setSegments(1).setArchived(MEMORIES)
                            .setRawBytes(RAW_BYTES).setArchiveBytes(ARCHIVE_BYTES).setBytesSaved(RAW_BYTES - ARCHIVE_BYTES).build())));
        }
        try (MongoClient client = MongoClients.create(stack.mongoUri())) {
            client.getDatabase(stack.database()).getCollection(stack.collection(), BsonDocument.class).insertOne(
                    new BsonDocument("_id", new BsonString("hot-1")).append("agent_id", new BsonString("agent-0"))
                            .append("created_at", new BsonDateTime(T0.plusSeconds(100_000).toEpochMilli())).append("text", new BsonString("still hot")));
        }
        Map<String, Object> values = new HashMap<>();
        values.put(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(CommonConfigKeys.TOPIC_PREFIX, PREFIX);
        values.put(CommonConfigKeys.MONGODB_URI, stack.mongoUri());
        values.put(CommonConfigKeys.MONGODB_DATABASE, stack.database());
        values.put(CommonConfigKeys.MONGODB_COLLECTION, stack.collection());
        values.put(SegmentStoreConfig.STORE_DIR, dir.resolve("store").toString());
        values.put(ArchiveServiceConfig.APPLICATION_ID, PREFIX + "-service");
        values.put(ArchiveServiceConfig.STATE_DIR, dir.resolve("state").toString());
        values.put(ArchiveServiceConfig.CACHE_DIR, dir.resolve("cache").toString());
        values.put(ArchiveServiceConfig.HTTP_PORT, "0");
        values.put(CommonConfigKeys.OPS_PORT, "0");
        values.put(ArchiveServiceConfig.WRITE_TOKEN, TOKEN);
        service = new ArchiveService(ArchiveServiceConfig.load(values));
        service.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> assertThat(json("/segments").path("segments").path(0).path("memories").asInt()).isEqualTo(MEMORIES));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return CatalogIndex.JSON.readTree(response.body());
    }

    @Test
    void theConsoleIsServedWithNoAssetFromTheInternetAndCallsOnlyEndpointsTheServiceHas() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        String script = get("/console.js").body();
        assertThat(get("/console.css").statusCode()).isEqualTo(200);
        for (String text : List.of(page.body(), script, get("/console.css").body())) {
            // the SVG namespace is a name, not a download
            assertThat(text.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://").doesNotContain("https://").doesNotContain("//cdn");
        }
        Matcher call = Pattern.compile("api\\('(/[a-z]+)").matcher(script);
        List<String> paths = new ArrayList<>();
        while (call.find()) {
            paths.add(call.group(1));
        }
        assertThat(paths).contains("/status", "/agents", "/stats", "/segments", "/restore", "/memories", "/deadletters");
        String openapi = get("/openapi.yaml").body();
        for (String path : paths) {
            assertThat(openapi).as("openapi.yaml documents " + path).contains("  " + path);
        }
    }

    @Test
    void theOverviewsStatsComeFromTheStatsTopicInEveryPeriod() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(json("/stats").path("bytes").path("raw_bytes").asLong())
                .isEqualTo(RAW_BYTES));
        for (String period : List.of("day", "week", "month")) {
            JsonNode stats = json("/stats?period=" + period);
            JsonNode points = stats.path("series").path("points");
            JsonNode last = points.get(points.size() - 1);
            assertThat(last.path("tiers").path("cold").path("memories").asLong()).as(period).isEqualTo(MEMORIES);
            assertThat(last.path("tiers").path("cold").path("entered").asLong()).as(period).isEqualTo(MEMORIES);
            assertThat(last.path("archive").path("archive_bytes").asLong()).as(period).isEqualTo(ARCHIVE_BYTES);
            assertThat(points.get(0).path("tiers").path("cold").path("memories").asLong()).as(period)
                    .isEqualTo(points.size() == 1 ? MEMORIES : 0);
        }
        JsonNode bytes = json("/stats").path("bytes");
        assertThat(bytes.path("bytes_saved").asLong()).isEqualTo(RAW_BYTES - ARCHIVE_BYTES);
        assertThat(bytes.path("gzip_bytes_estimated").asLong()).isEqualTo(Math.round(RAW_BYTES * ArchiveServiceConfig.DEFAULT_GZIP_RATIO));
    }

    @Test
    void aFrameIsServedAsPngWithItsDecodedHeader() throws Exception {
        JsonNode frame = json("/segments/" + SEGMENT + "/frames/1");
        assertThat(frame.path("header").path("decoded").asBoolean()).as(frame.toString()).isTrue();
        assertThat(frame.path("header").path("position").asInt()).isEqualTo(1);
        assertThat(frame.path("header").path("segment_id_hash_matches").asBoolean()).isTrue();
        HttpResponse<byte[]> png = HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + frame.path("image").asText())).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(ImageIO.read(new ByteArrayInputStream(png.body())).getWidth()).isEqualTo(frame.path("width").asInt());
        assertThat(get("/segments/" + SEGMENT + "/frames/100000.png").statusCode()).isEqualTo(404);
        assertThat(get("/segments/no-such-segment/frames/0").statusCode()).isEqualTo(404);
        assertThat(get("/segments/" + SEGMENT + "/frames/first").statusCode()).isEqualTo(400);
    }

    @Test
    void deadLettersAreListedNewestFirstWithTheirReasonAndSource() throws Exception {
        JsonNode letters = json("/deadletters?limit=10").path("dead_letters");
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).path("reason").asText()).isEqualTo("record \"bad-1\", field created_at: missing; tiering needs it");
        assertThat(letters.get(0).path("stage").asText()).isEqualTo("tiering");
        assertThat(letters.get(0).path("source").path("offset").asText()).isEqualTo("7");
        assertThat(get("/deadletters?limit=0").statusCode()).isEqualTo(400);
    }

    @Test
    void inABrowserTheNumbersAreTheApisAMemoryOpensARestoreWorksAndASegmentVerifies() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no browser test: " + CHROMIUM + " or " + CHROMEDRIVER + " is missing (apt-get install -y chromium chromium-driver; .ci/run does)");
        Files.createDirectories(SCREENSHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"));
        ChromeDriverService driverService = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(driverService, options);
        try {
            browser.get(service.url() + "/");
            JsonNode status = json("/status");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(browser.findElement(By.id("health-score")).getText()).isEqualTo(status.path("health_score").asText());
                assertThat(tierCount(browser, "archive")).isEqualTo(MEMORIES);
                assertThat(tierCount(browser, "cold")).isEqualTo(MEMORIES);
                assertThat(tierCount(browser, "mongodb")).isEqualTo(1);
            });
            JsonNode stats = json("/stats");
            assertThat(browser.findElement(By.id("archive-reads")).getText()).contains("catalog index " + stats.path("state").asText());
            assertThat(tierCount(browser, "memories")).isEqualTo(stats.path("memories").asInt());
            assertThat(tierCount(browser, "agents")).isEqualTo(stats.path("agents").asInt());
            // archive bytes against raw and gzip, and what was saved, as /stats says
            assertThat(cellAfter(browser, "#archive-bytes tr[data-bytes='raw'] td")).isEqualTo(stats.path("bytes").path("raw_bytes").asText());
            assertThat(cellAfter(browser, "#archive-bytes tr[data-bytes='archive'] td")).isEqualTo(Long.toString(ARCHIVE_BYTES));
            assertThat(cellAfter(browser, "#archive-bytes tr[data-bytes='gzip (estimated)'] td"))
                    .isEqualTo(stats.path("bytes").path("gzip_bytes_estimated").asText());
            assertThat(cellAfter(browser, "#archive-bytes tr[data-bytes='saved'] td")).isEqualTo(Long.toString(RAW_BYTES - ARCHIVE_BYTES));
            assertThat(browser.findElements(By.cssSelector("#bytes-chart rect"))).hasSize(3);
            // the tier chart: one line per tier over the daily series, its legend the last day's memories
            JsonNode points = stats.path("series").path("points");
            assertThat(browser.findElements(By.cssSelector("#tier-chart polyline"))).hasSize(3);
            assertThat(browser.findElement(By.cssSelector("#tier-chart polyline[data-tier='cold']")).getAttribute("points").split(" "))
                    .hasSize(points.size());
            assertThat(browser.findElement(By.cssSelector("#tier-legend span[data-tier='cold']")).getText())
                    .endsWith("cold " + points.get(points.size() - 1).path("tiers").path("cold").path("memories").asText());
            screenshot(browser, "overview");

            browser.findElement(By.cssSelector("nav button[data-tab=agents]")).click();
            await().atMost(Duration.ofSeconds(15)).until(() -> browser.findElements(By.cssSelector("#agent-list tr.pick")).size() == 3);
            browser.findElement(By.xpath("//table[@id='agent-list']//td[text()='agent-1']")).click();
            await().atMost(Duration.ofSeconds(15)).until(() -> browser.findElements(By.cssSelector("#timeline tr.pick")).size() == MEMORIES / 3);
            WebElement newest = browser.findElement(By.cssSelector("#timeline tr.pick"));
            assertThat(newest.getText()).contains("archive").contains("\"mem-58\"");
            newest.click();
            await().atMost(Duration.ofSeconds(15)).until(() -> browser.findElement(By.id("memory-document")).getText().contains("\"mem-58\""));
            assertThat(browser.findElement(By.id("memory-location")).getText()).contains("segment " + SEGMENT);
            screenshot(browser, "agents");

            browser.findElement(By.id("token")).sendKeys(TOKEN);
            browser.findElement(By.id("restore")).click();
            browser.switchTo().alert().accept();
            await().atMost(Duration.ofSeconds(60)).until(() -> browser.findElement(By.id("restore-result")).getText().startsWith("restored 1"));
            try (MongoClient client = MongoClients.create(stack.mongoUri())) {
                assertThat(client.getDatabase(stack.database()).getCollection(stack.collection(), BsonDocument.class)
                        .find(Filters.eq("_id", "mem-58")).first()).isNotNull();
            }
            screenshot(browser, "restore");

            browser.findElement(By.cssSelector("nav button[data-tab=segments]")).click();
            await().atMost(Duration.ofSeconds(15)).until(() -> !browser.findElements(By.cssSelector("#segment-list tr.pick")).isEmpty());
            browser.findElement(By.cssSelector("#segment-list tr.pick")).click();
            await().atMost(Duration.ofSeconds(15)).until(() -> browser.findElement(By.id("verify")).isDisplayed());
            browser.findElement(By.id("show-frame")).click();
            await().atMost(Duration.ofSeconds(30)).until(() -> browser.findElement(By.id("frame-header")).getText().contains("\"position\": 0"));
            await().atMost(Duration.ofSeconds(15)).until(() -> ((Number) ((JavascriptExecutor) browser)
                    .executeScript("return document.getElementById('frame-image').naturalWidth")).intValue() > 0);
            browser.findElement(By.id("verify")).click();
            await().atMost(Duration.ofSeconds(60)).until(() -> browser.findElement(By.id("verify-result")).getText().startsWith("verified: "));
            screenshot(browser, "segments");

            browser.findElement(By.cssSelector("nav button[data-tab=deadletters]")).click();
            await().atMost(Duration.ofSeconds(15)).until(() -> browser.findElement(By.id("deadletter-list")).getText()
                    .contains("field created_at: missing"));
            screenshot(browser, "deadletters");
        } finally {
            browser.quit();
        }
    }

    private static String cellAfter(WebDriver browser, String cells) {
        List<WebElement> found = browser.findElements(By.cssSelector(cells));
        return found.size() < 2 ? null : found.get(1).getText();
    }

    private static int tierCount(WebDriver browser, String tier) {
        List<WebElement> rows = browser.findElements(By.cssSelector("#tier-counts tr[data-tier='" + tier + "'] td"));
        return rows.size() < 2 ? -1 : Integer.parseInt(rows.get(1).getText());
    }

    private static void screenshot(WebDriver browser, String name) throws Exception {
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
