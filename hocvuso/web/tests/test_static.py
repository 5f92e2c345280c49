"""The hand-written stylesheet: text colours meet WCAG AA contrast, and nothing is fetched from elsewhere."""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "static" / "web"


def _variables() -> dict[str, str]:
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    root = re.search(r":root\s*{(.*?)}", css, re.S)
    assert root is not None
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root.group(1)))


def _luminance(colour: str) -> float:
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted([_luminance(foreground), _luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        ("text", "background"),
        ("text", "surface"),
        ("muted", "background"),
        ("muted", "surface"),
        ("primary", "background"),
        ("primary", "surface"),
        ("primary-dark", "background"),
        ("on-primary", "primary"),
        ("on-primary", "primary-dark"),
        ("success-text", "success-bg"),
        ("error-text", "error-bg"),
        ("info-text", "info-bg"),
        ("info-text", "background"),
    ],
)
def test_text_colours_have_at_least_aa_contrast(foreground: str, background: str) -> None:
    colours = _variables()

    assert contrast(colours[foreground], colours[background]) >= 4.5


def test_focus_ring_stands_out_on_light_and_dark_backgrounds() -> None:
    colours = _variables()

    assert contrast("#000000", colours["background"]) >= 3
    assert contrast(colours["focus"], colours["primary-dark"]) >= 3


def test_assets_load_nothing_from_the_internet() -> None:
    paths = [path for path in STATIC.rglob("*") if path.suffix in {".css", ".js", ".svg"}]
    assert STATIC / "site.css" in paths and STATIC / "field" / "app.js" in paths  # subfolders too (the field app)
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text.replace("http://www.w3.org/2000/svg", "")) is None
        assert "@import" not in text
        assert "@font-face" not in text


def test_the_field_app_colours_have_at_least_aa_contrast() -> None:
    css = (STATIC / "field" / "field.css").read_text(encoding="utf-8")
    root = re.search(r":root\s*{(.*?)}", css, re.S)
    assert root is not None
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root.group(1)))
    white = "#ffffff"
    pairs = [
        (colours["ink"], white),
        (colours["muted"], white),
        (colours["muted"], colours["soft"]),
        (colours["ink"], colours["soft"]),
        (colours["red"], white),  # light buttons, the pressed large-text chip
        (white, colours["red"]),  # buttons, the top bar
        (white, colours["red-dark"]),
        (colours["red"], colours["soft"]),  # a light button under the pointer
        (colours["ink"], "#fff4d6"),  # the "no network" line
    ]
    assert [pair for pair in pairs if contrast(*pair) < 4.5] == []
    assert contrast(colours["focus"], white) >= 3
