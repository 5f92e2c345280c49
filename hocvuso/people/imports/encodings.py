"""Text files in the encodings Vietnamese offices still save: Windows-1258, TCVN3 (ABC) and VNI.

A CSV that is not UTF-8 or UTF-16 is decoded in each of these; the reading whose words are Vietnamese
syllables wins, and only when it is clearly better than the others (otherwise the file is refused: a wrong
guess would store garbled names). The tables were written from the encodings' definitions:

- TCVN3 (TCVN 5712:1993, the "ABC" fonts .VnTime/.VnTimeH): one byte per letter. Lower-case letters with
  tones sit in 0xB5–0xFE, the seven base letters ă â ê ô ơ ư đ at 0xA8–0xAE and their capitals at 0xA1–0xA7.
  Capitals with tones were typed with the .VnTimeH font using the lower-case codes; a word whose other
  letters (at least two) are all capitals is therefore put in capitals ("THỊ", "HƯỜNG"; "Họ" stays). The
  other capitals of TCVN 5712 VN1 (0x80–0x9F and a few spare positions) are decoded too.
- VNI (VNI-Windows fonts): the base letter followed by a byte that adds the marks (read as Windows-1252:
  "aù" = á, "aâ" = â, "aá" = ấ, "aê" = ă, "aé" = ắ, "oâ" = ô…); ơ ư đ and the letters i/y with tones are one
  byte ("ô" = ơ, "ö" = ư, "ñ" = đ, "í" = í, "æ" = ỉ, "ó" = ĩ, "ò" = ị, "î" = ỵ).
- Windows-1258: Python's codec; tones come as combining marks after the letter, so the text is put in NFC.
"""

import re
import unicodedata

# --- TCVN3 --------------------------------------------------------------------------------------------------

_TCVN3_HIGH = (
    # 0x80–0x9F (capitals with tones, TCVN 5712 VN1)
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"
    # 0xA0–0xAF
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"
    # 0xB0–0xBF (0xB0–0xB4: the five tone marks alone)
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    # 0xC0–0xCF
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"
    # 0xD0–0xDF
    "éẹềểễếệìỉỄẾỒĩíịò"
    # 0xE0–0xEF
    "Ổỏõóọồổỗốộờởỡớợù"
    # 0xF0–0xFF
    "Ỗủũúụừửữứựỳỷỹýỵố"
)
assert len(_TCVN3_HIGH) == 128
# 0xFF is Ố in VN1; the capitals with tones at 0x01–0x17 of VN1 are control codes in a CSV and are not decoded.
_TCVN3_TABLE = {0x80 + index: char for index, char in enumerate(_TCVN3_HIGH)}
_TCVN3_TABLE[0xFF] = "Ố"
_TCVN3_DECODE = "".join(chr(byte) if byte < 0x80 else _TCVN3_TABLE[byte] for byte in range(256))
_TCVN3_LOWER_WITH_TONE = frozenset(
    char for byte, char in _TCVN3_TABLE.items() if 0xB5 <= byte <= 0xFE and char.islower()
)
_WORD = re.compile(r"[^\W\d_]+")
TCVN3_TONED_LOWER = _TCVN3_LOWER_WITH_TONE


def decode_tcvn3(data: bytes) -> str:
    """TCVN3 (ABC) bytes as Unicode NFC text; see the module docstring for capitals."""
    text = data.decode("latin-1").translate(dict(enumerate(_TCVN3_DECODE)))

    def capitals(match: re.Match[str]) -> str:
        word = match.group(0)
        if any(char in _TCVN3_LOWER_WITH_TONE for char in word):
            others = [char for char in word if char not in _TCVN3_LOWER_WITH_TONE]
            if len(others) >= 2 and all(char.isupper() for char in others):
                return word.upper()
        return word

    return unicodedata.normalize("NFC", _WORD.sub(capitals, text))


# --- VNI ----------------------------------------------------------------------------------------------------

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
# The byte after a base letter (as Windows-1252 shows it, lower-case form) → the marks it adds.
_VNI_MARKS = {
    "ù": _ACUTE,
    "ø": _GRAVE,
    "û": _HOOK,
    "õ": _TILDE,
    "ï": _DOT,
    "â": _CIRCUMFLEX,
    "á": _CIRCUMFLEX + _ACUTE,
    "à": _CIRCUMFLEX + _GRAVE,
    "å": _CIRCUMFLEX + _HOOK,
    "ã": _CIRCUMFLEX + _TILDE,
    "ä": _CIRCUMFLEX + _DOT,
    "ê": _BREVE,
    "é": _BREVE + _ACUTE,
    "è": _BREVE + _GRAVE,
    "ú": _BREVE + _HOOK,
    "ü": _BREVE + _TILDE,
    "ë": _BREVE + _DOT,
}
# Letters VNI writes in one byte.
_VNI_LETTERS = {
    "ô": "ơ",
    "ö": "ư",
    "ñ": "đ",
    "í": "í",
    "ì": "ì",
    "æ": "ỉ",
    "ó": "ĩ",
    "ò": "ị",
    "î": "ỵ",
}
_VNI_BASES = frozenset("aeouyAEOUYơưƠƯ")
_VNI_TONES_ONLY = frozenset("ùøûõï")  # the marks an ơ, ư, u or y can take (no circumflex or breve)


