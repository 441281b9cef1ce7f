"""A small indentation tree for IOS-style configs (IOS-XE, NX-OS, EOS, IOS-XR, FRR).

Each line becomes a node; a more indented line is a child of the line above it. Comments
(``!`` or ``#``) and block closers (``exit``, ``exit-address-family``, ``end-policy`` …) are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CLOSERS = {"exit", "exit-address-family", "exit-vrf", "end", "end-policy", "end-set", "exit-vrf-policy",
           "exit-peer-policy", "exit-peer-session", "exit-af-topology", "root"}


@dataclass
class Node:
    text: str
    children: list["Node"] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return self.text.split()

    def find(self, *prefix: str) -> list["Node"]:
        """Children whose first words are ``prefix``."""
        n = len(prefix)
        return [c for c in self.children if c.words[:n] == list(prefix)]

    def first(self, *prefix: str) -> "Node | None":
        found = self.find(*prefix)
        return found[0] if found else None

    def walk(self):
        for c in self.children:
            yield c
            yield from c.walk()


def parse_tree(text: str, comment: tuple[str, ...] = ("!",)) -> Node:
    root = Node("")
    stack: list[tuple[int, Node]] = [(-1, root)]
    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped.startswith(comment) or stripped in CLOSERS:
            continue
        indent = len(line) - len(line.lstrip(" "))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        node = Node(stripped)
        stack[-1][1].children.append(node)
        stack.append((indent, node))
    return root
