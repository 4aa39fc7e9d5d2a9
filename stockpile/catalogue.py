"""The message catalogue: extract every text, bring the translations up to date, compile them, check them.

One definition for `make messages`, `make run`, `make test` and the catalogue test. Catalogues are written without
location comments, sorted and 120 wide, the format the repository's .po merge driver unions cleanly.

    python -m stockpile.catalogue messages   # extract + update every language + compile
    python -m stockpile.catalogue compile    # only compile the .po files into .mo files
    python -m stockpile.catalogue check      # exit 1 listing missing or fuzzy translations and stale .mo files
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent
TRANSLATIONS = PACKAGE / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
# Every language the pages are translated into (English is the language of the code).
LANGUAGES = ("nl",)
METHOD_MAP = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.svg", "jinja2"),
]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "_ln": (1, 2), "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(([a-z_]+)\)")
WRITE_OPTIONS = {"width": 120, "no_location": True, "sort_output": True, "ignore_obsolete": True}


def po_path(language: str) -> Path:
    """The translations of one language."""
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def mo_path(language: str) -> Path:
    """The compiled translations of one language, as Flask-Babel reads them."""
    return po_path(language).with_suffix(".mo")


def extract() -> Catalog:
    """Every translatable text in the package's code and templates."""
    catalog = Catalog(project="Stockpile", version="1", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, METHOD_MAP, keywords=KEYWORDS, directory_filter=lambda path: "__pycache__" not in path
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read(path: Path, locale: str | None = None) -> Catalog:
    """A .po or .pot file."""
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _render(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, **WRITE_OPTIONS)  # type: ignore[arg-type]
    return buffer.getvalue()


def _compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _write_if_changed(path: Path, content: bytes) -> None:
    if not path.exists() or path.read_bytes() != content:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _ids(catalog: Catalog) -> set[tuple[str, str | None]]:
    return {(str(m.id) if isinstance(m.id, str) else str(m.id[0]), m.context) for m in catalog if m.id}


def write_template() -> Catalog:
    """Extract the texts into messages.pot; an unchanged set of texts leaves the file (and its date) alone."""
    template = extract()
    if TEMPLATE.exists() and _ids(read(TEMPLATE)) == _ids(template):
        return read(TEMPLATE)
    _write_if_changed(TEMPLATE, _render(template))
    return template


def update(template: Catalog) -> None:
    """Add new texts to each language's .po (untranslated) and drop texts the code no longer has."""
    for language in LANGUAGES:
        path = po_path(language)
        catalog = read(path, language) if path.exists() else Catalog(locale=language, project="Stockpile")
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        _write_if_changed(path, _render(catalog))


def compile_all() -> None:
    """Compile each language's .po into the .mo the app reads."""
    for language in LANGUAGES:
        _write_if_changed(mo_path(language), _compiled(read(po_path(language), language)))


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _placeholder_problems(message: Message) -> list[str]:
    """A translation must use the same named placeholders as its English text, no fewer and no others."""
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    wanted = set().union(*(_placeholders(text) for text in ids))
    return [f"placeholders {sorted(_placeholders(text))} instead of {sorted(wanted)}"
            for text in strings if text and _placeholders(text) != wanted]


def problems() -> list[str]:
    """What keeps the catalogue from being complete: texts without a translation, stale compilations."""
    found: list[str] = []
    wanted = _ids(extract())
    for language in LANGUAGES:
        catalog = read(po_path(language), language)
        have = {(m.id if isinstance(m.id, str) else m.id[0], m.context): m for m in catalog if m.id}
        found += [f"{language}: not in the catalogue: {key[0]!r}" for key in sorted(wanted - set(have), key=str)]
        for key, message in sorted(have.items(), key=lambda pair: str(pair[0])):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                found.append(f"{language}: no translation for {key[0]!r}")
        found += [f"{language}: {key[0]!r}: {problem}" for key, message in sorted(have.items(), key=lambda p: str(p[0]))
                  for problem in _placeholder_problems(message)]
        if not mo_path(language).exists() or mo_path(language).read_bytes() != _compiled(catalog):
            found.append(f"{language}: {mo_path(language).name} is not the compilation of {po_path(language).name}")
    return found


def main(argv: list[str]) -> int:
    """The command line: messages, compile or check."""
    command = argv[1] if len(argv) > 1 else "messages"
    if command == "messages":
        update(write_template())
        compile_all()
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = problems()
        for problem in found:
            print(problem, file=sys.stderr)
        return 1 if found else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
