/* Live counters on the ballot (the server checks every limit anyway) and the print button. */
(function () {
  "use strict";

  /* Amounts arrive in the currency's smallest unit (data-digits decimals); shown like the server's
     Babel formatting: the page's locale, no decimals for whole amounts. */
  function money(amount, currency, digits) {
    var whole = amount % Math.pow(10, digits) === 0;
    var options = {minimumFractionDigits: whole ? 0 : digits, maximumFractionDigits: whole ? 0 : digits};
    if (currency) { options.style = "currency"; options.currency = currency; }
    try {
      return new Intl.NumberFormat(document.documentElement.lang || "en", options)
        .format(amount / Math.pow(10, digits));
    } catch (e) {
      return String(amount / Math.pow(10, digits)) + (currency ? " " + currency : "");
    }
  }

  function fill(template, values) {
    return template.replace(/\$\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.getElementById("ballot-form");
  var counter = document.getElementById("ballot-counter");
  if (!form || !counter) { return; }
  var kind = form.dataset.kind;
  var currency = form.dataset.currency || "";
  var digits = parseInt(form.dataset.digits, 10) || 0;
  if (kind === "ranking") { return; }

  function update() {
    var text = "";
    var over = false;
    if (kind === "knapsack" || kind === "approval") {
      var boxes = form.querySelectorAll("input[name=approvals]:checked");
      if (kind === "knapsack") {
        var total = 0;
        Array.prototype.forEach.call(boxes, function (box) { total += parseInt(box.dataset.cost, 10) || 0; });
        var limit = parseInt(form.dataset.limit, 10);
        over = total > limit;
        text = fill(counter.dataset[over ? "knapsackOver" : "knapsack"],
                    {total: money(total, currency, digits), limit: money(limit, currency, digits),
                     over: money(total - limit, currency, digits)});
      } else {
        var max = parseInt(form.dataset.max, 10);
        over = !isNaN(max) && boxes.length > max;
        text = fill(counter.dataset[isNaN(max) ? "approval" : "approvalMax"], {n: boxes.length, max: max});
      }
    } else if (kind === "cumulative") {
      var points = 0;
      Array.prototype.forEach.call(form.querySelectorAll("input.points"), function (input) {
        points += Math.max(parseInt(input.value, 10) || 0, 0);
      });
      var available = parseInt(form.dataset.maxPoints, 10);
      over = points > available;
      text = over ? fill(counter.dataset.cumulativeOver, {over: points - available})
                  : fill(counter.dataset.cumulative, {left: available - points, total: available});
    }
    counter.textContent = text;
    counter.classList.toggle("over", over);
  }

  counter.hidden = false;
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
}());
