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

// A refresh marked data-refresh-pauses-while="<selector>" is skipped while something matches it
// (a ticked row: the refresh would drop the tick).
document.addEventListener("htmx:beforeRequest", (event) => {
  const pause = event.detail.elt.dataset.refreshPausesWhile;
  if (pause && document.querySelector(pause)) event.preventDefault();
});

// The page's Content-Security-Policy allows no inline script, so what buttons do is declared in data
// attributes: data-submit-on-change sends its form when it changes; data-select-all="<selector>" ticks or
// unticks those boxes with itself; data-fill="<selector>" puts data-value into that field and removes the
// closest data-then-remove="<selector>".
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-submit-on-change]")) event.target.form.submit();
});
document.addEventListener("click", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (all) document.querySelectorAll(all.dataset.selectAll).forEach((box) => { box.checked = all.checked; });
  const fill = event.target.closest("[data-fill]");
  if (fill) {
    document.querySelector(fill.dataset.fill).value = fill.dataset.value;
    if (fill.dataset.thenRemove) fill.closest(fill.dataset.thenRemove).remove();
  }
});

// A plan's pages listen to its websocket, which says only "changed". Each signal makes every
// part marked hx-trigger="mtv:changed from:body" fetch itself again: once per 300 ms at most, and
// always after the last signal, so the final state is shown. Those parts also refresh every 10 s,
// which covers a lost connection and browsers without websockets.
function mtvWatchPlan() {
  const page = document.querySelector("[data-plan-ws]");
  if (!page || page.dataset.watching) return;
  page.dataset.watching = "1";
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  let pending = null;
  const refresh = () => { pending = null; htmx.trigger(document.body, "mtv:changed"); };
  const soon = () => { if (!pending) pending = setTimeout(refresh, 300); };
  let opened = false;
  const connect = () => {
    const socket = new WebSocket(`${scheme}://${window.location.host}${page.dataset.planWs}`);
    socket.onopen = () => { if (opened) soon(); opened = true; };  // signals may have been missed meanwhile
    socket.onmessage = soon;
    socket.onclose = (event) => { if (event.code < 4000) setTimeout(connect, 2000); };
  };
  connect();
}
document.addEventListener("DOMContentLoaded", mtvWatchPlan);
