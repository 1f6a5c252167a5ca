// Loaded as a module from every page (no inline script, so the CSP can forbid it).
import { initAll } from "/assets/govuk/govuk-frontend.min.js";
import { FilterToggleButton } from "/assets/moj/moj-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Conditional reveals on radios (templates/includes/reveal_radios.html): the questions a choice opens are shown while
// it is chosen. GOV.UK Frontend's radios script would mark each radio aria-expanded, which ARIA does not allow on a
// radio (axe-core: aria-allowed-attr), and does so for any radio with aria-controls, so the service shows and hides
// them itself from data-app-reveal. Without JavaScript every question stays shown.
function syncReveals(name, $scope) {
  for (const $radio of $scope.querySelectorAll('input[type="radio"][data-app-reveal]')) {
    const $panel = $radio.name === name && document.getElementById($radio.dataset.appReveal);
    if ($panel) {
      $panel.classList.toggle("govuk-radios__conditional--hidden", !$radio.checked);
    }
  }
}
for (const $radio of document.querySelectorAll('input[type="radio"][data-app-reveal]')) {
  syncReveals($radio.name, $radio.form || document);
}
document.addEventListener("change", (event) => {
  const $input = event.target;
  if ($input instanceof HTMLInputElement && $input.type === "radio") {
    syncReveals($input.name, $input.form || document);
  }
});

// MOJ filter toggle: below desktop width a list's filter hides behind "Show filter" (in the list's
// .moj-action-bar__filter); at desktop width the same button hides the filter to give the list the room.
for (const $filter of document.querySelectorAll('[data-module="moj-filter"]')) {
  new FilterToggleButton($filter, { startHidden: false });
}

// Responsive tables: each body cell gets its column's name (data-label) from the header row, and a table wider than
// its container is marked app-table--stacked, which static/css/app.css shows as one block per row with the column
// name beside each value. Checked again whenever the container changes width (a window resized, zoom, a filter
// hidden or shown), so a table stacks only when its columns do not fit.
function headerText($th) {
  const $copy = $th.cloneNode(true);
  for (const $hidden of $copy.querySelectorAll(".govuk-visually-hidden")) {
    $hidden.remove();
  }
  return $copy.textContent.replace(/\s+/g, " ").trim();
}

function labelCells($table) {
  if (!$table.tHead || $table.tHead.rows.length !== 1) {
    return false;
  }
  const names = [];
  for (const $th of $table.tHead.rows[0].cells) {
    const name = headerText($th);
    for (let span = 0; span < $th.colSpan; span += 1) {
      names.push(name);
    }
  }
  for (const $body of $table.tBodies) {
    for (const $row of $body.rows) {
      let column = 0;
      for (const $cell of $row.cells) {
        if ($cell.colSpan === 1 && names[column] && !$cell.hasAttribute("data-label")) {
          $cell.setAttribute("data-label", names[column]);
        }
        column += $cell.colSpan;
      }
    }
  }
  return true;
}

function fitTable($table) {
  const $container = $table.parentElement;
  $table.classList.remove("app-table--stacked");
  if ($table.getBoundingClientRect().width > $container.clientWidth + 1) {
    $table.classList.add("app-table--stacked");
  }
}

const tables = [...document.querySelectorAll("main table.govuk-table")].filter(
  ($table) => !$table.hasAttribute("data-app-no-stack") && labelCells($table),
);
for (const $table of tables) {
  fitTable($table);
}
if (tables.length && "ResizeObserver" in window) {
  const widths = new Map();
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const width = Math.round(entry.contentRect.width);
      if (widths.get(entry.target) === width) {
        continue;
      }
      widths.set(entry.target, width);
      for (const $table of tables) {
        if ($table.parentElement === entry.target) {
          fitTable($table);
        }
      }
    }
  });
  for (const $table of tables) {
    observer.observe($table.parentElement);
  }
}
