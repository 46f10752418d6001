#!/usr/bin/env bash
# The coldframe ACLs for the compose secure profile (docs/deploy.md#kafka-with-sasl-tls-and-acls): the same as
# k8s/components/kafka-security/kafkausers.yaml, one line each:  acl USER RESOURCE-TYPE NAME literal|prefix OPERATION...
# Runs kafka-acls.sh as the admin (super) user. Idempotent: adding an existing ACL changes nothing.
# Environment: COLDFRAME_KAFKA_BOOTSTRAP_SERVERS, KAFKA_COMMAND_CONFIG (the admin client properties).
set -euo pipefail

bootstrap="${COLDFRAME_KAFKA_BOOTSTRAP_SERVERS:?set COLDFRAME_KAFKA_BOOTSTRAP_SERVERS}"
command_config="${KAFKA_COMMAND_CONFIG:?set KAFKA_COMMAND_CONFIG}"
kafka_acls="${KAFKA_ACLS:-/opt/kafka/bin/kafka-acls.sh}"

acl() {
  local user="$1" type="$2" name="$3" pattern="$4"
  shift 4
  local resource
  case "$type" in
    topic) resource=(--topic "$name") ;;
    group) resource=(--group "$name") ;;
    transactionalId) resource=(--transactional-id "$name") ;;
    *) echo "unknown resource type $type" >&2; return 1 ;;
  esac
  local operations=()
  for operation in "$@"; do
    operations+=(--operation "$operation")
  done
  [[ "$pattern" == prefix ]] && pattern=prefixed
  "$kafka_acls" --bootstrap-server "$bootstrap" --command-config "$command_config" --add --allow-principal "User:$user" \
    "${resource[@]}" --resource-pattern-type "$pattern" "${operations[@]}" > /dev/null
  echo "acl User:$user $type $name ($pattern): $*"
}

# Kafka Connect: writes the change topic, its heartbeats and its own internal topics.
acl coldframe-connect  topic           coldframe.changes                literal Write Describe
acl coldframe-connect  topic           __coldframe.mongodb.heartbeats   literal Write Describe Create
acl coldframe-connect  topic           __coldframe.connect.             prefix  Read Write Describe DescribeConfigs Create
acl coldframe-connect  group           coldframe-connect                literal Read Describe

# streams-app (tiering, exactly_once_v2): reads changes and restore marks, writes the tier topics; its tier analytics
# (application coldframe-tiering-stats) read the tier topics, commit events, purge results and restore marks and write
# the stats topic.
acl coldframe-streams  topic           coldframe.changes                literal Read Describe
acl coldframe-streams  topic           coldframe.restores               literal Read Describe
acl coldframe-streams  topic           coldframe.tier.                  prefix  Read Write Describe
acl coldframe-streams  topic           coldframe.segments.committed     literal Read Describe
acl coldframe-streams  topic           coldframe.purge.results          literal Read Describe
acl coldframe-streams  topic           coldframe.stats.daily            literal Write Describe
acl coldframe-streams  topic           coldframe.deadletter             literal Write Describe
acl coldframe-streams  topic           coldframe-tiering-               prefix  All
acl coldframe-streams  group           coldframe-tiering                prefix  Read Describe
acl coldframe-streams  transactionalId coldframe-tiering                prefix  Write Describe

# archiver-worker: reads the cold tier, the only writer of commit events and the catalog.
acl coldframe-archiver topic           coldframe.tier.cold              literal Read Describe
acl coldframe-archiver topic           coldframe.segments.committed     literal Write Describe
acl coldframe-archiver topic           coldframe.catalog                literal Read Write Describe
acl coldframe-archiver topic           coldframe.deadletter             literal Write Describe
acl coldframe-archiver group           coldframe-archiver               literal Read Describe
acl coldframe-archiver transactionalId coldframe-archiver-              prefix  Write Describe

# purger: reads commit events and restore marks, writes purge results.
acl coldframe-purger   topic           coldframe.segments.committed     literal Read Describe
acl coldframe-purger   topic           coldframe.restores               literal Read Describe
acl coldframe-purger   topic           coldframe.purge.results          literal Write Describe
acl coldframe-purger   topic           coldframe.deadletter             literal Write Describe
acl coldframe-purger   group           coldframe-purger                 prefix  Read Describe
acl coldframe-purger   transactionalId coldframe-purger-                prefix  Write Describe

# coldframe restore (operators): reads the catalog, the only writer of restore marks.
acl coldframe-restore  topic           coldframe.catalog                literal Read Describe
acl coldframe-restore  topic           coldframe.restores               literal Read Write Describe

# coldframe erase and retention run (operators; erase --follow-requests): the second writer of the catalog (tombstones
# and entries moved to a rewritten segment), tombstones on the hot and warm tier views, the audit and receipt topics.
acl coldframe-lifecycle topic          coldframe.catalog                literal Read Write Describe
acl coldframe-lifecycle topic          coldframe.tier.hot               literal Write Describe
acl coldframe-lifecycle topic          coldframe.tier.warm              literal Write Describe
acl coldframe-lifecycle topic          coldframe.lifecycle.audit        literal Write Describe
acl coldframe-lifecycle topic          coldframe.erasure.requests       literal Read Describe
acl coldframe-lifecycle topic          coldframe.erasure.receipts       literal Write Describe
acl coldframe-lifecycle topic          coldframe.deadletter             literal Write Describe
acl coldframe-lifecycle group          coldframe-erasure                literal Read Describe

# archive-service: indexes the catalog and the hot/warm tiers, reads the daily stats for GET /stats (Kafka Streams, at-least-once), tails dead letters,
# reads consumer lag for its health score, and publishes restore marks for POST /restore (a restore actor).
acl coldframe-service  topic           coldframe.catalog                literal Read Describe
acl coldframe-service  topic           coldframe.tier.                  prefix  Read Describe
acl coldframe-service  topic           coldframe.deadletter             literal Read Describe
acl coldframe-service  topic           coldframe.restores               literal Read Write Describe
acl coldframe-service  topic           coldframe.stats.daily            literal Read Describe
acl coldframe-service  topic           coldframe.                       prefix  Describe
acl coldframe-service  topic           coldframe-archive-service-       prefix  All
acl coldframe-service  group           coldframe-archive-service        prefix  Read Describe
acl coldframe-service  group           coldframe-                       prefix  Describe
# hot-cache: reads the hot and warm tiers and commit events, writes dead letters.
acl coldframe-hot-cache topic          coldframe.tier.hot               literal Read Describe
acl coldframe-hot-cache topic          coldframe.tier.warm              literal Read Describe
acl coldframe-hot-cache topic          coldframe.segments.committed     literal Read Describe
acl coldframe-hot-cache topic          coldframe.deadletter             literal Write Describe
acl coldframe-hot-cache group          coldframe-hot-cache              literal Read Describe
# Read-only tools: coldframe gc, scrub, reconcile and audit, KEDA's lag trigger.
acl coldframe-reader   topic           coldframe.                       prefix  Read Describe
acl coldframe-reader   group           coldframe-                       prefix  Describe
