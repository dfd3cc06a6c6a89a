"""Uploads: storing a file (checked, re-encoded, within the limits), who may open it, which
posts use it, and cleaning up the files no post ever used."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import delete, func, select, update
from werkzeug.utils import secure_filename

from forum.accounts.models import User
from forum.accounts.permissions import is_admin
from forum.boards import services as boards
from forum.boards.models import Post
from forum.core.db import utcnow
from forum.core.errors import Invalid, NotFound
from forum.core.ids import MAX_ID
from forum.extensions import db
from forum.uploads import imaging
from forum.uploads.imaging import TooLarge
from forum.uploads.models import NAME_MAX, Upload, UploadKind, UploadUse
from forum.uploads.storage import storage

logger = logging.getLogger(__name__)

# An upload's address in a post body, relative or absolute: /uploads/<id>/<name>.
UPLOAD_PATH_RE = re.compile(r"(?:^|[^\w/.-])(?:https?://[^\s/()<>]+)?/uploads/(\d{1,10})/")
ALT_MAX = 200
ALT_MESSAGE = "Describe the image for colleagues who cannot see it."


def file_path(upload: Upload) -> str:
    """The address a post shows the file by (relative: the forum serves it itself)."""
    return f"/uploads/{upload.id}/{upload.name}"


def thumbnail_path(upload: Upload) -> str | None:
    return f"/uploads/{upload.id}/thumb/{upload.name}" if upload.thumbnail_key else None


def clean_name(filename: str | None, kind: imaging.FileType) -> str:
    """A safe file name for the address, ending in the extension of the type the content is."""
    stem = secure_filename(filename or "").rsplit(".", 1)[0][: NAME_MAX - 10] or (
        "image" if kind.is_image else "document"
    )
    return f"{stem}.{kind.extension}"


def markdown_for(upload: Upload, alt: str = "") -> str:
    """The Markdown that shows an image (with its description) or links a document."""
    if upload.is_image:
        text = re.sub(r"[\[\]\\\r\n]+", " ", alt).strip()[:ALT_MAX]
        return f"![{text}]({file_path(upload)})"
    label = re.sub(r"[\[\]\\\r\n]+", " ", upload.name)
    return f"[{label}]({file_path(upload)})"


def used_bytes(user: User) -> int:
    """Bytes `user`'s uploads take in storage (what the quota counts)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Upload.size_bytes), 0)).where(Upload.uploader_id == user.id)
    )
    return int(total or 0)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def create_upload(
    user: User,
    *,
    filename: str | None,
    data: bytes,
    description: str | None = None,
    now: dt.datetime | None = None,
) -> Upload:
    """Store `data` for `user` and return its row (flushed).

    The type is read from the content: PNG, JPEG, WebP and GIF images (re-encoded without
    metadata, upright, with a thumbnail) and UPLOAD_DOCUMENT_TYPES. Raises UnsupportedType
    (415) for any other content, TooLarge (413) over UPLOAD_MAX_BYTES, UPLOAD_MAX_PIXELS or
    the uploader's UPLOAD_QUOTA_BYTES, Invalid for an empty file, and Invalid for an image
    without a description when one is asked for (`description` not None: the composer)."""
    config = current_app.config
    if not data:
        raise Invalid("The file is empty.", fields={"file": "Choose a file to upload."})
    limit = int(config["UPLOAD_MAX_BYTES"])
    if len(data) > limit:
        raise TooLarge(
            f"The file is {_megabytes(len(data))}; the most is {_megabytes(limit)}.",
            fields={"file": f"Choose a file of at most {_megabytes(limit)}."},
        )
    kind = imaging.sniff(data, list(config["UPLOAD_DOCUMENT_TYPES"]))
    if kind.is_image and description is not None and not description.strip():
        raise Invalid(ALT_MESSAGE, fields={"alt": ALT_MESSAGE})
    thumbnail: bytes | None = None
    thumbnail_type: str | None = None
    width = height = None
    if kind.is_image:
        processed = imaging.process_image(
            data,
            kind,
            max_pixels=int(config["UPLOAD_MAX_PIXELS"]),
            thumb_size=int(config["UPLOAD_THUMBNAIL_SIZE"]),
        )
        data, thumbnail = processed.data, processed.thumbnail
        thumbnail_type = processed.thumbnail_type.content_type
        width, height = processed.width, processed.height
    size = len(data) + len(thumbnail or b"")
    quota = int(config["UPLOAD_QUOTA_BYTES"])
    if quota and used_bytes(user) + size > quota:
        raise TooLarge(
            f"Your uploads would take more than your {_megabytes(quota)} allowance "
            f"({_megabytes(used_bytes(user))} used). Files no post uses are removed after a day.",
            fields={"file": "Your upload allowance is used up."},
        )
    key = secrets.token_hex(16)
    store = storage()
    store.save(f"{key}.{kind.extension}", data, kind.content_type)
    if thumbnail is not None:
        store.save(f"{key}.thumb", thumbnail, thumbnail_type or "image/png")
    upload = Upload(
        uploader_id=user.id,
        kind=UploadKind.IMAGE if kind.is_image else UploadKind.DOCUMENT,
        content_type=kind.content_type,
        name=clean_name(filename, kind),
        storage_key=f"{key}.{kind.extension}",
        thumbnail_key=f"{key}.thumb" if thumbnail is not None else None,
        thumbnail_type=thumbnail_type,
        size_bytes=size,
        width=width,
        height=height,
        created_at=now or utcnow(),
    )
    db.session.add(upload)
    db.session.flush()
    logger.info("upload %s stored (%s, %d bytes) by user %s", upload.id, kind.name, size, user.id)
    return upload


