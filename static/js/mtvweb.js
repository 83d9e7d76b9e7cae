// Small behaviours htmx does not cover.

// Form fields marked data-show-when="other_field=value1|value2" are shown only while the
// other field has one of those values (e.g. OpenStack's fields per authentication type).
function mtvToggleDependentFields(root) {
  root.querySelectorAll("[data-show-when]").forEach((input) => {
    const [field, values] = input.dataset.showWhen.split("=");
    const control = input.form && input.form.elements[field];
    if (!control) return;
    const shown = values.split("|").includes(control.value);
    const group = input.closest(".pf-v6-c-form__group") || input;
    group.hidden = !shown;
  });
}
document.addEventListener("DOMContentLoaded", () => mtvToggleDependentFields(document));
document.addEventListener("change", (event) => { if (event.target.form) mtvToggleDependentFields(event.target.form); });
document.addEventListener("htmx:afterSwap", (event) => mtvToggleDependentFields(event.target));

// A periodic refresh marked data-refresh-current-url reloads from the address bar's URL,
// so the filters, sort and page the user picked since the page loaded are kept.
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt.hasAttribute("data-refresh-current-url")) {
    event.detail.path = window.location.pathname + window.location.search;
  }
});

// The plan page listens to its plan's progress websocket and asks htmx to redraw the progress
// block on every event (throttled there); a periodic refresh covers a lost connection.
function mtvWatchProgress() {
  const block = document.querySelector("[data-progress-ws]");
  if (!block || block.dataset.watching) return;
  block.dataset.watching = "1";
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const connect = () => {
    const socket = new WebSocket(`${scheme}://${window.location.host}${block.dataset.progressWs}`);
    socket.onmessage = () => { const target = document.getElementById("migration-progress"); if (target) htmx.trigger(target, "mtv:progress"); };
    socket.onclose = (event) => { if (event.code < 4000) setTimeout(connect, 2000); };
  };
  connect();
}
document.addEventListener("DOMContentLoaded", mtvWatchProgress);
