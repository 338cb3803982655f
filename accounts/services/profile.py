"""Profile changes: name, email, picture (a URL or an uploaded image)."""

from typing import TypedDict
from urllib.parse import urljoin

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts import profile_pictures
from accounts.errors import EmailTaken, ProfileUpdateEmpty
from accounts.locks import user_lock
from accounts.models import User
from accounts.selectors import user_email_taken
from accounts.services.activity import activity_record
from accounts.services.email import email_change_pending


class ProfileChanges(TypedDict, total=False):
    username: str | None
    email: str
    profile_picture: str | None


def _picture_replaced(*, old: str | None, new: str | None) -> None:
    """After commit, delete the file of a replaced picture when it was one of our uploads."""
    old_name = profile_pictures.uploaded_picture_name(old)
    if old_name and old != new:
        transaction.on_commit(lambda: default_storage.delete(old_name))


def profile_update(*, user: User, changes: ProfileChanges, session: str | None = None, link_template: str = "") -> User:
    """Apply `changes` to the user's profile. A new email is not applied: it waits for the confirmation
    link mailed to it (`email_change_request`, which `session` and `link_template` are for).
    ProfileUpdateEmpty without any change; EmailTaken when another account holds the new email."""
    if not changes:
        raise ProfileUpdateEmpty()
    changes = ProfileChanges(**changes)
    email = changes.pop("email", None)
    if email is not None:
        email = email.strip().lower()
        if user_email_taken(email=email, exclude_pk=user.pk):
            raise EmailTaken()
    with transaction.atomic():
        locked = user_lock(user.pk)
        if changes:
            old_picture = locked.profile_picture
            for field, value in changes.items():
                setattr(locked, field, value)
            locked.save(update_fields=[*changes, "updated_at"])
            if "profile_picture" in changes:
                _picture_replaced(old=old_picture, new=locked.profile_picture)
            activity_record(action="auth.profile_update", actor=locked, metadata={"fields": sorted(changes)})
        if email is not None:
            email_change_pending(user=locked, email=email, session=session, link_template=link_template)
    return locked


def profile_image_upload(*, user: User, image: UploadedFile, site_url: str) -> User:
    """Store a checked image under a random name and make it the user's picture (an absolute URL on
    `site_url`, the server's own origin); the previous upload is deleted once the change is committed.
    ImageTooLarge (413), ImageUnsupported (415)."""
    extension = profile_pictures.image_extension(image)
    name = default_storage.save(profile_pictures.new_storage_name(extension), image)
    url = urljoin(site_url, default_storage.url(name))
    try:
        with transaction.atomic():
            locked = user_lock(user.pk)
            old_picture = locked.profile_picture
            locked.profile_picture = url
            locked.save(update_fields=["profile_picture", "updated_at"])
            _picture_replaced(old=old_picture, new=url)
            activity_record(
                action="auth.profile_image_upload",
                actor=locked,
                metadata={"file": name, "bytes": image.size},
            )
    except BaseException:
        default_storage.delete(name)
        raise
    return locked
