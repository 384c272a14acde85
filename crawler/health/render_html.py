"""The report as one self-contained HTML page: tables, flags and plots, nothing to fetch.

Plots are drawn with matplotlib (its object API, no pyplot state, Agg-free SVG output) and
inlined as ``<svg>`` elements; the page is a Jinja2 template with autoescaping. The page
carries a Content-Security-Policy that forbids every network load, so it works offline and
a stray reference would show as an error instead of a silent fetch. This module is
imported only when ``--html`` is given: the crawl never loads matplotlib.
"""

from __future__ import annotations

import io
import math
import os
from collections import Counter
from pathlib import Path

import jinja2
import matplotlib
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from crawler.health.flags import coverage, median_words
from crawler.health.history import Report, SourceHealth
from crawler.health.item_checks import COVERAGE_FIELDS
from crawler.health.render_text import headline, report_as_json
from crawler.health.runs import BLOCKING_ERRORS
from crawler.health.tables import percent

TEMPLATE = "report.html.j2"
PANEL_COLUMNS = 3
PANEL_SIZE = (4.2, 1.9)  # inches per small-multiple panel
# Drop reasons and error kinds beyond these many are summed as "other", so the legend stays legible.
MAX_CATEGORIES = 8
OK_COLOR, DARK_COLOR, BLOCKED_COLOR, UNHEALTHY_COLOR = "#4c78a8", "#f2a541", "#d1495b", "#b3261e"
CATEGORY_COLORS = ("#4c78a8", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac", "#79706e")
BLOCKING_COLORS = ("#d1495b", "#e07a5f", "#a4243b", "#f28482")
STYLE = {
    "svg.fonttype": "none",  # text stays text: smaller, sharper, selectable
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
}


def svg_of(figure: Figure, name: str) -> str:
    """The figure as an ``<svg>`` element; ``name`` salts its ids so two plots never share one."""
    buffer = io.StringIO()
    with matplotlib.rc_context({**STYLE, "svg.hashsalt": name}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def panel_grid(count: int, name: str):
    columns = min(PANEL_COLUMNS, max(count, 1))
    rows = max(math.ceil(count / columns), 1)
    with matplotlib.rc_context(STYLE):
        # Fixed margins: a layout engine measures every tick label of every panel, which
        # costs seconds on a month of runs and thirty sources.
        figure = Figure(figsize=(PANEL_SIZE[0] * columns, PANEL_SIZE[1] * rows))
        axes = figure.subplots(rows, columns, squeeze=False, sharex=True)
        figure.subplots_adjust(left=0.06, right=0.99, bottom=0.7 / (PANEL_SIZE[1] * rows), top=1 - 0.35 / (PANEL_SIZE[1] * rows),
                               wspace=0.22, hspace=0.55)
        flat = [ax for row in axes for ax in row]
        # The panels share their x axis, and with it this locator and formatter.
        locator = AutoDateLocator(maxticks=6)
        flat[0].xaxis.set_major_locator(locator)
        flat[0].xaxis.set_major_formatter(ConciseDateFormatter(locator))
    return figure, flat


def run_color(run) -> str:
    return BLOCKED_COLOR if run.blocked else DARK_COLOR if not run.articles else OK_COLOR


def finish_panels(axes, report: Report, ylabel: str) -> None:
    """Titles (red for an unhealthy source) and axis labels; panels past the last source hidden."""
    for ax, source in zip(axes, report.sources):
        ax.set_title(panel_title(source), color=OK_COLOR if source.healthy else UNHEALTHY_COLOR, loc="left")
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
    for ax in axes[len(report.sources):]:
        ax.set_visible(False)


def plot_articles_per_run(report: Report) -> str:
    with matplotlib.rc_context(STYLE):
        figure, axes = panel_grid(len(report.sources), "articles")
        for ax, source in zip(axes, report.sources):
            starts = [run.started for run in source.runs]
            values = [run.articles for run in source.runs]
            # A line with a dot per run: runs come at any interval, and a run with no
            # article must still show (as an orange dot on the axis, red when refused).
            ax.plot(starts, values, color="#9db4cf", linewidth=1, zorder=1)
            ax.scatter(starts, values, c=[run_color(run) for run in source.runs], s=12, zorder=2, clip_on=False)
        finish_panels(axes, report, "articles")
    return svg_of(figure, "articles")


def panel_title(source: SourceHealth) -> str:
    return source.name if source.healthy else f"{source.name}: {', '.join(flag.kind for flag in source.flags)}"


def plot_word_counts(report: Report) -> str:
    with matplotlib.rc_context(STYLE):
        figure, axes = panel_grid(len(report.sources), "words")
        for ax, source in zip(axes, report.sources):
            measured = [run for run in source.runs if run.word_count_median is not None]
            ax.plot([run.started for run in measured], [run.word_count_median for run in measured],
                    marker="o", markersize=2.5, linewidth=1, color=OK_COLOR if source.healthy else UNHEALTHY_COLOR)
            history = source.runs[:-report.dark_runs]
            usual, _items = median_words(history)
            if usual is not None:
                ax.axhline(usual, color="#888888", linestyle=":", linewidth=1)
        finish_panels(axes, report, "median words")
    return svg_of(figure, "words")


def top_categories(counters: list[Counter]) -> list[str]:
    total = sum(counters, Counter())
    return [name for name, _count in total.most_common(MAX_CATEGORIES)]


def category_colors(categories: list[str]) -> list[str]:
    """Reds for the kinds of refusal, other colors for the rest."""
    colors, blocking, other = [], iter(BLOCKING_COLORS * MAX_CATEGORIES), iter(CATEGORY_COLORS * MAX_CATEGORIES)
    for category in categories:
        colors.append(next(blocking) if category in BLOCKING_ERRORS else next(other))
    return colors


def stacked_bars(ax, names: list[str], counters: list[Counter]) -> None:
    categories = top_categories(counters)
    left = [0] * len(names)
    for category, color in zip(categories, category_colors(categories)):
        values = [counter.get(category, 0) for counter in counters]
        ax.barh(names, values, left=left, label=category, color=color)
        left = [a + b for a, b in zip(left, values)]
    other = [sum(v for k, v in counter.items() if k not in categories) for counter in counters]
    if any(other):
        ax.barh(names, other, left=left, label="other", color="#cccccc")
    if categories or any(other):
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.24), ncol=4, fontsize=7, frameon=False)
    else:
        ax.set_yticks(range(len(names)), labels=names)
        ax.set_xticks([])
        ax.text(0.5, 0.5, "none in the window", transform=ax.transAxes, ha="center", va="center", color="#5f6368")
    ax.invert_yaxis()


