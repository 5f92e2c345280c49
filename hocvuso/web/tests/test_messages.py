"""The translation catalogs: English is complete, placeholders survive, and the committed .mo files are the
compiled form of the .po files (scripts/compile_messages.py makes them with polib)."""

import ast
import importlib.util
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def _compile_script():
    spec = importlib.util.spec_from_file_location("compile_messages", settings.BASE_DIR / "scripts/compile_messages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _catalog(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def test_every_english_message_is_translated_and_none_fuzzy() -> None:
    catalog = _catalog("en")

    assert len(catalog) > 300
    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalog.obsolete_entries()] == []


def test_english_keeps_every_placeholder() -> None:
    wrong = []
    for entry in _catalog("en"):
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        wrong += [entry.msgid for text in translations if sorted(PLACEHOLDER.findall(text)) != expected]
    assert wrong == []


def test_vietnamese_and_english_catalogs_hold_the_same_messages() -> None:
    def keys(catalog: polib.POFile) -> set[tuple[str | None, str]]:
        return {(entry.msgctxt, entry.msgid) for entry in catalog}

    assert keys(_catalog("vi")) == keys(_catalog("en"))
    assert _catalog("vi").untranslated_entries() == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_compiled_catalogs_are_up_to_date(language: str) -> None:
    script = _compile_script()
    po_path = LOCALE / language / "LC_MESSAGES" / "django.po"

    assert script.compiled_entries(polib.pofile(str(po_path))) == script.compiled_entries(
        polib.mofile(str(po_path.with_suffix(".mo")))
    )


def test_runtime_uses_the_catalogs() -> None:
    with translation.override("en"):
        assert translation.gettext("Đăng nhập") == "Sign in"
        assert translation.ngettext("%(counter)s mục", "%(counter)s mục", 2) == "%(counter)s entries"
    with translation.override("vi"):
        assert translation.gettext("Đăng nhập") == "Đăng nhập"


GETTEXT_FUNCTIONS = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
TEMPLATE_TRANSLATE = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")


def _source_msgids() -> dict[str, str]:
    """Literal messages in the project's Python code and templates (a quick, GNU-gettext-free check; the
    full extraction is `scripts/compile_messages.py --extract`)."""
    found: dict[str, str] = {}
    root = Path(settings.BASE_DIR)
    for folder in ("hocvuso", "config"):
        for path in (root / folder).rglob("*.py"):
            if {"tests", "migrations"} & set(path.parts):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)):
                    continue
                name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                position = 1 if name.startswith("pgettext") else 0
                if name in GETTEXT_FUNCTIONS | {"ngettext", "ngettext_lazy"} and len(node.args) > position:
                    argument = node.args[position]
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and argument.value:
                        found[argument.value] = str(path.relative_to(root))
        for path in (root / folder).rglob("*.html"):
            for _quote, text in TEMPLATE_TRANSLATE.findall(path.read_text(encoding="utf-8")):
                found[text.replace("%", "%%")] = str(path.relative_to(root))
    return found


def test_every_message_in_the_code_is_in_the_english_catalog() -> None:
    catalog = {entry.msgid for entry in _catalog("en")}

    missing = {msgid: where for msgid, where in _source_msgids().items() if msgid not in catalog}

    assert missing == {}, (
        "new messages: run `uv run python scripts/compile_messages.py --extract`, translate them in "
        "locale/en/LC_MESSAGES/django.po, then run `uv run python scripts/compile_messages.py`"
    )
