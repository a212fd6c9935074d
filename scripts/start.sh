#!/usr/bin/env bash
# Builds shoal-server and starts it in the foreground with the given
# redis-server style arguments, e.g.: scripts/start.sh --port 6380
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/ ./cmd/...
exec ./bin/shoal-server "$@"
