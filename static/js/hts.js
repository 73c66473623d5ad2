// hsworkshop tariff reference: keyboard navigation. The pages work without it.
//   /          focus the search box
//   j or ↓     next line in a table or list of lines
//   k or ↑     previous line
//   Enter      opens the focused line (a plain link)
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // targets lists one link per row or item of a navigable container.
  function targets(box) {
    var out = [];
    var items = box.querySelectorAll("tr, li");
    for (var i = 0; i < items.length; i++) {
      var a = items[i].querySelector("a[href]");
      if (a && (items[i].tagName !== "LI" || a.closest("li") === items[i])) { out.push(a); }
    }
    return out;
  }

  function move(step) {
    var active = document.activeElement;
    var box = active && active.closest ? active.closest("[data-hts-nav]") : null;
    var list, i;
    if (!box) {
      box = document.querySelector("[data-hts-nav]");
      if (!box) { return false; }
      list = targets(box);
      if (list.length) { list[0].focus(); }
      return list.length > 0;
    }
    list = targets(box);
    var row = active.closest("tr, li");
    i = -1;
    for (var k = 0; k < list.length; k++) {
      if (list[k] === active || (row && list[k].closest("tr, li") === row)) { i = k; break; }
    }
    var next = list[Math.min(Math.max(i + step, 0), list.length - 1)];
    if (next) { next.focus(); }
    return true;
  }

  // The search box is a text area, so descriptions can be pasted whole;
  // Enter still searches and Shift+Enter starts a new line.
  var searchBox = document.getElementById("hts-q");
  if (searchBox && searchBox.tagName === "TEXTAREA" && searchBox.form) {
    searchBox.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.shiftKey || e.isComposing) { return; }
      e.preventDefault();
      if (searchBox.form.requestSubmit) { searchBox.form.requestSubmit(); } else { searchBox.form.submit(); }
    });
  }

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) { return; }
    var inBox = document.activeElement && document.activeElement.closest && document.activeElement.closest("[data-hts-nav]");
    if (e.key === "/") {
      var q = document.getElementById("hts-q");
      if (q) { e.preventDefault(); q.focus(); q.select(); }
    } else if (e.key === "j" || (e.key === "ArrowDown" && inBox)) {
      if (move(1)) { e.preventDefault(); }
    } else if (e.key === "k" || (e.key === "ArrowUp" && inBox)) {
      if (move(-1)) { e.preventDefault(); }
    }
  });
})();
