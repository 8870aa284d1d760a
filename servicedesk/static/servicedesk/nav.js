// The top bar's menus are <details> elements: they open and close with the mouse, Enter
// or Space without any script. This only adds what a menu is expected to do: one menu
// open at a time, Escape closes it (focus back on its title), a click elsewhere closes it.
(function () {
  "use strict";
  var menus = function () { return document.querySelectorAll("#main-nav details"); };
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("#main-nav details") || !opened.open) return;
    menus().forEach(function (menu) { if (menu !== opened) menu.open = false; });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus().forEach(function (menu) {
      if (!menu.open) return;
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  });
})();