def can_open(user: User | None, upload: Upload) -> bool:
    """Its uploader and admins may always open a file; anyone else only while they may see a
    thread with a post that uses it (a file no post uses is its uploader's alone)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if upload.uploader_id == user.id or is_admin(user):
        return True
    thread_ids = db.session.scalars(
        select(UploadUse.thread_id).where(UploadUse.upload_id == upload.id, UploadUse.is_shown)
    ).all()
    return bool(boards.readable_thread_ids(user, thread_ids))


def get_visible_upload(user: User | None, upload_id: int, name: str | None = None) -> Upload:
    """The upload, if `user` may open it (and `name` is its name). Raises NotFound otherwise:
    a hidden file is answered like one that does not exist."""
    upload = db.session.get(Upload, upload_id)
    if upload is None or (name is not None and name != upload.name) or not can_open(user, upload):
        raise NotFound("There is no such file.")
    return upload


def read_file(upload: Upload, *, thumbnail: bool = False) -> bytes:
    """The stored bytes of the file or its thumbnail. Raises NotFound when the store lost it."""
    key = upload.thumbnail_key if thumbnail else upload.storage_key
    data = storage().read(key) if key else None
    if data is None:
        raise NotFound("There is no such file.")
    return data


def referenced_ids(body: str) -> set[int]:
    """Ids of the uploads a Markdown body names by address."""
    return {n for n in map(int, UPLOAD_PATH_RE.findall(body or "")) if 0 < n <= MAX_ID}


def record_uses(post: Post, writer: User, *, is_new: bool = False) -> None:
    """Make `post`'s uses match the uploads its body names that `writer` may open (so nobody
    can make another's file visible by pasting its address). A new post has none to replace,
    and one without an upload address costs no query. Flushes when it changed anything."""
    wanted = referenced_ids(post.body)
    if not is_new:
        db.session.execute(delete(UploadUse).where(UploadUse.post_id == post.id))
    if not wanted:
        return
    for upload in db.session.scalars(select(Upload).where(Upload.id.in_(wanted))):
        if can_open(writer, upload):
            use = UploadUse(
                upload_id=upload.id,
                post_id=post.id,
                thread_id=post.thread_id,
                is_shown=post.is_visible,
            )
            db.session.add(use)
    db.session.flush()


def show_uses(post: Post, shown: bool) -> None:
    """Count `post`'s uses for visibility again (restored) or not (deleted or hidden): a file
    shown only in a hidden post is no longer open to the thread's readers."""
    db.session.execute(update(UploadUse).where(UploadUse.post_id == post.id).values(is_shown=shown))


def follow_merge(source_id: int, into_id: int) -> None:
    """A merged thread's posts now live in the thread it was merged into: so do their uses."""
    db.session.execute(
        update(UploadUse).where(UploadUse.thread_id == source_id).values(thread_id=into_id)
    )


def follow_posts(thread_id: int) -> None:
    """Posts were moved into `thread_id` (a merge, a split): their files' uses follow them."""
    db.session.execute(
        update(UploadUse)
        .where(UploadUse.post_id.in_(select(Post.id).where(Post.thread_id == thread_id)))
        .values(thread_id=thread_id)
    )


def remove_stored(keys: Iterable[str]) -> None:
    """Delete stored files by key; call it after the commit that removed their rows."""
    store = storage()
    for key in keys:
        store.delete(key)


def delete_orphans(*, now: dt.datetime | None = None, limit: int = 500) -> tuple[int, list[str]]:
    """Delete the rows of uploads that no post uses and that are older than
    UPLOAD_ORPHAN_HOURS (at most `limit`, flushed); returns how many and their storage keys,
    for the caller to pass to
    `remove_stored` once it has committed (a rolled-back cleanup then loses no file)."""
    hours = float(current_app.config["UPLOAD_ORPHAN_HOURS"])
    cutoff = (now or utcnow()) - dt.timedelta(hours=hours)
    used = select(UploadUse.upload_id)
    orphans = list(
        db.session.scalars(
            select(Upload)
            .where(Upload.created_at < cutoff, Upload.id.not_in(used))
            .order_by(Upload.id)
            .limit(limit)
        )
    )
    keys = [key for u in orphans for key in (u.storage_key, u.thumbnail_key) if key]
    for upload in orphans:
        db.session.delete(upload)
    db.session.flush()
    if orphans:
        logger.info("deleting %d unused uploads", len(orphans))
    return len(orphans), keys
