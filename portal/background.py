"""Queue background work from a request without letting a broker outage fail the request.

Work is queued after the transaction commits, like Celery's `delay_on_commit`. If the broker
(Redis) cannot be reached then, the failure is logged and swallowed: the action the user took
is already committed, and answering HTTP 500 now would only make them repeat it. What was
not queued is picked up later from the database, where it already waits (an `OutboxEmail`
row, a dialogue `Notification`): by the sweepers that beat runs every minute or so
(`portal.tasks.outbox_sweep`, `dialogues.tasks.notifications_sweep`) or by a daily job.
"""

import logging
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

# What publishing raises when the broker is down or unreachable. kombu wraps most connection
# errors in OperationalError; the others can surface from a socket or from redis-py directly.
# kombu's ConnectionError covers InconsistencyError: a Redis that restarted empty has lost the
# queue bindings until a worker reconnects and declares them again.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError,
    kombu.exceptions.ConnectionError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)


def enqueue(task: Task, /, **kwargs: Any) -> bool:
    """Queue `task` now; False (logged) if the broker cannot be reached."""
    try:
        task.apply_async(kwargs=kwargs)
    except BROKER_ERRORS as error:
        logger.warning(
            "Could not queue %s(%s): the broker is unreachable (%s: %s). The work waits in "
            "the database; a sweeper will queue it again.",
            task.name,
            ", ".join(f"{key}={value!r}" for key, value in kwargs.items()),
            type(error).__name__,
            error,
        )
        return False
    return True


def enqueue_on_commit(task: Task, /, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits (at once outside one); a broker
    outage is logged, never raised."""
    transaction.on_commit(lambda: enqueue(task, **kwargs))
