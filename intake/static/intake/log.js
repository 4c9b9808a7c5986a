// The contact-taking screens, for the keyboard and to show what the rules will do: Ctrl/Cmd +
// Enter logs the contact from any field; the first "Select" of a search result takes the focus;
// choosing an enquiry type shows its hand-off and whether the contact can still be resolved at
// first contact; saying a contact chases an open enquiry picks its enquiry type and shows it as
// avoidable (progress chasing), as it will be stored. Nothing is chosen until the adviser
// chooses; everything works without this script, and the server decides either way.
const form = document.querySelector("[data-nwd-submit-shortcut]");
if (form) {
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

document.querySelector("[data-nwd-autofocus]")?.focus();

const enquiryType = document.getElementById("id_enquiry_type");
const handoffHint = document.getElementById("id_enquiry_type-handoff");
const handoffMethod = document.getElementById("id_handoff_method");
const resolved = document.getElementById("id_resolved_at_first_contact");
const complaint = document.getElementById("id_complaint");
const avoidable = document.getElementById("id_avoidable");
const reason = document.getElementById("id_avoidable_reason");
let chasing = false;

// A contact handed off, or one raising a complaint, is not resolved at first contact: the box
// follows the choices made so far (the adviser can still untick it for One & Done).
function handedOff() {
  if (chasing) return false;
  if (handoffMethod && handoffMethod.value) return handoffMethod.value !== "one_and_done";
  const option = enquiryType?.selectedOptions[0];
  return Boolean(option && option.dataset.method && option.dataset.method !== "one_and_done");
}

function followRules() {
  if (resolved) resolved.checked = !handedOff() && !(complaint && complaint.checked);
}

if (enquiryType) {
  enquiryType.addEventListener("change", () => {
    const option = enquiryType.selectedOptions[0];
    if (handoffHint) handoffHint.textContent = option ? (option.dataset.handoff || "").trim() : "";
    followRules();
  });
}
handoffMethod?.addEventListener("change", followRules);
complaint?.addEventListener("change", followRules);

const chasedTypes = JSON.parse(document.getElementById("chased-enquiry-types")?.textContent || "{}");
let suggested = false;
for (const radio of document.querySelectorAll("input[name='chasing']")) {
  radio.addEventListener("change", () => {
    chasing = radio.value !== "none";
    const chasedType = chasedTypes[radio.value];
    if (chasing && chasedType && enquiryType) {
      enquiryType.value = chasedType;
      enquiryType.dispatchEvent(new Event("change"));
    }
    if (avoidable && reason && chasing) {
      // The adviser said it chases: it will be stored as avoidable, progress chasing, unless
      // they choose another reason.
      if (!avoidable.checked) avoidable.click();
      if (!reason.value) {
        reason.value = "progress_chasing";
        suggested = true;
      }
    } else if (avoidable && reason && suggested && reason.value === "progress_chasing") {
      // Not chasing after all: withdraw what followed from "Yes"; the adviser judges afresh.
      reason.value = "";
      suggested = false;
      if (avoidable.checked) avoidable.click();
    }
    followRules();
  });
}

// The back office's screen: choosing another team starts from that team's service.
const teamServices = JSON.parse(document.getElementById("team-services")?.textContent || "{}");
const service = document.getElementById("id_service");
for (const radio of document.querySelectorAll("input[name='team']")) {
  radio.addEventListener("change", () => {
    if (service && teamServices[radio.value]) service.value = teamServices[radio.value];
  });
}
