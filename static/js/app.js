// hsworkshop: small progressive enhancements. The pages work without it.
(function () {
  "use strict";
  // Show a session's time in the viewer's own zone next to the session's zone.
  function localTimes() {
    var els = document.querySelectorAll("[data-local-for]");
    var viewerZone;
    try { viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    els.forEach(function (el) {
      var timeEl = document.querySelector('[data-local-start="' + el.getAttribute("data-local-for") + '"]');
      if (!timeEl) { return; }
      var start = new Date(timeEl.getAttribute("data-local-start"));
      var end = new Date(timeEl.getAttribute("data-local-end"));
      if (isNaN(start) || isNaN(end)) { return; }
      var day = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
      var clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
      var clockPlain = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
      var sameDay = day.format(start) === day.format(end);
      var text = "Your time (" + viewerZone + "): " + day.format(start) + ", " + clockPlain.format(start) + " – " +
        (sameDay ? "" : day.format(end) + ", ") + clock.format(end);
      el.textContent = text;
      el.hidden = false;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", localTimes);
  } else {
    localTimes();
  }
})();
(function () {
  "use strict";
  // Selects marked data-autosubmit submit their form when changed, through
  // the button whose id the attribute names (so the server sees that
  // button's action); the button also works when this script does not run.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      if (!sel.form) { return; }
      var button = document.getElementById(sel.getAttribute("data-autosubmit"));
      if (button && sel.form.requestSubmit) { sel.form.requestSubmit(button); } else if (button) { button.click(); } else { sel.form.submit(); }
    });
  });
})();
