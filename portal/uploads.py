"""Uploaded file names as the person sent them.

Django's multipart parser removes non-printable characters (control characters, right-to-left
overrides, unusual spaces) from upload names before any view sees them. That is right, but
silent: someone whose file is listed under another name should be told why. This parser
keeps the name as sent on each uploaded file (`upload.name_as_sent`), so a view can compare
it with the name it stores and say what changed. Nothing else about parsing changes.
"""

import html
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParser
from django.utils.encoding import force_str


class NameKeepingMultiPartParser(MultiPartParser):
    """Django's parser, remembering each file's name before sanitising."""

    _name_as_sent = ""

    def sanitize_file_name(self, file_name: str) -> str | None:
        self._name_as_sent = html.unescape(file_name)
        return super().sanitize_file_name(file_name)

    def handle_file_complete(self, old_field_name: Any, counters: list[int]) -> None:
        field = force_str(old_field_name, self._encoding, errors="replace")  # type: ignore[attr-defined]
        before = len(self._files.getlist(field))  # type: ignore[attr-defined]
        super().handle_file_complete(old_field_name, counters)
        uploads = self._files.getlist(field)  # type: ignore[attr-defined]
        if len(uploads) > before:  # files arrive one by one: this is the one just named
            uploads[-1].name_as_sent = self._name_as_sent


class UploadNamesMiddleware:
    """Parses multipart requests with NameKeepingMultiPartParser. Must come before anything
    that reads request.POST (CsrfViewMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The stubs declare an instance where Django expects the class.
        request.multipart_parser_class = NameKeepingMultiPartParser  # type: ignore[assignment]
        return self.get_response(request)


def name_as_sent(upload: Any) -> str:
    """The name the browser sent for an upload, or its (sanitised) name if not known."""
    return getattr(upload, "name_as_sent", "") or upload.name or ""
