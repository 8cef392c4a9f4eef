#!/usr/bin/env bash
# The installed package, away from the checkout: build the wheel, install it into a fresh venv in
# an empty temporary folder, and run what a city does first:
#   barometer --version; barometer sample --out city; barometer run city/pipeline.toml;
#   barometer models; barometer app (served and rendered).
#
# To stay fast the fresh venv does not download the dependencies again: it sees the dev venv's
# site-packages through a .pth file (a plain path entry, so the dev venv's editable install of
# the checkout is not loaded), and the wheel goes in with `pip install --no-deps`. The check
# fails if `barometer` is imported from anywhere but the fresh venv.
set -euo pipefail
cd "$(dirname "$0")/.."
DEV_PYTHON="${DEV_PYTHON:-.venv/bin/python}"
WORK="$(mktemp -d -t barometer-wheel-XXXXXX)"
APP_PID=""
cleanup() {
  # `barometer app` runs Streamlit as its child: end the app's whole process group
  if [ -n "$APP_PID" ]; then kill -- "-$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== wheel: build (from the files git tracks or would track, copied: no stale build/)"
mkdir "$WORK/src"
git ls-files -z --cached --others --exclude-standard \
  | tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$WORK/src"
"$DEV_PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$WORK/dist" "$WORK/src" 2>&1 | grep -v "^WARNING: Location" || true
WHEEL="$(ls "$WORK"/dist/barometer-*.whl)"
echo "built $(basename "$WHEEL") ($(du -h "$WHEEL" | cut -f1))"

echo "== wheel: fresh venv in $WORK"
"$DEV_PYTHON" -m venv --without-pip "$WORK/venv"
PY="$WORK/venv/bin/python"
DEV_SITE="$("$DEV_PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
NEW_SITE="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$DEV_SITE" > "$NEW_SITE/dev-venv-dependencies.pth"
"$PY" -m pip install --quiet --no-deps --no-index "$WHEEL" 2>&1 | grep -v "^WARNING: Location" || true

mkdir "$WORK/empty"
cd "$WORK/empty"
"$PY" - <<'EOF'
import sys
from pathlib import Path
import barometer
where = Path(barometer.__file__).resolve()
assert Path(sys.prefix).resolve() in where.parents, f"barometer imported from {where}, not the wheel"
print(f"barometer {barometer.__version__} imported from {where.parent}")
EOF
BAROMETER="$WORK/venv/bin/barometer"
unset BAROMETER_MODELS_DIR BAROMETER_DATA_DIR BAROMETER_WAREHOUSE

echo "== wheel: barometer --version"
"$BAROMETER" --version
echo "== wheel: barometer sample --out city"
"$BAROMETER" sample --out city > sample.log
tail -1 sample.log
test -f city/pipeline.toml
echo "== wheel: barometer run city/pipeline.toml"
"$BAROMETER" run city/pipeline.toml --quiet 2> run.log | tail -14
test -f city/warehouse/barometer.duckdb
echo "== wheel: barometer models"
"$BAROMETER" models | tee models.log
grep -q "hostility" models.log

echo "== wheel: barometer app"
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
setsid "$BAROMETER" app --warehouse city/warehouse --port "$PORT" > app.log 2>&1 &
APP_PID=$!
for _ in $(seq 120); do
  if "$PY" -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:$PORT/_stcore/health', timeout=2).read() != b'ok')" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$APP_PID" 2>/dev/null; then cat app.log; echo "error: barometer app exited" >&2; exit 1; fi
  sleep 1
done
"$PY" -c "import urllib.request; assert urllib.request.urlopen('http://127.0.0.1:$PORT/_stcore/health', timeout=5).read() == b'ok'"
echo "the app answers on 127.0.0.1:$PORT"
# every page renders from the installed package, on the warehouse just built
BAROMETER_WAREHOUSE="$PWD/city/warehouse" "$PY" - <<'EOF'
import sys
from streamlit.logger import set_log_level
from streamlit.testing.v1 import AppTest
from barometer.locations import app_entry

set_log_level("error")  # AppTest outside a server warns about its missing script context
sys.path.insert(0, str(app_entry().parent))
at = AppTest.from_file(str(app_entry()), default_timeout=120).run()
pages = ["overview", "trends", "drivers", "impact", "models", "quality"]
for page in pages:
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, (page, [e.message for e in at.exception])
    assert at.title or at.header or at.markdown, page
print(f"{len(pages)} pages render without an exception")
EOF
echo "== wheel: all checks passed"
