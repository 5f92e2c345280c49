"""Compile the translation catalogs (locale/*/LC_MESSAGES/*.po → .mo) with polib: no GNU gettext needed.

    uv run python scripts/compile_messages.py            # compile every catalog
    uv run python scripts/compile_messages.py --extract  # first collect new strings (needs GNU gettext)
    uv run python scripts/compile_messages.py --check    # exit 1 when a .mo is missing or stale

Vietnamese is the source language: every msgid is Vietnamese, so the vi catalog's translations are copied
from the msgids (an empty vi msgstr is filled in). English comes from the en catalog, written by people.
"""

import argparse
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
SOURCE_LANGUAGE = "vi"
LANGUAGES = ["vi", "en"]
PLURAL_FORMS = {"vi": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}
IGNORE = ["var/*", ".venv/*", "node_modules/*", "e2e/*", "bench/*", "*/tests/*", "tests/*", "scripts/*"]


def extract() -> None:
    """Collect the msgids of the whole project into the vi and en catalogs (GNU gettext's xgettext)."""
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--add-location=file"]
    command += [argument for language in LANGUAGES for argument in ("-l", language)]
    command += [argument for pattern in IGNORE for argument in ("--ignore", pattern)]
    subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def fill_source_language(catalog: polib.POFile) -> bool:
    """In the source language every message is its own translation (whatever msgmerge guessed for a new
    message is replaced); returns True when something changed."""
    changed = False
    for entry in catalog:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            wanted = {0: entry.msgid_plural}
            if entry.msgstr_plural != wanted:
                entry.msgstr_plural = wanted
                changed = True
        elif entry.msgstr != entry.msgid:
            entry.msgstr = entry.msgid
            changed = True
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = None
            changed = True
    return changed


def prepare(path: Path) -> polib.POFile:
    """Read a catalog and fix its header (and, for Vietnamese, its translations); saves when changed."""
    language = path.parent.parent.name
    catalog = polib.pofile(str(path), wrapwidth=120)
    changed = False
    header = {
        "Language": language,
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS.get(language, catalog.metadata.get("Plural-Forms", "")),
        "Project-Id-Version": "hocvuso",
    }
    for key, value in header.items():
        if catalog.metadata.get(key) != value:
            catalog.metadata[key] = value
            changed = True
    for key in ("Report-Msgid-Bugs-To", "Last-Translator", "Language-Team"):
        if key in catalog.metadata:
            del catalog.metadata[key]
            changed = True
    if "fuzzy" in catalog.metadata_is_fuzzy:
        catalog.metadata_is_fuzzy = []
        changed = True
    if language == SOURCE_LANGUAGE:
        changed = fill_source_language(catalog) or changed
    if changed:
        catalog.save(str(path))
    return catalog


def compiled_entries(catalog: polib.POFile | polib.MOFile) -> dict[tuple[str | None, str], object]:
    """What a .mo holds: translated, non-fuzzy entries keyed by (context, msgid), plus the header."""
    result: dict[tuple[str | None, str], object] = {}
    for entry in catalog:
        if getattr(entry, "obsolete", False) or "fuzzy" in getattr(entry, "flags", []):
            continue
        translated = any(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
        if not translated:
            continue
        if entry.msgid_plural:
            value: object = (entry.msgid_plural, tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items())))
        else:
            value = entry.msgstr
        result[(entry.msgctxt or None, entry.msgid)] = value
    for key in ("Language", "Content-Type", "Plural-Forms"):
        result[("header", key)] = catalog.metadata.get(key)
    return result


def is_up_to_date(po_path: Path) -> bool:
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return False
    return compiled_entries(polib.pofile(str(po_path))) == compiled_entries(polib.mofile(str(mo_path)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extract", action="store_true", help="run makemessages first (needs GNU gettext)")
    parser.add_argument("--check", action="store_true", help="only check that every .mo matches its .po")
    options = parser.parse_args()
    if options.check:
        stale = [path for path in catalogs() if not is_up_to_date(path)]
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    if options.extract:
        extract()
    for path in catalogs():
        catalog = prepare(path)
        untranslated = len(catalog.untranslated_entries()) + len(catalog.fuzzy_entries())
        if not is_up_to_date(path):
            catalog.save_as_mofile(str(path.with_suffix(".mo")))
            state = "compiled"
        else:
            state = "up to date"
        note = f", {untranslated} untranslated or fuzzy" if untranslated else ""
        print(f"{path.relative_to(ROOT)}: {len(catalog.translated_entries())} messages, {state}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
