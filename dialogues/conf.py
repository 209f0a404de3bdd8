"""Dialogue settings. Each reads `settings.DIALOGUES_*` when set, else the default here, at
call time so tests can override them."""

from django.conf import settings

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25
QUEUE_PAGE_SIZE = 25
SEARCH_RESULTS_PER_PAGE = 20


def flags_to_hold() -> int:
    """Open flags that hide a post until a moderator decides (DIALOGUES_FLAGS_TO_HIDE)."""
    return max(1, int(getattr(settings, "DIALOGUES_FLAGS_TO_HIDE", 3)))


def premoderated_first_posts() -> int:
    """How many of a new member's posts a moderator approves first."""
    return max(0, int(getattr(settings, "DIALOGUES_PREMODERATED_FIRST_POSTS", 3)))


def posts_per_minute() -> int:
    """How many posts (threads included) one member may write in any 60 seconds."""
    return max(1, int(getattr(settings, "DIALOGUES_POSTS_PER_MINUTE", 5)))


SLOW_MODE_CHOICES = (0, 30, 60, 300, 900, 3600)
SUSPENSION_DAYS_CHOICES = (1, 3, 7, 30, 90, 365)
