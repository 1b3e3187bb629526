"""`python -m bench.demo_variant --size large --posts 10000`: `proxima demo load` with fewer posts.

The scale comparison needs the same company (the same people, follows and communities) with another
number of posts. The demo module reads its number of posts per size from `app.demo.POSTS` when it
loads, so this sets that entry and runs the real command; nothing else changes.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> None:
    """Set the number of posts of one demo size, then run `proxima demo load --size SIZE`."""
    parser = argparse.ArgumentParser(prog="python -m bench.demo_variant", description=__doc__)
    parser.add_argument("--size", default="large")
    parser.add_argument("--posts", type=int, required=True)
    args = parser.parse_args(argv)

    from app import cli, demo

    posts = getattr(demo, "POSTS", None)
    if not isinstance(posts, dict) or args.size not in posts:
        raise SystemExit("app.demo.POSTS (posts per demo size) is gone: bench/demo_variant.py needs updating")
    posts[args.size] = args.posts
    sys.argv = ["proxima", "demo", "load", "--size", args.size]
    cli.main()


if __name__ == "__main__":
    main()
