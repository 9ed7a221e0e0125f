"""The results page reads at every width: nothing wider than the screen, every chart label inside
the chart (measured from the SVG's text extents), chart text at body size; screenshots at 390 and
1280 px for reviewers (test-artifacts/results-*.png)."""

import pytest

pytestmark = pytest.mark.browser

RESULTS = "/p/long-2027/results"

MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    // Only the right edge: the skip link waits off-screen to the left.
    if (box.width > 0 && (box.right > width + 0.5 || box.width > width + 0.5)) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
      wide.push(`${name}: ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  const body = parseFloat(getComputedStyle(document.querySelector('main p')).fontSize);
  const charts = [...document.querySelectorAll('svg.chart')].map(svg => {
    const svgWidth = svg.getBoundingClientRect().width;
    const texts = [...svg.querySelectorAll('text')].map(t => {
      const b = t.getBBox();
      const scale = t.getBoundingClientRect().height / b.height;  // 1 unless the SVG is scaled
      return {text: t.textContent, x: b.x, right: b.x + b.width,
              size: parseFloat(getComputedStyle(t).fontSize) * scale};
    });
    return {svgWidth, texts};
  });
  return {width, scrollWidth: document.documentElement.scrollWidth, wide, body, charts};
}"""


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_results_page_fits_the_screen_and_the_chart_labels_are_whole_and_body_sized(
        browser, live_server, artifacts, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server + RESULTS)
        found = page.evaluate(MEASURE)
        if width in (390, 1280):
            page.screenshot(path=str(artifacts / f"results-{width}.png"), full_page=True)
            page.locator("figure.chart-figure").first.screenshot(path=str(artifacts / f"results-chart-{width}.png"))
            page.locator(".table-wrap").first.screenshot(path=str(artifacts / f"results-table-{width}.png"))
            page.locator("#impact-sdg-district").screenshot(path=str(artifacts / f"results-impact-{width}.png"))
            page.locator("#fairness-district").screenshot(path=str(artifacts / f"results-fairness-title-{width}.png"))
            page.locator("#fairness-table-district").screenshot(
                path=str(artifacts / f"results-fairness-table-{width}.png"))
            page.locator("figure.chart-figure").nth(1).screenshot(
                path=str(artifacts / f"results-fairness-chart-{width}.png"))
            page.locator("#turnout-channels").screenshot(path=str(artifacts / f"results-turnout-{width}.png"))
    finally:
        context.close()
    assert found["scrollWidth"] <= found["width"], found["wide"]
    assert found["wide"] == []
    assert found["charts"], "no chart on the results page"
    texts = [t for chart in found["charts"] for t in chart["texts"]]
    titles = " ".join(t["text"] for t in texts)
    assert "zawodowe dla" in titles and "sports hall" in titles  # whole titles, wrapped
    for chart in found["charts"]:
        for text in chart["texts"]:
            assert text["x"] >= 0 and text["right"] <= chart["svgWidth"] + 0.5, (text, chart["svgWidth"])
            assert abs(text["size"] - found["body"]) <= 0.2 * found["body"], (text, found["body"])


def test_the_chart_image_alone_holds_its_labels(browser, live_server):
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server + "/p/long-2027/results/district.svg")
        boxes = page.evaluate("""() => { const svg = document.querySelector('svg');
          const w = svg.getBoundingClientRect().width;
          return [...svg.querySelectorAll('text')].map(t => {
            const b = t.getBBox(); return [b.x, b.x + b.width, w]; }); }""")
    finally:
        context.close()
    assert boxes and all(left >= 0 and right <= width + 0.5 for left, right, width in boxes)
