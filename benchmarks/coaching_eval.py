"""The coaching evaluation set, judged: is Coach's advice what an adviser would say?

    .venv/bin/python benchmarks/coaching_eval.py [--verbose] [STORY ...]

Reads every story of docs/coaching-stories/ (or the ones named), makes its books, runs the same
assessment the daily insight runs, and prints "right in N of M" with each miss: the story, what was
expected and what Coach said. ``--verbose`` also prints every card of every story. Needs no
database: the assessment is pure.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stories", nargs="*", help="story names (file names without .yaml)")
    parser.add_argument("--verbose", action="store_true", help="print every story's cards")
    args = parser.parse_args()

    import django

    django.setup()
    from insights.evaluation import judge_all, load_stories

    stories = [s for s in load_stories() if not args.stories or s.name in args.stories]
    verdicts = judge_all(stories)
    for verdict in verdicts:
        if verdict.right and not args.verbose:
            continue
        mark = "right" if verdict.right else "MISS"
        print(f"{mark}: {verdict.story.name} ({verdict.story.title})")
        for miss in verdict.misses:
            print(f"    - {miss}")
        if args.verbose or not verdict.right:
            for card in verdict.cards():
                print(f"      {card}")
    right = sum(verdict.right for verdict in verdicts)
    print(f"right in {right} of {len(verdicts)}")
    return 0 if right == len(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
