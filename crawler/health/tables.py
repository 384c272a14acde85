"""Plain-text tables for the terminal: left-aligned columns, the last one never padded.

Put a column that may hold Arabic or long URLs last: right-to-left text upsets the
alignment of whatever follows it on the line.
"""

from __future__ import annotations

from collections.abc import Sequence

COLUMN_GAP = "  "


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(value) for value in header]] + [["" if value is None else str(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        padded = [value.ljust(width) for value, width in zip(row[:-1], widths)] + [row[-1]]
        lines.append(COLUMN_GAP.join(padded).rstrip())
    return "\n".join(lines)


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"
