#!/usr/bin/env bash
# Runs Shoal's whole test suite: vet, unit and integration tests, the
# differential suite against redis-server 7.0 (skipped when it is absent),
# and the race detector over the concurrent packages.
set -euo pipefail
cd "$(dirname "$0")/.."
go vet ./...
go test -count=1 -timeout 15m ./...
go test -count=1 -race -timeout 10m ./internal/server/... ./internal/keyspace/... ./internal/resp/... ./internal/config/...
# The process tests that exercise the server's goroutines (background saves,
# AOF fsync, loading, rebinding, client eviction, real clients, scripts,
# replication links, the cluster bus and failover) once more against a
# race-detector build of shoal-server: a race makes it exit at once. The
# memory bound of a stalled replica is checked by the run above only: the
# race build's allocations are not the release build's.
SHOAL_RACE=1 go test -count=1 -timeout 15m ./test/integration -run 'Persist|AOF|RDB|GoRedis|Rebind|ClientEviction|Unix|Script|Loading|Repl|ClusterTutorial|ClusterFailoverKill' -skip 'TestReplSlowReplicaBoundedMemory'
