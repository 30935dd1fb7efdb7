"""The import tree: one node per imported module, with self and cumulative time.

Built from the profiler's entries (``from_entries``) or from CPython's
``-X importtime`` log (``lambda_kit.imports.importtime``); shown as text
(``render_text``), JSON (``to_json``) or a page (``lambda_kit.imports.page``).

    >>> root = Node("boto3", cumulative_ms=400.0, self_ms=2.0)
    >>> print(render_text([root]))        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

BAR_WIDTH = 24


class Node:
    """One imported module.

    ``start_ms`` is when its import began, from the start of the profile (for a log,
    where CPython gives no start times, the sum of its earlier siblings' times).
    """

    __slots__ = (
        "children",
        "compile_ms",
        "cumulative_ms",
        "file",
        "from_source",
        "name",
        "self_ms",
        "start_ms",
    )

    def __init__(
        self,
        name: str,
        *,
        cumulative_ms: float,
        self_ms: float,
        start_ms: float = 0.0,
        file: str | None = None,
        from_source: bool = False,
        compile_ms: float = 0.0,
    ) -> None:
        self.name = name
        self.compile_ms = compile_ms
        self.cumulative_ms = cumulative_ms
        self.self_ms = self_ms
        self.start_ms = start_ms
        self.file = file
        self.from_source = from_source
        self.children: list[Node] = []

    def walk(self, depth: int = 0) -> Iterator[tuple[Node, int]]:
        """This node and all below it, depth first, each with its depth."""
        yield self, depth
        for child in self.children:
            yield from child.walk(depth + 1)

    def to_json(self) -> dict[str, Any]:
        """A plain dict (children nested), for ``--json`` and the page."""
        out: dict[str, Any] = {
            "module": self.name,
            "cumulative_ms": round(self.cumulative_ms, 3),
            "self_ms": round(self.self_ms, 3),
            "start_ms": round(self.start_ms, 3),
        }
        if self.file:
            out["file"] = self.file
        if self.from_source:
            out["from_source"] = True
            out["compile_ms"] = round(self.compile_ms, 3)
        out["children"] = [c.to_json() for c in self.children]
        return out

    def __repr__(self) -> str:
        return f"Node({self.name!r}, cumulative_ms={self.cumulative_ms:.3f})"


def from_entries(entries: Sequence[dict[str, Any]]) -> list[Node]:
    """Roots of the tree from profiler entries (dicts with ``name``, ``parent`` as an
    index into ``entries`` or -1, ``start_ns``, ``end_ns``, and optionally ``file``,
    ``from_source``). Entries that never finished are left out."""
    if not entries:
        return []
    t0 = min(e["start_ns"] for e in entries)
    nodes: list[Node | None] = []
    for e in entries:
        if not e.get("end_ns"):
            nodes.append(None)
            continue
        cum = (e["end_ns"] - e["start_ns"]) / 1e6
        nodes.append(
            Node(
                e["name"],
                cumulative_ms=cum,
                self_ms=cum,
                start_ms=(e["start_ns"] - t0) / 1e6,
                file=e.get("file"),
                from_source=bool(e.get("from_source")),
                compile_ms=e.get("compile_ns", 0) / 1e6,
            )
        )
    roots: list[Node] = []
    for e, node in zip(entries, nodes, strict=True):
        if node is None:
            continue
        parent_index = e.get("parent", -1)
        parent = nodes[parent_index] if 0 <= parent_index < len(nodes) else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
            parent.self_ms -= node.cumulative_ms
    for root in roots:
        for node, _ in root.walk():
            node.self_ms = max(node.self_ms, 0.0)
            node.children.sort(key=lambda n: n.start_ms)
    roots.sort(key=lambda n: n.start_ms)
    return roots


def total_ms(roots: Sequence[Node]) -> float:
    """Time of the whole profile: the sum of the roots' cumulative times."""
    return sum(r.cumulative_ms for r in roots)


def slowest_first(roots: Sequence[Node]) -> list[Node]:
    """The same nodes, each level sorted by cumulative time, slowest first (a copy)."""

    def copy(n: Node) -> Node:
        c = Node(
            n.name,
            cumulative_ms=n.cumulative_ms,
            self_ms=n.self_ms,
            start_ms=n.start_ms,
            file=n.file,
            from_source=n.from_source,
            compile_ms=n.compile_ms,
        )
        c.children = sorted((copy(k) for k in n.children), key=lambda k: -k.cumulative_ms)
        return c

    return sorted((copy(r) for r in roots), key=lambda k: -k.cumulative_ms)


def render_text(roots: Sequence[Node], *, top: int = 0, min_ms: float = 0.0) -> str:
    """The tree as text, slowest first, with a bar proportional to cumulative time.

    ``top`` keeps the N slowest modules at each level (0: all); ``min_ms`` hides
    modules whose cumulative time is below it.

        >>> print(render_text([Node("json", cumulative_ms=2.0, self_ms=0.5)]))
         cumul ms  self ms                            module
              2.0      0.5  ########################  json
              2.0 ms in 1 modules
    """
    ordered = slowest_first(roots)
    whole = total_ms(ordered) or 1.0
    lines = [f"{'cumul ms':>9} {'self ms':>8}  {'':<{BAR_WIDTH}}  module"]
    too_fast = beyond_top = 0

    def show(nodes: Sequence[Node], depth: int) -> None:
        nonlocal too_fast, beyond_top
        for i, node in enumerate(nodes):
            if node.cumulative_ms < min_ms:
                too_fast += sum(1 for _ in node.walk())
                continue
            if top > 0 and i >= top:
                beyond_top += sum(1 for _ in node.walk())
                continue
            cells = round(node.cumulative_ms / whole * BAR_WIDTH)
            bar = "#" * cells if cells else ("." if node.cumulative_ms > 0 else "")
            mark = "  [compiled from source]" if node.from_source else ""
            lines.append(
                f"{node.cumulative_ms:9.1f} {node.self_ms:8.1f}  {bar:<{BAR_WIDTH}}  "
                f"{'  ' * depth}{node.name}{mark}"
            )
            show(node.children, depth + 1)

    show(ordered, 0)
    modules = sum(1 for r in ordered for _ in r.walk())
    why = ", ".join(
        f"{count} {reason}"
        for count, reason in (
            (too_fast, f"under {min_ms:g} ms"),
            (beyond_top, f"beyond the top {top}"),
        )
        if count
    )
    lines.append(f"{whole:9.1f} ms in {modules} modules" + (f" (hidden: {why})" if why else ""))
    return "\n".join(lines)
