"""The results matrix: cases down, client x server across, in the terminal, as JSON and as
a self-contained HTML page; failures listed below it with their explanation."""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from .case_run import Verdict

_MARK = {"passed": "ok", "failed": "FAIL", "unsupported": "n/a"}


def _columns(verdicts: Sequence[Verdict]) -> list[tuple[str, str]]:
    return list(dict.fromkeys((v.client, v.server) for v in verdicts))


def _cases(verdicts: Sequence[Verdict]) -> list[str]:
    return list(dict.fromkeys(v.case for v in verdicts))


def summary(verdicts: Sequence[Verdict]) -> str:
    counts = Counter(v.outcome for v in verdicts)
    return (f"{len(_cases(verdicts))} cases, {len(verdicts)} runs: {counts['passed']} passed, "
            f"{counts['failed']} failed, {counts['unsupported']} unsupported")


def terminal(verdicts: Sequence[Verdict]) -> str:
    columns = _columns(verdicts)
    cell = {(v.case, v.client, v.server): v for v in verdicts}
    names = _cases(verdicts)
    width = max([len(n) for n in names] + [4])
    heads = [f"{c}@{s}" for c, s in columns]
    col_w = [max(len(h), 4) for h in heads]
    lines = [" ".join([" " * width, *(h.ljust(w) for h, w in zip(heads, col_w, strict=True))])]
    for name in names:
        row = [name.ljust(width)]
        for (client, server), w in zip(columns, col_w, strict=True):
            v = cell.get((name, client, server))
            row.append((_MARK[v.outcome] if v else "-").ljust(w))
        lines.append(" ".join(row).rstrip())
    failures = [v for v in verdicts if v.outcome == "failed"]
    if failures:
        lines += ["", "failures:"]
        for v in failures:
            lines.append(f"- {v.case} [{v.client} @ {v.server}]: {v.detail}")
    lines += ["", summary(verdicts)]
    return "\n".join(lines)


def as_json(verdicts: Sequence[Verdict]) -> dict[str, Any]:
    counts = Counter(v.outcome for v in verdicts)
    return {"summary": {"cases": len(_cases(verdicts)), "runs": len(verdicts),
                        **{k: counts[k] for k in ("passed", "failed", "unsupported")}},
            "clients": sorted({v.client for v in verdicts}),
            "servers": sorted({v.server for v in verdicts}),
            "verdicts": [v.to_json() for v in verdicts]}


def as_html(verdicts: Sequence[Verdict]) -> str:
    columns = _columns(verdicts)
    cell = {(v.case, v.client, v.server): v for v in verdicts}
    head = "".join(f"<th>{html.escape(c)}<br><small>{html.escape(s)}</small></th>"
                   for c, s in columns)
    rows = []
    for name in _cases(verdicts):
        cells = []
        rules = ""
        for client, server in columns:
            v = cell.get((name, client, server))
            if v is None:
                cells.append("<td>-</td>")
                continue
            rules = ", ".join(v.rules)
            title = html.escape(v.detail or f"{v.seconds:.2f} s", quote=True)
            cells.append(f'<td class="{v.outcome}" title="{title}">'
                         f"{_MARK[v.outcome]}</td>")
        rows.append(f"<tr><th>{html.escape(name)}<br><small>{html.escape(rules)}</small></th>"
                    f"{''.join(cells)}</tr>")
    failures = "".join(
        f"<li><b>{html.escape(v.case)}</b> [{html.escape(v.client)} @ {html.escape(v.server)}]"
        f"<pre>{html.escape(v.detail)}</pre></li>" for v in verdicts if v.outcome == "failed")
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>PRIM conformance</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; }}
td.passed {{ background: #d4f7d4; }} td.failed {{ background: #f7d4d4; }}
td.unsupported {{ background: #eee; color: #777; }}
pre {{ white-space: pre-wrap; }}
</style></head><body>
<h1>PRIM conformance</h1>
<p>{html.escape(summary(verdicts))}</p>
<table><tr><th>case</th>{head}</tr>
{''.join(rows)}
</table>
<h2>Failures</h2><ul>{failures or '<li>none</li>'}</ul>
</body></html>
"""


def dumps(verdicts: Sequence[Verdict]) -> str:
    return json.dumps(as_json(verdicts), indent=2)
