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

// A job's page follows the job by itself (templates/reporting/report_detail.html): while the job has not finished,
// its status is asked for every 2 seconds from data-app-job (a JSON address answering {status, progress}), and the
// progress bar, the percentage and the status tag move with it; a new status is announced in the page's aria-live
// paragraph and the "waiting to start" notes go once it has started. When the job has finished the page is loaded
// again, so it shows the download or the error. After repeated errors (signed out, the server gone), or after half an
// hour (so an open tab does not keep the session alive for ever), it stops and offers "Check again" as it does
// without JavaScript.
const JOB_POLL_MS = 2000;
const JOB_POLL_LIMIT_MS = 30 * 60 * 1000;
const JOB_POLL_FAILURES = 5;

function followJob($job) {
  const labels = JSON.parse($job.dataset.appJobLabels || "{}");
  const $status = $job.querySelector("[data-app-job-status]");
  const $percent = $job.querySelector("[data-app-job-percent]");
  const $progress = $job.querySelector("progress");
  const $announce = $job.querySelector("[data-app-job-announce]");
  const $manual = $job.querySelector("[data-app-job-manual]");
  const $auto = $job.querySelector("[data-app-job-auto]");
  const started = Date.now();
  let status = $status ? $status.dataset.appJobStatus : "";
  let percent = $progress ? Number($progress.value) : 0;
  let failures = 0;

  function showAuto(on) {
    if ($manual && $auto) {
      $manual.hidden = on;
      $auto.hidden = !on;
    }
  }

  function stop(message) {
    showAuto(false);
    if ($announce) {
      $announce.textContent = message;
    }
  }

  function show(job) {
    if (job.progress !== percent && $progress && $percent) {
      percent = job.progress;
      $progress.value = percent;
      $progress.textContent = `${percent}%`;
      // As the page words it, less the steps counted when the page was made (the JSON gives only the percentage).
      $percent.textContent = `Progress: ${percent}%`;
    }
    if (job.status !== status && $status) {
      status = job.status;
      $status.dataset.appJobStatus = status;
      $status.textContent = labels[status] || status;
      if ($announce) {
        $announce.textContent = `Status: ${$status.textContent}`;
      }
      if (status !== "pending") {
        for (const $waiting of $job.querySelectorAll("[data-app-job-waiting]")) {
          $waiting.hidden = true;
        }
      }
    }
  }

  async function check() {
    let job;
    try {
      const response = await fetch($job.dataset.appJob, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) {
        throw new Error(`${response.status}`);
      }
      job = await response.json();
    } catch {
      failures += 1;
      if (failures >= JOB_POLL_FAILURES) {
        stop("This page has stopped updating. Use Check again to see how far it has got.");
        return;
      }
      window.setTimeout(check, JOB_POLL_MS * failures);
      return;
    }
    failures = 0;
    show(job);
    if (job.status === "succeeded" || job.status === "failed") {
      window.location.reload();
    } else if (Date.now() - started > JOB_POLL_LIMIT_MS) {
      stop("This page has stopped updating. Use Check again to see how far it has got.");
    } else {
      window.setTimeout(check, JOB_POLL_MS);
    }
  }

  showAuto(true);
  window.setTimeout(check, JOB_POLL_MS);
}

for (const $job of document.querySelectorAll("[data-app-job]")) {
  followJob($job);
}
