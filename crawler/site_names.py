"""Whether a name is the outlet's: the one comparison bylines, sections and the body's top lines share.

Sites write their name in several forms (og:site_name, the publisher's name in the other
script, the host, the desk's byline): "الخليج" is part of "صحيفة الخليج", "Masrawy.com" is
masrawy, "رووداو ديجيتال" is Rudaw's web desk.
"""

from __future__ import annotations

from collections.abc import Iterable

from crawler.arabic import fold_for_fingerprint

# Domain parts, and the generic words sites add to their name ("Ahram Online" of ahram.org.eg,
# "Masrawy.com" of masrawy, "رووداو ديجيتال" of Rudaw), ignored when a name is compared with the site's.
_HOST_WORDS = frozenset(
    fold_for_fingerprint(word) for word in "www com net org كوم نت online news arabic tv digital اونلاين أونلاين نيوز ديجيتال ديجتال".split()
)


def _name_words(name: str) -> tuple[str, ...]:
    return tuple(word for word in fold_for_fingerprint(name).split() if word not in _HOST_WORDS)


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return bool(part) and any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def is_site_name(name: str, site_names: Iterable[str]) -> bool:
    """``name`` is the outlet or part of its name ("الخليج" of "صحيفة الخليج", "Masrawy.com" of masrawy)."""
    words = _name_words(name)
    for site in site_names:
        site_words = _name_words(site)
        if not site_words or not words:
            continue
        if "".join(words) == "".join(site_words) or _contains(site_words, words):
            return True
        # A one-word site name inside a longer name may be a family name ("النهار").
        if len(site_words) >= 2 and _contains(words, site_words):
            return True
    return False
