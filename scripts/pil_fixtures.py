#!/usr/bin/python3
"""Writes Pillow reference resizes for app/core/resample.test.ts (run with Debian's python3-pil).

Sources are made here (photo-like synthetic scenes: gradients, texture, hard edges, thin strokes,
noise) plus, when a photo path is given, a crop of a real photograph. Each case stores the source
RGB bytes and Pillow's output, gzip-compressed, so the tests need no Python.

usage: /usr/bin/python3 scripts/pil_fixtures.py [photo.jpg]
The committed photo cases use /usr/share/backgrounds/mate/nature/Garden.jpg from Debian's
mate-backgrounds (GPL-2+); the output is byte-identical on every run with the same Pillow.
"""
import gzip
import json
import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "app/core/fixtures/resample"


def scene(width, height, seed):
    rng = random.Random(seed)
    img = Image.new("RGB", (width, height))
    px = img.load()
    for y in range(height):
        for x in range(width):
            r = int(127 + 120 * math.sin(x / (7 + seed % 5)) * math.cos(y / 11))
            g = (x * 255) // max(1, width - 1)
            b = (y * 255) // max(1, height - 1)
            n = rng.randint(-40, 40)
            px[x, y] = (max(0, min(255, r + n)), max(0, min(255, g - n)), max(0, min(255, b + n // 2)))
    draw = ImageDraw.Draw(img)
    for i in range(12):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        color = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if i % 3 == 0:
            draw.rectangle([x0, y0, x0 + rng.randint(1, 30), y0 + rng.randint(1, 20)], fill=color)
        else:
            draw.line([x0, y0, rng.randrange(width), rng.randrange(height)], fill=color, width=1)
    draw.text((min(3, width - 1), min(3, height - 1)), "ERGO 42", fill=(255, 255, 255))
    return img


CASES = [
    # name, source size, target size, filter
    ("down-bicubic", (301, 203), (112, 84), "bicubic"),
    ("down-lanczos", (301, 203), (112, 84), "lanczos"),
    ("up-lanczos", (57, 41), (168, 112), "lanczos"),
    ("up-bicubic", (57, 41), (168, 112), "bicubic"),
    ("odd-bicubic", (199, 97), (84, 56), "bicubic"),
    ("width-only-bicubic", (150, 60), (56, 60), "bicubic"),
    ("height-only-lanczos", (60, 150), (60, 56), "lanczos"),
    ("row-1xN-bicubic", (240, 1), (56, 1), "bicubic"),
    ("col-Nx1-lanczos", (1, 240), (1, 56), "lanczos"),
    ("tiny-up-bicubic", (3, 2), (56, 56), "bicubic"),
]


def pattern(width, height):
    """Integer-only pixels that the test recomputes, so a large source costs no fixture bytes."""
    data = bytearray(width * height * 3)
    i = 0
    for y in range(height):
        for x in range(width):
            data[i] = (x * 7 + y * 13) & 255
            data[i + 1] = ((x ^ y) * 5) & 255
            data[i + 2] = ((x * y) >> 4) & 255
            i += 3
    return Image.frombytes("RGB", (width, height), bytes(data))


# Wide enough that resizeRGBA feeds the source to its horizontal pass in several strips (an odd
# number of rows each); the source is `pattern`, not stored.
WIDE = ("wide-strips-bicubic", (6000, 131), (1500, 40), "bicubic")

FILTERS = {"bicubic": Image.BICUBIC, "lanczos": Image.LANCZOS}


def write_case(name, src, size, filt, note="", store_source=True):
    out = src.resize(size, FILTERS[filt])
    if store_source:
        (OUT / f"{name}.src.rgb.gz").write_bytes(gzip.compress(src.tobytes(), mtime=0))
    (OUT / f"{name}.out.rgb.gz").write_bytes(gzip.compress(out.tobytes(), mtime=0))
    case = {"name": name, "source": list(src.size), "target": list(size), "filter": filt, "note": note}
    return case if store_source else {**case, "pattern": True}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    index = [write_case(name, scene(*src, seed=i), size, filt) for i, (name, src, size, filt) in enumerate(CASES)]
    name, src, size, filt = WIDE
    index.append(write_case(name, pattern(*src), size, filt, "source is pattern(): recomputed by the test", store_source=False))
    if len(sys.argv) > 1:
        photo = Image.open(sys.argv[1]).convert("RGB")
        crop = photo.crop((photo.width // 3, photo.height // 3, photo.width // 3 + 320, photo.height // 3 + 240))
        note = f"crop of {Path(sys.argv[1]).name} (MATE backgrounds, Debian package mate-backgrounds, GPL-2+)"
        index.append(write_case("photo-down-bicubic", crop, (112, 84), "bicubic", note))
        index.append(write_case("photo-up-lanczos", crop.crop((0, 0, 96, 64)), (252, 168), "lanczos", note))
    (OUT / "index.json").write_text(json.dumps({"pillow": Image.__version__, "cases": index}, indent=2) + "\n")


if __name__ == "__main__":
    main()
