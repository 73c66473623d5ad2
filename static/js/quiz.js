// hsworkshop quizzes: the exam countdown and the open-book search panel.
// The pages work without it: the server's deadline decides, and the search
// form opens the tariff search in a new tab.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  var timer = document.querySelector(".quiz-timer[data-seconds]");
  if (timer) {
    var out = timer.querySelector(".quiz-timer-value");
    var end = Date.now() + parseInt(timer.getAttribute("data-seconds"), 10) * 1000;
    var tick = function () {
      var s = Math.max(0, Math.round((end - Date.now()) / 1000));
      out.textContent = Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
      if (s <= 300) { timer.classList.add("is-low"); }
      if (s === 0) {
        // The server submits at the deadline; reloading shows the results.
        window.location.reload();
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  var form = document.querySelector("[data-quiz-book]");
  var box = document.querySelector("[data-quiz-book-results]");
  if (form && box && window.fetch) {
    form.addEventListener("submit", function (ev) {
      var q = form.querySelector("input[name=q]").value.trim();
      if (!q) { return; }
      ev.preventDefault();
      box.textContent = "Searching…";
      fetch("/api/v1/hts/search?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          box.textContent = "";
          var list = (body && body.results) || [];
          if (!list.length) { box.textContent = "Nothing matched."; return; }
          var ol = document.createElement("ol");
          list.forEach(function (r) {
            var li = document.createElement("li");
            var a = document.createElement("a");
            a.href = "/hts/" + r.code;
            a.target = "_blank";
            a.textContent = r.code;
            li.appendChild(a);
            li.appendChild(document.createTextNode(" " + r.description));
            ol.appendChild(li);
          });
          box.appendChild(ol);
        })
        .catch(function () { form.submit(); });
    });
  }
})();
