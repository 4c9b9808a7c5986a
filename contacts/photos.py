"""Photos a contact arrives with (issue 20, "photo upload on problem reports"): the rules for what
is accepted, how it is cleaned, where it is kept and when its file goes.

- Accepted: at most PHOTO_MAX_COUNT photos, each at most PHOTO_MAX_BYTES, whose *content* is a
  JPEG, PNG or WebP image (Pillow reads it; the name and the browser's content type are not
  trusted) of at most PHOTO_MAX_PIXELS pixels (a small file that decodes to a huge image, a
  "decompression bomb", is refused before it is decoded).
- Cleaned: decoded and written again from its pixels alone, so nothing of the original file is
  kept: no EXIF (GPS position, camera, time), no XMP, no comments. The EXIF orientation is applied
  first, so the photo still shows the right way up; anything larger than PHOTO_MAX_SIDE pixels a
  side is scaled down.
- Kept: in the private storage (settings.PRIVATE_MEDIA_ROOT), which nothing serves; only
  `handoffs.views.handoff_photo` answers it, to those who may see the hand-off.
- Gone: a photo's file is deleted by `photo_files_sweep` once no row names it (erased under the
  retention schedule or by an erasure request, or stored for a report the resident never sent).
"""

import io
import os
import secrets
import time
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from contacts.models import Contact, ContactPhoto

PHOTO_MAX_COUNT = 3
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_PIXELS = 50_000_000  # a 48-megapixel phone camera's photo fits; Pillow's own limit is 89M
PHOTO_MAX_SIDE = 3000
# A photo stored but never sent with a report is deleted after this (longer than a session).
PHOTO_UNSENT_GRACE_SECONDS = 24 * 60 * 60

TYPE_MESSAGE = "The selected file must be a JPG, PNG or WebP."
SIZE_MESSAGE = "The selected file must be smaller than 10MB."
EMPTY_MESSAGE = "The selected file is empty."
PIXELS_MESSAGE = "The selected file must be a photo of 50 megapixels or fewer."
COUNT_MESSAGE = f"You can only add up to {PHOTO_MAX_COUNT} photos."

_FORMATS = {"JPEG": ContactPhoto.Format.JPEG, "PNG": ContactPhoto.Format.PNG,
            "WEBP": ContactPhoto.Format.WEBP}
_EXTENSIONS = {ContactPhoto.Format.JPEG: "jpg", ContactPhoto.Format.PNG: "png",
               ContactPhoto.Format.WEBP: "webp"}
CONTENT_TYPES = {ContactPhoto.Format.JPEG: "image/jpeg", ContactPhoto.Format.PNG: "image/png",
                 ContactPhoto.Format.WEBP: "image/webp"}
_NAME_PREFIX = "photos/"


@dataclass(frozen=True)
class CleanPhoto:
    """A photo as it will be stored: re-encoded, without metadata."""

    content: bytes
    format: str
    width: int
    height: int


def storage() -> FileSystemStorage:
    # Read each time: tests (and a changed setting) point it elsewhere.
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        raise ValidationError(SIZE_MESSAGE, code="too_big")
    upload.seek(0)
    content = upload.read(PHOTO_MAX_BYTES + 1)
    if len(content) > PHOTO_MAX_BYTES:
        raise ValidationError(SIZE_MESSAGE, code="too_big")
    if not content:
        raise ValidationError(EMPTY_MESSAGE, code="empty")
    return content


