"""The photo rules (issue 20, "photo upload on problem reports": type and size checked, images
stripped of location metadata, stored outside the web root): contacts/photos.py."""

import io
import os
import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from PIL import Image

from contacts import photos
from contacts.models import ContactPhoto
from core.personal_data import erase_rows, record_type
from tests.factories import ContactFactory
from tests.photos import exif_of, gps_of, image_bytes, jpeg_with_gps, png, upload


def _messages(error: ValidationError) -> list[str]:
    return error.messages


def test_a_jpeg_is_stored_without_its_gps_position_or_any_exif():
    original = jpeg_with_gps().read()
    assert gps_of(original) != {}  # the camera's position is in the file sent

    clean = photos.photo_clean(jpeg_with_gps())

    assert clean.format == "jpeg" and (clean.width, clean.height) == (64, 48)
    assert gps_of(clean.content) == {}
    assert exif_of(clean.content) == {}
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.format == "JPEG" and "exif" not in image.info


def test_the_orientation_is_applied_before_the_exif_goes():
    """A phone held upright writes a landscape image with "rotate 90°" in its EXIF; without the
    EXIF the photo must still stand upright."""
    clean = photos.photo_clean(upload("upright.jpg", image_bytes("JPEG", size=(40, 20), orientation=6)))
    assert (clean.width, clean.height) == (20, 40)


def test_png_and_webp_are_accepted_and_keep_their_format():
    assert photos.photo_clean(png()).format == "png"
    webp = photos.photo_clean(upload("bin.webp", image_bytes("WEBP"), "image/webp"))
    assert webp.format == "webp"
    with Image.open(io.BytesIO(webp.content)) as image:
        assert image.format == "WEBP"


@pytest.mark.parametrize(("name", "content"), [
    ("notes.jpg", b"This is a text file with a photo's name.\n"),
    ("fake.png", b"\x89PNG\r\n\x1a\nnot really a png at all"),
    ("animation.jpg", image_bytes("GIF")),  # a real image, of a kind not taken
    ("scan.jpg", image_bytes("BMP")),
    ("truncated.jpg", image_bytes("JPEG", size=(400, 300))[:300]),
])
def test_the_type_is_decided_by_the_content_not_the_name(name, content):
    with pytest.raises(ValidationError) as refused:
        photos.photo_clean(upload(name, content, "image/jpeg"))
    assert _messages(refused.value) == ["The selected file must be a JPG, PNG or WebP."]


