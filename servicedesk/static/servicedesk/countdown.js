// Live countdowns and SLA states. No library.
//
// An element with [data-sla-clock] is one case or one clock: the server renders its state
// (data-sla-state) as of the page, the instant it becomes "due soon" (data-warn-at, only
// while on track) and its due instant (data-due-at). This script only moves that state on
// at those instants — on track → due soon → breached — and paints the badge
// ([data-sla-badge]), the countdown's colour and the container's class from it, so the
// badge and the countdown always agree (tickets/sla/selectors.py holds the same rule).
//
// A <time data-countdown datetime="ISO"> shows the time left (or how late). Outside an
// SLA clock (a promised call-back, the dashboard's lists) it colours itself: "due-soon"
// from its data-warn-at, else under 15 minutes, and "overdue" once past.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "zh-hans";
  var zh = lang.indexOf("zh") === 0;
  var STATES = ["none", "on_track", "warned", "breached", "paused", "met", "met_late"];
  function fmt(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var text = (d ? d + (zh ? "天 " : "d ") : "") + pad(h) + ":" + pad(m) + ":" + pad(sec);
    if (ms < 0) return (zh ? "已超时 " : "overdue ") + text;
    return (zh ? "剩余 " : "") + text + (zh ? "" : " left");
  }
  function instant(el, name) {
    return Date.parse(el.getAttribute(name) || "");
  }
  function stateAt(clock, now) {
    var state = clock.getAttribute("data-sla-state") || "";
    var due = instant(clock, "data-due-at"), warn = instant(clock, "data-warn-at");
    if ((state === "on_track" || state === "warned") && !isNaN(due) && now >= due) return "breached";
    if (state === "on_track" && !isNaN(warn) && now >= warn) return "warned";
    return state;
  }
  function paint(clock, state) {
    var css = "sla-" + (state || "none");
    STATES.forEach(function (s) { clock.classList.remove("sla-" + s); });
    if (clock.tagName === "TR") clock.classList.add(css);
    clock.setAttribute("data-sla-now", state);
    var label = clock.getAttribute("data-label-" + state);
    clock.querySelectorAll("[data-sla-badge]").forEach(function (badge) {
      if (badge.closest("[data-sla-clock]") !== clock) return;
      badge.className = "sla-badge " + css;
      if (label) badge.textContent = label;
    });
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-sla-clock]").forEach(function (clock) {
      var state = stateAt(clock, now);
      if (clock.getAttribute("data-sla-now") !== state) paint(clock, state);
    });
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      var left = due - now;
      el.textContent = fmt(left);
      var clock = el.closest("[data-sla-clock]");
      if (clock) {
        var state = clock.getAttribute("data-sla-now");
        el.classList.toggle("overdue", state === "breached");
        el.classList.toggle("due-soon", state === "warned");
        return;
      }
      var warn = Date.parse(el.getAttribute("data-warn-at") || "");
      var soon = isNaN(warn) ? left < 15 * 60 * 1000 : now >= warn;
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("due-soon", left >= 0 && soon);
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();
