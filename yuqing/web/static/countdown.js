// Live countdowns: every [data-due] (an ISO time) shows the time left, or how late it is.
(() => {
  const zh = document.documentElement.lang !== "en";
  const pad = (n) => String(n).padStart(2, "0");
  function text(ms) {
    const late = ms < 0;
    let s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400); s %= 86400;
    const h = Math.floor(s / 3600); s %= 3600;
    const m = Math.floor(s / 60); s %= 60;
    const clock = (d ? d + (zh ? "天 " : "d ") : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
    if (zh) return (late ? "已超时 " : "还剩 ") + clock;
    return late ? clock + " overdue" : clock + " left";
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-due]").forEach((el) => {
      const ms = Date.parse(el.dataset.due) - now;
      el.textContent = text(ms);
      el.classList.toggle("overdue", ms < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", () => { tick(); setInterval(tick, 1000); });
  document.addEventListener("htmx:afterSwap", tick);
})();
