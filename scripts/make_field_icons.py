"""Draw the field app's PNG icons (192 and 512 px) from the site's star icon (web/icon.svg), with Pillow: no asset
from elsewhere. Run once after changing the icon; the PNGs are committed.

    uv run python scripts/make_field_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "hocvuso" / "web" / "static" / "web" / "field"
RED, YELLOW = (164, 22, 26), (255, 213, 79)
# The star of web/icon.svg, in its 64-unit box.
STAR = [(32, 15), (36.7, 25.3), (48, 26.5), (39.5, 34.1), (41.9, 45.2), (32, 39.6), (22.1, 45.2), (24.5, 34.1)]
STAR += [(16, 26.5), (27.3, 25.3)]


def draw(size: int) -> Image.Image:
    """A full-bleed red square (a maskable icon: the launcher may round it) with the star inside the safe zone."""
    image = Image.new("RGB", (size, size), RED)
    scale = size / 64 * 0.8  # the star kept within the central 80 % (the maskable safe zone)
    offset = size * 0.1
    ImageDraw.Draw(image).polygon([(offset + x * scale, offset + y * scale + size * 0.02) for x, y in STAR], YELLOW)
    return image


def main() -> None:
    for size in (192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
