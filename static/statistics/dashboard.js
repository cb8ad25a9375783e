/* The statistics dashboard's charts (templates/admin/statistics/dashboard.html). The data is the tables'
   own numbers, in the json_script block "statistics-charts"; each [data-chart] box draws one of them with
   the vendored ECharts (static/vendor/echarts). No inline script or style: the CSP allows none. */
(function () {
  "use strict";

  var PALETTE = ["#1f5fa8", "#d9822b", "#3c8d40", "#a83a3a", "#6b4fa8", "#2a8c8c", "#8c6d2a", "#555555"];

  function option(data) {
    var isLine = data.type === "line";
    return {
      color: PALETTE,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { rotate: data.categories.length > 6 ? 40 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: isLine ? "line" : "bar", data: s.data, connectNulls: false,
                 showSymbol: true, barMaxWidth: 36 };
      })
    };
  }

  function draw() {
    var source = document.getElementById("statistics-charts");
    if (!source || typeof window.echarts === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    var drawn = [];
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var data = charts[box.getAttribute("data-chart")];
      if (!data) { return; }
      var chart = window.echarts.init(box, null, { renderer: "canvas", locale: "ZH" });
      chart.setOption(option(data));
      box.classList.add("gzf-chart-drawn");
      drawn.push(chart);
    });
    window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
  }

  /* The period picker: show the fields the chosen kind of period uses. */
  function picker() {
    var kind = document.getElementById("id_period");
    if (!kind) { return; }
    var uses = { month: ["year", "month"], quarter: ["year", "quarter"], year: ["year"], custom: ["start", "end"] };
    function update() {
      var wanted = uses[kind.value || "month"] || [];
      document.querySelectorAll("[data-period-field]").forEach(function (box) {
        var name = box.getAttribute("data-period-field");
        box.hidden = name !== "period" && wanted.indexOf(name) < 0;
      });
    }
    kind.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () { picker(); draw(); });
}());
