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

  // Conditional questions. The server sends each condition as the tree it
  // parsed (["ref", id, type], ["str", s], ["num", n], ["call", fn, …],
  // [op, left, right]); this evaluates it the way the server does, so a
  // question shows exactly when the server will take its answer. An
  // answer to a hidden question counts as no answer, also for the
  // conditions after it. Without the script every question shows, with a
  // sentence saying when to answer it.
  var hiddenQ = function (el) {
    var q = el.closest(".question, .calculated"), s = el.closest("section");
    return (q && q.hidden) || (s && s.hidden);
  };
  var answerOf = function (id, type) {
    var els = form.querySelectorAll('[name="' + id + '"]');
    var codes = [], text = "";
    els.forEach(function (el) {
      if (hiddenQ(el)) return;
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { codes.push(el.value); text = el.value; }
      } else if (el.value.trim() !== "") {
        text = el.value.trim();
      }
    });
    if (type === "multi") return { k: "codes", codes: codes, s: codes.join(" ") };
    if ((type === "likert" || type === "number") && text !== "") {
      var n = Number(text.replace(",", "."));
      if (!isNaN(n)) return { k: "num", n: n };
      return { k: "str", s: "" };
    }
    return { k: "str", s: text };
  };
  // A date, date and time, or time reads as a number of days (from
  // 1 January 1970, or a fraction of one), as on the server and in ODK.
  var days = function (t) {
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
    if (m) return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0)) / 86400000;
    m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t);
    if (m) return (+m[1] * 3600 + +m[2] * 60 + +(m[3] || 0)) / 86400;
    return NaN;
  };
  var num = function (v) {
    if (v.k === "num") return v.n;
    var t = (v.s || "").trim();
    if (t === "") return NaN;
    var n = Number(t);
    return isNaN(n) ? days(t) : n;
  };
  var isoDate = function (d) {
    var p = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getUTCFullYear() + "-" + p(d.getUTCMonth() + 1) + "-" + p(d.getUTCDate());
  };
  // str is a value as XPath's string(), as the server writes it.
  var str = function (v) {
    if (v.k === "num") return isNaN(v.n) ? "NaN" : String(v.n);
    if (v.k === "bool") return v.b ? "true" : "false";
    return v.s || "";
  };
  var call = function (t) {
    switch (t[1]) {
      case "true": case "false": return { k: "bool", b: t[1] === "true" };
      case "not": return { k: "bool", b: !evaluate(t[2]).b };
      case "count-selected": return { k: "num", n: (evaluate(t[2]).codes || []).length };
      case "string-length": return { k: "num", n: Array.from(str(evaluate(t[2]))).length };
      case "number": return { k: "num", n: num(evaluate(t[2])) };
      case "int": return { k: "num", n: Math.trunc(num(evaluate(t[2]))) };
      case "boolean":
        var b = evaluate(t[2]);
        if (b.k === "num") return { k: "bool", b: b.n !== 0 && !isNaN(b.n) };
        if (b.k === "codes") return { k: "bool", b: b.codes.length > 0 };
        if (b.k === "bool") return b;
        return { k: "bool", b: (b.s || "") !== "" };
      case "contains": return { k: "bool", b: str(evaluate(t[2])).indexOf(str(evaluate(t[3]))) >= 0 };
      case "starts-with": return { k: "bool", b: str(evaluate(t[2])).indexOf(str(evaluate(t[3]))) === 0 };
      case "coalesce": var c = evaluate(t[2]); return str(c) !== "" ? c : evaluate(t[3]);
      case "if": return evaluate(t[2]).b ? evaluate(t[3]) : evaluate(t[4]);
      case "string": return { k: "str", s: str(evaluate(t[2])) };
      case "concat": return { k: "str", s: t.slice(2).map(function (a) { return str(evaluate(a)); }).join("") };
      case "round":
        // Halves away from zero, as the server's round does.
        var x = num(evaluate(t[2])), p = Math.pow(10, t.length > 3 ? Math.trunc(num(evaluate(t[3]))) : 0);
        return { k: "num", n: Math.sign(x) * Math.round(Math.abs(x) * p) / p };
      case "selected-at":
        var chosen = evaluate(t[2]).codes || [], at = num(evaluate(t[3]));
        return { k: "str", s: at >= 0 && at < chosen.length ? chosen[Math.trunc(at)] : "" };
      case "regex":
        try { return { k: "bool", b: new RegExp(str(evaluate(t[3]))).test(str(evaluate(t[2]))) }; } catch (e) { return { k: "bool", b: false }; }
      case "today":
        var now = new Date();
        return { k: "str", s: isoDate(new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()))) };
      case "now":
        // Wall time, as the server's now() and datetime answers are.
        var at = new Date(), two = function (n) { return (n < 10 ? "0" : "") + n; };
        return { k: "str", s: isoDate(new Date(Date.UTC(at.getFullYear(), at.getMonth(), at.getDate()))) +
          "T" + two(at.getHours()) + ":" + two(at.getMinutes()) + ":" + two(at.getSeconds()) };
      case "decimal-date-time": return { k: "num", n: num(evaluate(t[2])) };
      case "date":
        var d = num(evaluate(t[2]));
        return { k: "str", s: isNaN(d) ? "" : isoDate(new Date(Math.floor(d) * 86400000)) };
      case "jr:choice-name": return { k: "str", s: t[4][evaluate(t[2]).s] || "" };
    }
    var v = evaluate(t[2]), code = evaluate(t[3]).s;
    return { k: "bool", b: v.k === "codes" ? v.codes.indexOf(code) >= 0 : (code !== "" && v.s === code) };
  };
  var arithmetic = { "+": function (x, y) { return x + y; }, "-": function (x, y) { return x - y; },
    "*": function (x, y) { return x * y; }, "div": function (x, y) { return x / y; }, "mod": function (x, y) { return x % y; } };
  // The option a choice filter is sifting: its value (name) and fields.
  var choice = null;
  var evaluate = function (t) {
    switch (t[0]) {
      case "ref": return answerOf(t[1], t[2]);
      case "field":
        if (!choice) return { k: "str", s: "" };
        return { k: "str", s: t[1] === "name" ? choice.name : (choice.fields[t[1]] || "") };
      case "str": return { k: "str", s: t[1] };
      case "num": return { k: "num", n: t[1] };
      case "and": return { k: "bool", b: evaluate(t[1]).b && evaluate(t[2]).b };
      case "or": return { k: "bool", b: evaluate(t[1]).b || evaluate(t[2]).b };
      case "call": return call(t);
    }
    if (arithmetic[t[0]]) return { k: "num", n: arithmetic[t[0]](num(evaluate(t[1])), num(evaluate(t[2]))) };
    var l = evaluate(t[1]), r = evaluate(t[2]), op = t[0];
    if (l.k === "num" || r.k === "num" || (op !== "=" && op !== "!=")) {
      var x = num(l), y = num(r);
      switch (op) {
        case "=": return { k: "bool", b: x === y };
        case "!=": return { k: "bool", b: x !== y };
        case "<": return { k: "bool", b: x < y };
        case "<=": return { k: "bool", b: x <= y };
        case ">": return { k: "bool", b: x > y };
        case ">=": return { k: "bool", b: x >= y };
      }
    }
    return { k: "bool", b: op === "=" ? l.s === r.s : l.s !== r.s };
  };
  // A choice filter shows the options that go with the answers before,
  // and clears a choice that no longer does, as the server would refuse it.
  var sift = function (el) {
    var tree;
    try { tree = JSON.parse(el.dataset.filter); } catch (e) { return; }
    el.querySelectorAll("[data-fields]").forEach(function (item) {
      var input = item.tagName === "OPTION" ? item : item.querySelector("input");
      var offered = true;
      try {
        choice = { name: input.value, fields: JSON.parse(item.dataset.fields) || {} };
        offered = evaluate(tree).b;
      } catch (e) { offered = true; }
      choice = null;
      item.hidden = !offered;
      if (item.tagName === "OPTION") {
        item.disabled = !offered;
        if (!offered && item.selected) el.value = "";
      } else if (!offered && input.checked) {
        input.checked = false;
      }
    });
  };
  var conditional = form ? form.querySelectorAll("[data-relevant], [data-calculate], [data-filter]") : [];
  // Answers a question's text shows (${stay}), kept current.
  var shownAnswers = form ? form.querySelectorAll("output[data-ref]") : [];
  var applyConditions = function () {
    // In document order: a condition or calculation only reads questions
    // before it, so theirs are settled when it is evaluated.
    conditional.forEach(function (el) {
      if (el.dataset.calculate !== undefined) {
        var v = { k: "str", s: "" };
        if (!hiddenQ(el)) { try { v = evaluate(JSON.parse(el.dataset.calculate)); } catch (e) { v = { k: "str", s: "" }; } }
        el.value = v.k === "num" && isNaN(v.n) ? "" : str(v);
        return;
      }
      if (el.dataset.filter !== undefined) { sift(el); return; }
      var show = true;
      try { show = evaluate(JSON.parse(el.dataset.relevant)).b; } catch (e) { show = true; }
      el.hidden = !show;
    });
    shownAnswers.forEach(function (o) {
      var v = answerOf(o.dataset.ref, o.dataset.type);
      o.textContent = v.k === "num" && isNaN(v.n) ? "" : str(v);
    });
  };
  if (form && conditional.length + shownAnswers.length > 0) {
    form.classList.add("conditions-live");
    applyConditions();
    form.addEventListener("input", applyConditions);
  }

  if (form && count && bar) {
    var filled = function (el) {
      if (el.type === "radio" || el.type === "checkbox") return el.checked;
      return el.value.trim() !== "";
    };
    var update = function () {
      var n = 0;
      form.querySelectorAll("section[data-required]").forEach(function (section) {
        var answered = {};
        if (section.hidden) { n++; return; }
        var shown = {};
        section.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (el) {
          if (hiddenQ(el) || el.dataset.calculate !== undefined) return;
          shown[el.name] = true;
          answered[el.name] = answered[el.name] || filled(el);
        });
        var required = section.dataset.required ? section.dataset.required.split(" ") : [];
        required = required.filter(function (q) { return shown[q]; });
        if (Object.keys(shown).length === 0) { n++; return; }
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

  // The coding workspace: keys to code answer after answer without the
  // mouse, and saves that keep the page where it is. Keys are read by
  // their place on the keyboard (e.code), so they are the same on an
  // AZERTY, Arabic or Chinese layout; they do nothing while typing in a
  // field. Without the script each answer is a form that saves and comes
  // back to the next answer.
  var coding = document.querySelector("[data-coding]");
  if (coding) {
    var answers = Array.prototype.slice.call(coding.querySelectorAll("article.code-answer"));
    var current = function () {
      var a = document.activeElement && document.activeElement.closest && document.activeElement.closest("article.code-answer");
      return a || null;
    };
    var go = function (a) { if (a) { a.focus(); a.scrollIntoView({ block: "start" }); } };
    var save = function (a) {
      var f = a.querySelector("form"), status = a.querySelector(".status");
      var body = new URLSearchParams(new FormData(f));
      fetch(f.action, { method: "POST", body: body, headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw r; return r.json(); })
        .then(function (j) {
          status.textContent = j.status;
          a.classList.add("coded");
          document.getElementById("coding-done").textContent = j.progress;
          document.getElementById("coding-bar").value = j.done;
          go(answers[answers.indexOf(a) + 1]);
        })
        .catch(function () { f.submit(); });
    };
    coding.addEventListener("submit", function (e) {
      var a = e.target.closest("article.code-answer");
      if (!a || (e.submitter && e.submitter.name === "reconcile")) return;
      e.preventDefault();
      save(a);
    });
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      if (t.matches && t.matches("select, textarea, input[type=text], input[type=search], input:not([type])")) return;
      var a = current();
      var i = answers.indexOf(a);
      var digit = /^(Digit|Numpad)([1-9])$/.exec(e.code);
      if (e.code === "KeyJ") { go(answers[i + 1] || answers[0]); }
      else if (e.code === "KeyK") { go(answers[Math.max(i - 1, 0)]); }
      else if (!a) { return; }
      else if (digit) {
        var box = a.querySelectorAll("input[name=theme]")[Number(digit[2]) - 1];
        if (!box) return;
        box.checked = !box.checked;
      }
      else if (e.code === "KeyA") {
        a.querySelectorAll("input[name=theme]").forEach(function (b) { b.checked = b.hasAttribute("data-suggested"); });
      }
      else if (e.code === "KeyS" || (e.code === "Enter" && (t === a || t.type === "checkbox"))) { save(a); }
      else { return; }
      e.preventDefault();
    });
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
