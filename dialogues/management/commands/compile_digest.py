"""Compile a week's digest by hand: `python manage.py compile_digest --week 2026-W48`.

Does what the Monday Celery task does, in this process, printing each step: the public
edition, the officials edition, then each subscription's personalised edition. A complete
edition is skipped; `--force` compiles it again (a new revision; its files are queued for
the workers to render anew).
"""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dialogues.digests import services
from dialogues.digests.weeks import InvalidWeek, last_complete_iso_week, parse_iso_week


class Command(BaseCommand):
    help = "Compile the weekly digest of one ISO week (default: last complete week)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--week",
            help="ISO week such as 2026-W48 (default: the last complete week).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Compile again editions that are complete."
        )
        parser.add_argument(
            "--no-personal",
            action="store_true",
            help="Only the public and officials editions, not the subscriptions' editions.",
        )

    def handle(self, *args, week: str | None = None, force: bool = False, **options) -> None:
        week = week or last_complete_iso_week(timezone.now())
        try:
            parse_iso_week(week)
            services.check_week_is_over(week)
        except (InvalidWeek, services.WeekNotOver) as error:
            raise CommandError(str(error)) from None
        started = time.monotonic()
        self.stdout.write(f"Compiling the digest of {week}{' (forced)' if force else ''}")
        results = services.digest_compile_week(
            week=week,
            force=force,
            personal=not options["no_personal"],
            progress=lambda message: self.stdout.write(f"  {message}"),
        )
        compiled = sum(result.compiled for result in results)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{week}: {compiled} edition(s) compiled, {len(results) - compiled} already "
                f"complete, in {elapsed:.1f} s."
            )
        )
