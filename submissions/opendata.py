"""Bulk open data: every report a visitor may read, as gzip-compressed CSV and JSON Lines files
built by a worker and served from media storage.

A full export of hundreds of thousands of reports takes minutes: longer than any web request
may run. So the complete files are built by a Celery task (`tasks.opendata_build`), every
night on Celery beat and on the first request when none exists yet, streamed from the
database in batches of plain rows, each batch starting where the last ended (exports.py's
records, the same schema as the filtered exports), into a local scratch file through gzip,
and stored through Django's storage API (local or S3). Memory stays flat, and each batch
costs the same few queries, whatever the number of reports.

A build is claimed first with one conditional UPDATE of the format's `OpenDataFile` row
(`building_since`), so however many requests and beats ask while it runs, one build runs. A
web request never builds: it streams the last built file, or answers "being prepared".
"""

import datetime as dt
import gzip
import json
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from submissions import exports
from submissions.models import OpenDataFile

logger = logging.getLogger(__name__)

# Longer than the build task's time limit: a claim this old belongs to a dead worker.
BUILD_STALE = dt.timedelta(minutes=60)
FOLDER = "open-data"
# Bytes gathered before each write to the gzip stream.
WRITE_BUFFER = 256 * 1024


@dataclass(frozen=True)
class BulkFormat:
    filename: str
    content_type: str


BULK_FORMATS: dict[str, BulkFormat] = {
    OpenDataFile.Format.CSV: BulkFormat("barrier-reports.csv.gz", "text/csv"),
    OpenDataFile.Format.JSONL: BulkFormat("barrier-reports.jsonl.gz", "application/x-ndjson"),
}


def bulk_file_for(fmt: str) -> OpenDataFile:
    """The format's row, created once."""
    file = OpenDataFile.objects.filter(fmt=fmt).first()
    if file is not None:
        return file
    try:
        with transaction.atomic():
            return OpenDataFile.objects.create(fmt=fmt)
    except IntegrityError:
        return OpenDataFile.objects.get(fmt=fmt)


def bulk_files() -> list[OpenDataFile]:
    """Every format's row, in the order of BULK_FORMATS (the open-data page)."""
    rows = {file.fmt: file for file in OpenDataFile.objects.all()}
    return [rows.get(fmt) or bulk_file_for(fmt) for fmt in BULK_FORMATS]


def _claim(fmt: str) -> dt.datetime | None:
    """Mark a build of `fmt` as started, unless one is running: the claim's time, or None."""
    now = timezone.now()
    free = Q(building_since__isnull=True) | Q(building_since__lt=now - BUILD_STALE)
    claimed = OpenDataFile.objects.filter(free, fmt=fmt).update(building_since=now)
    return now if claimed else None


def _queue(fmt: str, claim: dt.datetime) -> None:
    from submissions.tasks import opendata_build

    opendata_build.delay_on_commit(fmt=fmt, claim=claim.isoformat())


def bulk_build_queue(fmt: str) -> bool:
    """Queue a build of `fmt` unless one is queued or running already (beat, first request)."""
    if fmt not in BULK_FORMATS:
        raise ValueError(f"Unknown open-data format {fmt!r}.")
    bulk_file_for(fmt)
    claim = _claim(fmt)
    if claim is None:
        return False
    _queue(fmt, claim)
    return True


def bulk_file_request(fmt: str) -> OpenDataFile:
    """A reader wants the file: the row, built already or queued for a worker (once, however
    many readers ask). Never builds anything itself."""
    file = bulk_file_for(fmt)
    if not file.is_ready and file.building_since is None:
        bulk_build_queue(fmt)
        file.refresh_from_db()
    return file


def _lines(fmt: str) -> Iterator[str]:
    if fmt == OpenDataFile.Format.CSV:
        yield from exports.csv_rows()
    else:
        for record in exports.records():
            yield json.dumps(record, ensure_ascii=False) + "\n"


def _write(fmt: str, scratch: IO[bytes]) -> int:
    """Stream the records into `scratch` through gzip; returns the number of reports."""
    rows = -1 if fmt == OpenDataFile.Format.CSV else 0  # the CSV's header is not a report
    buffer: list[str] = []
    buffered = 0
    with gzip.GzipFile(fileobj=scratch, mode="wb", mtime=0) as compressed:
        for line in _lines(fmt):
            rows += 1
            buffer.append(line)
            buffered += len(line)
            if buffered >= WRITE_BUFFER:
                compressed.write("".join(buffer).encode("utf-8"))
                buffer, buffered = [], 0
        compressed.write("".join(buffer).encode("utf-8"))
    return max(rows, 0)


def bulk_file_build(*, fmt: str, claim: dt.datetime) -> OpenDataFile | None:
    """Build `fmt` under the claim `claim` (workers only): None if the claim is no longer
    this build's (a newer build took over a stale one)."""
    mine = OpenDataFile.objects.filter(fmt=fmt, building_since=claim)
    if not mine.exists():
        return None
    # Microseconds: a rebuild within the same second must not overwrite (S3 storages do).
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    stem, extension = BULK_FORMATS[fmt].filename.split(".", 1)
    name = f"{FOLDER}/{stem}-{stamp}.{extension}"
    storage = default_storage
    try:
        # A local scratch file with no name: gone even if the worker is killed.
        with tempfile.TemporaryFile() as scratch:
            rows = _write(fmt, scratch)
            size = scratch.tell()
            scratch.seek(0)
            stored = storage.save(name, File(scratch, name=name.rsplit("/", 1)[-1]))
    except BaseException:
        mine.update(building_since=None)  # the next request or beat tries again
        raise
    previous = OpenDataFile.objects.get(fmt=fmt).name
    done = mine.update(
        name=stored, size=size, rows=rows, built_at=timezone.now(), building_since=None
    )
    if not done:
        storage.delete(stored)
        return None
    if previous and previous != stored:
        storage.delete(previous)
    logger.info("open data %s built: %s reports, %s bytes", fmt, rows, size)
    return OpenDataFile.objects.get(fmt=fmt)


def open_bulk_file(file: OpenDataFile) -> File:
    return default_storage.open(file.name, "rb")
