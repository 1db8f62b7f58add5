"""``python -m portal``: preload the demo's stories on a SQLite file and serve the portal."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import uvicorn

from .app import create_app
from .world import preload


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m portal", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument("--db", type=Path, help="new SQLite file to keep (default: temporary)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tnorder-portal-") as folder:
        db = args.db or Path(folder) / "portal.db"
        if db.exists():
            parser.error(f"{db} exists; the portal preloads a new database")
        world = preload(db)
        try:
            print(f"tnorder portal on http://{args.host}:{args.port}/ (SQLite at {db})", flush=True)
            uvicorn.run(create_app(world), host=args.host, port=args.port, log_level="warning")
        finally:
            world.close()


if __name__ == "__main__":
    main()
