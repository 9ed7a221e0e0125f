"""Organizer texts on the public pages, in the reader's language, or else the original marked as such.

Organizers write a process's, budget's and project's texts once (in the site's content language,
setting ``pbengine.content_language``, by default ``pyramid.default_locale_name``) and may give
them in French and Spanish; a category is named per language on the process. A page shows the
reader's language where it was given; where it was not, the original, inside an element with a
``lang`` attribute (``<span lang="en">Town-wide pot</span>``), so that a screen reader reading a
French page pronounces the English words as English.

Templates get one :class:`Texts` per request as ``tr``::

    {{ tr(budget, "name") }}                  HTML: the text, or the fallback in a <span lang>
    {{ tr.plain(budget, "name") }}            the text alone (a <title>, an attribute)
    <option{{ tr.lang(budget, "name") }}>     ' lang="en"' when the text shown is the fallback
    {{ tr.category(process, "energy") }}      a category's name, the same way
"""

from __future__ import annotations

from markupsafe import Markup, escape

DEFAULT_CONTENT_LANGUAGE = "en"


def content_language(settings) -> str:
    """The language organizers write the original texts in."""
    return (settings.get("pbengine.content_language") or settings.get("pyramid.default_locale_name")
            or DEFAULT_CONTENT_LANGUAGE)


class Texts:
    def __init__(self, locale: str | None, source: str = DEFAULT_CONTENT_LANGUAGE):
        self.locale = locale or source
        self.source = source

    def _is_fallback(self, translated: str | None, original: str) -> bool:
        return translated is None and bool(original) and self.locale != self.source

    def wrap(self, text: str, is_fallback: bool) -> Markup:
        """``text`` as HTML; in a ``<span lang>`` of the original's language when ``is_fallback``."""
        if is_fallback and text and self.locale != self.source:
            return Markup('<span lang="{}">{}</span>').format(self.source, text)
        return escape(text or "")

    def attribute(self, is_fallback: bool) -> Markup:
        return Markup(' lang="{}"').format(self.source) if is_fallback and self.locale != self.source else Markup("")

    # ------------------------------------------------------------ a process, budget or project field

    def _field(self, obj, field: str) -> tuple[str, bool]:
        if obj is None:
            return "", False
        translated = obj.translated(field, self.locale) if self.locale != self.source else None
        original = getattr(obj, field) or ""
        return translated or original, self._is_fallback(translated, original)

    def __call__(self, obj, field: str) -> Markup:
        return self.wrap(*self._field(obj, field))

    def plain(self, obj, field: str) -> str:
        return self._field(obj, field)[0]

    def lang(self, obj, field: str) -> Markup:
        return self.attribute(self._field(obj, field)[1])

    # ------------------------------------------------------------ categories (named on the process)

    def _category(self, process, category: str) -> tuple[str, bool]:
        translated = process.category_label(category, self.locale) if self.locale != self.source else None
        return translated or category, self._is_fallback(translated, category)

    def category(self, process, category: str) -> Markup:
        return self.wrap(*self._category(process, category))

    def category_plain(self, process, category: str) -> str:
        return self._category(process, category)[0]

    def category_lang(self, process, category: str) -> Markup:
        return self.attribute(self._category(process, category)[1])

    def categories(self, process, categories) -> Markup:
        """Several categories, comma-separated, each marked on its own."""
        return Markup(", ").join(self.category(process, c) for c in categories or [])
