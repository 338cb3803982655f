"""Profile picture files: content checks with Pillow, random storage names, and recognising our uploads."""

import re
import secrets
import warnings
from urllib.parse import urlparse

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from PIL import Image

from accounts.errors import ImageTooLarge, ImageUnsupported

FOLDER = "profile_pictures"
# Pillow format name -> file extension of the stored copy.
_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp|gif)$")
# Room for the multipart boundaries and part headers around the file itself.
_MULTIPART_OVERHEAD = 16 * 1024


def upload_body_too_large(request: HttpRequest) -> bool:
    """Whether the declared body is too large to hold an acceptable image; checked before the
    body is read, so an oversized upload is refused without being written to disk."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return declared > settings.PROFILE_IMAGE_MAX_BYTES + _MULTIPART_OVERHEAD


def image_extension(image: UploadedFile) -> str:
    """The extension matching the file's real content; ImageTooLarge or ImageUnsupported otherwise."""
    if image.size is None or image.size > settings.PROFILE_IMAGE_MAX_BYTES:
        limit_mb = settings.PROFILE_IMAGE_MAX_BYTES / (1024 * 1024)
        raise ImageTooLarge(f"The image is larger than {limit_mb:g} MB.")
    try:
        with warnings.catch_warnings():
            # Images whose pixel count is far beyond a profile picture's are refused, not decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(image, formats=list(_EXTENSIONS)) as picture:
                image_format = picture.format
                picture.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge("The image has too many pixels.") from exc
    except Exception as exc:  # Pillow signals a broken or foreign file with many exception types
        raise ImageUnsupported() from exc
    finally:
        image.seek(0)
    if image_format not in _EXTENSIONS:
        raise ImageUnsupported()
    return _EXTENSIONS[image_format]


def new_storage_name(extension: str) -> str:
    """A fresh random name under the profile picture folder."""
    return f"{FOLDER}/{secrets.token_hex(16)}.{extension}"


def uploaded_picture_name(url: str | None) -> str | None:
    """The storage name when `url` points at one of our profile picture uploads (on any host), else None."""
    if not url:
        return None
    prefix = urlparse(default_storage.url(f"{FOLDER}/")).path
    path = urlparse(url).path
    if not path.startswith(prefix):
        return None
    remainder = path[len(prefix) :]
    return f"{FOLDER}/{remainder}" if _STORED_NAME.match(remainder) else None
