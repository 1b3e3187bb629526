"""Markdown to safe HTML, with @mentions and #tags read from the parse tokens (never from code)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from app.services.text import fold

MENTION = re.compile(r"(?<![\w@.])@([a-z0-9][a-z0-9._-]{0,62}[a-z0-9]|[a-z0-9])", re.IGNORECASE)
HASHTAG = re.compile(r"(?<![\w&#/])#(\w[\w-]{0,62})", re.UNICODE)
TOKEN = re.compile(f"{MENTION.pattern}|{HASHTAG.pattern}", re.IGNORECASE | re.UNICODE)

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "img": {"src", "alt", "title"}, "ol": {"start"}}


@dataclass
class Rendered:
    """Safe HTML and what the text names: people (handles) and tags."""

    html: str
    mentions: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def _link(state: StateCore, href: str, text: str, css: str) -> list[Token]:
    opening = Token("link_open", "a", 1)
    opening.attrs = {"href": href, "class": css}
    inner = Token("text", "", 0)
    inner.content = text
    return [opening, inner, Token("link_close", "a", -1)]


def _mentions_and_tags(state: StateCore) -> None:
    """Turn @handle and #tag inside plain text into links; code and existing links are left alone."""
    known: set[str] = state.env.get("known_handles", set())
    found_mentions: list[str] = state.env.setdefault("mentions", [])
    found_tags: list[str] = state.env.setdefault("tags", [])
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        link_depth = 0
        for token in block.children:
            if token.type == "link_open":
                link_depth += 1
            elif token.type == "link_close":
                link_depth -= 1
            if token.type != "text" or link_depth > 0 or not TOKEN.search(token.content):
                children.append(token)
                continue
            position = 0
            for match in TOKEN.finditer(token.content):
                handle, tag = match.group(1), match.group(2)
                if handle is not None and handle.lower() not in known:
                    continue
                if match.start() > position:
                    plain = Token("text", "", 0)
                    plain.content = token.content[position : match.start()]
                    children.append(plain)
                if handle is not None:
                    handle = handle.lower()
                    children += _link(state, f"/people/{handle}", f"@{handle}", "mention")
                    if handle not in found_mentions:
                        found_mentions.append(handle)
                else:
                    name = tag.casefold()
                    children += _link(state, f"/tags/{quote(name)}", f"#{tag}", "hashtag")
                    if fold(name) not in {fold(t) for t in found_tags}:
                        found_tags.append(name)
                position = match.end()
            if position < len(token.content):
                rest = Token("text", "", 0)
                rest.content = token.content[position:]
                children.append(rest)
        block.children = children


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False, "breaks": True})
    md.enable(["linkify", "table", "strikethrough"])
    md.core.ruler.push("proxima_mentions_tags", _mentions_and_tags)
    return md


_MD = _parser()
_PLAIN = MarkdownIt("zero", {"html": False, "linkify": True, "breaks": True}).enable(
    ["linkify", "newline", "backticks"]
)
_PLAIN.core.ruler.push("proxima_mentions_tags", _mentions_and_tags)


def candidate_handles(texts: Iterable[str]) -> set[str]:
    """Every @word in some texts: the handles to look up before rendering."""
    return {m.group(1).lower() for text in texts for m in MENTION.finditer(text)}


IMAGE_PREFIX = "/media/images/"


def _only_our_images(tag: str, attribute: str, value: str) -> str | None:
    # images come from Proxima's own uploads only: no tracking pixels, nothing the CSP would block
    if tag == "img" and attribute == "src" and not value.startswith(IMAGE_PREFIX):
        return None
    return value


def sanitize(html: str) -> str:
    """Keep only harmless HTML: no scripts, no styles, no event handlers, safe URL schemes only."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_only_our_images,
    )


def render(text: str, *, known_handles: Callable[[set[str]], set[str]], plain: bool = False) -> Rendered:
    """Render markdown (or, with plain=True, text with line breaks and links only) to safe HTML."""
    candidates = candidate_handles([text])
    env: dict[str, object] = {"known_handles": known_handles(candidates) if candidates else set()}
    parser = _PLAIN if plain else _MD
    html = parser.render(text, env)
    mentions = list(env.get("mentions", []))  # type: ignore[call-overload]
    tags = list(env.get("tags", []))  # type: ignore[call-overload]
    return Rendered(sanitize(html), mentions, tags)
