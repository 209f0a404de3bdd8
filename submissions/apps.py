from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Barrier reports")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from portal.pagecache import row_pages_changed
        from submissions.models import BarrierReport

        def report_saved(sender: Any, instance: BarrierReport, **kwargs: Any) -> None:
            # The signed-in pages that show one report (a draft's duplicate hints) are
            # retired by any save of its row, wherever it is made (services, the admin).
            row_pages_changed("report", instance.public_id)

        for event, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                report_saved,
                sender=BarrierReport,
                dispatch_uid=f"submissions.report_pages.{event}",
                weak=False,
            )
