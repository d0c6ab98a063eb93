// The round page's launch status (templates/web/_staff_launch_status.html), kept up to date
// while the launch run is not finished: polls the page's JSON every few seconds and writes
// its sentences into the aria-live region. Without JavaScript the page shows the same text,
// current as of its last load.
(function () {
  "use strict";
  var POLL_MS = 3000;
  var box = document.querySelector("[data-launch-status]");
  if (!box || box.getAttribute("data-final") === "true" || !window.fetch) {
    return;
  }
  var text = box.querySelector("[data-launch-text]");
  var hint = box.querySelector("[data-launch-hint]");
  var url = box.getAttribute("data-launch-status");

  function show(data) {
    if (text && data.text && text.textContent !== data.text) {
      text.textContent = data.text;
    }
    var more = data.hint || "";
    if (data.final) {
      more = (more ? more + " " : "") +
        "Lataa sivu uudelleen nähdäksesi organisaatioiden tilanteen.";
    }
    if (hint && hint.textContent !== more) {
      hint.textContent = more;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (!answer.ok) {
          throw new Error(String(answer.status));
        }
        return answer.json();
      })
      .then(function (data) {
        show(data);
        if (data.final) {
          box.setAttribute("data-final", "true");
        } else {
          window.setTimeout(poll, POLL_MS);
        }
      })
      .catch(function () {
        window.setTimeout(poll, POLL_MS * 2); // signed out or offline: keep trying, slower
      });
  }

  window.setTimeout(poll, POLL_MS);
})();
