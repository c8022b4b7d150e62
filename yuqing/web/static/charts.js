// Draws every line chart a page declares as data-chart = {x: [...], series: [{name, data}]}.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const spec = JSON.parse(el.dataset.chart);
    const chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: spec.series.map((s) => s.name) },
      grid: { left: 60, right: 20 },
      xAxis: { type: "category", data: spec.x },
      yAxis: { type: "value" },
      series: spec.series.map((s, i) => ({
        name: s.name, type: "line", showSymbol: true, data: s.data,
        // Moments on the time axis (the incident opening, each statement published).
        markLine: i === 0 && spec.marks ? {
          symbol: "none",
          data: spec.marks.map((m) => ({ xAxis: m.x, label: { formatter: m.name } })),
        } : undefined,
      })),
    });
    window.addEventListener("resize", () => chart.resize());
  });
});

// Draws the repost tree a page declares as data-tree = {name, children: [...]}.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-tree]").forEach((el) => {
    const chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: (p) => p.name },
      series: [{
        type: "tree", layout: "radial", data: [JSON.parse(el.dataset.tree)],
        symbolSize: 7, initialTreeDepth: -1, roam: true,
        label: { fontSize: 10, formatter: (p) => (p.name === "网友" ? "" : p.name) },
      }],
    });
    window.addEventListener("resize", () => chart.resize());
  });
});
