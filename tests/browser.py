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
