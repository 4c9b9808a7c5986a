/* Draw each report chart from the JSON beside its canvas (CSP: no inline scripts).
   Every chart is followed by a table with the same figures, which screen readers use. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var colours = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#b58840", "#28a197", "#6f72af"];
  function percentTick(v) { return v + "%"; }
  document.querySelectorAll("canvas.nwd-chart-canvas").forEach(function (canvas) {
    var source = document.getElementById(canvas.id + "-data");
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (set, i) {
      var colour = set.colour || colours[i % colours.length];
      return {
        label: set.label, data: set.data, borderColor: colour, backgroundColor: colour,
        borderDash: set.target ? [6, 4] : undefined, pointRadius: set.target ? 0 : (spec.type === "scatter" ? 7 : 4), tension: 0.2
      };
    });
    var options = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: "bottom" } }
    };
    if (spec.type === "scatter") {
      options.scales = {
        x: { beginAtZero: true, title: { display: true, text: spec.x_title }, ticks: { callback: percentTick } },
        y: { beginAtZero: true, title: { display: true, text: spec.y_title } }
      };
      options.plugins.tooltip = { callbacks: { label: function (ctx) {
        return ctx.raw.service + ": NI14 " + ctx.parsed.x + "%, " + ctx.parsed.y + " per 1,000";
      } } };
    } else {
      var valueAxis = {
        beginAtZero: true, stacked: !!spec.stacked, ticks: spec.percent ? { callback: percentTick } : {}
      };
      if (spec.percent && (spec.stacked || spec.max100)) { valueAxis.max = 100; }
      var labelAxis = { stacked: !!spec.stacked };
      options.indexAxis = spec.horizontal ? "y" : "x";
      options.scales = spec.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis };
    }
    new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options });
  });
}());
