"""Letters as documents (issue 18): one HTML rendering of a letter, printed to PDF
(core/documents.py), and the outbox's letter channel that prints letters sent by post."""

from django.template.loader import render_to_string

from complaints.models import ComplaintLetter
from complaints.selectors import letter_letterhead
from core.documents import html_to_pdf


def letter_html(letter: ComplaintLetter) -> str:
    """The letter as a stand-alone HTML document: letterhead, address, date, text, signature,
    with print styles for A4 and no page chrome."""
    return render_to_string("complaints/letters/document.html", {
        "letter": letter, "letterhead": letter_letterhead(),
        "paragraphs": [part.strip() for part in letter.body.split("\n\n") if part.strip()],
        "address_lines": [line for line in letter.recipient_address.splitlines() if line.strip()],
    })


def letter_pdf(letter: ComplaintLetter) -> bytes:
    return html_to_pdf(letter_html(letter))


def letter_filename(letter: ComplaintLetter) -> str:
    kind = letter.kind.replace("_", "-")
    return f"{letter.complaint.reference}-{kind}-stage-{letter.stage}-{letter.pk}.pdf"


class PrintRoomSender:
    """The outbox's letter channel (core/outbox.py): a letter to go by post is written as a PDF
    into LETTER_PRINT_DIR, where the council's print room or hybrid-mail service collects it.
    Offered only when LETTER_PRINT_DIR is set; a later app's letter sender (a mail provider's
    API) replaces it."""

    def __init__(self, directory: str):
        self.directory = directory

    def session(self):
        from contextlib import nullcontext

        return nullcontext(self)

    def send(self, message) -> str:
        from pathlib import Path

        from core.outbox import PermanentFailure

        if message.object_type != "complaints.complaintletter":
            raise PermanentFailure("Only complaint letters are printed.")
        letter = ComplaintLetter.objects.select_related("complaint").filter(pk=message.object_id).first()
        if letter is None:
            raise PermanentFailure("The letter is no longer stored.")
        folder = Path(self.directory)
        folder.mkdir(parents=True, exist_ok=True)
        name = letter_filename(letter)
        partial = folder / f".{name}.part"
        partial.write_bytes(letter_pdf(letter))
        partial.replace(folder / name)  # whole files only: the print room never takes half a letter
        return name
