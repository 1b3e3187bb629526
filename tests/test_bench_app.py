"""The benchmark's bare pages stay in step with the templates and the feed statement they stand for.

`make bench` divides each page's throughput by its bare page's; a bare page that no longer renders
(the feed statement grew a column, the home template reads a new key) stops the whole benchmark.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.settings import Settings
from bench.app import BARE_FEED_ITEMS, BARE_FEED_PATH, BARE_PATH, BARE_PEOPLE, create_bench_app


def test_the_bare_pages_render_the_real_templates(settings: Settings) -> None:
    app = create_bench_app(settings)
    with TestClient(app) as client:
        feed = client.get(BARE_FEED_PATH)
        people = client.get(BARE_PATH)
    assert feed.status_code == 200
    assert feed.text.count('<article class="post-card') == BARE_FEED_ITEMS
    assert people.status_code == 200
    assert people.text.count("/people/person.") >= BARE_PEOPLE
