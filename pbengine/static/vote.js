/* Live counters on the ballot (the server checks every limit anyway) and the print button. */
(function () {
  "use strict";

  function money(amount, currency) {
    var text = String(Math.abs(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
    return (amount < 0 ? "-" : "") + text + (currency ? " " + currency : "");
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
                    {total: money(total, currency), limit: money(limit, currency), over: money(total - limit, currency)});
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