def plot_drops_and_errors(report: Report) -> str:
    names = [source.name for source in report.sources]
    height = max(2.0, 0.28 * len(names) + 1.0)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(11, height), layout="constrained")
        drops_ax, errors_ax = figure.subplots(1, 2, sharey=True)
        stacked_bars(drops_ax, names, [source.dropped for source in report.sources])
        drops_ax.set_title("Dropped pages by reason", loc="left")
        drops_ax.set_xlabel("pages")
        stacked_bars(errors_ax, names, [source.errors for source in report.sources])
        errors_ax.set_title("Failed requests by kind (reds: the site refuses us)", loc="left")
        errors_ax.set_xlabel("requests")
    return svg_of(figure, "drops")


def coverage_matrix(report: Report) -> tuple[list[str], list[list[float]]]:
    """Columns: each coverage field before the last K runs and in them; NaN where unmeasured."""
    columns = [f"{name}\n{side}" for name in COVERAGE_FIELDS for side in ("before", f"last {report.dark_runs}")]
    rows = []
    for source in report.sources:
        history, recent = source.runs[:-report.dark_runs], source.runs[-report.dark_runs:]
        before, _ = coverage(history)
        latest, _ = coverage(recent)
        row = []
        for name in COVERAGE_FIELDS:
            row += [math.nan if before[name] is None else before[name], math.nan if latest[name] is None else latest[name]]
        rows.append(row)
    return columns, rows


def plot_coverage(report: Report) -> str:
    columns, rows = coverage_matrix(report)
    names = [source.name for source in report.sources]
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(1.0 * len(columns) + 1.8, 0.32 * len(names) + 1.2), layout="constrained")
        ax = figure.subplots()
        colormap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#e8e8e8")
        image = ax.imshow(rows, cmap=colormap, vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(columns)), labels=columns)
        ax.set_yticks(range(len(names)), labels=names)
        ax.tick_params(top=True, bottom=False, labeltop=True, labelbottom=False, length=0)
        for y, row in enumerate(rows):
            for x, value in enumerate(row):
                ax.text(x, y, "-" if math.isnan(value) else f"{value:.0%}", ha="center", va="center", fontsize=7,
                        color="black" if math.isnan(value) or 0.25 < value < 0.85 else "white")
        for x in range(2, len(columns), 2):
            ax.axvline(x - 0.5, color="white", linewidth=3)
        ax.set_frame_on(False)
        figure.colorbar(image, ax=ax, shrink=0.8, label="share of items", format=lambda v, _pos: f"{v:.0%}")
    return svg_of(figure, "coverage")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("crawler.health", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["percent"] = percent
    env.filters["when"] = lambda moment: f"{moment:%Y-%m-%d %H:%M}" if moment else "never"
    return env


def render_html(report: Report) -> str:
    plots = []
    if report.sources:
        plots = [
            ("articles", "Articles per run", "Each dot is one run; orange: no article, red: requests refused.",
             plot_articles_per_run(report)),
            ("coverage", "Field coverage", f"Share of items with each field, before the last {report.dark_runs} runs and in them.",
             plot_coverage(report)),
            ("words", "Median word count per run", "Dotted: the source's usual median before its last runs.",
             plot_word_counts(report)),
            ("drops", "Drops and request errors", "Over the whole window.", plot_drops_and_errors(report)),
        ]
    return environment().get_template(TEMPLATE).render(
        report=report,
        title=headline(report),
        data=report_as_json(report),
        plots=[{"name": name, "title": title, "caption": caption, "svg": svg} for name, title, caption, svg in plots],
        coverage_fields=COVERAGE_FIELDS,
        blocking=BLOCKING_ERRORS,
    )


def write_html(report: Report, path: Path) -> Path:
    """Write the page atomically: a browser or a mail job never reads half of it."""
    text = render_html(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path
