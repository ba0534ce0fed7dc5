// precis reader: the in-page summary. Everything else on the site works without script.
// Text from the server is only ever set with textContent, never parsed as markup.
(function () {
  "use strict";

  var button = document.getElementById("get-summary");
  var article = document.getElementById("article");
  if (!button || !article) {
    return;
  }
  var box = document.getElementById("summary");
  var list = document.getElementById("summary-list");
  var note = document.getElementById("summary-note");
  var shorter = document.getElementById("shorter");
  var longer = document.getElementById("longer");
  var api = button.getAttribute("data-api");
  var total = parseInt(article.getAttribute("data-sentences"), 10) || 0;
  var shown = list.children.length;

  function setEnabled(link, enabled) {
    link.setAttribute("aria-disabled", enabled ? "false" : "true");
  }

  function clearHighlights() {
    var marked = article.querySelectorAll(".s.hl");
    for (var i = 0; i < marked.length; i += 1) {
      marked[i].classList.remove("hl");
    }
  }

  function show(summary) {
    clearHighlights();
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    summary.sentences.forEach(function (sentence) {
      var target = document.getElementById("s" + sentence.index);
      if (target) {
        target.classList.add("hl");
      }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#s" + sentence.index;
      link.textContent = sentence.text;
      item.appendChild(link);
      list.appendChild(item);
    });
    shown = summary.sentences.length;
    note.textContent = shown + " of " + total + " sentences";
    setEnabled(shorter, shown > 1);
    setEnabled(longer, shown < total);
    box.hidden = false;
    box.setAttribute("data-loaded", String(shown));
  }

  function load(sentences) {
    var url = api + (sentences ? "?sentences=" + sentences : "");
    note.textContent = "Summarizing…";
    box.hidden = false;
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!data.ok) {
            throw new Error(data.error || "the summary could not be made");
          }
          show(data.summary);
        });
      })
      .catch(function (error) {
        note.textContent = "Sorry: " + error.message;
      });
  }

  function intercept(link, next) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (link.getAttribute("aria-disabled") !== "true") {
        load(next());
      }
    });
  }

  intercept(button, function () { return shown || null; });
  intercept(shorter, function () { return Math.max(1, shown - 1); });
  intercept(longer, function () { return Math.min(total, shown + 1); });
})();

// "Who said what": analysed on demand through the API (the first request may take a few
// seconds while the server loads its language model). Text only via textContent.
(function () {
  "use strict";

  var button = document.getElementById("find-quotes");
  var box = document.getElementById("quotes");
  if (!button || !box) {
    return;
  }
  var list = document.getElementById("quote-list");
  var note = document.getElementById("quote-note");

  function span(className, text) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function statementItem(statement) {
    var item = document.createElement("li");
    item.className = "statement " + (statement.direct ? "direct" : "paraphrase");
    var speaker;
    if (statement.speaker_entity) {
      speaker = document.createElement("a");
      speaker.className = "speaker";
      speaker.href = "/entities/" + encodeURIComponent(statement.speaker_entity);
      speaker.textContent = statement.speaker;
    } else {
      speaker = span("speaker", statement.speaker || "unknown speaker");
    }
    item.appendChild(speaker);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(span("cue", statement.cue || "(continued)"));
    var said = document.createElement("q");
    said.className = "said";
    said.textContent = statement.text;
    item.appendChild(said);
    item.appendChild(span("kind", statement.direct ? "quote" : "paraphrase"));
    if (statement.sentence !== null && statement.sentence !== undefined) {
      var where = document.createElement("a");
      where.className = "where";
      where.href = "#s" + statement.sentence;
      where.textContent = " in the text";
      item.appendChild(where);
    }
    return item;
  }

  function show(data) {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    data.statements.forEach(function (statement) {
      list.appendChild(statementItem(statement));
    });
    list.hidden = data.statements.length === 0;
    note.textContent = data.statements.length
      ? ""
      : "No attributed statements found in this article.";
    button.hidden = true;
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    note.textContent = "Reading the article for who said what…";
    button.setAttribute("aria-disabled", "true");
    fetch(box.getAttribute("data-api"), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!data.ok) {
            throw new Error(data.error || "the statements could not be found");
          }
          show(data);
        });
      })
      .catch(function (error) {
        note.textContent = "Sorry: " + error.message;
        button.setAttribute("aria-disabled", "false");
      });
  });
})();
