#!/usr/bin/env bash
# Start the frozen app (PyInstaller one-folder build) under Xvfb with a temporary data
# folder and import one photo given on the command line; pass when a garment is stored.
#
#   packaging/smoke_test_bundle.sh [dist/wardrobe/wardrobe] [photo.jpg]
set -euo pipefail
APP=${1:-dist/wardrobe/wardrobe}
PHOTO=${2:-../shared/data/ccp/images/0002.jpg}
WAIT=${WAIT:-300}
TMP=$(mktemp -d)
mkdir -p "$TMP/config/Wardrobe"
printf '[import]\nreview=false\n' > "$TMP/config/Wardrobe/Wardrobe.conf"

DISPLAY_NUM=${DISPLAY_NUM:-97}
Xvfb ":$DISPLAY_NUM" -screen 0 1440x900x24 -nolisten tcp > "$TMP/xvfb.out" 2>&1 &
XVFB=$!
# The data folder, settings and logs go too (the logs are shown below before exit).
trap 'kill "$XVFB" 2>/dev/null || true; rm -rf "$TMP"' EXIT
sleep 1
DISPLAY=":$DISPLAY_NUM" XDG_CONFIG_HOME="$TMP/config" \
    "$APP" --data-dir "$TMP/data" "$(realpath "$PHOTO")" > "$TMP/app.out" 2>&1 &
PID=$!

count_garments() {
    python3 - "$TMP/data/wardrobe.sqlite3" <<'PY' 2>/dev/null || echo 0
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=1)
print(db.execute("SELECT count(*) FROM garments").fetchone()[0])
PY
}

status=1
for _ in $(seq "$WAIT"); do
    if ! kill -0 "$PID" 2>/dev/null; then
        echo "the app exited early"; break
    fi
    n=$(count_garments)
    if [ "${n:-0}" -gt 0 ]; then
        # the noun that goes with the count, as the CLI's (cli/text.py), not "garment(s)"
        if [ "$n" -eq 1 ]; then noun=garment; else noun=garments; fi
        echo "OK: the frozen app stored $n $noun from $(basename "$PHOTO")"
        status=0; break
    fi
    sleep 1
done
kill "$PID" 2>/dev/null || true
wait "$PID" 2>/dev/null || true
echo "--- app output"; tail -20 "$TMP/app.out" || true
echo "--- wardrobe.log"; tail -20 "$TMP/data/wardrobe.log" 2>/dev/null || true
exit $status
