"""Which printed page a heading lands on, and the page of what follows it, read from a tagged PDF.

Chromium's ``page.pdf(tagged=True)`` writes a structure tree (PDF 1.4, no object streams): each heading is a
``/StructElem`` with ``/S /H3``, its marked content names its page (``/Pg``). A heading whose next sibling starts
on a later page was printed alone at the foot of a page. Only what the browser tests need is parsed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OBJECT = re.compile(rb"(?m)^(\d+) 0 obj\n(.*?)\nendobj", re.S)


@dataclass(frozen=True, slots=True)
class PrintedHeading:
    tag: str  # H1 .. H6
    page: int  # 1-based
    next_page: int | None  # the page where the element after it starts; None when it is the last


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}


def _page_numbers(objects: dict[int, bytes]) -> dict[int, int]:
    catalog = next(body for body in objects.values() if b"/Type /Catalog" in body)
    pages: list[int] = []

    def walk(number: int) -> None:
        body = objects[number]
        kids = re.search(rb"/Kids \[(.*?)\]", body, re.S)
        if kids is None:
            pages.append(number)
            return
        for kid in re.findall(rb"(\d+) 0 R", kids.group(1)):
            walk(int(kid))

    walk(int(re.search(rb"/Pages (\d+) 0 R", catalog).group(1)))  # type: ignore[union-attr]
    return {number: index + 1 for index, number in enumerate(pages)}


def _kids(body: bytes) -> list[int]:
    found = re.search(rb"/K \[(.*?)\]", body, re.S) or re.search(rb"/K (\d+ 0 R)", body)
    return [int(k) for k in re.findall(rb"(\d+) 0 R", found.group(1))] if found else []


def _first_page(objects: dict[int, bytes], number: int, pages: dict[int, int]) -> int | None:
    body = objects.get(number, b"")
    if b"/StructElem" not in body:
        return None
    own = re.search(rb"/Pg (\d+) 0 R", body)
    if own:
        return pages[int(own.group(1))]
    for kid in _kids(body):
        page = _first_page(objects, kid, pages)
        if page is not None:
            return page
    return None


def printed_headings(pdf: bytes) -> list[PrintedHeading]:
    """Every heading of a tagged PDF, in no particular order, with its page and the next element's page."""
    objects = _objects(pdf)
    pages = _page_numbers(objects)
    found = []
    for number, body in objects.items():
        tag = re.search(rb"/S /(H[1-6])\b", body)
        if tag is None or b"/StructElem" not in body:
            continue
        parent = objects[int(re.search(rb"/P (\d+) 0 R", body).group(1))]  # type: ignore[union-attr]
        siblings = _kids(parent)
        after = (_first_page(objects, s, pages) for s in siblings[siblings.index(number) + 1:])
        page = _first_page(objects, number, pages)
        assert page is not None, f"heading object {number} names no page"
        found.append(PrintedHeading(tag.group(1).decode(), page, next((p for p in after if p is not None), None)))
    return found
