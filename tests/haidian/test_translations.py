"""The Simplified Chinese catalogue is complete, compiled, and what Django serves.

English is the source language: the en catalogue exists but leaves every msgstr empty. The .mo files
are committed (nothing compiles them at install time), so these tests also catch a forgotten
`manage.py compilemessages`. The .po is read by a small parser here, so gettext need not be installed.
"""

import ast
import gettext as gettext_module
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = ZH_PO.with_suffix(".mo")
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
EN_MO = EN_PO.with_suffix(".mo")

# git checks files out in index order, so a fresh clone writes django.mo a moment before django.po.
CHECKOUT_SLACK_SECONDS = 2


@dataclass(eq=False)
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def is_fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def is_translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, the header (msgid "") first; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and target is not None and target[0] == "msgstr":
                entry, target = None, None  # a comment after a msgstr starts the next entry
            if line.startswith("#,"):
                entry = entry or Entry(line=number)
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            if entry is None or target is None:
                raise ValueError(f"{path}:{number}: string continuation outside an entry")
            _append(entry, target, _unquote(line, path, number))
            continue
        keyword, _, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and (entry is None or (target is not None and target[0] == "msgstr")):
            entry = Entry(line=number)
        if entry is None:
            raise ValueError(f"{path}:{number}: {keyword} before msgid")
        if entry not in entries and keyword in ("msgctxt", "msgid"):
            entries.append(entry)
        if keyword.startswith("msgstr["):
            target = ("msgstr", int(keyword[7:-1]))
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            target = (keyword, 0)
        else:
            raise ValueError(f"{path}:{number}: unexpected line {raw!r}")
        if keyword in ("msgctxt", "msgid_plural"):
            setattr(entry, keyword, "")
        _append(entry, target, _unquote(value, path, number))
    return entries


def _unquote(text: str, path: Path, number: int) -> str:
    if not (len(text) >= 2 and text[0] == text[-1] == '"'):
        raise ValueError(f"{path}:{number}: expected a quoted string, got {text!r}")
    return ast.literal_eval(text)


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)


def _describe(entry: Entry) -> str:
    return f"{ZH_PO.name}:{entry.line} {entry.msgid!r}"


def _messages(path: Path) -> list[Entry]:
    entries = parse_po(path)
    assert entries and entries[0].msgid == "", f"{path} has no header entry"
    return entries[1:]


def test_the_zh_hans_and_en_catalogues_exist_with_their_compiled_files():
    for path in (ZH_PO, ZH_MO, EN_PO, EN_MO):
        assert path.is_file(), f"{path} is missing: run makemessages and compilemessages"


def test_the_zh_hans_catalogue_has_messages():
    assert len(_messages(ZH_PO)) > 50


def test_every_zh_hans_message_is_translated():
    untranslated = [_describe(entry) for entry in _messages(ZH_PO) if not entry.is_translated]
    assert not untranslated, "untranslated in zh_Hans:\n" + "\n".join(untranslated)


def test_no_zh_hans_message_is_fuzzy():
    fuzzy = [_describe(entry) for entry in parse_po(ZH_PO) if entry.is_fuzzy]
    assert not fuzzy, "fuzzy in zh_Hans (msgfmt skips them):\n" + "\n".join(fuzzy)


def test_zh_hans_translations_keep_their_placeholders():
    placeholder = re.compile(r"%\([a-z_]+\)[sd]|\{\{.*?\}\}|\{[a-z_]*\}")
    broken = [
        _describe(entry)
        for entry in _messages(ZH_PO)
        for text in entry.msgstr.values()
        if sorted(placeholder.findall(text)) != sorted(placeholder.findall(entry.msgid))
    ]
    assert not broken, "placeholders differ from the source:\n" + "\n".join(broken)


def test_the_en_catalogue_is_english_source_only():
    filled = [entry.msgid for entry in _messages(EN_PO) if any(entry.msgstr.values())]
    assert not filled, f"en msgstr should stay empty (English is the source): {filled}"


@pytest.mark.parametrize("po", [ZH_PO, EN_PO], ids=["zh_Hans", "en"])
def test_the_compiled_mo_is_not_older_than_the_po(po):
    mo = po.with_suffix(".mo")
    lag = po.stat().st_mtime - mo.stat().st_mtime
    assert lag <= CHECKOUT_SLACK_SECONDS, (
        f"{mo} is {lag:.0f}s older than {po.name}: run `manage.py compilemessages --ignore '.venv/*'`"
    )


def test_the_compiled_zh_hans_mo_holds_exactly_the_po_translations():
    expected: dict = {}
    for entry in _messages(ZH_PO):
        if entry.is_fuzzy or not entry.is_translated:
            continue
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update({(entry.key, index): text for index, text in entry.msgstr.items()})
    with ZH_MO.open("rb") as handle:
        compiled = dict(gettext_module.GNUTranslations(handle)._catalog)
    compiled.pop("", None)
    assert compiled == expected, "django.mo differs from django.po: run `manage.py compilemessages`"


@pytest.mark.parametrize(
    ("msgid", "chinese"),
    [("Log in", "登录"), ("Grid worker", "网格员"), ("police station (派出所)", "派出所")],
)
def test_django_serves_the_chinese_translation_and_the_english_source(msgid, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == chinese
    with translation.override("en"):
        assert translation.gettext(msgid) == msgid
