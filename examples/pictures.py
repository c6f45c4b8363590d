"""Render the pictures the README and the docs show, from the Istanbul example's record.

    python examples/pictures.py [output-directory]

Writes ``istanbul-timeline.png`` (the record as a timeline chart: one lane per party, the
472-drone night as a bar, the talk rounds as diamonds, the General Staff's corrected tally,
the analysts' causal links as arcs) and ``istanbul-causal.png`` (the causal graph on a time
axis), each also as SVG, into ``docs/img`` by default. The record is kept in memory: nothing
else is written.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import matplotlib as mpl

import timeline as tl
from timeline.plot import draw_causal, timeline_chart

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "docs" / "img"


def load_example() -> ModuleType:
    """The Istanbul example, imported from its file (it is a script, not a module)."""
    spec = importlib.util.spec_from_file_location("istanbul_2025", HERE / "istanbul_2025.py")
    if spec is None or spec.loader is None:
        raise ImportError(HERE / "istanbul_2025.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["istanbul_2025"] = module
    spec.loader.exec_module(module)
    return module


def render(out: Path) -> list[Path]:
    """Record the example's facts in memory and draw them; returns the files written."""
    example = load_example()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tl.open_log("memory:") as log:
        example.record(log)
        chart = timeline_chart(
            log, title="Istanbul, May–June 2025: the record as corrected (timeline)"
        )
        graph = tl.causal_graph(log)
        causal = draw_causal(graph, title="Istanbul, May–June 2025: the causal links")
        for name, figure in (("istanbul-timeline", chart), ("istanbul-causal", causal)):
            for suffix, options in ((".png", {"dpi": 110}), (".svg", {})):
                path = out / f"{name}{suffix}"
                with mpl.rc_context({"svg.hashsalt": "timeline"}):  # the same ids every run
                    figure.savefig(path, metadata=_metadata(suffix), **options)
                written.append(path)
    return written


def _metadata(suffix: str) -> dict[str, str | None]:
    """No creation date or tool version in the files, so that re-rendering changes nothing."""
    if suffix == ".svg":
        return {"Date": None, "Creator": None}
    return {"Software": None}


def main(argv: list[str] | None = None) -> int:
    """Render into the directory named on the command line, or ``docs/img``."""
    args = sys.argv[1:] if argv is None else argv
    for path in render(Path(args[0]) if args else OUT):
        print(f"{path}: {path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
