// The adviser screen, for the keyboard: Ctrl/Cmd + Enter logs the contact from any field; the
// first "Select" of a search result takes the focus; choosing an enquiry type shows its
// hand-off; saying a contact chases an open enquiry picks its enquiry type and marks it
// avoidable (progress chasing). Everything works without this script too.
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
if (enquiryType && handoffHint) {
  enquiryType.addEventListener("change", () => {
    const option = enquiryType.selectedOptions[0];
    handoffHint.textContent = option ? (option.dataset.handoff || "").trim() : "";
  });
}

const repeatTypes = JSON.parse(document.getElementById("repeat-enquiry-types")?.textContent || "{}");
for (const radio of document.querySelectorAll("input[name='repeat_of']")) {
  radio.addEventListener("change", () => {
    const avoidable = document.getElementById("id_avoidable");
    const reason = document.getElementById("id_avoidable_reason");
    const chased = repeatTypes[radio.value];
    if (chased && enquiryType) {
      enquiryType.value = chased;
      enquiryType.dispatchEvent(new Event("change"));
    }
    if (avoidable && reason && radio.value !== "none") {
      if (!avoidable.checked) avoidable.click();
      reason.value = "progress_chasing";
    } else if (avoidable && reason && reason.value === "progress_chasing") {
      // Not chasing after all: withdraw the suggestion; the adviser judges this contact afresh.
      reason.value = "";
      if (avoidable.checked) avoidable.click();
    }
  });
}
