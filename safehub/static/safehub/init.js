// Starts GOV.UK Frontend's components. Kept in a file, not inline, for the CSP.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
