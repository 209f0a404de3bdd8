"""Demo digests for `manage.py seed_demo` (called at the end of dialogues/demo.py).

The demo Kenyan official subscribes to a personalised edition (low-value shipments,
logistics and e-payments, every market), then the twelve complete weeks before the story's
"today" are compiled (the span of the trend chart, which the demo's reports and dialogues
fill week by week), so `make run` opens on a populated archive. Files are rendered by a
worker on first download: 24 PDFs would more than double the time seed_demo takes.
"""

import datetime as dt
from collections.abc import Callable

from dialogues.digests import services
from dialogues.digests.weeks import iso_week_of, shift_iso_week
from portal.demo import PEOPLE, story_today
from portal.models import Country, Topic, User

DEMO_WEEKS = 12
SUBSCRIBER = PEOPLE[5][0]  # the verified official in Kenya


def seed(log: Callable[[str], None], *, today: dt.date | None = None) -> None:
    official = User.objects.filter(email=SUBSCRIBER).first()
    if official is not None:
        services.digest_subscription_set(
            user=official,
            markets=Country.objects.none(),
            topics=Topic.objects.filter(code__in=["SME-01", "SME-03", "ECOM-10"]),
            email=False,
        )
        log(f"digest subscription for {official.email}")
    last = shift_iso_week(iso_week_of(today or story_today()), -1)
    for offset in range(DEMO_WEEKS - 1, -1, -1):
        week = shift_iso_week(last, -offset)
        results = services.digest_compile_week(week=week, prerender=[])
        compiled = sum(result.compiled for result in results)
        log(f"digest {week}: {compiled} edition(s) compiled")
