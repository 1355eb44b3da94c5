#!/usr/bin/env bash
# `make run`: the web server and a Celery worker with its beat scheduler on the embedded filesystem
# broker. Ctrl-C stops everything.
set -euo pipefail
host=${1:-127.0.0.1}
port=${2:-8000}
py=.venv/bin/python
mkdir -p var/broker/queue var/broker/processed

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

.venv/bin/celery -A config worker --beat --loglevel=INFO --concurrency=2 \
  --schedule=var/celerybeat-schedule >var/celery.log 2>&1 &
pids+=($!)

cat <<MSG

  Portfolio portal: http://${host}:${port}/
  Demo logins (password: ${DEMO_PASSWORD:-demo-pass-2027}):
    coordinator  – coordinator: edits the portfolio, prepares proposals and meetings
    steering     – steering-group member: decides proposals
    ministry     – TEM staff: reads everything, downloads summaries
    contact      – project contact: writes and submits the progress reports of two projects
    admin        – superuser (/admin/)
  Celery worker + beat log: var/celery.log. Ctrl-C stops everything.

MSG
$py manage.py runserver "${host}:${port}" &
pids+=($!)
wait -n "${pids[@]}"
