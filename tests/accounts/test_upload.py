"""POST /api/auth/upload-profile-image: content-checked images, size limit, random names, old file removed."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import ActivityLog

pytestmark = pytest.mark.django_db

STORED = re.compile(r"^http://testserver/media/profile_pictures/([0-9a-f]{32})\.(png|jpg|webp|gif)$")


def upload(client, content: bytes, name: str = "me.png", content_type: str = "image/png"):
    return client.post(
        "/api/auth/upload-profile-image",
        {"image": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


@pytest.mark.parametrize(
    ("image_format", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp"), ("GIF", "gif")]
)
def test_upload_stores_image_under_random_name(user, user_client, media_root, make_image, image_format, extension):
    content = make_image(image_format)
    # the client's file name and type are ignored: the content decides
    response = upload(user_client, content, name="../../evil.exe", content_type="application/octet-stream")
    assert response.status_code == 200
    body = response.json()
    match = STORED.match(body["profile_picture"])
    assert match, body["profile_picture"]
    assert match.group(2) == extension
    assert body["data"]["user"]["profile_picture"] == body["profile_picture"]
    stored = media_root / "profile_pictures" / f"{match.group(1)}.{extension}"
    assert stored.read_bytes() == content
    user.refresh_from_db()
    assert user.profile_picture == body["profile_picture"]
    entry = ActivityLog.objects.get(action="auth.profile_image_upload")
    assert entry.actor == user


def test_upload_replacing_removes_old_file(user_client, media_root, make_image, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(user_client, make_image("PNG")).json()["profile_picture"]
    with django_capture_on_commit_callbacks(execute=True):
        second = upload(user_client, make_image("JPEG")).json()["profile_picture"]
    files = sorted(path.name for path in (media_root / "profile_pictures").iterdir())
    assert files == [second.rsplit("/", 1)[1]]
    assert first != second


def test_upload_then_profile_keeps_own_picture_and_replacing_it_removes_file(
    user_client, media_root, make_image, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        picture = upload(user_client, make_image("PNG")).json()["profile_picture"]
    # sending one's own upload back with the profile is accepted
    kept = user_client.put("/api/auth/profile", {"profile_picture": picture, "username": "ada"}, format="json")
    assert kept.status_code == 200
    assert any((media_root / "profile_pictures").iterdir())
    # replacing it with an external picture deletes the uploaded file
    with django_capture_on_commit_callbacks(execute=True):
        replaced = user_client.patch(
            "/api/auth/profile", {"profile_picture": "https://cdn.example.org/a.png"}, format="json"
        )
    assert replaced.status_code == 200
    assert not any((media_root / "profile_pictures").iterdir())


@pytest.mark.parametrize(
    "content",
    [b"this is plain text, not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"%PDF-1.7\n" + b"x" * 100],
)
def test_upload_non_image_is_415(user, user_client, media_root, content):
    response = upload(user_client, content)
    assert response.status_code == 415
    assert response.json()["code"] == "auth.image_unsupported"
    assert not (media_root / "profile_pictures").exists()
    user.refresh_from_db()
    assert user.profile_picture is None


def test_upload_other_image_format_is_415(user_client, media_root, make_image):
    response = upload(user_client, make_image("BMP"), name="me.bmp", content_type="image/bmp")
    assert response.status_code == 415
    assert response.json()["code"] == "auth.image_unsupported"


def test_upload_oversized_image_is_413(user, user_client, media_root, make_image, settings):
    content = make_image("PNG")
    settings.PROFILE_IMAGE_MAX_BYTES = len(content) - 1
    response = upload(user_client, content)
    assert response.status_code == 413
    assert response.json()["code"] == "auth.image_too_large"
    assert not (media_root / "profile_pictures").exists()


def test_upload_over_default_limit_is_413(user_client, media_root):
    # a real PNG signature followed by more than the default 2 MB
    response = upload(user_client, b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["code"] == "auth.image_too_large"


def test_upload_declaring_oversized_body_is_413_before_reading_it(user, user_client, media_root, make_image):
    response = user_client.post(
        "/api/auth/upload-profile-image",
        {"image": SimpleUploadedFile("me.png", make_image("PNG"), content_type="image/png")},
        format="multipart",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "auth.image_too_large"
    user.refresh_from_db()
    assert user.profile_picture is None


def test_upload_without_image_field_is_400(user_client, media_root):
    response = user_client.post("/api/auth/upload-profile-image", {"picture": "x"}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "request.validation_failed"
    assert "image" in body["errors"]


def test_upload_as_json_is_415(user_client, media_root):
    response = user_client.post("/api/auth/upload-profile-image", {"image": "aGVsbG8="}, format="json")
    assert response.status_code == 415
    assert response.json()["code"] == "request.unsupported_media_type"


def test_upload_needs_authentication(db, media_root, make_image):
    response = upload(APIClient(), make_image("PNG"))
    assert response.status_code == 401
    assert response.json()["code"] == "auth.not_authenticated"


def test_upload_query_count(user_client, media_root, make_image, django_assert_num_queries):
    content = make_image("PNG")
    # 1 user (authentication), savepoint, lock user row, update user, insert activity, release
    with django_assert_num_queries(6):
        response = upload(user_client, content)
    assert response.status_code == 200
