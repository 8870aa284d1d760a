"""The interface is really Chinese: every message has a translation and the committed,
compiled catalogue matches its source."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _catalogue(entries):
    return {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in entries
        if not e.obsolete and "fuzzy" not in e.flags
    }


def test_every_chinese_message_is_translated():
    po = polib.pofile(str(PO))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    # A "#| msgid" line is a guess makemessages copied from a similar message: never trusted.
    assert [e.msgid for e in po if e.previous_msgid is not None] == []


def test_compiled_catalogue_matches_the_source():
    po, mo = polib.pofile(str(PO)), polib.mofile(str(MO))
    assert _catalogue(mo) == _catalogue(po), "run `make messages` and commit the .mo"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [("Workbench", "工作台"), ("Supervisor", "主管"), ("Business calendars", "工作日历")],
)
def test_interface_strings_come_out_in_chinese(english, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese
