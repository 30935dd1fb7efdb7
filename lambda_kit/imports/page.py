"""One self-contained HTML page for an import tree: an icicle chart and a table.

No CDN, no network: the chart is drawn as positioned ``<div>`` boxes when the
page is written (it shows without JavaScript); a few lines of inline script let
a person click a module to zoom into it and click the top bar to zoom out.

    >>> write_html("imports.html", roots, title="app")       # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from lambda_kit.imports.tree import Node

ROW_PX = 22
MIN_WIDTH_PCT = 0.05  # narrower boxes are left out of the drawing (they stay in the table)

_STYLE = """
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 4px}
#chart{position:relative;border:1px solid #ccc;background:#fafafa;overflow:hidden}
.n{position:absolute;height:20px;box-sizing:border-box;border:1px solid #fff;overflow:hidden;
white-space:nowrap;font-size:11px;padding:2px 3px;cursor:pointer;background:#e8a33d}
.n.s{background:#d9534f;color:#fff}.n:hover{filter:brightness(1.15)}
table{border-collapse:collapse;margin-top:16px}td,th{padding:2px 10px;text-align:right}
td.m,th.m{text-align:left}tr:nth-child(even){background:#f3f3f3}
#info{min-height:1.4em;margin:6px 0;color:#555}
"""

# zoom: rescale the boxes to the clicked one's time range; depth rows shift up
_SCRIPT = """
(function(){
var boxes=[].slice.call(document.querySelectorAll('#chart .n'));
var info=document.getElementById('info');
function zoom(a,b,d){boxes.forEach(function(x){
var s=+x.dataset.s,e=s+(+x.dataset.c),k=+x.dataset.d;
if(e<=a||s>=b||k<d){x.style.display='none';return}
x.style.display='';x.style.left=(Math.max(s,a)-a)/(b-a)*100+'%';
x.style.width=(Math.min(e,b)-Math.max(s,a))/(b-a)*100+'%';x.style.top=(k-d)*%ROW%+'px';});}
boxes.forEach(function(x){x.addEventListener('click',function(){
var s=+x.dataset.s,c=+x.dataset.c;
if(x.dataset.z==='1'){x.dataset.z='';zoom(0,%TOTAL%,0);info.textContent='';return}
boxes.forEach(function(y){y.dataset.z=''});x.dataset.z='1';zoom(s,s+c,+x.dataset.d);
info.textContent=x.title.replace(/\\n/g,' | ')+'  (click it again to zoom out)';});});
})();
"""


def _boxes(roots: Sequence[Node], total: float) -> tuple[list[str], int]:
    out: list[str] = []
    depth_max = 0
    for root in roots:
        for node, depth in root.walk():
            width = node.cumulative_ms / total * 100 if total else 0.0
            if width < MIN_WIDTH_PCT:
                continue
            depth_max = max(depth_max, depth)
            tip = f"{node.name}\ncumulative {node.cumulative_ms:.2f} ms\nself {node.self_ms:.2f} ms"
            if node.from_source:
                tip += "\ncompiled from source (no bytecode cache)"
            if node.file:
                tip += f"\n{node.file}"
            out.append(
                f'<div class="n{" s" if node.from_source else ""}" '
                f'style="left:{node.start_ms / total * 100:.4f}%;width:{width:.4f}%;'
                f'top:{depth * ROW_PX}px" data-s="{node.start_ms:.3f}" '
                f'data-c="{node.cumulative_ms:.3f}" data-d="{depth}" '
                f'title="{html.escape(tip)}">{html.escape(node.name)}</div>'
            )
    return out, depth_max


def render_html(roots: Sequence[Node], *, title: str = "imports", notes: Sequence[str] = ()) -> str:
    """The page as a string (see ``write_html``)."""
    total = max((r.start_ms + r.cumulative_ms for r in roots), default=0.0)
    boxes, depth_max = _boxes(roots, total)
    everything = sorted((n for r in roots for n, _ in r.walk()), key=lambda n: -n.self_ms)[:200]
    rows = "".join(
        f'<tr><td class="m">{html.escape(n.name)}{" (from source)" if n.from_source else ""}'
        f"</td><td>{n.self_ms:.2f}</td><td>{n.cumulative_ms:.2f}</td></tr>"
        for n in everything
    )
    data: dict[str, Any] = {"title": title, "tree": [r.to_json() for r in roots]}
    data_json = json.dumps(data).replace("</", "<\\/")
    count = sum(1 for r in roots for _ in r.walk())
    script = _SCRIPT.replace("%ROW%", str(ROW_PX)).replace("%TOTAL%", f"{total:.3f}")
    notes_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>imports: {html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Import time: {html.escape(title)}</h1>"
        f"<p>{total:.1f} ms, {count} modules. Each box is a module; its width is its "
        "cumulative import time, boxes below it are what it imported. Red: compiled from "
        "source. Click a box to zoom in.</p>"
        f'<div id="info"></div><div id="chart" style="height:{(depth_max + 1) * ROW_PX}px">'
        + "".join(boxes)
        + "</div>"
        + (f"<h2>Advice</h2><ul>{notes_html}</ul>" if notes_html else "")
        + '<table><tr><th class="m">module (slowest own time first)</th><th>self ms</th>'
        f"<th>cumulative ms</th></tr>{rows}</table>"
        f'<script type="application/json" id="data">{data_json}</script>'
        f"<script>{script}</script></body></html>\n"
    )


def write_html(
    path: str, roots: Sequence[Node], *, title: str = "imports", notes: Sequence[str] = ()
) -> None:
    """Write the page for ``roots`` to ``path`` (UTF-8). ``notes``: advice lines to show."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(render_html(roots, title=title, notes=notes))
