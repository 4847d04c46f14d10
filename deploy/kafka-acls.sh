#!/bin/sh
# Generated from KAFKA_PRINCIPALS in libs/config/src/kafka-acls.ts; do not edit. Regenerate (other prefixes too) with:
#   node -r @swc-node/register deploy/kafka-acls.ts [--topic-prefix shadow.] [--group-prefix penumbra.] > deploy/kafka-acls.sh
# Run with a super user, on a broker with an authorizer (StandardAuthorizer under KRaft):
#   BOOTSTRAP=kafka:9092 ADMIN_CONFIG=admin.properties sh deploy/kafka-acls.sh
# Principals: traffic-mirror, comparator, aggregator, sentinel, audit-sink, console, operator, capture, actuator, metrics-source, reader; create their SCRAM credentials first, for example:
#   kafka-configs.sh --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --alter --add-config 'SCRAM-SHA-512=[password=…]' --entity-type users --entity-name comparator
# penumbra-admin (the broker's super user) provisions topics and never runs a service.
set -eu
: "${BOOTSTRAP:?set BOOTSTRAP to host:port}"
: "${ADMIN_CONFIG:?set ADMIN_CONFIG to a client properties file of a super user}"
KAFKA_ACLS="${KAFKA_ACLS:-kafka-acls.sh}"

# User:traffic-mirror: replays captured traffic to candidates and emits pairs; saves the requests of regressions to the corpus
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Read --topic shadow.traffic --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Read --topic shadow.experiments --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Read --topic shadow.aggregates --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Read --topic shadow.commands --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Read --topic shadow.corpus --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Write --topic shadow.pairs --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Write --topic shadow.metrics --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Write --topic shadow.dlq --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Write --topic shadow.alerts --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Write --topic shadow.corpus --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Read --group penumbra.traffic-mirror --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation Read --group penumbra-traffic-mirror-corpus-reader- --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:traffic-mirror --operation IdempotentWrite --cluster

# User:comparator: turns pairs into diff events
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:comparator --operation Read --topic shadow.pairs --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:comparator --operation Read --topic shadow.experiments --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:comparator --operation Write --topic shadow.diffs --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:comparator --operation Write --topic shadow.dlq --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:comparator --operation Write --topic shadow.alerts --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:comparator --operation Read --group penumbra.comparator --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:comparator --operation IdempotentWrite --cluster

# User:aggregator: rolls diffs and metrics into windows and publishes aggregate snapshots
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:aggregator --operation Read --topic shadow.diffs --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:aggregator --operation Read --topic shadow.metrics --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:aggregator --operation Read --topic shadow.experiments --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:aggregator --operation Write --topic shadow.aggregates --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:aggregator --operation Write --topic shadow.dlq --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:aggregator --operation Write --topic shadow.alerts --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:aggregator --operation Read --group penumbra.aggregator --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:aggregator --operation IdempotentWrite --cluster

# User:sentinel: judges aggregates and operator requests, emits commands and alerts, halts experiments
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:sentinel --operation Read --topic shadow.aggregates --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:sentinel --operation Read --topic shadow.acks --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:sentinel --operation Read --topic shadow.control --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:sentinel --operation Read --topic shadow.experiments --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:sentinel --operation Write --topic shadow.commands --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:sentinel --operation Write --topic shadow.experiments --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:sentinel --operation Write --topic shadow.dlq --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:sentinel --operation Write --topic shadow.alerts --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:sentinel --operation Read --group penumbra.sentinel --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:sentinel --operation IdempotentWrite --cluster

# User:audit-sink: writes every control-plane event to the hash-chained audit topic in transactions
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Read --topic shadow.experiments --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Read --topic shadow.control --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Read --topic shadow.commands --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Read --topic shadow.acks --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Read --topic shadow.alerts --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Read --topic shadow.dlq --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Read --topic shadow.audit --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Write --topic shadow.audit --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Read --group penumbra.audit-sink --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Read --group penumbra-audit-sink-reader- --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Write --transactional-id penumbra-audit-sink --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation Describe --transactional-id penumbra-audit-sink --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:audit-sink --operation IdempotentWrite --cluster

# User:console: the web console: reads experiments, snapshots, commands, alerts and the audit, and sends signed control requests; dead-letters what it cannot read
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:console --operation Read --topic shadow.experiments --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:console --operation Read --topic shadow.aggregates --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:console --operation Read --topic shadow.commands --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:console --operation Read --topic shadow.alerts --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:console --operation Read --topic shadow.audit --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:console --operation Write --topic shadow.control --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:console --operation Write --topic shadow.dlq --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:console --operation Write --topic shadow.alerts --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:console --operation Read --group penumbra.console --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:console --operation Read --group penumbra-console-reader- --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:console --operation IdempotentWrite --cluster

# User:operator: the CLI: applies experiments, sends control requests, reads history and alerts, rebuilds aggregates (under the aggregator group), replays retained traffic (under its own replay group, writing replayed pairs and their dead letters), lists, prunes and replays the regression corpus
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Read --topic shadow.experiments --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Read --topic shadow.alerts --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Read --topic shadow.audit --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Read --topic shadow.diffs --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Read --topic shadow.metrics --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Read --topic shadow.traffic --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Read --topic shadow.corpus --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Write --topic shadow.experiments --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Write --topic shadow.control --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Write --topic shadow.pairs --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Write --topic shadow.dlq --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Write --topic shadow.corpus --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Read --group penumbra-cli-reader- --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Read --group penumbra.aggregator --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation Read --group penumbra.replay. --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:operator --operation IdempotentWrite --cluster

# User:capture: capture proxies, middleware and GoReplay: publish production traffic
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:capture --operation Write --topic shadow.traffic --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:capture --operation IdempotentWrite --cluster

# User:actuator: command appliers (the SDK): follow commands and acknowledge them
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:actuator --operation Read --topic shadow.commands --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:actuator --operation Write --topic shadow.acks --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:actuator --operation Read --group penumbra.sdk. --resource-pattern-type prefixed
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:actuator --operation IdempotentWrite --cluster

# User:metrics-source: external systems publishing domain metrics
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:metrics-source --operation Write --topic shadow.metrics --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:metrics-source --operation IdempotentWrite --cluster

# User:reader: dashboards and consoles: read everything but raw traffic, write nothing
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --topic shadow.experiments --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --topic shadow.pairs --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --topic shadow.diffs --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --topic shadow.metrics --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --topic shadow.aggregates --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --topic shadow.control --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --topic shadow.commands --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --topic shadow.alerts --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --topic shadow.acks --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --topic shadow.audit --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --topic shadow.dlq --resource-pattern-type literal
"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal User:reader --operation Read --group penumbra-cli-reader- --resource-pattern-type prefixed
