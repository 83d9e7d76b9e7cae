"""What every list's table shares: the selection boxes of the bulk actions (mtvweb/views/bulk.py)."""

import django_tables2 as tables


class SelectColumn(tables.CheckBoxColumn):
    """Row boxes only: the shared table template repeats each header in the cells' data-label, so the
    header must be plain text (the page's bulk toolbar has the select-all box)."""

    @property
    def header(self):
        return "\u00a0"  # blank, yet not empty (an empty header falls back to the accessor name)


class SelectableTable(tables.Table):
    """A table with a selection box per row, shown to users who may act on the rows in bulk."""

    pk = SelectColumn(accessor="pk", attrs={"input": {"name": "pk", "class": "pf-v6-c-check__input",
                                                      "aria-label": "Select"}})

    def __init__(self, *args, selectable=True, exclude=(), **kwargs):
        super().__init__(*args, exclude=(*exclude, *(() if selectable else ("pk",))), **kwargs)