def test_a_file_over_10mb_is_refused_before_it_is_read_as_an_image():
    too_big = upload("huge.jpg", b"\xff" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as refused:
        photos.photo_clean(too_big)
    assert _messages(refused.value) == ["The selected file must be smaller than 10MB."]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as refused:
        photos.photo_clean(upload("empty.jpg", b""))
    assert _messages(refused.value) == ["The selected file is empty."]


def test_a_decompression_bomb_is_a_field_error_not_a_crash():
    """An 8,000 by 8,000 pixel PNG of one colour is a few kilobytes, 64 megapixels decoded."""
    bomb = image_bytes("PNG", size=(8000, 8000), mode="1")
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as refused:
        photos.photo_clean(upload("bomb.png", bomb, "image/png"))
    assert _messages(refused.value) == ["The selected file must be a photo of 50 megapixels or fewer."]


def test_a_bomb_beyond_pillows_own_limit_is_the_same_field_error():
    """Past twice Image.MAX_IMAGE_PIXELS Pillow refuses to open the file at all."""
    bomb = image_bytes("PNG", size=(20000, 10000), mode="1")
    with pytest.raises(ValidationError) as refused:
        photos.photo_clean(upload("bomb.png", bomb, "image/png"))
    assert _messages(refused.value) == ["The selected file must be a photo of 50 megapixels or fewer."]


def test_a_large_photo_is_scaled_down_to_3000_pixels_a_side():
    clean = photos.photo_clean(upload("big.png", image_bytes("PNG", size=(6000, 1500)), "image/png"))
    assert (clean.width, clean.height) == (3000, 750)


def test_no_more_than_three_photos_in_all():
    with pytest.raises(ValidationError) as refused:
        photos.photos_clean([png(), png(), png(), png()])
    assert _messages(refused.value) == ["You can only add up to 3 photos."]
    with pytest.raises(ValidationError):
        photos.photos_clean([png(), png()], already=2)
    assert len(photos.photos_clean([png(), png()], already=1)) == 2


def test_with_several_files_the_message_names_the_refused_one():
    with pytest.raises(ValidationError) as refused:
        photos.photos_clean([png(), upload("notes.jpg", b"hello")])
    assert _messages(refused.value) == ["notes.jpg must be a JPG, PNG or WebP."]


@pytest.mark.django_db
def test_stored_photos_live_in_the_private_folder_outside_the_web_root():
    stored = photos.photo_store(photos.photo_clean(jpeg_with_gps()))
    path = os.path.join(settings.PRIVATE_MEDIA_ROOT, stored.file_name)
    assert os.path.exists(path) and photos.photo_is_stored(stored.file_name)
    assert not os.path.realpath(path).startswith(os.path.realpath(settings.STATIC_ROOT))
    with open(path, "rb") as handle:
        assert gps_of(handle.read()) == {}


def test_the_private_folder_defaults_under_the_var_folder_git_ignores():
    from config.settings import BASE_DIR

    assert str(photos.storage().location)  # a real folder
    ignored = (BASE_DIR / ".gitignore").read_text().split()
    assert "/var/" in ignored


@pytest.mark.django_db
def test_attaching_refuses_a_name_it_did_not_give():
    contact = ContactFactory()
    for name in ("../config/settings.py", "photos/short.jpg", "photos/../../etc/passwd.jpg",
                 f"photos/{'a' * 32}.jpg"):  # well formed, but no such file
        with pytest.raises(ValueError):
            photos.contact_photos_attach(contact=contact, photos=[photos.StoredPhoto(name, "jpeg", 1, 1, 1)])
    assert not ContactPhoto.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_sweep_deletes_an_erased_photo_at_once_and_an_unsent_one_after_a_day():
    contact = ContactFactory()
    sent = photos.photo_store(photos.photo_clean(png()))
    unsent = photos.photo_store(photos.photo_clean(png()))
    with transaction.atomic():
        [photo] = photos.contact_photos_attach(contact=contact, photos=[sent])
    assert photos.photo_files_sweep() == 0  # one named, one too new to be abandoned
    assert photos.photo_is_stored(sent.file_name) and photos.photo_is_stored(unsent.file_name)

    erased = erase_rows(record_type("contacts.contactphoto"), [photo.pk], now=None)
    assert erased == 1
    photo.refresh_from_db()
    assert photo.file_name == "" and photos.photo_content(photo) is None
    assert photos.photo_files_sweep() == 1
    assert not photos.photo_is_stored(sent.file_name) and photos.photo_is_stored(unsent.file_name)

    assert photos.photo_files_sweep(now=time.time() + 25 * 60 * 60) == 1
    assert not photos.photo_is_stored(unsent.file_name)


@pytest.mark.django_db
def test_the_subject_access_export_carries_the_photos_themselves(make_user):
    import zipfile

    from django.utils import timezone

    from contacts.models import SubjectAccessExport
    from contacts.privacy import subject_access_build

    contact = ContactFactory()
    [photo] = photos.contact_photos_attach(
        contact=contact, photos=[photos.photo_store(photos.photo_clean(jpeg_with_gps()))])
    export = SubjectAccessExport.objects.create(customer=contact.customer, requested_by=make_user("manager"),
                                                requested_at=timezone.now())
    subject_access_build(export.pk)
    export.refresh_from_db()
    with zipfile.ZipFile(io.BytesIO(bytes(export.archive))) as archive:
        name = f"subject-access-customer-{contact.customer_id}"
        image = archive.read(f"{name}/photos/contact-{contact.pk}-photo-1.jpg")
        listed = archive.read(f"{name}/{name}.json").decode()
    assert image == photos.photo_content(photo) and gps_of(image) == {}
    assert "Photos sent with contacts" in listed
