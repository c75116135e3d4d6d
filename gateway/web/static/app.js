// Live countdowns: an element with data-due (RFC 3339) reads "due in 12m"
// or "overdue by 3m", refreshed every 30 seconds. The page works without it.
(function () {
  "use strict";
  function short(ms) {
    var m = Math.floor(Math.abs(ms) / 60000);
    if (m < 60) return m + "m";
    if (m < 1440) return Math.floor(m / 60) + "h" + (m % 60 ? " " + (m % 60) + "m" : "");
    var h = Math.floor((m % 1440) / 60);
    return Math.floor(m / 1440) + "d" + (h ? " " + h + "h" : "");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = due - now;
      el.textContent = left >= 0 ? "due in " + short(left) : "overdue by " + short(left);
      el.classList.toggle("is-overdue", left < 0);
    });
  }
  tick();
  setInterval(tick, 30000);
})();
