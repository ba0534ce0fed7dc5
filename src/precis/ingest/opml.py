"""OPML subscription lists: read (through defusedxml) and write."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

import defusedxml
import defusedxml.ElementTree as DET

from precis.errors import InputError


@dataclass(frozen=True, slots=True)
class Subscription:
    url: str
    name: str | None


def parse_opml(data: bytes, origin: str) -> list[Subscription]:
    """Every ``<outline xmlUrl=...>`` at any depth, in document order."""
    try:
        root = DET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise InputError(origin, f"declares a DTD or entities; refused ({exc})") from exc
    except ET.ParseError as exc:
        raise InputError(origin, f"is malformed XML ({exc})") from exc
    if root.tag.lower() != "opml":
        raise InputError(origin, f"is not OPML (root element <{root.tag}>)")
    found = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if url:
            name = (outline.get("title") or outline.get("text") or "").strip() or None
            found.append(Subscription(url, name))
    return found


def render_opml(subscriptions: Iterable[Subscription], title: str = "precis feeds") -> str:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for sub in subscriptions:
        name = sub.name or sub.url
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=sub.url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
