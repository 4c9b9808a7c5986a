"""HTML to PDF for the documents the service prints (letters, the annual report): WeasyPrint.

WeasyPrint needs the Pango text layout library from the operating system (Debian:
libpango-1.0-0, libpangoft2-1.0-0; the Dockerfile and .ci/run install it, `make install` warns
when it is missing). It is imported only when a PDF is made, so the rest of the service runs
without it.
"""


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
