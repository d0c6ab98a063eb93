"""axe-core in the page: WCAG 2.0 and 2.1, A and AA; serious and critical violations fail."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page

from tests.browser.conftest import require_axe

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def axe_check(page: Page, what: str) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0 and 2.1, A and AA) and fail on serious or critical violations.
    Returns every violation found, for the caller to look at."""
    page.add_script_tag(path=str(require_axe()))
    results = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": AXE_TAGS}},
    )
    violations: list[dict[str, Any]] = results["violations"]
    checked = {r["id"] for kind in ("passes", "violations", "incomplete") for r in results[kind]}
    assert {"document-title", "html-has-lang", "color-contrast"} <= checked, (
        f"axe did not run its usual rules on {what}: {sorted(checked)}"
    )
    report = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]],
        }
        for v in violations
    ]
    review = {r["id"]: [node["target"] for node in r["nodes"]] for r in results["incomplete"]}
    print(
        f"axe on {what}: violations {json.dumps(report, ensure_ascii=False)}; "
        f"for a person to review {json.dumps(review, ensure_ascii=False)}"
    )
    blocking = [r for r in report if r["impact"] in BLOCKING]
    assert not blocking, f"axe on {what}:\n" + "\n".join(
        f"{r['impact']} {r['id']} ({r['help']}): {r['targets']}" for r in blocking
    )
    return violations