def decode_vni(data: bytes) -> str:
    """VNI-Windows bytes as Unicode NFC text."""
    source = data.decode("cp1252", errors="replace")
    out: list[str] = []
    for char in source:
        lower = char.lower()
        upper = char != lower
        if out and out[-1] in _VNI_BASES and lower in _VNI_MARKS:
            base = out[-1]
            if base.lower() in "ơưuy" and lower not in _VNI_TONES_ONLY:
                out.append(char)  # not a VNI mark after this letter: keep the byte's own letter
                continue
            out[-1] = unicodedata.normalize("NFC", base + _VNI_MARKS[lower])
            continue
        letter = _VNI_LETTERS.get(lower)
        if letter is not None:
            out.append(letter.upper() if upper else letter)
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


# --- telling which reading is Vietnamese --------------------------------------------------------------------

_TONES = {_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT}
_ONSETS = sorted(
    [
        "b",
        "c",
        "ch",
        "d",
        "đ",
        "g",
        "gh",
        "gi",
        "h",
        "k",
        "kh",
        "l",
        "m",
        "n",
        "ng",
        "ngh",
        "nh",
        "p",
        "ph",
        "q",
        "qu",
        "r",
        "s",
        "t",
        "th",
        "tr",
        "v",
        "x",
    ],
    key=len,
    reverse=True,
)
_NUCLEI = frozenset(
    [
        "a",
        "ă",
        "â",
        "e",
        "ê",
        "i",
        "o",
        "ô",
        "ơ",
        "u",
        "ư",
        "y",
        "ai",
        "ao",
        "au",
        "ay",
        "âu",
        "ây",
        "eo",
        "êu",
        "ia",
        "iê",
        "iu",
        "oa",
        "oă",
        "oe",
        "oi",
        "oo",
        "ôi",
        "ơi",
        "ua",
        "uâ",
        "uê",
        "ui",
        "uô",
        "uơ",
        "uy",
        "ưa",
        "ưi",
        "ươ",
        "ưu",
        "yê",
        "iêu",
        "oai",
        "oay",
        "oao",
        "oeo",
        "uây",
        "uôi",
        "uya",
        "uyê",
        "uyu",
        "ươi",
        "ươu",
        "yêu",
    ]
)
_CODAS = frozenset(["c", "ch", "m", "n", "ng", "nh", "p", "t"]) | {""}
_VOWELS = frozenset("aăâeêioôơuưy")


def _toneless(word: str) -> tuple[str, int]:
    """The word in lower case without tone marks (keeping ă â ê ô ơ ư đ), and how many tone marks it had."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    kept = [char for char in decomposed if char not in _TONES]
    return unicodedata.normalize("NFC", "".join(kept)), len(decomposed) - len(kept)


def is_vietnamese_syllable(word: str) -> bool:
    """True when `word` is a well-formed Vietnamese syllable: an onset, a vowel nucleus, a final consonant,
    at most one tone ("Nguyễn", "khuya", "gì"); False for "Nguyơn" or "Vaên"."""
    plain, tones = _toneless(word)
    if tones > 1 or not plain:
        return False
    for onset in (*_ONSETS, ""):
        if not plain.startswith(onset):
            continue
        rest = plain[len(onset) :]
        end = 0
        while end < len(rest) and rest[end] in _VOWELS:
            end += 1
        if rest[:end] in _NUCLEI and rest[end:] in _CODAS:
            return True
        if onset in ("gi", "qu") and rest[:end] == "" and rest[end:] in _CODAS:
            return True  # "gìn" → gi + (ì) + n is read by the next shorter onset; "gi" alone is a word
    return False


def vietnamese_score(text: str) -> tuple[int, int]:
    """(well-formed, malformed) counts over the words of `text` that have a letter outside ASCII."""
    good = bad = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        if is_vietnamese_syllable(word):
            good += 1
        else:
            bad += 1
    return good, bad


LEGACY_ENCODINGS = ("windows-1258", "tcvn3", "vni")


def decode_legacy(data: bytes, encoding: str) -> str:
    """`data` decoded from one of LEGACY_ENCODINGS as NFC text. Raises UnicodeDecodeError (Windows-1258 has
    undefined bytes)."""
    if encoding == "tcvn3":
        return decode_tcvn3(data)
    if encoding == "vni":
        return decode_vni(data)
    return unicodedata.normalize("NFC", data.decode("cp1258"))


def guess_legacy_encoding(sample: bytes) -> str | None:
    """The legacy encoding whose reading of `sample` is Vietnamese, or None when no reading is, or two are
    about as good (then the file must be saved again as UTF-8)."""
    scores = []
    for encoding in LEGACY_ENCODINGS:
        try:
            text = decode_legacy(sample, encoding)
        except UnicodeDecodeError:
            continue
        good, bad = vietnamese_score(text)
        scores.append((good - 3 * bad, good, bad, encoding))
    scores.sort(reverse=True)
    if not scores:
        return None
    best_score, good, bad, encoding = scores[0]
    if good == 0 or bad > good // 10:
        return None
    if len(scores) > 1 and scores[1][0] >= best_score * 0.8:
        return None
    return encoding
