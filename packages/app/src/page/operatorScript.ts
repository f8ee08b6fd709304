/**
 * The operator page's script (served at `/page.js`, so the page's Content-Security-Policy
 * can forbid inline script): every second it asks `/api/live` for what changed since the
 * last event position it saw and puts the server-rendered (escaped) fragments in place,
 * new fills on top. A failed poll is shown, and polling goes on.
 */
export const OPERATOR_SCRIPT = `"use strict";
(() => {
  const script = document.currentScript;
  let after = script.dataset.after;
  const note = document.getElementById("live-note");
  const setRows = (id, rows) => {
    document.querySelector("#" + id + " tbody").innerHTML = rows.join("");
    document.querySelector('.empty[data-for="' + id + '"]').hidden = rows.length > 0;
  };
  const tick = async () => {
    try {
      const res = await fetch("/api/live?after=" + encodeURIComponent(after), { cache: "no-store" });
      if (!res.ok) throw new Error("HTTP " + res.status);
      const live = await res.json();
      for (const id of ["health", "token", "latency"]) document.getElementById(id).innerHTML = live.html[id];
      setRows("open", live.html.open);
      setRows("recent", live.html.recent);
      const fills = document.querySelector("#fills tbody");
      for (const row of live.html.fills.slice().reverse()) {
        fills.insertAdjacentHTML("afterbegin", row);
        fills.firstElementChild.classList.add("new");
      }
      while (fills.children.length > 200) fills.lastElementChild.remove();
      document.querySelector('.empty[data-for="fills"]').hidden = fills.children.length > 0;
      after = live.view.last;
      note.textContent = "(live, updated " + new Date().toLocaleTimeString() + ")";
    } catch (e) {
      note.textContent = "(not updating: " + e.message + ")";
    } finally {
      setTimeout(tick, 1000);
    }
  };
  setTimeout(tick, 1000);
})();
`
