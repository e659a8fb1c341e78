"""Driving the player page from tests: open it, reach the content frame, wait for a launch."""
from __future__ import annotations


def open_player(page, url: str):
    """Open a player page and wait until its first SCO is in the frame."""
    page.goto(url)
    page.wait_for_selector("body[data-player-state=ready]", state="attached")
    return content_frame(page)


def content_frame(page):
    return page.query_selector("#content-frame").content_frame()


def wait_for_item(page, item: str) -> None:
    page.wait_for_selector(f'body[data-current-item="{item}"][data-player-state=ready]', state="attached")
