"""System checks of the portal's own settings (`manage.py check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core import checks

# The embedded defaults of settings.PRIVACY_CONTROLLER and PRIVACY_CONTACT_EMAIL.
DEVELOPMENT_PRIVACY_CONTROLLER = "Trade Dialogues Portal secretariat"
DEVELOPMENT_PRIVACY_CONTACT_DOMAIN = "@tradedialogues.example"


@checks.register(checks.Tags.security, deploy=True)
def privacy_notice_names_a_real_controller(app_configs: Any = None, **kwargs: Any) -> list:
    """The privacy notice must name who answers for the data and a mailbox that is read."""
    if settings.PRIVACY_CONTROLLER == DEVELOPMENT_PRIVACY_CONTROLLER or (
        settings.PRIVACY_CONTACT_EMAIL.endswith(DEVELOPMENT_PRIVACY_CONTACT_DOMAIN)
    ):
        return [
            checks.Warning(
                "PRIVACY_CONTROLLER or PRIVACY_CONTACT_EMAIL still holds its development "
                "default, and the privacy notice would name it.",
                hint="Set both to the organisation that runs the portal and a mailbox it reads.",
                id="portal.W001",
            )
        ]
    return []
