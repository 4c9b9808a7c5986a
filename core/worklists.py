"""Work lists that scale (issue 20, item 1): the parts every queue and register shares.

- `Column` and `sort_by`: server-side sortable columns in the GOV.UK/MOJ sortable table pattern
  (a link in each sortable header, `aria-sort` on the sorted one), read from `?sort=&order=`;
  only columns with an index behind them are sortable, so a sort at a million rows reads a page
  of an index rather than sorting the table.
- `list_page`: numbered GOV.UK pagination with counts. The count stops at `COUNT_CAP` (the page
  says "more than 10,000"): counting every open hand-off of a council costs more than the page.
- Filters live in the query string, so a list's address is the list: every link (headers, page
  numbers) keeps the other parameters.
- `url_with_id`: the address of a row's page (and the `id_url` template filter): a list of 50
  rows reverses two addresses a row, and `reverse()` cost a third of drawing the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.http import QueryDict
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import cached_property

PER_PAGE = 50
COUNT_CAP = 10_000
# From this many rows skipped, a page reads its ids before its rows (`CountedPaginator._get_page`).
DEFERRED_JOIN_FROM = 500


@dataclass(frozen=True)
class Column:
    """A table column; `order_by` (ascending) makes it sortable, with the primary key last."""

    key: str
    label: str
    order_by: tuple[str, ...] = ()
    classes: str = ""


@dataclass
class Sorting:
    key: str
    descending: bool
    order_by: list[str]
    headers: list[dict] = field(default_factory=list)


# Stands for the id while an address is reversed once; no route of ours has it in its fixed part.
_ID_MARK = 918273645546372819


@lru_cache(maxsize=256)
def _around_the_id(viewname: str, script_prefix: str, urlconf: str) -> tuple[str, str]:
    url = reverse(viewname, urlconf=urlconf, args=[_ID_MARK])
    before, mark, after = url.partition(str(_ID_MARK))
    if not mark:  # a route that rewrites the id it is given: reverse() it row by row instead
        raise ImproperlyConfigured(f"{viewname} does not put its id in the address as it is")
    return before, after


def url_with_id(viewname: str, pk: int) -> str:
    """`reverse(viewname, args=[pk])` for a view taking one integer id, reversed once a process
    (for each script prefix and URLconf): what is either side of the id, with the id (an int,
    nothing to quote) between."""
    before, after = _around_the_id(viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{before}{int(pk)}{after}"


def _reverse(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def query_without(params: QueryDict, *names: str) -> QueryDict:
    kept = params.copy()
    for name in names:
        kept.pop(name, None)
    return kept


def sort_by(params: QueryDict, columns: list[Column], default: str, *,
            default_descending: bool = False) -> Sorting:
    """The sort a list's query string asks for (an unknown column falls back to the default),
    the ORDER BY for it and each header's link and `aria-sort`."""
    sortable = {column.key: column for column in columns if column.order_by}
    key = params.get("sort", "")
    if key in sortable:
        descending = params.get("order", "") == "desc"
    else:
        key, descending = default, default_descending
    order_by = list(sortable[key].order_by)
    if descending:
        order_by = [_reverse(name) for name in order_by]
    base = query_without(params, "sort", "order", "page")
    headers = []
    for column in columns:
        header = {"label": column.label, "classes": column.classes, "sortable": bool(column.order_by),
                  "aria_sort": "", "url": ""}
        if column.order_by:
            current = column.key == key
            link = base.copy()
            link["sort"] = column.key
            link["order"] = "asc" if current and descending or not current else "desc"
            header["url"] = "?" + link.urlencode()
            header["aria_sort"] = ("descending" if descending else "ascending") if current else "none"
        headers.append(header)
    return Sorting(key=key, descending=descending, order_by=order_by, headers=headers)


class CountedPaginator(Paginator):
    """Counts no further than `cap` + 1 rows; `capped` says there were more."""

    def __init__(self, object_list, per_page=PER_PAGE, cap: int = COUNT_CAP, **kwargs):
        self.cap = cap
        super().__init__(object_list, per_page, **kwargs)

    @cached_property
    def _capped_count(self) -> int:
        # Unordered: which cap + 1 rows are counted makes no difference to the count, and the
        # list's order (by status, say) would make PostgreSQL sort every matching row first.
        return self.object_list.order_by().values("pk")[:self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._capped_count > self.cap

    def _get_page(self, object_list, number, paginator):
        """A page deep in a list reads its ids first (from the sort's index alone), then only those
        rows with everything they show: joining the customer, contact and team of every skipped
        row (4,950 of them on page 100) cost 25 times the rows shown."""
        query = getattr(object_list, "query", None)
        plain_rows = query is not None and getattr(object_list, "_fields", None) is None
        if (not plain_rows or query.low_mark < DEFERRED_JOIN_FROM or query.distinct
                or query.combinator):
            return super()._get_page(object_list, number, paginator)
        ids = list(object_list.values_list("pk", flat=True))
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return super()._get_page([rows[pk] for pk in ids if pk in rows], number, paginator)


def page_links(page, params: QueryDict) -> list[dict]:
    """The GOV.UK numbered pagination's items: the first and last page, the current one and its
    neighbours, an ellipsis between gaps."""
    base = query_without(params, "page")
    last = page.paginator.num_pages
    wanted = sorted({1, last, page.number - 1, page.number, page.number + 1} & set(range(1, last + 1)))
    items, previous = [], 0
    for number in wanted:
        if number - previous > 1:
            items.append({"ellipsis": True})
        link = base.copy()
        link["page"] = str(number)
        items.append({"number": number, "url": "?" + link.urlencode(), "current": number == page.number})
        previous = number
    return items


@dataclass
class ListPage:
    """One page of a work list, with what the template needs to show it."""

    page: object
    links: list[dict]
    previous_url: str
    next_url: str

    @property
    def first_index(self) -> int:
        return self.page.start_index()

    @property
    def last_index(self) -> int:
        return self.page.end_index()


def list_page(queryset, params: QueryDict, *, per_page: int = PER_PAGE, cap: int = COUNT_CAP,
              paginator: Paginator | None = None) -> ListPage:
    """A page of `queryset` (or of a paginator of the caller's) with its numbered links."""
    paginator = paginator or CountedPaginator(queryset, per_page, cap=cap)
    page = paginator.get_page(params.get("page"))
    base = query_without(params, "page")

    def url(number: int) -> str:
        link = base.copy()
        link["page"] = str(number)
        return "?" + link.urlencode()

    return ListPage(page=page, links=page_links(page, params),
                    previous_url=url(page.previous_page_number()) if page.has_previous() else "",
                    next_url=url(page.next_page_number()) if page.has_next() else "")
