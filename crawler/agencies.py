"""News agencies as Arabic outlets credit them, each with one canonical name.

One table serves the three places an agency shows up: an author field that names an
agency (``crawler.bylines``), a credit line or dateline in the body (``crawler.bylines``
reads the agency from it, ``crawler.cleanup`` removes it from the text), and a photo
caption's credit (``crawler.cleanup``).
"""

from __future__ import annotations

import re

# Spelling as credited (dots and case do not matter, see ``agency_key``) -> canonical name.
AGENCIES = {
    "أ ف ب": "AFP",
    "ا ف ب": "AFP",
    "فرانس برس": "AFP",
    "وكالة فرانس برس": "AFP",
    "afp": "AFP",
    "رويترز": "Reuters",
    "وكالة رويترز": "Reuters",
    "reuters": "Reuters",
    "أسوشيتد برس": "AP",
    "اسوشيتد برس": "AP",
    "أ ب": "AP",
    "ap": "AP",
    "د ب أ": "DPA",
    "dpa": "DPA",
    "أ ش أ": "MENA",
    "وكالة أنباء الشرق الأوسط": "MENA",
    "mena": "MENA",
    "الأناضول": "Anadolu",
    "الاناضول": "Anadolu",
    "وكالة الأناضول": "Anadolu",
    "بترا": "Petra",
    "وكالة الأنباء الأردنية": "Petra",
    "واس": "SPA",
    "وام": "WAM",
    "قنا": "QNA",
    "كونا": "KUNA",
    "سانا": "SANA",
    "واع": "INA",
    "بنا": "BNA",
    "العمانية": "ONA",
    "سبوتنيك": "Sputnik",
    "نوفوستي": "RIA Novosti",
    "ريا نوفوستي": "RIA Novosti",
    "تاس": "TASS",
    "إنترفاكس": "Interfax",
    "انترفاكس": "Interfax",
    "وفا": "WAFA",
    "وات": "TAP",
    "واج": "APS",
    "يونهاب": "Yonhap",
    "إفي": "EFE",
    "الوكالة الوطنية للإعلام": "NNA",
    "شينخوا": "Xinhua",
    "إرنا": "IRNA",
    "ارنا": "IRNA",
    "وكالات": "agencies",
}

_DOTS = re.compile(r"\s*\.\s*")


def agency_key(name: str) -> str:
    """"(أ.ف.ب)" and "أ ف ب" alike: brackets, dots, case and spacing removed."""
    return " ".join(_DOTS.sub(" ", name.strip("()[]«» -–—:.")).split()).lower()


# An agency not in the table still names itself one: "وكالة الأنباء الليبية", "وكالة سبأ للأنباء".
NAMED_AGENCY_PATTERN = r"(?:ال)?وكالة\s+(?:ال)?أنباء(?:\s+ال[^\s()\[\].،,:/-]+){1,2}|(?:ال)?وكالة(?:\s+[^\s()\[\].،,:/-]+){1,2}\s+للأنباء"
_NAMED_AGENCY_RE = re.compile(NAMED_AGENCY_PATTERN)


def agency_of(name: str | None) -> str | None:
    """The canonical name of the agency ``name`` credits (an agency the table lacks by its own name), or None."""
    if not name:
        return None
    known = AGENCIES.get(agency_key(name))
    if known is None and _NAMED_AGENCY_RE.fullmatch(spelled := " ".join(name.strip("()[]«» -–—:.").split())):
        return spelled
    return known


def _dotted(spelling: str) -> str:
    """A regex for a spelling whose letters may be separated by dots or spaces ("أ.ف.ب")."""
    words = spelling.split()
    if all(len(word) == 1 for word in words):
        return r"\s*\.?\s*".join(map(re.escape, words)) + r"\.?"
    return r"\s+".join(map(re.escape, words))


# Longest first, so "وكالة رويترز" is matched whole rather than "رويترز" inside it.
AGENCY_PATTERN = "|".join([*(_dotted(spelling) for spelling in sorted(AGENCIES, key=len, reverse=True)), NAMED_AGENCY_PATTERN])
