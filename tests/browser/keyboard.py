"""Moving through a page with the keyboard only, as a voter without a mouse would."""

from __future__ import annotations

VOTE = "/p/vote-2027/vote"


def focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement === document.querySelector(s)", selector)


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus (fails if it is never reached)."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never received the focus with Tab")


def enter_code_and_open(page, server: str, code: str, budget: str) -> None:
    page.goto(server + VOTE)
    tab_to(page, "#f-code")
    page.keyboard.type(code)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, f'a[href$="/vote/{budget}"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")


def review_and_submit(page) -> str:
    """Review, submit, and return the receipt shown."""
    tab_to(page, 'button[value="review"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, 'button[value="submit"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page.inner_text(".receipt-code")
