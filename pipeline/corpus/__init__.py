"""The project's own coded corpus: wording banks, the review generator and the PDF renderer."""
