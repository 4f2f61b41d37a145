/* Haidian grid management: the bar chart of a published ranking (#ranking-chart).
 * Plain ES2017, no build step. ECharts comes from our own static files (static/vendor/echarts/,
 * installed by scripts/assets); the numbers come from the page's <script type="application/json"
 * id="ranking-chart-data"> block, so the chart shows exactly what the table below it lists. Without
 * JavaScript or ECharts the chart's box is hidden and the table is the ranking. */
(function () {
  "use strict";

  var GRADE_COLOURS = { A: "#1f7a4d", B: "#1f4e8c", C: "#5b6b84", D: "#8a5a00", E: "#b3261e" };
  var DEFAULT_COLOUR = "#1f4e8c";
  var ROW_HEIGHT = 26;        // pixels per bar
  var VISIBLE_BARS = 20;      // more than this: the chart scrolls (dataZoom) instead of growing

  function isChinese() {
    return /^zh/i.test(document.documentElement.lang || "zh");
  }

  function readData() {
    var node = document.getElementById("ranking-chart-data");
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  function draw(el, data) {
    var count = data.names.length;
    var scrolls = count > VISIBLE_BARS;
    var shown = Math.min(count, VISIBLE_BARS);
    el.style.height = Math.max(160, shown * ROW_HEIGHT + 70) + "px";

    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: isChinese() ? "ZH" : "EN" });
    var bars = data.totals.map(function (total, i) {
      var grade = data.grades[i] || "";
      return { value: total, grade: grade, itemStyle: { color: GRADE_COLOURS[grade] || DEFAULT_COLOUR } };
    });
    var option = {
      aria: { enabled: true },
      animation: false,
      grid: { left: 8, right: scrolls ? 48 : 40, top: 48, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var total = p.value === null || p.value === undefined ? "—" : p.value.toFixed(2);
          var text = echartsEscape(p.name) + "<br>" + echartsEscape(data.axis) + ": " + total;
          if (p.data.grade) text += "<br>" + echartsEscape(data.grade) + ": " + p.data.grade;
          return text;
        }
      },
      xAxis: { type: "value", name: data.axis, nameLocation: "middle", nameGap: 24, min: 0, position: "top",
               max: function (v) { return Math.max(100, Math.ceil(v.max)); } },
      yAxis: {
        type: "category",
        inverse: true,  // rank 1 at the top, like the table
        data: data.names,
        axisTick: { show: false },
        axisLabel: { width: 110, overflow: "truncate" }
      },
      series: [{
        type: "bar",
        name: data.axis,
        data: bars,
        barMaxWidth: 18,
        label: { show: true, position: "right", formatter: function (p) {
          return p.value === null || p.value === undefined ? "" : p.value.toFixed(1);
        } }
      }]
    };
    if (scrolls) {
      option.dataZoom = [
        { type: "slider", yAxisIndex: 0, startValue: 0, endValue: VISIBLE_BARS - 1, right: 4, width: 18,
          showDetail: false, brushSelect: false, zoomLock: true },
        { type: "inside", yAxisIndex: 0, zoomOnMouseWheel: false, moveOnMouseWheel: true, moveOnMouseMove: true }
      ];
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function echartsEscape(text) {
    return window.echarts.format.encodeHTML(String(text === undefined || text === null ? "" : text));
  }

  function init() {
    var el = document.getElementById("ranking-chart");
    if (!el) return;
    var data = readData();
    if (!window.echarts || !data || !data.names || data.names.length === 0) {
      el.hidden = true;
      return;
    }
    draw(el, data);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
