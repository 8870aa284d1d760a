// Live countdowns: every <time data-countdown datetime="ISO"> shows the time left (or how
// late), and gets the class "due-soon" (from its data-warn-at instant when it has one,
// otherwise under 15 minutes) or "overdue". No library.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "zh-hans";
  var zh = lang.indexOf("zh") === 0;
  function fmt(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var text = (d ? d + (zh ? "天 " : "d ") : "") + pad(h) + ":" + pad(m) + ":" + pad(sec);
    if (ms < 0) return (zh ? "已超时 " : "overdue ") + text;
    return (zh ? "剩余 " : "") + text + (zh ? "" : " left");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      var left = due - now;
      var warn = Date.parse(el.getAttribute("data-warn-at") || "");
      var soon = isNaN(warn) ? left < 15 * 60 * 1000 : now >= warn;
      el.textContent = fmt(left);
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("due-soon", left >= 0 && soon);
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();
