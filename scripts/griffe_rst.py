"""Griffe extension for the docs: the reST bits of dissipax's numpy docstrings as Markdown.

The docstrings are numpy style, written to read well in a terminal and in Sphinx; mkdocstrings
renders Markdown.  This rewrites, in the docstring text only (the source is unchanged):

* ``:math:`x``` -> ``$x$`` and ``.. math:: x`` blocks -> ``$$ x $$`` (pymdownx.arithmatex);
* ``:func:`~a.b``` and the other Python roles -> ```b``` (code).
"""

from __future__ import annotations

import re

import griffe

_MATH_ROLE = re.compile(r":math:`([^`]+)`")
_PY_ROLE = re.compile(r":(?:func|class|mod|data|attr|meth|obj|exc):`~?\.?([^`]+)`")


def _math_blocks(text: str) -> str:
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        m = re.match(r"^(\s*)\.\. math::\s*(.*)$", lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent, body = m.group(1), [m.group(2)] if m.group(2).strip() else []
        i += 1
        while i < len(lines) and (
            not lines[i].strip() and not body or lines[i].startswith(indent + " ")
        ):
            if lines[i].strip():
                body.append(lines[i].strip())
            i += 1
        out += [f"{indent}$$", *(f"{indent}{b}" for b in body), f"{indent}$$"]
    return "\n".join(out)


def rst_to_markdown(text: str) -> str:
    """Rewrite the reST math and cross-reference roles of ``text`` as Markdown."""
    text = _math_blocks(text)
    text = _MATH_ROLE.sub(lambda m: f"${m.group(1)}$", text)
    # a role alone on a line names an item of a numpy section (e.g. "Modules"): no backticks
    text = re.sub(
        r"^(\s*):(?:func|class|mod|data|attr|meth|obj|exc):`~?\.?([^`]+)`\s*$",
        lambda m: m.group(1) + m.group(2).split(".")[-1],
        text,
        flags=re.M,
    )
    return _PY_ROLE.sub(lambda m: f"`{m.group(1).split('.')[-1]}`", text)


class RstRoles(griffe.Extension):
    """Apply :func:`rst_to_markdown` to every docstring griffe loads."""

    def on_instance(self, *, obj, **kwargs) -> None:  # noqa: D102
        if obj.docstring is not None:
            obj.docstring.value = rst_to_markdown(obj.docstring.value)
