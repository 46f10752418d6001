#!/usr/bin/env bash
# Creates the coldframe topics, idempotently (existing topics are left as they are). The one list of topics,
# partition counts and cleanup policies (docs/architecture.md, "Topics"), used by docker compose (service
# kafka-init) and by the Kubernetes Job create-topics. With Strimzi, k8s/components/strimzi/kafkatopics.yaml holds
# the same list as KafkaTopic resources; deploy/'s ManifestConsistencyTest keeps them equal.
#
# Partitions: the change and tier topics have 4. The cold topic's partition count is the most archiver workers that
# can have work (one consumer group), so it is also the KEDA ScaledObject's maxReplicaCount. Raising partitions of a
# live topic re-maps keys: drain the pipeline first (docs/deploy.md).
#
# Every topic takes records of 64 MiB (max.message.bytes): change events and tier records carry whole documents as
# Extended JSON (docs/operations.md#big-documents; io.coldframe.common.RecordSizes holds the number).
#
# Environment: COLDFRAME_KAFKA_BOOTSTRAP_SERVERS (required), COLDFRAME_TOPIC_PREFIX (default coldframe),
# TOPIC_REPLICATION_FACTOR (default: the broker's default.replication.factor), KAFKA_COMMAND_CONFIG (optional: the
# admin client properties of a secured cluster, compose/secure/docker-compose.secure.yml).
set -euo pipefail

bootstrap="${COLDFRAME_KAFKA_BOOTSTRAP_SERVERS:?set COLDFRAME_KAFKA_BOOTSTRAP_SERVERS}"
prefix="${COLDFRAME_TOPIC_PREFIX:-coldframe}"
replication=()
if [[ -n "${TOPIC_REPLICATION_FACTOR:-}" ]]; then
  replication=(--replication-factor "$TOPIC_REPLICATION_FACTOR")
fi
kafka_topics="${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}"
command_config=()
if [[ -n "${KAFKA_COMMAND_CONFIG:-}" ]]; then
  command_config=(--command-config "$KAFKA_COMMAND_CONFIG")
fi

day=86400000

# topic NAME PARTITIONS CONFIG...
topic() {
  local name="$prefix.$1" partitions="$2"
  shift 2
  local configs=()
  for config in "$@"; do
    configs+=(--config "$config")
  done
  "$kafka_topics" --bootstrap-server "$bootstrap" "${command_config[@]}" --create --if-not-exists --topic "$name" \
    --partitions "$partitions" "${replication[@]}" "${configs[@]}"
  echo "topic $name: $partitions partitions, $*"
}

topic changes            4 cleanup.policy=delete  retention.ms=$((7 * day))  max.message.bytes=67108864
topic tier.hot           4 cleanup.policy=compact  max.message.bytes=67108864
topic tier.warm          4 cleanup.policy=compact  max.message.bytes=67108864
topic tier.cold          4 cleanup.policy=delete  retention.ms=$((14 * day))  max.message.bytes=67108864
topic segments.committed 1 cleanup.policy=delete  retention.ms=$((30 * day))  max.message.bytes=67108864
topic catalog            1 cleanup.policy=compact  max.message.bytes=67108864
topic restores           1 cleanup.policy=compact  max.message.bytes=67108864
topic purge.results      1 cleanup.policy=delete  retention.ms=$((30 * day))  max.message.bytes=67108864
topic deadletter         1 cleanup.policy=delete  retention.ms=$((30 * day))  max.message.bytes=67108864
topic stats.daily        1 cleanup.policy=compact,delete  retention.ms=$((400 * day))  max.message.bytes=67108864
topic lifecycle.audit    1 cleanup.policy=delete  retention.ms=$((400 * day))  max.message.bytes=67108864
topic erasure.requests   1 cleanup.policy=delete  retention.ms=$((30 * day))  max.message.bytes=67108864
topic erasure.receipts   1 cleanup.policy=delete  retention.ms=$((400 * day))  max.message.bytes=67108864

"$kafka_topics" --bootstrap-server "$bootstrap" "${command_config[@]}" --describe --topic "$prefix\..*" | grep -v '^\s*Topic:.*Partition:' || true
