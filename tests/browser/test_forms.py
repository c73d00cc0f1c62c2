"""The forms that carry the console's actions across the air gap: manual run requests and their submit scripts,
preview impact and keys.json, pausing a schedule, copy buttons and the support escalation text."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Download, Page

from browser.conftest import Opener
from browser.oracle import Oracle
from browser.sites import Site

NO_CLIPBOARD = """
Object.defineProperty(navigator, "clipboard", {
  configurable: true,
  value: { writeText: function () { return Promise.reject(new Error("clipboard refused")); } }
});
"""


def downloads_of(page: Page, action: str, count: int) -> list[Download]:
    """Click `action` and wait for `count` downloads."""
    found: list[Download] = []
    page.on("download", lambda download: found.append(download))
    page.click(action)
    page.wait_for_function("() => true")  # let queued events arrive
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while len(found) < count and datetime.now(UTC) < deadline:
        page.wait_for_timeout(50)
    assert len(found) == count, [d.suggested_filename for d in found]
    return found


def fake_stella(folder: Path) -> Path:
    """A `stella` that records its arguments, for running the generated scripts."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    stella = bin_dir / "stella"
    stella.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$STELLA_LOG"\n')
    stella.chmod(stella.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def test_manual_run_writes_a_request_and_a_script_that_checks_it(
    open_page: Opener, demo: Site, demo_oracle: Oracle, tmp_path: Path
) -> None:
    page = open_page(demo, "schedules.html")
    page.wait_for_selector("#manual-run-generate:not([hidden])")
    tenants = [o for o in page.eval_on_selector_all("#manual-run-tenant option", "os => os.map(o => o.value)")]
    page.select_option("#manual-run-tenant", tenants[1])
    page.select_option("#manual-run-mode", "content-refresh")
    page.select_option("#manual-run-scope-kind", "vulnerability-ids")
    page.fill("#manual-run-scope", "CVE-2026-1234\n\n  CVE-2023-44487 \nCVE-2026-1234\n")
    page.fill("#manual-run-policy", "P-7@12")
    before = datetime.now(UTC).replace(microsecond=0)
    request, script = downloads_of(page, "#manual-run-generate", 2)
    after = datetime.now(UTC)

    data = Path(request.path()).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert request.suggested_filename == f"run-request-{digest[:12]}.json"
    assert script.suggested_filename == f"submit-{digest[:12]}.sh"
    body = json.loads(data)
    assert data == (json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    requested = datetime.fromisoformat(body.pop("requestedAt"))
    assert before <= requested <= after
    assert body == {
        "schemaVersion": "stellaops.run-request@1",
        "snapshotId": demo_oracle.manifest.snapshot_id,
        "tenantId": tenants[1],
        "mode": "content-refresh",
        "scope": {"kind": "vulnerability-ids", "values": ["CVE-2026-1234", "CVE-2023-44487"]},
        "policySnapshot": "P-7@12",
    }
    shown = page.get_attribute("#manual-run-result [data-request-id]", "data-request-id")
    assert shown == digest[:12]

    text = Path(script.path()).read_text(encoding="utf-8")
    assert text.startswith("#!/bin/sh\n") and "\nset -eu\n" in text
    assert f"echo '{digest}  {request.suggested_filename}' | sha256sum -c -" in text
    folder = tmp_path / "carried"
    folder.mkdir()
    (folder / request.suggested_filename).write_bytes(data)
    target = folder / script.suggested_filename
    target.write_text(text, encoding="utf-8")
    assert subprocess.run(["sh", "-n", str(target)], capture_output=True).returncode == 0
    # Run it as an operator would, from elsewhere, with a stand-in `stella`.
    env = {**os.environ, "PATH": f"{fake_stella(tmp_path)}:{os.environ['PATH']}", "STELLA_LOG": str(tmp_path / "log")}
    done = subprocess.run(["sh", str(target)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "log").read_text().split() == ["runs", "submit", "--bundle", request.suggested_filename]
    (folder / request.suggested_filename).write_bytes(data.replace(b"P-7@12", b"P-7@13"))
    (tmp_path / "log").unlink()
    tampered = subprocess.run(["sh", str(target)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert tampered.returncode != 0 and not (tmp_path / "log").exists()


def test_manual_run_refuses_a_bad_scope(open_page: Opener, demo: Site) -> None:
    page = open_page(demo, "schedules.html")
    page.wait_for_selector("#manual-run-generate:not([hidden])")
    page.select_option("#manual-run-scope-kind", "image-digests")
    page.fill("#manual-run-scope", "sha256:" + "a" * 64 + "\nsha256:nothex")
    started: list[Download] = []
    page.on("download", lambda download: started.append(download))
    page.click("#manual-run-generate")
    errors = page.locator('[data-testid="manual-run-errors"]')
    assert "sha256:nothex" in errors.inner_text() and "sha256:" + "a" * 64 not in errors.inner_text()
    assert page.get_attribute("#manual-run-scope", "aria-invalid") == "true"
    page.fill("#manual-run-scope", "")
    page.click("#manual-run-generate")
    assert "at least one" in errors.inner_text()
    page.wait_for_timeout(200)
    assert not started


def test_preview_impact_counts_the_images_of_the_tenant(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    entries = [e for e in demo_oracle.impact if e.tenant_id == "globex"]
    purl = entries[0].purls[0]
    versionless = entries[1].purls[-1].split("@")[0]
    vuln = entries[2].vulnerability_ids[0].lower()
    keys = [purl, versionless, vuln, "pkg:npm/not-there@1.0.0"]
    page = open_page(demo, "schedules.html")
    page.wait_for_selector("#preview-impact-form:not([hidden])")
    page.select_option("#preview-tenant", "globex")
    page.fill("#preview-keys", "\n".join(keys))
    page.click('#preview-impact-form button[data-action="preview"]')
    count = page.locator('#preview-impact-result [data-testid="impact-count"]')
    expected = demo_oracle.impacted("globex", keys)
    assert int(count.inner_text()) == len(expected) > 1
    shown = page.eval_on_selector_all(
        "#preview-impact-result tr[data-image-digest]", "r => r.map(x => x.dataset.imageDigest)"
    )
    assert shown == expected
    result = page.inner_text("#preview-impact-result")
    assert "6h 00m old" in result and "ERR_RUN_009" not in result
    command = page.locator("#preview-impact-result button[data-copy]")
    assert command.get_attribute("data-copy") == "stella runs preview '--tenant=globex' --file keys.json"
    assert command.is_visible()

    with page.expect_download() as info:
        page.click('#preview-impact-form button[data-action="keys"]')
    assert info.value.suggested_filename == "keys.json"
    assert json.loads(Path(info.value.path()).read_text()) == {
        "tenantId": "globex",
        "purls": [purl, versionless, "pkg:npm/not-there@1.0.0"],
        "vulnerabilityIds": [vuln],
    }
    # A stale index warns with the runbook of ERR_RUN_009.
    page.eval_on_selector("#preview-impact", "s => s.setAttribute('data-impact-stale', 'true')")
    page.click('#preview-impact-form button[data-action="preview"]')
    warning = page.locator('#preview-impact-result [data-error-code="ERR_RUN_009"]')
    assert warning.locator("a").get_attribute("href") == "runbooks/ERR_RUN_009.html"


def test_pausing_asks_first_then_shows_the_command_and_the_earliest_run(open_page: Opener, demo: Site) -> None:
    page = open_page(demo, "schedules.html")
    row = page.locator("#pause tbody tr[data-schedule-id]").first
    schedule = row.get_attribute("data-schedule-id")
    ask = row.locator("button[data-pause]")
    ask.wait_for()
    assert row.locator(".command").is_hidden()
    ask.click()
    dialog = page.locator("dialog.confirm-dialog")
    assert dialog.evaluate("d => d.open") and "earliest run would be" in dialog.inner_text()
    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open") and row.locator(".command").is_hidden()
    assert page.evaluate("document.activeElement.hasAttribute('data-pause')")
    ask.click()
    dialog.locator("button", has_text="Cancel").click()
    assert row.locator(".command").is_hidden()
    ask.click()
    # Issue 14: the dialog says plainly what the operator does offline; its button does not claim to pause.
    assert "This offline site cannot pause anything" in dialog.inner_text()
    assert dialog.locator("button[data-confirm]").inner_text() == "Show the pause command"
    dialog.locator("button[data-confirm]").click()
    assert row.locator(".command").is_visible()
    assert "Nothing is paused yet" in row.locator(".pause-result").inner_text()
    assert row.locator("button.copy").get_attribute("data-copy") == f"stella schedules pause --schedule={schedule}"
    result = row.locator(".pause-result").inner_text()
    assert re.search(r"Earliest run after a resume: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.", result), result


def test_actions_need_runs_manage(open_page: Opener, demo_readonly: Site) -> None:
    page = open_page(demo_readonly, "schedules.html")
    # Issue 14: the README says the manual-run action needs runs.manage; the form used to show regardless.
    page.wait_for_selector('[data-testid="manual-run-needs-manage"]')
    assert page.locator("#manual-run-form, #manual-run-generate").count() == 0
    assert page.locator("#preview-impact").count() == 1
    assert page.locator("#pause").count() == 0
    index = open_page(demo_readonly, fragment="tab=failures")
    index.wait_for_selector("#runs-table[data-state=ready]", state="attached")
    index.locator("#runs-table tbody a.run-id").first.click()
    actions = index.locator('dialog.drawer [data-section="actions"]')
    actions.wait_for()
    commands = actions.locator("button[data-copy]").evaluate_all("b => b.map(x => x.dataset.copy)")
    assert commands and not [c for c in commands if c.startswith(("stella runs retry", "stella runs cancel"))]


def test_copy_buttons_select_the_text_when_the_clipboard_is_refused(open_page: Opener, demo: Site) -> None:
    run = next(p for p in sorted((demo.root / "runs").glob("*/*.html")) if "stella runs retry" in p.read_text())
    page = open_page(
        demo,
        "",
    )
    page.context.add_init_script(NO_CLIPBOARD)
    page.goto(demo.url(f"runs/{run.parent.name}/{run.name}"))
    buttons = page.locator("#actions button[data-copy]")
    assert buttons.count() >= 2 and buttons.first.is_visible()
    line = buttons.first.get_attribute("data-copy")
    buttons.first.click()
    page.wait_for_function(
        "() => /Copied|Selected/.test(document.querySelector('#actions button[data-copy]').textContent)"
    )
    assert page.evaluate("window.getSelection().toString()") == line
    status = page.locator("#snapsite-announcer")
    page.wait_for_function("() => document.getElementById('snapsite-announcer').textContent !== ''")
    assert re.search(r"Copied|press Ctrl\+C", status.inner_text())


def test_escalation_text_is_copied_and_downloaded(open_page: Opener, demo: Site) -> None:
    run = next(p for p in sorted((demo.root / "runs").glob("*/*.html")) if "ERR_RUN_" in p.read_text())
    page = open_page(demo, f"runs/{run.parent.name}/{run.name}")
    incident = page.input_value("#incident")
    with page.expect_download() as info:
        page.click("button[data-download-target=incident]")
    assert info.value.suggested_filename == f"incident-{run.parent.name}-{run.stem}.txt"  # shard and name
    assert Path(info.value.path()).read_text(encoding="utf-8") == incident
    page.click("button[data-copy-target=incident]")
    page.wait_for_function(
        "() => /Copied|Selected/.test(document.querySelector('[data-copy-target=incident]').textContent)"
    )
