"""Small filters for the dashboard's tables."""

from typing import Any

from django import template

from safehub.measures.selectors import Cell, Line, MeasureFigures

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def below(figures: MeasureFigures, cell: Cell) -> bool:
    return figures.below_target(cell)


@register.filter
def line_agency(lines: list[Line], index: int) -> str:
    return lines[index].agency
