"""Load a believable demo: firms, officials, moderators, and each package's own content.

Each installed app may ship a `demo.py` with `seed(log, today=...)`; they run in
INSTALLED_APPS order, so `portal` never imports the packages above it. The story is dated
relative to `--today` (default: today in UTC), so the latest weeks always have something to
show, and one date always gives the same story.
"""

import argparse
import datetime as dt
import importlib
import time
from collections.abc import Callable

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from portal.demo import DEMO_PASSWORD, staff_enrolment_reset, story_today
from portal.models import Organisation


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: write the date as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Create demo organisations, members, officials, moderators and content."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if organisations already exist."
        )
        parser.add_argument(
            "--today",
            type=_iso_date,
            help="The day the story leads up to, YYYY-MM-DD (default: today, UTC).",
        )

    def handle(
        self, *args, if_empty: bool = False, today: dt.date | None = None, **options
    ) -> None:
        if if_empty and Organisation.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        if isinstance(today, str):  # call_command(today="...") skips the parser's type
            try:
                today = _iso_date(today)
            except argparse.ArgumentTypeError as error:
                raise CommandError(f"--today {error}") from None
        today = today or story_today()
        if today > story_today():
            raise CommandError(f"--today {today}: the story cannot end in the future.")
        started = time.monotonic()
        seeders: list[tuple[str, Callable[..., None]]] = []
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.demo":
                    raise
                continue
            seeders.append((config.label, module.seed))
        total = len(seeders)
        self.stdout.write(f"The demo story leads up to {today:%A %d %B %Y}.")
        for step, (label, seed) in enumerate(seeders, start=1):
            self.stdout.write(f"[{step}/{total}] {label}: seeding…")
            step_started = time.monotonic()

            def log(message: str, label: str = label) -> None:
                self.stdout.write(f"      {label}: {message}")

            with transaction.atomic():
                seed(log, today=today)
            self.stdout.write(f"      {label}: done in {time.monotonic() - step_started:.1f} s")
        staff_enrolment_reset()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f} s."))
        self._print_accounts()

    def _print_accounts(self) -> None:
        from portal.demo import DEMO_ACCOUNTS

        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for email, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<42} {description}")
        self.stdout.write(
            "Moderators and the admin set up two-factor authentication on their first visit "
            "to the moderation pages or the admin.\n"
        )
