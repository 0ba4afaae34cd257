"""The HTML report in a real headless Chromium: it renders, every frame loads, filters work."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from safety.steplog.reader import StepView, TimelineFilter, open_run
from safety.steplog.report import write_report
from safety.steplog.storage import RunPaths
from safety.verdict import Decision

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="Debian's chromium is absent: apt-get install chromium chromium-driver",
    ),
]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: selenium never runs selenium-manager or downloads anything.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def visible_ids(driver: WebDriver) -> list[str]:
    return [
        e.get_attribute("id") or ""
        for e in driver.find_elements(By.CSS_SELECTOR, ".entry")
        if e.is_displayed()
    ]


def expected_ids(demo: RunPaths, flt: TimelineFilter) -> list[str]:
    """What `steward audit show` selects for the same filter, as the report's element ids."""
    entries = open_run(demo.root, demo.run_id).filtered(flt)
    return [f"seq-{e.first.seq if isinstance(e, StepView) else e.record.seq}" for e in entries]


def test_report_renders_frames_and_filters_in_chromium(
    demo: RunPaths, tmp_path: Path, browser: WebDriver
) -> None:
    report = write_report(demo.root, demo.run_id, tmp_path / "report.html").path
    browser.get(report.as_uri())

    assert "demo" in browser.title
    assert browser.find_element(By.TAG_NAME, "h1").text == "Step log · demo"
    assert "Integrity check passed" in browser.find_element(By.CSS_SELECTOR, ".integrity").text

    frames = browser.find_elements(By.CSS_SELECTOR, "img.frame")
    assert len(frames) == 16
    sizes = [
        browser.execute_script("return [arguments[0].complete, arguments[0].naturalWidth]", f)
        for f in frames
    ]
    assert all(done and width == 64 for done, width in sizes), sizes

    everything = visible_ids(browser)
    assert len(everything) == 12
    verdict = Select(browser.find_element(By.ID, "f-verdict"))
    category = Select(browser.find_element(By.ID, "f-category"))
    approvals = browser.find_element(By.ID, "f-approvals")
    replans = browser.find_element(By.ID, "f-replans")

    verdict.select_by_value("deny")
    assert visible_ids(browser) == expected_ids(demo, TimelineFilter(verdict=Decision.DENY))
    assert visible_ids(browser) == ["seq-7", "seq-8"]
    assert browser.find_element(By.ID, "shown-count").text == "2 of 12 entries"

    verdict.select_by_value("")
    category.select_by_value("fire")
    assert visible_ids(browser) == expected_ids(demo, TimelineFilter(category="fire"))

    approvals.click()
    assert visible_ids(browser) == expected_ids(
        demo, TimelineFilter(category="fire", approvals=True)
    )
    assert len(visible_ids(browser)) == 1

    approvals.click()
    category.select_by_value("")
    replans.click()
    assert visible_ids(browser) == expected_ids(demo, TimelineFilter(replans=True))

    verdict.select_by_value("revise")
    assert visible_ids(browser) == []
    assert browser.find_element(By.ID, "empty").is_displayed()

    verdict.select_by_value("")
    replans.click()
    assert visible_ids(browser) == everything

    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
