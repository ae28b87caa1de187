"""What ``wardrobe-cli list --json`` spends writing its answer in a large wardrobe.

    python tests/benchmarks/cli_json_speed.py [--garments 40000] [--photos 16000]

A temporary wardrobe (``big_wardrobe.build_big``); its listing as the command makes it
(``_garment_dict`` of each record), then written to a file as the command's stdout
(line-buffered), median of 5: as
now (``_emit_json``: ``json.dumps``, one write), and as before in the same run
(``json.dump`` to the stream: the pure-Python encoder, a write per token). The last line
is ``garments=<n> mb=<f> emit_ms=<f> before_ms=<f> emit_over_before=<ratio>``.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from big_wardrobe import built_big, size_options  # noqa: E402  (a script beside this one)
from fakes import FakeAnalyser  # noqa: E402

from wardrobe_app.cli import core_commands  # noqa: E402
from wardrobe_app.service import Wardrobe  # noqa: E402


def median_ms(fn: Callable[[], object], out: Path) -> float:
    times = []
    for _ in range(5):
        # as the command's stdout (cli.main): odd bytes escaped, line-buffered
        with (
            out.open("w", encoding="utf-8", errors="backslashreplace") as stream,
            contextlib.redirect_stdout(stream),
        ):
            stream.reconfigure(line_buffering=True)
            start = time.perf_counter()
            fn()
            stream.flush()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = size_options(__doc__)
    args = parser.parse_args()
    with built_big(args) as tmp:
        home = tmp / "home"
        with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
            items = [core_commands._garment_dict(r) for r in w.list_garments()]
        out = tmp / "out.json"

        def before() -> None:
            json.dump(items, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")

        emit = median_ms(lambda: core_commands._emit_json(items), out)
        mb = out.stat().st_size / 1e6
        assert json.loads(out.read_text(encoding="utf-8")) == items
        old = median_ms(before, out)
    print(f"{len(items)} garments, {mb:.1f} MB of JSON, median of 5:")
    print(f"  now (dumps, one write)   {emit:8.1f} ms")
    print(f"  before (dump, per token) {old:8.1f} ms")
    print(
        f"garments={len(items)} mb={mb:.1f} emit_ms={emit:.1f} before_ms={old:.1f} "
        f"emit_over_before={emit / old:.3f}"
    )


if __name__ == "__main__":
    main()
