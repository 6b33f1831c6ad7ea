/* The regulator's dashboard: draws the charts from the page's own JSON with ECharts.
 * No inline script or style (the Content-Security-Policy forbids both): the numbers come
 * from <script type="application/json" id="dashboard-data">, the texts from the page's
 * language, and tooltips are drawn in the canvas (renderMode "richText"), not as HTML. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) {
    return;
  }
  var payload = JSON.parse(source.textContent);
  var charts = payload.charts;
  var labels = payload.labels;
  var lang = document.documentElement.lang || "en";
  var locale = lang.indexOf("zh") === 0 ? "ZH" : "EN";
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var drawn = [];

  function format(value) {
    return numbers.format(value);
  }

  function draw(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) {
      return;
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: locale });
    option.animation = false;
    option.tooltip = Object.assign(
      { trigger: "axis", renderMode: "richText", valueFormatter: format },
      option.tooltip || {}
    );
    option.grid = Object.assign({ left: 16, right: 40, top: 48, bottom: 16, containLabel: true },
      option.grid || {});
    [].concat(option.xAxis, option.yAxis).forEach(function (axis) {
      // An axis name starts where the axis does, not centred off the chart's edge.
      axis.nameTextStyle = { align: axis.type === "value" && axis === option.yAxis ? "left" : "right" };
    });
    chart.setOption(option);
    if (onClick) {
      chart.on("click", onClick);
    }
    el.setAttribute("data-rendered", "true");
    drawn.push(chart);
  }

  function flows(series, what, type, stack) {
    return ["registered", "facilitated"].map(function (flow) {
      return { name: labels[flow], type: type, data: series[flow + "_" + what], stack: stack,
        barMaxWidth: 48 };
    });
  }

  function shortName(name) {
    return String(name).split(" · ")[0];
  }

  function bars(id, series, onClick, horizontal) {
    // Areas stack their two flows: one bar per area, the whole of it a drill-down target.
    // Under vertical bars, a scenario's code alone ("F1"): whole names overlap there, and
    // the tooltip and the table under the chart give them.
    var label = horizontal ? { interval: 0 } : { interval: 0, formatter: shortName };
    var categories = { type: "category", data: series.names, axisLabel: label };
    var values = { type: "value", name: labels.usd, axisLabel: { formatter: format } };
    draw(id, {
      legend: { top: 0 },
      xAxis: horizontal ? values : categories,
      yAxis: horizontal ? Object.assign({ inverse: true }, categories) : values,
      series: flows(series, "usd", "bar", horizontal ? "area" : undefined),
    }, onClick);
  }

  var trends = charts.trends;
  draw("chart-trends-usd", {
    legend: { top: 0 },
    xAxis: { type: "category", data: trends.names },
    yAxis: { type: "value", name: labels.usd, axisLabel: { formatter: format } },
    series: flows(trends, "usd", "line"),
  });
  draw("chart-trends-count", {
    legend: { top: 0 },
    xAxis: { type: "category", data: trends.names },
    yAxis: { type: "value", name: labels.count, minInterval: 1 },
    series: flows(trends, "count", "bar"),
  });
  bars("chart-scenarios", charts.scenarios);
  bars("chart-classes", charts.classes);
  if (charts.children) {
    var hrefs = charts.children.hrefs;
    // Drill-down: a click on an area's bar opens that area's own view.
    bars("chart-children", charts.children, function (event) {
      var href = hrefs[event.dataIndex];
      if (href) {
        window.location.assign(href);
      }
    }, true);
  }
  draw("chart-top", {
    xAxis: { type: "value", name: labels.usd, axisLabel: { formatter: format } },
    yAxis: { type: "category", data: charts.top.names, inverse: true },
    series: [{ name: labels.top, type: "bar", data: charts.top.usd, barMaxWidth: 32 }],
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (chart) { chart.resize(); });
  });
}());
