"""The same page with its markup changed the way real sites differ.

Extraction is judged on outlets we have never seen, whose markup says less (or
says it wrongly) than the pages we test on. Each variant here rewrites one kind
of markup hint and leaves everything a reader sees untouched, so a rule that
only holds thanks to the hint shows up as a dropped page, a lost paragraph or a
leaked widget:

- ``hashed_classes``: every class and id value replaced by an opaque token, as
  on sites built with CSS modules or utility-class generators;
- ``website_labels``: the article labelled ``og:type=website`` with its JSON-LD
  and microdata article types set to ``WebPage``, as some CMSs label every page;
- ``no_structured_data``: no JSON-LD, no Open Graph, no ``article:`` and no
  description meta, as on many older Arabic CMSs;
- ``plain_tags``: HTML5's sectioning and figure elements (``article``, ``main``,
  ``header``, ``footer``, ``aside``, ``nav``, ``section``, ``figure``, ``figcaption``)
  written as ``div``, as on templates older than HTML5 and on many generated front ends;
- ``div_paragraphs``: every ``p`` written as a ``div`` ("div soup");
- ``no_hints``: the first four at once, a page that says nothing about itself.

The transforms work on the decoded HTML text and rewrite tags and
JSON-LD blocks in place (scripts, styles and comments are left alone), so the
rest of the page stays byte for byte what it was: no re-serialization that
would repair or reorder the markup. ``python -m crawler.evaluate`` runs every
evaluation page through each of them; tests use them too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable

# A start tag with its attributes (quoted values may hold ">"), and the raw-text
# elements whose content is not markup.
_START_TAG_RE = re.compile(
    r"<(?P<name>[a-zA-Z][^\s/>]*)(?P<attrs>(?:\s+[^\s=/>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*(?P<close>/?)>"
)
_ATTRIBUTE_RE = re.compile(r"(?P<space>\s+)(?P<name>[^\s=/>]+)(?:(?P<eq>\s*=\s*)(?P<value>\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_RAW_TEXT_RE = re.compile(
    r"(?P<open><(?P<tag>script|style)\b[^>]*>)(?P<body>.*?)(?P<end></(?P=tag)\s*>)|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
_TAG_NAME_RE = re.compile(r"<[^\s/>]+")
_JSON_LD_TYPE_RE = re.compile(r"application/ld\+json", re.IGNORECASE)

# schema.org types that name an article (as JSON-LD @type or microdata itemtype).
_ARTICLE_TYPE_RE = re.compile(r"article|blogposting|report", re.IGNORECASE)
# What the ``website_labels`` variant writes instead.
WEBSITE_OG_TYPE = "website"
WEBSITE_SCHEMA_TYPE = "WebPage"


def _unquoted(value: str | None) -> str:
    if value and value[0] in "\"'" and value[-1:] == value[0]:
        return value[1:-1]
    return value or ""


def _rewrite_markup(
    html: str,
    rewrite_tag: Callable[[str, dict[str, str], str], str | None],
    rewrite_json_ld=None,
    renamed_end_tags: dict[str, str] | None = None,
) -> str:
    """Apply ``rewrite_tag`` to every start tag outside scripts, styles and comments.

    ``rewrite_tag(name, attributes, original)`` returns the new tag text ("" to
    remove the tag, None to keep it). ``rewrite_json_ld(text)`` returns the new
    content of a JSON-LD script, or None to remove the whole script. End tags
    named in ``renamed_end_tags`` get its new name.
    """
    out: list[str] = []
    position = 0
    end_tag_re = (
        re.compile(rf"</(?P<name>{'|'.join(map(re.escape, renamed_end_tags))})(?P<rest>\s*>)", re.IGNORECASE)
        if renamed_end_tags
        else None
    )

    def rewrite_tags(segment: str) -> str:
        def replace(match: re.Match) -> str:
            attributes = {
                attribute["name"].lower(): _unquoted(attribute["value"]) for attribute in _ATTRIBUTE_RE.finditer(match["attrs"])
            }
            replaced = rewrite_tag(match["name"].lower(), attributes, match.group(0))
            return match.group(0) if replaced is None else replaced

        segment = _START_TAG_RE.sub(replace, segment)
        if end_tag_re is None:
            return segment
        return end_tag_re.sub(lambda match: f"</{renamed_end_tags[match['name'].lower()]}{match['rest']}", segment)

    for raw in _RAW_TEXT_RE.finditer(html):
        out.append(rewrite_tags(html[position : raw.start()]))
        position = raw.end()
        if raw["open"] is None:  # a comment
            out.append(raw.group(0))
            continue
        open_tag = rewrite_tags(raw["open"])
        if rewrite_json_ld is not None and raw["tag"].lower() == "script" and _JSON_LD_TYPE_RE.search(raw["open"]):
            body = rewrite_json_ld(raw["body"])
            if body is not None:
                out.append(open_tag + body + raw["end"])
            continue
        out.append(open_tag + raw["body"] + raw["end"])
    out.append(rewrite_tags(html[position:]))
    return "".join(out)


def _with_attribute(tag: str, name: str, new_value: str) -> str:
    """``tag`` with the value of attribute ``name`` replaced (quoted with double quotes)."""

    def replace(match: re.Match) -> str:
        if match["name"].lower() != name or match["value"] is None:
            return match.group(0)
        return f'{match["space"]}{match["name"]}{match["eq"]}"{new_value}"'

    head_end = _TAG_NAME_RE.match(tag).end()
    return tag[:head_end] + _ATTRIBUTE_RE.sub(replace, tag[head_end:])


def opaque_token(value: str) -> str:
    """A stable meaningless name for a class or id: the same input gives the same token."""
    return "x" + hashlib.blake2b(value.encode("utf-8"), digest_size=4).hexdigest()


def hashed_classes(html: str) -> str:
    """Every class and id value replaced by opaque tokens (one per class name)."""

    def rewrite(name: str, attributes: dict[str, str], tag: str) -> str | None:
        if "class" not in attributes and "id" not in attributes:
            return None
        if "class" in attributes:
            tag = _with_attribute(tag, "class", " ".join(opaque_token(token) for token in attributes["class"].split()))
        if "id" in attributes:
            tag = _with_attribute(tag, "id", opaque_token(attributes["id"]))
        return tag

    return _rewrite_markup(html, rewrite)


def _meta_key(attributes: dict[str, str]) -> str:
    return (attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or "").strip().lower()


def _as_web_pages(data):
    """JSON-LD with every article @type replaced by WebPage (other objects untouched)."""
    if isinstance(data, list):
        return [_as_web_pages(entry) for entry in data]
    if isinstance(data, dict):
        converted = {key: _as_web_pages(value) for key, value in data.items()}
        types = data.get("@type")
        names = types if isinstance(types, list) else [types]
        if any(isinstance(type_name, str) and _ARTICLE_TYPE_RE.search(type_name) for type_name in names):
            converted["@type"] = WEBSITE_SCHEMA_TYPE
        return converted
    return data


_JSON_LD_ARTICLE_TYPE_RE = re.compile(r'("@type"\s*:\s*)"[^"]*(?:Article|BlogPosting|Report)[^"]*"', re.IGNORECASE)


def _json_ld_as_web_pages(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        # Broken JSON-LD stays broken; only its article types change.
        return _JSON_LD_ARTICLE_TYPE_RE.sub(rf'\1"{WEBSITE_SCHEMA_TYPE}"', text)
    # "</" escaped as JSON allows, so no string in it can close the script.
    return json.dumps(_as_web_pages(data), ensure_ascii=False).replace("</", "<\\/")


def website_labels(html: str) -> str:
    """The page labelled a website: og:type=website, JSON-LD and microdata types WebPage."""
    found_og_type = False

    def rewrite(name: str, attributes: dict[str, str], tag: str) -> str | None:
        nonlocal found_og_type
        if name == "meta" and _meta_key(attributes) == "og:type":
            found_og_type = True
            return _with_attribute(tag, "content", WEBSITE_OG_TYPE)
        itemtype = attributes.get("itemtype")
        if itemtype and _ARTICLE_TYPE_RE.search(itemtype):
            return _with_attribute(tag, "itemtype", f"https://schema.org/{WEBSITE_SCHEMA_TYPE}")
        return None

    changed = _rewrite_markup(html, rewrite, _json_ld_as_web_pages)
    if found_og_type:
        return changed
    label = f'<meta property="og:type" content="{WEBSITE_OG_TYPE}">'
    head = re.search(r"<head\b[^>]*>", changed, re.IGNORECASE)
    return changed[: head.end()] + label + changed[head.end() :] if head else label + changed


def _is_structured_meta(key: str) -> bool:
    return key.startswith(("og:", "article:")) or key == "description" or key.endswith(":description")


def no_structured_data(html: str) -> str:
    """No JSON-LD, Open Graph, ``article:`` or description meta left on the page."""

    def rewrite(name: str, attributes: dict[str, str], tag: str) -> str | None:
        if name == "meta" and _is_structured_meta(_meta_key(attributes)):
            return ""
        return None

    return _rewrite_markup(html, rewrite, lambda text: None)


def _renamed_elements(html: str, renames: dict[str, str]) -> str:
    """The named elements' start and end tags renamed; their attributes stay."""

    def rewrite(name: str, attributes: dict[str, str], tag: str) -> str | None:
        if name not in renames:
            return None
        return f"<{renames[name]}{tag[_TAG_NAME_RE.match(tag).end():]}"

    return _rewrite_markup(html, rewrite, renamed_end_tags=renames)


HTML5_TAGS = ("article", "main", "header", "footer", "aside", "nav", "section", "figure", "figcaption")


def plain_tags(html: str) -> str:
    """HTML5's sectioning and figure elements written as ``div``."""
    return _renamed_elements(html, dict.fromkeys(HTML5_TAGS, "div"))


def div_paragraphs(html: str) -> str:
    """Every paragraph written as a ``div``."""
    return _renamed_elements(html, {"p": "div"})


def no_hints(html: str) -> str:
    """Classes hashed, labelled a website, no structured data and no HTML5 elements."""
    return plain_tags(no_structured_data(website_labels(hashed_classes(html))))


def unchanged(html: str) -> str:
    return html


# In the order the evaluation prints them.
VARIANTS: dict[str, Callable[[str], str]] = {
    "unchanged": unchanged,
    "hashed_classes": hashed_classes,
    "website_labels": website_labels,
    "no_structured_data": no_structured_data,
    "plain_tags": plain_tags,
    "div_paragraphs": div_paragraphs,
    "no_hints": no_hints,
}
