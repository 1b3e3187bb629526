"""Profile photos: checked, rotated, stripped of metadata, resized and re-encoded server-side."""

from __future__ import annotations

import secrets
import warnings
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Photo, User
from app.services import activity
from app.services.errors import Invalid, NotFound
from app.settings import Settings

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def process_image(
    settings: Settings, data: bytes, *, field: str = "photo", max_width: int | None = None
) -> tuple[bytes, int, int]:
    """A JPEG with no metadata, rotated upright: square-cropped to photo_size pixels, or (with
    max_width) scaled down to that width keeping its shape; refuses anything that is not an image."""
    if not data:
        raise Invalid.one(field, _("Choose an image file."))
    if len(data) > settings.max_upload_bytes:
        raise Invalid.one(
            field,
            _("The image is larger than {n} MB.").format(n=settings.max_upload_bytes // (1024 * 1024)),
        )
    Image.MAX_IMAGE_PIXELS = settings.max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise Invalid.one(field, _("Use a JPEG, PNG, WebP or GIF image."))
                probe.verify()
            with Image.open(BytesIO(data)) as source:
                source.seek(0)
                img: Image.Image = ImageOps.exif_transpose(source).convert("RGB")
                if max_width is None:
                    size = min(settings.photo_size, img.width, img.height)
                    img = ImageOps.fit(img, (size, size), Image.Resampling.LANCZOS)
                elif img.width > max_width:
                    img = img.resize(
                        (max_width, round(img.height * max_width / img.width)), Image.Resampling.LANCZOS
                    )
                out = BytesIO()
                img.save(out, format="JPEG", quality=85, optimize=True)
                return out.getvalue(), img.width, img.height
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise Invalid.one(field, _("This file is not an image we can read.")) from exc
        raise Invalid.one(field, _("This image has too many pixels.")) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise Invalid.one(field, _("This file is not an image we can read.")) from exc


def set_photo(db: Session, *, settings: Settings, actor: User, data: bytes) -> Photo:
    """Replace one's profile photo with an uploaded image."""
    content, width, height = process_image(settings, data)
    db.execute(delete(Photo).where(Photo.user_id == actor.id, Photo.kind == "profile"))
    photo = Photo(
        id=secrets.token_hex(16),
        user_id=actor.id,
        content_type="image/jpeg",
        data=content,
        width=width,
        height=height,
    )
    db.add(photo)
    actor.photo_id = photo.id
    activity.record(db, user_id=actor.id, kind="photo_set", subject_type="user", subject_id=actor.id)
    db.flush()
    return photo


def remove_photo(db: Session, *, actor: User) -> None:
    """Remove one's profile photo."""
    db.execute(delete(Photo).where(Photo.user_id == actor.id, Photo.kind == "profile"))
    actor.photo_id = None


def get_photo(db: Session, photo_id: str) -> Photo:
    """A stored photo by id."""
    photo = db.get(Photo, photo_id)
    if photo is None:
        raise NotFound(_("No such photo."))
    return photo


ARTICLE_IMAGE_WIDTH = 1600


def store_image(db: Session, *, settings: Settings, actor: User, data: bytes, field: str = "image") -> Photo:
    """Keep an image for an article (re-encoded, at most 1600 px wide); returns it with its URL's id."""
    content, width, height = process_image(settings, data, field=field, max_width=ARTICLE_IMAGE_WIDTH)
    image = Photo(
        id=secrets.token_hex(16),
        user_id=actor.id,
        content_type="image/jpeg",
        data=content,
        width=width,
        height=height,
        kind="image",
    )
    db.add(image)
    db.flush()
    return image


def image_url(image: Photo) -> str:
    """Where an article image is served."""
    return f"/media/images/{image.id}.jpg"
