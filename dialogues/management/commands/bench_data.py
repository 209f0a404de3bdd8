"""Fill an empty PostgreSQL database with benchmark data: `manage.py bench_data --scale small`.

small: 5,000 reports; medium: 50,000 reports and 100,000 posts; large: 500,000 reports,
20,000 threads and 1,000,000 posts (tiny is for the test suite). `make bench` runs it on its
own database (portal_bench_<scale>) after `migrate`. See dialogues/bench_data.py.
"""

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dialogues import bench_data


class Command(BaseCommand):
    help = "Generate benchmark data (reports, threads, posts) in an empty PostgreSQL database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(bench_data.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2026, help="Same seed, same data.")

    def handle(self, *args, scale: str, seed: int, **options) -> None:
        self.stderr.write(f"Generating {scale} benchmark data: {bench_data.SCALES[scale]}")
        try:
            bench_data.generate(scale, seed=seed, out=sys.stderr)
        except RuntimeError as error:
            raise CommandError(str(error)) from None
