"""Junos ``set`` form (what ``show configuration | display set`` prints and ``load set`` takes), from the
brace form ergen renders.

The brace form is ergen's own output, written by its templates in a small, regular grammar (statements,
blocks, ``[ ]`` lists, double-quoted strings, ``inactive:``), so the conversion is a walk of its tree: each
leaf becomes ``set <path> <statement>``, each ``[ a b ]`` list one ``set`` line per element in order, and an
``inactive:`` statement its ``set`` lines followed by ``deactivate <path>``. The tests convert every Junos
reference config and read both forms back into the same facts and the same statement paths.
"""

from __future__ import annotations

from ergen.errors import RenderError


def _tokens(text: str):
    """(token, quoted) pairs: words, strings (quoted: True), and { } ; [ ]; comments dropped."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            yield text[i + 1:j], True
            i = j + 1
        elif ch in "{};[]":
            yield ch, False
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '{};[]"':
                j += 1
            yield text[i:j], False
            i = j


def _word(token: str, quoted: bool) -> str:
    return f'"{token}"' if quoted else token


def to_set(text: str) -> str:
    """The ``set`` lines of a brace-form config; its leading ``#`` comment lines kept as they are."""
    header = []
    for line in text.splitlines():
        if line.startswith("#"):
            header.append(line)
        elif line.strip():
            break
    out: list[str] = []
    stack: list[list[str]] = []           # the words of each open block
    inactive: list[list[str] | None] = []  # per open block: its path if it is inactive
    words: list[str] = []
    items: list[str] | None = None
    for tok, quoted in _tokens(text):
        if items is not None:
            if tok == "]" and not quoted:
                base = [w for block in stack for w in block]
                for it in items:
                    out.append("set " + " ".join(base + _strip(words) + [it]))
                items = None
                words = []          # the list ended the statement; its ";" follows
                continue
            items.append(_word(tok, quoted))
            continue
        if quoted:
            words.append(_word(tok, True))
        elif tok == "[":
            items = []
        elif tok == ";":
            base = [w for block in stack for w in block]
            if words and words != ["inactive:"]:
                body = _strip(words)
                if body:
                    out.append("set " + " ".join(base + body))
                if words[0] == "inactive:":
                    out.append("deactivate " + " ".join(base + body))
            words = []
        elif tok == "{":
            stack.append(_strip(words))
            inactive.append(stack[-1] if words[:1] == ["inactive:"] else None)
            words = []
        elif tok == "}":
            if not stack:
                raise RenderError("unbalanced braces in a Junos config: cannot write its set form")
            path = [w for block in stack for w in block]
            stack.pop()
            if inactive.pop() is not None:
                out.append("deactivate " + " ".join(path))
            words = []
        else:
            words.append(tok)
    if stack or items is not None:
        raise RenderError("unbalanced braces in a Junos config: cannot write its set form")
    return "\n".join(header + out) + "\n"


def _strip(words: list[str]) -> list[str]:
    return words[1:] if words[:1] == ["inactive:"] else list(words)
