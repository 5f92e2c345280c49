"""Text helpers for what offices send us: file encodings, Unicode normalisation, diacritic-free search keys."""

import unicodedata

from django.utils.translation import gettext as _

from .errors import DomainError

_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]


def decode_text_file(data: bytes) -> str:
    """Decode an uploaded text file (UTF-8 with or without BOM, or UTF-16 with BOM) into NFC text.

    Raises DomainError when the bytes are not text in one of those encodings (for example a legacy
    TCVN3/VNI file, or a binary file with the wrong extension).
    """
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DomainError(_("Tệp không phải là văn bản (có byte rỗng). Hãy lưu tệp dưới dạng CSV UTF-8."))
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise DomainError(
            _("Tệp không đọc được theo mã %(encoding)s (byte %(position)s). Hãy lưu tệp dưới dạng CSV UTF-8.")
            % {"encoding": encoding.upper(), "position": error.start}
        ) from error
    return unicodedata.normalize("NFC", text)


# Apostrophes and look-alikes written in ethnic names (H'Thuy, K’Brơi, Y ʼBhim): a name is written with or without
# one, with or without a space after it, so for search each is a space between words.
_APOSTROPHES = str.maketrans(dict.fromkeys("'’‘ʼ`´ʹ", " "))


def search_key(text: str) -> str:
    """The search form of a name, the one place that makes it — for the keys stored with residents and for what
    people type: diacritics folded, lower case, apostrophes as spaces, one space between words. "H'Thuy",
    "H' Thuy" and "H Thuy" all give 'h thuy'; 'Nguyễn Thị Đào' gives 'nguyen thi dao'."""
    return " ".join(fold_diacritics(text).translate(_APOSTROPHES).split())


def fold_diacritics(text: str) -> str:
    """Lower-case text without diacritics, for search: 'Nguyễn Thị Đào' → 'nguyen thi dao'."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn").lower()
