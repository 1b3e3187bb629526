"""Paging a community's feed keeps the kind of posts the reader chose."""

from __future__ import annotations

import re

from tests.factories import Factory


def test_show_more_keeps_the_kind_filter_page_after_page(factory: Factory) -> None:
    owner = factory.person("Camille")
    api = factory.api(owner)
    slug = api.post("/api/v1/communities", json={"name": "Help desk", "visibility": "public"}).json()["slug"]
    for n in range(90):
        kind = "question" if n % 2 else "status"
        body = {"kind": kind, "body": f"Post {n}", "community": slug}
        if kind == "question":
            body["title"] = f"Question {n}?"
        assert api.post("/api/v1/posts", json=body).status_code == 201
    browser = factory.browser(owner)
    page = browser.get(f"/communities/{slug}?kind=question").text
    seen = set(re.findall(r"Question \d+\?", page))
    more = re.search(r'hx-get="(/communities/[^"]+)"', page)
    while more:
        url = more.group(1).replace("&amp;", "&")
        assert "kind=question" in url
        fragment = browser.get(url, headers={"HX-Request": "true"}).text
        assert "Post 0" not in fragment and "Post 2<" not in fragment  # statuses never come in
        seen |= set(re.findall(r"Question \d+\?", fragment))
        more = re.search(r'hx-get="(/communities/[^"]+cursor[^"]+)"', fragment)
    assert len(seen) == 45
