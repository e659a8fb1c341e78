"""The README's configuration table is the one the code generates."""
from __future__ import annotations

from scormproxy.config import settings_markdown
from tests.conftest import REPO_ROOT


def test_readme_lists_every_setting():
    text = (REPO_ROOT / "README.md").read_text()
    table = text.split("<!-- settings:begin -->\n", 1)[1].split("\n<!-- settings:end -->", 1)[0]
    assert table.strip() == settings_markdown().strip()
