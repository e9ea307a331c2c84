"""End to end: the parameter grid fills in (issue 15). On the iris demo a 2 × 2 grid of short
trainings is sent from the page; the cells show their state while queued, then one map each,
titled with its settings, with one legend; a cell opens its run in Explore. Screenshot:
test-artifacts/grid_filled.png (1400×900)."""

from __future__ import annotations

from pumap_core.jobs import JobStore
from pumap_core.jobs.grid import GridStore

PLOTS = '[data-testid="stPlotlyChart"] .js-plotly-plot'


def pick(page, label: str, values: list[str]) -> None:
    """Make the multiselect ``label`` hold exactly ``values``, as a user would: "Clear all",
    then each value picked from the list."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
    box.get_by_label("Clear all").click()
    for value in values:
        box.get_by_role("combobox").click()
        page.get_by_role("option", name=value, exact=True).click()
    page.keyboard.press("Escape")


def test_a_small_grid_fills_in_and_opens_in_explore(streamlit_server, browser, artifacts,
                                                    tmp_path, monkeypatch):
    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    url = streamlit_server("app.py")
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{url}/data")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Demo").click(timeout=90_000)
    page.get_by_role("option", name="iris", exact=False).first.click()
    page.get_by_role("button", name="Load demo").click()
    page.get_by_text("Loaded the iris demo").wait_for()
    page.get_by_role("link", name="Parameter grid").click()  # the same session: iris
    pick(page, "Neighbours (rows)", ["5", "30"])
    pick(page, "Minimum distance (columns)", ["0.0", "0.5"])
    epochs = page.get_by_role("spinbutton", name="Epochs")
    epochs.fill("5")
    epochs.press("Tab")
    page.get_by_role("button", name="Train the grid").click()
    page.get_by_text("iris: 2 × 2 maps").wait_for(timeout=60_000)
    assert "grid=" in page.url
    page.wait_for_function(f"() => document.querySelectorAll('{PLOTS}').length === 4",
                           timeout=240_000)
    page.get_by_text("4 of 4 maps ready").wait_for(timeout=30_000)
    page.wait_for_function(  # the last full redraw, once every cell is done
        f"() => [...document.querySelectorAll('{PLOTS}')].filter(gd => gd._fullLayout)"
        ".length === 4", timeout=30_000)
    titles = page.locator(PLOTS).evaluate_all(
        "gds => gds.map(gd => gd._fullLayout.title.text.replace(/<[^>]+>/g, ''))")
    assert titles == ["k = 5 · min_dist 0", "k = 5 · min_dist 0.5", "k = 30 · min_dist 0",
                      "k = 30 · min_dist 0.5"]
    ranges = page.locator(PLOTS).evaluate_all(
        "gds => gds.map(gd => gd._fullLayout.xaxis.range.join(','))")
    assert len(set(ranges)) == 1  # shared axes
    page.get_by_text("setosa").first.wait_for()  # the one legend
    page.screenshot(path=str(artifacts / "grid_filled.png"))
    page.wait_for_timeout(1500)  # the page's last redraw, once every cell is done
    page.get_by_role("button", name="Open in Explore").nth(3).click()
    page.get_by_role("heading", name="Explore").wait_for(timeout=60_000)
    grid = GridStore().latest()
    clicked = JobStore().get(grid.cell(30, 0.5)["job_id"]).run_id
    page.wait_for_url(f"**run={clicked}**", timeout=60_000)  # Explore, on that cell's run
