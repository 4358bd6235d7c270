// frontwatch report: replays the campaign day by day. Page text is untrusted: this script only
// sets textContent, attributes with numbers or colours it chose itself, and CSS classes.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fw-data").textContent);
  var slider = document.getElementById("fw-day");
  var label = document.getElementById("fw-date");
  var count = document.getElementById("fw-count");
  var play = document.getElementById("fw-play");
  var dayOf = function (el) { return parseInt(el.getAttribute("data-day"), 10); };
  var dated = Array.prototype.slice.call(document.querySelectorAll("[data-day]"));
  var start = Date.parse(data.start + "T00:00:00Z");
  var timer = null;

  function iso(i) { return new Date(start + i * 86400000).toISOString().slice(0, 10); }

  function show(i) {
    label.textContent = data.start ? iso(i) : "";
    var visible = 0;
    dated.forEach(function (el) {
      var on = dayOf(el) <= i;
      el.classList.toggle("hidden", !on);
      if (on && el.classList.contains("ev")) { visible += 1; }
    });
    count.textContent = String(visible + data.undated) + " events on the map";
    data.places.forEach(function (p) {
      var el = document.getElementById("fw-place-" + p.i);
      var title = document.getElementById("fw-place-title-" + p.i);
      var lab = document.getElementById("fw-place-label-" + p.i);
      var st = null;
      for (var k = 0; k < p.steps.length; k++) { if (p.steps[k][0] <= i) { st = p.steps[k]; } }
      if (lab) { lab.classList.toggle("hidden", st === null); }
      if (!el) { return; }
      if (st === null) { el.classList.add("hidden"); return; }
      el.classList.remove("hidden");
      el.setAttribute("fill", data.colors[st[1] % data.colors.length]);
      title.textContent = p.name + ": held by " + data.controllers[st[1]] + " since " + st[2] +
        " (" + st[3] + ")";
    });
  }

  function stop() { if (timer !== null) { clearInterval(timer); timer = null; play.textContent = "Play"; } }

  play.addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (+slider.value >= +slider.max) { slider.value = "0"; }
    play.textContent = "Pause";
    timer = setInterval(function () {
      if (+slider.value >= +slider.max) { stop(); return; }
      slider.value = String(+slider.value + 1);
      show(+slider.value);
    }, data.step_ms);
  });
  slider.addEventListener("input", function () { show(+slider.value); });
  show(+slider.value);
})();
