// Draws the charts of a taosha report from the JSON embedded in the page (#taosha-data).
// Chart.js and its annotation plugin are inlined before this script; nothing is fetched.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("taosha-data").textContent);
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", ' +
    '"Microsoft YaHei", "WenQuanYi Micro Hei", system-ui, sans-serif';
  var KEPT = "rgba(54, 116, 181, 0.85)", DROPPED = "rgba(214, 69, 65, 0.85)", CHARS = "rgba(242, 153, 74, 0.85)";
  Chart.defaults.font.family = FONT;
  Chart.defaults.animation = false;  // a static report: draw once, at once (screenshots, printing)
  Chart.defaults.maintainAspectRatio = false;
  var drawn = 0;

  function nf(x) { return x == null ? "" : Number(x).toLocaleString("en-US"); }
  function pct(x) { return (100 * x).toFixed(x < 0.001 && x > 0 ? 3 : 1) + "%"; }
  function short(x) {
    var a = Math.abs(x);
    if (a !== 0 && (a < 0.01 || a >= 1e5)) return Number(x).toExponential(1);
    return String(Math.round(x * 1000) / 1000);
  }
  function make(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return null;
    var chart = new Chart(canvas, config);
    canvas.setAttribute("data-drawn", "1");
    drawn += 1;
    return chart;
  }

  // The funnel: documents and characters left after each point, as shares of the input.
  var f = data.funnel;
  make("chart-funnel", {
    type: "bar",
    data: {
      labels: f.map(function (r) { return r.stage; }),
      datasets: [
        { label: "documents", data: f.map(function (r) { return 100 * r.docs_share; }), backgroundColor: KEPT },
        { label: "characters", data: f.map(function (r) { return 100 * r.chars_share; }), backgroundColor: CHARS }
      ]
    },
    options: {
      indexAxis: "y",
      scales: { x: { min: 0, max: 100, title: { display: true, text: "% of input" } } },
      plugins: {
        tooltip: { callbacks: { label: function (ctx) {
          var r = f[ctx.dataIndex];
          return ctx.dataset.label === "documents"
            ? "documents: " + nf(r.docs) + " (" + pct(r.docs_share) + ")"
            : "characters: " + nf(r.chars) + " (" + pct(r.chars_share) + ")";
        } } }
      }
    }
  });

  // Removals by step and reason, one stacked bar per step.
  var reasonSets = {}, stepLabels = data.steps.map(function (s) { return s.label; });
  data.steps.forEach(function (s, i) {
    s.reasons.forEach(function (r) {
      var key = r.reason;
      if (!reasonSets[key]) reasonSets[key] = stepLabels.map(function () { return 0; });
      reasonSets[key][i] += r.count;
    });
  });
  var palette = ["#d64541", "#3674b5", "#f2994a", "#27ae60", "#8e44ad", "#16a085", "#c0392b", "#2c3e50",
    "#e67e22", "#7f8c8d", "#1abc9c", "#9b59b6", "#34495e", "#d35400", "#2980b9", "#95a5a6"];
  var reasonNames = Object.keys(reasonSets);
  if (reasonNames.length) {
    make("chart-reasons", {
      type: "bar",
      data: {
        labels: stepLabels,
        datasets: reasonNames.map(function (name, k) {
          return { label: name, data: reasonSets[name], backgroundColor: palette[k % palette.length] };
        })
      },
      options: {
        indexAxis: "y",
        scales: { x: { stacked: true, title: { display: true, text: "documents removed" } }, y: { stacked: true } },
        plugins: { legend: { position: "right" } }
      }
    });
  }

  // A histogram with its thresholds: bars in the dropped range are red, the range is shaded.
  function histogram(canvasId, h, xTitle, log) {
    var width = (h.hi - h.lo) / h.bins, labels = [], counts = [], colors = [];
    var off = h.under ? 1 : 0;
    function dropped(lo, hi) {
      return (h.min != null && hi <= h.min) || (h.max != null && lo >= h.max);
    }
    if (h.under) { labels.push("< " + short(h.lo)); counts.push(h.under); colors.push(dropped(-Infinity, h.lo) ? DROPPED : KEPT); }
    var integral = width === 1 && Number.isInteger(h.lo);  // counts such as cluster sizes
    for (var i = 0; i < h.bins; i++) {
      var a = h.lo + i * width, b = a + width;
      labels.push(integral ? String(a) : short(a) + "–" + short(b));
      counts.push(h.counts[i]);
      colors.push(dropped(a, b) ? DROPPED : KEPT);
    }
    if (h.over) { labels.push("≥ " + short(h.hi)); counts.push(h.over); colors.push(dropped(h.hi, Infinity) ? DROPPED : KEPT); }
    var n = labels.length, annotations = {};
    function at(t) { return Math.max(-0.5, Math.min(n - 0.5, off + (t - h.lo) / width - 0.5)); }
    var shade = h.tag_only ? "rgba(242, 153, 74, 0.12)" : "rgba(214, 69, 65, 0.10)";
    if (h.min != null) {
      annotations.minLine = { type: "line", xMin: at(h.min), xMax: at(h.min), borderColor: "#b03a2e", borderWidth: 2,
        label: { display: true, content: "min " + short(h.min), position: "start", font: { size: 10 } } };
      annotations.minBox = { type: "box", xMin: -0.5, xMax: at(h.min), backgroundColor: shade, borderWidth: 0 };
    }
    if (h.max != null) {
      annotations.maxLine = { type: "line", xMin: at(h.max), xMax: at(h.max), borderColor: "#b03a2e", borderWidth: 2,
        label: { display: true, content: "max " + short(h.max), position: "start", font: { size: 10 } } };
      annotations.maxBox = { type: "box", xMin: at(h.max), xMax: n - 0.5, backgroundColor: shade, borderWidth: 0 };
    }
    return make(canvasId, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: "documents", data: counts, backgroundColor: colors,
        barPercentage: 1.0, categoryPercentage: 1.0 }] },
      options: {
        scales: {
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 6, font: { size: 10 } },
               title: { display: !!xTitle, text: xTitle } },
          y: { type: log ? "logarithmic" : "linear", min: log ? 0.8 : 0, beginAtZero: !log, ticks: { font: { size: 10 }, callback: function (v) {
            // On the log scale label only the powers of ten.
            if (this.type === "logarithmic" && Math.abs(Math.log10(v) % 1) > 1e-9) return "";
            return nf(v);
          } } }
        },
        plugins: { legend: { display: false }, annotation: { annotations: annotations } }
      }
    });
  }
  var histCharts = [];
  data.histograms.forEach(function (h, i) { histCharts.push(histogram("chart-hist-" + i, h, "", false)); });
  // Cluster sizes are heavy-tailed (thousands of pairs, a few huge clusters): always logarithmic.
  data.clusters.forEach(function (h, i) { histogram("chart-cluster-" + i, h, "documents per cluster (log count)", true); });
  // Most signals pile up at one end; a log scale shows the tail that the thresholds cut.
  var logBox = document.getElementById("log-scale");
  if (logBox) {
    logBox.addEventListener("change", function () {
      histCharts.forEach(function (c) {
        if (!c) return;
        c.options.scales.y.type = logBox.checked ? "logarithmic" : "linear";
        c.options.scales.y.min = logBox.checked ? 0.8 : 0;
        c.update();
      });
    });
  }

  // PII by type.
  if (data.pii.length) {
    make("chart-pii", {
      type: "bar",
      data: {
        labels: data.pii.map(function (r) { return r.key + (data.steps.length > 1 ? " (" + r.step + ")" : ""); }),
        datasets: [{ label: "found", data: data.pii.map(function (r) { return r.count; }), backgroundColor: KEPT }]
      },
      options: { indexAxis: "y", plugins: { legend: { display: false } } }
    });
  }

  // The largest sources: kept and removed documents.
  if (data.sources && data.sources.length) {
    make("chart-sources", {
      type: "bar",
      data: {
        labels: data.sources.map(function (r) { return r.source.length > 60 ? "…" + r.source.slice(-59) : r.source; }),
        datasets: [
          { label: "kept", data: data.sources.map(function (r) { return r.kept; }), backgroundColor: KEPT },
          { label: "removed", data: data.sources.map(function (r) { return r.removed; }), backgroundColor: DROPPED }
        ]
      },
      options: { indexAxis: "y", scales: { x: { stacked: true }, y: { stacked: true, ticks: { font: { size: 10 } } } } }
    });
  }

  // Time per step.
  make("chart-time", {
    type: "bar",
    data: {
      labels: stepLabels,
      datasets: [{ label: "seconds (summed over workers)", data: data.steps.map(function (s) { return s.seconds; }),
        backgroundColor: KEPT }]
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } },
      scales: { x: { title: { display: true, text: "seconds, summed over workers" } } } }
  });

  document.documentElement.setAttribute("data-charts-drawn", String(drawn));
})();
