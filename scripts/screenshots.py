"""Regenerate ``screenshots/*.svg``: one per screen, at 120×36, from the demo history.

    python scripts/screenshots.py [--streams N] [--seed S] [--out screenshots]

The clock is frozen and the user's own config is ignored, so the pictures only change when
the app or the demo does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

SIZE = (120, 36)
NOW = datetime(2025, 12, 31, 20, 30, tzinfo=UTC)
# (file name, keys pressed after the demo has loaded)
SHOTS = (
    ("load", ("1",)),
    ("artists", ()),
    ("artists_search", ("slash", *"beyon", "enter", "enter")),
    ("contexts", ("3",)),
    ("trends", ("4",)),
    ("recommend", ("5",)),
    ("export", ("e",)),
    ("settings", ("6",)),
    ("help", ("2", "question_mark")),
)


async def _shoot(paths: list[str], keys: tuple[str, ...], out: Path) -> None:
    from musicrec_tui.tui.app import make_app
    from musicrec_tui.tui.testing import settle, still

    app = make_app(paths, now=NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in keys:
            still(app)
            await pilot.pause()
            await pilot.press(key)
            await settle(pilot)
        if keys == ("e",):
            app.screen.query_one("#export-path").value = "musicrec-recommendations.json"
        still(app)
        await pilot.pause()
        app.save_screenshot(filename=out.name, path=str(out.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1]
                        / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        # A blank config (defaults only) and a fixed folder for the Load screen's tree.
        os.environ["MUSICREC_CONFIG_DIR"] = str(Path(scratch) / "config")
        os.environ["MUSICREC_CONFIG_FILE"] = str(Path(scratch) / "config" / "config.toml")
        browse = Path(scratch) / "Downloads"
        (browse / "Spotify Extended Streaming History").mkdir(parents=True)
        (browse / "my_spotify_data.zip").write_bytes(b"")
        from musicrec_tui.core.demo import demo_paths

        root = str(demo_paths(args.streams, args.seed))
        os.chdir(browse)
        for name, keys in SHOTS:
            target = args.out / f"{name}.svg"
            asyncio.run(_shoot([root], keys, target))
            print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
