"""Lesson Markdown to safe HTML, done once at import (or admin save), never per page view.

Authors write Markdown; raw HTML inside it is allowed by Markdown but everything goes through nh3 (the Rust
`ammonia` sanitiser) with a short allowlist: no scripts, no event handlers, no styles, no `javascript:` links.
A relative link or image (``media/qr.png``) must name a file of the course: it is rewritten to that file's URL.
An image from another site is dropped (pages load nothing from the internet), links to other sites stay.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import markdown
import nh3

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
        "mark", "small", "sub", "sup", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "code", "pre", "kbd",
        "a", "img", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
        "abbr", "span", "div",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "def_list", "abbr"]


# A line as Markdown sees it: the blockquote markers in front ("> > "), then the rest.
QUOTED_LINE = re.compile(r"^((?:[ ]{0,3}>[ ]?)*)(.*)$")
LIST_ITEM = re.compile(r"^(?:[-*+]|1[.)])[ \t]+\S")
FENCE = re.compile(r"^[ ]{0,3}(?:```|~~~)")


def _lists_interrupt_paragraphs(text: str) -> str:
    """Let a list start right under a paragraph line, as authors write it and as CommonMark reads it
    ("> **Ghi nhớ**" then "> - …"): Python-Markdown would otherwise read the items as the paragraph's own text,
    printing a run-on line with literal "- ". Adds the blank line (inside the same quote) that it needs."""
    lines = text.split("\n")
    out: list[str] = []
    in_fence = False
    previous = ("", "")
    for line in lines:
        quote, rest = QUOTED_LINE.match(line).groups()  # type: ignore[union-attr]  # the pattern matches any line
        if FENCE.match(rest):
            in_fence = not in_fence
        elif (
            not in_fence
            and LIST_ITEM.match(rest)
            and previous[1].strip()
            and not previous[1][:1].isspace()
            and not LIST_ITEM.match(previous[1])
            and quote.replace(" ", "") == previous[0].replace(" ", "")
        ):
            out.append(quote.rstrip())
        out.append(line)
        previous = (quote, rest)
    return "\n".join(out)


@dataclass
class RenderedMarkdown:
    """The sanitised HTML and the relative references that name no file of the course."""

    html: str
    missing: list[str] = field(default_factory=list)


def _is_relative(value: str) -> bool:
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc and not value.startswith(("/", "#", "?"))


def _reference_filter(media_urls: Mapping[str, str], missing: list[str]) -> Callable[[str, str, str], str | None]:
    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if (element, attribute) not in {("a", "href"), ("img", "src")}:
            return value
        if _is_relative(value):
            path = urlsplit(value).path.removeprefix("./")
            if path in media_urls:
                return media_urls[path]
            missing.append(path)
            return None
        if element == "img" and not value.startswith("/"):
            return None  # an image from another site: the page would load it from the internet
        return value

    return rewrite


def render_markdown(text: str, *, media_urls: Mapping[str, str] | None = None) -> RenderedMarkdown:
    """Render lesson Markdown to sanitised HTML. ``media_urls`` maps a course file's path ("media/qr.png") to
    its URL; relative references to anything else are removed and listed in ``missing``."""
    missing: list[str] = []
    raw = markdown.markdown(_lists_interrupt_paragraphs(text), extensions=MARKDOWN_EXTENSIONS, output_format="html")
    html = nh3.clean(
        raw,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_reference_filter(media_urls or {}, missing),
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )
    return RenderedMarkdown(html=html, missing=sorted(set(missing)))
