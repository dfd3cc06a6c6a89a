// Recent times read as "3 min ago" (the exact time stays in the tooltip). The page says the
// exact time without JavaScript; this only rewords <time> elements of the last week.
(function () {
  "use strict";
  var units = [
    ["day", 86400], ["hour", 3600], ["minute", 60]
  ];
  var words = typeof Intl !== "undefined" && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(document.documentElement.lang || "en", { numeric: "auto", style: "short" })
    : null;

  function relative(seconds) {
    if (seconds < 45) { return "just now"; }
    for (var i = 0; i < units.length; i++) {
      if (seconds >= units[i][1] || units[i][0] === "minute") {
        var amount = Math.max(1, Math.round(seconds / units[i][1]));
        return words.format(-amount, units[i][0]);
      }
    }
    return null;
  }

  function refresh() {
    var now = Date.now();
    var times = document.querySelectorAll("time[datetime$='Z']");
    for (var i = 0; i < times.length; i++) {
      var element = times[i];
      var at = Date.parse(element.getAttribute("datetime"));
      if (isNaN(at)) { continue; }
      if (!element.hasAttribute("data-exact")) {
        element.setAttribute("data-exact", element.textContent);
      }
      var seconds = (now - at) / 1000;
      if (seconds < 0 || seconds > 7 * 86400 || !words) {
        element.textContent = element.getAttribute("data-exact");
        element.removeAttribute("title");
        continue;
      }
      element.textContent = relative(seconds);
      element.title = element.getAttribute("data-exact");
    }
  }

  refresh();
  window.setInterval(refresh, 60000);
  /* Content put in the page by a script (a reply posted in place) is reworded at once. */
  document.addEventListener("forum:content", refresh);
}());
