// Deadlines that count down while the page is open: <time class="countdown" datetime="…"
// data-left="{d} d {h} h {m} min left" data-over="…overdue">, the texts translated by the server.
(function () {
  function render(el) {
    var ms = Date.parse(el.getAttribute("datetime")) - Date.now();
    var over = ms < 0;
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var text = el.getAttribute(over ? "data-over" : "data-left")
      .replace("{d}", Math.floor(minutes / 1440))
      .replace("{h}", Math.floor((minutes % 1440) / 60))
      .replace("{m}", minutes % 60);
    el.textContent = text;
    el.classList.toggle("over", over);
  }
  function tick() {
    document.querySelectorAll("time.countdown").forEach(render);
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
  });
})();
