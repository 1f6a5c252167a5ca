// Loaded as a module from every page (no inline script, so the CSP can forbid it).
import { initAll } from "/assets/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
