"""The research pages in a real browser: reachable by keyboard, readable on a phone.

Screenshots (desktop and 375 px) go to test-output/screenshots/research-*.png.
"""

from __future__ import annotations

import re

import pytest

from tests.research.data import build_research_archive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def research(transactional_db, data_dir):
    return build_research_archive(data_dir)


def fits_a_phone(phone, url: str, screenshots, name: str) -> None:
    """The page at 375 px: no sideways scrolling; a screenshot for review."""
    phone.goto(url)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{url} scrolls sideways on a 375 px screen ({width} px)"
    phone.screenshot(path=screenshots / f"phone-research-{name}.png", full_page=True)


def tab_to(page, predicate: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies ``predicate`` (JavaScript on ``el``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"never reached an element where {predicate}")


def test_trends_by_keyboard(page, phone, live_server, research, screenshots):
    page.goto(live_server.url + "/trends/")
    tab_to(page, "el.id === 'trend-q1'")
    page.keyboard.type('"sexual violence"')
    tab_to(page, "el.id === 'trend-q2'")
    page.keyboard.type("Syria")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=%22sexual\+violence%22&q=Syria"))
    chart = page.locator("svg.trend-chart")
    assert chart.get_attribute("role") == "img"
    assert "sexual violence" in chart.locator("title").first.text_content()
    assert page.locator("svg.trend-chart a").count() >= 2
    page.screenshot(path=screenshots / "research-trends.png", full_page=True)
    # The table is the keyboard's way to each year's statements.
    tab_to(page, "el.tagName === 'A' && el.closest('table.trend-values') !== null")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=.*&year=\d{4}"))
    assert "statement" in page.locator("#results-heading").inner_text()
    # Split by State, then the download of exactly what is drawn.
    page.goto(live_server.url + "/trends/?q=peace&split=council")
    assert page.locator(".legend li").count() == 2
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    assert info.value.suggested_filename == "council-archive-trends.csv"
    fits_a_phone(phone, live_server.url + "/trends/?q=peace&split=council", screenshots, "trends")


def test_affinity_by_keyboard(page, phone, live_server, research, screenshots):
    page.goto(live_server.url + "/affinity/?year=2019")
    heatmap = page.locator("svg.heatmap")
    assert heatmap.locator("text.row-label").count() == 15
    assert "same way" in heatmap.locator("desc").text_content()
    page.screenshot(path=screenshots / "research-affinity.png", full_page=True)
    page.get_by_text("Every pair as a table").focus()
    page.keyboard.press("Enter")
    tab_to(page, "el.tagName === 'A' && el.href.includes('/affinity/chn/?with=rus')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/affinity/chn/\?with=rus&year=2019"))
    assert "The same vote on" in page.locator("main .lead").inner_text()
    page.screenshot(path=screenshots / "research-affinity-pair.png", full_page=True)
    page.goto(live_server.url + "/states/deu/")
    section = page.locator("section", has=page.locator("#affinity-title"))
    assert "Most like" in section.inner_text()
    page.screenshot(path=screenshots / "research-state.png", full_page=True)
    fits_a_phone(phone, live_server.url + "/affinity/?year=2019", screenshots, "affinity")
    fits_a_phone(phone, live_server.url + "/states/deu/", screenshots, "state")


def test_citations_and_lineage_by_keyboard(page, phone, live_server, research, screenshots):
    page.goto(live_server.url + "/resolutions/1888/2009/")
    graph = page.locator("#resolution-citations")
    assert "Resolution 1325 (2000)" in graph.inner_text()
    assert "1889 (2009)" in graph.inner_text()  # cited by
    page.screenshot(path=screenshots / "research-resolution.png", full_page=True)
    tab_to(page, "el.href && el.href.includes('/lineage/')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/resolutions/1888/2009/lineage/$"))
    rows = page.locator("table.lineage tbody tr")
    # 1325 (2000), its successors of 2008-2010 here, and 2467 (2019), whose text cites 1325.
    assert rows.count() == 6, rows.all_inner_texts()
    assert "1325 (2000)" in rows.first.inner_text()
    assert "2467 (2019)" in rows.last.inner_text()
    page.screenshot(path=screenshots / "research-lineage.png", full_page=True)
    fits_a_phone(phone, live_server.url + "/resolutions/1888/2009/", screenshots, "resolution")
    fits_a_phone(phone, live_server.url + "/resolutions/1325/2000/lineage/", screenshots, "lineage")


def test_keyword_in_context_by_keyboard(page, phone, live_server, research, screenshots):
    page.goto(live_server.url + '/search/?q="sexual violence"')
    page.get_by_role("link", name="Keyword in context").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/kwic/"))
    assert "occurrences of “sexual violence”" in page.locator("#kwic-heading").inner_text()
    keyword = page.locator("td.kwic-kw mark").first.inner_text()
    assert keyword.lower() == "sexual violence"
    page.screenshot(path=screenshots / "research-kwic.png", full_page=True)
    # The keyword column lines up: every keyword cell starts at the same x.
    xs = page.eval_on_selector_all(
        "td.kwic-kw", "cells => cells.map(c => c.getBoundingClientRect().x)"
    )
    assert len({round(x) for x in xs}) == 1
    tab_to(page, "el.textContent.trim() === 'By right context'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"order=right"))
    rights = page.locator("td.kwic-right").all_inner_texts()
    assert [r.lower().split() for r in rights] == sorted(r.lower().split() for r in rights)
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    assert info.value.suggested_filename == "council-archive-kwic.csv"
    fits_a_phone(phone, live_server.url + '/search/kwic/?q="sexual violence"', screenshots, "kwic")
