/* Học Vụ Số — weekly trend charts on the monitoring dashboards, drawn with uPlot (served from /static/vendor/ and
   fetched with its styles when the first chart comes near the screen).
   Each chart repeats the table next to it ("Số liệu theo tuần"), so the page says everything without this file. */
(function () {
  "use strict";

  var LINE = "#0b4f8a";
  var TARGET = "#a4161a";
  var GRID = "#d5dde5";
  var TEXT = "#4a5560";
  var charts = [];
  var script = document.currentScript;
  var libraryUrl = script && script.getAttribute("data-uplot");
  var stylesUrl = script && script.getAttribute("data-uplot-css");
  var waiting = null;
  var ready = false;

  // Runs `then` once uPlot and its styles are there, fetching both (from this site) the first time a chart is
  // needed; the charts are drawn in a later task than the library's own start.
  function withLibrary(then) {
    if (ready) {
      then();
      return;
    }
    if (waiting) {
      waiting.push(then);
      return;
    }
    waiting = [then];
    var pending = 0;
    function loaded() {
      pending -= 1;
      if (pending > 0) {
        return;
      }
      window.setTimeout(function () {
        ready = true;
        var callbacks = waiting;
        waiting = [];
        callbacks.forEach(function (callback) {
          callback();
        });
      }, 0);
    }
    if (stylesUrl) {
      var styles = document.createElement("link");
      styles.rel = "stylesheet";
      styles.href = stylesUrl;
      styles.addEventListener("load", loaded);
      styles.addEventListener("error", loaded); // charts without uPlot's own styles still say what they show
      pending += 1;
      document.head.appendChild(styles);
    }
    if (typeof window.uPlot !== "function") {
      var library = document.createElement("script");
      library.src = libraryUrl;
      library.addEventListener("load", loaded);
      pending += 1;
      document.head.appendChild(library);
    }
    if (pending === 0) {
      pending = 1;
      loaded();
    }
  }

  function options(data, width) {
    var labels = data.days;
    var top = 100;
    return {
      width: width,
      height: 144,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: false },
        y: { range: [0, top] }
      },
      axes: [
        {
          stroke: TEXT,
          grid: { show: false },
          ticks: { stroke: GRID },
          size: 28,
          space: 36,
          incrs: [1, 2, 4],
          values: function (u, splits) {
            return splits.map(function (index) {
              return labels[index] || "";
            });
          }
        },
        {
          stroke: TEXT,
          grid: { stroke: GRID, width: 1 },
          ticks: { show: false },
          size: 40,
          splits: function () {
            return [0, 50, 100];
          },
          values: function (u, splits) {
            return splits.map(function (value) {
              return value + "%";
            });
          }
        }
      ],
      series: [
        {},
        { stroke: LINE, width: 2, spanGaps: true, points: { show: true, size: 6, fill: LINE } },
        { stroke: TARGET, width: 1.5, dash: [6, 4], points: { show: false } }
      ]
    };
  }

  function draw(holder, width) {
    var source = document.getElementById(holder.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var xs = data.days.map(function (_day, index) {
      return index;
    });
    var targets = data.days.map(function () {
      return data.target;
    });
    holder.textContent = "";
    charts.push({ holder: holder, plot: new window.uPlot(options(data, width), [xs, data.values, targets], holder) });
  }

  // Draws the charts given: every width is read before any chart is drawn (one layout, not one per chart), and
  // each chart is drawn in a task of its own so that the page stays responsive to a tap meanwhile.
  function drawAll(holders) {
    var widths = holders.map(function (holder) {
      return Math.max(200, holder.clientWidth);
    });
    holders.forEach(function (holder, index) {
      window.setTimeout(function () {
        draw(holder, widths[index]);
      }, 0);
    });
  }

  function resize() {
    charts.forEach(function (chart) {
      var width = Math.max(200, chart.holder.clientWidth);
      chart.plot.setSize({ width: width, height: 144 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.uPlot !== "function" && !libraryUrl) {
      return;
    }
    var holders = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    // A chart is drawn when it comes near the screen: a province's page has dozens of them below the first
    // screen, and drawing them all at once kept the phone busy for a third of a second (Lighthouse, mobile).
    if (!("IntersectionObserver" in window)) {
      withLibrary(function () {
        drawAll(holders);
      });
    } else {
      var observer = new window.IntersectionObserver(
        function (entries) {
          var near = entries
            .filter(function (entry) {
              return entry.isIntersecting;
            })
            .map(function (entry) {
              observer.unobserve(entry.target);
              return entry.target;
            });
          if (near.length) {
            withLibrary(function () {
              drawAll(near);
            });
          }
        },
        { rootMargin: "200px 0px" }
      );
      holders.forEach(function (holder) {
        observer.observe(holder);
      });
    }
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(resize, 150);
    });
  });
})();
