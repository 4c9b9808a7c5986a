from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """API.md, "Lists are paginated": count/next/previous/results, page_size up to 500.

    A page that is not a number or is out of range is an input error (400 {"page": [...]}),
    like any other bad query parameter; 404 is kept for unknown ids.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view=view)
        except NotFound as error:
            raise ValidationError({self.page_query_param: [str(error.detail)]}) from None
