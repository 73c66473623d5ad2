// hsworkshop batch entries: uploads the file with XMLHttpRequest so the page
// can show the upload's progress and then the rows computed as the result
// streams back, and saves the result as a download. The form works without
// it (the browser downloads the result itself).
(function () {
  "use strict";

  var form = document.querySelector("form[data-batch]");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.Blob || !window.URL || !URL.createObjectURL) { return; }

  function el(id) { return document.getElementById(id); }

  function fmt(n) { return Number(n).toLocaleString("en-US"); }

  // filename reads the name from a Content-Disposition header.
  function filename(header) {
    var m = /filename="?([^";]+)"?/.exec(header || "");
    return m ? m[1] : "duty-results.csv";
  }

  // countRows counts the data rows received so far (the result never has a
  // line break inside a field).
  function counter() {
    var seen = 0, lines = 0;
    return function (text) {
      for (; seen < text.length; seen++) {
        if (text.charCodeAt(seen) === 10) { lines++; }
      }
      return Math.max(0, lines - 1);
    };
  }

  // replaceMain swaps in the main element of an HTML answer (the form with
  // its errors), then binds the new form.
  function replaceMain(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var next = doc.querySelector("main");
    var main = document.querySelector("main");
    if (!next || !main) { document.open(); document.write(html); document.close(); return; }
    main.replaceWith(next);
    document.title = doc.title;
    next.focus();
    form = document.querySelector("form[data-batch]");
    if (form) { form.addEventListener("submit", submit); }
  }

  // clearErrors removes what the last upload's answer showed: the row
  // errors, the form's alert and the file field's error.
  function clearErrors() {
    var gone = document.querySelectorAll(".batch-errors, form[data-batch] .alert-error, #f-file-error");
    for (var i = 0; i < gone.length; i++) { gone[i].remove(); }
    var file = el("f-file");
    if (file) {
      file.removeAttribute("aria-invalid");
      file.setAttribute("aria-describedby", "f-file-hint");
      if (file.closest(".field")) { file.closest(".field").classList.remove("field-invalid"); }
    }
  }

  function submit(ev) {
    var box = el("batch-progress"), bar = el("batch-progress-bar"), text = el("batch-progress-text");
    var file = el("f-file");
    if (!box || !bar || !text || !file || !file.files || file.files.length === 0) { return; }
    ev.preventDefault();
    clearErrors();
    var button = form.querySelector("button[type=submit]");
    var count = counter(), total = 0;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.responseType = "text";
    box.hidden = false;
    bar.value = 0;
    text.textContent = "Uploading " + file.files[0].name + "…";
    if (button) { button.disabled = true; }

    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      bar.value = Math.round(50 * e.loaded / e.total);
      text.textContent = "Uploading: " + Math.round(100 * e.loaded / e.total) + "%";
    });
    xhr.upload.addEventListener("load", function () {
      text.textContent = "Uploaded; checking the rows…";
    });
    xhr.addEventListener("readystatechange", function () {
      if (xhr.readyState === 2 && xhr.status === 200) {
        total = parseInt(xhr.getResponseHeader("X-Batch-Rows") || "0", 10) || 0;
      }
    });
    xhr.addEventListener("progress", function () {
      if (xhr.status !== 200) { return; }
      var done = count(xhr.responseText);
      if (total > 0) {
        done = Math.min(done, total);
        bar.value = 50 + Math.round(50 * done / total);
        text.textContent = "Computed " + fmt(done) + " of " + fmt(total) + " rows";
      } else {
        text.textContent = "Computed " + fmt(done) + " rows";
      }
    });
    xhr.addEventListener("load", function () {
      if (button) { button.disabled = false; }
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (xhr.status !== 200 || type.indexOf("text/csv") !== 0) {
        box.hidden = true;
        replaceMain(xhr.responseText);
        return;
      }
      var name = filename(xhr.getResponseHeader("Content-Disposition"));
      var url = URL.createObjectURL(new Blob([xhr.responseText], { type: "text/csv" }));
      var link = document.createElement("a");
      link.href = url;
      link.download = name;
      link.textContent = "Save " + name + " again";
      bar.value = 100;
      text.textContent = "Done: " + fmt(total) + " rows computed and downloaded as " + name + ". ";
      text.appendChild(link);
      var saved = xhr.getResponseHeader("X-Batch-Saved");
      if (saved && saved.charAt(0) === "/") {
        var list = document.createElement("a");
        list.href = saved;
        list.textContent = "your saved batch results";
        text.appendChild(document.createTextNode(". Also saved to "));
        text.appendChild(list);
        text.appendChild(document.createTextNode("."));
      }
      link.click();
    });
    xhr.addEventListener("error", function () {
      if (button) { button.disabled = false; }
      text.textContent = "The upload failed (network error). Try again.";
    });
    xhr.send(new FormData(form));
  }

  form.addEventListener("submit", submit);
})();
