#!/bin/sh
# keyward-entrypoint api | worker | cli <args…>
set -e
case "${1:-api}" in
  api) exec node /app/dist/apps/api/src/main.js ;;
  worker) exec node /app/dist/apps/worker/src/main.js ;;
  cli) shift; exec node /app/dist/apps/cli/src/main.js "$@" ;;
  *) echo "usage: api | worker | cli <command>" >&2; exit 64 ;;
esac
