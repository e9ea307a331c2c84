"""Read a zip of images (one sub-folder per class) into a :class:`Dataset`, with thumbnails."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import PurePosixPath
from typing import Any, Literal

import numpy as np
import pandas as pd
from PIL import Image, ImageOps

from ..errors import InvalidDataError, InvalidParameterError
from ..thumbnails import Thumbnails, cell_for, fit_image, open_header
from ._common import MAX_UPLOAD_BYTES, MIN_ITEMS, check_upload, human_size, quoted_list
from .dataset import Dataset

ImageMode = Literal["L", "RGB"]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
MAX_IMAGES = 100_000
#: Most pixels in one image: 40 megapixels (a 6000×6000 photo, 120 MB decoded in RGB). A larger
#: image is skipped before its pixels are decoded (its size is read from the file's header).
MAX_IMAGE_PIXELS = 40_000_000
#: Most pixels decoded from one zip, all images together: 4·10⁹ (100,000 images of 200×200, or
#: 1,000 photos of 4 megapixels). A 200 MB zip of real photos holds far fewer; a zip of thousands
#: of flat, highly compressible images would otherwise keep the server decoding for an hour.
MAX_TOTAL_PIXELS = 4_000_000_000
#: Images skipped for their size that the notes name one by one; the others are counted.
_NAMED_SKIPS = 5
_MAX_SIDE = 512  # larger targets make X too wide for a kNN search anyway


def read_image_zip(data: bytes, *, name: str, size: tuple[int, int] = (28, 28),
                   mode: ImageMode = "L", max_bytes: int = MAX_UPLOAD_BYTES,
                   max_images: int = MAX_IMAGES, min_images: int = MIN_ITEMS,
                   max_image_pixels: int = MAX_IMAGE_PIXELS,
                   max_total_pixels: int = MAX_TOTAL_PIXELS) -> Dataset:
    """Decode every image in a zip, resize it and flatten its pixels into one row of ``X``.

    Each image is converted to ``mode`` (transparent areas become white, 16-bit grey levels
    0–65535 are mapped to 0–255), turned upright from its EXIF orientation, then resized to
    ``size`` with LANCZOS, without keeping the aspect ratio (it is stretched; crop beforehand if
    that matters). ``X`` holds the pixels divided by 255. Files under ``__MACOSX/``, hidden files
    and non-image files are ignored. The immediate parent folder of an image is its label; images
    at the top level, or all in one single folder, get no label.

    Parameters
    ----------
    data : bytes
        The zip file's content.
    name : str
        Name of the dataset, also used in messages (the uploaded file name).
    size : (int, int)
        ``(height, width)`` of the resized images, as in NumPy (not PIL's ``(width, height)``).
    mode : {"L", "RGB"}
        Grey levels (one value per pixel) or colour (three).
    max_bytes : int
        Largest accepted zip size, and largest unpacked size of one image in it.
    max_images : int
        Most images accepted.
    min_images : int
        Fewest readable images accepted (3 to make a map; 1 to embed new images on a saved
        map).
    max_image_pixels : int
        Most pixels (width·height) of one image; larger ones are skipped, before decoding.
    max_total_pixels : int
        Most pixels decoded from the whole zip; the upload is refused when its images add up
        to more (checked before each image is decoded).

    Returns
    -------
    Dataset
        ``kind="images"``, ``X`` of shape (n_images, height·width[·3]), ``image_shape``
        ``(height, width)`` or ``(height, width, 3)``, a :class:`~pumap_core.thumbnails.Thumbnails`
        stack (cell side from :func:`~pumap_core.thumbnails.cell_for`; small images enlarged by a
        whole factor, crisp), and ``table``
        with ``file`` (path inside the zip), ``width`` and ``height`` (original size) and
        ``label`` when sub-folders exist. Its ``recipe`` (:func:`image_recipe`) records ``size``
        and ``mode``.

    Raises
    ------
    InvalidParameterError
        Bad ``size`` or ``mode``.
    InvalidDataError
        Empty or too large upload, not a zip, no images, too many images or pixels in all, or
        fewer than ``min_images`` readable images. An unreadable image, or one over the size
        limits (``max_bytes`` unpacked, ``max_image_pixels``), is skipped and named in ``notes``.
    """
    if mode not in ("L", "RGB"):
        raise InvalidParameterError(f"mode must be 'L' (grey levels) or 'RGB' (colour); got "
                                    f"{mode!r}.")
    if (len(size) != 2 or not all(isinstance(s, (int, np.integer)) for s in size)
            or not all(1 <= s <= _MAX_SIDE for s in size)):
        raise InvalidParameterError(f"size must be (height, width) with whole numbers from 1 to "
                                    f"{_MAX_SIDE}; got {size!r}.")
    data = check_upload(data, name, max_bytes)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise InvalidDataError(f"{name} is not a valid zip archive; compress the image folder "
                               "as a .zip file and upload it again.") from None

    notes: list[str] = []
    with archive:
        entries, others = _image_entries(archive)
        if others:
            notes.append(f"ignored {len(others)} non-image file(s), e.g. {others[0]!r}")
        if not entries:
            raise InvalidDataError(f"{name} contains no images; put {', '.join(IMAGE_EXTENSIONS)}"
                                   " files in the zip, one sub-folder per class.")
        if len(entries) > max_images:
            raise InvalidDataError(f"{name} holds {len(entries):,} images, more than the limit of "
                                   f"{max_images:,}; upload a sample of the images.")
        height, width = int(size[0]), int(size[1])
        shape = (height, width) if mode == "L" else (height, width, 3)
        X = np.empty((len(entries), int(np.prod(shape))), np.float32)  # filled row by row
        cell = cell_for(len(entries))
        thumbs: list[np.ndarray] = []
        files, dims, modes, bad = [], [], Counter(), []
        skipped: list[tuple[str, str]] = []  # (path, why) of the images over a size limit
        decoded = 0  # pixels decoded so far, for max_total_pixels
        for i, (path, info) in enumerate(entries):
            if info.file_size > max_bytes:  # refused before it is unpacked
                skipped.append((path, f"{human_size(info.file_size)} unpacked, more than the "
                                      f"limit of {human_size(max_bytes)} per image"))
                continue
            try:
                header = open_header(archive.read(info))
            except Image.DecompressionBombError:  # PIL's own guard, at twice its limit
                skipped.append((path, _bomb(max_image_pixels)))
                continue
            except Exception:  # not an image, or a damaged zip member
                bad.append(path)
                continue
            pixels = header.width * header.height
            if pixels > max_image_pixels:  # only the header was read: nothing decoded yet
                skipped.append((path, f"{header.width}×{header.height} pixels "
                                      f"({_pixels(pixels)}), more than the limit of "
                                      f"{_pixels(max_image_pixels)} per image"))
                continue
            decoded += pixels
            if decoded > max_total_pixels:
                raise InvalidDataError(
                    f"The images in {name} add up to more than {_pixels(max_total_pixels)}, the "
                    f"limit for one upload (reached at {path}, image {i + 1:,} of "
                    f"{len(entries):,}); make the images smaller or upload fewer.")
            try:
                image, original_mode = _decode(header, mode)
                resized = image.resize((width, height), Image.Resampling.LANCZOS)
                X[len(files)] = np.asarray(resized, dtype=np.float32).reshape(-1) / 255.0
                thumb = fit_image(image, cell)
            except Image.DecompressionBombError:  # a later frame or layer larger than the first
                skipped.append((path, _bomb(max_image_pixels)))
                continue
            except Exception:  # a damaged file can make any Pillow decoder raise anything
                bad.append(path)
                continue
            thumbs.append(thumb)
            files.append(path)
            dims.append(image.size)
            modes[original_mode] += 1

    if bad:
        notes.append(f"skipped {len(bad)} unreadable image{'s' if len(bad) > 1 else ''}: "
                     f"{quoted_list(bad, 5, quote=False)}")
    notes += [f"skipped {path}: {why}" for path, why in skipped[:_NAMED_SKIPS]]
    if len(skipped) > _NAMED_SKIPS:
        notes.append(f"skipped {len(skipped) - _NAMED_SKIPS} more image(s) over the size limits")
    if not files and skipped:
        path, why = skipped[0]
        unreadable = f", {len(bad)} unreadable" if bad else ""
        raise InvalidDataError(f"None of the {len(entries)} image(s) in {name} can be used "
                               f"({len(skipped)} too large{unreadable}): e.g. {path} is {why}; "
                               "make the images smaller and upload the zip again.")
    if not files:
        raise InvalidDataError(f"None of the {len(entries)} image(s) in {name} could be read "
                               f"(e.g. {bad[0]}); check that they are valid image files.")
    if len(files) < min_images:
        raise InvalidDataError(f"{name} has {len(files)} readable image(s); at least {min_images} "
                               "are needed to make a map.")
    converted = {m: c for m, c in modes.items() if m != mode}
    if converted:
        found = ", ".join(f"{m}: {c}" for m, c in sorted(converted.items()))
        notes.append(f"converted {sum(converted.values())} image(s) to {mode} (found {found})")
    notes.append(f"resized {len(files)} image(s) to {height}×{width} pixels")

    table = pd.DataFrame({"file": files, "width": [d[0] for d in dims],
                          "height": [d[1] for d in dims]})
    folders = [PurePosixPath(f).parent.name for f in files]
    labels = None
    if len(set(folders)) > 1:  # one shared folder is the archive's wrapper, not a class
        labels = np.array([f or "(top level)" for f in folders], dtype=str)
        table.insert(0, "label", labels)
    if len(files) < len(X):
        X = X[: len(files)].copy()  # release the rows reserved for skipped images
    return Dataset(name=name, X=X, table=table, labels=labels,
                   label_name=None if labels is None else "label", kind="images",
                   image_shape=shape, thumbnails=Thumbnails.from_cells(thumbs),
                   feature_names=_pixel_names(shape),
                   notes=notes, recipe=image_recipe((height, width), mode))


def image_recipe(size: tuple[int, int], mode: str) -> dict[str, Any]:
    """The JSON-able record of how images became rows of ``X``, replayed by :mod:`.recipe`.

    ``size`` is ``[height, width]``; pixels are divided by 255 (``pixel_scale``).
    """
    height, width = int(size[0]), int(size[1])
    shape = [height, width] if mode == "L" else [height, width, 3]
    return {"kind": "images", "version": 1, "size": [height, width], "mode": mode,
            "image_shape": shape, "pixel_scale": 255.0}


def _image_entries(archive: zipfile.ZipFile
                   ) -> tuple[list[tuple[str, zipfile.ZipInfo]], list[str]]:
    """(path, member) of each image sorted by path, and the paths of other (non-hidden) files.

    Paths use "/" even in zips written on Windows with backslashes, so folders become labels.
    """
    images, others = [], []
    for info in archive.infolist():
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if info.is_dir() or path.parts[:1] == ("__MACOSX",):
            continue
        if any(part.startswith(".") for part in path.parts):  # .DS_Store, ._resource forks
            continue
        if path.suffix.lower() in IMAGE_EXTENSIONS:
            images.append((str(path), info))
        else:
            others.append(str(path))
    images.sort(key=lambda entry: entry[0])
    return images, others


def _bomb(limit: int) -> str:
    """Why an image that PIL refused as a decompression bomb is skipped (its size is unknown)."""
    return (f"more than {_pixels(2 * (Image.MAX_IMAGE_PIXELS or 0))}, far more than the limit "
            f"of {_pixels(limit)} per image")


def _pixels(count: int) -> str:
    """A pixel count for a message: ``"144.0 megapixels"``, or ``"900 pixels"`` below a million."""
    return f"{count / 1e6:,.1f} megapixels" if count >= 1_000_000 else f"{count:,} pixels"


def _decode(image: Image.Image, mode: str) -> tuple[Image.Image, str]:
    """Decode an opened image (first frame), upright, in ``mode``; also give its original mode."""
    image.load()
    original_mode = image.mode
    image = ImageOps.exif_transpose(image)
    if image.mode.startswith("I"):
        # Pillow clips 16-bit pixels to 255 when converting to L; map 0..65535 onto 0..255 instead
        # (the same factor for every image, so relative brightness survives).
        pixels = np.asarray(image, dtype=np.float64) / 257.0
        image = Image.fromarray(np.round(np.clip(pixels, 0, 255)).astype(np.uint8))
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    return (image.convert(mode) if image.mode != mode else image), original_mode


def _pixel_names(shape: tuple[int, ...]) -> list[str]:
    """``px_r_c`` for grey levels, ``px_r_c_R`` / ``_G`` / ``_B`` for colour, row-major as X."""
    rows, cols = shape[0], shape[1]
    if len(shape) == 2:
        return [f"px_{r}_{c}" for r in range(rows) for c in range(cols)]
    return [f"px_{r}_{c}_{ch}" for r in range(rows) for c in range(cols) for ch in "RGB"]
