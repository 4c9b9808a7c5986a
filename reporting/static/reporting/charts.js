/* Draw each report chart from the JSON beside its canvas (CSP: no inline scripts). */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var colours = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#b58840", "#28a197", "#6f72af"];
  document.querySelectorAll("canvas.nwd-chart-canvas").forEach(function (canvas) {
    var source = document.getElementById(canvas.id + "-data");
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (set, i) {
      var colour = colours[i % colours.length];
      var isTarget = spec.type === "line" && /^Target/.test(set.label);
      return {
        label: set.label, data: set.data, borderColor: colour, backgroundColor: colour,
        borderDash: isTarget ? [6, 4] : undefined, pointRadius: isTarget ? 0 : 3, tension: 0.2
      };
    });
    var valueAxis = {
      beginAtZero: true, stacked: !!spec.stacked,
      ticks: spec.percent ? { callback: function (v) { return v + "%"; } } : {}
    };
    if (spec.percent && spec.stacked) { valueAxis.max = 100; }
    var labelAxis = { stacked: !!spec.stacked };
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: spec.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
        plugins: { legend: { position: "bottom" } }
      }
    });
  });
}());
