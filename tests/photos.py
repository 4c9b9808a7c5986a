"""Image files for the photo upload tests (issue 20): made with Pillow in memory, so a test
says exactly what is in each file (a GPS position, an orientation, a size)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

# Ashton-under-Lyne market square, as a camera writes it: degrees, minutes, seconds.
GPS_LATITUDE = (53.0, 29.0, 20.0)
GPS_LONGITUDE = (2.0, 5.0, 39.0)


def image_bytes(image_format: str = "JPEG", size=(64, 48), colour=(200, 30, 30), *, gps=False,
                orientation: int | None = None, mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, colour if mode != "1" else 1)
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.Make] = "Phone maker"
        exif[ExifTags.Base.Model] = "Phone 12"
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "W"
        gps_ifd[ExifTags.GPS.GPSLongitude] = GPS_LONGITUDE
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    out = io.BytesIO()
    extra = {"exif": exif.tobytes()} if (gps or orientation is not None) else {}
    image.save(out, image_format, **extra)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_with_gps(name: str = "pothole.jpg") -> SimpleUploadedFile:
    return upload(name, image_bytes("JPEG", gps=True))


def png(name: str = "bin.png") -> SimpleUploadedFile:
    return upload(name, image_bytes("PNG", colour=(20, 120, 20)), "image/png")


def gps_of(content: bytes) -> dict:
    """The GPS EXIF block of an image file ({} when it has none)."""
    with Image.open(io.BytesIO(content)) as image:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def exif_of(content: bytes) -> dict:
    with Image.open(io.BytesIO(content)) as image:
        return dict(image.getexif())
