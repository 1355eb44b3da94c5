// Charts: every <canvas data-chart="ID"> is drawn with Chart.js from the JSON island #ID (the same figures
// as the table under it, see templates/includes/chart.html). Amounts in the page's language; no animation.
(() => {
  const COLOURS = {
    frame: "#6c757d", committed: "#1f3a5f", spent: "#0b6e4f", planned: "#8a4a00", granted: "#1f3a5f",
    // The pipeline stages, as in the dashboard's pipeline bars (portal.css .bar-*).
    idea: "#5a4a8a", proposal: "#8a4a00", approved: "#0b6e4f", running: "#1f3a5f", closed: "#4a4f55",
  };
  // Lines told apart by their pattern and point shape as well as by colour (WCAG 1.4.1).
  const POINTS = { idea: "triangle", proposal: "rectRot", approved: "rect", running: "circle", closed: "crossRot" };

  function draw(canvas) {
    const island = document.getElementById(canvas.dataset.chart);
    if (!island || typeof window.Chart === "undefined") return;
    const spec = JSON.parse(island.textContent);
    const lang = document.documentElement.lang || "fi";
    const euros = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
    const compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
    const line = spec.kind === "line";
    const percent = spec.unit === "percent";
    const count = spec.unit === "count";
    const whole = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    const tick = (value) => (percent ? `${value} %` : count ? whole.format(value) : `${compact.format(value)} €`);
    const full = (value) => (percent ? `${value} %` : count ? whole.format(value) : euros.format(value));
    const valueAxis = spec.horizontal ? "x" : "y";
    const categoryAxis = spec.horizontal ? "y" : "x";
    if (spec.horizontal) {
      // One readable row per label (set through the CSSOM, which the CSP allows; no inline style).
      canvas.parentElement.style.height = `${Math.max(256, spec.labels.length * 24 + 72)}px`;
    }
    // eslint-disable-next-line no-new
    new window.Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s) => ({
          label: s.label,
          data: s.values.map((v) => (v === null ? null : Number(v))),
          backgroundColor: COLOURS[s.style],
          borderColor: COLOURS[s.style],
          borderDash: s.dashed ? [6, 4] : [],
          borderWidth: line ? 3 : 0,
          pointRadius: line ? 3 : 0,
          pointStyle: POINTS[s.style] || "circle",
          fill: false,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: {
          [valueAxis]: { beginAtZero: true, suggestedMax: percent ? 100 : undefined,
                         ticks: { callback: tick, precision: count ? 0 : undefined } },
          [categoryAxis]: { ticks: { autoSkip: !spec.horizontal } },
        },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: line } },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${full(ctx.parsed[valueAxis])}` } },
        },
      },
    });
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      if (!canvas.dataset.drawn) {
        canvas.dataset.drawn = "1";
        draw(canvas);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));
})();
