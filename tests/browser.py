"""Helpers for the Playwright tests: screenshots kept as artifacts, and checks a person would notice."""

from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "test-results"


def shot(page, folder, name):
    """A full-page screenshot under test-results/<folder>/ (kept by CI as an artifact)."""
    (RESULTS / folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / folder / f"{name}.png"), full_page=True)


def fits_the_phone(page):
    """Nothing scrolls sideways at the window's width (375 px in these tests)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def unlabelled_fields(page):
    """Visible form controls without a <label> bound to them (should be none)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('main input, main select, main textarea'))
        .filter(el => el.type !== 'hidden' && el.labels.length === 0).map(el => el.name)""")


def click_and_wait(locator, *, timeout: float = 30000) -> None:
    """Click a link or a submit button that opens another page, and return once THAT page has loaded.

    `locator.click()` returns as soon as the click is dispatched; the navigation it starts commits later.
    `page.wait_for_load_state("load")` just after the click sees the old page's load event, long past, and
    returns at once: the next assertion reads the old page, and the next `page.goto` is "interrupted by
    another navigation" when the click's lands. So the navigation is expected before the click.

    And a click answered by a redirect (every admin POST: 302 back to the change page) navigates twice.
    Playwright does not route the request a fulfilled redirect leads to (by design, microsoft/playwright
    #23301), so that request goes to the network, portal.test does not resolve, and Chromium's error page
    (chrome-error://chromewebdata/) commits; about a second later Chromium reloads it on its own, and that
    request is routed to the portal (tests/conftest.py's portal_in_browser). The page the click opens is
    the first one committed that is not the error page; a POST answered without a redirect (a form with
    errors) commits at once."""
    page = locator.page

    def landed(frame):
        return frame == page.main_frame and not frame.url.startswith("chrome-error://")

    with page.expect_event("framenavigated", predicate=landed, timeout=timeout):
        locator.click()
    page.wait_for_load_state("load", timeout=timeout)
