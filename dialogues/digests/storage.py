"""Digest files in media storage, through Django's storage API only.

The storage is `default_storage`: the local file system under `var/media` by default, S3-
compatible object storage when `MEDIA_STORAGE_URL` says so (settings.py). Nothing here knows
which: no paths, no renames, no directory walks of our own. Each revision's files live under
`folder_for(digest, revision)` ("digests/2026-W48/public-r3"), named by
`render.digest_filename`.

A file is only ever written whole by the one worker that claimed its `DigestFile` row, and
only read once that row says it is ready, so no reader sees half a file on either storage.
"""

import logging
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage, default_storage

from dialogues.digests.models import Digest, DigestFile
from dialogues.digests.render import digest_filename

logger = logging.getLogger(__name__)


def file_storage() -> Storage:
    return default_storage


def folder_for(digest: Digest, revision: int) -> str:
    """Where the files of one revision of `digest` live."""
    owner = f"personal-{digest.subscription_id}" if digest.subscription_id else digest.edition
    return f"digests/{digest.week}/{owner}-r{revision}"


def file_name(file: DigestFile) -> str:
    digest = file.digest
    filename = digest_filename(
        digest.week, file.fmt, edition=digest.edition, language=file.language
    )
    return f"{folder_for(digest, file.revision)}/{filename}"


def write(name: str, content: IO[bytes]) -> str:
    """Store `content` (a complete, rewound file) under `name`, replacing what is there (a
    file a killed worker left behind); returns the name the storage used."""
    storage = file_storage()
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, File(content, name=name.rsplit("/", 1)[-1]))


def open_file(name: str) -> File:
    return file_storage().open(name, "rb")


def _files_under(storage: Storage, folder: str) -> list[str]:
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" for name in files]
    for directory in directories:
        names.extend(_files_under(storage, f"{folder}/{directory}"))
    return names


def clear_folder(folder: str) -> int:
    """Delete every file under `folder` (and the folder, where the storage has folders)."""
    storage = file_storage()
    names = _files_under(storage, folder)
    for name in names:
        storage.delete(name)
    storage.delete(folder)  # removes the empty directory on a file system; nothing on S3
    return len(names)


def remove_other_revisions(digest: Digest) -> int:
    """Once a revision is committed, the files of every other revision of the edition go:
    earlier revisions, and anything left by a compile that never committed."""
    storage = file_storage()
    week_folder = f"digests/{digest.week}"
    current = folder_for(digest, digest.revision).rsplit("/", 1)[-1]
    owner = current.rsplit("-r", 1)[0]
    try:
        folders, _files = storage.listdir(week_folder)
    except FileNotFoundError:
        return 0
    removed = 0
    for folder in folders:
        if folder != current and folder.rsplit("-r", 1)[0] == owner:
            removed += clear_folder(f"{week_folder}/{folder}")
    if removed:
        logger.info("digest %s: removed %s file(s) of other revisions", digest, removed)
    return removed
