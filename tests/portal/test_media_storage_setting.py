"""MEDIA_STORAGE_URL: the local file system by default, S3-compatible storage when set."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings import _media_storage


def test_no_url_keeps_files_on_the_local_file_system():
    assert _media_storage("") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_an_s3_url_names_bucket_prefix_endpoint_region_and_keys():
    storage = _media_storage(
        "s3://AKIA%2FKEY:se%2Fcret@portal-media/prod/files"
        "?endpoint_url=https://s3.example.org&region=eu-west-1&addressing_style=path"
    )
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "portal-media",
            "location": "prod/files",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,
            "access_key": "AKIA/KEY",
            "secret_key": "se/cret",
            "endpoint_url": "https://s3.example.org",
            "region_name": "eu-west-1",
            "addressing_style": "path",
        },
    }


def test_keys_may_come_from_the_environment_instead():
    options = _media_storage("s3://portal-media")["OPTIONS"]
    assert "access_key" not in options
    assert options["location"] == ""


@pytest.mark.parametrize("url", ["file:///srv/media", "s3://", "portal-media"])
def test_anything_else_is_refused_with_the_expected_form(url):
    with pytest.raises(ImproperlyConfigured, match="s3://bucket/prefix"):
        _media_storage(url)
