// The complaint intake form while the agent is on the call. No library.
//
// - The suggested grade follows the four criteria as they change: the criteria go to the
//   grade-preview endpoint (the same rule the service applies), and its answer — the
//   grade and the criteria that reached it — is shown; "As suggested" names it.
// - Choosing another grade than the suggestion shows the reason field (the service
//   requires it); following the suggestion hides it.
// - The handling advice of the complainant's temperament, the desk notice of a desk-only
//   source and what to tell the customer for the chosen type appear as soon as chosen.
// Without this script the form still works: the server shows the suggestion after a post.
(function () {
  "use strict";
  var form = document.getElementById("complaint-intake");
  if (!form) return;
  var labels = JSON.parse(document.getElementById("grade-labels").textContent);
  var firstContacts = JSON.parse(document.getElementById("first-contacts").textContent);
  var deskSources = (form.getAttribute("data-desk-sources") || "").split(" ");
  var previewUrl = form.getAttribute("data-preview-url");
  var gradeEl = document.getElementById("suggested-grade");
  var labelEl = document.getElementById("suggested-label");
  var reasonsEl = document.getElementById("grade-reasons");
  var errorEl = document.getElementById("grade-preview-error");
  var gradeSelect = form.elements.namedItem("grade");
  var reasonBox = form.querySelector("[data-grade-reason]");
  var asSuggested = gradeSelect ? gradeSelect.querySelector('option[value=""]') : null;
  var asSuggestedText = gradeSelect ? gradeSelect.getAttribute("data-as-suggested") || "" : "";
  var asSuggestedGrade = gradeSelect ?
    gradeSelect.getAttribute("data-as-suggested-grade") || "" : "";
  var noneText = reasonsEl.getAttribute("data-none") || "";
  var sequence = 0;
  var timer = null;

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function checked(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function suggested() {
    return gradeEl.getAttribute("data-grade") || "";
  }

  function showReason() {
    if (!gradeSelect || !reasonBox) return;
    var chosen = gradeSelect.value;
    reasonBox.hidden = !chosen || chosen === suggested();
  }

  function showSuggestion(grade, reasons) {
    gradeEl.textContent = grade || "—";
    gradeEl.setAttribute("data-grade", grade || "");
    gradeEl.className = "grade grade-" + (grade || "none");
    labelEl.textContent = grade ? (labels[grade] || "") : "";
    reasonsEl.textContent = "";
    var lines = reasons.length ? reasons.map(function (r) { return r.text; }) :
      (grade ? [noneText] : []);
    lines.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      reasonsEl.appendChild(li);
    });
    if (asSuggested) {
      asSuggested.textContent = grade ? asSuggestedGrade.replace("%(grade)s", grade) :
        asSuggestedText;
    }
    showReason();
  }

  function showError(message) {
    errorEl.textContent = message || "";
    errorEl.hidden = !message;
  }

  function firstError(body) {
    if (!body || typeof body !== "object") return "";
    for (var key in body) {
      var value = body[key];
      if (Array.isArray(value) && value.length) return String(value[0]);
      if (typeof value === "string") return value;
    }
    return "";
  }

  function preview() {
    var mine = ++sequence;
    var criteria = {
      procedure: checked("procedure"),
      emotion: checked("emotion"),
      loss_yuan: (form.elements.namedItem("loss_yuan").value || "").trim(),
      impact: checked("impact")
    };
    fetch(previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": csrfToken()},
      body: JSON.stringify(criteria)
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (result) {
      if (mine !== sequence) return;  // a later change is on its way
      if (result.ok) {
        showError("");
        showSuggestion(result.body.suggested_grade, result.body.reasons || []);
      } else {
        showSuggestion("", []);
        showError(firstError(result.body));
      }
    }).catch(function () {
      // offline or the server is away: the server grades the posted form anyway
    });
  }

  function previewSoon() {
    clearTimeout(timer);
    timer = setTimeout(preview, 250);
  }

  function showAdvice() {
    var chosen = form.elements.namedItem("temperament").value;
    document.querySelectorAll("[data-advice]").forEach(function (el) {
      el.hidden = el.getAttribute("data-advice") !== chosen;
    });
  }

  function showDeskNotice() {
    var source = form.elements.namedItem("source").value;
    document.getElementById("desk-notice").hidden = deskSources.indexOf(source) < 0;
  }

  function showFirstContact() {
    var info = firstContacts[form.elements.namedItem("type").value];
    var panel = document.getElementById("first-contact");
    document.getElementById("first-contact-facts").hidden = !info;
    document.getElementById("first-contact-empty").hidden = !!info;
    panel.querySelector('[data-first-contact="sentence"]').hidden = !info;
    if (!info) return;
    panel.querySelectorAll("[data-first-contact]").forEach(function (el) {
      el.textContent = info[el.getAttribute("data-first-contact")] || "—";
      el.hidden = false;
    });
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name === "procedure" || name === "emotion" || name === "impact") preview();
    else if (name === "loss_yuan") previewSoon();
    else if (name === "grade") showReason();
    else if (name === "temperament") showAdvice();
    else if (name === "source") showDeskNotice();
    else if (name === "type") showFirstContact();
  });
  form.elements.namedItem("loss_yuan").addEventListener("input", previewSoon);

  showReason();
  preview();
})();
