// exchangeeval's one script. Every page works without it; it only keeps
// two things current as people use a page.
(function () {
  "use strict";

  // The questionnaire's progress: how many parts are answered. A part
  // counts when all its required questions are answered, or, with none
  // required, any question is (the same rule as the server's).
  var form = document.querySelector("form[data-progress]");
  var count = document.getElementById("progress-n");
  var bar = document.getElementById("progress-bar");
  if (form && count && bar) {
    var filled = function (el) {
      if (el.type === "radio" || el.type === "checkbox") return el.checked;
      return el.value.trim() !== "";
    };
    var update = function () {
      var n = 0;
      form.querySelectorAll("section[data-required]").forEach(function (section) {
        var answered = {};
        section.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (el) {
          answered[el.name] = answered[el.name] || filled(el);
        });
        var required = section.dataset.required ? section.dataset.required.split(" ") : [];
        var done = required.length > 0
          ? required.every(function (q) { return answered[q]; })
          : Object.keys(answered).some(function (q) { return answered[q]; });
        if (done) n++;
      });
      count.textContent = String(n);
      bar.value = n;
    };
    // On "input" only (radios, boxes and lists fire it too): counting on
    // "change" as well moved the page under the pointer when a text box
    // lost focus to the send button, and the click was lost.
    form.addEventListener("input", update);

  }

  // A button that takes something away asks first (data-confirm holds
  // the question). Without the script the button acts at once; what it
  // takes away is only what can be put back (a participant with no
  // answers, an account's access).
  document.addEventListener("submit", function (e) {
    var b = e.submitter;
    if (b && b.dataset.confirm && !window.confirm(b.dataset.confirm)) e.preventDefault();
  });

  // Printing shows folded parts whole in browsers whose stylesheet cannot
  // unfold them (the stylesheet does it in Chromium).
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.fold:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
