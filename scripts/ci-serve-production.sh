#!/usr/bin/env bash
# CI (defect 3): the production image's static step and one page served with the production settings.
# `collectstatic` with config.settings.production (whitenoise's compressed manifest storage) into a
# temporary STATIC_ROOT, then gunicorn on a free local port with the same settings; GET /accounts/login/
# must answer 200 and link a hashed static file. Usage: scripts/ci-serve-production.sh DATABASE_URL
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
tmp=$(mktemp -d)
gunicorn_pid=""
cleanup() {
  if [ -n "$gunicorn_pid" ]; then kill "$gunicorn_pid" 2>/dev/null || true; wait "$gunicorn_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="ci-$(date +%s)-only-for-the-production-serve-check-0123456789abcdefghijklmnopqrstuvwxyz"
export ALLOWED_HOSTS=127.0.0.1 DATABASE_URL="${1:?DATABASE_URL}" CACHE_URL=locmemcache:// STATIC_ROOT="$tmp/static"

$py manage.py collectstatic --noinput -v 0
test -s "$tmp/static/staticfiles.json"

port=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$port" --workers 1 --timeout 60 \
  >"$tmp/gunicorn.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 60); do
  curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
  kill -0 "$gunicorn_pid" 2>/dev/null || { cat "$tmp/gunicorn.log"; exit 1; }
  sleep 1
done
# The TLS proxy tells Django the request came over HTTPS (SECURE_PROXY_SSL_HEADER); without it, a redirect.
status=$(curl -s -o "$tmp/login.html" -w '%{http_code}' -H 'X-Forwarded-Proto: https' \
  "http://127.0.0.1:$port/accounts/login/")
if [ "$status" != 200 ] || ! grep -Eq '/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css' "$tmp/login.html"; then
  echo "production login page: HTTP $status, hashed static URL missing" >&2
  cat "$tmp/gunicorn.log" >&2
  exit 1
fi
echo "production settings: collectstatic ok, /accounts/login/ 200 with hashed static URLs"
