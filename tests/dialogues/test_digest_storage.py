"""Digest files go through Django's storage API: written by the render task, read by the
download view, replaced by a new revision, cleaned after failures and dead workers. The same
tests run on the local file system and on S3 (a real S3 API server), by `media_storage`."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from dialogues.digests import services
from dialogues.digests.models import Digest, DigestFile
from dialogues.digests.snapshot import EditionSpec
from dialogues.digests.weeks import iso_week_bounds
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db

WEEK = "2025-W48"
START, _END = iso_week_bounds(WEEK)
FOLDER = f"digests/{WEEK}/public"


def names(revision: int, *languages: str) -> list[str]:
    return sorted(
        f"{FOLDER}-r{revision}/trade-digest-{WEEK}-public-{language}.{fmt}"
        for language in languages
        for fmt in ("csv", "pdf", "xlsx")
    )


@pytest.fixture
def week(db):
    BarrierReportFactory(
        title="Payment gateways refuse foreign merchants", published_at=START + dt.timedelta(days=1)
    )
    return WEEK


def compile_public(run_on_commit, *, force: bool = False) -> Digest:
    with run_on_commit():
        result = services.digest_compile_edition(
            week=WEEK, spec=EditionSpec(Digest.Edition.PUBLIC), force=force, render=["en"]
        )
    return result.digest


def test_files_are_written_read_replaced_and_cleaned(week, media_storage, client, run_on_commit):
    digest = compile_public(run_on_commit)
    assert media_storage.names("digests") == names(1, "en")

    response = client.get(f"/digests/{WEEK}.csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert content.startswith("section,")
    assert "Payment gateways refuse foreign merchants" in content

    forced = compile_public(run_on_commit, force=True)
    assert (forced.pk, forced.revision) == (digest.pk, 2)
    assert media_storage.names("digests") == names(2, "en")
    assert client.get(f"/digests/{WEEK}.pdf").status_code == 200


def test_a_failed_render_stores_nothing_and_the_next_request_tries_again(
    week, media_storage, run_on_commit, monkeypatch, client, django_capture_on_commit_callbacks
):
    digest = compile_public(run_on_commit)
    real_render = services.render_file

    def half_then_crash(snapshot, target, *, fmt, language):
        target.write(b"half a workbook")
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(services, "render_file", half_then_crash)
    with pytest.raises(RuntimeError), run_on_commit():
        services.digest_file_request(
            viewer=AnonymousUser(), digest=digest, fmt="xlsx", language="es"
        )
    failed = DigestFile.objects.get(language="es")
    assert failed.status == "failed"
    assert "renderer crashed" in failed.error
    assert media_storage.names("digests") == names(1, "en")

    # The reader is told, and their next request queues the file again.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(f"/es/digests/{WEEK}.xlsx")
    assert response.status_code == 202
    assert "No se pudo preparar su archivo" in response.content.decode()
    assert len(callbacks) == 1

    monkeypatch.setattr(services, "render_file", real_render)
    for callback in callbacks:
        callback()
    again = DigestFile.objects.get(pk=failed.pk)
    assert (again.status, again.attempts, again.error) == ("ready", 2, "")
    assert f"{FOLDER}-r1/trade-digest-{WEEK}-public-es.xlsx" in media_storage.names("digests")


def test_a_render_abandoned_by_a_dead_worker_is_taken_over_and_leaves_one_complete_file(
    week, media_storage, run_on_commit
):
    """A worker killed after writing half the file: its row stays "rendering" and its
    heartbeat stops. Once stale, the next claim takes it and replaces what was left."""
    digest = compile_public(run_on_commit)
    name = f"{FOLDER}-r1/trade-digest-{WEEK}-public-fr.pdf"
    from django.core.files.base import ContentFile

    media_storage.storage.save(name, ContentFile(b"%PDF-1.7 half a file"))
    abandoned = DigestFile.objects.create(
        digest=digest,
        revision=digest.revision,
        fmt="pdf",
        language="fr",
        status="rendering",
        attempts=1,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=20),
    )
    # Still within the heartbeat window: nobody may take it over.
    assert services.digest_file_render(file_id=abandoned.pk) is None
    assert services.digest_sweep().files == []

    DigestFile.objects.filter(pk=abandoned.pk).update(
        heartbeat_at=timezone.now() - services.RENDER_STALE - dt.timedelta(seconds=1)
    )
    assert services.digest_sweep().files == [abandoned.pk]  # queued again (eager here)
    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.attempts) == ("ready", 2)
    assert media_storage.names("digests") == sorted([*names(1, "en"), name])
    with media_storage.storage.open(name) as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-")
    assert b"half a file" not in content


def test_files_left_in_a_revision_that_never_committed_are_removed(
    week, media_storage, run_on_commit
):
    from django.core.files.base import ContentFile

    # A compile of revision 1 died after a render stored a file (its rows rolled back).
    stray = f"{FOLDER}-r1/trade-digest-{WEEK}-public-en.csv"
    media_storage.storage.save(stray, ContentFile(b"stale"))
    other = f"{FOLDER}-r7/left-over.part"
    media_storage.storage.save(other, ContentFile(b"stale"))

    compile_public(run_on_commit)
    assert media_storage.names("digests") == names(1, "en")
    with media_storage.storage.open(stray) as handle:
        assert handle.read() != b"stale"
