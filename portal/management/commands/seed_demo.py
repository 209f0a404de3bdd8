"""Load a believable demo: firms, officials, moderators, and each package's own content.

Each installed app may ship a `demo.py` with `seed(log)`; they run in INSTALLED_APPS order,
so `portal` never imports the packages above it.
"""

import importlib
import time
from collections.abc import Callable

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from portal.demo import DEMO_PASSWORD, staff_enrolment_reset
from portal.models import Organisation


class Command(BaseCommand):
    help = "Create demo organisations, members, officials, moderators and content."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if organisations already exist."
        )

    def handle(self, *args, if_empty: bool = False, **options) -> None:
        if if_empty and Organisation.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        started = time.monotonic()
        seeders: list[tuple[str, Callable[[Callable[[str], None]], None]]] = []
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.demo":
                    raise
                continue
            seeders.append((config.label, module.seed))
        total = len(seeders)
        for step, (label, seed) in enumerate(seeders, start=1):
            self.stdout.write(f"[{step}/{total}] {label}: seeding…")

            def log(message: str, label: str = label) -> None:
                self.stdout.write(f"      {label}: {message}")

            with transaction.atomic():
                seed(log)
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