def photo_clean(upload) -> CleanPhoto:
    """Check one uploaded file against the rules in the module docstring and re-encode it from its
    pixels. ValidationError with the GOV.UK file upload component's wording when it is refused."""
    content = _read(upload)
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit, refuses) on huge images: both are a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=list(_FORMATS))
            photo_format = _FORMATS.get(image.format)
            if photo_format is None:
                raise ValidationError(TYPE_MESSAGE, code="type")
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise ValidationError(PIXELS_MESSAGE, code="pixels")
            if photo_format == ContactPhoto.Format.JPEG:
                # Decode a large JPEG at a reduced scale: less memory, and it is scaled down anyway.
                image.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            image.load()
            image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(PIXELS_MESSAGE, code="pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        # Not an image of an accepted kind, or one whose data is broken.
        raise ValidationError(TYPE_MESSAGE, code="type") from None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha and photo_format != ContactPhoto.Format.JPEG else "RGB"
    image = image.convert(mode)
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    # A new image made of the pixels alone: nothing of the original's metadata can come along.
    bare = Image.frombytes(mode, image.size, image.tobytes())
    out = io.BytesIO()
    if photo_format == ContactPhoto.Format.JPEG:
        bare.save(out, "JPEG", quality=85, optimize=True)
    elif photo_format == ContactPhoto.Format.PNG:
        bare.save(out, "PNG", optimize=True)
    else:
        bare.save(out, "WEBP", quality=85)
    return CleanPhoto(out.getvalue(), photo_format, bare.width, bare.height)


def photos_clean(uploads, *, already: int = 0) -> list[CleanPhoto]:
    """Every uploaded file cleaned (`photo_clean`), and no more than PHOTO_MAX_COUNT in all with
    the `already` stored ones. One ValidationError listing each refused file: with several, the
    message names the file."""
    uploads = list(uploads)
    if already + len(uploads) > PHOTO_MAX_COUNT:
        raise ValidationError(COUNT_MESSAGE, code="count")
    cleaned, errors = [], []
    for upload in uploads:
        try:
            cleaned.append(photo_clean(upload))
        except ValidationError as error:
            message = error.messages[0]
            if len(uploads) > 1:
                name = str(getattr(upload, "name", "")) or "A file"
                message = message.replace("The selected file", name, 1)
            errors.append(ValidationError(message, code=error.code))
    if errors:
        raise ValidationError(errors)
    return cleaned


@dataclass(frozen=True)
class StoredPhoto:
    """A cleaned photo's file, not yet attached to a contact (what the wizard keeps)."""

    file_name: str
    format: str
    width: int
    height: int
    size_bytes: int


def photo_store(photo: CleanPhoto) -> StoredPhoto:
    """Write a cleaned photo to the private storage under a new random name."""
    name = f"{_NAME_PREFIX}{secrets.token_urlsafe(24)}.{_EXTENSIONS[photo.format]}"
    saved = storage().save(name, ContentFile(photo.content))
    return StoredPhoto(saved, photo.format, photo.width, photo.height, len(photo.content))


def photo_name_is_ours(file_name: str) -> bool:
    """A name `photo_store` could have given (what comes back from a session is checked)."""
    if not file_name.startswith(_NAME_PREFIX) or "/" in file_name[len(_NAME_PREFIX):]:
        return False
    stem, _, extension = file_name[len(_NAME_PREFIX):].rpartition(".")
    return (extension in _EXTENSIONS.values() and len(stem) >= 20
            and all(ch.isalnum() or ch in "-_" for ch in stem))


def photo_is_stored(file_name: str) -> bool:
    return photo_name_is_ours(file_name) and storage().exists(file_name)


def contact_photos_attach(*, contact: Contact, photos: list[StoredPhoto]) -> list[ContactPhoto]:
    """Attach stored photos to the contact they came with, in order (inside the caller's
    transaction: the contact and its photos are recorded together). A name that is not one
    `photo_store` gives, or whose file is missing, is refused (ValueError): it cannot come from
    this service's own pages."""
    if len(photos) > PHOTO_MAX_COUNT:
        raise ValidationError(COUNT_MESSAGE, code="count")
    for photo in photos:
        if not photo_is_stored(photo.file_name):
            raise ValueError(f"Not a stored photo: {photo.file_name!r}")
    now = timezone.now()
    names = [photo.file_name for photo in photos]
    transaction.on_commit(lambda: _mark_sent(names))
    return ContactPhoto.objects.bulk_create([
        ContactPhoto(contact=contact, file_name=photo.file_name, format=photo.format,
                     width=photo.width, height=photo.height, size_bytes=photo.size_bytes,
                     position=position, uploaded_at=now)
        for position, photo in enumerate(photos, start=1)])


def _mark_sent(names: list[str]) -> None:
    """A sent photo's file is dated 1 January 1970: the sweep tells an erased photo (no row names
    it, dated then) from one a resident has not sent yet (no row names it, dated today), and
    deletes the first at once but waits for the second."""
    files = storage()
    for name in names:
        try:
            os.utime(files.path(name), (0, 0))
        except FileNotFoundError:
            continue


def photo_discard(file_name: str) -> None:
    """Delete a stored photo no contact has (the resident removed it before sending)."""
    if photo_name_is_ours(file_name) and not ContactPhoto.objects.filter(file_name=file_name).exists():
        storage().delete(file_name)


def photo_content(photo: ContactPhoto) -> bytes | None:
    """The photo's bytes, or None once it has been erased (or its file is gone)."""
    if not photo_name_is_ours(photo.file_name):
        return None
    try:
        with storage().open(photo.file_name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def photo_files_sweep(*, now: float | None = None) -> int:
    """Delete every photo file no row names (see `_mark_sent`): an erased photo's at the next run,
    one never sent with a report PHOTO_UNSENT_GRACE_SECONDS after it was stored. Returns how many
    files went. Idempotent and safe to run at any time (Celery beat, hourly)."""
    files = storage()
    try:
        _folders, names = files.listdir(_NAME_PREFIX.rstrip("/"))
    except FileNotFoundError:
        return 0
    now = time.time() if now is None else now
    candidates = [f"{_NAME_PREFIX}{name}" for name in names if photo_name_is_ours(f"{_NAME_PREFIX}{name}")]
    deleted = 0
    for start in range(0, len(candidates), 1000):
        chunk = candidates[start:start + 1000]
        named = set(ContactPhoto.objects.filter(file_name__in=chunk).values_list("file_name", flat=True))
        for name in chunk:
            if name in named:
                continue
            try:
                age = now - os.stat(files.path(name)).st_mtime
            except FileNotFoundError:
                continue
            if age >= PHOTO_UNSENT_GRACE_SECONDS:
                files.delete(name)
                deleted += 1
    return deleted
