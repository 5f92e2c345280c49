"""The sections of a quarterly report, as an explicit list of builders.

A report freezes its figures (the indicators, built in `figures.py`) and then each section below, in order. A
section is a titled table (`Section`: columns, rows of plain values, an optional note) so the page, the DOCX, the
PDF and the XLSX annex render every section the same way, and a new domain adds its section without touching them.

To add a section for a new domain (outreach visits and classes, credentials, festivals, 4T…): write a module here
with `def build(context: SectionContext) -> Section | None` (base.py) that reads that domain's selectors for
`context.unit` / `context.organisation` (or the whole province when `context.consolidated`) over
`context.period_start`…`context.frozen_on`, returns None when it does not apply, and append it to `SECTIONS`.
Reports frozen before keep the sections they had.
"""

from typing import Any

from . import classes, consolidation, learning, plan_tasks
from .base import Cell, Section, SectionBuilder, SectionContext

SECTIONS: tuple[SectionBuilder, ...] = (
    learning.build,  # learning: people newly confirmed as digitally literate in the quarter, by target
    classes.build,  # community classes: supervised tests opened, finished and passed in the quarter
    plan_tasks.build,  # the plan's tasks the unit leads (the consolidated report: every task's state)
    consolidation.build_submissions,  # consolidated only: units that did not report, or reported late
    consolidation.build_proposals,  # consolidated only: the units' proposals from their accepted reports
    consolidation.build_annex,  # consolidated only: every commune and agency, each indicator (the annex)
)


def build_sections(context: SectionContext) -> list[dict[str, Any]]:
    """Every section that applies to the context, in the order of SECTIONS, as JSON for the frozen content."""
    sections = []
    for build in SECTIONS:
        section = build(context)
        if section is not None:
            sections.append(section.as_json())
    return sections


__all__ = ["SECTIONS", "Cell", "Section", "SectionBuilder", "SectionContext", "build_sections"]
