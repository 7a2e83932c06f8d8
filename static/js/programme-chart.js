// The programme dashboard's chart: points awarded, redeemed and refunded per month, drawn by
// uPlot from the figures the page embeds (the table beside it shows the same numbers).
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("programme-chart");
    var source = document.getElementById("programme-chart-data");
    if (!holder || !source || typeof uPlot === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var names = Object.keys(data.series);
    // The portal's brand, amber and green (portal.css), each readable on white, in the series'
    // order (their names are in the reader's language), then grey for expired points.
    var colours = ["#4338ca", "#b45309", "#047857", "#555"];
    var xs = data.months.map(function (_, i) { return i; });
    var options = {
      width: Math.max(holder.clientWidth, 320),
      height: 280,
      scales: { x: { time: false } },
      axes: [
        { values: function (_, ticks) { return ticks.map(function (t) { return data.months[t] || ""; }); } },
        { values: function (_, ticks) { return ticks.map(function (t) { return t.toLocaleString(); }); }, size: 70 },
      ],
      series: [{ label: data.month_label, value: function (_, i) { return i == null ? "" : data.months[i]; } }].concat(
        names.map(function (name, i) {
          return {
            label: name,
            stroke: colours[i] || "#555",
            width: 2,
            points: { show: true, size: 6 },
            value: function (_, v) { return v == null ? "" : v.toLocaleString(); },
          };
        })
      ),
    };
    var chart = new uPlot(options, [xs].concat(names.map(function (n) { return data.series[n]; })), holder);
    holder.dataset.drawn = String(data.months.length);
    window.addEventListener("resize", function () {
      chart.setSize({ width: Math.max(holder.clientWidth, 320), height: 280 });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
