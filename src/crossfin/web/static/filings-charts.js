/* The regulator's statistics aggregates: one bar chart (closing positions and transactions
 * by area or counterparty country) drawn from the page's own JSON with ECharts. No inline
 * script (the Content-Security-Policy forbids it). A bar of an area with a deeper view is
 * a link: clicking its row opens that area (the table's names link there too). */
(function () {
  "use strict";
  var source = document.getElementById("filings-chart-data");
  var el = document.getElementById("chart-aggregates");
  if (!source || !el || !window.echarts) {
    return;
  }
  var payload = JSON.parse(source.textContent);
  var chart = payload.chart;
  var labels = payload.labels;
  var lang = document.documentElement.lang || "en";
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var format = function (value) { return numbers.format(value); };
  var view = window.echarts.init(el, null, {
    renderer: "canvas", locale: lang.indexOf("zh") === 0 ? "ZH" : "EN",
  });
  view.setOption({
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: format },
    grid: { left: 16, right: 40, top: 48, bottom: 16, containLabel: true },
    xAxis: { type: "value", name: labels.amount, axisLabel: { formatter: format } },
    yAxis: { type: "category", inverse: true, data: chart.names, axisLabel: { interval: 0 } },
    series: [
      { name: labels.closing, type: "bar", data: chart.closing.map(Number), barMaxWidth: 32 },
      { name: labels.flows, type: "bar", data: chart.flows.map(Number), barMaxWidth: 32 },
    ],
  });
  // A click anywhere in an area's row (either bar, or the gap beside them) opens it.
  view.getZr().on("click", function (event) {
    var point = [event.offsetX, event.offsetY];
    if (!view.containPixel("grid", point)) {
      return;
    }
    var href = chart.hrefs[Math.round(view.convertFromPixel({ seriesIndex: 0 }, point)[1])];
    if (href) {
      window.location.assign(href);
    }
  });
  el.setAttribute("data-rendered", "true");
  window.addEventListener("resize", function () { view.resize(); });
})();
