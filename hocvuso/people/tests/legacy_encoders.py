"""Writers of text in the legacy encodings, for tests: the inverse of hocvuso.people.imports.encodings, built
from the encodings' definitions (not from the decoders), so a wrong decoder table shows up as a failing test."""

import unicodedata

_TONE_MARKS = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}

# TCVN3 lower-case letters and the capitals it has, written out letter by letter from TCVN 5712:1993 (VN3).
_TCVN3 = {
    "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7,
    "ă": 0xA8, "â": 0xA9, "ê": 0xAA, "ô": 0xAB, "ơ": 0xAC, "ư": 0xAD, "đ": 0xAE,
    "à": 0xB5, "ả": 0xB6, "ã": 0xB7, "á": 0xB8, "ạ": 0xB9,
    "ằ": 0xBB, "ẳ": 0xBC, "ẵ": 0xBD, "ắ": 0xBE, "ặ": 0xC6,
    "ầ": 0xC7, "ẩ": 0xC8, "ẫ": 0xC9, "ấ": 0xCA, "ậ": 0xCB,
    "è": 0xCC, "ẻ": 0xCE, "ẽ": 0xCF, "é": 0xD0, "ẹ": 0xD1,
    "ề": 0xD2, "ể": 0xD3, "ễ": 0xD4, "ế": 0xD5, "ệ": 0xD6,
    "ì": 0xD7, "ỉ": 0xD8, "ĩ": 0xDC, "í": 0xDD, "ị": 0xDE,
    "ò": 0xDF, "ỏ": 0xE1, "õ": 0xE2, "ó": 0xE3, "ọ": 0xE4,
    "ồ": 0xE5, "ổ": 0xE6, "ỗ": 0xE7, "ố": 0xE8, "ộ": 0xE9,
    "ờ": 0xEA, "ở": 0xEB, "ỡ": 0xEC, "ớ": 0xED, "ợ": 0xEE,
    "ù": 0xEF, "ủ": 0xF1, "ũ": 0xF2, "ú": 0xF3, "ụ": 0xF4,
    "ừ": 0xF5, "ử": 0xF6, "ữ": 0xF7, "ứ": 0xF8, "ự": 0xF9,
    "ỳ": 0xFA, "ỷ": 0xFB, "ỹ": 0xFC, "ý": 0xFD, "ỵ": 0xFE,
}  # fmt: skip


def encode_tcvn3(text: str) -> bytes:
    """Text as a TCVN3 file: a capital with a tone is written with the lower-case code (the .VnTimeH font)."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        if char.isascii():
            out.append(ord(char))
        elif char in _TCVN3:
            out.append(_TCVN3[char])
        else:
            out.append(_TCVN3[char.lower()])
    return bytes(out)


# VNI: the letter without marks, then one byte for the marks (as Windows-1252 shows it).
_VNI_MARK_BYTES = {
    ("", "\u0301"): "ù", ("", "\u0300"): "ø", ("", "\u0309"): "û", ("", "\u0303"): "õ", ("", "\u0323"): "ï",
    ("\u0302", ""): "â", ("\u0302", "\u0301"): "á", ("\u0302", "\u0300"): "à", ("\u0302", "\u0309"): "å",
    ("\u0302", "\u0303"): "ã", ("\u0302", "\u0323"): "ä",
    ("\u0306", ""): "ê", ("\u0306", "\u0301"): "é", ("\u0306", "\u0300"): "è", ("\u0306", "\u0309"): "ú",
    ("\u0306", "\u0303"): "ü", ("\u0306", "\u0323"): "ë",
}  # fmt: skip
_VNI_I = {"": "i", "\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def encode_vni(text: str) -> bytes:
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char.isascii():
            out.append(char)
            continue
        upper = char != char.lower()
        parts = unicodedata.normalize("NFD", char.lower())
        base, marks = parts[0], parts[1:]
        shape = next((mark for mark in marks if mark in "\u0302\u0306\u031b"), "")
        tone = next((mark for mark in marks if mark in _TONE_MARKS), "")
        if char.lower() == "đ":
            letters = "ñ"
        elif base == "i":
            letters = _VNI_I[tone]
        elif base == "y" and tone == "\u0323":
            letters = "î"
        elif shape == "\u031b":  # ơ, ư: one byte, then the tone
            letters = ("ô" if base == "o" else "ö") + (_VNI_MARK_BYTES[("", tone)] if tone else "")
        else:
            letters = base + _VNI_MARK_BYTES[(shape, tone)]
        out.append(letters.upper() if upper else letters)
    return "".join(out).encode("cp1252")


def encode_windows_1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: the letters the code page has, tones as combining marks after them."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = next(mark for mark in parts if mark in _TONE_MARKS)
            base = unicodedata.normalize("NFC", parts.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)
